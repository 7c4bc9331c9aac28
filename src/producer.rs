//! The producing engines behind `rpq produce` and the demo's producer: random tasks like the
//! seed's on an interval, and JSON task lines from a reader pushed in batches. They know no
//! flags and print only through `Output`.

use crate::config::Config;
use crate::error::{Interrupted, UsageError};
use crate::lines::{LineReader, Next};
use crate::output::{note, Output};
use crate::queue::Waited;
use crate::queue::{PushFailed, Queue};
use crate::reconnect::{open_waiting, retry, retry_idle};
use crate::shutdown::Shutdown;
use crate::task::{parse_input_line_full, NewTask, Priority, Settings, TraceContext, When};
use anyhow::{Context, Result};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;
use std::time::{Duration, Instant};

/// The time between random tasks when no `--interval` is given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// Tasks pushed per round trip when the interval is zero.
const FAST_BATCH: u64 = 200;

/// Pushes a task made by `make` every `interval` (batched when it is zero) until `count` or a
/// signal, each printed under `label`; returns how many were pushed. It exits right after its
/// last push: the interval is the time between two tasks, not after the last one.
pub fn generate(
    cfg: &Config,
    interval: Duration,
    count: Option<u64>,
    make: &dyn Fn() -> NewTask,
    sd: &Shutdown,
    out: &Output,
    label: &str,
) -> Result<u64> {
    // A stream (no count, or several tasks spread over time) runs for long, so it waits for a
    // Redis that does not answer yet (`open_waiting`); a batch at once fails fast, as one push.
    let stream = count.is_none_or(|n| n > 1 && !interval.is_zero());
    let opened = if stream {
        open_waiting(cfg, sd)?
    } else {
        Some(Queue::open(cfg)?)
    };
    let Some(mut q) = opened else {
        return Ok(0);
    };
    q.watch_losses()?;
    let mut pushed = 0u64;
    let mut next = Instant::now();
    let more = |pushed: u64| count.is_none_or(|n| pushed < n);
    while !sd.stop_requested() && more(pushed) {
        let left = count.map_or(u64::MAX, |n| n - pushed);
        let mut batch: Vec<NewTask> = (0..if interval.is_zero() {
            left.min(FAST_BATCH)
        } else {
            1
        })
            .map(|_| make())
            .collect();
        // Issue 23: a grouped task of a sharded queue goes to its group's shard.
        for t in &mut batch {
            q.place(t).map_err(UsageError)?;
        }
        // The ids are fixed before the first try, so a push retried after a lost reply cannot
        // queue a task twice. Generated tasks are nothing to keep: a stop during an outage
        // ends the run, and the unconfirmed batch (which may or may not have landed) is not
        // printed.
        let Some((created, flags)) = retry_idle(&mut q, sd, |q| q.push(&batch))? else {
            break;
        };
        for (t, created) in batch.iter().zip(&created) {
            out.produced(label, &t.queued(created.timestamp_millis()), true)?;
        }
        pushed += flags.len() as u64;
        if !interval.is_zero() && more(pushed) {
            next += interval;
            let now = Instant::now();
            if next > now && !sd.sleep(next - now) {
                break;
            }
            if next < now {
                next = now;
            }
        }
    }
    Ok(pushed)
}

/// Tasks per push of task lines when no `--batch` is given (`rpq serve` pushes an NDJSON body
/// in parts of this many).
pub const DEFAULT_BATCH: usize = 500;

/// One line of task input, as `produce --stdin` and an NDJSON push to `rpq serve` read it:
/// None for a blank line, else the task or why the line is not one (not UTF-8, not JSON, not
/// a task). `when` and `settings` apply to what the line does not say itself.
pub fn task_line(bytes: &[u8], when: When, settings: Settings) -> Option<Result<NewTask, String>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim(),
        Err(e) => {
            let why = format!("not valid UTF-8 (at byte {})", e.valid_up_to() + 1);
            return Some(Err(why));
        }
    };
    if text.is_empty() {
        return None;
    }
    Some(parse_input_line_full(text, when, settings))
}

/// The task lines of a body read whole (an NDJSON push to `rpq serve`), each with its line
/// number from 1; blank lines are skipped, as `produce --stdin` skips them.
pub fn task_lines(body: &[u8]) -> impl Iterator<Item = (usize, Result<NewTask, String>)> + '_ {
    body.split(|b| *b == b'\n')
        .enumerate()
        .filter_map(|(i, raw)| task_line(raw, When::NOW, Settings::default()).map(|t| (i + 1, t)))
}

/// What an import of task lines did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Imported {
    pub queued: u64,
    /// Lines whose id was already known.
    pub duplicates: u64,
    /// Lines that were not valid tasks (each reported by number).
    pub bad: u64,
    /// Set when a signal stopped the reading before the end of the input: the last line read.
    pub stopped_after: Option<u64>,
}

/// A partial batch is pushed once the input has been quiet this long, so a slow stream
/// (`tail -f events | rpq produce --stdin`) is queued live; fast input fills whole batches.
const IDLE_FLUSH: Duration = Duration::from_millis(20);

/// However steadily a slow stream trickles, no line waits longer than this for its batch.
const MAX_HOLD: Duration = Duration::from_millis(200);

/// How long a read waits, with nothing in hand, before it looks for a signal again.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// Reads JSON task lines from `input` and pushes them in batches of `batch`, until the end of
/// the input or a signal; `when` applies to lines without a time of their own. Bad lines (not JSON, not a task, not UTF-8) are reported by number
/// and skipped. On the first signal it stops reading, takes in what was already sent (see
/// `LineReader::take_what_was_sent`) and pushes every line it read; a line cut off by the stop
/// is reported like a bad one. A push that fails says how many were queued and the first line
/// that was not.
pub fn import(
    cfg: &Config,
    input: &mut LineReader,
    batch_size: u64,
    when: When,
    settings: Settings,
    sd: &Shutdown,
    out: &Output,
) -> Result<Imported> {
    let mut q = Queue::open(cfg)?;
    q.watch_losses()?;
    // The read count when the batch's age was last looked at (see `LineReader::reads`).
    let mut looked = 0;
    let mut imp = Import {
        done: Imported::default(),
        batch: Vec::with_capacity(batch_size as usize),
        lines: Vec::with_capacity(batch_size as usize),
        held_since: None,
        line_no: 0,
        progress: out.progress("pushed", None),
        out,
        when,
        settings,
        trace: cfg.trace.clone(),
        shards: q.shard_count(),
    };
    loop {
        if sd.stop_requested() {
            input.take_what_was_sent().context("reading stdin")?;
            while let Some(line) = input.next_buffered() {
                imp.take(line);
            }
            if !input.unfinished().is_empty() {
                imp.bad_line("cut off by the stop before its end; not queued");
            }
            if !input.at_end() {
                imp.done.stopped_after = Some(imp.line_no);
            }
            imp.push(&mut q, sd)?;
            break;
        }
        let held_since = imp.held_since;
        let wait = || match held_since {
            None => STOP_CHECK,
            Some(t) => IDLE_FLUSH.min(MAX_HOLD.saturating_sub(t.elapsed())),
        };
        match input.next_within(wait).context("reading stdin")? {
            Next::Line(line) => {
                imp.take(line);
                // Lines served from one read came together: the clock only matters after a
                // read, which is every line of a slow stream and rarely one of fast input.
                let fresh = input.reads() != looked;
                looked = input.reads();
                let held_long = fresh && imp.held_since.is_some_and(|t| t.elapsed() >= MAX_HOLD);
                if imp.batch.len() as u64 >= batch_size || held_long {
                    imp.push(&mut q, sd)?;
                }
            }
            Next::Idle => imp.push(&mut q, sd)?,
            Next::End => {
                imp.push(&mut q, sd)?;
                break;
            }
        }
    }
    imp.progress.clear();
    Ok(imp.done)
}

/// An import under way: the batch read and not yet pushed, with the line number of each task.
struct Import<'a> {
    done: Imported,
    batch: Vec<NewTask>,
    lines: Vec<u64>,
    /// When the oldest line of the batch was read.
    held_since: Option<Instant>,
    line_no: u64,
    progress: crate::output::Progress,
    out: &'a Output,
    /// `--in`/`--at`/`--ttl` for lines that say no time of their own.
    when: When,
    /// `--max-attempts`/`--exec-timeout`/`--keep-result` for lines without their own.
    settings: Settings,
    /// The producer's trace context (issue 26), for lines without their own.
    trace: Option<TraceContext>,
    /// The queue's shards, which a line's group picks among (issue 23, `queue::place`).
    shards: usize,
}

impl Import<'_> {
    /// One line of input: a task for the batch, a blank line, or a bad line reported.
    fn take(&mut self, bytes: &[u8]) {
        self.line_no += 1;
        match task_line(bytes, self.when, self.settings) {
            None => {}
            Some(Ok(mut t)) => {
                if let Err(why) = crate::queue::place(&mut t, self.shards) {
                    self.bad_line(&why);
                    return;
                }
                if t.trace.is_none() {
                    t.trace.clone_from(&self.trace);
                }
                self.held_since.get_or_insert_with(Instant::now);
                self.batch.push(t);
                self.lines.push(self.line_no);
            }
            Some(Err(why)) => self.bad_line(&why),
        }
    }

    fn bad_line(&mut self, why: &str) {
        self.done.bad += 1;
        self.out.bad_line(&mut self.progress, self.line_no, why);
    }

    /// Pushes the batch (nothing to do when it is empty) and prints what was queued.
    fn push(&mut self, q: &mut Queue, sd: &Shutdown) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = &self.batch;
        let (created, flags) = match retry(q, sd, |q| q.push(batch)) {
            Ok(r) => r,
            Err(e) => return Err(self.not_queued(e)),
        };
        for ((t, ok), created) in self.batch.iter().zip(&flags).zip(&created) {
            if *ok {
                self.done.queued += 1;
            } else {
                self.done.duplicates += 1;
            }
            self.out
                .imported(&t.queued(created.timestamp_millis()), *ok)?;
        }
        self.batch.clear();
        self.lines.clear();
        self.held_since = None;
        self.progress.show(self.done.queued);
        Ok(())
    }

    /// A push that failed: the error, with how many tasks were queued and the first line that
    /// was not, so the user knows where to resume. The shards of a sharded queue that took
    /// their part before the failure count as queued (`PushFailed`).
    fn not_queued(&mut self, e: anyhow::Error) -> anyhow::Error {
        let confirmed = e
            .downcast_ref::<PushFailed>()
            .map(|p| p.confirmed.clone())
            .unwrap_or_default();
        let queued = self.done.queued + confirmed.iter().filter(|c| **c).count() as u64;
        let first = self
            .lines
            .iter()
            .zip(confirmed.iter().chain(std::iter::repeat(&false)))
            .find(|(_, c)| !**c)
            .map_or(self.line_no + 1, |(n, _)| *n);
        self.progress.clear();
        if e.is::<Interrupted>() {
            note(&format!(
                "stopped by a second signal: {} queued; line {first} and the lines after it \
                 were not",
                crate::output::count(queued, "task", "tasks")
            ));
            return e;
        }
        // The message without the PushFailed layer, which the counts here replace.
        let cause: Vec<String> = e
            .chain()
            .skip(usize::from(e.downcast_ref::<PushFailed>().is_some()))
            .map(|c| c.to_string())
            .collect();
        anyhow::anyhow!(
            "{} queued; line {first} and the lines after it were not: {}",
            crate::output::count(queued, "task", "tasks"),
            cause.join(": ")
        )
    }
}

// The worker runtime (issue 11): waiting for one task's end.

/// How long a result is kept for `produce --wait` without `--keep-result`: the waiter reads it
/// within milliseconds; this much more lets one that lost its connection meanwhile find it.
pub const WAIT_KEEP: Duration = Duration::from_secs(60);

/// Waits for task `id` to be done or dead, at most `timeout` (none: no limit), riding out lost
/// connections; Pending when the time ran out or a signal came (`sd` tells which).
pub fn wait(q: &mut Queue, id: &str, timeout: Option<Duration>, sd: &Shutdown) -> Result<Waited> {
    let until = timeout.map(|t| Instant::now() + t);
    let stop = || sd.stop_requested();
    Ok(retry_idle(q, sd, |q| q.wait_for(id, until, &stop))?.unwrap_or(Waited::Pending))
}

const TYPES: [&str; 5] = ["email", "report", "image", "backup", "sms"];

/// A task like the seed's producer makes: a random type, a random priority, a short payload.
pub fn random_task() -> NewTask {
    let mut rng = rand::rng();
    let kind = *TYPES.choose(&mut rng).expect("types is not empty");
    let priority = Priority::ALL[rng.random_range(0..3)];
    let n: u32 = rng.random_range(1..1000);
    let payload = match kind {
        "email" => {
            json!({"to": format!("user{n}@example.com"), "subject": format!("{} priority email", priority.name())})
        }
        "report" => json!({"report": format!("weekly-{n}"), "format": "pdf"}),
        "image" => json!({"file": format!("img-{n}.png"), "width": 640}),
        "backup" => json!({"volume": format!("vol-{}", n % 8), "incremental": n.is_multiple_of(2)}),
        _ => json!({"to": format!("+1555{n:04}"), "text": "your code is ready"}),
    };
    NewTask::new(kind, priority, payload)
}
