//! The `SDK-HMAC-SHA256` request signature of the official Huawei Cloud SDKs, in one
//! place: the client signs with it and the emulator verifies with it.
//!
//! 1. Canonical request: method; URI path with each segment percent-encoded (RFC 3986
//!    unreserved characters kept) and a trailing `/`; query pairs sorted by name then
//!    value, encoded the same way and joined with `&`; each signed header as
//!    `name:trimmed-value` plus a newline; the `;`-joined signed header names; hex
//!    SHA-256 of the body. Joined by newlines.
//! 2. String to sign: `SDK-HMAC-SHA256`, the `X-Sdk-Date` value and the hex SHA-256 of
//!    the canonical request, joined by newlines.
//! 3. Signature: hex HMAC-SHA256 of the string to sign, keyed with the secret key.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::headers;

/// Name of the algorithm, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Format of the `X-Sdk-Date` header ([`headers::SDK_DATE`]), always UTC.
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// Largest accepted distance between the signing time and the verifier's clock.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(15);

/// Everything but the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `s` as the signer does (space as `%20`).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE_SET).to_string()
}

/// The canonical form of a URI path, as sent (percent-encoded or not).
pub fn canonical_uri(path: &str) -> String {
    let mut out = path
        .split('/')
        .map(|segment| encode(&percent_decode_str(segment).decode_utf8_lossy()))
        .collect::<Vec<_>>()
        .join("/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The canonical query string of decoded pairs; also the query string to send.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut sorted: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    sorted.sort_unstable();
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes a raw query string into pairs, reading `+` as a space as form encoding does.
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The request as the signature covers it.
#[derive(Clone, Debug)]
pub struct CanonicalInput<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// URI path as sent.
    pub path: &'a str,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// The signed headers: names (any case) and values.
    pub headers: &'a [(String, String)],
    /// Request body.
    pub body: &'a [u8],
}

/// The canonical request and the `;`-joined signed header names.
pub fn canonical_request(input: &CanonicalInput<'_>) -> (String, String) {
    let mut headers: Vec<(String, &str)> = input
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method.to_ascii_uppercase(),
        canonical_uri(input.path),
        canonical_query(input.query),
        canonical_headers,
        signed_headers,
        sha256_hex(input.body),
    );
    (canonical, signed_headers)
}

/// The string to sign for a canonical request signed at `sdk_date` (the header's text).
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Hex HMAC-SHA256 of `string_to_sign` keyed with the secret key.
pub fn signature(secret_key: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value.
pub fn authorization(access_key: &str, signed_headers: &str, signature: &str) -> String {
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

/// Formats a signing time for [`headers::SDK_DATE`].
pub fn format_date(time: DateTime<Utc>) -> String {
    time.format(DATE_FORMAT).to_string()
}

/// Reads a [`headers::SDK_DATE`] value.
pub fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value, DATE_FORMAT)
        .ok()
        .map(|t| t.and_utc())
}

/// Signs `input` (whose headers must include `host` and [`headers::SDK_DATE`]) and returns the
/// `Authorization` header value.
pub fn sign(
    access_key: &str,
    secret_key: &str,
    sdk_date: &str,
    input: &CanonicalInput<'_>,
) -> String {
    let (canonical, signed_headers) = canonical_request(input);
    let signature = signature(secret_key, &string_to_sign(sdk_date, &canonical));
    authorization(access_key, &signed_headers, &signature)
}

/// The parts of an `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key.
    pub access_key: String,
    /// Lowercase signed header names, in the order given.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("access_key", &self.access_key)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"<redacted>")
            .finish()
    }
}

/// Parses `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`.
pub fn parse_authorization(value: &str) -> Result<Authorization, VerifyError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or(VerifyError::Malformed(
            "the Authorization header is not SDK-HMAC-SHA256",
        ))?;
    let (mut access, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or(VerifyError::Malformed("an Authorization field has no `=`"))?;
        match key {
            "Access" => access = Some(val.to_string()),
            "SignedHeaders" => signed = Some(val.split(';').map(str::to_string).collect()),
            "Signature" => signature = Some(val.to_string()),
            _ => {
                return Err(VerifyError::Malformed(
                    "the Authorization header has an unknown field",
                ));
            }
        }
    }
    Ok(Authorization {
        access_key: access.ok_or(VerifyError::Malformed(
            "the Authorization header has no Access",
        ))?,
        signed_headers: signed.ok_or(VerifyError::Malformed(
            "the Authorization header has no SignedHeaders",
        ))?,
        signature: signature.ok_or(VerifyError::Malformed(
            "the Authorization header has no Signature",
        ))?,
    })
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// A header is missing or unreadable.
    Malformed(&'static str),
    /// The access key is not known.
    UnknownAccessKey,
    /// The signing time is more than [`MAX_CLOCK_SKEW`] from the verifier's clock.
    Expired,
    /// The signature does not match the request.
    Mismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => f.write_str(what),
            Self::UnknownAccessKey => f.write_str("the access key is not known"),
            Self::Expired => {
                f.write_str("the X-Sdk-Date is more than 15 minutes from the server's clock")
            }
            Self::Mismatch => f.write_str("the signature does not match the request"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// A received request, for verification.
#[derive(Clone, Debug)]
pub struct ReceivedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// URI path as received.
    pub path: &'a str,
    /// Raw query string as received, without `?`.
    pub raw_query: &'a str,
    /// Every received header (any case).
    pub headers: &'a [(String, String)],
    /// Request body.
    pub body: &'a [u8],
}

/// Verifies a received request's signature. `secret_key_of` looks up the secret key of an
/// access key. Returns the access key on success.
pub fn verify(
    request: &ReceivedRequest<'_>,
    secret_key_of: impl FnOnce(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<String, VerifyError> {
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let authorization = parse_authorization(
        header("authorization").ok_or(VerifyError::Malformed("no Authorization header"))?,
    )?;
    let sdk_date =
        header(headers::SDK_DATE).ok_or(VerifyError::Malformed("no X-Sdk-Date header"))?;
    let signed_at = parse_date(sdk_date).ok_or(VerifyError::Malformed(
        "the X-Sdk-Date header is not %Y%m%dT%H%M%SZ",
    ))?;
    if (now - signed_at).abs() > MAX_CLOCK_SKEW {
        return Err(VerifyError::Expired);
    }
    if !authorization
        .signed_headers
        .iter()
        .any(|h| h == headers::SDK_DATE)
    {
        return Err(VerifyError::Malformed(
            "X-Sdk-Date is not among the signed headers",
        ));
    }
    let mut signed = Vec::with_capacity(authorization.signed_headers.len());
    for name in &authorization.signed_headers {
        let value = header(name).ok_or(VerifyError::Malformed("a signed header is missing"))?;
        signed.push((name.clone(), value.to_string()));
    }
    let secret_key =
        secret_key_of(&authorization.access_key).ok_or(VerifyError::UnknownAccessKey)?;
    let query = decode_query(request.raw_query);
    let input = CanonicalInput {
        method: request.method,
        path: request.path,
        query: &query,
        headers: &signed,
        body: request.body,
    };
    let (canonical, _) = canonical_request(&input);
    let expected = signature(&secret_key, &string_to_sign(sdk_date, &canonical));
    if constant_time_eq(expected.as_bytes(), authorization.signature.as_bytes()) {
        Ok(authorization.access_key)
    } else {
        Err(VerifyError::Mismatch)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "AKTESTEXAMPLE0000001";
    const SK: &str = "SKtestExampleSecretKey0000000000000000001";

    fn vector_headers() -> Vec<(String, String)> {
        [
            ("Content-Type", "application/json"),
            ("Host", "codehub-ext.cn-north-4.myhuaweicloud.com"),
            ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
            ("X-Sdk-Date", "20240101T000000Z"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn vector_query() -> Vec<(String, String)> {
        [
            ("offset", "0"),
            ("limit", "20"),
            ("filter", "push"),
            ("after", "2024-01-01T00:00:00Z"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn official_sdk_test_vector() {
        let headers = vector_headers();
        let query = vector_query();
        let input = CanonicalInput {
            method: "GET",
            path: "/v4/repositories/123456/events",
            query: &query,
            headers: &headers,
            body: b"",
        };
        assert_eq!(
            sign(AK, SK, "20240101T000000Z", &input),
            "SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, \
             SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
             Signature=f161bd91e4b8fe35755457f38872ce841dc49b69697077a920d0e302d34b7b53"
        );
    }

    #[test]
    fn verify_accepts_the_vector_and_rejects_tampering() {
        let mut headers = vector_headers();
        let query = vector_query();
        let input = CanonicalInput {
            method: "GET",
            path: "/v4/repositories/123456/events",
            query: &query,
            headers: &headers,
            body: b"",
        };
        let auth = sign(AK, SK, "20240101T000000Z", &input);
        headers.push(("Authorization".into(), auth));
        let now = parse_date("20240101T000500Z").unwrap();
        let raw_query = canonical_query(&query);
        let received = ReceivedRequest {
            method: "GET",
            path: "/v4/repositories/123456/events",
            raw_query: &raw_query,
            headers: &headers,
            body: b"",
        };
        let lookup = |ak: &str| (ak == AK).then(|| SK.to_string());
        assert_eq!(verify(&received, lookup, now), Ok(AK.to_string()));

        let tampered_path = ReceivedRequest {
            path: "/v4/repositories/123457/events",
            ..received.clone()
        };
        assert_eq!(
            verify(&tampered_path, lookup, now),
            Err(VerifyError::Mismatch)
        );
        let tampered_query = ReceivedRequest {
            raw_query: "limit=21&offset=0",
            ..received.clone()
        };
        assert_eq!(
            verify(&tampered_query, lookup, now),
            Err(VerifyError::Mismatch)
        );
        let late = parse_date("20240101T001600Z").unwrap();
        assert_eq!(verify(&received, lookup, late), Err(VerifyError::Expired));
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(
            encode("feature/x y#z&+é~"),
            "feature%2Fx%20y%23z%26%2B%C3%A9~"
        );
        assert_eq!(canonical_uri("/v4/a%20b/c"), "/v4/a%20b/c/");
        assert_eq!(
            decode_query("a=x+y&b=%2B"),
            vec![("a".into(), "x y".into()), ("b".into(), "+".into())]
        );
    }
}
