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
