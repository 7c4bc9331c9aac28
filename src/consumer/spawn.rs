//! Starting an `--exec` handler the way posix_spawn(3) does, with the one thing posix_spawn
//! cannot do: the kernel's parent-death signal (PR_SET_PDEATHSIG), so that a consumer killed
//! with SIGKILL takes its handlers' shells with it at once (what they started is the guard's:
//! `guard`). std's `Command` needs `pre_exec` for that, which
//! makes it fork(2): a copy of rpq's page tables, every page of it write-protected (a TLB
//! shootdown on every core the consumer's threads run on), and copy-on-write faults until the
//! child execs. Measured, that fork was most of a task's overhead (benches/README.md). Here the
//! child shares rpq's memory and rpq's thread waits until it has exec'd
//! (`clone(CLONE_VM | CLONE_VFORK)`, as glibc's posix_spawn), so nothing is copied.
//!
//! The child runs on a stack of its own, in memory it shares with rpq: between clone and exec
//! it calls only async-signal-safe functions on what the parent prepared (no allocation, no
//! lock), and writes nothing but its own stack and one errno slot the parent reads after.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicI32, Ordering};

/// The child's stack: the few frames of `child` and of execve's wrapper.
const STACK: usize = 64 * 1024;

pub use crate::output::HandlerOut as Stdout;

/// A started handler: its pid (also its process group's id) and rpq's ends of its pipes.
pub struct Spawned {
    pub pid: i32,
    pub stdin: OwnedFd,
    pub stdout: Option<OwnedFd>,
    pub stderr: OwnedFd,
}

/// The environment a handler starts from: rpq's, without the variables `remove` names, with
/// `add` set; per task, `spawn` adds a few more.
pub struct BaseEnv(Vec<CString>);

impl BaseEnv {
    pub fn new(remove: &[&str], add: &[(&str, &str)]) -> BaseEnv {
        let mut vars: Vec<CString> = Vec::new();
        for (k, v) in std::env::vars_os() {
            let named = |n: &&str| OsStr::new(n) == k.as_os_str();
            if remove.iter().any(named) || add.iter().any(|(n, _)| OsStr::new(n) == k) {
                continue;
            }
            if let Ok(kv) = pair(&k, &v) {
                vars.push(kv);
            }
        }
        for (k, v) in add {
            if let Ok(kv) = pair(OsStr::new(k), OsStr::new(v)) {
                vars.push(kv);
            }
        }
        BaseEnv(vars)
    }
}

fn pair(k: &OsStr, v: &OsStr) -> io::Result<CString> {
    let mut b = k.as_bytes().to_vec();
    b.push(b'=');
    b.extend_from_slice(v.as_bytes());
    CString::new(b).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "nul byte found"))
}

/// What the child needs, prepared by the parent: nothing in it is allocated after clone.
struct Plan {
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    /// (fd in the child, fd to dup onto it)
    dups: [(RawFd, RawFd); 3],
    n_dups: usize,
    parent: libc::pid_t,
    errno: AtomicI32,
}

/// Starts `sh -c command` (`shell` is sh's path) in a process group of its own, with the task
/// JSON's pipe on stdin, stderr piped, stdout as `stdout` says, the environment `base` and
/// `vars`, and SIGKILL as its parent-death signal.
pub fn spawn(
    shell: &str,
    command: &str,
    base: &BaseEnv,
    vars: &[(&str, &str)],
    stdout: Stdout,
) -> io::Result<Spawned> {
    let nul = |_| io::Error::new(io::ErrorKind::InvalidInput, "nul byte found in a value");
    let path = CString::new(shell).map_err(nul)?;
    let args = [
        CString::new("sh").map_err(nul)?,
        CString::new("-c").map_err(nul)?,
        CString::new(command).map_err(nul)?,
    ];
    let mut env: Vec<CString> = Vec::with_capacity(base.0.len() + vars.len());
    let own: Vec<CString> = vars
        .iter()
        .map(|(k, v)| pair(OsStr::new(k), OsStr::new(v)))
        .collect::<io::Result<_>>()?;
    env.extend(own);
    for kv in &base.0 {
        let name = kv.as_bytes().split(|&b| b == b'=').next().unwrap_or(b"");
        if !vars.iter().any(|(k, _)| k.as_bytes() == name) {
            env.push(kv.clone());
        }
    }
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).collect();
    envp.push(std::ptr::null());

    let (stdin_r, stdin_w) = pipe()?;
    let (stderr_r, stderr_w) = pipe()?;
    let (stdout_r, stdout_child) = match stdout {
        Stdout::Inherit => (None, None),
        Stdout::Fd(fd) => (None, Some(fd)),
        Stdout::Piped => {
            let (r, w) = pipe()?;
            (Some(r), Some(w))
        }
    };
    let mut dups = [(0, stdin_r.as_raw_fd()), (2, stderr_w.as_raw_fd()), (1, -1)];
    let mut n_dups = 2;
    if let Some(fd) = &stdout_child {
        dups[2] = (1, fd.as_raw_fd());
        n_dups = 3;
    }
    let plan = Plan {
        path: path.as_ptr(),
        argv: argv.as_ptr(),
        envp: envp.as_ptr(),
        dups,
        n_dups,
        // SAFETY: getpid has no preconditions.
        parent: unsafe { libc::getpid() },
        errno: AtomicI32::new(0),
    };
    let mut stack = vec![0u8; STACK];
    // SAFETY: the stack grows down from its end, aligned to 16 as the ABIs want; it lives until
    // clone returns, which with CLONE_VFORK is after the child has exec'd or exited.
    let top = unsafe { stack.as_mut_ptr().add(STACK) as usize & !15 } as *mut libc::c_void;
    // No signal handler of rpq's may run in the child, on memory the two share: every signal
    // is blocked from before clone until the child has set its handlers to the default.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: plain libc calls on sigsets of this frame; `plan` outlives the child's use of it
    // (the parent is suspended until the child execs or exits).
    let pid = unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let pid = libc::clone(
            child,
            top,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            &plan as *const Plan as *mut libc::c_void,
        );
        let clone_errno = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        if pid < 0 {
            return Err(clone_errno);
        }
        pid
    };
    drop(stack);
    let errno = plan.errno.load(Ordering::SeqCst);
    if errno != 0 {
        // It never became the handler: reap it, and say why.
        let mut status = 0;
        // SAFETY: waitpid on our own child, which has exited.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        return Err(io::Error::from_raw_os_error(errno));
    }
    drop((stdin_r, stderr_w, stdout_child));
    Ok(Spawned {
        pid,
        stdin: stdin_w,
        stdout: stdout_r,
        stderr: stderr_r,
    })
}

/// The child, between clone and exec: async-signal-safe calls only, on the parent's `Plan`.
extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the parent's `Plan`, alive while the parent waits (CLONE_VFORK); every
    // call below is async-signal-safe and allocates nothing.
    unsafe {
        let plan = &*(arg as *const Plan);
        // Handlers of rpq's (signal-hook's, for SIGINT and SIGTERM) go back to the default, and
        // SIGPIPE, which Rust ignores, too: a handler gets the dispositions a shell expects.
        let mut sa: libc::sigaction = std::mem::zeroed();
        for sig in 1..libc::SIGRTMAX() {
            if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                continue;
            }
            if libc::sigaction(sig, std::ptr::null(), &mut sa) != 0 {
                continue;
            }
            if sa.sa_sigaction != libc::SIG_DFL
                && (sa.sa_sigaction != libc::SIG_IGN || sig == libc::SIGPIPE)
            {
                let mut dfl: libc::sigaction = std::mem::zeroed();
                dfl.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig, &dfl, std::ptr::null_mut());
            }
        }
        if libc::setpgid(0, 0) != 0 {
            return fail(plan);
        }
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // The parent may have died before prctl: then we are already orphaned.
        if libc::getppid() != plan.parent {
            libc::_exit(1);
        }
        for &(to, from) in &plan.dups[..plan.n_dups] {
            if from == to {
                // Already in place: only its close-on-exec flag must go.
                let flags = libc::fcntl(to, libc::F_GETFD);
                if flags < 0 || libc::fcntl(to, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                    return fail(plan);
                }
            } else if libc::dup2(from, to) < 0 {
                return fail(plan);
            }
        }
        let empty: libc::sigset_t = {
            let mut s = std::mem::zeroed();
            libc::sigemptyset(&mut s);
            s
        };
        libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        libc::execve(plan.path, plan.argv, plan.envp);
        fail(plan)
    }
}

/// Tells the parent why (errno), and ends the child.
unsafe fn fail(plan: &Plan) -> libc::c_int {
    plan.errno.store(
        io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
        Ordering::SeqCst,
    );
    libc::_exit(127)
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
