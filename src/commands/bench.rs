//! `rpq bench`: the load generator (`bench`), its report, and exit 1 when a task was lost or
//! handed out twice.

use crate::bench::{self, Options};
use crate::cli::BenchArgs;
use crate::config::Config;
use crate::output::bench::Setup;
use crate::output::Output;
use crate::shutdown::Shutdown;
use anyhow::{bail, Result};
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, a: &BenchArgs) -> Result<ExitCode> {
    let sd = Shutdown::install()?;
    let opts = Options {
        setup: Setup {
            tasks: a.tasks,
            producers: a.producers,
            consumers: a.consumers,
            payload_bytes: a.payload_bytes,
            batch: a.batch,
            prefetch: a.prefetch,
            scheduled_backlog: a.scheduled_backlog,
            due_in_ms: a.due_in.map(|d| d.as_millis() as u64),
            aging_ms: a.aging.map(|d| d.as_millis().max(1) as u64),
            exec: a.exec.clone(),
            pipe: a.pipe.clone(),
            concurrency: a.concurrency,
            rate: a
                .rate
                .map(|r| format!("{}/{}", r.n, humantime::format_duration(r.per))),
            max_in_flight: a.max_in_flight,
            events: a.events,
            group_count: a.groups,
            group_cap: a.group_cap,
        },
        latency_tasks: a.latency_tasks,
        scheduled_tasks: a.scheduled_tasks,
        spawn: a.spawn,
        step: a.step,
        limit: crate::queue::LimitChange {
            rate: a.rate,
            burst: None,
            max_in_flight: a.max_in_flight,
        },
    };
    let report = bench::run(cfg, &opts, &sd, out)?;
    out.bench(&report)?;
    if !report.exactly_once() {
        bail!(
            "exactly-once check failed: {} lost, {} handed out more than once",
            crate::output::count(report.lost, "task", "tasks"),
            report.duplicated
        );
    }
    Ok(ExitCode::SUCCESS)
}
