//! `rpq pause` and `rpq resume`: claims of a priority (or every one) stop, or go on; the
//! pauses in force after it are printed.

use crate::cli::{PauseArgs, ResumeArgs};
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &PauseArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    let paused = q.pause(args.priority, args.for_)?;
    out.paused(q.name(), &paused)?;
    Ok(ExitCode::SUCCESS)
}

pub fn resume(cfg: &Config, out: &Output, args: &ResumeArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    let paused = q.resume(args.priority)?;
    out.paused(q.name(), &paused)?;
    Ok(ExitCode::SUCCESS)
}
