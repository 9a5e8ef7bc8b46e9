//! The emulator playing IAM: project lists by region (signed), the OIDC id token exchange,
//! temporary keys for a token, and IAM's refusals, each with an `X-IAM-Trace-Id`.

use chrono::Utc;
use codearts_repo_emulator::{Emulator, IamConfig};
use codearts_repo_runtime::auth::Auth;
use codearts_repo_runtime::prepare::prepare_request;
use serde_json::{Value, json};

async fn emulator() -> Emulator {
    Emulator::builder()
        .seed(71)
        .iam(
            IamConfig::default()
                .projects("cn-south-1", Vec::<String>::new())
                .projects("cn-east-3", ["p1", "p2"])
                .idp("idp-1", "the-id-token"),
        )
        .start()
        .await
        .expect("the emulator starts")
}

/// `GET /v3/projects?name=region`, signed with the user's AK/SK (`secret_key` for theirs).
async fn projects(emulator: &Emulator, region: &str, secret_key: &str) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http
        .get(format!("{}/v3/projects", emulator.base_url()))
        .query(&[("name", region)])
        .build()
        .unwrap();
    let auth =
        Auth::access_key(&emulator.credentials().access_key, secret_key, None, None).unwrap();
    prepare_request(&mut request, &auth, Utc::now());
    let response = http.execute(request).await.unwrap();
    assert!(response.headers().contains_key("x-iam-trace-id"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn ids(body: &Value) -> Vec<&str> {
    body["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn projects_are_listed_by_region_for_signed_requests() {
    let emulator = emulator().await;
    let secret = emulator.credentials().secret_key.clone();
    let (status, body) = projects(&emulator, "cn-north-4", &secret).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body), [emulator.credentials().project_id.as_str()]);
    assert_eq!(body["projects"][0]["name"], "cn-north-4");
    assert_eq!(
        ids(&projects(&emulator, "cn-south-1", &secret).await.1),
        Vec::<&str>::new()
    );
    assert_eq!(
        ids(&projects(&emulator, "cn-east-3", &secret).await.1),
        ["p1", "p2"]
    );
    let (status, body) = projects(&emulator, "cn-north-4", "wrong").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], 401);
    assert_eq!(emulator.iam_requests().0, 3);
}

#[tokio::test]
async fn id_tokens_are_exchanged_for_a_token_then_temporary_keys() {
    let emulator = emulator().await;
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let exchange = |idp: &'static str, token: &'static str| {
        http.post(format!("{base}/v3.0/OS-AUTH/id-token/tokens"))
            .header("X-Idp-Id", idp)
            .json(&json!({"auth": {"id_token": {"id": token}}}))
            .send()
    };
    assert_eq!(
        exchange("idp-2", "the-id-token").await.unwrap().status(),
        404
    );
    assert_eq!(exchange("idp-1", "another").await.unwrap().status(), 401);
    let answer = exchange("idp-1", "the-id-token").await.unwrap();
    assert_eq!(answer.status(), 201);
    let token = answer.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body["token"]["user"]["OS-FEDERATION"]["identity_provider"]["id"],
        "idp-1"
    );

    let keys = |duration: Value, token: String| {
        http.post(format!("{base}/v3.0/OS-CREDENTIAL/securitytokens"))
            .json(&json!({"auth": {"identity": {"methods": ["token"],
                "token": {"id": token, "duration_seconds": duration}}}}))
            .send()
    };
    assert_eq!(keys(json!(60), token.clone()).await.unwrap().status(), 400);
    assert_eq!(
        keys(json!(900), "unknown".into()).await.unwrap().status(),
        401
    );
    let answer = keys(json!(21600), token).await.unwrap();
    assert_eq!(answer.status(), 201);
    let body: Value = answer.json().await.unwrap();
    let credential = &body["credential"];
    for field in ["access", "secret", "securitytoken", "expires_at"] {
        assert!(!credential[field].as_str().unwrap().is_empty(), "{field}");
    }
    // IAM's format, `%Y-%m-%dT%H:%M:%S.%fZ`, about 6 hours ahead.
    let expires = chrono::NaiveDateTime::parse_from_str(
        credential["expires_at"].as_str().unwrap(),
        "%Y-%m-%dT%H:%M:%S%.fZ",
    )
    .unwrap()
    .and_utc();
    let ahead = expires - Utc::now();
    assert!(ahead > chrono::Duration::minutes(359) && ahead <= chrono::Duration::hours(6));
    assert_eq!(emulator.iam_requests(), (0, 1, 1));
}
