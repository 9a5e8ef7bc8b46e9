//! Credentials as they are sent: an IAM token, or an access key pair that signs.
//!
//! [`Auth`] checks every value once, when it is built, so that preparing a request can
//! never fail on a credential.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::secret::Secret;
use crate::signing::SigningAlgorithm;

/// Why a credential cannot be sent in a header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidCredential {
    /// Which part of the credentials is unusable, such as `secret key`.
    pub field: &'static str,
    /// What is wrong with it (never the value itself).
    pub problem: &'static str,
}

impl fmt::Display for InvalidCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} {}", self.field, self.problem)
    }
}

impl std::error::Error for InvalidCredential {}

/// Why the credentials of a request could not be had: temporary credentials that could not
/// be fetched or refreshed, or a project id IAM did not give.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialFailure {
    /// Temporary credentials could not be fetched or refreshed from `source`.
    Refresh {
        /// Where they come from, such as `ECS metadata at http://169.254.169.254`.
        source: String,
        /// What failed (IAM's or the metadata service's answer, or the transport error).
        message: String,
    },
    /// IAM gave no single project id for the region.
    ProjectId {
        /// The region asked for.
        region: String,
        /// The IAM endpoint asked.
        iam_endpoint: String,
        /// What went wrong.
        problem: ProjectIdProblem,
        /// IAM's `X-IAM-Trace-Id`, when it answered.
        trace_id: Option<String>,
    },
}

/// Why IAM gave no project id for a region.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProjectIdProblem {
    /// IAM lists no project of that name.
    NoProject,
    /// IAM lists several; their ids.
    Several(Vec<String>),
    /// The request failed, or its answer could not be read.
    Failed(String),
}

impl fmt::Display for ProjectIdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoProject => f.write_str(
                "IAM lists no project of that name; check that the project exists in your \
                 account, or give the project id",
            ),
            Self::Several(ids) => write!(
                f,
                "IAM lists several projects of that name ({}); give the project id of one",
                ids.join(", ")
            ),
            Self::Failed(message) => f.write_str(message),
        }
    }
}

impl fmt::Display for CredentialFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refresh { source, message } => {
                write!(
                    f,
                    "cannot get temporary credentials from {source}: {message}"
                )
            }
            Self::ProjectId {
                region,
                iam_endpoint,
                problem,
                trace_id,
            } => {
                write!(
                    f,
                    "cannot find the project id of region `{region}` at IAM ({iam_endpoint}): {problem}"
                )?;
                if let Some(trace_id) = trace_id {
                    write!(f, " (X-IAM-Trace-Id {trace_id})")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CredentialFailure {}

/// A [`CredentialFailure`] with the transport error behind it, when there is one.
#[derive(Debug)]
pub struct AuthFailure {
    /// What failed.
    pub failure: CredentialFailure,
    /// The HTTP client's error, when the failure is one.
    pub http: Option<reqwest::Error>,
}

impl From<CredentialFailure> for AuthFailure {
    fn from(failure: CredentialFailure) -> Self {
        Self {
            failure,
            http: None,
        }
    }
}

/// How requests are authenticated. Built with [`Auth::token`] or [`Auth::access_key`],
/// which check that every value can be sent in a header.
#[derive(Clone, Default)]
pub struct Auth(pub(crate) AuthKind);

#[derive(Clone, Default)]
pub(crate) enum AuthKind {
    #[default]
    None,
    Token {
        token: HeaderValue,
        project_id: Option<HeaderValue>,
    },
    AccessKey {
        access_key: String,
        secret_key: Secret,
        project_id: Option<HeaderValue>,
        security_token: Option<HeaderValue>,
        algorithm: SigningAlgorithm,
    },
    /// Temporary credentials of the ECS metadata service or of IAM federation, fetched and
    /// refreshed by [`Auth::current`] before each attempt.
    Temporary(std::sync::Arc<crate::metadata::TemporarySource>),
    /// Other credentials whose project id is asked of IAM once, by [`Auth::current`].
    Discover(std::sync::Arc<crate::iam::ProjectDiscovery>),
}

fn header_value(
    value: &str,
    field: &'static str,
    sensitive: bool,
) -> Result<HeaderValue, InvalidCredential> {
    if value.trim().is_empty() {
        return Err(InvalidCredential {
            field,
            problem: "is empty",
        });
    }
    // Visible ASCII only: anything else would be altered or refused on the wire.
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(InvalidCredential {
            field,
            problem: "holds characters other than visible ASCII (spaces, control or non-ASCII characters)",
        });
    }
    let mut header = HeaderValue::from_str(value).map_err(|_| InvalidCredential {
        field,
        problem: "is not a valid header value",
    })?;
    header.set_sensitive(sensitive);
    Ok(header)
}

impl Auth {
    /// No authentication (requests will be refused by the service with 401).
    pub fn none() -> Self {
        Self(AuthKind::None)
    }

    /// An IAM token sent as `X-Auth-Token`, plus `X-Project-Id` when a project id is given.
    pub fn token(token: &str, project_id: Option<&str>) -> Result<Self, InvalidCredential> {
        Ok(Self(AuthKind::Token {
            token: header_value(token, "token", true)?,
            project_id: project_id
                .map(|p| header_value(p, "project id", false))
                .transpose()?,
        }))
    }

    /// AK/SK signing (`SDK-HMAC-SHA256`, see [`Auth::with_signing_algorithm`]), with `X-Project-Id` and `X-Security-Token`
    /// (temporary credentials) signed when given.
    pub fn access_key(
        access_key: &str,
        secret_key: &str,
        project_id: Option<&str>,
        security_token: Option<&str>,
    ) -> Result<Self, InvalidCredential> {
        header_value(access_key, "access key", false)?;
        header_value(secret_key, "secret key", true)?;
        Ok(Self(AuthKind::AccessKey {
            access_key: access_key.to_string(),
            secret_key: Secret::new(secret_key),
            project_id: project_id
                .map(|p| header_value(p, "project id", false))
                .transpose()?,
            security_token: security_token
                .map(|t| header_value(t, "security token", true))
                .transpose()?,
            algorithm: SigningAlgorithm::default(),
        }))
    }

    /// Signs with `algorithm` instead of `SDK-HMAC-SHA256`; no effect on a token or on no
    /// authentication.
    pub fn with_signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        match &mut self.0 {
            AuthKind::AccessKey {
                algorithm: slot, ..
            } => *slot = algorithm,
            AuthKind::Temporary(source) => *source = source.with_algorithm(algorithm),
            AuthKind::Discover(discovery) => *discovery = discovery.with_algorithm(algorithm),
            _ => {}
        }
        self
    }

    /// The algorithm AK/SK requests are signed with; `None` for a token or no
    /// authentication.
    pub fn signing_algorithm(&self) -> Option<SigningAlgorithm> {
        match &self.0 {
            AuthKind::AccessKey { algorithm, .. } => Some(*algorithm),
            AuthKind::Temporary(source) => Some(source.algorithm()),
            AuthKind::Discover(discovery) => discovery.inner().signing_algorithm(),
            _ => None,
        }
    }

    /// The same credentials with `X-Project-Id: project_id` (a token or an access key; no
    /// effect on others).
    pub(crate) fn with_project_id(mut self, project_id: &HeaderValue) -> Self {
        match &mut self.0 {
            AuthKind::Token {
                project_id: slot, ..
            }
            | AuthKind::AccessKey {
                project_id: slot, ..
            } => *slot = Some(project_id.clone()),
            _ => {}
        }
        self
    }

    /// The access key of an AK/SK pair.
    pub(crate) fn access_key_id(&self) -> Option<&str> {
        match &self.0 {
            AuthKind::AccessKey { access_key, .. } => Some(access_key),
            _ => None,
        }
    }

    /// Whether requests carry credentials at all.
    pub fn is_none(&self) -> bool {
        matches!(self.0, AuthKind::None)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            AuthKind::None => f.write_str("Auth::None"),
            AuthKind::Temporary(source) => f
                .debug_struct("Auth::Temporary")
                .field("source", &source.describe())
                .finish_non_exhaustive(),
            AuthKind::Discover(discovery) => f
                .debug_struct("Auth::Discover")
                .field("region", &discovery.region())
                .field("iam_endpoint", &discovery.iam_endpoint())
                .field("credentials", discovery.inner())
                .finish(),
            AuthKind::Token { project_id, .. } => f
                .debug_struct("Auth::Token")
                .field("token", &"<redacted>")
                .field("project_id", project_id)
                .finish(),
            AuthKind::AccessKey {
                access_key,
                project_id,
                security_token,
                algorithm,
                ..
            } => f
                .debug_struct("Auth::AccessKey")
                .field("algorithm", algorithm)
                .field("access_key", access_key)
                .field("secret_key", &"<redacted>")
                .field("project_id", project_id)
                .field(
                    "security_token",
                    &security_token.as_ref().map(|_| "<redacted>"),
                )
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_that_cannot_be_sent_are_refused_without_echoing_them() {
        let error = Auth::token("abc def", None).unwrap_err();
        assert_eq!(error.field, "token");
        assert!(!error.to_string().contains("abc"));
        assert_eq!(
            Auth::access_key("AK", "", None, None).unwrap_err().field,
            "secret key"
        );
        let debug = format!(
            "{:?}",
            Auth::access_key("AK", "SECRETSK", Some("p"), Some("STS")).unwrap()
        );
        assert!(
            !debug.contains("SECRETSK") && !debug.contains("STS"),
            "{debug}"
        );
    }
}
