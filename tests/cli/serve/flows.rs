//! Flows across queues (issue 24) with `rpq serve` as the only process that works: an HTTP
//! worker's ack moves the outbox lines it wrote to the child's queue, and `serve` makes the
//! links owed past their deadline, as a consumer of the queue would.

use super::Serve;
use crate::support::{conn, json_lines, redis, rpq, wait_until};
use rpq::queue::keys::{Key, Keys};
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::time::Duration;

fn state(r: &RedisServer, queue: &str, id: &str) -> Value {
    json_lines(rpq(r).args(["--queue", queue, "--json", "show", id])).remove(0)["state"].clone()
}

fn produce(r: &RedisServer, queue: &str, args: &[&str]) {
    rpq(r)
        .args(["--queue", queue, "produce"])
        .args(args)
        .assert()
        .success();
}

/// The parent in `up`, the child in `mail`, and no consumer anywhere: the HTTP worker's ack of
/// the parent releases the child (its outbox line moved by the ack, not left for a claim of
/// `up` that never comes), and its fail of another parent hands the child its failure. The
/// worker claims through one `serve` and settles through another (two behind a balancer, or
/// one restarted in between): the one that acks has never claimed from `up`, so only the
/// ack's own reply tells it of the outbox.
#[test]
fn serve_api_acks_and_fails_move_the_outbox_to_the_childs_queue() {
    let r = redis();
    produce(
        &r,
        "up",
        &["--type", "a", "--id", "P", "--keep-result", "1h"],
    );
    produce(&r, "up", &["--type", "a", "--id", "Q"]);
    produce(
        &r,
        "mail",
        &["--type", "b", "--id", "K", "--after-in", "up=P"],
    );
    produce(
        &r,
        "mail",
        &["--type", "b", "--id", "L", "--after-in", "up=Q"],
    );
    let s = Serve::start(&r, &[]);
    let other = Serve::start(&r, &[]);
    let claim = |id: &str| {
        let got = other
            .post("/api/queues/up/claim?consumer=w", &json!({}))
            .expect(200)
            .json();
        assert_eq!(got["tasks"][0]["id"], id, "{got}");
        got["tasks"][0]["token"].as_str().unwrap().to_string()
    };
    let token = claim("P");
    s.post(
        "/api/queues/up/tasks/P/ack",
        &json!({"token": token, "consumer": "w", "result": 7}),
    )
    .expect(200);
    // At once: the ack answers once the line is moved (no claim of `up` is ever made).
    assert_eq!(state(&r, "mail", "K"), "waiting", "K released by the ack");
    let token = claim("Q");
    s.post(
        "/api/queues/up/tasks/Q/fail",
        &json!({"token": token, "consumer": "w", "error": "no", "outcome": "dead"}),
    )
    .expect(200);
    assert_eq!(state(&r, "mail", "L"), "dead", "L dead with Q");
    let mut c = conn(&r);
    let outbox: Option<String> = redis::cmd("HGET")
        .arg(Keys::new("up", 0).get(Key::Kids))
        .arg("\u{1e}")
        .query(&mut c)
        .unwrap();
    assert_eq!(outbox, None, "the outbox is empty");
}

/// A child whose producer died between its push and its link (the link taken out by hand,
/// the owed line due), its parent done since: with only `rpq serve` running, the child is
/// linked and released, once.
#[test]
fn serve_makes_the_links_owed_past_their_deadline() {
    let r = redis();
    produce(
        &r,
        "up",
        &["--type", "a", "--id", "P", "--keep-result", "1h"],
    );
    produce(
        &r,
        "down",
        &["--type", "b", "--id", "K", "--after-in", "up=P"],
    );
    let mut c = conn(&r);
    let up_kids = Keys::new("up", 0).get(Key::Kids).to_string();
    let down_kids = Keys::new("down", 0).get(Key::Kids).to_string();
    redis::cmd("HDEL")
        .arg(&up_kids)
        .arg("P")
        .query::<()>(&mut c)
        .unwrap();
    redis::cmd("HSET")
        .arg(&down_kids)
        .arg("\u{1d}")
        .arg("0\tK")
        .query::<()>(&mut c)
        .unwrap();
    rpq(&r)
        .args([
            "--queue", "up", "consume", "--count", "1", "--exec", "echo 1",
        ])
        .assert()
        .success();
    assert_eq!(state(&r, "down", "K"), "blocked", "no one linked it");
    let _s = Serve::start(&r, &[]);
    wait_until(Duration::from_secs(20), "K linked by serve", || {
        state(&r, "down", "K") == "waiting"
    });
    let owed: Option<String> = redis::cmd("HGET")
        .arg(&down_kids)
        .arg("\u{1d}")
        .query(&mut c)
        .unwrap();
    assert_eq!(owed, None, "nothing is owed");
    let l = json_lines(rpq(&r).args(["--queue", "down", "--json", "len"])).remove(0);
    assert_eq!((&l["waiting"], &l["blocked"]), (&json!(1), &json!(0)));
}
