//! `rpq bench`: a small run reports its figures and passes its exactly-once check, and the
//! check fails (exit 1) when a task is deleted behind the bench's back.

use crate::support::*;
use serde_json::Value;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

fn report(stdout: &[u8]) -> Value {
    let lines = ndjson(stdout);
    assert_eq!(lines.len(), 1, "one JSON object: {lines:?}");
    lines.into_iter().next().unwrap()
}

#[test]
fn a_small_bench_reports_rates_and_finds_every_task_once() {
    let r = redis();
    let out = rpq(&r)
        .args([
            "--json",
            "bench",
            "--tasks",
            "600",
            "--producers",
            "2",
            "--consumers",
            "3",
            "--payload-bytes",
            "50",
            "--batch",
            "64",
            "--prefetch",
            "4",
            "--latency-tasks",
            "20",
            "--scheduled-tasks",
            "10",
        ])
        .assert()
        .success()
        .stderr("");
    let v = report(&out.get_output().stdout);
    assert_eq!(v["tasks"], 600);
    assert_eq!(
        (v["producers"].as_u64(), v["consumers"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(v["lost"], 0);
    assert_eq!(v["duplicated"], 0);
    assert_eq!(v["pushed"], 630);
    assert_eq!(v["consumed"], 630);
    assert!(v["produce_per_sec"].as_f64().unwrap() > 0.0);
    assert!(v["consume_per_sec"].as_f64().unwrap() > 0.0);
    let l = &v["latency_ms"];
    assert_eq!(l["samples"], 20);
    let (p50, p99, max) = (
        l["p50"].as_f64().unwrap(),
        l["p99"].as_f64().unwrap(),
        l["max"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{l}");
    // The scheduled phase: from each task's due time to its claim by an idle consumer.
    let d = &v["scheduled_ms"];
    assert_eq!(d["samples"], 10);
    let (p50, p99, max) = (
        d["p50"].as_f64().unwrap(),
        d["p99"].as_f64().unwrap(),
        d["max"].as_f64().unwrap(),
    );
    assert!(0.0 <= p50 && p50 <= p99 && p99 <= max, "{d}");
    assert!(v["memory_per_task_bytes"].is_number());
    assert!(v["queue"].as_str().unwrap().starts_with("bench-"));
    // The bench leaves nothing behind: its queue's keys are gone.
    let mut c = conn(&r);
    let keys: Vec<String> = redis::cmd("KEYS").arg("rpq:*").query(&mut c).unwrap();
    assert!(keys.is_empty(), "left behind: {keys:?}");
}

#[test]
fn the_human_table_names_each_phase_with_a_private_server() {
    let out = bare()
        .args(["bench", "--spawn", "--tasks", "100", "--latency-tasks", "5"])
        .args(["--scheduled-tasks", "5"])
        .assert()
        .success()
        .stderr("");
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for want in [
        "produce ",
        "consume ",
        "push to claim: p50",
        "due to claim:  p50",
        "bytes per waiting task",
        "a private redis-server on port",
        "exactly once: ok: 110 pushed, 110 claimed, 0 lost, 0 duplicated",
    ] {
        assert!(text.contains(want), "no '{want}' in:\n{text}");
    }
}

#[test]
fn a_task_deleted_behind_its_back_is_reported_lost() {
    let r = redis();
    let mut child = Proc::spawn(
        process(&r)
            .args(["--queue", "b1", "--json", "bench"])
            .args(["--tasks", "300", "--latency-tasks", "3", "--step"])
            .args(["--scheduled-tasks", "0"])
            .stdin(Stdio::piped()),
    );
    wait_until(Duration::from_secs(60), "the bench to pause", || {
        child.stderr_has("press Enter to consume them")
    });
    // Someone else takes one waiting task: the bench must notice it never came out.
    let mut c = conn(&r);
    let popped: Vec<String> = redis::cmd("ZPOPMIN")
        .arg(Keys::new("b1", 0).pending())
        .query(&mut c)
        .unwrap();
    assert_eq!(popped.len(), 2, "one task and its score");
    child.stdin().write_all(b"\n").unwrap();
    let out = child.end(Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = report(&out.stdout);
    assert_eq!(v["lost"], 1);
    assert_eq!(v["duplicated"], 0);
    assert_eq!(v["consumed"], 302);
}

#[test]
fn a_queue_in_use_is_refused() {
    let r = redis();
    rpq(&r)
        .args([
            "--queue",
            "busy",
            "produce",
            "--type",
            "t",
            "--payload",
            "1",
        ])
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", "busy", "bench", "--tasks", "10"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("queue 'busy' holds 1 tasks"));
    rpq(&r)
        .args(["--queue", "busy", "len"])
        .assert()
        .stdout("1\n");
}

#[test]
fn without_a_server_it_says_to_start_one_or_spawn() {
    let port = rpq::server::free_port().unwrap();
    bare()
        .args(["--url", &format!("redis://127.0.0.1:{port}"), "bench"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("--spawn"));
}

#[test]
fn progress_goes_to_stderr_only_on_a_terminal() {
    use crate::pty::{rpq_command, On, Pty};
    let r = redis();
    let mut cmd = rpq_command(&r.url());
    cmd.args(["--json", "bench", "--tasks", "200", "--latency-tasks", "2"]);
    let pty = Pty::spawn(cmd, On::STDERR);
    let (out, screen) = pty.finish(Duration::from_secs(60));
    assert!(out.status.success(), "{out:?}");
    assert!(screen.contains("produce: "), "{screen:?}");
    assert!(screen.contains("consume: "), "{screen:?}");
    // Each progress line is erased when its phase ends; stdout holds the report alone.
    assert!(screen.ends_with("\r\x1b[2K"), "{screen:?}");
    assert_eq!(report(&out.stdout)["lost"], 0);
}

/// The handler paths through the same tool (issue 11): `--exec` and `--pipe` consume through
/// the consumer's engine, `-j` slots each, and the exactly-once check covers them.
#[test]
fn a_bench_with_a_handler_consumes_through_the_engine_and_checks_every_task_once() {
    let r = redis();
    for handler in [["--exec", "cat >/dev/null"], ["--pipe", PIPE_OK]] {
        let out = rpq(&r)
            .args(["--json", "bench", "--tasks", "200", "-j", "2"])
            .args(["--latency-tasks", "0", "--scheduled-tasks", "0"])
            .args(handler)
            .assert()
            .success();
        let v = report(&out.get_output().stdout);
        assert_eq!(
            (v["consumed"].as_u64(), v["lost"].as_u64()),
            (Some(200), Some(0))
        );
        assert_eq!(v["duplicated"], 0);
        assert_eq!(v["concurrency"], 2);
        let which = handler[0].trim_start_matches("--");
        assert_eq!(v[which], handler[1], "{v}");
        assert!(v["consume_per_sec"].as_f64().unwrap() > 0.0);
    }
}

/// A `--pipe` handler in a line of shell: it answers every task ok.
const PIPE_OK: &str = r#"while read -r t; do id=${t#*\"id\":\"}; printf '{"id":"%s","ok":true}\n' "${id%%\"*}"; done"#;

/// Groups (issue 23): a bench whose tasks are spread over groups, each capped, still hands
/// out every task once, says so in its report, and leaves no key of a group behind.
#[test]
fn a_bench_over_capped_groups_finds_every_task_once_and_leaves_nothing() {
    let r = redis();
    let out = rpq(&r)
        .args([
            "--json",
            "bench",
            "--tasks",
            "1200",
            "--producers",
            "2",
            "--consumers",
            "4",
            "--batch",
            "50",
            "--latency-tasks",
            "0",
            "--scheduled-tasks",
            "0",
            "--groups",
            "40",
            "--group-cap",
            "2",
        ])
        .assert()
        .success()
        .stderr("");
    let v = report(&out.get_output().stdout);
    assert_eq!(
        (v["lost"].as_u64(), v["duplicated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        (v["group_count"].as_u64(), v["group_cap"].as_u64()),
        (Some(40), Some(2))
    );
    assert_eq!(v["consumed"], v["pushed"]);
    let mut c = conn(&r);
    let keys: Vec<String> = redis::cmd("KEYS").arg("rpq:*").query(&mut c).unwrap();
    assert!(keys.is_empty(), "left behind: {keys:?}");
    // A cap needs groups.
    rpq(&r)
        .args(["bench", "--tasks", "10", "--group-cap", "2"])
        .assert()
        .code(2);
}
