//! Queue hygiene (issue 21): only a push or a setting creates a queue, so a consumer on a typo
//! leaves nothing; `queues remove` deletes a queue, every key of it; `clear` cancels the tasks
//! in flight (their handlers stop, reported `cancelled`) and `clear --all` drops the history.

use crate::pty::{rpq_command, On, Pty};
use crate::support::*;
use rpq::server::RedisServer;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Every key on the server, sorted.
fn all_keys(r: &RedisServer) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut conn(r)).unwrap();
    keys.sort();
    keys
}

fn keys_of(r: &RedisServer, queue: &str) -> Vec<String> {
    all_keys(r)
        .into_iter()
        .filter(|k| {
            k.starts_with(&format!("rpq:{{{queue}}}")) || k.starts_with(&format!("rpq:{{{queue}#"))
        })
        .collect()
}

fn queue_names(r: &RedisServer) -> Vec<String> {
    json_lines(rpq(r).args(["--json", "queues"]))
        .iter()
        .map(|q| q["queue"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_consumer_on_a_new_name_leaves_nothing_behind() {
    let r = redis();
    for args in [
        &["consume", "--drain"][..],
        &["consume", "--drain", "-j", "2", "--exec", "true"],
        &["consume", "--drain", "--prefetch", "8"],
        &["--json", "consume", "--count", "1", "--drain"],
    ] {
        rpq(&r)
            .args(["--queue", "typo"])
            .args(args)
            .assert()
            .success();
    }
    // And one that waits a while (a few claims and heartbeats) before it is stopped.
    let base = calls(&mut conn(&r), &["blpop"]);
    let waiting = Proc::start(&r, &["--queue", "typo", "consume", "--exec", "true"]);
    wait_until(Duration::from_secs(10), "the consumer to wait", || {
        calls(&mut conn(&r), &["blpop"]) >= base + 2
    });
    waiting.signal(libc::SIGTERM);
    assert!(waiting.end(Duration::from_secs(10)).status.success());
    for cmd in [
        &["len"][..],
        &["peek"],
        &["stats"],
        &["list", "--state", "waiting"],
    ] {
        rpq(&r)
            .args(["--queue", "typo"])
            .args(cmd)
            .assert()
            .success();
    }
    assert_eq!(all_keys(&r), Vec::<String>::new());
    assert_eq!(queue_names(&r), Vec::<String>::new());
    // A push creates it; a consumer started before it takes the task.
    let base = calls(&mut conn(&r), &["blpop"]);
    let early = Proc::start(
        &r,
        &["--queue", "late", "--json", "consume", "--count", "1"],
    );
    wait_until(Duration::from_secs(10), "the consumer to wait", || {
        calls(&mut conn(&r), &["blpop"]) > base
    });
    rpq(&r)
        .args(["--queue", "late", "produce", "--type", "t"])
        .assert()
        .success();
    let out = early.end(Duration::from_secs(20));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(ndjson(&out.stdout)[0]["outcome"], "done");
    assert_eq!(queue_names(&r), ["late"]);
}

/// A queue with something of everything: waiting, dead, scheduled, a kept result, totals, a
/// setting and a schedule.
fn populated(r: &RedisServer, queue: &str, shards: &str) {
    let q = |args: &[&str]| {
        rpq(r)
            .args(["--queue", queue, "--shards", shards])
            .args(args)
            .assert()
            .success();
    };
    q(&[
        "produce",
        "--type",
        "r",
        "--id",
        "kept-1",
        "--keep-result",
        "1h",
    ]);
    q(&["consume", "--count", "1", "--exec", "echo done"]);
    q(&["produce", "--type", "d", "--id", "dead-1"]);
    q(&[
        "consume",
        "--count",
        "1",
        "--max-attempts",
        "1",
        "--exec",
        "exit 1",
    ]);
    q(&["produce", "--type", "w", "--count", "5"]);
    q(&["produce", "--type", "s", "--in", "1h"]);
    q(&["aging", "30s"]);
    q(&["schedule", "add", "nightly", "--every", "1d", "--type", "n"]);
}

#[test]
fn queues_remove_deletes_every_key_and_waits_for_its_consumers() {
    let r = redis();
    populated(&r, "old", "1");
    populated(&r, "other", "1");
    let others = keys_of(&r, "other");
    // A consumer on it: refused, nothing removed.
    let c = Proc::start(&r, &["--queue", "old", "consume", "--exec", "sleep 60"]);
    wait_in_flight(&mut conn(&r), "old", 1);
    let before = keys_of(&r, "old");
    let out = rpq(&r)
        .args(["queues", "remove", "old", "--yes"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("consumers are on queue 'old'") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(keys_of(&r, "old"), before);
    // --force: every key goes, and it says what.
    let removed = json_lines(rpq(&r).args(["--json", "queues", "remove", "old", "--force"]));
    assert_eq!(removed.len(), 1);
    let v = &removed[0];
    assert_eq!(v["queue"], "old");
    assert_eq!(
        (&v["waiting"], &v["dead"], &v["scheduled"], &v["results"]),
        (
            &Value::from(4),
            &Value::from(1),
            &Value::from(1),
            &Value::from(1)
        ),
        "{v}"
    );
    assert_eq!(v["in_flight"], 1);
    assert_eq!(v["keys"].as_u64().unwrap() as usize, before.len());
    assert_eq!(keys_of(&r, "old"), Vec::<String>::new());
    assert_eq!(queue_names(&r), ["other"]);
    assert_eq!(keys_of(&r, "other"), others);
    c.signal(libc::SIGKILL);
    drop(c);
    // Gone is gone: a second remove says so.
    let out = rpq(&r).args(["queues", "remove", "old"]).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("queue 'old' does not exist"), "{err}");
    // A sharded queue: every shard's keys.
    populated(&r, "wide", "3");
    assert!(keys_of(&r, "wide")
        .iter()
        .any(|k| k.starts_with("rpq:{wide#2}")));
    rpq(&r)
        .args(["queues", "remove", "wide", "--force"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Removed queue 'wide'"));
    assert_eq!(keys_of(&r, "wide"), Vec::<String>::new());
}

#[test]
fn queues_remove_asks_on_a_terminal() {
    let r = redis();
    populated(&r, "asked", "1");
    let before = keys_of(&r, "asked");
    let ask = |answer: &str| {
        let mut cmd = rpq_command(&r.url());
        // --force: the consumers that made it are seen for a minute.
        cmd.args(["queues", "remove", "asked", "--force"]);
        let mut t = Pty::spawn(cmd, On::ALL);
        t.wait_for("Delete queue 'asked' for good (5 waiting");
        t.type_line(answer);
        let (end, screen) = t.finish(Duration::from_secs(20));
        assert!(end.status.success(), "{screen}");
        screen
    };
    ask("n");
    assert_eq!(keys_of(&r, "asked"), before);
    let screen = ask("y");
    assert!(screen.contains("Removed queue 'asked'"), "{screen}");
    assert_eq!(keys_of(&r, "asked"), Vec::<String>::new());
}

#[test]
fn clear_stops_a_running_handler_and_reports_it_cancelled() {
    let r = redis();
    let pid_file = r.dir().join("handler.pid");
    push_one(&r, "slow", "long-1");
    let consumer = Proc::spawn(process(&r).env("PID_FILE", &pid_file).args([
        "--json",
        "consume",
        "--exec",
        "echo $$ > \"$PID_FILE\"; exec sleep 60",
    ]));
    wait_in_flight(&mut conn(&r), "default", 1);
    wait_until(Duration::from_secs(10), "the handler to start", || {
        std::fs::read_to_string(&pid_file).is_ok_and(|s| s.ends_with('\n'))
    });
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let cleared = json_lines(rpq(&r).args(["--json", "clear", "--yes"]));
    let started = Instant::now();
    assert_eq!(cleared[0]["in_flight"], 1);
    wait_until(Duration::from_secs(10), "the cancelled line", || {
        !consumer.stdout_lines().is_empty()
    });
    let took = started.elapsed();
    let line: Value = serde_json::from_str(&consumer.stdout_lines()[0]).unwrap();
    assert_eq!(
        (&line["id"], &line["outcome"]),
        (&Value::from("long-1"), &Value::from("cancelled"))
    );
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    // SAFETY: kill with signal 0 only asks whether the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!alive, "the handler {pid} still runs");
    let kept: Vec<&str> = cleared[0]["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        kept,
        ["results", "totals", "consumers", "settings", "schedules"]
    );
    assert_eq!(in_flight(&mut conn(&r), "default"), 0);
    consumer.signal(libc::SIGTERM);
    let out = consumer.end(Duration::from_secs(10));
    assert!(out.status.success(), "{out:?}");
    assert!(!out.stderr.contains("lost"), "{out:?}");
}

#[test]
fn clear_all_drops_results_totals_and_consumers() {
    let r = redis();
    populated(&r, "default", "1");
    let stat = |field: &str| json_lines(rpq(&r).args(["--json", "stats"]))[0][field].clone();
    // Plain clear: the tasks go, the history stays.
    rpq(&r).args(["clear", "--yes"]).assert().success();
    assert_eq!(stat("pushed"), 8);
    assert_eq!(stat("consumers").as_array().unwrap().len(), 2);
    rpq(&r).args(["result", "kept-1"]).assert().success();
    // --all: the results, totals and consumers too; the settings and schedules stay.
    let out = json_lines(rpq(&r).args(["--json", "clear", "--all", "--yes"]));
    assert_eq!(out[0]["results"], 1);
    assert_eq!(out[0]["kept"], serde_json::json!(["settings", "schedules"]));
    assert_eq!(stat("pushed"), 0);
    assert_eq!(stat("done"), 0);
    assert_eq!(stat("consumers"), serde_json::json!([]));
    assert_eq!(stat("aging_ms"), 30_000);
    rpq(&r).args(["result", "kept-1"]).assert().code(1);
    let schedules = json_lines(rpq(&r).args(["--json", "schedule", "list"]));
    assert_eq!(schedules.len(), 1);
    assert_eq!(queue_names(&r), ["default"]);
    let human = rpq(&r).args(["clear", "--all", "--yes"]).assert().success();
    let text = String::from_utf8_lossy(&human.get_output().stdout).to_string();
    assert!(
        text.contains("0 kept results; kept: settings, schedules"),
        "{text}"
    );
}

/// `queues remove` while a producer runs: the producer's next push finds the queue gone and
/// stores its settings again, so the tasks it goes on pushing are in a queue that is listed and
/// that consumers drain, not stranded under keys no command looks at.
#[test]
fn a_producer_that_outlives_queues_remove_makes_the_queue_again() {
    let r = redis();
    let producer = Proc::start(
        &r,
        &[
            "--queue",
            "live",
            "produce",
            "--type",
            "t",
            "--interval",
            "20ms",
            "--count",
            "150",
        ],
    );
    wait_until(Duration::from_secs(20), "some tasks pushed", || {
        queue_names(&r).contains(&"live".to_string())
    });
    rpq(&r)
        .args(["queues", "remove", "live", "--force", "--yes"])
        .assert()
        .success();
    let out = producer.end(Duration::from_secs(60));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(queue_names(&r), ["live"]);
    let waiting: usize = String::from_utf8_lossy(
        &rpq(&r)
            .args(["--queue", "live", "len"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .trim()
    .parse()
    .unwrap();
    assert!(waiting > 0, "nothing pushed after the remove");
    let drained = json_lines(rpq(&r).args(["--queue", "live", "--json", "consume", "--drain"]));
    assert_eq!(drained.len(), waiting);
    rpq(&r)
        .args(["--queue", "live", "len"])
        .assert()
        .success()
        .stdout("0\n");
}
