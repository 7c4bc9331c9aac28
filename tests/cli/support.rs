//! Test support: a throwaway redis-server per test (free port, temp dir, killed on Drop), the
//! rpq binary run with a clean environment (to its end with `rpq`, or live with `Proc`), and
//! the fixtures several modules share. No mocks of Redis anywhere.

#![allow(dead_code)]

use assert_cmd::Command;
pub use rpq::queue::keys::{meta, Keys};
use rpq::server::RedisServer;
use serde_json::Value;
use std::io::Read;
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variables rpq reads, cleared for every run (as bat's tests do). The one
/// list: every way of starting rpq below goes through `clean_env`.
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
    "RPQ_SERVE_TOKEN",
    "RPQ_SERVE_READ_TOKEN",
    "RPQ_PASSWORD",
    "RPQ_PASSWORD_FILE",
    "RPQ_CONFIG",
    "RPQ_PROFILE",
    "RPQ_LOG_FORMAT",
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "NO_COLOR",
    "TRACEPARENT",
    "TRACESTATE",
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
    "OTEL_SERVICE_NAME",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
];

/// Where rpq looks for its config file in the tests: nowhere, so that the config of whoever
/// runs them stays out (a test that wants one names it).
pub const NO_CONFIG_HOME: &str = "/nonexistent/rpq-tests-config";

/// A variable that rpq reads and that is missing above would leak from the shell that runs the
/// tests into every rpq they start.
#[test]
fn the_list_holds_every_variable_rpq_reads() {
    let missing: Vec<&&str> = rpq::config::ENV_VARS
        .iter()
        .chain(rpq::config::NOTIFY_ENV)
        .chain(rpq::config::OTEL_ENV)
        .filter(|v| !RPQ_ENV.contains(v))
        .collect();
    assert!(missing.is_empty(), "add {missing:?} to RPQ_ENV");
    // And no flag reads one of its own behind config.rs's back.
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, found: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if let Some(var) = arg.get_env().and_then(|v| v.to_str()) {
                found.push(var.to_string());
            }
        }
        cmd.get_subcommands().for_each(|sub| walk(sub, found));
    }
    let mut found = Vec::new();
    walk(&rpq::cli::Cli::command(), &mut found);
    found.retain(|v| !RPQ_ENV.contains(&v.as_str()));
    assert!(
        found.is_empty(),
        "add {found:?} to RPQ_ENV and config::ENV_VARS"
    );
}

/// `.ci/run` runs the suite a second time on Redis 6.2, the oldest rpq supports, by putting
/// that server first on PATH; it names the version in `RPQ_TEST_REDIS_VERSION`, and this holds
/// the run to it, so a PATH that missed would not pass for a run on 6.2.
#[test]
fn the_servers_are_the_version_asked_for() {
    let out = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .expect("redis-server is installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let version = text
        .split("v=")
        .nth(1)
        .and_then(|v| v.split_whitespace().next())
        .unwrap_or_else(|| panic!("no version in {text}"));
    let (major, minor) = {
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    };
    assert!(
        (major, minor) >= (6, 2),
        "rpq supports Redis 6.2 and later, not {version}"
    );
    if let Ok(want) = std::env::var("RPQ_TEST_REDIS_VERSION") {
        assert!(
            version.starts_with(&format!("{want}.")),
            "RPQ_TEST_REDIS_VERSION={want}, but redis-server is {version}"
        );
    }
}

/// A port that another server took (a second test run on the machine can take one found free
/// before our server binds it): the start fails, as its own server cannot bind, and is not
/// answered by the other server, which its owner may stop at any moment.
#[test]
fn a_server_started_on_a_port_another_holds_is_not_taken_for_ours() {
    let other = redis();
    let port: u16 = other.url().rsplit(':').next().unwrap().parse().unwrap();
    match RedisServer::start_on(port, &[]) {
        Ok(s) => panic!("started on a port in use: {}", s.url()),
        Err(e) => assert!(format!("{e:#}").contains("exited at start"), "{e:#}"),
    }
}

/// The binary under test: this build's, or `RPQ_TEST_BIN` (to measure how an older build fares
/// in the same test: `RPQ_TEST_BIN=/tmp/rpq-old cargo test NAME`).
pub fn bin() -> String {
    std::env::var("RPQ_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_rpq").to_string())
}

/// Removes `RPQ_ENV` from what `cmd` passes on, for rpq or for a shell that runs it.
pub fn clean_env(cmd: &mut std::process::Command) -> &mut std::process::Command {
    for v in RPQ_ENV {
        cmd.env_remove(v);
    }
    cmd.env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
}

/// The rpq binary with the environment cleared, and nothing else set.
pub fn base() -> std::process::Command {
    let mut cmd = std::process::Command::new(bin());
    clean_env(&mut cmd);
    cmd
}

/// A fresh server; fails with an install hint when redis-server is missing.
/// A server of 4 MB `maxmemory` (noeviction) that `produce --stdin --batch 100` of `queue`
/// filled part way: 2,001 task lines of 2,000-byte payloads, ids `i0`.., each in the group
/// `group` gives it, if any. Small batches, as a push's own command counts against maxmemory
/// while it runs. Returns the server and the producer's stderr (its one line of refusal).
pub fn filled_server(queue: &str, group: Option<fn(usize) -> String>) -> (RedisServer, String) {
    let r = RedisServer::start(&["--maxmemory", "4mb"]).unwrap_or_else(|e| panic!("{e:#}"));
    let pad = "x".repeat(2000);
    let input: Vec<String> = (0..2001)
        .map(|i| {
            let mut t = serde_json::json!({"type": "t", "priority": 2, "payload": pad,
                                           "id": format!("i{i}")});
            if let Some(g) = group {
                t["group"] = g(i).into();
            }
            t.to_string()
        })
        .collect();
    let out = rpq(&r)
        .args(["--queue", queue, "produce", "--stdin", "--batch", "100"])
        .write_stdin(input.join("\n"))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("redis is out of memory"), "{stderr}");
    (r, stderr)
}

/// `CONFIG SET maxmemory` to `limit` (`0`: none; below what is used: every write refused).
pub fn set_maxmemory(c: &mut redis::Connection, limit: &str) {
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg(limit)
        .query::<()>(c)
        .unwrap();
}

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
    let mut cmd = Command::from_std(base());
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// `rpq` as a std process with the environment cleared, no stdin and piped output: what
/// `Proc::spawn` takes.
pub fn std_command() -> std::process::Command {
    let mut cmd = base();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The same against `server`.
pub fn process(server: &RedisServer) -> std::process::Command {
    let mut cmd = std_command();
    cmd.arg("--url").arg(server.url());
    cmd
}

/// An rpq process that runs while the test goes on: its stdout and stderr are collected while
/// it runs (so it never blocks on a full pipe, and a test can look at them before it ends), it
/// can be signalled at any moment, and it is waited for with a limit. Dropped unended (a test
/// that failed), it is killed, so no consumer is left reconnecting to a server that is gone.
pub struct Proc {
    child: Child,
    /// Set once a wait has returned its status: its pid may be someone else's from then on.
    reaped: bool,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

/// How a `Proc` ended, with all it wrote.
pub struct Ended {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl std::fmt::Debug for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ended")
            .field("status", &self.status)
            .field("stdout", &String::from_utf8_lossy(&self.stdout))
            .field("stderr", &self.stderr)
            .finish()
    }
}

impl Proc {
    /// `rpq --url URL ARGS` against `server`.
    pub fn start(server: &RedisServer, args: &[&str]) -> Proc {
        Proc::spawn(process(server).args(args))
    }

    /// Any prepared command (`process`, `std_command`, with more arguments or variables).
    pub fn spawn(cmd: &mut std::process::Command) -> Proc {
        Proc::adopt(cmd.spawn().expect("spawning rpq"))
    }

    /// A child already spawned; the streams still piped to it are collected from here on.
    pub fn adopt(mut child: Child) -> Proc {
        let stdout = collect(child.stdout.take());
        let stderr = collect(child.stderr.take());
        Proc {
            child,
            reaped: false,
            stdout,
            stderr,
        }
    }

    /// Its stdin, for a command spawned with `Stdio::piped()` there.
    pub fn stdin(&mut self) -> ChildStdin {
        self.child.stdin.take().expect("stdin is piped")
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, sig: i32) {
        if self.reaped {
            return;
        }
        // SAFETY: kill(2) on a child of ours that is not reaped yet: every wait sets `reaped`
        // and needs `&mut self`, so none runs meanwhile.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// Its exit status, if it has ended (it is reaped then; `end` still collects its output).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        let status = self.child.try_wait().expect("waiting for rpq");
        self.reaped |= status.is_some();
        status
    }

    /// What it has written to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    pub fn stderr_has(&self, what: &str) -> bool {
        self.stderr().contains(what)
    }

    /// The lines it has written to stdout so far, the last one only once it is complete.
    pub fn stdout_lines(&self) -> Vec<String> {
        let out = self.stdout.lock().unwrap();
        let whole = out.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        String::from_utf8_lossy(&out[..whole])
            .lines()
            .map(String::from)
            .collect()
    }

    /// Closes its stdin, waits for it to end (killing it after `limit`) and for its pipes to
    /// close.
    pub fn end(mut self, limit: Duration) -> Ended {
        drop(self.child.stdin.take());
        let until = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.exited() {
                break status;
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "rpq did not exit within {limit:?}; stderr: {}",
                    String::from_utf8_lossy(&self.stderr.lock().unwrap())
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        // A handler orphaned by a SIGKILL may hold the pipes a moment longer; its output is
        // rpq's too, so wait for the pipes to close.
        wait_until(Duration::from_secs(30), "the pipes to close", || {
            Arc::strong_count(&self.stdout) == 1 && Arc::strong_count(&self.stderr) == 1
        });
        let stdout = std::mem::take(&mut *self.stdout.lock().unwrap());
        let stderr = String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned();
        Ended {
            status,
            stdout,
            stderr,
        }
    }

    /// Ends it and insists it succeeded; returns its stdout.
    pub fn success(self, limit: Duration) -> Vec<u8> {
        let e = self.end(limit);
        assert!(e.status.success(), "rpq failed: {}", e.stderr);
        e.stdout
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads a pipe to its end from a thread; the buffer's second owner goes away at EOF. A stream
/// that is not piped gives an empty buffer with one owner.
fn collect(pipe: Option<impl Read + Send + 'static>) -> Arc<Mutex<Vec<u8>>> {
    let buf = Arc::new(Mutex::new(Vec::new()));
    if let Some(mut r) = pipe {
        let b = Arc::clone(&buf);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = r.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                b.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
    }
    buf
}

/// The CPU time a live process has used so far (user and system, from /proc/PID/stat).
pub fn cpu_time(pid: i32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("reading its stat");
    // After the command name in parentheses (which may hold spaces): utime and stime are the
    // 12th and 13th fields.
    let rest = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let f: Vec<u64> = rest
        .split(' ')
        .skip(11)
        .take(2)
        .map(|v| v.parse().unwrap())
        .collect();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis((f[0] + f[1]) * 1000 / hz)
}

/// Runs `cmd` (its stdout and stderr to /dev/null) to its end; returns its exit status, the
/// CPU time it used (user and system, its reaped children's included) and its wall time.
pub fn cpu_of_run(cmd: &mut std::process::Command) -> (i32, Duration, Duration) {
    let began = Instant::now();
    // Reaped below by wait4, which also gives its resource usage (`Child::wait` does not).
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning rpq");
    let mut status = 0;
    // SAFETY: wait4 on our own child, with a status and a rusage of this frame.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        assert_eq!(
            libc::wait4(child.id() as i32, &mut status, 0, &mut ru),
            child.id() as i32
        );
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, tv(ru.ru_utime) + tv(ru.ru_stime), began.elapsed())
}

/// How many consumers of `queue` have claimed at least once (and are not yet forgotten).
pub fn consumers_seen(c: &mut redis::Connection, queue: &str) -> u64 {
    redis::cmd("HLEN")
        .arg(Keys::new(queue, 0).consumers())
        .query(c)
        .unwrap()
}

/// The keys a queue keeps once every task is finished, sorted: its counters and its settings.
pub fn counter_keys(queue: &str) -> Vec<String> {
    let k = Keys::new(queue, 0);
    let mut keys = vec![
        k.consumers().to_string(),
        k.stats().to_string(),
        meta(queue),
        // What consumers report of themselves and ran (issue 28).
        rpq::queue::keys::workers(queue),
        rpq::queue::keys::usage(queue),
    ];
    keys.sort();
    keys
}

/// The keys of `queue` on `server`, sorted, but a minute's usage hash (it expires by itself,
/// and its name is the minute's).
pub fn lasting_keys(server: &RedisServer) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query(&mut conn(server))
        .unwrap();
    keys.retain(|k| !(k.contains("}:usage:") && k.starts_with("rpq:{")));
    keys.sort();
    keys
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

/// When consumer `name` of `queue` last claimed, acked or extended (the consumers hash); 0
/// before it ever did.
/// Whether consumer `who` holds a task of the queue's first shard (its name ends a claim).
pub fn holds_a_task(c: &mut redis::Connection, queue: &str, who: &str) -> bool {
    claims(c, queue)
        .values()
        .any(|token| token.ends_with(&format!("|{who}")))
}

/// The claims in flight of the queue's first shard, id -> token: the in-flight member after
/// the id, "lease|claimed ms|attempt|max attempts|pending score|consumer" (common.lua).
pub fn claims(c: &mut redis::Connection, queue: &str) -> std::collections::HashMap<String, String> {
    let members: Vec<String> = redis::cmd("ZRANGE")
        .arg(Keys::new(queue, 0).inflight())
        .arg(0)
        .arg(-1)
        .query(c)
        .unwrap();
    members
        .iter()
        .filter_map(|m| m.split_once('\t'))
        .map(|(id, token)| (id.to_string(), token.to_string()))
        .collect()
}

/// The lease deadline (ms) of `id`'s claim (queue's first shard); None when not in flight.
pub fn lease_deadline(c: &mut redis::Connection, queue: &str, id: &str) -> Option<i64> {
    let token = claims(c, queue).remove(id)?;
    redis::cmd("ZSCORE")
        .arg(Keys::new(queue, 0).inflight())
        .arg(format!("{id}\t{token}"))
        .query(c)
        .unwrap()
}

/// Whether the claim that holds `id` (queue's first shard) was marked delivered: `taken` holds
/// "=id" -> its token (common.lua: DELIVERED).
pub fn marked_delivered(c: &mut redis::Connection, queue: &str, id: &str) -> bool {
    let mark: Option<String> = redis::cmd("HGET")
        .arg(Keys::new(queue, 0).taken())
        .arg(format!("={id}"))
        .query(c)
        .unwrap();
    mark.is_some_and(|m| claims(c, queue).get(id) == Some(&m))
}

pub fn last_seen(c: &mut redis::Connection, queue: &str, name: &str) -> i64 {
    let v: Option<String> = redis::cmd("HGET")
        .arg(Keys::new(queue, 0).consumers())
        .arg(name)
        .query(c)
        .unwrap();
    v.and_then(|v| v.split('|').next().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
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

/// Runs `cmd`, insists it succeeds, and parses its stdout as NDJSON.
pub fn json_lines(cmd: &mut Command) -> Vec<Value> {
    ndjson(&cmd.assert().success().get_output().stdout)
}

/// A `produce --stdin` line: type "t" and `priority`, nothing else.
pub fn line(priority: u8) -> String {
    serde_json::json!({"type": "t", "priority": priority}).to_string()
}

/// `produce --stdin` lines of type "t", one per priority given, each with its index as payload.
pub fn lines(priorities: impl IntoIterator<Item = u8>) -> Vec<String> {
    priorities
        .into_iter()
        .enumerate()
        .map(|(i, p)| serde_json::json!({"type": "t", "priority": p, "payload": i}).to_string())
        .collect()
}

/// The same, each with its own id: `t0`, `t1`, ...
pub fn lines_with_ids(priorities: impl IntoIterator<Item = u8>) -> Vec<String> {
    priorities
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            serde_json::json!({"type": "t", "priority": p, "payload": i, "id": format!("t{i}")})
                .to_string()
        })
        .collect()
}

/// `n` priorities, high, medium, low and round again.
pub fn mixed(n: usize) -> impl Iterator<Item = u8> {
    (0..n).map(|i| 1 + (i % 3) as u8)
}

/// An RFC 3339 time, as rpq prints them.
pub fn rfc3339(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&chrono::Utc)
}

/// A time field of an NDJSON line.
pub fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
}

/// The server's clock, in ms.
pub fn server_ms(c: &mut redis::Connection) -> i64 {
    let (secs, micros): (i64, i64) = redis::cmd("TIME").query(c).unwrap();
    secs * 1000 + micros / 1000
}

/// A counter of `queue`'s stats hash (0 before it was first counted). `done` and `failed` are
/// their totals plus the seconds' fields (`d:SECOND`, `f:SECOND`) not yet folded into them, as
/// `rpq stats` reads them (layout 2: a count writes only its second's field).
pub fn stat(c: &mut redis::Connection, queue: &str, field: &str) -> u64 {
    let all: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(Keys::new(queue, 0).stats())
        .query(c)
        .unwrap();
    let n = |v: &String| v.parse::<u64>().unwrap_or(0);
    let seconds = match field {
        "done" => "d:",
        "failed" => "f:",
        _ => return all.get(field).map_or(0, n),
    };
    all.iter()
        .filter(|(k, _)| {
            *k == field
                || k.strip_prefix(seconds)
                    .is_some_and(|s| s.parse::<u64>().is_ok())
        })
        .map(|(_, v)| n(v))
        .sum()
}

/// How many times the server has run the commands named (lower case), from one look at INFO.
pub fn calls(c: &mut redis::Connection, commands: &[&str]) -> u64 {
    let info: String = redis::cmd("INFO").arg("commandstats").query(c).unwrap();
    commands
        .iter()
        .map(|cmd| {
            info.lines()
                .find_map(|l| l.strip_prefix(&format!("cmdstat_{cmd}:calls=")))
                .and_then(|s| s.split(',').next())
                .map_or(0, |s| s.parse::<u64>().unwrap())
        })
        .sum()
}

/// Adds one to `counts[id]` for each line that reports its task done.
pub fn count_done(counts: &mut std::collections::HashMap<String, usize>, lines: &[Value]) {
    for line in lines.iter().filter(|l| l["outcome"] == "done") {
        *counts
            .entry(line["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
}

/// How many tasks of `queue` are in flight.
pub fn in_flight(c: &mut redis::Connection, queue: &str) -> u64 {
    zcard(c, Keys::new(queue, 0).inflight())
}

/// Waits (10 s at most) until `n` tasks of `queue` are in flight.
pub fn wait_in_flight(c: &mut redis::Connection, queue: &str, n: u64) {
    wait_until(
        Duration::from_secs(10),
        &format!("{n} task(s) in flight"),
        || in_flight(c, queue) == n,
    );
}

/// Creates `queue` without a task in it, as a command that configures it does (`aging off`):
/// a consumer on a queue that does not exist writes nothing, so `wait_consumers` needs one.
pub fn create_queue(server: &RedisServer, queue: &str) {
    rpq(server)
        .args(["--queue", queue, "aging", "off"])
        .assert()
        .success();
}

/// Waits (10 s at most) until `n` consumers of `queue` have claimed once: they are under way.
/// The queue must exist (`create_queue`, a push): a consumer registers on one only.
pub fn wait_consumers(c: &mut redis::Connection, queue: &str, n: u64) {
    wait_until(
        Duration::from_secs(10),
        &format!("{n} consumer(s) to start"),
        || consumers_seen(c, queue) == n,
    );
}

/// Queues one task of type `kind` with id `id` on the default queue.
pub fn push_one(server: &RedisServer, kind: &str, id: &str) {
    rpq(server)
        .args(["produce", "--type", kind, "--id", id])
        .assert()
        .success();
}

/// `rpq stats --json` of `queue`, its line. (stats.rs holds the command itself to one line and
/// a quiet stderr.)
pub fn stats_json(server: &RedisServer, queue: &str) -> Value {
    let out = rpq(server)
        .args(["--queue", queue, "--json", "stats"])
        .assert()
        .success();
    ndjson(&out.get_output().stdout).remove(0)
}

/// `n` task lines for `produce --stdin`, ids `PREFIX0`.., priorities 1, 2, 3 in turn, payload
/// `{"n": i}`.
pub fn task_lines(n: usize, prefix: &str) -> String {
    (0..n)
        .map(|i| {
            serde_json::json!({"type": "t", "priority": 1 + i % 3, "payload": {"n": i}, "id": format!("{prefix}{i}")})
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A consumer of `queue` that fails the next `n` tasks in line with `exec`, each on its only
/// attempt: they go dead, with what `exec` wrote on stderr as their error.
pub fn fail_to_dead(server: &RedisServer, queue: &str, n: usize, exec: &str) {
    rpq(server)
        .args([
            "--queue",
            queue,
            "consume",
            "--count",
            &n.to_string(),
            "--max-attempts",
            "1",
        ])
        .args(["--exec", exec])
        .assert()
        .success();
}

/// `n` tasks of `queue` that fail their only attempt: dead (ids `dead-0`..), with an error.
/// Call it before anything else waits in the queue: the consumer takes the first `n` in line.
pub fn make_dead(server: &RedisServer, queue: &str, n: usize) {
    let lines = (0..n)
        .map(|i| {
            serde_json::json!({"type": "doomed", "priority": 2, "payload": i, "id": format!("dead-{i}")})
                .to_string()
        })
        .collect::<Vec<_>>();
    push_lines(server, queue, &lines);
    fail_to_dead(server, queue, n, "echo boom >&2; exit 3");
}

/// Holds claim times (ms by the server's clock, sorted) to a rate limit of `rate` a second with
/// a bucket of `burst` (one shard's, or the sum over the shards of a sharded queue: each bucket
/// lets no more go): no claim before its token, counted from the first claim; and from `from_ms`
/// after the first claim to the last (`min_span_ms` at least), as many as the bucket lets go
/// then (with the burst when `from_ms` is 0), but `slack`. Not counts of fixed windows: a
/// bucket keeps the tokens of a stall of its consumers (under its size), so a stall near a
/// window's edge moves claims across it; a failure names the longest gap between two claims.
pub fn assert_rate_held(
    claimed: &[i64],
    (rate, burst): (i64, i64),
    from_ms: i64,
    min_span_ms: i64,
    slack: i64,
) {
    let first = claimed[0];
    let gap = claimed
        .windows(2)
        .map(|w| (w[1] - w[0], w[0] - first))
        .max()
        .unwrap_or_default();
    for (k, &t) in claimed.iter().enumerate() {
        // 1 ms for the clock's rounding.
        let token = first + (k as i64 + 1 - burst).max(0) * 1000 / rate;
        assert!(
            t >= token - 1,
            "claim {k} at {} ms, before its token at {} ms",
            t - first,
            token - first
        );
    }
    let span = claimed[claimed.len() - 1] - first;
    let counted = claimed.iter().filter(|&&t| t >= first + from_ms).count() as i64;
    let allowed = if from_ms == 0 { burst } else { 0 } + (span - from_ms) * rate / 1000;
    assert!(
        span >= min_span_ms && counted >= allowed - slack,
        "{counted} claims from {from_ms} ms to {span} ms after the first, where the limit lets \
         {allowed} go (longest gap {} ms, from {} ms)",
        gap.0,
        gap.1
    );
}

/// Whether a process is gone (or a zombie left for init to reap).
pub fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
    }
}

/// A socket like systemd's notify socket, owned by the test (`NOTIFY_SOCKET=path`).
pub struct NotifySocket {
    _dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
    pub sock: std::os::unix::net::UnixDatagram,
}

impl NotifySocket {
    pub fn new() -> NotifySocket {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let sock = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        NotifySocket {
            _dir: dir,
            path,
            sock,
        }
    }

    /// The next message, within 10 s.
    pub fn recv(&self) -> String {
        self.sock
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 256];
        let n = self.sock.recv(&mut buf).expect("a datagram within 10s");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    /// The messages that come within `window`.
    pub fn datagrams_for(&self, window: Duration) -> Vec<String> {
        let end = Instant::now() + window;
        let mut got = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            self.sock
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut buf = [0u8; 256];
            match self.sock.recv(&mut buf) {
                Ok(n) => got.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
                Err(_) => break,
            }
        }
        got
    }
}

/// A task of `queue` pushed with `--id ID --keep-result 1h` (and `more`), then run by one
/// consumer with `--exec EXEC`: done, or failed, with its result or error kept.
pub fn finish_kept(server: &RedisServer, queue: &str, id: &str, more: &[&str], exec: &str) {
    rpq(server)
        .args(["--queue", queue, "produce", "--type", "t", "--id", id])
        .args(["--keep-result", "1h"])
        .args(more)
        .assert()
        .success();
    rpq(server)
        .args(["--queue", queue, "consume", "--count", "1", "--exec", exec])
        .assert()
        .success();
}

/// `n` consumers `c0..` of the default queue, each printing NDJSON, with `args` besides.
pub fn consumers(r: &RedisServer, n: usize, args: &[&str]) -> Vec<Proc> {
    (0..n)
        .map(|i| {
            let name = format!("c{i}");
            let mut all = vec!["--json", "consume", "--name", &name];
            all.extend_from_slice(args);
            Proc::start(r, &all)
        })
        .collect()
}

/// Ends each consumer with SIGTERM and returns every line they printed.
pub fn stop(procs: Vec<Proc>) -> Vec<Value> {
    for p in &procs {
        p.signal(libc::SIGTERM);
    }
    procs
        .into_iter()
        .flat_map(|p| ndjson(&p.success(Duration::from_secs(20))))
        .collect()
}

/// A task's stored record cut in its parts (docs/layout-v2.md, "The record's head"): its
/// place in line (16 digits), the head of a task taken back (attempts, error) and the body; the
/// error goes by its length, never by a search for `{`. A value that begins with `{` is a body
/// of its own.
pub fn record_parts(v: &str) -> (Option<&str>, Option<(u32, &str)>, &str) {
    if v.starts_with('{') || v.len() < 16 || !v.is_char_boundary(16) {
        return (None, None, v);
    }
    let (place, rest) = v.split_at(16);
    if rest.starts_with('{') {
        return (Some(place), None, rest);
    }
    let mut parts = rest.splitn(3, '|');
    let (n, len, tail) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let n: u32 = n.and_then(|n| n.parse().ok()).unwrap_or(0);
    let len: usize = len.and_then(|l| l.parse().ok()).unwrap_or(0);
    match (tail.get(..len), tail.get(len..)) {
        (Some(err), Some(body)) => (Some(place), Some((n, err)), body),
        _ => (None, None, v),
    }
}

/// The body in a task's stored record: after its place in line and, for a task taken back,
/// its head (`record_parts`).
pub fn stored_body(v: &str) -> &str {
    record_parts(v).2
}

/// The script calls in the SLOWLOG (the last `max`) that claim: `EVALSHA sha numkeys key...`
/// whose first key is a shard's pending set (a push's is too, but its first ARGV is not a
/// lease: callers that need to tell them apart look further), each as its words.
pub fn claims_in_slowlog(c: &mut redis::Connection, max: usize) -> Vec<Vec<String>> {
    let log: Vec<redis::Value> = redis::cmd("SLOWLOG").arg("GET").arg(max).query(c).unwrap();
    let mut out = Vec::new();
    for entry in log {
        let redis::Value::Array(fields) = entry else {
            continue;
        };
        let Some(redis::Value::Array(args)) = fields.get(3) else {
            continue;
        };
        let words: Vec<String> = args
            .iter()
            .map(|a| redis::from_redis_value::<String>(a.clone()).unwrap_or_default())
            .collect();
        if words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("evalsha"))
            && words.get(3).is_some_and(|k| k.ends_with(":pending"))
        {
            out.push(words);
        }
    }
    out
}
