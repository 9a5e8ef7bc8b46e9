//! The filtered and paged reads of the store that the list endpoints answer with: the
//! commit list, the repository events and the user's recent pushes, their filters, and why
//! a query can fail.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use codearts_repo_gen::types::{
    CommitDto, CommitListDto, DateTitleDto, PersonalPushEventDto, RepositoryPushEventDto,
};

use crate::model::{PushEvent, Repository, hex};
use crate::store::Store;
use crate::wire::{commit_dto, event_dto, personal_push_dto};

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

impl Store {
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
                events.push(event_dto(self, repository, event));
            }
            total += 1;
        }
        Ok(EventPage { events, total })
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
            .map(|(repository, event)| personal_push_dto(self, repository, event))
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
                    day: Some(day),
                    commits_count: Some(count),
                })
                .collect(),
        })
    }
}
