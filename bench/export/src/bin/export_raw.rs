//! The single-connection floor: a sequential loop of `reqwest` GETs with `X-Auth-Token`,
//! each page decoded with plain `serde_json` into hand-written structs. No retries, no
//! validation, no tracing. Run by `cargo xtask bench`.

use std::process::ExitCode;

use clap::Parser;
use codearts_repo_bench::{Args, Tally, What, plain};
use serde::de::DeserializeOwned;

#[tokio::main]
async fn main() -> ExitCode {
    codearts_repo_bench::exit_code(run(Args::parse()).await)
}

async fn run(args: Args) -> Result<(), String> {
    let http = reqwest::Client::new();
    let path = match args.what {
        What::Commits => "repository/commit-list",
        What::Events => "events",
    };
    let url = format!(
        "{}/v4/repositories/{}/{path}",
        args.endpoint.trim_end_matches('/'),
        args.repository_id
    );
    let cap = args.max_items.unwrap_or(u64::MAX);
    let mut tally = Tally::start();
    let mut offset = 0u64;
    loop {
        let got = match args.what {
            What::Commits => {
                let page: plain::CommitList = fetch(&http, &url, &args, offset).await?;
                for commit in page.commits.iter().take(room(&tally, cap)) {
                    tally.commit(commit.title.as_deref());
                }
                page.commits.len()
            }
            What::Events => {
                let page: Vec<plain::RepositoryPushEvent> =
                    fetch(&http, &url, &args, offset).await?;
                for event in page.iter().take(room(&tally, cap)) {
                    tally.event(event.author_id);
                }
                page.len()
            }
        };
        tally.pages += 1;
        offset += got as u64;
        if (got as u64) < u64::from(args.limit) || tally.items >= cap {
            break;
        }
    }
    tally.report()
}

fn room(tally: &Tally, cap: u64) -> usize {
    usize::try_from(cap.saturating_sub(tally.items)).unwrap_or(usize::MAX)
}

async fn fetch<T: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    args: &Args,
    offset: u64,
) -> Result<T, String> {
    let response = http
        .get(url)
        .header("X-Auth-Token", &args.token)
        .query(&[("offset", offset), ("limit", u64::from(args.limit))])
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "GET {url} offset {offset}: {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    serde_json::from_slice(&body).map_err(|e| format!("GET {url} offset {offset}: {e}"))
}
