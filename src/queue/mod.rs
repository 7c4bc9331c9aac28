//! The queue: its public operations (push, claim, extend, ack, fail, release, peek, lengths,
//! clear, dead letters, counters; show, list, cancel, move and queues in `inspect`). Every step
//! that touches more than one key is one Lua script (`lua/`), so it is atomic on the server; this
//! module turns Rust calls into script calls and replies into types, and owns no policy about
//! output or retries of its own.
//!
//! Where things live: `keys` the key layout, `score` the pending-score encoding, `script` the
//! scripts and the one way to call them (EVALSHA, EVAL on NOSCRIPT) with reply decoding,
//! `shards` the fan-out over a sharded queue and its claim order, `types` the public data,
//! `inspect` the operations on tasks by id and by state.
//! `losses` what the server can lose (an evicting policy, a restart that came back with less).

mod controls;
mod inspect;
pub mod keys;
mod losses;
mod registry;
mod results;
pub use results::{KeepAck, WAIT_SLICE};
pub mod score;
mod script;
pub use script::FireCode;
mod shards;
mod types;

pub use losses::evicts;
pub use types::*;

use crate::config::Config;
use crate::conn::{self, Conn};
use crate::error::UsageError;
use crate::schedule::{Definition, Stored};
use crate::task::{ms_to_time, Due, NewTask, Priority, Task};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use keys::Keys;
use rand::Rng;
use script::SCHEDULE;
use script::{array, flags, int, opt_string, string, AckCode, ExtendCode, HeldCode};
use script::{Lua, CLAIM_FAST};
use script::{ACK, AGING, CLAIM, CLEAR, DEAD, EXTEND, FIRE, OLDEST, PEEK, PUSH, RELEASE};
use std::time::Duration;

pub struct Queue {
    cfg: Config,
    conn: Conn,
    name: String,
    /// The keys of every shard; one for a queue that is not sharded.
    shards: Vec<Keys>,
    /// True once the shard count is known to be stored in the queue's meta key.
    pinned: bool,
    /// Turns with every sharded claim, to break ties between shards fairly.
    turn: usize,
    /// When a sharded claim last looked at the in-flight and retry sets of every shard.
    full_look: Option<std::time::Instant>,
    /// Set by `reconnect` until the next reply: the call now may repeat one whose reply was
    /// lost, so a push that finds its id already known may well be its own.
    resent: bool,
    /// This Queue's name for its receipts (common.lua): random, so that two consumers given the
    /// same `--name` never read each other's. Kept across reconnects, which is the point.
    instance: String,
    /// `DEAD_CAP`; smaller in tests of the trimming.
    dead_cap: u64,
    /// Set when a wake-up said the schedules changed (`take_schedules_changed`).
    schedules_changed: bool,
    /// Whether the queue existed when it was opened (its meta key, written by the first push or
    /// configuration), so that a typo'd `--queue` can be told apart from an empty queue.
    existed: bool,
    /// What the server's INFO said when this connection opened (None: INFO refused).
    server: Option<losses::ServerInfo>,
    /// What this process knows the queue had, for noticing a restart that lost writes; only
    /// for long-running commands (`watch_losses`).
    floors: Option<losses::Floors>,
    /// Whether the last claim found controls in force (issue 13): a sharded claim then also
    /// looks at the heads of the lines of limited types.
    controlled: bool,
    /// Per shard, until when (by this process's clock) its claims may go as claim_fast.lua, as
    /// the last claim's reply said (issue 15); None: as claim.lua. A claim_fast that finds
    /// more to do refuses before it changes anything, so a guess that is late costs a round
    /// trip, never a wrong claim.
    fast: Vec<Option<std::time::Instant>>,
    /// Per shard, when a claim last looked for kept results past their time (issue 19:
    /// `sweep_results`); None: not yet.
    swept: Vec<Option<std::time::Instant>>,
    /// Per shard, this process's entry in the consumers hash (issue 15): claims write it at
    /// most about once a second (`SEEN_EVERY`), and the tasks finished in between are owed to
    /// it until then, or until an ack or `flush_seen`.
    seen: Vec<Seen>,
}

/// How often claims write a consumer's entry ("last seen ms|tasks done"): per claim it was two
/// calls and their parsing, a tenth of a claim's server work without prefetch.
const SEEN_EVERY: Duration = Duration::from_secs(1);

/// What one shard's consumers hash has of this process's consumer.
#[derive(Debug, Clone, Default)]
struct Seen {
    /// The name last written, and when (None: write with the next call).
    name: String,
    at: Option<std::time::Instant>,
    /// Tasks finished since, not yet counted there.
    owed: u64,
}

impl Seen {
    /// The claim's ARGV for the entry: the tasks owed, taken, when the entry is due to be
    /// written, else "" (a name other than the last one is written at once).
    fn arg(&mut self, consumer: &str, now: std::time::Instant) -> String {
        let due = self.name != consumer || self.at.is_none_or(|t| now >= t + SEEN_EVERY);
        if !due {
            return String::new();
        }
        // Taken now: a call whose reply is lost may or may not have counted them, and counting
        // them twice would say more than was done.
        self.name = consumer.to_string();
        self.at = None;
        std::mem::take(&mut self.owed).to_string()
    }
}

impl Queue {
    /// Connects to the queue named in the config and learns its shard count: stored with the
    /// queue, else `--shards`, else 1.
    pub fn open(cfg: &Config) -> Result<Queue> {
        let mut conn = conn::open(cfg)?;
        let name = cfg.queue.clone();
        let (stored, n) = stored_shards(&mut conn, &name, cfg.shards)?;
        let server = losses::look(&mut conn, &cfg.display_url());
        Ok(Queue {
            cfg: cfg.clone(),
            conn,
            shards: (0..n.max(1) as usize)
                .map(|i| Keys::new(&name, i))
                .collect(),
            // A queue given --shards stores it at once; one without waits for its first push
            // (or a command that configures it), so that `len`, `peek` or a consumer on a
            // typo leaves nothing behind.
            pinned: stored.is_some(),
            turn: rand::rng().random_range(0..n.max(1) as usize),
            full_look: None,
            name,
            resent: false,
            schedules_changed: false,
            instance: new_token(),
            dead_cap: DEAD_CAP,
            existed: stored.is_some(),
            server,
            floors: None,
            controlled: false,
            fast: vec![None; n.max(1) as usize],
            swept: vec![None; n.max(1) as usize],
            seen: vec![Seen::default(); n.max(1) as usize],
        })
        .and_then(|mut q| {
            if cfg.shards.is_some() {
                q.pin()?;
            }
            Ok(q)
        })
    }

    /// Drops the connection and opens a new one (after a restart or a network cut). Scripts are
    /// reloaded on first use: `eval` falls back to EVAL, which caches the script on that node.
    pub fn reconnect(&mut self) -> Result<()> {
        let mut conn = conn::open(&self.cfg)?;
        let now = losses::look(&mut conn, &self.cfg.display_url());
        self.conn = conn;
        self.resent = true;
        // The run compared with stays the one the floors were taken on until a check passes
        // (a server still loading fails it, and the next reconnect checks again).
        let before = std::mem::replace(&mut self.server, now);
        if let Err(e) = self.check_restart(before.clone()) {
            self.server = before;
            return Err(e);
        }
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// False for a queue that nothing was ever pushed to or claimed from (a typo, most often).
    pub fn exists(&self) -> bool {
        self.existed
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The keys of shard 0 (all of them, for a queue that is not sharded).
    #[cfg(test)]
    fn keys(&self) -> &Keys {
        &self.shards[0]
    }

    /// The raw connection, for callers that need a plain command (PING, INFO) of their own.
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// Stores the shard count with the queue unless it is there; a different stored count (set
    /// by another process meanwhile) is an error, so producers and consumers always agree.
    fn pin(&mut self) -> Result<()> {
        if self.pinned {
            return Ok(());
        }
        let meta = keys::meta(&self.name);
        let n = self.shards.len() as u32;
        // The tags first: a meta with a shard count and no tags is a queue of the old layout.
        let (_, _, stored): (i64, i64, u32) = redis::pipe()
            .cmd("HSETNX")
            .arg(&meta)
            .arg(keys::TAGS_FIELD)
            .arg(keys::SHARD_SEP.to_string())
            .cmd("HSETNX")
            .arg(&meta)
            .arg("shards")
            .arg(n)
            .cmd("HGET")
            .arg(&meta)
            .arg("shards")
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "HSETNX"))
            .with_context(|| format!("storing the settings of queue '{}'", self.name))?;
        if stored != n {
            return Err(shard_mismatch(&self.name, stored, n));
        }
        self.pinned = true;
        Ok(())
    }

    /// Whether a queue that did not exist when it was opened does now (a push created it);
    /// then takes its stored shard count, as `open` would have.
    fn appeared(&mut self) -> Result<bool> {
        let (stored, n) = stored_shards(&mut self.conn, &self.name, self.cfg.shards)?;
        if stored.is_none() {
            return Ok(false);
        }
        let n = n.max(1) as usize;
        if n != self.shards.len() {
            self.shards = (0..n).map(|i| Keys::new(&self.name, i)).collect();
            self.turn = rand::rng().random_range(0..n);
            self.fast = vec![None; n];
            self.seen = vec![Seen::default(); n];
            self.floors = None;
        }
        self.pinned = true;
        self.existed = true;
        Ok(true)
    }

    /// Queues tasks; one flag each, true when queued, false when its id was known already (also
    /// when it is done and its result kept: `push_detailed` tells the two apart).
    pub fn push(&mut self, tasks: &[NewTask]) -> Result<(DateTime<Utc>, Vec<bool>)> {
        let (created, pushed) = self.push_detailed(tasks)?;
        Ok((
            created,
            pushed.iter().map(|p| *p == Pushed::Queued).collect(),
        ))
    }

    /// Queues tasks, saying for each whether it was queued, its id was known, or a task of its
    /// id is done and its result kept (the worker runtime, issue 11).
    pub fn push_detailed(&mut self, tasks: &[NewTask]) -> Result<(DateTime<Utc>, Vec<Pushed>)> {
        if tasks.is_empty() {
            return Ok((Utc::now(), vec![]));
        }
        self.pin()?;
        let mut created = None;
        let mut out = vec![Pushed::Known; tasks.len()];
        let mut confirmed = vec![false; tasks.len()];
        let sharded = self.shards.len() > 1;
        for (shard, idx) in self.by_shard(tasks, |t| &t.id) {
            let part: Vec<&NewTask> = idx.iter().map(|&i| &tasks[i]).collect();
            let (c, flags) = match self.push_shard(shard, &part) {
                Ok(r) => {
                    self.floor_pushed(shard, part.len());
                    r
                }
                // The shards pushed before are queued: say which, for an exact report.
                Err(e) if sharded => {
                    return Err(e.context(PushFailed {
                        confirmed: confirmed.clone(),
                    }))
                }
                Err(e) => return Err(e),
            };
            for &i in &idx {
                confirmed[i] = true;
            }
            created.get_or_insert(c);
            let queued = flags.iter().filter(|f| **f == Pushed::Queued).count() as u64;
            for (i, f) in idx.into_iter().zip(flags) {
                out[i] = f;
            }
            self.wake_others(shard, queued)?;
        }
        Ok((created.unwrap_or_else(Utc::now), out))
    }

    fn push_shard(
        &mut self,
        shard: usize,
        tasks: &[&NewTask],
    ) -> Result<(DateTime<Utc>, Vec<Pushed>)> {
        // Five fields a task when any has a time (push.lua), three otherwise.
        let timed = tasks.iter().any(|t| !t.when.is_now());
        let fields = if timed { 5 } else { 3 };
        let mut args: Vec<String> = Vec::with_capacity(2 + tasks.len() * fields);
        args.push(tasks.len().to_string());
        args.push(fields.to_string());
        for t in tasks {
            args.push(t.id.clone());
            args.push(t.priority.get().to_string());
            args.push(t.body());
            if timed {
                args.push(match t.when.due {
                    Due::Now => String::new(),
                    Due::In(d) => format!("+{}", d.as_millis()),
                    Due::At(at) => at.timestamp_millis().to_string(),
                });
                args.push(t.when.ttl.map_or(0, |d| d.as_millis().max(1)).to_string());
            }
        }
        // The worker runtime (issue 11): a producer's own id may be that of a task whose
        // result is kept; push.lua looks at the result keys of those ids (random ones cannot
        // meet one), given after the layout's, with the number of each one's task.
        let mut results = Vec::new();
        for (i, t) in tasks.iter().enumerate().filter(|(_, t)| t.named) {
            results.push(self.shards[shard].result(&t.id));
            args.push((i + 1).to_string());
        }
        // And their time (issue 19: a result has no TTL), only when there are any.
        if !results.is_empty() {
            results.push(self.shards[shard].kept());
        }
        // After a lost reply, an id found already queued was most likely queued by that push.
        let resent = self.resent;
        let reply = self.invoke_with(shard, &PUSH, &results, &args, "pushing tasks")?;
        let items = array(reply)?;
        let created = ms_to_time(int(items.first())?);
        let n = tasks.len();
        let mut done_at = items.iter().skip(1 + n);
        let flags = items
            .iter()
            .skip(1)
            .take(n)
            .map(|v| {
                Ok(match int(Some(v))? {
                    1 => Pushed::Queued,
                    2 => Pushed::Done(ms_to_time(int(done_at.next())?)),
                    _ if resent => Pushed::Queued,
                    _ => Pushed::Known,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((created, flags))
    }

    /// Acknowledges `acks` and leases up to `opts.count` tasks, in one round trip on a queue
    /// of one shard. Expired leases and due retries are recovered on the way, a few per call.
    /// A sharded queue claims in the order `shards` decides.
    pub fn claim<L: AsRef<Lease>>(
        &mut self,
        opts: &ClaimOptions,
        acks: &[L],
    ) -> Result<ClaimReply> {
        if !self.pinned && !self.appeared()? {
            // Nothing was ever pushed: a claim would write the queue's settings, counters and
            // consumer entry, and a typo'd --queue would be a queue for good. The lease of an
            // ack is lost: the queue was removed under it.
            return Ok(ClaimReply {
                now: Utc::now(),
                acked: vec![false; acks.len()],
                ..ClaimReply::default()
            });
        }
        if self.shards.len() == 1 {
            return self.claim_shard(0, opts.count.max(1), opts, acks);
        }
        self.claim_sharded(opts, acks)
    }

    /// One claim script call on one shard: acks, recovery, then up to `want` tasks.
    fn claim_shard<L: AsRef<Lease>>(
        &mut self,
        shard: usize,
        want: usize,
        opts: &ClaimOptions,
        acks: &[L],
    ) -> Result<ClaimReply> {
        let token = new_token();
        let lease_ms = opts.lease.as_millis().max(1) as u64;
        let mut args: Vec<String> = vec![
            lease_ms.to_string(),
            want.to_string(),
            token.clone(),
            opts.consumer.clone(),
            opts.max_attempts.to_string(),
            self.dead_cap.to_string(),
            self.instance.clone(),
        ];
        let sent = std::time::Instant::now();
        let seen = self.seen[shard].arg(&opts.consumer, sent);
        let writes_seen = !seen.is_empty();
        args.push(seen);
        push_leases(&mut args, acks);
        // Issue 15: claim_fast.lua while the last reply said it may do (invoke falls back to
        // claim.lua when it refuses).
        let fast = want > 0 && self.fast[shard].is_some_and(|until| sent < until);
        let script: &Lua = if fast { &CLAIM_FAST } else { &CLAIM };
        let reply = self.invoke(shard, script, &args, "claiming a task")?;
        let items = array(reply)?;
        let now_ms = int(items.first())?;
        let now = ms_to_time(now_ms);
        let next_retry = int(items.get(1))?;
        let next_expiry = int(items.get(2))?;
        let next_due = int(items.get(3))?;
        let fast_until = int(items.get(4))?;
        // controls (issue 13): the claim of a queue with controls (invoke picks it) ends with
        // what held waiting tasks back, until when, and whether the queue still has controls.
        let mut items = items;
        let (held, controlled) = if self.controlled {
            let tail = items.split_off(items.len().saturating_sub(3));
            let until = int(tail.get(1))?;
            let held = match HeldCode::from_reply(tail.first().unwrap_or(&redis::Value::Nil))? {
                HeldCode::None => None,
                code => Some(Held {
                    by: match code {
                        HeldCode::Paused => HeldBy::Paused,
                        HeldCode::Rate => HeldBy::Rate,
                        _ => HeldBy::InFlight,
                    },
                    until: (until > 0).then(|| ms_to_time(until)),
                }),
            };
            (held, int(tail.get(2))? == 1)
        } else {
            (None, false)
        };
        self.controlled = controlled;
        const FIRST_ACK: usize = 6;
        let n_ack = int(items.get(FIRST_ACK - 1))? as usize;
        let codes = (0..n_ack)
            .map(|i| AckCode::from_reply(&items[FIRST_ACK + i]))
            .collect::<Result<Vec<_>>>()?;
        let fresh = codes.iter().filter(|c| **c == AckCode::Acked).count();
        self.floor_acked(shard, fresh);
        if writes_seen {
            self.seen[shard].at = Some(sent);
        } else {
            self.seen[shard].owed += fresh as u64;
        }
        let acked = codes.iter().map(|c| c.ours()).collect();
        let mut out = ClaimReply {
            now,
            acked,
            next_retry: (next_retry > 0).then(|| ms_to_time(next_retry)),
            next_expiry: (next_expiry > 0).then(|| ms_to_time(next_expiry)),
            next_due: (next_due > 0).then(|| ms_to_time(next_due)),
            held,
            controlled,
            ..ClaimReply::default()
        };
        self.fast[shard] = (fast_until > now_ms)
            .then(|| sent + Duration::from_millis((fast_until - now_ms) as u64));
        for chunk in items[FIRST_ACK + n_ack..].chunks(3) {
            let id = string(chunk.first())?;
            let attempt = int(chunk.get(2))? as u32;
            let body = opt_string(chunk.get(1))?;
            let parsed = match body {
                Some(b) => Task::from_stored(&id, &b, attempt),
                None => Err("stored body is missing".to_string()),
            };
            match parsed {
                Ok(task) => out.tasks.push(Claimed {
                    task,
                    token: token.clone(),
                    claimed_at: now,
                }),
                Err(reason) => out.unreadable.push(Unreadable {
                    lease: Lease {
                        id,
                        token: token.clone(),
                    },
                    reason,
                    attempt,
                }),
            }
        }
        if self.swept[shard].is_none_or(|t| t.elapsed() >= results::SWEEP_EVERY) {
            self.swept[shard] = Some(sent);
            // The tasks are claimed: a failure here must not lose them, and the next look
            // (or the next ack that keeps a result) does the sweep instead.
            let _ = self.sweep_results(shard, now_ms);
        }
        Ok(out)
    }

    /// Blocks for at most `timeout` until a push signals new work. Returns true when woken.
    /// The caller checks for shutdown between calls, as a signal does not interrupt the read.
    /// A sharded queue waits on shard 0's list and the queue-wide one (see `wake_others`):
    /// both carry shard 0's hash tag, so one BLPOP serves, also on a cluster.
    pub fn wait_for_work(&mut self, timeout: Duration) -> Result<bool> {
        let secs = timeout.as_secs_f64().clamp(0.01, 1.0);
        let mut cmd = redis::cmd("BLPOP");
        cmd.arg(self.shards[0].wake());
        if self.shards.len() > 1 {
            cmd.arg(keys::wake_all(&self.name));
        }
        let woke: Option<(String, String)> = cmd
            .arg(format!("{secs:.3}"))
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "BLPOP"))
            .with_context(|| format!("waiting for tasks on queue '{}'", self.name))?;
        self.resent = false;
        // 's': the schedules changed (schedule.lua); the consumer loads them again.
        if woke.as_ref().is_some_and(|(_, m)| m == "s") {
            self.schedules_changed = true;
        }
        Ok(woke.is_some())
    }

    /// A wake-up seen by another connection (a consumer's listener) said the schedules changed.
    pub fn note_schedules_changed(&mut self) {
        self.schedules_changed = true;
    }

    /// Whether a wake-up since the last call said the schedules changed.
    pub fn take_schedules_changed(&mut self) -> bool {
        std::mem::take(&mut self.schedules_changed)
    }

    /// Wakes one idle consumer of the queue: what a consumer's own timer does when a scheduled
    /// task, a retry or a schedule's slot falls due (Redis times out a BLPOP only at its
    /// 10-a-second cron, too coarse for that).
    pub fn nudge(&mut self) -> Result<()> {
        let key = self.shards[0].wake().to_string();
        redis::pipe()
            .cmd("RPUSH")
            .arg(&key)
            .arg("1")
            .ignore()
            .cmd("LTRIM")
            .arg(&key)
            .arg(-64)
            .arg(-1)
            .ignore()
            .exec(&mut self.conn)
            .map_err(|e| self.explain(0, e, "RPUSH"))
            .with_context(|| format!("waking consumers of queue '{}'", self.name))
    }

    /// Extends the leases of tasks still held; one state per lease: held (and extended), lost,
    /// or cancelled (the task is gone then).
    pub fn extend<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
        lease: Duration,
    ) -> Result<Vec<LeaseState>> {
        self.extend_or_look(consumer, leases, lease.as_millis().max(1) as u64)
    }

    /// Whether the leases are still held, without extending them: cheap enough for every half
    /// second, which is how a consumer learns at once that a task in hand was cancelled.
    pub fn look<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
    ) -> Result<Vec<LeaseState>> {
        self.extend_or_look(consumer, leases, 0)
    }

    fn extend_or_look<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
        lease_ms: u64,
    ) -> Result<Vec<LeaseState>> {
        let what = if lease_ms == 0 {
            "looking at a lease"
        } else {
            "extending a lease"
        };
        self.lease_op(leases, |q, shard, leases| {
            let mut args = vec![lease_ms.to_string(), consumer.to_string()];
            push_leases(&mut args, leases);
            array(q.invoke(shard, &EXTEND, &args, what)?)?
                .iter()
                .map(|v| {
                    Ok(match ExtendCode::from_reply(v)? {
                        ExtendCode::Held => LeaseState::Held,
                        ExtendCode::Lost => LeaseState::Lost,
                        ExtendCode::Cancelled => LeaseState::Cancelled,
                    })
                })
                .collect()
        })
    }

    /// Acknowledges finished tasks; one flag per lease, false when it was lost.
    pub fn ack<L: AsRef<Lease>>(&mut self, consumer: &str, leases: &[L]) -> Result<Vec<bool>> {
        self.lease_op(leases, |q, shard, leases| {
            let owed = q.take_seen(shard, consumer);
            let mut args = vec![consumer.to_string(), q.instance.clone(), owed];
            push_leases(&mut args, leases);
            let replies = array(q.invoke(shard, &ACK, &args, "acknowledging a task")?)?;
            q.seen[shard].at = Some(std::time::Instant::now());
            // controls (issue 13): a freed slot of a cap wakes consumers (see probe).
            if q.controlled {
                q.wake_others(shard, 1)?;
            }
            let codes = replies
                .iter()
                .map(AckCode::from_reply)
                .collect::<Result<Vec<_>>>()?;
            q.floor_acked(
                shard,
                codes.iter().filter(|c| **c == AckCode::Acked).count(),
            );
            Ok(codes.iter().map(|c| c.ours()).collect())
        })
    }

    /// The tasks owed to `consumer`'s entry on `shard`, taken for an ack, which writes the
    /// entry (ack.lua's ARGV[3]).
    pub(super) fn take_seen(&mut self, shard: usize, consumer: &str) -> String {
        let s = &mut self.seen[shard];
        if s.name != consumer {
            s.name = consumer.to_string();
            s.owed = 0;
        }
        s.at = None;
        std::mem::take(&mut s.owed).to_string()
    }

    /// Writes what is owed to `consumer`'s entry in the consumers hash (claims write it about
    /// once a second): for a consumer that stops, so that `stats` counts all it did.
    pub fn flush_seen(&mut self, consumer: &str) -> Result<()> {
        for shard in 0..self.shards.len() {
            if self.seen[shard].owed > 0 && self.seen[shard].name == consumer {
                let owed = self.take_seen(shard, consumer);
                let args = vec![consumer.to_string(), self.instance.clone(), owed];
                self.invoke(shard, &ACK, &args, "recording a consumer")?;
                self.seen[shard].at = Some(std::time::Instant::now());
            }
        }
        Ok(())
    }

    /// Records a failed attempt: the task is retried after `backoff`, or goes to the dead set
    /// when it is out of attempts or `bury` is set (a task that cannot be read).
    pub fn fail(
        &mut self,
        lease: &Lease,
        backoff: Duration,
        error: &str,
        bury: bool,
    ) -> Result<Failed> {
        self.fail_keeping(lease, backoff, error, bury, None)
    }

    /// Drops this Queue's receipts (common.lua), for a consumer that ends: nothing of it is
    /// left to resend. One that is killed leaves them to be pruned a day later.
    pub fn forget_receipts(&mut self) -> Result<()> {
        let cmds = self
            .shards
            .iter()
            .map(|k| {
                let mut c = redis::cmd("HDEL");
                c.arg(k.receipts()).arg(&self.instance);
                c
            })
            .collect();
        self.query_many("HDEL", cmds)
            .with_context(|| format!("ending on queue '{}'", self.name))?;
        Ok(())
    }

    /// What is known of an unreadable task out of flight (dead or retrying): its priority,
    /// from the place in line its state keeps (0 when that is gone too). One round trip, only
    /// ever for a task whose body cannot be read.
    pub fn known_priority(&mut self, id: &str) -> Result<u8> {
        let shard = keys::shard_of(id, self.shards.len());
        let state: Option<String> = redis::cmd("HGET")
            .arg(self.shards[shard].state())
            .arg(id)
            .query(&mut self.conn)
            .map_err(|e| self.explain(shard, e, "HGET"))
            .with_context(|| format!("reading task {id} of queue '{}'", self.name))?;
        Ok(state
            .as_deref()
            .and_then(|s| s.split('|').nth(1))
            .map_or(0, score::priority_of))
    }

    /// Hands tasks back at once, at their old place in line, with no attempt counted.
    pub fn release<L: AsRef<Lease>>(&mut self, leases: &[L]) -> Result<Vec<bool>> {
        self.lease_op(leases, |q, shard, leases| {
            let mut args = Vec::with_capacity(leases.len() * 2);
            push_leases(&mut args, leases);
            let f = flags(q.invoke(shard, &RELEASE, &args, "releasing a task")?)?;
            q.wake_others(shard, f.iter().filter(|b| **b).count() as u64)?;
            Ok(f)
        })
    }

    /// The next `n` tasks in claim order, untouched: the first `n` of every shard, merged by
    /// score as a sharded claim picks between shards. Unreadable bodies are shown with a null
    /// payload and type "?" rather than hidden, so peek never lies about what is next.
    pub fn peek(&mut self, n: usize) -> Result<Vec<Task>> {
        if n == 0 {
            return Ok(vec![]);
        }
        let mut all = Vec::new();
        for shard in 0..self.shards.len() {
            all.extend(self.peek_shard(shard, n)?);
        }
        // Stable: equal scores keep shard order.
        all.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        Ok(all.into_iter().take(n).map(|(_, t)| t).collect())
    }

    fn peek_shard(&mut self, shard: usize, n: usize) -> Result<Vec<(f64, Task)>> {
        let reply = self.invoke(shard, &PEEK, &[n.to_string()], "peeking")?;
        let items = array(reply)?;
        let mut out = Vec::with_capacity(items.len() / 4);
        for chunk in items.chunks(4) {
            let id = string(chunk.first())?;
            let score = string(chunk.get(1))?;
            let body = opt_string(chunk.get(2))?;
            let attempts = int(chunk.get(3))? as u32;
            let task = body
                .and_then(|b| Task::from_stored(&id, &b, attempts).ok())
                .unwrap_or_else(|| Task::unreadable(&id, score::priority_of(&score), attempts));
            out.push((score.parse().unwrap_or(f64::MAX), task));
        }
        Ok(out)
    }

    /// Counts by state over all shards, in one round trip per node of O(log n) commands (and
    /// one before it for the controls: which lines of limited types hold waiting tasks).
    pub fn lengths(&mut self) -> Result<Lengths> {
        let ctl = self.read_controls()?;
        self.lengths_with(&ctl)
    }

    pub(in crate::queue) fn lengths_with(
        &mut self,
        ctl: &[controls::ShardControls],
    ) -> Result<Lengths> {
        let mut cmds = Vec::new();
        let mut per_shard = Vec::new();
        for (i, k) in self.shards.iter().enumerate() {
            // controls (issue 13): waiting tasks of limited types may be in their own lines.
            let lines = ctl.get(i).map(|c| c.lines.clone()).unwrap_or_default();
            let waiting = std::iter::once(k.pending().to_string())
                .chain(lines.iter().map(|&n| k.limited(n).to_string()));
            for key in waiting {
                for p in Priority::ALL {
                    let (min, max) = score::priority_range(p);
                    let mut c = redis::cmd("ZCOUNT");
                    c.arg(&key).arg(min).arg(max);
                    cmds.push(c);
                }
            }
            for key in [k.inflight(), k.delayed(), k.dead(), k.scheduled()] {
                let mut c = redis::cmd("ZCARD");
                c.arg(key);
                cmds.push(c);
            }
            per_shard.push(3 * (1 + lines.len()) + 4);
        }
        let replies = self
            .query_many("ZCOUNT", cmds)
            .with_context(|| format!("counting tasks of queue '{}'", self.name))?;
        let mut sum = [0u64; 7];
        let mut rest = &replies[..];
        for n in per_shard {
            let (chunk, more) = rest.split_at(n.min(rest.len()));
            rest = more;
            let (waiting, sets) = chunk.split_at(chunk.len().saturating_sub(4));
            for prio in waiting.chunks(3) {
                for (s, v) in sum.iter_mut().zip(prio) {
                    *s += int(Some(v))? as u64;
                }
            }
            for (s, v) in sum[3..].iter_mut().zip(sets) {
                *s += int(Some(v))? as u64;
            }
        }
        let [high, medium, low, in_flight, retrying, dead, scheduled] = sum;
        Ok(Lengths {
            waiting: high + medium + low,
            high,
            medium,
            low,
            in_flight,
            retrying,
            dead,
            scheduled,
        })
    }

    /// Removes every task; consumers holding one find their lease lost when they ack.
    pub fn clear(&mut self) -> Result<Cleared> {
        let mut total = Cleared::default();
        for shard in 0..self.shards.len() {
            let items = array(self.invoke(shard, &CLEAR, &[], "clearing")?)?;
            let n = |i: usize| int(items.get(i)).map(|v| v as u64);
            total.waiting += n(0)?;
            total.in_flight += n(1)?;
            total.retrying += n(2)?;
            total.dead += n(3)?;
            total.scheduled += n(4)?;
        }
        if self.shards.len() > 1 {
            let key = keys::wake_all(&self.name);
            redis::cmd("DEL")
                .arg(&key)
                .exec(&mut self.conn)
                .map_err(|e| self.explain(0, e, "DEL"))
                .with_context(|| format!("clearing queue '{}'", self.name))?;
        }
        total.removed =
            total.waiting + total.in_flight + total.retrying + total.dead + total.scheduled;
        total.kept = vec!["results", "totals", "consumers", "settings", "schedules"];
        Ok(total)
    }

    /// After `clear`, `clear --all`: drops what `clear` keeps of the tasks' history too, the
    /// kept results, the totals (the settings in the stats hash stay) and the consumers' entries.
    /// Returns how many kept results it removed; what stays is then the settings and schedules.
    pub fn clear_history(&mut self) -> Result<u64> {
        let mut results = 0;
        let all = self.queue_keys()?;
        for shard in 0..self.shards.len() {
            let k = self.shards[shard].clone();
            let tag = keys::tag(&self.name, shard);
            let prefix = format!("rpq:{{{tag}}}:{}", keys::RESULT_PREFIX);
            let found: Vec<&String> = all.iter().filter(|key| key.starts_with(&prefix)).collect();
            results += found.len() as u64;
            let fields: Vec<String> = redis::cmd("HKEYS")
                .arg(k.stats())
                .query(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "HKEYS"))
                .with_context(|| format!("clearing queue '{}'", self.name))?;
            let totals: Vec<&String> = fields
                .iter()
                .filter(|f| !STATS_SETTINGS.contains(&f.as_str()))
                .collect();
            let mut pipe = redis::pipe();
            pipe.cmd("UNLINK").arg(k.consumers()).ignore();
            if !totals.is_empty() {
                pipe.cmd("HDEL").arg(k.stats()).arg(totals).ignore();
            }
            for chunk in found.chunks(UNLINK_BATCH) {
                pipe.cmd("UNLINK").arg(chunk).ignore();
            }
            pipe.exec(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "UNLINK"))
                .with_context(|| format!("clearing queue '{}'", self.name))?;
        }
        Ok(results)
    }

    /// Deletes every key of the queue (`rpq queues remove`): its tasks, kept results, counters,
    /// consumers' entries, settings and schedules; it is no longer listed. Consumers still on it
    /// find their leases lost.
    pub fn remove(&mut self) -> Result<Removed> {
        let l = self.lengths()?;
        let keys = self.queue_keys()?;
        let results = keys
            .iter()
            .filter(|k| k.contains(&format!("}}:{}", keys::RESULT_PREFIX)))
            .count() as u64;
        // Keys of one hash tag together (a cluster wants them so), the meta key alone and last.
        let (meta, rest) = keys
            .split_last()
            .expect("queue_keys ends with the meta key");
        let mut groups: Vec<Vec<&String>> = Vec::new();
        for k in rest {
            match groups.last_mut() {
                Some(g) if g.len() < UNLINK_BATCH && tag_of(g[0]) == tag_of(k) => g.push(k),
                _ => groups.push(vec![k]),
            }
        }
        groups.push(vec![meta]);
        for g in groups {
            redis::cmd("UNLINK")
                .arg(g)
                .exec(&mut self.conn)
                .map_err(|e| self.explain(0, e, "UNLINK"))
                .with_context(|| format!("removing queue '{}'", self.name))?;
        }
        self.pinned = false;
        self.existed = false;
        Ok(Removed {
            queue: self.name.clone(),
            tasks: l.waiting + l.in_flight + l.retrying + l.dead + l.scheduled,
            waiting: l.waiting,
            in_flight: l.in_flight,
            retrying: l.retrying,
            dead: l.dead,
            scheduled: l.scheduled,
            results,
            keys: keys.len() as u64,
        })
    }

    /// Deletes every key of the queue, counters and settings too, as if it never existed
    /// (`rpq bench` cleaning up its own queue).
    pub fn destroy(&mut self) -> Result<()> {
        // One call per shard: keys of different hash tags may live on different cluster nodes.
        for (i, k) in self.shards.clone().iter().enumerate() {
            let mut cmd = redis::cmd("UNLINK");
            cmd.arg(k.all());
            if i == 0 {
                cmd.arg(keys::meta(&self.name));
                cmd.arg(keys::wake_all(&self.name));
            }
            cmd.query::<()>(&mut self.conn)
                .with_context(|| format!("deleting queue '{}'", self.name))?;
        }
        Ok(())
    }

    /// Dead tasks, oldest first, over all shards.
    pub fn dead_list(&mut self, offset: usize, limit: usize) -> Result<Vec<DeadTask>> {
        if self.shards.len() == 1 {
            return self.dead_list_shard(0, offset, limit);
        }
        let mut all = Vec::new();
        for shard in 0..self.shards.len() {
            all.extend(self.dead_list_shard(shard, 0, offset + limit)?);
        }
        all.sort_by_key(|d| d.died_at);
        Ok(all.into_iter().skip(offset).take(limit).collect())
    }

    fn dead_list_shard(
        &mut self,
        shard: usize,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<DeadTask>> {
        let args = ["list".to_string(), offset.to_string(), limit.to_string()];
        let items = array(self.invoke(shard, &DEAD, &args, "listing dead tasks")?)?;
        let mut out = Vec::new();
        for chunk in items.chunks(4) {
            let id = string(chunk.first())?;
            let died: i64 = string(chunk.get(1))?.parse().unwrap_or(0);
            let body = opt_string(chunk.get(2))?;
            let info: serde_json::Value = opt_string(chunk.get(3))?
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            let attempts = info["attempts"].as_u64().unwrap_or(0) as u32;
            let mut error = info["error"].as_str().unwrap_or("").to_string();
            let task = match body.as_deref().map(|b| Task::from_stored(&id, b, attempts)) {
                Some(Ok(t)) => t,
                other => {
                    if let Some(Err(why)) = other {
                        if error.is_empty() {
                            error = why;
                        }
                    }
                    Task::unreadable(&id, self.known_priority(&id)?, attempts)
                }
            };
            out.push(DeadTask {
                task,
                state: State::Dead,
                error,
                died_at: ms_to_time(died),
            });
        }
        Ok(out)
    }

    /// Queues dead tasks again with attempts reset; no ids means all.
    pub fn dead_retry(&mut self, ids: &[String]) -> Result<DeadMoved> {
        self.dead_op("retry", ids)
    }

    /// Deletes dead tasks for good; no ids means all.
    pub fn dead_purge(&mut self, ids: &[String]) -> Result<DeadMoved> {
        self.dead_op("purge", ids)
    }

    fn dead_op(&mut self, op: &str, ids: &[String]) -> Result<DeadMoved> {
        // An id given twice would be "not dead" the second time.
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<String> = ids.iter().filter(|i| seen.insert(*i)).cloned().collect();
        let ids = ids.as_slice();
        let groups: Vec<(usize, Vec<usize>)> = if ids.is_empty() {
            (0..self.shards.len()).map(|s| (s, vec![])).collect()
        } else {
            self.by_shard(ids, |s| s)
        };
        let what = format!("{op} of dead tasks");
        let mut total = DeadMoved::default();
        for (shard, idx) in groups {
            let mut args = vec![op.to_string()];
            args.extend(idx.iter().map(|&i| ids[i].clone()));
            let reply = array(self.invoke(shard, &DEAD, &args, &what)?)?;
            let n = int(reply.first())? as u64;
            if op == "retry" {
                self.wake_others(shard, n)?;
            }
            total.moved += n;
            for v in &reply[1..] {
                total.unknown.push(string(Some(v))?);
            }
        }
        // In the order given, whatever shards they fell on.
        total
            .unknown
            .sort_by_key(|id| ids.iter().position(|i| i == id));
        Ok(total)
    }

    /// Counters and consumers, for `stats`: two small hashes per shard and the server's clock,
    /// never a look at the tasks themselves. Shards add up; a consumer seen on several shards
    /// counts its latest time and the sum of what it did.
    pub fn counters(&mut self) -> Result<Counters> {
        type Fields = Vec<(String, String)>;
        let (secs, micros): (i64, i64) = redis::cmd("TIME")
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "TIME"))
            .with_context(|| format!("reading counters of queue '{}'", self.name))?;
        let now_ms = secs * 1000 + micros / 1000;
        let mut cmds = Vec::new();
        for k in &self.shards {
            for key in [k.stats(), k.consumers()] {
                let mut c = redis::cmd("HGETALL");
                c.arg(key);
                cmds.push(c);
            }
        }
        let replies = self
            .query_many("HGETALL", cmds)
            .with_context(|| format!("reading counters of queue '{}'", self.name))?;
        let mut total = Counters::parse(now_ms, &[], &[]);
        for chunk in replies.chunks(2) {
            let fields = |v: &redis::Value| -> Result<Fields> {
                redis::from_redis_value(v.clone())
                    .map_err(|e| anyhow::anyhow!("unexpected reply from redis: {e}"))
            };
            total.add(Counters::parse(
                now_ms,
                &fields(&chunk[0])?,
                &fields(&chunk[1])?,
            ));
        }
        Ok(total)
    }

    /// Since when the longest-waiting task of each priority (high, medium, low) has waited,
    /// over all shards: the oldest of a queue is not the next one to be claimed, which may be a
    /// fresh high-priority task while a low one waits for hours. One script call per shard
    /// looks at the first task of each priority (O(log n), no scan), in pending and in the
    /// lines of limited types that `ctl` names: within a priority the first in line is the
    /// earliest arrival.
    fn oldest_waiting_by_priority(
        &mut self,
        ctl: &[controls::ShardControls],
    ) -> Result<[Option<DateTime<Utc>>; 3]> {
        let mut oldest = [None; 3];
        for shard in 0..self.shards.len() {
            let lines = ctl.get(shard).map(|c| c.lines.clone()).unwrap_or_default();
            let args = controls::line_keys(&lines);
            let reply = self.invoke(shard, &OLDEST, &args, "finding the oldest task")?;
            let bodies = array(reply)?;
            for (o, body) in oldest.iter_mut().zip(&bodies) {
                // A task pushed for later has waited since it fell due, not since it was pushed.
                let since = opt_string(Some(body))?
                    .and_then(|b| Task::from_stored("", &b, 0).ok())
                    .map(|t| t.due_at.map_or(t.created_at, |d| d.max(t.created_at)));
                *o = [*o, since].into_iter().flatten().min();
            }
        }
        Ok(oldest)
    }

    /// Everything `stats` shows: lengths, counters, the oldest waiting task, the aging step,
    /// and the pauses and limits in force.
    pub fn snapshot(&mut self) -> Result<Stats> {
        let ctl = self.read_controls()?;
        let l = self.lengths_with(&ctl)?;
        let c = self.counters()?;
        let oldest = self.oldest_waiting_by_priority(&ctl)?;
        let aging = self.aging()?;
        let now_ms = c.now.timestamp_millis();
        let mut s = Stats::new(&self.name, &l, c, oldest, aging);
        s.eviction_policy = self.server.as_ref().and_then(|i| i.eviction_policy.clone());
        s.paused = ctl.first().map(|c| c.paused_at(now_ms)).unwrap_or_default();
        s.limits = controls::limits_of(&ctl);
        Ok(s)
    }

    // Time (issue 12): aging, recurring schedules.

    /// The aging step in force (None: off), as shard 0 keeps it.
    pub fn aging(&mut self) -> Result<Option<Duration>> {
        let ms = int(Some(&self.invoke(
            0,
            &AGING,
            &[String::new()],
            "reading the aging step",
        )?))?;
        Ok((ms > 0).then(|| Duration::from_millis(ms as u64)))
    }

    /// Sets the aging step (None: off, strict priority) on every shard, where each claim reads it.
    pub fn set_aging(&mut self, step: Option<Duration>) -> Result<()> {
        self.pin()?;
        let ms = step.map_or(0, |d| d.as_millis().max(1) as u64).to_string();
        for shard in 0..self.shards.len() {
            self.invoke(
                shard,
                &AGING,
                std::slice::from_ref(&ms),
                "setting the aging step",
            )?;
        }
        Ok(())
    }

    /// The server's clock, in ms.
    pub fn server_ms(&mut self) -> Result<i64> {
        let (secs, micros): (i64, i64) = redis::cmd("TIME")
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "TIME"))
            .with_context(|| format!("reading the clock of the server of queue '{}'", self.name))?;
        Ok(secs * 1000 + micros / 1000)
    }

    /// Stores a schedule on every shard (replacing one of that name); true when it replaced one.
    /// Idle consumers are woken to load it.
    pub fn schedule_add(&mut self, name: &str, def: &Definition) -> Result<bool> {
        self.pin()?;
        let value = format!("{}|{}", def.since_ms, serde_json::to_string(def)?);
        let mut replaced = false;
        // Shard 0 last: its wake-up makes consumers load what every shard holds by then.
        for shard in (0..self.shards.len()).rev() {
            let args = [
                "add".to_string(),
                name.to_string(),
                value.clone(),
                if shard == 0 { "1" } else { "0" }.to_string(),
            ];
            let r = self.invoke(shard, &SCHEDULE, &args, "storing a schedule")?;
            replaced |= int(Some(&r))? == 1;
        }
        Ok(replaced)
    }

    /// Removes a schedule from every shard; false when there was none of that name.
    pub fn schedule_remove(&mut self, name: &str) -> Result<bool> {
        let mut had = false;
        for shard in (0..self.shards.len()).rev() {
            let args = [
                "remove".to_string(),
                name.to_string(),
                String::new(),
                if shard == 0 { "1" } else { "0" }.to_string(),
            ];
            let r = self.invoke(shard, &SCHEDULE, &args, "removing a schedule")?;
            had |= int(Some(&r))? == 1;
        }
        Ok(had)
    }

    /// Every schedule of the queue, by name, with the latest slot fired on any shard. Values
    /// that cannot be read are left out.
    pub fn schedules(&mut self) -> Result<Vec<Stored>> {
        let cmds = self
            .shards
            .iter()
            .map(|k| {
                let mut c = redis::cmd("HGETALL");
                c.arg(k.schedules());
                c
            })
            .collect();
        let replies = self
            .query_many("HGETALL", cmds)
            .with_context(|| format!("reading the schedules of queue '{}'", self.name))?;
        let mut all: Vec<Stored> = Vec::new();
        for reply in replies {
            let fields: Vec<(String, String)> = redis::from_redis_value(reply)
                .map_err(|e| anyhow::anyhow!("unexpected reply from redis: {e}"))?;
            for (name, value) in fields {
                let Some(s) = Stored::parse(&name, &value) else {
                    continue;
                };
                match all.iter_mut().find(|a| a.name == name) {
                    Some(a) => a.merge(&s),
                    None => all.push(s),
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// Queues the task of slot `slot_ms` of schedule `s`, unless it fired already (on the shard
    /// of the slot's task, in one script: at most once per slot however many consumers race).
    pub fn fire(&mut self, s: &Stored, slot_ms: i64) -> Result<FireCode> {
        let task = s.def.task(&s.name, slot_ms);
        let shard = keys::shard_of(&task.id, self.shards.len());
        let args = [
            s.name.clone(),
            s.raw.clone(),
            slot_ms.to_string(),
            task.id.clone(),
            task.priority.get().to_string(),
            task.body(),
            task.when
                .ttl
                .map_or(0, |d| d.as_millis() as u64)
                .to_string(),
        ];
        let code = FireCode::from_reply(&self.invoke(shard, &FIRE, &args, "firing a schedule")?)?;
        if code == FireCode::Fired {
            self.wake_others(shard, 1)?;
        }
        Ok(code)
    }
}

/// Fields of a shard's stats hash that are settings and bookkeeping, not totals: `clear --all`
/// keeps them (aging and the controls flag live in `checks`).
const STATS_SETTINGS: [&str; 5] = [
    "checks",
    "ctl_gen",
    "prune_cursor",
    "receipts_cursor",
    "lost",
];

/// Keys deleted by one UNLINK at most.
const UNLINK_BATCH: usize = 500;

/// The hash tag of one of our keys, `rpq:{TAG}:...`.
fn tag_of(key: &str) -> &str {
    key.split_once("}:").map_or(key, |(t, _)| t)
}

/// The shard count stored with queue `name` (None: the queue does not exist), and the count to
/// use: the stored one, else `wanted` (`--shards`), else 1; a stored count other than `wanted`
/// is an error.
fn stored_shards(conn: &mut Conn, name: &str, wanted: Option<u32>) -> Result<(Option<u32>, u32)> {
    let meta: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(keys::meta(name))
        .query(conn)
        .map_err(|e| conn::refused(&e, "HGETALL").unwrap_or_else(|| conn::describe(e)))
        .with_context(|| format!("reading the settings of queue '{name}'"))?;
    let stored: Option<u32> = meta.get("shards").and_then(|s| s.parse().ok());
    let tags = meta.get(keys::TAGS_FIELD).map(String::as_str);
    if stored.is_some_and(|n| n > 1) && tags != Some(&keys::SHARD_SEP.to_string()) {
        return Err(old_shard_tags(name, stored.unwrap_or(0)));
    }
    let n = match (stored, wanted) {
        (Some(s), Some(w)) if s != w => return Err(shard_mismatch(name, s, w)),
        (Some(s), _) => s,
        (None, w) => w.unwrap_or(1),
    };
    Ok((stored, n))
}

fn shard_mismatch(name: &str, stored: u32, wanted: u32) -> anyhow::Error {
    UsageError(format!(
        "queue '{name}' is stored with --shards {stored}, not {wanted}; drop --shards (rpq reads \
         it from the queue), or use another --queue"
    ))
    .into()
}

/// A queue sharded by an rpq from before `keys::SHARD_SEP`: its shards past the first are under
/// `{NAME.1}` and on, which this rpq would not see (and which a queue named `NAME.1` would share).
fn old_shard_tags(name: &str, shards: u32) -> anyhow::Error {
    UsageError(format!(
        "queue '{name}' was sharded ({shards} shards) by an older rpq, which kept shards 1 and up \
         under rpq:{{{name}.N}}; drain it with that rpq, then run `rpq --queue {name} clear --yes` \
         and `redis-cli DEL 'rpq:{{{name}}}:meta'` (see \"Sharded queues\" in rpq's docs/running.md)"
    ))
    .into()
}

/// Appends (id, token) pairs, as every script that takes leases reads them.
fn push_leases<L: AsRef<Lease>>(args: &mut Vec<String>, leases: &[L]) {
    for l in leases.iter().map(AsRef::as_ref) {
        args.push(l.id.clone());
        args.push(l.token.clone());
    }
}

/// A random claim token: 64 bits, hex.
fn new_token() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::RedisServer;

    fn task(id: &str) -> NewTask {
        NewTask {
            id: id.to_string(),
            kind: "t".into(),
            priority: Priority::MEDIUM,
            payload: serde_json::Value::Null,
            when: crate::task::When::NOW,
            settings: Default::default(),
            named: true,
        }
    }

    /// A consumer's entry is written by its first claim, then at most once a second, with
    /// what it finished in between; another name is written at once.
    #[test]
    fn a_consumer_entry_is_written_once_a_second_with_what_is_owed() {
        let t0 = std::time::Instant::now();
        let mut s = Seen::default();
        assert_eq!(s.arg("c1", t0), "0");
        s.at = Some(t0);
        s.owed += 3;
        assert_eq!(s.arg("c1", t0 + Duration::from_millis(999)), "");
        s.owed += 2;
        assert_eq!(s.arg("c1", t0 + SEEN_EVERY), "5");
        assert_eq!(s.owed, 0);
        s.at = Some(t0 + SEEN_EVERY);
        assert_eq!(s.arg("c2", t0 + SEEN_EVERY), "0");
    }

    #[test]
    fn the_dead_set_keeps_the_newest_and_forgets_the_oldest_entirely() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "capped")).unwrap();
        q.dead_cap = 3;
        let opts = ClaimOptions {
            consumer: "c".into(),
            lease: Duration::from_secs(30),
            max_attempts: 1,
            count: 1,
        };
        for i in 0..5 {
            let id = format!("d{i}");
            q.push(&[task(&id)]).unwrap();
            let c = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
            assert_eq!(c.task.id, id);
            let r = q.fail(&c.lease(), Duration::ZERO, "boom", false).unwrap();
            assert_eq!(r, Failed::Dead);
        }
        let ids: Vec<String> = q
            .dead_list(0, 10)
            .unwrap()
            .into_iter()
            .map(|d| d.task.id)
            .collect();
        assert_eq!(ids, ["d2", "d3", "d4"]);
        // Trimmed tasks leave nothing behind: no body, no state, no error.
        let keys = q.keys().clone();
        for key in [keys.tasks(), keys.state(), keys.dead_info()] {
            let n: u64 = redis::cmd("HLEN").arg(key).query(q.conn()).unwrap();
            assert_eq!(n, 3, "{key}");
        }
    }

    /// Claims skip the recovery check while no lease or retry can be due ('checks' in
    /// common.lua): a lease shortened by extend and a retry with no backoff must still come back
    /// at once, with their attempts and place in line kept across the trip.
    #[test]
    fn recovery_sees_a_shortened_lease_and_an_immediate_retry() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "due")).unwrap();
        let opts = |consumer: &str| ClaimOptions {
            consumer: consumer.into(),
            lease: Duration::from_secs(600),
            max_attempts: 5,
            count: 1,
        };
        q.push(&[task("a"), task("b"), task("c")]).unwrap();
        let a = q.claim(&opts("c1"), NO_ACKS).unwrap().tasks.remove(0);
        let b = q.claim(&opts("c1"), NO_ACKS).unwrap().tasks.remove(0);
        assert_eq!((a.task.id.as_str(), b.task.id.as_str()), ("a", "b"));
        assert_eq!(
            q.extend("c1", &[a.lease()], Duration::from_millis(1))
                .unwrap(),
            [LeaseState::Held]
        );
        // Back in front of c, its first place in line, once its 1 ms lease has run out.
        let limit = std::time::Instant::now() + Duration::from_secs(10);
        let again = loop {
            let mut r = q.claim(&opts("c2"), NO_ACKS).unwrap();
            let t = r.tasks.remove(0);
            if t.task.id == "a" {
                break t;
            }
            assert_eq!(t.task.id, "c", "only c waits besides a");
            assert_eq!(q.release(&[t.lease()]).unwrap(), [true]);
            assert!(std::time::Instant::now() < limit, "a never came back");
        };
        assert_eq!(again.task.attempt, 2);
        assert_eq!(
            q.fail(&b.lease(), Duration::ZERO, "x", false).unwrap(),
            Failed::Retry
        );
        let b2 = q.claim(&opts("c2"), NO_ACKS).unwrap().tasks.remove(0);
        assert_eq!((b2.task.id.as_str(), b2.task.attempt), ("b", 2));
        let c = q.claim(&opts("c2"), NO_ACKS).unwrap().tasks.remove(0);
        assert_eq!((c.task.id.as_str(), c.task.attempt), ("c", 1));
    }

    /// A call repeated after a lost reply finds its own work done and says so, by its
    /// receipt; a consumer whose lease expired and whose task another finished does not, even
    /// after a reconnect (which once made any finished task count as one's own).
    #[test]
    fn a_resent_call_owns_what_it_did_and_never_what_another_did() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let cfg = Config::for_url(&server.url(), "resend");
        let mut q = Queue::open(&cfg).unwrap();
        let mut other = Queue::open(&cfg).unwrap();
        let opts = ClaimOptions {
            consumer: "c".into(),
            lease: Duration::from_secs(30),
            max_attempts: 3,
            count: 1,
        };
        let t = [task("p")];
        assert_eq!(q.push(&t).unwrap().1, [true]);
        assert_eq!(q.push(&t).unwrap().1, [false], "a second producer's push");
        q.reconnect().unwrap();
        assert_eq!(q.push(&t).unwrap().1, [true], "a resend after a lost reply");

        let c = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        let lease = [c.lease()];
        assert_eq!(q.ack("c", &lease).unwrap(), [true]);
        assert_eq!(q.ack("c", &lease).unwrap(), [true], "sent again");
        q.reconnect().unwrap();
        assert_eq!(
            q.ack("c", &lease).unwrap(),
            [true],
            "sent again after a reconnect"
        );
        let reply = q.claim(&opts, &lease).unwrap();
        assert_eq!(reply.acked, [true], "an ack riding on a resent claim");
        assert_eq!(other.ack("c", &lease).unwrap(), [false], "not the other's");

        // q's lease runs out; `other` takes the task over and finishes it.
        q.push(&[task("x")]).unwrap();
        let mine = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        assert_eq!(
            q.extend("c", &[mine.lease()], Duration::from_millis(1))
                .unwrap(),
            [LeaseState::Held]
        );
        let limit = std::time::Instant::now() + Duration::from_secs(10);
        let theirs = loop {
            if let Some(t) = other.claim(&opts, NO_ACKS).unwrap().tasks.pop() {
                break t;
            }
            assert!(std::time::Instant::now() < limit, "the lease never ran out");
        };
        assert_eq!((theirs.task.id.as_str(), theirs.task.attempt), ("x", 2));
        assert_eq!(other.ack("o", &[theirs.lease()]).unwrap(), [true]);
        q.reconnect().unwrap();
        assert_eq!(q.ack("c", &[mine.lease()]).unwrap(), [false]);
        assert_eq!(q.claim(&opts, &[mine.lease()]).unwrap().acked, [false]);

        q.push(&[task("f")]).unwrap();
        let c = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        let fail = |q: &mut Queue| q.fail(&c.lease(), Duration::from_secs(60), "x", false);
        assert_eq!(fail(&mut q).unwrap(), Failed::Retry);
        q.reconnect().unwrap();
        assert_eq!(
            fail(&mut q).unwrap(),
            Failed::Retry,
            "sent again after a reconnect"
        );
        assert_eq!(
            fail(&mut other).unwrap(),
            Failed::LeaseLost,
            "not the other's"
        );

        // A consumer that ends leaves no receipt behind.
        q.forget_receipts().unwrap();
        other.forget_receipts().unwrap();
        let left: u64 = redis::cmd("EXISTS")
            .arg(q.keys().receipts())
            .query(q.conn())
            .unwrap();
        assert_eq!(left, 0);
    }
}
