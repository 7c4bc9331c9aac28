//! Claiming: one round trip that acks, recovers and leases (claim.lua, or claim_fast.lua when
//! the last reply said nothing else is due), and waiting for work when there is none.

use super::script::{self, CLAIM, CLAIM_FAST, CLAIM_LEAN, ERR_FULL};
use super::script::{array, int, opt_record, string, AckCode, HeldCode, Lua};
use super::types::*;
use super::{keys, new_token, push_leases, results, Queue};
use crate::task::{ms_to_time, Task};
use anyhow::{Context, Result};
use chrono::Utc;
use std::time::{Duration, Instant};

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
        // Issue 15: claim_fast.lua while the last reply said it may do (invoke falls back to
        // claim.lua when it refuses).
        let fast = want > 0 && self.fast[shard].is_some_and(|until| sent < until);
        // Layout 3's step 5: the lean claim first, while this shard is not known to need more.
        let lean = fast && want <= 1000 && acks.len() <= 1000 && self.lean_may(shard, sent);
        let leaned = if lean {
            self.claim_lean(shard, &args, acks, sent)?
        } else {
            Leaned::Refused
        };
        let used_lean = matches!(leaned, Leaned::Reply(_));
        let reply = match leaned {
            Leaned::Reply(reply) => reply,
            refused => {
                push_leases(&mut args, acks);
                let fast = fast && !matches!(refused, Leaned::Full);
                let script: &Lua = if fast { &CLAIM_FAST } else { &CLAIM };
                self.invoke(shard, script, &args, "claiming a task")?
            }
        };
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
        let leased = !out.tasks.is_empty() || !out.unreadable.is_empty();
        if let Lean::Idle(n) = self.lean[shard] {
            // Back to the lean claim once two claims in a row found work: a queue fed a task
            // at a time (each claim after one finds nothing) stays with the fast claim, which
            // acks and looks at what falls due in one call.
            self.lean[shard] = match (leased, n) {
                (false, _) => Lean::Idle(0),
                (true, 0) => Lean::Idle(1),
                (true, _) => Lean::Try,
            };
        }
        if !leased && used_lean {
            // The lean claim acked and found nothing waiting; it does not look at what falls
            // due when (nor drop the wake markers): claim_fast.lua does, without the acks.
            self.lean[shard] = Lean::Idle(0);
            let mut rest = self.claim_shard(shard, want, opts, &[] as &[Lease])?;
            rest.acked = out.acked;
            return Ok(rest);
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

    /// Whether a fast claim of `shard` goes as the lean one first (`Lean`).
    fn lean_may(&mut self, shard: usize, now: Instant) -> bool {
        if self.grouped || self.events || self.controlled || self.flows {
            return false;
        }
        match self.lean[shard] {
            Lean::Try => true,
            Lean::Idle(_) => false,
            Lean::Off(until) if now >= until => {
                self.lean[shard] = Lean::Try;
                true
            }
            Lean::Off(_) => false,
        }
    }

    /// One call of claim_lean.lua with the claim's `args` (claim_shard's, up to the consumer's
    /// entry) and `acks` as its members; or what it refused, before any write: the claim then
    /// goes as claim_fast.lua (claim.lua when that would refuse too), and a shard's reason is
    /// remembered a while.
    fn claim_lean<L: AsRef<Lease>>(
        &mut self,
        shard: usize,
        args: &[String],
        acks: &[L],
        now: Instant,
    ) -> Result<Leaned> {
        // claim_shard's ARGV in one (claim_lean.lua), without the dead set's cap: lease, want,
        // max attempts, the consumer's entry, the marks, token, consumer; then the members.
        let (marked, seen) = (&args[6], &args[7]);
        let mut lean_args: Vec<String> = Vec::with_capacity(1 + acks.len());
        lean_args.push(format!(
            "{}|{}|{}|{}|{}|{}|{}",
            args[0], args[1], args[4], seen, marked, args[2], args[3]
        ));
        lean_args.extend(
            acks.iter()
                .map(|l| format!("{}\t{}", l.as_ref().id, l.as_ref().token)),
        );
        let k = &self.shards[shard];
        let mut keys: Vec<String> = keys::LEAN_KEYS
            .iter()
            .map(|&key| k.get(key).to_string())
            .collect();
        if !seen.is_empty() {
            keys.push(k.consumers().to_string());
        }
        if !marked.is_empty() {
            keys.push(k.taken().to_string());
        }
        match script::run::<redis::Value, _>(&mut self.conn, &CLAIM_LEAN, &keys, &lean_args) {
            Ok(reply) => {
                self.resent = false;
                Ok(Leaned::Reply(as_fast_reply(reply)))
            }
            Err(e) if e.code() == Some(ERR_FULL) => {
                Ok(match e.detail().and_then(|d| d.split(' ').next()) {
                    Some("shard") => {
                        self.lean[shard] = Lean::Off(now + LEAN_OFF);
                        Leaned::Refused
                    }
                    Some("idle") => {
                        self.lean[shard] = Lean::Idle(0);
                        Leaned::Refused
                    }
                    // claim_fast.lua would refuse them too.
                    Some("due" | "ack") => Leaned::Full,
                    _ => Leaned::Refused,
                })
            }
            Err(e) => Err(self.explain(shard, e, "EVALSHA"))
                .with_context(|| format!("claiming a task on queue '{}'", self.name)),
        }
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

/// Whether a shard's fast claims go as the lean one first (claim_lean.lua).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lean {
    Try,
    /// It refused the shard (groups, events, flows, controls, aging): not before then.
    Off(Instant),
    /// It found nothing waiting: not until two claims in a row lease tasks again (how many
    /// have so far).
    Idle(u8),
}

/// The lean claim's reply `{now, fast until, acks, tasks...}` as claim_fast.lua's: `{now, 0, 0,
/// 0, fast until, acks, ACKED per ack, tasks...}` (it answers only when every ack was its
/// holder's; the three times are looked at only when nothing was leased, which it hands over).
fn as_fast_reply(reply: redis::Value) -> redis::Value {
    let redis::Value::Array(items) = reply else {
        return reply;
    };
    let mut items = items.into_iter();
    let (now, until, acks) = (items.next(), items.next(), items.next());
    let n_ack = match &acks {
        Some(redis::Value::Int(n)) => (*n).max(0) as usize,
        _ => 0,
    };
    let zero = || redis::Value::Int(0);
    let mut out = Vec::with_capacity(6 + n_ack + items.len());
    out.extend([now.unwrap_or(redis::Value::Nil), zero(), zero(), zero()]);
    out.extend([
        until.unwrap_or(redis::Value::Nil),
        acks.unwrap_or(redis::Value::Nil),
    ]);
    out.extend((0..n_ack).map(|_| redis::Value::Int(AckCode::Acked as i64)));
    out.extend(items);
    redis::Value::Array(out)
}

/// What the lean claim answered.
enum Leaned {
    Reply(redis::Value),
    /// Refused before any write: claim_fast.lua does it.
    Refused,
    /// Refused for what claim_fast.lua refuses too (recovery or the consumers' prune due, an
    /// ack not held): claim.lua does it.
    Full,
}

/// How long a shard the lean claim refused goes without it: a shard's groups, events or flows
/// stay for hours, and the fast claim does what it refused; one lean call more every so often
/// notices when they went.
const LEAN_OFF: Duration = Duration::from_secs(10);

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

#[cfg(test)]
mod tests {
    use super::*;
    use redis::Value;

    #[test]
    fn a_lean_reply_reads_as_the_fast_claims() {
        let task = [
            Value::BulkString(b"id".to_vec()),
            Value::BulkString(b"{}".to_vec()),
            Value::BulkString(b"tok".to_vec()),
        ];
        let lean = Value::Array(
            [Value::Int(5), Value::Int(9), Value::Int(2)]
                .into_iter()
                .chain(task.clone())
                .collect(),
        );
        let fast: Vec<Value> = [5, 0, 0, 0, 9, 2, 1, 1]
            .into_iter()
            .map(Value::Int)
            .chain(task)
            .collect();
        assert_eq!(as_fast_reply(lean), Value::Array(fast));
        let none = Value::Array(vec![Value::Int(5), Value::Int(9), Value::Int(0)]);
        assert_eq!(
            as_fast_reply(none),
            Value::Array([5, 0, 0, 0, 9, 0].into_iter().map(Value::Int).collect())
        );
    }
}
