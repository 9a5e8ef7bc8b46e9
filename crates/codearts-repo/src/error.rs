//! The one error type of the crate.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, from building a client to reading an answer.
///
/// Messages name what was wrong (the parameter, variable, file, field path or status)
/// and never contain a token, secret key, signature or security token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// No complete answer arrived in time.
    #[error("{operation}: no complete answer within the {which} timeout{} after {attempts} attempt(s)", limit.map(|l| format!(" of {l:?}")).unwrap_or_default())]
    Timeout {
        /// The operation, such as `list_commits`.
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
        /// The operation, such as `list_commits`.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// What failed, with its causes.
        message: String,
        /// The underlying HTTP client error, when there is one.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// An answer could not be decoded.
    #[error("{operation}: cannot decode the answer at `{path}`: {message} (near: {excerpt})")]
    Decode {
        /// The operation, such as `list_commits`.
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

    /// Credentials are missing, half-set or unreadable.
    #[error("credentials: {message} (looked at: {looked_at})")]
    Credentials {
        /// The variables and files looked at.
        looked_at: String,
        /// What is missing or wrong.
        message: String,
    },
}

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
    /// The operation, such as `list_commits`.
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
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
    /// [`Error::InvalidInput`].
    InvalidInput,
    /// [`Error::Credentials`].
    Credentials,
}

impl Error {
    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api(_) => ErrorKind::Api,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Transport { .. } => ErrorKind::Transport,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::Credentials { .. } => ErrorKind::Credentials,
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

    /// The service's error message.
    pub fn message(&self) -> Option<&str> {
        self.api().and_then(|a| a.message.as_deref())
    }

    /// The `X-Request-Id` of the answer that caused the error.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.request_id.as_deref(),
            Self::Decode { request_id, .. } => request_id.as_deref(),
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

/// The message of an error with its chain of causes.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
