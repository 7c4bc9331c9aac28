//! `rpq produce`: random tasks on an interval, one task from flags, or JSON lines from stdin
//! (the engines are in `producer`).

use crate::cli::ProduceArgs;
use crate::config::Config;
use crate::error::{DataError, UsageError};
use crate::lines::LineReader;
use crate::output::{note, Output};
use crate::producer;
use crate::queue::Queue;
use crate::shutdown::Shutdown;
use crate::task::{check_id, check_type, parse_payload, Due, NewTask, Priority, When};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ProduceArgs) -> Result<ExitCode> {
    let when = when(args);
    if let Some(kind) = &args.kind {
        return push_one(cfg, out, args, kind, when);
    }
    let sd = Shutdown::install()?;
    if args.stdin {
        let done = producer::import(cfg, &mut LineReader::stdin(), args.batch, when, &sd, out)?;
        if let Some(line) = done.stopped_after {
            note(&format!(
                "stopped reading stdin on a signal after line {line}; the lines after it were \
                 not read"
            ));
        }
        out.import_summary(done.queued, done.duplicates, done.bad)?;
        if done.bad > 0 {
            return Err(DataError(format!(
                "{} line(s) of stdin were not valid tasks and were skipped; the other {} were queued",
                done.bad, done.queued
            ))
            .into());
        }
        return Ok(ExitCode::SUCCESS);
    }
    producer::generate(cfg, args.interval, args.count, when, &sd, out, "Producer")?;
    Ok(ExitCode::SUCCESS)
}

/// `--in`, `--at` and `--ttl`: for every task this run pushes (a `--stdin` line may say its own).
fn when(args: &ProduceArgs) -> When {
    When {
        due: match (args.due_in, args.at) {
            (Some(d), _) => Due::In(d),
            (None, Some(t)) => Due::At(t),
            (None, None) => Due::Now,
        },
        ttl: args.ttl.filter(|t| !t.is_zero()),
    }
}

fn push_one(
    cfg: &Config,
    out: &Output,
    args: &ProduceArgs,
    kind: &str,
    when: When,
) -> Result<ExitCode> {
    check_type(kind).map_err(|e| UsageError(format!("--type: {e}")))?;
    // `--count N` pushes N such tasks, each with its own id, in one call; an `--id` names one.
    let n = args.count.unwrap_or(1);
    if n > 1 && args.id.is_some() {
        return Err(UsageError(
            "--id names one task and --count asks for several; drop one of them".into(),
        )
        .into());
    }
    let payload = args
        .payload
        .as_deref()
        .map(parse_payload)
        .unwrap_or(serde_json::Value::Null);
    let priority = args.priority.unwrap_or(Priority::MEDIUM);
    let mut tasks: Vec<NewTask> = (0..n)
        .map(|_| NewTask::new(kind, priority, payload.clone()))
        .collect();
    if let Some(id) = &args.id {
        check_id(id).map_err(UsageError)?;
        if let Some(first) = tasks.first_mut() {
            first.id = id.clone();
        }
    }
    for t in &mut tasks {
        t.when = when;
    }
    let (created, queued) = Queue::open(cfg)?.push(&tasks)?;
    for (task, ok) in tasks.iter().zip(queued) {
        let task = task.queued(created.timestamp_millis());
        if ok {
            out.produced("Producer", &task, true)?;
        } else {
            out.not_queued("Producer", &task)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
