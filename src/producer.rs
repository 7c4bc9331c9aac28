//! The producing engines behind `rpq produce` and the demo's producer: random tasks like the
//! seed's on an interval, and JSON task lines from a reader pushed in batches. They know no
//! flags and print only through `Output`.

use crate::config::Config;
use crate::output::Output;
use crate::queue::Queue;
use crate::reconnect::{retry, retry_idle};
use crate::shutdown::Shutdown;
use crate::task::{parse_input_line_with, NewTask, Priority, When};
use anyhow::{Context, Result};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;
use std::io::BufRead;
use std::time::{Duration, Instant};

/// Random tasks pushed per round trip when the interval is zero.
const FAST_BATCH: u64 = 200;

/// Pushes random tasks every `interval` (batched when it is zero) until `count` or a signal,
/// each due `when`, each printed under `label`. Returns how many were pushed.
pub fn generate(
    cfg: &Config,
    interval: Duration,
    count: Option<u64>,
    when: When,
    sd: &Shutdown,
    out: &Output,
    label: &str,
) -> Result<u64> {
    let mut q = Queue::open(cfg)?;
    let mut pushed = 0u64;
    let mut next = Instant::now();
    while !sd.stop_requested() && count.is_none_or(|n| pushed < n) {
        let left = count.map_or(u64::MAX, |n| n - pushed);
        let batch: Vec<NewTask> = (0..if interval.is_zero() {
            left.min(FAST_BATCH)
        } else {
            1
        })
            .map(|_| NewTask {
                when,
                ..random_task()
            })
            .collect();
        // The ids are fixed before the first try, so a push retried after a lost reply cannot
        // queue a task twice. Random tasks are nothing to keep: a stop during an outage ends
        // the run, and the unconfirmed batch (which may or may not have landed) is not printed.
        let Some((created, flags)) = retry_idle(&mut q, sd, |q| q.push(&batch))? else {
            break;
        };
        for t in &batch {
            out.produced(label, &t.queued(created.timestamp_millis()), true)?;
        }
        pushed += flags.len() as u64;
        if !interval.is_zero() {
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

/// What an import of task lines did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Imported {
    pub queued: u64,
    /// Lines whose id was already known.
    pub duplicates: u64,
    /// Lines that were not valid tasks (each reported by number).
    pub bad: u64,
}

/// Reads JSON task lines from `input` and pushes them in batches of `batch`, until the end of
/// the input or a signal; `when` applies to lines without a time of their own. Bad lines are
/// reported by number and skipped.
pub fn import(
    cfg: &Config,
    input: &mut impl BufRead,
    batch_size: u64,
    when: When,
    sd: &Shutdown,
    out: &Output,
) -> Result<Imported> {
    let mut q = Queue::open(cfg)?;
    let mut done = Imported::default();
    let mut batch: Vec<NewTask> = Vec::with_capacity(batch_size as usize);
    let mut line_no = 0u64;
    let mut buf = String::new();
    let mut progress = out.progress("pushed", None);
    loop {
        buf.clear();
        let n = input.read_line(&mut buf).context("reading stdin")?;
        if n > 0 {
            line_no += 1;
            let line = buf.trim();
            if !line.is_empty() {
                match parse_input_line_with(line, when) {
                    Ok(t) => batch.push(t),
                    Err(why) => {
                        done.bad += 1;
                        out.bad_line(&mut progress, line_no, &why);
                    }
                }
            }
        }
        let full = batch.len() as u64 >= batch_size;
        if (full || n == 0) && !batch.is_empty() {
            let (created, flags) = retry(&mut q, sd, |q| q.push(&batch))?;
            for (t, ok) in batch.iter().zip(&flags) {
                if *ok {
                    done.queued += 1;
                } else {
                    done.duplicates += 1;
                }
                out.imported(&t.queued(created.timestamp_millis()), *ok)?;
            }
            batch.clear();
            progress.show(done.queued);
        }
        if n == 0 || sd.stop_requested() {
            break;
        }
    }
    progress.clear();
    Ok(done)
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
        "backup" => json!({"volume": format!("vol-{}", n % 8), "incremental": n % 2 == 0}),
        _ => json!({"to": format!("+1555{n:04}"), "text": "your code is ready"}),
    };
    NewTask::new(kind, priority, payload)
}
