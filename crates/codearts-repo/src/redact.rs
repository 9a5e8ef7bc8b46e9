//! Keeping what an endpoint or URL can carry in secret out of what is shown.

/// What replaces a secret.
const REDACTED: &str = "<redacted>";

/// An endpoint or URL made safe to show: its user info (`https://user:password@host`),
/// its query values (`?token=…`) and its fragment replaced by `<redacted>`, while the
/// scheme, host, port, path and the query's names stay, so that a message still says
/// which address was meant. From [`redact_url`].
///
/// Every error of this crate that quotes an endpoint or a URL quotes it this way, and the
/// `codearts-repo` command redacts its reports with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedactedUrl {
    original: String,
    shown: String,
    /// Each secret-bearing piece and its replacement (`user:password@` by `<redacted>@`,
    /// `token=abc` by `token=<redacted>`).
    pieces: Vec<(String, String)>,
}

/// `url` with its secrets redacted (see [`RedactedUrl`]). The text need not be a valid
/// URL: a message quotes what was given, so it is split as a URL would be.
///
/// ```
/// let url = codearts_repo::redact_url("https://alice:hunter2@host/v4?token=s3cr3t&page=2#frag");
/// assert_eq!(url.shown(), "https://<redacted>@host/v4?token=<redacted>&page=<redacted>#<redacted>");
/// // A text quoting the URL, whole or in part, loses its secrets too.
/// assert_eq!(
///     url.clean("bad token=s3cr3t in https://alice:hunter2@host/v4?token=s3cr3t&page=2#frag"),
///     "bad token=<redacted> in https://<redacted>@host/v4?token=<redacted>&page=<redacted>#<redacted>"
/// );
/// assert!(codearts_repo::redact_url("http://127.0.0.1:8080/v4").is_clean());
/// ```
pub fn redact_url(url: &str) -> RedactedUrl {
    let mut pieces = Vec::new();
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (before_fragment, None),
    };
    let (scheme, rest) = match base.find("://") {
        Some(at) => base.split_at(at + 3),
        None => ("", base),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut shown = scheme.to_string();
    match authority.rfind('@') {
        Some(at) => {
            let user_info = &authority[..=at];
            pieces.push((user_info.to_string(), format!("{REDACTED}@")));
            shown.push_str(REDACTED);
            shown.push_str(&authority[at..]);
        }
        None => shown.push_str(authority),
    }
    shown.push_str(path);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((_, "")) => pair.to_string(),
                Some((name, _)) => {
                    let replacement = format!("{name}={REDACTED}");
                    pieces.push((pair.to_string(), replacement.clone()));
                    replacement
                }
                None if pair.is_empty() => String::new(),
                // Redacted in the URL; not alone, as a short word could be anywhere.
                None => REDACTED.to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    if let Some(fragment) = fragment {
        if !fragment.is_empty() {
            pieces.push((format!("#{fragment}"), format!("#{REDACTED}")));
        }
        shown.push('#');
        shown.push_str(if fragment.is_empty() { "" } else { REDACTED });
    }
    RedactedUrl {
        original: url.to_string(),
        shown,
        pieces,
    }
}

impl RedactedUrl {
    /// The URL as it may be shown.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether the URL carried nothing to redact (it is shown as given).
    pub fn is_clean(&self) -> bool {
        self.shown == self.original
    }

    /// `text` with the URL, wherever quoted whole, replaced by [`shown`](Self::shown),
    /// and each of its secret-bearing pieces (user info, `name=value` pairs, fragment)
    /// wherever quoted alone replaced by its redacted form.
    pub fn clean(&self, text: &str) -> String {
        if self.is_clean() {
            return text.to_string();
        }
        let mut cleaned = text.replace(&self.original, &self.shown);
        for (secret, replacement) in &self.pieces {
            cleaned = cleaned.replace(secret.as_str(), replacement);
        }
        cleaned
    }
}

impl std::fmt::Display for RedactedUrl {
    /// [`shown`](Self::shown).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_query_values_and_fragments_are_redacted() {
        let cases = [
            (
                "https://host.example.com/base?token=s3cr3t&page=2",
                "https://host.example.com/base?token=<redacted>&page=<redacted>",
            ),
            (
                "http://alice:hunter2@127.0.0.1:8080/",
                "http://<redacted>@127.0.0.1:8080/",
            ),
            (
                "https://a:p@ss@host?key#frag",
                "https://<redacted>@host?<redacted>#<redacted>",
            ),
            ("alice:hunter2@host", "<redacted>@host"),
            ("https://host/?empty=&&", "https://host/?empty=&&"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("not a url", "not a url"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url).shown(), shown, "{url}");
        }
    }

    #[test]
    fn a_bare_query_word_is_redacted_in_the_url_only() {
        let url = redact_url("https://host/?s3cr3t");
        assert!(!url.is_clean());
        assert_eq!(
            url.clean("at https://host/?s3cr3t: no"),
            "at https://host/?<redacted>: no"
        );
        assert_eq!(url.clean("a s3cr3t word"), "a s3cr3t word");
        let plain = redact_url("https://host/v4");
        assert!(plain.is_clean());
        assert_eq!(plain.clean("https://host/v4 x"), "https://host/v4 x");
    }
}
