//! The emulator's data: users, repositories, commits and push events, kept compactly and
//! turned into the generated wire types only for the items a response carries.

use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use codearts_repo_gen::types::{
    CommitDto, CommitListDto, DateTitleDto, LastPushEventDto, PersonalEventAuthorDto,
    PersonalPushEventDto, PushEventPayloadDto, RelatedCommitSimpleDto, RepositoryBriefDto,
    RepositoryEventAuthorDto, RepositoryPushEventDto, RepositorySimpleDto,
};
use codearts_repo_runtime::lenient::{DevelopMode, PushEventActionName, Timestamp, UserState};

/// A 20-byte commit id.
pub(crate) type Oid = [u8; 20];

/// Host name used in the generated clone and picture addresses.
pub(crate) const HOST: &str = "codehub.example.com";

/// Offset the service writes some timestamps in (China Standard Time), as in its examples.
fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// An instant in UTC with milliseconds and `Z`, the shape of most timestamps.
fn utc_timestamp(seconds: i64) -> Timestamp {
    Timestamp::from(Utc.timestamp_opt(seconds, 0).single().unwrap_or_default())
}

/// An instant at +08:00, the other documented shape (`2025-08-21T16:26:40.000+08:00`).
fn cst_timestamp(seconds: i64) -> Timestamp {
    let local = Utc
        .timestamp_opt(seconds, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&cst());
    Timestamp::parse(local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string())
}

/// A user account.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: u32,
    pub username: String,
    pub name: String,
    pub name_cn: Option<String>,
    pub nick_name: Option<String>,
    pub tenant_name: Option<String>,
    pub avatar_url: Option<String>,
    pub state: UserState,
}

/// A name and email address found in commits; `user` links it to an account when known.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub name: String,
    pub email: Option<String>,
    pub user: Option<u32>,
}

/// A file touched by a commit; `from` is the old path of a rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub path: u32,
    pub from: Option<u32>,
}

/// One commit, compactly.
#[derive(Clone, Debug)]
pub(crate) struct Commit {
    pub id: Oid,
    pub parents: Box<[u32]>,
    pub author: u32,
    pub committer: u32,
    pub authored: i64,
    pub committed: i64,
    pub message: Box<str>,
    /// Files changed against the only parent (or, for a root, added).
    pub changes: Box<[Change]>,
    /// For a merge: the files that differ from each parent, in parent order.
    pub merge_changes: Box<[Box<[u32]>]>,
    pub work_items: Box<[u32]>,
    pub gpg_key: Option<u64>,
}

impl Commit {
    /// The first line of the message.
    pub fn title(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

/// Kind of a ref.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    Branch,
    Tag,
}

impl RefKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::Tag => "tag",
        }
    }
}

/// What a push did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PushAction {
    Created,
    Pushed,
    Removed,
}

impl PushAction {
    fn action_name(self) -> PushEventActionName {
        match self {
            Self::Created => PushEventActionName::PushedNew,
            Self::Pushed => PushEventActionName::PushedTo,
            Self::Removed => PushEventActionName::Deleted,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Pushed => "pushed",
            Self::Removed => "removed",
        }
    }
}

/// One push.
#[derive(Clone, Debug)]
pub(crate) struct PushEvent {
    pub created_at: i64,
    pub author: u32,
    pub action: PushAction,
    pub ref_kind: RefKind,
    pub ref_name: Arc<str>,
    pub commit_from: Option<Oid>,
    pub commit_to: Option<Oid>,
    pub commit_count: u32,
    pub commit_title: Option<Box<str>>,
}

/// Most commit orders kept per repository (each is 4 bytes per commit).
const MAX_CACHED_WALKS: usize = 32;

/// Commit orders already computed, by (tip, sorted by date).
pub(crate) type WalkCache = HashMap<(u32, bool), Arc<[u32]>>;

/// A repository with its history.
#[derive(Debug)]
pub(crate) struct Repository {
    pub id: u32,
    pub name: String,
    pub namespace: String,
    pub group: String,
    pub project_id: String,
    pub project_name: String,
    pub description: Option<String>,
    pub created_at: i64,
    pub develop_mode: DevelopMode,
    pub members: HashSet<u32>,
    pub people: Vec<Person>,
    pub paths: Vec<Box<str>>,
    pub commits: Vec<Commit>,
    pub by_id: HashMap<Oid, u32>,
    pub default_branch: String,
    pub branches: BTreeMap<String, u32>,
    pub tags: BTreeMap<String, u32>,
    /// Newest first.
    pub events: Vec<PushEvent>,
    pub walks: Mutex<WalkCache>,
}

impl Repository {
    pub fn path_with_namespace(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    fn updated_at(&self) -> i64 {
        let last_commit = self
            .commits
            .iter()
            .map(|c| c.committed)
            .max()
            .unwrap_or(self.created_at);
        let last_event = self
            .events
            .first()
            .map_or(self.created_at, |e| e.created_at);
        last_commit.max(last_event).max(self.created_at)
    }

    /// Resolves a branch, tag, full commit id or unique commit id prefix (4+ hex digits).
    pub fn resolve(&self, name: &str) -> Option<u32> {
        if let Some(&tip) = self.branches.get(name).or_else(|| self.tags.get(name)) {
            return Some(tip);
        }
        let lower = name.to_ascii_lowercase();
        if lower.len() < 4 || lower.len() > 40 || !lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        if lower.len() == 40 {
            let mut oid = [0u8; 20];
            for (i, byte) in oid.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&lower[2 * i..2 * i + 2], 16).ok()?;
            }
            return self.by_id.get(&oid).copied();
        }
        let mut found = None;
        for (index, commit) in self.commits.iter().enumerate() {
            if hex(&commit.id).starts_with(&lower) {
                if found.is_some() {
                    return None;
                }
                found = Some(index as u32);
            }
        }
        found
    }

    /// Commits reachable from `tip`: in history order (the order of `git log`: newest
    /// commit date first, a parent never before the commit that reached it) or sorted by
    /// commit date alone. Computed once per tip and cached.
    pub fn walk(&self, tip: u32, by_date: bool) -> Arc<[u32]> {
        let mut cache = self
            .walks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = cache.get(&(tip, by_date)) {
            return found.clone();
        }
        let order: Arc<[u32]> = if by_date {
            let mut order = self.walk_history(tip);
            // Stable: equal dates keep their history order.
            order.sort_by_key(|&i| std::cmp::Reverse(self.commits[i as usize].committed));
            order.into()
        } else {
            self.walk_history(tip).into()
        };
        // Bounded: a client walking many commit ids must not grow memory without end.
        if cache.len() >= MAX_CACHED_WALKS {
            cache.clear();
        }
        cache.insert((tip, by_date), order.clone());
        order
    }

    /// git's default revision walk: a queue ordered by commit date, newest first, ties in
    /// the order the commits were queued.
    fn walk_history(&self, tip: u32) -> Vec<u32> {
        let mut queue = DateQueue::new(self.commits.len());
        let mut order = Vec::new();
        queue.push_unseen(tip, self.commits[tip as usize].committed);
        while let Some(index) = queue.pop() {
            order.push(index);
            for &parent in self.commits[index as usize].parents.iter() {
                queue.push_unseen(parent, self.commits[parent as usize].committed);
            }
        }
        order
    }
}

impl Repository {
    /// Whether the commit differs from its parent under `path` (`renamed_from` is set to the
    /// old name when `path` itself was renamed). For a merge: whether it differs from every
    /// parent, and the first parent it does not differ from.
    fn touches(&self, commit: &Commit, path: &str) -> Touch {
        if commit.parents.len() > 1 {
            if commit.merge_changes.len() != commit.parents.len() {
                return Touch::SameAs(0);
            }
            let same = commit.merge_changes.iter().position(|changed| {
                !changed
                    .iter()
                    .any(|&p| under(&self.paths[p as usize], path))
            });
            return match same {
                Some(parent) => Touch::SameAs(parent),
                None => Touch::Changed { renamed_from: None },
            };
        }
        let mut touched = false;
        let mut renamed_from = None;
        for change in commit.changes.iter() {
            let new = &*self.paths[change.path as usize];
            let old = change.from.map(|f| &*self.paths[f as usize]);
            if under(new, path) || old.is_some_and(|o| under(o, path)) {
                touched = true;
                if new == path {
                    renamed_from = change.from;
                }
            }
        }
        if touched {
            Touch::Changed { renamed_from }
        } else {
            Touch::SameAs(0)
        }
    }

    /// The history of `path` from `tip`, simplified as `git log -- path` does: a commit is
    /// kept when it differs from its parent under the path; a merge is kept when it differs
    /// from every parent, and otherwise only the first parent it equals is followed. With
    /// `follow`, a rename of the file switches to its old name, as `git log --follow`.
    fn walk_path(&self, tip: u32, path: &str, follow: bool) -> Vec<u32> {
        let mut path = path.to_string();
        let mut queue = DateQueue::new(self.commits.len());
        let mut kept = Vec::new();
        queue.push_unseen(tip, self.commits[tip as usize].committed);
        while let Some(index) = queue.pop() {
            let commit = &self.commits[index as usize];
            let parents: &[u32] = match self.touches(commit, &path) {
                Touch::SameAs(parent) if commit.parents.len() > 1 => {
                    std::slice::from_ref(&commit.parents[parent])
                }
                Touch::SameAs(_) => &commit.parents,
                Touch::Changed { renamed_from } => {
                    kept.push(index);
                    if let (true, Some(old)) = (follow, renamed_from) {
                        path = self.paths[old as usize].to_string();
                    }
                    &commit.parents
                }
            };
            for &parent in parents {
                queue.push_unseen(parent, self.commits[parent as usize].committed);
            }
        }
        kept
    }
}

/// The queue of git's revision walk: commits by commit date, newest first, ties in the
/// order they were queued; each commit is queued at most once.
struct DateQueue {
    seen: Vec<bool>,
    heap: BinaryHeap<(i64, std::cmp::Reverse<u64>, u32)>,
    queued: u64,
}

impl DateQueue {
    fn new(commits: usize) -> Self {
        Self {
            seen: vec![false; commits],
            heap: BinaryHeap::new(),
            queued: 0,
        }
    }

    /// Queues `index` unless it was queued before.
    fn push_unseen(&mut self, index: u32, committed: i64) {
        if !std::mem::replace(&mut self.seen[index as usize], true) {
            self.queued += 1;
            self.heap
                .push((committed, std::cmp::Reverse(self.queued), index));
        }
    }

    fn pop(&mut self) -> Option<u32> {
        self.heap.pop().map(|(_, _, index)| index)
    }
}

/// How a commit relates to a path.
enum Touch {
    /// Equal under the path to this parent (by position).
    SameAs(usize),
    /// Changed under the path; the file's old name when it was renamed.
    Changed { renamed_from: Option<u32> },
}

/// Lowercase hex of a commit id.
pub(crate) fn hex(oid: &Oid) -> String {
    let mut out = String::with_capacity(40);
    for byte in oid {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Filters of the commit list, as already validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitQuery {
    /// Branch, tag or commit id (full or a unique prefix of at least 4 hex digits); the
    /// default branch when `None`.
    pub ref_name: Option<String>,
    /// Only commits committed strictly after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only commits committed strictly before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only commits touching this file, or a file under this directory.
    pub path: Option<String>,
    /// With `path`: follow the file back across renames, as `git log --follow` does.
    pub follow: bool,
    /// Only commits whose message contains this text (case-insensitive) or whose id starts
    /// with it.
    pub message: Option<String>,
    /// Only commits whose author name contains this text (case-insensitive).
    pub author: Option<String>,
    /// Sort by commit date, newest first, instead of history order.
    pub order_by_date: bool,
    /// Number of matching commits to skip.
    pub offset: u32,
    /// Largest number of commits to return.
    pub limit: u32,
}

/// Filters of the repository events list, as already validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only events by this user.
    pub author_id: Option<u32>,
    /// Only events created strictly after this instant (the exclusive lower bound).
    pub after: Option<DateTime<Utc>>,
    /// Only events created strictly before this instant (the exclusive upper bound).
    pub before: Option<DateTime<Utc>>,
    /// Number of matching events to skip.
    pub offset: u32,
    /// Largest number of events to return.
    pub limit: u32,
}

/// One page of events and the number of events matching across all pages.
#[derive(Clone, Debug, PartialEq)]
pub struct EventPage {
    /// The events of the page, newest first.
    pub events: Vec<RepositoryPushEventDto>,
    /// Number of events matching the filters, across all pages (the `X-Total` header).
    pub total: u64,
}

/// Why a commit list could not be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// No repository has this id.
    UnknownRepository(u32),
    /// `ref_name` names no branch, tag or commit.
    UnknownRef(String),
}

/// Read-only view of the emulator's data, as the generated wire types, for assertions.
#[derive(Debug)]
pub struct Store {
    pub(crate) users: Vec<User>,
    pub(crate) repositories: Vec<Repository>,
}

impl Store {
    pub(crate) fn user(&self, id: u32) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn repository(&self, id: u32) -> Option<&Repository> {
        self.repositories.iter().find(|r| r.id == id)
    }

    /// Every repository id, ascending.
    pub fn repository_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.repositories.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Ids of the repositories the user may read, ascending.
    pub fn readable_repository_ids(&self, user_id: u32) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .repositories
            .iter()
            .filter(|r| r.members.contains(&user_id))
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Whether the user may read the repository.
    pub fn can_read(&self, user_id: u32, repository_id: u32) -> bool {
        self.repository(repository_id)
            .is_some_and(|r| r.members.contains(&user_id))
    }

    /// The repository's description, as the recent-pushes endpoint shows it.
    pub fn repository_info(&self, repository_id: u32) -> Option<RepositorySimpleDto> {
        self.repository(repository_id).map(repository_simple)
    }

    /// The repository's default branch.
    pub fn default_branch(&self, repository_id: u32) -> Option<String> {
        self.repository(repository_id)
            .map(|r| r.default_branch.clone())
    }

    /// The repository's branches with the full id of the commit each points at.
    pub fn branches(&self, repository_id: u32) -> Vec<(String, String)> {
        self.repository(repository_id)
            .map(|r| {
                r.branches
                    .iter()
                    .map(|(n, &i)| (n.clone(), hex(&r.commits[i as usize].id)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The repository's tags with the full id of the commit each points at.
    pub fn tags(&self, repository_id: u32) -> Vec<(String, String)> {
        self.repository(repository_id)
            .map(|r| {
                r.tags
                    .iter()
                    .map(|(n, &i)| (n.clone(), hex(&r.commits[i as usize].id)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Number of commits in the repository (reachable from any ref).
    pub fn commit_count(&self, repository_id: u32) -> usize {
        self.repository(repository_id)
            .map_or(0, |r| r.commits.len())
    }

    /// Every event of the repository, newest first.
    pub fn events(&self, repository_id: u32) -> Vec<RepositoryPushEventDto> {
        self.repository(repository_id)
            .map(|r| r.events.iter().map(|e| self.event_dto(r, e)).collect())
            .unwrap_or_default()
    }

    /// One page of the repository's events, newest first, with the matching total.
    pub fn list_events(
        &self,
        repository_id: u32,
        query: &EventQuery,
    ) -> Result<EventPage, QueryError> {
        let repository = self
            .repository(repository_id)
            .ok_or(QueryError::UnknownRepository(repository_id))?;
        let after = query.after.map(|t| t.timestamp());
        let before = query.before.map(|t| t.timestamp());
        let matching = repository.events.iter().filter(|e| {
            query.author_id.is_none_or(|a| e.author == a)
                && after.is_none_or(|a| e.created_at > a)
                && before.is_none_or(|b| e.created_at < b)
        });
        let mut total = 0u64;
        let mut events = Vec::new();
        for event in matching {
            if total >= u64::from(query.offset) && events.len() < query.limit as usize {
                events.push(self.event_dto(repository, event));
            }
            total += 1;
        }
        Ok(EventPage { events, total })
    }

    /// The repository's most recent push, `None` when it has none (or is unknown).
    pub fn last_push_event(&self, repository_id: u32) -> Option<LastPushEventDto> {
        let repository = self.repository(repository_id)?;
        let event = repository.events.first()?;
        Some(LastPushEventDto {
            created_at: Some(cst_timestamp(event.created_at)),
            ref_: Some(event.ref_name.to_string()),
            repository: Some(RepositoryBriefDto {
                id: nonzero(repository.id),
                name: Some(repository.name.clone()),
                path: Some(repository.name.clone()),
                path_with_namespace: Some(repository.path_with_namespace()),
                project_name: Some(repository.project_name.clone()),
            }),
        })
    }

    /// The user's latest pushes across the repositories they may read, newest first,
    /// optionally only those of one project.
    pub fn recent_push_events(
        &self,
        user_id: u32,
        size: usize,
        project_id: Option<&str>,
    ) -> Vec<PersonalPushEventDto> {
        let mut found: Vec<(&Repository, &PushEvent)> = Vec::new();
        for repository in &self.repositories {
            if !repository.members.contains(&user_id)
                || project_id.is_some_and(|p| p != repository.project_id)
            {
                continue;
            }
            found.extend(
                repository
                    .events
                    .iter()
                    .filter(|e| e.author == user_id)
                    .take(size)
                    .map(|e| (repository, e)),
            );
        }
        found.sort_by_key(|(r, e)| (std::cmp::Reverse(e.created_at), r.id));
        found
            .into_iter()
            .take(size)
            .map(|(repository, event)| PersonalPushEventDto {
                author: Some(PersonalEventAuthorDto {
                    id: nonzero(event.author),
                    username: self.user(event.author).map(|u| u.username.clone()),
                }),
                created_at: Some(cst_timestamp(event.created_at)),
                push_data: Some(push_data(event)),
                repository: Some(repository_simple(repository)),
            })
            .collect()
    }

    /// Every commit reachable from `ref_name` (the default branch when `None`), in history
    /// order.
    pub fn commits(
        &self,
        repository_id: u32,
        ref_name: Option<&str>,
    ) -> Result<Vec<CommitDto>, QueryError> {
        let query = CommitQuery {
            ref_name: ref_name.map(str::to_string),
            limit: u32::MAX,
            ..CommitQuery::default()
        };
        self.list_commits(repository_id, &query)
            .map(|page| page.commits)
    }

    /// One page of the commit list, with the per-day counts of that page's commits.
    pub fn list_commits(
        &self,
        repository_id: u32,
        query: &CommitQuery,
    ) -> Result<CommitListDto, QueryError> {
        let repository = self
            .repository(repository_id)
            .ok_or(QueryError::UnknownRepository(repository_id))?;
        let tip = match query.ref_name.as_deref().filter(|r| !r.is_empty()) {
            Some(name) => repository
                .resolve(name)
                .ok_or_else(|| QueryError::UnknownRef(name.to_string()))?,
            None => match repository.branches.get(&repository.default_branch) {
                Some(&tip) => tip,
                None => return Ok(CommitListDto::default()),
            },
        };
        let path = query
            .path
            .as_deref()
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty());
        let order: Arc<[u32]> = match path {
            None => repository.walk(tip, query.order_by_date),
            Some(path) => {
                let mut kept = repository.walk_path(tip, path, query.follow);
                if query.order_by_date {
                    kept.sort_by_key(|&i| {
                        std::cmp::Reverse(repository.commits[i as usize].committed)
                    });
                }
                kept.into()
            }
        };
        let since = query.since.map(|t| t.timestamp());
        let until = query.until.map(|t| t.timestamp());
        let message = query
            .message
            .as_deref()
            .filter(|m| !m.is_empty())
            .map(str::to_lowercase);
        let author = query
            .author
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(str::to_lowercase);
        let mut skipped = 0u32;
        let mut page = Vec::new();
        for &index in order.iter() {
            if page.len() >= query.limit as usize {
                break;
            }
            let commit = &repository.commits[index as usize];
            if since.is_some_and(|s| commit.committed <= s)
                || until.is_some_and(|u| commit.committed >= u)
            {
                continue;
            }
            if let Some(author) = &author {
                let name = &repository.people[commit.author as usize].name;
                if !name.to_lowercase().contains(author) {
                    continue;
                }
            }
            if let Some(message) = &message
                && !commit.message.to_lowercase().contains(message)
                && !hex(&commit.id).starts_with(message.as_str())
            {
                continue;
            }
            if skipped < query.offset {
                skipped += 1;
                continue;
            }
            page.push(index);
        }
        let mut days: Vec<(String, i32)> = Vec::new();
        let mut commits = Vec::with_capacity(page.len());
        for index in page {
            let commit = &repository.commits[index as usize];
            let day = Utc
                .timestamp_opt(commit.committed, 0)
                .single()
                .unwrap_or_default()
                .format("%Y-%m-%d")
                .to_string();
            match days.iter_mut().find(|(d, _)| *d == day) {
                Some((_, count)) => *count += 1,
                None => days.push((day, 1)),
            }
            commits.push(commit_dto(self, repository, commit));
        }
        days.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(CommitListDto {
            commits,
            date_title: days
                .into_iter()
                .map(|(day, count)| DateTitleDto {
                    day,
                    commits_count: Some(count),
                })
                .collect(),
        })
    }

    fn event_dto(&self, repository: &Repository, event: &PushEvent) -> RepositoryPushEventDto {
        let user = self.user(event.author);
        RepositoryPushEventDto {
            action_name: Some(event.action.action_name()),
            author: Some(RepositoryEventAuthorDto {
                avatar_url: Some(user.and_then(|u| u.avatar_url.clone()).unwrap_or_default()),
                id: nonzero(event.author),
                name: user.map(|u| u.name.clone()),
                name_cn: user.and_then(|u| u.name_cn.clone()),
                nick_name: user.and_then(|u| u.nick_name.clone()),
                state: user.map(|u| u.state.clone()),
                tenant_name: user.and_then(|u| u.tenant_name.clone()),
                username: user.map(|u| u.username.clone()),
            }),
            author_id: Some(nonzero(event.author)),
            author_username: user.map(|u| u.username.clone()),
            created_at: Some(utc_timestamp(event.created_at)),
            push_data: Some(push_data(event)),
            repository_id: Some(nonzero(repository.id)),
            repository_name: Some(repository.path_with_namespace()),
        }
    }
}

/// Whether `path` is `prefix` or lies under the directory `prefix`.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn nonzero(id: u32) -> NonZeroU32 {
    NonZeroU32::new(id).unwrap_or(NonZeroU32::MIN)
}

fn push_data(event: &PushEvent) -> PushEventPayloadDto {
    PushEventPayloadDto {
        action: Some(event.action.action().to_string()),
        commit_count: Some(i32::try_from(event.commit_count).unwrap_or(i32::MAX)),
        commit_from: event.commit_from.as_ref().map(hex),
        commit_title: event.commit_title.as_deref().map(str::to_string),
        commit_to: event.commit_to.as_ref().map(hex),
        ref_: Some(event.ref_name.to_string()),
        ref_type: Some(event.ref_kind.as_str().to_string()),
    }
}

fn repository_simple(repository: &Repository) -> RepositorySimpleDto {
    let path_with_namespace = repository.path_with_namespace();
    RepositorySimpleDto {
        archived: Some(false),
        created_at: Some(cst_timestamp(repository.created_at)),
        description: repository.description.clone(),
        develop_mode: Some(repository.develop_mode.clone()),
        http_url_to_repo: Some(format!("https://{HOST}/{path_with_namespace}.git")),
        id: nonzero(repository.id),
        moderation_result: Some(true),
        name: Some(repository.name.clone()),
        name_with_namespace: Some(format!(
            "{} / {} / {}",
            repository.namespace, repository.group, repository.name
        )),
        path: Some(repository.name.clone()),
        path_with_namespace: Some(path_with_namespace.clone()),
        project_id: Some(repository.project_id.clone()),
        project_name: Some(repository.project_name.clone()),
        ssh_url_to_repo: Some(format!("git@{HOST}:{path_with_namespace}.git")),
        updated_at: Some(cst_timestamp(repository.updated_at())),
    }
}

fn commit_dto(store: &Store, repository: &Repository, commit: &Commit) -> CommitDto {
    let id = hex(&commit.id);
    let author = &repository.people[commit.author as usize];
    let committer = &repository.people[commit.committer as usize];
    let author_user = author.user.and_then(|u| store.user(u));
    let committer_user = committer.user.and_then(|u| store.user(u));
    let signer = commit.gpg_key.and(committer_user);
    CommitDto {
        author_avatar_url: author_user.and_then(|u| u.avatar_url.clone()),
        author_email: author.email.clone(),
        author_name: Some(author.name.clone()),
        authored_date: Some(utc_timestamp(commit.authored)),
        committed_date: Some(utc_timestamp(commit.committed)),
        committer_avatar_url: committer_user.and_then(|u| u.avatar_url.clone()),
        committer_email: committer.email.clone(),
        committer_name: Some(committer.name.clone()),
        created_at: Some(utc_timestamp(commit.committed)),
        gpg_nick_name: signer.and_then(|u| u.nick_name.clone()),
        gpg_primary_key_id: commit.gpg_key.map(|k| format!("{k:016X}")),
        gpg_tenant_name: signer.and_then(|u| u.tenant_name.clone()),
        gpg_user_name: signer.map(|u| u.username.clone()),
        message: Some(commit.message.to_string()),
        name: signer.map(|u| u.name.clone()),
        nick_name: author_user.and_then(|u| u.nick_name.clone()),
        open_gpg_verified: Some(commit.gpg_key.is_some()),
        parent_ids: commit
            .parents
            .iter()
            .map(|&p| hex(&repository.commits[p as usize].id))
            .collect(),
        relate_url: commit
            .work_items
            .iter()
            .map(|&w| RelatedCommitSimpleDto {
                related_id: Some(format!("{w}")),
                related_url: Some(format!(
                    "https://{HOST}/projects/{}/workitems/{w}",
                    repository.project_id
                )),
            })
            .collect(),
        short_id: Some(id[..8].to_string()),
        tenant_name: author_user.and_then(|u| u.tenant_name.clone()),
        title: Some(commit.title().to_string()),
        user_name: author_user.map(|u| u.username.clone()),
        verification_status: Some(i32::from(signer.is_some())),
        id,
    }
}
