//! Lines from a file descriptor (stdin for `produce --stdin`), read so that the caller stays in
//! charge of time: a wait for the next line has a limit, so a signal or an idle stream is
//! noticed while the writer is silent, and bytes are handed out as they are, so a line that is
//! not UTF-8 is the caller's to report like any other bad line. Owns no policy about batches.

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// Bytes asked of the kernel per read.
const CHUNK: usize = 64 * 1024;

/// After a stop, at most this much more is read from a pipe (what its writer had already
/// written; a pipe holds 64 KiB by default and 1 MiB at most unless raised by root).
const DRAIN_CAP: usize = 4 * 1024 * 1024;

/// What waiting for a line gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<'a> {
    /// A line without its newline (the last one of the input may have had none).
    Line(&'a [u8]),
    /// Nothing complete arrived within the wait.
    Idle,
    /// The input is at its end and every line was handed out.
    End,
}

pub struct LineReader {
    fd: RawFd,
    buf: Vec<u8>,
    /// Where the bytes not yet handed out begin.
    start: usize,
    eof: bool,
    /// Reads made so far: lines served between two reads came at once.
    reads: u64,
}

impl LineReader {
    /// Lines of stdin.
    pub fn stdin() -> LineReader {
        LineReader::from_fd(libc::STDIN_FILENO)
    }

    /// Lines of an open descriptor, which stays the caller's to close.
    pub fn from_fd(fd: RawFd) -> LineReader {
        LineReader {
            fd,
            buf: Vec::with_capacity(CHUNK),
            start: 0,
            eof: false,
            reads: 0,
        }
    }

    /// The next line, waiting for it at most `wait` (zero: only what can be read at once).
    pub fn next(&mut self, wait: Duration) -> io::Result<Next<'_>> {
        self.next_within(|| wait)
    }

    /// The same, with the wait worked out only if there is one to make: fast input is served
    /// from the buffer without a look at the clock.
    pub fn next_within(&mut self, wait: impl FnOnce() -> Duration) -> io::Result<Next<'_>> {
        let mut wait = Some(wait);
        let mut until: Option<Instant> = None;
        loop {
            if let Some(line) = self.complete_line() {
                return Ok(Next::Line(&self.buf[line]));
            }
            if self.eof {
                return Ok(Next::End);
            }
            let until = *until.get_or_insert_with(|| {
                let w = wait.take().map_or(Duration::ZERO, |f| f());
                Instant::now() + w
            });
            let left = until.saturating_duration_since(Instant::now());
            if !self.readable(left)? {
                return Ok(Next::Idle);
            }
            self.fill()?;
        }
    }

    /// The next line already read, without reading more (after a stop).
    pub fn next_buffered(&mut self) -> Option<&[u8]> {
        self.complete_line().map(|line| &self.buf[line])
    }

    /// Hands out the next complete line of the buffer (at the end of the input, also the last
    /// one without a newline) and returns where it lies.
    fn complete_line(&mut self) -> Option<std::ops::Range<usize>> {
        let rest = &self.buf[self.start..];
        let (len, skip) = match memchr::memchr(b'\n', rest) {
            Some(n) => (n, n + 1),
            None if self.eof && !rest.is_empty() => (rest.len(), rest.len()),
            None => return None,
        };
        let line = self.start..self.start + len;
        self.start += skip;
        Some(line)
    }

    /// Called on a stop: takes in what the writer has already written, without waiting for
    /// more, so that every complete line sent before the stop is handed out by `next`. From a
    /// pipe or a terminal that is what can be read at once (up to 4 MiB); a regular file always
    /// has more, so from one it is only the rest of the line under way.
    pub fn take_what_was_sent(&mut self) -> io::Result<()> {
        self.compact();
        if self.is_regular_file() {
            // The line under way begins after the last newline read so far.
            let from = self
                .buf
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            while !self.eof && from < self.buf.len() && !self.buf[from..].contains(&b'\n') {
                self.fill()?;
            }
            // What was read past that line's end is given back to the file, so its offset
            // points at the first line not read (for whatever reads stdin next).
            if let Some(p) = memchr::memchr(b'\n', &self.buf[from..]) {
                let end = from + p + 1;
                let extra = (self.buf.len() - end) as libc::off_t;
                self.buf.truncate(end);
                // SAFETY: lseek moves the file offset of a descriptor we read from; no memory.
                unsafe {
                    libc::lseek(self.fd, -extra, libc::SEEK_CUR);
                }
            }
            return Ok(());
        }
        let mut taken = 0;
        while !self.eof && taken < DRAIN_CAP && self.readable(Duration::ZERO)? {
            taken += self.fill()?;
        }
        Ok(())
    }

    /// The bytes of a line begun but not ended (no newline yet), once every complete line was
    /// handed out; what is left over when reading stops before the input's end.
    pub fn unfinished(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// How many reads were made so far: a caller that checks a clock per line can do so only
    /// when this moved, since lines served from the buffer in between arrived together.
    pub fn reads(&self) -> u64 {
        self.reads
    }

    /// Whether the input reached its end.
    pub fn at_end(&self) -> bool {
        self.eof && self.start == self.buf.len()
    }

    fn is_regular_file(&self) -> bool {
        // SAFETY: fstat writes into a stat struct on this stack frame.
        unsafe {
            let mut st = std::mem::zeroed::<libc::stat>();
            libc::fstat(self.fd, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFREG
        }
    }

    /// Whether a read would not block, waiting at most `wait`.
    fn readable(&self, wait: Duration) -> io::Result<bool> {
        let mut p = libc::pollfd {
            fd: self.fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis().min(i32::MAX as u128) as i32;
        loop {
            // SAFETY: one pollfd on this stack frame, its count given.
            let r = unsafe { libc::poll(&mut p, 1, ms) };
            if r >= 0 {
                // POLLHUP (the writer left) and POLLERR also mean a read returns at once.
                return Ok(r > 0);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Moves the bytes not yet handed out to the front of the buffer.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// One read into the buffer; returns how many bytes came (0 at the end of the input, which
    /// is then marked).
    fn fill(&mut self) -> io::Result<usize> {
        self.compact();
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        let n = loop {
            // SAFETY: reads at most CHUNK bytes into the CHUNK bytes just added to the buffer.
            let r = unsafe { libc::read(self.fd, self.buf[len..].as_mut_ptr().cast(), CHUNK) };
            if r >= 0 {
                break r as usize;
            }
            let e = io::Error::last_os_error();
            match e.kind() {
                io::ErrorKind::Interrupted => continue,
                // A descriptor left non-blocking by whoever opened it: nothing yet, not the end.
                io::ErrorKind::WouldBlock => {
                    self.buf.truncate(len);
                    return Ok(0);
                }
                _ => {
                    self.buf.truncate(len);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(len + n);
        self.eof |= n == 0;
        self.reads += 1;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    fn pipe() -> (OwnedFd, std::fs::File) {
        let mut fds = [0; 2];
        // Close-on-exec: a child another test starts meanwhile must not hold the writing end
        // open, or the end of the input would never come.
        // SAFETY: pipe2 writes two descriptors into the array, which we then own.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        unsafe {
            (
                OwnedFd::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        }
    }

    fn line(n: Next<'_>) -> Option<Vec<u8>> {
        match n {
            Next::Line(l) => Some(l.to_vec()),
            _ => None,
        }
    }

    #[test]
    fn lines_come_as_bytes_and_a_silent_writer_is_idle_not_an_end() {
        let (r, mut w) = pipe();
        let mut lines = LineReader::from_fd(r.as_raw_fd());
        w.write_all(b"one\n\xff\xfe\ntw").unwrap();
        let z = Duration::from_millis(20);
        assert_eq!(line(lines.next(z).unwrap()).unwrap(), b"one");
        assert_eq!(line(lines.next(z).unwrap()).unwrap(), b"\xff\xfe");
        assert_eq!(lines.next(z).unwrap(), Next::Idle);
        assert_eq!(lines.unfinished(), b"tw");
        w.write_all(b"o\nlast").unwrap();
        drop(w);
        assert_eq!(line(lines.next(z).unwrap()).unwrap(), b"two");
        assert_eq!(line(lines.next(z).unwrap()).unwrap(), b"last");
        assert_eq!(lines.next(z).unwrap(), Next::End);
        assert!(lines.at_end());
    }

    #[test]
    fn a_stop_takes_what_a_pipe_holds_and_the_rest_of_a_files_line() {
        let (r, mut w) = pipe();
        let mut lines = LineReader::from_fd(r.as_raw_fd());
        w.write_all(b"a\nb\nc").unwrap();
        lines.take_what_was_sent().unwrap();
        assert_eq!(lines.next_buffered().unwrap(), b"a");
        assert_eq!(lines.next_buffered().unwrap(), b"b");
        assert_eq!(lines.next_buffered(), None);
        assert_eq!(lines.unfinished(), b"c");
        assert!(!lines.at_end());

        let mut f = tempfile::tempfile().unwrap();
        let body: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        f.write_all(&body).unwrap();
        use std::io::Seek;
        f.rewind().unwrap();
        let mut lines = LineReader::from_fd(f.as_raw_fd());
        assert_eq!(
            line(lines.next(Duration::ZERO).unwrap()).unwrap(),
            b"line 0"
        );
        lines.take_what_was_sent().unwrap();
        let mut n = 1;
        while let Some(l) = lines.next_buffered() {
            assert_eq!(l, format!("line {n}").as_bytes());
            n += 1;
        }
        assert!(
            n > 1000 && n < 20_000,
            "{n} lines: a stop reads on to a line's end only"
        );
        assert!(
            lines.unfinished().is_empty(),
            "the line under way was finished"
        );
        // The file is left at the first line not handed out.
        let mut rest = String::new();
        use std::io::Read;
        f.read_to_string(&mut rest).unwrap();
        assert!(rest.starts_with(&format!("line {n}\n")), "{}", &rest[..20]);
    }
}
