//! The lean claim of a plain shard (layout 3's step 5, claim_lean.lua): what claims and acks a
//! plain queue, left alone on a shard with groups, events or a flag it does not know (the
//! refusal remembered), and an ack it cannot vouch for refused before any write.

use crate::support::*;
use rpq::queue::keys::{Key, Keys, CORE_KEYS, FAST_KEYS, LEAN_KEYS};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The lean claim's source and SHA1, as rpq sends it (script.rs: CLAIM_LEAN).
fn lean_src() -> String {
    [
        include_str!("../../src/queue/lua/lean.lua"),
        include_str!("../../src/queue/lua/claim_lean.lua"),
    ]
    .concat()
}

fn lean_sha() -> String {
    redis::Script::new(&lean_src()).get_hash().to_string()
}

/// Every command from now on in the SLOWLOG (up to 20,000).
fn log_everything(c: &mut redis::Connection) {
    for (k, v) in [
        ("slowlog-log-slower-than", "0"),
        ("slowlog-max-len", "20000"),
    ] {
        redis::cmd("CONFIG")
            .arg("SET")
            .arg(k)
            .arg(v)
            .query::<()>(c)
            .unwrap();
    }
    redis::cmd("SLOWLOG").arg("RESET").query::<()>(c).unwrap();
}

/// The claims logged since `log_everything`, by what was sent: "lean" (the lean claim's
/// SHA1), else the number of keys (the fast claim is sent `FAST_KEYS`, claim.lua 15 or more).
fn claims_logged(c: &mut redis::Connection) -> HashMap<String, usize> {
    let lean = lean_sha();
    let mut out = HashMap::new();
    // A claim's first key is the pending set, its third the tasks (a push's too: not its
    // ARGV, which a claim's has a lease first).
    for words in claims_in_slowlog(c, 20_000) {
        let what = if words[1] == lean {
            "lean".to_string()
        } else {
            words[2].clone()
        };
        *out.entry(what).or_insert(0) += 1;
    }
    out
}

/// Consumes the queue to its end; every task done once.
fn drain(r: &rpq::server::RedisServer, queue: &str, prefetch: &str, n: usize) {
    let out = rpq(r)
        .args([
            "--queue",
            queue,
            "--json",
            "consume",
            "--drain",
            "--prefetch",
            prefetch,
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut done = HashMap::new();
    count_done(&mut done, &ndjson(&out.stdout));
    assert_eq!(done.len(), n);
    assert!(done.values().all(|&k| k == 1), "a task done twice");
}

/// A plain queue is claimed and acked by the lean claim, at prefetch 1 and 16, with what the
/// fast claim would have written: the counts, the consumer's entry.
#[test]
fn a_plain_queue_is_claimed_and_acked_by_the_lean_claim() {
    let r = redis();
    let mut c = conn(&r);
    for (queue, prefetch, n) in [("one", "1", 300usize), ("many", "16", 640)] {
        push_lines(&r, queue, &lines_with_ids(vec![2; n]));
        log_everything(&mut c);
        drain(&r, queue, prefetch, n);
        let sent = claims_logged(&mut c);
        let lean = sent.get("lean").copied().unwrap_or(0);
        // The fast claim and claim.lua of a queue without controls (every key: an ack.lua
        // of a consumer that acks outside its claims).
        let others: usize = [FAST_KEYS, CORE_KEYS]
            .iter()
            .map(|n| sent.get(&n.to_string()).copied().unwrap_or(0))
            .sum();
        // Each claim after the first (claim.lua, which tells the fast claims they may) went
        // lean; the last one, finding nothing, handed over.
        let claims = n / prefetch.parse::<usize>().unwrap();
        assert!(lean >= claims - 1, "{queue}: {sent:?}");
        assert!(others <= 4, "{queue}: {sent:?}");
        assert_eq!(stat(&mut c, queue, "done"), n as u64, "{queue}");
        assert_eq!(in_flight(&mut c, queue), 0);
        assert!(consumers_seen(&mut c, queue) >= 1);
    }
}

/// A shard with groups or events is claimed by the fast claim (or claim.lua) without the lean
/// one: the consumer knows it from its first claim. A flag the consumer does not know of (a
/// group's weight set, no group yet) is refused by the lean claim, and the refusal is
/// remembered: one lean call in ten seconds, not one a claim.
#[test]
fn a_shard_the_lean_claim_refuses_is_not_sent_it_claim_after_claim() {
    let r = redis();
    let mut c = conn(&r);
    let n = 300;
    rpq(&r)
        .args(["--queue", "ev", "events", "--enable"])
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", "w", "group", "weight", "a", "3"])
        .assert()
        .success();
    for queue in ["ev", "w", "grouped"] {
        if queue == "grouped" {
            let input: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"type":"t","priority":2,"group":"g{}"}}"#, i % 3))
                .collect();
            push_lines(&r, queue, &input);
        } else {
            push_lines(&r, queue, &lines_with_ids(vec![2; n]));
        }
        log_everything(&mut c);
        let started = Instant::now();
        drain(&r, queue, "1", n);
        let secs = started.elapsed().as_secs() as usize;
        let sent = claims_logged(&mut c);
        let lean = sent.get("lean").copied().unwrap_or(0);
        let all: usize = sent.values().sum();
        assert!(all >= n, "{queue}: {sent:?}");
        let allowed = if queue == "w" { 1 + secs / 10 + 1 } else { 0 };
        assert!(lean <= allowed, "{queue}: {sent:?} in {secs} s");
    }
}

/// The keys of the lean claim of `queue`'s first shard, and the values of every key of the
/// shard (DUMP), to tell that nothing was written.
fn lean_keys(queue: &str) -> Vec<String> {
    let k = Keys::new(queue, 0);
    LEAN_KEYS
        .iter()
        .map(|&key| k.get(key).to_string())
        .collect()
}

fn everything(c: &mut redis::Connection, queue: &str) -> Vec<(String, Vec<String>)> {
    // What each key holds, not its DUMP: a hash table's DUMP is in its order of the moment,
    // which a read may change (incremental rehashing).
    Keys::new(queue, 0)
        .all()
        .iter()
        .map(|k| {
            let kind: String = redis::cmd("TYPE").arg(k).query(c).unwrap();
            let mut v: Vec<String> = match kind.as_str() {
                "hash" => redis::cmd("HGETALL").arg(k).query(c).unwrap(),
                "zset" => redis::cmd("ZRANGE")
                    .arg(k)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .query(c)
                    .unwrap(),
                "list" => redis::cmd("LRANGE").arg(k).arg(0).arg(-1).query(c).unwrap(),
                _ => vec![],
            };
            if kind == "hash" {
                let mut pairs: Vec<String> = v.chunks(2).map(|p| p.join("=")).collect();
                pairs.sort();
                v = pairs;
            }
            (format!("{k} {kind}"), v)
        })
        .collect()
}

/// An ack the lean claim cannot vouch for (a wrong token, a member given twice, one of several
/// not held) is refused before any write: every key as it was, the task still held by its
/// consumer and still waiting ones in their places; the consumer's own ack then goes through.
#[test]
fn an_ack_not_held_is_refused_by_the_lean_claim_before_any_write() {
    let r = redis();
    let mut c = conn(&r);
    let q = "hostile";
    push_lines(&r, q, &lines_with_ids(vec![2; 5]));
    // A consumer holds one task until told (a handler that waits for a file), its lease long
    // enough that it is not extended meanwhile.
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let exec = format!("while [ ! -e '{}' ]; do sleep 0.05; done", go.display());
    let consumer = Proc::start(
        &r,
        &[
            "--queue", q, "consume", "--count", "1", "--lease", "120s", "--exec", &exec,
        ],
    );
    wait_in_flight(&mut c, q, 1);
    let (id, token) = claims(&mut c, q).into_iter().next().unwrap();
    let member = format!("{id}\t{token}");
    let wrong = format!("{id}\t{}", token.replacen(&token[..1], "~", 1));
    let other = format!("nope\t{token}");
    let script = lean_src();
    // Make sure the script is loaded, whatever the consumer's claims sent.
    redis::cmd("SCRIPT")
        .arg("LOAD")
        .arg(&script)
        .query::<String>(&mut c)
        .unwrap();
    let before = everything(&mut c, q);
    for acks in [
        vec![wrong.clone()],
        vec![other.clone()],
        vec![member.clone(), member.clone()],
        vec![member.clone(), wrong.clone()],
        vec![other.clone(), member.clone()],
    ] {
        for want in ["1", "3"] {
            let mut keys = lean_keys(q);
            keys.push(Keys::new(q, 0).get(Key::Consumers).to_string());
            // lease|want|max attempts|owed|marked|token|consumer, then the members.
            let mut args = vec![format!("30000|{want}|3|0||0123456789abcdef|intruder")];
            args.extend(acks.iter().cloned());
            let got: redis::RedisResult<redis::Value> = redis::cmd("EVALSHA")
                .arg(lean_sha())
                .arg(keys.len())
                .arg(&keys)
                .arg(&args)
                .query(&mut c);
            let e = got.expect_err("refused");
            assert_eq!(e.code(), Some("RPQFULL"), "{e}");
            assert_eq!(e.detail(), Some("ack"), "{e}");
            assert_eq!(
                everything(&mut c, q),
                before,
                "{acks:?}: something was written"
            );
        }
    }
    // The holder finishes it: its ack was never taken from it.
    std::fs::write(&go, "").unwrap();
    let out = consumer.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(stat(&mut c, q, "done"), 1);
    assert_eq!(in_flight(&mut c, q), 0);
    rpq(&r)
        .args(["--queue", q, "len"])
        .assert()
        .success()
        .stdout("4\n");
    drain(&r, q, "1", 4);
}

/// A queue fed a task at a time (each push waits for the task before it to be done) stays with
/// the fast claim, which finds nothing and says when work falls due in one call: the lean claim,
/// which would find nothing waiting and hand over, is not sent a claim per task.
#[test]
fn a_queue_fed_a_task_at_a_time_does_not_pay_the_lean_claim_per_task() {
    let r = redis();
    let mut c = conn(&r);
    let q = "trickle";
    push_lines(&r, q, &lines_with_ids(vec![2; 1]));
    let consumer = Proc::start(&r, &["--queue", q, "consume"]);
    wait_until(Duration::from_secs(30), "the first task done", || {
        stat(&mut c, q, "done") == 1
    });
    log_everything(&mut c);
    let n = 20;
    for i in 0..n {
        rpq(&r)
            .args([
                "--queue",
                q,
                "produce",
                "--type",
                "t",
                "--id",
                &format!("t{i}"),
            ])
            .assert()
            .success();
        wait_until(Duration::from_secs(30), "the task done", || {
            stat(&mut c, q, "done") == 2 + i
        });
    }
    let sent = claims_logged(&mut c);
    consumer.signal(libc::SIGTERM);
    assert!(consumer.end(Duration::from_secs(30)).status.success());
    let lean = sent.get("lean").copied().unwrap_or(0);
    let fast = sent.get(&FAST_KEYS.to_string()).copied().unwrap_or(0);
    assert!(fast >= n as usize, "{sent:?}");
    assert!(lean <= 2, "{sent:?}");
}
