//! The one error type of the crate, and how texts from the service are shown.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Most characters of one text from the service (an error message or code, a request id,
/// a field path, a decode message) that the `Display` of an [`Error`] shows; see
/// [`printable`].
pub const MAX_DISPLAY_CHARS: usize = 512;

/// Everything that can go wrong, from building a client to reading an answer.
///
/// Messages name what was wrong (the parameter, variable, file, field path or status)
/// and never contain a token, secret key, signature or security token.
///
/// Texts that come from the service are shown through [`printable`]: control characters
/// escaped and at most [`MAX_DISPLAY_CHARS`] characters, with a note of how much was cut.
/// The fields (and [`Error::message`], [`Error::code`]) keep them as received.
///
/// See the [guide](crate::guide::errors) for more.
///
/// ```
/// use codearts_repo::{Client, Credentials, Error, ErrorKind};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// match client.last_push_event(999_999).send().await {
///     Err(e) if e.kind() == ErrorKind::Api => {
///         // The service's status, error code and the request id to quote to support.
///         assert_eq!(e.status().map(|s| s.as_u16()), Some(404));
///         println!("{} (code {:?}, request id {:?})", e, e.code(), e.request_id());
///         assert!(e.code().is_some() && e.request_id().is_some());
///     }
///     Err(Error::Timeout { which, .. }) => println!("no answer in time ({which})"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => return Err(e.into()),
///     Ok(push) => panic!("no such repository, yet {push:?}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// No complete answer arrived in time.
    #[error("{operation}: no complete answer within the {which} timeout{} after {attempts} attempt(s)", limit.map(|l| format!(" of {l:?}")).unwrap_or_default())]
    Timeout {
        /// The client method called, such as `list_commits` or `last_push_event`.
        operation: &'static str,
        /// Which bound ran out.
        which: TimeoutKind,
        /// The bound, when known.
        limit: Option<Duration>,
        /// Attempts made.
        attempts: u32,
    },

    /// The request could not be sent or the answer could not be read.
    #[error("{operation}: transport failure after {attempts} attempt(s): {message}")]
    Transport {
        /// The client method called, such as `list_commits` or `last_push_event`.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// What failed, with its causes.
        message: String,
        /// The underlying HTTP client error, when there is one.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// An answer could not be decoded: it is not one JSON document (bytes after the
    /// document are an error too), or a required value is malformed.
    #[error(
        "{operation}: cannot decode the answer at `{}`: {} (near: {excerpt})",
        printable(path),
        printable(message)
    )]
    Decode {
        /// The client method called, such as `list_commits` or `last_push_event`.
        operation: &'static str,
        /// Path of the offending value, such as `commits[3].id` (`.` for the whole body).
        path: String,
        /// What was wrong with it.
        message: String,
        /// A short excerpt of the body around the problem.
        excerpt: String,
        /// The `X-Request-Id` of the answer, when known.
        request_id: Option<String>,
    },

    /// An answer's body was longer than
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)
    /// allows (default [`DEFAULT_MAX_RESPONSE_BYTES`](crate::DEFAULT_MAX_RESPONSE_BYTES)).
    /// Reading stopped as soon as the limit was passed, or before reading when the
    /// announced `Content-Length` was over it. Not retried: the same request would get
    /// the same answer.
    #[error(
        "{operation}: the answer (HTTP {status}{}) is larger than the limit of {limit} bytes \
         set by max_response_bytes; {}",
        request_id_note(request_id.as_deref()),
        too_large_detail(*received, *declared)
    )]
    ResponseTooLarge {
        /// The client method called, such as `list_commits` or `last_push_event`.
        operation: &'static str,
        /// The limit, in bytes.
        limit: u64,
        /// Bytes received when reading stopped (more than `limit`), or 0 when the
        /// announced `Content-Length` alone was over the limit.
        received: u64,
        /// The `Content-Length` the answer announced, if any.
        declared: Option<u64>,
        /// The answer's status.
        status: StatusCode,
        /// The answer's `X-Request-Id`, when sent.
        request_id: Option<String>,
    },

    /// The pages of a walk contradict each other or what was asked: a page longer than
    /// asked, a page that repeats the one before it (an offset the service ignored), or
    /// items that `X-Total` says do not exist. The walk stops rather than yield an item
    /// twice or end early in silence; every item before `offset` was yielded once.
    #[error(
        "{operation}: the service's pages are inconsistent at offset {offset}: {problem}; the items before offset {offset} were returned, each once"
    )]
    InconsistentPages {
        /// The client method called, such as `list_commits` or `last_push_event`.
        operation: &'static str,
        /// Offset of the page found inconsistent: where to resume (`offset(...)`) after
        /// the items already received.
        offset: u64,
        /// What is inconsistent.
        problem: String,
    },

    /// A parameter or setting is out of range or malformed; nothing was sent.
    #[error("invalid {parameter} {value:?}: expected {expected}")]
    InvalidInput {
        /// The parameter or setting, such as `limit` or `endpoint`.
        parameter: &'static str,
        /// The value given (never a secret).
        value: String,
        /// What is accepted, such as `an integer in 1..=100`.
        expected: String,
    },

    /// Credentials are missing, half-set or unreadable, or temporary credentials (ECS
    /// metadata, IdP federation) could not be fetched or refreshed; nothing was sent.
    #[error("credentials: {message} (looked at: {looked_at})")]
    Credentials {
        /// The variables and files looked at, or the source of temporary credentials
        /// (such as `IdP `my-idp` with the id token of /path at IAM https://...`).
        looked_at: String,
        /// What is missing or wrong.
        message: String,
    },

    /// No project id was given and IAM gave no single one for the region (see the
    /// [`credentials`](crate::credentials) module); nothing was sent to the service.
    #[error(
        "{operation}: cannot find the project id of region `{region}` at IAM ({iam_endpoint}): {problem}{}",
        trace_id.as_deref().map(|t| format!(" (X-IAM-Trace-Id {})", printable(t))).unwrap_or_default()
    )]
    ProjectId {
        /// The operation, such as `list_commits`.
        operation: &'static str,
        /// The region whose project was asked for.
        region: String,
        /// The IAM endpoint asked.
        iam_endpoint: String,
        /// No project, several (with their ids), or a failed request.
        problem: ProjectIdProblem,
        /// IAM's `X-IAM-Trace-Id`, when it answered.
        trace_id: Option<String>,
    },
}

pub use codearts_repo_runtime::auth::ProjectIdProblem;

/// Which timeout ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing a connection.
    Connect,
    /// One attempt, from sending to the last byte of the answer.
    Attempt,
    /// The whole operation, every attempt and backoff included.
    Operation,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Attempt => "per-attempt",
            Self::Operation => "operation",
        })
    }
}

/// An error answer of the service.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The client method called, such as `list_commits` or `last_push_event`.
    pub operation: &'static str,
    /// HTTP status.
    pub status: StatusCode,
    /// The service's `error_code` (read from any accepted body shape), such as `CH.00402000`.
    pub code: Option<String>,
    /// The service's `error_msg`, or the body's text when it was not JSON.
    pub message: Option<String>,
    /// The answer's `X-Request-Id`, to quote to support.
    pub request_id: Option<String>,
    /// The wait asked for by `Retry-After`, when given.
    pub retry_after: Option<Duration>,
    /// Attempts made.
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    /// The operation, status, code, message and request id; the texts from the service
    /// through [`printable`] (escaped, at most [`MAX_DISPLAY_CHARS`] characters each).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {}", printable(code))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", printable(message))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", printable(id))?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The kind of an [`Error`], for matching without the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Api`].
    Api,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Transport`].
    Transport,
    /// [`Error::Decode`].
    Decode,
    /// [`Error::ResponseTooLarge`].
    ResponseTooLarge,
    /// [`Error::InconsistentPages`].
    InconsistentPages,
    /// [`Error::InvalidInput`].
    InvalidInput,
    /// [`Error::Credentials`].
    Credentials,
    /// [`Error::ProjectId`].
    ProjectId,
}

impl Error {
    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api(_) => ErrorKind::Api,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Transport { .. } => ErrorKind::Transport,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Self::InconsistentPages { .. } => ErrorKind::InconsistentPages,
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Credentials { .. } => ErrorKind::Credentials,
            Self::ProjectId { .. } => ErrorKind::ProjectId,
        }
    }

    /// The service's error answer, for [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The HTTP status of an error answer.
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(|a| a.status)
    }

    /// The service's error code, such as `CH.00402000`.
    pub fn code(&self) -> Option<&str> {
        self.api().and_then(|a| a.code.as_deref())
    }

    /// The service's error message, whole, as received (print it through [`printable`]).
    pub fn message(&self) -> Option<&str> {
        self.api().and_then(|a| a.message.as_deref())
    }

    /// The `X-Request-Id` of the answer that caused the error.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.request_id.as_deref(),
            Self::Decode { request_id, .. } | Self::ResponseTooLarge { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// Whether the service said the repository (or other resource) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether trying again later may succeed: throttling, server errors, timeouts and
    /// transport failures (the client already retried them within its bounds).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => codearts_repo_runtime::retry::is_retryable_status(api.status),
            Self::Timeout { .. } => true,
            Self::Transport { source, .. } => source
                .as_ref()
                .is_none_or(codearts_repo_runtime::retry::is_retryable_error),
            _ => false,
        }
    }

    pub(crate) fn invalid(
        parameter: &'static str,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Self::InvalidInput {
            parameter,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

/// `, request id …` when there is one.
fn request_id_note(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(", request id {}", printable(id)))
        .unwrap_or_default()
}

/// What was over the limit: the bytes read, or the announced length.
fn too_large_detail(received: u64, declared: Option<u64>) -> String {
    match declared {
        Some(declared) if received == 0 => {
            format!("it announced {declared} bytes (Content-Length), so none were read")
        }
        _ => format!("reading stopped after {received} bytes"),
    }
}

/// `text` (from the service) made safe and short to print, as the `Display` of an
/// [`Error`] shows it:
///
/// - every character a terminal could obey rather than show is escaped, in the one
///   convention of this crate and of the `codearts-repo` command (see [`escape_char`]):
///   `\n`, `\r`, `\t`; other C0 controls and DEL as `\x1b`; C1 controls and the
///   invisible characters that reorder or break lines as `\u{9b}`, `\u{202e}`; so a message
///   cannot move the cursor, recolour a terminal or disguise what it says;
/// - at most [`MAX_DISPLAY_CHARS`] characters are shown (escapes count at their shown
///   length), cut on a character boundary and followed by `… [N more bytes]`.
///
/// Writing it never allocates, whatever the length of `text`.
///
/// ```
/// let shown = codearts_repo::printable("red \u{1b}[31malert\u{1b}[0m \u{9b}2J").to_string();
/// assert_eq!(shown, "red \\x1b[31malert\\x1b[0m \\u{9b}2J");
/// let long = "x".repeat(2000);
/// let shown = codearts_repo::printable(&long).to_string();
/// assert!(shown.ends_with("… [1488 more bytes]"), "{shown}");
/// ```
pub fn printable(text: &str) -> impl fmt::Display + '_ {
    Printable(text)
}

struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = 0usize;
        for (index, c) in self.0.char_indices() {
            let escape = Escape::of(c);
            let width = escape.width();
            if shown + width > MAX_DISPLAY_CHARS {
                return write!(f, "… [{} more bytes]", self.0.len() - index);
            }
            shown += width;
            escape.write(c, f)?;
        }
        Ok(())
    }
}

/// Whether [`printable`] and [`escape_char`] show `c` as an escape: C0 controls (tab, line
/// feed and carriage return included), DEL, C1 controls (U+0080–U+009F), the
/// left-to-right and right-to-left marks (U+200E, U+200F), the line and paragraph
/// separators (U+2028, U+2029), the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) and the byte order mark (U+FEFF).
///
/// ```
/// use codearts_repo::needs_escape;
///
/// assert!(needs_escape('\u{1b}') && needs_escape('\u{9b}') && needs_escape('\u{202e}'));
/// assert!(!needs_escape('a') && !needs_escape('提') && !needs_escape('\\'));
/// ```
pub fn needs_escape(c: char) -> bool {
    !matches!(Escape::of(c), Escape::None)
}

/// `c` as [`printable`] shows it: the character itself, or its escape. The one convention,
/// shared with the `codearts-repo` command's tables, CSV and messages, is that of a Rust
/// string literal, so an escape reads back as the character it stands for:
///
/// - `\t`, `\n` and `\r`;
/// - every other C0 control and DEL as `\xNN`, two lowercase hex digits (ESC is `\x1b`);
/// - every other character of [`needs_escape`] (C1 controls, bidi and line-breaking
///   characters) as `\u{N}`, lowercase hex without leading zeros (CSI is `\u{9b}`, RLO
///   `\u{202e}`): `\x9b` would name a byte, not the character U+009B.
///
/// Backslashes are not escaped: escapes are for reading, not for parsing back.
///
/// ```
/// use codearts_repo::escape_char;
///
/// let shown: String = "a\u{1b}\u{9b}\u{202e}\n".chars().map(|c| escape_char(c).to_string()).collect();
/// assert_eq!(shown, r"a\x1b\u{9b}\u{202e}\n");
/// ```
pub fn escape_char(c: char) -> impl fmt::Display {
    EscapedChar(c)
}

struct EscapedChar(char);

impl fmt::Display for EscapedChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Escape::of(self.0).write(self.0, f)
    }
}

/// How one character is shown.
enum Escape {
    None,
    Short(&'static str),
    Byte(u8),
    Unicode(u32),
}

impl Escape {
    fn of(c: char) -> Self {
        match c {
            '\n' => Self::Short("\\n"),
            '\r' => Self::Short("\\r"),
            '\t' => Self::Short("\\t"),
            // C0 and DEL: ASCII, one byte.
            '\0'..='\x1f' | '\x7f' => Self::Byte(c as u8),
            // C1 controls, and what reorders or breaks lines unseen.
            '\u{80}'..='\u{9f}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}' => Self::Unicode(u32::from(c)),
            _ => Self::None,
        }
    }

    fn write(&self, c: char, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => fmt::Write::write_char(f, c),
            Self::Short(text) => f.write_str(text),
            Self::Byte(byte) => write!(f, "\\x{byte:02x}"),
            Self::Unicode(code) => write!(f, "\\u{{{code:x}}}"),
        }
    }

    /// Characters shown.
    fn width(&self) -> usize {
        match self {
            Self::None => 1,
            Self::Short(text) => text.len(),
            Self::Byte(_) => 4,
            // `\u{`, the hex digits, `}`.
            Self::Unicode(code) => 4 + (32 - code.leading_zeros()).div_ceil(4).max(1) as usize,
        }
    }
}

pub(crate) use codearts_repo_runtime::causes::with_causes;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn printable_escapes_controls_and_cuts_on_a_char_boundary() {
        let exact = "é".repeat(MAX_DISPLAY_CHARS);
        assert_eq!(printable(&exact).to_string(), exact);
        let longer = format!("{exact}é");
        assert_eq!(
            printable(&longer).to_string(),
            format!("{exact}… [2 more bytes]")
        );
        assert_eq!(
            printable("a\u{1b}[1m\r\n\t\u{7f}\u{85}\u{202e}\u{2066}b\\x").to_string(),
            "a\\x1b[1m\\r\\n\\t\\x7f\\u{85}\\u{202e}\\u{2066}b\\x"
        );
        // Escapes count at their shown length.
        let escapes = "\u{1b}".repeat(1000);
        let shown = printable(&escapes).to_string();
        assert!(
            shown.starts_with(&"\\x1b".repeat(MAX_DISPLAY_CHARS / 4)),
            "{shown}"
        );
        assert!(shown.ends_with(&format!("… [{} more bytes]", 1000 - MAX_DISPLAY_CHARS / 4)));
    }

    #[test]
    fn api_errors_show_service_texts_escaped_and_cut() {
        let error = ApiError {
            operation: "list_commits",
            status: StatusCode::BAD_REQUEST,
            code: Some("X\u{1b}".into()),
            message: Some(format!("\u{1b}[2J{}", "m".repeat(10_000))),
            request_id: Some("id".into()),
            retry_after: None,
            attempts: 1,
        };
        let text = error.to_string();
        assert!(
            text.starts_with("list_commits: HTTP 400 Bad Request X\\x1b: \\x1b[2Jmmm"),
            "{text}"
        );
        assert!(
            text.ends_with("… [9495 more bytes] (request id id)"),
            "{text}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text: no control character shown, at most the shown length, and a text
        /// needing neither escape nor cut shown as it is.
        #[test]
        fn printable_is_bounded_and_safe(text in any::<String>(), extra in "[a-z]{0,1200}") {
            let text = format!("{text}{extra}");
            let shown = printable(&text).to_string();
            prop_assert!(!shown.chars().any(char::is_control));
            let body = match shown.rfind("… [") {
                Some(cut) if shown.ends_with(" more bytes]") => &shown[..cut],
                _ => shown.as_str(),
            };
            prop_assert!(body.chars().count() <= MAX_DISPLAY_CHARS);
            let plain = text.chars().all(|c| matches!(Escape::of(c), Escape::None));
            if plain && text.chars().count() <= MAX_DISPLAY_CHARS {
                prop_assert_eq!(shown, text);
            } else if plain {
                prop_assert!(text.starts_with(body));
            }
        }
    }
}
