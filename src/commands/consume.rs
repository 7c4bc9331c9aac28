//! `rpq consume`: claim, process, acknowledge (the engine is `consumer`).

use crate::cli::ConsumeArgs;
use crate::config::Config;
use crate::consumer::{self, default_name, Options};
use crate::error::{DataError, UsageError};
use crate::output::{count, Output};
use crate::shutdown::Shutdown;
use anyhow::Result;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(cfg: &Config, out: &Output, a: &ConsumeArgs) -> Result<ExitCode> {
    if a.exec.as_deref().is_some_and(|c| c.trim().is_empty()) {
        return Err(
            UsageError("--exec is empty; give the command to run for each task".into()).into(),
        );
    }
    if a.pipe.as_deref().is_some_and(|c| c.trim().is_empty()) {
        return Err(
            UsageError("--pipe is empty; give the command that handles the tasks".into()).into(),
        );
    }
    if a.batch > 1 && a.exec.is_none() && a.pipe.is_none() {
        return Err(UsageError(
            "--batch gives a handler several tasks at once; give --exec CMD or --pipe CMD".into(),
        )
        .into());
    }
    if a.linger.is_some() && a.batch <= 1 {
        return Err(UsageError(
            "--linger is how long a --batch waits to fill; give --batch N (more than 1)".into(),
        )
        .into());
    }
    let sd = Shutdown::install()?;
    // A consumer started before its Redis (at boot, in a container) waits for it, as after a
    // disconnect; a signal meanwhile is a graceful stop.
    let Some(mut q) = crate::reconnect::open_waiting(cfg, &sd)? else {
        return Ok(ExitCode::SUCCESS);
    };
    // Only for the notes on a terminal: when the queue does not exist (a typo waits forever),
    // and what an idle consumer waits for, so a silent terminal is not taken for a hang.
    super::hint_missing(cfg, out, &q);
    if out.hints() && !a.drain && q.lengths()?.waiting == 0 {
        out.hint(&format!(
            "waiting for tasks on '{}' at {}; Ctrl+C stops",
            cfg.queue,
            cfg.display_url()
        ));
    }
    drop(q);
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
        concurrency: a.concurrency as usize,
        pipe: a.pipe.clone(),
        pipe_depth: a.pipe_depth as usize,
        batch: a.batch as usize,
        linger: a.linger.unwrap_or_default(),
    };
    let summary = consumer::run(cfg, &opts, &sd, out)?;
    // A bounded run that met bad tasks reports bad data; a daemon just goes on.
    let mut bad = Vec::new();
    if summary.unreadable > 0 {
        bad.push(format!(
            "{} could not be read",
            count(summary.unreadable, "stored task", "stored tasks")
        ));
    }
    if summary.unstartable > 0 {
        bad.push(format!(
            "{} could not be handed to a handler",
            count(summary.unstartable, "task", "tasks")
        ));
    }
    if !bad.is_empty() && (opts.drain || opts.count.is_some()) {
        return Err(DataError(format!(
            "{} and were moved to the dead set; see `rpq dead list`",
            bad.join(", ")
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
