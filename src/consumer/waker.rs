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
        st.at = None;
        drop(st);
        if q.is_none() {
            q = Queue::open(cfg).ok();
        }
        // Not fatal: the consumer claims anyway within a few seconds, and says so if Redis is
        // gone; the next try opens a new connection.
        if q.as_mut().is_some_and(|q| q.nudge().is_err()) {
            q = None;
        }
        st = s.at.lock().unwrap();
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
