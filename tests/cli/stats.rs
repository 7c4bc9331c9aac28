//! `rpq stats`: the numbers agree with what was done, the last minute is counted in bounded
//! memory, old consumers are forgotten, and `--watch` redraws or streams until Ctrl+C.

use crate::pty::{rpq_command, On, Pty};
use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn stats(r: &rpq::server::RedisServer) -> Value {
    let out = rpq(r)
        .args(["--json", "stats"])
        .assert()
        .success()
        .stderr("");
    let mut lines = ndjson(&out.get_output().stdout);
    assert_eq!(lines.len(), 1);
    lines.remove(0)
}

fn hash(c: &mut redis::Connection, key: &str) -> Vec<(String, String)> {
    redis::cmd("HGETALL").arg(key).query(c).unwrap()
}

#[test]
fn the_numbers_agree_with_what_was_done() {
    let r = redis();
    let started = Instant::now();
    push_lines(&r, "default", &lines([1, 1, 1, 2, 2, 2, 3, 3, 3, 3]));
    // Four done by c1 (the three high, one medium), one failed for good by c2, one failed and
    // waiting for its retry (an hour away) by c3.
    rpq(&r)
        .args(["consume", "--count", "4", "--name", "c1"])
        .assert()
        .success();
    rpq(&r)
        .args(["consume", "--count", "1", "--name", "c2"])
        .args(["--exec", "exit 1", "--max-attempts", "1"])
        .assert()
        .success();
    rpq(&r)
        .args(["consume", "--count", "1", "--name", "c3"])
        .args(["--exec", "exit 3", "--backoff", "1h"])
        .assert()
        .success();
    let s = stats(&r);
    assert_eq!(s["queue"], "default");
    assert_eq!(
        [&s["waiting"], &s["high"], &s["medium"], &s["low"]],
        [&json!(4), &json!(0), &json!(0), &json!(4)]
    );
    assert_eq!(s["in_flight"], 0);
    assert_eq!(s["retrying"], 1);
    assert_eq!(s["dead"], 1);
    assert_eq!(s["pushed"], 10);
    assert_eq!(s["done"], 4);
    assert_eq!(s["failed"], 2);
    assert_eq!(s["recovered"], 0);
    assert_eq!(s["last_minute"], json!({"done": 4, "failed": 2}));
    let oldest = s["oldest_waiting_ms"].as_u64().unwrap();
    assert!(oldest <= started.elapsed().as_millis() as u64 + 1000, "{s}");
    let consumers: Vec<(String, u64)> = s["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["done"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        consumers,
        [("c1".into(), 4), ("c2".into(), 0), ("c3".into(), 0)]
    );
    // The same numbers for people.
    let out = rpq(&r).arg("stats").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for want in [
        "(high 0, medium 0, low 4)",
        "4 done, 2 failed",
        "10 pushed, 4 done, 2 failed",
        "consumers seen in the last minute: 3",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // An empty queue has no oldest task.
    rpq(&r).args(["clear", "--yes"]).assert().success();
    assert_eq!(stats(&r)["oldest_waiting_ms"], Value::Null);
}

#[test]
fn the_last_minute_lives_in_60_slots_that_start_over() {
    let r = redis();
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    // What an hour ago left, every second of its minute counted: a ring of an rpq before issue
    // 15 ('m:<slot>') and the fields of one since ('d:<second>', 'f:<second>', and 'ring', the
    // second of the last count). None of it may count, and the fields of seconds go at the
    // first count of the next second; the old ring goes a slot a second.
    let now = server_ms(&mut c) / 1000;
    let hour_ago = now - 3600;
    let mut pipe = redis::pipe();
    for slot in 0..60 {
        let sec = hour_ago - hour_ago % 60 + slot;
        pipe.cmd("HSET")
            .arg(k.stats())
            .arg(format!("m:{slot}"))
            .arg(format!("{sec}|1000|1000"));
        let sec = hour_ago - slot;
        pipe.cmd("HSET")
            .arg(k.stats())
            .arg(format!("d:{sec}"))
            .arg(1000)
            .arg(format!("f:{sec}"))
            .arg(1000);
    }
    pipe.cmd("HSET").arg(k.stats()).arg("ring").arg(hour_ago);
    let _: () = pipe.query(&mut c).unwrap();
    push_lines(&r, "default", &[2; 5].map(line));
    rpq(&r).args(["consume", "--count", "3"]).assert().success();
    assert_eq!(stats(&r)["last_minute"], json!({"done": 3, "failed": 0}));
    let fields = hash(&mut c, k.stats());
    let secs: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k.starts_with("d:") || k.starts_with("f:"))
        .map(|(k, _)| k[2..].parse().unwrap())
        .collect();
    assert!(
        !secs.is_empty() && secs.iter().all(|s| now - s < 60),
        "{secs:?}"
    );
    let ring = fields.iter().filter(|(k, _)| k.starts_with("m:")).count();
    assert!(ring < 60, "{ring}");
}

#[test]
fn consumers_are_kept_for_a_day_then_forgotten_a_bounded_step_at_a_time() {
    let r = redis();
    // A claim on a queue that does not exist writes (and prunes) nothing.
    create_queue(&r, "default");
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let now_ms = server_ms(&mut c);
    // 1500 default-named consumers gone for two days (more than Redis keeps in a compact
    // listpack, which HSCAN returns whole), and two seen an hour ago.
    let mut pipe = redis::pipe();
    for i in 0..1500 {
        pipe.cmd("HSET")
            .arg(k.consumers())
            .arg(format!("host-{i}"))
            .arg(format!("{}|5", now_ms - 2 * 86_400_000));
    }
    for name in ["recent-1", "recent-2"] {
        pipe.cmd("HSET")
            .arg(k.consumers())
            .arg(name)
            .arg(format!("{}|7", now_ms - 3_600_000));
    }
    let _: () = pipe.query(&mut c).unwrap();
    let stale = |c: &mut redis::Connection| {
        hash(c, k.consumers())
            .iter()
            .filter(|(k, _)| k.starts_with("host-"))
            .count()
    };
    let worker_claims = || {
        rpq(&r)
            .args(["consume", "--drain", "--name", "worker"])
            .assert()
            .success();
    };
    // Each claim may take one step of the walk, at most every 10 s; the test makes each step
    // due by rewinding the time of the last one ("pruned at|recover at", common.lua).
    let mut steps = 0;
    let mut left = stale(&mut c);
    while left > 0 {
        steps += 1;
        assert!(steps <= 60, "{left} stale consumers left after 60 steps");
        let _: () = redis::cmd("HSET")
            .arg(k.stats())
            .arg("checks")
            .arg("0|0")
            .query(&mut c)
            .unwrap();
        worker_claims();
        let now_left = stale(&mut c);
        assert!(now_left < left || now_left == 0, "a step removed nothing");
        left = now_left;
    }
    assert!(
        steps >= 2,
        "300 names went in one step: the walk is not bounded"
    );
    let kept: Vec<String> = hash(&mut c, k.consumers())
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut kept = kept;
    kept.sort();
    assert_eq!(kept, ["recent-1", "recent-2", "worker"]);
    // Within 10 s of a step no claim walks again: new stale names stay until the next one.
    let _: () = redis::cmd("HSET")
        .arg(k.consumers())
        .arg("host-late")
        .arg("1000|0")
        .query(&mut c)
        .unwrap();
    worker_claims();
    assert_eq!(stale(&mut c), 1);
    // And the stats hash holds no per-consumer fields at all: it stays the same size whatever
    // the number of consumers.
    let fields: Vec<String> = hash(&mut c, k.stats())
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !k.starts_with("m:"))
        .collect();
    assert!(fields.len() <= 10, "{fields:?}");
    assert!(!fields.iter().any(|k| k.contains("worker")), "{fields:?}");
}

#[test]
fn watch_without_a_terminal_prints_a_snapshot_per_interval_until_ctrl_c() {
    let r = redis();
    push_lines(&r, "default", &[1; 3].map(line));
    let child = Proc::start(&r, &["--json", "stats", "--watch", "100ms"]);
    wait_until(Duration::from_secs(10), "three snapshots", || {
        child.stdout_lines().len() >= 3
    });
    let seen: Vec<Value> = child.stdout_lines()[..3]
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    child.signal(libc::SIGINT);
    let out = child.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stderr, "", "no note on Ctrl+C");
    assert!(seen.iter().all(|s| s["high"] == 3));
    let at: Vec<&str> = seen.iter().map(|s| s["at"].as_str().unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");

    // Human snapshots through a pipe: plain text, a blank line between them, no escapes.
    let child = Proc::start(&r, &["stats", "--watch", "100ms"]);
    let is_head = |line: &String| line.starts_with("queue default");
    wait_until(Duration::from_secs(10), "two snapshots", || {
        child.stdout_lines().iter().filter(|l| is_head(l)).count() >= 2
    });
    // The text up to the second snapshot's first line.
    let lines = child.stdout_lines();
    let (second, _) = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_head(l))
        .nth(1)
        .unwrap();
    let text: String = lines[..=second].iter().map(|l| format!("{l}\n")).collect();
    child.signal(libc::SIGINT);
    let out = child.end(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("\n\nqueue default"), "{text}");
    assert!(!text.contains('\x1b'), "{text:?}");
}

#[test]
fn watch_on_a_terminal_redraws_in_place_with_bars_until_ctrl_c() {
    let r = redis();
    push_lines(&r, "default", &[1, 1, 1, 1, 2, 2, 3].map(line));
    let mut cmd = rpq_command(&r.url());
    cmd.args(["stats", "--watch", "100ms"]);
    let pty = Pty::spawn(cmd, On::BOTH);
    wait_until(Duration::from_secs(20), "three frames", || {
        pty.screen().matches("\x1b[H").count() >= 3
    });
    pty.signal(libc::SIGINT);
    let (out, screen) = pty.finish(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    // The screen is cleared once, the cursor hidden while watching and shown again at the end.
    assert!(screen.starts_with("\x1b[?25l\x1b[2J"), "{screen:?}");
    assert!(screen.ends_with("\x1b[?25h"), "{screen:?}");
    assert!(!screen.contains("stopping"), "{screen:?}");
    let frames: Vec<&str> = screen.split("\x1b[H").skip(1).collect();
    let frame = frames[1];
    // Every line of a frame clears what the last frame left on it, and the frame clears what
    // is left below it.
    let (body, rest) = frame.rsplit_once('\n').unwrap();
    assert!(rest.starts_with("\x1b[J"), "{frame:?}");
    assert!(
        body.split('\n').all(|l| l.ends_with("\x1b[K\r")),
        "{frame:?}"
    );
    // A bar per priority, the longest for the longest backlog (4 high, 2 medium, 1 low).
    let is_bar = |c: char| ('█'..='▏').contains(&c);
    let bar = |name: &str| {
        let line = frame
            .lines()
            .find(|l| l.contains(name) && l.chars().any(is_bar))
            .unwrap_or_else(|| panic!("no {name} bar in {frame:?}"));
        line.chars().filter(|c| is_bar(*c)).count()
    };
    let (high, medium, low) = (bar("high"), bar("medium"), bar("low"));
    assert!(
        high > medium && medium > low && low > 0,
        "{high} {medium} {low}: {frame:?}"
    );
}

/// On a terminal smaller than a frame, like top: no line wider than the terminal (it would
/// wrap) and no frame taller (it would scroll), so nothing of old frames lands in the scrollback.
#[test]
fn watch_on_a_small_terminal_is_clipped_to_it() {
    let r = redis();
    push_lines(&r, "default", &[1, 1, 1, 1, 2, 2, 3].map(line));
    let mut cmd = rpq_command(&r.url());
    cmd.args(["stats", "--watch", "100ms"]);
    let pty = Pty::spawn_sized(cmd, On::BOTH, 8, 30);
    wait_until(Duration::from_secs(20), "three frames", || {
        pty.screen().matches("\x1b[H").count() >= 3
    });
    pty.signal(libc::SIGINT);
    let (out, screen) = pty.finish(Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    let shown = |l: &str| {
        let mut n = 0;
        let mut esc = false;
        for c in l.chars() {
            match c {
                '\x1b' => esc = true,
                c if esc => esc = !c.is_ascii_alphabetic(),
                '\r' => {}
                _ => n += 1,
            }
        }
        n
    };
    for frame in screen.split("\x1b[H").skip(1).take(3) {
        let body = frame.split("\x1b[J").next().unwrap();
        let lines: Vec<&str> = body.split('\n').filter(|l| !l.is_empty()).collect();
        assert!(lines.len() <= 7, "{} lines: {frame:?}", lines.len());
        assert!(lines.iter().all(|l| shown(l) <= 30), "{frame:?}");
        assert!(lines[0].starts_with("queue default"), "{frame:?}");
    }
}

#[test]
fn the_oldest_waiting_task_is_found_behind_fresher_higher_priorities() {
    let r = redis();
    rpq(&r)
        .args([
            "produce",
            "--type",
            "t",
            "--priority",
            "low",
            "--id",
            "old-low",
        ])
        .assert()
        .success();
    // Make the low task an hour old, as if high-priority work had kept it waiting since.
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let body: String = redis::cmd("HGET")
        .arg(k.tasks())
        .arg("old-low")
        .query(&mut c)
        .unwrap();
    // (After the record's place in line: layout 3's work list, step 3.)
    let only = crate::support::stored_body(&body);
    let place = &body[..body.len() - only.len()];
    let mut stored: Value = serde_json::from_str(only).unwrap();
    stored["c"] = json!(stored["c"].as_i64().unwrap() - 3_600_000);
    let _: () = redis::cmd("HSET")
        .arg(k.tasks())
        .arg("old-low")
        .arg(format!("{place}{stored}"))
        .query(&mut c)
        .unwrap();
    rpq(&r)
        .args(["produce", "--type", "t", "--priority", "high"])
        .assert()
        .success();
    // The next claim is the fresh high task; the oldest waiting is still the low one.
    let next = json_lines(rpq(&r).args(["peek", "--json"]));
    assert_eq!(next[0]["priority"], 1);
    let s = stats(&r);
    let oldest = s["oldest_waiting_ms"].as_u64().unwrap();
    assert!(oldest >= 3_600_000, "oldest_waiting_ms {oldest}");
    // Per priority, each first in line: the fresh high one, no medium one, the old low one.
    let by = &s["oldest_waiting_by_priority_ms"];
    assert!(by["high"].as_u64().unwrap() < 60_000, "{by}");
    assert_eq!(by["medium"], Value::Null, "{by}");
    assert_eq!(by["low"].as_u64(), Some(oldest), "{by}");
}

/// Issue 26: `serve`'s sampler keeps each queue's points in Redis, so `stats --since` shows the
/// minutes before a restart of `serve`, and the restarted one draws them in its chart.
#[test]
fn history_outlives_a_restart_of_serve() {
    use crate::serve::Serve;
    let r = redis();
    let mut c = conn(&r);
    push_lines(&r, "default", &lines([1, 2, 3, 3, 2]));
    rpq(&r).args(["consume", "--count", "3"]).assert().success();
    rpq(&r)
        .args(["--json", "stats", "--since", "1h"])
        .assert()
        .success()
        .stdout("");
    let first = Serve::start(&r, &[]);
    wait_until(Duration::from_secs(10), "the first point", || {
        zcard(&mut c, "rpq:{default}:history:m") > 0
    });
    drop(first);
    let before = server_ms(&mut c);
    let out = rpq(&r)
        .args(["--json", "stats", "--since", "1h"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let periods = ndjson(&out);
    assert_eq!(periods.len(), 1, "{periods:?}");
    let p = &periods[0];
    assert_eq!(p["queue"], "default");
    assert_eq!(p["period_ms"], 60_000);
    assert_eq!(p["in_period"], json!({"pushed": 5, "done": 3, "failed": 0}));
    assert_eq!(p["waiting"], 2);
    assert!(p["oldest_waiting_ms"].as_u64().is_some());
    // Humans get a table.
    let human = rpq(&r)
        .args(["stats", "--since", "90m"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8(human).unwrap();
    assert!(
        human.starts_with("queue default, a point a minute\n"),
        "{human}"
    );
    assert_eq!(human.lines().count(), 3, "{human}");

    // A new serve's chart begins with the point stored before it started.
    let second = Serve::start(&r, &[]);
    // The sampler's first round reads the stored points back, on its own thread: a request
    // at once may come before it (Redis 6.2's CI run got an empty chart).
    let mut h = serde_json::Value::Null;
    wait_until(Duration::from_secs(10), "the chart's first round", || {
        h = second.get("/api/history?since=0").expect(200).json();
        h["rows"].as_array().is_some_and(|r| !r.is_empty())
    });
    let cols: Vec<&str> = h["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let rows = h["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    let row = &rows[0];
    assert!(row[at("t")].as_i64().unwrap() < before, "{h}");
    assert_eq!(row[at("done")], 3);
    assert_eq!(row[at("low")], 2);

    // Beyond 48 hours the points are hourly; past 30 days is refused.
    let out = rpq(&r)
        .args(["--json", "stats", "--since", "3d"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(ndjson(&out)[0]["period_ms"], 3_600_000);
    rpq(&r)
        .args(["stats", "--since", "31d"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("30 days at most"));
}
