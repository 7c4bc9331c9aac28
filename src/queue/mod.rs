//! The queue: push, claim, extend, ack, fail, release, peek, len, clear, dead letters.
//! Every step that touches more than one key is one Lua script (`lua/`), so it is atomic on the
//! server; this module turns Rust calls into script calls and replies into types, and owns no
//! policy about output or retries of its own.

pub mod keys;

use crate::config::Config;
use crate::conn::{self, Conn};
use crate::task::{ms_to_time, NewTask, Priority, Task};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use keys::Keys;
use rand::Rng;
use redis::{Script, Value};
use serde::Serialize;
use std::sync::LazyLock;
use std::time::Duration;

macro_rules! script {
    ($file:literal) => {
        LazyLock::new(|| {
            Script::new(concat!(
                include_str!("lua/common.lua"),
                "\n",
                include_str!(concat!("lua/", $file))
            ))
        })
    };
}

static PUSH: LazyLock<Script> = script!("push.lua");
static CLAIM: LazyLock<Script> = script!("claim.lua");
static EXTEND: LazyLock<Script> = script!("extend.lua");
static ACK: LazyLock<Script> = script!("ack.lua");
static FAIL: LazyLock<Script> = script!("fail.lua");
static RELEASE: LazyLock<Script> = script!("release.lua");
static PEEK: LazyLock<Script> = script!("peek.lua");
static CLEAR: LazyLock<Script> = script!("clear.lua");
static DEAD: LazyLock<Script> = script!("dead.lua");

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
    shards: Vec<Keys>,
    /// Set by `reconnect` until the next reply: the call now may repeat one whose reply was
    /// lost, so an ack that finds its task already finished may well be its own.
    resent: bool,
    /// `DEAD_CAP`; smaller in tests of the trimming.
    dead_cap: u64,
}

impl Queue {
    /// Connects to the queue named in the config.
    pub fn open(cfg: &Config) -> Result<Queue> {
        let conn = conn::open(cfg)?;
        let name = cfg.queue.clone();
        Ok(Queue {
            cfg: cfg.clone(),
            conn,
            shards: vec![Keys::new(&name, 0)],
            name,
            resent: false,
            dead_cap: DEAD_CAP,
        })
    }

    /// Drops the connection and opens a new one (after a restart or a network cut). Scripts are
    /// reloaded on first use, since `Script` falls back to SCRIPT LOAD on NOSCRIPT.
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

    /// The raw connection, for callers that need a plain command (PING, INFO) of their own.
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    fn keys(&self) -> &Keys {
        &self.shards[0]
    }

    fn invoke(&mut self, script: &Script, args: &[String], what: &str) -> Result<Value> {
        let mut inv = script.prepare_invoke();
        for k in self.shards[0].all() {
            inv.key(k);
        }
        for a in args {
            inv.arg(a);
        }
        let reply = inv.invoke::<Value>(&mut self.conn);
        if reply.is_ok() {
            self.resent = false;
        }
        reply
            .map_err(|e| self.explain(e))
            .with_context(|| format!("{what} on queue '{}'", self.name))
    }

    /// A WRONGTYPE error does not say which key; find it, so the user can look at it.
    fn explain(&mut self, e: redis::RedisError) -> anyhow::Error {
        // A pipeline reports its failures in one error, so look at the text as well.
        if e.code() != Some("WRONGTYPE") && !e.to_string().contains("WRONGTYPE") {
            return e.into();
        }
        let expected = [
            "zset", "zset", "hash", "hash", "hash", "zset", "zset", "hash", "hash", "list",
            "string", "hash",
        ];
        let keys = self.keys().all().to_vec();
        for (key, want) in keys.iter().zip(expected) {
            let t: String = redis::cmd("TYPE")
                .arg(key)
                .query(&mut self.conn)
                .unwrap_or_default();
            if t != "none" && t != want {
                return anyhow!(
                    "key {key} holds a {t}, not the {want} rpq keeps there; \
                     rename or delete it, or use another --queue"
                );
            }
        }
        e.into()
    }

    /// Pushes tasks in one round trip. Returns when they were created and, per task, whether it
    /// was queued (false: its id was already known, and this was no resend after a lost reply).
    pub fn push(&mut self, tasks: &[NewTask]) -> Result<(DateTime<Utc>, Vec<bool>)> {
        if tasks.is_empty() {
            return Ok((Utc::now(), vec![]));
        }
        let mut args: Vec<String> = Vec::with_capacity(1 + tasks.len() * 3);
        args.push(tasks.len().to_string());
        for t in tasks {
            args.push(t.id.clone());
            args.push(t.priority.get().to_string());
            args.push(t.body());
        }
        // After a lost reply, an id found already queued was most likely queued by that push.
        let resent = self.resent;
        let reply = self.invoke(&PUSH, &args, "pushing tasks")?;
        let items = array(reply)?;
        let created = ms_to_time(int(items.first())?);
        let flags = items[1..]
            .iter()
            .map(|v| int(Some(v)).map(|f| f == 1 || resent))
            .collect::<Result<Vec<_>>>()?;
        Ok((created, flags))
    }

    /// Acknowledges `acks` (id, token) and leases up to `opts.count` tasks, in one round trip.
    /// Expired leases and due retries are recovered on the way, a few per call.
    pub fn claim(&mut self, opts: &ClaimOptions, acks: &[(String, String)]) -> Result<ClaimReply> {
        let token = new_token();
        let lease_ms = opts.lease.as_millis().max(1) as u64;
        let mut args: Vec<String> = vec![
            lease_ms.to_string(),
            opts.count.max(1).to_string(),
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
        let reply = self.invoke(&CLAIM, &args, "claiming a task")?;
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
    pub fn wait_for_work(&mut self, timeout: Duration) -> Result<bool> {
        let secs = timeout.as_secs_f64().clamp(0.01, 1.0);
        let wake = self.keys().wake().to_string();
        let woke: Option<(String, String)> = redis::cmd("BLPOP")
            .arg(&wake)
            .arg(format!("{secs:.3}"))
            .query(&mut self.conn)
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
        let mut args = vec![
            (lease.as_millis().max(1) as u64).to_string(),
            consumer.to_string(),
        ];
        for (id, tok) in leases {
            args.push(id.clone());
            args.push(tok.clone());
        }
        flags(self.invoke(&EXTEND, &args, "extending a lease")?)
    }

    /// Acknowledges finished tasks; one flag per lease, false when it was lost.
    pub fn ack(&mut self, consumer: &str, leases: &[(String, String)]) -> Result<Vec<bool>> {
        let mut args = vec![consumer.to_string()];
        for (id, tok) in leases {
            args.push(id.clone());
            args.push(tok.clone());
        }
        let resent = self.resent;
        array(self.invoke(&ACK, &args, "acknowledging a task")?)?
            .iter()
            .map(|f| int(Some(f)).map(|f| acked(f, resent)))
            .collect()
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
        let resent = self.resent;
        match int(Some(&self.invoke(&FAIL, &args, "recording a failure")?))? {
            1 => Ok(Failed::Retry),
            2 => Ok(Failed::Dead),
            3 if resent => Ok(Failed::Retry),
            4 if resent => Ok(Failed::Dead),
            _ => Ok(Failed::LeaseLost),
        }
    }

    /// Hands tasks back at once, at their old place in line, with no attempt counted.
    pub fn release(&mut self, leases: &[(String, String)]) -> Result<Vec<bool>> {
        let args: Vec<String> = leases
            .iter()
            .flat_map(|(id, tok)| [id.clone(), tok.clone()])
            .collect();
        flags(self.invoke(&RELEASE, &args, "releasing a task")?)
    }

    /// The next `n` tasks in claim order, untouched. Unreadable bodies are shown with a null
    /// payload and type "?" rather than hidden, so peek never lies about what is next.
    pub fn peek(&mut self, n: usize) -> Result<Vec<Task>> {
        if n == 0 {
            return Ok(vec![]);
        }
        let reply = self.invoke(&PEEK, &[n.to_string()], "peeking")?;
        let items = array(reply)?;
        let mut out = Vec::with_capacity(items.len() / 4);
        for chunk in items.chunks(4) {
            let id = string(chunk.first())?;
            let score = string(chunk.get(1))?;
            let body = opt_string(chunk.get(2))?;
            let attempts = int(chunk.get(3))? as u32;
            let task = body
                .and_then(|b| Task::from_stored(&id, &b, attempts).ok())
                .unwrap_or_else(|| Task {
                    id: id.clone(),
                    kind: "?".into(),
                    priority: score[..1].parse().unwrap_or(0),
                    payload: serde_json::Value::Null,
                    created_at: ms_to_time(0),
                    attempt: attempts,
                });
            out.push(task);
        }
        Ok(out)
    }

    /// Counts by state, in one round trip of O(log n) commands.
    pub fn lengths(&mut self) -> Result<Lengths> {
        let k = self.keys().clone();
        let mut pipe = redis::pipe();
        for p in Priority::ALL {
            let lo = format!("{}000000000000000", p.get());
            let hi = format!("({}000000000000000", p.get() + 1);
            pipe.cmd("ZCOUNT").arg(k.pending()).arg(lo).arg(hi);
        }
        pipe.cmd("ZCARD").arg(k.inflight());
        pipe.cmd("ZCARD").arg(k.delayed());
        pipe.cmd("ZCARD").arg(k.dead());
        let (high, medium, low, in_flight, retrying, dead): (u64, u64, u64, u64, u64, u64) = pipe
            .query(&mut self.conn)
            .map_err(|e| self.explain(e))
            .with_context(|| format!("counting tasks of queue '{}'", self.name))?;
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
        let items = array(self.invoke(&CLEAR, &[], "clearing")?)?;
        let n = |i: usize| int(items.get(i)).map(|v| v as u64);
        let (waiting, in_flight, retrying, dead) = (n(0)?, n(1)?, n(2)?, n(3)?);
        Ok(Cleared {
            removed: waiting + in_flight + retrying + dead,
            waiting,
            in_flight,
            retrying,
            dead,
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
            }
            cmd.query::<()>(&mut self.conn)
                .with_context(|| format!("deleting queue '{}'", self.name))?;
        }
        Ok(())
    }

    /// Dead tasks, oldest first.
    pub fn dead_list(&mut self, offset: usize, limit: usize) -> Result<Vec<DeadTask>> {
        let args = ["list".to_string(), offset.to_string(), limit.to_string()];
        let items = array(self.invoke(&DEAD, &args, "listing dead tasks")?)?;
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
                    Task {
                        id: id.clone(),
                        kind: "?".into(),
                        priority: 0,
                        payload: serde_json::Value::Null,
                        created_at: ms_to_time(0),
                        attempt: attempts,
                    }
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
        let mut args = vec![op.to_string()];
        args.extend(ids.iter().cloned());
        let what = format!("{op} of dead tasks");
        Ok(int(Some(&self.invoke(&DEAD, &args, &what)?))? as u64)
    }

    /// Counters and consumers, for `stats`: two small hashes and the server's clock, never a
    /// look at the tasks themselves.
    pub fn counters(&mut self) -> Result<Counters> {
        let k = self.keys().clone();
        type Fields = Vec<(String, String)>;
        let ((secs, micros), stats, consumers): ((i64, i64), Fields, Fields) = redis::pipe()
            .cmd("TIME")
            .cmd("HGETALL")
            .arg(k.stats())
            .cmd("HGETALL")
            .arg(k.consumers())
            .query(&mut self.conn)
            .map_err(|e| self.explain(e))
            .with_context(|| format!("reading counters of queue '{}'", self.name))?;
        Ok(Counters::parse(
            secs * 1000 + micros / 1000,
            &stats,
            &consumers,
        ))
    }

    /// The age of the oldest waiting task, by its created time.
    pub fn oldest_waiting(&mut self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.peek(1)?.first().map(|t| t.created_at))
    }
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
            ("pruned_at", "123"),
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
