//! Flows (issue 24): `produce --after`, the blocked state, and the exactly-once release of a
//! child by the ack of its last parent, through kill -9 and a consumer frozen past its lease.

use crate::support::*;
use rpq::queue::keys::Keys;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// The ids a handler appended to the file, one a line, in order.
fn runs(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

fn produce(r: &RedisServer, queue: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    rpq(r)
        .args(["--queue", queue, "produce"])
        .args(args)
        .assert()
}

fn show(r: &RedisServer, queue: &str, id: &str) -> Value {
    json_lines(rpq(r).args(["--queue", queue, "--json", "show", id])).remove(0)
}

fn lengths(r: &RedisServer, queue: &str) -> Value {
    json_lines(rpq(r).args(["--queue", queue, "--json", "len"])).remove(0)
}

/// Three consumers of `q` (with `args` before `--exec`) run a fan-in of `parents` into "child",
/// one of them killed with -9 a third of the way: the child runs once, after every parent, and
/// the queue settles empty.
fn fan_in_through_a_kill(
    r: &RedisServer,
    q: &str,
    args: &[&str],
    runs_file: &Path,
    parents: &[String],
) {
    let start = |name: &str| {
        Proc::spawn(
            process(r)
                .args(["--queue", q])
                .args(args)
                .args(["consume", "--name", name, "--lease", "1s"])
                .args(["--max-attempts", "100", "--exec"])
                .arg(r#"echo "$RPQ_TASK_ID" >> "$RUNS""#)
                .env("RUNS", runs_file),
        )
    };
    let mut consumers: Vec<Proc> = ["c0", "c1", "c2"].iter().map(|n| start(n)).collect();
    wait_until(
        Duration::from_secs(60),
        "a third of the parents to run",
        || runs(runs_file).len() > parents.len() / 3,
    );
    consumers[0].signal(libc::SIGKILL);
    let killed = std::mem::replace(&mut consumers[0], start("c0-again"));
    assert_eq!(killed.end(Duration::from_secs(30)).status.code(), None);
    wait_until(Duration::from_secs(120), "the child to run", || {
        runs(runs_file).iter().any(|id| id == "child")
    });
    // Everything settles: nothing waits, blocked or in flight (the killed one's leases came
    // back and ran again).
    wait_until(Duration::from_secs(60), "the queue to be empty", || {
        let l = lengths(r, q);
        l["waiting"] == 0 && l["in_flight"] == 0 && l["blocked"] == 0 && l["retrying"] == 0
    });
    for p in consumers {
        p.signal(libc::SIGTERM);
        assert!(p.end(Duration::from_secs(30)).status.success());
    }
    let ran = runs(runs_file);
    assert_eq!(
        ran.iter().filter(|id| *id == "child").count(),
        1,
        "the child ran once"
    );
    let child_at = ran.iter().position(|id| id == "child").unwrap();
    let before: std::collections::HashSet<&String> = ran[..child_at].iter().collect();
    for p in parents {
        assert!(before.contains(p), "{p} did not run before the child");
    }
}

/// The fields of waits and kids of a queue of one shard that are not kept for the finished
/// window (kids' "parent\t+", the children a done parent had): none once no flow is going on.
pub(crate) fn flow_leftovers(r: &RedisServer, queue: &str) -> Vec<String> {
    let mut c = conn(r);
    let k = Keys::new(queue, 0);
    let mut out: Vec<String> = redis::cmd("HKEYS")
        .arg(k.get(rpq::queue::keys::Key::Waits))
        .query(&mut c)
        .unwrap();
    let kids: Vec<String> = redis::cmd("HKEYS")
        .arg(k.get(rpq::queue::keys::Key::Kids))
        .query(&mut c)
        .unwrap();
    out.extend(kids.into_iter().filter(|f| !f.ends_with("\t+")));
    out
}

/// Runs up to `n` tasks with a handler that appends its task's id to `runs`.
fn consume(r: &RedisServer, queue: &str, n: usize, runs: &Path) -> Vec<Value> {
    let out = rpq(r)
        .args([
            "--queue",
            queue,
            "--json",
            "consume",
            "--count",
            &n.to_string(),
        ])
        .args(["--exec", r#"echo "$RPQ_TASK_ID" >> "$RUNS""#])
        .env("RUNS", runs)
        .assert()
        .success();
    ndjson(&out.get_output().stdout)
}

#[test]
fn a_task_after_others_is_blocked_until_each_is_done_then_runs_in_its_place() {
    let r = redis();
    let q = "flow";
    let runs_file = r.dir().join("runs");
    produce(&r, q, &["--type", "a", "--id", "A"]).success();
    produce(&r, q, &["--type", "b", "--id", "B"]).success();
    produce(&r, q, &["--type", "d", "--id", "D", "--after", "A,B"]).success();
    // Queued after D, at the same priority: D goes first once released (its push's place).
    produce(&r, q, &["--type", "e", "--id", "E"]).success();
    let l = lengths(&r, q);
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(3), &json!(1)),
        "{l}"
    );
    let listed = json_lines(rpq(&r).args(["--queue", q, "--json", "list", "--state", "blocked"]));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], "D");
    let d = show(&r, q, "D");
    assert_eq!(d["state"], "blocked");
    assert_eq!(d["parents"], json!(["A", "B"]));
    assert_eq!(d["waits_for"], json!(["A", "B"]));
    assert_eq!(show(&r, q, "A")["dependents"], json!(["D"]));
    // An id the queue never knew: exit 1, one line, nothing queued.
    produce(&r, q, &["--type", "x", "--id", "X", "--after", "A,nope"])
        .code(1)
        .stderr(predicates::str::contains("--after nope"));
    assert_eq!(lengths(&r, q)["waiting"], 3);

    consume(&r, q, 1, &runs_file);
    let d = show(&r, q, "D");
    assert_eq!(
        (&d["state"], &d["waits_for"]),
        (&json!("blocked"), &json!(["B"]))
    );
    consume(&r, q, 1, &runs_file);
    assert_eq!(show(&r, q, "D")["state"], "waiting");
    consume(&r, q, 2, &runs_file);
    assert_eq!(runs(&runs_file), ["A", "B", "D", "E"]);
    let l = lengths(&r, q);
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(0)),
        "{l}"
    );

    // The race of a script: the parent finished before the child was pushed.
    produce(&r, q, &["--type", "f", "--id", "F"]).success();
    consume(&r, q, 1, &runs_file);
    produce(&r, q, &["--type", "g", "--id", "G", "--after", "F"]).success();
    assert_eq!(show(&r, q, "G")["state"], "waiting");
    // Nothing of the finished flow is left behind but what is kept for the finished window.
    assert_eq!(flow_leftovers(&r, q), Vec::<String>::new());
}

#[test]
fn a_parent_done_before_the_first_flow_of_a_queue_is_known_by_its_kept_result() {
    let r = redis();
    let q = "kept";
    let runs_file = r.dir().join("runs");
    produce(&r, q, &["--type", "a", "--id", "P", "--keep-result", "1h"]).success();
    consume(&r, q, 1, &runs_file);
    produce(&r, q, &["--type", "b", "--id", "C", "--after", "P"]).success();
    assert_eq!(show(&r, q, "C")["state"], "waiting");
    // Without a kept result, before the queue had flows: not known, refused.
    produce(&r, "plain", &["--type", "a", "--id", "P"]).success();
    consume(&r, "plain", 1, &runs_file);
    produce(&r, "plain", &["--type", "b", "--after", "P"]).code(1);
    assert_eq!(lengths(&r, "plain")["waiting"], 0);
}

#[test]
fn stdin_lines_say_after() {
    let r = redis();
    let q = "lines";
    rpq(&r)
        .args(["--queue", q, "produce", "--stdin"])
        .write_stdin(concat!(
            r#"{"type":"a","priority":1,"id":"p1"}"#,
            "\n",
            r#"{"type":"a","priority":1,"id":"p2"}"#,
            "\n",
            r#"{"type":"c","priority":1,"id":"c","after":["p1","p2"]}"#,
            "\n",
            r#"{"type":"c","priority":1,"id":"c2","after":"c"}"#,
            "\n"
        ))
        .assert()
        .success();
    assert_eq!(show(&r, q, "c")["waits_for"], json!(["p1", "p2"]));
    assert_eq!(show(&r, q, "c2")["waits_for"], json!(["c"]));
}

/// On a queue of `shards` shards: a diamond and a fan-in of `fan` parents, pushed as one
/// flow and as single pushes, whose children are on other shards than most parents (the
/// release crosses hash tags through the outbox); three consumers; each task runs once, each
/// child after its parents; an unknown parent on another shard is refused.
pub fn sharded_flows(dir: &Path, url: &str, cluster: bool, q: &str, shards: &str, fan: usize) {
    let runs_file = dir.join("runs");
    let cmd = || {
        let mut c = std_command();
        c.arg("--url").arg(url).args(["--queue", q]);
        if cluster {
            c.arg("--cluster");
        }
        c
    };
    let ok = |args: &[&str]| {
        let out = cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    ok(&["produce", "--shards", shards, "--type", "a", "--id", "A"]);
    for id in ["B", "C"] {
        ok(&[
            "produce",
            "--type",
            "b",
            "--id",
            id,
            "--after",
            "A",
            "--keep-result",
            "1h",
        ]);
    }
    ok(&["produce", "--type", "d", "--id", "D", "--after", "B,C"]);
    let mut tasks: Vec<Value> = (0..fan)
        .map(
            |i| json!({"name": format!("p{i}"), "type": "p", "priority": 2, "id": format!("p{i}")}),
        )
        .collect();
    let names: Vec<String> = (0..fan).map(|i| format!("p{i}")).collect();
    tasks.push(json!({"name": "all", "type": "all", "priority": 2, "id": "all", "after": names}));
    let doc = dir.join("fan.json");
    std::fs::write(&doc, json!({ "tasks": tasks }).to_string()).unwrap();
    ok(&["flow", "submit", doc.to_str().unwrap()]);
    let out = cmd()
        .args(["produce", "--type", "x", "--after", "A,nope"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let len = |field: &str| -> u64 {
        let v: Value = serde_json::from_str(&ok(&["--json", "len"])).unwrap();
        v[field].as_u64().unwrap()
    };
    assert_eq!(len("blocked"), 4, "B, C, D and all");
    let d: Value = serde_json::from_str(&ok(&["--json", "show", "D"])).unwrap();
    assert_eq!(d["waits_for"], json!(["B", "C"]));
    let start = |name: &str| {
        let mut c = cmd();
        c.args(["consume", "--name", name, "--exec"])
            .arg(
                r#"echo "$RPQ_TASK_ID" >> "$RUNS"
                case "$RPQ_TASK_ID" in
                  B) echo 1 ;;
                  C) echo 2 ;;
                  D) jq -c .result "$RPQ_PARENT_RESULTS" >> "$RUNS.d" ;;
                esac"#,
            )
            .env("RUNS", &runs_file);
        Proc::spawn(&mut c)
    };
    let consumers: Vec<Proc> = ["c0", "c1", "c2"].iter().map(|n| start(n)).collect();
    wait_until(Duration::from_secs(120), "D and all to run", || {
        let ran = runs(&runs_file);
        ran.iter().any(|id| id == "D") && ran.iter().any(|id| id == "all")
    });
    wait_until(Duration::from_secs(60), "the queue to be empty", || {
        len("waiting") == 0 && len("in_flight") == 0 && len("blocked") == 0
    });
    for p in consumers {
        p.signal(libc::SIGTERM);
        assert!(p.end(Duration::from_secs(30)).status.success());
    }
    let ran = runs(&runs_file);
    assert_eq!(ran.len(), fan + 5, "each task once: {ran:?}");
    let at = |id: &str| ran.iter().position(|r| r == id).unwrap();
    assert!(at("A") < at("B") && at("A") < at("C"));
    assert!(at("B") < at("D") && at("C") < at("D"));
    for p in &names {
        assert!(at(p) < at("all"), "{p} after the child");
    }
    let seen = std::fs::read_to_string(dir.join("runs.d")).unwrap();
    assert_eq!(
        seen.lines().collect::<Vec<_>>(),
        ["1", "2"],
        "B's and C's kept results"
    );
}

#[test]
fn a_sharded_queue_runs_a_diamond_and_a_fan_in_across_its_shards() {
    let r = redis();
    let url = format!("redis://127.0.0.1:{}", r.port);
    sharded_flows(r.dir(), &url, false, "wide", "3", 100);
}

/// 1,000 parents, one child; three consumers with a 1 s lease, one of them killed with -9
/// mid-fan-in and started again: the child runs once, after every parent ran.
#[test]
fn a_fan_in_of_1000_parents_releases_its_child_once_through_a_kill_9() {
    const PARENTS: usize = 1000;
    let r = redis();
    let q = "fanin";
    let runs_file = r.dir().join("runs");
    let mut lines: Vec<String> = (0..PARENTS)
        .map(|i| format!(r#"{{"type":"p","priority":2,"id":"p{i}"}}"#))
        .collect();
    let parents: Vec<String> = (0..PARENTS).map(|i| format!("p{i}")).collect();
    lines
        .push(json!({"type": "child", "priority": 2, "id": "child", "after": parents}).to_string());
    push_lines(&r, q, &lines);
    assert_eq!(lengths(&r, q)["blocked"], 1);
    fan_in_through_a_kill(&r, q, &["--json"], &runs_file, &parents);
    let mut c = conn(&r);
    let k = Keys::new(q, 0);
    let waits: u64 = redis::cmd("HLEN")
        .arg(k.get(rpq::queue::keys::Key::Waits))
        .query(&mut c)
        .unwrap();
    assert_eq!(waits, 0, "no wait is left behind");
}

/// Two parents; the consumer of the first is frozen past its lease, another runs that parent
/// again and acks it; the frozen one's late ack must not count as the second parent.
#[test]
fn a_late_ack_of_a_consumer_frozen_past_its_lease_releases_nothing() {
    let r = redis();
    let q = "frozen";
    let runs_file = r.dir().join("runs");
    let go = r.dir().join("go");
    produce(&r, q, &["--type", "a", "--id", "P1"]).success();
    produce(&r, q, &["--type", "a", "--id", "P2", "--priority", "low"]).success();
    produce(&r, q, &["--type", "c", "--id", "C", "--after", "P1,P2"]).success();
    let first = Proc::spawn(
        process(&r)
            .args([
                "--queue", q, "--json", "consume", "--name", "first", "--lease", "1s",
            ])
            .args(["--count", "1", "--exec"])
            .arg(r#"while [ ! -e "$GO" ]; do sleep 0.05; done; echo "$RPQ_TASK_ID" >> "$RUNS""#)
            .env("RUNS", &runs_file)
            .env("GO", &go),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, q, 1);
    first.signal(libc::SIGSTOP);
    let k = Keys::new(q, 0);
    wait_until(Duration::from_secs(10), "the lease to expire", || {
        let deadline: Vec<(String, i64)> = redis::cmd("ZRANGE")
            .arg(k.inflight())
            .arg(0)
            .arg(0)
            .arg("WITHSCORES")
            .query(&mut c)
            .unwrap();
        deadline.first().is_some_and(|d| server_ms(&mut c) > d.1)
    });
    // P1 again, by another consumer (its lease recovered).
    let again = consume(&r, q, 1, &runs_file);
    assert_eq!(
        (&again[0]["id"], &again[0]["attempt"]),
        (&json!("P1"), &json!(2))
    );
    assert_eq!(show(&r, q, "C")["waits_for"], json!(["P2"]));
    std::fs::write(&go, "").unwrap();
    first.signal(libc::SIGCONT);
    let f = first.end(Duration::from_secs(30));
    assert!(f.status.success(), "{}", f.stderr);
    assert_eq!(ndjson(&f.stdout)[0]["outcome"], "lost");
    let c_now = show(&r, q, "C");
    assert_eq!(
        (&c_now["state"], &c_now["waits_for"]),
        (&json!("blocked"), &json!(["P2"])),
        "the late ack released nothing"
    );
    consume(&r, q, 2, &runs_file);
    assert_eq!(runs(&runs_file), ["P1", "P1", "P2", "C"]);
    let l = lengths(&r, q);
    assert_eq!((&l["waiting"], &l["blocked"]), (&json!(0), &json!(0)));
}

/// A parent dead after its attempts: its child and grandchild go dead once, with the reason;
/// a child pushed with `--on-parent-failure run` runs, one with `cancel` is gone, and a
/// cancelled blocked task takes its own children down with it.
#[test]
fn a_dead_parent_takes_its_descendants_down_once_as_they_were_pushed_to() {
    let r = redis();
    let q = "fails";
    let runs_file = r.dir().join("runs");
    produce(&r, q, &["--type", "a", "--id", "A", "--priority", "high"]).success();
    produce(&r, q, &["--type", "b", "--id", "B", "--after", "A"]).success();
    produce(&r, q, &["--type", "c", "--id", "C", "--after", "B"]).success();
    let run = [
        "--type",
        "d",
        "--id",
        "D",
        "--after",
        "A",
        "--on-parent-failure",
        "run",
    ];
    produce(&r, q, &run).success();
    let cancel = [
        "--type",
        "e",
        "--id",
        "E",
        "--after",
        "A",
        "--on-parent-failure",
        "cancel",
    ];
    produce(&r, q, &cancel).success();
    produce(&r, q, &["--type", "f", "--id", "F", "--after", "E"]).success();
    assert_eq!(lengths(&r, q)["blocked"], 5);
    rpq(&r)
        .args([
            "--queue",
            q,
            "--json",
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
        ])
        .args(["--exec", "exit 3"])
        .assert()
        .success();
    let l = lengths(&r, q);
    assert_eq!(
        (&l["dead"], &l["blocked"], &l["waiting"]),
        (&json!(4), &json!(0), &json!(1)),
        "A, B, C and F dead, E cancelled, D waiting: {l}"
    );
    let dead = json_lines(rpq(&r).args(["--queue", q, "--json", "list", "--state", "dead"]));
    let reasons: std::collections::HashMap<String, String> = dead
        .iter()
        .map(|t| {
            let id = t["id"].as_str().unwrap().to_string();
            (id, t["error"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(reasons["B"], "parent A dead");
    assert_eq!(reasons["C"], "parent B dead");
    assert_eq!(reasons["F"], "parent E dead");
    assert_eq!(stat(&mut conn(&r), q, "dead"), 4, "each counted once");
    rpq(&r).args(["--queue", q, "show", "E"]).assert().code(1);
    consume(&r, q, 1, &runs_file);
    assert_eq!(runs(&runs_file), ["D"]);

    // A blocked task cancelled: its children go dead, its parent forgets it.
    produce(&r, q, &["--type", "g", "--id", "G"]).success();
    produce(&r, q, &["--type", "h", "--id", "H", "--after", "G"]).success();
    produce(&r, q, &["--type", "i", "--id", "I", "--after", "H"]).success();
    rpq(&r)
        .args(["--queue", q, "cancel", "H"])
        .assert()
        .success();
    assert_eq!(show(&r, q, "I")["error"], "parent H dead");
    consume(&r, q, 1, &runs_file);
    let l = lengths(&r, q);
    assert_eq!(
        (&l["blocked"], &l["waiting"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
    assert_eq!(flow_leftovers(&r, q), Vec::<String>::new());
}

/// A diamond A -> (B, C) -> D: D runs after B and C, and its --exec handler reads both kept
/// results in RPQ_PARENT_RESULTS; the file is gone after the run.
#[test]
fn a_child_handler_reads_its_parents_kept_results() {
    let r = redis();
    let q = "diamond";
    let seen = r.dir().join("seen");
    produce(&r, q, &["--type", "a", "--id", "A"]).success();
    for id in ["B", "C"] {
        produce(
            &r,
            q,
            &[
                "--type",
                "b",
                "--id",
                id,
                "--after",
                "A",
                "--keep-result",
                "1h",
            ],
        )
        .success();
    }
    produce(&r, q, &["--type", "d", "--id", "D", "--after", "B,C"]).success();
    let out = rpq(&r)
        .args(["--queue", q, "--json", "consume", "--count", "4", "--exec"])
        .arg(concat!(
            r#"if [ "$RPQ_TASK_ID" = D ]; then cat "$RPQ_PARENT_RESULTS" > "$SEEN"; "#,
            r#"echo "$RPQ_PARENT_RESULTS" >> "$SEEN.path"; "#,
            r#"else printf '{"from":"%s"}' "$RPQ_TASK_ID"; fi"#
        ))
        .env("SEEN", &seen)
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    let order: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(order.last(), Some(&"D"), "{order:?}");
    let got: Vec<Value> = std::fs::read_to_string(&seen)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        got,
        [
            json!({"id": "B", "result": {"from": "B"}}),
            json!({"id": "C", "result": {"from": "C"}})
        ]
    );
    let path = std::fs::read_to_string(seen.with_extension("path")).unwrap();
    assert!(
        !Path::new(path.trim()).exists(),
        "the file goes with the run"
    );
}

/// `flow submit`: a graph queued all or nothing, parents first, run in its order; a cycle is
/// refused with its path and nothing is queued.
#[test]
fn flow_submit_queues_a_graph_whole_or_refuses_a_cycle_with_its_path() {
    let r = redis();
    let q = "graph";
    let runs_file = r.dir().join("runs");
    let cycle = r#"[{"name":"a","type":"t","priority":1,"after":["c"]},
        {"name":"b","type":"t","priority":1,"after":["a"]},
        {"name":"c","type":"t","priority":1,"after":["b"]},
        {"name":"free","type":"t","priority":1}]"#;
    rpq(&r)
        .args(["--queue", q, "flow", "submit", "-"])
        .write_stdin(cycle)
        .assert()
        .code(65)
        .stderr(predicates::str::contains(
            "the flow has a cycle: a -> b -> c -> a",
        ));
    let dangling = r#"[{"name":"a","type":"t","priority":1,"after":["nope"]}]"#;
    rpq(&r)
        .args(["--queue", q, "flow", "submit", "-"])
        .write_stdin(dangling)
        .assert()
        .code(65)
        .stderr(predicates::str::contains("'nope'"));
    let l = lengths(&r, q);
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
    let diamond = r#"{"tasks":[
        {"name":"d","type":"t","priority":1,"after":["b","c"],"id":"D"},
        {"name":"c","type":"t","priority":1,"after":["a"],"id":"C"},
        {"name":"b","type":"t","priority":3,"after":["a"],"id":"B"},
        {"name":"a","type":"t","priority":3,"id":"A"}]}"#;
    let out = json_lines(
        rpq(&r)
            .args(["--queue", q, "--json", "flow", "submit", "-"])
            .write_stdin(diamond),
    );
    let names: Vec<&str> = out.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert!(out.iter().all(|l| l["queued"] == true));
    let l = lengths(&r, q);
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(1), &json!(3)),
        "{l}"
    );
    consume(&r, q, 4, &runs_file);
    assert_eq!(runs(&runs_file), ["A", "C", "B", "D"], "C is high, B low");
}

/// The HTTP API's push takes "after" as `--stdin` lines do; an unknown parent is 422, nothing
/// queued.
#[test]
fn the_api_push_takes_after_and_refuses_an_unknown_parent() {
    let r = redis();
    let s = crate::serve::Serve::start(&r, &[]);
    let parent = json!({"type": "a", "priority": "high", "id": "up"});
    s.post("/api/queues/api/tasks", &parent).expect(201);
    let child = json!({"type": "b", "priority": "high", "id": "down", "after": ["up"]});
    s.post("/api/queues/api/tasks", &child).expect(201);
    assert_eq!(show(&r, "api", "down")["state"], "blocked");
    let orphan = json!({"type": "b", "priority": "high", "after": "nobody"});
    let e = s.post("/api/queues/api/tasks", &orphan).expect(422).json();
    assert!(e["error"].as_str().unwrap().contains("nobody"), "{e}");
    assert_eq!(lengths(&r, "api")["waiting"], 1);
    s.stop();
}

/// Flows, groups and events on one queue: a child in a group of its own waits for its parent,
/// every task runs once and the drain ends (the claim answers as the script this process
/// expects), and every task has its pushed, claimed and done events, with its group.
#[test]
fn a_flow_of_grouped_tasks_with_events_on() {
    let r = redis();
    rpq(&r).args(["events", "--enable"]).assert().success();
    let parent = json_lines(rpq(&r).args(["--json", "produce", "--type", "a", "--group", "g1"]))[0]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let child = json_lines(rpq(&r).args([
        "--json", "produce", "--type", "b", "--group", "g2", "--after", &parent,
    ]))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    rpq(&r)
        .args(["produce", "--type", "c", "--group", "g1", "--id", "c1"])
        .assert()
        .success();
    let done = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    let mut ids: Vec<&str> = done.iter().map(|d| d["id"].as_str().unwrap()).collect();
    // The parent first (the child waited for it); a released child is not in its group's line
    // yet (docs/flows.md), so where it comes after that is not asserted.
    assert_eq!(ids[0], parent, "{ids:?}");
    ids.sort_unstable();
    let mut all = vec![parent.as_str(), child.as_str(), "c1"];
    all.sort_unstable();
    assert_eq!(ids, all);
    let events = json_lines(rpq(&r).args(["events", "--json"]));
    for (id, group) in [
        (parent.as_str(), "g1"),
        (child.as_str(), "g2"),
        ("c1", "g1"),
    ] {
        let of: Vec<&str> = events
            .iter()
            .filter(|e| e["id"] == id)
            .map(|e| {
                assert_eq!(e["group"], group, "{e}");
                e["event"].as_str().unwrap()
            })
            .collect();
        assert_eq!(of, ["pushed", "claimed", "done"], "{id}: {events:?}");
    }
}

/// `rpq flow cancel` of a root that ran: the child in flight is stopped by its consumer, the
/// waiting and blocked ones below are removed, the root (done) is left, and another flow of the
/// queue is not touched; of a node inside, only it and what comes after it.
#[test]
fn flow_cancel_stops_what_has_not_run_below_a_task_and_leaves_what_ran() {
    let r = redis();
    let q = "fc";
    let runs_file = r.dir().join("runs");
    produce(&r, q, &["--type", "a", "--id", "A"]).success();
    produce(&r, q, &["--type", "b", "--id", "B", "--after", "A"]).success();
    produce(&r, q, &["--type", "c", "--id", "C", "--after", "A"]).success();
    produce(&r, q, &["--type", "d", "--id", "D", "--after", "B,C"]).success();
    produce(&r, q, &["--type", "e", "--id", "E", "--after", "D"]).success();
    // Another flow, and a task outside any: neither is downstream of A.
    produce(&r, q, &["--type", "z", "--id", "Z", "--priority", "low"]).success();
    produce(&r, q, &["--type", "w", "--id", "W", "--after", "Z"]).success();
    produce(&r, q, &["--type", "v", "--id", "V", "--after", "W"]).success();
    consume(&r, q, 1, &runs_file);
    assert_eq!(runs(&runs_file), ["A"]);
    // Pushed after A ran: downstream of it all the same.
    produce(
        &r,
        q,
        &[
            "--type",
            "f",
            "--id",
            "F",
            "--after",
            "A",
            "--priority",
            "low",
        ],
    )
    .success();
    // From a node inside: W (blocked) and V, not Z.
    rpq(&r)
        .args(["--queue", q, "flow", "cancel", "W"])
        .assert()
        .success()
        .stdout("Cancelled task W (blocked): removed\nCancelled task V (blocked): removed\n");
    assert_eq!(show(&r, q, "Z")["state"], "waiting");
    let holder = Proc::spawn(
        process(&r)
            .args(["--queue", q, "--json", "consume", "--name", "c1"])
            .args([
                "--exec",
                r#"echo "$RPQ_TASK_ID" >> "$RUNS"; [ "$RPQ_TASK_ID" != B ] || sleep 30"#,
            ])
            .env("RUNS", &runs_file),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, q, 1);
    assert_eq!(show(&r, q, "B")["state"], "in-flight");

    let cancelled = json_lines(rpq(&r).args(["--queue", q, "--json", "flow", "cancel", "A"]));
    let mut got: Vec<(String, String)> = cancelled
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("B", "in-flight"),
        ("C", "waiting"),
        ("D", "blocked"),
        ("E", "blocked"),
        ("F", "waiting"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b)| (a.to_string(), b.to_string())),
        "{cancelled:?}"
    );
    let b = cancelled.iter().find(|l| l["id"] == "B").unwrap();
    assert_eq!(b["consumer"], "c1");
    // B's consumer stops it and says so; nothing of the flow is left to run.
    wait_until(Duration::from_secs(20), "B's outcome line", || {
        !holder.stdout_lines().is_empty()
    });
    let line: Value = serde_json::from_str(&holder.stdout_lines()[0]).unwrap();
    assert_eq!(
        (&line["id"], &line["outcome"]),
        (&json!("B"), &json!("cancelled"))
    );
    // Then it runs Z, the one task left.
    wait_until(Duration::from_secs(20), "Z's outcome line", || {
        holder.stdout_lines().len() == 2
    });
    for id in ["B", "C", "D", "E", "F", "W", "V"] {
        rpq(&r).args(["--queue", q, "show", id]).assert().code(1);
    }

    // Again: the root is known (it ran), nothing is left to cancel.
    rpq(&r)
        .args(["--queue", q, "flow", "cancel", "A"])
        .assert()
        .success()
        .stdout("Nothing to cancel: task A and every task after it ran already\n");
    rpq(&r)
        .args(["--queue", q, "flow", "cancel", "nope"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no task 'nope'"));
    holder.signal(libc::SIGTERM);
    let out = holder.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let l = lengths(&r, q);
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
    assert_eq!(runs(&runs_file), ["A", "B", "Z"], "nothing cancelled ran");
    let k = Keys::new(q, 0);
    let waits: u64 = redis::cmd("HLEN")
        .arg(k.get(rpq::queue::keys::Key::Waits))
        .query(&mut c)
        .unwrap();
    assert_eq!(waits, 0);
}

/// Handlers that read tasks as lines (`--pipe`, `--exec --batch`, `--pipe --batch`) find their
/// parents' kept results in the line's `parents`, `[{id, result}]` (no `result` for a parent
/// whose result is not kept), in the order of `--after`.
#[test]
fn line_handlers_get_their_parents_kept_results_in_the_line() {
    let r = redis();
    let q = "lines-results";
    let seen = r.dir().join("seen");
    produce(&r, q, &["--type", "a", "--id", "B", "--keep-result", "1h"]).success();
    produce(&r, q, &["--type", "a", "--id", "C", "--keep-result", "1h"]).success();
    produce(&r, q, &["--type", "a", "--id", "N"]).success();
    for (id, p) in [
        ("D", "high"),
        ("E", "medium"),
        ("F", "medium"),
        ("G", "low"),
        ("H", "low"),
    ] {
        produce(
            &r,
            q,
            &[
                "--type",
                "c",
                "--id",
                id,
                "--after",
                "B,C,N",
                "--priority",
                p,
            ],
        )
        .success();
    }
    rpq(&r)
        .args(["--queue", q, "consume", "--count", "3", "--exec"])
        .arg(r#"printf '{"from":"%s"}' "$RPQ_TASK_ID""#)
        .assert()
        .success();
    assert_eq!(lengths(&r, q)["waiting"], 5);
    // Each handler appends the lines it reads to SEEN and answers each task done.
    let pipe = r#"while IFS= read -r l; do printf '%s\n' "$l" >> "$SEEN"; printf '{"id":"%s","ok":true}\n' "$(printf '%s' "$l" | jq -r .id)"; done"#;
    let batch = r#"while IFS= read -r l; do printf '%s\n' "$l" >> "$SEEN"; printf '{"id":"%s","outcome":"done"}\n' "$(printf '%s' "$l" | jq -r .id)"; done"#;
    let pipe_batch = r#"while IFS= read -r l; do case "$l" in '{"batch"'*) continue;; esac; printf '%s\n' "$l" >> "$SEEN"; printf '{"id":"%s","outcome":"done"}\n' "$(printf '%s' "$l" | jq -r .id)"; done"#;
    for args in [
        vec!["--count", "1", "--pipe", pipe],
        vec!["--count", "2", "--batch", "2", "--exec", batch],
        vec!["--drain", "--batch", "2", "--pipe", pipe_batch],
    ] {
        rpq(&r)
            .args(["--queue", q, "consume"])
            .args(&args)
            .env("SEEN", &seen)
            .assert()
            .success();
    }
    let lines: Vec<Value> = std::fs::read_to_string(&seen)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["D", "E", "F", "G", "H"]);
    for l in &lines {
        assert_eq!(
            l["parents"],
            json!([
                {"id": "B", "result": {"from": "B"}},
                {"id": "C", "result": {"from": "C"}},
                {"id": "N"}
            ]),
            "{l}"
        );
    }
    let l = lengths(&r, q);
    assert_eq!(
        (&l["waiting"], &l["in_flight"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
}

/// The `checks` flags of shard 0 of `queue`.
fn flags(c: &mut redis::Connection, queue: &str) -> String {
    let v: Option<String> = redis::cmd("HGET")
        .arg(Keys::new(queue, 0).stats())
        .arg("checks")
        .query(c)
        .unwrap();
    v.unwrap_or_default()
        .rsplit('|')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Bounded memory: 10,000 finished flows (no kept results) leave no key and no field once the
/// finished window (`rpq flow window`) has passed; the flows flag goes once no flow is left,
/// and a consumer that ran the flows goes back to the fast claim (seen in the number of keys
/// a call is sent, SLOWLOG: the fast claim's are its own).
#[test]
fn ten_thousand_finished_flows_leave_nothing_once_the_window_passed() {
    let r = redis();
    let q = "default";
    let mut c = conn(&r);
    let n = 10_000;
    let mut input: Vec<String> = (0..n)
        .map(|i| json!({"type": "p", "priority": 2, "id": format!("p{i}")}).to_string())
        .collect();
    input.extend((0..n).map(|i| {
        json!({"type": "c", "priority": 2, "id": format!("c{i}"), "after": [format!("p{i}")]})
            .to_string()
    }));
    push_lines(&r, q, &input);
    rpq(&r)
        .args(["flow", "window", "5s"])
        .assert()
        .success()
        .stdout("Finished ids are known for 5s (the finished window of flows)\n");
    rpq(&r)
        .args(["flow", "window"])
        .assert()
        .success()
        .stdout("5s\n");
    rpq(&r).args(["flow", "window", "10ms"]).assert().code(2);
    assert_eq!(lengths(&r, q)["blocked"], n);
    assert!(flags(&mut c, q).contains('f'));
    // One consumer runs them all and stays, idle, with what it learned of the queue.
    let consumer = Proc::start(&r, &["consume", "--prefetch", "32"]);
    wait_until(Duration::from_secs(120), "every flow to finish", || {
        stat(&mut c, q, "done") == 2 * n as u64
    });
    let k = Keys::new(q, 0);
    let finished: u64 = zcard(&mut c, k.get(rpq::queue::keys::Key::Finished));
    assert!(finished > 0, "the ids finished in the window are known");
    let k_taken = &k.get(rpq::queue::keys::Key::Taken).to_string();
    // Once the window has passed, its claims (each removes up to 1,000 ids) leave nothing: the
    // idle consumer claims a few times a second; a push wakes it meanwhile.
    let mut i = 0;
    wait_until(
        Duration::from_secs(120),
        "nothing of the flows to be left",
        || {
            i += 1;
            rpq(&r)
                .args(["produce", "--type", "t", "--id", &format!("nudge{i}")])
                .assert()
                .success();
            std::thread::sleep(Duration::from_millis(20));
            // What `taken` holds is pruned a day after (common.lua), not the flows'.
            let mut left = lasting_keys(&r);
            left.retain(|k| k != k_taken);
            left == counter_keys(q)
        },
    );
    assert!(!flags(&mut c, q).contains('f'), "{}", flags(&mut c, q));
    assert_eq!(flow_leftovers(&r, q), Vec::<String>::new());
    // The same consumer claims the fast way again: no claim sent every key of the layout.
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-log-slower-than")
        .arg(0)
        .query::<()>(&mut c)
        .unwrap();
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-max-len")
        .arg(10_000)
        .query::<()>(&mut c)
        .unwrap();
    redis::cmd("SLOWLOG")
        .arg("RESET")
        .query::<()>(&mut c)
        .unwrap();
    push_lines(&r, q, &lines(vec![2; 50]));
    wait_until(
        Duration::from_secs(30),
        "the plain tasks to be done",
        || lengths(&r, q)["waiting"] == 0 && in_flight(&mut c, q) == 0,
    );
    let keys_sent: Vec<usize> = claims_in_slowlog(&mut c, 10_000)
        .iter()
        .map(|words| words[2].parse::<usize>().unwrap())
        .collect();
    // A consumer that knows the queue has flows sends the claim with flows.lua and every key
    // instead of the fast one (Queue::full_claim); the fast claim's keys, or the lean one's
    // (layout 3's step 5: 5, and the consumers' entry or the marks' key), say it knows no more.
    let lean = rpq::queue::keys::LEAN_KEYS.len();
    assert!(
        keys_sent
            .iter()
            .any(|&n| n == rpq::queue::keys::FAST_KEYS || (lean..=lean + 2).contains(&n)),
        "{keys_sent:?}"
    );
    consumer.signal(libc::SIGTERM);
    let out = consumer.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
}

/// With events on, the tasks a failed parent takes down have their own lifecycle events: `dead`
/// (or `cancelled`, pushed with `--on-parent-failure cancel`) with the reason, once each, down
/// the graph; and so does a child pushed after its parent is dead.
#[test]
fn deaths_down_the_graph_write_their_events() {
    let r = redis();
    let q = "ev";
    rpq(&r)
        .args(["--queue", q, "events", "--enable"])
        .assert()
        .success();
    produce(&r, q, &["--type", "a", "--id", "A"]).success();
    produce(&r, q, &["--type", "b", "--id", "B", "--after", "A"]).success();
    produce(&r, q, &["--type", "c", "--id", "C", "--after", "B"]).success();
    produce(
        &r,
        q,
        &[
            "--type",
            "d",
            "--id",
            "D",
            "--after",
            "A",
            "--on-parent-failure",
            "cancel",
        ],
    )
    .success();
    rpq(&r)
        .args([
            "--queue",
            q,
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
        ])
        .args(["--exec", "exit 1"])
        .assert()
        .success();
    produce(&r, q, &["--type", "e", "--id", "E", "--after", "A"]).success();
    let events = json_lines(rpq(&r).args(["--queue", q, "events", "--json"]));
    let of = |id: &str| -> Vec<(String, String)> {
        events
            .iter()
            .filter(|e| e["id"] == id)
            .map(|e| {
                (
                    e["event"].as_str().unwrap().to_string(),
                    e["error"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let pair = |e: &str, r: &str| (e.to_string(), r.to_string());
    assert_eq!(
        of("A").last(),
        Some(&pair("dead", "exit status 1")),
        "{events:?}"
    );
    assert_eq!(of("B"), [pair("pushed", ""), pair("dead", "parent A dead")]);
    assert_eq!(of("C"), [pair("pushed", ""), pair("dead", "parent B dead")]);
    assert_eq!(
        of("D"),
        [pair("pushed", ""), pair("cancelled", "parent A dead")]
    );
    assert_eq!(of("E"), [pair("pushed", ""), pair("dead", "parent A dead")]);
    let dead: Vec<Value> = json_lines(rpq(&r).args(["--queue", q, "--json", "dead", "list"]));
    assert_eq!(dead.len(), 4, "{dead:?}");
}

/// A parent cancelled while in flight, its holder alive: the holder's lease check learns of the
/// cancel and removes the task before lease recovery could. Its children must still go as they
/// were pushed to (dead, run, cancel), once each, and the grandchild with them.
#[test]
fn a_parent_cancelled_in_flight_hands_its_failure_on_once_its_holder_removes_it() {
    let r = redis();
    let q = "cif";
    let runs_file = r.dir().join("runs");
    produce(&r, q, &["--type", "a", "--id", "A", "--priority", "high"]).success();
    produce(&r, q, &["--type", "b", "--id", "B", "--after", "A"]).success();
    produce(&r, q, &["--type", "c", "--id", "C", "--after", "B"]).success();
    let run = ["--id", "D", "--after", "A", "--on-parent-failure", "run"];
    produce(&r, q, &[&["--type", "d"][..], &run].concat()).success();
    let cancel = ["--id", "E", "--after", "A", "--on-parent-failure", "cancel"];
    produce(&r, q, &[&["--type", "e"][..], &cancel].concat()).success();
    let holder = Proc::spawn(
        process(&r)
            .args(["--queue", q, "--json", "consume", "--name", "h"])
            .args([
                "--exec",
                r#"echo "$RPQ_TASK_ID" >> "$RUNS"; [ "$RPQ_TASK_ID" != A ] || sleep 30"#,
            ])
            .env("RUNS", &runs_file),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, q, 1);
    rpq(&r)
        .args(["--queue", q, "cancel", "A"])
        .assert()
        .success();
    // The holder stops A (its lease check says cancelled), then runs D, the one task left.
    wait_until(Duration::from_secs(20), "A's and D's outcome lines", || {
        holder.stdout_lines().len() >= 2
    });
    let outcomes: Vec<Value> = holder
        .stdout_lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        (&outcomes[0]["id"], &outcomes[0]["outcome"]),
        (&json!("A"), &json!("cancelled"))
    );
    assert_eq!(
        (&outcomes[1]["id"], &outcomes[1]["outcome"]),
        (&json!("D"), &json!("done"))
    );
    holder.signal(libc::SIGTERM);
    let out = holder.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(show(&r, q, "B")["error"], "parent A dead");
    assert_eq!(show(&r, q, "C")["error"], "parent B dead");
    rpq(&r).args(["--queue", q, "show", "E"]).assert().code(1);
    rpq(&r).args(["--queue", q, "show", "A"]).assert().code(1);
    let l = lengths(&r, q);
    assert_eq!(
        (&l["dead"], &l["blocked"], &l["waiting"], &l["in_flight"]),
        (&json!(2), &json!(0), &json!(0), &json!(0)),
        "{l}"
    );
    assert_eq!(stat(&mut c, q, "dead"), 2, "each counted once");
    assert_eq!(runs(&runs_file), ["A", "D"]);
    assert_eq!(flow_leftovers(&r, q), Vec::<String>::new());
}

/// A diamond across two queues: A, C and D in `left`, B in `right`. B waits for A, D for B and
/// C; each release crosses the queues through the outbox of the parent's queue, D runs once
/// after both, and reads both kept results, B's with its queue.
#[test]
fn a_diamond_across_two_queues_runs_each_task_once_in_order() {
    let r = redis();
    let runs_file = r.dir().join("runs");
    let seen = r.dir().join("seen");
    produce(&r, "left", &["--type", "a", "--id", "A"]).success();
    produce(
        &r,
        "right",
        &[
            "--type",
            "b",
            "--id",
            "B",
            "--after-in",
            "left=A",
            "--keep-result",
            "1h",
        ],
    )
    .success();
    produce(
        &r,
        "left",
        &[
            "--type",
            "c",
            "--id",
            "C",
            "--after",
            "A",
            "--keep-result",
            "1h",
        ],
    )
    .success();
    produce(
        &r,
        "left",
        &[
            "--type",
            "d",
            "--id",
            "D",
            "--after",
            "C",
            "--after-in",
            "right=B",
        ],
    )
    .success();
    let b = show(&r, "right", "B");
    assert_eq!(
        (&b["state"], &b["parents"], &b["waits_for"]),
        (
            &json!("blocked"),
            &json!([{"queue": "left", "id": "A"}]),
            &json!([{"queue": "left", "id": "A"}])
        )
    );
    assert_eq!(
        show(&r, "left", "A")["dependents"],
        json!([{"queue": "right", "id": "B"}, "C"])
    );
    rpq(&r)
        .args(["--queue", "left", "show", "D"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Parents: C, right=B"));
    let exec = r#"echo "$RPQ_TASK_ID" >> "$RUNS"
        case "$RPQ_TASK_ID" in
          B) echo 2 ;;
          C) echo 3 ;;
          D) jq -c . "$RPQ_PARENT_RESULTS" > "$SEEN" ;;
        esac"#;
    let run = |queue: &str, n: &str| {
        rpq(&r)
            .args(["--queue", queue, "consume", "--count", n, "--exec", exec])
            .env("RUNS", &runs_file)
            .env("SEEN", &seen)
            .assert()
            .success();
    };
    run("left", "1");
    assert_eq!(runs(&runs_file), ["A"]);
    // A's end crossed to `right`: B waits, C waits, D is blocked.
    assert_eq!(show(&r, "right", "B")["state"], "waiting");
    assert_eq!(
        show(&r, "left", "D")["waits_for"],
        json!(["C", {"queue": "right", "id": "B"}])
    );
    run("left", "1");
    assert_eq!(
        show(&r, "left", "D")["waits_for"],
        json!([{"queue": "right", "id": "B"}])
    );
    run("right", "1");
    assert_eq!(show(&r, "left", "D")["state"], "waiting");
    run("left", "1");
    assert_eq!(runs(&runs_file), ["A", "C", "B", "D"]);
    let lines: Vec<Value> = std::fs::read_to_string(&seen)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            json!({"id": "C", "result": 3}),
            json!({"id": "B", "queue": "right", "result": 2})
        ]
    );
    for q in ["left", "right"] {
        let l = lengths(&r, q);
        assert_eq!(
            (&l["waiting"], &l["blocked"]),
            (&json!(0), &json!(0)),
            "{q}: {l}"
        );
        assert_eq!(flow_leftovers(&r, q), Vec::<String>::new(), "{q}");
    }
}

/// Whether the outbox of a queue of one shard has lines (lua/flows.lua: the kids field "\x1e").
fn outbox_left(c: &mut redis::Connection, queue: &str) -> bool {
    redis::cmd("HEXISTS")
        .arg(Keys::new(queue, 0).get(rpq::queue::keys::Key::Kids))
        .arg("\u{1e}")
        .query(c)
        .unwrap()
}

/// The parent's consumer is killed with -9 after its ack wrote the release of a child in
/// another queue to the outbox, before it moved it: the link it opens to the child's queue is
/// blackholed by a proxy, and it dies waiting on it. Another consumer of the parent's queue
/// moves the line; the line delivered again (a mover that died after applying it and before
/// removing it) releases nothing more: the child runs once.
#[test]
fn a_consumer_killed_between_the_ack_and_the_outbox_move_leaves_the_child_to_run_once() {
    use crate::proxy::{Fault, Proxy};
    let r = redis();
    let p = Proxy::start(&r);
    let runs_file = r.dir().join("runs");
    let go = r.dir().join("go");
    produce(&r, "left", &["--type", "a", "--id", "P"]).success();
    produce(
        &r,
        "right",
        &["--type", "b", "--id", "C", "--after-in", "left=P"],
    )
    .success();
    let first = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(p.url())
            .args([
                "--queue", "left", "--json", "consume", "--count", "1", "--exec",
            ])
            .arg(r#"while [ ! -e "$GO" ]; do sleep 0.05; done; echo "$RPQ_TASK_ID" >> "$RUNS""#)
            .env("RUNS", &runs_file)
            .env("GO", &go),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, "left", 1);
    // Links opened from now on pass nothing; the consumer's own stay open, so its ack lands
    // and the link it then opens to the queue `right` hangs.
    let before = p.links();
    p.set(Fault::Blackhole);
    for i in 0..before {
        p.set_link(i, Fault::Pass);
    }
    std::fs::write(&go, "").unwrap();
    wait_until(
        Duration::from_secs(30),
        "the ack's outbox line, and a link opened to move it",
        || outbox_left(&mut c, "left") && p.links() > before,
    );
    first.signal(libc::SIGKILL);
    assert_eq!(first.end(Duration::from_secs(30)).status.code(), None);
    assert_eq!(runs(&runs_file), ["P"]);
    assert_eq!(lengths(&r, "left")["in_flight"], 0, "the ack landed");
    assert_eq!(show(&r, "right", "C")["state"], "blocked");
    p.set(Fault::Pass);
    // Any consumer of `left` is told by its claim that a line is left, and moves it.
    let mover = Proc::spawn(
        process(&r)
            .args(["--queue", "left", "consume", "--exec"])
            .arg(r#"echo "$RPQ_TASK_ID" >> "$RUNS""#)
            .env("RUNS", &runs_file),
    );
    wait_until(Duration::from_secs(30), "C released", || {
        show(&r, "right", "C")["state"] == "waiting"
    });
    assert!(!outbox_left(&mut c, "left"));
    // The same line again, as a mover that died between applying and removing it leaves it.
    redis::cmd("HSET")
        .arg(Keys::new("left", 0).get(rpq::queue::keys::Key::Kids))
        .arg("\u{1e}")
        .arg("d\tright\u{1f}C\tP")
        .query::<()>(&mut c)
        .unwrap();
    wait_until(Duration::from_secs(30), "the line moved again", || {
        !outbox_left(&mut c, "left")
    });
    let l = lengths(&r, "right");
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(1), &json!(0)),
        "{l}"
    );
    consume(&r, "right", 1, &runs_file);
    // Once more, after C ran: nothing of C is left to release.
    redis::cmd("HSET")
        .arg(Keys::new("left", 0).get(rpq::queue::keys::Key::Kids))
        .arg("\u{1e}")
        .arg("d\tright\u{1f}C\tP")
        .query::<()>(&mut c)
        .unwrap();
    wait_until(
        Duration::from_secs(30),
        "the line moved a third time",
        || !outbox_left(&mut c, "left"),
    );
    mover.signal(libc::SIGTERM);
    assert!(mover.end(Duration::from_secs(30)).status.success());
    let l = lengths(&r, "right");
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
    assert_eq!(runs(&runs_file), ["P", "C"], "each ran once");
    assert_eq!(flow_leftovers(&r, "right"), Vec::<String>::new());
}

/// A parent dead in `up`: its children in `down` go as they were pushed to (dead, run,
/// cancel), and a grandchild back in `up` goes dead through `down`'s own outbox, once each;
/// a parent cancelled in flight hands its end across as well.
#[test]
fn a_parent_failure_goes_down_the_graph_across_queues_once() {
    let r = redis();
    let runs_file = r.dir().join("runs");
    produce(
        &r,
        "up",
        &["--type", "a", "--id", "P", "--priority", "high"],
    )
    .success();
    produce(
        &r,
        "down",
        &["--type", "b", "--id", "X", "--after-in", "up=P"],
    )
    .success();
    let run = ["--after-in", "up=P", "--on-parent-failure", "run"];
    produce(
        &r,
        "down",
        &[&["--type", "c", "--id", "Y"][..], &run].concat(),
    )
    .success();
    let cancel = ["--after-in", "up=P", "--on-parent-failure", "cancel"];
    produce(
        &r,
        "down",
        &[&["--type", "d", "--id", "Z"][..], &cancel].concat(),
    )
    .success();
    produce(
        &r,
        "up",
        &["--type", "e", "--id", "G", "--after-in", "down=X"],
    )
    .success();
    rpq(&r)
        .args([
            "--queue",
            "up",
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
        ])
        .args(["--exec", "exit 3"])
        .assert()
        .success();
    assert_eq!(show(&r, "down", "X")["error"], "parent P dead");
    assert_eq!(show(&r, "up", "G")["error"], "parent X dead");
    assert_eq!(show(&r, "down", "Y")["state"], "waiting");
    rpq(&r)
        .args(["--queue", "down", "show", "Z"])
        .assert()
        .code(1);
    let mut c = conn(&r);
    assert_eq!(stat(&mut c, "down", "dead"), 1, "X once");
    assert_eq!(stat(&mut c, "up", "dead"), 2, "P and G once each");
    for q in ["up", "down"] {
        assert!(!outbox_left(&mut c, q), "{q}'s outbox was moved");
    }
    consume(&r, "down", 1, &runs_file);
    assert_eq!(runs(&runs_file), ["Y"]);

    // Cancelled in flight: its holder removes it, its child across goes dead.
    produce(&r, "up", &["--type", "a", "--id", "Q"]).success();
    produce(
        &r,
        "down",
        &["--type", "b", "--id", "W", "--after-in", "up=Q"],
    )
    .success();
    let holder = Proc::spawn(
        process(&r)
            .args(["--queue", "up", "--json", "consume", "--count", "1"])
            .args(["--exec", "sleep 30"]),
    );
    wait_in_flight(&mut c, "up", 1);
    rpq(&r)
        .args(["--queue", "up", "cancel", "Q"])
        .assert()
        .success();
    assert_eq!(show(&r, "down", "W")["error"], "parent Q dead");
    let out = holder.end(Duration::from_secs(30));
    assert_eq!(ndjson(&out.stdout)[0]["outcome"], "cancelled");
    for q in ["up", "down"] {
        let l = lengths(&r, q);
        assert_eq!(
            (&l["waiting"], &l["blocked"]),
            (&json!(0), &json!(0)),
            "{q}: {l}"
        );
        assert_eq!(flow_leftovers(&r, q), Vec::<String>::new(), "{q}");
    }
}

/// A parent another queue does not know refuses the push (exit 1, nothing queued); one that
/// finished a moment ago, or whose result is kept, does not block the child.
#[test]
fn a_parent_in_another_queue_must_be_known_and_may_have_finished_already() {
    let r = redis();
    let runs_file = r.dir().join("runs");
    produce(&r, "src", &["--type", "a", "--id", "S"]).success();
    produce(
        &r,
        "dst",
        &["--type", "b", "--id", "before", "--after-in", "src=S"],
    )
    .success();
    rpq(&r)
        .args(["--queue", "dst", "produce", "--type", "b", "--id", "N"])
        .args(["--after-in", "src=S,nope"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "--after nope: queue 'src' knows no such task",
        ));
    rpq(&r)
        .args([
            "--queue",
            "dst",
            "produce",
            "--type",
            "b",
            "--after-in",
            "elsewhere=S",
        ])
        .assert()
        .code(1);
    rpq(&r)
        .args([
            "--queue",
            "dst",
            "produce",
            "--type",
            "b",
            "--after-in",
            "dst=S",
        ])
        .assert()
        .code(2);
    rpq(&r)
        .args([
            "--queue",
            "dst",
            "produce",
            "--type",
            "b",
            "--after-in",
            "src",
        ])
        .assert()
        .code(2);
    rpq(&r)
        .args(["--queue", "dst", "show", "N"])
        .assert()
        .code(1);
    assert_eq!(lengths(&r, "dst")["blocked"], 1, "only `before`");
    consume(&r, "src", 1, &runs_file);
    // S finished (src has flows: its finished window knows it).
    produce(
        &r,
        "dst",
        &["--type", "b", "--id", "after", "--after-in", "src=S"],
    )
    .success();
    assert_eq!(show(&r, "dst", "after")["state"], "waiting");
    assert_eq!(show(&r, "dst", "before")["state"], "waiting");
    // A kept result in a queue that never had a flow.
    produce(
        &r,
        "kept",
        &["--type", "a", "--id", "K", "--keep-result", "1h"],
    )
    .success();
    consume(&r, "kept", 1, &runs_file);
    let line = json!({"type": "b", "priority": 2, "id": "fromline",
                      "after": [{"queue": "kept", "id": "K"}]});
    push_lines(&r, "dst", &[line.to_string()]);
    assert_eq!(show(&r, "dst", "fromline")["state"], "waiting");
    consume(&r, "dst", 3, &runs_file);
    assert_eq!(runs(&runs_file), ["S", "K", "before", "after", "fromline"]);
    assert_eq!(flow_leftovers(&r, "dst"), Vec::<String>::new());
}

/// `flow submit` places a task in another queue with `"queue"`: a diamond with B in `right`,
/// run by a consumer of each queue at once; D runs once, after B and C.
#[test]
fn flow_submit_places_tasks_in_other_queues() {
    let r = redis();
    let runs_file = r.dir().join("runs");
    let doc = r.dir().join("flow.json");
    std::fs::write(
        &doc,
        json!({"tasks": [
            {"name": "a", "type": "t", "priority": 2, "id": "A"},
            {"name": "b", "type": "t", "priority": 2, "id": "B", "after": ["a"], "queue": "right"},
            {"name": "c", "type": "t", "priority": 2, "id": "C", "after": ["a"]},
            {"name": "d", "type": "t", "priority": 2, "id": "D", "after": ["b", "c"]},
        ]})
        .to_string(),
    )
    .unwrap();
    rpq(&r)
        .args(["--queue", "left", "flow", "submit"])
        .arg(&doc)
        .assert()
        .success();
    assert_eq!(
        show(&r, "right", "B")["parents"],
        json!([{"queue": "left", "id": "A"}])
    );
    assert_eq!(
        show(&r, "left", "D")["waits_for"],
        json!([{"queue": "right", "id": "B"}, "C"])
    );
    let bad = json!([{"name": "a", "type": "t", "priority": 2, "queue": "no{brace}"}]);
    rpq(&r)
        .args(["--queue", "left", "flow", "submit", "-"])
        .write_stdin(bad.to_string())
        .assert()
        .code(65);
    let start = |q: &str| {
        Proc::spawn(
            process(&r)
                .args(["--queue", q, "consume", "--exec"])
                .arg(r#"echo "$RPQ_TASK_ID" >> "$RUNS""#)
                .env("RUNS", &runs_file),
        )
    };
    let consumers = [start("left"), start("right")];
    wait_until(Duration::from_secs(30), "D to run", || {
        runs(&runs_file).iter().any(|id| id == "D")
    });
    for p in consumers {
        p.signal(libc::SIGTERM);
        assert!(p.end(Duration::from_secs(30)).status.success());
    }
    let ran = runs(&runs_file);
    assert_eq!(ran.len(), 4, "{ran:?}");
    assert_eq!(ran[0], "A");
    assert_eq!(ran[3], "D");
    for q in ["left", "right"] {
        let l = lengths(&r, q);
        assert_eq!(
            (&l["waiting"], &l["blocked"]),
            (&json!(0), &json!(0)),
            "{q}: {l}"
        );
    }
}

/// A fan-in of 300 parents on a queue of three shards, three consumers with a 1 s lease, one
/// killed with -9 mid-fan-in (between any two steps: its acks, its outbox moves) and started
/// again: the child, on one shard, runs once, after every parent on all three.
#[test]
fn a_sharded_fan_in_releases_its_child_once_through_a_kill_9() {
    const PARENTS: usize = 300;
    let r = redis();
    let q = "widefan";
    let runs_file = r.dir().join("runs");
    let mut lines: Vec<String> = (0..PARENTS)
        .map(|i| format!(r#"{{"type":"p","priority":2,"id":"p{i}"}}"#))
        .collect();
    let parents: Vec<String> = (0..PARENTS).map(|i| format!("p{i}")).collect();
    lines
        .push(json!({"type": "child", "priority": 2, "id": "child", "after": parents}).to_string());
    rpq(&r)
        .args(["--queue", q, "produce", "--shards", "3", "--stdin"])
        .write_stdin(lines.join("\n"))
        .assert()
        .success();
    assert_eq!(lengths(&r, q)["blocked"], 1);
    fan_in_through_a_kill(&r, q, &[], &runs_file, &parents);
    let mut c = conn(&r);
    for s in 0..3 {
        let k = Keys::new(q, s);
        let waits: u64 = redis::cmd("HLEN")
            .arg(k.get(rpq::queue::keys::Key::Waits))
            .query(&mut c)
            .unwrap();
        assert_eq!(waits, 0, "shard {s}: no wait is left");
        let outbox: bool = redis::cmd("HEXISTS")
            .arg(k.get(rpq::queue::keys::Key::Kids))
            .arg("\u{1e}")
            .query(&mut c)
            .unwrap();
        assert!(!outbox, "shard {s}: no outbox line is left");
    }
}

/// A producer killed between the push of a child and the link to its parent in another queue
/// (here: the parent's kids entry removed after the push) leaves the child blocked; the same
/// push sent again links it, and the child runs once.
#[test]
fn the_same_push_again_links_a_child_whose_producer_died_before_the_link() {
    let r = redis();
    let runs_file = r.dir().join("runs");
    produce(&r, "up", &["--type", "a", "--id", "P"]).success();
    let child = ["--type", "b", "--id", "K", "--after-in", "up=P"];
    produce(&r, "down", &child).success();
    let mut c = conn(&r);
    redis::cmd("HDEL")
        .arg(Keys::new("up", 0).get(rpq::queue::keys::Key::Kids))
        .arg("P")
        .query::<()>(&mut c)
        .unwrap();
    produce(&r, "down", &child).success();
    // Sent a third time: linked twice, released once.
    produce(&r, "down", &child).success();
    consume(&r, "up", 1, &runs_file);
    assert_eq!(show(&r, "down", "K")["state"], "waiting");
    consume(&r, "down", 1, &runs_file);
    assert_eq!(runs(&runs_file), ["P", "K"]);
    let l = lengths(&r, "down");
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
    assert!(!outbox_left(&mut c, "up"));
}

/// Whether the field `field` of queue `queue`'s kids hash names `what` (shard 0).
fn kids_has(c: &mut redis::Connection, queue: &str, field: &str, what: &str) -> bool {
    let v: Option<String> = redis::cmd("HGET")
        .arg(Keys::new(queue, 0).get(rpq::queue::keys::Key::Kids))
        .arg(field)
        .query(c)
        .unwrap();
    v.is_some_and(|v| v.contains(what))
}

fn is_blocked(c: &mut redis::Connection, queue: &str, id: &str) -> bool {
    let s: Option<String> = redis::cmd("ZSCORE")
        .arg(Keys::new(queue, 0).get(rpq::queue::keys::Key::Blocked))
        .arg(id)
        .query(c)
        .unwrap();
    s.is_some()
}

/// Fails the test at once when `p` ended (its error, rather than a timeout).
fn running(p: &mut Proc) {
    if p.exited().is_some() {
        panic!("rpq ended: {}", p.stderr());
    }
}

/// Links `from..` of the proxy (one producer's) set to `fault`.
fn set_links(p: &crate::proxy::Proxy, from: usize, fault: crate::proxy::Fault) {
    (from..p.links()).for_each(|i| p.set_link(i, fault));
}

/// Two producers of children in `down` of parents in `up`, each held right after its look at
/// its parent (every reply reaches them a second late through a proxy, and the test
/// blackholes the reply in between); the parent runs then; each producer goes on and is held
/// again right after its push landed, before its link: one is killed with -9 there, the other
/// stays held. Only consumers of `down` run: they find the links owed past their deadline,
/// link the children (the parents found done) and each runs once. The held producer, let go
/// after, links again: nothing runs twice.
#[test]
fn a_producer_killed_or_held_between_its_push_and_its_link_leaves_a_child_that_runs_once() {
    use crate::proxy::{Fault, Proxy};
    let r = redis();
    let p = Proxy::start(&r);
    let runs_file = r.dir().join("runs");
    let late = Fault::DelayReplies(Duration::from_secs(1));
    p.set(late);
    let mut c = conn(&r);
    let mut held = None;
    for (parent, child, kill) in [("P1", "K1", true), ("P2", "K2", false)] {
        produce(&r, "up", &["--type", "a", "--id", parent]).success();
        let first = p.links();
        let mut producer = Proc::spawn(
            std_command()
                .arg("--url")
                .arg(p.url())
                .args(["--queue", "down", "produce", "--type", "b", "--id", child])
                .arg("--after-in")
                .arg(format!("up={parent}")),
        );
        // Its look at the parent links the child already (so that the parent's end is known
        // as finished): held before the reply reaches it, it has pushed nothing yet.
        wait_until(Duration::from_secs(60), "the look at the parent", || {
            running(&mut producer);
            kids_has(&mut c, "up", parent, &format!("down\u{1f}{child}"))
        });
        set_links(&p, first, Fault::Blackhole);
        assert!(!is_blocked(&mut c, "down", child));
        // The parent ends before its child is pushed: its outbox line finds nothing to count.
        consume(&r, "up", 1, &runs_file);
        assert!(runs(&runs_file).contains(&parent.to_string()));
        set_links(&p, first, late);
        wait_until(Duration::from_secs(60), "the push", || {
            running(&mut producer);
            is_blocked(&mut c, "down", child)
        });
        // The push's reply is a second away, and the link after it.
        if kill {
            producer.signal(libc::SIGKILL);
            assert_eq!(producer.end(Duration::from_secs(30)).status.code(), None);
        } else {
            set_links(&p, first, Fault::Blackhole);
            held = Some((producer, first));
        }
    }
    let (producer, first) = held.unwrap();
    assert!(
        kids_has(&mut c, "down", "\u{1d}", "\tK1"),
        "K1's link is owed"
    );
    assert!(
        kids_has(&mut c, "down", "\u{1d}", "\tK2"),
        "K2's link is owed"
    );
    let consumer = Proc::spawn(
        process(&r)
            .args(["--queue", "down", "consume", "--exec"])
            .arg(r#"echo "$RPQ_TASK_ID" >> "$RUNS""#)
            .env("RUNS", &runs_file),
    );
    wait_until(Duration::from_secs(60), "K1 and K2 ran", || {
        runs(&runs_file).len() >= 4
    });
    assert!(!kids_has(&mut c, "down", "\u{1d}", "K"), "nothing is owed");
    // The held producer goes on: its link finds P2 done, and releases nothing more.
    set_links(&p, first, Fault::Pass);
    let ended = producer.end(Duration::from_secs(60));
    assert!(ended.status.success(), "{ended:?}");
    // A task pushed after it runs after anything its link could have released.
    produce(&r, "down", &["--type", "z", "--id", "Z"]).success();
    wait_until(Duration::from_secs(30), "Z ran", || {
        runs(&runs_file).contains(&"Z".to_string())
    });
    consumer.signal(libc::SIGTERM);
    assert!(consumer.end(Duration::from_secs(30)).status.success());
    let mut ran = runs(&runs_file);
    ran[2..4].sort();
    assert_eq!(
        ran,
        ["P1", "P2", "K1", "K2", "Z"],
        "each once, the children after"
    );
    let l = lengths(&r, "down");
    assert_eq!(
        (&l["waiting"], &l["blocked"]),
        (&json!(0), &json!(0)),
        "{l}"
    );
    assert_eq!(flow_leftovers(&r, "down"), Vec::<String>::new());
    assert!(!outbox_left(&mut c, "up"));
}

/// A sharded queue: the child's parent is on another shard, and the link a producer killed
/// after its push would not have made is taken out by hand (the parent's shard knows only its
/// child there, which keeps its flows on), and the link is owed and due. The
/// consumers alone, through their look at every shard, link the child: it runs once, after
/// its parent.
#[test]
fn a_sharded_queue_links_a_child_whose_producer_died_before_the_link() {
    use rpq::queue::keys::{shard_of, Key};
    let r = redis();
    let runs_file = r.dir().join("runs");
    let q = "wide";
    let pick = |prefix: &str, on: bool| {
        (0..)
            .map(|i| format!("{prefix}{i}"))
            .find(|k| (shard_of(k, 3) == shard_of("P", 3)) == on)
            .unwrap()
    };
    let (child, other) = (pick("K", false), pick("L", true));
    produce(&r, q, &["--shards", "3", "--type", "a", "--id", "P"]).success();
    produce(&r, q, &["--type", "b", "--id", &child, "--after", "P"]).success();
    produce(&r, q, &["--type", "l", "--id", &other, "--after", "P"]).success();
    let mut c = conn(&r);
    let parent_kids = Keys::new(q, shard_of("P", 3)).get(Key::Kids).to_string();
    let child_kids = Keys::new(q, shard_of(&child, 3)).get(Key::Kids).to_string();
    let owed = |c: &mut redis::Connection| -> Option<String> {
        redis::cmd("HGET")
            .arg(&child_kids)
            .arg("\u{1d}")
            .query(c)
            .unwrap()
    };
    assert_eq!(owed(&mut c), None, "the producer linked it and said so");
    redis::cmd("HSET")
        .arg(&parent_kids)
        .arg("P")
        .arg(&other)
        .query::<()>(&mut c)
        .unwrap();
    redis::cmd("HSET")
        .arg(&child_kids)
        .arg("\u{1d}")
        .arg(format!("0\t{child}"))
        .query::<()>(&mut c)
        .unwrap();
    let consumer = Proc::spawn(
        process(&r)
            .args(["--queue", q, "consume", "--exec"])
            .arg(r#"echo "$RPQ_TASK_ID" >> "$RUNS""#)
            .env("RUNS", &runs_file),
    );
    wait_until(Duration::from_secs(30), "the child ran", || {
        runs(&runs_file).contains(&child)
    });
    wait_until(Duration::from_secs(30), "every task ran", || {
        runs(&runs_file).len() >= 3
    });
    consumer.signal(libc::SIGTERM);
    assert!(consumer.end(Duration::from_secs(30)).status.success());
    let ran = runs(&runs_file);
    let at = |id: &str| ran.iter().position(|r| r == id).unwrap();
    assert!(at("P") < at(&child), "{ran:?}");
    let mut sorted = ran.clone();
    sorted.sort();
    let mut want = vec!["P".to_string(), child.clone(), other.clone()];
    want.sort();
    assert_eq!(sorted, want, "each ran once");
    assert_eq!(owed(&mut c), None);
    assert_eq!(lengths(&r, q)["blocked"], 0);
}
