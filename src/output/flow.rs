//! `rpq flow submit` (issue 24): each task's name and id.

use super::Output;
use serde_json::json;
use std::io;

impl Output {
    /// One line a task, parents first: its local name and its id (and when its id was queued
    /// already, so not again); in JSON `{"name","id","queued"}`.
    pub fn flow_submitted(&self, rows: &[(&str, &str, bool)]) -> io::Result<()> {
        if self.json {
            for (name, id, queued) in rows {
                self.json_line(&json!({ "name": name, "id": id, "queued": queued }))?;
            }
            return Ok(());
        }
        let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let mut s = String::new();
        for (name, id, queued) in rows {
            s += &format!("{name:<width$}  {id}");
            if !queued {
                s += "  (already queued: not queued again)";
            }
            s.push('\n');
        }
        self.block(&s)
    }

    /// `flow cancel` found the task and nothing downstream of it left to run (a line for
    /// people; nothing in JSON, where each task cancelled is a line).
    pub fn flow_nothing_cancelled(&self, id: &str) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        self.line(&format!(
            "Nothing to cancel: task {id} and every task after it ran already"
        ))
    }

    /// `flow window`: the finished window; in JSON `{"window_ms"}`.
    pub fn flow_window(&self, w: std::time::Duration, set: bool) -> io::Result<()> {
        if self.json {
            return self.json_line(&json!({ "window_ms": w.as_millis() as u64 }));
        }
        let d = crate::task::given_duration(w);
        self.line(&if set {
            format!("Finished ids are known for {d} (the finished window of flows)")
        } else {
            d
        })
    }
}
