//! `rpq move ID... [--priority P] [--now]`: new priorities, retries due now; a task that cannot
//! be moved is said on stderr, exit 1.

use crate::cli::MoveArgs;
use crate::config::Config;
use crate::output::{note, Output};
use crate::queue::Moved;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &MoveArgs) -> Result<ExitCode> {
    let results = super::open(cfg, out)?.move_tasks(&args.ids, args.priority, args.now)?;
    let mut refused = Vec::new();
    for (id, m) in args.ids.iter().zip(&results) {
        match m {
            Moved::Done(t) => out.moved(t)?,
            Moved::InFlight(who) => refused.push(format!(
                "task '{id}' is in flight (held by {who}); it can be moved once it is back in line"
            )),
            Moved::Dead => refused.push(format!(
                "task '{id}' is dead; `rpq dead retry {id}` queues it again"
            )),
            Moved::Unreadable => refused.push(format!(
                "task '{id}' cannot be read (its stored body names no priority); not moved"
            )),
            Moved::Unknown => refused.push(format!("no task '{id}' in queue '{}'", cfg.queue)),
        }
    }
    for why in &refused {
        note(why);
    }
    Ok(if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
