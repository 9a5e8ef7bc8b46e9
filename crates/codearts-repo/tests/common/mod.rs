//! Helpers shared by the client's tests: emulators and clients pointed at them.
#![allow(dead_code)]

use std::time::Duration;

use codearts_repo::{Client, ClientBuilder, Credentials, RetryConfig};
use codearts_repo_emulator::{Emulator, SyntheticConfig};

/// An emulator with `config`'s data and the given seed.
pub async fn emulator_with(seed: u64, config: SyntheticConfig) -> Emulator {
    Emulator::builder().seed(seed).synthetic(config).start().await.expect("the emulator starts")
}

/// A small emulator: 3 repositories of 400 commits and 150 events, 4 users.
pub async fn emulator(seed: u64) -> Emulator {
    emulator_with(
        seed,
        SyntheticConfig {
            repositories: 3,
            commits_per_repository: 400,
            events_per_repository: 150,
            users: 4,
            ..SyntheticConfig::default()
        },
    )
    .await
}

/// A builder pointed at the emulator with generous timeouts (the machine may be loaded),
/// quick retries and no credentials yet.
pub fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .endpoint(emulator.base_url())
        .allow_http(true)
        .attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(240))
        .retry(quick_retries(4))
}

/// Retries with short backoffs (`Retry-After` is still honoured).
pub fn quick_retries(attempts: u32) -> RetryConfig {
    RetryConfig::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(50))
}

/// A client using the emulator user's token.
pub fn token_client(emulator: &Emulator) -> Client {
    builder(emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .build()
        .expect("a client")
}

/// A client signing with the emulator user's AK/SK and project id.
pub fn aksk_client(emulator: &Emulator) -> Client {
    let c = emulator.credentials();
    builder(emulator)
        .credentials(Credentials::access_key(&c.access_key, &c.secret_key).project_id(&c.project_id))
        .build()
        .expect("a client")
}

/// The first readable repository.
pub fn first_repository(emulator: &Emulator) -> u32 {
    emulator.repository_ids()[0]
}
