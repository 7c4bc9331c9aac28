//! `rpq clear`: removes every task of the queue, asking first on a terminal.

use crate::cli::ClearArgs;
use crate::config::Config;
use crate::output::Output;
use crate::queue::Queue;
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: &ClearArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    if cfg.stdin_tty && !args.yes {
        let l = q.lengths()?;
        eprint!(
            "Remove every task of queue '{}' ({} waiting, {} in flight, {} retrying, {} dead)? [y/N] ",
            cfg.queue, l.waiting, l.in_flight, l.retrying, l.dead
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context("reading the answer")?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing removed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let cleared = q.clear()?;
    Output::new(cfg.json, cfg.color).cleared(&cfg.queue, &cleared)?;
    Ok(ExitCode::SUCCESS)
}
