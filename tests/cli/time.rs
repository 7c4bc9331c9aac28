//! Time: scheduled tasks (`--in`, `--at`) claimed at their due time by the server's clock,
//! `--ttl` expiry, recurring schedules fired once per slot by any number of consumers, and
//! aging. The scenarios run on one server, on a sharded queue and (cluster.rs) on a cluster.

use crate::servers::Cluster;
use crate::support::{bare, json_lines, ndjson, process, redis, rfc3339, rpq, server_ms, time};
use crate::support::{conn, std_command, Proc};
use assert_cmd::Command;
use chrono::{DateTime, Utc};
use rand::Rng;
use rpq::server::RedisServer;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Where a scenario runs rpq: one server or a cluster, a queue, maybe sharded.
pub struct At<'a> {
    one: Option<&'a RedisServer>,
    cluster: Option<&'a Cluster>,
    queue: String,
    shards: Option<u32>,
}

impl<'a> At<'a> {
    pub fn server(r: &'a RedisServer, queue: &str, shards: Option<u32>) -> At<'a> {
        At {
            one: Some(r),
            cluster: None,
            queue: queue.into(),
            shards,
        }
    }

    pub fn cluster(c: &'a Cluster, queue: &str, shards: Option<u32>) -> At<'a> {
        At {
            one: None,
            cluster: Some(c),
            queue: queue.into(),
            shards,
        }
    }

    fn common(&self) -> Vec<String> {
        let mut a = vec!["--queue".to_string(), self.queue.clone()];
        if let Some(n) = self.shards {
            a.extend(["--shards".to_string(), n.to_string()]);
        }
        a
    }

    pub fn rpq(&self) -> Command {
        let mut cmd = match (self.one, self.cluster) {
            (Some(r), _) => rpq(r),
            (None, Some(c)) => c.rpq(),
            _ => bare(),
        };
        cmd.args(self.common());
        cmd
    }

    pub fn spawn(&self, args: &[&str]) -> Proc {
        Proc::spawn(&mut self.command(args))
    }

    /// The command `spawn` starts: rpq against this server or cluster and queue, with `args`,
    /// no stdin and piped output.
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = match (self.one, self.cluster) {
            (Some(r), _) => process(r),
            (None, Some(c)) => {
                let mut cmd = std_command();
                cmd.arg("--cluster").arg("--url").arg(c.url());
                cmd
            }
            _ => unreachable!(),
        };
        cmd.args(self.common()).args(args);
        cmd
    }

    pub fn stats(&self) -> Value {
        json_lines(self.rpq().args(["--json", "stats"])).remove(0)
    }

    pub fn len(&self) -> Value {
        json_lines(self.rpq().args(["--json", "len"])).remove(0)
    }

    /// Waits until `n` consumers of the queue (which must exist: a consumer registers on one
    /// only) have claimed once: they are up and waiting.
    pub fn wait_consumers(&self, n: usize) {
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.stats();
            if s["consumers"].as_array().map_or(0, Vec::len) >= n {
                return;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for {n} consumer(s) to start: {s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `done` tasks of the queue are done, looking every 200 ms (seldom: each look
    /// is a command that also ends Redis's wait for its next cron tick, see the median below).
    pub fn wait_done(&self, done: u64, limit: Duration) {
        let end = Instant::now() + limit;
        loop {
            let s = self.stats();
            if s["done"].as_u64() >= Some(done) {
                return;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for {done} done: {s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Stops consumers with SIGTERM and returns every line they printed.
fn stop_all(consumers: Vec<Proc>) -> Vec<Value> {
    consumers.iter().for_each(|c| c.signal(libc::SIGTERM));
    consumers
        .into_iter()
        .flat_map(|c| {
            let e = c.end(Duration::from_secs(30));
            assert!(e.status.success(), "a consumer failed: {}", e.stderr);
            ndjson(&e.stdout)
        })
        .collect()
}

/// `n` consumers `c0..` printing NDJSON to a file each, not to a pipe: what the due-time
/// scenario measures is the claim at a due time. Into a pipe, a consumer makes its next claim
/// only once its last line was read (the delivery wait, output/mod.rs: `wait_read`), here by a
/// thread of the test: on a loaded machine that made each task 10 to 20 ms longer, two
/// consumers fell behind the 100 tasks a second falling due, and claims came up to 900 ms
/// late. Outside the test, under the same load at the same time: max 205 and 285 ms into a
/// file, 468 and 1,796 ms into a pipe read by `cat`.
fn consumers_to_files(at: &At, n: usize, extra: &[&str]) -> Vec<(Proc, tempfile::NamedTempFile)> {
    (0..n)
        .map(|i| {
            let name = format!("c{i}");
            let mut args = vec!["--json", "consume", "--name", &name];
            args.extend_from_slice(extra);
            let out = tempfile::NamedTempFile::new().unwrap();
            let mut cmd = at.command(&args);
            cmd.stdout(out.reopen().unwrap());
            (Proc::spawn(&mut cmd), out)
        })
        .collect()
}

/// Stops consumers of `consumers_to_files` with SIGTERM and returns every line they printed.
fn stop_all_files(consumers: Vec<(Proc, tempfile::NamedTempFile)>) -> Vec<Value> {
    consumers.iter().for_each(|(c, _)| c.signal(libc::SIGTERM));
    consumers
        .into_iter()
        .flat_map(|(c, out)| {
            let e = c.end(Duration::from_secs(30));
            assert!(e.status.success(), "a consumer failed: {}", e.stderr);
            ndjson(&std::fs::read(out.path()).unwrap())
        })
        .collect()
}

fn consumers(at: &At, n: usize, extra: &[&str]) -> Vec<Proc> {
    (0..n)
        .map(|i| {
            let name = format!("c{i}");
            let mut args = vec!["--json", "consume", "--name", &name];
            args.extend_from_slice(extra);
            at.spawn(&args)
        })
        .collect()
}

/// `n` tasks with random priorities and random `"in"` between 0 and `spread_ms`, under
/// `workers` consumers: each claimed once, none before its due time by the server's clock, each
/// within `bound_ms` of it. Returns how late each was claimed, ms.
pub fn scheduled_tasks_come_due(at: &At, n: usize, spread_ms: u64, workers: usize, bound_ms: i64) {
    scheduled_tasks_come_due_to(at, n, spread_ms, workers, bound_ms, &[]);
}

/// The same with consumers given `extra` arguments (the worker runtime's `-j N`, issue 11).
pub fn scheduled_tasks_come_due_to(
    at: &At,
    n: usize,
    spread_ms: u64,
    workers: usize,
    bound_ms: i64,
    extra: &[&str],
) {
    let mut rng = rand::rng();
    let lines: Vec<String> = (0..n)
        .map(|i| {
            json!({"type": "t", "priority": rng.random_range(1..=3), "id": format!("s{i}"),
                   "in": format!("{}ms", rng.random_range(0..=spread_ms))})
            .to_string()
        })
        .collect();
    // A consumer registers at its first claim, and only on a queue that exists. Started just
    // before the push, the consumers came up (a few hundred ms under load) after the tasks due
    // at once, and claimed them as a backlog, up to 800 ms late, which the scheduler's lag did
    // not excuse: the tasks are pushed once every one waits.
    at.rpq().args(["aging", "off"]).assert().success();
    let running = consumers_to_files(at, workers, extra);
    at.wait_consumers(workers);
    // A warm-up round, not measured: a consumer's first claims of due tasks load the claim
    // script on each node and open its helpers' connections, which on a loaded machine took
    // hundreds of ms, and the tasks due meanwhile piled up behind them (under load, the tasks
    // due in a cluster's first 500 ms came up to 285 ms late; after this round, 80 ms).
    let warm = 4 * at.shards.unwrap_or(2) as usize;
    let warm_lines: Vec<String> = (0..warm)
        .map(|i| {
            json!({"type": "t", "priority": 1, "id": format!("warm{i}"), "in": "20ms"}).to_string()
        })
        .collect();
    at.rpq()
        .args(["produce", "--stdin"])
        .write_stdin(warm_lines.join("\n"))
        .assert()
        .success();
    at.wait_done(warm as u64, Duration::from_secs(30));
    let lag = Lag::start();
    let pushed = json_lines(
        at.rpq()
            .args(["--json", "produce", "--stdin"])
            .write_stdin(lines.join("\n")),
    );
    assert_eq!(pushed.len(), n);
    let due: HashMap<String, Option<DateTime<Utc>>> = pushed
        .iter()
        .map(|t| {
            assert_eq!(t["queued"], true, "{t}");
            (
                t["id"].as_str().unwrap().to_string(),
                t.get("due_at").map(time),
            )
        })
        .collect();
    at.wait_done(
        (warm + n) as u64,
        Duration::from_millis(spread_ms) + Duration::from_secs(30),
    );
    let lag = lag.stop();
    let mut lines = stop_all_files(running);
    lines.retain(|t| !t["id"].as_str().is_some_and(|id| id.starts_with("warm")));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut late: Vec<i64> = Vec::new();
    for t in &lines {
        assert_eq!(t["outcome"], "done", "{t}");
        let id = t["id"].as_str().unwrap().to_string();
        *seen.entry(id.clone()).or_default() += 1;
        let claimed = time(&t["claimed_at"]);
        // The stored due time is the one `produce` printed: each task's own shard's clock
        // (it printed the first shard's for a whole sharded batch, up to 93 ms off under load).
        let due_at = t.get("due_at").map(time);
        assert_eq!(due_at.is_some(), due[&id].is_some(), "{t}");
        assert_eq!(due_at, due[&id], "printed, then stored: {t}");
        let due_at = due_at.unwrap_or_else(|| time(&t["created_at"]));
        let ms = (claimed - due_at).num_milliseconds();
        assert!(ms >= 0, "{id} claimed {ms} ms before it was due: {t}");
        late.push(ms);
    }
    assert_eq!(seen.len(), n, "tasks never claimed");
    assert_eq!(at.len()["scheduled"], 0);
    assert!(seen.values().all(|&k| k == 1), "a task claimed twice");
    late.sort();
    let max = *late.last().unwrap();
    // A claim at a due time takes three wake-ups (the waker's timer, redis-server, the
    // listener): on a loaded machine each comes late by what the scheduler owes, which the
    // sampler saw in the same seconds. The bounds are for an idle machine plus that debt.
    let (lag_median, lag_max) = (3 * lag.median, 3 * lag.max);
    // A consumer that slept in BLPOP until the due time would be ~50 ms late at the median
    // (Redis ends a blocked BLPOP at its 10 Hz cron): the waker makes it a millisecond or two.
    assert!(
        late[late.len() / 2] <= 10 + lag_median,
        "median {} ms after the due time (the scheduler's lag: median {} ms, max {} ms)",
        late[late.len() / 2],
        lag.median,
        lag.max
    );
    assert!(
        max <= bound_ms + lag_max,
        "claimed up to {max} ms after the due time (median {} ms, p90 {} ms; the scheduler's \
         lag: median {} ms, max {} ms)",
        late[late.len() / 2],
        late[late.len() * 9 / 10],
        lag.median,
        lag.max
    );
}

/// How late this machine's scheduler wakes a thread that sleeps 2 ms, sampled while a scenario
/// runs: what a timed bound must allow on a shared machine (a load of 10 on 2 cores makes a
/// wake-up tens of milliseconds late, whatever rpq does).
struct Lag {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sampler: std::thread::JoinHandle<Vec<i64>>,
}

/// What the sampler saw, ms.
struct Lags {
    median: i64,
    max: i64,
}

impl Lag {
    fn start() -> Lag {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let sampler = std::thread::spawn(move || {
            let mut lags = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                std::thread::sleep(Duration::from_millis(2));
                lags.push(t.elapsed().as_millis() as i64 - 2);
            }
            lags
        });
        Lag { stop, sampler }
    }

    fn stop(self) -> Lags {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut lags = self.sampler.join().unwrap();
        lags.sort();
        Lags {
            median: lags.get(lags.len() / 2).copied().unwrap_or(0),
            max: lags.last().copied().unwrap_or(0),
        }
    }
}

#[test]
fn scheduled_tasks_are_claimed_once_each_at_their_due_time() {
    let r = redis();
    // 300 tasks over 3 s under 2 consumers: each claimed within a tenth of a second of its due
    // time (the bench measures the milliseconds; this machine is shared).
    scheduled_tasks_come_due(&At::server(&r, "due", None), 300, 3000, 2, 250);
}

#[test]
fn at_takes_rfc3339_local_times_and_the_past_and_refuses_bad_times() {
    let r = redis();
    let now = server_ms(&mut conn(&r));
    let produce = |at: &str, tz: &str| {
        let mut cmd = rpq(&r);
        cmd.env("TZ", tz)
            .args(["--json", "produce", "--type", "t", "--at", at]);
        json_lines(&mut cmd).remove(0)
    };
    // In the past: due now, so waiting at once and without a due time.
    let past = produce("2001-02-03T04:05:06Z", "UTC");
    assert!(past.get("due_at").is_none(), "{past}");
    // RFC 3339 with an offset, an hour ahead.
    let ahead = chrono::DateTime::from_timestamp_millis(now + 3_600_000).unwrap();
    let with_offset = ahead
        .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap())
        .to_rfc3339();
    let t = produce(&with_offset, "UTC");
    assert_eq!(
        time(&t["due_at"]).timestamp_millis(),
        ahead.timestamp_millis()
    );
    // A local time: in Tokyo (UTC+9, no DST) 2099-01-02 03:04:05 is 2099-01-01T18:04:05Z.
    let t = produce("2099-01-02 03:04:05", "Asia/Tokyo");
    assert_eq!(t["due_at"], "2099-01-01T18:04:05.000Z");
    let t = produce("2099-01-02 03:04", "Asia/Tokyo");
    assert_eq!(t["due_at"], "2099-01-01T18:04:00.000Z");
    let l = json_lines(rpq(&r).args(["--json", "len"])).remove(0);
    assert_eq!(
        (l["waiting"].as_u64(), l["scheduled"].as_u64()),
        (Some(1), Some(3))
    );
    rpq(&r).arg("len").assert().success().stdout("1\n");
    // Bad times are usage errors: one line, exit 2, nothing queued.
    for bad in ["tomorrow", "2026-13-01 00:00", "2026-11-28T25:00:00Z", ""] {
        let out = rpq(&r)
            .args(["produce", "--type", "t", "--at", bad])
            .assert()
            .code(2)
            .stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("not a time"), "{bad}: {err}");
    }
    // A local time a DST change skips (Berlin, 2026-03-29 02:30) is refused with the way out.
    rpq(&r)
        .env("TZ", "Europe/Berlin")
        .args(["produce", "--type", "t", "--at", "2026-03-29 02:30"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not exist in local time"));
    // A --stdin line with a bad time is bad data, reported by number.
    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(r#"{"type":"t","priority":1,"at":"soon"}"#)
        .assert()
        .code(65)
        .stderr(predicates::str::contains("line 1: 'soon' is not a time"));
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--in",
            "1s",
            "--at",
            "2099-01-01T00:00:00Z",
        ])
        .assert()
        .code(2);
    let l = json_lines(rpq(&r).args(["--json", "len"])).remove(0);
    assert_eq!(l["scheduled"], 3);
}

#[test]
fn an_id_is_queued_once_whether_waiting_or_scheduled_and_stats_count_them_apart() {
    let r = redis();
    let push = |id: &str, extra: &[&str]| {
        let mut cmd = rpq(&r);
        cmd.args(["--json", "produce", "--type", "t", "--id", id])
            .args(extra);
        json_lines(&mut cmd).remove(0)["queued"].as_bool().unwrap()
    };
    assert!(push("later", &["--in", "1h"]));
    assert!(!push("later", &[]), "a waiting push of a scheduled id");
    assert!(
        !push("later", &["--in", "5m"]),
        "a second schedule of the same id"
    );
    assert!(push("now", &[]));
    assert!(
        !push("now", &["--in", "1h"]),
        "a scheduled push of a waiting id"
    );
    let s = json_lines(rpq(&r).args(["--json", "stats"])).remove(0);
    assert_eq!(
        (s["waiting"].as_u64(), s["scheduled"].as_u64()),
        (Some(1), Some(1))
    );
    let human = rpq(&r).arg("stats").assert().success();
    let human = String::from_utf8_lossy(&human.get_output().stdout).into_owned();
    assert!(human.contains("  scheduled            1"), "{human}");
    // peek shows what can be claimed now, not what is scheduled.
    let peeked = json_lines(rpq(&r).args(["--json", "peek", "-n", "5"]));
    assert_eq!(peeked.len(), 1);
    assert_eq!(peeked[0]["id"], "now");
    // clear removes scheduled tasks too.
    let c = json_lines(rpq(&r).args(["--json", "clear", "--yes"])).remove(0);
    assert_eq!(
        (c["removed"].as_u64(), c["scheduled"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn an_unclaimed_task_expires_to_the_dead_set_and_a_claimed_one_does_not() {
    let r = redis();
    let mut c = conn(&r);
    let push = |args: &[&str]| {
        let mut cmd = rpq(&r);
        cmd.args(["--json", "produce", "--type", "t"]).args(args);
        json_lines(&mut cmd).remove(0)
    };
    let soon = push(&["--id", "soon", "--ttl", "200ms", "--priority", "low"]);
    assert!(
        soon.get("due_at").is_none() && soon["expires_at"].is_string(),
        "{soon}"
    );
    // Long enough that a loaded machine starts the consumer below before it passes.
    let kept = push(&["--id", "kept", "--ttl", "3s"]);
    assert!(time(&kept["expires_at"]) > time(&kept["created_at"]));
    // "kept" is claimed (and acked) long before its deadline: it never expires, and neither
    // does a new task of the same id pushed without a ttl.
    let got = json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]));
    assert_eq!(got[0]["id"], "kept");
    push(&["--id", "kept"]);
    // Pushed after that claim: due before it could be claimed, "later" (high) would have been
    // taken instead of "kept" by a consumer slow to start.
    let later = push(&[
        "--id",
        "later",
        "--in",
        "300ms",
        "--ttl",
        "200ms",
        "--priority",
        "high",
    ]);
    assert_eq!(
        time(&later["expires_at"]) - time(&later["due_at"]),
        chrono::Duration::milliseconds(200)
    );
    let deadline = time(&kept["expires_at"])
        .max(time(&later["expires_at"]))
        .timestamp_millis();
    crate::support::wait_until(Duration::from_secs(10), "the deadlines to pass", || {
        server_ms(&mut c) > deadline
    });
    let done = json_lines(rpq(&r).args(["--json", "consume", "--drain"]));
    let ids: Vec<&str> = done.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["kept"], "expired tasks were claimed");
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    let mut gone: Vec<(&str, &str)> = dead
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["error"].as_str().unwrap()))
        .collect();
    gone.sort();
    assert_eq!(gone, [("later", "expired"), ("soon", "expired")]);
    // Retried from the dead set, an expired task keeps its priority and is claimed.
    rpq(&r).args(["dead", "retry", "later"]).assert().success();
    let l = json_lines(rpq(&r).args(["--json", "len"])).remove(0);
    assert_eq!((l["high"].as_u64(), l["dead"].as_u64()), (Some(1), Some(1)));
}

/// Slot times of the `NAME@<time>` ids in `lines` that were done, with how often each.
fn slots(lines: &[Value], name: &str) -> BTreeMap<i64, usize> {
    let mut out = BTreeMap::new();
    for t in lines.iter().filter(|t| t["outcome"] == "done") {
        let id = t["id"].as_str().unwrap();
        let at = id
            .strip_prefix(&format!("{name}@"))
            .unwrap_or_else(|| panic!("not a slot of {name}: {id}"));
        *out.entry(rfc3339(at).timestamp_millis()).or_default() += 1;
    }
    out
}

/// A schedule `--every 1s` under `workers` consumers for `n` slots: each slot's task queued
/// once, none missing. Returns the last slot, ms.
pub fn schedule_fires_each_slot_once(at: &At, workers: usize, n: u64) -> i64 {
    at.rpq()
        .args([
            "schedule",
            "add",
            "tick",
            "--every",
            "1s",
            "--type",
            "tick",
            "--priority",
            "high",
        ])
        .assert()
        .success();
    let before = at.stats()["done"].as_u64().unwrap();
    let running = consumers(at, workers, &[]);
    at.wait_done(before + n, Duration::from_secs(n + 30));
    let lines = stop_all(running);
    let got = slots(&lines, "tick");
    assert!(got.values().all(|&k| k == 1), "a slot fired twice: {got:?}");
    let (first, last) = (*got.keys().next().unwrap(), *got.keys().last().unwrap());
    assert_eq!(
        got.len() as i64,
        (last - first) / 1000 + 1,
        "slots missing while consumers ran: {got:?}"
    );
    assert!(got.len() as u64 >= n, "{got:?}");
    last
}

#[test]
fn a_schedule_fires_each_slot_once_catches_up_once_and_stops_when_removed() {
    let r = redis();
    let at = At::server(&r, "sched", None);
    let last = schedule_fires_each_slot_once(&at, 5, 10);
    // No consumer for 5 slots: one catch-up task when one runs again, not five.
    let mut c = conn(&r);
    crate::support::wait_until(Duration::from_secs(20), "five slots to pass", || {
        server_ms(&mut c) >= last + 5_500
    });
    let back = server_ms(&mut c);
    assert!(back >= last + 5_500);
    let before = at.stats()["done"].as_u64().unwrap();
    let running = consumers(&at, 1, &[]);
    at.wait_done(before + 1, Duration::from_secs(20));
    let lines = stop_all(running);
    // The first slot fired is the latest one due when the consumer came (none of the four
    // before it), and any after it fired on time.
    let after: Vec<i64> = slots(&lines, "tick")
        .into_keys()
        .filter(|&s| s > last)
        .collect();
    assert!(!after.is_empty());
    assert!(
        after[0] >= back / 1000 * 1000,
        "slots missed while nothing ran fired: {after:?}"
    );
    assert!(
        after.windows(2).all(|w| w[1] - w[0] == 1000),
        "slots after the catch-up: {after:?}"
    );
    let missed = &after[..1];
    let listed = json_lines(at.rpq().args(["--json", "schedule", "list"]));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "tick");
    assert_eq!(listed[0]["every_ms"], 1000);
    assert!(time(&listed[0]["last_fired_at"]).timestamp_millis() >= missed[0]);
    assert!(time(&listed[0]["next_at"]) > time(&listed[0]["last_fired_at"]));
    // Removed: a running consumer fires nothing more.
    at.rpq()
        .args(["schedule", "remove", "tick"])
        .assert()
        .success()
        .stdout("Removed schedule 'tick'\n");
    let pushed = at.stats()["pushed"].as_u64().unwrap();
    let running = consumers(&at, 2, &[]);
    let from = server_ms(&mut c);
    crate::support::wait_until(Duration::from_secs(10), "two slots to pass", || {
        server_ms(&mut c) >= from + 2_100
    });
    stop_all(running);
    assert_eq!(
        at.stats()["pushed"].as_u64().unwrap(),
        pushed,
        "a removed schedule fired"
    );
    assert!(json_lines(at.rpq().args(["--json", "schedule", "list"])).is_empty());
    at.rpq()
        .args(["schedule", "remove", "tick"])
        .assert()
        .code(1)
        .stderr("rpq: queue 'sched' has no schedule 'tick'; `rpq schedule list` shows them\n");
}

#[test]
fn schedule_flags_are_checked() {
    let r = redis();
    let add = |args: &[&str]| {
        let mut cmd = rpq(&r);
        cmd.args(["schedule", "add", "s", "--type", "t"]).args(args);
        cmd.assert()
    };
    add(&["--every", "100ms"])
        .code(2)
        .stderr(predicates::str::contains("at most once a second"));
    add(&["--cron", "99 * * * *"])
        .code(2)
        .stderr(predicates::str::contains("not a cron spec"));
    add(&["--cron", "0 3 * * *", "--tz", "Nowhere/Land"])
        .code(2)
        .stderr(predicates::str::contains("not a time zone"));
    add(&[]).code(2);
    add(&["--every", "1s", "--cron", "* * * * *"]).code(2);
    // February 30th: a spec croner reads, and no date ever matches.
    add(&["--cron", "0 0 30 2 *"])
        .code(2)
        .stderr("rpq: cron '0 0 30 2 *' matches no date: the schedule would never fire\n");
    // A cron in a zone: its next slot is the next 03:00 in Tokyo, 18:00 UTC.
    let s = json_lines(rpq(&r).args([
        "--json",
        "schedule",
        "add",
        "nightly",
        "--cron",
        "0 3 * * *",
        "--tz",
        "Asia/Tokyo",
        "--type",
        "report",
        "--priority",
        "low",
        "--ttl",
        "1h",
    ]))
    .remove(0);
    let next = time(&s["next_at"]);
    assert_eq!(next.format("%H:%M:%S").to_string(), "18:00:00", "{s}");
    assert!(next > Utc::now() && next <= Utc::now() + chrono::Duration::days(1));
    assert_eq!(
        (s["ttl_ms"].as_u64(), s["priority"].as_u64()),
        (Some(3_600_000), Some(3))
    );
    rpq(&r)
        .args(["schedule", "add", "nightly", "--every", "1h", "--type", "t"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "Replaced schedule 'nightly': every",
        ));
}

/// A steady stream of high tasks, faster than one consumer (80 ms a task) drains them, and one
/// low task pushed early in it. Returns how long the low task waited, ms, and whether it was
/// the last claimed; checks that the high ones went first in, first out.
fn low_task_behind_a_stream(aging: &str) -> (i64, bool) {
    let r = redis();
    rpq(&r).args(["aging", aging]).assert().success();
    let running = consumers(&At::server(&r, "default", None), 1, &["--delay", "80ms"]);
    let mut producer = Proc::spawn(
        process(&r)
            .args(["produce", "--stdin", "--batch", "1"])
            .stdin(std::process::Stdio::piped()),
    );
    let mut stdin = producer.stdin();
    use std::io::Write;
    let highs = 75;
    let started = Instant::now();
    for i in 0..highs {
        if i == 10 {
            rpq(&r)
                .args([
                    "produce",
                    "--type",
                    "low",
                    "--priority",
                    "low",
                    "--id",
                    "low",
                ])
                .assert()
                .success();
        }
        writeln!(
            stdin,
            "{}",
            json!({"type": "high", "priority": 1, "payload": i})
        )
        .unwrap();
        // The stream's pace (25 a second), not a wait for anything.
        let next = started + Duration::from_millis(40 * (i + 1));
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    drop(stdin);
    assert!(producer.end(Duration::from_secs(30)).status.success());
    At::server(&r, "default", None).wait_done(highs + 1, Duration::from_secs(60));
    let mut lines = stop_all(running);
    lines.sort_by_key(|t| time(&t["claimed_at"]));
    let highs: Vec<u64> = lines
        .iter()
        .filter(|t| t["type"] == "high")
        .map(|t| t["payload"].as_u64().unwrap())
        .collect();
    assert!(
        highs.windows(2).all(|w| w[0] < w[1]),
        "high tasks out of order: {highs:?}"
    );
    let low = lines.iter().position(|t| t["id"] == "low").unwrap();
    let t = &lines[low];
    let waited = (time(&t["claimed_at"]) - time(&t["created_at"])).num_milliseconds();
    (waited, low == lines.len() - 1)
}

#[test]
fn with_aging_a_low_task_gets_through_a_stream_of_high_ones() {
    let (waited, last) = low_task_behind_a_stream("1s");
    // Competes as high after 2 s, then goes before every high task that came after it.
    assert!(
        (1950..=2600).contains(&waited),
        "the low task waited {waited} ms with aging 1s"
    );
    assert!(!last);
}

#[test]
fn without_aging_a_low_task_waits_for_the_stream_to_end() {
    let (waited, last) = low_task_behind_a_stream("off");
    assert!(last, "the low task went before a high one ({waited} ms)");
    assert!(waited > 3000, "{waited}");
}

#[test]
fn aging_is_shown_and_peek_follows_it() {
    let r = redis();
    rpq(&r)
        .arg("aging")
        .assert()
        .success()
        .stdout("aging off on queue 'default': strict priority\n");
    let shown = json_lines(rpq(&r).args(["--json", "aging"]));
    assert_eq!(shown, [json!({"aging_ms": null})]);
    rpq(&r).args(["aging", "soon"]).assert().code(2);
    rpq(&r).args(["aging", "0"]).assert().code(2);
    // A low task that has waited longer than 2 steps ranks with the high ones, ahead of the
    // high task that came after it; before aging is on it is last.
    let mut c = conn(&r);
    rpq(&r)
        .args(["produce", "--type", "t", "--priority", "low", "--id", "old"])
        .assert()
        .success();
    let pushed = server_ms(&mut c);
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--priority",
            "high",
            "--id",
            "new",
        ])
        .assert()
        .success();
    let order = || -> Vec<String> {
        json_lines(rpq(&r).args(["--json", "peek", "-n", "5"]))
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(order(), ["new", "old"]);
    rpq(&r).args(["aging", "100ms"]).assert().success();
    crate::support::wait_until(Duration::from_secs(10), "two steps to pass", || {
        server_ms(&mut c) > pushed + 250
    });
    assert_eq!(order(), ["old", "new"]);
    let s = json_lines(rpq(&r).args(["--json", "stats"])).remove(0);
    assert_eq!(s["aging_ms"], 100);
    let got = json_lines(rpq(&r).args(["--json", "consume", "--count", "1"]));
    assert_eq!(got[0]["id"], "old");
    rpq(&r).args(["aging", "off"]).assert().success();
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "stats"])).remove(0)["aging_ms"],
        Value::Null
    );
}

#[test]
fn scheduled_tasks_and_schedules_work_on_a_sharded_queue() {
    let r = redis();
    let at = At::server(&r, "sharded", Some(3));
    scheduled_tasks_come_due(&at, 60, 1500, 1, 250);
    schedule_fires_each_slot_once(&at, 3, 3);
    // Each slot's task landed on the shard of its id, and the schedule is on every shard.
    let listed = json_lines(at.rpq().args(["--json", "schedule", "list"]));
    assert_eq!(listed.len(), 1);
    assert!(listed[0]["last_fired_at"].is_string());
}
