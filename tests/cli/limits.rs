//! Any number of limited types (issue 23): 50 types each capped at 1 under 8 consumers, a kill
//! -9 of a holder among 50 limited types, priority order across the lines of limited types,
//! a type cap and a group cap on one queue, and nothing left of a type once its limit is off
//! and its tasks are done. In-flight counts are sampled in one script on the server (one
//! instant), never from the consumers' output.

use crate::support::*;
use rpq::queue::keys::Keys;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// The type and the group of each task in flight now, read in one script on the server.
fn in_flight(c: &mut redis::Connection) -> Vec<(String, String)> {
    let k = Keys::new("default", 0);
    let bodies: Vec<String> = redis::Script::new(
        "local out = {}
         for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
           out[#out + 1] = redis.call('HGET', KEYS[2], string.match(id, '^[^\t]*')) or ''
         end
         return out",
    )
    .key(k.inflight())
    .key(k.tasks())
    .invoke(c)
    .unwrap();
    bodies
        .iter()
        .map(|b| {
            let v: Value =
                serde_json::from_str(crate::support::stored_body(b)).unwrap_or(Value::Null);
            let s = |f: &str| v[f].as_str().unwrap_or("").to_string();
            (s("t"), s("g"))
        })
        .collect()
}

fn count_by<'a>(it: impl Iterator<Item = &'a String>) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for k in it {
        *out.entry(k.clone()).or_insert(0) += 1;
    }
    out
}

/// `rpq limit ARGS`, which must succeed; a failure says how, after how long (a hang is killed
/// at 120 s), with all it wrote on stderr.
fn limit(r: &RedisServer, args: &[&str]) {
    let began = std::time::Instant::now();
    let out = rpq(r).arg("limit").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "rpq limit {} exited {} after {:?}; stderr: {}; stdout: {}",
        args.join(" "),
        out.status,
        began.elapsed(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// What a limited type can leave on the server: the keys of the lines, fields of the
/// controls hash, entries of the held hash.
fn leftovers(c: &mut redis::Connection) -> Vec<String> {
    let k = Keys::new("default", 0);
    let mut left = Vec::new();
    for key in [
        k.limited().to_string(),
        k.limited().replace(":limited", ":lines"),
        k.limited().replace(":limited", ":lheads"),
        k.limited().replace(":limited", ":lparked"),
    ] {
        let n: u64 = redis::cmd("EXISTS").arg(&key).query(c).unwrap();
        if n > 0 {
            left.push(key);
        }
    }
    for hash in [k.controls(), k.held()] {
        let fields: Vec<String> = redis::cmd("HKEYS").arg(hash).query(c).unwrap();
        left.extend(fields.into_iter().map(|f| format!("{hash} {f}")));
    }
    left
}

fn ids_of(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

fn each_done_once(lines: &[Value], total: usize) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for l in lines {
        assert_eq!(l["outcome"], "done", "{l}");
        *seen
            .entry(l["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(seen.len(), total, "every task done");
    assert!(seen.values().all(|&n| n == 1), "each once: {seen:?}");
}

#[test]
fn fifty_types_capped_at_one_hold_under_eight_consumers_and_leave_nothing_once_off() {
    let r = redis();
    let mut c = conn(&r);
    let types: Vec<String> = (0..50).map(|i| format!("t{i:02}")).collect();
    for t in &types {
        limit(&r, &["--type", t, "--max-in-flight", "1"]);
    }
    let shown = json_lines(rpq(&r).args(["--json", "limit"]));
    assert_eq!(shown.len(), 50, "every limit shown");
    // Six of each type, the types interleaved (so a type at its cap is met at the head of
    // pending again and again), and a free type among them.
    let mut input = Vec::new();
    for round in 0..6 {
        for (i, t) in types.iter().enumerate() {
            let id = format!("{t}-{round}");
            input.push(json!({"type": t, "priority": 1 + (i % 3), "id": id}).to_string());
        }
        input.push(
            json!({"type": "free", "priority": 2, "id": format!("free-{round}")}).to_string(),
        );
    }
    let total = input.len();
    push_lines(&r, "default", &input);
    let running = consumers(&r, 8, &["--exec", "exec sleep 0.02"]);
    let (mut most_one, mut most_all, mut samples) = (0u64, 0u64, 0u64);
    wait_until(Duration::from_secs(120), "every task done", || {
        let now = in_flight(&mut c);
        let by_type = count_by(now.iter().map(|(t, _)| t));
        for (t, n) in &by_type {
            if t != "free" {
                assert!(*n <= 1, "type {t} has {n} tasks in flight: {now:?}");
                most_one = most_one.max(*n);
            }
        }
        most_all = most_all.max(now.len() as u64);
        samples += 1;
        stat(&mut c, "default", "done") == total as u64
    });
    let lines = stop(running);
    eprintln!("{samples} samples; at most {most_one} of a type, {most_all} in all in flight");
    assert_eq!(most_one, 1, "the caps were reached");
    assert!(most_all > 1, "several types ran at once: {most_all}");
    each_done_once(&lines, total);
    // With their limits on, only the limits are left: nothing waits in a line.
    let left = leftovers(&mut c);
    assert!(
        left.iter()
            .all(|f| [" limit:", " busy:", " tat:", " set:", " t:"]
                .iter()
                .any(|s| f.contains(s))
                || f.ends_with(" types")),
        "{left:?}"
    );
    for t in &types {
        limit(&r, &["--type", t, "--off"]);
    }
    assert_eq!(leftovers(&mut c), Vec::<String>::new());
}

#[test]
fn a_killed_holder_frees_its_types_slot_after_its_lease_among_many_limited_types() {
    let r = redis();
    let mut c = conn(&r);
    for i in 0..50 {
        limit(&r, &["--type", &format!("t{i:02}"), "--max-in-flight", "1"]);
    }
    let input: Vec<String> = (0..3)
        .map(|i| json!({"type": "t07", "priority": 2, "id": format!("a{i}")}).to_string())
        .collect();
    push_lines(&r, "default", &input);
    let holder = Proc::start(
        &r,
        &[
            "consume",
            "--name",
            "holder",
            "--lease",
            "1s",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_until(Duration::from_secs(10), "the holder to claim", || {
        holds_a_task(&mut c, "default", "holder")
    });
    let second = Proc::start(
        &r,
        &[
            "consume",
            "--name",
            "second",
            "--lease",
            "1s",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_until(
        Duration::from_secs(10),
        "the second consumer to claim",
        || last_seen(&mut c, "default", "second") > 0,
    );
    assert!(
        !holds_a_task(&mut c, "default", "second"),
        "a second task of t07 in flight"
    );
    let killed_at = server_ms(&mut c);
    holder.signal(libc::SIGKILL);
    wait_until(
        Duration::from_secs(10),
        "the second to take the slot",
        || holds_a_task(&mut c, "default", "second"),
    );
    let took = server_ms(&mut c) - killed_at;
    eprintln!("the slot came back {took} ms after the kill (lease 1 s)");
    assert!(took < 2500, "the slot came back {took} ms after the kill");
    assert_eq!(in_flight(&mut c).len(), 1, "still one of t07 in flight");
    let _ = holder.end(Duration::from_secs(10));
    second.signal(libc::SIGKILL);
    let _ = second.end(Duration::from_secs(10));
}

#[test]
fn priority_goes_first_across_the_lines_of_thirty_limited_types() {
    let r = redis();
    let mut c = conn(&r);
    let types: Vec<String> = (0..30).map(|i| format!("t{i:02}")).collect();
    // One token a second each: after its first task, each type's next ones wait in its line.
    for t in &types {
        limit(&r, &["--type", t, "--rate", "1/s", "--burst", "1"]);
    }
    // Arrival against priority: every low one first, then the medium ones, then the high.
    let mut input = Vec::new();
    for (p, name) in [(3, "l"), (2, "m"), (1, "h")] {
        for t in &types {
            input.push(json!({"type": t, "priority": p, "id": format!("{name}-{t}")}).to_string());
        }
    }
    push_lines(&r, "default", &input);
    let done = json_lines(rpq(&r).args(["--json", "consume", "--count", "90"]));
    let ids = ids_of(&done);
    let want: Vec<String> = ["h", "m", "l"]
        .iter()
        .flat_map(|n| types.iter().map(move |t| format!("{n}-{t}")))
        .collect();
    assert_eq!(ids, want);
    // The medium and low ones waited in their lines for their type's next token.
    let at = |id: &str| ms(&done.iter().find(|l| l["id"] == id).unwrap()["claimed_at"]);
    assert!(
        at("m-t00") - at("h-t00") >= 900,
        "{}",
        at("m-t00") - at("h-t00")
    );
    for t in &types {
        limit(&r, &["--type", t, "--off"]);
    }
    assert_eq!(leftovers(&mut c), Vec::<String>::new());
}

#[test]
fn tasks_held_in_lines_go_back_in_line_when_their_limits_go_off() {
    let r = redis();
    let mut c = conn(&r);
    let types: Vec<String> = (0..12).map(|i| format!("t{i:02}")).collect();
    for t in &types {
        limit(&r, &["--type", t, "--rate", "1/h", "--burst", "1"]);
    }
    let mut input = Vec::new();
    for round in 0..3 {
        for t in &types {
            input.push(json!({"type": t, "priority": 2, "id": format!("{t}-{round}")}).to_string());
        }
    }
    push_lines(&r, "default", &input);
    // Each type's one token: the first of each; the rest wait in their lines for an hour.
    let first = json_lines(rpq(&r).args(["--json", "consume", "--count", "12"]));
    assert_eq!(first.len(), 12, "{first:?}");
    // A claim that finds nothing it may take meets every head: they wait in their lines.
    let idle = Proc::start(&r, &["consume", "--name", "idle"]);
    let k = Keys::new("default", 0);
    wait_until(Duration::from_secs(10), "the 24 in their lines", || {
        zcard(&mut c, k.limited()) == 24
    });
    idle.signal(libc::SIGTERM);
    idle.success(Duration::from_secs(10));
    rpq(&r).arg("len").assert().success().stdout("24\n");
    let waiting = json_lines(rpq(&r).args(["--json", "list", "--state", "waiting"]));
    assert_eq!(waiting.len(), 24);
    for t in &types {
        limit(&r, &["--type", t, "--off"]);
    }
    assert_eq!(leftovers(&mut c), Vec::<String>::new());
    let rest = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    let want: Vec<String> = (1..3)
        .flat_map(|round| types.iter().map(move |t| format!("{t}-{round}")))
        .collect();
    assert_eq!(ids_of(&rest), want, "back at their places");
}

#[test]
fn a_type_cap_and_a_group_cap_hold_together_and_neither_holds_up_the_rest() {
    let r = redis();
    let mut c = conn(&r);
    limit(&r, &["--type", "a", "--max-in-flight", "2"]);
    limit(&r, &["--each-group", "--max-in-flight", "1"]);
    // Eight groups, each with tasks of type a first (high), then of type b (medium): the
    // type cap holds the a's back, the group cap each group; b's of other groups go by.
    let mut input = Vec::new();
    for g in 0..8 {
        for i in 0..4 {
            input.push(
                json!({"type": "a", "priority": 1, "group": format!("g{g}"), "id": format!("a{g}-{i}")})
                    .to_string(),
            );
        }
        for i in 0..4 {
            input.push(
                json!({"type": "b", "priority": 2, "group": format!("g{g}"), "id": format!("b{g}-{i}")})
                    .to_string(),
            );
        }
    }
    let total = input.len();
    push_lines(&r, "default", &input);
    let running = consumers(&r, 8, &["--exec", "exec sleep 0.05"]);
    let (mut most_a, mut most_group, mut most_all) = (0u64, 0u64, 0u64);
    wait_until(Duration::from_secs(120), "every task done", || {
        let now = in_flight(&mut c);
        let by_type = count_by(now.iter().map(|(t, _)| t));
        let by_group = count_by(now.iter().map(|(_, g)| g));
        let a = by_type.get("a").copied().unwrap_or(0);
        assert!(a <= 2, "{a} of type a in flight: {now:?}");
        for (g, n) in &by_group {
            assert!(*n <= 1, "group {g} has {n} in flight: {now:?}");
            most_group = most_group.max(*n);
        }
        most_a = most_a.max(a);
        most_all = most_all.max(now.len() as u64);
        stat(&mut c, "default", "done") == total as u64
    });
    let lines = stop(running);
    eprintln!("at most {most_a} of type a, {most_group} of a group, {most_all} in all");
    assert_eq!(most_a, 2, "the type cap was reached");
    assert_eq!(most_group, 1, "the group caps were reached");
    assert!(
        most_all > 2,
        "b's of other groups went by the type cap: {most_all}"
    );
    each_done_once(&lines, total);
    // Both limits shown; then off, and nothing of either is left.
    let shown = json_lines(rpq(&r).args(["--json", "limit"]));
    assert_eq!(shown.len(), 2, "{shown:?}");
    limit(&r, &["--type", "a", "--off"]);
    limit(&r, &["--each-group", "--off"]);
    // One more claim tidies what groups keep while they have limits.
    rpq(&r).args(["consume", "--drain"]).assert().success();
    assert_eq!(leftovers(&mut c), Vec::<String>::new());
}

#[test]
fn a_paused_priority_and_a_group_pause_hold_together() {
    let r = redis();
    rpq(&r)
        .args(["pause", "--priority", "low"])
        .assert()
        .success();
    rpq(&r).args(["pause", "--group", "g1"]).assert().success();
    limit(&r, &["--type", "x", "--max-in-flight", "5"]);
    let input: Vec<String> = [
        ("l0", 3, "g0"),
        ("h1", 1, "g1"),
        ("m0", 2, "g0"),
        ("m1", 2, "g1"),
        ("h0", 1, "g0"),
    ]
    .iter()
    .map(|(id, p, g)| json!({"type": "x", "priority": p, "group": g, "id": id}).to_string())
    .collect();
    push_lines(&r, "default", &input);
    let first = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    assert_eq!(ids_of(&first), ["h0", "m0"], "g1 paused, low paused");
    rpq(&r).args(["resume", "--group", "g1"]).assert().success();
    let next = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    assert_eq!(ids_of(&next), ["h1", "m1"]);
    rpq(&r)
        .args(["resume", "--priority", "low"])
        .assert()
        .success();
    let last = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    assert_eq!(ids_of(&last), ["l0"]);
}

fn ms(v: &Value) -> i64 {
    time(v).timestamp_millis()
}
