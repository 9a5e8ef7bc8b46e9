//! Tolerant decoding: what to do when an answer does not match the spec exactly.
//!
//! The generated types already accept unknown fields, unknown enum values and both
//! timestamp shapes. What remains is a value of the wrong type in a field: the fast path
//! (plain `serde_json`) fails, and only then the body is decoded again here, dropping each
//! offending optional field (found with `serde_path_to_error`) until the rest decodes. Each
//! dropped field is reported as a [`FieldRepair`]. Every field is optional, even those the
//! reference marks required (the ids, a day's `day`): the official SDKs decode answers
//! without them, so a missing one is reported ([`ReferenceRequired`]) and a malformed one
//! dropped and reported like any other, never failing the page.
//!
//! Bad bytes are treated as bad values: a string that is not valid UTF-8 (or holds a raw
//! control character or a bad escape) is replaced by a marker before the tree is built,
//! so an optional field holding one is dropped and reported like any malformed value,
//! while a required one still fails. The body must be one JSON document: bytes after it
//! (other than whitespace) fail the decode, whichever path it takes.

use std::borrow::Cow;

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

/// Most optional fields dropped from one answer before giving up.
const MAX_REPAIRS: usize = 1000;
/// Bytes of body shown on each side of a decode problem.
const EXCERPT_RADIUS: usize = 60;
/// Key of the object put in place of a string value that is not valid text: no field of
/// the spec has this name, and a string field refuses an object.
const BAD_STRING_KEY: &str = "\u{0}codearts-repo: bad string";
/// The marker object as JSON text.
const BAD_STRING_VALUE: &[u8] = br#"{"\u0000codearts-repo: bad string":true}"#;
/// A key put in place of an object key that is not valid text (an unknown field then).
const BAD_KEY: &[u8] = br#""\u0000codearts-repo: bad key""#;
/// What a repair of a string that is not valid text says.
const BAD_STRING_PROBLEM: &str =
    "not valid text: bytes that are not UTF-8, a raw control character or a bad escape";

/// An optional field that was dropped from an answer because its value was malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldRepair {
    /// Path of the dropped field, such as `[3].author_id` or `commits[0].verification_status`.
    pub path: String,
    /// What was wrong with its value, shown as [`printable`](crate::printable) shows it
    /// (a value quoted from the body is cut).
    pub problem: String,
}

/// What a [`FieldRepair`] says of a field the reference marks required that an answer lacks.
pub(crate) const MISSING_PROBLEM: &str =
    "missing, though the reference marks it required; left absent";

/// The answers' fields the reference marks required (`x-tolerant-reader` in the spec): the
/// spec leaves them optional, and a missing one is reported rather than failing the page.
pub(crate) trait ReferenceRequired {
    /// Pushes the path of each such field this answer lacks, as `serde_path_to_error`
    /// writes paths (`commits[3].id`, `[0].author.id`).
    fn missing(&self, paths: &mut Vec<String>);
}

impl ReferenceRequired for crate::CommitList {
    fn missing(&self, paths: &mut Vec<String>) {
        for (i, commit) in self.commits.iter().enumerate() {
            if commit.id.is_none() {
                paths.push(format!("commits[{i}].id"));
            }
        }
        for (i, day) in self.date_title.iter().enumerate() {
            if day.day.is_none() {
                paths.push(format!("date_title[{i}].day"));
            }
        }
    }
}

impl ReferenceRequired for Vec<crate::RepositoryPushEvent> {
    fn missing(&self, paths: &mut Vec<String>) {
        for (i, event) in self.iter().enumerate() {
            if event.author.as_ref().is_some_and(|a| a.id.is_none()) {
                paths.push(format!("[{i}].author.id"));
            }
        }
    }
}

impl ReferenceRequired for crate::LastPushEvent {
    fn missing(&self, paths: &mut Vec<String>) {
        if self.repository.as_ref().is_some_and(|r| r.id.is_none()) {
            paths.push("repository.id".into());
        }
    }
}

impl ReferenceRequired for Vec<crate::PersonalPushEvent> {
    fn missing(&self, paths: &mut Vec<String>) {
        for (i, event) in self.iter().enumerate() {
            if event.author.as_ref().is_some_and(|a| a.id.is_none()) {
                paths.push(format!("[{i}].author.id"));
            }
            if event.repository.as_ref().is_some_and(|r| r.id.is_none()) {
                paths.push(format!("[{i}].repository.id"));
            }
        }
    }
}

/// Adds a repair for each field of `value` the reference marks required that is absent,
/// unless it was already reported (dropped as malformed).
pub(crate) fn report_missing<T: ReferenceRequired>(value: &T, repairs: &mut Vec<FieldRepair>) {
    let mut paths = Vec::new();
    value.missing(&mut paths);
    for path in paths {
        if !repairs.iter().any(|r| r.path == path) {
            repairs.push(FieldRepair {
                path,
                problem: MISSING_PROBLEM.into(),
            });
        }
    }
}

/// Why a body could not be decoded, even leniently.
#[derive(Clone, Debug)]
pub(crate) struct DecodeFailure {
    pub path: String,
    pub message: String,
    pub excerpt: String,
}

/// Decodes `body`, dropping malformed optional fields when the strict decode fails.
pub(crate) fn decode_leniently<T: DeserializeOwned>(
    body: &[u8],
) -> Result<(T, Vec<FieldRepair>), DecodeFailure> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let strict = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => {
            return match deserializer.end() {
                Ok(()) => Ok((value, Vec::new())),
                Err(error) => Err(trailing_bytes(body, &error)),
            };
        }
        Err(error) => error,
    };
    let failure = DecodeFailure {
        path: strict.path().to_string(),
        message: strict.inner().to_string(),
        excerpt: excerpt(body, strict.inner().line(), strict.inner().column()),
    };
    let mut tree = match parse_tree(body) {
        Ok(tree) => tree,
        // A wrong value or a string that is not valid text (which would have been
        // repaired) stopped the strict decode before it reached what is wrong with the
        // document itself: tell that.
        Err(broken) if broken.marked || strict.inner().is_data() => return Err(broken.failure),
        Err(_) => return Err(failure),
    };
    let mut repairs = Vec::new();
    while repairs.len() < MAX_REPAIRS {
        match serde_path_to_error::deserialize::<_, T>(&tree) {
            Ok(value) => return Ok((value, repairs)),
            Err(error) => {
                let Some(removed) = remove_field(&mut tree, error.path()) else {
                    return Err(failure);
                };
                let problem = if is_bad_string_marker(&removed) {
                    BAD_STRING_PROBLEM.to_string()
                } else {
                    // The message may quote a long value of the body.
                    crate::error::printable(&error.inner().to_string()).to_string()
                };
                repairs.push(FieldRepair {
                    path: error.path().to_string(),
                    problem,
                });
            }
        }
    }
    Err(failure)
}

/// The failure of a body with bytes (other than whitespace) after its JSON document.
fn trailing_bytes(body: &[u8], error: &serde_json::Error) -> DecodeFailure {
    DecodeFailure {
        path: ".".into(),
        message: format!("bytes after the JSON document ({error})"),
        excerpt: excerpt(body, error.line(), error.column()),
    }
}

/// A body that is not one JSON document, even with its bad strings marked.
struct BrokenDocument {
    /// What is wrong, at the whole body (`.`).
    failure: DecodeFailure,
    /// Whether strings that are not valid text were marked before finding it.
    marked: bool,
}

/// The body as a tree of values, with each string that is not valid text replaced by
/// the [`BAD_STRING_VALUE`] marker (a key by [`BAD_KEY`]); fails when the body is not
/// one JSON document.
fn parse_tree(body: &[u8]) -> Result<Value, BrokenDocument> {
    let error = match parse_document(body) {
        Ok(tree) => return Ok(tree),
        Err(error) => error,
    };
    let (bytes, error) = match mark_bad_strings(body) {
        Some(marked) => match parse_document(&marked) {
            Ok(tree) => return Ok(tree),
            // What is left after marking is what is wrong (positions are the marked body's).
            Err(error) => (Cow::Owned(marked), error),
        },
        None => (Cow::Borrowed(body), error),
    };
    let failure = match error {
        DocumentError::Trailing(error) => trailing_bytes(&bytes, &error),
        DocumentError::Broken(error) => DecodeFailure {
            path: ".".into(),
            message: format!("not one JSON document ({error})"),
            excerpt: excerpt(&bytes, error.line(), error.column()),
        },
    };
    Err(BrokenDocument {
        failure,
        marked: matches!(bytes, Cow::Owned(_)),
    })
}

/// Why a body is not one JSON document.
enum DocumentError {
    /// The document is followed by bytes other than whitespace.
    Trailing(serde_json::Error),
    /// The document itself is broken.
    Broken(serde_json::Error),
}

/// The body as a tree of values, when it is one JSON document.
fn parse_document(bytes: &[u8]) -> Result<Value, DocumentError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let tree = Value::deserialize(&mut deserializer).map_err(DocumentError::Broken)?;
    deserializer.end().map_err(DocumentError::Trailing)?;
    Ok(tree)
}

/// `body` with every string token that is not valid text (not UTF-8, a raw control
/// character, a bad escape) replaced: a value by the [`BAD_STRING_VALUE`] marker, a key by
/// [`BAD_KEY`]. `None` when there is none. Linear: strings are found by their quotes,
/// which outside strings only ever open one.
fn mark_bad_strings(body: &[u8]) -> Option<Vec<u8>> {
    let mut marked = Vec::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = body.get(at..)?.iter().position(|&b| b == b'"') {
        let start = at + offset;
        let mut cursor = start + 1;
        let end = loop {
            match body.get(cursor) {
                None => break None,
                Some(b'\\') => cursor += 2,
                Some(b'"') => break Some(cursor + 1),
                Some(_) => cursor += 1,
            }
        };
        // An unterminated string: the document is broken anyway.
        let Some(end) = end else { break };
        let token = &body[start..end];
        if !is_valid_string(token) {
            let is_key = body[end..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b':');
            marked.extend_from_slice(&body[copied..start]);
            marked.extend_from_slice(if is_key { BAD_KEY } else { BAD_STRING_VALUE });
            copied = end;
        }
        at = end;
    }
    if copied == 0 {
        return None;
    }
    marked.extend_from_slice(&body[copied..]);
    Some(marked)
}

/// Whether a string token (quotes included) reads as a JSON string.
fn is_valid_string(token: &[u8]) -> bool {
    let plain = !token.iter().any(|&b| b == b'\\' || b < 0x20);
    if plain {
        return std::str::from_utf8(token).is_ok();
    }
    serde_json::from_slice::<String>(token).is_ok()
}

/// Whether `value` is the marker of a string that was not valid text.
fn is_bad_string_marker(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.contains_key(BAD_STRING_KEY))
}

/// Removes the object member at `path` and returns it; `None` when the path does not end
/// in one (an array element or the whole body cannot be dropped without losing data).
fn remove_field(tree: &mut Value, path: &serde_path_to_error::Path) -> Option<Value> {
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return None;
    };
    let mut node = tree;
    for segment in parents {
        node = match segment {
            Segment::Seq { index } => node.get_mut(*index),
            Segment::Map { key } => node.get_mut(key.as_str()),
            _ => None,
        }?;
    }
    node.as_object_mut()?.remove(key.as_str())
}

/// Up to [`EXCERPT_RADIUS`] bytes of `body` either side of `line`:`column` (1-based).
pub(crate) fn excerpt(body: &[u8], line: usize, column: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let offset = if line == 0 {
        0
    } else {
        text.split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum::<usize>()
            + column.saturating_sub(1)
    };
    let offset = offset.min(text.len());
    let mut start = offset.saturating_sub(EXCERPT_RADIUS);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (offset + EXCERPT_RADIUS).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(
        text[start..end]
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c }),
    );
    if end < text.len() {
        out.push('…');
    }
    out
}

/// `X-Total` read leniently: surrounding spaces and quotes are ignored, and a number
/// written with a zero fraction (`42.0`) is accepted. Anything else counts as absent.
pub(crate) fn parse_total(headers: &HeaderMap) -> Option<u64> {
    let raw = headers
        .get(codearts_repo_runtime::headers::TOTAL)?
        .to_str()
        .ok()?;
    let text = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if let Ok(total) = text.parse::<u64>() {
        return Some(total);
    }
    let float = text.parse::<f64>().ok()?;
    // 2^64, the first value past `u64::MAX` (which as `f64` rounds up to it).
    const PAST_U64: f64 = 18_446_744_073_709_551_616.0;
    (float.is_finite() && float >= 0.0 && float.fract() == 0.0 && float < PAST_U64)
        .then_some(float as u64)
}

/// The `X-Request-Id` header.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(codearts_repo_runtime::headers::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Commit, CommitList, RepositoryPushEvent};
    use reqwest::header::HeaderValue;

    #[test]
    fn a_malformed_optional_field_is_dropped_and_reported() {
        let body = br#"[{"author_id":"nine","repository_name":"r","created_at":"2024-08-21T06:21:22.000Z"},
                        {"author_id":5,"push_data":{"commit_count":"many","ref":"main"}}]"#;
        let (events, repairs) = decode_leniently::<Vec<RepositoryPushEvent>>(body).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].author_id, None);
        assert_eq!(events[0].repository_name.as_deref(), Some("r"));
        assert_eq!(
            events[1].push_data.as_ref().unwrap().ref_.as_deref(),
            Some("main")
        );
        let paths: Vec<&str> = repairs.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["[0].author_id", "[1].push_data.commit_count"]);
    }

    #[test]
    fn a_field_the_reference_requires_is_dropped_when_malformed_and_reported_when_missing() {
        let body = br#"{"commits":[{"id":"a"},{"id":42,"title":"t"},{"title":"no id"}],
                        "date_title":[{"day":"2024-01-02","commits_count":2},{"commits_count":1},{"day":7}]}"#;
        let (list, mut repairs) = decode_leniently::<CommitList>(body).unwrap();
        report_missing(&list, &mut repairs);
        let ids: Vec<Option<&str>> = list.commits.iter().map(|c| c.id.as_deref()).collect();
        assert_eq!(ids, [Some("a"), None, None]);
        assert_eq!(list.commits[1].title.as_deref(), Some("t"));
        assert_eq!(list.date_title.len(), 3);
        let found: Vec<(&str, bool)> = repairs
            .iter()
            .map(|r| (r.path.as_str(), r.problem == MISSING_PROBLEM))
            .collect();
        assert_eq!(
            found,
            [
                ("commits[1].id", false),
                ("date_title[2].day", false),
                ("commits[2].id", true),
                ("date_title[1].day", true),
            ]
        );
        assert!(
            repairs[0].problem.contains("expected a string"),
            "{repairs:?}"
        );

        let events = br#"[{"author":{"id":"x","name":"n"}},{"author":{"name":"m"}},{}]"#;
        let (events, mut repairs) = decode_leniently::<Vec<RepositoryPushEvent>>(events).unwrap();
        report_missing(&events, &mut repairs);
        let paths: Vec<&str> = repairs.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["[0].author.id", "[1].author.id"]);
        assert!(decode_leniently::<Vec<Commit>>(b"not json").is_err());
    }

    #[test]
    fn total_is_read_leniently() {
        let mut headers = HeaderMap::new();
        for (raw, expected) in [
            ("42", Some(42)),
            (" \"7\" ", Some(7)),
            ("3.0", Some(3)),
            ("3.5", None),
            ("x", None),
            ("-1", None),
        ] {
            headers.insert("x-total", HeaderValue::from_str(raw).unwrap());
            assert_eq!(parse_total(&headers), expected, "{raw}");
        }
    }

    #[test]
    fn excerpt_points_at_the_problem() {
        let body = format!("{}BAD{}", "a".repeat(100), "b".repeat(100));
        let e = excerpt(body.as_bytes(), 1, 101);
        assert!(
            e.starts_with('…') && e.ends_with('…') && e.contains("BAD"),
            "{e}"
        );
    }

    #[test]
    fn a_total_past_u64_is_absent() {
        let mut headers = HeaderMap::new();
        for raw in [
            "18446744073709551616",
            "18446744073709551616.0",
            "1.8446744073709552e19",
            "1e300",
            "inf",
            "NaN",
        ] {
            headers.insert("x-total", HeaderValue::from_str(raw).unwrap());
            assert_eq!(parse_total(&headers), None, "{raw}");
        }
        headers.insert("x-total", HeaderValue::from_static("18446744073709551615"));
        assert_eq!(parse_total(&headers), Some(u64::MAX));
    }

    #[test]
    fn bytes_after_the_document_fail_and_whitespace_does_not() {
        for body in [
            &br#"{"commits":[]} GARBAGE{"#[..],
            br#"{"commits":[{"id":"a","verification_status":"x"}]}]"#,
            b"{\"commits\":[{\"id\":\"a\",\"title\":\"\xff\"}]}x",
            b"{} {}",
        ] {
            let failure = decode_leniently::<CommitList>(body).unwrap_err();
            assert_eq!(failure.path, ".", "{failure:?}");
            assert!(
                failure.message.contains("after the JSON document"),
                "{failure:?}"
            );
        }
        assert!(decode_leniently::<CommitList>(b"{\"commits\":[]}\n\t \r\n").is_ok());
    }

    #[test]
    fn strings_that_are_not_valid_text_are_marked_as_values_and_keys() {
        let body = b"{\"a\":\"ok\",\"b\":\"\xff\",\"\xfe\":1,\"c\":\"\\ud800\",\"d\":\"x\x01\"}";
        let marked = mark_bad_strings(body).unwrap();
        let tree: Value = serde_json::from_slice(&marked).unwrap();
        assert_eq!(tree["a"], "ok");
        for key in ["b", "c", "d"] {
            assert!(is_bad_string_marker(&tree[key]), "{key}: {tree}");
        }
        assert!(tree.get("\u{0}codearts-repo: bad key").is_some(), "{tree}");
        assert_eq!(mark_bad_strings(br#"{"a":"fine \" \\ \u00e9"}"#), None);
        assert_eq!(mark_bad_strings(b"\"unterminated \xff"), None);
    }

    mod properties {
        use super::*;
        use crate::PersonalPushEvent;
        use proptest::prelude::*;
        use std::collections::BTreeSet;

        /// Optional fields of a commit, of every type they come in.
        const OPTIONAL_FIELDS: [&str; 8] = [
            "title",
            "author_name",
            "message",
            "short_id",
            "verification_status",
            "open_gpg_verified",
            "created_at",
            "committed_date",
        ];
        /// Optional string fields of a commit.
        const STRING_FIELDS: [&str; 4] = ["title", "author_name", "message", "short_id"];

        /// A well-formed commit list, the starting point of mutations.
        fn commit_list() -> Value {
            serde_json::json!({
                "commits": [
                    {
                        "id": "a1",
                        "short_id": "a1",
                        "title": "first",
                        "author_name": "Zhang San",
                        "message": "first\n\nbody",
                        "parent_ids": ["p0"],
                        "verification_status": 1,
                        "open_gpg_verified": false,
                        "created_at": "2024-08-21T06:21:22.000Z",
                        "committed_date": "2025-08-21T16:26:40.000+08:00"
                    },
                    {"id": "b2"}
                ],
                "date_title": [{"day": "2025-06-27", "commits_count": 2}]
            })
        }

        /// Any JSON value, a few levels deep.
        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_filter_map("finite", |f| {
                    serde_json::Number::from_f64(f).map(Value::Number)
                }),
                any::<String>().prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// Byte sequences that are not UTF-8, or not allowed raw in a JSON string.
        fn bad_bytes() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                Just(vec![0xff]),
                Just(vec![0xc3]),
                Just(vec![0xe2, 0x82]),
                Just(vec![0xed, 0xa0, 0x80]),
                Just(vec![0xf4, 0x90, 0x80, 0x80]),
                Just(vec![0xc0, 0xaf]),
                Just(vec![0x01]),
                Just(vec![0x1b]),
                Just(b"\\ud800".to_vec()),
                Just(b"\\x".to_vec()),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Any bytes: no panic, whatever the expected type.
            #[test]
            fn any_bytes_decode_without_panicking(
                body in proptest::collection::vec(any::<u8>(), 0..512),
            ) {
                let _ = decode_leniently::<CommitList>(&body);
                let _ = decode_leniently::<Vec<RepositoryPushEvent>>(&body);
                let _ = decode_leniently::<Vec<PersonalPushEvent>>(&body);
                let _ = excerpt(&body, body.len(), body.len());
            }

            /// A well-formed document with random bytes inserted, replaced or removed: no
            /// panic, and whenever the strict decode accepts it, the lenient one agrees.
            #[test]
            fn mutated_documents_decode_without_panicking(
                edits in proptest::collection::vec((any::<usize>(), 0u8..3, any::<u8>()), 1..8),
            ) {
                let mut body = serde_json::to_vec(&commit_list()).unwrap();
                for (at, edit, byte) in edits {
                    let at = at % (body.len() + 1);
                    match edit {
                        0 => body.insert(at, byte),
                        1 if at < body.len() => body[at] = byte,
                        _ if at < body.len() => {
                            body.remove(at);
                        }
                        _ => {}
                    }
                }
                let lenient = decode_leniently::<CommitList>(&body);
                if let Ok(strict) = serde_json::from_slice::<CommitList>(&body) {
                    let (value, repairs) = lenient.unwrap();
                    prop_assert_eq!(value, strict);
                    prop_assert!(repairs.is_empty());
                }
            }

            /// Any value in optional fields: the page decodes, every item is kept, and only
            /// replaced fields are reported.
            #[test]
            fn any_value_in_an_optional_field_is_kept_or_dropped(
                replacements in proptest::collection::vec((0..OPTIONAL_FIELDS.len(), json_value()), 0..6),
            ) {
                let mut document = commit_list();
                let mut replaced = BTreeSet::new();
                for (field, value) in replacements {
                    document["commits"][0][OPTIONAL_FIELDS[field]] = value;
                    replaced.insert(format!("commits[0].{}", OPTIONAL_FIELDS[field]));
                }
                let body = serde_json::to_vec(&document).unwrap();
                let (list, repairs) = decode_leniently::<CommitList>(&body).unwrap();
                let ids: Vec<&str> = list.commits.iter().map(|c| c.id.as_deref().unwrap_or_default()).collect();
                prop_assert_eq!(ids, ["a1", "b2"]);
                prop_assert_eq!(&list.commits[0].parent_ids, &["p0".to_string()]);
                for repair in &repairs {
                    prop_assert!(replaced.contains(&repair.path), "{:?}", repair);
                }
            }

            /// Bad bytes in an optional string: that field alone is dropped and reported.
            #[test]
            fn bad_bytes_in_an_optional_string_are_a_repair(
                field in 0..STRING_FIELDS.len(),
                bad in bad_bytes(),
                before in "[a-z ]{0,6}",
                after in "[a-z ]{0,6}",
                trailing in "[ \t\r\n]{0,3}",
            ) {
                let name = STRING_FIELDS[field];
                let mut document = commit_list();
                document["commits"][0][name] = Value::String("@@".into());
                let text = serde_json::to_string(&document).unwrap();
                let (head, tail) = text.split_once("\"@@\"").unwrap();
                let mut body = format!("{head}\"{before}").into_bytes();
                body.extend_from_slice(&bad);
                body.extend_from_slice(format!("{after}\"{tail}{trailing}").as_bytes());
                let (list, repairs) = decode_leniently::<CommitList>(&body).unwrap();
                prop_assert_eq!(list.commits.len(), 2);
                prop_assert_eq!(repairs.len(), 1);
                prop_assert_eq!(&repairs[0].path, &format!("commits[0].{name}"));
                prop_assert_eq!(&repairs[0].problem, BAD_STRING_PROBLEM);
                // Everything else is as in the well-formed document.
                let mut expected: CommitList = serde_json::from_value(commit_list()).unwrap();
                match name {
                    "title" => expected.commits[0].title = None,
                    "author_name" => expected.commits[0].author_name = None,
                    "message" => expected.commits[0].message = None,
                    _ => expected.commits[0].short_id = None,
                }
                prop_assert_eq!(list, expected);
            }

            /// Anything but whitespace after the document fails it, on either path.
            #[test]
            fn bytes_after_the_document_fail_it(
                space in "[ \t\r\n]{0,3}",
                junk in proptest::collection::vec(any::<u8>(), 1..16),
                repaired in any::<bool>(),
            ) {
                prop_assume!(!junk[0].is_ascii_whitespace());
                let mut document = commit_list();
                if repaired {
                    document["commits"][0]["verification_status"] = Value::from("yes");
                }
                let mut body = serde_json::to_vec(&document).unwrap();
                body.extend_from_slice(space.as_bytes());
                body.extend_from_slice(&junk);
                let failure = decode_leniently::<CommitList>(&body).unwrap_err();
                prop_assert_eq!(&failure.path, ".");
            }

            /// `X-Total`: any header bytes without panicking, and every `u64` read back.
            #[test]
            fn total_accepts_any_header_bytes(
                bytes in proptest::collection::vec(any::<u8>(), 0..32),
                total in any::<u64>(),
            ) {
                let mut headers = HeaderMap::new();
                if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                    headers.insert("x-total", value);
                    let _ = parse_total(&headers);
                    let _ = request_id(&headers);
                }
                headers.insert("x-total", HeaderValue::from(total));
                prop_assert_eq!(parse_total(&headers), Some(total));
                headers.insert("x-total", HeaderValue::from_str(&format!("\"{total}\"")).unwrap());
                prop_assert_eq!(parse_total(&headers), Some(total));
            }
        }
    }
}
