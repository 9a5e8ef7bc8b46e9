//! `cargo xtask schemathesis`: schema-driven testing of the emulator. Schemathesis (pinned
//! in `spec-clients/tools/requirements.txt`, installed into `.tools/venv`) generates
//! requests from the spec, valid and invalid, sends them to a freshly started emulator
//! and checks every answer against the spec: status codes, bodies, headers, and that a
//! request the spec calls valid is not refused. The seed and the number of examples are
//! fixed, so a run is repeatable and bounded.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::spec_clients::RunningEmulator;
use super::{install, relative, run_with_limit};

/// Generators for the spec's own string formats, relative to the workspace root.
const HOOKS_DIR: &str = "spec-clients/schemathesis";
/// The hooks module inside [`HOOKS_DIR`].
const HOOKS_MODULE: &str = "formats";
/// Hypothesis seed of every run.
const SEED: &str = "1";
/// Examples per operation and phase (about 1,300 requests in all).
const MAX_EXAMPLES: &str = "100";
/// Longest a run may take; it takes about 35 s on 2 cores.
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// `cargo xtask schemathesis`.
pub(crate) fn schemathesis(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    if let Some(other) = args.first() {
        return Err(vec![format!(
            "schemathesis: unknown argument `{other}` (see `cargo xtask help`)"
        )]);
    }
    let tools = install(root).map_err(|e| vec![e])?;
    let emulator = RunningEmulator::start(root).map_err(|e| vec![e])?;
    let spec = root.join(codearts_repo_codegen::SPEC_PATH);
    let mut command = Command::new(tools.venv_bin("st"));
    command
        .current_dir(root)
        .args(["--no-color", "run"])
        .arg(relative(root, &spec))
        .args(["--url", &emulator.ready.endpoint])
        .args([
            "--header",
            &format!("X-Auth-Token: {}", emulator.ready.token),
        ])
        .args(["--seed", SEED, "--max-examples", MAX_EXAMPLES])
        .args(["--checks", "all", "--workers", "2"])
        .env("PYTHONPATH", root.join(HOOKS_DIR))
        .env("SCHEMATHESIS_HOOKS", HOOKS_MODULE);
    run_with_limit(
        &mut command,
        "run schemathesis against the emulator",
        RUN_LIMIT,
    )
    .map_err(|e| vec![e])?;
    drop(emulator);
    println!("schemathesis: every generated request answered as the spec says");
    Ok(())
}
