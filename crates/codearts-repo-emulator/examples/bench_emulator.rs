//! Throughput and memory of the emulator, for BENCHMARKS.md (not a test: run it in release
//! mode on an otherwise idle machine).
//!
//! ```sh
//! cargo run --release -p codearts-repo-emulator --example bench_emulator -- [requests] [concurrency]
//! ```
//!
//! Loads one repository of 100,000 commits and 10,000 push events, reports the start time
//! and the process's resident memory, then sends `requests` GETs of 100-commit pages (at
//! offsets spread over the history) from `concurrency` concurrent tasks over loopback and
//! reports requests per second and latency percentiles. The client runs in the same
//! process and competes with the server for the CPU, so the figures are a lower bound.

use std::sync::Arc;
use std::time::{Duration, Instant};

use codearts_repo_emulator::{Emulator, SyntheticConfig};

/// Resident memory of this process, from `/proc/self/status` (Linux), in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unknown".to_string(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let requests: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);

    let before = rss_kib();
    let started = Instant::now();
    let emulator = Emulator::builder()
        .seed(1)
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(100_000)
                .events_per_repository(10_000)
                .users(20),
        )
        .start()
        .await?;
    let start_time = started.elapsed();
    let loaded = rss_kib();
    let repo = emulator.repository_ids()[0];
    let base = format!(
        "{}/v4/repositories/{repo}/repository/commit-list",
        emulator.base_url()
    );
    let token = emulator.credentials().token.clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;

    // The first page computes the history order of the default branch (then cached).
    let first = Instant::now();
    let response = client
        .get(format!("{base}?limit=100"))
        .header("X-Auth-Token", &token)
        .send()
        .await?;
    let page_bytes = response.bytes().await?.len();
    let first_page = first.elapsed();
    let warmed = rss_kib();

    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let load_started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, base, token, next) =
            (client.clone(), base.clone(), token.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= requests {
                    break;
                }
                let offset = (n * 7919) % 99_900;
                let sent = Instant::now();
                let response = client
                    .get(format!("{base}?limit=100&offset={offset}"))
                    .header("X-Auth-Token", &token)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    return Err(format!("status {}", response.status()).into());
                }
                response.bytes().await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await?.map_err(|e| e.to_string())?);
    }
    let elapsed = load_started.elapsed();
    latencies.sort_unstable();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let after_load = rss_kib();

    println!("data set: 1 repository, 100,000 commits, 10,000 push events");
    println!(
        "start (generate + bind): {:.0} ms",
        start_time.as_secs_f64() * 1000.0
    );
    println!(
        "resident memory: {} before, {} loaded, {} after the first page, {} after the load",
        mib(before),
        mib(loaded),
        mib(warmed),
        mib(after_load)
    );
    println!(
        "first 100-commit page (computes the history order): {:.1} ms, {page_bytes} bytes",
        first_page.as_secs_f64() * 1000.0
    );
    println!(
        "{} requests, {concurrency} concurrent: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1000.0,
        percentile(0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
    println!(
        "requests counted by the emulator: {}",
        emulator.request_count()
    );
    emulator.shutdown().await;
    Ok(())
}
