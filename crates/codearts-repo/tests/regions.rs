//! Region overrides end to end: a region the built-in table does not list is served at the
//! endpoint given by `HUAWEICLOUD_SDK_REGION_CODEARTSREPO_<REGION>` or by the regions file,
//! as with the official SDKs. The variables are given through `ClientBuilder::env_lookup`
//! (changing the process environment would race with other tests).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use codearts_repo::region::{REGIONS_FILE_VAR, region_env_var};
use codearts_repo::{Client, Credentials, ErrorKind};

#[tokio::test]
async fn unlisted_regions_work_through_the_variable_and_the_regions_file() {
    let emulator = common::emulator(61).await;
    let token = Credentials::token(&emulator.credentials().token);
    let repo = common::first_repository(&emulator);
    let env: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let client_for = |region: &str, allow_http: bool| {
        let env = env.clone();
        Client::builder()
            .region(region)
            .allow_http(allow_http)
            .credentials(token.clone())
            .env_lookup(move |name| env.lock().unwrap().get(name).cloned())
            .build()
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regions.yaml");
    let set = |name: &str, value: &str| {
        env.lock()
            .unwrap()
            .insert(name.to_string(), value.to_string());
    };
    let unset = |name: &str| {
        env.lock().unwrap().remove(name);
    };
    set("HOME", dir.path().to_str().unwrap());

    // Unknown everywhere: refused at build, naming the variable that would make it work.
    let error = client_for("mars-1", true).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(
        error
            .to_string()
            .contains("HUAWEICLOUD_SDK_REGION_CODEARTSREPO_MARS_1"),
        "{error}"
    );

    // The variable: several endpoints allowed, the first used.
    let var = region_env_var("mars-1");
    set(
        &var,
        &format!("{},https://unused.example.com", emulator.base_url()),
    );
    let client = client_for("mars-1", true).unwrap();
    assert_eq!(client.region(), Some("mars-1"));
    let page = client.list_commits(repo).limit(2).send().await.unwrap();
    assert_eq!(page.items.len(), 2);
    // An http:// override still needs allow_http, as a custom endpoint does.
    assert_eq!(
        client_for("mars-1", false).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    unset(&var);

    // The regions file named by the variable; then the default one under HOME.
    std::fs::write(
        &file,
        format!(
            "CodeArtsRepo:\n  - id: mars-1\n    endpoint: {}\n",
            emulator.base_url()
        ),
    )
    .unwrap();
    set(REGIONS_FILE_VAR, file.to_str().unwrap());
    let page = client_for("mars-1", true)
        .unwrap()
        .list_commits(repo)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    // A listed region is overridden too: cn-north-4 now answers from the emulator.
    assert!(client_for("cn-north-4", true).is_ok());
    unset(REGIONS_FILE_VAR);
    std::fs::create_dir_all(dir.path().join(".huaweicloud")).unwrap();
    std::fs::rename(&file, dir.path().join(".huaweicloud/regions.yaml")).unwrap();
    let page = client_for("mars-1", true)
        .unwrap()
        .list_repository_events(repo)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);

    // The variable wins over the file.
    set(&var, "http://127.0.0.1:9");
    let error = client_for("mars-1", true)
        .unwrap()
        .list_commits(repo)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    unset(&var);

    // A broken file fails the build and names the file.
    std::fs::write(
        dir.path().join(".huaweicloud/regions.yaml"),
        "CODEARTSREPO: [",
    )
    .unwrap();
    let error = client_for("mars-1", true).unwrap_err();
    assert!(error.to_string().contains("regions.yaml"), "{error}");
}

/// Counts the attempts that failed to connect.
#[derive(Default)]
struct Failures(std::sync::atomic::AtomicU32, std::sync::atomic::AtomicU32);

impl codearts_repo::Interceptor for Failures {
    fn after_attempt(&self, attempt: &codearts_repo::Attempt<'_>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if attempt.failure.is_some() {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

#[tokio::test]
async fn a_region_fails_over_to_its_next_endpoint_when_one_cannot_be_reached() {
    use std::sync::atomic::Ordering;
    let emulator = common::emulator(62).await;
    let repo = common::first_repository(&emulator);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let var = region_env_var("mars-2");
    let value = format!("{nowhere},{}", emulator.base_url());
    let failures = Arc::new(Failures::default());
    let client = Client::builder()
        .region("mars-2")
        .allow_http(true)
        .retry(codearts_repo::RetryConfig::disabled())
        .credentials(Credentials::token(&emulator.credentials().token))
        .interceptor(failures.clone())
        .env_lookup(move |name| (name == var).then(|| value.clone()))
        .build()
        .unwrap();
    assert_eq!(client.endpoint(), nowhere);
    // Retries disabled: the failover is not a retry. The first endpoint refuses the
    // connection, the second answers.
    let page = client.list_commits(repo).limit(2).send().await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(failures.0.load(Ordering::Relaxed), 2);
    assert_eq!(failures.1.load(Ordering::Relaxed), 1);
    // Later requests go to the endpoint that answered.
    client.list_commits(repo).limit(2).send().await.unwrap();
    assert_eq!(failures.0.load(Ordering::Relaxed), 3);
    assert_eq!(failures.1.load(Ordering::Relaxed), 1);

    // Every endpoint unreachable: a transport error after trying each once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let also_nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let var = region_env_var("mars-3");
    let value = format!("{nowhere},{also_nowhere}");
    let failures = Arc::new(Failures::default());
    let error = Client::builder()
        .region("mars-3")
        .allow_http(true)
        .retry(codearts_repo::RetryConfig::disabled())
        .credentials(Credentials::token("t"))
        .interceptor(failures.clone())
        .env_lookup(move |name| (name == var).then(|| value.clone()))
        .build()
        .unwrap()
        .list_commits(repo)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(failures.1.load(Ordering::Relaxed), 2);
}
