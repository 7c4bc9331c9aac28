//! What the server can lose without an error, noticed and said once: an eviction policy that
//! may drop rpq's keys under memory pressure, read when a connection opens (one INFO); and a
//! restart that came back with less than the server had confirmed, told by its run id changing
//! while the queue's arrival sequence or its count of finished tasks went back below what this
//! process saw. A loss is also written into the queue (stats field `lost`), for `rpq stats`.

use super::stored::{Field, LostRecord};
use super::Counters;
use super::Queue;
use crate::conn::Conn;
use crate::log::note;
use crate::log::Event;
use anyhow::{Context, Result};
use redis::Value;
use std::sync::atomic::{AtomicBool, Ordering};

/// Policies that may evict keys without a TTL, which are all of rpq's: a whole task set or
/// queue can vanish. `volatile-*` evict only keys with a TTL, so for rpq they behave like
/// `noeviction` (writes are refused when full, with an error).
const EVICTING: [&str; 3] = ["allkeys-lru", "allkeys-lfu", "allkeys-random"];

/// Each warning is said once per process, however many connections it opens.
static SAID_EVICTION: AtomicBool = AtomicBool::new(false);
static SAID_NO_INFO: AtomicBool = AtomicBool::new(false);
static SAID_LOSS: AtomicBool = AtomicBool::new(false);

/// What one look at the server (INFO) told.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    /// The run ids of the servers behind the connection (every primary of a cluster), sorted:
    /// any of them changing means a restart or a failover.
    pub run_ids: Vec<String>,
    /// The eviction policy; the most dangerous one among a cluster's primaries.
    pub eviction_policy: Option<String>,
}

/// Whether a maxmemory-policy may evict rpq's keys.
pub fn evicts(policy: &str) -> bool {
    EVICTING.contains(&policy)
}

impl ServerInfo {
    pub fn evicts(&self) -> bool {
        self.eviction_policy.as_deref().is_some_and(evicts)
    }
}

/// What this process knows the queue had at least, per shard: the arrival sequence (every push
/// raises it by its size, duplicates included) and the count of finished tasks. Another
/// process only raises the true values, so after a restart a value below these means the
/// server came back without writes it had confirmed.
#[derive(Debug, Clone, Default)]
pub struct Floors {
    pub seq: Vec<u64>,
    pub done: Vec<u64>,
}

/// Reads INFO and returns what matters to rpq; None when the server refuses INFO (an ACL user
/// without +info, a renamed command), which is said once.
pub fn look(conn: &mut Conn, url: &str) -> Option<ServerInfo> {
    let v = match redis::cmd("INFO").query::<Value>(conn) {
        Ok(v) => v,
        Err(e) => {
            if !SAID_NO_INFO.swap(true, Ordering::SeqCst) {
                note(&format!(
                    "cannot check redis at {url} for eviction and restarts (INFO: {}); grant the \
                     user +info, as in the ACL line of rpq's docs/running.md",
                    e.detail().unwrap_or("refused")
                ));
            }
            return None;
        }
    };
    // One server answers with its text; a cluster with a map of node -> text.
    let texts: Vec<String> = match v {
        Value::Map(nodes) => nodes
            .into_iter()
            .filter_map(|(_, t)| redis::from_redis_value::<String>(t).ok())
            .collect(),
        other => redis::from_redis_value::<String>(other)
            .ok()
            .into_iter()
            .collect(),
    };
    let mut info = ServerInfo::default();
    for text in &texts {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        };
        if let Some(id) = field("run_id") {
            info.run_ids.push(id);
        }
        if let Some(p) = field("maxmemory_policy") {
            if info.eviction_policy.is_none() || EVICTING.contains(&p.as_str()) {
                info.eviction_policy = Some(p);
            }
        }
    }
    info.run_ids.sort();
    if info.evicts() && !SAID_EVICTION.swap(true, Ordering::SeqCst) {
        let policy = info.eviction_policy.as_deref().unwrap_or("");
        Event::warn(
            "eviction_policy",
            format!(
                "warning: redis at {url} has maxmemory-policy {policy}: when it reaches \
                 maxmemory it deletes keys, queued tasks and whole queues among them, without \
                 an error; set maxmemory-policy noeviction for a queue"
            ),
        )
        .with("url", url)
        .with("policy", policy)
        .emit();
    }
    Some(info)
}

impl Queue {
    /// Starts watching for a restart that loses data (long-running commands): reads the floors
    /// this process compares with after every reconnect. A user not allowed to read them is
    /// told once, and the command goes on without the watch.
    pub fn watch_losses(&mut self) -> Result<()> {
        match self.read_floors() {
            Ok(f) => self.floors = Some(f),
            Err(e) if e.to_string().contains("NOPERM") => {
                if !SAID_NO_INFO.swap(true, Ordering::SeqCst) {
                    note(&format!(
                        "cannot watch redis for restarts that lose data ({e:#}); grant the user \
                         +get, as in the ACL line of rpq's docs/running.md"
                    ));
                }
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// The arrival sequence and the count of finished tasks of every shard, as they are now:
    /// one HGETALL of each shard's stats hash, where the total `done` lags by up to a minute
    /// behind the seconds' fields (common.lua: count), which `Counters::parse` adds to it.
    fn read_floors(&mut self) -> Result<Floors> {
        let cmds = self
            .shards
            .iter()
            .map(|k| {
                let mut c = redis::cmd("HGETALL");
                c.arg(k.stats());
                c
            })
            .collect();
        let replies = self
            .query_many("HGETALL", cmds)
            .with_context(|| format!("reading the counters of queue '{}'", self.name))?;
        let mut f = Floors::default();
        for reply in replies {
            // A field not there (yet, or any more) counts as zero.
            let fields = Field::all_of(reply)?;
            let seq = fields
                .iter()
                .find(|x| x.name == "seq")
                .and_then(|x| x.value.parse().ok())
                .unwrap_or(0);
            f.seq.push(seq);
            f.done.push(Counters::parse(0, &fields, &[]).done);
        }
        Ok(f)
    }

    /// After a push of `n` tasks to `shard` was confirmed.
    pub(super) fn floor_pushed(&mut self, shard: usize, n: usize) {
        if let Some(f) = self.floors.as_mut() {
            f.seq[shard] += n as u64;
        }
    }

    /// After `n` tasks on `shard` were acknowledged by this process (not found acked before).
    pub(super) fn floor_acked(&mut self, shard: usize, n: usize) {
        if let Some(f) = self.floors.as_mut() {
            f.done[shard] += n as u64;
        }
    }

    /// Called after a reconnect, with what the new connection's INFO said: when the server is
    /// another run than before and the queue's counters went back below the floors, says once
    /// what was lost and records it in the queue for `rpq stats`.
    pub(super) fn check_restart(&mut self, before: Option<ServerInfo>) -> Result<()> {
        let (Some(before), Some(now)) = (before, self.server.clone()) else {
            return Ok(());
        };
        if before.run_ids == now.run_ids || self.floors.is_none() {
            return Ok(());
        }
        let floors = self.floors.clone().unwrap_or_default();
        let found = self.read_floors()?;
        let behind = |had: &[u64], has: &[u64]| -> u64 {
            had.iter().zip(has).map(|(a, b)| a.saturating_sub(*b)).sum()
        };
        let pushes = behind(&floors.seq, &found.seq);
        let acks = behind(&floors.done, &found.done);
        // From here on the server's values are what later losses are measured against.
        self.floors = Some(Floors {
            seq: floors
                .seq
                .iter()
                .zip(&found.seq)
                .map(|(a, b)| *a.max(b))
                .collect(),
            done: floors
                .done
                .iter()
                .zip(&found.done)
                .map(|(a, b)| *a.max(b))
                .collect(),
        });
        if pushes == 0 && acks == 0 {
            return Ok(());
        }
        let ms = self.server_ms()?;
        redis::cmd("HSET")
            .arg(self.shards[0].stats())
            .arg("lost")
            .arg(LostRecord::format(ms, pushes, acks))
            .query::<()>(&mut self.conn)
            .map_err(|e| self.explain(0, e, "HSET"))
            .with_context(|| format!("recording a loss on queue '{}'", self.name))?;
        if !SAID_LOSS.swap(true, Ordering::SeqCst) {
            Event::warn(
                "writes_lost",
                format!(
                    "warning: redis at {} restarted and came back without writes it had \
                     confirmed: {pushes} push(es) and {acks} acknowledgement(s) on queue '{}' \
                     are gone, so tasks may be missing and finished ones may run again; only \
                     appendonly yes with appendfsync always keeps them (see \
                     \"What Redis can lose\" in rpq's docs/guarantees.md)",
                    self.cfg.display_url(),
                    self.name
                ),
            )
            .with("url", self.cfg.display_url())
            .with("pushes", pushes)
            .with("acks", acks)
            .emit();
        }
        Ok(())
    }
}
