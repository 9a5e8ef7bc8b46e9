//! Keeping what an endpoint can carry in secret out of a report: its user info
//! (`https://user:password@host`), its query values (`?token=…`) and its fragment. The
//! service address itself (scheme, host, port, path) and the query's names stay, so that
//! the report still says which address was wrong.

use super::Failure;

/// What replaces a secret.
const REDACTED: &str = "<redacted>";

/// An endpoint as it may be shown, and each secret-bearing piece of it with its
/// replacement (`user:password@` by `<redacted>@`, `token=abc` by `token=<redacted>`).
#[derive(Debug, PartialEq, Eq)]
struct Redacted {
    shown: String,
    pieces: Vec<(String, String)>,
}

/// Splits `endpoint` as a URL (without needing it to be a valid one: a report quotes what
/// was typed) and replaces its secrets.
fn redact(endpoint: &str) -> Redacted {
    let mut pieces = Vec::new();
    let (before_fragment, fragment) = match endpoint.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (endpoint, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (before_fragment, None),
    };
    let (scheme, rest) = match base.find("://") {
        Some(at) => base.split_at(at + 3),
        None => ("", base),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut shown = scheme.to_string();
    match authority.rfind('@') {
        Some(at) => {
            let user_info = &authority[..=at];
            pieces.push((user_info.to_string(), format!("{REDACTED}@")));
            shown.push_str(REDACTED);
            shown.push_str(&authority[at..]);
        }
        None => shown.push_str(authority),
    }
    shown.push_str(path);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((_, "")) => pair.to_string(),
                Some((name, _)) => {
                    let replacement = format!("{name}={REDACTED}");
                    pieces.push((pair.to_string(), replacement.clone()));
                    replacement
                }
                None if pair.is_empty() => String::new(),
                None => REDACTED.to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    if let Some(fragment) = fragment {
        if !fragment.is_empty() {
            pieces.push((format!("#{fragment}"), format!("#{REDACTED}")));
        }
        shown.push('#');
        shown.push_str(if fragment.is_empty() { "" } else { REDACTED });
    }
    Redacted { shown, pieces }
}

impl Failure {
    /// The failure with `endpoint` (as the user gave it) quoted without its user info,
    /// query values and fragment, wherever the report quotes it, whole or in part.
    pub(crate) fn redact_endpoint(mut self, endpoint: &str) -> Self {
        let redacted = redact(endpoint);
        if redacted.pieces.is_empty() {
            return self;
        }
        let clean = |text: &mut String| {
            let mut cleaned = text.replace(endpoint, &redacted.shown);
            for (secret, replacement) in &redacted.pieces {
                cleaned = cleaned.replace(secret.as_str(), replacement);
            }
            *text = cleaned;
        };
        clean(&mut self.message);
        for (_, value) in &mut self.details {
            clean(value);
        }
        for hint in &mut self.hints {
            clean(hint);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::FailureKind;

    #[test]
    fn user_info_query_values_and_fragments_are_redacted() {
        let cases = [
            (
                "https://host.example.com/base?token=s3cr3t&page=2",
                "https://host.example.com/base?token=<redacted>&page=<redacted>",
            ),
            (
                "http://alice:hunter2@127.0.0.1:8080/",
                "http://<redacted>@127.0.0.1:8080/",
            ),
            (
                "https://a:p@ss@host?key#frag",
                "https://<redacted>@host?<redacted>#<redacted>",
            ),
            ("alice:hunter2@host", "<redacted>@host"),
            ("https://host/?empty=&&", "https://host/?empty=&&"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("not a url", "not a url"),
        ];
        for (endpoint, shown) in cases {
            assert_eq!(redact(endpoint).shown, shown, "{endpoint}");
        }
    }

    #[test]
    fn a_report_never_quotes_the_secrets_of_the_endpoint() {
        let endpoint = "ftp://alice:hunter2@host/x?token=s3cr3t#frag";
        let failure = Failure::new(
            FailureKind::Usage,
            format!("invalid endpoint `{endpoint}`: expected an https:// URL"),
        )
        .detail("url", "ftp://host/x?token=s3cr3t")
        .hint("user alice:hunter2@host");
        let text = failure.redact_endpoint(endpoint).to_string();
        for secret in ["hunter2", "s3cr3t", "frag"] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
        assert!(
            text.contains("`ftp://<redacted>@host/x?token=<redacted>#<redacted>`"),
            "{text}"
        );
        assert!(
            text.contains("url: ftp://host/x?token=<redacted>"),
            "{text}"
        );
        assert!(text.contains("user <redacted>@host"), "{text}");
        // An endpoint with nothing secret leaves the report as it is.
        let plain = Failure::new(FailureKind::Network, "http://127.0.0.1:1 refused");
        assert_eq!(
            plain.redact_endpoint("http://127.0.0.1:1").message,
            "http://127.0.0.1:1 refused"
        );
    }
}
