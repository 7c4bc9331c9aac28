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
    groups.truncate(args.limit);
    out.groups(&groups)?;
    Ok(ExitCode::SUCCESS)
}
