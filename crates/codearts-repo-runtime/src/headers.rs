//! Names of the headers the service and its signers use, in one place.

/// Request header carrying an IAM token.
pub const AUTH_TOKEN: &str = "x-auth-token";
/// Request header carrying the project id; signed when present.
pub const PROJECT_ID: &str = "x-project-id";
/// Request header carrying the security token of temporary credentials; signed when
/// present.
pub const SECURITY_TOKEN: &str = "x-security-token";
/// Request header carrying the signing time of an AK/SK signature.
pub const SDK_DATE: &str = "x-sdk-date";
/// Response header carrying the id the service gives each answer.
pub const REQUEST_ID: &str = "x-request-id";
/// Response header carrying the number of items matching a list request.
pub const TOTAL: &str = "x-total";
