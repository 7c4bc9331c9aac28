//! `rpq events` (issue 26): switch a queue's lifecycle events on or off, read them, follow them.

use crate::cli::EventsArgs;
use crate::config::Config;
use crate::error::UsageError;
use crate::output::Output;
use crate::queue::events::{From, DEFAULT_KEEP};
use crate::reconnect::retry_idle;
use crate::shutdown::Shutdown;
use anyhow::Result;
use std::process::ExitCode;
use std::time::Duration;

/// Events read a call; a `--follow` waits this long at most for the next.
const PAGE: usize = 1000;
const WAIT: Duration = Duration::from_secs(1);

pub fn run(cfg: &Config, out: &Output, args: &EventsArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    if args.enable || args.disable {
        let keep = args.enable.then(|| args.keep.unwrap_or(DEFAULT_KEEP));
        q.set_events(keep)?;
        out.events_setting(&cfg.queue, keep)?;
        return Ok(ExitCode::SUCCESS);
    }
    if q.events_kept()?.is_none() {
        out.hint(&format!(
            "the events of queue '{}' are off: `rpq events --enable` switches them on",
            cfg.queue
        ));
    }
    let now = q.counters()?.now.timestamp_millis();
    let mut from = match &args.since {
        Some(s) => From::parse(s, now).map_err(|e| UsageError(format!("--since: {e}")))?,
        None => From::Start,
    };
    let sd = Shutdown::install_quiet()?;
    if q.event_streams() > 1 {
        return sharded(&mut q, out, &sd, &from, args.follow);
    }
    // What is kept, a page at a time; then, with --follow, what comes.
    loop {
        let Some(page) = retry_idle(&mut q, &sd, |q| q.events(&from, PAGE))? else {
            return Ok(ExitCode::SUCCESS);
        };
        for e in &page {
            out.event(e)?;
        }
        if let Some(last) = page.last() {
            from = From::After(last.event_id.clone());
        }
        if page.len() < PAGE {
            break;
        }
    }
    if !args.follow {
        return Ok(ExitCode::SUCCESS);
    }
    // From where the reading above ended, so nothing written in between is missed.
    let mut after = match &from {
        From::After(id) => id.clone(),
        From::At(ms) if *ms > 0 => format!("{}-{}", ms - 1, u64::MAX),
        _ => "0-0".to_string(),
    };
    while !sd.stop_requested() {
        let Some(got) = retry_idle(&mut q, &sd, |q| q.wait_events(&after, WAIT, PAGE))? else {
            break;
        };
        for e in &got {
            out.event(e)?;
        }
        if let Some(last) = got.last() {
            after.clone_from(&last.event_id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A sharded queue's streams, one a shard, merged by id; `--follow` looks again every `POLL`
/// (a blocking read of several streams is refused on a cluster, where shards are apart).
fn sharded(
    q: &mut crate::queue::Queue,
    out: &Output,
    sd: &Shutdown,
    from: &From,
    follow: bool,
) -> Result<ExitCode> {
    const POLL: Duration = Duration::from_millis(100);
    let mut cur = q.cursor(from);
    while !sd.stop_requested() {
        let Some((page, more)) = retry_idle(q, sd, |q| q.events_merged(&mut cur, PAGE))? else {
            break;
        };
        for e in &page {
            out.event(e)?;
        }
        if more {
            continue;
        }
        if !follow || !sd.sleep(POLL) {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
