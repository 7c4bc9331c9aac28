//! `rpq produce`: random tasks on an interval, one task from flags, or JSON lines from stdin
//! (the engines are in `producer`).

use crate::cli::ProduceArgs;
use crate::config::Config;
use crate::error::{DataError, UsageError};
use crate::output::Output;
use crate::producer;
use crate::queue::Queue;
use crate::shutdown::Shutdown;
use crate::task::{check_id, parse_payload, Due, NewTask, Priority, When};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ProduceArgs) -> Result<ExitCode> {
    let when = when(args);
    if let Some(kind) = &args.kind {
        return push_one(cfg, out, args, kind, when);
    }
    let sd = Shutdown::install()?;
    if args.stdin {
        let mut input = std::io::stdin().lock();
        let done = producer::import(cfg, &mut input, args.batch, when, &sd, out)?;
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
    if kind.is_empty() {
        return Err(UsageError("--type is empty".into()).into());
    }
    let mut task = NewTask::new(
        kind,
        args.priority.unwrap_or(Priority::MEDIUM),
        args.payload
            .as_deref()
            .map(parse_payload)
            .unwrap_or(serde_json::Value::Null),
    );
    if let Some(id) = &args.id {
        check_id(id).map_err(UsageError)?;
        task.id = id.clone();
    }
    task.when = when;
    let (created, queued) = Queue::open(cfg)?.push(std::slice::from_ref(&task))?;
    let task = task.queued(created.timestamp_millis());
    if queued.first().copied().unwrap_or(false) {
        out.produced("Producer", &task, true)?;
    } else {
        out.not_queued("Producer", &task)?;
    }
    Ok(ExitCode::SUCCESS)
}
