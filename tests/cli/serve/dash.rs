//! The dashboard's second pass (issue 28) through the API: the workers view, the breakdown by
//! type, payload previews, search across queues, bulk actions and the histograms of `/metrics`.

use super::*;
use crate::support::{conn, push_lines, wait_in_flight};
use rpq::queue::keys::workers as workers_key;

/// `n` tasks of type `kind` (ids `{kind}-0`..), priority 2, each with its number as payload.
fn typed(n: usize, kind: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            json!({"type": kind, "priority": 2, "payload": i, "id": format!("{kind}-{i}")})
                .to_string()
        })
        .collect()
}

#[test]
fn serve_workers_view_shows_each_consumer_and_what_it_holds() {
    let r = redis();
    push_lines(&r, "w", &typed(3, "slow"));
    let c = Proc::start(
        &r,
        &[
            "--queue", "w", "consume", "--name", "busy", "-j", "2", "--exec", "sleep 60",
        ],
    );
    wait_in_flight(&mut conn(&r), "w", 2);
    // An HTTP worker, heard of in the consumers hash only.
    let s = Serve::start(&r, &[]);
    s.post("/api/queues/w/claim?consumer=http-1", &json!({}))
        .expect(200);
    // One gone a minute ago (greyed out), one gone for two hours (forgotten).
    let now = chrono::Utc::now().timestamp_millis();
    let mut rc = conn(&r);
    for (name, ago) in [("gone", 60_000), ("long-gone", 7_200_000)] {
        let w = json!({"name": name, "host": "elsewhere", "pid": 7, "concurrency": 1,
            "handler": "simulated", "command": "", "started_at": now - ago - 1000,
            "seen_at": now - ago, "done": 5, "failed": 1});
        let _: () = redis::cmd("HSET")
            .arg(workers_key("w"))
            .arg(name)
            .arg(w.to_string())
            .query(&mut rc)
            .unwrap();
    }
    let v = s.get("/api/queues/w/workers").expect(200).json();
    let names: Vec<&str> = v["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["busy", "http-1", "gone"], "{v}");
    let busy = &v["workers"][0];
    assert_eq!(busy["pid"], c.pid());
    assert_eq!(busy["concurrency"], 2);
    assert_eq!(busy["handler"], "exec");
    assert_eq!(busy["command"], "sleep 60");
    assert_eq!(busy["live"], true);
    assert!(
        busy["host"].as_str().is_some_and(|h| !h.is_empty()),
        "{busy}"
    );
    let held: Vec<&str> = busy["holding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(held, ["slow-0", "slow-1"], "{busy}");
    assert!(busy["holding"][0]["held_ms"].as_u64().is_some());
    let http = &v["workers"][1];
    assert_eq!((&http["host"], &http["live"]), (&Value::Null, &json!(true)));
    assert_eq!(http["holding"][0]["id"], "slow-2");
    let gone = &v["workers"][2];
    assert_eq!(
        (&gone["live"], &gone["done"], &gone["failed"]),
        (&json!(false), &json!(5), &json!(1))
    );
    c.signal(libc::SIGKILL);
    drop(c);
    s.get("/api/queues/nope/workers").expect(404);
}

#[test]
fn serve_lists_carry_a_preview_of_a_3mb_payload_and_the_task_carries_it_whole() {
    let r = redis();
    let big = "é".repeat(1_500_000);
    push_lines(
        &r,
        "p",
        &[
            json!({"type": "big", "priority": 1, "id": "big", "payload": {"s": big}}).to_string(),
            json!({"type": "small", "priority": 1, "id": "small", "payload": [1, 2]}).to_string(),
        ],
    );
    let s = Serve::start(&r, &[]);
    let page = s.get("/api/queues/p/tasks?state=waiting").expect(200);
    assert!(page.text().len() < 4096, "{} bytes", page.text().len());
    let v = page.json();
    let t = &v["tasks"][0];
    assert_eq!(t["id"], "big");
    assert!(t.get("payload").is_none(), "{t}");
    let preview = t["payload_preview"].as_str().unwrap();
    assert!(
        preview.len() <= 300 && preview.len() >= 297,
        "{}",
        preview.len()
    );
    assert!(preview.starts_with("{\"s\":\"éé"));
    let whole = json!({"s": big}).to_string().len();
    assert_eq!(t["payload_bytes"], whole);
    let small = &v["tasks"][1];
    assert_eq!(
        (&small["payload"], &small["payload_bytes"]),
        (&json!([1, 2]), &json!(5))
    );
    assert!(small.get("payload_preview").is_none());
    // The drawer's GET has it whole.
    let one = s.get("/api/queues/p/tasks/big").expect(200).json();
    assert_eq!(one["payload"]["s"].as_str().map(str::len), Some(big.len()));
    // So does a search by type, as a list.
    let found = s.get("/api/search?type=big").expect(200).json();
    assert_eq!(found["found"][0]["queue"], "p");
    assert!(found["found"][0]["task"].get("payload").is_none());
}

#[test]
fn serve_bulk_retry_of_500_dead_tasks_filtered_by_type_moves_exactly_those() {
    let r = redis();
    let mut lines = typed(500, "a");
    lines.extend(typed(100, "b"));
    push_lines(&r, "bulk", &lines);
    rpq(&r)
        .args([
            "--queue",
            "bulk",
            "consume",
            "--count",
            "600",
            "--max-attempts",
            "1",
        ])
        .args(["-j", "4", "--exec", "exit 1"])
        .assert()
        .success();
    let s = Serve::start(&r, &[]);
    let bulk = |body: Value| s.post("/api/queues/bulk/bulk", &body).expect(200).json();
    let v = bulk(json!({"action": "retry", "filter": {"state": "dead", "type": "a"}}));
    assert_eq!(
        v,
        json!({"queue": "bulk", "action": "retry", "matched": 500, "changed": 500, "skipped": 0, "more": false})
    );
    let ids = |state: &str| -> Vec<String> {
        let out = rpq(&r)
            .args([
                "--queue", "bulk", "--json", "list", "--state", state, "-n", "1000",
            ])
            .assert()
            .success();
        let mut out: Vec<String> = ndjson(&out.get_output().stdout)
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        out.sort();
        out
    };
    let mut want_a: Vec<String> = (0..500).map(|i| format!("a-{i}")).collect();
    want_a.sort();
    let mut want_b: Vec<String> = (0..100).map(|i| format!("b-{i}")).collect();
    want_b.sort();
    assert_eq!(ids("waiting"), want_a);
    assert_eq!(ids("dead"), want_b);
    // By ids: two moved to high (one is dead, one unknown), then cancelled by a filter.
    let v =
        bulk(json!({"action": "move", "priority": "high", "ids": ["a-1", "a-2", "b-1", "nope"]}));
    assert_eq!(
        (&v["changed"], &v["skipped"]),
        (&json!(2), &json!(2)),
        "{v}"
    );
    let first = s
        .get("/api/queues/bulk/tasks?state=waiting&limit=2")
        .expect(200)
        .json();
    assert_eq!(first["tasks"][0]["priority"], 1);
    assert_eq!(first["tasks"][1]["priority"], 1);
    let v = bulk(json!({"action": "cancel", "filter": {"state": "waiting", "priority": "high"}}));
    assert_eq!(
        (&v["matched"], &v["changed"]),
        (&json!(2), &json!(2)),
        "{v}"
    );
    let v = bulk(json!({"action": "purge", "ids": ["b-0", "b-1"]}));
    assert_eq!(v["changed"], 2);
    assert_eq!(ids("dead").len(), 98);
    // Refused: what is unclear is a 400 with one line, and nothing is done.
    for bad in [
        json!({"action": "explode", "ids": ["a-3"]}),
        json!({"action": "move", "ids": ["a-3"]}),
        json!({"action": "cancel", "ids": ["a-3"], "priority": 1}),
        json!({"action": "cancel"}),
        json!({"action": "cancel", "ids": ["a-3"], "filter": {"state": "waiting"}}),
        json!({"action": "cancel", "filter": {"state": "sleeping"}}),
        json!({"action": "cancel", "ids": [""]}),
    ] {
        s.post("/api/queues/bulk/bulk", &bad).expect(400);
    }
    // Neither ids nor a filter, or both: each said as it is.
    let said = |body: Value| {
        s.post("/api/queues/bulk/bulk", &body).expect(400).json()["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(!said(json!({"action": "cancel"})).contains("not both"));
    assert!(
        said(json!({"action": "cancel", "ids": ["a-3"], "filter": {"state": "waiting"}}))
            .ends_with("not both")
    );
    assert_eq!(ids("waiting").len(), 498);
    s.post(
        "/api/queues/nope/bulk",
        &json!({"action": "cancel", "ids": ["x"]}),
    )
    .expect(404);
}

#[test]
fn serve_searches_across_queues_and_breaks_a_queue_down_by_type() {
    let r = redis();
    push_lines(&r, "s1", &typed(3, "mail"));
    push_lines(&r, "s2", &typed(2, "mail"));
    push_lines(&r, "s2", &typed(4, "sms"));
    // Two mails of s2 done, one fails.
    rpq(&r)
        .args([
            "--queue",
            "s2",
            "consume",
            "--count",
            "3",
            "--max-attempts",
            "1",
        ])
        .args(["--exec", "test \"$RPQ_TASK_ID\" != sms-0"])
        .assert()
        .success();
    let s = Serve::start(&r, &[]);
    let v = s.get("/api/search?id=mail-1").expect(200).json();
    let queues: Vec<&str> = v["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["queue"].as_str().unwrap())
        .collect();
    assert_eq!(queues, ["s1"], "{v}");
    let v = s.get("/api/search?type=mail").expect(200).json();
    assert_eq!(v["found"].as_array().unwrap().len(), 3, "{v}");
    let v = s.get("/api/search?type=sms&state=dead").expect(200).json();
    assert_eq!(v["found"][0]["task"]["id"], "sms-0");
    s.get("/api/search").expect(400);
    s.get("/api/search?id=a&type=b").expect(400);
    s.get("/api/search?type=a&state=nowhere").expect(400);
    let v = s.get("/api/queues/s2/types").expect(200).json();
    assert_eq!(v["complete"], true);
    let row = |kind: &str| {
        v["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} in {v}"))
    };
    let mail = row("mail");
    assert_eq!(
        (&mail["done"], &mail["failed"], &mail["waiting"]),
        (&json!(2), &json!(0), &json!(0))
    );
    // This minute's and part of the last: a run across the turn of a minute counts less.
    let rate = mail["done_per_min"].as_f64().unwrap();
    assert!(rate > 0.0 && rate <= 2.0, "{mail}");
    let sms = row("sms");
    assert_eq!(
        (&sms["done"], &sms["failed"], &sms["waiting"]),
        (&json!(0), &json!(1), &json!(3))
    );
}

#[test]
fn serve_metrics_histograms_count_what_a_consume_run_ran() {
    let r = redis();
    push_lines(&r, "h", &typed(30, "x"));
    push_lines(&r, "h", &typed(12, "y"));
    rpq(&r)
        .args(["--queue", "h", "consume", "--drain", "--prefetch", "8"])
        .assert()
        .success();
    let s = Serve::start(&r, &[]);
    let text = s.get("/metrics").expect(200).text().to_string();
    let e = Exposition::parse(&text);
    let q = [("queue", "h")];
    assert_eq!(e.value("rpq_wait_seconds_count", &q), 42.0);
    assert_eq!(e.value("rpq_run_seconds_count", &q), 42.0);
    assert_eq!(
        e.value("rpq_wait_seconds_bucket", &[("queue", "h"), ("le", "+Inf")]),
        42.0
    );
    assert_eq!(
        e.value(
            "rpq_type_run_seconds_count",
            &[("queue", "h"), ("type", "x")]
        ),
        30.0
    );
    assert_eq!(
        e.value(
            "rpq_type_tasks_done_total",
            &[("queue", "h"), ("type", "y")]
        ),
        12.0
    );
    // Buckets only grow.
    let mut last = 0.0;
    for le in ["0.005", "0.1", "1", "300", "+Inf"] {
        let n = e.value("rpq_run_seconds_bucket", &[("queue", "h"), ("le", le)]);
        assert!(n >= last, "{le}: {n} < {last}");
        last = n;
    }
    // Every family's series come sorted by their labels.
    let mut family: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            family.clear();
            continue;
        }
        let labels = line
            .split_once('{')
            .map_or("", |(_, l)| l.rsplit_once("} ").unwrap().0);
        let labels = labels.split(",le=").next().unwrap();
        if let Some(prev) = family.last() {
            assert!(*prev <= labels, "{prev} after {labels} in\n{text}");
        }
        family.push(labels);
    }
}

#[test]
fn a_starting_consumer_forgets_workers_gone_for_a_day_and_clear_all_drops_the_reports() {
    let r = redis();
    push_lines(&r, "f", &typed(2, "t"));
    let now = chrono::Utc::now().timestamp_millis();
    let mut rc = conn(&r);
    for (name, ago) in [("old", 2 * 86_400_000), ("recent", 60_000)] {
        let w = json!({"name": name, "seen_at": now - ago});
        let _: () = redis::cmd("HSET")
            .arg(workers_key("f"))
            .arg(name)
            .arg(w.to_string())
            .query(&mut rc)
            .unwrap();
    }
    // Not JSON: forgotten too, rather than kept for ever.
    let _: () = redis::cmd("HSET")
        .arg(workers_key("f"))
        .arg("junk")
        .arg("\u{1}not json")
        .query(&mut rc)
        .unwrap();
    rpq(&r)
        .args(["--queue", "f", "consume", "--drain", "--name", "c1"])
        .assert()
        .success();
    let mut names: Vec<String> = redis::cmd("HKEYS")
        .arg(workers_key("f"))
        .query(&mut rc)
        .unwrap();
    names.sort();
    assert_eq!(names, ["c1", "recent"]);
    let usage = rpq::queue::keys::usage("f");
    let fields: u64 = redis::cmd("HLEN").arg(&usage).query(&mut rc).unwrap();
    assert!(fields > 0);
    rpq(&r)
        .args(["--queue", "f", "clear", "--all", "--yes"])
        .assert()
        .success();
    for key in [workers_key("f"), usage] {
        let n: u64 = redis::cmd("EXISTS").arg(&key).query(&mut rc).unwrap();
        assert_eq!(n, 0, "{key} is left");
    }
}

/// Issue 28's "histograms in /metrics count what `rpq bench` ran": a bench with a handler runs
/// each consumer as `rpq consume` does, and reports what it ran. It is scraped while it runs
/// (the bench deletes its queue when it ends): 40 tasks of `sleep 0.1`, one at a time.
#[test]
fn serve_metrics_histograms_count_what_rpq_bench_ran() {
    let r = redis();
    let s = Serve::start(&r, &[]);
    let mut bench = Proc::start(
        &r,
        &[
            "--queue",
            "hb",
            "bench",
            "--tasks",
            "40",
            "--latency-tasks",
            "0",
            "--scheduled-tasks",
            "0",
            "--exec",
            "sleep 0.1",
        ],
    );
    let q = [("queue", "hb")];
    let mut got = None;
    wait_until(
        Duration::from_secs(60),
        "the bench's runs in /metrics",
        || {
            let text = s.get("/metrics").expect(200).text().to_string();
            if !text.contains("rpq_run_seconds_count{queue=\"hb\"}") {
                return false;
            }
            let e = Exposition::parse(&text);
            let n = e.value("rpq_run_seconds_count", &q);
            if n < 10.0 {
                return false;
            }
            got = Some((
                n,
                e.value("rpq_run_seconds_bucket", &[("queue", "hb"), ("le", "0.05")]),
                e.value("rpq_run_seconds_bucket", &[("queue", "hb"), ("le", "+Inf")]),
                e.value("rpq_wait_seconds_count", &q),
                e.value("rpq_run_seconds_sum", &q),
            ));
            true
        },
    );
    let (n, fast, all, waited, sum) = got.unwrap();
    // Each ran `sleep 0.1`: none in the buckets below 50 ms, every one in +Inf, and 0.1 s each
    // at least in the sum; each was a first attempt, so each counts in the wait too.
    assert_eq!((fast, all), (0.0, n));
    assert!(sum >= n * 0.1, "{sum} s for {n} runs");
    assert!(waited >= n, "{waited} waits for {n} runs");
    let status = loop {
        if let Some(st) = bench.exited() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{}", bench.stderr());
}
