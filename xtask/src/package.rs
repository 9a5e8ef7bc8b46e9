//! `cargo xtask package`: every publishable crate packages and verifies, and a program
//! outside the workspace builds and runs on the packaged crates.
//!
//! 1. `cargo package --workspace --locked` packages each crate with `publish` not set to
//!    `false` and builds it from its `.crate` file alone, so a file reaching outside its
//!    crate fails here, not on a user's machine.
//! 2. A consumer package is written under the target directory, outside the workspace:
//!    `xtask/package-consumer/main.rs`, depending on `codearts-repo` and
//!    `codearts-repo-emulator` by version, with every workspace crate patched to the
//!    sources unpacked from its `.crate` file. It reuses the workspace's `Cargo.lock`, so
//!    the dependencies resolve (and are built) as in the workspace. It is built and run.

use std::fs;
use std::path::{Path, PathBuf};

use crate::tools::{relative, run};

/// The consumer's source, relative to the workspace root.
const CONSUMER_SOURCE: &str = "xtask/package-consumer/main.rs";
/// The crates the consumer depends on directly.
const CONSUMER_DEPENDENCIES: &[&str] = &["codearts-repo", "codearts-repo-emulator"];
/// The consumer's dependencies taken without their default features.
const LIBRARY_ONLY: &[&str] = &["codearts-repo-emulator"];
/// The consumer's other dependencies, as a user would add them.
const CONSUMER_EXTRA_DEPENDENCIES: &str = r#"futures = "0.3"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
"#;

/// `cargo xtask package [--allow-dirty]`.
pub(crate) fn package(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    let allow_dirty = match args {
        [] => false,
        ["--allow-dirty"] => true,
        other => {
            return Err(vec![format!(
                "unknown argument `{}` for `cargo xtask package` (accepted: --allow-dirty)",
                other.join(" ")
            )]);
        }
    };
    let target = crate::cargo::target_dir(root);
    let package_dir = target.join("package");
    // Stale unpacked crates of an earlier version would be patched in too.
    if package_dir.exists() {
        fs::remove_dir_all(&package_dir)
            .map_err(|e| vec![format!("cannot remove {}: {e}", package_dir.display())])?;
    }
    forget_registry_builds(&target).map_err(|e| vec![e])?;
    let mut command = crate::cargo::command();
    command
        .current_dir(root)
        .args(["package", "--workspace", "--locked"]);
    // `cargo package --workspace` packages `publish = false` members too; they are never
    // published, so they are left out.
    for name in unpublished_members(root).map_err(|e| vec![e])? {
        command.args(["--exclude", &name]);
    }
    if allow_dirty {
        command.arg("--allow-dirty");
    }
    run(&mut command, "package and verify every publishable crate").map_err(|e| vec![e])?;

    let packaged = packaged_crates(&package_dir).map_err(|e| vec![e])?;
    let consumer = target.join("package-consumer");
    write_consumer(root, &consumer, &package_dir, &packaged).map_err(|e| vec![e])?;
    // Not `--locked`: the copied lock file gains the consumer and loses the workspace's
    // unpublished members; every version in it is kept.
    run(
        crate::cargo::command()
            .current_dir(&consumer)
            .env("CARGO_TARGET_DIR", &target)
            .args(["run", "--quiet"]),
        "build and run the consumer of the packaged crates",
    )
    .map_err(|e| vec![e])?;
    println!(
        "every publishable crate packages and verifies ({}); a program outside the workspace \
         builds and runs on them ({})",
        packaged
            .iter()
            .map(|(name, version, _)| format!("{name} {version}"))
            .collect::<Vec<_>>()
            .join(", "),
        relative(root, &consumer)
    );
    Ok(())
}

/// Forgets earlier verifications of the workspace's crates.
///
/// Verification builds each packaged crate against the others through a local registry,
/// and cargo unpacks a registry crate into `$CARGO_HOME/registry/src` only once per name
/// and version: after an edit that keeps the version, an earlier run (on this machine,
/// in any checkout) would have it verify against stale sources. Those unpacked copies,
/// and the fingerprints of their builds, are removed; third-party crates are kept.
fn forget_registry_builds(target: &Path) -> Result<(), String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let mut dirs = vec![target.join("debug").join(".fingerprint")];
    if let Some(home) = cargo_home
        && let Ok(sources) = fs::read_dir(home.join("registry").join("src"))
    {
        dirs.extend(sources.flatten().map(|entry| entry.path()));
    }
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("codearts-repo")
            {
                fs::remove_dir_all(entry.path())
                    .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Workspace members marked `publish = false`, from `cargo metadata`.
fn unpublished_members(root: &Path) -> Result<Vec<String>, String> {
    // `publish` is null when unrestricted and an empty list for `publish = false`.
    Ok(crate::cargo::workspace_packages(root)?
        .iter()
        .filter(|p| p["publish"].as_array().is_some_and(Vec::is_empty))
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect())
}

/// The crates `cargo package` unpacked: name, version and directory of each.
fn packaged_crates(package_dir: &Path) -> Result<Vec<(String, String, PathBuf)>, String> {
    let entries = fs::read_dir(package_dir)
        .map_err(|e| format!("cannot read {}: {e}", package_dir.display()))?;
    let mut crates = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", package_dir.display()))?
            .path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".crate") else {
            continue;
        };
        // `name-version.crate`: the version is what follows the last `-` before a digit.
        let Some((name, version)) = stem
            .match_indices('-')
            .rev()
            .find(|(at, _)| stem[at + 1..].starts_with(|c: char| c.is_ascii_digit()))
            .map(|(at, _)| (&stem[..at], &stem[at + 1..]))
        else {
            return Err(format!("cannot read a name and version from {file}"));
        };
        let unpacked = package_dir.join(stem);
        if !unpacked.join("Cargo.toml").is_file() {
            return Err(format!(
                "{} was not unpacked (was it verified?)",
                unpacked.display()
            ));
        }
        crates.push((name.to_string(), version.to_string(), unpacked));
    }
    crates.sort();
    for wanted in CONSUMER_DEPENDENCIES {
        if !crates.iter().any(|(name, _, _)| name == wanted) {
            return Err(format!(
                "cargo package made no {wanted} crate: is it marked `publish = false`?"
            ));
        }
    }
    Ok(crates)
}

/// Writes the consumer package: its manifest, its source and the workspace's lock file.
fn write_consumer(
    root: &Path,
    consumer: &Path,
    package_dir: &Path,
    packaged: &[(String, String, PathBuf)],
) -> Result<(), String> {
    let src = consumer.join("src");
    fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
    let mut manifest = String::from(
        "# Written by `cargo xtask package`: a program outside the workspace built from the\n\
         # packaged crates.\n\
         [package]\nname = \"package-consumer\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[workspace]\n\n[dependencies]\n",
    );
    for (name, version, _) in packaged {
        if CONSUMER_DEPENDENCIES.contains(&name.as_str()) {
            // The emulator as its README has tests take it: the library alone, without the
            // binary's command line (its `cli` feature).
            let defaults = if LIBRARY_ONLY.contains(&name.as_str()) {
                ", default-features = false"
            } else {
                ""
            };
            manifest.push_str(&format!(
                "{name} = {{ version = \"={version}\"{defaults} }}\n"
            ));
        }
    }
    manifest.push_str(CONSUMER_EXTRA_DEPENDENCIES);
    manifest.push_str("\n[patch.crates-io]\n");
    for (name, _, dir) in packaged {
        let dir = dir.strip_prefix(package_dir).unwrap_or(dir);
        manifest.push_str(&format!(
            "{name} = {{ path = {:?} }}\n",
            Path::new("..")
                .join("package")
                .join(dir)
                .display()
                .to_string()
        ));
    }
    let write = |path: PathBuf, text: &[u8]| {
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(consumer.join("Cargo.toml"), manifest.as_bytes())?;
    let source = fs::read(root.join(CONSUMER_SOURCE))
        .map_err(|e| format!("cannot read {CONSUMER_SOURCE}: {e}"))?;
    write(src.join("main.rs"), &source)?;
    let lock =
        fs::read(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    write(consumer.join("Cargo.lock"), &lock)
}
