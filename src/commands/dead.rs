//! `rpq dead list|retry|purge`: the dead-letter set.

use crate::cli::DeadCommand;
use crate::config::Config;
use crate::output::Output;
use crate::queue::DeadMoved;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, cmd: &DeadCommand) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    match cmd {
        DeadCommand::List(a) => {
            let dead = q.dead_list(0, a.n)?;
            if dead.is_empty() && q.exists() {
                out.hint(&format!("no dead tasks in queue '{}'", cfg.queue));
            }
            out.dead(&dead)?;
        }
        DeadCommand::Retry(a) => moved(cfg, out, "retry", q.dead_retry(&a.ids)?)?,
        DeadCommand::Purge(a) => {
            // Every dead task at once is for good: on a terminal, as `clear`, ask first.
            if a.ids.is_empty() && cfg.stdin_tty && !a.yes {
                let n = q.lengths()?.dead;
                let question = format!(
                    "Delete every dead task of queue '{}' ({n} dead) for good?",
                    cfg.queue
                );
                if !out.confirm(&question)? {
                    return Ok(ExitCode::SUCCESS);
                }
            }
            moved(cfg, out, "purge", q.dead_purge(&a.ids)?)?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Says what moved; ids that were not dead are a failure (exit 1) named in one line.
fn moved(cfg: &Config, out: &Output, op: &str, m: DeadMoved) -> Result<()> {
    out.dead_moved(op, &m)?;
    if m.unknown.is_empty() {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "not in the dead set of queue '{}': {}; `rpq dead list` shows what is",
        cfg.queue,
        m.unknown.join(", ")
    ))
}
