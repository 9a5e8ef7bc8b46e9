//! The generated data: deterministic from the seed, shaped as configured, realistic, and
//! large sets load (their speed is measured by the `bench_emulator` example, not here).

mod common;

use std::collections::{BTreeSet, HashSet};

use codearts_repo_emulator::{Emulator, EmulatorError, SyntheticConfig};

async fn start(seed: u64, config: SyntheticConfig) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .synthetic(config)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_credentials() {
    let config = SyntheticConfig::default()
        .repositories(2)
        .commits_per_repository(300)
        .events_per_repository(80);
    let a = start(5, config.clone()).await;
    let b = start(5, config.clone()).await;
    let c = start(6, config).await;
    assert_eq!(a.credentials(), b.credentials());
    assert_eq!(a.outsider_credentials(), b.outsider_credentials());
    assert_eq!(a.repository_ids(), b.repository_ids());
    for repo in a.repository_ids() {
        assert_eq!(a.store().events(repo), b.store().events(repo));
        assert_eq!(
            a.store().commits(repo, None).unwrap(),
            b.store().commits(repo, None).unwrap()
        );
    }
    assert_ne!(a.credentials(), c.credentials());
    assert_ne!(
        a.store().commits(a.repository_ids()[0], None).unwrap(),
        c.store().commits(c.repository_ids()[0], None).unwrap()
    );
    // Request ids are unique per answer and repeat with the seed.
    let path = "/v4/user/recent-push-events?size=1";
    let ids_a = [common::ok(&a, path).await, common::ok(&a, path).await]
        .map(|r| r.header("x-request-id").unwrap().to_string());
    let ids_b = [common::ok(&b, path).await, common::ok(&b, path).await]
        .map(|r| r.header("x-request-id").unwrap().to_string());
    assert_ne!(ids_a[0], ids_a[1]);
    assert_eq!(ids_a, ids_b);
}

#[tokio::test]
async fn the_data_has_the_configured_shape_and_looks_real() {
    let emu = start(
        8,
        SyntheticConfig::default()
            .repositories(4)
            .commits_per_repository(700)
            .events_per_repository(120)
            .users(6),
    )
    .await;
    let store = emu.store();
    let ids = emu.repository_ids();
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        store.readable_repository_ids(emu.outsider_credentials().user_id),
        Vec::<u32>::new()
    );
    let credentials = emu.credentials();
    assert_eq!(credentials.project_id.len(), 32);
    assert!(
        credentials
            .project_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    for repo in &ids {
        assert_eq!(store.commit_count(*repo), 700);
        assert_eq!(store.events(*repo).len(), 120);
        let all: HashSet<String> = store
            .branches(*repo)
            .iter()
            .chain(store.tags(*repo).iter())
            .flat_map(|(name, _)| store.commits(*repo, Some(name)).unwrap())
            .map(|c| c.id.expect("the emulator gives every commit its id"))
            .collect();
        assert_eq!(
            all.len(),
            700,
            "every commit is reachable from a branch or tag"
        );
        let history = store.commits(*repo, None).unwrap();
        let days: BTreeSet<String> = history
            .iter()
            .map(|c| c.committed_date.as_ref().unwrap().as_str()[..10].to_string())
            .collect();
        assert!(days.len() > 20, "commits spread over days");
        let authors: BTreeSet<String> = history
            .iter()
            .map(|c| c.author_name.clone().unwrap())
            .collect();
        assert!(authors.len() >= 3, "several authors: {authors:?}");
        assert!(history.iter().any(|c| c.parent_ids.len() == 2), "merges");
        assert!(
            history.iter().any(|c| !c.relate_url.is_empty()),
            "linked work items"
        );
        assert!(
            history.iter().any(|c| c.open_gpg_verified == Some(true)),
            "signed commits"
        );
        assert!(
            history
                .iter()
                .any(|c| c.message.as_ref().unwrap().contains("\n\n")),
            "messages with bodies"
        );
        for commit in &history {
            let id = commit.id.as_deref().unwrap();
            assert_eq!(id.len(), 40);
            assert_eq!(commit.short_id.as_deref(), Some(&id[..8]));
            assert_eq!(
                commit.title.as_deref(),
                commit.message.as_deref().and_then(|m| m.lines().next())
            );
            assert!(
                commit.authored_date.as_ref().unwrap().to_utc()
                    <= commit.committed_date.as_ref().unwrap().to_utc()
            );
        }
        // A parent is never committed after its child.
        let dates: std::collections::HashMap<&str, _> = history
            .iter()
            .map(|c| {
                (
                    c.id.as_deref().unwrap(),
                    c.committed_date.as_ref().unwrap().to_utc().unwrap(),
                )
            })
            .collect();
        for commit in &history {
            for parent in &commit.parent_ids {
                assert!(dates[parent.as_str()] <= dates[commit.id.as_deref().unwrap()]);
            }
        }
        let kinds: BTreeSet<String> = store
            .events(*repo)
            .iter()
            .map(|e| e.action_name.as_ref().unwrap().as_str().to_string())
            .collect();
        assert!(
            kinds.contains("pushed new") && kinds.contains("pushed to"),
            "{kinds:?}"
        );
    }
    let deleted = ids
        .iter()
        .flat_map(|r| store.events(*r))
        .filter(|e| e.action_name.as_ref().unwrap().as_str() == "deleted")
        .count();
    assert!(deleted > 0, "branches get deleted after their merge");
}

#[tokio::test]
async fn edge_shapes_are_served() {
    // No commits: no events, an empty commit list and an empty last push.
    let emu = start(
        9,
        SyntheticConfig::default()
            .repositories(1)
            .commits_per_repository(0)
            .events_per_repository(10),
    )
    .await;
    let repo = emu.repository_ids()[0];
    assert!(emu.store().events(repo).is_empty());
    let reply = common::ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list"),
    )
    .await;
    assert_eq!(reply.body, serde_json::json!({}));
    let reply = common::ok(&emu, &format!("/v4/repositories/{repo}/last-push-event")).await;
    assert_eq!(reply.body, serde_json::json!({}));
    let reply = common::ok(&emu, &format!("/v4/repositories/{repo}/events")).await;
    assert_eq!(reply.header("x-total"), Some("0"));

    // More events than commits, and commits without events.
    let emu = start(
        10,
        SyntheticConfig::default()
            .repositories(2)
            .commits_per_repository(5)
            .events_per_repository(40)
            .users(1),
    )
    .await;
    for repo in emu.repository_ids() {
        assert_eq!(emu.store().commit_count(repo), 5);
        assert_eq!(emu.store().events(repo).len(), 40);
    }
    let emu = start(
        11,
        SyntheticConfig::default()
            .repositories(1)
            .commits_per_repository(30)
            .events_per_repository(0),
    )
    .await;
    let repo = emu.repository_ids()[0];
    assert_eq!(emu.store().commit_count(repo), 30);
    assert_eq!(
        common::ok(&emu, &format!("/v4/repositories/{repo}/last-push-event"))
            .await
            .body,
        serde_json::json!({})
    );

    let error = Emulator::builder()
        .synthetic(SyntheticConfig::default().users(20_000))
        .start()
        .await
        .expect_err("refused");
    assert!(matches!(error, EmulatorError::InvalidConfig(_)), "{error}");
}

#[tokio::test]
async fn a_large_set_loads_and_pages() {
    let emu = start(
        12,
        SyntheticConfig::default()
            .repositories(1)
            .commits_per_repository(100_000)
            .events_per_repository(10_000)
            .users(10),
    )
    .await;
    let repo = emu.repository_ids()[0];
    assert_eq!(emu.store().commit_count(repo), 100_000);
    let reply = common::ok(
        &emu,
        &format!("/v4/repositories/{repo}/events?offset=9990&limit=100"),
    )
    .await;
    assert_eq!(reply.header("x-total"), Some("10000"));
    assert_eq!(reply.body.as_array().unwrap().len(), 10);
    let reply = common::ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?offset=99950&limit=100"),
    )
    .await;
    let listed = reply.body["commits"].as_array().unwrap().len();
    let on_default = emu.store().commits(repo, None).unwrap().len();
    assert_eq!(listed, on_default.saturating_sub(99_950).min(100));
}

#[test]
fn emulator_errors_read_well() {
    let error =
        EmulatorError::InvalidConfig("fault rate x is 2, expected a value in 0.0..=1.0".into());
    assert_eq!(
        error.to_string(),
        "invalid emulator setting: fault rate x is 2, expected a value in 0.0..=1.0"
    );
}
