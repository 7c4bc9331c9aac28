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
        &["consume", "--count", "1"],
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
        // The slow ones (a 3 s connect timeout) once; the others by a long-running command too.
        let cmds: &[&[&str]] = if secs > 2 {
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
