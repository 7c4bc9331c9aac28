//! The slots of a consumer (`-j N`, issue 11): where the tasks it claimed run, and how each
//! run ends. Three kinds: simulated work (`--delay`: a deadline the engine's loop waits for),
//! `--exec` (a thread per slot, started once, that runs `sh -c CMD` per task and blocks on it),
//! and `--pipe` (a handler process per slot, kept, given up to `--pipe-depth` tasks at once).
//! Every end comes back to the engine as an `Event` on one channel, or from `tick` for the
//! deadlines the engine's loop keeps (simulated work, `--exec-timeout` of a `--pipe` task,
//! restarts); the engine blocks on that channel, never on a child. The pool claims nothing and
//! prints nothing but its handlers' restarts.

use super::control::Handle;
use super::handler::{Handler, HandlerResult, Run, KILL_GRACE};
use super::heartbeat::CancelWatch;
use super::pipe::{Answer, PipeProc, Piped};
use super::Options;
use crate::log::Event as LogEvent;
use crate::output::Output;
use crate::queue::{Claimed, Lease};
use crate::shutdown::Shutdown;
use crate::task::Task;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A `--pipe` handler that ended is started again after this, doubled for each end in a row
/// without an answer between, up to `RESTART_MAX`.
const RESTART_FIRST: Duration = Duration::from_millis(250);
const RESTART_MAX: Duration = Duration::from_secs(30);

/// What the engine's channel carries.
pub enum Event {
    /// The `--exec` handler of a slot finished its task.
    Exec { slot: usize, result: HandlerResult },
    /// The `--exec` call of a `--batch` slot ended: one result per task, in order (issue 25).
    Batch {
        slot: usize,
        results: Vec<HandlerResult>,
    },
    /// The `--pipe` handler of a slot answered, ended, or wrote a line that is not an answer.
    Pipe(Piped),
    /// New work may be waiting (the listener's BLPOP returned a marker).
    Woke { schedules: bool },
}

impl From<Piped> for Event {
    fn from(p: Piped) -> Event {
        Event::Pipe(p)
    }
}

/// A task a slot runs.
pub struct Running {
    pub claimed: Claimed,
    pub started: Instant,
    /// Its `--exec-timeout` (its own, else the consumer's).
    pub timeout: Option<Duration>,
    /// Whether its output is its result (its producer asked to keep it).
    pub capture: bool,
    /// Handlers that talk back (issue 25): its secret for the control socket, and its fencing
    /// token, for an `--exec` handler of a consumer that serves one.
    pub control: Option<(String, u64)>,
    /// The producer's trace context, while the task carries its attempt's span instead
    /// (issue 26: `traced.rs`).
    pub producer_trace: Option<crate::trace::TraceContext>,
    /// Flows (issue 24): the private file of its parents' kept results, for an `--exec`
    /// handler's RPQ_PARENT_RESULTS; removed when the run ends.
    pub parent_results: Option<std::path::PathBuf>,
    /// Flows (issue 24): its parents and their kept results, `[{id, result}]`, for a handler
    /// that reads tasks as lines (`--pipe`, `--batch`): the `parents` of its line.
    pub parents: Option<serde_json::Value>,
}

impl Running {
    fn lease(&self) -> Lease {
        self.claimed.lease()
    }

    fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|t| self.started + t)
    }
}

/// What an `--exec` slot's thread is given: the task, and how to run it.
struct Job {
    task: Task,
    lease: Lease,
    timeout: Option<Duration>,
    capture: bool,
    control: Option<(String, u64)>,
    parent_results: Option<std::path::PathBuf>,
}

/// A task's run that ended, and how.
pub struct Done {
    pub run: Running,
    pub result: HandlerResult,
}

pub struct Pool {
    kind: Kind,
    /// Set by `stop_all`: every handler is to stop, its task to go back.
    stopping: Arc<AtomicBool>,
    /// A `--pipe` handler that the shell could not run (exit 126 or 127) while it held no task:
    /// for the engine, which stops when no handler has ever run.
    pub not_run: Option<String>,
}

enum Kind {
    Simulated {
        delay: Duration,
        slots: Vec<Option<(Running, Instant)>>,
    },
    Exec(Vec<Worker>),
    Pipe(Pipes),
    Batch(Batches),
}

/// Issue 25 (`consume --batch N --linger DUR`): `--exec` slots that give one call up to N tasks.
struct Batches {
    size: usize,
    linger: Duration,
    slots: Vec<BatchSlot>,
}

struct BatchSlot {
    jobs: Sender<BatchJob>,
    /// Tasks gathered for its next call, and when the first came (the linger runs from it).
    filling: Vec<Running>,
    since: Option<Instant>,
    /// The tasks of the call that runs, handed back with its end.
    running: Vec<Running>,
    group: Arc<AtomicI32>,
}

struct BatchJob {
    tasks: Vec<Task>,
    /// Their parents' kept results, for their lines (`Running::parents`).
    parents: Vec<Option<serde_json::Value>>,
    /// Their fencing tokens, when the consumer has a control channel.
    fences: Vec<Option<u64>>,
    capture: Vec<bool>,
    timeout: Option<Duration>,
    /// Its tasks' ids and secrets, for `rpq ctl --task ID` in the call.
    controls: std::collections::HashMap<String, String>,
}

impl Batches {
    /// Sends slot `i`'s gathered tasks to its thread as one call.
    fn dispatch(&mut self, i: usize) {
        let s = &mut self.slots[i];
        s.running = std::mem::take(&mut s.filling);
        s.since = None;
        let job = BatchJob {
            tasks: s.running.iter().map(|r| r.claimed.task.clone()).collect(),
            parents: s.running.iter().map(|r| r.parents.clone()).collect(),
            fences: s
                .running
                .iter()
                .map(|r| r.control.as_ref().map(|c| c.1))
                .collect(),
            capture: s.running.iter().map(|r| r.capture).collect(),
            // The shortest of its tasks' limits.
            timeout: s.running.iter().filter_map(|r| r.timeout).min(),
            controls: s
                .running
                .iter()
                .filter_map(|r| Some((r.claimed.task.id.clone(), r.control.clone()?.0)))
                .collect(),
        };
        // The thread is gone only if it panicked; the leases run out and return the tasks.
        let _ = s.jobs.send(job);
    }
}

/// An `--exec` slot: a thread that runs one task at a time.
struct Worker {
    jobs: Sender<Job>,
    /// The task it runs, handed back with its end.
    running: Option<Running>,
    /// The process group of its handler while one runs (0: none), for `kill_all`.
    group: Arc<AtomicI32>,
}

struct Pipes {
    command: String,
    queue: String,
    depth: usize,
    /// Issue 25 (`--pipe --batch N`): tasks go to a handler N at a time, after a header line,
    /// once it holds none (None: one at a time, up to `depth`).
    batch: Option<(usize, Duration)>,
    events: Sender<Event>,
    slots: Vec<PipeSlot>,
    /// Handlers told to stop (SIGTERM) and when they get SIGKILL.
    dying: Vec<(i32, Instant)>,
    /// Whether any handler has ever answered (restart backoff and the 126/127 rule).
    answered: bool,
    /// Issue 25: where its handlers' ctl lines go.
    ctl: Option<Handle>,
}

#[derive(Default)]
struct PipeSlot {
    proc: Option<PipeProc>,
    gen: u64,
    held: Vec<Running>,
    /// While it is down: when it starts again.
    down_until: Option<Instant>,
    /// Ends in a row without an answer.
    failures: u32,
    /// `--batch`: the tasks gathered for its next batch, and when the first came.
    filling: Vec<Running>,
    since: Option<Instant>,
}

impl Pool {
    pub fn new(
        o: &Options,
        queue: &str,
        events: &Sender<Event>,
        out: &Output,
        sd: &Shutdown,
        watch: CancelWatch,
        control: Option<&super::control::Control>,
    ) -> Pool {
        let socket = control.and_then(|c| c.path());
        let n = o.concurrency.max(1);
        let stopping = Arc::new(AtomicBool::new(false));
        let kind = if let Some(cmd) = &o.pipe {
            let mut p = Pipes {
                command: cmd.clone(),
                queue: queue.to_string(),
                depth: o.pipe_depth.max(1),
                batch: (o.batch > 1).then_some((o.batch, o.linger)),
                events: events.clone(),
                slots: (0..n).map(|_| PipeSlot::default()).collect(),
                dying: Vec::new(),
                answered: false,
                ctl: control.map(|c| c.handle()),
            };
            for i in 0..n {
                p.start(i);
            }
            Kind::Pipe(p)
        } else if let (Some(cmd), true) = (&o.exec, o.batch > 1) {
            let handler = Arc::new(Handler::new(cmd, o.exec_timeout, queue, socket));
            let ctl = control.map(|c| c.handle());
            Kind::Batch(Batches {
                size: o.batch,
                linger: o.linger,
                slots: (0..n)
                    .map(|slot| {
                        BatchSlot::start(
                            slot,
                            Arc::clone(&handler),
                            events.clone(),
                            out.clone(),
                            sd.clone(),
                            Arc::clone(&stopping),
                            ctl.clone(),
                        )
                    })
                    .collect(),
            })
        } else if let Some(cmd) = &o.exec {
            let handler = Arc::new(Handler::new(cmd, o.exec_timeout, queue, socket));
            Kind::Exec(
                (0..n)
                    .map(|slot| {
                        Worker::start(
                            slot,
                            Arc::clone(&handler),
                            events.clone(),
                            out.clone(),
                            sd.clone(),
                            watch.clone(),
                            Arc::clone(&stopping),
                        )
                    })
                    .collect(),
            )
        } else {
            Kind::Simulated {
                delay: o.delay,
                slots: (0..n).map(|_| None).collect(),
            }
        };
        Pool {
            kind,
            stopping,
            not_run: None,
        }
    }

    /// How many more tasks can start now.
    pub fn free(&self) -> usize {
        match &self.kind {
            Kind::Simulated { slots, .. } => slots.iter().filter(|s| s.is_none()).count(),
            Kind::Exec(w) => w.iter().filter(|w| w.running.is_none()).count(),
            Kind::Batch(b) => b
                .slots
                .iter()
                .filter(|s| s.running.is_empty())
                .map(|s| b.size - s.filling.len())
                .sum(),
            Kind::Pipe(p) => match p.batch {
                Some((n, _)) => p
                    .slots
                    .iter()
                    .filter(|s| s.proc.is_some() && s.held.is_empty())
                    .map(|s| n.saturating_sub(s.filling.len()))
                    .sum(),
                None => p
                    .slots
                    .iter()
                    .filter(|s| s.proc.is_some())
                    .map(|s| p.depth.saturating_sub(s.held.len()))
                    .sum(),
            },
        }
    }

    /// How many tasks run now.
    pub fn busy(&self) -> usize {
        match &self.kind {
            Kind::Simulated { slots, .. } => slots.iter().filter(|s| s.is_some()).count(),
            Kind::Exec(w) => w.iter().filter(|w| w.running.is_some()).count(),
            Kind::Batch(b) => b
                .slots
                .iter()
                .map(|s| s.running.len() + s.filling.len())
                .sum(),
            Kind::Pipe(p) => p.slots.iter().map(|s| s.held.len() + s.filling.len()).sum(),
        }
    }

    /// Starts a task on a free slot (the caller saw `free() > 0`). Simulated work of no
    /// length is done at once: its end is returned rather than waited for.
    pub fn start(&mut self, run: Running) -> Option<Done> {
        match &mut self.kind {
            Kind::Simulated { delay, slots } => {
                if delay.is_zero() {
                    return Some(Done {
                        run,
                        result: HandlerResult::Done(None),
                    });
                }
                let end = run.started + *delay;
                let free = slots.iter_mut().find(|s| s.is_none())?;
                *free = Some((run, end));
                None
            }
            Kind::Exec(workers) => {
                let w = workers.iter_mut().find(|w| w.running.is_none())?;
                let job = Job {
                    task: run.claimed.task.clone(),
                    lease: run.lease(),
                    timeout: run.timeout,
                    capture: run.capture,
                    control: run.control.clone(),
                    parent_results: run.parent_results.clone(),
                };
                w.running = Some(run);
                // The thread is gone only if it panicked; the task is then never reported,
                // and its lease runs out and returns it.
                let _ = w.jobs.send(job);
                None
            }
            Kind::Batch(b) => {
                // The slot already gathering first, so that batches fill.
                let size = b.size;
                let i = (0..b.slots.len())
                    .filter(|&i| b.slots[i].running.is_empty() && b.slots[i].filling.len() < size)
                    .max_by_key(|&i| b.slots[i].filling.len())?;
                let s = &mut b.slots[i];
                s.since.get_or_insert(run.started);
                s.filling.push(run);
                if s.filling.len() == size {
                    b.dispatch(i);
                }
                None
            }
            Kind::Pipe(p) if p.batch.is_some() => {
                let n = p.batch.map_or(1, |b| b.0);
                // The slot already gathering first, so that batches fill.
                let i = (0..p.slots.len())
                    .filter(|&i| {
                        let s = &p.slots[i];
                        s.proc.is_some() && s.held.is_empty() && s.filling.len() < n
                    })
                    .max_by_key(|&i| p.slots[i].filling.len())?;
                let s = &mut p.slots[i];
                s.since.get_or_insert(run.started);
                s.filling.push(run);
                if s.filling.len() == n {
                    p.dispatch(i);
                }
                None
            }
            Kind::Pipe(p) => {
                let depth = p.depth;
                let s = p
                    .slots
                    .iter_mut()
                    .filter(|s| s.proc.is_some() && s.held.len() < depth)
                    .min_by_key(|s| s.held.len())?;
                if let Some(proc) = &s.proc {
                    let task = &run.claimed.task;
                    let fence = run.control.as_ref().map(|c| c.1);
                    let line = task_line(task, fence, run.parents.as_ref());
                    proc.send(&task.id, run.control.as_ref(), line);
                }
                s.held.push(run);
                None
            }
        }
    }

    /// What an event from a slot's thread or handler means for the tasks it ran.
    pub fn handle(&mut self, ev: Event) -> Vec<Done> {
        match (&mut self.kind, ev) {
            (Kind::Exec(workers), Event::Exec { slot, result }) => workers
                .get_mut(slot)
                .and_then(|w| w.running.take())
                .map(|run| Done { run, result })
                .into_iter()
                .collect(),
            (Kind::Batch(b), Event::Batch { slot, results }) => b
                .slots
                .get_mut(slot)
                .map(|s| std::mem::take(&mut s.running))
                .unwrap_or_default()
                .into_iter()
                .zip(results)
                .map(|(run, result)| Done { run, result })
                .collect(),
            (Kind::Pipe(p), Event::Pipe(Piped::Answer { slot, gen, answer })) => {
                p.answered(slot, gen, answer)
            }
            (
                Kind::Pipe(p),
                Event::Pipe(Piped::Broken {
                    slot,
                    gen,
                    why,
                    code,
                }),
            ) => {
                let (done, not_run) = p.broken(slot, gen, &why, code);
                if not_run {
                    self.not_run.get_or_insert(why);
                }
                done
            }
            _ => vec![],
        }
    }

    /// The deadlines the engine's loop keeps, and the looks at cancels and signals for the
    /// handlers that do not look themselves (simulated work, `--pipe`): what ended by now.
    /// `restart`: whether a `--pipe` handler that is down may start again.
    pub fn tick(
        &mut self,
        cancelled: &dyn Fn(&Lease) -> bool,
        abort: bool,
        restart: bool,
    ) -> Vec<Done> {
        let abort = abort || self.stopping.load(Ordering::SeqCst);
        let now = Instant::now();
        let mut done = Vec::new();
        match &mut self.kind {
            Kind::Simulated { slots, .. } => {
                for s in slots.iter_mut() {
                    let Some((run, end)) = s else { continue };
                    let result = if abort {
                        HandlerResult::Aborted
                    } else if cancelled(&run.lease()) {
                        HandlerResult::Cancelled
                    } else if now >= *end {
                        HandlerResult::Done(None)
                    } else {
                        continue;
                    };
                    let (run, _) = s.take().expect("a running slot");
                    done.push(Done { run, result });
                }
            }
            Kind::Exec(_) => {}
            Kind::Batch(b) => {
                for i in 0..b.slots.len() {
                    let s = &mut b.slots[i];
                    if !s.running.is_empty() || s.filling.is_empty() {
                        continue;
                    }
                    if abort {
                        s.since = None;
                        done.extend(s.filling.drain(..).map(|run| Done {
                            run,
                            result: HandlerResult::Aborted,
                        }));
                    } else if s.since.is_some_and(|t| now >= t + b.linger) {
                        b.dispatch(i);
                    }
                }
            }
            Kind::Pipe(p) => done = p.tick(now, cancelled, abort, restart),
        }
        done
    }

    /// The next instant `tick` has something to do at, if any.
    pub fn next_wake(&self) -> Option<Instant> {
        match &self.kind {
            Kind::Simulated { slots, .. } => slots.iter().flatten().map(|(_, end)| *end).min(),
            Kind::Exec(_) => None,
            Kind::Batch(b) => b
                .slots
                .iter()
                .filter(|s| s.running.is_empty())
                .filter_map(|s| s.since.map(|t| t + b.linger))
                .min(),
            Kind::Pipe(p) => p
                .slots
                .iter()
                .flat_map(|s| {
                    let linger = p.batch.map_or(Duration::ZERO, |b| b.1);
                    s.held
                        .iter()
                        .filter_map(Running::deadline)
                        .chain(s.down_until)
                        // A batch waits for a handler that is down (its restart is above).
                        .chain(
                            s.since
                                .filter(|_| s.held.is_empty() && s.proc.is_some())
                                .map(|t| t + linger),
                        )
                })
                .chain(p.dying.iter().map(|d| d.1))
                .min(),
        }
    }

    /// Every handler is to stop at once (a second signal, a fatal error, a reader that left):
    /// their tasks come back as `Aborted`, from their threads or from the next `tick`.
    pub fn stop_all(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let groups: Vec<i32> = match &self.kind {
            Kind::Exec(workers) => workers
                .iter()
                .map(|w| w.group.load(Ordering::SeqCst))
                .collect(),
            Kind::Batch(b) => b
                .slots
                .iter()
                .map(|s| s.group.load(Ordering::SeqCst))
                .collect(),
            _ => vec![],
        };
        for g in groups.into_iter().filter(|g| *g > 0) {
            super::handler::kill_group(g, libc::SIGTERM);
        }
    }

    /// The consumer ends: `--pipe` handlers get the end of their stdin and a moment to exit
    /// (one poll on their pidfds), then SIGKILL; nothing of this consumer is left running.
    pub fn close(&mut self) {
        let Kind::Pipe(p) = &mut self.kind else {
            return;
        };
        let mut groups = Vec::new();
        let mut exits = Vec::new();
        for s in &mut p.slots {
            if let Some(mut proc) = s.proc.take() {
                proc.close_stdin();
                groups.push(proc.pgid);
                exits.extend(proc.pidfd.take());
            }
        }
        groups.extend(p.dying.drain(..).map(|d| d.0));
        wait_all_readable(&exits, KILL_GRACE);
        for g in groups {
            super::handler::kill_group(g, libc::SIGKILL);
        }
    }
}

/// Waits until every fd of `fds` (pidfds: readable once their process exits) is readable, or
/// `limit` passes.
fn wait_all_readable(fds: &[std::os::fd::OwnedFd], limit: Duration) {
    use std::os::fd::AsRawFd;
    let end = Instant::now() + limit;
    let mut left: Vec<libc::pollfd> = fds
        .iter()
        .map(|f| libc::pollfd {
            fd: f.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    while !left.is_empty() {
        let ms = end.saturating_duration_since(Instant::now()).as_millis() as i32;
        if ms <= 0 {
            return;
        }
        // SAFETY: `left` is a live array of pollfd structs owned by this frame.
        if unsafe { libc::poll(left.as_mut_ptr(), left.len() as libc::nfds_t, ms) } < 0 {
            return;
        }
        left.retain(|p| p.revents == 0);
    }
}

impl Drop for Pool {
    /// However the engine ended, no handler outlives it.
    fn drop(&mut self) {
        self.kill_all();
    }
}

impl Pool {
    /// SIGKILL to every handler's group, at once (after an error, before what is held is
    /// handed back: no handler may go on with a task someone else will get).
    pub fn kill_all(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        match &mut self.kind {
            Kind::Exec(workers) => {
                for w in workers {
                    let g = w.group.load(Ordering::SeqCst);
                    if g > 0 {
                        super::handler::kill_group(g, libc::SIGKILL);
                    }
                }
            }
            Kind::Pipe(p) => {
                for s in &p.slots {
                    if let Some(proc) = &s.proc {
                        proc.kill(libc::SIGKILL);
                    }
                }
                for (g, _) in &p.dying {
                    super::handler::kill_group(*g, libc::SIGKILL);
                }
            }
            Kind::Batch(b) => {
                for s in &b.slots {
                    let g = s.group.load(Ordering::SeqCst);
                    if g > 0 {
                        super::handler::kill_group(g, libc::SIGKILL);
                    }
                }
            }
            Kind::Simulated { .. } => {}
        }
    }
}

impl BatchSlot {
    fn start(
        slot: usize,
        handler: Arc<Handler>,
        events: Sender<Event>,
        out: Output,
        sd: Shutdown,
        stopping: Arc<AtomicBool>,
        ctl: Option<Handle>,
    ) -> BatchSlot {
        let (tx, rx) = mpsc::channel::<BatchJob>();
        let group = Arc::new(AtomicI32::new(0));
        let g = Arc::clone(&group);
        // As a Worker's: the thread lives as long as the pool (PDEATHSIG).
        std::thread::Builder::new()
            .name(format!("batch-{slot}"))
            .spawn(move || {
                for job in rx {
                    let abort = || sd.abort_requested() || stopping.load(Ordering::SeqCst);
                    // Issue 25: one secret for the call, with which `rpq ctl --task ID` acts
                    // for each of its tasks (their fences are 0: a call has none of its own).
                    let key = ctl
                        .as_ref()
                        .filter(|_| !job.controls.is_empty())
                        .map(|h| (h.register_batch(job.controls.clone()), 0));
                    // A cancel of one task does not stop the call for the others; its outcome
                    // is told when the call ends.
                    let results = handler
                        .run_batch(
                            &job.tasks,
                            &job.parents,
                            &job.fences,
                            &job.capture,
                            &Run {
                                timeout: job.timeout,
                                capture: true,
                                abort: &abort,
                                cancelled: &|| false,
                                out: &out,
                                group: Some(&g),
                                control: key.as_ref(),
                                parent_results: None,
                            },
                        )
                        .unwrap_or_else(|e| {
                            let why = format!("{e:#}");
                            job.tasks
                                .iter()
                                .map(|_| HandlerResult::Failed(why.clone()))
                                .collect()
                        });
                    if let (Some(h), Some((key, _))) = (&ctl, &key) {
                        h.finish_batch(key);
                    }
                    let _ = events.send(Event::Batch { slot, results });
                }
            })
            .expect("spawning a batch slot's thread");
        BatchSlot {
            jobs: tx,
            filling: Vec::new(),
            since: None,
            running: Vec::new(),
            group,
        }
    }
}

impl Worker {
    fn start(
        slot: usize,
        handler: Arc<Handler>,
        events: Sender<Event>,
        out: Output,
        sd: Shutdown,
        watch: CancelWatch,
        stopping: Arc<AtomicBool>,
    ) -> Worker {
        let (tx, rx) = mpsc::channel::<Job>();
        let group = Arc::new(AtomicI32::new(0));
        let g = Arc::clone(&group);
        // The thread lives as long as the pool: a handler it starts is killed with rpq
        // (PDEATHSIG), and that signal comes when the starting thread ends.
        std::thread::Builder::new()
            .name(format!("slot-{slot}"))
            .spawn(move || {
                for job in rx {
                    let cancelled = || watch.cancelled(&job.lease);
                    let abort = || sd.abort_requested() || stopping.load(Ordering::SeqCst);
                    let result = handler
                        .run(
                            &job.task,
                            &Run {
                                timeout: job.timeout,
                                capture: job.capture,
                                abort: &abort,
                                cancelled: &cancelled,
                                out: &out,
                                group: Some(&g),
                                control: job.control.as_ref(),
                                parent_results: job.parent_results.as_deref(),
                            },
                        )
                        .unwrap_or_else(|e| HandlerResult::Failed(format!("{e:#}")));
                    let _ = events.send(Event::Exec { slot, result });
                }
            })
            .expect("spawning a slot's thread");
        Worker {
            jobs: tx,
            running: None,
            group,
        }
    }
}

impl Pipes {
    fn start(&mut self, slot: usize) {
        let s = &mut self.slots[slot];
        s.gen += 1;
        s.down_until = None;
        let ctl = self.ctl.clone();
        match PipeProc::start(
            &self.command,
            &self.queue,
            (slot, s.gen),
            self.events.clone(),
            ctl,
        ) {
            Ok(p) => s.proc = Some(p),
            Err(e) => {
                s.failures += 1;
                let wait = restart_wait(s.failures);
                s.down_until = Some(Instant::now() + wait);
                LogEvent::warn(
                    "handler_restart",
                    format!(
                        "cannot start the --pipe handler of slot {slot} ({e}); trying again in {}",
                        crate::task::short_duration(wait)
                    ),
                )
                .with("slot", slot)
                .with("error", e.to_string())
                .emit();
            }
        }
    }

    /// `--batch`: writes slot `i`'s gathered tasks to its handler, a header line first.
    fn dispatch(&mut self, i: usize) {
        let s = &mut self.slots[i];
        let Some(proc) = &s.proc else {
            return;
        };
        s.since = None;
        let mut lines = format!("{{\"batch\":{}}}\n", s.filling.len()).into_bytes();
        for run in &s.filling {
            let task = &run.claimed.task;
            proc.give(&task.id, run.control.as_ref());
            let fence = run.control.as_ref().map(|c| c.1);
            lines.extend(task_line(task, fence, run.parents.as_ref()));
        }
        proc.write(lines);
        s.held.append(&mut s.filling);
    }

    fn answered(&mut self, slot: usize, gen: u64, a: Answer) -> Vec<Done> {
        let Some(s) = self
            .slots
            .get_mut(slot)
            .filter(|s| s.gen == gen && s.proc.is_some())
        else {
            return vec![];
        };
        let Some(i) = s.held.iter().position(|r| r.claimed.task.id == a.id) else {
            let why = format!(
                "its --pipe handler answered for task {}, which it was not given",
                a.id
            );
            return self.broken(slot, gen, &why, None).0;
        };
        let run = s.held.remove(i);
        s.failures = 0;
        self.answered = true;
        let result = match a.verdict().unwrap_or((false, true)) {
            (true, _) => HandlerResult::Done(run.capture.then(|| a.result_bytes())),
            (false, retry) => {
                let why = a
                    .error
                    .clone()
                    .filter(|e| !e.trim().is_empty())
                    .unwrap_or_else(|| "its --pipe handler answered ok: false".into());
                if retry {
                    HandlerResult::Failed(why)
                } else {
                    HandlerResult::Rejected(why)
                }
            }
        };
        vec![Done { run, result }]
    }

    /// A handler ended or broke the protocol: the tasks it held fail an attempt (or, when the
    /// shell could not run it, are `NotRun`), and it starts again after a backoff. The second
    /// value: it could not be run and held no task, before any handler ever answered.
    fn broken(&mut self, slot: usize, gen: u64, why: &str, code: Option<i32>) -> (Vec<Done>, bool) {
        let answered = self.answered;
        let Some(s) = self
            .slots
            .get_mut(slot)
            .filter(|s| s.gen == gen && s.proc.is_some())
        else {
            return (vec![], false);
        };
        if let Some(p) = s.proc.take() {
            p.kill(libc::SIGKILL);
        }
        let not_run = matches!(code, Some(126 | 127));
        let done: Vec<Done> = s
            .held
            .drain(..)
            .map(|run| Done {
                run,
                result: if not_run {
                    HandlerResult::NotRun(why.to_string())
                } else {
                    HandlerResult::Failed(why.to_string())
                },
            })
            .collect();
        s.failures += 1;
        let wait = restart_wait(s.failures);
        s.down_until = Some(Instant::now() + wait);
        let fatal = not_run && done.is_empty() && !answered;
        if !fatal {
            LogEvent::warn(
                "handler_restart",
                format!(
                    "the --pipe handler of slot {slot} stopped: {}; starting it again in {}",
                    why.trim_start_matches("its --pipe handler "),
                    crate::task::short_duration(wait)
                ),
            )
            .with("slot", slot)
            .with("error", why)
            .emit();
        }
        (done, fatal)
    }

    fn tick(
        &mut self,
        now: Instant,
        cancelled: &dyn Fn(&Lease) -> bool,
        abort: bool,
        restart: bool,
    ) -> Vec<Done> {
        let mut done = Vec::new();
        self.dying.retain(|(g, at)| {
            if now >= *at {
                super::handler::kill_group(*g, libc::SIGKILL);
                return false;
            }
            true
        });
        let linger = self.batch.map(|b| b.1);
        for slot in 0..self.slots.len() {
            let s = &mut self.slots[slot];
            if abort && !s.filling.is_empty() {
                s.since = None;
                done.extend(s.filling.drain(..).map(|run| Done {
                    run,
                    result: HandlerResult::Aborted,
                }));
            }
            if let (Some(l), Some(t)) = (linger, s.since) {
                if s.proc.is_some() && s.held.is_empty() && now >= t + l {
                    self.dispatch(slot);
                }
            }
            let s = &mut self.slots[slot];
            if s.proc.is_none() {
                if restart && !abort && s.down_until.is_some_and(|t| now >= t) {
                    self.start(slot);
                }
                continue;
            }
            if s.held.is_empty() {
                continue;
            }
            let late = s
                .held
                .iter()
                .position(|r| r.deadline().is_some_and(|d| now >= d));
            let gone = s.held.iter().position(|r| cancelled(&r.lease()));
            let (restart_in, results): (Duration, Vec<HandlerResult>) = if abort {
                (
                    Duration::ZERO,
                    s.held.iter().map(|_| HandlerResult::Aborted).collect(),
                )
            } else if let Some(c) = gone {
                // A cancel stops the handler, which may hold other tasks: those did nothing
                // wrong and go back to the queue as they were.
                let r = (0..s.held.len())
                    .map(|i| {
                        if cancelled(&s.held[i].lease()) || i == c {
                            HandlerResult::Cancelled
                        } else {
                            HandlerResult::Released
                        }
                    })
                    .collect();
                (Duration::ZERO, r)
            } else if let Some(l) = late {
                let t = s.held[l].timeout.unwrap_or_default();
                let id = s.held[l].claimed.task.id.clone();
                let after = humantime::format_duration(t).to_string();
                let r = (0..s.held.len())
                    .map(|i| {
                        HandlerResult::Failed(if i == l {
                            format!("timed out after {after}")
                        } else {
                            format!(
                                "its --pipe handler was stopped: task {id} timed out after {after}"
                            )
                        })
                    })
                    .collect();
                s.failures += 1;
                let wait = restart_wait(s.failures);
                LogEvent::warn(
                    "handler_restart",
                    format!(
                        "the --pipe handler of slot {slot} stopped: task {id} timed out after \
                         {after}; starting it again in {}",
                        crate::task::short_duration(wait)
                    ),
                )
                .with("slot", slot)
                .with("task", id.as_str())
                .emit();
                (wait, r)
            } else {
                continue;
            };
            if let Some(p) = s.proc.take() {
                p.kill(libc::SIGTERM);
                self.dying.push((p.pgid, now + KILL_GRACE));
            }
            s.down_until = Some(now + restart_in);
            for (run, result) in s.held.drain(..).zip(results) {
                done.push(Done { run, result });
            }
        }
        done
    }
}

fn restart_wait(failures: u32) -> Duration {
    RESTART_FIRST
        .saturating_mul(1u32 << failures.saturating_sub(1).min(10))
        .min(RESTART_MAX)
}

/// A task as a `--pipe` handler (or a batch's call) gets it: its JSON, one line, with its
/// fencing token (issue 25: `RPQ_FENCE` is one task's, and such a handler holds several) and,
/// for a task of a flow, its `parents` with their kept results, `[{id, result}]`, in place of
/// their ids (issue 24: RPQ_PARENT_RESULTS is one task's file, and such a handler reads lines).
pub fn task_line(task: &Task, fence: Option<u64>, parents: Option<&serde_json::Value>) -> Vec<u8> {
    let mut line = match parents {
        Some(p) => serde_json::to_value(task)
            .map(|mut v| {
                v["parents"] = p.clone();
                serde_json::to_vec(&v).unwrap_or_default()
            })
            .unwrap_or_default(),
        None => serde_json::to_vec(task).unwrap_or_default(),
    };
    if let (Some(f), Some(b'}')) = (fence, line.last()) {
        line.pop();
        line.extend_from_slice(format!(",\"fence\":{f}}}").as_bytes());
    }
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_back_off_and_are_capped() {
        assert_eq!(restart_wait(1), RESTART_FIRST);
        assert_eq!(restart_wait(3), RESTART_FIRST * 4);
        assert_eq!(restart_wait(40), RESTART_MAX);
    }
}
