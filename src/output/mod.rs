//! Every write to stdout and stderr: the human blocks of the seed's example and the NDJSON
//! lines, tables (one helper, `Output::table`, for `peek`, `list`, `dead list` and `queues`),
//! the progress line, the prompt, and diagnostics (`note`). Task data shown to people goes
//! through `escape` first.
//! `Output` is built once from the config and handed to the commands, which never test
//! `--json` or print themselves; only `log::report` writes the final error line. A unit test
//! holds the rest of `src/` to that.

pub mod bench;
mod controls;
mod flow;
mod inspect;
mod migrate;
mod progress;
pub mod records;
mod stats;

pub use inspect::finished_json;
pub use progress::Progress;
// A note is a log event; the commands say them through `Output`'s module like the rest.
pub use crate::log::note;

use crate::config::Config;
use crate::log;
use crate::queue::{Cleared, DeadMoved, DeadTask, Lengths, Removed};
use crate::schedule::Listed;
use crate::task::{given_duration, rfc3339, short_duration, Priority, Task};
use anyhow::{Context, Result};
use chrono::{DateTime, Local, Utc};
use serde::Serialize;
use serde_json::json;
use std::io::{self, BufRead, Write};
use std::os::fd::AsFd;
use std::time::Duration;

/// How a consumer finished with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Processed and acknowledged.
    Done,
    /// Failed; queued again after a backoff.
    Retry,
    /// Failed for the last time, or unreadable: in the dead-letter set.
    Dead,
    /// Handed back unprocessed on a second signal.
    Released,
    /// The lease expired before the ack; the task is another consumer's now.
    Lost,
    /// `rpq cancel` cancelled it while in hand: the handler was stopped, the task is gone.
    Cancelled,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Done,
        Outcome::Retry,
        Outcome::Dead,
        Outcome::Released,
        Outcome::Lost,
        Outcome::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Retry => "retry",
            Outcome::Dead => "dead",
            Outcome::Released => "released",
            Outcome::Lost => "lost",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// One consume result line.
#[derive(Debug, Clone, Serialize)]
pub struct Finished {
    #[serde(flatten)]
    pub task: Task,
    pub consumer: String,
    #[serde(with = "rfc3339")]
    pub claimed_at: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    pub finished_at: DateTime<Utc>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Output {
    json: bool,
    color: bool,
    stdout_tty: bool,
    stdout_pipe: bool,
    stderr_tty: bool,
    /// Set for a consumer that `rpq bench` runs (issue 11): its result lines are collected
    /// here instead of printed, and its handlers' stdout goes nowhere.
    collected: Option<Collected>,
}

/// The ids of the tasks a consumer reported done, for `rpq bench`'s exactly-once check.
pub type Collected = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

impl Output {
    pub fn new(cfg: &Config) -> Output {
        Output {
            json: cfg.json,
            color: cfg.color,
            stdout_tty: cfg.stdout_tty,
            stdout_pipe: cfg.stdout_pipe,
            stderr_tty: cfg.stderr_tty,
            collected: None,
        }
    }

    /// Plain text, no colour, no terminal: for tests.
    pub fn plain() -> Output {
        Output::default()
    }

    /// An output that prints nothing and collects the ids of the tasks reported done into
    /// `into` (`rpq bench` running the consumer's engine).
    pub fn collecting(into: Collected) -> Output {
        Output {
            collected: Some(into),
            ..Output::default()
        }
    }

    /// Whether a stdout line is a person's: a terminal and no `--json` (a screen redrawn in
    /// place, bars, notes meant for the eye).
    pub fn for_eyes(&self) -> bool {
        self.stdout_tty && !self.json
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn priority(&self, p: Priority) -> String {
        self.priority_padded(p, 0)
    }

    /// A priority's name, padded to `width` before it is painted, so columns line up in colour.
    fn priority_padded(&self, p: Priority, width: usize) -> String {
        self.paint(priority_colour(p), &format!("{:<width$}", p.name()))
    }

    /// `s` in the colour of priority `p`.
    fn paint_priority(&self, p: Priority, s: &str) -> String {
        self.paint(priority_colour(p), s)
    }

    /// A JSON line; one write so lines of several threads never interleave.
    fn json_line<T: Serialize>(&self, value: &T) -> io::Result<()> {
        let mut line = serde_json::to_string(value).map_err(io::Error::other)?;
        line.push('\n');
        let mut out = io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.flush()
    }

    fn block(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// `[Producer] Generated task:` and its fields.
    pub fn produced(&self, label: &str, task: &Task, queued: bool) -> io::Result<()> {
        if self.json {
            return self.json_line(&records::Produced {
                task,
                queued,
                line: None,
            });
        }
        let head = if queued {
            "Generated task:"
        } else {
            "Task already queued, not queued again:"
        };
        let mut times = String::new();
        if let Some(t) = task.due_at {
            times += &format!("  - Due at: {}\n", local_date_time(&t));
        }
        if let Some(t) = task.expires_at {
            times += &format!("  - Expires at: {}\n", local_date_time(&t));
        }
        self.block(&format!(
            "[{label}] {head}\n  - Task ID: {}\n  - Type: {}\n  - Priority: {}\n  - Created at: {}\n{times}\n",
            task.id,
            task.kind,
            self.priority(task.priority),
            local_time(&task.created_at),
        ))
    }

    /// `[c1] Got task:` and its fields, when a consumer starts on a task.
    pub fn got(&self, consumer: &str, task: &Task) -> io::Result<()> {
        if self.json || self.collected.is_some() {
            return Ok(());
        }
        let retry = if task.attempt > 1 {
            format!("  - Attempt: {}\n", task.attempt)
        } else {
            String::new()
        };
        self.block(&format!(
            "[{}] Got task:\n  - Task ID: {}\n  - Created at: {}\n  - Type: {}\n  - Priority: {}\n  - Payload: {}\n{retry}\n",
            self.paint("1", consumer),
            task.id,
            local_time(&task.created_at),
            task.kind,
            self.priority(task.priority),
            payload_text(&task.payload),
        ))
    }

    /// The line after a task: how it ended, how long it waited and how long it took. It names
    /// the consumer and the task, as several consumers may share one terminal (the demo).
    pub fn finished(&self, f: &Finished) -> io::Result<()> {
        if let Some(c) = &self.collected {
            if f.outcome == Outcome::Done {
                c.lock().unwrap().push(f.task.id.clone());
            }
            return Ok(());
        }
        if f.outcome == Outcome::Lost {
            // The "recovered lease" event of -v: this consumer's lease ran out, and the queue
            // gave (or will give) the task to another consumer.
            log::Event::debug(
                "lease_lost",
                format!(
                    "[{}] the lease on task {} ran out before its ack; the queue took it back",
                    f.consumer, f.task.id
                ),
            )
            .with("task", f.task.id.as_str())
            .with("consumer", f.consumer.as_str())
            .emit();
        }
        if self.json {
            return self.json_line(f);
        }
        let waited = (f.claimed_at - f.task.created_at)
            .to_std()
            .unwrap_or_default();
        let took = (f.finished_at - f.claimed_at).to_std().unwrap_or_default();
        let outcome = match f.outcome {
            Outcome::Done => self.paint("32", "Done"),
            Outcome::Retry => self.paint("33", "Failed, will retry"),
            Outcome::Dead => self.paint("31", "Failed, moved to the dead set"),
            Outcome::Released => self.paint("33", "Handed back"),
            Outcome::Lost => self.paint("31", "Lease lost, not acknowledged"),
            Outcome::Cancelled => self.paint("33", "Cancelled, handler stopped"),
        };
        let error = match &f.error {
            Some(e) => format!(" ({})", escape(e)),
            None => String::new(),
        };
        self.block(&format!(
            "[{}] {outcome}: task {}, waited {}, took {}{error}\n\n",
            self.paint("1", &f.consumer),
            f.task.id,
            short_duration(waited),
            short_duration(took),
        ))
    }

    /// The line of a task that could not be read and went to the dead set: NDJSON like any
    /// other task's; a person has the note on stderr already, which says it better than a
    /// block of unknown fields.
    pub fn unreadable(&self, f: &Finished) -> io::Result<()> {
        if self.collected.is_some() {
            return Ok(());
        }
        if self.json {
            return self.json_line(f);
        }
        Ok(())
    }

    /// `peek`: a table of tasks, a header row and a row each (a JSON line each).
    pub fn tasks(&self, tasks: &[Task]) -> io::Result<()> {
        if self.json {
            for t in tasks {
                self.json_line(t)?;
            }
            return Ok(());
        }
        let rows = tasks
            .iter()
            .map(|t| {
                let mut row = self.task_cells(t);
                row.push(Cell::plain(payload_text(&t.payload)));
                Row {
                    cells: row,
                    under: None,
                }
            })
            .collect::<Vec<_>>();
        let mut cols = TASK_COLUMNS.to_vec();
        cols.push(Column::left("PAYLOAD"));
        self.table(&cols, &rows)
    }

    /// The cells every task table starts with: id, priority, created, attempt, type.
    fn task_cells(&self, t: &Task) -> Vec<Cell> {
        let created = if t.unreadable {
            "?".to_string()
        } else {
            local_time(&t.created_at)
        };
        vec![
            Cell::plain(t.id.clone()),
            Cell::painted(t.priority.name(), priority_colour(t.priority)),
            Cell::plain(created),
            Cell::plain(t.attempt.to_string()),
            Cell::plain(t.kind.clone()),
        ]
    }

    /// `dead list`: a table as peek's with when each died, and its error on a line below it.
    pub fn dead(&self, dead: &[DeadTask]) -> io::Result<()> {
        if self.json {
            for d in dead {
                self.json_line(d)?;
            }
            return Ok(());
        }
        let rows = dead
            .iter()
            .map(|d| {
                let mut row = self.task_cells(&d.task);
                row.push(Cell::plain(local_time(&d.died_at)));
                row.push(Cell::plain(payload_text(&d.task.payload)));
                Row {
                    cells: row,
                    under: Some(format!("error: {}", escape(&d.error))),
                }
            })
            .collect::<Vec<_>>();
        let mut cols = TASK_COLUMNS.to_vec();
        cols.extend([Column::left("DIED"), Column::left("PAYLOAD")]);
        self.table(&cols, &rows)
    }

    /// The one table of human output: a header row, then the rows, each column as wide as its
    /// widest cell (colour takes no width), numbers on the right; the last column is not
    /// padded. A row's `under` text goes on its own indented line below it. No rows, no table.
    pub(crate) fn table(&self, cols: &[Column], rows: &[Row]) -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut width: Vec<usize> = cols.iter().map(|c| c.head.chars().count()).collect();
        for r in rows {
            for (w, c) in width.iter_mut().zip(&r.cells) {
                *w = (*w).max(c.text.chars().count());
            }
        }
        let line = |cells: Vec<(String, Option<&'static str>)>| {
            let last = cells.len() - 1;
            let mut out = String::new();
            for (i, ((text, colour), (col, w))) in
                cells.into_iter().zip(cols.iter().zip(&width)).enumerate()
            {
                if i > 0 {
                    out += "  ";
                }
                let pad = w.saturating_sub(text.chars().count());
                let shown = match colour {
                    Some(code) => self.paint(code, &text),
                    None => text,
                };
                if col.right {
                    out += &" ".repeat(pad);
                    out += &shown;
                } else {
                    out += &shown;
                    if i < last {
                        out += &" ".repeat(pad);
                    }
                }
            }
            out.trim_end().to_string() + "\n"
        };
        let mut text = line(cols.iter().map(|c| (c.head.to_string(), None)).collect());
        for r in rows {
            text += &line(r.cells.iter().map(|c| (c.text.clone(), c.colour)).collect());
            if let Some(u) = &r.under {
                text += &format!("  {u}\n");
            }
        }
        self.block(&text)
    }

    /// `rpq len`: a bare integer, or the breakdown in JSON; with `--priority`, that
    /// priority's count (in JSON `{"priority":P,"waiting":N}`).
    pub fn len(&self, priority: Option<Priority>, lengths: &Lengths) -> io::Result<()> {
        let waiting = priority.map_or(lengths.waiting, |p| lengths.of(p));
        match (self.json, priority) {
            (true, Some(p)) => self.json_line(&json!({ "priority": p, "waiting": waiting })),
            (true, None) => self.json_line(lengths),
            (false, _) => self.block(&format!("{waiting}\n")),
        }
    }

    pub fn cleared(&self, queue: &str, c: &Cleared) -> io::Result<()> {
        if self.json {
            return self.json_line(c);
        }
        let results = c
            .results
            .map_or(String::new(), |n| format!(", {n} kept results"));
        self.block(&format!(
            "Removed {} from queue '{queue}' ({} waiting, {} scheduled, {} in flight \
             (cancelled: their consumers stop them), {} retrying, {} dead){results}; kept: {}\n",
            count(c.removed, "task", "tasks"),
            c.waiting,
            c.scheduled,
            c.in_flight,
            c.retrying,
            c.dead,
            c.kept.join(", ")
        ))
    }

    /// `rpq queues remove`: what went with the queue.
    pub fn removed_queue(&self, r: &Removed) -> io::Result<()> {
        if self.json {
            return self.json_line(r);
        }
        self.line(&format!(
            "Removed queue '{}': {} ({} waiting, {} scheduled, {} in flight, {} retrying, \
             {} dead), {}, {} in all",
            r.queue,
            count(r.tasks, "task", "tasks"),
            r.waiting,
            r.scheduled,
            r.in_flight,
            r.retrying,
            r.dead,
            count(r.results, "kept result", "kept results"),
            count(r.keys, "key", "keys")
        ))
    }

    /// `rpq schedule add`: the schedule as stored, with its next fire time.
    pub fn schedule_added(&self, s: &Listed, replaced: bool) -> io::Result<()> {
        if self.json {
            return self.json_line(s);
        }
        let next = s.next_at.map_or("never".into(), |t| local_date_time(&t));
        self.line(&format!(
            "{} schedule '{}': {}, task {} ({}), next at {next}",
            if replaced { "Replaced" } else { "Added" },
            s.name,
            s.def.describe(),
            s.def.kind,
            s.def.priority,
        ))
    }

    pub fn schedule_removed(&self, name: &str) -> io::Result<()> {
        if self.json {
            // `removed` is a count wherever it is printed (clear, limit --off).
            return self.json_line(&json!({ "name": name, "removed": 1 }));
        }
        self.line(&format!("Removed schedule '{name}'"))
    }

    /// `rpq schedule list`: one schedule a line.
    pub fn schedules(&self, queue: &str, all: &[Listed]) -> io::Result<()> {
        if self.json {
            for s in all {
                self.json_line(s)?;
            }
            return Ok(());
        }
        if all.is_empty() {
            self.hint(&format!("queue '{queue}' has no schedules"));
        }
        for s in all {
            let when = |t: Option<DateTime<Utc>>| t.map_or("never".into(), |t| local_date_time(&t));
            self.line(&format!(
                "{}  {}  next {}  last fired {}  {} {}",
                s.name,
                s.def.describe(),
                when(s.next_at),
                when(s.last_fired_at),
                s.def.kind,
                self.priority(s.def.priority),
            ))?;
        }
        Ok(())
    }

    /// `rpq aging`: the step in force.
    /// `rpq events --enable/--disable` (issue 26).
    pub fn events_setting(&self, queue: &str, keep: Option<u64>) -> io::Result<()> {
        if self.json {
            return self.json_line(&serde_json::json!({
                "queue": queue,
                "events": keep.is_some(),
                "keep": keep,
            }));
        }
        self.line(&match keep {
            Some(n) => format!("events of queue '{queue}' on: the newest {n} are kept"),
            None => format!("events of queue '{queue}' off"),
        })
    }

    /// `webhook add`: the webhook as stored, its secret as whether it has one.
    pub fn webhook_added(
        &self,
        queue: &str,
        h: &crate::queue::webhooks::Webhook,
    ) -> io::Result<()> {
        if self.json {
            return self.json_line(&webhook_json(queue, h, None));
        }
        self.line(&format!(
            "webhook {} of queue '{queue}': {} on {}{}",
            h.id,
            h.url,
            if h.on.is_empty() {
                "every event".to_string()
            } else {
                h.on.join(",")
            },
            if h.secret.is_some() { ", signed" } else { "" }
        ))
    }

    /// `webhook list`: each webhook with its delivery state.
    pub fn webhooks(&self, queue: &str, list: &[crate::queue::webhooks::Listed]) -> io::Result<()> {
        if self.json {
            for l in list {
                self.json_line(&webhook_json(queue, &l.hook, Some(l)))?;
            }
            return Ok(());
        }
        if list.is_empty() {
            return self.line(&format!("queue '{queue}' has no webhooks"));
        }
        let mut t = String::new();
        for l in list {
            let s = &l.state;
            t += &format!(
                "{}  {}  on {}{}\n  delivered {}, failed tries {}, given up {}, pending {}{}",
                l.hook.id,
                l.hook.url,
                if l.hook.on.is_empty() {
                    "every event".to_string()
                } else {
                    l.hook.on.join(",")
                },
                if l.hook.secret.is_some() {
                    ", signed"
                } else {
                    ""
                },
                s.delivered,
                s.failures,
                s.given_up,
                l.pending,
                l.lag.map_or(String::new(), |n| format!(", not read {n}"))
            );
            if let Some(e) = &s.last_error {
                t += &format!("\n  last error: {e}");
            }
            t += "\n";
        }
        self.block(&t)
    }

    pub fn webhook_removed(&self, queue: &str, which: &str) -> io::Result<()> {
        if self.json {
            return self.json_line(&serde_json::json!({"queue": queue, "removed": 1}));
        }
        self.line(&format!("removed webhook {which} of queue '{queue}'"))
    }

    /// One lifecycle event: its JSON line, or one line for a person.
    pub fn event(&self, e: &crate::queue::events::Event) -> io::Result<()> {
        if self.json {
            return self.json_line(e);
        }
        let mut t = format!(
            "{}  {:<9}",
            e.at.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S%.3f"),
            e.event
        );
        if let Some(id) = &e.id {
            t += &format!(" {id}");
        }
        let mut about = vec![];
        if let Some(k) = &e.kind {
            about.push(k.clone());
        }
        if let Some(p) = e.priority.and_then(|p| Priority::new(u64::from(p)).ok()) {
            about.push(p.name().to_string());
        }
        if let Some(g) = &e.group {
            about.push(format!("group {g}"));
        }
        if !about.is_empty() {
            t += &format!(" ({})", about.join(", "));
        }
        if let Some(a) = e.attempt {
            t += &format!(" attempt {a}");
        }
        if let Some(c) = &e.consumer {
            t += &format!(" by {c}");
        }
        if let Some(err) = &e.error {
            t += &format!(": {err}");
        }
        t += &format!("  [{}]", e.event_id);
        self.line(&t)
    }

    /// The groups with waiting tasks (issue 23, `rpq groups`): a table, or a JSON line each.
    pub fn groups(&self, groups: &[crate::queue::GroupInfo]) -> io::Result<()> {
        if self.json {
            for g in groups {
                self.json_line(g)?;
            }
            return Ok(());
        }
        let rows: Vec<Row> = groups
            .iter()
            .map(|g| Row {
                cells: vec![
                    Cell::plain(escape(g.group.as_deref().unwrap_or("(none)"))),
                    Cell::plain(g.waiting.to_string()),
                    Cell::plain(g.in_flight.to_string()),
                    Cell::plain(g.weight.to_string()),
                    Cell::plain(group_limit_short(g)),
                    Cell::plain(match (g.group_paused, g.group_paused_until) {
                        (false, _) => "-".to_string(),
                        (true, None) => "until resumed".to_string(),
                        (true, Some(t)) => format!("until {}", local_date_time(&t)),
                    }),
                ],
                under: None,
            })
            .collect();
        let cols = [
            Column::left("GROUP"),
            Column::right("WAITING"),
            Column::right("IN FLIGHT"),
            Column::right("WEIGHT"),
            Column::left("LIMIT"),
            Column::left("PAUSED"),
        ];
        self.table(&cols, &rows)
    }

    /// A group's weight (issue 23, `rpq group weight`).
    pub fn group_weight(&self, queue: &str, group: &str, weight: u32) -> io::Result<()> {
        if self.json {
            return self.json_line(&json!({ "group": group, "weight": weight }));
        }
        self.line(&format!(
            "group '{group}' of queue '{queue}': weight {weight}"
        ))
    }

    pub fn aging(&self, queue: &str, step: Option<Duration>) -> io::Result<()> {
        if self.json {
            return self.json_line(&json!({ "aging_ms": step.map(|d| d.as_millis() as u64) }));
        }
        match step {
            None => self.line(&format!("aging off on queue '{queue}': strict priority")),
            Some(d) => self.line(&format!(
                "aging {} on queue '{queue}': a waiting task is claimed as if one priority higher for every {} it has waited",
                given_duration(d),
                given_duration(d)
            )),
        }
    }

    /// `rpq config`: each setting, its value and where it came from.
    pub fn config(&self, cfg: &Config) -> io::Result<()> {
        if self.json {
            let settings: serde_json::Map<String, serde_json::Value> = cfg
                .settings
                .iter()
                .map(|s| {
                    (
                        s.name.to_string(),
                        json!({"value": s.value, "source": s.source.kind(), "from": s.source.from()}),
                    )
                })
                .collect();
            return self.json_line(&json!({
                "file": cfg.file.as_ref().map(|f| f.display().to_string()),
                "profile": cfg.profile,
                "settings": settings,
            }));
        }
        let mut t = format!(
            "{:<13}{}\n{:<13}{}\n",
            "config file",
            cfg.file
                .as_ref()
                .map_or("none".to_string(), |f| f.display().to_string()),
            "profile",
            cfg.profile.as_deref().unwrap_or("none"),
        );
        for s in &cfg.settings {
            let value = match &s.value {
                serde_json::Value::Null => "-".to_string(),
                serde_json::Value::String(v) => v.clone(),
                other => other.to_string(),
            };
            let from = match s.source.from() {
                Some(f) => format!("{} {f}", s.source.kind()),
                None => s.source.kind().to_string(),
            };
            t += &format!("{:<13}{value:<40} {from}\n", s.name);
        }
        self.block(&t)
    }

    /// Bytes on stdout as they are (a completion script).
    pub fn raw(&self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// A line of text on stdout, for human-only results.
    fn line(&self, text: &str) -> io::Result<()> {
        self.block(&format!("{text}\n"))
    }

    /// `dead retry` and `dead purge`: how many tasks moved (and, in JSON, the ids given that
    /// were not dead, when there are any).
    pub fn dead_moved(&self, op: &str, m: &DeadMoved) -> io::Result<()> {
        let n = m.moved;
        match (self.json, op) {
            (true, _) => self.json_line(&records::DeadMovedNow::new(op == "retry", m)),
            (false, "retry") => self.line(&format!(
                "Queued {} again",
                count(n, "dead task", "dead tasks")
            )),
            (false, _) => self.line(&format!("Purged {}", count(n, "dead task", "dead tasks"))),
        }
    }

    /// `produce` with one task given by flags that was not queued (its id is known). JSON
    /// prints the line with `queued: false`; a person gets a note.
    pub fn not_queued(&self, label: &str, task: &Task) -> io::Result<()> {
        if self.json {
            return self.produced(label, task, false);
        }
        log::Event::info(
            "not_queued",
            format!("task {} is already queued; not queued again", task.id),
        )
        .with("task", task.id.as_str())
        .emit();
        Ok(())
    }

    // The worker runtime (issue 11).

    /// `produce` of a task whose id is that of a task done, its result still kept: not queued.
    /// JSON prints the line with `queued: false` and `done_at`; a person gets a note.
    pub fn already_done(&self, task: &Task, at: &DateTime<Utc>) -> io::Result<()> {
        if self.json {
            #[derive(Serialize)]
            struct Line<'a> {
                #[serde(flatten)]
                task: &'a Task,
                queued: bool,
                #[serde(with = "rfc3339")]
                done_at: &'a DateTime<Utc>,
            }
            return self.json_line(&Line {
                task,
                queued: false,
                done_at: at,
            });
        }
        log::Event::info(
            "already_done",
            format!(
                "task {} is already done (at {}) and its result is kept; not queued again",
                task.id,
                local_date_time(at)
            ),
        )
        .with("task", task.id.as_str())
        .with("done_at", rfc3339::format(at))
        .emit();
        Ok(())
    }

    /// A task's kept result (`rpq result`, `produce --wait`): what its handler wrote, byte for
    /// byte, so `out=$(rpq result ID)` is that; with --json the record as one line.
    pub fn kept(&self, k: &crate::queue::Kept) -> io::Result<()> {
        if self.json {
            return self.json_line(k);
        }
        match &k.result {
            Some(bytes) => self.raw(bytes),
            None => Ok(()),
        }
    }

    /// Each task of a `produce --stdin` batch once it was pushed: a JSON line each; a person
    /// gets the summary at the end instead.
    pub fn imported(&self, task: &Task, queued: bool) -> io::Result<()> {
        if self.json {
            return self.produced("Producer", task, queued);
        }
        Ok(())
    }

    /// A `--stdin` line that is not a task, by number.
    pub fn bad_line(&self, progress: &mut Progress, line_no: u64, why: &str) {
        progress.clear();
        log::Event::error("bad_line", format!("line {line_no}: {why}"))
            .with("line", line_no)
            .with("error", why)
            .bare()
            .emit();
    }

    /// The end of `produce --stdin`, for a person.
    pub fn import_summary(&self, queued: u64, duplicates: u64, bad: u64) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        let mut msg = format!("Queued {}", count(queued, "task", "tasks"));
        if duplicates > 0 {
            msg += &format!(", {duplicates} already queued");
        }
        if bad > 0 {
            msg += &format!(", {} skipped", count(bad, "bad line", "bad lines"));
        }
        self.line(&msg)
    }

    /// Whether `hint` says anything (stderr is a terminal): to skip work only a hint needs.
    pub fn hints(&self) -> bool {
        self.stderr_tty
    }

    /// A note said only to a person at a terminal (stderr), such as "queue 'x' is empty".
    pub fn hint(&self, text: &str) {
        if self.stderr_tty {
            note(text);
        }
    }

    /// Asks a yes/no question on stderr and reads the answer from stdin; anything but y or yes
    /// is a no, and says so.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        let mut err = io::stderr().lock();
        write!(err, "{question} [y/N] ")?;
        err.flush()?;
        let mut answer = String::new();
        io::stdin()
            .lock()
            .read_line(&mut answer)
            .context("reading the answer")?;
        let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
        if !yes {
            writeln!(err, "Nothing removed.")?;
        }
        Ok(yes)
    }

    /// A progress line on stderr, shown only when stderr is a terminal (and not under JSON
    /// logs, where every stderr line is an event).
    pub fn progress(&self, label: &str, of: Option<u64>) -> Progress {
        Progress::new(self.stderr_tty && !log::json(), label, of)
    }

    /// Whether the reader of stdout has left (a pipe whose reading end is closed, as under
    /// `rpq consume --json | head -1`): a line written now would reach no one. Asked without
    /// writing, so a consumer can stop before it claims a task it could not report. A
    /// terminal, a file, or a reader still there: false.
    pub fn reader_gone(&self) -> bool {
        if self.collected.is_some() {
            return false;
        }
        let mut p = libc::pollfd {
            fd: libc::STDOUT_FILENO,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one pollfd on this stack frame, its count given; no wait.
        let ready = unsafe { libc::poll(&mut p, 1, 0) };
        ready > 0 && p.revents & (libc::POLLERR | libc::POLLHUP) != 0
    }

    /// Whether stdout is a pipe, whose reader may leave with lines written but unread.
    pub fn to_pipe(&self) -> bool {
        self.stdout_pipe && self.collected.is_none()
    }

    /// Waits until what was written to stdout has been read from its pipe (at once when stdout
    /// is no pipe), its reader left, or `give_up` says so (looked at every few milliseconds).
    /// No event tells a writer that a pipe was emptied, so this looks at how much it holds
    /// (FIONREAD), at first often (a reader that keeps up takes a line within microseconds),
    /// then every 20 ms; in between it sleeps in poll, which a reader that leaves ends at once.
    pub fn wait_read(&self, give_up: &dyn Fn() -> bool) -> Delivery {
        if !self.to_pipe() {
            return Delivery::Read;
        }
        let mut step = Duration::from_micros(20);
        let mut gone = false;
        loop {
            let mut unread: libc::c_int = 0;
            // SAFETY: FIONREAD writes one int, into a local; on a pipe's writing end it counts
            // what the pipe holds.
            let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::FIONREAD, &mut unread) };
            // Looked at after the reader left too: it may have read everything first.
            if r != 0 || unread == 0 {
                return Delivery::Read;
            }
            if gone {
                return Delivery::Gone;
            }
            // Events 0: only POLLERR or POLLHUP (the reader left) end the sleep early.
            let mut p = libc::pollfd {
                fd: libc::STDOUT_FILENO,
                events: 0,
                revents: 0,
            };
            let ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: step.as_nanos() as libc::c_long,
            };
            // SAFETY: one pollfd and one timespec of this frame; no signal mask given.
            let ready = unsafe { libc::ppoll(&mut p, 1, &ts, std::ptr::null()) };
            if ready > 0 && p.revents & (libc::POLLERR | libc::POLLHUP) != 0 {
                gone = true;
                continue;
            }
            if give_up() {
                return Delivery::GaveUp;
            }
            step = (step * 2).min(Duration::from_millis(20));
        }
    }

    /// Where an `--exec` handler's stdout goes: rpq's stdout, or stderr when stdout carries
    /// rpq's NDJSON; piped (for `log::Relay`) when that stderr carries JSON log lines.
    pub fn handler_out(&self) -> io::Result<HandlerOut> {
        Ok(if self.collected.is_some() {
            HandlerOut::Fd(std::fs::File::create("/dev/null")?.into())
        } else if self.json && log::json() {
            HandlerOut::Piped
        } else if self.json {
            HandlerOut::Fd(io::stderr().as_fd().try_clone_to_owned()?)
        } else if self.marks_handler_output() {
            HandlerOut::Piped
        } else {
            HandlerOut::Inherit
        })
    }

    /// Whether an `--exec` handler's stdout is relayed a line at a time, each marked with its
    /// task id (`log::Relay::marked`): on a person's terminal, where it would be glued to
    /// rpq's own lines. Through a pipe it stays the handler's own, byte for byte.
    pub fn marks_handler_output(&self) -> bool {
        self.for_eyes() && self.collected.is_none()
    }

    /// Takes over the terminal for frames redrawn in place (`stats --watch`): clears it and
    /// hides the cursor until the `Screen` is dropped.
    fn screen(&self) -> Screen {
        let _ = self.block("\x1b[?25l\x1b[2J");
        Screen
    }
}

/// What became of the lines written to stdout (`Output::wait_read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Read from the pipe, or stdout is no pipe.
    Read,
    /// The reader left with them unread.
    Gone,
    /// Told to stop waiting.
    GaveUp,
}

/// A column of a table: its header, and whether it lines up on the right (numbers).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub head: &'static str,
    pub right: bool,
}

impl Column {
    pub const fn left(head: &'static str) -> Column {
        Column { head, right: false }
    }

    pub const fn right(head: &'static str) -> Column {
        Column { head, right: true }
    }
}

/// The columns every task table starts with (`Output::task_cells`).
const TASK_COLUMNS: [Column; 5] = [
    Column::left("ID"),
    Column::left("PRIORITY"),
    Column::left("CREATED"),
    Column::right("ATTEMPT"),
    Column::left("TYPE"),
];

/// A cell: its text, and the colour it is painted in on a terminal.
pub(crate) struct Cell {
    pub text: String,
    pub colour: Option<&'static str>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            colour: None,
        }
    }

    pub fn painted(text: impl Into<String>, colour: &'static str) -> Cell {
        Cell {
            text: text.into(),
            colour: Some(colour),
        }
    }
}

/// A row of a table, and a line to show below it (an error), if any.
pub(crate) struct Row {
    pub cells: Vec<Cell>,
    pub under: Option<String>,
}

/// Where a handler's stdout goes (`Output::handler_out`).
pub enum HandlerOut {
    /// rpq's own stdout, as it is.
    Inherit,
    /// This fd: a copy of rpq's stderr when stdout carries NDJSON (or /dev/null for a bench).
    Fd(std::os::fd::OwnedFd),
    /// A pipe rpq reads: a kept result, or JSON log lines.
    Piped,
}

/// A terminal redrawn in place, like top. Only for a stdout that is a terminal.
pub struct Screen;

impl Screen {
    /// Draws `text` from the top left over the previous frame: each line is cleared to its end
    /// and whatever the last frame left below is cleared, so nothing flickers or lingers. Like
    /// top, it is clipped to the terminal: a line wider than it would wrap, and a frame taller
    /// than it would scroll, and either would leave pieces of old frames in the scrollback.
    pub fn frame(&self, text: &str) -> io::Result<()> {
        let (rows, cols) = crate::config::terminal_size().unwrap_or((usize::MAX, usize::MAX));
        let mut f = String::from("\x1b[H");
        // The last row stays empty: a newline there would scroll the screen.
        for line in text.lines().take(rows.saturating_sub(1).max(1)) {
            f += &clip(line, cols);
            f += "\x1b[K\n";
        }
        f += "\x1b[J";
        let mut out = io::stdout().lock();
        out.write_all(f.as_bytes())?;
        out.flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let mut out = io::stdout().lock();
        let _ = out.write_all(b"\x1b[?25h");
        let _ = out.flush();
    }
}

/// The first `cols` columns of a line that may hold colour codes (which take none); colour is
/// reset where the line was cut.
fn clip(line: &str, cols: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            out.push(c);
            // ESC [ ... final byte: copied whole, it shows nothing.
            for e in chars.by_ref() {
                out.push(e);
                if e.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        if shown == cols {
            out += "\x1b[0m";
            break;
        }
        out.push(c);
        shown += 1;
    }
    out
}

fn priority_colour(p: Priority) -> &'static str {
    match p {
        Priority::HIGH => "1;31",
        Priority::MEDIUM => "33",
        _ => "2",
    }
}

/// A time for people, local: the time of day when it is today, with its date when not
/// (`due 09:00:00` for a day next March would be wrong).
pub fn local_time(t: &DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    if local.date_naive() == Local::now().date_naive() {
        local.format("%H:%M:%S").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A date and time for people, local, with its offset: times of schedules and due times may be
/// days away.
pub fn local_date_time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S%:z")
        .to_string()
}

fn payload_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => escape(s),
        other => escape(&other.to_string()),
    }
}

/// Task data as a terminal may show it: control characters escaped as redis-cli does (`\n`,
/// `\t`, `\x1b`), so a payload, a handler's error or a result can neither break a line nor
/// paint the terminal; bidirectional controls (U+202E...) too, which would turn the rest of the
/// line around. Everything else, backslashes too, is left as written.
pub fn escape(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if (c as u32) < 0x100 && c.is_control() => out += &format!("\\x{:02x}", c as u32),
            c if c.is_control() || is_bidi_control(c) => out += &format!("\\u{{{:04x}}}", c as u32),
            c => out.push(c),
        }
    }
    out
}

/// The marks, embeddings, overrides and isolates of Unicode's bidirectional algorithm.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `n` and the noun, in the plural unless n is 1: `1 task`, `3 tasks`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A webhook's JSON line: never its secret, only whether it has one (also the API's, issue 26).
pub fn webhook_json(
    queue: &str,
    h: &crate::queue::webhooks::Webhook,
    listed: Option<&crate::queue::webhooks::Listed>,
) -> serde_json::Value {
    let mut v = serde_json::json!({
        "queue": queue,
        "id": h.id,
        "url": h.url,
        "on": h.on,
        "signed": h.secret.is_some(),
    });
    if let Some(l) = listed {
        let s = &l.state;
        v["delivery"] = serde_json::json!({
            "delivered": s.delivered,
            "failures": s.failures,
            "given_up": s.given_up,
            "pending": l.pending,
            "lag": l.lag,
            "last_event_id": s.last_event_id,
            "last_status": s.last_status,
            "last_error": s.last_error,
            "last_at": s.last_at_ms.map(|ms| rfc3339::format(&crate::task::ms_to_time(ms))),
        });
    }
    v
}

/// A group's limit in a table cell: `2 in flight, 5/1s`, or `-`.
fn group_limit_short(g: &crate::queue::GroupInfo) -> String {
    let mut parts = Vec::new();
    if let Some(m) = g.max_in_flight {
        parts.push(format!("{m} in flight"));
    }
    if let (Some(n), Some(per)) = (g.rate, g.per_ms) {
        let per = humantime::format_duration(std::time::Duration::from_millis(per));
        parts.push(format!("{n}/{per}"));
    }
    if parts.is_empty() {
        return "-".into();
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_data_is_escaped_plurals_agree_durations_read_as_given() {
        assert_eq!(
            escape("a\nb\x1b[31mRED\t\u{7f}\u{9b}ü"),
            "a\\nb\\x1b[31mRED\\t\\x7f\\x9bü"
        );
        assert_eq!(escape("C:\\plain"), "C:\\plain");
        assert_eq!(count(1, "task", "tasks"), "1 task");
        assert_eq!(count(0, "task", "tasks"), "0 tasks");
        assert_eq!(given_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(given_duration(Duration::from_secs(90)), "1m 30s");
        assert_eq!(given_duration(Duration::from_millis(250)), "250ms");
        let march = Local::now() + chrono::Duration::days(100);
        assert_eq!(
            local_time(&march.with_timezone(&Utc)),
            march.format("%Y-%m-%d %H:%M:%S").to_string()
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(short_duration(Duration::from_millis(12)), "12ms");
        assert_eq!(short_duration(Duration::from_millis(1500)), "1.50s");
        assert_eq!(short_duration(Duration::from_secs(185)), "3m05s");
    }

    /// Only this module, the log (`log.rs`, its stderr and a handler's relayed lines) and the
    /// error reporter write to stdout or stderr (config.rs asks whether they are terminals,
    /// nothing more).
    #[test]
    fn nothing_else_in_src_prints() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                    continue;
                }
                let rel = path.to_string_lossy().replace('\\', "/");
                let rel = rel.split("/src/").last().unwrap_or("").to_string();
                if !rel.ends_with(".rs")
                    || rel.starts_with("output/")
                    || rel == "log.rs"
                    || rel == "error.rs"
                {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    let writes = ["print!(", "println!(", "eprint!(", "eprintln!(", "dbg!("]
                        .iter()
                        .any(|m| code.contains(m));
                    let streams = rel != "config.rs"
                        && (code.contains("::stdout()") || code.contains("::stderr()"));
                    if writes || streams {
                        found.push(format!("src/{rel}:{}: {}", i + 1, line.trim()));
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "printing outside output/:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn lines_are_clipped_by_what_shows() {
        assert_eq!(clip("abcdef", 4), "abcd\x1b[0m");
        assert_eq!(clip("ab", 4), "ab");
        assert_eq!(
            clip("\x1b[1;31mhigh\x1b[0m ███", 6),
            "\x1b[1;31mhigh\x1b[0m █\x1b[0m"
        );
    }

    #[test]
    fn outcomes_serialize_lowercase() {
        assert_eq!(
            serde_json::to_string(&Outcome::Released).unwrap(),
            "\"released\""
        );
        assert_eq!(Outcome::Dead.as_str(), "dead");
        for o in Outcome::ALL {
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                format!("\"{}\"", o.as_str())
            );
        }
    }
}
