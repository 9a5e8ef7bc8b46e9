//! Pieces shared by the exporters that `cargo xtask bench` runs as child processes: the
//! hand-written floor types, the arguments, and the one-line report each prints.

pub mod plain;

use std::time::Instant;

use clap::{Parser, ValueEnum};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// Every commit of the default branch.
    Commits,
    /// Every push event of the repository.
    Events,
}

/// Arguments shared by the exporters.
#[derive(Debug, Parser)]
pub struct Args {
    /// Base address of the service, such as `http://127.0.0.1:8080`.
    #[arg(long)]
    pub endpoint: String,
    /// IAM token sent as `X-Auth-Token`.
    #[arg(long)]
    pub token: String,
    /// Repository to export.
    #[arg(long)]
    pub repository_id: u32,
    /// What to export.
    #[arg(long, value_enum)]
    pub what: What,
    /// Items per page.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Stop after this many items (to see memory grow, or not, with the count).
    #[arg(long)]
    pub max_items: Option<u64>,
    /// SDK only: pages fetched at the same time (the SDK's default when absent).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// SDK only: pin the pages in flight to `--concurrency` (or the default) instead of
    /// adapting them to the service.
    #[arg(long)]
    pub fixed: bool,
}

/// Counts what an exporter saw; the digest lets the harness check every exporter saw the
/// same data (commits: bytes of every title; events: sum of author ids).
#[derive(Debug)]
pub struct Tally {
    started: Instant,
    cpu_at_start: f64,
    /// Items exported.
    pub items: u64,
    /// Pages fetched.
    pub pages: u64,
    /// Digest of the items.
    pub digest: u64,
    /// Pages fetched at the same time (1 for a sequential loop).
    pub concurrency: usize,
}

impl Tally {
    /// Starts the clocks (wall and CPU: the report counts the export only, not the
    /// process start).
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
            cpu_at_start: ProcessUsage::read().map_or(0.0, |u| u.cpu_seconds),
            items: 0,
            pages: 0,
            digest: 0,
            concurrency: 1,
        }
    }

    /// Counts one commit with this title.
    pub fn commit(&mut self, title: Option<&str>) {
        self.items += 1;
        self.digest = self
            .digest
            .wrapping_add(title.map_or(0, |t| t.len() as u64));
    }

    /// Counts one event by this author.
    pub fn event(&mut self, author_id: Option<u32>) {
        self.items += 1;
        self.digest = self.digest.wrapping_add(u64::from(author_id.unwrap_or(0)));
    }

    /// Prints the one-line report the harness reads, with the CPU time of this process
    /// since [`Tally::start`] and its peak resident memory.
    pub fn report(&self) -> Result<(), String> {
        let wall = self.started.elapsed().as_secs_f64();
        let usage = ProcessUsage::read()?;
        println!(
            "result items={} pages={} digest={} concurrency={} wall_seconds={wall:.6} cpu_seconds={:.3} peak_rss_kib={}",
            self.items,
            self.pages,
            self.digest,
            self.concurrency,
            usage.cpu_seconds - self.cpu_at_start,
            usage.peak_rss_kib
        );
        Ok(())
    }
}

/// Decodes one page `body` into the hand-written [`plain`] types, counts up to `cap`
/// items in all, and returns how many items the page held.
pub fn tally_plain_page(
    tally: &mut Tally,
    what: What,
    body: &[u8],
    cap: u64,
) -> Result<usize, serde_json::Error> {
    let room = usize::try_from(cap.saturating_sub(tally.items)).unwrap_or(usize::MAX);
    let held = match what {
        What::Commits => {
            let page: plain::CommitList = serde_json::from_slice(body)?;
            for commit in page.commits.iter().take(room) {
                tally.commit(commit.title.as_deref());
            }
            page.commits.len()
        }
        What::Events => {
            let page: Vec<plain::RepositoryPushEvent> = serde_json::from_slice(body)?;
            for event in page.iter().take(room) {
                tally.event(event.author_id);
            }
            page.len()
        }
    };
    tally.pages += 1;
    Ok(held)
}

/// The path of the list `what` under `/v4/repositories/{id}/`.
pub fn list_path(what: What) -> &'static str {
    match what {
        What::Commits => "repository/commit-list",
        What::Events => "events",
    }
}

/// CPU time and peak memory of this process so far, from `/proc/self`.
#[derive(Clone, Copy, Debug)]
pub struct ProcessUsage {
    /// User plus system time of every thread, dead ones included.
    pub cpu_seconds: f64,
    /// Peak resident set size (`VmHWM`).
    pub peak_rss_kib: u64,
}

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, fixed at 100 on Linux).
const USER_HZ: f64 = 100.0;

impl ProcessUsage {
    /// Reads `/proc/self/stat` (utime, stime) and `/proc/self/status` (VmHWM).
    pub fn read() -> Result<Self, String> {
        let stat = std::fs::read_to_string("/proc/self/stat")
            .map_err(|e| format!("cannot read /proc/self/stat: {e}"))?;
        // Fields after the command name, which is in parentheses and may hold spaces;
        // utime and stime are fields 14 and 15 of the whole line.
        let after = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .ok_or("/proc/self/stat has no command name")?;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |index: usize| -> Result<f64, String> {
            fields
                .get(index)
                .and_then(|f| f.parse::<u64>().ok())
                .map(|t| t as f64)
                .ok_or_else(|| format!("/proc/self/stat field {} is not a number", index + 3))
        };
        let cpu_seconds = (ticks(11)? + ticks(12)?) / USER_HZ;
        let status = std::fs::read_to_string("/proc/self/status")
            .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
        let peak_rss_kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or("/proc/self/status has no VmHWM line")?;
        Ok(Self {
            cpu_seconds,
            peak_rss_kib,
        })
    }
}

/// The exit status of an exporter: success, or the error printed on stderr and failure.
pub fn exit_code(result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
