//! Production connections: an ACL user limited to rpq's keys (with the exact line the README
//! tells operators to grant), TLS with a private CA and client certificates, a unix socket.

use crate::servers::*;
use crate::support::*;
use predicates::prelude::*;
use rpq::server::RedisServer;
use std::time::Duration;

/// The `ACL SETUSER rpq ...` line of the README, word for word.
fn readme_acl_line() -> Vec<String> {
    let readme = include_str!("../../docs/running.md");
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with("ACL SETUSER rpq "))
        .expect("the README shows an ACL SETUSER rpq line");
    line.split_whitespace().map(String::from).collect()
}

fn acl(server: &RedisServer, words: &[&str]) {
    let mut c = conn(server);
    let mut cmd = redis::cmd(words[0]);
    cmd.arg(&words[1..]);
    let _: () = cmd.query(&mut c).unwrap();
}

/// The URL in the environment, as production would have it: a password on the command line
/// gets a warning (tested in `a_password_on_the_command_line_is_warned_about`).
fn as_user(server: &RedisServer, user: &str, password: &str) -> assert_cmd::Command {
    let mut cmd = bare();
    cmd.env(
        "RPQ_URL",
        format!("redis://{user}:{password}@127.0.0.1:{}", server.port),
    );
    cmd
}

/// One line, no panic, no password.
fn one_clean_line(stderr: &[u8], password: &str) -> String {
    let text = String::from_utf8_lossy(stderr).into_owned();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains(password), "the password leaked: {text}");
    text
}

#[test]
fn the_readme_acl_user_can_do_everything() {
    let r = redis();
    let words = readme_acl_line();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    acl(&r, &words);
    let password = words
        .iter()
        .find_map(|w| w.strip_prefix('>'))
        .expect("the line sets a password");
    let user = |args: &[&str]| {
        let mut c = as_user(&r, "rpq", password);
        c.args(args);
        c
    };
    for shards in ["1", "3"] {
        let q = format!("acl{shards}");
        let base = ["--queue", q.as_str(), "--shards", shards];
        // An idle consumer blocks on the wake list(s) and wakes on the push.
        let mut waiting = Proc::spawn(
            std_command()
                .env(
                    "RPQ_URL",
                    format!("redis://rpq:{password}@127.0.0.1:{}", r.port),
                )
                .args(base)
                .args(["--json", "consume", "--count", "1"]),
        );
        let mut c = conn(&r);
        wait_until(Duration::from_secs(10), "the consumer to wait", || {
            if let Some(status) = waiting.exited() {
                panic!("the consumer exited ({status}): {}", waiting.stderr());
            }
            consumers_seen(&mut c, &q) > 0
        });
        user(&base)
            .args([
                "produce",
                "--type",
                "email",
                "--priority",
                "high",
                "--payload",
                "{}",
            ])
            .assert()
            .success();
        let done = ndjson(&waiting.success(Duration::from_secs(30)));
        assert_eq!(done[0]["outcome"], "done");

        user(&base)
            .args(["produce", "--stdin"])
            .write_stdin(lines_with_ids(mixed(30)).join("\n"))
            .assert()
            .success();
        user(&base).arg("len").assert().success().stdout("30\n");
        user(&base).args(["peek", "-n", "3"]).assert().success();
        user(&base).args(["--json", "stats"]).assert().success();
        user(&base)
            .args([
                "consume",
                "--count",
                "10",
                "--exec",
                "exit 1",
                "--max-attempts",
                "1",
            ])
            .assert()
            .success();
        assert_eq!(
            json_lines(user(&base).args(["--json", "dead", "list"])).len(),
            10
        );
        // Inspecting and controlling (issue 13): their scripts' commands and SCAN are granted.
        assert_eq!(
            json_lines(user(&base).args(["--json", "list", "--state", "dead", "-n", "4"])).len(),
            4
        );
        user(&base)
            .args([
                "list", "--state", "waiting", "--type", "t", "--after", "t29",
            ])
            .assert()
            .success();
        user(&base).args(["show", "t0", "t29"]).assert().success();
        user(&base)
            .args(["move", "t29", "--priority", "high", "--now"])
            .assert()
            .success();
        user(&base).args(["cancel", "t28"]).assert().success();
        user(&base)
            .arg("queues")
            .assert()
            .success()
            .stdout(predicate::str::contains(q.clone()));
        user(&base).args(["dead", "retry"]).assert().success();
        // Prefetch (issue 15): several tasks a claim, their acks riding on the next (HMGET).
        user(&base)
            .args(["--json", "consume", "--drain", "--prefetch", "8"])
            .assert()
            .success();
        // Controls (issue 13): pauses, limits, and claims under them (blocked tasks moved to
        // their type's line, and back again with --off).
        user(&base)
            .args(["pause", "--priority", "low"])
            .assert()
            .success();
        user(&base)
            .args(["limit", "--type", "t", "--rate", "1/h", "--burst", "1"])
            .args(["--max-in-flight", "5"])
            .assert()
            .success();
        user(&base)
            .args(["produce", "--stdin"])
            .write_stdin(lines(mixed(9)).join("\n"))
            .assert()
            .success();
        user(&base)
            .args(["consume", "--count", "1"])
            .assert()
            .success();
        user(&base).args(["--json", "stats"]).assert().success();
        user(&base).args(["--json", "limit"]).assert().success();
        user(&base)
            .args(["limit", "--type", "t", "--off"])
            .assert()
            .success();
        user(&base).arg("resume").assert().success();
        user(&base).args(["consume", "--drain"]).assert().success();
        user(&base).arg("len").assert().success().stdout("0\n");
        user(&base).args(["dead", "purge"]).assert().success();
        user(&base)
            .args(["produce", "--count", "5", "--interval", "0"])
            .assert()
            .success();
        user(&base)
            .args(["clear", "--yes"])
            .assert()
            .success()
            .stdout(predicate::str::contains("5"));
        user(&base).arg("len").assert().success().stdout("0\n");
    }
}

#[test]
fn a_user_without_the_key_pattern_is_refused_clearly() {
    let r = redis();
    acl(
        &r,
        &[
            "ACL",
            "SETUSER",
            "other",
            "on",
            ">pw-other-7",
            "~app:*",
            "+@all",
        ],
    );
    let out = as_user(&r, "other", "pw-other-7")
        .arg("len")
        .assert()
        .code(1)
        .stdout("");
    let line = one_clean_line(&out.get_output().stderr, "pw-other-7");
    assert!(line.contains("NOPERM"), "{line}");
    assert!(line.contains("~rpq:*"), "{line}");
    assert!(line.contains("HGETALL"), "{line}");
}

#[test]
fn a_command_refused_inside_a_script_is_named() {
    let r = redis();
    acl(
        &r,
        &[
            "ACL",
            "SETUSER",
            "nopop",
            "on",
            ">pw-nopop-9",
            "~rpq:*",
            "+@all",
            "-zpopmin",
        ],
    );
    rpq(&r)
        .args(["produce", "--type", "t", "--payload", "1"])
        .assert()
        .success();
    let out = as_user(&r, "nopop", "pw-nopop-9")
        .args(["consume", "--drain"])
        .assert()
        .code(1);
    let line = one_clean_line(&out.get_output().stderr, "pw-nopop-9");
    assert!(
        line.contains("ZPOPMIN") && line.contains("+zpopmin"),
        "{line}"
    );
}

#[test]
fn a_wrong_password_is_a_clean_error() {
    let r = redis();
    acl(
        &r,
        &["ACL", "SETUSER", "u", "on", ">right-pw", "~rpq:*", "+@all"],
    );
    let out = as_user(&r, "u", "wrong-pw-123").arg("len").assert().code(1);
    let line = one_clean_line(&out.get_output().stderr, "wrong-pw-123");
    assert!(line.contains("u:***@"), "{line}");
}

#[test]
fn tls_works_with_the_ca_and_fails_cleanly_without() {
    let certs = Certs::make();
    let (_server, port) = tls_server(&certs);
    let url = format!("rediss://127.0.0.1:{port}");
    let client = [
        "--tls-cert".to_string(),
        certs.arg("client.crt"),
        "--tls-key".to_string(),
        certs.arg("client.key"),
    ];
    let tls = |extra: &[String]| {
        let mut c = bare();
        c.arg("--url").arg(&url).args(extra);
        c
    };
    let with_ca: Vec<String> = [
        vec!["--tls-ca".to_string(), certs.arg("ca.crt")],
        client.to_vec(),
    ]
    .concat();
    tls(&with_ca)
        .args(["produce", "--count", "3", "--interval", "0"])
        .assert()
        .success();
    tls(&with_ca)
        .arg("len")
        .assert()
        .success()
        .stdout("3\n")
        .stderr("");
    tls(&with_ca)
        .args(["--json", "consume", "--drain"])
        .assert()
        .success();

    // No CA: the system roots do not know the test CA.
    let out = tls(&client).arg("len").assert().code(1).stdout("");
    let line = one_clean_line(&out.get_output().stderr, "-----");
    assert!(line.contains("--tls-ca"), "{line}");

    // The server asks for a client certificate.
    let out = tls(&["--tls-ca".to_string(), certs.arg("ca.crt")])
        .arg("len")
        .assert()
        .code(1);
    let line = one_clean_line(&out.get_output().stderr, "-----");
    assert!(line.contains("--tls-cert"), "{line}");

    // --tls-insecure skips the check, and says so.
    let mut insecure = client.to_vec();
    insecure.push("--tls-insecure".into());
    tls(&insecure)
        .arg("len")
        .assert()
        .success()
        .stdout("0\n")
        .stderr(predicate::str::contains("warning: --tls-insecure"));

    // A file that is not there is the user's to fix.
    tls(&["--tls-ca".to_string(), "/nonexistent/ca.pem".to_string()])
        .arg("len")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/ca.pem"));
}

#[test]
fn a_unix_socket_works() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("redis.sock");
    let sock_arg = sock.display().to_string();
    let _r = RedisServer::start(&["--unixsocket", &sock_arg, "--unixsocketperm", "700"])
        .unwrap_or_else(|e| panic!("{e:#}"));
    let unix = || {
        let mut c = bare();
        c.arg("--url").arg(format!("redis+unix://{sock_arg}"));
        c
    };
    unix()
        .args(["produce", "--count", "4", "--interval", "0"])
        .assert()
        .success();
    unix().arg("len").assert().success().stdout("4\n");
    assert_eq!(
        json_lines(unix().args(["--json", "consume", "--drain"])).len(),
        4
    );
}

#[test]
fn tls_works_on_a_cluster() {
    let certs = Certs::make();
    let tls_ports = std::sync::Mutex::new(Vec::new());
    let c = Cluster::start_with(3, 0, |port| {
        tls_ports.lock().unwrap().push(port);
        let mut args = certs.server_args(port, "no");
        args.extend(["--tls-cluster".into(), "yes".into()]);
        args
    });
    // Over TLS the nodes announce their TLS ports, so one TLS seed is enough.
    let seed = format!("rediss://127.0.0.1:{}", tls_ports.lock().unwrap()[0]);
    let tls = || {
        let mut cmd = bare();
        cmd.args(["--cluster", "--url", &seed, "--shards", "4"]);
        cmd
    };
    tls()
        .args([
            "--tls-ca",
            &certs.arg("ca.crt"),
            "produce",
            "--count",
            "40",
            "--interval",
            "0",
        ])
        .assert()
        .success();
    tls()
        .args(["--tls-ca", &certs.arg("ca.crt"), "len"])
        .assert()
        .success()
        .stdout("40\n");
    assert_eq!(
        json_lines(tls().args([
            "--tls-ca",
            &certs.arg("ca.crt"),
            "--json",
            "consume",
            "--drain",
        ]))
        .len(),
        40
    );
    let out = tls().arg("len").assert().code(1).stdout("");
    let line = one_clean_line(&out.get_output().stderr, "-----");
    assert!(line.contains("--tls-ca"), "{line}");
    drop(c);
}

/// Passwords with what breaks a URL (`/ , @ # : % ?`), a piece before and after the awkward
/// character so that a half shown is seen too.
const AWKWARD: &[&str] = &[
    "Pq7/Zk9",
    "Pq7,Zk9",
    "Pq7@Zk9",
    "Pq7#Zk9",
    "Pq7:Zk9",
    "Pq7%Zk9",
    "Pq7%2FZk9",
    "Pq7?Zk9",
    "Pq7/,@#:%?Zk9",
];

fn encoded(pw: &str) -> String {
    pw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Nothing of the password on stderr, nor on stdout.
fn hidden(what: &str, out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let all = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        !all.contains("Pq7") && !all.contains("Zk9") && !all.contains("2FZk"),
        "{what}: the password shows: {all}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

/// Every way in (the URL, encoded or not; --password-file; RPQ_PASSWORD) and every way out
/// that went wrong before (an unencoded `/`, a `,` with --cluster, a wrong password, a
/// refused connection, a server that is not a cluster, a reconnect that the server refuses):
/// the password never shows, and the ways meant to work do.
#[test]
fn awkward_passwords_never_show_and_work_every_way() {
    let r = redis();
    let dead_port = rpq::server::free_port().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (i, pw) in AWKWARD.iter().enumerate() {
        let user = format!("u{i}");
        acl(
            &r,
            &[
                "ACL",
                "SETUSER",
                &user,
                "on",
                &format!(">{pw}"),
                "~rpq:*",
                "+@all",
            ],
        );
        let at = |port: u16, pw: &str| format!("redis://{user}:{pw}@127.0.0.1:{port}");
        let run = |cmd: &mut assert_cmd::Command| cmd.output().unwrap();

        // Percent-encoded in the URL, as the syntax wants: it works.
        let out = run(bare().env("RPQ_URL", at(r.port, &encoded(pw))).arg("len"));
        hidden("encoded", &out);
        assert!(out.status.success(), "{pw}: {out:?}");
        // As typed: it works, or it is a usage error that says how to fix it.
        let out = run(bare().env("RPQ_URL", at(r.port, pw)).arg("len"));
        let err = hidden("as typed", &out);
        match out.status.code() {
            Some(0) => assert_eq!(out.stdout, b"0\n"),
            Some(2) => assert!(err.contains("percent-encoded") && err.contains("--password-file")),
            // `%2F` in a URL is `/`: another password.
            Some(1) if pw.contains('%') => assert!(err.contains("check the user and password")),
            other => panic!("{pw}: exit {other:?}: {err}"),
        }
        // Apart from the URL: a file, or the variable. Neither is warned about.
        let file = dir.path().join(format!("pw{i}"));
        std::fs::write(&file, format!("{pw}\n")).unwrap();
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let url = format!("redis://{user}@127.0.0.1:{}", r.port);
        for out in [
            run(bare()
                .args(["--url", &url, "--password-file"])
                .arg(&file)
                .arg("len")),
            run(bare().args(["--url", &url, "len"]).env("RPQ_PASSWORD", pw)),
        ] {
            let err = hidden("apart", &out);
            assert!(out.status.success() && err.is_empty(), "{pw}: {out:?}");
        }
        // What fails: a wrong password, nobody listening, --cluster on a plain server.
        let wrong = format!("{pw}x");
        for (what, cmd) in [
            (
                "wrong",
                bare()
                    .env("RPQ_URL", at(r.port, &encoded(&wrong)))
                    .arg("len"),
            ),
            (
                "wrong, variable",
                bare()
                    .args(["--url", &url, "len"])
                    .env("RPQ_PASSWORD", &wrong),
            ),
            ("refused", bare().args(["--url", &at(dead_port, pw), "len"])),
            (
                "refused, cluster",
                bare().args(["--cluster", "--url", &at(dead_port, pw), "len"]),
            ),
            (
                "not a cluster",
                bare().args(["--cluster", "--url", &at(r.port, &encoded(pw)), "len"]),
            ),
            (
                "seeds",
                bare()
                    .args(["--cluster", "--url"])
                    .arg(format!("{},{}", at(dead_port, pw), at(r.port, pw)))
                    .arg("len"),
            ),
        ] {
            let out = run(cmd);
            let err = hidden(what, &out);
            assert!(
                matches!(out.status.code(), Some(1 | 2)),
                "{what} {pw}: {err}"
            );
            // One line, and a second before it when the password was on the command line.
            let lines: Vec<&str> = err.lines().collect();
            let warned = lines
                .first()
                .is_some_and(|l| l.contains("on the command line"));
            assert_eq!(lines.len(), 1 + warned as usize, "{what} {pw}: {err}");
        }
    }
}

/// A consumer whose server restarts without its user (no persistence) reconnects, is refused,
/// and says so in one line without the password; meanwhile its handler never saw the URL or
/// the password in its environment.
#[test]
fn a_refused_reconnect_and_the_handler_environment_hold_no_password() {
    let mut r = redis();
    let pw = "Pq7/,@#:%?Zk9";
    acl(
        &r,
        &[
            "ACL",
            "SETUSER",
            "w",
            "on",
            &format!(">{pw}"),
            "~rpq:*",
            "+@all",
        ],
    );
    push_one(&r, "t", "env-1");
    let url = format!("redis://w:{}@127.0.0.1:{}", encoded(pw), r.port);
    let c = Proc::spawn(
        std_command()
            .env("RPQ_URL", &url)
            .env("REDIS_URL", &url)
            .env("RPQ_PASSWORD", pw)
            .args(["consume", "--exec", "env; echo handled"]),
    );
    wait_until(Duration::from_secs(10), "the task to be handled", || {
        c.stdout_lines().iter().any(|l| l == "handled")
    });
    let env = c.stdout_lines();
    assert!(env.iter().any(|l| l == "RPQ_QUEUE=default"), "{env:?}");
    assert!(env.iter().any(|l| l == "RPQ_TASK_ID=env-1"), "{env:?}");
    for var in [
        "RPQ_URL=",
        "REDIS_URL=",
        "RPQ_PASSWORD=",
        "RPQ_PASSWORD_FILE=",
    ] {
        assert!(
            !env.iter().any(|l| l.starts_with(var)),
            "{var} reached the handler"
        );
    }
    r.restart().unwrap();
    let end = c.end(Duration::from_secs(30));
    let out = std::process::Output {
        status: end.status,
        stdout: Vec::new(),
        stderr: end.stderr.into_bytes(),
    };
    let err = hidden("reconnect", &out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("w:***@127.0.0.1"), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("check the user and password"),
        "{err}"
    );
}

#[test]
fn a_password_on_the_command_line_is_warned_about() {
    let r = redis();
    acl(
        &r,
        &["ACL", "SETUSER", "v", "on", ">pw-v-1234", "~rpq:*", "+@all"],
    );
    let url = format!("redis://v:pw-v-1234@127.0.0.1:{}", r.port);
    bare()
        .args(["--url", &url, "len"])
        .assert()
        .success()
        .stdout("0\n")
        .stderr(
            "rpq: warning: a password on the command line can be seen by other users (ps); \
             use --password-file FILE or RPQ_PASSWORD instead\n",
        );
    bare()
        .env("RPQ_URL", &url)
        .arg("len")
        .assert()
        .success()
        .stderr("");
    // A password file that others may read is theirs too.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "pw-v-1234\n").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    bare()
        .args([
            "--url",
            &format!("redis://v@127.0.0.1:{}", r.port),
            "len",
            "--password-file",
        ])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "can be read by other users; chmod o-r",
        ));
    std::fs::write(&file, "\n").unwrap();
    bare()
        .args(["--url", &r.url(), "len", "--password-file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is empty"));
}

/// Every command rpq sends, from Rust (`cmd("X")`) or from a script (`redis.call('X'`,
/// `call_list('X'`, or an argument table `{ 'X', K_...`), read from the sources.
fn commands_rpq_sends() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs" || x == "lua") {
                out.push(p);
            }
        }
    }
    // The name after `open` (a quote), all capitals, closed by the same quote.
    fn names_after(
        text: &str,
        open: &str,
        quote: char,
        out: &mut std::collections::BTreeSet<String>,
    ) {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase())
                .collect();
            if !name.is_empty() && rest[name.len()..].starts_with(quote) {
                out.insert(name.to_lowercase());
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut out = std::collections::BTreeSet::new();
    for f in files {
        // The prototype scripts of docs/layout-v2.md are never loaded by rpq.
        if f.components().any(|c| c.as_os_str() == "v2") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap().replace("( ", "(");
        names_after(&text, "cmd(\"", '"', &mut out);
        names_after(&text, "redis.call('", '\'', &mut out);
        names_after(&text, "redis.pcall('", '\'', &mut out);
        names_after(&text, "call_list('", '\'', &mut out);
        names_after(&text, "{ '", '\'', &mut out);
    }
    // Words of an argument table that are not commands (`{ 'LIMIT', ...`).
    for word in [
        "limit",
        "withscores",
        "byscore",
        "bylex",
        "rev",
        "count",
        "match",
        "nx",
        "xx",
    ] {
        out.remove(word);
    }
    out
}

#[test]
fn the_acl_line_grants_every_command_rpq_and_its_scripts_send() {
    let line = readme_acl_line();
    let granted: std::collections::BTreeSet<String> = line
        .iter()
        .filter_map(|w| w.strip_prefix('+'))
        .map(|w| w.split('|').next().unwrap().to_string())
        .collect();
    let sent = commands_rpq_sends();
    // The reader of the sources must find the commands of the hot path, or it reads nothing.
    for known in ["zpopmin", "hset", "blpop", "zrangebylex", "xadd"] {
        assert!(
            sent.contains(known),
            "{known} not found in the sources: {sent:?}"
        );
    }
    let missing: Vec<&String> = sent.iter().filter(|c| !granted.contains(*c)).collect();
    assert!(
        missing.is_empty(),
        "docs/running.md's ACL line does not grant {missing:?}: a user with exactly it is refused \
         them (NOPERM), in a script too"
    );
}
