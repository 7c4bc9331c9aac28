//! Spans over OTLP/HTTP (issue 26): what a consumer tells a tracing backend about a task it
//! ran, encoded here (`http/protobuf` by hand, `http/json`) and sent by a thread of its own.
//!
//! The claim loop only hands a finished span to a bounded channel (`try_send`): a slow or
//! absent collector never slows a claim; a span that finds the buffer full, or whose batch the
//! collector did not take, is counted as dropped and said when the consumer ends. No
//! OpenTelemetry crate: their exporters want an async runtime (rpq keeps tokio in `serve/`),
//! and the two encodings of the few messages a span needs are short.

use crate::config::{Otlp, OtlpProtocol};
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Spans waiting for the exporter's thread; past this a span is dropped, not waited for.
pub const BUFFER: usize = 4096;
/// Spans in one request at most.
const BATCH: usize = 512;
/// How long the first span of a batch waits for company before the batch goes.
const LINGER: Duration = Duration::from_millis(500);

/// The two kinds rpq sends (OTLP's `Span.SpanKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Internal = 1,
    Consumer = 5,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    Str(String),
    Int(i64),
}

/// A span's outcome (OTLP's `Status`): unset, ok, or an error with its message.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Unset,
    Ok,
    Error(String),
}

/// One finished span; ids are lower-case hex as in a `traceparent`.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub parent_id: Option<String>,
    pub trace_state: Option<String>,
    pub name: String,
    pub kind: Kind,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub attrs: Vec<(&'static str, Attr)>,
    /// (trace id, span id) of spans this one follows: the attempt before, for a retry.
    pub links: Vec<(String, String)>,
    pub status: Status,
}

/// What the exporter did, for the consumer's last words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub exported: u64,
    /// Every span not exported, including `full`.
    pub dropped: u64,
    /// Those the claim loop could not hand over: the buffer was full.
    pub full: u64,
}

#[derive(Default)]
struct Shared {
    exported: AtomicU64,
    dropped: AtomicU64,
    full: AtomicU64,
    /// The first failure is said at once; the rest are counted.
    said: AtomicBool,
}

/// The exporter: a channel to its thread, which batches and posts.
pub struct Exporter {
    tx: Option<SyncSender<Span>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Exporter {
    pub fn start(cfg: &Otlp) -> Exporter {
        Exporter::with_buffer(cfg, BUFFER)
    }

    fn with_buffer(cfg: &Otlp, buffer: usize) -> Exporter {
        let (tx, rx) = mpsc::sync_channel(buffer);
        let shared = Arc::new(Shared::default());
        let (cfg, sh) = (cfg.clone(), shared.clone());
        let thread = std::thread::Builder::new()
            .name("rpq-otlp".into())
            .spawn(move || export_loop(&cfg, &rx, &sh))
            .ok();
        Exporter {
            tx: Some(tx),
            shared,
            thread,
        }
    }

    /// Hands a span to the thread, never waiting: a full buffer drops it (counted).
    pub fn send(&self, span: Span) {
        let Some(tx) = &self.tx else { return };
        match tx.try_send(span) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.shared.full.fetch_add(1, Ordering::Relaxed);
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Sends what is buffered (each request bounded by the exporter's timeout) and stops.
    pub fn finish(mut self) -> Counts {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.counts()
    }

    pub fn counts(&self) -> Counts {
        Counts {
            exported: self.shared.exported.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
            full: self.shared.full.load(Ordering::Relaxed),
        }
    }
}

fn export_loop(cfg: &Otlp, rx: &Receiver<Span>, shared: &Shared) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(cfg.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("rpq/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let content_type = match cfg.protocol {
        OtlpProtocol::Protobuf => "application/x-protobuf",
        OtlpProtocol::Json => "application/json",
    };
    // Blocks for the first span of each batch; ends once the consumer closed the channel and
    // every span in it went.
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        let until = Instant::now() + LINGER;
        while batch.len() < BATCH {
            match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(s) => batch.push(s),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        let body = match cfg.protocol {
            OtlpProtocol::Protobuf => protobuf(&cfg.service, &batch),
            OtlpProtocol::Json => json(&cfg.service, &batch).into_bytes(),
        };
        let mut req = agent.post(&cfg.url).header("Content-Type", content_type);
        for (k, v) in &cfg.headers {
            req = req.header(k, v);
        }
        let failed = match req.send(&body[..]) {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the collector answered {}", r.status())),
            Err(e) => Some(e.to_string()),
        };
        let n = batch.len() as u64;
        match failed {
            None => {
                shared.exported.fetch_add(n, Ordering::Relaxed);
            }
            Some(why) => {
                shared.dropped.fetch_add(n, Ordering::Relaxed);
                if !shared.said.swap(true, Ordering::Relaxed) {
                    crate::log::Event::warn(
                        "otlp_failed",
                        format!(
                            "cannot export spans to {}: {why}; spans that cannot be sent are \
                             dropped and counted",
                            cfg.url
                        ),
                    )
                    .emit();
                }
            }
        }
    }
}

fn nanos(t: &DateTime<Utc>) -> u64 {
    t.timestamp_nanos_opt().map_or(0, |n| n.max(0) as u64)
}

/// OTLP/JSON (`ExportTraceServiceRequest`): ids in hex, 64-bit numbers as strings, enums as
/// numbers, as the specification's JSON mapping says.
pub fn json(service: &str, spans: &[Span]) -> String {
    use serde_json::{json, Value};
    let attr = |k: &str, v: &Attr| match v {
        Attr::Str(s) => json!({"key": k, "value": {"stringValue": s}}),
        Attr::Int(i) => json!({"key": k, "value": {"intValue": i.to_string()}}),
    };
    let spans: Vec<Value> = spans
        .iter()
        .map(|s| {
            let mut o = json!({
                "traceId": s.trace_id,
                "spanId": s.span_id,
                "name": s.name,
                "kind": s.kind as u8,
                "startTimeUnixNano": nanos(&s.start).to_string(),
                "endTimeUnixNano": nanos(&s.end).to_string(),
                "attributes": s.attrs.iter().map(|(k, v)| attr(k, v)).collect::<Vec<_>>(),
            });
            if let Some(p) = &s.parent_id {
                o["parentSpanId"] = json!(p);
            }
            if let Some(ts) = &s.trace_state {
                o["traceState"] = json!(ts);
            }
            if !s.links.is_empty() {
                o["links"] = s
                    .links
                    .iter()
                    .map(|(t, id)| json!({"traceId": t, "spanId": id}))
                    .collect();
            }
            o["status"] = match &s.status {
                Status::Unset => json!({}),
                Status::Ok => json!({"code": 1}),
                Status::Error(m) => json!({"code": 2, "message": m}),
            };
            o
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [attr("service.name", &Attr::Str(service.into()))]},
        "scopeSpans": [{
            "scope": {"name": "rpq", "version": env!("CARGO_PKG_VERSION")},
            "spans": spans,
        }],
    }]})
    .to_string()
}

/// A protobuf message being written: fields in order, nested ones length-prefixed.
#[derive(Default)]
struct Pb(Vec<u8>);

impl Pb {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn tag(&mut self, field: u32, wire: u8) {
        self.varint(u64::from(field) << 3 | u64::from(wire));
    }

    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.tag(field, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn message(&mut self, field: u32, m: Pb) {
        self.bytes(field, &m.0);
    }

    fn uint(&mut self, field: u32, v: u64) {
        self.tag(field, 0);
        self.varint(v);
    }

    fn fixed64(&mut self, field: u32, v: u64) {
        self.tag(field, 1);
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// `opentelemetry.proto.common.v1.KeyValue`.
fn key_value(k: &str, v: &Attr) -> Pb {
    let mut any = Pb::default();
    match v {
        Attr::Str(s) => any.bytes(1, s.as_bytes()),
        // int64 is a plain varint: two's complement for a negative one.
        Attr::Int(i) => any.uint(3, *i as u64),
    }
    let mut kv = Pb::default();
    kv.bytes(1, k.as_bytes());
    kv.message(2, any);
    kv
}

/// OTLP/protobuf: `ExportTraceServiceRequest` with one `ResourceSpans` of one `ScopeSpans`.
pub fn protobuf(service: &str, spans: &[Span]) -> Vec<u8> {
    let mut scope_spans = Pb::default();
    let mut scope = Pb::default();
    scope.bytes(1, b"rpq");
    scope.bytes(2, env!("CARGO_PKG_VERSION").as_bytes());
    scope_spans.message(1, scope);
    for s in spans {
        let mut m = Pb::default();
        m.bytes(1, &hex_bytes(&s.trace_id));
        m.bytes(2, &hex_bytes(&s.span_id));
        if let Some(ts) = &s.trace_state {
            m.bytes(3, ts.as_bytes());
        }
        if let Some(p) = &s.parent_id {
            m.bytes(4, &hex_bytes(p));
        }
        m.bytes(5, s.name.as_bytes());
        m.uint(6, s.kind as u64);
        m.fixed64(7, nanos(&s.start));
        m.fixed64(8, nanos(&s.end));
        for (k, v) in &s.attrs {
            m.message(9, key_value(k, v));
        }
        for (t, id) in &s.links {
            let mut l = Pb::default();
            l.bytes(1, &hex_bytes(t));
            l.bytes(2, &hex_bytes(id));
            m.message(13, l);
        }
        let mut status = Pb::default();
        match &s.status {
            Status::Unset => {}
            Status::Ok => status.uint(3, 1),
            Status::Error(msg) => {
                status.bytes(2, msg.as_bytes());
                status.uint(3, 2);
            }
        }
        m.message(15, status);
        scope_spans.message(2, m);
    }
    let mut resource = Pb::default();
    resource.message(1, key_value("service.name", &Attr::Str(service.into())));
    let mut resource_spans = Pb::default();
    resource_spans.message(1, resource);
    resource_spans.message(2, scope_spans);
    let mut req = Pb::default();
    req.message(1, resource_spans);
    req.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::ms_to_time;

    fn span() -> Span {
        Span {
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            span_id: "00f067aa0ba902b7".into(),
            parent_id: Some("0102030405060708".into()),
            trace_state: None,
            name: "process q".into(),
            kind: Kind::Consumer,
            start: ms_to_time(1_000),
            end: ms_to_time(2_000),
            attrs: vec![
                ("messaging.system", Attr::Str("rpq".into())),
                ("rpq.task.attempt", Attr::Int(2)),
            ],
            links: vec![(
                "4bf92f3577b34da6a3ce929d0e0e4736".into(),
                "1111111111111111".into(),
            )],
            status: Status::Error("exit status 1".into()),
        }
    }

    /// A reader of protobuf's wire format, enough to walk what `protobuf` wrote.
    fn fields(mut b: &[u8]) -> Vec<(u32, Vec<u8>)> {
        let varint = |b: &mut &[u8]| {
            let (mut v, mut shift) = (0u64, 0);
            loop {
                let c = b[0];
                *b = &b[1..];
                v |= u64::from(c & 0x7f) << shift;
                shift += 7;
                if c < 0x80 {
                    return v;
                }
            }
        };
        let mut out = Vec::new();
        while !b.is_empty() {
            let key = varint(&mut b);
            let (field, wire) = ((key >> 3) as u32, key & 7);
            let value = match wire {
                0 => varint(&mut b).to_le_bytes().to_vec(),
                1 => {
                    let v = b[..8].to_vec();
                    b = &b[8..];
                    v
                }
                2 => {
                    let n = varint(&mut b) as usize;
                    let v = b[..n].to_vec();
                    b = &b[n..];
                    v
                }
                w => panic!("wire type {w}"),
            };
            out.push((field, value));
        }
        out
    }

    fn get(f: &[(u32, Vec<u8>)], n: u32) -> Vec<u8> {
        f.iter().find(|(k, _)| *k == n).expect("field").1.clone()
    }

    #[test]
    fn protobuf_holds_the_span_where_the_schema_says() {
        let req = fields(&protobuf("svc", &[span()]));
        let rs = fields(&get(&req, 1));
        let resource = fields(&get(&rs, 1));
        let kv = fields(&get(&resource, 1));
        assert_eq!(get(&kv, 1), b"service.name");
        assert_eq!(get(&fields(&get(&kv, 2)), 1), b"svc");
        let ss = fields(&get(&rs, 2));
        let s = fields(&get(&ss, 2));
        assert_eq!(get(&s, 1), hex_bytes("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_eq!(get(&s, 2), [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]);
        assert_eq!(get(&s, 4), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(get(&s, 5), b"process q");
        assert_eq!(get(&s, 6)[0], 5);
        assert_eq!(get(&s, 7), 1_000_000_000u64.to_le_bytes());
        assert_eq!(get(&s, 8), 2_000_000_000u64.to_le_bytes());
        let attrs: Vec<_> = s.iter().filter(|(k, _)| *k == 9).collect();
        assert_eq!(attrs.len(), 2);
        let attempt = fields(&attrs[1].1);
        assert_eq!(get(&fields(&get(&attempt, 2)), 3)[0], 2);
        let link = fields(&get(&s, 13));
        assert_eq!(get(&link, 2), [0x11; 8]);
        let status = fields(&get(&s, 15));
        assert_eq!(get(&status, 2), b"exit status 1");
        assert_eq!(get(&status, 3)[0], 2);
    }

    #[test]
    fn json_follows_the_otlp_mapping() {
        let v: serde_json::Value = serde_json::from_str(&json("svc", &[span()])).unwrap();
        let s = &v["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(s["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(s["parentSpanId"], "0102030405060708");
        assert_eq!(s["kind"], 5);
        assert_eq!(s["startTimeUnixNano"], "1000000000");
        assert_eq!(s["attributes"][1]["value"]["intValue"], "2");
        assert_eq!(s["links"][0]["spanId"], "1111111111111111");
        assert_eq!(s["status"]["code"], 2);
    }

    #[test]
    fn a_full_buffer_drops_and_counts_never_waits() {
        // A collector that never answers: the thread holds one batch, the buffer fills.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let cfg = Otlp {
            url: format!("http://{}/v1/traces", listener.local_addr().unwrap()),
            protocol: OtlpProtocol::Json,
            headers: vec![],
            timeout: Duration::from_millis(300),
            service: "t".into(),
        };
        let e = Exporter::with_buffer(&cfg, 4);
        for _ in 0..2000 {
            e.send(span());
        }
        let c = e.finish();
        assert_eq!(c.exported, 0);
        assert_eq!(c.dropped, 2000);
        // Had `send` waited for room, every span would have reached the thread: at most a
        // batch and the buffer did.
        assert!(c.full >= 2000 - (BATCH as u64 + 4), "{c:?}");
    }
}
