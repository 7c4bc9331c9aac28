//! The heartbeat: a thread of its own, with its own connection, that extends the leases of the
//! tasks in hand about every lease/3, so a task that takes longer than its lease is never taken
//! from a live consumer; and notes the leases it finds lost, for the engine to report. Between
//! two extensions it looks at the leases every `LOOK_EVERY`, to learn within a second that
//! `rpq cancel` cancelled a task in hand (no pub/sub: it works on a cluster and under any ACL).

use super::control::Link;
use crate::config::Config;
use crate::queue::{Claimed, Lease, LeaseState, Queue};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the leases in hand are looked at between extensions: a cancelled task's handler
/// is stopped within about this long (one cheap read per look, and only while busy).
const LOOK_EVERY: Duration = Duration::from_millis(500);

pub struct Heartbeat {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    held: Mutex<Vec<Lease>>,
    /// Leases an extension found lost. By lease, not by id: a refusal that arrives late (after
    /// an outage) is about the claim it was sent for, and must not taint a newer claim of the
    /// same task by this consumer.
    lost: Mutex<HashSet<Lease>>,
    /// Leases whose task `rpq cancel` cancelled (it is gone from Redis already).
    cancelled: Mutex<HashSet<Lease>>,
    stop: AtomicBool,
}

impl Heartbeat {
    /// `control`: the control channel of the handlers (issue 25), told of each extension that
    /// came back, and asked which leases its handlers want held longer (`rpq ctl extend`).
    pub fn start(
        cfg: Config,
        consumer: String,
        lease: Duration,
        control: Option<Link>,
    ) -> Heartbeat {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let every = lease / 3;
        let thread = std::thread::Builder::new()
            .name("heartbeat".into())
            .spawn(move || beat(&s, &cfg, &consumer, lease, every, control.as_ref()))
            .expect("spawning the heartbeat thread");
        Heartbeat {
            shared,
            thread: Some(thread),
        }
    }

    /// Starts extending the leases of `tasks`.
    pub fn track(&self, tasks: &[Claimed]) {
        let mut held = self.shared.held.lock().unwrap();
        held.extend(tasks.iter().map(Claimed::lease));
    }

    /// Stops extending one lease; true when it was found lost meanwhile.
    pub fn untrack(&self, lease: &Lease) -> bool {
        self.shared.held.lock().unwrap().retain(|l| l != lease);
        self.shared.lost.lock().unwrap().remove(lease)
    }

    /// Stops extending leases that were acknowledged.
    pub fn untrack_all_of<L: AsRef<Lease>>(&self, leases: &[L]) {
        if leases.is_empty() {
            return;
        }
        let gone: HashSet<&Lease> = leases.iter().map(AsRef::as_ref).collect();
        self.shared
            .held
            .lock()
            .unwrap()
            .retain(|l| !gone.contains(l));
        let mut lost = self.shared.lost.lock().unwrap();
        for l in gone {
            lost.remove(l);
        }
    }

    /// Whether the task of this lease was cancelled.
    pub fn cancelled(&self, lease: &Lease) -> bool {
        self.shared.cancelled.lock().unwrap().contains(lease)
    }

    /// The same, forgetting it: the engine has reported it.
    pub fn take_cancelled(&self, lease: &Lease) -> bool {
        self.shared.cancelled.lock().unwrap().remove(lease)
    }

    /// Stops extending every task in hand and returns their leases.
    pub fn take(&self) -> Vec<Lease> {
        std::mem::take(&mut *self.shared.held.lock().unwrap())
    }

    /// A handle that tells, from another thread, whether a task in hand was cancelled: what a
    /// slot's thread asks while its handler runs (the worker runtime, issue 11).
    pub fn watch(&self) -> CancelWatch {
        CancelWatch(Arc::clone(&self.shared))
    }
}

#[derive(Clone)]
pub struct CancelWatch(Arc<Shared>);

impl CancelWatch {
    pub fn cancelled(&self, lease: &Lease) -> bool {
        self.0.cancelled.lock().unwrap().contains(lease)
    }
}

fn beat(
    s: &Shared,
    cfg: &Config,
    consumer: &str,
    lease: Duration,
    every: Duration,
    control: Option<&Link>,
) {
    let mut q: Option<Queue> = None;
    let mut said = false;
    let tick = every.min(LOOK_EVERY);
    let mut extended = Instant::now();
    loop {
        std::thread::park_timeout(tick);
        if s.stop.load(Ordering::SeqCst) {
            return;
        }
        let held = s.held.lock().unwrap().clone();
        if held.is_empty() {
            continue;
        }
        if q.is_none() {
            q = Queue::open(cfg).ok();
        }
        let Some(conn) = q.as_mut() else { continue };
        // Half a tick early rather than half a tick late: the lease is what must not run out.
        let extend = extended.elapsed() >= every.saturating_sub(tick / 2);
        let sent = Instant::now();
        // Issue 25: a lease its handler asked to hold longer (`rpq ctl extend`) is extended to
        // what it asked for, and never first to a lease from now (a look in between would see
        // the hold cut short).
        let holds: Vec<(Lease, Instant)> = match control.filter(|_| extend) {
            Some(c) => c
                .holds()
                .into_iter()
                .filter(|(l, _)| held.contains(l))
                .collect(),
            None => vec![],
        };
        let answer = if extend {
            extend_all(conn, consumer, &held, lease, &holds, sent)
        } else {
            conn.look(consumer, &held)
        };
        match answer {
            Ok(states) => {
                said = false;
                if extend {
                    extended = Instant::now();
                    if let Some(c) = control {
                        c.confirmed(sent);
                    }
                }
                mark(s, &held, &states);
            }
            Err(e) => {
                // The main loop reports connection trouble; one line here is enough.
                if !said {
                    crate::log::Event::warn(
                        "lease_extend_failed",
                        format!("cannot extend a lease: {e:#}"),
                    )
                    .with("consumer", consumer)
                    .with("error", format!("{e:#}"))
                    .emit();
                    said = true;
                }
                q = None;
            }
        }
    }
}

/// Extends `held` by a lease from now, but those in `holds` to their hold; the states in the
/// order of `held`.
fn extend_all(
    conn: &mut Queue,
    consumer: &str,
    held: &[Lease],
    lease: Duration,
    holds: &[(Lease, Instant)],
    sent: Instant,
) -> anyhow::Result<Vec<LeaseState>> {
    let plain: Vec<Lease> = held
        .iter()
        .filter(|l| !holds.iter().any(|(h, _)| h == *l))
        .cloned()
        .collect();
    let mut states = conn.extend(consumer, &plain, lease)?.into_iter();
    let mut held_states = Vec::with_capacity(holds.len());
    for (l, until) in holds {
        let s = conn.extend(
            consumer,
            std::slice::from_ref(l),
            until.saturating_duration_since(sent),
        )?;
        held_states.push((l, s.into_iter().next().unwrap_or(LeaseState::Lost)));
    }
    Ok(held
        .iter()
        .map(|l| match held_states.iter().find(|(h, _)| *h == l) {
            Some((_, s)) => *s,
            None => states.next().unwrap_or(LeaseState::Lost),
        })
        .collect())
}

/// Notes what a look or an extension of `sent` found (`states`, one each): leases lost, and
/// tasks cancelled (nothing of those is left to extend). Only leases still held are marked: one
/// the engine let go of meanwhile is settled already, and a mark for it would never be taken
/// out again (and, after an outage, would taint a newer claim of the same task).
fn mark(s: &Shared, sent: &[Lease], states: &[LeaseState]) {
    let mut held = s.held.lock().unwrap();
    let mut lost = s.lost.lock().unwrap();
    let mut cancelled = s.cancelled.lock().unwrap();
    for (l, st) in sent.iter().zip(states) {
        if !held.contains(l) {
            continue;
        }
        match st {
            LeaseState::Held => {}
            // A plain extension never answers Delivered (a mark's answer); gone all the same.
            LeaseState::Lost | LeaseState::Delivered => {
                lost.insert(l.clone());
            }
            LeaseState::Cancelled => {
                cancelled.insert(l.clone());
            }
        }
    }
    held.retain(|l| !cancelled.contains(l));
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

    fn lease(token: &str) -> Lease {
        Lease {
            id: "x".into(),
            token: token.into(),
        }
    }

    /// After an outage a refusal can arrive for a claim the engine has already let go of and
    /// claimed again: it says nothing about the new claim.
    #[test]
    fn a_late_refusal_marks_only_the_claim_it_was_sent_for() {
        let hb = Heartbeat {
            shared: Arc::new(Shared::default()),
            thread: None,
        };
        let (first, second) = (lease("t1"), lease("t2"));
        hb.shared.held.lock().unwrap().push(first.clone());
        mark(
            &hb.shared,
            std::slice::from_ref(&first),
            &[LeaseState::Lost],
        );
        assert!(hb.untrack(&first), "a refusal of a held lease is reported");
        hb.shared.held.lock().unwrap().push(second.clone());
        // The same refusal again, late: the first claim is no longer held.
        mark(
            &hb.shared,
            std::slice::from_ref(&first),
            &[LeaseState::Lost],
        );
        assert!(
            !hb.untrack(&second),
            "the newer claim of the task is not lost"
        );
        assert!(hb.shared.lost.lock().unwrap().is_empty());
    }
}
