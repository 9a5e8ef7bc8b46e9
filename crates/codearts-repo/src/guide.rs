//! Guides to the client's behaviour, each with examples that run against the emulator
//! (`codearts-repo-emulator`, a local CodeArts Repo with seeded data), as tests of your own
//! code can.
//!
//! - [`retries_and_timeouts`]: what is retried, how long it waits, and the three timeouts;
//! - [`pagination`]: one page with `send`, every page with `pages`, `stream` and
//!   `collect`, caps, and how many pages are in flight;
//! - [`errors`]: matching on [`ErrorKind`](crate::ErrorKind), the service's code and the
//!   request id to quote;
//! - [`credentials`]: each credential source, the project id asked of IAM, and how each
//!   compares with the official SDKs;
//! - [`transport`]: proxy, private CA, skipping certificate checks, extra headers and
//!   request/response hooks, one section each;
//! - [`tracing`]: the spans and fields the client emits;
//! - [`testing`]: testing your own code against the emulator;
//! - [`blocking`]: the same client without an async runtime (the `blocking` feature).

pub mod retries_and_timeouts {
    //! Retries and timeouts.
    //!
    //! An attempt that fails with 408, 429, 500, 502, 503 or 504, a connection failure, a
    //! cut or stalled body, or an attempt timeout is tried again, after an exponential
    //! backoff with full jitter (a wait drawn from `0..=initial_backoff`, its ceiling
    //! doubling per retry up to `max_backoff`) or the `Retry-After` the answer asked for,
    //! whichever is longer. Each attempt is signed anew. [`RetryConfig`](crate::RetryConfig)
    //! bounds the attempts (4 by default, [`RetryConfig::disabled`](crate::RetryConfig::disabled)
    //! for one); a 429 is retried apart from them (see
    //! [`ClientBuilder::concurrency`](crate::ClientBuilder::concurrency)).
    //!
    //! Three timeouts bound the waiting: connecting
    //! ([`connect_timeout`](crate::ClientBuilder::connect_timeout)), one attempt from sending
    //! to the last byte of the answer ([`attempt_timeout`](crate::ClientBuilder::attempt_timeout)),
    //! and one operation, every attempt and backoff included
    //! ([`operation_timeout`](crate::ClientBuilder::operation_timeout); for a walk, each
    //! page). A `Retry-After` longer than what is left of the operation ends the retries.
    //!
    //! Here the emulator answers one request in five with a 503; the walk still gets every
    //! commit, and the client retried what failed:
    //!
    //! ```
    //! use std::time::Duration;
    //!
    //! use codearts_repo::{Client, Credentials, RetryConfig};
    //! use codearts_repo_emulator::{Emulator, FaultConfig};
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = Emulator::builder()
    //!     .faults(FaultConfig::default().server_error_rate(0.2).seed(1))
    //!     .start()
    //!     .await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .retry(
    //!         RetryConfig::default()
    //!             .max_attempts(6)
    //!             .initial_backoff(Duration::from_millis(10))
    //!             .max_backoff(Duration::from_millis(100)),
    //!     )
    //!     .connect_timeout(Duration::from_secs(2))
    //!     .attempt_timeout(Duration::from_secs(5))
    //!     .operation_timeout(Duration::from_secs(30))
    //!     .build()?;
    //!
    //! let repository = emulator.repository_ids()[0];
    //! let commits = client.list_commits(repository).collect(None).await?;
    //! assert!(commits.len() >= 100);
    //! assert!(emulator.fault_counts().server_errors() > 0);
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! Without retries the first 503 is the answer, and an attempt that takes longer than
    //! its timeout fails with [`Error::Timeout`](crate::Error::Timeout), naming which bound
    //! ran out:
    //!
    //! ```
    //! use std::time::Duration;
    //!
    //! use codearts_repo::{Client, Credentials, ErrorKind, RetryConfig, TimeoutKind};
    //! use codearts_repo_emulator::{Emulator, FaultConfig};
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = Emulator::builder()
    //!     .faults(FaultConfig::default().latency(Duration::from_millis(300)))
    //!     .start()
    //!     .await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .retry(RetryConfig::disabled())
    //!     .attempt_timeout(Duration::from_millis(50))
    //!     .build()?;
    //!
    //! let error = client.last_push_event(emulator.repository_ids()[0]).send().await.unwrap_err();
    //! assert_eq!(error.kind(), ErrorKind::Timeout);
    //! assert!(matches!(error, codearts_repo::Error::Timeout { which: TimeoutKind::Attempt, .. }));
    //! assert!(error.is_retryable());
    //! # Ok(())
    //! # }
    //! ```
}

pub mod pagination {
    //! Pagination: one page, every page, caps, and pages in flight.
    //!
    //! The list builders ([`ListCommits`](crate::ListCommits),
    //! [`ListRepositoryEvents`](crate::ListRepositoryEvents)) offer:
    //!
    //! - `send()`: one [`Page`](crate::Page), at the builder's `offset` and `limit`, with
    //!   `X-Total` (events), the request id and, for commits, the per-day counts;
    //! - `pages()`: a stream of every page from the offset on, in order;
    //! - `stream()`: a stream of every item, in order, each once;
    //! - `collect(cap)`: up to `cap` items (all with `None`) in a `Vec`; for commits,
    //!   `collect_with_days(cap)` also merges the pages' per-day counts into
    //!   [`DayCounts`](crate::DayCounts);
    //! - `max_items(n)`: a cap for `pages`, `stream` and `collect`: no page past it is
    //!   requested, and the page reaching it asks only for the items it leaves.
    //!
    //! [`LastPushEventRequest`](crate::LastPushEventRequest) and
    //! [`ListRecentPushEvents`](crate::ListRecentPushEvents) have `send()` only (one answer,
    //! one page).
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials, DayCounts, EventFilter, TimeBound};
    //! use codearts_repo_emulator::Emulator;
    //! use futures::{StreamExt, TryStreamExt};
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = Emulator::builder().seed(3).start().await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .build()?;
    //! let repository = emulator.repository_ids()[0];
    //!
    //! // One page: 20 push events from the 40th on, and how many there are in all.
    //! let page = client
    //!     .list_repository_events(repository)
    //!     .filter(EventFilter::Push)
    //!     .offset(40)
    //!     .limit(20)
    //!     .send()
    //!     .await?;
    //! assert_eq!((page.items.len(), page.offset, page.limit), (20, 40, 20));
    //! assert_eq!(page.total, Some(emulator.store().events(repository).len() as u64));
    //! assert!(page.request_id.is_some() && page.repairs.is_empty() && !page.is_short());
    //!
    //! // Every page of commits (of the default branch), 100 at a time; only the last may be short.
    //! let pages: Vec<_> = client.list_commits(repository).limit(100).pages().try_collect().await?;
    //! let counted: usize = pages.iter().map(|page| page.items.len()).sum();
    //! let every = client.list_commits(repository).collect(None).await?;
    //! assert_eq!(counted, every.len());
    //! assert!(pages.iter().rev().skip(1).all(|page| !page.is_short()));
    //!
    //! // Every item, as a stream read at the caller's pace; here the first 250 only.
    //! let first: Vec<_> = client.list_commits(repository).stream().take(250).try_collect().await?;
    //! assert_eq!(first.len(), 250);
    //!
    //! // The same cap, without requesting anything past it.
    //! let capped = client.list_commits(repository).max_items(250).collect(None).await?;
    //! assert_eq!(capped, first);
    //!
    //! // The commits of a time window, with their per-day counts merged across pages.
    //! let since: TimeBound = "2025-01-01".parse()?;
    //! let (commits, days): (_, DayCounts) = client
    //!     .list_commits(repository)
    //!     .since(since)
    //!     .collect_with_days(Some(300))
    //!     .await?;
    //! assert_eq!(days.total(), commits.len() as u64);
    //! if let Some((newest_day, count)) = days.newest_first().first() {
    //!     assert_eq!(days.get(newest_day), Some(*count));
    //! }
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # Pages in flight
    //!
    //! A walk fetches several pages at a time and still yields them in order. When the
    //! first page carries `X-Total` (events) the rest are requested at once, up to
    //! [`max_concurrent_pages`](crate::ClientBuilder::max_concurrent_pages); when it does not
    //! (commits) the walk starts with one page and doubles after each full one, so a short
    //! list costs few extra requests. By default ([`Concurrency::Adaptive`](crate::Concurrency::Adaptive))
    //! the number adapts to the service: it grows while pages arrive cleanly, shrinks on a
    //! 429 or slower answers, and after a 429 every request is paced to the rate the
    //! service is seen to allow ([`Client::pacing`](crate::Client::pacing) shows what was
    //! learned). [`Concurrency::Fixed`](crate::Concurrency::Fixed) pins it.
    //!
    //! Against an emulator that throttles as the API gateway does (2 requests a second per
    //! user, bursts of 4), an adaptive walk gets every page and learns the rate:
    //!
    //! ```
    //! use codearts_repo::{Client, Concurrency, Credentials};
    //! use codearts_repo_emulator::{Emulator, RateLimit, SyntheticConfig};
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = Emulator::builder()
    //!     .synthetic(SyntheticConfig::default().repositories(1).events_per_repository(500))
    //!     .rate_limit(RateLimit::new(20.0, 4))
    //!     .start()
    //!     .await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .concurrency(Concurrency::Adaptive)
    //!     .max_concurrent_pages(8)
    //!     .build()?;
    //!
    //! let repository = emulator.repository_ids()[0];
    //! let events = client.list_repository_events(repository).limit(20).collect(None).await?;
    //! let total = client.list_repository_events(repository).limit(1).send().await?.total;
    //! assert_eq!(Some(events.len() as u64), total);
    //! let pacing = client.pacing().expect("an adaptive client paces");
    //! assert!(pacing.answered >= events.len() as u64 / 20);
    //! # Ok(())
    //! # }
    //! ```
}

pub mod errors {
    //! Errors and request ids.
    //!
    //! Every failure is one [`Error`](crate::Error). Match on
    //! [`kind()`](crate::Error::kind) for what happened, or on the variants for the
    //! details. An error answer of the service ([`Error::Api`](crate::Error::Api)) carries
    //! its status, the service's `error_code` ([`code()`](crate::Error::code)), message
    //! ([`message()`](crate::Error::message)) and the `X-Request-Id` to quote to support
    //! ([`request_id()`](crate::Error::request_id)). Errors found before sending
    //! ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput),
    //! [`ErrorKind::Credentials`](crate::ErrorKind::Credentials)) name what was wrong and
    //! send nothing. Successful pages carry their request id too
    //! ([`Page::request_id`](crate::Page::request_id)).
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials, ErrorKind};
    //! use codearts_repo_emulator::Emulator;
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = Emulator::builder().start().await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .build()?;
    //!
    //! // A repository that does not exist: a 404 with the service's code and a request id.
    //! let error = client.list_commits(999_999).send().await.unwrap_err();
    //! match error.kind() {
    //!     ErrorKind::Api if error.is_not_found() => {
    //!         let code = error.code().expect("an error code");
    //!         let request_id = error.request_id().expect("a request id");
    //!         println!("not found ({code}); quote request id {request_id}");
    //!         assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    //!         assert!(!error.is_retryable());
    //!     }
    //!     ErrorKind::Timeout | ErrorKind::Transport => println!("try again later: {error}"),
    //!     other => panic!("unexpected {other:?}: {error}"),
    //! }
    //!
    //! // Out of range: refused before anything is sent, naming the parameter and range.
    //! let error = client.list_commits(1).limit(101).send().await.unwrap_err();
    //! assert_eq!(error.kind(), ErrorKind::InvalidInput);
    //! assert_eq!(error.to_string(), "invalid limit \"101\": expected an integer in 1..=100");
    //!
    //! // A token the service does not know: a 401, and the whole answer in `api()`.
    //! let stranger = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token("not-a-token"))
    //!     .build()?;
    //! let error = stranger.list_recent_push_events().send().await.unwrap_err();
    //! let api = error.api().expect("an error answer");
    //! assert_eq!(api.status.as_u16(), 401);
    //! assert!(api.request_id.is_some() && api.code.is_some());
    //! # Ok(())
    //! # }
    //! ```
}

pub mod credentials {
    //! Credentials, one section per source; each example runs against the emulator, which
    //! plays IAM and the ECS metadata service too. The default chain and the exact rules
    //! are in the [`credentials`](crate::credentials) module.
    //!
    //! # An IAM token
    //!
    //! [`Credentials::token`](crate::Credentials::token), or `CODEARTS_REPO_TOKEN`: sent as
    //! `X-Auth-Token` (the official SDKs have no token credentials).
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .build()?;
    //! client.list_commits(emulator.repository_ids()[0]).limit(1).send().await?;
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # An AK/SK pair, and the project id from IAM
    //!
    //! [`Credentials::access_key`](crate::Credentials::access_key), or
    //! `HUAWEICLOUD_SDK_AK`/`HUAWEICLOUD_SDK_SK`, or the credentials file's `ak`/`sk`: every
    //! request signed (`SDK-HMAC-SHA256` or another of
    //! [`SigningAlgorithm`](crate::SigningAlgorithm)). With a region and no project id, the
    //! project id is asked of IAM once (`GET /v3/projects?name=<region>`); a region with no
    //! project or several fails with [`Error::ProjectId`](crate::Error::ProjectId). Here the
    //! region's endpoint and IAM are both the emulator, named by the official SDKs'
    //! variables:
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials, Error, ProjectIdProblem};
    //! use codearts_repo_emulator::{Emulator, IamConfig};
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = Emulator::builder()
    //!     .iam(IamConfig::default().projects("cn-east-3", ["p1", "p2"]))
    //!     .start()
    //!     .await?;
    //! let user = emulator.credentials().clone();
    //! let base = emulator.base_url().to_string();
    //! let client = |region: &str| {
    //!     let base = base.clone();
    //!     Client::builder()
    //!         .region(region)
    //!         .allow_http(true)
    //!         .env_lookup(move |name| match name {
    //!             "HUAWEICLOUD_SDK_REGION_CODEARTSREPO_CN_NORTH_4"
    //!             | "HUAWEICLOUD_SDK_REGION_CODEARTSREPO_CN_EAST_3"
    //!             | "HUAWEICLOUD_SDK_IAM_ENDPOINT" => Some(base.clone()),
    //!             _ => None,
    //!         })
    //!         .credentials(Credentials::access_key(&user.access_key, &user.secret_key))
    //!         .build()
    //! };
    //! let repository = emulator.repository_ids()[0];
    //! client("cn-north-4")?.list_commits(repository).limit(1).send().await?;
    //! assert_eq!(emulator.iam_requests().0, 1, "IAM listed the region's project once");
    //! match client("cn-east-3")?.list_commits(repository).send().await {
    //!     Err(Error::ProjectId { problem: ProjectIdProblem::Several(ids), .. }) => assert_eq!(ids, ["p1", "p2"]),
    //!     other => panic!("{other:?}"),
    //! }
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # Temporary AK/SK
    //!
    //! [`Credentials::security_token`](crate::Credentials::security_token), or
    //! `HUAWEICLOUD_SDK_SECURITY_TOKEN`, or the file's `security_token`: signed as
    //! `X-Security-Token`. The emulator refuses them once expired, as the service does.
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
    //! let temporary = &emulator.credentials().temporary;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(
    //!         Credentials::access_key(&temporary.access_key, &temporary.secret_key)
    //!             .security_token(&temporary.security_token),
    //!     )
    //!     .build()?;
    //! client.list_commits(emulator.repository_ids()[0]).limit(1).send().await?;
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # ECS metadata
    //!
    //! [`Credentials::ecs_metadata`](crate::Credentials::ecs_metadata): the instance's
    //! temporary keys from `http://169.254.169.254/openstack/latest/securitykey`, fetched
    //! once and again 40 minutes ahead of expiry; a failure is an
    //! [`Error::Credentials`](crate::Error::Credentials) naming the metadata endpoint.
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::ecs_metadata().metadata_endpoint(emulator.base_url()))
    //!     .build()?;
    //! client.list_commits(emulator.repository_ids()[0]).limit(1).send().await?;
    //! assert_eq!(emulator.metadata_requests(), 1);
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # IdP federation
    //!
    //! [`Credentials::idp`](crate::Credentials::idp), or
    //! `HUAWEICLOUD_SDK_IDP_ID`/`HUAWEICLOUD_SDK_ID_TOKEN_FILE`, or the file's
    //! `idp_id`/`id_token_file`: the OIDC id token exchanged at IAM for an unscoped token,
    //! then for temporary keys valid 6 hours, fetched once for any number of concurrent
    //! requests and again 40 minutes ahead of expiry. A failed exchange is an
    //! [`Error::Credentials`](crate::Error::Credentials) naming the IdP, the token file and
    //! IAM; only one of the two variables set is an error at build.
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
    //! let (idp_id, id_token) = emulator.iam_idp();
    //! let dir = tempfile::tempdir()?;
    //! let token_file = dir.path().join("id_token");
    //! std::fs::write(&token_file, id_token)?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .iam_endpoint(emulator.base_url())
    //!     .credentials(Credentials::idp(idp_id, &token_file))
    //!     .build()?;
    //! client.list_commits(emulator.repository_ids()[0]).limit(1).send().await?;
    //! assert_eq!(emulator.iam_requests(), (0, 1, 1), "one exchange: token, then keys");
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # Compared with the official SDKs
    //!
    //! | feature | official Python | official Go | this crate |
    //! | --- | --- | --- | --- |
    //! | chain order | OIDC STS, env (IdP before AK/SK), profile file (IdP before AK/SK), metadata, pod identity | env, profile, metadata | token, env (IdP before AK/SK), file (IdP before AK/SK); metadata and OIDC STS on request only |
    //! | half-set IdP (`idp_id` without `id_token_file`) | AK/SK used if set, else an error | same | an error naming the variable or key |
    //! | IdP variables and file keys | `HUAWEICLOUD_SDK_IDP_ID`, `HUAWEICLOUD_SDK_ID_TOKEN_FILE`; `idp_id`, `id_token_file`, `iam_endpoint` | same | same |
    //! | IdP exchange | `X-Idp-Id` + `auth.id_token.id`, then `securitytokens` with `duration_seconds` 21600 | same | same |
    //! | IdP refresh | 40 min ahead of expiry, unsynchronised | same | 40 min ahead, one fetch for concurrent requests |
    //! | IAM endpoint for IdP | explicit, `HUAWEICLOUD_SDK_IAM_ENDPOINT`, the region's when a project id was looked up, else global | explicit, variable, global | explicit (builder, then file), variable, global |
    //! | IAM endpoint for project ids | explicit, variable, region table, global | same (variable without scheme gets `https://`) | builder, file, variable (without scheme gets `https://`), region table, global |
    //! | project id lookup | at client build, cached per AK (or IdP id) + region for the process | same | before the first request, once per client, cached per IAM endpoint + AK (or IdP id) + region for the process |
    //! | none / several projects | `SdkException` with `X-IAM-Trace-Id` | `error` with trace id | [`Error::ProjectId`](crate::Error::ProjectId) with [`ProjectIdProblem`](crate::ProjectIdProblem) and trace id |
    //! | metadata failure | `ClientRequestException` | `error` | [`Error::Credentials`](crate::Error::Credentials) naming the endpoint |
}

pub mod tracing {
    //! Tracing: the spans and fields the client emits, through the
    //! [`tracing`](https://docs.rs/tracing) crate (nothing is printed unless the program
    //! installs a subscriber).
    //!
    //! | span | level | fields |
    //! | --- | --- | --- |
    //! | `codearts_repo.request`, one per operation (one page of a walk) | INFO | `operation` (the spec's operation id, such as `ListCommits`), `method`, `path`, `attempts`, `status`, `request_id`, `duration_ms` |
    //! | `codearts_repo.attempt`, one per attempt, inside the request span | DEBUG | `attempt` (1, 2, …), `status`, `request_id`, `duration_ms` |
    //!
    //! Events at DEBUG inside the spans say why an attempt is retried ("retrying after a
    //! 429", "after a retryable status", "after a transport failure", with `attempt` and
    //! `delay_ms`), and a WARN event reports an answer over
    //! [`max_response_bytes`](crate::ClientBuilder::max_response_bytes) (`status`, `limit`,
    //! `received`, `declared`). No token, secret key, signature or security token is ever
    //! recorded; the path holds the repository id and the query is not recorded.
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! use codearts_repo_emulator::Emulator;
    //! use tracing_subscriber::fmt::format::FmtSpan;
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! // Every span as it closes, with its fields, on stderr.
    //! let subscriber = tracing_subscriber::fmt()
    //!     .with_max_level(tracing::Level::DEBUG)
    //!     .with_span_events(FmtSpan::CLOSE)
    //!     .with_writer(std::io::stderr)
    //!     .finish();
    //! let _guard = tracing::subscriber::set_default(subscriber);
    //!
    //! let emulator = Emulator::builder().start().await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .build()?;
    //! // Logs the close of a `codearts_repo.request` span (its operation, status 200,
    //! // request id, duration), with the `codearts_repo.attempt` span inside it.
    //! client.last_push_event(emulator.repository_ids()[0]).send().await?;
    //! # Ok(())
    //! # }
    //! ```
}

pub mod testing {
    //! Testing your own code against the emulator.
    //!
    //! `codearts-repo-emulator` is a local CodeArts Repo: seeded synthetic data (or a git
    //! repository imported), real token and AK/SK checks, the service's parameter checks,
    //! and faults to inject (latency, server errors, throttling, resets, cut and stalled
    //! bodies). A test starts one on an ephemeral port and points the client at it with
    //! [`endpoint`](crate::ClientBuilder::endpoint) and
    //! [`allow_http`](crate::ClientBuilder::allow_http). Add it without its command line:
    //!
    //! ```toml
    //! [dev-dependencies]
    //! codearts-repo-emulator = { version = "0.1", default-features = false }
    //! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
    //! ```
    //!
    //! Write the code under test against a [`Client`](crate::Client) it is given, and
    //! compare what it computes with the emulator's own data
    //! ([`Emulator::store`](https://docs.rs/codearts-repo-emulator)):
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! use codearts_repo_emulator::{Emulator, FaultConfig, SyntheticConfig};
    //!
    //! /// The code under test: who pushed most to a repository.
    //! async fn busiest_pusher(client: &Client, repository: u32) -> codearts_repo::Result<Option<String>> {
    //!     let events = client.list_repository_events(repository).collect(None).await?;
    //!     let mut counts = std::collections::BTreeMap::<String, usize>::new();
    //!     for event in events {
    //!         if let Some(name) = event.author_username {
    //!             *counts.entry(name).or_default() += 1;
    //!         }
    //!     }
    //!     Ok(counts.into_iter().max_by_key(|(_, n)| *n).map(|(name, _)| name))
    //! }
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! // In a test (`#[tokio::test]`): seeded data, and some server errors to ride out.
    //! let emulator = Emulator::builder()
    //!     .seed(11)
    //!     .synthetic(SyntheticConfig::default().repositories(1).events_per_repository(120).users(3))
    //!     .faults(FaultConfig::default().server_error_rate(0.1).seed(11))
    //!     .start()
    //!     .await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .build()?;
    //!
    //! let repository = emulator.repository_ids()[0];
    //! let found = busiest_pusher(&client, repository).await?;
    //! assert!(found.is_some());
    //!
    //! // The same answer from the emulator's own data.
    //! let mut counts = std::collections::BTreeMap::<String, usize>::new();
    //! for event in emulator.store().events(repository) {
    //!     if let Some(name) = event.author_username {
    //!         *counts.entry(name).or_default() += 1;
    //!     }
    //! }
    //! let expected = counts.into_iter().max_by_key(|(_, n)| *n).map(|(name, _)| name);
    //! assert_eq!(found, expected);
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! The emulator also answers AK/SK-signed requests
    //! ([`credentials()`](https://docs.rs/codearts-repo-emulator) has the pair and the
    //! project id), so signing can be tested too; the `examples/` programs of this crate
    //! start one themselves when no endpoint or region is configured.
}

pub mod transport {
    //! Transport settings, one section per option, each with an example: what the
    //! official SDKs' `HttpConfig` holds (proxy, CA bundle, skipping verification) and
    //! their `HttpHandler`s, as [`ClientBuilder`](crate::ClientBuilder) options. None
    //! needs a hand-built `reqwest::Client` ([`http_client`](crate::ClientBuilder::http_client)
    //! remains for what they do not cover; `reqwest` is re-exported as
    //! [`codearts_repo::reqwest`](crate::reqwest)).
    //!
    //! # A proxy
    //!
    //! [`proxy`](crate::ClientBuilder::proxy): every request goes through it; a user and
    //! password in the URL are sent as the proxy's basic authentication and shown neither in
    //! `Debug` nor in errors. Without it, `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` apply (the
    //! default `system-proxy` feature).
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //!
    //! let client = Client::builder()
    //!     .region("cn-north-4")
    //!     .credentials(Credentials::token("token"))
    //!     .proxy("http://user:secret@proxy.example:3128")
    //!     .build()?;
    //! assert!(!format!("{client:?}").contains("secret"));
    //! # Ok::<(), codearts_repo::Error>(())
    //! ```
    //!
    //! # A private CA
    //!
    //! [`add_root_certificate_pem`](crate::ClientBuilder::add_root_certificate_pem): trust
    //! these root certificates as well as the platform's (a private CA, a TLS-inspecting
    //! proxy); the official SDKs' `ssl_ca_cert`. A text that holds no certificate fails at
    //! `build()`.
    //!
    //! ```no_run
    //! use codearts_repo::{Client, Credentials};
    //!
    //! let bundle = std::fs::read("/etc/ssl/private-ca.pem")?;
    //! let client = Client::builder()
    //!     .endpoint("https://codehub.internal.example")
    //!     .credentials(Credentials::token("token"))
    //!     .add_root_certificate_pem(bundle)
    //!     .build()?;
    //! # Ok::<(), Box<dyn std::error::Error>>(())
    //! ```
    //!
    //! # Skipping certificate checks
    //!
    //! [`danger_accept_invalid_certs`](crate::ClientBuilder::danger_accept_invalid_certs):
    //! any certificate is accepted, so anyone on the path can read and change the traffic,
    //! credentials included. For test setups only (the official SDKs'
    //! `ignore_ssl_verification`); a warning is logged when such a client is built.
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //!
    //! let client = Client::builder()
    //!     .endpoint("https://localhost:8443")
    //!     .credentials(Credentials::token("token"))
    //!     .danger_accept_invalid_certs(true)
    //!     .build()?;
    //! # Ok::<(), codearts_repo::Error>(())
    //! ```
    //!
    //! # Extra headers
    //!
    //! [`header`](crate::ClientBuilder::header): sent with every request, unsigned. The
    //! headers the SDK sets for authentication are refused at `build()`, naming the header.
    //!
    //! ```
    //! use codearts_repo::{Client, Credentials};
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .header("X-Team", "release")
    //!     .build()?;
    //! client.list_commits(emulator.repository_ids()[0]).limit(1).send().await?;
    //!
    //! let refused = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token("token"))
    //!     .header("X-Auth-Token", "another")
    //!     .build();
    //! assert!(refused.unwrap_err().to_string().contains("X-Auth-Token"));
    //! # Ok(())
    //! # }
    //! ```
    //!
    //! # Request and response hooks
    //!
    //! [`interceptor`](crate::ClientBuilder::interceptor) with an
    //! [`Interceptor`](crate::Interceptor): called with each attempt's request before it is
    //! signed, and with what each attempt came to (status, headers, failure, time), retries
    //! included; the official SDKs' `HttpHandler`s. Here one counts the answers:
    //!
    //! ```
    //! use std::sync::Arc;
    //! use std::sync::atomic::{AtomicU32, Ordering};
    //!
    //! use codearts_repo::{Attempt, Client, Credentials, Interceptor};
    //!
    //! struct Counting(Arc<AtomicU32>);
    //!
    //! impl Interceptor for Counting {
    //!     fn after_attempt(&self, attempt: &Attempt<'_>) {
    //!         if attempt.status.is_some() {
    //!             self.0.fetch_add(1, Ordering::Relaxed);
    //!         }
    //!     }
    //! }
    //!
    //! # #[tokio::main(flavor = "current_thread")]
    //! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    //! let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
    //! let answers = Arc::new(AtomicU32::new(0));
    //! let client = Client::builder()
    //!     .endpoint(emulator.base_url())
    //!     .allow_http(true)
    //!     .credentials(Credentials::token(&emulator.credentials().token))
    //!     .interceptor(Counting(answers.clone()))
    //!     .build()?;
    //! client.list_commits(emulator.repository_ids()[0]).limit(1).send().await?;
    //! assert_eq!(answers.load(Ordering::Relaxed), 1);
    //! # Ok(())
    //! # }
    //! ```
}

pub mod blocking {
    //! Without an async runtime: the `blocking` feature.
    //!
    //! A program with no tokio runtime of its own (a build script, a small tool, a
    //! synchronous application) turns on the `blocking` feature (off by default) and uses
    //! `codearts_repo::blocking::Client`:
    //!
    //! ```toml
    //! [dependencies]
    //! codearts-repo = { version = "0.1", features = ["blocking"] }
    //! ```
    //!
    //! It is the async client, run on a one-thread runtime the blocking client starts at
    //! `build()`: the same builder and checks, the same request builders and setters, the
    //! same [`Error`](crate::Error), and the same requests (signing, retries, timeouts,
    //! pacing). Only the calls differ:
    //!
    //! | async [`Client`](crate::Client) | blocking client |
    //! | --- | --- |
    //! | `send().await` | `send()` |
    //! | `pages()`: a stream of pages | `pages()`: an iterator of pages |
    //! | `stream()`: a stream of items | `items()`: an iterator of items |
    //! | `collect(cap).await` | `collect(cap)` |
    //!
    //! The iterators drive the async walk as they are read, so they keep its promises:
    //! items in order and each once, several pages in flight
    //! ([`max_concurrent_pages`](crate::ClientBuilder::max_concurrent_pages), adapted to
    //! the service by default), failed pages fetched again within the walk's
    //! [`PageRetryBudget`](crate::PageRetryBudget), and no page past
    //! [`max_items`](crate::ListCommits::max_items) requested. An iterator dropped half way
    //! cancels the requests under way.
    //!
    //! Calls block the calling thread while the client's own thread does the work, so they
    //! also work (and never panic) inside an async runtime, where they hold up that
    //! runtime's thread meanwhile: in async code, the async client is the better choice.
    //! Examples are in the `blocking` module's documentation (built with the feature,
    //! as on docs.rs).
}
