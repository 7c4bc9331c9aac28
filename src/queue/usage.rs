//! What consumers say of themselves and what they ran (issue 28): each consumer writes its
//! announcement (host, pid, handler, counts) and its tallies by type (done, failed, histograms of
//! time waited and time run) about once a second, in one call of report.lua from a thread of its
//! own; `rpq serve` reads them for the workers view, the per-type breakdown and `/metrics`.
//! Never part of a claim or an ack: these keys are outside the layout (`keys::workers`,
//! `keys::usage`), and a consumer that stops reporting loses nothing of its tasks.
//!
//! Bounded: the workers hash holds the consumers of the last day (each prunes it when it
//! starts); the usage hash holds `MAX_USAGE_FIELDS` fields at most (about 30 per type), each
//! consumer reports `MAX_TYPES` types at most (the rest as `OTHER_TYPE`), and the per-minute
//! hashes expire.

use super::keys;
use super::script::{self, Lua};
use super::stored::Field;
use super::{ListQuery, Queue, State, TaskInfo};
use crate::task::ms_to_time;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

/// The upper bounds of the histograms' buckets, in ms; one more bucket holds the rest.
pub const BOUNDS_MS: [u64; 14] = [
    5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000,
];

/// Buckets of a histogram: one per bound and the one past the last.
pub const BUCKETS: usize = BOUNDS_MS.len() + 1;

/// Types one consumer reports by name; tasks of further types count as `OTHER_TYPE`.
pub const MAX_TYPES: usize = 64;

/// What tasks of types past `MAX_TYPES` count as.
pub const OTHER_TYPE: &str = "(other)";

/// Fields the usage hash may hold; a full one takes increments of its fields only.
pub const MAX_USAGE_FIELDS: usize = 8_000;

/// A consumer not seen for this long is forgotten by the next consumer that starts.
pub const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How long a minute's hash of done and failed counts lives: the minute and the next two.
const MINUTE_TTL_S: u64 = 180;

static REPORT: LazyLock<Lua> =
    LazyLock::new(|| Lua::standalone("report", include_str!("lua/report.lua").to_string()));

/// What a consumer says of itself, as stored (JSON) and as the API shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerSays {
    pub name: String,
    pub host: String,
    pub pid: u32,
    /// Handler slots (`-j`).
    pub concurrency: u64,
    /// "exec", "pipe" or "simulated".
    pub handler: String,
    /// The `--exec` or `--pipe` command line; empty for simulated work.
    pub command: String,
    /// When it started, ms by its own clock.
    pub started_at: i64,
    /// When it last reported, ms by its own clock.
    pub seen_at: i64,
    pub done: u64,
    pub failed: u64,
}

/// Counts of one histogram: one per bucket (not cumulative) and the sum of the times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Histogram {
    pub counts: Vec<u64>,
    pub sum_ms: u64,
}

impl Histogram {
    fn empty() -> Histogram {
        Histogram {
            counts: vec![0; BUCKETS],
            sum_ms: 0,
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn add(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.sum_ms += other.sum_ms;
    }
}

/// The bucket a time falls in.
pub fn bucket(ms: u64) -> usize {
    BOUNDS_MS
        .iter()
        .position(|&b| ms <= b)
        .unwrap_or(BOUNDS_MS.len())
}

/// (field, increment) pairs for HINCRBY.
type Increments = Vec<(String, u64)>;

/// What a consumer ran of one type since its last report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeTally {
    pub done: u64,
    pub failed: u64,
    pub wait: Histogram,
    pub run: Histogram,
}

impl Default for TypeTally {
    fn default() -> TypeTally {
        TypeTally {
            done: 0,
            failed: 0,
            wait: Histogram::empty(),
            run: Histogram::empty(),
        }
    }
}

/// What a consumer ran since its last report, by type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub types: BTreeMap<String, TypeTally>,
}

impl Tally {
    /// One task finished (`ok`: done, else a failed attempt) after waiting `wait` (None: not
    /// known, a retry) and running `run`.
    pub fn record(&mut self, kind: &str, ok: bool, wait: Option<Duration>, run: Duration) {
        let kind = if self.types.contains_key(kind) || self.types.len() < MAX_TYPES {
            kind
        } else {
            OTHER_TYPE
        };
        let t = self.types.entry(kind.to_string()).or_default();
        if ok {
            t.done += 1;
        } else {
            t.failed += 1;
        }
        if let Some(w) = wait {
            let ms = w.as_millis() as u64;
            t.wait.counts[bucket(ms)] += 1;
            t.wait.sum_ms += ms;
        }
        let ms = run.as_millis() as u64;
        t.run.counts[bucket(ms)] += 1;
        t.run.sum_ms += ms;
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Adds a tally that could not be written, to be written with the next.
    pub fn merge(&mut self, other: Tally) {
        for (kind, t) in other.types {
            let mine = self.types.entry(kind).or_default();
            mine.done += t.done;
            mine.failed += t.failed;
            mine.wait.add(&t.wait);
            mine.run.add(&t.run);
        }
    }

    /// (field, increment) pairs for the usage hash and for the minute's hash.
    fn fields(&self) -> (Increments, Increments) {
        let (mut total, mut minute) = (Vec::new(), Vec::new());
        for (kind, t) in &self.types {
            for (name, n) in [("done", t.done), ("failed", t.failed)] {
                if n > 0 {
                    total.push((format!("{name}|{kind}"), n));
                    minute.push((format!("{name}|{kind}"), n));
                }
            }
            for (name, h) in [("wait", &t.wait), ("run", &t.run)] {
                for (i, &n) in h.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
                    total.push((format!("{name}|{kind}|{i}"), n));
                }
                if h.count() > 0 {
                    total.push((format!("{name}_ms|{kind}"), h.sum_ms));
                }
            }
        }
        (total, minute)
    }
}

/// What the consumers of a queue ran, by type, read now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Usage {
    pub types: Vec<TypeUsage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeUsage {
    #[serde(rename = "type")]
    pub kind: String,
    pub done: u64,
    pub failed: u64,
    /// Over the last 60 seconds: this minute's count and the part of the last minute's that
    /// falls in them.
    pub done_per_min: f64,
    pub failed_per_min: f64,
    pub wait: Histogram,
    pub run: Histogram,
}

impl TypeUsage {
    fn new(kind: &str) -> TypeUsage {
        TypeUsage {
            kind: kind.to_string(),
            done: 0,
            failed: 0,
            done_per_min: 0.0,
            failed_per_min: 0.0,
            wait: Histogram::empty(),
            run: Histogram::empty(),
        }
    }
}

impl Usage {
    /// Every type's totals, with the counts of this minute and the one before, `into` the
    /// current minute by `frac` (0..1).
    fn parse(total: &[Field], this: &[Field], last: &[Field], frac: f64) -> Usage {
        let mut by: BTreeMap<String, TypeUsage> = BTreeMap::new();
        fn get<'a>(by: &'a mut BTreeMap<String, TypeUsage>, kind: &str) -> &'a mut TypeUsage {
            by.entry(kind.to_string())
                .or_insert_with(|| TypeUsage::new(kind))
        }
        for Field { name, value } in total {
            let n = value.parse::<i64>().unwrap_or(0).max(0) as u64;
            let Some((what, rest)) = name.split_once('|') else {
                continue;
            };
            match what {
                "done" => get(&mut by, rest).done += n,
                "failed" => get(&mut by, rest).failed += n,
                "wait_ms" => get(&mut by, rest).wait.sum_ms += n,
                "run_ms" => get(&mut by, rest).run.sum_ms += n,
                "wait" | "run" => {
                    let Some((kind, i)) = rest.rsplit_once('|') else {
                        continue;
                    };
                    let Some(i) = i.parse::<usize>().ok().filter(|&i| i < BUCKETS) else {
                        continue;
                    };
                    let t = get(&mut by, kind);
                    let h = if what == "wait" {
                        &mut t.wait
                    } else {
                        &mut t.run
                    };
                    h.counts[i] += n;
                }
                _ => {}
            }
        }
        for (fields, weight) in [(this, 1.0), (last, 1.0 - frac)] {
            for Field { name, value } in fields {
                let n = value.parse::<f64>().unwrap_or(0.0).max(0.0) * weight;
                match name.split_once('|') {
                    Some(("done", kind)) => get(&mut by, kind).done_per_min += n,
                    Some(("failed", kind)) => get(&mut by, kind).failed_per_min += n,
                    _ => {}
                }
            }
        }
        Usage {
            types: by.into_values().collect(),
        }
    }

    /// Every type's histograms added up.
    pub fn all(&self) -> (Histogram, Histogram) {
        let (mut wait, mut run) = (Histogram::empty(), Histogram::empty());
        for t in &self.types {
            wait.add(&t.wait);
            run.add(&t.run);
        }
        (wait, run)
    }
}

impl Queue {
    /// Writes what `me` says of itself and what it ran since its last report, in one script
    /// call; `prune` also forgets consumers not seen for `FORGET_AFTER`. False when the queue
    /// does not exist (nothing is written).
    pub fn report(&mut self, me: &WorkerSays, tally: &Tally, prune: bool) -> Result<bool> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let minute = now_ms.div_euclid(60_000);
        let (total, per_minute) = tally.fields();
        let cutoff = if prune {
            now_ms - FORGET_AFTER.as_millis() as i64
        } else {
            0
        };
        let keys = [
            keys::meta(&self.name),
            keys::workers(&self.name),
            keys::usage(&self.name),
            keys::usage_minute(&self.name, minute),
        ];
        let mut args = vec![
            me.name.clone(),
            serde_json::to_string(me)?,
            cutoff.to_string(),
            MINUTE_TTL_S.to_string(),
            MAX_USAGE_FIELDS.to_string(),
            total.len().to_string(),
        ];
        for (f, n) in total.into_iter().chain(per_minute) {
            args.push(f);
            args.push(n.to_string());
        }
        let reply = script::run::<i64, _>(&mut self.conn, &REPORT, &keys, &args);
        let written = reply
            .map_err(|e| self.explain(0, e, "EVALSHA"))
            .with_context(|| format!("reporting on queue '{}'", self.name))?;
        Ok(written == 1)
    }

    /// What the consumers of the queue said of themselves, by name; an entry that cannot be
    /// read is shown by its name only.
    pub fn workers(&mut self) -> Result<Vec<WorkerSays>> {
        let reply = self
            .query_many("HGETALL", vec![hgetall(&keys::workers(&self.name))])
            .with_context(|| format!("reading the workers of queue '{}'", self.name))?;
        let mut out: Vec<WorkerSays> =
            Field::all_of(reply.into_iter().next().unwrap_or(redis::Value::Nil))?
                .into_iter()
                .map(|Field { name, value }| {
                    let mut w: WorkerSays = serde_json::from_str(&value).unwrap_or_default();
                    w.name = name;
                    w
                })
                .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// What the consumers ran, by type, with the rates of the last minute (by the server's
    /// clock): three small hashes in one round trip.
    pub fn usage(&mut self) -> Result<Usage> {
        let now_ms = self.server_ms()?;
        let minute = now_ms.div_euclid(60_000);
        let frac = (now_ms.rem_euclid(60_000)) as f64 / 60_000.0;
        let cmds = vec![
            hgetall(&keys::usage(&self.name)),
            hgetall(&keys::usage_minute(&self.name, minute)),
            hgetall(&keys::usage_minute(&self.name, minute - 1)),
        ];
        let r = self
            .query_many("HGETALL", cmds)
            .with_context(|| format!("reading the usage of queue '{}'", self.name))?;
        let mut r = r.into_iter().map(Field::all_of);
        let mut next = || r.next().unwrap_or_else(|| Ok(vec![]));
        let (total, this, last) = (next()?, next()?, next()?);
        Ok(Usage::parse(&total, &this, &last, frac))
    }
}

/// A consumer not heard from for this long is shown as gone (greyed out in the page): three
/// of its idle reports missed.
pub const GONE_AFTER: Duration = Duration::from_secs(30);

/// ... and for this long, no longer shown (the entry itself goes after `FORGET_AFTER`).
pub const HIDE_AFTER: Duration = Duration::from_secs(3600);

/// Tasks in flight, and tasks waiting, read for the workers view and the breakdown by type: the
/// first this many of each state (the rest are counted in the totals, not by type or holder).
pub const LOOK_AT: usize = 1000;

/// A consumer as the workers view shows it: what it said of itself, whether it is still heard
/// from, and the tasks it holds now.
#[derive(Debug, Clone, Serialize)]
pub struct Worker {
    pub name: String,
    /// Null for a consumer that announced nothing (an HTTP worker, an older rpq).
    pub host: Option<String>,
    pub pid: Option<u32>,
    pub concurrency: Option<u64>,
    pub handler: Option<String>,
    pub command: Option<String>,
    #[serde(with = "crate::task::rfc3339::opt")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::task::rfc3339")]
    pub last_seen: DateTime<Utc>,
    /// Heard from within `GONE_AFTER`.
    pub live: bool,
    pub done: u64,
    pub failed: Option<u64>,
    pub holding: Vec<Holding>,
}

/// A task a consumer holds, and for how long.
#[derive(Debug, Clone, Serialize)]
pub struct Holding {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(with = "crate::task::rfc3339")]
    pub claimed_at: DateTime<Utc>,
    pub held_ms: u64,
}

/// The workers of a queue, read at `at` (the server's clock).
#[derive(Debug, Clone, Serialize)]
pub struct Workers {
    pub queue: String,
    #[serde(with = "crate::task::rfc3339")]
    pub at: DateTime<Utc>,
    /// Whether every task in flight was looked at (false: more than `LOOK_AT`).
    pub complete: bool,
    pub workers: Vec<Worker>,
}

/// One type of a queue: tasks waiting and in flight now (of the first `LOOK_AT` of each), and
/// what the consumers reported of it.
#[derive(Debug, Clone, Serialize)]
pub struct TypeRow {
    #[serde(rename = "type")]
    pub kind: String,
    pub waiting: u64,
    pub in_flight: u64,
    pub done: u64,
    pub failed: u64,
    pub done_per_min: f64,
    pub failed_per_min: f64,
}

/// The breakdown of a queue by type.
#[derive(Debug, Clone, Serialize)]
pub struct Types {
    pub queue: String,
    #[serde(with = "crate::task::rfc3339")]
    pub at: DateTime<Utc>,
    /// Whether every waiting and in-flight task was looked at (false: the counts are of the
    /// first `LOOK_AT` of each state).
    pub complete: bool,
    pub types: Vec<TypeRow>,
}

impl Queue {
    /// The first `LOOK_AT` tasks of a state, and whether that was all of them.
    fn first_of(&mut self, state: State) -> Result<(Vec<TaskInfo>, bool)> {
        let page = self.list(&ListQuery {
            state,
            kind: None,
            priority: None,
            n: LOOK_AT,
            after: None,
        })?;
        Ok((page.tasks, !page.more))
    }

    /// The workers view: every consumer heard from within `HIDE_AFTER` (announced or only in
    /// the consumers hash), live ones first, then by name, with the tasks each holds now.
    pub fn workers_view(&mut self) -> Result<Workers> {
        let now_ms = self.server_ms()?;
        let said = self.workers()?;
        let seen = self.counters()?.consumers;
        let (flying, complete) = self.first_of(State::InFlight)?;
        let mut out: Vec<Worker> = Vec::new();
        for w in &said {
            let seen_ms = seen
                .iter()
                .find(|c| c.name == w.name)
                .map_or(w.seen_at, |c| c.last_seen.timestamp_millis().max(w.seen_at));
            out.push(Worker {
                name: w.name.clone(),
                host: Some(w.host.clone()),
                pid: Some(w.pid),
                concurrency: Some(w.concurrency),
                handler: Some(w.handler.clone()),
                command: Some(w.command.clone()),
                started_at: Some(ms_to_time(w.started_at)),
                last_seen: ms_to_time(seen_ms),
                live: false,
                done: w.done,
                failed: Some(w.failed),
                holding: vec![],
            });
        }
        for c in seen
            .iter()
            .filter(|c| !said.iter().any(|w| w.name == c.name))
        {
            out.push(Worker {
                name: c.name.clone(),
                host: None,
                pid: None,
                concurrency: None,
                handler: None,
                command: None,
                started_at: None,
                last_seen: c.last_seen,
                live: false,
                done: c.done,
                failed: None,
                holding: vec![],
            });
        }
        let age = |w: &Worker| now_ms - w.last_seen.timestamp_millis();
        out.retain(|w| age(w) < HIDE_AFTER.as_millis() as i64);
        for w in &mut out {
            w.live = age(w) < GONE_AFTER.as_millis() as i64;
        }
        for t in flying {
            let (Some(who), Some(at)) = (&t.consumer, t.claimed_at) else {
                continue;
            };
            if let Some(w) = out.iter_mut().find(|w| &w.name == who) {
                w.holding.push(Holding {
                    id: t.task.id.clone(),
                    kind: t.task.kind.clone(),
                    claimed_at: at,
                    held_ms: (now_ms - at.timestamp_millis()).max(0) as u64,
                });
            }
        }
        out.sort_by(|a, b| b.live.cmp(&a.live).then_with(|| a.name.cmp(&b.name)));
        Ok(Workers {
            queue: self.name.clone(),
            at: ms_to_time(now_ms),
            complete,
            workers: out,
        })
    }

    /// The breakdown by type: waiting and in flight from the first `LOOK_AT` tasks of each
    /// state, done and failed (totals and per minute) from the consumers' reports. Bounded:
    /// two reads of at most `LOOK_AT` tasks and three small hashes, whatever the queue holds.
    pub fn types_view(&mut self) -> Result<Types> {
        let now_ms = self.server_ms()?;
        let (waiting, all_waiting) = self.first_of(State::Waiting)?;
        let (flying, all_flying) = self.first_of(State::InFlight)?;
        let usage = self.usage()?;
        let mut by: BTreeMap<String, TypeRow> = BTreeMap::new();
        let row = |by: &mut BTreeMap<String, TypeRow>, kind: &str| {
            by.entry(kind.to_string()).or_insert_with(|| TypeRow {
                kind: kind.to_string(),
                waiting: 0,
                in_flight: 0,
                done: 0,
                failed: 0,
                done_per_min: 0.0,
                failed_per_min: 0.0,
            });
        };
        for t in &waiting {
            row(&mut by, &t.task.kind);
            by.get_mut(&t.task.kind).expect("added").waiting += 1;
        }
        for t in &flying {
            row(&mut by, &t.task.kind);
            by.get_mut(&t.task.kind).expect("added").in_flight += 1;
        }
        for u in &usage.types {
            row(&mut by, &u.kind);
            let r = by.get_mut(&u.kind).expect("added");
            r.done = u.done;
            r.failed = u.failed;
            r.done_per_min = u.done_per_min;
            r.failed_per_min = u.failed_per_min;
        }
        Ok(Types {
            queue: self.name.clone(),
            at: ms_to_time(now_ms),
            complete: all_waiting && all_flying,
            types: by.into_values().collect(),
        })
    }
}

fn hgetall(key: &str) -> redis::Cmd {
    let mut c = redis::cmd("HGETALL");
    c.arg(key);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_fall_in_the_first_bucket_that_holds_them() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(5), 0);
        assert_eq!(bucket(6), 1);
        assert_eq!(bucket(300_000), BOUNDS_MS.len() - 1);
        assert_eq!(bucket(300_001), BOUNDS_MS.len());
    }

    #[test]
    fn a_tally_reads_back_as_it_was_written() {
        let mut t = Tally::default();
        t.record(
            "a|b",
            true,
            Some(Duration::from_millis(7)),
            Duration::from_millis(30),
        );
        t.record("a|b", false, None, Duration::from_millis(30));
        let (total, minute) = t.fields();
        let f = |v: Vec<(String, u64)>| -> Vec<Field> {
            v.into_iter()
                .map(|(n, v)| Field::new(&n, &v.to_string()))
                .collect()
        };
        let u = Usage::parse(&f(total), &f(minute), &[], 0.5);
        assert_eq!(u.types.len(), 1);
        let a = &u.types[0];
        assert_eq!((a.kind.as_str(), a.done, a.failed), ("a|b", 1, 1));
        assert_eq!(a.wait.count(), 1);
        assert_eq!(a.wait.counts[1], 1);
        assert_eq!((a.run.count(), a.run.sum_ms), (2, 60));
        assert_eq!(a.done_per_min, 1.0);
    }

    #[test]
    fn types_past_the_cap_count_together() {
        let mut t = Tally::default();
        for i in 0..MAX_TYPES + 5 {
            t.record(&format!("t{i}"), true, None, Duration::ZERO);
        }
        assert_eq!(t.types.len(), MAX_TYPES + 1);
        assert_eq!(t.types[OTHER_TYPE].done, 5);
    }
}
