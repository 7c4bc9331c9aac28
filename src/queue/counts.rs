//! Counts by state, counters and consumers, and the `stats` snapshot built from them: set
//! sizes and small hashes, never a scan of the tasks.

use super::script::{array, int, opt_record, OLDEST};
use super::stored::Field;
use super::{controls, score, Counters, Lengths, Queue, State, StateDef, Stats, STATES};
use crate::task::{Priority, Task};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

impl Queue {
    /// Counts by state over all shards, in one round trip per node of O(log n) commands (and
    /// one before it for the controls: whether tasks may be held back by limits, in `limited`).
    pub fn lengths(&mut self) -> Result<Lengths> {
        let ctl = self.read_controls()?;
        self.lengths_with(&ctl)
    }

    pub(in crate::queue) fn lengths_with(
        &mut self,
        ctl: &[controls::ShardControls],
    ) -> Result<Lengths> {
        // Waiting tasks are counted by priority, in pending and the lines; every other state
        // is the size of its set.
        let others: Vec<&StateDef> = STATES
            .iter()
            .filter(|d| d.state != State::Waiting)
            .collect();
        let mut cmds = Vec::new();
        let mut per_shard = Vec::new();
        for (i, k) in self.shards.iter().enumerate() {
            // controls (issue 13): waiting tasks of limited types may be in their own lines.
            let lines: Vec<&str> = if ctl.get(i).is_some_and(|c| c.lines) {
                vec![k.limited()]
            } else {
                vec![]
            };
            let waiting = std::iter::once(k.pending()).chain(lines.iter().copied());
            for key in waiting {
                for p in Priority::ALL {
                    let range = score::priority_range(p);
                    let mut c = redis::cmd("ZCOUNT");
                    c.arg(key).arg(range.min).arg(range.max);
                    cmds.push(c);
                }
            }
            for d in &others {
                let mut c = redis::cmd("ZCARD");
                c.arg(k.get(d.key));
                cmds.push(c);
            }
            per_shard.push(3 * (1 + lines.len()) + others.len());
        }
        let replies = self
            .query_many("ZCOUNT", cmds)
            .with_context(|| format!("counting tasks of queue '{}'", self.name))?;
        let mut l = Lengths::default();
        let mut rest = &replies[..];
        for n in per_shard {
            let (chunk, more) = rest.split_at(n.min(rest.len()));
            rest = more;
            let (waiting, sets) = chunk.split_at(chunk.len().saturating_sub(others.len()));
            for prio in waiting.chunks(3) {
                for (s, v) in [&mut l.high, &mut l.medium, &mut l.low]
                    .into_iter()
                    .zip(prio)
                {
                    *s += int(Some(v))? as u64;
                }
            }
            for (d, v) in others.iter().zip(sets) {
                *l.of_state_mut(d.state) += int(Some(v))? as u64;
            }
        }
        l.waiting = l.high + l.medium + l.low;
        Ok(l)
    }

    /// Counters and consumers, for `stats`: two small hashes per shard and the server's clock,
    /// never a look at the tasks themselves. Shards add up; a consumer seen on several shards
    /// counts its latest time and the sum of what it did.
    pub fn counters(&mut self) -> Result<Counters> {
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
            total.add(Counters::parse(
                now_ms,
                &Field::all_of(chunk[0].clone())?,
                &Field::all_of(chunk[1].clone())?,
            ));
        }
        Ok(total)
    }

    /// Since when the longest-waiting task of each priority (high, medium, low) has waited,
    /// over all shards: the oldest of a queue is not the next one to be claimed, which may be a
    /// fresh high-priority task while a low one waits for hours. One script call per shard
    /// looks at the first task of each priority (O(log n), no scan), in pending and, where
    /// `ctl` says there may be some, in the tasks held back by limits (`limited`): within a
    /// priority the first in line is the earliest arrival.
    fn oldest_waiting_by_priority(
        &mut self,
        ctl: &[controls::ShardControls],
    ) -> Result<[Option<DateTime<Utc>>; 3]> {
        let mut oldest = [None; 3];
        for shard in 0..self.shards.len() {
            let args = controls::line_keys(ctl.get(shard).is_some_and(|c| c.lines));
            let reply = self.invoke(shard, &OLDEST, &args, "finding the oldest task")?;
            let bodies = array(reply)?;
            for (o, body) in oldest.iter_mut().zip(&bodies) {
                // A task pushed for later has waited since it fell due, not since it was pushed.
                let since = opt_record(Some(body))?
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
}
