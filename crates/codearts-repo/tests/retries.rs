//! Retries: resets, cut and stalled bodies, 5xx and 429 are retried until the page
//! arrives whole; `Retry-After` is honoured and every attempt is signed anew.

mod common;

use std::time::{Duration, Instant};

use codearts_repo::{Commit, Credentials};
use codearts_repo_emulator::FaultConfig;
use common::{Canned, canned_server};
use futures::TryStreamExt;

#[tokio::test]
async fn every_kind_of_fault_is_retried_and_no_commit_is_lost_or_repeated() {
    let emulator = common::emulator(81).await;
    let repo = common::first_repository(&emulator);
    let expected = emulator.store().commits(repo, None).unwrap();
    emulator.set_faults(
        FaultConfig::default()
            .server_error_rate(0.15)
            .throttle_rate(0.1)
            .reset_rate(0.1)
            .truncate_rate(0.15)
            .seed(81),
    );
    let c = emulator.credentials();
    let client = common::builder(&emulator)
        .credentials(
            Credentials::access_key(&c.access_key, &c.secret_key).project_id(&c.project_id),
        )
        .retry(common::quick_retries(15))
        .build()
        .unwrap();
    let commits: Vec<Commit> = client
        .list_commits(repo)
        .limit(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(commits, expected);
    let counts = emulator.fault_counts();
    assert!(
        counts.resets > 0 && counts.truncated > 0 && counts.server_errors() + counts.throttled > 0,
        "{counts:?}"
    );
}

#[tokio::test]
async fn stalled_bodies_are_cut_by_the_attempt_timeout_and_retried() {
    let emulator = common::emulator(82).await;
    let repo = common::first_repository(&emulator);
    let expected = emulator.store().events(repo);
    emulator.set_faults(
        FaultConfig::default()
            .stall_rate(0.3)
            .stall_for(Duration::from_secs(30))
            .seed(82),
    );
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .attempt_timeout(Duration::from_secs(3))
        .retry(common::quick_retries(20))
        .build()
        .unwrap();
    let events: Vec<_> = client
        .list_repository_events(repo)
        .limit(15)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events, expected);
    assert!(emulator.fault_counts().stalled > 0);
}

#[tokio::test]
async fn retry_after_is_honoured_and_each_attempt_is_signed_anew() {
    let server = canned_server(vec![
        Canned::new(
            429,
            r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
        )
        .header("Retry-After", "2"),
        Canned::new(200, r#"{"commits":[{"id":"a"}]}"#),
    ])
    .await;
    let client = codearts_repo::Client::builder()
        .endpoint(&server.base_url)
        .allow_http(true)
        .credentials(Credentials::access_key("AK-canned", "SK-canned"))
        .retry(common::quick_retries(3))
        // A pinned concurrency waits the whole Retry-After; the adaptive default retries
        // a 429 at its pacer's next slot instead (see `ClientBuilder::concurrency`).
        .concurrency(codearts_repo::Concurrency::Fixed(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let page = client
        .list_commits(9)
        .ref_name("a b+c")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited as Retry-After asked"
    );
    assert_eq!(page.items.len(), 1);

    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let header = |request: &str, name: &str| {
        request
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| panic!("no {name} in {request}"))
    };
    assert_ne!(
        header(&requests[0], "x-sdk-date"),
        header(&requests[1], "x-sdk-date")
    );
    assert_ne!(
        header(&requests[0], "authorization"),
        header(&requests[1], "authorization")
    );
    assert!(
        requests[0].starts_with(
            "GET /v4/repositories/9/repository/commit-list?ref_name=a%20b%2Bc HTTP/1.1"
        ),
        "{}",
        requests[0]
    );
}

#[tokio::test]
async fn statuses_outside_the_spec_are_retried_too() {
    let server = canned_server(vec![
        Canned::new(408, "request timeout"),
        Canned::new(
            504,
            r#"{"error":{"code":"APIGW.0201","message":"upstream timeout"}}"#,
        ),
        Canned::new(200, r#"[{"author":{"id":1,"username":"u"}}]"#),
    ])
    .await;
    let client = common::canned_client(&server, common::quick_retries(3));
    let page = client
        .list_recent_push_events()
        .size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(server.requests.lock().unwrap().len(), 3);

    let server = canned_server(vec![Canned::new(
        504,
        r#"{"error":{"code":"APIGW.0201","message":"upstream timeout"}}"#,
    )])
    .await;
    let client = common::canned_client(&server, common::quick_retries(2));
    let error = client.list_recent_push_events().send().await.unwrap_err();
    assert_eq!(
        (
            error.status().unwrap().as_u16(),
            error.code(),
            error.message()
        ),
        (504, Some("APIGW.0201"), Some("upstream timeout"))
    );
    assert_eq!(error.api().unwrap().attempts, 2);
    assert!(error.is_retryable());
}
