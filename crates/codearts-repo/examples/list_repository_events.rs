//! Lists a repository's push events, walking every page.
//!
//! ```text
//! cargo run -p codearts-repo --example list_repository_events -- <repository-id> [since YYYY-MM-DD]
//! ```
//!
//! Configuration: see `support/mod.rs`.

use codearts_repo::EventFilter;
use futures::TryStreamExt;

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let repository_id: u32 = args
        .next()
        .ok_or("usage: list_repository_events <repository-id> [since YYYY-MM-DD]")?
        .parse()?;
    let client = support::client()?;
    let mut request = client
        .list_repository_events(repository_id)
        .filter(EventFilter::Push);
    if let Some(since) = args.next() {
        request = request.created_after(chrono::NaiveDate::parse_from_str(&since, "%Y-%m-%d")?);
    }
    let mut events = request.stream();
    while let Some(event) = events.try_next().await? {
        let push = event.push_data.unwrap_or_default();
        println!(
            "{}  {:<10}  {:<30}  {}",
            event.created_at.map(|t| t.to_string()).unwrap_or_default(),
            event.action_name.map(|a| a.to_string()).unwrap_or_default(),
            push.ref_.unwrap_or_default(),
            push.commit_title.unwrap_or_default(),
        );
    }
    Ok(())
}
