//! Lists the commits of a ref, then the merged per-day counts.
//!
//! ```text
//! cargo run -p codearts-repo --example list_commits -- <repository-id> [ref] [max-commits]
//! ```
//!
//! Configuration: see `support/mod.rs`.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let repository_id: u32 = args
        .next()
        .ok_or("usage: list_commits <repository-id> [ref] [max-commits]")?
        .parse()?;
    let client = support::client()?;
    let mut request = client.list_commits(repository_id);
    if let Some(ref_name) = args.next() {
        request = request.ref_name(ref_name);
    }
    let cap = args
        .next()
        .map(|n| n.parse::<usize>())
        .transpose()?
        .or(Some(200));
    let (commits, days) = request.collect_with_days(cap).await?;
    for commit in &commits {
        println!(
            "{}  {:<20}  {}",
            commit
                .short_id
                .as_deref()
                .or(commit.id.as_deref())
                .unwrap_or(""),
            commit.author_name.as_deref().unwrap_or(""),
            commit.title.as_deref().unwrap_or("")
        );
    }
    for (day, count) in days.newest_first() {
        println!("{day}: {count}");
    }
    Ok(())
}
