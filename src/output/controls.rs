//! `pause`, `resume` and `limit`: the pauses and limits in force, for people (a line each) or
//! as NDJSON; and the short forms `stats` and `queues` show them in.

use super::{local_date_time, Output};
use crate::queue::{Limit, Paused};
use crate::task::Priority;
use serde_json::json;
use std::io;
use std::time::Duration;

impl Output {
    /// `pause` and `resume`: what is paused after the command, in one line.
    pub fn paused(&self, queue: &str, paused: &[Paused]) -> io::Result<()> {
        if self.json {
            return self.json_line(&super::records::PausedNow { paused, queue });
        }
        if paused.is_empty() {
            return self.line(&format!("queue '{queue}' is not paused"));
        }
        self.line(&format!("queue '{queue}' paused: {}", paused_text(paused)))
    }

    /// `limit`: one limit a line (NDJSON with --json).
    pub fn limits(&self, queue: &str, limits: &[Limit]) -> io::Result<()> {
        if self.json {
            for l in limits {
                self.json_line(l)?;
            }
            return Ok(());
        }
        if limits.is_empty() {
            self.hint(&format!("queue '{queue}' has no limits"));
        }
        for l in limits {
            self.line(&format!("{}: {}", limit_subject(l), limit_text(l)))?;
        }
        Ok(())
    }

    /// `limit --group KEY --off`, `limit --each-group --off` (issue 23).
    pub fn group_limit_removed(&self, group: Option<&str>, removed: bool) -> io::Result<()> {
        if self.json {
            let n = u64::from(removed);
            return match group {
                Some(g) => self.json_line(&json!({ "group": g, "removed": n })),
                None => self.json_line(&json!({ "each_group": true, "removed": n })),
            };
        }
        if removed {
            let what = group.map_or("each group".to_string(), |g| format!("group '{g}'"));
            return self.line(&format!("removed the limits on {what}"));
        }
        Ok(())
    }

    /// `pause --group KEY`, `resume --group KEY` (issue 23): the group's pause after it.
    pub fn group_paused(
        &self,
        queue: &str,
        group: &str,
        paused: bool,
        until: Option<chrono::DateTime<chrono::Utc>>,
    ) -> io::Result<()> {
        if self.json {
            let until = until.map(|t| crate::task::rfc3339::format(&t));
            return self.json_line(&json!({
                "queue": queue, "group": group, "group_paused": paused,
                "group_paused_until": until
            }));
        }
        if !paused {
            return self.line(&format!("group '{group}' of queue '{queue}' is not paused"));
        }
        let until = until.map_or("until resumed".to_string(), |t| {
            format!("until {}", local_date_time(&t))
        });
        self.line(&format!(
            "group '{group}' of queue '{queue}' paused {until}"
        ))
    }

    /// `limit --off`.
    pub fn limit_removed(&self, kind: Option<&str>, removed: bool) -> io::Result<()> {
        if self.json {
            // `removed` is a count wherever it is printed (clear, schedule remove).
            return self.json_line(&json!({ "type": kind, "removed": u64::from(removed) }));
        }
        if removed {
            let what = kind.map_or("every task".to_string(), |k| format!("type '{k}'"));
            return self.line(&format!("removed the limits on {what}"));
        }
        Ok(())
    }
}

/// `high until resumed, low until 2026-11-28 14:30:05+01:00`.
pub fn paused_text(paused: &[Paused]) -> String {
    let all_same = paused.len() == 3 && paused.iter().all(|p| p.until == paused[0].until);
    let until = |p: &Paused| match p.until {
        Some(t) => format!("until {}", local_date_time(&t)),
        None => "until resumed".to_string(),
    };
    if all_same {
        return format!("every priority {}", until(&paused[0]));
    }
    paused
        .iter()
        .map(|p| {
            let name = Priority::new(u64::from(p.priority))
                .map_or(p.priority.to_string(), |p| p.name().to_string());
            format!("{name} {}", until(p))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// For a table cell: `-`, `all`, `high,low`, with ` until 14:30:05` when they end together.
pub fn paused_short(paused: &[Paused]) -> String {
    if paused.is_empty() {
        return "-".into();
    }
    let mut s = if paused.len() == 3 {
        "all".to_string()
    } else {
        paused
            .iter()
            .map(|p| Priority::new(u64::from(p.priority)).map_or("?", |p| p.name()))
            .collect::<Vec<_>>()
            .join(",")
    };
    if let Some(t) = paused[0]
        .until
        .filter(|_| paused.iter().all(|p| p.until == paused[0].until))
    {
        s += &format!(" until {}", super::local_time(&t));
    }
    s
}

/// `type 'email'` or `every task`.
pub fn limit_subject(l: &Limit) -> String {
    if let Some(g) = &l.group {
        return format!("group '{g}'");
    }
    if l.each_group {
        return "every group".to_string();
    }
    l.kind
        .as_deref()
        .map_or("every task".to_string(), |k| format!("type '{k}'"))
}

/// `50 per 1s (burst 50), at most 2 in flight (1 now)`.
pub fn limit_text(l: &Limit) -> String {
    let mut parts = Vec::new();
    if let (Some(n), Some(per)) = (l.rate, l.per_ms) {
        let per = humantime::format_duration(Duration::from_millis(per));
        parts.push(format!("{n} per {per} (burst {})", l.burst.unwrap_or(n)));
    }
    match (l.max_in_flight, l.in_flight) {
        (Some(m), Some(n)) => parts.push(format!("at most {m} in flight ({n} now)")),
        (Some(m), None) => parts.push(format!("at most {m} in flight")),
        _ => {}
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::ms_to_time;

    #[test]
    fn pauses_and_limits_read_as_sentences() {
        let p = |priority, until| Paused { priority, until };
        assert_eq!(
            paused_text(&[p(1, None), p(2, None), p(3, None)]),
            "every priority until resumed"
        );
        let t = ms_to_time(1_700_000_000_000);
        let text = paused_text(&[p(1, None), p(3, Some(t))]);
        assert!(
            text.starts_with("high until resumed, low until 2023-11-"),
            "{text}"
        );
        let l = Limit {
            kind: Some("email".into()),
            rate: Some(50),
            per_ms: Some(60_000),
            burst: Some(5),
            max_in_flight: Some(2),
            in_flight: Some(1),
            group: None,
            each_group: false,
        };
        assert_eq!(limit_subject(&l), "type 'email'");
        let g = Limit {
            group: Some("acme".into()),
            ..l.clone()
        };
        assert_eq!(limit_subject(&g), "group 'acme'");
        let each = Limit {
            each_group: true,
            ..l.clone()
        };
        assert_eq!(limit_subject(&each), "every group");
        assert_eq!(
            limit_text(&l),
            "50 per 1m (burst 5), at most 2 in flight (1 now)"
        );
    }
}
