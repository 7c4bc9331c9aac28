//! Lifecycle events (issue 26): `rpq events` reads and follows a queue's stream, resumable from
//! an id; webhooks delivered by `rpq serve` at least once, in order, signed, after retries and
//! across a kill -9. Events here are written as the scripts write them (queue::events' entry
//! format), so that reading and delivery are tested apart from which step emits what.

use crate::receiver::Receiver;
use crate::serve::Serve;
use crate::support::*;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::io::{BufRead, BufReader};
use std::time::Duration;

/// One event into the queue's stream, as a script writes it; returns its id.
fn xadd(c: &mut redis::Connection, queue: &str, event: &str, id: &str) -> String {
    redis::cmd("XADD")
        .arg(format!("rpq:{{{queue}}}:events"))
        .arg("*")
        .arg("e")
        .arg(event)
        .arg("id")
        .arg(id)
        .arg("t")
        .arg("mail")
        .arg("p")
        .arg(2)
        .arg("a")
        .arg(1)
        .query(c)
        .unwrap()
}

fn enable(r: &rpq::server::RedisServer) {
    rpq(r)
        .args(["events", "--enable", "--keep", "1000"])
        .assert()
        .success()
        .stdout("events of queue 'default' on: the newest 1000 are kept\n");
}

#[test]
fn events_are_read_in_order_and_followed_from_an_id_after_a_kill() {
    let r = redis();
    let mut c = conn(&r);
    enable(&r);
    let ids: Vec<String> = (0..5)
        .map(|i| xadd(&mut c, "default", "pushed", &format!("t{i}")))
        .collect();
    let all = json_lines(rpq(&r).args(["--json", "events"]));
    assert_eq!(all.len(), 5);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e["event_id"], ids[i].as_str());
        assert_eq!(e["event"], "pushed");
        assert_eq!(e["id"], format!("t{i}"));
        assert_eq!(e["type"], "mail");
        assert_eq!(e["priority"], 2);
        assert_eq!(e["attempt"], 1);
    }
    let after = json_lines(rpq(&r).args(["--json", "events", "--since", &ids[1]]));
    let got: Vec<&str> = after.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(got, ["t2", "t3", "t4"]);

    // --follow: what is kept after the id, then what comes; killed, and resumed from the last
    // id it printed, nothing is missed or repeated.
    let mut follow = process(&r)
        .args(["--json", "events", "--follow", "--since", &ids[4]])
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(follow.stdout.take().unwrap()).lines();
    for i in 5..8 {
        xadd(&mut c, "default", "done", &format!("t{i}"));
    }
    let mut last = String::new();
    for i in 5..8 {
        let v: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(v["id"], format!("t{i}"));
        last = v["event_id"].as_str().unwrap().to_string();
    }
    follow.kill().unwrap();
    follow.wait().unwrap();
    for i in 8..10 {
        xadd(&mut c, "default", "dead", &format!("t{i}"));
    }
    let rest = json_lines(rpq(&r).args(["--json", "events", "--since", &last]));
    let got: Vec<&str> = rest.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(got, ["t8", "t9"]);

    // Human lines; --disable deletes them.
    let human = rpq(&r)
        .arg("events")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8(human).unwrap();
    assert_eq!(human.lines().count(), 10);
    assert!(human
        .lines()
        .next()
        .unwrap()
        .contains(" pushed    t0 (mail, medium) attempt 1  ["));
    rpq(&r).args(["events", "--disable"]).assert().success();
    assert_eq!(zcard_like_xlen(&mut c), 0);
    rpq(&r)
        .args(["events", "--since", "yesterday-ish"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--since: 'yesterday-ish' is not an event id",
        ));
}

fn zcard_like_xlen(c: &mut redis::Connection) -> u64 {
    redis::cmd("XLEN")
        .arg("rpq:{default}:events")
        .query(c)
        .unwrap()
}

/// The signature as a receiver checks it: HMAC-SHA256 of "<t>.<body>" under the secret.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let (t, v1) = header
        .split_once(',')
        .map(|(t, v)| (t.trim_start_matches("t="), v.trim_start_matches("v1=")))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    want == v1
}

/// A receiver that answers 500 three times, then 200: the dead event is delivered after three
/// retries, once, signed; the done event it is not on never goes; the list shows it all.
#[test]
fn a_webhook_is_retried_on_500_and_delivered_once_signed() {
    let r = redis();
    let mut c = conn(&r);
    let rx = Receiver::start(&[500, 500, 500, 200]);
    let secret = r.dir().join("secret");
    std::fs::write(&secret, "wh-s3cret\n").unwrap();
    enable(&r);
    let added = json_lines(rpq(&r).args([
        "--json",
        "webhook",
        "add",
        &rx.url("/hook"),
        "--on",
        "dead",
        "--secret-file",
        secret.to_str().unwrap(),
    ]));
    assert_eq!(added[0]["signed"], true);
    assert!(added[0].get("secret").is_none());
    let hook = added[0]["id"].as_str().unwrap().to_string();
    xadd(&mut c, "default", "done", "t1");
    let dead = xadd(&mut c, "default", "dead", "t1");
    let s = Serve::start(&r, &[]);
    rx.wait_for(Duration::from_secs(20), "a 200", |q| q.len() >= 4);
    let reqs = rx.requests();
    for q in &reqs {
        assert_eq!(q.path, "/hook");
        assert_eq!(q.header("x-rpq-event-id"), Some(dead.as_str()));
        assert_eq!(q.header("x-rpq-webhook"), Some(hook.as_str()));
        let v = q.json();
        assert_eq!(v["event"], "dead");
        assert_eq!(v["queue"], "default");
        assert_eq!(v["id"], "t1");
        let sig = q.header("x-rpq-signature").expect("signed");
        assert!(verify("wh-s3cret", sig, &q.body), "{sig}");
        assert!(!verify("other", sig, &q.body));
    }
    let listed = || json_lines(rpq(&r).args(["--json", "webhook", "list"]));
    wait_until(Duration::from_secs(10), "the delivery recorded", || {
        listed()[0]["delivery"]["delivered"] == 1
    });
    let d = listed()[0]["delivery"].clone();
    assert_eq!(d["failures"], 3);
    assert_eq!(d["pending"], 0);
    assert_eq!(d["last_event_id"], dead.as_str());
    assert_eq!(d["last_status"], 200);
    // The dashboard's panel reads the same from the API, without the secret.
    let api = s.get("/api/queues/default/webhooks").expect(200).json();
    assert_eq!(api["events"], true);
    let w = &api["webhooks"][0];
    assert_eq!(w["id"], hook.as_str());
    assert_eq!(w["delivery"]["delivered"], 1);
    assert_eq!(w["delivery"]["failures"], 3);
    assert_eq!(w["delivery"]["pending"], 0);
    assert!(w.get("secret").is_none() && !api.to_string().contains("wh-s3cret"));
    assert!(s
        .get("/assets/app.js")
        .expect(200)
        .text()
        .contains("/webhooks`"));
    // Nothing more is sent.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.requests().len(), 4);
    drop(s);
    rpq(&r)
        .args(["webhook", "remove", &hook])
        .assert()
        .success();
    assert!(listed().is_empty());
    rpq(&r)
        .args(["webhook", "add", "ftp://x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an http:// or https:// URL"));
    rpq(&r)
        .args(["webhook", "add", "http://x", "--on", "died"])
        .assert()
        .code(2);
}

/// `serve` killed -9 while it delivers 30 events to a slow receiver, and started again:
/// every event arrives, in order of first arrival, none missed.
#[test]
fn a_webhook_misses_nothing_across_a_kill_9_of_serve() {
    let r = redis();
    let mut c = conn(&r);
    let rx = Receiver::slow(&[200], Duration::from_millis(30));
    enable(&r);
    rpq(&r)
        .args(["webhook", "add", &rx.url("/")])
        .assert()
        .success();
    let ids: Vec<String> = (0..30)
        .map(|i| xadd(&mut c, "default", "pushed", &format!("t{i}")))
        .collect();
    let first = Serve::start(&r, &[]);
    rx.wait_for(Duration::from_secs(20), "some deliveries", |q| q.len() >= 5);
    drop(first); // SIGKILL
    let got_before = rx.requests().len();
    assert!(got_before < 30, "all delivered before the kill");
    // The killed serve's hold on the webhook lapses first (15 s at most).
    let _second = Serve::start(&r, &[]);
    rx.wait_for(Duration::from_secs(60), "every event", |q| {
        let seen: std::collections::HashSet<String> = q
            .iter()
            .filter_map(|r| r.header("x-rpq-event-id").map(String::from))
            .collect();
        ids.iter().all(|id| seen.contains(id))
    });
    // In order: the first arrival of each event follows the stream's order.
    assert_eq!(first_arrivals(&rx), ids);
}

/// The events of the request arrivals, first arrival of each, in order.
fn first_arrivals(rx: &Receiver) -> Vec<String> {
    let mut firsts: Vec<String> = vec![];
    for q in rx.requests() {
        let id = q.header("x-rpq-event-id").unwrap().to_string();
        if !firsts.contains(&id) {
            firsts.push(id);
        }
    }
    firsts
}

/// Two `serve`s on one queue: one of them sends a webhook's events, never both at once (each
/// would read part of the group and a task's `done` could overtake its `pushed`); when it is
/// killed -9 the other takes over, in order, missing nothing.
#[test]
fn two_serves_send_a_webhook_one_at_a_time_in_order() {
    let r = redis();
    let mut c = conn(&r);
    let rx = Receiver::slow(&[200], Duration::from_millis(60));
    enable(&r);
    rpq(&r)
        .args(["webhook", "add", &rx.url("/")])
        .assert()
        .success();
    let a = Serve::start(&r, &[]);
    let b = Serve::start(&r, &[]);
    // Events come one by one while both wait on the group, so that two readers would split them.
    let mut ids = vec![];
    for i in 0..20 {
        ids.push(xadd(&mut c, "default", "pushed", &format!("t{i}")));
        std::thread::sleep(Duration::from_millis(20));
    }
    rx.wait_for(Duration::from_secs(30), "every event", |q| q.len() >= 20);
    assert_eq!(rx.most_at_once(), 1, "two requests of one webhook at once");
    assert_eq!(first_arrivals(&rx), ids);
    // The sender is killed: the other one carries on after its hold lapses.
    let holder: String = redis::cmd("GET")
        .arg(format!(
            "rpq:{{default}}:webhooks:state:lock:{}",
            json_lines(rpq(&r).args(["--json", "webhook", "list"]))[0]["id"]
                .as_str()
                .unwrap()
        ))
        .query(&mut c)
        .unwrap();
    let (killed, _kept) = if holder.ends_with(&a.pid().to_string()) {
        (a, b)
    } else {
        assert!(holder.ends_with(&b.pid().to_string()), "{holder}");
        (b, a)
    };
    drop(killed); // SIGKILL
    for i in 20..30 {
        ids.push(xadd(&mut c, "default", "pushed", &format!("t{i}")));
    }
    rx.wait_for(Duration::from_secs(60), "the events after the kill", |q| {
        q.len() >= 30
    });
    assert_eq!(first_arrivals(&rx), ids);
    assert_eq!(rx.most_at_once(), 1);
}

/// `GET /api/queues/{q}/events` is server-sent events: after `Last-Event-ID`, then what comes,
/// each with its id and its JSON line.
#[test]
fn the_api_streams_events_after_last_event_id() {
    use std::io::{Read, Write};
    let r = redis();
    let mut c = conn(&r);
    enable(&r);
    let first = xadd(&mut c, "default", "pushed", "t1");
    let second = xadd(&mut c, "default", "claimed", "t1");
    let s = Serve::start(&r, &[]);
    let addr = s.url("").trim_start_matches("http://").to_string();
    let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        tcp,
        "GET /api/queues/default/events HTTP/1.1\r\nHost: {addr}\r\nLast-Event-ID: {first}\r\n\r\n"
    )
    .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let mut third = None;
    while !seen.contains("\"event\":\"done\"") {
        let n = tcp.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended: {seen}");
        seen += &String::from_utf8_lossy(&buf[..n]);
        if third.is_none() && seen.contains(&format!("id: {second}")) {
            third = Some(xadd(&mut c, "default", "done", "t1"));
        }
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen
        .to_ascii_lowercase()
        .contains("content-type: text/event-stream"));
    assert!(!seen.contains(&format!("id: {first}\n")), "{seen}");
    assert!(seen.contains(&format!("id: {}", third.unwrap())));
    let data: Vec<Value> = seen
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let kinds: Vec<&str> = data.iter().map(|d| d["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["claimed", "done"]);
}

/// Where a task is in its life, as its events so far say (the hostile test below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Waiting,
    InFlight,
    /// Its lease was recovered: waiting again, or dead on its last attempt.
    Lost,
    Ended(&'static str),
}

/// Issue 26: 1,000 tasks through their whole lives with events on, written by the scripts that
/// change them: some fail and are retried, some go dead, some are cancelled while they wait,
/// and two consumers are killed -9 mid-way so that their leases are recovered. Each task's
/// events, in stream order, follow its life step by step (one `pushed` first, a `claimed` per
/// attempt numbered 1, 2, 3, an end that is its state now), none names a task that was not
/// pushed, and their counts are the queue's own counters.
#[test]
fn every_task_has_its_events_once_and_in_order_through_retries_deaths_cancels_and_kills() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["events", "--enable", "--keep", "100000"])
        .assert()
        .success();
    let n = 1000;
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let kind = ["mail", "sms", "pdf"][i % 3];
            serde_json::json!({"type": kind, "priority": 1 + i % 3, "payload": i,
                "id": format!("t{i}")})
            .to_string()
        })
        .collect();
    push_lines(&r, "default", &lines);
    let cancelled: Vec<String> = (0..n)
        .filter(|i| i % 10 == 3)
        .map(|i| format!("t{i}"))
        .collect();
    rpq(&r).arg("cancel").args(&cancelled).assert().success();

    // Ids ending in 1 always fail (dead on their third attempt), in 2 fail their first attempt
    // only, in 77 take a while (so that a kill finds one running).
    let exec = r#"case "$RPQ_TASK_ID" in
        *1) exit 1 ;;
        *2) [ "$RPQ_TASK_ATTEMPT" = 1 ] && exit 1 ;;
        *77) sleep 0.2 ;;
    esac
    exit 0"#;
    let consumer = |name: &str| {
        Proc::start(
            &r,
            &[
                "--json",
                "consume",
                "--name",
                name,
                "--lease",
                "1s",
                "--backoff",
                "20ms",
                "--max-attempts",
                "3",
                "--prefetch",
                "4",
                "--exec",
                exec,
            ],
        )
    };
    let holds = |c: &mut redis::Connection, name: &str| -> bool {
        claims(c, "default")
            .values()
            .any(|v| v.ends_with(&format!("|{name}")))
    };
    let done_events = |c: &mut redis::Connection| -> usize {
        let all: Vec<(String, std::collections::HashMap<String, String>)> = redis::cmd("XRANGE")
            .arg("rpq:{default}:events")
            .arg("-")
            .arg("+")
            .query(c)
            .unwrap();
        all.iter().filter(|(_, f)| f["e"] == "done").count()
    };
    let a = consumer("a");
    let b = consumer("b");
    // Each killed while it holds tasks it has not finished (its claim not marked delivered).
    wait_until(Duration::from_secs(60), "a third of the work", || {
        done_events(&mut c) > 300
    });
    wait_until(Duration::from_secs(60), "consumer a to hold tasks", || {
        holds(&mut c, "a")
    });
    a.signal(libc::SIGKILL);
    let d = consumer("d");
    wait_until(Duration::from_secs(60), "two thirds of the work", || {
        done_events(&mut c) > 600
    });
    wait_until(Duration::from_secs(60), "consumer b to hold tasks", || {
        holds(&mut c, "b")
    });
    b.signal(libc::SIGKILL);
    let k = Keys::new("default", 0);
    wait_until(Duration::from_secs(120), "every task to end", || {
        [k.pending(), k.inflight(), k.delayed(), k.scheduled()]
            .iter()
            .all(|key| zcard(&mut c, key) == 0)
    });
    d.signal(libc::SIGTERM);
    d.end(Duration::from_secs(30));
    drop((a, b));

    let events = json_lines(rpq(&r).args(["--json", "events"]));
    let mut by_task: std::collections::HashMap<String, Vec<&Value>> = Default::default();
    let mut last_id = String::new();
    for e in &events {
        let id = e["id"].as_str().expect("every event here is of a task");
        by_task.entry(id.to_string()).or_default().push(e);
        // Stream order is the order of the changes: ids only grow.
        let eid = e["event_id"].as_str().unwrap().to_string();
        let key = |s: &str| -> (u64, u64) {
            let (a, b) = s.split_once('-').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        };
        assert!(last_id.is_empty() || key(&eid) > key(&last_id));
        last_id = eid;
    }
    assert_eq!(by_task.len(), n, "a task without events, or one invented");
    let mut count: std::collections::HashMap<&str, u64> = Default::default();
    let mut recovered = 0;
    let mut failed_by_consumer = 0;
    for i in 0..n {
        let id = format!("t{i}");
        let evs = &by_task[&id];
        let kind = ["mail", "sms", "pdf"][i % 3];
        let mut life = Life::Waiting;
        let mut attempts = 0;
        for (k, e) in evs.iter().enumerate() {
            let what = e["event"].as_str().unwrap();
            *count.entry(what).or_default() += 1;
            assert_eq!(e["type"], kind, "{e}");
            assert_eq!(e["priority"], 1 + i % 3, "{e}");
            let attempt = e["attempt"].as_u64();
            if k == 0 {
                assert_eq!(what, "pushed", "{id}: {evs:?}");
                continue;
            }
            life = match (life, what) {
                (Life::Waiting | Life::Lost, "claimed") => {
                    attempts += 1;
                    assert_eq!(attempt, Some(attempts), "{id}: {evs:?}");
                    assert!(["a", "b", "d"].contains(&e["consumer"].as_str().unwrap()));
                    if life == Life::Lost {
                        recovered += 1;
                    }
                    Life::InFlight
                }
                (Life::Waiting, "cancelled") => Life::Ended("cancelled"),
                (Life::InFlight, "done") => Life::Ended("done"),
                (Life::InFlight, "retry") => {
                    failed_by_consumer += 1;
                    Life::Waiting
                }
                (Life::InFlight, "dead") => {
                    failed_by_consumer += 1;
                    Life::Ended("dead")
                }
                (Life::Lost, "dead") => Life::Ended("dead"),
                (Life::InFlight, "lost") => Life::Lost,
                (Life::InFlight, "released") => {
                    attempts -= 1;
                    Life::Waiting
                }
                (l, w) => panic!("{id}: {w} after {l:?}: {evs:?}"),
            };
            if what != "cancelled" {
                assert_eq!(attempt, Some(attempts), "{id}: {evs:?}");
            }
        }
        let want = match i % 10 {
            1 => "dead",
            3 => "cancelled",
            _ => "done",
        };
        assert_eq!(life, Life::Ended(want), "{id}: {evs:?}");
        if want == "dead" {
            // The dead set's own count of its attempts.
            let shown = json_lines(rpq(&r).args(["--json", "show", &id]));
            assert_eq!(shown[0]["state"], "dead");
            assert_eq!(shown[0]["attempt"], attempts, "{id}: {evs:?}");
            assert_eq!(attempts, 3);
        }
        if want == "cancelled" {
            assert_eq!(evs.len(), 2, "{id}: {evs:?}");
        }
    }
    assert_eq!(count["pushed"], n as u64);
    assert!(count.get("lost").copied().unwrap_or(0) > 0, "{count:?}");
    let stats = stats_json(&r, "default");
    assert_eq!(stats["pushed"], n as u64);
    assert_eq!(stats["done"], count["done"]);
    assert_eq!(stats["dead"], count["dead"]);
    assert_eq!(stats["failed"], failed_by_consumer);
    assert_eq!(stats["recovered"], recovered);
    assert_eq!(count["done"], 800);
    assert_eq!(count["dead"], 100);
    // A dead task retried by hand is in line again: a `retry` without an attempt.
    rpq(&r).args(["dead", "retry", "t1"]).assert().success();
    let last = json_lines(rpq(&r).args(["--json", "events", "--since", &last_id]));
    assert_eq!(last.len(), 1, "{last:?}");
    assert_eq!(last[0]["event"], "retry");
    assert_eq!(last[0]["id"], "t1");
    assert_eq!(last[0]["error"], "dead retry");
    assert!(last[0].get("attempt").is_none());
}

/// Off means off: a consumer that learnt events were on goes on giving the stream, but once
/// `--disable` deleted it nothing writes it again; and a queue whose events were never on has
/// no stream at all after a push, a claim, a failure and an ack.
#[test]
fn events_switched_off_are_not_written_by_a_consumer_that_saw_them_on() {
    let r = redis();
    let mut c = conn(&r);
    let exists = |c: &mut redis::Connection, key: &str| -> bool {
        redis::cmd("EXISTS").arg(key).query::<i64>(c).unwrap() == 1
    };
    push_one(&r, "mail", "before");
    rpq(&r)
        .args(["consume", "--count", "1", "--max-attempts", "1"])
        .args(["--exec", "exit 1"])
        .assert()
        .success();
    push_one(&r, "mail", "off-1");
    rpq(&r)
        .args(["consume", "--count", "1", "--exec", "true"])
        .assert()
        .success();
    assert!(!exists(&mut c, "rpq:{default}:events"), "written while off");

    enable(&r);
    let consumer = Proc::start(
        &r,
        &["--json", "consume", "--name", "long", "--exec", "true"],
    );
    push_one(&r, "mail", "on-1");
    wait_until(Duration::from_secs(30), "on-1's done event", || {
        json_lines(rpq(&r).args(["--json", "events"]))
            .iter()
            .any(|e| e["event"] == "done" && e["id"] == "on-1")
    });
    rpq(&r).args(["events", "--disable"]).assert().success();
    push_one(&r, "mail", "off-2");
    wait_until(Duration::from_secs(30), "off-2 done", || {
        consumer
            .stdout_lines()
            .iter()
            .any(|l| l.contains("\"off-2\""))
    });
    assert!(
        !exists(&mut c, "rpq:{default}:events"),
        "written after --disable"
    );
    consumer.signal(libc::SIGTERM);
    consumer.end(Duration::from_secs(30));
}

/// Controls write their events too: a pause and its end, limits on every task and on a type
/// (one with a quote in its name, which the event carries decoded), and a limit taken off.
#[test]
fn pauses_and_limits_are_events_with_their_type() {
    let r = redis();
    push_one(&r, "t", "x1");
    enable(&r);
    for args in [
        &["pause", "--priority", "1"][..],
        &["resume", "--priority", "1"],
        &["limit", "--max-in-flight", "3"],
        &["limit", "--type", "z\"z", "--max-in-flight", "1"],
        &["limit", "--type", "z\"z", "--off"],
    ] {
        rpq(&r).args(args).assert().success();
    }
    let events = json_lines(rpq(&r).args(["events", "--json"]));
    let said: Vec<(String, Value, Value)> = events
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_string(),
                e["type"].clone(),
                e["priority"].clone(),
            )
        })
        .collect();
    let none = Value::Null;
    assert_eq!(
        said,
        [
            ("paused".to_string(), none.clone(), Value::from(1)),
            ("resumed".to_string(), none.clone(), Value::from(1)),
            ("limit".to_string(), none.clone(), none.clone()),
            ("limit".to_string(), Value::from("z\"z"), none.clone()),
            ("limit".to_string(), Value::from("z\"z"), none.clone()),
        ],
        "{events:?}"
    );
    assert_eq!(events[4]["error"], "off");
}

/// A sharded queue (three shards, three streams): 300 tasks through two consumers, some failing
/// once. `rpq events` merges the streams in id order, every task's events are there once and in
/// order, `--since` an id resumes every shard after it, and a webhook (a group on each stream)
/// receives every task's events in order per task.
#[test]
fn a_sharded_queue_has_every_tasks_events_merged_and_delivered() {
    let r = redis();
    let mut c = conn(&r);
    let rx = Receiver::start(&[200]);
    rpq(&r)
        .args(["--shards", "3", "events", "--enable"])
        .assert()
        .success();
    rpq(&r)
        .args(["webhook", "add", &rx.url("/")])
        .assert()
        .success();
    let serve = Serve::start(&r, &[]);
    let n = 300;
    let lines: Vec<String> = (0..n)
        .map(|i| {
            serde_json::json!({"type": "mail", "priority": 1 + i % 3, "id": format!("t{i}")})
                .to_string()
        })
        .collect();
    push_lines(&r, "default", &lines);
    // Ids ending in 7 fail their first attempt.
    let exec =
        r#"case "$RPQ_TASK_ID" in *7) [ "$RPQ_TASK_ATTEMPT" = 1 ] && exit 1 ;; esac; exit 0"#;
    let consumer = |name: &str| {
        Proc::start(
            &r,
            &[
                "consume",
                "--name",
                name,
                "--backoff",
                "10ms",
                "--prefetch",
                "4",
                "--exec",
                exec,
            ],
        )
    };
    let (a, b) = (consumer("a"), consumer("b"));
    let left = |c: &mut redis::Connection| -> u64 {
        (0..3)
            .map(|s| {
                let k = Keys::new("default", s);
                [k.pending(), k.inflight(), k.delayed()]
                    .iter()
                    .map(|key| zcard(c, key))
                    .sum::<u64>()
            })
            .sum()
    };
    wait_until(Duration::from_secs(120), "every task to end", || {
        left(&mut c) == 0
    });
    for p in [&a, &b] {
        p.signal(libc::SIGTERM);
    }
    a.end(Duration::from_secs(30));
    b.end(Duration::from_secs(30));
    let streams: Vec<u64> = (0..3)
        .map(|s| {
            redis::cmd("XLEN")
                .arg(Keys::new("default", s).events())
                .query(&mut c)
                .unwrap()
        })
        .collect();
    assert!(streams.iter().all(|&l| l > 0), "{streams:?}");

    let key = |s: &str| -> (u64, u64) {
        let (a, b) = s.split_once('-').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    let events = json_lines(rpq(&r).args(["--json", "events"]));
    let want_total = n * 3 + n / 10 * 2;
    assert_eq!(events.len(), want_total);
    assert_eq!(events.len() as u64, streams.iter().sum::<u64>());
    let mut by_task: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut last = (0, 0);
    for e in &events {
        // Merged in time order (two shards may write the same id).
        let k = key(e["event_id"].as_str().unwrap());
        assert!(k >= last, "{e} after {last:?}");
        last = k;
        let id = e["id"].as_str().unwrap().to_string();
        let what = e["event"].as_str().unwrap();
        let step = match e["attempt"].as_u64() {
            Some(a) if what != "pushed" => format!("{what}{a}"),
            _ => what.to_string(),
        };
        by_task.entry(id).or_default().push(step);
    }
    assert_eq!(by_task.len(), n);
    for i in 0..n {
        let want: Vec<&str> = if i % 10 == 7 {
            vec!["pushed", "claimed1", "retry1", "claimed2", "done2"]
        } else {
            vec!["pushed", "claimed1", "done1"]
        };
        assert_eq!(by_task[&format!("t{i}")], want, "t{i}");
    }

    // --since an id: every shard resumes after it.
    let mid = events[want_total / 2]["event_id"].as_str().unwrap();
    let rest = json_lines(rpq(&r).args(["--json", "events", "--since", mid]));
    let want: Vec<&Value> = events
        .iter()
        .filter(|e| key(e["event_id"].as_str().unwrap()) > key(mid))
        .collect();
    assert_eq!(rest.iter().collect::<Vec<_>>(), want);
    // The API's stream the same, from Last-Event-ID.
    {
        use std::io::{Read, Write};
        let addr = serve.url("").trim_start_matches("http://").to_string();
        let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(
            tcp,
            "GET /api/queues/default/events HTTP/1.1\r\nHost: {addr}\r\nLast-Event-ID: {mid}\r\n\r\n"
        )
        .unwrap();
        let mut seen = String::new();
        let mut buf = [0u8; 65536];
        // The last data line read whole (the response is chunked: no blank line at its end).
        let whole = |s: &str| {
            s.rfind("\ndata: ")
                .is_some_and(|i| s[i + 1..].contains('\n'))
        };
        while seen.matches("\ndata: ").count() < want.len() || !whole(&seen) {
            let n = tcp.read(&mut buf).unwrap();
            assert!(n > 0, "the stream ended: {seen}");
            seen += &String::from_utf8_lossy(&buf[..n]);
        }
        let data: Vec<Value> = seen
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .map(|d| serde_json::from_str(d).unwrap())
            .collect();
        assert_eq!(data.iter().collect::<Vec<_>>(), want);
    }

    // The webhook: every event once at least, each task's in order of first arrival.
    rx.wait_for(Duration::from_secs(120), "every event delivered", |q| {
        let seen: std::collections::HashSet<(String, String)> = q
            .iter()
            .map(|r| {
                let v = r.json();
                (v["event_id"].to_string(), v["id"].to_string())
            })
            .collect();
        seen.len() >= want_total
    });
    let mut got: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut firsts = std::collections::HashSet::new();
    for q in rx.requests() {
        let v = q.json();
        if !firsts.insert((v["event_id"].to_string(), v["id"].to_string())) {
            continue;
        }
        let what = v["event"].as_str().unwrap();
        let step = match v["attempt"].as_u64() {
            Some(a) if what != "pushed" => format!("{what}{a}"),
            _ => what.to_string(),
        };
        got.entry(v["id"].as_str().unwrap().to_string())
            .or_default()
            .push(step);
    }
    assert_eq!(got, by_task);
    let listed = json_lines(rpq(&r).args(["--json", "webhook", "list"]));
    wait_until(Duration::from_secs(10), "the deliveries recorded", || {
        let l = json_lines(rpq(&r).args(["--json", "webhook", "list"]));
        l[0]["delivery"]["delivered"] == want_total as u64
    });
    assert_eq!(listed[0]["delivery"]["given_up"], 0);
    let l = json_lines(rpq(&r).args(["--json", "webhook", "list"]));
    assert_eq!(l[0]["delivery"]["pending"], 0);
}
