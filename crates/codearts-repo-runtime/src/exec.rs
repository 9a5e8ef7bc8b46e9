//! The attempt loop every operation of the generated client runs through.
//!
//! The generated crate's `ClientHooks::exec` delegates to [`execute`], which, per attempt:
//!
//! 1. prepares a copy of the request ([`prepare_request`]): the canonical (signed) query,
//!    `Host`, and authentication, an IAM token or an AK/SK signature with a fresh
//!    `X-Sdk-Date`;
//! 2. bounds the attempt by the per-attempt timeout and what is left of the operation's;
//! 3. reads the whole body inside that bound ([`response`](crate::response)), so a stalled or
//!    truncated body is a failed attempt, not a failed decode later, and at most
//!    [`ClientState::max_response_bytes`] of it: a longer body fails the operation at once
//!    (see [`BodyTooLarge`]);
//! 4. retries what the [`RetryPolicy`] classifies as retryable, within its attempt bound
//!    and the operation's deadline (a `Retry-After` longer than what is left of it ends
//!    the retries and the answer is returned; so does one over [`MAX_RETRY_WAIT`] when
//!    there is no deadline). A 429 is retried apart from the attempt bound, up to
//!    [`MAX_THROTTLED_RETRIES`] times (unless retries are disabled), so that throttling
//!    during a long walk never uses up the attempts meant for failures; under a
//!    [`Pacer`] a `Retry-After` of up to [`PACED_RETRY_AFTER`] (the gateway rounds up to
//!    whole seconds) is left to the pacer's next slot (it has just lowered its rate); a
//!    longer one, and any without a pacer, is waited for (at least the backoff), or ends
//!    the retries when it does not fit the deadline;
//! 5. under a [`Pacer`] ([`crate::call::with_paced_call_record`]), waits for a send
//!    slot before each attempt and reports each answer to it;
//! 6. traces a `codearts_repo.request` span (operation, attempts, status, duration, request
//!    id) with one `codearts_repo.attempt` span per attempt;
//! 7. reports what happened through [`crate::call::with_call_record`].

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::header::{self, HeaderValue};
use tracing::Instrument;
use tracing::field::Empty;

use crate::auth::Auth;
use crate::call::{caller_deadline, caller_pacer, update_record};
use crate::headers;
use crate::pacing::Pacer;
use crate::prepare::prepare_request;
use crate::response::{
    BodyTooLarge, DEFAULT_MAX_RESPONSE_BYTES, ReadError, buffer_response, fail_too_large,
};
use crate::retry::{
    MAX_RETRY_WAIT, RetryPolicy, is_retryable_error, is_retryable_status, retry_after,
};

/// Most retries of one operation after a 429, counted apart from
/// [`RetryPolicy::max_attempts`]; the operation's deadline bounds them too.
pub const MAX_THROTTLED_RETRIES: u32 = 100;

/// The longest `Retry-After` of a 429 that a paced client leaves to its pacer instead of
/// waiting it out: the gateway rounds its waits up to whole seconds.
pub const PACED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// State the generated client carries for its hooks.
#[derive(Clone, Debug)]
pub struct ClientState {
    /// Authentication applied to every attempt.
    pub auth: Auth,
    /// How failed attempts are retried.
    pub retry: RetryPolicy,
    /// Bound of one attempt, from sending to the last byte of the body.
    pub attempt_timeout: Option<Duration>,
    /// Bound of one operation, every attempt and backoff included (the caller's
    /// [`with_call_record`](crate::call::with_call_record) deadline takes precedence).
    pub operation_timeout: Option<Duration>,
    /// `User-Agent` sent with every request, when set.
    pub user_agent: Option<HeaderValue>,
    /// Largest body read from one answer, in bytes; a longer one fails the operation
    /// without retrying (see [`BodyTooLarge`]).
    pub max_response_bytes: u64,
    /// Hooks called around every attempt, in order.
    pub interceptors: crate::intercept::Interceptors,
    /// A region's several endpoints, when it has more than one: a request that cannot
    /// connect is sent to the next (see [`crate::failover`]).
    pub endpoints: Option<std::sync::Arc<crate::failover::Endpoints>>,
}

impl Default for ClientState {
    /// No credentials, the default [`RetryPolicy`], no timeouts, no `User-Agent`, bodies up
    /// to [`DEFAULT_MAX_RESPONSE_BYTES`].
    fn default() -> Self {
        Self {
            auth: Auth::default(),
            retry: RetryPolicy::default(),
            attempt_timeout: None,
            operation_timeout: None,
            user_agent: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            interceptors: crate::intercept::Interceptors::default(),
            endpoints: None,
        }
    }
}

/// Runs one operation (`operation_id`, for tracing) with `http`, retrying as `state` says.
///
/// The deadline is the caller's (see [`crate::call::with_call_record`]) or else `state`'s
/// operation timeout from now.
pub async fn execute(
    http: &reqwest::Client,
    state: &ClientState,
    request: reqwest::Request,
    operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    let started = Instant::now();
    // A timeout too long to represent as an instant is no deadline.
    let deadline =
        caller_deadline().or_else(|| state.operation_timeout.and_then(|t| started.checked_add(t)));
    let span = tracing::info_span!(
        "codearts_repo.request",
        operation = operation_id,
        method = %request.method(),
        path = request.url().path(),
        attempts = Empty,
        status = Empty,
        request_id = Empty,
        duration_ms = Empty,
    );
    let result = run_attempts(http, state, request, deadline, operation_id)
        .instrument(span.clone())
        .await;
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    result
}

/// An error for a request that was never sent (its credentials could not be had): the
/// HTTP client's own error for an empty URL.
fn unsent_error(http: &reqwest::Client) -> reqwest::Error {
    match http.get("").build() {
        Err(error) => error,
        // An empty URL never parses; should it, the request is still not sent.
        Ok(_) => unreachable!("an empty URL is refused by the HTTP client"),
    }
}

async fn run_attempts(
    http: &reqwest::Client,
    state: &ClientState,
    request: reqwest::Request,
    deadline: Option<Instant>,
    operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::Span::current();
    let max_attempts = state.retry.max_attempts.max(1);
    let pacer: Option<std::sync::Arc<Pacer>> = caller_pacer();
    let mut attempt = 0u32;
    let mut throttled_retries = 0u32;
    let mut failovers = 0u32;
    loop {
        attempt += 1;
        // Throttled retries and failovers do not count against the attempt budget.
        let last = attempt - throttled_retries - failovers >= max_attempts;
        if let Some(pacer) = &pacer {
            pacer.acquire(deadline).await;
        }
        // Temporary credentials are fetched, or fetched again ahead of expiry, here.
        let auth = match state.auth.current().await {
            Ok(auth) => auth,
            Err(failure) => {
                // The caller reads the typed failure from the record; the error returned
                // is the transport's, or one that sends nothing.
                update_record(|r| r.credentials_failure = Some(failure.failure));
                return Err(match failure.http {
                    Some(error) => error,
                    None => unsent_error(http),
                });
            }
        };
        // Requests without a cloneable body cannot be retried; ours never have one.
        let Some(mut attempt_request) = request.try_clone() else {
            let mut request = request;
            prepare_request(&mut request, &auth, Utc::now());
            let response = http.execute(request).await?;
            return match buffer_response(response, state.max_response_bytes).await {
                Ok(response) => Ok(response),
                Err(ReadError::Http(error)) => Err(error),
                Err(ReadError::TooLarge {
                    too_large,
                    status,
                    headers,
                }) => refuse_too_large(too_large, status, headers).await,
            };
        };
        let endpoint_index = state.endpoints.as_ref().map(|endpoints| {
            let index = endpoints.current();
            endpoints.point(&mut attempt_request, index);
            index
        });
        for interceptor in state.interceptors.iter() {
            interceptor.before_attempt(&mut attempt_request);
        }
        prepare_request(&mut attempt_request, &auth, Utc::now());
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
            let response = http.execute(attempt_request).await?;
            buffer_response(response, state.max_response_bytes).await
        }
        .instrument(attempt_span.clone())
        .await;
        if let (Some(pacer), Ok(response)) = (&pacer, &outcome) {
            let throttled = response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS;
            pacer.answered(attempt_started, Instant::now(), throttled);
        }
        if !state.interceptors.is_empty() {
            let (status, headers, failure) = match &outcome {
                Ok(response) => (Some(response.status()), Some(response.headers()), None),
                Err(ReadError::TooLarge {
                    status, headers, ..
                }) => (Some(*status), Some(headers), None),
                Err(ReadError::Http(error)) => (None, None, Some(error.to_string())),
            };
            let seen = crate::intercept::Attempt {
                operation: operation_id,
                attempt,
                status,
                headers,
                failure,
                elapsed: attempt_started.elapsed(),
            };
            for interceptor in state.interceptors.iter() {
                interceptor.after_attempt(&seen);
            }
        }
        attempt_span.record("duration_ms", attempt_started.elapsed().as_millis() as u64);
        span.record("attempts", attempt);
        update_record(|r| r.attempts = attempt);

        match outcome {
            Ok(response) => {
                let status = response.status();
                let request_id = response
                    .headers()
                    .get(headers::REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                for s in [&span, &attempt_span] {
                    s.record("status", status.as_u16());
                    if let Some(id) = &request_id {
                        s.record("request_id", id.as_str());
                    }
                }
                if status == reqwest::StatusCode::TOO_MANY_REQUESTS
                    && max_attempts > 1
                    && throttled_retries < MAX_THROTTLED_RETRIES
                {
                    throttled_retries += 1;
                    let asked = retry_after(response.headers(), Utc::now());
                    let delay = match asked {
                        // A wait of up to a second is the gateway's rounding up: the pacer,
                        // which has just lowered its rate, gives the next slot sooner.
                        Some(wait) if pacer.is_some() && wait <= PACED_RETRY_AFTER => {
                            Duration::ZERO
                        }
                        None if pacer.is_some() => Duration::ZERO,
                        // A longer one is the server's word: waited for, or (past the
                        // deadline) the end of the retries.
                        _ => {
                            let backoff = state.retry.backoff(throttled_retries);
                            asked.map_or(backoff, |wait| wait.max(backoff))
                        }
                    };
                    if fits(deadline, delay) {
                        tracing::debug!(
                            attempt,
                            throttled_retries,
                            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "retrying after a 429"
                        );
                        drop(response);
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    update_record(|r| r.deadline_reached = deadline.is_some());
                } else if is_retryable_status(status) && !last {
                    let backoff = state.retry.backoff(attempt - throttled_retries - failovers);
                    let delay = retry_after(response.headers(), Utc::now())
                        .map_or(backoff, |wait| wait.max(backoff));
                    if fits(deadline, delay) {
                        tracing::debug!(
                            attempt,
                            status = status.as_u16(),
                            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "retrying after a retryable status"
                        );
                        drop(response);
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    update_record(|r| r.deadline_reached = deadline.is_some());
                }
                update_record(|r| {
                    r.status = Some(status);
                    r.headers = Some(response.headers().clone());
                    r.timed_out = false;
                });
                return Ok(response);
            }
            Err(ReadError::TooLarge {
                too_large,
                status,
                headers,
            }) => {
                span.record("status", status.as_u16());
                attempt_span.record("status", status.as_u16());
                return refuse_too_large(too_large, status, headers).await;
            }
            Err(ReadError::Http(error)) => {
                // Another endpoint of the region, at once and outside the retry budget;
                // at most once per endpoint for each attempt counted, whatever other
                // requests do to the current one meanwhile.
                if let (Some(endpoints), Some(index)) = (&state.endpoints, endpoint_index)
                    && error.is_connect()
                    && failovers
                        < (endpoints.list().len() as u32)
                            .saturating_mul(attempt - throttled_retries - failovers)
                    && endpoints.fail_over(index)
                {
                    failovers += 1;
                    tracing::debug!(
                        attempt,
                        endpoint = index + 1,
                        "endpoint unreachable, trying the region's next endpoint"
                    );
                    continue;
                }
                let timed_out = error.is_timeout();
                let out_of_time = timed_out && cut_by_deadline;
                if is_retryable_error(&error) && !last && !out_of_time {
                    let delay = state.retry.backoff(attempt - throttled_retries - failovers);
                    if fits(deadline, delay) {
                        tracing::debug!(
                            attempt,
                            timed_out,
                            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
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

/// Records an answer whose body is over the limit and fails the operation with it: the
/// same request would get the same answer, so it is not retried.
async fn refuse_too_large(
    too_large: BodyTooLarge,
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
) -> reqwest::Result<reqwest::Response> {
    tracing::warn!(
        status = status.as_u16(),
        limit = too_large.limit,
        received = too_large.received,
        declared = too_large.declared,
        "the answer's body is over the size limit"
    );
    update_record(|r| {
        r.status = Some(status);
        r.headers = Some(headers);
        r.timed_out = false;
        r.body_too_large = Some(too_large.clone());
    });
    fail_too_large(too_large).await
}

/// Whether waiting `delay` still leaves time before the deadline, or, without one, whether
/// it is at most [`MAX_RETRY_WAIT`]. Never panics, however long the delay.
fn fits(deadline: Option<Instant>, delay: Duration) -> bool {
    match deadline {
        Some(deadline) => Instant::now()
            .checked_add(delay)
            .is_some_and(|end| end < deadline),
        None => delay <= MAX_RETRY_WAIT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_wait_longer_than_the_deadline_leaves_does_not_fit_and_never_panics() {
        let soon = Instant::now() + Duration::from_secs(60);
        assert!(fits(Some(soon), Duration::from_millis(10)));
        assert!(!fits(Some(soon), Duration::from_secs(61)));
        assert!(!fits(Some(soon), Duration::from_secs(u64::MAX)));
        assert!(!fits(Some(soon), Duration::MAX));
        assert!(fits(None, MAX_RETRY_WAIT));
        assert!(!fits(None, MAX_RETRY_WAIT + Duration::from_nanos(1)));
        assert!(!fits(None, Duration::MAX));
    }

    #[test]
    fn a_client_state_defaults_to_the_default_size_limit() {
        assert_eq!(
            ClientState::default().max_response_bytes,
            DEFAULT_MAX_RESPONSE_BYTES
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any delay and any deadline: no panic, and a delay fits only if it ends before.
        #[test]
        fn fits_takes_any_delay(
            seconds in any::<u64>(),
            nanos in 0u32..1_000_000_000,
            left in 0u64..1_000_000,
        ) {
            let delay = Duration::new(seconds, nanos);
            let deadline = Instant::now() + Duration::from_millis(left);
            if fits(Some(deadline), delay) {
                prop_assert!(delay < Duration::from_millis(left));
            }
            prop_assert_eq!(fits(None, delay), delay <= MAX_RETRY_WAIT);
        }
    }
}
