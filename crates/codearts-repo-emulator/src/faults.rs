//! Injected faults: what to inject, the seeded decisions, and the counts.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Faults to inject, each drawn per request from a generator seeded with `seed`, so a
/// sequence of requests meets the same faults on every run. `Default` injects nothing.
///
/// Rates are probabilities in `0.0..=1.0`. A request meets at most one of reset, server
/// error and throttling (drawn in that order from one roll), then, when it is answered, at
/// most one of truncation and stall (drawn from a second roll).
///
/// Built from `Default` with one setter per field, so that later versions can add kinds of
/// fault without breaking code that sets some:
///
/// ```
/// use std::time::Duration;
/// use codearts_repo_emulator::FaultConfig;
///
/// let faults = FaultConfig::default()
///     .server_error_rate(0.2)
///     .latency(Duration::from_millis(20))
///     .seed(7);
/// assert_eq!(faults.server_error_rate, 0.2);
/// assert!(faults.validate().is_ok());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Time from a request's arrival to its answer, building the answer included.
    pub latency: Duration,
    /// Extra delay drawn uniformly from `0..=jitter` per request.
    pub jitter: Duration,
    /// Share of requests answered 500, 502 or 503 with `Retry-After: 0` or `1`.
    pub server_error_rate: f64,
    /// Share of requests answered 429 with `Retry-After: 0` or `1`.
    pub throttle_rate: f64,
    /// Share of requests whose connection is closed without an answer.
    pub reset_rate: f64,
    /// Share of answers whose body is cut short: `Content-Length` announces the whole body,
    /// about half is sent, then the connection is closed.
    pub truncate_rate: f64,
    /// Share of answers whose body stops half-way for `stall_for`, then completes.
    pub stall_rate: f64,
    /// How long a stalled body stops.
    pub stall_for: Duration,
    /// Seed of the fault decisions.
    pub seed: u64,
}

impl FaultConfig {
    /// Sets [`latency`](Self::latency): time from a request's arrival to its answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets [`jitter`](Self::jitter): extra delay drawn from `0..=jitter`.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets [`server_error_rate`](Self::server_error_rate): share answered 500, 502 or 503.
    pub fn server_error_rate(mut self, server_error_rate: f64) -> Self {
        self.server_error_rate = server_error_rate;
        self
    }

    /// Sets [`throttle_rate`](Self::throttle_rate): share answered 429.
    pub fn throttle_rate(mut self, throttle_rate: f64) -> Self {
        self.throttle_rate = throttle_rate;
        self
    }

    /// Sets [`reset_rate`](Self::reset_rate): share closed without an answer.
    pub fn reset_rate(mut self, reset_rate: f64) -> Self {
        self.reset_rate = reset_rate;
        self
    }

    /// Sets [`truncate_rate`](Self::truncate_rate): share of bodies cut short.
    pub fn truncate_rate(mut self, truncate_rate: f64) -> Self {
        self.truncate_rate = truncate_rate;
        self
    }

    /// Sets [`stall_rate`](Self::stall_rate): share of bodies that stop half-way.
    pub fn stall_rate(mut self, stall_rate: f64) -> Self {
        self.stall_rate = stall_rate;
        self
    }

    /// Sets [`stall_for`](Self::stall_for): how long a stalled body stops.
    pub fn stall_for(mut self, stall_for: Duration) -> Self {
        self.stall_for = stall_for;
        self
    }

    /// Sets [`seed`](Self::seed): seed of the fault decisions.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks that every rate lies in `0.0..=1.0`.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in self.rates() {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!(
                    "fault rate {name} is {rate}, expected a value in 0.0..=1.0"
                ));
            }
        }
        Ok(())
    }

    fn rates(&self) -> [(&'static str, f64); 5] {
        [
            ("server_error_rate", self.server_error_rate),
            ("throttle_rate", self.throttle_rate),
            ("reset_rate", self.reset_rate),
            ("truncate_rate", self.truncate_rate),
            ("stall_rate", self.stall_rate),
        ]
    }

    /// The same configuration with every rate forced into `0.0..=1.0` (NaN becomes 0).
    pub fn clamped(mut self) -> Self {
        for rate in [
            &mut self.server_error_rate,
            &mut self.throttle_rate,
            &mut self.reset_rate,
            &mut self.truncate_rate,
            &mut self.stall_rate,
        ] {
            *rate = if rate.is_nan() {
                0.0
            } else {
                rate.clamp(0.0, 1.0)
            };
        }
        self
    }
}

/// How many faults of each kind were injected since the emulator started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Requests delayed by `latency` or `jitter`.
    pub delayed: u64,
    /// Answers 500.
    pub internal_errors: u64,
    /// Answers 502.
    pub bad_gateways: u64,
    /// Answers 503.
    pub unavailable: u64,
    /// Answers 429.
    pub throttled: u64,
    /// Connections closed without an answer.
    pub resets: u64,
    /// Bodies cut short.
    pub truncated: u64,
    /// Bodies that stalled.
    pub stalled: u64,
}

impl FaultCounts {
    /// Answers 500, 502 and 503 together.
    pub fn server_errors(&self) -> u64 {
        self.internal_errors + self.bad_gateways + self.unavailable
    }

    /// Every injected fault except delays.
    pub fn failures(&self) -> u64 {
        self.server_errors() + self.throttled + self.resets + self.truncated + self.stalled
    }
}

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Answer,
    Reset,
    ServerError { status: u16, retry_after: u8 },
    Throttle { retry_after: u8 },
}

/// What happens to the body of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyFault {
    None,
    Truncate,
    Stall(Duration),
}

/// The decisions for one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub delay: Duration,
    pub outcome: Outcome,
    pub body: BodyFault,
}

#[derive(Default)]
struct Counters {
    delayed: AtomicU64,
    internal_errors: AtomicU64,
    bad_gateways: AtomicU64,
    unavailable: AtomicU64,
    throttled: AtomicU64,
    resets: AtomicU64,
    truncated: AtomicU64,
    stalled: AtomicU64,
}

/// The fault configuration in force, its generator and the counts.
pub(crate) struct Faults {
    state: Mutex<(FaultConfig, fastrand::Rng)>,
    counters: Counters,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Self {
        let rng = fastrand::Rng::with_seed(config.seed);
        Self {
            state: Mutex::new((config, rng)),
            counters: Counters::default(),
        }
    }

    /// Replaces the configuration and restarts its generator from its seed.
    pub(crate) fn set(&self, config: FaultConfig) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let rng = fastrand::Rng::with_seed(config.seed);
        *state = (config, rng);
    }

    /// The configured latency (without jitter), drawing nothing: the time a request
    /// refused in front of the service (throttled) takes to be answered.
    pub(crate) fn latency(&self) -> Duration {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .latency
    }

    /// Draws the faults of the next request and counts them.
    pub(crate) fn plan(&self) -> Plan {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (config, rng) = &mut *guard;
        let jitter = if config.jitter.is_zero() {
            Duration::ZERO
        } else {
            Duration::from_nanos(
                rng.u64(0..=u64::try_from(config.jitter.as_nanos()).unwrap_or(u64::MAX)),
            )
        };
        let delay = config.latency + jitter;
        let roll = rng.f64();
        let outcome = if roll < config.reset_rate {
            Outcome::Reset
        } else if roll < config.reset_rate + config.server_error_rate {
            let status = [500, 502, 503][rng.usize(0..3)];
            Outcome::ServerError {
                status,
                retry_after: rng.u8(0..2),
            }
        } else if roll < config.reset_rate + config.server_error_rate + config.throttle_rate {
            Outcome::Throttle {
                retry_after: rng.u8(0..2),
            }
        } else {
            Outcome::Answer
        };
        let body_roll = rng.f64();
        let body = if body_roll < config.truncate_rate {
            BodyFault::Truncate
        } else if body_roll < config.truncate_rate + config.stall_rate {
            BodyFault::Stall(config.stall_for)
        } else {
            BodyFault::None
        };
        drop(guard);
        let counters = &self.counters;
        if !delay.is_zero() {
            counters.delayed.fetch_add(1, Ordering::Relaxed);
        }
        match outcome {
            Outcome::Answer => {}
            Outcome::Reset => {
                counters.resets.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::ServerError { status, .. } => {
                let counter = match status {
                    500 => &counters.internal_errors,
                    502 => &counters.bad_gateways,
                    _ => &counters.unavailable,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Throttle { .. } => {
                counters.throttled.fetch_add(1, Ordering::Relaxed);
            }
        }
        Plan {
            delay,
            outcome,
            body,
        }
    }

    /// Counts a body fault once it is applied (only answers with a body get one).
    pub(crate) fn count_body(&self, fault: BodyFault) {
        match fault {
            BodyFault::None => {}
            BodyFault::Truncate => {
                self.counters.truncated.fetch_add(1, Ordering::Relaxed);
            }
            BodyFault::Stall(_) => {
                self.counters.stalled.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn counts(&self) -> FaultCounts {
        let c = &self.counters;
        FaultCounts {
            delayed: c.delayed.load(Ordering::Relaxed),
            internal_errors: c.internal_errors.load(Ordering::Relaxed),
            bad_gateways: c.bad_gateways.load(Ordering::Relaxed),
            unavailable: c.unavailable.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            resets: c.resets.load(Ordering::Relaxed),
            truncated: c.truncated.load(Ordering::Relaxed),
            stalled: c.stalled.load(Ordering::Relaxed),
        }
    }
}
