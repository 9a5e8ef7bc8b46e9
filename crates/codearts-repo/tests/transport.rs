//! Transport settings end to end: a proxy with credentials, extra headers, interceptors
//! around every attempt, and TLS with a private root certificate or with checks off.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use codearts_repo::{Attempt, Client, Credentials, ErrorKind, Interceptor, RetryConfig};
use common::{Canned, canned_builder, canned_server};

#[tokio::test]
async fn a_proxy_carries_every_request_with_its_credentials() {
    let proxy = canned_server(vec![Canned::new(200, "{}")]).await;
    // The service's host does not resolve: only the proxy can answer.
    let client = Client::builder()
        .endpoint("http://codearts.invalid:8080")
        .allow_http(true)
        .credentials(Credentials::token("T"))
        .proxy(
            proxy
                .base_url
                .replace("http://", "http://proxy-user:pr0xy-pass@"),
        )
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    assert!(
        !format!("{client:?}").contains("pr0xy-pass"),
        "the proxy's password is never shown"
    );
    let push = client.last_push_event(7).send().await.unwrap();
    assert!(push.is_none());
    let requests = proxy.requests.lock().unwrap();
    let head = requests[0].to_ascii_lowercase();
    assert!(
        head.starts_with("get http://codearts.invalid:8080/v4/repositories/7/last-push-event "),
        "{head}"
    );
    // base64("proxy-user:pr0xy-pass")
    assert!(
        head.contains("proxy-authorization: basic chjvehktdxnlcjpwcjb4es1wyxnz"),
        "{head}"
    );
}

#[tokio::test]
async fn a_bad_proxy_is_refused_at_build_without_showing_its_password() {
    for proxy in ["ftp://u:s3cret@proxy:21", "not a url", "http://u:s3cret@"] {
        let error = Client::builder()
            .endpoint("http://127.0.0.1:1")
            .allow_http(true)
            .credentials(Credentials::token("T"))
            .proxy(proxy)
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{proxy}");
        let text = error.to_string();
        assert!(text.contains("proxy") && !text.contains("s3cret"), "{text}");
    }
}

#[tokio::test]
async fn extra_headers_go_with_every_request_and_the_sdks_own_are_refused() {
    let server = canned_server(vec![Canned::new(200, "{}")]).await;
    let client = canned_builder(&server, RetryConfig::disabled())
        .header("X-Tenant-Tag", "blue")
        .header("X-Trace", "a b")
        .build()
        .unwrap();
    client.last_push_event(7).send().await.unwrap();
    client.last_push_event(8).send().await.unwrap();
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.len(), 2);
    for head in requests.iter() {
        let head = head.to_ascii_lowercase();
        assert!(head.contains("x-tenant-tag: blue"), "{head}");
        assert!(head.contains("x-trace: a b"), "{head}");
    }
    for reserved in ["Authorization", "X-Auth-Token", "x-sdk-date", "Host"] {
        let error = canned_builder(&server, RetryConfig::disabled())
            .header(reserved, "x")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains(reserved), "{error}");
    }
    let error = canned_builder(&server, RetryConfig::disabled())
        .header("X-Bad", "line\nbreak")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

/// Records what it sees and tags each request with its attempt count so far.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(String, u32, Option<u16>)>>,
    sent: Mutex<u32>,
}

impl Interceptor for Recorder {
    fn before_attempt(&self, request: &mut codearts_repo::reqwest::Request) {
        let mut sent = self.sent.lock().unwrap();
        *sent += 1;
        request.headers_mut().insert(
            "x-attempt-tag",
            codearts_repo::reqwest::header::HeaderValue::from(*sent),
        );
    }

    fn after_attempt(&self, attempt: &Attempt<'_>) {
        self.seen.lock().unwrap().push((
            attempt.operation.to_string(),
            attempt.attempt,
            attempt.status.map(|s| s.as_u16()),
        ));
    }
}

#[tokio::test]
async fn interceptors_see_every_attempt_retries_included() {
    let server = canned_server(vec![
        Canned::new(503, r#"{"error_code":"X.1","error_msg":"busy"}"#),
        Canned::new(200, "{}"),
    ])
    .await;
    let recorder = Arc::new(Recorder::default());
    let client = canned_builder(&server, common::quick_retries(3))
        .interceptor(recorder.clone())
        .build()
        .unwrap();
    client.last_push_event(7).send().await.unwrap();
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!((seen[0].1, seen[0].2), (1, Some(503)));
    assert_eq!((seen[1].1, seen[1].2), (2, Some(200)));
    assert!(
        seen[0].0.to_lowercase().contains("last_push"),
        "{}",
        seen[0].0
    );
    let requests = server.requests.lock().unwrap();
    assert!(
        requests[0]
            .to_ascii_lowercase()
            .contains("x-attempt-tag: 1")
    );
    assert!(
        requests[1]
            .to_ascii_lowercase()
            .contains("x-attempt-tag: 2")
    );
}

#[tokio::test]
async fn a_transport_setting_with_a_given_http_client_is_refused() {
    let error = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .allow_http(true)
        .credentials(Credentials::token("T"))
        .http_client(codearts_repo::reqwest::Client::new())
        .proxy("http://127.0.0.1:3128")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("proxy"), "{error}");
}

#[cfg(feature = "default-tls")]
mod tls {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

    const CA: &str = include_str!("fixtures/test-ca.pem");
    const CERTIFICATE: &str = include_str!("fixtures/localhost.pem");
    const KEY: &str = include_str!("fixtures/localhost.key");

    /// An HTTPS server for `localhost` whose certificate a private CA signed, answering
    /// every request with an empty object.
    async fn https_server() -> String {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let chain = vec![CertificateDer::from_pem_slice(CERTIFICATE.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                        )
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        format!("https://localhost:{port}")
    }

    fn builder(endpoint: &str) -> codearts_repo::ClientBuilder {
        Client::builder()
            .endpoint(endpoint)
            .credentials(Credentials::token("T"))
            .retry(RetryConfig::disabled())
            .attempt_timeout(Duration::from_secs(30))
    }

    #[tokio::test]
    async fn a_private_root_certificate_is_trusted_when_added_and_only_then() {
        let endpoint = https_server().await;
        let untrusted = builder(&endpoint).build().unwrap();
        let error = untrusted.last_push_event(7).send().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
        let trusted = builder(&endpoint)
            .add_root_certificate_pem(CA)
            .build()
            .unwrap();
        assert!(trusted.last_push_event(7).send().await.unwrap().is_none());
        let error = builder(&endpoint)
            .add_root_certificate_pem("not a certificate")
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    }

    #[tokio::test]
    async fn certificate_checks_can_be_turned_off_by_name() {
        let endpoint = https_server().await;
        let client = builder(&endpoint)
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        assert!(client.last_push_event(7).send().await.unwrap().is_none());
    }
}
