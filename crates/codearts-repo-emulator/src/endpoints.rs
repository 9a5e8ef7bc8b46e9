//! The four endpoints: the checks every API request passes (method, body, authentication),
//! the repository id of the path, and each endpoint's parameters and answer.

use axum::extract::Request;
use codearts_repo_gen::parameters;
use codearts_repo_runtime::headers;
use http::{Method, StatusCode};

use crate::answer::Answer;
use crate::auth::authenticate;
use crate::params::{ParamError, Query, integer, percent_decode};
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

/// The repository id of a `/v4/repositories/{repository_id}/...` path.
fn repository_id(path: &str) -> Result<u32, ParamError> {
    let segment = path.split('/').nth(3).unwrap_or("");
    let decoded = percent_decode(segment, false)
        .ok_or_else(|| ParamError::new("repository_id", "not valid UTF-8 once percent-decoded."))?;
    integer(
        "repository_id",
        &decoded,
        parameters::repository_id::MIN,
        parameters::repository_id::MAX,
    )
    .map(|id| id as u32)
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
        .integer(
            "offset",
            parameters::offset::MIN,
            parameters::offset::MAX,
            Some(parameters::offset::DEFAULT),
        )?
        .unwrap_or(0);
    let limit = query
        .integer(
            "limit",
            parameters::limit::MIN,
            parameters::limit::MAX,
            Some(parameters::limit::DEFAULT),
        )?
        .unwrap_or(parameters::limit::DEFAULT);
    Ok((offset as u32, limit as u32))
}

fn events(app: &App, user: u32, path: &str, query: &Query) -> Result<Answer, Answer> {
    repository_id(path).map_err(|e| Answer::bad_param(&e))?;
    let parsed = (|| {
        let author_id = query
            .integer(
                "author_id",
                parameters::author_id::MIN,
                parameters::author_id::MAX,
                None,
            )?
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
    answer
        .headers
        .push((headers::TOTAL, page.total.to_string()));
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
        let size = query
            .integer(
                "size",
                parameters::size::MIN,
                parameters::size::MAX,
                Some(parameters::size::DEFAULT),
            )?
            .unwrap_or(parameters::size::DEFAULT);
        let project_id = query.get("project_id")?;
        if let Some(project_id) = project_id {
            let length = project_id.chars().count();
            let (min, max) = (
                parameters::project_id::MIN_LENGTH,
                parameters::project_id::MAX_LENGTH,
            );
            if !(min..=max).contains(&length) {
                let expected = if min == max {
                    format!("exactly {max}")
                } else {
                    format!("{min} to {max}")
                };
                return Err(ParamError::new(
                    "project_id",
                    format!("{length} characters, expected {expected}."),
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
