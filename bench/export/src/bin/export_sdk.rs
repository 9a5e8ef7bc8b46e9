//! Exports every commit or event with the SDK's `.stream()` and reports wall time, CPU
//! time and peak memory. Run by `cargo xtask bench`.

use std::process::ExitCode;

use clap::Parser;
use codearts_repo::{Client, Credentials};

use codearts_repo_bench::{Args, Tally, What};
use futures::{Stream, TryStreamExt};

#[tokio::main]
async fn main() -> ExitCode {
    codearts_repo_bench::exit_code(run(Args::parse()).await)
}

async fn run(args: Args) -> Result<(), String> {
    let mut builder = Client::builder()
        .endpoint(&args.endpoint)
        .allow_http(true)
        .credentials(Credentials::token(&args.token));
    if let Some(pages) = args.concurrency {
        builder = builder.max_concurrent_pages(pages);
    }
    if args.fixed {
        let pages = args
            .concurrency
            .unwrap_or(codearts_repo::DEFAULT_MAX_CONCURRENT_PAGES);
        builder = builder.concurrency(codearts_repo::Concurrency::Fixed(pages));
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let cap = args.max_items.unwrap_or(u64::MAX);
    let mut tally = Tally::start();
    tally.concurrency = args
        .concurrency
        .unwrap_or(codearts_repo::DEFAULT_MAX_CONCURRENT_PAGES);
    match args.what {
        What::Commits => {
            let commits = client
                .list_commits(args.repository_id)
                .limit(args.limit)
                .stream();
            drain(commits, cap, |commit| tally.commit(commit.title.as_deref())).await?;
        }
        What::Events => {
            let events = client
                .list_repository_events(args.repository_id)
                .limit(args.limit)
                .stream();
            drain(events, cap, |event| {
                tally.event(event.author_id.map(|id| id.get()))
            })
            .await?;
        }
    }
    tally.pages = tally.items.div_ceil(u64::from(args.limit));
    tally.report()
}

/// Takes up to `cap` items of `stream`, one at a time, as a streaming export would.
async fn drain<T>(
    stream: impl Stream<Item = codearts_repo::Result<T>>,
    cap: u64,
    mut each: impl FnMut(T),
) -> Result<(), String> {
    let mut stream = std::pin::pin!(stream);
    let mut seen = 0u64;
    while seen < cap {
        match stream.try_next().await.map_err(|e| e.to_string())? {
            Some(item) => each(item),
            None => break,
        }
        seen += 1;
    }
    Ok(())
}
