//! Kept results (the worker runtime, issue 11): acknowledging a task with the result its handler
//! gave, burying one with its error where a producer can see it, reading a result, and waiting
//! for a task's end without polling. One key per task that asked (`Keys::result`), in its
//! shard's hash tag, handed to the scripts after the layout's keys. It has no TTL, which a
//! volatile-* policy would evict (issue 19): its time is in the shard's kept zset
//! (`Keys::kept`), every read looks at it, and an ack that keeps a result removes a few that are
//! past their time (`UNKEEP`).

use super::script::{array, AckCode, ExtendCode, FailCode, EXTEND, FAIL, KEEP, RESULTS, UNKEEP};
use super::types::{CompletedPage, CursorGone, Failed, Kept, Lease, LeaseState, Waited};
use super::{keys, Queue, State};
use anyhow::{Context, Result};
use std::time::{Duration, Instant};

/// A finished task whose result is to be kept.
#[derive(Debug, Clone)]
pub struct KeepAck {
    pub lease: Lease,
    pub keep: Duration,
    pub result: Vec<u8>,
}

impl AsRef<Lease> for KeepAck {
    fn as_ref(&self) -> &Lease {
        &self.lease
    }
}

/// How often a consumer's claims look for kept results past their time (one ZRANGEBYSCORE of
/// the kept zset, nothing more when there are none), so that they go even when no more results
/// are kept, which sweep them too.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// Kept results removed per call.
const SWEEP_BATCH: usize = 32;

/// A blocking read of a result key never waits longer than this: the caller looks for a signal
/// between two (and Redis times a blocked client out only at its cron anyway).
pub const WAIT_SLICE: Duration = Duration::from_secs(1);

/// How often a waiter with no answer yet looks at where its task is: rarely, as only an end
/// that no consumer saw needs it.
const LOOK_EVERY: Duration = Duration::from_secs(5);

impl Queue {
    /// The keys and arguments of a call that keeps the results of `done[idx]` on `shard` (the
    /// keep-ack and the delivering mark, keep_record in both): each task's result key, then
    /// `kept`; `head`, then (id, token, keep ms, result) a task.
    fn keeping(
        &self,
        shard: usize,
        done: &[KeepAck],
        idx: &[usize],
        head: Vec<Vec<u8>>,
    ) -> (Vec<String>, Vec<Vec<u8>>) {
        let mut keys: Vec<String> = idx
            .iter()
            .map(|&i| self.shards[shard].result(&done[i].lease.id))
            .collect();
        keys.push(self.shards[shard].kept());
        let mut args = head;
        for &i in idx {
            let d = &done[i];
            args.push(d.lease.id.clone().into());
            args.push(d.lease.token.clone().into());
            args.push(crate::task::setting_ms(d.keep).to_string().into());
            args.push(d.result.clone());
        }
        (keys, args)
    }

    /// Acknowledges finished tasks and keeps each one's result for its time (keep.lua); one
    /// flag per task, false when the lease was lost (nothing is kept then).
    pub fn ack_keeping(&mut self, consumer: &str, done: &[KeepAck]) -> Result<Vec<bool>> {
        let mut out = vec![false; done.len()];
        for (shard, idx) in self.by_shard(done, |d| &d.lease.id) {
            let head = vec![consumer.into(), self.instance.clone().into()];
            let (keys, args) = self.keeping(shard, done, &idx, head);
            let reply = self.invoke_with(shard, &KEEP, &keys, &args, "acknowledging a task")?;
            // controls (issue 13): a freed slot of a cap wakes consumers, as `ack` does.
            if self.controlled {
                self.wake_others(shard, 1)?;
            }
            let mut reply = array(reply)?;
            let wrote = super::flows::outbox_written(&mut reply);
            let codes = reply
                .iter()
                .take(idx.len())
                .map(AckCode::from_reply)
                .collect::<Result<Vec<_>>>()?;
            // The results past their time that the script found, removed by their keys.
            let due: Vec<String> = reply
                .iter()
                .skip(idx.len())
                .filter_map(|v| redis::from_redis_value(v.clone()).ok())
                .collect();
            self.unkeep(shard, &due)?;
            self.floor_acked(
                shard,
                codes.iter().filter(|c| **c == AckCode::Acked).count(),
            );
            for (i, c) in idx.into_iter().zip(codes) {
                out[i] = c.ours();
            }
            if wrote || self.outbox_watch() {
                self.move_outbox_quietly(shard);
            }
        }
        Ok(out)
    }

    /// `extend_delivering` (the mark before a `done` line is written to a pipe) of tasks that
    /// keep their results: the mark keeps each result too, as `ack_keeping` will (extend.lua),
    /// so that lease recovery of a marked task, which finishes it as done, leaves its result.
    pub fn extend_delivering_keeping(
        &mut self,
        consumer: &str,
        done: &[KeepAck],
        lease: Duration,
    ) -> Result<Vec<LeaseState>> {
        let mut out = vec![LeaseState::Lost; done.len()];
        for (shard, idx) in self.by_shard(done, |d| &d.lease.id) {
            let lease_ms = lease.as_millis().max(1) as u64;
            let head = vec![lease_ms.to_string().into(), consumer.into(), "k".into()];
            let (keys, args) = self.keeping(shard, done, &idx, head);
            let reply = self.invoke_with(shard, &EXTEND, &keys, &args, "extending a lease")?;
            for (i, v) in idx.into_iter().zip(array(reply)?.iter()) {
                out[i] = ExtendCode::from_reply(v)?.into();
            }
        }
        Ok(out)
    }

    /// `fail`, and for a task whose producer asked to keep its result (`keep`): buried, it leaves its error
    /// under its result key for `keep`, so a producer waiting for it learns of it at once.
    pub fn fail_keeping(
        &mut self,
        lease: &Lease,
        backoff: Duration,
        error: &str,
        bury: bool,
        keep: Option<Duration>,
    ) -> Result<Failed> {
        let shard = keys::shard_of(&lease.id, self.shards.len());
        let mut args = vec![
            lease.id.clone(),
            lease.token.clone(),
            (backoff.as_millis() as u64).to_string(),
            error.to_string(),
            self.dead_cap.to_string(),
            if bury { "1" } else { "0" }.to_string(),
            self.instance.clone(),
        ];
        let mut result = vec![];
        if let Some(keep) = keep {
            args.push(crate::task::setting_ms(keep).to_string());
            result.push(self.shards[shard].result(&lease.id));
            result.push(self.shards[shard].kept());
        }
        let reply = self.invoke_with(shard, &FAIL, &result, &args, "recording a failure")?;
        let (reply, wrote) = super::flows::fail_outbox(reply);
        if wrote || self.flows {
            self.move_outbox_quietly(shard);
        }
        // controls (issue 13): a freed slot of a cap wakes consumers (see probe).
        if self.controlled {
            self.wake_others(shard, 1)?;
        }
        Ok(match FailCode::from_reply(&reply)? {
            FailCode::Retry | FailCode::WasRetrying => Failed::Retry,
            FailCode::Dead | FailCode::WasDead => Failed::Dead,
            FailCode::Lost => Failed::LeaseLost,
        })
    }

    /// The kept result of task `id`, if there is one.
    pub fn result(&mut self, id: &str) -> Result<Option<Kept>> {
        let found = self
            .kept_results(std::slice::from_ref(&id.to_string()))
            .with_context(|| format!("reading the result of task {id} on queue '{}'", self.name))?;
        Ok(found.into_iter().next().flatten())
    }

    /// The kept results of these ids (None where there is none, or it is past its time), one
    /// call per shard: `show` tells a finished task by its result, the task itself being gone.
    pub(super) fn kept_results(&mut self, ids: &[String]) -> Result<Vec<Option<Kept>>> {
        let mut out = vec![None; ids.len()];
        for (shard, idx) in self.by_shard(ids, |id| id) {
            let mut keys: Vec<String> = idx
                .iter()
                .map(|&i| self.shards[shard].result(&ids[i]))
                .collect();
            keys.push(self.shards[shard].kept());
            let args: Vec<&str> = idx.iter().map(|&i| ids[i].as_str()).collect();
            let reply = self.invoke_with(shard, &RESULTS, &keys, &args, "reading results")?;
            for (&i, r) in idx.iter().zip(array(reply)?) {
                if let redis::Value::BulkString(b) = r {
                    out[i] = Kept::parse(&ids[i], &b);
                }
            }
        }
        Ok(out)
    }

    /// A page of the finished tasks whose result (or error) is kept, newest first, going on
    /// after task `after` of an earlier page. The kept zsets are ordered by when each result
    /// goes, which is its finish time plus its keep: newest first when the tasks share one
    /// `keep_result`. Each shard gives at most `n + 1` from the cursor (ZREVRANGEBYSCORE, ties
    /// in reverse id order, as the merge takes them): O(shards × (log m + n)), however deep.
    pub fn completed(&mut self, after: Option<&str>, n: usize) -> Result<CompletedPage> {
        let now = self.server_ms()?;
        let shards = self.shards.len();
        let cursor = match after {
            None => None,
            Some(id) => {
                let shard = keys::shard_of(id, shards);
                let score: Option<i64> = redis::cmd("ZSCORE")
                    .arg(self.shards[shard].kept())
                    .arg(id)
                    .query(&mut self.conn)
                    .map_err(|e| self.explain(shard, e, "ZSCORE"))?;
                match score {
                    Some(s) if s > now => Some((s, id.to_string())),
                    _ => {
                        return Err(CursorGone(format!(
                            "the result of task '{id}', where this page goes on from, is no \
                             longer kept; start again from the first page"
                        ))
                        .into())
                    }
                }
            }
        };
        let mut total = 0;
        let mut found: Vec<(i64, String)> = Vec::new();
        for shard in 0..shards {
            let key = self.shards[shard].kept();
            let count: u64 = redis::cmd("ZCOUNT")
                .arg(&key)
                .arg(format!("({now}"))
                .arg("+inf")
                .query(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "ZCOUNT"))?;
            total += count;
            let max = cursor
                .as_ref()
                .map_or("+inf".to_string(), |(s, _)| s.to_string());
            let mut offset = 0;
            let mut got = 0;
            // Members with the cursor's own score come first; those not after it are skipped,
            // so a batch may hold fewer than asked and the next one is read.
            loop {
                let batch: Vec<(String, i64)> = redis::cmd("ZREVRANGEBYSCORE")
                    .arg(&key)
                    .arg(&max)
                    .arg(format!("({now}"))
                    .arg("WITHSCORES")
                    .arg("LIMIT")
                    .arg(offset)
                    .arg(n + 1)
                    .query(&mut self.conn)
                    .map_err(|e| self.explain(shard, e, "ZREVRANGEBYSCORE"))?;
                let len = batch.len();
                for (id, score) in batch {
                    let later = cursor
                        .as_ref()
                        .is_some_and(|(s, c)| score == *s && id.as_str() >= c.as_str());
                    if !later && got <= n {
                        found.push((score, id));
                        got += 1;
                    }
                }
                if len < n + 1 || got > n {
                    break;
                }
                offset += len;
            }
        }
        found.sort_by(|a, b| b.cmp(a));
        let more = found.len() > n;
        found.truncate(n);
        let ids: Vec<String> = found.into_iter().map(|(_, id)| id).collect();
        // One gone between the two reads (past its time, removed) is left out of the page.
        let results = self.kept_results(&ids)?.into_iter().flatten().collect();
        Ok(CompletedPage {
            results,
            total,
            more,
        })
    }

    /// Blocks for at most `timeout` (capped at `WAIT_SLICE`) until task `id` has a kept result:
    /// a BLMOVE of its result key onto itself, which reads the one element without taking it,
    /// so any number of waiters see it, and one that comes late finds it at once.
    pub fn wait_result(&mut self, id: &str, timeout: Duration) -> Result<Option<Kept>> {
        let key = self.result_key(id);
        let secs = timeout.as_secs_f64().clamp(0.01, WAIT_SLICE.as_secs_f64());
        let record: Option<Vec<u8>> = redis::cmd("BLMOVE")
            .arg(&key)
            .arg(&key)
            .arg("RIGHT")
            .arg("LEFT")
            .arg(format!("{secs:.3}"))
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "BLMOVE"))
            .with_context(|| format!("waiting for task {id} on queue '{}'", self.name))?;
        self.resent = false;
        Ok(record.and_then(|r| Kept::parse(id, &r)))
    }

    /// Where task `id` is, for a waiter that has had no result for a while: a task can end
    /// where no consumer could leave one (its lease ran out on its last attempt, its ttl passed,
    /// it could not be read; it was cancelled or cleared).
    pub fn waited(&mut self, id: &str) -> Result<Waited> {
        if let Some(k) = self.result(id)? {
            return Ok(Waited::Finished(k));
        }
        let info = self
            .show(std::slice::from_ref(&id.to_string()))?
            .pop()
            .flatten();
        Ok(match info {
            None => match self.result(id)? {
                // Acknowledged between the two looks.
                Some(k) => Waited::Finished(k),
                None => Waited::Gone,
            },
            Some(t) if t.state == State::Dead => {
                Waited::Dead(t.error.unwrap_or_else(|| "dead".to_string()))
            }
            Some(_) => Waited::Pending,
        })
    }

    /// Waits until task `id` is done or dead, `until` passes (None: no limit) or `stop` says so
    /// (asked between two blocking reads, at least once a second); Pending in the last two
    /// cases. No polling: each turn is one blocking read of the result key, which the ack and
    /// the burial push to; only every `LOOK_EVERY` without an answer does it look at where the
    /// task is, for an end that leaves no result (`waited`).
    pub fn wait_for(
        &mut self,
        id: &str,
        until: Option<Instant>,
        stop: &dyn Fn() -> bool,
    ) -> Result<Waited> {
        let mut looked = Instant::now();
        loop {
            if stop() {
                return Ok(Waited::Pending);
            }
            let left = match until {
                Some(t) => t.saturating_duration_since(Instant::now()),
                None => WAIT_SLICE,
            };
            if left.is_zero() {
                return Ok(Waited::Pending);
            }
            if let Some(k) = self.wait_result(id, left)? {
                return Ok(Waited::Finished(k));
            }
            if looked.elapsed() >= LOOK_EVERY {
                looked = Instant::now();
                match self.waited(id)? {
                    Waited::Pending => {}
                    end => return Ok(end),
                }
            }
        }
    }

    /// Removes the kept results of `due` that are past their time (unkeep.lua checks again:
    /// one kept again since stays).
    fn unkeep(&mut self, shard: usize, due: &[String]) -> Result<()> {
        if due.is_empty() {
            return Ok(());
        }
        let mut keys: Vec<String> = due.iter().map(|id| self.shards[shard].result(id)).collect();
        keys.push(self.shards[shard].kept());
        self.invoke_with(
            shard,
            &UNKEEP,
            &keys,
            &due,
            "removing results past their time",
        )?;
        Ok(())
    }

    /// Removes up to `SWEEP_BATCH` kept results of shard `shard` past their time at `now_ms`
    /// (the server's, from a claim's reply).
    pub(super) fn sweep_results(&mut self, shard: usize, now_ms: i64) -> Result<()> {
        let due: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(self.shards[shard].kept())
            .arg("-inf")
            .arg(now_ms)
            .arg("LIMIT")
            .arg(0)
            .arg(SWEEP_BATCH)
            .query(&mut self.conn)
            .map_err(|e| self.explain(shard, e, "ZRANGEBYSCORE"))?;
        self.unkeep(shard, &due)
    }

    fn result_key(&self, id: &str) -> String {
        self.shards[keys::shard_of(id, self.shards.len())].result(id)
    }
}
