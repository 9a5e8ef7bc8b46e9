//! Everything traced during authenticated runs (client and emulator, every level) is
//! captured and searched for secrets; the request spans carry what they promise.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use codearts_repo::{Credentials, RetryConfig};
use codearts_repo_emulator::FaultConfig;
use futures::TryStreamExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_logs_debug_output_or_errors() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = common::emulator(101).await;
    let c = emulator.credentials().clone();
    let repo = common::first_repository(&emulator);
    let token = Credentials::token(&c.token).project_id(&c.project_id);
    let aksk = Credentials::access_key(&c.access_key, &c.secret_key).project_id(&c.project_id);
    let temporary = Credentials::access_key(&c.access_key, &c.secret_key)
        .security_token("STS-SECRET-VALUE-123");
    let mut debug_output = format!("{token:?} {aksk:?} {temporary:?}");

    emulator.set_faults(
        FaultConfig::default()
            .throttle_rate(0.3)
            .server_error_rate(0.2)
            .seed(101),
    );
    for credentials in [token, aksk, temporary] {
        let client = common::builder(&emulator)
            .credentials(credentials)
            .retry(common::quick_retries(12))
            .build()
            .unwrap();
        debug_output.push_str(&format!("{client:?}"));
        let events: Vec<_> = client
            .list_repository_events(repo)
            .limit(50)
            .stream()
            .try_collect()
            .await
            .unwrap_or_default();
        debug_output.push_str(&format!("{}", events.len()));
        let outcomes = (
            client.last_push_event(repo).send().await,
            client.list_commits(repo).limit(5).send().await,
            client.list_recent_push_events().send().await,
        );
        debug_output.push_str(&format!("{outcomes:?}"));
    }
    emulator.set_faults(FaultConfig::default());
    let no_retry = common::builder(&emulator)
        .credentials(Credentials::access_key(
            &c.access_key,
            "WRONG-SECRET-KEY-456",
        ))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = no_retry.list_commits(repo).send().await.unwrap_err();
    debug_output.push_str(&format!("{error} {error:?}"));
    drop(_guard);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    std::fs::write("/tmp/client-trace.log", &logs).ok();
    assert!(
        logs.contains("codearts_repo.request"),
        "request spans are traced"
    );
    for field in [
        "operation=\"list_repository_events\"",
        "attempts=",
        "status=200",
        "request_id=",
        "duration_ms=",
        "attempt=",
    ] {
        assert!(logs.contains(field), "{field} missing from the traces");
    }
    assert!(logs.contains("retrying"), "retries are traced");
    for (name, secret) in [
        ("token", c.token.as_str()),
        ("secret key", c.secret_key.as_str()),
        ("security token", "STS-SECRET-VALUE-123"),
        ("wrong secret key", "WRONG-SECRET-KEY-456"),
        ("signature", "Signature="),
        ("authorization", "SDK-HMAC-SHA256"),
    ] {
        assert!(!logs.contains(secret), "the {name} appears in the traces");
        assert!(
            !debug_output.contains(secret),
            "the {name} appears in Debug or Display output"
        );
    }
}
