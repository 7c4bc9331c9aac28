//! The one progress line: `produce: 41000/100000 tasks (82000/s)` redrawn in place on stderr,
//! at most ten times a second, only on a terminal, and cleared before anything else is said.

use std::io::{self, Write};
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(100);

pub struct Progress {
    on: bool,
    label: String,
    of: Option<u64>,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub(super) fn new(on: bool, label: &str, of: Option<u64>) -> Progress {
        Progress {
            on,
            label: label.to_string(),
            of,
            started: Instant::now(),
            last: None,
        }
    }

    /// Shows `n` done so far, unless the line was drawn less than a tenth of a second ago.
    pub fn show(&mut self, n: u64) {
        if !self.on || self.last.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let rate = n as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        let of = self.of.map(|of| format!("/{of}")).unwrap_or_default();
        let _ = write!(
            io::stderr().lock(),
            "\r\x1b[2K{} {n}{of} tasks ({rate:.0}/s)",
            self.label
        );
    }

    /// Clears the line, if one was drawn.
    pub fn clear(&mut self) {
        if self.on && self.last.is_some() {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            self.last = None;
        }
    }
}
