//! Running `--exec` handlers: `sh -c CMD` per task, the task JSON on stdin and its fields in the
//! environment. Task data never becomes part of a command line. Each handler runs in its own
//! process group, so a terminal's Ctrl+C reaches rpq alone (which lets the task finish) and a
//! timeout or a second signal can stop the handler with everything it started.
//!
//! Started as posix_spawn does (`spawn`), not forked. No polling and no thread per task: the
//! caller's thread blocks in one `poll(2)` on the
//! child's pidfd (readable once it exits), its stderr (kept as the reason of a failure, and
//! passed on), its stdout when rpq reads it (a kept result, or JSON log lines) and, while a
//! large task is still being written, its stdin. The poll's timeout serves `--exec-timeout`,
//! the kill grace, and a look at signals and cancels a few times a second.

use super::guard::{self, pidfd_open};
use super::spawn::{self, BaseEnv, Spawned};
use crate::log::Relay;
use crate::output::{HandlerOut, Output};
use crate::task::Task;
use anyhow::Result;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// How much of a failed handler's stderr is kept as the reason.
pub const TAIL_BYTES: usize = 1000;

pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// How often a running handler's thread looks at signals and cancels: a second signal or a
/// cancel stops the handler within about this long. Costs nothing while handlers are quick: the
/// child's exit ends the wait first.
pub const LOOK_EVERY: Duration = Duration::from_millis(100);

/// A kept result (the handler's stdout) is cut at this size; a warning says so.
pub const RESULT_CAP: usize = 1 << 20;

/// The exit status by which a handler says the task itself is bad (EX_DATAERR): dead at once.
pub const EXIT_BAD_TASK: i32 = 65;

pub enum HandlerResult {
    /// Done; with the task's result when its producer asked to keep it.
    Done(Option<Vec<u8>>),
    Failed(String),
    /// The handler said the task itself is bad (exit 65, or `"retry": false` from `--pipe`):
    /// dead at once, whatever attempts are left.
    Rejected(String),
    /// A second signal stopped the handler; the task goes back to the queue.
    Aborted,
    /// Stopped through no fault of its own (its `--pipe` handler was stopped for another task
    /// it held, which was cancelled): the task goes back to the queue as it was.
    Released,
    /// `rpq cancel` cancelled the task; the handler was stopped and the task is gone.
    Cancelled,
    /// The shell could not run the command at all (exit 126: not executable, 127: not
    /// found); the engine decides whether that is this task's failure or the consumer's.
    NotRun(String),
    /// No handler can be started for this task, ever (a NUL byte or an oversized value in its
    /// environment, as a task stored by an older rpq may carry): bad data, dead at once.
    Unstartable(String),
}

pub struct Handler {
    pub command: String,
    pub timeout: Option<Duration>,
    pub queue: String,
    /// rpq's environment as a handler gets it, made once.
    env: BaseEnv,
}

/// What a run of one task needs to know besides the task.
pub struct Run<'a> {
    /// The task's own `--exec-timeout`, else the consumer's.
    pub timeout: Option<Duration>,
    /// Whether its stdout is its result (its producer asked to keep it).
    pub capture: bool,
    /// True once the handler is to stop and its task go back (a second signal).
    pub abort: &'a dyn Fn() -> bool,
    pub cancelled: &'a dyn Fn() -> bool,
    pub out: &'a Output,
    /// Where the handler's process group is published while it runs (0 after), so that the
    /// engine can stop it from another thread.
    pub group: Option<&'a AtomicI32>,
    /// Its secret for the control socket and its fencing token (issue 25), when the consumer
    /// serves one.
    pub control: Option<&'a (String, u64)>,
    /// Flows (issue 24): the file of its parents' kept results (RPQ_PARENT_RESULTS).
    pub parent_results: Option<&'a std::path::Path>,
}

/// The shell of `sh -c CMD`, by its path as system(3) has it: a lookup of `sh` along a long
/// PATH costs an exec that fails for every directory before its own, for every task.
const SHELL: &str = "/bin/sh";

/// The variables a handler does not get: no way into Redis (neither rpq's URL nor its
/// password), nor systemd's socket.
fn hidden() -> Vec<&'static str> {
    use crate::config::{CONTROL_ENV, CONTROL_KEY_ENV, FENCE_ENV, PARENT_RESULTS_ENV};
    crate::config::CONNECTION_ENV
        .iter()
        .chain(crate::config::NOTIFY_ENV)
        .chain(&[CONTROL_ENV, CONTROL_KEY_ENV, FENCE_ENV, PARENT_RESULTS_ENV])
        .chain(TRACE_ENV)
        .copied()
        .collect()
}

/// The consumer's own trace context is not a task's: a handler gets its task's (issue 26), or
/// none.
const TRACE_ENV: &[&str] = &["TRACEPARENT", "TRACESTATE"];

/// `sh -c CMD` as a `--pipe` handler starts (once per slot; an `--exec` one is `spawn`ed):
/// its own process group, killed with rpq, and none of `hidden()`.
pub fn shell(command: &str, queue: &str) -> Command {
    let mut cmd = Command::new(SHELL);
    die_with_parent(&mut cmd);
    for var in hidden() {
        cmd.env_remove(var);
    }
    cmd.arg("-c")
        .arg(command)
        .env("RPQ_QUEUE", queue)
        .env(guard::MARK_ENV, guard::mark())
        .process_group(0);
    cmd
}

impl Handler {
    /// `control`: the consumer's control socket (issue 25), named to every handler.
    pub fn new(
        command: &str,
        timeout: Option<Duration>,
        queue: &str,
        control: Option<&std::path::Path>,
    ) -> Handler {
        let socket = control.map(|p| p.to_string_lossy().into_owned());
        let mut add = vec![("RPQ_QUEUE", queue), (guard::MARK_ENV, guard::mark())];
        if let Some(path) = &socket {
            add.push((crate::config::CONTROL_ENV, path.as_str()));
        }
        Handler {
            command: command.to_string(),
            timeout,
            queue: queue.to_string(),
            env: BaseEnv::new(&hidden(), &add),
        }
    }

    /// Runs the handler for `task` until it exits, a second signal, its timeout, or
    /// `cancelled` says so; the last three stop its process group.
    pub fn run(&self, task: &Task, r: &Run) -> Result<HandlerResult> {
        let input = serde_json::to_vec(task)?;
        let stdout = if r.capture {
            HandlerOut::Piped
        } else {
            r.out.handler_out()?
        };
        let priority = task.priority.get().to_string();
        let attempt = task.attempt.to_string();
        let fence = r.control.map(|(_, f)| f.to_string());
        let mut vars = vec![
            ("RPQ_TASK_ID", task.id.as_str()),
            ("RPQ_TASK_TYPE", task.kind.as_str()),
            ("RPQ_TASK_PRIORITY", priority.as_str()),
            ("RPQ_TASK_ATTEMPT", attempt.as_str()),
        ];
        if let (Some((key, _)), Some(fence)) = (r.control, &fence) {
            vars.push((crate::config::CONTROL_KEY_ENV, key.as_str()));
            vars.push((crate::config::FENCE_ENV, fence.as_str()));
        }
        if let Some(g) = &task.group {
            vars.push(("RPQ_TASK_GROUP", g.as_str()));
        }
        let parents = r.parent_results.map(|p| p.to_string_lossy().into_owned());
        if let Some(p) = &parents {
            vars.push((crate::config::PARENT_RESULTS_ENV, p.as_str()));
        }
        if let Some(t) = &task.trace {
            vars.push(("TRACEPARENT", t.traceparent.as_str()));
            if let Some(state) = &t.tracestate {
                vars.push(("TRACESTATE", state.as_str()));
            }
        }
        let child = spawn::spawn(SHELL, &self.command, &self.env, &vars, stdout);
        // A failure to start is this task's, never the consumer's: one that its own data
        // causes can never succeed, any other (no memory, no process slots) may next time.
        let child = match child {
            Ok(c) => c,
            Err(e)
                if e.kind() == ErrorKind::InvalidInput || e.raw_os_error() == Some(libc::E2BIG) =>
            {
                return Ok(HandlerResult::Unstartable(format!(
                    "cannot start a handler for this task: {e} (a NUL byte or a value too \
                     long for its environment)"
                )));
            }
            Err(e) => {
                return Ok(HandlerResult::Failed(format!(
                    "cannot start the handler: {e}"
                )))
            }
        };
        let marked = !r.capture && r.out.marks_handler_output();
        let mut w = Watched::new(child, input, &task.id, r.capture, marked);
        let (status, outcome) = w.wait_published(r)?;
        if w.truncated > 0 {
            crate::log::Event::warn(
                "result_truncated",
                format!(
                    "task {}: its handler wrote more than {} KiB to stdout; its result keeps \
                     the first {} KiB",
                    task.id,
                    RESULT_CAP >> 10,
                    RESULT_CAP >> 10
                ),
            )
            .with("task", task.id.as_str())
            .emit();
        }
        if let Some(o) = outcome {
            return Ok(o);
        }
        if status.success() {
            return Ok(HandlerResult::Done(
                r.capture.then(|| std::mem::take(&mut w.result)),
            ));
        }
        let why = status_text(status);
        let why = with_tail(why, &w.tail);
        Ok(match status.code() {
            // The shell ran, and a command of it was refused an argument over the kernel's
            // limit: this task's data passed as an argument (`--payload "$(cat)"`), not a
            // command that cannot run, so not the consumer's stop of a wrong --exec.
            Some(126) if why.ends_with("Argument list too long") => HandlerResult::Failed(format!(
                "{why} (an argument over the kernel's limit, 128 KiB: pass large data on stdin, \
                 as `rpq produce --stdin` takes a task as a JSON line)"
            )),
            Some(126 | 127) => HandlerResult::NotRun(why),
            Some(EXIT_BAD_TASK) => HandlerResult::Rejected(why),
            _ => HandlerResult::Failed(why),
        })
    }
}

/// How a batch handler answers for one task (issue 25): a line of its stdout.
#[derive(serde::Deserialize)]
struct BatchAnswer {
    id: String,
    outcome: String,
    #[serde(default)]
    result: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
}

impl Handler {
    /// Issue 25 (`consume --batch N`): one call of the command for `tasks`, given as NDJSON on
    /// its stdin; it answers each task with a line on stdout, `{"id","outcome":"done|retry|dead",
    /// "result"?,"error"?}`. A task it does not answer fails its attempt (dead at once when the
    /// command exited 65, as for one task). One result per task, in order. `capture`: which
    /// tasks keep their result (the answer's `result`).
    pub fn run_batch(
        &self,
        tasks: &[Task],
        parents: &[Option<serde_json::Value>],
        fences: &[Option<u64>],
        capture: &[bool],
        r: &Run,
    ) -> Result<Vec<HandlerResult>> {
        let mut input = Vec::new();
        for ((t, f), p) in tasks.iter().zip(fences).zip(parents) {
            input.extend(super::pool::task_line(t, *f, p.as_ref()));
        }
        let n = tasks.len().to_string();
        let mut vars = vec![("RPQ_BATCH", n.as_str())];
        // Issue 25: the call's secret; `rpq ctl --task ID` names each of its tasks.
        if let Some((key, _)) = r.control {
            vars.push((crate::config::CONTROL_KEY_ENV, key.as_str()));
        }
        let child = spawn::spawn(SHELL, &self.command, &self.env, &vars, HandlerOut::Piped);
        let child = match child {
            Ok(c) => c,
            Err(e) => {
                let why = format!("cannot start the handler: {e}");
                return Ok(tasks
                    .iter()
                    .map(|_| HandlerResult::Failed(why.clone()))
                    .collect());
            }
        };
        let mut w = Watched::new(child, input, "batch", true, false);
        let (status, stopped) = w.wait_published(r)?;
        let mut answers: std::collections::HashMap<String, BatchAnswer> = w
            .result
            .split(|b| *b == b'\n')
            .filter_map(|line| serde_json::from_slice::<BatchAnswer>(line).ok())
            .map(|a| (a.id.clone(), a))
            .collect();
        let why = format!(
            "not answered by the batch handler ({})",
            status_text(status)
        );
        let why = with_tail(why, &w.tail);
        Ok(tasks
            .iter()
            .zip(capture)
            .map(|(t, keep)| match answers.remove(&t.id) {
                // A second signal, a cancel of the whole call: every task alike.
                _ if matches!(stopped, Some(HandlerResult::Aborted)) => HandlerResult::Aborted,
                Some(a) => match a.outcome.as_str() {
                    "done" => HandlerResult::Done(keep.then(|| {
                        a.result.map_or_else(Vec::new, |v| match v {
                            serde_json::Value::String(s) => s.into_bytes(),
                            v => v.to_string().into_bytes(),
                        })
                    })),
                    "dead" => HandlerResult::Rejected(
                        a.error
                            .unwrap_or_else(|| "the batch handler said dead".into()),
                    ),
                    _ => HandlerResult::Failed(
                        a.error
                            .unwrap_or_else(|| "the batch handler said retry".into()),
                    ),
                },
                None => match (&stopped, status.code()) {
                    (Some(HandlerResult::Failed(timeout)), _) => {
                        HandlerResult::Failed(timeout.clone())
                    }
                    (_, Some(EXIT_BAD_TASK)) => HandlerResult::Rejected(why.clone()),
                    _ => HandlerResult::Failed(why.clone()),
                },
            })
            .collect())
    }
}

/// How a handler ended, in words.
fn status_text(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "failed".to_string(),
    }
}

/// `why`, and the last line of a handler's stderr when it wrote one.
pub fn with_tail(why: String, tail: &[u8]) -> String {
    let text = String::from_utf8_lossy(tail);
    let last = text.trim().lines().last().unwrap_or("").trim();
    if last.is_empty() {
        why
    } else {
        format!("{why}: {last}")
    }
}

/// A running handler and its pipes, watched from one poll.
struct Watched {
    pgid: i32,
    /// Set once it is reaped (its pid may be someone else's from then on).
    reaped: bool,
    /// Readable once the child exits; None on a kernel without pidfds (then: short waits).
    pidfd: Option<OwnedFd>,
    stdin: Option<File>,
    input: Vec<u8>,
    written: usize,
    stderr: Option<File>,
    stdout: Option<File>,
    capture: bool,
    tail: Vec<u8>,
    result: Vec<u8>,
    truncated: usize,
    err_relay: Relay,
    out_relay: Relay,
}

impl Watched {
    fn new(child: Spawned, input: Vec<u8>, id: &str, capture: bool, marked: bool) -> Watched {
        let pgid = child.pid;
        let pidfd = pidfd_open(pgid);
        for fd in [
            Some(&child.stdin),
            Some(&child.stderr),
            child.stdout.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            set_nonblocking(fd.as_raw_fd());
        }
        let mut w = Watched {
            pgid,
            reaped: false,
            pidfd,
            stdin: Some(File::from(child.stdin)),
            input,
            written: 0,
            stderr: Some(File::from(child.stderr)),
            stdout: child.stdout.map(File::from),
            capture,
            tail: Vec::new(),
            result: Vec::new(),
            truncated: 0,
            err_relay: Relay::new("handler_stderr", id),
            out_relay: if marked {
                Relay::marked(id)
            } else {
                Relay::new("handler_stdout", id)
            },
        };
        // A task up to the pipe's size (64 KiB) goes in this one write, before any poll.
        w.feed();
        w
    }

    /// `wait`, with the handler's process group published in `r.group` meanwhile, so that the
    /// engine can stop it from another thread.
    fn wait_published(&mut self, r: &Run) -> Result<(ExitStatus, Option<HandlerResult>)> {
        if let Some(g) = r.group {
            g.store(self.pgid, Ordering::SeqCst);
        }
        let waited = self.wait(r);
        if let Some(g) = r.group {
            g.store(0, Ordering::SeqCst);
        }
        waited
    }

    /// Its exit status once it has exited (reaping it), else None.
    fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        let mut status = 0;
        // SAFETY: waitpid on our own child, not yet reaped (`reaped` guards a second call).
        let r = unsafe { libc::waitpid(self.pgid, &mut status, libc::WNOHANG) };
        if r < 0 {
            return Err(std::io::Error::last_os_error());
        }
        if r == 0 {
            return Ok(None);
        }
        self.reaped = true;
        Ok(Some(ExitStatus::from_raw(status)))
    }

    /// Writes what the pipe takes of the task; closes stdin once it is all written, or when
    /// the handler closed its end (it need not read it all, as `head -c 10` does not).
    fn feed(&mut self) {
        let Some(stdin) = self.stdin.as_mut() else {
            return;
        };
        while self.written < self.input.len() {
            match stdin.write(&self.input[self.written..]) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        self.stdin = None;
        self.input = Vec::new();
    }

    /// Reads what a pipe holds now; false at its end (or on an error).
    fn drain(&mut self, which: Stream) -> bool {
        let mut buf = [0u8; 16384];
        loop {
            let got = match which {
                Stream::Err => self.stderr.as_mut().map(|p| p.read(&mut buf)),
                Stream::Out => self.stdout.as_mut().map(|p| p.read(&mut buf)),
            };
            match got {
                None | Some(Ok(0)) => return false,
                Some(Ok(n)) => self.take(which, &buf[..n]),
                Some(Err(e)) if e.kind() == ErrorKind::WouldBlock => return true,
                Some(Err(e)) if e.kind() == ErrorKind::Interrupted => continue,
                Some(Err(_)) => return false,
            }
        }
    }

    fn take(&mut self, which: Stream, bytes: &[u8]) {
        match which {
            Stream::Err => {
                self.err_relay.write(bytes);
                self.tail.extend_from_slice(bytes);
                let excess = self.tail.len().saturating_sub(TAIL_BYTES);
                self.tail.drain(..excess);
            }
            Stream::Out if self.capture => {
                let room = RESULT_CAP - self.result.len();
                let keep = bytes.len().min(room);
                self.result.extend_from_slice(&bytes[..keep]);
                self.truncated += bytes.len() - keep;
            }
            Stream::Out => self.out_relay.write(bytes),
        }
    }

    /// Until the handler exits (and what it left in its group is killed and its pipes are
    /// read to their end), stopping it on a second signal, a cancel or its timeout.
    fn wait(&mut self, r: &Run) -> Result<(ExitStatus, Option<HandlerResult>)> {
        let started = Instant::now();
        let deadline = r.timeout.map(|t| started + t);
        let mut outcome = None;
        let mut terminated: Option<Instant> = None;
        let mut next_look = started + LOOK_EVERY;
        let status = loop {
            let now = Instant::now();
            if now >= next_look || deadline.is_some_and(|d| now >= d) {
                next_look = now + LOOK_EVERY;
                if outcome.is_none() {
                    if (r.abort)() {
                        outcome = Some(HandlerResult::Aborted);
                    } else if (r.cancelled)() {
                        outcome = Some(HandlerResult::Cancelled);
                    } else if let Some(t) = r.timeout.filter(|_| deadline.is_some_and(|d| now >= d))
                    {
                        outcome = Some(HandlerResult::Failed(format!(
                            "timed out after {}",
                            humantime::format_duration(t)
                        )));
                    }
                    if outcome.is_some() {
                        kill_group(self.pgid, libc::SIGTERM);
                        terminated = Some(now);
                    }
                }
                // A handler that ignores SIGTERM gets SIGKILL after a grace period.
                if terminated.is_some_and(|t| t.elapsed() > KILL_GRACE) {
                    kill_group(self.pgid, libc::SIGKILL);
                }
            }
            if self.pidfd.is_none() {
                if let Some(status) = self.try_wait()? {
                    break status;
                }
            }
            let mut until = next_look;
            if let Some(d) = deadline.filter(|_| outcome.is_none()) {
                until = until.min(d);
            }
            if let Some(t) = terminated {
                until = until.min(t + KILL_GRACE);
            }
            let mut wait = until.saturating_duration_since(Instant::now());
            if self.pidfd.is_none() {
                wait = wait.min(Duration::from_millis(5));
            }
            if self.poll_once(wait, true)? {
                // Exited, not yet reaped: its group's id cannot be anyone else's yet, so what
                // it left running there goes with it now, and its pipes close.
                kill_group(self.pgid, libc::SIGKILL);
                if let Some(status) = self.try_wait()? {
                    break status;
                }
            }
        };
        if self.pidfd.is_none() {
            kill_group(self.pgid, libc::SIGKILL);
        }
        // The engine may have stopped it itself (`Pool::stop_all`) before this thread looked:
        // its end is then that stop's, not a failure of its own.
        if outcome.is_none() && (r.abort)() {
            outcome = Some(HandlerResult::Aborted);
        }
        // Read the pipes to their end (bounded: a process that left the group may hold them).
        self.stdin = None;
        let end = Instant::now() + KILL_GRACE;
        while self.stderr.is_some() || self.stdout.is_some() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.poll_once(left, false)?;
        }
        Ok((status, outcome))
    }

    /// One poll of the child's fds for at most `wait`; reads and writes what is ready. True
    /// when the pidfd says the child exited.
    fn poll_once(&mut self, wait: Duration, with_pidfd: bool) -> Result<bool> {
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(4);
        let mut what: Vec<Slot> = Vec::with_capacity(4);
        let mut add = |fd: RawFd, events: libc::c_short, s: Slot| {
            fds.push(libc::pollfd {
                fd,
                events,
                revents: 0,
            });
            what.push(s);
        };
        if let Some(p) = self.pidfd.as_ref().filter(|_| with_pidfd) {
            add(p.as_raw_fd(), libc::POLLIN, Slot::Exit);
        }
        if let Some(p) = &self.stderr {
            add(p.as_raw_fd(), libc::POLLIN, Slot::Err);
        }
        if let Some(p) = &self.stdout {
            add(p.as_raw_fd(), libc::POLLIN, Slot::Out);
        }
        if let Some(p) = &self.stdin {
            add(p.as_raw_fd(), libc::POLLOUT, Slot::In);
        }
        let ms = wait.as_millis().min(i32::MAX as u128) as i32;
        // Round up: a wait of 0.4 ms is not a busy loop of zero-timeout polls.
        let ms = if ms == 0 && !wait.is_zero() { 1 } else { ms };
        // SAFETY: `fds` is a live array of `fds.len()` pollfd structs owned by this frame.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(e.into());
        }
        let mut exited = false;
        for (p, s) in fds.iter().zip(what) {
            if p.revents == 0 {
                continue;
            }
            match s {
                Slot::Exit => exited = true,
                Slot::Err => {
                    if !self.drain(Stream::Err) {
                        self.stderr = None;
                    }
                }
                Slot::Out => {
                    if !self.drain(Stream::Out) {
                        self.stdout = None;
                    }
                }
                Slot::In => self.feed(),
            }
        }
        Ok(exited)
    }
}

impl Drop for Watched {
    /// A wait that failed leaves no zombie and no handler behind.
    fn drop(&mut self) {
        if !self.reaped {
            kill_group(self.pgid, libc::SIGKILL);
            let mut status = 0;
            // SAFETY: waitpid on our own child, not yet reaped.
            unsafe { libc::waitpid(self.pgid, &mut status, 0) };
        }
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Err,
    Out,
}

#[derive(Clone, Copy)]
enum Slot {
    Exit,
    Err,
    Out,
    In,
}

pub fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on an fd this process owns (a pipe end of a child it spawned).
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// A consumer killed with SIGKILL cannot stop its handler, and the task will run again elsewhere
/// once the lease expires; on Linux the kernel ends the handler's shell with it at once (what the
/// shell started is the guard's: `guard`). The signal comes when the thread that started the
/// child ends, so handlers are started from threads that live as long as they do (the engine's,
/// or a slot's). `spawn` does the same for `--exec` handlers.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and calls only prctl, getppid and _exit,
    // which are async-signal-safe; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The parent may have died before prctl: then we are already orphaned.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

pub fn kill_group(pgid: i32, sig: i32) {
    // SAFETY: kill(2) has no memory effects; a negative pid names the handler's own group,
    // which we created with process_group(0), so no other process can be hit.
    unsafe {
        libc::kill(-pgid, sig);
    }
}
