//! AK/SK signatures: accepted when made as the official SDKs make them, refused when the
//! path, query or a signed header was changed, or when `X-Sdk-Date` is stale.

mod common;

use chrono::{Duration, Utc};
use codearts_repo_emulator::Emulator;
use codearts_repo_runtime::signing;

/// A signed request: the headers to send (including Authorization) for `path?query`.
fn sign(
    emu: &Emulator,
    access_key: &str,
    secret_key: &str,
    path: &str,
    query: &[(&str, &str)],
    date: chrono::DateTime<Utc>,
) -> Vec<(String, String)> {
    let host = emu.base_url().trim_start_matches("http://").to_string();
    let sdk_date = signing::format_date(date);
    let mut headers = vec![
        ("Host".to_string(), host),
        ("X-Sdk-Date".to_string(), sdk_date.clone()),
        (
            "X-Project-Id".to_string(),
            emu.credentials().project_id.clone(),
        ),
    ];
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let input = signing::CanonicalInput {
        method: "GET",
        path,
        query: &query,
        headers: &headers,
        body: b"",
    };
    let authorization = signing::sign(access_key, secret_key, &sdk_date, &input);
    headers.push(("Authorization".to_string(), authorization));
    headers
}

async fn send(
    emu: &Emulator,
    path: &str,
    raw_query: &str,
    headers: &[(String, String)],
) -> common::Reply {
    let url = if raw_query.is_empty() {
        format!("{}{path}", emu.base_url())
    } else {
        format!("{}{path}?{raw_query}", emu.base_url())
    };
    let mut request = common::client().get(url);
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("host") {
            request = request.header(name, value);
        }
    }
    common::read(request.send().await.unwrap(), path).await
}

#[tokio::test]
async fn a_signed_request_is_accepted() {
    let emu = common::emulator(31).await;
    let c = emu.credentials().clone();
    let repo = emu.repository_ids()[0];
    let path = format!("/v4/repositories/{repo}/repository/commit-list");
    let branch = emu
        .store()
        .branches(repo)
        .into_iter()
        .find(|(n, _)| !n.is_ascii() || n.contains('#'));
    let ref_name = branch
        .map(|(n, _)| n)
        .unwrap_or_else(|| "master".to_string());
    let query = [
        ("limit", "3"),
        ("ref_name", ref_name.as_str()),
        ("message", "a b+c"),
    ];
    let headers = sign(
        &emu,
        &c.access_key,
        &c.secret_key,
        &path,
        &query,
        Utc::now(),
    );
    let raw = signing::canonical_query(&query);
    let reply = send(&emu, &path, &raw, &headers).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    // The same pairs sent in another order and with `+` for spaces still verify.
    let reordered = format!(
        "message=a+b%2Bc&ref_name={}&limit=3",
        signing::encode(&ref_name)
    );
    let reply = send(&emu, &path, &reordered, &headers).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    // A stale token next to a valid signature: the signature is enough.
    let mut with_token = headers.clone();
    with_token.push(("X-Auth-Token".to_string(), "expired-token".to_string()));
    assert_eq!(send(&emu, &path, &raw, &with_token).await.status, 200);

    let recent = "/v4/user/recent-push-events";
    let headers = sign(&emu, &c.access_key, &c.secret_key, recent, &[], Utc::now());
    let reply = send(&emu, recent, "", &headers).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["author"]["id"] == c.user_id)
    );

    // The outsider's keys authenticate too, and then meet 403.
    let o = emu.outsider_credentials().clone();
    let events = format!("/v4/repositories/{repo}/events");
    let headers = sign(&emu, &o.access_key, &o.secret_key, &events, &[], Utc::now());
    let reply = send(&emu, &events, "", &headers).await;
    assert_eq!((reply.status, reply.error_code()), (403, "CH.00401008"));
}

#[tokio::test]
async fn tampering_and_stale_dates_are_refused() {
    let emu = common::emulator(32).await;
    let c = emu.credentials().clone();
    let repos = emu.repository_ids();
    let path = format!("/v4/repositories/{}/events", repos[0]);
    let query = [("limit", "5")];
    let good = sign(
        &emu,
        &c.access_key,
        &c.secret_key,
        &path,
        &query,
        Utc::now(),
    );
    assert_eq!(send(&emu, &path, "limit=5", &good).await.status, 200);

    let refused = |reply: common::Reply, what: &str| {
        assert_eq!(
            (reply.status, reply.error_code()),
            (401, "CH.00000001"),
            "{what}: {:?}",
            reply.body
        );
        reply.error_msg().to_string()
    };
    let other_path = format!("/v4/repositories/{}/events", repos[1]);
    let message = refused(
        send(&emu, &other_path, "limit=5", &good).await,
        "another path",
    );
    assert!(message.contains("does not match"), "{message}");
    refused(send(&emu, &path, "limit=6", &good).await, "another query");
    refused(
        send(&emu, &path, "limit=5&offset=0", &good).await,
        "an added parameter",
    );
    refused(send(&emu, &path, "", &good).await, "a removed parameter");

    let mut tampered = good.clone();
    for (name, value) in &mut tampered {
        if name == "X-Project-Id" {
            *value = "f".repeat(32);
        }
    }
    refused(
        send(&emu, &path, "limit=5", &tampered).await,
        "a changed signed header",
    );

    let wrong_secret = sign(
        &emu,
        &c.access_key,
        "not-the-secret",
        &path,
        &query,
        Utc::now(),
    );
    refused(
        send(&emu, &path, "limit=5", &wrong_secret).await,
        "a wrong secret key",
    );
    let unknown_key = sign(
        &emu,
        "AKUNKNOWN00000000000",
        &c.secret_key,
        &path,
        &query,
        Utc::now(),
    );
    let message = refused(
        send(&emu, &path, "limit=5", &unknown_key).await,
        "an unknown access key",
    );
    assert!(message.contains("access key"), "{message}");

    let stale = sign(
        &emu,
        &c.access_key,
        &c.secret_key,
        &path,
        &query,
        Utc::now() - Duration::minutes(16),
    );
    let message = refused(
        send(&emu, &path, "limit=5", &stale).await,
        "a stale X-Sdk-Date",
    );
    assert!(message.contains("15 minutes"), "{message}");
    let future = sign(
        &emu,
        &c.access_key,
        &c.secret_key,
        &path,
        &query,
        Utc::now() + Duration::minutes(16),
    );
    refused(
        send(&emu, &path, "limit=5", &future).await,
        "a future X-Sdk-Date",
    );
    let recent = sign(
        &emu,
        &c.access_key,
        &c.secret_key,
        &path,
        &query,
        Utc::now() - Duration::minutes(10),
    );
    assert_eq!(
        send(&emu, &path, "limit=5", &recent).await.status,
        200,
        "10 minutes of skew is fine"
    );

    let without_date: Vec<(String, String)> = good
        .iter()
        .filter(|(n, _)| n != "X-Sdk-Date")
        .cloned()
        .collect();
    refused(
        send(&emu, &path, "limit=5", &without_date).await,
        "no X-Sdk-Date",
    );
    let garbled = vec![(
        "Authorization".to_string(),
        "SDK-HMAC-SHA256 nonsense".to_string(),
    )];
    refused(
        send(&emu, &path, "limit=5", &garbled).await,
        "a garbled Authorization",
    );
    let basic = vec![(
        "Authorization".to_string(),
        "Basic dXNlcjpwYXNz".to_string(),
    )];
    refused(send(&emu, &path, "limit=5", &basic).await, "another scheme");
}
