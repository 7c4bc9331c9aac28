//! Who may ask: the token, the read-only token, a public address refused without one, and
//! `rpq serve` as the restricted Redis user the docs show.

use super::*;

#[test]
fn serve_token_guards_every_request() {
    let server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(2, "t")]);
    let mut s = Serve::with_token(&server, &[]);
    s.get("/api/queues").expect(200);
    s.get("/metrics").expect(200);
    let token = s.token.take();
    let r = s.get("/api/queues").expect(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    s.get("/metrics").expect(401);
    // Open, and it says up or down only.
    assert_eq!(s.get("/healthz").expect(200).json(), json!({"redis": "ok"}));
    s.post("/api/queues/q/tasks", &json!({"type": "x", "priority": 1}))
        .expect(401);
    s.delete("/api/queues/q/tasks/t0").expect(401);
    s.post("/api/queues/q/tasks/t0/move", &json!({"priority": 1}))
        .expect(401);
    s.get("/api/queues/q/tasks/t0").expect(401);
    // A wrong token is no token.
    s.token = Some(format!("{TOKEN}x"));
    s.get("/api/queues").expect(401);
    s.token = None;
    // The page goes to the login form; its assets need no token (they hold no data).
    let r = s.get("/");
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
    assert_eq!(s.get("/assets/app.css").status, 200);
    assert_eq!(s.get("/login").status, 200);
    let login = |token: &str| {
        Reply::from(
            Serve::agent()
                .post(s.url("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(format!("token={token}")),
        )
    };
    let bad = login("wrong-token-wrong-token");
    assert_eq!(bad.status, 401);
    assert!(bad.header("set-cookie").is_none());
    let good = login(TOKEN);
    assert_eq!((good.status, good.header("location")), (303, Some("/")));
    let cookie = good.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let with_cookie = |path: &str| {
        Reply::from(
            Serve::agent()
                .get(s.url(path))
                .header("Cookie", &session)
                .call(),
        )
    };
    with_cookie("/api/queues").expect(200);
    assert_eq!(with_cookie("/").status, 200);
    // A page of another site may not change anything, even with the session.
    let r = Reply::from(
        Serve::agent()
            .post(s.url("/api/queues/q/clear"))
            .header("Cookie", &session)
            .header("Origin", "https://evil.example")
            .header("Content-Type", "application/json")
            .send("{}"),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    let r = Reply::from(
        Serve::agent()
            .delete(s.url("/api/queues/q/tasks/t0"))
            .header("Cookie", &session)
            .header("Sec-Fetch-Site", "cross-site")
            .call(),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    rpq(&server)
        .args(["--queue", "q", "len"])
        .assert()
        .success()
        .stdout("2\n");
    s.token = token;
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(TOKEN), "the token was printed: {stderr}");
}

#[test]
fn serve_read_token_reads_and_changes_nothing() {
    const READ: &str = "read-only-token-for-the-scraper";
    let server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(2, "t")]);
    make_dead(&server, "d", 1);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Serve::with_read_token(&server, READ, dir.path());
    assert_eq!(s.get("/api/info").expect(200).json()["access"], "full");
    let full = s.token.replace(READ.to_string());
    // It reads: the API's GET routes, /metrics, the page.
    let info = s.get("/api/info").expect(200).json();
    assert_eq!(
        (&info["auth"], &info["access"]),
        (&json!(true), &json!("read"))
    );
    s.get("/api/queues").expect(200);
    s.get("/api/queues/q").expect(200);
    s.get("/api/queues/q/tasks?state=waiting").expect(200);
    s.get("/api/queues/q/tasks/t0").expect(200);
    s.get("/api/history").expect(200);
    s.get("/healthz").expect(200);
    assert!(s.get("/metrics").expect(200).text.contains("rpq_"));
    // It changes nothing, and says what would.
    let refused = [
        s.post("/api/queues/q/clear", &json!({})),
        s.post("/api/queues/q/tasks", &json!({"type": "x", "priority": 1})),
        s.post("/api/queues/q/pause", &json!({})),
        s.post("/api/queues/q/resume", &json!({})),
        s.delete("/api/queues/q/tasks/t0"),
        s.post("/api/queues/q/tasks/t1/move", &json!({"priority": 3})),
        s.post("/api/queues/d/dead/retry", &json!({"all": true})),
        s.post("/api/queues/d/dead/purge", &json!({"all": true})),
    ];
    for r in refused {
        let msg = r.expect(403).json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains("full token"), "{msg}");
    }
    rpq(&server)
        .args(["--queue", "q", "len"])
        .assert()
        .success()
        .stdout("2\n");
    assert_eq!(stats_json(&server, "d")["dead"], 1);
    assert_eq!(stats_json(&server, "q")["paused"], json!([]));
    // A login with it reads too, and changes nothing either.
    let login = Reply::from(
        Serve::agent()
            .post(s.url("/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(format!("token={READ}")),
    );
    assert_eq!(login.status, 303, "{}", login.text);
    let session = login.header("set-cookie").unwrap();
    let session = session.split(';').next().unwrap().to_string();
    let r = Reply::from(
        Serve::agent()
            .get(s.url("/api/info"))
            .header("Cookie", &session)
            .call(),
    );
    assert_eq!(r.expect(200).json()["access"], "read");
    let r = Reply::from(
        Serve::agent()
            .post(s.url("/api/queues/q/clear"))
            .header("Cookie", &session)
            .header("Content-Type", "application/json")
            .send("{}"),
    );
    r.expect(403);
    // The full token still changes things.
    s.token = full;
    s.post("/api/queues/q/clear", &json!({})).expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !stderr.contains(READ),
        "the read token was printed: {stderr}"
    );
}

#[test]
fn serve_read_token_needs_the_full_one() {
    let server = redis();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("read-token");
    std::fs::write(&file, "read-only-token-for-the-scraper").unwrap();
    rpq(&server)
        .env_remove("RPQ_SERVE_TOKEN")
        .args(["serve", "--listen", "127.0.0.1:0", "--read-token-file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("needs the full one"));
    rpq(&server)
        .env("RPQ_SERVE_TOKEN", "read-only-token-for-the-scraper")
        .args(["serve", "--listen", "127.0.0.1:0", "--read-token-file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is the full token"));
}

#[test]
fn serve_refuses_a_public_address_without_a_token_and_stops_on_sigterm() {
    let server = redis();
    let run = |args: &[&str]| {
        bare()
            .env_remove("RPQ_SERVE_TOKEN")
            .arg("--url")
            .arg(server.url())
            .arg("serve")
            .args(args)
            .assert()
    };
    let out = run(&["--listen", "0.0.0.0:0"]).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.starts_with("rpq: --listen 0.0.0.0:0 is reachable from other machines"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short");
    std::fs::write(&short, "abc\n").unwrap();
    run(&[
        "--listen",
        "0.0.0.0:0",
        "--token-file",
        short.to_str().unwrap(),
    ])
    .code(2);
    run(&["--token-file", "/no/such/file"]).code(2);
    run(&["--listen", "nowhere"]).code(2);
    // With a token it serves, on every address; SIGTERM ends it with 0.
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let mut cmd = std_command();
    cmd.env_remove("RPQ_SERVE_TOKEN")
        .arg("--url")
        .arg(server.url())
        .args(["serve", "--listen", "0.0.0.0:0", "--token-file"])
        .arg(&file);
    let mut s = Serve::spawn(cmd);
    s.token = Some(TOKEN.to_string());
    s.get("/api/queues").expect(200);
    let started = Instant::now();
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn serve_works_as_the_readme_acl_user() {
    let server = redis();
    make_dead(&server, "q", 1);
    let line = include_str!("../../../docs/running.md")
        .lines()
        .find(|l| l.trim_start().starts_with("ACL SETUSER rpq "))
        .expect("the README shows an ACL SETUSER rpq line");
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut cmd = redis::cmd(words[0]);
    cmd.arg(&words[1..]);
    let _: () = cmd.query(&mut crate::support::conn(&server)).unwrap();
    let password = words.iter().find_map(|w| w.strip_prefix('>')).unwrap();
    let mut cmd = std_command();
    // In the environment: a password on the command line is warned about.
    cmd.env_remove("RPQ_SERVE_TOKEN").env(
        "RPQ_URL",
        format!("redis://rpq:{password}@127.0.0.1:{}", server.port),
    );
    let s = Serve::spawn(cmd);
    let all = s.get("/api/queues").expect(200).json();
    assert_eq!(all["queues"][0]["dead"], json!(1));
    s.get("/healthz").expect(200);
    let m = Exposition::parse(&s.get("/metrics").expect(200).text);
    assert_eq!(m.value("rpq_tasks_dead", &[("queue", "q")]), 1.0);
    s.post("/api/queues/q/dead/retry", &json!({"all": true}))
        .expect(200);
    s.post("/api/queues/q/tasks", &json!({"type": "t", "priority": 1}))
        .expect(201);
    assert_eq!(s.get("/api/queues/q").json()["waiting"], json!(2));
    // Controls and waits, with the commands the README grants.
    s.post("/api/queues/q/pause", &json!({"for": "1m"}))
        .expect(200);
    s.post("/api/queues/q/resume", &json!({})).expect(200);
    s.post(
        "/api/queues/q/tasks?wait&timeout=300ms",
        &json!({"type": "t", "priority": 1, "id": "acl-wait"}),
    )
    .expect(504);
    s.get("/api/queues/q/tasks/acl-wait/result").expect(404);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
    // Without +scan it cannot find the queues, and says what to grant.
    let mut cmd = redis::cmd("ACL");
    for w in &words[1..] {
        match *w {
            "rpq" => cmd.arg("noscan"),
            "+scan" => continue,
            w => cmd.arg(w),
        };
    }
    let _: () = cmd.query(&mut crate::support::conn(&server)).unwrap();
    let out = bare()
        .env(
            "RPQ_URL",
            format!("redis://noscan:{password}@127.0.0.1:{}", server.port),
        )
        .args(["serve", "--listen", "127.0.0.1:0"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("redis refused SCAN") && err.contains("grant the user +scan"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// The Bearer scheme in any case (RFC 7235), and `Secure` on the session cookie only when a
/// proxy says the request came over TLS (on main: `bearer T` is 401, and never `Secure`).
#[test]
fn serve_takes_bearer_in_any_case_and_marks_the_cookie_secure_behind_tls() {
    let server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(1, "t")]);
    let s = Serve::with_token(&server, &[]);
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r = Reply::from(
            Serve::agent()
                .get(s.url("/api/queues"))
                .header("Authorization", format!("{scheme} {TOKEN}"))
                .call(),
        );
        assert_eq!(r.status, 200, "{scheme}: {}", r.text);
    }
    let login = |proto: Option<&str>| {
        let mut req = Serve::agent()
            .post(s.url("/login"))
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(p) = proto {
            req = req.header("X-Forwarded-Proto", p);
        }
        let r = Reply::from(req.send(format!("token={TOKEN}")));
        assert_eq!(r.status, 303, "{}", r.text);
        r.header("set-cookie").unwrap().to_string()
    };
    assert!(login(Some("https")).contains("; Secure"));
    assert!(!login(Some("http")).contains("Secure"));
    assert!(!login(None).contains("Secure"));
}
