//! Bad input and dead servers: one clear line, the right exit code, no panic, no password.

use crate::support::*;
use predicates::prelude::*;

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
            .args(["--url", &format!("redis://alice:hunter2@127.0.0.1:{port}")])
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
