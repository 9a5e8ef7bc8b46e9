//! `codearts-repo`: push events and commit history of Huawei Cloud CodeArts Repo
//! repositories from a terminal, on top of the `codearts-repo` SDK.
//!
//! Run `codearts-repo demo` to see it work against an embedded emulator with no account
//! (built with the default `demo` feature).

// Output goes through the handles a command is given (stdout, or a lock on it), never
// through the print macros, which panic when the reader goes away.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod columns;
#[cfg(feature = "demo")]
mod demo;
#[cfg(feature = "demo")]
mod embedded;
mod escape;
mod failure;
mod generate;
mod output;
mod parse;
mod progress;
mod query_args;
mod session;
mod verbosity;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, OutputFormat};
use crate::failure::{Failure, FailureKind};
use crate::session::{Presets, Session};

fn main() -> ExitCode {
    let mut cli = match Cli::try_parse_from(cli::hoist_options(std::env::args_os())) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    cli.apply_environment(|name| std::env::var(name).ok());
    // Completions and the manual page are written from the command line's definition alone.
    let generated = match &cli.command {
        Command::Completions(args) => Some(generate::completions(args.shell)),
        Command::Man => Some(generate::man_page()),
        _ => None,
    };
    if let Some(text) = generated {
        return match text.and_then(|text| write_stdout(&text)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) if failure.output_closed => ExitCode::SUCCESS,
            Err(failure) => report(failure, None),
        };
    }
    if let Err(failure) = verbosity::init(cli.command.verbose()) {
        return report(failure, None);
    }
    // Reports quote the endpoint without the secrets it may carry.
    let endpoint = cli
        .command
        .common()
        .and_then(|common| common.connection.endpoint.clone());
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::new(FailureKind::Other, format!("could not start: {e}")))
        .and_then(|runtime| runtime.block_on(run(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.output_closed => ExitCode::SUCCESS,
        Err(failure) => report(failure, endpoint.as_deref()),
    }
}

/// Writes clap's message for a bad command line (exit code 2), or the help or version
/// asked for (exit code 0). A usage error quotes what was typed, so its control
/// characters are escaped as every other message's are.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let text = error.render().to_string();
    let status = match error.kind() {
        // Help and version are what was asked for, written by clap (in colour on a
        // terminal).
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        _ => error.exit_code(),
    };
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(escape::visible(&text, escape::Keep::LineFeeds).as_bytes());
    let _ = stderr.flush();
    ExitCode::from(u8::try_from(status).unwrap_or(2))
}

/// Writes `failure` on stderr, quoting `endpoint` without its secrets, and gives its exit code.
fn report(mut failure: Failure, endpoint: Option<&str>) -> ExitCode {
    if let Some(endpoint) = endpoint {
        failure = failure.redact_endpoint(endpoint);
    }
    let mut stderr = io::stderr().lock();
    let _ = failure.write_to(&mut stderr);
    let _ = stderr.flush();
    failure.exit_code()
}

/// Writes generated text on stdout; a reader that went away is not a failure.
fn write_stdout(text: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text)
        .and_then(|()| stdout.flush())
        .map_err(Failure::from)
}

/// Runs one command line to completion: the demo, or one operation in a session.
async fn run(cli: Cli) -> Result<(), Failure> {
    let command = cli.command;
    // A progress bar is drawn only on a terminal, and never with --no-progress.
    let progress = |no_progress: bool| !no_progress && io::stderr().is_terminal();
    #[cfg(feature = "demo")]
    if let Command::Demo(args) = &command {
        // The demo is for reading: tables unless a format was asked for.
        let format = args.output.unwrap_or(OutputFormat::Table);
        return demo::run(format, progress(args.no_progress)).await;
    }
    let Some(common) = command.common() else {
        return Err(Failure::new(
            FailureKind::Usage,
            "completions and the manual page need no session",
        ));
    };
    let format = common.output.output.unwrap_or_else(|| {
        if io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    });
    let walk = command.walk();
    let progress = progress(walk.is_none_or(|walk| walk.no_progress));
    let pages = walk.and_then(|walk| walk.concurrent_pages);
    let formula_guard = !common.output.no_formula_guard;
    #[cfg(feature = "demo")]
    if common.connection.emulator {
        // The emulator serves until the command is done.
        let emulator = embedded::start().await?;
        let presets = embedded::presets(&emulator);
        let session = Session::connect(&common.connection, pages, presets, format, progress)?
            .formula_guard(formula_guard);
        return session.execute(command).await;
    }
    let session = Session::connect(
        &common.connection,
        pages,
        Presets::default(),
        format,
        progress,
    )?
    .formula_guard(formula_guard);
    session.execute(command).await
}
