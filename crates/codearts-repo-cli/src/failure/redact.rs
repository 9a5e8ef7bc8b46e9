//! Keeping what an endpoint can carry in secret out of a report: its user info
//! (`https://user:password@host`), its query values (`?token=…`) and its fragment. The
//! service address itself (scheme, host, port, path) and the query's names stay, so that
//! the report still says which address was wrong. The redaction is the SDK's
//! ([`codearts_repo::redact_url`]), the one its errors quote endpoints and URLs with.

use super::Failure;

impl Failure {
    /// The failure with `endpoint` (as the user gave it) quoted without its user info,
    /// query values and fragment, wherever the report quotes it, whole or in part.
    pub(crate) fn redact_endpoint(mut self, endpoint: &str) -> Self {
        let redacted = codearts_repo::redact_url(endpoint);
        if redacted.is_clean() {
            return self;
        }
        let clean = |text: &mut String| *text = redacted.clean(text);
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
