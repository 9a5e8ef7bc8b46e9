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

/// Reads the code and message of an error body of any accepted shape.
pub fn parse(body: &[u8]) -> ErrorParts {
    match serde_json::from_slice::<Value>(body) {
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
    serde_json::to_vec(&Value::Object(object)).expect("a map of strings serializes")
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
    fn long_raw_text_is_cut() {
        let body = "x".repeat(5000);
        let message = parse(body.as_bytes()).message.unwrap();
        assert_eq!(message.chars().count(), MAX_RAW_MESSAGE_CHARS + 1);
    }
}
