//! Regeneration and checks for the codearts-repo workspace, run as `cargo xtask <command>`.
//!
//! `codegen` brings everything derived from `openapi/codearts-repo.yaml` up to date after a
//! spec edit; `check` fails when something derived is out of date. Both use the same
//! generation settings as the build (`codearts-repo-codegen`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

mod bench;
mod cargo;
mod emulator;
mod package;
mod spec_acceptance;
mod tools;
mod unused_deps;

/// Test package holding the spec tests and the drift snapshots.
const TESTS_PACKAGE: &str = "codearts-repo-tests";
/// Test target whose insta snapshots show the generated code and the decoded examples.
const SNAPSHOT_TEST: &str = "generated";
/// Test target that checks the spec against the source documents.
const SPEC_TEST: &str = "spec";
/// The spec tests that compare the files derived from the spec; `check` compares them
/// itself.
const DERIVED_FILE_TESTS: [&str; 2] = ["bundled_json_is_current", "packaged_spec_copy_is_current"];
/// Where the drift snapshots live, relative to the workspace root.
const SNAPSHOT_DIR: &str = "tests/tests/snapshots";
/// File-name prefix insta gives the snapshots of [`SNAPSHOT_TEST`].
const SNAPSHOT_PREFIX: &str = "generated__";
/// The command's manual page, checked in, as `codearts-repo man` writes it (relative to the
/// workspace root). Its operations' flags come from the spec, so a spec edit changes it.
const MAN_PAGE_PATH: &str = "crates/codearts-repo-cli/man/codearts-repo.1";
/// The package and binary that write the manual page.
const CLI_PACKAGE: &str = "codearts-repo-cli";
const CLI_BIN: &str = "codearts-repo";
/// Directories never searched for pending snapshots.
const SKIPPED_DIRS: &[&str] = &["target", ".git", "node_modules", ".tools"];

const HELP: &str = "\
Usage: cargo xtask <command>

Commands:
  codegen  Regenerate after editing openapi/codearts-repo.yaml: check the spec, write
           openapi/codearts-repo.json and the copy codearts-repo-gen packages
           (crates/codearts-repo-gen/openapi/codearts-repo.yaml), and re-run the drift
           snapshot tests accepting their changes (tests/tests/snapshots/generated__*.snap),
           then rewrite the command's manual page (as `cargo xtask man` does). Leaves no
           pending snapshots.
  check    Fail (exit 1) when the spec is invalid or fails its tests, openapi/codearts-repo.json
           or the gen crate's copy of the spec is stale, a drift snapshot is out of date, the
           checked-in manual page is stale, or a pending snapshot file (*.snap.new,
           *.pending-snap) lies in the tree. Each problem names the file and the command
           that fixes it.
  man      Write crates/codearts-repo-cli/man/codearts-repo.1, the manual page as the
           command (default features) prints it with `codearts-repo man`.
  spec-lint [--spec PATH]... [--self-test]
           Validate the spec (YAML and JSON forms, or each PATH) with openapi-spec-validator
           and lint it with Redocly CLI (redocly.yaml), installing both into .tools/; fail on
           any error or warning. --self-test breaks copies of the spec three ways (an example
           violating its schema, no operationId, a $ref to nowhere); each must be refused.
  spec-clients
           Generate Python (openapi-python-client) and TypeScript (openapi-typescript +
           openapi-fetch) clients from openapi/codearts-repo.json into target/spec-clients/,
           start the emulator and run spec-clients/{python/check.py,typescript/check.ts}.
  tools    Install every pinned Python and Node tool the other tasks use (the spec tools
           into .tools/venv and .tools/node, the official Python SDK into
           .tools/bench-python) unless already there. CI runs it in the background while it
           compiles.
  schemathesis
           Start the emulator and run Schemathesis (pinned with the spec tools, installed
           into .tools/venv) against it with every check, seed 1 and 100 examples per
           operation and phase; generators for the spec's own formats come from
           spec-clients/schemathesis/formats.py. Fail on any failure.
  signing-parity
           Prove the four AK/SK signing algorithms match the official Python SDK's
           (huaweicloudsdkcore, pinned in bench/python, installed into .tools/bench-python):
           run signing-parity/parity.py on the runtime's `signing_vectors` example (same
           HMAC headers, same canonical request and derived keys, each side's verifier
           accepting the other's ECDSA and SM2 signatures), then the official client with
           each algorithm against the emulator.
  bench [--commits N] [--events N] [--latency-ms N] [--concurrency N] [--small N] [--no-python]
           Export benchmark (BENCHMARKS.md): release-build the emulator and bench/export, start
           the emulator (100,000 commits, 10,000 events, 20 ms latency), export everything
           with the SDK (default and tuned concurrency), a raw reqwest loop and the official
           Python SDK (pinned in bench/python, installed into .tools/bench-python); print
           wall, CPU and peak RSS of each with the ratios and goals of issue 6.
  bench --build-cost
           Clean release build time of bench/build-cost/sdk against bench/build-cost/reqwest-only
           (takes minutes).
  bench --feature-sets
           Clean release build time and binary size of bench/build-cost/sdk with each TLS
           feature (default-tls, native-tls, rustls-ring) and with the blocking client
           (takes minutes per set).
  package [--allow-dirty]
           Package every publishable crate and verify it builds from its .crate file alone
           (cargo package --workspace), then build and run a program outside the workspace
           (xtask/package-consumer/main.rs) that depends on the packaged crates by version.
  spec-acceptance [--keep]
           In a copy of the workspace (target/spec-acceptance), add a text and a ranged
           integer query parameter to ListCommits in the spec, run `cargo xtask codegen`, and
           check with no other edit that each is an SDK setter with its documented check, a
           command-line flag with its range, a value on the wire, and a parameter the
           emulator parses and range-checks (400 naming it).
  unused-deps
           Fail when a manifest declares a dependency its crate never uses (cargo-machete,
           pinned, installed into .tools/cargo-machete on first use).
  help     Show this text.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = match workspace_root() {
        Ok(root) => root,
        Err(problem) => {
            eprintln!("error: {problem}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen(&root),
        ["check"] => check(&root),
        ["man"] => write_man_page(&root),
        ["spec-lint", rest @ ..] => tools::spec_lint::spec_lint(&root, rest),
        ["spec-clients", rest @ ..] => tools::spec_clients::spec_clients(&root, rest),
        ["signing-parity", rest @ ..] => tools::signing_parity::signing_parity(&root, rest),
        ["schemathesis", rest @ ..] => tools::schemathesis::schemathesis(&root, rest),
        ["tools"] => tools::install(&root)
            .and_then(|_| bench::install_python(&root))
            .map(|_| ())
            .map_err(|e| vec![e]),
        ["bench", rest @ ..] => bench::bench(&root, rest),
        ["package", rest @ ..] => package::package(&root, rest),
        ["unused-deps", rest @ ..] => unused_deps::unused_deps(&root, rest),
        ["spec-acceptance", rest @ ..] => spec_acceptance::spec_acceptance(&root, rest),
        ["help"] | ["--help"] | ["-h"] | [] => {
            print!("{HELP}");
            return if args.is_empty() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
        _ => {
            eprint!("error: unknown command `{}`\n\n{HELP}", args.join(" "));
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(problems) => {
            for problem in &problems {
                eprintln!("error: {problem}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The root of the workspace `cargo xtask` is run in, found from the current directory at
/// run time (a path fixed at compile time would name another checkout when several share
/// one `CARGO_TARGET_DIR`).
fn workspace_root() -> Result<PathBuf, String> {
    let here =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    codearts_repo_codegen::find_workspace_root(&here).ok_or_else(|| {
        format!(
            "{} is not inside the codearts-repo workspace (no Cargo.toml with [workspace] \
             beside {} in it or above it): run `cargo xtask` inside the checkout",
            here.display(),
            codearts_repo_codegen::SPEC_PATH
        )
    })
}

/// `cargo xtask codegen`.
fn codegen(root: &Path) -> Result<(), Vec<String>> {
    let spec = root.join(codearts_repo_codegen::SPEC_PATH);
    // Fails with the same one-line message the build would print.
    codearts_repo_codegen::generate(&spec).map_err(|e| vec![e.to_string()])?;

    for (path, expected) in derived_files(root, &spec).map_err(|e| vec![e])? {
        let target = root.join(path);
        if fs::read_to_string(&target).ok().as_deref() == Some(expected.as_str()) {
            println!("{path} is up to date");
        } else {
            fs::write(&target, expected)
                .map_err(|e| vec![format!("cannot write {}: {e}", target.display())])?;
            println!("wrote {path}");
        }
    }

    // Pending files of the drift snapshots are superseded by this run.
    let snapshot_dir = root.join(SNAPSHOT_DIR);
    for pending in pending_snapshots(root) {
        if is_drift_pending(root, &pending) {
            fs::remove_file(&pending)
                .map_err(|e| vec![format!("cannot remove {}: {e}", pending.display())])?;
        }
    }

    // Start from no drift snapshots, so that those of examples no longer in the spec go
    // away.
    let before = read_snapshots(&snapshot_dir).map_err(|e| vec![e])?;
    for path in before.keys() {
        fs::remove_file(path)
            .map_err(|e| vec![format!("cannot remove {}: {e}", path.display())])?;
    }
    println!("running the drift snapshot tests, accepting their changes");
    // Accepting is this command's purpose; `CI` is cleared so the guard test against
    // accepting in CI does not refuse it.
    let output = cargo_test(
        root,
        SNAPSHOT_TEST,
        &[("INSTA_UPDATE", "always"), ("CI", "")],
        &[],
    );
    let failure = match output {
        Ok(output) if output.status.success() => None,
        Ok(output) => {
            print_output(&output);
            Some(
                "the tests still fail after accepting the snapshot changes (output above)"
                    .to_string(),
            )
        }
        Err(e) => Some(e),
    };
    // After a failed run, a snapshot that was not written again (its test failed before
    // reaching it) is kept; after a clean run, it belonged to an example no longer there.
    for (path, text) in &before {
        if failure.is_some() && !path.exists() {
            fs::write(path, text)
                .map_err(|e| vec![format!("cannot restore {}: {e}", path.display())])?;
        }
    }
    let after = read_snapshots(&snapshot_dir).map_err(|e| vec![e])?;
    report_snapshot_changes(root, &before, &after);

    let mut problems: Vec<String> = failure
        .map(|why| {
            format!(
                "{SNAPSHOT_DIR}: {why}; correct {} and run `cargo xtask codegen` again",
                codearts_repo_codegen::SPEC_PATH
            )
        })
        .into_iter()
        .collect();
    let leftover: Vec<String> = pending_snapshots(root)
        .iter()
        .map(|path| {
            format!(
                "pending snapshot {} is not a drift snapshot of {TESTS_PACKAGE}: review it with \
                 the test that wrote it (INSTA_UPDATE=always cargo test ...) or delete it",
                relative(root, path)
            )
        })
        .collect();
    problems.extend(leftover);
    // The command's flags come from the spec, so its manual page follows it.
    if let Err(more) = write_man_page(root) {
        problems.extend(more);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `cargo xtask man`: writes the checked-in manual page when it differs.
fn write_man_page(root: &Path) -> Result<(), Vec<String>> {
    let page = man_page(root).map_err(|e| vec![e])?;
    let target = root.join(MAN_PAGE_PATH);
    if fs::read(&target).ok().as_deref() == Some(page.as_slice()) {
        println!("{MAN_PAGE_PATH} is up to date");
        return Ok(());
    }
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| vec![format!("cannot create {}: {e}", dir.display())])?;
    }
    fs::write(&target, page)
        .map_err(|e| vec![format!("cannot write {}: {e}", target.display())])?;
    println!("wrote {MAN_PAGE_PATH}");
    Ok(())
}

/// The manual page as the command built from this checkout prints it (`codearts-repo man`,
/// default features, which include the `demo` subcommand).
fn man_page(root: &Path) -> Result<Vec<u8>, String> {
    let what = format!("cargo run --package {CLI_PACKAGE} --bin {CLI_BIN} -- man");
    let output = cargo::command()
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--locked",
            "--package",
            CLI_PACKAGE,
            "--bin",
            CLI_BIN,
            "--",
            "man",
        ])
        .output()
        .map_err(|e| format!("cannot run `{what}`: {e}"))?;
    if !output.status.success() {
        print_output(&output);
        return Err(format!(
            "`{what}` failed (output above), so {MAN_PAGE_PATH} cannot be checked"
        ));
    }
    if output.stdout.is_empty() {
        return Err(format!("`{what}` printed nothing"));
    }
    Ok(output.stdout)
}

/// Whether the checked-in manual page is what the command prints; the problem otherwise.
fn check_man_page(root: &Path) -> Result<(), String> {
    let page = man_page(root)?;
    match fs::read(root.join(MAN_PAGE_PATH)) {
        Ok(actual) if actual == page => Ok(()),
        Ok(_) => Err(format!(
            "{MAN_PAGE_PATH} is stale: it is not what `codearts-repo man` prints (the command's \
             flags or help changed, or the spec did); run `cargo xtask man` (or `cargo xtask \
             codegen` after a spec edit)"
        )),
        Err(e) => Err(format!(
            "{MAN_PAGE_PATH} cannot be read ({e}); run `cargo xtask man`"
        )),
    }
}

/// `cargo xtask check`.
fn check(root: &Path) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();

    for pending in pending_snapshots(root) {
        let fix = if is_drift_pending(root, &pending) {
            "run `cargo xtask codegen` to accept the change, or delete it".to_string()
        } else {
            "review it with the test that wrote it (INSTA_UPDATE=always cargo test ...), or delete it"
                .to_string()
        };
        problems.push(format!(
            "pending snapshot file {} lies in the tree: {fix}",
            relative(root, &pending)
        ));
    }

    let spec = root.join(codearts_repo_codegen::SPEC_PATH);
    let spec_ok = match codearts_repo_codegen::generate(&spec) {
        Ok(_) => true,
        Err(e) => {
            problems.push(format!(
                "{e} (fix the spec, then run `cargo xtask codegen`)"
            ));
            false
        }
    };

    if spec_ok {
        match derived_files(root, &spec) {
            Ok(files) => {
                for (path, expected) in files {
                    match fs::read_to_string(root.join(path)) {
                        Ok(actual) if actual == expected => {}
                        Ok(_) => problems.push(format!(
                            "{path} is stale: it does not match {}; run `cargo xtask codegen`",
                            codearts_repo_codegen::SPEC_PATH
                        )),
                        Err(e) => problems.push(format!(
                            "{path} cannot be read ({e}); run `cargo xtask codegen`"
                        )),
                    }
                }
            }
            Err(e) => problems.push(e),
        }

        match cargo_test(root, SNAPSHOT_TEST, &[("INSTA_UPDATE", "no")], &[]) {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                print_output(&output);
                let stale = stale_snapshots(&output);
                if stale.is_empty() {
                    problems.push(format!(
                        "the drift snapshot tests (tests/tests/{SNAPSHOT_TEST}.rs) fail (output \
                         above); after a spec edit run `cargo xtask codegen`"
                    ));
                }
                for snapshot in stale {
                    problems.push(format!(
                        "snapshot {snapshot} is out of date with {}: run `cargo xtask codegen`",
                        codearts_repo_codegen::SPEC_PATH
                    ));
                }
            }
            Err(e) => problems.push(e),
        }

        match cargo_test(
            root,
            SPEC_TEST,
            &[],
            &[
                "--skip",
                DERIVED_FILE_TESTS[0],
                "--skip",
                DERIVED_FILE_TESTS[1],
            ],
        ) {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                print_output(&output);
                problems.push(format!(
                    "{} fails its spec tests (tests/tests/{SPEC_TEST}.rs; output above names each \
                     problem): correct the spec, then run `cargo xtask codegen`",
                    codearts_repo_codegen::SPEC_PATH
                ));
            }
            Err(e) => problems.push(e),
        }

        if let Err(problem) = check_man_page(root) {
            problems.push(problem);
        }
    }

    if problems.is_empty() {
        println!("spec, bundled JSON, drift snapshots and the manual page are up to date");
        Ok(())
    } else {
        Err(problems)
    }
}

/// The files written from the spec (path relative to the workspace root, content): its
/// bundled JSON form for other languages, and the copy `codearts-repo-gen` packages and
/// builds from.
fn derived_files(root: &Path, spec: &Path) -> Result<[(&'static str, String); 2], String> {
    let json = codearts_repo_codegen::spec_json(spec).map_err(|e| e.to_string())?;
    let copy = fs::read_to_string(spec)
        .map_err(|e| format!("cannot read {}: {e}", relative(root, spec)))?;
    Ok([
        (codearts_repo_codegen::SPEC_JSON_PATH, json),
        (codearts_repo_codegen::PACKAGED_SPEC_COPY_PATH, copy),
    ])
}

/// Runs one test target of the tests package, with insta's behaviour set by `env`.
fn cargo_test(
    root: &Path,
    target: &str,
    env: &[(&str, &str)],
    test_args: &[&str],
) -> Result<Output, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "test",
            "--quiet",
            "--locked",
            "--package",
            TESTS_PACKAGE,
            "--test",
            target,
        ])
        // Never let an ambient setting accept or skip a snapshot behind our back.
        .env_remove("INSTA_FORCE_PASS")
        .env_remove("INSTA_UPDATE")
        .env("CLICOLOR", "0")
        .env("RUST_BACKTRACE", "0");
    for (name, value) in env {
        command.env(name, value);
    }
    if !test_args.is_empty() {
        command.arg("--").args(test_args);
    }
    command.output().map_err(|e| {
        format!("cannot run `cargo test --package {TESTS_PACKAGE} --test {target}`: {e}")
    })
}

fn print_output(output: &Output) {
    print!("{}", String::from_utf8_lossy(&output.stdout));
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
}

/// Snapshot files reported as not matching (or as orphans), from a test run's output.
fn stale_snapshots(output: &Output) -> Vec<String> {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut found: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = strip_ansi(line);
        let line = line.trim();
        // insta's report, or the drift tests' own lists (stale examples, orphans).
        let name = match line.strip_prefix("Snapshot file:") {
            Some(rest) => rest.trim(),
            None if line.starts_with(SNAPSHOT_DIR) => {
                line.split_whitespace().next().unwrap_or(line)
            }
            None => continue,
        };
        if name.ends_with(".snap") && !found.iter().any(|f| f == name) {
            found.push(name.to_string());
        }
    }
    found
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip a CSI sequence: ESC '[' parameters final-byte.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The drift snapshot files and their contents.
fn read_snapshots(dir: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let mut snapshots = BTreeMap::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(snapshots),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        let name = file_name(&path);
        if name.starts_with(SNAPSHOT_PREFIX) && name.ends_with(".snap") {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            snapshots.insert(path, text);
        }
    }
    Ok(snapshots)
}

fn report_snapshot_changes(
    root: &Path,
    before: &BTreeMap<PathBuf, String>,
    after: &BTreeMap<PathBuf, String>,
) {
    let mut changes = 0;
    for (path, text) in after {
        match before.get(path) {
            None => println!("added    {}", relative(root, path)),
            Some(old) if old != text => println!("updated  {}", relative(root, path)),
            Some(_) => continue,
        }
        changes += 1;
    }
    for path in before.keys().filter(|path| !after.contains_key(*path)) {
        println!("removed  {}", relative(root, path));
        changes += 1;
    }
    if changes == 0 {
        println!("drift snapshots unchanged");
    }
}

/// Whether `path` is a pending file of the drift snapshots (an inline one can only be a
/// leftover: the drift tests use file snapshots).
fn is_drift_pending(root: &Path, path: &Path) -> bool {
    let in_snapshot_dir = path.parent() == Some(root.join(SNAPSHOT_DIR).as_path())
        && file_name(path).starts_with(SNAPSHOT_PREFIX);
    let inline = path == root.join(format!("tests/tests/.{SNAPSHOT_TEST}.rs.pending-snap"));
    in_snapshot_dir || inline
}

/// Every pending insta file (`*.snap.new`, `*.pending-snap`) below `root`.
fn pending_snapshots(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = file_name(&path);
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    stack.push(path);
                }
            } else if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn output(stdout: &str) -> Output {
        Output {
            status: std::process::ExitStatus::from_raw(256),
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
        }
    }

    #[test]
    fn stale_snapshots_are_read_from_insta_and_from_the_drift_tests() {
        let text = "\u{1b}[1mSnapshot file: tests/tests/snapshots/generated__generated_source.snap\u{1b}[0m\n\
                    Snapshot: generated_source\n\
                    snapshots of examples no longer in the spec (run `cargo xtask codegen`):\n  \
                    tests/tests/snapshots/generated__example_Old.snap\n  \
                    tests/tests/snapshots/generated__generated_source.snap (again)\n";
        assert_eq!(
            stale_snapshots(&output(text)),
            [
                "tests/tests/snapshots/generated__generated_source.snap",
                "tests/tests/snapshots/generated__example_Old.snap",
            ]
        );
        assert!(stale_snapshots(&output("test result: FAILED\n")).is_empty());
    }

    #[test]
    fn pending_files_are_found_and_sorted_by_owner() {
        let root = std::env::temp_dir().join(format!("xtask-pending-{}", std::process::id()));
        let snapshots = root.join(SNAPSHOT_DIR);
        let other = root.join("crates/cli/tests/snapshots");
        let skipped = root.join("target/debug");
        for dir in [&snapshots, &other, &skipped] {
            fs::create_dir_all(dir).unwrap();
        }
        let files = [
            snapshots.join("generated__generated_source.snap.new"),
            snapshots.join("generated__generated_source.snap"),
            root.join("tests/tests/.generated.rs.pending-snap"),
            other.join("cli__help.snap.new"),
            skipped.join("ignored.snap.new"),
        ];
        for file in &files {
            fs::write(file, "").unwrap();
        }
        let found = pending_snapshots(&root);
        let drift: Vec<bool> = found.iter().map(|p| is_drift_pending(&root, p)).collect();
        let names: Vec<String> = found.iter().map(|p| relative(&root, p)).collect();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            names,
            [
                "crates/cli/tests/snapshots/cli__help.snap.new",
                "tests/tests/.generated.rs.pending-snap",
                "tests/tests/snapshots/generated__generated_source.snap.new",
            ]
        );
        assert_eq!(drift, [false, true, true]);
    }

    #[test]
    fn escape_sequences_are_stripped() {
        assert_eq!(strip_ansi("\u{1b}[31mred\u{1b}[0m text"), "red text");
    }
}
