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
