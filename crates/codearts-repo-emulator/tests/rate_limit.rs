//! The per-user rate limit over HTTP: a burst, then the rate; 429 with the gateway's code
//! and a `Retry-After` of the seconds until a token is back; one bucket per user whatever
//! the credential; off by default.

mod common;

use std::time::{Duration, Instant};

use codearts_repo_emulator::{Emulator, EmulatorError, RateLimit, codes};

fn commits_path(emu: &Emulator) -> String {
    format!(
        "/v4/repositories/{}/repository/commit-list?limit=5",
        emu.repository_ids()[0]
    )
}

/// The status and `Retry-After` of a GET with the token, the body unread and unchecked
/// (quick, to tell the rate apart from the time the checks take in a debug build).
async fn status(client: &reqwest::Client, emu: &Emulator, path: &str) -> (u16, Option<String>) {
    let response = client
        .get(format!("{}{path}", emu.base_url()))
        .header("X-Auth-Token", &emu.credentials().token)
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let status = response.status().as_u16();
    let _ = response.bytes().await.unwrap();
    (status, retry_after)
}

#[tokio::test]
async fn a_user_over_the_limit_is_answered_429_until_a_token_is_back() {
    // One request per 5 s, burst 3: three answered at once, the fourth throttled for the
    // seconds left until a token is back, rounded up.
    let emu = common::builder(51)
        .rate_limit(RateLimit::new(0.2, 3))
        .start()
        .await
        .unwrap();
    let path = commits_path(&emu);
    let token = emu.credentials().token.clone();
    let started = Instant::now();
    for _ in 0..3 {
        common::ok(&emu, &path).await;
    }
    let throttled = common::get(&emu, Some(&token), &path).await;
    let elapsed = started.elapsed().as_secs_f64();
    assert!(elapsed < 4.0, "the test was too slow to empty the bucket");
    assert_eq!(throttled.status, 429, "{:?}", throttled.body);
    assert_eq!(throttled.error_code(), codes::THROTTLED);
    assert!(
        throttled
            .error_msg()
            .starts_with("The throttling threshold has been reached: policy user over ratelimit"),
        "{}",
        throttled.error_msg()
    );
    assert!(
        throttled.error_msg().contains("limit:0.2,burst:3,"),
        "{}",
        throttled.error_msg()
    );
    let retry_after: f64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!(
        retry_after <= 5.0 && retry_after >= (5.0 - elapsed).ceil() && retry_after >= 1.0,
        "Retry-After {retry_after} after {elapsed:.2} s"
    );
    assert_eq!(emu.rate_limited_count(), 1);
    assert_eq!(emu.fault_counts().throttled, 0, "not an injected fault");

    // Another user has a bucket of their own (and is refused for other reasons).
    let outsider = emu.outsider_credentials().token.clone();
    let other = common::get(&emu, Some(&outsider), &path).await;
    assert_eq!(other.status, 403);

    // The same user's access key draws from the same bucket: throttled before its
    // signature is even looked at.
    let client = common::client();
    let response = client
        .get(format!("{}{path}", emu.base_url()))
        .header(
            "Authorization",
            format!(
                "SDK-HMAC-SHA256 Access={}, SignedHeaders=host;x-sdk-date, Signature=00",
                emu.credentials().access_key
            ),
        )
        .header("X-Sdk-Date", "20240101T000000Z")
        .send()
        .await
        .unwrap();
    let reply = common::read(response, &path).await;
    assert_eq!(reply.status, 429, "{:?}", reply.body);
    assert_eq!(emu.rate_limited_count(), 2);

    // Unknown credentials count for no one: 401, never 429.
    for _ in 0..5 {
        assert_eq!(common::get(&emu, Some("nobody"), &path).await.status, 401);
    }
}

#[tokio::test]
async fn over_time_the_answered_rate_is_the_limit() {
    // 10 per second with a burst of 5, asked for by 4 connections as fast as they can:
    // over 2 s about 5 + 20 are answered, the rest throttled with Retry-After 1.
    let emu = common::builder(52)
        .rate_limit(RateLimit::new(10.0, 5))
        .start()
        .await
        .unwrap();
    let path = commits_path(&emu);
    let client = common::client();
    let started = Instant::now();
    let until = started + Duration::from_secs(2);
    let loops = (0..4).map(|_| async {
        let (mut answered, mut throttled) = (0u32, 0u32);
        while Instant::now() < until {
            match status(&client, &emu, &path).await {
                (200, _) => answered += 1,
                (429, retry_after) => {
                    assert_eq!(retry_after.as_deref(), Some("1"));
                    throttled += 1;
                }
                (other, _) => panic!("unexpected status {other}"),
            }
        }
        (answered, throttled)
    });
    let counts = futures::future::join_all(loops).await;
    let elapsed = started.elapsed().as_secs_f64();
    let answered: u32 = counts.iter().map(|c| c.0).sum();
    let throttled: u32 = counts.iter().map(|c| c.1).sum();
    let allowed = 5.0 + 10.0 * elapsed;
    assert!(
        f64::from(answered) <= allowed + 0.5 && f64::from(answered) >= allowed - 4.0,
        "{answered} answered in {elapsed:.2} s (about {allowed:.1} allowed)"
    );
    assert!(throttled > 0, "the 4 loops never went over the limit");
    assert_eq!(emu.rate_limited_count(), u64::from(throttled));
}

#[tokio::test]
async fn a_slow_rate_asks_for_a_longer_wait_and_the_limit_can_be_lifted() {
    // One request every 4 s: the second waits 4 s, Retry-After says 4.
    let emu = common::builder(53)
        .rate_limit(RateLimit::new(0.25, 1))
        .start()
        .await
        .unwrap();
    let path = commits_path(&emu);
    let token = emu.credentials().token.clone();
    common::ok(&emu, &path).await;
    let throttled = common::get(&emu, Some(&token), &path).await;
    assert_eq!(throttled.status, 429);
    assert!(
        matches!(throttled.header("retry-after"), Some("4" | "3")),
        "{:?}",
        throttled.header("retry-after")
    );
    assert!(throttled.error_msg().contains("limit:0.25,burst:1"));

    emu.set_rate_limit(None).unwrap();
    for _ in 0..20 {
        common::ok(&emu, &path).await;
    }
    assert!(emu.set_rate_limit(Some(RateLimit::new(0.0, 1))).is_err());
}

#[tokio::test]
async fn no_limit_by_default_and_bad_limits_are_refused() {
    let emu = common::emulator(54).await;
    let path = commits_path(&emu);
    for _ in 0..40 {
        common::ok(&emu, &path).await;
    }
    assert_eq!(emu.rate_limited_count(), 0);
    for bad in [RateLimit::new(0.0, 10), RateLimit::new(5.0, 0)] {
        let error = common::builder(55)
            .rate_limit(bad)
            .start()
            .await
            .unwrap_err();
        assert!(matches!(error, EmulatorError::InvalidConfig(_)), "{error}");
    }
}
