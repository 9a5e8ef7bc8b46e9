//! Client-side pacing against a rate-limited service: the request rate the service allows,
//! learned from its 429 answers, and a send schedule that keeps under it.
//!
//! A [`Pacer`] is shared by every operation of a client. Until the first 429 it lets every
//! request go at once. A 429 tells that the service's bucket was empty when that request
//! arrived, so from then on the requests the service admitted per second *is* its rate:
//! the pacer measures it (the requests admitted between the earliest 429 of the last six
//! seconds and this one, over the time between; at the very first 429, the requests
//! admitted so far at 0.7×, since the burst inflates them), sends at 95% of it
//! and probes upward by 5% per second, so the service throttles again only now and then
//! (as aws-sdk-rust's adaptive retry mode paces itself, with another estimator). It reacts
//! once to the 429s of requests sent before its last cut. A token bucket throttles only a
//! client that sends above its rate, so sparse 429s (under a tenth of the answers) are
//! taken for noise (a fault, a throttle elsewhere) rather than a lower limit when they come
//! while the pacer keeps below the limit it measured, while it was not holding requests
//! back, or while the client was admitted at well under its rate (something else slowed
//! it); pacing starts only on dense 429s, and the rate grows only while the pacer holds
//! requests back. It also keeps the attempts' round-trip times, which [`PacerStats`] reports for the page walk's concurrency.
//!
//! The attempt loop ([`crate::exec`]) waits for a slot before each attempt of an operation
//! run inside [`crate::call::with_paced_call_record`], and reports each answer back.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Share of the measured rate the pacer sends at after a 429.
const BACKOFF: f64 = 0.95;
/// Share of the measured rate at the first 429, when the measurement includes the burst.
const FIRST_BACKOFF: f64 = 0.7;
/// Growth of the rate per second without a 429 (at 20 requests per second and more; less
/// below).
const PROBE_PER_SECOND: f64 = 0.05;
/// Span over which admitted and throttled requests are remembered.
const WINDOW: Duration = Duration::from_secs(6);
/// Admitted requests needed between two 429s to trust their count.
const MIN_SAMPLES: usize = 3;
/// Lowest rate the pacer goes down to, in requests per second.
const MIN_RATE: f64 = 0.05;
/// Share of 429s among the answers of the last [`WINDOW`] under which a 429 that comes
/// while the pacer keeps below the limit it measured is taken for noise (a throttle
/// elsewhere, a fault) rather than a lower limit.
const NOISE_SHARE: f64 = 0.1;
/// Least time between two cuts for sparse 429s (under [`NOISE_SHARE`]): random 429s
/// cannot then ratchet the rate down faster than the probe raises it, while a client over
/// a real limit soon sees them dense and is cut at once.
const SPARSE_CUT_SPACING: Duration = Duration::from_secs(3);
/// 429s in the last [`WINDOW`] below which they are sparse whatever their share until the
/// pacer has a rate: a cluster of a few noisy ones among the first answers is no limit.
const DENSE_429S: usize = 8;
/// Least share of the pacer's rate that the client must have been admitted at between two
/// sparse 429s for the second to cut the rate. A client held back to its rate and just
/// over a limit is admitted at nearly its rate; one admitted at far less was slowed by
/// something else meanwhile (faults, stalls), could not have emptied the bucket, and
/// would read its own slowness as the limit: cutting to it ratcheted the rate down.
const SPARSE_BUSY_SHARE: f64 = 0.8;
/// How recently the pacer must have held a request back for a sparse 429 to count as
/// the service's limit rather than noise.
const PACED_RECENTLY: Duration = Duration::from_secs(1);
/// Weight of a new round-trip time in the smoothed one.
const RTT_GAIN: f64 = 0.125;
/// Round-trip times kept for the median.
pub const RTT_SAMPLES: usize = 31;

/// What a [`Pacer`] learned so far.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PacerStats {
    /// Attempts answered (any status) since the pacer was made.
    pub answered: u64,
    /// Of those, answers with status 429.
    pub throttled: u64,
    /// The request rate the pacer keeps to, in requests per second; `None` until the
    /// service has throttled.
    pub rate: Option<f64>,
    /// Smoothed round-trip time of the attempts, sending to the whole answer.
    pub smoothed_rtt: Option<Duration>,
    /// Shortest round-trip time seen.
    pub min_rtt: Option<Duration>,
    /// Median round-trip time of the last [`RTT_SAMPLES`] answers.
    pub median_rtt: Option<Duration>,
}

#[derive(Debug)]
struct State {
    /// The rate kept to, once the service has throttled.
    rate: Option<f64>,
    /// Earliest time the next attempt may be sent.
    next_slot: Instant,
    /// When the rate was last raised (growth is counted from there).
    grown_at: Instant,
    /// Send times of admitted attempts over the last [`WINDOW`], oldest first.
    admitted: VecDeque<Instant>,
    /// Send times of throttled attempts over the last [`WINDOW`], oldest first.
    throttled_sends: VecDeque<Instant>,
    /// How many times the rate was cut.
    cuts: u64,
    /// Whether the rate was ever measured since the first 429 (else it is a guess).
    measured: bool,
    /// When the rate was last cut: 429s of attempts sent before it are already answered for.
    cut_at: Option<Instant>,
    /// The service's limit as last measured (the admitted rate at the last cut).
    limit: Option<f64>,
    /// Round-trip times of the last [`RTT_SAMPLES`] answers, oldest first.
    rtts: VecDeque<Duration>,
    /// When the pacer last made a request wait for its slot.
    held_back_at: Option<Instant>,
    stats: PacerStats,
}

impl State {
    /// Whether the pacer held a request back within [`PACED_RECENTLY`] before `sent`
    /// (or after it).
    fn held_back_near(&self, sent: Instant) -> bool {
        self.held_back_at
            .is_some_and(|at| sent.saturating_duration_since(at) <= PACED_RECENTLY)
    }
}

/// The client-wide pacing state; see the [module](self).
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new()
    }
}

impl Pacer {
    /// A pacer that knows no limit yet.
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                rate: None,
                next_slot: now,
                grown_at: now,
                admitted: VecDeque::new(),
                throttled_sends: VecDeque::new(),
                cut_at: None,
                limit: None,
                measured: false,
                cuts: 0,
                rtts: VecDeque::with_capacity(RTT_SAMPLES),
                held_back_at: None,
                stats: PacerStats::default(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the pacer learned so far.
    pub fn stats(&self) -> PacerStats {
        let state = self.lock();
        let mut stats = state.stats;
        let mut rtts = [Duration::ZERO; RTT_SAMPLES];
        let n = state.rtts.len();
        for (slot, rtt) in rtts.iter_mut().zip(&state.rtts) {
            *slot = *rtt;
        }
        if n > 0 {
            let (_, median, _) = rtts[..n].select_nth_unstable(n / 2);
            stats.median_rtt = Some(*median);
        }
        stats
    }

    /// Takes the next send slot and returns how long to wait for it (zero while no limit
    /// is known), with the number of cuts so far: if the rate was cut meanwhile
    /// ([`Pacer::cuts`] moved on), the slot was spaced for the old rate and the caller
    /// reserves again. A slot is taken even if the caller gives up waiting, which only
    /// spaces the requests after it a little more.
    pub fn reserve(&self, now: Instant) -> (Duration, u64) {
        let mut state = self.lock();
        let cuts = state.cuts;
        let Some(rate) = state.rate else {
            return (Duration::ZERO, cuts);
        };
        // No credit for idle time: after a pause the service's bucket has refilled, but the
        // pacer cannot know by how much, so it never sends faster than the rate.
        let slot = state.next_slot.max(now);
        state.next_slot = slot + Duration::from_secs_f64(1.0 / rate);
        if slot > now {
            state.held_back_at = Some(now);
        }
        (slot.saturating_duration_since(now), cuts)
    }

    /// How many times the rate was cut so far.
    pub fn cuts(&self) -> u64 {
        self.lock().cuts
    }

    /// Waits for a send slot (see [`Pacer::reserve`]), reserving again after a cut; gives
    /// up at `deadline`, if any, and then returns at once.
    pub async fn acquire(&self, deadline: Option<Instant>) {
        loop {
            let now = Instant::now();
            let (wait, cuts) = self.reserve(now);
            if wait.is_zero() {
                return;
            }
            let until = now + wait;
            if deadline.is_some_and(|d| d <= until) {
                return;
            }
            tokio::time::sleep_until(until.into()).await;
            if self.cuts() == cuts {
                return;
            }
        }
    }

    /// Reports the answer to an attempt sent at `sent` and answered at `now`.
    pub fn answered(&self, sent: Instant, now: Instant, throttled: bool) {
        let mut state = self.lock();
        let state = &mut *state;
        state.stats.answered += 1;
        let rtt = now.saturating_duration_since(sent);
        state.stats.min_rtt = Some(state.stats.min_rtt.map_or(rtt, |m| m.min(rtt)));
        state.stats.smoothed_rtt = Some(
            state
                .stats
                .smoothed_rtt
                .map_or(rtt, |s| s.mul_f64(1.0 - RTT_GAIN) + rtt.mul_f64(RTT_GAIN)),
        );
        if state.rtts.len() == RTT_SAMPLES {
            state.rtts.pop_front();
        }
        state.rtts.push_back(rtt);
        for sends in [&mut state.admitted, &mut state.throttled_sends] {
            while sends
                .front()
                .is_some_and(|&t| now.saturating_duration_since(t) > WINDOW)
            {
                sends.pop_front();
            }
        }
        if !throttled {
            // Send times arrive nearly in order; keep the queue sorted for the counts.
            let at = state.admitted.partition_point(|&t| t <= sent);
            state.admitted.insert(at, sent);
            // The rate grows only while it holds requests back: a client sending less than
            // its rate for reasons of its own (a slow page, a retry's wait) learns nothing
            // of the limit above, and a rate grown meanwhile would let it far over the
            // limit once it sends freely again (as TCP keeps an idle window from growing).
            if let Some(rate) = state.rate
                && state.held_back_near(sent)
            {
                let elapsed = now.saturating_duration_since(state.grown_at).as_secs_f64();
                // Until a measurement since the first 429 could be trusted, the rate is a
                // guess: double it per second rather than probe.
                // Slower under 20 requests per second, where a second holds few requests
                // and a 429 weighs more.
                let growth = if state.measured {
                    PROBE_PER_SECOND * (rate / 20.0).min(1.0)
                } else {
                    1.0
                };
                state.rate = Some(rate * (1.0 + growth * elapsed.min(1.0)));
                state.stats.rate = state.rate;
            }
            state.grown_at = now;
            return;
        }
        state.stats.throttled += 1;
        if state.cut_at.is_some_and(|cut| sent < cut) {
            return;
        }
        // Every 429 proves the service's bucket empty when its request arrived; between two
        // such moments the requests admitted are the tokens the bucket gained: its rate.
        let earlier = state
            .throttled_sends
            .iter()
            .copied()
            .find(|&t| t < sent && sent.saturating_duration_since(t) <= WINDOW);
        let at = state.throttled_sends.partition_point(|&t| t <= sent);
        state.throttled_sends.insert(at, sent);
        let count_since = |from: Instant| {
            state
                .admitted
                .iter()
                .filter(|&&t| t > from && t <= sent)
                .count()
        };
        let between = earlier.map(|t| (count_since(t), sent.saturating_duration_since(t)));
        let trusted = between
            .filter(|&(n, span)| n >= MIN_SAMPLES && !span.is_zero())
            .map(|(n, span)| BACKOFF * n as f64 / span.as_secs_f64());
        // Too few admitted in between to trust: one more would have been admitted had the
        // rate been higher, so (n + 1) / span bounds it from above.
        let bounded = between
            .filter(|&(_, span)| span >= Duration::from_millis(1))
            .map(|(n, span)| BACKOFF * (n + 1) as f64 / span.as_secs_f64());
        let measured = trusted.or(bounded).or_else(|| {
            let oldest = state.admitted.front().copied()?;
            let span = sent
                .saturating_duration_since(oldest)
                .max(Duration::from_millis(10));
            let n = state.admitted.iter().filter(|&&t| t <= sent).count();
            Some(FIRST_BACKOFF * n as f64 / span.as_secs_f64())
        });
        // A token bucket throttles only a client sending above its rate: a rare 429 while
        // the pacer keeps below the limit it measured is noise, not a lower limit.
        let answers = state.admitted.len() + state.throttled_sends.len();
        let share = state.throttled_sends.len() as f64 / answers.max(1) as f64;
        // Before the pacer has a rate, a few 429s among few answers make no share: wait for
        // enough of them that a limit, and not a cluster of noise, is what they show.
        let sparse = share < NOISE_SHARE
            || (state.rate.is_none() && state.throttled_sends.len() < DENSE_429S);
        if let (Some(rate), Some(limit)) = (state.rate, state.limit)
            && rate < limit
            && sparse
        {
            return;
        }
        // Nor can a client have emptied the bucket with a sparse 429 while it sent every
        // request as soon as it had one: unless the pacer held requests back lately, the
        // 429 is noise. (Were the client just over a real limit, not paced, this leaves
        // its 429s under [`NOISE_SHARE`]; taking each for a limit instead measured the
        // client's own rate, which the faults around the noise had slowed, and ratcheted
        // the pacer down to a crawl.)
        if sparse && !state.held_back_near(sent) {
            return;
        }
        if sparse
            && let (Some(rate), Some((n, span))) = (state.rate, between)
            && (n as f64) < SPARSE_BUSY_SHARE * rate * span.as_secs_f64()
        {
            return;
        }
        if sparse
            && state
                .cut_at
                .is_some_and(|cut| now.saturating_duration_since(cut) < SPARSE_CUT_SPACING)
        {
            return;
        }
        let rate = match (measured, state.rate) {
            (Some(measured), Some(rate)) => measured.min(rate),
            (Some(measured), None) => measured,
            // Nothing admitted in the window: halve, or one per second to start.
            (None, Some(rate)) => rate / 2.0,
            (None, None) => 1.0,
        }
        .max(MIN_RATE);
        // Only a measurement between two 429s tells the limit; the first guess does not.
        if trusted.is_some() {
            state.measured = true;
            state.limit = Some(rate / BACKOFF);
        }
        state.rate = Some(rate);
        state.stats.rate = state.rate;
        state.cut_at = Some(now);
        state.grown_at = now;
        state.cuts += 1;
        // The slots already given out were spaced for the old rate: their holders reserve
        // again, spaced from now.
        state.next_slot = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a pacer against a token bucket of `rate` and `burst`, `in_flight` requests at
    /// a time taking `rtt` each, for `seconds`; returns (admitted, throttled).
    fn simulate(
        rate: f64,
        burst: f64,
        rtt: Duration,
        in_flight: usize,
        seconds: f64,
    ) -> (u64, u64) {
        simulate_with_noise(rate, burst, rtt, in_flight, seconds, None)
    }

    /// [`simulate`], with every `noise_every`-th request the bucket admits answered 429
    /// all the same (a throttle the rate does not explain).
    fn simulate_with_noise(
        rate: f64,
        burst: f64,
        rtt: Duration,
        in_flight: usize,
        seconds: f64,
        noise_every: Option<u64>,
    ) -> (u64, u64) {
        let pacer = Pacer::new();
        let start = Instant::now();
        let mut tokens = burst;
        let mut refilled = start;
        // Each lane sends one request, waits for its answer, and sends the next.
        // A lane waiting for a slot holds the number of cuts it reserved under.
        let mut lanes: Vec<(Instant, Option<u64>)> = vec![(start, None); in_flight];
        let (mut admitted, mut throttled) = (0, 0);
        loop {
            let (lane, &(ready, reserved)) =
                lanes.iter().enumerate().min_by_key(|(_, t)| t.0).unwrap();
            if ready.duration_since(start).as_secs_f64() > seconds {
                break;
            }
            if reserved.is_none_or(|cuts| cuts != pacer.cuts()) {
                let (wait, cuts) = pacer.reserve(ready);
                if !wait.is_zero() {
                    lanes[lane] = (ready + wait, Some(cuts));
                    continue;
                }
            }
            let sent = ready;
            tokens = (tokens + sent.duration_since(refilled).as_secs_f64() * rate).min(burst);
            refilled = refilled.max(sent);
            let mut ok = tokens >= 1.0;
            if ok {
                tokens -= 1.0;
                if noise_every.is_some_and(|every| (admitted + throttled + 1) % every == 0) {
                    ok = false;
                }
            }
            if ok {
                admitted += 1;
            } else {
                throttled += 1;
            }
            pacer.answered(sent, sent + rtt, !ok);
            lanes[lane] = (sent + rtt, None);
        }
        (admitted, throttled)
    }

    #[test]
    fn the_pacer_finds_the_rate_and_is_seldom_throttled() {
        // Three minutes, as an export of 100,000 commits at 5 requests per second takes
        // ten: the first contact costs up to [`DENSE_429S`] 429s before pacing starts.
        let mut failures = Vec::new();
        for rate in [5.0, 20.0, 50.0, 200.0] {
            let seconds = 180.0;
            let (admitted, throttled) =
                simulate(rate, 10.0, Duration::from_millis(22), 16, seconds);
            let share = throttled as f64 / (admitted + throttled) as f64;
            let efficiency = admitted as f64 / (rate * seconds);
            if share > 0.05 || efficiency < 0.9 {
                failures.push(format!(
                    "rate {rate}: {throttled} throttled of {}, {efficiency:.2} of the rate",
                    admitted + throttled
                ));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn sporadic_429s_do_not_slow_a_client_the_pacer_never_held_back() {
        // No real limit; one answer in 20 is a 429 all the same (a fault, a throttle
        // elsewhere). Taking each for a lower limit ratcheted the rate down to under a
        // tenth of what the lanes offer; a client that sent each request as soon as it
        // had one cannot have emptied a bucket with so few 429s, so it keeps its pace.
        let rtt = Duration::from_millis(22);
        let lanes = 16;
        let seconds = 60.0;
        let offered = lanes as f64 / rtt.as_secs_f64() * seconds;
        let (admitted, throttled) = simulate_with_noise(1e9, 1e9, rtt, lanes, seconds, Some(20));
        assert!(
            admitted as f64 >= 0.9 * offered,
            "{admitted} admitted and {throttled} throttled of {offered:.0} offered"
        );
    }

    #[test]
    fn without_a_429_nothing_waits() {
        let pacer = Pacer::new();
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(pacer.reserve(now), (Duration::ZERO, 0));
            pacer.answered(now, now + Duration::from_millis(5), false);
        }
        let stats = pacer.stats();
        assert_eq!(
            (stats.answered, stats.throttled, stats.rate),
            (100, 0, None)
        );
        assert_eq!(stats.min_rtt, Some(Duration::from_millis(5)));
    }
}
