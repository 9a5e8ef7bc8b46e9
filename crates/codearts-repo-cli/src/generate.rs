//! Texts generated from the command line's own definition: shell completion scripts
//! (`completions SHELL`) and the manual page (the hidden `man` subcommand).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::failure::{Failure, FailureKind};

/// The name the command is installed under, which completion scripts complete.
const BIN_NAME: &str = "codearts-repo";

/// The completion script for `shell`.
pub(crate) fn completions(shell: Shell) -> Result<Vec<u8>, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut script);
    Ok(script)
}

/// The manual page, in roff: `codearts-repo(1)`, with every subcommand listed.
pub(crate) fn man_page() -> Result<Vec<u8>, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| {
            Failure::new(
                FailureKind::Other,
                format!("could not write the manual page: {e}"),
            )
        })?;
    Ok(page)
}
