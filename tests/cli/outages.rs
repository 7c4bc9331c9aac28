//! Outages longer than a lease and than the read timeout, and what the server itself can lose:
//! a consumer behind a blackholed link, a server frozen past the read timeout, an evicting
//! server, a restart that came back with less. The history is checked by the outcome lines:
//! exactly one `done` per task, no healthy task dead, and rpq says what the server lost.

use crate::proxy::{Fault, Proxy};
use crate::support::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Each task's `done` lines over the output of several consumers.
fn done_lines(outputs: &[Ended]) -> HashMap<String, usize> {
    let mut done = HashMap::new();
    for e in outputs {
        count_done(&mut done, &ndjson(&e.stdout));
    }
    done
}

#[test]
fn a_consumer_cut_off_past_its_lease_does_not_report_done_what_another_finished() {
    let r = redis();
    let p = Proxy::start(&r);
    push_one(&r, "t", "job");
    let go = r.dir().join("go");
    // The first run waits for `go` (at most 10 s); the run after it finishes at once.
    let handler = r#"[ "$RPQ_TASK_ATTEMPT" = 1 ] || exit 0
        i=0; while [ ! -e "$GO" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let args = |name: &'static str| {
        [
            "--json", "consume", "--name", name, "--lease", "1s", "--exec", handler,
        ]
    };
    let a = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(p.url())
            .args(args("a"))
            .env("GO", &go),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, "default", 1);
    // A is cut off while its handler runs; the handler ends, and A's ack waits in the
    // blackhole while A's lease runs out.
    p.set(Fault::Blackhole);
    std::fs::write(&go, "").unwrap();
    let b = Proc::spawn(
        process(&r)
            .args(args("b"))
            .args(["--count", "1"])
            .env("GO", &go),
    );
    let b = b.end(Duration::from_secs(30));
    assert!(b.status.success(), "{b:?}");
    let line = ndjson(&b.stdout).remove(0);
    assert_eq!(
        (&line["outcome"], &line["attempt"]),
        (&json!("done"), &json!(2))
    );
    // Past the lease and as good as past the read timeout: A's connections are cut (what waited
    // in them is lost) and the link comes back, so A reconnects and sends its ack again.
    p.set(Fault::Pass);
    p.cut();
    wait_until(Duration::from_secs(30), "A to report the task", || {
        !a.stdout_lines().is_empty()
    });
    a.signal(libc::SIGTERM);
    let a = a.end(Duration::from_secs(30));
    assert!(a.status.success(), "{a:?}");
    let lines = ndjson(&a.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (&lines[0]["id"], &lines[0]["outcome"]),
        (&json!("job"), &json!("lost")),
        "A reported a task that B finished"
    );
    assert!(a.stderr.contains("reconnected"), "{}", a.stderr);
    assert_eq!(stat(&mut c, "default", "done"), 1);
}

#[test]
fn an_ack_resent_after_a_cut_is_still_its_own() {
    let r = redis();
    let p = Proxy::start(&r);
    push_one(&r, "t", "job");
    let go = r.dir().join("go");
    let handler =
        r#"i=0; while [ ! -e "$GO" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let a = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(p.url())
            .args(["--json", "consume", "--lease", "30s", "--exec", handler])
            .env("GO", &go),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, "default", 1);
    // The ack reaches the server but its reply does not: the cut comes after the ack landed.
    // On this link every reply is 1.5 s late (a call lands at once: the cut has those 1.5 s
    // to come in), and the ack comes after two round trips: stdout is a pipe, so the line
    // goes first and the lease is made sure of before it (issue 19).
    p.set(Fault::DelayReplies(Duration::from_millis(1500)));
    std::fs::write(&go, "").unwrap();
    wait_until(Duration::from_secs(30), "the ack to land", || {
        stat(&mut c, "default", "done") == 1
    });
    p.set(Fault::Pass);
    p.cut();
    wait_until(Duration::from_secs(30), "the consumer to report", || {
        !a.stdout_lines().is_empty()
    });
    a.signal(libc::SIGTERM);
    let a = a.end(Duration::from_secs(30));
    assert!(a.status.success(), "{a:?}");
    let lines = ndjson(&a.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["outcome"], "done", "{a:?}");
    assert_eq!(stat(&mut c, "default", "done"), 1);
}

#[test]
fn a_late_refusal_for_an_old_claim_does_not_cost_a_new_claim_of_the_same_task() {
    let r = redis();
    let p = Proxy::start(&r);
    push_one(&r, "t", "x");
    let (go1, go2) = (r.dir().join("go1"), r.dir().join("go2"));
    // The first run waits for go1, the second for go2 (10 s at most each).
    let handler = r#"f="$GO1"; [ "$RPQ_TASK_ATTEMPT" = 1 ] || f="$GO2"
        i=0; while [ ! -e "$f" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let c = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(p.url())
            .args([
                "--json", "consume", "--name", "c", "--lease", "1s", "--exec", handler,
            ])
            .env("GO1", &go1)
            .env("GO2", &go2),
    );
    let mut conn = conn(&r);
    let k = Keys::new("default", 0);
    wait_in_flight(&mut conn, "default", 1);
    // Link 0 is consume's look at whether the queue exists (closed at once), link 1 the
    // consumer's own, link 2 its report's (issue 28, opened as it starts), link 3 its
    // heartbeat's (opened at the first beat).
    wait_until(Duration::from_secs(10), "the heartbeat to connect", || {
        p.links() >= 4
    });
    let heartbeat = 3;
    // The heartbeat is cut off: its next extension waits in the blackhole, the lease runs out.
    p.set_link(heartbeat, Fault::Blackhole);
    wait_until(Duration::from_secs(10), "the lease to expire", || {
        let first: Vec<(String, i64)> = redis::cmd("ZRANGE")
            .arg(k.inflight())
            .arg(0)
            .arg(0)
            .arg("WITHSCORES")
            .query(&mut conn)
            .unwrap();
        first
            .first()
            .is_some_and(|(_, at)| server_ms(&mut conn) > *at)
    });
    // Another consumer recovers the lease and takes a better task: x waits first in line.
    rpq(&r)
        .args(["produce", "--type", "t", "--priority", "high", "--id", "y"])
        .assert()
        .success();
    let b = json_lines(rpq(&r).args(["--json", "consume", "--name", "b", "--count", "1"]));
    assert_eq!(
        (&b[0]["id"], &b[0]["outcome"]),
        (&json!("y"), &json!("done"))
    );
    // The first run ends; its ack finds the lease gone, and the next claim takes x again.
    std::fs::write(&go1, "").unwrap();
    let attempt = |conn: &mut redis::Connection| -> Option<String> {
        claims(conn, "default")
            .get("x")
            .and_then(|c| c.split('|').nth(2).map(String::from))
    };
    wait_until(Duration::from_secs(10), "x to be claimed again", || {
        attempt(&mut conn).as_deref() == Some("2")
    });
    // The old claim's extension goes through now and is refused: late, and about that claim.
    let answered = p.to_client(heartbeat);
    p.set_link(heartbeat, Fault::Pass);
    wait_until(
        Duration::from_secs(10),
        "the late refusal to reach the heartbeat",
        || p.to_client(heartbeat) > answered,
    );
    std::fs::write(&go2, "").unwrap();
    wait_until(
        Duration::from_secs(10),
        "the second run to be reported",
        || c.stdout_lines().len() >= 2,
    );
    c.signal(libc::SIGTERM);
    let c = c.end(Duration::from_secs(30));
    assert!(c.status.success(), "{c:?}");
    let lines: Vec<(Value, Value)> = ndjson(&c.stdout)
        .iter()
        .map(|l| (l["outcome"].clone(), l["attempt"].clone()))
        .collect();
    assert_eq!(
        lines,
        [(json!("lost"), json!(1)), (json!("done"), json!(2))],
        "{c:?}"
    );
    assert_eq!(stat(&mut conn, "default", "done"), 2);
    assert_eq!(in_flight(&mut conn, "default"), 0);
}

#[test]
fn a_server_frozen_past_the_read_timeout_sends_no_healthy_task_to_the_dead_set() {
    const TASKS: usize = 30;
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(TASKS)));
    let consumers: Vec<Proc> = (0..3)
        .map(|i| {
            Proc::start(
                &r,
                &[
                    "--json",
                    "consume",
                    "--name",
                    &format!("c{i}"),
                    "--lease",
                    "2s",
                    "--max-attempts",
                    "3",
                    "--exec",
                    "sleep 1",
                ],
            )
        })
        .collect();
    let mut c = conn(&r);
    // Frozen with a task in each consumer's hands, its handler running.
    wait_until(Duration::from_secs(30), "some tasks to be done", || {
        stat(&mut c, "default", "done") >= 10
    });
    let pid = r.pid().unwrap() as i32;
    // SAFETY: kill(2) on the redis-server this test started and still owns.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    // The freeze's length is the fault itself (past the 10 s read timeout), not a wait.
    std::thread::sleep(Duration::from_secs(12));
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let began = Instant::now();
    wait_until(Duration::from_secs(90), "every task to be finished", || {
        let l: Value =
            serde_json::from_slice(&rpq(&r).args(["--json", "len"]).output().unwrap().stdout)
                .unwrap();
        l["waiting"] == 0 && l["in_flight"] == 0 && l["retrying"] == 0
    });
    let ended: Vec<Ended> = consumers
        .into_iter()
        .map(|p| {
            p.signal(libc::SIGTERM);
            p.end(Duration::from_secs(30))
        })
        .collect();
    for e in &ended {
        assert!(e.status.success(), "{e:?}");
    }
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    assert!(dead.is_empty(), "healthy tasks went dead: {dead:?}");
    let done = done_lines(&ended);
    assert_eq!(done.len(), TASKS, "every task reported done");
    let twice: Vec<_> = done.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "reported done twice: {twice:?}");
    assert_eq!(stat(&mut c, "default", "done"), TASKS as u64);
    let lost = ended
        .iter()
        .flat_map(|e| ndjson(&e.stdout))
        .filter(|l| l["outcome"] == "lost")
        .count();
    // Figures for the README, not assertions.
    eprintln!(
        "frozen 12 s: {TASKS} tasks done once each, {lost} lost leases reported, {} recovered, \
         drained {:.1?} after the thaw",
        stat(&mut c, "default", "recovered"),
        began.elapsed()
    );
}

#[test]
fn an_evicting_server_is_named_once_per_command_and_in_stats() {
    let r = rpq::server::RedisServer::start(&["--maxmemory-policy", "allkeys-lru"])
        .unwrap_or_else(|e| panic!("{e:#}"));
    let warned = |stderr: &[u8]| {
        let text = String::from_utf8_lossy(stderr).into_owned();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.starts_with("rpq: warning: redis at ")
                && text.contains("has maxmemory-policy allkeys-lru")
                && text.contains("set maxmemory-policy noeviction"),
            "{text}"
        );
    };
    let out = rpq(&r).args(["produce", "--type", "t"]).assert().success();
    warned(&out.get_output().stderr);
    // A consumer opens two connections (its heartbeat's too) and says it once.
    let out = rpq(&r)
        .args(["consume", "--drain", "--delay", "500ms", "--lease", "300ms"])
        .assert()
        .success();
    warned(&out.get_output().stderr);
    let out = rpq(&r).args(["--json", "stats"]).assert().success();
    warned(&out.get_output().stderr);
    let stats = ndjson(&out.get_output().stdout).remove(0);
    assert_eq!(stats["eviction_policy"], "allkeys-lru");
    let out = rpq(&r).arg("stats").assert().success();
    let shown = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        shown.contains("redis has maxmemory-policy allkeys-lru: it may delete queued tasks"),
        "{shown}"
    );

    // Policies that never touch keys without a TTL (all of rpq's) are not worth a word.
    for policy in ["noeviction", "volatile-lru"] {
        let r = rpq::server::RedisServer::start(&["--maxmemory-policy", policy])
            .unwrap_or_else(|e| panic!("{e:#}"));
        let out = rpq(&r)
            .args(["--json", "stats"])
            .assert()
            .success()
            .stderr("");
        assert_eq!(
            ndjson(&out.get_output().stdout)[0]["eviction_policy"],
            policy
        );
    }
}

#[test]
fn a_restart_that_came_back_with_less_is_said_once_and_shown_in_stats() {
    const TASKS: usize = 200;
    // No persistence at all: a restart comes back empty.
    let mut r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(TASKS)));
    let consumer = Proc::start(
        &r,
        &["--json", "consume", "--delay", "20ms", "--lease", "2s"],
    );
    let mut c = conn(&r);
    wait_until(Duration::from_secs(30), "some tasks to be done", || {
        stat(&mut c, "default", "done") >= 10
    });
    let done_before = stat(&mut c, "default", "done");
    r.kill();
    wait_until(Duration::from_secs(30), "the consumer to notice", || {
        consumer.stderr_has("lost the connection to redis")
    });
    r.restart().unwrap();
    wait_until(
        Duration::from_secs(30),
        "the consumer to say what was lost",
        || consumer.stderr_has("came back without writes it had confirmed"),
    );
    // The queue goes on with what there is: a new task is done.
    push_one(&r, "after", "after-1");
    wait_until(Duration::from_secs(30), "the new task to be done", || {
        consumer
            .stdout_lines()
            .iter()
            .any(|l| l.contains("after-1"))
    });
    consumer.signal(libc::SIGTERM);
    let e = consumer.end(Duration::from_secs(30));
    assert!(e.status.success(), "{e:?}");
    let said: Vec<&str> = e
        .stderr
        .lines()
        .filter(|l| l.contains("came back without"))
        .collect();
    assert_eq!(said.len(), 1, "{}", e.stderr);
    assert!(
        said[0].contains(&format!("{TASKS} push(es)")) && said[0].contains("appendfsync always"),
        "{}",
        said[0]
    );
    let stats = json_lines(rpq(&r).args(["--json", "stats"])).remove(0);
    let lost = &stats["lost"];
    assert_eq!(lost["pushes"], TASKS as u64, "{stats}");
    assert!(lost["acks"].as_u64().unwrap() >= done_before, "{stats}");
    assert!(lost["at"].is_string(), "{stats}");
    let shown =
        String::from_utf8_lossy(&rpq(&r).arg("stats").output().unwrap().stdout).into_owned();
    assert!(
        shown.contains("came back from a restart without 200 pushes"),
        "{shown}"
    );
}

/// A consumer and a producer's stream started while Redis does not answer (a service that
/// starts before its Redis) wait for it, say so once as a lost connection is said, and work
/// once it is up: the consumer takes a task the producer pushed. One-shot commands still fail
/// at once, in one line; and the consumer is not READY to systemd until it is connected.
#[test]
fn long_running_commands_wait_for_redis_at_start() {
    let port = rpq::server::free_port().unwrap();
    let url = format!("redis://127.0.0.1:{port}");
    let notify = NotifySocket::new();
    let consumer = Proc::spawn(
        std_command()
            .env("NOTIFY_SOCKET", &notify.path)
            .args(["--url", &url, "--json", "consume", "--count", "1"]),
    );
    let producer = Proc::spawn(std_command().args([
        "--url",
        &url,
        "--json",
        "produce",
        "--type",
        "boot",
        "--interval",
        "200ms",
    ]));
    wait_until(Duration::from_secs(30), "both to wait for redis", || {
        consumer.stderr_has("does not answer") && producer.stderr_has("does not answer")
    });
    for cmd in [&["len"][..], &["peek"], &["produce", "--type", "once"]] {
        let out = bare()
            .args(["--url", &url])
            .args(cmd)
            .timeout(Duration::from_secs(60))
            .assert()
            .code(1)
            .stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("connection refused"), "{cmd:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{cmd:?}: {err}");
    }
    assert!(
        notify.datagrams_for(Duration::from_millis(300)).is_empty(),
        "no READY before redis answers"
    );
    let r = rpq::server::RedisServer::start_on(port, &[]).unwrap_or_else(|e| panic!("{e:#}"));
    let out = consumer.end(Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    let done = ndjson(&out.stdout);
    assert_eq!(done.len(), 1, "{}", out.stderr);
    assert_eq!(
        (done[0]["type"].as_str(), done[0]["outcome"].as_str()),
        (Some("boot"), Some("done"))
    );
    assert!(out.stderr.contains("connected to redis"), "{}", out.stderr);
    assert_eq!(notify.recv(), "READY=1");
    producer.signal(libc::SIGTERM);
    let out = producer.end(Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    let printed = ndjson(&out.stdout).len() as u64;
    assert!(printed >= 1);
    assert_eq!(
        zcard(&mut conn(&r), Keys::new("default", 0).pending()) + 1,
        printed
    );
}

/// A signal while a long-running command waits for Redis at start is a graceful stop: exit 0
/// at once, nothing printed; a wrong password fails at once (no wait fixes it).
#[test]
fn a_signal_ends_the_wait_for_redis_at_start() {
    let port = rpq::server::free_port().unwrap();
    let url = format!("redis://127.0.0.1:{port}");
    for (args, sig) in [
        (&["consume"][..], libc::SIGTERM),
        (&["consume", "-j", "4"], libc::SIGINT),
        (&["produce"], libc::SIGINT),
        (
            &["produce", "--type", "t", "--interval", "1s"],
            libc::SIGTERM,
        ),
    ] {
        let p = Proc::spawn(std_command().args(["--url", &url]).args(args));
        wait_until(Duration::from_secs(30), "it to wait", || {
            p.stderr_has("does not answer")
        });
        p.signal(sig);
        let out = p.end(Duration::from_secs(30));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let r = redis();
    redis::cmd("CONFIG")
        .arg(&["SET", "requirepass", "right"])
        .query::<()>(&mut conn(&r))
        .unwrap();
    let wrong = r.url().replace("redis://", "redis://:wrong@");
    let out =
        Proc::spawn(std_command().args(["--url", &wrong, "consume"])).end(Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong"), "{}", out.stderr);
}

fn used_memory(c: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(c).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// Kept results have no TTL, so a `volatile-*` policy under memory pressure (keys with TTLs
/// filling a small maxmemory) evicts none of them: all 150 are still there and a re-push of a
/// kept id is refused as done (the "run once a day" recipe runs once). They count against
/// maxmemory as tasks do: once only rpq's keys fill it, a push with --keep-result fails loudly
/// (exit 1, out of memory) and every kept result is still there.
#[test]
fn kept_results_are_not_evicted_by_a_volatile_policy() {
    let r = rpq::server::RedisServer::start(&["--maxmemory-policy", "volatile-lru"])
        .unwrap_or_else(|e| panic!("{e:#}"));
    let mut c = conn(&r);
    let ids: Vec<String> = (0..150).map(|i| format!("daily-{i}")).collect();
    let task_lines: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"type":"report","priority":2,"id":"{id}","keep_result":"1h"}}"#))
        .collect();
    push_lines(&r, "default", &task_lines);
    rpq(&r)
        .args([
            "consume",
            "--drain",
            "--exec",
            "head -c 3000 /dev/zero | tr '\\0' x",
        ])
        .assert()
        .success();
    let k = Keys::new("default", 0);
    let exists = |c: &mut redis::Connection| -> usize {
        ids.iter()
            .filter(|id| {
                redis::cmd("EXISTS")
                    .arg(k.result(id))
                    .query::<i64>(c)
                    .unwrap()
                    == 1
            })
            .count()
    };
    assert_eq!(exists(&mut c), 150);
    // Memory pressure: keys with a TTL, twice the room there is.
    let room = 2 << 20;
    let max = used_memory(&mut c) + room;
    redis::cmd("CONFIG")
        .arg(&["SET", "maxmemory", &max.to_string()])
        .query::<()>(&mut c)
        .unwrap();
    let filler = "f".repeat(10_000);
    for i in 0..(2 * room / 10_000) {
        let _: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("filler:{i}"))
            .arg(&filler)
            .arg("PX")
            .arg(3_600_000)
            .query(&mut c);
    }
    let evicted = {
        let info: String = redis::cmd("INFO").arg("stats").query(&mut c).unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("evicted_keys:"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap()
    };
    assert!(evicted > 0, "no memory pressure: nothing was evicted");
    assert_eq!(exists(&mut c), 150, "kept results were evicted");
    let out = rpq(&r)
        .args(["--json", "produce", "--stdin"])
        .write_stdin(task_lines.join("\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(zcard(&mut c, k.pending()), 0, "a kept id was queued again");

    // Full of rpq's keys alone: nothing can be evicted, so a push is refused, in one line.
    redis::cmd("FLUSHDB").query::<()>(&mut c).unwrap();
    redis::cmd("CONFIG")
        .arg(&["SET", "maxmemory", "0"])
        .query::<()>(&mut c)
        .unwrap();
    push_lines(&r, "default", &task_lines);
    rpq(&r)
        .args([
            "consume",
            "--drain",
            "--exec",
            "head -c 3000 /dev/zero | tr '\\0' x",
        ])
        .assert()
        .success();
    let used = used_memory(&mut c);
    redis::cmd("CONFIG")
        .arg(&["SET", "maxmemory", &(used - 50_000).to_string()])
        .query::<()>(&mut c)
        .unwrap();
    let out = rpq(&r)
        .args([
            "produce",
            "--type",
            "report",
            "--id",
            "one-more",
            "--keep-result",
            "1h",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("out of memory"), "{err}");
    assert_eq!(
        exists(&mut c),
        150,
        "kept results were evicted to make room"
    );
}
