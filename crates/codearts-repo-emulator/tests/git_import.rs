//! A git repository made here (renames, merges, several authors and branches) is imported,
//! and the commit list answers what `git log` answers on it for a table of filters.

mod common;

use std::path::Path;
use std::process::Command;

use codearts_repo_emulator::{Emulator, SyntheticConfig};

/// Seconds of the first commit; each step is one hour later so dates are distinct.
const START: i64 = 1_735_722_000; // 2025-01-01T09:00:00Z

struct Repo<'a> {
    dir: &'a Path,
    step: i64,
}

impl Repo<'_> {
    fn git(&self, args: &[&str]) -> String {
        self.git_as(("Alice Zhang", "alice@example.com"), args)
    }

    fn git_as(&self, (name, email): (&str, &str), args: &[&str]) -> String {
        let date = format!("@{} +0800", START + self.step * 3600);
        let output = Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args([
                "-c",
                &format!("user.name={name}"),
                "-c",
                &format!("user.email={email}"),
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                "-c",
                "init.defaultBranch=master",
            ])
            .args(["-c", "core.logAllRefUpdates=true", "-c", "merge.ff=false"])
            .args(args)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn commit(&mut self, who: (&str, &str), message: &str) {
        self.step += 1;
        self.git_as(who, &["add", "-A"]);
        self.git_as(who, &["commit", "-q", "-m", message]);
    }
}

const ALICE: (&str, &str) = ("Alice Zhang", "alice@example.com");
const BOB: (&str, &str) = ("Bob Li", "bob@example.com");
const CHEN: (&str, &str) = ("Chen Wei", "chen@example.com");

fn lines(n: usize, tag: &str) -> String {
    (0..n).map(|i| format!("{tag} line {i}\n")).collect()
}

/// Builds the repository and returns its directory.
fn build(dir: &Path) {
    let mut repo = Repo { dir, step: 0 };
    repo.git(&["init", "-q"]);
    repo.write("README.md", "# demo\n");
    repo.write("src/lib.rs", &lines(30, "lib"));
    repo.write("docs/guide.md", &lines(20, "guide"));
    repo.commit(ALICE, "Initial commit");
    repo.write("src/lib.rs", &(lines(30, "lib") + "fn parse() {}\n"));
    repo.commit(BOB, "Add the parser\n\nRefs: #12");
    repo.git(&["checkout", "-q", "-b", "feature/x#1"]);
    repo.write("src/feature.rs", &lines(10, "feature"));
    repo.commit(CHEN, "feat: start the feature");
    repo.git(&["checkout", "-q", "master"]);
    repo.step += 1;
    repo.git(&["mv", "src/lib.rs", "src/core.rs"]);
    repo.commit(ALICE, "Rename lib.rs to core.rs");
    repo.git(&["checkout", "-q", "feature/x#1"]);
    repo.write("src/feature.rs", &(lines(10, "feature") + "more\n"));
    repo.write("docs/feature.md", "feature docs\n");
    repo.commit(CHEN, "feat: finish the feature");
    repo.git(&["checkout", "-q", "master"]);
    repo.step += 1;
    repo.git_as(
        BOB,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge branch 'feature/x#1'",
            "feature/x#1",
        ],
    );
    repo.write(
        "src/core.rs",
        &(lines(30, "lib") + "fn parse() { retry() }\n"),
    );
    repo.commit(ALICE, "Fix parser retry");
    repo.git(&["checkout", "-q", "-b", "release/1.0"]);
    repo.write("docs/guide.md", &(lines(20, "guide") + "release notes\n"));
    repo.commit(BOB, "docs: release notes");
    repo.step += 1;
    repo.git(&["tag", "-a", "v1.0", "-m", "Version 1.0"]);
    repo.git(&["checkout", "-q", "master"]);
    std::fs::create_dir_all(dir.join("docs/manual")).unwrap();
    repo.git(&["mv", "docs/guide.md", "docs/manual/guide.md"]);
    repo.commit(CHEN, "docs: move the guide");
    repo.write("docs/manual/guide.md", &(lines(20, "guide") + "more\n"));
    repo.write(
        "src/core.rs",
        &(lines(30, "lib") + "fn parse() { retry(); log() }\n"),
    );
    repo.commit(ALICE, "Log parser failures");
    repo.git(&["checkout", "-q", "-b", "hotfix"]);
    repo.write(
        "src/core.rs",
        &(lines(30, "lib") + "fn parse() { retry(); log(); }\n"),
    );
    repo.commit(BOB, "fix: semicolon");
    repo.git(&["checkout", "-q", "master"]);
    repo.write("README.md", "# demo\n\nUsage.\n");
    repo.commit(CHEN, "docs: usage");
    repo.step += 1;
    repo.git_as(
        ALICE,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge branch 'hotfix'",
            "hotfix",
        ],
    );
}

fn git_log(dir: &Path, args: &[&str]) -> Vec<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "--format=%H"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every page of the commit list, walked with `limit` per page.
async fn all_pages(emu: &Emulator, repo: u32, query: &str, limit: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 0.. {
        let reply = common::ok(
            emu,
            &format!(
                "/v4/repositories/{repo}/repository/commit-list?{query}&limit={limit}&offset={}",
                page * limit
            ),
        )
        .await;
        let commits = reply.body["commits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        ids.extend(
            commits
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        if commits.len() < limit as usize {
            break;
        }
    }
    ids
}

fn at(step: i64) -> String {
    chrono::DateTime::from_timestamp(START + step * 3600, 0)
        .unwrap()
        .to_rfc3339()
}

/// Half an hour after step `step`: no commit is made at that instant, so git's inclusive
/// bounds and the service's exclusive ones select the same commits.
fn after(step: i64) -> String {
    chrono::DateTime::from_timestamp(START + step * 3600 + 1800, 0)
        .unwrap()
        .to_rfc3339()
}

#[tokio::test]
async fn commit_list_matches_git_log() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let emu = Emulator::builder()
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(20)
                .events_per_repository(5),
        )
        .import_git(dir.path())
        .start()
        .await
        .unwrap();
    let store = emu.store();
    let repo = *emu.repository_ids().last().unwrap();
    assert_eq!(
        store.commit_count(repo),
        git_log(dir.path(), &["--branches", "--tags"]).len()
    );
    let head = git_log(dir.path(), &["-1"])[0].clone();
    let first = git_log(dir.path(), &["--reverse", "master"])[0].clone();
    let enc = |s: &str| codearts_repo_runtime::signing::encode(s);
    let between = |a: i64, b: i64| format!("since={}&until={}", enc(&after(a)), enc(&after(b)));
    // (commit-list query, git log arguments)
    let table: Vec<(String, Vec<String>)> = vec![
        (String::new(), vec!["master".into()]),
        (
            format!("ref_name={}", enc("feature/x#1")),
            vec!["feature/x#1".into()],
        ),
        ("ref_name=release/1.0".into(), vec!["release/1.0".into()]),
        ("ref_name=v1.0".into(), vec!["v1.0".into()]),
        ("ref_name=hotfix".into(), vec!["hotfix".into()]),
        (format!("ref_name={head}"), vec![head.clone()]),
        (format!("ref_name={}", &first[..7]), vec![first.clone()]),
        (
            "path=src/core.rs".into(),
            vec!["master".into(), "--".into(), "src/core.rs".into()],
        ),
        (
            "path=src/core.rs&follow=true".into(),
            vec![
                "--follow".into(),
                "master".into(),
                "--".into(),
                "src/core.rs".into(),
            ],
        ),
        (
            "path=src/lib.rs".into(),
            vec!["master".into(), "--".into(), "src/lib.rs".into()],
        ),
        (
            "path=src".into(),
            vec!["master".into(), "--".into(), "src".into()],
        ),
        (
            "path=docs".into(),
            vec!["master".into(), "--".into(), "docs".into()],
        ),
        (
            "path=docs/manual/guide.md&follow=true".into(),
            vec![
                "--follow".into(),
                "master".into(),
                "--".into(),
                "docs/manual/guide.md".into(),
            ],
        ),
        (
            "path=src/feature.rs".into(),
            vec!["master".into(), "--".into(), "src/feature.rs".into()],
        ),
        (
            "path=README.md".into(),
            vec!["master".into(), "--".into(), "README.md".into()],
        ),
        (
            "author=wei".into(),
            vec![
                "-i".into(),
                "-F".into(),
                "--author=wei".into(),
                "master".into(),
            ],
        ),
        (
            "author=ZHANG".into(),
            vec![
                "-i".into(),
                "-F".into(),
                "--author=zhang".into(),
                "master".into(),
            ],
        ),
        (
            "message=parser".into(),
            vec![
                "-i".into(),
                "-F".into(),
                "--grep=parser".into(),
                "master".into(),
            ],
        ),
        (
            "message=feat%3A".into(),
            vec![
                "-i".into(),
                "-F".into(),
                "--grep=feat:".into(),
                "master".into(),
            ],
        ),
        (
            between(3, 9),
            vec![
                format!("--since={}", after(3)),
                format!("--until={}", after(9)),
                "master".into(),
            ],
        ),
        (
            format!("{}&path=src&author=alice", between(1, 20)),
            vec![
                "-i".into(),
                "-F".into(),
                "--author=alice".into(),
                format!("--since={}", after(1)),
                "master".into(),
                "--".into(),
                "src".into(),
            ],
        ),
        (
            "order_by_date=true".into(),
            vec!["--date-order".into(), "master".into()],
        ),
        (
            "order_by_date=true&ref_name=release/1.0".into(),
            vec!["--date-order".into(), "release/1.0".into()],
        ),
    ];
    for (query, args) in &table {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expected = git_log(dir.path(), &args);
        assert!(!expected.is_empty(), "git log {args:?} lists something");
        for limit in [2, 100] {
            let got = all_pages(&emu, repo, query, limit).await;
            assert_eq!(
                got, expected,
                "commit-list?{query} (limit {limit}) vs git log {args:?}"
            );
        }
    }

    // since/until are exclusive where git's are inclusive.
    let inclusive = git_log(
        dir.path(),
        &[
            &format!("--since={}", at(3)),
            &format!("--until={}", at(9)),
            "master",
        ],
    );
    let exact_commit = inclusive.first().unwrap().clone();
    let exact_time = chrono::DateTime::from_timestamp(
        Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["log", "-1", "--format=%ct", &exact_commit])
            .output()
            .map(|o| {
                String::from_utf8(o.stdout)
                    .unwrap()
                    .trim()
                    .parse::<i64>()
                    .unwrap()
            })
            .unwrap(),
        0,
    )
    .unwrap();
    let got = all_pages(
        &emu,
        repo,
        &format!("until={}", enc(&exact_time.to_rfc3339())),
        100,
    )
    .await;
    assert!(
        !got.contains(&exact_commit),
        "until excludes a commit made at that instant"
    );
    let got = all_pages(
        &emu,
        repo,
        &format!("since={}", enc(&exact_time.to_rfc3339())),
        100,
    )
    .await;
    assert!(
        !got.contains(&exact_commit),
        "since excludes a commit made at that instant"
    );

    // The commits carry git's authors, committers, dates, parents and messages.
    let commits = store.commits(repo, Some("master")).unwrap();
    let merge = commits.iter().find(|c| c.parent_ids.len() == 2).unwrap();
    assert_eq!(merge.title.as_deref(), Some("Merge branch 'hotfix'"));
    let parser = commits
        .iter()
        .find(|c| c.title.as_deref() == Some("Add the parser"))
        .unwrap();
    assert_eq!(
        parser.message.as_deref(),
        Some("Add the parser\n\nRefs: #12")
    );
    assert_eq!(parser.author_name.as_deref(), Some("Bob Li"));
    assert_eq!(parser.author_email.as_deref(), Some("bob@example.com"));
    assert_eq!(
        parser
            .committed_date
            .as_ref()
            .unwrap()
            .to_utc()
            .unwrap()
            .timestamp(),
        START + 2 * 3600
    );
}

#[tokio::test]
async fn pushes_come_from_the_reflogs() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let emu = Emulator::builder()
        .synthetic(SyntheticConfig::default().repositories(0))
        .import_git(dir.path())
        .start()
        .await
        .unwrap();
    let repo = emu.repository_ids()[0];
    let events = emu.store().events(repo);
    // One push per reflog entry of each branch, plus one per tag.
    let mut reflog_entries = 0;
    for branch in ["master", "feature/x#1", "release/1.0", "hotfix"] {
        let text =
            std::fs::read_to_string(dir.path().join(".git/logs/refs/heads").join(branch)).unwrap();
        reflog_entries += text.lines().count();
    }
    assert_eq!(events.len(), reflog_entries + 1);
    let reply = common::ok(&emu, &format!("/v4/repositories/{repo}/events?limit=100")).await;
    assert_eq!(
        reply.header("x-total"),
        Some((reflog_entries + 1).to_string().as_str())
    );
    let newest = &events[0];
    assert_eq!(
        newest.push_data.as_ref().unwrap().ref_.as_deref(),
        Some("master")
    );
    assert_eq!(newest.action_name.as_ref().unwrap().as_str(), "pushed to");
    let tip = git_log(dir.path(), &["-1", "master"])[0].clone();
    assert_eq!(
        newest.push_data.as_ref().unwrap().commit_to.as_deref(),
        Some(tip.as_str())
    );
    let created: Vec<_> = events
        .iter()
        .filter(|e| e.action_name.as_ref().unwrap().as_str() == "pushed new")
        .collect();
    assert_eq!(created.len(), 5, "four branches and one tag were created");
    let reply = common::ok(&emu, &format!("/v4/repositories/{repo}/last-push-event")).await;
    assert_eq!(reply.body["ref"], "master");
    // Everything pushed was counted once.
    let counted: i32 = events
        .iter()
        .map(|e| e.push_data.as_ref().unwrap().commit_count.unwrap())
        .sum();
    assert_eq!(counted as usize, emu.store().commit_count(repo));
}

#[tokio::test]
async fn a_path_that_is_not_a_git_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = Emulator::builder()
        .import_git(dir.path())
        .start()
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("cannot import the git repository"),
        "{message}"
    );
}
