//! `rpq flow submit FILE|-` (issue 24): a graph of tasks queued all or nothing (`crate::flow`
//! checks it, one push queues it). `rpq flow cancel ID`: a task and what comes after it.
//! `rpq flow window [DUR]`: how long finished ids are known.

use crate::cli::{FlowCancelArgs, FlowCommand, FlowWindowArgs};
use crate::config::Config;
use crate::error::DataError;
use crate::output::Output;
use crate::queue::{Pushed, Queue};
use anyhow::{Context, Result};
use std::io::Read;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, c: &FlowCommand) -> Result<ExitCode> {
    let a = match c {
        FlowCommand::Submit(a) => a,
        FlowCommand::Cancel(a) => return cancel(cfg, out, a),
        FlowCommand::Window(a) => return window(cfg, out, a),
    };
    let doc = if a.file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the flow from stdin")?;
        s
    } else {
        std::fs::read_to_string(&a.file).with_context(|| format!("reading {}", a.file))?
    };
    let flow = crate::flow::parse_in(&doc, Some(&cfg.queue))
        .map_err(|e| DataError(format!("{}: {e}", a.file)))?;
    if cfg.cluster {
        if let Some(f) = flow.iter().find(|f| !f.task.when.is_now()) {
            // Pushed a run at a time there: a root with a time, pushed as produce does, is not
            // one the link of its children in another run is sure to find.
            return Err(DataError(format!(
                "{}: task '{}': a task with in, at or ttl in a flow is not supported on a \
                 cluster yet; nothing was queued",
                a.file, f.name
            ))
            .into());
        }
    }
    let mut q = Queue::open(cfg)?;
    // On one server, every key of every queue is there: the whole flow is one script call, all
    // or nothing. On a cluster a script of several hash slots is refused: it goes as below.
    let pushed = if !cfg.cluster {
        let tasks: Vec<(String, crate::task::NewTask)> = flow
            .iter()
            .map(|f| (f.queue.clone().unwrap_or_default(), f.task.clone()))
            .collect();
        q.submit_whole(&tasks)?
    } else {
        by_runs(cfg, &mut q, &flow)?
    };
    let rows: Vec<(&str, &str, bool)> = flow
        .iter()
        .zip(&pushed)
        .map(|(f, p)| (f.name.as_str(), f.task.id.as_str(), *p == Pushed::Queued))
        .collect();
    out.flow_submitted(&rows)?;
    Ok(ExitCode::SUCCESS)
}

/// A flow pushed a run of tasks of one queue at a time (on a cluster).
fn by_runs(cfg: &Config, q: &mut Queue, flow: &[crate::flow::FlowTask]) -> Result<Vec<Pushed>> {
    // Parents first, a run of tasks of one queue at a time: each run is one push, all or
    // nothing; a flow across queues is as many pushes (what is pushed stays if a later one
    // fails), each telling the queues of its tasks' parents of them.
    let mut pushed: Vec<Pushed> = Vec::with_capacity(flow.len());
    let mut others: std::collections::HashMap<String, Queue> = Default::default();
    for run in flow.chunk_by(|a, b| a.queue == b.queue) {
        let tasks: Vec<_> = run.iter().map(|f| f.task.clone()).collect();
        let target = match &run[0].queue {
            None => &mut *q,
            Some(name) => match others.entry(name.clone()) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let mut c = cfg.clone();
                    c.queue = name.clone();
                    c.shards = None;
                    e.insert(Queue::open(&c)?)
                }
            },
        };
        pushed.extend(target.push_detailed(&tasks)?.1);
    }
    Ok(pushed)
}

fn cancel(cfg: &Config, out: &Output, a: &FlowCancelArgs) -> Result<ExitCode> {
    let found = super::open(cfg, out)?.flow_cancel(&a.id)?;
    for c in found.iter().flatten() {
        out.cancelled(c)?;
    }
    if found.as_ref().is_some_and(Vec::is_empty) {
        out.flow_nothing_cancelled(&a.id)?;
    }
    Ok(super::unknown(cfg, std::slice::from_ref(&a.id), &[found]))
}

fn window(cfg: &Config, out: &Output, a: &FlowWindowArgs) -> Result<ExitCode> {
    let w = super::open(cfg, out)?.flow_window(a.window)?;
    out.flow_window(w, a.window.is_some())?;
    Ok(ExitCode::SUCCESS)
}
