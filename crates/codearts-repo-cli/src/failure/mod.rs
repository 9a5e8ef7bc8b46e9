//! What went wrong, said plainly on stderr, and the exit code for each kind of failure.
//!
//! A report can quote the service (its `error_msg`, a request id) and what the user typed
//! (a ref, an endpoint): it is written with control characters escaped (see
//! [`crate::escape`]), and an endpoint's user info and query values are left out of it
//! ([`Failure::redact_endpoint`]).

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

use crate::escape::{Keep, visible};

mod from_sdk;
mod redact;

/// Kinds of failure, each with its own exit code so scripts can tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// Anything else: output could not be written, the emulator could not start.
    Other,
    /// A flag or value was wrong (also when the SDK or the service refuses a value).
    Usage,
    /// No credentials, or the service refused them (401) or refused access (403).
    Auth,
    /// The repository (or another resource) does not exist (404).
    NotFound,
    /// The service could not be reached, or did not answer in time.
    Network,
    /// The service failed (5xx), kept throttling (429) or sent an unreadable answer.
    Server,
}

impl FailureKind {
    /// Every kind, in exit code order.
    pub(crate) const ALL: [FailureKind; 6] = [
        Self::Other,
        Self::Usage,
        Self::Auth,
        Self::NotFound,
        Self::Network,
        Self::Server,
    ];

    /// What the exit code means, for `--help`.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Self::Other => "other failure",
            Self::Usage => "bad flag or value",
            Self::Auth => "authentication or permission",
            Self::NotFound => "not found",
            Self::Network => "network or timeout",
            Self::Server => "server error",
        }
    }

    /// The process exit code; listed in `--help` and the README.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Self::Other => 1,
            Self::Usage => 2,
            Self::Auth => 3,
            Self::NotFound => 4,
            Self::Network => 5,
            Self::Server => 6,
        }
    }
}

/// A failure to report: a one-line message, facts (status, code, request id) and hints.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Kind, which decides the exit code.
    pub(crate) kind: FailureKind,
    /// What happened, in one line.
    pub(crate) message: String,
    /// Labelled facts, such as ("request id", "…").
    pub(crate) details: Vec<(&'static str, String)>,
    /// What the user might do about it.
    pub(crate) hints: Vec<String>,
    /// The reader of stdout went away (`| head`): stop quietly, as Unix tools do.
    pub(crate) output_closed: bool,
}

impl Failure {
    /// A failure of `kind` saying `message`.
    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: Vec::new(),
            hints: Vec::new(),
            output_closed: false,
        }
    }

    /// Adds a labelled fact.
    pub(crate) fn detail(mut self, label: &'static str, value: impl Into<String>) -> Self {
        self.details.push((label, value.into()));
        self
    }

    /// Adds a hint.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Writes the report to `out` (stderr).
    pub(crate) fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        write!(out, "{self}")
    }

    /// The exit code for this failure.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.exit_code())
    }
}

impl fmt::Display for Failure {
    /// One line each for the message, the facts and the hints, every control character in
    /// them escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |text: &str| visible(text, Keep::Nothing).into_owned();
        writeln!(f, "error: {}", shown(&self.message))?;
        for (label, value) in &self.details {
            writeln!(f, "  {label}: {}", shown(value))?;
        }
        for hint in &self.hints {
            writeln!(f, "hint: {}", shown(hint))?;
        }
        Ok(())
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        let mut failure = Failure::new(
            FailureKind::Other,
            format!("could not write the output: {error}"),
        );
        failure.output_closed = error.kind() == io::ErrorKind::BrokenPipe;
        failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_exit_code() {
        let mut codes: Vec<u8> = FailureKind::ALL.iter().map(|k| k.exit_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes, vec![1, 2, 3, 4, 5, 6]);
        // clap reports usage errors with 2; ours must agree.
        assert_eq!(FailureKind::Usage.exit_code(), 2);
    }

    #[test]
    fn the_report_lists_facts_then_hints() {
        let failure = Failure::new(FailureKind::NotFound, "repository 9 does not exist")
            .detail("request id", "abc")
            .hint("check the id");
        assert_eq!(
            failure.to_string(),
            "error: repository 9 does not exist\n  request id: abc\nhint: check the id\n"
        );
    }

    #[test]
    fn the_report_shows_control_characters_as_escapes() {
        let failure = Failure::new(
            FailureKind::Server,
            "the service answered 500: \u{1b}]0;pwned\u{7}\u{1b}[31mfix\r\nok",
        )
        .detail("request id", "id\u{9b}2J")
        .hint("ref `main\u{202e}` \u{7f}");
        let text = failure.to_string();
        assert_eq!(
            text,
            "error: the service answered 500: \\x1b]0;pwned\\x07\\x1b[31mfix\\r\\nok\n  \
             request id: id\\u{9b}2J\nhint: ref `main\\u{202e}` \\x7f\n"
        );
        assert_eq!(text.lines().count(), 3);
        let mut written = Vec::new();
        failure.write_to(&mut written).unwrap();
        assert_eq!(written, text.as_bytes());
    }
}
