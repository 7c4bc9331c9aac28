//! `rpq list --state STATE`: a page of the tasks in one state, and on a terminal how to go on.

use crate::cli::ListArgs;
use crate::config::Config;
use crate::output::Output;
use crate::queue::{ListQuery, State};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ListArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    let page = q.list(&ListQuery {
        state: args.state,
        kind: args.kind.clone(),
        priority: args.priority,
        n: args.n as usize,
        after: args.after.clone(),
    })?;
    out.listed(&page.tasks)?;
    let state = args.state;
    // Only waiting tasks of one priority are counted as such; other filters read the tasks.
    let counted = args.kind.is_none() && (args.priority.is_none() || state == State::Waiting);
    match page.tasks.last() {
        None if q.exists() && args.after.is_none() => {
            out.hint(&format!("no {state} tasks in queue '{}'", cfg.queue))
        }
        Some(last) if page.more && counted => out.hint(&format!(
            "{} of {} {state} tasks shown; the next ones with --after {}",
            page.tasks.len(),
            page.total,
            last.task.id
        )),
        Some(last) if page.more => out.hint(&format!(
            "{} matching tasks shown, of {} {state} in all; more may match after --after {}",
            page.tasks.len(),
            page.total,
            last.task.id
        )),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}
