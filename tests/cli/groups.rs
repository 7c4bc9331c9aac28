//! Groups (issue 23): `produce --group` stored and shown everywhere a task is, the fair turns
//! between groups (start-time fair queueing) with weights, priority still first, tasks that
//! come back (lease recovery, retries, scheduled) going back into their group, and nothing left
//! of a group once its tasks are done.

use crate::support::*;
use rpq::queue::keys::Keys;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// `n` task lines of group `g` (payload: the index within the group) at `priority`.
fn group_lines(g: &str, n: usize, priority: u8) -> Vec<String> {
    (0..n)
        .map(|i| json!({"type": "t", "priority": priority, "payload": i, "group": g}).to_string())
        .collect()
}

/// The group keys of the default queue's shard, as the scripts name them.
fn group_keys() -> Vec<String> {
    let k = Keys::new("default", 0);
    k.group_keys().to_vec()
}

/// Consumes `n` tasks with one consumer and returns their outcome lines, in claim order.
fn consume(r: &RedisServer, n: usize) -> Vec<Value> {
    json_lines(rpq(r).args(["--json", "consume", "--count", &n.to_string()]))
}

fn group_of(v: &Value) -> String {
    v["group"].as_str().unwrap_or("").to_string()
}

fn exists(c: &mut redis::Connection, key: &str) -> bool {
    redis::cmd("EXISTS").arg(key).query::<u64>(c).unwrap() == 1
}

fn checks(c: &mut redis::Connection) -> String {
    redis::cmd("HGET")
        .arg(Keys::new("default", 0).stats())
        .arg("checks")
        .query::<Option<String>>(c)
        .unwrap()
        .unwrap_or_default()
}

/// A --pipe handler that copies each task to stderr and answers done.
const PIPE: &str = "python3 -c 'import sys, json
for l in sys.stdin:
    sys.stderr.write(l)
    print(json.dumps({\"id\": json.loads(l)[\"id\"], \"ok\": True}), flush=True)'";

#[test]
fn a_group_is_stored_and_shown_by_peek_show_consume_and_handlers() {
    let r = redis();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--payload",
            "1",
            "--id",
            "a",
            "--group",
            "acme corp",
        ])
        .assert()
        .success();
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 2, "id": "b", "group": "b\"\\é"}).to_string()],
    );
    let peeked = json_lines(rpq(&r).args(["--json", "peek", "--count", "2"]));
    assert_eq!(peeked[0]["group"], "acme corp");
    assert_eq!(peeked[1]["group"], "b\"\\é");
    let shown = rpq(&r).args(["show", "a"]).assert().success();
    let text = String::from_utf8_lossy(&shown.get_output().stdout).to_string();
    assert!(text.contains("  - Group: acme corp\n"), "{text}");
    let listed = json_lines(rpq(&r).args(["--json", "list", "--state", "waiting"]));
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().any(|t| t["group"] == "acme corp"),
        "{listed:?}"
    );
    // --exec's environment, and the outcome line.
    let out = rpq(&r)
        .args([
            "--json",
            "consume",
            "--count",
            "2",
            "--exec",
            "printf '%s' \"$RPQ_TASK_GROUP\" >&2",
        ])
        .assert()
        .success();
    let lines = ndjson(&out.get_output().stdout);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(lines.len(), 2);
    assert!(
        stderr.contains("acme corp") && stderr.contains("b\"\\é"),
        "{stderr}"
    );
    let groups: Vec<String> = lines.iter().map(group_of).collect();
    assert!(groups.contains(&"acme corp".to_string()), "{lines:?}");
    // --pipe's JSON carries it too.
    rpq(&r)
        .args(["produce", "--type", "t", "--group", "piped"])
        .assert()
        .success();
    let out = rpq(&r)
        .args(["consume", "--count", "1", "--pipe", PIPE])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("\"group\":\"piped\""), "{stderr}");
}

#[test]
fn a_bad_group_is_refused_with_one_line_and_nothing_queued() {
    let r = redis();
    let long = "x".repeat(257);
    for bad in ["", "a\tb", "a\nb", long.as_str()] {
        let out = rpq(&r)
            .args(["produce", "--type", "t", "--group", bad])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.starts_with("rpq: --group: the task group"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let line = json!({"type": "t", "priority": 1, "group": "a\tb"}).to_string();
    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(line)
        .assert()
        .code(65);
    let mut c = conn(&r);
    assert_eq!(zcard(&mut c, Keys::new("default", 0).pending()), 0);
}

/// The test: one group pushes 5,000 tasks, then 9 groups 20 each, all medium. Every
/// group starts at the same virtual time, so each round of 10 claims serves each group once
/// (ties by key: "big" first): the 180 small-group tasks are exactly claims 2-10, 12-20, ... of
/// the first 200, and FIFO holds within every group. A FIFO queue would take 5,180.
#[test]
fn nine_small_groups_are_done_within_the_first_200_claims_behind_a_group_of_5000() {
    let r = redis();
    push_lines(&r, "default", &group_lines("big", 5000, 2));
    let mut small = Vec::new();
    for g in 1..=9 {
        small.extend(group_lines(&format!("g{g}"), 20, 2));
    }
    push_lines(&r, "default", &small);
    let done = consume(&r, 200);
    assert_eq!(done.len(), 200);
    let small_done = done.iter().filter(|v| group_of(v) != "big").count();
    assert_eq!(
        small_done, 180,
        "the small groups' tasks among the first 200 claims"
    );
    let mut next: HashMap<String, u64> = HashMap::new();
    for (k, v) in done.iter().enumerate() {
        let g = group_of(v);
        let want = next.entry(g.clone()).or_insert(0);
        assert_eq!(
            v["payload"].as_u64(),
            Some(*want),
            "FIFO within {g} at claim {k}"
        );
        *want += 1;
        // Turns: within each round of 10, every group once.
        if k % 10 == 0 {
            assert_eq!(g, "big", "claim {k}");
        }
    }
    assert_eq!(next["big"], 20);
}

/// A group that gets work while others are served starts at the virtual time: it is served
/// within one round of the groups that waited, and it does not take several turns in a row
/// to catch up on the time it had no work.
#[test]
fn a_group_that_just_got_work_takes_its_turn_and_no_more() {
    let r = redis();
    push_lines(&r, "default", &group_lines("a", 100, 2));
    push_lines(&r, "default", &group_lines("b", 100, 2));
    assert_eq!(consume(&r, 40).len(), 40);
    push_lines(&r, "default", &group_lines("late", 10, 2));
    let done = consume(&r, 30);
    let groups: Vec<String> = done.iter().map(group_of).collect();
    // The late group: once in every round of three, from the first round on.
    let late: Vec<usize> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| *g == "late")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(late.len(), 10, "{groups:?}");
    assert!(late[0] < 3, "{groups:?}");
    for w in late.windows(2) {
        assert!(w[1] - w[0] <= 3 && w[1] - w[0] >= 2, "{groups:?}");
    }
}

/// Group `a` waits with two low tasks; then one push of `batch` (group, priority, payload);
/// then six claims: what they took, as (group, priority, payload).
fn claims_after_a_batch(batch: &[(&str, u8, u32)]) -> Vec<(String, u64, u64)> {
    let r = redis();
    let task = |g: &str, p: u8, i: u32| {
        json!({"type": "t", "priority": p, "payload": i, "group": g}).to_string()
    };
    push_lines(&r, "default", &[task("a", 3, 0), task("a", 3, 1)]);
    let lines: Vec<String> = batch.iter().map(|&(g, p, i)| task(g, p, i)).collect();
    push_lines(&r, "default", &lines);
    consume(&r, 6)
        .iter()
        .map(|v| {
            (
                group_of(v),
                v["priority"].as_u64().unwrap(),
                v["payload"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// What the batches below must give: `a` moved to high keeping its turn, `b` waiting at its
/// best, each first come first served.
fn the_batchs_order() -> Vec<(String, u64, u64)> {
    [
        ("a", 1, 2),
        ("b", 1, 1),
        ("a", 3, 0),
        ("b", 3, 0),
        ("a", 3, 1),
        ("a", 3, 3),
    ]
    .iter()
    .map(|&(g, p, i)| (g.to_string(), p, i))
    .collect()
}

/// One push of a batch indexes its tasks together (groups.lua: index_many): a group already
/// waiting that gets a better priority moves to it keeping its turn, a new group that gets two
/// priorities in the batch waits at the better one, and each stays first come first served.
#[test]
fn a_batch_moves_a_waiting_group_to_a_better_priority_and_a_new_group_to_its_best() {
    let batch = [("a", 1, 2), ("b", 3, 0), ("b", 1, 1), ("a", 3, 3)];
    assert_eq!(claims_after_a_batch(&batch), the_batchs_order());
}

/// The same when the batch's first group is new to the turns: the batch's groups join with
/// ZADD NX (groups.lua: index_many), and, since not all were new, the scores are read after
/// it, so the group already waiting still moves to the better priority, keeping its turn.
#[test]
fn a_batch_led_by_a_new_group_still_moves_a_waiting_group_to_a_better_priority() {
    let batch = [("b", 3, 0), ("b", 1, 1), ("a", 1, 2), ("a", 3, 3)];
    assert_eq!(claims_after_a_batch(&batch), the_batchs_order());
}

/// Weights: 3 to 1. Start-time fair queueing keeps the two tags within one step of each other
/// (a group of weight w moves 10^6 / w a turn), so over any prefix of claims while both have
/// work, a's count is 3 x b's within 3: over 2,000 claims 1,500 and 500, give or take 3.
#[test]
fn weights_three_to_one_share_the_claims_three_to_one() {
    let r = redis();
    rpq(&r)
        .args(["group", "weight", "a", "3"])
        .assert()
        .success();
    let shown = json_lines(rpq(&r).args(["--json", "group", "weight", "a"]));
    assert_eq!(shown[0], json!({"group": "a", "weight": 3}));
    push_lines(&r, "default", &group_lines("a", 2000, 2));
    push_lines(&r, "default", &group_lines("b", 2000, 2));
    let done = consume(&r, 2000);
    let a = done.iter().filter(|v| group_of(v) == "a").count() as i64;
    let b = done.len() as i64 - a;
    assert!(
        (a - 1500).abs() <= 3 && (b - 500).abs() <= 3,
        "a {a}, b {b}"
    );
    // Over every prefix, too.
    let mut na = 0i64;
    for (k, v) in done.iter().enumerate() {
        if group_of(v) == "a" {
            na += 1;
        }
        let nb = k as i64 + 1 - na;
        assert!(
            (na - 3 * nb).abs() <= 4,
            "after {} claims: a {na}, b {nb}",
            k + 1
        );
    }
    rpq(&r).args(["group", "weight", "a", "0"]).assert().code(2);
}

/// A weight stored by an rpq from before the flag letter 'w' (the fast claim reads weights only
/// under it): the field is there, the letter is not. A consumer's first claim finds it and sets
/// the letter, so the weight holds rather than counting as 1.
#[test]
fn a_weight_stored_without_the_flag_letter_is_found_by_the_first_claim() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &group_lines("a", 400, 2));
    push_lines(&r, "default", &group_lines("b", 400, 2));
    let k = Keys::new("default", 0);
    redis::cmd("HSET")
        .arg(&k.group_keys()[2])
        .arg("w:a")
        .arg("3")
        .query::<()>(&mut c)
        .unwrap();
    let checks: String = redis::cmd("HGET")
        .arg(k.stats())
        .arg("checks")
        .query(&mut c)
        .unwrap();
    assert!(
        checks.ends_with('g'),
        "grouped, no weight flagged: {checks}"
    );
    let done = consume(&r, 400);
    let a = done.iter().filter(|v| group_of(v) == "a").count() as i64;
    assert!((a - 300).abs() <= 3, "a {a} of 400 (1:1 would be 200)");
    let checks: String = redis::cmd("HGET")
        .arg(k.stats())
        .arg("checks")
        .query(&mut c)
        .unwrap();
    assert!(checks.contains('w'), "{checks}");
}

/// Priority comes first: a high task of any group before a medium one of another, and the
/// tasks without a group take their turn as the default group.
#[test]
fn priority_comes_before_the_turns_and_ungrouped_tasks_take_theirs() {
    let r = redis();
    push_lines(&r, "default", &group_lines("x", 5, 2));
    push_lines(&r, "default", &lines(vec![2; 5]));
    push_lines(&r, "default", &group_lines("y", 1, 1));
    push_lines(&r, "default", &group_lines("z", 2, 3));
    let done = consume(&r, 13);
    let seen: Vec<(u64, String)> = done
        .iter()
        .map(|v| (v["priority"].as_u64().unwrap(), group_of(v)))
        .collect();
    assert_eq!(seen[0], (1, "y".into()), "{seen:?}");
    assert!(seen[1..11].iter().all(|(p, _)| *p == 2), "{seen:?}");
    assert!(seen[11..].iter().all(|(p, _)| *p == 3), "{seen:?}");
    // x and the default group in turn.
    let medium: Vec<&str> = seen[1..11].iter().map(|(_, g)| g.as_str()).collect();
    for pair in medium.chunks(2) {
        assert!(pair.contains(&"x") && pair.contains(&""), "{medium:?}");
    }
}

/// A group whose head went by another way (a cancel leaves its entry in the group's line) is
/// put at its next head's priority when a claim meets it: the fast claim moves it from what
/// its ZINCRBY answers, and a group of a better priority than that next head goes first.
#[test]
fn a_group_whose_best_task_was_cancelled_waits_at_its_next_priority() {
    let r = redis();
    let first = json!({"type": "t", "priority": 1, "id": "a-high", "group": "a"}).to_string();
    push_lines(&r, "default", &[first]);
    push_lines(&r, "default", &group_lines("a", 3, 3));
    push_lines(&r, "default", &group_lines("b", 3, 2));
    rpq(&r).args(["cancel", "a-high"]).assert().success();
    let done = consume(&r, 6);
    let seen: Vec<(u64, String)> = done
        .iter()
        .map(|v| (v["priority"].as_u64().unwrap(), group_of(v)))
        .collect();
    let b: Vec<(u64, String)> = vec![(2, "b".into()); 3];
    let a: Vec<(u64, String)> = vec![(3, "a".into()); 3];
    assert_eq!(seen, [b, a].concat());
}

/// An idle group leaves nothing: once every task is done, the keys of groups are gone and the
/// flag is off, so the next claims go the fast way again.
#[test]
fn nothing_of_a_group_is_left_once_its_tasks_are_done() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &group_lines("a", 30, 2));
    push_lines(&r, "default", &lines(vec![2; 10]));
    assert!(checks(&mut c).ends_with("|g"), "{}", checks(&mut c));
    for k in &group_keys()[..2] {
        assert!(exists(&mut c, k), "{k}");
    }
    assert_eq!(consume(&r, 40).len(), 40);
    for k in group_keys() {
        assert!(!exists(&mut c, &k), "{k} is left");
    }
    assert!(!checks(&mut c).contains('g'), "{}", checks(&mut c));
}

/// Tasks that come back go back into their group at their place: a lease that expired (kill -9
/// of its consumer) is claimed before the later tasks of its group, and a scheduled task of a
/// group joins that group's turns when it falls due.
#[test]
fn recovered_and_scheduled_tasks_go_back_into_their_group() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["produce", "--type", "t", "--group", "a", "--id", "a0"])
        .assert()
        .success();
    let held = Proc::start(&r, &["consume", "--lease", "1s", "--exec", "sleep 60"]);
    wait_in_flight(&mut c, "default", 1);
    held.signal(libc::SIGKILL);
    let _ = held.end(Duration::from_secs(10));
    for id in ["a1", "a2"] {
        rpq(&r)
            .args(["produce", "--type", "t", "--group", "a", "--id", id])
            .assert()
            .success();
    }
    rpq(&r)
        .args([
            "produce", "--type", "t", "--group", "b", "--in", "200ms", "--id", "b0",
        ])
        .assert()
        .success();
    let keys = Keys::new("default", 0);
    let score = |c: &mut redis::Connection, key: &str, id: &str| -> i64 {
        let s: Option<i64> = redis::cmd("ZSCORE").arg(key).arg(id).query(c).unwrap();
        s.unwrap_or(0)
    };
    // Both by the server's clock: b0's due time is its push's, which a slow process start can
    // put after the lease's end.
    let lease_end = lease_deadline(&mut c, "default", "a0").unwrap_or(0);
    let due = score(&mut c, keys.scheduled(), "b0");
    assert!(lease_end > 0 && due > 0, "a0 in flight and b0 scheduled");
    wait_until(
        Duration::from_secs(10),
        "the lease and the due time to pass",
        || server_ms(&mut c) > lease_end.max(due) + 50,
    );
    let done = consume(&r, 4);
    let ids: Vec<&str> = done.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(done.len(), 4, "{ids:?}");
    assert!(done.iter().all(|v| v["outcome"] == "done"), "{done:?}");
    let at = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert!(at("a0") < at("a1") && at("a1") < at("a2"), "{ids:?}");
    // b0 took its turn between a's: a group of its own, not after every task of a.
    assert!(at("b0") < at("a2"), "{ids:?}");
    assert_eq!(done[at("a0")]["attempt"], 2);
    for k in group_keys() {
        assert!(!exists(&mut c, &k), "{k} is left");
    }
}

/// Every waiting task of a shard with groups is in its group's line: after a consumer that
/// held prefetched tasks stops (it releases them), `gpending` indexes exactly what `pending`
/// holds, and the released tasks are claimed in their groups' turns.
#[test]
fn released_tasks_go_back_into_their_group() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &group_lines("a", 10, 2));
    push_lines(&r, "default", &group_lines("b", 10, 2));
    let p = Proc::start(&r, &["consume", "--prefetch", "5", "--exec", "sleep 1"]);
    wait_in_flight(&mut c, "default", 5);
    p.signal(libc::SIGTERM);
    p.success(Duration::from_secs(20));
    let k = Keys::new("default", 0);
    let waiting = zcard(&mut c, k.pending());
    assert!(waiting >= 15, "{waiting} waiting");
    assert_eq!(zcard(&mut c, &group_keys()[0]), waiting);
    let done = consume(&r, waiting as usize);
    let groups: Vec<String> = done.iter().map(group_of).collect();
    // Turns: no group twice in a row while both have work.
    let a = groups.iter().filter(|g| *g == "a").count();
    let both = 2 * a.min(groups.len() - a);
    for w in groups[..both - 1].windows(2) {
        assert_ne!(w[0], w[1], "{groups:?}");
    }
}

/// `rpq groups`: the groups with waiting tasks, the largest first, with their weights, the
/// default group without a key; --limit pages; nothing once they are done.
#[test]
fn groups_lists_the_groups_with_work_largest_first() {
    let r = redis();
    push_lines(&r, "default", &group_lines("small", 2, 2));
    push_lines(&r, "default", &group_lines("large", 5, 1));
    push_lines(&r, "default", &lines(vec![3; 3]));
    rpq(&r)
        .args(["group", "weight", "small", "4"])
        .assert()
        .success();
    let listed = json_lines(rpq(&r).args(["--json", "groups"]));
    assert_eq!(
        listed,
        vec![
            json!({"group": "large", "waiting": 5, "in_flight": 0, "weight": 1, "group_paused": false}),
            json!({"waiting": 3, "in_flight": 0, "weight": 1, "group_paused": false}),
            json!({"group": "small", "waiting": 2, "in_flight": 0, "weight": 4, "group_paused": false}),
        ]
    );
    let first = json_lines(rpq(&r).args(["--json", "groups", "--limit", "1"]));
    assert_eq!(first.len(), 1);
    let text = rpq(&r).arg("groups").assert().success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        text.starts_with(
            "GROUP   WAITING  IN FLIGHT  WEIGHT  LIMIT  PAUSED\nlarge         5          0       1  -      -\n"
        ),
        "{text}"
    );
    assert_eq!(consume(&r, 10).len(), 10);
    assert!(json_lines(rpq(&r).args(["--json", "groups"])).is_empty());
}

/// Tasks already waiting when a shard meets its first group take their turns as the default
/// group from then on.
#[test]
fn tasks_waiting_before_the_first_group_take_their_turns() {
    let r = redis();
    push_lines(&r, "default", &lines(vec![2; 6]));
    push_lines(&r, "default", &group_lines("a", 6, 2));
    let done = consume(&r, 12);
    let groups: Vec<String> = done.iter().map(group_of).collect();
    for pair in groups.chunks(2) {
        assert!(
            pair.contains(&"a".to_string()) && pair.contains(&String::new()),
            "{groups:?}"
        );
    }
}

/// Any number of groups: 10,000 groups of one task each are all claimed, and once they are
/// done not a key or a field per group is left (the weights set stay, nothing else).
#[test]
fn ten_thousand_groups_of_one_task_leave_nothing_behind() {
    let r = redis();
    let mut c = conn(&r);
    let all: Vec<String> = (0..10_000)
        .map(|i| json!({"type": "t", "priority": 2, "group": format!("tenant-{i}")}).to_string())
        .collect();
    push_lines(&r, "default", &all);
    rpq(&r)
        .args(["group", "weight", "tenant-7", "5"])
        .assert()
        .success();
    assert_eq!(zcard(&mut c, &group_keys()[1]), 10_000);
    let done = json_lines(rpq(&r).args(["--json", "consume", "--drain", "--prefetch", "50"]));
    assert_eq!(done.len(), 10_000);
    assert!(!exists(&mut c, &group_keys()[0]));
    assert!(!exists(&mut c, &group_keys()[1]));
    let state: Vec<String> = redis::cmd("HKEYS")
        .arg(&group_keys()[2])
        .query(&mut c)
        .unwrap();
    assert_eq!(state, vec!["w:tenant-7".to_string()]);
}

/// The size: 100,000 groups of one task each, drained by four consumers with prefetch:
/// every task is done once, and then not a key or a hash field per group is left (the weight
/// set stays, nothing else; the flag of groups is off again).
#[test]
fn a_hundred_thousand_groups_of_one_task_are_each_done_once_and_leave_nothing_behind() {
    let r = redis();
    let mut c = conn(&r);
    let all: Vec<String> = (0..100_000)
        .map(|i| {
            json!({"type": "t", "priority": 1 + i % 3, "id": format!("t{i}"), "group": format!("tenant-{i}")})
                .to_string()
        })
        .collect();
    for batch in all.chunks(25_000) {
        push_lines(&r, "default", batch);
    }
    rpq(&r)
        .args(["group", "weight", "tenant-7", "5"])
        .assert()
        .success();
    assert_eq!(zcard(&mut c, &group_keys()[0]), 100_000);
    assert_eq!(zcard(&mut c, &group_keys()[1]), 100_000);
    let procs: Vec<Proc> = (0..4)
        .map(|i| {
            let name = format!("c{i}");
            Proc::start(
                &r,
                &[
                    "--json",
                    "consume",
                    "--name",
                    &name,
                    "--drain",
                    "--prefetch",
                    "64",
                ],
            )
        })
        .collect();
    let done: Vec<Value> = procs
        .into_iter()
        .flat_map(|p| ndjson(&p.success(Duration::from_secs(300))))
        .collect();
    assert!(done.iter().all(|v| v["outcome"] == "done"));
    let mut ids: Vec<&str> = done.iter().map(|v| v["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((done.len(), ids.len()), (100_000, 100_000));
    for k in group_keys() {
        if k != group_keys()[2] {
            assert!(!exists(&mut c, &k), "{k} is left");
        }
    }
    let state: Vec<String> = redis::cmd("HKEYS")
        .arg(&group_keys()[2])
        .query(&mut c)
        .unwrap();
    assert_eq!(state, vec!["w:tenant-7".to_string()]);
    assert!(!checks(&mut c).contains('g'), "{}", checks(&mut c));
}

/// With aging on, claims follow aging, not the turns; the index of groups still goes with the
/// tasks, so nothing of the groups is left once they are done.
#[test]
fn with_aging_on_the_groups_leave_nothing_behind_either() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r).args(["aging", "1h"]).assert().success();
    push_lines(&r, "default", &group_lines("a", 20, 2));
    push_lines(&r, "default", &group_lines("b", 20, 3));
    let done = consume(&r, 40);
    assert_eq!(done.len(), 40);
    for k in group_keys() {
        assert!(!exists(&mut c, &k), "{k} is left");
    }
}

/// The test with two consumers at once: ordered by the server's claim times, every task
/// of the 9 small groups is among the first 400 claims (the turns put them within the first
/// 200; two consumers claiming in the same millisecond can only swap neighbours).
#[test]
fn two_consumers_do_the_small_groups_within_the_first_400_claims() {
    let r = redis();
    push_lines(&r, "default", &group_lines("big", 5000, 2));
    let mut small = Vec::new();
    for g in 1..=9 {
        small.extend(group_lines(&format!("g{g}"), 20, 2));
    }
    push_lines(&r, "default", &small);
    let procs: Vec<Proc> = (0..2)
        .map(|i| {
            let name = format!("c{i}");
            Proc::start(
                &r,
                &["--json", "consume", "--name", &name, "--count", "250"],
            )
        })
        .collect();
    let mut done: Vec<Value> = procs
        .into_iter()
        .flat_map(|p| ndjson(&p.success(Duration::from_secs(60))))
        .collect();
    assert_eq!(done.len(), 500);
    done.sort_by_key(|v| time(&v["claimed_at"]));
    let small_done = done[..400].iter().filter(|v| group_of(v) != "big").count();
    assert_eq!(small_done, 180);
}

/// Four consumers with prefetch on 50 groups: every task is done exactly once, and nothing of
/// the groups is left.
#[test]
fn every_grouped_task_is_done_once_under_four_consumers_with_prefetch() {
    let r = redis();
    let mut c = conn(&r);
    let all: Vec<String> = (0..2000)
        .map(|i| {
            json!({"type": "t", "priority": 1 + i % 3, "id": format!("t{i}"), "group": format!("g{}", i % 50)})
                .to_string()
        })
        .collect();
    push_lines(&r, "default", &all);
    let procs: Vec<Proc> = (0..4)
        .map(|i| {
            let name = format!("c{i}");
            Proc::start(
                &r,
                &[
                    "--json",
                    "consume",
                    "--name",
                    &name,
                    "--drain",
                    "--prefetch",
                    "8",
                ],
            )
        })
        .collect();
    let done: Vec<Value> = procs
        .into_iter()
        .flat_map(|p| ndjson(&p.success(Duration::from_secs(120))))
        .collect();
    let mut ids: Vec<&str> = done.iter().map(|v| v["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((done.len(), ids.len()), (2000, 2000));
    assert!(done.iter().all(|v| v["outcome"] == "done"));
    for k in group_keys() {
        assert!(!exists(&mut c, &k), "{k} is left");
    }
}

/// Groups and lifecycle events together: a grouped task's events name its group, from the
/// grouped scripts (push, the fair claim, the ack) as from the plain ones.
#[test]
fn a_grouped_tasks_events_carry_its_group() {
    let r = redis();
    rpq(&r).args(["events", "--enable"]).assert().success();
    push_lines(&r, "default", &group_lines("acme", 2, 2));
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 2, "payload": 0}).to_string()],
    );
    assert_eq!(consume(&r, 3).len(), 3);
    let events = json_lines(rpq(&r).args(["events", "--json"]));
    let of = |name: &str, grouped: bool| {
        events
            .iter()
            .filter(|e| e["event"] == name && e["group"].is_string() == grouped)
            .count()
    };
    for name in ["pushed", "claimed", "done"] {
        assert_eq!(of(name, true), 2, "{name}: {events:?}");
        assert_eq!(of(name, false), 1, "{name}: {events:?}");
    }
    assert!(events
        .iter()
        .filter(|e| e["group"].is_string())
        .all(|e| e["group"] == "acme"));
}

/// A grouped push into a full server: the push of a grouped task writes two indexes (the
/// priority line and the group's), and a batch refused half way by `maxmemory` must leave each
/// task it queued in both and none in either alone. The consumers then take exactly the tasks
/// said to be queued, each once, in their groups, and nothing of the groups is left.
#[test]
fn grouped_pushes_into_a_full_server_leave_every_queued_task_in_its_group_and_no_other() {
    let (r, stderr) = filled_server("default", Some(|i| format!("g{}", i % 10)));
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let n = zcard(&mut c, k.pending());
    assert!(n > 0 && n < 2001, "{n}: {stderr}");
    assert!(
        stderr.starts_with(&format!("rpq: {n} tasks queued; line {} ", n + 1)),
        "{stderr}"
    );
    let indexed = zcard(&mut c, &k.group_keys()[0]);
    assert_eq!(
        indexed, n,
        "every queued task in its group's index, and no other"
    );
    // Room to run: the claims write leases and counters.
    set_maxmemory(&mut c, "0");
    let done = consume(&r, n as usize);
    let ids: std::collections::HashSet<String> = done
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len() as u64, n, "each task once");
    let expected: std::collections::HashSet<String> = (0..n).map(|i| format!("i{i}")).collect();
    assert_eq!(
        ids, expected,
        "the tasks said to be queued, the first n lines"
    );
    assert!(done.iter().all(|v| group_of(v)
        == format!(
            "g{}",
            &v["id"].as_str().unwrap()[1..].parse::<u64>().unwrap() % 10
        )));
    assert_eq!(zcard(&mut c, k.pending()), 0);
    for key in group_keys() {
        assert!(!exists(&mut c, &key), "{key} is left");
    }
}
