//! `show`, `list`, `cancel`, `move` and `queues`: a block per task, a line per task, what was
//! done to each task, a table of queues; one JSON object a line with `--json`.

use super::{escape, local_date_time, local_time, payload_text, Output};
use crate::queue::{Cancelled, Kept, KeptOutcome, QueueCounts, State, TaskInfo};
use std::io;

/// How much of a kept result `show` prints (escaped, on one line); `rpq result` prints it all.
const SHOWN_RESULT_CHARS: usize = 200;

impl Output {
    /// `show`: a block per task in the seed's style, or its JSON line.
    /// A task that is gone but whose result (or error) is kept (issue 11): its state `done`
    /// (or `dead`), when it finished, and the start of its result; `rpq result` has all of it.
    pub fn shown_finished(&self, k: &Kept) -> io::Result<()> {
        if self.json {
            let mut v = serde_json::to_value(k)?;
            if let Some(o) = v.as_object_mut() {
                let state = o.remove("outcome").unwrap_or_default();
                o.insert("state".into(), state);
            }
            return self.json_line(&v);
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
        s.push('\n');
        self.block(&s)
    }

    /// `list`: one line per task (as `peek`'s, with what its state knows), or its JSON line.
    pub fn listed(&self, t: &TaskInfo) -> io::Result<()> {
        if self.json {
            return self.json_line(t);
        }
        let task = &t.task;
        let mut s = format!(
            "{}  {}  {}  {}  {}",
            task.id,
            self.priority_padded(task.priority, 6),
            local_time(&task.created_at),
            task.kind,
            payload_text(&task.payload),
        );
        if task.attempt > 0 {
            s += &format!("  attempt {}", task.attempt);
        }
        if let Some(c) = &t.consumer {
            s += &format!("  held by {c}");
        }
        for (label, at) in [
            ("due", t.task.due_at.filter(|_| t.state == State::Scheduled)),
            ("until", t.lease_until),
            ("retry at", t.retry_at),
            ("died", t.died_at),
        ] {
            if let Some(at) = at {
                s += &format!("  {label} {}", local_time(&at));
            }
        }
        if let Some(e) = &t.error {
            s += &format!("\n  error: {}", escape(e));
        }
        s.push('\n');
        self.block(&s)
    }

    /// `cancel`: what became of one task.
    pub fn cancelled(&self, c: &Cancelled) -> io::Result<()> {
        if self.json {
            return self.json_line(c);
        }
        match (&c.consumer, c.state) {
            (Some(who), State::InFlight) => self.line(&format!(
                "Cancelled task {}: in flight at {who}, which stops its handler within a second",
                c.id
            )),
            _ => self.line(&format!("Cancelled task {} ({}): removed", c.id, c.state)),
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
        if qs.is_empty() {
            return Ok(());
        }
        let head = [
            "QUEUE",
            "SHARDS",
            "WAITING",
            "SCHEDULED",
            "IN FLIGHT",
            "RETRYING",
            "DEAD",
            "PAUSED",
        ];
        let rows: Vec<[String; 8]> = qs
            .iter()
            .map(|q| {
                [
                    q.queue.clone(),
                    q.shards.to_string(),
                    q.counts.waiting.to_string(),
                    q.counts.scheduled.to_string(),
                    q.counts.in_flight.to_string(),
                    q.counts.retrying.to_string(),
                    q.counts.dead.to_string(),
                    super::controls::paused_short(&q.paused),
                ]
            })
            .collect();
        let mut width = head.map(str::len);
        for r in &rows {
            for (w, cell) in width.iter_mut().zip(r) {
                *w = (*w).max(cell.len());
            }
        }
        let mut text = String::new();
        let cells = std::iter::once(head.map(String::from)).chain(rows);
        for row in cells {
            let mut line = format!("{:<w$}", row[0], w = width[0]);
            for (cell, w) in row.iter().zip(width).skip(1) {
                line += &format!("  {cell:>w$}");
            }
            text += line.trim_end();
            text.push('\n');
        }
        self.block(&text)
    }
}
