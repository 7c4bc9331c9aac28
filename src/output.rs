//! Every write to stdout: the human blocks of the seed's example and the NDJSON lines.
//! Diagnostics go to stderr through `note`; nothing else in rpq prints.

use crate::queue::{Cleared, DeadTask, Lengths};
use crate::task::{rfc3339, Task};
use chrono::{DateTime, Local, Utc};
use serde::Serialize;
use std::io::{self, Write};
use std::time::Duration;

/// How a consumer finished with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Processed and acknowledged.
    Done,
    /// Failed; queued again after a backoff.
    Retry,
    /// Failed for the last time, or unreadable: in the dead-letter set.
    Dead,
    /// Handed back unprocessed on a second signal.
    Released,
    /// The lease expired before the ack; the task is another consumer's now.
    Lost,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Retry => "retry",
            Outcome::Dead => "dead",
            Outcome::Released => "released",
            Outcome::Lost => "lost",
        }
    }
}

/// One consume result line.
#[derive(Debug, Clone, Serialize)]
pub struct Finished {
    #[serde(flatten)]
    pub task: Task,
    pub consumer: String,
    #[serde(with = "rfc3339")]
    pub claimed_at: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    pub finished_at: DateTime<Utc>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    pub color: bool,
}

impl Output {
    pub fn new(json: bool, color: bool) -> Output {
        Output { json, color }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn priority(&self, p: u8) -> String {
        self.priority_padded(p, 0)
    }

    /// A priority's name, padded to `width` before it is painted, so columns line up in colour.
    pub fn priority_padded(&self, p: u8, width: usize) -> String {
        let (name, code) = priority_style(p);
        self.paint(code, &format!("{name:<width$}"))
    }

    /// `s` in the colour of priority `p`.
    pub fn paint_priority(&self, p: u8, s: &str) -> String {
        self.paint(priority_style(p).1, s)
    }

    /// A JSON line; one write so lines of several threads never interleave.
    pub fn json_line<T: Serialize>(&self, value: &T) -> io::Result<()> {
        let mut line = serde_json::to_string(value).map_err(io::Error::other)?;
        line.push('\n');
        let mut out = io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.flush()
    }

    fn block(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// `[Producer] Generated task:` and its fields.
    pub fn produced(&self, label: &str, task: &Task, queued: bool) -> io::Result<()> {
        if self.json {
            #[derive(Serialize)]
            struct Line<'a> {
                #[serde(flatten)]
                task: &'a Task,
                queued: bool,
            }
            return self.json_line(&Line { task, queued });
        }
        let head = if queued {
            "Generated task:"
        } else {
            "Task already queued, not queued again:"
        };
        self.block(&format!(
            "[{label}] {head}\n  - Task ID: {}\n  - Type: {}\n  - Priority: {}\n  - Created at: {}\n\n",
            task.id,
            task.kind,
            self.priority(task.priority),
            local_time(&task.created_at),
        ))
    }

    /// `[c1] Got task:` and its fields, when a consumer starts on a task.
    pub fn got(&self, consumer: &str, task: &Task) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        let retry = if task.attempt > 1 {
            format!("  - Attempt: {}\n", task.attempt)
        } else {
            String::new()
        };
        self.block(&format!(
            "[{}] Got task:\n  - Task ID: {}\n  - Created at: {}\n  - Type: {}\n  - Priority: {}\n  - Payload: {}\n{retry}\n",
            self.paint("1", consumer),
            task.id,
            local_time(&task.created_at),
            task.kind,
            self.priority(task.priority),
            payload_text(&task.payload),
        ))
    }

    /// The line after a task: how it ended, how long it waited and how long it took. It names
    /// the consumer and the task, as several consumers may share one terminal (the demo).
    pub fn finished(&self, f: &Finished) -> io::Result<()> {
        if self.json {
            return self.json_line(f);
        }
        let waited = (f.claimed_at - f.task.created_at)
            .to_std()
            .unwrap_or_default();
        let took = (f.finished_at - f.claimed_at).to_std().unwrap_or_default();
        let outcome = match f.outcome {
            Outcome::Done => self.paint("32", "Done"),
            Outcome::Retry => self.paint("33", "Failed, will retry"),
            Outcome::Dead => self.paint("31", "Failed, moved to the dead set"),
            Outcome::Released => self.paint("33", "Handed back"),
            Outcome::Lost => self.paint("31", "Lease lost, not acknowledged"),
        };
        let error = match &f.error {
            Some(e) => format!(" ({e})"),
            None => String::new(),
        };
        self.block(&format!(
            "[{}] {outcome}: task {}, waited {}, took {}{error}\n\n",
            self.paint("1", &f.consumer),
            f.task.id,
            short_duration(waited),
            short_duration(took),
        ))
    }

    /// One task a line (peek).
    pub fn task(&self, task: &Task) -> io::Result<()> {
        if self.json {
            return self.json_line(task);
        }
        let attempts = if task.attempt > 0 {
            format!("  attempts {}", task.attempt)
        } else {
            String::new()
        };
        self.block(&format!(
            "{}  {}  {}  {}  {}{attempts}\n",
            task.id,
            self.priority_padded(task.priority, 6),
            local_time(&task.created_at),
            task.kind,
            payload_text(&task.payload),
        ))
    }

    pub fn dead(&self, d: &DeadTask) -> io::Result<()> {
        if self.json {
            return self.json_line(d);
        }
        self.block(&format!(
            "{}  {}  died {}  attempts {}  {}  {}\n  error: {}\n",
            d.task.id,
            self.priority_padded(d.task.priority, 6),
            local_time(&d.died_at),
            d.attempts,
            d.task.kind,
            payload_text(&d.task.payload),
            d.error,
        ))
    }

    /// `rpq len`: a bare integer, or the breakdown in JSON.
    pub fn len(&self, total: u64, lengths: &Lengths) -> io::Result<()> {
        if self.json {
            return self.json_line(lengths);
        }
        self.block(&format!("{total}\n"))
    }

    pub fn cleared(&self, queue: &str, c: &Cleared) -> io::Result<()> {
        if self.json {
            return self.json_line(c);
        }
        self.block(&format!(
            "Removed {} tasks from queue '{queue}' ({} waiting, {} in flight, {} retrying, {} dead)\n",
            c.removed, c.waiting, c.in_flight, c.retrying, c.dead
        ))
    }

    /// A line of text on stdout, for human-only results.
    pub fn line(&self, text: &str) -> io::Result<()> {
        self.block(&format!("{text}\n"))
    }

    /// Takes over the terminal for frames redrawn in place (`stats --watch`): clears it and
    /// hides the cursor until the `Screen` is dropped.
    pub fn screen(&self) -> Screen {
        let _ = self.block("\x1b[?25l\x1b[2J");
        Screen
    }
}

/// A terminal redrawn in place, like top. Only for a stdout that is a terminal.
pub struct Screen;

impl Screen {
    /// Draws `text` from the top left over the previous frame: each line is cleared to its end
    /// and whatever the last frame left below is cleared, so nothing flickers or lingers.
    pub fn frame(&self, text: &str) -> io::Result<()> {
        let mut f = String::from("\x1b[H");
        for line in text.lines() {
            f += line;
            f += "\x1b[K\n";
        }
        f += "\x1b[J";
        let mut out = io::stdout().lock();
        out.write_all(f.as_bytes())?;
        out.flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let mut out = io::stdout().lock();
        let _ = out.write_all(b"\x1b[?25h");
        let _ = out.flush();
    }
}

fn priority_style(p: u8) -> (&'static str, &'static str) {
    match p {
        1 => ("high", "1;31"),
        2 => ("medium", "33"),
        3 => ("low", "2"),
        _ => ("unknown", "0"),
    }
}

/// A diagnostic on stderr.
pub fn note(text: &str) {
    let _ = writeln!(io::stderr().lock(), "rpq: {text}");
}

pub fn local_time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M:%S").to_string()
}

fn payload_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `0.42s`, `12ms`, `3m05s`: short enough for a status line.
pub fn short_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(short_duration(Duration::from_millis(12)), "12ms");
        assert_eq!(short_duration(Duration::from_millis(1500)), "1.50s");
        assert_eq!(short_duration(Duration::from_secs(185)), "3m05s");
    }

    #[test]
    fn outcomes_serialize_lowercase() {
        assert_eq!(
            serde_json::to_string(&Outcome::Released).unwrap(),
            "\"released\""
        );
        assert_eq!(Outcome::Dead.as_str(), "dead");
    }
}
