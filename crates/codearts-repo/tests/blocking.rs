//! The blocking client (`blocking` feature) end to end against the emulator, called from
//! threads with no async runtime (the emulator runs on a runtime of its own).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use codearts_repo::blocking::Client;
use codearts_repo::{Attempt, Concurrency, Credentials, ErrorKind, PageRetryBudget};
use codearts_repo_emulator::{Emulator, FaultConfig, SyntheticConfig};

/// An emulator served by a runtime of its own, so the test's thread has none.
struct Served {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn serve(seed: u64, config: SyntheticConfig) -> Served {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the emulator");
    let emulator = runtime.block_on(common::emulator_with(seed, config));
    Served {
        emulator,
        _runtime: runtime,
    }
}

fn small(seed: u64) -> Served {
    serve(
        seed,
        SyntheticConfig::default()
            .repositories(2)
            .commits_per_repository(430)
            .events_per_repository(150)
            .users(3),
    )
}

/// A blocking client on the emulator's token, with the async tests' settings.
fn client(emulator: &Emulator) -> Client {
    let builder: codearts_repo::blocking::ClientBuilder = common::builder(emulator).into();
    builder
        .credentials(Credentials::token(&emulator.credentials().token))
        .build()
        .expect("a client")
}

#[test]
fn each_operation_answers_as_the_emulator_holds_without_a_runtime() {
    assert!(tokio::runtime::Handle::try_current().is_err());
    let served = small(61);
    let emulator = &served.emulator;
    let client = client(emulator);
    let repo = common::first_repository(emulator);

    assert_eq!(
        client.last_push_event(repo).send().unwrap(),
        emulator.store().last_push_event(repo)
    );
    let page = client
        .list_repository_events(repo)
        .offset(10)
        .limit(20)
        .send()
        .unwrap();
    let events = emulator.store().events(repo);
    assert_eq!(page.items.as_slice(), &events[10..30]);
    assert_eq!(page.total, Some(events.len() as u64));
    let commits = client.list_commits(repo).limit(30).send().unwrap();
    assert_eq!(commits.items.len(), 30);
    assert!(!commits.date_title.is_empty());
    let recent = client.list_recent_push_events().size(5).send().unwrap();
    assert!(recent.items.len() <= 5 && recent.request_id.is_some());
}

#[test]
fn walks_yield_every_item_once_in_order_and_stop_at_caps() {
    let served = small(62);
    let emulator = &served.emulator;
    let client = client(emulator);
    let repo = common::first_repository(emulator);
    let expected = emulator.store().commits(repo, None).unwrap();

    // Items, pages and collect agree with the store (commits: no X-Total).
    let items: Vec<_> = client
        .list_commits(repo)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items, expected);
    let pages: Vec<_> = client
        .list_commits(repo)
        .pages()
        .map(|p| p.unwrap().items.len())
        .collect();
    let sizes: Vec<_> = expected.chunks(100).map(<[_]>::len).collect();
    assert!(sizes.len() > 3, "{sizes:?}");
    assert_eq!(pages, sizes);
    assert_eq!(client.list_commits(repo).collect(None).unwrap(), expected);
    let (commits, days) = client.list_commits(repo).collect_with_days(None).unwrap();
    assert_eq!((commits.len() as u64), days.total());

    // A cap: no page past it is requested, even by the read-ahead.
    let before = emulator.request_count();
    let capped: Vec<_> = client
        .list_commits(repo)
        .offset(5)
        .max_items(150)
        .items()
        .map(Result::unwrap)
        .collect();
    assert_eq!(capped.as_slice(), &expected[5..155]);
    assert_eq!(emulator.request_count() - before, 2);

    // Events carry X-Total: every one, once.
    let events: Vec<_> = client
        .list_repository_events(repo)
        .limit(40)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events, emulator.store().events(repo));

    // An iterator dropped half way leaves the client usable.
    let mut walk = client.list_commits(repo).limit(10).items();
    assert_eq!(walk.next().unwrap().unwrap(), expected[0]);
    drop(walk);
    assert_eq!(
        client.list_commits(repo).collect(Some(3)).unwrap()[..],
        expected[..3]
    );
}

/// Counts the attempts under way, and the most at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl codearts_repo::Interceptor for InFlight {
    fn before_attempt(&self, _request: &mut codearts_repo::reqwest::Request) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
    }

    fn after_attempt(&self, _attempt: &Attempt<'_>) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn a_walk_keeps_several_pages_in_flight_and_survives_faults() {
    let served = small(63);
    let emulator = &served.emulator;
    let repo = common::first_repository(emulator);
    emulator.set_faults(FaultConfig::default().latency(Duration::from_millis(40)));
    let in_flight = Arc::new(InFlight::default());
    let builder: codearts_repo::blocking::ClientBuilder = common::builder(emulator).into();
    let client = builder
        .credentials(Credentials::token(&emulator.credentials().token))
        .concurrency(Concurrency::Fixed(4))
        .interceptor(in_flight.clone())
        .build()
        .unwrap();
    let events = client
        .list_repository_events(repo)
        .limit(10)
        .collect(None)
        .unwrap();
    assert_eq!(events, emulator.store().events(repo));
    assert_eq!(in_flight.most.load(Ordering::SeqCst), 4);

    // One answer in four a 503: retried, re-fetched, and still each item once.
    emulator.set_faults(FaultConfig::default().server_error_rate(0.25).seed(9));
    let builder: codearts_repo::blocking::ClientBuilder = common::builder(emulator).into();
    let client = builder
        .credentials(Credentials::token(&emulator.credentials().token))
        .page_retry_budget(PageRetryBudget::default().max(50))
        .build()
        .unwrap();
    let commits: Vec<_> = client
        .list_commits(repo)
        .limit(20)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(commits, emulator.store().commits(repo, None).unwrap());
    assert!(emulator.fault_counts().server_errors() > 0);
}

#[test]
fn errors_and_settings_are_the_async_clients() {
    let served = small(64);
    let emulator = &served.emulator;
    let client = client(emulator);
    let missing = emulator.repository_ids().iter().max().unwrap() + 1000;

    let error = client.last_push_event(missing).send().unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.code(), Some("CH.00402000"));
    assert!(
        error.to_string().starts_with("last_push_event: HTTP 404"),
        "{error}"
    );

    // Checked before sending, by the same checks; a walk yields the error once and ends.
    let before = emulator.request_count();
    let error = client.list_commits(1).limit(101).send().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let mut walk = client.list_commits(0).items();
    let error = walk.next().unwrap().unwrap_err();
    assert!(error.to_string().contains("repository_id"), "{error}");
    assert!(walk.next().is_none());
    assert_eq!(emulator.request_count(), before);

    // The builder's checks are the async builder's.
    let e = Client::builder()
        .credentials(Credentials::token("t"))
        .max_concurrent_pages(0)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("max_concurrent_pages"), "{e}");
    let e = Client::builder()
        .region("mars-1")
        .credentials(Credentials::token("t"))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("mars-1"), "{e}");
    let e = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .credentials(Credentials::token("t"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
}

#[test]
fn inside_an_async_runtime_it_blocks_but_does_not_panic() {
    let served = small(65);
    let emulator = &served.emulator;
    let repo = common::first_repository(emulator);
    let expected = emulator.store().commits(repo, None).unwrap();
    // A one-thread runtime: the calls block its only thread, yet finish, since the
    // client's requests run on the client's own thread. Built, used and dropped inside.
    let caller = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = caller.block_on(async {
        let client = client(emulator);
        let last = client.last_push_event(repo).send().unwrap();
        assert_eq!(last, emulator.store().last_push_event(repo));
        let commits: Vec<_> = client
            .list_commits(repo)
            .items()
            .collect::<Result<_, _>>()
            .unwrap();
        drop(client);
        commits
    });
    assert_eq!(got, expected);

    // From a task of a multi-threaded runtime too, the client moved in and dropped there.
    let client = client(emulator);
    let caller = tokio::runtime::Runtime::new().unwrap();
    let task =
        caller.spawn(async move { client.list_commits(repo).max_items(123).items().count() });
    let count = caller.block_on(task).unwrap();
    assert_eq!(count, 123);
}

#[test]
fn clones_share_one_client_and_outlive_the_original() {
    let served = small(66);
    let emulator = &served.emulator;
    let repo = common::first_repository(emulator);
    let client = client(emulator);
    let request = client.list_commits(repo).max_items(250);
    let clone = client.clone();
    drop(client);
    // Threads of their own, each a walk of its own.
    let walks: Vec<_> = (0..3)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || request.items().count())
        })
        .collect();
    for walk in walks {
        assert_eq!(walk.join().unwrap(), 250);
    }
    assert!(clone.pacing().is_some());
    assert_eq!(clone.endpoint(), emulator.base_url().trim_end_matches('/'));
    assert!(format!("{clone:?}").starts_with("blocking::Client"));
}
