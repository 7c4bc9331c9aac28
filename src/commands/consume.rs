//! `rpq consume`: claim, process, acknowledge (the engine is `consumer`).

use crate::cli::ConsumeArgs;
use crate::config::Config;
use crate::consumer::{self, default_name, Options};
use crate::error::DataError;
use crate::output::Output;
use crate::shutdown::Shutdown;
use anyhow::Result;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(cfg: &Config, out: &Output, a: &ConsumeArgs) -> Result<ExitCode> {
    let sd = Shutdown::install()?;
    // Only for the note on a terminal when the queue does not exist (a typo waits forever).
    drop(super::open(cfg, out)?);
    let opts = Options {
        name: a.name.clone().unwrap_or_else(default_name),
        delay: a.delay,
        count: a.count,
        drain: a.drain,
        exec: a.exec.clone(),
        exec_timeout: a.exec_timeout,
        lease: a.lease.max(Duration::from_millis(100)),
        max_attempts: a.max_attempts,
        backoff: a.backoff,
        prefetch: a.prefetch as usize,
    };
    let summary = consumer::run(cfg, &opts, &sd, out)?;
    // A bounded run that met unreadable tasks reports bad data; a daemon just goes on.
    if summary.unreadable > 0 && (opts.drain || opts.count.is_some()) {
        return Err(DataError(format!(
            "{} stored task(s) could not be read and were moved to the dead set; see `rpq dead list`",
            summary.unreadable
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
