//! The routes, the state they share, and the way of every request through them: its id,
//! the faults drawn for it, the endpoint's answer, and the finished response.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use crate::answer::{Answer, finish};
use crate::auth::AccessKey;
use crate::endpoints::{self, Endpoint};
use crate::faults::{BodyFault, Faults, Outcome};
use crate::injection;
use crate::ratelimit::{Limiter, retry_after_seconds};
use crate::store::Store;
use crate::transport::ConnectionKill;

/// Everything the routes share.
pub(crate) struct App {
    pub(crate) store: Arc<Store>,
    /// Token -> user id.
    pub(crate) tokens: HashMap<String, u32>,
    /// Access key -> its secret key, user and (for a temporary key) security token.
    pub(crate) access_keys: HashMap<String, AccessKey>,
    pub(crate) faults: Faults,
    /// Throttling per user (none unless a rate limit is set).
    pub(crate) limiter: Limiter,
    pub(crate) requests: AtomicU64,
    pub(crate) request_id_prefix: u64,
    /// Time allowed for a request's body to arrive.
    pub(crate) body_read_timeout: Duration,
    /// The ECS metadata endpoint's temporary credentials.
    pub(crate) metadata: Metadata,
    /// The IAM endpoints' projects, identity provider and issued keys.
    pub(crate) iam: crate::iam::Iam,
}

/// What `GET /openstack/latest/securitykey` hands out, as an ECS instance's metadata
/// service does: the user's temporary credentials, valid for `lifetime` from each answer.
pub(crate) struct Metadata {
    pub(crate) credentials: crate::TemporaryCredentials,
    pub(crate) lifetime: Duration,
    pub(crate) requests: AtomicU64,
}

/// The metadata service's answer (`expires_at` in the official SDKs' `%Y-%m-%dT%H:%M:%S.%fZ`).
async fn security_key(State(app): State<Arc<App>>) -> Response {
    app.metadata.requests.fetch_add(1, Ordering::Relaxed);
    let expires_at = chrono::Utc::now()
        + chrono::Duration::from_std(app.metadata.lifetime).unwrap_or(chrono::Duration::zero());
    let credentials = &app.metadata.credentials;
    let body = serde_json::json!({
        "credential": {
            "access": credentials.access_key,
            "secret": credentials.secret_key,
            "securitytoken": credentials.security_token,
            "expires_at": expires_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        }
    });
    axum::Json(body).into_response()
}

/// The routes. Every path goes through [`handle`], so faults, request ids and JSON errors
/// apply to all of them, including unknown paths and methods.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/v4/repositories/{repository_id}/events",
            any(|State(app): State<Arc<App>>, request: Request| {
                handle(app, Some(Endpoint::Events), request)
            }),
        )
        .route(
            "/v4/repositories/{repository_id}/last-push-event",
            any(|State(app): State<Arc<App>>, request: Request| {
                handle(app, Some(Endpoint::LastPush), request)
            }),
        )
        .route(
            "/v4/repositories/{repository_id}/repository/commit-list",
            any(|State(app): State<Arc<App>>, request: Request| {
                handle(app, Some(Endpoint::Commits), request)
            }),
        )
        .route(
            "/v4/user/recent-push-events",
            any(|State(app): State<Arc<App>>, request: Request| {
                handle(app, Some(Endpoint::RecentPushes), request)
            }),
        )
        .route(
            "/openstack/latest/securitykey",
            axum::routing::get(security_key),
        )
        .route(
            "/v3/projects",
            axum::routing::get(crate::iam::list_projects),
        )
        .route(
            "/v3.0/OS-AUTH/id-token/tokens",
            axum::routing::post(crate::iam::id_token_tokens),
        )
        .route(
            "/v3.0/OS-CREDENTIAL/securitytokens",
            axum::routing::post(crate::iam::security_tokens),
        )
        .fallback(|State(app): State<Arc<App>>, request: Request| handle(app, None, request))
        .with_state(app)
}

/// The next request's id: the emulator's prefix and the request's number, in hex.
pub(crate) fn new_request_id(app: &App) -> String {
    let n = app.requests.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{:016x}{n:016x}", app.request_id_prefix)
}

/// Draws the request's faults and applies them, or answers it, then finishes the response.
async fn handle(app: Arc<App>, endpoint: Option<Endpoint>, request: Request) -> Response {
    let arrived = tokio::time::Instant::now();
    let request_id = new_request_id(&app);
    // The gateway refuses a URI too long before the service sees the request.
    let uri_length = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri_length > crate::MAX_URI_BYTES {
        let answer = Answer::uri_too_long(crate::MAX_URI_BYTES);
        return finish(answer, &request_id, BodyFault::None);
    }
    // So does its throttling, per user, before any fault of the service behind it.
    if let Some(user) = claimed_user(&app, &request)
        && let Err(wait) = app.limiter.admit(user, arrived)
    {
        let limit = app.limiter.limit();
        let answer = Answer::rate_limited(retry_after_seconds(wait), limit);
        let latency = app.faults.latency();
        if !latency.is_zero() {
            tokio::time::sleep_until(arrived + latency).await;
        }
        return finish(answer, &request_id, BodyFault::None);
    }
    let plan = app.faults.plan();
    let answer = match plan.outcome {
        Outcome::Reset => {
            let connection = request.extensions().get::<ConnectionKill>().cloned();
            match injection::reset(connection, arrived + plan.delay).await {}
        }
        Outcome::ServerError {
            status,
            retry_after,
        } => Answer::server_error(status, retry_after),
        Outcome::Throttle { retry_after } => Answer::throttled(retry_after),
        Outcome::Answer => endpoints::answer(&app, endpoint, request).await,
    };
    // The injected latency runs from the request's arrival and includes the time spent
    // building the answer, so a client sees the configured delay, not delay + work.
    if !plan.delay.is_zero() {
        tokio::time::sleep_until(arrived + plan.delay).await;
    }
    let body_fault = if matches!(plan.outcome, Outcome::Answer) && answer.body.len() > 1 {
        plan.body
    } else {
        BodyFault::None
    };
    app.faults.count_body(body_fault);
    finish(answer, &request_id, body_fault)
}

/// The user whose credentials the request carries (a known `X-Auth-Token`, else the access
/// key of its `Authorization` header), before they are verified: the gateway counts a
/// request against the credential it names. Unknown credentials count for no one (they are
/// answered 401).
fn claimed_user(app: &App, request: &Request) -> Option<u32> {
    let headers = request.headers();
    if let Some(user) = headers
        .get(codearts_repo_runtime::headers::AUTH_TOKEN)
        .and_then(|token| token.to_str().ok())
        .and_then(|token| app.tokens.get(token))
    {
        return Some(*user);
    }
    let authorization = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let access_key = codearts_repo_runtime::signing::parse_authorization(authorization)
        .ok()?
        .access_key;
    app.access_keys.get(&access_key).map(|key| key.user_id)
}
