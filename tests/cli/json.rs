//! `--json` of every command, parsed with serde into structs that refuse unknown fields and
//! checked value by value; and the README's table of fields, checked against what rpq prints.

use crate::support::*;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Produced {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    priority: u8,
    payload: Value,
    created_at: String,
    attempt: u32,
    queued: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Peeked {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    priority: u8,
    payload: Value,
    created_at: String,
    attempt: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Consumed {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    priority: u8,
    payload: Value,
    created_at: String,
    attempt: u32,
    consumer: String,
    claimed_at: String,
    finished_at: String,
    outcome: String,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Dead {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    priority: u8,
    payload: Value,
    created_at: String,
    attempt: u32,
    state: String,
    error: String,
    died_at: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Len {
    waiting: u64,
    high: u64,
    medium: u64,
    low: u64,
    in_flight: u64,
    retrying: u64,
    dead: u64,
    scheduled: u64,
    blocked: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct LenOne {
    priority: u8,
    waiting: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Cleared {
    removed: u64,
    waiting: u64,
    in_flight: u64,
    retrying: u64,
    dead: u64,
    scheduled: u64,
    kept: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stats {
    queue: String,
    at: String,
    waiting: u64,
    high: u64,
    medium: u64,
    low: u64,
    in_flight: u64,
    retrying: u64,
    dead: u64,
    scheduled: u64,
    blocked: u64,
    pushed: u64,
    done: u64,
    failed: u64,
    recovered: u64,
    last_minute: LastMinute,
    oldest_waiting_ms: Option<u64>,
    oldest_waiting_by_priority_ms: OldestWaiting,
    aging_ms: Option<u64>,
    consumers: Vec<StatsConsumer>,
    eviction_policy: Option<String>,
    lost: Option<StatsLost>,
    paused: Vec<PausedLine>,
    limits: Vec<LimitLine>,
}

// Controls (issue 13).

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct PausedLine {
    priority: u8,
    until: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct StatsLost {
    at: String,
    pushes: u64,
    acks: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct LimitLine {
    #[serde(rename = "type")]
    kind: Option<String>,
    rate: Option<u64>,
    per_ms: Option<u64>,
    burst: Option<u64>,
    max_in_flight: Option<u64>,
    in_flight: Option<u64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct OldestWaiting {
    high: Option<u64>,
    medium: Option<u64>,
    low: Option<u64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct PauseLine {
    queue: String,
    paused: Vec<PausedLine>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Unlimited {
    #[serde(rename = "type")]
    kind: Option<String>,
    removed: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct LastMinute {
    done: u64,
    failed: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsConsumer {
    name: String,
    last_seen: String,
    done: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Retried {
    retried: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Purged {
    purged: u64,
}

/// Every key of every line, at any depth, except inside payloads and results (the user's).
fn keys(lines: &[Value], out: &mut BTreeSet<String>) {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone());
                    if k != "payload" && k != "result" {
                        walk(v, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    lines.iter().for_each(|v| walk(v, out));
}

/// Runs rpq with --json; every stdout line must parse as `T`. Records the keys seen under `cmd`.
fn run<T: DeserializeOwned>(
    r: &rpq::server::RedisServer,
    seen: &mut BTreeMap<&'static str, BTreeSet<String>>,
    cmd: &'static str,
    args: &[&str],
) -> Vec<T> {
    let out = rpq(r)
        .arg("--json")
        .args(args)
        .assert()
        .success()
        .stderr("");
    let lines = ndjson(&out.get_output().stdout);
    keys(&lines, seen.entry(cmd).or_default());
    lines
        .into_iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{cmd}: {e}: {v}")))
        .collect()
}

/// RFC 3339 in UTC with milliseconds, as the README says.
fn documented_time(s: &str) -> DateTime<Utc> {
    assert_eq!(s.len(), 24, "{s}");
    assert!(s.ends_with('Z') && s.as_bytes()[19] == b'.', "{s}");
    rfc3339(s)
}

#[test]
fn every_command_prints_the_documented_fields() {
    let r = redis();
    let mut seen = BTreeMap::new();
    let before = Utc::now() - chrono::Duration::seconds(5);

    // produce: one line per task, with its id; a known id is not queued twice.
    let p: Vec<Produced> = run(
        &r,
        &mut seen,
        "produce",
        &[
            "produce",
            "--type",
            "email",
            "--priority",
            "high",
            "--payload",
            r#"{"to":"a@b.c"}"#,
            "--id",
            "mail-1",
        ],
    );
    assert_eq!(p.len(), 1);
    let mail = &p[0];
    assert_eq!(
        (mail.id.as_str(), mail.kind.as_str(), mail.priority),
        ("mail-1", "email", 1)
    );
    assert_eq!(mail.payload, json!({"to": "a@b.c"}));
    assert_eq!((mail.attempt, mail.queued), (0, true));
    let created = documented_time(&mail.created_at);
    assert!(created >= before && created <= Utc::now() + chrono::Duration::seconds(5));
    let again: Vec<Produced> = run(
        &r,
        &mut seen,
        "produce",
        &["produce", "--type", "email", "--id", "mail-1"],
    );
    assert!(!again[0].queued);
    let stdin = rpq(&r)
        .args(["--json", "produce", "--stdin"])
        .write_stdin(
            [
                json!({"type": "report", "priority": 3, "payload": "nightly", "id": "rep-1"}),
                json!({"type": "fail", "priority": "medium", "id": "bad-1"}),
            ]
            .map(|v| v.to_string())
            .join("\n"),
        )
        .assert()
        .success()
        .stderr("");
    let stdin: Vec<Produced> = ndjson(&stdin.get_output().stdout)
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    assert_eq!(
        stdin
            .iter()
            .map(|t| (t.id.as_str(), t.kind.as_str(), t.priority, t.queued))
            .collect::<Vec<_>>(),
        [("rep-1", "report", 3, true), ("bad-1", "fail", 2, true)]
    );
    assert_eq!(stdin[0].payload, json!("nightly"));
    assert_eq!(stdin[1].payload, Value::Null);

    // peek: the task fields, in claim order, never claimed yet.
    let peeked: Vec<Peeked> = run(&r, &mut seen, "peek", &["peek", "-n", "5"]);
    assert_eq!(
        peeked
            .iter()
            .map(|t| (t.id.as_str(), t.kind.as_str(), t.priority, t.attempt))
            .collect::<Vec<_>>(),
        [
            ("mail-1", "email", 1, 0),
            ("bad-1", "fail", 2, 0),
            ("rep-1", "report", 3, 0)
        ]
    );
    assert_eq!(peeked[0].payload, json!({"to": "a@b.c"}));
    assert_eq!(peeked[0].created_at, mail.created_at);

    // len
    let len: Vec<Len> = run(&r, &mut seen, "len", &["len"]);
    assert_eq!(
        len,
        [Len {
            waiting: 3,
            high: 1,
            medium: 1,
            low: 1,
            in_flight: 0,
            retrying: 0,
            dead: 0,
            scheduled: 0,
            blocked: 0
        }]
    );

    let one: Vec<LenOne> = run(
        &r,
        &mut seen,
        "len --priority P",
        &["len", "--priority", "low"],
    );
    assert_eq!(
        one,
        [LenOne {
            priority: 3,
            waiting: 1
        }]
    );

    // consume: done, retry, then dead for the task whose handler fails twice.
    let consumed: Vec<Consumed> = run(
        &r,
        &mut seen,
        "consume",
        &[
            "consume",
            "--drain",
            "--name",
            "w1",
            "--max-attempts",
            "2",
            "--backoff",
            "0",
            "--exec",
            r#"test "$RPQ_TASK_TYPE" != fail"#,
        ],
    );
    let summary: Vec<(&str, u32, &str, Option<&str>)> = consumed
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.attempt,
                t.outcome.as_str(),
                t.error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("mail-1", 1, "done", None),
            ("bad-1", 1, "retry", Some("exit status 1")),
            ("bad-1", 2, "dead", Some("exit status 1")),
            ("rep-1", 1, "done", None),
        ]
    );
    for t in &consumed {
        assert_eq!(t.consumer, "w1");
        let (c, claimed, finished) = (
            documented_time(&t.created_at),
            documented_time(&t.claimed_at),
            documented_time(&t.finished_at),
        );
        assert!(c <= claimed && claimed <= finished, "{t:?}");
    }
    assert_eq!(consumed[0].kind, "email");
    assert_eq!(consumed[0].priority, 1);
    assert_eq!(consumed[0].payload, json!({"to": "a@b.c"}));
    assert_eq!(consumed[0].created_at, mail.created_at);

    // dead list: the task fields, the attempts it had, its last error, when it died.
    let dead: Vec<Dead> = run(&r, &mut seen, "dead list", &["dead", "list"]);
    assert_eq!(dead.len(), 1);
    let d = &dead[0];
    assert_eq!(
        (d.id.as_str(), d.kind.as_str(), d.priority, d.attempt),
        ("bad-1", "fail", 2, 2)
    );
    assert_eq!(d.state, "dead");
    assert_eq!(d.payload, Value::Null);
    assert_eq!(d.error, "exit status 1");
    assert!(documented_time(&d.died_at) >= documented_time(&d.created_at));

    // stats; `lost` as a consumer that saw a restart lose writes leaves it (outages.rs).
    let _: () = redis::cmd("HSET")
        .arg(Keys::new("default", 0).stats())
        .arg("lost")
        .arg("1764340214123|3|2")
        .query(&mut conn(&r))
        .unwrap();
    // stats, with a pause and a limit in force (issue 13), taken away again after it.
    rpq(&r)
        .args(["pause", "--priority", "low", "--for", "1h"])
        .assert()
        .success();
    rpq(&r)
        .args(["limit", "--type", "email", "--rate", "10/s", "--burst", "2"])
        .args(["--max-in-flight", "4"])
        .assert()
        .success();
    let stats: Vec<Stats> = run(&r, &mut seen, "stats", &["stats"]);
    rpq(&r).arg("resume").assert().success();
    rpq(&r)
        .args(["limit", "--type", "email", "--off"])
        .assert()
        .success();
    let s = &stats[0];
    assert_eq!(s.eviction_policy.as_deref(), Some("noeviction"));
    assert_eq!(
        s.lost,
        Some(StatsLost {
            at: "2025-11-28T14:30:14.123Z".into(),
            pushes: 3,
            acks: 2
        })
    );
    assert_eq!(s.paused.len(), 1);
    assert_eq!(s.paused[0].priority, 3);
    let until = documented_time(s.paused[0].until.as_deref().unwrap());
    assert!(until > documented_time(&s.at) + chrono::Duration::minutes(59));
    assert_eq!(
        s.limits,
        [LimitLine {
            kind: Some("email".into()),
            rate: Some(10),
            per_ms: Some(1000),
            burst: Some(2),
            max_in_flight: Some(4),
            in_flight: Some(0),
        }]
    );
    assert_eq!(s.queue, "default");
    assert!(documented_time(&s.at) >= created);
    assert_eq!((s.waiting, s.high, s.medium, s.low), (0, 0, 0, 0));
    assert_eq!(
        (
            s.in_flight,
            s.retrying,
            s.dead,
            s.pushed,
            s.done,
            s.failed,
            s.recovered,
            s.scheduled,
            s.aging_ms
        ),
        (0, 0, 1, 3, 2, 2, 0, 0, None)
    );
    assert_eq!(s.blocked, 0);
    assert_eq!(s.last_minute, LastMinute { done: 2, failed: 2 });
    assert_eq!(s.oldest_waiting_ms, None);
    assert_eq!(
        s.oldest_waiting_by_priority_ms,
        OldestWaiting {
            high: None,
            medium: None,
            low: None
        }
    );
    assert_eq!(s.consumers.len(), 1);
    assert_eq!(
        (s.consumers[0].name.as_str(), s.consumers[0].done),
        ("w1", 2)
    );
    assert!(documented_time(&s.consumers[0].last_seen) <= documented_time(&s.at));

    // dead retry and purge: how many; a retried task is waiting again with attempts reset.
    let retried: Vec<Retried> = run(&r, &mut seen, "dead retry", &["dead", "retry", "bad-1"]);
    assert_eq!(retried, [Retried { retried: 1 }]);
    let back: Vec<Peeked> = run(&r, &mut seen, "peek", &["peek"]);
    assert_eq!((back[0].id.as_str(), back[0].attempt), ("bad-1", 0));
    run::<Consumed>(
        &r,
        &mut seen,
        "consume",
        &[
            "consume",
            "--drain",
            "--max-attempts",
            "1",
            "--exec",
            "false",
        ],
    );
    let purged: Vec<Purged> = run(&r, &mut seen, "dead purge", &["dead", "purge"]);
    assert_eq!(purged, [Purged { purged: 1 }]);
    // An id that is not dead is named, and the run fails (exit 1).
    let out = rpq(&r)
        .args(["--json", "dead", "purge", "nope"])
        .assert()
        .code(1);
    let none = ndjson(&out.get_output().stdout);
    assert_eq!(none, [json!({"purged": 0, "unknown": ["nope"]})]);
    keys(&none, seen.entry("dead purge").or_default());

    // clear
    push_lines(&r, "default", &[line(1)]);
    let cleared: Vec<Cleared> = run(&r, &mut seen, "clear", &["clear", "--yes"]);
    assert_eq!(
        cleared,
        [Cleared {
            removed: 1,
            waiting: 1,
            in_flight: 0,
            retrying: 0,
            dead: 0,
            scheduled: 0,
            kept: ["results", "totals", "consumers", "settings", "schedules"]
                .map(String::from)
                .to_vec(),
        }]
    );

    readme_lists_exactly(&seen);
}

/// The README's table of JSON fields names exactly the fields each command printed.
fn readme_lists_exactly(seen: &BTreeMap<&'static str, BTreeSet<String>>) {
    // The table moved with the reference to docs/output.md (issue 21).
    let readme = include_str!("../../docs/output.md");
    let task_fields = ["id", "type", "priority", "payload", "created_at", "attempt"];
    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() < 5 || !cells[3].contains("`") && !cells[3].contains("task fields") {
            continue;
        }
        let names = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let mut fields: BTreeSet<String> = names(cells[3]).into_iter().collect();
        if cells[3].contains("the task fields") {
            fields.extend(task_fields.iter().map(|f| f.to_string()));
        }
        for cmd in names(cells[1]) {
            documented.insert(cmd, fields.clone());
        }
    }
    for (cmd, keys) in seen {
        let doc = documented
            .get(*cmd)
            .unwrap_or_else(|| panic!("README has no JSON row for `{cmd}`"));
        // retry and purge share a row: each prints one of its two fields.
        let missing: Vec<_> = keys.difference(doc).collect();
        assert!(
            missing.is_empty(),
            "`{cmd}` prints {missing:?}, not in the README's table"
        );
        if !cmd.starts_with("dead r") && !cmd.starts_with("dead p") {
            let extra: Vec<_> = doc.difference(keys).collect();
            assert!(
                extra.is_empty(),
                "README lists {extra:?} for `{cmd}`, not printed"
            );
        }
    }
}

// Inspecting and controlling (issue 13).

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shown {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    priority: u8,
    payload: Value,
    created_at: String,
    attempt: u32,
    state: String,
    #[serde(default)]
    consumer: Option<String>,
    #[serde(default)]
    claimed_at: Option<String>,
    #[serde(default)]
    lease_until: Option<String>,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    retry_at: Option<String>,
    #[serde(default)]
    died_at: Option<String>,
    #[serde(default)]
    due_at: Option<String>,
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct CancelLine {
    id: String,
    state: String,
    #[serde(default)]
    consumer: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct QueueLine {
    queue: String,
    shards: u32,
    waiting: u64,
    high: u64,
    medium: u64,
    low: u64,
    in_flight: u64,
    retrying: u64,
    dead: u64,
    scheduled: u64,
    blocked: u64,
    paused: Vec<PausedLine>,
}

#[test]
fn inspecting_commands_print_the_documented_fields() {
    let r = redis();
    let mut c = conn(&r);
    let mut seen = BTreeMap::new();
    push_lines(&r, "default", &lines_with_ids([1, 1, 2, 3]));
    // t0 retrying, t1 dead, t2 in flight, t3 waiting.
    rpq(&r)
        .args(["consume", "--count", "1", "--backoff", "1h"])
        .args(["--exec", "echo no >&2; exit 1"])
        .assert()
        .success();
    rpq(&r)
        .args([
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
            "--exec",
            "exit 2",
        ])
        .assert()
        .success();
    let holder = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "--name",
            "h",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_in_flight(&mut c, "default", 1);
    // s1 scheduled, with an expiry.
    rpq(&r)
        .args([
            "produce", "--type", "t", "--id", "s1", "--in", "1h", "--ttl", "2h",
        ])
        .assert()
        .success();

    let shown: Vec<Shown> = run(
        &r,
        &mut seen,
        "show",
        &["show", "t0", "t1", "t2", "t3", "s1"],
    );
    let states: Vec<(&str, &str, u32)> = shown
        .iter()
        .map(|s| (s.id.as_str(), s.state.as_str(), s.attempt))
        .collect();
    assert_eq!(
        states,
        [
            ("t0", "retrying", 1),
            ("t1", "dead", 1),
            ("t2", "in-flight", 1),
            ("t3", "waiting", 0),
            ("s1", "scheduled", 0)
        ]
    );
    let (retrying, dead, held, waiting) = (&shown[0], &shown[1], &shown[2], &shown[3]);
    let scheduled = &shown[4];
    assert!(
        documented_time(scheduled.expires_at.as_deref().unwrap())
            > documented_time(scheduled.due_at.as_deref().unwrap())
    );
    assert_eq!(retrying.error.as_deref(), Some("exit status 1: no"));
    documented_time(retrying.retry_at.as_deref().unwrap());
    assert_eq!(dead.error.as_deref(), Some("exit status 2"));
    assert!(documented_time(dead.died_at.as_deref().unwrap()) >= documented_time(&dead.created_at));
    assert_eq!(
        (held.consumer.as_deref(), held.max_attempts),
        (Some("h"), Some(3))
    );
    assert!(
        documented_time(held.lease_until.as_deref().unwrap())
            > documented_time(held.claimed_at.as_deref().unwrap())
    );
    assert_eq!(
        (waiting.kind.as_str(), waiting.priority, &waiting.payload),
        ("t", 3, &json!(3))
    );
    assert_eq!(waiting.error, None);
    for state in ["waiting", "scheduled", "in-flight", "retrying", "dead"] {
        let listed: Vec<Shown> = run(&r, &mut seen, "list", &["list", "--state", state]);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].state, state);
    }
    let moved: Vec<Shown> = run(
        &r,
        &mut seen,
        "move",
        &["move", "t3", "t0", "--priority", "high"],
    );
    assert_eq!(
        moved
            .iter()
            .map(|m| (m.id.as_str(), m.priority, m.state.as_str()))
            .collect::<Vec<_>>(),
        [("t3", 1, "waiting"), ("t0", 1, "retrying")]
    );
    let queues: Vec<QueueLine> = run(&r, &mut seen, "queues", &["queues"]);
    assert_eq!(
        queues,
        [QueueLine {
            queue: "default".into(),
            shards: 1,
            waiting: 1,
            high: 1,
            medium: 0,
            low: 0,
            in_flight: 1,
            retrying: 1,
            dead: 1,
            scheduled: 1,
            blocked: 0,
            paused: vec![],
        }]
    );
    let cancelled: Vec<CancelLine> = run(&r, &mut seen, "cancel", &["cancel", "t3", "t2"]);
    assert_eq!(
        cancelled,
        [
            CancelLine {
                id: "t3".into(),
                state: "waiting".into(),
                consumer: None
            },
            CancelLine {
                id: "t2".into(),
                state: "in-flight".into(),
                consumer: Some("h".into())
            }
        ]
    );
    // The holder reports the cancelled task with an outcome the README documents.
    wait_until(
        std::time::Duration::from_secs(10),
        "the cancelled line",
        || !holder.stdout_lines().is_empty(),
    );
    let line: Consumed = serde_json::from_str(&holder.stdout_lines()[0]).unwrap();
    assert_eq!(
        (line.id.as_str(), line.outcome.as_str()),
        ("t2", "cancelled")
    );
    drop(holder);
    // A finished task whose result is kept (issue 11): gone from the queue, `show` tells it by
    // its result.
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--id",
            "k1",
            "--keep-result",
            "1h",
        ])
        .assert()
        .success();
    rpq(&r)
        .args(["consume", "--count", "1", "--exec", "printf '{\"n\":1}'"])
        .assert()
        .success();
    let finished: Vec<Value> = run(&r, &mut seen, "show", &["show", "k1"]);
    assert_eq!(
        (
            &finished[0]["id"],
            &finished[0]["state"],
            &finished[0]["result"]
        ),
        (&json!("k1"), &json!("done"), &json!({"n": 1}))
    );
    documented_time(finished[0]["finished_at"].as_str().unwrap());
    readme_lists_exactly(&seen);
}

/// Every outcome a consume line can carry is named in the README's sentence about `outcome`.
#[test]
fn the_readme_names_every_outcome() {
    let readme = include_str!("../../docs/output.md");
    let sentence = readme
        .split("\n\n")
        .find(|p| p.starts_with("`outcome` is "))
        .expect("the README explains `outcome`");
    for o in rpq::output::Outcome::ALL {
        let name = format!("`{}`", o.as_str());
        assert!(
            sentence.contains(&name),
            "the README does not explain {name}"
        );
    }
}

// The worker runtime (issue 11).

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeptResult {
    id: String,
    outcome: String,
    finished_at: String,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<String>,
}

/// `result --json` and `produce --wait --json`: the kept result as one object, the handler's
/// output as JSON when it is JSON (else a string), or the error of a dead task; and a task's
/// own settings among its fields wherever a task is printed.
#[test]
fn result_and_wait_print_the_kept_record() {
    let r = redis();
    let mut seen: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "ok",
            "--id",
            "a",
            "--keep-result",
            "1h",
        ])
        .args(["--max-attempts", "2", "--exec-timeout", "20s"])
        .assert()
        .success();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "bad",
            "--id",
            "b",
            "--keep-result",
            "1h",
        ])
        .assert()
        .success();
    let peeked = json_lines(rpq(&r).args(["--json", "peek"]));
    assert_eq!(
        (
            &peeked[0]["max_attempts"],
            &peeked[0]["exec_timeout_ms"],
            &peeked[0]["keep_result_ms"]
        ),
        (&json!(2), &json!(20_000), &json!(3_600_000))
    );
    let before = Utc::now();
    rpq(&r)
        .args(["consume", "--count", "2", "--exec"])
        .arg(r#"[ "$RPQ_TASK_TYPE" = bad ] && { echo broken >&2; exit 65; }; echo '{"size":3}'"#)
        .assert()
        .success();
    let a: Vec<KeptResult> = run(&r, &mut seen, "result", &["result", "a"]);
    assert_eq!((a[0].id.as_str(), a[0].outcome.as_str()), ("a", "done"));
    assert_eq!(a[0].result, Some(json!({"size": 3})));
    assert!(documented_time(&a[0].finished_at) >= before);
    let out = rpq(&r).args(["--json", "result", "b"]).assert().code(1);
    let lines = ndjson(&out.get_output().stdout);
    keys(&lines, seen.entry("result").or_default());
    let b: KeptResult = serde_json::from_value(lines[0].clone()).unwrap();
    assert_eq!(
        (b.outcome.as_str(), b.error.as_deref()),
        ("dead", Some("exit status 65: broken"))
    );
    assert_eq!(b.result, None);

    let c = Proc::start(
        &r,
        &[
            "consume",
            "--exec",
            r#"[ "$RPQ_TASK_TYPE" = bad ] && exit 65; printf 'plain text'"#,
        ],
    );
    wait_consumers(&mut conn(&r), "default", 1);
    let w: Vec<KeptResult> = run(
        &r,
        &mut seen,
        "produce --wait",
        &["produce", "--type", "t", "--wait", "--timeout", "20s"],
    );
    assert_eq!(
        (w[0].outcome.as_str(), w[0].result.clone()),
        ("done", Some(json!("plain text")))
    );
    let out = rpq(&r)
        .args([
            "--json",
            "produce",
            "--type",
            "bad",
            "--wait",
            "--timeout",
            "20s",
        ])
        .assert()
        .code(1);
    let lines = ndjson(&out.get_output().stdout);
    keys(&lines, seen.entry("produce --wait").or_default());
    assert_eq!(
        (&lines[0]["outcome"], &lines[0]["error"]),
        (&json!("dead"), &json!("exit status 65"))
    );
    c.signal(libc::SIGTERM);
    assert!(c.end(std::time::Duration::from_secs(10)).status.success());
    readme_lists_exactly(&seen);
}

/// `pause`, `resume` and `limit` (issue 13): the state after each, with the README's fields.
#[test]
fn controlling_commands_print_the_documented_fields() {
    let r = redis();
    let mut seen = BTreeMap::new();
    push_lines(&r, "default", &[line(1)]);
    let p: Vec<PauseLine> = run(&r, &mut seen, "pause", &["pause", "--for", "10m"]);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].queue, "default");
    assert_eq!(
        p[0].paused.iter().map(|p| p.priority).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let until = documented_time(p[0].paused[0].until.as_deref().unwrap());
    assert!(until > Utc::now() + chrono::Duration::minutes(9));
    let p: Vec<PauseLine> = run(&r, &mut seen, "resume", &["resume", "--priority", "1"]);
    assert_eq!(
        p[0].paused.iter().map(|p| p.priority).collect::<Vec<_>>(),
        [2, 3]
    );
    let p: Vec<PauseLine> = run(&r, &mut seen, "pause", &["pause", "--priority", "high"]);
    assert_eq!(
        p[0].paused[0],
        PausedLine {
            priority: 1,
            until: None
        }
    );
    let set: Vec<LimitLine> = run(&r, &mut seen, "limit", &["limit", "--rate", "5/2s"]);
    let every = LimitLine {
        kind: None,
        rate: Some(5),
        per_ms: Some(2000),
        burst: Some(5),
        max_in_flight: None,
        in_flight: None,
    };
    assert_eq!(set, [every]);
    let set: Vec<LimitLine> = run(
        &r,
        &mut seen,
        "limit",
        &["limit", "--type", "mail", "--max-in-flight", "3"],
    );
    let mail = LimitLine {
        kind: Some("mail".into()),
        rate: None,
        per_ms: None,
        burst: None,
        max_in_flight: Some(3),
        in_flight: Some(0),
    };
    assert_eq!(set, [mail]);
    let all: Vec<LimitLine> = run(&r, &mut seen, "limit", &["limit"]);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].kind, None);
    let off: Vec<Unlimited> = run(
        &r,
        &mut seen,
        "limit --off",
        &["limit", "--type", "mail", "--off"],
    );
    assert_eq!(
        off,
        [Unlimited {
            kind: Some("mail".into()),
            removed: 1
        }]
    );
    readme_lists_exactly(&seen);
}
