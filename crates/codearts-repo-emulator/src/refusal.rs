//! Refusals written on a connection outside any route, each a JSON error body with a code
//! from [`crate::codes`]: a connection beyond the connection cap (503), a request whose
//! head did not arrive in time (408), and the refusals hyper writes itself, which it sends
//! with an empty body and which are rewritten here (400, 414, 431).

use std::time::Duration;

use http::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::answer::Answer;

/// Longest a refusal of a connection beyond the cap waits for the request it answers: a
/// client sends its request's head as soon as it is connected.
const HEAD_WAIT: Duration = Duration::from_millis(500);

/// Longest a refusal takes to write its answer and read what the client still sends.
const LINGER: Duration = Duration::from_millis(500);

/// Most bytes read and dropped after a refusal, waiting for the client to close.
const DRAINED_BYTES: usize = 256 * 1024;

/// A whole HTTP/1.1 response for `answer`, which closes the connection; `date` is the
/// value of its `date` header (now, by default).
pub(crate) fn response(answer: &Answer, request_id: &str, date: Option<&str>) -> Vec<u8> {
    let now;
    let date = match date {
        Some(date) => date,
        None => {
            now = chrono::Utc::now()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            &now
        }
    };
    let reason = answer.status.canonical_reason().unwrap_or("Error");
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json;charset=UTF-8\r\n\
         content-length: {}\r\nx-request-id: {request_id}\r\nconnection: close\r\n",
        answer.status.as_u16(),
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{}: {value}\r\n", name.to_ascii_lowercase()));
    }
    head.push_str(&format!("date: {date}\r\n\r\n"));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&answer.body);
    bytes
}

/// A refusal that hyper wrote itself: its status and where its head starts in what hyper
/// was writing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HyperRefusal {
    /// Offset of its head in the bytes written.
    pub(crate) start: usize,
    /// 400, 414 or 431.
    pub(crate) status: StatusCode,
    /// Its `date` header.
    pub(crate) date: Option<String>,
}

/// Recognises, at the very end of `written`, the head hyper writes when it refuses a
/// request it cannot read: `HTTP/1.1 400 Bad Request` (or 414, 431), then only
/// `connection: close`, `content-length: 0` and `date`, and no body. No answer of the
/// emulator ends so: its heads all carry `x-request-id`, and its bodies are JSON, which
/// holds no raw CR LF.
pub(crate) fn hyper_refusal(written: &[u8]) -> Option<HyperRefusal> {
    if !written.ends_with(b"\r\n\r\n") {
        return None;
    }
    let start = written
        .windows(9)
        .rposition(|window| window == b"HTTP/1.1 ")?;
    let head = std::str::from_utf8(&written[start..written.len() - 4]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.get(9..12)?.parse::<u16>().ok()?;
    let status = StatusCode::from_u16(status).ok()?;
    let expected = [
        StatusCode::BAD_REQUEST,
        StatusCode::URI_TOO_LONG,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    ];
    if !expected.contains(&status) {
        return None;
    }
    let (mut closes, mut empty, mut date) = (false, false, None);
    for line in lines {
        let (name, value) = line.split_once(": ")?;
        match (name.to_ascii_lowercase().as_str(), value) {
            ("connection", "close") => closes = true,
            ("content-length", "0") => empty = true,
            ("date", value) => date = Some(value.to_string()),
            _ => return None,
        }
    }
    (closes && empty).then_some(HyperRefusal {
        start,
        status,
        date,
    })
}

/// The JSON answer that replaces hyper's empty refusal; `max_head` is the size limit of a
/// request's line and headers.
pub(crate) fn instead_of(refusal: &HyperRefusal, request_id: &str, max_head: usize) -> Vec<u8> {
    let answer = match refusal.status {
        StatusCode::URI_TOO_LONG => Answer::uri_too_long(crate::MAX_URI_BYTES),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Answer::headers_too_large(max_head),
        _ => Answer::malformed_request(),
    };
    response(&answer, request_id, refusal.date.as_deref())
}

/// Answers `response` to the request that arrives on `stream`, once its head has arrived
/// (or the client stopped sending, or [`HEAD_WAIT`] passed): an answer sent before the
/// request would reach a client that is not reading yet, and which may take it for a
/// broken connection. A client that sent nothing is not answered.
pub(crate) async fn answer_when_asked(mut stream: TcpStream, response: &[u8]) {
    let deadline = tokio::time::Instant::now() + HEAD_WAIT;
    let mut received = 0;
    let mut buffer = [0u8; 4096];
    // The last bytes seen, to find the empty line that ends the head across reads.
    let mut last = Vec::with_capacity(4096 + 3);
    while received < crate::MAX_HEAD_BYTES {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => {
                received += n;
                last.extend_from_slice(&buffer[..n]);
                if last.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
                let keep = last.len().saturating_sub(3);
                last.drain(..keep);
            }
            _ => break,
        }
    }
    if received > 0 {
        close_after(stream, Some(response)).await;
    }
}

/// Writes `response` (if any), closes the sending side, then reads and drops what the
/// client still sends until it closes, so that closing does not reset the connection
/// before the client has read the answer (a close with unread data sends a reset). Gives up
/// after [`LINGER`] or [`DRAINED_BYTES`].
pub(crate) async fn close_after(mut stream: TcpStream, response: Option<&[u8]>) {
    let _ = tokio::time::timeout(LINGER, async {
        if let Some(response) = response {
            stream.write_all(response).await?;
        }
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < DRAINED_BYTES {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Tue, 01 Dec 2026 21:34:19 GMT";

    fn hyper_head(status: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: 0\r\ndate: {DATE}\r\n\r\n"
        )
    }

    #[test]
    fn the_refusals_hyper_writes_are_recognised_where_they_start() {
        for (line, status) in [
            ("400 Bad Request", 400),
            ("414 URI Too Long", 414),
            ("431 Request Header Fields Too Large", 431),
        ] {
            let head = hyper_head(line);
            let found = hyper_refusal(head.as_bytes()).expect(line);
            assert_eq!(found.start, 0);
            assert_eq!(found.status.as_u16(), status);
            assert_eq!(found.date.as_deref(), Some(DATE));
            // After an answer still being written on the same connection.
            let after = format!("{{\"error_msg\":\"HTTP/1.1 400 x\"}}{head}");
            let start = hyper_refusal(after.as_bytes()).unwrap().start;
            assert_eq!(start, after.len() - head.len());
        }
    }

    #[test]
    fn the_emulator_answers_are_never_taken_for_hyper_refusals() {
        let answer = Answer::malformed_request();
        let ours = response(&answer, "abc", Some(DATE));
        assert_eq!(hyper_refusal(&ours), None);
        // Its head alone, as for a HEAD request.
        let head_end = ours.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(hyper_refusal(&ours[..head_end]), None);
        for other in [
            hyper_head("200 OK"),
            hyper_head("500 Internal Server Error"),
            hyper_head("400 Bad Request").replace("content-length: 0", "content-length: 5"),
            hyper_head("400 Bad Request").replace("connection: close\r\n", ""),
            hyper_head("400 Bad Request").replace("date", "x-request-id"),
            format!("{}{{}}", hyper_head("400 Bad Request")),
        ] {
            assert_eq!(hyper_refusal(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn a_rewritten_refusal_is_json_with_its_code() {
        let refusal =
            hyper_refusal(hyper_head("431 Request Header Fields Too Large").as_bytes()).unwrap();
        let bytes = instead_of(&refusal, "0123", 65536);
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        assert!(head.contains("\r\nx-request-id: 0123\r\n"));
        assert!(head.contains(&format!("\r\ndate: {DATE}")));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error_code"], crate::codes::HEADERS_TOO_LARGE);
        assert!(
            body["error_msg"].as_str().unwrap().contains("65536 bytes"),
            "{body}"
        );
    }
}
