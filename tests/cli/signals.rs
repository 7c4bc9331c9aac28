//! Graceful shutdown: the first signal finishes the task in hand, the second hands it back.

use crate::support::*;
use std::time::Duration;

fn one_task_in_flight(r: &rpq::server::RedisServer, args: &[&str]) -> Proc {
    rpq(r)
        .args([
            "produce",
            "--type",
            "slow",
            "--id",
            "job-1",
            "--payload",
            "{}",
        ])
        .assert()
        .success();
    let child = Proc::start(r, args);
    let mut c = conn(r);
    wait_in_flight(&mut c, "default", 1);
    child
}

#[test]
fn sigterm_mid_task_finishes_it_and_exits_0() {
    let r = redis();
    let child = one_task_in_flight(&r, &["--json", "consume", "--delay", "1s"]);
    child.signal(libc::SIGTERM);
    let out = child.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], "job-1");
    assert_eq!(lines[0]["outcome"], "done");
    rpq(&r)
        .args(["len", "--json"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            r#""waiting":0,"high":0,"medium":0,"low":0,"in_flight":0"#,
        ));
}

#[test]
fn a_second_signal_hands_the_task_back_and_exits_130() {
    let r = redis();
    let child = one_task_in_flight(&r, &["--json", "consume", "--delay", "30s"]);
    child.signal(libc::SIGINT);
    // Two signals sent back to back may merge into one in the kernel; a person's second
    // Ctrl+C comes after rpq has said it is stopping.
    wait_until(Duration::from_secs(10), "rpq to say it is stopping", || {
        child.stderr_has("again")
    });
    child.signal(libc::SIGINT);
    let out = child.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(130));
    let lines = ndjson(&out.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "released");
    // Back in the queue at once, with no attempt counted.
    let peek = json_lines(rpq(&r).args(["peek", "--json"]));
    assert_eq!(peek[0]["id"], "job-1");
    assert_eq!(peek[0]["attempt"], 0);
    assert_eq!(in_flight(&mut conn(&r), "default"), 0);
}

#[test]
fn a_producer_stops_between_pushes_on_sigterm() {
    let r = redis();
    let child = Proc::start(&r, &["--json", "produce", "--interval", "50ms"]);
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    wait_until(Duration::from_secs(10), "a few pushes", || {
        zcard(&mut c, k.pending()) >= 3
    });
    child.signal(libc::SIGTERM);
    let out = child.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    // Every task it reported is queued, and nothing else.
    let printed = ndjson(&out.stdout).len() as u64;
    assert_eq!(zcard(&mut c, k.pending()), printed);
}

#[test]
fn an_idle_consumer_stops_on_the_first_signal_while_redis_is_down() {
    let mut r = redis();
    create_queue(&r, "default");
    let child = Proc::start(&r, &["--json", "consume"]);
    let mut c = conn(&r);
    wait_consumers(&mut c, "default", 1);
    r.kill();
    wait_until(Duration::from_secs(10), "the consumer to notice", || {
        child.stderr_has("lost the connection")
    });
    // Nothing is in hand, so there is nothing to wait for: one signal ends it, with success.
    child.signal(libc::SIGTERM);
    let out = child.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}
