//! Generation of the wire-level client from `openapi/codearts-repo.yaml`.
//!
//! This crate is the one place that holds the generation settings. The build script of
//! `codearts-repo-gen`, the snapshot tests and `cargo xtask` all call [`generate`], so a
//! snapshot can never show other code than what compiles.
//!
//! Before progenitor sees the spec, [`load_spec`] checks what would otherwise surface as
//! a panic deep inside the generator (a YAML error, an OpenAPI version progenitor does not
//! accept, an operation without `operationId`, a `$ref` to nowhere, mixed body types), and
//! reports it as one [`CodegenError`] naming the spec file and the problem.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use openapiv3::{OpenAPI, ReferenceOr};
mod operations;

pub use operations::TIME_BOUND_FORMAT;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

/// Path of the spec, relative to the workspace root: the one file people edit.
pub const SPEC_PATH: &str = "openapi/codearts-repo.yaml";

/// Path of the copy of the spec that `codearts-repo-gen` packages and builds from,
/// relative to the workspace root. `cargo xtask codegen` writes it; `cargo xtask check`
/// fails when it differs from [`SPEC_PATH`].
pub const PACKAGED_SPEC_COPY_PATH: &str = "crates/codearts-repo-gen/openapi/codearts-repo.yaml";

/// The same copy relative to the `codearts-repo-gen` package, as its build script reads it.
pub const PACKAGED_SPEC_PATH: &str = "openapi/codearts-repo.yaml";

/// Path of the bundled JSON form of the spec, relative to the workspace root.
pub const SPEC_JSON_PATH: &str = "openapi/codearts-repo.json";

/// Named schemas of the spec that are replaced by hand-written, tolerant types of
/// `codearts-repo-runtime` instead of being generated: timestamps that keep what they
/// cannot parse, and response enums that keep values the documents do not list.
pub const REPLACED_SCHEMAS: &[(&str, &str)] = &[
    ("Timestamp", "::codearts_repo_runtime::lenient::Timestamp"),
    (
        "PushEventActionName",
        "::codearts_repo_runtime::lenient::PushEventActionName",
    ),
    ("UserState", "::codearts_repo_runtime::lenient::UserState"),
    (
        "DevelopMode",
        "::codearts_repo_runtime::lenient::DevelopMode",
    ),
];

/// Type that the generated `Client` carries for its hooks (credentials, retries,
/// timeouts, tracing), defined by hand in `codearts-repo-runtime`.
pub const CLIENT_INNER_TYPE: &str = "::codearts_repo_runtime::ClientState";

/// Why a spec could not be turned into code.
#[derive(Debug)]
pub struct CodegenError {
    /// The spec file concerned.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", tidy(&self.path).display(), self.problem)
    }
}

/// `path` with `.` and `dir/..` steps taken out, so that messages name the spec the way
/// a reader would.
fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl std::error::Error for CodegenError {}

/// The output of [`generate`].
#[derive(Debug, Clone)]
pub struct Generated {
    /// Formatted Rust source of the wire-level client, its types and the region table.
    pub source: String,
}

/// The progenitor settings used for every generation.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(
            CLIENT_INNER_TYPE
                .parse()
                .expect("inner type is a valid path"),
        )
        .with_derive("PartialEq");
    for (schema, replacement) in REPLACED_SCHEMAS {
        settings.with_replacement(schema, replacement, std::iter::empty());
    }
    settings
}

/// Reads, parses and checks the spec at `path`.
pub fn load_spec(path: &Path) -> Result<OpenAPI, CodegenError> {
    let fail = |problem: String| CodegenError {
        path: path.to_path_buf(),
        problem,
    };
    let json = spec_document(path)?;
    check_document(&json).map_err(fail)?;
    let spec: OpenAPI = serde_json::from_value(json)
        .map_err(|e| fail(format!("not a valid OpenAPI 3.0 document: {e}")))?;
    check_operations(&spec).map_err(fail)?;
    Ok(spec)
}

/// The spec at `path` as pretty-printed JSON, the bundled form other languages consume.
///
/// The JSON holds exactly what the YAML holds, in the YAML's order: it is written from the
/// YAML document itself (after [`load_spec`] has checked it), not from the parsed
/// `openapiv3` model, which would add defaults (`style`), drop others (`required: false`)
/// and write absent descriptions as `null`.
pub fn spec_json(path: &Path) -> Result<String, CodegenError> {
    load_spec(path)?;
    let value = read_yaml(path)?;
    let mut json = serde_json::to_string_pretty(&value).map_err(|e| CodegenError {
        path: path.to_path_buf(),
        problem: format!("cannot be represented as JSON: {e}"),
    })?;
    json.push('\n');
    Ok(json)
}

/// The YAML document at `path` as JSON, in the YAML's key order (no OpenAPI checks).
pub fn spec_document(path: &Path) -> Result<serde_json::Value, CodegenError> {
    let value = read_yaml(path)?;
    serde_json::to_value(&value).map_err(|e| CodegenError {
        path: path.to_path_buf(),
        problem: format!("cannot be represented as JSON: {e}"),
    })
}

/// The root of the workspace that holds `start`: the nearest directory, `start` or above,
/// whose `Cargo.toml` declares `[workspace]` and which holds [`SPEC_PATH`].
///
/// Tools find the workspace they are run in this way at run time, never through a path
/// fixed at compile time (which, with a shared `CARGO_TARGET_DIR`, can name another
/// checkout).
pub fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        let declares_workspace = manifest.lines().any(|line| line.trim() == "[workspace]");
        (declares_workspace && dir.join(SPEC_PATH).is_file()).then(|| dir.to_path_buf())
    })
}

/// Reads the spec at `path` as a YAML document, keeping its key order.
fn read_yaml(path: &Path) -> Result<serde_norway::Value, CodegenError> {
    let fail = |problem: String| CodegenError {
        path: path.to_path_buf(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    serde_norway::from_str(&text).map_err(|e| fail(format!("not valid YAML: {e}")))
}

/// Generates the formatted wire-level client for the spec at `path`.
pub fn generate(path: &Path) -> Result<Generated, CodegenError> {
    let spec = load_spec(path)?;
    let fail = |problem: String| CodegenError {
        path: path.to_path_buf(),
        problem,
    };
    let tokens = run_progenitor(&spec).map_err(fail)?;
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| fail(format!("progenitor produced code that does not parse: {e}")))?;
    let mut source = prettyplease::unparse(&file);
    source.push('\n');
    source.push_str(&region_table(&spec).map_err(fail)?);
    source.push('\n');
    source.push_str(&parameter_facts(&spec).map_err(fail)?);
    source.push('\n');
    let operations = operations::operations_module(&spec).map_err(fail)?;
    let operations: syn::File = syn::parse_str(&operations)
        .map_err(|e| fail(format!("the generated parameter code does not parse: {e}")))?;
    source.push_str(&prettyplease::unparse(&operations));
    Ok(Generated { source })
}

/// Runs progenitor, turning a panic inside it into an error message.
fn run_progenitor(spec: &OpenAPI) -> Result<proc_macro2::TokenStream, String> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| Generator::new(&settings()).generate_tokens(spec));
    std::panic::set_hook(previous_hook);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor rejected the spec: {e}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".to_string());
            Err(format!("progenitor failed on the spec: {message}"))
        }
    }
}

/// Structural checks on the raw document that progenitor would answer with a panic or an
/// obscure error.
fn check_document(doc: &serde_json::Value) -> Result<(), String> {
    let version = doc
        .get("openapi")
        .and_then(|v| v.as_str())
        .ok_or("no `openapi` version field: the spec must declare `openapi: 3.0.3`")?;
    if !version.starts_with("3.0.") {
        return Err(format!(
            "OpenAPI version {version} is not supported: progenitor accepts 3.0.x only (use `openapi: 3.0.3`)"
        ));
    }
    let mut dangling = BTreeSet::new();
    collect_dangling_refs(doc, doc, &mut dangling);
    if let Some(reference) = dangling.into_iter().next() {
        return Err(format!("`$ref: {reference}` points to nothing in the spec"));
    }
    Ok(())
}

fn collect_dangling_refs(
    root: &serde_json::Value,
    node: &serde_json::Value,
    out: &mut BTreeSet<String>,
) {
    match node {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    if let Some(reference) = value.as_str()
                        && resolve_pointer(root, reference).is_none()
                    {
                        out.insert(reference.to_string());
                    }
                } else {
                    collect_dangling_refs(root, value, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                collect_dangling_refs(root, item, out);
            }
        }
        _ => {}
    }
}

fn resolve_pointer<'a>(
    root: &'a serde_json::Value,
    reference: &str,
) -> Option<&'a serde_json::Value> {
    reference
        .strip_prefix('#')
        .and_then(|pointer| root.pointer(pointer))
}

/// Checks that progenitor's per-operation rules hold: an `operationId` on every operation,
/// unique, and one body type for all success responses and one for all error responses.
fn check_operations(spec: &OpenAPI) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (path, item) in spec.paths.iter() {
        let item = item
            .as_item()
            .ok_or_else(|| format!("path `{path}` is a `$ref`; define its operations inline"))?;
        for (method, operation) in item.iter() {
            let where_ = format!("{} {path}", method.to_uppercase());
            let id = operation
                .operation_id
                .as_deref()
                .ok_or_else(|| format!("operation {where_} has no operationId"))?;
            if !seen.insert(id.to_string()) {
                return Err(format!(
                    "operationId {id} is used twice (again at {where_})"
                ));
            }
            let mut bodies: BTreeMap<bool, BTreeMap<String, String>> = BTreeMap::new();
            for (status, response) in operation.responses.responses.iter() {
                let is_success = status.to_string().starts_with('2');
                let body = response_body_type(spec, response)
                    .map_err(|e| format!("operation {id}, response {status}: {e}"))?;
                bodies
                    .entry(is_success)
                    .or_default()
                    .insert(status.to_string(), body);
            }
            if let Some(default) = &operation.responses.default {
                let body = response_body_type(spec, default)
                    .map_err(|e| format!("operation {id}, default response: {e}"))?;
                bodies
                    .entry(false)
                    .or_default()
                    .insert("default".into(), body);
            }
            for (is_success, by_status) in &bodies {
                let distinct: BTreeSet<&String> = by_status.values().collect();
                if distinct.len() > 1 {
                    let kind = if *is_success { "success" } else { "error" };
                    let listing = by_status
                        .iter()
                        .map(|(status, body)| format!("{status} -> {body}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(format!(
                        "operation {id} has {kind} responses with different body types ({listing}); \
                         progenitor needs one body type for all {kind} responses of an operation"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A comparable description of a response's body type.
fn response_body_type(
    spec: &OpenAPI,
    response: &ReferenceOr<openapiv3::Response>,
) -> Result<String, String> {
    let response = match response {
        ReferenceOr::Item(response) => response,
        ReferenceOr::Reference { reference } => {
            let name = reference
                .strip_prefix("#/components/responses/")
                .ok_or_else(|| format!("unsupported response reference {reference}"))?;
            spec.components
                .as_ref()
                .and_then(|c| c.responses.get(name))
                .and_then(|r| r.as_item())
                .ok_or_else(|| format!("response reference {reference} points to nothing"))?
        }
    };
    Ok(match response.content.get("application/json") {
        None if response.content.is_empty() => "no body".to_string(),
        None => format!(
            "non-JSON body ({})",
            response
                .content
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(media) => match &media.schema {
            None => "JSON without schema".to_string(),
            Some(ReferenceOr::Reference { reference }) => reference.clone(),
            Some(ReferenceOr::Item(schema)) => {
                serde_json::to_string(schema).map_err(|e| e.to_string())?
            }
        },
    })
}

/// The regional endpoint table, generated from the spec's `servers`.
fn region_table(spec: &OpenAPI) -> Result<String, String> {
    let mut rows = Vec::new();
    let mut default_region = None;
    for server in &spec.servers {
        let variable = server
            .variables
            .as_ref()
            .and_then(|v| v.get("region"))
            .ok_or_else(|| format!("server {} has no `region` variable", server.url))?;
        if default_region.is_none() {
            default_region = Some(variable.default.clone());
        }
        for region in &variable.enumeration {
            rows.push((region.clone(), server.url.replace("{region}", region)));
        }
    }
    let default_region = default_region.ok_or("the spec lists no servers")?;
    let mut out = String::new();
    out.push_str("/// Every region the service is offered in, with its endpoint, from the spec's `servers`.\n");
    out.push_str("pub const REGION_ENDPOINTS: &[(&str, &str)] = &[\n");
    for (region, url) in &rows {
        out.push_str(&format!("    ({region:?}, {url:?}),\n"));
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// The region used when none is given: the default of the spec's first server.\n",
    );
    out.push_str(&format!(
        "pub const DEFAULT_REGION: &str = {default_region:?};\n"
    ));
    Ok(out)
}

/// One documented fact of a parameter: constant name, Rust type, value.
type Fact = (&'static str, String, String);

/// The documented facts of every parameter (range, default, length), from the spec, as
/// `parameters::<name>::{MIN, MAX, DEFAULT, MIN_LENGTH, MAX_LENGTH}` constants: the SDK's
/// checks, the command line's help and the emulator's parsing all read them, so a range
/// or default is stated once, in the spec.
///
/// A parameter name used by several operations must have the same facts in each.
fn parameter_facts(spec: &OpenAPI) -> Result<String, String> {
    use openapiv3::{SchemaKind, Type};
    // Per parameter name: the operation that first stated its facts, and the facts.
    let mut facts: BTreeMap<String, (String, Vec<Fact>)> = BTreeMap::new();
    for (path, item) in spec.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, operation) in item.iter() {
            let id = operation.operation_id.as_deref().unwrap_or(path);
            for parameter in &operation.parameters {
                let parameter = match parameter {
                    ReferenceOr::Item(parameter) => parameter,
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/parameters/")
                        .and_then(|name| spec.components.as_ref()?.parameters.get(name))
                        .and_then(ReferenceOr::as_item)
                        .ok_or_else(|| {
                            format!("parameter reference {reference} points to nothing")
                        })?,
                };
                let data = parameter.parameter_data_ref();
                let schema = match &data.format {
                    openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                        schema
                    }
                    // Enums and other named schemas carry no range.
                    _ => continue,
                };
                let mut consts = Vec::new();
                match &schema.schema_kind {
                    SchemaKind::Type(Type::Integer(integer)) => {
                        let mut push = |name, value: Option<i64>| {
                            if let Some(value) = value {
                                consts.push((name, "i64".to_string(), value.to_string()));
                            }
                        };
                        push("MIN", integer.minimum);
                        push("MAX", integer.maximum);
                        push(
                            "DEFAULT",
                            schema.schema_data.default.as_ref().and_then(|d| d.as_i64()),
                        );
                    }
                    SchemaKind::Type(Type::String(string)) => {
                        let mut push = |name, value: Option<usize>| {
                            if let Some(value) = value {
                                consts.push((name, "usize".to_string(), value.to_string()));
                            }
                        };
                        push("MIN_LENGTH", string.min_length);
                        push("MAX_LENGTH", string.max_length);
                    }
                    _ => {}
                }
                if consts.is_empty() {
                    continue;
                }
                match facts.get(&data.name) {
                    Some((first, earlier)) if *earlier != consts => {
                        return Err(format!(
                            "parameter `{}` has other ranges or defaults in {id} than in {first}; \
                             give the parameter one set of facts (or another name)",
                            data.name
                        ));
                    }
                    Some(_) => {}
                    None => {
                        facts.insert(data.name.clone(), (id.to_string(), consts));
                    }
                }
            }
        }
    }
    let mut out = String::from(
        "/// The documented ranges, defaults and lengths of the operations' parameters, from\n\
         /// the spec: one module per parameter name.\n\
         pub mod parameters {\n",
    );
    for (name, (_, consts)) in &facts {
        out.push_str(&format!(
            "    /// Facts of the `{name}` parameter.\n    pub mod {name} {{\n"
        ));
        for (constant, ty, value) in consts {
            let what = match *constant {
                "MIN" => "Smallest accepted value.",
                "MAX" => "Largest accepted value.",
                "DEFAULT" => "Value the service uses when the parameter is left out.",
                "MIN_LENGTH" => "Fewest characters accepted.",
                _ => "Most characters accepted.",
            };
            out.push_str(&format!(
                "        /// {what}\n        pub const {constant}: {ty} = {value};\n"
            ));
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
    Ok(out)
}
