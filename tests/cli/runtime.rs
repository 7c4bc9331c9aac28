//! The consumer as a worker runtime (issue 11): `-j N` slots, `--exec`'s exit contract,
//! `--pipe` handlers kept running, per-task settings, kept results, `result` and
//! `produce --wait`. Real processes, a real redis-server; handlers are shell or Python.

use crate::support::*;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file in the server's directory with `text`, for a handler to run or to read.
fn file(r: &RedisServer, name: &str, text: &str) -> PathBuf {
    let p = r.dir().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The lines of a file a handler appends to (none while it does not exist).
fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// How many tasks of the default queue wait.
fn waiting(r: &RedisServer) -> u64 {
    let out = rpq(r)
        .arg("len")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8_lossy(&out).trim().parse().unwrap()
}

/// The done lines, each id once: panics on an id reported done twice.
fn done_once(lines: &[Value]) -> Vec<String> {
    let mut counts = HashMap::new();
    count_done(&mut counts, lines);
    assert!(counts.values().all(|n| *n == 1), "done twice: {counts:?}");
    let mut ids: Vec<String> = counts.into_keys().collect();
    ids.sort();
    ids
}

/// A handler that notes its task's id in `$LOG` and waits until `$GATE` exists.
const GATED: &str = r#"echo "$RPQ_TASK_ID" >> "$LOG"; while [ ! -e "$GATE" ]; do sleep 0.02; done"#;

/// A consumer of `-j 4` whose handlers note when they start and end: four run at once, and
/// each of eight tasks is done exactly once.
#[test]
fn four_slots_run_four_handlers_at_once_and_each_task_once() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(8)));
    let log = r.dir().join("spans");
    let out = Proc::spawn(
        process(&r)
            .args([
                "--json",
                "consume",
                "--drain",
                "-j",
                "4",
                "--exec",
                r#"s=$(date +%s%N); sleep 0.5; echo "$s $(date +%s%N)" >> "$LOG""#,
            ])
            .env("LOG", &log),
    )
    .end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(done_once(&ndjson(&out.stdout)).len(), 8);
    let spans: Vec<(u128, u128)> = lines_of(&log)
        .iter()
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    assert_eq!(spans.len(), 8);
    // Some four of them ran at the same moment: the fourth start came before the first end.
    let mut starts: Vec<u128> = spans.iter().map(|s| s.0).collect();
    let mut ends: Vec<u128> = spans.iter().map(|s| s.1).collect();
    starts.sort();
    ends.sort();
    assert!(starts[3] < ends[0], "not four at once: {spans:?}");
    // ... and never five.
    assert!(starts[4] >= ends[0], "five at once: {spans:?}");
}

/// A slot never starts a lower-priority task while a higher one waits unclaimed: the consumer
/// claims only for its free slots, so tasks pushed at high priority while two low ones run are
/// the next to start, before the low ones that waited longer.
#[test]
fn priority_order_holds_across_slots() {
    let r = redis();
    let low: Vec<String> = (0..4)
        .map(|i| json!({"type": "t", "priority": 3, "id": format!("low{i}")}).to_string())
        .collect();
    push_lines(&r, "default", &low);
    let (log, gate) = (r.dir().join("log"), r.dir().join("gate"));
    let c = Proc::spawn(
        process(&r)
            .args(["--json", "consume", "--drain", "-j", "2", "--exec", GATED])
            .env("LOG", &log)
            .env("GATE", &gate),
    );
    let mut k = conn(&r);
    wait_in_flight(&mut k, "default", 2);
    let high: Vec<String> = (0..2)
        .map(|i| json!({"type": "t", "priority": 1, "id": format!("high{i}")}).to_string())
        .collect();
    push_lines(&r, "default", &high);
    std::fs::write(&gate, "").unwrap();
    let out = c.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    assert_eq!(done_once(&lines).len(), 6);
    // By the claims' times (the server's clock, one claim after the other on one connection;
    // the handlers' own notes of their starts may come in any order).
    let claimed = |id: &str| time(&lines.iter().find(|l| l["id"] == id).unwrap()["claimed_at"]);
    let highs = claimed("high0").max(claimed("high1"));
    assert!(claimed("low0").max(claimed("low1")) < claimed("high0").min(claimed("high1")));
    assert!(
        highs <= claimed("low2").min(claimed("low3")),
        "a low task was claimed before a high one that waited: {lines:?}"
    );
}

/// The first SIGTERM finishes every task in hand (four) and acknowledges them; what was not
/// claimed stays waiting.
#[test]
fn sigterm_finishes_all_four_tasks_in_hand() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(6)));
    let (log, gate) = (r.dir().join("log"), r.dir().join("gate"));
    let c = Proc::spawn(
        process(&r)
            .args(["--json", "consume", "-j", "4", "--exec", GATED])
            .env("LOG", &log)
            .env("GATE", &gate),
    );
    let mut k = conn(&r);
    wait_in_flight(&mut k, "default", 4);
    c.signal(libc::SIGTERM);
    wait_until(Duration::from_secs(10), "rpq to say it is stopping", || {
        c.stderr_has("stopping")
    });
    std::fs::write(&gate, "").unwrap();
    let out = c.end(Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    assert_eq!(done_once(&ndjson(&out.stdout)).len(), 4);
    assert_eq!(waiting(&r), 2);
    assert_eq!(in_flight(&mut k, "default"), 0);
}

/// A second signal hands all four back at once, with no attempt counted, and stops their
/// handlers; exit 130.
#[test]
fn a_second_signal_hands_all_four_back() {
    let r = redis();
    let (c, pids) = four_sleeping_handlers(&r, &["--json"], &[]);
    c.signal(libc::SIGTERM);
    wait_until(Duration::from_secs(10), "rpq to say it is stopping", || {
        c.stderr_has("again")
    });
    c.signal(libc::SIGTERM);
    let out = c.end(Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(130), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    assert_eq!(lines.len(), 4);
    assert!(
        lines.iter().all(|l| l["outcome"] == "released"),
        "{lines:?}"
    );
    assert_eq!(waiting(&r), 4);
    let peek = json_lines(rpq(&r).args(["--json", "peek", "-n", "4"]));
    assert!(peek.iter().all(|t| t["attempt"] == 0), "{peek:?}");
    for pid in lines_of(&pids) {
        assert!(gone(pid.parse().unwrap()), "handler {pid} still runs");
    }
}

/// Four tasks in the hands of one consumer of four slots (`global` flags before `consume`,
/// `own` after it), each handler sleeping a minute and writing its pid to the file returned.
fn four_sleeping_handlers(r: &RedisServer, global: &[&str], own: &[&str]) -> (Proc, PathBuf) {
    push_lines(r, "default", &lines_with_ids(mixed(4)));
    let pids = r.dir().join("pids");
    let c = Proc::spawn(
        process(r)
            .args(global)
            .args(["consume", "-j", "4"])
            .args(own)
            .args(["--exec", r#"echo $$ >> "$PIDS"; exec sleep 60"#])
            .env("PIDS", &pids),
    );
    wait_in_flight(&mut conn(r), "default", 4);
    wait_until(Duration::from_secs(10), "four handlers", || {
        lines_of(&pids).len() == 4
    });
    (c, pids)
}

/// kill -9 of a consumer of four slots: its handlers die with it (the kernel's parent-death
/// signal, which the spawn keeps), and all four tasks come back once their leases run out.
#[test]
fn kill_9_brings_all_four_back_after_the_lease() {
    let r = redis();
    let (c, pids) = four_sleeping_handlers(&r, &[], &["--lease", "1s"]);
    c.signal(libc::SIGKILL);
    let ended = c.end(Duration::from_secs(30));
    assert_eq!(ended.status.code(), None);
    for pid in lines_of(&pids) {
        let pid: i32 = pid.parse().unwrap();
        wait_until(Duration::from_secs(10), "the handler to die", || gone(pid));
    }
    let out = rpq(&r)
        .args(["--json", "consume", "--count", "4"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    assert_eq!(done_once(&lines).len(), 4);
    assert!(lines.iter().all(|l| l["attempt"] == 2), "{lines:?}");
}

/// The exit contract of `--exec`: 0 done, 65 dead at once with the reason, anything else a
/// failed attempt retried with backoff.
#[test]
fn exit_65_is_dead_at_once_and_exit_3_is_retried() {
    let r = redis();
    push_one(&r, "bad", "b");
    push_one(&r, "flaky", "f");
    let out = rpq(&r)
        .args([
            "--json",
            "consume",
            "--count",
            "2",
            "--max-attempts",
            "3",
            "--exec",
            r#"if [ "$RPQ_TASK_TYPE" = bad ]; then echo "not a picture" >&2; exit 65; fi; exit 3"#,
        ])
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    let by = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(by("b")["outcome"], "dead");
    assert_eq!(by("b")["attempt"], 1);
    assert_eq!(by("b")["error"], "exit status 65: not a picture");
    assert_eq!(by("f")["outcome"], "retry");
    assert_eq!(by("f")["error"], "exit status 3");
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["error"], "exit status 65: not a picture");
}

/// Issue 19, item 11: a handler that passes a task's large payload as an argument is refused
/// by the kernel (E2BIG, the shell's exit 126). That is the task's failure, named with the way
/// out (stdin, `produce --stdin`), not a wrong --exec that stops the consumer.
#[test]
fn a_payload_too_long_for_an_argument_fails_its_task_and_names_stdin() {
    let r = redis();
    let big = json!({"type": "big", "priority": 1, "id": "big", "payload": "a".repeat(200_000)});
    let small = json!({"type": "small", "priority": 1, "id": "small", "payload": "a"});
    push_lines(&r, "default", &[big.to_string(), small.to_string()]);
    let out = rpq(&r)
        .args(["--json", "consume", "--drain", "--max-attempts", "1"])
        .args(["--exec", r#"/bin/echo "$(cat)" > /dev/null"#])
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    let by = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(by("small")["outcome"], "done");
    let big = by("big");
    assert_eq!(big["outcome"], "dead", "{big}");
    let error = big["error"].as_str().unwrap();
    assert!(
        error.starts_with("exit status 126: ")
            && error.contains("Argument list too long")
            && error.contains("rpq produce --stdin"),
        "{error}"
    );
}

/// A task's own --max-attempts and --exec-timeout (flags, or the fields of a --stdin line) win
/// over the consumer's.
#[test]
fn per_task_settings_win_over_the_consumers_flags() {
    let r = redis();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "once",
            "--id",
            "once",
            "--max-attempts",
            "1",
        ])
        .assert()
        .success();
    push_lines(
        &r,
        "default",
        &[
            json!({"type": "slow", "priority": 2, "id": "slow", "exec_timeout": "300ms"})
                .to_string(),
        ],
    );
    push_one(&r, "plain", "plain");
    let out = rpq(&r)
        .args([
            "--json",
            "consume",
            "--count",
            "3",
            "--max-attempts",
            "5",
            "--exec",
            r#"[ "$RPQ_TASK_TYPE" = slow ] && exec sleep 30; exit 1"#,
        ])
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    let by = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(by("once")["outcome"], "dead");
    assert_eq!(by("once")["max_attempts"], 1);
    assert_eq!(by("slow")["outcome"], "retry");
    assert_eq!(by("slow")["error"], "timed out after 300ms");
    assert_eq!(by("plain")["outcome"], "retry");
    // A task's settings are among its fields.
    let show = json_lines(rpq(&r).args(["--json", "show", "slow"]));
    assert_eq!(show[0]["exec_timeout_ms"], 300);
}

/// A Python handler that answers its tasks in pairs, the second first: answers are matched by
/// id, so each task gets its own result.
#[test]
fn a_pipe_handler_may_answer_out_of_order() {
    let r = redis();
    let py = file(
        &r,
        "pairs.py",
        r#"
import sys, json
held = []
for line in sys.stdin:
    held.append(json.loads(line))
    if len(held) == 2:
        for t in reversed(held):
            print(json.dumps({"id": t["id"], "ok": True, "result": "got " + t["id"]}), flush=True)
        held = []
"#,
    );
    let tasks: Vec<String> = (0..4)
        .map(|i| {
            json!({"type": "t", "priority": 2, "id": format!("t{i}"), "keep_result": "1h"})
                .to_string()
        })
        .collect();
    push_lines(&r, "default", &tasks);
    let out = rpq(&r)
        .args([
            "--json",
            "consume",
            "--drain",
            "--pipe-depth",
            "2",
            "--pipe",
        ])
        .arg(format!("python3 {}", py.display()))
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    assert_eq!(done_once(&ndjson(&out.get_output().stdout)).len(), 4);
    for i in 0..4 {
        rpq(&r)
            .args(["result", &format!("t{i}")])
            .assert()
            .success()
            .stdout(format!("got t{i}\n"));
    }
}

/// What a misbehaving `--pipe` handler costs: its tasks fail an attempt with the reason, and it
/// is started again. One that exits mid-task, one that prints garbage, one that hangs past
/// `--exec-timeout`: each misbehaves on its first task only (a marker file), so the second
/// attempt is done by the restarted handler.
#[test]
fn a_pipe_handler_that_dies_prints_garbage_or_hangs_fails_its_task_and_is_restarted() {
    let r = redis();
    // The timeout counts from when a task is written, so a task also waits out the start-up of
    // the Python that reads it, the restarted one's too: the case that hangs gets a timeout
    // shorter than its sleep but well past a start-up under load (500 ms was not: the second
    // attempt timed out as well, on a machine running the whole suite twice over).
    let cases = [
        (
            "dies",
            "print('boom', file=sys.stderr, flush=True); sys.exit(3)",
            "exited with status 3: boom",
            "20s",
        ),
        (
            "garbage",
            "print('hello there', flush=True)",
            "not an answer",
            "20s",
        ),
        ("hangs", "time.sleep(60)", "timed out after 5s", "5s"),
    ];
    for (name, misbehave, why, timeout) in cases {
        let queue = format!("pipe-{name}");
        let marker = r.dir().join(format!("{name}.marker"));
        let starts = r.dir().join(format!("{name}.starts"));
        let py = file(
            &r,
            &format!("{name}.py"),
            &format!(
                r#"
import sys, json, os, time
open(os.environ["STARTS"], "a").write("start\n")
for line in sys.stdin:
    t = json.loads(line)
    if not os.path.exists(os.environ["MARKER"]):
        open(os.environ["MARKER"], "w").close()
        {misbehave}
    print(json.dumps({{"id": t["id"], "ok": True}}), flush=True)
"#
            ),
        );
        push_lines(&r, &queue, &lines_with_ids([2]));
        let out = Proc::spawn(
            process(&r)
                .args([
                    "--queue",
                    &queue,
                    "--json",
                    "consume",
                    "--count",
                    "2",
                    "--backoff",
                    "100ms",
                    "--exec-timeout",
                    timeout,
                    "--pipe",
                ])
                .arg(format!("python3 {}", py.display()))
                .env("MARKER", &marker)
                .env("STARTS", &starts),
        )
        .end(Duration::from_secs(30));
        assert!(out.status.success(), "{name}: {}", out.stderr);
        let lines = ndjson(&out.stdout);
        assert_eq!(lines.len(), 2, "{name}: {lines:?}");
        assert_eq!(lines[0]["outcome"], "retry", "{name}");
        let error = lines[0]["error"].as_str().unwrap();
        assert!(error.contains(why), "{name}: {error}");
        assert_eq!(
            (&lines[1]["outcome"], &lines[1]["attempt"]),
            (&json!("done"), &json!(2)),
            "{name}"
        );
        assert!(lines_of(&starts).len() >= 2, "{name}: not restarted");
        assert!(
            out.stderr.contains("starting it again"),
            "{name}: {}",
            out.stderr
        );
    }
}

/// A handler that never reads its stdin cannot block the engine, even with a task larger than
/// the pipe holds: the task times out, and a signal is answered at once.
#[test]
fn a_pipe_handler_that_never_reads_stdin_does_not_block_the_consumer() {
    let r = redis();
    let big = "x".repeat(1 << 20);
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 2, "id": "big", "payload": big}).to_string()],
    );
    let c = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "--backoff",
            "1h",
            "--exec-timeout",
            "500ms",
            "--pipe",
            "exec sleep 60",
        ],
    );
    wait_until(Duration::from_secs(10), "the task to time out", || {
        !c.stdout_lines().is_empty()
    });
    c.signal(libc::SIGTERM);
    let out = c.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    assert_eq!(lines[0]["outcome"], "retry");
    assert_eq!(lines[0]["error"], "timed out after 500ms");
}

/// A task of 10 MB goes through a `--pipe` handler as one line.
#[test]
fn a_pipe_handler_gets_a_ten_megabyte_task() {
    let r = redis();
    let py = file(
        &r,
        "len.py",
        r#"
import sys, json
for line in sys.stdin:
    t = json.loads(line)
    print(json.dumps({"id": t["id"], "ok": True, "result": len(t["payload"])}), flush=True)
"#,
    );
    let payload = "y".repeat(10_000_000);
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 2, "id": "huge", "payload": payload, "keep_result": "1h"})
            .to_string()],
    );
    rpq(&r)
        .args(["consume", "--count", "1", "--pipe"])
        .arg(format!("python3 {}", py.display()))
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    rpq(&r)
        .args(["result", "huge"])
        .assert()
        .success()
        .stdout("10000000\n");
}

/// 10,000 tasks through one handler process, each done once.
#[test]
fn ten_thousand_tasks_go_through_one_pipe_handler_each_once() {
    let r = redis();
    let py = file(
        &r,
        "ok.py",
        r#"
import sys, json, os
open(os.environ["STARTS"], "a").write(str(os.getpid()) + "\n")
for line in sys.stdin:
    t = json.loads(line)
    sys.stdout.write(json.dumps({"id": t["id"], "ok": True}) + "\n")
    sys.stdout.flush()
"#,
    );
    let starts = r.dir().join("starts");
    rpq(&r)
        .args(["produce", "--type", "t", "--count", "10000"])
        .assert()
        .success();
    let out = Proc::spawn(
        process(&r)
            .args(["--json", "consume", "--drain", "--pipe"])
            .arg(format!("python3 {}", py.display()))
            .env("STARTS", &starts),
    )
    .end(Duration::from_secs(120));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(done_once(&ndjson(&out.stdout)).len(), 10_000);
    assert_eq!(lines_of(&starts).len(), 1, "one handler process");
    assert_eq!(waiting(&r), 0);
}

/// `"ok": false, "retry": false` is a `--pipe` handler's exit 65: dead at once.
#[test]
fn a_pipe_answer_without_retry_is_dead_at_once() {
    let r = redis();
    let py = file(
        &r,
        "no.py",
        r#"
import sys, json
for line in sys.stdin:
    t = json.loads(line)
    print(json.dumps({"id": t["id"], "ok": False, "error": "no such image", "retry": t["type"] != "bad"}), flush=True)
"#,
    );
    push_one(&r, "bad", "b");
    push_one(&r, "other", "o");
    let out = rpq(&r)
        .args(["--json", "consume", "--count", "2", "--pipe"])
        .arg(format!("python3 {}", py.display()))
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    let by = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(
        (&by("b")["outcome"], &by("b")["error"]),
        (&json!("dead"), &json!("no such image"))
    );
    assert_eq!(by("o")["outcome"], "retry");
}

/// A result is kept for its time and then expires by itself; meanwhile its id is refused at
/// push ("already done"), after it the id can be used again.
#[test]
fn results_are_kept_then_expire_and_free_their_id() {
    let r = redis();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "report",
            "--id",
            "daily",
            "--keep-result",
            "1s",
        ])
        .assert()
        .success();
    rpq(&r)
        .args(["consume", "--count", "1", "--exec", "echo made the report"])
        .assert()
        .success();
    rpq(&r)
        .args(["result", "daily"])
        .assert()
        .success()
        .stdout("made the report\n");
    let kept = json_lines(rpq(&r).args(["--json", "result", "daily"]));
    assert_eq!(
        (&kept[0]["outcome"], &kept[0]["result"]),
        (&json!("done"), &json!("made the report"))
    );
    rpq(&r)
        .args(["produce", "--type", "report", "--id", "daily"])
        .assert()
        .success()
        .stderr(predicates::str::contains("task daily is already done (at "));
    assert_eq!(waiting(&r), 0);
    // No TTL (a volatile-* policy would evict it: issue 19); its time is in the kept zset.
    let k = Keys::new("default", 0);
    let mut c = conn(&r);
    let ttl: i64 = redis::cmd("PTTL")
        .arg(k.result("daily"))
        .query(&mut c)
        .unwrap();
    assert_eq!(ttl, -1);
    let until: i64 = redis::cmd("ZSCORE")
        .arg(k.kept())
        .arg("daily")
        .query(&mut c)
        .unwrap();
    let left = until - server_ms(&mut c);
    assert!(left > 0 && left <= 1000, "{left}");
    wait_until(Duration::from_secs(5), "the result to expire", || {
        !rpq(&r)
            .args(["result", "daily"])
            .output()
            .unwrap()
            .status
            .success()
    });
    rpq(&r)
        .args(["produce", "--type", "report", "--id", "daily"])
        .assert()
        .success();
    assert_eq!(waiting(&r), 1);
}

/// A kept result is gone at its time by the server's clock, before anything removed it (every
/// read looks at its time); then a running consumer's next ack that keeps a result removes
/// it, and, with no result kept any more, a claim does: no TTL (issue 19), and no key left
/// behind. A result kept meanwhile stays.
#[test]
fn results_past_their_time_are_swept_by_acks_and_claims() {
    let r = redis();
    let k = Keys::new("default", 0);
    let mut c = conn(&r);
    let push = |id: &str, time: &str| {
        rpq(&r)
            .args(["produce", "--type", "t", "--id", id, "--keep-result", time])
            .assert()
            .success();
    };
    let has_result = |id: &str| {
        rpq(&r)
            .args(["result", id])
            .output()
            .unwrap()
            .status
            .success()
    };
    let exists = |c: &mut redis::Connection, id: &str| -> bool {
        redis::cmd("EXISTS")
            .arg(k.result(id))
            .query::<i64>(c)
            .unwrap()
            == 1
    };
    let until = |c: &mut redis::Connection, id: &str| -> i64 {
        redis::cmd("ZSCORE").arg(k.kept()).arg(id).query(c).unwrap()
    };
    // Two tasks, then it exits: the ack that keeps the second one's result is followed by the
    // removal of what that ack found past its time (unkeep.lua, a call after it): the removal
    // is over once the consumer is, where the second result alone may be read a moment before.
    let consumer = Proc::start(&r, &["consume", "--count", "2", "--exec", "echo out"]);
    push("short", "1s");
    wait_until(Duration::from_secs(30), "the result", || {
        has_result("short")
    });
    let t = until(&mut c, "short");
    wait_until(
        Duration::from_secs(10),
        "the server's clock to pass it",
        || server_ms(&mut c) > t,
    );
    assert!(!has_result("short"));
    push("long", "1h");
    assert!(consumer.end(Duration::from_secs(30)).status.success());
    assert!(has_result("long"));
    assert!(!exists(&mut c, "short"));
    assert_eq!(zcard(&mut c, &k.kept()), 1);

    push("later", "1s");
    rpq(&r)
        .args(["consume", "--count", "1", "--exec", "echo out"])
        .assert()
        .success();
    let t = until(&mut c, "later");
    wait_until(
        Duration::from_secs(10),
        "the server's clock to pass it",
        || server_ms(&mut c) > t,
    );
    rpq(&r).args(["consume", "--drain"]).assert().success();
    assert!(!exists(&mut c, "later"));
    assert_eq!(zcard(&mut c, &k.kept()), 1);
    rpq(&r)
        .args(["result", "long"])
        .assert()
        .success()
        .stdout("out\n");
}

/// `show` of a finished task whose result is kept: gone from the queue, it is told as done with
/// the start of its result (escaped, on one line), a purged dead one by its kept error; an id
/// with neither is still unknown (exit 1) whatever else is shown.
#[test]
fn show_tells_a_finished_task_by_its_kept_result() {
    let r = redis();
    for (id, kind) in [("made", "ok"), ("broke", "bad")] {
        rpq(&r)
            .args(["produce", "--type", kind, "--id", id, "--keep-result", "1h"])
            .assert()
            .success();
    }
    rpq(&r)
        .args(["consume", "--count", "2", "--exec"])
        .arg(r#"[ "$RPQ_TASK_TYPE" = bad ] && { echo no disk >&2; exit 65; }; printf 'line one\n\033[31mline two'"#)
        .assert()
        .success();
    rpq(&r).args(["dead", "purge", "--yes"]).assert().success();
    let out = rpq(&r)
        .args(["show", "made", "broke", "never"])
        .assert()
        .code(1)
        .stderr("rpq: no task 'never' in queue 'default'\n");
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("Task made:\n  - State: done"), "{text}");
    assert!(
        text.contains(r"  - Result: line one\n\x1b[31mline two"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "a control byte reached the terminal: {text}"
    );
    assert!(text.contains("Task broke:\n  - State: dead"), "{text}");
    assert!(
        text.contains("  - Error: exit status 65: no disk"),
        "{text}"
    );
}

/// `result` of an id with no result: exit 1, one line that says so, nothing on stdout.
#[test]
fn result_of_an_unknown_id_is_exit_1() {
    let r = redis();
    push_one(&r, "t", "waits");
    rpq(&r)
        .args(["result", "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::starts_with("rpq: no result for task nope"));
    rpq(&r)
        .args(["result", "waits"])
        .assert()
        .code(1)
        .stderr("rpq: task waits is not done yet; no result so far\n");
}

/// `produce --wait`: the shell's remote procedure call. Done: the handler's output on stdout,
/// exit 0. Dead: its error on stderr, exit 1. Not finished within --timeout: exit 124, the task
/// still queued.
#[test]
fn produce_wait_prints_the_result_or_says_dead_or_times_out() {
    let r = redis();
    create_queue(&r, "default");
    let c = Proc::start(
        &r,
        &[
            "consume",
            "--exec",
            r#"[ "$RPQ_TASK_TYPE" = bad ] && { echo "cannot resize" >&2; exit 65; }; printf 'resized %s' "$RPQ_TASK_TYPE""#,
        ],
    );
    let mut k = conn(&r);
    wait_consumers(&mut k, "default", 1);
    rpq(&r)
        .args([
            "produce",
            "--type",
            "img",
            "--payload",
            "a.png",
            "--wait",
            "--timeout",
            "20s",
        ])
        .assert()
        .success()
        .stdout("resized img");
    rpq(&r)
        .args(["produce", "--type", "bad", "--wait", "--timeout", "20s"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "is dead: exit status 65: cannot resize",
        ));
    c.signal(libc::SIGTERM);
    assert!(c.end(Duration::from_secs(10)).status.success());
    rpq(&r)
        .args(["produce", "--type", "img", "--wait", "--timeout", "300ms"])
        .assert()
        .code(124)
        .stdout("")
        .stderr(predicates::str::contains(
            "was not finished within 300ms; it stays queued",
        ));
    assert_eq!(waiting(&r), 1);
}

/// A producer that waits before any consumer runs gets its answer once one starts: the wait is
/// a blocking read on the task's result key, so it never misses the ack.
#[test]
fn produce_wait_gets_the_result_of_a_consumer_started_after_it() {
    let r = redis();
    let waiter = Proc::start(
        &r,
        &[
            "produce",
            "--type",
            "t",
            "--id",
            "rpc-1",
            "--payload",
            "ping",
            "--wait",
        ],
    );
    wait_until(Duration::from_secs(10), "the task to be queued", || {
        waiting(&r) == 1
    });
    rpq(&r)
        .args(["consume", "--count", "1", "--exec", "echo pong"])
        .assert()
        .success();
    let out = waiter.end(Duration::from_secs(10));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "pong\n");
}

/// With more than one slot the idle wait is the listener's, and a due time still ends it on
/// time: scheduled tasks are claimed within milliseconds of falling due (the waker's marker
/// reaches the listener's BLPOP), and each once.
#[test]
fn scheduled_tasks_come_due_on_time_under_consumers_of_three_slots() {
    let r = redis();
    let at = crate::time::At::server(&r, "due-j", None);
    crate::time::scheduled_tasks_come_due_to(&at, 120, 2000, 2, 250, &["-j", "3"]);
}

/// `rpq cancel` of one of two tasks in hand stops its handler alone; the other is done.
#[test]
fn a_cancel_stops_one_slots_handler_and_the_other_goes_on() {
    let r = redis();
    push_one(&r, "t", "keep");
    push_one(&r, "t", "drop");
    let (log, gate) = (r.dir().join("log"), r.dir().join("gate"));
    let c = Proc::spawn(
        process(&r)
            .args(["--json", "consume", "--drain", "-j", "2", "--exec", GATED])
            .env("LOG", &log)
            .env("GATE", &gate),
    );
    let mut k = conn(&r);
    wait_in_flight(&mut k, "default", 2);
    rpq(&r).args(["cancel", "drop"]).assert().success();
    wait_until(Duration::from_secs(10), "the cancel to be reported", || {
        c.stdout_lines().iter().any(|l| l.contains("cancelled"))
    });
    std::fs::write(&gate, "").unwrap();
    let out = c.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    let by = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap()["outcome"].clone();
    assert_eq!(
        (by("drop"), by("keep")),
        (json!("cancelled"), json!("done"))
    );
}

/// A cancel of a task a `--pipe` handler holds stops that handler (it may be stuck on it):
/// the task is reported cancelled, the handler started again, and the next task done by it.
#[test]
fn a_cancel_of_a_pipe_task_restarts_its_handler() {
    let r = redis();
    let py = file(
        &r,
        "stuck.py",
        r#"
import sys, json, time
for line in sys.stdin:
    t = json.loads(line)
    if t["id"] == "stuck":
        time.sleep(60)
    print(json.dumps({"id": t["id"], "ok": True}), flush=True)
"#,
    );
    push_one(&r, "t", "stuck");
    let c = Proc::spawn(
        process(&r)
            // The cancelled task and the next (issue 19: --count counts every task taken).
            .args(["--json", "consume", "--count", "2", "--pipe"])
            .arg(format!("python3 {}", py.display())),
    );
    let mut k = conn(&r);
    wait_in_flight(&mut k, "default", 1);
    rpq(&r).args(["cancel", "stuck"]).assert().success();
    wait_until(Duration::from_secs(10), "the cancel to be reported", || {
        !c.stdout_lines().is_empty()
    });
    push_one(&r, "t", "next");
    let out = c.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    assert_eq!(
        (&lines[0]["id"], &lines[0]["outcome"]),
        (&json!("stuck"), &json!("cancelled"))
    );
    assert_eq!(
        (&lines[1]["id"], &lines[1]["outcome"]),
        (&json!("next"), &json!("done"))
    );
}

/// The README's remote-procedure-call recipe, as written: the answer when the worker does the
/// task, and the failure branch with its exit status when it is dead.
#[test]
fn the_readme_rpc_recipe_works_as_written() {
    let readme = include_str!("../../docs/recipes.md");
    let recipe = readme
        .split("**A remote procedure call.**")
        .nth(1)
        .and_then(|rest| rest.split("```sh test\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the README's RPC recipe");
    let r = redis();
    create_queue(&r, "images");
    let worker = Proc::start(
        &r,
        &[
            "--queue",
            "images",
            "consume",
            "--exec",
            r#"f=$(jq -r .payload); [ "$f" = broken.png ] && exit 65; printf '%s' "${f%.png}.thumb.png""#,
        ],
    );
    wait_consumers(&mut conn(&r), "images", 1);
    let bin_dir = Path::new(&bin()).parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |f: &str| {
        let mut sh = std::process::Command::new("sh");
        clean_env(&mut sh)
            .arg("-c")
            .arg(recipe)
            .env("PATH", &path)
            .env("RPQ_URL", r.url())
            .env("f", f);
        sh.output().unwrap()
    };
    let ok = run("cat.png");
    assert!(ok.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        "thumbnail at cat.thumb.png\n"
    );
    let bad = run("broken.png");
    assert_eq!(String::from_utf8_lossy(&bad.stdout), "");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("is dead: exit status 65"), "{err}");
    assert!(
        err.ends_with("resize of broken.png failed (exit 1)\n"),
        "{err}"
    );
    worker.signal(libc::SIGTERM);
    assert!(worker.end(Duration::from_secs(10)).status.success());
}

/// A `--pipe` handler given two tasks at once that is busy with one still takes a task pushed
/// meanwhile: with room for more than one task in hand, the idle wait is the listener's, which
/// a push wakes at once (not the idle claim's, seconds later).
#[test]
fn a_pipe_handler_with_room_gets_a_task_pushed_while_it_works() {
    let r = redis();
    let gate = r.dir().join("gate");
    let py = file(
        &r,
        "hold.py",
        r#"
import sys, json, os, threading, time
def later(id):
    while not os.path.exists(os.environ["GATE"]):
        time.sleep(0.02)
    print(json.dumps({"id": id, "ok": True}), flush=True)
for line in sys.stdin:
    t = json.loads(line)
    if t["type"] == "slow":
        threading.Thread(target=later, args=(t["id"],)).start()
    else:
        print(json.dumps({"id": t["id"], "ok": True}), flush=True)
"#,
    );
    push_one(&r, "slow", "slow");
    let c = Proc::spawn(
        process(&r)
            .args([
                "--json",
                "consume",
                "--count",
                "2",
                "--pipe-depth",
                "2",
                "--pipe",
            ])
            .arg(format!("python3 {}", py.display()))
            .env("GATE", &gate),
    );
    let mut k = conn(&r);
    wait_in_flight(&mut k, "default", 1);
    push_one(&r, "quick", "quick");
    // The idle claim would come after 5 s; a wake-up comes within milliseconds.
    wait_until(
        Duration::from_millis(2500),
        "the pushed task to be done",
        || c.stdout_lines().iter().any(|l| l.contains("\"quick\"")),
    );
    std::fs::write(&gate, "").unwrap();
    let out = c.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(done_once(&ndjson(&out.stdout)), ["quick", "slow"]);
}

/// A `--pipe` command the shell cannot run at all stops the consumer with one line, exit 1,
/// and costs no task an attempt (as `--exec` does).
#[test]
fn a_pipe_command_that_cannot_run_stops_the_consumer() {
    let r = redis();
    push_one(&r, "t", "job");
    let out = rpq(&r)
        .args(["consume", "--drain", "--pipe", "./no-such-handler"])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("could not be run") && err.contains("check --pipe"),
        "{err}"
    );
    let peek = json_lines(rpq(&r).args(["--json", "peek"]));
    assert_eq!(
        (&peek[0]["id"], &peek[0]["attempt"]),
        (&json!("job"), &json!(0))
    );
}

#[test]
fn a_consumer_sleeps_through_its_delay() {
    let r = redis();
    push_one(&r, "slow", "s");
    let p = Proc::start(&r, &["--json", "consume", "--delay", "1h", "--count", "1"]);
    let mut c = conn(&r);
    wait_in_flight(&mut c, "default", 1);
    let (before, began) = (cpu_time(p.pid()), std::time::Instant::now());
    // A window to measure over, not a wait for something to happen.
    std::thread::sleep(Duration::from_secs(2));
    let (cpu, wall) = (cpu_time(p.pid()) - before, began.elapsed());
    eprintln!("--delay: {cpu:?} of CPU in {wall:?}");
    assert!(cpu < wall / 10, "{cpu:?} of CPU in {wall:?} of --delay");
    // Still noticing signals: the second hands the task back at once.
    p.signal(libc::SIGTERM);
    wait_until(Duration::from_secs(10), "the first signal's note", || {
        p.stderr_has("stopping")
    });
    p.signal(libc::SIGTERM);
    let out = p.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert_eq!(in_flight(&mut c, "default"), 0);
}

#[test]
fn a_consumer_of_several_slots_that_ends_by_itself_leaves_nothing_in_flight() {
    let r = redis();
    let mut c = conn(&r);
    let runs: [&[&str]; 5] = [
        &["--drain", "-j", "4"],
        &["--drain", "-j", "4"],
        &["--drain", "-j", "4"],
        &["--drain", "-j", "4", "--prefetch", "8"],
        &["--count", "500", "-j", "4"],
    ];
    // Twice over: the handlers' ends race the claims, and each run is short.
    for &args in runs.iter().chain(&runs) {
        push_lines(&r, "default", &lines_with_ids([2; 500]));
        let out = rpq(&r)
            .args(["--json", "consume", "--exec", "true"])
            .args(args)
            .timeout(Duration::from_secs(300))
            .assert()
            .success();
        let lines = ndjson(&out.get_output().stdout);
        let done = lines.iter().filter(|l| l["outcome"] == "done").count();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr);
        // Every task it claimed ran: none left in flight until its lease runs out.
        assert_eq!(
            (done, in_flight(&mut c, "default"), waiting(&r)),
            (500, 0, 0),
            "{args:?}: {stderr}"
        );
        // And no handler's end cut a read short (EINTR, taken for a lost connection).
        assert_eq!(stderr, "", "{args:?}");
    }
}
