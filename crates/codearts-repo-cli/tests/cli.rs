//! The `codearts-repo` binary, run as a user runs it, against an emulator started in this
//! test process. Outputs are snapshots (insta); the data is deterministic from the seed and
//! anything that varies between runs (the port, request ids) is redacted.

use std::collections::HashSet;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use codearts_repo_emulator::{Emulator, FaultConfig, SyntheticConfig};
use serde_json::Value;

/// An emulator on an ephemeral port, and the runtime serving it while the binary runs.
struct Fixture {
    emulator: Emulator,
    /// A directory standing in for HOME, so no real credentials file is ever read.
    home: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

const EVENTS_PER_REPOSITORY: u32 = 45;

impl Fixture {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let emulator = runtime
            .block_on(
                Emulator::builder()
                    .seed(7)
                    .synthetic(
                        SyntheticConfig::default()
                            .repositories(2)
                            .commits_per_repository(60)
                            .events_per_repository(EVENTS_PER_REPOSITORY)
                            .users(3),
                    )
                    .start(),
            )
            .expect("the emulator starts");
        Self {
            emulator,
            home: tempfile::tempdir().expect("a temporary directory"),
            runtime,
        }
    }

    fn repository(&self) -> String {
        self.emulator.repository_ids()[0].to_string()
    }

    /// The binary with a clean environment: no SDK variables, an empty HOME.
    fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("codearts-repo").expect("the binary is built");
        for (name, _) in std::env::vars() {
            if name.starts_with("HUAWEICLOUD_") || name.starts_with("CODEARTS_") {
                cmd.env_remove(name);
            }
        }
        // No logging unless a test asks for it.
        cmd.env_remove("RUST_LOG");
        {}
        cmd.env("HOME", self.home.path())
            .env("USERPROFILE", self.home.path())
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(120));
        cmd
    }

    /// The binary pointed at the emulator with a valid token.
    fn cmd(&self) -> Command {
        let mut cmd = self.bare();
        cmd.args(["--endpoint", self.emulator.base_url()])
            .args(["--token", &self.emulator.credentials().token]);
        cmd
    }

    /// Replaces what differs between runs with fixed markers.
    fn redact(&self, text: &str) -> String {
        text.replace(self.emulator.base_url(), "http://[EMULATOR]")
            .lines()
            .map(redact_request_id)
            .collect::<Vec<_>>()
            .join("\n")
            + if text.ends_with('\n') { "\n" } else { "" }
    }
}

fn redact_request_id(line: &str) -> String {
    match line.find("request id: ") {
        Some(at) => format!("{}request id: [REQUEST_ID]", &line[..at]),
        None => line.to_string(),
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Runs `cmd`, expecting success, and returns stdout.
fn success(cmd: &mut Command) -> String {
    let output = cmd.output().expect("the binary runs");
    assert!(
        output.status.success(),
        "exit {:?}\nstderr:\n{}",
        output.status.code(),
        stderr(&output)
    );
    assert!(
        stderr(&output).is_empty(),
        "no progress bar or noise on a non-terminal stderr: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Runs `cmd`, expecting exit `code`, and returns stderr (checked free of panics and
/// debug dumps).
fn failure(cmd: &mut Command, code: i32) -> String {
    let output = cmd.output().expect("the binary runs");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
    assert!(!err.contains(" { "), "no Debug dump: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
    err
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines().map(json).collect()
}

const FORMATS: [&str; 4] = ["table", "json", "ndjson", "csv"];

/// Snapshots one command line in every output format, and checks the formats agree.
fn snapshot_every_format(fx: &Fixture, name: &str, args: &[&str]) {
    let mut rows = Vec::new();
    for format in FORMATS {
        let out = success(fx.cmd().args(args).args(["--output", format]));
        let out = fx.redact(&out);
        insta::assert_snapshot!(format!("{name}_{format}"), out);
        rows.push(out);
    }
    // JSON and NDJSON hold the same records.
    let array = json(&rows[1]);
    let lines = ndjson(&rows[2]);
    match array {
        Value::Array(items) => assert_eq!(items, lines),
        object => assert_eq!(vec![object], lines),
    }
    // CSV has a header and one line per record (records here hold no newline).
    let csv_lines = rows[3].lines().count();
    assert!(
        csv_lines > lines.len(),
        "header and {} records",
        lines.len()
    );
}

#[test]
fn events_in_every_format() {
    let fx = Fixture::start();
    snapshot_every_format(&fx, "events", &["events", &fx.repository(), "--limit", "5"]);
}

#[test]
fn last_push_in_every_format() {
    let fx = Fixture::start();
    snapshot_every_format(&fx, "last_push", &["last-push", &fx.repository()]);
}

#[test]
fn commits_in_every_format() {
    let fx = Fixture::start();
    snapshot_every_format(
        &fx,
        "commits",
        &["commits", &fx.repository(), "--limit", "6"],
    );
}

#[test]
fn recent_pushes_in_every_format() {
    let fx = Fixture::start();
    snapshot_every_format(&fx, "recent_pushes", &["recent-pushes", "--size", "4"]);
}

#[test]
fn commits_by_day_in_every_format() {
    let fx = Fixture::start();
    let repo = fx.repository();
    for format in FORMATS {
        let out = success(
            fx.cmd()
                .args(["commits", &repo, "--all", "--page-size", "25", "--by-day"])
                .args(["--output", format]),
        );
        insta::assert_snapshot!(format!("commits_by_day_{format}"), fx.redact(&out));
    }
    // The merged per-day counts add up to every commit walked.
    let days = json(&success(
        fx.cmd().args(["commits", &repo, "--all", "--by-day"]),
    ));
    let counted: u64 = days
        .as_array()
        .expect("an array of days")
        .iter()
        .map(|d| d["commits_count"].as_u64().expect("a count"))
        .sum();
    let commits = json(&success(fx.cmd().args(["commits", &repo, "--all"])));
    assert_eq!(counted, commits.as_array().expect("commits").len() as u64);
    // A cap that cuts a page counts only the commits taken.
    let capped = json(&success(fx.cmd().args([
        "commits",
        &repo,
        "--limit",
        "30",
        "--page-size",
        "25",
        "--by-day",
    ])));
    let counted: u64 = capped
        .as_array()
        .expect("an array of days")
        .iter()
        .map(|d| d["commits_count"].as_u64().expect("a count"))
        .sum();
    assert_eq!(counted, 30);
}

#[test]
fn every_filter_flag_reaches_the_service() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let all = json(&success(fx.cmd().args(["commits", &repo, "--all"])));
    let all = all.as_array().expect("commits");
    let first = &all[0];
    let author = first["author_name"].as_str().expect("an author");
    let by_author = json(&success(
        fx.cmd()
            .args(["commits", &repo, "--all", "--author", author]),
    ));
    let by_author = by_author.as_array().expect("commits");
    assert!(!by_author.is_empty() && by_author.len() <= all.len());
    assert!(
        by_author
            .iter()
            .all(|c| c["author_name"].as_str().unwrap().contains(author))
    );

    let id = first["id"].as_str().expect("an id");
    let by_id = json(&success(fx.cmd().args([
        "commits",
        &repo,
        "--message",
        &id[..10],
        "--all",
    ])));
    assert!(
        by_id
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == first["id"])
    );

    // --since and --until are exclusive bounds on the commit date.
    let date = first["committed_date"].as_str().expect("a date");
    let until = json(&success(fx.cmd().args([
        "commits",
        &repo,
        "--all",
        "--order-by-date",
        "--until",
        date,
    ])));
    assert!(
        until
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != first["id"])
    );
    let since = json(&success(fx.cmd().args([
        "commits",
        &repo,
        "--all",
        "--since",
        "2000-01-01",
    ])));
    assert_eq!(since.as_array().unwrap().len(), all.len());
    let none = json(&success(fx.cmd().args([
        "commits",
        &repo,
        "--all",
        "--until",
        "2000-01-01",
    ])));
    assert_eq!(none, Value::Array(vec![]));

    // --ref: the ref of the last push names a branch or tag with history.
    let last = json(&success(fx.cmd().args(["last-push", &repo])));
    let pushed_ref = last["ref"].as_str().expect("a ref");
    let on_ref =
        json(&success(fx.cmd().args([
            "commits", &repo, "--ref", pushed_ref, "--limit", "3",
        ])));
    assert!(
        !on_ref.as_array().expect("commits").is_empty(),
        "history of {pushed_ref}"
    );
    // --path with --follow is sent and answered.
    success(fx.cmd().args([
        "commits", &repo, "--path", "src", "--follow", "--limit", "3",
    ]));

    let events = json(&success(fx.cmd().args(["events", &repo, "--all"])));
    let events = events.as_array().expect("events");
    let author_id = events[0]["author_id"]
        .as_u64()
        .expect("an author id")
        .to_string();
    let mine = json(&success(fx.cmd().args([
        "events",
        &repo,
        "--all",
        "--filter",
        "push",
        "--author-id",
        &author_id,
    ])));
    let mine = mine.as_array().unwrap();
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|e| e["author_id"].as_u64().unwrap().to_string() == author_id)
    );
    // --after and --before are exclusive bounds on created_at.
    let newest = events[0]["created_at"].as_str().unwrap();
    let oldest = events[events.len() - 1]["created_at"].as_str().unwrap();
    let between = json(&success(fx.cmd().args([
        "events", &repo, "--all", "--after", oldest, "--before", newest,
    ])));
    let between = between.as_array().unwrap();
    assert!(between.len() < events.len());
    assert!(
        between
            .iter()
            .all(|e| e["created_at"] != events[0]["created_at"])
    );

    let project = json(&success(fx.cmd().args(["recent-pushes", "--size", "100"])));
    let project_id = project[0]["repository"]["project_id"]
        .as_str()
        .expect("a project id");
    let in_project = json(&success(fx.cmd().args([
        "recent-pushes",
        "--project-id",
        project_id,
    ])));
    assert!(
        in_project
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["repository"]["project_id"] == project_id)
    );
}

#[test]
fn all_walks_every_page_once_in_order() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let before = fx.emulator.request_count();
    let out = success(fx.cmd().args([
        "events",
        &repo,
        "--all",
        "--page-size",
        "10",
        "--output",
        "ndjson",
    ]));
    let requests = fx.emulator.request_count() - before;
    let events = ndjson(&out);
    assert_eq!(events.len(), EVENTS_PER_REPOSITORY as usize);
    assert!(
        requests >= 5,
        "{requests} requests for 45 events in pages of 10"
    );
    // Newest first, each event once.
    let times: Vec<&str> = events
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let distinct: HashSet<String> = events.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), events.len());

    // --limit walks pages too, and stops at the cap; --offset skips.
    let capped = json(&success(fx.cmd().args([
        "events",
        &repo,
        "--limit",
        "25",
        "--page-size",
        "10",
    ])));
    assert_eq!(capped.as_array().unwrap()[..], events[..25]);
    let skipped = json(&success(fx.cmd().args([
        "events",
        &repo,
        "--offset",
        "40",
        "--all",
        "--page-size",
        "3",
    ])));
    assert_eq!(skipped.as_array().unwrap()[..], events[40..]);

    // More pages at a time, or one at a time: the same events in the same order.
    for pages in ["1", "32"] {
        let walked = ndjson(&success(fx.cmd().args([
            "events",
            &repo,
            "--all",
            "--page-size",
            "4",
            "--concurrent-pages",
            pages,
            "--output",
            "ndjson",
        ])));
        assert_eq!(walked, events, "--concurrent-pages {pages}");
    }
}

#[test]
fn a_pipe_gets_json_by_default() {
    let fx = Fixture::start();
    let out = success(fx.cmd().args(["events", &fx.repository(), "--limit", "3"]));
    assert_eq!(json(&out).as_array().expect("a JSON array").len(), 3);
    let one = success(fx.cmd().args(["last-push", &fx.repository()]));
    assert!(json(&one).is_object());
}

#[test]
fn bad_flags_and_values_exit_2() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let before = fx.emulator.request_count();
    let err = failure(fx.cmd().args(["events", &repo, "--after", "yesterday"]), 2);
    assert!(
        err.contains("--after") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    failure(fx.cmd().args(["events", &repo, "--no-such-flag"]), 2);
    failure(fx.cmd().args(["events", &repo, "--all", "--limit", "3"]), 2);
    failure(fx.cmd().args(["commits", &repo, "--follow"]), 2);
    failure(fx.cmd().args(["events", "abc"]), 2);
    failure(fx.cmd().args(["events", &repo, "--timeout", "soon"]), 2);
    for pages in ["0", "33", "many"] {
        let err = failure(
            fx.cmd()
                .args(["events", &repo, "--concurrent-pages", pages]),
            2,
        );
        assert!(err.contains("--concurrent-pages"), "{err}");
    }
    // Values the spec's ranges refuse before anything is sent, named by the flag typed.
    let err = failure(fx.cmd().args(["recent-pushes", "--size", "101"]), 2);
    assert!(
        err.contains("'--size <N>'") && err.contains("101 is outside 1..=100"),
        "{err}"
    );
    let err = failure(fx.cmd().args(["recent-pushes", "--project-id", "short"]), 2);
    assert!(
        err.contains("'--project-id <PROJECT_ID>'") && err.contains("exactly 32 characters"),
        "{err}"
    );
    let err = failure(fx.cmd().args(["events", &repo, "--author-id", "0"]), 2);
    assert!(
        err.contains("'--author-id <N>'") && err.contains("0 is outside 1..=2147483647"),
        "{err}"
    );
    let err = failure(fx.cmd().args(["commits", &repo, "--path", ""]), 2);
    assert!(err.contains("'--path <PATH>'"), "{err}");
    let err = failure(fx.cmd().args(["events", &repo, "--page-size", "101"]), 2);
    assert!(err.contains("101"), "{err}");
    failure(fx.cmd().args(["events"]), 2);
    assert_eq!(fx.emulator.request_count(), before, "no request was sent");
}

#[test]
fn authentication_failures_exit_3_and_name_the_credential_source() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let err = failure(
        fx.bare()
            .args([
                "--endpoint",
                fx.emulator.base_url(),
                "--token",
                "not-a-token",
            ])
            .args(["events", &repo]),
        3,
    );
    assert!(err.contains("401"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("--token flag"),
        "{err}"
    );
    insta::assert_snapshot!("error_401", fx.redact(&err));

    let outsider = fx.emulator.outsider_credentials();
    let err = failure(
        fx.bare()
            .args([
                "--endpoint",
                fx.emulator.base_url(),
                "--token",
                &outsider.token,
            ])
            .args(["commits", &repo]),
        3,
    );
    assert!(err.contains("403") && err.contains("--token flag"), "{err}");
    insta::assert_snapshot!("error_403", fx.redact(&err));

    // No credentials anywhere: the SDK's chain says where it looked.
    let err = failure(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .args(["events", &repo]),
        3,
    );
    assert!(err.contains("HUAWEICLOUD_SDK_AK"), "{err}");
    insta::assert_snapshot!(
        "error_no_credentials",
        fx.redact(&err)
            .replace(&fx.home.path().display().to_string(), "[HOME]",)
    );

    // Wrong AK/SK from the environment: the hint names the environment.
    let err = failure(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .env("HUAWEICLOUD_SDK_AK", &fx.emulator.credentials().access_key)
            .env("HUAWEICLOUD_SDK_SK", "wrong-secret-key")
            .args(["events", &repo]),
        3,
    );
    assert!(err.contains("HUAWEICLOUD_SDK_AK"), "{err}");
}

#[test]
fn idp_federation_comes_through_the_sdk_chain() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let from_flags = success(fx.cmd().args(["events", &repo, "--limit", "3"]));
    let (idp_id, id_token) = fx.emulator.iam_idp();
    let file = fx.home.path().join("id_token");
    std::fs::write(&file, id_token).expect("the file is written");
    // IdP federation from the variables: the emulator plays IAM too (plain HTTP, allowed
    // with --endpoint as for the service).
    let federated = success(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fx.emulator.base_url())
            .env("HUAWEICLOUD_SDK_IDP_ID", idp_id)
            .env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", &file)
            .args(["events", &repo, "--limit", "3"]),
    );
    assert_eq!(federated, from_flags);
    assert_eq!(fx.emulator.iam_requests(), (0, 1, 1));
    // A half-set IdP source is named.
    let err = failure(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .env("HUAWEICLOUD_SDK_IDP_ID", idp_id)
            .args(["events", &repo]),
        3,
    );
    assert!(
        err.contains("HUAWEICLOUD_SDK_IDP_ID is set but HUAWEICLOUD_SDK_ID_TOKEN_FILE is not"),
        "{err}"
    );
}

#[test]
fn credentials_come_from_the_environment_and_the_credentials_file() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let creds = fx.emulator.credentials();
    let from_flags = success(fx.cmd().args(["events", &repo, "--limit", "3"]));
    let from_env = success(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .env("HUAWEICLOUD_SDK_AK", &creds.access_key)
            .env("HUAWEICLOUD_SDK_SK", &creds.secret_key)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", &creds.project_id)
            .args(["events", &repo, "--limit", "3"]),
    );
    assert_eq!(from_env, from_flags);
    let file = fx.home.path().join("credentials.ini");
    std::fs::write(
        &file,
        format!(
            "[basic]\nak = {}\nsk = {}\nproject_id = {}\n",
            creds.access_key, creds.secret_key, creds.project_id
        ),
    )
    .expect("the file is written");
    let from_file = success(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file)
            .args(["events", &repo, "--limit", "3"]),
    );
    assert_eq!(from_file, from_flags);
    let from_ak_flags = success(
        fx.bare()
            .args(["--endpoint", fx.emulator.base_url()])
            .args([
                "--access-key",
                &creds.access_key,
                "--secret-key",
                &creds.secret_key,
            ])
            .args(["--signing-project-id", &creds.project_id])
            .args(["events", &repo, "--limit", "3"]),
    );
    assert_eq!(from_ak_flags, from_flags);
    // The emulator verifies every algorithm; a name the official SDKs do not use is refused.
    for algorithm in ["SDK-HMAC-SM3", "SDK-ECDSA-P256-SHA256", "SDK-SM2-SM3"] {
        let signed = success(
            fx.bare()
                .args(["--endpoint", fx.emulator.base_url()])
                .args([
                    "--access-key",
                    &creds.access_key,
                    "--secret-key",
                    &creds.secret_key,
                ])
                .args(["--signing-project-id", &creds.project_id])
                .args(["--signing-algorithm", algorithm])
                .args(["events", &repo, "--limit", "3"]),
        );
        assert_eq!(signed, from_flags, "{algorithm}");
    }
    let refused = fx
        .bare()
        .args(["--access-key", "AK", "--secret-key", "SK"])
        .args(["--signing-algorithm", "SDK-HMAC-MD5", "events", &repo])
        .output()
        .expect("the binary runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("unknown signing algorithm"));
}

#[test]
fn a_missing_repository_exits_4() {
    let fx = Fixture::start();
    for sub in ["events", "last-push", "commits"] {
        let err = failure(fx.cmd().args([sub, "999999"]), 4);
        assert!(err.contains("404") && err.contains("CH.00402000"), "{err}");
        assert!(err.contains("request id: "), "{err}");
    }
    let err = failure(fx.cmd().args(["events", "999999"]), 4);
    insta::assert_snapshot!("error_404", fx.redact(&err));
}

#[test]
fn each_subcommand_lists_and_accepts_only_the_options_it_uses() {
    let fx = Fixture::start();
    let repo = fx.repository();
    // The walk's options belong to the commands that walk pages.
    for (sub, walks) in [
        ("events", true),
        ("commits", true),
        ("last-push", false),
        ("recent-pushes", false),
    ] {
        let help = success(fx.bare().args([sub, "--help"]));
        assert!(
            help.contains("--endpoint") && help.contains("--output"),
            "{help}"
        );
        assert_eq!(help.contains("--concurrent-pages"), walks, "{sub}: {help}");
        assert_eq!(help.contains("--no-progress"), walks, "{sub}: {help}");
    }
    let help = success(fx.bare().args(["completions", "--help"]));
    for flag in ["--endpoint", "--token", "--output", "--verbose"] {
        assert!(!help.contains(flag), "{flag}: {help}");
    }
    // A flag a command does not use is refused, before or after its name, and nothing is
    // sent.
    let before = fx.emulator.request_count();
    for args in [
        &["last-push", repo.as_str(), "--concurrent-pages", "2"][..],
        &["--no-progress", "recent-pushes"],
    ] {
        let err = failure(fx.cmd().args(args), 2);
        assert!(err.contains("unexpected argument"), "{err}");
    }
    let err = failure(fx.bare().args(["completions", "bash", "--token", "t"]), 2);
    assert!(err.contains("'--token'"), "{err}");
    if cfg!(feature = "demo") {
        let help = success(fx.bare().args(["demo", "--help"]));
        for flag in ["--endpoint", "--token", "--emulator", "--concurrent-pages"] {
            assert!(!help.contains(flag), "{flag}: {help}");
        }
        let err = failure(
            fx.bare()
                .args(["demo", "--endpoint", "http://127.0.0.1:9", "--token", "t"]),
            2,
        );
        assert!(err.contains("'--endpoint'"), "{err}");
        let err = failure(fx.cmd().arg("demo"), 2);
        assert!(err.contains("'--endpoint'"), "{err}");
    }
    assert_eq!(fx.emulator.request_count(), before);
    // Options still go before or after the command's name, mixed.
    let events = success(
        fx.cmd()
            .args(["-o", "ndjson", "events", &repo, "--limit", "3"])
            .args(["--concurrent-pages", "2", "--no-progress"]),
    );
    assert_eq!(events.lines().count(), 3, "{events}");
}

#[test]
fn sdk_errors_name_the_sdk_method_not_the_api_operation() {
    let fx = Fixture::start();
    // A port that was free a moment ago: a transport error, whose message names the call.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = format!("http://{}", closed.local_addr().expect("an address"));
    drop(closed);
    for (sub, method, operation) in [
        (
            "last-push",
            "last_push_event",
            "show_last_push_event_in_repository",
        ),
        (
            "recent-pushes",
            "list_recent_push_events",
            "list_personal_recent_push_events",
        ),
    ] {
        let mut cmd = fx.bare();
        cmd.args([
            "--endpoint",
            &address,
            "--token",
            "t",
            "--max-attempts",
            "1",
        ])
        .arg(sub);
        if sub == "last-push" {
            cmd.arg("5");
        }
        let err = failure(&mut cmd, 5);
        assert!(err.starts_with(&format!("error: {method}: ")), "{err}");
        assert!(!err.contains(operation), "{err}");
    }
}

#[test]
fn network_failures_and_timeouts_exit_5() {
    let fx = Fixture::start();
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = format!("http://{}", closed.local_addr().expect("an address"));
    drop(closed);
    let err = failure(
        fx.bare()
            .args([
                "--endpoint",
                &address,
                "--token",
                "t",
                "--max-attempts",
                "1",
            ])
            .args(["events", "1"]),
        5,
    );
    assert!(err.contains("hint:"), "{err}");

    fx.emulator.set_faults(
        FaultConfig::default()
            .stall_rate(1.0)
            .stall_for(Duration::from_secs(60)),
    );
    let err = failure(
        fx.cmd()
            .args([
                "--attempt-timeout",
                "1s",
                "--timeout",
                "3s",
                "--max-attempts",
                "2",
            ])
            .args(["commits", &fx.repository()]),
        5,
    );
    assert!(err.to_lowercase().contains("time"), "{err}");
}

#[test]
fn server_errors_exit_6() {
    let fx = Fixture::start();
    fx.emulator
        .set_faults(FaultConfig::default().server_error_rate(1.0));
    let err = failure(
        fx.cmd()
            .args(["--max-attempts", "1"])
            .args(["events", &fx.repository()]),
        6,
    );
    assert!(err.contains("request id: "), "{err}");
    fx.emulator
        .set_faults(FaultConfig::default().throttle_rate(1.0));
    let err = failure(
        fx.cmd()
            .args(["--max-attempts", "1"])
            .args(["last-push", &fx.repository()]),
        6,
    );
    assert!(err.contains("429"), "{err}");
}

#[cfg(feature = "demo")]
#[test]
fn the_emulator_flag_needs_no_account() {
    let fx = Fixture::start();
    let out = success(fx.bare().args(["--emulator", "events", "--limit", "3"]));
    assert_eq!(json(&out).as_array().expect("events").len(), 3);
    let out = success(
        fx.bare()
            .args(["--emulator", "commits", "--limit", "2", "-o", "csv"]),
    );
    assert_eq!(out.lines().count(), 3);
}

#[cfg(feature = "demo")]
#[test]
fn the_demo_tours_every_command() {
    let fx = Fixture::start();
    let out = success(fx.bare().arg("demo"));
    for command in ["events", "last-push", "commits", "recent-pushes"] {
        let shown = format!("$ codearts-repo --emulator {command} ");
        assert!(out.contains(&shown), "the tour runs {command}:\n{out}");
    }
    assert!(out.contains("--by-day"), "{out}");
    assert!(
        out.contains("error: ") && out.contains("(exit code 4)"),
        "{out}"
    );
    // The port and request ids change between runs; everything else is the same every time.
    let stable: Vec<String> = redact_port(&out).lines().map(redact_request_id).collect();
    insta::assert_snapshot!("demo", stable.join("\n"));
}

/// Replaces `127.0.0.1:<port>` with a marker.
#[cfg(feature = "demo")]
fn redact_port(text: &str) -> String {
    let marker = "http://127.0.0.1:";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at]);
        out.push_str("http://[EMULATOR]");
        rest = rest[at + marker.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

#[test]
fn the_demo_and_the_emulator_flag_come_with_the_demo_feature() {
    let fx = Fixture::start();
    let help = success(fx.bare().arg("--help"));
    let demo = cfg!(feature = "demo");
    assert_eq!(help.contains("\n  demo "), demo, "{help}");
    assert_eq!(help.contains("codearts-repo demo"), demo, "{help}");
    let help = success(fx.bare().args(["events", "--help"]));
    assert_eq!(help.contains("--emulator"), demo, "{help}");
    // The hint for a missing repository id offers --emulator only when there is one.
    let err = failure(fx.cmd().arg("events"), 2);
    assert_eq!(err.contains("--emulator"), demo, "{err}");
    if !demo {
        // Without the feature they are unknown to the parser, as any misspelling is.
        let output = fx.bare().arg("demo").output().expect("the binary runs");
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("unrecognized subcommand 'demo'"),
            "{}",
            stderr(&output)
        );
        let output = fx
            .bare()
            .args(["--emulator", "events"])
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("unexpected argument '--emulator'"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_terminal_gets_a_progress_bar_that_leaves_the_output_whole() {
    let fx = Fixture::start();
    // Slow pages, one at a time, so the bar is drawn between them.
    fx.emulator
        .set_faults(FaultConfig::default().latency(Duration::from_millis(40)));
    let binary = assert_cmd::cargo::cargo_bin("codearts-repo");
    let command = format!(
        "'{}' --endpoint '{}' --token '{}' events {} --all --page-size 5 --concurrent-pages 1 --output ndjson",
        binary.display(),
        fx.emulator.base_url(),
        fx.emulator.credentials().token,
        fx.repository()
    );
    // `script` runs the command on a pseudo-terminal and copies what it wrote (stdout and
    // stderr alike) to its own stdout.
    let output = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("HOME", fx.home.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("`script` (util-linux) runs");
    let transcript = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{transcript}");
    assert!(
        transcript.contains("events, ") && transcript.contains(" pages"),
        "no progress message on the terminal: {transcript}"
    );
    assert!(transcript.contains('\x1b'), "no terminal control sequences");
    // Each event is printed once, on a line of its own, whatever the bar drew around it.
    let events: Vec<Value> = transcript
        .split(['\r', '\n'])
        .filter_map(|line| line.find('{').map(|at| &line[at..]))
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    assert_eq!(events.len(), EVENTS_PER_REPOSITORY as usize, "{transcript}");
}

/// Answers every request on `listener` with `body` (JSON, status 200), sending each
/// request line it reads down `lines`.
fn serve_fixed(
    listener: std::net::TcpListener,
    body: String,
    lines: std::sync::mpsc::Sender<String>,
) {
    use std::io::{BufRead, BufReader, Write};
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let _ = lines.send(line.trim_end().to_string());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
}

#[test]
fn dates_are_sent_as_typed_and_the_page_size_only_when_given() {
    let fx = Fixture::start();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let (sender, lines) = std::sync::mpsc::channel();
    serve_fixed(listener, r#"{"commits":[],"date_title":[]}"#.into(), sender);
    fx.bare()
        .args(["--endpoint", &endpoint, "--token", "T", "-o", "json"])
        .args(["commits", "7", "--since", "2025-06-01", "--until"])
        .arg("2025-06-02T16:00:00+08:00")
        .args(["--limit", "30"])
        .assert()
        .success();
    let line = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("a request");
    // A date stays a date; an instant goes in UTC; the cap of 30 is the first page's size.
    assert!(line.contains("since=2025-06-01&"), "{line}");
    assert!(line.contains("until=2025-06-02T08%3A00%3A00Z"), "{line}");
    assert!(line.contains("limit=30&"), "{line}");
    fx.bare()
        .args(["--endpoint", &endpoint, "--token", "T", "-o", "json"])
        .args(["commits", "7", "--all", "--page-size", "7"])
        .assert()
        .success();
    let line = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("a request");
    assert!(line.contains("limit=7&"), "{line}");
}

#[test]
fn a_walk_that_fails_says_which_offset_to_resume_from() {
    let fx = Fixture::start();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    // A service that ignores `offset`: every page is the first one again.
    let commits: Vec<String> = (0..100).map(|i| format!(r#"{{"id":"c{i}"}}"#)).collect();
    let body = format!(r#"{{"commits":[{}],"date_title":[]}}"#, commits.join(","));
    let (sender, _lines) = std::sync::mpsc::channel();
    serve_fixed(listener, body, sender);
    let output = fx
        .bare()
        .args(["--endpoint", &endpoint, "--token", "T", "-o", "ndjson"])
        .args(["commits", "7", "--all", "--offset", "5"])
        .output()
        .expect("the command runs");
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.lines().count(),
        100,
        "the first page is written once"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ignored offset 105"), "{stderr}");
    assert!(
        stderr.contains("run the same command with --offset 105"),
        "{stderr}"
    );
}

/// A commit title that retitles the terminal window, rings its bell and turns text red.
const PWNED: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31mfix";
/// How a table, CSV or an error shows it.
const PWNED_SHOWN: &str = r"\x1b]0;pwned\x07\x1b[31mfix";
/// A ref with a C1 control (CSI), a right-to-left override, an isolate, CR and DEL.
const REF: &str = "main\u{9b}2J\u{202e}gnp.exe\u{2066}\r\u{7f}";
const REF_SHOWN: &str = r"main\u{9b}2J\u{202e}gnp.exe\u{2066}\r\x7f";
/// Cells that a spreadsheet would run as formulas.
const AUTHOR: &str = "=HYPERLINK(\"http://evil.example/\",\"x\")";
const EMAIL: &str = "@SUM(1+1)";
/// A day of the per-day counts.
const DAY: &str = "=1+1\u{1b}[8m";

/// Checks that `text` holds no character a terminal could act on, other than the line
/// feeds ending lines.
fn assert_harmless(text: &str) {
    let found: Vec<char> = text
        .chars()
        .filter(|&c| {
            matches!(c,
                '\0'..='\x09' | '\x0b'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}'
                | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(found.is_empty(), "control characters {found:?} in:\n{text}");
}

/// The JSON body and status a misbehaving service answers to `path`.
fn hostile_answer(path: &str) -> (u16, &'static str, String) {
    let json = "application/json";
    let push_data = serde_json::json!({
        "action": "pushed", "commit_count": 1, "commit_title": PWNED, "ref": REF,
        "ref_type": "branch", "commit_from": "1111111111111111111111111111111111111111",
        "commit_to": "2222222222222222222222222222222222222222"
    });
    let repository = serde_json::json!({
        "id": 1, "name": "r", "path": "r", "path_with_namespace": PWNED,
        "project_id": "0123456789abcdef0123456789abcdef", "project_name": REF
    });
    let body = if path.starts_with("/v4/repositories/404/") {
        return (
            404,
            json,
            serde_json::json!({"error_code": REF, "error_msg": PWNED}).to_string(),
        );
    } else if path.starts_with("/v4/repositories/400/") {
        return (400, "text/plain", format!("bad {PWNED} {REF}"));
    } else if path.contains("/events") {
        serde_json::json!([{
            "action_name": PWNED, "author": {"id": 5, "name": AUTHOR, "username": "u"},
            "author_id": 5, "author_username": "u",
            "created_at": "2025-06-30T10:00:00.000Z", "push_data": push_data,
            "repository_id": 1, "repository_name": "r"
        }])
    } else if path.contains("/last-push-event") {
        serde_json::json!({"created_at": "2025-06-30T18:00:00.000+08:00", "ref": REF,
                           "repository": repository})
    } else if path.contains("/commit-list") {
        serde_json::json!({
            "commits": [{
                "id": "3333333333333333333333333333333333333333", "short_id": "33333333",
                "title": PWNED, "message": format!("{PWNED}\n\nbody"), "author_name": AUTHOR,
                "author_email": EMAIL, "committed_date": "2025-06-25T09:30:48.000Z",
                "parent_ids": []
            }],
            "date_title": [{"day": DAY, "commits_count": 1}]
        })
    } else if path.starts_with("/v4/user/recent-push-events") {
        serde_json::json!([{
            "author": {"id": 5, "username": "u"}, "created_at": "2025-06-30T18:00:00.000+08:00",
            "push_data": push_data, "repository": repository
        }])
    } else {
        return (404, json, "{}".to_string());
    };
    (200, json, body.to_string())
}

/// Serves [`hostile_answer`] over hand-written HTTP/1.1, one request per connection.
async fn serve_hostile(listener: tokio::net::TcpListener) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buffer = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split(' ').nth(1).unwrap_or("/");
            let (status, content_type, body) = hostile_answer(path);
            let response = format!(
                "HTTP/1.1 {status} Whatever\r\ncontent-type: {content_type}\r\n\
                 content-length: {}\r\nx-request-id: req-1\r\nx-total: 1\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

impl Fixture {
    /// The binary pointed at a server that answers with hostile text.
    fn hostile(&self) -> Command {
        let listener = self
            .runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a port");
        let address = listener.local_addr().expect("an address");
        self.runtime.spawn(serve_hostile(listener));
        let mut cmd = self.bare();
        cmd.args(["--endpoint", &format!("http://{address}"), "--token", "t"])
            .args(["--max-attempts", "1"]);
        cmd
    }
}

#[test]
fn tables_show_control_characters_from_the_service_as_escapes() {
    let fx = Fixture::start();
    for (args, shown) in [
        (&["events", "1"][..], &[PWNED_SHOWN, REF_SHOWN][..]),
        (&["last-push", "1"], &[PWNED_SHOWN, REF_SHOWN]),
        (&["commits", "1"], &[PWNED_SHOWN]),
        (&["recent-pushes"], &[PWNED_SHOWN, REF_SHOWN]),
        (&["commits", "1", "--by-day"], &[r"=1+1\x1b[8m"]),
    ] {
        let out = success(fx.hostile().args(args).args(["-o", "table"]));
        assert_harmless(&out);
        for text in shown {
            assert!(out.contains(text), "{args:?}: no {text} in\n{out}");
        }
    }
    // The escapes count in the widths: the last column starts at the same place on the
    // header line and on the row.
    let out = success(fx.hostile().args(["events", "1", "-o", "table"]));
    let lines: Vec<&str> = out.lines().collect();
    let header_at = lines[0].find("TITLE").expect("a TITLE column");
    let row_at = lines[1].rfind(PWNED_SHOWN).expect("the title");
    assert_eq!(
        lines[0][..header_at].chars().count(),
        lines[1][..row_at].chars().count(),
        "{out}"
    );
}

#[test]
fn csv_escapes_control_characters_and_neutralises_formulas_unless_told_not_to() {
    let fx = Fixture::start();
    let out = success(fx.hostile().args(["commits", "1", "-o", "csv"]));
    assert_harmless(&out);
    assert!(out.contains(PWNED_SHOWN), "{out}");
    assert!(
        out.contains(r#","'=HYPERLINK(""http://evil.example/"",""x"")","#),
        "{out}"
    );
    assert!(out.contains(",'@SUM(1+1),"), "{out}");
    let events = success(fx.hostile().args(["events", "1", "-o", "csv"]));
    assert!(events.contains(REF_SHOWN), "{events}");
    let days = success(fx.hostile().args(["commits", "1", "--by-day", "-o", "csv"]));
    assert_eq!(days, "day,commits_count\n'=1+1\\x1b[8m,1\n");

    let raw = success(
        fx.hostile()
            .args(["commits", "1", "-o", "csv", "--no-formula-guard"]),
    );
    assert_harmless(&raw);
    assert!(
        raw.contains(r#","=HYPERLINK(""http://evil.example/"",""x"")","#),
        "{raw}"
    );
    assert!(raw.contains(",@SUM(1+1),"), "{raw}");
    let help = success(fx.bare().args(["events", "--help"]));
    assert!(help.contains("--no-formula-guard"), "{help}");
}

#[test]
fn json_and_ndjson_give_the_service_text_exactly() {
    let fx = Fixture::start();
    let pointers = [
        ("/0/push_data/commit_title", PWNED),
        ("/0/push_data/ref", REF),
        ("/0/author/name", AUTHOR),
    ];
    let array = success(fx.hostile().args(["events", "1", "-o", "json"]));
    let lines = success(fx.hostile().args(["events", "1", "-o", "ndjson"]));
    for out in [&array, &lines] {
        // Nothing raw reaches a terminal, and reading the JSON back gives the bytes sent.
        assert_harmless(out);
    }
    let array = json(&array);
    let lines = Value::Array(ndjson(&lines));
    for read in [&array, &lines] {
        for (pointer, sent) in pointers {
            let text = read.pointer(pointer).and_then(Value::as_str);
            assert_eq!(text.map(str::as_bytes), Some(sent.as_bytes()), "{pointer}");
        }
    }
    let commits = json(&success(fx.hostile().args(["commits", "1"])));
    assert_eq!(commits[0]["title"], PWNED);
    assert_eq!(commits[0]["author_email"], EMAIL);
    let days = json(&success(fx.hostile().args(["commits", "1", "--by-day"])));
    assert_eq!(days[0]["day"], DAY);
}

#[test]
fn errors_show_what_the_service_said_with_control_characters_escaped() {
    let fx = Fixture::start();
    let err = failure(fx.hostile().args(["events", "404"]), 4);
    assert_harmless(&err);
    assert!(err.contains(PWNED_SHOWN), "{err}");
    assert!(err.contains(&format!("error code: {REF_SHOWN}")), "{err}");
    // A body that is not JSON is quoted as text, escaped the same way.
    let err = failure(fx.hostile().args(["last-push", "400"]), 2);
    assert_harmless(&err);
    assert!(
        err.contains(&format!("bad {PWNED_SHOWN} {REF_SHOWN}")),
        "{err}"
    );
    // What the user typed is quoted escaped too.
    let err = failure(
        fx.hostile()
            .args(["recent-pushes", "--project-id", "\u{1b}[2J"]),
        2,
    );
    assert_harmless(&err);
}

#[test]
fn an_endpoint_is_quoted_without_its_user_info_or_query_values() {
    let fx = Fixture::start();
    for (endpoint, shown) in [
        (
            "http://127.0.0.1:9/?token=s3cr3t-value&x=1",
            "http://127.0.0.1:9/?token=<redacted>&x=<redacted>",
        ),
        (
            "ftp://alice:hunter2-pass@127.0.0.1:9/",
            "ftp://<redacted>@127.0.0.1:9/",
        ),
        (
            "https://alice:hunter2-pass@[::1/?token=s3cr3t-value",
            "https://<redacted>@[::1/?token=<redacted>",
        ),
    ] {
        let err = failure(
            fx.bare()
                .args(["--endpoint", endpoint, "--token", "t"])
                .args(["events", "1"]),
            2,
        );
        assert!(!err.contains("s3cr3t") && !err.contains("hunter2"), "{err}");
        assert!(err.contains(shown), "{endpoint}: {err}");
    }
    // User info the SDK itself leaves out is not quoted either.
    let err = failure(
        fx.bare()
            .args(["--endpoint", "https://alice:hunter2-pass@127.0.0.1:9/"])
            .args(["--token", "t", "events", "1"]),
        2,
    );
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn verbose_and_rust_log_trace_the_sdk_on_stderr() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let quiet = fx.cmd().args(["last-push", &repo]).output().unwrap();
    assert!(
        quiet.status.success() && quiet.stderr.is_empty(),
        "{}",
        stderr(&quiet)
    );

    // -v: one line per request, with its operation, status and request id; stdout unchanged.
    let output = fx.cmd().args(["-v", "last-push", &repo]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, quiet.stdout);
    let log = stderr(&output);
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("codearts_repo.request{"))
        .collect();
    assert_eq!(requests.len(), 1, "{log}");
    for field in [
        "operation=\"show_last_push_event_in_repository\"",
        "status=200",
        "request_id=",
        "attempts=1",
    ] {
        assert!(requests[0].contains(field), "{field} in {log}");
    }
    assert!(
        !log.contains("codearts_repo.attempt{"),
        "attempts only from -vv: {log}"
    );

    // -vv adds each attempt; RUST_LOG chooses instead of -v.
    let log = stderr(&fx.cmd().args(["-vv", "last-push", &repo]).output().unwrap());
    assert!(log.contains("codearts_repo.attempt{attempt=1"), "{log}");
    let log = stderr(
        &fx.cmd()
            .env("RUST_LOG", "codearts_repo_runtime=debug")
            .args(["last-push", &repo])
            .output()
            .unwrap(),
    );
    assert!(log.contains("codearts_repo.attempt{attempt=1"), "{log}");
    // No secret reaches the log.
    assert!(!log.contains(&fx.emulator.credentials().token), "{log}");

    let err = failure(
        fx.cmd()
            .env("RUST_LOG", "codearts_repo=[")
            .args(["last-push", &repo]),
        2,
    );
    assert!(err.contains("RUST_LOG"), "{err}");
}

#[test]
fn endpoint_region_and_output_come_from_the_environment() {
    let fx = Fixture::start();
    let repo = fx.repository();
    let token = fx.emulator.credentials().token.clone();
    let from_env = || {
        let mut cmd = fx.bare();
        cmd.env("CODEARTS_REPO_ENDPOINT", fx.emulator.base_url())
            .args(["--token", &token]);
        cmd
    };
    let out = success(from_env().args(["events", &repo, "--limit", "2"]));
    assert_eq!(json(&out).as_array().expect("a JSON array").len(), 2);

    // The output format.
    let csv = success(
        from_env()
            .env("CODEARTS_REPO_OUTPUT", "csv")
            .args(["events", &repo, "--limit", "2"]),
    );
    assert_eq!(csv.lines().count(), 3, "a header and two rows:\n{csv}");
    let err = failure(
        from_env()
            .env("CODEARTS_REPO_OUTPUT", "xml")
            .args(["last-push", &repo]),
        2,
    );
    assert!(err.contains("xml"), "{err}");
    // A flag wins over the variable.
    let out = success(from_env().env("CODEARTS_REPO_OUTPUT", "csv").args([
        "-o",
        "json",
        "last-push",
        &repo,
    ]));
    assert!(json(&out).is_object());

    // The region: refused by the SDK, before any request, naming the variable's value.
    let before = fx.emulator.request_count();
    let mut cmd = fx.bare();
    cmd.env("CODEARTS_REPO_REGION", "mars-1")
        .args(["--token", &token, "last-push", &repo]);
    let err = failure(&mut cmd, 2);
    assert!(err.contains("mars-1"), "{err}");
    // The endpoint variable wins over the region variable; a --region flag over both.
    success(
        from_env()
            .env("CODEARTS_REPO_REGION", "mars-1")
            .args(["last-push", &repo]),
    );
    let err = failure(
        from_env().args(["--region", "mars-1", "last-push", &repo]),
        2,
    );
    assert!(err.contains("mars-1"), "{err}");
    assert_eq!(fx.emulator.request_count(), before + 1);
}
