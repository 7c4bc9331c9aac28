//! One vocabulary (issue 21): every line of every command's `--json` and every answer of
//! `rpq serve`'s API held to docs/schema/rpq.schema.json, where each field name has one shape.
//! The JSON examples of README.md and docs/ are held to it too (`breaches`, from docs.rs).
//! The checker below knows the few JSON Schema keywords that file uses and refuses any other,
//! so the file cannot say more than is checked (a full validator crate would be dozens of
//! crates to build for six keywords).

use crate::serve::Serve;
use crate::support::*;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::time::Duration;

const SCHEMA: &str = include_str!("../../docs/schema/rpq.schema.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("docs/schema/rpq.schema.json is JSON")
}

/// Where `value` breaks `rule`, as `path: why` lines (none: it holds).
fn check(root: &Value, rule: &Value, value: &Value, path: &str, errs: &mut Vec<String>) {
    let rule = rule.as_object().expect("a schema is an object");
    for (key, arg) in rule {
        match key.as_str() {
            "description" | "title" | "$schema" | "$id" | "$defs" => {}
            "$ref" => {
                let target = arg.as_str().unwrap().trim_start_matches('#');
                let sub = root
                    .pointer(target)
                    .unwrap_or_else(|| panic!("no {target}"));
                check(root, sub, value, path, errs);
            }
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                    _ => panic!("type {arg}"),
                };
                let is = |t: &str| match t {
                    "string" => value.is_string(),
                    "integer" => value.is_i64() || value.is_u64(),
                    "number" => value.is_number(),
                    "boolean" => value.is_boolean(),
                    "null" => value.is_null(),
                    "object" => value.is_object(),
                    "array" => value.is_array(),
                    other => panic!("type {other}"),
                };
                if !types.iter().any(|t| is(t)) {
                    errs.push(format!("{path}: {value} is not {types:?}"));
                }
            }
            "enum" => {
                if !arg.as_array().unwrap().contains(value) {
                    errs.push(format!("{path}: {value} is not one of {arg}"));
                }
            }
            "const" => {
                if value != arg {
                    errs.push(format!("{path}: {value} is not {arg}"));
                }
            }
            "minimum" | "maximum" => {
                if let Some(n) = value.as_f64() {
                    let bound = arg.as_f64().unwrap();
                    if (key == "minimum" && n < bound) || (key == "maximum" && n > bound) {
                        errs.push(format!("{path}: {n} is beyond the {key} {bound}"));
                    }
                }
            }
            "format" => {
                assert_eq!(arg, "date-time");
                if let Some(s) = value.as_str() {
                    // RFC 3339 in UTC with milliseconds, as the README says.
                    let ok = chrono::DateTime::parse_from_rfc3339(s).is_ok()
                        && s.len() == 24
                        && s.ends_with('Z');
                    if !ok {
                        errs.push(format!("{path}: '{s}' is not an RFC 3339 UTC time"));
                    }
                }
            }
            "required" => {
                if let Some(o) = value.as_object() {
                    for name in arg.as_array().unwrap() {
                        if !o.contains_key(name.as_str().unwrap()) {
                            errs.push(format!("{path}: no {name}"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(o) = value.as_object() {
                    for (name, sub) in arg.as_object().unwrap() {
                        if let Some(v) = o.get(name) {
                            check(root, sub, v, &format!("{path}.{name}"), errs);
                        }
                    }
                }
            }
            "additionalProperties" => {
                let Some(o) = value.as_object() else { continue };
                let known = rule.get("properties").and_then(Value::as_object);
                for (name, v) in o {
                    if known.is_some_and(|k| k.contains_key(name)) {
                        continue;
                    }
                    match arg {
                        Value::Bool(false) => {
                            errs.push(format!("{path}: {name} is not in the schema"))
                        }
                        Value::Bool(true) => {}
                        sub => check(root, sub, v, &format!("{path}.{name}"), errs),
                    }
                }
            }
            "items" => {
                if let Some(a) = value.as_array() {
                    for (i, v) in a.iter().enumerate() {
                        check(root, arg, v, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            "anyOf" => {
                let fits = arg.as_array().unwrap().iter().any(|sub| {
                    let mut e = Vec::new();
                    check(root, sub, value, path, &mut e);
                    e.is_empty()
                });
                if !fits {
                    errs.push(format!("{path}: {value} fits none of anyOf"));
                }
            }
            other => panic!("the schema uses {other}, which this checker does not know"),
        }
    }
}

/// Where `v` breaks the schema as a line of rpq's JSON: none when it is one of the schema's
/// kinds, else the breaches of the kind it comes nearest to (fewest), as `kind.path: why`. The
/// docs' JSON examples are held to the schema through this (tests/cli/docs.rs).
pub fn breaches(v: &Value) -> Vec<String> {
    let root = schema();
    let mut nearest: Option<Vec<String>> = None;
    for kind in root["anyOf"]
        .as_array()
        .expect("the schema is anyOf its kinds")
    {
        let name = kind["$ref"]
            .as_str()
            .expect("a kind is a $ref")
            .trim_start_matches("#/$defs/");
        let mut errs = Vec::new();
        check(&root, kind, v, name, &mut errs);
        if errs.is_empty() {
            return errs;
        }
        if nearest.as_ref().is_none_or(|n| errs.len() < n.len()) {
            nearest = Some(errs);
        }
    }
    nearest.unwrap_or_default()
}

/// Holds `v` to the line kind `kind` (a name under `$defs`); panics with every breach.
fn hold(root: &Value, kind: &str, what: &str, v: &Value) {
    let rule = &root["$defs"][kind];
    assert!(rule.is_object(), "the schema has no kind {kind}");
    let mut errs = Vec::new();
    check(root, rule, v, kind, &mut errs);
    assert!(errs.is_empty(), "{what}: {v}\n{}", errs.join("\n"));
}

/// Every line kind's fields are `$defs/fields/<its name>` (narrowed at most): one name, one
/// shape. bench's report alone has fields of its own; every field is used by some kind.
#[test]
fn the_schema_gives_each_field_one_shape() {
    let root = schema();
    let defs = root["$defs"].as_object().unwrap();
    let fields = defs["fields"].as_object().unwrap();
    let mut used = std::collections::BTreeSet::new();
    for (kind, def) in defs {
        if kind == "fields" {
            continue;
        }
        assert!(
            root["anyOf"]
                .as_array()
                .unwrap()
                .contains(&json!({"$ref": format!("#/$defs/{kind}")})),
            "{kind} is not among the lines the schema allows"
        );
        for (name, rule) in def["properties"].as_object().unwrap() {
            let r = rule["$ref"].as_str().unwrap_or("");
            if kind == "bench" {
                if let Some(f) = r.strip_prefix("#/$defs/fields/") {
                    assert_eq!(f, name);
                }
                continue;
            }
            assert_eq!(
                r,
                format!("#/$defs/fields/{name}"),
                "{kind}.{name} is not the field {name}"
            );
            used.insert(name.clone());
        }
    }
    let unused: Vec<_> = fields.keys().filter(|f| !used.contains(*f)).collect();
    assert!(unused.is_empty(), "fields no line has: {unused:?}");
    // The checker is not lax: a wrong shape, an unknown field and a bad time are caught.
    let mut errs = Vec::new();
    let bad = json!({"waiting": {"total": 1}, "x": 1, "high": 0, "medium": 0, "low": 0,
        "in_flight": 0, "retrying": 0, "dead": 0, "scheduled": 0, "blocked": 0});
    check(&root, &root["$defs"]["len"], &bad, "len", &mut errs);
    assert_eq!(errs.len(), 2, "{errs:?}");
    let mut errs = Vec::new();
    check(
        &root,
        &root["$defs"]["fields"]["at"],
        &json!(1764340214123u64),
        "at",
        &mut errs,
    );
    check(
        &root,
        &root["$defs"]["fields"]["at"],
        &json!("14:30:00"),
        "at",
        &mut errs,
    );
    assert_eq!(errs.len(), 2, "{errs:?}");
}

/// Runs `rpq --json ARGS` expecting exit `code`; every stdout line is held to `kind`. Returns
/// the lines.
fn lines(r: &RedisServer, root: &Value, kind: &str, code: i32, args: &[&str]) -> Vec<Value> {
    let out = rpq(r).arg("--json").args(args).assert().code(code);
    let got = ndjson(&out.get_output().stdout);
    assert!(!got.is_empty(), "{args:?} printed no line");
    for v in &got {
        hold(root, kind, &args.join(" "), v);
    }
    got
}

#[test]
fn every_command_and_api_answer_holds_to_the_schema() {
    let root = schema();
    let r = redis();
    let l = |kind: &str, args: &[&str]| lines(&r, &root, kind, 0, args);

    l(
        "produced",
        &["produce", "--type", "mail", "--priority", "high"],
    );
    l(
        "produced",
        &[
            "produce",
            "--type",
            "m",
            "--id",
            "m1",
            "--keep-result",
            "1h",
        ],
    );
    l("produced", &["produce", "--type", "m", "--id", "m1"]);
    l(
        "produced",
        &[
            "produce", "--type", "s", "--id", "s1", "--in", "1h", "--ttl", "2h",
        ],
    );
    l(
        "produced",
        &[
            "produce",
            "--type",
            "f",
            "--id",
            "f1",
            "--max-attempts",
            "1",
        ],
    );
    let stdin = rpq(&r)
        .args(["--json", "produce", "--stdin"])
        .write_stdin("{\"type\":\"in\",\"priority\":3,\"payload\":[1]}\n")
        .assert()
        .success();
    for v in ndjson(&stdin.get_output().stdout) {
        hold(&root, "produced", "produce --stdin", &v);
    }
    // A task whose stored body cannot be read: marked, with no made-up creation time.
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 1, "id": "u1"}).to_string()],
    );
    let _: () = redis::cmd("HSET")
        .arg(Keys::new("default", 0).tasks())
        .arg("u1")
        .arg("{not json")
        .query(&mut conn(&r))
        .unwrap();
    let peeked = l("task", &["peek", "-n", "10"]);
    let u1 = peeked.iter().find(|t| t["id"] == "u1").unwrap();
    assert_eq!(u1["unreadable"], json!(true), "{u1}");
    assert!(u1.get("created_at").is_none(), "{u1}");
    l("len", &["len"]);
    l("len_priority", &["len", "--priority", "low"]);
    let consumed = lines(
        &r,
        &root,
        "consumed",
        65,
        &["consume", "--drain", "--exec", "test $RPQ_TASK_TYPE != f"],
    );
    assert!(consumed
        .iter()
        .any(|c| c["id"] == "u1" && c["unreadable"] == true));
    let dead = l("task_info", &["dead", "list"]);
    assert!(dead.iter().all(|d| d["state"] == "dead"), "{dead:?}");
    l("kept", &["result", "m1"]);
    // The id of a task done with its result kept: not queued again, and when it was done.
    let again = l("produced", &["produce", "--type", "m", "--id", "m1"]);
    assert_eq!(again[0]["queued"], false);
    assert!(again[0]["done_at"].is_string(), "{again:?}");
    l("kept", &["show", "m1"]);
    l("task_info", &["show", "s1", "f1"]);
    for state in ["waiting", "scheduled", "in-flight", "retrying", "dead"] {
        let out = rpq(&r)
            .args(["--json", "list", "--state", state])
            .assert()
            .success();
        for v in ndjson(&out.get_output().stdout) {
            hold(&root, "task_info", state, &v);
        }
    }
    l("queue_counts", &["queues"]);
    l(
        "schedule",
        &["schedule", "add", "hourly", "--every", "1h", "--type", "r"],
    );
    l(
        "schedule",
        &[
            "schedule",
            "add",
            "nightly",
            "--cron",
            "0 3 * * *",
            "--type",
            "r",
            "--tz",
            "Europe/Berlin",
        ],
    );
    l("schedule", &["schedule", "list"]);
    l("schedule_removed", &["schedule", "remove", "hourly"]);
    l("aging", &["aging", "1m"]);
    l("aging", &["aging"]);
    l("group_weight", &["group", "weight", "a", "2"]);
    rpq(&r)
        .args(["produce", "--type", "t", "--group", "a"])
        .assert()
        .success();
    l("group_waiting", &["groups"]);
    l(
        "limit",
        &[
            "limit",
            "--group",
            "a",
            "--max-in-flight",
            "2",
            "--rate",
            "5/s",
        ],
    );
    l("limit", &["limit", "--each-group", "--max-in-flight", "3"]);
    l("limit", &["limit"]);
    l("group_pause", &["pause", "--group", "a", "--for", "1h"]);
    l("group_waiting", &["groups"]);
    l("group_pause", &["resume", "--group", "a"]);
    l("group_limit_removed", &["limit", "--group", "a", "--off"]);
    l("group_limit_removed", &["limit", "--each-group", "--off"]);
    l("config", &["config"]);
    l("paused", &["pause", "--priority", "low", "--for", "1h"]);
    l(
        "limit",
        &[
            "limit",
            "--type",
            "m",
            "--rate",
            "5/s",
            "--max-in-flight",
            "2",
        ],
    );
    l("limit", &["limit"]);
    l("stats", &["stats"]);
    l("paused", &["resume"]);
    l("limit_removed", &["limit", "--type", "m", "--off"]);
    l("task_info", &["move", "s1", "--priority", "low"]);
    l("cancelled", &["cancel", "s1"]);
    l("flow_window", &["flow", "window", "10m"]);
    l("flow_window", &["flow", "window"]);
    l("produced", &["produce", "--type", "r", "--id", "fr"]);
    l(
        "produced",
        &["produce", "--type", "c", "--id", "fc", "--after", "fr"],
    );
    l("cancelled", &["flow", "cancel", "fr"]);
    l("dead_moved", &["dead", "retry", "f1"]);
    lines(&r, &root, "dead_moved", 1, &["dead", "purge", "nope"]);
    l("cleared", &["clear", "--yes"]);
    l("cleared", &["clear", "--all", "--yes"]);
    l(
        "bench",
        &[
            "--queue",
            "b",
            "bench",
            "--tasks",
            "20",
            "--latency-tasks",
            "2",
            "--scheduled-tasks",
            "2",
        ],
    );
    l("queue_removed", &["queues", "remove", "default", "--force"]);

    // The API: each route's answer, and its errors.
    push_lines(
        &r,
        "q",
        &[json!({"type": "t", "priority": 2, "id": "a1"}).to_string()],
    );
    rpq(&r)
        .args([
            "--queue",
            "q",
            "produce",
            "--type",
            "d",
            "--id",
            "d1",
            "--max-attempts",
            "1",
        ])
        .assert()
        .success();
    rpq(&r)
        .args([
            "--queue",
            "q",
            "produce",
            "--type",
            "k",
            "--id",
            "k1",
            "--keep-result",
            "1h",
        ])
        .assert()
        .success();
    rpq(&r)
        .args([
            "--queue",
            "q",
            "consume",
            "--count",
            "3",
            "--exec",
            "test $RPQ_TASK_TYPE != d",
        ])
        .assert()
        .success();
    let s = Serve::start(&r, &[]);
    let api = |kind: &str, what: &str, v: Value| hold(&root, kind, what, &v);
    api("info", "info", s.get("/api/info").expect(200).json());
    api("healthz", "healthz", s.get("/healthz").expect(200).json());
    api(
        "overview",
        "queues",
        s.get("/api/queues").expect(200).json(),
    );
    api("stats", "queue", s.get("/api/queues/q").expect(200).json());
    api(
        "history",
        "history",
        s.get("/api/history?since=0").expect(200).json(),
    );
    // Issue 26: the sampler's first round stores a point of each queue.
    let mut c = conn(&r);
    wait_until(Duration::from_secs(10), "a point of the history", || {
        zcard(&mut c, "rpq:{q}:history:m") > 0
    });
    l(
        "history_period",
        &["--queue", "q", "stats", "--since", "1h"],
    );
    for state in ["waiting", "dead"] {
        let page = s
            .get(&format!("/api/queues/q/tasks?state={state}&limit=5"))
            .expect(200)
            .json();
        api("page", state, page);
    }
    api(
        "task_info",
        "show",
        s.get("/api/queues/q/tasks/d1").expect(200).json(),
    );
    let one = json!({"type": "t", "priority": "high", "id": "p1"});
    api(
        "produced",
        "push",
        s.post("/api/queues/q/tasks", &one).expect(201).json(),
    );
    let batch = "{\"type\":\"t\",\"priority\":1}\nnot a task\n";
    let b = s
        .send("POST", "/api/queues/q/tasks", "application/x-ndjson", batch)
        .expect(400)
        .json();
    api("batch", "batch", b);
    let moved = s
        .post("/api/queues/q/tasks/p1/move", &json!({"priority": 3}))
        .expect(200)
        .json();
    api("task_info", "move", moved);
    api(
        "cancelled",
        "cancel",
        s.delete("/api/queues/q/tasks/p1").expect(200).json(),
    );
    api(
        "kept",
        "result",
        s.get("/api/queues/q/tasks/k1/result").expect(200).json(),
    );
    rpq(&r)
        .args(["--queue", "q", "schedule", "add", "hourly", "--every", "1h"])
        .args(["--type", "r"])
        .assert()
        .success();
    api(
        "schedules",
        "schedules",
        s.get("/api/queues/q/schedules").expect(200).json(),
    );
    api(
        "produced",
        "fire",
        s.post("/api/queues/q/schedules/hourly/fire", &json!({}))
            .expect(201)
            .json(),
    );
    api(
        "schedule_removed",
        "remove schedule",
        s.delete("/api/queues/q/schedules/hourly")
            .expect(200)
            .json(),
    );
    api(
        "completed",
        "completed",
        s.get("/api/queues/q/completed?limit=1").expect(200).json(),
    );
    api(
        "kept",
        "show finished",
        s.get("/api/queues/q/tasks/k1").expect(200).json(),
    );
    api(
        "api_error",
        "no result",
        s.get("/api/queues/q/tasks/a1/result").expect(404).json(),
    );
    // Issue 26: the webhooks and their delivery, for the dashboard's panel.
    rpq(&r)
        .args([
            "--queue",
            "q",
            "webhook",
            "add",
            "http://127.0.0.1:9/hook",
            "--on",
            "dead",
        ])
        .assert()
        .success();
    api(
        "webhooks",
        "webhooks",
        s.get("/api/queues/q/webhooks").expect(200).json(),
    );
    // Issue 28: who works on what, by type, search and bulk actions.
    api(
        "workers",
        "workers",
        s.get("/api/queues/q/workers").expect(200).json(),
    );
    api(
        "types",
        "types",
        s.get("/api/queues/q/types").expect(200).json(),
    );
    api(
        "search",
        "search id",
        s.get("/api/search?id=d1").expect(200).json(),
    );
    api(
        "search",
        "search kept",
        s.get("/api/search?id=k1").expect(200).json(),
    );
    api(
        "search",
        "search type",
        s.get("/api/search?type=d").expect(200).json(),
    );
    let big = json!({"type": "t", "priority": 3, "payload": {"s": "x".repeat(400)}});
    s.post("/api/queues/q/tasks", &big).expect(201);
    api(
        "page",
        "previews",
        s.get("/api/queues/q/tasks?state=waiting&priority=3")
            .expect(200)
            .json(),
    );
    api(
        "bulk",
        "bulk",
        s.post(
            "/api/queues/q/bulk",
            &json!({"action": "move", "priority": "high", "filter": {"state": "waiting", "type": "t"}}),
        )
        .expect(200)
        .json(),
    );
    api(
        "dead_moved",
        "retry",
        s.post("/api/queues/q/dead/retry", &json!({"all": true}))
            .expect(200)
            .json(),
    );
    api(
        "dead_moved",
        "purge",
        s.post("/api/queues/q/dead/purge", &json!({"all": true}))
            .expect(200)
            .json(),
    );
    api(
        "paused",
        "pause",
        s.post("/api/queues/q/pause", &json!({})).expect(200).json(),
    );
    api(
        "paused",
        "resume",
        s.post("/api/queues/q/resume", &json!({}))
            .expect(200)
            .json(),
    );
    api(
        "cleared",
        "clear",
        s.post("/api/queues/q/clear", &json!({})).expect(200).json(),
    );
    api(
        "api_error",
        "unknown queue",
        s.get("/api/queues/nope").expect(404).json(),
    );
    // Workers over HTTP (issue 27): a claim, and what each lease route answers.
    s.post(
        "/api/queues/q/tasks",
        &json!({"type": "t", "priority": 1, "id": "h1"}),
    )
    .expect(201);
    let claim = s
        .post("/api/queues/q/claim?n=2&consumer=h", &json!({}))
        .expect(200)
        .json();
    api("claim", "claim", claim.clone());
    let token = json!({"token": claim["tasks"][0]["token"]});
    let route = |r: &str| format!("/api/queues/q/tasks/h1/{r}");
    api(
        "settled",
        "extend",
        s.post(&route("extend"), &token).expect(200).json(),
    );
    api(
        "settled",
        "ack",
        s.post(&route("ack"), &token).expect(200).json(),
    );
    api(
        "api_error",
        "stale token",
        s.post(&route("release"), &token).expect(409).json(),
    );
    let waited = s.post(
        "/api/queues/q/tasks?wait&timeout=1s",
        &json!({"type": "t", "priority": 1}),
    );
    api("api_error", "wait", waited.expect(504).json());
}
