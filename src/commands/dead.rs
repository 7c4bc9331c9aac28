//! `rpq dead list|retry|purge`: the dead-letter set.

use crate::cli::DeadCommand;
use crate::config::Config;
use crate::output::{note, Output};
use crate::queue::Queue;
use anyhow::Result;
use serde_json::json;
use std::process::ExitCode;

pub fn run(cfg: &Config, cmd: &DeadCommand) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let out = Output::new(cfg.json, cfg.color);
    match cmd {
        DeadCommand::List(a) => {
            let dead = q.dead_list(0, a.n)?;
            if dead.is_empty() && cfg.stderr_tty {
                note(&format!("no dead tasks in queue '{}'", cfg.queue));
            }
            for d in &dead {
                out.dead(d)?;
            }
        }
        DeadCommand::Retry(a) => {
            let n = q.dead_retry(&a.ids)?;
            if cfg.json {
                out.json_line(&json!({ "retried": n }))?;
            } else {
                out.line(&format!("Queued {n} dead tasks again"))?;
            }
        }
        DeadCommand::Purge(a) => {
            let n = q.dead_purge(&a.ids)?;
            if cfg.json {
                out.json_line(&json!({ "purged": n }))?;
            } else {
                out.line(&format!("Purged {n} dead tasks"))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
