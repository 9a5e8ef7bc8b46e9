//! A local CodeArts Repo server for tests, benchmarks and demos.
//!
//! It answers the four endpoints of `openapi/codearts-repo.yaml` over HTTP with bodies
//! built from the generated wire types, checks `X-Auth-Token` and AK/SK signatures the way
//! the service does (a temporary AK/SK only with its signed `X-Security-Token`), refuses
//! bad parameters with a 400 that names them, and can inject
//! latency, server errors, throttling, connection resets, truncated and stalled bodies.
//! Every error body's `error_code` is one of [`codes`]. It also serves the ECS metadata
//! service's `GET /openstack/latest/securitykey` and plays IAM ([`IamConfig`]): project
//! lists by region, the OIDC id token exchange and temporary keys, whose expiry it enforces.
//! It answers absolute-form requests too, so a client may reach it as an HTTP proxy (the
//! official SDKs' fixed metadata address through `HTTP_PROXY`).
//! Its data is generated from a seed, or imported from a local git repository.
//!
//! ```no_run
//! # async fn run() -> Result<(), codearts_repo_emulator::EmulatorError> {
//! use codearts_repo_emulator::{Emulator, SyntheticConfig};
//! let emulator = Emulator::builder()
//!     .seed(7)
//!     .synthetic(SyntheticConfig::default().repositories(2).commits_per_repository(300))
//!     .start()
//!     .await?;
//! println!("{} token {}", emulator.base_url(), emulator.credentials().token);
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Tests depend on it without its default `cli` feature, which only the binary needs:
//! `codearts-repo-emulator = { version = "0.1", default-features = false }` (the crate's
//! README shows a whole test of code built on the `codearts-repo` SDK).
//!
//! # Semantics chosen where the documents leave room
//!
//! - Events `after` is the exclusive lower bound and `before` the exclusive upper bound of
//!   `created_at`; commit-list `since`/`until` are exclusive bounds of the commit date.
//!   Dates are `YYYY-MM-DD` (midnight UTC) or RFC 3339.
//! - Events come newest first; `X-Total` counts every matching event. Only push events
//!   exist, so `filter=all` and `filter=push` select the same events.
//! - The commit list walks history from `ref_name` (branch, tag, full commit id or a unique
//!   prefix of 4+ hex digits; the default branch when absent) in `git log` order, or by
//!   commit date with `order_by_date=true`. `message` matches the message
//!   (case-insensitive) or a commit id prefix; `author` a part of the author name
//!   (case-insensitive); `path` a file or directory changed by the commit (against its
//!   first parent; a merge counts only for changes of its own); `follow=true` follows a
//!   file back across renames like `git log --follow`. `date_title` counts the returned
//!   commits per UTC day of their commit date, newest day first. An unknown `ref_name` is
//!   a 400 naming `ref_name`.
//! - A repository without pushes answers its last push as `{}`.
//! - Recent pushes are the caller's own pushes to repositories they may read, newest first.
//! - Checks run in this order: the request's size (414 past [`MAX_URI_BYTES`]), the
//!   per-user rate limit (429, see [`EmulatorBuilder::rate_limit`]), faults,
//!   method, authentication (401), parameters (400), repository existence (404), access
//!   (403). A parameter given twice is a 400, and so is one whose value is not UTF-8 once
//!   percent-decoded (such as `ref_name=%FF`).
//!
//! # Against misbehaving clients
//!
//! Every refusal carries a JSON error body with a code from [`codes`] and an
//! `X-Request-Id`, including the ones no route answers:
//!
//! - what is not HTTP/1.1 is a 400 ([`codes::MALFORMED_REQUEST`]), a request line and
//!   headers over [`MAX_HEAD_BYTES`] (or over 100 headers) a 431, a URI over
//!   [`MAX_URI_BYTES`] a 414, and the connection is closed;
//! - a request's line and headers must arrive within the header-read timeout
//!   ([`EmulatorBuilder::header_read_timeout`], 10 s by default), its body within as long
//!   again: a request of which something arrived is then answered 408 and its connection
//!   closed;
//! - a connection with no request under way is closed after the idle timeout
//!   ([`EmulatorBuilder::idle_timeout`], 120 s by default), without an answer since none
//!   was asked for;
//! - at most [`EmulatorBuilder::max_connections`] connections (512 by default) are served
//!   at once; one more is answered 503 ([`codes::SERVICE_UNAVAILABLE`], `Retry-After: 1`)
//!   once its request's head has arrived (or half a second has passed), and closed.
//!
//! Some connections end without an answer, having asked for none that could be given: one
//! that sent nothing before the header-read timeout or between requests for the idle
//! timeout; one beyond the cap that sent nothing within half a second, or that arrives while
//! 64 such refusals are already under way (so that
//! refusing costs bounded file descriptors); one that opens with the HTTP/2 preface (hyper,
//! built for HTTP/1 only, closes it without writing anything, and an HTTP/1 answer would
//! mean nothing to an HTTP/2 client); and the injected resets ([`FaultConfig::reset_rate`]).

mod activity;
mod answer;
mod auth;
pub mod codes;
mod endpoints;
mod faults;
mod git;
mod history;
mod iam;
mod injection;
mod model;
mod params;
mod query;
mod ratelimit;
mod refusal;
mod router;
mod socket;
mod store;
mod synthetic;
mod transport;
mod wire;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{FaultConfig, FaultCounts};
pub use iam::{DEFAULT_IDP_ID, IamConfig};
pub use params::instant as parse_instant;
pub use query::{CommitQuery, EventPage, EventQuery, QueryError};
pub use ratelimit::RateLimit;
pub use store::Store;
pub use synthetic::SyntheticConfig;

/// Header carrying the id of every answer.
pub const REQUEST_ID_HEADER: &str = codearts_repo_runtime::headers::REQUEST_ID;
/// Header carrying the number of matching events on the events endpoint.
pub const TOTAL_HEADER: &str = codearts_repo_runtime::headers::TOTAL;

/// Largest request line and headers, in bytes; a larger head is answered 431. Every
/// request the SDK sends has a head of a few hundred bytes; the limit also bounds the
/// memory each connection holds for a head still arriving.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Longest request URI (path and query), in bytes; a longer one is answered 414, as the
/// API gateway in front of the service answers past 32 KB.
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// Default of [`EmulatorBuilder::header_read_timeout`]: 10 s. A client on the same machine
/// or network sends a request's head in one piece, in well under a second; a client that
/// takes longer holds a connection on purpose.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default of [`EmulatorBuilder::idle_timeout`]: 120 s, longer than clients keep an idle
/// connection pooled (reqwest, and so the SDK, 90 s), so that the client always retires a
/// kept-alive connection first and never sends a request on one the emulator is closing.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Default of [`EmulatorBuilder::max_connections`]: 512, half the usual limit of 1024 open
/// files, so that the connections served, the refusals beyond them and the runtime's own
/// descriptors stay under it; far more than tests and benchmarks open (the SDK requests
/// at most 32 pages at once).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// A setting is out of range.
    #[error("invalid emulator setting: {0}")]
    InvalidConfig(String),
    /// A git repository could not be imported.
    #[error("cannot import the git repository at {path}: {problem}")]
    GitImport {
        /// The path given to `import_git`.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
}

/// Credentials of one user of the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmulatorCredentials {
    /// Value for the `X-Auth-Token` header.
    pub token: String,
    /// Access key of the AK/SK pair.
    pub access_key: String,
    /// Secret key of the AK/SK pair.
    pub secret_key: String,
    /// Id of the user's project, 32 lowercase hex characters.
    pub project_id: String,
    /// The user's id.
    pub user_id: u32,
    /// The user's login name.
    pub username: String,
    /// Temporary AK/SK of the same user, valid only with its security token.
    pub temporary: TemporaryCredentials,
}

/// A temporary AK/SK pair, as IAM issues them with a security token: a request signed with
/// the access key is refused unless it carries the token in a signed `X-Security-Token`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemporaryCredentials {
    /// Access key of the temporary pair.
    pub access_key: String,
    /// Secret key of the temporary pair.
    pub secret_key: String,
    /// Value for the `X-Security-Token` header.
    pub security_token: String,
}

/// Settings of an emulator to start; see [`Emulator::builder`].
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    seed: u64,
    synthetic: SyntheticConfig,
    git: Vec<PathBuf>,
    faults: FaultConfig,
    listen: SocketAddr,
    header_read_timeout: Duration,
    idle_timeout: Duration,
    max_connections: usize,
    rate_limit: Option<RateLimit>,
    metadata_lifetime: Duration,
    iam: IamConfig,
}

/// How long the temporary credentials the emulator's ECS metadata endpoint hands out stay
/// valid by default (a day, as the metadata service's are).
pub const DEFAULT_METADATA_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            seed: 1,
            synthetic: SyntheticConfig::default(),
            git: Vec::new(),
            faults: FaultConfig::default(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            rate_limit: None,
            metadata_lifetime: DEFAULT_METADATA_LIFETIME,
            iam: IamConfig::default(),
        }
    }
}

impl EmulatorBuilder {
    /// Seed of every generated value (default 1): the same seed gives the same data,
    /// credentials and request ids.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Shape of the generated data (default [`SyntheticConfig::default`]).
    pub fn synthetic(mut self, config: SyntheticConfig) -> Self {
        self.synthetic = config;
        self
    }

    /// Adds one repository whose commits and pushes come from the local git repository at
    /// `path` (read with the `git` command). May be called more than once.
    pub fn import_git(mut self, path: impl Into<PathBuf>) -> Self {
        self.git.push(path.into());
        self
    }

    /// Faults to inject from the start (default none).
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// Time allowed for a request's line and headers to arrive, and again for its body
    /// (default [`DEFAULT_HEADER_READ_TIMEOUT`]). It runs from the connection's opening for
    /// its first request, from the first byte for the next ones. A request late in part
    /// is answered 408 ([`codes::REQUEST_TIMEOUT`]) and its connection closed; a new
    /// connection that sent nothing is closed.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Time a connection may stay open between an answer and the next request (default
    /// [`DEFAULT_IDLE_TIMEOUT`]); it is then closed.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Most connections served at once (default [`DEFAULT_MAX_CONNECTIONS`]). One more is
    /// answered 503 ([`codes::SERVICE_UNAVAILABLE`], `Retry-After: 1`) and closed; keep
    /// it, plus some 80, under the process's limit of open files (`ulimit -n`).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Throttles each user's requests to `limit` (default none), as the API gateway in
    /// front of the service does: a request over it is answered 429
    /// ([`codes::THROTTLED`]) with a `Retry-After` of the seconds until the user may send
    /// again, rounded up, after the configured latency, before any injected fault. Every
    /// credential of a user (token, AK/SK, temporary AK/SK) counts against one bucket;
    /// requests with unknown credentials count for no one.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// How long the temporary credentials of the ECS metadata endpoint
    /// (`GET /openstack/latest/securitykey`, the user's [`TemporaryCredentials`]) are
    /// declared valid from each answer (default [`DEFAULT_METADATA_LIFETIME`]).
    pub fn metadata_lifetime(mut self, lifetime: Duration) -> Self {
        self.metadata_lifetime = lifetime;
        self
    }

    /// What the emulator's IAM endpoints answer (default [`IamConfig::default`]): the
    /// projects of each region (`GET /v3/projects?name=...`), the identity provider whose
    /// OIDC id tokens it exchanges for a token (`POST /v3.0/OS-AUTH/id-token/tokens`), and
    /// the lifetime of the temporary keys it issues for that token
    /// (`POST /v3.0/OS-CREDENTIAL/securitytokens`), which it enforces.
    pub fn iam(mut self, iam: IamConfig) -> Self {
        self.iam = iam;
        self
    }

    /// Builds the data, binds the address and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        self.faults
            .validate()
            .map_err(EmulatorError::InvalidConfig)?;
        if self.header_read_timeout.is_zero() || self.idle_timeout.is_zero() {
            return Err(EmulatorError::InvalidConfig(
                "the header-read and idle timeouts must be positive".to_string(),
            ));
        }
        if let Some(limit) = &self.rate_limit {
            limit.validate().map_err(EmulatorError::InvalidConfig)?;
        }
        if self.max_connections == 0 {
            return Err(EmulatorError::InvalidConfig(
                "max_connections must be at least 1".to_string(),
            ));
        }
        let listener =
            TcpListener::bind(self.listen)
                .await
                .map_err(|source| EmulatorError::Bind {
                    address: self.listen,
                    source,
                })?;
        let address = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                address: self.listen,
                source,
            })?;
        let (seed, synthetic, git) = (self.seed, self.synthetic.clone(), self.git.clone());
        let data = tokio::task::spawn_blocking(move || build_data(seed, &synthetic, &git))
            .await
            .map_err(|e| EmulatorError::InvalidConfig(format!("data generation failed: {e}")))??;
        let store = Arc::new(data.store);
        let mut tokens = HashMap::new();
        let mut access_keys = HashMap::new();
        for credentials in [&data.credentials, &data.outsider] {
            tokens.insert(credentials.token.clone(), credentials.user_id);
            access_keys.insert(
                credentials.access_key.clone(),
                auth::AccessKey {
                    secret_key: credentials.secret_key.clone(),
                    user_id: credentials.user_id,
                    security_token: None,
                },
            );
            let temporary = &credentials.temporary;
            access_keys.insert(
                temporary.access_key.clone(),
                auth::AccessKey {
                    secret_key: temporary.secret_key.clone(),
                    user_id: credentials.user_id,
                    security_token: Some(temporary.security_token.clone()),
                },
            );
        }
        let app = Arc::new(router::App {
            store: store.clone(),
            tokens,
            access_keys,
            faults: faults::Faults::new(self.faults),
            limiter: ratelimit::Limiter::new(self.rate_limit),
            requests: AtomicU64::new(0),
            request_id_prefix: fastrand::Rng::with_seed(self.seed).u64(..),
            body_read_timeout: self.header_read_timeout,
            metadata: router::Metadata {
                credentials: data.credentials.temporary.clone(),
                lifetime: self.metadata_lifetime,
                requests: AtomicU64::new(0),
            },
            iam: iam::Iam::new(self.iam.clone(), self.seed, &data.credentials),
        });
        let limits = transport::Limits {
            timeouts: activity::Timeouts {
                header_read: self.header_read_timeout,
                idle: self.idle_timeout,
            },
            max_connections: self.max_connections,
        };
        let request_ids: socket::RequestIds = {
            let app = app.clone();
            Arc::new(move || router::new_request_id(&app))
        };
        let task = tokio::spawn(transport::serve(
            listener,
            router::router(app.clone()),
            request_ids,
            limits,
        ));
        Ok(Emulator {
            base_url: format!("http://{address}"),
            address,
            credentials: data.credentials,
            outsider: data.outsider,
            store,
            app,
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server and closes its connections.
pub struct Emulator {
    base_url: String,
    address: SocketAddr,
    credentials: EmulatorCredentials,
    outsider: EmulatorCredentials,
    store: Arc<Store>,
    app: Arc<router::App>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Settings of a new emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// A user who may read every repository.
    pub fn credentials(&self) -> &EmulatorCredentials {
        &self.credentials
    }

    /// A known user who may read no repository (every repository answers 403).
    pub fn outsider_credentials(&self) -> &EmulatorCredentials {
        &self.outsider
    }

    /// Ids of the repositories [`Emulator::credentials`] may read, ascending.
    pub fn repository_ids(&self) -> Vec<u32> {
        self.store.readable_repository_ids(self.credentials.user_id)
    }

    /// How many times the ECS metadata endpoint handed out credentials.
    pub fn metadata_requests(&self) -> u64 {
        self.app.metadata.requests.load(Ordering::Relaxed)
    }

    /// The identity provider id and the OIDC id token the IAM endpoints accept (see
    /// [`IamConfig::idp`]).
    pub fn iam_idp(&self) -> (&str, &str) {
        (&self.app.iam.idp_id, &self.app.iam.id_token)
    }

    /// How many times IAM answered each of its endpoints with success: project lists,
    /// id token exchanges, temporary keys issued.
    pub fn iam_requests(&self) -> (u64, u64, u64) {
        let counts = &self.app.iam.counts;
        (
            counts.projects.load(Ordering::Relaxed),
            counts.id_tokens.load(Ordering::Relaxed),
            counts.security_tokens.load(Ordering::Relaxed),
        )
    }

    /// The data served, for assertions.
    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// Replaces the faults in force; rates outside `0.0..=1.0` are clamped (see
    /// [`Emulator::try_set_faults`] to refuse them instead).
    pub fn set_faults(&self, faults: FaultConfig) {
        self.app.faults.set(faults.clamped());
    }

    /// Replaces the faults in force, refusing rates outside `0.0..=1.0`.
    pub fn try_set_faults(&self, faults: FaultConfig) -> Result<(), EmulatorError> {
        faults.validate().map_err(EmulatorError::InvalidConfig)?;
        self.app.faults.set(faults);
        Ok(())
    }

    /// How many faults of each kind were injected so far.
    pub fn fault_counts(&self) -> FaultCounts {
        self.app.faults.counts()
    }

    /// Replaces the per-user rate limit in force (`None` lifts it); every user's bucket
    /// starts full again. See [`EmulatorBuilder::rate_limit`].
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) -> Result<(), EmulatorError> {
        if let Some(limit) = &limit {
            limit.validate().map_err(EmulatorError::InvalidConfig)?;
        }
        self.app.limiter.set(limit);
        Ok(())
    }

    /// Requests answered 429 by the rate limit so far (injected throttling is counted in
    /// [`FaultCounts::throttled`] instead).
    pub fn rate_limited_count(&self) -> u64 {
        self.app.limiter.throttled()
    }

    /// Number of requests received so far (each answered or faulted once), refusals that
    /// no route answers (a connection over the cap, a request unreadable, too large or too
    /// slow) included.
    pub fn request_count(&self) -> u64 {
        self.app.requests.load(Ordering::Relaxed)
    }

    /// Stops accepting, closes every connection and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

struct Data {
    store: Store,
    credentials: EmulatorCredentials,
    outsider: EmulatorCredentials,
}

/// Builds users, repositories and credentials from the seed.
fn build_data(seed: u64, config: &SyntheticConfig, git: &[PathBuf]) -> Result<Data, EmulatorError> {
    if config.users > 10_000 {
        return Err(EmulatorError::InvalidConfig(format!(
            "users is {}, at most 10000",
            config.users
        )));
    }
    if config.repositories > 10_000 {
        return Err(EmulatorError::InvalidConfig(format!(
            "repositories is {}, at most 10000",
            config.repositories
        )));
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut users = synthetic::users(&mut rng, config.users);
    let projects = [
        synthetic::Project {
            id: synthetic::random_hex(&mut rng, 16),
            name: "kanban".to_string(),
        },
        synthetic::Project {
            id: synthetic::random_hex(&mut rng, 16),
            name: "mobile".to_string(),
        },
    ];
    // Temporary credentials come from their own generator, so that adding them changed
    // none of the values drawn from `rng` after them.
    let mut temporary_rng = fastrand::Rng::with_seed(seed ^ 0x5354_535f_7465_6d70);
    let credentials =
        |rng: &mut fastrand::Rng, temporary_rng: &mut fastrand::Rng, user: &model::User| {
            EmulatorCredentials {
                token: format!("MIIEmu{}", synthetic::random_hex(rng, 24)),
                access_key: (0..20).map(|_| rng.uppercase()).collect(),
                secret_key: (0..40).map(|_| rng.alphanumeric()).collect(),
                project_id: projects[0].id.clone(),
                user_id: user.id,
                username: user.username.clone(),
                temporary: TemporaryCredentials {
                    access_key: (0..20).map(|_| temporary_rng.uppercase()).collect(),
                    secret_key: (0..40).map(|_| temporary_rng.alphanumeric()).collect(),
                    security_token: format!(
                        "gQpjbi1ub3J0aC00{}",
                        synthetic::random_hex(temporary_rng, 48)
                    ),
                },
            }
        };
    let main = credentials(&mut rng, &mut temporary_rng, &users[0]);
    let outsider = credentials(&mut rng, &mut temporary_rng, &users[users.len() - 1]);
    let mut repositories = Vec::new();
    let mut id = 2_111_000_000 + rng.u32(0..600_000);
    for index in 0..config.repositories {
        id += 1 + rng.u32(0..5000);
        let project = &projects[usize::from(index % 3 == 2)];
        repositories.push(synthetic::repository(
            seed, index, id, config, &users, project,
        ));
    }
    for path in git {
        id += 1 + rng.u32(0..5000);
        let repository = git::import(path, id, &projects[0], &mut users, main.user_id)?;
        repositories.push(repository);
    }
    Ok(Data {
        store: Store {
            users,
            repositories,
        },
        credentials: main,
        outsider,
    })
}
