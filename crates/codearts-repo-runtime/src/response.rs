//! Reading an answer whole, within the attempt's bounds and a size limit.

use std::fmt;

use reqwest::header::{self, HeaderValue};

use crate::error_body;

/// Default largest body read from one answer: 16 MiB, about 200 times a page of 100
/// commits (about 85 KB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Most bytes reserved up front from a `Content-Length`: a server may announce a long
/// body and send none, so larger bodies grow as they arrive.
const MAX_PREALLOCATION: u64 = 1024 * 1024;

/// An answer whose body was longer than the client accepts; reading it stopped there.
///
/// The attempt loop puts it in the [`CallRecord`](crate::call::CallRecord) and fails the
/// operation (without retrying: the same request gets the same answer) with a
/// `reqwest::Error` whose source is this value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
    /// Bytes received when reading stopped (more than `limit`); 0 when the announced
    /// `Content-Length` alone was over the limit and nothing was read.
    pub received: u64,
    /// The `Content-Length` the answer announced, if any.
    pub declared: Option<u64>,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer's body is larger than the limit of {} bytes",
            self.limit
        )?;
        match self.declared {
            Some(declared) if self.received == 0 => {
                write!(f, " (Content-Length: {declared}; nothing was read)")
            }
            _ => write!(f, " (reading stopped after {} bytes)", self.received),
        }
    }
}

impl std::error::Error for BodyTooLarge {}

/// Why an answer could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The transport failed, the body was cut or the attempt timed out.
    Http(reqwest::Error),
    /// The body is longer than the limit.
    TooLarge {
        /// What was over the limit.
        too_large: BodyTooLarge,
        /// The answer's status and headers, for the record.
        status: reqwest::StatusCode,
        /// The answer's headers.
        headers: reqwest::header::HeaderMap,
    },
}

impl From<reqwest::Error> for ReadError {
    fn from(error: reqwest::Error) -> Self {
        Self::Http(error)
    }
}

/// Reads the whole body, at most `max_bytes` of it, within the attempt's bounds and hands
/// it back as a response; error bodies are rewritten into the documented shape on the way.
///
/// An announced `Content-Length` over the limit fails before anything is read; otherwise
/// reading stops at the first chunk that takes the body over the limit, so no more than
/// the limit and one chunk is held.
pub(crate) async fn buffer_response(
    mut response: reqwest::Response,
    max_bytes: u64,
) -> Result<reqwest::Response, ReadError> {
    let status = response.status();
    let version = response.version();
    let declared = response.content_length();
    let mut headers = std::mem::take(response.headers_mut());
    let too_large = |received: u64, headers: reqwest::header::HeaderMap| ReadError::TooLarge {
        too_large: BodyTooLarge {
            limit: max_bytes,
            received,
            declared,
        },
        status,
        headers,
    };
    if declared.is_some_and(|declared| declared > max_bytes) {
        return Err(too_large(0, headers));
    }
    let reserve = declared.unwrap_or(0).min(MAX_PREALLOCATION);
    let mut body = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
    while let Some(chunk) = response.chunk().await? {
        let received = (body.len() as u64).saturating_add(chunk.len() as u64);
        if received > max_bytes {
            return Err(too_large(received, headers));
        }
        body.extend_from_slice(&chunk);
    }
    if status.is_client_error() || status.is_server_error() {
        let parts = error_body::parse(&body);
        body = error_body::canonical_body(&parts);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        headers.remove(header::CONTENT_ENCODING);
    }
    let mut buffered = http::Response::new(body);
    *buffered.status_mut() = status;
    *buffered.version_mut() = version;
    *buffered.headers_mut() = headers;
    Ok(reqwest::Response::from(buffered))
}

/// Fails with a `reqwest::Error` (a body error) whose source is `too_large`: the `exec`
/// hook of the generated client can only fail with a `reqwest::Error`, which has no public
/// constructor, so this reads a body made of that one error.
pub(crate) async fn fail_too_large(too_large: BodyTooLarge) -> reqwest::Result<reqwest::Response> {
    let body = reqwest::Body::wrap_stream(futures::stream::once(async move {
        Err::<Vec<u8>, _>(too_large)
    }));
    let mut response = reqwest::Response::from(http::Response::new(body));
    response.chunk().await?;
    // Not reached (the body's only item is the error); the record still names the cause.
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: reqwest::Body) -> reqwest::Response {
        reqwest::Response::from(http::Response::new(body))
    }

    fn too_large(result: Result<reqwest::Response, ReadError>) -> BodyTooLarge {
        match result {
            Err(ReadError::TooLarge { too_large, .. }) => too_large,
            other => panic!("expected a body over the limit, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn reading_an_endless_body_stops_just_past_the_limit() {
        let chunk = vec![b'x'; 8192];
        let endless = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
        let limit = 1024 * 1024;
        let refused =
            too_large(buffer_response(answer(reqwest::Body::wrap_stream(endless)), limit).await);
        assert_eq!(refused.limit, limit);
        assert_eq!(refused.declared, None);
        assert!(
            refused.received > limit && refused.received <= limit + 8192,
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let refused = too_large(buffer_response(answer(vec![0u8; 100].into()), 99).await);
        assert_eq!(
            refused,
            BodyTooLarge {
                limit: 99,
                received: 0,
                declared: Some(100),
            }
        );
        assert!(refused.to_string().contains("99 bytes"), "{refused}");
        let exact = buffer_response(answer(vec![7u8; 100].into()), 100).await;
        assert_eq!(exact.unwrap().bytes().await.unwrap().len(), 100);
    }

    #[tokio::test]
    async fn the_failure_carries_the_reason_as_its_source() {
        let reason = BodyTooLarge {
            limit: 10,
            received: 11,
            declared: None,
        };
        let error = fail_too_large(reason.clone()).await.unwrap_err();
        let mut source = std::error::Error::source(&error);
        let mut found = None;
        while let Some(cause) = source {
            found = found.or_else(|| cause.downcast_ref::<BodyTooLarge>().cloned());
            source = cause.source();
        }
        assert_eq!(found, Some(reason));
    }
}
