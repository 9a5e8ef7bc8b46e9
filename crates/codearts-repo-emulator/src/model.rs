//! The emulator's domain model: users, the people named in commits, and repositories with
//! their commits, refs and push events, kept compactly (people, paths and parents are
//! indices into per-repository tables).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use codearts_repo_runtime::lenient::{DevelopMode, UserState};

use crate::history::WalkCache;

/// A 20-byte commit id.
pub(crate) type Oid = [u8; 20];

/// Host name used in the generated clone and picture addresses.
pub(crate) const HOST: &str = "codehub.example.com";

/// Lowercase hex of a commit id.
pub(crate) fn hex(oid: &Oid) -> String {
    let mut out = String::with_capacity(40);
    for byte in oid {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A user account.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: u32,
    pub(crate) username: String,
    pub(crate) name: String,
    pub(crate) name_cn: Option<String>,
    pub(crate) nick_name: Option<String>,
    pub(crate) tenant_name: Option<String>,
    pub(crate) avatar_url: Option<String>,
    pub(crate) state: UserState,
}

/// A name and email address found in commits; `user` links it to an account when known.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) user: Option<u32>,
}

/// A file touched by a commit; `from` is the old path of a rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) path: u32,
    pub(crate) from: Option<u32>,
}

/// One commit, compactly.
#[derive(Clone, Debug)]
pub(crate) struct Commit {
    pub(crate) id: Oid,
    pub(crate) parents: Box<[u32]>,
    pub(crate) author: u32,
    pub(crate) committer: u32,
    pub(crate) authored: i64,
    pub(crate) committed: i64,
    pub(crate) message: Box<str>,
    /// Files changed against the only parent (or, for a root, added).
    pub(crate) changes: Box<[Change]>,
    /// For a merge: the files that differ from each parent, in parent order.
    pub(crate) merge_changes: Box<[Box<[u32]>]>,
    pub(crate) work_items: Box<[u32]>,
    pub(crate) gpg_key: Option<u64>,
}

impl Commit {
    /// The first line of the message.
    pub(crate) fn title(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

/// Kind of a ref.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    Branch,
    Tag,
}

/// What a push did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PushAction {
    Created,
    Pushed,
    Removed,
}

/// One push.
#[derive(Clone, Debug)]
pub(crate) struct PushEvent {
    pub(crate) created_at: i64,
    pub(crate) author: u32,
    pub(crate) action: PushAction,
    pub(crate) ref_kind: RefKind,
    pub(crate) ref_name: Arc<str>,
    pub(crate) commit_from: Option<Oid>,
    pub(crate) commit_to: Option<Oid>,
    pub(crate) commit_count: u32,
    pub(crate) commit_title: Option<Box<str>>,
}

/// A repository with its history.
#[derive(Debug)]
pub(crate) struct Repository {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) group: String,
    pub(crate) project_id: String,
    pub(crate) project_name: String,
    pub(crate) description: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) develop_mode: DevelopMode,
    pub(crate) members: HashSet<u32>,
    pub(crate) people: Vec<Person>,
    pub(crate) paths: Vec<Box<str>>,
    pub(crate) commits: Vec<Commit>,
    pub(crate) by_id: HashMap<Oid, u32>,
    pub(crate) default_branch: String,
    pub(crate) branches: BTreeMap<String, u32>,
    pub(crate) tags: BTreeMap<String, u32>,
    /// Newest first.
    pub(crate) events: Vec<PushEvent>,
    pub(crate) walks: Mutex<WalkCache>,
}

impl Repository {
    /// `namespace/name`.
    pub(crate) fn path_with_namespace(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The latest of its creation, its commit dates and its pushes.
    pub(crate) fn updated_at(&self) -> i64 {
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
    pub(crate) fn resolve(&self, name: &str) -> Option<u32> {
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
}
