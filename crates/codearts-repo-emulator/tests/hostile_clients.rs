//! Clients that misbehave: slow ones that hold connections, more connections than the
//! emulator serves, idle ones, and requests that are not HTTP or too large. The emulator
//! keeps answering, and every refusal is a JSON error body with its code.

mod common;

use std::time::Duration;

use codearts_repo_emulator::{Emulator, FaultConfig, MAX_HEAD_BYTES, MAX_URI_BYTES, codes};
use common::{exchange, get};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// An emulator with the given limits.
async fn emulator(header_read: Duration, idle: Duration, max_connections: usize) -> Emulator {
    common::builder(31)
        .header_read_timeout(header_read)
        .idle_timeout(idle)
        .max_connections(max_connections)
        .start()
        .await
        .expect("the emulator starts")
}

/// Half a request line, never finished.
const HALF_A_REQUEST: &[u8] = b"GET /v4/user/recent-push-even";

#[tokio::test]
async fn slow_clients_beyond_the_cap_neither_stop_answers_nor_stay_for_ever() {
    const CAP: usize = 50;
    const SLOW: usize = 80;
    let header_read = Duration::from_secs(3);
    let emu = emulator(header_read, Duration::from_secs(60), CAP).await;
    let token = emu.credentials().token.clone();

    let mut slow = Vec::new();
    for _ in 0..SLOW {
        let mut stream = TcpStream::connect(emu.local_addr())
            .await
            .expect("a connection");
        stream
            .write_all(HALF_A_REQUEST)
            .await
            .expect("half a request");
        slow.push(stream);
    }
    let opened = Instant::now();
    let readers: Vec<_> = slow
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move {
                let mut received = Vec::new();
                let read = tokio::time::timeout(
                    Duration::from_secs(60),
                    stream.read_to_end(&mut received),
                )
                .await;
                assert!(
                    matches!(read, Ok(Ok(_))),
                    "closed after an answer: {read:?}"
                );
                (common::parse_responses(&received), opened.elapsed())
            })
        })
        .collect();

    // Every place is taken: a request is answered at once, with a 503 to try again.
    let asked = Instant::now();
    let reply = get(&emu, Some(&token), "/v4/user/recent-push-events").await;
    let waited = asked.elapsed();
    assert_eq!(
        (reply.status, reply.error_code()),
        (503, codes::SERVICE_UNAVAILABLE),
        "{:?}",
        reply.body
    );
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert!(
        waited < header_read,
        "answered in {waited:?}, not after the slow clients"
    );

    // The slow clients beyond the cap were refused within half a second (the time a
    // refusal waits for the request it answers), the others answered 408 once the
    // header-read timeout passed; every one of them is closed.
    let mut refused = 0;
    let mut timed_out = 0;
    for reader in readers {
        let (replies, closed_after) = reader.await.expect("the reader finishes");
        assert_eq!(replies.len(), 1, "{replies:?}");
        match (replies[0].status, replies[0].error_code()) {
            (503, codes::SERVICE_UNAVAILABLE) => {
                refused += 1;
                assert!(closed_after < header_read, "{closed_after:?}");
            }
            (408, codes::REQUEST_TIMEOUT) => {
                timed_out += 1;
                assert!(
                    closed_after >= header_read - Duration::from_millis(200)
                        && closed_after < header_read + Duration::from_secs(10),
                    "closed after {closed_after:?}"
                );
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((timed_out, refused), (CAP, SLOW - CAP));

    // Their places are free again: requests are served.
    let reply = get(&emu, Some(&token), "/v4/user/recent-push-events").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

#[tokio::test]
async fn idle_connections_are_closed_after_the_idle_timeout_and_answers_are_not_cut() {
    let idle = Duration::from_millis(1500);
    let emu = emulator(Duration::from_secs(1), idle, 16).await;
    let token = emu.credentials().token.clone();

    // A connection kept alive after its answer is closed, without a word, once idle.
    let request = format!(
        "GET /v4/user/recent-push-events HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}\r\n\r\n"
    );
    let (replies, closed_after) = exchange(&emu, request.as_bytes()).await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].status, 200);
    assert!(
        closed_after >= idle && closed_after < idle + Duration::from_secs(10),
        "closed after {closed_after:?}"
    );

    // A connection that sends nothing is closed after the header-read timeout, unanswered.
    let (replies, closed_after) = exchange(&emu, b"").await;
    assert!(replies.is_empty());
    assert!(
        closed_after >= Duration::from_millis(900) && closed_after < idle,
        "closed after {closed_after:?}"
    );

    // An answer that takes longer than both timeouts is not cut: the timeouts wait for it.
    emu.set_faults(
        FaultConfig::default()
            .stall_rate(1.0)
            .stall_for(Duration::from_millis(2500)),
    );
    let reply = get(&emu, Some(&token), "/v4/user/recent-push-events").await;
    assert_eq!(reply.status, 200);
    emu.set_faults(FaultConfig::default());

    // A request that stays between its head and its body is answered 408.
    let stalled_body = "GET /v4/user/recent-push-events HTTP/1.1\r\nHost: x\r\n\
                        Content-Length: 10\r\n\r\nab";
    let (replies, closed_after) = exchange(&emu, stalled_body.as_bytes()).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(
        (replies[0].status, replies[0].error_code()),
        (408, codes::REQUEST_TIMEOUT)
    );
    assert!(closed_after < Duration::from_secs(10), "{closed_after:?}");
}

#[tokio::test]
async fn requests_hyper_cannot_read_get_json_refusals_with_their_code() {
    let emu = emulator(Duration::from_secs(5), Duration::from_secs(5), 16).await;
    let too_large = format!(
        "GET /v4/user/recent-push-events HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(MAX_HEAD_BYTES)
    );
    let too_many: String = (0..101).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let too_many = format!("GET / HTTP/1.1\r\nHost: x\r\n{too_many}\r\n");
    let cases: [(&[u8], u16, &str); 5] = [
        (
            b"GARBAGE\x01 / HTTP/1.1\r\n\r\n",
            400,
            codes::MALFORMED_REQUEST,
        ),
        (
            b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
            400,
            codes::MALFORMED_REQUEST,
        ),
        (b"GET / HTTP/9.9\r\n\r\n", 400, codes::MALFORMED_REQUEST),
        (too_large.as_bytes(), 431, codes::HEADERS_TOO_LARGE),
        (too_many.as_bytes(), 431, codes::HEADERS_TOO_LARGE),
    ];
    for (request, status, code) in cases {
        let shown = String::from_utf8_lossy(&request[..request.len().min(40)]).into_owned();
        let (replies, _) = exchange(&emu, request).await;
        assert_eq!(replies.len(), 1, "{shown}: {replies:?}");
        let reply = &replies[0];
        assert_eq!(
            (reply.status, reply.error_code()),
            (status, code),
            "{shown}"
        );
        assert_eq!(reply.header("connection"), Some("close"), "{shown}");
        assert!(reply.header("date").is_some(), "{shown}");
    }

    // After an answer on the same connection, a request hyper cannot read is refused too.
    let token = emu.credentials().token.clone();
    let pipelined = format!(
        "GET /v4/user/recent-push-events HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}\r\n\r\n\
         GARBAGE\x01 / HTTP/1.1\r\n\r\n"
    );
    let (replies, _) = exchange(&emu, pipelined.as_bytes()).await;
    let answered: Vec<(u16, &str)> = replies.iter().map(|r| (r.status, r.error_code())).collect();
    assert_eq!(answered, [(200, ""), (400, codes::MALFORMED_REQUEST)]);

    // A URI past the gateway's limit is a 414 with the same kind of body.
    let long = format!(
        "/v4/user/recent-push-events?project_id={}",
        "a".repeat(MAX_URI_BYTES)
    );
    let reply = get(&emu, Some(&token), &long).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (414, codes::URI_TOO_LONG)
    );
    // The server is none the worse.
    let reply = get(&emu, Some(&token), "/v4/user/recent-push-events").await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn settings_out_of_range_are_refused() {
    for builder in [
        Emulator::builder().header_read_timeout(Duration::ZERO),
        Emulator::builder().idle_timeout(Duration::ZERO),
        Emulator::builder().max_connections(0),
    ] {
        let error = builder.start().await.expect_err("refused");
        assert!(
            matches!(
                error,
                codearts_repo_emulator::EmulatorError::InvalidConfig(_)
            ),
            "{error}"
        );
    }
}
