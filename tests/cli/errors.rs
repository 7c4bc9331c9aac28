//! Bad input and dead servers: one clear line, the right exit code, no panic, no password.

use crate::support::*;
use predicates::prelude::*;
use std::time::Duration;

#[test]
fn bad_flags_are_usage_errors() {
    let r = redis();
    for args in [
        &["consume", "--bogus"][..],
        &["produce", "--type", "x", "--priority", "urgent"],
        &["produce", "--interval", "soon"],
        &["consume", "--lease", "-3s"],
        &["len", "--priority", "4"],
        &["frobnicate"],
        // --wait is for one task: not for a stream of them.
        &["produce", "--stdin", "--wait"],
    ] {
        rpq(&r)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("error:"));
    }
    rpq(&r)
        .args(["--queue", "a{b}", "len"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("queue name"));
}

/// An argument that is not UTF-8 (a payload read from a binary file, a file name) is a usage
/// error in one line, with or without JSON logs, never a panic; nothing is pushed.
#[test]
fn arguments_that_are_not_utf8_are_usage_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let r = redis();
    let bad = OsStr::from_bytes(b"\xff\xfe{}");
    for json in [false, true] {
        let mut cmd = rpq(&r);
        if json {
            cmd.args(["--log-format", "json"]);
        }
        let out = cmd
            .args(["produce", "--type", "t", "--payload"])
            .arg(bad)
            .assert()
            .code(2)
            .stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("invalid UTF-8") && !err.contains("panicked"),
            "{err}"
        );
        if json {
            let line: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
            assert_eq!(line["event"], "usage");
        }
    }
    // A path is taken as bytes: a config file of that name is looked for, and said missing.
    rpq(&r)
        .arg("--config")
        .arg(OsStr::from_bytes(b"/nonexistent/\xff.toml"))
        .arg("len")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("config file").and(predicate::str::contains("panicked").not()),
        );
    rpq(&r).arg("len").assert().success().stdout("0\n");
}

#[test]
fn an_environment_variable_that_is_not_utf8_is_a_usage_error_not_unset() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let r = redis();
    rpq(&r)
        .args(["--queue", "other", "produce", "--type", "t"])
        .assert()
        .success();
    // Read as unset, RPQ_QUEUE gave the queue 'default' and RPQ_SERVE_TOKEN no token at all.
    for var in ["RPQ_QUEUE", "RPQ_SERVE_TOKEN", "RPQ_URL"] {
        let out = bare()
            .env("RPQ_URL", r.url())
            .env(var, OsStr::from_bytes(b"other\xff"))
            .arg("len")
            .assert()
            .code(2)
            .stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(
            err,
            format!("rpq: {var} is not valid UTF-8; set it to text, or unset it\n"),
            "{var}"
        );
    }
}

#[test]
fn a_bad_url_is_a_usage_error() {
    bare()
        .args(["--url", "http://127.0.0.1:6379", "len"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("rpq: ").and(predicate::str::contains("URL")));
}

#[test]
fn an_unreachable_server_exits_1_naming_the_address_without_the_password() {
    let port = rpq::server::free_port().unwrap();
    for cmd in [
        &["len"][..],
        &["peek"],
        &["produce", "--type", "x"],
        &["produce", "--count", "3", "--interval", "0"],
    ] {
        let out = bare()
            .env("RPQ_URL", format!("redis://alice:hunter2@127.0.0.1:{port}"))
            .args(cmd)
            .assert()
            .code(1)
            .stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert!(!err.contains("hunter2"), "password printed: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `dead retry nosuch` and `dead purge nosuch` used to say nothing and exit 0.
#[test]
fn dead_retry_and_purge_name_the_ids_that_are_not_dead() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(3)));
    let fail_all = |n: &str| {
        rpq(&r)
            .args([
                "consume",
                "--count",
                n,
                "--exec",
                "exit 1",
                "--max-attempts",
                "1",
            ])
            .assert()
            .success();
    };
    fail_all("3");
    for (op, field) in [("retry", "retried"), ("purge", "purged")] {
        let out = rpq(&r)
            .args(["--json", "dead", op, "t0", "nosuch", "t1", "t0", "other"])
            .assert()
            .code(1);
        let o = out.get_output();
        let line = &ndjson(&o.stdout)[0];
        assert_eq!(line[field], 2, "{line}");
        assert_eq!(
            line["unknown"],
            serde_json::json!(["nosuch", "other"]),
            "{line}"
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            err,
            "rpq: not in the dead set of queue 'default': nosuch, other; `rpq dead list` shows what is\n"
        );
        // t0 and t1 were retried: dead again for the purge.
        if op == "retry" {
            fail_all("2");
        }
    }
    rpq(&r)
        .args(["--json", "dead", "purge", "t2"])
        .assert()
        .success()
        .stdout("{\"purged\":1}\n");
    rpq(&r)
        .args(["dead", "retry", "t2"])
        .assert()
        .code(1)
        .stdout("Queued 0 dead tasks again\n")
        .stderr(predicate::str::contains("dead set of queue 'default': t2;"));
}

/// A listener on 127.0.0.1 that answers every connection the same way, until dropped.
struct Service {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Service {
    /// `reply`: what it writes after the client's first bytes; None keeps the connection open
    /// and silent.
    fn start(reply: Option<&'static [u8]>) -> Service {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let halt = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for s in l.incoming() {
                if halt.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = s else { continue };
                if let Some(r) = reply {
                    let mut buf = [0u8; 256];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(r);
                }
                held.push(s);
            }
        });
        Service { port, stop }
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl Drop for Service {
    /// The accept loop sees the flag at the next connection: this one.
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One line that names the likely cause, for each thing that is not the Redis rpq expects,
/// each within a few seconds (a TLS port used to take the 10 s read timeout).
#[test]
fn the_wrong_kind_of_server_is_named_in_one_line_and_fast() {
    let r = redis();
    let certs = crate::servers::Certs::make();
    let (_tls, tls_port) = crate::servers::tls_server(&certs);
    let http = Service::start(Some(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
    ));
    let silent = Service::start(None);
    let refused = rpq::server::free_port().unwrap();
    let cases: Vec<(Vec<String>, &str, u64)> = vec![
        (
            vec!["--url".into(), http.url("redis")],
            "does not speak the Redis protocol",
            2,
        ),
        (
            vec!["--url".into(), silent.url("redis")],
            "no answer within 3s",
            5,
        ),
        (
            vec!["--url".into(), format!("redis://127.0.0.1:{refused}")],
            ": connection refused; is redis-server running there?",
            2,
        ),
        (
            vec!["--url".into(), format!("redis://127.0.0.1:{tls_port}")],
            "is it a TLS port? then use rediss://",
            2,
        ),
        (
            vec!["--url".into(), r.url().replace("redis://", "rediss://")],
            "speaks plain Redis, not TLS: use redis://",
            5,
        ),
        (
            vec!["--cluster".into(), "--url".into(), r.url()],
            "is not a Redis Cluster node (cluster support is disabled); drop --cluster",
            2,
        ),
        (
            vec![
                "--cluster".into(),
                "--url".into(),
                format!("redis://127.0.0.1:{refused}"),
            ],
            "no seed node answered (127.0.0.1:",
            2,
        ),
    ];
    for (args, cause, secs) in cases {
        // The slow ones (a 3 s connect timeout) once; the others by a long-running command too,
        // but for a server that does not answer yet, which a long-running command waits for
        // (long_running_commands_wait_for_redis_at_start): what is wrong with the server or
        // the URL is not fixed by waiting.
        let waits = cause.contains("connection refused") || cause.contains("no seed node");
        let cmds: &[&[&str]] = if secs > 2 || waits {
            &[&["len"]]
        } else {
            &[&["len"], &["consume", "--count", "1"]]
        };
        for cmd in cmds {
            let started = std::time::Instant::now();
            let out = bare().args(&args).args(*cmd).assert().code(1).stdout("");
            let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(
                err.starts_with("rpq: cannot use redis at "),
                "{args:?}: {err}"
            );
            assert!(err.contains(cause), "{args:?}: {err}");
            assert!(!err.contains("os error"), "{args:?}: {err}");
            assert!(
                started.elapsed() < Duration::from_secs(secs),
                "{args:?} took {:?}",
                started.elapsed()
            );
        }
    }
}

// Issue 19, item 2 (SPEC 20): every duration and time is bounded, and past the bound it is a
// usage error or a bad line, never a panic, never "now" for a far future.

/// What the fault run fed every duration: past any clock, negative, not numbers, past u64, and
/// 1e16 s, which used to overflow into the past and run at once.
const HUGE: &[&str] = &[
    "1e20",
    "1e308",
    "-1",
    "NaN",
    "inf",
    "9999999999999999999",
    "1e16",
    "500000000000y",
];

/// Times past the end of year 9999, the latest rpq takes.
const LATE: &[&str] = &[
    "+99999-01-01 00:00",
    "10000-01-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
];

/// Exit 2 with one line of error (clap's own hint line aside), nothing on stdout, no panic.
fn one_line_usage_error(cmd: &mut assert_cmd::Command, what: &str) -> String {
    let out = cmd.timeout(Duration::from_secs(20)).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("For more information"))
        .collect();
    assert_eq!(lines.len(), 1, "{what}: {err}");
    assert!(
        lines[0].starts_with("error: ") || lines[0].starts_with("rpq: "),
        "{what}: {err}"
    );
    err
}

#[test]
fn a_duration_or_time_past_the_bounds_is_a_usage_error_on_every_flag() {
    // No server: a value that got past the parser would fail to connect (exit 1), or run.
    let url = "redis://127.0.0.1:1";
    let flags: &[&[&str]] = &[
        &["produce", "--interval"],
        &["produce", "--type", "t", "--in"],
        &["produce", "--type", "t", "--ttl"],
        &["produce", "--type", "t", "--exec-timeout"],
        &["produce", "--type", "t", "--keep-result"],
        &["produce", "--type", "t", "--wait", "--timeout"],
        &["consume", "--delay"],
        &["consume", "--lease"],
        &["consume", "--backoff"],
        &["consume", "--exec", "true", "--exec-timeout"],
        &["stats", "--watch"],
        &["demo", "--duration"],
        &["bench", "--due-in"],
        &["bench", "--aging"],
        &["schedule", "add", "s", "--type", "t", "--every"],
        &[
            "schedule", "add", "s", "--type", "t", "--every", "1h", "--ttl",
        ],
        &["pause", "--for"],
    ];
    for flag in flags {
        let (name, args) = flag.split_last().unwrap();
        for v in HUGE {
            one_line_usage_error(
                bare()
                    .args(["--url", url])
                    .args(args)
                    .arg(format!("{name}={v}")),
                &format!("{flag:?} {v}"),
            );
        }
    }
    for v in HUGE {
        for args in [&["limit", "--rate"][..], &["bench", "--rate"]] {
            one_line_usage_error(
                bare().args(["--url", url]).args(args).arg(format!("1/{v}")),
                &format!("{args:?} 1/{v}"),
            );
        }
        one_line_usage_error(
            bare().args(["--url", url, "aging", "--", v]),
            &format!("aging {v}"),
        );
    }
    for t in LATE {
        one_line_usage_error(
            bare().args(["--url", url, "produce", "--type", "t", "--at", t]),
            &format!("--at {t}"),
        );
    }
    // A time within the bound whose ttl carries its expiry past it.
    let err = one_line_usage_error(
        bare().args(["--url", url, "produce", "--type", "t"]).args([
            "--at",
            "9999-12-31T00:00:00Z",
            "--ttl",
            "2d",
        ]),
        "--at 9999 --ttl 2d",
    );
    assert!(err.contains("year 9999"), "{err}");
    // The config file holds no duration: its one number is bounded as a flag's is.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    for v in ["1e20", "99999999999999999999", "4294967296", "-1", "nan"] {
        std::fs::write(&file, format!("[profile.default]\nshards = {v}\n")).unwrap();
        one_line_usage_error(
            bare()
                .args(["--url", url, "--config"])
                .arg(&file)
                .arg("len"),
            &format!("shards = {v}"),
        );
    }
}

#[test]
fn a_duration_or_time_past_the_bounds_is_a_bad_line_and_every_other_line_is_queued() {
    let r = redis();
    let mut lines: Vec<String> = (0..2000)
        .map(|i| format!(r#"{{"type":"t","priority":{},"id":"ok-{i}"}}"#, i % 3 + 1))
        .collect();
    let mut bad = Vec::new();
    for field in ["in", "ttl", "exec_timeout", "keep_result"] {
        for v in HUGE {
            // As a JSON number where it is one, else as a string.
            let value = if v.parse::<f64>().is_ok_and(f64::is_finite) {
                v.to_string()
            } else {
                format!("\"{v}\"")
            };
            bad.push(format!(r#"{{"type":"t","priority":1,"{field}":{value}}}"#));
        }
        bad.push(format!(
            r#"{{"type":"t","priority":1,"{field}":"9999999999999999999"}}"#
        ));
    }
    for t in LATE {
        bad.push(format!(r#"{{"type":"t","priority":1,"at":"{t}"}}"#));
    }
    bad.push(r#"{"type":"t","priority":1,"at":"9999-12-31T23:00:00Z","ttl":"1d"}"#.into());
    // From line 1,201 on, where the fault run's first one was, every seventh line.
    let mut numbers = Vec::new();
    for (k, b) in bad.into_iter().enumerate() {
        let i = 1200 + k * 7;
        lines[i] = b;
        numbers.push(i + 1);
    }
    // At the bound: queued, and a task due in 100 years is not due now.
    lines[10] = r#"{"type":"t","priority":1,"id":"ok-10","ttl":"100y","exec_timeout":"36525d","keep_result":3155760000}"#.into();
    lines[11] = r#"{"type":"t","priority":1,"id":"far","in":"100y"}"#.into();
    lines[12] = r#"{"type":"t","priority":1,"id":"ok-12","at":"9999-12-31T23:59:59Z"}"#.into();
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(lines.join("\n"))
        .timeout(Duration::from_secs(60))
        .assert()
        .code(65);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    let told: Vec<usize> = err
        .lines()
        .filter_map(|l| l.strip_prefix("line "))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(told, numbers, "{err}");
    // Every other line is queued: waiting now, but the two due later.
    let waiting = 2000 - numbers.len() - 2;
    rpq(&r)
        .arg("len")
        .assert()
        .success()
        .stdout(format!("{waiting}\n"));
    for (id, year) in [("far", 2100), ("ok-12", 9999)] {
        let out = rpq(&r).args(["show", id, "--json"]).assert().success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["state"], "scheduled", "{v}");
        let due = crate::support::time(&v["due_at"]);
        assert!(chrono::Datelike::year(&due) >= year, "{v}");
    }
}

// Issue 19, item 11: 0 for a ttl or a time limit meant "none" on one flag, "the consumer's"
// on another, "at once" on a third and 1 ms on a fourth; it is refused everywhere.
#[test]
fn zero_for_a_ttl_or_a_time_limit_is_refused_not_taken_as_none() {
    let url = "redis://127.0.0.1:1";
    for args in [
        &["produce", "--type", "t", "--ttl=0s"][..],
        &["produce", "--type", "t", "--exec-timeout=0"],
        &["produce", "--type", "t", "--keep-result=0ms"],
        &["consume", "--exec", "true", "--exec-timeout=0s"],
        &[
            "schedule", "add", "s", "--type", "t", "--every", "1h", "--ttl=0",
        ],
    ] {
        let err =
            one_line_usage_error(bare().args(["--url", url]).args(args), &format!("{args:?}"));
        assert!(err.contains("leave it out"), "{err}");
    }
    let r = redis();
    let lines = [
        r#"{"type":"t","priority":1,"ttl":"0s"}"#,
        r#"{"type":"t","priority":1,"exec_timeout":0}"#,
        r#"{"type":"t","priority":1,"keep_result":"0ms"}"#,
        r#"{"type":"t","priority":1,"ttl":"1s"}"#,
    ];
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(lines.join("\n"))
        .assert()
        .code(65);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for (n, field) in [(1, "ttl"), (2, "exec_timeout"), (3, "keep_result")] {
        assert!(
            err.contains(&format!("line {n}: {field}: '0"))
                && err.contains(&format!("leave \"{field}\" out")),
            "{err}"
        );
    }
    rpq(&r).arg("len").assert().success().stdout("1\n");
}

/// Errors in rpq's words (issue 21): what was wrong and what to do, never serde's, axum's or
/// Redis' own phrasing; priorities in any case; one rule for `-n 0`; a past `--at` said.
#[test]
fn errors_are_in_rpqs_words() {
    let r = redis();
    let stderr = |args: &[&str], code: i32| -> String {
        let out = rpq(&r).args(args).assert().code(code);
        String::from_utf8_lossy(&out.get_output().stderr).into_owned()
    };
    // A negative priority is a bad priority, not an unknown flag.
    let e = stderr(&["produce", "--type", "t", "--priority", "-1"], 2);
    assert!(e.contains("'-1'") && e.contains("--priority"), "{e}");
    assert!(!e.contains("unexpected argument"), "{e}");
    // Priorities in any case.
    let high = json_lines(rpq(&r).args(["--json", "produce", "--type", "t", "--priority", "HIGH"]));
    assert_eq!(high[0]["priority"], 1);
    rpq(&r)
        .args(["len", "--priority", "High"])
        .assert()
        .success()
        .stdout("1\n");
    // -n 0: one rule for peek, list and dead list, a usage error.
    for cmd in [&["peek"][..], &["list"], &["dead", "list"]] {
        let e = stderr(&[cmd, &["-n", "0"]].concat(), 2);
        assert!(e.contains("0 is not in 1..=100000"), "{cmd:?}: {e}");
    }
    // A time already past is queued due now, and said so.
    let e = stderr(
        &["produce", "--type", "t", "--at", "2001-02-03T04:05:06Z"],
        0,
    );
    assert!(
        e.contains("--at 2001-02-03T04:05:06.000Z is not in the future"),
        "{e}"
    );
    // Bad --stdin lines are named by field, in rpq's words.
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(
            "{\"type\":1,\"priority\":1}\n{\"type\":\"a\", priority:1}\n{\"type\":\"a\"}\n",
        )
        .assert()
        .code(65);
    let e = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        e.contains("line 1: \"type\" is the number 1; it must be a string"),
        "{e}"
    );
    assert!(e.contains("line 2: not valid JSON (at column"), "{e}");
    assert!(e.contains("line 3: no \"priority\" field"), "{e}");
    for serde in [
        "invalid type",
        "expected ident",
        "key must be",
        "missing field",
        "`",
    ] {
        assert!(!e.contains(serde), "{serde}: {e}");
    }
    // A database the server does not have, and a task over proto-max-bulk-len.
    let e = bare()
        .arg("--url")
        .arg(format!("{}/99", r.url()))
        .arg("len")
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&e.get_output().stderr).into_owned();
    assert!(
        e.contains("`databases` setting") && !e.contains("DB index"),
        "{e}"
    );
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("proto-max-bulk-len")
        .arg("1mb")
        .query(&mut conn(&r))
        .unwrap();
    let big = serde_json::json!({"type": "big", "priority": 1, "payload": "x".repeat(1_100_000)});
    let out = rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(big.to_string())
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        e.contains("raise proto-max-bulk-len") && !e.contains("Protocol error"),
        "{e}"
    );
    // serve: a host name is an address to listen on; one without a port says what is expected.
    let e = stderr(&["serve", "--listen", "localhost"], 2);
    assert!(
        e.contains("use HOST:PORT") && !e.contains("socket address syntax"),
        "{e}"
    );
    let s = crate::serve::Serve::start(&r, &["serve", "--listen", "localhost:0"]);
    // The API's rejections in rpq's words too.
    let bad = s
        .get("/api/queues/default/tasks?state=waiting&limit=x")
        .expect(400)
        .json();
    let said = bad["error"].as_str().unwrap();
    assert!(
        said.contains("limit: not a whole number") && !said.contains("Failed to"),
        "{said}"
    );
    let bad = s
        .post(
            "/api/queues/default/tasks",
            &serde_json::json!({"type": 1, "priority": 1}),
        )
        .expect(400)
        .json();
    let said = bad["error"].as_str().unwrap();
    assert!(
        said.contains("\"type\" is the number 1") && !said.contains("invalid type"),
        "{said}"
    );
}
