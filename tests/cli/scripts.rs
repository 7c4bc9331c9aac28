//! rpq in shell scripts and terminals: quiet empty results, broken pipes, every exit code,
//! environment variables, and what only a terminal gets (colour, notes, progress, local time).

use crate::pty::{rpq_command, On, Pty};
use crate::support::*;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

/// `sh -c` of a pipeline with `set -o pipefail`, so its status is rpq's; the binary and URL come
/// in as positional parameters, never pasted into the script.
fn pipeline(server: &rpq::server::RedisServer, script: &str) -> assert_cmd::assert::Assert {
    let mut bash = std::process::Command::new("bash");
    clean_env(&mut bash)
        .arg("-c")
        .arg(format!("set -o pipefail; {script}"))
        .arg(bin())
        .arg(server.url());
    assert_cmd::Command::from_std(bash)
        .timeout(Duration::from_secs(60))
        .assert()
}

#[test]
fn an_empty_queue_prints_nothing_and_says_so_only_on_a_terminal() {
    let r = redis();
    // Empty, not missing: a queue that never had a task is said to not exist (inspect.rs).
    push_one(&r, "t", "gone");
    rpq(&r).args(["clear", "--yes"]).assert().success();
    for args in [&["peek"][..], &["peek", "--json"], &["dead", "list"]] {
        rpq(&r).args(args).assert().success().stdout("").stderr("");
    }
    rpq(&r)
        .arg("len")
        .assert()
        .success()
        .stdout("0\n")
        .stderr("");
    // stderr a terminal, stdout a pipe: the note goes to the terminal, stdout stays empty.
    for (args, note) in [
        (&["peek"][..], "queue 'default' is empty"),
        (&["dead", "list"], "no dead tasks"),
    ] {
        let mut cmd = rpq_command(&r.url());
        cmd.args(args);
        let (out, screen) = Pty::spawn(cmd, On::STDERR).finish(Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(out.stdout, b"");
        assert!(screen.contains(note), "{screen:?}");
    }
}

#[test]
fn peek_into_head_exits_0_quietly_on_the_broken_pipe() {
    let r = redis();
    // Far more than a pipe buffer (64 KiB), so rpq is still writing when head leaves.
    push_lines(&r, "default", &lines([2; 3000]));
    for json in ["", "--json"] {
        let out = pipeline(
            &r,
            &format!("\"$0\" --url \"$1\" peek -n 3000 {json} | head -1"),
        )
        .success()
        .stderr("");
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
    }
    // A reader that closes early, from Rust: same thing, exit 0 and nothing on stderr.
    let mut child = process(&r)
        .args(["peek", "-n", "3000", "--json"])
        .spawn()
        .expect("spawning rpq");
    {
        use std::io::BufRead;
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let v: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(v["payload"], 0);
    }
    let out = Proc::adopt(child).end(Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stderr, "");
    rpq(&r).arg("len").assert().success().stdout("3000\n");
}

#[test]
fn consume_into_head_exits_0_and_hands_back_the_task_it_held() {
    let r = redis();
    // Each result line is larger than a pipe buffer, so the second one cannot be written once
    // head has left, whatever the timing: by then the consumer holds the next task.
    let big = "x".repeat(100_000);
    let lines: Vec<String> = (0..6)
        .map(|i| json!({"type": "big", "priority": 2, "payload": {"n": i, "pad": big}}).to_string())
        .collect();
    push_lines(&r, "default", &lines);
    let out = pipeline(
        &r,
        "\"$0\" --url \"$1\" --json consume --drain --name piped | head -1",
    )
    .success()
    .stderr("");
    let shown = ndjson(&out.get_output().stdout);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["payload"]["n"], 0);
    assert_eq!(shown[0]["outcome"], "done");

    let stats = &json_lines(rpq(&r).args(["--json", "stats"]))[0];
    // Nothing is left in flight, nothing is lost, and what it held went back unharmed: no
    // attempt counted, no lease left to expire.
    assert_eq!(stats["in_flight"], 0);
    assert_eq!(stats["dead"], 0);
    let done = stats["done"].as_u64().unwrap();
    let waiting = stats["waiting"].as_u64().unwrap();
    assert!(done >= 1, "{stats}");
    assert_eq!(done + waiting, 6, "{stats}");
    let mut c = conn(&r);
    assert_eq!(
        stat(&mut c, "default", "released"),
        1,
        "the task in hand was released"
    );
    let left = json_lines(rpq(&r).args(["--json", "peek", "-n", "10"]));
    assert_eq!(left.len() as u64, waiting);
    assert!(left.iter().all(|t| t["attempt"] == 0));
    // Tasks come back in their old place in line: the rest of the queue, in order.
    let ns: Vec<u64> = left
        .iter()
        .map(|t| t["payload"]["n"].as_u64().unwrap())
        .collect();
    assert_eq!(ns, (done..6).collect::<Vec<_>>());
}

#[test]
fn every_exit_code_of_the_spec() {
    let r = redis();
    // 0: success.
    rpq(&r).arg("len").assert().code(0).stdout("0\n").stderr("");
    // 2: usage errors, clap's and ours.
    rpq(&r)
        .args(["produce", "--interval", "soon"])
        .assert()
        .code(2)
        .stdout("");
    rpq(&r)
        .args(["--queue", "", "len"])
        .assert()
        .code(2)
        .stderr("rpq: the queue name is empty\n");
    // 65: bad --stdin lines are reported by line number; the valid ones are still queued.
    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin("{\"type\":\"a\",\"priority\":1}\nnot json\n{\"type\":\"b\",\"priority\":9}\n{\"type\":\"c\",\"priority\":\"low\"}\n")
        .assert()
        .code(65)
        .stdout("Queued 2 tasks, 2 bad lines skipped\n")
        .stderr(
            predicate::str::contains("line 2: ")
                .and(predicate::str::contains("line 3: "))
                .and(predicate::str::contains("line 1").not())
                .and(predicate::str::contains("rpq: 2 lines of stdin were not valid tasks")),
        );
    rpq(&r).arg("len").assert().stdout("2\n");
    // 65: a stored task that cannot be read goes to the dead set; the consumer goes on.
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(k.tasks())
        .arg("broken")
        .arg("{not json")
        .cmd("ZADD")
        .arg(k.pending())
        .arg("1000000000000000")
        .arg("broken")
        .query(&mut c)
        .unwrap();
    let out = rpq(&r)
        .args(["--json", "consume", "--drain"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("task broken cannot be read"));
    let lines = ndjson(&out.get_output().stdout);
    let done = lines.iter().filter(|l| l["outcome"] == "done").count();
    assert_eq!(done, 2, "the readable tasks were still done");
    assert_eq!(lines.len(), 3, "and the unreadable one has its line");
    let dead = json_lines(rpq(&r).args(["--json", "dead", "list"]));
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["id"], "broken");
    // 1: a runtime failure, here an ACL user without rights on the queue's keys.
    let _: () = redis::cmd("ACL")
        .arg(&[
            "SETUSER",
            "limited",
            "on",
            ">s3cret-pw",
            "~other:*",
            "+@all",
        ])
        .query(&mut c)
        .unwrap();
    let limited = r.url().replace("redis://", "redis://limited:s3cret-pw@");
    let out = bare()
        .env("RPQ_URL", &limited)
        .arg("len")
        .assert()
        .code(1)
        .stdout("");
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.starts_with("rpq: ") && err.lines().count() == 1,
        "{err}"
    );
    assert!(
        err.contains("NOPERM") || err.contains("permission"),
        "{err}"
    );
    assert!(!err.contains("s3cret-pw"), "{err}");
    // 130 is tested with signals (signals.rs); the table is in --help.
    rpq(&r).arg("--help").assert().success().stdout(
        predicate::str::contains("Exit codes:")
            .and(predicate::str::contains("\n  65 "))
            .and(predicate::str::contains("\n  130 ")),
    );
}

#[test]
fn environment_variables_are_honoured_and_flags_win() {
    let r = redis();
    rpq(&r)
        .args(["--queue", "envq", "produce", "--type", "x"])
        .assert()
        .success();
    // RPQ_URL before REDIS_URL, --url before both.
    bare()
        .env("RPQ_URL", r.url())
        .env("REDIS_URL", "redis://127.0.0.1:1")
        .env("RPQ_QUEUE", "envq")
        .arg("len")
        .assert()
        .success()
        .stdout("1\n");
    bare()
        .env("RPQ_URL", "redis://127.0.0.1:1")
        .env("RPQ_QUEUE", "envq")
        .args(["len", "--url", &r.url()])
        .assert()
        .success()
        .stdout("1\n");
    // An empty variable counts as unset.
    bare()
        .env("RPQ_URL", "")
        .env("REDIS_URL", r.url())
        .args(["--queue", "envq", "len"])
        .assert()
        .success()
        .stdout("1\n");
    // RPQ_CLUSTER: several seed nodes need it; with it on, the server must be a cluster.
    let seeds = format!("{},{}", r.url(), r.url());
    bare()
        .env("RPQ_URL", &seeds)
        .arg("len")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --cluster"));
    bare()
        .env("RPQ_URL", &seeds)
        .env("RPQ_CLUSTER", "false")
        .arg("len")
        .assert()
        .code(2);
    let out = bare()
        .env("RPQ_URL", &seeds)
        .env("RPQ_CLUSTER", "1")
        .arg("len")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!err.contains("add --cluster"), "{err}");
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let r = redis();
    push_lines(&r, "default", &[line(1)]);
    let run = |env: &[(&str, &str)]| {
        let mut cmd = rpq_command(&r.url());
        cmd.arg("peek");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (out, screen) = Pty::spawn(cmd, On::BOTH).finish(Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(0));
        screen
    };
    let coloured = run(&[]);
    assert!(coloured.contains("\x1b[1;31mhigh"), "{coloured:?}");
    for env in [&[("NO_COLOR", "1")][..], &[("TERM", "dumb")]] {
        let plain = run(env);
        assert!(plain.contains("high"), "{plain:?}");
        assert!(!plain.contains('\x1b'), "{env:?}: {plain:?}");
    }
    // Through a pipe: never.
    let out = rpq(&r).arg("peek").assert().success();
    assert!(!out.get_output().stdout.contains(&0x1b));
}

#[test]
fn human_times_are_local_and_priorities_are_names() {
    let r = redis();
    let out = rpq(&r)
        .args(["--json", "produce", "--type", "t", "--priority", "3"])
        .assert()
        .success();
    let created = time(&ndjson(&out.get_output().stdout)[0]["created_at"]);
    for (tz, offset_min) in [("UTC0", 0), ("XYZ-5:30", 330), ("ABC+7", -420)] {
        let out = rpq(&r).env("TZ", tz).arg("peek").assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        // Under the header row: ID PRIORITY CREATED ...
        let line = text.lines().nth(1).unwrap_or_default();
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[1], "low", "{line}");
        let want = (created + chrono::Duration::minutes(offset_min))
            .format("%H:%M:%S")
            .to_string();
        assert_eq!(fields[2], want, "TZ={tz}: {line}");
    }
}

#[test]
fn produce_stdin_shows_progress_only_on_a_terminal() {
    let r = redis();
    let input = lines([3; 2000]).join("\n");
    rpq(&r)
        .args(["produce", "--stdin", "--batch", "100"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout("Queued 2000 tasks\n")
        .stderr("");
    // stderr a terminal: a progress line (tasks pushed, rate), cleared before the summary.
    let path = std::env::temp_dir().join(format!("rpq-progress-{}.jsonl", std::process::id()));
    std::fs::write(&path, &input).unwrap();
    let mut cmd = rpq_command(&r.url());
    cmd.args(["produce", "--stdin", "--batch", "100"])
        .stdin(std::fs::File::open(&path).unwrap());
    let (out, screen) = Pty::spawn(cmd, On::STDERR).finish(Duration::from_secs(30));
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Queued 2000 tasks\n");
    assert!(screen.contains("pushed "), "{screen:?}");
    assert!(screen.contains("tasks ("), "{screen:?}");
    assert!(screen.contains("/s)"), "{screen:?}");
    // The line is erased at the end, so the terminal is left clean.
    assert!(screen.ends_with("\r\x1b[2K"), "{screen:?}");
    rpq(&r).arg("len").assert().stdout("4000\n");
}

/// Deleting everything asks first on a terminal (`clear`, `dead purge` without ids), takes no
/// for an answer, and `--yes` or a stdin that is not a terminal skips the question.
#[test]
fn destructive_commands_ask_on_a_terminal() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(6)));
    rpq(&r)
        .args(["consume", "--count", "3", "--exec", "exit 1"])
        .args(["--max-attempts", "1"])
        .assert()
        .success();
    let ask = |args: &[&str], answer: &str, question: &str| {
        let mut cmd = rpq_command(&r.url());
        cmd.args(args);
        let mut t = Pty::spawn(cmd, On::ALL);
        t.wait_for(question);
        t.type_line(answer);
        let (end, screen) = t.finish(Duration::from_secs(20));
        assert!(end.status.success(), "{screen}");
        screen
    };
    for (args, question) in [
        (&["dead", "purge"][..], "Delete every dead task of queue 'default' (3 dead) for good? [y/N]"),
        (&["clear"], "Remove every task of queue 'default' (3 waiting, 0 in flight, 0 retrying, 3 dead)? [y/N]"),
    ] {
        let screen = ask(args, "n", question);
        assert!(screen.contains("Nothing removed."), "{screen}");
    }
    rpq(&r).arg("len").assert().success().stdout("3\n");
    let screen = ask(&["dead", "purge"], "y", "(3 dead) for good?");
    assert!(screen.contains("Purged 3 dead tasks"), "{screen}");
    rpq(&r)
        .args(["--json", "dead", "list"])
        .assert()
        .success()
        .stdout("");
    // Not a terminal (a script), or --yes: no question.
    let mut yes = rpq_command(&r.url());
    yes.args(["dead", "purge", "--yes"]);
    let (end, screen) = Pty::spawn(yes, On::ALL).finish(Duration::from_secs(20));
    assert!(
        end.status.success() && screen.contains("Purged 0 dead tasks"),
        "{screen}"
    );
    rpq(&r)
        .args(["clear"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Removed 3 tasks"));
}

/// The README's monitor recipe, its jq filter word for word, on a snapshot with nothing waiting
/// (`oldest_waiting_ms` null) and failures past its limit: one alert line (jq used to stop on
/// `null / 1000`).
#[test]
fn the_readme_monitor_alerts_with_nothing_waiting() {
    let readme = include_str!("../../docs/recipes.md");
    let filter = readme
        .split("jq --unbuffered -r '")
        .nth(1)
        .and_then(|rest| rest.split("' \\").next())
        .expect("the README's monitor recipe");
    let r = redis();
    push_lines(&r, "mail", &lines_with_ids(mixed(11)));
    rpq(&r)
        .args([
            "--queue", "mail", "consume", "--count", "11", "--exec", "exit 1",
        ])
        .args(["--max-attempts", "1"])
        .assert()
        .success();
    let snapshot = rpq(&r)
        .args(["--queue", "mail", "--json", "stats"])
        .output()
        .unwrap()
        .stdout;
    assert!(String::from_utf8_lossy(&snapshot).contains("\"oldest_waiting_ms\":null"));
    let out = std::process::Command::new("jq")
        .args(["-r", filter])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut jq| {
            use std::io::Write;
            jq.stdin.take().unwrap().write_all(&snapshot)?;
            jq.wait_with_output()
        })
        .expect("jq is installed (.ci/install-deps)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "mail: 0 waiting, the oldest for 0s, 11 failed in the last minute, 1 consumers\n"
    );
}

#[test]
fn consume_into_head_acknowledges_the_one_task_head_shows() {
    let r = redis();
    let mut c = conn(&r);
    for round in 0..5 {
        let q = format!("q{round}");
        push_lines(&r, &q, &lines_with_ids([2; 5]));
        let out = pipeline(
            &r,
            &format!("\"$0\" --url \"$1\" --queue {q} --json consume | head -1"),
        )
        .success()
        .stderr("");
        let shown = ndjson(&out.get_output().stdout);
        assert_eq!(shown.len(), 1);
        assert_eq!(
            (&shown[0]["id"], &shown[0]["outcome"]),
            (&json!("t0"), &json!("done"))
        );
        // One line reached head, so one task was acknowledged; the one in hand went back.
        let stats = &json_lines(rpq(&r).args(["--queue", &q, "--json", "stats"]))[0];
        assert_eq!(
            (&stats["done"], &stats["waiting"], &stats["in_flight"]),
            (&json!(1), &json!(4), &json!(0)),
            "round {round}: {stats}"
        );
        assert_eq!(stat(&mut c, &q, "released"), 1, "round {round}");
    }
}

#[test]
fn a_reader_that_leaves_without_reading_gets_nothing_acknowledged_and_nothing_more_run() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids([2; 5]));
    let runs = r.dir().join("runs");
    let go = r.dir().join("go");
    // A reader that never reads, and leaves when told.
    let mut sh = std::process::Command::new("bash");
    clean_env(&mut sh)
        .arg("-c")
        .arg(
            r#""$0" --url "$1" --json consume --exec "$2" \
               | ( while [ ! -e "$GO" ]; do sleep 0.01; done )"#,
        )
        .arg(bin())
        .arg(r.url())
        .arg(r#"echo "$RPQ_TASK_ID" >> "$RUNS""#)
        .env("RUNS", &runs)
        .env("GO", &go)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let p = Proc::spawn(&mut sh);
    let mut c = conn(&r);
    let ran = || std::fs::read_to_string(&runs).unwrap_or_default();
    // The first task ran, and its line waits in the pipe: the task stays in hand, unacknowledged.
    wait_until(Duration::from_secs(10), "the first task to run", || {
        !ran().is_empty() && in_flight(&mut c, "default") == 1
    });
    std::fs::write(&go, "").unwrap();
    let out = p.end(Duration::from_secs(30));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stderr, "");
    assert_eq!(ran(), "t0\n", "only the task whose line was written ran");
    assert_eq!(stat(&mut c, "default", "done"), 0);
    assert_eq!(in_flight(&mut c, "default"), 0);
    let left = json_lines(rpq(&r).args(["--json", "peek", "-n", "10"]));
    assert_eq!(left.len(), 5);
    assert!(left.iter().all(|t| t["attempt"] == 0), "{left:?}");
}

/// Task data never reaches a terminal raw (issue 21): a payload with a newline and an escape
/// sequence, and a handler's error with one, come out escaped as redis-cli escapes them in
/// every human form that shows them; a kept result is printed as written, unquoted.
#[test]
fn control_characters_in_task_data_are_escaped_in_human_output() {
    let r = redis();
    let evil = "a\nb\x1b[31mRED";
    for id in ["e1", "e2"] {
        rpq(&r)
            .args(["produce", "--type", "t", "--id", id, "--payload", evil])
            .assert()
            .success();
    }
    rpq(&r)
        .args([
            "produce",
            "--type",
            "k",
            "--id",
            "k1",
            "--keep-result",
            "1h",
        ])
        .assert()
        .success();
    let human = |args: &[&str], code: i32| -> String {
        let out = rpq(&r).args(args).assert().code(code);
        let stdout = out.get_output().stdout.clone();
        let raw: Vec<u8> = stdout
            .iter()
            .copied()
            .filter(|b| (*b < 0x20 && *b != b'\n') || *b == 0x7f)
            .collect();
        assert!(raw.is_empty(), "{args:?} printed control bytes {raw:?}");
        String::from_utf8(stdout).unwrap()
    };
    let escaped = r"a\nb\x1b[31mRED";
    for args in [
        &["peek", "-n", "5"][..],
        &["list", "--state", "waiting"],
        &["show", "e1"],
    ] {
        let text = human(args, 0);
        assert!(text.contains(escaped), "{args:?}: {text}");
    }
    // e1 fails for good with an error of its own control characters; e2 and k1 are done.
    let consumed = human(
        &[
            "consume",
            "--drain",
            "--max-attempts",
            "1",
            "--exec",
            r#"case $RPQ_TASK_ID in e1) printf 'bad\033[31m\tred\n' >&2; exit 1;; k1) printf '{"ok":true}';; esac"#,
        ],
        0,
    );
    assert!(consumed.contains(escaped), "{consumed}");
    assert!(consumed.contains(r"bad\x1b[31m\tred"), "{consumed}");
    for args in [
        &["dead", "list"][..],
        &["list", "--state", "dead"],
        &["show", "e1"],
    ] {
        let text = human(args, 0);
        assert!(text.contains(r"bad\x1b[31m\tred"), "{args:?}: {text}");
    }
    let kept = human(&["show", "k1"], 0);
    assert!(kept.contains(r#"Result: {"ok":true}"#), "{kept}");
}

/// A command that waits on a terminal says what for, in one line on stderr (issue 21): an idle
/// consumer, and `produce --stdin` reading the keyboard; through pipes, nothing.
#[test]
fn a_command_waiting_on_a_terminal_says_what_for() {
    let r = redis();
    // A consumer registers on a queue that exists only (queue hygiene).
    create_queue(&r, "default");
    let mut cmd = rpq_command(&r.url());
    cmd.arg("consume");
    let t = Pty::spawn(cmd, On::STDERR);
    t.wait_for(&format!(
        "waiting for tasks on 'default' at {}; Ctrl+C stops",
        r.url()
    ));
    // The line may come before its first claim: the count of consumers below needs that
    // claim made before the stop (on a loaded machine the stop came first, and 2 never came).
    wait_consumers(&mut conn(&r), "default", 1);
    t.signal(libc::SIGTERM);
    let (end, screen) = t.finish(Duration::from_secs(20));
    assert!(end.status.success(), "{screen}");
    assert_eq!(screen.matches("waiting for tasks").count(), 1, "{screen}");

    // Piped, on the same empty queue: nothing of the kind.
    let c = Proc::start(&r, &["consume", "--count", "1"]);
    // The one on the terminal, and this one: idle on the empty queue before the push.
    wait_consumers(&mut conn(&r), "default", 2);
    push_one(&r, "t", "p1");
    let out = c.end(Duration::from_secs(20));
    assert!(out.status.success(), "{}", out.stderr);
    assert!(!out.stderr.contains("waiting for tasks"), "{}", out.stderr);

    let mut cmd = rpq_command(&r.url());
    cmd.args(["produce", "--stdin"]);
    let mut t = Pty::spawn(cmd, On::ALL);
    t.wait_for("reading JSON lines, a task each; Ctrl+D ends");
    t.type_line(r#"{"type":"t","priority":1}"#);
    t.end_input();
    let (end, screen) = t.finish(Duration::from_secs(20));
    assert!(end.status.success(), "{screen}");
    assert!(screen.contains("Queued 1 task"), "{screen}");

    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin("{\"type\":\"t\",\"priority\":1}\n")
        .assert()
        .success()
        .stderr("");
}

/// On a terminal a handler's output is its own lines, each marked with its task id, never glued
/// to rpq's (issue 21); through a pipe it is the handler's, byte for byte.
#[test]
fn handler_output_on_a_terminal_is_marked_with_its_task() {
    let r = redis();
    push_one(&r, "t", "job-1");
    let handler = r#"echo hello; printf 'no newline'"#;
    let mut cmd = rpq_command(&r.url());
    cmd.env("NO_COLOR", "1")
        .args(["consume", "--count", "1", "--name", "c1", "--exec", handler]);
    let (end, screen) = Pty::spawn(cmd, On::BOTH).finish(Duration::from_secs(20));
    assert!(end.status.success(), "{screen}");
    let lines: Vec<&str> = screen.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(lines.contains(&"[job-1] hello"), "{screen:?}");
    assert!(lines.contains(&"[job-1] no newline"), "{screen:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("[c1] Done: task job-1")),
        "{screen:?}"
    );
    push_one(&r, "t", "job-2");
    let out = rpq(&r)
        .args(["consume", "--count", "1", "--exec", handler])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("hello\nno newline"), "{stdout}");
    assert!(!stdout.contains("[job-2]"), "{stdout}");
}
