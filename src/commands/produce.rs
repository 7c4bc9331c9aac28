//! `rpq produce`: random tasks on an interval, one task from flags, or JSON lines from stdin.
//! Also the producer loop of `rpq demo`.

use crate::cli::ProduceArgs;
use crate::config::Config;
use crate::error::{DataError, UsageError};
use crate::output::{note, Output};
use crate::queue::Queue;
use crate::reconnect::{retry, retry_idle};
use crate::shutdown::Shutdown;
use crate::task::{check_id, parse_input_line, parse_payload, NewTask, Priority};
use anyhow::{Context, Result};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;
use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Random tasks pushed per round trip when `--interval 0`.
const FAST_BATCH: u64 = 200;

pub fn run(cfg: &Config, args: &ProduceArgs) -> Result<ExitCode> {
    let out = Output::new(cfg.json, cfg.color);
    if let Some(kind) = &args.kind {
        return push_one(cfg, args, kind, &out);
    }
    let sd = Shutdown::install()?;
    if args.stdin {
        return from_stdin(cfg, args, &sd, &out);
    }
    generate(cfg, args.interval, args.count, &sd, &out, "Producer")?;
    Ok(ExitCode::SUCCESS)
}

fn push_one(cfg: &Config, args: &ProduceArgs, kind: &str, out: &Output) -> Result<ExitCode> {
    let mut task = NewTask::new(
        kind,
        args.priority.unwrap_or(Priority::MEDIUM),
        args.payload
            .as_deref()
            .map(parse_payload)
            .unwrap_or(serde_json::Value::Null),
    );
    if kind.is_empty() {
        return Err(UsageError("--type is empty".into()).into());
    }
    if let Some(id) = &args.id {
        check_id(id).map_err(UsageError)?;
        task.id = id.clone();
    }
    let mut q = Queue::open(cfg)?;
    let (created, queued) = q.push(std::slice::from_ref(&task))?;
    let queued = queued.first().copied().unwrap_or(false);
    if !queued && !cfg.json {
        note(&format!(
            "task {} is already queued; not queued again",
            task.id
        ));
        return Ok(ExitCode::SUCCESS);
    }
    out.produced("Producer", &task.queued(created.timestamp_millis()), queued)?;
    Ok(ExitCode::SUCCESS)
}

/// Pushes random tasks every `interval` (batched when it is zero) until `count` or a signal.
pub fn generate(
    cfg: &Config,
    interval: Duration,
    count: Option<u64>,
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
            .map(|_| random_task())
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

fn from_stdin(cfg: &Config, args: &ProduceArgs, sd: &Shutdown, out: &Output) -> Result<ExitCode> {
    let mut q = Queue::open(cfg)?;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let (mut queued, mut duplicates, mut bad) = (0u64, 0u64, 0u64);
    let mut batch: Vec<NewTask> = Vec::with_capacity(args.batch as usize);
    let mut line_no = 0u64;
    let mut buf = String::new();
    let started = Instant::now();
    let mut progress = Progress::new(cfg.stderr_tty && !cfg.json);
    loop {
        buf.clear();
        let n = lines.read_line(&mut buf).context("reading stdin")?;
        if n > 0 {
            line_no += 1;
            let line = buf.trim();
            if !line.is_empty() {
                match parse_input_line(line) {
                    Ok(t) => batch.push(t),
                    Err(why) => {
                        bad += 1;
                        progress.clear();
                        eprintln!("line {line_no}: {why}");
                    }
                }
            }
        }
        let full = batch.len() as u64 >= args.batch;
        if (full || n == 0) && !batch.is_empty() {
            let (created, flags) = retry(&mut q, sd, |q| q.push(&batch))?;
            for (t, ok) in batch.iter().zip(&flags) {
                if *ok {
                    queued += 1;
                } else {
                    duplicates += 1;
                }
                if cfg.json {
                    out.produced("Producer", &t.queued(created.timestamp_millis()), *ok)?;
                }
            }
            batch.clear();
            progress.show(queued, started.elapsed());
        }
        if n == 0 || sd.stop_requested() {
            break;
        }
    }
    progress.clear();
    if !cfg.json {
        let mut msg = format!("Queued {queued} tasks");
        if duplicates > 0 {
            msg += &format!(", {duplicates} already queued");
        }
        if bad > 0 {
            msg += &format!(", {bad} bad lines skipped");
        }
        out.line(&msg)?;
    }
    if bad > 0 {
        return Err(DataError(format!(
            "{bad} line(s) of stdin were not valid tasks and were skipped; the other {queued} were queued"
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// A one-line progress report on stderr, shown only on a terminal.
struct Progress {
    on: bool,
    last: Option<Instant>,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress { on, last: None }
    }

    fn show(&mut self, n: u64, elapsed: Duration) {
        if !self.on
            || self
                .last
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        let rate = n as f64 / elapsed.as_secs_f64().max(1e-3);
        eprint!("\r\x1b[2Kpushed {n} tasks ({rate:.0}/s)");
    }

    fn clear(&mut self) {
        if self.on && self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
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
