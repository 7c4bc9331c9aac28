//! Limits and pauses of groups (issue 23): `rpq limit --group KEY` / `--each-group` and
//! `rpq pause --group KEY`, enforced in the claim on the server: a group at its limit or paused
//! leaves the turns and holds up no other group of any priority, and comes back when a slot
//! frees (an ack, a killed holder's lease), at its next token, or when the pause ends.

use crate::support::*;
use rpq::queue::keys::Keys;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

fn group_lines(g: &str, n: usize, priority: u8) -> Vec<String> {
    (0..n)
        .map(|i| json!({"type": "t", "priority": priority, "payload": i, "group": g}).to_string())
        .collect()
}

/// The groups of the tasks in flight now, read in one script on the server (one instant).
fn in_flight_groups(c: &mut redis::Connection) -> HashMap<String, u64> {
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
    let mut out = HashMap::new();
    for b in bodies {
        let v: Value = serde_json::from_str(crate::support::stored_body(&b)).unwrap_or(Value::Null);
        let g = v["g"].as_str().unwrap_or("").to_string();
        *out.entry(g).or_insert(0) += 1;
    }
    out
}

fn ms(v: &Value) -> i64 {
    time(v).timestamp_millis()
}

/// Keys a group leaves behind once nothing of it waits or runs.
fn group_leftovers(c: &mut redis::Connection) -> Vec<String> {
    let k = Keys::new("default", 0);
    let mut left = Vec::new();
    for key in k.group_keys().iter().filter(|k| !k.ends_with("gstate")) {
        if zcard(c, key) > 0 {
            left.push(key.clone());
        }
    }
    let held: u64 = redis::cmd("HLEN").arg(k.held()).query(c).unwrap();
    if held > 0 {
        left.push(k.held().to_string());
    }
    let gstate: Vec<String> = redis::cmd("HKEYS")
        .arg(&k.group_keys()[2])
        .query(c)
        .unwrap();
    // Settings stay (own limits, weights); nothing per group that had work.
    left.extend(
        gstate
            .into_iter()
            .filter(|f| !f.starts_with("l:") && !f.starts_with("w:")),
    );
    left
}

#[test]
fn each_group_cap_of_two_holds_under_eight_consumers_and_every_task_is_done_once() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["limit", "--each-group", "--max-in-flight", "2"])
        .assert()
        .success();
    // 20 groups: four of 15 tasks (the first all high, so a group at its cap with the best
    // priority must not hold up medium ones of others), sixteen of 3.
    let mut input = group_lines("g00", 15, 1);
    for g in 1..20 {
        let n = if g < 4 { 15 } else { 3 };
        input.extend(group_lines(&format!("g{g:02}"), n, 2));
    }
    let total = input.len();
    push_lines(&r, "default", &input);
    let running = consumers(&r, 8, &["--exec", "exec sleep 0.05"]);
    let (mut most_one, mut most_all, mut samples) = (0u64, 0u64, 0u64);
    wait_until(Duration::from_secs(60), "every task done", || {
        let now = in_flight_groups(&mut c);
        for (g, n) in &now {
            assert!(*n <= 2, "group {g} has {n} tasks in flight: {now:?}");
            most_one = most_one.max(*n);
        }
        most_all = most_all.max(now.values().sum());
        samples += 1;
        stat(&mut c, "default", "done") == total as u64
    });
    let lines = stop(running);
    eprintln!("{samples} samples; at most {most_one} of a group, {most_all} in all in flight");
    assert_eq!(most_one, 2, "the cap was reached");
    assert!(most_all > 2, "several groups ran at once: {most_all}");
    let mut seen: HashMap<String, usize> = HashMap::new();
    for l in &lines {
        assert_eq!(l["outcome"], "done", "{l}");
        *seen
            .entry(l["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(seen.len(), total, "every task done");
    assert!(seen.values().all(|&n| n == 1), "each once");
    assert!(
        group_leftovers(&mut c).is_empty(),
        "{:?}",
        group_leftovers(&mut c)
    );
    let shown = json_lines(rpq(&r).args(["--json", "limit"]));
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["each_group"], true);
    assert_eq!(shown[0]["max_in_flight"], 2);
}

#[test]
fn a_killed_holder_frees_its_groups_slot_after_its_lease_and_off_lets_the_group_go() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["limit", "--group", "solo", "--max-in-flight", "1"])
        .assert()
        .success();
    push_lines(&r, "default", &group_lines("solo", 4, 2));
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
    wait_in_flight(&mut c, "default", 1);
    let second = Proc::start(
        &r,
        &[
            "--json",
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
        "a second task of the group in flight"
    );
    let shown = json_lines(rpq(&r).args(["--json", "limit", "--group", "solo"]));
    assert_eq!(shown[0]["in_flight"], 1, "{shown:?}");
    let killed_at = server_ms(&mut c);
    holder.signal(libc::SIGKILL);
    let _ = holder.end(Duration::from_secs(10));
    wait_until(
        Duration::from_secs(10),
        "the second consumer to take the slot",
        || holds_a_task(&mut c, "default", "second"),
    );
    let took = server_ms(&mut c) - killed_at;
    eprintln!("the group's slot came back {took} ms after the kill (lease 1 s)");
    assert!(took < 2500, "the slot came back {took} ms after the kill");
    assert_eq!(in_flight(&mut c, "default"), 1, "never two of the group");

    // `--off`: the parked group comes back at once, for a third consumer.
    let third = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "--name",
            "third",
            "--lease",
            "5s",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_until(
        Duration::from_secs(10),
        "the third consumer to claim",
        || last_seen(&mut c, "default", "third") > 0,
    );
    assert!(!holds_a_task(&mut c, "default", "third"));
    rpq(&r)
        .args(["limit", "--group", "solo", "--off"])
        .assert()
        .success();
    wait_until(Duration::from_secs(3), "the third to take one", || {
        holds_a_task(&mut c, "default", "third")
    });
    rpq(&r)
        .args(["limit", "--group", "solo", "--off"])
        .assert()
        .code(1);
    for p in [second, third] {
        p.signal(libc::SIGKILL);
        let _ = p.end(Duration::from_secs(10));
    }
}

#[test]
fn a_groups_rate_spaces_its_claims_and_holds_up_no_other_group() {
    let r = redis();
    rpq(&r)
        .args(["limit", "--group", "a", "--rate", "5/s", "--burst", "1"])
        .assert()
        .success();
    let mut input = group_lines("a", 6, 1);
    input.extend(group_lines("b", 6, 2));
    push_lines(&r, "default", &input);
    let lines = json_lines(rpq(&r).args(["--json", "consume", "--count", "12"]));
    assert_eq!(lines.len(), 12);
    let a: Vec<i64> = lines
        .iter()
        .filter(|l| l["group"] == "a")
        .map(|l| ms(&l["claimed_at"]))
        .collect();
    let b_last = lines.iter().rposition(|l| l["group"] == "b").unwrap();
    let a_third = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l["group"] == "a")
        .nth(2)
        .unwrap()
        .0;
    assert!(b_last < a_third, "b waited behind a's rate: {lines:?}");
    for w in a.windows(2) {
        assert!(w[1] - w[0] >= 190, "a's claims {a:?}");
    }
    assert!(a[5] - a[0] < 2000, "a's claims {a:?}");
}

#[test]
fn a_paused_group_waits_while_others_flow_and_resumes_by_command_or_by_time() {
    let r = redis();
    let mut c = conn(&r);
    let mut input = group_lines("a", 3, 1);
    input.extend(group_lines("b", 3, 2));
    push_lines(&r, "default", &input);
    rpq(&r)
        .args(["pause", "--group", "a"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "group 'a' of queue 'default' paused until resumed",
        ));
    let lines = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    let groups: Vec<&str> = lines.iter().map(|l| l["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["b", "b", "b"]);
    assert_eq!(zcard(&mut c, Keys::new("default", 0).pending()), 3);
    rpq(&r).args(["resume", "--group", "a"]).assert().success();
    let lines = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    assert_eq!(lines.len(), 3);
    rpq(&r).args(["resume", "--group", "a"]).assert().code(1);

    // --for: it ends by itself, on the server's clock, and an idle consumer takes the task.
    push_lines(&r, "default", &group_lines("a", 1, 2));
    let at = server_ms(&mut c);
    rpq(&r)
        .args(["pause", "--group", "a", "--for", "1s"])
        .assert()
        .success();
    let lines = json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]));
    let waited = ms(&lines[0]["claimed_at"]) - at;
    eprintln!("the paused group's task was claimed {waited} ms after a pause of 1 s");
    assert!((950..3000).contains(&waited), "{waited} ms");
    assert!(
        group_leftovers(&mut c).is_empty(),
        "{:?}",
        group_leftovers(&mut c)
    );
}

/// Limits and pauses of groups combine with those of types and priorities (issue 23: no more
/// refusal either way; tests/cli/limits.rs holds them together under consumers).
#[test]
fn group_limits_and_type_limits_or_pauses_go_together() {
    let r = redis();
    rpq(&r)
        .args(["limit", "--type", "x", "--rate", "1/s"])
        .assert()
        .success();
    rpq(&r)
        .args(["limit", "--each-group", "--max-in-flight", "1"])
        .assert()
        .success();
    rpq(&r)
        .args(["pause", "--priority", "low"])
        .assert()
        .success();
    rpq(&r)
        .args(["limit", "--group", "a", "--max-in-flight", "1"])
        .assert()
        .success();
    let shown = json_lines(rpq(&r).args(["--json", "limit"]));
    assert_eq!(shown.len(), 3, "{shown:?}");
    rpq(&r)
        .args(["limit", "--group", "a\tb", "--max-in-flight", "1"])
        .assert()
        .code(2);
}

#[test]
fn groups_lists_waiting_in_flight_limits_and_pauses_largest_first_in_pages() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["limit", "--each-group", "--max-in-flight", "1"])
        .assert()
        .success();
    rpq(&r)
        .args(["limit", "--group", "big", "--rate", "10/s"])
        .assert()
        .success();
    let mut input = group_lines("big", 5, 2);
    input.extend(group_lines("mid", 3, 2));
    input.extend(group_lines("small", 1, 2));
    input.extend(group_lines("held", 2, 2));
    push_lines(&r, "default", &input);
    rpq(&r)
        .args(["pause", "--group", "held"])
        .assert()
        .success();
    let holder = Proc::start(
        &r,
        &["consume", "--lease", "10s", "--exec", "exec sleep 30"],
    );
    wait_in_flight(&mut c, "default", 1);
    let all = json_lines(rpq(&r).args(["--json", "groups"]));
    let names: Vec<&str> = all.iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 4, "{all:?}");
    let waiting: Vec<u64> = all.iter().map(|g| g["waiting"].as_u64().unwrap()).collect();
    assert!(waiting.windows(2).all(|w| w[0] >= w[1]), "{all:?}");
    assert_eq!(waiting.iter().sum::<u64>(), 10, "{all:?}");
    let flying: u64 = all.iter().map(|g| g["in_flight"].as_u64().unwrap()).sum();
    assert_eq!(flying, 1, "{all:?}");
    let by = |n: &str| all.iter().find(|g| g["group"] == n).unwrap().clone();
    assert_eq!(by("big")["rate"], 10, "its own limit");
    assert!(
        by("big").get("max_in_flight").is_none(),
        "its own limit only"
    );
    assert_eq!(by("mid")["max_in_flight"], 1, "the default");
    assert_eq!(by("held")["group_paused"], true);
    assert!(by("held").get("group_paused_until").is_none());
    assert_eq!(by("mid")["group_paused"], false);
    // Pages: two, then the two after the last of the first.
    let first = json_lines(rpq(&r).args(["--json", "groups", "--limit", "2"]));
    let last = first[1]["group"].as_str().unwrap();
    let next = json_lines(rpq(&r).args(["--json", "groups", "--limit", "2", "--after", last]));
    let paged: Vec<Value> = first.into_iter().chain(next).collect();
    let paged_names: Vec<&str> = paged.iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(paged_names, names);
    rpq(&r)
        .args(["groups", "--after", "nobody"])
        .assert()
        .code(2);
    let table = rpq(&r).args(["groups"]).assert().success();
    let text = String::from_utf8_lossy(&table.get_output().stdout).to_string();
    assert!(
        text.contains("IN FLIGHT") && text.contains("until resumed"),
        "{text}"
    );
    holder.signal(libc::SIGKILL);
    let _ = holder.end(Duration::from_secs(10));
}

/// Loose ends: a task put back by `dead retry` or `move --now` goes into its group's line and
/// takes its turn, not after every group's work.
#[test]
fn tasks_put_back_by_dead_retry_and_move_now_take_their_groups_turn() {
    let r = redis();
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 2, "id": "a-dead", "group": "a"}).to_string()],
    );
    fail_to_dead(&r, "default", 1, "exit 3");
    rpq(&r)
        .args([
            "produce", "--type", "t", "--group", "a", "--id", "a-later", "--in", "1h",
        ])
        .assert()
        .success();
    // The shard has groups with work from here on (b's ten tasks).
    push_lines(&r, "default", &group_lines("b", 10, 2));
    rpq(&r).args(["dead", "retry", "a-dead"]).assert().success();
    rpq(&r)
        .args(["move", "--now", "a-later"])
        .assert()
        .success();
    let lines = json_lines(rpq(&r).args(["--json", "consume", "--count", "12"]));
    let order: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    let at = |id: &str| order.iter().position(|&o| o == id).unwrap();
    assert!(at("a-dead") < 4 && at("a-later") < 4, "{order:?}");
}

/// Any number of groups under a limit each: 10,000 groups of one task, every one capped and
/// rate-limited, all done; then nothing per group is left (the index, the turns, the parked
/// groups, the buckets, the counts in flight), and once the limit is removed the queue has no
/// controls left either.
#[test]
fn ten_thousand_limited_groups_leave_nothing_behind() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args([
            "limit",
            "--each-group",
            "--max-in-flight",
            "1",
            "--rate",
            "100/s",
        ])
        .assert()
        .success();
    let all: Vec<String> = (0..10_000)
        .map(|i| json!({"type": "t", "priority": 2, "group": format!("tenant-{i}")}).to_string())
        .collect();
    push_lines(&r, "default", &all);
    let done = json_lines(rpq(&r).args(["--json", "consume", "--drain", "--prefetch", "50"]));
    assert_eq!(done.len(), 10_000);
    let k = Keys::new("default", 0);
    wait_until(Duration::from_secs(5), "the buckets to run out", || {
        zcard(&mut c, &k.group_keys()[4]) == 0
    });
    assert_groups_gone(&mut c, &k);
    each_group_limit_off(&r, &mut c, &k);
}

/// `rpq limit --each-group --off`, after which the shard has no controls left.
fn each_group_limit_off(r: &RedisServer, c: &mut redis::Connection, k: &Keys) {
    rpq(r)
        .args(["limit", "--each-group", "--off"])
        .assert()
        .success();
    let controls: u64 = redis::cmd("EXISTS").arg(k.controls()).query(c).unwrap();
    assert_eq!(controls, 0, "no controls left");
}

/// Nothing of the groups is left on the shard, and its checks no longer carry the groups' flag
/// (the checks are digits and bars besides their flag letters).
fn assert_groups_gone(c: &mut redis::Connection, k: &Keys) {
    assert!(group_leftovers(c).is_empty(), "{:?}", group_leftovers(c));
    let flags: Option<String> = redis::cmd("HGET")
        .arg(k.stats())
        .arg("checks")
        .query(c)
        .unwrap();
    assert!(
        !flags.unwrap_or_default().contains('g'),
        "the groups' flag is off"
    );
}

/// A rate of groups taken off while its groups still have work: the rest goes by the fast
/// claim (no controls left), which is not given the buckets' key and ends the turns without it;
/// the buckets, whose key expires by itself once the last is full again, go too, and nothing
/// of the groups is left.
#[test]
fn buckets_of_a_rate_taken_off_go_by_themselves_once_the_turns_end() {
    let r = redis();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    rpq(&r)
        .args(["limit", "--each-group", "--rate", "1/s"])
        .assert()
        .success();
    let mut all = Vec::new();
    for g in ["a", "b", "c"] {
        all.extend(group_lines(g, 4, 2));
    }
    push_lines(&r, "default", &all);
    // A token each: one task of each group, and three buckets refilling.
    let first = json_lines(rpq(&r).args(["--json", "consume", "--count", "3"]));
    assert_eq!(first.len(), 3);
    let gtat = &k.group_keys()[4];
    assert_eq!(zcard(&mut c, gtat), 3);
    let ttl: i64 = redis::cmd("PTTL").arg(gtat).query(&mut c).unwrap();
    assert!(
        ttl > 0 && ttl <= 2_000,
        "the buckets' key expires by itself: {ttl}"
    );
    each_group_limit_off(&r, &mut c, &k);
    let rest = json_lines(rpq(&r).args(["--json", "consume", "--count", "9"]));
    assert_eq!(rest.len(), 9);
    wait_until(Duration::from_secs(5), "the buckets to go", || {
        redis::cmd("EXISTS").arg(gtat).query::<u64>(&mut c).unwrap() == 0
    });
    assert_groups_gone(&mut c, &k);
}

/// Debounce: 100 pushes of one id, one after the other, with a consumer waiting all along:
/// one run, with the last payload, DUR after the last push by the server's clock;
/// --keep-first keeps the first.
#[test]
fn a_hundred_debounced_pushes_of_one_id_are_one_run_with_the_last_payload() {
    let r = redis();
    let mut c = conn(&r);
    create_queue(&r, "default");
    let consumer = Proc::start(&r, &["--json", "consume", "--name", "c"]);
    wait_consumers(&mut c, "default", 1);
    // DUR only has to be longer than the time between two pushes (a process each).
    const DUR_MS: i64 = 3000;
    let mut dues = Vec::new();
    for i in 0..100 {
        let line = json_lines(
            rpq(&r)
                .args([
                    "--json",
                    "produce",
                    "--type",
                    "t",
                    "--id",
                    "burst",
                    "--debounce",
                    "3s",
                ])
                .args(["--payload", &json!({ "n": i }).to_string()]),
        )
        .remove(0);
        let (created, due) = (ms(&line["created_at"]), ms(&line["due_at"]));
        assert_eq!(due - created, DUR_MS, "due DUR after this push: {line}");
        if let Some(&before) = dues.last() {
            assert!(
                due - before < DUR_MS,
                "the machine took {} ms between two pushes: the premise of the test is gone",
                due - before
            );
        }
        dues.push(due);
    }
    let last_due = *dues.last().unwrap();
    wait_until(Duration::from_secs(30), "the run", || {
        stat(&mut c, "default", "done") == 1
    });
    // Nothing else waits or is due: there is no second run to come.
    let l = json_lines(rpq(&r).args(["--json", "len"])).remove(0);
    assert_eq!(
        (l["waiting"].as_u64(), l["scheduled"].as_u64()),
        (Some(0), Some(0))
    );
    let lines = stop(vec![consumer]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["payload"], json!({"n": 99}));
    let claimed = ms(&lines[0]["claimed_at"]);
    assert!(
        claimed >= last_due,
        "claimed {} ms before the last push's due time",
        last_due - claimed
    );
    assert_eq!(stat(&mut c, "default", "pushed"), 1, "one task pushed");

    // --keep-first: the first payload stays; a task in flight is not debounced (known).
    for i in 0..3 {
        rpq(&r)
            .args([
                "produce",
                "--type",
                "t",
                "--id",
                "first",
                "--debounce",
                "300ms",
            ])
            .args(["--keep-first", "--payload", &json!({ "n": i }).to_string()])
            .assert()
            .success();
    }
    let lines = json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]));
    assert_eq!(lines[0]["payload"], json!({"n": 0}));
}
