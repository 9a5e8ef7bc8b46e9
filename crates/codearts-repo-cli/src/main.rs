//! `codearts-repo`: push events and commit history of Huawei Cloud CodeArts Repo
//! repositories from a terminal, on top of the `codearts-repo` SDK.
//!
//! Run `codearts-repo demo` to see it work against an embedded emulator with no account.

mod cli;
mod columns;
mod demo;
mod failure;
mod output;
mod parse;
mod progress;
mod run;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::failure::{Failure, FailureKind};

fn main() -> ExitCode {
    // clap prints its own usage errors and exits with 2, the code for a bad flag or value.
    let cli = Cli::parse();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::new(FailureKind::Other, format!("could not start: {e}")))
        .and_then(|runtime| runtime.block_on(run::run(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.output_closed => ExitCode::SUCCESS,
        Err(failure) => {
            let mut stderr = io::stderr().lock();
            let _ = failure.write_to(&mut stderr);
            let _ = stderr.flush();
            failure.exit_code()
        }
    }
}

/// The terminal's width when stdout is one: tables and histograms fit it, and pipes get
/// every character.
pub(crate) fn stdout_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(io::stdout()).map(|(width, _)| usize::from(width.0))
}
