//! The spec against the source documents, and every example in it against its schema.
//!
//! The tables below are transcribed from the reference pages in `shared/seeds/` (not from
//! the spec), so a field, parameter or range lost or mistyped in the spec is reported by
//! name. Where the documents contradict themselves, the tables hold what the documents say
//! and the tolerant-reader choices the spec records are listed separately
//! ([`RELAXED_MINIMUMS`], [`IDENTITY_FIELDS`], nullable fields).

use std::collections::{BTreeMap, BTreeSet};

use codearts_repo_tests::{
    Example, ExampleKind, examples, pointer_segment, resolve, spec_document, spec_path,
    to_json_schema, violations,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// What the documents say.
// ---------------------------------------------------------------------------------------

/// A documented type.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Integer,
    String,
    Boolean,
    /// A documented object, by the name of its table.
    Object(&'static str),
    Array(&'static Ty),
}

impl Ty {
    fn describe(self) -> String {
        match self {
            Ty::Integer => "integer".into(),
            Ty::String => "string".into(),
            Ty::Boolean => "boolean".into(),
            Ty::Object(name) => format!("object {name}"),
            Ty::Array(items) => format!("array of {}", items.describe()),
        }
    }
}

/// One documented field of a response object.
#[derive(Clone, Copy, Debug)]
struct Field {
    name: &'static str,
    ty: Ty,
    format: Option<&'static str>,
    /// The documented value range.
    range: Option<(i64, i64)>,
    enumeration: &'static [&'static str],
    /// The documents' example shows this field as `null`.
    null_in_example: bool,
}

const INT32_MAX: i64 = 2_147_483_647;

const fn field(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        format: None,
        range: None,
        enumeration: &[],
        null_in_example: false,
    }
}

/// A documented String.
const fn string(name: &'static str) -> Field {
    field(name, Ty::String)
}

/// A documented String that the example shows as `null`.
const fn null_string(name: &'static str) -> Field {
    Field {
        null_in_example: true,
        ..field(name, Ty::String)
    }
}

/// A documented String holding an instant (the examples show RFC 3339 date-times).
const fn timestamp(name: &'static str) -> Field {
    Field {
        format: Some("date-time"),
        ..field(name, Ty::String)
    }
}

/// A documented Integer with a value range inside 32 bits.
const fn int32(name: &'static str, min: i64, max: i64) -> Field {
    Field {
        format: Some("int32"),
        range: Some((min, max)),
        ..field(name, Ty::Integer)
    }
}

const fn boolean(name: &'static str) -> Field {
    field(name, Ty::Boolean)
}

const fn enumerated(name: &'static str, values: &'static [&'static str]) -> Field {
    Field {
        enumeration: values,
        ..field(name, Ty::String)
    }
}

const fn object(name: &'static str, schema: &'static str) -> Field {
    field(name, Ty::Object(schema))
}

const fn array(name: &'static str, items: &'static Ty) -> Field {
    field(name, Ty::Array(items))
}

/// Every response object of the five documents, with every field. The objects without a
/// name in the documents (the last-push body, the commit-list body) carry the spec's name.
const OBJECTS: &[(&str, &[Field])] = &[
    // 000/001, Table 6.
    (
        "RepositoryPushEventDto",
        &[
            enumerated("action_name", &["pushed to", "pushed new", "deleted"]),
            object("author", "RepositoryEventAuthorDto"),
            int32("author_id", 1, INT32_MAX),
            string("author_username"),
            timestamp("created_at"),
            int32("repository_id", 1, INT32_MAX),
            string("repository_name"),
            object("push_data", "PushEventPayloadDto"),
        ],
    ),
    // 000/001, Table 7.
    (
        "RepositoryEventAuthorDto",
        &[
            int32("id", 1, INT32_MAX),
            string("name"),
            string("username"),
            enumerated("state", &["active", "blocked"]),
            string("avatar_url"),
            string("name_cn"),
            string("nick_name"),
            string("tenant_name"),
        ],
    ),
    // 000/001 Table 8, 004 Table 6.
    (
        "PushEventPayloadDto",
        &[
            int32("commit_count", 1, INT32_MAX),
            string("action"),
            string("ref_type"),
            null_string("commit_from"),
            string("commit_to"),
            string("ref"),
            null_string("commit_title"),
        ],
    ),
    // 002, Table 3.
    (
        "LastPushEventDto",
        &[
            string("ref"),
            timestamp("created_at"),
            object("repository", "RepositoryBriefDto"),
        ],
    ),
    // 002, Table 4.
    (
        "RepositoryBriefDto",
        &[
            int32("id", 1, INT32_MAX),
            string("name"),
            string("path"),
            string("path_with_namespace"),
            string("project_name"),
        ],
    ),
    // 003, Table 4.
    (
        "CommitListDto",
        &[
            array("commits", &Ty::Object("CommitDto")),
            array("date_title", &Ty::Object("DateTitleDto")),
        ],
    ),
    // 003, Table 5.
    (
        "CommitDto",
        &[
            string("id"),
            string("message"),
            array("parent_ids", &Ty::String),
            timestamp("authored_date"),
            string("author_name"),
            null_string("author_email"),
            timestamp("committed_date"),
            string("committer_name"),
            null_string("committer_email"),
            boolean("open_gpg_verified"),
            int32("verification_status", 0, 1),
            string("gpg_primary_key_id"),
            string("name"),
            null_string("gpg_nick_name"),
            null_string("gpg_tenant_name"),
            null_string("gpg_user_name"),
            string("short_id"),
            timestamp("created_at"),
            string("title"),
            null_string("author_avatar_url"),
            null_string("committer_avatar_url"),
            array("relate_url", &Ty::Object("RelatedCommitSimpleDto")),
            null_string("nick_name"),
            null_string("tenant_name"),
            null_string("user_name"),
            // Not in the reference pages: the official SDK's model (huaweicloudsdkcodeartsrepo
            // 3.1.219, `CommitDto.author_id`), marked `x-source` in the spec.
            int32("author_id", 1, 2_147_483_647),
        ],
    ),
    // 003, Table 6.
    (
        "RelatedCommitSimpleDto",
        &[string("related_id"), string("related_url")],
    ),
    // 003, Table 7.
    (
        "DateTitleDto",
        &[string("day"), int32("commits_count", 0, 100_000)],
    ),
    // 004, Table 3.
    (
        "PersonalPushEventDto",
        &[
            object("author", "PersonalEventAuthorDto"),
            object("repository", "RepositorySimpleDto"),
            object("push_data", "PushEventPayloadDto"),
            timestamp("created_at"),
        ],
    ),
    // 004, Table 4.
    (
        "PersonalEventAuthorDto",
        &[int32("id", 1, INT32_MAX), string("username")],
    ),
    // 004, Table 5.
    (
        "RepositorySimpleDto",
        &[
            int32("id", 1, INT32_MAX),
            string("description"),
            string("name"),
            string("name_with_namespace"),
            string("path"),
            string("path_with_namespace"),
            timestamp("created_at"),
            timestamp("updated_at"),
            boolean("archived"),
            string("ssh_url_to_repo"),
            string("http_url_to_repo"),
            string("project_id"),
            string("project_name"),
            enumerated("develop_mode", &["normal", "CR"]),
            boolean("moderation_result"),
        ],
    ),
    // The error body of 000 Tables 9-11 and 003 Tables 8-9.
    ("ErrorBody", &[string("error_code"), string("error_msg")]),
];

/// Fields that identify their object: the only response fields the spec may require.
/// Every other field is optional (tolerant reader). None is required now: the official
/// SDKs decode objects without them, and so does this one (`x-tolerant-reader`).
const IDENTITY_FIELDS: &[(&str, &str)] = &[
    ("RepositoryEventAuthorDto", "id"),
    ("RepositoryBriefDto", "id"),
    ("CommitDto", "id"),
    ("DateTitleDto", "day"),
    ("PersonalEventAuthorDto", "id"),
    ("RepositorySimpleDto", "id"),
];

/// Documented minimums the spec deliberately leaves out: the documents' own example
/// breaks them (`commit_count` is 0 in the example of a branch creation).
const RELAXED_MINIMUMS: &[(&str, &str)] = &[("PushEventPayloadDto", "commit_count")];

/// A documented request parameter.
#[derive(Clone, Copy, Debug)]
struct Param {
    name: &'static str,
    location: &'static str,
    required: bool,
    ty: Ty,
    format: Option<&'static str>,
    range: Option<(i64, i64)>,
    /// The documented default, as JSON text.
    default: Option<&'static str>,
    enumeration: &'static [&'static str],
    /// Documented string length bounds.
    length: Option<(u64, u64)>,
}

const fn query(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        location: "query",
        required: false,
        ty,
        format: None,
        range: None,
        default: None,
        enumeration: &[],
        length: None,
    }
}

const fn query_int32(
    name: &'static str,
    min: i64,
    max: i64,
    default: Option<&'static str>,
) -> Param {
    Param {
        format: Some("int32"),
        range: Some((min, max)),
        default,
        ..query(name, Ty::Integer)
    }
}

/// A time bound: a string that the documents describe as a date or a date-time, marked
/// with the spec's `format: date-or-date-time` so that clients read it as one.
const fn time_bound(name: &'static str) -> Param {
    Param {
        format: Some("date-or-date-time"),
        ..query(name, Ty::String)
    }
}

/// `repository_id` of 000-003, Table 1.
const REPOSITORY_ID: Param = Param {
    location: "path",
    required: true,
    ..query_int32("repository_id", 1, INT32_MAX, None)
};
/// `offset` of 000/001 and 003, Table 2.
const OFFSET: Param = query_int32("offset", 0, INT32_MAX, Some("0"));
/// `limit` of 000/001 and 003, Table 2.
const LIMIT: Param = query_int32("limit", 1, 100, Some("20"));

/// The success body of an operation.
#[derive(Clone, Copy, Debug)]
enum Body {
    Object(&'static str),
    ArrayOf(&'static str),
}

/// A documented operation.
struct Operation {
    operation_id: &'static str,
    method: &'static str,
    path: &'static str,
    params: &'static [Param],
    body: Body,
    /// Documented success response headers and their type.
    headers: &'static [(&'static str, Ty)],
}

const OPERATIONS: &[Operation] = &[
    // 000/001.
    Operation {
        operation_id: "ListRepositoryEvents",
        method: "get",
        path: "/v4/repositories/{repository_id}/events",
        params: &[
            REPOSITORY_ID,
            query_int32("author_id", 1, INT32_MAX, None),
            Param {
                default: Some("\"all\""),
                enumeration: &["all", "push"],
                ..query("filter", Ty::String)
            },
            time_bound("before"),
            time_bound("after"),
            OFFSET,
            LIMIT,
        ],
        body: Body::ArrayOf("RepositoryPushEventDto"),
        // String in 000, Integer in 001: a header is text, so a string of digits.
        headers: &[("X-Total", Ty::String)],
    },
    // 002.
    Operation {
        operation_id: "ShowLastPushEventInRepository",
        method: "get",
        path: "/v4/repositories/{repository_id}/last-push-event",
        params: &[REPOSITORY_ID],
        body: Body::Object("LastPushEventDto"),
        headers: &[],
    },
    // 003.
    Operation {
        operation_id: "ListCommits",
        method: "get",
        path: "/v4/repositories/{repository_id}/repository/commit-list",
        params: &[
            REPOSITORY_ID,
            OFFSET,
            LIMIT,
            query("ref_name", Ty::String),
            time_bound("since"),
            time_bound("until"),
            query("path", Ty::String),
            query("message", Ty::String),
            query("author", Ty::String),
            query("order_by_date", Ty::Boolean),
            query("follow", Ty::Boolean),
        ],
        body: Body::Object("CommitListDto"),
        headers: &[],
    },
    // 004.
    Operation {
        operation_id: "ListPersonalRecentPushEvents",
        method: "get",
        path: "/v4/user/recent-push-events",
        params: &[
            Param {
                length: Some((32, 32)),
                ..query("project_id", Ty::String)
            },
            query_int32("size", 1, 100, Some("10")),
        ],
        body: Body::ArrayOf("PersonalPushEventDto"),
        headers: &[],
    },
];

/// Error statuses of every operation: 401/403/404 as documented, plus 400, 429 and 500
/// that the gateway returns too. All share the one error body.
const ERROR_STATUSES: &[&str] = &["400", "401", "403", "404", "429", "500"];
const ERROR_BODY: &str = "ErrorBody";

/// Security schemes: name, type, `in`, header name.
const SECURITY_SCHEMES: &[(&str, &str, &str, &str)] = &[
    // The `X-Auth-Token` request header of every document.
    ("IamToken", "apiKey", "header", "X-Auth-Token"),
    // The AK/SK request signature of the official SDKs.
    ("AkSkSignature", "apiKey", "header", "Authorization"),
];

/// The first server: the regional endpoint pattern and the default region.
const SERVER_URL: &str = "https://codehub-ext.{region}.myhuaweicloud.com";
const DEFAULT_REGION: &str = "cn-north-4";

// ---------------------------------------------------------------------------------------
// Comparing the spec with the tables.
// ---------------------------------------------------------------------------------------

/// Every way the spec differs from the tables, one line each, naming the item.
fn spec_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check_operations(doc, &mut problems);
    check_objects(doc, &mut problems);
    check_security(doc, &mut problems);
    check_servers(doc, &mut problems);
    problems
}

/// A schema's shape after following `$ref`s to primitive components.
#[derive(Debug, Default)]
struct Shape {
    ty: String,
    format: Option<String>,
    minimum: Option<i64>,
    maximum: Option<i64>,
    enumeration: Vec<String>,
    default: Option<Value>,
    nullable: bool,
    min_length: Option<u64>,
    max_length: Option<u64>,
}

/// The shape of `schema`: objects are named by their component, so they must be `$ref`s.
fn shape(doc: &Value, schema: &Value, pointer: &str) -> Result<Shape, String> {
    let (resolved, _, component) = resolve(doc, schema, pointer)?;
    let ty = resolved.get("type").and_then(Value::as_str).unwrap_or("");
    let ty = match (ty, &component) {
        ("object", Some(name)) => format!("object {name}"),
        ("object", None) => "inline object (give it a component name)".to_string(),
        ("array", _) => {
            let items = resolved
                .get("items")
                .ok_or_else(|| format!("{pointer}: array without `items`"))?;
            format!(
                "array of {}",
                shape(doc, items, &format!("{pointer}/items"))?.ty
            )
        }
        ("", _) => "no type".to_string(),
        (ty, _) => ty.to_string(),
    };
    let text = |key: &str| {
        resolved
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let int = |key: &str| resolved.get(key).and_then(Value::as_i64);
    let uint = |key: &str| resolved.get(key).and_then(Value::as_u64);
    Ok(Shape {
        ty,
        format: text("format"),
        minimum: int("minimum"),
        maximum: int("maximum"),
        enumeration: resolved
            .get("enum")
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        default: resolved.get("default").cloned(),
        nullable: resolved
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        min_length: uint("minLength"),
        max_length: uint("maxLength"),
    })
}

/// Compares what both fields and parameters document.
#[allow(clippy::too_many_arguments)]
fn compare_common(
    what: &str,
    actual: &Shape,
    ty: Ty,
    format: Option<&str>,
    range: Option<(i64, i64)>,
    relaxed_minimum: bool,
    enumeration: &[&str],
    problems: &mut Vec<String>,
) {
    if actual.ty != ty.describe() {
        problems.push(format!(
            "{what}: type is {}, documented {}",
            actual.ty,
            ty.describe()
        ));
    }
    if actual.format.as_deref() != format {
        problems.push(format!(
            "{what}: format is {:?}, documented {:?}",
            actual.format, format
        ));
    }
    let (minimum, maximum) = match range {
        Some((min, max)) => (Some(min), Some(max)),
        None => (None, None),
    };
    if relaxed_minimum {
        if actual.minimum.is_some() {
            problems.push(format!(
                "{what}: has minimum {:?}, but the documents' example breaks the documented \
                 minimum {minimum:?}, so the spec must declare none",
                actual.minimum
            ));
        }
    } else if actual.minimum != minimum {
        problems.push(format!(
            "{what}: minimum is {:?}, documented {minimum:?}",
            actual.minimum
        ));
    }
    if actual.maximum != maximum {
        problems.push(format!(
            "{what}: maximum is {:?}, documented {maximum:?}",
            actual.maximum
        ));
    }
    let mut actual_enum: Vec<&str> = actual.enumeration.iter().map(String::as_str).collect();
    let mut documented: Vec<&str> = enumeration.to_vec();
    actual_enum.sort_unstable();
    documented.sort_unstable();
    if actual_enum != documented {
        problems.push(format!(
            "{what}: enum is {actual_enum:?}, documented {documented:?}"
        ));
    }
}

fn check_operations(doc: &Value, problems: &mut Vec<String>) {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut documented = BTreeSet::new();
    for op in OPERATIONS {
        documented.insert((op.path, op.method));
        let id = op.operation_id;
        let pointer = format!("/paths/{}/{}", pointer_segment(op.path), op.method);
        let Some(operation) = doc.pointer(&pointer) else {
            problems.push(format!(
                "operation {id}: no {} {} in the spec",
                op.method.to_uppercase(),
                op.path
            ));
            continue;
        };
        let actual_id = operation.get("operationId").and_then(Value::as_str);
        if actual_id != Some(id) {
            problems.push(format!(
                "operation {} {}: operationId is {actual_id:?}, expected {id}",
                op.method.to_uppercase(),
                op.path
            ));
        }
        check_parameters(doc, op, operation, &pointer, problems);
        check_responses(doc, op, operation, &pointer, problems);
        if let Some(security) = operation.get("security") {
            problems.push(format!(
                "operation {id}: overrides the global security with {security}; every endpoint \
                 takes a token or an AK/SK signature"
            ));
        }
    }
    for (path, item) in &paths {
        for method in item
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let is_method = [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .contains(&method.as_str());
            if is_method && !documented.contains(&(path.as_str(), method.as_str())) {
                problems.push(format!(
                    "operation {} {path}: not in the documents",
                    method.to_uppercase()
                ));
            }
        }
    }
}

fn check_parameters(
    doc: &Value,
    op: &Operation,
    operation: &Value,
    pointer: &str,
    problems: &mut Vec<String>,
) {
    let id = op.operation_id;
    let mut actual: BTreeMap<(String, String), (Value, String)> = BTreeMap::new();
    let list = operation
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (index, parameter) in list.iter().enumerate() {
        let at = format!("{pointer}/parameters/{index}");
        match resolve(doc, parameter, &at) {
            Ok((parameter, at, _)) => {
                let name = parameter
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let location = parameter
                    .get("in")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                actual.insert((name, location), (parameter.clone(), at));
            }
            Err(e) => problems.push(format!("operation {id}: {e}")),
        }
    }
    for param in op.params {
        let what = format!(
            "operation {id} parameter {} (in {})",
            param.name, param.location
        );
        let Some((parameter, at)) =
            actual.remove(&(param.name.to_string(), param.location.to_string()))
        else {
            problems.push(format!("{what}: missing"));
            continue;
        };
        let required = parameter
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if required != param.required {
            problems.push(format!(
                "{what}: required is {required}, documented {}",
                param.required
            ));
        }
        let Some(schema) = parameter.get("schema") else {
            problems.push(format!("{what}: has no schema"));
            continue;
        };
        let shape = match shape(doc, schema, &format!("{at}/schema")) {
            Ok(shape) => shape,
            Err(e) => {
                problems.push(format!("{what}: {e}"));
                continue;
            }
        };
        compare_common(
            &what,
            &shape,
            param.ty,
            param.format,
            param.range,
            false,
            param.enumeration,
            problems,
        );
        let default: Option<Value> = param
            .default
            .map(|text| serde_json::from_str(text).expect("table defaults are JSON"));
        if shape.default != default {
            problems.push(format!(
                "{what}: default is {:?}, documented {default:?}",
                shape.default
            ));
        }
        let length = match (shape.min_length, shape.max_length) {
            (None, None) => None,
            (min, max) => Some((min.unwrap_or(0), max.unwrap_or(u64::MAX))),
        };
        if length != param.length {
            problems.push(format!(
                "{what}: length bounds are {length:?}, documented {:?}",
                param.length
            ));
        }
    }
    for (name, location) in actual.keys() {
        problems.push(format!(
            "operation {id} parameter {name} (in {location}): not in the documents"
        ));
    }
}

fn check_responses(
    doc: &Value,
    op: &Operation,
    operation: &Value,
    pointer: &str,
    problems: &mut Vec<String>,
) {
    let id = op.operation_id;
    let responses = operation
        .get("responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let expected: BTreeSet<&str> = std::iter::once("200")
        .chain(ERROR_STATUSES.iter().copied())
        .collect();
    for status in responses.keys() {
        if !expected.contains(status.as_str()) {
            problems.push(format!("operation {id} response {status}: not documented"));
        }
    }
    for status in &expected {
        let what = format!("operation {id} response {status}");
        let Some(response) = responses.get(*status) else {
            problems.push(format!("{what}: missing"));
            continue;
        };
        let at = format!("{pointer}/responses/{status}");
        let (response, at) = match resolve(doc, response, &at) {
            Ok((response, at, _)) => (response, at),
            Err(e) => {
                problems.push(format!("{what}: {e}"));
                continue;
            }
        };
        let Some(schema) = response.pointer("/content/application~1json/schema") else {
            problems.push(format!("{what}: no application/json body schema"));
            continue;
        };
        let expected_ty = match (*status, op.body) {
            ("200", Body::Object(name)) => format!("object {name}"),
            ("200", Body::ArrayOf(name)) => format!("array of object {name}"),
            _ => format!("object {ERROR_BODY}"),
        };
        match shape(
            doc,
            schema,
            &format!("{at}/content/application~1json/schema"),
        ) {
            Ok(shape) if shape.ty == expected_ty => {}
            Ok(shape) => problems.push(format!(
                "{what}: body is {}, expected {expected_ty}",
                shape.ty
            )),
            Err(e) => problems.push(format!("{what}: {e}")),
        }
        if *status == "200" {
            check_headers(doc, op, response, &at, problems);
        }
    }
}

fn check_headers(
    doc: &Value,
    op: &Operation,
    response: &Value,
    pointer: &str,
    problems: &mut Vec<String>,
) {
    let id = op.operation_id;
    let headers = response
        .get("headers")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, ty) in op.headers {
        let what = format!("operation {id} response 200 header {name}");
        let Some(header) = headers.get(*name) else {
            problems.push(format!("{what}: missing"));
            continue;
        };
        let at = format!("{pointer}/headers/{}", pointer_segment(name));
        let result = resolve(doc, header, &at).and_then(|(header, at, _)| {
            let schema = header
                .get("schema")
                .ok_or_else(|| "has no schema".to_string())?;
            shape(doc, schema, &format!("{at}/schema"))
        });
        match result {
            Ok(shape) if shape.ty == ty.describe() => {}
            Ok(shape) => problems.push(format!(
                "{what}: type is {}, expected {}",
                shape.ty,
                ty.describe()
            )),
            Err(e) => problems.push(format!("{what}: {e}")),
        }
    }
    for name in headers.keys() {
        if !op.headers.iter().any(|(documented, _)| documented == name) {
            problems.push(format!(
                "operation {id} response 200 header {name}: not in the documents"
            ));
        }
    }
}

fn check_objects(doc: &Value, problems: &mut Vec<String>) {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, fields) in OBJECTS {
        let what = format!("schema {name}");
        let Some(schema) = schemas.get(*name) else {
            problems.push(format!("{what}: missing from components.schemas"));
            continue;
        };
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            problems.push(format!("{what}: is not `type: object`"));
        }
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for documented in *fields {
            let what = format!("{name}.{}", documented.name);
            let Some(property) = properties.get(documented.name) else {
                problems.push(format!("{what}: missing"));
                continue;
            };
            let at = format!(
                "/components/schemas/{name}/properties/{}",
                pointer_segment(documented.name)
            );
            let shape = match shape(doc, property, &at) {
                Ok(shape) => shape,
                Err(e) => {
                    problems.push(format!("{what}: {e}"));
                    continue;
                }
            };
            let relaxed = RELAXED_MINIMUMS.contains(&(name, documented.name));
            compare_common(
                &what,
                &shape,
                documented.ty,
                documented.format,
                documented.range,
                relaxed,
                documented.enumeration,
                problems,
            );
            if documented.null_in_example && !shape.nullable {
                problems.push(format!(
                    "{what}: the documents' example shows null, so it must be `nullable: true`"
                ));
            }
        }
        for property in properties.keys() {
            if !fields.iter().any(|f| f.name == property) {
                problems.push(format!("{name}.{property}: not in the documents"));
            }
        }
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for field in required.iter().filter_map(Value::as_str) {
            if !IDENTITY_FIELDS.contains(&(name, field)) {
                problems.push(format!(
                    "{name}.{field}: required, but only fields that identify an object may be \
                     (tolerant reader)"
                ));
            }
        }
    }
    for (name, schema) in &schemas {
        let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
        if is_object && !OBJECTS.iter().any(|(documented, _)| documented == name) {
            problems.push(format!(
                "schema {name}: an object the documents do not describe"
            ));
        }
    }
}

fn check_security(doc: &Value, problems: &mut Vec<String>) {
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, ty, location, header) in SECURITY_SCHEMES {
        let what = format!("security scheme {name}");
        let Some(scheme) = schemes.get(*name) else {
            problems.push(format!("{what}: missing"));
            continue;
        };
        for (key, expected) in [("type", ty), ("in", location), ("name", header)] {
            let actual = scheme.get(key).and_then(Value::as_str);
            if actual != Some(*expected) {
                problems.push(format!("{what}: {key} is {actual:?}, expected {expected}"));
            }
        }
    }
    let global = doc
        .get("security")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (name, ..) in SECURITY_SCHEMES {
        let offered = global.iter().any(|requirement| {
            requirement
                .as_object()
                .is_some_and(|r| r.len() == 1 && r.contains_key(*name))
        });
        if !offered {
            problems.push(format!(
                "security: {name} is not offered on its own by the global requirement"
            ));
        }
    }
}

fn check_servers(doc: &Value, problems: &mut Vec<String>) {
    let servers = doc
        .get("servers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(first) = servers.first() else {
        problems.push("servers: none".to_string());
        return;
    };
    let url = first.get("url").and_then(Value::as_str);
    if url != Some(SERVER_URL) {
        problems.push(format!("servers[0]: url is {url:?}, expected {SERVER_URL}"));
    }
    let default = first
        .pointer("/variables/region/default")
        .and_then(Value::as_str);
    if default != Some(DEFAULT_REGION) {
        problems.push(format!(
            "servers[0]: region default is {default:?}, expected {DEFAULT_REGION}"
        ));
    }
    let mut seen = BTreeSet::new();
    for (index, server) in servers.iter().enumerate() {
        let url = server.get("url").and_then(Value::as_str).unwrap_or("");
        if !url.starts_with("https://") || !url.contains("{region}") {
            problems.push(format!(
                "servers[{index}]: url {url:?} is not an https pattern with {{region}}"
            ));
        }
        let regions: Vec<&str> = server
            .pointer("/variables/region/enum")
            .and_then(Value::as_array)
            .map(|values| values.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let default = server
            .pointer("/variables/region/default")
            .and_then(Value::as_str);
        if !default.is_some_and(|d| regions.contains(&d)) {
            problems.push(format!(
                "servers[{index}]: region default {default:?} is not in its enum {regions:?}"
            ));
        }
        for region in regions {
            if !seen.insert(region) {
                problems.push(format!(
                    "servers[{index}]: region {region} is listed by two servers"
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// OpenAPI 3.0 schemas as JSON Schema, and the examples against them.
// ---------------------------------------------------------------------------------------

/// Keys of an OpenAPI 3.0 schema that JSON Schema lacks or means differently, dropped.
/// Every example that does not satisfy its schema, naming where it is.
fn example_problems(doc: &Value) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for example in examples(doc)? {
        for violation in violations(doc, &example.schema, &example.value) {
            problems.push(format!(
                "example of {} ({}) {violation}",
                example.location, example.pointer
            ));
        }
    }
    Ok(problems)
}

// ---------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------

fn document() -> Value {
    spec_document().unwrap_or_else(|e| panic!("{e}"))
}

fn assert_no_problems(problems: &[String], what: &str) {
    assert!(
        problems.is_empty(),
        "{} {what}:\n  {}",
        spec_path().display(),
        problems.join("\n  ")
    );
}

#[test]
fn spec_parses_as_openapi_3_0() {
    let text = std::fs::read_to_string(spec_path()).expect("spec is readable");
    let spec: openapiv3::OpenAPI = serde_norway::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{}: not an OpenAPI 3.0 document: {e}",
            spec_path().display()
        )
    });
    assert_eq!(
        spec.openapi, "3.0.3",
        "progenitor needs OpenAPI 3.0.x; we pin 3.0.3"
    );
    assert_eq!(spec.operations().count(), OPERATIONS.len());
    // The generator's own checks accept it too.
    codearts_repo_codegen::load_spec(&spec_path()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn spec_matches_the_documents() {
    assert_no_problems(
        &spec_problems(&document()),
        "differs from the source documents",
    );
}

#[test]
fn every_example_satisfies_its_schema() {
    let doc = document();
    assert_no_problems(
        &example_problems(&doc).unwrap_or_else(|e| panic!("{e}")),
        "has examples that break their schema",
    );
}

#[test]
fn every_response_of_every_operation_has_an_example() {
    let doc = document();
    let found = examples(&doc).unwrap_or_else(|e| panic!("{e}"));
    let payload_pointers: BTreeSet<&str> = found
        .iter()
        .filter(|e| e.kind == ExampleKind::Payload)
        .map(|e| e.pointer.as_str())
        .collect();
    let mut missing = Vec::new();
    for op in OPERATIONS {
        let responses = format!(
            "/paths/{}/{}/responses",
            pointer_segment(op.path),
            op.method
        );
        for status in std::iter::once("200").chain(ERROR_STATUSES.iter().copied()) {
            let at = format!("{responses}/{status}");
            let Some(response) = doc.pointer(&at) else {
                missing.push(format!("{} {status}: no response", op.operation_id));
                continue;
            };
            let (_, target, _) = resolve(&doc, response, &at).unwrap_or_else(|e| panic!("{e}"));
            let example = format!("{target}/content/application~1json/example");
            if !payload_pointers.contains(example.as_str()) {
                missing.push(format!(
                    "{} {status}: no application/json example",
                    op.operation_id
                ));
            }
        }
    }
    assert_no_problems(&missing, "lacks response examples");
    // The header example of X-Total is found too.
    assert!(
        found
            .iter()
            .any(|e| e.kind == ExampleKind::Schema && e.value == json!("42")),
        "{found:#?}"
    );
}

#[test]
fn bundled_json_is_current() {
    let expected = codearts_repo_codegen::spec_json(&spec_path()).unwrap_or_else(|e| panic!("{e}"));
    let json_path =
        codearts_repo_tests::workspace_root().join(codearts_repo_codegen::SPEC_JSON_PATH);
    let actual = std::fs::read_to_string(&json_path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale (it does not match {}): run `cargo xtask codegen`",
        codearts_repo_codegen::SPEC_JSON_PATH,
        codearts_repo_codegen::SPEC_PATH
    );
    // It carries the YAML's content, nothing lost or added.
    let bundled: Value = serde_json::from_str(&actual).expect("bundled JSON parses");
    assert_eq!(bundled, document());
}

#[test]
fn packaged_spec_copy_is_current() {
    // The gen crate builds from (and publishes) its own copy of the spec; what it compiled
    // in must be the spec people edit.
    let spec = std::fs::read_to_string(spec_path()).expect("the spec is readable");
    assert!(
        codearts_repo_gen::OPENAPI_SPEC == spec,
        "{} is stale (it does not match {}): run `cargo xtask codegen`",
        codearts_repo_codegen::PACKAGED_SPEC_COPY_PATH,
        codearts_repo_codegen::SPEC_PATH
    );
}

// The checks above must be able to fail: each test below breaks a copy of the spec and
// expects the problem to be named.

/// Applies `edit` to a copy of the spec and returns the table problems.
fn problems_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut doc = document();
    edit(&mut doc);
    spec_problems(&doc)
}

fn assert_reported(problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p.contains(expected)),
        "expected a problem containing {expected:?}, got:\n  {}",
        problems.join("\n  ")
    );
}

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the spec"))
}

const PUSH_PAYLOAD: &str = "/components/schemas/PushEventPayloadDto/properties";
const EVENTS: &str = "/paths/~1v4~1repositories~1{repository_id}~1events/get";
const COMMITS: &str = "/paths/~1v4~1repositories~1{repository_id}~1repository~1commit-list/get";

#[test]
fn a_missing_or_renamed_field_is_named() {
    let problems = problems_after(|doc| {
        let properties = at(doc, PUSH_PAYLOAD).as_object_mut().unwrap();
        let title = properties.remove("commit_title").unwrap();
        properties.insert("commit_headline".into(), title);
    });
    assert_reported(&problems, "PushEventPayloadDto.commit_title: missing");
    assert_reported(
        &problems,
        "PushEventPayloadDto.commit_headline: not in the documents",
    );
}

#[test]
fn a_mistyped_field_is_named() {
    let problems = problems_after(|doc| {
        *at(
            doc,
            "/components/schemas/CommitDto/properties/open_gpg_verified/type",
        ) = json!("string");
        *at(
            doc,
            "/components/schemas/DateTitleDto/properties/commits_count/maximum",
        ) = json!(100);
        at(doc, "/components/schemas/CommitDto/properties/author_email")
            .as_object_mut()
            .unwrap()
            .remove("nullable");
        *at(
            doc,
            "/components/schemas/CommitListDto/properties/commits/items",
        ) = json!({"type": "string"});
        *at(doc, "/components/schemas/UserState/enum") = json!(["active"]);
    });
    assert_reported(
        &problems,
        "CommitDto.open_gpg_verified: type is string, documented boolean",
    );
    assert_reported(
        &problems,
        "DateTitleDto.commits_count: maximum is Some(100), documented Some(100000)",
    );
    assert_reported(
        &problems,
        "CommitDto.author_email: the documents' example shows null",
    );
    assert_reported(
        &problems,
        "CommitListDto.commits: type is array of string, documented array of object CommitDto",
    );
    assert_reported(
        &problems,
        "RepositoryEventAuthorDto.state: enum is [\"active\"]",
    );
}

#[test]
fn tolerant_reader_choices_are_enforced() {
    let problems = problems_after(|doc| {
        at(doc, &format!("{PUSH_PAYLOAD}/commit_count"))
            .as_object_mut()
            .unwrap()
            .insert("minimum".into(), json!(1));
        at(doc, "/components/schemas/CommitDto")
            .as_object_mut()
            .unwrap()
            .insert("required".into(), json!(["id", "message"]));
    });
    assert_reported(
        &problems,
        "PushEventPayloadDto.commit_count: has minimum Some(1)",
    );
    assert_reported(&problems, "CommitDto.message: required");
}

#[test]
fn a_wrong_parameter_is_named() {
    let problems = problems_after(|doc| {
        // `limit` is shared: the events operation gets its own, wrong one.
        *at(doc, &format!("{EVENTS}/parameters/6")) = json!({
            "name": "limit", "in": "query",
            "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 1000, "default": 20}
        });
        at(doc, &format!("{COMMITS}/parameters"))
            .as_array_mut()
            .unwrap()
            .retain(|p| p.get("name") != Some(&json!("follow")));
        *at(doc, "/components/schemas/EventFilter/default") = json!("push");
        *at(doc, "/components/parameters/RepositoryId/required") = json!(false);
    });
    assert_reported(
        &problems,
        "operation ListRepositoryEvents parameter limit (in query): maximum is Some(1000), documented Some(100)",
    );
    assert_reported(
        &problems,
        "operation ListCommits parameter follow (in query): missing",
    );
    assert_reported(
        &problems,
        "operation ListRepositoryEvents parameter filter (in query): default is Some(String(\"push\"))",
    );
    assert_reported(
        &problems,
        "operation ShowLastPushEventInRepository parameter repository_id (in path): required is false",
    );
}

#[test]
fn wrong_operations_responses_security_and_servers_are_named() {
    let problems = problems_after(|doc| {
        *at(doc, &format!("{EVENTS}/operationId")) = json!("GetEvents");
        at(doc, &format!("{COMMITS}/responses"))
            .as_object_mut()
            .unwrap()
            .remove("429");
        *at(
            doc,
            &format!("{COMMITS}/responses/403/content/application~1json/schema"),
        ) = json!({"$ref": "#/components/schemas/CommitDto"});
        at(doc, &format!("{EVENTS}/responses/200/headers"))
            .as_object_mut()
            .unwrap()
            .remove("X-Total");
        *at(doc, "/components/securitySchemes/IamToken/name") = json!("X-Token");
        *at(doc, "/servers/0/variables/region/default") = json!("cn-east-3");
    });
    assert_reported(
        &problems,
        "operationId is Some(\"GetEvents\"), expected ListRepositoryEvents",
    );
    assert_reported(&problems, "operation ListCommits response 429: missing");
    assert_reported(
        &problems,
        "operation ListCommits response 403: body is object CommitDto, expected object ErrorBody",
    );
    assert_reported(
        &problems,
        "operation ListRepositoryEvents response 200 header X-Total: missing",
    );
    assert_reported(
        &problems,
        "security scheme IamToken: name is Some(\"X-Token\"), expected X-Auth-Token",
    );
    assert_reported(
        &problems,
        "servers[0]: region default is Some(\"cn-east-3\"), expected cn-north-4",
    );
}

/// The schema of the events response, as the spec writes it.
fn events_schema() -> Value {
    json!({"type": "array", "items": {"$ref": "#/components/schemas/RepositoryPushEventDto"}})
}

fn events_example(doc: &Value) -> Value {
    doc.pointer(&format!(
        "{EVENTS}/responses/200/content/application~1json/example"
    ))
    .expect("the events response has an example")
    .clone()
}

#[test]
fn a_wrong_example_is_rejected() {
    let doc = document();
    let good = events_example(&doc);
    assert_eq!(
        violations(&doc, &events_schema(), &good),
        Vec::<String>::new()
    );
    let cases: &[(&str, Value, &str)] = &[
        ("/0/author/id", json!(0), "/0/author/id"),
        (
            "/0/repository_id",
            json!(2_147_483_648_i64),
            "/0/repository_id",
        ),
        (
            "/0/push_data/commit_from",
            json!(5),
            "/0/push_data/commit_from",
        ),
        ("/0/push_data/ref", Value::Null, "/0/push_data/ref"),
        ("/0/created_at", json!("yesterday"), "/0/created_at"),
        ("/0/author/state", json!("frozen"), "/0/author/state"),
        ("/0/action_name", json!(7), "/0/action_name"),
        ("/0/push_data/commit_headline", json!("x"), "/0/push_data"),
    ];
    for (pointer, value, reported) in cases {
        let mut bad = good.clone();
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        match bad.pointer_mut(parent).unwrap() {
            Value::Object(map) => {
                map.insert(member.to_string(), value.clone());
            }
            Value::Array(items) => items[member.parse::<usize>().unwrap()] = value.clone(),
            other => panic!("{parent} is {other}"),
        }
        let found = violations(&doc, &events_schema(), &bad);
        assert!(
            found.iter().any(|v| v.contains(&format!("`{reported}`"))),
            "{pointer} = {value} should be rejected at {reported}; got {found:?}"
        );
    }
    // Tolerated by choice: a zero commit count and nulls where the examples have them.
    let mut tolerated = good.clone();
    *tolerated.pointer_mut("/0/push_data/commit_count").unwrap() = json!(0);
    *tolerated.pointer_mut("/0/push_data/commit_to").unwrap() = Value::Null;
    *tolerated.pointer_mut("/0/author/nick_name").unwrap() = Value::Null;
    tolerated[0]
        .as_object_mut()
        .unwrap()
        .remove("author_username");
    assert_eq!(
        violations(&doc, &events_schema(), &tolerated),
        Vec::<String>::new()
    );
}

#[test]
fn a_wrong_example_in_the_spec_is_named() {
    let mut doc = document();
    *at(
        &mut doc,
        &format!("{EVENTS}/responses/200/content/application~1json/example/0/author_id"),
    ) = json!("9124");
    *at(
        &mut doc,
        "/components/responses/NotFound/content/application~1json/example/error_code",
    ) = json!(404);
    *at(
        &mut doc,
        &format!("{EVENTS}/responses/200/headers/X-Total/schema/example"),
    ) = json!("many");
    let problems = example_problems(&doc).unwrap();
    assert_reported(
        &problems,
        "example of ListRepositoryEvents response 200 application/json",
    );
    assert_reported(&problems, "at `/0/author_id`");
    assert_reported(
        &problems,
        "example of components.responses.NotFound application/json",
    );
    assert_reported(&problems, "X-Total");
}

#[test]
fn openapi_schemas_translate_to_json_schema() {
    let translated = to_json_schema(&json!({
        "type": "string", "nullable": true, "example": "x", "x-doc-discrepancy": "why",
        "enum": ["a"], "format": "date-time"
    }));
    assert_eq!(
        translated,
        json!({"type": ["string", "null"], "enum": ["a", null], "format": "date-time"})
    );
    let translated = to_json_schema(&json!({"type": "integer", "format": "int32", "minimum": 1}));
    assert_eq!(
        translated,
        json!({"type": "integer", "minimum": 1, "maximum": 2_147_483_647})
    );
    let translated = to_json_schema(&json!({
        "type": "object",
        "properties": {"example": {"$ref": "#/components/schemas/Timestamp"}},
        "items": {"type": "number", "minimum": 0, "exclusiveMinimum": true}
    }));
    assert_eq!(
        translated,
        json!({
            "type": "object",
            "properties": {"example": {"$ref": "#/definitions/Timestamp"}},
            "items": {"type": "number", "exclusiveMinimum": 0}
        })
    );
}

/// Examples checked against a schema that is not in the table tests: kinds are reported.
#[test]
fn examples_are_found_in_bodies_headers_and_components() {
    let doc = document();
    let found = examples(&doc).unwrap();
    let names: BTreeSet<&str> = found.iter().map(|e: &Example| e.name.as_str()).collect();
    for expected in [
        "ListRepositoryEvents_200",
        "ShowLastPushEventInRepository_200",
        "ListCommits_200",
        "ListCommits_401",
        "ListCommits_403",
        "ListPersonalRecentPushEvents_200",
        "response_BadRequest",
        "response_Unauthorized",
        "response_Forbidden",
        "response_NotFound",
        "response_TooManyRequests",
        "response_InternalServerError",
    ] {
        assert!(
            names.contains(expected),
            "no example named {expected} in {names:?}"
        );
    }
}
