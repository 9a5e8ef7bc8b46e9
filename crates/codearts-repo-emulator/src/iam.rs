//! The IAM endpoints the official SDKs call before they talk to a service, answered as IAM
//! answers them:
//!
//! - `GET /v3/projects?name=<region>` (AK/SK signed): the projects of that name, how the
//!   official SDKs find a project id they were not given;
//! - `POST /v3.0/OS-AUTH/id-token/tokens` (header `X-Idp-Id`, body
//!   `{"auth":{"id_token":{"id":...}}}`): an unscoped token for an OIDC id token of a known
//!   identity provider, in the `X-Subject-Token` header;
//! - `POST /v3.0/OS-CREDENTIAL/securitytokens` (the token in the body's
//!   `auth.identity.token.id`, or in `X-Auth-Token`): a temporary AK/SK pair with its
//!   security token and `expires_at`. The emulator refuses requests signed with such a pair
//!   once it has expired.
//!
//! Errors have IAM's shape, `{"error":{"code":...,"message":...,"title":...}}`, and every
//! answer an `X-IAM-Trace-Id`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::{Value, json};

use crate::answer::{Answer, finish};
use crate::faults::BodyFault;
use crate::router::{App, new_request_id};

/// The identity provider id the emulator knows by default.
pub const DEFAULT_IDP_ID: &str = "emulator-oidc";
/// The longest lifetime IAM gives temporary keys (24 hours); the shortest is 15 minutes.
const DURATION_SECONDS: std::ops::RangeInclusive<u64> = 900..=86_400;
/// How long the unscoped tokens of federation stay valid (as IAM's, a day).
const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::hours(24);
/// Largest body read from an IAM request.
const MAX_BODY: usize = 64 * 1024;
/// IAM's `expires_at` format.
const EXPIRY_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// What the emulator's IAM knows: the projects of each region, the identity provider whose
/// id tokens it accepts, and the lifetime of the temporary keys it issues.
///
/// ```
/// use codearts_repo_emulator::IamConfig;
/// use std::time::Duration;
///
/// let iam = IamConfig::default()
///     .projects("cn-south-1", Vec::<String>::new()) // a region without a project
///     .projects("ap-southeast-1", ["p1", "p2"]) // and one with several
///     .idp("my-idp", "header.payload.signature")
///     .temporary_key_lifetime(Duration::from_secs(60));
/// # let _ = iam;
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct IamConfig {
    pub(crate) projects: BTreeMap<String, Vec<String>>,
    pub(crate) idp: Option<(String, String)>,
    pub(crate) temporary_key_lifetime: Option<Duration>,
}

impl IamConfig {
    /// The ids of the projects named `region` (default: one, the user's
    /// [`project_id`](crate::EmulatorCredentials::project_id), for every region). An empty
    /// list makes a region without a project, two or more one with several.
    pub fn projects<I, S>(mut self, region: impl Into<String>, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.projects
            .insert(region.into(), ids.into_iter().map(Into::into).collect());
        self
    }

    /// The identity provider id (`X-Idp-Id`) and the OIDC id token it accepts (default
    /// [`DEFAULT_IDP_ID`] and a token derived from the seed; see [`Emulator::iam_idp`]).
    ///
    /// [`Emulator::iam_idp`]: crate::Emulator::iam_idp
    pub fn idp(mut self, idp_id: impl Into<String>, id_token: impl Into<String>) -> Self {
        self.idp = Some((idp_id.into(), id_token.into()));
        self
    }

    /// Lifetime of the temporary keys `securitytokens` issues (default: the
    /// `duration_seconds` asked for, as IAM does). Requests signed with a key past its
    /// expiry are refused with 401 ([`codes::UNAUTHENTICATED`](crate::codes::UNAUTHENTICATED)).
    pub fn temporary_key_lifetime(mut self, lifetime: Duration) -> Self {
        self.temporary_key_lifetime = Some(lifetime);
        self
    }
}

/// A temporary key issued by `securitytokens`.
#[derive(Clone)]
pub(crate) struct IssuedKey {
    pub(crate) secret_key: String,
    pub(crate) security_token: String,
    pub(crate) user_id: u32,
    pub(crate) expires_at: DateTime<Utc>,
}

/// IAM's state while the emulator runs.
pub(crate) struct Iam {
    pub(crate) projects: BTreeMap<String, Vec<String>>,
    pub(crate) default_project: String,
    pub(crate) idp_id: String,
    pub(crate) id_token: String,
    pub(crate) user_id: u32,
    pub(crate) username: String,
    pub(crate) temporary_key_lifetime: Option<Duration>,
    /// Unscoped tokens -> user and expiry.
    tokens: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
    /// Temporary access keys issued.
    pub(crate) keys: Mutex<HashMap<String, IssuedKey>>,
    rng: Mutex<fastrand::Rng>,
    pub(crate) counts: IamCounts,
}

/// How many times each IAM endpoint answered with success.
#[derive(Debug, Default)]
pub(crate) struct IamCounts {
    pub(crate) projects: AtomicU64,
    pub(crate) id_tokens: AtomicU64,
    pub(crate) security_tokens: AtomicU64,
}

impl Iam {
    pub(crate) fn new(config: IamConfig, seed: u64, user: &crate::EmulatorCredentials) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x4941_4d5f_6964_7021);
        let (idp_id, id_token) = config.idp.unwrap_or_else(|| {
            let token = format!(
                "eyJhbGciOiJSUzI1NiJ9.{}.{}",
                alphanumeric(&mut rng, 48),
                alphanumeric(&mut rng, 43)
            );
            (DEFAULT_IDP_ID.to_string(), token)
        });
        Self {
            projects: config.projects,
            default_project: user.project_id.clone(),
            idp_id,
            id_token,
            user_id: user.user_id,
            username: user.username.clone(),
            temporary_key_lifetime: config.temporary_key_lifetime,
            tokens: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
            rng: Mutex::new(rng),
            counts: IamCounts::default(),
        }
    }

    /// The temporary key `access_key`, if IAM issued it (expired or not).
    pub(crate) fn issued(&self, access_key: &str) -> Option<IssuedKey> {
        lock(&self.keys).get(access_key).cloned()
    }

    fn random(&self, length: usize) -> String {
        alphanumeric(&mut lock(&self.rng), length)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn alphanumeric(rng: &mut fastrand::Rng, length: usize) -> String {
    (0..length).map(|_| rng.alphanumeric()).collect()
}

/// An IAM error: `{"error":{"code":...,"message":...,"title":...}}`.
fn error(status: StatusCode, message: &str) -> Answer {
    let body = json!({"error": {
        "code": status.as_u16(),
        "message": message,
        "title": status.canonical_reason().unwrap_or(""),
    }});
    Answer::json(status, &body)
}

/// Finishes an IAM answer with its trace id.
fn respond(app: &App, mut answer: Answer) -> Response {
    let request_id = new_request_id(app);
    answer.headers.push(("x-iam-trace-id", request_id.clone()));
    finish(answer, &request_id, BodyFault::None)
}

async fn read_body(app: &App, body: axum::body::Body) -> Result<bytes::Bytes, Answer> {
    match tokio::time::timeout(app.body_read_timeout, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(_)) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("The request body is unreadable or larger than {MAX_BODY} bytes."),
        )),
        Err(_) => Err(error(
            StatusCode::REQUEST_TIMEOUT,
            "The request body did not arrive in time.",
        )),
    }
}

/// `GET /v3/projects?name=<region>`, AK/SK signed.
pub(crate) async fn list_projects(
    State(app): State<std::sync::Arc<App>>,
    request: Request,
) -> Response {
    let answer = async {
        let (parts, body) = request.into_parts();
        let body = read_body(&app, body).await?;
        crate::auth::authenticate(&app, &parts, &body)
            .map_err(|_| error(StatusCode::UNAUTHORIZED, "The request you have made requires authentication."))?;
        let query = crate::params::Query::parse(parts.uri.query());
        let name = query
            .get("name")
            .map_err(|e| error(StatusCode::BAD_REQUEST, &e.message()))?;
        let iam = &app.iam;
        let listed: Vec<(String, String)> = match name {
            None => {
                let mut all: Vec<(String, String)> = iam
                    .projects
                    .iter()
                    .flat_map(|(region, ids)| ids.iter().map(|id| (region.clone(), id.clone())))
                    .collect();
                if all.is_empty() {
                    all.push(("cn-north-4".into(), iam.default_project.clone()));
                }
                all
            }
            Some(region) => match iam.projects.get(region) {
                Some(ids) => ids.iter().map(|id| (region.to_string(), id.clone())).collect(),
                None => vec![(region.to_string(), iam.default_project.clone())],
            },
        };
        iam.counts.projects.fetch_add(1, Ordering::Relaxed);
        let domain_id = format!("{:032x}", u128::from(iam.user_id) * 0x9e37_79b9);
        let projects: Vec<Value> = listed
            .into_iter()
            .map(|(region, id)| {
                json!({
                    "id": id,
                    "name": region,
                    "domain_id": domain_id,
                    "parent_id": domain_id,
                    "description": "",
                    "enabled": true,
                    "is_domain": false,
                    "links": {"self": format!("https://iam.myhuaweicloud.com/v3/projects/{id}")},
                })
            })
            .collect();
        Ok(Answer::json(
            StatusCode::OK,
            &json!({
                "projects": projects,
                "links": {"self": "https://iam.myhuaweicloud.com/v3/projects", "previous": null, "next": null},
            }),
        ))
    }
    .await
    .unwrap_or_else(|answer: Answer| answer);
    respond(&app, answer)
}

/// `POST /v3.0/OS-AUTH/id-token/tokens`: an unscoped token for a known IdP's id token.
pub(crate) async fn id_token_tokens(
    State(app): State<std::sync::Arc<App>>,
    request: Request,
) -> Response {
    let answer = async {
        let (parts, body) = request.into_parts();
        let body = read_body(&app, body).await?;
        let iam = &app.iam;
        let idp = parts
            .headers
            .get("x-idp-id")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, "The X-Idp-Id header is missing."))?;
        let value: Value = serde_json::from_slice(&body)
            .map_err(|_| error(StatusCode::BAD_REQUEST, "The request body is not JSON."))?;
        let id_token = value
            .pointer("/auth/id_token/id")
            .and_then(Value::as_str)
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, "auth.id_token.id is missing."))?;
        if idp != iam.idp_id {
            return Err(error(
                StatusCode::NOT_FOUND,
                &format!("Could not find identity provider: {idp}."),
            ));
        }
        if id_token != iam.id_token {
            return Err(error(StatusCode::UNAUTHORIZED, "The id_token is invalid."));
        }
        let token = format!("MIIT{}", iam.random(120));
        let now = Utc::now();
        let expires_at = now + TOKEN_LIFETIME;
        lock(&iam.tokens).insert(token.clone(), (iam.user_id, expires_at));
        iam.counts.id_tokens.fetch_add(1, Ordering::Relaxed);
        let mut answer = Answer::json(
            StatusCode::CREATED,
            &json!({"token": {
                "expires_at": expires_at.format(EXPIRY_FORMAT).to_string(),
                "issued_at": now.format(EXPIRY_FORMAT).to_string(),
                "methods": ["mapped"],
                "user": {
                    "id": format!("{:032x}", u128::from(iam.user_id)),
                    "name": iam.username,
                    "OS-FEDERATION": {
                        "identity_provider": {"id": iam.idp_id},
                        "protocol": {"id": "oidc"},
                        "groups": [],
                    },
                },
            }}),
        );
        answer.headers.push(("x-subject-token", token));
        Ok(answer)
    }
    .await
    .unwrap_or_else(|answer: Answer| answer);
    respond(&app, answer)
}

/// `POST /v3.0/OS-CREDENTIAL/securitytokens` with the token method: a temporary key.
pub(crate) async fn security_tokens(
    State(app): State<std::sync::Arc<App>>,
    request: Request,
) -> Response {
    let answer = async {
        let (parts, body) = request.into_parts();
        let body = read_body(&app, body).await?;
        let iam = &app.iam;
        let value: Value = serde_json::from_slice(&body)
            .map_err(|_| error(StatusCode::BAD_REQUEST, "The request body is not JSON."))?;
        let identity = value
            .pointer("/auth/identity")
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, "auth.identity is missing."))?;
        let token_method = identity
            .get("methods")
            .and_then(Value::as_array)
            .is_some_and(|methods| methods.iter().any(|m| m == "token"));
        if !token_method {
            return Err(error(StatusCode::BAD_REQUEST, "auth.identity.methods must be [\"token\"]."));
        }
        let token = identity
            .pointer("/token/id")
            .and_then(Value::as_str)
            .or_else(|| parts.headers.get("x-auth-token").and_then(|v| v.to_str().ok()))
            .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "The request you have made requires authentication."))?;
        let duration = match identity.pointer("/token/duration_seconds") {
            None | Some(Value::Null) => 900,
            Some(value) => value
                .as_u64()
                .filter(|d| DURATION_SECONDS.contains(d))
                .ok_or_else(|| {
                    error(
                        StatusCode::BAD_REQUEST,
                        "auth.identity.token.duration_seconds must be an integer from 900 to 86400.",
                    )
                })?,
        };
        let now = Utc::now();
        let user = match lock(&iam.tokens).get(token) {
            Some((user, expires_at)) if *expires_at > now => *user,
            _ => {
                return Err(error(StatusCode::UNAUTHORIZED, "The token is invalid or expired."));
            }
        };
        let lifetime = iam
            .temporary_key_lifetime
            .unwrap_or(Duration::from_secs(duration));
        let expires_at = now + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::zero());
        let access = iam.random(20).to_ascii_uppercase();
        let key = IssuedKey {
            secret_key: iam.random(40),
            security_token: format!("gQpjbi1ub3J0aC00{}", iam.random(160)),
            user_id: user,
            expires_at,
        };
        let body = json!({"credential": {
            "access": access,
            "secret": key.secret_key,
            "securitytoken": key.security_token,
            "expires_at": expires_at.format(EXPIRY_FORMAT).to_string(),
        }});
        lock(&iam.keys).insert(access, key);
        iam.counts.security_tokens.fetch_add(1, Ordering::Relaxed);
        Ok(Answer::json(StatusCode::CREATED, &body))
    }
    .await
    .unwrap_or_else(|answer: Answer| answer);
    respond(&app, answer)
}
