//! Authentication: IAM token, AK/SK signing (official test vector, emulator verification,
//! tampering) and credentials from the environment and the credentials file.

mod common;

use std::collections::HashMap;

use chrono::Utc;
use codearts_repo::{Credentials, ErrorKind, SigningAlgorithm};

const VECTOR_AK: &str = "AKTESTEXAMPLE0000001";
const VECTOR_SK: &str = "SKtestExampleSecretKey0000000000000000001";

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn the_official_test_vector_signs_identically_through_the_request_path() {
    // As the generated builder writes it: `+`/`%3A` form encoding, unsorted.
    let url = "https://codehub-ext.cn-north-4.myhuaweicloud.com/v4/repositories/123456/events?offset=0&limit=20&filter=push&after=2024-01-01T00%3A00%3A00Z";
    let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    let credentials = Credentials::access_key(VECTOR_AK, VECTOR_SK)
        .project_id("0123456789abcdef0123456789abcdef");
    let signed_at = codearts_repo_runtime::signing::parse_date("20240101T000000Z").unwrap();
    credentials.apply_to(&mut request, signed_at).unwrap();
    let headers = request.headers();
    assert_eq!(
        headers["authorization"],
        "SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
         Signature=f161bd91e4b8fe35755457f38872ce841dc49b69697077a920d0e302d34b7b53"
    );
    assert_eq!(headers["x-sdk-date"], "20240101T000000Z");
    assert_eq!(headers["x-project-id"], "0123456789abcdef0123456789abcdef");
    assert_eq!(headers["host"], "codehub-ext.cn-north-4.myhuaweicloud.com");
    assert_eq!(
        request.url().query(),
        Some("after=2024-01-01T00%3A00%3A00Z&filter=push&limit=20&offset=0")
    );
}

#[test]
fn security_tokens_are_sent_signed_and_marked_sensitive() {
    let mut request = reqwest::Request::new(
        reqwest::Method::GET,
        "https://h.example:8443/v4/x?a=b+c".parse().unwrap(),
    );
    Credentials::access_key("AK", "SK")
        .security_token("STS-TOKEN")
        .apply_to(&mut request, Utc::now())
        .unwrap();
    let headers = request.headers();
    assert_eq!(headers["host"], "h.example:8443");
    assert_eq!(
        request.url().query(),
        Some("a=b%20c"),
        "spaces are sent as signed, %20"
    );
    assert!(headers["x-security-token"].is_sensitive());
    assert!(
        headers["authorization"]
            .to_str()
            .unwrap()
            .contains("SignedHeaders=host;x-sdk-date;x-security-token,")
    );

    let mut request = reqwest::Request::new(
        reqwest::Method::GET,
        "https://h.example/v4/x".parse().unwrap(),
    );
    Credentials::token("T0KEN")
        .apply_to(&mut request, Utc::now())
        .unwrap();
    assert!(request.headers()["x-auth-token"].is_sensitive());
    assert!(!request.headers().contains_key("authorization"));
}

#[tokio::test]
async fn the_emulator_accepts_our_signatures_and_rejects_tampered_ones() {
    let emulator = common::emulator(51).await;
    let c = emulator.credentials();
    let repo = common::first_repository(&emulator);
    let credentials =
        Credentials::access_key(&c.access_key, &c.secret_key).project_id(&c.project_id);
    let http = reqwest::Client::new();
    let url = format!(
        "{}/v4/repositories/{repo}/events?limit=5&filter=push",
        emulator.base_url()
    );

    let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
    credentials.apply_to(&mut request, Utc::now()).unwrap();
    let good = request.try_clone().unwrap();
    assert_eq!(http.execute(good).await.unwrap().status(), 200);

    let mut tampered_query = request.try_clone().unwrap();
    tampered_query
        .url_mut()
        .set_query(Some("filter=push&limit=6"));
    let mut tampered_signature = request.try_clone().unwrap();
    let auth = tampered_signature.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_string();
    let flipped = format!(
        "{}{}",
        &auth[..auth.len() - 1],
        if auth.ends_with('0') { '1' } else { '0' }
    );
    tampered_signature
        .headers_mut()
        .insert("authorization", flipped.parse().unwrap());
    for tampered in [tampered_query, tampered_signature] {
        let answer = http.execute(tampered).await.unwrap();
        assert_eq!(answer.status(), 401);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["error_code"], "CH.00000001");
    }

    // Through the client: a wrong secret key is a 401 API error, not retried.
    let wrong = common::builder(&emulator)
        .credentials(Credentials::access_key(&c.access_key, "not-the-secret-key"))
        .build()
        .unwrap();
    let error = wrong.list_repository_events(repo).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.code(), Some("CH.00000001"));
    assert!(error.request_id().is_some());
    assert_eq!(error.api().unwrap().attempts, 1);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn every_signing_algorithm_of_the_official_sdks_is_accepted_end_to_end() {
    let emulator = common::emulator(52).await;
    let c = emulator.credentials();
    let repo = common::first_repository(&emulator);
    for algorithm in SigningAlgorithm::ALL {
        let credentials = Credentials::access_key(&c.access_key, &c.secret_key)
            .project_id(&c.project_id)
            .signing_algorithm(algorithm);
        assert_eq!(credentials.signing_algorithm_value(), Some(algorithm));
        let client = common::builder(&emulator)
            .credentials(credentials.clone())
            .build()
            .unwrap();
        let page = client.list_commits(repo).limit(3).send().await.unwrap();
        assert_eq!(page.items.len(), 3, "{algorithm}");

        // What went on the wire names the algorithm, and a flipped signature is refused.
        let url = format!(
            "{}/v4/repositories/{repo}/events?limit=2",
            emulator.base_url()
        );
        let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        credentials.apply_to(&mut request, Utc::now()).unwrap();
        let auth = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            auth.starts_with(&format!("{algorithm} Access={}, ", c.access_key)),
            "{auth}"
        );
        let http = reqwest::Client::new();
        assert_eq!(
            http.execute(request.try_clone().unwrap())
                .await
                .unwrap()
                .status(),
            200
        );
        let (head, signature) = auth.split_once("Signature=").unwrap();
        let flipped = format!(
            "{head}Signature={}{}",
            if signature.starts_with('3') { '4' } else { '3' },
            &signature[1..]
        );
        request
            .headers_mut()
            .insert("authorization", flipped.parse().unwrap());
        let answer = http.execute(request).await.unwrap();
        assert_eq!(answer.status(), 401, "{algorithm}");

        // A wrong secret key derives another key: refused, whatever the algorithm.
        let wrong = common::builder(&emulator)
            .credentials(
                Credentials::access_key(&c.access_key, "not-the-secret-key")
                    .signing_algorithm(algorithm),
            )
            .build()
            .unwrap();
        let error = wrong.list_commits(repo).send().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{algorithm}");
    }
    assert_eq!(
        Credentials::token("T")
            .signing_algorithm(SigningAlgorithm::Sm2Sm3)
            .signing_algorithm_value(),
        None
    );
    assert!(
        format!(
            "{:?}",
            Credentials::access_key("AK", "SECRET").signing_algorithm(SigningAlgorithm::HmacSm3)
        )
        .contains("HmacSm3")
    );
}

#[tokio::test]
async fn temporary_access_keys_work_only_with_their_signed_security_token() {
    let emulator = common::emulator(53).await;
    let temporary = &emulator.credentials().temporary;
    let other = &emulator.outsider_credentials().temporary;
    let repo = common::first_repository(&emulator);
    let client = |credentials: Credentials| {
        common::builder(&emulator)
            .credentials(credentials)
            .build()
            .unwrap()
    };
    let with = |token: &str| {
        Credentials::access_key(&temporary.access_key, &temporary.secret_key).security_token(token)
    };

    let page = client(with(&temporary.security_token))
        .list_commits(repo)
        .limit(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);

    for (credentials, says) in [
        (
            Credentials::access_key(&temporary.access_key, &temporary.secret_key),
            "send its security token in X-Security-Token",
        ),
        (
            with(&other.security_token),
            "does not belong to this access key",
        ),
    ] {
        let error = client(credentials)
            .list_commits(repo)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error}");
        assert!(error.message().unwrap_or("").contains(says), "{error}");
        assert!(!error.is_retryable());
    }

    // A token sent but left out of the signature is refused too.
    let mut request = reqwest::Request::new(
        reqwest::Method::GET,
        format!(
            "{}/v4/repositories/{repo}/last-push-event",
            emulator.base_url()
        )
        .parse()
        .unwrap(),
    );
    Credentials::access_key(&temporary.access_key, &temporary.secret_key)
        .apply_to(&mut request, Utc::now())
        .unwrap();
    request.headers_mut().insert(
        "x-security-token",
        temporary.security_token.parse().unwrap(),
    );
    let answer = reqwest::Client::new().execute(request).await.unwrap();
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap()
            .contains("not among the signed headers"),
        "{body}"
    );
}

#[tokio::test]
async fn tokens_wrong_tokens_and_outsiders() {
    let emulator = common::emulator(52).await;
    let repo = common::first_repository(&emulator);
    let good = common::token_client(&emulator);
    assert_eq!(
        good.list_commits(repo)
            .limit(3)
            .send()
            .await
            .unwrap()
            .items
            .len(),
        3
    );

    let wrong = common::builder(&emulator)
        .credentials(Credentials::token("wrong-token"))
        .build()
        .unwrap();
    let error = wrong.list_commits(repo).send().await.unwrap_err();
    assert_eq!(
        (error.status().unwrap().as_u16(), error.code()),
        (401, Some("CH.00000001"))
    );

    let outsider = emulator.outsider_credentials();
    for credentials in [
        Credentials::token(&outsider.token),
        Credentials::access_key(&outsider.access_key, &outsider.secret_key),
    ] {
        let client = common::builder(&emulator)
            .credentials(credentials)
            .build()
            .unwrap();
        let error = client.list_commits(repo).send().await.unwrap_err();
        assert_eq!(
            (error.status().unwrap().as_u16(), error.code()),
            (403, Some("CH.00401008"))
        );
    }
}

#[tokio::test]
async fn credentials_from_the_environment_reach_the_emulator() {
    let emulator = common::emulator(53).await;
    let c = emulator.credentials();
    let repo = common::first_repository(&emulator);
    let env_token = lookup(&[
        ("CODEARTS_REPO_TOKEN", &c.token),
        ("HUAWEICLOUD_SDK_AK", "ignored-as-token-wins"),
    ]);
    let env_aksk = lookup(&[
        ("HUAWEICLOUD_SDK_AK", &c.access_key),
        ("HUAWEICLOUD_SDK_SK", &c.secret_key),
        ("HUAWEICLOUD_SDK_PROJECT_ID", &c.project_id),
    ]);
    let from_token = Credentials::from_env_with(&env_token).unwrap();
    assert!(from_token.is_token());
    assert_eq!(from_token.source(), "CODEARTS_REPO_TOKEN");
    let from_aksk = Credentials::default_chain_with(&env_aksk).unwrap();
    assert_eq!(from_aksk.access_key_id(), Some(c.access_key.as_str()));
    assert_eq!(from_aksk.project_id_value(), Some(c.project_id.as_str()));
    assert!(!format!("{from_aksk:?}").contains(&c.secret_key));
    for credentials in [from_token, from_aksk] {
        let client = common::builder(&emulator)
            .credentials(credentials)
            .build()
            .unwrap();
        assert_eq!(
            client.last_push_event(repo).send().await.unwrap(),
            emulator.store().last_push_event(repo)
        );
    }
}

#[test]
fn half_set_or_missing_environment_credentials_name_the_variables() {
    let e = Credentials::from_env_with(&lookup(&[("HUAWEICLOUD_SDK_AK", "AK")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(
        e.to_string()
            .contains("HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not"),
        "{e}"
    );
    let e = Credentials::default_chain_with(&lookup(&[("HUAWEICLOUD_SDK_SK", "SK")])).unwrap_err();
    assert!(
        e.to_string()
            .contains("HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not"),
        "{e}"
    );
    assert!(
        !e.to_string().contains("SK\""),
        "the value is not echoed: {e}"
    );
    let e = Credentials::from_env_with(&lookup(&[("CODEARTS_REPO_TOKEN", " ")])).unwrap_err();
    assert!(e.to_string().contains("CODEARTS_REPO_TOKEN"), "{e}");

    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().to_str().unwrap();
    let e = Credentials::default_chain_with(&lookup(&[("HOME", home_path)])).unwrap_err();
    let text = e.to_string();
    for looked_at in [
        "CODEARTS_REPO_TOKEN",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        ".huaweicloud/credentials",
    ] {
        assert!(text.contains(looked_at), "{text}");
    }
    let missing = home.path().join("nope");
    let e = Credentials::default_chain_with(&lookup(&[(
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        missing.to_str().unwrap(),
    )]))
    .unwrap_err();
    assert!(
        e.to_string().contains("nope")
            && e.to_string().contains("HUAWEICLOUD_SDK_CREDENTIALS_FILE"),
        "{e}"
    );
}

#[tokio::test]
async fn credentials_from_the_file_named_by_the_variable_and_from_home() {
    let emulator = common::emulator(54).await;
    let c = emulator.credentials();
    let repo = common::first_repository(&emulator);
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".huaweicloud")).unwrap();
    let contents = format!(
        "[global]\nak = wrong\n\n[basic]\n# from the console\nak = {}\nsk = {}\nproject_id = {}\n",
        c.access_key, c.secret_key, c.project_id
    );
    let default_file = home.path().join(".huaweicloud/credentials");
    std::fs::write(&default_file, &contents).unwrap();
    let named = home.path().join("other-credentials");
    std::fs::write(&named, &contents).unwrap();

    let from_home =
        Credentials::default_chain_with(&lookup(&[("HOME", home.path().to_str().unwrap())]))
            .unwrap();
    assert_eq!(
        from_home.source(),
        format!("{} [basic]", default_file.display())
    );
    let from_named = Credentials::default_chain_with(&lookup(&[
        ("HOME", home.path().to_str().unwrap()),
        ("HUAWEICLOUD_SDK_CREDENTIALS_FILE", named.to_str().unwrap()),
    ]))
    .unwrap();
    assert_eq!(from_named.source(), format!("{} [basic]", named.display()));
    for credentials in [
        from_home,
        from_named,
        Credentials::from_file(&named).unwrap(),
    ] {
        let client = common::builder(&emulator)
            .credentials(credentials)
            .build()
            .unwrap();
        assert_eq!(
            client
                .list_recent_push_events()
                .size(3)
                .send()
                .await
                .unwrap()
                .items
                .len(),
            3
        );
    }

    std::fs::write(&named, "[basic]\nak = AK\n").unwrap();
    let e = Credentials::from_file(&named).unwrap_err();
    assert!(
        e.to_string().contains("other-credentials [basic]") && e.to_string().contains("`sk`"),
        "{e}"
    );
    let _ = repo;
}

#[tokio::test]
async fn ecs_metadata_credentials_are_fetched_once_and_again_ahead_of_expiry() {
    use codearts_repo_emulator::Emulator;
    use std::time::Duration;

    // A day's credentials: fetched before the first request, then reused.
    let emulator = common::emulator(53).await;
    let repo = common::first_repository(&emulator);
    let metadata = Credentials::ecs_metadata()
        .metadata_endpoint(emulator.base_url())
        .project_id(&emulator.credentials().project_id);
    assert!(format!("{metadata:?}").contains(emulator.base_url()));
    let client = common::builder(&emulator)
        .credentials(metadata.clone())
        .build()
        .unwrap();
    assert_eq!(
        emulator.metadata_requests(),
        0,
        "nothing is fetched at build"
    );
    for _ in 0..3 {
        let page = client.list_commits(repo).limit(2).send().await.unwrap();
        assert_eq!(page.items.len(), 2);
    }
    assert_eq!(emulator.metadata_requests(), 1);

    // Credentials expiring within 40 minutes are fetched again before each request, with
    // every signing algorithm.
    let short = Emulator::builder()
        .seed(54)
        .metadata_lifetime(Duration::from_secs(30 * 60))
        .start()
        .await
        .unwrap();
    let repo = short.repository_ids()[0];
    for (n, algorithm) in SigningAlgorithm::ALL.into_iter().enumerate() {
        let client = common::builder(&short)
            .credentials(
                Credentials::ecs_metadata()
                    .metadata_endpoint(short.base_url())
                    .signing_algorithm(algorithm),
            )
            .build()
            .unwrap();
        client.list_commits(repo).limit(1).send().await.unwrap();
        client.list_commits(repo).limit(1).send().await.unwrap();
        assert_eq!(short.metadata_requests(), 2 * (n as u64 + 1), "{algorithm}");
    }

    // No metadata service: the request fails as a credentials error naming the source,
    // never sent unsigned.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = common::builder(&emulator)
        .retry(codearts_repo::RetryConfig::disabled())
        .credentials(Credentials::ecs_metadata().metadata_endpoint(&nowhere))
        .build()
        .unwrap()
        .list_commits(repo)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Credentials, "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("ECS metadata at {nowhere}")),
        "{error}"
    );
    assert_eq!(emulator.metadata_requests(), 1);
}
