//! Injected faults: each kind happens as configured, is counted, and repeats with the seed.

mod common;

use std::time::{Duration, Instant};

use codearts_repo_emulator::{Emulator, EmulatorError, FaultConfig, FaultCounts, SyntheticConfig};

async fn small(faults: FaultConfig) -> Emulator {
    Emulator::builder()
        .seed(41)
        .synthetic(
            SyntheticConfig::default()
                .repositories(1)
                .commits_per_repository(200)
                .events_per_repository(50),
        )
        .faults(faults)
        .start()
        .await
        .unwrap()
}

fn commits_path(emu: &Emulator) -> String {
    format!(
        "/v4/repositories/{}/repository/commit-list?limit=50",
        emu.repository_ids()[0]
    )
}

async fn send(emu: &Emulator, path: &str) -> reqwest::Result<reqwest::Response> {
    common::client()
        .get(format!("{}{path}", emu.base_url()))
        .header("X-Auth-Token", &emu.credentials().token)
        .send()
        .await
}

#[tokio::test]
async fn latency_and_jitter_delay_every_answer() {
    let emu = small(
        FaultConfig::default()
            .latency(Duration::from_millis(60))
            .jitter(Duration::from_millis(20)),
    )
    .await;
    let path = commits_path(&emu);
    for _ in 0..3 {
        let started = Instant::now();
        let reply = common::read(send(&emu, &path).await.unwrap(), &path).await;
        assert_eq!(reply.status, 200);
        assert!(started.elapsed() >= Duration::from_millis(60));
    }
    assert_eq!(
        emu.fault_counts(),
        FaultCounts {
            delayed: 3,
            ..Default::default()
        }
    );
    assert_eq!(emu.request_count(), 3);
}

#[tokio::test]
async fn server_errors_carry_retry_after_and_repeat_with_the_seed() {
    let emu = small(FaultConfig::default().server_error_rate(1.0).seed(5)).await;
    let path = commits_path(&emu);
    let mut first = Vec::new();
    for _ in 0..12 {
        let reply = common::read(send(&emu, &path).await.unwrap(), &path).await;
        assert!(matches!(reply.status, 500 | 502 | 503), "{}", reply.status);
        let retry_after = reply.header("retry-after").unwrap().to_string();
        assert!(retry_after == "0" || retry_after == "1");
        assert!(!reply.error_code().is_empty() && !reply.error_msg().is_empty());
        first.push((reply.status, retry_after));
    }
    let counts = emu.fault_counts();
    assert_eq!(counts.server_errors(), 12);
    assert_eq!(
        counts.internal_errors,
        first.iter().filter(|(s, _)| *s == 500).count() as u64
    );
    assert_eq!(
        counts.bad_gateways,
        first.iter().filter(|(s, _)| *s == 502).count() as u64
    );
    assert_eq!(
        counts.unavailable,
        first.iter().filter(|(s, _)| *s == 503).count() as u64
    );
    assert!(counts.internal_errors > 0 && counts.bad_gateways + counts.unavailable > 0);

    // The same seed gives the same sequence.
    emu.set_faults(FaultConfig::default().server_error_rate(1.0).seed(5));
    let mut second = Vec::new();
    for _ in 0..12 {
        let reply = common::read(send(&emu, &path).await.unwrap(), &path).await;
        second.push((
            reply.status,
            reply.header("retry-after").unwrap().to_string(),
        ));
    }
    assert_eq!(first, second);

    // Back to no faults.
    emu.set_faults(FaultConfig::default());
    let reply = common::read(send(&emu, &path).await.unwrap(), &path).await;
    assert_eq!(reply.status, 200);
    assert_eq!(emu.fault_counts().server_errors(), 24);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let emu = small(FaultConfig::default().throttle_rate(1.0)).await;
    let path = "/v4/user/recent-push-events";
    for _ in 0..4 {
        let reply = common::read(send(&emu, path).await.unwrap(), path).await;
        assert_eq!((reply.status, reply.error_code()), (429, "APIGW.0308"));
        assert!(matches!(reply.header("retry-after"), Some("0" | "1")));
    }
    assert_eq!(
        emu.fault_counts(),
        FaultCounts {
            throttled: 4,
            ..Default::default()
        }
    );
}

#[tokio::test]
async fn resets_close_the_connection_without_an_answer() {
    let emu = small(FaultConfig::default().reset_rate(1.0)).await;
    let path = commits_path(&emu);
    for _ in 0..3 {
        let error = send(&emu, &path).await.expect_err("no answer");
        assert!(!error.is_timeout(), "{error}");
    }
    assert_eq!(
        emu.fault_counts(),
        FaultCounts {
            resets: 3,
            ..Default::default()
        }
    );
    assert_eq!(emu.request_count(), 3);
    emu.set_faults(FaultConfig::default());
    assert_eq!(send(&emu, &path).await.unwrap().status(), 200);
}

#[tokio::test]
async fn truncated_bodies_end_before_their_length() {
    let emu = small(FaultConfig::default().truncate_rate(1.0)).await;
    let path = commits_path(&emu);
    for _ in 0..3 {
        let response = send(&emu, &path).await.unwrap();
        assert_eq!(response.status(), 200);
        let announced: usize = response.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(announced > 100);
        let error = response.bytes().await.expect_err("the body is cut short");
        assert!(
            error.is_body() || error.is_decode() || error.is_request(),
            "{error}"
        );
    }
    assert_eq!(
        emu.fault_counts(),
        FaultCounts {
            truncated: 3,
            ..Default::default()
        }
    );
}

#[tokio::test]
async fn stalled_bodies_pause_half_way_then_complete() {
    let stall = Duration::from_millis(300);
    let emu = small(FaultConfig::default().stall_rate(1.0).stall_for(stall)).await;
    let path = commits_path(&emu);
    let started = Instant::now();
    let mut response = send(&emu, &path).await.unwrap();
    let announced: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let first = response.chunk().await.unwrap().expect("a first chunk");
    assert!(
        first.len() < announced,
        "only part of the body comes before the stall"
    );
    let mut body = first.to_vec();
    while let Some(chunk) = response.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert!(
        started.elapsed() >= stall,
        "the body took at least the stall"
    );
    assert_eq!(body.len(), announced);
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    common::validate(path.split('?').next().unwrap(), 200, &value);
    assert_eq!(
        emu.fault_counts(),
        FaultCounts {
            stalled: 1,
            ..Default::default()
        }
    );
}

#[tokio::test]
async fn mixed_rates_are_counted_and_reproducible() {
    let faults = FaultConfig::default()
        .server_error_rate(0.15)
        .throttle_rate(0.15)
        .reset_rate(0.1)
        .truncate_rate(0.2)
        .stall_rate(0.1)
        .stall_for(Duration::from_millis(1))
        .seed(99);
    let emu = small(faults.clone()).await;
    let path = commits_path(&emu);
    let run = || async {
        let mut outcomes = Vec::new();
        for _ in 0..60 {
            let outcome = match send(&emu, &path).await {
                Err(_) => "reset".to_string(),
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.bytes().await {
                        Ok(_) => status.to_string(),
                        Err(_) => format!("{status} truncated"),
                    }
                }
            };
            outcomes.push(outcome);
        }
        outcomes
    };
    let first = run().await;
    let counts = emu.fault_counts();
    let count = |f: &dyn Fn(&String) -> bool| first.iter().filter(|o| f(o)).count() as u64;
    assert_eq!(counts.resets, count(&|o| o == "reset"));
    assert_eq!(counts.throttled, count(&|o| o.starts_with("429")));
    assert_eq!(counts.server_errors(), count(&|o| o.starts_with('5')));
    assert_eq!(counts.truncated, count(&|o| o.ends_with("truncated")));
    assert!(
        counts.resets > 0
            && counts.throttled > 0
            && counts.server_errors() > 0
            && counts.truncated > 0,
        "{counts:?} {first:?}"
    );
    assert_eq!(emu.request_count(), 60);

    emu.set_faults(faults);
    let second = run().await;
    assert_eq!(first, second, "the same seed gives the same faults");
}

#[tokio::test]
async fn fault_rates_outside_zero_to_one_are_refused() {
    let error = Emulator::builder()
        .faults(FaultConfig::default().throttle_rate(1.5))
        .start()
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, EmulatorError::InvalidConfig(m) if m.contains("throttle_rate")),
        "{error}"
    );
    let emu = small(FaultConfig::default()).await;
    assert!(
        emu.try_set_faults(FaultConfig::default().reset_rate(-0.1))
            .is_err()
    );
    // set_faults clamps instead: a NaN rate injects nothing.
    emu.set_faults(FaultConfig::default().reset_rate(f64::NAN));
    assert_eq!(
        send(&emu, "/v4/user/recent-push-events")
            .await
            .unwrap()
            .status(),
        200
    );
}
