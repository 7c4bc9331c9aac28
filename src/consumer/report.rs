//! The consumer's report (issue 28): a thread of its own, with its own connection, that writes
//! what the consumer says of itself (host, pid, `-j`, handler, start, done and failed) and what it
//! ran since the last report, by type (`queue::usage`), in one script call: at once when it
//! starts, then at most once a second while tasks end and every `REFRESH` while idle. The claim
//! loop only adds to a tally under a lock; no claim or ack waits for Redis on its account.

use crate::config::Config;
use crate::queue::usage::{Tally, WorkerSays};
use crate::queue::Queue;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a report goes at most: tallies of a busy consumer are added up meanwhile.
const EVERY: Duration = Duration::from_secs(1);

/// How long a consumer that ends waits for its last report: a Redis that is frozen or away must
/// not hold the exit up (the tallies of that last second are lost then).
const LAST_REPORT: Duration = Duration::from_millis(500);

/// How often an idle consumer reports all the same, to show it is alive (the dashboard greys
/// out one not heard from for three times this).
pub const REFRESH: Duration = Duration::from_secs(10);

pub struct Reporter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    tally: Mutex<Tally>,
    done: AtomicU64,
    failed: AtomicU64,
    stop: AtomicBool,
    /// Set by the thread as it returns.
    ended: Mutex<bool>,
    ended_cv: Condvar,
}

impl Reporter {
    /// Starts the thread, its connection opened here (so a consumer's connections open in one
    /// order: its own, this one, then the heartbeat's); one that fails is tried again later.
    pub fn start(cfg: Config, me: WorkerSays) -> Reporter {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let q = Queue::open(&cfg).ok();
        let thread = std::thread::Builder::new()
            .name("report".into())
            .spawn(move || {
                report(&s, &cfg, q, me);
                *s.ended.lock().unwrap() = true;
                s.ended_cv.notify_all();
            })
            .expect("spawning the report thread");
        Reporter {
            shared,
            thread: Some(thread),
        }
    }

    /// One task ended: done (`ok`) or a failed attempt, after waiting `wait` and running `run`.
    pub fn record(&self, kind: &str, ok: bool, wait: Option<Duration>, run: Duration) {
        let n = if ok {
            &self.shared.done
        } else {
            &self.shared.failed
        };
        n.fetch_add(1, Ordering::Relaxed);
        self.shared
            .tally
            .lock()
            .unwrap()
            .record(kind, ok, wait, run);
    }
}

fn report(s: &Shared, cfg: &Config, mut q: Option<Queue>, mut me: WorkerSays) {
    let mut last: Option<Instant> = None;
    // Pruning waits for the first report that is written (the queue may not exist yet).
    let mut prune = true;
    loop {
        let stop = s.stop.load(Ordering::SeqCst);
        let busy = !s.tally.lock().unwrap().is_empty();
        let due = match last {
            None => true,
            Some(t) => t.elapsed() >= if busy { EVERY } else { REFRESH },
        };
        // At the end, the last tallies go, on a connection that is open: a Redis that went
        // away must not hold the exit up.
        if (due && !stop) || (stop && busy && q.is_some()) {
            if q.is_none() {
                q = Queue::open(cfg).ok();
            }
            if let Some(conn) = q.as_mut() {
                let tally = std::mem::take(&mut *s.tally.lock().unwrap());
                me.seen_at = chrono::Utc::now().timestamp_millis();
                me.done = s.done.load(Ordering::Relaxed);
                me.failed = s.failed.load(Ordering::Relaxed);
                match conn.report(&me, &tally, prune) {
                    Ok(written) => prune &= !written,
                    Err(_) => {
                        // Kept for the next report; the claim loop says what is wrong with Redis.
                        s.tally.lock().unwrap().merge(tally);
                        q = None;
                    }
                }
            }
            last = Some(Instant::now());
        }
        if stop {
            return;
        }
        std::thread::park_timeout(EVERY);
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let Some(t) = self.thread.take() else { return };
        t.thread().unpark();
        let ended = self.shared.ended.lock().unwrap();
        let (ended, _) = self
            .shared
            .ended_cv
            .wait_timeout_while(ended, LAST_REPORT, |e| !*e)
            .unwrap();
        if *ended {
            drop(ended);
            let _ = t.join();
        }
        // Else it is left to end with the process, in the middle of a call to a Redis that does
        // not answer.
    }
}
