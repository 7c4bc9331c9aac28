//! The fan-out over the shards of one queue: which shard an id lives on, calls split by shard
//! and their answers put back in order, the wake-ups that cross shards, and the cross-shard
//! claim order (look at the head of every shard, then claim from the best).

use super::script::{self, AckCode, Step, ACK, WAKE_CAP};
use super::types::{ClaimOptions, ClaimReply, Lease, NO_ACKS};
use super::{keys, Queue};
use crate::task::ms_to_time;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use redis::Value;
use std::time::{Duration, Instant};

/// How often a sharded claim looks for expired leases and due retries on every shard.
const FULL_LOOK_EVERY: Duration = Duration::from_secs(1);

/// What a sharded claim learns about one shard before it claims: the score of its first waiting
/// task, and when its first lease expires and its first retry falls due (ms).
#[derive(Debug, Default, Clone, Copy)]
struct Head {
    pending: Option<f64>,
    inflight: Option<i64>,
    delayed: Option<i64>,
    /// When its first scheduled task falls due.
    scheduled: Option<i64>,
}

impl Queue {
    /// Groups `items` by the shard of their id: (shard, original indexes).
    pub(super) fn by_shard<T>(
        &self,
        items: &[T],
        id: impl Fn(&T) -> &str,
    ) -> Vec<(usize, Vec<usize>)> {
        let n = self.shards.len();
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, item) in items.iter().enumerate() {
            groups[keys::shard_of(id(item), n)].push(i);
        }
        groups
            .into_iter()
            .enumerate()
            .filter(|(_, g)| !g.is_empty())
            .collect()
    }

    /// Runs `op` on each shard with the leases it holds and puts the answers (one per lease)
    /// back in order.
    pub(super) fn lease_op<L: AsRef<Lease>, T: Clone + Default>(
        &mut self,
        leases: &[L],
        mut op: impl FnMut(&mut Queue, usize, &[&Lease]) -> Result<Vec<T>>,
    ) -> Result<Vec<T>> {
        let all: Vec<&Lease> = leases.iter().map(AsRef::as_ref).collect();
        if self.shards.len() == 1 {
            return op(self, 0, &all);
        }
        let mut out = vec![T::default(); leases.len()];
        for (shard, idx) in self.by_shard(&all, |l| &l.id) {
            let part: Vec<&Lease> = idx.iter().map(|&i| all[i]).collect();
            for (i, f) in idx.into_iter().zip(op(self, shard, &part)?) {
                out[i] = f;
            }
        }
        Ok(out)
    }

    /// Scripts wake idle consumers through their own shard's wake list, but those of a sharded
    /// queue block on shard 0's; work that appears on another shard adds markers to the list
    /// they block on besides (a hint only: a consumer claims anyway every few seconds).
    pub(super) fn wake_others(&mut self, shard: usize, n: u64) -> Result<()> {
        if shard == 0 || n == 0 {
            return Ok(());
        }
        let key = keys::wake_all(&self.name);
        self.mark_wake(&key, n)
    }

    /// Adds `n` markers to a wake list, which keeps its last `WAKE_CAP` (as the scripts' wake).
    pub(super) fn mark_wake(&mut self, key: &str, n: u64) -> Result<()> {
        let marks = vec!["1"; n.min(WAKE_CAP) as usize];
        redis::pipe()
            .cmd("RPUSH")
            .arg(key)
            .arg(marks)
            .ignore()
            .cmd("LTRIM")
            .arg(key)
            .arg(-(WAKE_CAP as i64))
            .arg(-1)
            .ignore()
            .exec(&mut self.conn)
            .map_err(|e| self.explain(0, e, "RPUSH"))
            .with_context(|| format!("waking consumers of queue '{}'", self.name))
    }

    /// The claim of a sharded queue: first a look at the head of every shard (one pipelined
    /// round trip), then a claim from the shard whose first task has the best score (priority,
    /// then arrival), trying the next best if another consumer emptied it meanwhile. The acks
    /// ride along with the look; shards with expired leases or due retries get a claim for no
    /// task on the way. Ties between shards go round, turn by turn.
    pub(super) fn claim_sharded<L: AsRef<Lease>>(
        &mut self,
        opts: &ClaimOptions,
        acks: &[L],
    ) -> Result<ClaimReply> {
        let n = self.shards.len();
        // Expired leases, due retries and due scheduled tasks need finding only now and then (a
        // second late is nothing next to a lease; an idle consumer, which waits for a due time,
        // looks at everything), so most looks read just the first waiting task of each shard.
        let full = self
            .full_look
            .is_none_or(|t| t.elapsed() >= FULL_LOOK_EVERY);
        let (mut heads, acked) = self.probe(&opts.consumer, acks, full)?;
        // flows (issue 24): the outbox of a shard with no task to claim is seen by no claim
        // there; the acks just sent wrote theirs, and a full look looks at every shard's.
        if self.flows_seen {
            let shards: Vec<usize> = if full {
                (0..n).collect()
            } else {
                self.by_shard(acks, |a| &a.as_ref().id)
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect()
            };
            for s in shards {
                self.move_outbox_quietly(s);
            }
        }
        if !full && heads.iter().all(|h| h.pending.is_none()) {
            heads = self.probe(&opts.consumer, NO_ACKS, true)?.0;
        }
        let now_ms = Utc::now().timestamp_millis();
        self.turn = self.turn.wrapping_add(1);
        let turn = self.turn;
        let mut order: Vec<usize> = (0..n).filter(|&s| heads[s].pending.is_some()).collect();
        // groups (issue 23): a shard's first waiting task is not what its claim takes (the
        // groups take turns there), and the first of a big group's backlog would win every
        // comparison by arrival: between shards with groups only the priority counts, and
        // the shards of one priority go round (fair within a shard, per shard across them).
        let grouped = self.grouped;
        let key = |s: usize| {
            heads[s]
                .pending
                .map(|p| if grouped { (p / 1e15).floor() } else { p })
        };
        order.sort_by(|&a, &b| {
            let rank = |s: usize| (s + n - turn % n) % n;
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(rank(a).cmp(&rank(b)))
        });
        let mut out = ClaimReply {
            acked,
            ..ClaimReply::default()
        };
        let mut next_retry = heads.iter().filter_map(|h| h.delayed).min();
        let mut next_expiry = heads.iter().filter_map(|h| h.inflight).min();
        let mut next_due = heads.iter().filter_map(|h| h.scheduled).min();
        let mut merge = |out: &mut ClaimReply, r: &ClaimReply| {
            out.now = r.now;
            // controls (issue 13): the shard held back soonest says when to look again.
            out.controlled |= r.controlled;
            out.held = match (out.held, r.held) {
                (Some(a), Some(b))
                    if b.until.is_some() && a.until.is_none_or(|t| b.until < Some(t)) =>
                {
                    Some(b)
                }
                (a, b) => a.or(b),
            };
            let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
            next_retry = [next_retry, ms(r.next_retry)].into_iter().flatten().min();
            next_expiry = [next_expiry, ms(r.next_expiry)].into_iter().flatten().min();
            next_due = [next_due, ms(r.next_due)].into_iter().flatten().min();
        };
        let first = order.first().copied();
        let mut visited = vec![false; n];
        for s in 0..n {
            // A scheduled task that fell due is promoted by a claim on its shard.
            let due = heads[s].inflight.is_some_and(|t| t <= now_ms)
                || heads[s].delayed.is_some_and(|t| t <= now_ms)
                || heads[s].scheduled.is_some_and(|t| t <= now_ms);
            if Some(s) == first || !due {
                continue;
            }
            let r = self.claim_shard(s, 0, opts, NO_ACKS)?;
            visited[s] = true;
            merge(&mut out, &r);
            if !order.contains(&s) {
                // Recovery may have put tasks back in line there.
                order.push(s);
            }
        }
        for s in order {
            let r = self.claim_shard(s, opts.count.max(1), opts, NO_ACKS)?;
            visited[s] = true;
            merge(&mut out, &r);
            if !r.tasks.is_empty() || !r.unreadable.is_empty() {
                out.tasks = r.tasks;
                out.unreadable = r.unreadable;
                return Ok(out);
            }
        }
        if !visited[0] {
            // Nothing anywhere: a claim for no task on shard 0 still records this consumer as
            // seen, which `stats` shows, and reads the server's clock.
            let r = self.claim_shard(0, 0, opts, NO_ACKS)?;
            merge(&mut out, &r);
        }
        out.next_retry = next_retry.map(ms_to_time);
        out.next_expiry = next_expiry.map(ms_to_time);
        out.next_due = next_due.map(ms_to_time);
        Ok(out)
    }

    /// The head of every shard, in one round trip per node, with the acks of finished tasks
    /// riding along (one ack script call per shard that has some). Returns one flag per ack.
    fn probe<L: AsRef<Lease>>(
        &mut self,
        consumer: &str,
        acks: &[L],
        full: bool,
    ) -> Result<(Vec<Head>, Vec<bool>)> {
        if full {
            self.full_look = Some(Instant::now());
        }
        let per = if full { 4 } else { 1 };
        // controls (issue 13): waiting tasks held back by limits wait in `limited`; their
        // heads count as the shard's too (whether a limit lets them go is the claim's to say).
        let lines = usize::from(self.controlled);
        let groups = self.by_shard(acks, |a| &a.as_ref().id);
        // Issue 15: an ack writes the consumer's entry, with what claims owe it.
        let owed: Vec<String> = groups
            .iter()
            .map(|(shard, _)| self.take_seen(*shard, consumer))
            .collect();
        // events (issue 26): an ack's stream goes last, as `call` gives it.
        let ack_keys: Vec<Vec<String>> = groups
            .iter()
            .map(|(shard, _)| {
                let mut k = self.shards[*shard].all().to_vec();
                if self.events {
                    k.push(self.shards[*shard].events());
                }
                k
            })
            .collect();
        let mut steps = Vec::with_capacity(groups.len() + self.shards.len() * per);
        for (((_, idx), owed), keys) in groups.iter().zip(owed).zip(&ack_keys) {
            let mut args = Vec::with_capacity(3 + 2 * idx.len());
            args.push(consumer.to_string());
            args.push(self.instance.clone());
            args.push(owed);
            for &i in idx {
                let l = acks[i].as_ref();
                args.push(l.id.clone());
                args.push(l.token.clone());
            }
            steps.push(Step::Script(&ACK, keys, args));
        }
        for k in &self.shards {
            for key in [k.pending(), k.inflight(), k.delayed(), k.scheduled()]
                .into_iter()
                .take(per)
            {
                let mut c = redis::cmd("ZRANGE");
                c.arg(key).arg(0).arg(0).arg("WITHSCORES");
                steps.push(Step::Plain(c));
            }
            for _ in 0..lines {
                let mut c = redis::cmd("ZRANGE");
                c.arg(k.limited()).arg(0).arg(0).arg("WITHSCORES");
                steps.push(Step::Plain(c));
            }
        }
        let sent = script::pipeline(&mut self.conn, &steps);
        drop(steps);
        // Sent twice (a node lacked the script), an ack may have landed the first time: its
        // receipt makes the second answer ACK_EARLIER, so which sending it was does not matter.
        let replies = sent
            .map_err(|e| self.explain(0, e, "ZRANGE"))
            .with_context(|| format!("looking at the shards of queue '{}'", self.name))?;
        let mut done = vec![false; acks.len()];
        for ((shard, idx), codes) in groups.iter().zip(&replies) {
            let mut fresh = 0;
            for (&i, code) in idx.iter().zip(script::array(codes.clone())?) {
                let code = AckCode::from_reply(&code)?;
                fresh += usize::from(code == AckCode::Acked);
                done[i] = code.ours();
            }
            self.floor_acked(*shard, fresh);
        }
        self.resent = false;
        // controls (issue 13): an ack may free a slot of an in-flight cap on its shard, whose
        // script wakes that shard's list; idle consumers of a sharded queue block on another.
        if self.controlled {
            for (shard, _) in &groups {
                self.wake_others(*shard, 1)?;
            }
        }
        let replies = &replies[groups.len()..];
        let score = |v: &Value| -> Result<Option<f64>> {
            let items = script::array(v.clone())?;
            match items.get(1) {
                None => Ok(None),
                Some(s) => Ok(script::string(Some(s))?.parse::<f64>().ok()),
            }
        };
        let heads = replies
            .chunks(per + lines)
            .map(|c| {
                let mut pending = score(&c[0])?;
                for v in &c[per..] {
                    if let Some(s) = score(v)? {
                        pending = Some(pending.map_or(s, |p| p.min(s)));
                    }
                }
                let at = |i: usize| -> Result<Option<i64>> {
                    Ok(match c.get(i) {
                        Some(v) => score(v)?.map(|s| s as i64),
                        None => None,
                    })
                };
                Ok(Head {
                    pending,
                    inflight: at(1)?,
                    delayed: at(2)?,
                    scheduled: at(3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((heads, done))
    }
}
