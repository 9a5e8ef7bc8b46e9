//! Drift snapshots: the generated client source, and every example payload of the spec
//! decoded by the generated types and encoded again.
//!
//! The source comes from `codearts_repo_codegen::generate`, the function the build script
//! of `codearts-repo-gen` runs, so the snapshot shows exactly the code that compiles. Any
//! spec edit that changes the generated code or the payloads fails these tests with a diff
//! until `cargo xtask codegen` accepts it.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use codearts_repo_gen::types;
use codearts_repo_tests::{Example, ExampleKind, examples, spec_document, spec_path};
use serde_json::Value;

/// Prefix insta gives the snapshot files of this test file.
const SNAPSHOT_PREFIX: &str = "generated__";
/// Prefix of the example payload snapshots, after [`SNAPSHOT_PREFIX`].
const EXAMPLE_PREFIX: &str = "example_";

fn payload_examples() -> Vec<Example> {
    let doc = spec_document().unwrap_or_else(|e| panic!("{e}"));
    let found: Vec<Example> = examples(&doc)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|e| e.kind == ExampleKind::Payload)
        .collect();
    assert!(
        !found.is_empty(),
        "{}: no example payloads found",
        spec_path().display()
    );
    found
}

/// The component schema a body schema names, and whether the body is an array of it.
fn body_type(example: &Example) -> Result<(String, bool), String> {
    let component = |schema: &Value| {
        schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_string)
    };
    let schema = &example.schema;
    if let Some(name) = component(schema) {
        return Ok((name, false));
    }
    if schema.get("type").and_then(Value::as_str) == Some("array")
        && let Some(name) = schema.get("items").and_then(component)
    {
        return Ok((name, true));
    }
    Err(format!(
        "example of {}: its body schema {schema} is neither a component nor an array of one",
        example.location
    ))
}

/// Decodes `value` with the generated type of the body schema and encodes it again.
fn reencode(example: &Example) -> Result<Value, String> {
    let value = &example.value;
    macro_rules! via {
        ($ty:ty) => {{
            let decoded: $ty = serde_json::from_value(value.clone()).map_err(|e| {
                format!(
                    "example of {} does not decode as {}: {e}",
                    example.location,
                    stringify!($ty)
                )
            })?;
            serde_json::to_value(&decoded).map_err(|e| e.to_string())
        }};
    }
    match body_type(example)? {
        (name, false) => match name.as_str() {
            "ErrorBody" => via!(types::ErrorBody),
            "LastPushEventDto" => via!(types::LastPushEventDto),
            "CommitListDto" => via!(types::CommitListDto),
            "RepositoryPushEventDto" => via!(types::RepositoryPushEventDto),
            "PersonalPushEventDto" => via!(types::PersonalPushEventDto),
            other => Err(format!(
                "no generated type mapped to schema {other}: add it to reencode()"
            )),
        },
        (name, true) => match name.as_str() {
            "RepositoryPushEventDto" => via!(Vec<types::RepositoryPushEventDto>),
            "PersonalPushEventDto" => via!(Vec<types::PersonalPushEventDto>),
            "CommitDto" => via!(Vec<types::CommitDto>),
            other => Err(format!(
                "no generated type mapped to an array of {other}: add it to reencode()"
            )),
        },
    }
}

/// `value` without `null` members: the generated types encode an absent optional field by
/// leaving it out, and the tolerant reader treats `null` and absent alike.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn generated_source() {
    let generated = codearts_repo_codegen::generate(&spec_path()).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("generated_source", generated.source);
}

/// One snapshot per example payload; every stale one is reported, not just the first.
#[test]
fn example_payloads_reencoded() {
    let mut failures = Vec::new();
    for example in payload_examples() {
        let reencoded = reencode(&example).unwrap_or_else(|e| panic!("{e}"));
        let name = format!("{EXAMPLE_PREFIX}{}", example.name);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            insta::with_settings!({ description => example.location.clone() }, {
                insta::assert_json_snapshot!(name.as_str(), reencoded);
            });
        }));
        if outcome.is_err() {
            failures.push(format!(
                "tests/tests/snapshots/{SNAPSHOT_PREFIX}{name}.snap ({})",
                example.location
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "example payload snapshots differ (after a spec edit run `cargo xtask codegen`):\n  {}",
        failures.join("\n  ")
    );
}

/// Decoding and encoding again loses nothing but `null`s: every field of every example
/// has a place in the generated types.
#[test]
fn example_payloads_survive_decoding() {
    let mut lost = Vec::new();
    for example in payload_examples() {
        let reencoded = reencode(&example).unwrap_or_else(|e| panic!("{e}"));
        let expected = without_nulls(&example.value);
        if reencoded != expected {
            lost.push(format!(
                "example of {}:\n    spec:      {expected}\n    reencoded: {reencoded}",
                example.location
            ));
        }
    }
    assert!(
        lost.is_empty(),
        "the generated types lose data:\n  {}",
        lost.join("\n  ")
    );
}

/// A snapshot left from an example the spec no longer has would never be checked again.
#[test]
fn no_orphaned_example_snapshots() {
    let expected: BTreeSet<String> = payload_examples()
        .iter()
        .map(|e| format!("{SNAPSHOT_PREFIX}{EXAMPLE_PREFIX}{}.snap", e.name))
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|entry| {
                entry
                    .ok()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("cannot list {}: {e}", dir.display()),
    };
    let orphans: Vec<String> = names
        .into_iter()
        .filter(|name| {
            name.starts_with(&format!("{SNAPSHOT_PREFIX}{EXAMPLE_PREFIX}"))
                && name.ends_with(".snap")
        })
        .filter(|name| !expected.contains(name))
        .map(|name| format!("tests/tests/snapshots/{name}"))
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots of examples no longer in the spec (run `cargo xtask codegen` to remove them):\n  {}",
        orphans.join("\n  ")
    );
}

/// A payload that contradicts the generated types is an error, not a silent success.
#[test]
fn a_payload_of_the_wrong_shape_is_rejected() {
    let mut example = payload_examples()
        .into_iter()
        .find(|e| e.name == "ListCommits_200")
        .expect("the commit list has an example");
    example.value["commits"][0]["parent_ids"] = Value::from("not a list");
    let error = reencode(&example).expect_err("a string is not a list of parent ids");
    assert!(error.contains("ListCommits response 200"), "{error}");
}

/// In CI a changed snapshot must fail the run: insta's default there (`CI` set) is to
/// write nothing and fail. Settings that would accept changes silently are refused.
#[test]
fn ci_never_accepts_snapshot_changes() {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    let mut problems = Vec::new();
    if ci
        && let Ok(update) = std::env::var("INSTA_UPDATE")
        && !matches!(update.as_str(), "" | "no" | "auto")
    {
        problems.push(format!(
            "INSTA_UPDATE={update} would accept snapshot changes"
        ));
    }
    if std::env::var("INSTA_FORCE_PASS").is_ok_and(|v| !matches!(v.as_str(), "" | "0")) {
        problems.push("INSTA_FORCE_PASS would pass failing snapshots".to_string());
    }
    let root = codearts_repo_tests::workspace_root();
    for config in [
        root.join("insta.yaml"),
        root.join(".config/insta.yaml"),
        root.join("tests/insta.yaml"),
        root.join("tests/.config/insta.yaml"),
    ] {
        let text = std::fs::read_to_string(&config).unwrap_or_default();
        for setting in ["force_pass", "update:"] {
            if text.contains(setting) {
                problems.push(format!("{} sets insta's `{setting}`", config.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "snapshot changes could pass unreviewed:\n  {}",
        problems.join("\n  ")
    );
}
