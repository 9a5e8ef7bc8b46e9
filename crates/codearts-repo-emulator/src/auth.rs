//! Authentication of a request: a known `X-Auth-Token`, else an AK/SK signature (a
//! temporary access key only with its own signed `X-Security-Token`).

use chrono::Utc;
use codearts_repo_runtime::{headers, signing};
use http::header;

use crate::answer::Answer;
use crate::router::App;

/// What the emulator knows of one access key.
#[derive(Clone)]
pub(crate) struct AccessKey {
    pub(crate) secret_key: String,
    pub(crate) user_id: u32,
    /// Set for temporary credentials: requests must carry it, signed, in `X-Security-Token`.
    pub(crate) security_token: Option<String>,
}

/// Authenticates the request and returns the caller's user id: a known `X-Auth-Token`,
/// else a valid AK/SK signature.
pub(crate) fn authenticate(
    app: &App,
    parts: &http::request::Parts,
    body: &[u8],
) -> Result<u32, Answer> {
    let token = parts.headers.get(headers::AUTH_TOKEN);
    if let Some(&user) = token
        .and_then(|t| t.to_str().ok())
        .and_then(|t| app.tokens.get(t))
    {
        return Ok(user);
    }
    if !parts.headers.contains_key(header::AUTHORIZATION) {
        return Err(Answer::unauthorized(if token.is_some() {
            "the X-Auth-Token is not valid"
        } else {
            "send an X-Auth-Token or an AK/SK signature"
        }));
    }
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let received = signing::ReceivedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body,
    };
    let mut known: Option<AccessKey> = None;
    let mut expires_at = None;
    let verified = signing::verify(
        &received,
        |access_key| {
            if let Some(key) = app.access_keys.get(access_key) {
                known = Some(key.clone());
            } else if let Some(issued) = app.iam.issued(access_key) {
                expires_at = Some(issued.expires_at);
                known = Some(AccessKey {
                    secret_key: issued.secret_key,
                    user_id: issued.user_id,
                    security_token: Some(issued.security_token),
                });
            }
            known.as_ref().map(|key| key.secret_key.clone())
        },
        Utc::now(),
    );
    let key = match (verified, known) {
        (Ok(_), Some(key)) => key,
        (Err(error), _) => {
            return Err(Answer::unauthorized(&format!(
                "the AK/SK signature is refused, {error}"
            )));
        }
        (Ok(_), None) => return Err(Answer::unauthorized("the access key is not known")),
    };
    if let Some(expected) = &key.security_token {
        check_security_token(parts, expected)?;
    }
    if let Some(expires_at) = expires_at
        && expires_at <= Utc::now()
    {
        return Err(Answer::unauthorized(&format!(
            "the temporary access key expired at {}",
            expires_at.format("%Y-%m-%dT%H:%M:%SZ")
        )));
    }
    Ok(key.user_id)
}

/// A temporary access key is honoured only with its own security token, and only when the
/// signature covers it (the signature was checked against the headers it names).
fn check_security_token(parts: &http::request::Parts, expected: &str) -> Result<(), Answer> {
    let Some(sent) = parts.headers.get(headers::SECURITY_TOKEN) else {
        return Err(Answer::unauthorized(
            "the access key is temporary: send its security token in X-Security-Token",
        ));
    };
    let signed = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| signing::parse_authorization(value).ok())
        .is_some_and(|authorization| {
            authorization
                .signed_headers
                .iter()
                .any(|name| name == headers::SECURITY_TOKEN)
        });
    if !signed {
        return Err(Answer::unauthorized(
            "X-Security-Token is not among the signed headers",
        ));
    }
    if sent.as_bytes() != expected.as_bytes() {
        return Err(Answer::unauthorized(
            "the X-Security-Token does not belong to this access key",
        ));
    }
    Ok(())
}
