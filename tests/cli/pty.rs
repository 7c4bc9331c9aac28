//! A pseudo-terminal for tests of what rpq does only on a terminal: colour, the progress line,
//! notes on stderr, `stats --watch` redrawn in place. The child gets the terminal on the streams
//! asked for; everything it writes there is collected by a reader thread.

#![allow(dead_code)]

use crate::support::{base, Ended, Proc};
use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which of the child's streams are the terminal; the other output streams are piped, and stdin
/// off the terminal is the command's own (`rpq_command` makes it null).
#[derive(Clone, Copy)]
pub struct On {
    pub stdout: bool,
    pub stderr: bool,
    pub stdin: bool,
}

impl On {
    pub const BOTH: On = On {
        stdout: true,
        stderr: true,
        stdin: false,
    };
    pub const STDERR: On = On {
        stdout: false,
        stderr: true,
        stdin: false,
    };
    /// A person at a terminal: what they type (`Pty::type_line`) is the child's stdin.
    pub const ALL: On = On {
        stdout: true,
        stderr: true,
        stdin: true,
    };
}

pub struct Pty {
    proc: Proc,
    screen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    keyboard: File,
}

impl Pty {
    /// Runs `cmd` with a 100x30 terminal on the streams of `on`.
    pub fn spawn(cmd: Command, on: On) -> Pty {
        Pty::spawn_sized(cmd, on, 30, 100)
    }

    /// The same on a terminal of `rows` x `cols`.
    pub fn spawn_sized(mut cmd: Command, on: On, rows: u16, cols: u16) -> Pty {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fds into the out-pointers; the name and termios are null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // Other tests spawn processes from other threads meanwhile; they must not inherit these,
        // or the master would not see the end of our child's output until theirs exits.
        for fd in [master, slave] {
            // SAFETY: fcntl on fds we own.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        // SAFETY: both fds were just opened by openpty and are owned by nobody else.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let term = |yes: bool| {
            if yes {
                Stdio::from(slave.try_clone().unwrap())
            } else {
                Stdio::piped()
            }
        };
        cmd.stdout(term(on.stdout)).stderr(term(on.stderr));
        if on.stdin {
            cmd.stdin(term(true));
        }
        let keyboard = master.try_clone().unwrap();
        let proc = Proc::spawn(&mut cmd);
        // The child holds its own copies; once it exits, reads on the master end with EIO.
        drop(slave);
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&screen);
        let reader = std::thread::spawn(move || {
            let mut master = master;
            let mut buf = [0u8; 4096];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            proc,
            screen,
            reader: Some(reader),
            keyboard,
        }
    }

    /// Types `text` and Enter, as a person would answer a prompt.
    pub fn type_line(&mut self, text: &str) {
        use std::io::Write;
        self.keyboard
            .write_all(format!("{text}\r").as_bytes())
            .unwrap();
    }

    /// Ctrl+D at the start of a line: the end of input for a program reading the terminal.
    pub fn end_input(&mut self) {
        use std::io::Write;
        self.keyboard.write_all(b"\x04").unwrap();
    }

    /// Waits (10 s at most) until the terminal shows `what`.
    pub fn wait_for(&self, what: &str) {
        crate::support::wait_until(Duration::from_secs(10), what, || {
            self.screen().contains(what)
        });
    }

    pub fn signal(&self, sig: i32) {
        self.proc.signal(sig);
    }

    /// What the child wrote to the terminal so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits for the child (at most `limit`) and for the last of its terminal output.
    pub fn finish(self, limit: Duration) -> (Ended, String) {
        let Pty {
            proc,
            screen,
            reader,
            keyboard,
        } = self;
        drop(keyboard);
        let out = proc.end(limit);
        if let Some(r) = reader {
            r.join().unwrap();
        }
        let text = String::from_utf8_lossy(&screen.lock().unwrap()).into_owned();
        (out, text)
    }
}

/// The rpq binary with the environment cleared (as `support::rpq`), for `Pty::spawn`.
pub fn rpq_command(url: &str) -> Command {
    let mut cmd = base();
    cmd.env("TERM", "xterm")
        .stdin(Stdio::null())
        .arg("--url")
        .arg(url);
    cmd
}
