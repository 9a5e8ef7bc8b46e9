//! Walks of a repository's history as git does them: the revision walk of `git log`
//! (cached per tip), and the walk of one path's history with `git log -- path` and
//! `--follow`.

use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use crate::model::{Commit, Repository};

/// Most commit orders kept per repository (each is 4 bytes per commit).
const MAX_CACHED_WALKS: usize = 32;

/// Commit orders already computed, by (tip, sorted by date).
pub(crate) type WalkCache = HashMap<(u32, bool), Arc<[u32]>>;

impl Repository {
    /// Commits reachable from `tip`: in history order (the order of `git log`: newest
    /// commit date first, a parent never before the commit that reached it) or sorted by
    /// commit date alone. Computed once per tip and cached.
    pub(crate) fn walk(&self, tip: u32, by_date: bool) -> Arc<[u32]> {
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
    pub(crate) fn walk_path(&self, tip: u32, path: &str, follow: bool) -> Vec<u32> {
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

/// Whether `path` is `prefix` or lies under the directory `prefix`.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
