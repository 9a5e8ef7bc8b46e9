//! `cargo xtask unused-deps`: fails when a manifest declares a dependency its crate never
//! uses, with cargo-machete (pinned, installed into `.tools/cargo-machete` on first use).

use std::path::Path;

use crate::tools::run;

/// The pinned cargo-machete release.
const MACHETE_VERSION: &str = "0.9.1";
/// Where it is installed, relative to the workspace root.
const INSTALL_DIR: &str = ".tools/cargo-machete";

/// `cargo xtask unused-deps`.
pub(crate) fn unused_deps(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    if !args.is_empty() {
        return Err(vec![format!(
            "`cargo xtask unused-deps` takes no arguments (got `{}`)",
            args.join(" ")
        )]);
    }
    let install_dir = root.join(INSTALL_DIR);
    let binary = install_dir.join("bin").join("cargo-machete");
    let stamp = install_dir.join(".version");
    let installed = std::fs::read_to_string(&stamp).ok();
    if !binary.is_file() || installed.as_deref() != Some(MACHETE_VERSION) {
        run(
            crate::cargo::command()
                .current_dir(root)
                .args([
                    "install",
                    "--locked",
                    "--quiet",
                    "--force",
                    "cargo-machete",
                    "--version",
                    MACHETE_VERSION,
                    "--root",
                ])
                .arg(&install_dir),
            &format!("install cargo-machete {MACHETE_VERSION}"),
        )
        .map_err(|e| vec![e])?;
        std::fs::write(&stamp, MACHETE_VERSION)
            .map_err(|e| vec![format!("cannot write {}: {e}", stamp.display())])?;
    }
    run(
        std::process::Command::new(&binary).current_dir(root),
        "find unused dependencies (cargo-machete names each; remove it from the manifest, or \
         list it under [package.metadata.cargo-machete] ignored with the reason)",
    )
    .map_err(|e| vec![e])
}
