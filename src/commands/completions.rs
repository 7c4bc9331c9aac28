//! `rpq completions SHELL`, and the man pages (`rpq man`): the files in `completions/` and
//! `man/` are generated from the clap definitions (man/ by a test), so they never drift from
//! `--help`; `rpq man` gives the same pages to whoever has only the binary (`cargo install`).

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::UsageError;
use crate::output::Output;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::process::ExitCode;

pub fn run(out: &Output, args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    generate(args.shell, &mut script);
    out.raw(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// `rpq man [COMMAND...]` prints one page; `rpq man --dir DIR` writes them all.
pub fn man(out: &Output, args: &ManArgs) -> Result<ExitCode> {
    let Some(dir) = &args.dir else {
        out.raw(&man_page(&args.command)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("making the directory {}", dir.display()))?;
    let pages = man_paths();
    for path in &pages {
        let file = dir.join(man_file(path));
        std::fs::write(&file, man_page(path)?)
            .with_context(|| format!("writing {}", file.display()))?;
    }
    out.raw(format!("wrote {} man pages into {}\n", pages.len(), dir.display()).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Every page's subcommand path: `[]` for rpq(1), then `["consume"]`, `["dead", "list"]`, ...
pub fn man_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in cmd.get_subcommands() {
            if !sub.is_hide_set() && sub.get_name() != "help" {
                let mut p = prefix.to_vec();
                p.push(sub.get_name().to_string());
                walk(sub, &p, out);
            }
        }
    }
    let mut all = Vec::new();
    walk(&Cli::command(), &[], &mut all);
    all
}

/// The file name of a page: `rpq-dead-list.1` for `["dead", "list"]`.
pub fn man_file(path: &[String]) -> String {
    std::iter::once("rpq")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-")
        + ".1"
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
