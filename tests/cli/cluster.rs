//! rpq on a real Redis Cluster: every command, a queue sharded over all primaries, and a
//! primary killed under running consumers.

use crate::servers::*;
use crate::support::{
    assert_rate_held, calls, count_done, json_lines, lines_with_ids, meta, mixed, ndjson,
    std_command, time, wait_until, Keys, Proc,
};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

fn task_lines(n: usize) -> String {
    lines_with_ids(mixed(n)).join("\n")
}

fn len_json(c: &Cluster, queue: &str) -> Value {
    json_lines(c.rpq().args(["--queue", queue, "--json", "len"])).remove(0)
}

/// A queue name whose `shards` hash tags land on every primary of the cluster, so the test
/// shows the load spreading (which tag goes where is CRC16's choice).
fn name_on_every_primary(c: &Cluster, shards: usize) -> String {
    let primaries = c.primaries().len();
    (0..1000)
        .map(|i| format!("jobs{i}"))
        .find(|name| {
            let mut ports: Vec<u16> = (0..shards)
                .map(|s| c.primary_of(Keys::new(name, s).pending()).port)
                .collect();
            ports.sort();
            ports.dedup();
            ports.len() == primaries
        })
        .expect("some name spreads over every primary")
}

/// Produce 3,000 tasks, look at them, drain them with three consumers (each task once), then
/// clear, stats and the dead-letter set. `shards` goes to the producer only: the consumers
/// and the rest read it from the queue.
fn every_command_on(c: &Cluster, queue: &str, shards: Option<u32>, pushed_before: u64) {
    let mut produce = c.rpq();
    produce.args(["--queue", queue]);
    if let Some(n) = shards {
        produce.args(["--shards", &n.to_string()]);
    }
    produce
        .args(["produce", "--stdin"])
        .write_stdin(task_lines(3000))
        .assert()
        .success()
        .stdout("Queued 3000 tasks\n");
    c.rpq()
        .args(["--queue", queue, "len"])
        .assert()
        .success()
        .stdout("3000\n");
    let l = len_json(c, queue);
    assert_eq!(
        (l["high"].as_u64(), l["medium"].as_u64(), l["low"].as_u64()),
        (Some(1000), Some(1000), Some(1000))
    );

    // peek merges the shards in claim order: high first.
    let peeked = json_lines(
        c.rpq()
            .args(["--queue", queue, "--json", "peek", "-n", "5"]),
    );
    assert_eq!(peeked.len(), 5);
    assert!(peeked.iter().all(|t| t["priority"] == 1), "{peeked:?}");

    let consumers: Vec<_> = (0..3)
        .map(|i| {
            c.spawn(&[
                "--queue",
                queue,
                "--json",
                "consume",
                "--drain",
                "--name",
                &format!("c{i}"),
            ])
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for child in consumers {
        let lines = ndjson(&child.success(Duration::from_secs(180)));
        for t in &lines {
            assert_eq!(t["outcome"], "done");
        }
        count_done(&mut seen, &lines);
    }
    assert_eq!(seen.len(), 3000, "some tasks were never consumed");
    assert!(
        seen.values().all(|n| *n == 1),
        "a task was handed out twice"
    );
    let l = len_json(c, queue);
    assert_eq!(
        (l["waiting"].as_u64(), l["in_flight"].as_u64()),
        (Some(0), Some(0))
    );

    let s = json_lines(c.rpq().args(["--queue", queue, "--json", "stats"])).remove(0);
    assert_eq!(s["pushed"], 3000 + pushed_before);
    assert_eq!(s["done"], 3000);
    assert_eq!(s["consumers"].as_array().unwrap().len(), 3, "{s}");
    let per: u64 = s["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["done"].as_u64().unwrap())
        .sum();
    assert_eq!(per, 3000);

    // The dead-letter set: tasks that fail once with --max-attempts 1.
    c.rpq()
        .args(["--queue", queue, "produce", "--stdin"])
        .write_stdin(task_lines(10))
        .assert()
        .success();
    c.rpq()
        .args([
            "--queue",
            queue,
            "consume",
            "--drain",
            "--exec",
            "exit 3",
            "--max-attempts",
            "1",
        ])
        .assert()
        .success();
    let dead = json_lines(c.rpq().args(["--queue", queue, "--json", "dead", "list"]));
    assert_eq!(dead.len(), 10);
    c.rpq()
        .args(["--queue", queue, "dead", "retry", "t1", "t2"])
        .assert()
        .success()
        .stdout("Queued 2 dead tasks again\n");
    c.rpq()
        .args(["--queue", queue, "len"])
        .assert()
        .success()
        .stdout("2\n");

    // Inspecting and controlling (issue 13), across the shards and the nodes: t1 (medium) and
    // t2 (low) wait, t0 and t3..t9 are dead.
    let page = |state: &str, after: Option<&str>| {
        let mut cmd = c.rpq();
        cmd.args([
            "--queue", queue, "--json", "list", "--state", state, "-n", "3",
        ]);
        if let Some(a) = after {
            cmd.args(["--after", a]);
        }
        json_lines(&mut cmd)
    };
    let mut dead_ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let p = page("dead", after.as_deref());
        let Some(last) = p.last() else { break };
        after = Some(last["id"].as_str().unwrap().to_string());
        dead_ids.extend(p.iter().map(|t| t["id"].as_str().unwrap().to_string()));
    }
    dead_ids.sort();
    assert_eq!(dead_ids, ["t0", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
    c.rpq()
        .args(["--queue", queue, "move", "t2", "--priority", "high"])
        .assert()
        .success();
    let waiting: Vec<(Value, Value)> = page("waiting", None)
        .iter()
        .map(|t| (t["id"].clone(), t["priority"].clone()))
        .collect();
    assert_eq!(waiting, [("t2".into(), 1.into()), ("t1".into(), 2.into())]);
    let shown = json_lines(
        c.rpq()
            .args(["--queue", queue, "--json", "show", "t9", "t1"]),
    );
    assert_eq!(
        (&shown[0]["state"], &shown[1]["state"]),
        (&"dead".into(), &"waiting".into())
    );
    c.rpq()
        .args(["--queue", queue, "produce", "--type", "x", "--id", "extra"])
        .assert()
        .success();
    c.rpq()
        .args(["--queue", queue, "cancel", "extra"])
        .assert()
        .success()
        .stdout("Cancelled task extra (waiting): removed\n");
    let queues = json_lines(c.rpq().args(["--json", "queues"]));
    let ours: Vec<&Value> = queues.iter().filter(|q| q["queue"] == queue).collect();
    assert_eq!(ours.len(), 1, "{queues:?}");
    assert_eq!(
        (
            ours[0]["shards"].as_u64(),
            ours[0]["waiting"].as_u64(),
            ours[0]["dead"].as_u64()
        ),
        (Some(shards.unwrap_or(1).into()), Some(2), Some(8))
    );

    c.rpq()
        .args(["--queue", queue, "dead", "purge"])
        .assert()
        .success()
        .stdout("Purged 8 dead tasks\n");

    let cleared =
        json_lines(c.rpq().args(["--queue", queue, "--json", "clear", "--yes"])).remove(0);
    assert_eq!(
        (cleared["removed"].as_u64(), cleared["waiting"].as_u64()),
        (Some(2), Some(2))
    );
    c.rpq()
        .args(["--queue", queue, "len"])
        .assert()
        .success()
        .stdout("0\n");
}

#[test]
fn every_command_works_on_a_three_primary_cluster() {
    let c = Cluster::start(3, 0);
    every_command_on(&c, "default", None, 0);

    // `queues` scans every primary: one queue whose meta key lives on each of them.
    let mut names: Vec<String> = Vec::new();
    for i in 0..1000 {
        let name = format!("q{i}");
        let port = c.primary_of(&meta(&name)).port;
        if !names.iter().any(|n| c.primary_of(&meta(n)).port == port) {
            names.push(name);
        }
    }
    assert_eq!(names.len(), 3);
    for n in &names {
        c.rpq()
            .args(["--queue", n, "produce", "--type", "t"])
            .assert()
            .success();
    }
    let listed: Vec<String> = json_lines(c.rpq().args(["--json", "queues"]))
        .iter()
        .map(|q| q["queue"].as_str().unwrap().to_string())
        .collect();
    let mut want = names.clone();
    want.push("default".into());
    want.sort();
    assert_eq!(listed, want);
    // Without --cluster, one node of it, a queue whose keys live on another: one line that
    // says what to add (it said `Moved: ...`), at once.
    let node = c.primaries()[0];
    let elsewhere = (0..100)
        .map(|i| format!("q{i}"))
        .find(|q| c.primary_of(&rpq::queue::keys::meta(q)).port != node.port)
        .unwrap();
    let started = std::time::Instant::now();
    let out = crate::support::bare()
        .args(["--url", &node.url(), "--queue", &elsewhere, "len"])
        .assert()
        .code(1)
        .stdout("");
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("node of a Redis Cluster") && err.contains("add --cluster"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_queue_sharded_six_ways_spreads_over_every_primary() {
    let c = Cluster::start(3, 0);
    let queue = name_on_every_primary(&c, 6);
    c.rpq()
        .args(["--queue", &queue, "--shards", "6", "produce", "--stdin"])
        .write_stdin(task_lines(600))
        .assert()
        .success();
    for p in c.primaries() {
        assert!(
            dbsize(p) > 0,
            "primary on port {} holds no key of the queue",
            p.port
        );
    }
    // Producers and consumers agree on the count stored with the queue; another one is refused.
    c.rpq()
        .args(["--queue", &queue, "--shards", "3", "len"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("stored with --shards 6, not 3"));
    c.rpq()
        .args(["--queue", &queue, "clear", "--yes"])
        .assert()
        .success();
    every_command_on(&c, &queue, Some(6), 600);

    // An idle consumer blocks on shard 0's tag; a push to any other shard still wakes it.
    for shard in 1..6 {
        let id = (0..)
            .map(|i| format!("wake{shard}-{i}"))
            .find(|id| rpq::queue::keys::shard_of(id, 6) == shard)
            .unwrap();
        let name = format!("idle{shard}");
        let child = c.spawn(&[
            "--queue", &queue, "--json", "consume", "--count", "1", "--name", &name,
        ]);
        let consumers = Keys::new(&queue, 0).consumers().to_string();
        let shard0 = c.primary_of(&consumers);
        wait_until(Duration::from_secs(10), "the consumer to go idle", || {
            let seen: bool = query(shard0, redis::cmd("HEXISTS").arg(&consumers).arg(&name));
            seen
        });
        c.rpq()
            .args(["--queue", &queue, "produce", "--type", "t", "--id", &id])
            .assert()
            .success();
        let done = ndjson(&child.success(Duration::from_secs(30))).remove(0);
        assert_eq!(done["id"], id.as_str());
        let at = |f: &str| time(&done[f]);
        // Woken by the push, not by the claim an idle consumer makes every 5 s anyway.
        let waited = at("claimed_at") - at("created_at");
        assert!(
            waited.num_milliseconds() < 4000,
            "shard {shard}: waited {waited}"
        );
    }
    // `queues remove` finds the keys of every shard on every primary, kept results too.
    c.rpq()
        .args(["--queue", &queue, "produce", "--type", "r", "--id", "kept"])
        .args(["--keep-result", "1h"])
        .assert()
        .success();
    c.rpq()
        .args([
            "--queue", &queue, "consume", "--count", "1", "--exec", "echo ok",
        ])
        .assert()
        .success();
    let removed = json_lines(
        c.rpq()
            .args(["--json", "queues", "remove", &queue, "--force"]),
    );
    assert_eq!(removed[0]["results"], 1, "{:?}", removed[0]);
    for p in c.primaries() {
        assert_eq!(dbsize(p), 0, "primary on port {} keeps keys", p.port);
    }
    assert!(json_lines(c.rpq().args(["--json", "queues"])).is_empty());
}

#[test]
fn consumers_ride_out_a_primary_failover() {
    let mut c = Cluster::start(3, 1);
    let queue = name_on_every_primary(&c, 3);
    c.rpq()
        .args(["--queue", &queue, "--shards", "3", "produce", "--stdin"])
        .write_stdin(task_lines(600))
        .assert()
        .success();
    // Replication is asynchronous: the test kills a primary only once its replica has every
    // push, as an operator would wait before a planned failover.
    c.wait_replicated();
    let consumers: Vec<_> = (0..3)
        .map(|i| {
            c.spawn(&[
                "--queue",
                &queue,
                "--json",
                "consume",
                "--delay",
                "5ms",
                "--lease",
                "2s",
                "--name",
                &format!("c{i}"),
            ])
        })
        .collect();
    wait_until(Duration::from_secs(30), "consumers to be under way", || {
        len_json(&c, &queue)["waiting"].as_u64().unwrap() < 500
    });
    let victim = c.primary_of(Keys::new(&queue, 0).pending()).port;
    c.nodes
        .iter_mut()
        .find(|n| n.port == victim)
        .unwrap()
        .kill();
    wait_until(Duration::from_secs(30), "a replica to take over", || {
        c.primaries().len() == 3
    });
    c.wait_ok();
    let end = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let l = len_json(&c, &queue);
        if l["waiting"] == 0 && l["in_flight"] == 0 && l["retrying"] == 0 {
            break;
        }
        if std::time::Instant::now() > end {
            let mut why = format!("the queue did not drain after the failover: {l}\n");
            for child in consumers {
                child.signal(libc::SIGKILL);
                why += &child.end(Duration::from_secs(10)).stderr;
            }
            panic!("{why}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut done: HashMap<String, usize> = HashMap::new();
    let mut noticed = 0;
    for child in consumers {
        child.signal(libc::SIGTERM);
        let out = child.end(Duration::from_secs(30));
        let stderr = out.stderr;
        assert!(out.status.success(), "{stderr}");
        noticed += stderr.contains("reconnected") as usize;
        count_done(&mut done, &ndjson(&out.stdout));
    }
    // Nothing lost. A claim or ack that the dead primary had not yet passed on to its replica
    // may make a task run twice: at least once, as with any crash.
    assert_eq!(done.len(), 600, "tasks lost in the failover");
    assert!(
        noticed > 0,
        "no consumer saw the failover; the test killed too late"
    );
}

#[test]
fn a_sharded_queue_on_one_server_survives_a_script_flush_between_claims() {
    let r = crate::support::redis();
    let lines = task_lines(30);
    crate::support::rpq(&r)
        .args(["--shards", "3", "produce", "--stdin"])
        .write_stdin(lines)
        .assert()
        .success();
    // Every task's handler empties the script cache, so the acks that ride along with the next
    // look at the shards meet NOSCRIPT and must go the slow way, which reloads the scripts.
    let flush = format!("redis-cli -p {} SCRIPT FLUSH >/dev/null", r.port);
    let done = json_lines(
        crate::support::rpq(&r).args(["--json", "consume", "--drain", "--exec", &flush]),
    );
    assert_eq!(done.len(), 30);
    assert!(done.iter().all(|t| t["outcome"] == "done"), "{done:?}");
    let l = json_lines(crate::support::rpq(&r).args(["--json", "len"])).remove(0);
    assert_eq!(
        (l["waiting"].as_u64(), l["in_flight"].as_u64()),
        (Some(0), Some(0))
    );
    let evals = calls(&mut crate::support::conn(&r), &["eval"]);
    assert!(
        evals >= 29,
        "the scripts were not reloaded after each flush: {evals} EVALs"
    );
}

/// Scheduled tasks come due and a schedule fires once per slot on a queue sharded six ways over
/// three primaries: promotion, waking and firing per shard, the schedule on every shard.
#[test]
fn time_works_on_a_three_primary_cluster() {
    let c = Cluster::start(3, 0);
    let queue = name_on_every_primary(&c, 6);
    let at = crate::time::At::cluster(&c, &queue, Some(6));
    crate::time::scheduled_tasks_come_due(&at, 60, 1500, 2, 250);
    crate::time::schedule_fires_each_slot_once(&at, 2, 3);
}

/// The worker runtime (issue 11): `produce --wait` on a queue sharded over three primaries.
/// Each task's result key is in its own shard's hash tag, so its ack (keep.lua) and the
/// waiter's blocking read go to the node that holds the task, whichever it is; and a waiter
/// that was there before any consumer gets its answer too.
#[test]
fn produce_wait_works_on_a_three_primary_cluster_with_three_shards() {
    let c = Cluster::start(3, 0);
    let queue = name_on_every_primary(&c, 3);
    // One id on each shard.
    let ids: Vec<String> = (0..3)
        .map(|s| {
            (0..100)
                .map(|i| format!("rpc-{i}"))
                .find(|id| rpq::queue::keys::shard_of(id, 3) == s)
                .unwrap()
        })
        .collect();
    let first = c.spawn(&[
        "--queue", &queue, "--shards", "3", "produce", "--type", "t", "--id", &ids[0], "--wait",
    ]);
    wait_until(
        Duration::from_secs(20),
        "the first task to be queued",
        || {
            let out = c.rpq().args(["--queue", &queue, "len"]).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim() == "1"
        },
    );
    let consumer = c.spawn(&[
        "--queue",
        &queue,
        "consume",
        "-j",
        "2",
        "--exec",
        r#"printf 'did %s' "$RPQ_TASK_ID""#,
    ]);
    let out = first.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("did {}", ids[0])
    );
    for id in &ids[1..] {
        c.rpq()
            .args(["--queue", &queue, "produce", "--type", "t", "--id", id])
            .args(["--wait", "--timeout", "20s"])
            .assert()
            .success()
            .stdout(format!("did {id}"));
    }
    consumer.signal(libc::SIGTERM);
    assert!(consumer.end(Duration::from_secs(30)).status.success());
}

/// Controls (issue 13) on a queue sharded over the three primaries: a pause holds on every
/// shard, a limit is split over the shards (each its share: no script can reach two nodes), and
/// a limited type's tasks wait in their lines while the other types go.
#[test]
fn controls_work_on_a_three_primary_cluster() {
    let c = Cluster::start(3, 0);
    let queue = name_on_every_primary(&c, 3);
    let q = |args: &[&str]| {
        let mut cmd = c.rpq();
        cmd.args(["--queue", &queue, "--shards", "3"]).args(args);
        cmd
    };
    let node0 = c.primary_of(Keys::new(&queue, 0).pending());
    let now = || {
        let (s, us): (i64, i64) = query(node0, &mut redis::cmd("TIME"));
        s * 1000 + us / 1000
    };
    let zcard = |key: &str| -> u64 { query(c.primary_of(key), redis::cmd("ZCARD").arg(key)) };

    // A pause: a consumer claims, takes nothing, and is woken by the resume.
    q(&["produce", "--stdin"])
        .write_stdin(task_lines(30))
        .assert()
        .success();
    q(&["pause"]).assert().success();
    let paused_at = now();
    let waiting = c.spawn(&[
        "--queue", &queue, "--json", "consume", "--count", "1", "--name", "w",
    ]);
    let seen = |name: &str| -> i64 {
        let key = Keys::new(&queue, 0).consumers().to_string();
        let v: Option<String> = query(c.primary_of(&key), redis::cmd("HGET").arg(&key).arg(name));
        v.and_then(|v| v.split('|').next().and_then(|s| s.parse().ok()))
            .unwrap_or(0)
    };
    wait_until(
        Duration::from_secs(10),
        "the paused consumer to claim",
        || seen("w") > paused_at,
    );
    let resumed_at = now();
    q(&["resume"]).assert().success();
    // Within a second of the resume's return, not of its start: starting an rpq on a cluster
    // (its slot map, a connection a node) took most of that second on a loaded machine.
    let resume_returned = now();
    let line = ndjson(&waiting.success(Duration::from_secs(10))).remove(0);
    let claimed = time(&line["claimed_at"]).timestamp_millis();
    assert!(
        claimed >= resumed_at && claimed - resume_returned < 1000,
        "{claimed} vs {resumed_at}..{resume_returned}"
    );
    q(&["clear", "--yes"]).assert().success();

    // A rate, split: 10/s on each of the three shards.
    q(&["limit", "--rate", "30/s"]).assert().success();
    q(&["produce", "--stdin"])
        .write_stdin(task_lines(300))
        .assert()
        .success();
    let running: Vec<_> = (0..4)
        .map(|i| {
            let name = format!("c{i}");
            c.spawn(&["--queue", &queue, "--json", "consume", "--name", &name])
        })
        .collect();
    // The window below starts at the first claim, so the wait does too: timed from the
    // spawns, a first claim more than 1 s late (consumers of a cluster start slower, more so
    // on a loaded machine) cut the window short.
    let pending = || -> u64 { (0..3).map(|s| zcard(Keys::new(&queue, s).pending())).sum() };
    wait_until(Duration::from_secs(30), "a first claim", || pending() < 300);
    let claimed_by = now();
    wait_until(Duration::from_secs(30), "3 s of claims", || {
        now() > claimed_by + 3000
    });
    for p in &running {
        p.signal(libc::SIGTERM);
    }
    let mut claims: Vec<i64> = running
        .into_iter()
        .flat_map(|p| ndjson(&p.success(Duration::from_secs(20))))
        .map(|l| time(&l["claimed_at"]).timestamp_millis())
        .collect();
    claims.sort();
    let steady = claims
        .iter()
        .filter(|&&t| t >= claims[0] + 1000 && t < claims[0] + 3000)
        .count();
    eprintln!("cluster: {steady} claims from 1 s to 3 s");
    // Each shard's bucket of 10 fills at 10/s: together 30 and 30/s (the bounds are the
    // buckets', not the window's: 67 in 2 s failed a full run, one over its bound), counted
    // from 1 s for the rate, as the consumers come up one by one.
    assert_rate_held(&claims, (30, 30), 1000, 2000, 8);
    q(&["limit", "--off"]).assert().success();
    q(&["clear", "--yes"]).assert().success();

    // A cap, split: one in flight on each shard.
    q(&["limit", "--max-in-flight", "3"]).assert().success();
    q(&["produce", "--stdin"])
        .write_stdin(task_lines(12))
        .assert()
        .success();
    let sum = |key: fn(&Keys) -> &str| -> u64 {
        (0..3)
            .map(|s| {
                let k = Keys::new(&queue, s);
                zcard(key(&k))
            })
            .sum()
    };
    // Each handler holds its task until the test lets go: 3 in flight at once is then a
    // state to wait for, where tasks of 200 ms had to overlap by chance, and be seen to by a
    // poll, on a loaded machine.
    let go = c.nodes[0].dir().join("go");
    let running: Vec<_> = (0..4)
        .map(|i| {
            let name = format!("d{i}");
            Proc::spawn(
                std_command()
                    .arg("--cluster")
                    .arg("--url")
                    .arg(c.url())
                    .args(["--queue", &queue, "consume", "--name", &name, "--exec"])
                    .arg(r#"while [ ! -e "$GO" ]; do sleep 0.05; done"#)
                    .env("GO", &go),
            )
        })
        .collect();
    let mut most = 0;
    wait_until(
        Duration::from_secs(30),
        "one task in flight on each shard",
        || {
            let n: Vec<u64> = (0..3)
                .map(|s| zcard(Keys::new(&queue, s).inflight()))
                .collect();
            most = most.max(n.iter().sum());
            n == [1, 1, 1]
        },
    );
    std::fs::write(&go, "").unwrap();
    wait_until(Duration::from_secs(30), "12 tasks taken", || {
        let n = sum(Keys::inflight);
        most = most.max(n);
        n == 0 && sum(Keys::pending) == 0
    });
    for p in &running {
        p.signal(libc::SIGTERM);
    }
    for p in running {
        p.success(Duration::from_secs(20));
    }
    eprintln!("cluster: at most {most} in flight");
    assert_eq!(most, 3, "at most 3 in flight, and 3 reached");
    q(&["limit", "--off"]).assert().success();

    // A limited type: one token a shard, then its tasks wait in their lines; the others go.
    q(&["limit", "--type", "slow", "--rate", "1/h", "--burst", "3"])
        .assert()
        .success();
    let mut input = Vec::new();
    for i in 0..6 {
        input.push(serde_json::json!({"type": "slow", "priority": 1, "id": format!("s{i}")}));
    }
    for i in 0..3 {
        input.push(serde_json::json!({"type": "fast", "priority": 3, "id": format!("f{i}")}));
    }
    let text: Vec<String> = input.iter().map(Value::to_string).collect();
    q(&["produce", "--stdin"])
        .write_stdin(text.join("\n"))
        .assert()
        .success();
    let mut with_slow: Vec<usize> = (0..6)
        .map(|i| rpq::queue::keys::shard_of(&format!("s{i}"), 3))
        .collect();
    with_slow.sort();
    with_slow.dedup();
    let n = with_slow.len() + 3;
    let done = json_lines(&mut q(&["--json", "consume", "--count", &n.to_string()]));
    let fast = done.iter().filter(|l| l["type"] == "fast").count();
    assert_eq!((done.len(), fast), (n, 3), "{done:?}");
    q(&["len"])
        .assert()
        .success()
        .stdout(format!("{}\n", 6 - with_slow.len()));
    q(&["limit", "--type", "slow", "--off"]).assert().success();
    let rest = json_lines(&mut q(&["--json", "consume", "--drain"]));
    assert_eq!(rest.len(), 6 - with_slow.len());
}

/// Flows (issue 24) on a queue sharded three ways over three primaries: a diamond and a fan-in
/// of 100 parents, whose children wait for parents on other nodes (the outbox moves each
/// release from the parent's node to the child's); each task runs once, after its parents.
#[test]
fn flows_work_on_a_three_primary_cluster_with_three_shards() {
    let c = Cluster::start(3, 0);
    let queue = name_on_every_primary(&c, 3);
    crate::flows::sharded_flows(c.nodes[0].dir(), &c.url(), true, &queue, "3", 100);
}
