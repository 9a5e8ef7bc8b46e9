//! A malformed spec fails generation with one message naming the spec file and the
//! problem, never a panic from inside progenitor.
//!
//! Each test breaks a copy of the real spec in one way and runs [`generate`], the function
//! the build script of `codearts-repo-gen` runs.

use std::path::{Path, PathBuf};

use codearts_repo_codegen::{CodegenError, generate, spec_json};

fn real_spec() -> String {
    let path = codearts_repo_tests::spec_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The real spec with `from` replaced by `to`, exactly once.
fn edited(from: &str, to: &str) -> String {
    let text = real_spec();
    assert_eq!(
        text.matches(from).count(),
        1,
        "the spec no longer holds {from:?} exactly once; update this test's edit"
    );
    text.replacen(from, to, 1)
}

/// Writes `text` as a spec file in a fresh directory and runs the generator on it.
fn generate_from(text: &str) -> (tempfile::TempDir, PathBuf, CodegenError) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("codearts-repo.yaml");
    std::fs::write(&path, text).expect("write spec");
    let error = generate(&path).expect_err("a broken spec must not generate");
    (dir, path, error)
}

/// The one message names the file first, then the problem, on one line.
fn assert_one_message(path: &Path, error: &CodegenError, problem: &str) {
    let message = error.to_string();
    assert_eq!(error.path, path);
    assert!(
        message.starts_with(&format!("{}: ", path.display())),
        "message does not start with the spec file: {message}"
    );
    assert!(
        message.contains(problem),
        "message does not say {problem:?}: {message}"
    );
    assert!(!message.contains('\n'), "message spans lines: {message}");
    // The JSON form refuses the same spec, with the same message.
    assert_eq!(
        spec_json(path).expect_err("same checks").to_string(),
        message
    );
}

#[test]
fn the_real_spec_generates() {
    let path = codearts_repo_tests::spec_path();
    let generated = generate(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(generated.source.contains("pub struct Client"));
    assert!(generated.source.contains("pub const REGION_ENDPOINTS"));
}

#[test]
fn a_yaml_error_is_named() {
    let (_dir, path, error) = generate_from(&format!("{}\n  - broken: [unclosed\n", real_spec()));
    assert_one_message(&path, &error, "not valid YAML");
}

#[test]
fn openapi_3_1_is_refused() {
    let (_dir, path, error) = generate_from(&edited("openapi: 3.0.3", "openapi: 3.1.0"));
    assert_one_message(&path, &error, "OpenAPI version 3.1.0 is not supported");
}

#[test]
fn a_missing_operation_id_is_named() {
    let (_dir, path, error) = generate_from(&edited("      operationId: ListCommits\n", ""));
    assert_one_message(
        &path,
        &error,
        "operation GET /v4/repositories/{repository_id}/repository/commit-list has no operationId",
    );
}

#[test]
fn mixed_error_body_types_are_named() {
    let text = edited(
        "      operationId: ListPersonalRecentPushEvents\n",
        "      operationId: ListPersonalRecentPushEvents\n      x-marker: mixed\n",
    );
    // Give the last operation's 500 response a plain-text body.
    let marker = text.find("x-marker: mixed").expect("marker");
    let tail = &text[marker..];
    let from = "        '500':\n          $ref: '#/components/responses/InternalServerError'\n";
    let at = marker
        + tail
            .find(from)
            .expect("the last operation has a 500 response");
    let to = "        '500':\n          description: Plain text.\n          content:\n            \
              application/json:\n              schema:\n                type: string\n";
    let text = format!("{}{to}{}", &text[..at], &text[at + from.len()..]);
    let (_dir, path, error) = generate_from(&text);
    assert_one_message(
        &path,
        &error,
        "operation ListPersonalRecentPushEvents has error responses with different body types",
    );
}

#[test]
fn a_dangling_ref_is_named() {
    let text = real_spec().replacen(
        "$ref: '#/components/parameters/Limit'",
        "$ref: '#/components/parameters/PageSize'",
        1,
    );
    assert_ne!(
        text,
        real_spec(),
        "the spec no longer refers to the Limit parameter"
    );
    let (_dir, path, error) = generate_from(&text);
    assert_one_message(
        &path,
        &error,
        "`$ref: #/components/parameters/PageSize` points to nothing",
    );
}

#[test]
fn the_file_is_named_without_dot_dot_steps() {
    // A path given with `..` steps is named without them.
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir(dir.path().join("crate")).expect("create dir");
    std::fs::write(dir.path().join("spec.yaml"), "openapi: 3.1.0\n").expect("write spec");
    let error = generate(&dir.path().join("crate/../spec.yaml")).expect_err("3.1 is refused");
    let expected = format!("{}: ", dir.path().join("spec.yaml").display());
    assert!(error.to_string().starts_with(&expected), "{error}");
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("absent.yaml");
    let error = generate(&path).expect_err("no file, no code");
    assert_one_message(&path, &error, "cannot read");
}
