//! What the official SDKs ask of IAM before they call a service:
//!
//! - the project id of a region, when AK/SK credentials come without one:
//!   `GET {iam}/v3/projects?name={region}`, signed with the credentials; exactly one
//!   project must be listed ([`Auth::discover_project_id`]);
//! - temporary credentials for an OIDC id token of an identity provider (IdP federation):
//!   `POST {iam}/v3.0/OS-AUTH/id-token/tokens` with `X-Idp-Id` and
//!   `{"auth":{"id_token":{"id":...}}}` gives an unscoped token in `X-Subject-Token`, then
//!   `POST {iam}/v3.0/OS-CREDENTIAL/securitytokens` with
//!   `{"auth":{"identity":{"methods":["token"],"token":{"id":...,"duration_seconds":21600}}}}`
//!   gives an access key, secret key, security token and expiry ([`Auth::federation`]).
//!
//! The IAM endpoint is chosen as the official SDKs choose it (see [`iam_endpoint`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::Utc;
use reqwest::header::HeaderValue;
use serde_json::json;

use crate::auth::{
    Auth, AuthFailure, AuthKind, CredentialFailure, InvalidCredential, ProjectIdProblem,
};
use crate::metadata::{Answer, Origin, SecurityKey, TemporarySource};
use crate::signing::SigningAlgorithm;

/// Variable naming the IAM endpoint (as for the official SDKs).
pub const IAM_ENDPOINT_VAR: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The IAM endpoint when no other applies.
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
/// Path of the project list.
pub const PROJECTS_PATH: &str = "/v3/projects";
/// Path exchanging an OIDC id token for an unscoped token.
pub const ID_TOKEN_PATH: &str = "/v3.0/OS-AUTH/id-token/tokens";
/// Path exchanging a token for temporary credentials.
pub const SECURITY_TOKENS_PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";
/// Header naming the identity provider.
pub const IDP_ID_HEADER: &str = "x-idp-id";
/// Header of IAM's answer carrying the token.
pub const SUBJECT_TOKEN_HEADER: &str = "x-subject-token";
/// Header of IAM's answers naming the request in IAM's logs.
pub const TRACE_ID_HEADER: &str = "x-iam-trace-id";
/// Lifetime asked for federated temporary credentials (the official SDKs' 6 hours).
pub const FEDERATION_DURATION_SECONDS: u32 = 6 * 60 * 60;
/// Bound on each IAM request.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The regions with an IAM endpoint of their own, `https://iam.{region}.myhuaweicloud.com`
/// (the official SDKs' table); others use [`DEFAULT_IAM_ENDPOINT`].
pub const IAM_REGIONS: &[&str] = &[
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-12",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "na-mexico-1",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ae-ad-1",
    "tr-west-1",
];

/// The IAM endpoint as the official SDKs choose it: `explicit` (given in code or by the
/// credentials file's `iam_endpoint`), else the value of [`IAM_ENDPOINT_VAR`] (read through
/// `lookup`; `https://` is put before a value without a scheme, as the Go SDK does), else
/// for project ids ( `region` given) the region's own IAM endpoint when [`IAM_REGIONS`] has
/// one, else [`DEFAULT_IAM_ENDPOINT`]. Federation (`region` `None`) never uses a region's
/// endpoint, as in the official Go SDK.
pub fn iam_endpoint(
    explicit: Option<&str>,
    lookup: &dyn Fn(&str) -> Option<String>,
    region: Option<&str>,
) -> String {
    if let Some(endpoint) = explicit.filter(|e| !e.trim().is_empty()) {
        return with_scheme(endpoint.trim());
    }
    if let Some(endpoint) = lookup(IAM_ENDPOINT_VAR).filter(|e| !e.trim().is_empty()) {
        return with_scheme(endpoint.trim());
    }
    match region {
        Some(region) if IAM_REGIONS.contains(&region) => {
            format!("https://iam.{region}.myhuaweicloud.com")
        }
        _ => DEFAULT_IAM_ENDPOINT.to_string(),
    }
}

fn with_scheme(endpoint: &str) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    }
}

/// IAM's error answer, shortened: its status, message and trace id.
async fn describe_answer(response: reqwest::Response) -> String {
    let status = response.status();
    let trace = trace_id(&response);
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("error_msg"))
                .and_then(|m| m.as_str().map(str::to_string))
        })
        .unwrap_or_else(|| body.chars().take(200).collect());
    let message: String = message.chars().filter(|c| !c.is_control()).collect();
    match trace {
        Some(trace) => format!("IAM answered {status}: {message} (X-IAM-Trace-Id {trace})"),
        None => format!("IAM answered {status}: {message}"),
    }
}

fn trace_id(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(TRACE_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// IdP federation: an OIDC id token, read from a file at each refresh, exchanged at IAM.
#[derive(Clone)]
pub(crate) struct Federation {
    iam_endpoint: String,
    idp_id: String,
    id_token_file: PathBuf,
}

impl Federation {
    pub(crate) fn idp_id(&self) -> &str {
        &self.idp_id
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "IdP `{}` with the id token of {} at IAM {}",
            self.idp_id,
            self.id_token_file.display(),
            self.iam_endpoint
        )
    }

    fn failure(&self, message: String, http: Option<reqwest::Error>) -> AuthFailure {
        AuthFailure {
            failure: CredentialFailure::Refresh {
                source: self.describe(),
                message,
            },
            http,
        }
    }

    /// Reads the id token and exchanges it for temporary credentials.
    pub(crate) async fn fetch(&self, http: &reqwest::Client) -> Result<SecurityKey, AuthFailure> {
        let id_token = read_id_token(&self.id_token_file).map_err(|m| self.failure(m, None))?;
        let transport = |what: &str, error: reqwest::Error| {
            self.failure(
                format!("{what}: {}", crate::causes::with_causes(&error)),
                Some(error),
            )
        };
        let response = http
            .post(format!("{}{ID_TOKEN_PATH}", self.iam_endpoint))
            .timeout(TIMEOUT)
            .header(IDP_ID_HEADER, &self.idp_id)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=UTF-8",
            )
            .body(json!({"auth": {"id_token": {"id": id_token}}}).to_string())
            .send()
            .await
            .map_err(|e| transport("the id token exchange failed", e))?;
        if !response.status().is_success() {
            let answer = describe_answer(response).await;
            return Err(self.failure(format!("the id token was refused: {answer}"), None));
        }
        let Some(token) = response
            .headers()
            .get(SUBJECT_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
        else {
            return Err(self.failure(
                "IAM's answer to the id token has no X-Subject-Token".into(),
                None,
            ));
        };
        let body = json!({"auth": {"identity": {
            "methods": ["token"],
            "token": {"id": token, "duration_seconds": FEDERATION_DURATION_SECONDS},
        }}});
        let response = http
            .post(format!("{}{SECURITY_TOKENS_PATH}", self.iam_endpoint))
            .timeout(TIMEOUT)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=UTF-8",
            )
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| transport("the temporary credentials request failed", e))?;
        if !response.status().is_success() {
            let answer = describe_answer(response).await;
            return Err(self.failure(
                format!("the temporary credentials were refused: {answer}"),
                None,
            ));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport("the temporary credentials' answer was cut", e))?;
        serde_json::from_slice::<Answer>(&bytes)
            .map(SecurityKey::from)
            .map_err(|e| {
                self.failure(
                    format!("IAM's temporary credentials cannot be read: {e}"),
                    None,
                )
            })
    }
}

/// The id token of the file, trimmed; an error naming the file when it cannot be read or
/// is empty.
fn read_id_token(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the id token file {}: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("the id token file {} is empty", path.display()));
    }
    Ok(token.to_string())
}

/// Project ids found, across clients: (IAM endpoint, access key or IdP id, region) -> id,
/// as the official SDKs cache them (by access key or IdP id and region).
static PROJECT_IDS: LazyLock<std::sync::Mutex<HashMap<CacheKey, String>>> =
    LazyLock::new(Default::default);

/// IAM endpoint, access key or IdP id, region.
type CacheKey = (String, String, String);

fn cached_project_id(key: &CacheKey) -> Option<String> {
    PROJECT_IDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(key)
        .cloned()
}

/// Credentials without a project id, and the region whose project id IAM is asked for.
pub(crate) struct ProjectDiscovery {
    inner: Auth,
    region: String,
    iam_endpoint: String,
    http: reqwest::Client,
    project_id: tokio::sync::OnceCell<HeaderValue>,
}

impl ProjectDiscovery {
    pub(crate) fn inner(&self) -> &Auth {
        &self.inner
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    pub(crate) fn iam_endpoint(&self) -> &str {
        &self.iam_endpoint
    }

    pub(crate) fn with_algorithm(&self, algorithm: SigningAlgorithm) -> Arc<Self> {
        Arc::new(Self {
            inner: self.inner.clone().with_signing_algorithm(algorithm),
            region: self.region.clone(),
            iam_endpoint: self.iam_endpoint.clone(),
            http: self.http.clone(),
            project_id: tokio::sync::OnceCell::new(),
        })
    }

    /// The inner credentials' current value, with the project id (asked of IAM the first
    /// time; concurrent callers wait for that one request).
    pub(crate) async fn current(&self) -> Result<Auth, AuthFailure> {
        let auth = Box::pin(self.inner.current()).await?;
        let project_id = self.project_id.get_or_try_init(|| self.find(&auth)).await?;
        Ok(auth.with_project_id(project_id))
    }

    fn failure(&self, problem: ProjectIdProblem, trace_id: Option<String>) -> AuthFailure {
        CredentialFailure::ProjectId {
            region: self.region.clone(),
            iam_endpoint: self.iam_endpoint.clone(),
            problem,
            trace_id,
        }
        .into()
    }

    async fn find(&self, auth: &Auth) -> Result<HeaderValue, AuthFailure> {
        let name = match &self.inner.0 {
            AuthKind::Temporary(source) => source.idp_id().map(str::to_string),
            _ => None,
        }
        .or_else(|| auth.access_key_id().map(str::to_string))
        .unwrap_or_default();
        let key = (self.iam_endpoint.clone(), name, self.region.clone());
        let id = match cached_project_id(&key) {
            Some(id) => id,
            None => {
                let id = self.ask(auth).await?;
                PROJECT_IDS
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(key, id.clone());
                id
            }
        };
        HeaderValue::from_str(&id).map_err(|_| {
            self.failure(
                ProjectIdProblem::Failed("IAM gave a project id that is not a header value".into()),
                None,
            )
        })
    }

    async fn ask(&self, auth: &Auth) -> Result<String, AuthFailure> {
        let failed = |message: String| ProjectIdProblem::Failed(message);
        let mut request = self
            .http
            .get(format!("{}{PROJECTS_PATH}", self.iam_endpoint))
            .query(&[("name", self.region.as_str())])
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| self.failure(failed(crate::causes::with_causes(&e)), None))?;
        crate::prepare::prepare_request(&mut request, auth, Utc::now());
        let response = self.http.execute(request).await.map_err(|e| AuthFailure {
            failure: CredentialFailure::ProjectId {
                region: self.region.clone(),
                iam_endpoint: self.iam_endpoint.clone(),
                problem: failed(crate::causes::with_causes(&e)),
                trace_id: None,
            },
            http: Some(e),
        })?;
        let trace = trace_id(&response);
        if !response.status().is_success() {
            let answer = describe_answer(response).await;
            return Err(self.failure(failed(answer), None));
        }
        #[derive(serde::Deserialize)]
        struct Projects {
            #[serde(default)]
            projects: Vec<Project>,
        }
        #[derive(serde::Deserialize)]
        struct Project {
            id: String,
        }
        let bytes = response.bytes().await.map_err(|e| {
            self.failure(
                failed(format!(
                    "the answer was cut: {}",
                    crate::causes::with_causes(&e)
                )),
                trace.clone(),
            )
        })?;
        let projects: Projects = serde_json::from_slice(&bytes).map_err(|e| {
            self.failure(
                failed(format!("the answer cannot be read: {e}")),
                trace.clone(),
            )
        })?;
        match projects.projects.as_slice() {
            [] => Err(self.failure(ProjectIdProblem::NoProject, trace)),
            [one] => Ok(one.id.clone()),
            several => Err(self.failure(
                ProjectIdProblem::Several(several.iter().map(|p| p.id.clone()).collect()),
                trace,
            )),
        }
    }
}

impl Auth {
    /// Temporary credentials for the OIDC id token in `id_token_file`, exchanged at IAM
    /// (`iam_endpoint`) with the identity provider `idp_id` as the official SDKs exchange
    /// it (see the [module docs](self)), through `http`; fetched before the first request
    /// and again ahead of their expiry (the file is read again each time, so a rotated
    /// token is taken), then signed like an access key with its security token.
    pub fn federation(
        idp_id: &str,
        id_token_file: &Path,
        iam_endpoint: &str,
        project_id: Option<&str>,
        http: reqwest::Client,
    ) -> Result<Self, InvalidCredential> {
        if idp_id.trim().is_empty() {
            return Err(InvalidCredential {
                field: "IdP id",
                problem: "is empty",
            });
        }
        if HeaderValue::from_str(idp_id).is_err() {
            return Err(InvalidCredential {
                field: "IdP id",
                problem: "is not a valid header value",
            });
        }
        if url::Url::parse(iam_endpoint).is_err() {
            return Err(InvalidCredential {
                field: "IAM endpoint",
                problem: "is not a URL",
            });
        }
        let federation = Federation {
            iam_endpoint: iam_endpoint.trim_end_matches('/').to_string(),
            idp_id: idp_id.to_string(),
            id_token_file: id_token_file.to_path_buf(),
        };
        Ok(Self(AuthKind::Temporary(TemporarySource::with_origin(
            Origin::Federation(federation),
            project_id,
            SigningAlgorithm::default(),
            http,
        ))))
    }

    /// These AK/SK credentials (given, or temporary ones), their project id asked of IAM
    /// (`GET {iam_endpoint}/v3/projects?name={region}`, signed with them) before the first
    /// request and sent as `X-Project-Id`. Found once per client, for any number of
    /// concurrent requests, and kept for the process by IAM endpoint, access key (or IdP
    /// id) and region. A token, or credentials that have a project id, are left as they are.
    pub fn discover_project_id(
        self,
        region: &str,
        iam_endpoint: &str,
        http: reqwest::Client,
    ) -> Self {
        let has_project = match &self.0 {
            AuthKind::AccessKey { project_id, .. } => project_id.is_some(),
            AuthKind::Temporary(source) => source.has_project_id(),
            _ => true,
        };
        if has_project {
            return self;
        }
        Self(AuthKind::Discover(Arc::new(ProjectDiscovery {
            inner: self,
            region: region.to_string(),
            iam_endpoint: iam_endpoint.trim_end_matches('/').to_string(),
            http,
            project_id: tokio::sync::OnceCell::new(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_endpoints_are_chosen_as_the_official_sdks_choose_them() {
        let none = |_: &str| None;
        let env = |name: &str| (name == IAM_ENDPOINT_VAR).then(|| "iam.example.com".to_string());
        assert_eq!(
            iam_endpoint(None, &none, Some("cn-north-4")),
            "https://iam.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            iam_endpoint(None, &none, Some("xx-nowhere-1")),
            DEFAULT_IAM_ENDPOINT
        );
        assert_eq!(iam_endpoint(None, &none, None), DEFAULT_IAM_ENDPOINT);
        assert_eq!(
            iam_endpoint(None, &env, Some("cn-north-4")),
            "https://iam.example.com"
        );
        assert_eq!(
            iam_endpoint(Some("http://127.0.0.1:9/"), &env, Some("cn-north-4")),
            "http://127.0.0.1:9"
        );
    }
}
