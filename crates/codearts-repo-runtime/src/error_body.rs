//! Reading of error bodies in every shape the official Huawei Cloud SDKs accept.
//!
//! The spec documents `{"error_code": ..., "error_msg": ...}`, but gateways in front of
//! the service answer with `errorCode`/`errorMsg`, `code`/`message`, the same nested
//! under `"error"`, or plain text. The attempt loop rewrites every error body into the
//! documented shape (see [`canonical_body`]) so that the generated `types::ErrorBody`
//! never decodes a body of another shape into empty fields.

use serde_json::Value;

/// Longest message kept from a body that is not JSON, in characters.
pub const MAX_RAW_MESSAGE_CHARS: usize = 1024;

/// Field name pairs (code, message) tried in order, as the official SDKs do.
const FIELD_PAIRS: [(&str, &str); 3] = [
    ("error_code", "error_msg"),
    ("errorCode", "errorMsg"),
    ("code", "message"),
];

/// The code and message of an error body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorParts {
    /// Machine-readable code, such as `CH.00402000`.
    pub code: Option<String>,
    /// Human-readable message, or the body's text when it was not JSON.
    pub message: Option<String>,
}

impl ErrorParts {
    /// Whether neither a code nor a message was found.
    pub fn is_empty(&self) -> bool {
        self.code.is_none() && self.message.is_none()
    }
}

/// Reads the code and message of an error body of any accepted shape. Any bytes are
/// accepted: a JSON body with bytes that are not UTF-8 is read with them replaced by
/// U+FFFD, and a body that is not JSON is kept as (cut) text.
pub fn parse(body: &[u8]) -> ErrorParts {
    let value =
        serde_json::from_slice::<Value>(body).or_else(|error| match std::str::from_utf8(body) {
            Ok(_) => Err(error),
            Err(_) => serde_json::from_str::<Value>(&String::from_utf8_lossy(body)),
        });
    match value {
        Ok(value) => {
            let parts = from_value(&value);
            if parts.is_empty() {
                raw_text(body)
            } else {
                parts
            }
        }
        Err(_) => raw_text(body),
    }
}

fn from_value(value: &Value) -> ErrorParts {
    let Value::Object(object) = value else {
        return ErrorParts::default();
    };
    for (code_field, message_field) in FIELD_PAIRS {
        let parts = ErrorParts {
            code: object.get(code_field).and_then(scalar_text),
            message: object.get(message_field).and_then(scalar_text),
        };
        if !parts.is_empty() {
            return parts;
        }
    }
    match object.get("error") {
        Some(nested @ Value::Object(_)) => from_value(nested),
        Some(other) => ErrorParts {
            code: None,
            message: scalar_text(other),
        },
        None => ErrorParts::default(),
    }
}

/// A string, or a number or boolean written as text; nothing for null, arrays or objects.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn raw_text(body: &[u8]) -> ErrorParts {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return ErrorParts::default();
    }
    let message = match text.char_indices().nth(MAX_RAW_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    };
    ErrorParts {
        code: None,
        message: Some(message),
    }
}

/// The body rewritten into the documented `{"error_code","error_msg"}` shape.
pub fn canonical_body(parts: &ErrorParts) -> Vec<u8> {
    let mut object = serde_json::Map::new();
    if let Some(code) = &parts.code {
        object.insert("error_code".into(), Value::String(code.clone()));
    }
    if let Some(message) = &parts.message {
        object.insert("error_msg".into(), Value::String(message.clone()));
    }
    // A map of strings always serializes; an empty body would read as no code or message.
    serde_json::to_vec(&Value::Object(object)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(code: Option<&str>, message: Option<&str>) -> ErrorParts {
        ErrorParts {
            code: code.map(str::to_string),
            message: message.map(str::to_string),
        }
    }

    #[test]
    fn every_accepted_shape_is_read() {
        assert_eq!(
            parse(br#"{"error_code":"CH.00402000","error_msg":"gone"}"#),
            parts(Some("CH.00402000"), Some("gone"))
        );
        assert_eq!(
            parse(br#"{"errorCode":"APIGW.0308","errorMsg":"slow down"}"#),
            parts(Some("APIGW.0308"), Some("slow down"))
        );
        assert_eq!(
            parse(br#"{"code":401,"message":"who?"}"#),
            parts(Some("401"), Some("who?"))
        );
        assert_eq!(
            parse(br#"{"error":{"code":"APIGW.0101","message":"no api"}}"#),
            parts(Some("APIGW.0101"), Some("no api"))
        );
        assert_eq!(parse(br#"{"error":"plain"}"#), parts(None, Some("plain")));
        assert_eq!(
            parse(b"<html>Bad Gateway</html>\n"),
            parts(None, Some("<html>Bad Gateway</html>"))
        );
        assert_eq!(
            parse(br#"{"unrelated":1}"#),
            parts(None, Some(r#"{"unrelated":1}"#))
        );
        assert!(parse(b"  ").is_empty());
    }

    #[test]
    fn canonical_body_round_trips() {
        let original = parts(Some("DEV.00000003"), Some("expired"));
        assert_eq!(parse(&canonical_body(&original)), original);
    }

    #[test]
    fn a_json_body_with_bytes_that_are_not_utf8_is_still_read() {
        let parts = parse(b"{\"error_code\":\"X.1\",\"error_msg\":\"bad \xff byte\"}");
        assert_eq!(parts.code.as_deref(), Some("X.1"));
        assert_eq!(parts.message.as_deref(), Some("bad \u{fffd} byte"));
    }

    #[test]
    fn long_raw_text_is_cut() {
        let body = "x".repeat(5000);
        let message = parse(body.as_bytes()).message.unwrap();
        assert_eq!(message.chars().count(), MAX_RAW_MESSAGE_CHARS + 1);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Bodies that look like error bodies of every accepted shape, some broken.
        fn error_like_body() -> impl Strategy<Value = Vec<u8>> {
            let field = prop_oneof![
                Just("error_code"),
                Just("error_msg"),
                Just("errorCode"),
                Just("errorMsg"),
                Just("code"),
                Just("message"),
                Just("error"),
            ];
            let value = prop_oneof![
                any::<String>().prop_map(Value::String),
                any::<i64>().prop_map(Value::from),
                any::<bool>().prop_map(Value::Bool),
                Just(Value::Null),
                Just(serde_json::json!({"code": 1, "message": ["x"]})),
            ];
            (
                proptest::collection::vec((field, value), 0..4),
                proptest::collection::vec(any::<u8>(), 0..8),
                any::<usize>(),
            )
                .prop_map(|(fields, noise, at)| {
                    let object: serde_json::Map<String, Value> = fields
                        .into_iter()
                        .map(|(name, value)| (name.to_string(), value))
                        .collect();
                    let mut body = serde_json::to_vec(&Value::Object(object)).unwrap();
                    let at = at % (body.len() + 1);
                    body.splice(at..at, noise);
                    body
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Any bytes: no panic, a cut message when the body is not JSON (even with
            /// bytes that are not UTF-8 replaced), and the
            /// canonical body reads back as the same parts.
            #[test]
            fn parse_accepts_any_bytes(
                body in prop_oneof![proptest::collection::vec(any::<u8>(), 0..256), error_like_body()],
            ) {
                let parts = parse(&body);
                if serde_json::from_str::<Value>(&String::from_utf8_lossy(&body)).is_err() {
                    prop_assert!(parts.code.is_none());
                    if let Some(message) = &parts.message {
                        prop_assert!(message.chars().count() <= MAX_RAW_MESSAGE_CHARS + 1);
                    }
                }
                if !parts.is_empty() {
                    prop_assert_eq!(parse(&canonical_body(&parts)), parts);
                }
            }
        }
    }
}
