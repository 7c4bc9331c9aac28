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
        set_mask(libc::SIG_BLOCK, &[SIGINT, SIGTERM, libc::SIGCHLD]);
        let count = Arc::clone(&sd.count);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                set_mask(libc::SIG_UNBLOCK, &[SIGINT, SIGTERM]);
                for _ in signals.forever() {
                    if count.fetch_add(1, Ordering::SeqCst) == 0 && say {
                        crate::log::Event::info(
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

/// Blocks or unblocks `signals` in the calling thread. Child processes start with an empty
/// mask (std and spawn.rs reset it), so handlers still get their signals.
///
/// SIGCHLD stays blocked in every thread, the signal thread's too. It has no handler, yet it
/// can still cut a socket read short: the end of a handler is signalled to the thread that
/// started it, and when that thread has every signal blocked for a moment (spawning the next
/// handler, as spawn.rs and posix_spawn do) the kernel does not discard it but hands it to
/// another thread, whose read with a timeout then fails with EINTR. Under `-j N` that was the
/// claim loop's: the claim's reply was lost with the connection, and the tasks it claimed
/// stayed in flight, never run, until their leases ran out. Blocked everywhere, it is never
/// delivered; reaping does not need it (pidfds, waitpid).
fn set_mask(how: libc::c_int, signals: &[libc::c_int]) {
    // SAFETY: plain libc calls on a sigset_t that lives on this stack frame.
    unsafe {
        let mut set = std::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}
