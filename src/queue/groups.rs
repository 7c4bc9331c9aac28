//! Groups (issue 23): the settings of a group that live outside the scripts' turns, in the
//! shard's `gstate` hash (lua/groups.lua says its fields). A group's key is stored as its task's
//! body holds it: JSON-escaped, without the quotes.

use super::Queue;
use anyhow::{Context, Result};
use serde::Serialize;

/// A group with waiting tasks (`rpq groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupInfo {
    /// None: the default group (tasks pushed without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Entries in its line: its waiting tasks (one cancelled or expired since is counted until
    /// a claim meets it).
    pub waiting: u64,
    pub weight: u32,
}

/// A group's key as the scripts name it (its JSON string without the quotes).
pub fn stored_key(group: &str) -> String {
    let s = serde_json::to_string(group).expect("a string serializes");
    s[1..s.len() - 1].to_string()
}

impl Queue {
    /// Sets the weight of `group` on every shard (1 removes the field: the default).
    pub fn set_group_weight(&mut self, group: &str, weight: u32) -> Result<()> {
        self.pin()?;
        let field = format!("w:{}", stored_key(group));
        for shard in 0..self.shards.len() {
            let key = self.shards[shard].group_keys()[2].clone();
            let cmd = if weight == 1 {
                let mut c = redis::cmd("HDEL");
                c.arg(&key).arg(&field);
                c
            } else {
                let mut c = redis::cmd("HSET");
                c.arg(&key).arg(&field).arg(weight);
                c
            };
            cmd.query::<()>(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "HSET"))
                .with_context(|| {
                    format!("setting the weight of a group of queue '{}'", self.name)
                })?;
        }
        Ok(())
    }

    /// The weight of `group` (1 unless set).
    pub fn group_weight(&mut self, group: &str) -> Result<u32> {
        let key = self.shards[0].group_keys()[2].clone();
        let w: Option<u32> = redis::cmd("HGET")
            .arg(&key)
            .arg(format!("w:{}", stored_key(group)))
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "HGET"))
            .with_context(|| format!("reading the weight of a group of queue '{}'", self.name))?;
        Ok(w.unwrap_or(1))
    }
}

impl Queue {
    /// The groups with waiting tasks on every shard, the largest first (then by key): one read
    /// of the groups with work, then one pipelined round trip of their counts and weights.
    pub fn groups(&mut self) -> Result<Vec<GroupInfo>> {
        let mut out = Vec::new();
        for shard in 0..self.shards.len() {
            let [gpending, groups, gstate] = self.shards[shard].group_keys();
            let names: Vec<String> = redis::cmd("ZRANGE")
                .arg(&groups)
                .arg(0)
                .arg(-1)
                .query(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "ZRANGE"))
                .with_context(|| format!("reading the groups of queue '{}'", self.name))?;
            if names.is_empty() {
                continue;
            }
            let mut cmds = Vec::new();
            for n in &names {
                let mut c = redis::cmd("ZLEXCOUNT");
                c.arg(&gpending)
                    .arg(format!("[{n}\t"))
                    .arg(format!("({n}\n"));
                cmds.push(c);
                let mut w = redis::cmd("HGET");
                w.arg(&gstate).arg(format!("w:{n}"));
                cmds.push(w);
            }
            let replies = self.query_many("ZLEXCOUNT", cmds)?;
            for (n, pair) in names.iter().zip(replies.chunks(2)) {
                let waiting: u64 = redis::from_redis_value(pair[0].clone()).unwrap_or(0);
                let weight: Option<u32> = redis::from_redis_value(pair[1].clone()).unwrap_or(None);
                out.push(GroupInfo {
                    group: (!n.is_empty()).then(|| {
                        serde_json::from_str(&format!("\"{n}\"")).unwrap_or_else(|_| n.clone())
                    }),
                    waiting,
                    weight: weight.unwrap_or(1),
                });
            }
        }
        out.sort_by(|a, b| {
            b.waiting
                .cmp(&a.waiting)
                .then_with(|| a.group.cmp(&b.group))
        });
        Ok(out)
    }
}
