//! Async Rust SDK for the Huawei Cloud CodeArts Repo API (V4): a repository's push events,
//! its last push, its commit list, and the signed-in user's recent pushes.
//!
//! # Quick start
//!
//! ```no_run
//! use codearts_repo::{Client, Credentials, EventFilter};
//! use futures::TryStreamExt;
//!
//! # async fn run() -> codearts_repo::Result<()> {
//! let client = Client::builder()
//!     .region("cn-north-4")
//!     .credentials(Credentials::access_key("AK...", "SK...").project_id("0123456789abcdef0123456789abcdef"))
//!     .build()?;
//!
//! // One page.
//! let page = client.list_repository_events(2111694664).filter(EventFilter::Push).limit(50).send().await?;
//! println!("{} of {:?} events (request {:?})", page.items.len(), page.total, page.request_id);
//!
//! // Every commit of a branch, across pages, in order.
//! let mut commits = client.list_commits(2111694664).ref_name("feature/x y").stream();
//! while let Some(commit) = commits.try_next().await? {
//!     println!("{} {}", commit.short_id.as_deref().or(commit.id.as_deref()).unwrap_or(""), commit.title.as_deref().unwrap_or(""));
//! }
//!
//! // Errors carry the service's code, message and request id.
//! match client.last_push_event(1).send().await {
//!     Err(e) if e.is_not_found() => println!("no such repository ({:?})", e.request_id()),
//!     other => println!("{other:?}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Guides
//!
//! The [`guide`] has one page per topic, each with examples that run against the emulator:
//! [retries and timeouts](guide::retries_and_timeouts), [pagination](guide::pagination),
//! [errors and request ids](guide::errors), [tracing](guide::tracing),
//! [testing your own code against the emulator](guide::testing) and
//! [using the client without an async runtime](guide::blocking) (the `blocking` feature,
//! whose `blocking::Client` returns results and walks pages as iterators).
//!
//! # What the client does for every request
//!
//! - **Endpoint**: a region ([`DEFAULT_REGION`] by default) found, as the official SDKs
//!   find it, in `HUAWEICLOUD_SDK_REGION_CODEARTSREPO_<REGION>`, the regions file or
//!   [`REGION_ENDPOINTS`] (see [`region`]), or a
//!   custom `https://` endpoint (`http://` only with [`ClientBuilder::allow_http`]).
//! - **Credentials** ([`Credentials`]): an IAM token (`X-Auth-Token`) or AK/SK signing
//!   (`SDK-HMAC-SHA256` by default, or `SDK-HMAC-SM3`, `SDK-ECDSA-P256-SHA256`, `SDK-SM2-SM3`:
//!   [`Credentials::signing_algorithm`], as the official SDKs sign), from code, the environment or the
//!   `~/.huaweicloud/credentials` file (see [`credentials`] for the chain and its order).
//!   Secrets never appear in `Debug` output, errors or logs.
//! - **Validation**: every parameter is checked against its documented range before
//!   anything is sent ([`Error::InvalidInput`] names the parameter, value and range).
//! - **Retries**: 408, 429, 500, 502, 503, 504, connection failures, cut or stalled bodies
//!   and attempt timeouts are retried with exponential backoff and full jitter, honouring
//!   `Retry-After`, within [`RetryConfig`]'s attempts and the operation timeout (429s
//!   apart from the attempts, see [`ClientBuilder::concurrency`]). Each attempt is signed
//!   anew.
//! - **Timeouts**: connect, per attempt (body included) and per operation.
//! - **Bounded answers**: no body longer than [`ClientBuilder::max_response_bytes`]
//!   ([`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB) is read; a longer one fails the operation
//!   with [`Error::ResponseTooLarge`] as soon as the limit is passed. No header or body
//!   value makes the client panic: a `Retry-After` longer than the operation has left
//!   ends the retries instead.
//! - **Pagination**: `send()` fetches one [`Page`]; `pages()`, `stream()` and
//!   `collect(cap)` walk every page, a few at a time
//!   ([`ClientBuilder::max_concurrent_pages`]), yielding items in order, each once.
//!   How many adapts to the service ([`Concurrency::Adaptive`], the default): more while
//!   pages arrive cleanly, fewer when it throttles or slows down, and after a 429 every
//!   request is paced to the rate the service allows ([`Client::pacing`]).
//!   `X-Total` bounds the walk when sent; otherwise a short page ends it. A page that
//!   failed with a retryable error after all its attempts is fetched again within the
//!   walk's [`PageRetryBudget`], which renews as pages arrive, so a long walk survives
//!   what a short one survives ([`ClientBuilder::page_retry_budget`]).
//! - **Tolerant decoding**: unknown fields are ignored, unknown enum values kept
//!   ([`PushEventActionName::Other`] and friends), timestamps kept in any shape
//!   ([`Timestamp`]), and a malformed optional field (a value of the wrong type, or a
//!   string with bytes that are not UTF-8) is dropped and reported in [`Page::repairs`]
//!   instead of failing the page. Bytes after the JSON document fail it
//!   ([`Error::Decode`]).
//! - **Tracing**: a `codearts_repo.request` span per operation (operation, attempts,
//!   status, duration, request id) and a `codearts_repo.attempt` span per attempt.
//!
//! # Errors
//!
//! One [`Error`] with helpers [`status`](Error::status), [`code`](Error::code),
//! [`message`](Error::message), [`request_id`](Error::request_id),
//! [`is_not_found`](Error::is_not_found), [`is_retryable`](Error::is_retryable) and
//! [`kind`](Error::kind). Error bodies are read in every shape the official SDKs accept
//! (`error_code`/`error_msg`, `errorCode`/`errorMsg`, `code`/`message`, the same under
//! `error`, or plain text). `Display` shows texts from the service through [`printable`]:
//! control characters escaped and at most [`MAX_DISPLAY_CHARS`] characters each, while
//! the fields keep them whole ([`escape_char`] gives the convention). An endpoint or URL
//! that an error quotes is shown without its user info, query values and fragment
//! ([`redact_url`]).

#![deny(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
pub mod credentials;
mod decode;
mod error;
pub mod guide;
mod operations;
mod pagination;
mod redact;
pub mod region;
mod transport;

pub use client::{
    Client, ClientBuilder, Concurrency, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONCURRENT_PAGES, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_OPERATION_TIMEOUT,
    DEFAULT_USER_AGENT, MAX_CONCURRENT_PAGES_LIMIT, PacingStats, RetryConfig,
};
pub use credentials::Credentials;
pub use decode::FieldRepair;
pub use error::{
    ApiError, Error, ErrorKind, MAX_DISPLAY_CHARS, ProjectIdProblem, Result, TimeoutKind,
    escape_char, needs_escape, printable,
};
pub use operations::{
    DEFAULT_LIMIT, DEFAULT_SIZE, MAX_ID, MAX_LIMIT, MAX_SIZE, MIN_LIMIT, MIN_SIZE, PROJECT_ID_LEN,
    TimeBoundError, WALK_LIMIT,
};

/// # Example
///
/// One page, every page, every item, and a cap ([guide](guide::pagination)):
///
/// ```
/// use codearts_repo::{Client, Credentials};
/// use futures::TryStreamExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// let branch = emulator.store().default_branch(repository).unwrap();
/// let page = client.list_commits(repository).ref_name(branch).limit(50).send().await?;
/// assert_eq!(page.items.len(), 50);
/// let pages: Vec<_> = client.list_commits(repository).limit(70).pages().try_collect().await?;
/// assert!(pages.iter().rev().skip(1).all(|page| !page.is_short()));
/// let mut stream = client.list_commits(repository).max_items(120).stream();
/// let mut seen = 0;
/// while let Some(_commit) = stream.try_next().await? {
///     seen += 1;
/// }
/// assert_eq!(seen, 120);
/// let all = client.list_commits(repository).collect(None).await?;
/// assert_eq!(all.len(), pages.iter().map(|page| page.items.len()).sum::<usize>());
/// # Ok(())
/// # }
/// ```
pub use operations::ListCommits;

/// # Example
///
/// ```
/// use codearts_repo::{Client, Credentials, EventFilter};
/// use futures::TryStreamExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// let events = client.list_repository_events(repository).filter(EventFilter::Push);
/// let first = events.clone().limit(10).send().await?;
/// assert_eq!(first.total, Some(emulator.store().events(repository).len() as u64));
/// let every: Vec<_> = events.clone().stream().try_collect().await?;
/// assert_eq!(every.len() as u64, first.total.unwrap());
/// let pages: Vec<_> = events.clone().max_items(45).limit(20).pages().try_collect().await?;
/// assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), [20, 20, 5]);
/// assert_eq!(events.collect(Some(7)).await?.len(), 7);
/// # Ok(())
/// # }
/// ```
pub use operations::ListRepositoryEvents;

/// # Example
///
/// ```
/// use codearts_repo::{Client, Credentials};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// match client.last_push_event(repository).send().await? {
///     Some(push) => println!("last push to {:?} at {:?}", push.ref_, push.created_at),
///     None => println!("no push yet"),
/// }
/// # Ok(())
/// # }
/// ```
pub use operations::LastPushEventRequest;

/// # Example
///
/// ```
/// use codearts_repo::{Client, Credentials};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// // The signed-in user's five latest pushes, newest first.
/// let page = client.list_recent_push_events().size(5).send().await?;
/// assert!(page.items.len() <= 5);
/// for push in &page.items {
///     println!("{:?} {:?}", push.created_at, push.push_data.as_ref().and_then(|d| d.ref_.as_deref()));
/// }
/// # Ok(())
/// # }
/// ```
pub use operations::ListRecentPushEvents;

/// # Example
///
/// A bound is a whole day or an instant; either goes to a time setter such as
/// [`ListCommits`]'s `since` and `until`:
///
/// ```
/// use codearts_repo::TimeBound;
///
/// let day: TimeBound = "2025-06-01".parse()?;
/// assert_eq!(day.to_wire(), "2025-06-01");
/// let instant: TimeBound = "2025-06-01T16:00:00+08:00".parse()?;
/// assert_eq!(instant.to_wire(), "2025-06-01T08:00:00Z");
/// assert_eq!(day.instant(), instant.instant() - chrono::Duration::hours(8));
/// let refused = "June 1".parse::<TimeBound>().unwrap_err();
/// println!("{refused}");
/// # Ok::<(), codearts_repo::TimeBoundError>(())
/// ```
pub use operations::TimeBound;

/// # Example
///
/// ```
/// use codearts_repo::{Client, Credentials};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let page = client.list_commits(emulator.repository_ids()[0]).offset(10).limit(30).send().await?;
/// assert_eq!((page.offset, page.limit, page.items.len()), (10, 30, 30));
/// assert!(!page.is_short());
/// println!("request {:?}; {} day counts; {} repairs", page.request_id, page.date_title.len(), page.repairs.len());
/// # Ok(())
/// # }
/// ```
pub use pagination::Page;

/// # Example
///
/// ```
/// use codearts_repo::{Client, Credentials, DayCounts};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// # let client = Client::builder().endpoint(emulator.base_url()).allow_http(true)
/// #     .credentials(Credentials::token(&emulator.credentials().token)).build()?;
/// let repository = emulator.repository_ids()[0];
/// // Merged by collect_with_days, or by hand from pages:
/// let (commits, days) = client.list_commits(repository).collect_with_days(Some(150)).await?;
/// let mut by_hand = DayCounts::default();
/// by_hand.add(&client.list_commits(repository).limit(100).send().await?.date_title);
/// by_hand.add(&client.list_commits(repository).offset(100).limit(50).send().await?.date_title);
/// assert_eq!(by_hand, days);
/// assert_eq!(days.total(), commits.len() as u64);
/// for (day, count) in days.newest_first() {
///     println!("{day}: {count}");
/// }
/// # Ok(())
/// # }
/// ```
pub use pagination::DayCounts;
pub use pagination::{DEFAULT_PAGE_RETRIES, DEFAULT_PAGES_PER_RETRY, PageRetryBudget};
pub use redact::{RedactedUrl, redact_url};

pub use codearts_repo_gen::types::{self, EventFilter};
pub use codearts_repo_gen::{DEFAULT_REGION, REGION_ENDPOINTS};
pub use codearts_repo_runtime::intercept::{Attempt, Interceptor};
pub use codearts_repo_runtime::lenient::{DevelopMode, PushEventActionName, Timestamp, UserState};
pub use codearts_repo_runtime::signing::SigningAlgorithm;
/// The HTTP client the SDK is built on, re-exported for the types its API takes
/// ([`ClientBuilder::http_client`], [`Interceptor::before_attempt`]).
pub use reqwest;

/// What the spec documents of each operation's parameters, as data: the tables that the
/// command line builds its flags from and the emulator parses requests with, each
/// operation's query parameters as a struct ([`ListCommits::with_params`] takes one), the
/// documented ranges and defaults, and the one reader of parameter values.
///
/// ```
/// use codearts_repo::spec::{operations::list_commits, Kind, Value};
///
/// let limit = list_commits::PARAMETERS.iter().find(|p| p.name == "limit").unwrap();
/// assert!(matches!(limit.kind, Kind::Integer { min: 1, max: 100, .. }));
/// assert_eq!(limit.parse("100"), Ok(Value::Integer(100)));
/// assert_eq!(limit.parse("101").unwrap_err().to_string(), "101 is outside 1..=100");
///
/// let mut params = list_commits::Params::default();
/// let since = list_commits::PARAMETERS.iter().find(|p| p.name == "since").unwrap();
/// params.set("since", since.parse("2025-06-01").unwrap()).unwrap();
/// assert_eq!(params.since.unwrap().to_wire(), "2025-06-01");
/// ```
pub mod spec {
    pub use codearts_repo_gen::{operations, parameters};
    pub use codearts_repo_runtime::params::{
        Kind, Location, Paging, Parameter, Value, ValueError, find,
    };
}

/// One push to a repository (an item of [`Client::list_repository_events`]).
pub type RepositoryPushEvent = types::RepositoryPushEventDto;
/// A repository's most recent push ([`Client::last_push_event`]).
pub type LastPushEvent = types::LastPushEventDto;
/// One commit (an item of [`Client::list_commits`]).
pub type Commit = types::CommitDto;
/// One page of the commit list as the service sends it.
pub type CommitList = types::CommitListDto;
/// The commit count of one day ([`Page::date_title`]).
pub type DateTitle = types::DateTitleDto;
/// One push of the signed-in user (an item of [`Client::list_recent_push_events`]).
pub type PersonalPushEvent = types::PersonalPushEventDto;

/// The crate README's Rust examples, compiled with the doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
