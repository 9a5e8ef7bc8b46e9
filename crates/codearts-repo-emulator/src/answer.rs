//! Answers before they become responses: the status, JSON body and headers of a success or
//! of each error the emulator answers, and the finished response with its common headers.

use std::time::Duration;

use axum::response::Response;
use codearts_repo_gen::types::ErrorBody;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Serialize;

use crate::codes;
use crate::faults::BodyFault;
use crate::injection;
use crate::params::ParamError;
use crate::ratelimit::RateLimit;

/// Most headers a request may have (hyper's limit); more is a 431.
pub(crate) const MAX_HEADERS: usize = 100;

/// An answer before faults and common headers are applied.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// `value` as JSON, or a 500 when it cannot be encoded.
    pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self {
                status,
                body,
                headers: Vec::new(),
            },
            Err(error) => Self::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL_ERROR,
                &format!("The answer could not be encoded: {error}."),
            ),
        }
    }

    pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Self {
        let body = ErrorBody {
            error_code: Some(code.to_string()),
            error_msg: Some(message.to_string()),
        };
        Self {
            status,
            body: serde_json::to_vec(&body).unwrap_or_default(),
            headers: Vec::new(),
        }
    }

    /// 400 naming the parameter.
    pub(crate) fn bad_param(error: &ParamError) -> Self {
        Self::error(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            &error.message(),
        )
    }

    /// 400 for a body that cannot be read or is larger than `max` bytes.
    pub(crate) fn unreadable_body(max: usize) -> Self {
        Self::error(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            &format!("Invalid request body: unreadable or larger than {max} bytes."),
        )
    }

    /// 401, saying why.
    pub(crate) fn unauthorized(reason: &str) -> Self {
        Self::error(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            &format!("User authentication info not found: {reason}."),
        )
    }

    /// 403: the caller may not read the repository.
    pub(crate) fn forbidden() -> Self {
        Self::error(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "Insufficient permissions. Apply for the required permissions and try again.",
        )
    }

    /// 404: no repository has the id.
    pub(crate) fn not_found() -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            codes::REPOSITORY_NOT_FOUND,
            "The repository does not exist. Check and try again.",
        )
    }

    /// 404: no API has the path.
    pub(crate) fn no_such_api(method: &Method, path: &str) -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            codes::NO_SUCH_API,
            &format!("No API matches {method} {path}."),
        )
    }

    /// 405 with `Allow`: the APIs answer GET (and HEAD) only.
    pub(crate) fn method_not_allowed(method: &Method) -> Self {
        let mut answer = Self::error(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::METHOD_NOT_ALLOWED,
            &format!("Method {method} is not allowed; this API answers GET."),
        );
        answer.headers.push(("Allow", "GET, HEAD".to_string()));
        answer
    }

    /// An injected 500, 502 or 503 (any other status counts as 503), with `Retry-After`.
    pub(crate) fn server_error(status: u16, retry_after: u8) -> Self {
        let (status, code, message) = match status {
            500 => (
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL_ERROR,
                "Internal server error.",
            ),
            502 => (StatusCode::BAD_GATEWAY, codes::BAD_GATEWAY, "Bad gateway."),
            _ => (
                StatusCode::SERVICE_UNAVAILABLE,
                codes::SERVICE_UNAVAILABLE,
                "Service temporarily unavailable.",
            ),
        };
        let mut answer = Self::error(status, code, message);
        answer
            .headers
            .push(("Retry-After", retry_after.to_string()));
        answer
    }

    /// 400: what arrived is not an HTTP/1.1 request (hyper could not read its request line
    /// or a header).
    pub(crate) fn malformed_request() -> Self {
        Self::error(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED_REQUEST,
            "The request is not valid HTTP/1.1: its request line or a header cannot be read.",
        )
    }

    /// 408: the request's line and headers, or its body, did not arrive within `limit`.
    pub(crate) fn request_timeout(limit: Duration) -> Self {
        Self::error(
            StatusCode::REQUEST_TIMEOUT,
            codes::REQUEST_TIMEOUT,
            &format!(
                "The request did not arrive in time: {} ms are allowed for its headers, and \
                 as much for its body.",
                limit.as_millis()
            ),
        )
    }

    /// 414: the request's URI is longer than `max` bytes.
    pub(crate) fn uri_too_long(max: usize) -> Self {
        Self::error(
            StatusCode::URI_TOO_LONG,
            codes::URI_TOO_LONG,
            &format!("The request URI is longer than {max} bytes."),
        )
    }

    /// 431: the request's line and headers are larger than `max` bytes, or are too many.
    pub(crate) fn headers_too_large(max: usize) -> Self {
        Self::error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            codes::HEADERS_TOO_LARGE,
            &format!(
                "The request line and headers are larger than {max} bytes, or there are more \
                 than {MAX_HEADERS} headers."
            ),
        )
    }

    /// 503 with `Retry-After`: the emulator already serves `max` connections.
    pub(crate) fn too_many_connections(max: usize) -> Self {
        let mut answer = Self::error(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::SERVICE_UNAVAILABLE,
            &format!(
                "Too many connections: the emulator serves at most {max} at once. Try again \
                 later."
            ),
        );
        answer.headers.push(("Retry-After", "1".to_string()));
        answer
    }

    /// 429 from the per-user rate limit, as the API gateway words it, with `Retry-After`:
    /// the seconds until a token is back, rounded up.
    pub(crate) fn rate_limited(retry_after: u64, limit: Option<RateLimit>) -> Self {
        let limit = limit.map_or_else(String::new, |limit| {
            format!(
                ",limit:{},burst:{},time:1 second",
                limit.requests_per_second, limit.burst
            )
        });
        let mut answer = Self::error(
            StatusCode::TOO_MANY_REQUESTS,
            codes::THROTTLED,
            &format!(
                "The throttling threshold has been reached: policy user over ratelimit{limit}"
            ),
        );
        answer
            .headers
            .push(("Retry-After", retry_after.to_string()));
        answer
    }

    /// An injected 429, with `Retry-After`.
    pub(crate) fn throttled(retry_after: u8) -> Self {
        let mut answer = Self::error(
            StatusCode::TOO_MANY_REQUESTS,
            codes::THROTTLED,
            "The request is throttled.",
        );
        answer
            .headers
            .push(("Retry-After", retry_after.to_string()));
        answer
    }
}

/// The response: the body as `fault` leaves it, announced at its full length, with the JSON
/// content type, the request id and the answer's own headers.
pub(crate) fn finish(answer: Answer, request_id: &str, fault: BodyFault) -> Response {
    let length = answer.body.len();
    let body = injection::body(answer.body, fault);
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(codearts_repo_runtime::headers::REQUEST_ID, value);
    }
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}
