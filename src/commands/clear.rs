//! `rpq clear`: removes every task of the queue (cancelling those in flight), asking first on a
//! terminal; `--all` drops the results, totals and consumers seen too.

use crate::cli::ClearArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ClearArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    if cfg.stdin_tty && !args.yes {
        let l = q.lengths()?;
        let also = if args.all {
            ", and its kept results, totals and consumers seen"
        } else {
            ""
        };
        let question = format!(
            "Remove every task of queue '{}' ({} waiting, {} in flight, {} retrying, {} dead){also}?",
            cfg.queue, l.waiting, l.in_flight, l.retrying, l.dead
        );
        if !out.confirm(&question)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let mut cleared = q.clear()?;
    if args.all {
        cleared.results = Some(q.clear_history()?);
        cleared.kept = vec!["settings", "schedules"];
    }
    out.cleared(&cfg.queue, &cleared)?;
    Ok(ExitCode::SUCCESS)
}
