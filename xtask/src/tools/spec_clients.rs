//! `cargo xtask spec-clients`: proves that other languages can use the bundled JSON spec
//! as it is. It generates a Python client (openapi-python-client) and TypeScript types
//! (openapi-typescript, used with openapi-fetch) into `target/spec-clients/`, starts the
//! emulator, and runs the checked-in scripts `spec-clients/python/check.py` and
//! `spec-clients/typescript/check.ts` against it.

use std::fs;
use std::path::Path;
use std::process::{Child, Command};

use crate::emulator::Ready;
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
pub(crate) fn spec_clients(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
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
    println!("emulator serving {}", emulator.ready.endpoint);
    let environment = emulator.environment();

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

/// The emulator binary, run on a free loopback port; stopped when dropped.
pub(crate) struct RunningEmulator {
    child: Child,
    pub(crate) ready: Ready,
}

impl RunningEmulator {
    /// Builds the emulator and starts it.
    pub(crate) fn start(root: &Path) -> Result<Self, String> {
        Self::start_with(root, &[])
    }

    /// Builds the emulator and starts it with `args` besides.
    pub(crate) fn start_with(root: &Path, args: &[&str]) -> Result<Self, String> {
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
        let mut command = Command::new(&cargo);
        command
            .args(["run", "--quiet", "--locked", "--package", EMULATOR])
            .args(["--bin", EMULATOR, "--", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(root);
        let (child, ready) = crate::emulator::start(command, EMULATOR_START_LIMIT)?;
        Ok(Self { child, ready })
    }

    /// The environment the check scripts read the emulator's address and credentials from.
    pub(crate) fn environment(&self) -> Vec<(&'static str, String)> {
        let ready = &self.ready;
        let ids: Vec<String> = ready.repository_ids.iter().map(u64::to_string).collect();
        vec![
            ("CODEARTS_REPO_ENDPOINT", ready.endpoint.clone()),
            ("CODEARTS_REPO_TOKEN", ready.token.clone()),
            ("CODEARTS_REPO_AK", ready.access_key.clone()),
            ("CODEARTS_REPO_SK", ready.secret_key.clone()),
            ("CODEARTS_REPO_PROJECT_ID", ready.project_id.clone()),
            ("CODEARTS_REPO_USER_ID", ready.user_id.to_string()),
            ("CODEARTS_REPO_REPOSITORY_IDS", ids.join(" ")),
            (
                "CODEARTS_REPO_TEMPORARY_AK",
                ready.temporary_access_key.clone().unwrap_or_default(),
            ),
            (
                "CODEARTS_REPO_IDP_ID",
                ready.idp_id.clone().unwrap_or_default(),
            ),
            (
                "CODEARTS_REPO_ID_TOKEN",
                ready.id_token.clone().unwrap_or_default(),
            ),
        ]
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
