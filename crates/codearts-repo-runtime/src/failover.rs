//! Failover across a region's several endpoints, as the official SDKs do it: the client
//! sends to the current endpoint; when a request cannot reach it (the connection fails),
//! the next one becomes current for every later request and the request is sent there at
//! once, outside the retry budget. Past the last one, the first is current again and the
//! failure goes to the usual retries.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A region's endpoints, in order, and the one requests go to.
#[derive(Debug)]
pub struct Endpoints {
    list: Vec<String>,
    current: AtomicUsize,
}

impl Endpoints {
    /// The endpoints (absolute URLs without a trailing `/`); the client's requests are built
    /// on the first. `None` for fewer than two: there is nothing to fail over to.
    pub fn new(list: Vec<String>) -> Option<Self> {
        (list.len() > 1).then(|| Self {
            list: list
                .into_iter()
                .map(|e| e.trim_end_matches('/').to_string())
                .collect(),
            current: AtomicUsize::new(0),
        })
    }

    /// The endpoints, in order.
    pub fn list(&self) -> &[String] {
        &self.list
    }

    /// The index of the endpoint requests go to now.
    pub fn current(&self) -> usize {
        self.current
            .load(Ordering::Relaxed)
            .min(self.list.len() - 1)
    }

    /// Points `request` (built on the first endpoint) at endpoint `index`.
    pub(crate) fn point(&self, request: &mut reqwest::Request, index: usize) {
        let (Some(first), Some(target)) = (self.list.first(), self.list.get(index)) else {
            return;
        };
        if index == 0 {
            return;
        }
        let url = request.url().as_str();
        let Some(rest) = url.strip_prefix(first.as_str()) else {
            return;
        };
        if let Ok(moved) = reqwest::Url::parse(&format!("{target}{rest}")) {
            *request.url_mut() = moved;
        }
    }

    /// After a connection failure at endpoint `failed`: the next endpoint becomes current
    /// (`true`, send again there), or past the last the first does (`false`). Another
    /// request having moved on already counts as moving on.
    pub(crate) fn fail_over(&self, failed: usize) -> bool {
        if failed + 1 < self.list.len() {
            let _ = self.current.compare_exchange(
                failed,
                failed + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            true
        } else {
            let _ = self
                .current
                .compare_exchange(failed, 0, Ordering::Relaxed, Ordering::Relaxed);
            false
        }
    }
}
