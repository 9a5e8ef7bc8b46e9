//! The spec as a product for other languages: `cargo xtask spec-lint`,
//! `cargo xtask spec-clients` and `cargo xtask schemathesis`.
//!
//! Both run tools from PyPI and npm. Their versions are pinned in `spec-clients/tools/`
//! (`requirements.txt` for Python, `package.json` with `package-lock.json` for Node) and
//! installed on first use into `.tools/` (ignored by git): a Python venv in `.tools/venv`
//! and a Node package folder in `.tools/node`. An install is recorded by a stamp holding
//! the pin files it came from, so later runs skip it until the pins change.

pub(crate) mod schemathesis;
pub(crate) mod signing_parity;
pub(crate) mod spec_clients;
pub(crate) mod spec_lint;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Folder of the pin files, relative to the workspace root.
const PINS_DIR: &str = "spec-clients/tools";
/// Python requirements (every package, exact versions) inside [`PINS_DIR`].
const PYTHON_PINS: &str = "requirements.txt";
/// Node manifest and lockfile inside [`PINS_DIR`].
const NODE_PINS: &[&str] = &["package.json", "package-lock.json"];
/// Where the tools are installed, relative to the workspace root.
const TOOLS_DIR: &str = ".tools";
/// File inside an install folder that records the pins it was installed from.
const STAMP: &str = ".installed-from-pins";
/// Executables that must exist after the Python install.
const PYTHON_TOOLS: &[&str] = &[
    "openapi-spec-validator",
    "openapi-python-client",
    "ruff",
    "st",
];
/// Executables that must exist after the Node install.
const NODE_TOOLS: &[&str] = &["redocly", "openapi-typescript", "tsc", "tsx"];
/// Oldest Node.js that the pinned Redocly CLI supports.
const MIN_NODE: (u32, u32) = (20, 19);
/// Oldest Python that openapi-python-client's output supports.
const MIN_PYTHON: (u32, u32) = (3, 11);

/// The installed tools.
pub(crate) struct Tools {
    venv: PathBuf,
    node: PathBuf,
}

impl Tools {
    /// The venv's Python interpreter.
    pub(crate) fn python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }

    /// The venv's `bin` folder (put first on `PATH` for tools that call each other).
    pub(crate) fn venv_bin_dir(&self) -> PathBuf {
        self.venv.join("bin")
    }

    /// An executable installed in the venv.
    pub(crate) fn venv_bin(&self, name: &str) -> PathBuf {
        self.venv_bin_dir().join(name)
    }

    /// The installed Node packages.
    pub(crate) fn node_modules(&self) -> PathBuf {
        self.node.join("node_modules")
    }

    /// An executable installed by a Node package.
    pub(crate) fn node_bin(&self, name: &str) -> PathBuf {
        self.node_modules().join(".bin").join(name)
    }
}

/// Installs the pinned tools into `.tools/` unless they are there already.
pub(crate) fn install(root: &Path) -> Result<Tools, String> {
    let tools = Tools {
        venv: root.join(TOOLS_DIR).join("venv"),
        node: root.join(TOOLS_DIR).join("node"),
    };
    install_python(root, &tools)?;
    install_node(root, &tools)?;
    Ok(tools)
}

fn install_python(root: &Path, tools: &Tools) -> Result<(), String> {
    let requirements = root.join(PINS_DIR).join(PYTHON_PINS);
    install_venv(
        root,
        &tools.venv,
        &requirements,
        PYTHON_TOOLS,
        "Python tools",
    )?;
    Ok(())
}

/// Installs `requirements` (exact pins) into a venv at `venv` unless the venv already holds
/// them and every executable in `executables`; returns the venv's interpreter. `PYTHON`
/// picks another interpreter than the first `python3` on `PATH` to create it.
pub(crate) fn install_venv(
    root: &Path,
    venv: &Path,
    requirements: &Path,
    executables: &[&str],
    label: &str,
) -> Result<PathBuf, String> {
    let bin = venv.join("bin");
    let python = bin.join("python");
    let pins = read(requirements)?;
    let complete = python.is_file() && executables.iter().all(|tool| bin.join(tool).is_file());
    if complete && fs::read(venv.join(STAMP)).ok().as_deref() == Some(pins.as_slice()) {
        println!("{label}: installed ({})", relative(root, venv));
        return Ok(python);
    }
    let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    check_version(
        &interpreter,
        "--version",
        "Python ",
        MIN_PYTHON,
        "install Python 3.11 or newer, or name one in PYTHON",
    )?;
    println!(
        "{label}: installing {} into {}",
        relative(root, requirements),
        relative(root, venv)
    );
    // A stamp left from an earlier install must not survive a failed one.
    let _ = fs::remove_file(venv.join(STAMP));
    run(
        Command::new(&interpreter)
            .args(["-m", "venv", "--clear"])
            .arg(venv),
        &format!("create a Python venv in {}", relative(root, venv)),
    )?;
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--require-virtualenv",
                "-r",
            ])
            .arg(requirements),
        &format!("install {}", relative(root, requirements)),
    )?;
    for tool in executables {
        if !bin.join(tool).is_file() {
            return Err(format!(
                "{} installed no `{tool}`; pin it there",
                relative(root, requirements)
            ));
        }
    }
    write(&venv.join(STAMP), &pins)?;
    Ok(python)
}

fn install_node(root: &Path, tools: &Tools) -> Result<(), String> {
    let mut pins = Vec::new();
    for name in NODE_PINS {
        pins.extend(read(&root.join(PINS_DIR).join(name))?);
        pins.push(0);
    }
    let complete = NODE_TOOLS.iter().all(|tool| tools.node_bin(tool).is_file());
    if complete && fs::read(tools.node.join(STAMP)).ok().as_deref() == Some(pins.as_slice()) {
        println!("Node tools: installed ({})", relative(root, &tools.node));
        return Ok(());
    }
    check_version(
        "node",
        "--version",
        "v",
        MIN_NODE,
        "install Node.js 20.19 or newer (with npm)",
    )?;
    println!(
        "Node tools: installing {PINS_DIR}/package-lock.json into {}",
        relative(root, &tools.node)
    );
    fs::create_dir_all(&tools.node)
        .map_err(|e| format!("cannot create {}: {e}", tools.node.display()))?;
    let _ = fs::remove_file(tools.node.join(STAMP));
    for name in NODE_PINS {
        let from = root.join(PINS_DIR).join(name);
        fs::copy(&from, tools.node.join(name))
            .map_err(|e| format!("cannot copy {} into {}: {e}", from.display(), TOOLS_DIR))?;
    }
    // `npm ci` installs exactly the lockfile, and fails if it disagrees with package.json.
    run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&tools.node),
        &format!("install {PINS_DIR}/package-lock.json (npm ci)"),
    )?;
    for tool in NODE_TOOLS {
        if !tools.node_bin(tool).is_file() {
            return Err(format!(
                "{PINS_DIR}/package.json installed no `{tool}`; pin it there"
            ));
        }
    }
    write(&tools.node.join(STAMP), &pins)
}

/// Fails unless `program flag` prints a version (after `prefix`) at least `min`.
fn check_version(
    program: &str,
    flag: &str,
    prefix: &str,
    min: (u32, u32),
    fix: &str,
) -> Result<(), String> {
    let output = Command::new(program)
        .arg(flag)
        .output()
        .map_err(|e| format!("cannot run `{program} {flag}` ({e}): {fix}"))?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let version: Vec<u32> = text
        .strip_prefix(prefix)
        .unwrap_or("")
        .split('.')
        .map_while(|part| part.parse().ok())
        .collect();
    match version.as_slice() {
        [major, minor, ..] if (*major, *minor) >= min => Ok(()),
        _ => Err(format!(
            "`{program} {flag}` says `{text}`, {}.{} or newer is needed: {fix}",
            min.0, min.1
        )),
    }
}

/// Runs `command` with inherited output; fails naming `what` unless it succeeds.
pub(crate) fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot {what}: cannot start {:?}: {e}", program(command)))?;
    expect_success(status, what)
}

/// Runs `command` and returns its output, whatever its exit status.
pub(crate) fn capture(command: &mut Command, what: &str) -> Result<Output, String> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot {what}: cannot start {:?}: {e}", program(command)))
}

/// Runs `command` with inherited output, killing it if it runs longer than `limit`.
pub(crate) fn run_with_limit(
    command: &mut Command,
    what: &str,
    limit: Duration,
) -> Result<(), String> {
    let mut child = command
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot {what}: cannot start {:?}: {e}", program(command)))?;
    let status = wait_with_limit(&mut child, limit)
        .map_err(|e| format!("cannot {what}: {e}"))?
        .ok_or_else(|| format!("{what}: still running after {limit:?}, stopped"))?;
    expect_success(status, what)
}

/// Waits for `child` up to `limit`; kills it and returns `None` when the limit passes.
fn wait_with_limit(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        // A child process gives no notification to block on with std; poll.
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn expect_success(status: ExitStatus, what: &str) -> Result<(), String> {
    if status.success() {
        Ok(())
    } else {
        Err(format!("cannot {what}: it exited with {status}"))
    }
}

fn program(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `path` relative to the workspace root when it lies inside it.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
