//! Turning an SDK error into a [`Failure`]: its exit code, the facts worth showing (status,
//! error code, request id) and a hint.

use codearts_repo::credentials::{
    AK_VAR, CREDENTIALS_FILE_VAR, ID_TOKEN_FILE_VAR, IDP_ID_VAR, PROJECT_ID_VAR, SK_VAR, TOKEN_VAR,
};
use codearts_repo::{Error, ErrorKind, MAX_DISPLAY_CHARS};

use super::{Failure, FailureKind};

impl Failure {
    /// The failure to report for an SDK `error`; `credential_source` names where the
    /// credentials came from, for the hint of an authentication failure.
    pub(crate) fn from_sdk(error: Error, credential_source: &str) -> Self {
        let status = error.status().map(|s| s.as_u16());
        let kind = match error.kind() {
            ErrorKind::InvalidInput => FailureKind::Usage,
            ErrorKind::Credentials | ErrorKind::ProjectId => FailureKind::Auth,
            ErrorKind::Timeout | ErrorKind::Transport => FailureKind::Network,
            ErrorKind::Decode | ErrorKind::ResponseTooLarge | ErrorKind::InconsistentPages => {
                FailureKind::Server
            }
            ErrorKind::Api => match status {
                Some(400) => FailureKind::Usage,
                Some(401 | 403) => FailureKind::Auth,
                Some(404) => FailureKind::NotFound,
                _ => FailureKind::Server,
            },
            _ => FailureKind::Other,
        };
        // An error answer is told as its status and the service's message; the code and the
        // request id follow as details rather than inside the sentence. Texts from the
        // service are escaped and cut, so they cannot flood or drive the terminal.
        let message = match (error.status(), error.message()) {
            (Some(status), Some(text)) => {
                format!("the service answered {status}: {}", cut(text))
            }
            (Some(status), None) => format!("the service answered {status}"),
            _ => error.to_string(),
        };
        let mut failure = Failure::new(kind, message);
        if let Some(code) = error.code() {
            failure = failure.detail("error code", cut(code));
        }
        if let Some(request_id) = error.request_id() {
            failure = failure.detail("request id", cut(request_id));
        }
        if error.kind() == ErrorKind::ProjectId {
            return failure.hint(format!(
                "give the project id of the region: --signing-project-id, {PROJECT_ID_VAR} or \
                 the credentials file's project_id"
            ));
        }
        match (kind, status) {
            (FailureKind::Auth, Some(401)) => failure.hint(format!(
                "the service refused the credentials from {credential_source}; check that they \
                 are current (IAM tokens expire) and complete"
            )),
            (FailureKind::Auth, Some(_)) => failure.hint(format!(
                "the credentials from {credential_source} were accepted but may not read this; \
                 ask for access or use another account"
            )),
            (FailureKind::Auth, None) => failure.hint(format!(
                "pass --token, or --access-key and --secret-key; or set {TOKEN_VAR}, or \
                 {IDP_ID_VAR} and {ID_TOKEN_FILE_VAR}, or {AK_VAR} and {SK_VAR}; or write the \
                 credentials file (~/.huaweicloud/credentials or {CREDENTIALS_FILE_VAR}, section \
                 [basic])"
            )),
            (FailureKind::NotFound, _) => {
                failure.hint("check the repository id (the number, not the name)")
            }
            (FailureKind::Network, _) => failure.hint(
                "check --endpoint or --region and the network; --timeout, --attempt-timeout and \
                 --max-attempts set how long to wait",
            ),
            (FailureKind::Server, _) => failure.hint(
                "the service failed or is throttling; try again later, quoting the request id if \
                 it persists",
            ),
            _ => failure,
        }
    }
}

/// `text` cut to [`MAX_DISPLAY_CHARS`] characters, saying how much was left out; the
/// report's writer escapes what it prints, so only the length is dealt with here.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_DISPLAY_CHARS) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… [{} more bytes]", &text[..at], text.len() - at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_server_texts_are_cut_on_a_character_boundary() {
        assert_eq!(cut("short"), "short");
        let long = "é".repeat(MAX_DISPLAY_CHARS + 10);
        let shown = cut(&long);
        assert!(shown.starts_with(&"é".repeat(MAX_DISPLAY_CHARS)), "{shown}");
        assert!(shown.ends_with("… [20 more bytes]"), "{shown}");
    }
}
