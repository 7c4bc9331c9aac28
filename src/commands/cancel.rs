//! `rpq cancel ID...`: tasks removed, or (in flight) stopped by their consumer; an unknown id
//! is said on stderr, exit 1.

use crate::cli::CancelArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &CancelArgs) -> Result<ExitCode> {
    let done = super::open(cfg, out)?.cancel(&args.ids)?;
    for c in done.iter().flatten() {
        out.cancelled(c)?;
    }
    Ok(super::unknown(cfg, &args.ids, &done))
}
