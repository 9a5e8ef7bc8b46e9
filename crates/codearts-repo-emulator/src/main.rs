//! `codearts-repo-emulator`: serves a local CodeArts Repo API until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use codearts_repo_emulator::{
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Emulator,
    FaultConfig, IamConfig, RateLimit, SyntheticConfig,
};

/// A local CodeArts Repo (API V4) server with generated or imported data.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seed of the generated data and credentials.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of generated repositories.
    #[arg(long, default_value_t = 3)]
    repositories: u32,
    /// Commits per generated repository.
    #[arg(long, default_value_t = 500)]
    commits: u32,
    /// Push events per generated repository.
    #[arg(long, default_value_t = 200)]
    events: u32,
    /// User accounts that push.
    #[arg(long, default_value_t = 5)]
    users: u32,
    /// Also serve this local git repository (may be repeated).
    #[arg(long = "import-git", value_name = "PATH")]
    import_git: Vec<PathBuf>,
    /// Share of requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0)]
    server_error_rate: f64,
    /// Share of requests answered 429.
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    /// Share of requests whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0)]
    reset_rate: f64,
    /// Share of answers whose body is cut short.
    #[arg(long, default_value_t = 0.0)]
    truncate_rate: f64,
    /// Share of answers whose body stops half-way for --stall-ms.
    #[arg(long, default_value_t = 0.0)]
    stall_rate: f64,
    /// How long a stalled body stops, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    stall_ms: u64,
    /// Time from a request's arrival to its answer (building it included), in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Extra random delay of up to this many milliseconds per answer.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Milliseconds allowed for a request's line and headers to arrive, and again for its
    /// body: a request late in part is answered 408 and its connection closed.
    #[arg(long, default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout_ms: u64,
    /// Milliseconds a connection may stay open with no request under way.
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout_ms: u64,
    /// Most connections served at once; one more is answered 503 and closed. Keep it, plus
    /// some 80, under the limit of open files (`ulimit -n`).
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: u64,
    /// Requests per second allowed per user (token bucket, as the API gateway throttles);
    /// requests over it are answered 429 with `Retry-After`. No limit when absent.
    #[arg(long, value_name = "REQ_PER_S")]
    rate_limit: Option<f64>,
    /// Requests a user may send at once after a quiet time, with --rate-limit.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..),
          requires = "rate_limit")]
    burst: u32,
    /// Every this many milliseconds, print `stats requests=N rate_limited=N` on standard
    /// error (for benchmarks counting the 429s of each run).
    #[arg(long, value_name = "MS")]
    stats_every_ms: Option<u64>,
    /// Once listening, print one JSON object on one line instead of the text for people:
    /// `endpoint`, `token`, `access_key`, `secret_key`, `project_id`,
    /// `temporary_access_key`, `temporary_secret_key`, `security_token` (a temporary AK/SK
    /// pair, honoured only with that `X-Security-Token`), `user_id`, `username`,
    /// `repository_ids`, `idp_id` and `id_token` (the identity provider and OIDC id token
    /// its IAM endpoints exchange for temporary keys). A stable format for scripts and other languages'
    /// test harnesses; it is the first line on standard output.
    #[arg(long)]
    ready_json: bool,
    /// The projects IAM lists for a region (`GET /v3/projects?name=REGION`), as
    /// `REGION=ID,ID...`; `REGION=` makes a region without a project. May be repeated.
    /// Regions not given list one project, the user's.
    #[arg(long = "region-projects", value_name = "REGION=IDS", value_parser = parse_region_projects)]
    region_projects: Vec<(String, Vec<String>)>,
}

/// `REGION=ID,ID...` of `--region-projects`.
fn parse_region_projects(text: &str) -> Result<(String, Vec<String>), String> {
    let (region, ids) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not REGION=ID,ID... (REGION= for none)"))?;
    if region.trim().is_empty() {
        return Err(format!("`{text}` names no region"));
    }
    let ids = ids
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    Ok((region.trim().to_string(), ids))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = Emulator::builder()
        .seed(args.seed)
        .listen(args.listen)
        .synthetic(
            SyntheticConfig::default()
                .repositories(args.repositories)
                .commits_per_repository(args.commits)
                .events_per_repository(args.events)
                .users(args.users),
        )
        .faults(
            FaultConfig::default()
                .server_error_rate(args.server_error_rate)
                .throttle_rate(args.throttle_rate)
                .reset_rate(args.reset_rate)
                .truncate_rate(args.truncate_rate)
                .stall_rate(args.stall_rate)
                .stall_for(std::time::Duration::from_millis(args.stall_ms))
                .latency(std::time::Duration::from_millis(args.latency_ms))
                .jitter(std::time::Duration::from_millis(args.jitter_ms))
                .seed(args.seed),
        )
        .header_read_timeout(std::time::Duration::from_millis(
            args.header_read_timeout_ms,
        ))
        .idle_timeout(std::time::Duration::from_millis(args.idle_timeout_ms))
        .max_connections(usize::try_from(args.max_connections).unwrap_or(usize::MAX));
    let mut iam = IamConfig::default();
    for (region, ids) in args.region_projects {
        iam = iam.projects(region, ids);
    }
    builder = builder.iam(iam);
    if let Some(rate) = args.rate_limit {
        builder = builder.rate_limit(RateLimit::new(rate, args.burst));
    }
    for path in args.import_git {
        builder = builder.import_git(path);
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let credentials = emulator.credentials();
    if args.ready_json {
        let ready = serde_json::json!({
            "endpoint": emulator.base_url(),
            "token": credentials.token,
            "access_key": credentials.access_key,
            "secret_key": credentials.secret_key,
            "project_id": credentials.project_id,
            "temporary_access_key": credentials.temporary.access_key,
            "temporary_secret_key": credentials.temporary.secret_key,
            "security_token": credentials.temporary.security_token,
            "user_id": credentials.user_id,
            "username": credentials.username,
            "repository_ids": emulator.repository_ids(),
            "idp_id": emulator.iam_idp().0,
            "id_token": emulator.iam_idp().1,
        });
        println!("{ready}");
    } else {
        println!(
            "CodeArts Repo emulator listening on {}",
            emulator.base_url()
        );
        println!("  endpoint      {}", emulator.base_url());
        println!("  X-Auth-Token  {}", credentials.token);
        println!("  access key    {}", credentials.access_key);
        println!("  secret key    {}", credentials.secret_key);
        println!("  project id    {}", credentials.project_id);
        // A temporary AK/SK pair, honoured only with its X-Security-Token.
        let temporary = &credentials.temporary;
        println!("  temporary AK  {}", temporary.access_key);
        println!("  temporary SK  {}", temporary.secret_key);
        println!("  X-Security-Token for it: {}", temporary.security_token);
        println!(
            "  user          {} (id {})",
            credentials.username, credentials.user_id
        );
        let ids: Vec<String> = emulator
            .repository_ids()
            .iter()
            .map(u32::to_string)
            .collect();
        println!("  repositories  {}", ids.join(" "));
        let (idp_id, id_token) = emulator.iam_idp();
        println!("  IAM: identity provider {idp_id}, OIDC id token {id_token}");
        println!("Press Ctrl-C to stop.");
    }
    if let Some(every) = args.stats_every_ms.filter(|ms| *ms > 0) {
        let mut ticks = tokio::time::interval(std::time::Duration::from_millis(every));
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            tokio::select! {
                _ = ticks.tick() => eprintln!(
                    "stats requests={} rate_limited={}",
                    emulator.request_count(),
                    emulator.rate_limited_count()
                ),
                _ = &mut ctrl_c => break,
            }
        }
        emulator.shutdown().await;
        return ExitCode::SUCCESS;
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {error}");
        return ExitCode::FAILURE;
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
