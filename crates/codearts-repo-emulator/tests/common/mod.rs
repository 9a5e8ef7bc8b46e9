//! Helpers shared by the emulator's tests: a started emulator, an HTTP client, and response
//! validation against the spec's schemas.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use codearts_repo_emulator::{Emulator, SyntheticConfig};
use serde_json::{Value, json};

/// An emulator with a small data set and the given seed.
pub(crate) async fn emulator(seed: u64) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .synthetic(SyntheticConfig {
            repositories: 3,
            commits_per_repository: 400,
            events_per_repository: 150,
            users: 4,
            ..SyntheticConfig::default()
        })
        .start()
        .await
        .expect("the emulator starts")
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
                // 502 and 503 come from the gateway in front of the service and are not
                // listed per operation; they carry the shared error body.
                None if matches!(status, 502 | 503) => &no_response,
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
