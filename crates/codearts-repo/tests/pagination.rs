//! Walking 1,050 events 100 at a time: every event exactly once, in order, also when a
//! fifth of the requests are answered 5xx or 429 and pages have to be retried.

mod common;

use std::collections::HashSet;

use codearts_repo::{RepositoryPushEvent, RetryConfig};
use codearts_repo_emulator::{Emulator, FaultConfig, SyntheticConfig};
use futures::TryStreamExt;

async fn big_emulator(seed: u64) -> Emulator {
    common::emulator_with(
        seed,
        SyntheticConfig::default()
            .repositories(1)
            .commits_per_repository(600)
            .events_per_repository(1050)
            .users(3),
    )
    .await
}

/// Identity of an event for the exactly-once check.
fn key(event: &RepositoryPushEvent) -> (String, String, Option<String>) {
    let push = event.push_data.as_ref().expect("push data");
    (
        event.created_at.as_ref().unwrap().as_str().to_string(),
        push.ref_.clone().unwrap_or_default(),
        push.commit_to.clone(),
    )
}

async fn check_stream(emulator: &Emulator, retry: RetryConfig, concurrency: usize) {
    let client = common::builder(emulator)
        .credentials(codearts_repo::Credentials::token(
            &emulator.credentials().token,
        ))
        .retry(retry)
        .max_concurrent_pages(concurrency)
        .build()
        .unwrap();
    let repo = common::first_repository(emulator);
    let expected = emulator.store().events(repo);
    assert_eq!(expected.len(), 1050);
    let streamed: Vec<RepositoryPushEvent> = client
        .list_repository_events(repo)
        .limit(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 1050);
    let distinct: HashSet<_> = streamed.iter().map(key).collect();
    assert_eq!(distinct.len(), 1050, "no event twice");
    assert_eq!(streamed, expected, "in the service's order");
}

#[tokio::test]
async fn a_stream_of_1050_events_yields_each_once() {
    let emulator = big_emulator(61).await;
    for concurrency in [1, 4, 16] {
        let before = emulator.request_count();
        check_stream(&emulator, common::quick_retries(4), concurrency).await;
        assert_eq!(
            emulator.request_count() - before,
            11,
            "X-Total bounds the walk: no request past the end"
        );
    }
}

#[tokio::test]
async fn a_stream_of_1050_events_yields_each_once_despite_a_fifth_of_requests_failing() {
    let emulator = big_emulator(62).await;
    emulator.set_faults(
        FaultConfig::default()
            .server_error_rate(0.1)
            .throttle_rate(0.1)
            .seed(62),
    );
    check_stream(&emulator, common::quick_retries(12), 4).await;
    let counts = emulator.fault_counts();
    assert!(
        counts.throttled + counts.server_errors() > 0,
        "faults were injected: {counts:?}"
    );
}

#[tokio::test]
async fn pages_report_totals_offsets_and_request_ids() {
    let emulator = big_emulator(63).await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);
    let pages: Vec<_> = client
        .list_repository_events(repo)
        .limit(100)
        .offset(1000)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        (pages[0].offset, pages[0].items.len(), pages[0].total),
        (1000, 50, Some(1050))
    );
    let pages: Vec<_> = client
        .list_repository_events(repo)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 11);
    let ids: HashSet<_> = pages
        .iter()
        .map(|p| p.request_id.clone().unwrap())
        .collect();
    assert_eq!(ids.len(), 11);
    // Past the end: one empty page, then nothing.
    let pages: Vec<_> = client
        .list_repository_events(repo)
        .offset(5000)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].items.is_empty());
}

#[tokio::test]
async fn max_items_stops_the_walk_and_its_read_ahead() {
    let emulator = big_emulator(31).await;
    let client = common::builder(&emulator)
        .credentials(codearts_repo::Credentials::token(
            &emulator.credentials().token,
        ))
        .max_concurrent_pages(8)
        .build()
        .unwrap();
    let repo = common::first_repository(&emulator);
    let expected = emulator.store().events(repo);
    let before = emulator.request_count();
    let streamed: Vec<RepositoryPushEvent> = client
        .list_repository_events(repo)
        .limit(100)
        .max_items(150)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, expected[..150], "the first 150 events, in order");
    assert_eq!(
        emulator.request_count() - before,
        2,
        "pages at offsets 0 and 100 only, none read ahead past the cap"
    );

    let before = emulator.request_count();
    let pages: Vec<_> = client
        .list_commits(repo)
        .limit(20)
        .max_items(45)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let offsets: Vec<u32> = pages.iter().map(|p| p.offset).collect();
    assert_eq!(offsets, [0, 20, 40]);
    assert_eq!(emulator.request_count() - before, 3);
}
