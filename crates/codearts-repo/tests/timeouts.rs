//! Attempt and operation timeouts.

mod common;

use std::time::Duration;

use codearts_repo::{Credentials, Error, ErrorKind, RetryConfig, TimeoutKind};
use codearts_repo_emulator::FaultConfig;

#[tokio::test]
async fn a_stalled_answer_is_an_attempt_timeout_after_the_retries() {
    let emulator = common::emulator(91).await;
    let repo = common::first_repository(&emulator);
    emulator.set_faults(FaultConfig {
        stall_rate: 1.0,
        stall_for: Duration::from_secs(60),
        seed: 91,
        ..FaultConfig::default()
    });
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .attempt_timeout(Duration::from_millis(500))
        .retry(common::quick_retries(2))
        .build()
        .unwrap();
    let error = client.list_commits(repo).send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
    match error {
        Error::Timeout {
            which,
            attempts,
            operation,
            ..
        } => {
            assert_eq!(
                (which, attempts, operation),
                (TimeoutKind::Attempt, 2, "list_commits")
            );
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn slow_answers_hit_the_operation_timeout() {
    let emulator = common::emulator(92).await;
    let repo = common::first_repository(&emulator);
    emulator.set_faults(FaultConfig {
        latency: Duration::from_secs(30),
        seed: 92,
        ..FaultConfig::default()
    });
    let client = common::builder(&emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(1))
        .retry(RetryConfig::default())
        .build()
        .unwrap();
    let error = client.last_push_event(repo).send().await.unwrap_err();
    match error {
        Error::Timeout { which, .. } => assert_eq!(which, TimeoutKind::Operation),
        other => panic!("{other}"),
    }
}
