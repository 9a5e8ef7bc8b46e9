//! The mapping of the domain model to the generated wire types, done only for the items an
//! answer carries: timestamps in the service's two shapes, commits, push events and
//! repository descriptions.

use std::num::NonZeroU32;

use chrono::{FixedOffset, TimeZone, Utc};
use codearts_repo_gen::types::{
    CommitDto, LastPushEventDto, PersonalEventAuthorDto, PersonalPushEventDto, PushEventPayloadDto,
    RelatedCommitSimpleDto, RepositoryBriefDto, RepositoryEventAuthorDto, RepositoryPushEventDto,
    RepositorySimpleDto,
};
use codearts_repo_runtime::lenient::{PushEventActionName, Timestamp};

use crate::model::{Commit, HOST, PushAction, PushEvent, RefKind, Repository, hex};
use crate::store::Store;

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

impl RefKind {
    /// The `ref_type` of a push.
    fn as_str(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::Tag => "tag",
        }
    }
}

impl PushAction {
    /// The `action_name` of a push event.
    fn action_name(self) -> PushEventActionName {
        match self {
            Self::Created => PushEventActionName::PushedNew,
            Self::Pushed => PushEventActionName::PushedTo,
            Self::Removed => PushEventActionName::Deleted,
        }
    }

    /// The `action` of a push's `push_data`.
    fn action(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Pushed => "pushed",
            Self::Removed => "removed",
        }
    }
}

/// An id as the wire types hold it (0, which the data never uses, becomes 1).
fn nonzero(id: u32) -> NonZeroU32 {
    NonZeroU32::new(id).unwrap_or(NonZeroU32::MIN)
}

/// A push as the repository events list shows it.
pub(crate) fn event_dto(
    store: &Store,
    repository: &Repository,
    event: &PushEvent,
) -> RepositoryPushEventDto {
    let user = store.user(event.author);
    RepositoryPushEventDto {
        action_name: Some(event.action.action_name()),
        author: Some(RepositoryEventAuthorDto {
            avatar_url: Some(user.and_then(|u| u.avatar_url.clone()).unwrap_or_default()),
            id: Some(nonzero(event.author)),
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

/// A repository's most recent push.
pub(crate) fn last_push_dto(repository: &Repository, event: &PushEvent) -> LastPushEventDto {
    LastPushEventDto {
        created_at: Some(cst_timestamp(event.created_at)),
        ref_: Some(event.ref_name.to_string()),
        repository: Some(RepositoryBriefDto {
            id: Some(nonzero(repository.id)),
            name: Some(repository.name.clone()),
            path: Some(repository.name.clone()),
            path_with_namespace: Some(repository.path_with_namespace()),
            project_name: Some(repository.project_name.clone()),
        }),
    }
}

/// A push as the user's recent pushes show it.
pub(crate) fn personal_push_dto(
    store: &Store,
    repository: &Repository,
    event: &PushEvent,
) -> PersonalPushEventDto {
    PersonalPushEventDto {
        author: Some(PersonalEventAuthorDto {
            id: Some(nonzero(event.author)),
            username: store.user(event.author).map(|u| u.username.clone()),
        }),
        created_at: Some(cst_timestamp(event.created_at)),
        push_data: Some(push_data(event)),
        repository: Some(repository_simple(repository)),
    }
}

/// What a push did, as every push event shows it.
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

/// A repository's description, as the recent pushes show it.
pub(crate) fn repository_simple(repository: &Repository) -> RepositorySimpleDto {
    let path_with_namespace = repository.path_with_namespace();
    RepositorySimpleDto {
        archived: Some(false),
        created_at: Some(cst_timestamp(repository.created_at)),
        description: repository.description.clone(),
        develop_mode: Some(repository.develop_mode.clone()),
        http_url_to_repo: Some(format!("https://{HOST}/{path_with_namespace}.git")),
        id: Some(nonzero(repository.id)),
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

/// A commit as the commit list shows it.
pub(crate) fn commit_dto(store: &Store, repository: &Repository, commit: &Commit) -> CommitDto {
    let id = hex(&commit.id);
    let author = &repository.people[commit.author as usize];
    let committer = &repository.people[commit.committer as usize];
    let author_user = author.user.and_then(|u| store.user(u));
    let committer_user = committer.user.and_then(|u| store.user(u));
    let signer = commit.gpg_key.and(committer_user);
    CommitDto {
        author_avatar_url: author_user.and_then(|u| u.avatar_url.clone()),
        author_id: author.user.map(nonzero),
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
        id: Some(id),
    }
}
