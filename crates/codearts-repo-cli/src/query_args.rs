//! The flags of an operation's query parameters, made from the spec's parameter table.
//!
//! Each query parameter the spec documents for an operation (paging ones aside, which
//! `--limit`, `--all`, `--offset` and `--page-size` cover) becomes a flag: named by its
//! `x-cli-flag` or its wire name with `-` for `_`, described by the spec, with the
//! documented range or values in its help, and read by the same parser the SDK and the
//! emulator use ([`Parameter::parse`]), so a bad value is a usage error naming the flag as
//! typed. A parameter added to the spec is a flag after `cargo xtask codegen`, with no
//! edit here.

use std::marker::PhantomData;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use codearts_repo::spec::{Kind, Location, Parameter, Value, ValueError};

/// An operation whose query parameters are flags.
pub(crate) trait Operation {
    /// The operation's parameter table, generated from the spec.
    const PARAMETERS: &'static [Parameter];
}

/// The query-parameter flags of operation `O`, and the values given.
pub(crate) struct QueryArgs<O> {
    /// Each flag given, by the parameter's wire name, with its value.
    pub(crate) values: Vec<(&'static str, Value)>,
    operation: PhantomData<O>,
}

impl<O> std::fmt::Debug for QueryArgs<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryArgs")
            .field("values", &self.values)
            .finish()
    }
}

impl<O> QueryArgs<O> {
    /// Sets every value given through `set` (an operation's `Params::set`).
    pub(crate) fn apply(
        &self,
        mut set: impl FnMut(&str, Value) -> Result<bool, ValueError>,
    ) -> Result<(), ValueError> {
        for (name, value) in &self.values {
            set(name, value.clone())?;
        }
        Ok(())
    }
}

/// The parameters of `table` that are flags: the query ones that are not for paging.
fn flag_parameters(table: &'static [Parameter]) -> impl Iterator<Item = &'static Parameter> {
    table
        .iter()
        .filter(|p| p.location == Location::Query && p.paging.is_none())
}

/// Spec text as a terminal shows it: on one line per paragraph, without Markdown's
/// backticks.
fn plain(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
        .replace('`', "")
}

/// The short help: the description's first sentence and the documented range.
fn help(parameter: &Parameter) -> String {
    let summary = plain(parameter.summary);
    let summary = summary.trim_end_matches('.');
    match parameter.kind {
        Kind::Integer { min, max, default } => {
            let default = default
                .map(|d| format!(" [default: the service's, {d}]"))
                .unwrap_or_default();
            format!("{summary} (the API allows {min} to {max}){default}")
        }
        Kind::Text {
            min_length: Some(_),
            ..
        }
        | Kind::Text {
            max_length: Some(_),
            ..
        } => format!("{summary} ({})", parameter.expected()),
        Kind::TimeBound => format!("{summary}: YYYY-MM-DD or RFC 3339"),
        _ => summary.to_string(),
    }
}

/// The long help: the whole description, the range and the default.
fn long_help(parameter: &Parameter) -> String {
    let mut text = plain(parameter.description);
    if let Some(range) = parameter.range() {
        text.push_str(&format!("\n\nThe API allows {range}."));
    }
    if let Kind::TimeBound = parameter.kind {
        text.push_str("\n\nA date is sent as typed, a date-time in UTC.");
    }
    if let Some(default) = parameter.default_text() {
        text.push_str(&format!(
            "\n\n[default: the service's, {default}; not sent unless given]"
        ));
    }
    text
}

/// The flag of one parameter.
fn arg(parameter: &'static Parameter) -> Arg {
    let mut arg = Arg::new(parameter.name)
        .long(parameter.flag)
        .help(help(parameter))
        .long_help(long_help(parameter));
    let read = move |text: &str| parameter.parse(text);
    arg = match parameter.kind {
        Kind::Boolean => arg.action(ArgAction::SetTrue),
        Kind::Choice { values, .. } => arg
            .value_name(parameter.flag.to_uppercase().replace('-', "_"))
            .value_parser(PossibleValuesParser::new(values).try_map(move |t| read(&t))),
        Kind::Integer { .. } => arg
            .value_name("N")
            .allow_negative_numbers(true)
            .value_parser(read),
        Kind::TimeBound => arg.value_name("DATE").value_parser(read),
        Kind::Text { .. } => arg
            .value_name(parameter.flag.to_uppercase().replace('-', "_"))
            .value_parser(read),
    };
    if let Some(required) = parameter.requires {
        arg = arg.requires(required);
    }
    if parameter.required {
        arg = arg.required(true);
    }
    arg
}

impl<O: Operation> Args for QueryArgs<O> {
    fn augment_args(mut command: Command) -> Command {
        for parameter in flag_parameters(O::PARAMETERS) {
            command = command.arg(arg(parameter));
        }
        command
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl<O: Operation> FromArgMatches for QueryArgs<O> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut values = Vec::new();
        for parameter in flag_parameters(O::PARAMETERS) {
            let value = match parameter.kind {
                Kind::Boolean => matches
                    .get_flag(parameter.name)
                    .then_some(Value::Boolean(true)),
                _ => matches.get_one::<Value>(parameter.name).cloned(),
            };
            if let Some(value) = value {
                values.push((parameter.name, value));
            }
        }
        Ok(Self {
            values,
            operation: PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// Declares the operations whose query parameters are flags.
macro_rules! operations {
    ($($(#[$doc:meta])* $name:ident => $module:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub(crate) struct $name;

            impl Operation for $name {
                const PARAMETERS: &'static [Parameter] =
                    codearts_repo::spec::operations::$module::PARAMETERS;
            }
        )*
    };
}

operations! {
    /// `events`.
    ListRepositoryEvents => list_repository_events;
    /// `commits`.
    ListCommits => list_commits;
    /// `recent-pushes`.
    ListRecentPushEvents => list_personal_recent_push_events;
}
