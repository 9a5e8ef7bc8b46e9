//! Reading and checking request parameters; every failure names the parameter.

use chrono::{DateTime, Utc};
use codearts_repo_runtime::params::{Kind, Location, Parameter, Value, find};
use codearts_repo_runtime::time_bound::TimeBound;

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

    /// Reads and checks every query parameter of an operation's table, generated from
    /// the spec: a malformed or out-of-range value, or a missing required one, is a
    /// [`ParamError`] naming it. Parameters the table does not list are ignored, as the
    /// service ignores them; empty text counts as absent.
    pub(crate) fn read(&self, table: &'static [Parameter]) -> Result<Parsed, ParamError> {
        let mut values = Vec::new();
        for parameter in table.iter().filter(|p| p.location == Location::Query) {
            let text = self
                .get(parameter.name)?
                .filter(|text| !(text.is_empty() && matches!(parameter.kind, Kind::Text { .. })));
            let Some(text) = text else {
                if parameter.required {
                    return Err(ParamError::new(parameter.name, "required, but missing."));
                }
                continue;
            };
            let value = parameter
                .parse(text)
                .map_err(|e| ParamError::new(parameter.name, format!("{e}.")))?;
            values.push((parameter.name, value));
        }
        Ok(Parsed { table, values })
    }
}

/// The query parameters of a request, read and checked against the operation's table.
pub(crate) struct Parsed {
    table: &'static [Parameter],
    values: Vec<(&'static str, Value)>,
}

impl Parsed {
    fn value(&self, name: &str) -> Option<&Value> {
        debug_assert!(
            find(self.table, name).is_some(),
            "`{name}` is no parameter of the operation"
        );
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// An integer parameter's value, else its documented default.
    pub(crate) fn integer(&self, name: &str) -> Option<i64> {
        match self.value(name) {
            Some(Value::Integer(value)) => Some(*value),
            _ => match find(self.table, name).map(|p| p.kind) {
                Some(Kind::Integer { default, .. }) => default,
                _ => None,
            },
        }
    }

    /// A text parameter's value.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        match self.value(name) {
            Some(Value::Text(text)) => Some(text.clone()),
            _ => None,
        }
    }

    /// A boolean parameter's value, `false` when absent.
    pub(crate) fn flag(&self, name: &str) -> bool {
        matches!(self.value(name), Some(Value::Boolean(true)))
    }

    /// A time bound's instant (a date means its midnight UTC).
    pub(crate) fn instant(&self, name: &str) -> Option<DateTime<Utc>> {
        match self.value(name) {
            Some(Value::TimeBound(bound)) => Some(bound.instant()),
            _ => None,
        }
    }
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
    fn parameters_are_read_against_the_table_and_named_when_wrong() {
        use codearts_repo_gen::operations::list_commits::PARAMETERS;
        let read = |raw| Query::parse(Some(raw)).read(PARAMETERS);
        assert_eq!(
            read("limit=101").err().unwrap().message(),
            "Invalid parameter limit: 101 is outside 1..=100."
        );
        assert_eq!(
            read("offset=abc").err().unwrap().message(),
            "Invalid parameter offset: `abc` is not an integer."
        );
        let parsed = read("ref_name=&follow=true&since=2025-06-01&unknown=1").unwrap();
        assert_eq!(parsed.text("ref_name"), None, "empty text is absent");
        assert!(parsed.flag("follow"));
        assert_eq!(parsed.integer("limit"), Some(20), "the documented default");
        assert_eq!(
            parsed.instant("since").unwrap().to_rfc3339(),
            "2025-06-01T00:00:00+00:00"
        );
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
