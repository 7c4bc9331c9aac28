//! `rpq dead list|retry|purge`: the dead-letter set.

use crate::cli::DeadCommand;
use crate::config::Config;
use crate::output::Output;
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
            for d in &dead {
                out.dead(d)?;
            }
        }
        DeadCommand::Retry(a) => out.dead_moved("retry", q.dead_retry(&a.ids)?)?,
        DeadCommand::Purge(a) => out.dead_moved("purge", q.dead_purge(&a.ids)?)?,
    }
    Ok(ExitCode::SUCCESS)
}
