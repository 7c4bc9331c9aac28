//! `rpq show ID...`: each task as it is now, or as it ended while its result is kept; an
//! unknown id is said on stderr, exit 1.

use crate::cli::ShowArgs;
use crate::config::Config;
use crate::output::Output;
use crate::queue::Found;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ShowArgs) -> Result<ExitCode> {
    let found = super::open(cfg, out)?.show_detailed(&args.ids, args.log)?;
    for f in found.iter().flatten() {
        match f {
            Found::Task(t) => out.shown(t)?,
            Found::Finished(k) => out.shown_finished(k)?,
        }
    }
    Ok(super::unknown(cfg, &args.ids, &found))
}
