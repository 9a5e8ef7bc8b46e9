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
mod output;
mod parse;
mod progress;
mod session;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

#[cfg(feature = "demo")]
use crate::cli::Command;
use crate::cli::{Cli, OutputFormat};
use crate::failure::{Failure, FailureKind};
use crate::session::{Presets, Session};

fn main() -> ExitCode {
    // clap prints its own usage errors and exits with 2, the code for a bad flag or value.
    let cli = Cli::parse();
    // Reports quote the endpoint without the secrets it may carry.
    let endpoint = cli.connection.endpoint.clone();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::new(FailureKind::Other, format!("could not start: {e}")))
        .and_then(|runtime| runtime.block_on(run(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.output_closed => ExitCode::SUCCESS,
        Err(mut failure) => {
            if let Some(endpoint) = &endpoint {
                failure = failure.redact_endpoint(endpoint);
            }
            let mut stderr = io::stderr().lock();
            let _ = failure.write_to(&mut stderr);
            let _ = stderr.flush();
            failure.exit_code()
        }
    }
}

/// Runs one command line to completion: the demo, or one operation in a session.
async fn run(cli: Cli) -> Result<(), Failure> {
    let format = cli.output.unwrap_or_else(|| {
        if io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    });
    let progress = !cli.no_progress && io::stderr().is_terminal();
    #[cfg(feature = "demo")]
    if matches!(cli.command, Command::Demo) {
        // The demo is for reading: tables unless a format was asked for.
        return demo::run(cli.output.unwrap_or(OutputFormat::Table), progress).await;
    }
    #[cfg(feature = "demo")]
    if cli.emulator {
        // The emulator serves until the command is done.
        let emulator = embedded::start().await?;
        let presets = embedded::presets(&emulator);
        let session = Session::connect(&cli.connection, presets, format, progress)?
            .formula_guard(!cli.no_formula_guard);
        return session.execute(cli.command).await;
    }
    let session = Session::connect(&cli.connection, Presets::default(), format, progress)?
        .formula_guard(!cli.no_formula_guard);
    session.execute(cli.command).await
}
