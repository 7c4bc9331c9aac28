//! `rpq show ID...`: each task as it is now; an unknown id is said on stderr, exit 1.

use crate::cli::ShowArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ShowArgs) -> Result<ExitCode> {
    let found = super::open(cfg, out)?.show(&args.ids)?;
    for t in found.iter().flatten() {
        out.shown(t)?;
    }
    Ok(super::unknown(cfg, &args.ids, &found))
}
