//! Metrics history (issue 26): a queue's numbers kept in Redis, a point a minute for
//! `MINUTES_KEPT_MS` and a point an hour for `HOURS_KEPT_MS`, so that `rpq stats --since` and
//! the dashboard's charts outlive the process that sampled them.
//!
//! Who writes: `rpq serve`'s sampler, every round (`record_history`), outside every script
//! that moves a task: the claim and the ack pay nothing for it. A point is a sample, not a
//! sum: the last sample of its minute (hour) replaces the ones before, and the counts of a
//! period are the differences of the totals between a point and the one before it. Several
//! `serve`s write the same points; a minute no `serve` ran has no point, and its counts go to
//! the next point that has one.

use super::keys;
use super::types::{State, Stats, STATES};
use super::Queue;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 3_600_000;
/// Minute points are kept 48 hours (at most 2,880 a queue) ...
pub const MINUTES_KEPT_MS: i64 = 48 * HOUR_MS;
/// ... and hour points 30 days (at most 720).
pub const HOURS_KEPT_MS: i64 = 30 * 24 * HOUR_MS;

/// The resolution of a history: a point a minute, or a point an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Minute,
    Hour,
}

impl Step {
    pub fn ms(self) -> i64 {
        match self {
            Step::Minute => MINUTE_MS,
            Step::Hour => HOUR_MS,
        }
    }

    fn kept_ms(self) -> i64 {
        match self {
            Step::Minute => MINUTES_KEPT_MS,
            Step::Hour => HOURS_KEPT_MS,
        }
    }

    fn key(self, queue: &str) -> String {
        keys::history(queue, self == Step::Hour)
    }

    /// The finest step that still holds a look back of `since_ms`.
    pub fn for_since(since_ms: i64) -> Step {
        if since_ms <= MINUTES_KEPT_MS {
            Step::Minute
        } else {
            Step::Hour
        }
    }
}

/// One sample of a queue as stored: the server's time (ms), the waiting tasks by priority, the
/// count of every other state of `STATES` by its JSON name, the totals since the queue began,
/// and how long the oldest waiting task had waited. JSON by name, so that a state added to
/// `STATES` later reads older points as 0 rather than misreading them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub t: i64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<u64>,
    /// `in_flight`, `retrying`, `dead`, `scheduled`, ...
    #[serde(flatten)]
    pub states: BTreeMap<String, u64>,
}

impl Point {
    pub fn of(s: &Stats) -> Point {
        Point {
            t: s.at.timestamp_millis(),
            high: s.waiting.high,
            medium: s.waiting.medium,
            low: s.waiting.low,
            pushed: s.pushed,
            done: s.done,
            failed: s.failed,
            oldest: s.oldest_waiting_ms,
            states: STATES
                .iter()
                .filter(|d| d.state != State::Waiting)
                .map(|d| (d.field.to_string(), s.of_state(d.state)))
                .collect(),
        }
    }

    pub fn waiting(&self) -> u64 {
        self.high + self.medium + self.low
    }

    /// A value by its column name (`serve::history::columns`); 0 for one it does not hold.
    pub fn get(&self, column: &str) -> u64 {
        match column {
            "t" => self.t.max(0) as u64,
            "high" => self.high,
            "medium" => self.medium,
            "low" => self.low,
            "pushed" => self.pushed,
            "done" => self.done,
            "failed" => self.failed,
            other => self.states.get(other).copied().unwrap_or(0),
        }
    }

    /// The one reader of a stored point.
    pub fn read(stored: &str) -> Option<Point> {
        serde_json::from_str(stored).ok()
    }
}

/// What happened in one period, as `stats --since` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub queue: String,
    /// When the period's point was sampled, by the server's clock.
    #[serde(with = "crate::task::rfc3339")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub period_ms: u64,
    /// Pushed, done and failed since the point before (since the queue began, for a point with
    /// none before it).
    pub in_period: Counts,
    pub waiting: u64,
    pub oldest_waiting_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
}

/// The periods of `points` (oldest first, the first one only there to count from unless it is
/// at or after `since_ms`). A total that went down (the queue was removed and began again)
/// counts from zero.
pub fn periods(queue: &str, points: &[Point], since_ms: i64, step: Step) -> Vec<Period> {
    let mut out = Vec::new();
    let mut before: Option<&Point> = None;
    for p in points {
        if p.t >= since_ms {
            let delta = |now: u64, then: Option<u64>| match then {
                Some(then) if then <= now => now - then,
                _ => now,
            };
            out.push(Period {
                queue: queue.to_string(),
                at: crate::task::ms_to_time(p.t),
                period_ms: step.ms() as u64,
                in_period: Counts {
                    pushed: delta(p.pushed, before.map(|b| b.pushed)),
                    done: delta(p.done, before.map(|b| b.done)),
                    failed: delta(p.failed, before.map(|b| b.failed)),
                },
                waiting: p.waiting(),
                oldest_waiting_ms: p.oldest,
            });
        }
        before = Some(p);
    }
    out
}

impl Queue {
    /// Stores `s` as its minute's and its hour's point (replacing an earlier sample of the
    /// same minute or hour) and drops the points past their keeping, in one transaction.
    pub fn record_history(&mut self, s: &Stats) -> Result<()> {
        let p = Point::of(s);
        let member = serde_json::to_string(&p).expect("a point serializes");
        let mut pipe = redis::pipe();
        pipe.atomic();
        for step in [Step::Minute, Step::Hour] {
            let key = step.key(&self.name);
            let start = p.t - p.t.rem_euclid(step.ms());
            pipe.cmd("ZREMRANGEBYSCORE")
                .arg(&key)
                .arg(start)
                .arg(start + step.ms() - 1)
                .ignore();
            pipe.cmd("ZADD").arg(&key).arg(p.t).arg(&member).ignore();
            pipe.cmd("ZREMRANGEBYSCORE")
                .arg(&key)
                .arg("-inf")
                .arg(format!("({}", p.t - step.kept_ms()))
                .ignore();
        }
        pipe.exec(&mut self.conn)
            .with_context(|| format!("recording the history of queue '{}'", self.name))
    }

    /// The points of one step from `since_ms` on, oldest first, with the one before it (to
    /// count the first period from).
    pub fn history(&mut self, step: Step, since_ms: i64) -> Result<Vec<Point>> {
        let key = step.key(&self.name);
        let mut pipe = redis::pipe();
        pipe.cmd("ZREVRANGEBYSCORE")
            .arg(&key)
            .arg(format!("({since_ms}"))
            .arg("-inf")
            .arg("LIMIT")
            .arg(0)
            .arg(1);
        pipe.cmd("ZRANGEBYSCORE")
            .arg(&key)
            .arg(since_ms)
            .arg("+inf");
        let (before, after): (Vec<String>, Vec<String>) = pipe
            .query(&mut self.conn)
            .with_context(|| format!("reading the history of queue '{}'", self.name))?;
        Ok(before
            .iter()
            .chain(&after)
            .filter_map(|m| Point::read(m))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: i64, pushed: u64, done: u64) -> Point {
        Point {
            t,
            high: 1,
            medium: 2,
            low: 3,
            pushed,
            done,
            failed: 0,
            oldest: Some(5),
            states: [("in_flight".to_string(), 4)].into(),
        }
    }

    #[test]
    fn points_round_trip_and_count_by_difference() {
        let p = point(120_000, 7, 3);
        let back = Point::read(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.get("in_flight"), 4);
        assert_eq!(back.get("retrying"), 0);
        assert_eq!(back.waiting(), 6);
        let ps = [
            point(60_000, 5, 1),
            point(120_000, 7, 3),
            point(300_000, 8, 9),
            point(360_000, 2, 1),
        ];
        let got = periods("q", &ps, 100_000, Step::Minute);
        let counts: Vec<(u64, u64)> = got
            .iter()
            .map(|p| (p.in_period.pushed, p.in_period.done))
            .collect();
        // The first point is only counted from; a total that fell began again.
        assert_eq!(counts, [(2, 2), (1, 6), (2, 1)]);
        assert_eq!(got[0].waiting, 6);
        assert_eq!(got[0].period_ms, 60_000);
        assert_eq!(
            periods("q", &ps[..1], 0, Step::Minute)[0].in_period.pushed,
            5
        );
        assert_eq!(Step::for_since(MINUTES_KEPT_MS), Step::Minute);
        assert_eq!(Step::for_since(MINUTES_KEPT_MS + 1), Step::Hour);
    }

    /// The real commands keep one point a minute and an hour, and nothing past its keeping.
    #[test]
    fn points_replace_their_minute_and_go_past_their_keeping() {
        use crate::config::Config;
        use crate::server::RedisServer;
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "h")).unwrap();
        let mut s = q.snapshot().unwrap();
        let t0 = 1_700_000_040_000i64 - 1_700_000_040_000i64.rem_euclid(HOUR_MS);
        let mut at = |q: &mut Queue, ms: i64, done: u64| {
            s.at = crate::task::ms_to_time(ms);
            s.done = done;
            q.record_history(&s).unwrap();
        };
        at(&mut q, t0 + 1_000, 1);
        at(&mut q, t0 + 59_000, 2);
        at(&mut q, t0 + 61_000, 3);
        let minutes = q.history(Step::Minute, 0).unwrap();
        let done: Vec<u64> = minutes.iter().map(|p| p.done).collect();
        assert_eq!(done, [2, 3]);
        assert_eq!(q.history(Step::Hour, 0).unwrap().len(), 1);
        // The one before `since` is read too, to count the first period from.
        assert_eq!(q.history(Step::Minute, t0 + 60_000).unwrap().len(), 2);
        at(&mut q, t0 + MINUTES_KEPT_MS + 61_000, 4);
        let minutes = q.history(Step::Minute, 0).unwrap();
        assert_eq!(minutes.iter().map(|p| p.done).collect::<Vec<_>>(), [3, 4]);
        at(&mut q, t0 + HOURS_KEPT_MS + 2 * HOUR_MS, 5);
        assert_eq!(q.history(Step::Minute, 0).unwrap().len(), 1);
        let hours = q.history(Step::Hour, 0).unwrap();
        assert_eq!(hours.iter().map(|p| p.done).collect::<Vec<_>>(), [4, 5]);
    }
}
