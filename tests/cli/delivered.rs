//! A consumer whose stdout is a pipe marks a claim delivered (issue 19) before its `done` line,
//! then acks once the line was read. When the lease runs out in between, lease recovery
//! finishes the task as done: its kept result must be there all the same (the mark carries
//! it), and a consumer whose mark's reply was lost must still say `done` (SPEC 11).

use crate::proxy::{Fault, Proxy};
use crate::support::*;
use rpq::queue::keys::Keys;
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;

/// A parent that keeps its result, and a child that waits for it.
fn parent_and_child(r: &rpq::server::RedisServer, q: &str) {
    rpq(r)
        .args(["--queue", q, "produce", "--type", "a", "--id", "P"])
        .args(["--keep-result", "1h"])
        .assert()
        .success();
    rpq(r)
        .args([
            "--queue", q, "produce", "--type", "c", "--id", "C", "--after", "P",
        ])
        .assert()
        .success();
}

fn wait_lease_expired(c: &mut redis::Connection, q: &str) {
    let k = Keys::new(q, 0);
    wait_until(Duration::from_secs(20), "the lease to expire", || {
        let deadline: Vec<(String, i64)> = redis::cmd("ZRANGE")
            .arg(k.inflight())
            .arg(0)
            .arg(0)
            .arg("WITHSCORES")
            .query(c)
            .unwrap();
        deadline.first().is_some_and(|d| server_ms(c) > d.1)
    });
}

/// Another consumer: its claim recovers P's lease (finished as done: its line went out) and
/// runs C, which copies what it was given of its parents.
fn run_child(r: &rpq::server::RedisServer, q: &str) -> Vec<Value> {
    let seen = r.dir().join("seen");
    let out = rpq(r)
        .args([
            "--queue", q, "--json", "consume", "--name", "b", "--count", "1",
        ])
        .args(["--exec", r#"cat "$RPQ_PARENT_RESULTS" > "$SEEN""#])
        .env("SEEN", &seen)
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    assert_eq!(
        (&lines[0]["id"], &lines[0]["outcome"]),
        (&json!("C"), &json!("done"))
    );
    ndjson(&std::fs::read(&seen).unwrap())
}

fn kept_result(r: &rpq::server::RedisServer, q: &str) -> Vec<Value> {
    json_lines(rpq(r).args(["--queue", q, "--json", "result", "P"]))
}

/// The consumer marks P delivered and writes its `done` line to a pipe nobody reads, and is
/// killed there, before its ack: recovery finishes P as done, with its result kept.
#[test]
fn a_kept_result_survives_a_consumer_killed_between_its_mark_and_its_ack() {
    let r = redis();
    let q = "kd";
    parent_and_child(&r, q);
    let mut first = process(&r)
        .args([
            "--queue", q, "--json", "consume", "--name", "a", "--lease", "1s",
        ])
        .args(["--count", "1", "--exec", r#"printf '{"from":"P"}'"#])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Its stdout is held unread: the consumer waits for its line to be read, its claim marked.
    let _unread = first.stdout.take();
    let mut c = conn(&r);
    wait_until(Duration::from_secs(20), "P's claim to be marked", || {
        marked_delivered(&mut c, q, "P")
    });
    first.kill().unwrap();
    first.wait().unwrap();
    wait_lease_expired(&mut c, q);
    let parents = run_child(&r, q);
    assert_eq!(parents, [json!({"id": "P", "result": {"from": "P"}})]);
    let kept = kept_result(&r, q);
    assert_eq!(
        (&kept[0]["outcome"], &kept[0]["result"]),
        (&json!("done"), &json!({"from": "P"}))
    );
}

/// The mark runs on the server but its reply is lost (held by a proxy, as in a freeze past the
/// read timeout), and the lease runs out meanwhile: recovery finishes P as done. The consumer,
/// its mark sent again once it can, learns that and says `done` (it is the one run of P), not
/// `lost`; and P's result is kept.
#[test]
fn a_mark_whose_reply_was_lost_still_ends_in_a_done_line_after_recovery() {
    let r = redis();
    let q = "kl";
    parent_and_child(&r, q);
    let p = Proxy::start(&r);
    let go = r.dir().join("go");
    let first = Proc::spawn(
        std_command()
            .args(["--url", &p.url(), "--queue", q, "--json", "consume", "--name", "a"])
            .args(["--lease", "1s", "--count", "1", "--exec"])
            // Built at run time: the command line itself never holds the bytes the proxy waits for.
            .arg(r#"while [ ! -e "$GO" ]; do sleep 0.05; done; printf '{"from":"%s"}' "$RPQ_TASK_ID""#)
            .env("GO", &go),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, q, 1);
    // Once the heartbeat has extended the lease, the server knows extend.lua: the mark's first
    // request runs (an EVALSHA refused NOSCRIPT would be sent again, in full, unheld).
    let deadline =
        |c: &mut redis::Connection| -> i64 { lease_deadline(c, q, "P").unwrap_or_default() };
    let claimed = deadline(&mut c);
    wait_until(Duration::from_secs(20), "a heartbeat", || {
        deadline(&mut c) > claimed
    });
    // The mark is the first call that carries P's result (the keep-ack, the next).
    p.set(Fault::HoldRepliesAfter(r#"{"from":"P"}"#));
    std::fs::write(&go, "").unwrap();
    wait_until(Duration::from_secs(20), "P's claim to be marked", || {
        marked_delivered(&mut c, q, "P")
    });
    // Whatever link it opens next gets no reply either, until recovery has run.
    p.set(Fault::HoldReplies);
    wait_lease_expired(&mut c, q);
    let parents = run_child(&r, q);
    assert_eq!(parents, [json!({"id": "P", "result": {"from": "P"}})]);
    // The held reply is gone with its link; the consumer reconnects and asks again.
    p.cut();
    p.set(Fault::Pass);
    let a = first.end(Duration::from_secs(60));
    assert!(a.status.success(), "{}", a.stderr);
    let lines: Vec<(Value, Value)> = ndjson(&a.stdout)
        .into_iter()
        .map(|l| (l["id"].clone(), l["outcome"].clone()))
        .collect();
    assert_eq!(lines, [(json!("P"), json!("done"))], "{}", a.stderr);
    let kept = kept_result(&r, q);
    assert_eq!(
        (&kept[0]["outcome"], &kept[0]["result"]),
        (&json!("done"), &json!({"from": "P"}))
    );
}

/// Layout 3 keeps a mark in `taken` ("=id" -> token, the claim itself cannot change): a
/// consumer writing to a pipe marks every task, and its acks, riding on its claims (the fast
/// claim among them) or sent alone, take the marks out again, so nothing is left of them.
#[test]
fn a_consumer_on_a_pipe_leaves_no_mark_behind() {
    let r = redis();
    let q = "marks";
    let lines: Vec<String> = (0..40)
        .map(|i| json!({"type": "t", "priority": 2, "id": format!("m{i}")}).to_string())
        .collect();
    push_lines(&r, q, &lines);
    // Prefetch 1 and 8: one ack and several riding on a claim.
    for prefetch in ["1", "8"] {
        let out = rpq(&r)
            .args(["--queue", q, "--json", "consume", "--count", "20"])
            .args(["--prefetch", prefetch, "--exec", "true"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(ndjson(&out.stdout).len(), 20);
    }
    let mut c = conn(&r);
    assert_eq!(stat(&mut c, q, "done"), 40);
    let taken: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(Keys::new(q, 0).taken())
        .query(&mut c)
        .unwrap();
    assert_eq!(taken, Default::default(), "marks left in taken");
}
