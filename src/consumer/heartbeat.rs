//! The heartbeat: a thread of its own, with its own connection, that extends the leases of the
//! tasks in hand about every lease/3, so a task that takes longer than its lease is never taken
//! from a live consumer; and notes the leases it finds lost, for the engine to report.

use crate::config::Config;
use crate::output::note;
use crate::queue::{Claimed, Lease, Queue};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

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
    stop: AtomicBool,
}

impl Heartbeat {
    pub fn start(cfg: Config, consumer: String, lease: Duration) -> Heartbeat {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let every = lease / 3;
        let thread = std::thread::Builder::new()
            .name("heartbeat".into())
            .spawn(move || beat(&s, &cfg, &consumer, lease, every))
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

    /// Stops extending every task in hand and returns their leases.
    pub fn take(&self) -> Vec<Lease> {
        std::mem::take(&mut *self.shared.held.lock().unwrap())
    }
}

fn beat(s: &Shared, cfg: &Config, consumer: &str, lease: Duration, every: Duration) {
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
            q = Queue::open(cfg).ok();
        }
        let Some(conn) = q.as_mut() else { continue };
        match conn.extend(consumer, &held, lease) {
            Ok(flags) => {
                said = false;
                mark_lost(s, &held, &flags);
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
}

/// Notes the leases an extension of `sent` found lost (`flags`, one each). Only leases still
/// held are marked: one the engine let go of meanwhile is settled already, and a mark for it
/// would never be taken out again.
fn mark_lost(s: &Shared, sent: &[Lease], flags: &[bool]) {
    let still = s.held.lock().unwrap();
    let mut lost = s.lost.lock().unwrap();
    for (l, ok) in sent.iter().zip(flags) {
        if !ok && still.contains(l) {
            lost.insert(l.clone());
        }
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
        mark_lost(&hb.shared, std::slice::from_ref(&first), &[false]);
        assert!(hb.untrack(&first), "a refusal of a held lease is reported");
        hb.shared.held.lock().unwrap().push(second.clone());
        // The same refusal again, late: the first claim is no longer held.
        mark_lost(&hb.shared, std::slice::from_ref(&first), &[false]);
        assert!(
            !hb.untrack(&second),
            "the newer claim of the task is not lost"
        );
        assert!(hb.shared.lost.lock().unwrap().is_empty());
    }
}
