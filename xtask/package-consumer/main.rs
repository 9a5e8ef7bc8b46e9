//! A program outside the workspace that depends on the packaged crates, the way a user
//! depends on them from a registry: `cargo xtask package` builds and runs it against the
//! `.crate` files `cargo package --workspace` made. It starts the emulator as a library,
//! walks every commit of a repository with the SDK and checks the count against the
//! emulator's own store.

use codearts_repo::{Client, Credentials};
use codearts_repo_emulator::Emulator;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder().start().await?;
    let client = Client::builder()
        .endpoint(emulator.base_url())
        .allow_http(true)
        .credentials(Credentials::token(emulator.credentials().token.clone()))
        .build()?;
    let repository = emulator.repository_ids()[0];
    let commits: Vec<_> = client.list_commits(repository).stream().try_collect().await?;
    let expected = emulator
        .store()
        .commits(repository, None)
        .map_err(|e| format!("the emulator's store: {e:?}"))?
        .len();
    if commits.len() != expected {
        return Err(format!("walked {} commits, the emulator holds {expected}", commits.len()).into());
    }
    println!("packaged crates: walked {} commits of repository {repository}", commits.len());
    Ok(())
}
