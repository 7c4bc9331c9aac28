//! Waiting for a task's end over HTTP (`?wait`), with the call `produce --wait` makes
//! (`Queue::wait_for`: a blocking read of the task's result key, no polling). A wait can last
//! minutes, so it never runs on the runtime's blocking threads, which every other request
//! needs: each has a thread and a Redis connection of its own, at most `MAX` at once (the next
//! is refused before anything is pushed). Between two blocking reads (at most a second apart)
//! a wait looks at its deadline, at whether its client is still there, and at whether `rpq
//! serve` is asked to stop, so neither a client that left nor a SIGTERM waits for its timeout.

use super::backend::Backend;
use crate::queue::Waited;
use crate::shutdown::Shutdown;
use anyhow::Result;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// Waits at once; each holds a thread and a Redis connection while it waits.
pub const MAX: usize = 64;

/// How long a wait lasts when the request does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest a request may ask for; it can wait again (`GET .../result?wait`).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

pub struct Waits {
    slots: Arc<Semaphore>,
    sd: Shutdown,
}

/// One of the `MAX` waits, taken before the push so that a refused wait pushes nothing; held
/// (never read) by the wait's thread until it ends.
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

impl Waits {
    pub fn new(sd: Shutdown) -> Waits {
        Waits {
            slots: Arc::new(Semaphore::new(MAX)),
            sd,
        }
    }

    /// A slot, or None when `MAX` waits are running.
    pub fn reserve(&self) -> Option<Slot> {
        self.slots.clone().try_acquire_owned().ok().map(Slot)
    }

    /// Whether `rpq serve` is stopping: a wait that ended Pending ended for that, not its
    /// deadline.
    pub fn stopping(&self) -> bool {
        self.sd.stop_requested()
    }

    /// Waits on a thread of its own until task `id` of `queue` is done or dead, or `timeout`
    /// passes, the receiver is dropped (the client went away) or a stop is asked for.
    pub fn wait(
        &self,
        slot: Slot,
        backend: Arc<Backend>,
        queue: String,
        id: String,
        timeout: Duration,
    ) -> Result<oneshot::Receiver<Result<Waited>>> {
        let (tx, rx) = oneshot::channel();
        let until = Instant::now() + timeout;
        let sd = self.sd.clone();
        std::thread::Builder::new()
            .name("rpq-wait".into())
            .spawn(move || {
                let _slot = slot;
                let waited = {
                    let stop = || tx.is_closed() || sd.stop_requested();
                    backend.with(&queue, |q| q.wait_for(&id, Some(until), &stop))
                };
                let _ = tx.send(waited);
            })?;
        Ok(rx)
    }
}
