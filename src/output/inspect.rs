//! `show`, `list`, `cancel`, `move` and `queues`: a block per task, a table of tasks, what was
//! done to each task, a table of queues; one JSON object a line with `--json`.

use super::{escape, local_date_time, local_time, payload_text, Cell, Column, Output, Row};
use crate::queue::{Cancelled, Kept, KeptOutcome, QueueCounts, State, TaskInfo};
use std::io;

/// How much of a kept result `show` prints (escaped, on one line); `rpq result` prints it all.
const SHOWN_RESULT_CHARS: usize = 200;

/// A finished task as `show --json` prints it (and the API's task route answers it): its kept
/// result with `state` where `result --json` says `outcome`.
pub fn finished_json(k: &Kept) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(k)?;
    if let Some(o) = v.as_object_mut() {
        let state = o.remove("outcome").unwrap_or_default();
        o.insert("state".into(), state);
    }
    Ok(v)
}

impl Output {
    /// `show`: a block per task in the seed's style, or its JSON line.
    /// A task that is gone but whose result (or error) is kept (issue 11): its state `done`
    /// (or `dead`), when it finished, and the start of its result; `rpq result` has all of it.
    pub fn shown_finished(&self, k: &Kept) -> io::Result<()> {
        if self.json {
            return self.json_line(&finished_json(k)?);
        }
        let state = match k.outcome {
            KeptOutcome::Done => "done (its result is kept)",
            KeptOutcome::Dead => "dead (its error is kept)",
        };
        let mut s = format!(
            "Task {}:\n  - State: {state}\n  - Finished at: {}\n",
            k.id,
            local_date_time(&k.finished_at),
        );
        if let Some(r) = &k.result {
            let text = String::from_utf8_lossy(r);
            let text = text.trim_end_matches('\n');
            let head: String = text.chars().take(SHOWN_RESULT_CHARS).collect();
            let more = if head.len() < text.len() { " ..." } else { "" };
            s += &format!("  - Result: {}{more}\n", escape(&head));
        }
        if let Some(e) = &k.error {
            s += &format!("  - Error: {}\n", escape(e));
        }
        s.push('\n');
        self.block(&s)
    }

    pub fn shown(&self, t: &TaskInfo) -> io::Result<()> {
        if self.json {
            return self.json_line(t);
        }
        let task = &t.task;
        let mut s = format!(
            "Task {}:\n  - State: {}\n  - Type: {}\n  - Priority: {}\n  - Payload: {}\n  - Created at: {}\n",
            task.id,
            t.state,
            task.kind,
            self.priority(task.priority),
            payload_text(&task.payload),
            local_date_time(&task.created_at),
        );
        if let Some(g) = &task.group {
            s += &format!("  - Group: {g}\n");
        }
        match t.max_attempts {
            Some(max) => s += &format!("  - Attempt: {} of {max}\n", task.attempt),
            None => s += &format!("  - Attempts so far: {}\n", task.attempt),
        }
        if let Some(c) = &t.consumer {
            s += &format!("  - Held by: {c}");
            if let Some(at) = t.claimed_at {
                s += &format!(", since {}", local_date_time(&at));
            }
            s.push('\n');
        }
        for (label, at) in [
            (
                "Due at",
                t.task.due_at.filter(|_| t.state == State::Scheduled),
            ),
            ("Expires at", t.task.expires_at),
            ("Lease until", t.lease_until),
            ("Retry at", t.retry_at),
            ("Died at", t.died_at),
        ] {
            if let Some(at) = at {
                s += &format!("  - {label}: {}\n", local_date_time(&at));
            }
        }
        if let Some(e) = &t.error {
            s += &format!("  - Last error: {}\n", escape(e));
        }
        // Flows (issue 24).
        for (label, ids) in [
            ("Parents", &t.task.parents),
            ("Waits for", &t.flow.waits_for),
            ("Dependents", &t.flow.dependents),
        ] {
            if !ids.is_empty() {
                let shown: Vec<String> = ids.iter().map(|p| crate::task::show_ref(p)).collect();
                s += &format!("  - {label}: {}\n", shown.join(", "));
            }
        }
        s += &ctl_lines(&t.ctl);
        s.push('\n');
        self.block(&s)
    }

    /// `list`: a table of tasks as `peek`'s, with the columns their state has (holder, lease,
    /// due, retry, death time), each error on a line below its task; or a JSON line each.
    pub fn listed(&self, tasks: &[TaskInfo]) -> io::Result<()> {
        if self.json {
            for t in tasks {
                self.json_line(t)?;
            }
            return Ok(());
        }
        type Extra = fn(&TaskInfo) -> Option<String>;
        let extras: [(Column, Extra); 6] = [
            (Column::left("HELD BY"), |t| t.consumer.clone()),
            (Column::left("LEASE UNTIL"), |t| {
                t.lease_until.as_ref().map(local_time)
            }),
            (Column::left("DUE"), |t| {
                t.task
                    .due_at
                    .filter(|_| t.state == State::Scheduled)
                    .as_ref()
                    .map(local_time)
            }),
            (Column::left("RETRY AT"), |t| {
                t.retry_at.as_ref().map(local_time)
            }),
            (Column::left("DIED"), |t| t.died_at.as_ref().map(local_time)),
            (Column::left("PROGRESS"), |t| {
                t.ctl.progress.as_ref().map(|p| format!("{}%", p.percent))
            }),
        ];
        let shown: Vec<&(Column, Extra)> = extras
            .iter()
            .filter(|(_, get)| tasks.iter().any(|t| get(t).is_some()))
            .collect();
        let mut cols = super::TASK_COLUMNS.to_vec();
        cols.extend(shown.iter().map(|(c, _)| *c));
        cols.push(Column::left("PAYLOAD"));
        let rows: Vec<Row> = tasks
            .iter()
            .map(|t| {
                let mut cells = self.task_cells(&t.task);
                for (_, get) in &shown {
                    cells.push(Cell::plain(get(t).unwrap_or_else(|| "-".into())));
                }
                cells.push(Cell::plain(payload_text(&t.task.payload)));
                Row {
                    cells,
                    under: t.error.as_ref().map(|e| format!("error: {}", escape(e))),
                }
            })
            .collect();
        self.table(&cols, &rows)
    }

    /// `cancel`: what became of one task.
    pub fn cancelled(&self, c: &Cancelled) -> io::Result<()> {
        if self.json {
            return self.json_line(c);
        }
        // A task of another queue (`flow cancel` across queues): QUEUE=ID, as its parents are.
        let id = match &c.queue {
            Some(q) => format!("{q}={}", c.id),
            None => c.id.clone(),
        };
        match (&c.consumer, c.state) {
            (Some(who), State::InFlight) => self.line(&format!(
                "Cancelled task {id}: in flight at {who}, which stops its handler within a second"
            )),
            _ => self.line(&format!("Cancelled task {id} ({}): removed", c.state)),
        }
    }

    /// `move`: the task as it is after the move, as `show` prints it in JSON; a line for people.
    pub fn moved(&self, t: &TaskInfo) -> io::Result<()> {
        if self.json {
            return self.json_line(t);
        }
        self.line(&format!(
            "Moved task {}: {}, {}",
            t.task.id,
            self.priority(t.task.priority),
            t.state
        ))
    }

    /// `queues`: a table, or a JSON line per queue.
    pub fn queues(&self, qs: &[QueueCounts]) -> io::Result<()> {
        if self.json {
            for q in qs {
                self.json_line(q)?;
            }
            return Ok(());
        }
        let mut cols = vec![Column::left("QUEUE")];
        cols.extend(
            [
                "SHARDS",
                "WAITING",
                "SCHEDULED",
                "IN FLIGHT",
                "RETRYING",
                "DEAD",
                "PAUSED",
            ]
            .map(Column::right),
        );
        let rows: Vec<Row> = qs
            .iter()
            .map(|q| Row {
                cells: [
                    q.queue.clone(),
                    q.shards.to_string(),
                    q.counts.waiting.to_string(),
                    q.counts.scheduled.to_string(),
                    q.counts.in_flight.to_string(),
                    q.counts.retrying.to_string(),
                    q.counts.dead.to_string(),
                    super::controls::paused_short(&q.paused),
                ]
                .map(Cell::plain)
                .into(),
                under: None,
            })
            .collect();
        self.table(&cols, &rows)
    }
}

/// Issue 25: what a task's handlers said through `rpq ctl`, as lines of `show`.
fn ctl_lines(c: &crate::queue::CtlInfo) -> String {
    let mut s = String::new();
    if let Some(p) = &c.progress {
        s += &format!("  - Progress: {}%", p.percent);
        if !p.message.is_empty() {
            s += &format!(" ({})", escape(&p.message));
        }
        s += &format!(", at {}\n", local_date_time(&p.at));
    }
    for (k, v) in &c.checkpoints {
        s += &format!("  - Checkpoint {}: {}\n", escape(k), escape(v));
    }
    for (k, n) in &c.once {
        s += &format!("  - Once {}: done in attempt {n}\n", escape(k));
    }
    for ch in &c.children {
        s += &format!(
            "  - Child (queued when done): {} ({}, priority {})\n",
            ch.id,
            escape(&ch.kind),
            ch.priority
        );
    }
    if !c.log.is_empty() {
        s += "  - Log:\n";
        for l in &c.log {
            s += &format!(
                "      {} [attempt {}] {}\n",
                local_time(&l.at),
                l.attempt,
                escape(&l.text)
            );
        }
    }
    s
}
