//! The shell's edges, where input is silently lost if anywhere: a signal in the middle of a
//! `produce --stdin` stream, a stream that trickles, bytes that are not UTF-8, a server that is
//! full, and a reader of `consume` that leaves. What the user was told is queued is queued, and
//! what was not is named by line.

use crate::support::*;
use serde_json::json;
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn waiting(c: &mut redis::Connection) -> u64 {
    zcard(c, Keys::new("default", 0).pending())
}

/// Waits until a process besides the test's own connection is connected to the server, which
/// rpq is only after it set up its signal handling.
fn wait_connected(c: &mut redis::Connection) {
    wait_until(Duration::from_secs(10), "rpq to connect", || {
        let info: String = redis::cmd("INFO").arg("clients").query(c).unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("connected_clients:"))
            .is_some_and(|n| n.trim().parse::<u32>().unwrap() >= 2)
    });
}

#[test]
fn a_signal_mid_stream_queues_every_line_sent_before_it_and_exits_0() {
    let r = redis();
    let mut c = conn(&r);
    let mut p = Proc::spawn(
        process(&r)
            .args(["produce", "--stdin"])
            .stdin(Stdio::piped()),
    );
    let mut stdin = p.stdin();
    wait_connected(&mut c);
    for l in lines_with_ids(mixed(10)) {
        writeln!(stdin, "{l}").unwrap();
    }
    // The pipe stays open: the producer waits for more when the signal comes, and one more
    // line follows it (read or not, as it happens; either way it must be accounted for).
    p.signal(libc::SIGTERM);
    let _ = writeln!(
        stdin,
        "{}",
        json!({"type": "t", "priority": 1, "id": "t10"})
    );
    let e = p.end(Duration::from_secs(10));
    drop(stdin);
    assert!(e.status.success(), "{e:?}");
    let n = waiting(&mut c);
    assert!(n >= 10, "{n} queued: {e:?}");
    assert_eq!(
        String::from_utf8_lossy(&e.stdout),
        format!("Queued {n} tasks\n")
    );
    let k = Keys::new("default", 0);
    for i in 0..10 {
        let score: Option<f64> = redis::cmd("ZSCORE")
            .arg(k.pending())
            .arg(format!("t{i}"))
            .query(&mut c)
            .unwrap();
        assert!(
            score.is_some(),
            "t{i} was sent before the signal and is not queued"
        );
    }
}

#[test]
fn a_slow_stream_is_queued_line_by_line_while_it_flows() {
    let r = redis();
    let mut c = conn(&r);
    let mut p = Proc::spawn(
        process(&r)
            .args(["produce", "--stdin"])
            .stdin(Stdio::piped()),
    );
    let mut stdin = p.stdin();
    let mut took = Vec::new();
    for (i, l) in lines(mixed(3)).into_iter().enumerate() {
        let sent = Instant::now();
        writeln!(stdin, "{l}").unwrap();
        wait_until(Duration::from_secs(5), "the line to be queued", || {
            waiting(&mut c) == i as u64 + 1
        });
        took.push(sent.elapsed().as_millis());
    }
    drop(stdin);
    assert!(p.end(Duration::from_secs(10)).status.success());
    // A figure for the report, not an assertion: line written to line queued.
    eprintln!("slow stream: line to queue, ms: {took:?}");
}

#[test]
fn a_line_that_is_not_utf8_is_a_bad_line_and_the_rest_is_queued() {
    let r = redis();
    let mut input = Vec::new();
    for (i, l) in lines_with_ids(mixed(2001)).iter().enumerate() {
        if i == 1200 {
            input.extend_from_slice(b"{\"type\":\"t\xff\",\"priority\":1}\n");
        } else {
            input.extend_from_slice(l.as_bytes());
            input.push(b'\n');
        }
    }
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(input)
        .assert()
        .code(65);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0], "line 1201: not valid UTF-8 (at byte 11)");
    assert!(lines[1].contains("the other 2000 were queued"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "Queued 2000 tasks, 1 bad line skipped\n"
    );
    rpq(&r).arg("len").assert().success().stdout("2000\n");
}

#[test]
fn a_full_server_is_one_line_with_the_count_queued_and_the_first_line_not() {
    let (r, stderr) = filled_server("default", None);
    let mut c = conn(&r);
    let n = waiting(&mut c);
    assert!(n > 0 && n < 2001, "{n}: {stderr}");
    let said = format!(
        "rpq: {n} {} queued; line {} and the lines after it were not: ",
        if n == 1 { "task" } else { "tasks" },
        n + 1
    );
    assert!(stderr.starts_with(&said), "{stderr}");
    assert!(stderr.contains("raise maxmemory"), "{stderr}");
    assert!(!stderr.contains("script"), "no script or SHA: {stderr}");
    // A queue the server has not seen yet is refused in its first writes (the settings it
    // stores), in the same words, whichever command comes first. The limit goes below what is
    // used, so that even a one-task command is refused.
    set_maxmemory(&mut c, "1mb");
    for args in [
        &["--queue", "fresh", "produce", "--type", "t"][..],
        &["--queue", "fresh2", "flow", "submit", "-"][..],
    ] {
        let out = rpq(&r)
            .args(args)
            .write_stdin(r#"[{"name": "a", "type": "t", "priority": 1}]"#)
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("redis is out of memory"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("Pipeline"), "{stderr}");
    }
}

#[test]
fn a_reader_that_leaves_gets_every_line_of_what_was_acknowledged() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids([2; 6]));
    let gone = r.dir().join("gone");
    let runs = r.dir().join("runs");
    // Tasks after the first wait (at most 5 s) until head has left, so the consumer finishes
    // one with its reader gone whatever the timing.
    let handler = r#"echo "$RPQ_TASK_ID" >> "$RUNS"; [ "$RPQ_TASK_ID" = t0 ] && exit 0
        i=0; while [ ! -e "$GONE" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done"#;
    let mut sh = std::process::Command::new("bash");
    clean_env(&mut sh)
        .arg("-c")
        .arg(
            r#"set -o pipefail; "$0" --url "$1" --json consume --drain --exec "$2" \
               | ( head -1; exec <&-; touch "$GONE" )"#,
        )
        .arg(bin())
        .arg(r.url())
        .arg(handler)
        .env("GONE", &gone)
        .env("RUNS", &runs);
    let out = assert_cmd::Command::from_std(sh)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let shown = ndjson(&out.get_output().stdout);
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (&shown[0]["id"], &shown[0]["outcome"]),
        (&json!("t0"), &json!("done"))
    );
    let mut c = conn(&r);
    // Every task acknowledged has its line: nothing done went unreported.
    assert_eq!(stat(&mut c, "default", "done"), 1);
    assert_eq!(in_flight(&mut c, "default"), 0);
    assert_eq!(waiting(&mut c), 5);
    let left = json_lines(rpq(&r).args(["--json", "peek", "-n", "10"]));
    assert!(left.iter().all(|t| t["attempt"] == 0), "{left:?}");
}
