//! The worker engine behind `rpq consume` and the demo's consumers: the claim loop, the idle
//! wait, running each task (a handler, or simulated work), acks that ride on the next claim,
//! failures with backoff, the heartbeat, and graceful shutdown. It knows no flags and prints
//! only through `Output`.

mod acks;
pub mod handler;
mod heartbeat;
mod slots;
pub mod waker;

use crate::config::Config;
use crate::error::Interrupted;
use crate::output::{note, Finished, Outcome, Output};
use crate::queue::{
    ClaimOptions, ClaimReply, Claimed, Failed, HeldBy, Lease, LeaseState, Queue, Unreadable,
};
use crate::reconnect::{retry, retry_idle};
use crate::shutdown::Shutdown;
use acks::{PendingAcks, ACK_WINDOW};
use anyhow::Result;
use chrono::Utc;
use handler::{Handler, HandlerResult};
use heartbeat::Heartbeat;
use rand::Rng;
use slots::Slots;
use std::time::{Duration, Instant};
use waker::Waker;

/// An idle consumer claims now and then even without a wake-up, so that it shows as alive in
/// `stats` and recovers expired leases of dead consumers.
const IDLE_CLAIM_EVERY: Duration = Duration::from_secs(5);

/// Backoff never grows past this.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct Options {
    pub name: String,
    pub delay: Duration,
    pub count: Option<u64>,
    pub drain: bool,
    pub exec: Option<String>,
    pub exec_timeout: Option<Duration>,
    pub lease: Duration,
    pub max_attempts: u32,
    pub backoff: Duration,
    pub prefetch: usize,
}

impl Options {
    /// What the demo's consumers and a plain `rpq consume` use: simulated work of `delay`.
    pub fn simulated(name: &str, delay: Duration) -> Options {
        Options {
            name: name.to_string(),
            delay,
            count: None,
            drain: false,
            exec: None,
            exec_timeout: None,
            lease: Duration::from_secs(30),
            max_attempts: 3,
            backoff: Duration::from_secs(1),
            prefetch: 1,
        }
    }
}

/// What a consumer did, for its exit status.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub done: u64,
    pub failed: u64,
    pub unreadable: u64,
}

/// Runs a consumer until `--count` tasks are done, a drain finds nothing, or the first signal;
/// a second signal hands back what it holds and returns `Interrupted`.
pub fn run(cfg: &Config, o: &Options, sd: &Shutdown, out: &Output) -> Result<Summary> {
    let mut c = Consumer::new(cfg, o, sd, out)?;
    let result = c.work();
    if result.is_err() {
        c.hand_back_all();
    }
    result
}

/// Whether the loop goes on after a step.
enum Next {
    Go,
    Stop,
}

struct Consumer<'a> {
    o: &'a Options,
    sd: &'a Shutdown,
    out: &'a Output,
    q: Queue,
    heartbeat: Heartbeat,
    handler: Option<Handler>,
    claim: ClaimOptions,
    acks: PendingAcks,
    summary: Summary,
    // Time (issue 12): recurring schedules fired between claims, and the timer that ends an
    // idle wait when something falls due.
    slots: Slots,
    waker: Waker,
    // controls (issue 13): whether the last idle claim found the queue paused (said once).
    paused_said: bool,
}

impl<'a> Consumer<'a> {
    fn new(cfg: &Config, o: &'a Options, sd: &'a Shutdown, out: &'a Output) -> Result<Self> {
        let q = Queue::open(cfg)?;
        Ok(Consumer {
            o,
            sd,
            out,
            q,
            heartbeat: Heartbeat::start(cfg.clone(), o.name.clone(), o.lease),
            handler: o.exec.as_ref().map(|cmd| Handler {
                command: cmd.clone(),
                timeout: o.exec_timeout,
                queue: cfg.queue.clone(),
            }),
            claim: ClaimOptions {
                consumer: o.name.clone(),
                lease: o.lease,
                max_attempts: o.max_attempts,
                count: o.prefetch.max(1),
            },
            acks: PendingAcks::default(),
            summary: Summary::default(),
            slots: Slots::default(),
            waker: Waker::start(cfg.clone()),
            paused_said: false,
        })
    }

    fn finished(&self) -> u64 {
        self.summary.done + self.summary.failed
    }

    fn count_reached(&self) -> bool {
        self.o.count.is_some_and(|n| self.finished() >= n)
    }

    fn work(&mut self) -> Result<Summary> {
        loop {
            if self.sd.stop_requested() || self.count_reached() {
                break;
            }
            let Some(reply) = self.claim()? else { break };
            self.bury(&reply.unreadable)?;
            if reply.tasks.is_empty() {
                if !reply.unreadable.is_empty() {
                    continue;
                }
                match self.idle(&reply)? {
                    Next::Go => continue,
                    Next::Stop => break,
                }
            }
            self.paused_said = false;
            self.run_tasks(reply.tasks)?;
        }
        self.flush_acks()?;
        if self.sd.abort_requested() {
            return Err(Interrupted.into());
        }
        Ok(self.summary)
    }

    /// One claim, carrying the acks that wait. None when a first signal came during an outage
    /// and nothing was at stake.
    fn claim(&mut self) -> Result<Option<ClaimReply>> {
        let want = match self.o.count {
            Some(n) => (n - self.finished()).min(self.claim.count as u64) as usize,
            None => self.claim.count,
        };
        let opts = ClaimOptions {
            count: want,
            ..self.claim.clone()
        };
        let acks = &self.acks;
        let reply = if acks.is_empty() {
            match retry_idle(&mut self.q, self.sd, |q| q.claim(&opts, acks.as_slice()))? {
                Some(reply) => reply,
                None => return Ok(None),
            }
        } else {
            retry(&mut self.q, self.sd, |q| q.claim(&opts, acks.as_slice()))?
        };
        // Held from here on: if printing fails below, `hand_back_all` returns them.
        self.heartbeat.track(&reply.tasks);
        self.settle_acks(&reply.acked)?;
        // Recurring schedules: fire the slot that fell due, by the server's clock.
        let (slots, now) = (&mut self.slots, reply.now.timestamp_millis());
        retry(&mut self.q, self.sd, |q| slots.tick(q, now))?;
        Ok(Some(reply))
    }

    /// Tasks whose body cannot be read go to the dead set with the reason.
    fn bury(&mut self, unreadable: &[Unreadable]) -> Result<()> {
        for u in unreadable {
            self.summary.unreadable += 1;
            let r = retry(&mut self.q, self.sd, |q| {
                q.fail(&u.lease, Duration::ZERO, &u.reason, true)
            })?;
            if r == Failed::Dead {
                note(&format!(
                    "task {} cannot be read ({}); moved it to the dead set",
                    u.lease.id, u.reason
                ));
            }
        }
        Ok(())
    }

    /// Nothing was claimed: block until a push wakes us, a retry or a lease falls due, or it is
    /// time for an idle claim.
    fn idle(&mut self, reply: &ClaimReply) -> Result<Next> {
        // controls (issue 13): tasks held back by a pause or a limit are still waiting, so a
        // drain waits for them too; a pause is said once, as it keeps the consumer idle.
        if self.o.drain && reply.next_retry.is_none() && reply.held.is_none() {
            return Ok(Next::Stop);
        }
        let paused = reply.held.is_some_and(|h| h.by == HeldBy::Paused);
        if paused && !self.paused_said {
            note(&format!(
                "queue '{}' is paused; {} waits for `rpq resume`",
                self.q.name(),
                self.o.name
            ));
        }
        self.paused_said = paused;
        let now = reply.now;
        let slot = self.slots.next_ms().map(crate::task::ms_to_time);
        let next = [reply.look_again().map(|(t, _)| t), slot]
            .into_iter()
            .flatten()
            .min()
            .map(|t| (t - now).to_std().unwrap_or_default());
        let due = next.unwrap_or(IDLE_CLAIM_EVERY).min(IDLE_CLAIM_EVERY);
        let until = Instant::now() + due;
        // A BLPOP ends at a due time only to the tenth of a second: the waker ends it on time.
        if next.is_some_and(|d| d < IDLE_CLAIM_EVERY) {
            self.waker.at(Some(until));
        }
        loop {
            if self.sd.stop_requested() {
                break;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if retry_idle(&mut self.q, self.sd, |q| q.wait_for_work(left))?.unwrap_or(true) {
                break;
            }
        }
        self.waker.at(None);
        if self.sd.abort_requested() {
            return Err(Interrupted.into());
        }
        Ok(Next::Go)
    }

    /// Runs the claimed tasks one after the other.
    fn run_tasks(&mut self, tasks: Vec<Claimed>) -> Result<()> {
        let mut tasks = tasks.into_iter();
        while let Some(c) = tasks.next() {
            if self.sd.stop_requested() && self.finished() > 0 && self.o.prefetch > 1 {
                // Prefetched but not started: back to the queue for someone else.
                let rest: Vec<Claimed> = std::iter::once(c).chain(tasks.by_ref()).collect();
                self.hand_back(&rest)?;
                return Ok(());
            }
            let lease = c.lease();
            // cancel (issue 13): a prefetched task cancelled before its turn is not started.
            if self.heartbeat.take_cancelled(&lease) {
                self.heartbeat.untrack(&c.task.id);
                self.out.finished(&self.cancelled_line(&c))?;
                continue;
            }
            self.out.got(&self.o.name, &c.task)?;
            let started = Instant::now();
            let hb = &self.heartbeat;
            let cancelled = || hb.cancelled(&lease);
            let result = match &self.handler {
                Some(h) => h.run(&c.task, self.sd, &cancelled, self.out)?,
                None => simulate(self.o.delay, self.sd, &cancelled),
            };
            let lost = self.heartbeat.untrack(&c.task.id);
            let cancelled =
                self.heartbeat.take_cancelled(&lease) || matches!(result, HandlerResult::Cancelled);
            let line = Finished {
                task: c.task.clone(),
                consumer: self.o.name.clone(),
                claimed_at: c.claimed_at,
                finished_at: Utc::now(),
                outcome: Outcome::Done,
                error: None,
            };
            match result {
                HandlerResult::Aborted => {
                    // Finished tasks are acknowledged before the rest goes back.
                    self.flush_acks()?;
                    let held: Vec<Claimed> = std::iter::once(c).chain(tasks.by_ref()).collect();
                    self.hand_back(&held)?;
                    return Err(Interrupted.into());
                }
                // Cancelled while it ran, or just after: it is gone from Redis, so no ack.
                _ if cancelled => self.out.finished(&Finished {
                    outcome: Outcome::Cancelled,
                    ..line
                })?,
                _ if lost => {
                    self.out.finished(&Finished {
                        outcome: Outcome::Lost,
                        error: Some("the lease expired before the task finished".into()),
                        ..line
                    })?;
                }
                HandlerResult::Done => self.done(&c, line, started, tasks.len() > 0)?,
                HandlerResult::Failed(why) => self.failed(&c, line, why)?,
                HandlerResult::Cancelled => unreachable!("reported as cancelled above"),
            }
        }
        Ok(())
    }

    /// A task done: its ack waits for the next claim, unless this was the last task or tasks
    /// are slow, then it goes at once.
    fn done(
        &mut self,
        c: &Claimed,
        line: Finished,
        started: Instant,
        more_in_hand: bool,
    ) -> Result<()> {
        self.summary.done += 1;
        self.acks.push(c.lease(), line);
        // Until its ack goes out, a finished task keeps its lease extended.
        self.heartbeat.track(std::slice::from_ref(c));
        let last = self.sd.stop_requested() || self.count_reached();
        let slow = started.elapsed() >= ACK_WINDOW || self.acks.overdue();
        if last || (slow && more_in_hand) {
            self.flush_acks()?;
        }
        Ok(())
    }

    fn failed(&mut self, c: &Claimed, line: Finished, why: String) -> Result<()> {
        self.summary.failed += 1;
        let wait = backoff(self.o.backoff, c.task.attempt);
        let lease = c.lease();
        let r = retry(&mut self.q, self.sd, |q| q.fail(&lease, wait, &why, false))?;
        let outcome = match r {
            Failed::Retry => Outcome::Retry,
            Failed::Dead => Outcome::Dead,
            Failed::LeaseLost if self.was_cancelled(&[&lease])?[0] => Outcome::Cancelled,
            Failed::LeaseLost => Outcome::Lost,
        };
        self.out.finished(&Finished {
            error: (outcome != Outcome::Cancelled).then_some(why),
            outcome,
            ..line
        })?;
        Ok(())
    }

    // cancel (issue 13): how a consumer tells a cancelled task from a lost lease.

    /// For each lease refused by an ack, a fail or a release: whether its task was cancelled
    /// (rather than its lease lost). The heartbeat may know it already; else one look asks
    /// Redis, which finds the mark and removes the task.
    fn was_cancelled(&mut self, leases: &[&Lease]) -> Result<Vec<bool>> {
        let mut out: Vec<bool> = leases
            .iter()
            .map(|l| self.heartbeat.take_cancelled(l))
            .collect();
        let ask: Vec<&Lease> = leases
            .iter()
            .zip(&out)
            .filter(|(_, known)| !**known)
            .map(|(l, _)| *l)
            .collect();
        if ask.is_empty() {
            return Ok(out);
        }
        let name = &self.o.name;
        let states = retry(&mut self.q, self.sd, |q| q.look(name, &ask))?;
        let mut states = states.into_iter();
        for known in out.iter_mut().filter(|k| !**k) {
            *known = states.next() == Some(LeaseState::Cancelled);
        }
        Ok(out)
    }

    /// The line of a task cancelled before it started.
    fn cancelled_line(&self, c: &Claimed) -> Finished {
        Finished {
            task: c.task.clone(),
            consumer: self.o.name.clone(),
            claimed_at: c.claimed_at,
            finished_at: Utc::now(),
            outcome: Outcome::Cancelled,
            error: None,
        }
    }

    /// Sends the acks that wait now, and prints their lines.
    fn flush_acks(&mut self) -> Result<()> {
        if self.acks.is_empty() {
            return Ok(());
        }
        let acks = &self.acks;
        let name = &self.o.name;
        let acked = retry(&mut self.q, self.sd, |q| q.ack(name, acks.as_slice()))?;
        self.settle_acks(&acked)
    }

    /// The acks that went out came back: stop extending them and print their lines.
    fn settle_acks(&mut self, acked: &[bool]) -> Result<()> {
        let refused: Vec<Lease> = self
            .acks
            .as_slice()
            .iter()
            .zip(acked)
            .filter(|(_, ok)| !**ok)
            .map(|(p, _)| p.lease.clone())
            .collect();
        let cancelled: Vec<bool> = if refused.is_empty() {
            vec![]
        } else {
            let was = self.was_cancelled(&refused.iter().collect::<Vec<_>>())?;
            let mut was = was.into_iter();
            acked
                .iter()
                .map(|ok| !ok && was.next().unwrap_or(false))
                .collect()
        };
        self.heartbeat.untrack_all_of(self.acks.as_slice());
        for f in self.acks.settle(acked, &cancelled) {
            self.out.finished(&f)?;
        }
        Ok(())
    }

    /// Hands tasks in hand back to the queue, unprocessed, with no attempt counted.
    fn hand_back(&mut self, held: &[Claimed]) -> Result<()> {
        let leases: Vec<Lease> = held.iter().map(Claimed::lease).collect();
        // A release that cannot reach Redis is not fatal: the lease expires and the task returns.
        let flags = retry(&mut self.q, self.sd, |q| q.release(&leases)).unwrap_or_default();
        self.heartbeat.take();
        for (c, ok) in held
            .iter()
            .zip(flags.iter().copied().chain(std::iter::repeat(false)))
        {
            let outcome = if ok {
                Outcome::Released
            } else if self.was_cancelled(&[&c.lease()]).unwrap_or_default() == [true] {
                Outcome::Cancelled
            } else {
                Outcome::Lost
            };
            self.out.finished(&Finished {
                task: c.task.clone(),
                consumer: self.o.name.clone(),
                claimed_at: c.claimed_at,
                finished_at: Utc::now(),
                outcome,
                error: None,
            })?;
        }
        Ok(())
    }

    /// After an error, most often stdout closed under `rpq consume --json | head -1`:
    /// acknowledges what is done and hands back what is held, once and quietly, so no task
    /// waits for its lease to expire or has an attempt counted against it. When Redis is what
    /// failed, this fails too, and the leases expire and return the tasks as after a crash.
    fn hand_back_all(&mut self) {
        if !self.acks.is_empty() {
            let _ = self.q.ack(&self.o.name, self.acks.as_slice());
        }
        let held = self.heartbeat.take();
        if !held.is_empty() {
            let _ = self.q.release(&held);
        }
    }
}

/// `--delay`: simulated work that a second signal or a cancel cuts short.
fn simulate(delay: Duration, sd: &Shutdown, cancelled: &dyn Fn() -> bool) -> HandlerResult {
    let end = Instant::now() + delay;
    while Instant::now() < end {
        if sd.abort_requested() {
            return HandlerResult::Aborted;
        }
        if cancelled() {
            return HandlerResult::Cancelled;
        }
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(20)));
    }
    HandlerResult::Done
}

/// Exponential in the attempt, with jitter so failed tasks do not come back in lockstep.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    exp.min(MAX_BACKOFF)
        .mul_f64(rand::rng().random_range(0.75..1.25))
}

/// `HOST-PID`: distinct for every consumer process on every machine.
pub fn default_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let host = if ok {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "host".to_string()
    };
    format!("{host}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_the_attempt_and_is_capped() {
        let base = Duration::from_secs(1);
        let first = backoff(base, 1);
        assert!(first >= Duration::from_millis(750) && first <= Duration::from_millis(1250));
        let third = backoff(base, 3);
        assert!(third >= Duration::from_secs(3) && third <= Duration::from_secs(5));
        assert!(backoff(base, 40) <= MAX_BACKOFF.mul_f64(1.25));
    }

    #[test]
    fn default_names_differ_by_process() {
        assert!(default_name().ends_with(&format!("-{}", std::process::id())));
    }
}
