//! Test support: a throwaway redis-server per test (free port, temp dir, killed on Drop) and the
//! rpq binary run with a clean environment. No mocks of Redis anywhere.

#![allow(dead_code)]

use assert_cmd::Command;
use rpq::server::RedisServer;
use serde_json::Value;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The environment variables rpq reads, cleared for every run (as bat's tests do).
pub const RPQ_ENV: &[&str] = &[
    "RPQ_URL",
    "REDIS_URL",
    "RPQ_QUEUE",
    "RPQ_CLUSTER",
    "RPQ_SHARDS",
    "RPQ_TLS_CA",
    "RPQ_TLS_CERT",
    "RPQ_TLS_KEY",
    "RPQ_TLS_INSECURE",
    "NO_COLOR",
];

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rpq")
}

/// A fresh server; fails with an install hint when redis-server is missing.
pub fn redis() -> RedisServer {
    RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"))
}

/// `rpq` against `server`, with the environment cleared.
pub fn rpq(server: &RedisServer) -> Command {
    let mut cmd = bare();
    cmd.arg("--url").arg(server.url());
    cmd
}

/// `rpq` with the environment cleared and no URL.
pub fn bare() -> Command {
    let mut cmd = Command::new(bin());
    for v in RPQ_ENV {
        cmd.env_remove(v);
    }
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// The same as a std process, for tests that signal or kill it.
pub fn spawn(server: &RedisServer, args: &[&str]) -> Child {
    let mut cmd = std_command();
    cmd.arg("--url").arg(server.url());
    cmd.args(args).spawn().expect("spawning rpq")
}

/// `rpq` as a std process with the environment cleared, no stdin and piped output.
pub fn std_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(bin());
    for v in RPQ_ENV {
        cmd.env_remove(v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// How many consumers of `queue` have claimed at least once (and are not yet forgotten).
pub fn consumers_seen(c: &mut redis::Connection, queue: &str) -> u64 {
    redis::cmd("HLEN")
        .arg(format!("rpq:{{{queue}}}:consumers"))
        .query(c)
        .unwrap()
}

/// A plain connection for looking at what rpq left in Redis.
pub fn conn(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

/// Parses NDJSON, failing on any line that is not a JSON object.
pub fn ndjson(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert!(v.is_object(), "not an object: {l}");
            v
        })
        .collect()
}

/// Pushes `lines` (JSON task lines) through `produce --stdin`.
pub fn push_lines(server: &RedisServer, queue: &str, lines: &[String]) {
    rpq(server)
        .args(["--queue", queue, "produce", "--stdin"])
        .write_stdin(lines.join("\n"))
        .assert()
        .success();
}

/// Waits until `cond` holds, polling Redis state; panics after `limit` with `what`.
pub fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Number of members of a sorted set.
pub fn zcard(c: &mut redis::Connection, key: &str) -> u64 {
    redis::cmd("ZCARD").arg(key).query(c).unwrap()
}

pub fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on a child we own.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

/// Waits for a child with a limit, so a hung rpq fails the test instead of hanging it. Its
/// output is read while it runs: a full pipe would otherwise block it.
pub fn finish(child: Child, limit: Duration) -> std::process::Output {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("waiting for rpq"),
        Err(_) => {
            // SAFETY: kill(2) on a child we spawned and have not reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            let out = rx.recv().unwrap().unwrap();
            panic!(
                "rpq did not exit within {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Reads the child's stderr until a line contains `what`; the rest is left to `finish`.
pub fn wait_for_stderr(child: &mut Child, what: &str) {
    use std::io::{BufRead, BufReader};
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).expect("reading stderr");
        assert!(n > 0, "stderr closed before a line with '{what}'");
        if line.contains(what) {
            break;
        }
    }
    // Keep draining in the background so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
}
