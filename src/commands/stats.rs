//! `rpq stats`: waiting by priority, in flight, retrying, dead, consumers seen, throughput of the
//! last minute and totals; `--watch` refreshes it in place on a terminal, or prints a snapshot
//! per interval otherwise. Everything comes from counters and set sizes: no scan of the tasks.

use crate::cli::StatsArgs;
use crate::config::Config;
use crate::output::{local_time, short_duration, Output};
use crate::queue::{Queue, RECENT_SECS};
use crate::reconnect::retry_idle;
use crate::shutdown::Shutdown;
use crate::task::{rfc3339, Priority};
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;

/// A consumer counts as seen when it claimed, acknowledged or extended a lease within this window.
const SEEN_WITHIN_MS: i64 = 60_000;

/// `--watch` never refreshes faster than this.
const MIN_WATCH: Duration = Duration::from_millis(100);

/// A watch frame on a terminal lists at most this many consumers, so it fits on a screen.
const WATCH_CONSUMERS: usize = 10;

/// Cells of the widest backlog bar.
const BAR_WIDTH: usize = 30;

#[derive(Debug, Serialize)]
pub struct Stats {
    pub queue: String,
    /// When the snapshot was taken, by the server's clock.
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    pub waiting: Waiting,
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
    pub recovered: u64,
    pub last_minute: Recent,
    pub oldest_waiting_ms: Option<u64>,
    pub consumers: Vec<Consumer>,
}

#[derive(Debug, Serialize)]
pub struct Waiting {
    pub total: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

/// Tasks finished in the last 60 seconds.
#[derive(Debug, Serialize)]
pub struct Recent {
    pub done: u64,
    pub failed: u64,
}

#[derive(Debug, Serialize)]
pub struct Consumer {
    pub name: String,
    #[serde(with = "rfc3339")]
    pub last_seen: DateTime<Utc>,
    pub done: u64,
}

pub fn run(cfg: &Config, args: &StatsArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let out = Output::new(cfg.json, cfg.color);
    let Some(every) = args.watch else {
        let s = collect(&mut q)?;
        if cfg.json {
            out.json_line(&s)?;
        } else {
            out.line(&render(&s, &out, cfg.stdout_tty, usize::MAX))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let every = every.max(MIN_WATCH);
    // Ctrl+C is how a watch ends: a success, and no "stopping after the work in hand" note.
    let sd = Shutdown::install_quiet()?;
    let screen = (cfg.stdout_tty && !cfg.json).then(|| out.screen());
    loop {
        let Some(s) = retry_idle(&mut q, &sd, collect)? else {
            break;
        };
        match &screen {
            Some(screen) => screen.frame(&render(&s, &out, true, WATCH_CONSUMERS))?,
            None if cfg.json => out.json_line(&s)?,
            None => out.line(&format!("{}\n", render(&s, &out, false, usize::MAX)))?,
        }
        if !sd.sleep(every) {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn collect(q: &mut Queue) -> Result<Stats> {
    let l = q.lengths()?;
    let c = q.counters()?;
    let oldest = q.oldest_waiting()?;
    let consumers = c
        .consumers
        .iter()
        .filter(|s| (c.now - s.last_seen).num_milliseconds() <= SEEN_WITHIN_MS)
        .map(|s| Consumer {
            name: s.name.clone(),
            last_seen: s.last_seen,
            done: s.done,
        })
        .collect();
    Ok(Stats {
        queue: q.name().to_string(),
        at: c.now,
        waiting: Waiting {
            total: l.waiting,
            high: l.high,
            medium: l.medium,
            low: l.low,
        },
        in_flight: l.in_flight,
        retrying: l.retrying,
        dead: l.dead,
        pushed: c.pushed,
        done: c.done,
        failed: c.failed,
        recovered: c.recovered,
        last_minute: Recent {
            done: c.recent_done,
            failed: c.recent_failed,
        },
        oldest_waiting_ms: oldest.map(|t| (c.now - t).num_milliseconds().max(0) as u64),
        consumers,
    })
}

/// The human form; `bars` adds a bar chart of the backlog by priority (terminals only), and at
/// most `max_consumers` consumers are listed.
pub fn render(s: &Stats, out: &Output, bars: bool, max_consumers: usize) -> String {
    let w = &s.waiting;
    let mut t = format!("queue {}  at {}\n", s.queue, local_time(&s.at));
    t += &format!(
        "  waiting      {:>9}  (high {}, medium {}, low {})\n",
        w.total, w.high, w.medium, w.low
    );
    if bars {
        let max = w.high.max(w.medium).max(w.low);
        for (p, n) in Priority::ALL.iter().zip([w.high, w.medium, w.low]) {
            t += &format!(
                "    {} {} {n}\n",
                out.priority_padded(p.get(), 6),
                out.paint_priority(p.get(), &format!("{:<BAR_WIDTH$}", bar(n, max, BAR_WIDTH))),
            );
        }
    }
    t += &format!(
        "  in flight    {:>9}\n  retrying     {:>9}\n  dead         {:>9}\n",
        s.in_flight, s.retrying, s.dead
    );
    if let Some(ms) = s.oldest_waiting_ms {
        t += &format!(
            "  oldest waiting {:>7}\n",
            short_duration(Duration::from_millis(ms))
        );
    }
    t += &format!(
        "  last minute  {:>9} done, {} failed ({:.1}/s)\n",
        s.last_minute.done,
        s.last_minute.failed,
        (s.last_minute.done + s.last_minute.failed) as f64 / RECENT_SECS as f64
    );
    t += &format!(
        "  in total     {:>9} pushed, {} done, {} failed, {} recovered from expired leases\n",
        s.pushed, s.done, s.failed, s.recovered
    );
    t += &format!(
        "  consumers seen in the last minute: {}\n",
        s.consumers.len()
    );
    for c in s.consumers.iter().take(max_consumers) {
        t += &format!(
            "    {:<24} last seen {}  done {}\n",
            c.name,
            local_time(&c.last_seen),
            c.done
        );
    }
    if s.consumers.len() > max_consumers {
        t += &format!("    ... and {} more\n", s.consumers.len() - max_consumers);
    }
    t.trim_end().to_string()
}

/// `n` out of `max` as a bar of at most `width` cells, in eighths of a cell. Anything above
/// zero shows at least a sliver.
fn bar(n: u64, max: u64, width: usize) -> String {
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if n == 0 || max == 0 {
        return String::new();
    }
    let eighths = ((n as u128 * width as u128 * 8) / max as u128).max(1) as usize;
    let mut s = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        s.push(PARTS[eighths % 8 - 1]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_backlog() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(bar(0, 0, 4), "");
        // A sliver for one task among millions, and eighths in between.
        assert_eq!(bar(1, 1_000_000, 4), "▏");
        assert_eq!(bar(9, 16, 2), "█▏");
        assert!(bar(7, 10, 30).chars().count() <= 30);
    }

    #[test]
    fn the_human_form_names_priorities_and_lists_consumers() {
        let s = Stats {
            queue: "q".into(),
            at: Utc::now(),
            waiting: Waiting {
                total: 6,
                high: 1,
                medium: 2,
                low: 3,
            },
            in_flight: 1,
            retrying: 0,
            dead: 2,
            pushed: 12,
            done: 4,
            failed: 3,
            recovered: 0,
            last_minute: Recent { done: 4, failed: 2 },
            oldest_waiting_ms: Some(1500),
            consumers: (0..3)
                .map(|i| Consumer {
                    name: format!("c{i}"),
                    last_seen: Utc::now(),
                    done: i,
                })
                .collect(),
        };
        let out = Output::new(false, false);
        let plain = render(&s, &out, false, usize::MAX);
        assert!(plain.contains("(high 1, medium 2, low 3)"), "{plain}");
        assert!(plain.contains("4 done, 2 failed (0.1/s)"), "{plain}");
        assert!(plain.contains("oldest waiting   1.50s"), "{plain}");
        assert!(plain.contains("c2"), "{plain}");
        assert!(!plain.contains('█'));
        let chart = render(&s, &out, true, 2);
        assert!(
            chart.contains("    low    ██████████████████████████████ 3"),
            "{chart}"
        );
        assert!(chart.contains("... and 1 more"), "{chart}");
        assert!(!chart.contains('\x1b'));
    }
}
