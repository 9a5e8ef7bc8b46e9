//! The retry policy: which failures are worth another attempt, and how long to wait.
//!
//! Every operation of the API is an idempotent GET, so 408, 429, 500, 502, 503, 504 and
//! transport failures are retried, with exponential backoff and full jitter, honouring
//! `Retry-After`.
//!
//! A `Retry-After` is honoured only while it fits: one asking for more time than the
//! operation has left (or, without an operation deadline, for more than [`MAX_RETRY_WAIT`])
//! ends the retries, and the answer that asked for it is returned.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

/// Longest `Retry-After` honoured when the operation has no deadline; a longer one ends
/// the retries.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(60 * 60);

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

/// The wait a `Retry-After` header asks for: delay seconds or an HTTP date (a date in the
/// past is no wait). Any header value is accepted without panicking: delay seconds too
/// large for a `u64` read as `u64::MAX` seconds, and anything unreadable as no header.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some(
        at.signed_duration_since(now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
    fn huge_and_odd_retry_after_values_are_read_without_panicking() {
        let now = Utc::now();
        let far = Duration::from_secs(u64::MAX);
        for (value, expected) in [
            ("18446744073709551615", Some(far)),
            (
                "9223372036854775807",
                Some(Duration::from_secs(9_223_372_036_854_775_807)),
            ),
            ("99999999999999999999999999", Some(far)),
            (" 7 ", Some(Duration::from_secs(7))),
            ("-1", None),
            ("+5", None),
            ("1.5", None),
            ("", None),
            ("Mon, 01 Jan 1900 00:00:00 GMT", Some(Duration::ZERO)),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            assert_eq!(retry_after(&headers, now), expected, "{value:?}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Fri, 31 Dec 9999 23:59:59 GMT"),
        );
        assert!(retry_after(&headers, now).unwrap() > Duration::from_secs(200 * 365 * 86_400));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Any bytes a header can hold: no panic, and delay seconds read exactly.
            #[test]
            fn retry_after_accepts_any_header_bytes(
                bytes in proptest::collection::vec(any::<u8>(), 0..64),
                now in 0i64..4_102_444_800,
            ) {
                let now = DateTime::from_timestamp(now, 0).unwrap();
                if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                    let mut headers = HeaderMap::new();
                    headers.insert(header::RETRY_AFTER, value);
                    let wait = retry_after(&headers, now);
                    let text = std::str::from_utf8(&bytes).unwrap_or("x").trim();
                    if let Ok(seconds) = text.parse::<u64>()
                        && !text.starts_with('+')
                    {
                        prop_assert_eq!(wait, Some(Duration::from_secs(seconds)));
                    }
                }
            }

            /// Every number of seconds, and every date, however far.
            #[test]
            fn retry_after_reads_any_seconds_and_dates(
                seconds in any::<u64>(),
                at in -2_208_988_800i64..253_402_300_799,
            ) {
                let mut headers = HeaderMap::new();
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                prop_assert_eq!(retry_after(&headers, Utc::now()), Some(Duration::from_secs(seconds)));
                let date = DateTime::from_timestamp(at, 0).unwrap().to_rfc2822();
                headers.insert(header::RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
                prop_assert!(retry_after(&headers, Utc::now()).is_some(), "{}", date);
            }
        }
    }
}
