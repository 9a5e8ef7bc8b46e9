//! The seeded generator of users, repositories, commit graphs and the pushes that made them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use codearts_repo_runtime::lenient::{DevelopMode, UserState};

use crate::model::{Change, Commit, Oid, Person, PushAction, PushEvent, RefKind, Repository, User};

/// Shape of the generated data.
///
/// Built from `Default` with one setter per field, so that later versions can add settings
/// without breaking code that sets some:
///
/// ```
/// use codearts_repo_emulator::SyntheticConfig;
///
/// let config = SyntheticConfig::default().repositories(2).commits_per_repository(300);
/// assert_eq!((config.repositories, config.commits_per_repository), (2, 300));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyntheticConfig {
    /// Number of generated repositories.
    pub repositories: u32,
    /// Commits in each repository (reachable from its branches and tags).
    pub commits_per_repository: u32,
    /// Push events in each repository. A repository without commits has no events.
    pub events_per_repository: u32,
    /// User accounts that push (at least 1 is generated); the first is the emulator's
    /// credentials user.
    pub users: u32,
    /// Time of the newest push of the first repository; the others end a few hours earlier.
    pub last_activity: DateTime<Utc>,
    /// Days the history of each repository spans; `None` picks one day per 8 commits, at
    /// least 30 and at most 3650.
    pub span_days: Option<u32>,
}

impl SyntheticConfig {
    /// Sets [`repositories`](Self::repositories): how many are generated.
    pub fn repositories(mut self, repositories: u32) -> Self {
        self.repositories = repositories;
        self
    }

    /// Sets [`commits_per_repository`](Self::commits_per_repository).
    pub fn commits_per_repository(mut self, commits_per_repository: u32) -> Self {
        self.commits_per_repository = commits_per_repository;
        self
    }

    /// Sets [`events_per_repository`](Self::events_per_repository).
    pub fn events_per_repository(mut self, events_per_repository: u32) -> Self {
        self.events_per_repository = events_per_repository;
        self
    }

    /// Sets [`users`](Self::users): user accounts that push.
    pub fn users(mut self, users: u32) -> Self {
        self.users = users;
        self
    }

    /// Sets [`last_activity`](Self::last_activity): time of the newest push.
    pub fn last_activity(mut self, last_activity: DateTime<Utc>) -> Self {
        self.last_activity = last_activity;
        self
    }

    /// Sets [`span_days`](Self::span_days): days the history of each repository spans
    /// (`None` picks it from the number of commits).
    pub fn span_days(mut self, span_days: impl Into<Option<u32>>) -> Self {
        self.span_days = span_days.into();
        self
    }
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            repositories: 3,
            commits_per_repository: 500,
            events_per_repository: 200,
            users: 5,
            last_activity: Utc
                .with_ymd_and_hms(2025, 6, 30, 10, 0, 0)
                .single()
                .expect("a valid date"),
            span_days: None,
        }
    }
}

const GIVEN: &[(&str, &str)] = &[
    ("wei", "伟"),
    ("fang", "芳"),
    ("na", "娜"),
    ("min", "敏"),
    ("jing", "静"),
    ("lei", "磊"),
    ("yang", "洋"),
    ("yan", "艳"),
    ("jie", "杰"),
    ("tao", "涛"),
    ("ming", "明"),
    ("chao", "超"),
];
const FAMILY: &[(&str, &str)] = &[
    ("zhang", "张"),
    ("wang", "王"),
    ("li", "李"),
    ("liu", "刘"),
    ("chen", "陈"),
    ("yang", "杨"),
    ("huang", "黄"),
    ("zhao", "赵"),
    ("wu", "吴"),
    ("zhou", "周"),
];
/// Contributors without an account on the service.
const EXTERNAL: &[(&str, &str)] = &[
    ("Alice Martin", "alice.martin@contractor.example.org"),
    ("Bruno Silva", "bruno.silva@partner.example.net"),
    ("Chloé Dubois", "chloe@oss.example.com"),
];
const KINDS: &[&str] = &[
    "feat", "fix", "refactor", "docs", "test", "chore", "perf", "build",
];
const SCOPES: &[&str] = &[
    "api", "auth", "ui", "db", "ci", "parser", "cache", "config", "build", "i18n",
];
const VERBS: &[&str] = &[
    "add", "handle", "remove", "rework", "simplify", "document", "cover", "speed up", "fix",
];
const OBJECTS: &[&str] = &[
    "empty ref names",
    "pagination of the commit list",
    "retry on throttling",
    "timezone offsets in dates",
    "the login form",
    "stale cache entries",
    "unicode branch names",
    "the release checklist",
    "error codes of the gateway",
    "slow queries on large repositories",
    "the settings page",
    "flaky integration tests",
];
const BODIES: &[&str] = &[
    "The previous behaviour dropped the last page when the total was a multiple of the page size.",
    "Keeps the old name working for one release so callers can migrate.",
    "Measured on the 100k-commit fixture: about twice as fast.",
    "Reported by the support team; reproduced with a repository of 3,000 branches.",
];
const DIRECTORIES: &[&str] = &[
    "src", "src/api", "src/core", "src/ui", "docs", "tests", "scripts", "config",
];
const EXTENSIONS: &[&str] = &["rs", "java", "ts", "py", "md", "yaml"];
const WORDS: &[&str] = &[
    "client", "server", "handler", "model", "view", "router", "store", "cache", "util", "query",
    "auth", "config",
];
/// Feature branch names; some hold characters that must be percent-encoded in a query.
const BRANCHES: &[&str] = &[
    "feature/login",
    "feature/search",
    "bugfix/issue#42&retry",
    "feature/中文-文档",
    "hotfix/crash-on-empty",
    "asdsada#fasdasda",
    "feature/pagination",
    "refactor/storage",
];

/// Generates the user accounts: `count` pushers (at least 1) then one outsider who is a
/// member of nothing.
pub(crate) fn users(rng: &mut fastrand::Rng, count: u32) -> Vec<User> {
    let mut users = Vec::new();
    let mut id = 9000 + rng.u32(0..1000);
    let mut taken = HashSet::new();
    for index in 0..count.max(1) + 1 {
        id += 1 + rng.u32(0..50);
        let (family, family_cn) = FAMILY[rng.usize(0..FAMILY.len())];
        let (given, given_cn) = GIVEN[rng.usize(0..GIVEN.len())];
        let mut name = format!("{family}_{given}");
        if !taken.insert(name.clone()) {
            name = format!("{name}{index}");
            taken.insert(name.clone());
        }
        let username = random_hex(rng, 16);
        users.push(User {
            id,
            avatar_url: (rng.u8(0..4) != 0)
                .then(|| format!("https://{}/avatars/{username}.png", crate::model::HOST)),
            username,
            name_cn: Some(format!("{family_cn}{given_cn}")),
            nick_name: (rng.u8(0..3) != 0).then(|| format!("{family}{given}")),
            tenant_name: Some("devcloud_tenant".to_string()),
            state: UserState::Active,
            name,
        });
    }
    users
}

/// Lowercase hex of `bytes` random bytes.
pub(crate) fn random_hex(rng: &mut fastrand::Rng, bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rng.u8(..))).collect()
}

fn random_oid(rng: &mut fastrand::Rng, taken: &HashMap<Oid, u32>) -> Oid {
    loop {
        let mut oid = [0u8; 20];
        rng.fill(&mut oid);
        if !taken.contains_key(&oid) {
            return oid;
        }
    }
}

/// Projects the repositories belong to: the credentials' project and a second one.
pub(crate) struct Project {
    pub id: String,
    pub name: String,
}

/// A feature branch to merge into the default branch.
struct Merge {
    tip: u32,
    name: String,
    fork: u32,
}

/// State of the history being generated for one repository.
struct Builder<'a> {
    rng: &'a mut fastrand::Rng,
    repo: Repository,
    pushers: Vec<u32>,
    live_paths: Vec<u32>,
    /// Feature branches: name, owner, whether the default branch already contains it, and
    /// the default branch's commit it started from.
    features: Vec<(String, u32, bool, u32)>,
    next_work_item: u32,
    next_tag: u32,
}

/// Generates one repository from its own seed.
pub(crate) fn repository(
    seed: u64,
    index: u32,
    id: u32,
    config: &SyntheticConfig,
    users: &[User],
    project: &Project,
) -> Repository {
    let mut rng =
        fastrand::Rng::with_seed(seed ^ (u64::from(index) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let pushers: Vec<u32> = users[..users.len() - 1].iter().map(|u| u.id).collect();
    let mut people: Vec<Person> = users[..users.len() - 1]
        .iter()
        .map(|u| Person {
            name: u.name.clone(),
            email: Some(format!("{}@example.com", u.name.replace('_', "."))),
            user: Some(u.id),
        })
        .collect();
    people.extend(EXTERNAL.iter().map(|(name, email)| Person {
        name: (*name).to_string(),
        email: (rng.u8(0..4) != 0).then(|| (*email).to_string()),
        user: None,
    }));
    let end = config.last_activity.timestamp() - i64::from(index) * 3 * 3600;
    let span_days = config
        .span_days
        .unwrap_or((config.commits_per_repository / 8).clamp(30, 3650))
        .max(1);
    let start = end - i64::from(span_days) * 86_400;
    let names = [
        "portal",
        "billing-service",
        "mobile-app",
        "infra",
        "docs-site",
        "data-pipeline",
    ];
    let name = if index < names.len() as u32 {
        names[index as usize].to_string()
    } else {
        format!("service-{index}")
    };
    let mut members: HashSet<u32> = pushers.iter().copied().collect();
    members.insert(users[0].id);
    let repo = Repository {
        id,
        name,
        namespace: project.id.clone(),
        group: ["platform", "apps", "tools"][index as usize % 3].to_string(),
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        description: index
            .is_multiple_of(2)
            .then(|| "Generated by the CodeArts Repo emulator.".to_string()),
        created_at: start - 3600,
        develop_mode: if index.is_multiple_of(2) {
            DevelopMode::Normal
        } else {
            DevelopMode::Cr
        },
        members,
        people,
        paths: Vec::new(),
        commits: Vec::with_capacity(config.commits_per_repository as usize),
        by_id: HashMap::with_capacity(config.commits_per_repository as usize),
        default_branch: "master".to_string(),
        branches: BTreeMap::new(),
        tags: BTreeMap::new(),
        events: Vec::with_capacity(config.events_per_repository as usize),
        walks: Mutex::new(HashMap::new()),
    };
    let mut builder = Builder {
        rng: &mut rng,
        repo,
        pushers,
        live_paths: Vec::new(),
        features: Vec::new(),
        next_work_item: 1000 + index * 1000,
        next_tag: 0,
    };
    builder.run(
        config.commits_per_repository,
        config.events_per_repository,
        start,
        end,
    );
    let mut repo = builder.repo;
    repo.events.reverse();
    repo
}

impl Builder<'_> {
    fn run(&mut self, commits: u32, events: u32, start: i64, end: i64) {
        if commits == 0 {
            return;
        }
        let slots = i64::from(events.max(1));
        let step = ((end - start) / slots).max(2);
        let mut remaining_commits = commits;
        let mut previous = start;
        for event_index in 0..events {
            let remaining_events = events - event_index;
            let at = if remaining_events == 1 {
                end
            } else {
                (start + step * i64::from(event_index + 1) - self.rng.i64(0..step / 2 + 1))
                    .max(previous + 1)
            };
            let default_tip = self.repo.branches.get("master").copied();
            if default_tip.is_none() {
                let count = self.share(remaining_commits, remaining_events);
                let pusher = self.pushers[0];
                self.push(
                    PushAction::Created,
                    RefKind::Branch,
                    "master",
                    pusher,
                    count,
                    previous,
                    at,
                );
                remaining_commits -= count;
                previous = at;
                continue;
            }
            let roll = self.rng.u32(0..100);
            let must_use_commits = remaining_events == 1 && remaining_commits > 0;
            let unmerged = self.features.iter().position(|(_, _, merged, _)| !*merged);
            let merged = self.features.iter().position(|(_, _, merged, _)| *merged);
            if !must_use_commits && roll < 10 {
                let count = if remaining_commits > 0 {
                    self.share(remaining_commits, remaining_events) / 2
                } else {
                    0
                };
                let branch = self.new_branch_name();
                let pusher = self.pushers[self.rng.usize(0..self.pushers.len())];
                self.repo
                    .branches
                    .insert(branch.clone(), default_tip.unwrap_or(0));
                self.features
                    .push((branch.clone(), pusher, count == 0, default_tip.unwrap_or(0)));
                self.push(
                    PushAction::Created,
                    RefKind::Branch,
                    &branch,
                    pusher,
                    count,
                    previous,
                    at,
                );
                remaining_commits -= count;
            } else if !must_use_commits && roll < 17 && merged.is_some() {
                let (branch, owner, _, _) = self.features.remove(merged.unwrap_or(0));
                let tip = self.repo.branches.remove(&branch).unwrap_or(0);
                self.event(
                    at,
                    owner,
                    PushAction::Removed,
                    RefKind::Branch,
                    &branch,
                    Some(tip),
                    None,
                    0,
                    None,
                );
            } else if (!must_use_commits && roll < 21) || remaining_commits == 0 {
                self.next_tag += 1;
                let tag = format!("v1.{}.0", self.next_tag);
                let tip = default_tip.unwrap_or(0);
                self.repo.tags.insert(tag.clone(), tip);
                let pusher = self.pushers[0];
                self.event(
                    at,
                    pusher,
                    PushAction::Created,
                    RefKind::Tag,
                    &tag,
                    None,
                    Some(tip),
                    0,
                    None,
                );
            } else if roll < 45 && unmerged.is_some() && !must_use_commits {
                let (branch, owner, _, _) = self.features[unmerged.unwrap_or(0)].clone();
                let count = self.share(remaining_commits, remaining_events);
                self.push(
                    PushAction::Pushed,
                    RefKind::Branch,
                    &branch,
                    owner,
                    count,
                    previous,
                    at,
                );
                remaining_commits -= count;
            } else {
                let count = self.share(remaining_commits, remaining_events);
                let pusher = self.pushers[self.rng.usize(0..self.pushers.len())];
                // Now and then the push starts by merging a finished feature branch.
                let merge = self
                    .features
                    .iter()
                    .position(|(name, _, merged, _)| {
                        !*merged && self.repo.branches.contains_key(name)
                    })
                    .filter(|_| self.rng.u8(0..3) == 0);
                if let Some(position) = merge {
                    self.features[position].2 = true;
                }
                let merge = merge.and_then(|p| {
                    let (name, _, _, fork) = self.features[p].clone();
                    self.repo
                        .branches
                        .get(&name)
                        .map(|&tip| Merge { tip, name, fork })
                });
                self.push_with_merge(pusher, count, previous, at, merge);
                remaining_commits -= count;
            }
            previous = at;
        }
        if remaining_commits > 0 {
            // History that was never pushed through an event (for instance imported).
            let pusher = self.pushers[0];
            let tip = self.repo.branches.get("master").copied();
            let made = self.commits(
                tip,
                pusher,
                remaining_commits,
                previous,
                end.max(previous + 1),
                None,
            );
            self.repo.branches.insert("master".to_string(), made);
        }
    }

    /// Commits for the next push: on average an even share of what is left over the pushes
    /// that carry commits (about four in five), at least 1.
    fn share(&mut self, remaining_commits: u32, remaining_events: u32) -> u32 {
        if remaining_events <= 1 || remaining_commits == 0 {
            return remaining_commits;
        }
        let average = f64::from(remaining_commits) / (f64::from(remaining_events) * 0.8).max(1.0);
        let drawn = (average * (0.5 + self.rng.f64())).round() as u32;
        drawn.clamp(1, remaining_commits)
    }

    fn new_branch_name(&mut self) -> String {
        let base = BRANCHES[self.rng.usize(0..BRANCHES.len())];
        let mut name = base.to_string();
        let mut n = 1;
        while self.repo.branches.contains_key(&name) || self.repo.tags.contains_key(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        name
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        action: PushAction,
        kind: RefKind,
        branch: &str,
        pusher: u32,
        count: u32,
        from: i64,
        at: i64,
    ) {
        let old_tip = self.repo.branches.get(branch).copied();
        let tip = if count > 0 {
            Some(self.commits(old_tip, pusher, count, from, at, None))
        } else {
            old_tip
        };
        if let Some(tip) = tip {
            self.repo.branches.insert(branch.to_string(), tip);
        }
        let commit_from = if action == PushAction::Created {
            None
        } else {
            old_tip
        };
        let title = (count > 0)
            .then(|| tip.map(|t| self.repo.commits[t as usize].title().into()))
            .flatten();
        self.event(
            at,
            pusher,
            action,
            kind,
            branch,
            commit_from,
            tip,
            count,
            title,
        );
    }

    fn push_with_merge(
        &mut self,
        pusher: u32,
        count: u32,
        from: i64,
        at: i64,
        merge: Option<Merge>,
    ) {
        let old_tip = self.repo.branches.get("master").copied();
        let tip = self.commits(old_tip, pusher, count, from, at, merge);
        self.repo.branches.insert("master".to_string(), tip);
        let title = Some(self.repo.commits[tip as usize].title().into());
        self.event(
            at,
            pusher,
            PushAction::Pushed,
            RefKind::Branch,
            "master",
            old_tip,
            Some(tip),
            count,
            title,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        at: i64,
        author: u32,
        action: PushAction,
        ref_kind: RefKind,
        ref_name: &str,
        from: Option<u32>,
        to: Option<u32>,
        commit_count: u32,
        commit_title: Option<Box<str>>,
    ) {
        let oid = |i: Option<u32>| i.map(|i| self.repo.commits[i as usize].id);
        self.repo.events.push(PushEvent {
            created_at: at,
            author,
            action,
            ref_kind,
            ref_name: Arc::from(ref_name),
            commit_from: oid(from),
            commit_to: oid(to),
            commit_count,
            commit_title,
        });
    }

    /// Appends `count` commits on top of `parent`, dated in (`from`, `to`), and returns the
    /// index of the newest. The first is a merge of `merge` when given.
    fn commits(
        &mut self,
        parent: Option<u32>,
        pusher: u32,
        count: u32,
        from: i64,
        to: i64,
        merge: Option<Merge>,
    ) -> u32 {
        let mut parent = parent;
        let span = (to - from).max(1);
        let pusher_person = self
            .repo
            .people
            .iter()
            .position(|p| p.user == Some(pusher))
            .unwrap_or(0) as u32;
        for n in 0..count {
            let committed = from + (span * i64::from(n + 1) / i64::from(count + 1)).max(1);
            let committed = committed.min(to);
            let author = if self.rng.u8(0..5) == 0 {
                self.rng.u32(0..self.repo.people.len() as u32)
            } else {
                pusher_person
            };
            let authored = if self.rng.u8(0..4) == 0 {
                committed - self.rng.i64(0..7200)
            } else {
                committed
            };
            let mut parents = parent.into_iter().collect::<Vec<_>>();
            let mut merge_changes = Vec::new();
            let (message, changes, work_items) = match (&merge, n, parent) {
                (Some(merge), 0, Some(main_tip)) => {
                    parents.push(merge.tip);
                    // A clean merge: against the default branch it brings the feature's
                    // files, against the feature the default branch's files since the fork.
                    merge_changes.push(self.changed_since(merge.tip, merge.fork));
                    merge_changes.push(self.changed_since(main_tip, merge.fork));
                    (
                        format!("Merge branch '{}' into 'master'", merge.name),
                        Vec::new(),
                        Vec::new(),
                    )
                }
                _ => self.message_and_changes(),
            };
            let id = random_oid(self.rng, &self.repo.by_id);
            let index = self.repo.commits.len() as u32;
            self.repo.by_id.insert(id, index);
            let gpg_key = (self.rng.u8(0..10) < 3).then(|| self.rng.u64(..));
            self.repo.commits.push(Commit {
                id,
                parents: parents.into_boxed_slice(),
                author,
                committer: pusher_person,
                authored,
                committed,
                message: message.into_boxed_str(),
                changes: changes.into_boxed_slice(),
                merge_changes: merge_changes.into_boxed_slice(),
                work_items: work_items.into_boxed_slice(),
                gpg_key,
            });
            parent = Some(index);
        }
        parent.unwrap_or(0)
    }

    /// Files changed along the first-parent chain from `tip` back to `fork` (excluded).
    fn changed_since(&self, tip: u32, fork: u32) -> Box<[u32]> {
        let mut changed = HashSet::new();
        let mut at = Some(tip);
        while let Some(index) = at.filter(|&i| i != fork) {
            let commit = &self.repo.commits[index as usize];
            if commit.parents.len() > 1 {
                changed.extend(
                    commit
                        .merge_changes
                        .first()
                        .into_iter()
                        .flat_map(|c| c.iter().copied()),
                );
            } else {
                for change in commit.changes.iter() {
                    changed.insert(change.path);
                    changed.extend(change.from);
                }
            }
            at = commit.parents.first().copied();
        }
        let mut changed: Vec<u32> = changed.into_iter().collect();
        changed.sort_unstable();
        changed.into_boxed_slice()
    }

    fn pick<'s>(&mut self, list: &[&'s str]) -> &'s str {
        list[self.rng.usize(0..list.len())]
    }

    /// A path not used before in this repository (the number makes it unique).
    fn new_path(&mut self) -> u32 {
        let path = format!(
            "{}/{}_{}.{}",
            self.pick(DIRECTORIES),
            self.pick(WORDS),
            self.repo.paths.len(),
            self.pick(EXTENSIONS)
        );
        self.repo.paths.push(path.into_boxed_str());
        self.repo.paths.len() as u32 - 1
    }

    fn message_and_changes(&mut self) -> (String, Vec<Change>, Vec<u32>) {
        let kind = self.pick(KINDS);
        let scope = self.pick(SCOPES);
        let verb = self.pick(VERBS);
        let object = self.pick(OBJECTS);
        let mut message = format!("{kind}({scope}): {verb} {object}");
        let mut work_items = Vec::new();
        if self.rng.u8(0..5) == 0 {
            self.next_work_item += 1 + self.rng.u32(0..3);
            work_items.push(self.next_work_item);
        }
        if self.rng.u8(0..3) == 0 || !work_items.is_empty() {
            message.push_str("\n\n");
            message.push_str(self.pick(BODIES));
            for item in &work_items {
                message.push_str(&format!("\n\nRefs: #{item}"));
            }
        }
        let mut changes = Vec::new();
        if self.live_paths.len() < 6 || self.rng.u8(0..8) == 0 {
            let path = self.new_path();
            self.live_paths.push(path);
            changes.push(Change { path, from: None });
        }
        if self.rng.u8(0..40) == 0 && self.live_paths.len() > 3 {
            let slot = self.rng.usize(0..self.live_paths.len());
            let old = self.live_paths[slot];
            let new = self.new_path();
            self.live_paths[slot] = new;
            changes.push(Change {
                path: new,
                from: Some(old),
            });
            message = format!(
                "refactor({scope}): rename {} to {}",
                self.repo.paths[old as usize], self.repo.paths[new as usize]
            );
        }
        for _ in 0..self.rng.usize(1..4) {
            let path = self.live_paths[self.rng.usize(0..self.live_paths.len())];
            if !changes.iter().any(|c| c.path == path) {
                changes.push(Change { path, from: None });
            }
        }
        (message, changes, work_items)
    }
}
