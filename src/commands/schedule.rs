//! `rpq schedule add|list|remove`: recurring schedules, stored with the queue and fired by
//! its consumers (the slots' arithmetic is in `schedule`, the firing in the consumer engine).

use crate::cli::{ScheduleAddArgs, ScheduleCommand};
use crate::config::Config;
use crate::error::UsageError;
use crate::output::Output;
use crate::queue::Queue;
use crate::schedule::{slot_id, Definition, Listed, Spec, Stored};
use crate::task::{check_id, parse_payload, Priority};
use anyhow::{anyhow, Result};
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, cmd: &ScheduleCommand) -> Result<ExitCode> {
    match cmd {
        ScheduleCommand::Add(a) => add(cfg, out, a),
        ScheduleCommand::List => {
            let mut q = Queue::open(cfg)?;
            let now = q.server_ms()?;
            let all: Vec<Listed> = q.schedules()?.iter().map(|s| s.listed(now)).collect();
            out.schedules(q.name(), &all)?;
            Ok(ExitCode::SUCCESS)
        }
        ScheduleCommand::Remove(a) => {
            let mut q = Queue::open(cfg)?;
            if !q.schedule_remove(&a.name)? {
                return Err(anyhow!(
                    "queue '{}' has no schedule '{}'; `rpq schedule list` shows them",
                    q.name(),
                    a.name
                ));
            }
            out.schedule_removed(&a.name)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(cfg: &Config, out: &Output, a: &ScheduleAddArgs) -> Result<ExitCode> {
    let spec = match (&a.every, &a.cron) {
        (Some(d), _) => Spec::every(*d),
        (None, Some(expr)) => Spec::cron(expr, a.tz.as_deref()),
        (None, None) => Err("give --every DUR or --cron SPEC".into()),
    }
    .map_err(UsageError)?;
    if spec
        .first_after(chrono::Utc::now().timestamp_millis())
        .is_none()
    {
        // croner parses `0 0 30 2 *` (February 30th) and finds no slot for it: refused here
        // rather than stored as a schedule whose next fire is "never".
        return Err(UsageError(format!(
            "cron '{}' matches no date: the schedule would never fire",
            a.cron.as_deref().unwrap_or_default()
        ))
        .into());
    }
    check_id(&a.name).map_err(|e| UsageError(format!("schedule name: {e}")))?;
    check_id(&slot_id(&a.name, 0)).map_err(|e| UsageError(format!("schedule name: {e}")))?;
    if a.kind.is_empty() {
        return Err(UsageError("--type is empty".into()).into());
    }
    let mut q = Queue::open(cfg)?;
    let def = Definition {
        every_ms: matches!(spec, Spec::Every(_))
            .then(|| a.every.unwrap_or_default().as_millis() as u64),
        cron: a.cron.clone().filter(|_| a.every.is_none()),
        tz: a.tz.clone().filter(|_| a.every.is_none()),
        kind: a.kind.clone(),
        priority: a.priority.unwrap_or(Priority::MEDIUM),
        payload: a
            .payload
            .as_deref()
            .map(parse_payload)
            .unwrap_or(serde_json::Value::Null),
        ttl_ms: a.ttl.map(|d| d.as_millis().max(1) as u64),
        since_ms: q.server_ms()?,
    };
    let replaced = q.schedule_add(&a.name, &def)?;
    let stored = Stored {
        name: a.name.clone(),
        raw: serde_json::to_string(&def)?,
        def,
        last_fired_ms: None,
    };
    out.schedule_added(&stored.listed(stored.def.since_ms), replaced)?;
    Ok(ExitCode::SUCCESS)
}
