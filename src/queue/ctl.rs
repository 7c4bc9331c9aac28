//! Handlers that talk back (issue 25): the queue's side of `rpq ctl`. Each verb is one call of
//! `lua/ctl_op.lua` on the task's control hash (`Keys::ctl`), fenced by the claim's token (the
//! lease question is `lua/ctl_lease.lua`'s alone); the ack of a task that used ctl is
//! `lua/ctl_ack.lua`, which queues the children its attempt staged with the ack; and the one
//! reader of the control hash (`CtlInfo`) for `show`, `list` and the API. Nothing here knows of
//! sockets or handlers: that is `consumer::control`.

use super::keys;
use super::script::{array, int, AckCode, CTL_ACK, CTL_OP, CTL_SWEEP};
use super::{Lease, Queue};
use crate::task::NewTask;
use anyhow::{Context, Result};
use redis::Value;
use serde::Serialize;
use std::time::Duration;

/// The bounds of a control hash, as `lua/ctl_lease.lua` has them (a test holds the two
/// together): lines of log kept, checkpoints, once-keys and children staged per task.
pub const LOG_LINES: usize = 100;
pub const CHECKPOINTS: usize = 64;
pub const ONCE_KEYS: usize = 1000;
pub const SPAWNS: usize = 1000;
/// A control hash that nothing deleted (its consumer killed, the task never run again) goes
/// this long after its last write.
pub const TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// Control hashes looked at by one call of ctl_sweep.lua.
const SWEEP_BATCH: usize = 500;
/// A line of log is cut at this many bytes (at a character's boundary).
pub const LOG_LINE_BYTES: usize = 1000;
/// A progress message, a checkpoint's key or a once-key is cut, or refused, past this.
pub const NAME_BYTES: usize = 200;
/// A checkpoint's value.
pub const VALUE_BYTES: usize = 64 * 1024;

/// One verb of `rpq ctl` that goes to Redis (`extend` is the lease's own: `Queue::extend`;
/// `retry-after` is the consumer's).
#[derive(Debug, Clone)]
pub enum CtlOp {
    Progress(u8, String),
    Log(Vec<String>),
    Set(String, Vec<u8>),
    Get(String),
    Once(String),
    Spawn(Box<NewTask>),
}

/// What ctl_op.lua answered; its codes are `CTL_*` in ctl_lease.lua.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CtlReply {
    /// Done; `get` carries the checkpoint's value (None: never set).
    Ok(Option<Vec<u8>>),
    /// The lease does not hold: another consumer has the task, or its deadline passed.
    Lost,
    /// `once`: an earlier attempt (this number) claimed the key.
    Already(u32),
    /// A bound of the control hash is reached (`CHECKPOINTS`, `ONCE_KEYS`, `SPAWNS`).
    Full,
}

/// What `show`, `list` and the API tell of a task's control hash.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CtlInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// The last `LOG_LINES` lines, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogLine>,
    /// Checkpoints by key (values as text, lossily when they are not UTF-8).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub checkpoints: std::collections::BTreeMap<String, String>,
    /// Children staged by the attempt in hand, queued if it ends done.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Child>,
    /// Once-keys and the attempt that claimed each.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub once: std::collections::BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub percent: u8,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    pub attempt: u32,
    #[serde(serialize_with = "crate::task::rfc3339::serialize")]
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogLine {
    pub attempt: u32,
    #[serde(serialize_with = "crate::task::rfc3339::serialize")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Child {
    pub id: String,
    pub priority: u8,
    #[serde(rename = "type")]
    pub kind: String,
}

impl CtlInfo {
    pub fn is_empty(&self) -> bool {
        *self == CtlInfo::default()
    }

    /// The one reader of a control hash, as ctl_op.lua writes it (its header lists the fields).
    pub fn parse(fields: Vec<(Vec<u8>, Vec<u8>)>) -> CtlInfo {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut info = CtlInfo::default();
        let mut log: Vec<(u64, LogLine)> = Vec::new();
        let mut staged: Vec<(u64, Child)> = Vec::new();
        for (f, v) in fields {
            let f = text(&f);
            let v_text = text(&v);
            // "attempt|ms|rest" for a log line, "N|attempt|ms|message" for progress.
            let mut parts = v_text.splitn(4, '|');
            if f == "p" {
                let (Some(n), Some(a), Some(ms)) = (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                info.progress = Some(Progress {
                    percent: n.parse().unwrap_or(0),
                    message: parts.next().unwrap_or("").to_string(),
                    attempt: a.parse().unwrap_or(0),
                    at: crate::task::ms_to_time(ms.parse().unwrap_or(0)),
                });
            } else if let Some(k) = f.strip_prefix("l:") {
                let mut parts = v_text.splitn(3, '|');
                let (Some(a), Some(ms), Some(t)) = (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                log.push((
                    k.parse().unwrap_or(0),
                    LogLine {
                        attempt: a.parse().unwrap_or(0),
                        at: crate::task::ms_to_time(ms.parse().unwrap_or(0)),
                        text: t.to_string(),
                    },
                ));
            } else if let Some(k) = f.strip_prefix("c:") {
                info.checkpoints.insert(k.to_string(), v_text);
            } else if let Some(k) = f.strip_prefix("o:") {
                info.once.insert(k.to_string(), v_text.parse().unwrap_or(0));
            } else if let Some(k) = f.strip_prefix("s:") {
                let mut parts = v_text.splitn(3, '\t');
                let (Some(p), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                let kind = serde_json::from_str::<serde_json::Value>(body)
                    .ok()
                    .and_then(|b| b["t"].as_str().map(str::to_string))
                    .unwrap_or_default();
                staged.push((
                    k.parse().unwrap_or(0),
                    Child {
                        id: id.to_string(),
                        priority: p.parse().unwrap_or(0),
                        kind,
                    },
                ));
            }
        }
        log.sort_by_key(|(k, _)| *k);
        staged.sort_by_key(|(k, _)| *k);
        info.log = log.into_iter().map(|(_, l)| l).collect();
        info.children = staged.into_iter().map(|(_, c)| c).collect();
        info
    }
}

/// `s` cut to at most `max` bytes, at a character's boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Queue {
    /// Applies one verb to the task of `lease`, if the lease still holds.
    pub fn ctl(&mut self, lease: &Lease, op: &CtlOp) -> Result<CtlReply> {
        let shard = keys::shard_of(&lease.id, self.shards.len());
        let key = self.shards[shard].ctl(&lease.id);
        let mut args: Vec<Vec<u8>> = vec![lease.id.clone().into(), lease.token.clone().into()];
        let verb = |args: &mut Vec<Vec<u8>>, v: &str, rest: Vec<Vec<u8>>| {
            args.push(v.into());
            args.extend(rest);
        };
        match op {
            CtlOp::Progress(n, msg) => verb(
                &mut args,
                "progress",
                vec![n.to_string().into(), cut(msg, NAME_BYTES).into()],
            ),
            CtlOp::Log(lines) => verb(
                &mut args,
                "log",
                lines
                    .iter()
                    .map(|l| cut(l, LOG_LINE_BYTES).into())
                    .collect(),
            ),
            CtlOp::Set(k, v) => verb(&mut args, "set", vec![k.clone().into(), v.clone()]),
            CtlOp::Get(k) => verb(&mut args, "get", vec![k.clone().into()]),
            CtlOp::Once(k) => verb(&mut args, "once", vec![k.clone().into()]),
            CtlOp::Spawn(t) => verb(
                &mut args,
                "spawn",
                vec![
                    t.priority.get().to_string().into(),
                    t.id.clone().into(),
                    t.body().into(),
                ],
            ),
        }
        let reply = self.invoke_with(shard, &CTL_OP, &[key], &args, "applying `rpq ctl`")?;
        let reply = array(reply)?;
        Ok(match int(reply.first())? {
            1 => CtlReply::Ok(match reply.get(1) {
                Some(Value::BulkString(b)) => Some(b.clone()),
                _ => None,
            }),
            2 => CtlReply::Already(int(reply.get(1)).unwrap_or(0) as u32),
            3 => CtlReply::Full,
            _ => CtlReply::Lost,
        })
    }

    /// Acknowledges one finished task that used ctl (ctl_ack.lua): queues the children its
    /// attempt staged, keeps its result when `keep` says so, and deletes its control hash, all
    /// in one step. Returns whether the ack is ours (as `ack`) and how many children it queued
    /// (0 for an ack resent after a lost reply: the first call queued them).
    pub fn ctl_ack(
        &mut self,
        consumer: &str,
        lease: &Lease,
        keep: Option<(Duration, Vec<u8>)>,
    ) -> Result<(bool, u64)> {
        let shard = keys::shard_of(&lease.id, self.shards.len());
        let mut extra = vec![self.shards[shard].ctl(&lease.id)];
        let (keep_ms, result) = match keep {
            Some((d, r)) => {
                extra.push(self.shards[shard].result(&lease.id));
                extra.push(self.shards[shard].kept());
                (crate::task::setting_ms(d).to_string(), r)
            }
            None => (String::new(), Vec::new()),
        };
        let args: Vec<Vec<u8>> = vec![
            consumer.into(),
            self.instance.clone().into(),
            lease.id.clone().into(),
            lease.token.clone().into(),
            keep_ms.into(),
            result,
        ];
        let reply = self.invoke_with(shard, &CTL_ACK, &extra, &args, "acknowledging a task")?;
        let reply = array(reply)?;
        let code = AckCode::from_reply(reply.first().unwrap_or(&Value::Nil))?;
        let queued = int(reply.get(1)).unwrap_or(0) as u64;
        if self.controlled {
            self.wake_others(shard, 1)?;
        }
        self.wake_others(shard, queued)?;
        if code == AckCode::Acked {
            self.floor_acked(shard, 1);
        }
        Ok((code.ours(), queued))
    }

    /// Deletes the control hash of a task that is gone (dead, cancelled): nothing of it is
    /// needed any more. A plain DEL: it needs no lease, only the task's end.
    pub fn ctl_forget(&mut self, id: &str) -> Result<()> {
        let shard = keys::shard_of(id, self.shards.len());
        let key = self.shards[shard].ctl(id);
        let _: i64 = redis::cmd("DEL")
            .arg(&key)
            .query(&mut self.conn)
            .map_err(|e| self.explain(shard, e, "DEL"))
            .with_context(|| format!("forgetting the control data of task {id}"))?;
        Ok(())
    }

    /// Deletes the control hashes of the tasks of `ids` that are gone (cancelled, purged); a
    /// task still stored keeps its own. Returns how many went.
    pub fn ctl_gone(&mut self, ids: &[String]) -> Result<u64> {
        let mut gone = 0;
        for (shard, idx) in self.by_shard(ids, |s| s) {
            for chunk in idx.chunks(SWEEP_BATCH) {
                let ids: Vec<String> = chunk.iter().map(|&i| ids[i].clone()).collect();
                gone += self.ctl_sweep_batch(shard, &ids)?;
            }
        }
        Ok(gone)
    }

    /// Deletes every control hash of the queue whose task is gone (after `clear`, a purge of
    /// every dead task): found with SCAN and deleted SWEEP_BATCH at a time, each batch one
    /// script that keeps the hashes of tasks still stored; a shard that never had one is not
    /// scanned. Returns how many went.
    pub fn ctl_sweep(&mut self) -> Result<u64> {
        let mut gone = 0;
        for shard in 0..self.shards.len() {
            // A shard whose handlers never wrote control data is not scanned (ctl_op.lua).
            let used: bool = redis::cmd("HEXISTS")
                .arg(self.shards[shard].stats())
                .arg("ctl_used")
                .query(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "HEXISTS"))
                .context("finding the control data of tasks")?;
            if !used {
                continue;
            }
            let prefix = self.shards[shard].ctl("");
            let pattern = format!("{}*", super::registry::glob_escape(&prefix));
            let found = self.scan(&pattern, "finding the control data of tasks")?;
            let ids: Vec<String> = found
                .iter()
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(str::to_string)
                .collect();
            for chunk in ids.chunks(SWEEP_BATCH) {
                gone += self.ctl_sweep_batch(shard, chunk)?;
            }
        }
        Ok(gone)
    }

    fn ctl_sweep_batch(&mut self, shard: usize, ids: &[String]) -> Result<u64> {
        let keys: Vec<String> = ids.iter().map(|id| self.shards[shard].ctl(id)).collect();
        let what = "removing the control data of tasks that are gone";
        let n = self.invoke_with(shard, &CTL_SWEEP, &keys, &ids, what)?;
        Ok(int(Some(&n))? as u64)
    }

    /// What the control hash of task `id` holds (empty when it has none).
    pub fn ctl_info(&mut self, id: &str) -> Result<CtlInfo> {
        let shard = keys::shard_of(id, self.shards.len());
        let key = self.shards[shard].ctl(id);
        let fields: Vec<(Vec<u8>, Vec<u8>)> = redis::cmd("HGETALL")
            .arg(&key)
            .query(&mut self.conn)
            .map_err(|e| self.explain(shard, e, "HGETALL"))
            .with_context(|| format!("reading the control data of task {id}"))?;
        Ok(CtlInfo::parse(fields))
    }

    /// The shard of task `id`.
    pub fn shard_of(&self, id: &str) -> usize {
        keys::shard_of(id, self.shards.len())
    }

    /// A new id for a child of task `parent`, on the parent's shard: the child is queued by
    /// the parent's ack, one script on one hash tag.
    pub fn child_id(&self, parent: &str) -> String {
        let n = self.shards.len();
        let home = keys::shard_of(parent, n);
        loop {
            let id = crate::task::new_id();
            if keys::shard_of(&id, n) == home {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctl_lease_lua_has_the_bounds_rust_says() {
        let lua = include_str!("lua/ctl_lease.lua");
        for (name, v) in [
            ("CTL_LOG_LINES", LOG_LINES as u64),
            ("CTL_CHECKPOINTS", CHECKPOINTS as u64),
            ("CTL_ONCE_KEYS", ONCE_KEYS as u64),
            ("CTL_SPAWNS", SPAWNS as u64),
        ] {
            assert!(lua.contains(&format!("local {name} = {v}\n")), "{name}");
        }
        assert!(lua.contains("local CTL_TTL_MS = 7 * 24 * 3600 * 1000\n"));
        assert_eq!(TTL.as_secs(), 7 * 24 * 3600);
        for (name, v) in [
            ("CTL_LOST", 0),
            ("CTL_OK", 1),
            ("CTL_ALREADY", 2),
            ("CTL_FULL", 3),
        ] {
            assert!(lua.contains(&format!("local {name} = {v}\n")), "{name}");
        }
    }

    /// The one reader of a control hash reads what ctl_op.lua writes (its header's fields);
    /// the integration tests (tests/cli/ctl.rs) have the real script write them.
    #[test]
    fn a_control_hash_reads_back_in_order() {
        let f = |k: &str, v: &str| (k.as_bytes().to_vec(), v.as_bytes().to_vec());
        let info = CtlInfo::parse(vec![
            f("p", "40|2|1796529127939|half | way"),
            f("ln", "12"),
            f("l:12", "2|1796529127939|second"),
            f("l:3", "1|1796529127000|first|with a bar"),
            f("c:step", "3"),
            f("cn", "1"),
            f("o:charge", "1"),
            f("sp", "abc"),
            f("sn", "2"),
            f("s:2", "3\tk2\t{\"t\":\"b\",\"p\":3,\"d\":null}"),
            f("s:1", "1\tk1\t{\"t\":\"a\",\"p\":1,\"d\":1}"),
        ]);
        let p = info.progress.as_ref().unwrap();
        assert_eq!(
            (p.percent, p.attempt, p.message.as_str()),
            (40, 2, "half | way")
        );
        let log: Vec<&str> = info.log.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(log, ["first|with a bar", "second"]);
        assert_eq!(info.checkpoints["step"], "3");
        assert_eq!(info.once["charge"], 1);
        let kids: Vec<(&str, u8, &str)> = info
            .children
            .iter()
            .map(|c| (c.id.as_str(), c.priority, c.kind.as_str()))
            .collect();
        assert_eq!(kids, [("k1", 1, "a"), ("k2", 3, "b")]);
        assert!(CtlInfo::parse(vec![]).is_empty());
    }

    #[test]
    fn cut_keeps_characters_whole() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("héllo", 3), "hé");
        assert_eq!(cut("abc", 10), "abc");
    }
}
