//! Temporary credentials from the ECS metadata service, as the official SDKs'
//! `MetadataCredentialProvider` gets them: `GET {endpoint}/openstack/latest/securitykey`
//! (after asking `PUT {endpoint}/meta-data/latest/api/token` for a session token, which
//! older metadata services do not offer), giving an access key, secret key, security token
//! and expiry. They are fetched on first use and again when they expire in less than
//! [`REFRESH_AHEAD`] (the official SDKs' 40 minutes), before the attempt that needs them.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::auth::{Auth, AuthFailure, AuthKind, CredentialFailure, InvalidCredential};
use crate::signing::SigningAlgorithm;

/// The metadata service of an ECS instance.
pub const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
/// Path of the temporary credentials.
pub const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// Path of the session token (asked for first, optional).
pub const TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// Header carrying the session token.
pub const TOKEN_HEADER: &str = "x-metadata-token";
/// Header asking for the session token's lifetime, in seconds.
pub const TOKEN_TTL_HEADER: &str = "x-metadata-token-ttl-seconds";
/// Lifetime asked for the session token (the official SDKs' 6 hours).
const TOKEN_TTL_SECONDS: u32 = 6 * 60 * 60;
/// Credentials expiring sooner than this are fetched again before use.
pub const REFRESH_AHEAD: chrono::Duration = chrono::Duration::minutes(40);
/// Bound on each request to the metadata service (the official SDKs' 3 s).
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Where temporary credentials come from, and the last ones fetched: the ECS metadata
/// service, or IAM for an OIDC id token ([`crate::iam`]). [`TemporarySource::current`]
/// holds one lock while it fetches, so any number of concurrent requests wait for a single
/// fetch.
pub(crate) struct TemporarySource {
    origin: Origin,
    project_id: Option<String>,
    algorithm: SigningAlgorithm,
    http: reqwest::Client,
    cached: Mutex<Cached>,
}

/// What is asked for temporary credentials.
#[derive(Clone)]
pub(crate) enum Origin {
    Metadata { endpoint: String },
    Federation(crate::iam::Federation),
}

#[derive(Default)]
struct Cached {
    auth: Option<(Auth, DateTime<Utc>)>,
    session_token: Option<String>,
}

impl TemporarySource {
    pub(crate) fn new(
        endpoint: &str,
        project_id: Option<&str>,
        algorithm: SigningAlgorithm,
    ) -> Result<Arc<Self>, InvalidCredential> {
        let endpoint = endpoint.trim_end_matches('/');
        if url::Url::parse(endpoint).is_err() {
            return Err(InvalidCredential {
                field: "metadata endpoint",
                problem: "is not a URL",
            });
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| InvalidCredential {
                field: "metadata endpoint",
                problem: "cannot be reached: no HTTP client could be built",
            })?;
        Ok(Self::with_origin(
            Origin::Metadata {
                endpoint: endpoint.to_string(),
            },
            project_id,
            algorithm,
            http,
        ))
    }

    pub(crate) fn with_origin(
        origin: Origin,
        project_id: Option<&str>,
        algorithm: SigningAlgorithm,
        http: reqwest::Client,
    ) -> Arc<Self> {
        Arc::new(Self {
            origin,
            project_id: project_id.map(str::to_string),
            algorithm,
            http,
            cached: Mutex::new(Cached::default()),
        })
    }

    pub(crate) fn with_algorithm(&self, algorithm: SigningAlgorithm) -> Arc<Self> {
        Self::with_origin(
            self.origin.clone(),
            self.project_id.as_deref(),
            algorithm,
            self.http.clone(),
        )
    }

    /// Where the credentials come from, for `Debug` and errors.
    pub(crate) fn describe(&self) -> String {
        match &self.origin {
            Origin::Metadata { endpoint } => format!("ECS metadata at {endpoint}"),
            Origin::Federation(federation) => federation.describe(),
        }
    }

    /// The IdP id of federated credentials (the key of the project id cache).
    pub(crate) fn idp_id(&self) -> Option<&str> {
        match &self.origin {
            Origin::Federation(federation) => Some(federation.idp_id()),
            Origin::Metadata { .. } => None,
        }
    }

    pub(crate) fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    pub(crate) fn has_project_id(&self) -> bool {
        self.project_id.is_some()
    }

    /// The current credentials, fetched first when there are none or they expire within
    /// [`REFRESH_AHEAD`] of `now`.
    pub(crate) async fn current(&self, now: DateTime<Utc>) -> Result<Auth, AuthFailure> {
        let mut cached = self.cached.lock().await;
        if let Some((auth, expires_at)) = &cached.auth
            && !needs_refresh(*expires_at, now)
        {
            return Ok(auth.clone());
        }
        let key = match &self.origin {
            Origin::Metadata { endpoint } => self
                .fetch_metadata(endpoint, &mut cached)
                .await
                .map_err(|error| AuthFailure {
                    failure: CredentialFailure::Refresh {
                        source: self.describe(),
                        message: crate::causes::with_causes(&error),
                    },
                    http: Some(error),
                })?,
            Origin::Federation(federation) => federation.fetch(&self.http).await?,
        };
        let auth = Auth::access_key(
            &key.access,
            &key.secret,
            self.project_id.as_deref(),
            key.security_token.as_deref(),
        )
        // Values that cannot be sent in a header: signed as none, refused by the service.
        .unwrap_or_default()
        .with_signing_algorithm(self.algorithm);
        cached.auth = Some((auth.clone(), key.expires_at));
        Ok(auth)
    }

    async fn fetch_metadata(
        &self,
        endpoint: &str,
        cached: &mut Cached,
    ) -> reqwest::Result<SecurityKey> {
        if cached.session_token.is_none() {
            cached.session_token = self.session_token(endpoint).await;
        }
        let url = format!("{endpoint}{SECURITY_KEY_PATH}");
        let mut request = self.http.get(&url);
        if let Some(token) = &cached.session_token {
            request = request.header(TOKEN_HEADER, token);
        }
        let mut response = request.send().await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            // The session token expired: ask for another once.
            cached.session_token = self.session_token(endpoint).await;
            let mut request = self.http.get(&url);
            if let Some(token) = &cached.session_token {
                request = request.header(TOKEN_HEADER, token);
            }
            response = request.send().await?;
        }
        // A body of the wrong shape fails here, as a decode error of the metadata answer.
        Ok(response.error_for_status()?.json::<Answer>().await?.into())
    }

    /// A session token, or `None` when the service offers none (404, 405, 503) or cannot
    /// be reached for one: the credentials are then asked for without it.
    async fn session_token(&self, endpoint: &str) -> Option<String> {
        let response = self
            .http
            .put(format!("{endpoint}{TOKEN_PATH}"))
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS.to_string())
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.text().await.ok().filter(|t| !t.trim().is_empty())
    }
}

/// Whether credentials expiring at `expires_at` must be fetched again at `now`.
pub fn needs_refresh(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    expires_at - now < REFRESH_AHEAD
}

/// A credentials answer: the fields under `credential` or `credentials`, or at the top.
#[derive(serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum Answer {
    Wrapped {
        #[serde(alias = "credentials")]
        credential: Fields,
    },
    Bare(Fields),
}

/// The fields of a credentials answer, under each name the official SDKs accept.
#[derive(serde::Deserialize)]
pub(crate) struct Fields {
    #[serde(alias = "accessKeyId", alias = "access_key_id")]
    access: String,
    #[serde(alias = "secretAccessKey", alias = "secret_access_key")]
    secret: String,
    #[serde(default, alias = "securityToken", alias = "security_token")]
    securitytoken: Option<String>,
    #[serde(alias = "expiration", deserialize_with = "expiry")]
    expires_at: DateTime<Utc>,
}

/// `%Y-%m-%dT%H:%M:%S.%fZ` (the official SDKs' format), or any RFC 3339 instant.
fn expiry<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.fZ")
        .map(|t| t.and_utc())
        .or_else(|_| DateTime::parse_from_rfc3339(&text).map(|t| t.to_utc()))
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not an expiry instant")))
}

impl From<Answer> for SecurityKey {
    fn from(answer: Answer) -> Self {
        let (Answer::Wrapped { credential: fields } | Answer::Bare(fields)) = answer;
        SecurityKey {
            access: fields.access,
            secret: fields.secret,
            security_token: fields.securitytoken.filter(|t| !t.is_empty()),
            expires_at: fields.expires_at,
        }
    }
}

/// Temporary credentials as the metadata service gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityKey {
    /// The temporary access key.
    pub access: String,
    /// The temporary secret key.
    pub secret: String,
    /// The security token to send with them.
    pub security_token: Option<String>,
    /// When they expire.
    pub expires_at: DateTime<Utc>,
}

/// Reads a metadata answer as the official SDKs read it: the object under `credential` (or
/// `credentials`, or the answer itself), with `access`/`accessKeyId`/`access_key_id`,
/// `secret`/`secretAccessKey`/`secret_access_key`,
/// `securitytoken`/`securityToken`/`security_token` and `expires_at`/`expiration`
/// (`%Y-%m-%dT%H:%M:%S.%fZ`, or any RFC 3339 instant). `None` without an access key, secret
/// key or readable expiry.
pub fn parse_security_key(body: &Value) -> Option<SecurityKey> {
    serde_json::from_value::<Answer>(body.clone())
        .ok()
        .map(SecurityKey::from)
}

impl Auth {
    /// Temporary credentials from the ECS metadata service at `endpoint` (normally
    /// [`DEFAULT_ENDPOINT`]), fetched before the first request and again ahead of their
    /// expiry, then signed like an access key with its security token. `X-Project-Id` is
    /// sent when a project id is given.
    pub fn ecs_metadata(
        endpoint: &str,
        project_id: Option<&str>,
    ) -> Result<Self, InvalidCredential> {
        let source = TemporarySource::new(endpoint, project_id, SigningAlgorithm::default())?;
        Ok(Self(AuthKind::Temporary(source)))
    }

    /// The credentials to sign the next attempt with: these, or for
    /// [`ecs_metadata`](Self::ecs_metadata) and [`federation`](Self::federation) the current
    /// temporary ones (fetched when none are held or they expire within [`REFRESH_AHEAD`]),
    /// with the project id IAM gave for [`discover_project_id`](Self::discover_project_id).
    pub async fn current(&self) -> Result<Auth, AuthFailure> {
        match &self.0 {
            AuthKind::Temporary(source) => source.current(Utc::now()).await,
            AuthKind::Discover(discovery) => discovery.current().await,
            _ => Ok(self.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_read_as_the_official_sdks_read_them() {
        let body = json!({"credential": {"access": "AK", "secret": "SK",
            "securitytoken": "ST", "expires_at": "2024-01-01T10:00:00.000000Z"}});
        let key = parse_security_key(&body).unwrap();
        assert_eq!(key.access, "AK");
        assert_eq!(key.security_token.as_deref(), Some("ST"));
        assert_eq!(key.expires_at.to_rfc3339(), "2024-01-01T10:00:00+00:00");
        let other = json!({"accessKeyId": "AK", "secretAccessKey": "SK",
            "expiration": "2024-01-01T10:00:00+08:00"});
        assert_eq!(
            parse_security_key(&other).unwrap().expires_at.to_rfc3339(),
            "2024-01-01T02:00:00+00:00"
        );
        assert_eq!(
            parse_security_key(&json!({"credential": {"access": "AK"}})),
            None
        );
    }

    #[test]
    fn credentials_are_refreshed_forty_minutes_ahead() {
        let now = Utc::now();
        assert!(!needs_refresh(now + chrono::Duration::minutes(41), now));
        assert!(needs_refresh(now + chrono::Duration::minutes(39), now));
        assert!(needs_refresh(now - chrono::Duration::minutes(1), now));
    }
}
