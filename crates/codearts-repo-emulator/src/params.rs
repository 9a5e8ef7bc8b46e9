//! Reading and checking request parameters; every failure names the parameter.

use chrono::{DateTime, Utc};
use codearts_repo_runtime::time_bound::{self, TimeBound};

/// A parameter that is malformed or out of range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParamError {
    pub name: &'static str,
    pub problem: String,
}

impl ParamError {
    pub(crate) fn new(name: &'static str, problem: impl Into<String>) -> Self {
        Self {
            name,
            problem: problem.into(),
        }
    }

    /// The `error_msg` of the 400 answer.
    pub(crate) fn message(&self) -> String {
        format!("Invalid parameter {}: {}", self.name, self.problem)
    }
}

/// Shortens long or odd values before echoing them in a message.
fn shown(value: &str) -> String {
    let mut out: String = value.chars().take(64).collect();
    if value.chars().count() > 64 {
        out.push('…');
    }
    format!("`{}`", out.escape_debug())
}

/// Percent-decodes `text` (`%XX` is a byte; a `%` without two hex digits stays as it is),
/// reading `+` as a space when `plus_is_space` (query strings); `None` when the bytes are
/// not UTF-8, which a parameter's value must be.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let byte = match bytes[at] {
            b'%' => match (
                bytes.get(at + 1).copied().and_then(hex),
                bytes.get(at + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    at += 2;
                    (high * 16 + low) as u8
                }
                _ => b'%',
            },
            b'+' if plus_is_space => b' ',
            other => other,
        };
        decoded.push(byte);
        at += 1;
    }
    String::from_utf8(decoded).ok()
}

/// The decoded query pairs of a request; a value that is not UTF-8 once decoded is kept as
/// `None`, refused when its parameter is read.
pub(crate) struct Query {
    pairs: Vec<(String, Option<String>)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                // A name that is not UTF-8 is no parameter's name: it is ignored, as
                // unknown parameters are.
                let key = percent_decode(key, true).unwrap_or_default();
                (key, percent_decode(value, true))
            })
            .collect();
        Self { pairs }
    }

    /// The value of `name`; a parameter given twice is refused rather than guessed at, and
    /// so is a value that is not UTF-8 once percent-decoded.
    pub(crate) fn get(&self, name: &'static str) -> Result<Option<&str>, ParamError> {
        let mut found = None;
        for (key, value) in &self.pairs {
            if key == name {
                if found.is_some() {
                    return Err(ParamError::new(name, "given more than once."));
                }
                found = Some(value.as_deref().ok_or_else(|| {
                    ParamError::new(name, "not valid UTF-8 once percent-decoded.")
                })?);
            }
        }
        Ok(found)
    }

    /// An integer in `min..=max`, `default` when absent.
    pub(crate) fn integer(
        &self,
        name: &'static str,
        min: i64,
        max: i64,
        default: Option<i64>,
    ) -> Result<Option<i64>, ParamError> {
        match self.get(name)? {
            None => Ok(default),
            Some(text) => integer(name, text, min, max).map(Some),
        }
    }

    /// `true` or `false`, `false` when absent.
    pub(crate) fn boolean(&self, name: &'static str) -> Result<bool, ParamError> {
        match self.get(name)? {
            None => Ok(false),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ParamError::new(
                name,
                format!("{} is not true or false.", shown(other)),
            )),
        }
    }

    /// A date (`YYYY-MM-DD`, midnight UTC) or an RFC 3339 date-time.
    pub(crate) fn instant(&self, name: &'static str) -> Result<Option<DateTime<Utc>>, ParamError> {
        match self.get(name)? {
            None => Ok(None),
            Some(text) => instant(text).map(Some).ok_or_else(|| {
                ParamError::new(
                    name,
                    format!(
                        "{} is not a date: expected {}.",
                        shown(text),
                        time_bound::FORMS
                    ),
                )
            }),
        }
    }

    /// Free text; an empty value counts as absent.
    pub(crate) fn text(&self, name: &'static str) -> Result<Option<String>, ParamError> {
        Ok(self
            .get(name)?
            .filter(|t| !t.is_empty())
            .map(str::to_string))
    }

    /// One of `allowed`.
    pub(crate) fn choice(
        &self,
        name: &'static str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, ParamError> {
        match self.get(name)? {
            None => Ok(None),
            Some(text) => allowed
                .iter()
                .find(|a| **a == text)
                .copied()
                .map(Some)
                .ok_or_else(|| {
                    ParamError::new(
                        name,
                        format!("{} is not one of {}.", shown(text), allowed.join(", ")),
                    )
                }),
        }
    }
}

/// An integer in `min..=max`.
pub(crate) fn integer(
    name: &'static str,
    text: &str,
    min: i64,
    max: i64,
) -> Result<i64, ParamError> {
    let value: i64 = text
        .parse()
        .map_err(|_| ParamError::new(name, format!("{} is not an integer.", shown(text))))?;
    if value < min || value > max {
        return Err(ParamError::new(
            name,
            format!("{value} is outside {min}..={max}."),
        ));
    }
    Ok(value)
}

/// A date (`YYYY-MM-DD`, midnight UTC) or an RFC 3339 date-time, read as the SDK and the
/// command line read it ([`TimeBound`]'s one parser).
pub fn instant(text: &str) -> Option<DateTime<Utc>> {
    text.parse::<TimeBound>().ok().map(|bound| bound.instant())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_name_the_parameter_and_the_range() {
        assert_eq!(
            integer("limit", "101", 1, 100).unwrap_err().message(),
            "Invalid parameter limit: 101 is outside 1..=100."
        );
        assert_eq!(
            integer("repository_id", "abc", 1, 2_147_483_647)
                .unwrap_err()
                .message(),
            "Invalid parameter repository_id: `abc` is not an integer."
        );
        assert_eq!(integer("offset", "0", 0, 10), Ok(0));
    }

    #[test]
    fn dates_accept_both_documented_shapes_only() {
        assert_eq!(
            instant("2025-06-01").unwrap().to_rfc3339(),
            "2025-06-01T00:00:00+00:00"
        );
        assert_eq!(
            instant("2025-06-01T10:00:00+08:00").unwrap().to_rfc3339(),
            "2025-06-01T02:00:00+00:00"
        );
        assert_eq!(instant("2025-6-1"), None);
        assert_eq!(instant("yesterday"), None);
    }

    #[test]
    fn values_are_percent_decoded_and_must_be_utf8() {
        let query = Query::parse(Some(
            "ref_name=%FF&path=a+b%2Bc&author=%E4%B8%BB%zz%4&message=%C3%28&&=x&%FF=1",
        ));
        assert_eq!(
            query.get("ref_name").unwrap_err().message(),
            "Invalid parameter ref_name: not valid UTF-8 once percent-decoded."
        );
        assert!(query.get("message").is_err());
        assert_eq!(query.get("path"), Ok(Some("a b+c")));
        assert_eq!(query.get("author"), Ok(Some("主%zz%4")));
        assert_eq!(query.get("limit"), Ok(None));
        assert_eq!(percent_decode("a+b%2F", false).as_deref(), Some("a+b/"));
        // The same pairs as the signature check reads, wherever the value is UTF-8.
        let raw = "a=1&b=%E2%9C%93+x&c&d=%&e=%4G";
        let ours: Vec<(String, String)> = Query::parse(Some(raw))
            .pairs
            .into_iter()
            .map(|(k, v)| (k, v.unwrap()))
            .collect();
        assert_eq!(ours, codearts_repo_runtime::signing::decode_query(raw));
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        let query = Query::parse(Some("limit=1&limit=2"));
        assert_eq!(
            query.get("limit").unwrap_err().message(),
            "Invalid parameter limit: given more than once."
        );
    }
}
