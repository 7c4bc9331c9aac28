//! `rpq queues`: every queue on the server with its counts.

use crate::cli::QueuesArgs;
use crate::config::Config;
use crate::output::Output;
use crate::queue::Queue;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, _: &QueuesArgs) -> Result<ExitCode> {
    let queues = Queue::open(cfg)?.queues()?;
    if queues.is_empty() {
        out.hint("no queues on this server (a queue appears with its first task)");
    }
    out.queues(&queues)?;
    Ok(ExitCode::SUCCESS)
}
