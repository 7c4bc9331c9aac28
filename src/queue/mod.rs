//! The queue: its lifecycle (open, reconnect, the stored shard count), push, and the lease
//! operations (extend, look, ack, fail, release). Every step that touches more than one key is
//! one Lua script (`lua/`), so it is atomic on the server; this module and its siblings turn Rust
//! calls into script calls and replies into types, and own no policy about output or retries.
//!
//! Where things live: `claim` claiming and waiting for work, `counts` counts by state, counters
//! and the stats snapshot, `clear` emptying and removing a queue, `dead` the dead letters, `time`
//! aging and schedules, `inspect` the operations on tasks by id and by state (and peek),
//! `controls` pauses and limits, `results` kept results. `keys` the key layout, `score` the
//! pending-score encoding, `script` the scripts and the one way to call them (EVALSHA, EVAL on
//! NOSCRIPT) with reply decoding, `shards` the fan-out over a sharded queue and its claim order,
//! `types` the public data. `losses` what the server can lose (an evicting policy, a restart
//! that came back with less).

pub mod bulk;
mod claim;
mod clear;
mod controls;
mod counts;
mod ctl;
pub use ctl::{CtlInfo, CtlOp, CtlReply};
pub mod ctl_bounds {
    pub use super::ctl::{
        cut, CHECKPOINTS, LOG_LINES, LOG_LINE_BYTES, NAME_BYTES, ONCE_KEYS, SPAWNS, TTL,
        VALUE_BYTES,
    };
}
mod dead;
mod flows;
pub use flows::UnknownParent;
mod flowgraph;
pub use flowgraph::FlowGraph;
pub mod events;
mod groups;
pub use groups::{group_shard, place, GroupBacklog, GroupInfo, GroupsSummary, OtherGroups};
pub mod history;
mod inspect;
pub mod keys;
mod losses;
pub mod migrate;
mod registry;
mod results;
pub mod webhooks;
pub use results::{KeepAck, WAIT_SLICE};
pub mod score;
mod script;
pub use script::FireCode;
mod shards;
pub(crate) mod stored;
mod time;
mod types;
pub mod usage;

pub use losses::evicts;
pub use types::*;

use crate::config::Config;
use crate::conn::{self, Conn};
use crate::error::{LayoutError, UsageError};
use crate::task::{ms_to_time, Due, NewTask};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use keys::Keys;
use rand::Rng;
use script::{array, flags, int, AckCode, ExtendCode, PushCode};
use script::{ACK, EXTEND, PUSH, RELEASE};
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
    /// This Queue's name for layout 2's receipts: random. Layout 3 keeps none (common.lua:
    /// taken); the scripts still take it in its place of their ARGV, and read nothing there.
    instance: String,
    /// The leases this Queue marked delivered (`extend_delivering`), as "id\ttoken": their
    /// marks in `taken` go with their acks, which the fast claim is told of (claim_fast.lua,
    /// ARGV[7]); bounded, as a mark left over is pruned a day after anyway.
    marked: std::collections::HashSet<String>,
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
    /// looks at the head of the tasks held back by limits (`limited`).
    controlled: bool,
    /// Whether this process knows the queue's events are on (issue 26): its scripts that write
    /// events are then given each shard's stream (`script::EMITTERS`); a push or claim sent
    /// without it to a queue whose events are on refuses before it changes anything, and sets
    /// this.
    events: bool,
    /// groups (issue 23): a shard of this queue has groups, so its push and claim go with
    /// groups.lua and its keys (`Queue::invoke_with`); set by a grouped push or a refusal.
    grouped: bool,
    /// Whether a claim found that the queue has flows (issue 24): its claims then go with
    /// flows.lua and every key (`invoke`), as those of a queue with controls.
    flows: bool,
    /// Other queues of the server this one's flows reach (flows across queues), opened once.
    others: std::collections::HashMap<String, Queue>,
    /// Whether a claim of this process ever found flows on a shard: acks outside a claim then
    /// look at their shard's outbox (`outbox_watch`).
    flows_seen: bool,
    /// Whether this process looked for group weights set before the flag letter 'w'
    /// (`flag_old_weights`).
    weights_looked: bool,
    /// Per shard, until when (by this process's clock) its claims may go as claim_fast.lua, as
    /// the last claim's reply said (issue 15); None: as claim.lua. A claim_fast that finds
    /// more to do refuses before it changes anything, so a guess that is late costs a round
    /// trip, never a wrong claim.
    fast: Vec<Option<std::time::Instant>>,
    /// Per shard, whether a fast claim goes as the lean one first (claim_lean.lua, layout 3's
    /// step 5), which a shard with groups, events, flows, controls or aging refuses: that is
    /// remembered a while, so such a shard does not pay two round trips a claim.
    lean: Vec<claim::Lean>,
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
        Queue::open_checked(cfg, true)
    }

    /// As `open`, for a command about the server rather than the queue of the config (`rpq
    /// queues`): a queue of another layout there is no reason to refuse the listing, which
    /// names such a queue itself.
    pub fn open_server(cfg: &Config) -> Result<Queue> {
        Queue::open_checked(cfg, false)
    }

    fn open_checked(cfg: &Config, layout: bool) -> Result<Queue> {
        let mut conn = conn::open(cfg)?;
        let name = cfg.queue.clone();
        let (stored, n) = match stored_shards(&mut conn, &name, cfg.shards) {
            Err(e) if !layout && e.is::<LayoutError>() => (None, 1),
            r => r?,
        };
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
            marked: Default::default(),
            dead_cap: DEAD_CAP,
            existed: stored.is_some(),
            server,
            floors: None,
            controlled: false,
            events: false,
            grouped: false,
            flows: false,
            others: Default::default(),
            flows_seen: false,
            weights_looked: false,
            fast: vec![None; n.max(1) as usize],
            lean: vec![claim::Lean::Try; n.max(1) as usize],
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

    /// Runs `f` with `instance` as this Queue's name for its receipts, then puts its own back:
    /// `rpq serve` settles leases for HTTP consumers on pooled connections, so a replayed call
    /// must find the receipt of its consumer, not of whichever connection ran the first.
    pub fn as_instance<T>(
        &mut self,
        instance: &str,
        f: impl FnOnce(&mut Queue) -> Result<T>,
    ) -> Result<T> {
        let own = std::mem::replace(&mut self.instance, instance.to_string());
        let out = f(self);
        self.instance = own;
        out
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
    pub(crate) fn pin(&mut self) -> Result<()> {
        if self.pinned {
            return Ok(());
        }
        let meta = keys::meta(&self.name);
        let n = self.shards.len() as u32;
        // The layout first: a meta without it is a queue of layout 1. Then the tags: a meta
        // with a shard count and no tags is a queue of the old shard tags.
        let (_, _, stored, layout): (i64, i64, u32, Option<String>) = redis::pipe()
            .cmd("HSETNX")
            .arg(&meta)
            .arg(keys::LAYOUT_FIELD)
            .arg(keys::LAYOUT_VERSION)
            .ignore()
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
            .cmd("HGET")
            .arg(&meta)
            .arg(keys::LAYOUT_FIELD)
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "HSETNX"))
            .with_context(|| format!("storing the settings of queue '{}'", self.name))?;
        let layout = layout.unwrap_or_else(|| "1".into());
        if layout != keys::LAYOUT_VERSION.to_string() {
            return Err(other_layout(&self.name, &layout));
        }
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
            self.lean = vec![claim::Lean::Try; n];
            self.seen = vec![Seen::default(); n];
            self.floors = None;
        }
        self.pinned = true;
        self.existed = true;
        Ok(true)
    }

    /// Queues tasks; per task, when its shard's server took it and a flag, true when queued,
    /// false when its id was known already (also when it is done and its result kept:
    /// `push_detailed` tells the two apart).
    pub fn push(&mut self, tasks: &[NewTask]) -> Result<(Vec<DateTime<Utc>>, Vec<bool>)> {
        let (created, pushed) = self.push_detailed(tasks)?;
        Ok((
            created,
            pushed.iter().map(|p| *p == Pushed::Queued).collect(),
        ))
    }

    /// Queues tasks, saying for each whether it was queued, its id was known, or a task of its
    /// id is done and its result kept (the worker runtime, issue 11).
    /// The times are each shard's own clock: the shards of a batch are pushed one after the
    /// other (on a cluster, by different servers), and a task's printed creation and due times
    /// are the ones stored with it.
    pub fn push_detailed(
        &mut self,
        tasks: &[NewTask],
    ) -> Result<(Vec<DateTime<Utc>>, Vec<Pushed>)> {
        if tasks.is_empty() {
            return Ok((vec![], vec![]));
        }
        let grouped = tasks.iter().any(|t| t.group.is_some());
        self.check_placed(tasks)?;
        self.grouped |= grouped;
        self.pin()?;
        self.check_flows(tasks)?;
        // flows: a parent on another shard is named as one of another queue is.
        let converted = self.cross_shard(tasks);
        let tasks: &[NewTask] = &converted;
        self.look_remote(tasks)?;
        let mut created = vec![DateTime::<Utc>::UNIX_EPOCH; tasks.len()];
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
                created[i] = c;
            }
            let queued = flags.iter().filter(|f| **f == Pushed::Queued).count() as u64;
            for (i, f) in idx.into_iter().zip(flags) {
                out[i] = f;
            }
            self.wake_others(shard, queued)?;
        }
        self.link_remote(tasks, &out)?;
        Ok((created, out))
    }

    /// Refuses a grouped task whose id is not on its group's shard.
    pub(super) fn check_placed(&self, tasks: &[NewTask]) -> Result<()> {
        if tasks.iter().any(|t| t.group.is_some()) && self.shards.len() > 1 {
            // A group lives on one shard (docs/groups.md): its tasks' ids must fall there, as
            // `place` draws them; a task that was not placed is refused, nothing pushed.
            let n = self.shards.len();
            for t in tasks {
                let Some(g) = t.group.as_deref() else {
                    continue;
                };
                if keys::shard_of(&t.id, n) == group_shard(g, n) {
                    continue;
                }
                if let Err(why) = place(&mut t.clone(), n) {
                    return Err(UsageError(why).into());
                }
                anyhow::bail!(
                    "task '{}' of group '{g}' was not placed on its group's shard before its \
                     push (a bug of rpq: Queue::place)",
                    t.id
                );
            }
        }
        Ok(())
    }

    fn push_shard(
        &mut self,
        shard: usize,
        tasks: &[&NewTask],
    ) -> Result<(DateTime<Utc>, Vec<Pushed>)> {
        if tasks.iter().any(|t| t.after.is_some()) {
            return self.push_flow(shard, tasks);
        }
        let (results, args) = self.push_args(shard, tasks);
        // After a lost reply, an id found already queued was most likely queued by that push.
        let resent = self.resent;
        let reply = self.invoke_with(shard, &PUSH, &results, &args, "pushing tasks")?;
        self.push_reply(reply, tasks.len(), resent)
    }

    /// push.lua's keys after the layout's (or groups.lua's) and its ARGV, for `tasks` of
    /// `shard`.
    pub(super) fn push_args(&self, shard: usize, tasks: &[&NewTask]) -> (Vec<String>, Vec<String>) {
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
                    // push.lua's debounce.lua: '~' the last payload wins, '^' the first.
                    Due::Debounce { by, keep_first } => {
                        format!("{}{}", if keep_first { '^' } else { '~' }, by.as_millis())
                    }
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
        (results, args)
    }

    /// push.lua's reply: the created time and what became of each of the `n` tasks.
    pub(super) fn push_reply(
        &mut self,
        reply: redis::Value,
        n: usize,
        resent: bool,
    ) -> Result<(DateTime<Utc>, Vec<Pushed>)> {
        let items = array(reply)?;
        let created = ms_to_time(int(items.first())?);
        let mut done_at = items.iter().skip(1 + n);
        let flags = items
            .iter()
            .skip(1)
            .take(n)
            .map(|v| {
                Ok(match PushCode::from_reply(v)? {
                    PushCode::Queued => Pushed::Queued,
                    PushCode::Done => Pushed::Done(ms_to_time(int(done_at.next())?)),
                    PushCode::Known if resent => Pushed::Queued,
                    PushCode::Known => Pushed::Known,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // The first push a queue counts: it was just created, or removed (`queues remove`)
        // while this producer ran; its settings go back with it, or its tasks would wait in a
        // queue that no consumer or listing can see.
        if int(items.last())? == 1 {
            self.pinned = false;
            self.pin()?;
        }
        Ok((created, flags))
    }

    /// Extends the leases of tasks still held; one state per lease: held (and extended), lost,
    /// or cancelled (the task is gone then).
    pub fn extend<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
        lease: Duration,
    ) -> Result<Vec<LeaseState>> {
        self.extend_or_look(consumer, leases, lease.as_millis().max(1) as u64, false)
    }

    /// Extends the leases and marks them delivered, before their `done` lines are written ahead
    /// of their acks (stdout a pipe, issue 19): should this consumer die before it acks, lease
    /// recovery finishes them as done instead of running them again (extend.lua).
    pub fn extend_delivering<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
        lease: Duration,
    ) -> Result<Vec<LeaseState>> {
        self.extend_or_look(consumer, leases, lease.as_millis().max(1) as u64, true)
    }

    /// Whether the leases are still held, without extending them: cheap enough for every half
    /// second, which is how a consumer learns at once that a task in hand was cancelled.
    pub fn look<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
    ) -> Result<Vec<LeaseState>> {
        self.extend_or_look(consumer, leases, 0, false)
    }

    fn extend_or_look<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        leases: &[L],
        lease_ms: u64,
        mark: bool,
    ) -> Result<Vec<LeaseState>> {
        let what = if lease_ms == 0 {
            "looking at a lease"
        } else {
            "extending a lease"
        };
        if mark {
            if self.marked.len() > MARKED_CAP {
                self.marked.clear();
            }
            for l in leases.iter().map(AsRef::as_ref) {
                self.marked.insert(format!("{}\t{}", l.id, l.token));
            }
        }
        self.lease_op(leases, |q, shard, leases| {
            let mark = if mark { "1" } else { "" };
            let mut args = vec![lease_ms.to_string(), consumer.to_string(), mark.to_string()];
            push_leases(&mut args, leases);
            array(q.invoke(shard, &EXTEND, &args, what)?)?
                .iter()
                .map(|v| Ok(ExtendCode::from_reply(v)?.into()))
                .collect()
        })
    }

    /// Acknowledges finished tasks; one flag per lease, false when it was lost.
    pub fn ack<L: AsRef<Lease>>(&mut self, consumer: &str, leases: &[L]) -> Result<Vec<bool>> {
        self.lease_op(leases, |q, shard, leases| {
            let owed = q.take_seen(shard, consumer);
            let mut args = vec![consumer.to_string(), q.instance.clone(), owed];
            push_leases(&mut args, leases);
            let mut replies = array(q.invoke(shard, &ACK, &args, "acknowledging a task")?)?;
            let wrote = flows::outbox_written(&mut replies);
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
            // flows across queues: what the ack wrote to the outbox goes on now.
            if wrote || q.outbox_watch() {
                q.move_outbox_quietly(shard);
            }
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

    /// What is known of an unreadable task out of flight (dead or retrying): its priority,
    /// from the place in line its record begins with (0 when that is gone too: a bare body).
    /// One round trip, only ever for a task whose body cannot be read.
    pub fn known_priority(&mut self, id: &str) -> Result<u8> {
        let shard = keys::shard_of(id, self.shards.len());
        let record: Option<Vec<u8>> = redis::cmd("HGET")
            .arg(self.shards[shard].tasks())
            .arg(id)
            .query(&mut self.conn)
            .map_err(|e| self.explain(shard, e, "HGET"))
            .with_context(|| format!("reading task {id} of queue '{}'", self.name))?;
        Ok(record
            .as_deref()
            .and_then(|r| r.get(..16))
            .filter(|p| p.iter().all(u8::is_ascii_digit))
            .map_or(0, |p| score::priority_of(&String::from_utf8_lossy(p))))
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
    // The old shard tags are older than any layout number, and have their own way out.
    if stored.is_some_and(|n| n > 1) && tags != Some(&keys::SHARD_SEP.to_string()) {
        return Err(old_shard_tags(name, stored.unwrap_or(0)));
    }
    // Before anything is written, so that no command writes to a queue of another layout.
    if !meta.is_empty() {
        let layout = meta.get(keys::LAYOUT_FIELD).map_or("1", String::as_str);
        if layout != keys::LAYOUT_VERSION.to_string() {
            return Err(other_layout(name, layout));
        }
    }
    let n = match (stored, wanted) {
        (Some(s), Some(w)) if s != w => return Err(shard_mismatch(name, s, w)),
        (Some(s), _) => s,
        (None, w) => w.unwrap_or(1),
    };
    Ok((stored, n))
}

/// A queue whose `meta` names another stored layout than `keys::LAYOUT_VERSION` (none: 1, a
/// queue made by an rpq from before layouts had numbers); docs/layout-v2.md has the line.
pub(super) fn other_layout(name: &str, stored: &str) -> anyhow::Error {
    let v = keys::LAYOUT_VERSION;
    // A stored value is anything a hand or another program wrote: shown, never trusted.
    let stored: String = stored
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(20)
        .collect();
    // A script of this layout that meets `layout N` of its own N in the checks: a fold to this
    // layout (rpq migrate from 3) is marked on the shard and not finished.
    if stored == v.to_string() {
        return LayoutError(format!(
            "queue '{name}' is being moved to layout {v} by `rpq migrate`, which has not \
             finished: run `rpq migrate --queue {name}` to finish it (docs/layout-v2.md)"
        ))
        .into();
    }
    let older = stored.parse::<u32>().is_ok_and(|n| n < v);
    let fix = if older {
        format!("run `rpq migrate --queue {name}` (docs/layout-v2.md)")
    } else {
        format!("use an rpq that reads layout {stored}")
    };
    LayoutError(format!(
        "queue '{name}' has stored layout {stored}; this rpq reads layout {v}: {fix}"
    ))
    .into()
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

/// How many marked leases a Queue remembers (`marked`).
const MARKED_CAP: usize = 100_000;

/// Whether any of `acks` was marked delivered by `marked` (forgotten there: each is acked once).
fn take_marked<L: AsRef<Lease>>(
    marked: &mut std::collections::HashSet<String>,
    acks: &[L],
) -> bool {
    if marked.is_empty() {
        return false;
    }
    // Every one forgotten, not only up to the first (so no `any`).
    let mut any = false;
    for l in acks.iter().map(AsRef::as_ref) {
        any |= marked.remove(&format!("{}\t{}", l.id, l.token));
    }
    any
}

/// A random claim token: 64 bits, hex.
fn new_token() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::RedisServer;
    use crate::task::Priority;

    fn task(id: &str) -> NewTask {
        NewTask {
            after: None,
            id: id.to_string(),
            kind: "t".into(),
            priority: Priority::MEDIUM,
            payload: serde_json::Value::Null,
            when: crate::task::When::NOW,
            settings: Default::default(),
            named: true,
            trace: None,
            group: None,
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
        // Trimmed tasks leave nothing behind: their records (with the head, the error) gone,
        // and nothing written to the hashes of layout 3 (state, dead:info).
        let keys = q.keys().clone();
        for (key, want) in [(keys.tasks(), 3), (keys.state(), 0), (keys.dead_info(), 0)] {
            let n: u64 = redis::cmd("HLEN").arg(key).query(q.conn()).unwrap();
            assert_eq!(n, want, "{key}");
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

    /// A call repeated after a lost reply finds its own work done and says so (its lease gone,
    /// and not taken from it: common.lua, taken); a consumer whose lease expired and whose task
    /// another finished does not, even after a reconnect (which once made any finished task
    /// count as one's own).
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
        // Nothing of it is written on the common path: `taken` holds only what recovery took.
        let taken: u64 = redis::cmd("HLEN")
            .arg(q.keys().taken())
            .query(q.conn())
            .unwrap();
        assert_eq!(taken, 1, "the lease of x, taken by recovery");
    }
}
