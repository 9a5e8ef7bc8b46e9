//! A long walk survives what a short one survives: a page that fails after all its
//! attempts is fetched again within the walk's retry budget, which renews as pages arrive
//! (`PageRetryBudget`). Against the emulator with 20% injected faults, and against a
//! server that fails chosen pages on purpose, every item comes once and in order; a
//! service that stays down, and errors that are not retryable, still end the walk, and
//! the items before the failed page allow resuming from there.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codearts_repo::{Client, Concurrency, Credentials, Error, PageRetryBudget, RetryConfig};
use codearts_repo_emulator::{Emulator, FaultConfig, SyntheticConfig};
use futures::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// 4% each of server errors, 429s, resets, truncated and stalled bodies: 20% of requests.
fn twenty_percent(seed: u64, stall_for: Duration, latency: Duration) -> FaultConfig {
    FaultConfig::default()
        .server_error_rate(0.04)
        .throttle_rate(0.04)
        .reset_rate(0.04)
        .truncate_rate(0.04)
        .stall_rate(0.04)
        .stall_for(stall_for)
        .latency(latency)
        .seed(seed)
}

/// An emulator holding one repository of `commits` commits.
async fn emulator_of(commits: u32) -> Emulator {
    common::emulator_with(
        13,
        SyntheticConfig::default()
            .repositories(1)
            .commits_per_repository(commits)
            .events_per_repository(1)
            .users(1),
    )
    .await
}

/// The ids of every commit, walked with no faults.
async fn expected_ids(emulator: &Emulator, client: &Client) -> Vec<String> {
    emulator.set_faults(FaultConfig::default());
    let repository = common::first_repository(emulator);
    let ids: Vec<String> = client
        .list_commits(repository)
        .stream()
        .map_ok(|commit| commit.id.expect("the emulator sends every id"))
        .try_collect()
        .await
        .expect("a clean walk");
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "the emulator's ids are distinct");
    ids
}

/// Walks every commit, returning the ids received and the error that ended the walk.
async fn export(client: &Client, repository: u32, offset: u32) -> (Vec<String>, Option<Error>) {
    let mut ids = Vec::new();
    let mut commits = client.list_commits(repository).offset(offset).stream();
    loop {
        match commits.try_next().await {
            Ok(Some(commit)) => ids.push(commit.id.expect("the emulator sends every id")),
            Ok(None) => return (ids, None),
            Err(error) => return (ids, Some(error)),
        }
    }
}

/// A client of the emulator that retries fast: 2 attempts per page, 300 ms per attempt
/// (a stalled body fails its attempt), backoffs of at most 20 ms, up to 4 pages at once
/// with the default adaptive concurrency. (The injected 429s come at random whatever the
/// rate; the pacer once took them for a limit and fell from 6.5 to 0.5 requests per
/// second over 8 exports here; the test below checks that it no longer does.)
fn fast_client(emulator: &Emulator, budget: PageRetryBudget) -> Client {
    Client::builder()
        .endpoint(emulator.base_url())
        .allow_http(true)
        .credentials(Credentials::token(&emulator.credentials().token))
        .attempt_timeout(Duration::from_millis(300))
        .operation_timeout(Duration::from_secs(30))
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(2))
                .max_backoff(Duration::from_millis(20)),
        )
        .max_concurrent_pages(4)
        .page_retry_budget(budget)
        .build()
        .expect("a client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_exports_at_twenty_percent_faults_each_complete_once_and_in_order() {
    let started = Instant::now();
    let emulator = emulator_of(3_000).await;
    let repository = common::first_repository(&emulator);
    let client = fast_client(&emulator, PageRetryBudget::default());
    let expected = expected_ids(&emulator, &client).await;
    assert_eq!(expected.len(), 3_000);

    // With 2 attempts a page fails as an operation about once in 40 fetches here: without
    // re-fetches, more than half of the exports of 30 pages would fail.
    emulator.set_faults(twenty_percent(
        7,
        Duration::from_millis(600),
        Duration::from_millis(1),
    ));
    for run in 0..10 {
        let (ids, error) = export(&client, repository, 0).await;
        assert!(error.is_none(), "export {run} failed: {error:?}");
        assert!(
            ids == expected,
            "export {run}: not every commit once in order"
        );
    }
    let counts = emulator.fault_counts();
    assert!(
        counts.failures() >= 40,
        "the faults were injected: {counts:?}"
    );
    // The scattered 429s did not slow the adaptive client down: they are too sparse, and
    // come while it sends freely, so it did not take them for a rate limit.
    let pacing = client.pacing().expect("the default concurrency paces");
    assert!(
        pacing.throttled >= 10 && pacing.rate.is_none_or(|rate| rate >= 10.0),
        "{pacing:?}"
    );

    // The control: the same service with re-fetches disabled fails an export, and the
    // commits it received before are the first ones, each once, so that a walk from
    // their count goes on where it stopped.
    let without = fast_client(&emulator, PageRetryBudget::disabled());
    let mut failed = None;
    for _ in 0..20 {
        let (ids, error) = export(&without, repository, 0).await;
        if let Some(error) = error {
            failed = Some((ids, error));
            break;
        }
        assert!(ids == expected);
    }
    let (ids, error) = failed.expect("without re-fetches, one of 20 exports fails");
    assert!(error.is_retryable(), "{error}");
    assert!(ids[..] == expected[..ids.len()], "a prefix, each once");
    let (rest, error) = export(&client, repository, ids.len() as u32).await;
    assert!(error.is_none(), "{error:?}");
    assert!([ids, rest].concat() == expected, "resumed where it stopped");
    eprintln!("took {:?}", started.elapsed());
}

/// A commit list on a socket: `GET ...commit-list?offset=O&limit=L` answered with the ids
/// `c{n}` of `O..min(O+L, len)`, unless `fail(offset, nth request for that offset)` gives
/// a status to answer instead. Counts the requests per offset.
struct PagedServer {
    base_url: String,
    requests: Arc<Mutex<HashMap<u32, u32>>>,
}

async fn paged_server(
    len: u32,
    fail: impl Fn(u32, u32) -> Option<u16> + Send + Sync + 'static,
) -> PagedServer {
    let fail = Arc::new(fail);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(HashMap::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (seen, fail) = (seen.clone(), fail.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let target = head.split(' ').nth(1).unwrap_or("");
                let query = target.split_once('?').map_or("", |(_, q)| q);
                let param = |name: &str| {
                    query
                        .split('&')
                        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                        .and_then(|v| v.parse::<u32>().ok())
                };
                let (offset, limit) = (param("offset").unwrap_or(0), param("limit").unwrap_or(20));
                let nth = {
                    let mut seen = seen.lock().unwrap();
                    let count = seen.entry(offset).or_insert(0);
                    *count += 1;
                    *count
                };
                let (status, body) = match fail(offset, nth) {
                    Some(status) => (
                        status,
                        format!(r#"{{"error_code":"X.{status}","error_msg":"failed on purpose"}}"#),
                    ),
                    None => {
                        let items: Vec<String> = (offset..len.min(offset.saturating_add(limit)))
                            .map(|n| format!(r#"{{"id":"c{n}"}}"#))
                            .collect();
                        (200, format!(r#"{{"commits":[{}]}}"#, items.join(",")))
                    }
                };
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    PagedServer { base_url, requests }
}

impl PagedServer {
    fn client(&self, pages: usize, budget: PageRetryBudget) -> Client {
        Client::builder()
            .endpoint(&self.base_url)
            .allow_http(true)
            .credentials(Credentials::token("paged-token"))
            .retry(common::quick_retries(2))
            .concurrency(Concurrency::Fixed(pages))
            .page_retry_budget(budget)
            .build()
            .unwrap()
    }

    fn requests_at(&self, offset: u32) -> u32 {
        self.requests
            .lock()
            .unwrap()
            .get(&offset)
            .copied()
            .unwrap_or(0)
    }
}

fn ids(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|n| format!("c{n}")).collect()
}

async fn walk(client: &Client, offset: u32) -> (Vec<String>, Option<Error>) {
    let mut out = Vec::new();
    let mut commits = client.list_commits(1).offset(offset).limit(10).stream();
    loop {
        match commits.try_next().await {
            Ok(Some(commit)) => out.push(commit.id.expect("the server sends every id")),
            Ok(None) => return (out, None),
            Err(error) => return (out, Some(error)),
        }
    }
}

#[tokio::test]
async fn the_budget_renews_so_a_walk_bears_more_failed_pages_than_its_cap() {
    // 200 pages of 10; every tenth page answers 503 to both attempts of its first fetch:
    // 20 failed pages against a budget of 10, earned back at one per 10 pages.
    let server = paged_server(2_000, |offset, nth| {
        (offset % 100 == 50 && nth <= 2).then_some(503)
    })
    .await;
    let client = server.client(4, PageRetryBudget::default());
    let (got, error) = walk(&client, 0).await;
    assert!(error.is_none(), "{error:?}");
    assert!(got == ids(0..2_000), "every commit once, in order");
    for page in 0..200 {
        let offset = page * 10;
        let expected = if offset % 100 == 50 { 3 } else { 1 };
        assert_eq!(server.requests_at(offset), expected, "offset {offset}");
    }

    // The same failures with a budget that does not renew fast enough end the walk at the
    // page that found it empty, with every commit before that page once.
    let server = paged_server(2_000, |offset, nth| {
        (offset % 100 == 50 && nth <= 2).then_some(503)
    })
    .await;
    let client = server.client(1, PageRetryBudget::default().max(2).pages_per_retry(40));
    let (got, error) = walk(&client, 0).await;
    let error = error.expect("the budget ran out");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
    assert!(error.is_retryable());
    // Two re-fetches spent on offsets 50 and 150; the 20 pages since earned back half of
    // one (40 pages earn one), so offset 250 is not fetched again.
    assert!(got == ids(0..250), "{} commits", got.len());
    assert_eq!(server.requests_at(250), 2, "no re-fetch left");
}

#[tokio::test]
async fn a_service_that_stays_down_ends_the_walk_and_the_walk_resumes_from_there() {
    // Offset 500 fails for its first 12 requests: 2 attempts and 3 re-fetches of 2 each
    // make 8, so the walk ends there; the next walk's fifth request there is answered.
    let server = paged_server(700, |offset, nth| {
        (offset == 500 && nth <= 12).then_some(503)
    })
    .await;
    let client = server.client(1, PageRetryBudget::default().max(3));
    let (got, error) = walk(&client, 0).await;
    let error = error.expect("the page stayed down");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
    assert!(got == ids(0..500));
    assert_eq!(
        server.requests_at(500),
        8,
        "2 attempts × (1 + 3 re-fetches)"
    );
    // Every commit before the failed page came once: resume from their count.
    let (rest, error) = walk(&client, got.len() as u32).await;
    assert!(error.is_none(), "{error:?}");
    assert!([got, rest].concat() == ids(0..700));
    assert_eq!(server.requests_at(500), 13);
}

#[tokio::test]
async fn errors_that_are_not_retryable_end_the_walk_at_once() {
    // A 404 (and a 400) at offset 300 is the service's answer, not a failure to retry.
    for status in [404, 400] {
        let server = paged_server(700, move |offset, _| (offset == 300).then_some(status)).await;
        let client = server.client(4, PageRetryBudget::default());
        let (got, error) = walk(&client, 0).await;
        let error = error.expect("an error");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(got == ids(0..300));
        assert_eq!(
            server.requests_at(300),
            1,
            "{status}: no retry, no re-fetch"
        );
    }

    // Retries disabled: no re-fetch either.
    let server = paged_server(700, |offset, _| (offset == 300).then_some(503)).await;
    let client = Client::builder()
        .endpoint(&server.base_url)
        .allow_http(true)
        .credentials(Credentials::token("paged-token"))
        .retry(RetryConfig::disabled())
        .concurrency(Concurrency::Fixed(1))
        .build()
        .unwrap();
    let (got, error) = walk(&client, 0).await;
    assert!(error.is_some());
    assert!(got == ids(0..300));
    assert_eq!(server.requests_at(300), 1);
}

/// The measured run of `BENCHMARKS.md` ("Reliability"): 100 exports of 20,000 commits with
/// the default settings against the emulator at 20% injected faults (20 ms latency, stalls
/// of 2 s), and a fault-free export to compare. `LONG_WALK_FIXED=N` runs it with
/// `Concurrency::Fixed(N)` instead of the adaptive default, for comparison. Run it alone:
///
/// ```sh
/// cargo test -p codearts-repo --test long_walks -- --ignored --nocapture
/// ```
///
/// `LONG_WALK_EXPORTS` and `LONG_WALK_COMMITS` change the numbers.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "measures minutes of exports; run by hand for BENCHMARKS.md"]
async fn hundred_exports_of_twenty_thousand_commits_at_twenty_percent_faults() {
    let number = |name: &str, default: u32| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (exports, commits) = (
        number("LONG_WALK_EXPORTS", 100),
        number("LONG_WALK_COMMITS", 20_000),
    );
    let emulator = emulator_of(commits).await;
    let repository = common::first_repository(&emulator);
    let fixed = number("LONG_WALK_FIXED", 0) as usize;
    let client = || {
        let builder = Client::builder()
            .endpoint(emulator.base_url())
            .allow_http(true)
            .credentials(Credentials::token(&emulator.credentials().token));
        let builder = match fixed {
            0 => builder,
            pages => builder.concurrency(Concurrency::Fixed(pages)),
        };
        builder.build().expect("a client")
    };
    let expected = expected_ids(&emulator, &client()).await;
    emulator.set_faults(FaultConfig::default().latency(Duration::from_millis(20)));
    let clean_started = Instant::now();
    let (ids, error) = export(&client(), repository, 0).await;
    let clean = clean_started.elapsed();
    assert!(error.is_none() && ids == expected);
    eprintln!("fault-free export of {commits} commits: {clean:.2?}");

    emulator.set_faults(twenty_percent(
        1,
        Duration::from_secs(2),
        Duration::from_millis(20),
    ));
    let (mut completed, mut duplicates, mut walls) = (0u32, 0usize, Vec::new());
    for run in 0..exports {
        let started = Instant::now();
        // A new client per export, as a new process would have.
        let (ids, error) = export(&client(), repository, 0).await;
        let wall = started.elapsed();
        walls.push(wall.as_secs_f64());
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        duplicates += ids.len() - distinct.len();
        match error {
            None if ids == expected => completed += 1,
            None => eprintln!("export {run}: ended without error but not exactly once"),
            Some(error) => eprintln!("export {run}: failed after {} commits: {error}", ids.len()),
        }
        eprintln!("export {run}: {wall:.2?}, {completed} complete so far");
    }
    walls.sort_by(f64::total_cmp);
    let mean = walls.iter().sum::<f64>() / walls.len().max(1) as f64;
    let counts = emulator.fault_counts();
    println!(
        "result exports={exports} commits={commits} completed={completed} duplicates={duplicates} \
         clean_s={:.2} mean_s={mean:.2} median_s={:.2} max_s={:.2} requests={} faults={} \
         server_errors={} throttled={} resets={} truncated={} stalled={}",
        clean.as_secs_f64(),
        walls[walls.len() / 2],
        walls[walls.len() - 1],
        emulator.request_count(),
        counts.failures(),
        counts.server_errors(),
        counts.throttled,
        counts.resets,
        counts.truncated,
        counts.stalled,
    );
    assert_eq!(duplicates, 0);
    assert_eq!(completed, exports);
}
