//! `--pipe` handlers: `sh -c CMD` started once per slot and kept. Each task goes to its stdin
//! as one JSON line (the task JSON an `--exec` handler reads); it answers each with one line on
//! stdout, `{"id":..,"ok":true,"result":..}` or `{"id":..,"ok":false,"error":..,"retry":..}`,
//! in any order; among them, lines of `rpq ctl` verbs (`pipe_ctl.rs`). Three threads per process, none per task: a writer (so a handler that does not
//! read its stdin blocks only that thread), a reader of its answers and a reader of its stderr
//! (passed on to rpq's, its last lines kept as the reason when it dies). Both readers post to
//! the engine's channel; the engine decides what a death or a bad line costs the tasks held.

use super::control::Handle;
use super::guard::pidfd_open;
use super::handler::{kill_group, set_nonblocking, shell, TAIL_BYTES};
use super::pipe_ctl::{Feed, Talk};
use crate::log::Relay;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The longest line a `--pipe` handler may write (an answer with its result, a ctl line).
const MAX_LINE: usize = 64 << 20;

/// One answer line of a `--pipe` handler.
#[derive(Debug, Clone, Deserialize)]
pub struct Answer {
    pub id: String,
    #[serde(default)]
    pub ok: Option<bool>,
    /// The form of batch answers (issue 25): `done`, `retry` or `dead`, instead of `ok`.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    /// False: the task itself is bad (as exit 65 of `--exec`), dead at once.
    #[serde(default = "yes")]
    pub retry: bool,
}

fn yes() -> bool {
    true
}

impl Answer {
    /// Whether it is done and, if not, whether it may be retried; None when it says neither
    /// (`ok` or `outcome`), or both.
    pub fn verdict(&self) -> Option<(bool, bool)> {
        match (self.ok, self.outcome.as_deref()) {
            (Some(ok), None) => Some((ok, self.retry)),
            (None, Some("done")) => Some((true, true)),
            (None, Some("retry")) => Some((false, true)),
            (None, Some("dead")) => Some((false, false)),
            _ => None,
        }
    }

    /// The result as it is kept and printed: a JSON string's text, any other value as compact
    /// JSON; with a newline, as a line of a handler's stdout has.
    pub fn result_bytes(&self) -> Vec<u8> {
        let mut b = match &self.result {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::String(s)) => s.clone().into_bytes(),
            Some(v) => v.to_string().into_bytes(),
        };
        b.push(b'\n');
        b
    }
}

/// What a `--pipe` handler's readers post, tagged with its slot and its `gen`-th start. The
/// engine's channel carries it as `pool::Event::Pipe` (`Event` is `From` it), so this file need
/// not know the engine's other news.
pub enum Piped {
    /// It answered.
    Answer {
        slot: usize,
        gen: u64,
        answer: Answer,
    },
    /// It ended, or wrote a line that is not an answer.
    Broken {
        slot: usize,
        gen: u64,
        why: String,
        code: Option<i32>,
    },
}

/// A running `--pipe` handler.
pub struct PipeProc {
    pub pgid: i32,
    /// Readable once it has exited (taken while it surely lives: at its start), for `close`.
    pub pidfd: Option<OwnedFd>,
    /// Its stdin (non-blocking), written by the engine's thread while it takes what is written
    /// (almost always: a line is small and the handler reads), and by its reader (replies to
    /// ctl lines); what did not fit goes to the writer thread, which waits for it to read.
    feed: Arc<Feed>,
    /// Issue 25: the tasks it holds, for its ctl lines (`pipe_ctl.rs`).
    talk: Arc<Talk>,
}

impl PipeProc {
    /// Starts CMD for slot `slot`, its `gen`-th start; what it answers and how it ends is
    /// posted to `events` as `Piped::Answer` and `Piped::Broken`, tagged with both; its ctl
    /// lines go to `ctl`.
    pub fn start<E: From<Piped> + Send + 'static>(
        command: &str,
        queue: &str,
        (slot, gen): (usize, u64),
        events: Sender<E>,
        ctl: Option<Handle>,
    ) -> std::io::Result<PipeProc> {
        let mut child = shell(command, queue)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let pgid = child.id() as i32;
        let pidfd = pidfd_open(pgid);
        let stdin = Arc::new(child.stdin.take().expect("stdin is piped"));
        set_nonblocking(stdin.as_raw_fd());
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        let queued = Arc::new(AtomicUsize::new(0));
        let feed = Arc::new(Feed::new(Arc::clone(&stdin), tx, Arc::clone(&queued)));
        let talk = Arc::new(Talk {
            slot,
            handle: ctl,
            held: Mutex::new(HashMap::new()),
            feed: Arc::clone(&feed),
        });
        let (w, q) = (stdin, queued);
        std::thread::Builder::new()
            .name(format!("pipe-{slot}-in"))
            .spawn(move || {
                for line in rx {
                    let ok = write_blocking(&w, &line);
                    q.fetch_sub(1, Ordering::SeqCst);
                    if !ok {
                        break;
                    }
                }
            })?;
        let tail = Arc::new(Mutex::new(Vec::<u8>::new()));
        let tail_w = Arc::clone(&tail);
        let errors = std::thread::Builder::new()
            .name(format!("pipe-{slot}-err"))
            .spawn(move || {
                let mut relay = Relay::of_slot("handler_stderr", slot);
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
            })?;
        let t = Arc::clone(&talk);
        std::thread::Builder::new()
            .name(format!("pipe-{slot}-out"))
            .spawn(move || read_answers(stdout, child, (tail, errors), (slot, gen), &events, &t))?;
        Ok(PipeProc {
            pgid,
            pidfd,
            feed,
            talk,
        })
    }

    /// Hands it one task line (see `Feed::send`). A handler that is gone just does not get
    /// it: its death is on its way to the engine, which fails what it held. `control`: the
    /// task's secret, for its ctl lines.
    pub fn send(&self, id: &str, control: Option<&(String, u64)>, line: Vec<u8>) {
        self.give(id, control);
        self.feed.send(line);
    }

    /// Task `id` is given to it (its line goes with `write`): its ctl lines may name it.
    pub fn give(&self, id: &str, control: Option<&(String, u64)>) {
        if let Some((key, _)) = control {
            self.talk.give(id, key.clone());
        }
    }

    /// Writes lines to its stdin (see `Feed::send`).
    pub fn write(&self, lines: Vec<u8>) {
        self.feed.send(lines);
    }

    /// Its stdin's end, once it has been given what it was sent: a handler that reads to its
    /// end then exits by itself.
    pub fn close_stdin(&mut self) {
        self.feed.close();
    }

    pub fn kill(&self, sig: i32) {
        kill_group(self.pgid, sig);
    }
}

/// Writes all of `line` to a non-blocking pipe, waiting for room as long as it takes (a handler
/// that never reads keeps this thread here, and nothing else); false when the pipe broke.
fn write_blocking(stdin: &ChildStdin, line: &[u8]) -> bool {
    let mut done = 0;
    while done < line.len() {
        match (&*stdin).write(&line[done..]) {
            Ok(n) => done += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                let mut p = libc::pollfd {
                    fd: stdin.as_raw_fd(),
                    events: libc::POLLOUT,
                    revents: 0,
                };
                // SAFETY: one pollfd on this stack frame, its count given.
                unsafe { libc::poll(&mut p, 1, -1) };
            }
            Err(_) => return false,
        }
    }
    true
}

/// The reader of a handler's stdout: one answer a line, until its end; then how it ended.
fn read_answers<E: From<Piped>>(
    stdout: std::process::ChildStdout,
    mut child: Child,
    (tail, errors): (Arc<Mutex<Vec<u8>>>, JoinHandle<()>),
    (slot, gen): (usize, u64),
    events: &Sender<E>,
    talk: &Talk,
) {
    let mut r = BufReader::with_capacity(64 * 1024, stdout);
    let mut line = Vec::new();
    let mut broken = false;
    loop {
        line.clear();
        match (&mut r)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if broken {
            continue;
        }
        // A line that never ends would hold the consumer's memory: the handler is broken.
        if line.len() > MAX_LINE && line.last() != Some(&b'\n') {
            broken = true;
            let why = format!(
                "its --pipe handler wrote a line longer than {} MiB",
                MAX_LINE >> 20
            );
            let _ = events.send(
                Piped::Broken {
                    slot,
                    gen,
                    why,
                    code: None,
                }
                .into(),
            );
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() || talk.line(text) {
            continue;
        }
        let answer = serde_json::from_str::<Answer>(text).map_err(|e| e.to_string());
        let answer = answer.and_then(|a| match a.verdict() {
            Some(_) => Ok(a),
            None => Err("it says neither \"ok\" nor an \"outcome\" of done, retry or dead".into()),
        });
        match answer {
            Ok(answer) => {
                talk.answered(&answer.id);
                let _ = events.send(Piped::Answer { slot, gen, answer }.into());
            }
            Err(e) => {
                broken = true;
                let shown: String = text.chars().take(200).collect();
                let _ = events.send(
                    Piped::Broken {
                        slot,
                        gen,
                        why: format!(
                            "its --pipe handler wrote a line that is not an answer ({e}): {shown}"
                        ),
                        code: None,
                    }
                    .into(),
                );
            }
        }
    }
    // Its stdout is closed: it exited, or it closed it and cannot answer any more. Give it a
    // moment to exit by itself (for its status), then end its group.
    let exited = match pidfd_open(child.id() as i32) {
        Some(fd) => {
            let mut p = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one pollfd on this stack frame, its count given.
            unsafe { libc::poll(&mut p, 1, 500) > 0 }
        }
        None => {
            std::thread::sleep(Duration::from_millis(100));
            matches!(child.try_wait(), Ok(Some(_)))
        }
    };
    kill_group(child.id() as i32, libc::SIGKILL);
    let status = child.wait();
    // Its stderr is at its end too now (its group is gone): the reason is all there.
    let _ = errors.join();
    if broken {
        return;
    }
    let (why, code) = match status {
        Ok(s) if exited => {
            use std::os::unix::process::ExitStatusExt;
            match (s.code(), s.signal()) {
                (Some(c), _) => (format!("exited with status {c}"), Some(c)),
                (None, Some(sig)) => (format!("was killed by signal {sig}"), None),
                _ => ("ended".to_string(), None),
            }
        }
        _ => ("closed its stdout".to_string(), None),
    };
    let why = super::handler::with_tail(format!("its --pipe handler {why}"), &tail.lock().unwrap());
    let _ = events.send(
        Piped::Broken {
            slot,
            gen,
            why,
            code,
        }
        .into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_and_their_results_read_as_a_shell_expects() {
        let a: Answer = serde_json::from_str(r#"{"id":"x","ok":true,"result":"hi"}"#).unwrap();
        assert_eq!(a.verdict(), Some((true, true)));
        assert_eq!(a.result_bytes(), b"hi\n");
        let a: Answer = serde_json::from_str(r#"{"id":"x","ok":true,"result":{"n":1}}"#).unwrap();
        assert_eq!(a.result_bytes(), b"{\"n\":1}\n");
        let a: Answer =
            serde_json::from_str(r#"{"id":"x","ok":false,"error":"bad","retry":false}"#).unwrap();
        assert_eq!(a.verdict(), Some((false, false)));
        let v = |s: &str| serde_json::from_str::<Answer>(s).unwrap().verdict();
        assert_eq!(v(r#"{"id":"x","outcome":"dead"}"#), Some((false, false)));
        assert_eq!(v(r#"{"id":"x","outcome":"retry"}"#), Some((false, true)));
        assert_eq!(v(r#"{"id":"x"}"#), None);
        assert_eq!(v(r#"{"id":"x","ok":true,"outcome":"done"}"#), None);
        assert_eq!(v(r#"{"id":"x","outcome":"later"}"#), None);
    }
}
