//! Helpers shared by the client's tests: emulators and clients pointed at them.
#![allow(dead_code)]

use std::time::Duration;

use codearts_repo::{
    Client, ClientBuilder, Commit, Credentials, Page, RepositoryPushEvent, RetryConfig,
};
use codearts_repo_emulator::{Emulator, SyntheticConfig};

/// An emulator with `config`'s data and the given seed.
pub(crate) async fn emulator_with(seed: u64, config: SyntheticConfig) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .synthetic(config)
        .start()
        .await
        .expect("the emulator starts")
}

/// A small emulator: 3 repositories of 400 commits and 150 events, 4 users.
pub(crate) async fn emulator(seed: u64) -> Emulator {
    emulator_with(
        seed,
        SyntheticConfig::default()
            .repositories(3)
            .commits_per_repository(400)
            .events_per_repository(150)
            .users(4),
    )
    .await
}

/// A builder pointed at the emulator with generous timeouts (the machine may be loaded),
/// quick retries and no credentials yet.
pub(crate) fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .endpoint(emulator.base_url())
        .allow_http(true)
        .attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(240))
        .retry(quick_retries(4))
}

/// Retries with short backoffs (`Retry-After` is still honoured).
pub(crate) fn quick_retries(attempts: u32) -> RetryConfig {
    RetryConfig::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(50))
}

/// A client using the emulator user's token.
pub(crate) fn token_client(emulator: &Emulator) -> Client {
    builder(emulator)
        .credentials(Credentials::token(&emulator.credentials().token))
        .build()
        .expect("a client")
}

/// A client signing with the emulator user's AK/SK and project id.
pub(crate) fn aksk_client(emulator: &Emulator) -> Client {
    let c = emulator.credentials();
    builder(emulator)
        .credentials(
            Credentials::access_key(&c.access_key, &c.secret_key).project_id(&c.project_id),
        )
        .build()
        .expect("a client")
}

/// The first readable repository.
pub(crate) fn first_repository(emulator: &Emulator) -> u32 {
    emulator.repository_ids()[0]
}

/// A server on 127.0.0.1 written by hand, for answers no well-behaved server gives: it
/// reads the head of each request (one per connection) and hands the connection, with
/// the request's number from 0, to `answer`, which writes whatever bytes it likes.
pub(crate) struct RawServer {
    pub base_url: String,
    /// The head of every request received, in order.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub(crate) async fn raw_server<F, Fut>(answer: F) -> RawServer
where
    F: Fn(usize, tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        for index in 0.. {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).into_owned());
            tokio::spawn(answer(index, socket));
        }
    });
    RawServer { base_url, requests }
}

/// A minimal HTTP server answering each connection with the next canned answer (the last
/// one repeats), for answers the emulator does not produce: other error body shapes,
/// malformed bodies, a fixed `Retry-After`.
pub(crate) type CannedServer = RawServer;

/// One canned answer: status, extra headers and body.
pub(crate) struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Canned {
    pub(crate) fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("X-Request-Id", format!("canned-{status}"))],
            body: body.into(),
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

pub(crate) async fn canned_server(answers: Vec<Canned>) -> CannedServer {
    use tokio::io::AsyncWriteExt;
    let answers = std::sync::Arc::new(answers);
    raw_server(move |index, mut socket| {
        let answers = answers.clone();
        async move {
            let answer = &answers[index.min(answers.len() - 1)];
            let mut out = format!(
                "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                answer.status,
                answer.body.len()
            );
            for (name, value) in &answer.headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&answer.body);
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
    })
    .await
}

/// A token builder for a canned server, with generous timeouts and `retry`.
pub(crate) fn canned_builder(server: &CannedServer, retry: RetryConfig) -> ClientBuilder {
    Client::builder()
        .endpoint(&server.base_url)
        .allow_http(true)
        .credentials(Credentials::token("canned-token"))
        .attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(240))
        .retry(retry)
}

/// A token client for a canned server.
pub(crate) fn canned_client(server: &CannedServer, retry: RetryConfig) -> Client {
    canned_builder(server, retry).build().unwrap()
}

/// The first page of commits as a server answering only `answer` gives it (no retries).
pub(crate) async fn canned_commits(answer: Canned) -> codearts_repo::Result<Page<Commit>> {
    let server = canned_server(vec![answer]).await;
    let client = canned_client(&server, RetryConfig::disabled());
    client.list_commits(1).send().await
}

/// The first page of push events as a server answering only `answer` gives it (no
/// retries).
pub(crate) async fn canned_events(
    answer: Canned,
) -> codearts_repo::Result<Page<RepositoryPushEvent>> {
    let server = canned_server(vec![answer]).await;
    let client = canned_client(&server, RetryConfig::disabled());
    client.list_repository_events(1).send().await
}
