//! `rpq bench`: the report as a table, or one JSON object. The report's data is defined here,
//! as the shape it is printed in; the load generator (`src/bench.rs`) fills it in.

use super::{note, Output};
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::{self, BufRead};

/// The shape of a run, which the report repeats.
#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    pub tasks: u64,
    pub producers: u64,
    pub consumers: u64,
    pub payload_bytes: u64,
    pub batch: u64,
    pub prefetch: u64,
    /// Tasks scheduled a day ahead while consuming (`--scheduled-backlog`).
    pub scheduled_backlog: u64,
    /// Every produced task due this long after its push (`--due-in`), null when at once.
    pub due_in_ms: Option<u64>,
    /// The aging step of the run, null when off.
    pub aging_ms: Option<u64>,
    // The worker runtime (issue 11): the consume phase through the consumer's engine, with a
    // handler: `--exec CMD` or `--pipe CMD` (null: claims and acks alone), `-j` slots each.
    pub exec: Option<String>,
    pub pipe: Option<String>,
    pub concurrency: u64,
    // Controls (issue 13): limits on the bench's tasks while consuming, null when none.
    /// A rate limit, `N/DUR` (`--rate`).
    pub rate: Option<String>,
    /// An in-flight cap (`--max-in-flight`).
    pub max_in_flight: Option<u64>,
    /// Lifecycle events on for the run (`--events`, issue 26): the cost of writing them.
    pub events: bool,
    // Groups (issue 23): the tasks spread over this many groups in turn (`--groups`), null
    // when none; every group's in-flight cap while consuming (`--group-cap`).
    pub group_count: Option<u64>,
    pub group_cap: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub samples: u64,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// The result of a run; `--json` prints it as one object.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub setup: Setup,
    pub produce_secs: f64,
    pub produce_per_sec: f64,
    pub consume_secs: f64,
    pub consume_per_sec: f64,
    pub latency_ms: Latency,
    /// Scheduled phase: from a task's due time to its claim reaching an idle consumer.
    pub scheduled_ms: Latency,
    /// Growth of Redis `used_memory` per task while the produced tasks waited (null when the
    /// server would not say, as a cluster may not).
    pub memory_per_task_bytes: Option<f64>,
    pub redis_version: String,
    pub queue: String,
    /// Tasks pushed in all phases and tasks claimed in all phases.
    pub pushed: u64,
    pub consumed: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// Where the server was, as the table says it (not in the JSON).
    #[serde(skip)]
    pub location: String,
}

impl Report {
    pub fn exactly_once(&self) -> bool {
        self.lost == 0 && self.duplicated == 0
    }
}

impl Output {
    pub fn bench(&self, r: &Report) -> io::Result<()> {
        if self.json {
            return self.json_line(r);
        }
        self.line(&table(r))
    }

    /// Says `text` and waits until a line (Enter) comes on stdin.
    pub fn wait_for_enter(&self, text: &str) -> Result<()> {
        note(text);
        let mut line = String::new();
        io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading stdin")?;
        Ok(())
    }
}

fn table(r: &Report) -> String {
    let where_ = &r.location;
    let plural = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let l = &r.latency_ms;
    let mut s = format!(
        "rpq bench: {} of {} bytes, {} (batch {}), {} (prefetch {})\n\
         redis {} at {where_}, queue {}\n\n",
        plural(r.setup.tasks, "task"),
        r.setup.payload_bytes,
        plural(r.setup.producers, "producer"),
        r.setup.batch,
        plural(r.setup.consumers, "consumer"),
        r.setup.prefetch,
        r.redis_version,
        r.queue,
    );
    s += &format!(
        "  produce  {:>9} tasks  {:>8.3} s  {:>9.0} tasks/s\n",
        r.setup.tasks, r.produce_secs, r.produce_per_sec
    );
    let how = match (&r.setup.exec, &r.setup.pipe) {
        (Some(cmd), _) => format!("--exec '{cmd}', -j {}", r.setup.concurrency),
        (None, Some(cmd)) => format!("--pipe '{cmd}', -j {}", r.setup.concurrency),
        (None, None) => "claim + ack".to_string(),
    };
    s += &format!(
        "  consume  {:>9} tasks  {:>8.3} s  {:>9.0} tasks/s  ({how})\n",
        r.setup.tasks, r.consume_secs, r.consume_per_sec
    );
    if l.samples > 0 {
        s += &format!(
            "  latency  {:>9} tasks  push to claim: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms\n",
            l.samples, l.p50, l.p99, l.max
        );
    }
    let d = &r.scheduled_ms;
    if d.samples > 0 {
        s += &format!(
            "  due      {:>9} tasks  due to claim:  p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms\n",
            d.samples, d.p50, d.p99, d.max
        );
    }
    if r.setup.scheduled_backlog > 0 {
        s += &format!(
            "  (consumed beside {} tasks scheduled a day ahead)\n",
            r.setup.scheduled_backlog
        );
    }
    if let Some(ms) = r.setup.due_in_ms {
        s += &format!("  (every task produced due {ms} ms after its push)\n");
    }
    if let Some(rate) = &r.setup.rate {
        s += &format!("  (its tasks limited to {rate} while consuming)\n");
    }
    if let Some(m) = r.setup.max_in_flight {
        s += &format!("  (its tasks capped at {m} in flight while consuming)\n");
    }
    if let Some(ms) = r.setup.aging_ms {
        s += &format!("  (aging on, step {ms} ms)\n");
    }
    if r.setup.events {
        s += "  (lifecycle events on)\n";
    }
    if let Some(n) = r.setup.group_count {
        s += &format!(
            "  (its tasks spread over {} in turn)\n",
            super::count(n, "group", "groups")
        );
    }
    if let Some(m) = r.setup.group_cap {
        s += &format!("  (every group capped at {m} in flight while consuming)\n");
    }
    if let Some(m) = r.memory_per_task_bytes {
        s += &format!(
            "  memory   {m:.0} bytes per waiting task ({:.0} above the payload)\n",
            m - r.setup.payload_bytes as f64
        );
    }
    s += "\n";
    let verdict = if r.lost == 0 && r.duplicated == 0 {
        "ok"
    } else {
        "FAILED"
    };
    s += &format!(
        "exactly once: {verdict}: {} pushed, {} claimed, {} lost, {} duplicated",
        r.pushed, r.consumed, r.lost, r.duplicated
    );
    s
}
