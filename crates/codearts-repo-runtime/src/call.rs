//! What happened during one operation, reported back to the caller.
//!
//! progenitor's `exec` hook has no per-call context, so the caller runs the generated
//! `send()` inside [`with_call_record`]: a task-local slot that carries the caller's
//! deadline in and the [`CallRecord`] (attempts, last status and headers, timeouts, an
//! answer over the size limit) out.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::pacing::Pacer;
use crate::response::BodyTooLarge;

/// What the attempt loop observed while running one operation.
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
    /// Set when the last answer's body was over the size limit (its status and headers
    /// are then in `status` and `headers`); the operation failed without retrying.
    pub body_too_large: Option<BodyTooLarge>,
    /// Set when the operation failed before sending because its credentials could not be
    /// had (temporary credentials not fetched, no project id from IAM).
    pub credentials_failure: Option<crate::auth::CredentialFailure>,
}

struct CallSlot {
    deadline: Option<Instant>,
    pacer: Option<Arc<Pacer>>,
    record: CallRecord,
}

tokio::task_local! {
    static CALL: RefCell<CallSlot>;
}

/// Runs one operation (`future`, a generated builder's `send()`) with an optional
/// deadline for all of its attempts, and returns what the hooks observed.
pub async fn with_call_record<F: Future>(
    deadline: Option<Instant>,
    future: F,
) -> (F::Output, CallRecord) {
    with_paced_call_record(deadline, None, future).await
}

/// [`with_call_record`], every attempt of the operation also waiting for a send slot of
/// `pacer` (when given) and reporting its answer to it, and a 429 retried as soon as the
/// pacer allows rather than after the whole `Retry-After` (see [`crate::exec`]).
pub async fn with_paced_call_record<F: Future>(
    deadline: Option<Instant>,
    pacer: Option<Arc<Pacer>>,
    future: F,
) -> (F::Output, CallRecord) {
    let slot = RefCell::new(CallSlot {
        deadline,
        pacer,
        record: CallRecord::default(),
    });
    CALL.scope(slot, async move {
        let output = future.await;
        let record = CALL.with(|slot| std::mem::take(&mut slot.borrow_mut().record));
        (output, record)
    })
    .await
}

/// The deadline the caller set for the operation running on this task, if any.
pub(crate) fn caller_deadline() -> Option<Instant> {
    CALL.try_with(|slot| slot.borrow().deadline).ok().flatten()
}

/// The pacer of the operation running on this task, if any.
pub(crate) fn caller_pacer() -> Option<Arc<Pacer>> {
    CALL.try_with(|slot| slot.borrow().pacer.clone())
        .ok()
        .flatten()
}

/// Updates the record of the operation running on this task (no-op outside one).
pub(crate) fn update_record(f: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|slot| f(&mut slot.borrow_mut().record));
}
