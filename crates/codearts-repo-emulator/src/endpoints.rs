//! The four endpoints: the checks every API request passes (method, body, authentication),
//! the repository id of the path, and each endpoint's parameters and answer.

use axum::extract::Request;
use codearts_repo_gen::operations::{
    list_commits, list_personal_recent_push_events, list_repository_events,
    show_last_push_event_in_repository,
};
use codearts_repo_runtime::headers;
use codearts_repo_runtime::params::{Parameter, Value, find};
use http::{Method, StatusCode};

use crate::answer::Answer;
use crate::auth::authenticate;
use crate::params::{ParamError, Parsed, Query, percent_decode};
use crate::query::{CommitQuery, EventQuery, QueryError};
use crate::router::App;

/// Header carrying the number of matching events.
/// Largest request body read (GET requests normally have none; it is read to verify
/// signatures).
const MAX_BODY: usize = 1 << 20;

/// The API a route leads to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Endpoint {
    /// `GET /v4/repositories/{repository_id}/events`.
    Events,
    /// `GET /v4/repositories/{repository_id}/last-push-event`.
    LastPush,
    /// `GET /v4/repositories/{repository_id}/repository/commit-list`.
    Commits,
    /// `GET /v4/user/recent-push-events`.
    RecentPushes,
}

/// The answer of `endpoint` (`None` for a path no API has) to the request, after the
/// method, body and authentication checks.
pub(crate) async fn answer(app: &App, endpoint: Option<Endpoint>, request: Request) -> Answer {
    let (parts, body) = request.into_parts();
    let Some(endpoint) = endpoint else {
        return Answer::no_such_api(&parts.method, parts.uri.path());
    };
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return Answer::method_not_allowed(&parts.method);
    }
    let body =
        match tokio::time::timeout(app.body_read_timeout, axum::body::to_bytes(body, MAX_BODY))
            .await
        {
            Ok(Ok(body)) => body,
            Ok(Err(_)) => return Answer::unreadable_body(MAX_BODY),
            Err(_) => return Answer::request_timeout(app.body_read_timeout),
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

/// The repository id of a `/v4/repositories/{repository_id}/...` path, read as the
/// operation's table says.
fn repository_id(table: &'static [Parameter], path: &str) -> Result<u32, ParamError> {
    const NAME: &str = "repository_id";
    let segment = path.split('/').nth(3).unwrap_or("");
    let decoded = percent_decode(segment, false)
        .ok_or_else(|| ParamError::new(NAME, "not valid UTF-8 once percent-decoded."))?;
    let parameter = find(table, NAME).ok_or_else(|| ParamError::new(NAME, "not documented."))?;
    match parameter.parse(&decoded) {
        Ok(Value::Integer(id)) => {
            u32::try_from(id).map_err(|_| ParamError::new(NAME, format!("{id} is too large.")))
        }
        Ok(_) => Err(ParamError::new(NAME, "not an integer parameter.")),
        Err(e) => Err(ParamError::new(NAME, format!("{e}."))),
    }
}

/// Checks the repository id, existence and access, in that order.
fn readable_repository(
    app: &App,
    user: u32,
    table: &'static [Parameter],
    path: &str,
) -> Result<u32, Answer> {
    let id = repository_id(table, path).map_err(|e| Answer::bad_param(&e))?;
    if app.store.repository(id).is_none() {
        return Err(Answer::not_found());
    }
    if !app.store.can_read(user, id) {
        return Err(Answer::forbidden());
    }
    Ok(id)
}

/// The page's offset and limit (their documented defaults when absent).
fn page(parsed: &Parsed) -> (u32, u32) {
    let read = |name| {
        parsed
            .integer(name)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0)
    };
    (read("offset"), read("limit"))
}

/// The path's repository id, then the query's parameters, read against `table`.
fn read_request(
    table: &'static [Parameter],
    path: Option<&str>,
    query: &Query,
) -> Result<Parsed, Answer> {
    if let Some(path) = path {
        repository_id(table, path).map_err(|e| Answer::bad_param(&e))?;
    }
    query.read(table).map_err(|e| Answer::bad_param(&e))
}

fn events(app: &App, user: u32, path: &str, query: &Query) -> Result<Answer, Answer> {
    let table = list_repository_events::PARAMETERS;
    let parsed = read_request(table, Some(path), query)?;
    let (offset, limit) = page(&parsed);
    // Only push events exist, so the `filter` values `all` and `push` select the same.
    let parsed = EventQuery {
        author_id: parsed
            .integer("author_id")
            .and_then(|a| u32::try_from(a).ok()),
        after: parsed.instant("after"),
        before: parsed.instant("before"),
        offset,
        limit,
    };
    let id = readable_repository(app, user, table, path)?;
    let page = app
        .store
        .list_events(id, &parsed)
        .map_err(|_| Answer::not_found())?;
    let mut answer = Answer::json(StatusCode::OK, &page.events);
    answer
        .headers
        .push((headers::TOTAL, page.total.to_string()));
    Ok(answer)
}

fn last_push(app: &App, user: u32, path: &str) -> Result<Answer, Answer> {
    let id = readable_repository(
        app,
        user,
        show_last_push_event_in_repository::PARAMETERS,
        path,
    )?;
    Ok(Answer::json(
        StatusCode::OK,
        &app.store.last_push_event(id).unwrap_or_default(),
    ))
}

fn commits(app: &App, user: u32, path: &str, query: &Query) -> Result<Answer, Answer> {
    let table = list_commits::PARAMETERS;
    let parsed = read_request(table, Some(path), query)?;
    let (offset, limit) = page(&parsed);
    let parsed = CommitQuery {
        ref_name: parsed.text("ref_name"),
        since: parsed.instant("since"),
        until: parsed.instant("until"),
        path: parsed.text("path"),
        follow: parsed.flag("follow"),
        message: parsed.text("message"),
        author: parsed.text("author"),
        order_by_date: parsed.flag("order_by_date"),
        offset,
        limit,
    };
    let id = readable_repository(app, user, table, path)?;
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
    let parsed = read_request(list_personal_recent_push_events::PARAMETERS, None, query)?;
    let size = parsed
        .integer("size")
        .and_then(|s| usize::try_from(s).ok())
        .unwrap_or(0);
    let project_id = parsed.text("project_id");
    Ok(Answer::json(
        StatusCode::OK,
        &app.store
            .recent_push_events(user, size, project_id.as_deref()),
    ))
}
