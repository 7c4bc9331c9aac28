//! Inspecting and controlling: `show` in every state, `list` a page at a time, `cancel` (also of
//! a task in flight, whose handler's process group must go), `move`, `queues`, and the note a
//! typo'd `--queue` gets on a terminal.

use crate::pty::{rpq_command, On, Pty};
use crate::support::*;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// `rpq --queue Q --json ARGS`, which must succeed; its NDJSON lines.
fn json_of(r: &RedisServer, queue: &str, args: &[&str]) -> Vec<Value> {
    json_lines(rpq(r).args(["--queue", queue, "--json"]).args(args))
}

/// `show --json` of one id that must be known.
fn show(r: &RedisServer, queue: &str, id: &str) -> Value {
    json_of(r, queue, &["show", id]).remove(0)
}

/// The pid a handler wrote to `path` (its shell's, which leads its process group).
fn pid_in(path: &Path) -> i32 {
    let mut pid = 0;
    wait_until(Duration::from_secs(20), "the handler to start", || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        pid > 0
    });
    pid
}

/// Whether any process of group `pgid` is alive (zombies waiting to be reaped do not count).
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // "pid (comm) S ppid pgrp ...": the fields after the command's closing parenthesis.
        let rest: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, r)| r)
            .split_whitespace()
            .collect();
        rest.len() > 2 && rest[2] == pgid.to_string() && rest[0] != "Z"
    })
}

/// The keys of `queue` that hold tasks (not its counters, settings or wake-up markers) and
/// exist: none once every task is gone, bodies and all.
fn task_keys(c: &mut redis::Connection, queue: &str) -> Vec<String> {
    let k = Keys::new(queue, 0);
    [
        k.pending(),
        k.inflight(),
        k.tasks(),
        k.state(),
        k.delayed(),
        k.dead(),
        k.dead_info(),
    ]
    .into_iter()
    .filter(|key| redis::cmd("EXISTS").arg(*key).query::<u64>(c).unwrap() == 1)
    .map(String::from)
    .collect()
}

#[test]
fn show_tells_each_state_with_what_it_knows() {
    let r = redis();
    let mut c = conn(&r);
    let q = "show";
    push_lines(
        &r,
        q,
        &[
            json!({"type": "mail", "priority": 1, "payload": {"to": "a"}, "id": "w"}).to_string(),
            json!({"type": "fail", "priority": 2, "id": "r"}).to_string(),
            json!({"type": "fail", "priority": 2, "id": "d"}).to_string(),
        ],
    );
    let w = show(&r, q, "w");
    assert_eq!(
        (&w["state"], &w["type"], &w["priority"], &w["attempt"]),
        (&json!("waiting"), &json!("mail"), &json!(1), &json!(0))
    );
    assert_eq!(w["payload"], json!({"to": "a"}));
    time(&w["created_at"]);

    // Behind the others, so that r fails once and waits an hour for its retry, then d fails its
    // only attempt.
    let before = server_ms(&mut c);
    rpq(&r)
        .args(["--queue", q, "move", "w", "--priority", "3"])
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", q, "consume", "--count", "1", "--backoff", "1h"])
        .args(["--exec", "echo boom >&2; exit 3"])
        .assert()
        .success();
    let retrying = show(&r, q, "r");
    assert_eq!(retrying["state"], "retrying");
    assert_eq!(retrying["attempt"], 1);
    assert_eq!(retrying["error"], "exit status 3: boom");
    let due = time(&retrying["retry_at"]).timestamp_millis() - before;
    assert!(
        (2_700_000..=4_500_000).contains(&due),
        "retry due in {due} ms"
    );
    fail_to_dead(&r, q, 1, "echo kaput >&2; exit 4");
    let dead = show(&r, q, "d");
    assert_eq!(dead["state"], "dead");
    assert_eq!(
        (&dead["attempt"], &dead["error"]),
        (&json!(1), &json!("exit status 4: kaput"))
    );
    assert!(time(&dead["died_at"]).timestamp_millis() >= before);

    // After its retry, back in line: its attempts and last error stay with it.
    rpq(&r)
        .args(["--queue", q, "move", "r", "--now"])
        .assert()
        .success();
    let again = show(&r, q, "r");
    assert_eq!(again["state"], "waiting");
    assert_eq!(
        (&again["attempt"], &again["error"]),
        (&json!(1), &json!("exit status 3: boom"))
    );

    // In flight: who holds it, since when, until when.
    let holder = Proc::start(
        &r,
        &[
            "--queue",
            q,
            "consume",
            "--name",
            "h1",
            "--lease",
            "40s",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_in_flight(&mut c, q, 1);
    let now = server_ms(&mut c);
    let held = show(&r, q, "r");
    assert_eq!(held["state"], "in-flight");
    assert_eq!(
        (&held["consumer"], &held["attempt"]),
        (&json!("h1"), &json!(2))
    );
    assert_eq!(held["max_attempts"], 3);
    let claimed = time(&held["claimed_at"]).timestamp_millis();
    let until = time(&held["lease_until"]).timestamp_millis();
    assert!(claimed <= now && now - claimed < 10_000, "{held}");
    assert!(
        (claimed + 39_000..=claimed + 41_000).contains(&until),
        "{held}"
    );
    drop(holder);

    // Known ones printed, then a line for each unknown one, and exit 1.
    let out = rpq(&r)
        .args(["--queue", q, "--json", "show", "w", "nope", "d"])
        .assert()
        .code(1);
    let lines = ndjson(&out.get_output().stdout);
    assert_eq!(
        lines.iter().map(|l| l["id"].clone()).collect::<Vec<_>>(),
        [json!("w"), json!("d")]
    );
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(err, "rpq: no task 'nope' in queue 'show'\n");
    // And the block for people.
    rpq(&r)
        .args(["--queue", q, "show", "d"])
        .assert()
        .success()
        .stdout(predicates::str::contains("  - State: dead\n"))
        .stdout(predicates::str::contains(
            "  - Last error: exit status 4: kaput\n",
        ));
}

/// Pages of `n` through a state, each after the last task of the one before; all ids seen.
fn all_pages(r: &RedisServer, queue: &str, state: &str, n: usize, extra: &[&str]) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let n = n.to_string();
        let mut args = vec!["list", "--state", state, "-n", &n];
        args.extend_from_slice(extra);
        if let Some(a) = &after {
            args.extend(["--after", a]);
        }
        let page = json_of(r, queue, &args);
        assert!(page.len() <= n.parse().unwrap());
        let Some(last) = page.last() else { break };
        after = Some(last["id"].as_str().unwrap().to_string());
        seen.extend(page);
        assert!(seen.len() <= 5000, "paging never ends");
    }
    seen
}

fn ids(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

fn once_each(lines: &[Value], want: usize) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for id in ids(lines) {
        *counts.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, &n)| n > 1).collect();
    assert!(twice.is_empty(), "seen more than once: {twice:?}");
    assert_eq!(counts.len(), want);
}

#[test]
fn list_pages_through_a_thousand_tasks_each_once_in_claim_order() {
    let r = redis();
    let tasks: Vec<String> = (0..1000)
        .map(|i| {
            let kind = if i % 4 == 0 { "mail" } else { "report" };
            json!({"type": kind, "priority": 1 + (i * 7) % 3, "id": format!("t{i}")}).to_string()
        })
        .collect();
    for (q, shards) in [("one", "1"), ("three", "3")] {
        rpq(&r)
            .args(["--queue", q, "--shards", shards, "produce", "--stdin"])
            .write_stdin(tasks.join("\n"))
            .assert()
            .success();
        let pages = all_pages(&r, q, "waiting", 77, &[]);
        once_each(&pages, 1000);
        let prios: Vec<u64> = pages
            .iter()
            .map(|l| l["priority"].as_u64().unwrap())
            .collect();
        assert!(prios.windows(2).all(|w| w[0] <= w[1]), "by priority first");
        if shards == "1" {
            // Exactly claim order, as peek shows it.
            assert_eq!(ids(&pages), ids(&json_of(&r, q, &["peek", "-n", "1000"])));
        }
        // Filters: a priority (a range of the set), a type (read from the bodies), both.
        let high = all_pages(&r, q, "waiting", 50, &["--priority", "high"]);
        let want_high = (0..1000).filter(|i| (i * 7) % 3 == 0).count();
        once_each(&high, want_high);
        assert!(high.iter().all(|l| l["priority"] == 1));
        let mail = all_pages(&r, q, "waiting", 40, &["--type", "mail"]);
        once_each(&mail, 250);
        assert!(mail.iter().all(|l| l["type"] == "mail"));
        let both = all_pages(
            &r,
            q,
            "waiting",
            1000,
            &["--type", "mail", "--priority", "low"],
        );
        let want_both = (0..1000).filter(|i| i % 4 == 0 && (i * 7) % 3 == 2).count();
        once_each(&both, want_both);
        assert!(both
            .iter()
            .all(|l| l["type"] == "mail" && l["priority"] == 3));
    }
    // Other states read their own set: dead ones, oldest first, with a filter too.
    fail_to_dead(&r, "one", 30, "exit 1");
    let dead = all_pages(&r, "one", "dead", 7, &[]);
    once_each(&dead, 30);
    let died: Vec<i64> = dead
        .iter()
        .map(|l| time(&l["died_at"]).timestamp_millis())
        .collect();
    assert!(died.windows(2).all(|w| w[0] <= w[1]));
    assert!(dead
        .iter()
        .all(|l| l["state"] == "dead" && l["error"] == "exit status 1"));
    let dead_high = all_pages(&r, "one", "dead", 100, &["--priority", "high"]);
    assert_eq!(dead_high.len(), 30, "the first 30 claimed are high");

    // A cursor that left the state is an error, not a silent restart.
    rpq(&r)
        .args([
            "--queue", "one", "list", "--state", "waiting", "--after", "t0",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "task 't0' is not waiting in queue 'one'",
        ));

    // On a terminal, a cut page says how many of how many, and how to go on.
    let mut cmd = rpq_command(&r.url());
    cmd.args(["--queue", "one", "list", "--state", "waiting", "-n", "5"]);
    let (out, screen) = Pty::spawn(cmd, On::STDERR).finish(Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(0));
    // The header row and five tasks.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 6);
    let fifth = ids(&json_of(
        &r,
        "one",
        &["list", "--state", "waiting", "-n", "5"],
    ))[4]
        .clone();
    assert!(
        screen.contains(&format!(
            "5 of 970 waiting tasks shown; the next ones with --after {fifth}"
        )),
        "{screen:?}"
    );
}

#[test]
fn list_shows_who_holds_each_task_in_flight_until_when() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &lines_with_ids([1, 2, 3]));
    let holder = Proc::start(
        &r,
        &[
            "consume",
            "--name",
            "w9",
            "--prefetch",
            "3",
            "--exec",
            "exec sleep 30",
        ],
    );
    wait_in_flight(&mut c, "default", 3);
    let held = json_lines(rpq(&r).args(["--json", "list", "--state", "in-flight"]));
    once_each(&held, 3);
    for t in &held {
        assert_eq!(
            (&t["state"], &t["consumer"]),
            (&json!("in-flight"), &json!("w9"))
        );
        assert!(time(&t["lease_until"]) > time(&t["claimed_at"]));
    }
    let out = rpq(&r)
        .args(["list", "--state", "in-flight", "-n", "1"])
        .assert()
        .success();
    let table = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let rows: Vec<&str> = table.lines().collect();
    assert!(
        rows[0].contains("  HELD BY  LEASE UNTIL  PAYLOAD"),
        "{table}"
    );
    assert!(rows[1].contains("  w9       "), "{table}");
    drop(holder);
}

#[test]
fn cancel_stops_the_handlers_process_group_and_the_consumer_goes_on() {
    let r = redis();
    let mut c = conn(&r);
    let pid_file = r.dir().join("pid");
    let ran = r.dir().join("ran");
    push_one(&r, "slow", "s");
    // Runs beside the slow one (prefetched), and must never start: it is cancelled meanwhile.
    push_one(&r, "quick", "q");
    let consumer = Proc::spawn(
        process(&r)
            .args(["--json", "consume", "--name", "c1", "--prefetch", "2"])
            .args([
                "--exec",
                r#"echo "$RPQ_TASK_ID" >> "$RAN"; if [ "$RPQ_TASK_TYPE" = slow ]; then echo $$ > "$PIDF"; sleep 30; fi"#,
            ])
            .env("PIDF", &pid_file)
            .env("RAN", &ran),
    );
    let pgid = pid_in(&pid_file);
    assert!(group_alive(pgid));
    rpq(&r)
        .args(["cancel", "q"])
        .assert()
        .success()
        .stdout("Cancelled task q: in flight at c1, which stops its handler within a second\n");
    // Its holder learns it and removes it; only s is in flight then.
    wait_in_flight(&mut c, "default", 1);
    let cancelled = Instant::now();
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "cancel", "s"])),
        [json!({"id": "s", "state": "in-flight", "consumer": "c1"})]
    );
    wait_until(
        Duration::from_secs(2),
        "the handler's process group to go",
        || !group_alive(pgid),
    );
    let took = cancelled.elapsed();
    // The consumer goes on with the next task, done.
    push_one(&r, "next", "n");
    wait_until(Duration::from_secs(20), "three outcome lines", || {
        consumer.stdout_lines().len() == 3
    });
    consumer.signal(libc::SIGTERM);
    let out = consumer.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    let got: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [("n", "done"), ("q", "cancelled"), ("s", "cancelled")]
    );
    assert_eq!(got.last(), Some(&("n", "done")));
    assert_eq!(
        std::fs::read_to_string(&ran).unwrap(),
        "s\nn\n",
        "the prefetched task never ran"
    );
    // Nothing of either is left, and they do not come back.
    assert_eq!(task_keys(&mut c, "default"), Vec::<String>::new());
    rpq(&r).args(["show", "s", "q"]).assert().code(1);
    eprintln!("handler group gone {took:?} after the cancel returned");
}

#[test]
fn cancel_removes_waiting_retrying_and_dead_tasks_and_a_dead_holders_task_stays_gone() {
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &lines_with_ids([1, 1, 2, 3]));
    // t0 retrying, t1 dead, t2 and t3 waiting.
    rpq(&r)
        .args([
            "consume",
            "--count",
            "1",
            "--backoff",
            "1h",
            "--exec",
            "exit 1",
        ])
        .assert()
        .success();
    rpq(&r)
        .args([
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
            "--exec",
            "exit 1",
        ])
        .assert()
        .success();
    let out = json_lines(rpq(&r).args(["--json", "cancel", "t0", "t1", "t2"]));
    assert_eq!(
        out,
        [
            json!({"id": "t0", "state": "retrying"}),
            json!({"id": "t1", "state": "dead"}),
            json!({"id": "t2", "state": "waiting"}),
        ]
    );
    rpq(&r)
        .args(["cancel", "t3", "gone"])
        .assert()
        .code(1)
        .stdout("Cancelled task t3 (waiting): removed\n")
        .stderr("rpq: no task 'gone' in queue 'default'\n");
    assert_eq!(task_keys(&mut c, "default"), Vec::<String>::new());

    // A holder frozen, then killed, never learns of the cancel: its lease runs out, and the task
    // goes instead of back in line.
    push_one(&r, "t", "z");
    // exec: the handler is the process the kernel kills with its consumer, so no orphan holds
    // the consumer's stdout open.
    let frozen = Proc::start(&r, &["consume", "--lease", "1s", "--exec", "exec sleep 30"]);
    wait_in_flight(&mut c, "default", 1);
    frozen.signal(libc::SIGSTOP);
    rpq(&r).args(["cancel", "z"]).assert().success();
    frozen.signal(libc::SIGKILL);
    let _ = frozen.end(Duration::from_secs(10));
    let other = Proc::start(&r, &["--json", "consume", "--name", "other"]);
    wait_until(
        Duration::from_secs(10),
        "recovery to drop the cancelled task",
        || task_keys(&mut c, "default").is_empty(),
    );
    other.signal(libc::SIGTERM);
    let out = other.end(Duration::from_secs(10));
    assert_eq!(out.stdout, b"", "the cancelled task came back");
}

#[test]
fn move_keeps_arrival_order_in_the_new_priority_and_now_makes_a_retry_due() {
    let r = redis();
    let mut c = conn(&r);
    // Two medium tasks, then a low one moved to high: it goes before both.
    push_lines(&r, "default", &lines_with_ids([2, 2, 3, 1]));
    let out = json_lines(rpq(&r).args(["--json", "move", "t2", "--priority", "high"]));
    assert_eq!(
        (&out[0]["id"], &out[0]["priority"]),
        (&json!("t2"), &json!(1))
    );
    assert_eq!(out[0]["state"], "waiting");
    let order = ids(&json_lines(rpq(&r).args(["--json", "consume", "--drain"])));
    // t2 arrived before t3, so it keeps its place ahead of it among the high ones.
    assert_eq!(order, ["t2", "t3", "t0", "t1"]);

    // --now: a task retrying in an hour is claimed at once by the idle consumer.
    push_one(&r, "t", "later");
    rpq(&r)
        .args([
            "consume",
            "--count",
            "1",
            "--backoff",
            "1h",
            "--exec",
            "exit 1",
        ])
        .assert()
        .success();
    let idle = Proc::start(&r, &["--json", "consume", "--name", "idle", "--count", "1"]);
    wait_until(
        Duration::from_secs(10),
        "the idle consumer's first claim",
        || {
            redis::cmd("HEXISTS")
                .arg(Keys::new("default", 0).consumers())
                .arg("idle")
                .query::<u64>(&mut c)
                .unwrap()
                == 1
        },
    );
    let asked = server_ms(&mut c);
    rpq(&r)
        .args(["move", "later", "--now"])
        .assert()
        .success()
        .stdout("Moved task later: medium, waiting\n");
    let lines = ndjson(&idle.success(Duration::from_secs(30)));
    assert_eq!(
        (&lines[0]["id"], &lines[0]["attempt"]),
        (&json!("later"), &json!(2))
    );
    let waited = time(&lines[0]["claimed_at"]).timestamp_millis() - asked;
    // An idle consumer claims on its own only every 5 s: this one was woken.
    assert!(waited < 2000, "claimed {waited} ms after the move");

    // What cannot be moved is said so, exit 1; a move needs --priority or --now.
    push_one(&r, "t", "held");
    let _holder = Proc::start(&r, &["consume", "--name", "h", "--exec", "exec sleep 30"]);
    wait_in_flight(&mut c, "default", 1);
    rpq(&r)
        .args(["move", "held", "nope", "--priority", "low"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            "rpq: task 'held' is in flight (held by h); it can be moved once it is back in line\n\
             rpq: no task 'nope' in queue 'default'\n",
        );
    rpq(&r).args(["move", "held"]).assert().code(2);
}

#[test]
fn queues_lists_every_queue_once_and_a_typo_is_said_on_a_terminal() {
    let r = redis();
    rpq(&r)
        .arg("queues")
        .assert()
        .success()
        .stdout("")
        .stderr("");
    push_lines(&r, "alpha", &lines([1, 2, 3]));
    rpq(&r)
        .args(["--queue", "beta", "--shards", "3", "produce", "--stdin"])
        .write_stdin(lines_with_ids([1; 10]).join("\n"))
        .assert()
        .success();
    push_lines(&r, "gamma", &lines([2]));
    rpq(&r)
        .args(["--queue", "gamma", "consume", "--drain"])
        .assert()
        .success();
    // Looking at a queue does not make it one.
    rpq(&r)
        .args(["--queue", "mial", "len"])
        .assert()
        .success()
        .stdout("0\n");
    let got = json_lines(rpq(&r).args(["--json", "queues"]));
    let summary: Vec<(String, u64, u64, u64)> = got
        .iter()
        .map(|q| {
            (
                q["queue"].as_str().unwrap().to_string(),
                q["shards"].as_u64().unwrap(),
                q["waiting"].as_u64().unwrap(),
                q["dead"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("alpha".to_string(), 1, 3, 0),
            ("beta".to_string(), 3, 10, 0),
            ("gamma".to_string(), 1, 0, 0),
        ]
    );
    rpq(&r).arg("queues").assert().success().stdout(
        "QUEUE  SHARDS  WAITING  SCHEDULED  IN FLIGHT  RETRYING  DEAD  PAUSED\n\
             alpha       1        3          0          0         0     0       -\n\
             beta        3       10          0          0         0     0       -\n\
             gamma       1        0          0          0         0     0       -\n",
    );

    // A typo'd --queue says so on a terminal (and only there); a queue that exists does not.
    for (queue, args) in [
        ("mial", &["len"][..]),
        ("mial", &["show", "x"]),
        ("alpha", &["len"]),
    ] {
        let mut cmd = rpq_command(&r.url());
        cmd.args(["--queue", queue]).args(args);
        let (_, screen) = Pty::spawn(cmd, On::STDERR).finish(Duration::from_secs(20));
        let note = "queue 'mial' does not exist: nothing was ever pushed to it";
        assert_eq!(screen.contains(note), queue == "mial", "{screen:?}");
    }
    rpq(&r)
        .args(["--queue", "mial", "len"])
        .assert()
        .success()
        .stderr("");
}

/// A scheduled task is a state like the others: shown with its due time, listed, moved to a new
/// priority (still scheduled), made due at once with `--now` (then waiting, behind the tasks
/// already waiting of its priority), and cancelled with nothing left behind.
#[test]
fn a_scheduled_task_is_shown_moved_made_due_now_and_cancelled() {
    let r = redis();
    let mut c = conn(&r);
    let push = |id: &str, priority: &str| {
        rpq(&r)
            .args(["produce", "--type", "t", "--id", id, "--priority", priority])
            .args(["--in", "1h", "--ttl", "2h"])
            .assert()
            .success();
    };
    push("s1", "low");
    push("s2", "low");
    push_one(&r, "w1", "w1");
    let s1 = show(&r, "default", "s1");
    assert_eq!(
        (s1["state"].as_str(), s1["priority"].as_u64()),
        (Some("scheduled"), Some(3))
    );
    assert!(time(&s1["due_at"]) > time(&s1["created_at"]));
    let listed = json_of(&r, "default", &["list", "--state", "scheduled"]);
    assert_eq!(ids(&listed), ["s1", "s2"], "due order");

    let moved = json_of(&r, "default", &["move", "s1", "--priority", "high"]);
    assert_eq!(
        (moved[0]["state"].as_str(), moved[0]["priority"].as_u64()),
        (Some("scheduled"), Some(1))
    );
    rpq(&r).arg("len").assert().success().stdout("1\n");
    let now = json_of(&r, "default", &["move", "s1", "--now"]);
    assert_eq!(now[0]["state"], "waiting");
    assert!(time(&now[0]["due_at"]) <= chrono::Utc::now() + chrono::Duration::seconds(5));
    // High now, so it goes before the medium task that waited first.
    let next = json_of(&r, "default", &["peek", "-n", "2"]);
    assert_eq!(ids(&next), ["s1", "w1"]);

    let gone = json_of(&r, "default", &["cancel", "s2"]);
    assert_eq!(gone[0]["state"], "scheduled");
    rpq(&r)
        .args(["show", "s2"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("s2"));
    let k = Keys::new("default", 0);
    let tasks: Vec<String> = redis::cmd("HKEYS").arg(k.tasks()).query(&mut c).unwrap();
    assert!(!tasks.contains(&"s2".to_string()), "its body is gone");
    assert_eq!(zcard(&mut c, k.scheduled()), 0);
    let expiry: Option<String> = redis::cmd("ZSCORE")
        .arg(k.expires())
        .arg("s2")
        .query(&mut c)
        .unwrap();
    assert_eq!(expiry, None, "its expiry entry is gone");
}

#[test]
fn a_count_of_one_is_met_by_a_task_cancelled_in_hand() {
    let r = redis();
    let mut c = conn(&r);
    for (id, work) in [
        ("slow", ["--delay", "1h"]),
        ("run", ["--exec", "sleep 3600"]),
    ] {
        push_one(&r, "t", id);
        let p = Proc::start(&r, &["--json", "consume", "--count", "1", work[0], work[1]]);
        wait_in_flight(&mut c, "default", 1);
        rpq(&r).args(["cancel", id]).assert().success();
        // Cancelled counts as taken: nothing more to wait for.
        let out = p.end(Duration::from_secs(30));
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let lines = ndjson(&out.stdout);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(
            (&lines[0]["id"], &lines[0]["outcome"]),
            (&json!(id), &json!("cancelled"))
        );
        assert_eq!(in_flight(&mut c, "default"), 0);
    }
}

#[test]
fn bidirectional_controls_in_task_data_are_escaped_in_human_output() {
    let r = redis();
    // U+202E turns the rest of a terminal line around: the columns after it would read reversed.
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--payload",
            "abc\u{202e}def\u{2066}x",
        ])
        .assert()
        .success();
    for args in [&["peek"][..], &["list", "--state", "waiting"]] {
        let out = rpq(&r).args(args).assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(
            text.contains("abc\\u{202e}def\\u{2066}x") && !text.contains('\u{202e}'),
            "{args:?}: {text}"
        );
    }
}
