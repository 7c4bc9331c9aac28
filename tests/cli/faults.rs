//! Faults: consumers killed mid-task, Redis killed under load, handlers that fail, hang or run
//! long, task data that looks like shell, stored data that is broken. Nothing lost, nothing twice
//! beyond what a kill can cause.

use crate::support::*;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Nothing waiting, in flight, waiting for a retry or dead.
fn no_task_left(c: &mut redis::Connection) {
    let k = Keys::new("default", 0);
    for key in [k.pending(), k.inflight(), k.delayed(), k.dead()] {
        assert_eq!(zcard(c, key), 0, "{key}");
    }
}

/// Lines of a file that a handler appends to, word-split.
fn runs(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

#[test]
fn consumers_killed_every_half_second_lose_nothing_and_rerun_at_most_once_per_kill() {
    const TASKS: usize = 1000;
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(TASKS)));
    let runs_file = r.dir().join("runs");
    // The handler records each run that got to its end; the append is atomic (O_APPEND).
    let handler = r#"sleep 0.02; echo "$RPQ_TASK_ID $RPQ_TASK_ATTEMPT" >> "$RUNS""#;
    let start = |i: usize, generation: usize| {
        let name = format!("c{i}-{generation}");
        Proc::spawn(
            process(&r)
                .args([
                    "--json",
                    "consume",
                    "--name",
                    &name,
                    "--lease",
                    "1s",
                    "--max-attempts",
                    "100",
                    "--exec",
                    handler,
                ])
                .env("RUNS", &runs_file),
        )
    };
    let mut consumers: Vec<Proc> = (0..3).map(|i| start(i, 0)).collect();
    let mut ended: Vec<Ended> = Vec::new();
    let mut kills: Vec<chrono::DateTime<chrono::Utc>> = Vec::new();
    let mut generation = [0usize; 3];
    let mut orphaned: Vec<(String, chrono::DateTime<chrono::Utc>)> = Vec::new();
    let mut claimed_at: Vec<(String, chrono::DateTime<chrono::Utc>)> = Vec::new();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let began = Instant::now();
    while stat(&mut c, "default", "done") < TASKS as u64 {
        assert!(
            began.elapsed() < Duration::from_secs(180),
            "not done after 3 minutes: {} of {TASKS}",
            stat(&mut c, "default", "done")
        );
        // The kill cadence is the test's load, not a wait for a condition.
        std::thread::sleep(Duration::from_millis(500));
        let i = kills.len() % 3;
        consumers[i].signal(libc::SIGKILL);
        let at = chrono::Utc::now();
        kills.push(at);
        // What the dead consumer held stays in flight until its lease expires.
        let held: HashMap<String, String> = claims(&mut c, "default");
        let victim = format!("|c{i}-{}", generation[i]);
        for (id, claim) in held {
            // "lease|claimed ms|attempt|...|consumer": a claim that a killed consumer
            // never got to print is known from here.
            let ms: i64 = claim.split('|').nth(1).unwrap().parse().unwrap();
            claimed_at.push((
                id.clone(),
                chrono::DateTime::from_timestamp_millis(ms).unwrap(),
            ));
            if claim.ends_with(&victim) {
                orphaned.push((id, at));
            }
        }
        generation[i] = kills.len();
        let killed = std::mem::replace(&mut consumers[i], start(i, generation[i]));
        let e = killed.end(Duration::from_secs(30));
        assert_eq!(
            e.status.code(),
            None,
            "the consumer should have been killed"
        );
        ended.push(e);
    }
    let took = began.elapsed();
    // A consumer signalled before it set up its signal handling would just die: wait until
    // the last ones have claimed once.
    for (i, g) in generation.iter().enumerate() {
        wait_until(
            Duration::from_secs(30),
            "the last consumers to start",
            || {
                redis::cmd("HEXISTS")
                    .arg(k.consumers())
                    .arg(format!("c{i}-{g}"))
                    .query(&mut c)
                    .unwrap()
            },
        );
    }
    for p in consumers {
        p.signal(libc::SIGTERM);
        let e = p.end(Duration::from_secs(30));
        assert!(e.status.success(), "{}", e.stderr);
        ended.push(e);
    }

    // Every task done, acknowledged exactly once, and nothing left behind.
    assert_eq!(stat(&mut c, "default", "done"), TASKS as u64);
    no_task_left(&mut c);
    let mut ran: HashMap<String, usize> = HashMap::new();
    for run in runs(&runs_file) {
        *ran.entry(run[0].clone()).or_default() += 1;
    }
    let missing: Vec<_> = (0..TASKS)
        .map(|i| format!("t{i}"))
        .filter(|id| !ran.contains_key(id))
        .collect();
    assert!(missing.is_empty(), "never ran to the end: {missing:?}");
    let twice: usize = ran.values().map(|n| n - 1).sum();
    assert!(
        twice <= kills.len(),
        "{twice} extra runs for {} kills",
        kills.len()
    );
    let mut done_lines: HashMap<String, usize> = HashMap::new();
    let mut claims: HashMap<String, Vec<chrono::DateTime<chrono::Utc>>> = HashMap::new();
    for (id, t) in claimed_at {
        claims.entry(id).or_default().push(t);
    }
    for e in &ended {
        let lines = ndjson(&e.stdout);
        count_done(&mut done_lines, &lines);
        for line in lines {
            let id = line["id"].as_str().unwrap().to_string();
            claims
                .entry(id)
                .or_default()
                .push(time(&line["claimed_at"]));
        }
    }
    // How long a task that a killed consumer held took to be claimed again.
    let mut recoveries: Vec<i64> = orphaned
        .iter()
        .filter_map(|(id, killed)| {
            let next = claims.get(id)?.iter().filter(|t| *t > killed).min()?;
            Some((*next - *killed).num_milliseconds())
        })
        .collect();
    let acked_twice: Vec<_> = done_lines.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        acked_twice.is_empty(),
        "reported done twice: {acked_twice:?}"
    );
    recoveries.sort_unstable();
    // Figures for the README and the report; not assertions, timings are noisy.
    eprintln!(
        "kill test: {TASKS} tasks in {took:.1?}, {} kills, {} tasks held at a kill, {twice} extra \
         runs, {} recovered leases, kill to re-claim ms (min/median/max of {}): {:?}/{:?}/{:?}",
        kills.len(),
        orphaned.len(),
        stat(&mut c, "default", "recovered"),
        recoveries.len(),
        recoveries.first(),
        recoveries.get(recoveries.len() / 2),
        recoveries.last(),
    );
}

#[test]
fn a_handler_three_times_longer_than_the_lease_keeps_its_task() {
    let r = redis();
    push_one(&r, "slow", "long-1");
    let runs_file = r.dir().join("runs");
    let env = [("RUNS", runs_file.as_path())];
    let handler = r#"echo "$RPQ_TASK_ATTEMPT" >> "$RUNS"; sleep 6"#;
    let args = |name: &'static str| {
        [
            "--json", "consume", "--name", name, "--lease", "2s", "--exec", handler,
        ]
    };
    let holder = Proc::spawn(
        process(&r)
            .args(args("holder"))
            .args(["--count", "1"])
            .envs(env),
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, "default", 1);
    // A second consumer stands by: it would take the task the moment its lease expired.
    let other = Proc::spawn(process(&r).args(args("other")).envs(env));
    wait_consumers(&mut c, "default", 2);
    let held = holder.end(Duration::from_secs(30));
    assert!(held.status.success(), "{}", held.stderr);
    let lines = ndjson(&held.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["id"], "long-1");
    assert_eq!(lines[0]["outcome"], "done");
    assert_eq!(lines[0]["attempt"], 1);
    other.signal(libc::SIGTERM);
    let o = other.end(Duration::from_secs(30));
    assert!(o.status.success(), "{}", o.stderr);
    assert!(
        ndjson(&o.stdout).is_empty(),
        "the other consumer ran it too"
    );
    assert_eq!(runs(&runs_file), [["1"]]);
    assert_eq!(stat(&mut c, "default", "recovered"), 0);
    assert_eq!(stat(&mut c, "default", "done"), 1);
}

#[test]
fn a_consumer_that_lost_its_lease_reports_lost_and_does_not_ack() {
    let r = redis();
    push_one(&r, "t", "job");
    let runs_file = r.dir().join("runs");
    let go = r.dir().join("go");
    let env = [("RUNS", runs_file.as_path()), ("GO", go.as_path())];
    let waits_for_go =
        r#"while [ ! -e "$GO" ]; do sleep 0.05; done; echo "first $RPQ_TASK_ATTEMPT" >> "$RUNS""#;
    let first = Proc::spawn(
        process(&r)
            .args([
                "--json",
                "consume",
                "--name",
                "first",
                "--lease",
                "1s",
                "--exec",
                waits_for_go,
            ])
            .envs(env),
    );
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    wait_in_flight(&mut c, "default", 1);
    // Frozen, as by a long GC pause or a suspended VM: no heartbeat, the lease runs out.
    first.signal(libc::SIGSTOP);
    // Queued after it, same priority: the recovered task goes back in front of this one.
    push_one(&r, "t", "later");
    wait_until(Duration::from_secs(10), "the lease to expire", || {
        let deadline: Vec<(String, i64)> = redis::cmd("ZRANGE")
            .arg(k.inflight())
            .arg(0)
            .arg(0)
            .arg("WITHSCORES")
            .query(&mut c)
            .unwrap();
        server_ms(&mut c) > deadline[0].1
    });
    let second = Proc::spawn(
        process(&r)
            .args([
                "--json",
                "consume",
                "--name",
                "second",
                "--lease",
                "1s",
                "--count",
                "2",
                "--exec",
                r#"echo "second $RPQ_TASK_ATTEMPT" >> "$RUNS""#,
            ])
            .envs(env),
    );
    // The second takes "later" too: left queued, it went to whichever came first once the
    // first was continued, its next claim or the SIGTERM (counted by another thread), and
    // under load the claim won (1 run in 15).
    let s = second.end(Duration::from_secs(30));
    assert!(s.status.success(), "{}", s.stderr);
    let taken = ndjson(&s.stdout);
    let again = &taken[0];
    assert_eq!(
        (&again["id"], &again["outcome"], &again["attempt"]),
        (&json!("job"), &json!("done"), &json!(2))
    );
    assert_eq!(
        (&taken[1]["id"], &taken[1]["outcome"]),
        (&json!("later"), &json!("done"))
    );
    std::fs::write(&go, "").unwrap();
    first.signal(libc::SIGCONT);
    first.signal(libc::SIGTERM);
    let f = first.end(Duration::from_secs(30));
    assert!(f.status.success(), "{}", f.stderr);
    let lines = ndjson(&f.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (&lines[0]["outcome"], &lines[0]["attempt"]),
        (&json!("lost"), &json!(1))
    );
    assert_eq!(
        runs(&runs_file),
        [["second", "2"], ["second", "1"], ["first", "1"]]
    );
    assert_eq!(stat(&mut c, "default", "done"), 2);
    assert_eq!(stat(&mut c, "default", "recovered"), 1);
    // A figure, not an assertion: how long the task was out of reach with a 1 s lease.
    eprintln!(
        "lost lease: first claim to re-claim by an idle consumer: {} ms",
        (time(&again["claimed_at"]) - time(&lines[0]["claimed_at"])).num_milliseconds()
    );
}

#[test]
fn consumers_ride_out_a_redis_crash_and_finish_every_task() {
    const TASKS: usize = 300;
    let mut r = RedisServer::start(&["--appendonly", "yes", "--appendfsync", "always"])
        .unwrap_or_else(|e| panic!("{e:#}"));
    push_lines(&r, "default", &lines_with_ids(mixed(TASKS)));
    let args = |name: &'static str| {
        [
            "--json", "consume", "--name", name, "--lease", "2s", "--delay", "10ms",
        ]
    };
    let consumers = [Proc::start(&r, &args("a")), Proc::start(&r, &args("b"))];
    wait_until(Duration::from_secs(30), "some tasks to be done", || {
        stat(&mut conn(&r), "default", "done") >= 50
    });
    r.kill();
    wait_until(Duration::from_secs(30), "both consumers to notice", || {
        consumers
            .iter()
            .all(|p| p.stderr_has("lost the connection to redis"))
    });
    r.restart().unwrap();
    wait_until(Duration::from_secs(60), "every task to be done", || {
        stat(&mut conn(&r), "default", "done") == TASKS as u64
    });
    let mut done: HashMap<String, usize> = HashMap::new();
    for p in consumers {
        p.signal(libc::SIGTERM);
        let e = p.end(Duration::from_secs(30));
        assert!(e.status.success(), "{}", e.stderr);
        assert!(e.stderr.contains("reconnected to redis"), "{}", e.stderr);
        assert_eq!(
            e.stderr.matches("lost the connection").count(),
            1,
            "{}",
            e.stderr
        );
        // appendfsync always kept every confirmed write: nothing to warn about.
        assert!(!e.stderr.contains("came back without"), "{}", e.stderr);
        count_done(&mut done, &ndjson(&e.stdout));
    }
    assert_eq!(done.len(), TASKS, "every task reported done");
    let mut c = conn(&r);
    no_task_left(&mut c);
}

#[test]
fn a_failing_handler_ends_in_the_dead_set_and_dead_retry_and_purge_work() {
    let r = redis();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--id",
            "bad",
            "--payload",
            "{\"n\":1}",
        ])
        .assert()
        .success();
    let failing = [
        "--json",
        "consume",
        "--drain",
        "--exec",
        "echo first line >&2; echo 'no such thing' >&2; exit 3",
        "--max-attempts",
        "2",
        "--backoff",
        "50ms",
    ];
    let lines = json_lines(rpq(&r).args(failing));
    let outcomes: Vec<_> = lines
        .iter()
        .map(|l| (l["outcome"].clone(), l["attempt"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [(json!("retry"), json!(1)), (json!("dead"), json!(2))]
    );
    assert_eq!(lines[1]["error"], "exit status 3: no such thing");

    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["id"], "bad");
    assert_eq!(dead[0]["payload"], json!({"n": 1}));
    assert_eq!(
        (&dead[0]["attempt"], &dead[0]["state"]),
        (&json!(2), &json!("dead"))
    );
    assert_eq!(dead[0]["error"], "exit status 3: no such thing");
    assert!(dead[0]["died_at"].is_string());
    rpq(&r).arg("len").assert().success().stdout("0\n");

    rpq(&r)
        .args(["--json", "dead", "retry"])
        .assert()
        .success()
        .stdout("{\"retried\":1}\n");
    rpq(&r).arg("len").assert().success().stdout("1\n");
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "peek"]))[0]["attempt"],
        0,
        "attempts were reset"
    );
    rpq(&r)
        .args(["--json", "dead", "list"])
        .assert()
        .success()
        .stdout("");

    // Dead again after two more attempts, then gone for good.
    assert_eq!(json_lines(rpq(&r).args(failing)).len(), 2);
    rpq(&r)
        .args(["--json", "dead", "purge", "bad"])
        .assert()
        .success()
        .stdout("{\"purged\":1}\n");
    rpq(&r)
        .args(["--json", "dead", "list"])
        .assert()
        .success()
        .stdout("");
    let left = lasting_keys(&r);
    let counters = counter_keys("default");
    let mut left: Vec<_> = left.into_iter().filter(|k| !counters.contains(k)).collect();
    left.sort();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn task_content_that_looks_like_shell_is_never_executed() {
    let r = redis();
    let dir = r.dir().join("inject");
    std::fs::create_dir_all(dir.join("keep")).unwrap();
    std::fs::write(dir.join("keep/file"), "x").unwrap();
    let d = dir.display();
    let evil_type = format!("$(touch {d}/a)`touch {d}/b`");
    let evil_payload = format!("\"; touch {d}/c; rm -rf {d}/keep; #'$(touch {d}/d)");
    let lines = [
        json!({"type": evil_type, "priority": 1, "payload": evil_payload, "id": "evil-1"}).to_string(),
        json!({"type": "; rm -rf /tmp/never", "priority": 2, "payload": {"k": evil_payload}, "id": "evil-2"}).to_string(),
    ];
    push_lines(&r, "default", &lines);
    let seen = dir.join("seen");
    // The handler gets the data on stdin and in its environment, and only looks at it.
    let out = Proc::spawn(
        process(&r)
            .args([
                "--json",
                "consume",
                "--drain",
                "--exec",
                r#"cat >> "$SEEN"; echo >> "$SEEN"; printf '%s\n' "$RPQ_TASK_TYPE" >> "$SEEN""#,
            ])
            .env("SEEN", &seen),
    )
    .end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(ndjson(&out.stdout).len(), 2);
    // The plain consumer output shows the data without running it either.
    rpq(&r)
        .args(["produce", "--type", &evil_type, "--payload", &evil_payload])
        .assert()
        .success();
    rpq(&r).args(["peek"]).assert().success();
    rpq(&r).args(["consume", "--drain"]).assert().success();
    for m in ["a", "b", "c", "d"] {
        assert!(
            !dir.join(m).exists(),
            "{m} was created: task data was executed"
        );
    }
    assert!(dir.join("keep/file").exists(), "rm -rf ran");
    let seen = std::fs::read_to_string(&seen).unwrap();
    let seen: Vec<&str> = seen.lines().collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    let task: Value = serde_json::from_str(seen[0]).unwrap();
    assert_eq!(task["type"], evil_type.as_str());
    assert_eq!(task["payload"], evil_payload.as_str());
    assert_eq!(seen[1], evil_type);
    assert_eq!(seen[3], "; rm -rf /tmp/never");
}

#[test]
fn a_corrupt_stored_task_goes_to_the_dead_set_and_the_consumer_goes_on() {
    let r = redis();
    let lines: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| json!({"type": "t", "priority": 2, "id": id}).to_string())
        .collect();
    push_lines(&r, "default", &lines);
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let _: () = redis::cmd("HSET")
        .arg(k.tasks())
        .arg("b")
        .arg("{not json")
        .arg("c")
        .arg(r#"{"c":1,"t":"t","p":9,"d":null}"#)
        .query(&mut c)
        .unwrap();
    let out = rpq(&r)
        .args(["--json", "consume", "--drain"])
        .assert()
        .code(65);
    let o = out.get_output();
    // Every task has its line, the unreadable ones too, with what is known of them.
    let lines = ndjson(&o.stdout);
    let seen: Vec<_> = lines
        .iter()
        .map(|l| {
            let (id, outcome) = (l["id"].as_str().unwrap(), l["outcome"].as_str().unwrap());
            format!("{id} {outcome} {}", l["priority"])
        })
        .collect();
    assert_eq!(seen, ["a done 2", "b dead 2", "c dead 2", "d done 2"]);
    assert_eq!(
        (&lines[1]["type"], &lines[1]["payload"]),
        (&json!("?"), &Value::Null)
    );
    assert_eq!(lines[2]["error"], "stored priority 9 is out of range");
    assert_eq!(lines[2]["attempt"], 1);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("task b cannot be read"), "{stderr}");
    assert!(
        stderr.contains("2 stored tasks could not be read"),
        "{stderr}"
    );
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    let why: HashMap<&str, &str> = dead
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["error"].as_str().unwrap()))
        .collect();
    assert!(why["b"].starts_with("stored body is not valid"), "{why:?}");
    assert_eq!(why["c"], "stored priority 9 is out of range");
    // A consumer without --drain or --count reports it and goes on, with exit 0 at the end.
    let _: () = redis::cmd("HSET")
        .arg(k.tasks())
        .arg("e")
        .arg("[]")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("ZADD")
        .arg(k.pending())
        .arg("2000000000000099")
        .arg("e")
        .query(&mut c)
        .unwrap();
    push_one(&r, "after", "f");
    let daemon = Proc::start(&r, &["--json", "consume"]);
    wait_until(
        Duration::from_secs(10),
        "the task after the corrupt one",
        || stat(&mut c, "default", "done") == 3,
    );
    daemon.signal(libc::SIGTERM);
    let e = daemon.end(Duration::from_secs(30));
    assert!(e.status.success(), "{}", e.stderr);
    assert!(e.stderr.contains("task e cannot be read"), "{}", e.stderr);
    assert_eq!(zcard(&mut c, k.dead()), 3);
    // What is known of an unreadable task survives its body: its priority, from its place in
    // line, in its line and in the dead list.
    rpq(&r)
        .args(["produce", "--type", "t", "--priority", "high", "--id", "h"])
        .assert()
        .success();
    let _: () = redis::cmd("HSET")
        .arg(k.tasks())
        .arg("h")
        .arg("garbage")
        .query(&mut c)
        .unwrap();
    let out = rpq(&r)
        .args(["--json", "consume", "--drain"])
        .assert()
        .code(65);
    let line = ndjson(&out.get_output().stdout).remove(0);
    assert_eq!((&line["id"], &line["priority"]), (&json!("h"), &json!(1)));
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    let h = dead.iter().find(|d| d["id"] == "h").unwrap();
    assert_eq!(h["priority"], 1, "{h}");
}

#[test]
fn a_key_of_the_wrong_type_is_named_in_one_line() {
    let r = redis();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let _: () = redis::cmd("SET")
        .arg(k.pending())
        .arg("x")
        .query(&mut c)
        .unwrap();
    for args in [
        &["len"][..],
        &["peek"],
        &["produce", "--type", "t"],
        &["consume", "--drain"],
    ] {
        let out = rpq(&r).args(args).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("key {} holds a string, not the zset", k.pending())),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn one_shot_commands_fail_fast_when_the_server_is_gone() {
    let mut r = redis();
    rpq(&r).args(["produce", "--type", "t"]).assert().success();
    r.kill();
    for args in [
        &["len"][..],
        &["peek"],
        &["produce", "--type", "t"],
        &["dead", "list"],
    ] {
        let out = rpq(&r)
            .args(args)
            .timeout(Duration::from_secs(20))
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("127.0.0.1:{}", r.port)),
            "{stderr}"
        );
    }
}

#[test]
fn a_producer_whose_connection_is_cut_queues_each_task_once() {
    const TASKS: usize = 3000;
    let r = redis();
    let lines: Vec<String> = lines_with_ids(mixed(TASKS));
    let mut producer = Proc::spawn(
        process(&r)
            .args(["produce", "--stdin", "--batch", "10"])
            .stdin(Stdio::piped()),
    );
    let mut stdin = producer.stdin();
    // Cut every client connection again and again while the producer pushes: some cuts land
    // between a push and its reply, and the producer must resend without queuing twice.
    let cutter = std::thread::spawn({
        let url = r.url();
        move || {
            let k = Keys::new("default", 0);
            let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
            let mut cuts = 0u32;
            // From the first push on: a producer that cannot connect at all exits 1 at once.
            let mut started = false;
            loop {
                let pushed: Option<u64> = redis::cmd("HGET")
                    .arg(k.stats())
                    .arg("pushed")
                    .query(&mut c)
                    .unwrap();
                if pushed.unwrap_or(0) >= TASKS as u64 || cuts > 5000 {
                    return cuts;
                }
                started |= pushed.is_some();
                if !started {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                let _: Result<u64, _> = redis::cmd("CLIENT")
                    .arg("KILL")
                    .arg("TYPE")
                    .arg("normal")
                    .arg("SKIPME")
                    .arg("yes")
                    .query(&mut c);
                cuts += 1;
                std::thread::sleep(Duration::from_millis(3));
            }
        }
    });
    use std::io::Write;
    for l in &lines {
        // The pipe may break only if the producer died, which the status below reports.
        if writeln!(stdin, "{l}").is_err() {
            break;
        }
    }
    drop(stdin);
    let out = producer.end(Duration::from_secs(120));
    let cuts = cutter.join().unwrap();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(zcard(&mut c, k.pending()), TASKS as u64);
    assert_eq!(stat(&mut c, "default", "pushed"), TASKS as u64);
    let said = String::from_utf8_lossy(&out.stdout);
    // A resend that finds its own push applied counts it as queued, not as a duplicate.
    assert_eq!(said, format!("Queued {TASKS} tasks\n"));
    eprintln!("producer under {cuts} connection cuts: {said}");
}

#[test]
fn exec_timeout_kills_the_handlers_process_group_and_counts_a_failure() {
    let r = redis();
    push_one(&r, "hang", "h");
    let pid_file = r.dir().join("pid");
    let out = Proc::spawn(
        process(&r)
            .args([
                "--json",
                "consume",
                "--drain",
                "--max-attempts",
                "1",
                "--exec-timeout",
                "300ms",
                "--exec",
                r#"sleep 60 & echo $! > "$PIDF"; wait"#,
            ])
            .env("PIDF", &pid_file),
    )
    .end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    assert_eq!(lines[0]["outcome"], "dead");
    assert_eq!(lines[0]["error"], "timed out after 300ms");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The background sleep went with its group: gone, or a zombie waiting for init to reap it.
    wait_until(
        Duration::from_secs(10),
        "the handler's child to die",
        || gone(pid),
    );
}

#[test]
fn an_idle_consumer_takes_over_the_task_of_a_killed_one() {
    let r = redis();
    push_one(&r, "t", "job");
    let runs_file = r.dir().join("runs");
    let env = [("RUNS", runs_file.as_path())];
    // `exec`: the shell itself waits, so it is all that dies with its consumer (a child of the
    // shell would outlive it and hold the test's pipes).
    let handler =
        r#"[ "$RPQ_TASK_ATTEMPT" = 1 ] && exec sleep 60; echo "$RPQ_TASK_ATTEMPT" >> "$RUNS""#;
    let args = |name: &'static str| {
        [
            "--json", "consume", "--name", name, "--lease", "1s", "--exec", handler,
        ]
    };
    let doomed = Proc::spawn(process(&r).args(args("doomed")).envs(env));
    let mut c = conn(&r);
    wait_in_flight(&mut c, "default", 1);
    // Started after the claim: nothing wakes it but its own schedule.
    let idle = Proc::spawn(process(&r).args(args("idle")).envs(env));
    wait_consumers(&mut c, "default", 2);
    doomed.signal(libc::SIGKILL);
    let killed = chrono::Utc::now();
    // Ending also waits for the pipes: they close only if `sleep` died with its consumer.
    let d = doomed.end(Duration::from_secs(30));
    assert_eq!(d.status.code(), None);
    wait_until(Duration::from_secs(30), "the task to be done", || {
        stat(&mut c, "default", "done") == 1
    });
    idle.signal(libc::SIGTERM);
    let i = idle.end(Duration::from_secs(30));
    assert!(i.status.success(), "{}", i.stderr);
    let line = ndjson(&i.stdout).remove(0);
    assert_eq!(
        (&line["id"], &line["outcome"], &line["attempt"]),
        (&json!("job"), &json!("done"), &json!(2))
    );
    // The killed consumer's handler died with it: only the second run got to its end.
    assert_eq!(runs(&runs_file), [["2"]]);
    eprintln!(
        "idle takeover: kill to re-claim with a 1 s lease: {} ms",
        (time(&line["claimed_at"]) - killed).num_milliseconds()
    );
}

#[test]
fn bad_stdin_lines_are_reported_by_number_and_the_good_ones_pushed() {
    let r = redis();
    let input = [
        r#"{"type":"a","priority":1}"#,
        r#"{"type":"b","priority":"urgent"}"#,
        "not json",
        "",
        r#"{"type":"c","priority":3,"payload":{"k":1}}"#,
    ]
    .join("\n");
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(input)
        .assert()
        .code(65);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].starts_with("line 2: "), "{stderr}");
    assert!(lines[1].starts_with("line 3: "), "{stderr}");
    assert_eq!(lines.len(), 3, "{stderr}");
    rpq(&r).arg("len").assert().success().stdout("2\n");
}

#[test]
fn a_type_no_handler_could_be_started_for_is_refused_at_push() {
    let r = redis();
    let input = [
        json!({"type": "a\u{0}b", "priority": 1}).to_string(),
        json!({"type": "x".repeat(200 * 1024), "priority": 1}).to_string(),
        json!({"type": "fine", "priority": 1}).to_string(),
    ];
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(input.join("\n"))
        .assert()
        .code(65);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], "line 1: the task type has a control character");
    assert_eq!(lines[1], "line 2: the task type is longer than 256 bytes");
    assert_eq!(lines.len(), 3, "{stderr}");
    rpq(&r).arg("len").assert().success().stdout("1\n");
    let out = rpq(&r)
        .args(["produce", "--type", "tab\there"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stderr,
        "rpq: --type: the task type has a control character\n"
    );
}

#[test]
fn a_task_no_handler_can_be_started_for_goes_dead_and_the_consumer_goes_on() {
    let r = redis();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    // As an older rpq (or redis-cli) could have stored them: first in line, high priority.
    let long = "x".repeat(200 * 1024);
    for (id, kind, score) in [
        ("nul", "a\u{0}b", "1000000000000001"),
        ("long", long.as_str(), "1000000000000002"),
    ] {
        let body = json!({"c": 1, "t": kind, "p": 1, "d": null}).to_string();
        let _: () = redis::pipe()
            .cmd("HSET")
            .arg(k.tasks())
            .arg(id)
            .arg(body)
            .cmd("ZADD")
            .arg(k.pending())
            .arg(score)
            .arg(id)
            .query(&mut c)
            .unwrap();
    }
    push_lines(&r, "default", &lines_with_ids([2; 3]));
    let out = rpq(&r)
        .args(["--json", "consume", "--drain", "--exec", "cat > /dev/null"])
        .assert()
        .code(65);
    let o = out.get_output();
    let lines = ndjson(&o.stdout);
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("nul", "dead"),
            ("long", "dead"),
            ("t0", "done"),
            ("t1", "done"),
            ("t2", "done")
        ]
    );
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot start a handler for this task: "),
        "{}",
        lines[0]
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("2 tasks could not be handed to a handler"),
        "{stderr}"
    );
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    assert_eq!(dead.len(), 2);
    assert!(dead.iter().all(|d| d["attempt"] == 1), "{dead:?}");
}

#[test]
fn a_handler_that_cannot_run_stops_the_consumer_and_costs_no_attempt() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids([2; 5]));
    let started = Instant::now();
    let out = rpq(&r)
        .args(["--json", "consume", "--exec", "./nosuch.sh"])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(1);
    let o = out.get_output();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("rpq: the handler `sh -c ./nosuch.sh` could not be run (exit status 127"),
        "{stderr}"
    );
    assert!(last.ends_with("check --exec (the task went back to the queue, no attempt counted)"));
    let lines = ndjson(&o.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (&lines[0]["id"], &lines[0]["outcome"]),
        (&json!("t0"), &json!("released"))
    );
    let waiting = json_lines(rpq(&r).args(["--json", "peek", "-n", "10"]));
    assert_eq!(waiting.len(), 5);
    assert!(waiting.iter().all(|t| t["attempt"] == 0), "{waiting:?}");
    rpq(&r)
        .args(["--json", "dead", "list"])
        .assert()
        .success()
        .stdout("");
    eprintln!("unrunnable handler: stopped after {:?}", started.elapsed());

    // Once a handler has run, 127 is one task's failure like any other status.
    let out = rpq(&r)
        .args([
            "--json",
            "consume",
            "--drain",
            "--max-attempts",
            "1",
            "--exec",
            r#"[ "$RPQ_TASK_ID" = t0 ] || exit 127"#,
        ])
        .assert()
        .success();
    let outcomes: Vec<String> = ndjson(&out.get_output().stdout)
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["id"].as_str().unwrap(),
                l["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        ["t0 done", "t1 dead", "t2 dead", "t3 dead", "t4 dead"]
    );

    let out = rpq(&r).args(["consume", "--exec", " "]).assert().code(2);
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        "rpq: --exec is empty; give the command to run for each task\n"
    );
}

/// Issue 19, item 2: a stored task whose limits are past any this rpq takes (another
/// producer's) runs, with them clamped to the longest duration, rather than panicking the
/// consumer on its deadline or failing to keep its result.
#[test]
fn a_stored_task_with_limits_past_the_bounds_runs_with_them_clamped() {
    let r = redis();
    rpq(&r)
        .args(["produce", "--type", "t", "--id", "big"])
        .args(["--exec-timeout", "1s", "--keep-result", "1m"])
        .assert()
        .success();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let body: String = redis::cmd("HGET")
        .arg(k.tasks())
        .arg("big")
        .query(&mut c)
        .unwrap();
    let max = u64::MAX.to_string();
    let huge = body
        .replace(r#""o":1000,"#, &format!(r#""o":{max},"#))
        .replace(r#""k":60000,"#, &format!(r#""k":{max},"#));
    assert_eq!(huge.matches(&max).count(), 2, "{body}");
    let _: () = redis::cmd("HSET")
        .arg(k.tasks())
        .arg("big")
        .arg(&huge)
        .query(&mut c)
        .unwrap();
    let out = rpq(&r)
        .args(["consume", "--drain", "--exec", "echo ran"])
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    rpq(&r)
        .args(["result", "big"])
        .assert()
        .success()
        .stdout("ran\n");
}

/// Issue 19 and SPEC 11 together: a consumer whose stdout is a pipe writes a task's `done` line
/// before its ack (`| head -1` acknowledges what was read). Killed -9 between the two (here: its
/// reader has not read the line yet), the task is done, as its line says, and never runs again:
/// one `done` line per task, and the counter says one.
#[test]
fn a_consumer_killed_between_its_line_and_its_ack_leaves_the_task_done() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &lines_with_ids([2]));
    let mut first = process(&r)
        .args(["--json", "consume", "--lease", "1s"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Its line is written once its claim is marked delivered (the mark comes first, then the
    // write): wait for both, the line as bytes waiting in the pipe that nobody reads yet.
    let pipe = std::os::fd::AsRawFd::as_raw_fd(first.stdout.as_ref().unwrap());
    wait_until(Duration::from_secs(20), "the line of t0 written", || {
        let marked = marked_delivered(&mut c, "default", "t0");
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int, into a local, for a pipe's reading end we own.
        let r = unsafe { libc::ioctl(pipe, libc::FIONREAD, &mut unread) };
        marked && r == 0 && unread > 0
    });
    first.kill().unwrap();
    first.wait().unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut first.stdout.take().unwrap(), &mut out).unwrap();
    let lines = ndjson(out.as_bytes());
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(
        (&lines[0]["id"], &lines[0]["outcome"]),
        (&json!("t0"), &json!("done"))
    );
    // After the lease: whoever claims next finishes it as done; nobody runs it again.
    wait_until(Duration::from_secs(20), "the lease recovered", || {
        let again = rpq(&r)
            .args(["--json", "consume", "--drain"])
            .assert()
            .success();
        assert!(
            again.get_output().stdout.is_empty(),
            "t0 ran again: {}",
            String::from_utf8_lossy(&again.get_output().stdout)
        );
        in_flight(&mut c, "default") == 0
    });
    assert_eq!(stat(&mut c, "default", "done"), 1);
    no_task_left(&mut c);
}
