//! The waker: a thread of its own, with its own connection (opened on first use), that wakes
//! an idle consumer at a given instant by pushing a marker onto the wake list it blocks on.
//! Redis times out a blocked BLPOP only at its cron, ten times a second, so a BLPOP cannot end
//! at a due time; a scheduled task, a retry or a slot that falls due is still claimed within
//! milliseconds, and a push meanwhile still wakes the consumer at once. No polling: the thread
//! sleeps until the instant it was given.

use crate::config::Config;
use crate::queue::Queue;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

pub struct Waker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    /// When to wake the consumer next; None: not at all.
    at: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    at: Option<Instant>,
    stop: bool,
}

impl Waker {
    pub fn start(cfg: Config) -> Waker {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("waker".into())
            .spawn(move || run(&s, &cfg))
            .expect("spawning the waker thread");
        Waker {
            shared,
            thread: Some(thread),
        }
    }

    /// Wakes the consumer at `at` (replacing the instant set before), or never (None).
    pub fn at(&self, at: Option<Instant>) {
        let mut st = self.shared.at.lock().unwrap();
        if st.at != at {
            st.at = at;
            self.shared.changed.notify_one();
        }
    }
}

fn run(s: &Shared, cfg: &Config) {
    let mut q: Option<Queue> = None;
    let mut st = s.at.lock().unwrap();
    loop {
        if st.stop {
            return;
        }
        let Some(at) = st.at else {
            st = s.changed.wait(st).unwrap();
            continue;
        };
        let now = Instant::now();
        if at > now {
            st = s.changed.wait_timeout(st, at - now).unwrap().0;
            continue;
        }
        if q.is_none() {
            // Connected without the lock (a connect may take a while); then the instant is
            // looked at again, as the consumer may have claimed meanwhile.
            drop(st);
            q = Queue::open(cfg).ok();
            st = s.at.lock().unwrap();
            if q.is_none() {
                // Not fatal: the consumer claims anyway within a few seconds, and says so if
                // Redis is gone; the next instant tries a new connection.
                st.at = None;
            }
            continue;
        }
        st.at = None;
        // The marker goes out under the lock: a consumer about to claim clears the instant
        // first (`at(None)`), so a marker is pushed before that claim or not at all, never
        // after the claim that was to take its work (it would be left behind, unread).
        if q.as_mut().is_some_and(|q| q.nudge().is_err()) {
            q = None;
        }
    }
}

impl Drop for Waker {
    fn drop(&mut self) {
        self.shared.at.lock().unwrap().stop = true;
        self.shared.changed.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
