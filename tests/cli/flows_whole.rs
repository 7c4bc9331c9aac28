//! Flows across queues and shards of one server (issue 24): `rpq flow submit` queues the whole
//! flow in one script call, all or nothing (a refusal in any queue, a producer killed with -9
//! mid-call), and `rpq flow cancel` follows the flow into other queues and shards.

use crate::proxy::{Fault, Proxy};
use crate::support::*;
use rpq::queue::keys::{Key, Keys};
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

fn runs(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

fn lengths(r: &RedisServer, queue: &str) -> Value {
    json_lines(rpq(r).args(["--queue", queue, "--json", "len"])).remove(0)
}

/// Runs up to `n` tasks of `queue`, each appending its id to `runs`.
fn consume(r: &RedisServer, queue: &str, n: usize, runs: &Path) {
    rpq(r)
        .args(["--queue", queue, "consume", "--count", &n.to_string()])
        .args(["--exec", r#"echo "$RPQ_TASK_ID" >> "$RUNS""#])
        .env("RUNS", runs)
        .assert()
        .success();
}

/// Every task id, blocked child, wait and kids field of the shards of `queue`.
fn flow_keys(c: &mut redis::Connection, queue: &str, shards: usize) -> Vec<String> {
    let mut out = Vec::new();
    for s in 0..shards {
        let k = Keys::new(queue, s);
        for (cmd, key) in [
            ("HKEYS", Key::Tasks),
            ("ZRANGE", Key::Blocked),
            ("HKEYS", Key::Waits),
            ("HKEYS", Key::Kids),
        ] {
            let mut q = redis::cmd(cmd);
            q.arg(k.get(key));
            if cmd == "ZRANGE" {
                q.arg(0).arg(-1);
            }
            let v: Vec<String> = q.query(c).unwrap();
            out.extend(v.into_iter().map(|f| format!("{key:?} {f}")));
        }
    }
    out
}

/// `rpq --queue QUEUE flow submit FILE`, to assert on.
fn submit(r: &RedisServer, queue: &str, doc: &Path) -> assert_cmd::assert::Assert {
    rpq(r)
        .args(["--queue", queue, "flow", "submit"])
        .arg(doc)
        .assert()
}

fn write_flow(r: &RedisServer, doc: &Value) -> std::path::PathBuf {
    let path = r.dir().join("flow.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

#[test]
fn a_flow_refused_in_its_second_queue_leaves_nothing_in_either() {
    let r = redis();
    let mut c = conn(&r);
    // The second queue's task cannot be pushed (a time with `after`): the first queue's part,
    // which comes first, must not be queued either.
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"],
             "queue": "two", "in": "1m"},
        ]}),
    );
    submit(&r, "one", &doc).failure();
    for q in ["one", "two"] {
        assert_eq!(flow_keys(&mut c, q, 1), Vec::<String>::new(), "{q}");
    }
    rpq(&r)
        .args(["--queue", "one", "show", "A"])
        .assert()
        .code(1);

    // A key of the second queue that is not rpq's: refused before the first part is written.
    let tasks_two = Keys::new("two", 0).get(Key::Tasks).to_string();
    redis::cmd("SET")
        .arg(&tasks_two)
        .arg("not a hash")
        .query::<()>(&mut c)
        .unwrap();
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"], "queue": "two"},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["b"]},
        ]}),
    );
    let out = submit(&r, "one", &doc).failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains(&tasks_two), "{err}");
    assert_eq!(flow_keys(&mut c, "one", 1), Vec::<String>::new());
    assert_eq!(
        lengths(&r, "one"),
        json!({"waiting":0,"high":0,"medium":0,"low":0,"in_flight":0,"retrying":0,"dead":0,
               "scheduled":0,"blocked":0})
    );

    // The key gone, the same flow is queued whole, linked, and runs in order.
    redis::cmd("DEL")
        .arg(&tasks_two)
        .query::<()>(&mut c)
        .unwrap();
    runs_a_then_b_in_two_then_c(&r, &doc);
}

/// Submits the flow A (queue one) -> B (queue two) -> C (queue one) of `doc` and runs it: B and
/// C wait, one in each queue, and the three run in order.
fn runs_a_then_b_in_two_then_c(r: &RedisServer, doc: &Path) {
    submit(r, "one", doc).success();
    assert_eq!(lengths(r, "one")["blocked"], json!(1));
    assert_eq!(lengths(r, "two")["blocked"], json!(1));
    let file = r.dir().join("runs");
    consume(r, "one", 1, &file);
    consume(r, "two", 1, &file);
    consume(r, "one", 1, &file);
    assert_eq!(runs(&file), ["A", "B", "C"]);
}

/// A flow over a queue of three shards and another queue, submitted through a proxy that
/// delays every chunk: killed with -9 as soon as any of its tasks is on the server, the
/// producer has queued all of it (one call), linked, with no link owed; it then runs in order.
#[test]
fn flow_submit_killed_with_9_mid_flow_leaves_all_of_it_or_nothing() {
    let r = redis();
    let mut c = conn(&r);
    let file = r.dir().join("runs");
    rpq(&r)
        .args([
            "--queue", "wide", "produce", "--shards", "3", "--type", "seed",
        ])
        .assert()
        .success();
    consume(&r, "wide", 1, &file);
    std::fs::remove_file(&file).unwrap();
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a1", "type": "t", "priority": 2, "id": "a1"},
            {"name": "a2", "type": "t", "priority": 2, "id": "a2"},
            {"name": "a3", "type": "t", "priority": 2, "id": "a3"},
            {"name": "a4", "type": "t", "priority": 2, "id": "a4"},
            {"name": "b", "type": "t", "priority": 2, "id": "b",
             "after": ["a1", "a2", "a3", "a4"], "queue": "two"},
            {"name": "c", "type": "t", "priority": 2, "id": "c", "after": ["b", "a1"]},
        ]}),
    );
    let p = Proxy::start(&r);
    p.set(Fault::Delay(Duration::from_millis(300)));
    let mut producer = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(p.url())
            .args(["--queue", "wide", "flow", "submit"])
            .arg(&doc),
    );
    let any = |c: &mut redis::Connection| {
        !flow_keys(c, "wide", 3).is_empty() || !flow_keys(c, "two", 1).is_empty()
    };
    wait_until(Duration::from_secs(60), "a task of the flow", || {
        if let Some(s) = producer.exited() {
            panic!(
                "rpq ended before the test killed it: {s:?} {}",
                producer.stderr()
            );
        }
        any(&mut c)
    });
    producer.signal(libc::SIGKILL);
    assert_eq!(producer.end(Duration::from_secs(30)).status.code(), None);
    let l = lengths(&r, "wide");
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(4), &json!(1)),
        "{l}"
    );
    let l = lengths(&r, "two");
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(1)),
        "{l}"
    );
    let owed: Vec<String> = flow_keys(&mut c, "wide", 3)
        .into_iter()
        .chain(flow_keys(&mut c, "two", 1))
        .filter(|f| f.contains('\u{1d}'))
        .collect();
    assert_eq!(owed, Vec::<String>::new(), "no link is owed");
    consume(&r, "wide", 4, &file);
    consume(&r, "two", 1, &file);
    consume(&r, "wide", 1, &file);
    let mut ran = runs(&file);
    ran[..4].sort();
    assert_eq!(ran, ["a1", "a2", "a3", "a4", "b", "c"]);
}

/// `rpq flow cancel ID --json`: (queue or "", id, state) of each task cancelled, sorted.
fn flow_cancel(r: &RedisServer, queue: &str, id: &str) -> Vec<(String, String, String)> {
    let out = rpq(r)
        .args(["--queue", queue, "--json", "flow", "cancel", id])
        .assert()
        .success();
    let mut v: Vec<(String, String, String)> = ndjson(&out.get_output().stdout)
        .iter()
        .map(|c| {
            (
                c["queue"].as_str().unwrap_or("").to_string(),
                c["id"].as_str().unwrap().to_string(),
                c["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(q: &str, id: &str, state: &str) -> (String, String, String) {
    (q.to_string(), id.to_string(), state.to_string())
}

/// Nothing left of a flow in `queue`: no task in any state, no wait, no child known, no line.
fn settled(r: &RedisServer, c: &mut redis::Connection, queue: &str, shards: usize) {
    assert_eq!(
        lengths(r, queue),
        json!({"waiting":0,"high":0,"medium":0,"low":0,"in_flight":0,"retrying":0,"dead":0,
               "scheduled":0,"blocked":0}),
        "{queue}"
    );
    let left: Vec<String> = flow_keys(c, queue, shards)
        .into_iter()
        .filter(|f| !f.ends_with("\t+"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "{queue}");
}

/// A flow A (q1) -> B (q2) -> C (q3), with D (q1) after B: cancelled at A before anything
/// ran, every task is cancelled (not dead) in its own queue, and the cancel lists each. Then a
/// flow whose root ran: its child in another queue, released, is cancelled, and what comes
/// after it in either queue.
#[test]
fn flow_cancel_follows_the_flow_into_other_queues() {
    let r = redis();
    let mut c = conn(&r);
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"], "queue": "q2"},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["b"], "queue": "q3"},
            {"name": "d", "type": "t", "priority": 2, "id": "D", "after": ["b"]},
        ]}),
    );
    submit(&r, "q1", &doc).success();
    assert_eq!(
        flow_cancel(&r, "q1", "A"),
        [
            row("", "A", "waiting"),
            row("", "D", "blocked"),
            row("q2", "B", "blocked"),
            row("q3", "C", "blocked"),
        ]
    );
    for q in ["q1", "q2", "q3"] {
        settled(&r, &mut c, q, 1);
    }
    // A cancelled root that never ran is no longer known, as in one queue.
    rpq(&r)
        .args(["--queue", "q1", "flow", "cancel", "A"])
        .assert()
        .code(1);

    // The root runs; its child in q2 is released, waiting; below it T (q2) and U (q1).
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "r", "type": "t", "priority": 2, "id": "R"},
            {"name": "s", "type": "t", "priority": 2, "id": "S", "after": ["r"], "queue": "q2"},
            {"name": "t", "type": "t", "priority": 2, "id": "T", "after": ["s"], "queue": "q2"},
            {"name": "u", "type": "t", "priority": 2, "id": "U", "after": ["s"]},
        ]}),
    );
    submit(&r, "q1", &doc).success();
    let file = r.dir().join("runs");
    consume(&r, "q1", 1, &file);
    assert_eq!(lengths(&r, "q2")["waiting"], json!(1));
    let out = rpq(&r)
        .args(["--queue", "q1", "flow", "cancel", "R"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("q2=S (waiting)"), "{text}");
    assert!(text.contains("q2=T (blocked)"), "{text}");
    assert!(text.contains("task U (blocked)"), "{text}");
    for q in ["q1", "q2", "q3"] {
        settled(&r, &mut c, q, 1);
    }
    assert_eq!(runs(&file), ["R"]);
}

/// The same on a queue of three shards: a root, children on every shard, and a grandchild
/// after them all: the cancel goes from shard to shard, each cancelled once, none dead.
#[test]
fn flow_cancel_follows_the_flow_across_shards() {
    let r = redis();
    let mut c = conn(&r);
    let file = r.dir().join("runs");
    rpq(&r)
        .args([
            "--queue", "wide", "produce", "--shards", "3", "--type", "seed",
        ])
        .assert()
        .success();
    consume(&r, "wide", 1, &file);
    let mut tasks = vec![json!({"name": "x", "type": "t", "priority": 2, "id": "X"})];
    let kids: Vec<String> = (1..=6).map(|i| format!("Y{i}")).collect();
    for k in &kids {
        tasks.push(json!({"name": k, "type": "t", "priority": 2, "id": k, "after": ["x"]}));
    }
    tasks.push(json!({"name": "z", "type": "t", "priority": 2, "id": "Z", "after": kids}));
    let doc = write_flow(&r, &json!({ "tasks": tasks }));
    submit(&r, "wide", &doc).success();
    let mut want = vec![row("", "X", "waiting"), row("", "Z", "blocked")];
    want.extend(kids.iter().map(|k| row("", k, "blocked")));
    want.sort();
    assert_eq!(flow_cancel(&r, "wide", "X"), want);
    settled(&r, &mut c, "wide", 3);
}

/// A line 'c' left in an outbox (its canceller died before it moved it) is moved by a consumer
/// of the queue as any line: the child in the other queue and what follows it are cancelled,
/// not dead, and the parent's own end, delivered after, finds nothing to release.
#[test]
fn a_cancel_line_left_in_an_outbox_is_applied_by_a_consumer() {
    let r = redis();
    let mut c = conn(&r);
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"], "queue": "q2"},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["b"]},
        ]}),
    );
    submit(&r, "q1", &doc).success();
    redis::cmd("HSET")
        .arg(Keys::new("q1", 0).get(Key::Kids))
        .arg("\u{1e}")
        .arg("c\tq2\u{1f}B\tA")
        .query::<()>(&mut c)
        .unwrap();
    let file = r.dir().join("runs");
    consume(&r, "q1", 1, &file);
    assert_eq!(runs(&file), ["A"]);
    for q in ["q1", "q2"] {
        settled(&r, &mut c, q, 1);
    }
}

/// On a 3-primary cluster, with a queue of three shards spread over the primaries and another
/// queue: the cancel of a flow's root goes from node to node, each task cancelled, none dead.
#[test]
fn flow_cancel_follows_the_flow_across_the_nodes_on_a_cluster() {
    let c = crate::servers::Cluster::start(3, 0);
    let wide = (0..1000)
        .map(|i| format!("wide{i}"))
        .find(|name| {
            let mut ports: Vec<u16> = (0..3)
                .map(|s| c.primary_of(Keys::new(name, s).pending()).port)
                .collect();
            ports.sort();
            ports.dedup();
            ports.len() == 3
        })
        .expect("some name spreads over every primary");
    let dir = c.nodes[0].dir();
    c.rpq()
        .args([
            "--queue", &wide, "produce", "--shards", "3", "--type", "seed",
        ])
        .assert()
        .success();
    c.rpq()
        .args([
            "--queue", &wide, "consume", "--count", "1", "--exec", "true",
        ])
        .assert()
        .success();
    let mut tasks = vec![json!({"name": "x", "type": "t", "priority": 2, "id": "X"})];
    let kids: Vec<String> = (1..=6).map(|i| format!("Y{i}")).collect();
    for k in &kids {
        tasks.push(json!({"name": k, "type": "t", "priority": 2, "id": k, "after": ["x"]}));
    }
    tasks.push(
        json!({"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["Y1"],
                      "queue": "other"}),
    );
    let mut all: Vec<String> = kids.clone();
    all.push("b".into());
    tasks.push(json!({"name": "z", "type": "t", "priority": 2, "id": "Z", "after": all}));
    let doc = dir.join("flow.json");
    std::fs::write(&doc, json!({ "tasks": tasks }).to_string()).unwrap();
    c.rpq()
        .args(["--queue", &wide, "flow", "submit"])
        .arg(&doc)
        .assert()
        .success();
    let out = c
        .rpq()
        .args(["--queue", &wide, "--json", "flow", "cancel", "X"])
        .assert()
        .success();
    let mut got: Vec<(String, String, String)> = ndjson(&out.get_output().stdout)
        .iter()
        .map(|c| {
            (
                c["queue"].as_str().unwrap_or("").to_string(),
                c["id"].as_str().unwrap().to_string(),
                c["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        row("", "X", "waiting"),
        row("", "Z", "blocked"),
        row("other", "B", "blocked"),
    ];
    want.extend(kids.iter().map(|k| row("", k, "blocked")));
    want.sort();
    assert_eq!(got, want);
    for q in [wide.as_str(), "other"] {
        let l = json_lines(c.rpq().args(["--queue", q, "--json", "len"])).remove(0);
        assert_eq!(
            l,
            json!({"waiting":0,"high":0,"medium":0,"low":0,"in_flight":0,"retrying":0,
                   "dead":0,"scheduled":0,"blocked":0}),
            "{q}"
        );
    }
}

/// A flow with ids submitted twice in one call each: the second queues nothing (each task
/// known), links nothing twice, owes no link, and each task runs once, in order.
#[test]
fn a_flow_submitted_again_whole_queues_nothing_twice() {
    let r = redis();
    let mut c = conn(&r);
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"], "queue": "q2"},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["b", "a"]},
        ]}),
    );
    for queued in [true, false] {
        let out = rpq(&r)
            .args(["--queue", "q1", "--json", "flow", "submit"])
            .arg(&doc)
            .assert()
            .success();
        let rows = ndjson(&out.get_output().stdout);
        assert_eq!(rows.len(), 3);
        assert!(
            rows.iter().all(|v| v["queued"] == json!(queued)),
            "{rows:?}"
        );
    }
    let kids: Option<String> = redis::cmd("HGET")
        .arg(Keys::new("q1", 0).get(Key::Kids))
        .arg("A")
        .query(&mut c)
        .unwrap();
    assert_eq!(kids.as_deref(), Some("C\tq2\u{1f}B"));
    let owed: Vec<String> = flow_keys(&mut c, "q1", 1)
        .into_iter()
        .chain(flow_keys(&mut c, "q2", 1))
        .filter(|f| f.contains('\u{1d}'))
        .collect();
    assert_eq!(owed, Vec::<String>::new());
    let file = r.dir().join("runs");
    consume(&r, "q1", 1, &file);
    consume(&r, "q2", 1, &file);
    consume(&r, "q1", 1, &file);
    assert_eq!(runs(&file), ["A", "B", "C"]);
    for q in ["q1", "q2"] {
        settled(&r, &mut c, q, 1);
    }
}

/// A flow with a root in a group (q1) and a root due in a minute (q2), their child in q1 and
/// its child in q3.
fn grouped_and_timed_flow(r: &RedisServer) -> std::path::PathBuf {
    write_flow(
        r,
        &json!({"tasks": [
            {"name": "g", "type": "t", "priority": 2, "id": "G", "group": "acme"},
            {"name": "s", "type": "t", "priority": 2, "id": "S", "in": "1m", "queue": "q2"},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["g", "s"]},
            {"name": "d", "type": "t", "priority": 2, "id": "D", "after": ["c"], "queue": "q3"},
        ]}),
    )
}

/// What of the grouped and timed flow is on the server: each queue's lengths, q1's group line.
fn grouped_and_timed_state(r: &RedisServer, c: &mut redis::Connection) -> Vec<String> {
    let mut out: Vec<String> = ["q1", "q2", "q3"]
        .iter()
        .map(|q| format!("{q} {}", lengths(r, q)))
        .collect();
    let gpending = Keys::new("q1", 0).group_keys()[0].clone();
    out.push(format!("gpending {}", zcard(c, &gpending)));
    out
}

/// Roots with a group or a time go in the one call too (push.lua's code): refused in the last
/// queue's part, none of the flow is queued, not the group's task nor the scheduled one.
#[test]
fn a_flow_with_a_grouped_and_a_scheduled_task_refused_at_its_end_leaves_nothing() {
    let r = redis();
    let mut c = conn(&r);
    let doc = grouped_and_timed_flow(&r);
    let tasks_q3 = Keys::new("q3", 0).get(Key::Tasks).to_string();
    redis::cmd("SET")
        .arg(&tasks_q3)
        .arg("not a hash")
        .query::<()>(&mut c)
        .unwrap();
    let out = submit(&r, "q1", &doc).failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains(&tasks_q3), "{err}");
    let empty = json!({"waiting":0,"high":0,"medium":0,"low":0,"in_flight":0,"retrying":0,
                       "dead":0,"scheduled":0,"blocked":0});
    let none = vec![
        format!("q1 {empty}"),
        format!("q2 {empty}"),
        format!("q3 {empty}"),
        "gpending 0".to_string(),
    ];
    assert_eq!(grouped_and_timed_state(&r, &mut c), none);
    for q in ["q1", "q2"] {
        assert_eq!(flow_keys(&mut c, q, 1), Vec::<String>::new(), "{q}");
    }

    // The key gone: queued whole, G in its group's line, S scheduled, C and D blocked.
    redis::cmd("DEL")
        .arg(&tasks_q3)
        .query::<()>(&mut c)
        .unwrap();
    submit(&r, "q1", &doc).success();
    let state = grouped_and_timed_state(&r, &mut c);
    assert_eq!(state[3], "gpending 1");
    assert_eq!(lengths(&r, "q1")["blocked"], json!(1));
    assert_eq!(lengths(&r, "q2")["scheduled"], json!(1));
    assert_eq!(lengths(&r, "q3")["blocked"], json!(1));
    let shown = json_lines(rpq(&r).args(["--queue", "q1", "--json", "show", "C"])).remove(0);
    assert_eq!(
        shown["waits_for"],
        json!(["G", {"queue": "q2", "id": "S"}]),
        "{shown}"
    );
}

/// The same flow, its producer killed with -9 as soon as any of it is on the server (a proxy
/// delays every chunk): all of it is there, linked, no link owed.
#[test]
fn a_flow_with_a_grouped_and_a_scheduled_task_killed_with_9_is_all_or_nothing() {
    let r = redis();
    let mut c = conn(&r);
    let doc = grouped_and_timed_flow(&r);
    let p = Proxy::start(&r);
    p.set(Fault::Delay(Duration::from_millis(300)));
    let mut producer = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(p.url())
            .args(["--queue", "q1", "flow", "submit"])
            .arg(&doc),
    );
    let any = |c: &mut redis::Connection| {
        ["q1", "q2", "q3"]
            .iter()
            .any(|q| !flow_keys(c, q, 1).is_empty())
    };
    wait_until(Duration::from_secs(60), "a task of the flow", || {
        if let Some(s) = producer.exited() {
            panic!(
                "rpq ended before the test killed it: {s:?} {}",
                producer.stderr()
            );
        }
        any(&mut c)
    });
    producer.signal(libc::SIGKILL);
    assert_eq!(producer.end(Duration::from_secs(30)).status.code(), None);
    assert_eq!(
        (
            &lengths(&r, "q1")["waiting"],
            &lengths(&r, "q1")["blocked"],
            &lengths(&r, "q2")["scheduled"],
            &lengths(&r, "q3")["blocked"],
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1))
    );
    assert_eq!(grouped_and_timed_state(&r, &mut c)[3], "gpending 1");
    let owed: Vec<String> = ["q1", "q2", "q3"]
        .iter()
        .flat_map(|q| flow_keys(&mut c, q, 1))
        .filter(|f| f.contains('\u{1d}'))
        .collect();
    assert_eq!(owed, Vec::<String>::new(), "no link is owed");
    let kids: Option<String> = redis::cmd("HGET")
        .arg(Keys::new("q2", 0).get(Key::Kids))
        .arg("S")
        .query(&mut c)
        .unwrap();
    assert_eq!(kids.as_deref(), Some("q1\u{1f}C"));
}

/// A child on shard 1 or 2 of a sharded queue, released by the submit itself (its parent, in
/// another queue, is done): the submit wakes the queue's consumers, which block on shard 0's
/// lists, also when the child was known already (queued by an earlier submit whose parent's
/// line to it was lost), so it is claimed at once rather than at the next full look.
#[test]
fn a_child_released_at_once_on_another_shard_wakes_the_consumers() {
    let r = redis();
    let mut c = conn(&r);
    let file = r.dir().join("runs");
    rpq(&r)
        .args([
            "--queue", "wide", "produce", "--shards", "3", "--type", "seed",
        ])
        .assert()
        .success();
    consume(&r, "wide", 1, &file);
    let child = (0..)
        .map(|i| format!("c{i}"))
        .find(|id| rpq::queue::keys::shard_of(id, 3) != 0)
        .unwrap();
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "p", "type": "t", "priority": 2, "id": "P", "queue": "two"},
            {"name": "c", "type": "t", "priority": 2, "id": child, "after": ["p"]},
        ]}),
    );
    submit(&r, "wide", &doc).success();
    // The parent's line to the child lost: P ends (its queue keeps flows for a child of its
    // own, so P is known as finished), the child stays blocked.
    rpq(&r)
        .args([
            "--queue", "two", "produce", "--type", "t", "--id", "X", "--after", "P",
        ])
        .assert()
        .success();
    redis::cmd("HSET")
        .arg(Keys::new("two", 0).get(Key::Kids))
        .arg("P")
        .arg("X")
        .query::<()>(&mut c)
        .unwrap();
    consume(&r, "two", 1, &file);
    assert_eq!(lengths(&r, "wide")["blocked"], json!(1));
    let wake_all = rpq::queue::keys::wake_all("wide");
    redis::cmd("DEL")
        .arg(&wake_all)
        .query::<()>(&mut c)
        .unwrap();
    // Submitted again: the child, known, is released by the link that finds P done.
    submit(&r, "wide", &doc).success();
    assert_eq!(lengths(&r, "wide")["waiting"], json!(1));
    let marks: u64 = redis::cmd("LLEN").arg(&wake_all).query(&mut c).unwrap();
    assert!(marks >= 1, "no wake-up for the released child");
}

/// A flow's shard given only tasks without parents (roots whose children are elsewhere, or
/// none) does not turn flows on: its claims stay the short way.
#[test]
fn a_shard_given_only_roots_gets_no_flows_flag() {
    let r = redis();
    let mut c = conn(&r);
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "queue": "q2"},
            {"name": "x", "type": "t", "priority": 2, "id": "X", "queue": "q2", "after": ["b"]},
        ]}),
    );
    submit(&r, "q1", &doc).success();
    let flags = |c: &mut redis::Connection, q: &str| -> String {
        let v: Option<String> = redis::cmd("HGET")
            .arg(Keys::new(q, 0).get(Key::Stats))
            .arg("checks")
            .query(c)
            .unwrap();
        v.unwrap_or_default()
            .rsplit('|')
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert!(
        !flags(&mut c, "q1").contains('f'),
        "{}",
        flags(&mut c, "q1")
    );
    assert!(flags(&mut c, "q2").contains('f'), "{}", flags(&mut c, "q2"));
}

/// On a cluster a flow goes a run at a time, where a root with a time would be pushed as a
/// flow's task without it: refused before anything is sent (exit 65).
#[test]
fn a_flow_with_a_timed_root_is_refused_on_a_cluster() {
    let r = redis();
    let doc = grouped_and_timed_flow(&r);
    let out = rpq(&r)
        .args(["--cluster", "--queue", "q1", "flow", "submit"])
        .arg(&doc)
        .assert()
        .code(65);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("task 's'") && err.contains("cluster"), "{err}");
}

/// A flow submitted to a server at its `maxmemory` (noeviction): refused with one line naming
/// the memory, and nothing of it in either queue (no task, no blocked child, no wait, no link);
/// once there is room, the same document is queued whole.
#[test]
fn a_flow_submitted_to_a_full_server_is_refused_whole_and_queued_whole_once_there_is_room() {
    let (r, _) = filled_server("fill", None);
    let mut c = conn(&r);
    // Below what is used, so that whatever room the last refused batch left, the flow's first
    // write is refused too.
    set_maxmemory(&mut c, "1mb");
    let pad = "x".repeat(2000);
    let doc = write_flow(
        &r,
        &json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A", "payload": pad},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"],
             "queue": "two", "payload": pad},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["a", "b"],
             "payload": pad},
        ]}),
    );
    let out = submit(&r, "one", &doc).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("out of memory") && err.contains("maxmemory"),
        "{err}"
    );
    assert!(
        !err.contains("script") && !err.contains("Pipeline"),
        "{err}"
    );
    for q in ["one", "two"] {
        assert_eq!(flow_keys(&mut c, q, 1), Vec::<String>::new(), "{q}");
    }

    set_maxmemory(&mut c, "0");
    runs_a_then_b_in_two_then_c(&r, &doc);
}
