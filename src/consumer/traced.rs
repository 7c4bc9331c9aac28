//! A consumer's spans (issue 26): for a task pushed with a trace context, the wait in the queue
//! (its first attempt) and one span per attempt, children of the producer's span, each attempt
//! linked to the one before; the handler is given its attempt's span as its parent. Built from
//! what the consumer knows anyway (the task's times, the claim, the handler's end), handed to
//! `otlp::Exporter`, which never makes the loop wait.

use crate::config::Config;
use crate::otlp::{Attr, Counts, Exporter, Kind, Span, Status};
use crate::queue::Claimed;
use crate::trace::{span_id, TraceContext};
use chrono::{DateTime, Utc};

pub struct Tracer {
    exporter: Exporter,
    queue: String,
    consumer: String,
}

/// How an attempt ended, as its span says it.
pub struct Ended<'a> {
    pub outcome: &'static str,
    pub error: Option<&'a str>,
}

impl Tracer {
    /// A tracer when the OTLP variables ask for one.
    pub fn start(cfg: &Config, consumer: &str) -> Option<Tracer> {
        if let Some(why) = &cfg.otlp_ignored {
            crate::log::Event::warn("otlp_ignored", why.as_str()).emit();
        }
        let otlp = cfg.otlp.as_ref()?;
        Some(Tracer {
            exporter: Exporter::start(otlp),
            queue: cfg.queue.clone(),
            consumer: consumer.to_string(),
        })
    }

    /// A task is about to run: its wait's span goes (first attempt), and its handler is given
    /// the attempt's span as parent. Returns the producer's context, which the task gets back
    /// when it ends (`ended`); None when the task carries none or its trace is not sampled.
    pub fn starting(&self, c: &mut Claimed) -> Option<TraceContext> {
        let producer = c.task.trace.clone().filter(TraceContext::sampled)?;
        let task = &c.task;
        if task.attempt == 1 {
            let queued = task
                .due_at
                .map_or(task.created_at, |d| d.max(task.created_at));
            self.exporter.send(Span {
                kind: Kind::Internal,
                name: format!("wait {}", self.queue),
                span_id: span_id(&producer, &task.id, "wait"),
                start: queued.min(c.claimed_at),
                end: c.claimed_at,
                links: vec![],
                status: Status::Unset,
                ..self.span(c, &producer)
            });
        }
        let run = span_id(&producer, &task.id, &task.attempt.to_string());
        c.task.trace = Some(producer.child(&run));
        Some(producer)
    }

    /// An attempt ended: its span, from the claim to now.
    pub fn ended(&self, c: &Claimed, producer: &TraceContext, end: Ended<'_>) {
        let attempt = c.task.attempt;
        let mut span = Span {
            kind: Kind::Consumer,
            name: format!("process {}", self.queue),
            span_id: span_id(producer, &c.task.id, &attempt.to_string()),
            start: c.claimed_at,
            end: Utc::now().max(c.claimed_at),
            links: (attempt > 1)
                .then(|| {
                    let before = span_id(producer, &c.task.id, &(attempt - 1).to_string());
                    (producer.trace_id().to_string(), before)
                })
                .into_iter()
                .collect(),
            status: match end.error {
                None if end.outcome == "done" => Status::Ok,
                None => Status::Unset,
                Some(e) => Status::Error(e.to_string()),
            },
            ..self.span(c, producer)
        };
        span.attrs
            .push(("rpq.outcome", Attr::Str(end.outcome.into())));
        if end.error.is_some() {
            span.attrs
                .push(("error.type", Attr::Str(end.outcome.into())));
        }
        self.exporter.send(span);
    }

    /// What both spans of a task share: its trace, parent and attributes (OpenTelemetry's
    /// messaging conventions, and rpq's own under `rpq.`).
    fn span(&self, c: &Claimed, producer: &TraceContext) -> Span {
        let t = &c.task;
        let at = DateTime::<Utc>::default();
        Span {
            trace_id: producer.trace_id().to_string(),
            span_id: String::new(),
            parent_id: Some(producer.parent_id().to_string()),
            trace_state: producer.tracestate.clone(),
            name: String::new(),
            kind: Kind::Internal,
            start: at,
            end: at,
            attrs: vec![
                ("messaging.system", Attr::Str("rpq".into())),
                ("messaging.operation.type", Attr::Str("process".into())),
                ("messaging.operation.name", Attr::Str("process".into())),
                ("messaging.destination.name", Attr::Str(self.queue.clone())),
                ("messaging.message.id", Attr::Str(t.id.clone())),
                ("messaging.client.id", Attr::Str(self.consumer.clone())),
                ("rpq.task.type", Attr::Str(t.kind.clone())),
                ("rpq.task.priority", Attr::Int(i64::from(t.priority.get()))),
                ("rpq.task.attempt", Attr::Int(i64::from(t.attempt))),
            ],
            links: vec![],
            status: Status::Unset,
        }
    }

    /// Sends what is buffered and says what could not be exported.
    pub fn finish(self) -> Counts {
        let counts = self.exporter.finish();
        if counts.dropped > 0 {
            crate::log::Event::warn(
                "otlp_dropped",
                format!(
                    "{} spans were not exported ({} found the buffer full); {} were",
                    counts.dropped, counts.full, counts.exported
                ),
            )
            .with("dropped", counts.dropped)
            .with("exported", counts.exported)
            .emit();
        }
        counts
    }
}
