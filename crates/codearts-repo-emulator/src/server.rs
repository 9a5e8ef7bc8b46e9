//! The HTTP side: the accept loop, routing, authentication, the four endpoints, and the
//! injection of faults into answers.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::any;
use chrono::Utc;
use codearts_repo_gen::types::ErrorBody;
use codearts_repo_runtime::signing;
use http::{HeaderValue, Method, StatusCode, header};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::faults::{BodyFault, Faults, Outcome};
use crate::params::{ParamError, Query, integer};
use crate::store::{CommitQuery, EventQuery, QueryError, Store};

/// Header carrying the id of each answer.
pub(crate) const REQUEST_ID_HEADER: &str = "X-Request-Id";
/// Header carrying the number of matching events.
pub(crate) const TOTAL_HEADER: &str = "X-Total";
/// Largest request body read (GET requests normally have none; it is read to verify
/// signatures).
const MAX_BODY: usize = 1 << 20;

/// Everything the handlers share.
pub(crate) struct App {
    pub store: Arc<Store>,
    /// Token -> user id.
    pub tokens: HashMap<String, u32>,
    /// Access key -> its secret key, user and (for a temporary key) security token.
    pub access_keys: HashMap<String, AccessKey>,
    pub faults: Faults,
    pub requests: AtomicU64,
    pub request_id_prefix: u64,
}

/// What the emulator knows of one access key.
pub(crate) struct AccessKey {
    pub secret_key: String,
    pub user_id: u32,
    /// Set for temporary credentials: requests must carry it, signed, in `X-Security-Token`.
    pub security_token: Option<String>,
}

/// Closes the connection a request arrived on, without an answer.
#[derive(Clone)]
struct ConnectionKill(Arc<Notify>);

#[derive(Clone, Copy, Debug)]
enum Endpoint {
    Events,
    LastPush,
    Commits,
    RecentPushes,
}

/// An answer before faults and common headers are applied.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json<T: Serialize>(status: StatusCode, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self {
                status,
                body,
                headers: Vec::new(),
            },
            Err(error) => Self::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "CH.00000500",
                &format!("The answer could not be encoded: {error}."),
            ),
        }
    }

    fn error(status: StatusCode, code: &str, message: &str) -> Self {
        let body = ErrorBody {
            error_code: Some(code.to_string()),
            error_msg: Some(message.to_string()),
        };
        Self {
            status,
            body: serde_json::to_vec(&body).unwrap_or_default(),
            headers: Vec::new(),
        }
    }

    fn bad_param(error: &ParamError) -> Self {
        Self::error(StatusCode::BAD_REQUEST, "CH.00000400", &error.message())
    }

    fn unauthorized(reason: &str) -> Self {
        Self::error(
            StatusCode::UNAUTHORIZED,
            "CH.00000001",
            &format!("User authentication info not found: {reason}."),
        )
    }

    fn forbidden() -> Self {
        Self::error(
            StatusCode::FORBIDDEN,
            "CH.00401008",
            "Insufficient permissions. Apply for the required permissions and try again.",
        )
    }

    fn not_found() -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            "CH.00402000",
            "The repository does not exist. Check and try again.",
        )
    }
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
        .fallback(|State(app): State<Arc<App>>, request: Request| handle(app, None, request))
        .with_state(app)
}

/// Accepts connections until the task is aborted; aborting it closes every connection.
pub(crate) async fn serve(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                connections.spawn(serve_connection(stream, router));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, router: Router) {
    let kill = Arc::new(Notify::new());
    let service = {
        let kill = kill.clone();
        hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectionKill(kill.clone()));
            let service = TowerToHyperService::new(router.clone());
            async move { hyper::service::Service::call(&service, request).await }
        })
    };
    // No header read timeout: an idle keep-alive connection stays open until the client
    // closes it (so pooled client connections are never closed under a request), and a
    // slow client only holds its own connection's task.
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = kill.notified() => {}
    }
}

fn new_request_id(app: &App) -> String {
    let n = app.requests.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{:016x}{n:016x}", app.request_id_prefix)
}

async fn handle(app: Arc<App>, endpoint: Option<Endpoint>, request: Request) -> Response {
    let arrived = tokio::time::Instant::now();
    let request_id = new_request_id(&app);
    let plan = app.faults.plan();
    let answer = match plan.outcome {
        Outcome::Reset => {
            tokio::time::sleep_until(arrived + plan.delay).await;
            if let Some(kill) = request.extensions().get::<ConnectionKill>() {
                kill.0.notify_one();
            }
            // The connection task drops this future together with the connection.
            std::future::pending::<Answer>().await
        }
        Outcome::ServerError {
            status,
            retry_after,
        } => {
            let (status, code, message) = match status {
                500 => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "CH.00000500",
                    "Internal server error.",
                ),
                502 => (StatusCode::BAD_GATEWAY, "APIGW.0502", "Bad gateway."),
                _ => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "APIGW.0503",
                    "Service temporarily unavailable.",
                ),
            };
            let mut answer = Answer::error(status, code, message);
            answer
                .headers
                .push(("Retry-After", retry_after.to_string()));
            answer
        }
        Outcome::Throttle { retry_after } => {
            let mut answer = Answer::error(
                StatusCode::TOO_MANY_REQUESTS,
                "APIGW.0308",
                "The request is throttled.",
            );
            answer
                .headers
                .push(("Retry-After", retry_after.to_string()));
            answer
        }
        Outcome::Answer => answer(&app, endpoint, request).await,
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

fn finish(answer: Answer, request_id: &str, fault: BodyFault) -> Response {
    let length = answer.body.len();
    let body = match fault {
        BodyFault::None => Body::from(answer.body),
        BodyFault::Truncate => {
            let mut sent = answer.body;
            sent.truncate(length / 2);
            let chunks = futures::stream::iter([Ok::<_, Infallible>(Bytes::from(sent))]);
            // Pause once so the partial body is flushed before the stream ends short of the
            // announced length, which makes the server close the connection.
            let pause = futures::stream::once(async {
                tokio::task::yield_now().await;
                Ok::<_, Infallible>(Bytes::new())
            });
            Body::from_stream(futures::StreamExt::chain(chunks, pause))
        }
        BodyFault::Stall(duration) => {
            let mut first = Bytes::from(answer.body);
            let second = first.split_off(length / 2);
            let head = futures::stream::iter([Ok::<_, Infallible>(first)]);
            let tail = futures::stream::once(async move {
                tokio::time::sleep(duration).await;
                Ok::<_, Infallible>(second)
            });
            Body::from_stream(futures::StreamExt::chain(head, tail))
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// Authenticates the request and returns the caller's user id: a known `X-Auth-Token`,
/// else a valid AK/SK signature.
fn authenticate(app: &App, parts: &http::request::Parts, body: &[u8]) -> Result<u32, Answer> {
    let token = parts.headers.get("x-auth-token");
    if let Some(&user) = token
        .and_then(|t| t.to_str().ok())
        .and_then(|t| app.tokens.get(t))
    {
        return Ok(user);
    }
    if !parts.headers.contains_key(header::AUTHORIZATION) {
        return Err(Answer::unauthorized(if token.is_some() {
            "the X-Auth-Token is not valid"
        } else {
            "send an X-Auth-Token or an AK/SK signature"
        }));
    }
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let received = signing::ReceivedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body,
    };
    let mut known = None;
    let verified = signing::verify(
        &received,
        |access_key| {
            app.access_keys.get(access_key).map(|key| {
                known = Some(key);
                key.secret_key.clone()
            })
        },
        Utc::now(),
    );
    let key = match (verified, known) {
        (Ok(_), Some(key)) => key,
        (Err(error), _) => {
            return Err(Answer::unauthorized(&format!(
                "the AK/SK signature is refused, {error}"
            )));
        }
        (Ok(_), None) => return Err(Answer::unauthorized("the access key is not known")),
    };
    if let Some(expected) = &key.security_token {
        check_security_token(parts, expected)?;
    }
    Ok(key.user_id)
}

/// A temporary access key is honoured only with its own security token, and only when the
/// signature covers it (the signature was checked against the headers it names).
fn check_security_token(parts: &http::request::Parts, expected: &str) -> Result<(), Answer> {
    let Some(sent) = parts.headers.get("x-security-token") else {
        return Err(Answer::unauthorized(
            "the access key is temporary: send its security token in X-Security-Token",
        ));
    };
    let signed = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| signing::parse_authorization(value).ok())
        .is_some_and(|authorization| {
            authorization
                .signed_headers
                .iter()
                .any(|name| name == "x-security-token")
        });
    if !signed {
        return Err(Answer::unauthorized(
            "X-Security-Token is not among the signed headers",
        ));
    }
    if sent.as_bytes() != expected.as_bytes() {
        return Err(Answer::unauthorized(
            "the X-Security-Token does not belong to this access key",
        ));
    }
    Ok(())
}

/// The repository id of a `/v4/repositories/{repository_id}/...` path.
fn repository_id(path: &str) -> Result<u32, ParamError> {
    let segment = path.split('/').nth(3).unwrap_or("");
    let decoded = percent_decode(segment);
    integer("repository_id", &decoded, 1, i64::from(i32::MAX)).map(|id| id as u32)
}

fn percent_decode(segment: &str) -> String {
    let pairs = signing::decode_query(&format!("v={}", segment.replace('+', "%2B")));
    pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default()
}

async fn answer(app: &App, endpoint: Option<Endpoint>, request: Request) -> Answer {
    let (parts, body) = request.into_parts();
    let Some(endpoint) = endpoint else {
        return Answer::error(
            StatusCode::NOT_FOUND,
            "CH.00000404",
            &format!("No API matches {} {}.", parts.method, parts.uri.path()),
        );
    };
    if parts.method != Method::GET && parts.method != Method::HEAD {
        let mut answer = Answer::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "CH.00000405",
            &format!(
                "Method {} is not allowed; this API answers GET.",
                parts.method
            ),
        );
        answer.headers.push(("Allow", "GET, HEAD".to_string()));
        return answer;
    }
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                "CH.00000400",
                &format!("Invalid request body: unreadable or larger than {MAX_BODY} bytes."),
            );
        }
    };
    let user = match authenticate(app, &parts, &body) {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let query = Query::parse(parts.uri.query());
    let result = match endpoint {
        Endpoint::Events => events(app, user, parts.uri.path(), &query),
        Endpoint::LastPush => last_push(app, user, parts.uri.path()),
        Endpoint::Commits => commits(app, user, parts.uri.path(), &query),
        Endpoint::RecentPushes => recent_pushes(app, user, &query),
    };
    result.unwrap_or_else(|answer| answer)
}

/// Checks the repository id, existence and access, in that order.
fn readable_repository(app: &App, user: u32, path: &str) -> Result<u32, Answer> {
    let id = repository_id(path).map_err(|e| Answer::bad_param(&e))?;
    if app.store.repository(id).is_none() {
        return Err(Answer::not_found());
    }
    if !app.store.can_read(user, id) {
        return Err(Answer::forbidden());
    }
    Ok(id)
}

fn page_params(query: &Query) -> Result<(u32, u32), ParamError> {
    let offset = query
        .integer("offset", 0, i64::from(i32::MAX), Some(0))?
        .unwrap_or(0);
    let limit = query.integer("limit", 1, 100, Some(20))?.unwrap_or(20);
    Ok((offset as u32, limit as u32))
}

fn events(app: &App, user: u32, path: &str, query: &Query) -> Result<Answer, Answer> {
    repository_id(path).map_err(|e| Answer::bad_param(&e))?;
    let parsed = (|| {
        let author_id = query
            .integer("author_id", 1, i64::from(i32::MAX), None)?
            .map(|a| a as u32);
        // Only push events exist, so `all` and `push` select the same events.
        query.choice("filter", &["all", "push"])?;
        let before = query.instant("before")?;
        let after = query.instant("after")?;
        let (offset, limit) = page_params(query)?;
        Ok::<_, ParamError>(EventQuery {
            author_id,
            after,
            before,
            offset,
            limit,
        })
    })()
    .map_err(|e| Answer::bad_param(&e))?;
    let id = readable_repository(app, user, path)?;
    let page = app
        .store
        .list_events(id, &parsed)
        .map_err(|_| Answer::not_found())?;
    let mut answer = Answer::json(StatusCode::OK, &page.events);
    answer.headers.push((TOTAL_HEADER, page.total.to_string()));
    Ok(answer)
}

fn last_push(app: &App, user: u32, path: &str) -> Result<Answer, Answer> {
    let id = readable_repository(app, user, path)?;
    Ok(Answer::json(
        StatusCode::OK,
        &app.store.last_push_event(id).unwrap_or_default(),
    ))
}

fn commits(app: &App, user: u32, path: &str, query: &Query) -> Result<Answer, Answer> {
    repository_id(path).map_err(|e| Answer::bad_param(&e))?;
    let parsed = (|| {
        let (offset, limit) = page_params(query)?;
        Ok::<_, ParamError>(CommitQuery {
            ref_name: query.text("ref_name")?,
            since: query.instant("since")?,
            until: query.instant("until")?,
            path: query.text("path")?,
            follow: query.boolean("follow")?,
            message: query.text("message")?,
            author: query.text("author")?,
            order_by_date: query.boolean("order_by_date")?,
            offset,
            limit,
        })
    })()
    .map_err(|e| Answer::bad_param(&e))?;
    let id = readable_repository(app, user, path)?;
    match app.store.list_commits(id, &parsed) {
        Ok(list) => Ok(Answer::json(StatusCode::OK, &list)),
        Err(QueryError::UnknownRepository(_)) => Err(Answer::not_found()),
        Err(QueryError::UnknownRef(name)) => Err(Answer::bad_param(&ParamError::new(
            "ref_name",
            format!(
                "`{}` names no branch, tag or commit of repository {id}.",
                name.escape_debug()
            ),
        ))),
    }
}

fn recent_pushes(app: &App, user: u32, query: &Query) -> Result<Answer, Answer> {
    let parsed = (|| {
        let size = query.integer("size", 1, 100, Some(10))?.unwrap_or(10);
        let project_id = query.get("project_id")?;
        if let Some(project_id) = project_id {
            let length = project_id.chars().count();
            if length != 32 {
                return Err(ParamError::new(
                    "project_id",
                    format!("{length} characters, expected exactly 32."),
                ));
            }
        }
        Ok((size as usize, project_id))
    })()
    .map_err(|e| Answer::bad_param(&e))?;
    let (size, project_id) = parsed;
    Ok(Answer::json(
        StatusCode::OK,
        &app.store.recent_push_events(user, size, project_id),
    ))
}
