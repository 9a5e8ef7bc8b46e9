//! `cargo xtask spec-lint`: validates the spec with openapi-spec-validator and lints it
//! with Redocly CLI (settings in `redocly.yaml`, where every rule is an error), so that a
//! clean run has neither errors nor warnings.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Tools, capture, install, relative};

/// Redocly CLI settings, relative to the workspace root.
const REDOCLY_CONFIG: &str = "redocly.yaml";
/// Longest line of validator output shown: it may print the whole spec after a bad `$ref`.
const MAX_LINE: usize = 400;
/// Where `--self-test` writes its broken copies of the spec, relative to the workspace root.
const SELF_TEST_DIR: &str = "target/spec-lint-self-test";

/// One deliberate break of the spec for `--self-test`.
struct Break {
    /// What the break is.
    name: &'static str,
    /// Text of the spec to replace; must occur exactly once.
    find: &'static str,
    replace: &'static str,
    /// Texts that the lint report must contain: the rule or message that catches it.
    expected: &'static [&'static str],
}

const BREAKS: &[Break] = &[
    Break {
        name: "an example that violates its schema",
        find: "verification_status: 1\n",
        replace: "verification_status: seven\n",
        expected: &["no-invalid-media-type-examples", "verification_status"],
    },
    Break {
        name: "an operation without operationId",
        find: "\n      operationId: ListCommits\n",
        replace: "\n",
        expected: &["operation-operationId"],
    },
    Break {
        name: "a $ref to nowhere",
        find: "$ref: '#/components/schemas/CommitListDto'",
        replace: "$ref: '#/components/schemas/NoSuchSchema'",
        expected: &["no-unresolved-refs", "NoSuchSchema' does not exist"],
    },
];

/// `cargo xtask spec-lint [--spec PATH]... [--self-test]`.
pub(crate) fn spec_lint(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    let mut specs = Vec::new();
    let mut self_test = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--self-test" => self_test = true,
            "--spec" => match rest.next() {
                Some(path) => specs.push(PathBuf::from(path)),
                None => return Err(vec!["--spec needs a path".to_string()]),
            },
            other => {
                return Err(vec![format!(
                    "spec-lint: unknown argument `{other}` (see `cargo xtask help`)"
                )]);
            }
        }
    }
    if self_test && !specs.is_empty() {
        return Err(vec![
            "spec-lint: --self-test breaks the workspace's spec; it takes no --spec".to_string(),
        ]);
    }
    let tools = install(root).map_err(|e| vec![e])?;
    if self_test {
        return run_self_test(root, &tools);
    }
    if specs.is_empty() {
        specs = vec![
            root.join(codearts_repo_codegen::SPEC_PATH),
            root.join(codearts_repo_codegen::SPEC_JSON_PATH),
        ];
    }
    let mut problems = Vec::new();
    for spec in &specs {
        let found = lint(root, &tools, spec).map_err(|e| vec![e])?;
        if found.is_empty() {
            println!("{}: valid, no lint problem", relative(root, spec));
        }
        problems.extend(found);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Every problem the two tools find in `spec`; `Err` when a tool cannot be run.
fn lint(root: &Path, tools: &Tools, spec: &Path) -> Result<Vec<String>, String> {
    if !spec.is_file() {
        return Ok(vec![format!("{}: no such file", spec.display())]);
    }
    let shown = relative(root, spec);
    let mut problems = Vec::new();

    let output = capture(
        Command::new(tools.venv_bin("openapi-spec-validator")).arg(spec),
        "run openapi-spec-validator",
    )?;
    if !output.status.success() {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<String> = text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(shorten)
            .collect();
        problems.push(format!(
            "{shown}: openapi-spec-validator: {}",
            lines.join("\n    ")
        ));
    }

    let output = capture(
        Command::new(tools.node_bin("redocly"))
            .args(["lint", "--format=github-actions", "--lint-config=error"])
            .arg(format!("--config={}", root.join(REDOCLY_CONFIG).display()))
            .arg(spec)
            .env("REDOCLY_TELEMETRY", "off")
            .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
        "run redocly lint",
    )?;
    let found: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| github_annotation(&shown, line))
        .collect();
    if !output.status.success() && found.is_empty() {
        // Redocly refused to lint at all (a bad config, say): show what it said.
        problems.push(format!(
            "{shown}: redocly lint failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    problems.extend(found);
    Ok(problems)
}

/// A Redocly problem printed as a GitHub Actions annotation
/// (`::error title=RULE,file=F,line=L,col=C,...::MESSAGE`), as `spec:L:C: severity RULE: message`.
fn github_annotation(spec: &str, line: &str) -> Option<String> {
    let rest = line.strip_prefix("::")?;
    let (severity, rest) = rest.split_once(' ')?;
    let (properties, message) = rest.split_once("::")?;
    let property = |name: &str| {
        properties
            .split(',')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("?")
    };
    // Annotations escape newlines as %0A and percent signs as %25; keep the first line.
    let message = message
        .split("%0A")
        .next()
        .unwrap_or("")
        .replace("%25", "%");
    Some(format!(
        "{spec}:{}:{}: redocly {severity} [{}]: {message}",
        property("line"),
        property("col"),
        property("title"),
    ))
}

/// `line` cut to [`MAX_LINE`] characters.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE) {
        Some((cut, _)) => format!(
            "{} … ({} more characters)",
            &line[..cut],
            line[cut..].chars().count()
        ),
        None => line.to_string(),
    }
}

/// `--self-test`: an intact copy of the spec passes, and each broken copy fails with the
/// expected message.
fn run_self_test(root: &Path, tools: &Tools) -> Result<(), Vec<String>> {
    let spec_path = root.join(codearts_repo_codegen::SPEC_PATH);
    let spec = fs::read_to_string(&spec_path)
        .map_err(|e| vec![format!("cannot read {}: {e}", spec_path.display())])?;
    let dir = root.join(SELF_TEST_DIR);
    fs::create_dir_all(&dir).map_err(|e| vec![format!("cannot create {}: {e}", dir.display())])?;
    let mut failures = Vec::new();

    let intact = dir.join("intact.yaml");
    write(&intact, &spec)?;
    let problems = lint(root, tools, &intact).map_err(|e| vec![e])?;
    if problems.is_empty() {
        println!("self-test: an intact copy of the spec passes");
    } else {
        failures.push(format!(
            "self-test: an intact copy of the spec fails, so the breaks prove nothing: {}",
            problems.join("; ")
        ));
    }

    for (index, case) in BREAKS.iter().enumerate() {
        if spec.matches(case.find).count() != 1 {
            failures.push(format!(
                "self-test: cannot make {}: `{}` does not occur exactly once in {}; \
                 update BREAKS in xtask/src/tools/spec_lint.rs",
                case.name,
                case.find.trim(),
                codearts_repo_codegen::SPEC_PATH
            ));
            continue;
        }
        let broken = dir.join(format!("broken-{}.yaml", index + 1));
        write(&broken, &spec.replacen(case.find, case.replace, 1))?;
        let problems = lint(root, tools, &broken).map_err(|e| vec![e])?;
        let report = problems.join("\n");
        let missing: Vec<&str> = case
            .expected
            .iter()
            .copied()
            .filter(|text| !report.contains(text))
            .collect();
        if problems.is_empty() {
            failures.push(format!(
                "self-test: {} ({}) passes spec-lint",
                case.name,
                relative(root, &broken)
            ));
        } else if !missing.is_empty() {
            failures.push(format!(
                "self-test: {} ({}) fails, but its report lacks {missing:?}:\n{report}",
                case.name,
                relative(root, &broken)
            ));
        } else {
            println!("self-test: {} is refused:", case.name);
            for problem in &problems {
                println!("  {problem}");
            }
        }
    }
    if failures.is_empty() {
        println!("self-test: every break is refused with the expected message");
        Ok(())
    } else {
        Err(failures)
    }
}

fn write(path: &Path, text: &str) -> Result<(), Vec<String>> {
    fs::write(path, text).map_err(|e| vec![format!("cannot write {}: {e}", path.display())])
}
