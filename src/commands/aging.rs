//! `rpq aging [DUR|off]`: shows or sets the queue's aging step (kept where every claim reads it).

use crate::cli::{Aging, AgingArgs};
use crate::config::Config;
use crate::output::Output;
use crate::queue::Queue;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &AgingArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let step = match args.step {
        None => q.aging()?,
        Some(Aging::Off) => {
            q.set_aging(None)?;
            None
        }
        Some(Aging::Every(d)) => {
            q.set_aging(Some(d))?;
            Some(d)
        }
    };
    out.aging(q.name(), step)?;
    Ok(ExitCode::SUCCESS)
}
