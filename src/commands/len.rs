//! `rpq len`: a bare integer for `n=$(rpq len)`, or the breakdown with `--json`.

use crate::cli::LenArgs;
use crate::config::Config;
use crate::output::Output;
use crate::queue::Queue;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, args: &LenArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let lengths = q.lengths()?;
    let total = match args.priority {
        Some(p) => lengths.of(p),
        None => lengths.waiting,
    };
    Output::new(cfg.json, cfg.color).len(total, &lengths)?;
    Ok(ExitCode::SUCCESS)
}
