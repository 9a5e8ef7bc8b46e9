//! Error answers mapped with status, code, message and request id; other body shapes;
//! decode failures with a field path; transport failures.

mod common;

use std::collections::BTreeSet;

use codearts_repo::{ErrorKind, RetryConfig};
use codearts_repo_emulator::FaultConfig;
use common::{Canned, canned_client, canned_server};

fn assert_api(error: &codearts_repo::Error, status: u16, code: &str) {
    assert_eq!(error.kind(), ErrorKind::Api, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{error}");
    assert_eq!(error.code(), Some(code), "{error}");
    assert!(error.message().is_some_and(|m| !m.is_empty()), "{error}");
    let id = error.request_id().expect("a request id");
    let text = error.to_string();
    assert!(
        text.contains(code) && text.contains(id) && text.contains(&status.to_string()),
        "{text}"
    );
}

#[tokio::test]
async fn documented_statuses_carry_code_message_and_request_id() {
    let emulator = common::emulator(71).await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);

    let e = client
        .list_commits(repo)
        .ref_name("no/such/branch")
        .send()
        .await
        .unwrap_err();
    assert_api(&e, 400, "CH.00000400");
    assert!(e.message().unwrap().contains("ref_name"));
    assert!(!e.is_retryable() && !e.is_not_found());

    let anonymous = common::builder(&emulator)
        .credentials(codearts_repo::Credentials::token("nobody"))
        .build()
        .unwrap();
    assert_api(
        &anonymous
            .list_repository_events(repo)
            .send()
            .await
            .unwrap_err(),
        401,
        "CH.00000001",
    );

    let outsider = common::builder(&emulator)
        .credentials(codearts_repo::Credentials::token(
            &emulator.outsider_credentials().token,
        ))
        .build()
        .unwrap();
    assert_api(
        &outsider.last_push_event(repo).send().await.unwrap_err(),
        403,
        "CH.00401008",
    );

    let e = client
        .list_repository_events(2_000_000_000)
        .send()
        .await
        .unwrap_err();
    assert_api(&e, 404, "CH.00402000");
    assert!(e.is_not_found());
}

/// Errors name the method the caller called (`client.last_push_event(..)`), not the
/// API's operation id (`show_last_push_event_in_repository`).
#[tokio::test]
async fn errors_name_the_sdk_method_called() {
    let emulator = common::emulator(72).await;
    let anonymous = common::builder(&emulator)
        .credentials(codearts_repo::Credentials::token("nobody"))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let repo = common::first_repository(&emulator);
    for (method, error) in [
        (
            "last_push_event",
            anonymous.last_push_event(repo).send().await.unwrap_err(),
        ),
        (
            "list_recent_push_events",
            anonymous
                .list_recent_push_events()
                .send()
                .await
                .unwrap_err(),
        ),
        (
            "list_commits",
            anonymous.list_commits(repo).send().await.unwrap_err(),
        ),
        (
            "list_repository_events",
            anonymous
                .list_repository_events(repo)
                .send()
                .await
                .unwrap_err(),
        ),
    ] {
        match &error {
            codearts_repo::Error::Api(api) => assert_eq!(api.operation, method),
            other => panic!("{other:?}"),
        }
        assert!(
            error
                .to_string()
                .starts_with(&format!("{method}: HTTP 401")),
            "{error}"
        );
    }
}

#[tokio::test]
async fn throttling_and_server_errors_keep_code_and_request_id_after_the_last_retry() {
    let emulator = common::emulator(72).await;
    let repo = common::first_repository(&emulator);
    let client = common::builder(&emulator)
        .credentials(codearts_repo::Credentials::token(
            &emulator.credentials().token,
        ))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();

    emulator.set_faults(FaultConfig::default().throttle_rate(1.0).seed(1));
    let e = client.list_commits(repo).send().await.unwrap_err();
    assert_eq!(e.status().unwrap().as_u16(), 429);
    assert!(e.code().is_some() && e.request_id().is_some(), "{e}");
    assert!(e.api().unwrap().retry_after.is_some());
    assert!(e.is_retryable());

    emulator.set_faults(FaultConfig::default().server_error_rate(1.0).seed(2));
    let mut seen = BTreeSet::new();
    for _ in 0..100 {
        let e = client.list_recent_push_events().send().await.unwrap_err();
        let status = e.status().unwrap().as_u16();
        assert!(
            e.code().is_some() && e.message().is_some() && e.request_id().is_some(),
            "{e}"
        );
        assert!(e.is_retryable());
        seen.insert(status);
        if seen.len() == 3 {
            break;
        }
    }
    assert_eq!(seen, BTreeSet::from([500, 502, 503]));

    // With retries, the error after the last attempt still has its code and the attempts.
    let retrying = common::builder(&emulator)
        .credentials(codearts_repo::Credentials::token(
            &emulator.credentials().token,
        ))
        .retry(common::quick_retries(3))
        .build()
        .unwrap();
    let before = emulator.request_count();
    let e = retrying.last_push_event(repo).send().await.unwrap_err();
    assert_eq!(e.api().unwrap().attempts, 3);
    assert!(e.code().is_some());
    assert_eq!(emulator.request_count() - before, 3, "attempts are bounded");
}

#[tokio::test]
async fn every_error_body_shape_of_the_official_sdks_is_read() {
    let shapes: Vec<(Canned, u16, Option<&str>, &str)> = vec![
        (
            Canned::new(404, r#"{"error_code":"CH.00402000","error_msg":"gone"}"#),
            404,
            Some("CH.00402000"),
            "gone",
        ),
        (
            Canned::new(403, r#"{"errorCode":"DEV.00000003","errorMsg":"expired"}"#),
            403,
            Some("DEV.00000003"),
            "expired",
        ),
        (
            Canned::new(401, r#"{"code":"APIGW.0301","message":"bad token"}"#),
            401,
            Some("APIGW.0301"),
            "bad token",
        ),
        (
            Canned::new(400, r#"{"error":{"code":"APIGW.0101","message":"no api"}}"#),
            400,
            Some("APIGW.0101"),
            "no api",
        ),
        (
            Canned::new(502, "<html>Bad Gateway</html>"),
            502,
            None,
            "<html>Bad Gateway</html>",
        ),
        (
            Canned::new(418, r#"{"error_code":"X.1","error_msg":"teapot"}"#),
            418,
            Some("X.1"),
            "teapot",
        ),
        (
            Canned::new(429, r#"{"errorCode":"APIGW.0308","errorMsg":"throttled"}"#),
            429,
            Some("APIGW.0308"),
            "throttled",
        ),
    ];
    for (answer, status, code, message) in shapes {
        let server = canned_server(vec![answer]).await;
        let client = canned_client(&server, RetryConfig::disabled());
        let e = client.list_commits(1).send().await.unwrap_err();
        assert_eq!(e.status().unwrap().as_u16(), status);
        assert_eq!(e.code(), code);
        assert_eq!(e.message(), Some(message));
        assert_eq!(e.request_id(), Some(format!("canned-{status}").as_str()));
    }
}

#[tokio::test]
async fn malformed_answers_keep_the_page_or_name_the_field() {
    let optional = r#"{"commits":[{"id":"a1","verification_status":"yes","title":"kept"},{"id":"b2"}],"date_title":[{"day":"2025-06-27","commits_count":2}]}"#;
    let server = canned_server(vec![
        Canned::new(200, optional).header("X-Total", " \"2\" "),
    ])
    .await;
    let page = canned_client(&server, RetryConfig::disabled())
        .list_commits(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].title.as_deref(), Some("kept"));
    assert_eq!(page.items[0].verification_status, None);
    assert_eq!(page.repairs.len(), 1);
    assert_eq!(page.repairs[0].path, "commits[0].verification_status");
    assert_eq!(page.total, Some(2), "X-Total read leniently");
    assert_eq!(page.request_id.as_deref(), Some("canned-200"));

    // The reference marks `id` and `day` required, yet the official SDKs decode answers
    // without them: a malformed one is dropped, a missing one left absent, both reported.
    let required = r#"{"commits":[{"id":"a1"},{"id":17,"title":"broken"},{"title":"no id","author_id":9}],
                       "date_title":[{"commits_count":3}]}"#;
    let server = canned_server(vec![Canned::new(200, required)]).await;
    let page = canned_client(&server, RetryConfig::disabled())
        .list_commits(1)
        .send()
        .await
        .unwrap();
    let ids: Vec<Option<&str>> = page.items.iter().map(|c| c.id.as_deref()).collect();
    assert_eq!(ids, [Some("a1"), None, None]);
    assert_eq!(page.items[1].title.as_deref(), Some("broken"));
    assert_eq!(page.items[2].author_id.map(|id| id.get()), Some(9));
    let paths: Vec<&str> = page.repairs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["commits[1].id", "commits[2].id", "date_title[0].day"]
    );
    assert!(
        page.repairs[1].problem.contains("missing"),
        "{:?}",
        page.repairs
    );
    assert_eq!(page.request_id.as_deref(), Some("canned-200"));

    let events = r#"[{"action_name":"force pushed","author":{"id":5,"state":"suspended"},"created_at":"yesterday"}]"#;
    let server = canned_server(vec![Canned::new(200, events)]).await;
    let page = canned_client(&server, RetryConfig::disabled())
        .list_repository_events(1)
        .send()
        .await
        .unwrap();
    let event = &page.items[0];
    assert_eq!(
        event.action_name,
        Some(codearts_repo::PushEventActionName::Other(
            "force pushed".into()
        ))
    );
    assert_eq!(
        event.author.as_ref().unwrap().state,
        Some(codearts_repo::UserState::Other("suspended".into()))
    );
    assert_eq!(event.created_at.as_ref().unwrap().as_str(), "yesterday");
    assert!(page.repairs.is_empty());
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error_after_the_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = codearts_repo::Client::builder()
        .endpoint(format!("http://{address}"))
        .allow_http(true)
        .credentials(codearts_repo::Credentials::token("t"))
        .retry(common::quick_retries(3))
        .build()
        .unwrap();
    let e = client.list_commits(1).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.is_retryable());
    match e {
        codearts_repo::Error::Transport { attempts, .. } => assert_eq!(attempts, 3),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_transport_failure_quotes_the_request_url_without_its_query_values() {
    // Nothing listens on port 1: the connection is refused, and reqwest names the URL,
    // whose query holds the parameters.
    let client = codearts_repo::Client::builder()
        .endpoint("http://127.0.0.1:1")
        .allow_http(true)
        .credentials(codearts_repo::Credentials::token("t0ken"))
        .retry(codearts_repo::RetryConfig::disabled())
        .build()
        .unwrap();
    let error = client
        .list_commits(1)
        .ref_name("s3cr3t-ref")
        .send()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert_eq!(error.kind(), codearts_repo::ErrorKind::Transport, "{text}");
    assert!(!text.contains("s3cr3t-ref"), "{text}");
    assert!(text.contains("ref_name=<redacted>"), "{text}");
    assert!(text.contains("http://127.0.0.1:1/"), "{text}");
}
