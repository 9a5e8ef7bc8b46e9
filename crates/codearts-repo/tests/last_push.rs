//! `last_push_event` against the emulator.

mod common;

use codearts_repo::ErrorKind;
use codearts_repo_emulator::SyntheticConfig;

#[tokio::test]
async fn the_last_push_matches_the_store_with_both_auth_methods() {
    let emulator = common::emulator(31).await;
    for client in [
        common::token_client(&emulator),
        common::aksk_client(&emulator),
    ] {
        for repo in emulator.repository_ids() {
            let last = client.last_push_event(repo).send().await.unwrap();
            assert_eq!(last, emulator.store().last_push_event(repo));
            let last = last.unwrap();
            assert_eq!(last.repository.unwrap().id.map(|id| id.get()), Some(repo));
            assert!(
                last.created_at.unwrap().to_utc().is_some(),
                "the +08:00 shape parses"
            );
        }
    }
}

#[tokio::test]
async fn a_repository_without_pushes_has_no_last_push() {
    let emulator = common::emulator_with(
        32,
        SyntheticConfig::default()
            .repositories(1)
            .commits_per_repository(20)
            .events_per_repository(0)
            .users(2),
    )
    .await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);
    assert_eq!(client.last_push_event(repo).send().await.unwrap(), None);
}

#[tokio::test]
async fn unknown_and_invalid_repositories() {
    let emulator = common::emulator(33).await;
    let client = common::token_client(&emulator);
    let missing = emulator.repository_ids().iter().max().unwrap() + 1000;
    let error = client.last_push_event(missing).send().await.unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(error.code(), Some("CH.00402000"));
    let before = emulator.request_count();
    let error = client.last_push_event(0).send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("repository_id"), "{error}");
    assert_eq!(emulator.request_count(), before);
}
