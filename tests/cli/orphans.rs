//! Handlers die with their consumer (SPEC 16): whatever ends a consumer, every process its
//! handlers started is gone before their tasks can run again, those in a session of their own
//! and double-forked ones too; a re-run never meets a process of the run before.

use crate::support::*;
use rpq::server::RedisServer;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// Sourced by the handlers: `first_run ID` starts, for task ID, a background child, a subshell
/// with a child, a child in a session of its own (`setsid`) and a double-forked one, each
/// `sleep 300` once it has recorded "pid starttime" in `$REC/ID/`, with the handler's own; it
/// returns once all six are recorded. `rerun ID` appends "ID N" to `$REC/reruns`: N of the
/// processes recorded for ID that still run (the same pid and start time, not a zombie).
const LIB: &str = r#"
me() { echo "$1 $(cut -d' ' -f22 "/proc/$1/stat")"; }
alive() {
    want=$2
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    set -- $st
    [ "$3" != Z ] && [ "${22}" = "$want" ]
}
first_run() {
    d="$REC/$1"
    mkdir -p "$d"
    me $$ > "$d/.handler" && mv "$d/.handler" "$d/handler"
    rec='f=$1; d=${f%/*}; n=${f##*/}; echo "$$ $(cut -d" " -f22 /proc/$$/stat)" > "$d/.$n" && mv "$d/.$n" "$f"; exec sleep 300'
    sh -c "$rec" - "$d/background" &
    ( sh -c 'echo "$PPID $(cut -d" " -f22 /proc/$PPID/stat)" > "$1/.subshell" && mv "$1/.subshell" "$1/subshell"' - "$d"; sh -c "$rec" - "$d/subshell-child" ) &
    setsid sh -c "$rec" - "$d/setsid" &
    sh -c 'sh -c "$1" - "$2" &' - "$rec" "$d/double"
    while [ "$(ls "$d" | wc -l)" -lt 6 ]; do sleep 0.01; done
}
rerun() {
    n=0
    for f in "$REC/$1"/*; do
        read -r pid start < "$f"
        if alive "$pid" "$start"; then n=$((n + 1)); fi
    done
    echo "$1 $n" >> "$REC/reruns"
}
"#;

/// The `--exec` handler: a first run starts its children and, unless `$FINISH` is set, sleeps.
const EXEC: &str = r#"
. "$REC/lib.sh"
if [ "$RPQ_TASK_ATTEMPT" = 1 ]; then
    exec </dev/null >/dev/null 2>&1
    first_run "$RPQ_TASK_ID"
    [ -n "$FINISH" ] || exec sleep 300
else
    rerun "$RPQ_TASK_ID"
fi
"#;

/// The `--pipe` handler: a first run starts its children and, unless `$FINISH` is set, does not
/// answer (it holds the task and reads on).
const PIPE: &str = r#"
. "$REC/lib.sh"
while read -r line; do
    id=$(printf '%s\n' "$line" | jq -r .id)
    attempt=$(printf '%s\n' "$line" | jq -r .attempt)
    if [ "$attempt" = 1 ]; then
        { first_run "$id"; } </dev/null >/dev/null 2>&1
        [ -n "$FINISH" ] || continue
    else
        rerun "$id"
    fi
    echo "{\"id\":\"$id\",\"ok\":true}"
done
"#;

#[derive(Clone, Copy)]
enum Mode {
    Exec,
    Pipe,
}

impl Mode {
    fn args(self, dir: &Path) -> [String; 2] {
        match self {
            Mode::Exec => ["--exec".into(), format!("sh {}/exec.sh", dir.display())],
            Mode::Pipe => ["--pipe".into(), format!("sh {}/pipe.sh", dir.display())],
        }
    }
}

fn scripts(dir: &Path) {
    for (name, text) in [("lib.sh", LIB), ("exec.sh", EXEC), ("pipe.sh", PIPE)] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A process the test holds by a pidfd (taken while it surely was that process): no pid reuse
/// can fool a look at it, and whatever is still running when the test ends is killed.
struct Held {
    pid: i32,
    what: String,
    fd: OwnedFd,
}

impl Held {
    /// `pid` if it is still the process that started at `start` (clock ticks since boot).
    fn take(pid: i32, start: u64, what: String) -> Option<Held> {
        // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            return None;
        }
        // SAFETY: the kernel just gave us this fd.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
        (start_time(pid) == Some(start)).then_some(Held { pid, what, fd })
    }

    /// Whether it runs: its pidfd turns readable when it exits (a zombie has exited).
    fn running(&self) -> bool {
        let mut p = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd on this stack frame.
        unsafe { libc::poll(&mut p, 1, 0) == 0 }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: pidfd_send_signal on our own pidfd; a process already gone ignores it.
        unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                libc::SIGKILL,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            );
        }
    }
}

/// Field 22 of /proc/PID/stat, after the command's closing parenthesis.
fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(19)?.parse().ok()
}

/// Every process recorded under `rec` for `ids` that still runs, held; with `all`, panics
/// unless every one of them does.
fn recorded(rec: &Path, ids: &[String], all: bool) -> Vec<Held> {
    let mut held = Vec::new();
    for id in ids {
        for e in std::fs::read_dir(rec.join(id)).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let text = std::fs::read_to_string(e.path()).unwrap();
            let (pid, start) = text.trim().split_once(' ').unwrap();
            let (pid, start) = (pid.parse().unwrap(), start.parse().unwrap());
            let what = format!("{id}/{name} (pid {pid})");
            // A subshell that execs its last command is that command: one process, two records.
            if held.iter().any(|h: &Held| h.pid == pid) {
                continue;
            }
            match Held::take(pid, start, what.clone()) {
                Some(h) => held.push(h),
                None => assert!(!all, "{what} is gone before the consumer was stopped"),
            }
        }
    }
    held
}

fn all_recorded(rec: &Path, ids: &[String]) -> bool {
    ids.iter().all(|id| {
        std::fs::read_dir(rec.join(id)).is_ok_and(|d| {
            d.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
                == 6
        })
    })
}

/// The guard of consumer `pid` (its child started as `rpq __guard`), held; None without one.
fn guard_of(pid: i32) -> Option<Held> {
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let ppid = stat[close + 2..].split(' ').nth(1);
        let cmdline = std::fs::read(format!("/proc/{child}/cmdline")).unwrap_or_default();
        if ppid == Some(&pid.to_string()) && cmdline.split(|&b| b == 0).nth(1) == Some(b"__guard") {
            let start = start_time(child)?;
            return Held::take(child, start, format!("the guard (pid {child})"));
        }
    }
    None
}

/// Waits up to `limit` for every one of `held` to have exited; the names of those still running.
fn still_running(held: &[Held], limit: Duration) -> Vec<&str> {
    let end = Instant::now() + limit;
    loop {
        let left: Vec<&str> = held
            .iter()
            .filter(|h| h.running())
            .map(|h| h.what.as_str())
            .collect();
        if left.is_empty() || Instant::now() >= end {
            return left;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn eight_tasks(r: &RedisServer) -> Vec<String> {
    push_lines(r, "default", &lines_with_ids(std::iter::repeat_n(2, 8)));
    (0..8).map(|i| format!("t{i}")).collect()
}

/// How the first consumer is killed.
#[derive(Clone, Copy, PartialEq)]
enum Kill {
    /// kill -9 PID
    Process,
    /// kill -9 -PGID: the consumer in a process group of its own, and what is in it.
    Group,
    /// kill -9 PID of a consumer that cannot make a cgroup (the hierarchy read-only in a mount
    /// namespace of its own; as a user who may not write it, as it is): its mark alone.
    WithoutCgroup,
}

/// `rpq ARGS` (environment cleared, output piped) where no cgroup can be made: as root, in a
/// mount namespace of its own where every cgroup2 mount is read-only.
fn without_cgroup(r: &RedisServer) -> std::process::Command {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let mut cmd = std::process::Command::new("unshare");
        cmd.args(["-m", "sh", "-c"]).arg(
            r#"for m in $(findmnt -t cgroup2 -n -o TARGET); do mount -o remount,ro,bind "$m" || exit 1; done; exec "$0" "$@""#,
        );
        cmd.arg(bin());
        clean_env(&mut cmd);
        cmd
    } else {
        base()
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .arg("--url")
        .arg(r.url());
    cmd
}

/// The arguments of a process, as it was started.
fn argv(pid: i32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// Kill -9 a consumer of 8 slots while each handler has its four children running (40
/// processes): within a
/// second none of the 8 handlers, their children or the guard runs, and the re-runs (by a
/// second consumer, once the leases of 1 s ran out) find none of them.
fn killed_consumer_takes_everything_with_it(mode: Mode, kill: Kill) {
    let r = redis();
    let ids = eight_tasks(&r);
    let rec = r.dir().join("rec");
    std::fs::create_dir(&rec).unwrap();
    scripts(&rec);
    let handler = mode.args(&rec);
    let consumer = |name: &str, extra: &[&str]| {
        let mut cmd = if kill == Kill::WithoutCgroup && name == "first" {
            without_cgroup(&r)
        } else {
            process(&r)
        };
        cmd.args(["consume", "--name", name, "-j", "8", "--lease", "1s"])
            .args(extra)
            .args(&handler)
            .env("REC", &rec)
            .process_group(0);
        Proc::spawn(&mut cmd)
    };
    let mut first = consumer("first", &[]);
    wait_until(
        Duration::from_secs(60),
        "8 handlers to start their children",
        || all_recorded(&rec, &ids),
    );
    let mut held = recorded(&rec, &ids, true);
    let total = held.len();
    let guard = guard_of(first.pid());
    let guard_argv = guard.as_ref().map(|g| argv(g.pid));
    held.extend(guard);
    let mut c = conn(&r);
    assert_eq!(in_flight(&mut c, "default"), 8);

    match kill {
        Kill::Process | Kill::WithoutCgroup => first.signal(libc::SIGKILL),
        // SAFETY: kill(2) of the process group the consumer leads (process_group(0)).
        Kill::Group => unsafe {
            libc::kill(-first.pid(), libc::SIGKILL);
        },
    }
    let killed = Instant::now();
    let second = consumer("second", &["--count", "8"]);
    let left = still_running(&held, Duration::from_secs(1));
    let gone_in = killed.elapsed();
    let status = loop {
        if let Some(s) = first.exited() {
            break s;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), None, "killed by a signal");
    let s = second.end(Duration::from_secs(60));
    assert!(s.status.success(), "{}", s.stderr);
    let reruns = std::fs::read_to_string(rec.join("reruns")).unwrap_or_default();
    let mut overlaps: Vec<&str> = reruns.lines().filter(|l| !l.ends_with(" 0")).collect();
    overlaps.sort();
    eprintln!(
        "{} of {total} handler processes (and the guard: {}) still running {gone_in:?} after \
         kill -9 (at most 1 s is waited for); {} of {} re-runs met a process of the run before",
        left.len(),
        held.len() > total,
        overlaps.len(),
        reruns.lines().count()
    );
    assert_eq!(
        (left, overlaps, reruns.lines().count()),
        (vec![], vec![], 8),
        "still running 1 s after the kill; re-runs that met the run before; re-runs"
    );
    if kill == Kill::WithoutCgroup {
        // `rpq __guard MARK CGROUP`, "-" for none: the mark alone did it.
        let cgroup = guard_argv
            .as_ref()
            .and_then(|a| a.get(3))
            .map(String::as_str);
        assert_eq!(cgroup, Some("-"), "{guard_argv:?}");
    }
    // The guard never connects: the two consumers are all that claimed.
    assert_eq!(consumers_seen(&mut c, "default"), 2);
}

#[test]
fn kill_9_of_an_exec_consumer_ends_every_process_of_its_handlers() {
    killed_consumer_takes_everything_with_it(Mode::Exec, Kill::Process);
}

#[test]
fn kill_9_of_a_pipe_consumer_ends_every_process_of_its_handlers() {
    killed_consumer_takes_everything_with_it(Mode::Pipe, Kill::Process);
}

#[test]
fn kill_9_of_a_consumers_process_group_ends_every_process_of_its_handlers() {
    killed_consumer_takes_everything_with_it(Mode::Exec, Kill::Group);
}

#[test]
fn kill_9_of_a_consumer_without_a_cgroup_ends_every_process_of_its_handlers_by_their_mark() {
    killed_consumer_takes_everything_with_it(Mode::Exec, Kill::WithoutCgroup);
}

/// A consumer stopped by SIGTERM after its handlers finished (leaving their children running)
/// exits 0 as always, and by then nothing they started runs, nor its guard.
fn stopped_consumer_leaves_nothing(mode: Mode) {
    let r = redis();
    let ids = eight_tasks(&r);
    let rec = r.dir().join("rec");
    std::fs::create_dir(&rec).unwrap();
    scripts(&rec);
    let mut cmd = process(&r);
    cmd.args(["--json", "consume", "-j", "8"])
        .args(mode.args(&rec))
        .env("REC", &rec)
        .env("FINISH", "1");
    let consumer = Proc::spawn(&mut cmd);
    let mut c = conn(&r);
    wait_until(Duration::from_secs(60), "8 tasks done", || {
        stat(&mut c, "default", "done") == 8
    });
    // Some have ended with their handler already (its process group is killed when it exits).
    let mut held = recorded(&rec, &ids, false);
    let total = held.len();
    let guard = guard_of(consumer.pid());
    consumer.signal(libc::SIGTERM);
    let e = consumer.end(Duration::from_secs(30));
    assert!(e.status.success(), "{}", e.stderr);
    assert_eq!(ndjson(&e.stdout).len(), 8);
    held.extend(guard);
    let left = still_running(&held, Duration::from_secs(5));
    eprintln!(
        "{} of {total} processes the handlers started (running when it was stopped) still \
         running after a graceful stop",
        left.len()
    );
    assert_eq!(left, Vec::<&str>::new());
}

#[test]
fn a_stopped_exec_consumer_leaves_nothing_its_handlers_started() {
    stopped_consumer_leaves_nothing(Mode::Exec);
}

#[test]
fn a_stopped_pipe_consumer_leaves_nothing_its_handlers_started() {
    stopped_consumer_leaves_nothing(Mode::Pipe);
}

/// A guard killed on its own cannot do its work any more: its consumer says so once, on
/// stderr, and goes on with its tasks.
#[test]
fn a_consumer_whose_guard_is_killed_says_so_and_goes_on() {
    let r = redis();
    let consumer = Proc::start(&r, &["consume", "--exec", "true"]);
    // The guard is killed once it is running, not while its consumer still waits for it to
    // start (that is a guard that could not be started, another warning): the consumer starts
    // it before its first claim, so once a task is done, the guard is up.
    push_one(&r, "t", "before");
    let mut c = conn(&r);
    wait_until(Duration::from_secs(10), "the first task to be done", || {
        stat(&mut c, "default", "done") == 1
    });
    let mut guard = None;
    wait_until(Duration::from_secs(10), "the consumer's guard", || {
        guard = guard_of(consumer.pid());
        guard.is_some()
    });
    let cgroup = argv(guard.as_ref().unwrap().pid)[3].clone();
    // Dropping a held process kills it.
    drop(guard);
    wait_until(Duration::from_secs(10), "the warning", || {
        consumer.stderr_has("the guard of this consumer")
    });
    push_one(&r, "t", "after");
    wait_until(Duration::from_secs(10), "the task to be done", || {
        stat(&mut c, "default", "done") == 2
    });
    consumer.signal(libc::SIGTERM);
    let e = consumer.end(Duration::from_secs(30));
    assert!(e.status.success(), "{}", e.stderr);
    assert_eq!(
        e.stderr.matches("the guard of this consumer").count(),
        1,
        "{}",
        e.stderr
    );
    // Its work was done by the consumer itself as it stopped: no cgroup is left behind.
    assert!(
        cgroup == "-" || !Path::new(&cgroup).exists(),
        "{cgroup} is left"
    );
}

/// kill -9 of a consumer while its guard is starting: the guard finds its parent gone and will
/// not act as anyone's guard, but the empty cgroup made for it is removed, not left for good.
#[test]
fn a_guard_whose_consumer_died_as_it_started_removes_the_empty_cgroup() {
    let r = redis();
    let consumer = Proc::start(&r, &["consume", "--exec", "true"]);
    let mut guard = None;
    wait_until(Duration::from_secs(10), "the consumer's guard", || {
        guard = guard_of(consumer.pid());
        guard.is_some()
    });
    let own = argv(guard.as_ref().unwrap().pid)[3].clone();
    assert_ne!(
        own, "-",
        "this test needs a writable cgroup v2 hierarchy (root)"
    );
    let home = Path::new(&own).parent().unwrap().to_path_buf();
    // The pid of a process that is gone, as the consumer's is.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let left = home.join(format!("rpq-{pid}"));
    std::fs::create_dir(&left).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_rpq"))
        .arg("__guard")
        .arg(format!("{pid}.0123456789abcdef"))
        .arg(&left)
        .stdin(std::process::Stdio::null())
        .status()
        .unwrap();
    let still = left.exists();
    let _ = std::fs::remove_dir(&left);
    // Stopped before any assertion: a panic would kill the held guard, then the consumer.
    consumer.signal(libc::SIGTERM);
    let e = consumer.end(Duration::from_secs(30));
    assert!(e.status.success(), "{}", e.stderr);
    assert_eq!(
        status.code(),
        Some(2),
        "not its parent: it acts as no guard"
    );
    assert!(!still, "{} is left behind", left.display());
}
