//! `rpq stats`: the human form (with bars on a terminal), the JSON line, and `--watch` frames.

use super::{given_duration, local_time, short_duration, Output, Screen};
use crate::queue::history::Period;
use crate::queue::{evicts, Stats, RECENT_SECS};
use crate::task::Priority;
use std::io;
use std::time::Duration;

/// A watch frame on a terminal lists at most this many consumers, so it fits on a screen.
const WATCH_CONSUMERS: usize = 10;

/// Cells of the widest backlog bar.
const BAR_WIDTH: usize = 30;

/// Where successive `--watch` snapshots go: a screen redrawn in place on a terminal, else one
/// snapshot after the other.
pub struct StatsView<'a> {
    out: &'a Output,
    screen: Option<Screen>,
}

impl Output {
    /// One snapshot: a JSON line, or the human form (bars when stdout is a terminal).
    pub fn stats(&self, s: &Stats) -> io::Result<()> {
        if self.json {
            return self.json_line(s);
        }
        self.line(&self.render_stats(s, self.stdout_tty, usize::MAX))
    }

    /// `stats --since` (issue 26): a JSON line a period, or a table of them; nothing kept yet
    /// is said as such.
    pub fn history(&self, queue: &str, periods: &[Period]) -> io::Result<()> {
        if self.json {
            for p in periods {
                self.json_line(p)?;
            }
            return Ok(());
        }
        if periods.is_empty() {
            return self.line(&format!(
                "queue {queue}: no history for that time (it is written while `rpq serve` runs)"
            ));
        }
        let mut t = format!(
            "queue {queue}, a point {}
{:<19}  {:>8}  {:>8}  {:>8}  {:>8}  {:>11}
",
            if periods[0].period_ms >= 3_600_000 {
                "an hour"
            } else {
                "a minute"
            },
            "at",
            "pushed",
            "done",
            "failed",
            "waiting",
            "oldest wait"
        );
        for p in periods {
            let c = &p.in_period;
            let oldest = p.oldest_waiting_ms.map_or("-".to_string(), |ms| {
                short_duration(Duration::from_millis(ms))
            });
            t += &format!(
                "{:<19}  {:>8}  {:>8}  {:>8}  {:>8}  {:>11}
",
                local_time(&p.at),
                c.pushed,
                c.done,
                c.failed,
                p.waiting,
                oldest
            );
        }
        self.block(&t)
    }

    pub fn stats_view(&self) -> StatsView<'_> {
        StatsView {
            out: self,
            screen: self.for_eyes().then(|| self.screen()),
        }
    }

    /// The human form; `bars` adds a bar chart of the backlog by priority (terminals only),
    /// and at most `max_consumers` consumers are listed.
    fn render_stats(&self, s: &Stats, bars: bool, max_consumers: usize) -> String {
        let w = &s.waiting;
        let mut t = format!("queue {}  at {}\n", s.queue, local_time(&s.at));
        t += &format!(
            "  waiting      {:>9}  (high {}, medium {}, low {})\n",
            w.total, w.high, w.medium, w.low
        );
        if bars {
            let max = w.high.max(w.medium).max(w.low);
            for (p, n) in Priority::ALL.iter().zip([w.high, w.medium, w.low]) {
                t += &format!(
                    "    {} {} {n}\n",
                    self.priority_padded(*p, 6),
                    self.paint_priority(*p, &format!("{:<BAR_WIDTH$}", bar(n, max, BAR_WIDTH))),
                );
            }
        }
        t += &format!(
            "  scheduled    {:>9}\n  in flight    {:>9}\n  retrying     {:>9}\n  dead         {:>9}\n",
            s.scheduled, s.in_flight, s.retrying, s.dead
        );
        // Flows (issue 24): only on a queue that has blocked tasks.
        if s.blocked > 0 {
            t += &format!("  blocked      {:>9}\n", s.blocked);
        }
        if let Some(ms) = s.oldest_waiting_ms {
            t += &format!(
                "  oldest waiting {:>7}\n",
                short_duration(Duration::from_millis(ms))
            );
        }
        if let Some(ms) = s.aging_ms {
            t += &format!(
                "  aging        {:>9}  (one priority higher per {} waited)\n",
                given_duration(Duration::from_millis(ms)),
                given_duration(Duration::from_millis(ms))
            );
        }
        // controls (issue 13)
        if !s.paused.is_empty() {
            t += &format!(
                "  paused       {}\n",
                super::controls::paused_text(&s.paused)
            );
        }
        for l in &s.limits {
            t += &format!(
                "  limit        {}: {}\n",
                super::controls::limit_subject(l),
                super::controls::limit_text(l)
            );
        }
        // Groups (issue 23): the largest by waiting tasks, the others summed.
        if let (Some(n), Some(top)) = (s.groups_with_work, &s.top_groups) {
            t += &format!(
                "  groups       {n:>9}  with waiting tasks{}\n",
                if top.is_empty() {
                    ""
                } else {
                    ", the most first:"
                }
            );
            for g in top {
                let name = g.group.as_deref().unwrap_or("(no group)");
                t += &format!(
                    "    {:<24} {:>9} waiting, {} in flight\n",
                    name, g.waiting, g.in_flight
                );
            }
            if let Some(o) = s.other_groups.as_ref().filter(|o| o.groups_with_work > 0) {
                t += &format!(
                    "    {:<24} {:>9} waiting, {} in flight\n",
                    format!("{} more", o.groups_with_work),
                    o.waiting,
                    o.in_flight
                );
            }
        }
        t += &format!(
            "  last minute  {:>9} done, {} failed ({:.1}/s)\n",
            s.last_minute.done,
            s.last_minute.failed,
            (s.last_minute.done + s.last_minute.failed) as f64 / RECENT_SECS as f64
        );
        t += &format!(
            "  in total     {:>9} pushed, {} done, {} failed, {} recovered from expired leases\n",
            s.pushed, s.done, s.failed, s.recovered
        );
        // What the server can lose without an error, said where the numbers are.
        if let Some(p) = s.eviction_policy.as_deref().filter(|p| evicts(p)) {
            t += &format!(
                "  warning      redis has maxmemory-policy {p}: it may delete queued tasks\n"
            );
        }
        if let Some(l) = &s.lost {
            t += &format!(
                "  warning      at {} redis came back from a restart without {} and {}\n",
                local_time(&l.at),
                super::count(l.pushes, "push", "pushes"),
                super::count(l.acks, "acknowledgement", "acknowledgements")
            );
        }
        t += &format!(
            "  consumers seen in the last minute: {}\n",
            s.consumers.len()
        );
        for c in s.consumers.iter().take(max_consumers) {
            t += &format!(
                "    {:<24} last seen {}  done {}\n",
                c.name,
                local_time(&c.last_seen),
                c.done
            );
        }
        if s.consumers.len() > max_consumers {
            t += &format!("    ... and {} more\n", s.consumers.len() - max_consumers);
        }
        t.trim_end().to_string()
    }
}

impl StatsView<'_> {
    pub fn show(&self, s: &Stats) -> io::Result<()> {
        match &self.screen {
            Some(screen) => screen.frame(&self.out.render_stats(s, true, WATCH_CONSUMERS)),
            None if self.out.json => self.out.json_line(s),
            None => self.out.line(&format!(
                "{}\n",
                self.out.render_stats(s, false, usize::MAX)
            )),
        }
    }
}

/// `n` out of `max` as a bar of at most `width` cells, in eighths of a cell. Anything above
/// zero shows at least a sliver.
fn bar(n: u64, max: u64, width: usize) -> String {
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if n == 0 || max == 0 {
        return String::new();
    }
    let eighths = ((n as u128 * width as u128 * 8) / max as u128).max(1) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8 - 1]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{ConsumerSeen, Recent, Waiting};
    use chrono::Utc;

    #[test]
    fn bars_scale_to_the_largest_backlog() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(bar(0, 0, 4), "");
        // A sliver for one task among millions, and eighths in between.
        assert_eq!(bar(1, 1_000_000, 4), "▏");
        assert_eq!(bar(9, 16, 2), "█▏");
        assert!(bar(7, 10, 30).chars().count() <= 30);
    }

    #[test]
    fn the_human_form_names_priorities_and_lists_consumers() {
        let s = Stats {
            queue: "q".into(),
            at: Utc::now(),
            waiting: Waiting {
                total: 6,
                high: 1,
                medium: 2,
                low: 3,
            },
            in_flight: 1,
            retrying: 0,
            dead: 2,
            scheduled: 4,
            blocked: 0,
            pushed: 12,
            done: 4,
            failed: 3,
            recovered: 0,
            last_minute: Recent { done: 4, failed: 2 },
            oldest_waiting_ms: Some(1500),
            oldest_waiting_by_priority_ms: Default::default(),
            aging_ms: None,
            consumers: (0..3)
                .map(|i| ConsumerSeen {
                    name: format!("c{i}"),
                    last_seen: Utc::now(),
                    done: i,
                })
                .collect(),
            eviction_policy: Some("allkeys-lru".into()),
            lost: None,
            paused: vec![],
            limits: vec![],
            groups_with_work: Some(3),
            top_groups: Some(vec![
                crate::queue::GroupBacklog {
                    group: Some("acme".into()),
                    waiting: 4,
                    in_flight: 1,
                },
                crate::queue::GroupBacklog {
                    group: None,
                    waiting: 1,
                    in_flight: 0,
                },
            ]),
            other_groups: Some(crate::queue::OtherGroups {
                groups_with_work: 1,
                waiting: 1,
                in_flight: 0,
            }),
        };
        let out = Output::plain();
        let plain = out.render_stats(&s, false, usize::MAX);
        assert!(
            plain.contains("  groups               3  with waiting tasks, the most first:\n    acme                             4 waiting, 1 in flight\n    (no group)                       1 waiting, 0 in flight\n    1 more                           1 waiting, 0 in flight\n"),
            "{plain}"
        );
        assert!(plain.contains("(high 1, medium 2, low 3)"), "{plain}");
        assert!(plain.contains("4 done, 2 failed (0.1/s)"), "{plain}");
        assert!(plain.contains("oldest waiting   1.50s"), "{plain}");
        assert!(plain.contains("c2"), "{plain}");
        assert!(
            plain.contains("maxmemory-policy allkeys-lru: it may delete queued tasks"),
            "{plain}"
        );
        assert!(!plain.contains('█'));
        let chart = out.render_stats(&s, true, 2);
        assert!(
            chart.contains("    low    ██████████████████████████████ 3"),
            "{chart}"
        );
        assert!(chart.contains("... and 1 more"), "{chart}");
        assert!(!chart.contains('\x1b'));
    }
}
