//! Each operation's documented parameters, generated from the spec as data and as code.
//!
//! For every operation, `generate` writes a module `operations::<operation>` with:
//! - `PARAMETERS`, the table of its parameters (name, setter and flag names, location,
//!   kind with range, length, default or values, paging role, description), which the
//!   command line turns into flags and the emulator parses requests with;
//! - `Params`, its query parameters as typed fields, with `validate()` (the documented
//!   checks), `set()` (from a value read from text) and `apply()` (onto a request of the
//!   wire-level client);
//! - a macro `<operation>_setters!()` that expands to the SDK's setters, one per query
//!   parameter that is not a paging one, documented from the spec.
//!
//! The spec's extensions on a parameter: `x-sdk-name` (the setter's name when it differs
//! from the wire name), `x-cli-flag` (the flag's name), `x-paging` (`offset` or `limit`:
//! the SDK's walks set it), `x-requires` (another parameter the command line wants with
//! it). A string with `format: date-or-date-time` is a time bound.

use std::fmt::Write as _;

use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type,
    VariantOrUnknownOrEmpty,
};

/// The `format` of a string parameter that takes a date or a date-time.
pub const TIME_BOUND_FORMAT: &str = "date-or-date-time";

/// One parameter as the generator reads it.
struct Param {
    name: String,
    setter: String,
    flag: String,
    in_path: bool,
    required: bool,
    kind: ParamKind,
    paging: Option<&'static str>,
    requires: Option<String>,
    description: String,
}

enum ParamKind {
    Integer {
        min: i64,
        max: i64,
        default: Option<i64>,
        rust: &'static str,
    },
    Text {
        min_length: Option<usize>,
        max_length: Option<usize>,
    },
    Boolean,
    TimeBound,
    Choice {
        values: Vec<String>,
        default: Option<String>,
        rust: String,
    },
}

/// Rust keywords a parameter name could collide with; progenitor appends `_` to them.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while",
];

fn ident(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// `ListCommits` → `list_commits`.
fn snake(pascal: &str) -> String {
    let mut out = String::new();
    for (i, c) in pascal.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `project_id` → `ProjectId`.
fn pascal(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The first sentence of a description, on one line.
fn summary(description: &str) -> String {
    let flat = description.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    }
}

fn resolve_parameter<'a>(
    spec: &'a OpenAPI,
    parameter: &'a ReferenceOr<Parameter>,
) -> Result<&'a Parameter, String> {
    match parameter {
        ReferenceOr::Item(parameter) => Ok(parameter),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/parameters/")
            .and_then(|name| spec.components.as_ref()?.parameters.get(name))
            .and_then(ReferenceOr::as_item)
            .ok_or_else(|| format!("parameter reference {reference} points to nothing")),
    }
}

fn extension<'a>(parameter: &'a Parameter, key: &str) -> Option<&'a serde_json::Value> {
    parameter.parameter_data_ref().extensions.get(key)
}

fn extension_text(
    parameter: &Parameter,
    key: &str,
    operation: &str,
) -> Result<Option<String>, String> {
    match extension(parameter, key) {
        None => Ok(None),
        Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(format!(
            "operation {operation}, parameter `{}`: `{key}` must be a string, not {other}",
            parameter.parameter_data_ref().name
        )),
    }
}

fn read_param(spec: &OpenAPI, operation: &str, parameter: &Parameter) -> Result<Param, String> {
    let data = parameter.parameter_data_ref();
    let name = data.name.clone();
    let at = |problem: String| format!("operation {operation}, parameter `{name}`: {problem}");
    let in_path = match parameter {
        Parameter::Path { .. } => true,
        Parameter::Query { .. } => false,
        _ => return Err(at("only path and query parameters are supported".into())),
    };
    let schema_ref = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => schema,
        ParameterSchemaOrContent::Content(_) => {
            return Err(at("give the parameter a `schema`, not `content`".into()));
        }
    };
    let (schema, named): (&Schema, Option<String>) = match schema_ref {
        ReferenceOr::Item(schema) => (schema, None),
        ReferenceOr::Reference { reference } => {
            let schema_name = reference
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| at(format!("unsupported schema reference {reference}")))?;
            let schema = spec
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(schema_name))
                .and_then(ReferenceOr::as_item)
                .ok_or_else(|| at(format!("schema reference {reference} points to nothing")))?;
            (schema, Some(schema_name.to_string()))
        }
    };
    let kind = match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(integer)) => {
            let int32 = matches!(
                &integer.format,
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32)
            );
            let (lowest, highest) = if int32 {
                (i64::from(i32::MIN), i64::from(i32::MAX))
            } else {
                (i64::MIN, i64::MAX)
            };
            let min = integer.minimum.unwrap_or(lowest);
            let max = integer.maximum.unwrap_or(highest);
            if integer.exclusive_minimum || integer.exclusive_maximum {
                return Err(at("write inclusive `minimum`/`maximum` bounds".into()));
            }
            if min > max {
                return Err(at(format!("minimum {min} is above maximum {max}")));
            }
            let rust = match (
                min >= 0,
                max <= i64::from(u32::MAX),
                max <= i64::from(i32::MAX),
            ) {
                (true, true, _) => "u32",
                (true, false, _) => "u64",
                (false, _, true) if min >= i64::from(i32::MIN) => "i32",
                _ => "i64",
            };
            ParamKind::Integer {
                min,
                max,
                default: schema.schema_data.default.as_ref().and_then(|d| d.as_i64()),
                rust,
            }
        }
        SchemaKind::Type(Type::Boolean(_)) => ParamKind::Boolean,
        SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
            let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
            let type_name = named
                .clone()
                .unwrap_or_else(|| format!("{operation}{}", pascal(&name)));
            ParamKind::Choice {
                values,
                default: schema
                    .schema_data
                    .default
                    .as_ref()
                    .and_then(|d| d.as_str())
                    .map(str::to_string),
                rust: format!("types::{type_name}"),
            }
        }
        SchemaKind::Type(Type::String(string)) => match &string.format {
            VariantOrUnknownOrEmpty::Unknown(format) if format == TIME_BOUND_FORMAT => {
                ParamKind::TimeBound
            }
            VariantOrUnknownOrEmpty::Empty => ParamKind::Text {
                min_length: string.min_length,
                max_length: string.max_length,
            },
            other => {
                return Err(at(format!(
                    "string format {other:?} is not supported for parameters (use none, or \
                     `{TIME_BOUND_FORMAT}`)"
                )));
            }
        },
        _ => {
            return Err(at(
                "only integer, boolean, string and string-enum parameters are supported".into(),
            ));
        }
    };
    let paging = match extension_text(parameter, "x-paging", operation)?.as_deref() {
        None => None,
        Some("offset") => Some("Offset"),
        Some("limit") => Some("Limit"),
        Some(other) => return Err(at(format!("`x-paging: {other}` is not offset or limit"))),
    };
    if paging.is_some() && !matches!(kind, ParamKind::Integer { .. }) {
        return Err(at("a paging parameter must be an integer".into()));
    }
    let setter =
        extension_text(parameter, "x-sdk-name", operation)?.unwrap_or_else(|| name.clone());
    let flag = extension_text(parameter, "x-cli-flag", operation)?
        .unwrap_or_else(|| name.replace('_', "-"));
    for (what, text) in [("x-sdk-name", &setter), ("x-cli-flag", &flag)] {
        let valid = text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && text.starts_with(|c: char| c.is_ascii_lowercase());
        if !valid || (what == "x-sdk-name" && text.contains('-')) {
            return Err(at(format!("`{what}: {text}` is not a valid name")));
        }
    }
    Ok(Param {
        setter,
        flag,
        in_path,
        required: data.required,
        kind,
        paging,
        requires: extension_text(parameter, "x-requires", operation)?,
        description: data.description.clone().unwrap_or_default(),
        name,
    })
}

/// The `operations` module for every operation of the spec.
pub(crate) fn operations_module(spec: &OpenAPI) -> Result<String, String> {
    let mut out = String::from(
        "/// Every operation's documented parameters, from the spec: a table, the query\n\
         /// parameters as a struct with their checks, and the SDK's setters.\n\
         pub mod operations {\n",
    );
    let mut macros = String::new();
    for (path, item) in spec.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, operation) in item.iter() {
            let id = operation.operation_id.as_deref().ok_or_else(|| {
                format!(
                    "operation {} {path} has no operationId",
                    method.to_uppercase()
                )
            })?;
            let mut params = Vec::new();
            for parameter in &operation.parameters {
                params.push(read_param(spec, id, resolve_parameter(spec, parameter)?)?);
            }
            for p in &params {
                if let Some(required) = &p.requires
                    && !params.iter().any(|q| &q.name == required)
                {
                    return Err(format!(
                        "operation {id}, parameter `{}`: `x-requires: {required}` names no \
                         parameter of the operation",
                        p.name
                    ));
                }
                for q in &params {
                    if !std::ptr::eq(p, q) && (p.setter == q.setter || p.flag == q.flag) {
                        return Err(format!(
                            "operation {id}: parameters `{}` and `{}` share a setter or flag name",
                            p.name, q.name
                        ));
                    }
                }
            }
            let summary_line = operation.summary.clone().unwrap_or_default();
            operation_module(&mut out, id, &summary_line, method, path, &params);
            setters_macro(&mut macros, id, &params);
        }
    }
    out.push_str("}\n\n");
    out.push_str(&macros);
    Ok(out)
}

fn rust_str(text: &str) -> String {
    format!("{text:?}")
}

fn field_type(kind: &ParamKind) -> String {
    match kind {
        ParamKind::Integer { rust, .. } => rust.to_string(),
        ParamKind::Text { .. } => "::std::string::String".into(),
        ParamKind::Boolean => "bool".into(),
        ParamKind::TimeBound => "::codearts_repo_runtime::time_bound::TimeBound".into(),
        ParamKind::Choice { rust, .. } => format!("crate::{rust}"),
    }
}

fn range_note(p: &Param) -> Option<String> {
    match &p.kind {
        ParamKind::Integer {
            min, max, default, ..
        } => Some(match default {
            Some(d) => format!("`{min}..={max}`; the service's default is `{d}`"),
            None => format!("`{min}..={max}`"),
        }),
        ParamKind::Text {
            min_length: Some(min),
            max_length: Some(max),
        } if min == max => Some(format!("exactly {max} characters")),
        ParamKind::Text {
            min_length,
            max_length,
        } if min_length.is_some() || max_length.is_some() => Some(format!(
            "{} to {} characters",
            min_length.unwrap_or(1),
            max_length.map_or("any number of".to_string(), |m| m.to_string())
        )),
        ParamKind::TimeBound => Some(
            "a date (`2025-06-01`, sent as written) or an instant (sent as RFC 3339 UTC)".into(),
        ),
        ParamKind::Choice {
            values, default, ..
        } => Some(match default {
            Some(d) => format!(
                "one of `{}`; the service's default is `{d}`",
                values.join("`, `")
            ),
            None => format!("one of `{}`", values.join("`, `")),
        }),
        _ => None,
    }
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.trim_end().lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {}", line.trim_end());
        }
    }
}

fn operation_module(
    out: &mut String,
    id: &str,
    summary_line: &str,
    method: &str,
    path: &str,
    params: &[Param],
) {
    let module = snake(id);
    let _ = writeln!(
        out,
        "    /// `{id}` (`{} {path}`): {summary_line}.",
        method.to_uppercase()
    );
    let _ = writeln!(out, "    pub mod {module} {{");
    out.push_str(
        "        use ::codearts_repo_runtime::params::{Kind, Location, Paging, Parameter, Value, ValueError};\n\n",
    );
    out.push_str(
        "        /// The operation's parameters as the spec documents them, in its order.\n",
    );
    out.push_str("        pub const PARAMETERS: &[Parameter] = &[\n");
    for p in params {
        let kind = match &p.kind {
            ParamKind::Integer {
                min, max, default, ..
            } => format!("Kind::Integer {{ min: {min}, max: {max}, default: {default:?} }}"),
            ParamKind::Text {
                min_length,
                max_length,
            } => format!("Kind::Text {{ min_length: {min_length:?}, max_length: {max_length:?} }}"),
            ParamKind::Boolean => "Kind::Boolean".into(),
            ParamKind::TimeBound => "Kind::TimeBound".into(),
            ParamKind::Choice {
                values, default, ..
            } => format!(
                "Kind::Choice {{ values: &[{}], default: {} }}",
                values
                    .iter()
                    .map(|v| rust_str(v))
                    .collect::<Vec<_>>()
                    .join(", "),
                default
                    .as_ref()
                    .map_or("None".to_string(), |d| format!("Some({})", rust_str(d)))
            ),
        };
        let _ = writeln!(
            out,
            "            Parameter {{ name: {}, setter: {}, flag: {}, location: Location::{}, \
             required: {}, kind: {kind}, paging: {}, requires: {}, summary: {}, description: {} }},",
            rust_str(&p.name),
            rust_str(&p.setter),
            rust_str(&p.flag),
            if p.in_path { "Path" } else { "Query" },
            p.required,
            p.paging
                .map_or("None".into(), |role| format!("Some(Paging::{role})")),
            p.requires
                .as_ref()
                .map_or("None".into(), |r| format!("Some({})", rust_str(r))),
            rust_str(&summary(&p.description)),
            rust_str(p.description.trim_end()),
        );
    }
    out.push_str("        ];\n\n");

    let query: Vec<(usize, &Param)> = params
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.in_path)
        .collect();
    out.push_str(
        "        /// The operation's query parameters, each `None` until set; fields are named\n\
         \x20       /// as the SDK's setters.\n",
    );
    out.push_str("        #[derive(Clone, Debug, Default, PartialEq)]\n");
    out.push_str("        pub struct Params {\n");
    for (_, p) in &query {
        let _ = writeln!(
            out,
            "            /// `{}`: {}",
            p.name,
            summary(&p.description)
        );
        let _ = writeln!(
            out,
            "            pub {}: ::std::option::Option<{}>,",
            ident(&p.setter),
            field_type(&p.kind)
        );
    }
    out.push_str("        }\n\n");

    out.push_str("        impl Params {\n");
    // validate
    out.push_str(
        "            /// Checks every value set against the spec's range or length; the error\n\
         \x20           /// names the first parameter that fails.\n\
         \x20           pub fn validate(&self) -> ::std::result::Result<(), ValueError> {\n",
    );
    for (index, p) in &query {
        let field = ident(&p.setter);
        let value = match &p.kind {
            ParamKind::Integer { .. } => "Value::Integer(::std::primitive::i64::from(*value))",
            ParamKind::Text { .. } => "Value::Text(value.clone())",
            _ => continue,
        };
        let _ = writeln!(
            out,
            "                if let ::std::option::Option::Some(value) = &self.{field} {{\n\
             \x20                   PARAMETERS[{index}].check(&{value})?;\n\
             \x20               }}"
        );
    }
    out.push_str("                ::std::result::Result::Ok(())\n            }\n\n");
    // set
    out.push_str(
        "            /// Sets the query parameter with this wire name from a value read by\n\
         \x20           /// [`Parameter::parse`]; `Ok(false)` when the operation has no such query\n\
         \x20           /// parameter.\n\
         \x20           #[allow(unused_variables)]
         \x20           pub fn set(&mut self, name: &str, value: Value) -> ::std::result::Result<bool, ValueError> {\n\
         \x20               match name {\n",
    );
    for (index, p) in &query {
        let field = ident(&p.setter);
        let assign = match &p.kind {
            ParamKind::Integer { .. } => format!(
                "if let Value::Integer(v) = value {{ self.{field} = ::std::convert::TryFrom::try_from(v).ok(); }}"
            ),
            ParamKind::Text { .. } => {
                format!(
                    "if let Value::Text(v) = value {{ self.{field} = ::std::option::Option::Some(v); }}"
                )
            }
            ParamKind::Boolean => {
                format!(
                    "if let Value::Boolean(v) = value {{ self.{field} = ::std::option::Option::Some(v); }}"
                )
            }
            ParamKind::TimeBound => format!(
                "if let Value::TimeBound(v) = value {{ self.{field} = ::std::option::Option::Some(v); }}"
            ),
            ParamKind::Choice { .. } => {
                format!("if let Value::Choice(v) = value {{ self.{field} = v.parse().ok(); }}")
            }
        };
        let _ = writeln!(
            out,
            "                    {} => {{\n\
             \x20                       PARAMETERS[{index}].check(&value)?;\n\
             \x20                       {assign}\n\
             \x20                       ::std::result::Result::Ok(true)\n\
             \x20                   }}",
            rust_str(&p.name)
        );
    }
    out.push_str("                    _ => ::std::result::Result::Ok(false),\n                }\n            }\n\n");
    // apply
    let _ = writeln!(
        out,
        "            /// Adds every value set to a request of the wire-level client.\n\
         \x20           pub fn apply<'a>(&self, request: crate::builder::{id}<'a>) -> crate::builder::{id}<'a> {{"
    );
    out.push_str(
        "                #[allow(unused_mut)]\n                let mut request = request;\n",
    );
    for (_, p) in &query {
        let field = ident(&p.setter);
        let wire = ident(&p.name);
        let value = match &p.kind {
            ParamKind::Integer { .. } | ParamKind::Boolean => "*value".to_string(),
            ParamKind::Text { .. } | ParamKind::Choice { .. } => "value.clone()".to_string(),
            ParamKind::TimeBound => "value.to_wire()".to_string(),
        };
        let _ = writeln!(
            out,
            "                if let ::std::option::Option::Some(value) = &self.{field} {{\n\
             \x20                   request = request.{wire}({value});\n\
             \x20               }}"
        );
    }
    out.push_str("                request\n            }\n        }\n    }\n\n");
}

fn setters_macro(out: &mut String, id: &str, params: &[Param]) {
    let module = snake(id);
    let _ = writeln!(
        out,
        "/// The SDK's setters of `{id}`'s query parameters (paging ones aside), documented from\n\
         /// the spec; expands inside the `impl` of a builder whose `params` field holds an\n\
         /// [`operations::{module}::Params`].\n\
         #[macro_export]\n\
         macro_rules! {module}_setters {{\n    () => {{"
    );
    for p in params.iter().filter(|p| !p.in_path && p.paging.is_none()) {
        let field = ident(&p.setter);
        doc_lines(out, "        ", &p.description);
        if let Some(note) = range_note(p) {
            let _ = writeln!(out, "        ///\n        /// Takes {note}.");
        }
        if p.setter != p.name {
            let _ = writeln!(
                out,
                "        ///\n        /// Sent as the `{}` parameter.",
                p.name
            );
        }
        let (argument, stored) = match &p.kind {
            ParamKind::Integer { rust, .. } => (rust.to_string(), "value".to_string()),
            ParamKind::Text { .. } => (
                "impl ::std::convert::Into<::std::string::String>".into(),
                "value.into()".into(),
            ),
            ParamKind::Boolean => ("bool".into(), "value".into()),
            ParamKind::TimeBound => (
                "impl ::std::convert::Into<::codearts_repo_runtime::time_bound::TimeBound>".into(),
                "value.into()".into(),
            ),
            ParamKind::Choice { rust, .. } => (format!("$crate::{rust}"), "value".into()),
        };
        let _ = writeln!(
            out,
            "        pub fn {field}(mut self, value: {argument}) -> Self {{\n\
             \x20           self.params.{field} = ::std::option::Option::Some({stored});\n\
             \x20           self\n\
             \x20       }}\n"
        );
    }
    out.push_str("    };\n}\n\n");
}
