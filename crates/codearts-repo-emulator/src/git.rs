//! Import of a local git repository through the `git` command: commits of every branch and
//! tag, the files each touched (renames detected), and push events from the refs' reflogs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use codearts_repo_runtime::lenient::{DevelopMode, UserState};

use crate::EmulatorError;
use crate::model::{Change, Commit, Oid, Person, PushAction, PushEvent, RefKind, Repository, User};
use crate::synthetic::Project;

const ZERO: &str = "0000000000000000000000000000000000000000";

struct Git<'a> {
    path: &'a Path,
}

impl Git<'_> {
    fn error(&self, problem: impl Into<String>) -> EmulatorError {
        EmulatorError::GitImport {
            path: self.path.to_path_buf(),
            problem: problem.into(),
        }
    }

    /// Runs `git -C path args`, feeding `input`, and returns its standard output.
    fn run(&self, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, EmulatorError> {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(self.path)
            .args(["-c", "core.quotepath=off", "-c", "log.showSignature=false"])
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| self.error(format!("cannot run git: {e}")))?;
        let writer = match (input, child.stdin.take()) {
            (Some(input), Some(mut stdin)) => {
                let input = input.to_vec();
                Some(std::thread::spawn(move || stdin.write_all(&input)))
            }
            _ => None,
        };
        let output = child
            .wait_with_output()
            .map_err(|e| self.error(format!("git {} failed: {e}", args.join(" "))))?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        if !output.status.success() {
            return Err(self.error(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(output.stdout)
    }

    fn text(&self, args: &[&str]) -> Result<String, EmulatorError> {
        Ok(String::from_utf8_lossy(&self.run(args, None)?).into_owned())
    }
}

fn parse_oid(text: &str) -> Option<Oid> {
    if text.len() != 40 {
        return None;
    }
    let mut oid = [0u8; 20];
    for (i, byte) in oid.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(oid)
}

/// Interns paths and people while commits are read.
#[derive(Default)]
struct Tables {
    paths: Vec<Box<str>>,
    path_ids: HashMap<String, u32>,
    people: Vec<Person>,
    person_ids: HashMap<(String, String), u32>,
}

impl Tables {
    fn path(&mut self, path: &str) -> u32 {
        if let Some(&id) = self.path_ids.get(path) {
            return id;
        }
        let id = self.paths.len() as u32;
        self.paths.push(path.into());
        self.path_ids.insert(path.to_string(), id);
        id
    }

    fn person(&mut self, name: &str, email: &str) -> u32 {
        let key = (name.to_string(), email.to_string());
        if let Some(&id) = self.person_ids.get(&key) {
            return id;
        }
        let id = self.people.len() as u32;
        self.people.push(Person {
            name: name.to_string(),
            email: (!email.is_empty()).then(|| email.to_string()),
            user: None,
        });
        self.person_ids.insert(key, id);
        id
    }
}

/// Imports the repository at `path` as repository `id`. Identities found in reflogs become
/// user accounts (members of this repository only), as does `main_user`'s access.
pub(crate) fn import(
    path: &Path,
    id: u32,
    project: &Project,
    users: &mut Vec<User>,
    main_user: u32,
) -> Result<Repository, EmulatorError> {
    let git = Git { path };
    git.run(&["rev-parse", "--git-dir"], None)?;
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "imported".to_string());

    // Refs.
    let refs = git.text(&[
        "for-each-ref",
        "--format=%(refname)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)%00%(creator)",
        "refs/heads",
        "refs/tags",
    ])?;
    let mut branch_tips = BTreeMap::new();
    let mut tag_tips = BTreeMap::new();
    let mut tag_info = Vec::new();
    for line in refs.lines() {
        let fields: Vec<&str> = line.split('\0').collect();
        if fields.len() < 5 {
            continue;
        }
        let target = if fields[2].is_empty() {
            fields[1]
        } else {
            fields[2]
        };
        if let Some(branch) = fields[0].strip_prefix("refs/heads/") {
            branch_tips.insert(branch.to_string(), target.to_string());
        } else if let Some(tag) = fields[0].strip_prefix("refs/tags/") {
            tag_tips.insert(tag.to_string(), target.to_string());
            tag_info.push((
                tag.to_string(),
                target.to_string(),
                fields[3].parse::<i64>().unwrap_or(0),
                fields[4].to_string(),
            ));
        }
    }
    if branch_tips.is_empty() {
        return Err(git.error("the repository has no branch"));
    }
    let head = git
        .text(&["symbolic-ref", "--quiet", "--short", "HEAD"])
        .unwrap_or_default();
    let head = head.trim();
    let default_branch = if branch_tips.contains_key(head) {
        head.to_string()
    } else if branch_tips.contains_key("master") {
        "master".to_string()
    } else if branch_tips.contains_key("main") {
        "main".to_string()
    } else {
        branch_tips.keys().next().cloned().unwrap_or_default()
    };

    // Commits.
    let log = git.run(
        &[
            "log",
            "--branches",
            "--tags",
            "-z",
            "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%B%x1e",
        ],
        None,
    )?;
    let log = String::from_utf8_lossy(&log);
    let mut tables = Tables::default();
    let mut commits = Vec::new();
    let mut parent_ids = Vec::new();
    let mut by_id = HashMap::new();
    for record in log
        .split("\x1e\0")
        .map(|r| r.trim_start_matches('\0'))
        .filter(|r| !r.is_empty())
    {
        let record = record.strip_suffix('\x1e').unwrap_or(record);
        let fields: Vec<&str> = record.splitn(9, '\x1f').collect();
        if fields.len() != 9 {
            return Err(git.error("unexpected `git log` output"));
        }
        let oid = parse_oid(fields[0])
            .ok_or_else(|| git.error(format!("unexpected commit id `{}`", fields[0])))?;
        let author = tables.person(fields[2], fields[3]);
        let committer = tables.person(fields[5], fields[6]);
        let message = fields[8].trim_end_matches('\n');
        by_id.insert(oid, commits.len() as u32);
        parent_ids.push(
            fields[1]
                .split_whitespace()
                .filter_map(parse_oid)
                .collect::<Vec<_>>(),
        );
        commits.push(Commit {
            id: oid,
            parents: Box::new([]),
            author,
            committer,
            authored: fields[4].parse().unwrap_or(0),
            committed: fields[7].parse().unwrap_or(0),
            message: message.into(),
            changes: Box::new([]),
            merge_changes: Box::new([]),
            work_items: Box::new([]),
            gpg_key: None,
        });
    }
    for (commit, parents) in commits.iter_mut().zip(parent_ids) {
        // A parent missing from the history (a shallow clone) is left out.
        commit.parents = parents
            .iter()
            .filter_map(|p| by_id.get(p).copied())
            .collect();
    }

    // Files touched: against the only parent (renames detected), and for a merge against
    // each parent in turn.
    let mut jobs = Vec::new();
    for (index, commit) in commits.iter().enumerate() {
        let id = crate::model::hex(&commit.id);
        if commit.parents.len() > 1 {
            for &parent in commit.parents.iter() {
                jobs.push((
                    index,
                    format!("{id} {}\n", crate::model::hex(&commits[parent as usize].id)),
                ));
            }
        } else {
            jobs.push((index, format!("{id}\n")));
        }
    }
    let changed = read_changes(&git, &commits, &mut tables, &jobs)?;
    let mut merge_changes: HashMap<usize, Vec<Box<[u32]>>> = HashMap::new();
    for ((index, _), changes) in jobs.iter().zip(changed) {
        if commits[*index].parents.len() > 1 {
            let paths: Vec<u32> = changes
                .iter()
                .flat_map(|c| std::iter::once(c.path).chain(c.from))
                .collect();
            merge_changes
                .entry(*index)
                .or_default()
                .push(paths.into_boxed_slice());
        } else {
            commits[*index].changes = changes.into_boxed_slice();
        }
    }
    for (index, per_parent) in merge_changes {
        commits[index].merge_changes = per_parent.into_boxed_slice();
    }

    let resolve = |hex: &str| parse_oid(hex).and_then(|oid| by_id.get(&oid).copied());
    let mut branches = BTreeMap::new();
    for (branch, tip) in &branch_tips {
        if let Some(index) = resolve(tip) {
            branches.insert(branch.clone(), index);
        }
    }
    let mut tags = BTreeMap::new();
    for (tag, tip) in &tag_tips {
        if let Some(index) = resolve(tip) {
            tags.insert(tag.clone(), index);
        }
    }

    // Pushes: one per reflog entry of each branch, one per tag.
    let mut accounts: HashMap<String, u32> = HashMap::new();
    let mut next_user_id = users.iter().map(|u| u.id).max().unwrap_or(0) + 1;
    let mut account = |users: &mut Vec<User>, name: &str, email: &str| -> u32 {
        let key = if email.is_empty() {
            name.to_string()
        } else {
            email.to_ascii_lowercase()
        };
        if let Some(&id) = accounts.get(&key) {
            return id;
        }
        let id = next_user_id;
        next_user_id += 1;
        let mut rng =
            fastrand::Rng::with_seed(key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            }));
        users.push(User {
            id,
            username: crate::synthetic::random_hex(&mut rng, 16),
            name: name.to_string(),
            name_cn: None,
            nick_name: None,
            tenant_name: None,
            avatar_url: None,
            state: UserState::Active,
        });
        accounts.insert(key, id);
        id
    };
    struct Entry {
        at: i64,
        author: u32,
        kind: RefKind,
        name: Arc<str>,
        old: Option<Oid>,
        new: Option<Oid>,
    }
    let mut entries = Vec::new();
    for branch in branch_tips.keys() {
        let reflog_path = git.text(&[
            "rev-parse",
            "--git-path",
            &format!("logs/refs/heads/{branch}"),
        ])?;
        let reflog_path = Path::new(reflog_path.trim());
        let reflog_path = if reflog_path.is_absolute() {
            reflog_path.to_path_buf()
        } else {
            path.join(reflog_path)
        };
        let Ok(text) = std::fs::read_to_string(&reflog_path) else {
            continue;
        };
        let name: Arc<str> = Arc::from(branch.as_str());
        for line in text.lines() {
            let Some((head, _message)) = line.split_once('\t') else {
                continue;
            };
            let Some((old, rest)) = head.split_once(' ') else {
                continue;
            };
            let Some((new, rest)) = rest.split_once(' ') else {
                continue;
            };
            let Some((identity, when)) = rest.rsplit_once("> ") else {
                continue;
            };
            let (who, email) = identity.split_once(" <").unwrap_or((identity, ""));
            let at = when
                .split_whitespace()
                .next()
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or(0);
            let author = account(users, who, email);
            entries.push(Entry {
                at,
                author,
                kind: RefKind::Branch,
                name: name.clone(),
                old: (old != ZERO).then(|| parse_oid(old)).flatten(),
                new: (new != ZERO).then(|| parse_oid(new)).flatten(),
            });
        }
    }
    for (tag, target, at, creator) in &tag_info {
        let (who, rest) = creator.split_once(" <").unwrap_or((creator.as_str(), ""));
        let email = rest.split_once('>').map_or("", |(e, _)| e);
        let author = account(users, who, email);
        entries.push(Entry {
            at: *at,
            author,
            kind: RefKind::Tag,
            name: Arc::from(tag.as_str()),
            old: None,
            new: parse_oid(target),
        });
    }
    entries.sort_by_key(|e| e.at);
    let mut pushed = vec![false; commits.len()];
    let mut events = Vec::new();
    for entry in entries {
        let tip = entry.new.and_then(|oid| by_id.get(&oid).copied());
        let commit_count = tip.map_or(0, |tip| mark_reachable(&commits, &mut pushed, tip));
        let action = match (entry.old, entry.new) {
            (None, _) => PushAction::Created,
            (_, None) => PushAction::Removed,
            _ => PushAction::Pushed,
        };
        events.push(PushEvent {
            created_at: entry.at,
            author: entry.author,
            action,
            ref_kind: entry.kind,
            ref_name: entry.name,
            commit_from: entry.old,
            commit_to: entry.new,
            commit_count,
            commit_title: tip
                .filter(|_| commit_count > 0)
                .map(|t| commits[t as usize].title().into()),
        });
    }
    events.reverse();

    // Link commit identities to the accounts of the same email.
    for person in &mut tables.people {
        if let Some(email) = &person.email {
            person.user = accounts.get(&email.to_ascii_lowercase()).copied();
        }
    }
    let mut members: HashSet<u32> = accounts.values().copied().collect();
    members.insert(main_user);
    let created_at = commits.iter().map(|c| c.committed).min().unwrap_or(0);
    Ok(Repository {
        id,
        name: name.clone(),
        namespace: project.id.clone(),
        group: "imported".to_string(),
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        description: Some(format!("Imported from the git repository {name}.")),
        created_at,
        develop_mode: DevelopMode::Normal,
        members,
        people: tables.people,
        paths: tables.paths,
        commits,
        by_id,
        default_branch,
        branches,
        tags,
        events,
        walks: Mutex::new(HashMap::new()),
    })
}

/// Marks the commits reachable from `tip` and returns how many were not marked before.
fn mark_reachable(commits: &[Commit], marked: &mut [bool], tip: u32) -> u32 {
    let mut count = 0;
    let mut stack = vec![tip];
    while let Some(index) = stack.pop() {
        if std::mem::replace(&mut marked[index as usize], true) {
            continue;
        }
        count += 1;
        stack.extend(commits[index as usize].parents.iter().copied());
    }
    count
}

/// Runs `git diff-tree --stdin` over the jobs (a commit, or a merge and one parent, per
/// line) and returns the files each job found changed, renames detected.
fn read_changes(
    git: &Git<'_>,
    commits: &[Commit],
    tables: &mut Tables,
    jobs: &[(usize, String)],
) -> Result<Vec<Vec<Change>>, EmulatorError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let input: String = jobs.iter().map(|(_, line)| line.as_str()).collect();
    let output = git.run(
        &[
            "diff-tree",
            "--stdin",
            "-r",
            "-M",
            "--name-status",
            "-z",
            "--always",
            "--root",
        ],
        Some(input.as_bytes()),
    )?;
    let output = String::from_utf8_lossy(&output);
    let mut tokens = output.split('\0').filter(|t| !t.is_empty()).peekable();
    let mut all = Vec::with_capacity(jobs.len());
    for (position, (index, _)) in jobs.iter().enumerate() {
        let expected = crate::model::hex(&commits[*index].id);
        match tokens.next() {
            Some(token) if token.trim() == expected => {}
            other => {
                return Err(git.error(format!(
                    "unexpected `git diff-tree` output near {:?} (job {} of {})",
                    other,
                    position + 1,
                    jobs.len()
                )));
            }
        }
        let next_header = jobs
            .get(position + 1)
            .map(|(i, _)| crate::model::hex(&commits[*i].id));
        let mut changes = Vec::new();
        while let Some(token) = tokens.peek() {
            if next_header.as_deref() == Some(token.trim()) {
                break;
            }
            let status = tokens
                .next()
                .unwrap_or_default()
                .chars()
                .next()
                .unwrap_or('M');
            let first = tokens
                .next()
                .ok_or_else(|| git.error("truncated `git diff-tree` output"))?;
            if status == 'R' || status == 'C' {
                let second = tokens
                    .next()
                    .ok_or_else(|| git.error("truncated `git diff-tree` output"))?;
                // A copy leaves its source in place: only a rename moves the history.
                let from = (status == 'R').then(|| tables.path(first));
                changes.push(Change {
                    path: tables.path(second),
                    from,
                });
            } else {
                changes.push(Change {
                    path: tables.path(first),
                    from: None,
                });
            }
        }
        all.push(changes);
    }
    Ok(all)
}
