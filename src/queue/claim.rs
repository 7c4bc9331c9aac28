//! Claiming: one round trip that acks, recovers and leases (claim.lua, or claim_fast.lua when
//! the last reply said nothing else is due), and waiting for work when there is none.

use super::script::{array, int, opt_record, string, AckCode, HeldCode, Lua};
use super::script::{CLAIM, CLAIM_FAST};
use super::types::*;
use super::{keys, new_token, push_leases, results, Queue};
use crate::task::{ms_to_time, Task};
use anyhow::{Context, Result};
use chrono::Utc;
use std::time::Duration;

impl Queue {
    /// Acknowledges `acks` and leases up to `opts.count` tasks, in one round trip on a queue
    /// of one shard. Expired leases and due retries are recovered on the way, a few per call.
    /// A sharded queue claims in the order `shards` decides.
    pub fn claim<L: AsRef<Lease>>(
        &mut self,
        opts: &ClaimOptions,
        acks: &[L],
    ) -> Result<ClaimReply> {
        if !self.pinned && !self.appeared()? {
            // Nothing was ever pushed: a claim would write the queue's settings, counters and
            // consumer entry, and a typo'd --queue would be a queue for good. The lease of an
            // ack is lost: the queue was removed under it.
            return Ok(ClaimReply {
                now: Utc::now(),
                acked: vec![false; acks.len()],
                ..ClaimReply::default()
            });
        }
        if !self.weights_looked {
            self.weights_looked = true;
            self.flag_old_weights()?;
        }
        if self.shards.len() == 1 {
            return self.claim_shard(0, opts.count.max(1), opts, acks);
        }
        self.claim_sharded(opts, acks)
    }

    /// One claim script call on one shard: acks, recovery, then up to `want` tasks.
    pub(super) fn claim_shard<L: AsRef<Lease>>(
        &mut self,
        shard: usize,
        want: usize,
        opts: &ClaimOptions,
        acks: &[L],
    ) -> Result<ClaimReply> {
        let token = new_token();
        let lease_ms = opts.lease.as_millis().max(1) as u64;
        let mut args: Vec<String> = vec![
            lease_ms.to_string(),
            want.to_string(),
            token.clone(),
            opts.consumer.clone(),
            opts.max_attempts.to_string(),
            self.dead_cap.to_string(),
            // '1' when an ack's lease was marked delivered: its mark goes with it (layout 2 had
            // the consumer instance of its receipts here).
            if super::take_marked(&mut self.marked, acks) {
                "1".to_string()
            } else {
                String::new()
            },
        ];
        let sent = std::time::Instant::now();
        let seen = self.seen[shard].arg(&opts.consumer, sent);
        let writes_seen = !seen.is_empty();
        args.push(seen);
        push_leases(&mut args, acks);
        // Issue 15: claim_fast.lua while the last reply said it may do (invoke falls back to
        // claim.lua when it refuses).
        let fast = want > 0 && self.fast[shard].is_some_and(|until| sent < until);
        let script: &Lua = if fast { &CLAIM_FAST } else { &CLAIM };
        let reply = self.invoke(shard, script, &args, "claiming a task")?;
        // flows (issue 24): the script sent carried flows.lua (full_claim), whose reply says
        // whether the shard still has flows, before the tail of controls.
        let carried_flows = self.controlled || self.flows;
        let items = array(reply)?;
        let now_ms = int(items.first())?;
        let now = ms_to_time(now_ms);
        let next_retry = int(items.get(1))?;
        let next_expiry = int(items.get(2))?;
        let next_due = int(items.get(3))?;
        let fast_until = int(items.get(4))?;
        // controls (issue 13): the claim of a queue with controls (invoke picks it) ends with
        // what held waiting tasks back, until when, and whether the queue still has controls.
        let mut items = items;
        let (held, controlled) = if self.controlled {
            let tail = items.split_off(items.len().saturating_sub(3));
            let until = int(tail.get(1))?;
            let held = match HeldCode::from_reply(tail.first().unwrap_or(&redis::Value::Nil))? {
                HeldCode::None => None,
                code => Some(Held {
                    by: match code {
                        HeldCode::Paused => HeldBy::Paused,
                        HeldCode::Rate => HeldBy::Rate,
                        _ => HeldBy::InFlight,
                    },
                    until: (until > 0).then(|| ms_to_time(until)),
                }),
            };
            (held, int(tail.get(2))? == 1)
        } else {
            (None, false)
        };
        self.controlled = controlled;
        let mut outbox = false;
        if carried_flows {
            let on = int(items.pop().as_ref())?;
            self.flows = on >= 1;
            self.flows_seen |= self.flows;
            // 2: lines in the outbox, for a child in another queue (flows.rs: move_outbox).
            outbox = on == 2;
        }
        const FIRST_ACK: usize = 6;
        let n_ack = int(items.get(FIRST_ACK - 1))? as usize;
        let codes = (0..n_ack)
            .map(|i| AckCode::from_reply(&items[FIRST_ACK + i]))
            .collect::<Result<Vec<_>>>()?;
        let fresh = codes.iter().filter(|c| **c == AckCode::Acked).count();
        self.floor_acked(shard, fresh);
        if writes_seen {
            self.seen[shard].at = Some(sent);
        } else {
            self.seen[shard].owed += fresh as u64;
        }
        let acked = codes.iter().map(|c| c.ours()).collect();
        let mut out = ClaimReply {
            now,
            acked,
            next_retry: (next_retry > 0).then(|| ms_to_time(next_retry)),
            next_expiry: (next_expiry > 0).then(|| ms_to_time(next_expiry)),
            next_due: (next_due > 0).then(|| ms_to_time(next_due)),
            held,
            controlled,
            ..ClaimReply::default()
        };
        self.fast[shard] = (fast_until > now_ms)
            .then(|| sent + Duration::from_millis((fast_until - now_ms) as u64));
        for (k, chunk) in items[FIRST_ACK + n_ack..].chunks(3).enumerate() {
            let id = string(chunk.first())?;
            // The token is the in-flight member after the id (common.lua), the attempt in it.
            let token = string(chunk.get(2))?;
            let attempt = super::stored::Member::attempt_of(&token)
                .with_context(|| format!("claiming a task: a token of another shape: {token}"))?;
            let body = opt_record(chunk.get(1))?;
            let parsed = match body {
                Some(b) => Task::from_stored(&id, &b, attempt),
                None => Err("stored body is missing".to_string()),
            };
            match parsed {
                Ok(task) => out.tasks.push(Claimed {
                    task,
                    token,
                    claimed_at: now,
                    fence: fence(now_ms, k),
                }),
                Err(reason) => out.unreadable.push(Unreadable {
                    lease: Lease { id, token },
                    reason,
                    attempt,
                }),
            }
        }
        if self.swept[shard].is_none_or(|t| t.elapsed() >= results::SWEEP_EVERY) {
            self.swept[shard] = Some(sent);
            // The tasks are claimed: a failure here must not lose them, and the next look
            // (or the next ack that keeps a result) does the sweep instead.
            let _ = self.sweep_results(shard, now_ms);
        }
        // Likewise: a line not moved stays, and the next claim says so again.
        if outbox {
            self.move_outbox_quietly(shard);
        }
        Ok(out)
    }

    /// Blocks for at most `timeout` until a push signals new work. Returns true when woken.
    /// The caller checks for shutdown between calls, as a signal does not interrupt the read.
    /// A sharded queue waits on shard 0's list and the queue-wide one (see `wake_others`):
    /// both carry shard 0's hash tag, so one BLPOP serves, also on a cluster.
    pub fn wait_for_work(&mut self, timeout: Duration) -> Result<bool> {
        let secs = timeout.as_secs_f64().clamp(0.01, 1.0);
        let mut cmd = redis::cmd("BLPOP");
        cmd.arg(self.shards[0].wake());
        if self.shards.len() > 1 {
            cmd.arg(keys::wake_all(&self.name));
        }
        let woke: Option<(String, String)> = cmd
            .arg(format!("{secs:.3}"))
            .query(&mut self.conn)
            .map_err(|e| self.explain(0, e, "BLPOP"))
            .with_context(|| format!("waiting for tasks on queue '{}'", self.name))?;
        self.resent = false;
        // 's': the schedules changed (schedule.lua); the consumer loads them again.
        if woke.as_ref().is_some_and(|(_, m)| m == "s") {
            self.schedules_changed = true;
        }
        Ok(woke.is_some())
    }

    /// A wake-up seen by another connection (a consumer's listener) said the schedules changed.
    pub fn note_schedules_changed(&mut self) {
        self.schedules_changed = true;
    }

    /// Whether a wake-up since the last call said the schedules changed.
    pub fn take_schedules_changed(&mut self) -> bool {
        std::mem::take(&mut self.schedules_changed)
    }

    /// Wakes one idle consumer of the queue: what a consumer's own timer does when a scheduled
    /// task, a retry or a schedule's slot falls due (Redis times out a BLPOP only at its
    /// 10-a-second cron, too coarse for that).
    pub fn nudge(&mut self) -> Result<()> {
        let key = self.shards[0].wake().to_string();
        self.mark_wake(&key, 1)
    }
}

/// The fencing token of the `k`th task of a claim answered at `now_ms` by the server's clock
/// (issue 25, `RPQ_FENCE`): the claim's time in ms times 1,000 plus its place in the claim (a
/// claim takes at most 1,000 tasks). Claims are run one at a time by the server whose clock
/// stamps them, so a later claim of the same task always gets a larger number (a lease cannot
/// run out in the millisecond it was taken); across tasks it grows with time, and two claims by
/// different consumers in the same millisecond may tie. Below 2^53 until the year 2255, so
/// exact in JSON and in a shell's arithmetic.
pub fn fence(now_ms: i64, k: usize) -> u64 {
    (now_ms.max(0) as u64) * 1000 + k.min(999) as u64
}
