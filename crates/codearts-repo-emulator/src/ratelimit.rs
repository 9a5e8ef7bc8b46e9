//! Throttling per user, as the API gateway in front of the service does: one token bucket
//! per user (every credential of a user, token or AK/SK, draws from the same bucket), and a
//! request that finds it empty answered 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// A request rate allowed per user, with a burst.
///
/// Each user has a bucket holding up to `burst` tokens, full at first and refilled at
/// `requests_per_second`; a request takes one token, and a request finding less than one
/// is answered 429 ([`crate::codes::THROTTLED`]) with a `Retry-After` of the seconds until
/// a token is back, rounded up. Throttled requests take no token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Tokens added to each user's bucket per second: the sustained request rate allowed.
    pub requests_per_second: f64,
    /// Tokens a bucket holds at most: requests allowed at once after a quiet time.
    pub burst: u32,
}

impl RateLimit {
    /// `requests_per_second` with a burst of `burst`.
    pub fn new(requests_per_second: f64, burst: u32) -> Self {
        Self {
            requests_per_second,
            burst,
        }
    }

    /// Why the setting cannot be used, if it cannot.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(self.requests_per_second.is_finite() && self.requests_per_second > 0.0) {
            return Err(format!(
                "the rate limit is {} requests per second; it must be a positive number",
                self.requests_per_second
            ));
        }
        if self.burst == 0 {
            return Err("the rate limit's burst must be at least 1".to_string());
        }
        Ok(())
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of every user who sent a request, under one limit.
pub(crate) struct Limiter {
    limit: Mutex<Option<RateLimit>>,
    buckets: Mutex<HashMap<u32, Bucket>>,
    throttled: AtomicU64,
}

impl Limiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limit: Mutex::new(limit),
            buckets: Mutex::new(HashMap::new()),
            throttled: AtomicU64::new(0),
        }
    }

    /// Replaces the limit; every bucket starts full again.
    pub(crate) fn set(&self, limit: Option<RateLimit>) {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner()) = limit;
        self.buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The limit in force.
    pub(crate) fn limit(&self) -> Option<RateLimit> {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests answered 429 so far.
    pub(crate) fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// Takes a token of `user`'s bucket at `now`, or says how long until one is back.
    pub(crate) fn admit(&self, user: u32, now: Instant) -> Result<(), Duration> {
        let Some(limit) = self.limit() else {
            return Ok(());
        };
        let burst = f64::from(limit.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(user).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * limit.requests_per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        self.throttled.fetch_add(1, Ordering::Relaxed);
        let wait = (1.0 - bucket.tokens) / limit.requests_per_second;
        Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::MAX))
    }
}

/// Whole seconds of `wait`, rounded up (at least 1: the gateway never asks for 0).
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let limiter = Limiter::new(Some(RateLimit::new(10.0, 3)));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.admit(1, start), Ok(()));
        }
        let wait = limiter.admit(1, start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        // Another user has a bucket of their own.
        assert_eq!(limiter.admit(2, start), Ok(()));
        // 50 ms later half a token is back: still throttled, for the other half.
        let wait = limiter
            .admit(1, start + Duration::from_millis(50))
            .unwrap_err();
        assert!((wait.as_secs_f64() - 0.05).abs() < 1e-9, "{wait:?}");
        assert_eq!(limiter.admit(1, start + Duration::from_millis(100)), Ok(()));
        assert_eq!(limiter.throttled(), 2);
        // A long pause refills only up to the burst.
        let later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(limiter.admit(1, later), Ok(()));
        }
        assert!(limiter.admit(1, later).is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(30)), 30);
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        assert!(RateLimit::new(0.0, 1).validate().is_err());
        assert!(RateLimit::new(-1.0, 1).validate().is_err());
        assert!(RateLimit::new(f64::NAN, 1).validate().is_err());
        assert!(RateLimit::new(f64::INFINITY, 1).validate().is_err());
        assert!(RateLimit::new(5.0, 0).validate().is_err());
        assert!(RateLimit::new(0.5, 1).validate().is_ok());
    }
}
