//! `codearts-repo demo`: a short tour of every command against the embedded emulator.
//!
//! Each step of the tour is a real command line, parsed by the same parser and run by the
//! same code as when typed, so what the tour shows is what `codearts-repo --emulator …`
//! prints (the data is the same for the same seed).

use std::ffi::OsString;
use std::io::{self, Write};

use chrono::Days;
use clap::Parser;
use codearts_repo_emulator::Emulator;

use crate::cli::{Cli, ConnectionArgs, OutputFormat, hoist_options};
use crate::embedded::{self, EMULATOR_SEED};
use crate::failure::{Failure, FailureKind};
use crate::session::Session;

/// A repository id that the emulator does not have, for the tour's error example.
const MISSING_REPOSITORY: u32 = 999_999;

/// Runs the tour, writing each command and its output to stdout.
pub(crate) async fn run(format: OutputFormat, progress: bool) -> Result<(), Failure> {
    let emulator = embedded::start().await?;
    let repositories = emulator.repository_ids();
    let Some(&repository) = repositories.first() else {
        return Err(Failure::new(
            FailureKind::Other,
            "the embedded emulator has no repository",
        ));
    };
    let ids: Vec<String> = repositories.iter().map(u32::to_string).collect();
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "CodeArts Repo demo: an embedded emulator at {} serves synthetic data \
         (seed {EMULATOR_SEED}, repositories {}).",
        emulator.base_url(),
        ids.join(", ")
    )?;
    writeln!(
        out,
        "Every command below is real HTTP through the SDK; none needs an account."
    )?;
    drop(out);

    let repo = repository.to_string();
    let user = emulator.credentials().user_id.to_string();
    // The histogram covers the last two weeks of history, to stay short.
    let session = Session::connect(
        &ConnectionArgs::default(),
        None,
        embedded::presets(&emulator),
        format,
        progress,
    )?;
    let window_start = session
        .newest_commit_day(repository)
        .await?
        .and_then(|day| day.checked_sub_days(Days::new(13)))
        .map(|day| day.to_string());
    let mut by_day = args(&["commits", &repo, "--all", "--page-size", "25", "--by-day"]);
    if let Some(start) = &window_start {
        by_day.extend(args(&["--since", start]));
    }
    let steps: Vec<(&str, Vec<String>)> = vec![
        (
            "The latest push events of a repository, newest first",
            args(&["events", &repo, "--limit", "5"]),
        ),
        (
            "One user's pushes, fetched in pages of two",
            args(&[
                "events",
                &repo,
                "--filter",
                "push",
                "--author-id",
                &user,
                "--limit",
                "4",
                "--page-size",
                "2",
            ]),
        ),
        (
            "The repository's most recent push",
            args(&["last-push", &repo]),
        ),
        (
            "Commits of the default branch",
            args(&["commits", &repo, "--limit", "5"]),
        ),
        (
            "Commits per day over two weeks, merged over every page",
            by_day,
        ),
        (
            "Your own recent pushes across repositories",
            args(&["recent-pushes", "--size", "5"]),
        ),
        (
            "A repository that does not exist: a clear error and exit code 4",
            args(&["events", &MISSING_REPOSITORY.to_string()]),
        ),
    ];
    for (title, step) in steps {
        run_step(&emulator, title, &step, format, progress).await?;
    }
    let mut out = io::stdout().lock();
    writeln!(out)?;
    writeln!(
        out,
        "Run any of these yourself with --emulator, or against CodeArts Repo with --region and \
         credentials (see --help)."
    )?;
    out.flush()?;
    Ok(())
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Shows one command line, then runs it against the emulator; a failure is shown as the
/// user would see it, with its exit code, and the tour goes on.
async fn run_step(
    emulator: &Emulator,
    title: &str,
    step: &[String],
    format: OutputFormat,
    progress: bool,
) -> Result<(), Failure> {
    {
        let mut out = io::stdout().lock();
        writeln!(out)?;
        writeln!(out, "== {title}")?;
        writeln!(out, "$ codearts-repo --emulator {}", step.join(" "))?;
        out.flush()?;
    }
    let line = ["codearts-repo", "--emulator"]
        .into_iter()
        .map(String::from)
        .chain(step.iter().cloned())
        .map(OsString::from);
    let cli = Cli::try_parse_from(hoist_options(line)).map_err(|e| {
        Failure::new(
            FailureKind::Other,
            format!("the demo's command line does not parse: {e}"),
        )
    })?;
    let Some(common) = cli.command.common() else {
        return Err(Failure::new(
            FailureKind::Other,
            "the demo's command line is no operation",
        ));
    };
    let session = Session::connect(
        &common.connection,
        cli.command.walk().and_then(|walk| walk.concurrent_pages),
        embedded::presets(emulator),
        format,
        progress,
    )?;
    match session.execute(cli.command).await {
        Ok(()) => Ok(()),
        Err(failure) if failure.output_closed => Err(failure),
        Err(failure) => {
            let mut out = io::stdout().lock();
            failure.write_to(&mut out)?;
            writeln!(out, "(exit code {})", failure.kind.exit_code())?;
            out.flush()?;
            Ok(())
        }
    }
}
