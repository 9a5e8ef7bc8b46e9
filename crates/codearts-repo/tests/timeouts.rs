//! Attempt and operation timeouts.

mod common;

use std::time::Duration;

use codearts_repo::{Credentials, Error, ErrorKind, RetryConfig, TimeoutKind};
use codearts_repo_emulator::FaultConfig;

#[tokio::test]
async fn a_stalled_answer_is_an_attempt_timeout_after_the_retries() {
    let emulator = common::emulator(91).await;
    let repo = common::first_repository(&emulator);
    emulator.set_faults(
        FaultConfig::default()
            .stall_rate(1.0)
            .stall_for(Duration::from_secs(60))
            .seed(91),
    );
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
    emulator.set_faults(
        FaultConfig::default()
            .latency(Duration::from_secs(30))
            .seed(92),
    );
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

/// A listener whose accept queue is full: the kernel drops further connection attempts,
/// so connecting to it hangs until the client gives up. Returns its address, the listener
/// and the connections that fill the queue (all to be kept alive).
fn full_listener() -> Option<(
    std::net::SocketAddr,
    tokio::net::TcpListener,
    Vec<std::net::TcpStream>,
)> {
    let socket = tokio::net::TcpSocket::new_v4().ok()?;
    socket.bind("127.0.0.1:0".parse().ok()?).ok()?;
    let listener = socket.listen(1).ok()?;
    let address = listener.local_addr().ok()?;
    let mut queued = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(300)) {
            Ok(stream) => queued.push(stream),
            Err(_) => return Some((address, listener, queued)),
        }
    }
    None
}

#[tokio::test]
async fn a_connection_that_cannot_be_made_is_a_connect_timeout() {
    let Some((address, _listener, _queued)) = full_listener() else {
        panic!("the accept queue of a listener with backlog 1 never filled");
    };
    let client = codearts_repo::Client::builder()
        .endpoint(format!("http://{address}"))
        .allow_http(true)
        .credentials(Credentials::token("connect-timeout-test"))
        .connect_timeout(Duration::from_millis(300))
        .attempt_timeout(Duration::from_secs(30))
        .retry(RetryConfig::default().max_attempts(1))
        .build()
        .unwrap();
    let error = client.list_commits(1).send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    match error {
        Error::Timeout { which, limit, .. } => {
            assert_eq!(which, TimeoutKind::Connect);
            assert_eq!(limit, Some(Duration::from_millis(300)));
        }
        other => panic!("{other}"),
    }
}
