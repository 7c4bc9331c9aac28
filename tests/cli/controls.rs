//! Controls (issue 13): pause and resume under running consumers, `--for` on the server's clock,
//! lease recovery while paused, a rate limit and an in-flight cap across consumers, a limited
//! type that does not hold up the others, and all of it on a sharded queue. Times come from the
//! server (`claimed_at` is the claim script's clock), never from the test's.

use crate::support::*;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// The time in ms of an RFC 3339 field.
fn ms(v: &Value) -> i64 {
    time(v).timestamp_millis()
}

/// Ends consumers that print no JSON, insisting they exit 0.
fn stop_plain(procs: Vec<Proc>) {
    for p in &procs {
        p.signal(libc::SIGTERM);
    }
    for p in procs {
        p.success(Duration::from_secs(20));
    }
}

#[test]
fn pause_stops_running_consumers_at_their_next_claim_and_resume_wakes_them() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &lines_with_ids(mixed(300)));
    let running = consumers(&r, 3, &["--delay", "10ms"]);
    wait_until(Duration::from_secs(20), "some tasks done", || {
        stat(&mut c, "default", "done") >= 30
    });
    rpq(&r)
        .arg("pause")
        .assert()
        .success()
        .stdout("queue 'default' paused: every priority until resumed\n");
    let paused_at = server_ms(&mut c);
    // Each consumer finishes the task in hand, then claims and finds nothing to take.
    wait_until(
        Duration::from_secs(10),
        "every consumer to claim again",
        || {
            in_flight(&mut c, "default") == 0
                && (0..3).all(|i| last_seen(&mut c, "default", &format!("c{i}")) > paused_at)
        },
    );
    let waiting = stat(&mut c, "default", "pushed") - stat(&mut c, "default", "done");
    assert!(waiting > 0, "the pause came too late to hold anything back");
    rpq(&r)
        .arg("len")
        .assert()
        .success()
        .stdout(format!("{waiting}\n"));
    rpq(&r)
        .args(["--json", "stats"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            r#""paused":[{"priority":1,"until":null},"#,
        ));

    let resumed_at = server_ms(&mut c);
    rpq(&r).arg("resume").assert().success();
    wait_until(Duration::from_secs(30), "every task done", || {
        stat(&mut c, "default", "done") == 300
    });
    let lines = stop(running);
    let mut done = HashMap::new();
    count_done(&mut done, &lines);
    assert_eq!(done.len(), 300);
    assert!(done.values().all(|&n| n == 1));
    // No claim between the pause's return and the resume, by the server's clock.
    let between: Vec<&Value> = lines
        .iter()
        .filter(|l| (paused_at..resumed_at).contains(&ms(&l["claimed_at"])))
        .collect();
    assert!(between.is_empty(), "claimed while paused: {between:?}");
    // Idle consumers were woken by the resume: each claimed within a second of it (an idle
    // consumer that is not woken claims again only after 5 s).
    for i in 0..3 {
        let first = lines
            .iter()
            .filter(|l| l["consumer"] == format!("c{i}") && ms(&l["claimed_at"]) >= resumed_at)
            .map(|l| ms(&l["claimed_at"]))
            .min()
            .unwrap_or_else(|| panic!("c{i} claimed nothing after the resume"));
        eprintln!("c{i} claimed {} ms after the resume", first - resumed_at);
        assert!(
            first - resumed_at < 1000,
            "c{i} claimed {} ms after the resume",
            first - resumed_at
        );
    }
}

#[test]
fn a_pause_for_a_while_ends_by_itself_on_the_servers_clock() {
    let r = redis();
    push_lines(&r, "default", &lines([1, 2, 3]));
    let out = json_lines(rpq(&r).args(["--json", "pause", "--for", "1s"]));
    let until = ms(&out[0]["paused"][0]["until"]);
    let consumer = Proc::start(&r, &["--json", "consume", "--count", "3", "--name", "c"]);
    let e = consumer.end(Duration::from_secs(20));
    assert!(e.status.success(), "{}", e.stderr);
    assert!(
        e.stderr.contains("queue 'default' is paused; c waits"),
        "{}",
        e.stderr
    );
    let claimed: Vec<i64> = ndjson(&e.stdout)
        .iter()
        .map(|l| ms(&l["claimed_at"]))
        .collect();
    assert_eq!(claimed.len(), 3);
    assert!(
        claimed.iter().all(|&t| t >= until),
        "{claimed:?} before {until}"
    );
    eprintln!("claimed {} ms after the pause ended", claimed[0] - until);
    // The end of the pause is a due time: the consumer's waker claims at it, not 5 s later.
    assert!(
        claimed[0] - until < 500,
        "claimed {} ms after the pause ended",
        claimed[0] - until
    );
    rpq(&r)
        .args(["--json", "stats"])
        .assert()
        .success()
        .stdout(predicates::str::contains(r#""paused":[]"#));
}

/// A drain meets a pause: one with an end is waited for (its tasks come due), one without would
/// keep the drain for ever, so the drain takes what it may and ends, saying what it leaves.
#[test]
fn a_drain_waits_out_a_pause_with_an_end_and_stops_at_one_without() {
    let r = redis();
    push_lines(&r, "default", &lines([1, 3]));
    rpq(&r)
        .args(["pause", "--priority", "3"])
        .assert()
        .success();
    let out = rpq(&r)
        .args(["--json", "consume", "--drain"])
        .timeout(Duration::from_secs(20))
        .assert()
        .success();
    let done = ndjson(&out.get_output().stdout);
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0]["priority"], 1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("queue 'default' is paused; the drain ends with its paused tasks waiting"),
        "{err}"
    );
    assert_eq!(stats_json(&r, "default")["waiting"], 1);

    // Paused for a while instead: the drain waits for its end and takes the task.
    rpq(&r).args(["resume"]).assert().success();
    rpq(&r)
        .args(["pause", "--priority", "3", "--for", "1s"])
        .assert()
        .success();
    let done = json_lines(
        rpq(&r)
            .args(["--json", "consume", "--drain"])
            .timeout(Duration::from_secs(20)),
    );
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0]["priority"], 3);
    assert_eq!(stats_json(&r, "default")["waiting"], 0);
}

#[test]
fn a_lease_that_runs_out_while_paused_comes_back_and_waits() {
    let r = redis();
    let mut c = conn(&r);
    push_one(&r, "t", "x");
    // exec: the handler dies with its consumer, so no orphan holds the pipes.
    let holder = Proc::start(&r, &["consume", "--lease", "1s", "--exec", "exec sleep 30"]);
    wait_in_flight(&mut c, "default", 1);
    rpq(&r).arg("pause").assert().success();
    holder.signal(libc::SIGKILL);
    let _ = holder.end(Duration::from_secs(10));
    let other = Proc::start(&r, &["--json", "consume", "--name", "other"]);
    // The idle consumer sleeps until the lease runs out and recovers it, paused or not.
    wait_until(
        Duration::from_secs(10),
        "the expired lease to be recovered",
        || stat(&mut c, "default", "recovered") == 1,
    );
    let shown = json_lines(rpq(&r).args(["--json", "show", "x"]));
    assert_eq!(
        (shown[0]["state"].as_str(), shown[0]["attempt"].as_u64()),
        (Some("waiting"), Some(1))
    );
    assert_eq!(in_flight(&mut c, "default"), 0, "claimed while paused");
    rpq(&r).arg("resume").assert().success();
    wait_until(Duration::from_secs(10), "the task done", || {
        stat(&mut c, "default", "done") == 1
    });
    let lines = stop(vec![other]);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0]["id"].as_str(), lines[0]["attempt"].as_u64()),
        (Some("x"), Some(2))
    );
}

#[test]
fn a_rate_limit_holds_across_four_consumers() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["limit", "--rate", "50/s"])
        .assert()
        .success()
        .stdout("every task: 50 per 1s (burst 50)\n");
    // The bucket is full at the first claim, and a token that comes while it is full is lost:
    // the counts below hold only if the consumers ask for more than the rate lets go from the
    // first claim on. Started on a queue with tasks, they came up one by one, each taking a
    // task a call; on a loaded machine all four stalled for 200 ms after their first claims,
    // slower than 50/s, and 4 to 24 tokens of the burst were lost (226 claims in the first
    // 4 s). So the four wait on a pause until each has looked once, the resume lets them go
    // together, and each asks for up to 16 a call: the burst goes in one round, and from then
    // on only a stall of them all for a whole second (the bucket's 50 tokens) loses a token,
    // as in the steady part.
    rpq(&r).arg("pause").assert().success();
    push_lines(&r, "default", &lines(mixed(600)));
    let running = consumers(&r, 4, &["--prefetch", "16"]);
    wait_consumers(&mut c, "default", 4);
    rpq(&r).arg("resume").assert().success();
    // 4 s from the first claim, by the server's clock: a bound taken after a claim is done is
    // at or after it, however late the consumers woke.
    wait_until(Duration::from_secs(30), "the first claim", || {
        stat(&mut c, "default", "done") > 0
    });
    let start = server_ms(&mut c);
    wait_until(Duration::from_secs(30), "4 s of claims", || {
        server_ms(&mut c) > start + 4000
    });
    let lines = stop(running);
    let mut claimed: Vec<i64> = lines.iter().map(|l| ms(&l["claimed_at"])).collect();
    claimed.sort();
    let first = claimed[0];
    let within = |from: i64, to: i64| {
        claimed
            .iter()
            .filter(|&&t| t >= first + from && t < first + to)
            .count()
    };
    // 4 s at 50/s, and the burst of 50 at the start: for the log. The bounds are the bucket's
    // (assert_rate_held): a stall of all four for 389 ms before the 1 s mark moved 18 claims
    // past it (168 from 1 s to 4 s, the limit itself exact).
    let four = within(0, 4000);
    let steady = within(1000, 4000);
    eprintln!("claims: {four} in the first 4 s, {steady} from 1 s to 4 s");
    assert_rate_held(&claimed, (50, 50), 0, 3000, 10);
    let seen: Vec<String> = lines
        .iter()
        .map(|l| l["consumer"].as_str().unwrap().to_string())
        .collect();
    for i in 0..4 {
        assert!(seen.contains(&format!("c{i}")), "c{i} claimed nothing");
    }
}

#[test]
fn an_in_flight_cap_holds_and_a_killed_holder_frees_its_slot() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["limit", "--max-in-flight", "2"])
        .assert()
        .success();
    push_lines(&r, "default", &lines(mixed(10)));
    let running = consumers(&r, 4, &["--exec", "exec sleep 0.2"]);
    let mut most = 0;
    wait_until(Duration::from_secs(30), "10 tasks done", || {
        most = most.max(in_flight(&mut c, "default"));
        stat(&mut c, "default", "done") == 10
    });
    assert_eq!(most, 2, "at most 2 in flight, and 2 reached");
    stop(running);

    // A slot freed by an ack wakes an idle consumer held back by the cap: one consumer works
    // on a task and exits, the other takes the next at once (not at its next idle claim, 5 s).
    rpq(&r)
        .args(["limit", "--max-in-flight", "1"])
        .assert()
        .success();
    push_lines(&r, "default", &lines_with_ids([1, 1]));
    let first = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "--count",
            "1",
            "--name",
            "first",
            "--exec",
            "exec sleep 0.3",
        ],
    );
    wait_in_flight(&mut c, "default", 1);
    let second = Proc::start(
        &r,
        &["--json", "consume", "--count", "1", "--name", "second"],
    );
    wait_until(
        Duration::from_secs(10),
        "the second consumer to claim",
        || last_seen(&mut c, "default", "second") > 0,
    );
    let finished = ndjson(&first.success(Duration::from_secs(10)));
    let took = ndjson(&second.success(Duration::from_secs(10)));
    let gap = ms(&took[0]["claimed_at"]) - ms(&finished[0]["finished_at"]);
    eprintln!("the freed slot was taken {gap} ms after the ack");
    assert!(
        gap < 1000,
        "the freed slot was taken {gap} ms after the ack"
    );
    rpq(&r)
        .args(["limit", "--max-in-flight", "2"])
        .assert()
        .success();

    // Two holders take both slots; a third consumer waits until one of them dies and its lease
    // runs out.
    push_lines(&r, "default", &lines_with_ids([1, 1, 1, 1, 1]));
    let holders = consumers(&r, 2, &["--lease", "1s", "--exec", "exec sleep 30"]);
    wait_in_flight(&mut c, "default", 2);
    let third = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "--name",
            "third",
            "--lease",
            "1s",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_until(
        Duration::from_secs(10),
        "the third consumer to claim",
        || last_seen(&mut c, "default", "third") > 0,
    );
    assert!(
        !holds_a_task(&mut c, "default", "third"),
        "a third task in flight"
    );
    let killed_at = server_ms(&mut c);
    holders[0].signal(libc::SIGKILL);
    wait_until(
        Duration::from_secs(10),
        "the third consumer to take the slot",
        || holds_a_task(&mut c, "default", "third"),
    );
    let took = server_ms(&mut c) - killed_at;
    eprintln!("the slot came back {took} ms after the kill (lease 1 s)");
    assert!(took < 2500, "the slot came back {took} ms after the kill");
    assert_eq!(in_flight(&mut c, "default"), 2);
    let shown = json_lines(rpq(&r).args(["--json", "limit"]));
    assert_eq!(shown[0]["in_flight"], 2, "{shown:?}");
    for p in holders.into_iter().chain([third]) {
        p.signal(libc::SIGKILL);
        let _ = p.end(Duration::from_secs(10));
    }
}

#[test]
fn a_limited_type_does_not_hold_up_the_others_and_keeps_its_order() {
    let r = redis();
    // One token an hour: after the first, every slow task waits.
    rpq(&r)
        .args(["limit", "--type", "slow", "--rate", "1/h", "--burst", "1"])
        .assert()
        .success();
    let mut input = Vec::new();
    for i in 0..4 {
        input.push(serde_json::json!({"type": "slow", "priority": 1, "id": format!("s{i}")}));
    }
    for i in 0..4 {
        input.push(serde_json::json!({"type": "fast", "priority": 2, "id": format!("f{i}")}));
    }
    let input: Vec<String> = input.iter().map(Value::to_string).collect();
    push_lines(&r, "default", &input);
    let ids = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    let done = json_lines(rpq(&r).args(["--json", "consume", "--count", "5"]));
    assert_eq!(ids(&done), ["s0", "f0", "f1", "f2", "f3"]);
    // The slow ones wait in their own line, and are waiting tasks like any other.
    rpq(&r).arg("len").assert().success().stdout("3\n");
    let waiting = json_lines(rpq(&r).args(["--json", "list", "--state", "waiting"]));
    assert_eq!(ids(&waiting), ["s1", "s2", "s3"]);
    let page = json_lines(rpq(&r).args(["--json", "list", "--state", "waiting", "--after", "s1"]));
    assert_eq!(ids(&page), ["s2", "s3"]);
    assert_eq!(
        ids(&json_lines(rpq(&r).args(["--json", "peek", "-n", "9"]))),
        ["s1", "s2", "s3"]
    );
    rpq(&r)
        .args(["show", "s2"])
        .assert()
        .success()
        .stdout(predicates::str::contains("State: waiting"));
    rpq(&r).args(["cancel", "s2"]).assert().success();
    rpq(&r)
        .args(["move", "s3", "--priority", "low"])
        .assert()
        .success();
    push_one(&r, "fast", "f4");
    let done = json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]));
    assert_eq!(ids(&done), ["f4"]);
    let stats = json_lines(rpq(&r).args(["--json", "stats"]));
    assert_eq!(stats[0]["waiting"], 2);
    assert_eq!(stats[0]["limits"][0]["type"], "slow");

    // Without the limit they are in line again, at their places.
    rpq(&r)
        .args(["limit", "--type", "slow", "--off"])
        .assert()
        .success()
        .stdout("removed the limits on type 'slow'\n");
    let done = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    assert_eq!(ids(&done), ["s1", "s3"]);
    rpq(&r)
        .args(["limit", "--type", "slow", "--off"])
        .assert()
        .code(1)
        .stderr("rpq: queue 'default' has no limit on type 'slow'\n");
    let mut c = conn(&r);
    assert_eq!(zcard(&mut c, Keys::new("default", 0).limited()), 0);
}

#[test]
fn limits_of_a_sharded_queue_are_split_over_its_shards() {
    let r = redis();
    let mut c = conn(&r);
    let q = |args: &[&str]| {
        let mut cmd = rpq(&r);
        cmd.args(["--queue", "jobs", "--shards", "3"]).args(args);
        cmd
    };
    q(&["limit", "--max-in-flight", "2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--max-in-flight 2 cannot be split over the 3 shards of queue 'jobs'",
        ));
    q(&["limit", "--rate", "30/s"])
        .assert()
        .success()
        .stdout("every task: 30 per 1s (burst 30)\n");
    q(&["produce", "--stdin"])
        .write_stdin(lines(mixed(300)).join("\n"))
        .assert()
        .success();
    let running: Vec<Proc> = (0..4)
        .map(|i| {
            Proc::start(
                &r,
                &[
                    "--queue",
                    "jobs",
                    "--json",
                    "consume",
                    "--name",
                    &format!("c{i}"),
                ],
            )
        })
        .collect();
    // The window below starts at the first claim, so the wait does too: timed from the
    // spawns, a first claim more than 1 s late (a loaded machine) cut the window short.
    let pending = |c: &mut redis::Connection| -> u64 {
        (0..3)
            .map(|s| zcard(c, Keys::new("jobs", s).pending()))
            .sum()
    };
    wait_until(Duration::from_secs(30), "a first claim", || {
        pending(&mut c) < 300
    });
    let claimed_by = server_ms(&mut c);
    wait_until(Duration::from_secs(30), "3 s of claims", || {
        server_ms(&mut c) > claimed_by + 3000
    });
    let out = stop(running);
    let mut claimed: Vec<i64> = out.iter().map(|l| ms(&l["claimed_at"])).collect();
    claimed.sort();
    let first = claimed[0];
    let steady = claimed
        .iter()
        .filter(|&&t| t >= first + 1000 && t < first + 3000)
        .count();
    eprintln!("sharded: {steady} claims from 1 s to 3 s");
    // Each shard's bucket of 10 fills at 10/s: together 30 and 30/s (the bounds are the
    // buckets', not the window's: assert_rate_held), counted from 1 s for the rate, as the
    // consumers come up one by one and a bucket not yet asked loses what comes while full.
    assert_rate_held(&claimed, (30, 30), 1000, 2000, 8);

    // A cap of 3: one in flight on each shard.
    q(&["limit", "--off"]).assert().success();
    q(&["clear", "--yes"]).assert().success();
    q(&["limit", "--max-in-flight", "3"])
        .assert()
        .success()
        .stdout("every task: at most 3 in flight (0 now)\n");
    // Four tasks on each shard, pushed once all four consumers wait: a consumer that starts
    // late on a loaded machine could otherwise find a shard already emptied by the others,
    // and "3 reached" would depend on how the ids happened to hash.
    let mut per_shard = [0; 3];
    let ids: Vec<String> = (0..)
        .map(|i| format!("cap{i}"))
        .filter(|id| {
            let s = rpq::queue::keys::shard_of(id, 3);
            per_shard[s] += 1;
            per_shard[s] <= 4
        })
        .take(12)
        .collect();
    let done = |c: &mut redis::Connection| -> u64 {
        (0..3).map(|s| stat(c, &keys_tag("jobs", s), "done")).sum()
    };
    let before = done(&mut c);
    let idle_since = server_ms(&mut c);
    // Each handler holds its task until the test lets go: 3 in flight at once is then a
    // state to wait for, where tasks of 200 ms had to overlap by chance, and be seen to by a
    // poll, on a loaded machine.
    let go = r.dir().join("go");
    let running: Vec<Proc> = (0..4)
        .map(|i| {
            let name = format!("d{i}");
            Proc::spawn(
                process(&r)
                    .args([
                        "--queue",
                        "jobs",
                        "consume",
                        "--name",
                        &name,
                        "--exec",
                        r#"while [ ! -e "$GO" ]; do sleep 0.05; done"#,
                    ])
                    .env("GO", &go),
            )
        })
        .collect();
    wait_until(Duration::from_secs(10), "4 consumers waiting", || {
        (0..4).all(|i| last_seen(&mut c, "jobs", &format!("d{i}")) > idle_since)
    });
    let tasks: Vec<String> = ids
        .iter()
        .zip(mixed(12))
        .map(|(id, p)| serde_json::json!({"type": "t", "priority": p, "id": id}).to_string())
        .collect();
    q(&["produce", "--stdin"])
        .write_stdin(tasks.join("\n"))
        .assert()
        .success();
    let in_flight = |c: &mut redis::Connection| -> Vec<u64> {
        (0..3)
            .map(|s| zcard(c, Keys::new("jobs", s).inflight()))
            .collect()
    };
    let mut most = 0;
    wait_until(
        Duration::from_secs(30),
        "one task in flight on each shard",
        || {
            let n = in_flight(&mut c);
            most = most.max(n.iter().sum());
            n == [1, 1, 1]
        },
    );
    std::fs::write(&go, "").unwrap();
    wait_until(Duration::from_secs(30), "12 tasks done", || {
        most = most.max(in_flight(&mut c).iter().sum());
        done(&mut c) == before + 12
    });
    stop_plain(running);
    eprintln!("sharded: at most {most} in flight");
    assert_eq!(most, 3, "at most 3 in flight, and 3 reached");
    q(&["limit", "--off"]).assert().success();

    // A pause holds on every shard: a consumer claims, takes nothing, and waits for the resume.
    q(&["produce", "--stdin"])
        .write_stdin(lines(mixed(6)).join("\n"))
        .assert()
        .success();
    q(&["pause"]).assert().success();
    let done = (0..3)
        .map(|s| stat(&mut c, &keys_tag("jobs", s), "done"))
        .sum::<u64>();
    let paused_at = server_ms(&mut c);
    let waiting = Proc::start(
        &r,
        &[
            "--queue", "jobs", "--json", "consume", "--count", "1", "--name", "w",
        ],
    );
    wait_until(
        Duration::from_secs(10),
        "the paused consumer to claim",
        || last_seen(&mut c, "jobs", "w") > paused_at,
    );
    q(&["resume"]).assert().success();
    let lines = ndjson(&waiting.success(Duration::from_secs(10)));
    assert_eq!(lines.len(), 1);
    assert!(ms(&lines[0]["claimed_at"]) > paused_at);
    let after = (0..3)
        .map(|s| stat(&mut c, &keys_tag("jobs", s), "done"))
        .sum::<u64>();
    assert_eq!(after, done + 1);
}

/// The hash tag of shard `s` of `queue`, as `stat` takes a queue name.
fn keys_tag(queue: &str, s: usize) -> String {
    rpq::queue::keys::tag(queue, s)
}

/// Controls beside the worker runtime (issues 11 and 13): an ack that keeps a result (keep.lua)
/// and a death that keeps its error (fail.lua with a result key) free the task's slot of a cap
/// as a plain ack does, so one consumer of four slots under `--max-in-flight 1` gets through
/// every task, one at a time, and each result is kept.
#[test]
fn kept_results_and_kept_errors_free_their_slot_of_a_cap() {
    let r = redis();
    let mut c = conn(&r);
    rpq(&r)
        .args(["limit", "--max-in-flight", "1"])
        .assert()
        .success();
    for (id, kind) in [("a", "ok"), ("b", "bad"), ("c", "ok"), ("d", "ok")] {
        rpq(&r)
            .args(["produce", "--type", kind, "--id", id, "--keep-result", "1h"])
            .assert()
            .success();
    }
    let worker = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "-j",
            "4",
            "--exec",
            r#"[ "$RPQ_TASK_TYPE" = bad ] && exit 65; printf 'did %s' "$RPQ_TASK_ID""#,
        ],
    );
    let mut most = 0;
    wait_until(Duration::from_secs(30), "every task finished", || {
        most = most.max(in_flight(&mut c, "default"));
        worker.stdout_lines().len() == 4
    });
    assert!(most <= 1, "the cap held under four slots: {most} in flight");
    let lines = stop(vec![worker]);
    let mut outcomes: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().into(),
                l["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [("a", "done"), ("b", "dead"), ("c", "done"), ("d", "done")]
            .map(|(i, o)| (i.to_string(), o.to_string()))
    );
    rpq(&r)
        .args(["result", "c"])
        .assert()
        .success()
        .stdout("did c");
    rpq(&r).args(["result", "b"]).assert().code(1);
    // Nothing is counted against the cap once all are done.
    let limits = json_lines(rpq(&r).args(["--json", "limit"]));
    assert_eq!(limits[0]["in_flight"], 0, "{limits:?}");
}

#[test]
fn a_rate_finer_than_a_microsecond_a_task_lets_tasks_go() {
    let r = redis();
    // 10^9 a ms: a token every 10^-9 ms, which rounded to 0.000000 stopped every claim.
    // A bucket bigger than --burst's bound is refused, not stored as a double.
    rpq(&r)
        .args(["limit", "--rate", "18446744073709551615/s"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "at most 1000000000 tasks per duration",
        ));
    for rate in ["1000000000/1ms", "1000000000/s"] {
        rpq(&r).args(["limit", "--rate", rate]).assert().success();
        push_lines(&r, "default", &lines(mixed(3)));
        let out = rpq(&r)
            .args(["--json", "consume", "--count", "3"])
            .timeout(Duration::from_secs(30))
            .assert();
        let got = String::from_utf8_lossy(&out.get_output().stdout)
            .lines()
            .count();
        assert_eq!(got, 3, "{rate}: {got} of 3 tasks claimed in 30 s");
        out.success();
    }
}
