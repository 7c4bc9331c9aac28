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
use crate::task::{check_id, check_type, parse_payload, NewTask, Priority};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ProduceArgs) -> Result<ExitCode> {
    if let Some(kind) = &args.kind {
        return push_one(cfg, out, args, kind);
    }
    let sd = Shutdown::install()?;
    if args.stdin {
        let done = producer::import(cfg, &mut LineReader::stdin(), args.batch, &sd, out)?;
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
    producer::generate(cfg, args.interval, args.count, &sd, out, "Producer")?;
    Ok(ExitCode::SUCCESS)
}

fn push_one(cfg: &Config, out: &Output, args: &ProduceArgs, kind: &str) -> Result<ExitCode> {
    check_type(kind).map_err(|e| UsageError(format!("--type: {e}")))?;
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
    let (created, queued) = Queue::open(cfg)?.push(std::slice::from_ref(&task))?;
    let task = task.queued(created.timestamp_millis());
    if queued.first().copied().unwrap_or(false) {
        out.produced("Producer", &task, true)?;
    } else {
        out.not_queued("Producer", &task)?;
    }
    Ok(ExitCode::SUCCESS)
}
