//! Riding out a lost connection: long-running commands (consume, produce) wrap each queue call
//! in `retry`, which reconnects with capped exponential backoff and says so once on stderr; and
//! they open their queue with `open_waiting`, which waits the same way for a Redis that does not
//! answer yet (a service started before its Redis), where one-shot commands fail at once.

use crate::config::Config;
use crate::conn::{is_connection_error, may_answer_later};
use crate::error::Interrupted;
use crate::log::Event;
use crate::queue::Queue;
use crate::shutdown::Shutdown;
use anyhow::Result;
use rand::Rng;
use std::time::Duration;

const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

/// Runs `op`; when the connection is lost, reconnects and runs it again until it goes through.
/// Every call rpq wraps is safe to repeat: pushes carry their ids, acks are idempotent, and a
/// claim whose reply was lost only leaves a lease that expires and returns its task.
/// For calls on behalf of work in hand (an ack, a push of read input), a first signal does not
/// end the wait, as it promises to finish that work; a second gives up with `Interrupted`.
pub fn retry<T>(
    q: &mut Queue,
    sd: &Shutdown,
    op: impl FnMut(&mut Queue) -> Result<T>,
) -> Result<T> {
    Ok(retry_inner(q, sd, false, op)?.expect("only an idle retry stops early"))
}

/// The same for calls with nothing at stake (a claim with nothing to ack, a wait, a snapshot):
/// a first signal during an outage ends the wait at once with `None`, so a plain Ctrl+C stops
/// an idle consumer even while Redis is away.
pub fn retry_idle<T>(
    q: &mut Queue,
    sd: &Shutdown,
    op: impl FnMut(&mut Queue) -> Result<T>,
) -> Result<Option<T>> {
    retry_inner(q, sd, true, op)
}

fn retry_inner<T>(
    q: &mut Queue,
    sd: &Shutdown,
    idle: bool,
    mut op: impl FnMut(&mut Queue) -> Result<T>,
) -> Result<Option<T>> {
    let mut said = false;
    let mut said_stop = false;
    let mut delay = FIRST_DELAY;
    loop {
        match op(q) {
            Ok(v) => {
                if said {
                    Event::info(
                        "reconnected",
                        format!("reconnected to redis at {}", q.config().display_url()),
                    )
                    .with("url", q.config().display_url())
                    .emit();
                }
                return Ok(Some(v));
            }
            Err(e) if is_connection_error(&e) => {
                if !said {
                    Event::warn(
                        "reconnect",
                        format!(
                            "lost the connection to redis at {} ({}); reconnecting",
                            q.config().display_url(),
                            root_cause(&e)
                        ),
                    )
                    .with("url", q.config().display_url())
                    .with("error", root_cause(&e))
                    .emit();
                    said = true;
                }
                let mut backoff = Backoff::after(delay);
                loop {
                    if sd.abort_requested() {
                        return Err(Interrupted.into());
                    }
                    if sd.stop_requested() {
                        if idle {
                            return Ok(None);
                        }
                        if !said_stop {
                            Event::info(
                                "still_reconnecting",
                                "still reconnecting to finish the work in hand; signal again to \
                                 give up (a held task returns to the queue when its lease expires)",
                            )
                            .emit();
                            said_stop = true;
                        }
                    }
                    let wait = backoff.next();
                    // An outage is no hang: systemd's watchdog goes on hearing from us.
                    crate::service::watchdog();
                    std::thread::sleep(wait);
                    delay = backoff.delay;
                    match q.reconnect() {
                        Ok(()) => break,
                        Err(e) if is_connection_error(&e) => {
                            backoff.failed(&e);
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Opens the queue for a long-running command: while Redis does not answer (refused, timed
/// out, loading), tries again with the backoff of `retry`, saying so once as a lost connection
/// is said (events `reconnect`, then `reconnected`). A refusal that no retry can change (a
/// password, an ACL, a server that is not Redis, a queue of another layout) fails at once.
/// None when a signal came first: there was nothing in hand, so that is a graceful stop.
pub fn open_waiting(cfg: &Config, sd: &Shutdown) -> Result<Option<Queue>> {
    let url = cfg.display_url();
    let mut said = false;
    let mut backoff = Backoff::after(FIRST_DELAY);
    loop {
        if sd.stop_requested() {
            return Ok(None);
        }
        let e = match Queue::open(cfg) {
            Ok(q) => {
                if said {
                    Event::info("reconnected", format!("connected to redis at {url}"))
                        .with("url", url.as_str())
                        .emit();
                }
                return Ok(Some(q));
            }
            Err(e) if may_answer_later(&e) => e,
            Err(e) => return Err(e),
        };
        if said {
            backoff.failed(&e);
        } else {
            Event::warn(
                "reconnect",
                format!(
                    "redis at {url} does not answer ({}); waiting for it",
                    root_cause(&e)
                ),
            )
            .with("url", url.as_str())
            .with("error", root_cause(&e))
            .emit();
            said = true;
        }
        let wait = backoff.next();
        // Not READY yet (a service is ready once connected), so this says nothing to systemd
        // until then; it keeps a service that was ready before alive, as in `retry`.
        crate::service::watchdog();
        if !sd.sleep(wait) {
            return Ok(None);
        }
    }
}

/// Capped exponential backoff with jitter for one outage, saying each attempt at debug level
/// (`-v`): what `retry` and `open_waiting` share.
struct Backoff {
    /// The wait before the next attempt, before jitter.
    delay: Duration,
    attempt: u32,
}

impl Backoff {
    /// An outage's attempts, counted from 1, the first waiting about `delay`.
    fn after(delay: Duration) -> Backoff {
        Backoff { delay, attempt: 0 }
    }

    /// The wait before the next attempt (half to all of the delay, so consumers cut off
    /// together do not come back together), said as `reconnect_attempt`.
    fn next(&mut self) -> Duration {
        let wait = self.delay.mul_f64(rand::rng().random_range(0.5..1.0));
        self.attempt += 1;
        self.delay = (self.delay * 2).min(MAX_DELAY);
        Event::debug(
            "reconnect_attempt",
            format!(
                "reconnect attempt {} in {}ms",
                self.attempt,
                wait.as_millis()
            ),
        )
        .with("attempt", self.attempt)
        .with("delay_ms", wait.as_millis() as u64)
        .emit();
        wait
    }

    fn failed(&self, e: &anyhow::Error) {
        Event::debug(
            "reconnect_failed",
            format!(
                "reconnect attempt {} failed: {}",
                self.attempt,
                root_cause(e)
            ),
        )
        .with("attempt", self.attempt)
        .with("error", root_cause(e))
        .emit();
    }
}

fn root_cause(e: &anyhow::Error) -> String {
    e.root_cause().to_string()
}
