//! `rpq group weight KEY [W]`: shows or sets a group's weight in the fair turns (issue 23);
//! `rpq groups`: the groups with waiting tasks.

use crate::cli::{GroupCommand, GroupsArgs};
use crate::config::Config;
use crate::error::UsageError;
use crate::output::Output;
use crate::queue::Queue;
use crate::task::check_group;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, cmd: &GroupCommand) -> Result<ExitCode> {
    match cmd {
        GroupCommand::Weight { group, weight } => {
            check_group(group).map_err(|e| UsageError(format!("KEY: {e}")))?;
            let mut q = Queue::open(cfg)?;
            let w = match weight {
                Some(w) => {
                    q.set_group_weight(group, *w)?;
                    *w
                }
                None => q.group_weight(group)?,
            };
            out.group_weight(q.name(), group, w)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn list(cfg: &Config, out: &Output, args: &GroupsArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let mut groups = q.groups()?;
    // Paged as `list` is: after the group the page before ended with (the default group's
    // key is the empty text).
    if let Some(after) = &args.after {
        let at = groups
            .iter()
            .position(|g| g.group.as_deref().unwrap_or("") == after)
            .ok_or_else(|| {
                UsageError(format!(
                    "--after: group '{after}' has no waiting task on queue '{}' now; \
                     start again from the first page",
                    q.name()
                ))
            })?;
        groups.drain(..=at);
    }
    groups.truncate(args.limit);
    out.groups(&groups)?;
    Ok(ExitCode::SUCCESS)
}
