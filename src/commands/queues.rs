//! `rpq queues`: every queue on the server with its counts; `queues remove NAME` deletes one.

use crate::cli::{QueuesArgs, QueuesCommand, QueuesRemoveArgs};
use crate::config::Config;
use crate::error::UsageError;
use crate::output::Output;
use crate::queue::{keys, Queue};
use anyhow::{bail, Result};
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &QueuesArgs) -> Result<ExitCode> {
    if let Some(QueuesCommand::Remove(a)) = &args.command {
        return remove(cfg, out, a);
    }
    let queues = Queue::open_server(cfg)?.queues()?;
    if queues.is_empty() {
        out.hint("no queues on this server (a queue appears with its first task)");
    }
    out.queues(&queues)?;
    Ok(ExitCode::SUCCESS)
}

fn remove(cfg: &Config, out: &Output, a: &QueuesRemoveArgs) -> Result<ExitCode> {
    keys::check_queue_name(&a.name).map_err(UsageError)?;
    let mut cfg = cfg.clone();
    cfg.queue = a.name.clone();
    cfg.queue_given = true;
    let mut q = Queue::open(&cfg)?;
    if !q.exists() {
        bail!(
            "queue '{}' does not exist; `rpq queues` lists the queues of this server",
            a.name
        );
    }
    let seen = q.snapshot()?.consumers;
    if !seen.is_empty() && !a.force {
        let names: Vec<&str> = seen.iter().map(|c| c.name.as_str()).collect();
        // The server's state, not the command line: exit 1, as for an unknown queue.
        bail!(
            "consumers are on queue '{}' (seen in the last minute: {}); stop them first, or \
             --force (they would go on with their leases lost)",
            a.name,
            names.join(", ")
        );
    }
    if cfg.stdin_tty && !a.yes {
        let l = q.lengths()?;
        let question = format!(
            "Delete queue '{}' for good ({} waiting, {} in flight, {} retrying, {} dead, and its \
             results, totals, settings and schedules)?",
            a.name, l.waiting, l.in_flight, l.retrying, l.dead
        );
        if !out.confirm(&question)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
    out.removed_queue(&q.remove()?)?;
    Ok(ExitCode::SUCCESS)
}
