//! Transport settings of the HTTP client the SDK builds: a proxy, extra root
//! certificates, skipping certificate checks, extra headers, and interceptors.
//!
//! They are the official SDKs' `HttpConfig` (proxy with user and password,
//! `ssl_ca_cert`, `ignore_ssl_verification`) and `HttpHandler`s, set on
//! [`ClientBuilder`](crate::ClientBuilder) and checked at `build()`.

use std::fmt;
use std::sync::Arc;

use codearts_repo_runtime::intercept::{Interceptor, Interceptors};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};

/// The transport settings of a builder.
#[derive(Clone, Default)]
pub(crate) struct Transport {
    pub(crate) proxy: Option<String>,
    pub(crate) root_certificates: Vec<Vec<u8>>,
    pub(crate) accept_invalid_certs: bool,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) interceptors: Interceptors,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("proxy", &self.proxy.as_deref().map(redacted_proxy))
            .field("root_certificates", &self.root_certificates.len())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("interceptors", &self.interceptors)
            .finish()
    }
}

/// A proxy URL with its password (and any query) replaced, for messages and `Debug`.
pub(crate) fn redacted_proxy(proxy: &str) -> String {
    match url::Url::parse(proxy) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("<redacted>"));
            }
            if url.query().is_some() {
                url.set_query(Some("<redacted>"));
            }
            url.to_string()
        }
        Err(_) => "<not a URL>".to_string(),
    }
}

impl Transport {
    /// Whether a setting that only a client built here can apply is set.
    pub(crate) fn needs_own_client(&self) -> Option<&'static str> {
        if self.proxy.is_some() {
            Some("proxy")
        } else if !self.root_certificates.is_empty() {
            Some("add_root_certificate_pem")
        } else if self.accept_invalid_certs {
            Some("danger_accept_invalid_certs")
        } else if !self.headers.is_empty() {
            Some("header")
        } else {
            None
        }
    }

    /// Applies the settings to the client being built.
    pub(crate) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder> {
        if let Some(proxy) = &self.proxy {
            let shown = redacted_proxy(proxy);
            let url = url::Url::parse(proxy)
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
                .ok_or_else(|| {
                    Error::invalid("proxy", &shown, "an http:// or https:// URL with a host")
                })?;
            // reqwest takes the user and password of the URL as the proxy's basic
            // authentication.
            let proxy = reqwest::Proxy::all(url.as_str())
                .map_err(|_| Error::invalid("proxy", &shown, "a proxy URL reqwest accepts"))?;
            builder = builder.proxy(proxy);
        }
        if !self.root_certificates.is_empty() || self.accept_invalid_certs {
            builder = self.apply_tls(builder)?;
        }
        if !self.headers.is_empty() {
            let mut headers = HeaderMap::new();
            for (name, value) in &self.headers {
                let header_name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| Error::invalid("header", name, "a valid header name"))?;
                if is_reserved(&header_name) {
                    return Err(Error::invalid(
                        "header",
                        name,
                        "a header the SDK does not set itself (not Authorization, Host, \
                         X-Sdk-Date, X-Auth-Token, X-Project-Id or X-Security-Token)",
                    ));
                }
                let header_value = HeaderValue::from_str(value)
                    .map_err(|_| Error::invalid("header", name, "a value of visible ASCII text"))?;
                headers.append(header_name, header_value);
            }
            builder = builder.default_headers(headers);
        }
        Ok(builder)
    }

    #[cfg(any(
        feature = "default-tls",
        feature = "native-tls",
        feature = "rustls-ring"
    ))]
    fn apply_tls(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        for (index, pem) in self.root_certificates.iter().enumerate() {
            // A bundle of one or more certificates; text holding none is refused here
            // rather than trusted as nothing.
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|certificates| !certificates.is_empty())
                .ok_or_else(|| {
                    Error::invalid(
                        "add_root_certificate_pem",
                        format!("certificate {}", index + 1),
                        "one or more PEM-encoded X.509 certificates",
                    )
                })?;
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if self.accept_invalid_certs {
            tracing::warn!("TLS certificate checks are off (danger_accept_invalid_certs)");
            builder = builder.danger_accept_invalid_certs(true);
        }
        Ok(builder)
    }

    #[cfg(not(any(
        feature = "default-tls",
        feature = "native-tls",
        feature = "rustls-ring"
    )))]
    fn apply_tls(&self, _builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        Err(Error::invalid(
            "add_root_certificate_pem",
            "TLS settings",
            "a build with a TLS feature (default-tls, native-tls or rustls-ring)",
        ))
    }

    pub(crate) fn add_interceptor(&mut self, interceptor: impl Interceptor) {
        self.interceptors.push(Arc::new(interceptor));
    }
}

/// Headers that authentication and signing set on every attempt.
fn is_reserved(name: &HeaderName) -> bool {
    use codearts_repo_runtime::headers;
    name == reqwest::header::AUTHORIZATION
        || name == reqwest::header::HOST
        || [
            headers::SDK_DATE,
            headers::AUTH_TOKEN,
            headers::PROJECT_ID,
            headers::SECURITY_TOKEN,
        ]
        .contains(&name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_password_never_shows() {
        let shown = redacted_proxy("http://user:s3cret@proxy.example:3128/?key=also-secret");
        assert!(
            !shown.contains("s3cret") && !shown.contains("also-secret"),
            "{shown}"
        );
        assert!(
            shown.contains("user") && shown.contains("proxy.example:3128"),
            "{shown}"
        );
        let transport = Transport {
            proxy: Some("http://user:s3cret@proxy.example:3128".into()),
            ..Transport::default()
        };
        assert!(!format!("{transport:?}").contains("s3cret"));
    }
}
