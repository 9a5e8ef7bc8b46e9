//! `list_repository_events` against the emulator: every parameter, one page and walks.

mod common;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use codearts_repo::EventFilter;
use codearts_repo_emulator::EventQuery;
use futures::TryStreamExt;

fn instant(event: &codearts_repo::RepositoryPushEvent) -> DateTime<Utc> {
    event
        .created_at
        .as_ref()
        .and_then(|t| t.to_utc())
        .expect("the emulator writes RFC 3339")
}

#[tokio::test]
async fn one_page_with_every_parameter_matches_the_store() {
    let emulator = common::emulator(11).await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);
    let store = emulator.store();
    let all = store.events(repo);
    let author = all[3].author_id.expect("events name their author").get();
    let upper = instant(&all[10]);
    let lower = instant(&all[120]);

    let page = client
        .list_repository_events(repo)
        .author_id(author)
        .filter(EventFilter::Push)
        .created_after(lower)
        .created_before(upper)
        .offset(2)
        .limit(7)
        .send()
        .await
        .unwrap();
    let expected = store
        .list_events(
            repo,
            &EventQuery {
                author_id: Some(author),
                after: Some(lower),
                before: Some(upper),
                offset: 2,
                limit: 7,
            },
        )
        .unwrap();
    assert!(
        !expected.events.is_empty(),
        "the filters leave something to compare"
    );
    assert_eq!(page.items, expected.events);
    assert_eq!(page.total, Some(expected.total));
    assert_eq!((page.offset, page.limit), (2, 7));
    assert!(page.request_id.is_some());
    assert!(page.repairs.is_empty());

    // The same with dates (midnight UTC) and filter=all.
    let day_after = (lower + ChronoDuration::days(1)).date_naive();
    let page = client
        .list_repository_events(repo)
        .filter(EventFilter::All)
        .created_after(lower.date_naive())
        .created_before(day_after)
        .limit(100)
        .send()
        .await
        .unwrap();
    let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let expected = store
        .list_events(
            repo,
            &EventQuery {
                after: Some(midnight(lower.date_naive())),
                before: Some(midnight(day_after)),
                limit: 100,
                ..EventQuery::default()
            },
        )
        .unwrap();
    assert_eq!(page.items, expected.events);
    assert_eq!(page.total, Some(expected.total));
}

#[tokio::test]
async fn defaults_give_the_service_page_size() {
    let emulator = common::emulator(12).await;
    let client = common::aksk_client(&emulator);
    let repo = common::first_repository(&emulator);
    let page = client.list_repository_events(repo).send().await.unwrap();
    assert_eq!(page.items.len(), 20);
    assert_eq!(page.limit, codearts_repo::DEFAULT_LIMIT);
    assert_eq!(page.total, Some(150));
    assert_eq!(page.items, emulator.store().events(repo)[..20]);
}

#[tokio::test]
async fn walks_yield_every_event_once_in_order() {
    let emulator = common::emulator(13).await;
    let client = common::token_client(&emulator);
    let repo = common::first_repository(&emulator);
    let expected = emulator.store().events(repo);

    let streamed: Vec<_> = client
        .list_repository_events(repo)
        .limit(40)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, expected);

    let pages: Vec<_> = client
        .list_repository_events(repo)
        .limit(40)
        .offset(5)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let offsets: Vec<u32> = pages.iter().map(|p| p.offset).collect();
    assert_eq!(offsets, [5, 45, 85, 125]);
    let flattened: Vec<_> = pages.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(flattened, expected[5..]);

    let capped = client
        .list_repository_events(repo)
        .limit(10)
        .collect(Some(25))
        .await
        .unwrap();
    assert_eq!(capped, expected[..25]);
    let everything = client
        .list_repository_events(repo)
        .collect(None)
        .await
        .unwrap();
    assert_eq!(everything, expected);
}
