//! The emulator used as the READMEs show it, in a test of code built on the SDK. Everything
//! below this comment stands verbatim in the READMEs (checked by `tests/tests/docs.rs`).

use codearts_repo::{Client, Credentials};
use codearts_repo_emulator::{Emulator, FaultConfig, SyntheticConfig};
use futures::TryStreamExt;

#[tokio::test]
async fn counts_every_commit_despite_server_errors() {
    // A local CodeArts Repo on an ephemeral port, with seeded synthetic data.
    let emulator = Emulator::builder()
        .seed(7)
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(250),
        )
        .faults(FaultConfig::default().server_error_rate(0.2).seed(7))
        .start()
        .await
        .expect("the emulator starts");

    let client = Client::builder()
        .endpoint(emulator.base_url())
        .allow_http(true)
        .credentials(Credentials::token(emulator.credentials().token.clone()))
        .build()
        .expect("a client");

    // The code under test: here, a walk of every page, retrying the injected 5xx answers.
    let repository = emulator.repository_ids()[0];
    let commits: Vec<_> = client
        .list_commits(repository)
        .stream()
        .try_collect()
        .await
        .expect("every commit");

    // The emulator's own data is there to compare with.
    let expected = emulator
        .store()
        .commits(repository, None)
        .expect("a repository");
    assert_eq!(commits.len(), expected.len());
    assert!(emulator.fault_counts().server_errors() > 0);
}
