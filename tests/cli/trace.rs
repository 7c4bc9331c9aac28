//! OpenTelemetry (issue 26): the producer's W3C trace context stored with a task, given to its
//! handlers, and the consumer's spans exported over OTLP/HTTP to a local receiver.

use crate::receiver::{Receiver, Request};
use crate::support::*;
use serde_json::Value;

const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PRODUCER_SPAN: &str = "00f067aa0ba902b7";

/// Every span of every OTLP/JSON request.
fn spans(requests: &[Request]) -> Vec<Value> {
    requests
        .iter()
        .flat_map(|r| {
            let v = r.json();
            let mut out = vec![];
            for rs in v["resourceSpans"].as_array().into_iter().flatten() {
                for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                    out.extend(ss["spans"].as_array().into_iter().flatten().cloned());
                }
            }
            out
        })
        .collect()
}

fn attr<'a>(span: &'a Value, key: &str) -> &'a Value {
    let attrs = span["attributes"].as_array().unwrap();
    let kv = attrs.iter().find(|a| a["key"] == key);
    &kv.unwrap_or_else(|| panic!("no {key} in {span}"))["value"]
}

/// A task pushed under a TRACEPARENT, failed once and then done: the receiver gets its wait
/// span and one span per attempt, all in the producer's trace and parented to its span, the
/// second attempt linked to the first; each handler saw its own attempt's span as parent, in
/// TRACEPARENT and in the task JSON on its stdin.
#[test]
fn a_traced_task_has_a_wait_span_and_a_span_per_attempt_under_the_producers() {
    let r = redis();
    let rx = Receiver::start(&[200]);
    let out = rpq(&r)
        .env("TRACEPARENT", TP)
        .env("TRACESTATE", "vendor=x")
        .args(["--json", "produce", "--type", "mail", "--id", "t1"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let pushed = &ndjson(&out)[0];
    assert_eq!(pushed["traceparent"], TP);
    assert_eq!(pushed["tracestate"], "vendor=x");
    let seen = r.dir().join("seen");
    let handler = format!(
        r#"echo "$RPQ_TASK_ATTEMPT $TRACEPARENT $TRACESTATE" >> {0}; cat >> {0}.json; echo >> {0}.json; [ "$RPQ_TASK_ATTEMPT" -gt 1 ]"#,
        seen.display()
    );
    rpq(&r)
        .env(
            "TRACEPARENT",
            "00-11111111111111111111111111111111-2222222222222222-01",
        )
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", rx.url(""))
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_SERVICE_NAME", "mailer")
        .args([
            "consume",
            "--count",
            "2",
            "--backoff",
            "10ms",
            "--exec",
            &handler,
        ])
        .assert()
        .success();
    // The consumer flushed its spans before it exited.
    let reqs = rx.requests();
    assert!(reqs
        .iter()
        .all(|q| q.path == "/v1/traces" && q.method == "POST"));
    assert!(reqs
        .iter()
        .all(|q| q.header("content-type") == Some("application/json")));
    assert_eq!(
        reqs[0].json()["resourceSpans"][0]["resource"]["attributes"][0]["value"]["stringValue"],
        "mailer"
    );
    let spans = spans(&reqs);
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for s in &spans {
        assert_eq!(s["traceId"], TRACE);
        assert_eq!(s["parentSpanId"], PRODUCER_SPAN);
        assert_eq!(s["traceState"], "vendor=x");
        assert_eq!(attr(s, "messaging.system")["stringValue"], "rpq");
        assert_eq!(
            attr(s, "messaging.destination.name")["stringValue"],
            "default"
        );
        assert_eq!(attr(s, "messaging.message.id")["stringValue"], "t1");
        assert_eq!(attr(s, "rpq.task.type")["stringValue"], "mail");
    }
    let wait = spans.iter().find(|s| s["name"] == "wait default").unwrap();
    let runs: Vec<&Value> = spans
        .iter()
        .filter(|s| s["name"] == "process default")
        .collect();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["kind"], 5);
    assert_eq!(attr(runs[0], "rpq.task.attempt")["intValue"], "1");
    assert_eq!(attr(runs[0], "rpq.outcome")["stringValue"], "failed");
    assert_eq!(runs[0]["status"]["code"], 2);
    assert_eq!(attr(runs[1], "rpq.task.attempt")["intValue"], "2");
    assert_eq!(attr(runs[1], "rpq.outcome")["stringValue"], "done");
    assert_eq!(runs[1]["status"]["code"], 1);
    assert_eq!(runs[1]["links"][0]["spanId"], runs[0]["spanId"]);
    let ns = |s: &Value, f: &str| s[f].as_str().unwrap().parse::<u128>().unwrap();
    assert!(ns(wait, "startTimeUnixNano") <= ns(wait, "endTimeUnixNano"));
    assert!(ns(wait, "endTimeUnixNano") <= ns(runs[0], "startTimeUnixNano"));
    assert!(ns(runs[0], "endTimeUnixNano") <= ns(runs[1], "startTimeUnixNano"));
    // Each handler's parent was its attempt's span, never the consumer's own context.
    let seen = std::fs::read_to_string(&seen).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    for (line, run) in lines.iter().zip(&runs) {
        let want = format!("00-{TRACE}-{}-01 vendor=x", run["spanId"].as_str().unwrap());
        assert!(line.ends_with(&want), "{line} vs {want}");
    }
    let json = std::fs::read_to_string(r.dir().join("seen.json")).unwrap();
    let tasks: Vec<Value> = ndjson(json.as_bytes());
    assert_eq!(
        tasks[1]["traceparent"],
        format!("00-{TRACE}-{}-01", runs[1]["spanId"].as_str().unwrap())
    );
}

/// Without OTLP settings nothing is exported, and the handler gets the producer's context as
/// it was pushed; a task pushed without one gets none, even from a consumer that has one.
#[test]
fn without_export_a_handler_gets_the_producers_context_or_none() {
    let r = redis();
    rpq(&r)
        .args(["produce", "--type", "a", "--traceparent", TP])
        .assert()
        .success();
    rpq(&r).args(["produce", "--type", "b"]).assert().success();
    let seen = r.dir().join("seen");
    let handler = format!(
        r#"echo "$RPQ_TASK_TYPE ${{TRACEPARENT:-none}}" >> {}"#,
        seen.display()
    );
    rpq(&r)
        .env(
            "TRACEPARENT",
            "00-11111111111111111111111111111111-2222222222222222-01",
        )
        .args(["consume", "--count", "2", "--exec", &handler])
        .assert()
        .success();
    let mut seen: Vec<String> = std::fs::read_to_string(&seen)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    seen.sort();
    assert_eq!(seen, [format!("a {TP}"), "b none".to_string()]);
}

/// The default protocol is http/protobuf, to `..._TRACES_ENDPOINT` as given.
#[test]
fn protobuf_goes_to_the_traces_endpoint_by_default() {
    let r = redis();
    let rx = Receiver::start(&[200]);
    rpq(&r)
        .env("TRACEPARENT", TP)
        .args(["produce", "--type", "a"])
        .assert()
        .success();
    rpq(&r)
        .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", rx.url("/my/traces"))
        .env("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s%3Dcret")
        .args(["consume", "--count", "1"])
        .assert()
        .success();
    let reqs = rx.requests();
    assert!(!reqs.is_empty());
    for q in &reqs {
        assert_eq!(q.path, "/my/traces");
        assert_eq!(q.header("content-type"), Some("application/x-protobuf"));
        assert_eq!(q.header("x-api-key"), Some("s=cret"));
        // The trace id's bytes are in the message.
        let id: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&TRACE[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert!(q.body.windows(16).any(|w| w == id));
    }
}

/// With the collector down, every task is still done, and the consumer says how many spans it
/// could not export.
#[test]
fn with_the_collector_down_every_task_is_done_and_the_dropped_spans_counted() {
    let r = redis();
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", down.local_addr().unwrap());
    drop(down);
    let lines: Vec<String> = (0..300)
        .map(|i| format!(r#"{{"type":"a","priority":2,"id":"t{i}","traceparent":"{TP}"}}"#))
        .collect();
    push_lines(&r, "default", &lines);
    let out = rpq(&r)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &url)
        .args(["--json", "consume", "--count", "300"])
        .assert()
        .success()
        .get_output()
        .clone();
    let done = ndjson(&out.stdout)
        .iter()
        .filter(|l| l["outcome"] == "done")
        .count();
    assert_eq!(done, 300);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot export spans to"), "{stderr}");
    assert!(stderr.contains("600 spans were not exported"), "{stderr}");
}

/// A `--traceparent` that is not one is a usage error; a TRACEPARENT that is not one is said
/// and ignored.
#[test]
fn a_bad_traceparent_is_refused_or_ignored() {
    let r = redis();
    rpq(&r)
        .args(["produce", "--type", "a", "--traceparent", "00-nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--traceparent: '00-nope' is not a W3C traceparent",
        ));
    let out = rpq(&r)
        .env("TRACEPARENT", "garbage")
        .args(["--json", "produce", "--type", "a"])
        .assert()
        .success()
        .stderr(predicates::str::contains("TRACEPARENT ignored"))
        .get_output()
        .stdout
        .clone();
    assert!(ndjson(&out)[0].get("traceparent").is_none());
}

/// The API takes the request's `traceparent` header for the tasks that carry none of their
/// own; a line's own wins.
#[test]
fn the_api_stores_the_requests_traceparent() {
    use crate::serve::{Reply, Serve};
    let r = redis();
    let s = Serve::start(&r, &[]);
    let own = "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-00";
    let body = format!(
        "{{\"type\":\"a\",\"priority\":1}}\n{{\"type\":\"b\",\"priority\":1,\"traceparent\":\"{own}\"}}\n"
    );
    let reply = Reply::from(
        Serve::agent()
            .post(s.url("/api/queues/default/tasks"))
            .header("Content-Type", "application/x-ndjson")
            .header("traceparent", TP)
            .header("tracestate", "k=v")
            .send(body.as_str()),
    )
    .expect(200);
    let tasks = reply.json()["tasks"].clone();
    assert_eq!(tasks[0]["traceparent"], TP);
    assert_eq!(tasks[0]["tracestate"], "k=v");
    assert_eq!(tasks[1]["traceparent"], own);
    let out = rpq(&r)
        .args(["--json", "peek", "-n", "2"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let peeked = ndjson(&out);
    assert_eq!(peeked[0]["traceparent"], TP);
    assert_eq!(peeked[1]["traceparent"], own);
}
