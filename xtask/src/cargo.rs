//! Running cargo from xtask: the same cargo that runs xtask, and the target directory it
//! builds into.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target directory cargo builds into for this invocation.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// A command running the cargo that runs xtask.
pub(crate) fn command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The workspace's own packages, as `cargo metadata --no-deps` describes them.
pub(crate) fn workspace_packages(root: &Path) -> Result<Vec<serde_json::Value>, String> {
    let output = crate::tools::capture(
        command().current_dir(root).args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--locked",
        ]),
        "read the workspace's metadata",
    )?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    match metadata["packages"].take() {
        serde_json::Value::Array(packages) => Ok(packages),
        _ => Err("cargo metadata lists no packages".into()),
    }
}
