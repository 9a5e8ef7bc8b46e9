//! Bad requests get a JSON 400 naming the parameter; unknown repositories 404; callers
//! without access 403; missing credentials 401; nothing answers 500 or hangs.

mod common;

use common::{emulator, get};

#[tokio::test]
async fn bad_parameters_get_400_naming_them() {
    let emu = emulator(21).await;
    let token = emu.credentials().token.clone();
    let repo = emu.repository_ids()[0];
    let events = format!("/v4/repositories/{repo}/events");
    let commits = format!("/v4/repositories/{repo}/repository/commit-list");
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("{events}?limit=0"),
            "limit",
            "Invalid parameter limit: 0 is outside 1..=100.",
        ),
        (
            format!("{events}?limit=101"),
            "limit",
            "Invalid parameter limit: 101 is outside 1..=100.",
        ),
        (
            format!("{events}?limit=ten"),
            "limit",
            "Invalid parameter limit: `ten` is not an integer.",
        ),
        (
            format!("{events}?limit="),
            "limit",
            "Invalid parameter limit: `` is not an integer.",
        ),
        (
            format!("{events}?offset=-1"),
            "offset",
            "Invalid parameter offset: -1 is outside 0..=2147483647.",
        ),
        (
            format!("{events}?offset=2147483648"),
            "offset",
            "Invalid parameter offset: 2147483648 is outside 0..=2147483647.",
        ),
        (
            format!("{events}?offset=99999999999999999999"),
            "offset",
            "Invalid parameter offset: `99999999999999999999` is not an integer.",
        ),
        (
            format!("{events}?author_id=0"),
            "author_id",
            "Invalid parameter author_id: 0 is outside 1..=2147483647.",
        ),
        (
            format!("{events}?filter=merge"),
            "filter",
            "Invalid parameter filter: `merge` is not one of all, push.",
        ),
        (
            format!("{events}?before=2025-13-01"),
            "before",
            "is not a date",
        ),
        (
            format!("{events}?after=yesterday"),
            "after",
            "is not a date",
        ),
        (
            format!("{events}?limit=1&limit=2"),
            "limit",
            "Invalid parameter limit: given more than once.",
        ),
        (
            "/v4/repositories/abc/events".to_string(),
            "repository_id",
            "Invalid parameter repository_id: `abc` is not an integer.",
        ),
        (
            "/v4/repositories/0/events".to_string(),
            "repository_id",
            "Invalid parameter repository_id: 0 is outside 1..=2147483647.",
        ),
        (
            "/v4/repositories/-5/last-push-event".to_string(),
            "repository_id",
            "-5 is outside",
        ),
        (
            "/v4/repositories/2147483648/repository/commit-list".to_string(),
            "repository_id",
            "2147483648 is outside",
        ),
        (
            format!("{commits}?since=2025-02-30"),
            "since",
            "is not a date",
        ),
        (format!("{commits}?until=12:00"), "until", "is not a date"),
        (
            format!("{commits}?order_by_date=yes"),
            "order_by_date",
            "Invalid parameter order_by_date: `yes` is not true or false.",
        ),
        (
            format!("{commits}?follow=1"),
            "follow",
            "Invalid parameter follow: `1` is not true or false.",
        ),
        (
            format!("{commits}?limit=101"),
            "limit",
            "101 is outside 1..=100.",
        ),
        (format!("{commits}?offset=-1"), "offset", "-1 is outside"),
        (
            format!("{commits}?ref_name=no-such-branch"),
            "ref_name",
            "`no-such-branch` names no branch, tag or commit",
        ),
        (
            "/v4/user/recent-push-events?size=0".to_string(),
            "size",
            "Invalid parameter size: 0 is outside 1..=100.",
        ),
        (
            "/v4/user/recent-push-events?size=101".to_string(),
            "size",
            "101 is outside 1..=100.",
        ),
        (
            format!("/v4/user/recent-push-events?project_id={}", "a".repeat(31)),
            "project_id",
            "Invalid parameter project_id: 31 characters, expected exactly 32 characters.",
        ),
        (
            format!("/v4/user/recent-push-events?project_id={}", "a".repeat(33)),
            "project_id",
            "33 characters",
        ),
        // A value that is not UTF-8 once percent-decoded is refused, not mended.
        (
            format!("{commits}?ref_name=%FF"),
            "ref_name",
            "Invalid parameter ref_name: not valid UTF-8 once percent-decoded.",
        ),
        (
            format!("{commits}?limit=5&author=ab%C3%28"),
            "author",
            "not valid UTF-8",
        ),
        (format!("{commits}?path=%E2%82"), "path", "not valid UTF-8"),
        (
            format!("{events}?filter=%FFpush"),
            "filter",
            "not valid UTF-8",
        ),
        (
            "/v4/user/recent-push-events?project_id=%80".to_string(),
            "project_id",
            "not valid UTF-8",
        ),
        (
            "/v4/repositories/%FF/events".to_string(),
            "repository_id",
            "not valid UTF-8",
        ),
    ];
    for (path, parameter, message) in cases {
        let reply = get(&emu, Some(&token), &path).await;
        assert_eq!(reply.status, 400, "{path}: {:?}", reply.body);
        assert_eq!(reply.error_code(), "CH.00000400", "{path}");
        assert!(
            reply
                .error_msg()
                .contains(&format!("parameter {parameter}:")),
            "{path}: {}",
            reply.error_msg()
        );
        assert!(
            reply.error_msg().contains(message),
            "{path}: {}",
            reply.error_msg()
        );
    }
}

#[tokio::test]
async fn unknown_repository_is_404_and_unreadable_is_403() {
    let emu = emulator(22).await;
    let repo = emu.repository_ids()[0];
    let unknown = emu.store().repository_ids().last().unwrap() + 1;
    let me = emu.credentials().token.clone();
    let outsider = emu.outsider_credentials().token.clone();
    for suffix in ["events", "last-push-event", "repository/commit-list"] {
        let reply = get(
            &emu,
            Some(&me),
            &format!("/v4/repositories/{unknown}/{suffix}"),
        )
        .await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (404, "CH.00402000"),
            "{suffix}"
        );
        let reply = get(
            &emu,
            Some(&outsider),
            &format!("/v4/repositories/{repo}/{suffix}"),
        )
        .await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (403, "CH.00401008"),
            "{suffix}"
        );
        assert_eq!(
            reply.error_msg(),
            "Insufficient permissions. Apply for the required permissions and try again."
        );
        let reply = get(
            &emu,
            Some(&outsider),
            &format!("/v4/repositories/{unknown}/{suffix}"),
        )
        .await;
        assert_eq!(
            reply.status, 404,
            "an unknown repository is 404 for everybody"
        );
    }
    // The outsider is known: their recent pushes are an empty list, not an error.
    let reply = get(&emu, Some(&outsider), "/v4/user/recent-push-events").await;
    assert_eq!(
        (reply.status, reply.body.clone()),
        (200, serde_json::json!([]))
    );
    assert!(emu.outsider_credentials().user_id != emu.credentials().user_id);
}

#[tokio::test]
async fn missing_or_unknown_credentials_are_401() {
    let emu = emulator(23).await;
    let repo = emu.repository_ids()[0];
    for path in [
        format!("/v4/repositories/{repo}/events"),
        format!("/v4/repositories/{repo}/last-push-event"),
        format!("/v4/repositories/{repo}/repository/commit-list"),
        "/v4/user/recent-push-events".to_string(),
    ] {
        for token in [None, Some("not-a-token"), Some("")] {
            let reply = get(&emu, token, &path).await;
            assert_eq!(
                (reply.status, reply.error_code()),
                (401, "CH.00000001"),
                "{path} {token:?}"
            );
            assert!(
                reply
                    .error_msg()
                    .starts_with("User authentication info not found")
            );
        }
    }
    // Authentication comes before parameter checks.
    let reply = get(&emu, None, "/v4/repositories/abc/events?limit=0").await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let emu = emulator(24).await;
    let token = emu.credentials().token.clone();
    let reply = get(&emu, Some(&token), "/v4/repositories/1/branches").await;
    assert_eq!((reply.status, reply.error_code()), (404, "CH.00000404"));
    let reply = get(&emu, Some(&token), "/api/v4/user/recent-push-events").await;
    assert_eq!(reply.status, 404);
    let repo = emu.repository_ids()[0];
    let url = format!("{}/v4/repositories/{repo}/events", emu.base_url());
    let response = common::client()
        .post(&url)
        .header("X-Auth-Token", &token)
        .body("{}")
        .send()
        .await
        .unwrap();
    let reply = common::read(response, "/unknown").await;
    assert_eq!((reply.status, reply.error_code()), (405, "CH.00000405"));
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
}

#[tokio::test]
async fn odd_requests_never_get_500_and_do_not_wedge_the_server() {
    let emu = emulator(25).await;
    let token = emu.credentials().token.clone();
    let repo = emu.repository_ids()[0];
    let odd = [
        format!(
            "/v4/repositories/{repo}/repository/commit-list?ref_name=%FF%FE&path=%00&message=%E2%82"
        ),
        format!(
            "/v4/repositories/{repo}/repository/commit-list?ref_name=..%2F..%2Fetc&author=%25%25"
        ),
        format!("/v4/repositories/{repo}/repository/commit-list?message=(((((&path=*"),
        format!("/v4/repositories/{repo}/events?%ZZ=1&&&=&limit=5"),
        format!("/v4/repositories/{repo}/events?before=2025-06-01T25:00:00Z"),
        format!("/v4/repositories/{repo}/events?after=9999999-01-01"),
        format!("/v4/repositories/%31{repo}/events"),
        "/v4/repositories/%FF/events".to_string(),
        "/v4/repositories/1.5/events".to_string(),
        "/v4/repositories/ 1/events".to_string(),
        format!(
            "/v4/repositories/{repo}/repository/commit-list?{}",
            "x=1&".repeat(2000)
        ),
        format!("/v4/user/recent-push-events?project_id={}", "é".repeat(32)),
    ];
    for path in &odd {
        let request = common::client()
            .get(format!("{}{path}", emu.base_url()))
            .header("X-Auth-Token", &token);
        let response = request.send().await.unwrap();
        let reply = common::read(response, path).await;
        assert!(
            reply.status < 500,
            "{path}: {} {:?}",
            reply.status,
            reply.body
        );
    }
    // A client that opens a connection and sends half a request does not block others.
    let mut stalled = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut stalled,
        b"GET /v4/user/recent-push-events HTTP/1.1\r\nHost: x\r\n",
    )
    .await
    .unwrap();
    let reply = get(&emu, Some(&token), "/v4/user/recent-push-events").await;
    assert_eq!(reply.status, 200);
    drop(stalled);
    // Garbage instead of HTTP is refused without harming the server.
    let mut garbage = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut garbage, b"\x00\x01\x02 not http\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut garbage, &mut buffer).await;
    let reply = get(&emu, Some(&token), "/v4/user/recent-push-events").await;
    assert_eq!(reply.status, 200);
}
