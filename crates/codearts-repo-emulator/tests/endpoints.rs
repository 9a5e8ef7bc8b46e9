//! The four endpoints over HTTP: every parameter, compared with the emulator's store, with
//! every body validated against the spec.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use codearts_repo_emulator::{CommitQuery, EventQuery};
use common::{emulator, ok};
use serde_json::Value;

fn commit_ids(body: &Value) -> Vec<String> {
    body["commits"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| c["id"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn encode(value: &str) -> String {
    codearts_repo_runtime::signing::encode(value)
}

#[tokio::test]
async fn events_page_newest_first_with_total_and_defaults() {
    let emu = emulator(11).await;
    let repo = emu.repository_ids()[0];
    let all = emu.store().events(repo);
    assert_eq!(all.len(), 150);
    let reply = ok(&emu, &format!("/v4/repositories/{repo}/events")).await;
    assert_eq!(reply.header("x-total"), Some("150"));
    let page = reply.body.as_array().unwrap();
    assert_eq!(page.len(), 20, "limit defaults to 20");
    assert_eq!(page[0], serde_json::to_value(&all[0]).unwrap());
    let times: Vec<DateTime<Utc>> = all
        .iter()
        .map(|e| e.created_at.as_ref().unwrap().to_utc().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/events?offset=140&limit=100&filter=push"),
    )
    .await;
    assert_eq!(reply.body.as_array().unwrap().len(), 10);
    assert_eq!(reply.header("x-total"), Some("150"));
    assert_eq!(reply.body[0], serde_json::to_value(&all[140]).unwrap());
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/events?offset=150&filter=all"),
    )
    .await;
    assert_eq!(reply.body, Value::Array(vec![]));
    assert_eq!(reply.header("x-total"), Some("150"));
}

#[tokio::test]
async fn events_filter_by_author_and_exclusive_bounds() {
    let emu = emulator(12).await;
    let store = emu.store();
    let repo = emu.repository_ids()[1];
    let all = store.events(repo);
    let author = all[3].author_id.unwrap().get();
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/events?author_id={author}&limit=100"),
    )
    .await;
    let expected: Vec<_> = all
        .iter()
        .filter(|e| e.author_id.unwrap().get() == author)
        .collect();
    assert_eq!(
        reply.header("x-total"),
        Some(expected.len().to_string().as_str())
    );
    assert!(
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["author_id"] == author)
    );

    // `after` is the exclusive lower bound, `before` the exclusive upper bound.
    let upper = all[10].created_at.as_ref().unwrap().as_str().to_string();
    let lower = all[40].created_at.as_ref().unwrap().as_str().to_string();
    let reply = ok(
        &emu,
        &format!(
            "/v4/repositories/{repo}/events?after={}&before={}&limit=100",
            encode(&lower),
            encode(&upper)
        ),
    )
    .await;
    let got = reply.body.as_array().unwrap();
    assert_eq!(got.len(), 29, "events 11..=39 lie strictly between");
    assert_eq!(got[0], serde_json::to_value(&all[11]).unwrap());
    assert_eq!(got[28], serde_json::to_value(&all[39]).unwrap());
    let page = store
        .list_events(
            repo,
            &EventQuery {
                after: Some(all[40].created_at.as_ref().unwrap().to_utc().unwrap()),
                before: Some(all[10].created_at.as_ref().unwrap().to_utc().unwrap()),
                limit: 100,
                ..EventQuery::default()
            },
        )
        .unwrap();
    assert_eq!(page.total, 29);

    // A bare date means midnight UTC.
    let day = &lower[..10];
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/events?before={day}&limit=100"),
    )
    .await;
    let midnight: DateTime<Utc> = format!("{day}T00:00:00Z").parse().unwrap();
    let expected = all
        .iter()
        .filter(|e| e.created_at.as_ref().unwrap().to_utc().unwrap() < midnight)
        .count();
    assert_eq!(reply.header("x-total"), Some(expected.to_string().as_str()));
}

#[tokio::test]
async fn pushes_are_consistent_with_the_commits() {
    let emu = emulator(13).await;
    let store = emu.store();
    for repo in emu.repository_ids() {
        let events = store.events(repo);
        let known: std::collections::HashSet<String> = store
            .branches(repo)
            .iter()
            .chain(store.tags(repo).iter())
            .flat_map(|(name, _)| store.commits(repo, Some(name)).unwrap())
            .map(|c| c.id.unwrap())
            .collect();
        let mut tips: BTreeMap<String, String> = BTreeMap::new();
        let mut kinds = BTreeMap::new();
        for event in events.iter().rev() {
            let data = event.push_data.as_ref().unwrap();
            let name = data.ref_.clone().unwrap();
            let action = event.action_name.as_ref().unwrap().as_str().to_string();
            *kinds.entry(action.clone()).or_insert(0) += 1;
            match action.as_str() {
                "pushed new" => {
                    assert_eq!(data.commit_from, None);
                    assert!(!tips.contains_key(&name), "{name} created twice");
                }
                "pushed to" => {
                    assert_eq!(
                        data.commit_from.as_ref(),
                        tips.get(&name),
                        "{name} continues from its tip"
                    );
                    assert!(data.commit_count.unwrap() >= 1);
                }
                "deleted" => {
                    assert_eq!(data.commit_to, None);
                    tips.remove(&name);
                    continue;
                }
                other => panic!("unexpected action {other}"),
            }
            let to = data.commit_to.clone().unwrap();
            assert!(known.contains(&to), "pushed commit {to} exists");
            if data.commit_count.unwrap() > 0 {
                let commit = store.commits(repo, Some(&to)).unwrap().remove(0);
                assert_eq!(data.commit_title, commit.title);
                // The pushed commits were made before the push.
                assert!(
                    commit.committed_date.unwrap().to_utc()
                        <= event.created_at.as_ref().unwrap().to_utc()
                );
            }
            tips.insert(name, to);
        }
        for (branch, tip) in store.branches(repo) {
            assert_eq!(
                tips.get(&branch),
                Some(&tip),
                "the last push of {branch} is its tip"
            );
        }
        assert!(kinds.get("pushed new").copied().unwrap_or(0) > 0);
        assert!(kinds.get("pushed to").copied().unwrap_or(0) > 0);
    }
}

#[tokio::test]
async fn last_push_event_is_the_newest_push() {
    let emu = emulator(14).await;
    let repo = emu.repository_ids()[2];
    let newest = emu.store().events(repo).remove(0);
    let reply = ok(&emu, &format!("/v4/repositories/{repo}/last-push-event")).await;
    assert_eq!(reply.body["ref"], newest.push_data.unwrap().ref_.unwrap());
    assert_eq!(reply.body["repository"]["id"], repo);
    let at: DateTime<Utc> = reply.body["created_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(Some(at), newest.created_at.unwrap().to_utc());
}

#[tokio::test]
async fn recent_push_events_are_the_callers_own_newest_first() {
    let emu = emulator(15).await;
    let me = emu.credentials().user_id;
    let reply = ok(&emu, "/v4/user/recent-push-events").await;
    let got = reply.body.as_array().unwrap();
    assert_eq!(got.len(), 10, "size defaults to 10");
    assert!(got.iter().all(|e| e["author"]["id"] == me));
    let mut all: Vec<(DateTime<Utc>, u64)> = Vec::new();
    for repo in emu.repository_ids() {
        for event in emu.store().events(repo) {
            if event.author_id.unwrap().get() == me {
                all.push((event.created_at.unwrap().to_utc().unwrap(), u64::from(repo)));
            }
        }
    }
    all.sort_by(|a, b| b.cmp(a));
    let got_times: Vec<DateTime<Utc>> = got
        .iter()
        .map(|e| e["created_at"].as_str().unwrap().parse().unwrap())
        .collect();
    let expected: Vec<DateTime<Utc>> = all.iter().take(10).map(|(t, _)| *t).collect();
    assert_eq!(got_times, expected);

    let reply = ok(&emu, "/v4/user/recent-push-events?size=100").await;
    assert_eq!(reply.body.as_array().unwrap().len(), all.len().min(100));
    let reply = ok(&emu, "/v4/user/recent-push-events?size=1").await;
    assert_eq!(reply.body.as_array().unwrap().len(), 1);

    let project = emu.credentials().project_id.clone();
    let reply = ok(
        &emu,
        &format!("/v4/user/recent-push-events?size=100&project_id={project}"),
    )
    .await;
    let in_project = reply.body.as_array().unwrap();
    assert!(!in_project.is_empty());
    assert!(
        in_project.len() < all.len().min(100),
        "the second project's pushes are left out"
    );
    assert!(
        in_project
            .iter()
            .all(|e| e["repository"]["project_id"] == project.as_str())
    );
    let reply = ok(
        &emu,
        &format!("/v4/user/recent-push-events?project_id={}", "0".repeat(32)),
    )
    .await;
    assert_eq!(reply.body, Value::Array(vec![]));
}

#[tokio::test]
async fn commit_list_pages_and_counts_days() {
    let emu = emulator(16).await;
    let store = emu.store();
    let repo = emu.repository_ids()[0];
    let history = store.commits(repo, None).unwrap();
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list"),
    )
    .await;
    let got = commit_ids(&reply.body);
    assert_eq!(got.len(), 20, "limit defaults to 20");
    assert_eq!(
        got,
        history
            .iter()
            .take(20)
            .map(|c| c.id.clone().unwrap())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        reply.body["commits"][0],
        serde_json::to_value(&history[0]).unwrap()
    );

    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?offset=5&limit=100"),
    )
    .await;
    let got = commit_ids(&reply.body);
    assert_eq!(
        got,
        history
            .iter()
            .skip(5)
            .take(100)
            .map(|c| c.id.clone().unwrap())
            .collect::<Vec<_>>()
    );
    // date_title counts the returned commits per day of their commit date.
    let mut days: BTreeMap<String, i64> = BTreeMap::new();
    for commit in reply.body["commits"].as_array().unwrap() {
        *days
            .entry(commit["committed_date"].as_str().unwrap()[..10].to_string())
            .or_default() += 1;
    }
    let titles: BTreeMap<String, i64> = reply.body["date_title"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["commits_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(titles, days);
    let order: Vec<&str> = reply.body["date_title"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["day"].as_str().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] > w[1]), "newest day first");

    let beyond = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?offset=100000"),
    )
    .await;
    assert_eq!(commit_ids(&beyond.body), Vec::<String>::new());
}

#[tokio::test]
async fn commit_list_ref_name_accepts_branches_tags_and_commit_ids() {
    let emu = emulator(17).await;
    let store = emu.store();
    let repo = emu.repository_ids()[0];
    let branches = store.branches(repo);
    let odd = branches
        .iter()
        .find(|(name, _)| name.contains('#') || name.contains('&') || !name.is_ascii())
        .or_else(|| branches.iter().find(|(name, _)| name.contains('/')))
        .expect("a branch whose name needs encoding")
        .clone();
    let reply = ok(
        &emu,
        &format!(
            "/v4/repositories/{repo}/repository/commit-list?ref_name={}&limit=100",
            encode(&odd.0)
        ),
    )
    .await;
    assert_eq!(commit_ids(&reply.body)[0], odd.1);
    assert_eq!(
        commit_ids(&reply.body),
        store
            .commits(repo, Some(&odd.0))
            .unwrap()
            .iter()
            .take(100)
            .map(|c| c.id.clone().unwrap())
            .collect::<Vec<_>>()
    );
    let (tag, tag_tip) = store.tags(repo).into_iter().next().expect("a tag");
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?ref_name={tag}&limit=1"),
    )
    .await;
    assert_eq!(commit_ids(&reply.body), vec![tag_tip.clone()]);
    let history = store.commits(repo, None).unwrap();
    let middle = &history[50];
    for reference in [
        middle.id.clone().unwrap(),
        middle.id.as_deref().unwrap()[..10].to_string(),
        middle.id.as_deref().unwrap().to_uppercase(),
    ] {
        let reply = ok(
            &emu,
            &format!("/v4/repositories/{repo}/repository/commit-list?ref_name={reference}&limit=3"),
        )
        .await;
        assert_eq!(
            commit_ids(&reply.body)[0],
            middle.id.clone().unwrap(),
            "ref_name={reference}"
        );
    }
}

#[tokio::test]
async fn commit_list_filters_match_the_store() {
    let emu = emulator(18).await;
    let store = emu.store();
    let repo = emu.repository_ids()[1];
    let history = store.commits(repo, None).unwrap();
    let date = |c: &codearts_repo_gen::types::CommitDto| {
        c.committed_date.as_ref().unwrap().to_utc().unwrap()
    };

    // since/until are exclusive.
    let since = date(&history[60]);
    let until = date(&history[20]);
    let reply = ok(
        &emu,
        &format!(
            "/v4/repositories/{repo}/repository/commit-list?since={}&until={}&limit=100",
            encode(&since.to_rfc3339()),
            encode(&until.to_rfc3339())
        ),
    )
    .await;
    let expected: Vec<String> = history
        .iter()
        .filter(|c| date(c) > since && date(c) < until)
        .map(|c| c.id.clone().unwrap())
        .collect();
    assert_eq!(commit_ids(&reply.body), expected);
    assert!(
        !expected.contains(history[60].id.as_ref().unwrap())
            && !expected.contains(history[20].id.as_ref().unwrap())
    );

    // author: part of the name, any case.
    let name = history[3].author_name.clone().unwrap();
    let part = name[..name.len() - 1].to_uppercase();
    let reply = ok(
        &emu,
        &format!(
            "/v4/repositories/{repo}/repository/commit-list?author={}&limit=100",
            encode(&part)
        ),
    )
    .await;
    let got = commit_ids(&reply.body);
    assert!(got.contains(history[3].id.as_ref().unwrap()));
    let expected: Vec<String> = history
        .iter()
        .filter(|c| {
            c.author_name
                .as_ref()
                .unwrap()
                .to_lowercase()
                .contains(&part.to_lowercase())
        })
        .take(100)
        .map(|c| c.id.clone().unwrap())
        .collect();
    assert_eq!(got, expected);

    // message: text of the message, or the start of the commit id.
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?message=RETRY+on&limit=100"),
    )
    .await;
    let got = commit_ids(&reply.body);
    assert!(!got.is_empty());
    let expected: Vec<String> = history
        .iter()
        .filter(|c| {
            c.message
                .as_ref()
                .unwrap()
                .to_lowercase()
                .contains("retry on")
        })
        .take(100)
        .map(|c| c.id.clone().unwrap())
        .collect();
    assert_eq!(got, expected);
    let prefix = &history[7].id.as_deref().unwrap()[..9];
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?message={prefix}"),
    )
    .await;
    assert_eq!(
        commit_ids(&reply.body),
        vec![history[7].id.clone().unwrap()]
    );

    // order_by_date: newest commit date first.
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?order_by_date=true&limit=100"),
    )
    .await;
    let dates: Vec<String> = reply.body["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["committed_date"].as_str().unwrap().to_string())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    let reply = ok(
        &emu,
        &format!("/v4/repositories/{repo}/repository/commit-list?order_by_date=false&limit=100"),
    )
    .await;
    assert_eq!(
        commit_ids(&reply.body),
        history
            .iter()
            .take(100)
            .map(|c| c.id.clone().unwrap())
            .collect::<Vec<_>>()
    );

    // Through the store's query API, the same answer as over HTTP.
    let page = store
        .list_commits(
            repo,
            &CommitQuery {
                message: Some("retry on".into()),
                limit: 100,
                ..CommitQuery::default()
            },
        )
        .unwrap();
    assert_eq!(
        page.commits
            .iter()
            .map(|c| c.id.clone().unwrap())
            .collect::<Vec<_>>(),
        expected
    );
}

#[tokio::test]
async fn commit_list_path_and_follow() {
    let emu = emulator(19).await;
    let store = emu.store();
    let repo = emu.repository_ids()[0];
    let history = store.commits(repo, None).unwrap();
    let list = |path: &str, follow: bool| {
        let emu = &emu;
        let url = format!(
            "/v4/repositories/{repo}/repository/commit-list?path={}&follow={follow}&limit=100",
            encode(path)
        );
        async move { commit_ids(&ok(emu, &url).await.body) }
    };
    // Generated renames say "rename OLD to NEW" in their title.
    let (position, renamed) = history
        .iter()
        .enumerate()
        .find(|(_, c)| {
            c.title.as_ref().unwrap().contains(": rename ")
                && c.title.as_ref().unwrap().contains(" to ")
        })
        .expect("a rename in the history");
    let title = renamed.title.clone().unwrap();
    let (old_path, new_path) = title
        .split_once(": rename ")
        .unwrap()
        .1
        .split_once(" to ")
        .unwrap();
    let directory = old_path.rsplit_once('/').unwrap().0;

    let new_ids = list(new_path, false).await;
    assert_eq!(
        new_ids.last(),
        Some(renamed.id.as_ref().unwrap()),
        "without follow the new name starts at the rename"
    );
    let old_ids = list(old_path, false).await;
    assert!(
        old_ids.contains(renamed.id.as_ref().unwrap()),
        "the rename touches the old name"
    );
    let mut expected = new_ids.clone();
    expected.extend(
        history[position + 1..]
            .iter()
            .filter(|c| old_ids.contains(c.id.as_ref().unwrap()))
            .map(|c| c.id.clone().unwrap()),
    );
    assert_eq!(
        list(new_path, true).await,
        expected,
        "follow goes on under the old name"
    );
    assert!(expected.len() > new_ids.len() || old_ids.len() == 1);

    // A directory lists every commit touching a file under it; a leading or trailing
    // slash changes nothing.
    let in_directory = list(directory, false).await;
    assert!(in_directory.contains(renamed.id.as_ref().unwrap()));
    assert_eq!(list(&format!("/{directory}/"), false).await, in_directory);
    assert_eq!(list("no/such/file.rs", false).await, Vec::<String>::new());
}

#[tokio::test]
async fn head_answers_headers_only() {
    let emu = emulator(20).await;
    let repo = emu.repository_ids()[0];
    let response = common::client()
        .head(format!(
            "{}/v4/repositories/{repo}/events?limit=5",
            emu.base_url()
        ))
        .header("X-Auth-Token", &emu.credentials().token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-total"], "150");
    assert!(response.headers().contains_key("x-request-id"));
    assert!(response.bytes().await.unwrap().is_empty());
}
