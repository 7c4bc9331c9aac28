//! `rpq migrate` from stored layout 3 to layout 4 in place (issue 22, layout 3's work list, step
//! 3b): the same keys, each task's `state` and `dead:info` entries folded into its record as the
//! head (`attempts|error length|error`), every record beginning with its place in line.
//!
//! The queue of layout 3 is what an rpq of layout 3 leaves: tasks pushed by this rpq (a record
//! never taken back, place and body, is the same in layouts 3 and 4) and everything else written
//! by hand as layout 3's scripts write it (`state`, `dead:info`, leases, a record moved from
//! layout 1 or 2 without its place, `meta` saying 3), so that the main test still builds a queue
//! of layout 3 once this rpq is layout 4. The fold runs when the target is above layout 3
//! (`migrate::Options::to`, this rpq's own layout once it reads layout 4), so the tests call
//! `migrate::migrate` with `to: 4`; a kill -9 of `migrate` is its step's reporter failing after
//! its first line (each step is one script: a process killed between two steps is the same),
//! and a rerun goes on. What is checked is what is stored, byte for byte. Two tests play the
//! process of layout 3 with this rpq itself, and hold only while it is layout 3: the chain from
//! layout 2 (its queue made by this rpq, as migrate_from_2.rs does) and the consumer running
//! through the fold.

use crate::support::{
    conn, lines_with_ids, mixed, process, push_lines, rpq, server_ms, wait_until, zcard, Proc,
};
use rpq::conn::Conn;
use rpq::queue::keys::{meta, tag, LAYOUT_VERSION};
use rpq::queue::migrate::{self, Migrated, Options, Progress};
use rpq::server::RedisServer;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

const Q: &str = "jobs";

fn k(suffix: &str) -> String {
    format!("rpq:{{{Q}}}:3:{suffix}")
}

/// A record's place (None: it has none), head (attempts, error) and body, as layout 4 stores it.
pub fn parse(rec: &str) -> (Option<String>, Option<(u32, String)>, String) {
    if rec.starts_with('{') {
        return (None, None, rec.to_string());
    }
    let (place, rest) = rec.split_at(16);
    if rest.starts_with('{') {
        return (Some(place.to_string()), None, rest.to_string());
    }
    let (n, rest) = rest.split_once('|').unwrap();
    let (len, rest) = rest.split_once('|').unwrap();
    let len: usize = len.parse().unwrap();
    let (err, body) = rest.split_at(len);
    assert!(body.starts_with('{'), "{rec:?}");
    (
        Some(place.to_string()),
        Some((n.parse().unwrap(), err.to_string())),
        body.to_string(),
    )
}

fn hgetall(c: &mut redis::Connection, key: &str) -> HashMap<String, String> {
    redis::cmd("HGETALL").arg(key).query(c).unwrap()
}

fn zscores(c: &mut redis::Connection, key: &str) -> BTreeMap<String, String> {
    let v: Vec<(String, String)> = redis::cmd("ZRANGE")
        .arg(key)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(c)
        .unwrap();
    v.into_iter().collect()
}

pub fn digits(score: &str) -> String {
    format!("{:016}", score.parse::<f64>().unwrap() as u64)
}

fn hset(c: &mut redis::Connection, key: &str, field: &str, value: &str) {
    let _: () = redis::cmd("HSET")
        .arg(key)
        .arg(field)
        .arg(value)
        .query(c)
        .unwrap();
}

const LIVE: &str = "t3";
const EXPIRED: &str = "t4";
const WAITING: usize = 150;

/// The tasks waiting again after a lost lease: t5 and every 5th from t10.
fn again() -> Vec<String> {
    std::iter::once(5)
        .chain((10..WAITING).step_by(5))
        .map(|i| format!("t{i}"))
        .collect()
}
const BARE: &str = "t6";
const STALE: &str = "t7";
const RETRY_ERR: &str = "second try: exit status 1";
const DEAD_REASON: &str = "bad {\"json\": 1} | pipe\nsecond line";
const LATE_ERR: &str = "the holder said {no} | 1\nbye";

/// Queue `jobs` of layout 3 with a task in every state, as an rpq of layout 3 leaves it: the
/// tasks pushed by this rpq (a record never taken back, place and body, is the same in layouts
/// 3 and 4), everything a consumer of layout 3 left written by hand, as its scripts write it
/// (fail.lua and bury: `state` "attempts|place[|error]", `dead:info` {error, attempts}; a kept
/// result; leases), and `meta` saying 3. Returns the members of the two leases (live, expired).
fn build(r: &RedisServer) -> (String, String) {
    let mut lines = vec![
        r#"{"type":"flaky","priority":1,"payload":0,"id":"retry-1"}"#.to_string(),
        r#"{"type":"doomed","priority":2,"payload":0,"id":"dead-0"}"#.to_string(),
        r#"{"type":"doomed","priority":2,"payload":1,"id":"dead-1"}"#.to_string(),
    ];
    // More than a packed hash holds (128 fields), so that a page of HSCAN is a few of them.
    lines.extend(lines_with_ids(mixed(WAITING)));
    push_lines(r, Q, &lines);
    rpq(r)
        .args([
            "--queue", Q, "produce", "--type", "later", "--id", "sched-1", "--in", "1h",
        ])
        .assert()
        .success();
    let mut c = conn(r);
    hset(&mut c, &meta(Q), "layout", "3");
    let now = server_ms(&mut c);
    // What a claim leaves: pruned at, recover at (the first lease's end), aging 0, the events on.
    let checks = format!("{now}|{}|0|0|e", now + 30_000);
    hset(&mut c, &k("stats"), "checks", &checks);
    let first = zscores(&mut c, &k("pending"));
    let out = |c: &mut redis::Connection, id: &str, set: &str, at: i64, st: String| {
        let _: () = redis::pipe()
            .cmd("ZREM")
            .arg(k("pending"))
            .arg(id)
            .cmd("ZADD")
            .arg(k(set))
            .arg(at)
            .arg(id)
            .cmd("HSET")
            .arg(k("state"))
            .arg(id)
            .arg(st)
            .query(c)
            .unwrap();
    };
    // A retry at its second attempt, with its error; dead tasks, one with a reason holding `{`,
    // `|` and a newline.
    let place = |id: &str| digits(&first[id]);
    out(
        &mut c,
        "retry-1",
        "delayed",
        now + 3_600_000,
        format!("2|{}|{RETRY_ERR}", place("retry-1")),
    );
    out(
        &mut c,
        "dead-0",
        "dead",
        now,
        format!("3|{}", place("dead-0")),
    );
    out(
        &mut c,
        "dead-1",
        "dead",
        now,
        format!("1|{}", place("dead-1")),
    );
    let info = |e: &str, n: u32| serde_json::json!({"error": e, "attempts": n}).to_string();
    hset(&mut c, &k("dead:info"), "dead-0", &info(DEAD_REASON, 3));
    hset(
        &mut c,
        &k("dead:info"),
        "dead-1",
        &info("exit status 3: boom", 1),
    );
    // A kept result (its task done and gone).
    let _: () = redis::cmd("RPUSH")
        .arg(format!("rpq:{{{Q}}}:result:kept-1"))
        .arg(format!("d|{now}|{{\"n\":1}}"))
        .query(&mut c)
        .unwrap();
    let pending = zscores(&mut c, &k("pending"));
    // Waiting again after a lease that was lost (layout 3's recovery: state "1|place").
    for id in again() {
        hset(
            &mut c,
            &k("state"),
            &id,
            &format!("1|{}", digits(&pending[&id])),
        );
    }
    // A record that a move from layout 1 or 2 wrote (no place), and one whose place a move left
    // behind (layout 3 reads the place from pending).
    let tasks = hgetall(&mut c, &k("tasks"));
    let bare = parse(&tasks[BARE]).2;
    hset(&mut c, &k("tasks"), BARE, &bare);
    hset(
        &mut c,
        &k("tasks"),
        STALE,
        &format!("1999999999999999{}", parse(&tasks[STALE]).2),
    );
    // Two leases of an rpq of layout 3: one held, one whose holder died.
    let mut lease = |id: &str, deadline: i64, attempt: u32, host: &str| -> String {
        let score = digits(&pending[id]);
        let member = format!("{id}\t00aa11bb22cc33dd|{now}|{attempt}|5|{score}|{host}");
        let _: () = redis::pipe()
            .cmd("ZREM")
            .arg(k("pending"))
            .arg(id)
            .cmd("ZADD")
            .arg(k("inflight"))
            .arg(deadline)
            .arg(&member)
            .query(&mut c)
            .unwrap();
        member
    };
    let live = lease(LIVE, 9_999_999_999_999, 1, "old-host");
    let expired = lease(EXPIRED, 1, 2, "gone-host");
    (live, expired)
}

/// Every task of the queue by id: the set it is in (inflight: by its member) and its score.
fn where_is(c: &mut redis::Connection) -> BTreeMap<String, (String, String)> {
    let mut at = BTreeMap::new();
    for set in ["pending", "delayed", "dead", "scheduled", "inflight"] {
        for (m, score) in zscores(c, &k(set)) {
            let id = m.split('\t').next().unwrap().to_string();
            assert!(
                at.insert(id.clone(), (set.to_string(), score)).is_none(),
                "{id} is in two sets"
            );
        }
    }
    at
}

/// What `--json` prints of it holds to docs/schema.
fn fits(v: &impl serde::Serialize) {
    let v = serde_json::to_value(v).unwrap();
    let errs = crate::schema::breaches(&v);
    assert!(errs.is_empty(), "{v}: {errs:?}");
}

fn opts(batch: u64) -> Options {
    Options {
        dry_run: false,
        wait: None,
        batch,
        to: 4,
        checks: "",
    }
}

#[test]
fn a_queue_of_layout_3_is_folded_in_place_through_a_kill_and_a_rerun() {
    let r = crate::support::redis();
    let (live, expired) = build(&r);
    let mut c = conn(&r);
    let before_tasks = hgetall(&mut c, &k("tasks"));
    let before_where = where_is(&mut c);
    let states = hgetall(&mut c, &k("state"));
    let infos = hgetall(&mut c, &k("dead:info"));
    let checks: String = redis::cmd("HGET")
        .arg(k("stats"))
        .arg("checks")
        .query(&mut c)
        .unwrap();
    let result_key = format!("rpq:{{{Q}}}:result:kept-1");
    let result: Vec<String> = redis::cmd("LRANGE")
        .arg(&result_key)
        .arg(0)
        .arg(-1)
        .query(&mut c)
        .unwrap();
    assert_eq!(result.len(), 1, "a kept result");
    assert!(states.contains_key("retry-1") && infos.contains_key("dead-0"));
    let entries: std::collections::BTreeSet<&String> = states.keys().chain(infos.keys()).collect();

    let mut m = Conn::Single(conn(&r));
    // A dry run says what it would fold, and writes nothing.
    let mut would = 0;
    let dry = migrate::migrate(
        &mut m,
        Q,
        &Options {
            dry_run: true,
            ..opts(4)
        },
        &mut |p| {
            if let Progress::Folded(f) = p {
                assert!(f.dry_run);
                fits(f);
                would += f.folded;
            }
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(dry.folded, (states.len() + infos.len()) as u64);
    assert_eq!(would, dry.folded);
    assert_eq!(hgetall(&mut c, &k("tasks")), before_tasks);
    assert_eq!(hgetall(&mut c, &k("state")), states);

    // Killed after its first line (pages of about 4 of 180 records: the pass over the records
    // has some 30 entries of state still to fold).
    let mut folded = 0;
    let killed = migrate::migrate(&mut m, Q, &opts(4), &mut |p| {
        if let Progress::Folded(f) = p {
            folded += f.folded;
            anyhow::bail!("killed");
        }
        Ok(())
    });
    assert!(killed.is_err());
    // From the mark, layout 3 is refused: by `meta` when it opens the queue, and by the checks
    // of the shard in its scripts that queue or lease (a process that opened it before).
    let meta_now: HashMap<String, String> = hgetall(&mut c, &meta(Q));
    assert_eq!(meta_now["layout"], "4");
    let marked: String = redis::cmd("HGET")
        .arg(k("stats"))
        .arg("checks")
        .query(&mut c)
        .unwrap();
    assert_eq!(marked, "layout 4");
    let pending_now = zcard(&mut c, &k("pending"));
    let out = rpq(&r)
        .args(["--queue", Q, "produce", "--type", "x"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(zcard(&mut c, &k("pending")), pending_now, "nothing queued");
    if LAYOUT_VERSION == migrate::FOLD_FROM {
        // This rpq is of layout 3 itself: the line of a queue moved to layout 4.
        assert!(
            err.contains("has stored layout 4; this rpq reads layout 3"),
            "{err}"
        );
    } else {
        // This rpq is of layout 4: the line of a fold marked and not finished.
        assert!(
            err.contains("is being moved to layout 4 by `rpq migrate`, which has not finished"),
            "{err}"
        );
    }
    let left = hgetall(&mut c, &k("state")).len() + hgetall(&mut c, &k("dead:info")).len();
    assert!(left > 0, "half way: something is left to fold");

    // The rerun goes on; while it waits for the live lease, its holder (an rpq of layout 3)
    // fails the task, as layout 3's fail does: the lease out, its state, a retry.
    let mut waited = 0;
    let done: Migrated = migrate::migrate(&mut m, Q, &opts(4), &mut |p| {
        match p {
            Progress::Folded(f) => {
                fits(f);
                folded += f.folded;
            }
            Progress::Waiting(w) => {
                waited += 1;
                assert_eq!((w.from, w.in_flight), (3, 1));
                assert_eq!(w.ids, vec![LIVE.to_string()]);
                let mut c = conn(&r);
                // Layout 3's fail takes the place from the token.
                let place = live.split('|').nth(4).unwrap();
                let _: () = redis::pipe()
                    .cmd("ZREM")
                    .arg(k("inflight"))
                    .arg(&live)
                    .cmd("HSET")
                    .arg(k("state"))
                    .arg(LIVE)
                    .arg(format!("1|{place}|{LATE_ERR}"))
                    .cmd("ZADD")
                    .arg(k("delayed"))
                    .arg(server_ms(&mut c) + 3_600_000)
                    .arg(LIVE)
                    .query(&mut c)
                    .unwrap();
            }
            Progress::Step(s) => panic!("nothing to move: {s:?}"),
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(waited, 1, "said once");
    fits(&done);
    fits(&dry);
    assert_eq!(done.layout, 4);
    assert_eq!(
        folded,
        entries.len() as u64 + 1,
        "every entry folded once, and the late fail's"
    );

    // Nothing left of layout 3's per-task hashes, nor of the fold; the checks back, "check now".
    assert_eq!(
        redis::cmd("EXISTS")
            .arg(k("state"))
            .arg(k("dead:info"))
            .query::<u64>(&mut c)
            .unwrap(),
        0
    );
    let stats = hgetall(&mut c, &k("stats"));
    assert!(stats.keys().all(|f| !f.starts_with("fold:")), "{stats:?}");
    let (p, rest) = checks.split_once('|').unwrap();
    let rest = rest
        .split_once('|')
        .map_or(String::new(), |(_, r)| format!("|{r}"));
    assert_eq!(stats["checks"], format!("{p}|0{rest}"));

    // Every task once, in its state and place; attempts, errors and dead reasons kept.
    let after_where = where_is(&mut c);
    let tasks = hgetall(&mut c, &k("tasks"));
    assert_eq!(
        after_where.keys().collect::<Vec<_>>(),
        before_where.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        tasks.keys().collect::<std::collections::BTreeSet<_>>(),
        before_tasks.keys().collect()
    );
    for (id, rec) in &tasks {
        let (place, head, body) = parse(rec);
        let (set, score) = &after_where[id];
        assert_eq!(body, parse(&before_tasks[id]).2, "{id}: the body kept");
        let place = place.unwrap_or_else(|| panic!("{id}: a place"));
        match (id.as_str(), set.as_str()) {
            (LIVE, s) => {
                assert_eq!(s, "delayed");
                assert_eq!(place, live.split('|').nth(4).unwrap());
                assert_eq!(head, Some((1, LATE_ERR.to_string())));
            }
            (EXPIRED, s) => {
                // Left for the next claim of layout 4 to recover, at the member's place.
                assert_eq!(s, "inflight");
                assert_eq!(score, "1");
                assert_eq!(place, expired.split('|').nth(4).unwrap());
                assert_eq!(head, None);
            }
            ("retry-1", s) => {
                assert_eq!(s, "delayed");
                assert_eq!(place, states["retry-1"].split('|').nth(1).unwrap());
                assert_eq!(head, Some((2, RETRY_ERR.to_string())));
            }
            ("dead-0", s) => {
                assert_eq!(s, "dead");
                assert_eq!(head, Some((3, DEAD_REASON.to_string())));
            }
            ("dead-1", s) => {
                assert_eq!(s, "dead");
                let d: serde_json::Value = serde_json::from_str(&infos["dead-1"]).unwrap();
                let (n, e) = head.unwrap();
                assert_eq!(n as u64, d["attempts"].as_u64().unwrap());
                assert_eq!(e, d["error"].as_str().unwrap());
            }
            ("sched-1", s) => {
                assert_eq!(s, "scheduled");
                assert_eq!(Some(place.clone()), parse(&before_tasks[id]).0);
                assert_eq!(head, None);
            }
            (id, s) if again().iter().any(|a| a == id) => {
                assert_eq!(s, "pending");
                assert_eq!(place, digits(score));
                assert_eq!(head, Some((1, String::new())));
            }
            (_, "pending") => {
                // BARE and STALE among them: the place is pending's.
                assert_eq!(place, digits(score), "{id}");
                assert_eq!(head, None, "{id}");
            }
            (id, s) => panic!("{id} in {s}"),
        }
        if id != LIVE {
            assert_eq!(&before_where[id].1, score, "{id}: its score kept");
        }
    }
    let kept: Vec<String> = redis::cmd("LRANGE")
        .arg(&result_key)
        .arg(0)
        .arg(-1)
        .query(&mut c)
        .unwrap();
    assert_eq!(kept, result, "the kept result untouched");

    // Once more: nothing to do.
    let again = migrate::migrate(&mut m, Q, &opts(4), &mut |_| Ok(())).unwrap();
    assert!(again.nothing_to_do);
    assert_eq!(hgetall(&mut c, &k("tasks")), tasks);
}

/// A sharded queue, a task of each shard waiting again and one held back by a limit, and a
/// lease of layout 3 on shard 1 that outlives `--wait`: the wait ends with one error naming it,
/// the shards left stay marked (layout 3 refused), shard 0 is finished; once the holder acks,
/// a rerun finishes them.
#[test]
fn a_sharded_queue_is_folded_shard_by_shard_and_a_bounded_wait_for_a_lease_is_taken_up_again() {
    let r = crate::support::redis();
    let q = "wide";
    let n = 300;
    rpq(&r)
        .args(["--queue", q, "--shards", "3", "produce", "--stdin"])
        .write_stdin(lines_with_ids(mixed(n)).join("\n"))
        .assert()
        .success();
    let mut c = conn(&r);
    let sk = |shard: usize, suffix: &str| format!("rpq:{{{}}}:3:{suffix}", tag(q, shard));
    let mut again = Vec::new();
    let mut member = String::new();
    for shard in 0..3 {
        let first: Vec<(String, String)> = redis::cmd("ZRANGE")
            .arg(sk(shard, "pending"))
            .arg(0)
            .arg(2)
            .arg("WITHSCORES")
            .query(&mut c)
            .unwrap();
        assert_eq!(first.len(), 3);
        // Waiting again at attempt 2; held back by a limit (at its place); on shard 1, leased.
        hset(
            &mut c,
            &sk(shard, "state"),
            &first[0].0,
            &format!("2|{}", digits(&first[0].1)),
        );
        again.push(first[0].0.clone());
        let _: () = redis::pipe()
            .cmd("ZREM")
            .arg(sk(shard, "pending"))
            .arg(&first[1].0)
            .cmd("ZADD")
            .arg(sk(shard, "limited"))
            .arg(&first[1].1)
            .arg(&first[1].0)
            .query(&mut c)
            .unwrap();
        if shard == 1 {
            let now = server_ms(&mut c);
            member = format!(
                "{}\t00aa11bb22cc33dd|{now}|1|5|{}|old-host",
                first[2].0,
                digits(&first[2].1)
            );
            let _: () = redis::pipe()
                .cmd("ZREM")
                .arg(sk(shard, "pending"))
                .arg(&first[2].0)
                .cmd("ZADD")
                .arg(sk(shard, "inflight"))
                .arg(9_999_999_999_999i64)
                .arg(&member)
                .query(&mut c)
                .unwrap();
        }
    }

    let mut m = Conn::Single(conn(&r));
    let mut folded = 0;
    let err = migrate::migrate(
        &mut m,
        q,
        &Options {
            wait: Some(std::time::Duration::from_millis(300)),
            ..opts(7)
        },
        &mut |p| {
            if let Progress::Folded(f) = p {
                folded += f.folded;
            }
            Ok(())
        },
    )
    .unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("1 task still in flight under layout 3 on shard 1"),
        "{err}"
    );
    assert_eq!(folded, 2, "shards 0 and 1 folded, 1 waits for its lease");
    let stats = |c: &mut redis::Connection, shard: usize| hgetall(c, &sk(shard, "stats"));
    assert!(!stats(&mut c, 0).contains_key("fold:checks"));
    assert_eq!(stats(&mut c, 1)["checks"], "layout 4");
    // Every shard is marked first (layout 3 refused everywhere before `meta` says 4); shard 2
    // is folded after shard 1.
    assert_eq!(stats(&mut c, 2)["checks"], "layout 4");
    assert_eq!(hgetall(&mut c, &sk(2, "state")).len(), 1);

    // A process of layout 3 that opened the queue before the mark pauses it (control.lua sets
    // the controls flag in the checks, over the mark); and the lease's holder acks it: its
    // lease, its record, counted done.
    hset(&mut c, &sk(1, "stats"), "checks", "5|7|0|1");
    let id = member.split('\t').next().unwrap().to_string();
    let _: () = redis::pipe()
        .cmd("ZREM")
        .arg(sk(1, "inflight"))
        .arg(&member)
        .cmd("HDEL")
        .arg(sk(1, "tasks"))
        .arg(&id)
        .cmd("HINCRBY")
        .arg(sk(1, "stats"))
        .arg("done")
        .arg(1)
        .query(&mut c)
        .unwrap();
    let done = migrate::migrate(&mut m, q, &opts(7), &mut |p| {
        if let Progress::Waiting(w) = p {
            panic!("no lease left: {:?}", w.ids);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(done.layout, 4);
    assert_eq!(done.folded, 1, "shard 2's");
    let mut ids = 0;
    for shard in 0..3 {
        let st = stats(&mut c, shard);
        assert!(st.keys().all(|f| !f.starts_with("fold:")), "{st:?}");
        // As before the mark: none, as no claim had written them; on shard 1, what was written
        // over the mark, "check now".
        let want = (shard == 1).then(|| "5|0|0|1".to_string());
        assert_eq!(st.get("checks"), want.as_ref(), "{st:?}");
        let n: u64 = redis::cmd("EXISTS")
            .arg(sk(shard, "state"))
            .arg(sk(shard, "dead:info"))
            .query(&mut c)
            .unwrap();
        assert_eq!(n, 0);
        let tasks = hgetall(&mut c, &sk(shard, "tasks"));
        let mut lined = zscores(&mut c, &sk(shard, "pending"));
        lined.extend(zscores(&mut c, &sk(shard, "limited")));
        assert_eq!(
            lined.len(),
            tasks.len(),
            "shard {shard}: every task in line once"
        );
        for (id, score) in &lined {
            let (place, head, _) = parse(&tasks[id]);
            assert_eq!(place.as_deref(), Some(digits(score).as_str()), "{id}");
            let want = again.contains(id).then(|| (2, String::new()));
            assert_eq!(head, want, "{id}");
        }
        ids += lined.len();
    }
    assert_eq!(ids, n - 1);
}

/// A consumer holds a task while the fold runs (this rpq, started on the queue before it is
/// set back to layout 3 by hand: its lease, extend and refused claim stand in for a layout-3
/// consumer's, whose member and ack are the same): its lease is extended (not refused) while
/// its handler runs, and migrate waits for it; its next claim, which carries its ack, meets the
/// mark and is refused with the line of an unfinished fold, before any write; once its lease ends (set by hand, as a minute later), migrate finishes and leaves the task in flight for layout 4's
/// recovery, at its member's place.
#[test]
fn a_consumer_of_layout_3_running_through_the_fold_is_refused_and_its_lease_waited_for() {
    let r = crate::support::redis();
    rpq(&r)
        .args([
            "--queue",
            Q,
            "produce",
            "--type",
            "x",
            "--count",
            "2",
            "--interval",
            "0",
        ])
        .assert()
        .success();
    let handler = r#"touch "$DIR/took"
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let out = std::fs::File::create(r.dir().join("consumed")).unwrap();
    let consumer = Proc::spawn(
        process(&r)
            .args(["--queue", Q, "consume", "--lease", "1m", "--exec", handler])
            .env("DIR", r.dir())
            .stdout(out),
    );
    let mut c = conn(&r);
    wait_until(Duration::from_secs(30), "a task taken", || {
        r.dir().join("took").exists()
    });
    // The queue as layout 3 stores it: its meta, and a `state` entry.
    hset(&mut c, &meta(Q), "layout", "3");
    // The task still waiting went back once (layout 3's recovery of a lost lease).
    let waiting = zscores(&mut c, &k("pending"));
    let (id, score) = waiting.iter().next().unwrap();
    hset(&mut c, &k("state"), id, &format!("1|{}", digits(score)));

    let url = r.url().to_string();
    let dir = r.dir().to_path_buf();
    let fold = std::thread::spawn(move || {
        let client = redis::Client::open(url).unwrap();
        let mut m = Conn::Single(client.get_connection().unwrap());
        let mut waited = Vec::new();
        let done = migrate::migrate(
            &mut m,
            Q,
            &Options {
                wait: Some(Duration::from_secs(60)),
                ..opts(1000)
            },
            &mut |p| {
                if let Progress::Waiting(w) = p {
                    waited.push(w.ids.clone());
                    std::fs::write(dir.join("go"), "").unwrap();
                }
                Ok(())
            },
        );
        (done, waited)
    });
    let consumer = consumer.end(Duration::from_secs(30));
    assert_eq!(consumer.status.code(), Some(1), "{consumer:?}");
    assert_eq!(
        consumer.stderr,
        "rpq: queue 'jobs' is being moved to layout 4 by `rpq migrate`, which has not \
         finished: run `rpq migrate --queue jobs` to finish it (docs/layout-v2.md)\n"
    );
    // Its lease ends (as a minute later: the consumer is gone, nothing extends it).
    let members = zscores(&mut c, &k("inflight"));
    assert_eq!(members.len(), 1, "its ack rode on the refused claim");
    let _: () = redis::cmd("ZADD")
        .arg(k("inflight"))
        .arg("XX")
        .arg(server_ms(&mut c) - 1)
        .arg(members.keys().next().unwrap())
        .query(&mut c)
        .unwrap();
    let (done, waited) = fold.join().unwrap();
    let done = done.unwrap();
    assert_eq!(waited.len(), 1, "said once: {waited:?}");
    assert_eq!((done.layout, done.folded), (4, 1));
    let members = zscores(&mut c, &k("inflight"));
    assert_eq!(members.len(), 1, "its ack rode on the refused claim");
    let (member, deadline) = members.iter().next().unwrap();
    assert!(
        deadline.parse::<i64>().unwrap() <= server_ms(&mut c),
        "ended"
    );
    let held = member.split('\t').next().unwrap();
    assert_eq!(vec![held.to_string()], waited[0]);
    let tasks = hgetall(&mut c, &k("tasks"));
    assert_eq!(
        parse(&tasks[held]).0.as_deref(),
        member.split('|').nth(4),
        "at its member's place"
    );
    assert_eq!(
        parse(&tasks[id]),
        (
            Some(digits(score)),
            Some((1, String::new())),
            parse(&tasks[id]).2
        )
    );
    let n: u64 = redis::cmd("EXISTS")
        .arg(k("state"))
        .arg(k("dead:info"))
        .query(&mut c)
        .unwrap();
    assert_eq!(n, 0);
}

/// A target that reads its checks from a field of its own (`Options::checks`, for
/// `migrate::TARGET_CHECKS`): until the finish that field says `layout 3` (the target's scripts
/// refuse the shard, naming `rpq migrate`); after it, it holds layout 3's checks ("check now")
/// and `checks` keeps `layout 4`, so an rpq of layout 3 still running stays refused for good.
#[test]
fn a_target_with_checks_of_its_own_keeps_layout_3_refused_for_good() {
    let r = crate::support::redis();
    rpq(&r)
        .args([
            "--queue",
            Q,
            "produce",
            "--type",
            "x",
            "--count",
            "4",
            "--interval",
            "0",
        ])
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", Q, "consume", "--count", "1", "--exec", "true"])
        .assert()
        .success();
    let mut c = conn(&r);
    let checks = hgetall(&mut c, &k("stats"))["checks"].clone();
    let waiting = zscores(&mut c, &k("pending"));
    let mut ids = waiting.iter();
    let (again, score) = ids.next().unwrap();
    hset(&mut c, &k("state"), again, &format!("1|{}", digits(score)));
    let (held, score) = ids.next().unwrap();
    let member = format!(
        "{held}\t00aa11bb22cc33dd|{}|1|5|{}|old-host",
        server_ms(&mut c),
        digits(score)
    );
    let _: () = redis::pipe()
        .cmd("ZREM")
        .arg(k("pending"))
        .arg(held)
        .cmd("ZADD")
        .arg(k("inflight"))
        .arg(9_999_999_999_999i64)
        .arg(&member)
        .query(&mut c)
        .unwrap();

    let mut m = Conn::Single(conn(&r));
    let mut seen = None;
    let done = migrate::migrate(
        &mut m,
        Q,
        &Options {
            checks: "checks4",
            ..opts(100)
        },
        &mut |p| {
            if let Progress::Waiting(_) = p {
                let mut c = conn(&r);
                let st = hgetall(&mut c, &k("stats"));
                seen = Some((st["checks"].clone(), st["checks4"].clone()));
                // Its holder (layout 3) acks it.
                let _: () = redis::pipe()
                    .cmd("ZREM")
                    .arg(k("inflight"))
                    .arg(&member)
                    .cmd("HDEL")
                    .arg(k("tasks"))
                    .arg(held)
                    .query(&mut c)
                    .unwrap();
            }
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        seen,
        Some(("layout 4".to_string(), "layout 3".to_string())),
        "while it folds"
    );
    assert_eq!((done.layout, done.folded), (4, 1));
    let st = hgetall(&mut c, &k("stats"));
    assert_eq!(st["checks"], "layout 4", "layout 3 refused for good");
    let (p, rest) = checks.split_once('|').unwrap();
    let rest = rest
        .split_once('|')
        .map_or(String::new(), |(_, r)| format!("|{r}"));
    assert_eq!(st["checks4"], format!("{p}|0{rest}"));
    let tasks = hgetall(&mut c, &k("tasks"));
    assert_eq!(parse(&tasks[again]).1, Some((1, String::new())));
    assert_eq!(tasks.len(), 2);
}
