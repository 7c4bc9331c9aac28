//! Dead letters: listing, retrying and purging the dead set of every shard.

use super::script::{array, int, opt_record, string, DEAD};
use super::stored::Record;
use super::{DeadMoved, DeadTask, Queue, State};
use crate::task::{ms_to_time, Task};
use anyhow::Result;

impl Queue {
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
        for chunk in items.chunks(3) {
            let id = string(chunk.first())?;
            let died: i64 = string(chunk.get(1))?.parse().unwrap_or(0);
            let body = opt_record(chunk.get(2))?;
            // The reason and the attempts are in the record's head (bury, common.lua).
            let head = body.as_deref().and_then(Record::parse);
            let attempts = head.as_ref().and_then(|r| r.attempts).unwrap_or(0);
            let mut error = head.and_then(|r| r.error).unwrap_or("").to_string();
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
        // Issue 25: the control data of the purged.
        if op == "purge" {
            match ids.is_empty() {
                true => self.ctl_sweep()?,
                false => self.ctl_gone(ids)?,
            };
        }
        // In the order given, whatever shards they fell on.
        total
            .unknown
            .sort_by_key(|id| ids.iter().position(|i| i == id));
        Ok(total)
    }
}
