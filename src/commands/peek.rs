//! `rpq peek`: the next tasks in claim order, untouched.

use crate::cli::PeekArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &PeekArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    let tasks = q.peek(args.n)?;
    if tasks.is_empty() && q.exists() {
        out.hint(&format!("queue '{}' is empty", cfg.queue));
    }
    out.tasks(&tasks)?;
    Ok(ExitCode::SUCCESS)
}
