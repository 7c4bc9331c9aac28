//! `rpq migrate` from stored layout 2 to layout 3 (issue 22, layout 3's work list, step 2): a
//! queue of layout 2 with tasks in every state moved whole, through a kill -9 and a rerun,
//! while the test plays the older rpq that still holds a lease.
//!
//! Layout 3 keeps layout 2's values on this branch (its records are the next steps), so the queue
//! of layout 2 is made by this rpq and its keys renamed from `3:` to `2:`, with `meta` and the
//! stats note saying layout 2: exactly what an rpq of layout 2 leaves.

use crate::migrate::migrate_killed_after_its_first_line;
use crate::support::{
    conn, count_done, json_lines, lines_with_ids, make_dead, mixed, ndjson, push_lines, rpq,
    server_ms, wait_until, zcard, Proc,
};
use rpq::queue::keys::{meta, tag, LAYOUT_VERSION};
use rpq::server::RedisServer;
use std::collections::HashMap;
use std::time::Duration;

const LAYOUT_2_NOTE: &str =
    "2: the stored layout of this shard (rpq, docs/layout-v2.md); rpq migrate moves older ones";

/// Every key of the queue under `2:`, sorted.
fn layout_2_keys(c: &mut redis::Connection, q: &str) -> Vec<String> {
    let mut k: Vec<String> = redis::cmd("KEYS")
        .arg(format!("rpq:{{{q}}}:2:*"))
        .query(c)
        .unwrap();
    k.sort();
    k
}

/// Queue `q` as an rpq of layout 2 left it: the keys of each shard under `2:`, `meta` saying 2.
fn as_layout_2(c: &mut redis::Connection, q: &str) {
    as_layout_2_sharded(c, q, 1);
}

fn as_layout_2_sharded(c: &mut redis::Connection, q: &str, shards: usize) {
    for shard in 0..shards {
        let tag = tag(q, shard);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("rpq:{{{tag}}}:3:*"))
            .query(c)
            .unwrap();
        assert!(!keys.is_empty());
        for k in keys {
            let to = k.replacen(&format!("{{{tag}}}:3:"), &format!("{{{tag}}}:2:"), 1);
            let _: () = redis::cmd("RENAME").arg(&k).arg(&to).query(c).unwrap();
        }
        layout_2_values(c, &tag);
        let _: () = redis::cmd("HSET")
            .arg(format!("rpq:{{{tag}}}:2:stats"))
            .arg("layout")
            .arg(LAYOUT_2_NOTE)
            .query(c)
            .unwrap();
    }
    let _: () = redis::cmd("HSET")
        .arg(meta(q))
        .arg("layout")
        .arg(2)
        .query(c)
        .unwrap();
}

/// Layout 2's values from this rpq's records: the body alone in `tasks`, a head's attempts and
/// place in `state` ("attempts|place[|error]"), a dead task's reason in `dead:info`.
fn layout_2_values(c: &mut redis::Connection, tag: &str) {
    let k = |s: &str| format!("rpq:{{{tag}}}:2:{s}");
    let records: Vec<(String, String)> = redis::cmd("HGETALL").arg(k("tasks")).query(c).unwrap();
    let dead: Vec<String> = redis::cmd("ZRANGE")
        .arg(k("dead"))
        .arg(0)
        .arg(-1)
        .query(c)
        .unwrap();
    let mut p = redis::pipe();
    for (id, rec) in &records {
        let (place, head, body) = crate::support::record_parts(rec);
        p.cmd("HSET").arg(k("tasks")).arg(id).arg(body);
        if let (Some(place), Some((n, err))) = (place, head) {
            if dead.contains(id) {
                p.cmd("HSET")
                    .arg(k("state"))
                    .arg(id)
                    .arg(format!("{n}|{place}"));
                p.cmd("HSET")
                    .arg(k("dead:info"))
                    .arg(id)
                    .arg(serde_json::json!({"error": err, "attempts": n}).to_string());
            } else {
                let err = if err.is_empty() {
                    String::new()
                } else {
                    format!("|{err}")
                };
                p.cmd("HSET")
                    .arg(k("state"))
                    .arg(id)
                    .arg(format!("{n}|{place}{err}"));
            }
        }
    }
    let _: () = p.query(c).unwrap();
}

/// Takes the first waiting task of layout 2 and leases it as layout 2's claim does, until
/// `deadline` (ms): its id and its place in line.
fn lease_by_hand(c: &mut redis::Connection, q: &str, deadline: i64) -> (String, String) {
    let (id, score): (String, f64) = {
        let got: Vec<(String, f64)> = redis::cmd("ZPOPMIN")
            .arg(format!("rpq:{{{q}}}:2:pending"))
            .query(c)
            .unwrap();
        got[0].clone()
    };
    let score = format!("{score:.0}");
    let now = server_ms(c);
    let _: () = redis::pipe()
        .cmd("ZADD")
        .arg(format!("rpq:{{{q}}}:2:inflight"))
        .arg(deadline)
        .arg(&id)
        .cmd("HSET")
        .arg(format!("rpq:{{{q}}}:2:claims"))
        .arg(&id)
        .arg(format!("00aa11bb22cc33dd|{now}|3|1|{score}|old-host"))
        .query(c)
        .unwrap();
    (id, score)
}

/// The layout-2 rpq that holds `id` acks it, as layout 2's ack does (its lease, its claim, its
/// body, counted done).
fn ack_as_layout_2(c: &mut redis::Connection, q: &str, id: &str) {
    let removed: (u64, u64, u64, i64) = redis::pipe()
        .cmd("ZREM")
        .arg(format!("rpq:{{{q}}}:2:inflight"))
        .arg(id)
        .cmd("HDEL")
        .arg(format!("rpq:{{{q}}}:2:claims"))
        .arg(id)
        .cmd("HDEL")
        .arg(format!("rpq:{{{q}}}:2:tasks"))
        .arg(id)
        .cmd("HINCRBY")
        .arg(format!("rpq:{{{q}}}:2:stats"))
        .arg("done")
        .arg(1)
        .query(c)
        .unwrap();
    assert_eq!(
        (removed.0, removed.1, removed.2),
        (1, 1, 1),
        "{id} was held"
    );
}

fn build(r: &RedisServer, q: &str, waiting: usize) -> (String, String) {
    // Dead first (the consumer takes the first in line), then a retry with a backoff.
    make_dead(r, q, 2);
    push_lines(
        r,
        q,
        &[r#"{"type":"flaky","priority":1,"payload":0,"id":"retry-1"}"#.to_string()],
    );
    rpq(r)
        .args([
            "--queue",
            q,
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "3",
        ])
        .args(["--exec", "exit 1"])
        .assert()
        .success();
    push_lines(r, q, &lines_with_ids(mixed(waiting)));
    rpq(r)
        .args([
            "--queue", q, "produce", "--type", "later", "--id", "sched-1",
        ])
        .args(["--in", "1h"])
        .assert()
        .success();
    let mut c = conn(r);
    as_layout_2(&mut c, q);
    let (live, _) = lease_by_hand(&mut c, q, 9_999_999_999_999);
    let (expired, _) = lease_by_hand(&mut c, q, 1);
    (live, expired)
}

#[test]
fn a_queue_of_layout_2_moves_whole_through_a_kill_and_a_rerun() {
    let r = redis_server();
    let q = "jobs";
    let waiting = 3000;
    let (live, expired) = build(&r, q, waiting);
    let mut c = conn(&r);
    let before = layout_2_keys(&mut c, q);
    assert!(
        before.contains(&format!("rpq:{{{q}}}:2:delayed")),
        "{before:?}"
    );
    assert!(
        before.contains(&format!("rpq:{{{q}}}:2:scheduled")),
        "{before:?}"
    );

    // A dry run counts by state and writes nothing.
    let dry = json_lines(rpq(&r).args(["--queue", q, "--json", "migrate", "--dry-run"]));
    let last = dry.last().unwrap();
    assert_eq!(last["dry_run"], true, "{last}");
    assert_eq!(last["waiting"], waiting as u64 - 2, "{last}");
    assert_eq!(last["in_flight"], 2, "{last}");
    assert_eq!(last["dead"], 2, "{last}");
    assert_eq!(last["retrying"], 1, "{last}");
    assert_eq!(last["scheduled"], 1, "{last}");
    assert_eq!(layout_2_keys(&mut c, q), before);

    migrate_killed_after_its_first_line(&r, q);
    // Layout 3 reads the queue from the first step on; layout 2's scripts that queue or lease
    // work meet the retired checks.
    let m: HashMap<String, String> = redis::cmd("HGETALL").arg(meta(q)).query(&mut c).unwrap();
    assert_eq!(
        m.get("layout").map(String::as_str),
        Some(LAYOUT_VERSION.to_string().as_str())
    );
    let checks: String = redis::cmd("HGET")
        .arg(format!("rpq:{{{q}}}:2:stats"))
        .arg("checks")
        .query(&mut c)
        .unwrap();
    assert_eq!(checks, format!("layout {LAYOUT_VERSION}"));
    assert!(zcard(&mut c, &format!("rpq:{{{q}}}:3:pending")) > 0);
    assert_eq!(
        zcard(&mut c, &format!("rpq:{{{q}}}:2:inflight")),
        2,
        "the leases of layout 2 stay where they are"
    );
    // A producer of layout 3 meanwhile: its task lines up behind every task of layout 2.
    push_lines(
        &r,
        q,
        &[r#"{"type":"t","priority":1,"payload":"new","id":"new-1"}"#.to_string()],
    );

    let again = Proc::start(&r, &["--queue", q, "--json", "migrate"]);
    let waits_for = format!("waiting for 1 task in flight under layout 2 ({live})");
    wait_until(
        Duration::from_secs(60),
        "migrate to wait for the lease",
        || again.stderr_has(&waits_for),
    );
    // Still held under layout 2: its holder acks it there.
    ack_as_layout_2(&mut c, q, &live);
    let ended = again.end(Duration::from_secs(30));
    assert!(ended.status.success(), "{ended:?}");
    let lines = ndjson(&ended.stdout);
    for l in &lines {
        let errs = crate::schema::breaches(l);
        assert!(errs.is_empty(), "{l}: {errs:?}");
    }
    assert_eq!(lines.last().unwrap()["layout"], LAYOUT_VERSION);
    assert_eq!(layout_2_keys(&mut c, q), Vec::<String>::new());
    // Nothing left to do on a rerun.
    rpq(&r)
        .args(["--queue", q, "migrate"])
        .assert()
        .success()
        .stderr(format!(
            "rpq: queue 'jobs' is at layout {LAYOUT_VERSION} already: nothing to do\n"
        ));

    // Every task in its state: the dead with their reason, the scheduled one, the retry, the
    // recovered lease with its attempt counted.
    let show = |id: &str| -> serde_json::Value {
        let out = rpq(&r)
            .args(["--queue", q, "--json", "show", id])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    for id in ["dead-0", "dead-1"] {
        let t = show(id);
        assert_eq!(t["state"], "dead", "{t}");
        assert!(t.to_string().contains("boom"), "{t}");
    }
    assert_eq!(show("sched-1")["state"], "scheduled");
    assert_eq!(show("retry-1")["state"], "retrying");
    let t = show(&expired);
    assert_eq!(t["state"], "waiting", "{t}");
    assert_eq!(t["attempt"], 1, "{t}");
    let stats = crate::support::stats_json(&r, q);
    // The counters carried over, the last minute of layout 2 (its d: and f: fields) folded in.
    for (field, n) in [
        ("pushed", waiting as u64 + 5),
        ("done", 1),
        ("failed", 3),
        ("dead", 2),
        ("recovered", 1),
        ("waiting", waiting as u64),
    ] {
        assert_eq!(stats[field], n, "{field}: {stats}");
    }

    // A consumer of layout 3 takes every waiting task once, in layout 2's order, the new task
    // after every older one of its priority, and the retry once due.
    let done = drained(&r, q);
    let mut counts = HashMap::new();
    count_done(&mut counts, &done);
    assert!(counts.values().all(|&n| n == 1), "each once");
    assert!(
        !counts.contains_key(&live),
        "the acked lease is not run again"
    );
    for i in 0..waiting {
        let id = format!("t{i}");
        if id != live {
            assert_eq!(counts.get(&id), Some(&1), "{id}");
        }
    }
    assert_eq!(counts.get("new-1"), Some(&1));
    assert_eq!(counts.get("retry-1"), Some(&1));
    let order: Vec<&str> = done
        .iter()
        .filter(|l| l["outcome"] == "done")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    let pos = |id: &str| order.iter().position(|x| *x == id).unwrap();
    let last_high = (0..waiting)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("t{i}"))
        .filter(|id| *id != live)
        .map(|id| pos(&id))
        .max()
        .unwrap();
    assert!(pos("new-1") > last_high, "new-1 went before an older task");
}

/// A sharded queue of layout 2 with a limited type, some of its tasks held back by the limit
/// (in `limited`): every task moves, those held back to their places in line, the limit with
/// them, and a consumer of layout 3 takes each once under it.
#[test]
fn a_sharded_queue_of_layout_2_with_held_back_tasks_moves_whole() {
    let r = redis_server();
    let q = "capped";
    let n = 300;
    rpq(&r)
        .args(["--queue", q, "--shards", "2", "produce", "--stdin"])
        .write_stdin(lines_with_ids(mixed(n)).join("\n"))
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", q, "limit", "--type", "t", "--max-in-flight", "2"])
        .assert()
        .success();
    let mut c = conn(&r);
    as_layout_2_sharded(&mut c, q, 2);
    // What layout 2's claim does with tasks its limit holds back: out of pending, into limited
    // at the same score (their line's indexes are left out: migrate does not read them).
    for shard in 0..2 {
        let tag = tag(q, shard);
        let held: Vec<(String, f64)> = redis::cmd("ZPOPMIN")
            .arg(format!("rpq:{{{tag}}}:2:pending"))
            .arg(5)
            .query(&mut c)
            .unwrap();
        assert_eq!(held.len(), 5);
        for (id, score) in held {
            let _: () = redis::cmd("ZADD")
                .arg(format!("rpq:{{{tag}}}:2:limited"))
                .arg(score)
                .arg(id)
                .query(&mut c)
                .unwrap();
        }
    }
    let out = json_lines(
        rpq(&r)
            .args(["--queue", q, "--json", "migrate"])
            .timeout(Duration::from_secs(60)),
    );
    let last = out.last().unwrap();
    assert_eq!(last["waiting"], n as u64, "{last}");
    assert_eq!(last["shards"], 2, "{last}");
    for shard in 0..2 {
        let left: Vec<String> = redis::cmd("KEYS")
            .arg(format!("rpq:{{{}}}:2:*", tag(q, shard)))
            .query(&mut c)
            .unwrap();
        assert_eq!(left, Vec::<String>::new());
    }
    let limits = rpq(&r)
        .args(["--queue", q, "limit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8_lossy(&limits).contains("at most 2 in flight"),
        "{}",
        String::from_utf8_lossy(&limits)
    );
    let mut counts = HashMap::new();
    count_done(&mut counts, &drained(&r, q));
    assert_eq!(counts.len(), n);
    assert!(counts.values().all(|&k| k == 1));
}

/// A queue of layout 2 with groups (a weight, a group's own limit, a paused group) and a flow
/// (a parent done with its result kept, a child blocked on it and on a parent still waiting),
/// migrated through a kill -9 and a rerun: every task once, in its group's line, the groups'
/// settings kept, the child run once after both parents, nothing of layout 2 left.
#[test]
fn a_queue_of_layout_2_with_groups_and_a_flow_moves_whole_through_a_kill_and_a_rerun() {
    let r = redis_server();
    let q = "tenants";
    let per_group = 1000;
    let run = |args: &[&str]| {
        rpq(&r).args(["--queue", q]).args(args).assert().success();
    };
    run(&[
        "produce",
        "--type",
        "p",
        "--id",
        "p1",
        "--priority",
        "high",
        "--keep-result",
        "1h",
    ]);
    run(&["consume", "--count", "1", "--exec", "echo '{\"n\":1}'"]);
    run(&["produce", "--type", "p", "--id", "p2"]);
    run(&["produce", "--type", "c", "--id", "kid", "--after", "p1,p2"]);
    let mut lines = Vec::new();
    for i in 0..per_group {
        for g in ["a", "b", "c"] {
            lines.push(
                serde_json::json!({"type": "t", "priority": 2, "id": format!("{g}{i}"), "group": g})
                    .to_string(),
            );
        }
    }
    push_lines(&r, q, &lines);
    run(&["group", "weight", "a", "3"]);
    run(&["limit", "--group", "b", "--max-in-flight", "1"]);
    run(&["pause", "--group", "c"]);
    let mut c = conn(&r);
    as_layout_2(&mut c, q);
    let before = layout_2_keys(&mut c, q);
    for k in [
        "gpending", "groups", "gstate", "gparked", "blocked", "waits", "kids",
    ] {
        assert!(
            before.contains(&format!("rpq:{{{q}}}:2:{k}")),
            "{k}: {before:?}"
        );
    }

    migrate_killed_after_its_first_line(&r, q);
    let again = rpq(&r)
        .args(["--queue", q, "--json", "migrate"])
        .timeout(Duration::from_secs(60))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    for l in &ndjson(&again) {
        let errs = crate::schema::breaches(l);
        assert!(errs.is_empty(), "{l}: {errs:?}");
    }
    assert_eq!(layout_2_keys(&mut c, q), Vec::<String>::new());

    // The groups' settings carried over.
    let w = json_lines(rpq(&r).args(["--queue", q, "--json", "group", "weight", "a"]));
    assert_eq!(w[0]["weight"], 3, "{w:?}");
    let all = json_lines(rpq(&r).args(["--queue", q, "--json", "groups"]));
    let by = |n: &str| all.iter().find(|g| g["group"] == n).unwrap().clone();
    assert_eq!(by("b")["max_in_flight"], 1, "{all:?}");
    assert_eq!(by("c")["group_paused"], true, "{all:?}");
    assert_eq!(by("a")["waiting"], per_group as u64, "{all:?}");
    let show = |id: &str| -> serde_json::Value {
        serde_json::from_slice(
            &rpq(&r)
                .args(["--queue", q, "--json", "show", id])
                .assert()
                .success()
                .get_output()
                .stdout,
        )
        .unwrap()
    };
    let kid = show("kid");
    assert_eq!(kid["state"], "blocked", "{kid}");
    assert_eq!(kid["waits_for"], serde_json::json!(["p2"]), "{kid}");

    // A consumer of layout 3 runs every task of a and b once, each group in its order, a three
    // turns for one of b while both have work, the paused group's none; the child once, after
    // its last parent.
    let done = drained(&r, q);
    let mut counts = HashMap::new();
    count_done(&mut counts, &done);
    assert!(counts.values().all(|&n| n == 1), "each once");
    let order: Vec<String> = done
        .iter()
        .filter(|l| l["outcome"] == "done")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    let pos = |id: &str| order.iter().position(|x| x == id);
    assert!(pos("kid").unwrap() > pos("p2").unwrap());
    assert!(pos("p1").is_none(), "the done parent is not run again");
    for g in ["a", "b"] {
        let mine: Vec<usize> = order
            .iter()
            .filter(|id| id.starts_with(g) && id[1..].parse::<usize>().is_ok())
            .map(|id| id[1..].parse().unwrap())
            .collect();
        assert_eq!(
            mine,
            (0..per_group).collect::<Vec<_>>(),
            "group {g} in order"
        );
    }
    assert!(!order.iter().any(|id| id.starts_with('c') && id != "kid"));
    let first_400 = &order[..400];
    let a = first_400.iter().filter(|id| id.starts_with('a')).count();
    let b = first_400.iter().filter(|id| id.starts_with('b')).count();
    assert!(a >= 2 * b && b > 50, "weight 3 for a: {a} a, {b} b");

    run(&["resume", "--group", "c"]);
    let done = drained(&r, q);
    let order: Vec<String> = done
        .iter()
        .filter(|l| l["outcome"] == "done")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order,
        (0..per_group).map(|i| format!("c{i}")).collect::<Vec<_>>()
    );
    let len = json_lines(rpq(&r).args(["--queue", q, "--json", "len"]));
    assert_eq!(len[0]["waiting"], 0, "{len:?}");
    assert_eq!(len[0]["blocked"], 0, "{len:?}");
}

/// The outcome lines of a layout-3 consumer that drained `q`, its handler doing nothing.
fn drained(r: &RedisServer, q: &str) -> Vec<serde_json::Value> {
    let out = rpq(r)
        .args([
            "--queue", q, "--json", "consume", "--drain", "--exec", "true",
        ])
        .timeout(Duration::from_secs(120))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    ndjson(&out)
}

fn redis_server() -> RedisServer {
    crate::support::redis()
}
