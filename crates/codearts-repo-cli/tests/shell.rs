//! What the `codearts-repo` binary says before it connects anywhere: completion scripts,
//! the manual page, and the messages for flags whose values it refuses.

use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

fn cmd() -> Command {
    let mut cmd = Command::cargo_bin("codearts-repo").expect("the binary is built");
    for (name, _) in std::env::vars() {
        if name.starts_with("HUAWEICLOUD_") || name.starts_with("CODEARTS_") || name == "RUST_LOG" {
            cmd.env_remove(name);
        }
    }
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn run(args: &[&str]) -> Output {
    cmd().args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

/// Runs `args`, expecting a usage error (exit 2), and returns stderr.
fn usage_error(args: &[&str]) -> String {
    let output = run(args);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(output.stdout.is_empty(), "{args:?}");
    err
}

#[test]
fn completions_cover_every_subcommand_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        for word in [
            "codearts-repo",
            "events",
            "last-push",
            "commits",
            "recent-pushes",
            "--endpoint",
        ] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    usage_error(&["completions", "tcsh"]);
}

#[test]
fn the_bash_script_registers_a_completion() {
    let output = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("codearts-repo.bash");
    std::fs::write(&script, &output.stdout).unwrap();
    let Ok(bash) = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p codearts-repo",
            script.display()
        ))
        .output()
    else {
        eprintln!("no bash on this machine: the script is checked by the other test only");
        return;
    };
    assert!(bash.status.success(), "{}", text(&bash.stderr));
    assert!(
        text(&bash.stdout).contains("codearts-repo"),
        "{}",
        text(&bash.stdout)
    );
}

#[test]
fn the_manual_page_is_roff_for_the_whole_command() {
    let output = run(&["man"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let page = text(&output.stdout);
    assert!(page.contains(".TH codearts-repo 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section} in\n{page}");
    }
    for word in [
        "events",
        "last\\-push",
        "commits",
        "recent\\-pushes",
        "completions",
        "\\-\\-verbose",
    ] {
        assert!(page.contains(word), "{word} in\n{page}");
    }
    // The same definition as --help, where the man subcommand stays out of sight.
    let help = text(&run(&["--help"]).stdout);
    assert!(
        help.contains("completions") && !help.contains("  man "),
        "{help}"
    );
}

#[test]
fn limit_must_be_at_least_one_and_says_so() {
    for value in ["0", "-1", "-20", "many", "1.5"] {
        let err = usage_error(&["events", "7", "--limit", value]);
        assert!(
            err.contains("--limit") && err.contains("at least 1") && err.contains("--all"),
            "{value}: {err}"
        );
        assert!(!err.contains("18446744073709551615"), "{value}: {err}");
        assert!(
            !err.contains("-- -"),
            "no advice to pass it after --: {err}"
        );
    }
}

#[test]
fn an_endpoint_of_another_scheme_asks_for_http_or_https() {
    for endpoint in ["ftp://x", "file:///tmp/x"] {
        let err = usage_error(&["--endpoint", endpoint, "--token", "t", "last-push", "7"]);
        assert!(err.contains("expected an http:// or https:// URL"), "{err}");
    }
}
