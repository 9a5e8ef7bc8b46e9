//! A hostile or broken server, written by hand on a socket: bodies that never end or
//! announce terabytes, error messages of megabytes full of terminal escapes, absurd
//! `Retry-After` values, bytes that are not UTF-8 inside the JSON and bytes after it.
//! The client answers each with a typed error or a repaired page, quickly, in bounded
//! memory, and never panics.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use codearts_repo::{Error, ErrorKind, MAX_DISPLAY_CHARS, RetryConfig};
use common::{Canned, RawServer, canned_builder, canned_client, canned_server, raw_server};
use tokio::io::AsyncWriteExt;

const MIB: u64 = 1024 * 1024;

/// One chunk of a chunked body.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// A server answering `status` with a chunked commit list that never ends; it counts the
/// bytes it wrote and notes when a write failed (the client closed the connection).
fn endless_server(
    status: u16,
    sent: Arc<AtomicU64>,
    ended: Arc<AtomicBool>,
) -> impl Future<Output = RawServer> {
    raw_server(move |index, mut socket| {
        let (sent, ended) = (sent.clone(), ended.clone());
        async move {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                 Transfer-Encoding: chunked\r\nX-Request-Id: endless-{index}\r\n\r\n"
            );
            let item = r#"{"id":"0123456789abcdef0123456789abcdef01234567","title":"again"},"#;
            let items = chunk(item.repeat(1000).as_bytes());
            let mut next = [head.into_bytes(), chunk(br#"{"commits":["#)].concat();
            while socket.write_all(&next).await.is_ok() {
                sent.fetch_add(next.len() as u64, Ordering::SeqCst);
                next.clone_from(&items);
            }
            ended.store(true, Ordering::SeqCst);
        }
    })
}

#[tokio::test]
async fn an_endless_chunked_body_fails_at_the_limit_quickly_and_is_not_retried() {
    let (sent, ended) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let server = endless_server(200, sent.clone(), ended.clone()).await;
    let client = canned_builder(&server, common::quick_retries(4))
        .max_response_bytes(MIB)
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.list_commits(1).send().await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    match &e {
        Error::ResponseTooLarge {
            operation,
            limit,
            received,
            declared,
            status,
            request_id,
        } => {
            assert_eq!(*operation, "list_commits");
            assert_eq!(*limit, MIB);
            // Reading stopped at the first chunk past the limit: memory stayed bounded.
            assert!(
                *received > MIB && *received <= MIB + 128 * 1024,
                "{received}"
            );
            assert_eq!(*declared, None);
            assert_eq!(status.as_u16(), 200);
            assert_eq!(request_id.as_deref(), Some("endless-0"));
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
    assert_eq!(e.request_id(), Some("endless-0"));
    assert!(!e.is_retryable());
    let text = e.to_string();
    assert!(
        text.contains("1048576") && text.contains("max_response_bytes"),
        "{text}"
    );
    assert_eq!(server.requests.lock().unwrap().len(), 1, "not retried");
    // The client dropped the connection: the server's writes fail soon after.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ended.load(Ordering::SeqCst) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ended.load(Ordering::SeqCst), "the connection stayed open");
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < 64 * MIB, "the server wrote {sent} bytes");
}

#[tokio::test]
async fn an_endless_error_body_is_refused_too_without_retrying() {
    let (sent, ended) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let server = endless_server(503, sent, ended).await;
    let client = canned_builder(&server, common::quick_retries(4))
        .max_response_bytes(256 * 1024)
        .build()
        .unwrap();
    let e = client.list_repository_events(1).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{e}");
    assert!(matches!(&e, Error::ResponseTooLarge { status, .. } if status.as_u16() == 503));
    assert_eq!(server.requests.lock().unwrap().len(), 1, "not retried");
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_before_reading() {
    for status in [200u16, 503] {
        // Announces a terabyte, sends a byte, then holds the connection open.
        let server = raw_server(move |_, mut socket| async move {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: 1000000000000\r\n\
                 X-Request-Id: huge\r\n\r\n["
            );
            let _ = socket.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(120)).await;
        })
        .await;
        let client = canned_client(&server, common::quick_retries(3));
        let started = Instant::now();
        let e = client.list_commits(1).send().await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "{e}");
        match &e {
            Error::ResponseTooLarge {
                limit,
                received,
                declared,
                ..
            } => {
                assert_eq!(*limit, codearts_repo::DEFAULT_MAX_RESPONSE_BYTES);
                assert_eq!(*received, 0);
                assert_eq!(*declared, Some(1_000_000_000_000));
            }
            other => panic!("{status}: expected ResponseTooLarge, got {other:?}"),
        }
        assert!(e.to_string().contains("1000000000000"), "{e}");
        assert_eq!(server.requests.lock().unwrap().len(), 1, "not retried");
    }
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not() {
    let document = br#"{"commits":[{"id":"a1"}],"date_title":[]}"#;
    let server = raw_server(move |_, mut socket| async move {
        let mut answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        answer.extend(chunk(&document[..10]));
        answer.extend(chunk(&document[10..]));
        answer.extend(chunk(b""));
        let _ = socket.write_all(&answer).await;
    })
    .await;
    let size = document.len() as u64;
    let exact = canned_builder(&server, RetryConfig::disabled())
        .max_response_bytes(size)
        .build()
        .unwrap();
    assert_eq!(exact.list_commits(1).send().await.unwrap().items.len(), 1);
    let short = canned_builder(&server, RetryConfig::disabled())
        .max_response_bytes(size - 1)
        .build()
        .unwrap();
    let e = short.list_commits(1).send().await.unwrap_err();
    assert!(
        matches!(e, Error::ResponseTooLarge { received, declared: None, .. } if received == size),
        "{e:?}"
    );
}

#[tokio::test]
async fn huge_retry_after_values_end_the_retries_without_panicking() {
    for value in [
        "18446744073709551615",
        "9223372036854775807",
        "99999999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "86400",
    ] {
        for status in [503u16, 429] {
            let server = canned_server(vec![
                Canned::new(status, r#"{"error_code":"X.1","error_msg":"later"}"#)
                    .header("Retry-After", value),
            ])
            .await;
            let operation_timeout = Duration::from_secs(10);
            let client = canned_builder(&server, common::quick_retries(4))
                .operation_timeout(operation_timeout)
                .build()
                .unwrap();
            let started = Instant::now();
            let e = tokio::time::timeout(operation_timeout, client.list_commits(1).send())
                .await
                .expect("the call returns within its operation timeout")
                .unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(5), "{value}");
            assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{value}: {e}");
            let api = e.api().unwrap();
            assert_eq!(
                api.attempts, 1,
                "{value}: a wait past the deadline is not made"
            );
            assert!(api.retry_after.unwrap() > operation_timeout, "{value}");
            assert_eq!(server.requests.lock().unwrap().len(), 1, "{value}");
        }
    }
}

#[tokio::test]
async fn a_huge_error_message_is_cut_and_escaped_for_display_and_kept_whole() {
    let message = format!(
        "\u{1b}[2J\u{1b}[31mALERT\u{202e}txt.exe\n{}",
        "A".repeat(5 * MIB as usize)
    );
    let body = serde_json::json!({"error_code": "X.\u{7}1", "error_msg": message}).to_string();
    let e = common::canned_commits(Canned::new(400, body))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.len() < 3 * MAX_DISPLAY_CHARS, "{} bytes", text.len());
    assert!(!text.chars().any(char::is_control), "{text:?}");
    for shown in [
        "X.\\x071",
        "\\x1b[2J\\x1b[31mALERT\\u{202e}txt.exe\\nAAA",
        "more bytes]",
        "canned-400",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    // The fields keep what the server sent.
    assert_eq!(e.message(), Some(message.as_str()));
    assert_eq!(e.code(), Some("X.\u{7}1"));
}

#[tokio::test]
async fn decode_problems_quoting_a_huge_value_are_cut() {
    let huge = "\\u001bB".repeat(MIB as usize);
    // The whole body is a string where an object is expected: the message quotes it.
    let e = common::canned_commits(Canned::new(200, format!(r#""{huge}""#)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    let text = e.to_string();
    assert!(text.len() < 4 * MAX_DISPLAY_CHARS, "{} bytes", text.len());
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.contains("more bytes]"), "{text}");

    // A repaired field's problem quotes it too: cut as well.
    let body = format!(r#"{{"commits":[{{"id":"a1","verification_status":"{huge}"}}]}}"#);
    let page = common::canned_commits(Canned::new(200, body))
        .await
        .unwrap();
    let problem = &page.repairs[0].problem;
    assert!(
        problem.len() < 2 * MAX_DISPLAY_CHARS,
        "{} bytes",
        problem.len()
    );
    assert!(problem.contains("more bytes]"), "{problem}");
}

#[tokio::test]
async fn strings_that_are_not_utf8_are_dropped_from_optional_fields_and_reported() {
    let body = b"{\"commits\":[\
        {\"id\":\"a1\",\"title\":\"bad \xff\xfe title\",\"author_name\":\"ok\",\"\xff\":1},\
        {\"id\":\"b2\",\"message\":\"cut \xc3\",\"committer_name\":\"raw \x01 control\"}],\
        \"date_title\":[]}"
        .to_vec();
    let page = common::canned_commits(Canned::new(200, body))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].id.as_deref(), Some("a1"));
    assert_eq!(page.items[0].title, None);
    assert_eq!(page.items[0].author_name.as_deref(), Some("ok"));
    assert_eq!(page.items[1].message, None);
    assert_eq!(page.items[1].committer_name, None);
    let paths: Vec<&str> = page.repairs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "commits[0].title",
            "commits[1].committer_name",
            "commits[1].message"
        ]
    );
    assert!(
        page.repairs.iter().all(|r| r.problem.contains("UTF-8")),
        "{:?}",
        page.repairs
    );

    // In a list of events, and alongside a malformed value.
    let body = b"[{\"author\":{\"id\":5,\"name\":\"\xe2\x82\"},\"author_id\":\"x\",\"repository_name\":\"r\"}]"
        .to_vec();
    let page = common::canned_events(Canned::new(200, body)).await.unwrap();
    assert_eq!(page.items[0].repository_name.as_deref(), Some("r"));
    let paths: Vec<&str> = page.repairs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["[0].author.name", "[0].author_id"]);
}

#[tokio::test]
async fn an_id_that_is_not_utf8_is_dropped_and_reported_like_any_field() {
    let body = b"{\"commits\":[{\"id\":\"a1\"},{\"id\":\"b\xff2\",\"title\":\"kept\"}]}".to_vec();
    let page = common::canned_commits(Canned::new(200, body))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[1].id, None);
    assert_eq!(page.items[1].title.as_deref(), Some("kept"));
    let paths: Vec<&str> = page.repairs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["commits[1].id"]);
    assert!(page.repairs[0].problem.contains("not valid text"));
}

#[tokio::test]
async fn bytes_after_the_json_document_fail_the_decode() {
    let cases: [(&str, &[u8]); 4] = [
        (
            "list_commits",
            br#"{"commits":[{"id":"a1"}],"date_title":[]} GARBAGE{"#,
        ),
        // A malformed optional field takes the lenient path: still refused.
        (
            "list_commits",
            br#"{"commits":[{"id":"a1","verification_status":"yes"}]}GARBAGE"#,
        ),
        ("list_repository_events", b"[] []"),
        (
            "list_repository_events",
            b"[{\"repository_name\":\"\xff\"}] GARBAGE",
        ),
    ];
    for (operation, body) in cases {
        let answer = Canned::new(200, body.to_vec());
        let e = match operation {
            "list_commits" => common::canned_commits(answer).await.map(drop),
            _ => common::canned_events(answer).await.map(drop),
        }
        .unwrap_err();
        match &e {
            Error::Decode {
                path,
                message,
                request_id,
                ..
            } => {
                assert_eq!(path, ".", "{e}");
                assert!(message.contains("after the JSON document"), "{e}");
                assert_eq!(request_id.as_deref(), Some("canned-200"));
            }
            other => panic!(
                "{}: expected Decode, got {other:?}",
                String::from_utf8_lossy(body)
            ),
        }
    }

    // Whitespace after the document is fine.
    let spaced = Canned::new(200, "{\"commits\":[{\"id\":\"a1\"}]}\r\n \t\n");
    let page = common::canned_commits(spaced).await.unwrap();
    assert_eq!(page.items.len(), 1);
}
