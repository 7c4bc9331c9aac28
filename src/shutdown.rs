//! Signals: the first SIGINT or SIGTERM asks to stop after the task in hand, the second asks to
//! hand it back and exit 130. Loops poll this at least once a second.

use crate::output::note;
use anyhow::{Context, Result};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Shutdown {
    count: Arc<AtomicUsize>,
}

impl Shutdown {
    /// Starts counting SIGINT and SIGTERM. The handler only counts; the loops decide.
    pub fn install() -> Result<Shutdown> {
        Shutdown::install_with_note(true)
    }

    /// The same, without the note on the first signal: for commands that hold no work and just
    /// stop (`stats --watch`).
    pub fn install_quiet() -> Result<Shutdown> {
        Shutdown::install_with_note(false)
    }

    fn install_with_note(say: bool) -> Result<Shutdown> {
        let sd = Shutdown::default();
        let mut signals = Signals::new([SIGINT, SIGTERM]).context("installing signal handlers")?;
        let count = Arc::clone(&sd.count);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for _ in signals.forever() {
                    if count.fetch_add(1, Ordering::SeqCst) == 0 && say {
                        note("stopping after the work in hand; signal again to stop at once");
                    }
                }
            })
            .context("starting the signal thread")?;
        Ok(sd)
    }

    /// Stop taking new work.
    pub fn stop_requested(&self) -> bool {
        self.count.load(Ordering::SeqCst) >= 1
    }

    /// Hand back the work in hand and exit 130.
    pub fn abort_requested(&self) -> bool {
        self.count.load(Ordering::SeqCst) >= 2
    }

    /// Asks to stop as a signal would (the demo's timer, tests).
    pub fn request_stop(&self) {
        let _ = self
            .count
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Sleeps up to `d` in short steps; returns false when a stop was requested meanwhile.
    pub fn sleep(&self, d: std::time::Duration) -> bool {
        let end = std::time::Instant::now() + d;
        loop {
            if self.stop_requested() {
                return false;
            }
            let now = std::time::Instant::now();
            if now >= end {
                return true;
            }
            std::thread::sleep((end - now).min(std::time::Duration::from_millis(50)));
        }
    }
}
