//! The store of the served data (users and repositories) and its plain lookups: by id,
//! access, refs, counts and whole lists. The filtered and paged reads are in `query`.

use codearts_repo_gen::types::{LastPushEventDto, RepositoryPushEventDto, RepositorySimpleDto};

use crate::model::{Repository, User, hex};
use crate::wire::{event_dto, last_push_dto, repository_simple};

/// Read-only view of the emulator's data, as the generated wire types, for assertions.
#[derive(Debug)]
pub struct Store {
    pub(crate) users: Vec<User>,
    pub(crate) repositories: Vec<Repository>,
}

impl Store {
    /// The user with this id.
    pub(crate) fn user(&self, id: u32) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The repository with this id.
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
            .map(|r| r.events.iter().map(|e| event_dto(self, r, e)).collect())
            .unwrap_or_default()
    }

    /// The repository's most recent push, `None` when it has none (or is unknown).
    pub fn last_push_event(&self, repository_id: u32) -> Option<LastPushEventDto> {
        let repository = self.repository(repository_id)?;
        let event = repository.events.first()?;
        Some(last_push_dto(repository, event))
    }
}
