//! Credentials: an IAM token or an AK/SK pair, given in code or found in the environment
//! and the credentials file the official Huawei Cloud SDKs use.
//!
//! # The default chain
//!
//! [`Credentials::default_chain`] (what [`ClientBuilder::build`](crate::ClientBuilder::build)
//! uses when no credentials are given) tries, in this order:
//!
//! 1. [`TOKEN_VAR`] (`CODEARTS_REPO_TOKEN`): an IAM token;
//! 2. [`IDP_ID_VAR`] and [`ID_TOKEN_FILE_VAR`] (`HUAWEICLOUD_SDK_IDP_ID`,
//!    `HUAWEICLOUD_SDK_ID_TOKEN_FILE`): IdP federation, an OIDC id token exchanged at IAM
//!    for temporary credentials ([`Credentials::idp`]); the official SDKs' environment
//!    provider takes it before the AK/SK pair too;
//! 3. [`AK_VAR`] and [`SK_VAR`] (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`): an AK/SK pair;
//! 4. the INI credentials file: [`CREDENTIALS_FILE_VAR`] (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`)
//!    when set, else `~/.huaweicloud/credentials` when it exists; section `[basic]`, keys
//!    `idp_id` and `id_token_file` (federation, taken first as above), else `ak`, `sk` and
//!    optional `security_token`; optional `project_id` and `iam_endpoint` with either.
//!
//! With 1 to 3, [`PROJECT_ID_VAR`] and [`SECURITY_TOKEN_VAR`] add a project id and (for
//! AK/SK) a security token. The first source that is set wins; a source that is half set
//! (an AK without SK, an IdP id without id token file, a file without `sk`) is an error
//! naming the variable or file, not a reason to try the next one (the official SDKs would
//! silently use the AK/SK pair beside a half-set IdP). Empty variables count as unset.
//!
//! # The project id
//!
//! AK/SK credentials (given, temporary, from the metadata service or from federation) used
//! with a [`region`](crate::ClientBuilder::region) and no project id get theirs from IAM
//! before the first request, as the official SDKs do: `GET /v3/projects?name=<region>`,
//! signed with them; IAM must list exactly one project, else the request fails with
//! [`Error::ProjectId`]. It is asked once per client (concurrent requests wait for that
//! one answer) and kept for the process. The IAM endpoint is
//! [`ClientBuilder::iam_endpoint`](crate::ClientBuilder::iam_endpoint), else the credentials
//! file's `iam_endpoint`, else [`IAM_ENDPOINT_VAR`] (`HUAWEICLOUD_SDK_IAM_ENDPOINT`), else the
//! region's own (`https://iam.<region>.myhuaweicloud.com` for the regions of the official
//! SDKs' table), else [`DEFAULT_IAM_ENDPOINT`]. Federation asks the same endpoint but
//! never a region's own, as the official Go SDK.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use codearts_repo_runtime::auth::Auth;
use codearts_repo_runtime::prepare::prepare_request;
use codearts_repo_runtime::secret::Secret;
use codearts_repo_runtime::signing::SigningAlgorithm;

use crate::error::{Error, Result};

/// Variable holding an IAM token.
pub const TOKEN_VAR: &str = "CODEARTS_REPO_TOKEN";
/// Variable holding the access key (as for the official SDKs).
pub const AK_VAR: &str = "HUAWEICLOUD_SDK_AK";
/// Variable holding the secret key (as for the official SDKs).
pub const SK_VAR: &str = "HUAWEICLOUD_SDK_SK";
/// Variable holding the project id (as for the official SDKs).
pub const PROJECT_ID_VAR: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Variable holding the security token of temporary AK/SK credentials.
pub const SECURITY_TOKEN_VAR: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Variable naming the credentials file (as for the official SDKs).
pub const CREDENTIALS_FILE_VAR: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// The credentials file's place under the home directory.
pub const DEFAULT_CREDENTIALS_FILE: &str = ".huaweicloud/credentials";
/// The ECS metadata service of [`Credentials::ecs_metadata`] (as for the official SDKs).
pub const METADATA_ENDPOINT: &str = codearts_repo_runtime::metadata::DEFAULT_ENDPOINT;
/// Variable holding the identity provider id of IdP federation (as for the official SDKs).
pub const IDP_ID_VAR: &str = "HUAWEICLOUD_SDK_IDP_ID";
/// Variable naming the file holding the OIDC id token of IdP federation (as for the
/// official SDKs).
pub const ID_TOKEN_FILE_VAR: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";
/// Variable naming the IAM endpoint (as for the official SDKs).
pub const IAM_ENDPOINT_VAR: &str = codearts_repo_runtime::iam::IAM_ENDPOINT_VAR;
/// The IAM endpoint when nothing else names one.
pub const DEFAULT_IAM_ENDPOINT: &str = codearts_repo_runtime::iam::DEFAULT_IAM_ENDPOINT;
/// The section of the credentials file that is read.
pub const CREDENTIALS_SECTION: &str = "basic";

/// An IAM token or an AK/SK pair, with an optional project id.
///
/// `Debug` shows where the credentials came from and the access key, never the token,
/// secret key or security token.
///
/// ```
/// use codearts_repo::Credentials;
///
/// // An IAM token, or an AK/SK pair (temporary ones with their security token).
/// let token = Credentials::token("MIIT...");
/// let keys = Credentials::access_key("AK", "SK")
///     .project_id("0123456789abcdef0123456789abcdef")
///     .security_token("temporary-token");
/// assert!(token.is_token() && keys.access_key_id() == Some("AK"));
/// assert!(!format!("{keys:?}").contains("SK\""));
///
/// // From the environment, here given as a lookup (`from_env` reads the process's).
/// let env = |name: &str| match name {
///     "HUAWEICLOUD_SDK_AK" => Some("AK2".to_string()),
///     "HUAWEICLOUD_SDK_SK" => Some("SK2".to_string()),
///     _ => None,
/// };
/// let found = Credentials::from_env_with(&env)?;
/// assert_eq!(found.source(), "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK");
///
/// // From a credentials file, section [basic].
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("credentials");
/// std::fs::write(&path, "[basic]\nak = AK3\nsk = SK3\nproject_id = p3\n").unwrap();
/// let from_file = Credentials::from_file(&path)?;
/// assert_eq!(from_file.project_id_value(), Some("p3"));
///
/// // The default chain: the variables, then the file they name, then ~/.huaweicloud.
/// let file_var = path.display().to_string();
/// let chain = Credentials::default_chain_with(&|name: &str| {
///     (name == "HUAWEICLOUD_SDK_CREDENTIALS_FILE").then(|| file_var.clone())
/// })?;
/// assert_eq!(chain.access_key_id(), Some("AK3"));
/// let none = Credentials::default_chain_with(&|_: &str| None).unwrap_err();
/// assert_eq!(none.kind(), codearts_repo::ErrorKind::Credentials);
/// # Ok::<(), codearts_repo::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    kind: Kind,
    project_id: Option<String>,
    iam_endpoint: Option<String>,
    source: String,
}

#[derive(Clone)]
enum Kind {
    Token(Secret),
    AccessKey {
        access_key: String,
        secret_key: Secret,
        security_token: Option<Secret>,
        algorithm: SigningAlgorithm,
    },
    Metadata {
        endpoint: String,
        algorithm: SigningAlgorithm,
    },
    Federation {
        idp_id: String,
        id_token_file: PathBuf,
        algorithm: SigningAlgorithm,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Credentials");
        match &self.kind {
            Kind::Token(_) => s.field("token", &"<redacted>"),
            Kind::Metadata {
                endpoint,
                algorithm,
            } => s
                .field("metadata_endpoint", endpoint)
                .field("signing_algorithm", algorithm),
            Kind::Federation {
                idp_id,
                id_token_file,
                algorithm,
            } => s
                .field("idp_id", idp_id)
                .field("id_token_file", id_token_file)
                .field("signing_algorithm", algorithm),
            Kind::AccessKey {
                access_key,
                security_token,
                algorithm,
                ..
            } => s
                .field("signing_algorithm", algorithm)
                .field("access_key", access_key)
                .field("secret_key", &"<redacted>")
                .field(
                    "security_token",
                    &security_token.as_ref().map(|_| "<redacted>"),
                ),
        };
        s.field("project_id", &self.project_id)
            .field("iam_endpoint", &self.iam_endpoint)
            .field("source", &self.source)
            .finish()
    }
}

impl Credentials {
    /// An IAM token, sent as `X-Auth-Token`.
    pub fn token(token: impl Into<String>) -> Self {
        Self {
            kind: Kind::Token(Secret::new(token)),
            project_id: None,
            iam_endpoint: None,
            source: "given in code".into(),
        }
    }

    /// An AK/SK pair: every request is signed with `SDK-HMAC-SHA256`, or the algorithm
    /// given to [`Credentials::signing_algorithm`].
    pub fn access_key(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            kind: Kind::AccessKey {
                access_key: access_key.into(),
                secret_key: Secret::new(secret_key),
                security_token: None,
                algorithm: SigningAlgorithm::default(),
            },
            project_id: None,
            iam_endpoint: None,
            source: "given in code".into(),
        }
    }

    /// Temporary credentials of the ECS instance the program runs on, from its metadata
    /// service ([`METADATA_ENDPOINT`], `GET /openstack/latest/securitykey`) as the official
    /// SDKs' `MetadataCredentialProvider` gets them (the instance needs an agency). They are
    /// fetched before the first request and again before any request made less than 40
    /// minutes before they expire, then signed like an AK/SK pair with their security
    /// token. Not part of [`default_chain`](Self::default_chain): ask for them.
    pub fn ecs_metadata() -> Self {
        Self {
            kind: Kind::Metadata {
                endpoint: METADATA_ENDPOINT.into(),
                algorithm: SigningAlgorithm::default(),
            },
            project_id: None,
            iam_endpoint: None,
            source: "ECS metadata".into(),
        }
    }

    /// IdP federation, as the official SDKs' `idp_id` and `id_token_file`: the OIDC id
    /// token in `id_token_file` (read again at each refresh, so a rotated token is taken) is
    /// exchanged at IAM for an unscoped token (`POST /v3.0/OS-AUTH/id-token/tokens` with
    /// `X-Idp-Id: idp_id`), and that for temporary credentials valid 6 hours
    /// (`POST /v3.0/OS-CREDENTIAL/securitytokens`). They are fetched before the first
    /// request and again before any request made less than 40 minutes before they expire,
    /// once for any number of concurrent requests, then signed like an AK/SK pair with
    /// their security token. A failed exchange fails the request with
    /// [`Error::Credentials`] naming the IdP, the file and IAM's answer. The IAM endpoint
    /// is chosen as the [module docs](self) say.
    ///
    /// ```
    /// use codearts_repo::Credentials;
    ///
    /// let federated = Credentials::idp("my-idp", "/var/run/secrets/oidc/token");
    /// assert_eq!(federated.source(), "IdP federation");
    /// assert!(format!("{federated:?}").contains("my-idp"));
    /// ```
    pub fn idp(idp_id: impl Into<String>, id_token_file: impl Into<PathBuf>) -> Self {
        Self {
            kind: Kind::Federation {
                idp_id: idp_id.into(),
                id_token_file: id_token_file.into(),
                algorithm: SigningAlgorithm::default(),
            },
            project_id: None,
            iam_endpoint: None,
            source: "IdP federation".into(),
        }
    }

    /// Asks another address than [`METADATA_ENDPOINT`] for [`ecs_metadata`](Self::ecs_metadata)
    /// credentials (a proxy, or the emulator in tests). No effect on other credentials.
    pub fn metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        if let Kind::Metadata { endpoint: slot, .. } = &mut self.kind {
            *slot = endpoint.into();
        }
        self
    }

    /// Adds a project id, sent (and, with AK/SK, signed) as `X-Project-Id`.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Adds the security token of temporary AK/SK credentials, sent and signed as
    /// `X-Security-Token`. It has no effect on a token.
    pub fn security_token(mut self, security_token: impl Into<String>) -> Self {
        if let Kind::AccessKey {
            security_token: slot,
            ..
        } = &mut self.kind
        {
            *slot = Some(Secret::new(security_token));
        }
        self
    }

    /// Signs with `algorithm` instead of `SDK-HMAC-SHA256`: one of the four of the official
    /// SDKs (which choose it with `HttpConfig.signing_algorithm` / `WithSigningAlgorithm`).
    /// It has no effect on a token.
    ///
    /// ```
    /// use codearts_repo::{Credentials, SigningAlgorithm};
    ///
    /// let credentials = Credentials::access_key("AK", "SK").signing_algorithm(SigningAlgorithm::Sm2Sm3);
    /// assert_eq!(credentials.signing_algorithm_value(), Some(SigningAlgorithm::Sm2Sm3));
    /// ```
    pub fn signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        if let Kind::AccessKey {
            algorithm: slot, ..
        }
        | Kind::Metadata {
            algorithm: slot, ..
        }
        | Kind::Federation {
            algorithm: slot, ..
        } = &mut self.kind
        {
            *slot = algorithm;
        }
        self
    }

    /// The algorithm an AK/SK pair signs with; `None` for a token.
    pub fn signing_algorithm_value(&self) -> Option<SigningAlgorithm> {
        match &self.kind {
            Kind::AccessKey { algorithm, .. }
            | Kind::Metadata { algorithm, .. }
            | Kind::Federation { algorithm, .. } => Some(*algorithm),
            Kind::Token(_) => None,
        }
    }

    /// Where these credentials came from, such as `HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether these are an IAM token (rather than an AK/SK pair).
    pub fn is_token(&self) -> bool {
        matches!(self.kind, Kind::Token(_))
    }

    /// The access key of an AK/SK pair (not secret).
    pub fn access_key_id(&self) -> Option<&str> {
        match &self.kind {
            Kind::AccessKey { access_key, .. } => Some(access_key),
            Kind::Token(_) | Kind::Metadata { .. } | Kind::Federation { .. } => None,
        }
    }

    /// The IAM endpoint the credentials file named (`iam_endpoint`), if any.
    pub fn iam_endpoint_value(&self) -> Option<&str> {
        self.iam_endpoint.as_deref()
    }

    /// The project id, if any.
    pub fn project_id_value(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// Credentials from the environment variables only: [`TOKEN_VAR`], else [`AK_VAR`] and
    /// [`SK_VAR`] (see the [module docs](self)).
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(&process_env)
    }

    /// [`Credentials::from_env`] reading variables through `lookup` instead of the process
    /// environment (for tests and embedding).
    pub fn from_env_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        match env_credentials(lookup)? {
            Some(credentials) => Ok(credentials),
            None => Err(Error::Credentials {
                looked_at: format!(
                    "{TOKEN_VAR}, {IDP_ID_VAR}/{ID_TOKEN_FILE_VAR}, {AK_VAR}/{SK_VAR}"
                ),
                message: "none of the credential variables is set".into(),
            }),
        }
    }

    /// Credentials from section `[basic]` of an INI credentials file (keys `ak`, `sk`,
    /// optional `project_id` and `security_token`).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Credentials {
            looked_at: path.display().to_string(),
            message: format!("cannot read the credentials file: {e}"),
        })?;
        parse_credentials_file(&text, path)
    }

    /// Credentials from the default chain of the [module docs](self), reading the process
    /// environment.
    pub fn default_chain() -> Result<Self> {
        Self::default_chain_with(&process_env)
    }

    /// [`Credentials::default_chain`] reading variables (including `HOME`) through
    /// `lookup` instead of the process environment.
    pub fn default_chain_with(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        if let Some(credentials) = env_credentials(lookup)? {
            return Ok(credentials);
        }
        if let Some(path) = non_empty(lookup, CREDENTIALS_FILE_VAR) {
            return Self::from_file(&path).map_err(|e| match e {
                Error::Credentials { looked_at, message } => Error::Credentials {
                    looked_at: format!("{looked_at} (from {CREDENTIALS_FILE_VAR})"),
                    message,
                },
                other => other,
            });
        }
        let default_file = home_dir(lookup).map(|home| home.join(DEFAULT_CREDENTIALS_FILE));
        if let Some(path) = default_file.as_ref().filter(|p| p.is_file()) {
            return Self::from_file(path);
        }
        Err(Error::Credentials {
            looked_at: format!(
                "{TOKEN_VAR}, {IDP_ID_VAR}/{ID_TOKEN_FILE_VAR}, {AK_VAR}/{SK_VAR}, {CREDENTIALS_FILE_VAR}, {}",
                default_file.map_or_else(
                    || format!("~/{DEFAULT_CREDENTIALS_FILE} (no home directory)"),
                    |p| p.display().to_string()
                )
            ),
            message: "no credentials found".into(),
        })
    }

    /// Authenticates `request` exactly as the client does before each attempt, as if sent
    /// at `signed_at`: canonical query, explicit `Host`, then the token or the AK/SK
    /// signature. Useful to check signatures against known vectors. [`ecs_metadata`] and
    /// [`idp`] credentials are not fetched here (the request is left unsigned), nor is a
    /// missing project id asked of IAM: only the client does that.
    ///
    /// [`ecs_metadata`]: Self::ecs_metadata
    /// [`idp`]: Self::idp
    pub fn apply_to(&self, request: &mut reqwest::Request, signed_at: DateTime<Utc>) -> Result<()> {
        prepare_request(request, &self.to_auth()?, signed_at);
        Ok(())
    }

    /// The credentials as the client sends them: temporary ones fetched through `http`, and
    /// the project id asked of IAM when a region is known and none is given (see the
    /// [module docs](self)). `builder_iam` is the client's own IAM endpoint.
    pub(crate) fn to_client_auth(
        &self,
        http: &reqwest::Client,
        builder_iam: Option<&str>,
        lookup: &dyn Fn(&str) -> Option<String>,
        region: Option<&str>,
        allow_http: bool,
    ) -> Result<Auth> {
        use codearts_repo_runtime::iam::iam_endpoint;
        let explicit = builder_iam.or(self.iam_endpoint.as_deref());
        let auth = match &self.kind {
            Kind::Federation {
                idp_id,
                id_token_file,
                algorithm,
            } => {
                let endpoint = iam_endpoint(explicit, lookup, None);
                check_iam_endpoint(&endpoint, allow_http)?;
                Auth::federation(
                    idp_id,
                    id_token_file,
                    &endpoint,
                    self.project_id.as_deref(),
                    http.clone(),
                )
                .map(|auth| auth.with_signing_algorithm(*algorithm))
                .map_err(|e| Error::Credentials {
                    looked_at: self.source.clone(),
                    message: e.to_string(),
                })?
            }
            _ => self.to_auth()?,
        };
        match region {
            Some(region) if self.project_id.is_none() && !self.is_token() => {
                let endpoint = iam_endpoint(explicit, lookup, Some(region));
                check_iam_endpoint(&endpoint, allow_http)?;
                Ok(auth.discover_project_id(region, &endpoint, http.clone()))
            }
            _ => Ok(auth),
        }
    }

    pub(crate) fn to_auth(&self) -> Result<Auth> {
        let result = match &self.kind {
            Kind::Token(token) => Auth::token(token.expose(), self.project_id.as_deref()),
            Kind::AccessKey {
                access_key,
                secret_key,
                security_token,
                algorithm,
            } => Auth::access_key(
                access_key,
                secret_key.expose(),
                self.project_id.as_deref(),
                security_token.as_ref().map(Secret::expose),
            )
            .map(|auth| auth.with_signing_algorithm(*algorithm)),
            Kind::Metadata {
                endpoint,
                algorithm,
            } => Auth::ecs_metadata(endpoint, self.project_id.as_deref())
                .map(|auth| auth.with_signing_algorithm(*algorithm)),
            // Only the client exchanges the id token (see `to_client_auth`).
            Kind::Federation { .. } => Ok(Auth::none()),
        };
        result.map_err(|e| Error::Credentials {
            looked_at: self.source.clone(),
            message: e.to_string(),
        })
    }
}

/// An IAM endpoint must be an `https` URL, or `http` with
/// [`allow_http`](crate::ClientBuilder::allow_http).
fn check_iam_endpoint(endpoint: &str, allow_http: bool) -> Result<()> {
    let expected = if allow_http {
        "an http or https URL"
    } else {
        "an https URL (http only with allow_http)"
    };
    match url::Url::parse(endpoint) {
        Ok(url)
            if url.has_host()
                && (url.scheme() == "https" || (allow_http && url.scheme() == "http")) =>
        {
            Ok(())
        }
        _ => Err(Error::invalid(
            "iam_endpoint",
            crate::redact::redact_url(endpoint),
            expected,
        )),
    }
}

pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn non_empty(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
}

fn home_dir(lookup: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    non_empty(lookup, "HOME")
        .or_else(|| non_empty(lookup, "USERPROFILE"))
        .map(PathBuf::from)
}

/// The token or AK/SK variables, `None` when neither is set.
fn env_credentials(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<Credentials>> {
    let project_id = non_empty(lookup, PROJECT_ID_VAR);
    if let Some(token) = non_empty(lookup, TOKEN_VAR) {
        let mut credentials = Credentials::token(token);
        credentials.project_id = project_id;
        credentials.source = TOKEN_VAR.into();
        return Ok(Some(credentials));
    }
    match (
        non_empty(lookup, IDP_ID_VAR),
        non_empty(lookup, ID_TOKEN_FILE_VAR),
    ) {
        (None, None) => {}
        (Some(_), None) => {
            return Err(Error::Credentials {
                looked_at: format!("{IDP_ID_VAR}, {ID_TOKEN_FILE_VAR}"),
                message: format!("{IDP_ID_VAR} is set but {ID_TOKEN_FILE_VAR} is not"),
            });
        }
        (None, Some(_)) => {
            return Err(Error::Credentials {
                looked_at: format!("{IDP_ID_VAR}, {ID_TOKEN_FILE_VAR}"),
                message: format!("{ID_TOKEN_FILE_VAR} is set but {IDP_ID_VAR} is not"),
            });
        }
        (Some(idp_id), Some(file)) => {
            let mut credentials = Credentials::idp(idp_id, file);
            credentials.project_id = project_id;
            credentials.source = format!("{IDP_ID_VAR}/{ID_TOKEN_FILE_VAR}");
            return Ok(Some(credentials));
        }
    }
    match (non_empty(lookup, AK_VAR), non_empty(lookup, SK_VAR)) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::Credentials {
            looked_at: format!("{AK_VAR}, {SK_VAR}"),
            message: format!("{AK_VAR} is set but {SK_VAR} is not"),
        }),
        (None, Some(_)) => Err(Error::Credentials {
            looked_at: format!("{AK_VAR}, {SK_VAR}"),
            message: format!("{SK_VAR} is set but {AK_VAR} is not"),
        }),
        (Some(ak), Some(sk)) => {
            let mut credentials = Credentials::access_key(ak, sk);
            if let Some(token) = non_empty(lookup, SECURITY_TOKEN_VAR) {
                credentials = credentials.security_token(token);
            }
            credentials.project_id = project_id;
            credentials.source = format!("{AK_VAR}/{SK_VAR}");
            Ok(Some(credentials))
        }
    }
}

/// Reads section `[basic]` of an INI file: `key = value` (or `key: value`) lines, `#` and
/// `;` comments, optional quotes around values.
fn parse_credentials_file(text: &str, path: &Path) -> Result<Credentials> {
    let looked_at = || format!("{} [{CREDENTIALS_SECTION}]", path.display());
    let mut in_section = false;
    let mut found_section = false;
    let (mut ak, mut sk, mut project_id, mut security_token) = (None, None, None, None);
    let (mut idp_id, mut id_token_file, mut iam_endpoint) = (None, None, None);
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(Error::Credentials {
                    looked_at: path.display().to_string(),
                    message: format!("line {} opens a section without closing `]`", index + 1),
                });
            };
            in_section = name.trim().eq_ignore_ascii_case(CREDENTIALS_SECTION);
            found_section |= in_section;
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            return Err(Error::Credentials {
                looked_at: looked_at(),
                message: format!("line {} is not `key = value`", index + 1),
            });
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value)
            .to_string();
        let value = (!value.is_empty()).then_some(value);
        match key.trim().to_ascii_lowercase().as_str() {
            "ak" => ak = value,
            "sk" => sk = value,
            "project_id" => project_id = value,
            "security_token" => security_token = value,
            "idp_id" => idp_id = value,
            "id_token_file" => id_token_file = value,
            "iam_endpoint" => iam_endpoint = value,
            _ => {}
        }
    }
    if !found_section {
        return Err(Error::Credentials {
            looked_at: path.display().to_string(),
            message: format!("the file has no [{CREDENTIALS_SECTION}] section"),
        });
    }
    match (idp_id, id_token_file) {
        (None, None) => {}
        (Some(idp_id), Some(file)) => {
            let mut credentials = Credentials::idp(idp_id, file);
            credentials.project_id = project_id;
            credentials.iam_endpoint = iam_endpoint;
            credentials.source = looked_at();
            return Ok(credentials);
        }
        (idp_id, _) => {
            return Err(Error::Credentials {
                looked_at: looked_at(),
                message: if idp_id.is_some() {
                    "`idp_id` is set but `id_token_file` is not".into()
                } else {
                    "`id_token_file` is set but `idp_id` is not".into()
                },
            });
        }
    }
    let (ak, sk) = match (ak, sk) {
        (Some(ak), Some(sk)) => (ak, sk),
        (ak, sk) => {
            let missing = match (ak.is_none(), sk.is_none()) {
                (true, true) => "neither `ak` nor `sk` is set",
                (true, false) => "`sk` is set but `ak` is not",
                _ => "`ak` is set but `sk` is not",
            };
            return Err(Error::Credentials {
                looked_at: looked_at(),
                message: missing.into(),
            });
        }
    };
    let mut credentials = Credentials::access_key(ak, sk);
    if let Some(token) = security_token {
        credentials = credentials.security_token(token);
    }
    credentials.project_id = project_id;
    credentials.iam_endpoint = iam_endpoint;
    credentials.source = looked_at();
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_comments_and_quotes() {
        let text = "# comment\n[global]\nak = other\n\n[basic]\nak = AK1 \nsk=\"SK1\"\n; note\nproject_id: p1\n";
        let c = parse_credentials_file(text, Path::new("/x/credentials")).unwrap();
        assert_eq!(c.access_key_id(), Some("AK1"));
        assert_eq!(c.project_id_value(), Some("p1"));
        assert_eq!(c.source(), "/x/credentials [basic]");
        assert!(!format!("{c:?}").contains("SK1"));
    }

    #[test]
    fn ini_problems_name_the_file() {
        let e = parse_credentials_file("[basic]\nak = AK1\n", Path::new("/x/c")).unwrap_err();
        assert!(
            e.to_string().contains("/x/c [basic]") && e.to_string().contains("`sk`"),
            "{e}"
        );
        let e = parse_credentials_file("[other]\nak = AK1\n", Path::new("/x/c")).unwrap_err();
        assert!(e.to_string().contains("no [basic] section"), "{e}");
        let e = parse_credentials_file("[basic]\njunk\n", Path::new("/x/c")).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
