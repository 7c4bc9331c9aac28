//! Long-polled claims (`POST /api/queues/{q}/claim?wait=DUR`): what wakes them. A wait holds
//! no thread and no Redis connection of its own: every wait on a queue subscribes to one
//! watcher for that queue, a thread with one connection that blocks on the queue's wake list
//! (BLPOP, a second at a time, as an idle CLI consumer does) while anyone waits. Each marker
//! it takes wakes one wait, which claims; a wait whose claim came back full passes the wake on
//! (more may be waiting), one that got less does not. So a push of one task costs a claim or
//! two, not one per waiting client, and a push of many reaches as many waits as it needs. The
//! watcher ends when its last wait does. Waits are capped (`MAX`): the next is refused (429).

use crate::config::Config;
use crate::queue::Queue;
use crate::shutdown::Shutdown;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};

/// Claims waiting at once, over every queue.
pub const MAX: usize = 200;

/// The longest a claim may wait (`?wait`); a worker asks again.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// How long a watcher that cannot reach Redis waits before it tries again.
const RETRY: Duration = Duration::from_secs(1);

pub struct Wakes {
    cfg: Config,
    sd: Shutdown,
    /// Set once `rpq serve` is asked to stop (`stop`): every waiting claim answers then.
    stopping: watch::Sender<bool>,
    slots: Arc<Semaphore>,
    queues: Arc<Mutex<HashMap<String, Watched>>>,
}

/// One queue's watcher: how it wakes a wait, and how many are subscribed.
struct Watched {
    wake: Arc<Notify>,
    waits: usize,
}

/// A wait's hold on its queue's watcher: `woken` returns when a push may have brought work.
/// Dropping it (the wait ended, or its client left) lets the watcher end; a wake given to a
/// wait whose client left goes to another (tokio's `Notified` passes it on when dropped).
pub struct Subscription {
    wake: Arc<Notify>,
    queue: String,
    queues: Arc<Mutex<HashMap<String, Watched>>>,
    _slot: OwnedSemaphorePermit,
}

impl Wakes {
    pub fn new(cfg: &Config, sd: Shutdown) -> Wakes {
        Wakes {
            cfg: cfg.clone(),
            sd,
            stopping: watch::Sender::new(false),
            slots: Arc::new(Semaphore::new(MAX)),
            queues: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn stopping(&self) -> bool {
        self.sd.stop_requested()
    }

    /// Ends every wait: `rpq serve` stops.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Returns once `stop` was called (at once if it was before).
    pub async fn stopped(&self) {
        let _ = self.stopping.subscribe().wait_for(|s| *s).await;
    }

    /// A subscription to `queue`'s wake-ups, or None when `MAX` claims are waiting already.
    /// Taken before the wait's first claim, so that a push between that claim and the wait
    /// is not missed (its marker stays in the wake list until the watcher takes it).
    pub fn subscribe(&self, queue: &str) -> std::io::Result<Option<Subscription>> {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return Ok(None);
        };
        let mut queues = lock(&self.queues);
        let wake = match queues.get_mut(queue) {
            Some(w) => {
                w.waits += 1;
                w.wake.clone()
            }
            None => {
                let wake = Arc::new(Notify::new());
                let waits = 1;
                queues.insert(
                    queue.to_string(),
                    Watched {
                        wake: wake.clone(),
                        waits,
                    },
                );
                let (cfg, sd, all, name) = (
                    self.cfg.clone(),
                    self.sd.clone(),
                    self.queues.clone(),
                    queue.to_string(),
                );
                if let Err(e) = std::thread::Builder::new()
                    .name("rpq-wake".into())
                    .spawn(move || watch_queue(cfg, sd, all, name))
                {
                    queues.remove(queue);
                    return Err(e);
                }
                wake
            }
        };
        Ok(Some(Subscription {
            wake,
            queue: queue.to_string(),
            queues: self.queues.clone(),
            _slot: slot,
        }))
    }
}

impl Subscription {
    /// Returns once a wake comes for this wait: one given while no wait was waiting is kept
    /// for the next, so a push between a claim and its wait is not missed.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Wakes the next wait: this one's claim came back full, so more work may be waiting.
    pub fn pass_on(&self) {
        self.wake.notify_one();
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(w) = lock(&self.queues).get_mut(&self.queue) {
            w.waits = w.waits.saturating_sub(1);
        }
    }
}

/// The watcher of one queue: while anyone waits, takes a marker from the wake list and wakes
/// every wait. Ends (and leaves the map) under the map's lock once no one waits, so a new wait
/// either finds it running or starts another.
fn watch_queue(
    mut cfg: Config,
    sd: Shutdown,
    all: Arc<Mutex<HashMap<String, Watched>>>,
    q: String,
) {
    cfg.queue = q.clone();
    let mut conn: Option<Queue> = None;
    loop {
        {
            let mut queues = lock(&all);
            if sd.stop_requested() || queues.get(&q).is_none_or(|w| w.waits == 0) {
                queues.remove(&q);
                return;
            }
        }
        let woke = match conn.as_mut() {
            Some(c) => c.wait_for_work(Duration::from_secs(1)),
            None => Queue::open(&cfg).map(|c| {
                conn = Some(c);
                false
            }),
        };
        match woke {
            Ok(false) => {}
            Ok(true) => {
                let mut queues = lock(&all);
                match queues.get_mut(&q) {
                    Some(w) if w.waits > 0 => w.wake.notify_one(),
                    _ => {
                        // Everyone left meanwhile: the marker goes back for the next consumer.
                        drop(queues);
                        if let Some(c) = conn.as_mut() {
                            let _ = c.nudge();
                        }
                    }
                }
            }
            Err(_) => {
                // Redis is away: the waits' own claims say so; look again in a moment.
                conn = None;
                if !sd.sleep(RETRY) {
                    continue;
                }
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
