//! One builder per operation. Setters only record values; every value is checked against
//! the documented range before anything is sent, and a bad one is an
//! [`Error::InvalidInput`] naming the parameter, the value and the range.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;

use futures::stream::{BoxStream, StreamExt};

use codearts_repo_gen::operations::{
    list_commits, list_personal_recent_push_events, list_repository_events,
};
use codearts_repo_gen::parameters;
use codearts_repo_runtime::params::ValueError;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{self, DayCounts, FetchPage, Page};
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

/// A documented check that failed, as an [`Error::InvalidInput`] naming the SDK's setter.
fn invalid(table: &'static [codearts_repo_runtime::params::Parameter], error: ValueError) -> Error {
    let setter = codearts_repo_runtime::params::find(table, error.parameter)
        .map_or(error.parameter, |p| p.setter);
    Error::invalid(setter, error.value, error.expected)
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
pub struct ListRepositoryEvents<C = Client> {
    client: C,
    repository_id: u32,
    params: list_repository_events::Params,
    max_items: Option<usize>,
}

impl<C> ListRepositoryEvents<C> {
    codearts_repo_gen::list_repository_events_setters!();

    /// Replaces every query parameter at once (the setters set them one by one), such
    /// as a set read from text with [`spec::Parameter::parse`](crate::spec::Parameter::parse).
    pub fn with_params(mut self, params: list_repository_events::Params) -> Self {
        self.params = params;
        self
    }

    /// Checks the parameters against the documents: `created_after`/`created_before` go
    /// out as given, whichever way round (the documents label them both ways, see the
    /// spec's `x-doc-discrepancy`).
    fn validate(&self) -> Result<Validated<list_repository_events::Params>> {
        checked(
            self.repository_id,
            list_repository_events::PARAMETERS,
            &self.params,
            self.params.validate(),
            (self.params.offset, self.params.limit),
        )
    }
}

impl ListRepositoryEvents {
    /// Fetches one page.
    pub async fn send(self) -> Result<Page<RepositoryPushEvent>> {
        let (query, offset, limit) = self.validate()?;
        fetch_events(
            &self.client,
            &query,
            self.params.offset.map(|_| offset),
            limit,
        )
        .await
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

/// The parameters of a request, checked.
#[derive(Clone, Debug)]
struct Checked<P> {
    repository_id: NonZeroU32,
    params: P,
}

/// A list request's parameters once checked, with the page it starts at and its size.
type Validated<P> = (Checked<P>, u32, Option<NonZeroU32>);

/// The checks every list request passes: its repository id, then the documented checks of
/// its query parameters (`validated`, the result of their generated `Params::validate`,
/// named by setter through `table`). Returns them with the page's offset (the documented
/// default when unset) and limit.
fn checked<P: Clone>(
    repository_id: u32,
    table: &'static [codearts_repo_runtime::params::Parameter],
    params: &P,
    validated: std::result::Result<(), ValueError>,
    (offset, limit): (Option<u32>, Option<u32>),
) -> Result<Validated<P>> {
    let repository_id = check_id("repository_id", repository_id)?;
    validated.map_err(|e| invalid(table, e))?;
    let checked = Checked {
        repository_id,
        params: params.clone(),
    };
    Ok((
        checked,
        offset.unwrap_or(fact(parameters::offset::DEFAULT)),
        limit.and_then(NonZeroU32::new),
    ))
}

async fn fetch_events(
    client: &Client,
    query: &Checked<list_repository_events::Params>,
    offset: Option<u32>,
    limit: Option<NonZeroU32>,
) -> Result<Page<RepositoryPushEvent>> {
    let mut request = query.params.apply(
        client
            .inner
            .wire
            .list_repository_events()
            .repository_id(query.repository_id),
    );
    // The walk's own page, whatever `params` holds.
    if let Some(offset) = offset {
        request = request.offset(offset);
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
pub struct LastPushEventRequest<C = Client> {
    client: C,
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
            .execute("last_push_event", request.send())
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
pub struct ListCommits<C = Client> {
    client: C,
    repository_id: u32,
    params: list_commits::Params,
    max_items: Option<usize>,
}

impl<C> ListCommits<C> {
    codearts_repo_gen::list_commits_setters!();

    /// Replaces every query parameter at once (the setters set them one by one), such
    /// as a set read from text with [`spec::Parameter::parse`](crate::spec::Parameter::parse).
    pub fn with_params(mut self, params: list_commits::Params) -> Self {
        self.params = params;
        self
    }

    fn validate(&self) -> Result<Validated<list_commits::Params>> {
        let validated = checked(
            self.repository_id,
            list_commits::PARAMETERS,
            &self.params,
            self.params.validate(),
            (self.params.offset, self.params.limit),
        )?;
        // Both bounds are exclusive (as documented), so an empty window is a mistake.
        check_order("since", self.params.since, "until", self.params.until)?;
        Ok(validated)
    }
}

impl ListCommits {
    /// Fetches one page (with its `date_title` per-day counts).
    pub async fn send(self) -> Result<Page<Commit>> {
        let (query, offset, limit) = self.validate()?;
        fetch_commits(
            &self.client,
            &query,
            self.params.offset.map(|_| offset),
            limit,
        )
        .await
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
    query: &Checked<list_commits::Params>,
    offset: Option<u32>,
    limit: Option<NonZeroU32>,
) -> Result<Page<Commit>> {
    let mut request = query.params.apply(
        client
            .inner
            .wire
            .list_commits()
            .repository_id(query.repository_id),
    );
    if let Some(offset) = offset {
        request = request.offset(offset);
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
pub struct ListRecentPushEvents<C = Client> {
    client: C,
    params: list_personal_recent_push_events::Params,
}

impl<C> ListRecentPushEvents<C> {
    codearts_repo_gen::list_personal_recent_push_events_setters!();

    /// Replaces every query parameter at once (the setters set them one by one), such
    /// as a set read from text with [`spec::Parameter::parse`](crate::spec::Parameter::parse).
    pub fn with_params(mut self, params: list_personal_recent_push_events::Params) -> Self {
        self.params = params;
        self
    }
}

impl ListRecentPushEvents {
    /// Fetches the signed-in user's recent pushes, newest first, as one page.
    pub async fn send(self) -> Result<Page<PersonalPushEvent>> {
        let table = list_personal_recent_push_events::PARAMETERS;
        self.params.validate().map_err(|e| invalid(table, e))?;
        let request = self
            .params
            .apply(self.client.inner.wire.list_personal_recent_push_events());
        let reply = self
            .client
            .execute("list_recent_push_events", request.send())
            .await?;
        Ok(Page {
            total: decode::parse_total(&reply.headers),
            request_id: decode::request_id(&reply.headers),
            items: reply.value,
            offset: 0,
            limit: self.params.size.unwrap_or(DEFAULT_SIZE),
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
        impl<C> $builder<C> {
            #[doc = concat!(
                "Skips this many ", $noun, " (0 to [`MAX_ID`]); where `stream`/`pages`/",
                "`collect` start."
            )]
            pub fn offset(mut self, offset: u32) -> Self {
                self.params.offset = Some(offset);
                self
            }

            #[doc = concat!(
                "Asks for this many ", $noun, " per page ([`MIN_LIMIT`] to [`MAX_LIMIT`]; ",
                "[`DEFAULT_LIMIT`] for `send`, [`WALK_LIMIT`] for walks)."
            )]
            pub fn limit(mut self, limit: u32) -> Self {
                self.params.limit = Some(limit);
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
        }

        impl $builder {
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

/// Each builder with another client: the blocking client's builders send through the
/// async client they hold.
#[cfg(feature = "blocking")]
macro_rules! with_client {
    ($($builder:ident { $($field:ident),* })*) => {
        $(
            impl<C> $builder<C> {
                /// The client this request is sent with.
                pub(crate) fn client(&self) -> &C {
                    &self.client
                }

                /// The same request, sent with `client`.
                pub(crate) fn with_client<D>(self, client: D) -> $builder<D> {
                    $builder {
                        client,
                        $($field: self.$field),*
                    }
                }
            }
        )*
    };
}

#[cfg(feature = "blocking")]
with_client! {
    ListRepositoryEvents { repository_id, params, max_items }
    LastPushEventRequest { repository_id }
    ListCommits { repository_id, params, max_items }
    ListRecentPushEvents { params }
}

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
            params: Default::default(),
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
            params: Default::default(),
            max_items: None,
        }
    }

    /// The signed-in user's recent pushes (`GET /v4/user/recent-push-events`).
    pub fn list_recent_push_events(&self) -> ListRecentPushEvents {
        ListRecentPushEvents {
            client: self.clone(),
            params: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_checks_name_parameter_value_and_range() {
        let params = list_commits::Params {
            limit: Some(101),
            ..Default::default()
        };
        let e = invalid(list_commits::PARAMETERS, params.validate().unwrap_err());
        assert_eq!(
            e.to_string(),
            "invalid limit \"101\": expected an integer in 1..=100"
        );
        assert!(check_id("repository_id", 0).is_err());
        assert!(check_id("repository_id", MAX_ID + 1).is_err());
        assert_eq!(check_id("repository_id", MAX_ID).unwrap().get(), MAX_ID);
    }
}
