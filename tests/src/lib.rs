//! Helpers shared by the cross-crate tests in `tests/tests/`: where the spec lives, its
//! document as JSON, `$ref` resolution, every example it carries, and the translation of its
//! OpenAPI 3.0 schemas into JSON Schema that the spec tests and the emulator's tests validate
//! with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// The workspace root (the tests package lives one level below it).
pub fn workspace_root() -> PathBuf {
    codearts_repo_codegen::find_workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
        .expect("the tests package lives inside the workspace")
}

/// Absolute path of `openapi/codearts-repo.yaml`.
pub fn spec_path() -> PathBuf {
    workspace_root().join(codearts_repo_codegen::SPEC_PATH)
}

/// The spec's YAML document as JSON, or a message naming the file and what is wrong.
pub fn spec_document() -> Result<Value, String> {
    codearts_repo_codegen::spec_document(&spec_path()).map_err(|e| e.to_string())
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Follows `$ref`s from `node` (found at `pointer`) to the object they name; returns it,
/// its pointer, and the name of the first component referred to, if any.
pub fn resolve<'a>(
    doc: &'a Value,
    node: &'a Value,
    pointer: &str,
) -> Result<(&'a Value, String, Option<String>), String> {
    let mut node = node;
    let mut pointer = pointer.to_string();
    let mut first_name = None;
    for _ in 0..16 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return Ok((node, pointer, first_name));
        };
        let target = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("{pointer}: `$ref: {reference}` is not local to the spec"))?;
        node = doc
            .pointer(target)
            .ok_or_else(|| format!("{pointer}: `$ref: {reference}` points to nothing"))?;
        if first_name.is_none() {
            first_name = target.rsplit('/').next().map(str::to_string);
        }
        pointer = target.to_string();
    }
    Err(format!("{pointer}: `$ref` chain too long (a cycle?)"))
}

/// Where in the spec an example sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleKind {
    /// A request or response body example (`content.<media type>.example(s)`).
    Payload,
    /// A parameter example.
    Parameter,
    /// A response header example.
    Header,
    /// An `example` inside a schema.
    Schema,
}

/// One example of the spec and the schema it must satisfy.
#[derive(Clone, Debug)]
pub struct Example {
    /// What kind of example this is.
    pub kind: ExampleKind,
    /// Readable place, such as `ListCommits response 401 application/json`.
    pub location: String,
    /// A name made of letters, digits and `_`, unique among the examples, such as
    /// `ListCommits_401` (used for snapshot file names).
    pub name: String,
    /// JSON pointer of the example value in the spec.
    pub pointer: String,
    /// The OpenAPI schema the example must satisfy, as written (may be a `$ref`).
    pub schema: Value,
    /// The example value.
    pub value: Value,
}

/// Every example of the spec: in bodies, parameters, headers and schemas, each once.
pub fn examples(doc: &Value) -> Result<Vec<Example>, String> {
    let mut walker = ExampleWalker {
        doc,
        found: BTreeMap::new(),
    };
    walker.walk()?;
    let mut found: Vec<Example> = walker.found.into_values().collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in found.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(format!(
                "two examples get the name {} ({} and {})",
                pair[0].name, pair[0].pointer, pair[1].pointer
            ));
        }
    }
    Ok(found)
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

struct ExampleWalker<'a> {
    doc: &'a Value,
    /// By pointer, so an example reached twice (a shared component) is listed once.
    found: BTreeMap<String, Example>,
}

impl<'a> ExampleWalker<'a> {
    fn walk(&mut self) -> Result<(), String> {
        let doc = self.doc;
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let item_pointer = format!("/paths/{}", pointer_segment(path));
                for method in METHODS {
                    let Some(operation) = item.get(*method) else {
                        continue;
                    };
                    let op_pointer = format!("{item_pointer}/{method}");
                    let id = operation
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
                    let shared = item.get("parameters").map(|p| (p, &item_pointer));
                    let own = operation.get("parameters").map(|p| (p, &op_pointer));
                    for (parameters, base) in shared.into_iter().chain(own) {
                        for (index, parameter) in as_array(parameters).iter().enumerate() {
                            let pointer = format!("{base}/parameters/{index}");
                            self.parameter(parameter, &pointer, &id)?;
                        }
                    }
                    if let Some(body) = operation.get("requestBody") {
                        let pointer = format!("{op_pointer}/requestBody");
                        let (body, pointer, component) = resolve(doc, body, &pointer)?;
                        let (label, name) = match component {
                            Some(c) => (
                                format!("components.requestBodies.{c}"),
                                format!("request_{c}"),
                            ),
                            None => (format!("{id} request body"), format!("{id}_request")),
                        };
                        self.content(body, &pointer, &label, &name)?;
                    }
                    if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
                        for (status, response) in responses {
                            let pointer =
                                format!("{op_pointer}/responses/{}", pointer_segment(status));
                            self.response(
                                response,
                                &pointer,
                                &format!("{id} response {status}"),
                                &format!("{id}_{status}"),
                            )?;
                        }
                    }
                }
            }
        }
        let components = doc.get("components");
        let section = |name: &str| {
            components
                .and_then(|c| c.get(name))
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
        };
        for (name, parameter) in section("parameters") {
            self.parameter(
                parameter,
                &format!("/components/parameters/{}", pointer_segment(name)),
                "components",
            )?;
        }
        for (name, response) in section("responses") {
            let pointer = format!("/components/responses/{}", pointer_segment(name));
            self.response(response, &pointer, "", "")?;
        }
        for (name, body) in section("requestBodies") {
            let pointer = format!("/components/requestBodies/{}", pointer_segment(name));
            self.content(
                body,
                &pointer,
                &format!("components.requestBodies.{name}"),
                &format!("request_{name}"),
            )?;
        }
        for (name, header) in section("headers") {
            let pointer = format!("/components/headers/{}", pointer_segment(name));
            self.header(
                header,
                &pointer,
                &format!("components.headers.{name}"),
                &format!("header_{name}"),
            )?;
        }
        for (name, schema) in section("schemas") {
            let pointer = format!("/components/schemas/{}", pointer_segment(name));
            self.schema(schema, &pointer, &format!("components.schemas.{name}"))?;
        }
        Ok(())
    }

    /// A response (or a `$ref` to one); `label`/`name` describe it when it is inline.
    fn response(
        &mut self,
        response: &'a Value,
        pointer: &str,
        label: &str,
        name: &str,
    ) -> Result<(), String> {
        let (response, pointer, component) = resolve(self.doc, response, pointer)?;
        let component = component.or_else(|| {
            pointer
                .strip_prefix("/components/responses/")
                .map(str::to_string)
        });
        let (label, name) = match component {
            Some(c) => (format!("components.responses.{c}"), format!("response_{c}")),
            None => (label.to_string(), name.to_string()),
        };
        self.content(response, &pointer, &label, &name)?;
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for (header_name, header) in headers {
                let pointer = format!("{pointer}/headers/{}", pointer_segment(header_name));
                self.header(
                    header,
                    &pointer,
                    &format!("{label} header {header_name}"),
                    &format!("{name}_header_{header_name}"),
                )?;
            }
        }
        Ok(())
    }

    fn parameter(
        &mut self,
        parameter: &'a Value,
        pointer: &str,
        owner: &str,
    ) -> Result<(), String> {
        let (parameter, pointer, component) = resolve(self.doc, parameter, pointer)?;
        let parameter_name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
        let (label, name) = match component {
            Some(c) => (
                format!("components.parameters.{c}"),
                format!("parameter_{c}"),
            ),
            None if owner == "components" => {
                let c = pointer.rsplit('/').next().unwrap_or(parameter_name);
                (
                    format!("components.parameters.{c}"),
                    format!("parameter_{c}"),
                )
            }
            None => (
                format!("{owner} parameter {parameter_name}"),
                format!("{owner}_parameter_{parameter_name}"),
            ),
        };
        self.schema_or_content(parameter, &pointer, &label, &name, ExampleKind::Parameter)
    }

    fn header(
        &mut self,
        header: &'a Value,
        pointer: &str,
        label: &str,
        name: &str,
    ) -> Result<(), String> {
        let (header, pointer, component) = resolve(self.doc, header, pointer)?;
        let (label, name) = match component {
            Some(c) => (format!("components.headers.{c}"), format!("header_{c}")),
            None => (label.to_string(), name.to_string()),
        };
        self.schema_or_content(header, &pointer, &label, &name, ExampleKind::Header)
    }

    /// A parameter or header: examples beside its `schema`, or in its `content`.
    fn schema_or_content(
        &mut self,
        node: &'a Value,
        pointer: &str,
        label: &str,
        name: &str,
        kind: ExampleKind,
    ) -> Result<(), String> {
        if let Some(schema) = node.get("schema") {
            self.examples_of(node, schema, pointer, label, name, kind);
            self.schema(
                schema,
                &format!("{pointer}/schema"),
                &format!("{label} schema"),
            )?;
        }
        self.content(node, pointer, label, name)
    }

    /// The `content` map of a body, parameter or header.
    fn content(
        &mut self,
        node: &'a Value,
        pointer: &str,
        label: &str,
        name: &str,
    ) -> Result<(), String> {
        let Some(content) = node.get("content").and_then(Value::as_object) else {
            return Ok(());
        };
        for (media_type, media) in content {
            let media_pointer = format!("{pointer}/content/{}", pointer_segment(media_type));
            let media_label = format!("{label} {media_type}");
            let media_name = if media_type == "application/json" {
                name.to_string()
            } else {
                format!("{name}_{}", slug(media_type))
            };
            let Some(schema) = media.get("schema") else {
                if media.get("example").is_some() || media.get("examples").is_some() {
                    return Err(format!("{media_label}: an example without a schema"));
                }
                continue;
            };
            self.examples_of(
                media,
                schema,
                &media_pointer,
                &media_label,
                &media_name,
                ExampleKind::Payload,
            );
            self.schema(
                schema,
                &format!("{media_pointer}/schema"),
                &format!("{media_label} schema"),
            )?;
        }
        Ok(())
    }

    /// `example` and `examples.<key>.value` of `holder`, to be checked against `schema`.
    fn examples_of(
        &mut self,
        holder: &'a Value,
        schema: &'a Value,
        pointer: &str,
        label: &str,
        name: &str,
        kind: ExampleKind,
    ) {
        if let Some(value) = holder.get("example") {
            self.add(
                kind,
                label.to_string(),
                slug(name),
                format!("{pointer}/example"),
                schema,
                value,
            );
        }
        if let Some(examples) = holder.get("examples").and_then(Value::as_object) {
            for (key, example) in examples {
                let example_pointer = format!("{pointer}/examples/{}", pointer_segment(key));
                // An example given by `$ref` is resolved; one without `value` has nothing to check.
                let Ok((example, _, _)) = resolve(self.doc, example, &example_pointer) else {
                    continue;
                };
                if let Some(value) = example.get("value") {
                    self.add(
                        kind,
                        format!("{label} example {key}"),
                        slug(&format!("{name}_{key}")),
                        format!("{example_pointer}/value"),
                        schema,
                        value,
                    );
                }
            }
        }
    }

    /// A schema and the schemas nested in it; examples inside them are checked against
    /// the schema that holds them.
    fn schema(&mut self, schema: &'a Value, pointer: &str, label: &str) -> Result<(), String> {
        let Some(map) = schema.as_object() else {
            return Ok(());
        };
        if map.contains_key("$ref") {
            return Ok(()); // The target is visited as a component.
        }
        if let Some(value) = map.get("example") {
            self.add(
                ExampleKind::Schema,
                format!("{label} example"),
                slug(&format!("schema_{}", pointer.trim_start_matches('/'))),
                format!("{pointer}/example"),
                schema,
                value,
            );
        }
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (property, nested) in properties {
                self.schema(
                    nested,
                    &format!("{pointer}/properties/{}", pointer_segment(property)),
                    &format!("{label}.{property}"),
                )?;
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(nested) = map.get(key) {
                self.schema(
                    nested,
                    &format!("{pointer}/{key}"),
                    &format!("{label} {key}"),
                )?;
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for (index, nested) in map.get(key).map(as_array).unwrap_or(&[]).iter().enumerate() {
                self.schema(
                    nested,
                    &format!("{pointer}/{key}/{index}"),
                    &format!("{label} {key}[{index}]"),
                )?;
            }
        }
        Ok(())
    }

    fn add(
        &mut self,
        kind: ExampleKind,
        location: String,
        name: String,
        pointer: String,
        schema: &Value,
        value: &Value,
    ) {
        self.found
            .entry(pointer.clone())
            .or_insert_with(|| Example {
                kind,
                location,
                name,
                pointer,
                schema: schema.clone(),
                value: value.clone(),
            });
    }
}

fn as_array(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Letters, digits and `_` only.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

const OPENAPI_ONLY_KEYS: &[&str] = &[
    "example",
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
];

/// One OpenAPI 3.0 schema as a draft-7 JSON Schema: `$ref`s point into `definitions`,
/// `nullable: true` admits `null`, `int32`/`int64` become bounds, `example` and `x-*` go.
pub fn to_json_schema(schema: &Value) -> Value {
    let Some(map) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if key.starts_with("x-") || OPENAPI_ONLY_KEYS.contains(&key.as_str()) {
            continue;
        }
        let translated = match key.as_str() {
            "$ref" => {
                let reference = value.as_str().unwrap_or_default();
                Value::String(reference.replace("#/components/schemas/", "#/definitions/"))
            }
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, nested)| (name.clone(), to_json_schema(nested)))
                    .collect(),
            ),
            "items" | "not" | "additionalProperties" => to_json_schema(value),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(to_json_schema)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), translated);
    }
    // OpenAPI 3.0 writes exclusive bounds as booleans beside minimum/maximum.
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if out.get(exclusive).and_then(Value::as_bool) == Some(true) {
            if let Some(limit) = out.remove(bound) {
                out.insert(exclusive.to_string(), limit);
            }
        } else if out.get(exclusive).is_some_and(Value::is_boolean) {
            out.remove(exclusive);
        }
    }
    let bits = match out.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        Some("int64") => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    if let Some((low, high)) = bits {
        out.remove("format");
        let minimum = out
            .get("minimum")
            .and_then(Value::as_i64)
            .map_or(low, |m| m.max(low));
        let maximum = out
            .get("maximum")
            .and_then(Value::as_i64)
            .map_or(high, |m| m.min(high));
        out.insert("minimum".into(), json!(minimum));
        out.insert("maximum".into(), json!(maximum));
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        if let Some(values) = out.get_mut("enum").and_then(Value::as_array_mut)
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
        match out.remove("type") {
            Some(Value::String(ty)) => {
                out.insert("type".into(), json!([ty, "null"]));
            }
            Some(other) => {
                out.insert("type".into(), other);
            }
            None => {
                return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
            }
        }
    }
    Value::Object(out)
}

/// Forbids undeclared members in every object schema with `properties` (in a translated
/// schema): the spec's examples are transcribed from the documents and must show only
/// documented fields. The spec itself stays open, since clients ignore unknown fields.
pub fn close_objects(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let is_object = match map.get("type") {
        Some(Value::String(ty)) => ty == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        _ => false,
    };
    if is_object && map.contains_key("properties") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, nested) in map.iter_mut() {
        match key.as_str() {
            "properties" | "definitions" => {
                for child in nested
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    close_objects(child);
                }
            }
            "items" | "not" | "additionalProperties" => close_objects(nested),
            "allOf" | "anyOf" | "oneOf" => {
                for child in nested.as_array_mut().into_iter().flatten() {
                    close_objects(child);
                }
            }
            _ => {}
        }
    }
}

/// A validator for `schema` (an OpenAPI schema of the spec `doc`), with every component
/// schema available under `definitions`, formats asserted and undeclared members refused.
pub fn validator_for(doc: &Value, schema: &Value) -> Result<jsonschema::Validator, String> {
    let definitions: Map<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
        .collect();
    let mut root = json!({ "definitions": definitions, "allOf": [to_json_schema(schema)] });
    close_objects(&mut root);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("the schema does not translate to a valid JSON Schema: {e}"))
}

/// Why `value` does not satisfy `schema`, one line per violation.
pub fn violations(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    match validator_for(doc, schema) {
        Ok(validator) => validator
            .iter_errors(value)
            .map(|e| format!("at `{}`: {e}", e.instance_path()))
            .collect(),
        Err(e) => vec![e],
    }
}
