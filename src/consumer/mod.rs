//! The worker engine behind `rpq consume` and the demo's consumers: the claim loop, the idle
//! wait, running the tasks (simulated work, `--exec` or `--pipe` handlers, up to `-j N` at once:
//! `pool`), acks that ride on the next claim, failures with backoff, kept results, the
//! heartbeat, and graceful shutdown. It knows no flags and prints only through `Output`.
//!
//! One loop on the caller's thread does every Redis call of the work itself: it claims only as
//! many tasks as there are free slots (plus `--prefetch` extra), so priority order holds across
//! slots, starts them, and waits on one channel for what ends (a slot's handler, a `--pipe`
//! answer, a marker of new work from the listener) or for the next deadline it keeps (an ack
//! window, simulated work, a `--pipe` task's timeout). With one slot the idle wait is its own
//! BLPOP, as it always was; with more, the listener's (`listener`), so that an end and new
//! work both wake it.

mod acks;
pub mod control;
pub mod guard;
pub mod handler;
mod heartbeat;
mod listener;
mod pipe;
mod pipe_ctl;
mod pool;
mod report;
mod slots;
mod spawn;
mod traced;
pub mod waker;

use crate::config::Config;
use crate::error::{Interrupted, LayoutError};
use crate::output::{note, Delivery, Finished, Outcome, Output};
use crate::queue::{
    ClaimOptions, ClaimReply, Claimed, Failed, HeldBy, KeepAck, Lease, LeaseState, Queue,
    Unreadable,
};
use crate::reconnect::{retry, retry_idle};
use crate::shutdown::Shutdown;
use crate::task::Task;
use acks::{PendingAcks, ACK_WINDOW};
use anyhow::Result;
use chrono::{DateTime, Utc};
use control::{Control, Entry};
use handler::HandlerResult;
use heartbeat::Heartbeat;
use listener::Listener;
use pool::{Done, Event, Pool, Running};
use rand::Rng;
use report::Reporter;
use slots::Slots;
use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use traced::{Ended, Tracer};
use waker::Waker;

/// An idle consumer claims now and then even without a wake-up, so that it shows as alive in
/// `stats` and recovers expired leases of dead consumers.
const IDLE_CLAIM_EVERY: Duration = Duration::from_secs(5);

/// Backoff never grows past this.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// How long the loop waits on its channel at most while tasks run: it looks at signals and
/// cancels for the slots that do not look themselves (simulated work, `--pipe`) this often.
const BUSY_LOOK: Duration = handler::LOOK_EVERY;

/// ... and while it has nothing in hand (a first signal is seen within this).
const IDLE_LOOK: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct Options {
    pub name: String,
    pub delay: Duration,
    pub count: Option<u64>,
    pub drain: bool,
    pub exec: Option<String>,
    pub exec_timeout: Option<Duration>,
    pub lease: Duration,
    pub max_attempts: u32,
    pub backoff: Duration,
    pub prefetch: usize,
    // The worker runtime (issue 11).
    /// Slots: tasks run at once.
    pub concurrency: usize,
    /// `--pipe CMD`: a handler kept running per slot.
    pub pipe: Option<String>,
    /// Tasks a `--pipe` handler holds at once.
    pub pipe_depth: usize,
    // Issue 25: tasks an `--exec` call is given at once (1: one, the usual way), and how long
    // a batch may wait to fill.
    pub batch: usize,
    pub linger: Duration,
}

/// A consumer's defaults, written once: `rpq consume`'s flags take and show them (`cli.rs`),
/// and the demo's and the bench's consumers start from them (`Options::simulated`). Durations
/// are given as a person types them, as the help shows them.
pub mod defaults {
    pub const LEASE: &str = "30s";
    pub const MAX_ATTEMPTS: u32 = 3;
    pub const BACKOFF: &str = "1s";
    pub const PREFETCH: u64 = 1;
    pub const CONCURRENCY: u64 = 1;
    pub const PIPE_DEPTH: u64 = 1;
}

impl Options {
    /// What the demo's consumers and a plain `rpq consume` use: simulated work of `delay`.
    pub fn simulated(name: &str, delay: Duration) -> Options {
        let duration = |d| crate::task::parse_duration(d).expect("a default duration parses");
        Options {
            name: name.to_string(),
            delay,
            count: None,
            drain: false,
            exec: None,
            exec_timeout: None,
            lease: duration(defaults::LEASE),
            max_attempts: defaults::MAX_ATTEMPTS,
            backoff: duration(defaults::BACKOFF),
            prefetch: defaults::PREFETCH as usize,
            concurrency: defaults::CONCURRENCY as usize,
            pipe: None,
            pipe_depth: defaults::PIPE_DEPTH as usize,
            batch: 1,
            linger: Duration::ZERO,
        }
    }

    /// The command of its handler, as a user gave it.
    fn command(&self) -> &str {
        self.pipe.as_deref().or(self.exec.as_deref()).unwrap_or("")
    }

    /// What a consumer with these options says of itself when it starts (issue 28).
    fn announcement(&self) -> crate::queue::usage::WorkerSays {
        let handler = match (&self.pipe, &self.exec) {
            (Some(_), _) => "pipe",
            (None, Some(_)) => "exec",
            (None, None) => "simulated",
        };
        crate::queue::usage::WorkerSays {
            name: self.name.clone(),
            host: hostname(),
            pid: std::process::id(),
            concurrency: self.concurrency as u64,
            handler: handler.to_string(),
            command: self.command().to_string(),
            started_at: Utc::now().timestamp_millis(),
            ..Default::default()
        }
    }
}

/// What a consumer did, for its exit status.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub done: u64,
    pub failed: u64,
    pub unreadable: u64,
    /// Tasks no handler could be started for (bad data, moved to the dead set).
    pub unstartable: u64,
}

/// Runs a consumer until the `--count` tasks it took are over, a drain finds nothing, or the
/// first signal; a second signal hands back what it holds and returns `Interrupted`.
pub fn run(cfg: &Config, o: &Options, sd: &Shutdown, out: &Output) -> Result<Summary> {
    // Before the first handler starts, and dropped after the engine (locals drop in reverse):
    // what the handlers left is ended once the pool has stopped them.
    let _guard = (o.exec.is_some() || o.pipe.is_some())
        .then(guard::hold)
        .flatten();
    let mut c = Consumer::new(cfg, o, sd, out)?;
    let result = c.work();
    // Before the handing back below: what could not be exported is said either way.
    if let Some(t) = c.tracer.take() {
        t.finish();
    }
    match &result {
        // The queue moved to another layout while this ran (its push or claim scripts refused
        // the shard): nothing more is written to it, not even to settle what is held, as those
        // keys are the other layout's to read now; its leases expire there, and what reads that
        // layout recovers their tasks.
        Err(e) if e.chain().any(|c| c.is::<LayoutError>()) => c.pool.kill_all(),
        Err(_) => c.hand_back_all(),
        // Nothing is left to resend, and nothing of this consumer to clean up (layout 3 keeps
        // no receipts: common.lua, taken).
        Ok(_) => {}
    }
    result
}

/// Why the engine winds down with tasks still in hand.
#[derive(Clone, PartialEq, Eq)]
enum Ending {
    /// A second signal: everything goes back, exit 130.
    Aborted,
    /// The handler cannot be run at all (exit 126/127 before any ran): everything goes back
    /// untouched, and the consumer stops with this.
    CannotRun(String),
    /// Stdout's reader left: what is done and unreported goes back too, quietly.
    ReaderGone,
}

struct Consumer<'a> {
    o: &'a Options,
    sd: &'a Shutdown,
    out: &'a Output,
    q: Queue,
    heartbeat: Heartbeat,
    /// What it says of itself and what it ran, for the dashboard (issue 28).
    reporter: Reporter,
    claim: ClaimOptions,
    acks: PendingAcks,
    summary: Summary,
    /// Tasks claimed so far, whatever became of them (done, failed, cancelled, lost, handed
    /// back, unreadable): what `--count` counts, so that a task that ends in no ack of ours
    /// (a cancel) cannot keep a `--count` run waiting for one more.
    taken: u64,
    // Time (issue 12): recurring schedules fired between claims, and the timer that ends an
    // idle wait when something falls due.
    slots: Slots,
    waker: Waker,
    /// Whether a handler has run to an exit status of its own (not 126/127) at least once.
    handler_ran: bool,
    // The worker runtime (issue 11): the slots, what ends in them, and the claimed tasks that
    // wait for one (prefetched).
    pool: Pool,
    events: Receiver<Event>,
    /// Held so that the channel never disconnects: `wait` blocks on it with a timeout, and a
    /// channel with no sender left (simulated work of one slot has none) returns at once, so
    /// `--delay` would spin a core instead of sleeping.
    _events_open: Sender<Event>,
    /// The idle wait of a consumer of more than one slot (see `listener`).
    listener: Option<Listener>,
    ready: VecDeque<Claimed>,
    /// The last claim found nothing: the next waits until this (or a wake-up, or an end).
    quiet_until: Option<Instant>,
    /// A drain's claim found nothing and no retry: no more claims unless an end changes that.
    drained: bool,
    /// An ack waits that should go now, not with the next claim (a slow task, or the last).
    flush_wanted: bool,
    /// Tasks in hand that go back to the queue at the end (their handler was stopped).
    handed: Vec<Claimed>,
    ending: Option<Ending>,
    // controls (issue 13): whether the last idle claim found the queue paused (said once).
    paused_said: bool,
    /// Issue 26: the spans of traced tasks, when OTLP export is on.
    tracer: Option<Tracer>,
    /// Handlers that talk back (issue 25): the control socket of `--exec` handlers. Last, so
    /// that it goes after the pool has stopped every handler.
    control: Option<Control>,
}

impl<'a> Consumer<'a> {
    fn new(cfg: &Config, o: &'a Options, sd: &'a Shutdown, out: &'a Output) -> Result<Self> {
        let mut q = Queue::open(cfg)?;
        q.watch_losses()?;
        // Issue 25: `--exec` handlers talk back through a socket of the consumer's, `--pipe`
        // ones through ctl lines on their stdout.
        let control = match o.exec.is_some() || o.pipe.is_some() {
            true => match Control::start(cfg, &o.name, o.lease, o.exec.is_some()) {
                Ok(c) => Some(c),
                Err(e) => {
                    note(&format!(
                        "cannot make the control socket of the handlers ({e}); `rpq ctl` \
                         will not work in them"
                    ));
                    None
                }
            },
            false => None,
        };
        let heartbeat = Heartbeat::start(
            cfg.clone(),
            o.name.clone(),
            o.lease,
            control.as_ref().map(Control::link),
        );
        let reporter = Reporter::start(cfg.clone(), o.announcement());
        let (tx, events) = mpsc::channel();
        let pool = Pool::new(
            o,
            &cfg.queue,
            &tx,
            out,
            sd,
            heartbeat.watch(),
            control.as_ref(),
        );
        // More than one task in hand at once (slots, or a --pipe handler given several): an
        // end and new work must both wake the loop, so the idle wait is the listener's.
        let capacity = o.concurrency
            * if o.pipe.is_some() && o.batch <= 1 {
                o.pipe_depth
            } else {
                o.batch.max(1)
            };
        let listener = (capacity > 1).then(|| Listener::start(cfg.clone(), tx.clone()));
        Ok(Consumer {
            o,
            sd,
            out,
            q,
            heartbeat,
            reporter,
            claim: ClaimOptions {
                consumer: o.name.clone(),
                lease: o.lease,
                max_attempts: o.max_attempts,
                count: o.prefetch.max(1),
            },
            acks: PendingAcks::default(),
            summary: Summary::default(),
            taken: 0,
            slots: Slots::default(),
            waker: Waker::start(cfg.clone()),
            handler_ran: false,
            pool,
            events,
            _events_open: tx,
            listener,
            ready: VecDeque::new(),
            quiet_until: None,
            drained: false,
            flush_wanted: false,
            handed: Vec::new(),
            ending: None,
            paused_said: false,
            tracer: Tracer::start(cfg, &o.name),
            control,
        })
    }

    /// `--count N` is met: N tasks taken, whatever became of them.
    fn count_reached(&self) -> bool {
        self.o.count.is_some_and(|n| self.taken >= n)
    }

    /// Tasks in hand: running, or claimed and waiting for a slot.
    fn in_hand(&self) -> usize {
        self.pool.busy() + self.ready.len()
    }

    fn work(&mut self) -> Result<Summary> {
        loop {
            crate::service::watchdog();
            self.take_events()?;
            if self.ending.is_none() {
                if self.sd.abort_requested() {
                    self.end_with(Ending::Aborted);
                } else if self.out.reader_gone() {
                    self.end_with(Ending::ReaderGone);
                } else if let Some(why) = self.pool.not_run.take().filter(|_| !self.handler_ran) {
                    self.end_with(Ending::CannotRun(why));
                }
            }
            if self.ending.is_some() {
                if self.pool.busy() > 0 {
                    self.wait()?;
                    continue;
                }
                return self.wind_down();
            }
            if self.sd.stop_requested() && !self.ready.is_empty() {
                // Prefetched but not started: back to the queue for someone else.
                let rest: Vec<Claimed> = self.ready.drain(..).collect();
                self.hand_back(&rest)?;
            }
            self.start_ready()?;
            if self.wants_claim() {
                self.claim_more()?;
                continue;
            }
            if self.in_hand() == 0
                && (self.sd.stop_requested() || self.count_reached() || self.drained)
            {
                break;
            }
            if !self.acks.is_empty() && (self.flush_wanted || self.acks.overdue()) {
                self.flush_acks()?;
                continue;
            }
            self.wait()?;
        }
        self.pool.close();
        self.flush_acks()?;
        // Issue 15: claims write this consumer's entry about once a second; what it did since
        // goes there now, so that `stats` counts all of it.
        let name = &self.o.name;
        retry(&mut self.q, self.sd, |q| q.flush_seen(name))?;
        if self.sd.abort_requested() {
            return Err(Interrupted.into());
        }
        Ok(self.summary)
    }

    /// Whether to claim now: a free slot has no task waiting for it, `--count` leaves room for
    /// one more, and nothing says to wait.
    fn wants_claim(&self) -> bool {
        !self.sd.stop_requested()
            && !self.drained
            && self.claim_size() > 0
            && self.quiet_until.is_none_or(|t| Instant::now() >= t)
    }

    /// How many tasks a claim now asks for: one per free slot with no task waiting for it, and
    /// the `--prefetch` extra; no more than `--count` leaves.
    fn claim_size(&self) -> usize {
        let free = self.pool.free().saturating_sub(self.ready.len());
        if free == 0 {
            return 0;
        }
        let want = free + self.claim.count - 1;
        match self.o.count {
            Some(n) => want.min(n.saturating_sub(self.taken) as usize),
            None => want,
        }
    }

    /// Claims for the free slots (and `--prefetch` extra), carrying the acks that wait, and
    /// starts what came on the free slots at once: a task claimed for a free slot is in hand,
    /// even if a first signal came during the claim.
    fn claim_more(&mut self) -> Result<()> {
        let free = self.pool.free() - self.ready.len();
        let want = self.claim_size();
        self.flush_wanted = false;
        let Some(reply) = self.claim(want)? else {
            return Ok(());
        };
        self.taken += (reply.tasks.len() + reply.unreadable.len()) as u64;
        self.bury(&reply.unreadable, reply.now)?;
        self.quiet_until = None;
        if reply.tasks.is_empty() {
            if reply.unreadable.is_empty() {
                self.nothing_claimed(&reply);
            }
            return Ok(());
        }
        self.paused_said = false;
        let mut tasks = reply.tasks.into_iter();
        for c in tasks.by_ref().take(free) {
            self.start(c)?;
        }
        self.ready.extend(tasks);
        Ok(())
    }

    /// One claim of `want` tasks, carrying the acks that wait. None when a first signal came
    /// during an outage and nothing was at stake.
    fn claim(&mut self, want: usize) -> Result<Option<ClaimReply>> {
        // The acks that ride on it wait for their lines to be read (stdout a pipe).
        if !self.acks.is_empty() && !self.deliver()? {
            return Ok(None);
        }
        // This claim takes what the waker was to wake us for: its marker, sent after the claim,
        // would be left on the wake list (see waker.rs).
        self.waker.at(None);
        let opts = ClaimOptions {
            count: want,
            ..self.claim.clone()
        };
        let acks = &self.acks;
        let reply = if acks.is_empty() {
            match retry_idle(&mut self.q, self.sd, |q| q.claim(&opts, acks.as_slice()))? {
                Some(reply) => reply,
                None => return Ok(None),
            }
        } else {
            retry(&mut self.q, self.sd, |q| q.claim(&opts, acks.as_slice()))?
        };
        // Connected, and the claim script is loaded: systemd may count us as started.
        crate::service::ready();
        // Held from here on: if printing fails below, `hand_back_all` returns them.
        self.heartbeat.track(&reply.tasks);
        self.settle_acks(&reply.acked)?;
        // Recurring schedules: fire the slot that fell due, by the server's clock. Nothing is at
        // stake here (a slot not fired now fires when something runs again), so a first signal
        // during an outage ends the wait: the first tick reads the schedules, and a Redis lost
        // between the claim's reply and that read must not keep an idle consumer waiting.
        let (slots, now) = (&mut self.slots, reply.now.timestamp_millis());
        retry_idle(&mut self.q, self.sd, |q| slots.tick(q, now))?;
        Ok(Some(reply))
    }

    /// A claim found nothing: when to look again (`next_look`), and for a drain whether it is
    /// over. The idle wait itself is `wait`'s.
    fn nothing_claimed(&mut self, reply: &ClaimReply) {
        // controls (issue 13): tasks held back by a limit or a pause with an end are still
        // waiting, so a drain waits for them too; a pause without an end would keep it for ever
        // (only a person ends it), so the drain ends there, saying what it leaves. A pause is
        // said once, as it keeps the consumer idle.
        let paused = reply.held.is_some_and(|h| h.by == HeldBy::Paused);
        let open_pause = paused && reply.held.is_some_and(|h| h.until.is_none());
        if self.o.drain && reply.next_retry.is_none() && (reply.held.is_none() || open_pause) {
            if open_pause {
                note(&format!(
                    "queue '{}' is paused; the drain ends with its paused tasks waiting",
                    self.q.name()
                ));
            }
            self.drained = true;
            return;
        }
        if paused && !self.paused_said {
            note(&format!(
                "queue '{}' is paused; {} waits for `rpq resume`",
                self.q.name(),
                self.o.name
            ));
        }
        self.paused_said = paused;
        let (due, precise) = self.next_look(reply);
        let until = Instant::now() + due;
        // A BLPOP ends at a due time only to the tenth of a second: the waker ends it on time.
        if precise {
            self.waker.at(Some(until));
        }
        self.quiet_until = Some(until);
    }

    /// When to claim again after a claim that found nothing, and whether that is a due time
    /// (a retry, a lease, a scheduled task, a schedule's slot) rather than the idle claim's:
    /// every "when to look again" of the claim loop is decided here.
    fn next_look(&self, reply: &ClaimReply) -> (Duration, bool) {
        let now = reply.now;
        let slot = self.slots.next_ms().map(crate::task::ms_to_time);
        let next = [reply.look_again().map(|(t, _)| t), slot]
            .into_iter()
            .flatten()
            .min()
            .map(|t| (t - now).to_std().unwrap_or_default());
        let due = next.unwrap_or(IDLE_CLAIM_EVERY).min(IDLE_CLAIM_EVERY);
        (due, next.is_some_and(|d| d < IDLE_CLAIM_EVERY))
    }

    /// Starts the claimed tasks that wait, on the slots that are free.
    fn start_ready(&mut self) -> Result<()> {
        while self.pool.free() > 0 {
            let Some(c) = self.ready.pop_front() else {
                break;
            };
            self.start(c)?;
        }
        Ok(())
    }

    /// Starts one task on a free slot (one cancelled meanwhile is reported and not started).
    fn start(&mut self, c: Claimed) -> Result<()> {
        // Its line could reach no one: it goes back before its handler runs.
        if self.out.reader_gone() {
            if self.ending.is_none() {
                self.end_with(Ending::ReaderGone);
            }
            self.handed.push(c);
            return Ok(());
        }
        let lease = c.lease();
        // cancel (issue 13): a prefetched task cancelled before its turn is not started.
        if self.heartbeat.take_cancelled(&lease) {
            self.heartbeat.untrack(&lease);
            self.out.finished(&self.cancelled_line(&c))?;
            return Ok(());
        }
        self.out.got(&self.o.name, &c.task)?;
        let mut c = c;
        let producer_trace = self.tracer.as_ref().and_then(|t| t.starting(&mut c));
        let settings = c.task.settings;
        let control = self.control.as_ref().map(|ctl| (ctl.register(&c), c.fence));
        // Flows (issue 24): a child's handler gets its parents' kept results: a file for an
        // --exec handler of one task, its line's `parents` for one that reads lines.
        let (parent_results, parents) = if c.task.parents.is_empty() {
            (None, None)
        } else {
            let parents = c.task.parents.clone();
            let kept = retry(&mut self.q, self.sd, |q| q.parent_results(&parents))?;
            if self.o.pipe.is_some() || self.o.batch > 1 {
                (None, Some(parent_lines(&kept)?))
            } else {
                (Some(write_parent_results(&c.task.id, &kept)?), None)
            }
        };
        let run = Running {
            timeout: settings.exec_timeout().or(self.o.exec_timeout),
            capture: settings.keep_result().is_some(),
            started: Instant::now(),
            claimed: c,
            producer_trace,
            control,
            parent_results,
            parents,
        };
        if let Some(done) = self.pool.start(run) {
            self.finish(done)?;
        }
        Ok(())
    }

    /// Waits for what ends in the slots, new work, or the next deadline: the one place the
    /// loop blocks. With one slot and nothing in hand it is the idle wait of old, its own BLPOP.
    fn wait(&mut self) -> Result<()> {
        let idle = self.in_hand() == 0 && self.ending.is_none();
        if idle && self.listener.is_none() && self.quiet_until.is_some() {
            self.idle()?;
            self.quiet_until = None;
            return Ok(());
        }
        // The listener waits for new work when a slot is free and nothing is left to start.
        let listen = self.ending.is_none()
            && self.quiet_until.is_some()
            && self.pool.free() > self.ready.len()
            && !self.sd.stop_requested();
        if let Some(l) = &self.listener {
            l.arm(listen);
        }
        let now = Instant::now();
        let mut until = now
            + if self.pool.busy() > 0 {
                BUSY_LOOK
            } else {
                IDLE_LOOK
            };
        let deadlines = [
            self.quiet_until,
            self.pool.next_wake(),
            self.acks.deadline(),
        ];
        for d in deadlines.into_iter().flatten() {
            until = until.min(d);
        }
        match self
            .events
            .recv_timeout(until.saturating_duration_since(now))
        {
            Ok(ev) => self.on_event(ev)?,
            Err(RecvTimeoutError::Timeout) => {}
            // Never while we run: we hold a sender ourselves.
            Err(RecvTimeoutError::Disconnected) => {}
        }
        self.tick()?;
        if self.quiet_until.is_some_and(|t| Instant::now() >= t) {
            self.wake_up();
        }
        Ok(())
    }

    /// What came on the channel and whatever else is there, without waiting; and the
    /// deadlines that passed.
    fn take_events(&mut self) -> Result<()> {
        while let Ok(ev) = self.events.try_recv() {
            self.on_event(ev)?;
        }
        self.tick()
    }

    fn on_event(&mut self, ev: Event) -> Result<()> {
        if let Event::Woke { schedules } = ev {
            if schedules {
                self.q.note_schedules_changed();
            }
            self.wake_up();
            return Ok(());
        }
        for done in self.pool.handle(ev) {
            self.finish(done)?;
        }
        Ok(())
    }

    /// The pool's deadlines and the looks at cancels and signals it needs from us.
    fn tick(&mut self) -> Result<()> {
        let hb = &self.heartbeat;
        let cancelled = |l: &Lease| hb.cancelled(l);
        let abort = self.ending.is_some() || self.sd.abort_requested();
        let restart = !self.sd.stop_requested();
        for done in self.pool.tick(&cancelled, abort, restart) {
            self.finish(done)?;
        }
        Ok(())
    }

    /// Something may be waiting again: the next turn claims.
    fn wake_up(&mut self) {
        self.quiet_until = None;
        self.waker.at(None);
    }

    /// Winds down with tasks in hand: every handler is stopped, its task to go back.
    fn end_with(&mut self, why: Ending) {
        self.ending = Some(why);
        self.pool.stop_all();
        if let Some(l) = &self.listener {
            l.arm(false);
        }
    }

    /// Once every handler has stopped: finished tasks are acknowledged (or, when stdout's
    /// reader left, handed back with the rest), then what is held goes back to the queue.
    fn wind_down(&mut self) -> Result<Summary> {
        self.pool.close();
        let ending = self.ending.clone().expect("winding down has a reason");
        let mut held: Vec<Claimed> = std::mem::take(&mut self.handed);
        held.extend(self.ready.drain(..));
        if ending == Ending::ReaderGone {
            self.release_unreported();
            self.release_quietly(&held.iter().map(Claimed::lease).collect::<Vec<_>>());
            return Ok(self.summary);
        }
        self.flush_acks()?;
        self.hand_back(&held)?;
        match ending {
            Ending::Aborted => Err(Interrupted.into()),
            Ending::CannotRun(why) => Err(cannot_run(self.o, &why)),
            Ending::ReaderGone => unreachable!("returned above"),
        }
    }

    /// A task's run ended: report it, and ack it, fail it or hand it back.
    fn finish(&mut self, done: Done) -> Result<()> {
        let Done { run, result } = done;
        if let Some(p) = &run.parent_results {
            let _ = std::fs::remove_file(p);
        }
        // Issue 25: what its handler asked for through `rpq ctl`; its secret is refused now.
        let asked: Option<Entry> = run
            .control
            .as_ref()
            .and_then(|(key, _)| self.control.as_ref()?.finish(key));
        // Its control hash needs an end of its own when its handler wrote to it, or when an
        // earlier attempt may have (a first attempt cannot have one from before).
        let with_ctl = asked
            .as_ref()
            .is_some_and(|e| e.used || run.claimed.task.attempt > 1);
        // `retry-after`: the attempt ends as a failure due again then, however the handler ended.
        let (result, retry_in) = match (asked.and_then(|e| e.retry_after), result) {
            (
                Some((d, why)),
                HandlerResult::Done(_) | HandlerResult::Failed(_) | HandlerResult::Rejected(_),
            ) => (HandlerResult::Failed(why), Some(d)),
            (_, r) => (r, None),
        };
        let mut c = run.claimed;
        // The task's own context again (its handler had its attempt's span): for its line, and
        // for its span once the outcome is known.
        if let Some(p) = &run.producer_trace {
            c.task.trace = Some(p.clone());
        }
        // An end may free a slot and a retry may now be due: look again at once.
        self.wake_up();
        self.drained = false;
        // A command the shell cannot run at all, before any handler ever ran: the command
        // is wrong, not the task, so the task goes back untouched and the consumer stops,
        // rather than burn the attempts of every task in the queue.
        if let HandlerResult::NotRun(why) = &result {
            if !self.handler_ran {
                if self.ending.is_none() {
                    self.end_with(Ending::CannotRun(why.clone()));
                }
                self.handed.push(c);
                return Ok(());
            }
        }
        if matches!(
            result,
            HandlerResult::Done(_) | HandlerResult::Failed(_) | HandlerResult::Rejected(_)
        ) {
            self.handler_ran = true;
        }
        let lease = c.lease();
        if matches!(result, HandlerResult::Aborted) {
            // Handed back at the end, once the finished tasks are acknowledged.
            self.handed.push(c);
            return Ok(());
        }
        let lost = self.heartbeat.untrack(&lease);
        let cancelled =
            self.heartbeat.take_cancelled(&lease) || matches!(result, HandlerResult::Cancelled);
        if !cancelled && !lost {
            let ok = match &result {
                HandlerResult::Done(_) => Some(true),
                HandlerResult::Released => None,
                _ => Some(false),
            };
            if let Some(ok) = ok {
                self.tally(&c, ok, run.started.elapsed());
            }
        }
        if let (Some(t), Some(p)) = (&self.tracer, &run.producer_trace) {
            t.ended(&c, p, attempt_end(&result, cancelled, lost));
        }
        let line = Finished {
            task: c.task.clone(),
            consumer: self.o.name.clone(),
            claimed_at: c.claimed_at,
            finished_at: Utc::now(),
            outcome: Outcome::Done,
            error: None,
        };
        match result {
            // Cancelled while it ran, or just after: it is gone from Redis, so no ack.
            _ if cancelled => {
                if with_ctl {
                    self.ctl_forget(&c.task.id);
                }
                self.out.finished(&Finished {
                    outcome: Outcome::Cancelled,
                    ..line
                })?
            }
            _ if lost => {
                self.out.finished(&Finished {
                    outcome: Outcome::Lost,
                    error: Some("the lease expired before the task finished".into()),
                    ..line
                })?;
            }
            HandlerResult::Released => self.hand_back(std::slice::from_ref(&c))?,
            HandlerResult::Done(result) if with_ctl => {
                self.summary.done += 1;
                let keep = c.task.settings.keep_result();
                let ack = AckNow::Ctl(keep.map(|k| (k, result.unwrap_or_default())));
                self.done_now(&c, line, ack)?
            }
            HandlerResult::Done(result) => self.done(&c, line, run.started, result)?,
            HandlerResult::Failed(why) | HandlerResult::NotRun(why) => {
                self.failed(&c, line, why, false, retry_in, with_ctl)?
            }
            HandlerResult::Rejected(why) => self.failed(&c, line, why, true, None, with_ctl)?,
            HandlerResult::Unstartable(why) => {
                self.summary.unstartable += 1;
                self.failed(&c, line, why, true, None, with_ctl)?
            }
            HandlerResult::Aborted | HandlerResult::Cancelled => {
                unreachable!("handled above")
            }
        }
        Ok(())
    }

    /// Counts a task that ended in the report (issue 28): its type, how it ended, how long it
    /// waited (first attempts only: when a retry fell due is not known here) and ran.
    fn tally(&self, c: &Claimed, ok: bool, ran: Duration) {
        let t = &c.task;
        let wait = (t.attempt <= 1)
            .then(|| {
                (c.claimed_at - t.due_at.unwrap_or(t.created_at))
                    .to_std()
                    .ok()
            })
            .flatten();
        self.reporter.record(&t.kind, ok, wait, ran);
    }

    /// Tasks whose body cannot be read go to the dead set with the reason, and get their
    /// result line like any other task (with what is known of them: id, priority, attempt).
    fn bury(&mut self, unreadable: &[Unreadable], claimed_at: DateTime<Utc>) -> Result<()> {
        for u in unreadable {
            self.summary.unreadable += 1;
            let r = retry(&mut self.q, self.sd, |q| {
                q.fail(&u.lease, Duration::ZERO, &u.reason, true)
            })?;
            if r != Failed::Dead {
                continue;
            }
            crate::log::Event::warn(
                "unreadable_task",
                format!(
                    "task {} cannot be read ({}); moved it to the dead set",
                    u.lease.id, u.reason
                ),
            )
            .with("task", u.lease.id.as_str())
            .with("consumer", self.o.name.as_str())
            .with("error", u.reason.as_str())
            .emit();
            let id = &u.lease.id;
            let priority = retry(&mut self.q, self.sd, |q| q.known_priority(id))?;
            self.out.unreadable(&Finished {
                task: Task::unreadable(id, priority, u.attempt),
                consumer: self.o.name.clone(),
                claimed_at,
                finished_at: Utc::now(),
                outcome: Outcome::Dead,
                error: Some(u.reason.clone()),
            })?;
        }
        Ok(())
    }

    /// Nothing was claimed and nothing is in hand (one slot): block until a push wakes us, a
    /// retry or a lease falls due, or it is time for an idle claim (`quiet_until`, for which
    /// `nothing_claimed` set the waker when it is a due time).
    fn idle(&mut self) -> Result<()> {
        let until = self.quiet_until.unwrap_or_else(Instant::now);
        loop {
            crate::service::watchdog();
            if self.sd.stop_requested() {
                break;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if retry_idle(&mut self.q, self.sd, |q| q.wait_for_work(left))?.unwrap_or(true) {
                break;
            }
        }
        self.waker.at(None);
        if self.sd.abort_requested() {
            return Err(Interrupted.into());
        }
        Ok(())
    }

    /// A task done: its ack waits for the next claim, unless this was the last task or tasks
    /// are slow and no claim comes next (`work` decides with `flush_wanted`). A task whose
    /// producer asked to keep its result is acknowledged at once, with the result.
    fn done(
        &mut self,
        c: &Claimed,
        line: Finished,
        started: Instant,
        result: Option<Vec<u8>>,
    ) -> Result<()> {
        self.summary.done += 1;
        if let Some(keep) = c.task.settings.keep_result() {
            let ack = AckNow::Keep(KeepAck {
                lease: c.lease(),
                keep,
                result: result.unwrap_or_default(),
            });
            return self.done_now(c, line, ack);
        }
        self.acks.push(c.lease(), line);
        // Until its ack goes out, a finished task keeps its lease extended.
        self.heartbeat.track(std::slice::from_ref(c));
        let last = self.sd.stop_requested() || self.count_reached();
        let slow = started.elapsed() >= ACK_WINDOW || self.acks.overdue();
        self.flush_wanted |= last || slow;
        Ok(())
    }

    /// The worker runtime (issue 11): the ack of a task that keeps its result carries it
    /// (keep.lua), so a producer waiting for it is woken by the ack itself; and (issue 25) the
    /// ack of a task whose handler used `rpq ctl` queues its children and ends its control
    /// hash (ctl_ack.lua). Both go at once, on their own, not with the next claim.
    fn done_now(&mut self, c: &Claimed, line: Finished, ack: AckNow) -> Result<()> {
        if self.out.reader_gone() {
            // Its line could not be printed: back to the queue, to be done again and told.
            self.summary.done -= 1;
            self.release_quietly(&[c.lease()]);
            return Ok(());
        }
        let lease = c.lease();
        // Stdout a pipe: its line first, read, then the ack (as `deliver` does for the rest).
        let printed = self.out.to_pipe();
        if printed {
            // A result to keep goes with the mark, so that recovery after it keeps the result.
            let keeping = match &ack {
                AckNow::Keep(k) => Some(k.clone()),
                AckNow::Ctl(Some((keep, result))) => Some(KeepAck {
                    lease: lease.clone(),
                    keep: *keep,
                    result: result.clone(),
                }),
                AckNow::Ctl(None) => None,
            };
            let state = match keeping {
                Some(k) => {
                    let (name, l) = (&self.o.name, self.o.lease);
                    let k = [k];
                    retry(&mut self.q, self.sd, |q| {
                        q.extend_delivering_keeping(name, &k, l)
                    })?
                }
                None => self.lease_states(std::slice::from_ref(&lease))?,
            };
            let state = state.first().copied().unwrap_or_default();
            if state != LeaseState::Held {
                // Delivered: recovery finished it as done after a mark whose reply was lost;
                // its line says done, and no ack is owed.
                let mut line = line;
                acks::not_held(&mut line, state);
                self.out.finished(&line)?;
                return Ok(());
            }
            self.heartbeat.track(std::slice::from_ref(c));
            let sd = self.sd;
            let read = match self.out.finished(&line) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Delivery::Gone,
                Err(e) => return Err(e.into()),
                Ok(()) => self.out.wait_read(&|| sd.abort_requested()),
            };
            self.heartbeat.untrack(&lease);
            if read != Delivery::Read {
                self.summary.done -= 1;
                self.release_quietly(&[lease]);
                if self.ending.is_none() {
                    self.end_with(if read == Delivery::Gone {
                        Ending::ReaderGone
                    } else {
                        Ending::Aborted
                    });
                }
                return Ok(());
            }
        }
        let name = &self.o.name;
        let ok = match ack {
            AckNow::Keep(k) => {
                let ack = [k];
                let ok = retry(&mut self.q, self.sd, |q| q.ack_keeping(name, &ack))?;
                ok.first().copied().unwrap_or(false)
            }
            AckNow::Ctl(keep) => {
                retry(&mut self.q, self.sd, |q| {
                    q.ctl_ack(name, &lease, keep.clone())
                })?
                .0
            }
        };
        let cancelled = !ok && self.was_cancelled(&[&lease])?[0];
        if let Some(line) = acks::after_ack(line, printed, acks::state(ok, cancelled)) {
            self.out.finished(&line)?;
        }
        Ok(())
    }

    /// A failed attempt: retried after a backoff, or dead when out of attempts or `bury`. A
    /// task that keeps its result leaves its error there when it dies.
    /// `retry_in`: when the handler asked (`rpq ctl retry-after`), instead of the backoff;
    /// `with_ctl`: the task has a control hash, which goes with a task that dies.
    fn failed(
        &mut self,
        c: &Claimed,
        line: Finished,
        why: String,
        bury: bool,
        retry_in: Option<Duration>,
        with_ctl: bool,
    ) -> Result<()> {
        self.summary.failed += 1;
        let wait = retry_in.unwrap_or_else(|| backoff(self.o.backoff, c.task.attempt));
        let lease = c.lease();
        let keep = c.task.settings.keep_result();
        let r = retry(&mut self.q, self.sd, |q| {
            q.fail_keeping(&lease, wait, &why, bury, keep)
        })?;
        let outcome = match r {
            Failed::Retry => Outcome::Retry,
            Failed::Dead => Outcome::Dead,
            Failed::LeaseLost if self.was_cancelled(&[&lease])?[0] => Outcome::Cancelled,
            Failed::LeaseLost => Outcome::Lost,
        };
        if with_ctl && matches!(outcome, Outcome::Dead | Outcome::Cancelled) {
            self.ctl_forget(&c.task.id);
        }
        self.out.finished(&Finished {
            error: (outcome != Outcome::Cancelled).then_some(why),
            outcome,
            ..line
        })?;
        Ok(())
    }

    /// Issue 25: the control hash of a task that is gone. Best effort: one that stays (Redis
    /// away) goes by its TTL.
    fn ctl_forget(&mut self, id: &str) {
        let _ = retry(&mut self.q, self.sd, |q| q.ctl_forget(id));
    }

    // cancel (issue 13): how a consumer tells a cancelled task from a lost lease.

    /// For each lease refused by an ack, a fail or a release: whether its task was cancelled
    /// (rather than its lease lost). The heartbeat may know it already; else one look asks
    /// Redis, which finds the mark and removes the task.
    fn was_cancelled(&mut self, leases: &[&Lease]) -> Result<Vec<bool>> {
        let mut out: Vec<bool> = leases
            .iter()
            .map(|l| self.heartbeat.take_cancelled(l))
            .collect();
        let ask: Vec<&Lease> = leases
            .iter()
            .zip(&out)
            .filter(|(_, known)| !**known)
            .map(|(l, _)| *l)
            .collect();
        if ask.is_empty() {
            return Ok(out);
        }
        let name = &self.o.name;
        let states = retry(&mut self.q, self.sd, |q| q.look(name, &ask))?;
        let mut states = states.into_iter();
        for known in out.iter_mut().filter(|k| !**k) {
            *known = states.next() == Some(LeaseState::Cancelled);
        }
        Ok(out)
    }

    /// The line of a task cancelled before it started.
    fn cancelled_line(&self, c: &Claimed) -> Finished {
        Finished {
            task: c.task.clone(),
            consumer: self.o.name.clone(),
            claimed_at: c.claimed_at,
            finished_at: Utc::now(),
            outcome: Outcome::Cancelled,
            error: None,
        }
    }

    /// Sends the acks that wait now, and prints their lines.
    fn flush_acks(&mut self) -> Result<()> {
        self.flush_wanted = false;
        if self.acks.is_empty() {
            return Ok(());
        }
        if self.out.reader_gone() {
            self.release_unreported();
            return Ok(());
        }
        if !self.deliver()? || self.acks.is_empty() {
            return Ok(());
        }
        let acks = &self.acks;
        let name = &self.o.name;
        let acked = retry(&mut self.q, self.sd, |q| q.ack(name, acks.as_slice()))?;
        self.settle_acks(&acked)
    }

    /// Issue 19: when stdout is a pipe, a task is acknowledged only once its line has been read
    /// from it, so that a reader that leaves (`| head -1`) has every line of what was
    /// acknowledged, and nothing acknowledged went unread. Before the acks that wait go out,
    /// their leases are made sure of (and extended: the reader may take its time), so that the
    /// line says what the ack will do; then the lines are written, and read. False: the reader
    /// left first (or a second signal came), and the tasks went back to the queue, with no
    /// attempt counted; the consumer stops.
    fn deliver(&mut self) -> Result<bool> {
        if !self.out.to_pipe() {
            return Ok(true);
        }
        let leases = self.acks.unprinted();
        if !leases.is_empty() {
            let states = self.lease_states(&leases)?;
            let held: Vec<bool> = states.iter().map(|s| *s == LeaseState::Held).collect();
            let (lines, dropped) = self.acks.print(&held, |l, line| {
                let state = leases
                    .iter()
                    .zip(&states)
                    .find(|(x, _)| *x == l)
                    .map_or(LeaseState::Lost, |(_, s)| *s);
                acks::not_held(line, state);
            });
            self.heartbeat.untrack_all_of(&dropped);
            for line in &lines {
                if let Err(e) = self.out.finished(line) {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        return Err(e.into());
                    }
                    return Ok(self.undelivered(Ending::ReaderGone));
                }
            }
        }
        let sd = self.sd;
        Ok(match self.out.wait_read(&|| sd.abort_requested()) {
            Delivery::Read => true,
            Delivery::Gone => self.undelivered(Ending::ReaderGone),
            Delivery::GaveUp => self.undelivered(Ending::Aborted),
        })
    }

    /// Whether each lease is still ours, before its line says `done`: one extension asks
    /// (which also gives the reader a whole lease to take the line), and marks the claims
    /// delivered, so that a consumer killed between its line and its ack leaves its tasks done,
    /// not to run again (SPEC 11). Without it, a consumer cut off past its lease would print
    /// `done` for a task another consumer finished, before its ack came back refused.
    fn lease_states(&mut self, leases: &[Lease]) -> Result<Vec<LeaseState>> {
        let (name, lease) = (&self.o.name, self.o.lease);
        retry(&mut self.q, self.sd, |q| {
            q.extend_delivering(name, leases, lease)
        })
    }

    /// Lines went unread: the tasks whose acks wait go back, and the consumer stops.
    fn undelivered(&mut self, why: Ending) -> bool {
        self.release_unreported();
        if self.ending.is_none() {
            self.end_with(why);
        }
        false
    }

    /// The acks that went out came back: stop extending them and print their lines.
    fn settle_acks(&mut self, acked: &[bool]) -> Result<()> {
        let refused: Vec<Lease> = self
            .acks
            .as_slice()
            .iter()
            .zip(acked)
            .filter(|(_, ok)| !**ok)
            .map(|(p, _)| p.lease.clone())
            .collect();
        let cancelled: Vec<bool> = if refused.is_empty() {
            vec![]
        } else {
            let was = self.was_cancelled(&refused.iter().collect::<Vec<_>>())?;
            let mut was = was.into_iter();
            acked
                .iter()
                .map(|ok| !ok && was.next().unwrap_or(false))
                .collect()
        };
        self.heartbeat.untrack_all_of(self.acks.as_slice());
        for f in self.acks.settle(acked, &cancelled) {
            self.out.finished(&f)?;
        }
        Ok(())
    }

    /// Hands tasks in hand back to the queue, unprocessed, with no attempt counted.
    fn hand_back(&mut self, held: &[Claimed]) -> Result<()> {
        let leases: Vec<Lease> = held.iter().map(Claimed::lease).collect();
        // A release that cannot reach Redis is not fatal: the lease expires and the task returns.
        let flags = retry(&mut self.q, self.sd, |q| q.release(&leases)).unwrap_or_default();
        self.heartbeat.untrack_all_of(&leases);
        for (c, ok) in held
            .iter()
            .zip(flags.iter().copied().chain(std::iter::repeat(false)))
        {
            let outcome = if ok {
                Outcome::Released
            } else if self.was_cancelled(&[&c.lease()]).unwrap_or_default() == [true] {
                Outcome::Cancelled
            } else {
                Outcome::Lost
            };
            self.out.finished(&Finished {
                task: c.task.clone(),
                consumer: self.o.name.clone(),
                claimed_at: c.claimed_at,
                finished_at: Utc::now(),
                outcome,
                error: None,
            })?;
        }
        Ok(())
    }

    /// After an error: acknowledges what is done and hands back what is held, once and
    /// quietly, so no task waits for its lease to expire or has an attempt counted against it.
    /// When Redis is what failed, this fails too, and the leases expire and return the tasks as
    /// after a crash. When stdout's reader left, what is done is handed back too: its lines
    /// could not be printed.
    fn hand_back_all(&mut self) {
        // No handler goes on with a task that is about to be handed back.
        self.pool.kill_all();
        if self.out.reader_gone() {
            self.release_unreported();
        }
        if self.out.to_pipe() {
            // Their lines were never written: they go back with what is held (below).
            let unprinted = self.acks.take_unprinted();
            self.summary.done -= unprinted.len() as u64;
        }
        if !self.acks.is_empty() {
            let _ = self.q.ack(&self.o.name, self.acks.as_slice());
        }
        let held = self.heartbeat.take();
        if !held.is_empty() {
            let _ = self.q.release(&held);
        }
    }

    /// The reader of stdout left (`rpq consume --json | head -1`): the tasks done since the
    /// last line printed would be acknowledged with no line to say so, so they go back to the
    /// queue instead, at their old place and with no attempt counted, to be done again by a
    /// consumer that can report it (their handler ran: at least once). Then the consumer stops.
    fn release_unreported(&mut self) {
        let leases = self.acks.take_leases();
        self.summary.done -= leases.len() as u64;
        self.release_quietly(&leases);
    }

    /// Hands tasks back with no line printed (nobody reads them any more); a release that
    /// fails leaves the leases to expire, as after a crash.
    fn release_quietly(&mut self, leases: &[Lease]) {
        if leases.is_empty() {
            return;
        }
        self.heartbeat.untrack_all_of(leases);
        let _ = retry(&mut self.q, self.sd, |q| q.release(leases));
    }
}

/// An ack that goes at once, on its own (`Consumer::done_now`).
enum AckNow {
    /// With the task's result, to keep (keep.lua).
    Keep(KeepAck),
    /// Of a task that used `rpq ctl` (ctl_ack.lua), with its result when it is kept.
    Ctl(Option<(Duration, Vec<u8>)>),
}

/// The consumer's end when its handler cannot be run at all.
/// How an attempt's span says it ended: by its handler's result (what becomes of the task after
/// a failure, a retry or the dead set, is the queue's to say, and is not waited for here).
fn attempt_end(result: &HandlerResult, cancelled: bool, lost: bool) -> Ended<'_> {
    let (outcome, error) = match result {
        _ if cancelled => ("cancelled", None),
        _ if lost => ("lost", Some("the lease expired before the task finished")),
        HandlerResult::Done(_) => ("done", None),
        HandlerResult::Failed(why) | HandlerResult::NotRun(why) => ("failed", Some(why.as_str())),
        HandlerResult::Rejected(why) | HandlerResult::Unstartable(why) => {
            ("rejected", Some(why.as_str()))
        }
        HandlerResult::Released | HandlerResult::Aborted => ("released", None),
        HandlerResult::Cancelled => ("cancelled", None),
    };
    Ended { outcome, error }
}

fn cannot_run(o: &Options, why: &str) -> anyhow::Error {
    let cmd = o.command();
    let flag = if o.pipe.is_some() { "--pipe" } else { "--exec" };
    anyhow::anyhow!(
        "the handler `sh -c {cmd}` could not be run ({why}); check {flag} (the task went back \
         to the queue, no attempt counted)"
    )
}

/// Exponential in the attempt, with jitter so failed tasks do not come back in lockstep.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    exp.min(MAX_BACKOFF)
        .mul_f64(rand::rng().random_range(0.75..1.25))
}

/// `HOST-PID`: distinct for every consumer process on every machine.
pub fn default_name() -> String {
    format!("{}-{}", hostname(), std::process::id())
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    if ok {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "host".to_string()
    }
}

/// Flows (issue 24): the kept results of a child's parents, one NDJSON line `{id, result}` each
/// (`result` as `rpq result --json` gives it; absent for a parent whose result is not kept),
/// in a file of the temporary directory only this user may read, for RPQ_PARENT_RESULTS.
fn write_parent_results(
    id: &str,
    kept: &[(String, Option<crate::queue::Kept>)],
) -> Result<std::path::PathBuf> {
    use anyhow::Context;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = std::env::temp_dir().join(format!(
        "rpq-parents-{}-{}-{}.ndjson",
        std::process::id(),
        crate::task::new_id(),
        id.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect::<String>()
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing the parents' results to {}", path.display()))?;
    if let serde_json::Value::Array(lines) = parent_lines(kept)? {
        for line in lines {
            writeln!(f, "{line}")?;
        }
    }
    Ok(path)
}

/// The parents of a child and their kept results, `[{id, result}]` (`result` as `rpq result
/// --json` gives it, absent for a parent whose result is not kept): the lines of
/// RPQ_PARENT_RESULTS, and the `parents` of a `--pipe` or `--batch` handler's line.
fn parent_lines(kept: &[(String, Option<crate::queue::Kept>)]) -> Result<serde_json::Value> {
    let mut out = Vec::with_capacity(kept.len());
    for (parent, k) in kept {
        // A parent in another queue says its queue too.
        let mut line = match crate::task::other_queue(parent) {
            (Some(q), id) => serde_json::json!({ "id": id, "queue": q }),
            (None, id) => serde_json::json!({ "id": id }),
        };
        if let Some(k) = k {
            if let Some(r) = serde_json::to_value(k)?.get("result") {
                line["result"] = r.clone();
            }
        }
        out.push(line);
    }
    Ok(serde_json::Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_the_attempt_and_is_capped() {
        let base = Duration::from_secs(1);
        let first = backoff(base, 1);
        assert!(first >= Duration::from_millis(750) && first <= Duration::from_millis(1250));
        let third = backoff(base, 3);
        assert!(third >= Duration::from_secs(3) && third <= Duration::from_secs(5));
        assert!(backoff(base, 40) <= MAX_BACKOFF.mul_f64(1.25));
    }

    #[test]
    fn default_names_differ_by_process() {
        assert!(default_name().ends_with(&format!("-{}", std::process::id())));
    }
}
