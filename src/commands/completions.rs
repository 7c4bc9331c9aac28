//! `rpq completions SHELL`, and the man pages: the files in `completions/` and `man/` are
//! generated from the clap definitions (man/ by a test), so they never drift from `--help`.

use crate::cli::{Cli, CompletionsArgs};
use crate::error::UsageError;
use crate::output::Output;
use anyhow::Result;
use clap::CommandFactory;
use std::process::ExitCode;

pub fn run(out: &Output, args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    generate(args.shell, &mut script);
    out.raw(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// The completion script of one shell.
pub fn generate(shell: clap_complete::Shell, out: &mut Vec<u8>) {
    clap_complete::generate(shell, &mut Cli::command(), "rpq", out);
}

/// The man page of `rpq` followed by the subcommand names in `path` (`rpq-dead-list(1)` for
/// `["dead", "list"]`), with the examples of its --help.
pub fn man_page(path: &[String]) -> Result<Vec<u8>> {
    // `rpq help` and `rpq dead help` have no page of their own: without them no page lists
    // `rpq-help(1)`.
    fn without_help(cmd: clap::Command) -> clap::Command {
        cmd.disable_help_subcommand(true)
            .mut_subcommands(without_help)
    }
    let mut cmd = without_help(Cli::command());
    // Building fills in the names a page shows: `rpq-dead-list` as title, `rpq dead list` in
    // the synopsis.
    cmd.build();
    for name in path {
        cmd = cmd
            .find_subcommand(name)
            .filter(|c| !c.is_hide_set())
            .cloned()
            .ok_or_else(|| UsageError(format!("no subcommand '{}'", path.join(" "))))?;
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}
