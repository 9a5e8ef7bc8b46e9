//! What a connection is doing, for its timeouts: waiting for a request's head, answering
//! requests, or idle between requests, and since when.
//!
//! The header-read timeout runs from the connection's start to the end of its first
//! request's head, and from the first byte of each later request to the end of its head;
//! the idle timeout runs from the end of an answer to the first byte of the next request.
//! Nothing runs while a request is being answered (its body is read with its own limit,
//! and an answer may stall on purpose, see `FaultConfig::stall_rate`).
//!
//! hyper's own `header_read_timeout` is not used: in hyper 1.x its clock also runs while a
//! kept-alive connection waits for its next request, so a header-read timeout short enough
//! against slow clients would also close idle connections that a client's pool still
//! holds (reqwest keeps them 90 s).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The time limits of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timeouts {
    /// For a request's line and headers.
    pub(crate) header_read: Duration,
    /// Between an answer and the next request.
    pub(crate) idle: Duration,
}

/// What the connection is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Opened; nothing received yet.
    Opened,
    /// Receiving a request's head.
    Receiving,
    /// Answering this many requests.
    Answering(usize),
    /// Between requests.
    Idle,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// When the phase's clock started.
    since: Instant,
}

/// How a connection ran out of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Part of a request's head arrived, not all of it: it is answered 408.
    HeadIncomplete,
    /// Nothing was sent: the connection is closed without a word.
    Silent,
}

/// The activity of one connection, shared by its socket, its requests and its watchdog.
#[derive(Debug)]
pub(crate) struct Activity {
    state: Mutex<State>,
    /// Signalled when the phase changes.
    changed: Notify,
    /// Whether hyper refused a request on this connection (which it then closes).
    refused: AtomicBool,
}

impl Activity {
    /// A connection opened now.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                phase: Phase::Opened,
                since: Instant::now(),
            }),
            changed: Notify::new(),
            refused: AtomicBool::new(false),
        })
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let before = state.phase;
        change(&mut state);
        if state.phase != before {
            self.changed.notify_one();
        }
    }

    /// Bytes arrived: they start a request's head unless one is under way.
    pub(crate) fn received(&self) {
        self.update(|state| match state.phase {
            // The first request's head has been on the clock since the connection opened.
            Phase::Opened => state.phase = Phase::Receiving,
            Phase::Idle => {
                state.phase = Phase::Receiving;
                state.since = Instant::now();
            }
            Phase::Receiving | Phase::Answering(_) => {}
        });
    }

    /// A request's head was read: it is answered until the returned guard is dropped
    /// (with the response's body, once written).
    pub(crate) fn answering(self: &Arc<Self>) -> Answering {
        self.update(|state| {
            state.phase = match state.phase {
                Phase::Answering(n) => Phase::Answering(n + 1),
                _ => Phase::Answering(1),
            };
        });
        Answering(self.clone())
    }

    fn answered(&self) {
        self.update(|state| {
            state.phase = match state.phase {
                Phase::Answering(n) if n > 1 => Phase::Answering(n - 1),
                _ => {
                    state.since = Instant::now();
                    Phase::Idle
                }
            };
        });
    }

    /// Notes that hyper refused a request (and so closes the connection).
    pub(crate) fn refused(&self) {
        self.refused.store(true, Ordering::Relaxed);
    }

    /// Whether hyper refused a request on this connection.
    pub(crate) fn was_refused(&self) -> bool {
        self.refused.load(Ordering::Relaxed)
    }

    /// When the connection runs out of time if nothing happens, and how; `None` while it
    /// answers.
    fn deadline(&self, timeouts: Timeouts) -> Option<(Instant, Expiry)> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state.phase {
            Phase::Opened => Some((state.since + timeouts.header_read, Expiry::Silent)),
            Phase::Receiving => Some((state.since + timeouts.header_read, Expiry::HeadIncomplete)),
            Phase::Idle => Some((state.since + timeouts.idle, Expiry::Silent)),
            Phase::Answering(_) => None,
        }
    }

    /// Returns when the connection has run out of time.
    pub(crate) async fn expired(&self, timeouts: Timeouts) -> Expiry {
        loop {
            let Some((at, expiry)) = self.deadline(timeouts) else {
                self.changed.notified().await;
                continue;
            };
            tokio::select! {
                () = tokio::time::sleep_until(at) => {
                    if self.deadline(timeouts) == Some((at, expiry)) {
                        return expiry;
                    }
                }
                () = self.changed.notified() => {}
            }
        }
    }
}

/// A request being answered; dropped when its response has been written (or abandoned).
#[derive(Debug)]
pub(crate) struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// A response body that keeps its request counted as being answered until hyper has
/// written it (hyper drops a body once written).
pub(crate) struct TrackedBody {
    body: axum::body::Body,
    _answering: Answering,
}

impl TrackedBody {
    /// `body`, answering the request of `answering`.
    pub(crate) fn new(body: axum::body::Body, answering: Answering) -> Self {
        Self {
            body,
            _answering: answering,
        }
    }
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUTS: Timeouts = Timeouts {
        header_read: Duration::from_secs(10),
        idle: Duration::from_secs(100),
    };

    #[tokio::test(start_paused = true)]
    async fn each_phase_has_its_clock() {
        let activity = Activity::new();
        let opened = Instant::now();
        tokio::time::advance(Duration::from_secs(3)).await;
        // The first head is timed from the opening, silently while nothing arrived.
        assert_eq!(
            activity.deadline(TIMEOUTS),
            Some((opened + TIMEOUTS.header_read, Expiry::Silent))
        );
        activity.received();
        assert_eq!(
            activity.deadline(TIMEOUTS),
            Some((opened + TIMEOUTS.header_read, Expiry::HeadIncomplete))
        );
        let first = activity.answering();
        let second = activity.answering();
        assert_eq!(activity.deadline(TIMEOUTS), None);
        drop(first);
        assert_eq!(activity.deadline(TIMEOUTS), None, "one is still answered");
        tokio::time::advance(Duration::from_secs(50)).await;
        drop(second);
        let answered = Instant::now();
        assert_eq!(
            activity.deadline(TIMEOUTS),
            Some((answered + TIMEOUTS.idle, Expiry::Silent))
        );
        // The next request's head is timed from its first byte.
        tokio::time::advance(Duration::from_secs(60)).await;
        activity.received();
        assert_eq!(
            activity.deadline(TIMEOUTS),
            Some((
                Instant::now() + TIMEOUTS.header_read,
                Expiry::HeadIncomplete
            ))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_watchdog_follows_the_phases() {
        let activity = Activity::new();
        let watching = tokio::spawn({
            let activity = activity.clone();
            async move { (activity.expired(TIMEOUTS).await, Instant::now()) }
        });
        tokio::time::advance(Duration::from_secs(1)).await;
        let answering = activity.answering();
        // Answering for longer than any timeout does not expire.
        tokio::time::sleep(Duration::from_secs(500)).await;
        assert!(!watching.is_finished());
        drop(answering);
        let idle_since = Instant::now();
        tokio::time::sleep(Duration::from_secs(30)).await;
        // A byte after 30 s idle: the head must be complete 10 s later, not 70.
        activity.received();
        let received = Instant::now();
        let (expiry, at) = watching.await.unwrap();
        assert_eq!(expiry, Expiry::HeadIncomplete);
        assert_eq!(at, received + TIMEOUTS.header_read);
        assert!(at < idle_since + TIMEOUTS.idle);
    }
}
