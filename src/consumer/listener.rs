//! The listener (the worker runtime, issue 11): a thread of its own, with its own connection
//! (opened on first use), that does a consumer's idle wait when it runs more than one slot. The
//! engine then has two things to wait for at once, a slot that finishes and work that is
//! pushed, and waits for both on its channel: this thread blocks on the wake list (BLPOP, a
//! second at a time, as a consumer of one slot does itself) while it is armed and posts
//! `Event::Woke` when a marker comes. Armed only while the engine has a free slot and nothing to
//! give it, so it takes no marker a busy consumer cannot use.

use super::pool::Event;
use crate::config::Config;
use crate::queue::Queue;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Listener {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    armed: bool,
    stop: bool,
}

impl Listener {
    pub fn start(cfg: Config, events: Sender<Event>) -> Listener {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("listener".into())
            .spawn(move || run(&s, &cfg, &events))
            .expect("spawning the listener thread");
        Listener {
            shared,
            thread: Some(thread),
        }
    }

    /// Waits for work from now on (until a marker comes), or no longer.
    pub fn arm(&self, on: bool) {
        let mut st = self.shared.state.lock().unwrap();
        if st.armed != on {
            st.armed = on;
            self.shared.changed.notify_one();
        }
    }
}

fn run(s: &Shared, cfg: &Config, events: &Sender<Event>) {
    let mut q: Option<Queue> = None;
    loop {
        {
            let mut st = s.state.lock().unwrap();
            while !st.armed && !st.stop {
                st = s.changed.wait(st).unwrap();
            }
            if st.stop {
                return;
            }
        }
        if q.is_none() {
            q = Queue::open(cfg).ok();
        }
        let Some(conn) = q.as_mut() else {
            // The engine's claims say when Redis is away; try again in a second.
            pause(s, Duration::from_secs(1));
            continue;
        };
        match conn.wait_for_work(Duration::from_secs(1)) {
            Ok(true) => {
                let schedules = conn.take_schedules_changed();
                s.state.lock().unwrap().armed = false;
                if events.send(Event::Woke { schedules }).is_err() {
                    return;
                }
            }
            Ok(false) => {}
            Err(_) => {
                q = None;
                pause(s, Duration::from_secs(1));
            }
        }
    }
}

/// Sleeps `d`, or less when told to stop.
fn pause(s: &Shared, d: Duration) {
    let st = s.state.lock().unwrap();
    if !st.stop {
        let _ = s.changed.wait_timeout(st, d);
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.shared.state.lock().unwrap().stop = true;
        self.shared.changed.notify_one();
        // Not joined: it may be in a BLPOP of up to a second, and it ends by itself after.
        drop(self.thread.take());
    }
}
