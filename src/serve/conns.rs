//! The connections: accepted here rather than by `axum::serve`, so that load nobody asked for
//! cannot take the server down. Three rules, each against one way it fell over:
//! - at most `max` connections are served; past it the oldest connection with no request in
//!   progress (an idle keep-alive, or a client still sending its header) is closed to make room
//!   for the new one, so a fresh `/healthz` always gets in, however many idle sockets are open;
//!   only when every one of them is in the middle of a request is the new one closed at once;
//! - a connection that has not sent a whole request header `idle` after it opened or after its
//!   last answer is closed (hyper's header-read timeout, which also runs while a keep-alive
//!   waits for its next request);
//! - a request body not received in full `idle` after its header fails to read (the route
//!   answers 400 and the connection closes): a request in progress is never closed to make room,
//!   so a body sent a byte a second would otherwise hold its slot for as long as it likes;
//! - an accept that fails (out of file descriptors) closes one idle connection and backs off,
//!   never spins and never ends the server.

use crate::output::note;
use axum::Router;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

/// The default cap is this share of the open-file limit: the rest is left for Redis
/// connections, the blocking threads' and everything else a process holds.
const SHARE_OF_FILES: u64 = 2;

/// ...and never more than this, however high the limit: past a few thousand sockets one
/// current-thread runtime answers nobody well.
const MAX_DEFAULT: u64 = 4096;

const BACKOFF_MIN: Duration = Duration::from_millis(5);
const BACKOFF_MAX: Duration = Duration::from_millis(500);

/// How often a note says the cap is being hit, at most.
const PRESSURE_NOTE_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max: usize,
    pub idle: Duration,
}

/// Raises the soft open-file limit to the hard one (a server's sockets are files) and says what
/// it got; returns the soft limit in force.
pub fn raise_open_files() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read or fill the struct they are given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    let before = lim.rlim_cur;
    if lim.rlim_cur < lim.rlim_max {
        let want = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &want) } == 0 {
            lim = want;
        }
    }
    let after = lim.rlim_cur;
    if after != before {
        note(&format!(
            "open files: raised the soft limit from {before} to {after} (the hard limit)"
        ));
    } else {
        note(&format!("open files: the limit is {after}"));
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not everywhere
    Some(after as u64)
}

/// The cap when `--max-connections` is not given: half the open-file limit, at most 4096.
pub fn default_max(open_files: Option<u64>) -> usize {
    let limit = open_files.unwrap_or(1024);
    (limit / SHARE_OF_FILES).clamp(1, MAX_DEFAULT) as usize
}

/// One accepted connection, as the table sees it.
struct Slot {
    /// Requests in progress on it: a connection with none may be closed to make room.
    busy: AtomicUsize,
    close: Notify,
}

#[derive(Default)]
struct Table {
    next: u64,
    /// By accept order, so the first idle one found is the oldest.
    live: BTreeMap<u64, Arc<Slot>>,
    noted: Option<Instant>,
}

impl Table {
    /// Closes the oldest connection with no request in progress; false when there is none.
    fn close_oldest_idle(&mut self) -> bool {
        let oldest = self
            .live
            .iter()
            .find(|(_, s)| s.busy.load(Ordering::Acquire) == 0)
            .map(|(id, _)| *id);
        match oldest.and_then(|id| self.live.remove(&id)) {
            Some(slot) => {
                // notify_one keeps the permit if the task is not waiting yet.
                slot.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// A place for a new connection, making one if the table is full; None when every
    /// connection is in the middle of a request.
    fn admit(&mut self, max: usize) -> Option<(u64, Arc<Slot>)> {
        if self.live.len() >= max {
            if self
                .noted
                .is_none_or(|t| t.elapsed() >= PRESSURE_NOTE_EVERY)
            {
                self.noted = Some(Instant::now());
                note(&format!(
                    "{max} connections open (--max-connections): closing the oldest idle ones \
                     to make room"
                ));
            }
            if !self.close_oldest_idle() {
                return None;
            }
        }
        let id = self.next;
        self.next += 1;
        let slot = Arc::new(Slot {
            busy: AtomicUsize::new(0),
            close: Notify::new(),
        });
        self.live.insert(id, slot.clone());
        Some((id, slot))
    }
}

fn lock(table: &Mutex<Table>) -> std::sync::MutexGuard<'_, Table> {
    table.lock().unwrap_or_else(|p| p.into_inner())
}

/// Counts a request in progress for as long as it lives.
struct Busy(Arc<Slot>);

impl Busy {
    fn enter(slot: &Arc<Slot>) -> Busy {
        slot.busy.fetch_add(1, Ordering::AcqRel);
        Busy(slot.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `router` on `listener` until `stop` completes; then stops accepting, lets the
/// requests in progress finish and closes the idle connections, and returns once all are gone.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let table = Arc::new(Mutex::new(Table::default()));
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection holds a receiver; `closed()` on the sender says they are all gone.
    let (gone_tx, gone_rx) = watch::channel(());
    let mut stop = pin!(stop);
    let mut backoff = BACKOFF_MIN;
    // Accept errors come in floods: one note, then at most one a minute with how many.
    let mut noted: Option<Instant> = None;
    let mut failed = 0u64;
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if per_connection(&e) => continue,
            Err(e) => {
                failed += 1;
                if noted.is_none_or(|t| t.elapsed() >= PRESSURE_NOTE_EVERY) {
                    noted = Some(Instant::now());
                    note(&format!(
                        "cannot accept a connection ({e}; {failed} time(s) since the last note): \
                         closing idle ones and trying again"
                    ));
                    failed = 0;
                }
                lock(&table).close_oldest_idle();
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = &mut stop => break,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        backoff = BACKOFF_MIN;
        let Some((id, slot)) = lock(&table).admit(limits.max) else {
            // Every connection is busy answering: this one is closed at once, not queued.
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            router.clone(),
            limits.idle,
            Conn {
                id,
                slot,
                table: table.clone(),
                stop: stop_rx.clone(),
                _gone: gone_rx.clone(),
            },
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(gone_rx);
    gone_tx.closed().await;
    Ok(())
}

/// Errors that concern one connection that went away before it was accepted, not the server.
fn per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// What a connection's task holds besides the socket; leaves the table when dropped.
struct Conn {
    id: u64,
    slot: Arc<Slot>,
    table: Arc<Mutex<Table>>,
    stop: watch::Receiver<bool>,
    _gone: watch::Receiver<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        lock(&self.table).live.remove(&self.id);
    }
}

async fn connection(stream: TcpStream, router: Router, idle: Duration, mut conn: Conn) {
    let tower = TowerToHyperService::new(router);
    let slot = conn.slot.clone();
    let service = service_fn(move |req: hyper::Request<Incoming>| {
        let busy = Busy::enter(&slot);
        let req = req.map(|body| TimedBody::new(body, idle));
        let answer = hyper::service::Service::call(&tower, req);
        async move {
            let r = answer.await;
            drop(busy);
            r
        }
    });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(idle);
    let mut http = pin!(builder.serve_connection(TokioIo::new(stream), service));
    let closed = conn.slot.clone();
    tokio::select! {
        _ = http.as_mut() => return,
        // Dropping the connection closes its socket.
        () = closed.close.notified() => return,
        _ = conn.stop.wait_for(|s| *s) => {}
    }
    // Stopping: the request in progress is answered, then the connection closes.
    http.as_mut().graceful_shutdown();
    tokio::select! {
        _ = http.as_mut() => {}
        () = closed.close.notified() => {}
    }
}

/// A request body that must be received in full by a deadline set when its header was read.
struct TimedBody {
    body: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    within: Duration,
}

impl TimedBody {
    fn new(body: Incoming, within: Duration) -> TimedBody {
        TimedBody {
            body,
            deadline: Box::pin(tokio::time::sleep(within)),
            within,
        }
    }
}

impl Body for TimedBody {
    type Data = hyper::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(format!(
                "the body was not received in full within {} (--idle-timeout)",
                humantime::format_duration(self.within)
            )
            .into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_is_half_the_files_within_bounds() {
        assert_eq!(default_max(Some(1024)), 512);
        assert_eq!(default_max(Some(1_048_576)), 4096);
        assert_eq!(default_max(Some(1)), 1);
        assert_eq!(default_max(None), 512);
    }

    #[test]
    fn a_full_table_closes_its_oldest_idle_connection_and_never_a_busy_one() {
        let mut t = Table::default();
        let (_, first) = t.admit(2).unwrap();
        let (_, second) = t.admit(2).unwrap();
        let _busy = Busy::enter(&first);
        let (third, _) = t.admit(2).unwrap();
        assert_eq!(t.live.len(), 2);
        assert!(t.live.contains_key(&0) && t.live.contains_key(&third));
        assert!(!t.live.values().any(|s| Arc::ptr_eq(s, &second)));
        let _busy3 = Busy::enter(&t.live[&third].clone());
        assert!(t.admit(2).is_none(), "all busy: refused");
        assert_eq!(t.live.len(), 2);
    }
}
