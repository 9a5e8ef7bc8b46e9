//! Prints one page of a repository's commits, with the SDK.

use codearts_repo::{Client, Credentials};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(endpoint), Some(token), Some(repository_id)) =
        (args.next(), args.next(), args.next())
    else {
        return Err("usage: build-cost-sdk ENDPOINT TOKEN REPOSITORY_ID".into());
    };
    let client = Client::builder()
        .endpoint(endpoint)
        .allow_http(true)
        .credentials(Credentials::token(token))
        .build()?;
    let page = client
        .list_commits(repository_id.parse()?)
        .limit(100)
        .send()
        .await?;
    for commit in &page.items {
        println!("{} {}", commit.id.as_deref().unwrap_or(""), commit.title.as_deref().unwrap_or(""));
    }
    Ok(())
}
