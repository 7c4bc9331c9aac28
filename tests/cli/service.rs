//! Running rpq as a service: the config file and its profiles (`rpq config`), `-q` and `-v`,
//! JSON log lines on stderr, systemd's notify protocol and the unit file in contrib/.

use crate::support::*;
use predicates::prelude::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

/// A config file in a directory of its own, with `mode`.
fn config_file(text: &str, mode: u32) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    (dir, path)
}

/// Every stderr line is one JSON object with the documented fields; returns them.
fn events(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"));
            for field in ["ts", "level", "event", "queue", "message"] {
                assert!(v.get(field).is_some(), "no {field}: {l}");
            }
            assert!(
                ["error", "warn", "info", "debug"].contains(&v["level"].as_str().unwrap()),
                "{l}"
            );
            rfc3339(v["ts"].as_str().unwrap());
            documented(std::slice::from_ref(&v));
            v
        })
        .collect()
}

/// The README's table of stderr events names each event seen, with each of its fields.
fn documented(events: &[Value]) {
    let readme = include_str!("../../docs/running.md");
    let table = readme
        .split("## Logs")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    for e in events {
        let name = e["event"].as_str().unwrap();
        let row = table
            .lines()
            .find(|l| {
                l.starts_with("| `") && l.split('|').nth(1).unwrap().contains(&format!("`{name}`"))
            })
            .unwrap_or_else(|| panic!("the README's Logs table lacks `{name}`"));
        for field in e.as_object().unwrap().keys() {
            let base = ["ts", "level", "event", "queue", "message"];
            assert!(
                base.contains(&field.as_str()) || row.contains(&format!("`{field}`")),
                "`{name}` has `{field}`, not in the README's row: {row}"
            );
        }
    }
}

fn named<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

/// A profile gives the connection; the environment and flags override it, and `rpq config`
/// says where each setting came from, the password as `***`.
#[test]
fn profiles_give_settings_and_rpq_config_says_where_from() {
    let r = redis();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("profile-pw-77")
        .query(&mut conn(&r))
        .unwrap();
    let (_dir, path) = config_file(
        &format!(
            "[profile.default]\nqueue = \"from-default\"\n\n\
             [profile.dev]\nurl = \"{}\"\nqueue = \"mail\"\nshards = 2\npassword_file = \"pw\"\n",
            r.url()
        ),
        0o600,
    );
    std::fs::write(path.with_file_name("pw"), "profile-pw-77\n").unwrap();
    std::fs::set_permissions(
        path.with_file_name("pw"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let with = |args: &[&str]| {
        let mut c = bare();
        c.env("RPQ_CONFIG", &path).args(args);
        c
    };
    let out = with(&["--profile", "dev", "--json", "config"])
        .assert()
        .success();
    let o = out.get_output();
    assert_eq!(o.stderr, b"");
    let c = &ndjson(&o.stdout)[0];
    assert_eq!(c["file"], path.display().to_string());
    assert_eq!(c["profile"], "dev");
    let s = &c["settings"];
    assert_eq!(s["url"]["value"], r.url());
    assert_eq!(
        (s["url"]["source"].as_str(), s["url"]["from"].as_str()),
        (Some("profile"), Some("dev"))
    );
    assert_eq!(s["queue"]["value"], "mail");
    assert_eq!(s["shards"]["value"], 2);
    assert_eq!(s["password"]["value"], "***");
    assert_eq!(s["cluster"]["source"], "default");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("profile-pw-77"));

    // The environment beats the profile, the flag beats both; human form too.
    let out = with(&["--profile", "dev", "--queue", "flagged", "config"])
        .env("RPQ_SHARDS", "3")
        .env("RPQ_QUEUE", "env-q")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let row = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(row("queue"), ["queue", "flagged", "flag", "--queue"]);
    assert_eq!(row("shards"), ["shards", "3", "env", "RPQ_SHARDS"]);
    assert_eq!(row("url")[2..], ["profile", "dev"]);
    assert_eq!(row("password"), ["password", "***", "profile", "dev"]);
    assert_eq!(row("cluster"), ["cluster", "false", "default"]);
    assert!(text.starts_with(&format!(
        "config file  {}\nprofile      dev\n",
        path.display()
    )));

    // Without --profile, [profile.default]; and the profile is really used by a command.
    let out = with(&["--json", "config"]).assert().success();
    assert_eq!(
        ndjson(&out.get_output().stdout)[0]["settings"]["queue"]["value"],
        "from-default"
    );
    with(&["--profile", "dev", "produce", "--type", "t"])
        .assert()
        .success();
    with(&["--profile", "dev", "len"])
        .assert()
        .success()
        .stdout("1\n");
    with(&["--profile", "dev", "--shards", "3", "len"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stored with --shards 2"));

    // A profile that is not there, a file that is not there.
    with(&["--profile", "prod", "config"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no profile 'prod'")
                .and(predicate::str::contains("it has default, dev")),
        );
    bare()
        .args(["--config", "/nonexistent/rpq.toml", "config"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the config file /nonexistent/rpq.toml",
        ));
}

#[test]
fn a_malformed_config_file_is_a_usage_error_naming_the_line() {
    let (_dir, path) = config_file("[profile.default]\nqueue = \"q\"\nretries = 3\n", 0o600);
    let out = bare()
        .env("RPQ_CONFIG", &path)
        .arg("len")
        .assert()
        .code(2)
        .stdout("");
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "rpq: config file {} line 3: unknown field `retries`",
            path.display()
        )),
        "{err}"
    );
}

/// As ssh does for a key: a file others can read that holds a password is said, once.
#[test]
fn a_config_file_others_can_read_with_a_password_is_warned_about() {
    let text = "[profile.default]\nurl = \"redis://u:cfg-pw-991@127.0.0.1:1\"\n";
    let (_dir, open) = config_file(text, 0o644);
    let out = bare()
        .env("RPQ_CONFIG", &open)
        .arg("config")
        .assert()
        .success();
    let o = out.get_output();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err,
        format!(
            "rpq: warning: the config file {} holds a password and can be read by other users; \
             chmod o-r {0}\n",
            open.display()
        )
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("cfg-pw-991"));
    let (_dir2, closed) = config_file(text, 0o640);
    bare()
        .env("RPQ_CONFIG", &closed)
        .arg("config")
        .assert()
        .success()
        .stderr("");
    let (_dir3, no_password) = config_file("[profile.default]\nqueue = \"q\"\n", 0o644);
    bare()
        .env("RPQ_CONFIG", &no_password)
        .arg("config")
        .assert()
        .success()
        .stderr("");
}

/// `-q`: errors only. `-v`: each reconnect attempt too. Default: what there always was.
#[test]
fn quiet_and_verbose() {
    let r = redis();
    push_one(&r, "t", "dup");
    let again = |extra: &[&str]| {
        let mut c = rpq(&r);
        c.args(extra)
            .args(["produce", "--type", "t", "--id", "dup"]);
        c
    };
    again(&[])
        .assert()
        .success()
        .stderr(predicate::str::contains("already queued"));
    again(&["-q"]).assert().success().stderr("");
    again(&["--quiet"]).assert().success().stderr("");
    // An error says itself under -q too; a bad line is an error.
    rpq(&r)
        .args(["-q", "produce", "--stdin"])
        .write_stdin("{\"type\":\"t\",\"priority\":1}\nnot json\n")
        .assert()
        .code(65)
        .stderr(predicate::str::starts_with("line 2: "));
    bare()
        .args([
            "-q",
            "--url",
            &format!("redis://127.0.0.1:{}", rpq::server::free_port().unwrap()),
            "len",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("connection refused"));
    rpq(&r).args(["-q", "-v", "len"]).assert().code(2);
}

/// Every stderr line under `--log-format json` is one JSON object with `ts`, `level`, `event`,
/// `queue` and `message`: reconnects (each attempt with -v), a lease lost to recovery, a bad
/// stdin line, an error, a usage error, a handler's own output.
#[test]
fn json_logs_make_every_stderr_line_an_event() {
    let mut r = redis();
    // A bad stdin line, and the error that ends the run.
    let out = rpq(&r)
        .args(["--log-format", "json", "produce", "--stdin"])
        .write_stdin("{\"type\":\"t\",\"priority\":1}\n{\"type\":\"t\",\"priority\":9}\n")
        .assert()
        .code(65);
    let ev = events(&String::from_utf8_lossy(&out.get_output().stderr));
    let bad = named(&ev, "bad_line");
    assert_eq!(bad.len(), 1, "{ev:?}");
    assert_eq!(
        (bad[0]["line"].as_u64(), bad[0]["level"].as_str()),
        (Some(2), Some("error"))
    );
    assert!(bad[0]["error"].as_str().unwrap().contains("priority"));
    assert_eq!(bad[0]["queue"], "default");
    // A usage error, before any config: from the variable as well as the flag.
    let out = bare()
        .env("RPQ_LOG_FORMAT", "json")
        .args(["len", "--bogus"])
        .assert()
        .code(2);
    let ev = events(&String::from_utf8_lossy(&out.get_output().stderr));
    assert_eq!(
        (ev.len(), ev[0]["event"].as_str(), ev[0]["exit"].as_u64()),
        (1, Some("usage"), Some(2))
    );
    assert!(ev[0]["message"].as_str().unwrap().contains("--bogus"));

    // A consumer through a restart of Redis (each attempt with -v), with a handler that talks.
    rpq(&r).arg("clear").arg("--yes").assert().success();
    let c = Proc::start(
        &r,
        &[
            "-v",
            "--log-format",
            "json",
            "--json",
            "consume",
            "--exec",
            "echo out; echo err >&2",
        ],
    );
    let mut conn = conn(&r);
    wait_consumers(&mut conn, "default", 1);
    push_one(&r, "t", "talks");
    wait_until(Duration::from_secs(10), "the handler's lines", || {
        c.stderr_has("handler_stderr") && c.stderr_has("handler_stdout")
    });
    // The outcome is printed once the ack has landed; killing Redis before that would lose the
    // ack with the server's memory and rightly report the task `lost`.
    wait_until(Duration::from_secs(10), "the task's outcome", || {
        !c.stdout_lines().is_empty()
    });
    r.kill();
    wait_until(Duration::from_secs(10), "a reconnect attempt", || {
        c.stderr_has("reconnect_attempt")
    });
    r.restart().unwrap();
    wait_until(Duration::from_secs(20), "the reconnect", || {
        c.stderr_has("\"reconnected\"")
    });
    c.signal(libc::SIGTERM);
    let end = c.end(Duration::from_secs(20));
    assert!(end.status.success(), "{}", end.stderr);
    let ev = events(&end.stderr);
    let lost = named(&ev, "reconnect");
    assert_eq!(lost.len(), 1, "{ev:?}");
    assert_eq!(lost[0]["level"], "warn");
    assert!(lost[0]["error"].is_string() && lost[0]["url"] == r.url());
    assert!(!named(&ev, "reconnect_attempt").is_empty());
    assert_eq!(named(&ev, "reconnected").len(), 1);
    assert_eq!(named(&ev, "handler_stdout")[0]["message"], "out");
    assert_eq!(named(&ev, "handler_stderr")[0]["message"], "err");
    assert_eq!(named(&ev, "handler_stderr")[0]["task"], "talks");
    assert_eq!(named(&ev, "stopping").len(), 1);
    // stdout is still the consumer's NDJSON alone.
    assert_eq!(ndjson(&end.stdout)[0]["outcome"], "done");
}

/// A consumer frozen past its lease (SIGSTOP) loses the task to another, which recovers it:
/// with -v it says so, as the event `lease_lost`.
#[test]
fn a_lease_lost_to_recovery_is_an_event() {
    let r = redis();
    let mut conn = conn(&r);
    push_one(&r, "t", "slow");
    let a = Proc::start(
        &r,
        &[
            "-v",
            "--log-format",
            "json",
            "--json",
            "consume",
            "--lease",
            "1s",
            "--exec",
            "sleep 2",
        ],
    );
    wait_in_flight(&mut conn, "default", 1);
    a.signal(libc::SIGSTOP);
    let b = Proc::start(
        &r,
        &[
            "--json", "consume", "--count", "1", "--lease", "10s", "--name", "b",
        ],
    );
    let by_b = b.success(Duration::from_secs(20));
    assert_eq!(ndjson(&by_b)[0]["outcome"], "done");
    a.signal(libc::SIGCONT);
    wait_until(Duration::from_secs(20), "A's outcome", || {
        !a.stdout_lines().is_empty()
    });
    a.signal(libc::SIGTERM);
    let end = a.end(Duration::from_secs(20));
    assert!(end.status.success(), "{}", end.stderr);
    assert_eq!(ndjson(&end.stdout)[0]["outcome"], "lost");
    let ev = events(&end.stderr);
    let lost = named(&ev, "lease_lost");
    assert_eq!(lost.len(), 1, "{ev:?}");
    assert_eq!(
        (lost[0]["task"].as_str(), lost[0]["level"].as_str()),
        (Some("slow"), Some("debug"))
    );
}

/// systemd's notify protocol against a socket the test owns: READY=1 once connected, then
/// WATCHDOG=1 from the main loop at half the interval; no READY while Redis cannot be reached;
/// the handler does not inherit the socket.
#[test]
fn consume_tells_systemd_it_is_ready_and_alive() {
    use std::os::unix::net::UnixDatagram;
    let r = redis();
    let notify = NotifySocket::new();
    let (path, sock) = (&notify.path, &notify.sock);
    let recv = || notify.recv();
    push_one(&r, "t", "env");
    let c = Proc::spawn(
        process(&r)
            .env("NOTIFY_SOCKET", path)
            .env("WATCHDOG_USEC", "200000")
            .args(["consume", "--exec", "env | grep -c NOTIFY_SOCKET; true"]),
    );
    assert_eq!(recv(), "READY=1");
    // Never more than one a half interval (100 ms), however often the main loop turns (an
    // idle one turns each time a blocking wait of up to a second ends, so it pings at least
    // that often): counted over 2.5 s, not timed ping to ping, which a ping read late under
    // load would shorten.
    let pings = notify.datagrams_for(Duration::from_millis(2500));
    assert!(pings.iter().all(|p| p == "WATCHDOG=1"), "{pings:?}");
    assert!((2..=26).contains(&pings.len()), "{pings:?}");
    c.signal(libc::SIGTERM);
    let end = c.end(Duration::from_secs(20));
    assert!(end.status.success(), "{}", end.stderr);
    let stdout = String::from_utf8_lossy(&end.stdout);
    assert!(
        stdout.lines().any(|l| l == "0"),
        "the handler saw NOTIFY_SOCKET: {stdout}"
    );

    // An abstract socket name (`@...`), and no READY from a consumer that never connected.
    let name = format!("rpq-test-{}", std::process::id());
    let abs = {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        UnixDatagram::bind_addr(&addr).unwrap()
    };
    abs.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let c = Proc::spawn(
        process(&r)
            .env("NOTIFY_SOCKET", format!("@{name}"))
            .arg("consume"),
    );
    let mut buf = [0u8; 64];
    let n = abs.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"READY=1");
    c.signal(libc::SIGTERM);
    assert!(c.end(Duration::from_secs(20)).status.success());
    // A consumer whose Redis does not answer waits for it (not ready meanwhile), and a
    // signal ends the wait as a graceful stop.
    let port = rpq::server::free_port().unwrap();
    let c = Proc::spawn(std_command().env("NOTIFY_SOCKET", path).args([
        "--url",
        &format!("redis://127.0.0.1:{port}"),
        "consume",
    ]));
    wait_until(Duration::from_secs(30), "the consumer to wait", || {
        c.stderr_has("does not answer")
    });
    c.signal(libc::SIGTERM);
    assert_eq!(c.end(Duration::from_secs(20)).status.code(), Some(0));
    sock.set_nonblocking(true).unwrap();
    let mut rest = Vec::new();
    while let Ok(n) = sock.recv(&mut buf) {
        rest.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(!rest.contains(&"READY=1".to_string()), "{rest:?}");
}

/// contrib/rpq-consume@.service passes `systemd-analyze verify` without a warning (with rpq's
/// path where the unit expects it installed, and no look for its man page).
#[test]
fn the_unit_file_verifies() {
    let unit = include_str!("../../contrib/rpq-consume@.service");
    for want in [
        "Type=notify",
        "KillSignal=SIGTERM",
        "KillMode=mixed",
        "Restart=always",
        "WatchdogSec=",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "RPQ_QUEUE=%i",
        "RPQ_PROFILE=",
    ] {
        assert!(unit.contains(want), "the unit lacks {want}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rpq-consume@.service"),
        unit.replace("/usr/local/bin/rpq", &bin()),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(dir.path().join("rpq-consume@mail.service"))
        .output()
        .expect("systemd-analyze is installed (.ci/install-deps installs systemd)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.trim().is_empty(), "{err}");
}

/// What the server can lose is said as named events: an evicting policy once per command.
#[test]
fn an_evicting_server_is_a_named_event() {
    let r = rpq::server::RedisServer::start(&["--maxmemory-policy", "allkeys-lru"])
        .unwrap_or_else(|e| panic!("{e:#}"));
    let out = rpq(&r)
        .args(["--log-format", "json", "len"])
        .assert()
        .success()
        .stdout("0\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let all = events(&stderr);
    let warned = named(&all, "eviction_policy");
    assert_eq!(warned.len(), 1, "{stderr}");
    assert_eq!(warned[0]["policy"], "allkeys-lru");
    assert_eq!(warned[0]["level"], "warn");
}
