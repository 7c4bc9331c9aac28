//! Groups (issue 23): the settings of a group that live outside the scripts' turns, in the
//! shard's `gstate` hash (lua/groups.lua says its fields). A group's key is stored as its task's
//! body holds it: JSON-escaped, without the quotes.

use super::Queue;
use anyhow::{Context, Result};

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
