//! Emptying a queue: `clear` (the tasks), `clear --all` (their history too), `queues remove`
//! and `destroy` (every key).

use super::script::{array, int, CLEAR};
use super::{keys, Cleared, Lengths, Queue, Removed, STATES};
use anyhow::{Context, Result};

impl Queue {
    /// Removes every task; consumers holding one find their lease lost when they ack.
    pub fn clear(&mut self) -> Result<Cleared> {
        // clear.lua counts the set of every state, given their places in the key layout.
        let sets: Vec<String> = STATES
            .iter()
            .map(|d| (d.key as usize + 1).to_string())
            .collect();
        let mut l = Lengths::default();
        for shard in 0..self.shards.len() {
            let items = array(self.invoke(shard, &CLEAR, &sets, "clearing")?)?;
            for (i, d) in STATES.iter().enumerate() {
                *l.of_state_mut(d.state) += int(items.get(i))? as u64;
            }
        }
        // Issue 25: the control data of the tasks that went (bounded batches, after the step
        // above: a hash of a task pushed meanwhile stays).
        self.ctl_sweep()?;
        if self.shards.len() > 1 {
            let key = keys::wake_all(&self.name);
            redis::cmd("DEL")
                .arg(&key)
                .exec(&mut self.conn)
                .map_err(|e| self.explain(0, e, "DEL"))
                .with_context(|| format!("clearing queue '{}'", self.name))?;
        }
        Ok(Cleared::of(
            &l,
            vec!["results", "totals", "consumers", "settings", "schedules"],
        ))
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
            if shard == 0 {
                // Issue 28: what the consumers said of themselves and ran, by type.
                pipe.cmd("UNLINK")
                    .arg(keys::workers(&self.name))
                    .arg(keys::usage(&self.name))
                    .ignore();
            }
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
            tasks: l.tasks(),
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
            cmd.arg(&k.group_keys()[..]);
            if i == 0 {
                cmd.arg(keys::meta(&self.name));
                cmd.arg(keys::wake_all(&self.name));
                cmd.arg(keys::history(&self.name, false));
                cmd.arg(keys::history(&self.name, true));
            }
            cmd.query::<()>(&mut self.conn)
                .with_context(|| format!("deleting queue '{}'", self.name))?;
        }
        Ok(())
    }
}

/// Fields of a shard's stats hash that are settings and bookkeeping, not totals: `clear --all`
/// keeps them (aging and the controls flag live in `checks`).
const STATS_SETTINGS: [&str; 7] = [
    "checks",
    keys::LAYOUT_FIELD,
    // The arrival sequence: tasks pushed after a clear line up behind every earlier one, and
    // the lost-write floors (losses.rs) never see it go back.
    "seq",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::queue::{ClaimOptions, NO_ACKS};
    use crate::server::RedisServer;
    use crate::task::{Due, NewTask, Priority, When};
    use std::time::Duration;

    fn task(id: &str, due: Due) -> NewTask {
        NewTask {
            after: None,
            id: id.to_string(),
            kind: "t".into(),
            priority: Priority::MEDIUM,
            payload: serde_json::Value::Null,
            when: When { due, ttl: None },
            settings: Default::default(),
            named: true,
            trace: None,
            group: None,
        }
    }

    /// One task in every state of `STATES`: counted once by `lengths`, and once by `clear`,
    /// which leaves none. A state missed by either is a count off here.
    #[test]
    fn every_state_is_counted_and_cleared() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "states")).unwrap();
        let opts = ClaimOptions {
            consumer: "c".into(),
            lease: Duration::from_secs(600),
            max_attempts: 2,
            count: 1,
        };
        let day = Due::In(Duration::from_secs(86_400));
        q.push(&[task("retrying", Due::Now)]).unwrap();
        let t = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        q.fail(&t.lease(), Duration::from_secs(600), "x", false)
            .unwrap();
        q.push(&[task("dead", Due::Now)]).unwrap();
        let t = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        q.fail(&t.lease(), Duration::ZERO, "x", true).unwrap();
        q.push(&[task("in-flight", Due::Now)]).unwrap();
        q.claim(&opts, NO_ACKS).unwrap();
        q.push(&[task("waiting", Due::Now), task("scheduled", day)])
            .unwrap();
        // issue 24: a task that waits for the waiting one.
        let mut blocked = task("blocked", Due::Now);
        blocked.after = Some(Box::new(crate::task::After {
            parents: vec!["waiting".into()],
            ..Default::default()
        }));
        q.push(&[blocked]).unwrap();
        let l = q.lengths().unwrap();
        for d in &STATES {
            assert_eq!(l.of_state(d.state), 1, "{}", d.name);
        }
        assert_eq!(l.tasks(), STATES.len() as u64);
        let c = q.clear().unwrap();
        assert_eq!(c.removed, STATES.len() as u64);
        let cleared = [c.waiting, c.scheduled, c.in_flight, c.retrying, c.dead];
        assert_eq!(cleared, [1; 5]);
        assert_eq!(c.removed, 6, "the blocked one too");
        // In flight stays until its holder learns it was cancelled.
        let l = q.lengths().unwrap();
        assert_eq!(l.tasks(), l.in_flight);
    }
}
