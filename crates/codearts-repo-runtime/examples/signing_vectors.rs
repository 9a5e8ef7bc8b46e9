//! Signs requests read from standard input with this crate's signer, exactly as the client
//! does before each attempt, and checks signatures made by another signer: the Rust half of
//! `cargo xtask signing-parity`, which compares it with the official Python SDK's signer.
//!
//! Input: a JSON array of cases, each `{"algorithm": "SDK-HMAC-SM3", "method": "GET",
//! "url": "https://host/path?query", "content_type": "application/json" or null,
//! "access_key", "secret_key", "project_id" and "security_token" (or null),
//! "sdk_date": "20240101T000000Z", "body": "...", "official": {"headers": [[name, value],
//! ...]} or null}`. `official.headers` are the headers another signer sent, `Authorization`
//! included; they are verified as the emulator verifies a request.
//!
//! Output: a JSON array, one object per case: `authorization` (this crate's header),
//! `sdk_date`, `canonical_request`, `string_to_sign`, `private_key` (the derived key, hex,
//! for ECDSA and SM2, else null), `signature_verifies` (whether this crate's own verifier
//! accepts its signature) and `official_verifies` (whether it accepts the other signer's,
//! null without one).

use std::io::Read;

use codearts_repo_runtime::auth::Auth;
use codearts_repo_runtime::prepare::prepare_request;
use codearts_repo_runtime::signing::{self, SigningAlgorithm};
use serde_json::{Value, json};

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("read standard input");
    let cases: Vec<Value> = serde_json::from_str(&input).expect("a JSON array of cases");
    let results: Vec<Value> = cases.iter().map(run_case).collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&results).expect("JSON output")
    );
}

fn text<'a>(case: &'a Value, field: &str) -> Option<&'a str> {
    case.get(field).and_then(Value::as_str)
}

fn run_case(case: &Value) -> Value {
    let required = |field: &str| text(case, field).unwrap_or_else(|| panic!("no `{field}`"));
    let algorithm: SigningAlgorithm = required("algorithm").parse().expect("an algorithm");
    let (access_key, secret_key) = (required("access_key"), required("secret_key"));
    let sdk_date = required("sdk_date");
    let signed_at = signing::parse_date(sdk_date).expect("sdk_date as %Y%m%dT%H%M%SZ");
    let body = text(case, "body").unwrap_or("").as_bytes().to_vec();
    let method: reqwest::Method = required("method").parse().expect("a method");
    let mut request = reqwest::Request::new(method, required("url").parse().expect("a URL"));
    if let Some(content_type) = text(case, "content_type") {
        request.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            content_type.parse().expect("a header value"),
        );
    }
    if !body.is_empty() {
        *request.body_mut() = Some(body.clone().into());
    }
    let auth = Auth::access_key(
        access_key,
        secret_key,
        text(case, "project_id"),
        text(case, "security_token"),
    )
    .expect("usable credentials")
    .with_signing_algorithm(algorithm);
    prepare_request(&mut request, &auth, signed_at);

    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                value.to_str().expect("ASCII headers").to_string(),
            )
        })
        .collect();
    let authorization = header(&headers, "authorization").expect("a signed request");
    let parsed = signing::parse_authorization(&authorization).expect("our own header parses");
    let signed: Vec<(String, String)> = parsed
        .signed_headers
        .iter()
        .map(|name| (name.clone(), header(&headers, name).expect("signed header")))
        .collect();
    let query = request
        .url()
        .query()
        .map(signing::decode_query)
        .unwrap_or_default();
    let (canonical_request, _) = signing::canonical_request_with(
        algorithm,
        &signing::CanonicalInput {
            method: request.method().as_str(),
            path: request.url().path(),
            query: &query,
            headers: &signed,
            body: &body,
        },
    );
    let string_to_sign = signing::string_to_sign_with(algorithm, sdk_date, &canonical_request);
    let verifies = |headers: &[(String, String)]| {
        let received = signing::ReceivedRequest {
            method: request.method().as_str(),
            path: request.url().path(),
            raw_query: request.url().query().unwrap_or(""),
            headers,
            body: &body,
        };
        signing::verify(
            &received,
            |ak| (ak == access_key).then(|| secret_key.to_string()),
            signed_at,
        )
        .is_ok()
    };
    let official_verifies = case
        .get("official")
        .and_then(|official| official.get("headers"))
        .and_then(Value::as_array)
        .map(|pairs| {
            let headers: Vec<(String, String)> = pairs
                .iter()
                .map(|pair| {
                    (
                        pair[0].as_str().expect("header name").to_string(),
                        pair[1].as_str().expect("header value").to_string(),
                    )
                })
                .collect();
            verifies(&headers)
        });
    json!({
        "authorization": authorization,
        "sdk_date": header(&headers, "x-sdk-date"),
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
        "private_key": signing::derive_private_key(algorithm, access_key, secret_key).map(hex::encode),
        "signature_verifies": verifies(&headers),
        "official_verifies": official_verifies,
    })
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}
