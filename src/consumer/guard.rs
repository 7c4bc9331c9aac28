//! The guard: what ends every process a consumer's handlers started, whatever ends the consumer
//! (kill -9 of it or of its process group, a panic, an exit), before their tasks can run again
//! elsewhere (SPEC 16). The kernel's parent-death signal reaches a handler's shell alone, and a
//! process group misses what calls `setsid`; so:
//!
//! - Where a cgroup v2 hierarchy is writable (as root; under systemd with `Delegate=yes`), the
//!   consumer moves itself into a cgroup of its own, a child of its current one, before any
//!   handler starts: every process its handlers start is born in it and cannot leave it without
//!   the rights to write elsewhere in the hierarchy. Nothing is added to a handler's start.
//! - Every handler also carries a mark in its environment ([`MARK_ENV`]), unique to this
//!   consumer, which its descendants inherit unless they clear their environment; where there
//!   is no cgroup it is how they are found (through `/proc/*/environ`, for this user's processes).
//! - The guard is a small process of its own (this binary, started once with `__guard`): not in
//!   the consumer's process group or session, deaf to SIGINT, SIGTERM and SIGHUP, connected to
//!   no Redis. It waits for the end of a pipe whose write end only the consumer holds
//!   (close-on-exec: no handler inherits it), which comes when the consumer is gone, however it
//!   went. Then it kills the cgroup (`cgroup.kill`), and every marked process until none is left,
//!   removes the cgroup, and exits. A consumer that stops by itself first moves back to its old
//!   cgroup, then closes the pipe and waits for the guard, so that nothing it started outlives
//!   its exit.
//!
//! One guard serves a process: `rpq bench` runs several engines in one.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// The variable that marks a handler and everything it starts as this consumer's.
pub const MARK_ENV: &str = "RPQ_CONSUMER_MARK";

/// The first argument that makes this binary a guard (not a command: clap never sees it).
const GUARD_ARG: &str = "__guard";

/// How long a guard may take to say it is ready, and to finish once told to.
const GUARD_WAIT: Duration = Duration::from_secs(10);

/// How long the guard waits for what it killed to be gone before it removes the cgroup.
const REAP_WAIT: Duration = Duration::from_secs(5);

/// This process's mark: its pid, and randomness that no other process's shares.
pub fn mark() -> &'static str {
    static MARK: OnceLock<String> = OnceLock::new();
    MARK.get_or_init(|| format!("{}.{:016x}", std::process::id(), rand::random::<u64>()))
}

/// The guard of this process, started by the first engine with handlers and ended with the last.
pub struct Guard {
    child: Child,
    /// The write end of the guard's stdin: closed, it tells the guard the consumer is gone.
    pipe: Option<OwnedFd>,
    cgroup: Option<Cgroup>,
    /// Set before the consumer tells its guard to end: an end before that is a loss.
    ending: Arc<AtomicBool>,
}

/// The guard this process holds, started if no engine holds one. Without one (no way to start
/// it) handlers still run, with the parent-death signal and their process groups alone; a
/// warning says so once.
pub fn hold() -> Option<Arc<Guard>> {
    static SHARED: Mutex<Weak<Guard>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(g) = shared.upgrade() {
        return Some(g);
    }
    match Guard::start() {
        Ok(g) => {
            let g = Arc::new(g);
            *shared = Arc::downgrade(&g);
            Some(g)
        }
        Err(e) => {
            crate::log::Event::warn(
                "no_guard",
                format!(
                    "cannot start the guard that ends what handlers leave running if this \
                     consumer is killed ({e}); only each handler's own shell dies with it"
                ),
            )
            .with("error", e.to_string())
            .emit();
            None
        }
    }
}

impl Guard {
    fn start() -> io::Result<Guard> {
        let (read, write) = pipe()?;
        let cgroup = Cgroup::create();
        let dir = cgroup
            .as_ref()
            .map_or_else(|| OsString::from("-"), |c| c.dir.clone().into_os_string());
        // /proc/self/exe is this binary even if its file was replaced or removed since.
        let mut child = Command::new("/proc/self/exe")
            .arg0("rpq")
            .arg(GUARD_ARG)
            .arg(mark())
            .arg(dir)
            // It needs none, and must not carry the mark of an rpq whose handler started this
            // consumer: that rpq's guard would kill this one's guard with the handler.
            .env_clear()
            .stdin(Stdio::from(read))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .inspect_err(|_| {
                if let Some(c) = &cgroup {
                    let _ = fs::remove_dir(&c.dir);
                }
            })?;
        let ready = match child.stdout.take() {
            Some(out) => await_ready(&OwnedFd::from(out)),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        };
        if let Err(e) = ready {
            let _ = child.kill();
            let _ = child.wait();
            if let Some(c) = &cgroup {
                let _ = fs::remove_dir(&c.dir);
            }
            return Err(e);
        }
        // Only now: the guard stays where it was, outside what it will kill.
        let cgroup = cgroup.filter(|c| c.enter().is_ok());
        let ending = Arc::new(AtomicBool::new(false));
        if let Some(fd) = pidfd_open(child.id() as i32) {
            watch(fd, child.id(), Arc::clone(&ending));
        }
        Ok(Guard {
            child,
            pipe: Some(write),
            cgroup,
            ending,
        })
    }
}

impl Drop for Guard {
    /// The consumer stops by itself: back to its old cgroup (or the guard would kill it too),
    /// then the guard does its work and is waited for.
    fn drop(&mut self) {
        self.ending.store(true, Ordering::SeqCst);
        if self.cgroup.as_ref().is_some_and(|c| c.leave().is_err()) {
            // Still inside: the pipe must stay open until this process is gone.
            std::mem::forget(self.pipe.take());
            return;
        }
        let exit = pidfd_open(self.child.id() as i32);
        drop(self.pipe.take());
        match exit {
            Some(fd) => {
                wait_readable(&fd, GUARD_WAIT);
            }
            // No pidfds (before Linux 5.3): short looks, bounded as well.
            None => {
                let end = Instant::now() + GUARD_WAIT;
                while Instant::now() < end && matches!(self.child.try_wait(), Ok(None)) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        // A guard killed earlier (said then) did none of its work: out of the cgroup now, this
        // process does it itself.
        if let Ok(Some(status)) = self.child.try_wait() {
            if !status.success() {
                if let Some(c) = &self.cgroup {
                    kill_cgroup(&c.dir);
                }
                kill_marked(mark());
                if let Some(c) = &self.cgroup {
                    remove_cgroup(&c.dir);
                }
            }
        }
    }
}

/// A guard that ends while its consumer runs (someone killed it) can end nothing when the
/// consumer is killed: said once, from a thread that waits on its pidfd and nothing else.
fn watch(pidfd: OwnedFd, pid: u32, ending: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new()
        .name("guard-watch".into())
        .spawn(move || {
            let mut p = libc::pollfd {
                fd: pidfd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one pollfd on this stack frame, its count given; no timeout.
            while unsafe { libc::poll(&mut p, 1, -1) } < 0 {
                if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    return;
                }
            }
            if !ending.load(Ordering::SeqCst) {
                crate::log::Event::warn(
                    "guard_lost",
                    format!(
                        "the guard of this consumer (pid {pid}) is gone: if the consumer is \
                         killed now, what its handlers started runs on"
                    ),
                )
                .emit();
            }
        });
    // Without the thread the consumer just goes unwarned.
    drop(spawned);
}

/// Waits for the guard's one byte that says it is ready (in its own session, deaf to signals).
fn await_ready(fd: &OwnedFd) -> io::Result<()> {
    if !wait_readable(fd, GUARD_WAIT) {
        return Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the guard did not start",
        ));
    }
    let mut b = [0u8; 1];
    // SAFETY: a read of one byte into this frame's buffer from an fd we own.
    let got = unsafe { libc::read(fd.as_raw_fd(), b.as_mut_ptr().cast(), 1) };
    if got == 1 && b[0] == b'r' {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "the guard did not start",
        ))
    }
}

/// This process is a guard when started as one: runs it and returns its exit code.
pub fn run_if_asked() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_none_or(|a| a != GUARD_ARG) {
        return None;
    }
    let (Some(mark), Some(dir)) = (args.get(2).and_then(|m| m.to_str()), args.get(3)) else {
        return Some(ExitCode::from(2));
    };
    let dir = (dir != "-").then(|| PathBuf::from(dir));
    // Only as its consumer starts it: the mark begins with the consumer's pid, the cgroup is
    // named after it, and the consumer is the parent. A guard started by hand could otherwise
    // be pointed at any cgroup.
    // SAFETY: getppid has no preconditions.
    let parent = unsafe { libc::getppid() }.to_string();
    let ours = mark.split_once('.').is_some_and(|(pid, _)| pid == parent)
        && dir.as_ref().is_none_or(|d| {
            d.file_name()
                .is_some_and(|n| n.to_str() == Some(&format!("rpq-{parent}")))
        });
    if !ours {
        // A consumer killed while its guard was starting made the cgroup and left it to a guard
        // that can no longer tell it is its own. Empty (rmdir refuses any other) and named after
        // a consumer that is gone, it is nobody's: removed, or it is left behind for good.
        let gone = mark
            .split_once('.')
            .and_then(|(pid, _)| pid.parse::<i32>().ok());
        if let (Some(pid), Some(d)) = (gone, &dir) {
            // A zombie is gone too: killed, and not yet waited for by its own parent.
            let exists = fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|st| {
                st.rfind(')')
                    .and_then(|i| st[i + 1..].trim_start().chars().next())
                    .is_some_and(|state| !matches!(state, 'Z' | 'X'))
            });
            if pid > 0
                && !exists
                && d.file_name().and_then(|n| n.to_str()) == Some(&format!("rpq-{pid}"))
            {
                let _ = fs::remove_dir(d);
            }
        }
        return Some(ExitCode::from(2));
    }
    Some(guard(mark, dir.as_deref()))
}

/// The guard's life: ready, wait for the consumer's end, end what its handlers left.
fn guard(mark: &str, cgroup: Option<&Path>) -> ExitCode {
    // SAFETY: plain libc calls at the start of a process with one thread.
    unsafe {
        // Out of the consumer's process group and session: a kill of the group, or a
        // terminal's hangup, does not reach the guard.
        libc::setsid();
        for sig in [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGPIPE,
        ] {
            libc::signal(sig, libc::SIG_IGN);
        }
    }
    // Fd 1 is not a terminal but the consumer's end of a pipe, read once for this byte: a
    // message between the two, not output (the guard prints nothing).
    // SAFETY: a write of one byte from a static buffer; then fd 1 is replaced with /dev/null.
    unsafe {
        if libc::write(1, b"r".as_ptr().cast(), 1) != 1 {
            return ExitCode::FAILURE;
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if null >= 0 {
            libc::dup2(null, 1);
            libc::close(null);
        }
    }
    let mut buf = [0u8; 64];
    let mut stdin = io::stdin();
    loop {
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    if let Some(dir) = cgroup {
        kill_cgroup(dir);
    }
    kill_marked(mark);
    if let Some(dir) = cgroup {
        remove_cgroup(dir);
    }
    ExitCode::SUCCESS
}

/// A cgroup of this consumer's own, and the one it came from.
struct Cgroup {
    dir: PathBuf,
    home: PathBuf,
}

impl Cgroup {
    /// Makes `rpq-PID` under this process's cgroup v2; None where there is none to write to.
    fn create() -> Option<Cgroup> {
        let home = own_cgroup()?;
        let dir = home.join(format!("rpq-{}", std::process::id()));
        if let Err(e) = fs::create_dir(&dir) {
            // Left by an earlier process of this pid whose guard was killed: empty, or not ours.
            if e.kind() != io::ErrorKind::AlreadyExists || fs::remove_dir(&dir).is_err() {
                return None;
            }
            fs::create_dir(&dir).ok()?;
        }
        Some(Cgroup { dir, home })
    }

    fn enter(&self) -> io::Result<()> {
        move_self(&self.dir).inspect_err(|_| {
            let _ = fs::remove_dir(&self.dir);
        })
    }

    fn leave(&self) -> io::Result<()> {
        move_self(&self.home)
    }
}

fn move_self(dir: &Path) -> io::Result<()> {
    fs::write(dir.join("cgroup.procs"), std::process::id().to_string())
}

/// The directory of this process's cgroup v2, from /proc/self/cgroup and where the hierarchy
/// is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system).
fn own_cgroup() -> Option<PathBuf> {
    let cgroups = fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroups.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mounts = fs::read_to_string("/proc/self/mountinfo").ok()?;
    for line in mounts.lines() {
        let (before, after) = line.split_once(" - ")?;
        if after.split(' ').next() != Some("cgroup2") {
            continue;
        }
        let f: Vec<&str> = before.split(' ').collect();
        let (Some(root), Some(at)) = (f.get(3), f.get(4)) else {
            continue;
        };
        // Octal escapes (a space in a path) are not worth decoding: no cgroup then.
        if at.contains('\\') || root.contains('\\') {
            return None;
        }
        let rel = path.strip_prefix(root.trim_end_matches('/'))?;
        let dir = PathBuf::from(at).join(rel.trim_start_matches('/'));
        return dir.is_dir().then_some(dir);
    }
    None
}

/// SIGKILL to everything in the cgroup and below: at once with `cgroup.kill` (Linux 5.14), else
/// process by process until none is left.
fn kill_cgroup(dir: &Path) {
    if fs::write(dir.join("cgroup.kill"), "1").is_ok() {
        return;
    }
    let end = Instant::now() + REAP_WAIT;
    while Instant::now() < end {
        let pids = procs_below(dir);
        if pids.is_empty() {
            return;
        }
        for pid in pids {
            // SAFETY: kill(2) has no memory effects.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        // What was killed takes a moment to leave the list; a fork meanwhile is in the next.
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn procs_below(dir: &Path) -> Vec<i32> {
    let mut pids: Vec<i32> = fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    for sub in subdirs(dir) {
        pids.extend(procs_below(&sub));
    }
    pids
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}

/// Once what it held is gone, removes the cgroup (and any a handler made inside it).
fn remove_cgroup(dir: &Path) {
    let end = Instant::now() + REAP_WAIT;
    while Instant::now() < end {
        if populated(dir) == Some(false) {
            break;
        }
        // cgroup.events signals a change as an exceptional condition (POLLPRI).
        if let Ok(f) = fs::File::open(dir.join("cgroup.events")) {
            let mut p = libc::pollfd {
                fd: f.as_raw_fd(),
                events: libc::POLLPRI,
                revents: 0,
            };
            // SAFETY: one pollfd on this stack frame, its count given.
            unsafe { libc::poll(&mut p, 1, 50) };
        } else {
            break;
        }
    }
    remove_tree(dir);
}

fn populated(dir: &Path) -> Option<bool> {
    let events = fs::read_to_string(dir.join("cgroup.events")).ok()?;
    let line = events.lines().find_map(|l| l.strip_prefix("populated "))?;
    Some(line.trim() != "0")
}

fn remove_tree(dir: &Path) {
    for sub in subdirs(dir) {
        remove_tree(&sub);
    }
    let _ = fs::remove_dir(dir);
}

/// SIGKILL to every process whose environment carries `mark`, pass after pass until a pass
/// finds none that is new (what a marked process forked meanwhile is found by the next).
/// Each is held by a pidfd from before its environment is read, so a pid that is reused
/// meanwhile is never signalled. Returns how many it killed.
pub fn kill_marked(mark: &str) -> usize {
    let needle = format!("{MARK_ENV}={mark}\0").into_bytes();
    let me = std::process::id() as i32;
    let mut killed: HashMap<i32, Option<OwnedFd>> = HashMap::new();
    for _ in 0..1000 {
        let mut new = 0;
        let Ok(entries) = fs::read_dir("/proc") else {
            break;
        };
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            if pid == me {
                continue;
            }
            // Killed already and not yet gone: the same process, dying.
            if let Some(fd) = killed.get(&pid) {
                if fd.as_ref().is_none_or(|fd| !exited(fd)) {
                    continue;
                }
            }
            let fd = pidfd_open(pid);
            let Ok(env) = fs::read(format!("/proc/{pid}/environ")) else {
                continue;
            };
            if !has_var(&env, &needle) {
                continue;
            }
            match &fd {
                // SAFETY: pidfd_send_signal on a pidfd we own, no siginfo.
                Some(fd) => unsafe {
                    libc::syscall(
                        libc::SYS_pidfd_send_signal,
                        fd.as_raw_fd(),
                        libc::SIGKILL,
                        std::ptr::null::<libc::siginfo_t>(),
                        0,
                    );
                },
                // SAFETY: kill(2) has no memory effects.
                None => unsafe {
                    libc::kill(pid, libc::SIGKILL);
                },
            }
            killed.insert(pid, fd);
            new += 1;
        }
        if new == 0 {
            break;
        }
    }
    killed.len()
}

/// Whether `env` (NUL-separated, as /proc/PID/environ) has the entry `needle` (with its NUL).
fn has_var(env: &[u8], needle: &[u8]) -> bool {
    env.starts_with(needle)
        || env
            .windows(needle.len() + 1)
            .any(|w| w[0] == 0 && &w[1..] == needle)
}

fn exited(pidfd: &OwnedFd) -> bool {
    wait_readable(pidfd, Duration::ZERO)
}

/// Whether `fd` becomes readable (a pidfd: its process exited) within `limit`.
fn wait_readable(fd: &OwnedFd, limit: Duration) -> bool {
    let mut p = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let end = Instant::now() + limit;
    loop {
        let ms = end.saturating_duration_since(Instant::now()).as_millis() as i32;
        // SAFETY: one pollfd on this stack frame, its count given.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return n > 0;
        }
    }
}

/// A pidfd for `pid` (Linux 5.3 and later); None where there is none (the wait then falls back
/// to short sleeps between looks).
#[cfg(target_os = "linux")]
pub fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1; nothing is borrowed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the fd was just returned to us by the kernel and is owned by nobody else.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

#[cfg(not(target_os = "linux"))]
pub fn pidfd_open(_: i32) -> Option<OwnedFd> {
    None
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two fds into the array of two.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds were just made for us.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_found_whole_and_only_whole() {
        let n = b"RPQ_CONSUMER_MARK=1.ab\0";
        assert!(has_var(b"RPQ_CONSUMER_MARK=1.ab\0A=b\0", n));
        assert!(has_var(b"A=b\0RPQ_CONSUMER_MARK=1.ab\0", n));
        assert!(!has_var(b"A=b\0RPQ_CONSUMER_MARK=1.abc\0", n));
        assert!(!has_var(b"XRPQ_CONSUMER_MARK=1.ab\0", n));
        assert!(!has_var(b"A=RPQ_CONSUMER_MARK=1.ab\0", n));
    }

    /// Where there is no cgroup, the mark alone finds what a handler started, setsid'ed and
    /// orphaned ones too.
    #[test]
    fn marked_processes_are_killed_even_in_a_session_of_their_own() {
        let mark = format!("test.{:016x}", rand::random::<u64>());
        let dir = std::env::temp_dir().join(format!("rpq-mark-{mark}"));
        fs::create_dir_all(&dir).unwrap();
        let pids = dir.join("pids");
        // A background child, a setsid one, and a double-forked one; the shell then exits.
        let script = r#"
            sleep 300 & echo $! >> "$1"
            setsid sh -c 'echo $$ >> "$1"; exec sleep 300' - "$1" &
            sh -c 'sh -c "echo \$\$ >> \"\$1\"; exec sleep 300" - "$1" &' - "$1"
            while [ "$(wc -l < "$1")" -lt 3 ]; do sleep 0.01; done
        "#;
        let status = Command::new("/bin/sh")
            .args(["-c", script, "-"])
            .arg(&pids)
            .env(MARK_ENV, &mark)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let pids: Vec<i32> = fs::read_to_string(&pids)
            .unwrap()
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect();
        assert_eq!(pids.len(), 3);
        let fds: Vec<OwnedFd> = pids.iter().filter_map(|&p| pidfd_open(p)).collect();
        assert_eq!(fds.len(), 3, "every child runs before the kill");
        let killed = kill_marked(&mark);
        let end = Instant::now() + Duration::from_secs(10);
        while !fds.iter().all(exited) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
        let left = fds.iter().filter(|f| !exited(f)).count();
        let _ = fs::remove_dir_all(&dir);
        assert_eq!((killed, left), (3, 0));
    }
}
