//! What the client asks of IAM, end to end over HTTP against the emulator playing IAM: the
//! project id of a region when none is given, and IdP federation's temporary credentials.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use codearts_repo::{Client, ClientBuilder, Credentials, Error, ErrorKind, ProjectIdProblem};
use codearts_repo_emulator::{Emulator, IamConfig};
use codearts_repo_gen::ClientInfo;

const REGION: &str = "cn-north-4";

async fn emulator(seed: u64, iam: IamConfig) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .iam(iam)
        .start()
        .await
        .expect("the emulator starts")
}

/// A builder for `region`, whose CodeArts Repo and IAM endpoints are the emulator, with the
/// variables `vars` besides.
fn regional(emulator: &Emulator, region: &str, vars: &[(&str, String)]) -> ClientBuilder {
    let mut env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    env.insert(
        format!(
            "HUAWEICLOUD_SDK_REGION_CODEARTSREPO_{}",
            region.to_ascii_uppercase().replace('-', "_")
        ),
        emulator.base_url().to_string(),
    );
    env.insert(
        "HUAWEICLOUD_SDK_IAM_ENDPOINT".into(),
        emulator.base_url().to_string(),
    );
    Client::builder()
        .region(region)
        .allow_http(true)
        .retry(common::quick_retries(2))
        .env_lookup(move |name| env.get(name).cloned())
}

async fn project_header(client: &Client) -> String {
    let auth = client
        .wire()
        .inner()
        .auth
        .current()
        .await
        .expect("credentials");
    format!("{auth:?}")
}

#[tokio::test]
async fn the_project_id_is_asked_of_iam_once_for_concurrent_requests() {
    let emulator = emulator(
        61,
        IamConfig::default().projects(REGION, ["0a1b2c3d4e5f60718293a4b5c6d7e8f9"]),
    )
    .await;
    let repo = emulator.repository_ids()[0];
    let user = emulator.credentials();
    let client = regional(&emulator, REGION, &[])
        .credentials(Credentials::access_key(&user.access_key, &user.secret_key))
        .build()
        .unwrap();
    assert_eq!(
        emulator.iam_requests(),
        (0, 0, 0),
        "nothing is asked at build"
    );
    let pages =
        futures::future::join_all((0..8).map(|_| client.list_commits(repo).limit(2).send())).await;
    for page in pages {
        assert_eq!(page.unwrap().items.len(), 2);
    }
    assert_eq!(
        emulator.iam_requests().0,
        1,
        "one project list for 8 requests"
    );
    assert!(
        project_header(&client)
            .await
            .contains("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    );

    // Another client of the same key, region and IAM uses the process's cache.
    let again = regional(&emulator, REGION, &[])
        .credentials(Credentials::access_key(&user.access_key, &user.secret_key))
        .build()
        .unwrap();
    again.list_commits(repo).limit(1).send().await.unwrap();
    assert_eq!(emulator.iam_requests().0, 1);

    // A given project id is used as given: IAM is not asked.
    let given = regional(&emulator, "cn-south-1", &[])
        .credentials(
            Credentials::access_key(&user.access_key, &user.secret_key)
                .project_id(&user.project_id),
        )
        .build()
        .unwrap();
    given.list_commits(repo).limit(1).send().await.unwrap();
    assert_eq!(emulator.iam_requests().0, 1);
}

#[tokio::test]
async fn a_region_with_no_project_or_several_is_a_typed_error() {
    let emulator = emulator(
        62,
        IamConfig::default()
            .projects("cn-south-1", Vec::<String>::new())
            .projects("cn-east-3", ["p1", "p2"]),
    )
    .await;
    let repo = emulator.repository_ids()[0];
    let user = emulator.credentials();
    for (region, expected) in [
        ("cn-south-1", ProjectIdProblem::NoProject),
        (
            "cn-east-3",
            ProjectIdProblem::Several(vec!["p1".into(), "p2".into()]),
        ),
    ] {
        let client = regional(&emulator, region, &[])
            .credentials(Credentials::access_key(&user.access_key, &user.secret_key))
            .build()
            .unwrap();
        let error = client.list_commits(repo).send().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ProjectId, "{error}");
        let Error::ProjectId {
            region: named,
            problem,
            trace_id,
            iam_endpoint,
            ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!((named.as_str(), problem), (region, &expected));
        assert_eq!(iam_endpoint, emulator.base_url());
        assert!(trace_id.is_some(), "{error}");
        assert!(error.to_string().contains(region), "{error}");
    }
    // A wrong secret key: IAM's refusal, in the same error.
    let client = regional(&emulator, "cn-north-1", &[])
        .credentials(Credentials::access_key(&user.access_key, "wrong-secret"))
        .build()
        .unwrap();
    let error = client.list_commits(repo).send().await.unwrap_err();
    assert!(
        matches!(&error, Error::ProjectId { problem: ProjectIdProblem::Failed(m), .. } if m.contains("401")),
        "{error}"
    );
}

fn token_file(emulator: &Emulator) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("id_token");
    std::fs::write(&path, format!("{}\n", emulator.iam_idp().1)).unwrap();
    (dir, path)
}

#[tokio::test]
async fn idp_federation_exchanges_the_id_token_once_and_again_ahead_of_expiry() {
    let emulator = emulator(63, IamConfig::default()).await;
    let repo = emulator.repository_ids()[0];
    let (_dir, path) = token_file(&emulator);
    let idp = emulator.iam_idp().0.to_string();
    let vars = [
        ("HUAWEICLOUD_SDK_IDP_ID", idp.clone()),
        ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", path.display().to_string()),
    ];
    // From the variables, in a region without a project id: the temporary keys sign the
    // project list too.
    let client = regional(&emulator, REGION, &vars).build().unwrap();
    assert_eq!(
        client.credentials_source(),
        "HUAWEICLOUD_SDK_IDP_ID/HUAWEICLOUD_SDK_ID_TOKEN_FILE"
    );
    let pages =
        futures::future::join_all((0..8).map(|_| client.list_commits(repo).limit(2).send())).await;
    for page in pages {
        assert_eq!(page.unwrap().items.len(), 2);
    }
    assert_eq!(
        emulator.iam_requests(),
        (1, 1, 1),
        "one exchange for 8 requests"
    );

    // Keys expiring within 40 minutes are exchanged again before each request.
    let short = self::emulator(
        64,
        IamConfig::default().temporary_key_lifetime(Duration::from_secs(30 * 60)),
    )
    .await;
    let (_dir2, path2) = token_file(&short);
    let client = common::builder(&short)
        .iam_endpoint(short.base_url())
        .credentials(Credentials::idp(short.iam_idp().0, &path2))
        .build()
        .unwrap();
    let repo = short.repository_ids()[0];
    for _ in 0..3 {
        client.list_commits(repo).limit(1).send().await.unwrap();
    }
    assert_eq!(short.iam_requests(), (0, 3, 3));
}

#[tokio::test]
async fn expired_temporary_keys_are_refused_by_the_service() {
    let emulator = emulator(
        65,
        IamConfig::default().temporary_key_lifetime(Duration::from_secs(1)),
    )
    .await;
    let (_dir, path) = token_file(&emulator);
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let token = http
        .post(format!("{base}/v3.0/OS-AUTH/id-token/tokens"))
        .header("X-Idp-Id", emulator.iam_idp().0)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(format!(
            r#"{{"auth":{{"id_token":{{"id":"{}"}}}}}}"#,
            std::fs::read_to_string(&path).unwrap().trim()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 201);
    assert!(token.headers().get("x-iam-trace-id").is_some());
    let token = token.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_string();
    let keys: serde_json::Value = http
        .post(format!("{base}/v3.0/OS-CREDENTIAL/securitytokens"))
        .body(format!(
            r#"{{"auth":{{"identity":{{"methods":["token"],"token":{{"id":"{token}","duration_seconds":900}}}}}}}}"#
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let credential = &keys["credential"];
    let text = |name: &str| credential[name].as_str().unwrap().to_string();
    let credentials = Credentials::access_key(text("access"), text("secret"))
        .security_token(text("securitytoken"));
    let repo = emulator.repository_ids()[0];
    let client = common::builder(&emulator)
        .retry(codearts_repo::RetryConfig::disabled())
        .credentials(credentials)
        .build()
        .unwrap();
    client.list_commits(repo).limit(1).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let error = client.list_commits(repo).limit(1).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error}");
    assert!(error.to_string().contains("expired"), "{error}");
}

#[tokio::test]
async fn federation_failures_name_the_source() {
    let emulator = emulator(66, IamConfig::default()).await;
    let repo = emulator.repository_ids()[0];
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "not-the-token").unwrap();
    let idp = emulator.iam_idp().0.to_string();
    let client = common::builder(&emulator)
        .iam_endpoint(emulator.base_url())
        .credentials(Credentials::idp(&idp, &wrong))
        .build()
        .unwrap();
    let error = client.list_commits(repo).send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Credentials, "{error}");
    let text = error.to_string();
    assert!(
        text.contains(&idp) && text.contains("401") && text.contains("wrong"),
        "{text}"
    );
    assert!(!text.contains("not-the-token"), "{text}");

    // A missing token file is named.
    let missing = dir.path().join("missing");
    let error = common::builder(&emulator)
        .iam_endpoint(emulator.base_url())
        .credentials(Credentials::idp(&idp, &missing))
        .build()
        .unwrap()
        .list_commits(repo)
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("cannot read the id token file"),
        "{error}"
    );

    // A half-set source is an error at build, naming the variable.
    for (set, unset) in [
        ("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE"),
        ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "HUAWEICLOUD_SDK_IDP_ID"),
    ] {
        let error = Client::builder()
            .endpoint(emulator.base_url())
            .allow_http(true)
            .env_lookup(move |name| (name == set).then(|| "x".to_string()))
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Credentials);
        assert!(
            error
                .to_string()
                .contains(&format!("{set} is set but {unset} is not")),
            "{error}"
        );
    }
    // An http IAM endpoint needs allow_http.
    let error = Client::builder()
        .region(REGION)
        .iam_endpoint(emulator.base_url())
        .credentials(Credentials::idp(&idp, &wrong))
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
}

#[tokio::test]
async fn the_credentials_file_names_the_idp_and_the_iam_endpoint() {
    let emulator = emulator(67, IamConfig::default()).await;
    let repo = emulator.repository_ids()[0];
    let (dir, path) = token_file(&emulator);
    let file = dir.path().join("credentials");
    std::fs::write(
        &file,
        format!(
            "[basic]\nidp_id = {}\nid_token_file = {}\niam_endpoint = {}\n",
            emulator.iam_idp().0,
            path.display(),
            emulator.base_url()
        ),
    )
    .unwrap();
    let found = Credentials::from_file(&file).unwrap();
    assert_eq!(found.iam_endpoint_value(), Some(emulator.base_url()));
    let file_var = file.display().to_string();
    let client = common::builder(&emulator)
        .env_lookup(move |name| {
            (name == "HUAWEICLOUD_SDK_CREDENTIALS_FILE").then(|| file_var.clone())
        })
        .build()
        .unwrap();
    client.list_commits(repo).limit(1).send().await.unwrap();
    assert_eq!(emulator.iam_requests(), (0, 1, 1));

    // Half set in the file: an error naming the file and the key.
    std::fs::write(&file, "[basic]\nidp_id = x\nak = AK\nsk = SK\n").unwrap();
    let error = Credentials::from_file(&file).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`idp_id` is set but `id_token_file` is not"),
        "{error}"
    );
}
