//! The `error_code` of every error the emulator answers, one constant per situation.
//!
//! Codes prefixed `CH.` come from the service itself, those prefixed `APIGW.` from the API
//! gateway in front of it. Where the spec (`openapi/codearts-repo.yaml`) shows an example of
//! an error, the emulator answers the code of that example; the emulator's tests check this.

/// 400: a parameter is malformed, out of range, given twice or not UTF-8 once
/// percent-decoded, or the request body cannot be read. The message names the parameter.
pub const BAD_REQUEST: &str = "CH.00000400";

/// 400: what arrived is not an HTTP/1.1 request (its request line or a header cannot be
/// read), so no API is reached.
///
/// The four refusals of a request by the gateway in front of the service share this
/// code, as the API gateway's own do (`APIG.0201`: bad request, entity, URI or headers too
/// large); the status tells them apart.
pub const MALFORMED_REQUEST: &str = "APIGW.0201";

/// 408: the request line and headers did not arrive within the header-read timeout
/// ([`EmulatorBuilder::header_read_timeout`]), or the body within as long again. Answered
/// only to a request of which something arrived; see [`MALFORMED_REQUEST`] for the code.
///
/// [`EmulatorBuilder::header_read_timeout`]: crate::EmulatorBuilder::header_read_timeout
pub const REQUEST_TIMEOUT: &str = "APIGW.0201";

/// 414: the request URI is longer than [`MAX_URI_BYTES`](crate::MAX_URI_BYTES); see
/// [`MALFORMED_REQUEST`] for the code.
pub const URI_TOO_LONG: &str = "APIGW.0201";

/// 431: the request line and headers are larger than
/// [`MAX_HEAD_BYTES`](crate::MAX_HEAD_BYTES) or hold more than 100 headers (the gateway
/// answers 494, the emulator the standard status); see [`MALFORMED_REQUEST`] for the code.
pub const HEADERS_TOO_LARGE: &str = "APIGW.0201";

/// 401: the request carries no credentials, an unknown `X-Auth-Token`, or an AK/SK
/// signature that is refused (a temporary access key also needs its signed
/// `X-Security-Token`).
pub const UNAUTHENTICATED: &str = "CH.00000001";

/// 403: the caller is authenticated but may not read the repository.
pub const FORBIDDEN: &str = "CH.00401008";

/// 404: no repository has the id of the path.
pub const REPOSITORY_NOT_FOUND: &str = "CH.00402000";

/// 404: no API has this path.
pub const NO_SUCH_API: &str = "CH.00000404";

/// 405: the path is an API's, the method is not GET or HEAD.
pub const METHOD_NOT_ALLOWED: &str = "CH.00000405";

/// 429: the caller's requests are over the per-user rate limit
/// ([`EmulatorBuilder::rate_limit`]), or an injected throttling
/// ([`FaultConfig::throttle_rate`]). The API gateway's code for "the throttling threshold
/// has been reached".
///
/// [`EmulatorBuilder::rate_limit`]: crate::EmulatorBuilder::rate_limit
/// [`FaultConfig::throttle_rate`]: crate::FaultConfig::throttle_rate
pub const THROTTLED: &str = "APIGW.0308";

/// 500: an injected internal error ([`FaultConfig::server_error_rate`]), or an answer that
/// could not be encoded.
///
/// [`FaultConfig::server_error_rate`]: crate::FaultConfig::server_error_rate
pub const INTERNAL_ERROR: &str = "CH.00000500";

/// 502: an injected bad gateway ([`FaultConfig::server_error_rate`]).
///
/// [`FaultConfig::server_error_rate`]: crate::FaultConfig::server_error_rate
pub const BAD_GATEWAY: &str = "APIGW.0502";

/// 503: an injected unavailability ([`FaultConfig::server_error_rate`]), or a connection
/// beyond [`EmulatorBuilder::max_connections`], answered with `Retry-After: 1` and closed.
///
/// [`FaultConfig::server_error_rate`]: crate::FaultConfig::server_error_rate
/// [`EmulatorBuilder::max_connections`]: crate::EmulatorBuilder::max_connections
pub const SERVICE_UNAVAILABLE: &str = "APIGW.0503";

/// Every code above with the HTTP status it is answered with, by status; a code answered
/// with several statuses is listed with each.
pub const ALL: &[(u16, &str)] = &[
    (400, BAD_REQUEST),
    (400, MALFORMED_REQUEST),
    (401, UNAUTHENTICATED),
    (403, FORBIDDEN),
    (404, REPOSITORY_NOT_FOUND),
    (404, NO_SUCH_API),
    (405, METHOD_NOT_ALLOWED),
    (408, REQUEST_TIMEOUT),
    (414, URI_TOO_LONG),
    (429, THROTTLED),
    (431, HEADERS_TOO_LARGE),
    (500, INTERNAL_ERROR),
    (502, BAD_GATEWAY),
    (503, SERVICE_UNAVAILABLE),
];
