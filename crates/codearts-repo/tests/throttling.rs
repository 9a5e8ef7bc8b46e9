//! Walks against the emulator's per-user rate limit, over HTTP: the adaptive default
//! paces itself to the rate and is seldom throttled; a pinned concurrency is throttled
//! often but still finishes; throttling never uses up the attempts meant for failures.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use codearts_repo::{Commit, Concurrency, Credentials, RetryConfig};
use codearts_repo_emulator::{Emulator, FaultConfig, RateLimit, SyntheticConfig};
use futures::TryStreamExt;

async fn throttled_emulator(seed: u64, commits: u32, limit: RateLimit) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(commits)
                .events_per_repository(10)
                .users(3),
        )
        .faults(FaultConfig::default().latency(Duration::from_millis(20)))
        .rate_limit(limit)
        .start()
        .await
        .expect("the emulator starts")
}

/// Every commit of the default branch, streamed 100 a time; checks each comes once and in
/// the emulator's order, and returns how many there were.
async fn export(emulator: &Emulator, client: &codearts_repo::Client) -> usize {
    let repo = common::first_repository(emulator);
    let commits: Vec<Commit> = client
        .list_commits(repo)
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("the export finishes despite the throttling");
    let distinct: HashSet<&str> = commits.iter().filter_map(|c| c.id.as_deref()).collect();
    assert_eq!(distinct.len(), commits.len(), "no commit twice");
    let history = emulator.store().commits(repo, None).unwrap();
    assert!(commits == history, "every commit of the history, in order");
    commits.len()
}

#[tokio::test]
async fn a_long_walk_at_a_low_rate_finishes_with_every_commit_once_and_few_429s() {
    // 40 requests per second, burst 10: 16,000 commits are 160 pages, 4 s at the rate.
    let emulator = throttled_emulator(61, 16_000, RateLimit::new(40.0, 10)).await;
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .build()
        .unwrap();
    let started = Instant::now();
    let count = export(&emulator, &client).await;
    let wall = started.elapsed();
    assert!(count > 8000, "{count} commits");
    let requests = emulator.request_count();
    let throttled = emulator.rate_limited_count();
    let stats = client.pacing().expect("adaptive by default");
    assert_eq!(stats.throttled, throttled, "the client saw every 429");
    eprintln!(
        "{count} commits in {wall:?}: {throttled} of {requests} requests throttled, {stats:?}"
    );
    // While it learns the rate, the pages already under way when the first 429 comes
    // (up to 10) are throttled too, and pacing starts only once 429s are dense (8 of
    // them: scattered ones must not start it); after that, few. Over this short walk
    // those first ones weigh; BENCHMARKS measures the share over 900 pages.
    assert!(
        throttled as f64 <= 0.05 * requests as f64 + 10.0,
        "{throttled} of {requests} requests throttled"
    );
    let rate = stats.rate.expect("the client learned the rate");
    assert!((20.0..=60.0).contains(&rate), "learned {rate} requests/s");
    // Pages ÷ rate, less the burst. Generous for a loaded machine.
    let floor = (count as f64 / 100.0 + 1.0 - 10.0) / 40.0;
    assert!(
        wall.as_secs_f64() < floor * 2.0 + 2.0,
        "{wall:?} for {count} commits (floor {floor:.1} s)"
    );
}

#[tokio::test]
async fn a_pinned_concurrency_is_throttled_but_throttling_never_uses_up_the_attempts() {
    // 16 pages at once against 10 requests per second: most first attempts are throttled
    // and wait for their Retry-After, often more than twice, yet with 2 attempts per page
    // the export finishes: 429s are retried apart from the attempts.
    let emulator = throttled_emulator(62, 2000, RateLimit::new(10.0, 2)).await;
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .retry(common::quick_retries(2))
        .concurrency(Concurrency::Fixed(16))
        .build()
        .unwrap();
    assert_eq!(client.pacing(), None);
    let count = export(&emulator, &client).await;
    assert!(count > 0);
    assert!(
        emulator.rate_limited_count() > 10,
        "a pinned concurrency is throttled: {} 429s",
        emulator.rate_limited_count()
    );
}

#[tokio::test]
async fn with_retries_disabled_a_429_is_the_answer() {
    let emulator = throttled_emulator(63, 300, RateLimit::new(0.5, 1)).await;
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let repo = common::first_repository(&emulator);
    client.list_commits(repo).limit(10).send().await.unwrap();
    let error = client
        .list_commits(repo)
        .limit(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{error}");
    assert_eq!(error.code(), Some("APIGW.0308"));
    assert_eq!(emulator.rate_limited_count(), 1);
}

#[tokio::test]
async fn without_throttling_the_adaptive_walk_opens_up_to_its_ceiling() {
    // No limit: the walk reaches its ceiling of pages in flight, and the pacer never
    // slows anything.
    let emulator = Emulator::builder()
        .seed(64)
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(3000)
                .events_per_repository(10)
                .users(3),
        )
        .faults(FaultConfig::default().latency(Duration::from_millis(100)))
        .start()
        .await
        .unwrap();
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .max_concurrent_pages(8)
        .build()
        .unwrap();
    let started = Instant::now();
    let count = export(&emulator, &client).await;
    let wall = started.elapsed().as_secs_f64();
    let pages = count.div_ceil(100) as f64;
    // Ramp 1, 2, 4, 8, then 8 at a time: about 3 + pages / 8 round trips of 0.1 s.
    let at_ceiling = (3.0 + pages / 8.0 + 2.0) * 0.1;
    assert!(
        wall < at_ceiling * 1.5,
        "{wall:.2} s for {pages} pages (about {at_ceiling:.2} s at 8 in flight)"
    );
    let stats = client.pacing().unwrap();
    assert_eq!((stats.throttled, stats.rate), (0, None));
}
