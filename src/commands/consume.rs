//! `rpq consume`: claim, process, acknowledge. Also the consumer loop of `rpq demo`.

use crate::cli::ConsumeArgs;
use crate::config::Config;
use crate::error::{DataError, Interrupted};
use crate::handler::{Handler, HandlerResult};
use crate::output::{note, Finished, Outcome, Output};
use crate::queue::{ClaimOptions, Claimed, Failed, Queue};
use crate::reconnect::{retry, retry_idle};
use crate::shutdown::Shutdown;
use anyhow::Result;
use chrono::Utc;
use rand::Rng;
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// An idle consumer claims now and then even without a wake-up, so that it shows as alive in
/// `stats` and recovers expired leases of dead consumers.
const IDLE_CLAIM_EVERY: Duration = Duration::from_secs(5);

/// With `--prefetch`, the ack of a finished task waits for the next claim to carry it, but no
/// longer than this: `stats` stays current and a crash redoes little finished work.
const ACK_WINDOW: Duration = Duration::from_millis(50);

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
    pub fn from_args(a: &ConsumeArgs) -> Options {
        Options {
            name: a.name.clone().unwrap_or_else(default_name),
            delay: a.delay,
            count: a.count,
            drain: a.drain,
            exec: a.exec.clone(),
            exec_timeout: a.exec_timeout,
            lease: a.lease.max(Duration::from_millis(100)),
            max_attempts: a.max_attempts,
            backoff: a.backoff,
            prefetch: a.prefetch as usize,
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

pub fn run(cfg: &Config, args: &ConsumeArgs) -> Result<ExitCode> {
    let sd = Shutdown::install()?;
    let opts = Options::from_args(args);
    let out = Output::new(cfg.json, cfg.color);
    let summary = consume(cfg, &opts, &sd, &out)?;
    // A bounded run that met unreadable tasks reports bad data; a daemon just goes on.
    if summary.unreadable > 0 && (opts.drain || opts.count.is_some()) {
        return Err(DataError(format!(
            "{} stored task(s) could not be read and were moved to the dead set; see `rpq dead list`",
            summary.unreadable
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The consumer loop. Returns after `--count` tasks, after a drain, or on the first signal;
/// a second signal hands back what it holds and returns `Interrupted`.
pub fn consume(cfg: &Config, o: &Options, sd: &Shutdown, out: &Output) -> Result<Summary> {
    let mut q = Queue::open(cfg)?;
    let heartbeat = Heartbeat::start(cfg.clone(), o.name.clone(), o.lease);
    // Finished tasks whose ack rides along with the next claim: one round trip for both.
    let mut tokens: Vec<(String, String)> = Vec::new();
    let result = work(cfg, o, sd, out, &mut q, &heartbeat, &mut tokens);
    if result.is_err() {
        hand_back(&mut q, &o.name, &heartbeat, &tokens);
    }
    result
}

/// After an error, most often stdout closed under `rpq consume --json | head -1`: acknowledges
/// what is done and hands back what is held, once and quietly, so no task waits for its lease
/// to expire or has an attempt counted against it. When Redis is what failed, this fails too,
/// and the leases expire and return the tasks as they would after a crash.
fn hand_back(q: &mut Queue, name: &str, heartbeat: &Heartbeat, tokens: &[(String, String)]) {
    if !tokens.is_empty() {
        let _ = q.ack(name, tokens);
    }
    let held = heartbeat.take_all();
    if !held.is_empty() {
        let _ = q.release(&held);
    }
}

fn work(
    cfg: &Config,
    o: &Options,
    sd: &Shutdown,
    out: &Output,
    q: &mut Queue,
    heartbeat: &Heartbeat,
    tokens: &mut Vec<(String, String)>,
) -> Result<Summary> {
    let handler = o.exec.as_ref().map(|cmd| Handler {
        command: cmd.clone(),
        timeout: o.exec_timeout,
        queue: cfg.queue.clone(),
        stdout_to_stderr: cfg.json,
    });
    let claim_opts = ClaimOptions {
        consumer: o.name.clone(),
        lease: o.lease,
        max_attempts: o.max_attempts,
        count: o.prefetch.max(1),
    };
    let mut summary = Summary::default();
    // The result lines of the tasks in `tokens`, printed once their ack comes back.
    let mut to_ack: Vec<Finished> = Vec::new();
    let mut deferred_since: Option<Instant>;

    loop {
        let finished_count = summary.done + summary.failed;
        if sd.stop_requested() || o.count.is_some_and(|n| finished_count >= n) {
            break;
        }
        let want = match o.count {
            Some(n) => (n - finished_count).min(claim_opts.count as u64) as usize,
            None => claim_opts.count,
        };
        let opts = ClaimOptions {
            count: want,
            ..claim_opts.clone()
        };
        let reply = if tokens.is_empty() {
            match retry_idle(q, sd, |q| q.claim(&opts, tokens))? {
                Some(reply) => reply,
                None => break,
            }
        } else {
            retry(q, sd, |q| q.claim(&opts, tokens))?
        };
        heartbeat.forget(tokens);
        tokens.clear();
        deferred_since = None;
        // Held from here on: if printing fails below, `hand_back` releases them.
        heartbeat.hold(&reply.tasks);
        report_acks(out, &mut to_ack, &reply.acked)?;

        for u in &reply.unreadable {
            summary.unreadable += 1;
            let r = retry(q, sd, |q| {
                q.fail(&u.id, &u.token, Duration::ZERO, &u.reason, true)
            })?;
            if r == Failed::Dead {
                note(&format!(
                    "task {} cannot be read ({}); moved it to the dead set",
                    u.id, u.reason
                ));
            }
        }

        if reply.tasks.is_empty() {
            if !reply.unreadable.is_empty() {
                continue;
            }
            if o.drain && reply.next_retry.is_none() {
                break;
            }
            // Block until a push wakes us, a retry falls due, or it is time for an idle claim.
            let now = reply.now;
            let due = [reply.next_retry, reply.next_expiry]
                .into_iter()
                .flatten()
                .min()
                .map(|t| (t - now).to_std().unwrap_or_default())
                .unwrap_or(IDLE_CLAIM_EVERY)
                .min(IDLE_CLAIM_EVERY);
            let until = Instant::now() + due;
            loop {
                if sd.stop_requested() {
                    break;
                }
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                if retry_idle(q, sd, |q| q.wait_for_work(left))?.unwrap_or(true) {
                    break;
                }
            }
            if sd.abort_requested() {
                return Err(Interrupted.into());
            }
            continue;
        }

        let mut tasks = reply.tasks.into_iter();
        while let Some(c) = tasks.next() {
            if sd.stop_requested() && summary.done + summary.failed > 0 && o.prefetch > 1 {
                // Prefetched but not started: back to the queue for someone else.
                let rest: Vec<Claimed> = std::iter::once(c).chain(tasks.by_ref()).collect();
                release(q, sd, out, &o.name, &rest)?;
                heartbeat.drop_all();
                break;
            }
            out.got(&o.name, &c.task)?;
            let started = Instant::now();
            let result = match &handler {
                Some(h) => h.run(&c.task, sd)?,
                None => simulate(o.delay, sd),
            };
            let lost = heartbeat.release(&c.task.id);
            let mut f = Finished {
                task: c.task.clone(),
                consumer: o.name.clone(),
                claimed_at: c.claimed_at,
                finished_at: Utc::now(),
                outcome: Outcome::Done,
                error: None,
            };
            match result {
                HandlerResult::Aborted => {
                    // Finished tasks are acknowledged before the rest goes back.
                    flush_acks(q, sd, out, &o.name, heartbeat, tokens, &mut to_ack)?;
                    let mut held = vec![c];
                    held.extend(tasks.by_ref());
                    release(q, sd, out, &o.name, &held)?;
                    heartbeat.drop_all();
                    return Err(Interrupted.into());
                }
                _ if lost => {
                    f.outcome = Outcome::Lost;
                    f.error = Some("the lease expired before the task finished".into());
                    out.finished(&f)?;
                }
                HandlerResult::Done => {
                    summary.done += 1;
                    tokens.push((c.task.id.clone(), c.token.clone()));
                    to_ack.push(f);
                    // Until its ack goes out, a finished task keeps its lease extended.
                    heartbeat.hold(std::slice::from_ref(&c));
                    let since = *deferred_since.get_or_insert_with(Instant::now);
                    let last = sd.stop_requested()
                        || o.count.is_some_and(|n| summary.done + summary.failed >= n);
                    // Acks wait for the next claim to ride along, but only while tasks are
                    // quick: a slow task, or acks waiting too long, send them at once.
                    let slow = started.elapsed() >= ACK_WINDOW || since.elapsed() >= ACK_WINDOW;
                    if last || (slow && tasks.len() > 0) {
                        flush_acks(q, sd, out, &o.name, heartbeat, tokens, &mut to_ack)?;
                        deferred_since = None;
                    }
                }
                HandlerResult::Failed(why) => {
                    summary.failed += 1;
                    let wait = backoff(o.backoff, c.task.attempt);
                    let r = retry(q, sd, |q| q.fail(&c.task.id, &c.token, wait, &why, false))?;
                    f.outcome = match r {
                        Failed::Retry => Outcome::Retry,
                        Failed::Dead => Outcome::Dead,
                        Failed::LeaseLost => Outcome::Lost,
                    };
                    f.error = Some(why);
                    out.finished(&f)?;
                }
            }
        }
    }
    flush_acks(q, sd, out, &o.name, heartbeat, tokens, &mut to_ack)?;
    if sd.abort_requested() {
        return Err(Interrupted.into());
    }
    Ok(summary)
}

/// Acknowledges the finished tasks whose acks were waiting to ride on the next claim, at once,
/// and prints their result lines.
fn flush_acks(
    q: &mut Queue,
    sd: &Shutdown,
    out: &Output,
    name: &str,
    heartbeat: &Heartbeat,
    tokens: &mut Vec<(String, String)>,
    to_ack: &mut Vec<Finished>,
) -> Result<()> {
    if tokens.is_empty() {
        return Ok(());
    }
    let acked = retry(q, sd, |q| q.ack(name, tokens))?;
    heartbeat.forget(tokens);
    tokens.clear();
    report_acks(out, to_ack, &acked)
}

/// Prints the result lines of tasks whose acks just came back.
fn report_acks(out: &Output, to_ack: &mut Vec<Finished>, acked: &[bool]) -> Result<()> {
    for (mut f, ok) in to_ack.drain(..).zip(acked.iter().copied()) {
        if !ok {
            f.outcome = Outcome::Lost;
            f.error =
                Some("the lease expired before the ack; another consumer has the task".into());
        }
        out.finished(&f)?;
    }
    Ok(())
}

fn release(q: &mut Queue, sd: &Shutdown, out: &Output, name: &str, held: &[Claimed]) -> Result<()> {
    let leases: Vec<(String, String)> = held
        .iter()
        .map(|c| (c.task.id.clone(), c.token.clone()))
        .collect();
    // A release that cannot reach Redis is not fatal: the lease expires and the task returns.
    let flags = retry(q, sd, |q| q.release(&leases)).unwrap_or_default();
    for (c, ok) in held
        .iter()
        .zip(flags.iter().copied().chain(std::iter::repeat(false)))
    {
        out.finished(&Finished {
            task: c.task.clone(),
            consumer: name.to_string(),
            claimed_at: c.claimed_at,
            finished_at: Utc::now(),
            outcome: if ok { Outcome::Released } else { Outcome::Lost },
            error: None,
        })?;
    }
    Ok(())
}

/// `--delay`: simulated work that a second signal cuts short.
fn simulate(delay: Duration, sd: &Shutdown) -> HandlerResult {
    let end = Instant::now() + delay;
    while Instant::now() < end {
        if sd.abort_requested() {
            return HandlerResult::Aborted;
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

/// Extends the leases of the tasks in hand from its own thread and connection, about every
/// lease/3, so a task that takes longer than its lease is never taken from a live consumer.
struct Heartbeat {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    held: Mutex<Vec<(String, String)>>,
    lost: Mutex<HashSet<String>>,
    stop: AtomicBool,
}

impl Heartbeat {
    fn start(cfg: Config, consumer: String, lease: Duration) -> Heartbeat {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let every = lease / 3;
        let thread = std::thread::Builder::new()
            .name("heartbeat".into())
            .spawn(move || {
                let mut q: Option<Queue> = None;
                let mut said = false;
                loop {
                    std::thread::park_timeout(every);
                    if s.stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let held = s.held.lock().unwrap().clone();
                    if held.is_empty() {
                        continue;
                    }
                    if q.is_none() {
                        q = Queue::open(&cfg).ok();
                    }
                    let Some(conn) = q.as_mut() else { continue };
                    match conn.extend(&consumer, &held, lease) {
                        Ok(flags) => {
                            said = false;
                            let mut lost = s.lost.lock().unwrap();
                            for ((id, _), ok) in held.iter().zip(flags) {
                                if !ok {
                                    lost.insert(id.clone());
                                }
                            }
                        }
                        Err(e) => {
                            // The main loop reports connection trouble; one line here is enough.
                            if !said {
                                note(&format!("cannot extend a lease: {e:#}"));
                                said = true;
                            }
                            q = None;
                        }
                    }
                }
            })
            .expect("spawning the heartbeat thread");
        Heartbeat {
            shared,
            thread: Some(thread),
        }
    }

    fn hold(&self, tasks: &[Claimed]) {
        let mut held = self.shared.held.lock().unwrap();
        held.extend(tasks.iter().map(|c| (c.task.id.clone(), c.token.clone())));
    }

    /// Stops extending one task; true when its lease was found lost meanwhile.
    fn release(&self, id: &str) -> bool {
        self.shared.held.lock().unwrap().retain(|(i, _)| i != id);
        self.shared.lost.lock().unwrap().remove(id)
    }

    /// Stops extending leases that were acknowledged.
    fn forget(&self, leases: &[(String, String)]) {
        if leases.is_empty() {
            return;
        }
        let gone: HashSet<&(String, String)> = leases.iter().collect();
        self.shared
            .held
            .lock()
            .unwrap()
            .retain(|l| !gone.contains(l));
        let mut lost = self.shared.lost.lock().unwrap();
        for (id, _) in leases {
            lost.remove(id);
        }
    }

    fn drop_all(&self) {
        self.shared.held.lock().unwrap().clear();
    }

    /// Stops extending every task in hand and returns their leases.
    fn take_all(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.shared.held.lock().unwrap())
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
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
