//! One builder per operation. Setters only record values; every value is checked against
//! the documented range before anything is sent, and a bad one is an
//! [`Error::InvalidInput`] naming the parameter, the value and the range.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;

use futures::stream::{BoxStream, StreamExt};

use codearts_repo_gen::parameters;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{self, DayCounts, FetchPage, Page};
use crate::types::{EventFilter, ListPersonalRecentPushEventsProjectId};
use crate::{Commit, LastPushEvent, PersonalPushEvent, RepositoryPushEvent, decode};
pub use codearts_repo_runtime::time_bound::{TimeBound, TimeBoundError};

/// A documented integer fact as `u32`; a spec whose value does not fit fails the build.
const fn fact(value: i64) -> u32 {
    assert!(
        value >= 0 && value <= u32::MAX as i64,
        "a parameter fact does not fit u32"
    );
    value as u32
}

/// Page size the service uses when none is given (`limit` default of the spec).
pub const DEFAULT_LIMIT: u32 = fact(parameters::limit::DEFAULT);
/// Smallest page size the service accepts.
pub const MIN_LIMIT: u32 = fact(parameters::limit::MIN);
/// Largest page size the service accepts.
pub const MAX_LIMIT: u32 = fact(parameters::limit::MAX);
/// Page size used by `stream`, `pages` and `collect` when none is given.
pub const WALK_LIMIT: u32 = MAX_LIMIT;
/// Number of recent pushes the service returns when no size is given.
pub const DEFAULT_SIZE: u32 = fact(parameters::size::DEFAULT);
/// Fewest recent pushes that can be asked for.
pub const MIN_SIZE: u32 = fact(parameters::size::MIN);
/// Most recent pushes that can be asked for.
pub const MAX_SIZE: u32 = fact(parameters::size::MAX);
/// Largest id and offset the service accepts (`int32`).
pub const MAX_ID: u32 = fact(parameters::repository_id::MAX);
/// Length of a project id.
pub const PROJECT_ID_LEN: usize = parameters::project_id::MAX_LENGTH;

fn check_id(parameter: &'static str, value: u32) -> Result<NonZeroU32> {
    check_range(
        parameter,
        value,
        fact(parameters::repository_id::MIN),
        MAX_ID,
    )
    .map(|v| NonZeroU32::new(v).expect("ids start at 1"))
}

fn check_range(parameter: &'static str, value: u32, min: u32, max: u32) -> Result<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            parameter,
            value,
            format!("an integer in {min}..={max}"),
        ))
    }
}

fn check_limit(limit: Option<u32>) -> Result<Option<NonZeroU32>> {
    limit
        .map(|l| {
            check_range("limit", l, MIN_LIMIT, MAX_LIMIT)
                .map(|l| NonZeroU32::new(l).expect("checked to be at least 1"))
        })
        .transpose()
}

fn check_offset(offset: Option<u32>) -> Result<u32> {
    check_range(
        "offset",
        offset.unwrap_or(fact(parameters::offset::DEFAULT)),
        fact(parameters::offset::MIN),
        fact(parameters::offset::MAX),
    )
}

fn check_text(parameter: &'static str, value: Option<&String>) -> Result<()> {
    match value {
        Some(v) if v.is_empty() => Err(Error::invalid(
            parameter,
            v,
            "non-empty text (leave the parameter out instead)",
        )),
        Some(v) if v.contains('\0') => Err(Error::invalid(
            parameter,
            v.escape_debug(),
            "text without NUL characters",
        )),
        _ => Ok(()),
    }
}

fn check_order(
    lower_name: &'static str,
    lower: Option<TimeBound>,
    upper_name: &'static str,
    upper: Option<TimeBound>,
) -> Result<()> {
    if let (Some(lower), Some(upper)) = (lower, upper)
        && lower.instant() >= upper.instant()
    {
        return Err(Error::invalid(
            lower_name,
            lower.to_wire(),
            format!(
                "a time earlier than {upper_name} ({}); both bounds are exclusive",
                upper.to_wire()
            ),
        ));
    }
    Ok(())
}

fn failed<T: Send + 'static>(error: Error) -> BoxStream<'static, Result<T>> {
    futures::stream::once(async move { Err(error) }).boxed()
}

/// Builder of [`Client::list_repository_events`].
#[derive(Clone, Debug)]
#[must_use = "a request builder does nothing until sent"]
pub struct ListRepositoryEvents {
    client: Client,
    repository_id: u32,
    author_id: Option<u32>,
    filter: Option<EventFilter>,
    created_after: Option<TimeBound>,
    created_before: Option<TimeBound>,
    offset: Option<u32>,
    limit: Option<u32>,
    max_items: Option<usize>,
}

#[derive(Clone, Debug)]
struct EventsQuery {
    repository_id: NonZeroU32,
    author_id: Option<NonZeroU32>,
    filter: Option<EventFilter>,
    after: Option<String>,
    before: Option<String>,
}

impl ListRepositoryEvents {
    /// Only events triggered by this user id (`1..=2147483647`).
    pub fn author_id(mut self, author_id: u32) -> Self {
        self.author_id = Some(author_id);
        self
    }

    /// Kind of events ([`EventFilter::All`] when not set).
    pub fn filter(mut self, filter: EventFilter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Only events created after this time (exclusive; the `after` parameter).
    pub fn created_after(mut self, bound: impl Into<TimeBound>) -> Self {
        self.created_after = Some(bound.into());
        self
    }

    /// Only events created before this time (exclusive; the `before` parameter).
    pub fn created_before(mut self, bound: impl Into<TimeBound>) -> Self {
        self.created_before = Some(bound.into());
        self
    }

    fn validate(&self) -> Result<(EventsQuery, u32, Option<NonZeroU32>)> {
        let repository_id = check_id("repository_id", self.repository_id)?;
        let author_id = self
            .author_id
            .map(|a| {
                check_range(
                    "author_id",
                    a,
                    fact(parameters::author_id::MIN),
                    fact(parameters::author_id::MAX),
                )
                .map(|a| NonZeroU32::new(a).expect("author ids start at 1"))
            })
            .transpose()?;
        let offset = check_offset(self.offset)?;
        let limit = check_limit(self.limit)?;
        check_order(
            "created_after",
            self.created_after,
            "created_before",
            self.created_before,
        )?;
        let query = EventsQuery {
            repository_id,
            author_id,
            filter: self.filter,
            after: self.created_after.map(|b| b.to_wire()),
            before: self.created_before.map(|b| b.to_wire()),
        };
        Ok((query, offset, limit))
    }

    /// Fetches one page.
    pub async fn send(self) -> Result<Page<RepositoryPushEvent>> {
        let (query, offset, limit) = self.validate()?;
        fetch_events(&self.client, &query, self.offset.map(|_| offset), limit).await
    }

    fn walk(self, cap: Option<usize>) -> BoxStream<'static, Result<Page<RepositoryPushEvent>>> {
        walk_pages(
            "list_repository_events",
            &self.client,
            self.validate(),
            cap,
            |client, query, offset, limit| async move {
                fetch_events(&client, &query, Some(offset), Some(limit)).await
            },
        )
    }
}

async fn fetch_events(
    client: &Client,
    query: &EventsQuery,
    offset: Option<u32>,
    limit: Option<NonZeroU32>,
) -> Result<Page<RepositoryPushEvent>> {
    let mut request = client
        .inner
        .wire
        .list_repository_events()
        .repository_id(query.repository_id);
    if let Some(author_id) = query.author_id {
        request = request.author_id(author_id);
    }
    if let Some(filter) = query.filter {
        request = request.filter(filter);
    }
    if let Some(after) = &query.after {
        request = request.after(after.clone());
    }
    if let Some(before) = &query.before {
        request = request.before(before.clone());
    }
    if let Some(offset) = offset {
        request = request.offset(offset as i32);
    }
    if let Some(limit) = limit {
        request = request.limit(limit);
    }
    let reply = client
        .execute("list_repository_events", request.send())
        .await?;
    Ok(Page {
        total: decode::parse_total(&reply.headers),
        request_id: decode::request_id(&reply.headers),
        items: reply.value,
        offset: offset.unwrap_or(0),
        limit: limit.map_or(DEFAULT_LIMIT, NonZeroU32::get),
        date_title: Vec::new(),
        repairs: reply.repairs,
    })
}

/// Builder of [`Client::last_push_event`].
#[derive(Clone, Debug)]
#[must_use = "a request builder does nothing until sent"]
pub struct LastPushEventRequest {
    client: Client,
    repository_id: u32,
}

impl LastPushEventRequest {
    /// Fetches the repository's most recent push; `None` when it has none (the service
    /// answers an empty object).
    pub async fn send(self) -> Result<Option<LastPushEvent>> {
        let repository_id = check_id("repository_id", self.repository_id)?;
        let request = self
            .client
            .inner
            .wire
            .show_last_push_event_in_repository()
            .repository_id(repository_id);
        let reply = self
            .client
            .execute("show_last_push_event_in_repository", request.send())
            .await?;
        let event: LastPushEvent = reply.value;
        let empty =
            event.ref_.is_none() && event.created_at.is_none() && event.repository.is_none();
        Ok((!empty).then_some(event))
    }
}

/// Builder of [`Client::list_commits`].
#[derive(Clone, Debug)]
#[must_use = "a request builder does nothing until sent"]
pub struct ListCommits {
    client: Client,
    repository_id: u32,
    ref_name: Option<String>,
    since: Option<TimeBound>,
    until: Option<TimeBound>,
    path: Option<String>,
    follow: Option<bool>,
    author: Option<String>,
    message: Option<String>,
    order_by_date: Option<bool>,
    offset: Option<u32>,
    limit: Option<u32>,
    max_items: Option<usize>,
}

#[derive(Clone, Debug)]
struct CommitsQuery {
    repository_id: NonZeroU32,
    ref_name: Option<String>,
    since: Option<String>,
    until: Option<String>,
    path: Option<String>,
    follow: Option<bool>,
    author: Option<String>,
    message: Option<String>,
    order_by_date: Option<bool>,
}

impl ListCommits {
    /// Branch, tag or commit id to list from (the default branch when not set). Any
    /// characters (`/`, `#`, `&`, `+`, spaces, non-ASCII) arrive intact.
    pub fn ref_name(mut self, ref_name: impl Into<String>) -> Self {
        self.ref_name = Some(ref_name.into());
        self
    }

    /// Only commits committed after this time (exclusive).
    pub fn since(mut self, bound: impl Into<TimeBound>) -> Self {
        self.since = Some(bound.into());
        self
    }

    /// Only commits committed before this time (exclusive).
    pub fn until(mut self, bound: impl Into<TimeBound>) -> Self {
        self.until = Some(bound.into());
        self
    }

    /// Only commits touching this file or directory.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// With [`path`](Self::path), follow the file across renames.
    pub fn follow(mut self, follow: bool) -> Self {
        self.follow = Some(follow);
        self
    }

    /// Only commits whose author name contains this text.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = Some(author.into());
        self
    }

    /// Only commits whose message contains this text, or whose id starts with it.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sort by commit date, newest first, instead of history order.
    pub fn order_by_date(mut self, order_by_date: bool) -> Self {
        self.order_by_date = Some(order_by_date);
        self
    }

    fn validate(&self) -> Result<(CommitsQuery, u32, Option<NonZeroU32>)> {
        let repository_id = check_id("repository_id", self.repository_id)?;
        let offset = check_offset(self.offset)?;
        let limit = check_limit(self.limit)?;
        check_text("ref_name", self.ref_name.as_ref())?;
        check_text("path", self.path.as_ref())?;
        check_text("author", self.author.as_ref())?;
        check_text("message", self.message.as_ref())?;
        check_order("since", self.since, "until", self.until)?;
        let query = CommitsQuery {
            repository_id,
            ref_name: self.ref_name.clone(),
            since: self.since.map(|b| b.to_wire()),
            until: self.until.map(|b| b.to_wire()),
            path: self.path.clone(),
            follow: self.follow,
            author: self.author.clone(),
            message: self.message.clone(),
            order_by_date: self.order_by_date,
        };
        Ok((query, offset, limit))
    }

    /// Fetches one page (with its `date_title` per-day counts).
    pub async fn send(self) -> Result<Page<Commit>> {
        let (query, offset, limit) = self.validate()?;
        fetch_commits(&self.client, &query, self.offset.map(|_| offset), limit).await
    }

    /// Like [`collect`](Self::collect), plus the `date_title` counts of every page walked
    /// merged per day. The page that reaches `cap` asks only for the commits the cap
    /// leaves, so the counts cover exactly the commits returned.
    pub async fn collect_with_days(self, cap: Option<usize>) -> Result<(Vec<Commit>, DayCounts)> {
        let cap = tighter_cap(cap, self.max_items);
        let mut days = DayCounts::default();
        let commits =
            pagination::collect(self.walk(cap), |page| days.add(&page.date_title)).await?;
        Ok((commits, days))
    }

    fn walk(self, cap: Option<usize>) -> BoxStream<'static, Result<Page<Commit>>> {
        walk_pages(
            "list_commits",
            &self.client,
            self.validate(),
            cap,
            |client, query, offset, limit| async move {
                fetch_commits(&client, &query, Some(offset), Some(limit)).await
            },
        )
    }
}

async fn fetch_commits(
    client: &Client,
    query: &CommitsQuery,
    offset: Option<u32>,
    limit: Option<NonZeroU32>,
) -> Result<Page<Commit>> {
    let mut request = client
        .inner
        .wire
        .list_commits()
        .repository_id(query.repository_id);
    if let Some(v) = &query.ref_name {
        request = request.ref_name(v.clone());
    }
    if let Some(v) = &query.since {
        request = request.since(v.clone());
    }
    if let Some(v) = &query.until {
        request = request.until(v.clone());
    }
    if let Some(v) = &query.path {
        request = request.path(v.clone());
    }
    if let Some(v) = query.follow {
        request = request.follow(v);
    }
    if let Some(v) = &query.author {
        request = request.author(v.clone());
    }
    if let Some(v) = &query.message {
        request = request.message(v.clone());
    }
    if let Some(v) = query.order_by_date {
        request = request.order_by_date(v);
    }
    if let Some(offset) = offset {
        request = request.offset(offset as i32);
    }
    if let Some(limit) = limit {
        request = request.limit(limit);
    }
    let reply = client.execute("list_commits", request.send()).await?;
    Ok(Page {
        total: decode::parse_total(&reply.headers),
        request_id: decode::request_id(&reply.headers),
        items: reply.value.commits,
        offset: offset.unwrap_or(0),
        limit: limit.map_or(DEFAULT_LIMIT, NonZeroU32::get),
        date_title: reply.value.date_title,
        repairs: reply.repairs,
    })
}

/// Builder of [`Client::list_recent_push_events`].
#[derive(Clone, Debug)]
#[must_use = "a request builder does nothing until sent"]
pub struct ListRecentPushEvents {
    client: Client,
    size: Option<u32>,
    project_id: Option<String>,
}

impl ListRecentPushEvents {
    /// Number of pushes (`1..=100`; the service's default is [`DEFAULT_SIZE`]).
    pub fn size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }

    /// Only pushes to repositories of this project (a 32-character id).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Fetches the signed-in user's recent pushes, newest first, as one page.
    pub async fn send(self) -> Result<Page<PersonalPushEvent>> {
        let size = self
            .size
            .map(|s| {
                check_range("size", s, MIN_SIZE, MAX_SIZE)
                    .map(|s| NonZeroU32::new(s).expect("checked to be at least 1"))
            })
            .transpose()?;
        let project_id = match &self.project_id {
            Some(id) if id.chars().count() != PROJECT_ID_LEN => {
                return Err(Error::invalid(
                    "project_id",
                    id,
                    format!("exactly {PROJECT_ID_LEN} characters"),
                ));
            }
            Some(id) => Some(
                ListPersonalRecentPushEventsProjectId::try_from(id.as_str())
                    .map_err(|e| Error::invalid("project_id", id, e.to_string()))?,
            ),
            None => None,
        };
        let mut request = self.client.inner.wire.list_personal_recent_push_events();
        if let Some(size) = size {
            request = request.size(size);
        }
        if let Some(project_id) = project_id {
            request = request.project_id(project_id);
        }
        let reply = self
            .client
            .execute("list_personal_recent_push_events", request.send())
            .await?;
        Ok(Page {
            total: decode::parse_total(&reply.headers),
            request_id: decode::request_id(&reply.headers),
            items: reply.value,
            offset: 0,
            limit: size.map_or(DEFAULT_SIZE, NonZeroU32::get),
            date_title: Vec::new(),
            repairs: reply.repairs,
        })
    }
}

/// Walks the pages of a list operation whose parameters `validated` checked: from its
/// offset, with its page size ([`WALK_LIMIT`] when none was set), `fetch` per page.
fn walk_pages<Q, T, F, Fut>(
    operation: &'static str,
    client: &Client,
    validated: Result<(Q, u32, Option<NonZeroU32>)>,
    cap: Option<usize>,
    fetch: F,
) -> BoxStream<'static, Result<Page<T>>>
where
    Q: Send + Sync + 'static,
    T: Clone + PartialEq + Send + 'static,
    F: Fn(Client, Arc<Q>, u32, NonZeroU32) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let (query, start, limit) = match validated {
        Ok(valid) => valid,
        Err(error) => return failed(error),
    };
    let limit = limit.unwrap_or(NonZeroU32::new(WALK_LIMIT).expect("non-zero"));
    let concurrency = client.inner.max_concurrent_pages.clone();
    let client = client.clone();
    let query = Arc::new(query);
    let fetch_page: FetchPage<T> = Arc::new(move |offset, page_limit| {
        // The walk asks for less than `limit` only for the page that reaches the cap.
        let page_limit = NonZeroU32::new(page_limit).unwrap_or(limit);
        Box::pin(fetch(client.clone(), query.clone(), offset, page_limit))
    });
    pagination::walk(
        operation,
        fetch_page,
        start,
        limit.get(),
        concurrency,
        cap.map(|c| c as u64),
    )
}

/// The paging setters and walks shared by the list builders: `offset`, `limit`,
/// `max_items`, `pages`, `stream`, `collect`. Each builder brings `walk(self, cap)`.
macro_rules! list_walk_methods {
    ($builder:ident, $item:ty, $noun:literal) => {
        impl $builder {
            #[doc = concat!(
                "Skips this many ", $noun, " (`0..=2147483647`); where `stream`/`pages`/",
                "`collect` start."
            )]
            pub fn offset(mut self, offset: u32) -> Self {
                self.offset = Some(offset);
                self
            }

            #[doc = concat!(
                "Asks for this many ", $noun, " per page (`1..=100`; [`DEFAULT_LIMIT`] for ",
                "`send`, [`WALK_LIMIT`] for walks)."
            )]
            pub fn limit(mut self, limit: u32) -> Self {
                self.limit = Some(limit);
                self
            }

            #[doc = concat!(
                "Stops `pages`, `stream` and `collect` after this many ", $noun, ": no page ",
                "past them is requested, not even by the read-ahead, and the page that ",
                "reaches the cap asks only for the ", $noun, " it leaves (its `limit` is ",
                "smaller)."
            )]
            pub fn max_items(mut self, max_items: usize) -> Self {
                self.max_items = Some(max_items);
                self
            }

            /// Every page from the offset on, in order.
            pub fn pages(self) -> BoxStream<'static, Result<Page<$item>>> {
                let cap = self.max_items;
                self.walk(cap)
            }

            #[doc = concat!(
                "Every one of the ", $noun, " from the offset on, across pages, in order, ",
                "each once."
            )]
            pub fn stream(self) -> BoxStream<'static, Result<$item>> {
                let cap = self.max_items;
                pagination::items(self.walk(cap))
            }

            #[doc = concat!("Up to `cap` ", $noun, " (all when `None`) from the offset on.")]
            pub async fn collect(self, cap: Option<usize>) -> Result<Vec<$item>> {
                let cap = tighter_cap(cap, self.max_items);
                pagination::collect(self.walk(cap), |_| {}).await
            }
        }
    };
}

list_walk_methods!(ListRepositoryEvents, RepositoryPushEvent, "events");
list_walk_methods!(ListCommits, Commit, "commits");

/// The smaller of two optional item caps.
fn tighter_cap(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Client {
    /// A repository's push events, newest first (`GET /v4/repositories/{id}/events`).
    pub fn list_repository_events(&self, repository_id: u32) -> ListRepositoryEvents {
        ListRepositoryEvents {
            client: self.clone(),
            repository_id,
            author_id: None,
            filter: None,
            created_after: None,
            created_before: None,
            offset: None,
            limit: None,
            max_items: None,
        }
    }

    /// A repository's most recent push (`GET /v4/repositories/{id}/last-push-event`).
    pub fn last_push_event(&self, repository_id: u32) -> LastPushEventRequest {
        LastPushEventRequest {
            client: self.clone(),
            repository_id,
        }
    }

    /// A repository's commits (`GET /v4/repositories/{id}/repository/commit-list`).
    pub fn list_commits(&self, repository_id: u32) -> ListCommits {
        ListCommits {
            client: self.clone(),
            repository_id,
            ref_name: None,
            since: None,
            until: None,
            path: None,
            follow: None,
            author: None,
            message: None,
            order_by_date: None,
            offset: None,
            limit: None,
            max_items: None,
        }
    }

    /// The signed-in user's recent pushes (`GET /v4/user/recent-push-events`).
    pub fn list_recent_push_events(&self) -> ListRecentPushEvents {
        ListRecentPushEvents {
            client: self.clone(),
            size: None,
            project_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_checks_name_parameter_value_and_range() {
        let e = check_limit(Some(101)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid limit \"101\": expected an integer in 1..=100"
        );
        assert!(check_id("repository_id", 0).is_err());
        assert!(check_id("repository_id", MAX_ID + 1).is_err());
        assert_eq!(check_id("repository_id", MAX_ID).unwrap().get(), MAX_ID);
        assert!(check_text("ref_name", Some(&String::new())).is_err());
    }
}
