//! Pages and the walk across them.
//!
//! The first page is fetched alone. When it carries `X-Total`, the remaining pages are
//! known and fetched up to `max_concurrent_pages` at a time. Otherwise the walk cannot
//! know where the list ends, so it reads ahead the way TCP starts a connection: one page,
//! then twice as many after each full page, up to `max_concurrent_pages`; the first short
//! page ends the walk and the pages fetched past it are dropped unread. A short list thus
//! costs at most about as many extra requests as it had pages, and a long one reaches full
//! speed after a few round trips. Pages are yielded in offset order whatever order they arrive in, and
//! a page that needed retries is still yielded once, so every item comes exactly once.
//!
//! With [`Concurrency::Adaptive`](crate::Concurrency::Adaptive) (a pacer is given) the
//! pages under way adapt, between 1 and `max_concurrent_pages`: after the ramp they grow by
//! one per round of clean pages, shrink to 70% when the pacer cut its rate (dense 429s; once
//! per round trip), and to 80% when the median round trip has grown past twice its
//! quickest (the service slows down under the load); once the pacer knows the service's
//! rate, no more are under way than that rate keeps busy over a round trip, plus one.
//! Scattered 429s that the pacer takes for noise leave the window alone.
//!
//! A page that arrives early frees its slot at once (up to `max_concurrent_pages` arrived
//! pages wait for an earlier, slower one), so one slow answer does not stall the requests
//! behind it.
//!
//! A page whose fetch failed with a retryable error after all its attempts is fetched
//! again while the walk's [`PageRetryBudget`] allows: each re-fetch spends one retry, and
//! every page that arrives earns back a share of one, up to the budget's cap. A long walk
//! thus bears as many failed pages per page fetched as a short one, while a service that
//! stays down ends it after `max` re-fetches. Any other error ends the walk at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codearts_repo_runtime::pacing::Pacer;
use codearts_repo_runtime::retry::RetryPolicy;

use futures::future::BoxFuture;
use futures::stream::{BoxStream, FuturesUnordered, StreamExt};

use crate::decode::FieldRepair;
use crate::error::{Error, Result};
use crate::types::DateTitleDto;

/// Largest offset the service accepts (`int32`).
pub(crate) const MAX_OFFSET: u64 = codearts_repo_gen::parameters::offset::MAX as u64;

/// One page of a list operation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items, in the service's order.
    pub items: Vec<T>,
    /// Matching items across all pages, from `X-Total` (read leniently) when sent.
    pub total: Option<u64>,
    /// Offset of the first item.
    pub offset: u32,
    /// Page size asked for (the service's default when none was given).
    pub limit: u32,
    /// The answer's `X-Request-Id`.
    pub request_id: Option<String>,
    /// Commit list only: the service's per-day commit counts of this page.
    pub date_title: Vec<DateTitleDto>,
    /// Malformed optional fields dropped while decoding (normally empty).
    pub repairs: Vec<FieldRepair>,
}

impl<T> Page<T> {
    /// Whether this page is shorter than its limit, so no page follows it.
    pub fn is_short(&self) -> bool {
        (self.items.len() as u64) < u64::from(self.limit)
    }
}

/// Per-day commit counts merged over several pages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayCounts(BTreeMap<String, u64>);

impl DayCounts {
    /// Adds a page's `date_title` counts (a negative count counts as 0; sums saturate; an
    /// entry without its day, reported in the page's repairs, is left out).
    pub fn add(&mut self, days: &[DateTitleDto]) {
        for day in days {
            let Some(name) = &day.day else { continue };
            let count = day
                .commits_count
                .map_or(0, |c| u64::try_from(c).unwrap_or(0));
            let sum = self.0.entry(name.clone()).or_default();
            *sum = sum.saturating_add(count);
        }
    }

    /// `(day, commits)` pairs, newest day first (the service's order).
    pub fn newest_first(&self) -> Vec<(String, u64)> {
        self.0
            .iter()
            .rev()
            .map(|(day, count)| (day.clone(), *count))
            .collect()
    }

    /// The count of one day (`YYYY-MM-DD`).
    pub fn get(&self, day: &str) -> Option<u64> {
        self.0.get(day).copied()
    }

    /// Sum over all days (saturating).
    pub fn total(&self) -> u64 {
        self.0
            .values()
            .fold(0, |sum, count| sum.saturating_add(*count))
    }

    /// Whether no day was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Default [`PageRetryBudget::max`]: re-fetches a walk may make in a row.
pub const DEFAULT_PAGE_RETRIES: u32 = 10;
/// Default [`PageRetryBudget::pages_per_retry`]: pages that earn back one re-fetch.
pub const DEFAULT_PAGES_PER_RETRY: u32 = 10;

/// How many times a walk (`stream`, `pages`, `collect`) fetches again a page whose fetch
/// failed after all its attempts ([`RetryConfig::max_attempts`](crate::RetryConfig)),
/// when the error is retryable ([`Error::is_retryable`]: 408, 429, 5xx, timeouts,
/// transport failures). Set with
/// [`ClientBuilder::page_retry_budget`](crate::ClientBuilder::page_retry_budget).
///
/// A token bucket: a walk starts with `max` re-fetches; each re-fetch spends one, and
/// every `pages_per_retry` pages that arrive earn one back, up to `max`. So a walk of
/// 200 pages may meet far more than `max` failed pages in all, as long as they do not
/// come closer together than the pages it earns back, while a service that stays down
/// ends the walk after `max` re-fetches of a page (each with all its attempts). A page
/// fetched again is yielded once, in its place; errors that are not retryable (4xx, an
/// answer too large or undecodable, inconsistent pages, credentials) end the walk at
/// once. Whatever ends a walk, every item before the failed page was yielded once: a
/// new walk from `offset(start + items received)` goes on from there.
///
/// The default (10 re-fetches, one earned back per 10 pages) completes 100 of 100
/// exports of 20,000 commits at 20% injected faults (`BENCHMARKS.md`, "Reliability").
/// [`RetryConfig::disabled`](crate::RetryConfig::disabled) disables these re-fetches
/// too.
///
/// ```
/// use codearts_repo::PageRetryBudget;
///
/// let budget = PageRetryBudget::default().max(20).pages_per_retry(5);
/// assert_eq!((budget.max, budget.pages_per_retry), (20, 5));
/// assert_eq!(PageRetryBudget::disabled().max, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PageRetryBudget {
    /// Re-fetches a walk starts with, and the most it can hold (0 disables them).
    pub max: u32,
    /// Pages that must arrive to earn back one re-fetch (at least 1).
    pub pages_per_retry: u32,
}

impl Default for PageRetryBudget {
    /// [`DEFAULT_PAGE_RETRIES`] re-fetches, one earned back per
    /// [`DEFAULT_PAGES_PER_RETRY`] pages.
    fn default() -> Self {
        Self {
            max: DEFAULT_PAGE_RETRIES,
            pages_per_retry: DEFAULT_PAGES_PER_RETRY,
        }
    }
}

impl PageRetryBudget {
    /// No re-fetches: a page that failed after its attempts ends the walk.
    pub fn disabled() -> Self {
        Self {
            max: 0,
            ..Self::default()
        }
    }

    /// Sets [`max`](Self::max): re-fetches a walk starts with and can hold.
    pub fn max(mut self, max: u32) -> Self {
        self.max = max;
        self
    }

    /// Sets [`pages_per_retry`](Self::pages_per_retry): pages that earn back one re-fetch.
    pub fn pages_per_retry(mut self, pages: u32) -> Self {
        self.pages_per_retry = pages;
        self
    }
}

/// How many pages a walk fetches at once: at most `max`, and adapted to what the pacer
/// learns when there is one; and how it fetches failed pages again.
#[derive(Clone, Debug)]
pub(crate) struct PageConcurrency {
    /// Most pages under way.
    pub(crate) max: usize,
    /// The client's pacer, when adaptive.
    pub(crate) pacer: Option<Arc<Pacer>>,
    /// The walk's re-fetch budget.
    pub(crate) retries: PageRetryBudget,
    /// The client's retry policy, for the backoff before a re-fetch.
    pub(crate) policy: RetryPolicy,
}

impl From<usize> for PageConcurrency {
    /// `max` pages at once, no pacing, no re-fetches.
    fn from(max: usize) -> Self {
        Self {
            max,
            pacer: None,
            retries: PageRetryBudget::disabled(),
            policy: RetryPolicy::default(),
        }
    }
}

/// The re-fetches a walk has left, counted in pages: one re-fetch costs
/// `pages_per_retry`, one page that arrives earns one.
#[derive(Debug)]
struct RetryBucket {
    credit: u64,
    cap: u64,
    cost: u64,
    policy: RetryPolicy,
    /// Re-fetches of each page still under way, for the backoff.
    refetches: BTreeMap<u64, u32>,
}

impl RetryBucket {
    fn new(budget: PageRetryBudget, policy: RetryPolicy) -> Self {
        let cost = u64::from(budget.pages_per_retry.max(1));
        let enabled = policy.max_attempts > 1;
        let cap = if enabled {
            u64::from(budget.max).saturating_mul(cost)
        } else {
            0
        };
        Self {
            credit: cap,
            cap,
            cost,
            policy,
            refetches: BTreeMap::new(),
        }
    }

    /// A page arrived.
    fn earn(&mut self, offset: u64) {
        self.credit = (self.credit + 1).min(self.cap);
        self.refetches.remove(&offset);
    }

    /// Whether the page at `offset`, failed with `error`, is fetched again; if so, spends
    /// one re-fetch and returns the wait before it.
    fn spend(&mut self, offset: u64, error: &Error) -> Option<(u32, Duration)> {
        if self.cap == 0 || self.credit < self.cost || !error.is_retryable() {
            return None;
        }
        self.credit -= self.cost;
        let count = self.refetches.entry(offset).or_default();
        *count += 1;
        // The page has used its attempts already: back off as for the attempts after them.
        let wait = self
            .policy
            .backoff(self.policy.max_attempts.saturating_add(*count - 1));
        Some((*count, wait))
    }
}

/// The adaptive part of a walk.
struct Adaptive {
    pacer: Arc<Pacer>,
    /// The pacer's rate cuts when last looked at.
    seen_cuts: u64,
    /// When the window was last cut.
    cut_at: Option<Instant>,
    /// Clean pages since the window last grew (after the ramp).
    clean: usize,
    /// Whether the window still doubles per full page (until the first cut).
    ramping: bool,
}

impl Adaptive {
    /// The window after a page arrived: `clean` says whether it was whole and in time.
    ///
    /// It shrinks when the pacer cut its rate (dense 429s: a limit), not on any 429:
    /// scattered ones (a throttle elsewhere, a fault) come at any window, and shrinking on
    /// each starved a walk under them, down to one page at a time. Slowness is the median
    /// round trip, which a few stalled answers do not move.
    fn next_window(&mut self, window: usize, max: usize, clean: bool) -> usize {
        let stats = self.pacer.stats();
        let now = Instant::now();
        let rtt = stats.smoothed_rtt.unwrap_or_default();
        let median = stats.median_rtt.unwrap_or_default();
        let cut_allowed = self
            .cut_at
            .is_none_or(|at| now.saturating_duration_since(at) >= median);
        let cuts = self.pacer.cuts();
        let throttled = cuts > self.seen_cuts;
        self.seen_cuts = cuts;
        let slow = stats.min_rtt.is_some_and(|min| {
            median > min.saturating_mul(2) && median.saturating_sub(min) > Duration::from_millis(5)
        });
        let mut window = if (throttled || slow) && cut_allowed {
            self.cut_at = Some(now);
            self.ramping = false;
            self.clean = 0;
            let share = if throttled { 0.7 } else { 0.8 };
            ((window as f64 * share).floor() as usize).max(1)
        } else if clean && self.ramping {
            window.saturating_mul(2)
        } else if clean {
            self.clean += 1;
            if self.clean >= window {
                self.clean = 0;
                window + 1
            } else {
                window
            }
        } else {
            window
        };
        if let Some(rate) = stats.rate {
            // Little's law: pages under way = rate × round trip.
            let busy = (rate * rtt.as_secs_f64()).ceil() as usize + 1;
            window = window.min(busy);
        }
        window.clamp(1, max)
    }
}

/// Fetches the page at an offset, with a page size.
pub(crate) type FetchPage<T> =
    Arc<dyn Fn(u32, u32) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

struct Walk<T> {
    fetch: FetchPage<T>,
    next_offset: u64,
    /// Offset of the next page to yield.
    next_yield: u64,
    /// Offset past the last item wanted: the cap, then also `X-Total`.
    end: Option<u64>,
    /// Offset past the last item the cap allows: the page reaching it asks for no more
    /// items than that, so no item past the cap is fetched (and a page's `date_title`
    /// counts only items the caller gets).
    cap_end: Option<u64>,
    limit: u32,
    concurrency: usize,
    /// Set when the window adapts to the service.
    adaptive: Option<Adaptive>,
    /// Requests allowed under way now: 1 at first, doubled by every full page, at most
    /// `concurrency`; `concurrency` once `X-Total` bounds the walk.
    window: usize,
    /// Requests under way, each tagged with its offset; they finish in any order.
    in_flight: FuturesUnordered<BoxFuture<'static, (u64, Result<Page<T>>)>>,
    /// Finished pages waiting for the pages before them.
    arrived: BTreeMap<u64, Result<Page<T>>>,
    first_seen: bool,
    done: bool,
    /// The operation walked, for errors.
    operation: &'static str,
    /// `X-Total` of the first page, when sent.
    total: Option<u64>,
    /// The first item of the page yielded last, to tell a repeated page.
    previous_first: Option<T>,
    /// Re-fetches of failed pages left.
    retries: RetryBucket,
}

impl<T: Send + 'static> Walk<T> {
    /// Starts requests until `window` are under way, never holding more than
    /// `concurrency` finished pages that wait for an earlier one, so memory stays bounded.
    fn top_up(&mut self) {
        while !self.done
            && self.in_flight.len() < self.window
            && self.arrived.len() < self.concurrency
            && self.next_offset <= MAX_OFFSET
            && self.end.is_none_or(|end| self.next_offset < end)
        {
            let offset = self.next_offset;
            let page = (self.fetch)(offset as u32, self.page_limit(offset));
            self.in_flight
                .push(Box::pin(async move { (offset, page.await) }));
            self.next_offset += u64::from(self.limit);
        }
    }

    /// The page size asked at `offset`: the walk's, or what the cap leaves.
    fn page_limit(&self, offset: u64) -> u32 {
        let room = self
            .cap_end
            .map_or(u64::MAX, |end| end.saturating_sub(offset));
        u64::from(self.limit).min(room) as u32
    }

    /// Fetches the page at `offset` again after `wait`.
    fn refetch(&mut self, offset: u64, wait: Duration) {
        let (fetch, limit) = (self.fetch.clone(), self.page_limit(offset));
        self.in_flight.push(Box::pin(async move {
            tokio::time::sleep(wait).await;
            (offset, fetch(offset as u32, limit).await)
        }));
    }

    /// The next page in offset order, waiting for it if needed.
    async fn next_page(&mut self) -> Option<Result<Page<T>>> {
        loop {
            if let Some(page) = self.arrived.remove(&self.next_yield) {
                self.next_yield += u64::from(self.limit);
                return Some(page);
            }
            self.top_up();
            let (offset, page) = self.in_flight.next().await?;
            match &page {
                Ok(_) => self.retries.earn(offset),
                Err(error) => {
                    if let Some((refetch, wait)) = self.retries.spend(offset, error) {
                        tracing::warn!(
                            operation = self.operation,
                            offset,
                            refetch,
                            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                            error = %error,
                            "fetching a failed page again"
                        );
                        self.refetch(offset, wait);
                        continue;
                    }
                }
            }
            let full = page.as_ref().is_ok_and(|page| !page.is_short());
            match &mut self.adaptive {
                Some(adaptive) => {
                    self.window = adaptive.next_window(self.window, self.concurrency, full);
                }
                None if full => {
                    self.window = self.window.saturating_mul(2).min(self.concurrency);
                }
                None => {}
            }
            self.arrived.insert(offset, page);
        }
    }

    /// Whether `page` agrees with what was asked and with the pages before it. The cap is
    /// kept by asking: the page reaching it asks for only the items it leaves, so a page
    /// longer than asked is refused rather than cut.
    fn check(&self, page: &Page<T>) -> std::result::Result<(), String>
    where
        T: PartialEq,
    {
        let offset = u64::from(page.offset);
        let count = page.items.len() as u64;
        if count > u64::from(page.limit) {
            return Err(format!(
                "a page of {count} items answered a request for at most {}",
                page.limit
            ));
        }
        if let (Some(previous), Some(first)) = (&self.previous_first, page.items.first())
            && previous == first
        {
            return Err(format!(
                "the page repeats the page before it (the service ignored offset {offset})"
            ));
        }
        if let Some(total) = self.total {
            let reached = offset.saturating_add(count);
            // An empty page past the end (an offset beyond X-Total) is no contradiction.
            if count > 0 && reached > total {
                return Err(format!(
                    "X-Total says {total} items, but this page holds items up to {reached}"
                ));
            }
            let expected_end = self.cap_end.map_or(total, |cap_end| cap_end.min(total));
            if page.is_short() && reached < expected_end {
                return Err(format!(
                    "the list ended after {reached} items, but X-Total says {total}"
                ));
            }
        }
        Ok(())
    }

    fn stop(&mut self) {
        self.done = true;
        self.in_flight = FuturesUnordered::new();
        self.arrived.clear();
    }
}

/// Pages of `operation` from `start`, `limit` items each, at most `cap` items in total.
pub(crate) fn walk<T: Clone + PartialEq + Send + 'static>(
    operation: &'static str,
    fetch: FetchPage<T>,
    start: u32,
    limit: u32,
    concurrency: impl Into<PageConcurrency>,
    cap: Option<u64>,
) -> BoxStream<'static, Result<Page<T>>> {
    let PageConcurrency {
        max,
        pacer,
        retries,
        policy,
    } = concurrency.into();
    let concurrency = max;
    let adaptive = pacer.map(|pacer| Adaptive {
        seen_cuts: pacer.cuts(),
        pacer,
        cut_at: None,
        clean: 0,
        ramping: true,
    });
    let walk = Walk {
        fetch,
        next_offset: u64::from(start),
        next_yield: u64::from(start),
        end: cap.map(|cap| u64::from(start).saturating_add(cap)),
        cap_end: cap.map(|cap| u64::from(start).saturating_add(cap)),
        limit,
        concurrency: concurrency.max(1),
        adaptive,
        window: 1,
        in_flight: FuturesUnordered::new(),
        arrived: BTreeMap::new(),
        first_seen: false,
        done: cap == Some(0),
        operation,
        total: None,
        previous_first: None,
        retries: RetryBucket::new(retries, policy),
    };
    futures::stream::unfold(walk, |mut walk| async move {
        walk.top_up();
        let result = walk.next_page().await?;
        let first = !walk.first_seen;
        walk.first_seen = true;
        match result {
            Err(error) => {
                walk.stop();
                Some((Err(error), walk))
            }
            Ok(page) => {
                if first && let Some(total) = page.total {
                    walk.total = Some(total);
                    walk.end = Some(walk.end.map_or(total, |end| end.min(total)));
                    // The end is known: no request can land past it, so no need to ramp.
                    walk.window = walk.concurrency;
                }
                if let Err(problem) = walk.check(&page) {
                    let error = Error::InconsistentPages {
                        operation: walk.operation,
                        offset: u64::from(page.offset),
                        problem,
                    };
                    walk.stop();
                    return Some((Err(error), walk));
                }
                walk.previous_first = page.items.first().cloned();
                if page.is_short() {
                    walk.stop();
                    if page.items.is_empty() && !first {
                        return None;
                    }
                }
                Some((Ok(page), walk))
            }
        }
    })
    .boxed()
}

/// The items of a page stream, in order.
pub(crate) fn items<T: Send + 'static>(
    pages: BoxStream<'static, Result<Page<T>>>,
) -> BoxStream<'static, Result<T>> {
    pages
        .flat_map(|page| match page {
            Ok(page) => {
                futures::future::Either::Left(futures::stream::iter(page.items.into_iter().map(Ok)))
            }
            Err(error) => {
                futures::future::Either::Right(futures::stream::once(async move { Err(error) }))
            }
        })
        .boxed()
}

/// Collects the items of a page stream (which the walk already stopped at its cap),
/// passing each page to `each_page` first.
pub(crate) async fn collect<T>(
    mut pages: BoxStream<'static, Result<Page<T>>>,
    mut each_page: impl FnMut(&Page<T>),
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page?;
        each_page(&page);
        out.extend(page.items);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Pages over `0..n` with `total` optionally reported; records the offsets asked for
    /// and, in `limits`, the page sizes.
    fn source_with_limits(
        n: u32,
        report_total: bool,
        asked: Arc<Mutex<Vec<u32>>>,
        limits: Arc<Mutex<Vec<u32>>>,
    ) -> FetchPage<u32> {
        Arc::new(move |offset, limit| {
            let (asked, limits) = (asked.clone(), limits.clone());
            Box::pin(async move {
                asked.lock().unwrap().push(offset);
                limits.lock().unwrap().push(limit);
                // Later pages answer sooner, to check the order is kept.
                tokio::task::yield_now().await;
                let items: Vec<u32> = (offset..n.min(offset.saturating_add(limit))).collect();
                Ok(Page {
                    items,
                    total: report_total.then_some(u64::from(n)),
                    offset,
                    limit,
                    request_id: None,
                    date_title: Vec::new(),
                    repairs: Vec::new(),
                })
            })
        })
    }

    /// [`source_with_limits`] without the page sizes.
    fn source(n: u32, report_total: bool, asked: Arc<Mutex<Vec<u32>>>) -> FetchPage<u32> {
        source_with_limits(n, report_total, asked, Arc::default())
    }

    #[tokio::test]
    async fn items_come_in_order_once_with_and_without_total() {
        for report_total in [true, false] {
            for n in [0, 1, 99, 100, 101, 1050] {
                let asked = Arc::new(Mutex::new(Vec::new()));
                let pages = walk(
                    "test",
                    source(n, report_total, asked.clone()),
                    0,
                    100,
                    4,
                    None,
                );
                let got: Vec<u32> = items(pages).map(|r| r.unwrap()).collect().await;
                assert_eq!(
                    got,
                    (0..n).collect::<Vec<_>>(),
                    "n={n} total={report_total}"
                );
                if report_total {
                    let mut offsets = asked.lock().unwrap().clone();
                    offsets.sort();
                    let expected: Vec<u32> = (0..n.div_ceil(100).max(1)).map(|p| p * 100).collect();
                    assert_eq!(offsets, expected, "no page past X-Total is asked for");
                }
            }
        }
    }

    #[tokio::test]
    async fn without_a_total_the_read_ahead_ramps_up_and_overshoots_little() {
        for n in [0u32, 50, 100, 250, 1000, 5000] {
            let asked = Arc::new(Mutex::new(Vec::new()));
            let busy = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let inner = source(n, false, asked.clone());
            let fetch: FetchPage<u32> = {
                let (busy, most) = (busy.clone(), most.clone());
                Arc::new(move |offset, limit| {
                    let (busy, most, page) = (busy.clone(), most.clone(), inner(offset, limit));
                    Box::pin(async move {
                        use std::sync::atomic::Ordering::SeqCst;
                        most.fetch_max(busy.fetch_add(1, SeqCst) + 1, SeqCst);
                        let page = page.await;
                        busy.fetch_sub(1, SeqCst);
                        page
                    })
                })
            };
            let got: Vec<u32> = items(walk("test", fetch, 0, 100, 8, None))
                .map(|r| r.unwrap())
                .collect()
                .await;
            assert_eq!(got, (0..n).collect::<Vec<_>>(), "n={n}");
            let pages = n.div_ceil(100).max(1) as usize;
            let asked = asked.lock().unwrap().len();
            assert!(
                asked <= 2 * pages + 1,
                "n={n}: {asked} requests for {pages} pages"
            );
            let most = most.load(std::sync::atomic::Ordering::SeqCst);
            if n == 5000 {
                assert_eq!(most, 8, "a long walk reaches the full read-ahead");
            }
            if n < 100 {
                assert_eq!(most, 1, "n={n}: one page at a time until a full page");
            }
        }
    }

    #[tokio::test]
    async fn a_cap_bounds_the_pages_asked_for() {
        for report_total in [true, false] {
            let asked = Arc::new(Mutex::new(Vec::new()));
            let limits = Arc::new(Mutex::new(Vec::new()));
            let fetch = source_with_limits(1000, report_total, asked.clone(), limits.clone());
            let pages = walk("test", fetch, 0, 100, 4, Some(150));
            let got = collect(pages, |_| {}).await.unwrap();
            assert_eq!(got, (0..150).collect::<Vec<_>>());
            assert_eq!(*asked.lock().unwrap(), [0, 100]);
            // The page reaching the cap asks for only what the cap leaves.
            assert_eq!(*limits.lock().unwrap(), [100, 50]);
        }
    }

    /// A service that answers `items(offset, limit)` with `total` as X-Total; the page
    /// records the limit asked, as the operations do.
    fn service(total: Option<u64>, items: fn(u32, u32) -> Vec<u32>) -> FetchPage<u32> {
        Arc::new(move |offset, limit| {
            Box::pin(async move {
                Ok(Page {
                    items: items(offset, limit),
                    total,
                    offset,
                    limit,
                    request_id: None,
                    date_title: Vec::new(),
                    repairs: Vec::new(),
                })
            })
        })
    }

    /// The walk's outcome as page sizes, ending with the offset and problem of an error.
    async fn outcome(
        fetch: FetchPage<u32>,
        cap: Option<u64>,
    ) -> (Vec<usize>, Option<(u64, String)>) {
        let mut sizes = Vec::new();
        let mut pages = walk("test", fetch, 0, 100, 4, cap);
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => sizes.push(page.items.len()),
                Err(Error::InconsistentPages {
                    offset, problem, ..
                }) => {
                    assert!(pages.next().await.is_none(), "the walk ends at its error");
                    return (sizes, Some((offset, problem)));
                }
                Err(other) => panic!("unexpected error {other}"),
            }
        }
        (sizes, None)
    }

    #[tokio::test]
    async fn a_service_that_contradicts_itself_ends_the_walk_with_a_typed_error() {
        // Ignores `limit`: always 100 items, so the page reaching the cap of 150 (asking
        // for 50) is longer than asked.
        let (sizes, error) = outcome(service(None, |o, _| (o..o + 100).collect()), Some(150)).await;
        assert_eq!(sizes, [100]);
        let (offset, problem) = error.expect("an error");
        assert_eq!(offset, 100);
        assert!(
            problem.contains("100 items answered a request for at most 50"),
            "{problem}"
        );

        // Ignores `offset`: the same page again, which would otherwise never end.
        let (sizes, error) = outcome(service(None, |_, l| (0..l).collect()), None).await;
        assert_eq!(sizes, [100]);
        let (offset, problem) = error.expect("an error");
        assert_eq!(offset, 100);
        assert!(problem.contains("ignored offset 100"), "{problem}");

        // X-Total lower than the data: 150 said, 250 there.
        let (sizes, error) = outcome(
            service(Some(150), |o, l| (o..(o + l).min(250)).collect()),
            None,
        )
        .await;
        assert_eq!(sizes, [100]);
        let (offset, problem) = error.expect("an error");
        assert_eq!(offset, 100);
        assert!(
            problem.contains("X-Total says 150 items, but this page holds items up to 200"),
            "{problem}"
        );

        // X-Total higher than the data: 300 said, 150 there.
        let (sizes, error) = outcome(
            service(Some(300), |o, l| (o..(o + l).min(150)).collect()),
            None,
        )
        .await;
        assert_eq!(sizes, [100]);
        let (offset, problem) = error.expect("an error");
        assert_eq!(offset, 100);
        assert!(
            problem.contains("ended after 150 items, but X-Total says 300"),
            "{problem}"
        );

        // A consistent service, with and without X-Total and a cap, walks to the end.
        for total in [None, Some(250)] {
            let fetch = service(total, |o, l| (o..(o + l).min(250)).collect());
            assert_eq!(
                outcome(fetch.clone(), None).await,
                (vec![100, 100, 50], None)
            );
            assert_eq!(outcome(fetch, Some(150)).await, (vec![100, 50], None));
        }
    }

    #[tokio::test]
    async fn a_slow_page_does_not_hold_back_the_requests_after_it() {
        // The second page answers only once the page `concurrency` places after it has been
        // asked for: that happens only if pages finishing early free their slots at once.
        let (limit, concurrency, n) = (100u32, 4usize, 1000u32);
        let release_at = limit * (1 + concurrency as u32);
        let released = Arc::new(tokio::sync::Notify::new());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let fetch: FetchPage<u32> = {
            let (released, asked) = (released.clone(), asked.clone());
            Arc::new(move |offset, _limit| {
                let (released, asked) = (released.clone(), asked.clone());
                Box::pin(async move {
                    asked.lock().unwrap().push(offset);
                    if offset == release_at {
                        released.notify_one();
                    }
                    if offset == limit {
                        released.notified().await;
                    }
                    Ok(Page {
                        items: (offset..n.min(offset + limit)).collect(),
                        total: Some(u64::from(n)),
                        offset,
                        limit,
                        request_id: None,
                        date_title: Vec::new(),
                        repairs: Vec::new(),
                    })
                })
            })
        };
        let pages = walk("test", fetch, 0, limit, concurrency, None);
        let got: Vec<u32> = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            items(pages).map(|r| r.unwrap()).collect(),
        )
        .await
        .expect("the walk went on past the slow page");
        assert_eq!(got, (0..n).collect::<Vec<_>>());
        assert_eq!(asked.lock().unwrap().len(), (n / limit) as usize);
    }

    #[test]
    fn day_counts_merge() {
        let day = |d: &str, c| DateTitleDto {
            day: Some(d.into()),
            commits_count: Some(c),
        };
        let mut counts = DayCounts::default();
        counts.add(&[day("2025-06-27", 2), day("2025-06-25", 1)]);
        counts.add(&[day("2025-06-25", 4), day("2025-06-01", 3)]);
        assert_eq!(
            counts.newest_first(),
            [
                ("2025-06-27".to_string(), 2),
                ("2025-06-25".to_string(), 5),
                ("2025-06-01".to_string(), 3)
            ]
        );
        assert_eq!(counts.total(), 10);
    }
}
