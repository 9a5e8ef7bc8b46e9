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

/// The manual page, in roff: `codearts-repo(1)`, with every subcommand listed and then
/// described in a section of its own (synopsis, description, its own options), so that the
/// one page holds every flag, those generated from the spec's parameter tables included.
/// The checked-in `man/codearts-repo.1` is this text (`cargo xtask man` writes it, and
/// `cargo xtask check` fails when it is stale).
pub(crate) fn man_page() -> Result<Vec<u8>, Failure> {
    let failed = |e: std::io::Error| {
        Failure::new(
            FailureKind::Other,
            format!("could not write the manual page: {e}"),
        )
    };
    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .map_err(failed)?;
    let mut page = String::from_utf8_lossy(&page).into_owned();
    let mut sections = String::new();
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = sub.get_name();
        // Each subcommand has only the options it takes, all described in its section.
        let mut text = Vec::new();
        clap_mangen::Man::new(sub.clone())
            .render(&mut text)
            .map_err(failed)?;
        sections.push_str(&format!(".SH \"{BIN_NAME} {name}\"\n").replace('-', "\\-"));
        sections.push_str(&subcommand_section(&String::from_utf8_lossy(&text)));
        // The list above points at the section, not at a page of its own.
        page = page.replace(
            &format!("{BIN_NAME}-{name}(1)").replace('-', "\\-"),
            &format!("{BIN_NAME} {name}").replace('-', "\\-"),
        );
    }
    // After the list of subcommands, before the closing sections.
    let at = [".SH EXTRA", ".SH VERSION"]
        .iter()
        .find_map(|heading| page.find(heading))
        .unwrap_or(page.len());
    page.insert_str(at, &sections);
    Ok(page.into_bytes())
}

/// A subcommand's own page turned into a section of the main one: without the preamble,
/// title, name and version, its sections made subsections.
fn subcommand_section(page: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in page.lines() {
        if line.starts_with(".ie ") || line.starts_with(".el ") || line.starts_with(".TH ") {
            continue;
        }
        if let Some(heading) = line.strip_prefix(".SH ") {
            skipping = matches!(heading, "NAME" | "VERSION");
            if !skipping {
                out.push_str(".SS ");
                out.push_str(heading);
                out.push('\n');
            }
            continue;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_page_describes_every_subcommand_and_its_flags() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        for command in [
            "events",
            "last\\-push",
            "commits",
            "recent\\-pushes",
            "completions",
        ] {
            assert!(
                page.contains(&format!(".SH \"codearts\\-repo {command}\"")),
                "no section for {command}"
            );
        }
        // A flag generated from the spec's parameter table, described once.
        assert_eq!(
            page.matches("\\fB\\-\\-ref\\fR \\fI<REF>\\fR").count(),
            1,
            "{page}"
        );
        // Each section describes the options its subcommand takes, and only those: the
        // connection's in the four operations', the walk's in those that walk pages.
        assert_eq!(page.matches("\\fB\\-\\-endpoint\\fR \\fI").count(), 4);
        assert_eq!(
            page.matches("\\fB\\-\\-concurrent\\-pages\\fR \\fI")
                .count(),
            2
        );
        // No page is named that does not exist.
        assert!(!page.contains("codearts\\-repo\\-commits(1)"));
        assert_eq!(page.matches(".TH ").count(), 1);
    }
}
