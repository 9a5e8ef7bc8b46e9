//! `cargo xtask spec-clients`: proves that other languages can use the bundled JSON spec
//! as it is. It generates a Python client (openapi-python-client) and TypeScript types
//! (openapi-typescript, used with openapi-fetch) into `target/spec-clients/`, starts the
//! emulator, and runs the checked-in scripts `spec-clients/python/check.py` and
//! `spec-clients/typescript/check.ts` against it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{Tools, capture, install, relative, run, run_with_limit};

/// Generated clients go here, relative to the workspace root (ignored by git).
const OUT_DIR: &str = "target/spec-clients";
/// openapi-python-client settings, relative to the workspace root.
const PYTHON_CONFIG: &str = "spec-clients/python/config.yaml";
/// The Python check script, relative to the workspace root.
const PYTHON_CHECK: &str = "spec-clients/python/check.py";
/// Package name that [`PYTHON_CONFIG`] gives the generated Python client.
const PYTHON_PACKAGE: &str = "codearts_repo_client";
/// Folder of the TypeScript check script and its settings, relative to the workspace root.
const TYPESCRIPT_DIR: &str = "spec-clients/typescript";
/// Files of [`TYPESCRIPT_DIR`] copied next to the generated `schema.d.ts`.
const TYPESCRIPT_FILES: &[&str] = &["check.ts", "tsconfig.json", "package.json"];
/// The emulator's package and binary.
const EMULATOR: &str = "codearts-repo-emulator";
/// Longest a check script may take; each finishes in about a second.
const CHECK_LIMIT: Duration = Duration::from_secs(300);
/// Longest the built emulator may take to print its address and credentials.
const EMULATOR_START_LIMIT: Duration = Duration::from_secs(60);

/// `cargo xtask spec-clients`.
pub fn spec_clients(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    if let Some(other) = args.first() {
        return Err(vec![format!(
            "spec-clients: unknown argument `{other}` (see `cargo xtask help`)"
        )]);
    }
    let tools = install(root).map_err(|e| vec![e])?;
    generate_and_check(root, &tools).map_err(|e| vec![e])
}

fn generate_and_check(root: &Path, tools: &Tools) -> Result<(), String> {
    let spec = root.join(codearts_repo_codegen::SPEC_JSON_PATH);
    let out = root.join(OUT_DIR);
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
    }
    let python_out = out.join("python");
    let typescript_out = out.join("typescript");
    for dir in [&python_out, &typescript_out] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }

    // Python: openapi-python-client runs ruff on its output, so the venv goes first on PATH.
    let path = std::env::join_paths(std::iter::once(tools.venv_bin_dir()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .map_err(|e| format!("cannot build PATH: {e}"))?;
    let output = capture(
        Command::new(tools.venv_bin("openapi-python-client"))
            .arg("generate")
            .arg("--path")
            .arg(&spec)
            .arg("--config")
            .arg(root.join(PYTHON_CONFIG))
            .args(["--meta", "none", "--output-path"])
            .arg(python_out.join(PYTHON_PACKAGE))
            .env("PATH", &path),
        "run openapi-python-client",
    )?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // It reports what it could not generate as warnings, yet exits 0: those count too.
    if !output.status.success() || said.contains("Warning") || said.contains("Error") {
        return Err(format!(
            "openapi-python-client cannot generate a clean client from {}:\n{said}",
            codearts_repo_codegen::SPEC_JSON_PATH
        ));
    }
    println!(
        "generated the Python client into {}",
        relative(root, &python_out)
    );

    // TypeScript: types next to the check script, type-checked together.
    run(
        Command::new(tools.node_bin("openapi-typescript"))
            .arg(&spec)
            .arg("--output")
            .arg(typescript_out.join("schema.d.ts")),
        "generate the TypeScript types with openapi-typescript",
    )?;
    for name in TYPESCRIPT_FILES {
        let from = root.join(TYPESCRIPT_DIR).join(name);
        fs::copy(&from, typescript_out.join(name)).map_err(|e| {
            format!(
                "cannot copy {} into {}: {e}",
                from.display(),
                typescript_out.display()
            )
        })?;
    }
    // Node resolves `openapi-fetch` from a node_modules folder beside the script.
    std::os::unix::fs::symlink(tools.node_modules(), typescript_out.join("node_modules"))
        .map_err(|e| format!("cannot link the Node packages into {OUT_DIR}: {e}"))?;
    run(
        Command::new(tools.node_bin("tsc"))
            .arg("--project")
            .arg(typescript_out.join("tsconfig.json")),
        "type-check check.ts against the generated types (tsc)",
    )?;
    println!(
        "generated the TypeScript types into {} and type-checked check.ts",
        relative(root, &typescript_out)
    );

    let emulator = RunningEmulator::start(root)?;
    println!("emulator serving {}", emulator.info.endpoint);
    let environment = emulator.info.environment();

    run_with_limit(
        Command::new(tools.python())
            .arg(root.join(PYTHON_CHECK))
            .current_dir(root)
            .env("PYTHONPATH", &python_out)
            .envs(environment.iter().cloned()),
        "run the Python client check",
        CHECK_LIMIT,
    )?;
    run_with_limit(
        Command::new(tools.node_bin("tsx"))
            .arg("check.ts")
            .current_dir(&typescript_out)
            .envs(environment.iter().cloned()),
        "run the TypeScript client check",
        CHECK_LIMIT,
    )?;
    drop(emulator);
    println!("both generated clients work against the emulator");
    Ok(())
}

/// What the emulator printed on start.
struct EmulatorInfo {
    endpoint: String,
    token: String,
    project_id: String,
    user_id: String,
    repository_ids: String,
}

impl EmulatorInfo {
    /// The environment the check scripts read it from.
    fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CODEARTS_REPO_ENDPOINT", self.endpoint.clone()),
            ("CODEARTS_REPO_TOKEN", self.token.clone()),
            ("CODEARTS_REPO_PROJECT_ID", self.project_id.clone()),
            ("CODEARTS_REPO_USER_ID", self.user_id.clone()),
            ("CODEARTS_REPO_REPOSITORY_IDS", self.repository_ids.clone()),
        ]
    }

    /// Reads the banner of `codearts-repo-emulator`:
    /// `  endpoint      http://127.0.0.1:PORT`, `  X-Auth-Token  TOKEN`,
    /// `  project id    HEX`, `  user          NAME (id N)`, `  repositories  ID ID ...`.
    fn parse(lines: &[String]) -> Result<Self, String> {
        let field = |label: &str| {
            lines
                .iter()
                .find_map(|line| line.trim_start().strip_prefix(label))
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
                .ok_or_else(|| {
                    format!(
                        "the emulator printed no `{label}` line (its banner changed?); it printed:\n{}",
                        lines.join("\n")
                    )
                })
        };
        let user = field("user ")?;
        let user_id = user
            .rsplit_once("(id ")
            .and_then(|(_, id)| id.strip_suffix(')'))
            .filter(|id| id.parse::<u32>().is_ok())
            .ok_or_else(|| format!("the emulator's user line `{user}` carries no `(id N)`"))?
            .to_string();
        Ok(Self {
            endpoint: field("endpoint ")?,
            token: field("X-Auth-Token ")?,
            project_id: field("project id ")?,
            user_id,
            repository_ids: field("repositories ")?,
        })
    }
}

/// The emulator binary, run on a free loopback port; stopped when dropped.
struct RunningEmulator {
    child: Child,
    info: EmulatorInfo,
}

impl RunningEmulator {
    fn start(root: &Path) -> Result<Self, String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        // Build first, with cargo's output shown, so that the start limit below covers
        // only the start.
        run(
            Command::new(&cargo)
                .args([
                    "build",
                    "--locked",
                    "--package",
                    EMULATOR,
                    "--bin",
                    EMULATOR,
                ])
                .current_dir(root),
            "build the emulator",
        )?;
        // On Unix `cargo run` replaces itself with the program, so the child is the emulator.
        let mut child = Command::new(&cargo)
            .args(["run", "--quiet", "--locked", "--package", EMULATOR])
            .args(["--bin", EMULATOR, "--", "--listen", "127.0.0.1:0"])
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the emulator: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (lines_tx, lines_rx) = mpsc::channel();
        // Keeps draining the emulator's output for as long as it runs.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    continue;
                }
            }
        });
        let mut emulator = Self {
            child,
            info: EmulatorInfo {
                endpoint: String::new(),
                token: String::new(),
                project_id: String::new(),
                user_id: String::new(),
                repository_ids: String::new(),
            },
        };
        let mut lines = Vec::new();
        loop {
            match lines_rx.recv_timeout(EMULATOR_START_LIMIT) {
                Ok(line) => {
                    let done = line.contains("Ctrl-C");
                    lines.push(line);
                    if done {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "the emulator printed no `Press Ctrl-C` line within {EMULATOR_START_LIMIT:?}; \
                         it printed:\n{}",
                        lines.join("\n")
                    ));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = emulator.child.wait().map(|s| s.to_string());
                    return Err(format!(
                        "the emulator stopped before it was ready ({}); it printed:\n{}",
                        status.unwrap_or_else(|e| e.to_string()),
                        lines.join("\n")
                    ));
                }
            }
        }
        emulator.info = EmulatorInfo::parse(&lines)?;
        Ok(emulator)
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
