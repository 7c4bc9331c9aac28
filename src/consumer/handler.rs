//! Running `--exec` handlers: `sh -c CMD` per task, the task JSON on stdin and its fields in the
//! environment. Task data never becomes part of a command line. Each handler runs in its own
//! process group, so a terminal's Ctrl+C reaches rpq alone (which lets the task finish) and a
//! timeout or a second signal can stop the handler with everything it started.

use crate::output::log::Relay;
use crate::output::Output;
use crate::shutdown::Shutdown;
use crate::task::Task;
use anyhow::Result;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How much of a failed handler's stderr is kept as the reason.
const TAIL_BYTES: usize = 1000;

const KILL_GRACE: Duration = Duration::from_secs(2);

pub enum HandlerResult {
    Done,
    Failed(String),
    /// A second signal stopped the handler; the task goes back to the queue.
    Aborted,
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
}

impl Handler {
    /// Runs the handler for `task` until it exits, a second signal, its timeout, or `cancelled`
    /// says so (checked every few milliseconds); the last three stop its process group.
    pub fn run(
        &self,
        task: &Task,
        sd: &Shutdown,
        cancelled: &dyn Fn() -> bool,
        out: &Output,
    ) -> Result<HandlerResult> {
        let input = serde_json::to_vec(task)?;
        let stdout = out.handler_stdout()?;
        let mut cmd = Command::new("sh");
        die_with_parent(&mut cmd);
        // Code that handles task data gets no way into Redis: not rpq's URL, not its password.
        for var in crate::config::CONNECTION_ENV
            .iter()
            .chain(crate::config::NOTIFY_ENV)
        {
            cmd.env_remove(var);
        }
        let child = cmd
            .arg("-c")
            .arg(&self.command)
            .env("RPQ_TASK_ID", &task.id)
            .env("RPQ_TASK_TYPE", &task.kind)
            .env("RPQ_TASK_PRIORITY", task.priority.get().to_string())
            .env("RPQ_TASK_ATTEMPT", task.attempt.to_string())
            .env("RPQ_QUEUE", &self.queue)
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn();
        // A failure to start is this task's, never the consumer's: one that its own data
        // causes can never succeed, any other (no memory, no process slots) may next time.
        let mut child = match child {
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

        // Writing stdin from a thread: a handler that never reads a large payload must not
        // block us, and one that exits early just closes the pipe.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let tail = Arc::new(Mutex::new(Vec::<u8>::new()));
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let tail_w = Arc::clone(&tail);
        let mut relay = Relay::new("handler_stderr", &task.id);
        // Its stdout is piped only to go to JSON log lines (`Output::handler_stdout`).
        let stdout_reader = child.stdout.take().map(|mut pipe| {
            let mut relay = Relay::new("handler_stdout", &task.id);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    relay.write(&buf[..n]);
                }
            })
        });
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                relay.write(&buf[..n]);
                let mut t = tail_w.lock().unwrap();
                t.extend_from_slice(&buf[..n]);
                let excess = t.len().saturating_sub(TAIL_BYTES);
                t.drain(..excess);
            }
        });

        let pgid = child.id() as i32;
        let started = Instant::now();
        let mut outcome = None;
        let mut terminated: Option<Instant> = None;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if outcome.is_none() {
                if sd.abort_requested() {
                    outcome = Some(HandlerResult::Aborted);
                } else if cancelled() {
                    outcome = Some(HandlerResult::Cancelled);
                } else if let Some(t) = self.timeout.filter(|t| started.elapsed() > *t) {
                    outcome = Some(HandlerResult::Failed(format!(
                        "timed out after {}",
                        humantime::format_duration(t)
                    )));
                }
                if outcome.is_some() {
                    kill_group(pgid, libc::SIGTERM);
                    terminated = Some(Instant::now());
                }
            }
            // A long task is no hang: systemd's watchdog goes on hearing from the main loop.
            crate::service::watchdog();
            // A handler that ignores SIGTERM gets SIGKILL after a grace period.
            if terminated.is_some_and(|t| t.elapsed() > KILL_GRACE) {
                kill_group(pgid, libc::SIGKILL);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // Whatever the handler left running in its group goes with it.
        kill_group(pgid, libc::SIGKILL);
        let _ = writer.join();
        let _ = reader.join();
        if let Some(r) = stdout_reader {
            let _ = r.join();
        }
        if let Some(o) = outcome {
            return Ok(o);
        }
        if status.success() {
            return Ok(HandlerResult::Done);
        }
        let why = match (status.code(), status.signal()) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            _ => "failed".to_string(),
        };
        let tail = tail.lock().unwrap();
        let text = String::from_utf8_lossy(&tail);
        let last = text.trim().lines().last().unwrap_or("").trim();
        let why = if last.is_empty() {
            why
        } else {
            format!("{why}: {last}")
        };
        Ok(match status.code() {
            Some(126 | 127) => HandlerResult::NotRun(why),
            _ => HandlerResult::Failed(why),
        })
    }
}

/// A consumer killed with SIGKILL cannot stop its handler, and the task will run again elsewhere
/// once the lease expires; on Linux the kernel ends the handler's shell with it, so the old run
/// does not go on beside the new one (what the shell started in the background may still).
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

fn kill_group(pgid: i32, sig: i32) {
    // SAFETY: kill(2) has no memory effects; a negative pid names the handler's own group,
    // which we created with process_group(0), so no other process can be hit.
    unsafe {
        libc::kill(-pgid, sig);
    }
}
