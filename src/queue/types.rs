//! The queue's public data: what a claim asks and answers, the lease that proves a claim, counts
//! by state, dead tasks, and the counters of the stats hash with their parsing.

use crate::task::{ms_to_time, rfc3339, Priority, Task};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// Throughput is counted per second over this many seconds (the ring in `lua/common.lua`).
pub const RECENT_SECS: i64 = 60;

/// The dead-letter set keeps at most this many tasks; the oldest go first.
pub const DEAD_CAP: u64 = 10_000;

/// A consumer counts as seen when it claimed, acknowledged or extended a lease within this window.
pub const SEEN_WITHIN_MS: i64 = 60_000;

/// What a consumer asks of a claim.
#[derive(Debug, Clone)]
pub struct ClaimOptions {
    pub consumer: String,
    pub lease: Duration,
    pub max_attempts: u32,
    /// How many tasks to lease at once.
    pub count: usize,
}

/// The proof of one claim: ack, extend, fail and release carry it, so a consumer whose lease
/// expired cannot finish a task someone else now holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lease {
    pub id: String,
    pub token: String,
}

/// No acks to send with a claim.
pub const NO_ACKS: &[Lease] = &[];

impl AsRef<Lease> for Lease {
    fn as_ref(&self) -> &Lease {
        self
    }
}

/// A task leased to this consumer.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub task: Task,
    pub token: String,
    pub claimed_at: DateTime<Utc>,
}

impl Claimed {
    pub fn lease(&self) -> Lease {
        Lease {
            id: self.task.id.clone(),
            token: self.token.clone(),
        }
    }
}

/// A claimed task whose body could not be read.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub lease: Lease,
    pub reason: String,
    /// Which claim of the task this was.
    pub attempt: u32,
}

#[derive(Debug, Default)]
pub struct ClaimReply {
    pub now: DateTime<Utc>,
    /// One flag per ack sent with the claim: true acknowledged, false the lease was lost.
    pub acked: Vec<bool>,
    pub tasks: Vec<Claimed>,
    pub unreadable: Vec<Unreadable>,
    /// When nothing was claimed: when the next retry is due, if one is scheduled.
    pub next_retry: Option<DateTime<Utc>>,
    /// When nothing was claimed: when the first lease (of any consumer) expires.
    pub next_expiry: Option<DateTime<Utc>>,
}

/// Context of an error from `Queue::push` on a sharded queue, which pushes shard by shard: the
/// tasks of the call that were confirmed before it failed (one flag each, true: queued or
/// already known), so a caller can say exactly what was queued.
#[derive(Debug, Clone)]
pub struct PushFailed {
    pub confirmed: Vec<bool>,
}

impl std::fmt::Display for PushFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.confirmed.iter().filter(|c| **c).count();
        write!(f, "{n} of {} tasks were confirmed", self.confirmed.len())
    }
}

/// The outcome of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    Retry,
    Dead,
    LeaseLost,
}

/// Counts of one queue, all O(1) or O(log n) on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Lengths {
    /// Waiting to be claimed, in total.
    pub waiting: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub in_flight: u64,
    /// Failed, waiting for their retry time.
    pub retrying: u64,
    pub dead: u64,
}

impl Lengths {
    pub fn of(&self, p: Priority) -> u64 {
        match p {
            Priority::HIGH => self.high,
            Priority::MEDIUM => self.medium,
            _ => self.low,
        }
    }
}

/// What `clear` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cleared {
    pub removed: u64,
    pub waiting: u64,
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
}

/// A task in the dead-letter set.
#[derive(Debug, Clone, Serialize)]
pub struct DeadTask {
    #[serde(flatten)]
    pub task: Task,
    pub attempts: u32,
    pub error: String,
    #[serde(with = "rfc3339")]
    pub died_at: DateTime<Utc>,
}

/// What the stats and consumers hashes hold, read at `now` (the server's clock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub now: DateTime<Utc>,
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
    pub recovered: u64,
    /// Done and failed in the last `RECENT_SECS` seconds.
    pub recent_done: u64,
    pub recent_failed: u64,
    /// Every consumer of the last day (older ones are pruned by the claim script).
    pub consumers: Vec<ConsumerSeen>,
    /// The last restart that came back without confirmed writes, as noticed by a consumer or
    /// producer (stats field `lost` = "ms|pushes|acks").
    pub lost: Option<LostWrites>,
}

/// Writes the server had confirmed and lost in a restart (see `queue::losses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostWrites {
    /// When it was noticed, by the server's clock.
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// Arrival numbers gone: tasks pushed and lost (and pushes refused as duplicates).
    pub pushes: u64,
    /// Acknowledgements gone: finished tasks that came back and may run again.
    pub acks: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerSeen {
    pub name: String,
    #[serde(with = "rfc3339")]
    pub last_seen: DateTime<Utc>,
    pub done: u64,
}

impl Counters {
    /// Reads the stats hash (totals, and the ring `m:<slot>` = "second|done|failed") and the
    /// consumers hash (name = "last seen ms|done"). Unreadable fields count as zero.
    pub fn parse(
        now_ms: i64,
        stats: &[(String, String)],
        consumers: &[(String, String)],
    ) -> Counters {
        let now_sec = now_ms.div_euclid(1000);
        let mut c = Counters {
            now: ms_to_time(now_ms),
            ..Counters::default()
        };
        for (field, value) in stats {
            let n = || value.parse::<i64>().unwrap_or(0).max(0) as u64;
            match field.as_str() {
                "pushed" => c.pushed = n(),
                "done" => c.done = n(),
                "failed" => c.failed = n(),
                "recovered" => c.recovered = n(),
                "lost" => {
                    let mut parts = value.split('|').map(|p| p.parse::<u64>().unwrap_or(0));
                    let (at, pushes, acks) = (parts.next(), parts.next(), parts.next());
                    if let (Some(at), Some(pushes), Some(acks)) = (at, pushes, acks) {
                        c.lost = Some(LostWrites {
                            at: ms_to_time(at as i64),
                            pushes,
                            acks,
                        });
                    }
                }
                f if f.starts_with("m:") => {
                    let mut parts = value.split('|').map(|p| p.parse::<i64>().unwrap_or(0));
                    let (sec, d, f) = (parts.next(), parts.next(), parts.next());
                    // The current second and the 59 before it; older slots are stale.
                    if let (Some(sec), Some(d), Some(f)) = (sec, d, f) {
                        if sec <= now_sec && now_sec - sec < RECENT_SECS {
                            c.recent_done += d.max(0) as u64;
                            c.recent_failed += f.max(0) as u64;
                        }
                    }
                }
                _ => {}
            }
        }
        c.consumers = consumers
            .iter()
            .map(|(name, v)| {
                let (seen, done) = v.split_once('|').unwrap_or((v, "0"));
                ConsumerSeen {
                    name: name.clone(),
                    last_seen: ms_to_time(seen.parse().unwrap_or(0)),
                    done: done.parse().unwrap_or(0),
                }
            })
            .collect();
        c.consumers.sort_by(|a, b| a.name.cmp(&b.name));
        c
    }

    /// Adds the counters of another shard: totals add up; a consumer seen on several shards
    /// counts its latest time and the sum of what it did.
    pub fn add(&mut self, other: Counters) {
        self.pushed += other.pushed;
        self.done += other.done;
        self.failed += other.failed;
        self.recovered += other.recovered;
        self.recent_done += other.recent_done;
        self.recent_failed += other.recent_failed;
        self.lost = self.lost.take().or(other.lost);
        for seen in other.consumers {
            match self.consumers.iter_mut().find(|t| t.name == seen.name) {
                Some(t) => {
                    t.last_seen = t.last_seen.max(seen.last_seen);
                    t.done += seen.done;
                }
                None => self.consumers.push(seen),
            }
        }
        self.consumers.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// A snapshot of one queue for `stats`: everything comes from counters and set sizes, never a
/// scan of the tasks. Its JSON form is `rpq stats --json`.
#[derive(Debug, Clone, Serialize)]
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
    /// Consumers seen within `SEEN_WITHIN_MS`.
    pub consumers: Vec<ConsumerSeen>,
    /// The server's maxmemory-policy (null when INFO is not allowed); anything that evicts
    /// keys without a TTL can drop tasks (`queue::losses`).
    pub eviction_policy: Option<String>,
    /// The last restart that came back without writes it had confirmed; null when none was seen.
    pub lost: Option<LostWrites>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub total: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

/// Tasks finished in the last 60 seconds.
#[derive(Debug, Clone, Serialize)]
pub struct Recent {
    pub done: u64,
    pub failed: u64,
}

impl Stats {
    pub fn new(
        queue: &str,
        l: &Lengths,
        c: Counters,
        oldest_waiting: Option<DateTime<Utc>>,
    ) -> Stats {
        let now = c.now;
        Stats {
            queue: queue.to_string(),
            at: now,
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
            oldest_waiting_ms: oldest_waiting.map(|t| (now - t).num_milliseconds().max(0) as u64),
            consumers: c
                .consumers
                .into_iter()
                .filter(|s| (now - s.last_seen).num_milliseconds() <= SEEN_WITHIN_MS)
                .collect(),
            eviction_policy: None,
            lost: c.lost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_last_minute_sums_the_slots_of_the_last_60_seconds() {
        let now_ms = 1_000_000_500;
        let now = 1_000_000;
        let stats = pairs(&[
            ("pushed", "10"),
            ("done", "7"),
            ("failed", "2"),
            ("recovered", "1"),
            ("released", "3"),
            ("m:40", &format!("{now}|3|1")),
            ("m:41", &format!("{}|2|0", now - 59)),
            // A minute old or older: stale, whatever its slot says.
            ("m:40b", &format!("{}|100|100", now - 60)),
            ("m:12", &format!("{}|100|100", now - 3600)),
            // From the future (another server's clock): not counted either.
            ("m:13", &format!("{}|100|100", now + 5)),
            ("m:14", "garbage"),
            ("checks", "123|456"),
        ]);
        let c = Counters::parse(now_ms, &stats, &[]);
        assert_eq!((c.pushed, c.done, c.failed, c.recovered), (10, 7, 2, 1));
        assert_eq!((c.recent_done, c.recent_failed), (5, 1));
        assert_eq!(c.now, ms_to_time(now_ms));
    }

    #[test]
    fn consumers_carry_their_last_heartbeat_and_tasks_done() {
        let consumers = pairs(&[("w2", "1000|7"), ("w1", "2000|0"), ("old", "3000")]);
        let c = Counters::parse(5000, &[], &consumers);
        let got: Vec<(&str, i64, u64)> = c
            .consumers
            .iter()
            .map(|s| (s.name.as_str(), s.last_seen.timestamp_millis(), s.done))
            .collect();
        assert_eq!(got, [("old", 3000, 0), ("w1", 2000, 0), ("w2", 1000, 7)]);
    }

    #[test]
    fn shards_add_up_and_a_consumer_on_two_shards_counts_once() {
        let mut a = Counters::parse(5000, &pairs(&[("done", "2")]), &pairs(&[("w", "1000|2")]));
        let b = Counters::parse(5000, &pairs(&[("done", "3")]), &pairs(&[("w", "4000|3")]));
        a.add(b);
        assert_eq!(a.done, 5);
        assert_eq!(a.consumers.len(), 1);
        assert_eq!(a.consumers[0].done, 5);
        assert_eq!(a.consumers[0].last_seen.timestamp_millis(), 4000);
    }
}
