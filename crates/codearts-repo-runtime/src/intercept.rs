//! Request and response hooks: code of the user's that sees every attempt.
//!
//! The official SDKs take `HttpHandler`s (a request handler and a response handler);
//! aws-sdk-rust takes interceptors. An [`Interceptor`] is called around each attempt of
//! each operation, retries included: [`before_attempt`](Interceptor::before_attempt) with
//! the request before it is signed (so that what it changes is signed too), and
//! [`after_attempt`](Interceptor::after_attempt) with what came back.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// What one attempt came to, as an [`Interceptor`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Attempt<'a> {
    /// The API operation, such as `ListCommits`.
    pub operation: &'a str,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// The answer's status, when an answer came.
    pub status: Option<StatusCode>,
    /// The answer's headers, when an answer came.
    pub headers: Option<&'a HeaderMap>,
    /// Why no answer came: a transport failure or a timeout, as text.
    pub failure: Option<String>,
    /// From sending to the last byte of the body (or to the failure).
    pub elapsed: Duration,
}

/// A hook around every attempt. Both methods do nothing unless implemented.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use codearts_repo_runtime::intercept::{Attempt, Interceptor};
///
/// /// Tags every request and counts throttled answers.
/// #[derive(Default)]
/// struct Tagging {
///     throttled: AtomicU32,
/// }
///
/// impl Interceptor for Tagging {
///     fn before_attempt(&self, request: &mut reqwest::Request) {
///         request
///             .headers_mut()
///             .insert("x-trace-tag", reqwest::header::HeaderValue::from_static("export"));
///     }
///
///     fn after_attempt(&self, attempt: &Attempt<'_>) {
///         if attempt.status.is_some_and(|s| s.as_u16() == 429) {
///             self.throttled.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
/// ```
pub trait Interceptor: Send + Sync + 'static {
    /// Called with each attempt's request before it is signed and sent. Headers added here
    /// are sent (unsigned unless the signature covers them by name); changing the
    /// `Authorization`, `X-Sdk-Date` or `Host` header has no effect, as signing sets them.
    fn before_attempt(&self, request: &mut reqwest::Request) {
        let _ = request;
    }

    /// Called once each attempt has an answer (its body read) or has failed.
    fn after_attempt(&self, attempt: &Attempt<'_>) {
        let _ = attempt;
    }
}

/// A shared interceptor, so that its owner keeps a handle on it (to read what it
/// recorded, say).
impl<T: Interceptor + ?Sized> Interceptor for std::sync::Arc<T> {
    fn before_attempt(&self, request: &mut reqwest::Request) {
        (**self).before_attempt(request);
    }

    fn after_attempt(&self, attempt: &Attempt<'_>) {
        (**self).after_attempt(attempt);
    }
}

/// The interceptors of a client, called in the order they were added.
#[derive(Clone, Default)]
pub struct Interceptors(Vec<std::sync::Arc<dyn Interceptor>>);

impl Interceptors {
    /// Adds one after those already there.
    pub fn push(&mut self, interceptor: std::sync::Arc<dyn Interceptor>) {
        self.0.push(interceptor);
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each interceptor, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Interceptor> {
        self.0.iter().map(|i| i.as_ref())
    }
}

impl std::fmt::Debug for Interceptors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interceptors({})", self.0.len())
    }
}
