//! `rpq stats`: waiting by priority, in flight, retrying, dead, consumers seen, counters.

use crate::cli::StatsArgs;
use crate::config::Config;
use crate::output::{local_time, short_duration, Output};
use crate::queue::Queue;
use crate::task::{ms_to_time, rfc3339};
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::process::ExitCode;

/// A consumer counts as seen when it claimed or extended a lease within this window.
const SEEN_WITHIN_MS: i64 = 60_000;

#[derive(Debug, Serialize)]
pub struct Stats {
    pub queue: String,
    pub waiting: Waiting,
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
    pub recovered: u64,
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

#[derive(Debug, Serialize)]
pub struct Consumer {
    pub name: String,
    #[serde(with = "rfc3339")]
    pub last_seen: DateTime<Utc>,
    pub done: u64,
}

pub fn run(cfg: &Config, _args: &StatsArgs) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let s = collect(&mut q)?;
    let out = Output::new(cfg.json, cfg.color);
    if cfg.json {
        out.json_line(&s)?;
    } else {
        out.line(&render(&s))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn collect(q: &mut Queue) -> Result<Stats> {
    let l = q.lengths()?;
    let (counters, seen) = q.counters()?;
    let oldest = q.oldest_waiting()?;
    let now = Utc::now();
    let get = |name: &str| {
        counters
            .iter()
            .find(|(k, _)| k == name)
            .map_or(0, |(_, v)| (*v).max(0) as u64)
    };
    let mut consumers: Vec<Consumer> = seen
        .iter()
        .filter(|(_, ms)| now.timestamp_millis() - ms <= SEEN_WITHIN_MS)
        .map(|(name, ms)| Consumer {
            name: name.clone(),
            last_seen: ms_to_time(*ms),
            done: get(&format!("done:{name}")),
        })
        .collect();
    consumers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Stats {
        queue: q.name().to_string(),
        waiting: Waiting {
            total: l.waiting,
            high: l.high,
            medium: l.medium,
            low: l.low,
        },
        in_flight: l.in_flight,
        retrying: l.retrying,
        dead: l.dead,
        pushed: get("pushed"),
        done: get("done"),
        failed: get("failed"),
        recovered: get("recovered"),
        oldest_waiting_ms: oldest.map(|t| (now - t).num_milliseconds().max(0) as u64),
        consumers,
    })
}

pub fn render(s: &Stats) -> String {
    let mut t = format!(
        "queue {}\n  waiting    {:>8}  (high {}, medium {}, low {})\n  in flight  {:>8}\n  retrying   {:>8}\n  dead       {:>8}\n  pushed     {:>8}\n  done       {:>8}\n  failed     {:>8}\n",
        s.queue, s.waiting.total, s.waiting.high, s.waiting.medium, s.waiting.low,
        s.in_flight, s.retrying, s.dead, s.pushed, s.done, s.failed
    );
    if let Some(ms) = s.oldest_waiting_ms {
        t += &format!(
            "  oldest waiting task: {} old\n",
            short_duration(std::time::Duration::from_millis(ms))
        );
    }
    t += &format!(
        "  consumers seen in the last minute: {}\n",
        s.consumers.len()
    );
    for c in &s.consumers {
        t += &format!(
            "    {:<24} last seen {}  done {}\n",
            c.name,
            local_time(&c.last_seen),
            c.done
        );
    }
    t.trim_end().to_string()
}
