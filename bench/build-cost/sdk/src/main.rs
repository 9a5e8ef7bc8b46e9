//! Prints one page of a repository's commits, with the SDK: async by default, on the
//! blocking client with the `blocking` feature.

#[cfg(not(any(feature = "async", feature = "blocking")))]
compile_error!("build with the `async` feature (a default) or the `blocking` one");

#[cfg(not(feature = "blocking"))]
use codearts_repo::Client;
#[cfg(feature = "blocking")]
use codearts_repo::blocking::Client;
use codearts_repo::{Credentials, Page};

/// The endpoint, token and repository id given on the command line.
fn arguments() -> Result<(String, String, u32), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(endpoint), Some(token), Some(repository_id)) =
        (args.next(), args.next(), args.next())
    else {
        return Err("usage: build-cost-sdk ENDPOINT TOKEN REPOSITORY_ID".into());
    };
    Ok((endpoint, token, repository_id.parse()?))
}

fn client(endpoint: String, token: String) -> codearts_repo::Result<Client> {
    Client::builder()
        .endpoint(endpoint)
        .allow_http(true)
        .credentials(Credentials::token(token))
        .build()
}

fn print(page: &Page<codearts_repo::Commit>) {
    for commit in &page.items {
        println!(
            "{} {}",
            commit.id.as_deref().unwrap_or(""),
            commit.title.as_deref().unwrap_or("")
        );
    }
}

#[cfg(feature = "blocking")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (endpoint, token, repository_id) = arguments()?;
    let page = client(endpoint, token)?
        .list_commits(repository_id)
        .limit(100)
        .send()?;
    print(&page);
    Ok(())
}

#[cfg(all(feature = "async", not(feature = "blocking")))]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (endpoint, token, repository_id) = arguments()?;
    let page = client(endpoint, token)?
        .list_commits(repository_id)
        .limit(100)
        .send()
        .await?;
    print(&page);
    Ok(())
}
