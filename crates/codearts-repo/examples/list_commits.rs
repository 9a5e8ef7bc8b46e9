//! Lists the commits of a ref, then the merged per-day counts.
//!
//! ```text
//! cargo run -p codearts-repo --example list_commits -- [repository-id] [ref] [max-commits]
//! ```
//!
//! With neither `CODEARTS_REPO_ENDPOINT` nor `CODEARTS_REPO_REGION` set it runs against an
//! embedded emulator (and the repository id may be left out); see `support/mod.rs`.

use std::error::Error;
use std::io::Write;

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&support::process_env, &args, &mut std::io::stdout().lock()).await
}

/// The example, with its environment, arguments and output given.
pub(crate) async fn run(
    env: &dyn Fn(&str) -> Option<String>,
    args: &[String],
    out: &mut dyn Write,
) -> Result<(), Box<dyn Error>> {
    let target = support::connect(env).await?;
    let repository_id = target.repository_id(
        args.first(),
        "list_commits <repository-id> [ref] [max-commits]",
    )?;
    let mut request = target.client.list_commits(repository_id);
    if let Some(ref_name) = args.get(1) {
        request = request.ref_name(ref_name);
    }
    let cap = args
        .get(2)
        .map(|n| n.parse::<usize>())
        .transpose()?
        .or(Some(200));
    let (commits, days) = request.collect_with_days(cap).await?;
    for commit in &commits {
        writeln!(
            out,
            "{}  {:<20}  {}",
            commit
                .short_id
                .as_deref()
                .or(commit.id.as_deref())
                .unwrap_or(""),
            commit.author_name.as_deref().unwrap_or(""),
            commit.title.as_deref().unwrap_or("")
        )?;
    }
    for (day, count) in days.newest_first() {
        writeln!(out, "{day}: {count}")?;
    }
    Ok(())
}
