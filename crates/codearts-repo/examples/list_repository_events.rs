//! Lists a repository's push events, walking every page.
//!
//! ```text
//! cargo run -p codearts-repo --example list_repository_events -- [repository-id] [since YYYY-MM-DD]
//! ```
//!
//! With neither `CODEARTS_REPO_ENDPOINT` nor `CODEARTS_REPO_REGION` set it runs against an
//! embedded emulator (and the repository id may be left out); see `support/mod.rs`.

use std::error::Error;
use std::io::Write;

use codearts_repo::EventFilter;
use futures::TryStreamExt;

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
        "list_repository_events <repository-id> [since YYYY-MM-DD]",
    )?;
    let mut request = target
        .client
        .list_repository_events(repository_id)
        .filter(EventFilter::Push);
    if let Some(since) = args.get(1) {
        request = request.created_after(chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d")?);
    }
    let mut events = request.stream();
    while let Some(event) = events.try_next().await? {
        let push = event.push_data.unwrap_or_default();
        writeln!(
            out,
            "{}  {:<10}  {:<30}  {}",
            event.created_at.map(|t| t.to_string()).unwrap_or_default(),
            event.action_name.map(|a| a.to_string()).unwrap_or_default(),
            push.ref_.unwrap_or_default(),
            push.commit_title.unwrap_or_default(),
        )?;
    }
    Ok(())
}
