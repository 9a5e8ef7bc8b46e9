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
//!     println!("{} {}", commit.short_id.as_deref().unwrap_or(&commit.id), commit.title.as_deref().unwrap_or(""));
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
//! # What the client does for every request
//!
//! - **Endpoint**: a region of [`REGION_ENDPOINTS`] ([`DEFAULT_REGION`] by default) or a
//!   custom `https://` endpoint (`http://` only with [`ClientBuilder::allow_http`]).
//! - **Credentials** ([`Credentials`]): an IAM token (`X-Auth-Token`) or AK/SK signing
//!   (`SDK-HMAC-SHA256`, as the official SDKs sign), from code, the environment or the
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

mod client;
pub mod credentials;
mod decode;
mod error;
mod operations;
mod pagination;
mod redact;

pub use client::{
    Client, ClientBuilder, Concurrency, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONCURRENT_PAGES, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_OPERATION_TIMEOUT,
    DEFAULT_USER_AGENT, MAX_CONCURRENT_PAGES_LIMIT, PacingStats, RetryConfig,
};
pub use credentials::Credentials;
pub use decode::FieldRepair;
pub use error::{
    ApiError, Error, ErrorKind, MAX_DISPLAY_CHARS, Result, TimeoutKind, escape_char, needs_escape,
    printable,
};
pub use operations::{
    DEFAULT_LIMIT, DEFAULT_SIZE, LastPushEventRequest, ListCommits, ListRecentPushEvents,
    ListRepositoryEvents, MAX_ID, MAX_LIMIT, MAX_SIZE, MIN_LIMIT, MIN_SIZE, PROJECT_ID_LEN,
    TimeBound, TimeBoundError, WALK_LIMIT,
};
pub use pagination::{
    DEFAULT_PAGE_RETRIES, DEFAULT_PAGES_PER_RETRY, DayCounts, Page, PageRetryBudget,
};
pub use redact::{RedactedUrl, redact_url};

pub use codearts_repo_gen::types::{self, EventFilter};
pub use codearts_repo_gen::{DEFAULT_REGION, REGION_ENDPOINTS};
pub use codearts_repo_runtime::lenient::{DevelopMode, PushEventActionName, Timestamp, UserState};

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
