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
