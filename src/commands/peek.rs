//! `rpq peek`: the next tasks in claim order, untouched.

use crate::cli::PeekArgs;
use crate::config::Config;
use crate::output::{note, Output};
use crate::queue::Queue;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: &PeekArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let tasks = q.peek(args.n)?;
    let out = Output::new(cfg.json, cfg.color);
    if tasks.is_empty() && cfg.stderr_tty {
        note(&format!("queue '{}' is empty", cfg.queue));
    }
    for t in &tasks {
        out.task(t)?;
    }
    Ok(ExitCode::SUCCESS)
}
