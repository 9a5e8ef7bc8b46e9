//! Decoding one 100-item page of each response type: the SDK's decode path (what the
//! generated client does with a 200 body: `serde_json::from_slice` into
//! `codearts_repo::types`, with lenient timestamps and open enums) against plain
//! `serde_json` into hand-written structs with the same fields (the floor).
//!
//! Payloads are the emulator's generated data, serialized as the emulator sends it.
//! Run with `cargo bench -p codearts-repo-bench --bench decode`; figures in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use codearts_repo::types;
use codearts_repo_emulator::{CommitQuery, Emulator, EventQuery, SyntheticConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::DeserializeOwned;

use codearts_repo_bench::plain;

/// Items per page, the API's largest.
const PAGE: u32 = 100;

/// JSON bodies of one page of each endpoint.
struct Payloads {
    commits: Vec<u8>,
    events: Vec<u8>,
    last_push: Vec<u8>,
    recent_pushes: Vec<u8>,
}

fn payloads() -> Payloads {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let emulator = Emulator::builder()
            .seed(1)
            .synthetic(
                SyntheticConfig::default()
                    .repositories(1)
                    .commits_per_repository(1000)
                    .events_per_repository(400)
                    .users(2),
            )
            .start()
            .await
            .expect("the emulator starts");
        let store = emulator.store();
        let repository = emulator.repository_ids()[0];
        let user = emulator.credentials().user_id;
        let commits = store
            .list_commits(
                repository,
                &CommitQuery {
                    limit: PAGE,
                    ..CommitQuery::default()
                },
            )
            .expect("the repository exists");
        let events = store
            .list_events(
                repository,
                &EventQuery {
                    limit: PAGE,
                    ..EventQuery::default()
                },
            )
            .expect("the repository exists")
            .events;
        let recent = store.recent_push_events(user, PAGE as usize, None);
        assert_eq!(commits.commits.len(), PAGE as usize);
        assert_eq!(events.len(), PAGE as usize);
        assert_eq!(recent.len(), PAGE as usize, "recent pushes of the user");
        let last = store.last_push_event(repository).expect("a last push");
        let payloads = Payloads {
            commits: serde_json::to_vec(&commits).expect("serializable"),
            events: serde_json::to_vec(&events).expect("serializable"),
            last_push: serde_json::to_vec(&last).expect("serializable"),
            recent_pushes: serde_json::to_vec(&recent).expect("serializable"),
        };
        emulator.shutdown().await;
        payloads
    })
}

/// Benchmarks `Sdk` against `Plain` decoding of one body.
fn pair<Sdk: DeserializeOwned, Plain: DeserializeOwned>(
    c: &mut Criterion,
    name: &str,
    body: &[u8],
) {
    // Both decode the same body fully; a failure here would make the figures meaningless.
    serde_json::from_slice::<Sdk>(body).expect("the SDK types decode the payload");
    serde_json::from_slice::<Plain>(body).expect("the plain types decode the payload");
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("sdk", |b| {
        b.iter(|| serde_json::from_slice::<Sdk>(black_box(body)).expect("decodes"))
    });
    group.bench_function("plain serde_json", |b| {
        b.iter(|| serde_json::from_slice::<Plain>(black_box(body)).expect("decodes"))
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let payloads = payloads();
    pair::<types::CommitListDto, plain::CommitList>(c, "commit_list_100", &payloads.commits);
    pair::<Vec<types::RepositoryPushEventDto>, Vec<plain::RepositoryPushEvent>>(
        c,
        "repository_events_100",
        &payloads.events,
    );
    pair::<Vec<types::PersonalPushEventDto>, Vec<plain::PersonalPushEvent>>(
        c,
        "recent_push_events_100",
        &payloads.recent_pushes,
    );
    pair::<types::LastPushEventDto, plain::LastPushEvent>(
        c,
        "last_push_event_1",
        &payloads.last_push,
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = decode
}
criterion_main!(benches);
