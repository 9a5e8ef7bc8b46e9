//! The client and its builder.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codearts_repo_gen::types::ErrorBody;
use codearts_repo_gen::{ClientInfo, DEFAULT_REGION, REGION_ENDPOINTS, ResponseValue};
use codearts_repo_runtime::call::with_paced_call_record;
use codearts_repo_runtime::pacing::{Pacer, PacerStats};
use codearts_repo_runtime::retry::{RetryPolicy, retry_after};
use codearts_repo_runtime::{ClientState, error_body};
use reqwest::header::{HeaderMap, HeaderValue};

use codearts_repo_runtime::intercept::Interceptor;

use crate::transport::Transport;
use serde::de::DeserializeOwned;

use crate::credentials::Credentials;
use crate::decode::{self, FieldRepair};
use crate::error::{ApiError, Error, Result, TimeoutKind, with_causes};
use crate::pagination::{PageConcurrency, PageRetryBudget};
use crate::redact::redact_url;

/// Default bound on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on one attempt, from sending to the last byte of the answer.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default bound on one operation (one page), every attempt and backoff included.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);
/// Default number of pages fetched at the same time by `stream`, `pages` and `collect`.
///
/// Ten, like the AWS CLI's default `max_concurrent_requests` for bulk transfers: at 20 ms
/// per request it exports 100,000 commits about ten times as fast as one page at a time
/// (`BENCHMARKS.md`). Walks without `X-Total` ramp up to it from one page (see
/// [`ClientBuilder::max_concurrent_pages`]), so short lists cost few extra requests.
pub const DEFAULT_MAX_CONCURRENT_PAGES: usize = 10;
/// Most pages fetched at the same time that can be configured.
pub const MAX_CONCURRENT_PAGES_LIMIT: usize = 32;
/// Default largest body read from one answer: 16 MiB, about 200 times a page of 100
/// commits (about 85 KB). See [`ClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 =
    codearts_repo_runtime::response::DEFAULT_MAX_RESPONSE_BYTES;
/// `User-Agent` sent when none is configured.
pub const DEFAULT_USER_AGENT: &str = concat!("codearts-repo-rust/", env!("CARGO_PKG_VERSION"));

/// Time allowed past the operation deadline for decoding, before the operation is cut.
const DECODE_GRACE: Duration = Duration::from_secs(5);

/// How many pages `stream`, `pages` and `collect` fetch at the same time; see
/// [`ClientBuilder::concurrency`].
///
/// ```
/// use codearts_repo::{Client, Concurrency, Credentials};
///
/// let adaptive = Client::builder().credentials(Credentials::token("t")).build()?;
/// assert!(adaptive.pacing().is_some());
/// let pinned = Client::builder()
///     .credentials(Credentials::token("t"))
///     .concurrency(Concurrency::Fixed(4))
///     .build()?;
/// assert!(pinned.pacing().is_none());
/// # Ok::<(), codearts_repo::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Concurrency {
    /// As many as the service allows, up to [`ClientBuilder::max_concurrent_pages`] (the
    /// default). The number of pages in flight grows while pages arrive cleanly and
    /// shrinks when the service slows down (its median round trip past twice its
    /// quickest). Once 429s come densely (a tenth of the answers or more), the client
    /// paces every request to the rate the service is seen to allow, so that few requests
    /// are sent only to be throttled; scattered 429s that the client's own rate cannot
    /// explain are retried without slowing it.
    #[default]
    Adaptive,
    /// Exactly this many (in `1..=`[`MAX_CONCURRENT_PAGES_LIMIT`]) once a walk is under
    /// way, with no pacing: throttled requests are retried after their `Retry-After`.
    Fixed(usize),
}

/// What an adaptive client ([`Concurrency::Adaptive`]) learned of the service's
/// throttling so far, from [`Client::pacing`].
pub type PacingStats = PacerStats;

/// Settings for how failed attempts are retried (the default: 4 attempts, backoff drawn
/// from `0..=200 ms` doubling up to 10 s, `Retry-After` honoured). See the
/// [guide](crate::guide::retries_and_timeouts).
///
/// ```
/// use std::time::Duration;
///
/// use codearts_repo::{Client, Credentials, RetryConfig};
///
/// let patient = RetryConfig::default()
///     .max_attempts(8)
///     .initial_backoff(Duration::from_millis(500))
///     .max_backoff(Duration::from_secs(30));
/// assert_eq!(patient.max_attempts, 8);
/// assert!(patient.backoff(3) <= Duration::from_secs(2));
/// assert_eq!(RetryConfig::disabled().max_attempts, 1);
/// let client = Client::builder().credentials(Credentials::token("t")).retry(patient).build()?;
/// # let _ = client;
/// # Ok::<(), codearts_repo::Error>(())
/// ```
pub type RetryConfig = RetryPolicy;

/// A CodeArts Repo client. Cheap to clone; clones share connections and settings.
///
/// Built with [`Client::builder`]; see the [crate docs](crate) for a quick start and the
/// [`guide`](crate::guide) for each topic. Each operation returns a request builder:
///
/// ```
/// use codearts_repo::{Client, Credentials};
/// use futures::TryStreamExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = codearts_repo_emulator::Emulator::builder().start().await?;
/// let client = Client::builder()
///     .endpoint(emulator.base_url()) // a local emulator; `.region("cn-north-4")` for the service
///     .allow_http(true)
///     .credentials(Credentials::token(&emulator.credentials().token))
///     .build()?;
/// let repository = emulator.repository_ids()[0];
///
/// let events = client.list_repository_events(repository).limit(5).send().await?;
/// let last = client.last_push_event(repository).send().await?;
/// let commits: Vec<_> = client.list_commits(repository).max_items(42).stream().try_collect().await?;
/// let mine = client.list_recent_push_events().send().await?;
/// assert_eq!((events.items.len(), commits.len()), (5, 42));
/// assert!(last.is_some() && mine.request_id.is_some());
/// assert_eq!(client.endpoint(), emulator.base_url().trim_end_matches('/'));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) wire: codearts_repo_gen::Client,
    endpoint: String,
    region: Option<String>,
    credentials_source: String,
    operation_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    /// How many pages a walk fetches at once, and the pacer when adaptive (the name is
    /// what the walks read).
    pub(crate) max_concurrent_pages: PageConcurrency,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("region", &self.inner.region)
            .field("credentials", &self.inner.credentials_source)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the defaults: region [`DEFAULT_REGION`], credentials from
    /// [`Credentials::default_chain`], the `DEFAULT_*` timeouts and [`RetryConfig::default`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base address requests go to, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// The region, unless a custom endpoint was given.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Where the credentials came from, such as `HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK`.
    pub fn credentials_source(&self) -> &str {
        &self.inner.credentials_source
    }

    /// What the client learned of the service's throttling so far: answers, 429s among
    /// them, the request rate it keeps to, round-trip times. `None` with
    /// [`Concurrency::Fixed`], which does not pace.
    pub fn pacing(&self) -> Option<PacingStats> {
        self.inner
            .max_concurrent_pages
            .pacer
            .as_ref()
            .map(|pacer| pacer.stats())
    }

    /// The generated wire-level client underneath, for what this crate does not cover.
    /// Its requests go through the same signing, retries and tracing (not the pacing of
    /// [`Concurrency::Adaptive`]).
    pub fn wire(&self) -> &codearts_repo_gen::Client {
        &self.inner.wire
    }

    /// Runs one generated operation with the operation timeout and maps its outcome.
    pub(crate) async fn execute<T, F>(&self, operation: &'static str, send: F) -> Result<Reply<T>>
    where
        T: DeserializeOwned + decode::ReferenceRequired,
        F: Future<
            Output = std::result::Result<ResponseValue<T>, codearts_repo_gen::Error<ErrorBody>>,
        >,
    {
        let limit = self.inner.operation_timeout;
        // A timeout too long to represent as an instant is no deadline.
        let deadline = limit.and_then(|l| Instant::now().checked_add(l));
        let pacer = self.inner.max_concurrent_pages.pacer.clone();
        let recorded = with_paced_call_record(deadline, pacer, send);
        let (result, record) = match limit {
            Some(limit) => tokio::time::timeout(limit.saturating_add(DECODE_GRACE), recorded)
                .await
                .map_err(|_| Error::Timeout {
                    operation,
                    which: TimeoutKind::Operation,
                    limit: Some(limit),
                    attempts: 0,
                })?,
            None => recorded.await,
        };
        let attempts = record.attempts;
        if let (Err(_), Some(failure)) = (&result, record.credentials_failure) {
            use codearts_repo_runtime::auth::CredentialFailure;
            return Err(match failure {
                CredentialFailure::ProjectId {
                    region,
                    iam_endpoint,
                    problem,
                    trace_id,
                } => Error::ProjectId {
                    operation,
                    region,
                    iam_endpoint,
                    problem,
                    trace_id,
                },
                CredentialFailure::Refresh { source, message } => Error::Credentials {
                    looked_at: source,
                    message: format!("cannot get temporary credentials: {message}"),
                },
                other => Error::Credentials {
                    looked_at: self.inner.credentials_source.clone(),
                    message: other.to_string(),
                },
            });
        }
        if let (Err(_), Some(too_large)) = (&result, record.body_too_large) {
            return Err(Error::ResponseTooLarge {
                operation,
                limit: too_large.limit,
                received: too_large.received,
                declared: too_large.declared,
                status: record.status.unwrap_or_default(),
                request_id: record.headers.as_ref().and_then(decode::request_id),
            });
        }
        use codearts_repo_gen::Error as Wire;
        match result {
            Ok(value) => {
                // The attempt loop kept a copy of the headers; no need to clone them again.
                let headers = match record.headers {
                    Some(headers) => headers,
                    None => value.headers().clone(),
                };
                let value = value.into_inner();
                let mut repairs = Vec::new();
                decode::report_missing(&value, &mut repairs);
                warn_repairs(operation, &repairs);
                Ok(Reply {
                    value,
                    headers,
                    repairs,
                })
            }
            Err(Wire::ErrorResponse(answer)) => {
                let status = answer.status();
                let headers = answer.headers().clone();
                let body = answer.into_inner();
                Err(api_error(
                    operation,
                    status,
                    &headers,
                    body.error_code,
                    body.error_msg,
                    attempts,
                ))
            }
            Err(Wire::UnexpectedResponse(response)) => {
                let status = response.status();
                let headers = response.headers().clone();
                // The attempt loop already read the body; this takes the buffered bytes.
                let body = response.bytes().await.unwrap_or_default();
                if status.is_success() {
                    return Err(Error::Decode {
                        operation,
                        path: ".".into(),
                        message: format!("unexpected success status {status}"),
                        excerpt: decode::excerpt(&body, 0, 0),
                        request_id: decode::request_id(&headers),
                    });
                }
                let parts = error_body::parse(&body);
                Err(api_error(
                    operation,
                    status,
                    &headers,
                    parts.code,
                    parts.message,
                    attempts,
                ))
            }
            Err(Wire::InvalidResponsePayload(body, _)) => {
                let headers = record.headers.unwrap_or_default();
                match decode::decode_leniently::<T>(&body) {
                    Ok((value, mut repairs)) => {
                        decode::report_missing(&value, &mut repairs);
                        warn_repairs(operation, &repairs);
                        Ok(Reply {
                            value,
                            headers,
                            repairs,
                        })
                    }
                    Err(failure) => Err(Error::Decode {
                        operation,
                        path: failure.path,
                        message: failure.message,
                        excerpt: failure.excerpt,
                        request_id: decode::request_id(&headers),
                    }),
                }
            }
            Err(
                Wire::CommunicationError(error)
                | Wire::ResponseBodyError(error)
                | Wire::InvalidUpgrade(error),
            ) => {
                if error.is_timeout() || record.timed_out {
                    let (which, limit) = if record.deadline_reached {
                        (TimeoutKind::Operation, limit)
                    } else if error.is_connect() {
                        (TimeoutKind::Connect, self.inner.connect_timeout)
                    } else {
                        (
                            TimeoutKind::Attempt,
                            self.inner.wire.inner().attempt_timeout,
                        )
                    };
                    return Err(Error::Timeout {
                        operation,
                        which,
                        limit,
                        attempts,
                    });
                }
                Err(Error::Transport {
                    operation,
                    attempts,
                    message: transport_message(&error),
                    source: Some(error),
                })
            }
            Err(Wire::InvalidRequest(message)) => Err(Error::InvalidInput {
                parameter: "request",
                value: String::new(),
                expected: message,
            }),
            Err(Wire::Custom(message)) => Err(Error::Transport {
                operation,
                attempts,
                message,
                source: None,
            }),
        }
    }
}

/// Logs each repair of an answer.
fn warn_repairs(operation: &'static str, repairs: &[FieldRepair]) {
    for repair in repairs {
        if repair.problem == decode::MISSING_PROBLEM {
            tracing::warn!(operation, path = %repair.path, problem = %repair.problem, "a field the reference requires is missing");
        } else {
            tracing::warn!(operation, path = %repair.path, problem = %repair.problem, "dropped a malformed optional field");
        }
    }
}

fn api_error(
    operation: &'static str,
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    code: Option<String>,
    message: Option<String>,
    attempts: u32,
) -> Error {
    Error::Api(Box::new(ApiError {
        operation,
        status,
        code,
        message,
        request_id: decode::request_id(headers),
        retry_after: retry_after(headers, chrono::Utc::now()),
        attempts,
    }))
}

/// A decoded answer with its headers and any dropped fields.
pub(crate) struct Reply<T> {
    pub value: T,
    pub headers: HeaderMap,
    pub repairs: Vec<FieldRepair>,
}

/// Settings of a [`Client`]; nothing is checked until [`ClientBuilder::build`].
///
/// ```
/// use std::time::Duration;
///
/// use codearts_repo::{Client, Concurrency, Credentials, ErrorKind, RetryConfig};
///
/// let client = Client::builder()
///     .region("cn-north-4") // or .endpoint("https://proxy.example.com")
///     .credentials(Credentials::access_key("AK", "SK").project_id("0123456789abcdef0123456789abcdef"))
///     .connect_timeout(Duration::from_secs(5))
///     .attempt_timeout(Duration::from_secs(20))
///     .operation_timeout(Duration::from_secs(60))
///     .retry(RetryConfig::default().max_attempts(5))
///     .concurrency(Concurrency::Adaptive)
///     .max_concurrent_pages(16)
///     .max_response_bytes(4 << 20)
///     .user_agent("my-tool/1.0")
///     .build()?;
/// assert_eq!(client.region(), Some("cn-north-4"));
/// assert_eq!(client.endpoint(), "https://codehub-ext.cn-north-4.myhuaweicloud.com");
///
/// // Out-of-range settings fail at build, naming the setting; nothing is sent.
/// let e = Client::builder().credentials(Credentials::token("t")).max_concurrent_pages(0).build().unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::InvalidInput);
/// let e = Client::builder().region("mars-1").credentials(Credentials::token("t")).build().unwrap_err();
/// assert!(e.to_string().contains("mars-1"));
/// # Ok::<(), codearts_repo::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    allow_http: bool,
    credentials: Option<Credentials>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry: RetryConfig,
    max_concurrent_pages: usize,
    concurrency: Concurrency,
    page_retry_budget: PageRetryBudget,
    max_response_bytes: u64,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    transport: Transport,
    env: Option<EnvLookup>,
    iam_endpoint: Option<String>,
}

/// Reads an environment variable (see [`ClientBuilder::env_lookup`]).
type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            region: None,
            endpoint: None,
            allow_http: false,
            credentials: None,
            connect_timeout: None,
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
            operation_timeout: Some(DEFAULT_OPERATION_TIMEOUT),
            retry: RetryConfig::default(),
            max_concurrent_pages: DEFAULT_MAX_CONCURRENT_PAGES,
            concurrency: Concurrency::default(),
            page_retry_budget: PageRetryBudget::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: None,
            http_client: None,
            transport: Transport::default(),
            env: None,
            iam_endpoint: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            // An endpoint's user info and query values are kept out of logs too.
            .field(
                "endpoint",
                &self.endpoint.as_deref().map(|e| redact_url(e).to_string()),
            )
            .field("allow_http", &self.allow_http)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .field("max_concurrent_pages", &self.max_concurrent_pages)
            .field("concurrency", &self.concurrency)
            .field("page_retry_budget", &self.page_retry_budget)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("user_agent", &self.user_agent)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A region id, such as `cn-north-4`: its endpoint comes from
    /// `HUAWEICLOUD_SDK_REGION_CODEARTSREPO_<REGION>`, the regions file, then
    /// [`REGION_ENDPOINTS`], as for the official SDKs (see the [`region`](crate::region)
    /// module). A region none of them knows is an error at [`build`](Self::build). Do not combine with [`endpoint`](Self::endpoint).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// A custom base address, such as a proxy or a local emulator. `https://` is
    /// required unless [`allow_http`](Self::allow_http) is set.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Allows a plain `http://` endpoint (credentials then travel unencrypted; meant for
    /// local emulators).
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The credentials; without this, [`Credentials::default_chain`] is used.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The IAM endpoint asked for the project id of the region when the credentials have
    /// none, and for IdP federation's temporary credentials (default: the credentials
    /// file's `iam_endpoint`, else `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else the region's own or
    /// `https://iam.myhuaweicloud.com`; see the [`credentials`](crate::credentials) module).
    /// `https`, or `http` with [`allow_http`](Self::allow_http); checked at build.
    ///
    /// ```
    /// use codearts_repo::{Client, Credentials, ErrorKind};
    ///
    /// let client = Client::builder()
    ///     .region("cn-north-4")
    ///     .credentials(Credentials::access_key("AK", "SK")) // no project id: IAM is asked
    ///     .iam_endpoint("https://iam.cn-north-4.myhuaweicloud.com")
    ///     .build()?;
    /// # let _ = client;
    /// let e = Client::builder().region("cn-north-4").credentials(Credentials::access_key("AK", "SK"))
    ///     .iam_endpoint("http://127.0.0.1:1").build().unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InvalidInput);
    /// # Ok::<(), codearts_repo::Error>(())
    /// ```
    pub fn iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Reads environment variables through `lookup` instead of the process environment:
    /// the region overrides and regions file of the [`region`](crate::region) module, and
    /// the default credentials chain ([`Credentials::default_chain_with`]). For tests and
    /// programs that keep their settings elsewhere.
    pub fn env_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Some(Arc::new(lookup));
        self
    }

    /// Bound on establishing a connection (default [`DEFAULT_CONNECT_TIMEOUT`]). Not
    /// combinable with [`http_client`](Self::http_client), whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Bound on one attempt, body included (default [`DEFAULT_ATTEMPT_TIMEOUT`]).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Bound on one operation, retries included (default [`DEFAULT_OPERATION_TIMEOUT`]).
    /// For `stream`, `pages` and `collect` it bounds each page.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Retry settings (default [`RetryConfig::default`]; [`RetryConfig::disabled`] for none).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Most pages fetched at the same time by `stream`, `pages` and `collect`, in
    /// `1..=`[`MAX_CONCURRENT_PAGES_LIMIT`] (default [`DEFAULT_MAX_CONCURRENT_PAGES`]).
    ///
    /// Items still come in order, each once. When the first page carries `X-Total` (push
    /// events) the walk asks for this many pages at once; when it does not (commits) it
    /// starts with one and doubles after each full page, so a list that ends early is
    /// not read far past its end. 1 walks one page at a time. With the default
    /// [`Concurrency::Adaptive`] this is the ceiling the walk adapts under; with
    /// [`Concurrency::Fixed`] the fixed number applies instead.
    pub fn max_concurrent_pages(mut self, pages: usize) -> Self {
        self.max_concurrent_pages = pages;
        self
    }

    /// Whether the pages in flight adapt to the service (default
    /// [`Concurrency::Adaptive`]) or are pinned ([`Concurrency::Fixed`]).
    ///
    /// Adaptive walks grow the pages in flight while pages arrive cleanly, up to
    /// [`max_concurrent_pages`](Self::max_concurrent_pages), and shrink them when the
    /// service throttles (429) or its answers slow down to twice their quickest. After a
    /// 429 the client paces all its requests to the rate the service admitted, probing
    /// upward slowly, and retries a throttled request at its next slot instead of after
    /// the whole `Retry-After` (which the gateway rounds up to whole seconds). Either way a
    /// 429 is retried apart from [`RetryConfig::max_attempts`] (up to 100 times per
    /// operation, within the operation timeout), so throttling never uses up the attempts
    /// meant for failures; [`RetryConfig::disabled`] still disables every retry.
    pub fn concurrency(mut self, concurrency: Concurrency) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// How often a walk (`stream`, `pages`, `collect`) fetches again a page that failed
    /// with a retryable error after all its attempts (default [`PageRetryBudget::default`]:
    /// 10 re-fetches, one earned back per 10 pages that arrive; see [`PageRetryBudget`]).
    ///
    /// Each page is one operation with [`RetryConfig::max_attempts`] attempts, so without
    /// this a long walk fails far more often than a short one on the same service: at 20%
    /// injected faults, about one export of 20,000 commits in five. The budget renews as
    /// pages arrive, so a long walk survives what a short one survives, and a service that
    /// stays down still ends the walk. Errors that are not retryable end it at once, and
    /// every item before the failed page was yielded once. `pages_per_retry` must be at
    /// least 1; [`PageRetryBudget::disabled`] turns re-fetches off.
    pub fn page_retry_budget(mut self, budget: PageRetryBudget) -> Self {
        self.page_retry_budget = budget;
        self
    }

    /// Largest body read from one answer, in bytes, at least 1 (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB; a page of 100 commits is about 85 KB).
    ///
    /// Bounds the memory one answer can take, whatever the server sends: an answer that
    /// announces a longer `Content-Length` is refused before its body is read, and reading
    /// any other stops as soon as the limit is passed. Either fails the operation with
    /// [`Error::ResponseTooLarge`], without retrying. Error answers are bounded alike.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sends every request through this HTTP proxy, such as `http://proxy.example:3128`;
    /// a user and password in the URL (`http://user:password@proxy.example:3128`) are
    /// sent as the proxy's basic authentication, and never shown in `Debug` or errors.
    /// Without it, the `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` variables apply (with the
    /// default `system-proxy` feature).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.transport.proxy = Some(url.into());
        self
    }

    /// Trusts the PEM-encoded root certificates in this text too (one or a bundle),
    /// besides the platform's (for a private CA or a TLS-inspecting proxy); may be called
    /// several times. The official
    /// SDKs' `ssl_ca_cert`.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport.root_certificates.push(pem.into());
        self
    }

    /// **Turns TLS certificate checks off**: any certificate is accepted for any host,
    /// so anyone on the path can read and change the traffic, credentials included. For
    /// test setups only; the official SDKs' `ignore_ssl_verification`. A warning is
    /// logged when a client is built with it.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.transport.accept_invalid_certs = accept;
        self
    }

    /// Sends this header with every request (unsigned). Headers the SDK sets for
    /// authentication (`Authorization`, `Host`, `X-Sdk-Date`, `X-Auth-Token`,
    /// `X-Project-Id`, `X-Security-Token`) are refused at [`build`](Self::build).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.transport.headers.push((name.into(), value.into()));
        self
    }

    /// Calls this hook around every attempt of every request (see [`Interceptor`]);
    /// hooks run in the order they were added. The official SDKs' `HttpHandler`.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.transport.add_interceptor(interceptor);
        self
    }

    /// An HTTP client to send requests with, instead of one built here. It should not
    /// follow redirects (the client built here does not), since `X-Auth-Token` would
    /// follow them to other hosts.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks every setting and builds the client. Fails on an unknown region, a malformed
    /// endpoint, out-of-range settings or missing credentials; sends nothing.
    pub fn build(self) -> Result<Client> {
        let mut failover = None;
        let (endpoint, region) = match (&self.region, &self.endpoint) {
            (Some(_), Some(endpoint)) => {
                return Err(Error::invalid(
                    "endpoint",
                    redact_url(endpoint),
                    "either a region or an endpoint, not both",
                ));
            }
            (_, Some(endpoint)) => (parse_endpoint(endpoint, self.allow_http)?, None),
            (region, None) => {
                let region = region.as_deref().unwrap_or(DEFAULT_REGION);
                let found = match &self.env {
                    Some(lookup) => crate::region::resolve_region_with(region, lookup.as_ref())?,
                    None => crate::region::resolve_region(region)?,
                };
                let Some(found) = found else {
                    let known: Vec<&str> = REGION_ENDPOINTS.iter().map(|(id, _)| *id).collect();
                    return Err(Error::invalid(
                        "region",
                        region,
                        format!(
                            "one of {}, or a region given in {} or the regions file \
                             (see the `region` module)",
                            known.join(", "),
                            crate::region::region_env_var(region)
                        ),
                    ));
                };
                let endpoints = if found.source == "built-in table" {
                    found.endpoints.clone()
                } else {
                    found
                        .endpoints
                        .iter()
                        .map(|endpoint| parse_endpoint(endpoint, self.allow_http))
                        .collect::<Result<Vec<_>>>()?
                };
                let Some(first) = endpoints.first().cloned() else {
                    return Err(Error::invalid(
                        "region",
                        region,
                        format!("at least one endpoint (from {})", found.source),
                    ));
                };
                failover = codearts_repo_runtime::failover::Endpoints::new(endpoints).map(Arc::new);
                (first, Some(region.to_string()))
            }
        };
        for (name, value) in [
            ("connect_timeout", self.connect_timeout),
            ("attempt_timeout", self.attempt_timeout),
            ("operation_timeout", self.operation_timeout),
        ] {
            if value == Some(Duration::ZERO) {
                return Err(Error::invalid(name, "0s", "a duration greater than zero"));
            }
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::invalid(
                "max_attempts",
                0,
                "at least 1 (1 disables retries)",
            ));
        }
        if !(1..=MAX_CONCURRENT_PAGES_LIMIT).contains(&self.max_concurrent_pages) {
            return Err(Error::invalid(
                "max_concurrent_pages",
                self.max_concurrent_pages,
                format!("an integer in 1..={MAX_CONCURRENT_PAGES_LIMIT}"),
            ));
        }
        if self.page_retry_budget.pages_per_retry == 0 {
            return Err(Error::invalid(
                "pages_per_retry",
                0,
                "at least 1 (PageRetryBudget::disabled() turns re-fetches off)",
            ));
        }
        let (retries, policy) = (self.page_retry_budget, self.retry.clone());
        let pages = match self.concurrency {
            Concurrency::Adaptive => PageConcurrency {
                max: self.max_concurrent_pages,
                pacer: Some(Arc::new(Pacer::new())),
                retries,
                policy,
            },
            Concurrency::Fixed(pages) => {
                if !(1..=MAX_CONCURRENT_PAGES_LIMIT).contains(&pages) {
                    return Err(Error::invalid(
                        "concurrency",
                        pages,
                        format!("Fixed(n) with n in 1..={MAX_CONCURRENT_PAGES_LIMIT}"),
                    ));
                }
                PageConcurrency {
                    max: pages,
                    pacer: None,
                    retries,
                    policy,
                }
            }
        };
        if self.max_response_bytes == 0 {
            return Err(Error::invalid(
                "max_response_bytes",
                0,
                format!(
                    "a number of bytes of at least 1 (the default is {DEFAULT_MAX_RESPONSE_BYTES})"
                ),
            ));
        }
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::invalid("user_agent", user_agent, "visible ASCII text"))?;
        let credentials = match self.credentials {
            Some(credentials) => credentials,
            None => match &self.env {
                Some(lookup) => Credentials::default_chain_with(lookup.as_ref())?,
                None => Credentials::default_chain()?,
            },
        };
        // Only known for the HTTP client built here.
        let connect_timeout = self
            .http_client
            .is_none()
            .then(|| self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
        let http = match self.http_client {
            Some(client) => {
                if let Some(setting) = self.transport.needs_own_client() {
                    return Err(Error::invalid(
                        setting,
                        "set together with http_client",
                        "one or the other: set it on the reqwest::Client given to http_client, \
                         or leave http_client out",
                    ));
                }
                if self.connect_timeout.is_some() {
                    return Err(Error::invalid(
                        "connect_timeout",
                        format!("{:?}", self.connect_timeout.unwrap_or_default()),
                        "no connect timeout together with http_client (configure it on that client)",
                    ));
                }
                client
            }
            None => {
                install_tls_provider();
                let builder = reqwest::Client::builder()
                    .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .redirect(reqwest::redirect::Policy::none());
                self.transport
                    .apply(builder)?
                    .build()
                    .map_err(|e| Error::Transport {
                        operation: "build",
                        attempts: 0,
                        message: transport_message(&e),
                        source: Some(e),
                    })?
            }
        };
        let lookup: &dyn Fn(&str) -> Option<String> = match &self.env {
            Some(lookup) => lookup.as_ref(),
            None => &crate::credentials::process_env,
        };
        let auth = credentials.to_client_auth(
            &http,
            self.iam_endpoint.as_deref(),
            lookup,
            region.as_deref(),
            self.allow_http,
        )?;
        let state = ClientState {
            auth,
            retry: self.retry,
            attempt_timeout: self.attempt_timeout,
            operation_timeout: self.operation_timeout,
            user_agent: Some(user_agent),
            max_response_bytes: self.max_response_bytes,
            interceptors: self.transport.interceptors.clone(),
            endpoints: failover,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                wire: codearts_repo_gen::Client::new_with_client(&endpoint, http, state),
                endpoint,
                region,
                credentials_source: credentials.source().to_string(),
                operation_timeout: self.operation_timeout,
                connect_timeout,
                max_concurrent_pages: pages,
            }),
        })
    }
}

/// With the `rustls-ring` feature, makes ring the process's default rustls crypto provider
/// unless one is installed already (by the program, or by an earlier client): reqwest built
/// without a provider of its own takes that default.
fn install_tls_provider() {
    #[cfg(feature = "rustls-ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one first; either provider will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Checks a custom endpoint and returns it without a trailing `/`. The errors quote it
/// without its user info, query values and fragment ([`redact_url`]).
fn parse_endpoint(endpoint: &str, allow_http: bool) -> Result<String> {
    let shown = redact_url(endpoint);
    let invalid = |expected: String| Error::invalid("endpoint", &shown, expected);
    let url = url::Url::parse(endpoint)
        .map_err(|e| invalid(format!("an absolute URL such as https://host ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => {
            return Err(invalid(
                "an https:// URL (plain http:// needs allow_http(true))".into(),
            ));
        }
        _ if allow_http => return Err(invalid("an http:// or https:// URL".into())),
        _ => return Err(invalid("an https:// URL".into())),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("a URL with a host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a URL without user name or password".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a URL without query or fragment".into()));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The message of a transport failure, with its causes, the URL it names (the request's,
/// whose query holds the parameters) quoted without query values or user info.
fn transport_message(error: &reqwest::Error) -> String {
    let message = with_causes(error);
    match error.url() {
        Some(url) => redact_url(url.as_str()).clean(&message),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Credentials {
        Credentials::token("t0ken")
    }

    #[test]
    fn every_region_of_the_table_builds() {
        for (region, endpoint) in REGION_ENDPOINTS {
            let client = Client::builder()
                .region(*region)
                .credentials(token())
                .build()
                .unwrap();
            assert_eq!(client.endpoint(), *endpoint);
            assert_eq!(client.region(), Some(*region));
        }
        let default = Client::builder().credentials(token()).build().unwrap();
        assert_eq!(default.region(), Some(DEFAULT_REGION));
    }

    #[test]
    fn bad_regions_and_endpoints_fail_at_build() {
        let e = Client::builder()
            .region("mars-1")
            .credentials(token())
            .build()
            .unwrap_err();
        assert!(
            e.to_string().contains("mars-1") && e.to_string().contains("cn-north-4"),
            "{e}"
        );
        for bad in [
            "not a url",
            "ftp://x",
            "http://127.0.0.1:1",
            "https://u:p@host",
            "https://host/?q=1",
            "https://",
        ] {
            let e = Client::builder()
                .endpoint(bad)
                .credentials(token())
                .build()
                .unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}: {e}");
            assert!(!e.to_string().contains("u:p"), "{e}");
        }
        let ok = Client::builder()
            .endpoint("http://127.0.0.1:1/")
            .allow_http(true)
            .credentials(token())
            .build()
            .unwrap();
        assert_eq!(ok.endpoint(), "http://127.0.0.1:1");
        // What is expected depends on whether plain HTTP is allowed.
        for (allow_http, expected) in [
            (false, "expected an https:// URL"),
            (true, "expected an http:// or https:// URL"),
        ] {
            let e = Client::builder()
                .endpoint("ftp://x")
                .allow_http(allow_http)
                .credentials(token())
                .build()
                .unwrap_err();
            assert!(e.to_string().ends_with(expected), "{e}");
        }
        assert!(
            Client::builder()
                .region("cn-north-4")
                .endpoint("https://x")
                .credentials(token())
                .build()
                .is_err()
        );
    }

    #[test]
    fn endpoint_errors_never_quote_user_info_or_query_values() {
        for (endpoint, shown) in [
            (
                "https://host/?token=s3cr3t",
                "https://host/?token=<redacted>",
            ),
            (
                "ftp://alice:hunter2@host/x?token=s3cr3t#fr4g",
                "ftp://<redacted>@host/x?token=<redacted>#<redacted>",
            ),
            (
                "http://alice:hunter2@127.0.0.1:1/?token=s3cr3t",
                "http://<redacted>@127.0.0.1:1/?token=<redacted>",
            ),
            ("not a url?token=s3cr3t", "not a url?token=<redacted>"),
        ] {
            let e = Client::builder()
                .endpoint(endpoint)
                .credentials(token())
                .build()
                .unwrap_err();
            let text = e.to_string();
            for secret in ["s3cr3t", "hunter2", "fr4g"] {
                assert!(!text.contains(secret), "{secret}: {text}");
            }
            assert!(text.contains(shown), "{text}");
            match e {
                Error::InvalidInput {
                    parameter, value, ..
                } => assert_eq!((parameter, value.as_str()), ("endpoint", shown)),
                other => panic!("{other:?}"),
            }
        }
        // Also when given together with a region, and in the builder's `Debug`.
        let builder = Client::builder()
            .region("cn-north-4")
            .endpoint("https://host/?token=s3cr3t")
            .credentials(token());
        assert!(!format!("{builder:?}").contains("s3cr3t"));
        let e = builder.build().unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
    }

    #[test]
    fn settings_out_of_range_fail_at_build() {
        let base = || Client::builder().credentials(token());
        assert!(base().max_concurrent_pages(0).build().is_err());
        assert!(base().max_concurrent_pages(33).build().is_err());
        assert!(base().concurrency(Concurrency::Fixed(0)).build().is_err());
        assert!(base().concurrency(Concurrency::Fixed(33)).build().is_err());
        let fixed = base().concurrency(Concurrency::Fixed(32)).build().unwrap();
        assert_eq!(fixed.pacing(), None);
        let adaptive = base().build().unwrap();
        assert_eq!(adaptive.pacing(), Some(PacingStats::default()));
        assert!(
            base()
                .retry(RetryConfig::default().max_attempts(0))
                .build()
                .is_err()
        );
        assert!(base().attempt_timeout(Duration::ZERO).build().is_err());
        let e = base().max_response_bytes(0).build().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains("max_response_bytes"), "{e}");
        assert!(base().max_response_bytes(1).build().is_ok());
        let e = base()
            .page_retry_budget(PageRetryBudget::default().pages_per_retry(0))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("pages_per_retry"), "{e}");
        assert!(
            base()
                .page_retry_budget(PageRetryBudget::disabled())
                .build()
                .is_ok()
        );
        assert!(base().user_agent("bad\nagent").build().is_err());
        assert!(
            base()
                .connect_timeout(Duration::from_secs(1))
                .http_client(reqwest::Client::new())
                .build()
                .is_err()
        );
        let e = Client::builder()
            .credentials(Credentials::token("has space"))
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Credentials);
        assert!(!e.to_string().contains("has space"), "{e}");
    }
}
