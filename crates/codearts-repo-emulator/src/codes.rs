//! The `error_code` of every error the emulator answers, one constant per situation.
//!
//! Codes prefixed `CH.` come from the service itself, those prefixed `APIGW.` from the API
//! gateway in front of it. Where the spec (`openapi/codearts-repo.yaml`) shows an example of
//! an error, the emulator answers the code of that example; the emulator's tests check this.

/// 400: a parameter is malformed, out of range or given twice, or the request body cannot
/// be read. The message names the parameter.
pub const BAD_REQUEST: &str = "CH.00000400";

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

/// 429: an injected throttling ([`FaultConfig::throttle_rate`]).
///
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

/// 503: an injected unavailability ([`FaultConfig::server_error_rate`]).
///
/// [`FaultConfig::server_error_rate`]: crate::FaultConfig::server_error_rate
pub const SERVICE_UNAVAILABLE: &str = "APIGW.0503";

/// Every code above with the HTTP status it is answered with, by status.
pub const ALL: &[(u16, &str)] = &[
    (400, BAD_REQUEST),
    (401, UNAUTHENTICATED),
    (403, FORBIDDEN),
    (404, REPOSITORY_NOT_FOUND),
    (404, NO_SUCH_API),
    (405, METHOD_NOT_ALLOWED),
    (429, THROTTLED),
    (500, INTERNAL_ERROR),
    (502, BAD_GATEWAY),
    (503, SERVICE_UNAVAILABLE),
];
