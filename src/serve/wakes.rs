//! Long-polled claims (`POST /api/queues/{q}/claim?wait=DUR`): what wakes them. A wait holds
//! no thread and no Redis connection of its own: every wait on a queue subscribes to one
//! watcher for that queue, a thread with one connection that blocks on the queue's wake list
//! (BLPOP, a second at a time, as an idle CLI consumer does) while anyone waits, and bumps a
//! counter that wakes them all; each then claims, and those that find nothing wait again. The
//! watcher ends when its last wait does. Waits are capped (`MAX`): the next is refused (429).

use crate::config::Config;
use crate::queue::Queue;
use crate::shutdown::Shutdown;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// Claims waiting at once, over every queue.
pub const MAX: usize = 200;

/// The longest a claim may wait (`?wait`); a worker asks again.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// How long a watcher that cannot reach Redis waits before it tries again.
const RETRY: Duration = Duration::from_secs(1);

pub struct Wakes {
    cfg: Config,
    sd: Shutdown,
    slots: Arc<Semaphore>,
    queues: Arc<Mutex<HashMap<String, Watched>>>,
}

/// One queue's watcher: its counter, and the waits subscribed to it.
struct Watched {
    tx: watch::Sender<u64>,
    waits: usize,
}

/// A wait's hold on its queue's watcher: `changed` returns when a push may have brought work.
/// Dropping it (the wait ended, or its client left) lets the watcher end.
pub struct Subscription {
    rx: watch::Receiver<u64>,
    queue: String,
    queues: Arc<Mutex<HashMap<String, Watched>>>,
    _slot: OwnedSemaphorePermit,
}

impl Wakes {
    pub fn new(cfg: &Config, sd: Shutdown) -> Wakes {
        Wakes {
            cfg: cfg.clone(),
            sd,
            slots: Arc::new(Semaphore::new(MAX)),
            queues: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn stopping(&self) -> bool {
        self.sd.stop_requested()
    }

    /// A subscription to `queue`'s wake-ups, or None when `MAX` claims are waiting already.
    /// Taken before the wait's first claim, so that a push between that claim and the wait
    /// is not missed (its marker stays in the wake list until the watcher takes it).
    pub fn subscribe(&self, queue: &str) -> std::io::Result<Option<Subscription>> {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return Ok(None);
        };
        let mut queues = lock(&self.queues);
        let rx = match queues.get_mut(queue) {
            Some(w) => {
                w.waits += 1;
                w.tx.subscribe()
            }
            None => {
                let (tx, rx) = watch::channel(0);
                queues.insert(queue.to_string(), Watched { tx, waits: 1 });
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
                rx
            }
        };
        Ok(Some(Subscription {
            rx,
            queue: queue.to_string(),
            queues: self.queues.clone(),
            _slot: slot,
        }))
    }
}

impl Subscription {
    /// Marks what was seen so far: a wake-up after this makes `changed` return.
    pub fn seen(&mut self) {
        self.rx.borrow_and_update();
    }

    /// Returns once a wake-up came since `seen`.
    pub async fn changed(&mut self) {
        if self.rx.changed().await.is_err() {
            // The watcher is gone (it cannot be while we are subscribed): wait for the deadline.
            std::future::pending::<()>().await;
        }
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
                    Some(w) if w.waits > 0 => {
                        w.tx.send_modify(|n| *n += 1);
                    }
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
