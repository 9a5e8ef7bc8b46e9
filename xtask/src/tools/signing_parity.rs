//! `cargo xtask signing-parity`: proves that the runtime signs as the official Python SDK
//! does, for each of the four AK/SK algorithms, and that the emulator verifies what the
//! official SDK signs. It installs the pinned official SDK (`bench/python/requirements.txt`,
//! the same venv as `cargo xtask bench`), builds the runtime's `signing_vectors` example,
//! starts the emulator and runs `signing-parity/parity.py`, then, against the same emulator
//! and with the same venv, `signing-parity/providers.py`: the official SDK's own project id
//! discovery, ECS metadata provider and IdP federation provider, unchanged, served by the
//! emulator (see that script for how each is pointed at it).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::spec_clients::RunningEmulator;
use super::{run, run_with_limit};

/// The parity script, relative to the workspace root.
const SCRIPT: &str = "signing-parity/parity.py";
/// The official credential providers' script, relative to the workspace root.
const PROVIDERS: &str = "signing-parity/providers.py";
/// Regions whose IAM project lists the providers' script tests failures with: none, several.
const REGION_PROJECTS: [&str; 4] = [
    "--region-projects",
    "cn-south-1=",
    "--region-projects",
    "cn-east-3=p1,p2",
];
/// The runtime's package and the example that prints its signatures.
const RUNTIME: &str = "codearts-repo-runtime";
const EXAMPLE: &str = "signing_vectors";
/// Longest the script may take; it takes about 15 s (the official SDK's elliptic-curve
/// arithmetic is pure Python).
const LIMIT: Duration = Duration::from_secs(300);

/// `cargo xtask signing-parity`.
pub(crate) fn signing_parity(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    if let Some(other) = args.first() {
        return Err(vec![format!(
            "signing-parity: unknown argument `{other}` (see `cargo xtask help`)"
        )]);
    }
    check(root).map_err(|e| vec![e])
}

fn check(root: &Path) -> Result<(), String> {
    let python = crate::bench::install_python(root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(
        Command::new(&cargo)
            .args([
                "build",
                "--locked",
                "--package",
                RUNTIME,
                "--example",
                EXAMPLE,
            ])
            .current_dir(root),
        "build the runtime's signing_vectors example",
    )?;
    let vectors = crate::cargo::target_dir(root)
        .join("debug")
        .join("examples")
        .join(EXAMPLE);
    let emulator = RunningEmulator::start_with(root, &REGION_PROJECTS)?;
    println!("emulator serving {}", emulator.ready.endpoint);
    run_with_limit(
        Command::new(&python)
            .arg(root.join(SCRIPT))
            .arg("--vectors")
            .arg(&vectors)
            .current_dir(root)
            .envs(emulator.environment()),
        "run signing-parity/parity.py against the official Python SDK",
        LIMIT,
    )?;
    run_with_limit(
        Command::new(&python)
            .arg(root.join(PROVIDERS))
            .current_dir(root)
            .envs(emulator.environment()),
        "run signing-parity/providers.py: the official Python SDK's credential providers",
        LIMIT,
    )?;
    drop(emulator);
    println!(
        "the four signing algorithms match the official Python SDK, and its project id \
         discovery, metadata and IdP providers work against the emulator"
    );
    Ok(())
}
