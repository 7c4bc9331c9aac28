//! The last hour of every queue, kept in this process for the dashboard's charts: a sampler
//! thread reads every queue's numbers every `EVERY` and keeps `KEEP` rounds. Each round is also
//! written to Redis as the queue's point of its minute and hour (`queue::history`, issue 26),
//! and a `serve` that starts fills its chart with the last hour's minute points from there,
//! so a restart loses nothing (the minutes before it are drawn a point a minute).

use super::backend::Backend;
use crate::log::Event;
use crate::queue::history::{Point, Step, HOUR_MS};
use crate::queue::{State, Stats, STATES};
use crate::shutdown::Shutdown;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const EVERY: Duration = Duration::from_secs(5);

/// One hour of rounds.
pub const KEEP: usize = 720;

/// What one row of a history holds, in this order: the time, the waiting tasks by priority, the
/// count of every other state of `STATES` (in its order, named as its JSON field), and the
/// totals done and failed. The page reads a row by these names, so a new state is charted as
/// data without a change here.
pub fn columns() -> Vec<&'static str> {
    let mut c = vec!["t", "high", "medium", "low"];
    c.extend(
        STATES
            .iter()
            .filter(|d| d.state != State::Waiting)
            .map(|d| d.field),
    );
    c.extend(["done", "failed"]);
    c
}

/// One queue at one moment, as `columns()` names it; `t` is the server's clock in ms, `done`
/// and `failed` the totals since the queue began (the page turns them into rates).
pub type Row = Vec<u64>;

#[derive(Default)]
pub struct History {
    rounds: Mutex<VecDeque<Round>>,
}

struct Round {
    t: u64,
    queues: BTreeMap<String, Row>,
}

#[derive(Debug, Serialize)]
pub struct Series {
    pub every_ms: u64,
    pub columns: Vec<&'static str>,
    /// Oldest first; with no queue named, each row sums every queue of its round.
    pub rows: Vec<Row>,
}

impl History {
    /// Rows newer than `since` (ms) of one queue, or of all of them summed.
    pub fn series(&self, queue: Option<&str>, since: u64) -> Series {
        let rounds = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        let rows = rounds
            .iter()
            .filter(|r| r.t > since)
            .filter_map(|r| match queue {
                Some(q) => r.queues.get(q).cloned(),
                None => {
                    let mut sum = vec![0; columns().len()];
                    sum[0] = r.t;
                    for row in r.queues.values() {
                        for (a, b) in sum.iter_mut().zip(row).skip(1) {
                            *a += b;
                        }
                    }
                    Some(sum)
                }
            })
            .collect();
        Series {
            every_ms: EVERY.as_millis() as u64,
            columns: columns(),
            rows,
        }
    }

    /// Rounds from points read back from Redis (a round a minute, every queue's point of that
    /// minute), before the rounds this process sampled itself.
    pub fn backfill(&self, points: &[(String, Vec<Point>)]) {
        let mut minutes: BTreeMap<i64, Round> = BTreeMap::new();
        for (queue, ps) in points {
            for p in ps {
                let round = minutes.entry(p.t.div_euclid(60_000)).or_insert(Round {
                    t: 0,
                    queues: BTreeMap::new(),
                });
                round.t = round.t.max(p.t.max(0) as u64);
                round
                    .queues
                    .insert(queue.clone(), columns().iter().map(|c| p.get(c)).collect());
            }
        }
        let mut rounds = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        let first = rounds.front().map_or(u64::MAX, |r| r.t);
        for (_, mut r) in minutes.into_iter().rev() {
            if r.t < first && rounds.len() < KEEP {
                // Every queue's row carries the round's time, as `record` writes it.
                for row in r.queues.values_mut() {
                    row[0] = r.t;
                }
                rounds.push_front(r);
            }
        }
    }

    pub fn record(&self, stats: &[Stats]) {
        let Some(t) = stats
            .iter()
            .map(|s| s.at.timestamp_millis().max(0) as u64)
            .max()
        else {
            return;
        };
        let queues = stats
            .iter()
            .map(|s| {
                let w = &s.waiting;
                let mut row = vec![t, w.high, w.medium, w.low];
                row.extend(
                    STATES
                        .iter()
                        .filter(|d| d.state != State::Waiting)
                        .map(|d| s.of_state(d.state)),
                );
                row.extend([s.done, s.failed]);
                (s.queue.clone(), row)
            })
            .collect();
        let mut rounds = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        rounds.push_back(Round { t, queues });
        while rounds.len() > KEEP {
            rounds.pop_front();
        }
    }
}

/// Samples every queue every `EVERY` until a stop is asked for. A round that fails (Redis
/// away) is skipped; the chart shows the gap, and the backend notes that Redis is down.
/// `waiting_for`: the URL of a Redis that did not answer at start. Until it does, the sampler
/// tries again sooner (from 100 ms, doubling up to `EVERY`, as a reconnect), and once it does
/// it says so and tells systemd the service is ready.
pub fn spawn_sampler(
    backend: Arc<Backend>,
    history: Arc<History>,
    sd: Shutdown,
    mut waiting_for: Option<String>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let mut wait = Duration::from_millis(100);
    let (mut filled, mut store_failed) = (false, false);
    std::thread::Builder::new()
        .name("rpq-sampler".into())
        .spawn(move || loop {
            if let Ok(stats) = backend.collect_all() {
                if !filled {
                    filled = true;
                    history.backfill(&stored_hour(&backend, &stats));
                }
                history.record(&stats);
                store(&backend, &stats, &mut store_failed);
                backend.flow_chores(&stats);
                if let Some(url) = waiting_for.take() {
                    Event::info("reconnected", format!("connected to redis at {url}"))
                        .with("url", url)
                        .emit();
                    crate::service::ready();
                }
            }
            let next = if waiting_for.is_some() {
                wait = (wait * 2).min(EVERY);
                wait / 2
            } else {
                EVERY
            };
            if !sd.sleep(next) {
                break;
            }
        })
}

/// The last hour of every queue sampled, as stored in Redis by this or an earlier `serve`.
fn stored_hour(backend: &Backend, stats: &[Stats]) -> Vec<(String, Vec<Point>)> {
    stats
        .iter()
        .filter_map(|s| {
            let since = s.at.timestamp_millis() - HOUR_MS;
            let points = backend
                .with(&s.queue, |q| q.history(Step::Minute, since))
                .ok()?;
            Some((s.queue.clone(), points))
        })
        .collect()
}

/// Writes each queue's point of this round; a failure (a user that may not write, an outage)
/// is said once and the chart goes on from memory.
fn store(backend: &Backend, stats: &[Stats], failed: &mut bool) {
    for s in stats {
        if let Err(e) = backend.with(&s.queue, |q| q.record_history(s)) {
            if !std::mem::replace(failed, true) {
                Event::warn(
                    "history_not_stored",
                    format!("cannot store the metrics history: {e:#}"),
                )
                .emit();
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{Recent, Waiting};
    use chrono::{TimeZone, Utc};

    fn stats(queue: &str, t: i64, high: u64, done: u64) -> Stats {
        Stats {
            queue: queue.into(),
            at: Utc.timestamp_millis_opt(t).unwrap(),
            waiting: Waiting {
                total: high,
                high,
                medium: 0,
                low: 0,
            },
            in_flight: 1,
            retrying: 0,
            dead: 0,
            scheduled: 0,
            blocked: 0,
            pushed: 0,
            done,
            failed: 0,
            recovered: 0,
            last_minute: Recent { done: 0, failed: 0 },
            oldest_waiting_ms: None,
            oldest_waiting_by_priority_ms: Default::default(),
            aging_ms: None,
            eviction_policy: None,
            lost: None,
            consumers: vec![],
            paused: vec![],
            limits: vec![],
            groups_with_work: None,
            top_groups: None,
            other_groups: None,
        }
    }

    #[test]
    fn rounds_sum_over_queues_and_the_oldest_go() {
        let h = History::default();
        for i in 0..(KEEP as u64 + 5) {
            let t = 1000 + i as i64 * 5000;
            h.record(&[stats("a", t, i, 10 * i), stats("b", t - 3, 1, 0)]);
        }
        let all = h.series(None, 0);
        assert_eq!(all.rows.len(), KEEP);
        let last = all.rows.last().unwrap();
        let i = KEEP as u64 + 4;
        let at = |name| columns().iter().position(|c| *c == name).unwrap();
        assert_eq!(last[..3], [1000 + i * 5000, i + 1, 0]);
        assert_eq!((last[at("in_flight")], last[at("done")]), (2, 10 * i));
        assert_eq!(last.len(), columns().len());
        let a = h.series(Some("a"), last[0] - 5000);
        assert_eq!(a.rows.len(), 1);
        assert_eq!(a.rows[0][1], i);
        assert!(h.series(Some("nope"), 0).rows.is_empty());
    }
}
