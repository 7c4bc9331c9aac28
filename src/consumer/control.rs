//! The control channel of `--exec` handlers (issue 25): a unix socket of the consumer's, in a
//! directory of its own that only its user can enter (0700), named to each handler in
//! `RPQ_CONTROL`, with a secret per task in `RPQ_CONTROL_KEY` that binds a connection to the
//! task it was given for: a handler can act for its own task only, and for as long as it runs.
//! `rpq ctl` (the client, `commands/ctl.rs`) sends one request line and reads one answer line.
//! The same requests come without the socket through a `Handle`: a `--pipe` handler's ctl lines
//! (`pipe_ctl.rs`, no socket is bound for such a consumer), and a `--batch` call's secret, which
//! names several tasks (`rpq ctl --task ID`).
//!
//! Each verb is applied with the task's claim token (`Queue::ctl`, fenced in Lua by
//! ctl_lease.lua), so a handler whose lease was lost is refused. Before Redis is asked, the
//! consumer's own view is asked: a lease the heartbeat has not been able to extend for a whole
//! lease (Redis frozen or cut off) may be someone else's by now, and its task's handler is
//! refused without a round trip. One thread accepts, a thread per connection (a bounded number)
//! reads and answers, and one thread with its own connection talks to Redis, one request at a
//! time. Nothing here prints; the engine learns what a task's handler asked for (`Entry`) when
//! the task ends.

use crate::config::Config;
use crate::queue::{Claimed, CtlOp, CtlReply, Lease, LeaseState, Queue};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Connections served at once; more are refused with a line (a handler that forks hundreds of
/// `rpq ctl` cannot make the consumer start hundreds of threads).
const MAX_CONNS: usize = 64;
/// How long a connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A request is one line of at most this (a checkpoint's value and some JSON).
const MAX_REQUEST: u64 = 256 * 1024;

/// One request of `rpq ctl`, as it goes over the socket (one JSON line).
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    /// The task's `RPQ_CONTROL_KEY` (a batch's call has one for the whole call).
    pub key: String,
    /// Which task (`rpq ctl --task ID`): needed in a batch's call, checked in any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    pub verb: String,
    #[serde(default)]
    pub args: Vec<String>,
}

/// The answer (one JSON line): `ok`, with a checkpoint's value for `get`, or why not.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Answer {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Answer {
    fn ok(value: Option<String>) -> Answer {
        Answer {
            ok: true,
            value,
            error: None,
        }
    }
    fn no(why: impl Into<String>) -> Answer {
        Answer {
            ok: false,
            value: None,
            error: Some(why.into()),
        }
    }
}

/// What the handler of a task in hand asked for, for the engine when the task ends.
#[derive(Debug, Clone)]
pub struct Entry {
    pub lease: Lease,
    pub attempt: u32,
    /// When the task was claimed (the lease holds for a whole lease from then at least).
    since: Instant,
    /// A verb wrote to its control hash: its ack must be ctl_ack.lua.
    pub used: bool,
    /// `retry-after DUR REASON`: the attempt ends as a failure due again in DUR.
    pub retry_after: Option<(Duration, String)>,
    /// `extend DUR`: hold the lease until then at least.
    pub hold_until: Option<Instant>,
}

struct Shared {
    tasks: Mutex<HashMap<String, Entry>>,
    /// The secrets of `--batch` calls: for each, its tasks' ids and their own secrets.
    batches: Mutex<HashMap<String, HashMap<String, String>>>,
    /// When the heartbeat's last extension that came back was sent: every lease in hand held
    /// for a whole lease from then.
    confirmed: Mutex<Option<Instant>>,
    lease: Duration,
    stop: AtomicBool,
    conns: AtomicUsize,
    redis: Mutex<Sender<Job>>,
}

/// A request for the Redis thread, and where its answer goes.
struct Job {
    lease: Lease,
    work: Work,
    reply: Sender<Result<CtlReply, String>>,
}

// One job at a time goes through the channel: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
enum Work {
    Op(CtlOp),
    /// Extend the lease to this long from now (extend.lua checks that it holds).
    Extend(Duration),
    /// Whether the lease holds (extend.lua's look).
    Look,
}

pub struct Control {
    /// The socket's directory and path, for `--exec` handlers (`--pipe` ones talk on their
    /// stdout: `pipe.rs`).
    socket: Option<(PathBuf, PathBuf)>,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Control {
    /// Starts the thread that applies verbs; with `socket`, binds the socket in a new private
    /// directory and starts serving it.
    pub fn start(
        cfg: &Config,
        consumer: &str,
        lease: Duration,
        socket: bool,
    ) -> std::io::Result<Control> {
        let bound = match socket {
            true => {
                let dir = private_dir()?;
                let path = dir.join("ctl");
                let listener = UnixListener::bind(&path)?;
                Some((dir, path, listener))
            }
            false => None,
        };
        let (tx, jobs) = mpsc::channel::<Job>();
        let shared = Arc::new(Shared {
            tasks: Mutex::new(HashMap::new()),
            batches: Mutex::new(HashMap::new()),
            confirmed: Mutex::new(None),
            lease,
            stop: AtomicBool::new(false),
            conns: AtomicUsize::new(0),
            redis: Mutex::new(tx),
        });
        let (cfg, name) = (cfg.clone(), consumer.to_string());
        std::thread::Builder::new()
            .name("ctl-redis".into())
            .spawn(move || serve_redis(&cfg, &name, jobs))?;
        let (socket, accept) = match bound {
            Some((dir, path, listener)) => {
                let s = Arc::clone(&shared);
                let accept = std::thread::Builder::new()
                    .name("ctl-accept".into())
                    .spawn(move || accept_loop(&listener, &s))?;
                (Some((dir, path)), Some(accept))
            }
            None => (None, None),
        };
        Ok(Control {
            socket,
            shared,
            accept,
        })
    }

    /// The socket's path, when it serves one.
    pub fn path(&self) -> Option<&Path> {
        self.socket.as_ref().map(|(_, p)| p.as_path())
    }

    /// For the threads that apply verbs themselves (a `--pipe` handler's reader, a batch's).
    pub fn handle(&self) -> Handle {
        Handle(Arc::clone(&self.shared))
    }

    /// A task's handler is about to start: its secret for `RPQ_CONTROL_KEY`.
    pub fn register(&self, c: &Claimed) -> String {
        let key = secret();
        self.shared.tasks.lock().unwrap().insert(
            key.clone(),
            Entry {
                lease: c.lease(),
                attempt: c.task.attempt,
                since: Instant::now(),
                used: false,
                retry_after: None,
                hold_until: None,
            },
        );
        key
    }

    /// The task's run ended: its secret is refused from now on; what its handler asked for.
    pub fn finish(&self, key: &str) -> Option<Entry> {
        self.shared.tasks.lock().unwrap().remove(key)
    }

    /// What the heartbeat tells the control channel, and asks of it.
    pub fn link(&self) -> Link {
        Link(Arc::clone(&self.shared))
    }
}

/// The heartbeat's side of the control channel.
#[derive(Clone)]
pub struct Link(Arc<Shared>);

impl Link {
    /// The heartbeat's extension sent at `sent` came back: every lease in hand holds until a
    /// lease after it.
    pub fn confirmed(&self, sent: Instant) {
        let mut c = self.0.confirmed.lock().unwrap();
        if c.is_none_or(|t| t < sent) {
            *c = Some(sent);
        }
    }

    /// The leases whose handlers asked to hold them past a lease from now, and until when.
    pub fn holds(&self) -> Vec<(Lease, Instant)> {
        let now = Instant::now();
        self.0
            .tasks
            .lock()
            .unwrap()
            .values()
            .filter_map(|e| e.hold_until.map(|t| (e.lease.clone(), t)))
            .filter(|(_, t)| *t > now + self.0.lease)
            .collect()
    }
}

/// What applies a verb without the socket: a `--pipe` handler's reader (its ctl lines), a
/// batch's thread (the secret of its call).
#[derive(Clone)]
pub struct Handle(Arc<Shared>);

impl Handle {
    /// Applies one request, as if it came over the socket.
    pub fn apply(&self, req: &Request) -> Answer {
        answer(&self.0, req)
    }

    /// A `--batch` call of these tasks (id, secret) is about to start: the secret of the call,
    /// with which `rpq ctl --task ID` acts for each of them.
    pub fn register_batch(&self, tasks: HashMap<String, String>) -> String {
        let key = secret();
        self.0.batches.lock().unwrap().insert(key.clone(), tasks);
        key
    }

    /// The call ended: its secret is refused from now on (its tasks' are, by `finish`).
    pub fn finish_batch(&self, key: &str) {
        self.0.batches.lock().unwrap().remove(key);
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some((dir, path)) = &self.socket {
            // Wakes the accept loop, which sees the flag.
            let _ = UnixStream::connect(path);
            if let Some(t) = self.accept.take() {
                let _ = t.join();
            }
            let _ = std::fs::remove_file(path);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// A directory only this user can enter, under $XDG_RUNTIME_DIR or the temporary directory
/// (a socket's path must fit in 108 bytes: /tmp when the other is too long).
fn private_dir() -> std::io::Result<PathBuf> {
    let bases = [
        crate::config::runtime_dir(),
        Some(std::env::temp_dir()),
        Some(PathBuf::from("/tmp")),
    ];
    let mut last = None;
    for base in bases.into_iter().flatten() {
        sweep(&base);
        let dir = base.join(format!("rpq-{}-{}", std::process::id(), &secret()[..8]));
        if dir.as_os_str().len() > 90 {
            continue;
        }
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no directory for the control socket")))
}

/// Removes the socket directories under `base` that consumers killed with SIGKILL left (their
/// process is gone): only this user's, named as `private_dir` names them, holding nothing but
/// the socket (`remove_dir` refuses a directory with anything else in it).
fn sweep(base: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("rpq-"))
            .and_then(|n| n.split_once('-'))
            .and_then(|(pid, tail)| (tail.len() == 8).then_some(pid))
            .and_then(|pid| pid.parse::<i32>().ok())
            .filter(|pid| *pid > 0)
        else {
            continue;
        };
        let dir = e.path();
        let ours = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir() && m.uid() == me);
        // SAFETY: kill with signal 0 only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if ours && gone {
            let _ = std::fs::remove_file(dir.join("ctl"));
            let _ = std::fs::remove_dir(&dir);
        }
    }
}

/// 128 random bits, hex.
fn secret() -> String {
    use rand::Rng;
    let mut r = rand::rng();
    format!("{:016x}{:016x}", r.random::<u64>(), r.random::<u64>())
}

fn accept_loop(listener: &UnixListener, s: &Arc<Shared>) {
    for conn in listener.incoming() {
        if s.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut conn) = conn else {
            // Out of descriptors, most likely: a moment for others to end.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if s.conns.fetch_add(1, Ordering::SeqCst) >= MAX_CONNS {
            s.conns.fetch_sub(1, Ordering::SeqCst);
            let _ = write_answer(
                &mut conn,
                &Answer::no("the consumer is busy with too many `rpq ctl` calls; try again"),
            );
            continue;
        }
        let s2 = Arc::clone(s);
        let started = std::thread::Builder::new()
            .name("ctl-conn".into())
            .spawn(move || {
                serve_conn(conn, &s2);
                s2.conns.fetch_sub(1, Ordering::SeqCst);
            });
        if started.is_err() {
            s.conns.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn write_answer(conn: &mut UnixStream, a: &Answer) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(a).unwrap_or_default();
    line.push(b'\n');
    conn.write_all(&line)
}

fn serve_conn(conn: UnixStream, s: &Shared) {
    let _ = conn.set_read_timeout(Some(READ_TIMEOUT));
    let _ = conn.set_write_timeout(Some(READ_TIMEOUT));
    let mut w = match conn.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut line = Vec::new();
    let mut r = BufReader::new(conn).take(MAX_REQUEST);
    if r.read_until(b'\n', &mut line).is_err() {
        return;
    }
    let answer = match serde_json::from_slice::<Request>(&line) {
        Ok(req) => answer(s, &req),
        Err(e) => Answer::no(format!("not a request of `rpq ctl`: {e}")),
    };
    let _ = write_answer(&mut w, &answer);
}

/// Whether the consumer can vouch for the lease of `e` now: claimed, or extended, less than a
/// lease ago.
fn vouched(s: &Shared, e: &Entry) -> bool {
    let confirmed = s.confirmed.lock().unwrap().unwrap_or(e.since).max(e.since);
    let until = e
        .hold_until
        .map_or(confirmed + s.lease, |h| h.max(confirmed + s.lease));
    Instant::now() < until
}

const LOST: &str = "the lease of this task is lost (another consumer may hold it now); stop";

const GONE: &str =
    "this task is not running on this consumer any more (it ended, or the key is wrong)";

/// The secret of the task a request is for: its own, or, in a batch's call, that of the task it
/// names.
fn task_key(s: &Shared, req: &Request) -> Result<String, Answer> {
    if let Some(tasks) = s.batches.lock().unwrap().get(&req.key) {
        let Some(id) = &req.task else {
            return Err(Answer::no(
                "this handler runs a batch of tasks: name the task, `rpq ctl --task ID ...`",
            ));
        };
        return match tasks.get(id) {
            Some(key) => Ok(key.clone()),
            None => Err(Answer::no(format!("task {id} is not in this batch"))),
        };
    }
    Ok(req.key.clone())
}

fn answer(s: &Shared, req: &Request) -> Answer {
    let key = match task_key(s, req) {
        Ok(k) => k,
        Err(a) => return a,
    };
    let Some(entry) = s.tasks.lock().unwrap().get(&key).cloned() else {
        return Answer::no(GONE);
    };
    if let Some(id) = req.task.as_ref().filter(|id| **id != entry.lease.id) {
        return Answer::no(format!(
            "task {id} is not this handler's (it runs task {})",
            entry.lease.id
        ));
    }
    if !vouched(s, &entry) {
        return Answer::no(format!(
            "{LOST} (the consumer could not reach Redis for a whole lease)"
        ));
    }
    let work = match parse(req) {
        Ok(w) => w,
        Err(why) => return Answer::no(why),
    };
    let retry_after = match &work {
        Parsed::RetryAfter(d, why) => Some((*d, why.clone())),
        _ => None,
    };
    let extend = match &work {
        Parsed::Work(Work::Extend(d)) => Some(*d),
        _ => None,
    };
    let (work, writes) = match work {
        Parsed::Work(w) => {
            let writes = matches!(w, Work::Op(_));
            (w, writes)
        }
        Parsed::RetryAfter(..) => (Work::Look, false),
    };
    // The hold is known before the extension goes out, so that a heartbeat from now on extends
    // this lease to it rather than back to a lease from now (it is taken back if refused).
    let held_before = extend.and_then(|d| {
        let mut tasks = s.tasks.lock().unwrap();
        tasks.get_mut(&key).map(|e| {
            let before = e.hold_until;
            e.hold_until = Some(Instant::now() + d);
            before
        })
    });
    let reply = ask(s, &entry.lease, work);
    if let Some(before) = held_before {
        if !matches!(reply, Ok(CtlReply::Ok(_))) {
            if let Some(e) = s.tasks.lock().unwrap().get_mut(&key) {
                e.hold_until = before;
            }
        }
    }
    let answer = match reply {
        Ok(CtlReply::Ok(v)) => Answer::ok(v.map(|b| String::from_utf8_lossy(&b).into_owned())),
        Ok(CtlReply::Lost) => Answer::no(LOST),
        Ok(CtlReply::Already(n)) => return Answer::no(format!("already done in attempt {n}")),
        Ok(CtlReply::Full) => {
            return Answer::no(format!(
                "this task's control data is full (at most {} checkpoints, {} once-keys and \
                 {} children)",
                crate::queue::ctl_bounds::CHECKPOINTS,
                crate::queue::ctl_bounds::ONCE_KEYS,
                crate::queue::ctl_bounds::SPAWNS
            ))
        }
        Err(e) => return Answer::no(e),
    };
    if answer.ok {
        let mut tasks = s.tasks.lock().unwrap();
        if let Some(e) = tasks.get_mut(&key) {
            e.used |= writes;
            if let Some(r) = retry_after {
                e.retry_after = Some(r);
            }
            if let Some(d) = extend {
                e.hold_until = Some(Instant::now() + d);
            }
        }
    }
    answer
}

/// Sends one job to the Redis thread and waits for its answer.
fn ask(s: &Shared, lease: &Lease, work: Work) -> Result<CtlReply, String> {
    let (tx, rx) = mpsc::channel();
    let job = Job {
        lease: lease.clone(),
        work,
        reply: tx,
    };
    if s.redis.lock().unwrap().send(job).is_err() {
        return Err("the consumer is stopping".into());
    }
    rx.recv()
        .unwrap_or_else(|_| Err("the consumer is stopping".into()))
}

enum Parsed {
    Work(Work),
    RetryAfter(Duration, String),
}

fn duration(s: Option<&String>) -> Result<Duration, String> {
    let s = s.ok_or("a duration is missing (e.g. 30s)")?;
    crate::task::parse_duration(s)
}

/// A request's verb and arguments, checked.
fn parse(req: &Request) -> Result<Parsed, String> {
    use crate::queue::ctl_bounds::{NAME_BYTES, VALUE_BYTES};
    let a = &req.args;
    let name = |i: usize, what: &str| -> Result<String, String> {
        let v = a.get(i).ok_or(format!("{what} is missing"))?;
        if v.is_empty() || v.len() > NAME_BYTES {
            return Err(format!("{what} must be 1 to {NAME_BYTES} bytes"));
        }
        Ok(v.clone())
    };
    let op = match req.verb.as_str() {
        "progress" => {
            let n: u8 = a
                .first()
                .and_then(|n| n.parse().ok())
                .filter(|n| *n <= 100)
                .ok_or("progress takes a number from 0 to 100")?;
            CtlOp::Progress(n, a[1..].join(" "))
        }
        "log" => CtlOp::Log(a.clone()),
        "checkpoint-set" => {
            let v = a.get(1).ok_or("checkpoint set takes KEY VALUE")?;
            if v.len() > VALUE_BYTES {
                return Err(format!(
                    "a checkpoint's value is at most {} KiB",
                    VALUE_BYTES >> 10
                ));
            }
            CtlOp::Set(name(0, "the checkpoint's key")?, v.clone().into_bytes())
        }
        "checkpoint-get" => CtlOp::Get(name(0, "the checkpoint's key")?),
        "once" => CtlOp::Once(name(0, "the once-key")?),
        "spawn" => {
            let line = a.first().ok_or("spawn takes a task")?;
            let t = crate::producer::task_line(
                line.as_bytes(),
                crate::task::When::NOW,
                Default::default(),
            )
            .ok_or("spawn takes a task")??;
            if !t.when.is_now() {
                return Err("a child is queued when its parent is done: no in, at or ttl".into());
            }
            if t.after.is_some() {
                return Err("a child is queued when its parent is done: no after".into());
            }
            CtlOp::Spawn(Box::new(t))
        }
        "extend" => {
            let d = duration(a.first())?;
            if d.is_zero() || d > Duration::from_secs(24 * 3600) {
                return Err("extend takes a duration from 1ms to 24h".into());
            }
            return Ok(Parsed::Work(Work::Extend(d)));
        }
        "retry-after" => {
            let d = duration(a.first())?;
            let why = a[1..].join(" ");
            let why = if why.is_empty() {
                format!("retry after {}", a[0])
            } else {
                why
            };
            return Ok(Parsed::RetryAfter(d, why));
        }
        v => return Err(format!("unknown verb '{v}'")),
    };
    Ok(Parsed::Work(Work::Op(op)))
}

/// The Redis thread: one request at a time on its own connection, opened again after an error.
fn serve_redis(cfg: &Config, consumer: &str, jobs: mpsc::Receiver<Job>) {
    let mut q: Option<Queue> = None;
    for job in jobs {
        if q.is_none() {
            q = Queue::open(cfg).ok();
        }
        let Some(conn) = q.as_mut() else {
            let _ = job
                .reply
                .send(Err("the consumer cannot reach Redis now; try again".into()));
            continue;
        };
        let lease = std::slice::from_ref(&job.lease);
        let r = match job.work {
            Work::Op(CtlOp::Spawn(mut t)) => {
                // A child is queued by its parent's ack, one script on the parent's hash tag.
                if !t.named {
                    t.id = conn.child_id(&job.lease.id);
                } else if conn.shard_of(&t.id) != conn.shard_of(&job.lease.id) {
                    let _ = job.reply.send(Err(format!(
                        "child id '{}' falls on another shard of this sharded queue than its \
                         parent; leave the id out (rpq picks one on the parent's shard)",
                        t.id
                    )));
                    continue;
                }
                let id = t.id.clone();
                conn.ctl(&job.lease, &CtlOp::Spawn(t)).map(|r| match r {
                    CtlReply::Ok(_) => CtlReply::Ok(Some(id.into_bytes())),
                    other => other,
                })
            }
            Work::Op(op) => conn.ctl(&job.lease, &op),
            Work::Extend(d) => conn.extend(consumer, lease, d).map(held),
            Work::Look => conn.look(consumer, lease).map(held),
        };
        let r = r.map_err(|e| {
            q = None;
            format!("the consumer cannot reach Redis now ({e:#}); try again")
        });
        let _ = job.reply.send(r);
    }
}

fn held(states: Vec<LeaseState>) -> CtlReply {
    if states.first() == Some(&LeaseState::Held) {
        CtlReply::Ok(None)
    } else {
        CtlReply::Lost
    }
}

/// The client's side: sends `req` to the socket at `path` and reads the answer.
pub fn call(path: &Path, req: &Request) -> std::io::Result<Answer> {
    let mut conn = UnixStream::connect(path)?;
    let mut line = serde_json::to_vec(req)?;
    line.push(b'\n');
    conn.write_all(&line)?;
    conn.shutdown(std::net::Shutdown::Write)?;
    let mut buf = Vec::new();
    conn.take(MAX_REQUEST).read_to_end(&mut buf)?;
    serde_json::from_slice(&buf)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
