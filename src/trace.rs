//! W3C trace context (issue 26): the `traceparent` (and `tracestate`) a producer stores with a
//! task, checked once where it comes in (`TRACEPARENT`, `--traceparent`, a `--stdin` line, the
//! API's header), and the span ids the consumer derives from it. No I/O here: the export is
//! `otlp.rs`'s.

use serde::{Deserialize, Serialize};

/// The context of the span that pushed a task, as the W3C Trace Context recommendation writes
/// it: `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`, and the vendors' state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceContext {
    pub traceparent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

/// The longest `tracestate` kept: 32 members of the recommendation's size; a longer one is
/// dropped (the recommendation lets a vendor drop what it cannot carry).
const MAX_STATE: usize = 512;

impl TraceContext {
    /// A `traceparent` as the recommendation reads it: version 00 exactly as written, a later
    /// version by its first four fields (then written as 00, the version rpq speaks); ids that
    /// are all zeros, upper-case hex or version ff are refused. A `tracestate` that is not
    /// printable ASCII or is too long is dropped, the parent kept.
    pub fn parse(traceparent: &str, tracestate: Option<&str>) -> Result<TraceContext, String> {
        let bad = || {
            format!(
                "'{}' is not a W3C traceparent; one looks like \
                 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                traceparent.escape_debug()
            )
        };
        let t = traceparent.trim();
        let b = t.as_bytes();
        if b.len() < 55 || (b.len() > 55 && b[55] != b'-') {
            return Err(bad());
        }
        let hex = |r: std::ops::Range<usize>| {
            b[r].iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        };
        let fields_ok = hex(0..2)
            && b[2] == b'-'
            && hex(3..35)
            && b[35] == b'-'
            && hex(36..52)
            && b[52] == b'-'
            && hex(53..55);
        let version = &t[..2.min(t.len())];
        if !fields_ok || version == "ff" || (version == "00" && b.len() != 55) {
            return Err(bad());
        }
        if t[3..35].bytes().all(|c| c == b'0') || t[36..52].bytes().all(|c| c == b'0') {
            return Err(bad());
        }
        let state = tracestate
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= MAX_STATE)
            .filter(|s| s.bytes().all(|c| (0x20..0x7f).contains(&c)));
        Ok(TraceContext {
            traceparent: format!("00-{}", &t[3..55]),
            tracestate: state.map(str::to_string),
        })
    }

    /// The trace id: 32 hex digits.
    pub fn trace_id(&self) -> &str {
        &self.traceparent[3..35]
    }

    /// The producer's span: 16 hex digits.
    pub fn parent_id(&self) -> &str {
        &self.traceparent[36..52]
    }

    /// Whether the producer's span was sampled (flag 01).
    pub fn sampled(&self) -> bool {
        u8::from_str_radix(&self.traceparent[53..55], 16).is_ok_and(|f| f & 1 == 1)
    }

    /// The same trace with `span_id` as the parent: what a handler is given when the span of
    /// its attempt is exported, so that its own spans are children of that one.
    pub fn child(&self, span_id: &str) -> TraceContext {
        TraceContext {
            traceparent: format!(
                "00-{}-{}-{}",
                self.trace_id(),
                span_id,
                &self.traceparent[53..55]
            ),
            tracestate: self.tracestate.clone(),
        }
    }
}

/// A span id derived from the trace, the task and what the span is (`wait`, or an attempt's
/// number): the consumer of attempt 3 names attempt 2's span in its link without reading
/// anything back, and a consumer that exports the same span twice (a task run again after a
/// lost lease) sends the same id. FNV-1a over the parts; never the all-zero id.
pub fn span_id(trace: &TraceContext, task: &str, what: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [trace.trace_id(), task, what] {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:016x}", h.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn traceparents_are_read_as_the_recommendation_says() {
        let t = TraceContext::parse(TP, Some("rojo=00f067aa0ba902b7")).unwrap();
        assert_eq!(t.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(t.parent_id(), "00f067aa0ba902b7");
        assert!(t.sampled());
        assert_eq!(t.tracestate.as_deref(), Some("rojo=00f067aa0ba902b7"));
        // A later version: its first four fields, written as 00.
        let later = format!("cc-{}-what-comes-next", &TP[3..]);
        assert_eq!(TraceContext::parse(&later, None).unwrap().traceparent, TP);
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            &TP.to_uppercase(),
            &format!("ff{}", &TP[2..]),
            &format!("{TP}-more"),
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473\u{e9}-00f067aa0ba902b7-01",
        ] {
            assert!(TraceContext::parse(bad, None).is_err(), "{bad:?}");
        }
        // A state it cannot carry is dropped, the parent kept.
        let t = TraceContext::parse(TP, Some("a=\u{1}")).unwrap();
        assert_eq!(t.tracestate, None);
        let t = TraceContext::parse(TP, Some(&"a".repeat(600))).unwrap();
        assert_eq!(t.tracestate, None);
    }

    #[test]
    fn span_ids_are_stable_and_distinct() {
        let t = TraceContext::parse(TP, None).unwrap();
        let a = span_id(&t, "task1", "1");
        assert_eq!(a, span_id(&t, "task1", "1"));
        assert_ne!(a, span_id(&t, "task1", "2"));
        assert_ne!(a, span_id(&t, "task2", "1"));
        assert_eq!(a.len(), 16);
        let child = t.child(&a);
        assert_eq!(child.trace_id(), t.trace_id());
        assert_eq!(child.parent_id(), a);
        assert!(TraceContext::parse(&child.traceparent, None).is_ok());
    }
}
