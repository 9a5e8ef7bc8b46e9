//! Making one attempt ready to send: the canonical query, `Host`, and authentication.

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderName, HeaderValue};

use crate::auth::{Auth, AuthKind};
use crate::secret::Secret;
use crate::{headers, signing};

/// Makes one attempt of `request` ready to send at `now`: rewrites its query into the
/// canonical (signed) form, sets `Host` to the value that is signed, and authenticates it.
///
/// This is the exact step the `exec` hook runs before every attempt; it is public so that
/// the signature can be checked against known vectors.
pub fn prepare_request(request: &mut reqwest::Request, auth: &Auth, now: DateTime<Utc>) {
    let query = request.url().query().map(signing::decode_query);
    if let Some(pairs) = query {
        let canonical = signing::canonical_query(&pairs);
        request
            .url_mut()
            .set_query((!canonical.is_empty()).then_some(canonical.as_str()));
    }
    let host = match (request.url().host_str(), request.url().port()) {
        (Some(host), Some(port)) => Some(format!("{host}:{port}")),
        (Some(host), None) => Some(host.to_string()),
        (None, _) => None,
    };
    if let Some(value) = host.as_deref().and_then(|h| HeaderValue::from_str(h).ok()) {
        request.headers_mut().insert(header::HOST, value);
    }
    match &auth.0 {
        // Temporary credentials and project ids are resolved first (`Auth::current`);
        // unresolved, the request goes unsigned and the service refuses it.
        AuthKind::None | AuthKind::Temporary(_) | AuthKind::Discover(_) => {}
        AuthKind::Token { token, project_id } => {
            let fields = request.headers_mut();
            fields.insert(HeaderName::from_static(headers::AUTH_TOKEN), token.clone());
            if let Some(project_id) = project_id {
                fields.insert(
                    HeaderName::from_static(headers::PROJECT_ID),
                    project_id.clone(),
                );
            }
        }
        AuthKind::AccessKey {
            access_key,
            secret_key,
            project_id,
            security_token,
            algorithm,
        } => sign_request(
            request,
            *algorithm,
            access_key,
            secret_key,
            project_id.as_ref(),
            security_token.as_ref(),
            now,
        ),
    }
}

fn sign_request(
    request: &mut reqwest::Request,
    algorithm: signing::SigningAlgorithm,
    access_key: &str,
    secret_key: &Secret,
    project_id: Option<&HeaderValue>,
    security_token: Option<&HeaderValue>,
    now: DateTime<Utc>,
) {
    let sdk_date = signing::format_date(now);
    let fields = request.headers_mut();
    fields.remove(header::AUTHORIZATION);
    fields.insert(
        HeaderName::from_static(headers::SDK_DATE),
        HeaderValue::from_str(&sdk_date).expect("a formatted date is ASCII"),
    );
    if let Some(project_id) = project_id {
        fields.insert(
            HeaderName::from_static(headers::PROJECT_ID),
            project_id.clone(),
        );
    }
    if let Some(security_token) = security_token {
        fields.insert(
            HeaderName::from_static(headers::SECURITY_TOKEN),
            security_token.clone(),
        );
    }
    let signed_names = [
        header::HOST.as_str(),
        header::CONTENT_TYPE.as_str(),
        headers::SDK_DATE,
        headers::PROJECT_ID,
        headers::SECURITY_TOKEN,
    ];
    let signed: Vec<(String, String)> = signed_names
        .iter()
        .filter_map(|name| {
            let value = request.headers().get(*name)?.to_str().ok()?;
            Some((name.to_string(), value.to_string()))
        })
        .collect();
    let query = request
        .url()
        .query()
        .map(signing::decode_query)
        .unwrap_or_default();
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .unwrap_or_default();
    let input = signing::CanonicalInput {
        method: request.method().as_str(),
        path: request.url().path(),
        query: &query,
        headers: &signed,
        body,
    };
    let authorization = signing::sign_with(
        algorithm,
        access_key,
        secret_key.expose(),
        &sdk_date,
        &input,
    );
    // The access key was checked to be visible ASCII, the rest is hex and names.
    if let Ok(mut value) = HeaderValue::from_str(&authorization) {
        value.set_sensitive(true);
        request.headers_mut().insert(header::AUTHORIZATION, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_request_signs_the_canonical_query_it_sends() {
        let url = "https://codehub-ext.cn-north-4.myhuaweicloud.com/v4/repositories/123456/events?offset=0&limit=20&filter=push&after=2024-01-01T00%3A00%3A00Z";
        let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let auth = Auth::access_key(
            "AKTESTEXAMPLE0000001",
            "SKtestExampleSecretKey0000000000000000001",
            Some("0123456789abcdef0123456789abcdef"),
            None,
        )
        .unwrap();
        let at = signing::parse_date("20240101T000000Z").unwrap();
        prepare_request(&mut request, &auth, at);
        assert_eq!(
            request.url().query(),
            Some("after=2024-01-01T00%3A00%3A00Z&filter=push&limit=20&offset=0")
        );
        assert_eq!(
            request.headers()["host"],
            "codehub-ext.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            request.headers()["authorization"],
            "SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, \
             SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
             Signature=f161bd91e4b8fe35755457f38872ce841dc49b69697077a920d0e302d34b7b53"
        );
        assert!(request.headers()["authorization"].is_sensitive());
    }
}
