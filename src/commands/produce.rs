//! `rpq produce`: random tasks on an interval, one task from flags, or JSON lines from stdin
//! (the engines are in `producer`).

use crate::cli::ProduceArgs;
use crate::config::Config;
use crate::error::{DataError, Interrupted, TimedOut, UsageError};
use crate::lines::LineReader;
use crate::output::{count, note, Output};
use crate::producer;
use crate::queue::{KeptOutcome, Pushed, Queue, Waited};
use crate::shutdown::Shutdown;
use crate::task::{
    check_group, check_id, check_type, parse_after, parse_after_in, parse_payload, setting_ms,
    After, Due, NewTask, Priority, Settings, TraceContext, When,
};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ProduceArgs) -> Result<ExitCode> {
    // Issue 26: `--traceparent` wins over TRACEPARENT, for every task of this run.
    let traced;
    let cfg = match &args.traceparent {
        Some(tp) => {
            traced = Config {
                trace: Some(
                    TraceContext::parse(tp, args.tracestate.as_deref())
                        .map_err(|e| UsageError(format!("--traceparent: {e}")))?,
                ),
                ..cfg.clone()
            };
            &traced
        }
        None => {
            if let Some(why) = &cfg.trace_ignored {
                crate::log::Event::warn("traceparent_ignored", why.as_str()).emit();
            }
            cfg
        }
    };
    let when = when(args)?;
    let settings = settings(args);
    if let Some(g) = &args.group {
        check_group(g).map_err(|e| UsageError(format!("--group: {e}")))?;
    }
    if let Some(kind) = &args.kind {
        if let Some(interval) = args.interval {
            return stream(cfg, out, args, kind, interval, when, settings);
        }
        return push_one(cfg, out, args, kind, when, settings);
    }
    if args.stdin && args.interval.is_some() {
        return Err(UsageError(
            "--interval paces generated tasks and --stdin pushes each line as it comes; drop \
             --interval"
                .into(),
        )
        .into());
    }
    let sd = Shutdown::install()?;
    if args.stdin {
        if cfg.stdin_tty {
            out.hint("reading JSON lines, a task each; Ctrl+D ends");
        }
        let mut input = LineReader::stdin();
        let done = producer::import(cfg, &mut input, args.batch, when, settings, &sd, out)?;
        if let Some(line) = done.stopped_after {
            note(&format!(
                "stopped reading stdin on a signal after line {line}; the lines after it were \
                 not read"
            ));
        }
        out.import_summary(done.queued, done.duplicates, done.bad)?;
        if done.bad > 0 {
            return Err(DataError(format!(
                "{} of stdin {} and skipped; the other {} queued",
                count(done.bad, "line", "lines"),
                if done.bad == 1 {
                    "was not a valid task"
                } else {
                    "were not valid tasks"
                },
                count(done.queued, "was", "were"),
            ))
            .into());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let make = || NewTask {
        when,
        settings,
        trace: cfg.trace.clone(),
        group: args.group.clone(),
        ..producer::random_task()
    };
    producer::generate(
        cfg,
        args.interval.unwrap_or(producer::DEFAULT_INTERVAL),
        args.count,
        &make,
        &sd,
        out,
        "Producer",
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `--type T --interval DUR`: one such task every DUR, each with its own id, until a signal or
/// `--count`, as random tasks are pushed.
fn stream(
    cfg: &Config,
    out: &Output,
    args: &ProduceArgs,
    kind: &str,
    interval: std::time::Duration,
    when: When,
    settings: Settings,
) -> Result<ExitCode> {
    for (given, flag, what) in [
        (args.id.is_some(), "--id", "names one task"),
        (args.wait, "--wait", "waits for one task"),
    ] {
        if given {
            return Err(UsageError(format!(
                "{flag} {what} and --interval pushes one every {}; drop one of them",
                humantime::format_duration(interval)
            ))
            .into());
        }
    }
    let (priority, payload) = one_kind(args, kind)?;
    let make = || NewTask {
        when,
        settings,
        trace: cfg.trace.clone(),
        group: args.group.clone(),
        ..NewTask::new(kind, priority, payload.clone())
    };
    let sd = Shutdown::install()?;
    producer::generate(cfg, interval, args.count, &make, &sd, out, "Producer")?;
    Ok(ExitCode::SUCCESS)
}

/// The priority and payload of the tasks `--type` asks for, with the type checked.
fn one_kind(args: &ProduceArgs, kind: &str) -> Result<(Priority, serde_json::Value)> {
    check_type(kind).map_err(|e| UsageError(format!("--type: {e}")))?;
    let payload = args
        .payload
        .as_deref()
        .map(parse_payload)
        .unwrap_or(serde_json::Value::Null);
    Ok((args.priority.unwrap_or(Priority::MEDIUM), payload))
}

/// `--max-attempts`, `--exec-timeout` and `--keep-result` (issue 11), as `when` for the times.
/// `--wait` keeps the result for at least `WAIT_KEEP`, long enough to be read once it is there.
fn settings(args: &ProduceArgs) -> Settings {
    let keep = match (args.keep_result, args.wait) {
        (Some(d), _) => Some(d),
        (None, true) => Some(producer::WAIT_KEEP),
        (None, false) => None,
    };
    Settings {
        max_attempts: args.max_attempts,
        exec_timeout_ms: args.exec_timeout.map(setting_ms),
        keep_result_ms: keep.map(setting_ms),
    }
}

/// `--in`, `--at` and `--ttl`: for every task this run pushes (a `--stdin` line may say its own).
fn when(args: &ProduceArgs) -> Result<When> {
    let when = When {
        due: match (args.debounce, args.due_in, args.at) {
            (Some(by), _, _) => Due::Debounce {
                by,
                keep_first: args.keep_first,
            },
            (None, Some(d), _) => Due::In(d),
            (None, None, Some(t)) => Due::At(t),
            (None, None, None) => Due::Now,
        },
        ttl: args.ttl,
    };
    when.check()
        .map_err(|e| UsageError(format!("--at and --ttl: {e}")))?;
    Ok(when)
}

fn push_one(
    cfg: &Config,
    out: &Output,
    args: &ProduceArgs,
    kind: &str,
    when: When,
    settings: Settings,
) -> Result<ExitCode> {
    // `--count N` pushes N such tasks, each with its own id, in one call; an `--id` names one.
    let n = args.count.unwrap_or(1);
    if n > 1 && args.id.is_some() {
        return Err(UsageError(
            "--id names one task and --count asks for several; drop one of them".into(),
        )
        .into());
    }
    if n > 1 && args.wait {
        return Err(UsageError(
            "--wait waits for one task and --count asks for several; drop one of them".into(),
        )
        .into());
    }
    let (priority, payload) = one_kind(args, kind)?;
    let mut tasks: Vec<NewTask> = (0..n)
        .map(|_| NewTask::new(kind, priority, payload.clone()))
        .collect();
    if let Some(id) = &args.id {
        check_id(id).map_err(UsageError)?;
        if let Some(first) = tasks.first_mut() {
            first.id = id.clone();
            first.named = true;
        }
    }
    // Issue 24: the tasks it waits for.
    let mut parents = match &args.after {
        Some(list) => parse_after(list).map_err(|e| UsageError(format!("--after {e}")))?,
        None => Vec::new(),
    };
    for spec in &args.after_in {
        for p in parse_after_in(spec).map_err(|e| UsageError(format!("--after-in {e}")))? {
            if !parents.contains(&p) {
                parents.push(p);
            }
        }
    }
    let after = (args.after.is_some() || !args.after_in.is_empty()).then(|| {
        Box::new(After {
            parents,
            on_failure: args.on_parent_failure.unwrap_or_default(),
        })
    });
    for t in &mut tasks {
        t.when = when;
        t.settings = settings;
        t.trace.clone_from(&cfg.trace);
        t.group.clone_from(&args.group);
        t.after.clone_from(&after);
    }
    // Signals count from here: a --wait that is stopped says so (exit 130), the task queued.
    let sd = if args.wait {
        Some(Shutdown::install()?)
    } else {
        None
    };
    let mut q = Queue::open(cfg)?;
    // Issue 23: a grouped task of a sharded queue goes to its group's shard.
    for t in &mut tasks {
        q.place(t).map_err(UsageError)?;
    }
    let (created, pushed) = q.push_detailed(&tasks)?;
    if let Some((at, &created)) = args.at.zip(created.first()).filter(|(at, c)| at <= *c) {
        // The server's clock decides: a time already past is due at once, and said so.
        crate::log::Event::warn(
            "at_past",
            format!(
                "--at {} is not in the future (Redis' clock says {}); queued due now",
                crate::task::rfc3339::format(&at),
                crate::task::rfc3339::format(&created)
            ),
        )
        .emit();
    }
    for ((task, p), created) in tasks.iter().zip(&pushed).zip(&created) {
        let task = task.queued(created.timestamp_millis());
        match p {
            // With --wait stdout is the result's alone.
            Pushed::Queued if args.wait => {}
            Pushed::Queued => out.produced("Producer", &task, true)?,
            Pushed::Known if args.wait => {}
            Pushed::Known => out.not_queued("Producer", &task)?,
            Pushed::Done(at) => out.already_done(&task, at)?,
        }
    }
    let (Some(sd), Some(task)) = (sd, tasks.first()) else {
        return Ok(ExitCode::SUCCESS);
    };
    match producer::wait(&mut q, &task.id, args.timeout, &sd)? {
        Waited::Finished(k) => {
            out.kept(&k)?;
            if k.outcome == KeptOutcome::Dead {
                anyhow::bail!(
                    "task {} is dead: {}",
                    task.id,
                    k.error.as_deref().unwrap_or("no error given")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Waited::Dead(why) => anyhow::bail!("task {} is dead: {why}", task.id),
        Waited::Gone => anyhow::bail!(
            "task {} is gone without a result: it was cancelled, cleared or purged",
            task.id
        ),
        Waited::Pending if sd.stop_requested() => {
            note(&format!(
                "stopped waiting on a signal; task {} stays queued",
                task.id
            ));
            Err(Interrupted.into())
        }
        Waited::Pending => Err(TimedOut(format!(
            "task {} was not finished within {}; it stays queued",
            task.id,
            humantime::format_duration(args.timeout.unwrap_or_default()),
        ))
        .into()),
    }
}
