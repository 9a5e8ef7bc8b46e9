//! The emulator's error codes against the spec: every `error_code` that an error example of
//! `openapi/codearts-repo.yaml` shows for a status is the code the emulator answers in that
//! situation (the few exceptions are listed with their reason), the codes the spec never
//! shows are listed with theirs, and the emulator answers each situation with its code from
//! `codes`.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use codearts_repo_emulator::{FaultConfig, MAX_HEAD_BYTES, MAX_URI_BYTES, codes};
use common::get;
use serde_json::Value;

/// The code the emulator answers with, for each error status that the spec's operations
/// list. Every operation is about one repository or about the caller, so a 404 there means
/// that no repository has the id.
fn emulator_code(status: u16) -> Option<&'static str> {
    match status {
        400 => Some(codes::BAD_REQUEST),
        401 => Some(codes::UNAUTHENTICATED),
        403 => Some(codes::FORBIDDEN),
        404 => Some(codes::REPOSITORY_NOT_FOUND),
        429 => Some(codes::THROTTLED),
        500 => Some(codes::INTERNAL_ERROR),
        _ => None,
    }
}

/// Error examples of the spec whose code the emulator does not answer for that status:
/// (operation, status, code, why).
const SPEC_ONLY: &[(&str, u16, &str, &str)] = &[
    (
        "ListCommits",
        401,
        "DEV.00000003",
        // The example's message is "Authentication information expired.".
        "the commit-list page shows the answer to expired credentials; the emulator's tokens \
         and keys never expire, so no request meets that situation, and missing or unknown \
         credentials get the code of the shared Unauthorized response",
    ),
    (
        "ListCommits",
        403,
        "CH.004403",
        "the commit-list page shows this code for the refusal that every other operation \
         answers with the shared Forbidden response's code; the emulator answers the same \
         refusal with the same code on every endpoint",
    ),
];

/// Codes the emulator answers with that no error example of the spec shows: (code, why).
const EMULATOR_ONLY: &[(&str, &str)] = &[
    (
        codes::NO_SUCH_API,
        "404 for a path that is no API's: the spec describes only its APIs' paths",
    ),
    (
        codes::METHOD_NOT_ALLOWED,
        "405 for a method other than GET or HEAD: the spec describes only GET operations",
    ),
    (
        codes::BAD_GATEWAY,
        "an injected 502: it comes from the gateway in front of the service, which the spec \
         does not list per operation",
    ),
    (
        codes::SERVICE_UNAVAILABLE,
        "an injected 503, or a connection beyond the cap: it comes from the gateway in front \
         of the service, which the spec does not list per operation",
    ),
    (
        codes::MALFORMED_REQUEST,
        "400, 408, 414 and 431 for a request refused before it reaches an API (not HTTP/1.1, \
         too slow, URI or headers too large): the gateway's refusals, which the spec does not \
         list per operation",
    ),
];

/// One error example of the spec: the operation, the status, the code, and the example's
/// JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SpecCode {
    operation: String,
    status: u16,
    code: String,
    pointer: String,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every `error_code` of the examples of every operation's responses (`$ref`s followed).
fn spec_codes(doc: &Value) -> BTreeSet<SpecCode> {
    let mut found = BTreeSet::new();
    let paths = doc["paths"].as_object().expect("the spec has paths");
    for (path, item) in paths {
        let item_pointer = format!("/paths/{}", codearts_repo_tests::pointer_segment(path));
        for (method, operation) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            let name = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            for (status, response) in responses {
                let pointer = format!("{item_pointer}/{method}/responses/{status}");
                let (response, pointer, _) =
                    codearts_repo_tests::resolve(doc, response, &pointer).expect("a response");
                let content = response.get("content").and_then(Value::as_object);
                for (media_type, media) in content.into_iter().flatten() {
                    let media_pointer = format!(
                        "{pointer}/content/{}",
                        codearts_repo_tests::pointer_segment(media_type)
                    );
                    let mut examples = Vec::new();
                    if let Some(value) = media.get("example") {
                        examples.push((format!("{media_pointer}/example"), value));
                    }
                    let named = media.get("examples").and_then(Value::as_object);
                    for (key, example) in named.into_iter().flatten() {
                        let example_pointer = format!(
                            "{media_pointer}/examples/{}",
                            codearts_repo_tests::pointer_segment(key)
                        );
                        let (example, _, _) =
                            codearts_repo_tests::resolve(doc, example, &example_pointer)
                                .expect("an example");
                        if let Some(value) = example.get("value") {
                            examples.push((format!("{example_pointer}/value"), value));
                        }
                    }
                    for (example_pointer, value) in examples {
                        let Some(code) = value.get("error_code").and_then(Value::as_str) else {
                            continue;
                        };
                        found.insert(SpecCode {
                            operation: name.to_string(),
                            status: status.parse().unwrap_or_else(|_| {
                                panic!("{example_pointer}: status `{status}` is not a number")
                            }),
                            code: code.to_string(),
                            pointer: example_pointer,
                        });
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_spec_error_examples_show_the_codes_the_emulator_answers() {
    let doc = codearts_repo_tests::spec_document().unwrap_or_else(|e| panic!("{e}"));
    let found = spec_codes(&doc);

    // Every error example of the spec was reached through an operation (and so has a
    // status): none is left unchecked.
    let reached: BTreeSet<&str> = found.iter().map(|c| c.pointer.as_str()).collect();
    let examples = codearts_repo_tests::examples(&doc).unwrap_or_else(|e| panic!("{e}"));
    for example in &examples {
        if example.value.get("error_code").is_some() {
            assert!(
                reached.contains(example.pointer.as_str()),
                "{}: an error example that no operation's response shows",
                example.location
            );
        }
    }
    assert!(
        found.len() >= 6,
        "too few error examples found in the spec: {found:?}"
    );

    // Each example's code is the emulator's for that status, or a listed exception.
    for example in &found {
        let exception = SPEC_ONLY.iter().find(|(operation, status, code, _)| {
            (*operation, *status, *code)
                == (
                    example.operation.as_str(),
                    example.status,
                    example.code.as_str(),
                )
        });
        if exception.is_none() {
            assert_eq!(
                emulator_code(example.status),
                Some(example.code.as_str()),
                "{} {}: the spec's example ({}) shows a code the emulator does not answer; \
                 answer it, or list it in SPEC_ONLY with the reason",
                example.operation,
                example.status,
                example.pointer
            );
        }
    }
    // Every listed exception is still in the spec.
    for (operation, status, code, _) in SPEC_ONLY {
        assert!(
            found
                .iter()
                .any(|c| (c.operation.as_str(), c.status, c.code.as_str())
                    == (*operation, *status, *code)),
            "SPEC_ONLY lists {operation} {status} {code}, which the spec no longer shows"
        );
    }

    // The codes the emulator answers: each one the spec shows comes with the status the
    // spec shows it with; the others are exactly the listed ones.
    let shown: BTreeSet<(u16, &str)> = found.iter().map(|c| (c.status, c.code.as_str())).collect();
    let shown_codes: BTreeSet<&str> = shown.iter().map(|(_, code)| *code).collect();
    let mut not_shown = BTreeSet::new();
    for &(status, code) in codes::ALL {
        if shown_codes.contains(code) {
            assert!(
                shown.contains(&(status, code)),
                "the emulator answers {code} with {status}, the spec's examples with another status"
            );
        } else {
            not_shown.insert(code);
        }
    }
    let listed: BTreeSet<&str> = EMULATOR_ONLY.iter().map(|(code, _)| *code).collect();
    assert_eq!(
        not_shown, listed,
        "the emulator's codes that no spec example shows must be exactly EMULATOR_ONLY"
    );

    // The codes of the spec's statuses are among the emulator's, with that status.
    for status in [400, 401, 403, 404, 429, 500] {
        let code = emulator_code(status).expect("a code");
        assert!(
            codes::ALL.contains(&(status, code)),
            "{code} is not in codes::ALL with {status}"
        );
    }
    let unique: BTreeSet<(u16, &str)> = codes::ALL.iter().copied().collect();
    assert_eq!(unique.len(), codes::ALL.len(), "a code is listed twice");
    // A code shared by several statuses is one of the gateway's request refusals.
    for &(status, code) in codes::ALL {
        let statuses = codes::ALL.iter().filter(|(_, c)| *c == code).count();
        assert!(
            statuses == 1 || code == codes::MALFORMED_REQUEST,
            "{code} ({status}) is answered with {statuses} statuses"
        );
    }
}

#[tokio::test]
async fn each_situation_is_answered_with_its_code() {
    const CAP: usize = 8;
    let emu = common::builder(26)
        .header_read_timeout(Duration::from_secs(1))
        .max_connections(CAP)
        .start()
        .await
        .expect("the emulator starts");
    let token = emu.credentials().token.clone();
    let outsider = emu.outsider_credentials().token.clone();
    let repo = emu.repository_ids()[0];
    let unknown = emu.store().repository_ids().last().unwrap() + 1;
    let events = format!("/v4/repositories/{repo}/events");

    let mut answered = Vec::new();
    for (token, path) in [
        (Some(&token), format!("{events}?limit=0")),
        (None, events.clone()),
        (Some(&outsider), events.clone()),
        (Some(&token), format!("/v4/repositories/{unknown}/events")),
        (Some(&token), "/v4/repositories/1/branches".to_string()),
    ] {
        let reply = get(&emu, token.map(String::as_str), &path).await;
        answered.push((reply.status, reply.error_code().to_string()));
    }
    let response = common::client()
        .post(format!("{}{events}", emu.base_url()))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .expect("an answer");
    let reply = common::read(response, "/unknown").await;
    answered.push((reply.status, reply.error_code().to_string()));
    // Requests refused before they reach an API: too slow, URI or headers too large, not
    // HTTP at all.
    let long_uri = format!("{events}?filter={}", "a".repeat(MAX_URI_BYTES));
    for request in [
        b"GET /v4/user/recent-push-events HTTP/1.1\r\nHost:".to_vec(),
        format!("GET {long_uri} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes(),
        format!(
            "GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n",
            "b".repeat(MAX_HEAD_BYTES)
        )
        .into_bytes(),
        b"\x00\x01 not http\r\n\r\n".to_vec(),
    ] {
        let (replies, _) = common::exchange(&emu, &request).await;
        let reply = replies.first().expect("an answer");
        answered.push((reply.status, reply.error_code().to_string()));
    }

    emu.set_faults(FaultConfig::default().throttle_rate(1.0));
    let reply = get(&emu, Some(&token), &events).await;
    answered.push((reply.status, reply.error_code().to_string()));

    // Injected server errors are 500, 502 or 503, drawn per request from a fixed seed.
    emu.set_faults(FaultConfig::default().server_error_rate(1.0).seed(3));
    let mut server_errors = BTreeSet::new();
    for _ in 0..64 {
        let reply = get(&emu, Some(&token), &events).await;
        server_errors.insert((reply.status, reply.error_code().to_string()));
        if server_errors.len() == 3 {
            break;
        }
    }
    answered.extend(server_errors);
    emu.set_faults(FaultConfig::default());

    // A connection beyond the cap gets the same 503 as an injected one.
    let mut held = Vec::new();
    for _ in 0..CAP {
        held.push(
            tokio::net::TcpStream::connect(emu.local_addr())
                .await
                .expect("a connection"),
        );
    }
    let reply = get(&emu, Some(&token), &events).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (503, codes::SERVICE_UNAVAILABLE)
    );
    drop(held);

    let expected: Vec<(u16, String)> = [
        (400, codes::BAD_REQUEST),
        (401, codes::UNAUTHENTICATED),
        (403, codes::FORBIDDEN),
        (404, codes::REPOSITORY_NOT_FOUND),
        (404, codes::NO_SUCH_API),
        (405, codes::METHOD_NOT_ALLOWED),
        (408, codes::REQUEST_TIMEOUT),
        (414, codes::URI_TOO_LONG),
        (431, codes::HEADERS_TOO_LARGE),
        (400, codes::MALFORMED_REQUEST),
        (429, codes::THROTTLED),
        (500, codes::INTERNAL_ERROR),
        (502, codes::BAD_GATEWAY),
        (503, codes::SERVICE_UNAVAILABLE),
    ]
    .into_iter()
    .map(|(status, code)| (status, code.to_string()))
    .collect();
    assert_eq!(answered, expected);
    let mut all: Vec<(u16, String)> = codes::ALL
        .iter()
        .map(|&(status, code)| (status, code.to_string()))
        .collect();
    let mut situations = expected.clone();
    all.sort();
    situations.sort();
    assert_eq!(all, situations, "codes::ALL lists every situation above");
}
