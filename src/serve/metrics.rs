//! `/metrics` in the OpenMetrics text format (which Prometheus reads), encoded by the
//! prometheus-client crate from one `stats` snapshot per queue: the numbers are read per
//! scrape, never kept, and never counted from the tasks.

use crate::queue::{State, Stats, STATES};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(String, String)>;

/// The exposition: `rpq_redis_up`, and when Redis answered, one family per number of `stats`.
pub fn render(queues: Option<&[Stats]>) -> String {
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
    let mut text = String::new();
    encode(&mut text, &reg).expect("writing to a String cannot fail");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_down_is_a_number_too() {
        let t = render(None);
        assert!(t.contains("\nrpq_redis_up 0\n"), "{t}");
        assert!(t.ends_with("# EOF\n"), "{t}");
        assert!(!t.contains("queue=\""), "{t}");
    }
}
