//! Every program of `examples/`, run as `cargo run --example NAME` runs it with neither
//! `CODEARTS_REPO_ENDPOINT` nor `CODEARTS_REPO_REGION` set: against the emulator it embeds.
//!
//! Each example's body is its `run` function (environment, arguments and output given);
//! `main` only passes it the process's. The examples' files are compiled into this test as
//! modules, so the suite runs them without building and starting four more binaries.

// Each example brings its own copy of `examples/support`, as each binary has one.
#![allow(clippy::duplicate_mod)]

// The examples' `main`s, which only the example binaries call.
#[allow(dead_code)]
#[path = "../examples/last_push_event.rs"]
mod last_push_event;
#[allow(dead_code)]
#[path = "../examples/list_commits.rs"]
mod list_commits;
#[allow(dead_code)]
#[path = "../examples/list_recent_push_events.rs"]
mod list_recent_push_events;
#[allow(dead_code)]
#[path = "../examples/list_repository_events.rs"]
mod list_repository_events;

use codearts_repo_emulator::{Emulator, SyntheticConfig};

/// No variable set, as in a shell without configuration.
fn unset(_: &str) -> Option<String> {
    None
}

fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8(out.to_vec())
        .expect("UTF-8 output")
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn list_commits_runs_against_the_embedded_emulator() {
    let mut out = Vec::new();
    list_commits::run(&unset, &[], &mut out)
        .await
        .expect("the example runs");
    let lines = lines(&out);
    // The commits (at most 200 by default, of 300), then `day: count` lines.
    let (days, commits): (Vec<&String>, Vec<&String>) = lines
        .iter()
        .partition(|line| line.len() < 20 && line.contains(": "));
    assert_eq!(commits.len(), 200, "{lines:?}");
    let counted: u64 = days
        .iter()
        .map(|line| line.rsplit(": ").next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(counted, 200, "the day counts cover the commits listed");
}

#[tokio::test]
async fn list_repository_events_runs_against_the_embedded_emulator() {
    let mut out = Vec::new();
    list_repository_events::run(&unset, &[], &mut out)
        .await
        .expect("the example runs");
    // Every event of the first repository (150, all pushes), across pages.
    assert_eq!(lines(&out).len(), 150, "{}", String::from_utf8_lossy(&out));
}

#[tokio::test]
async fn last_push_event_runs_against_the_embedded_emulator() {
    let mut out = Vec::new();
    last_push_event::run(&unset, &[], &mut out)
        .await
        .expect("the example runs");
    let lines = lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains(" pushed "), "{lines:?}");
    // An unknown repository is reported, not an error of the program.
    let mut out = Vec::new();
    last_push_event::run(&unset, &["999999".into()], &mut out)
        .await
        .expect("the example runs");
    assert!(
        lines_of(&out).starts_with("no repository 999999 (request id Some("),
        "{}",
        lines_of(&out)
    );
}

fn lines_of(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test]
async fn list_recent_push_events_runs_against_the_embedded_emulator() {
    let mut out = Vec::new();
    list_recent_push_events::run(&unset, &["5".into()], &mut out)
        .await
        .expect("the example runs");
    assert_eq!(lines(&out).len(), 5, "{}", lines_of(&out));
}

/// With `CODEARTS_REPO_ENDPOINT` set, the examples use it (and the default credential
/// chain), embedding nothing.
#[tokio::test]
async fn an_endpoint_in_the_environment_is_used_instead() {
    let emulator = Emulator::builder()
        .seed(3)
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(120),
        )
        .start()
        .await
        .expect("the emulator starts");
    let endpoint = emulator.base_url().to_string();
    let token = emulator.credentials().token.clone();
    let env = move |name: &str| match name {
        "CODEARTS_REPO_ENDPOINT" => Some(endpoint.clone()),
        "CODEARTS_REPO_TOKEN" => Some(token.clone()),
        _ => None,
    };
    let repository = emulator.repository_ids()[0];
    let branch = emulator
        .store()
        .default_branch(repository)
        .expect("a branch");
    let mut out = Vec::new();
    let args = [repository.to_string(), branch.clone(), "1000".into()];
    list_commits::run(&env, &args, &mut out)
        .await
        .expect("the example runs");
    let listed = lines(&out).iter().filter(|l| l.len() >= 20).count();
    // Every commit of the branch, as the SDK lists them when asked directly.
    let client = codearts_repo::Client::builder()
        .endpoint(emulator.base_url())
        .allow_http(true)
        .credentials(codearts_repo::Credentials::token(
            &emulator.credentials().token,
        ))
        .build()
        .unwrap();
    let expected = client
        .list_commits(repository)
        .ref_name(branch)
        .collect(None)
        .await
        .unwrap();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected.len());
    // Without an embedded emulator there is no repository to default to.
    let e = list_commits::run(&env, &[], &mut Vec::new())
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("usage: list_commits"), "{e}");
}

/// With only a region set, the examples build a client for it (and start no emulator):
/// here, with no credentials anywhere, that fails naming what was looked at.
#[tokio::test]
async fn a_region_in_the_environment_is_used_instead() {
    let env = |name: &str| match name {
        "CODEARTS_REPO_REGION" => Some("cn-north-4".to_string()),
        "HOME" => Some("/nonexistent-home-of-the-examples-test".to_string()),
        _ => None,
    };
    let e = last_push_event::run(&env, &["1".into()], &mut Vec::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no credentials found"), "{e}");
}
