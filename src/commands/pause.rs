//! `rpq pause` and `rpq resume`: claims of a priority (or every one, or one group's) stop, or
//! go on; the pauses in force after it are printed.

use crate::cli::{PauseArgs, ResumeArgs};
use crate::config::Config;
use crate::error::UsageError;
use crate::output::{note, Output};
use crate::task::check_group;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &PauseArgs) -> Result<ExitCode> {
    if let Some(g) = &args.group {
        check_group(g).map_err(|e| UsageError(format!("--group: {e}")))?;
    }
    let mut q = super::open(cfg, out)?;
    // groups (issue 23): one group's tasks wait, the others go on.
    if let Some(g) = &args.group {
        let until = q.pause_group(g, args.for_)?;
        out.group_paused(q.name(), g, true, until)?;
        return Ok(ExitCode::SUCCESS);
    }
    let paused = q.pause(args.priority, args.for_)?;
    out.paused(q.name(), &paused)?;
    Ok(ExitCode::SUCCESS)
}

pub fn resume(cfg: &Config, out: &Output, args: &ResumeArgs) -> Result<ExitCode> {
    if let Some(g) = &args.group {
        check_group(g).map_err(|e| UsageError(format!("--group: {e}")))?;
    }
    let mut q = super::open(cfg, out)?;
    if let Some(g) = &args.group {
        let was = q.resume_group(g)?;
        out.group_paused(q.name(), g, false, None)?;
        if !was {
            note(&format!(
                "group '{g}' of queue '{}' was not paused",
                q.name()
            ));
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let paused = q.resume(args.priority)?;
    out.paused(q.name(), &paused)?;
    Ok(ExitCode::SUCCESS)
}
