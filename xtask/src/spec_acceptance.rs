//! `cargo xtask spec-acceptance`: proof that a parameter documented in the spec reaches
//! every layer through `cargo xtask codegen` alone.
//!
//! In a copy of the workspace (under the target directory), the spec's `ListCommits`
//! gains two query parameters, a text one (`committer`) and an integer with a range
//! (`depth`, 1 to 1000). After `cargo xtask codegen` in the copy, and no other edit, the
//! copy's builds must show:
//! - an SDK setter for each, with the documented check (`depth(0)` is refused before
//!   anything is sent, naming `depth`): a program using them compiles and runs;
//! - a command-line flag for each, with the range in its help, refusing an out-of-range
//!   value with a usage error naming the flag as typed;
//! - both values on the wire, as the command sends them;
//! - the checked-in manual page (`crates/codearts-repo-cli/man/codearts-repo.1`) rewritten
//!   by codegen with both flags;
//! - an emulator that parses and range-checks them: a 400 naming `depth` when out of
//!   range, 200 when in range.
//!
//! What the emulator does with a new filter is the one thing left to write by hand.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::cargo;
use crate::emulator;

/// The parameters the copy's spec gains, after `follow` in `ListCommits`.
const ADDED_PARAMETERS: &str = "        - name: committer
          in: query
          required: false
          description: Only commits whose committer name contains this text.
          schema:
            type: string
        - name: depth
          in: query
          required: false
          description: Only commits at most this many first-parent steps from the ref.
          schema:
            type: integer
            format: int32
            minimum: 1
            maximum: 1000
";

/// A program of the copy's SDK that uses the new setters.
const SDK_PROGRAM: &str = r#"//! Written by `cargo xtask spec-acceptance` into a copy of the workspace whose spec
//! gained `committer` and `depth` on `ListCommits`.

use codearts_repo::{Client, Credentials, Error};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (endpoint, token, repository) = match (args.next(), args.next(), args.next()) {
        (Some(e), Some(t), Some(r)) => (e, t, r.parse::<u32>().expect("a repository id")),
        _ => panic!("usage: spec_acceptance ENDPOINT TOKEN REPOSITORY_ID"),
    };
    let client = Client::builder()
        .endpoint(endpoint)
        .allow_http(true)
        .credentials(Credentials::token(token))
        .build()
        .expect("a client");
    match client.list_commits(repository).depth(0).send().await {
        Err(Error::InvalidInput { parameter, .. }) if parameter == "depth" => {}
        other => panic!("depth 0 should be refused naming depth, got {other:?}"),
    }
    let page = client
        .list_commits(repository)
        .committer("a")
        .depth(1000)
        .limit(1)
        .send()
        .await
        .expect("the emulator accepts depth 1000");
    println!("sent: {} commit(s)", page.items.len());
}
"#;

const HELP: &str = "usage: cargo xtask spec-acceptance [--keep]

Copies the workspace under target/spec-acceptance, adds two query parameters to the
copy's spec, runs `cargo xtask codegen` there, builds, and checks that the SDK, the
command line and the emulator all take them. --keep leaves the copy for inspection.
";

pub(crate) fn spec_acceptance(root: &Path, args: &[&str]) -> Result<(), Vec<String>> {
    let keep = match args {
        [] => false,
        ["--keep"] => true,
        _ => return Err(vec![format!("unexpected arguments {args:?}\n\n{HELP}")]),
    };
    let work = cargo::target_dir(root).join("spec-acceptance");
    let copy = work.join("workspace");
    let result = run(root, &copy);
    if result.is_ok() && !keep {
        let _ = fs::remove_dir_all(&work);
    } else {
        println!("the copy is kept in {}", copy.display());
    }
    result.map_err(|e| vec![e])
}

fn run(root: &Path, copy: &Path) -> Result<(), String> {
    step("copying the workspace");
    copy_workspace(root, copy)?;
    // The copy's own target directory starts with links to this one's compiled
    // dependencies, so that only the workspace's crates are built again. Never to the
    // workspace's own units: cargo names them alike in both checkouts and rewrites some
    // of their files in place, which would reach through a link into this build.
    let target = cargo::target_dir(root).join("debug");
    let own = own_unit_hashes(root, &target)?;
    for part in ["deps", "build", ".fingerprint"] {
        link_tree(
            &target.join(part),
            &copy.join("target/debug").join(part),
            &own,
        )?;
    }

    step("adding `committer` and `depth` to ListCommits in the copy's spec");
    let spec_path = copy.join(codearts_repo_codegen::SPEC_PATH);
    let spec = fs::read_to_string(&spec_path).map_err(|e| format!("cannot read the spec: {e}"))?;
    fs::write(&spec_path, add_parameters(&spec)?)
        .map_err(|e| format!("cannot write the spec: {e}"))?;

    step("cargo xtask codegen (in the copy)");
    run_cargo(copy, &["xtask", "codegen"])?;

    step("codegen rewrote the manual page with the new flags");
    let man_path = copy.join(crate::MAN_PAGE_PATH);
    let man =
        fs::read_to_string(&man_path).map_err(|e| format!("cannot read {man_path:?}: {e}"))?;
    for needle in ["\\fB\\-\\-committer\\fR", "\\fB\\-\\-depth\\fR"] {
        if !man.contains(needle) {
            return Err(format!(
                "{} in the copy does not describe {needle:?} after `cargo xtask codegen`",
                crate::MAN_PAGE_PATH
            ));
        }
    }

    step("building the copy's command, emulator and an SDK program using the new setters");
    let program = copy.join("crates/codearts-repo/examples/spec_acceptance.rs");
    fs::write(&program, SDK_PROGRAM).map_err(|e| format!("cannot write {program:?}: {e}"))?;
    run_cargo(
        copy,
        &[
            "build",
            "--locked",
            "-p",
            "codearts-repo-cli",
            "-p",
            "codearts-repo-emulator",
            "--bins",
        ],
    )?;
    run_cargo(
        copy,
        &[
            "build",
            "--locked",
            "-p",
            "codearts-repo",
            "--example",
            "spec_acceptance",
        ],
    )?;
    let bin = copy.join("target/debug");

    step("the emulator parses and range-checks the new parameters");
    let mut command = Command::new(bin.join("codearts-repo-emulator"));
    command.args(["--listen", "127.0.0.1:0"]);
    let (mut child, ready) = emulator::start(command, Duration::from_secs(60))?;
    let outcome = check_everything(&bin, &ready);
    let _ = child.kill();
    let _ = child.wait();
    outcome?;
    println!(
        "spec-acceptance: a documented parameter reached the SDK, the command line and the emulator"
    );
    Ok(())
}

fn check_everything(bin: &Path, ready: &emulator::Ready) -> Result<(), String> {
    let repository = ready
        .repository_ids
        .first()
        .ok_or("the emulator serves no repository")?
        .to_string();
    let commits = format!("/v4/repositories/{repository}/repository/commit-list");
    for (query, status, needle) in [
        (
            "depth=0",
            400,
            "Invalid parameter depth: 0 is outside 1..=1000.",
        ),
        (
            "depth=1001",
            400,
            "Invalid parameter depth: 1001 is outside 1..=1000.",
        ),
        (
            "depth=ten",
            400,
            "Invalid parameter depth: `ten` is not an integer.",
        ),
        ("depth=1000&committer=a", 200, "\"commits\""),
    ] {
        let (got, body) = http_get(&ready.endpoint, &format!("{commits}?{query}"), &ready.token)?;
        if got != status || !body.contains(needle) {
            return Err(format!(
                "emulator, ?{query}: expected {status} with {needle:?}, got {got}: {body}"
            ));
        }
        println!("  emulator ?{query}: {got}");
    }

    step("the SDK has the setters, with the documented check");
    let output = run_binary(Command::new(bin.join("examples/spec_acceptance")).args([
        &ready.endpoint,
        &ready.token,
        &repository,
    ]))?;
    expect_success("the SDK program", &output)?;

    step("the command line has the flags, with the documented range");
    let cli = bin.join("codearts-repo");
    let help = run_binary(Command::new(&cli).args(["commits", "--help"]))?;
    expect_success("commits --help", &help)?;
    let help = String::from_utf8_lossy(&help.stdout);
    for needle in [
        "--committer <COMMITTER>",
        "--depth <N>",
        "The API allows 1..=1000.",
    ] {
        if !help.contains(needle) {
            return Err(format!("commits --help does not show {needle:?}:\n{help}"));
        }
    }
    let connection = ["--endpoint", &ready.endpoint, "--token", &ready.token];
    let refused = run_binary(Command::new(&cli).args(connection).args([
        "commits",
        &repository,
        "--depth",
        "1001",
    ]))?;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    if refused.status.code() != Some(2)
        || !stderr.contains("'--depth <N>'")
        || !stderr.contains("1001 is outside 1..=1000")
    {
        return Err(format!(
            "--depth 1001 should be a usage error naming the flag, got {:?}: {stderr}",
            refused.status.code()
        ));
    }
    let accepted = run_binary(Command::new(&cli).args(connection).args([
        "-o",
        "json",
        "commits",
        &repository,
        "--depth",
        "3",
        "--committer",
        "a",
        "--limit",
        "2",
    ]))?;
    expect_success(
        "commits --depth 3 --committer a (against the emulator)",
        &accepted,
    )?;

    step("the command line sends them");
    let request_line = captured_request_line(&cli)?;
    for needle in ["committer=bob+smith", "depth=7"] {
        let encoded_space = needle.replace('+', "%20");
        if !request_line.contains(needle) && !request_line.contains(&encoded_space) {
            return Err(format!(
                "the request does not carry {needle}: {request_line}"
            ));
        }
    }
    println!("  {request_line}");
    Ok(())
}

/// The request line the command sends with the new flags, read by a server that answers
/// every request with an empty commit list.
fn captured_request_line(cli: &Path) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = match stream.try_clone() {
                Ok(clone) => BufReader::new(clone),
                Err(_) => return,
            };
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let _ = sender.send(line.trim_end().to_string());
            let body = r#"{"commits":[],"date_title":[]}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let endpoint = format!("http://{address}");
    let output = run_binary(Command::new(cli).args([
        "--endpoint",
        &endpoint,
        "--token",
        "T",
        "-o",
        "json",
        "commits",
        "7",
        "--committer",
        "bob smith",
        "--depth",
        "7",
    ]))?;
    expect_success("commits against the capturing server", &output)?;
    lines
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the command sent no request".to_string())
}

/// The spec with [`ADDED_PARAMETERS`] after `ListCommits`' last parameter.
fn add_parameters(spec: &str) -> Result<String, String> {
    let operation = spec
        .find("operationId: ListCommits")
        .ok_or("the spec has no ListCommits")?;
    let responses = spec[operation..]
        .find("\n      responses:")
        .ok_or("ListCommits has no responses")?
        + operation
        + 1;
    Ok(format!(
        "{}{ADDED_PARAMETERS}{}",
        &spec[..responses],
        &spec[responses..]
    ))
}

fn step(what: &str) {
    println!("==> spec-acceptance: {what}");
}

/// Copies the files git knows of (tracked or not ignored, as they are on disk).
fn copy_workspace(root: &Path, copy: &Path) -> Result<(), String> {
    if copy.exists() {
        fs::remove_dir_all(copy).map_err(|e| format!("cannot remove {copy:?}: {e}"))?;
    }
    let listing = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !listing.status.success() {
        return Err(format!(
            "git ls-files failed: {}",
            String::from_utf8_lossy(&listing.stderr)
        ));
    }
    for name in listing.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let from = root.join(name.as_ref());
        if !from.is_file() {
            continue; // deleted but not yet staged
        }
        let to = copy.join(name.as_ref());
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot create {parent:?}: {e}"))?;
        }
        fs::copy(&from, &to).map_err(|e| format!("cannot copy {from:?}: {e}"))?;
    }
    Ok(())
}

/// The unit hashes of the workspace's own packages in `debug`'s fingerprints
/// (`.fingerprint/<package>-<hash>`): every file of such a unit carries its hash.
fn own_unit_hashes(root: &Path, debug: &Path) -> Result<Vec<String>, String> {
    let names: Vec<String> = cargo::workspace_packages(root)?
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    let Ok(entries) = fs::read_dir(debug.join(".fingerprint")) else {
        return Ok(Vec::new());
    };
    let mut hashes = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((package, hash)) = name.rsplit_once('-')
            && names.iter().any(|n| n == package)
        {
            hashes.push(hash.to_string());
        }
    }
    Ok(hashes)
}

/// Hard-links every file under `from` into `to` (copies where a link cannot be made),
/// leaving out entries named with one of the `skipped` unit hashes.
fn link_tree(from: &Path, to: &Path, skipped: &[String]) -> Result<(), String> {
    if !from.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(to).map_err(|e| format!("cannot create {to:?}: {e}"))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {from:?}: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {from:?}: {e}"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if skipped.iter().any(|hash| name.contains(hash.as_str())) {
            continue;
        }
        let path = entry.path();
        let target: PathBuf = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read {path:?}: {e}"))?;
        if kind.is_dir() {
            link_tree(&path, &target, skipped)?;
        } else if kind.is_file() && fs::hard_link(&path, &target).is_err() {
            fs::copy(&path, &target).map_err(|e| format!("cannot copy {path:?}: {e}"))?;
        }
    }
    Ok(())
}

fn run_cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = cargo::command()
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed in the copy", args.join(" ")))
    }
}

fn run_binary(command: &mut Command) -> Result<Output, String> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))
}

fn expect_success(what: &str, output: &Output) -> Result<(), String> {
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({:?}):\n{}{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A GET with a token over a fresh connection: the status and the body.
fn http_get(endpoint: &str, path: &str, token: &str) -> Result<(u16, String), String> {
    let address = endpoint.trim_start_matches("http://");
    let mut stream =
        TcpStream::connect(address).map_err(|e| format!("cannot connect to {address}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nX-Auth-Token: {token}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("cannot send: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {answer}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameters_go_after_the_last_of_list_commits() {
        let spec = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/codearts-repo.yaml"),
        )
        .unwrap();
        let edited = add_parameters(&spec).unwrap();
        let at = edited.find("- name: committer").unwrap();
        assert!(edited[..at].contains("operationId: ListCommits"));
        assert!(!edited[..at].contains("operationId: ListPersonalRecentPushEvents"));
        assert!(edited[at..].find("responses:").unwrap() > ADDED_PARAMETERS.len() - 20);
    }
}
