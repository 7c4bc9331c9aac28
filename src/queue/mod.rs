//! The queue: push, claim, extend, ack, fail, release, peek, len, clear, dead letters.
//! Every step that touches more than one key is one Lua script (`lua/`), so it is atomic on the
//! server; this module turns Rust calls into script calls and replies into types, and owns no
//! policy about output or retries of its own.

pub mod keys;
mod registry;

use crate::config::Config;
use crate::conn::{self, Conn};
use crate::error::UsageError;
use crate::task::{ms_to_time, NewTask, Priority, Task};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use keys::Keys;
use rand::Rng;
use redis::{Script, Value};
use serde::Serialize;
use std::sync::LazyLock;
use std::time::Duration;

/// A script: its source (the common prelude and its own body) and the SHA1 EVALSHA names it by.
pub struct Lua {
    name: &'static str,
    src: &'static str,
    hash: String,
}

macro_rules! script {
    ($file:literal) => {
        LazyLock::new(|| {
            let src = concat!(
                include_str!("lua/common.lua"),
                "\n",
                include_str!(concat!("lua/", $file))
            );
            Lua {
                name: $file.trim_end_matches(".lua"),
                src,
                hash: Script::new(src).get_hash().to_string(),
            }
        })
    };
}

static PUSH: LazyLock<Lua> = script!("push.lua");
static CLAIM: LazyLock<Lua> = script!("claim.lua");
static EXTEND: LazyLock<Lua> = script!("extend.lua");
static ACK: LazyLock<Lua> = script!("ack.lua");
static FAIL: LazyLock<Lua> = script!("fail.lua");
static RELEASE: LazyLock<Lua> = script!("release.lua");
static PEEK: LazyLock<Lua> = script!("peek.lua");
static CLEAR: LazyLock<Lua> = script!("clear.lua");
static DEAD: LazyLock<Lua> = script!("dead.lua");
static OLDEST: LazyLock<Lua> = script!("oldest.lua");

/// How often a sharded claim looks for expired leases and due retries on every shard.
const FULL_LOOK_EVERY: Duration = Duration::from_secs(1);

/// Throughput is counted per second over this many seconds (the ring in `lua/common.lua`).
pub const RECENT_SECS: i64 = 60;

/// The dead-letter set keeps at most this many tasks; the oldest go first.
pub const DEAD_CAP: u64 = 10_000;

/// What a consumer asks of a claim.
#[derive(Debug, Clone)]
pub struct ClaimOptions {
    pub consumer: String,
    pub lease: Duration,
    pub max_attempts: u32,
    /// How many tasks to lease at once.
    pub count: usize,
}

/// A task leased to this consumer. The token proves the lease: ack, extend, fail and release
/// carry it, so a consumer whose lease expired cannot finish a task someone else now holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub task: Task,
    pub token: String,
    pub claimed_at: DateTime<Utc>,
}

/// A claimed task whose body could not be read.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub id: String,
    pub token: String,
    pub reason: String,
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
        match p.get() {
            1 => self.high,
            2 => self.medium,
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
    #[serde(with = "crate::task::rfc3339")]
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerSeen {
    pub name: String,
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
}

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
    /// lost, so an ack that finds its task already finished may well be its own.
    resent: bool,
    /// `DEAD_CAP`; smaller in tests of the trimming.
    dead_cap: u64,
}

/// What a sharded claim learns about one shard before it claims: the score of its first waiting
/// task, and when its first lease expires and its first retry falls due (ms).
#[derive(Debug, Default, Clone, Copy)]
struct Head {
    pending: Option<f64>,
    inflight: Option<i64>,
    delayed: Option<i64>,
}

impl Queue {
    /// Connects to the queue named in the config and learns its shard count: stored with the
    /// queue, else `--shards`, else 1.
    pub fn open(cfg: &Config) -> Result<Queue> {
        let mut conn = conn::open(cfg)?;
        let name = cfg.queue.clone();
        let stored: Option<u32> = redis::cmd("HGET")
            .arg(keys::meta(&name))
            .arg("shards")
            .query(&mut conn)
            .map_err(|e| conn::refused(&e, "HGET").unwrap_or_else(|| conn::describe(e)))
            .with_context(|| format!("reading the settings of queue '{name}'"))?;
        let n = match (stored, cfg.shards) {
            (Some(s), Some(w)) if s != w => return Err(shard_mismatch(&name, s, w)),
            (Some(s), _) => s,
            (None, w) => w.unwrap_or(1),
        };
        Ok(Queue {
            cfg: cfg.clone(),
            conn,
            shards: (0..n.max(1) as usize)
                .map(|i| Keys::new(&name, i))
                .collect(),
            // A queue given --shards stores it at once; one without waits for its first push
            // or claim, so that `len` or `peek` on a typo leaves nothing behind.
            pinned: stored.is_some(),
            turn: rand::rng().random_range(0..n.max(1) as usize),
            full_look: None,
            name,
            resent: false,
            dead_cap: DEAD_CAP,
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
        self.conn = conn::open(&self.cfg)?;
        self.resent = true;
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
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
        let (_, stored): (i64, u32) = redis::pipe()
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

    /// Runs a script on one shard. EVALSHA first; on NOSCRIPT (a restarted server, a promoted
    /// replica) EVAL with the source, which goes by key to the same node and caches it there.
    fn invoke(&mut self, shard: usize, script: &Lua, args: &[String], what: &str) -> Result<Value> {
        let keys = self.shards[shard].all();
        let call = |cmd: &str, first: &str| {
            let mut c = redis::cmd(cmd);
            c.arg(first).arg(keys.len()).arg(keys).arg(args);
            c
        };
        let reply = match call("EVALSHA", &script.hash).query::<Value>(&mut self.conn) {
            Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
                call("EVAL", script.src).query::<Value>(&mut self.conn)
            }
            other => other,
        };
        if reply.is_ok() {
            self.resent = false;
        }
        reply
            .map_err(
                |e| match conn::refused_in_script(&e, script.src, script.name) {
                    Some(refused) => refused,
                    None => self.explain(shard, e, "EVALSHA"),
                },
            )
            .with_context(|| format!("{what} on queue '{}'", self.name))
    }

    /// Plain commands in one round trip per node: one pipeline on a single server, a cluster
    /// pipeline (split by slot) on a cluster.
    fn query_many(&mut self, first: &str, cmds: Vec<redis::Cmd>) -> Result<Vec<Value>> {
        let reply = match &mut self.conn {
            Conn::Single(c) => {
                let mut p = redis::pipe();
                for cmd in cmds {
                    p.add_command(cmd);
                }
                p.query::<Vec<Value>>(c)
            }
            Conn::Cluster(c) => {
                let mut p = redis::cluster::cluster_pipe();
                for cmd in cmds {
                    p.add_command(cmd);
                }
                p.query::<Vec<Value>>(c.as_mut())
            }
        };
        reply.map_err(|e| self.explain(0, e, first))
    }

    /// A WRONGTYPE error does not say which key; find it, so the user can look at it. Other
    /// errors get their hint (an ACL refusal says what to grant).
    fn explain(&mut self, shard: usize, e: redis::RedisError, command: &str) -> anyhow::Error {
        // A pipeline reports its failures in one error, so look at the text as well.
        if e.code() != Some("WRONGTYPE") && !e.to_string().contains("WRONGTYPE") {
            return conn::refused(&e, command).unwrap_or_else(|| conn::describe(e));
        }
        let keys = self.shards[shard].clone();
        for (key, def) in keys.with_defs() {
            let t: String = redis::cmd("TYPE")
                .arg(key)
                .query(&mut self.conn)
                .unwrap_or_default();
            if t != "none" && t != def.kind {
                return anyhow!(
                    "key {key} holds a {t}, not the {} rpq keeps there; \
                     rename or delete it, or use another --queue",
                    def.kind
                );
            }
        }
        e.into()
    }

    /// Groups `items` by the shard of their id: (shard, original indexes).
    fn by_shard<T>(&self, items: &[T], id: impl Fn(&T) -> &str) -> Vec<(usize, Vec<usize>)> {
        let n = self.shards.len();
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, item) in items.iter().enumerate() {
            groups[keys::shard_of(id(item), n)].push(i);
        }
        groups
            .into_iter()
            .enumerate()
            .filter(|(_, g)| !g.is_empty())
            .collect()
    }

    /// Runs `op` on each shard with the leases it holds and puts the flags back in order.
    fn lease_op(
        &mut self,
        leases: &[(String, String)],
        mut op: impl FnMut(&mut Queue, usize, &[(String, String)]) -> Result<Vec<bool>>,
    ) -> Result<Vec<bool>> {
        if self.shards.len() == 1 {
            return op(self, 0, leases);
        }
        let mut out = vec![false; leases.len()];
        for (shard, idx) in self.by_shard(leases, |l| &l.0) {
            let part: Vec<(String, String)> = idx.iter().map(|&i| leases[i].clone()).collect();
            for (i, f) in idx.into_iter().zip(op(self, shard, &part)?) {
                out[i] = f;
            }
        }
        Ok(out)
    }

    /// Scripts wake idle consumers through their own shard's wake list, but those of a sharded
    /// queue block on shard 0's; work that appears on another shard adds markers to the list
    /// they block on besides (a hint only: a consumer claims anyway every few seconds).
    fn wake_others(&mut self, shard: usize, n: u64) -> Result<()> {
        if shard == 0 || n == 0 {
            return Ok(());
        }
        let key = keys::wake_all(&self.name);
        let marks = vec!["1"; n.min(64) as usize];
        redis::pipe()
            .cmd("RPUSH")
            .arg(&key)
            .arg(marks)
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

    /// Pushes tasks, one round trip per shard they go to. Returns when they were created and,
    /// per task, whether it was queued (false: its id was already known, and this was no
    /// resend after a lost reply).
    pub fn push(&mut self, tasks: &[NewTask]) -> Result<(DateTime<Utc>, Vec<bool>)> {
        if tasks.is_empty() {
            return Ok((Utc::now(), vec![]));
        }
        self.pin()?;
        let mut created = None;
        let mut out = vec![false; tasks.len()];
        for (shard, idx) in self.by_shard(tasks, |t| &t.id) {
            let part: Vec<&NewTask> = idx.iter().map(|&i| &tasks[i]).collect();
            let (c, flags) = self.push_shard(shard, &part)?;
            created.get_or_insert(c);
            let queued = flags.iter().filter(|f| **f).count() as u64;
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
    ) -> Result<(DateTime<Utc>, Vec<bool>)> {
        let mut args: Vec<String> = Vec::with_capacity(1 + tasks.len() * 3);
        args.push(tasks.len().to_string());
        for t in tasks {
            args.push(t.id.clone());
            args.push(t.priority.get().to_string());
            args.push(t.body());
        }
        // After a lost reply, an id found already queued was most likely queued by that push.
        let resent = self.resent;
        let reply = self.invoke(shard, &PUSH, &args, "pushing tasks")?;
        let items = array(reply)?;
        let created = ms_to_time(int(items.first())?);
        let flags = items[1..]
            .iter()
            .map(|v| int(Some(v)).map(|f| f == 1 || resent))
            .collect::<Result<Vec<_>>>()?;
        Ok((created, flags))
    }

    /// Acknowledges `acks` (id, token) and leases up to `opts.count` tasks, in one round trip
    /// on a queue of one shard. Expired leases and due retries are recovered on the way, a few
    /// per call.
    ///
    /// A sharded queue first looks at the head of every shard (one pipelined round trip), then
    /// claims from the shard whose first task has the best score (priority, then arrival),
    /// trying the next best if another consumer emptied it meanwhile. The acks ride along with
    /// the look; shards with expired leases or due retries get a claim for no task on the way.
    pub fn claim(&mut self, opts: &ClaimOptions, acks: &[(String, String)]) -> Result<ClaimReply> {
        self.pin()?;
        let n = self.shards.len();
        if n == 1 {
            return self.claim_shard(0, opts.count.max(1), opts, acks);
        }
        // Expired leases and due retries need finding only now and then (a second late is
        // nothing next to a lease), so most looks read just the first waiting task of each shard.
        let full = self
            .full_look
            .is_none_or(|t| t.elapsed() >= FULL_LOOK_EVERY);
        let (mut heads, acked) = self.probe(&opts.consumer, acks, full)?;
        if !full && heads.iter().all(|h| h.pending.is_none()) {
            heads = self.probe(&opts.consumer, &[], true)?.0;
        }
        let now_ms = Utc::now().timestamp_millis();
        self.turn = self.turn.wrapping_add(1);
        let turn = self.turn;
        let mut order: Vec<usize> = (0..n).filter(|&s| heads[s].pending.is_some()).collect();
        order.sort_by(|&a, &b| {
            let rank = |s: usize| (s + n - turn % n) % n;
            heads[a]
                .pending
                .partial_cmp(&heads[b].pending)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(rank(a).cmp(&rank(b)))
        });
        let mut out = ClaimReply {
            acked,
            ..ClaimReply::default()
        };
        let mut next_retry = heads.iter().filter_map(|h| h.delayed).min();
        let mut next_expiry = heads.iter().filter_map(|h| h.inflight).min();
        let mut merge = |out: &mut ClaimReply, r: &ClaimReply| {
            out.now = r.now;
            let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
            next_retry = [next_retry, ms(r.next_retry)].into_iter().flatten().min();
            next_expiry = [next_expiry, ms(r.next_expiry)].into_iter().flatten().min();
        };
        let first = order.first().copied();
        let mut visited = vec![false; n];
        for s in 0..n {
            let due = heads[s].inflight.is_some_and(|t| t <= now_ms)
                || heads[s].delayed.is_some_and(|t| t <= now_ms);
            if Some(s) == first || !due {
                continue;
            }
            let r = self.claim_shard(s, 0, opts, &[])?;
            visited[s] = true;
            merge(&mut out, &r);
            if due && !order.contains(&s) {
                // Recovery may have put tasks back in line there.
                order.push(s);
            }
        }
        for s in order {
            let r = self.claim_shard(s, opts.count.max(1), opts, &[])?;
            visited[s] = true;
            merge(&mut out, &r);
            if !r.tasks.is_empty() || !r.unreadable.is_empty() {
                out.tasks = r.tasks;
                out.unreadable = r.unreadable;
                return Ok(out);
            }
        }
        if !visited[0] {
            // Nothing anywhere: a claim for no task on shard 0 still records this consumer as
            // seen, which `stats` shows, and reads the server's clock.
            let r = self.claim_shard(0, 0, opts, &[])?;
            merge(&mut out, &r);
        }
        out.next_retry = next_retry.map(ms_to_time);
        out.next_expiry = next_expiry.map(ms_to_time);
        Ok(out)
    }

    /// The head of every shard, in one round trip per node, with the acks of finished tasks
    /// riding along (one ack script call per shard that has some). Returns one flag per ack.
    fn probe(
        &mut self,
        consumer: &str,
        acks: &[(String, String)],
        full: bool,
    ) -> Result<(Vec<Head>, Vec<bool>)> {
        if full {
            self.full_look = Some(std::time::Instant::now());
        }
        let per = if full { 3 } else { 1 };
        let groups = self.by_shard(acks, |a| &a.0);
        let mut cmds = Vec::with_capacity(groups.len() + self.shards.len() * 3);
        for (shard, idx) in &groups {
            let keys = self.shards[*shard].all();
            let mut c = redis::cmd("EVALSHA");
            c.arg(&ACK.hash).arg(keys.len()).arg(keys).arg(consumer);
            for &i in idx {
                c.arg(&acks[i].0).arg(&acks[i].1);
            }
            cmds.push(c);
        }
        for k in &self.shards {
            for key in [k.pending(), k.inflight(), k.delayed()]
                .into_iter()
                .take(per)
            {
                let mut c = redis::cmd("ZRANGE");
                c.arg(key).arg(0).arg(0).arg("WITHSCORES");
                cmds.push(c);
            }
        }
        let replies = match self.query_many("ZRANGE", cmds) {
            Err(e) if !acks.is_empty() && is_noscript(&e) => {
                // A node without the script (restarted, promoted): ack the slow way, which
                // loads it there, and look again. Acks are idempotent.
                let acked = self.ack(consumer, acks)?;
                return Ok((self.probe(consumer, &[], full)?.0, acked));
            }
            other => {
                other.with_context(|| format!("looking at the shards of queue '{}'", self.name))?
            }
        };
        let mut done = vec![false; acks.len()];
        for ((_, idx), flags_reply) in groups.iter().zip(&replies) {
            for (&i, f) in idx.iter().zip(array(flags_reply.clone())?) {
                done[i] = acked(int(Some(&f))?, self.resent);
            }
        }
        self.resent = false;
        let replies = &replies[groups.len()..];
        let score = |v: &Value| -> Result<Option<f64>> {
            let items = array(v.clone())?;
            match items.get(1) {
                None => Ok(None),
                Some(s) => Ok(string(Some(s))?.parse::<f64>().ok()),
            }
        };
        let heads = replies
            .chunks(per)
            .map(|c| {
                let at = |i: usize| -> Result<Option<i64>> {
                    Ok(match c.get(i) {
                        Some(v) => score(v)?.map(|s| s as i64),
                        None => None,
                    })
                };
                Ok(Head {
                    pending: score(&c[0])?,
                    inflight: at(1)?,
                    delayed: at(2)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((heads, done))
    }

    fn claim_shard(
        &mut self,
        shard: usize,
        want: usize,
        opts: &ClaimOptions,
        acks: &[(String, String)],
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
        ];
        for (id, tok) in acks {
            args.push(id.clone());
            args.push(tok.clone());
        }
        let resent = self.resent;
        let reply = self.invoke(shard, &CLAIM, &args, "claiming a task")?;
        let items = array(reply)?;
        let now = ms_to_time(int(items.first())?);
        let next_retry = int(items.get(1))?;
        let next_expiry = int(items.get(2))?;
        let n_ack = int(items.get(3))? as usize;
        let acked = (0..n_ack)
            .map(|i| int(items.get(4 + i)).map(|f| acked(f, resent)))
            .collect::<Result<Vec<_>>>()?;
        let mut out = ClaimReply {
            now,
            acked,
            next_retry: (next_retry > 0).then(|| ms_to_time(next_retry)),
            next_expiry: (next_expiry > 0).then(|| ms_to_time(next_expiry)),
            ..ClaimReply::default()
        };
        for chunk in items[4 + n_ack..].chunks(3) {
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
                    id,
                    token: token.clone(),
                    reason,
                }),
            }
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
        Ok(woke.is_some())
    }

    /// Extends the leases of tasks still held; one flag per lease, false when it was lost.
    pub fn extend(
        &mut self,
        consumer: &str,
        leases: &[(String, String)],
        lease: Duration,
    ) -> Result<Vec<bool>> {
        self.lease_op(leases, |q, shard, leases| {
            let mut args = vec![
                (lease.as_millis().max(1) as u64).to_string(),
                consumer.to_string(),
            ];
            for (id, tok) in leases {
                args.push(id.clone());
                args.push(tok.clone());
            }
            flags(q.invoke(shard, &EXTEND, &args, "extending a lease")?)
        })
    }

    /// Acknowledges finished tasks; one flag per lease, false when it was lost.
    pub fn ack(&mut self, consumer: &str, leases: &[(String, String)]) -> Result<Vec<bool>> {
        self.lease_op(leases, |q, shard, leases| {
            let mut args = vec![consumer.to_string()];
            for (id, tok) in leases {
                args.push(id.clone());
                args.push(tok.clone());
            }
            let resent = q.resent;
            array(q.invoke(shard, &ACK, &args, "acknowledging a task")?)?
                .iter()
                .map(|f| int(Some(f)).map(|f| acked(f, resent)))
                .collect()
        })
    }

    /// Records a failed attempt: the task is retried after `backoff`, or goes to the dead set
    /// when it is out of attempts or `bury` is set (a task that cannot be read).
    pub fn fail(
        &mut self,
        id: &str,
        token: &str,
        backoff: Duration,
        error: &str,
        bury: bool,
    ) -> Result<Failed> {
        let args = [
            id.to_string(),
            token.to_string(),
            (backoff.as_millis() as u64).to_string(),
            error.to_string(),
            self.dead_cap.to_string(),
            if bury { "1" } else { "0" }.to_string(),
        ];
        let shard = keys::shard_of(id, self.shards.len());
        let resent = self.resent;
        match int(Some(&self.invoke(
            shard,
            &FAIL,
            &args,
            "recording a failure",
        )?))? {
            1 => Ok(Failed::Retry),
            2 => Ok(Failed::Dead),
            3 if resent => Ok(Failed::Retry),
            4 if resent => Ok(Failed::Dead),
            _ => Ok(Failed::LeaseLost),
        }
    }

    /// Hands tasks back at once, at their old place in line, with no attempt counted.
    pub fn release(&mut self, leases: &[(String, String)]) -> Result<Vec<bool>> {
        self.lease_op(leases, |q, shard, leases| {
            let args: Vec<String> = leases
                .iter()
                .flat_map(|(id, tok)| [id.clone(), tok.clone()])
                .collect();
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
                .unwrap_or_else(|| {
                    Task::unreadable(&id, score[..1].parse().unwrap_or(0), attempts)
                });
            out.push((score.parse().unwrap_or(f64::MAX), task));
        }
        Ok(out)
    }

    /// Counts by state over all shards, in one round trip per node of O(log n) commands.
    pub fn lengths(&mut self) -> Result<Lengths> {
        let mut cmds = Vec::new();
        for k in &self.shards {
            for p in Priority::ALL {
                let mut c = redis::cmd("ZCOUNT");
                c.arg(k.pending())
                    .arg(format!("{}000000000000000", p.get()))
                    .arg(format!("({}000000000000000", p.get() + 1));
                cmds.push(c);
            }
            for key in [k.inflight(), k.delayed(), k.dead()] {
                let mut c = redis::cmd("ZCARD");
                c.arg(key);
                cmds.push(c);
            }
        }
        let replies = self
            .query_many("ZCOUNT", cmds)
            .with_context(|| format!("counting tasks of queue '{}'", self.name))?;
        let mut sum = [0u64; 6];
        for chunk in replies.chunks(6) {
            for (s, v) in sum.iter_mut().zip(chunk) {
                *s += int(Some(v))? as u64;
            }
        }
        let [high, medium, low, in_flight, retrying, dead] = sum;
        Ok(Lengths {
            waiting: high + medium + low,
            high,
            medium,
            low,
            in_flight,
            retrying,
            dead,
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
        }
        if self.shards.len() > 1 {
            let key = keys::wake_all(&self.name);
            redis::cmd("DEL")
                .arg(&key)
                .exec(&mut self.conn)
                .map_err(|e| self.explain(0, e, "DEL"))
                .with_context(|| format!("clearing queue '{}'", self.name))?;
        }
        total.removed = total.waiting + total.in_flight + total.retrying + total.dead;
        Ok(total)
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
                    Task::unreadable(&id, 0, attempts)
                }
            };
            out.push(DeadTask {
                task,
                attempts,
                error,
                died_at: ms_to_time(died),
            });
        }
        Ok(out)
    }

    /// Queues dead tasks again with attempts reset; no ids means all. Returns how many.
    pub fn dead_retry(&mut self, ids: &[String]) -> Result<u64> {
        self.dead_op("retry", ids)
    }

    /// Deletes dead tasks for good; no ids means all. Returns how many.
    pub fn dead_purge(&mut self, ids: &[String]) -> Result<u64> {
        self.dead_op("purge", ids)
    }

    fn dead_op(&mut self, op: &str, ids: &[String]) -> Result<u64> {
        let groups: Vec<(usize, Vec<usize>)> = if ids.is_empty() {
            (0..self.shards.len()).map(|s| (s, vec![])).collect()
        } else {
            self.by_shard(ids, |s| s)
        };
        let what = format!("{op} of dead tasks");
        let mut total = 0;
        for (shard, idx) in groups {
            let mut args = vec![op.to_string()];
            args.extend(idx.iter().map(|&i| ids[i].clone()));
            let n = int(Some(&self.invoke(shard, &DEAD, &args, &what)?))? as u64;
            if op == "retry" {
                self.wake_others(shard, n)?;
            }
            total += n;
        }
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
            let fields = |v: &Value| -> Result<Fields> {
                redis::from_redis_value(v.clone())
                    .map_err(|e| anyhow!("unexpected reply from redis: {e}"))
            };
            let c = Counters::parse(now_ms, &fields(&chunk[0])?, &fields(&chunk[1])?);
            total.pushed += c.pushed;
            total.done += c.done;
            total.failed += c.failed;
            total.recovered += c.recovered;
            total.recent_done += c.recent_done;
            total.recent_failed += c.recent_failed;
            for seen in c.consumers {
                match total.consumers.iter_mut().find(|t| t.name == seen.name) {
                    Some(t) => {
                        t.last_seen = t.last_seen.max(seen.last_seen);
                        t.done += seen.done;
                    }
                    None => total.consumers.push(seen),
                }
            }
        }
        total.consumers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(total)
    }

    /// When the task that has waited longest was created: not the next one to be claimed,
    /// which may be a fresh high-priority task while a low one waits for hours. One script call
    /// per shard looks at the first task of each priority (O(log n), no scan).
    pub fn oldest_waiting(&mut self) -> Result<Option<DateTime<Utc>>> {
        let mut oldest: Option<DateTime<Utc>> = None;
        for shard in 0..self.shards.len() {
            for body in array(self.invoke(shard, &OLDEST, &[], "finding the oldest task")?)? {
                let created = opt_string(Some(&body))?
                    .and_then(|b| Task::from_stored("", &b, 0).ok())
                    .map(|t| t.created_at);
                oldest = [oldest, created].into_iter().flatten().min();
            }
        }
        Ok(oldest)
    }
}

fn is_noscript(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<redis::RedisError>()
            .is_some_and(|e| e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript))
    })
}

fn shard_mismatch(name: &str, stored: u32, wanted: u32) -> anyhow::Error {
    UsageError(format!(
        "queue '{name}' is stored with --shards {stored}, not {wanted}; drop --shards (rpq reads \
         it from the queue), or use another --queue"
    ))
    .into()
}

/// A random claim token: 64 bits, hex.
fn new_token() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

fn array(v: Value) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Nil => Ok(vec![]),
        other => bail!("unexpected reply from redis: {other:?}"),
    }
}

fn int(v: Option<&Value>) -> Result<i64> {
    match v {
        Some(Value::Int(i)) => Ok(*i),
        Some(Value::BulkString(b)) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("unexpected reply from redis: expected a number")),
        other => bail!("unexpected reply from redis: expected a number, got {other:?}"),
    }
}

fn opt_string(v: Option<&Value>) -> Result<Option<String>> {
    match v {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::BulkString(b)) => Ok(Some(String::from_utf8_lossy(b).into_owned())),
        Some(Value::SimpleString(s)) => Ok(Some(s.clone())),
        Some(Value::Int(i)) => Ok(Some(i.to_string())),
        other => bail!("unexpected reply from redis: expected a string, got {other:?}"),
    }
}

fn string(v: Option<&Value>) -> Result<String> {
    opt_string(v)?.ok_or_else(|| anyhow!("unexpected reply from redis: missing value"))
}

/// An ack's answer: 1 acknowledged; 2 already finished, which is ours only when this call may
/// repeat one whose reply was lost (else another consumer finished it after our lease expired).
fn acked(flag: i64, resent: bool) -> bool {
    flag == 1 || (flag == 2 && resent)
}

fn flags(v: Value) -> Result<Vec<bool>> {
    array(v)?
        .iter()
        .map(|f| int(Some(f)).map(|f| f == 1))
        .collect()
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
        }
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
            let c = q.claim(&opts, &[]).unwrap().tasks.remove(0);
            assert_eq!(c.task.id, id);
            let r = q
                .fail(&id, &c.token, Duration::ZERO, "boom", false)
                .unwrap();
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
        let keys = q.keys().all().to_vec();
        // tasks, state and dead info (common.lua's layout)
        for key in [&keys[2], &keys[4], &keys[7]] {
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
        let a = q.claim(&opts("c1"), &[]).unwrap().tasks.remove(0);
        let b = q.claim(&opts("c1"), &[]).unwrap().tasks.remove(0);
        assert_eq!((a.task.id.as_str(), b.task.id.as_str()), ("a", "b"));
        let lease = [(a.task.id.clone(), a.token.clone())];
        assert_eq!(
            q.extend("c1", &lease, Duration::from_millis(1)).unwrap(),
            [true]
        );
        // Back in front of c, its first place in line, once its 1 ms lease has run out.
        let limit = std::time::Instant::now() + Duration::from_secs(10);
        let again = loop {
            let mut r = q.claim(&opts("c2"), &[]).unwrap();
            let t = r.tasks.remove(0);
            if t.task.id == "a" {
                break t;
            }
            assert_eq!(t.task.id, "c", "only c waits besides a");
            let back = [(t.task.id.clone(), t.token.clone())];
            assert_eq!(q.release(&back).unwrap(), [true]);
            assert!(std::time::Instant::now() < limit, "a never came back");
        };
        assert_eq!(again.task.attempt, 2);
        assert_eq!(
            q.fail("b", &b.token, Duration::ZERO, "x", false).unwrap(),
            Failed::Retry
        );
        let b2 = q.claim(&opts("c2"), &[]).unwrap().tasks.remove(0);
        assert_eq!((b2.task.id.as_str(), b2.task.attempt), ("b", 2));
        let c = q.claim(&opts("c2"), &[]).unwrap().tasks.remove(0);
        assert_eq!((c.task.id.as_str(), c.task.attempt), ("c", 1));
    }

    /// A call repeated after a reconnect (its reply lost) finds its own work done and says so;
    /// the same answer without a reconnect means someone else did it.
    #[test]
    fn a_resent_call_owns_what_it_finds_done_and_a_fresh_one_does_not() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "resend")).unwrap();
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

        let c = q.claim(&opts, &[]).unwrap().tasks.remove(0);
        let lease = [(c.task.id.clone(), c.token.clone())];
        assert_eq!(q.ack("c", &lease).unwrap(), [true]);
        assert_eq!(q.ack("c", &lease).unwrap(), [false]);
        q.reconnect().unwrap();
        assert_eq!(q.ack("c", &lease).unwrap(), [true]);
        q.reconnect().unwrap();
        let reply = q.claim(&opts, &lease).unwrap();
        assert_eq!(reply.acked, [true], "an ack riding on a resent claim");

        q.push(&[task("f")]).unwrap();
        let c = q.claim(&opts, &[]).unwrap().tasks.remove(0);
        let fail = |q: &mut Queue| q.fail("f", &c.token, Duration::from_secs(60), "x", false);
        assert_eq!(fail(&mut q).unwrap(), Failed::Retry);
        assert_eq!(fail(&mut q).unwrap(), Failed::LeaseLost);
        q.reconnect().unwrap();
        assert_eq!(fail(&mut q).unwrap(), Failed::Retry);
    }

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
}
