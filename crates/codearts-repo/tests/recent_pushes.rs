//! `list_recent_push_events` against the emulator.

mod common;

use codearts_repo::ErrorKind;

#[tokio::test]
async fn size_and_project_id_filter_like_the_store() {
    let emulator = common::emulator(41).await;
    let user = emulator.credentials().user_id;
    for client in [
        common::token_client(&emulator),
        common::aksk_client(&emulator),
    ] {
        let page = client.list_recent_push_events().send().await.unwrap();
        assert_eq!(
            page.items,
            emulator.store().recent_push_events(user, 10, None)
        );
        assert_eq!(page.limit, codearts_repo::DEFAULT_SIZE);
        assert!(page.request_id.is_some());

        let page = client
            .list_recent_push_events()
            .size(100)
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.items,
            emulator.store().recent_push_events(user, 100, None)
        );

        let repo = common::first_repository(&emulator);
        let project = emulator
            .store()
            .repository_info(repo)
            .unwrap()
            .project_id
            .unwrap();
        let page = client
            .list_recent_push_events()
            .size(7)
            .project_id(project.clone())
            .send()
            .await
            .unwrap();
        let expected = emulator.store().recent_push_events(user, 7, Some(&project));
        assert!(!expected.is_empty());
        assert_eq!(page.items, expected);
    }
}

#[tokio::test]
async fn out_of_range_size_and_project_id_are_refused_before_sending() {
    let emulator = common::emulator(42).await;
    let client = common::token_client(&emulator);
    let before = emulator.request_count();
    for (request, parameter, range) in [
        (client.list_recent_push_events().size(0), "size", "1..=100"),
        (
            client.list_recent_push_events().size(101),
            "size",
            "1..=100",
        ),
        (
            client.list_recent_push_events().project_id("abc"),
            "project_id",
            "32 characters",
        ),
        (
            client.list_recent_push_events().project_id("a".repeat(33)),
            "project_id",
            "32 characters",
        ),
    ] {
        let error = request.send().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        let text = error.to_string();
        assert!(text.contains(parameter) && text.contains(range), "{text}");
    }
    assert_eq!(emulator.request_count(), before);
}
