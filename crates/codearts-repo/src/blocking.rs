//! A blocking client, for programs without an async runtime (the `blocking` feature).
//!
//! [`Client`] wraps the async [`crate::Client`]: the same builder settings and checks, the
//! same request builders with the same setters, the same [`Error`], and
//! the same requests (signing, retries, timeouts, pacing). `send()` returns its result;
//! the walks are iterators instead of streams: [`pages`](ListCommits::pages) yields
//! [`Pages`], [`items`](ListCommits::items) yields [`Items`], and `collect` returns a
//! `Vec`. Each walk is the async one, driven on the client's own runtime, so it keeps
//! its semantics: items in order and each once, several pages in flight
//! ([`ClientBuilder::max_concurrent_pages`]) and no page past a cap requested.
//!
//! The runtime is a one-thread tokio runtime that the client starts at
//! [`build`](ClientBuilder::build) and shares with its clones; it stops when the last
//! clone, request builder and iterator are dropped. A call hands its request to that
//! thread and waits for the answer, so the client works whether or not the calling
//! thread is inside an async runtime, and never panics there (unlike
//! `reqwest::blocking`): it only blocks the calling thread for the duration of the call. In
//! async code, prefer the async [`crate::Client`] (or call the blocking one from
//! `tokio::task::spawn_blocking`), since a blocked thread runs no other task.
//!
//! An [`Interceptor`] given to a blocking client runs on that runtime's thread: a call
//! of the same client from inside it would wait for the thread it blocks, for ever. Hooks
//! must not call the client they are attached to.
//!
//! ```
//! use codearts_repo::Credentials;
//! use codearts_repo::blocking::Client;
//! # let runtime = tokio::runtime::Runtime::new()?;
//! # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
//!
//! // No async runtime here: a plain `fn main`.
//! let client = Client::builder()
//!     .endpoint(emulator.base_url()) // `.region("cn-north-4")` for the service
//!     .allow_http(true)
//!     .credentials(Credentials::token(&emulator.credentials().token))
//!     .build()?;
//! let repository = emulator.repository_ids()[0];
//!
//! let page = client.list_commits(repository).limit(10).send()?;
//! assert_eq!(page.items.len(), 10);
//! for commit in client.list_commits(repository).max_items(250).items() {
//!     let commit = commit?;
//!     println!("{}", commit.title.as_deref().unwrap_or(""));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::stream::{BoxStream, StreamExt};

use crate::error::{Error, Result};
use crate::pagination::{DayCounts, Page};
use crate::{
    Commit, Concurrency, Credentials, Interceptor, LastPushEvent, PacingStats, PageRetryBudget,
    PersonalPushEvent, RepositoryPushEvent, RetryConfig,
};

/// The builder of [`Client::list_repository_events`]: the async builder's setters, and
/// blocking `send`, `pages`, `items` and `collect`.
///
/// ```
/// use codearts_repo::{Credentials, EventFilter};
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// # let client = codearts_repo::blocking::Client::builder().endpoint(emulator.base_url())
/// #     .allow_http(true).credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// let events = client.list_repository_events(repository).filter(EventFilter::Push);
/// let first = events.clone().limit(10).send()?;
/// assert_eq!(first.total, Some(emulator.store().events(repository).len() as u64));
/// let every = events.clone().items().collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(every.len() as u64, first.total.unwrap());
/// let pages = events.clone().max_items(45).limit(20).pages().collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), [20, 20, 5]);
/// assert_eq!(events.collect(Some(7))?.len(), 7);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type ListRepositoryEvents = crate::ListRepositoryEvents<Client>;

/// The builder of [`Client::last_push_event`], with a blocking `send`.
///
/// ```
/// use codearts_repo::Credentials;
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// # let client = codearts_repo::blocking::Client::builder().endpoint(emulator.base_url())
/// #     .allow_http(true).credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// assert_eq!(client.last_push_event(repository).send()?, emulator.store().last_push_event(repository));
/// let missing = client.last_push_event(999_999).send().unwrap_err();
/// assert!(missing.is_not_found());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type LastPushEventRequest = crate::LastPushEventRequest<Client>;

/// The builder of [`Client::list_commits`]: the async builder's setters, and blocking
/// `send`, `pages`, `items`, `collect` and `collect_with_days`.
///
/// ```
/// use codearts_repo::Credentials;
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// # let client = codearts_repo::blocking::Client::builder().endpoint(emulator.base_url())
/// #     .allow_http(true).credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// let branch = emulator.store().default_branch(repository).unwrap();
/// let page = client.list_commits(repository).ref_name(branch).limit(50).send()?;
/// assert_eq!(page.items.len(), 50);
/// let mut seen = 0;
/// for page in client.list_commits(repository).limit(70).pages() {
///     seen += page?.items.len();
/// }
/// let (all, days) = client.list_commits(repository).collect_with_days(None)?;
/// assert_eq!((all.len(), days.total()), (seen, seen as u64));
/// let capped = client.list_commits(repository).max_items(120).items().count();
/// assert_eq!(capped, 120);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type ListCommits = crate::ListCommits<Client>;

/// The builder of [`Client::list_recent_push_events`], with a blocking `send`.
///
/// ```
/// use codearts_repo::Credentials;
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// # let client = codearts_repo::blocking::Client::builder().endpoint(emulator.base_url())
/// #     .allow_http(true).credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let page = client.list_recent_push_events().size(5).send()?;
/// assert!(page.items.len() <= 5 && page.request_id.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type ListRecentPushEvents = crate::ListRecentPushEvents<Client>;

/// A blocking CodeArts Repo client. Cheap to clone; clones share connections, settings
/// and the runtime that runs their requests (see the [module](self) documentation).
///
/// ```
/// use codearts_repo::Credentials;
/// use codearts_repo::blocking::Client;
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// let client = Client::builder()
///     .endpoint(emulator.base_url())
///     .allow_http(true)
///     .credentials(Credentials::token(&emulator.credentials().token))
///     .build()?;
/// let repository = emulator.repository_ids()[0];
///
/// let events = client.list_repository_events(repository).limit(5).send()?;
/// let last = client.last_push_event(repository).send()?;
/// let commits = client.list_commits(repository).collect(Some(42))?;
/// let mine = client.list_recent_push_events().send()?;
/// assert_eq!((events.items.len(), commits.len()), (5, 42));
/// assert!(last.is_some() && mine.request_id.is_some());
/// assert_eq!(client.endpoint(), emulator.base_url().trim_end_matches('/'));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Client")
            .field(&self.inner)
            .finish()
    }
}

impl Client {
    /// A builder with the defaults of [`crate::Client::builder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base address requests go to, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// The region, unless a custom endpoint was given.
    pub fn region(&self) -> Option<&str> {
        self.inner.region()
    }

    /// Where the credentials came from (see [`crate::Client::credentials_source`]).
    pub fn credentials_source(&self) -> &str {
        self.inner.credentials_source()
    }

    /// What the client learned of the service's throttling (see [`crate::Client::pacing`]).
    pub fn pacing(&self) -> Option<PacingStats> {
        self.inner.pacing()
    }

    /// A repository's push events, newest first (`GET /v4/repositories/{id}/events`).
    pub fn list_repository_events(&self, repository_id: u32) -> ListRepositoryEvents {
        self.inner
            .list_repository_events(repository_id)
            .with_client(self.clone())
    }

    /// A repository's most recent push (`GET /v4/repositories/{id}/last-push-event`).
    pub fn last_push_event(&self, repository_id: u32) -> LastPushEventRequest {
        self.inner
            .last_push_event(repository_id)
            .with_client(self.clone())
    }

    /// A repository's commits (`GET /v4/repositories/{id}/repository/commit-list`).
    pub fn list_commits(&self, repository_id: u32) -> ListCommits {
        self.inner
            .list_commits(repository_id)
            .with_client(self.clone())
    }

    /// The signed-in user's recent pushes (`GET /v4/user/recent-push-events`).
    pub fn list_recent_push_events(&self) -> ListRecentPushEvents {
        self.inner
            .list_recent_push_events()
            .with_client(self.clone())
    }
}

/// Settings of a blocking [`Client`]: the setters of [`crate::ClientBuilder`], checked
/// the same way at [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
///
/// use codearts_repo::blocking::{Client, ClientBuilder};
/// use codearts_repo::{Credentials, ErrorKind, RetryConfig};
///
/// let client = Client::builder()
///     .region("cn-north-4")
///     .credentials(Credentials::token("t"))
///     .operation_timeout(Duration::from_secs(60))
///     .retry(RetryConfig::default().max_attempts(5))
///     .max_concurrent_pages(16)
///     .build()?;
/// assert_eq!(client.endpoint(), "https://codehub-ext.cn-north-4.myhuaweicloud.com");
///
/// // Out-of-range settings fail at build, as for the async client.
/// let e = Client::builder().credentials(Credentials::token("t")).max_concurrent_pages(0).build().unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::InvalidInput);
///
/// // An async builder's settings carry over.
/// let settings = codearts_repo::Client::builder().region("ap-southeast-3").credentials(Credentials::token("t"));
/// assert_eq!(ClientBuilder::from(settings).build()?.region(), Some("ap-southeast-3"));
/// # Ok::<(), codearts_repo::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

impl From<crate::ClientBuilder> for ClientBuilder {
    /// A blocking builder with an async builder's settings.
    fn from(inner: crate::ClientBuilder) -> Self {
        Self { inner }
    }
}

/// Setters that hand their arguments to [`crate::ClientBuilder`]'s setter of the same name.
macro_rules! setters {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[doc = concat!("See [`ClientBuilder::", stringify!($name), "`](crate::ClientBuilder::", stringify!($name), ").")]
            pub fn $name(self, $($arg: $ty),*) -> Self {
                Self { inner: self.inner.$name($($arg),*) }
            }
        )*
    };
}

impl ClientBuilder {
    setters! {
        region(region: impl Into<String>);
        endpoint(endpoint: impl Into<String>);
        allow_http(allow: bool);
        credentials(credentials: Credentials);
        env_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static);
        connect_timeout(timeout: Duration);
        attempt_timeout(timeout: Duration);
        operation_timeout(timeout: Duration);
        retry(retry: RetryConfig);
        max_concurrent_pages(pages: usize);
        concurrency(concurrency: Concurrency);
        page_retry_budget(budget: PageRetryBudget);
        max_response_bytes(bytes: u64);
        user_agent(user_agent: impl Into<String>);
        proxy(url: impl Into<String>);
        add_root_certificate_pem(pem: impl Into<Vec<u8>>);
        danger_accept_invalid_certs(accept: bool);
        header(name: impl Into<String>, value: impl Into<String>);
        interceptor(interceptor: impl Interceptor);
        http_client(client: reqwest::Client);
    }

    /// Checks every setting as [`crate::ClientBuilder::build`] does, then starts the
    /// client's runtime (one thread). Sends nothing.
    pub fn build(self) -> Result<Client> {
        let runtime = Runtime::start()?;
        // Whatever the async client sets up at build belongs to its runtime.
        let inner = {
            let _entered = runtime.handle().enter();
            self.inner.build()?
        };
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }
}

/// The client's runtime: one worker thread, stopped without waiting when dropped (so
/// that dropping it inside another runtime does not panic).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn start() -> Result<Self> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("codearts-repo-blocking")
            .enable_all()
            .build()
            .map(|runtime| Self(Some(runtime)))
            .map_err(|e| Error::Transport {
                operation: "build",
                attempts: 0,
                message: format!("cannot start the blocking client's runtime: {e}"),
                source: None,
            })
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        self.0
            .as_ref()
            .expect("the runtime is only taken when dropped")
            .handle()
    }

    /// Runs `future` on the runtime and waits for its output on the calling thread; a
    /// panic of the future is resumed here. `None` if the runtime stopped first.
    fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Option<T> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.handle().spawn(async move {
            let _ = sender.send(AssertUnwindSafe(future).catch_unwind().await);
        });
        match receiver.recv().ok()? {
            Ok(output) => Some(output),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Runs one operation; see [`run`](Self::run).
    fn call<T: Send + 'static>(
        &self,
        operation: &'static str,
        future: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        self.run(future).unwrap_or_else(|| Err(stopped(operation)))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The error of a call whose runtime stopped before answering.
fn stopped(operation: &'static str) -> Error {
    Error::Transport {
        operation,
        attempts: 0,
        message: "the blocking client's runtime stopped before the call finished".into(),
        source: None,
    }
}

/// Each blocking builder as its async builder, with the runtime that runs it.
macro_rules! async_parts {
    ($($builder:ident),*) => {
        $(
            impl $builder {
                fn into_async(self) -> (Arc<Runtime>, crate::$builder) {
                    let client = self.client().clone();
                    (client.runtime, self.with_client(client.inner))
                }
            }
        )*
    };
}

async_parts!(
    ListRepositoryEvents,
    LastPushEventRequest,
    ListCommits,
    ListRecentPushEvents
);

impl LastPushEventRequest {
    /// Fetches the repository's most recent push; `None` when it has none (see
    /// [`crate::LastPushEventRequest::send`]).
    pub fn send(self) -> Result<Option<LastPushEvent>> {
        let (runtime, request) = self.into_async();
        runtime.call("last_push_event", request.send())
    }
}

impl ListRecentPushEvents {
    /// Fetches the signed-in user's recent pushes, newest first, as one page.
    pub fn send(self) -> Result<Page<PersonalPushEvent>> {
        let (runtime, request) = self.into_async();
        runtime.call("list_recent_push_events", request.send())
    }
}

/// `send`, `pages`, `items` and `collect` of the blocking list builders.
macro_rules! blocking_walks {
    ($builder:ident, $item:ty, $operation:literal, $noun:literal) => {
        impl $builder {
            /// Fetches one page.
            pub fn send(self) -> Result<Page<$item>> {
                let (runtime, request) = self.into_async();
                runtime.call($operation, request.send())
            }

            #[doc = concat!(
                "Every page from the offset on, in order, as an iterator (the async `pages` ",
                "stream, driven on the client's runtime as the iterator is read)."
            )]
            pub fn pages(self) -> Pages<$item> {
                let (runtime, request) = self.into_async();
                Pages::new(runtime, $operation, request.pages())
            }

            #[doc = concat!(
                "Every one of the ", $noun, " from the offset on, across pages, in order, ",
                "each once, as an iterator."
            )]
            pub fn items(self) -> Items<$item> {
                Items {
                    pages: self.pages(),
                    current: Vec::new().into_iter(),
                }
            }

            #[doc = concat!("Up to `cap` ", $noun, " (all when `None`) from the offset on.")]
            pub fn collect(self, cap: Option<usize>) -> Result<Vec<$item>> {
                let (runtime, request) = self.into_async();
                runtime.call($operation, request.collect(cap))
            }
        }
    };
}

blocking_walks!(
    ListRepositoryEvents,
    RepositoryPushEvent,
    "list_repository_events",
    "events"
);
blocking_walks!(ListCommits, Commit, "list_commits", "commits");

impl ListCommits {
    /// Like [`collect`](Self::collect), plus the `date_title` counts of every page walked
    /// merged per day (see [`crate::ListCommits::collect_with_days`]).
    pub fn collect_with_days(self, cap: Option<usize>) -> Result<(Vec<Commit>, DayCounts)> {
        let (runtime, request) = self.into_async();
        runtime.call("list_commits", request.collect_with_days(cap))
    }
}

/// The pages of a blocking walk, in order: the async walk, driven on the client's runtime
/// one page at a time as the iterator is read (its read-ahead keeps several pages in
/// flight meanwhile). It ends after the last page or after an error.
///
/// ```
/// use codearts_repo::Credentials;
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// # let client = codearts_repo::blocking::Client::builder().endpoint(emulator.base_url())
/// #     .allow_http(true).credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// let mut offsets = Vec::new();
/// for page in client.list_commits(repository).limit(100).max_items(250).pages() {
///     let page = page?;
///     offsets.push((page.offset, page.items.len()));
/// }
/// assert_eq!(offsets, [(0, 100), (100, 100), (200, 50)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pages<T: 'static> {
    walk: Option<BoxStream<'static, Result<Page<T>>>>,
    runtime: Arc<Runtime>,
    operation: &'static str,
}

impl<T: 'static> Pages<T> {
    fn new(
        runtime: Arc<Runtime>,
        operation: &'static str,
        walk: BoxStream<'static, Result<Page<T>>>,
    ) -> Self {
        Self {
            walk: Some(walk),
            runtime,
            operation,
        }
    }
}

impl<T: 'static> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &self.operation)
            .field("done", &self.walk.is_none())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Iterator for Pages<T> {
    type Item = Result<Page<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut walk = self.walk.take()?;
        let Some((walk, page)) = self.runtime.run(async move {
            let page = walk.next().await;
            (walk, page)
        }) else {
            return Some(Err(stopped(self.operation)));
        };
        if page.is_some() {
            self.walk = Some(walk);
        }
        page
    }
}

impl<T: Send + 'static> std::iter::FusedIterator for Pages<T> {}

impl<T: 'static> Drop for Pages<T> {
    /// Hands a walk left half way to the runtime, which drops it (and cancels the requests
    /// under way) in its own context; the caller does not wait.
    fn drop(&mut self) {
        if let Some(walk) = self.walk.take() {
            drop(self.runtime.handle().spawn(async move { drop(walk) }));
        }
    }
}

/// The items of a blocking walk, in order, each once; it ends after the last item or
/// after an error (every item before it was yielded).
///
/// ```
/// use codearts_repo::Credentials;
/// # let runtime = tokio::runtime::Runtime::new()?;
/// # let emulator = runtime.block_on(codearts_repo_emulator::Emulator::builder().start())?;
/// # let client = codearts_repo::blocking::Client::builder().endpoint(emulator.base_url())
/// #     .allow_http(true).credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// let every = client.list_commits(repository).items().collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(every.len(), emulator.store().commits(repository, None).unwrap().len());
/// let bad = client.list_commits(repository).limit(0).items().next().unwrap();
/// assert!(bad.unwrap_err().to_string().contains("limit"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Items<T: 'static> {
    pages: Pages<T>,
    current: std::vec::IntoIter<T>,
}

impl<T: 'static> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl<T: Send + 'static> Iterator for Items<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.current = page.items.into_iter(),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

impl<T: Send + 'static> std::iter::FusedIterator for Items<T> {}
