//! Prints one page of a repository's commits, with reqwest and serde_json.

use serde::Deserialize;

#[derive(Deserialize)]
struct CommitList {
    #[serde(default)]
    commits: Vec<Commit>,
}

#[derive(Deserialize)]
struct Commit {
    id: String,
    title: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(endpoint), Some(token), Some(repository_id)) =
        (args.next(), args.next(), args.next())
    else {
        return Err("usage: build-cost-reqwest-only ENDPOINT TOKEN REPOSITORY_ID".into());
    };
    let repository_id: u32 = repository_id.parse()?;
    let body = reqwest::Client::new()
        .get(format!(
            "{endpoint}/v4/repositories/{repository_id}/repository/commit-list"
        ))
        .header("X-Auth-Token", token)
        .query(&[("limit", 100)])
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let page: CommitList = serde_json::from_slice(&body)?;
    for commit in &page.commits {
        println!("{} {}", commit.id, commit.title.as_deref().unwrap_or(""));
    }
    Ok(())
}
