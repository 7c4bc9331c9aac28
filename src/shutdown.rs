//! Signals: the first SIGINT or SIGTERM asks to stop after the task in hand, the second asks to
//! hand it back and exit 130. Loops poll this at least once a second.

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
    ///
    /// The signals are blocked in the calling thread and in every thread it starts later, and
    /// taken by the signal thread alone: a socket read with a timeout fails with EINTR when its
    /// thread runs a signal handler (SA_RESTART does not apply), and the reply in transit,
    /// maybe a claimed task, would be lost with the connection.
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
        set_mask(libc::SIG_BLOCK);
        let count = Arc::clone(&sd.count);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                set_mask(libc::SIG_UNBLOCK);
                for _ in signals.forever() {
                    if count.fetch_add(1, Ordering::SeqCst) == 0 && say {
                        crate::output::log::Event::info(
                            "stopping",
                            "stopping after the work in hand; signal again to stop at once",
                        )
                        .emit();
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

/// Blocks or unblocks SIGINT and SIGTERM in the calling thread. Child processes start with an
/// empty mask (std resets it), so handlers still get their signals.
fn set_mask(how: libc::c_int) {
    // SAFETY: plain libc calls on a sigset_t that lives on this stack frame.
    unsafe {
        let mut set = std::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, SIGINT);
        libc::sigaddset(&mut set, SIGTERM);
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}
