//! Reading an answer whole, within the attempt's bounds.

use reqwest::header::{self, HeaderValue};

use crate::error_body;

/// Reads the whole body within the attempt's bounds and hands it back as a response; error
/// bodies are rewritten into the documented shape on the way.
pub(crate) async fn buffer_response(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let mut headers = std::mem::take(response.headers_mut());
    let mut body = response.bytes().await?;
    if status.is_client_error() || status.is_server_error() {
        let parts = error_body::parse(&body);
        body = error_body::canonical_body(&parts).into();
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
