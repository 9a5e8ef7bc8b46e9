//! The single-connection floor: a sequential loop of `reqwest` GETs with `X-Auth-Token`,
//! each page decoded with plain `serde_json` into hand-written structs. No retries, no
//! validation, no tracing. Run by `cargo xtask bench`.

use std::process::ExitCode;

use clap::Parser;
use codearts_repo_bench::{Args, Tally, list_path, tally_plain_page};

#[tokio::main]
async fn main() -> ExitCode {
    codearts_repo_bench::exit_code(run(Args::parse()).await)
}

async fn run(args: Args) -> Result<(), String> {
    let http = reqwest::Client::new();
    let url = format!(
        "{}/v4/repositories/{}/{}",
        args.endpoint.trim_end_matches('/'),
        args.repository_id,
        list_path(args.what)
    );
    let cap = args.max_items.unwrap_or(u64::MAX);
    let mut tally = Tally::start();
    let mut offset = 0u64;
    loop {
        let body = fetch(&http, &url, &args, offset).await?;
        let got = tally_plain_page(&mut tally, args.what, &body, cap)
            .map_err(|e| format!("GET {url} offset {offset}: {e}"))?;
        offset += got as u64;
        if (got as u64) < u64::from(args.limit) || tally.items >= cap {
            break;
        }
    }
    tally.report()
}

async fn fetch(
    http: &reqwest::Client,
    url: &str,
    args: &Args,
    offset: u64,
) -> Result<bytes::Bytes, String> {
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
    Ok(body)
}
