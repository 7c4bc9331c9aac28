//! The five commands of the design on one server: order, distinctness, peek, len, clear.

use crate::support::*;
use serde_json::{json, Value};

#[test]
fn claims_follow_priority_then_arrival_across_producers() {
    let r = redis();
    // Three producers push at once, each numbering its own tasks; within a priority the
    // consumer must see every producer's tasks in the order that producer sent them.
    let producers: Vec<_> = (0..3)
        .map(|p| {
            let lines: Vec<String> = (0..300)
                .map(|i| {
                    json!({"type": "t", "priority": 1 + (i * 7 + p) % 3,
                           "payload": {"producer": p, "n": i}})
                    .to_string()
                })
                .collect();
            let mut cmd = rpq(&r);
            cmd.args(["--queue", "order", "produce", "--stdin", "--batch", "7"])
                .write_stdin(lines.join("\n"));
            std::thread::spawn(move || cmd.assert().success())
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let done = json_lines(rpq(&r).args(["--queue", "order", "--json", "consume", "--drain"]));
    assert_eq!(done.len(), 900);
    let mut last_priority = 1;
    let mut last_n = std::collections::HashMap::new();
    let mut last_created = String::new();
    for t in &done {
        let p = t["priority"].as_u64().unwrap();
        assert!(p >= last_priority, "priority {p} after {last_priority}");
        if p != last_priority {
            last_n.clear();
            last_created.clear();
        }
        last_priority = p;
        let producer = t["payload"]["producer"].as_u64().unwrap();
        let n = t["payload"]["n"].as_i64().unwrap();
        let prev = last_n.insert(producer, n).unwrap_or(-1);
        assert!(n > prev, "producer {producer}: task {n} after {prev}");
        let created = t["created_at"].as_str().unwrap().to_string();
        assert!(
            created >= last_created,
            "created_at went back within a priority"
        );
        last_created = created;
        assert_eq!(t["outcome"], "done");
        assert_eq!(t["attempt"], 1);
    }
}

#[test]
fn identical_tasks_stay_distinct_and_ids_are_not_queued_twice() {
    let r = redis();
    let push = |extra: &[&str]| {
        let out = rpq(&r)
            .args(["--json", "produce", "--type", "email", "--priority", "high"])
            .args(["--payload", r#"{"to":"a@b.c"}"#])
            .args(extra)
            .assert()
            .success();
        ndjson(&out.get_output().stdout)
    };
    let a = push(&[]);
    let b = push(&[]);
    assert_ne!(a[0]["id"], b[0]["id"]);
    let c = push(&["--id", "order-42"]);
    let d = push(&["--id", "order-42"]);
    assert_eq!(c[0]["queued"], true);
    assert_eq!(d[0]["queued"], false);
    assert_eq!(c[0]["id"], "order-42");
    rpq(&r).arg("len").assert().success().stdout("3\n");
    // Human output says so on stderr and still succeeds.
    rpq(&r)
        .args(["produce", "--type", "email", "--id", "order-42"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicates::str::contains("already queued"));
    // --count N pushes N of them, each with its own id; an --id names one task only.
    let five = push(&["--count", "5"]);
    assert_eq!(five.len(), 5);
    let ids: std::collections::HashSet<_> = five.iter().map(|t| t["id"].clone()).collect();
    assert_eq!(ids.len(), 5);
    assert!(five
        .iter()
        .all(|t| t["queued"] == true && t["type"] == "email"));
    rpq(&r).arg("len").assert().success().stdout(
        "8
",
    );
    rpq(&r)
        .args(["produce", "--type", "email", "--id", "x", "--count", "2"])
        .assert()
        .code(2)
        .stderr("rpq: --id names one task and --count asks for several; drop one of them\n");
}

#[test]
fn an_id_given_twice_in_one_batch_or_already_waiting_is_queued_once_the_first_wins() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["produce", "--type", "t", "--id", "w1", "--payload", "0"])
        .assert()
        .success();
    // Events on, so that each task queued says so once, and a task not queued says nothing.
    rpq(&r)
        .args(["events", "--enable", "--keep", "1000"])
        .assert()
        .success();
    let batch = [
        json!({"id": "a", "type": "t", "priority": "low", "payload": 1}),
        json!({"id": "w1", "type": "t", "priority": "medium", "payload": 2}),
        json!({"id": "b", "type": "t", "priority": "medium", "payload": 3}),
        json!({"id": "a", "type": "t", "priority": "high", "payload": 4}),
        json!({"id": "b", "type": "t", "priority": "medium", "payload": 5}),
        json!({"id": "w1", "type": "t", "priority": "medium", "payload": 6}),
        json!({"id": "c", "type": "t", "priority": "medium", "payload": 7}),
    ];
    let lines: Vec<String> = batch.iter().map(Value::to_string).collect();
    let out = json_lines(
        rpq(&r)
            .args(["--json", "produce", "--stdin", "--batch", "500"])
            .write_stdin(lines.join("\n")),
    );
    let said: Vec<(&str, bool)> = out
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["queued"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        said,
        [
            ("a", true),
            ("w1", false),
            ("b", true),
            ("a", false),
            ("b", false),
            ("w1", false),
            ("c", true)
        ]
    );
    rpq(&r).arg("len").assert().success().stdout("4\n");
    assert_eq!(stat(&mut c, "default", "pushed"), 4);
    let pushed: Vec<String> = json_lines(rpq(&r).args(["--json", "events"]))
        .iter()
        .filter(|e| e["event"] == "pushed")
        .map(|e| format!("{}:{}", e["id"].as_str().unwrap(), e["priority"]))
        .collect();
    assert_eq!(pushed, ["a:3", "b:2", "c:2"]);
    // Each id once, as its first line said: `a` at low priority with payload 1, last.
    let done = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    let got: Vec<(&str, i64, i64)> = done
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["priority"].as_i64().unwrap(),
                t["payload"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("w1", 2, 0), ("b", 2, 3), ("c", 2, 7), ("a", 3, 1)]);
}

#[test]
fn peek_shows_claim_order_and_leaves_the_queue_untouched() {
    let r = redis();
    push_lines(&r, "default", &lines([3, 1, 2, 1, 3]));
    let peek = || json_lines(rpq(&r).args(["peek", "-n", "10", "--json"]));
    let first = peek();
    assert_eq!(first, peek());
    let payloads: Vec<i64> = first
        .iter()
        .map(|t| t["payload"].as_i64().unwrap())
        .collect();
    assert_eq!(payloads, [1, 3, 2, 0, 4]);
    assert!(first.iter().all(|t| t["attempt"] == 0));
    rpq(&r).arg("len").assert().success().stdout("5\n");
    let consumed = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    let ids = |v: &[Value]| v.iter().map(|t| t["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&consumed), ids(&first));
    // An empty queue: nothing on stdout, exit 0.
    rpq(&r).arg("peek").assert().success().stdout("");
}

#[test]
fn len_counts_by_priority_and_state() {
    let r = redis();
    push_lines(&r, "default", &[1, 1, 2, 3, 3, 3].map(line));
    rpq(&r).arg("len").assert().success().stdout("6\n");
    rpq(&r)
        .args(["len", "--priority", "low"])
        .assert()
        .success()
        .stdout("3\n");
    rpq(&r)
        .args(["len", "--priority", "1"])
        .assert()
        .success()
        .stdout("2\n");
    rpq(&r).args(["consume", "--count", "1"]).assert().success();
    let v = &json_lines(rpq(&r).args(["len", "--json"]))[0];
    assert_eq!(
        v,
        &json!({"waiting": 5, "high": 1, "medium": 1, "low": 3, "in_flight": 0, "retrying": 0, "dead": 0, "scheduled": 0, "blocked": 0})
    );
    // One priority in JSON is that priority's count, not the breakdown.
    let v = &json_lines(rpq(&r).args(["len", "--priority", "high", "--json"]))[0];
    assert_eq!(v, &json!({"priority": 1, "waiting": 1}));
    // Another queue is another queue.
    rpq(&r)
        .args(["--queue", "other", "len"])
        .assert()
        .success()
        .stdout("0\n");
}

#[test]
fn clear_while_a_consumer_runs() {
    let r = redis();
    let consumer = Proc::start(
        &r,
        &["--json", "consume", "--delay", "20ms", "--name", "busy"],
    );
    push_lines(&r, "default", &lines([2; 300]));
    let cleared = &json_lines(rpq(&r).args(["--json", "clear"]))[0];
    assert!(cleared["removed"].as_u64().unwrap() > 0);
    assert_eq!(
        cleared["removed"].as_u64().unwrap(),
        cleared["waiting"].as_u64().unwrap() + cleared["in_flight"].as_u64().unwrap()
    );
    rpq(&r).arg("len").assert().success().stdout("0\n");
    // The consumer lived through it and takes the next task.
    push_one(&r, "after", "after-clear");
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    wait_until(
        std::time::Duration::from_secs(10),
        "the task after clear",
        || {
            let left: bool = redis::cmd("HEXISTS")
                .arg(k.tasks())
                .arg("after-clear")
                .query(&mut c)
                .unwrap();
            !left
        },
    );
    consumer.signal(libc::SIGTERM);
    let out = consumer.end(std::time::Duration::from_secs(10));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    let last = lines
        .iter()
        .find(|t| t["id"] == "after-clear")
        .expect("after-clear done");
    assert_eq!(last["outcome"], "done");
    // Tasks cleared under the consumer's hands are cancelled (issue 21), never done twice nor
    // reported lost later.
    assert!(lines
        .iter()
        .all(|t| t["outcome"] == "done" || t["outcome"] == "cancelled"));
}

#[test]
fn clear_asks_nothing_without_a_terminal_and_reports_counts() {
    let r = redis();
    push_lines(&r, "default", &[line(1)]);
    rpq(&r)
        .arg("clear")
        .assert()
        .success()
        .stdout(predicates::str::contains("Removed 1 task from"));
}

#[test]
fn a_flushed_script_cache_does_not_break_the_next_claim() {
    let r = redis();
    push_lines(&r, "default", &[line(1), line(1)]);
    rpq(&r).args(["consume", "--count", "1"]).assert().success();
    // What a restart does to the script cache; EVALSHA then gets NOSCRIPT.
    let mut c = conn(&r);
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut c).unwrap();
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]))[0]["outcome"],
        "done"
    );
    rpq(&r).arg("len").assert().success().stdout("0\n");
}

#[test]
fn a_finished_task_leaves_nothing_but_counters() {
    let r = redis();
    push_lines(
        &r,
        "default",
        &vec![json!({"type": "t", "priority": 2, "payload": "x"}).to_string(); 20],
    );
    rpq(&r).args(["consume", "--drain"]).assert().success();
    assert_eq!(lasting_keys(&r), counter_keys("default"));
}
