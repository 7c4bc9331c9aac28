//! Groups on sharded queues and clusters (issue 23): a group lives on one shard (its key's
//! `shard_of`), so its FIFO and its limits are exact; consumers go round the shards of the best
//! priority, so the turns are fair within each shard and per shard across them.

use crate::servers::*;
use crate::support::*;
use rpq::queue::group_shard;
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

/// `rpq --shards 3` on the default queue.
fn rpq3(r: &RedisServer) -> assert_cmd::Command {
    let mut c = rpq(r);
    c.args(["--shards", "3"]);
    c
}

fn push3(r: &RedisServer, lines: &[String]) {
    rpq3(r)
        .args(["produce", "--stdin"])
        .write_stdin(lines.join("\n"))
        .assert()
        .success();
}

/// The groups of the tasks of one shard's set (`pending`, `inflight`), read in one script.
fn groups_in(c: &mut redis::Connection, shard: usize, set: &str) -> HashMap<String, u64> {
    let k = Keys::new("default", shard);
    let key = if set == "pending" {
        k.pending().to_string()
    } else {
        k.inflight().to_string()
    };
    let bodies: Vec<String> = redis::Script::new(
        "local out = {}
         for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
           out[#out + 1] = redis.call('HGET', KEYS[2], string.match(id, '^[^\t]*')) or ''
         end
         return out",
    )
    .key(key)
    .key(k.tasks())
    .invoke(c)
    .unwrap();
    let mut out = HashMap::new();
    for b in bodies {
        let v: Value = serde_json::from_str(crate::support::stored_body(&b)).unwrap_or(Value::Null);
        *out.entry(v["g"].as_str().unwrap_or("").to_string())
            .or_insert(0) += 1;
    }
    out
}

fn group_of(v: &Value) -> String {
    v["group"].as_str().unwrap_or("").to_string()
}

/// The shape of the fairness test on three shards: one group of 5,000 pushed first, nine of
/// 20 after, two consumers. Each group's tasks wait on its own shard only, and the small
/// groups are done among the first 400 claims (FIFO would take 5,180), in order within each.
#[test]
fn on_three_shards_each_group_lives_on_its_shard_and_small_groups_are_done_early() {
    let r = redis();
    let mut c = conn(&r);
    // A queue that has lived: the shards other than big's took 3,000 tasks before (cleared),
    // so their arrival numbers are ahead of big's shard's, and a claim that went by arrival
    // across shards would serve big's shard alone for 3,000 claims.
    for shard in (0..3).filter(|&s| s != group_shard("big", 3)) {
        let warm = (0..)
            .map(|i| format!("warm{i}"))
            .find(|g| group_shard(g, 3) == shard)
            .unwrap();
        push3(&r, &group_lines(&warm, 3000, 2));
    }
    rpq(&r).args(["clear", "--yes"]).assert().success();
    push3(&r, &group_lines("big", 5000, 2));
    let mut small = Vec::new();
    for g in 1..=9 {
        small.extend(group_lines(&format!("g{g}"), 20, 2));
    }
    push3(&r, &small);
    let mut homes = vec![0; 3];
    for (shard, home) in homes.iter_mut().enumerate() {
        for (g, n) in groups_in(&mut c, shard, "pending") {
            assert_eq!(group_shard(&g, 3), shard, "group {g} on shard {shard}");
            assert_eq!(n, if g == "big" { 5000 } else { 20 }, "{g}");
            *home += 1;
        }
    }
    assert!(
        homes.iter().filter(|&&h| h > 0).count() >= 2,
        "the groups spread over the shards: {homes:?}"
    );
    let procs: Vec<Proc> = (0..2)
        .map(|i| {
            let name = format!("c{i}");
            Proc::start(
                &r,
                &["--json", "consume", "--name", &name, "--count", "250"],
            )
        })
        .collect();
    let each: Vec<Vec<Value>> = procs
        .into_iter()
        .map(|p| ndjson(&p.success(Duration::from_secs(90))))
        .collect();
    // FIFO within each group: one consumer's claims of a group are in order.
    for lines in &each {
        let mut last: HashMap<String, u64> = HashMap::new();
        for v in lines {
            let p = v["payload"].as_u64().unwrap();
            if let Some(prev) = last.insert(group_of(v), p) {
                assert!(p > prev, "FIFO within {}: {p} after {prev}", group_of(v));
            }
        }
    }
    let mut done: Vec<Value> = each.into_iter().flatten().collect();
    assert_eq!(done.len(), 500);
    done.sort_by_key(|v| time(&v["claimed_at"]));
    let last_small = done.iter().rposition(|v| group_of(v) != "big").unwrap() + 1;
    eprintln!("3 shards: the small groups' last task at claim {last_small} of 500");
    let small_done = done[..400].iter().filter(|v| group_of(v) != "big").count();
    assert_eq!(
        small_done, 180,
        "the small groups within the first 400 claims"
    );
    // `rpq groups` merges the shards: big is left, on its shard.
    let groups = json_lines(rpq(&r).args(["--json", "groups"]));
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(
        (groups[0]["group"].as_str(), groups[0]["waiting"].as_u64()),
        (Some("big"), Some(5000 - 500 + 180))
    );
}

/// A producer's own id must fall on its group's shard (every lookup by id goes to the id's
/// shard): one that does not is refused with one line, as a flag (exit 2) or as a bad line of
/// --stdin (exit 65, the other lines queued); a random id is drawn on the group's shard.
#[test]
fn an_own_id_off_its_groups_shard_is_refused_and_random_ids_land_on_it() {
    let r = redis();
    let mut c = conn(&r);
    let home = group_shard("acme", 3);
    let off = (0..)
        .map(|i| format!("order-{i}"))
        .find(|id| rpq::queue::keys::shard_of(id, 3) != home)
        .unwrap();
    let on = (0..)
        .map(|i| format!("order-{i}"))
        .find(|id| rpq::queue::keys::shard_of(id, 3) == home)
        .unwrap();
    let out = rpq3(&r)
        .args(["produce", "--type", "t", "--group", "acme", "--id", &off])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.starts_with(&format!("rpq: id '{off}' falls on shard ")) && err.lines().count() == 1,
        "{err}"
    );
    assert!(
        err.contains(&format!("group 'acme' lives on shard {home}")),
        "{err}"
    );
    for shard in 0..3 {
        assert_eq!(zcard(&mut c, Keys::new("default", shard).pending()), 0);
    }
    let lines = [
        json!({"type": "t", "priority": 2, "group": "acme", "id": off}).to_string(),
        json!({"type": "t", "priority": 2, "group": "acme", "id": on}).to_string(),
        json!({"type": "t", "priority": 2, "group": "acme"}).to_string(),
    ];
    let out = rpq3(&r)
        .args(["produce", "--stdin"])
        .write_stdin(lines.join("\n"))
        .assert()
        .code(65);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("line 1: id '"), "{err}");
    rpq3(&r)
        .args(["produce", "--type", "t", "--group", "acme", "--count", "20"])
        .assert()
        .success();
    for shard in 0..3 {
        let want = if shard == home { 22 } else { 0 };
        assert_eq!(
            zcard(&mut c, Keys::new("default", shard).pending()),
            want,
            "shard {shard}"
        );
    }
    // By id, as any task: show, move, cancel.
    rpq(&r).args(["show", &on]).assert().success();
    rpq(&r)
        .args(["move", &on, "--priority", "high"])
        .assert()
        .success();
    let first = json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]));
    assert_eq!(first[0]["id"].as_str(), Some(on.as_str()));
}

/// Limits and pauses of groups on a sharded queue: a group's own go to its shard, the default
/// of every group to each; a cap of 2 each holds under 8 consumers over 20 groups on three
/// shards, a group's own cap of 1 and a pause too, and every task is done once.
#[test]
fn group_limits_and_pauses_hold_across_a_sharded_queue() {
    let r = redis();
    let mut c = conn(&r);
    rpq3(&r)
        .args(["limit", "--each-group", "--max-in-flight", "2"])
        .assert()
        .success();
    rpq3(&r)
        .args(["limit", "--group", "g01", "--max-in-flight", "1"])
        .assert()
        .success();
    rpq3(&r)
        .args(["pause", "--group", "g02"])
        .assert()
        .success();
    let mut input = Vec::new();
    for g in 0..20 {
        let n = if g < 4 { 12 } else { 3 };
        input.extend(group_lines(&format!("g{g:02}"), n, 2));
    }
    let total = input.len() as u64;
    push3(&r, &input);
    // The limits say once what they are, whatever the shards.
    let shown = json_lines(rpq(&r).args(["--json", "limit"]));
    let each: Vec<&Value> = shown.iter().filter(|l| l["each_group"] == true).collect();
    assert_eq!(each.len(), 1, "{shown:?}");
    let running: Vec<Proc> = (0..8)
        .map(|i| {
            let name = format!("c{i}");
            Proc::start(
                &r,
                &[
                    "--json",
                    "consume",
                    "--name",
                    &name,
                    "--exec",
                    "exec sleep 0.05",
                ],
            )
        })
        .collect();
    let (mut most, mut g01, mut samples) = (0u64, 0u64, 0u64);
    // Left: waiting and in flight, over the shards.
    let left = |c: &mut redis::Connection| -> (u64, u64) {
        (0..3).fold((0, 0), |(w, f), s| {
            let k = Keys::new("default", s);
            (w + zcard(c, k.pending()), f + zcard(c, k.inflight()))
        })
    };
    wait_until(Duration::from_secs(90), "every unpaused task done", || {
        for shard in 0..3 {
            for (g, n) in groups_in(&mut c, shard, "inflight") {
                assert_ne!(g, "g02", "a task of the paused group ran");
                let cap = if g == "g01" { 1 } else { 2 };
                assert!(n <= cap, "group {g} has {n} in flight");
                most = most.max(n);
                if g == "g01" {
                    g01 = g01.max(n);
                }
            }
        }
        samples += 1;
        left(&mut c) == (12, 0)
    });
    eprintln!("{samples} samples; at most {most} of a group");
    assert_eq!((most, g01), (2, 1), "the caps were reached");
    // The paused group is listed as such, on its shard; the resume lets it go.
    let groups = json_lines(rpq(&r).args(["--json", "groups"]));
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["group"], "g02");
    assert_eq!(groups[0]["group_paused"], true);
    rpq3(&r)
        .args(["resume", "--group", "g02"])
        .assert()
        .success();
    wait_until(Duration::from_secs(30), "the resumed group done", || {
        left(&mut c) == (0, 0)
    });
    for p in &running {
        p.signal(libc::SIGTERM);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for p in running {
        for l in ndjson(&p.success(Duration::from_secs(20))) {
            assert_eq!(l["outcome"], "done", "{l}");
            *seen
                .entry(l["id"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert!(seen.values().all(|&n| n == 1), "each once");
    rpq3(&r)
        .args(["limit", "--each-group", "--off"])
        .assert()
        .success();
    rpq3(&r)
        .args(["limit", "--group", "g01", "--off"])
        .assert()
        .success();
    assert!(json_lines(rpq(&r).args(["--json", "limit"])).is_empty());
}

/// A queue name whose three shards' hash tags land on the three primaries.
fn name_on_every_primary(c: &Cluster) -> String {
    (0..1000)
        .map(|i| format!("jobs{i}"))
        .find(|name| {
            let mut ports: Vec<u16> = (0..3)
                .map(|s| c.primary_of(Keys::new(name, s).pending()).port)
                .collect();
            ports.sort();
            ports.dedup();
            ports.len() == 3
        })
        .expect("some name spreads over every primary")
}

/// A grouped queue sharded over the three primaries of a cluster, with a cap of every group:
/// every task done once by three consumers, each group's tasks on its shard's node, and
/// nothing of the groups left after.
#[test]
fn a_grouped_sharded_queue_does_everything_once_on_a_cluster() {
    let c = Cluster::start(3, 0);
    let queue = name_on_every_primary(&c);
    let q = |args: &[&str]| {
        let mut cmd = c.rpq();
        cmd.args(["--queue", &queue, "--shards", "3"]).args(args);
        cmd
    };
    q(&["limit", "--each-group", "--max-in-flight", "2"])
        .assert()
        .success();
    let mut input = Vec::new();
    for i in 0..600 {
        input.push(
            json!({"type": "t", "priority": 1 + i % 3, "group": format!("t{}", i % 30)})
                .to_string(),
        );
    }
    q(&["produce", "--stdin"])
        .write_stdin(input.join("\n"))
        .assert()
        .success()
        .stdout("Queued 600 tasks\n");
    let groups = json_lines(&mut q(&["--json", "groups"]));
    assert_eq!(groups.len(), 30, "{groups:?}");
    assert!(groups.iter().all(|g| g["waiting"] == 20), "{groups:?}");
    let stats = json_lines(&mut q(&["--json", "stats", "--groups", "3"])).remove(0);
    assert_eq!(stats["groups_with_work"], 30, "{stats}");
    assert_eq!(
        stats["top_groups"].as_array().map(Vec::len),
        Some(3),
        "{stats}"
    );
    assert_eq!(
        stats["other_groups"],
        json!({"groups_with_work": 27, "waiting": 540, "in_flight": 0})
    );
    let consumers: Vec<_> = (0..3)
        .map(|i| {
            c.spawn(&[
                "--queue",
                &queue,
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
    assert_eq!(seen.len(), 600, "every task done");
    assert!(
        seen.values().all(|n| *n == 1),
        "a task was handed out twice"
    );
    assert!(json_lines(&mut q(&["--json", "groups"])).is_empty());
    q(&["limit", "--each-group", "--off"]).assert().success();
    for s in 0..3 {
        let k = Keys::new(&queue, s);
        for key in k.group_keys().iter().filter(|k| !k.ends_with("gstate")) {
            let n: u64 = query(c.primary_of(key), redis::cmd("EXISTS").arg(key));
            assert_eq!(n, 0, "{key} is left");
        }
    }
}
