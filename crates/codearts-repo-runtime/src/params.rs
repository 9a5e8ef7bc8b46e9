//! The documented parameters of an operation, as data, and the one reader of their values.
//!
//! `codearts-repo-codegen` turns each operation's parameters in the spec into a table of
//! [`Parameter`]s (`codearts_repo_gen::operations::<operation>::PARAMETERS`). The SDK's
//! checks, the command line's flags and the emulator's parsing all read that table and
//! [`Parameter::parse`] / [`Parameter::check`], so a parameter's name, kind, range, length,
//! default and values are stated once, in the spec.

use std::fmt;

use crate::time_bound::{self, TimeBound};

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A segment of the path.
    Path,
    /// A pair of the query string.
    Query,
}

/// The role a parameter plays in walking a list page by page (the spec's `x-paging`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// Where a page starts.
    Offset,
    /// How many items a page holds.
    Limit,
}

/// What values a parameter takes, with its documented bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer, within `min..=max`.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
        /// The service's value when the parameter is left out.
        default: Option<i64>,
    },
    /// Text, with as many characters as the bounds allow.
    Text {
        /// Fewest characters accepted.
        min_length: Option<usize>,
        /// Most characters accepted.
        max_length: Option<usize>,
    },
    /// `true` or `false`.
    Boolean,
    /// A date or a date-time (`format: date-or-date-time`), read as a [`TimeBound`].
    TimeBound,
    /// One of a list of values.
    Choice {
        /// The documented values.
        values: &'static [&'static str],
        /// The service's value when the parameter is left out.
        default: Option<&'static str>,
    },
}

/// One documented parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// Its name on the wire.
    pub name: &'static str,
    /// The name of its SDK setter (the spec's `x-sdk-name`, else the wire name).
    pub setter: &'static str,
    /// Its command-line flag, without the dashes (the spec's `x-cli-flag`, else the wire
    /// name with `-` for `_`).
    pub flag: &'static str,
    /// Path or query.
    pub location: Location,
    /// Whether every request carries it.
    pub required: bool,
    /// The values it takes.
    pub kind: Kind,
    /// Its role in walking pages, if any.
    pub paging: Option<Paging>,
    /// Another parameter it only makes sense with (the spec's `x-requires`); the command
    /// line asks for both.
    pub requires: Option<&'static str>,
    /// The first sentence of its description.
    pub summary: &'static str,
    /// Its whole description.
    pub description: &'static str,
}

/// A parameter's value, as read from text or set through the SDK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An integer.
    Integer(i64),
    /// Text.
    Text(String),
    /// A flag.
    Boolean(bool),
    /// A date or instant.
    TimeBound(TimeBound),
    /// One of the documented values.
    Choice(&'static str),
}

/// A value a parameter does not take: what it was and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    /// The parameter's wire name.
    pub parameter: &'static str,
    /// The value, shortened and escaped for a message.
    pub value: String,
    /// What the parameter takes, such as `an integer in 1..=100`.
    pub expected: String,
    problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Problem {
    NotAnInteger,
    OutOfRange { min: i64, max: i64 },
    Length(usize),
    Empty,
    NotABoolean,
    NotADate,
    NotAChoice,
    WrongKind,
}

impl ValueError {
    fn new(parameter: &Parameter, value: &str, problem: Problem) -> Self {
        Self {
            parameter: parameter.name,
            value: shown(value),
            expected: parameter.expected(),
            problem,
        }
    }
}

impl fmt::Display for ValueError {
    /// The problem, in the words the emulator's 400 answers and the command line use:
    /// `101 is outside 1..=100`, `` `ten` is not an integer ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = &self.value;
        match &self.problem {
            Problem::NotAnInteger => write!(f, "`{value}` is not an integer"),
            Problem::OutOfRange { min, max } => write!(f, "{value} is outside {min}..={max}"),
            Problem::Length(count) => write!(f, "{count} characters, expected {}", self.expected),
            Problem::Empty => write!(f, "empty, expected {}", self.expected),
            Problem::NotABoolean => write!(f, "`{value}` is not true or false"),
            Problem::NotADate => write!(f, "`{value}` is not a date: expected {}", self.expected),
            Problem::NotAChoice => write!(f, "`{value}` is not one of {}", self.expected),
            Problem::WrongKind => write!(f, "{value} is not {}", self.expected),
        }
    }
}

impl std::error::Error for ValueError {}

/// Most characters of a value echoed in a message.
const SHOWN_CHARS: usize = 64;

/// A value cut to [`SHOWN_CHARS`] and escaped, to echo in a message.
fn shown(value: &str) -> String {
    let mut out: String = value.chars().take(SHOWN_CHARS).collect::<String>();
    out = out.escape_debug().to_string();
    if value.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    out
}

impl Parameter {
    /// What the parameter takes, for messages and help: `an integer in 1..=100`,
    /// `exactly 32 characters`, `all, push`, the date forms.
    pub fn expected(&self) -> String {
        match self.kind {
            Kind::Integer { min, max, .. } => format!("an integer in {min}..={max}"),
            Kind::Text {
                min_length,
                max_length,
            } => match (min_length, max_length) {
                (Some(min), Some(max)) if min == max => format!("exactly {max} characters"),
                (Some(min), Some(max)) => format!("{min} to {max} characters"),
                (Some(min), None) => format!("at least {min} characters"),
                (None, Some(max)) => format!("non-empty text of at most {max} characters"),
                (None, None) => "non-empty text".to_string(),
            },
            Kind::Boolean => "true or false".to_string(),
            Kind::TimeBound => time_bound::FORMS.to_string(),
            Kind::Choice { values, .. } => values.join(", "),
        }
    }

    /// The documented range or values in a short form for help texts (`1..=100`,
    /// `all, push`), if the parameter has one.
    pub fn range(&self) -> Option<String> {
        match self.kind {
            Kind::Integer { min, max, .. } => Some(format!("{min}..={max}")),
            Kind::Text {
                min_length: Some(_),
                ..
            }
            | Kind::Text {
                max_length: Some(_),
                ..
            } => Some(self.expected()),
            Kind::Choice { values, .. } => Some(values.join(", ")),
            _ => None,
        }
    }

    /// The service's value when the parameter is left out, as text.
    pub fn default_text(&self) -> Option<String> {
        match self.kind {
            Kind::Integer { default, .. } => default.map(|d| d.to_string()),
            Kind::Choice { default, .. } => default.map(str::to_string),
            _ => None,
        }
    }

    /// Reads `text` as a value of this parameter and checks it: the one reader of
    /// parameter values, used by the command line's flags and the emulator's parsing.
    pub fn parse(&self, text: &str) -> Result<Value, ValueError> {
        let value = match self.kind {
            Kind::Integer { .. } => Value::Integer(
                text.parse()
                    .map_err(|_| ValueError::new(self, text, Problem::NotAnInteger))?,
            ),
            Kind::Text { .. } => Value::Text(text.to_string()),
            Kind::Boolean => match text {
                "true" => Value::Boolean(true),
                "false" => Value::Boolean(false),
                _ => return Err(ValueError::new(self, text, Problem::NotABoolean)),
            },
            Kind::TimeBound => Value::TimeBound(
                text.parse()
                    .map_err(|_| ValueError::new(self, text, Problem::NotADate))?,
            ),
            Kind::Choice { values, .. } => Value::Choice(
                values
                    .iter()
                    .find(|v| **v == text)
                    .copied()
                    .ok_or_else(|| ValueError::new(self, text, Problem::NotAChoice))?,
            ),
        };
        self.check(&value)?;
        Ok(value)
    }

    /// Checks a value against the documented range, length or values. Text must also be
    /// non-empty (leave the parameter out instead). Any character is allowed, NUL
    /// included: the documents restrict none, and the query carries each percent-encoded.
    pub fn check(&self, value: &Value) -> Result<(), ValueError> {
        match (self.kind, value) {
            (Kind::Integer { min, max, .. }, Value::Integer(v)) => {
                if (min..=max).contains(v) {
                    Ok(())
                } else {
                    Err(ValueError::new(
                        self,
                        &v.to_string(),
                        Problem::OutOfRange { min, max },
                    ))
                }
            }
            (
                Kind::Text {
                    min_length,
                    max_length,
                },
                Value::Text(text),
            ) => {
                if text.is_empty() {
                    return Err(ValueError::new(self, text, Problem::Empty));
                }
                let count = text.chars().count();
                if min_length.is_some_and(|min| count < min)
                    || max_length.is_some_and(|max| count > max)
                {
                    return Err(ValueError::new(self, text, Problem::Length(count)));
                }
                Ok(())
            }
            (Kind::Boolean, Value::Boolean(_)) | (Kind::TimeBound, Value::TimeBound(_)) => Ok(()),
            (Kind::Choice { values, .. }, Value::Choice(choice)) => {
                if values.contains(choice) {
                    Ok(())
                } else {
                    Err(ValueError::new(self, choice, Problem::NotAChoice))
                }
            }
            (_, other) => Err(ValueError::new(
                self,
                &format!("{other:?}"),
                Problem::WrongKind,
            )),
        }
    }
}

/// The parameter of `table` with this wire name.
pub fn find(table: &'static [Parameter], name: &str) -> Option<&'static Parameter> {
    table.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn parameter(name: &'static str, kind: Kind) -> Parameter {
        Parameter {
            name,
            setter: name,
            flag: name,
            location: Location::Query,
            required: false,
            kind,
            paging: None,
            requires: None,
            summary: "",
            description: "",
        }
    }

    const LIMIT: Parameter = parameter(
        "limit",
        Kind::Integer {
            min: 1,
            max: 100,
            default: Some(20),
        },
    );
    const PROJECT: Parameter = parameter(
        "project_id",
        Kind::Text {
            min_length: Some(32),
            max_length: Some(32),
        },
    );
    const FILTER: Parameter = parameter(
        "filter",
        Kind::Choice {
            values: &["all", "push"],
            default: Some("all"),
        },
    );

    #[test]
    fn integers_are_read_and_range_checked() {
        assert_eq!(LIMIT.parse("100"), Ok(Value::Integer(100)));
        assert_eq!(
            LIMIT.parse("101").unwrap_err().to_string(),
            "101 is outside 1..=100"
        );
        assert_eq!(
            LIMIT.parse("0").unwrap_err().expected,
            "an integer in 1..=100"
        );
        assert_eq!(
            LIMIT.parse("ten").unwrap_err().to_string(),
            "`ten` is not an integer"
        );
        assert_eq!(
            LIMIT.parse("99999999999999999999").unwrap_err().to_string(),
            "`99999999999999999999` is not an integer"
        );
    }

    #[test]
    fn text_lengths_and_choices_are_checked() {
        assert!(PROJECT.parse(&"a".repeat(32)).is_ok());
        assert_eq!(
            PROJECT.parse("abc").unwrap_err().to_string(),
            "3 characters, expected exactly 32 characters"
        );
        assert!(PROJECT.parse("").is_err());
        assert_eq!(FILTER.parse("push"), Ok(Value::Choice("push")));
        assert_eq!(
            FILTER.parse("merge").unwrap_err().to_string(),
            "`merge` is not one of all, push"
        );
        assert_eq!(
            LIMIT.check(&Value::Boolean(true)).unwrap_err().to_string(),
            "Boolean(true) is not an integer in 1..=100"
        );
    }

    #[test]
    fn long_values_are_cut_and_escaped_in_messages() {
        let error = FILTER
            .parse(&format!("\u{1b}[31m{}", "x".repeat(100)))
            .unwrap_err();
        assert!(error.value.starts_with("\\u{1b}[31m"), "{}", error.value);
        assert!(error.value.ends_with('…'));
        assert!(error.value.chars().count() < 80);
    }
}
