//! Stored layouts (docs/layout-v2.md): a queue made by an rpq of another layout is refused by
//! every command, with the one line that names `rpq migrate`, before anything is written.

use crate::serve::Serve;
use crate::support::{conn, process, redis, rpq, wait_until, zcard, Proc};
use predicates::prelude::*;
use rpq::queue::keys::{meta, retired_checks, Keys};
use rpq::server::RedisServer;
use serde_json::json;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

const REFUSAL: &str = "rpq: queue 'jobs' has stored layout 1; this rpq reads layout 4: run \
                       `rpq migrate --queue jobs` (docs/layout-v2.md)\n";

/// A queue of an older layout as the rpq of that layout left it (written by hand: this rpq has
/// no code of those layouts to make them): a waiting task, a task in flight, a dead one, the
/// counters and the checks. Layout 1: a `meta` without `layout`, the v1 key names, `seq` a key
/// of its own. Layout 2: keys under `2:`, `meta` and `stats` saying layout 2, `seq` in `stats`.
/// Layout 3 (main's before step 3b): layout 4's keys (`3:`), records without a head, the claim
/// as the `inflight` member, and the heads in `state` and `dead:info`, with a retrying task.
fn old_queue(c: &mut redis::Connection, layout: u32) {
    if layout == 3 {
        return layout_3_queue(c);
    }
    let dir = if layout == 1 { "" } else { "2:" };
    let k = |suffix: &str| format!("rpq:{{jobs}}:{dir}{suffix}");
    let body = |n: u32| format!(r#"{{"c":1700000000000,"t":"email","p":2,"d":{n}}}"#);
    let mut p = redis::pipe();
    p.cmd("HSET")
        .arg(meta("jobs"))
        .arg("shards")
        .arg(1)
        .arg("tags")
        .arg("#");
    if layout == 2 {
        p.cmd("HSET").arg(meta("jobs")).arg("layout").arg(2);
    }
    p.cmd("HSET")
        .arg(k("tasks"))
        .arg("t1")
        .arg(body(1))
        .arg("t2")
        .arg(body(2))
        .arg("t3")
        .arg(body(3))
        .cmd("ZADD")
        .arg(k("pending"))
        .arg("2000000000000001")
        .arg("t1")
        .cmd("ZADD")
        .arg(k("inflight"))
        .arg("9999999999999")
        .arg("t2")
        .cmd("HSET")
        .arg(k("claims"))
        .arg("t2")
        .arg("00aa11bb22cc33dd|1700000000001|3|1|2000000000000002|host-1")
        .cmd("ZADD")
        .arg(k("dead"))
        .arg("1700000000002")
        .arg("t3")
        .cmd("HSET")
        .arg(k("dead:info"))
        .arg("t3")
        .arg(r#"{"error":"boom","attempts":3}"#)
        .cmd("HSET")
        .arg(k("stats"))
        .arg("pushed")
        .arg(3)
        .arg("checks")
        .arg("0|0");
    if layout == 1 {
        p.cmd("SET").arg(k("seq")).arg(3);
    } else {
        p.cmd("HSET")
            .arg(k("stats"))
            .arg("seq")
            .arg(3)
            .arg("layout")
            .arg(LAYOUT_2_NOTE);
    }
    let _: () = p.query(c).unwrap();
}

fn layout_3_queue(c: &mut redis::Connection) {
    let k = |suffix: &str| format!("rpq:{{jobs}}:3:{suffix}");
    let rec =
        |n: u32| format!(r#"200000000000000{n}{{"c":1700000000000,"t":"email","p":2,"d":{n}}}"#);
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(meta("jobs"))
        .arg("shards")
        .arg(1)
        .arg("tags")
        .arg("#")
        .arg("layout")
        .arg(3)
        .cmd("HSET")
        .arg(k("tasks"))
        .arg("t1")
        .arg(rec(1))
        .arg("t2")
        .arg(rec(2))
        .arg("t3")
        .arg(rec(3))
        .arg("t4")
        .arg(rec(4))
        .cmd("ZADD")
        .arg(k("pending"))
        .arg("2000000000000001")
        .arg("t1")
        .cmd("ZADD")
        .arg(k("inflight"))
        .arg("9999999999999")
        .arg("t2\t00aa11bb22cc33dd|1700000000001|1|3|2000000000000002|host-1")
        .cmd("ZADD")
        .arg(k("dead"))
        .arg("1700000000002")
        .arg("t3")
        .cmd("HSET")
        .arg(k("dead:info"))
        .arg("t3")
        .arg(r#"{"error":"boom","attempts":3}"#)
        .cmd("ZADD")
        .arg(k("delayed"))
        .arg("9999999999999")
        .arg("t4")
        .cmd("HSET")
        .arg(k("state"))
        .arg("t3")
        .arg("3|2000000000000003")
        .arg("t4")
        .arg("1|2000000000000004|exit 1")
        .cmd("HSET")
        .arg(k("stats"))
        .arg("pushed")
        .arg(4)
        .arg("seq")
        .arg(4)
        .arg("checks")
        .arg("0|0")
        .arg("layout")
        .arg(LAYOUT_3_NOTE)
        .query(c)
        .unwrap();
}

const LAYOUT_3_NOTE: &str =
    "3: the stored layout of this shard (rpq, docs/layout-v2.md); rpq migrate moves older ones";

/// Main's rpq before step 3b (layout 3) would hand a record's head to a handler as its body:
/// this rpq (layout 4, the same keys) refuses such a queue as any older layout, and changes
/// nothing; `rpq migrate` 3 -> 4 folds `state` and `dead:info` into the records.
#[test]
fn every_command_refuses_a_queue_of_layout_3_and_changes_nothing() {
    let r = redis();
    let mut c = conn(&r);
    old_queue(&mut c, 3);
    let before = every_key(&mut c);
    let line = "rpq: queue 'jobs' has stored layout 3; this rpq reads layout 4: run `rpq migrate \
                --queue jobs` (docs/layout-v2.md)\n";
    let task = r#"{"id":"t9","type":"email","payload":{}}"#;
    for args in COMMANDS {
        refused(&r, args, &format!("{task}\n"), line);
        assert_eq!(every_key(&mut c), before, "rpq {args:?} changed the queue");
    }
    let s = Serve::start(&r, &[]);
    for reply in [
        s.get("/api/queues/jobs/tasks/t4"),
        s.post("/api/queues/jobs/claim", &json!({})),
    ] {
        let reply = reply.expect(409);
        assert_eq!(
            reply.json()["error"],
            line.trim_start_matches("rpq: ").trim_end()
        );
    }
    assert_eq!(every_key(&mut c), before);
}

/// Every key of the server with its DUMP, sorted: what a refused command must leave as it was.
fn every_key(c: &mut redis::Connection) -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = redis::cmd("KEYS").arg("*").query(c).unwrap();
    names.sort();
    names
        .into_iter()
        .map(|k| {
            // A hash or set past its small encoding is a hash table, whose DUMP follows the
            // table's order, and a read may move entries (an incremental rehash step): such a
            // key is compared by its sorted content, anything else by its DUMP.
            let kind: String = redis::cmd("TYPE").arg(&k).query(c).unwrap();
            let value: Vec<u8> = match kind.as_str() {
                "hash" | "set" => {
                    let mut items: Vec<Vec<u8>> = if kind == "hash" {
                        let pairs: Vec<(Vec<u8>, Vec<u8>)> =
                            redis::cmd("HGETALL").arg(&k).query(c).unwrap();
                        pairs
                            .into_iter()
                            .map(|(f, v)| [f, b"\0=".to_vec(), v].concat())
                            .collect()
                    } else {
                        redis::cmd("SMEMBERS").arg(&k).query(c).unwrap()
                    };
                    items.sort();
                    [kind.into_bytes(), items.join(&b"\0\n"[..])].concat()
                }
                _ => redis::cmd("DUMP").arg(&k).query(c).unwrap(),
            };
            (k, value)
        })
        .collect()
}

fn refused(r: &RedisServer, args: &[&str], stdin: &str, line: &str) {
    rpq(r)
        .args(["--queue", "jobs"])
        .args(args)
        .write_stdin(stdin)
        .assert()
        .code(1)
        .stdout("")
        .stderr(line.to_string());
}

/// Every kind of command: what reads, what writes, what consumes, what removes.
const COMMANDS: [&[&str]; 15] = [
    &["produce", "--stdin"],
    &["produce", "--type", "x", "--count", "1"],
    &["consume", "--exec", "true"],
    &["consume", "--prefetch", "4", "--exec", "true"],
    &["peek"],
    &["len"],
    &["stats"],
    &["stats", "--json"],
    &["show", "t1"],
    &["cancel", "t1"],
    &["clear", "--yes"],
    &["list", "--state", "waiting"],
    &["dead", "retry"],
    &["queues", "remove", "jobs", "--yes"],
    &["--shards", "1", "len"],
];

#[test]
fn every_command_refuses_a_queue_of_layout_1_and_changes_nothing() {
    let r = redis();
    let mut c = conn(&r);
    old_queue(&mut c, 1);
    let before = every_key(&mut c);
    let task = r#"{"id":"t9","type":"email","payload":{}}"#;
    for args in COMMANDS {
        refused(&r, args, &format!("{task}\n"), REFUSAL);
        assert_eq!(every_key(&mut c), before, "rpq {args:?} changed the queue");
    }
    // Another queue of the same server goes on as ever, and leaves the old one alone.
    rpq(&r)
        .args(["--queue", "other", "produce", "--type", "x", "--count", "2"])
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", "other", "len"])
        .assert()
        .success()
        .stdout("2\n");
    // The list of queues names it with the way out, counts the others, and exits 0, also
    // when it is the queue of the command line.
    for queue in ["jobs", "other"] {
        let out = rpq(&r)
            .args(["--queue", queue, "queues"])
            .assert()
            .success()
            .stderr(predicate::str::contains(
                REFUSAL.trim_start_matches("rpq: ").trim_end(),
            ))
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("other") && !out.contains("jobs"), "{out}");
    }
    let after: Vec<_> = every_key(&mut c)
        .into_iter()
        .filter(|(k, _)| k.starts_with("rpq:{jobs}"))
        .collect();
    assert_eq!(after, before);
}

const LAYOUT_2_NOTE: &str =
    "2: the stored layout of this shard (rpq, docs/layout-v2.md); rpq migrate moves older ones";

#[test]
fn every_command_refuses_a_queue_of_layout_2_and_changes_nothing() {
    let r = redis();
    let mut c = conn(&r);
    old_queue(&mut c, 2);
    let before = every_key(&mut c);
    let line = "rpq: queue 'jobs' has stored layout 2; this rpq reads layout 4: run `rpq migrate \
                --queue jobs` (docs/layout-v2.md)\n";
    let task = r#"{"id":"t9","type":"email","payload":{}}"#;
    for args in COMMANDS {
        refused(&r, args, &format!("{task}\n"), line);
        assert_eq!(every_key(&mut c), before, "rpq {args:?} changed the queue");
    }
    // `rpq migrate` moves it: tests/cli/migrate_from_2.rs.
}

#[test]
fn serve_refuses_a_queue_of_layout_1_with_the_same_line_and_changes_nothing() {
    let r = redis();
    let mut c = conn(&r);
    old_queue(&mut c, 1);
    let before = every_key(&mut c);
    let s = Serve::start(&r, &[]);
    let line = REFUSAL.trim_start_matches("rpq: ").trim_end();
    for reply in [
        s.get("/api/queues/jobs"),
        s.get("/api/queues/jobs/tasks?state=waiting"),
        s.get("/api/queues/jobs/tasks/t1"),
        s.post(
            "/api/queues/jobs/tasks",
            &json!({"id": "t9", "type": "email", "priority": "high", "payload": {}}),
        ),
        s.post("/api/queues/jobs/claim", &json!({})),
        s.post("/api/queues/jobs/clear", &json!({})),
        s.post("/api/queues/jobs/dead/retry", &json!({"all": true})),
    ] {
        let reply = reply.expect(409);
        assert_eq!(reply.json()["error"], line);
        assert_eq!(every_key(&mut c), before);
    }
    // The overview of every queue leaves it out, and goes on showing the others.
    let all = s.get("/api/queues").expect(200).json();
    assert_eq!(all["queues"], json!([]));
    assert_eq!(every_key(&mut c), before);
}

#[test]
fn a_layout_from_a_newer_rpq_is_refused_with_the_other_way_out() {
    let r = redis();
    let mut c = conn(&r);
    let _: () = redis::cmd("HSET")
        .arg(meta("jobs"))
        .arg("shards")
        .arg(1)
        .arg("layout")
        .arg(5)
        .query(&mut c)
        .unwrap();
    rpq(&r)
        .args(["--queue", "jobs", "len"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            "rpq: queue 'jobs' has stored layout 5; this rpq reads layout 4: use an rpq that \
             reads layout 5\n",
        );
    // A queue this rpq makes says its layout, on the queue and on each shard.
    rpq(&r)
        .args(["--queue", "new", "--shards", "2", "produce", "--type", "x"])
        .args(["--count", "20", "--interval", "0"])
        .assert()
        .success();
    let layout: String = redis::cmd("HGET")
        .arg(meta("new"))
        .arg("layout")
        .query(&mut c)
        .unwrap();
    assert_eq!(layout, "4");
    for shard in 0..2 {
        let note: String = redis::cmd("HGET")
            .arg(Keys::new("new", shard).stats())
            .arg("layout")
            .query(&mut c)
            .unwrap();
        assert!(note.starts_with("4: "), "{note}");
    }
    // Layout 4 keeps layout 3's keys: only the records' values changed (the head).
    assert!(predicate::str::starts_with("rpq:{new}:3:").eval(Keys::new("new", 0).pending()));
}

/// The keys of this layout of queue `jobs` (one shard) and its `meta`, with their DUMP: what
/// the scripts of a push or a claim may write.
fn stored(c: &mut redis::Connection) -> Vec<(String, Vec<u8>)> {
    every_key(c)
        .into_iter()
        .filter(|(k, _)| k.starts_with("rpq:{jobs}:3:") || *k == meta("jobs"))
        .collect()
}

#[test]
fn a_running_consumer_and_producer_refuse_a_queue_moved_to_another_layout_and_change_nothing() {
    let r = redis();
    let mut c = conn(&r);
    let shard = Keys::new("jobs", 0);
    rpq(&r)
        .args([
            "--queue",
            "jobs",
            "produce",
            "--type",
            "x",
            "--count",
            "2",
            "--interval",
            "0",
        ])
        .assert()
        .success();
    // The consumer holds its first task until told to finish it: its next claim carries the ack.
    // Its stdout is a file: to a pipe it would first mark the lease delivered (issue 19), a
    // write of the lease's own, like an ack, which is not refused (docs/layout-v2.md).
    let handler = r#"touch "$DIR/took"
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let out = std::fs::File::create(r.dir().join("consumed")).unwrap();
    let consumer = Proc::spawn(
        process(&r)
            .args([
                "--queue", "jobs", "consume", "--lease", "5m", "--exec", handler,
            ])
            .env("DIR", r.dir())
            .stdout(out),
    );
    let mut producer = Proc::spawn(
        process(&r)
            .args(["--queue", "jobs", "produce", "--stdin"])
            .stdin(Stdio::piped()),
    );
    let mut input = producer.stdin();
    writeln!(
        input,
        r#"{{"id":"p1","type":"x","priority":"medium","payload":1}}"#
    )
    .unwrap();
    wait_until(
        Duration::from_secs(30),
        "a task taken and one pushed",
        || r.dir().join("took").exists() && zcard(&mut c, shard.pending()) == 2,
    );
    // Another process moves the queue to layout 5, as a migration to it would mark it: `meta`
    // and the shard's checks, which every push and claim reads.
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(meta("jobs"))
        .arg("layout")
        .arg(5)
        .cmd("HSET")
        .arg(shard.stats())
        .arg("checks")
        .arg(retired_checks(5))
        .query(&mut c)
        .unwrap();
    let before = stored(&mut c);
    let line = "rpq: queue 'jobs' has stored layout 5; this rpq reads layout 4: use an rpq that \
                reads layout 5\n";
    writeln!(
        input,
        r#"{{"id":"p2","type":"x","priority":"medium","payload":2}}"#
    )
    .unwrap();
    std::fs::write(r.dir().join("go"), "").unwrap();
    let producer = producer.end(Duration::from_secs(30));
    assert_eq!(producer.status.code(), Some(1), "{producer:?}");
    // The producer's one line says what was queued before, as for any failed push.
    assert_eq!(
        producer.stderr,
        format!(
            "rpq: 1 task queued; line 2 and the lines after it were not: {}",
            line.trim_start_matches("rpq: ")
        )
    );
    let consumer = consumer.end(Duration::from_secs(30));
    assert_eq!(consumer.status.code(), Some(1), "{consumer:?}");
    assert_eq!(consumer.stderr, line);
    // Its ack rode on the refused claim: the task is still in flight, the other still waits.
    let after = stored(&mut c);
    let changed: Vec<&String> = after
        .iter()
        .chain(&before)
        .filter(|kv| !before.contains(kv) || !after.contains(kv))
        .map(|(k, _)| k)
        .collect();
    let shown = |kv: &Vec<(String, Vec<u8>)>| {
        kv.iter()
            .filter(|(k, _)| changed.contains(&k))
            .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v)))
            .collect::<Vec<_>>()
    };
    assert!(
        changed.is_empty(),
        "changed: {changed:?}\nbefore: {:?}\nafter: {:?}",
        shown(&before),
        shown(&after)
    );
    assert_eq!(zcard(&mut c, shard.inflight()), 1);
}
