//! `rpq clear`: removes every task of the queue, asking first on a terminal.

use crate::cli::ClearArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ClearArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    if cfg.stdin_tty && !args.yes {
        let l = q.lengths()?;
        let question = format!(
            "Remove every task of queue '{}' ({} waiting, {} in flight, {} retrying, {} dead)?",
            cfg.queue, l.waiting, l.in_flight, l.retrying, l.dead
        );
        if !out.confirm(&question)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
    out.cleared(&cfg.queue, &q.clear()?)?;
    Ok(ExitCode::SUCCESS)
}
