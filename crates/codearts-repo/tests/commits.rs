//! `list_commits` against the emulator: every parameter, awkward ref names, walks and the
//! merged per-day counts.

mod common;

use chrono::{DateTime, Utc};
use codearts_repo::{Commit, DayCounts, ErrorKind, ListCommits};
use codearts_repo_emulator::{CommitQuery, Emulator};
use futures::TryStreamExt;

fn committed(commit: &Commit) -> DateTime<Utc> {
    commit
        .committed_date
        .as_ref()
        .and_then(|t| t.to_utc())
        .expect("RFC 3339 dates")
}

/// The per-day counts the service's `date_title` gives for these commits (UTC days).
fn commits_per_day(commits: &[Commit]) -> DayCounts {
    let mut days = DayCounts::default();
    for commit in commits {
        days.add(&[codearts_repo::DateTitle {
            day: Some(committed(commit).format("%Y-%m-%d").to_string()),
            commits_count: Some(1),
        }]);
    }
    days
}

/// Sends `request` and checks its page against the store's answer to `query`.
async fn same_as_store(
    emulator: &Emulator,
    repo: u32,
    request: ListCommits,
    query: CommitQuery,
) -> usize {
    let page = request.send().await.unwrap();
    let expected = emulator.store().list_commits(repo, &query).unwrap();
    assert_eq!(page.items, expected.commits, "{query:?}");
    assert_eq!(page.date_title, expected.date_title, "{query:?}");
    assert!(page.request_id.is_some());
    // Every id and day arrived, so nothing is reported missing.
    assert!(page.repairs.is_empty(), "{:?}", page.repairs);
    page.items.len()
}

#[tokio::test]
async fn every_parameter_arrives_and_filters_like_the_store() {
    let emulator = common::emulator(21).await;
    let client = common::aksk_client(&emulator);
    let repo = common::first_repository(&emulator);
    let history = emulator.store().commits(repo, None).unwrap();
    // The official SDK's `author_id` arrives for authors with an account.
    let first = client.list_commits(repo).limit(100).send().await.unwrap();
    assert!(first.items.iter().any(|c| c.author_id.is_some()));
    assert_eq!(
        first.items.iter().map(|c| c.author_id).collect::<Vec<_>>(),
        history
            .iter()
            .take(100)
            .map(|c| c.author_id)
            .collect::<Vec<_>>()
    );
    let base = || CommitQuery {
        limit: 100,
        ..CommitQuery::default()
    };

    // offset, limit and order_by_date.
    let n = same_as_store(
        &emulator,
        repo,
        client
            .list_commits(repo)
            .offset(3)
            .limit(9)
            .order_by_date(true),
        CommitQuery {
            offset: 3,
            limit: 9,
            order_by_date: true,
            ..CommitQuery::default()
        },
    )
    .await;
    assert_eq!(n, 9);

    // since and until, as instants and as dates.
    let (upper, lower) = (committed(&history[20]), committed(&history[200]));
    let n = same_as_store(
        &emulator,
        repo,
        client
            .list_commits(repo)
            .since(lower)
            .until(upper)
            .limit(100),
        CommitQuery {
            since: Some(lower),
            until: Some(upper),
            ..base()
        },
    )
    .await;
    assert!(n > 0);
    let midnight = |t: DateTime<Utc>| t.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    same_as_store(
        &emulator,
        repo,
        client
            .list_commits(repo)
            .since(lower.date_naive())
            .until(upper.date_naive())
            .limit(100),
        CommitQuery {
            since: Some(midnight(lower)),
            until: Some(midnight(upper)),
            ..base()
        },
    )
    .await;

    // author (non-ASCII names included), message with spaces and punctuation, path, follow.
    let author = history
        .iter()
        .filter_map(|c| c.author_name.clone())
        .find(|a| !a.is_ascii())
        .expect("a non-ASCII author");
    let n = same_as_store(
        &emulator,
        repo,
        client.list_commits(repo).author(author.clone()).limit(100),
        CommitQuery {
            author: Some(author),
            ..base()
        },
    )
    .await;
    assert!(n > 0);
    let title = history[5].title.clone().expect("titles");
    let n = same_as_store(
        &emulator,
        repo,
        client.list_commits(repo).message(title.clone()).limit(100),
        CommitQuery {
            message: Some(title),
            ..base()
        },
    )
    .await;
    assert!(n > 0);
    let prefix = history[7].id.as_deref().unwrap()[..8].to_string();
    assert_eq!(
        same_as_store(
            &emulator,
            repo,
            client.list_commits(repo).message(prefix.clone()),
            CommitQuery {
                message: Some(prefix),
                limit: 20,
                ..CommitQuery::default()
            }
        )
        .await,
        1
    );
    let n = same_as_store(
        &emulator,
        repo,
        client
            .list_commits(repo)
            .path("src/api")
            .follow(false)
            .limit(100),
        CommitQuery {
            path: Some("src/api".into()),
            ..base()
        },
    )
    .await;
    assert!(n > 0);
    same_as_store(
        &emulator,
        repo,
        client
            .list_commits(repo)
            .path("src/api")
            .follow(true)
            .limit(100),
        CommitQuery {
            path: Some("src/api".into()),
            follow: true,
            ..base()
        },
    )
    .await;
}

#[tokio::test]
async fn ref_names_with_reserved_and_non_ascii_characters_arrive_intact() {
    let emulator = common::emulator(22).await;
    let client = common::token_client(&emulator);
    let store = emulator.store();
    let mut checked = Vec::new();
    for repo in emulator.repository_ids() {
        for (branch, _) in store.branches(repo) {
            if branch.is_ascii() && !branch.contains(['#', '&']) {
                continue;
            }
            let query = CommitQuery {
                ref_name: Some(branch.clone()),
                limit: 50,
                ..CommitQuery::default()
            };
            let n = same_as_store(
                &emulator,
                repo,
                client.list_commits(repo).ref_name(branch.clone()).limit(50),
                query,
            )
            .await;
            assert!(n > 0, "{branch}");
            checked.push(branch);
        }
    }
    assert!(
        checked.iter().any(|b| b.contains('#') && b.contains('&')),
        "{checked:?}"
    );
    assert!(checked.iter().any(|b| !b.is_ascii()), "{checked:?}");

    // No branch holds a space or a `+`: the service's 400 echoes the name it received.
    let repo = common::first_repository(&emulator);
    for name in ["feature/x y#z&+", "功能/分支 +1"] {
        let error = client
            .list_commits(repo)
            .ref_name(name)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
        assert_eq!(error.code(), Some("CH.00000400"));
        let message = error.message().unwrap();
        assert!(
            message.contains("ref_name") && message.contains(&format!("`{name}`")),
            "{message}"
        );
    }
}

#[tokio::test]
async fn walks_yield_every_commit_once_and_merge_day_counts() {
    let emulator = common::emulator(23).await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);
    let history = emulator.store().commits(repo, None).unwrap();
    assert_eq!(history.len(), 400);

    let streamed: Vec<Commit> = client
        .list_commits(repo)
        .limit(30)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, history);

    let (commits, days) = client
        .list_commits(repo)
        .limit(50)
        .collect_with_days(None)
        .await
        .unwrap();
    assert_eq!(commits, history);
    assert_eq!(days, commits_per_day(&history));
    assert_eq!(days.total(), 400);

    // A cap that ends inside a page: the last request asks only for what the cap leaves,
    // so the day counts cover exactly the commits returned.
    let (commits, days) = client
        .list_commits(repo)
        .limit(50)
        .collect_with_days(Some(120))
        .await
        .unwrap();
    assert_eq!(commits, history[..120]);
    assert_eq!(days, commits_per_day(&commits));
    assert_eq!(days.total(), 120);
    let pages: Vec<_> = client
        .list_commits(repo)
        .limit(50)
        .max_items(120)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let asked: Vec<(u32, u32)> = pages.iter().map(|p| (p.offset, p.limit)).collect();
    assert_eq!(asked, [(0, 50), (50, 50), (100, 20)]);

    let capped = client
        .list_commits(repo)
        .limit(100)
        .collect(Some(130))
        .await
        .unwrap();
    assert_eq!(capped, history[..130]);
}

#[tokio::test]
async fn out_of_range_parameters_are_refused_before_sending() {
    let emulator = common::emulator(24).await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);
    let before = emulator.request_count();
    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let cases: Vec<(ListCommits, &str, &str)> = vec![
        (client.list_commits(repo).limit(0), "limit", "1..=100"),
        (client.list_commits(repo).limit(101), "limit", "1..=100"),
        (client.list_commits(0), "repository_id", "1..=2147483647"),
        (
            client.list_commits(u32::MAX),
            "repository_id",
            "1..=2147483647",
        ),
        (
            client.list_commits(repo).offset(1 << 31),
            "offset",
            "0..=2147483647",
        ),
        (
            client.list_commits(repo).ref_name(""),
            "ref_name",
            "non-empty",
        ),
        (client.list_commits(repo).path(""), "path", "non-empty"),
        (
            client
                .list_commits(repo)
                .since(t("2025-01-02T00:00:00Z"))
                .until(t("2025-01-01T00:00:00Z")),
            "since",
            "earlier than until",
        ),
    ];
    for (request, parameter, range) in cases {
        let error = request.clone().send().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        let text = error.to_string();
        assert!(text.contains(parameter) && text.contains(range), "{text}");
        let streamed: Result<Vec<Commit>, _> = request.stream().try_collect().await;
        assert_eq!(streamed.unwrap_err().kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(emulator.request_count(), before, "nothing was sent");
}
