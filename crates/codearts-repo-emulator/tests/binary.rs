//! The `codearts-repo-emulator` command: its `--ready-json` line is a stable format that
//! scripts and other languages' harnesses read, so it is checked field by field.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// Kills the emulator when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the emulator with `extra` arguments and returns it with its `--ready-json` line.
async fn start(extra: &[&str]) -> (Running, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_codearts-repo-emulator"))
        .args(["--listen", "127.0.0.1:0", "--ready-json", "--seed", "7"])
        .args(["--repositories", "2", "--commits", "30", "--events", "10"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the emulator starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .expect("a first line");
    let ready: Value = serde_json::from_str(&line).expect("the first line is JSON");
    (running, ready)
}

/// `GET url` with the token.
async fn get(url: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header("X-Auth-Token", token)
        .send()
        .await
        .expect("an answer")
}

/// Sends `request` (if any) on `stream`, then reads until the emulator closes it.
async fn until_closed(mut stream: tokio::net::TcpStream, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request).await.expect("sent");
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await.expect("read");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn ready_json_names_everything_a_client_needs_and_the_credentials_work() {
    let (_running, ready) = start(&[]).await;
    let object = ready.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_key",
            "endpoint",
            "id_token",
            "idp_id",
            "project_id",
            "repository_ids",
            "secret_key",
            "security_token",
            "temporary_access_key",
            "temporary_secret_key",
            "token",
            "user_id",
            "username"
        ]
    );
    let endpoint = ready["endpoint"].as_str().unwrap();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert!(ready["user_id"].is_u64());
    for key in [
        "access_key",
        "secret_key",
        "project_id",
        "username",
        "token",
    ] {
        assert!(!ready[key].as_str().unwrap().is_empty(), "{key}");
    }
    let ids = ready["repository_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 2);

    let id = ids[0].as_u64().unwrap();
    let token = ready["token"].as_str().unwrap();
    let url = format!("{endpoint}/v4/repositories/{id}/repository/commit-list?offset=0&limit=100");
    let answer = get(&url, token).await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert!(!body["commits"].as_array().unwrap().is_empty(), "{body}");
}

#[tokio::test]
async fn the_connection_limits_are_flags() {
    use std::time::Duration;
    let (_running, ready) = start(&[
        "--header-read-timeout-ms",
        "2000",
        "--idle-timeout-ms",
        "900",
        "--max-connections",
        "2",
    ])
    .await;
    let endpoint = ready["endpoint"].as_str().unwrap();
    let address = endpoint.trim_start_matches("http://");
    let url = format!("{endpoint}/v4/user/recent-push-events");
    let token = ready["token"].as_str().unwrap();
    // Two slow clients take both places: the next request is answered 503.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        slow.push(tokio::spawn(until_closed(stream, b"GET /v4/user/recent")));
    }
    let opened = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(get(&url, token).await.status(), 503);
    // They are answered 408 once the header-read timeout has passed.
    for reader in slow {
        let text = reader.await.unwrap();
        assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    }
    let waited = opened.elapsed();
    assert!(waited >= Duration::from_millis(1800), "{waited:?}");
    // A kept-alive connection is closed once idle for the idle timeout. (The two places
    // are given back once the server has seen the slow connections close: give it a
    // moment on a loaded machine.)
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET /v4/user/recent-push-events HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}\r\n\r\n"
    );
    let asked = tokio::time::Instant::now();
    let text = until_closed(stream, request.as_bytes()).await;
    assert!(text.starts_with("HTTP/1.1 200 "), "{text}");
    let idle = asked.elapsed();
    assert!(
        idle >= Duration::from_millis(800) && idle < Duration::from_secs(20),
        "{idle:?}"
    );

    // Out of range, a flag is refused with the usage status.
    let status = Command::new(env!("CARGO_BIN_EXE_codearts-repo-emulator"))
        .args(["--listen", "127.0.0.1:0", "--max-connections", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
