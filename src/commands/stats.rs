//! `rpq stats`: one snapshot, or `--watch` for one per interval until Ctrl+C.

use crate::cli::StatsArgs;
use crate::config::Config;
use crate::error::UsageError;
use crate::log::note;
use crate::output::Output;
use crate::queue::history::{periods, Step, HOURS_KEPT_MS};
use crate::queue::migrate;
use crate::queue::Queue;
use crate::reconnect::retry_idle;
use crate::shutdown::Shutdown;
use anyhow::Result;
use std::process::ExitCode;
use std::time::Duration;

/// `--watch` never refreshes faster than this.
const MIN_WATCH: Duration = Duration::from_millis(100);

pub fn run(cfg: &Config, out: &Output, args: &StatsArgs) -> Result<ExitCode> {
    if let Some(since) = args.since {
        return since_ago(cfg, out, since);
    }
    let mut q = super::open(cfg, out)?;
    let name = q.name().to_string();
    if migrate::left_behind(q.conn(), &name)? {
        note(&format!(
            "queue '{name}' still has keys of stored layout 1 or 2 (or lines of limited types of an older rpq), which this rpq does not read (an \
             older rpq wrote to it since the migration, or the migration has not finished): run \
             `rpq migrate --queue {name}`"
        ));
    }
    let top = args.groups;
    // Issue 23: the groups' backlog, unless asked for none.
    let read = move |q: &mut Queue| -> Result<crate::queue::Stats> {
        let s = q.snapshot()?;
        let g = if top > 0 {
            q.groups_summary(top)?
        } else {
            None
        };
        Ok(s.with_groups(g))
    };
    let Some(every) = args.watch else {
        out.stats(&read(&mut q)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    // Ctrl+C is how a watch ends: a success, and no "stopping after the work in hand" note.
    let sd = Shutdown::install_quiet()?;
    let view = out.stats_view();
    while let Some(s) = retry_idle(&mut q, &sd, read)? {
        view.show(&s)?;
        if !sd.sleep(every.max(MIN_WATCH)) {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--since DUR`: the history's periods of the last DUR, at the finest step that holds them.
fn since_ago(cfg: &Config, out: &Output, since: Duration) -> Result<ExitCode> {
    let ms = i64::try_from(since.as_millis()).unwrap_or(i64::MAX);
    if ms == 0 || ms > HOURS_KEPT_MS {
        return Err(UsageError(
            "--since: the history goes back 30 days at most; give 1m to 30d".into(),
        )
        .into());
    }
    let mut q = super::open(cfg, out)?;
    let now = q.counters()?.now.timestamp_millis();
    let step = Step::for_since(ms);
    let points = q.history(step, now - ms)?;
    out.history(&cfg.queue, &periods(&cfg.queue, &points, now - ms, step))?;
    Ok(ExitCode::SUCCESS)
}
