//! `/metrics` in the OpenMetrics text format (which Prometheus reads), encoded by the
//! prometheus-client crate from one `stats` snapshot per queue: the numbers are read per
//! scrape, never kept, and never counted from the tasks. The histograms of time waited and
//! run (issue 28) come from what the consumers reported (`queue::usage`), as bucket counts,
//! so they are written here rather than observed one by one. Series come sorted by their
//! labels (the crate keeps them in hash order).

use crate::queue::usage::{Histogram, Usage, BOUNDS_MS};
use crate::queue::{GroupInfo, State, Stats, STATES};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(String, String)>;

/// Types of a queue given series of their own, the most done first; the rest count in the
/// queue's series only.
pub const MAX_TYPES: usize = 20;

/// The exposition: `rpq_redis_up`, and when Redis answered, one family per number of `stats`,
/// and the histograms and counters by type of `usage` (by queue name).
pub fn render(
    queues: Option<&[Stats]>,
    usage: &[(String, Usage)],
    groups: &[(String, Vec<GroupInfo>)],
    top: usize,
) -> String {
    let mut reg = Registry::default();
    let up = Gauge::<i64>::default();
    reg.register(
        "rpq_redis_up",
        "1 when Redis answered this scrape, else 0",
        up.clone(),
    );
    up.set(i64::from(queues.is_some()));
    let gauge = |reg: &mut Registry, name: &str, help: &str| {
        let f = Family::<Labels, Gauge>::default();
        reg.register(name, help, f.clone());
        f
    };
    let counter = |reg: &mut Registry, name: &str, help: &str| {
        let f = Family::<Labels, Counter>::default();
        reg.register(name, help, f.clone());
        f
    };
    let waiting = gauge(&mut reg, "rpq_tasks_waiting", State::Waiting.def().about);
    // One gauge per state besides waiting (by priority, above), named after it.
    let by_state: Vec<(State, Family<Labels, Gauge>)> = STATES
        .iter()
        .filter(|d| d.state != State::Waiting)
        .map(|d| {
            let name = format!("rpq_tasks_{}", d.name.replace('-', "_"));
            (d.state, gauge(&mut reg, &name, d.about))
        })
        .collect();
    let oldest = Family::<Labels, Gauge<f64, AtomicU64>>::default();
    reg.register(
        "rpq_oldest_waiting_seconds",
        "Age of the task that has waited longest (0 when none waits)",
        oldest.clone(),
    );
    let consumers = gauge(
        &mut reg,
        "rpq_consumers_seen",
        "Consumers seen in the last minute",
    );
    let pushed = counter(&mut reg, "rpq_tasks_pushed", "Tasks pushed");
    let done = counter(&mut reg, "rpq_tasks_done", "Tasks done and acknowledged");
    let failed = counter(
        &mut reg,
        "rpq_tasks_failed",
        "Failed attempts, retried or dead",
    );
    let recovered = counter(
        &mut reg,
        "rpq_tasks_recovered",
        "Tasks whose lease expired and which went back to the queue",
    );
    // Controls (issue 13), from the same snapshot: nothing more is asked of Redis for them.
    let paused = gauge(
        &mut reg,
        "rpq_paused",
        "1 while the priority is paused (rpq pause), else 0",
    );
    let rate = Family::<Labels, Gauge<f64, AtomicU64>>::default();
    reg.register(
        "rpq_limit_rate_per_second",
        "Tasks a second the rate limit lets through (type empty: the limit on every task)",
        rate.clone(),
    );
    let burst = gauge(
        &mut reg,
        "rpq_limit_burst",
        "Tasks the rate limit lets through at once after a quiet spell",
    );
    let cap = gauge(
        &mut reg,
        "rpq_limit_max_in_flight",
        "The in-flight cap (rpq limit --max-in-flight)",
    );
    let capped = gauge(
        &mut reg,
        "rpq_limit_in_flight",
        "Tasks in flight counted against the in-flight cap",
    );
    for s in queues.unwrap_or_default() {
        let q = || vec![("queue".to_string(), s.queue.clone())];
        let w = &s.waiting;
        for (p, n) in [("1", w.high), ("2", w.medium), ("3", w.low)] {
            let mut labels = q();
            labels.push(("priority".into(), p.into()));
            waiting.get_or_create(&labels).set(n as i64);
        }
        for (state, g) in &by_state {
            g.get_or_create(&q()).set(s.of_state(*state) as i64);
        }
        let age = s.oldest_waiting_ms.unwrap_or(0) as f64 / 1000.0;
        oldest.get_or_create(&q()).set(age);
        consumers.get_or_create(&q()).set(s.consumers.len() as i64);
        pushed.get_or_create(&q()).inc_by(s.pushed);
        done.get_or_create(&q()).inc_by(s.done);
        failed.get_or_create(&q()).inc_by(s.failed);
        recovered.get_or_create(&q()).inc_by(s.recovered);
        for p in 1..=3u8 {
            let mut labels = q();
            labels.push(("priority".into(), p.to_string()));
            let on = s.paused.iter().any(|x| x.priority == p);
            paused.get_or_create(&labels).set(i64::from(on));
        }
        for l in &s.limits {
            let mut labels = q();
            labels.push(("type".into(), l.kind.clone().unwrap_or_default()));
            if let (Some(n), Some(per)) = (l.rate, l.per_ms.filter(|&p| p > 0)) {
                rate.get_or_create(&labels)
                    .set(n as f64 * 1000.0 / per as f64);
                burst
                    .get_or_create(&labels)
                    .set(l.burst.unwrap_or(n) as i64);
            }
            if let Some(m) = l.max_in_flight {
                cap.get_or_create(&labels).set(m as i64);
                capped
                    .get_or_create(&labels)
                    .set(l.in_flight.unwrap_or(0) as i64);
            }
        }
    }
    let type_done = counter(
        &mut reg,
        "rpq_type_tasks_done",
        "Tasks done, by type, as the consumers reported them",
    );
    let type_failed = counter(
        &mut reg,
        "rpq_type_tasks_failed",
        "Failed attempts, by type, as the consumers reported them",
    );
    for (queue, u) in usage {
        for t in top_types(u) {
            let labels = vec![
                ("queue".to_string(), queue.clone()),
                ("type".into(), t.kind.clone()),
            ];
            type_done.get_or_create(&labels).inc_by(t.done);
            type_failed.get_or_create(&labels).inc_by(t.failed);
        }
    }
    let mut text = String::new();
    encode(&mut text, &reg).expect("writing to a String cannot fail");
    let mut text = sorted(text.strip_suffix("# EOF\n").unwrap_or(&text));
    histograms(&mut text, usage);
    if queues.is_some() {
        group_gauges(&mut text, groups, top);
    }
    text.push_str("# EOF\n");
    text
}

/// The types of `u` given series of their own: `MAX_TYPES` at most, the most run first.
fn top_types(u: &Usage) -> Vec<&crate::queue::usage::TypeUsage> {
    let mut types: Vec<_> = u.types.iter().collect();
    types.sort_by_key(|t| std::cmp::Reverse(t.wait.count() + t.run.count() + t.done));
    types.truncate(MAX_TYPES);
    types.sort_by(|a, b| a.kind.cmp(&b.kind));
    types
}

/// The four histogram families: time waited and run per queue, and per type of a queue.
fn histograms(text: &mut String, usage: &[(String, Usage)]) {
    let families = [
        (
            "rpq_wait_seconds",
            "Time from due to claimed, first attempts",
            true,
            false,
        ),
        (
            "rpq_run_seconds",
            "Time a handler ran, per attempt",
            false,
            false,
        ),
        (
            "rpq_type_wait_seconds",
            "Time from due to claimed, first attempts, by type",
            true,
            true,
        ),
        (
            "rpq_type_run_seconds",
            "Time a handler ran, by type",
            false,
            true,
        ),
    ];
    for (name, help, wait, by_type) in families {
        text.push_str(&format!("# HELP {name} {help}.\n# TYPE {name} histogram\n"));
        for (queue, u) in usage {
            let q = format!("queue=\"{}\"", escape(queue));
            let pick = |h: (Histogram, Histogram)| if wait { h.0 } else { h.1 };
            if by_type {
                for t in top_types(u) {
                    let labels = format!("{q},type=\"{}\"", escape(&t.kind));
                    let h = pick((t.wait.clone(), t.run.clone()));
                    series(text, name, &labels, &h);
                }
            } else {
                series(text, name, &q, &pick(u.all()));
            }
        }
    }
}

/// The label of the tasks pushed without a group, and of the groups summed past the top N.
pub const NO_GROUP: &str = "(none)";
pub const OTHER_GROUPS: &str = "(other)";

/// Groups (issue 23): how many have work per queue, and the backlog of the `top` largest of
/// each, the rest summed as one `(other)` series, so a queue of 100,000 tenants is `top + 1`
/// series, not 100,000. `groups` come the largest first (`Queue::groups`).
fn group_gauges(text: &mut String, groups: &[(String, Vec<GroupInfo>)], top: usize) {
    if top == 0 {
        return;
    }
    let mut queues: Vec<&(String, Vec<GroupInfo>)> = groups.iter().collect();
    queues.sort_by(|a, b| a.0.cmp(&b.0));
    text.push_str("# HELP rpq_groups Groups with waiting tasks.\n# TYPE rpq_groups gauge\n");
    for (queue, gs) in &queues {
        text.push_str(&format!(
            "rpq_groups{{queue=\"{}\"}} {}\n",
            escape(queue),
            gs.len()
        ));
    }
    text.push_str(&format!(
        "# HELP rpq_group_tasks_waiting Tasks waiting, by group: the {top} largest of each \
         queue, the others summed as group \"{OTHER_GROUPS}\" (\"{NO_GROUP}\": pushed without one).\n\
         # TYPE rpq_group_tasks_waiting gauge\n"
    ));
    for (queue, gs) in &queues {
        let mut rows: Vec<(&str, u64)> = gs
            .iter()
            .take(top)
            .map(|g| (g.group.as_deref().unwrap_or(NO_GROUP), g.waiting))
            .collect();
        if gs.len() > top {
            rows.push((OTHER_GROUPS, gs[top..].iter().map(|g| g.waiting).sum()));
        }
        rows.sort_by(|a, b| a.0.cmp(b.0));
        for (group, n) in rows {
            text.push_str(&format!(
                "rpq_group_tasks_waiting{{queue=\"{}\",group=\"{}\"}} {n}\n",
                escape(queue),
                escape(group)
            ));
        }
    }
}

/// One histogram's samples: cumulative buckets, `+Inf`, the sum and the count.
fn series(text: &mut String, name: &str, labels: &str, h: &Histogram) {
    let mut n = 0;
    for (i, c) in h.counts.iter().enumerate() {
        n += c;
        let le = match BOUNDS_MS.get(i) {
            Some(&ms) => format!("{}", ms as f64 / 1000.0),
            None => "+Inf".to_string(),
        };
        text.push_str(&format!("{name}_bucket{{{labels},le=\"{le}\"}} {n}\n"));
    }
    let sum = h.sum_ms as f64 / 1000.0;
    text.push_str(&format!(
        "{name}_sum{{{labels}}} {sum:?}\n{name}_count{{{labels}}} {n}\n"
    ));
}

/// A label value as OpenMetrics quotes it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The exposition with each family's samples sorted by their labels (stable, so the samples of
/// one series keep their order).
fn sorted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, out: &mut String| {
        block.sort_by_key(|l| labels_of(l));
        for l in block.drain(..) {
            out.push_str(l);
            out.push('\n');
        }
    };
    for line in text.lines() {
        if line.starts_with('#') {
            flush(&mut block, &mut out);
            out.push_str(line);
            out.push('\n');
        } else {
            block.push(line);
        }
    }
    flush(&mut block, &mut out);
    out
}

/// What a sample line's series is known by: its labels (without `le`).
fn labels_of(line: &str) -> &str {
    match (line.find('{'), line.rfind("} ")) {
        (Some(a), Some(b)) if a < b => &line[a + 1..b],
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_come_sorted_by_their_labels() {
        let t = "# TYPE a gauge\na{queue=\"b\"} 1\na{queue=\"a\"} 2\n# TYPE c gauge\nc 3\n";
        assert_eq!(
            sorted(t),
            "# TYPE a gauge\na{queue=\"a\"} 2\na{queue=\"b\"} 1\n# TYPE c gauge\nc 3\n"
        );
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn redis_down_is_a_number_too() {
        let t = render(None, &[], &[], 20);
        assert!(t.contains("\nrpq_redis_up 0\n"), "{t}");
        assert!(t.ends_with("# EOF\n"), "{t}");
        assert!(!t.contains("queue=\""), "{t}");
    }
}
