//! Webhook delivery (issue 26): a thread per webhook of every queue, each reading the queue's
//! events as the webhook's consumer group and POSTing them one at a time, in order, until each
//! is answered 2xx: at least once (an event is acknowledged in the group only after its
//! answer, so a `serve` killed mid-way finds it again in its pending list), retried with
//! backoff on a 5xx, a timeout or a refused connection, given up on a 4xx or a redirect (never
//! followed). Blocking I/O on threads of their own, away from the async server.

use super::backend::Backend;
use crate::config::Config;
use crate::log::Event as Log;
use crate::queue::events::Event;
use crate::queue::webhooks::{Delivery, Webhook};
use crate::queue::Queue;
use crate::shutdown::Shutdown;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the list of webhooks is read again.
const RESCAN: Duration = Duration::from_secs(2);
/// The longest wait for new events, so a stop or a removal is seen within it.
const BLOCK: Duration = Duration::from_secs(1);
/// The first retry's wait; each next one doubles, up to `BACKOFF_MAX`.
const BACKOFF: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// One request's time at most.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Events read a call.
const BATCH: usize = 100;
/// How long a `serve`'s hold on a webhook's delivery lasts unless renewed: longer than the
/// longest time between two renewals (a request's `TIMEOUT`; a backoff's wait is slept a
/// `BLOCK` at a time, renewing), so that a held webhook is never taken over while its holder
/// lives, and a `serve` killed -9 hands it on after this at most (a stopped one at once).
const HOLD_FOR: Duration = Duration::from_secs(15);

/// The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>` of
/// `"<t>.<body>"`.
pub const SIGNATURE_HEADER: &str = "X-Rpq-Signature";

/// Starts the manager thread: it reads every queue's webhooks every `RESCAN` and keeps one
/// delivery thread for each.
pub fn spawn(cfg: Config, backend: Arc<Backend>, sd: Shutdown) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("rpq-webhooks".into())
        .spawn(move || {
            let mut running: HashMap<(String, String), Arc<AtomicBool>> = HashMap::new();
            loop {
                if let Ok(names) = backend.queue_names() {
                    let mut seen = vec![];
                    for name in names {
                        let Ok(hooks) = backend.with(&name, |q| q.webhook_defs()) else {
                            continue;
                        };
                        for hook in hooks {
                            let k = (name.clone(), hook.id.clone());
                            seen.push(k.clone());
                            if running.contains_key(&k) {
                                continue;
                            }
                            let alive = Arc::new(AtomicBool::new(true));
                            running.insert(k, alive.clone());
                            let cfg = Config {
                                queue: name.clone(),
                                ..cfg.clone()
                            };
                            let sd = sd.clone();
                            let _ = std::thread::Builder::new()
                                .name("rpq-webhook".into())
                                .spawn(move || deliver(&cfg, hook, &sd, &alive));
                        }
                    }
                    running.retain(|k, alive| {
                        let keep = seen.contains(k);
                        if !keep {
                            alive.store(false, Ordering::Relaxed);
                        }
                        keep
                    });
                }
                if !sd.sleep(RESCAN) {
                    break;
                }
            }
        })
        .map(drop)
}

/// What one request came to.
enum Sent {
    Ok(u16),
    /// Retried: a 5xx, a 408 or 429, a timeout, a connection refused or cut.
    Again(String),
    /// Given up: another 4xx, or a redirect.
    Refused(u16),
}

fn deliver(cfg: &Config, hook: Webhook, sd: &Shutdown, alive: &AtomicBool) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("rpq/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut q: Option<Queue> = None;
    // The events read before a restart and not acknowledged come first, on each shard's stream
    // (a sharded queue's webhook has a group on each, read in turn: a task's events are on
    // one, in order).
    let mut pending: Vec<bool> = vec![];
    let mut turn = 0usize;
    let mut state: Option<Delivery> = None;
    let holder = crate::consumer::default_name();
    let going = || alive.load(Ordering::Relaxed) && !sd.stop_requested();
    while going() {
        let conn = match &mut q {
            Some(c) => c,
            None => match Queue::open(cfg) {
                Ok(c) => q.insert(c),
                Err(_) => {
                    sd.sleep(BLOCK);
                    continue;
                }
            },
        };
        // One `serve` at a time sends a webhook's events; another waits, and when its turn
        // comes reads what the last holder left unacknowledged first, and its state afresh.
        match conn.webhook_hold(&hook, &holder, HOLD_FOR) {
            Ok(true) => {}
            Ok(false) => {
                (pending, state) = (vec![], None);
                sd.sleep(BLOCK);
                continue;
            }
            Err(_) => {
                q = None;
                sd.sleep(BLOCK);
                continue;
            }
        }
        let st = match &mut state {
            Some(s) => s,
            None => match conn.webhooks() {
                Ok(list) => state.insert(
                    list.into_iter()
                        .find(|l| l.hook.id == hook.id)
                        .map(|l| l.state)
                        .unwrap_or_default(),
                ),
                Err(_) => {
                    q = None;
                    sd.sleep(BLOCK);
                    continue;
                }
            },
        };
        let n = conn.event_streams();
        if pending.len() != n {
            pending = vec![true; n];
        }
        turn = (turn + 1) % n;
        let shard = turn;
        let block = BLOCK / n as u32;
        let events = match conn.webhook_read(&hook, shard, pending[shard], block, BATCH) {
            Ok(e) => e,
            Err(e) => {
                // No group (the stream was deleted, or the webhook removed): made again if
                // the webhook is still there; else this thread ends.
                if format!("{e:#}").contains("NOGROUP") {
                    match conn.webhook_regroup(&hook, shard) {
                        Ok(false) => return,
                        Ok(true) => continue,
                        Err(_) => {}
                    }
                }
                q = None;
                sd.sleep(BLOCK);
                continue;
            }
        };
        if pending[shard] && events.is_empty() {
            pending[shard] = false;
            continue;
        }
        for e in &events {
            if !hook.wants(&e.event) {
                if conn.webhook_done(&hook, shard, &e.event_id, st).is_err() {
                    q = None;
                    break;
                }
                continue;
            }
            let mut wait = BACKOFF;
            let mut held = true;
            loop {
                // Renewed before every request: a slow receiver must not let the hold lapse
                // while this serve is still sending.
                if !matches!(conn.webhook_hold(&hook, &holder, HOLD_FOR), Ok(true)) {
                    held = false;
                    break;
                }
                match send(&agent, &cfg.queue, &hook, e) {
                    Sent::Ok(status) => {
                        st.delivered += 1;
                        st.last_status = Some(status);
                        st.last_error = None;
                        break;
                    }
                    Sent::Refused(status) => {
                        st.failures += 1;
                        st.given_up += 1;
                        st.last_status = Some(status);
                        st.last_error = Some(format!(
                            "event {} given up: the receiver answered {status}",
                            e.event_id
                        ));
                        Log::warn(
                            "webhook_refused",
                            format!(
                                "webhook {} of queue '{}': {} answered {status} to event {}; \
                                 given up (a 4xx or a redirect is not retried)",
                                hook.id, cfg.queue, hook.url, e.event_id
                            ),
                        )
                        .emit();
                        break;
                    }
                    Sent::Again(why) => {
                        st.failures += 1;
                        st.last_error = Some(why);
                        let _ = conn.webhook_state(&hook, st);
                        let until = std::time::Instant::now() + wait;
                        loop {
                            let left = until.saturating_duration_since(std::time::Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            if !going() || !sd.sleep(left.min(BLOCK)) {
                                // Not acknowledged: the next holder sends it again.
                                let _ = conn.webhook_hold(&hook, &holder, Duration::ZERO);
                                return;
                            }
                            if !matches!(conn.webhook_hold(&hook, &holder, HOLD_FOR), Ok(true)) {
                                break;
                            }
                        }
                        wait = (wait * 2).min(BACKOFF_MAX);
                    }
                }
            }
            if !held {
                // Not sent, not acknowledged: read again from the pending list once held.
                (pending, state) = (vec![], None);
                break;
            }
            st.last_event_id = Some(e.event_id.clone());
            st.last_at_ms = Some(chrono::Utc::now().timestamp_millis());
            if conn.webhook_done(&hook, shard, &e.event_id, st).is_err() {
                // Delivered and not acknowledged: sent again later (at least once).
                q = None;
                break;
            }
        }
    }
    // A stopped `serve` hands the webhook on at once, not after `HOLD_FOR`.
    if let Some(c) = &mut q {
        let _ = c.webhook_hold(&hook, &holder, Duration::ZERO);
    }
}

/// The body of an event's request: the event as `rpq events --json` prints it, and its queue.
pub fn body(queue: &str, e: &Event) -> String {
    let mut v = serde_json::to_value(e).expect("an event serializes");
    v["queue"] = queue.into();
    v.to_string()
}

/// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

fn send(agent: &ureq::Agent, queue: &str, hook: &Webhook, e: &Event) -> Sent {
    let body = body(queue, e);
    let mut req = agent
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("X-Rpq-Event", &e.event)
        .header("X-Rpq-Event-Id", &e.event_id)
        .header("X-Rpq-Webhook", &hook.id);
    if let Some(secret) = &hook.secret {
        let t = chrono::Utc::now().timestamp();
        req = req.header(SIGNATURE_HEADER, signature(secret, t, &body));
    }
    match req.send(body.as_bytes()) {
        Ok(r) => {
            let s = r.status().as_u16();
            match s {
                200..=299 => Sent::Ok(s),
                408 | 429 | 500..=599 => Sent::Again(format!("the receiver answered {s}")),
                _ => Sent::Refused(s),
            }
        }
        Err(e) => Sent::Again(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_time_and_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = signature("k", 5, "b");
        assert!(s.starts_with("t=5,v1=") && s.len() == "t=5,v1=".len() + 64);
    }
}
