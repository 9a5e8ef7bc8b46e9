//! Cross-cutting behaviour of the generated client, run through progenitor's
//! `ClientHooks` (which must be implemented in this crate).
//!
//! Every operation goes through [`Client`]'s `exec` hook, which, per attempt:
//!
//! 1. clones the request and rewrites its query into the canonical form of
//!    [`signing::canonical_query`], so that the query sent is exactly the one signed;
//! 2. sets `Host` explicitly and authenticates ([`prepare_request`]): an IAM token, or an
//!    AK/SK signature with a fresh `X-Sdk-Date`;
//! 3. bounds the attempt by the per-attempt timeout and what is left of the operation's;
//! 4. reads the whole body inside that bound (a stalled or truncated body is a failed
//!    attempt, not a failed decode later) and rewrites error bodies of any accepted shape
//!    into the documented one ([`error_body`]);
//! 5. retries 408, 429, 500, 502, 503, 504 and connection failures with exponential
//!    backoff and full jitter, honouring `Retry-After`, within the attempt and time
//!    bounds of the [`RetryPolicy`];
//! 6. traces a `codearts_repo.request` span (operation, attempts, status, duration, request
//!    id) with one `codearts_repo.attempt` span per attempt.
//!
//! What happened is reported to the caller through [`with_call_record`].

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;
use tracing::field::Empty;

use crate::{Client, error_body, signing};

/// Header carrying an IAM token.
pub const AUTH_TOKEN_HEADER: &str = "X-Auth-Token";
/// Header carrying the id the service gives each answer.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// A secret value (token, secret key, security token). Its `Debug` output is redacted
/// and it has no `Display`, so it cannot end up in logs or messages by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send or sign with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a credential cannot be sent in a header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidCredential {
    /// Which part of the credentials is unusable, such as `secret key`.
    pub field: &'static str,
    /// What is wrong with it (never the value itself).
    pub problem: &'static str,
}

impl fmt::Display for InvalidCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} {}", self.field, self.problem)
    }
}

impl std::error::Error for InvalidCredential {}

/// How requests are authenticated. Built with [`Auth::token`] or [`Auth::access_key`],
/// which check that every value can be sent in a header.
#[derive(Clone, Default)]
pub struct Auth(AuthKind);

#[derive(Clone, Default)]
enum AuthKind {
    #[default]
    None,
    Token {
        token: HeaderValue,
        project_id: Option<HeaderValue>,
    },
    AccessKey {
        access_key: String,
        secret_key: Secret,
        project_id: Option<HeaderValue>,
        security_token: Option<HeaderValue>,
    },
}

fn header_value(
    value: &str,
    field: &'static str,
    sensitive: bool,
) -> Result<HeaderValue, InvalidCredential> {
    if value.trim().is_empty() {
        return Err(InvalidCredential {
            field,
            problem: "is empty",
        });
    }
    // Visible ASCII only: anything else would be altered or refused on the wire.
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(InvalidCredential {
            field,
            problem: "holds characters other than visible ASCII (spaces, control or non-ASCII characters)",
        });
    }
    let mut header = HeaderValue::from_str(value).map_err(|_| InvalidCredential {
        field,
        problem: "is not a valid header value",
    })?;
    header.set_sensitive(sensitive);
    Ok(header)
}

impl Auth {
    /// No authentication (requests will be refused by the service with 401).
    pub fn none() -> Self {
        Self(AuthKind::None)
    }

    /// An IAM token sent as `X-Auth-Token`, plus `X-Project-Id` when a project id is given.
    pub fn token(token: &str, project_id: Option<&str>) -> Result<Self, InvalidCredential> {
        Ok(Self(AuthKind::Token {
            token: header_value(token, "token", true)?,
            project_id: project_id
                .map(|p| header_value(p, "project id", false))
                .transpose()?,
        }))
    }

    /// AK/SK signing (`SDK-HMAC-SHA256`), with `X-Project-Id` and `X-Security-Token`
    /// (temporary credentials) signed when given.
    pub fn access_key(
        access_key: &str,
        secret_key: &str,
        project_id: Option<&str>,
        security_token: Option<&str>,
    ) -> Result<Self, InvalidCredential> {
        header_value(access_key, "access key", false)?;
        header_value(secret_key, "secret key", true)?;
        Ok(Self(AuthKind::AccessKey {
            access_key: access_key.to_string(),
            secret_key: Secret::new(secret_key),
            project_id: project_id
                .map(|p| header_value(p, "project id", false))
                .transpose()?,
            security_token: security_token
                .map(|t| header_value(t, "security token", true))
                .transpose()?,
        }))
    }

    /// Whether requests carry credentials at all.
    pub fn is_none(&self) -> bool {
        matches!(self.0, AuthKind::None)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::None => f.write_str("Auth::None"),
            AuthKind::Token { project_id, .. } => f
                .debug_struct("Auth::Token")
                .field("token", &"<redacted>")
                .field("project_id", project_id)
                .finish(),
            AuthKind::AccessKey {
                access_key,
                project_id,
                security_token,
                ..
            } => f
                .debug_struct("Auth::AccessKey")
                .field("access_key", access_key)
                .field("secret_key", &"<redacted>")
                .field("project_id", project_id)
                .field(
                    "security_token",
                    &security_token.as_ref().map(|_| "<redacted>"),
                )
                .finish(),
        }
    }
}

/// Makes one attempt of `request` ready to send at `now`: rewrites its query into the
/// canonical (signed) form, sets `Host` to the value that is signed, and authenticates it.
///
/// This is the exact step the `exec` hook runs before every attempt; it is public so that
/// the signature can be checked against known vectors.
pub fn prepare_request(request: &mut reqwest::Request, auth: &Auth, now: DateTime<Utc>) {
    let query = request.url().query().map(signing::decode_query);
    if let Some(pairs) = query {
        let canonical = signing::canonical_query(&pairs);
        request
            .url_mut()
            .set_query((!canonical.is_empty()).then_some(canonical.as_str()));
    }
    let host = match (request.url().host_str(), request.url().port()) {
        (Some(host), Some(port)) => Some(format!("{host}:{port}")),
        (Some(host), None) => Some(host.to_string()),
        (None, _) => None,
    };
    if let Some(value) = host.as_deref().and_then(|h| HeaderValue::from_str(h).ok()) {
        request.headers_mut().insert(header::HOST, value);
    }
    match &auth.0 {
        AuthKind::None => {}
        AuthKind::Token { token, project_id } => {
            let headers = request.headers_mut();
            headers.insert(HeaderName::from_static("x-auth-token"), token.clone());
            if let Some(project_id) = project_id {
                headers.insert(HeaderName::from_static("x-project-id"), project_id.clone());
            }
        }
        AuthKind::AccessKey {
            access_key,
            secret_key,
            project_id,
            security_token,
        } => sign_request(
            request,
            access_key,
            secret_key,
            project_id.as_ref(),
            security_token.as_ref(),
            now,
        ),
    }
}

fn sign_request(
    request: &mut reqwest::Request,
    access_key: &str,
    secret_key: &Secret,
    project_id: Option<&HeaderValue>,
    security_token: Option<&HeaderValue>,
    now: DateTime<Utc>,
) {
    let sdk_date = signing::format_date(now);
    let headers = request.headers_mut();
    headers.remove(header::AUTHORIZATION);
    headers.insert(
        HeaderName::from_static("x-sdk-date"),
        HeaderValue::from_str(&sdk_date).expect("a formatted date is ASCII"),
    );
    if let Some(project_id) = project_id {
        headers.insert(HeaderName::from_static("x-project-id"), project_id.clone());
    }
    if let Some(security_token) = security_token {
        headers.insert(
            HeaderName::from_static("x-security-token"),
            security_token.clone(),
        );
    }
    let signed_names = [
        header::HOST.as_str(),
        header::CONTENT_TYPE.as_str(),
        "x-sdk-date",
        "x-project-id",
        "x-security-token",
    ];
    let signed: Vec<(String, String)> = signed_names
        .iter()
        .filter_map(|name| {
            let value = request.headers().get(*name)?.to_str().ok()?;
            Some((name.to_string(), value.to_string()))
        })
        .collect();
    let query = request
        .url()
        .query()
        .map(signing::decode_query)
        .unwrap_or_default();
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .unwrap_or_default();
    let input = signing::CanonicalInput {
        method: request.method().as_str(),
        path: request.url().path(),
        query: &query,
        headers: &signed,
        body,
    };
    let authorization = signing::sign(access_key, secret_key.expose(), &sdk_date, &input);
    // The access key was checked to be visible ASCII, the rest is hex and names.
    if let Ok(mut value) = HeaderValue::from_str(&authorization) {
        value.set_sensitive(true);
        request.headers_mut().insert(header::AUTHORIZATION, value);
    }
}

/// How failed attempts are retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per operation, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Upper bound of the first backoff; it doubles per retry up to `max_backoff`.
    pub initial_backoff: Duration,
    /// Upper bound of any backoff drawn (a longer `Retry-After` is still honoured).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff drawn from `0..=200 ms`, doubling up to 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt per operation.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts per operation, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the upper bound of the first backoff.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the upper bound of any backoff drawn.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The full-jitter backoff before retry number `retry` (1 for the first retry):
    /// uniform in `0..=min(max_backoff, initial_backoff * 2^(retry-1))`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let cap = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Whether an answer with this status is worth another attempt.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Whether a transport failure is worth another attempt: connection failures, resets,
/// cut or stalled bodies and attempt timeouts (every operation is an idempotent GET).
pub fn is_retryable_error(error: &reqwest::Error) -> bool {
    error.is_timeout()
        || error.is_connect()
        || error.is_request()
        || error.is_body()
        || error.is_decode()
}

/// The wait a `Retry-After` header asks for: delay seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// State the generated client carries for its hooks.
#[derive(Clone, Debug, Default)]
pub struct ClientState {
    /// Authentication applied to every attempt.
    pub auth: Auth,
    /// How failed attempts are retried.
    pub retry: RetryPolicy,
    /// Bound of one attempt, from sending to the last byte of the body.
    pub attempt_timeout: Option<Duration>,
    /// Bound of one operation, every attempt and backoff included (the caller's
    /// [`with_call_record`] deadline takes precedence).
    pub operation_timeout: Option<Duration>,
    /// `User-Agent` sent with every request, when set.
    pub user_agent: Option<HeaderValue>,
}

/// What the hooks observed while running one operation.
#[derive(Clone, Debug, Default)]
pub struct CallRecord {
    /// Attempts made.
    pub attempts: u32,
    /// Status of the last answer, if any.
    pub status: Option<StatusCode>,
    /// Headers of the last answer, if any.
    pub headers: Option<HeaderMap>,
    /// Whether the last attempt failed with a timeout.
    pub timed_out: bool,
    /// Whether retrying stopped (or the last attempt was cut) because the operation's
    /// time was used up.
    pub deadline_reached: bool,
}

struct CallSlot {
    deadline: Option<Instant>,
    record: CallRecord,
}

tokio::task_local! {
    static CALL: RefCell<CallSlot>;
}

fn update_record(f: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|slot| f(&mut slot.borrow_mut().record));
}

/// Runs one operation (`future`, a generated builder's `send()`) with an optional
/// deadline for all of its attempts, and returns what the hooks observed.
pub async fn with_call_record<F: Future>(
    deadline: Option<Instant>,
    future: F,
) -> (F::Output, CallRecord) {
    let slot = RefCell::new(CallSlot {
        deadline,
        record: CallRecord::default(),
    });
    CALL.scope(slot, async move {
        let output = future.await;
        let record = CALL.with(|slot| std::mem::take(&mut slot.borrow_mut().record));
        (output, record)
    })
    .await
}

impl ClientHooks<ClientState> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        let deadline = CALL
            .try_with(|slot| slot.borrow().deadline)
            .ok()
            .flatten()
            .or_else(|| self.inner.operation_timeout.map(|t| started + t));
        let span = tracing::info_span!(
            "codearts_repo.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            attempts = Empty,
            status = Empty,
            request_id = Empty,
            duration_ms = Empty,
        );
        let result = self
            .run_attempts(request, deadline)
            .instrument(span.clone())
            .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        result
    }
}

impl Client {
    async fn run_attempts(
        &self,
        request: reqwest::Request,
        deadline: Option<Instant>,
    ) -> reqwest::Result<reqwest::Response> {
        let state = &self.inner;
        let span = tracing::Span::current();
        let max_attempts = state.retry.max_attempts.max(1);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let last = attempt >= max_attempts;
            // Requests without a cloneable body cannot be retried; ours never have one.
            let Some(mut attempt_request) = request.try_clone() else {
                let mut request = request;
                prepare_request(&mut request, &state.auth, Utc::now());
                let response = self.client.execute(request).await?;
                return buffer_response(response).await;
            };
            prepare_request(&mut attempt_request, &state.auth, Utc::now());
            if let Some(user_agent) = &state.user_agent {
                attempt_request
                    .headers_mut()
                    .insert(header::USER_AGENT, user_agent.clone());
            }
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let cut_by_deadline = match (remaining, state.attempt_timeout) {
                (Some(remaining), Some(limit)) => remaining <= limit,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if let Some(limit) = remaining.into_iter().chain(state.attempt_timeout).min() {
                *attempt_request.timeout_mut() = Some(limit);
            }

            let attempt_span = tracing::debug_span!(
                "codearts_repo.attempt",
                attempt,
                status = Empty,
                request_id = Empty,
                duration_ms = Empty,
            );
            let attempt_started = Instant::now();
            let outcome = async {
                let response = self.client.execute(attempt_request).await?;
                buffer_response(response).await
            }
            .instrument(attempt_span.clone())
            .await;
            attempt_span.record("duration_ms", attempt_started.elapsed().as_millis() as u64);
            span.record("attempts", attempt);
            update_record(|r| r.attempts = attempt);

            match outcome {
                Ok(response) => {
                    let status = response.status();
                    let request_id = response
                        .headers()
                        .get(REQUEST_ID_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    for s in [&span, &attempt_span] {
                        s.record("status", status.as_u16());
                        if let Some(id) = &request_id {
                            s.record("request_id", id.as_str());
                        }
                    }
                    if is_retryable_status(status) && !last {
                        let backoff = state.retry.backoff(attempt);
                        let delay = retry_after(response.headers(), Utc::now())
                            .map_or(backoff, |wait| wait.max(backoff));
                        if fits(deadline, delay) {
                            tracing::debug!(
                                attempt,
                                status = status.as_u16(),
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a retryable status"
                            );
                            drop(response);
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        update_record(|r| r.deadline_reached = true);
                    }
                    update_record(|r| {
                        r.status = Some(status);
                        r.headers = Some(response.headers().clone());
                        r.timed_out = false;
                    });
                    return Ok(response);
                }
                Err(error) => {
                    let timed_out = error.is_timeout();
                    let out_of_time = timed_out && cut_by_deadline;
                    if is_retryable_error(&error) && !last && !out_of_time {
                        let delay = state.retry.backoff(attempt);
                        if fits(deadline, delay) {
                            tracing::debug!(
                                attempt,
                                timed_out,
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a transport failure"
                            );
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                    }
                    update_record(|r| {
                        r.timed_out = timed_out;
                        r.deadline_reached |=
                            out_of_time || (deadline.is_some_and(|d| Instant::now() >= d));
                        r.status = None;
                        r.headers = None;
                    });
                    return Err(error);
                }
            }
        }
    }
}

/// Whether waiting `delay` still leaves time before the deadline.
fn fits(deadline: Option<Instant>, delay: Duration) -> bool {
    deadline.is_none_or(|d| Instant::now() + delay < d)
}

/// Reads the whole body within the attempt's bounds and hands it back as a response; error
/// bodies are rewritten into the documented shape on the way.
async fn buffer_response(mut response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let mut headers = std::mem::take(response.headers_mut());
    let mut body = response.bytes().await?;
    if status.is_client_error() || status.is_server_error() {
        let parts = error_body::parse(&body);
        body = error_body::canonical_body(&parts).into();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        headers.remove(header::CONTENT_ENCODING);
    }
    let mut buffered = http::Response::new(body);
    *buffered.status_mut() = status;
    *buffered.version_mut() = version;
    *buffered.headers_mut() = headers;
    Ok(reqwest::Response::from(buffered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_the_doubling_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(2) <= Duration::from_millis(200));
            assert!(policy.backoff(3) <= Duration::from_millis(350));
            assert!(policy.backoff(40) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(3)));
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Mon, 01 Jan 2024 00:00:05 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(5)));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn credentials_that_cannot_be_sent_are_refused_without_echoing_them() {
        let error = Auth::token("abc def", None).unwrap_err();
        assert_eq!(error.field, "token");
        assert!(!error.to_string().contains("abc"));
        assert_eq!(
            Auth::access_key("AK", "", None, None).unwrap_err().field,
            "secret key"
        );
        let debug = format!(
            "{:?}",
            Auth::access_key("AK", "SECRETSK", Some("p"), Some("STS")).unwrap()
        );
        assert!(
            !debug.contains("SECRETSK") && !debug.contains("STS"),
            "{debug}"
        );
    }

    #[test]
    fn prepare_request_signs_the_canonical_query_it_sends() {
        let url = "https://codehub-ext.cn-north-4.myhuaweicloud.com/v4/repositories/123456/events?offset=0&limit=20&filter=push&after=2024-01-01T00%3A00%3A00Z";
        let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let auth = Auth::access_key(
            "AKTESTEXAMPLE0000001",
            "SKtestExampleSecretKey0000000000000000001",
            Some("0123456789abcdef0123456789abcdef"),
            None,
        )
        .unwrap();
        let at = signing::parse_date("20240101T000000Z").unwrap();
        prepare_request(&mut request, &auth, at);
        assert_eq!(
            request.url().query(),
            Some("after=2024-01-01T00%3A00%3A00Z&filter=push&limit=20&offset=0")
        );
        assert_eq!(
            request.headers()["host"],
            "codehub-ext.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            request.headers()["authorization"],
            "SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, \
             SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
             Signature=f161bd91e4b8fe35755457f38872ce841dc49b69697077a920d0e302d34b7b53"
        );
        assert!(request.headers()["authorization"].is_sensitive());
    }
}
