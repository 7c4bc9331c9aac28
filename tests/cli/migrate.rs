//! `rpq migrate` (issue 22): a queue written by stored layout 1, with tasks in every state, moved
//! to layout 2 under a kill -9 and a rerun, while the test plays the older rpq that still holds
//! a lease; `--dry-run` writes nothing; the exit codes.
//!
//! The queue of layout 1 is written by layout 1's own scripts, kept as they were in
//! `tests/fixtures/layout1/` (main's `src/queue/lua/` before layout 2), called by `V1` below
//! with the keys and ARGV rpq of layout 1 sent (read off `redis-cli monitor` of that rpq): CI
//! builds one binary, so the older rpq is played by its scripts, and what the test migrates is
//! what that rpq really wrote.

use crate::support::*;
use rpq::queue::keys::{LAYOUT_DIR, LAYOUT_VERSION};
use rpq::queue::migrate::{HEADS, NEW_SUFFIXES, NEW_UNTIL_RECORDS, RECORDS, V1_SUFFIXES};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

const COMMON: &str = include_str!("../fixtures/layout1/common.lua");
const CONTROLS: &str = include_str!("../fixtures/layout1/controls.lua");
const PUSH: &str = include_str!("../fixtures/layout1/push.lua");
const CLAIM: &str = include_str!("../fixtures/layout1/claim.lua");
const FAIL: &str = include_str!("../fixtures/layout1/fail.lua");
const KEEP: &str = include_str!("../fixtures/layout1/keep.lua");
const ACK: &str = include_str!("../fixtures/layout1/ack.lua");
const CONTROL: &str = include_str!("../fixtures/layout1/control.lua");
const SCHEDULE: &str = include_str!("../fixtures/layout1/schedule.lua");
const AGING: &str = include_str!("../fixtures/layout1/aging.lua");

/// Layout 1's CORE_KEYS: a push went with these only.
const CORE: usize = 16;
const HOUR: &str = "3600000";

/// An rpq of layout 1, as its scripts: the prelude, controls.lua for the scripts that carried
/// it, then the script (layout 1 also left out the helpers a script did not call, which
/// changes nothing a script does).
struct V1 {
    c: redis::Connection,
    tag: String,
}

/// A task leased by layout 1's claim.
#[derive(Debug, Clone)]
struct Leased {
    id: String,
    token: String,
}

impl V1 {
    fn new(server: &rpq::server::RedisServer, queue: &str) -> V1 {
        // The meta layout 1 wrote with a queue's first push (Queue::pin): tags, shard count.
        let mut c = conn(server);
        let _: () = redis::pipe()
            .cmd("HSETNX")
            .arg(meta(queue))
            .arg("tags")
            .arg("#")
            .cmd("HSETNX")
            .arg(meta(queue))
            .arg("shards")
            .arg(1)
            .query(&mut c)
            .unwrap();
        V1 {
            c,
            tag: queue.to_string(),
        }
    }

    fn key(&self, suffix: &str) -> String {
        format!("rpq:{{{}}}:{suffix}", self.tag)
    }

    fn eval(&mut self, parts: &[&str], core: bool, extra: &[String], args: &[String]) -> Value {
        let src = parts.join("\n");
        let n = if core { CORE } else { V1_SUFFIXES.len() };
        let mut keys: Vec<String> = V1_SUFFIXES[..n].iter().map(|s| self.key(s)).collect();
        keys.extend_from_slice(extra);
        let v: redis::Value = redis::cmd("EVAL")
            .arg(&src)
            .arg(keys.len())
            .arg(&keys)
            .arg(args)
            .query(&mut self.c)
            .unwrap_or_else(|e| panic!("layout 1's script: {e}"));
        redis_to_json(v)
    }

    /// push.lua of one task with its own id (its result key and the kept zset, as layout 1
    /// sent for an id of the producer's): `tail` is the body after `{"c":..,` (NewTask::body).
    fn push(&mut self, id: &str, priority: u8, tail: &str, due: &str, ttl: &str) {
        let extra = [self.key(&format!("result:{id}")), self.key("kept")];
        let args: Vec<String> = ["1", "5", id, &priority.to_string(), tail, due, ttl, "1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = self.eval(&[COMMON, PUSH], true, &extra, &args);
        assert_eq!(out[1], 1, "{id} queued: {out}");
    }

    /// push.lua of a batch of tasks without a time, as `produce --stdin` sent them.
    fn push_batch(&mut self, tasks: &[(String, u8)]) {
        let mut args = vec![tasks.len().to_string(), "3".to_string()];
        for (id, p) in tasks {
            args.push(id.clone());
            args.push(p.to_string());
            args.push(format!("\"t\":\"bulk\",\"p\":{p},\"d\":\"{id}\"}}"));
        }
        self.eval(&[COMMON, PUSH], true, &[], &args);
    }

    /// claim.lua with controls (the queue has some): up to `want` tasks, leased for `lease_ms`.
    fn claim(&mut self, want: u32, lease_ms: u64, max_attempts: u32) -> Vec<Leased> {
        let token = format!("{:016x}", rand_u64());
        let args: Vec<String> = [
            lease_ms.to_string(),
            want.to_string(),
            token.clone(),
            "old-worker".into(),
            max_attempts.to_string(),
            "10000".into(),
            "old-instance".into(),
            String::new(),
        ]
        .into();
        let out = self.eval(&[COMMON, CONTROLS, CLAIM], false, &[], &args);
        let a = out.as_array().unwrap();
        let first = 6 + a[5].as_u64().unwrap() as usize;
        // id, body, attempt per task, then the three values of controls.
        a[first..a.len() - 3]
            .chunks(3)
            .map(|t| Leased {
                id: t[0].as_str().unwrap().to_string(),
                token: token.clone(),
            })
            .collect()
    }

    fn fail(&mut self, l: &Leased, backoff: &str, error: &str) -> i64 {
        let args: Vec<String> = [
            &l.id,
            &l.token,
            backoff,
            error,
            "10000",
            "0",
            "old-instance",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        self.eval(&[COMMON, CONTROLS, FAIL], false, &[], &args)
            .as_i64()
            .unwrap()
    }

    fn keep(&mut self, l: &Leased, keep_ms: &str, result: &str) {
        let extra = [self.key(&format!("result:{}", l.id)), self.key("kept")];
        let args: Vec<String> = [
            "old-worker",
            "old-instance",
            &l.id,
            &l.token,
            keep_ms,
            result,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let out = self.eval(&[COMMON, CONTROLS, KEEP], false, &extra, &args);
        assert_eq!(out[0], 1, "kept: {out}");
    }

    /// ack.lua: the code of the ack (1: acked).
    fn ack(&mut self, l: &Leased) -> i64 {
        let args: Vec<String> = ["old-worker", "old-instance", "", &l.id, &l.token]
            .iter()
            .map(|s| s.to_string())
            .collect();
        self.eval(&[COMMON, CONTROLS, ACK], false, &[], &args)[0]
            .as_i64()
            .unwrap()
    }

    fn control(&mut self, args: &[&str]) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        self.eval(&[COMMON, CONTROLS, CONTROL], false, &[], &args);
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

fn redis_to_json(v: redis::Value) -> Value {
    match v {
        redis::Value::Nil => Value::Null,
        redis::Value::Int(n) => n.into(),
        redis::Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned().into(),
        redis::Value::SimpleString(s) => s.into(),
        redis::Value::Okay => "OK".into(),
        redis::Value::Array(a) => a.into_iter().map(redis_to_json).collect(),
        other => panic!("a reply of layout 1: {other:?}"),
    }
}

/// What the fixture holds, for the checks after the migration.
struct Fixture {
    v1: V1,
    /// The lease an older rpq still holds while migrate runs.
    live: Leased,
    /// Every waiting task, in claim order, as layout 1 would take them.
    waiting: Vec<String>,
    seq: u64,
    /// Layout 1's timed and dead sets as built (one task each): (suffix, [(id, score)]).
    timed: Vec<(&'static str, Vec<(String, String)>)>,
}

/// A queue of layout 1 with tasks in every state: waiting in each priority (and `bulk` more of
/// medium), scheduled, with a ttl, in flight with a live holder and with a lease about to end,
/// retrying, dead, done with a kept result, waiting in the line of a rate-limited type; a
/// schedule, aging, a pause of low and two limits.
fn build(server: &rpq::server::RedisServer, queue: &str, bulk: usize) -> Fixture {
    let mut v1 = V1::new(server, queue);
    // aging.lua: 1h (on, and too long to change the order within the test).
    let _ = v1.eval(&[COMMON, AGING], false, &[], &[HOUR.to_string()]);
    let now = server_ms(&mut v1.c);
    let def = format!(
        "{now}|{{\"every_ms\":3600000,\"type\":\"report\",\"priority\":3,\"payload\":null,\"since_ms\":{now}}}"
    );
    let _ = v1.eval(
        &[COMMON, SCHEDULE],
        false,
        &[],
        &["add".into(), "nightly".into(), def, "1".into()],
    );
    // A rate of 1 an hour on reports (line 1), and a cap of 2 in flight on emails (line 2).
    v1.control(&["limit", "\"report\"", HOUR, "1", "", "1", HOUR, "1", ""]);
    v1.control(&["limit", "\"email\"", "", "", "2", "", "", "", "2"]);
    let body = |kind: &str, p: u8, d: &str| format!("\"t\":\"{kind}\",\"p\":{p},\"d\":\"{d}\"}}");

    v1.push("dead1", 1, &body("email", 1, "dead1"), "", "0");
    let l = v1.claim(1, 30_000, 1);
    assert_eq!(l[0].id, "dead1");
    assert_eq!(v1.fail(&l[0], "1000", "boom: bad input"), 2, "dead1 buried");

    v1.push("retry1", 1, &body("email", 1, "retry1"), "", "0");
    let l = v1.claim(1, 30_000, 3);
    assert_eq!(l[0].id, "retry1");
    assert_eq!(v1.fail(&l[0], HOUR, "flaky"), 1, "retry1 retrying");

    let kept_tail = format!("\"k\":{HOUR},{}", body("email", 1, "kept1"));
    v1.push("kept1", 1, &kept_tail, "", "0");
    let l = v1.claim(1, 30_000, 3);
    assert_eq!(l[0].id, "kept1");
    v1.keep(&l[0], HOUR, "the result of kept1");

    // The report rate: r1 takes the one token; r2 then waits in its type's own line.
    v1.push("r1", 1, &body("report", 1, "r1"), "", "0");
    v1.push("r2", 1, &body("report", 1, "r2"), "", "0");
    let l = v1.claim(1, 30_000, 3);
    assert_eq!(l[0].id, "r1");
    assert_eq!(v1.ack(&l[0]), 1);
    assert!(v1.claim(1, 30_000, 3).is_empty());
    let line1 = v1.key("limited:1");
    assert_eq!(zcard(&mut v1.c, &line1), 1, "r2 in line 1");

    v1.push("live1", 1, &body("email", 1, "live1"), "", "0");
    let live = v1.claim(1, 600_000, 3).remove(0);
    assert_eq!(live.id, "live1");
    v1.push("lapsed1", 1, &body("job", 1, "lapsed1"), "", "0");
    let lapsed = v1.claim(1, 300, 3).remove(0);
    assert_eq!(lapsed.id, "lapsed1");

    for (id, p) in [
        ("w-h1", 1),
        ("w-m1", 2),
        ("w-l1", 3),
        ("w-h2", 1),
        ("w-m2", 2),
    ] {
        v1.push(id, p, &body("job", p, id), "", "0");
    }
    v1.push("w-l2", 3, &body("job", 3, "w-l2"), "", "0");
    v1.push(
        "sched1",
        2,
        &body("job", 2, "sched1"),
        &format!("+{HOUR}"),
        "0",
    );
    v1.push("ttl1", 2, &body("job", 2, "ttl1"), "", HOUR);
    let ids: Vec<(String, u8)> = (0..bulk).map(|i| (format!("b{i:05}"), 2)).collect();
    for chunk in ids.chunks(500) {
        v1.push_batch(chunk);
    }
    v1.control(&["pause", "3", "0"]);

    // lapsed1's lease ended: back at its place, first of all (it arrived before the others).
    let mut waiting: Vec<String> = ["lapsed1", "w-h1", "w-h2", "w-m1", "w-m2", "ttl1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    waiting.extend(ids.into_iter().map(|(id, _)| id));
    waiting.extend(["w-l1".to_string(), "w-l2".to_string()]);
    let timed = ["scheduled", "expires", "delayed", "dead"]
        .into_iter()
        .map(|set| {
            let key = v1.key(set);
            let members = zrange(&mut v1.c, &key);
            assert_eq!(members.len(), 1, "{set}");
            (set, members)
        })
        .collect();
    let seq_key = v1.key("seq");
    let seq: u64 = redis::cmd("GET").arg(seq_key).query(&mut v1.c).unwrap();
    Fixture {
        v1,
        live,
        waiting,
        seq,
        timed,
    }
}

fn v2(queue: &str, suffix: &str) -> String {
    let s = format!("{LAYOUT_DIR}{suffix}");
    assert!(
        NEW_SUFFIXES.contains(&s.as_str()) || NEW_UNTIL_RECORDS.contains(&s.as_str()),
        "{suffix}"
    );
    format!("rpq:{{{queue}}}:{s}")
}

fn hgetall(c: &mut redis::Connection, key: &str) -> HashMap<String, String> {
    redis::cmd("HGETALL").arg(key).query(c).unwrap()
}

fn zrange(c: &mut redis::Connection, key: &str) -> Vec<(String, String)> {
    redis::cmd("ZRANGE")
        .arg(key)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(c)
        .unwrap()
}

/// Every layout-1 key of the queue that still exists.
fn v1_left(c: &mut redis::Connection, queue: &str) -> Vec<String> {
    V1_SUFFIXES
        .iter()
        .map(|s| format!("rpq:{{{queue}}}:{s}"))
        .filter(|k| redis::cmd("EXISTS").arg(k).query::<u64>(c).unwrap() == 1)
        .collect()
}

/// A task as layout 2 holds it: its place in line (when stored), the head of a task taken back
/// ("attempts|error length|error", None for one never taken) and its body; from its record, or
/// (a bare body, until `HEADS`) from layout 1's values under layout 2's names.
#[derive(Debug)]
struct Stored {
    place: Option<String>,
    head: Option<String>,
    body: String,
}

fn stored(c: &mut redis::Connection, q: &str, id: &str) -> Stored {
    let v: String = redis::cmd("HGET")
        .arg(v2(q, "tasks"))
        .arg(id)
        .query(c)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    // A record (written so, or folded to layout 4 by an rpq that reads it: migrate_from_3.rs),
    // its head cut by its error's length.
    if HEADS || RECORDS || !v.starts_with('{') {
        let (place, head, body) = crate::migrate_from_3::parse(&v);
        return Stored {
            place,
            head: head.map(|(n, err)| format!("{n}|{}|{err}", err.len())),
            body,
        };
    }
    let state: Option<String> = redis::cmd("HGET")
        .arg(v2(q, "state"))
        .arg(id)
        .query(c)
        .unwrap();
    let info: Option<String> = redis::cmd("HGET")
        .arg(v2(q, "dead:info"))
        .arg(id)
        .query(c)
        .unwrap();
    let (place, head) = match state {
        None => (None, None),
        Some(st) => {
            let mut parts = st.splitn(3, '|');
            let n = parts.next().unwrap().to_string();
            let place = parts.next().unwrap().to_string();
            let mut err = parts.next().unwrap_or("").to_string();
            if let Some(info) = info {
                let j: Value = serde_json::from_str(&info).unwrap();
                err = j["error"].as_str().unwrap().to_string();
                assert_eq!(j["attempts"].to_string(), n, "{id}: {info}");
            }
            (Some(place), Some(format!("{n}|{}|{err}", err.len())))
        }
    };
    Stored {
        place,
        head,
        body: v,
    }
}

/// The whole fixture under a kill -9 of migrate after its first line and a rerun, while the
/// test holds a lease of layout 1 and acks it only once migrate said it waits for it: every
/// task once, in its state and place, with its attempts, errors, result and settings.
#[test]
fn a_queue_of_layout_1_moves_whole_through_a_kill_and_a_rerun() {
    let r = redis();
    let q = "jobs";
    let mut f = build(&r, q, 20_000);
    let mut c = conn(&r);

    migrate_killed_after_its_first_line(&r, q);
    // Half way: the live lease alone keeps layout 1's keys, but more is left than that.
    let pending_left = zcard(&mut c, &format!("rpq:{{{q}}}:pending"));
    let moved_before = zcard(&mut c, &v2(q, "pending"));
    assert!(moved_before > 0, "the first step moved tasks");
    assert!(
        !v1_left(&mut c, q).is_empty(),
        "the live lease keeps layout 1 until it ends"
    );
    eprintln!("killed with {pending_left} waiting tasks of layout 1 left, {moved_before} moved");

    // Layout 2 reads the queue from the first step on: the mark said so in meta.
    let m = hgetall(&mut c, &meta(q));
    assert_eq!(
        m.get("layout").map(String::as_str),
        Some(LAYOUT_VERSION.to_string().as_str()),
        "{m:?}"
    );

    let again = Proc::start(&r, &["--queue", q, "--json", "migrate"]);
    wait_until(Duration::from_secs(60), "migrate to wait for live1", || {
        again.stderr_has("waiting for 1 task in flight under layout 1 (live1)")
    });
    // Still held: nothing of it moved, its holder (the test) acks it as layout 1 did.
    assert_eq!(f.v1.ack(&f.live), 1, "the older holder's ack is its own");
    let ended = again.end(Duration::from_secs(30));
    assert!(ended.status.success(), "{ended:?}");
    let lines = ndjson(&ended.stdout);
    for l in &lines {
        let errs = crate::schema::breaches(l);
        assert!(errs.is_empty(), "{l}: {errs:?}");
    }
    let last = lines.last().unwrap();
    assert_eq!(last["layout"], LAYOUT_VERSION, "{last}");
    assert!(
        ended.stderr.contains("its lease ends"),
        "says until when: {}",
        ended.stderr
    );

    assert_eq!(v1_left(&mut c, q), Vec::<String>::new());
    // Every waiting task once, in layout 1's claim order, at its own score; the rate-limited
    // report too (issue 23: layout 2 has no numbered lines; the next claim holds it back again).
    let pending = zrange(&mut c, &v2(q, "pending"));
    let order: Vec<&str> = pending
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| *id != "r2")
        .collect();
    assert_eq!(order.len(), f.waiting.len());
    assert_eq!(
        order,
        f.waiting.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for (id, score) in &pending {
        let t = stored(&mut c, q, id);
        if let Some(place) = &t.place {
            assert_eq!(place, score, "{id}: stored with its place");
        }
        assert!(t.body.starts_with("{\"c\":"), "{id}: {t:?}");
        assert!(t.body.contains(&format!("\"d\":\"{id}\"")), "{id}: {t:?}");
    }
    // lapsed1's lease ended under migrate: its attempt counted, as layout 1's recovery did.
    let lapsed = stored(&mut c, q, "lapsed1");
    assert_eq!(lapsed.head.as_deref(), Some("1|0|"), "{lapsed:?}");
    let first = pending.iter().find(|(id, _)| id != "r2").unwrap();
    assert_eq!(lapsed.place.as_deref(), Some(first.1.as_str()));
    // Never taken: no head.
    assert_eq!(stored(&mut c, q, "w-h1").head, None);
    assert_eq!(stored(&mut c, q, "ttl1").head, None);
    // The rate-limited report waits in pending of layout 2, at its place of layout 1.
    assert!(pending.iter().any(|(id, _)| id == "r2"), "{pending:?}");
    assert_eq!(zcard(&mut c, &v2(q, "limited:1")), 0);
    // Timed and dead: each with its due time, expiry, retry time, time of death as it was.
    for (set, members) in &f.timed {
        assert_eq!(&zrange(&mut c, &v2(q, set)), members, "{set}");
    }
    let only = |set: &str| f.timed.iter().find(|(s, _)| *s == set).unwrap().1.clone();
    assert_eq!(only("scheduled")[0].0, "sched1");
    assert_eq!(only("expires")[0].0, "ttl1");
    assert_eq!(only("delayed")[0].0, "retry1");
    assert_eq!(only("dead")[0].0, "dead1");
    assert_eq!(
        stored(&mut c, q, "retry1").head.as_deref(),
        Some("1|5|flaky")
    );
    assert_eq!(
        stored(&mut c, q, "dead1").head.as_deref(),
        Some("1|15|boom: bad input")
    );
    // The live task, acked by its holder, and the done ones are gone; the kept result stays.
    let tasks = hgetall(&mut c, &v2(q, "tasks"));
    for id in ["live1", "kept1", "r1"] {
        assert!(!tasks.contains_key(id), "{id}");
    }
    assert_eq!(tasks.len(), f.waiting.len() + 4);
    let kept: Vec<String> = redis::cmd("LRANGE")
        .arg(format!("rpq:{{{q}}}:result:kept1"))
        .arg(0)
        .arg(-1)
        .query(&mut c)
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].ends_with("|the result of kept1"), "{kept:?}");
    // Settings: the schedule, the pause and limits (their in-flight counts start over), aging.
    let schedules = hgetall(&mut c, &v2(q, "schedules"));
    assert!(schedules["nightly"].contains("\"every_ms\":3600000"));
    let controls = hgetall(&mut c, &v2(q, "controls"));
    assert_eq!(controls["pause:3"], "1000000000000000");
    assert_eq!(controls["set:1"], "\"report\"");
    assert_eq!(controls["set:2"], "\"email\"");
    assert!(
        controls.keys().all(|k| !k.starts_with("busy:")),
        "{controls:?}"
    );
    let stats = hgetall(&mut c, &v2(q, "stats"));
    let checks = &stats["checks"];
    if RECORDS {
        assert!(checks.starts_with("2ac|"), "{checks}");
        assert!(checks.ends_with(&format!("|{HOUR}")), "{checks}");
    } else {
        assert_eq!(checks, &format!("0|0|{HOUR}|1"));
    }
    assert_eq!(stats["seq"], f.seq.to_string());
    // Counters: every push, the two done (kept1, r1) and the acked live1, the two failures.
    assert_eq!(stats["pushed"], (f.waiting.len() + 7).to_string());
    assert_eq!(stats["done"], "3");
    assert_eq!(stats["failed"], "2");

    // Run again: nothing to do.
    let out = rpq(&r)
        .args(["--queue", q, "migrate"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing to do"),
        "{out:?}"
    );
    let _ = &mut f;
}

/// DUMP of every key of the server.
fn dump_all(c: &mut redis::Connection) -> Vec<(String, Vec<u8>)> {
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(c).unwrap();
    keys.sort();
    keys.into_iter()
        .map(|k| {
            let d: Vec<u8> = redis::cmd("DUMP").arg(&k).query(c).unwrap();
            (k, d)
        })
        .collect()
}

#[test]
fn a_dry_run_says_what_would_move_by_state_and_writes_nothing() {
    let r = redis();
    let q = "jobs";
    let mut f = build(&r, q, 10);
    // lapsed1's lease ends: a dry run still counts it in flight (only a real run moves it).
    std::thread::sleep(Duration::from_millis(400));
    let mut c = conn(&r);
    let before = dump_all(&mut c);
    let out = json_lines(rpq(&r).args(["--queue", q, "--json", "migrate", "--dry-run"]));
    assert_eq!(dump_all(&mut c), before, "a dry run writes nothing");
    for l in &out {
        assert!(crate::schema::breaches(l).is_empty(), "{l}");
        assert_eq!(l["dry_run"], true);
    }
    let by: HashMap<&str, u64> = out[..out.len() - 1]
        .iter()
        .map(|l| (l["state"].as_str().unwrap(), l["moved"].as_u64().unwrap()))
        .collect();
    // Waiting: the fixture's without lapsed1 (still in flight), plus r2 in its type's line.
    assert_eq!(by["waiting"], f.waiting.len() as u64 - 1 + 1);
    assert_eq!(by["scheduled"], 1);
    assert_eq!(by["retrying"], 1);
    assert_eq!(by["dead"], 1);
    assert_eq!(by["in-flight"], 2);
    let last = out.last().unwrap();
    assert_eq!(last["layout"], 1);
    assert_eq!(last["moved"], f.waiting.len() as u64 + 5);
    // The human form: key=value lines.
    let text = rpq(&r)
        .args(["--queue", q, "migrate", "--dry-run"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("queue=jobs shard=0 state=scheduled would_move=1\n"),
        "{text}"
    );
    assert_eq!(dump_all(&mut c), before);
    let _ = f.v1.ack(&f.live);
}

/// `--wait` bounds the wait for an older rpq's leases: exit 1 with one line, what moved stays
/// moved, and a rerun after the holder acked ends it.
#[test]
fn a_bounded_wait_for_old_leases_exits_1_and_a_rerun_finishes() {
    let r = redis();
    let q = "jobs";
    let mut f = build(&r, q, 0);
    let out = rpq(&r)
        .args(["--queue", q, "migrate", "--wait", "300ms"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 task still in flight under layout 1 on shard 0 after waiting 300ms"),
        "{err}"
    );
    let mut c = conn(&r);
    // r2 of its type's line too (in pending: layout 2 has no numbered lines).
    assert_eq!(zcard(&mut c, &v2(q, "pending")), f.waiting.len() as u64 + 1);
    assert_eq!(f.v1.ack(&f.live), 1);
    rpq(&r).args(["--queue", q, "migrate"]).assert().success();
    assert_eq!(v1_left(&mut c, q), Vec::<String>::new());
    rpq(&r)
        .args(["--queue", q, "stats"])
        .assert()
        .success()
        .stderr("");
    // An older producer still running after it: stats says so, a rerun moves what it pushed.
    f.v1.push(
        "late1",
        1,
        "\"t\":\"job\",\"p\":1,\"d\":\"late1\"}",
        "",
        "0",
    );
    rpq(&r)
        .args(["--queue", q, "stats"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "queue 'jobs' still has keys of stored layout 1",
        ));
    let out = json_lines(rpq(&r).args(["--queue", q, "--json", "migrate"]));
    assert_eq!(out.last().unwrap()["waiting"], 1, "{out:?}");
    assert_eq!(v1_left(&mut c, q), Vec::<String>::new());
    let score: Option<String> = redis::cmd("ZSCORE")
        .arg(v2(q, "pending"))
        .arg("late1")
        .query(&mut c)
        .unwrap();
    assert!(score.is_some());
}

#[test]
fn a_queue_it_cannot_migrate_is_one_line_and_exit_1() {
    let r = redis();
    let out = rpq(&r)
        .args(["--queue", "nope", "migrate"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("queue 'nope' does not exist"), "{err}");
    let mut c = conn(&r);
    let _: () = redis::cmd("HSET")
        .arg(meta("future"))
        .arg("shards")
        .arg(1)
        .arg("layout")
        .arg(5)
        .query(&mut c)
        .unwrap();
    let out = rpq(&r)
        .args(["--queue", "future", "migrate"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("queue 'future' has stored layout 5; this rpq moves layouts 1, 2 and 3 to 4"),
        "{err}"
    );
    // --all goes on past a queue it cannot migrate, says why, and exits 1 at the end.
    let mut old = build(&r, "old", 3);
    let ended = Proc::start(&r, &["migrate", "--all", "--wait", "2s"]);
    wait_until(Duration::from_secs(30), "the wait for live1", || {
        ended.stderr_has("(live1)")
    });
    assert_eq!(old.v1.ack(&old.live), 1);
    let ended = ended.end(Duration::from_secs(30));
    assert_eq!(ended.status.code(), Some(1), "{ended:?}");
    assert!(ended.stderr.contains("layout 5"), "{ended:?}");
    let out = String::from_utf8_lossy(&ended.stdout);
    assert!(
        out.contains(&format!(
            "queue=old layout={LAYOUT_VERSION} shards=1 moved="
        )),
        "{out}"
    );
    assert_eq!(v1_left(&mut c, "old"), Vec::<String>::new());
}

/// After the migration, this rpq reads the queue as the older one left it: each task in its
/// state with its attempts, error, reason and result; the schedule, aging and limits shown; the
/// pause and the rate enforced by its claims; and its consumer takes every waiting task once,
/// in layout 1's order, the one whose lease ended at its second attempt.
#[test]
fn this_rpq_reads_and_consumes_a_migrated_queue_as_layout_1_left_it() {
    let r = redis();
    let q = "jobs";
    let mut f = build(&r, q, 50);
    let waiting_migrate = Proc::start(&r, &["--queue", q, "migrate"]);
    wait_until(Duration::from_secs(30), "migrate to wait for live1", || {
        waiting_migrate.stderr_has("(live1)")
    });
    assert_eq!(f.v1.ack(&f.live), 1);
    waiting_migrate.success(Duration::from_secs(30));

    let show = |id: &str| -> Value {
        json_lines(rpq(&r).args(["--queue", q, "--json", "show", id])).remove(0)
    };
    let retry = show("retry1");
    assert_eq!(retry["state"], "retrying", "{retry}");
    assert_eq!(retry["error"], "flaky", "{retry}");
    assert_eq!(show("sched1")["state"], "scheduled");
    assert_eq!(show("r2")["state"], "waiting");
    assert_eq!(show("kept1")["state"], "done");
    let dead = json_lines(rpq(&r).args(["--queue", q, "--json", "dead", "list"]));
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["id"], "dead1");
    assert_eq!(dead[0]["error"], "boom: bad input");
    rpq(&r)
        .args(["--queue", q, "result", "kept1"])
        .assert()
        .success()
        .stdout("the result of kept1");
    let schedules = json_lines(rpq(&r).args(["--queue", q, "--json", "schedule", "list"]));
    assert_eq!(schedules[0]["name"], "nightly", "{schedules:?}");
    let aging = json_lines(rpq(&r).args(["--queue", q, "--json", "aging"]));
    assert_eq!(aging[0]["aging_ms"], 3_600_000, "{aging:?}");
    let limits = json_lines(rpq(&r).args(["--queue", q, "--json", "limit"]));
    assert_eq!(limits.len(), 2, "{limits:?}");

    // Claimed in layout 1's order; low is paused, the report has no token this hour (so
    // `--drain` would wait on them: counted instead).
    let n = (f.waiting.len() - 2).to_string();
    let done = json_lines(rpq(&r).args(["--queue", q, "--json", "consume", "--count", &n]));
    let ids: Vec<&str> = done.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let want: Vec<&str> = f.waiting[..f.waiting.len() - 2]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(ids, want);
    assert_eq!(
        done[0]["attempt"], 2,
        "lapsed1's second attempt: {}",
        done[0]
    );
    assert!(done[1..].iter().all(|d| d["attempt"] == 1));
    let len = json_lines(rpq(&r).args(["--queue", q, "--json", "len"]));
    assert_eq!(len[0]["waiting"], 3, "w-l1, w-l2, r2: {len:?}");
    rpq(&r).args(["--queue", q, "resume"]).assert().success();
    let done = json_lines(rpq(&r).args(["--queue", q, "--json", "consume", "--count", "2"]));
    let ids: Vec<&str> = done.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["w-l1", "w-l2"]);
    assert_eq!(show("r2")["state"], "waiting", "the rate still holds it");
}

/// Consumers of this rpq started while migrate runs (once its first step marked the queue)
/// take every task once, none twice, whatever step they meet.
#[test]
fn consumers_running_during_the_migration_take_nothing_twice() {
    let r = redis();
    let q = "jobs";
    let mut f = build(&r, q, 6000);
    let migrate = Proc::start(&r, &["--queue", q, "migrate"]);
    wait_until(Duration::from_secs(60), "migrate's first line", || {
        !migrate.stdout_lines().is_empty()
    });
    let consumers: Vec<Proc> = (0..2)
        .map(|i| {
            Proc::start(
                &r,
                &[
                    "--queue",
                    q,
                    "--json",
                    "consume",
                    "--name",
                    &format!("new{i}"),
                ],
            )
        })
        .collect();
    wait_until(Duration::from_secs(60), "migrate to wait for live1", || {
        migrate.stderr_has("(live1)")
    });
    assert_eq!(f.v1.ack(&f.live), 1);
    migrate.success(Duration::from_secs(60));
    // Low is paused: every other waiting task is done, once.
    let want = f.waiting.len() - 2;
    let lines = |p: &Proc| p.stdout_lines().len();
    wait_until(Duration::from_secs(120), "every task done", || {
        consumers.iter().map(lines).sum::<usize>() >= want
    });
    let mut seen: HashMap<String, usize> = HashMap::new();
    for p in consumers {
        p.signal(libc::SIGTERM);
        let out = p.success(Duration::from_secs(30));
        for l in ndjson(&out) {
            assert_eq!(l["outcome"], "done", "{l}");
            *seen
                .entry(l["id"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, &n)| n > 1).collect();
    assert!(twice.is_empty(), "taken twice: {twice:?}");
    let mut got: Vec<&String> = seen.keys().collect();
    got.sort();
    let mut expected: Vec<&String> = f.waiting[..want].iter().collect();
    expected.sort();
    assert_eq!(got, expected);
}

/// A sharded queue of layout 1 moves shard by shard, each task on its own shard; this rpq then
/// takes every task once, by priority across the shards. An id that layout 2 knew already
/// (pushed there first) stays queued once and is counted as a duplicate.
#[test]
fn a_sharded_queue_moves_shard_by_shard() {
    let r = redis();
    let q = "wide";
    let mut c = conn(&r);
    let _: () = redis::cmd("HSET")
        .arg(meta(q))
        .arg("tags")
        .arg("#")
        .arg("shards")
        .arg(3)
        .query(&mut c)
        .unwrap();
    let ids: Vec<String> = (0..60).map(|i| format!("t{i}")).collect();
    for shard in 0..3 {
        let mut v1 = V1::new(&r, q);
        v1.tag = rpq::queue::keys::tag(q, shard);
        let mine: Vec<(String, u8)> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| rpq::queue::keys::shard_of(id, 3) == shard)
            .map(|(i, id)| (id.clone(), 1 + (i % 3) as u8))
            .collect();
        assert!(!mine.is_empty());
        v1.push_batch(&mine);
    }
    // t0 pushed to layout 2 first (its shard's tasks hash): the older one is dropped.
    let s0 = rpq::queue::keys::shard_of("t0", 3);
    let tag0 = rpq::queue::keys::tag(q, s0);
    let _: () = redis::cmd("HSET")
        .arg(format!("rpq:{{{tag0}}}:{LAYOUT_DIR}tasks"))
        .arg("t0")
        .arg("{\"c\":1,\"t\":\"bulk\",\"p\":1,\"d\":\"new\"}")
        .query(&mut c)
        .unwrap();
    let out = json_lines(rpq(&r).args(["--queue", q, "--json", "migrate"]));
    let shards: std::collections::BTreeSet<u64> = out[..out.len() - 1]
        .iter()
        .map(|l| l["shard"].as_u64().unwrap())
        .collect();
    assert_eq!(shards.into_iter().collect::<Vec<_>>(), [0, 1, 2]);
    let last = out.last().unwrap();
    assert_eq!(last["shards"], 3);
    assert_eq!(last["moved"], 59, "{last}");
    assert_eq!(last["duplicates"], 1, "{last}");
    for shard in 0..3 {
        assert_eq!(
            v1_left(&mut c, &rpq::queue::keys::tag(q, shard)),
            Vec::<String>::new()
        );
    }
    let done = json_lines(rpq(&r).args(["--queue", q, "--json", "consume", "--count", "59"]));
    let mut got: Vec<&str> = done.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let prios: Vec<u64> = done
        .iter()
        .map(|d| d["priority"].as_u64().unwrap())
        .collect();
    assert!(prios.windows(2).all(|w| w[0] <= w[1]), "{prios:?}");
    got.sort();
    let mut want: Vec<&str> = ids[1..].iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        json_lines(rpq(&r).args(["--queue", q, "--json", "len"]))[0]["waiting"],
        0,
        "t0's record of layout 2 is not in line (it was written by hand)"
    );
}

/// Ids are bytes: one that is not UTF-8, with a tab and a newline, moves like any other, in
/// line and out of a lease, and the note of the leases waited for shows it.
#[test]
fn ids_that_are_not_utf8_move_and_are_shown() {
    let r = redis();
    let q = "jobs";
    let mut v1 = V1::new(&r, q);
    let odd: &[u8] = b"odd\xff\tid\n1";
    let held: &[u8] = b"held\xfe";
    let keys: Vec<String> = V1_SUFFIXES[..CORE].iter().map(|s| v1.key(s)).collect();
    for id in [odd, held] {
        let _: redis::Value = redis::cmd("EVAL")
            .arg([COMMON, PUSH].join("\n"))
            .arg(keys.len())
            .arg(&keys)
            .arg("1")
            .arg("3")
            .arg(id)
            .arg("1")
            .arg("\"t\":\"x\",\"p\":1,\"d\":null}")
            .query(&mut v1.c)
            .unwrap();
    }
    // The first in line (odd) is claimed and held; held waits.
    let lease = v1.claim(1, 600_000, 3);
    assert_eq!(lease.len(), 1);
    let out = rpq(&r)
        .args(["--queue", q, "migrate", "--wait", "200ms"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(odd\u{fffd}\tid\n1)"), "{err}");
    let mut c = conn(&r);
    let score: Option<String> = redis::cmd("ZSCORE")
        .arg(v2(q, "pending"))
        .arg(held)
        .query(&mut c)
        .unwrap();
    assert!(score.is_some(), "held moved in line");
    // The lease's token, as the claim made it; the test acks it as layout 1's holder would.
    let args: Vec<Vec<u8>> = vec![
        b"old-worker".to_vec(),
        b"old-instance".to_vec(),
        Vec::new(),
        odd.to_vec(),
        lease[0].token.as_bytes().to_vec(),
    ];
    let all: Vec<String> = V1_SUFFIXES.iter().map(|s| v1.key(s)).collect();
    let codes: Vec<i64> = redis::cmd("EVAL")
        .arg([COMMON, CONTROLS, ACK].join("\n"))
        .arg(all.len())
        .arg(&all)
        .arg(args)
        .query(&mut v1.c)
        .unwrap();
    assert_eq!(codes, [1]);
    rpq(&r).args(["--queue", q, "migrate"]).assert().success();
    assert_eq!(v1_left(&mut c, q), Vec::<String>::new());
}

/// On a Redis Cluster each step is a script on the primary of its shard's slot (both layouts'
/// keys share the tag), and the mark of the queue a command to shard 0's: a queue of layout 1
/// sharded over the primaries moves whole, and this rpq then takes every task once.
#[test]
fn a_sharded_queue_moves_on_a_cluster() {
    let cl = crate::servers::Cluster::start(3, 0);
    let q = "wide";
    let shards = 6;
    let mut m = conn(cl.primary_of(&meta(q)));
    let _: () = redis::cmd("HSET")
        .arg(meta(q))
        .arg("tags")
        .arg("#")
        .arg("shards")
        .arg(shards)
        .query(&mut m)
        .unwrap();
    let ids: Vec<String> = (0..90).map(|i| format!("t{i}")).collect();
    let mut nodes = std::collections::HashSet::new();
    for shard in 0..shards {
        let tag = rpq::queue::keys::tag(q, shard);
        let node = cl.primary_of(&format!("rpq:{{{tag}}}:pending"));
        nodes.insert(node.url());
        let mut v1 = V1 { c: conn(node), tag };
        let mine: Vec<(String, u8)> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| rpq::queue::keys::shard_of(id, shards) == shard)
            .map(|(i, id)| (id.clone(), 1 + (i % 3) as u8))
            .collect();
        v1.push_batch(&mine);
    }
    assert!(nodes.len() > 1, "the shards are on several primaries");
    let out = json_lines(cl.rpq().args(["--queue", q, "--json", "migrate"]));
    let last = out.last().unwrap();
    assert_eq!(last["moved"], 90, "{last}");
    assert_eq!(last["shards"], shards);
    let done = json_lines(
        cl.rpq()
            .args(["--queue", q, "--json", "consume", "--count", "90"]),
    );
    let mut got: Vec<&str> = done.iter().map(|d| d["id"].as_str().unwrap()).collect();
    got.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(got, want);
    cl.rpq()
        .args(["--queue", q, "migrate"])
        .assert()
        .success()
        .stderr(predicates::str::contains("nothing to do"));
}

/// Every key of the server with its content in an order of its own (a hash's fields sorted: a
/// read may take a rehash step, which changes a DUMP and nothing else).
fn contents(c: &mut redis::Connection) -> Vec<(String, Vec<String>)> {
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(c).unwrap();
    keys.sort();
    keys.into_iter()
        .map(|k| {
            let kind: String = redis::cmd("TYPE").arg(&k).query(c).unwrap();
            let mut v: Vec<String> = match kind.as_str() {
                "hash" => hgetall(c, &k)
                    .into_iter()
                    .map(|(f, v)| format!("{f}={v}"))
                    .collect(),
                "zset" => zrange(c, &k)
                    .into_iter()
                    .map(|(m, s)| format!("{m}@{s}"))
                    .collect(),
                "list" => redis::cmd("LRANGE")
                    .arg(&k)
                    .arg(0)
                    .arg(-1)
                    .query(c)
                    .unwrap(),
                other => vec![other.to_string()],
            };
            if kind != "list" {
                v.sort();
            }
            (k, v)
        })
        .collect()
}

#[test]
fn limited_types_an_older_rpq_stored_in_eight_lines_are_refused_then_migrated_in_place() {
    let r = redis();
    let q = "lines";
    let run = |args: &[&str]| {
        let mut cmd = rpq(&r);
        cmd.args(["--queue", q]).args(args);
        cmd
    };
    run(&["produce", "--type", "email", "--count", "6"])
        .assert()
        .success();
    run(&["limit", "--type", "email", "--max-in-flight", "1"])
        .assert()
        .success();
    // What an rpq of layout 2 before any number of limited types wrote for the same: the line
    // named by `set:1` alone, and tasks its claims held back in `limited:1`.
    let mut c = conn(&r);
    let controls = v2(q, "controls");
    let fields = hgetall(&mut c, &controls);
    assert_eq!(
        fields.get("set:1").map(String::as_str),
        Some("\"email\""),
        "{fields:?}"
    );
    let _: () = redis::cmd("HDEL")
        .arg(&controls)
        .arg("types")
        .arg("t:\"email\"")
        .query(&mut c)
        .unwrap();
    let waiting = zrange(&mut c, &v2(q, "pending"));
    assert_eq!(waiting.len(), 6);
    for (id, score) in &waiting[..3] {
        let _: () = redis::cmd("ZADD")
            .arg(v2(q, "limited:1"))
            .arg(score)
            .arg(id)
            .query(&mut c)
            .unwrap();
        let _: () = redis::cmd("ZREM")
            .arg(v2(q, "pending"))
            .arg(id)
            .query(&mut c)
            .unwrap();
    }
    let before = contents(&mut c);
    for args in [
        &["consume", "--count", "1"][..],
        &["limit", "--type", "sms", "--max-in-flight", "2"][..],
        &["limit"][..],
    ] {
        let out = run(args).assert().code(1).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains("older rpq") && err.contains("rpq migrate --queue lines"),
            "{args:?}: {err}"
        );
        // The consumer's own entry in the workers' registry says a process ran, not a task.
        let now: Vec<_> = contents(&mut c)
            .into_iter()
            .filter(|(k, _)| !k.ends_with(":workers"))
            .collect();
        assert_eq!(now, before, "{args:?} changed the queue");
    }

    let out = run(&["migrate"]).assert().success().get_output().clone();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("moved=3"), "{said}");
    let fields = hgetall(&mut c, &controls);
    assert_eq!(
        fields.get("t:\"email\"").map(String::as_str),
        Some("1"),
        "{fields:?}"
    );
    assert_eq!(
        fields.get("types").map(String::as_str),
        Some("1"),
        "{fields:?}"
    );
    for n in 1..=8 {
        assert_eq!(zrange(&mut c, &v2(q, &format!("limited:{n}"))), vec![]);
    }
    // Nothing left to do, and the queue works whole, its limit in force.
    run(&["migrate"]).assert().success();
    run(&["limit"])
        .assert()
        .success()
        .stdout(predicates::str::contains("at most 1 in flight"));
    let out = run(&["--json", "consume", "--count", "6"])
        .assert()
        .success()
        .get_output()
        .clone();
    let mut ids: Vec<String> = ndjson(&out.stdout)
        .iter()
        .filter(|l| l["outcome"] == "done")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut pushed: Vec<String> = waiting.into_iter().map(|(id, _)| id).collect();
    pushed.sort();
    assert_eq!(ids, pushed, "every task once");
}

/// `rpq migrate` of `q`, killed with -9 as soon as it printed its first line (its first step
/// done, the rest not): the half-way state the reruns start from.
pub(crate) fn migrate_killed_after_its_first_line(r: &rpq::server::RedisServer, q: &str) {
    let first = Proc::start(r, &["--queue", q, "--json", "migrate"]);
    wait_until(Duration::from_secs(60), "migrate's first line", || {
        !first.stdout_lines().is_empty()
    });
    first.signal(libc::SIGKILL);
    assert!(!first.end(Duration::from_secs(10)).status.success());
}

/// Layout 1 to layout 4 (issue 22, step 3b's migration): the move writes the records of layout
/// 4 itself (`migrate::HEADS`), so no fold follows (migrate_from_3.rs has the fold's own tests):
/// layout 1's bodies get their places, its states and dead reasons become heads, and nothing of
/// either layout's per-task hashes is left.
#[test]
fn a_queue_of_layout_1_moves_straight_to_layout_4_with_places_and_heads() {
    use crate::migrate_from_3::{digits, parse};
    use rpq::queue::migrate::{migrate, Options, Progress};
    let r = redis();
    let q = "jobs";
    let mut f = build(&r, q, 20);
    let live = f.live.clone();
    let mut m = rpq::conn::Conn::Single(conn(&r));
    let mut acked = false;
    let done = migrate(
        &mut m,
        q,
        &Options {
            dry_run: false,
            wait: Some(Duration::from_secs(60)),
            batch: 7,
            to: 4,
            checks: "",
        },
        &mut |p| {
            if let Progress::Waiting(w) = p {
                // Layout 1's holder acks once migrate waits for it (lapsed1's lease of 300 ms
                // may not have ended yet: migrate moves it once it has).
                assert_eq!(w.from, 1);
                if !acked {
                    assert!(w.ids.contains(&live.id), "{:?}", w.ids);
                    assert_eq!(f.v1.ack(&live), 1);
                    acked = true;
                }
            }
            Ok(())
        },
    )
    .unwrap();
    assert!(acked);
    assert_eq!(done.layout, 4);
    // The move writes the records with their places and heads: nothing is left to fold.
    assert_eq!((done.folded, done.records), (0, 0), "{done:?}");
    let mut c = conn(&r);
    assert_eq!(v1_left(&mut c, q), Vec::<String>::new());
    let n: u64 = redis::cmd("EXISTS")
        .arg(v2(q, "state"))
        .arg(v2(q, "dead:info"))
        .query(&mut c)
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(hgetall(&mut c, &meta(q))["layout"], "4");
    let tasks = hgetall(&mut c, &v2(q, "tasks"));
    let mut seen = 0;
    for set in ["pending", "limited:1", "delayed", "dead", "scheduled"] {
        for (id, score) in zrange(&mut c, &v2(q, set)) {
            seen += 1;
            let (place, head, body) = parse(&tasks[&id]);
            assert!(body.starts_with("{\"c\":"), "{id}: {body}");
            let place = place.unwrap_or_else(|| panic!("{id}: no place"));
            match (set, id.as_str()) {
                ("pending", "lapsed1") => {
                    assert_eq!(place, digits(&score));
                    assert_eq!(head, Some((1, String::new())));
                }
                ("pending", _) => {
                    assert_eq!(place, digits(&score), "{id}");
                    assert_eq!(head, None, "{id}");
                }
                ("delayed", "retry1") => assert_eq!(head, Some((1, "flaky".to_string()))),
                ("dead", "dead1") => {
                    assert_eq!(head, Some((1, "boom: bad input".to_string())));
                }
                ("scheduled", "sched1") => {
                    // Its priority, then zeros, until it falls due (enqueue's placeholder).
                    assert_eq!(place, "2000000000000000");
                    assert_eq!(head, None);
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(seen, tasks.len(), "every record in one set, once");
    assert_eq!(seen, f.waiting.len() + 4, "{:?}", f.waiting);
}
