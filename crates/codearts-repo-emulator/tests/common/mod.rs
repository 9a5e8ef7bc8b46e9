//! Helpers shared by the emulator's tests: a started emulator, an HTTP client, and response
//! validation against the spec's schemas.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use codearts_repo_emulator::{Emulator, EmulatorBuilder, SyntheticConfig};
use serde_json::{Value, json};

/// The settings of an emulator with a small data set and the given seed.
pub(crate) fn builder(seed: u64) -> EmulatorBuilder {
    Emulator::builder().seed(seed).synthetic(
        SyntheticConfig::default()
            .repositories(3)
            .commits_per_repository(400)
            .events_per_repository(150)
            .users(4),
    )
}

/// An emulator with a small data set and the given seed.
pub(crate) async fn emulator(seed: u64) -> Emulator {
    builder(seed).start().await.expect("the emulator starts")
}

/// A client with generous timeouts (the machine may be loaded) and no retries.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client")
}

/// An answer read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn error_code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }

    pub(crate) fn error_msg(&self) -> &str {
        self.body["error_msg"].as_str().unwrap_or("")
    }
}

/// Sends `GET base + path_and_query` with the token, reads the body as JSON, and checks
/// the body against the spec's schema for the operation and status.
pub(crate) async fn get(emulator: &Emulator, token: Option<&str>, path_and_query: &str) -> Reply {
    let mut request = client().get(format!("{}{path_and_query}", emulator.base_url()));
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let response = request.send().await.expect("an answer");
    read(response, path_and_query).await
}

/// Reads an answer and validates it against the spec.
pub(crate) async fn read(response: reqwest::Response, path_and_query: &str) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a complete body");
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "the body of {path_and_query} is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert!(
        headers.contains_key("x-request-id"),
        "no X-Request-Id on {path_and_query}"
    );
    let path = path_and_query.split('?').next().unwrap_or("");
    validate(path, status, &body);
    Reply {
        status,
        headers,
        body,
    }
}

/// Sends a GET with the token and returns the parsed body, asserting 200.
pub(crate) async fn ok(emulator: &Emulator, path_and_query: &str) -> Reply {
    let reply = get(
        emulator,
        Some(&emulator.credentials().token),
        path_and_query,
    )
    .await;
    assert_eq!(reply.status, 200, "{path_and_query}: {:?}", reply.body);
    reply
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| codearts_repo_tests::spec_document().unwrap_or_else(|e| panic!("{e}")))
}

/// The spec's path template matching a concrete path.
fn template_of(path: &str) -> Option<String> {
    let paths = spec()["paths"].as_object()?;
    let segments: Vec<&str> = path.split('/').collect();
    paths
        .keys()
        .find(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
        .cloned()
}

/// Validates a body against the spec's schema for `path` and `status`. Paths outside the
/// spec (404/405 of unknown routes) must still carry an `ErrorBody`.
pub(crate) fn validate(path: &str, status: u16, body: &Value) {
    let spec = spec();
    let error_body = json!({"$ref": "#/components/schemas/ErrorBody"});
    let no_response = Value::Null;
    let schema = match template_of(path) {
        Some(template) => {
            let responses = &spec["paths"][&template]["get"]["responses"];
            let mut response = match responses.get(status.to_string()) {
                Some(response) => response,
                // 408, 414, 431, 502 and 503 come from the gateway in front of the service
                // and are not listed per operation; they carry the shared error body.
                None if matches!(status, 408 | 414 | 431 | 502 | 503) => &no_response,
                None => panic!("the spec has no {status} answer for {template}"),
            };
            if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
                let name = reference.rsplit('/').next().unwrap_or("");
                response = &spec["components"]["responses"][name];
            }
            match response.pointer("/content/application~1json/schema") {
                Some(schema) => schema.clone(),
                None => error_body,
            }
        }
        None => error_body,
    };
    let errors = codearts_repo_tests::violations(spec, &schema, body);
    assert!(
        errors.is_empty(),
        "{path} {status}: body does not match the spec: {errors:?}\n{body}"
    );
}

/// One response read off a raw connection.
#[derive(Debug)]
pub(crate) struct RawReply {
    pub(crate) status: u16,
    /// The header lines, names in lowercase.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl RawReply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn error_code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }
}

/// The responses in `bytes`, each framed by its `content-length`; each must carry a request
/// id and a JSON body that is an `ErrorBody` unless it is a success.
pub(crate) fn parse_responses(mut bytes: &[u8]) -> Vec<RawReply> {
    let mut replies = Vec::new();
    while !bytes.is_empty() {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let head_end = text
            .find("\r\n\r\n")
            .unwrap_or_else(|| panic!("an incomplete head: {text:?}"));
        let mut lines = text[..head_end].split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let status: u16 = status_line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(": "))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or_else(|| panic!("no content-length: {text:?}"));
        let body_bytes = &bytes[head_end + 4..head_end + 4 + length];
        let body: Value = serde_json::from_slice(body_bytes)
            .unwrap_or_else(|e| panic!("{status}: the body is not JSON ({e}): {text:?}"));
        let reply = RawReply {
            status,
            headers,
            body,
        };
        assert!(
            reply.header("x-request-id").is_some(),
            "no request id: {text:?}"
        );
        if status >= 400 {
            validate("/", status, &reply.body);
        }
        replies.push(reply);
        bytes = &bytes[head_end + 4 + length..];
    }
    replies
}

/// Sends `bytes` on a new connection and reads until the emulator closes it (60 s at
/// most); returns what it answered and how long it took to close.
pub(crate) async fn exchange(emulator: &Emulator, bytes: &[u8]) -> (Vec<RawReply>, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = tokio::time::Instant::now();
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .expect("a connection");
    stream.write_all(bytes).await.expect("the request is sent");
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut received))
        .await
        .expect("the emulator closes the connection")
        .expect("the answer is read");
    (parse_responses(&received), started.elapsed())
}
