//! Workers over HTTP (issue 27): the examples of contrib/ drain a queue (the Python one through
//! a kill -9), a long-polled claim is woken by a push and bounded, a client that leaves loses
//! nothing, a stale token changes nothing, a replayed ack answers as the first, and every
//! worker route needs the full token.

use super::*;
use std::collections::HashMap;

/// Clients of Redis blocked on a wake list right now (BLPOP): one per queue that HTTP claims
/// wait on, when no CLI consumer runs.
fn watchers(c: &mut redis::Connection) -> usize {
    let list: String = redis::cmd("CLIENT").arg("LIST").query(c).unwrap();
    list.lines()
        .filter(|l| l.contains(" flags=b ") && l.contains(" cmd=blpop "))
        .count()
}

fn contrib(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib")
        .join(file)
}

/// A claim (in a thread of its own) that long-polls for up to `wait`; refused (429), it claims
/// again, as a worker does.
fn claim_in_thread(s: &Serve, path: &str) -> std::thread::JoinHandle<(Reply, Duration)> {
    let url = s.url(path);
    std::thread::spawn(move || loop {
        let started = Instant::now();
        // Longer than the wait: the agent of `Serve` gives up after 30s.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let r = Reply::from(
            agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send("{}"),
        );
        if r.status != 429 {
            break (r, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    })
}

/// contrib/http-worker.py drains 2,000 tasks through `rpq serve`, and is killed (-9) with
/// tasks in hand half-way: a second one finishes, the killed one's tasks once their lease ran
/// out. Every task is done exactly once: Redis counts 2,000 acks of 2,000 tasks, nothing is
/// left, and no worker reported a task done twice.
#[test]
fn serve_python_http_worker_drains_through_a_kill_9() {
    let server = redis();
    crate::support::push_lines(&server, "py", &[task_lines(2000, "p")]);
    let s = Serve::start(&server, &[]);
    let worker = || {
        let mut cmd = Command::new("python3");
        cmd.arg(contrib("http-worker.py"))
            .env("RPQ_SERVE", &s.base)
            .env("RPQ_QUEUE", "py")
            .env("RPQ_N", "16")
            .env("RPQ_LEASE", "2s")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Proc::spawn(&mut cmd)
    };
    let first = worker();
    wait_until(Duration::from_secs(60), "500 tasks done", || {
        stats_json(&server, "py")["done"].as_u64().unwrap() >= 500
    });
    first.signal(libc::SIGKILL);
    let killed = first.end(Duration::from_secs(10));
    let first_lines = String::from_utf8_lossy(&killed.stdout).into_owned();
    let second = worker();
    // The second worker says each task once its ack is back, after Redis counted it: wait for
    // its lines too (the killed one may have acked up to a claim's 16 it never said).
    wait_until(
        Duration::from_secs(120),
        "2,000 tasks done and said",
        || {
            stats_json(&server, "py")["done"] == json!(2000)
                && first_lines.lines().count() + second.stdout_lines().len() >= 2000 - 16
        },
    );
    let lines = second.stdout_lines();
    second.signal(libc::SIGKILL);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in first_lines.lines().map(str::to_string).chain(lines) {
        let (outcome, id) = line.split_once(' ').unwrap();
        assert_eq!(outcome, "done", "{line}");
        *seen.entry(id.to_string()).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "done twice: {twice:?}");
    assert!(seen.len() >= 2000 - 16, "{} reported", seen.len());
    let st = stats_json(&server, "py");
    assert_eq!(
        (
            &st["done"],
            &st["waiting"],
            &st["in_flight"],
            &st["retrying"],
            &st["dead"]
        ),
        (&json!(2000), &json!(0), &json!(0), &json!(0), &json!(0)),
        "{st}"
    );
}

/// contrib/http-worker.sh runs a command per task: its output is the kept result of a task
/// that asked, a failure is retried and then dead, and the worker shows in `stats` by name.
#[test]
fn serve_shell_http_worker_acks_and_fails() {
    let server = redis();
    let lines = [
        json!({"type": "t", "priority": 1, "id": "ok", "payload": {"n": 2}, "keep_result": "1h"}),
        json!({"type": "t", "priority": 2, "id": "bad", "payload": {"n": 1}, "max_attempts": 1}),
        json!({"type": "t", "priority": 3, "id": "ok2", "payload": {"n": 3}}),
    ]
    .map(|l| l.to_string());
    crate::support::push_lines(&server, "sh", &lines);
    let s = Serve::start(&server, &[]);
    let mut cmd = Command::new("sh");
    cmd.arg(contrib("http-worker.sh"))
        .args(["jq", "-e", ".n != 1"])
        .env("RPQ_SERVE", &s.base)
        .env("RPQ_QUEUE", "sh")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let worker = Proc::spawn(&mut cmd);
    // The worker says each outcome once its answer is back, after Redis counted it: wait for
    // both, or the last line may not be written yet.
    wait_until(
        Duration::from_secs(30),
        "two done, one dead, each said",
        || {
            let st = stats_json(&server, "sh");
            st["done"] == json!(2) && st["dead"] == json!(1) && worker.stdout_lines().len() >= 3
        },
    );
    let mut out = worker.stdout_lines();
    let pid = worker.pid();
    worker.signal(libc::SIGTERM);
    out.sort();
    assert_eq!(out, ["dead bad", "done ok", "done ok2"]);
    let kept = s.get("/api/queues/sh/tasks/ok/result").expect(200).json();
    assert_eq!(
        (&kept["outcome"], &kept["result"]),
        (&json!("done"), &json!(true))
    );
    let st = stats_json(&server, "sh");
    let names: Vec<_> = st["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names.len(), 1, "{st}");
    let name = names[0].as_str().unwrap();
    assert!(name.ends_with(&format!("-{pid}")), "{name}");
}

/// A long-polled claim is woken by a push (not by its deadline, nor by polling: it waits on
/// the one watcher of its queue), and a client that closes its socket while it waits ends its
/// wait: the task pushed after is claimed by the next, on its first attempt.
#[test]
fn serve_long_poll_claim_is_woken_by_a_push_and_a_client_that_leaves_takes_nothing() {
    use std::io::Write;
    let server = redis();
    let mut c = crate::support::conn(&server);
    let s = Serve::start(&server, &[]);
    let waiting = claim_in_thread(&s, "/api/queues/lp/claim?wait=60s&consumer=a");
    wait_until(Duration::from_secs(20), "the watcher", || {
        watchers(&mut c) == 1
    });
    s.post(
        "/api/queues/lp/tasks",
        &json!({"type": "t", "priority": 1, "id": "x1"}),
    )
    .expect(201);
    let (r, took) = waiting.join().unwrap();
    let r = r.expect(200).json();
    assert_eq!(
        (&r["tasks"][0]["id"], &r["consumer"]),
        (&json!("x1"), &json!("a")),
        "{r}"
    );
    // Woken, not timed out: the deadline was a minute away.
    assert!(took < Duration::from_secs(30), "{took:?}");
    // The last wait ended: its watcher goes.
    wait_until(Duration::from_secs(20), "the watcher to end", || {
        watchers(&mut c) == 0
    });

    let addr = s.base.trim_start_matches("http://").to_string();
    let mut raw = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        raw,
        "POST /api/queues/lp/claim?wait=60s&consumer=gone HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    wait_until(Duration::from_secs(20), "its wait", || {
        watchers(&mut c) == 1
    });
    drop(raw);
    wait_until(Duration::from_secs(20), "its wait to end", || {
        watchers(&mut c) == 0
    });
    s.post(
        "/api/queues/lp/tasks",
        &json!({"type": "t", "priority": 1, "id": "x2"}),
    )
    .expect(201);
    let r = s
        .post("/api/queues/lp/claim?consumer=b", &json!({}))
        .expect(200)
        .json();
    assert_eq!(
        (&r["tasks"][0]["id"], &r["tasks"][0]["attempt"]),
        (&json!("x2"), &json!(1)),
        "{r}"
    );
    // An empty queue without wait answers at once, with no task, and keeps the connection open
    // for the worker's next request.
    let r = s.post("/api/queues/lp/claim", &json!({})).expect(200);
    assert_eq!(r.header("connection"), None);
    assert_eq!(r.json()["tasks"], json!([]));
    // SIGTERM: a waiting claim answers at once, with no task, and the server exits 0.
    let waiting = claim_in_thread(&s, "/api/queues/lp/claim?wait=60s");
    wait_until(Duration::from_secs(20), "the watcher", || {
        watchers(&mut c) == 1
    });
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let (r, took) = waiting.join().unwrap();
    assert_eq!(r.expect(200).json()["tasks"], json!([]));
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// 200 claims wait at once; the 201st is refused (429) and holds nothing; 200 tasks pushed
/// then go one to each wait. (Until all 200 wait, a probe may take the place of one, which then
/// claims again.)
#[test]
fn serve_claim_waits_are_capped() {
    let server = redis();
    let s = Serve::start(&server, &[]);
    let waits: Vec<_> = (0..200)
        .map(|i| claim_in_thread(&s, &format!("/api/queues/cap/claim?wait=60s&consumer=w{i}")))
        .collect();
    // Once all 200 wait, a claim that would wait is refused at once; before, it waits a moment.
    wait_until(Duration::from_secs(60), "a 429", || {
        s.post("/api/queues/cap/claim?wait=100ms", &json!({}))
            .status
            == 429
    });
    let r = s
        .post("/api/queues/cap/claim?wait=1s", &json!({}))
        .expect(429)
        .json();
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("200 claims are waiting"),
        "{r}"
    );
    crate::support::push_lines(&server, "cap", &[task_lines(200, "c")]);
    let mut ids: Vec<String> = waits
        .into_iter()
        .map(|w| {
            let r = w.join().unwrap().0.expect(200).json();
            let tasks = r["tasks"].as_array().unwrap();
            assert_eq!(tasks.len(), 1, "{r}");
            tasks[0]["id"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200);
}

/// The token of a claim settles its task once: a stale token (a made-up one, or one whose lease
/// ran out and whose task someone else holds) gets 409 and changes nothing, and a replayed ack
/// answers as the first did.
#[test]
fn serve_stale_token_changes_nothing_and_a_replayed_ack_answers_the_same() {
    let server = redis();
    let s = Serve::start(&server, &[]);
    s.post(
        "/api/queues/st/tasks",
        &json!({"type": "t", "priority": 1, "id": "a"}),
    )
    .expect(201);
    let r = s
        .post("/api/queues/st/claim?consumer=one", &json!({}))
        .expect(200)
        .json();
    let token = r["tasks"][0]["token"].as_str().unwrap().to_string();
    let before = counts(&stats_json(&server, "st"));
    for route in ["ack", "extend", "release"] {
        s.post(
            &format!("/api/queues/st/tasks/a/{route}"),
            &json!({"token": "0123456789abcdef", "consumer": "one"}),
        )
        .expect(409);
    }
    s.post(
        "/api/queues/st/tasks/a/fail",
        &json!({"token": "0123456789abcdef", "consumer": "one", "error": "x"}),
    )
    .expect(409);
    assert_eq!(counts(&stats_json(&server, "st")), before);
    let ack = json!({"token": token, "consumer": "one"});
    let first = s
        .post("/api/queues/st/tasks/a/ack", &ack)
        .expect(200)
        .json();
    assert_eq!(first, json!({"id": "a", "outcome": "done"}));
    let again = s
        .post("/api/queues/st/tasks/a/ack", &ack)
        .expect(200)
        .json();
    assert_eq!(again, first);
    assert_eq!(stats_json(&server, "st")["done"], json!(1));

    // A lease that runs out: the task goes to the next claim, and the old token is stale.
    s.post(
        "/api/queues/st/tasks",
        &json!({"type": "t", "priority": 1, "id": "b"}),
    )
    .expect(201);
    let r = s
        .post("/api/queues/st/claim?consumer=one&lease=1s", &json!({}))
        .expect(200)
        .json();
    let old = json!({"token": r["tasks"][0]["token"], "consumer": "one"});
    let mut taken = json!(null);
    wait_until(Duration::from_secs(30), "the lease to run out", || {
        let r = s
            .post("/api/queues/st/claim?consumer=two&wait=2s", &json!({}))
            .expect(200)
            .json();
        taken = r["tasks"][0].clone();
        !taken.is_null()
    });
    assert_eq!((&taken["id"], &taken["attempt"]), (&json!("b"), &json!(2)));
    let new = json!({"token": taken["token"], "consumer": "two"});
    s.post("/api/queues/st/tasks/b/ack", &old).expect(409);
    s.post("/api/queues/st/tasks/b/extend", &new).expect(200);
    let f = s
        .post(
            "/api/queues/st/tasks/b/fail",
            &json!({"token": taken["token"], "error": "no", "outcome": "dead"}),
        )
        .expect(200)
        .json();
    assert_eq!(f, json!({"id": "b", "outcome": "dead"}));
    let st = stats_json(&server, "st");
    assert_eq!(
        (&st["done"], &st["dead"], &st["in_flight"]),
        (&json!(1), &json!(1), &json!(0))
    );
}

/// With a token, every worker route needs it: 401 without, 403 with the read-only token.
#[test]
fn serve_worker_routes_need_the_full_token() {
    const READ: &str = "read-only-token-for-the-workers";
    let server = redis();
    let dir = tempfile::tempdir().unwrap();
    let mut s = Serve::with_read_token(&server, READ, dir.path());
    s.post(
        "/api/queues/q/tasks",
        &json!({"type": "t", "priority": 1, "id": "a"}),
    )
    .expect(201);
    let routes = [
        "/api/queues/q/claim",
        "/api/queues/q/tasks/a/extend",
        "/api/queues/q/tasks/a/ack",
        "/api/queues/q/tasks/a/fail",
        "/api/queues/q/tasks/a/release",
    ];
    let body = json!({"token": "0123456789abcdef", "error": "x"});
    let full = s.token.take();
    for r in routes {
        s.post(r, &body).expect(401);
    }
    s.token = Some(READ.to_string());
    for r in routes {
        s.post(r, &body).expect(403);
    }
    s.token = full;
    let claim = s.post(routes[0], &json!({})).expect(200).json();
    assert_eq!(claim["tasks"][0]["id"], json!("a"));
}
