//! Tolerant decoding: what to do when an answer does not match the spec exactly.
//!
//! The generated types already accept unknown fields, unknown enum values and both
//! timestamp shapes. What remains is a value of the wrong type in a field: the fast path
//! (plain `serde_json`) fails, and only then the body is decoded again here, dropping each
//! offending optional field (found with `serde_path_to_error`) until the rest decodes. Each
//! dropped field is reported as a [`FieldRepair`]. A malformed required field (an id)
//! still fails, with its path and an excerpt of the body.

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

/// Most optional fields dropped from one answer before giving up.
const MAX_REPAIRS: usize = 1000;
/// Bytes of body shown on each side of a decode problem.
const EXCERPT_RADIUS: usize = 60;

/// An optional field that was dropped from an answer because its value was malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldRepair {
    /// Path of the dropped field, such as `[3].author_id` or `commits[0].verification_status`.
    pub path: String,
    /// What was wrong with its value.
    pub problem: String,
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
    let strict = match serde_path_to_error::deserialize::<_, T>(
        &mut serde_json::Deserializer::from_slice(body),
    ) {
        Ok(value) => return Ok((value, Vec::new())),
        Err(error) => error,
    };
    let failure = DecodeFailure {
        path: strict.path().to_string(),
        message: strict.inner().to_string(),
        excerpt: excerpt(body, strict.inner().line(), strict.inner().column()),
    };
    let Ok(mut tree) = serde_json::from_slice::<Value>(body) else {
        return Err(failure);
    };
    let mut repairs = Vec::new();
    while repairs.len() < MAX_REPAIRS {
        match serde_path_to_error::deserialize::<_, T>(&tree) {
            Ok(value) => return Ok((value, repairs)),
            Err(error) => {
                if !remove_field(&mut tree, error.path()) {
                    return Err(failure);
                }
                repairs.push(FieldRepair {
                    path: error.path().to_string(),
                    problem: error.inner().to_string(),
                });
            }
        }
    }
    Err(failure)
}

/// Removes the object member at `path`; false when the path does not end in one (an
/// array element or the whole body cannot be dropped without losing data).
fn remove_field(tree: &mut Value, path: &serde_path_to_error::Path) -> bool {
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut node = tree;
    for segment in parents {
        let next = match segment {
            Segment::Seq { index } => node.get_mut(*index),
            Segment::Map { key } => node.get_mut(key.as_str()),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.as_object_mut()
        .and_then(|o| o.remove(key.as_str()))
        .is_some()
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
    (float.is_finite() && float >= 0.0 && float.fract() == 0.0 && float <= u64::MAX as f64)
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
    fn a_malformed_required_field_fails_with_path_and_excerpt() {
        let body = br#"{"commits":[{"id":"a"},{"id":42,"title":"t"}]}"#;
        let failure = decode_leniently::<CommitList>(body).unwrap_err();
        assert_eq!(failure.path, "commits[1].id");
        assert!(
            failure.message.contains("expected a string"),
            "{}",
            failure.message
        );
        assert!(failure.excerpt.contains("\"id\":42"), "{}", failure.excerpt);
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
}
