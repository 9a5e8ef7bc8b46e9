//! Hand-written structs with the same fields as the SDK's response types, decoded with
//! plain `serde_json` derive: the floor the SDK's decoding is measured against.
//!
//! Timestamps and enums stay plain strings here (the SDK parses timestamps and keeps
//! unknown enum values), ids plain integers; unknown fields are ignored in both.
//! Shared by the raw exporter and the decode benchmarks
//! (`crates/codearts-repo/benches/decode.rs` includes this file).

use serde::Deserialize;

/// One commit (`CommitDto`).
#[derive(Debug, Deserialize)]
pub struct Commit {
    /// Full commit id.
    pub id: String,
    /// Abbreviated commit id.
    pub short_id: Option<String>,
    /// First line of the message.
    pub title: Option<String>,
    /// Full message.
    pub message: Option<String>,
    /// Author's name.
    pub author_name: Option<String>,
    /// Author's email address.
    pub author_email: Option<String>,
    /// Author's picture.
    pub author_avatar_url: Option<String>,
    /// When it was authored.
    pub authored_date: Option<String>,
    /// Committer's name.
    pub committer_name: Option<String>,
    /// Committer's email address.
    pub committer_email: Option<String>,
    /// Committer's picture.
    pub committer_avatar_url: Option<String>,
    /// When it was committed.
    pub committed_date: Option<String>,
    /// When it was created.
    pub created_at: Option<String>,
    /// Signing user's nickname.
    pub gpg_nick_name: Option<String>,
    /// Signing key id.
    pub gpg_primary_key_id: Option<String>,
    /// Signing user's tenant.
    pub gpg_tenant_name: Option<String>,
    /// Signing user's name.
    pub gpg_user_name: Option<String>,
    /// Name of the signing user.
    pub name: Option<String>,
    /// Author account's nickname.
    pub nick_name: Option<String>,
    /// Whether GPG verification is on.
    pub open_gpg_verified: Option<bool>,
    /// Parent commit ids.
    #[serde(default)]
    pub parent_ids: Vec<String>,
    /// Linked work items.
    #[serde(default)]
    pub relate_url: Vec<RelatedCommit>,
    /// Author account's tenant.
    pub tenant_name: Option<String>,
    /// Author account's user name.
    pub user_name: Option<String>,
    /// Signature verification result.
    pub verification_status: Option<i32>,
}

/// A work item linked to a commit (`RelatedCommitSimpleDto`).
#[derive(Debug, Deserialize)]
pub struct RelatedCommit {
    /// Work item id.
    pub related_id: Option<String>,
    /// Work item address.
    pub related_url: Option<String>,
}

/// One page of the commit list (`CommitListDto`).
#[derive(Debug, Deserialize)]
pub struct CommitList {
    /// The commits.
    #[serde(default)]
    pub commits: Vec<Commit>,
    /// Per-day counts.
    #[serde(default)]
    pub date_title: Vec<DateTitle>,
}

/// Commits of one day (`DateTitleDto`).
#[derive(Debug, Deserialize)]
pub struct DateTitle {
    /// Number of commits.
    pub commits_count: Option<i32>,
    /// The day.
    pub day: String,
}

/// What a push carried (`PushEventPayloadDto`).
#[derive(Debug, Deserialize)]
pub struct PushData {
    /// Action.
    pub action: Option<String>,
    /// Commits pushed.
    pub commit_count: Option<i32>,
    /// Old tip.
    pub commit_from: Option<String>,
    /// Title of the new tip.
    pub commit_title: Option<String>,
    /// New tip.
    pub commit_to: Option<String>,
    /// The ref.
    #[serde(rename = "ref")]
    pub ref_: Option<String>,
    /// Kind of ref.
    pub ref_type: Option<String>,
}

/// Author of a repository event (`RepositoryEventAuthorDto`).
#[derive(Debug, Deserialize)]
pub struct EventAuthor {
    /// User id.
    pub id: u32,
    /// Picture.
    pub avatar_url: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Chinese name.
    pub name_cn: Option<String>,
    /// Nickname.
    pub nick_name: Option<String>,
    /// Account state.
    pub state: Option<String>,
    /// Tenant.
    pub tenant_name: Option<String>,
    /// Login name.
    pub username: Option<String>,
}

/// One push to a repository (`RepositoryPushEventDto`).
#[derive(Debug, Deserialize)]
pub struct RepositoryPushEvent {
    /// What the push did.
    pub action_name: Option<String>,
    /// Who pushed.
    pub author: Option<EventAuthor>,
    /// Id of who pushed.
    pub author_id: Option<u32>,
    /// Login name of who pushed.
    pub author_username: Option<String>,
    /// When.
    pub created_at: Option<String>,
    /// What it carried.
    pub push_data: Option<PushData>,
    /// Repository id.
    pub repository_id: Option<u32>,
    /// Repository name.
    pub repository_name: Option<String>,
}

/// A repository in brief (`RepositoryBriefDto`).
#[derive(Debug, Deserialize)]
pub struct RepositoryBrief {
    /// Id.
    pub id: u32,
    /// Name.
    pub name: Option<String>,
    /// Path.
    pub path: Option<String>,
    /// Path with its namespace.
    pub path_with_namespace: Option<String>,
    /// Project name.
    pub project_name: Option<String>,
}

/// A repository's last push (`LastPushEventDto`).
#[derive(Debug, Deserialize)]
pub struct LastPushEvent {
    /// When.
    pub created_at: Option<String>,
    /// The ref.
    #[serde(rename = "ref")]
    pub ref_: Option<String>,
    /// The repository.
    pub repository: Option<RepositoryBrief>,
}

/// Author of a personal push (`PersonalEventAuthorDto`).
#[derive(Debug, Deserialize)]
pub struct PersonalAuthor {
    /// User id.
    pub id: u32,
    /// Login name.
    pub username: Option<String>,
}

/// A repository as listed with a personal push (`RepositorySimpleDto`).
#[derive(Debug, Deserialize)]
pub struct RepositorySimple {
    /// Archived.
    pub archived: Option<bool>,
    /// Created.
    pub created_at: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Development mode.
    pub develop_mode: Option<String>,
    /// Clone address over HTTP.
    pub http_url_to_repo: Option<String>,
    /// Id.
    pub id: u32,
    /// Moderation result.
    pub moderation_result: Option<bool>,
    /// Name.
    pub name: Option<String>,
    /// Name with namespace.
    pub name_with_namespace: Option<String>,
    /// Path.
    pub path: Option<String>,
    /// Path with namespace.
    pub path_with_namespace: Option<String>,
    /// Project id.
    pub project_id: Option<String>,
    /// Project name.
    pub project_name: Option<String>,
    /// Clone address over SSH.
    pub ssh_url_to_repo: Option<String>,
    /// Updated.
    pub updated_at: Option<String>,
}

/// One push of the signed-in user (`PersonalPushEventDto`).
#[derive(Debug, Deserialize)]
pub struct PersonalPushEvent {
    /// Who pushed.
    pub author: Option<PersonalAuthor>,
    /// When.
    pub created_at: Option<String>,
    /// What it carried.
    pub push_data: Option<PushData>,
    /// Where.
    pub repository: Option<RepositorySimple>,
}
