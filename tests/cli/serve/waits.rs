//! `?wait`: a push that answers with what a real consumer did, a wait that learns its task is
//! gone, and waits that never hold the other requests hostage.

use super::*;

/// `?wait`: the shell's remote procedure call over HTTP, with the call `produce --wait`
/// makes. A real consumer's result comes back (200), a task its handler finds bad is dead
/// (422), a wait that runs out is a 504 with the task still queued, and the result can be read
/// later, or waited for again, with GET .../result.
#[test]
fn serve_push_with_wait_answers_what_a_real_consumer_did() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    let handler = r#"[ "$RPQ_TASK_TYPE" = bad ] && { echo "cannot resize" >&2; exit 65; }; printf '{"resized":%s}' "$(cat)""#;
    // The queue exists before the serve starts, so no wait is for an unknown queue.
    crate::support::push_lines(&server, "rpc", &[task_lines(1, "warm")]);
    let consumer = Proc::start(&server, &["--queue", "rpc", "consume", "--exec", handler]);
    crate::support::wait_consumers(&mut c, "rpc", 1);
    let s = Serve::start(&server, &[]);
    let r = s
        .post(
            "/api/queues/rpc/tasks?wait&timeout=20s",
            &json!({"type": "img", "priority": "high", "payload": "a.png", "id": "img-1"}),
        )
        .expect(200)
        .json();
    let task = &r["result"]["resized"];
    assert_eq!(
        (&task["id"], &task["payload"]),
        (&json!("img-1"), &json!("a.png")),
        "{r}"
    );
    assert_eq!(
        (&r["id"], &r["outcome"], &r["queued"]),
        (&json!("img-1"), &json!("done"), &json!(true))
    );
    assert!(r["finished_at"].is_string(), "{r}");
    // The same as `rpq result --json` prints, once the ack has landed: the wait is answered
    // by the mark made before the consumer's done line (stdout a pipe), and the ack keeps the
    // record again with its own time (extend.lua), so a read between the two would differ.
    wait_until(Duration::from_secs(10), "the ack to land", || {
        crate::support::in_flight(&mut c, "rpc") == 0
    });
    let kept = rpq(&server)
        .args(["--queue", "rpc", "--json", "result", "img-1"])
        .assert()
        .success();
    let kept = ndjson(&kept.get_output().stdout).remove(0);
    let read = s
        .get("/api/queues/rpc/tasks/img-1/result")
        .expect(200)
        .json();
    assert_eq!(read, kept);
    // A push of the same id with ?wait is not queued again: its kept result answers.
    let again = s
        .post(
            "/api/queues/rpc/tasks?wait",
            &json!({"type": "img", "priority": 1, "id": "img-1"}),
        )
        .expect(200)
        .json();
    assert_eq!(
        (&again["queued"], &again["result"]),
        (&json!(false), &r["result"])
    );

    let r = s
        .post(
            "/api/queues/rpc/tasks?wait=true&timeout=20",
            &json!({"type": "bad", "priority": 2, "id": "bad-1"}),
        )
        .expect(422)
        .json();
    assert_eq!(r["outcome"], json!("dead"));
    assert_eq!(r["error"], json!("exit status 65: cannot resize"));
    assert_eq!(
        s.get("/api/queues/rpc/tasks/bad-1/result")
            .expect(422)
            .json()["outcome"],
        json!("dead")
    );

    // No consumer: the time runs out, the task stays queued.
    consumer.signal(libc::SIGTERM);
    assert!(consumer.end(Duration::from_secs(10)).status.success());
    let r = s
        .post(
            "/api/queues/rpc/tasks?wait&timeout=300ms",
            &json!({"type": "img", "priority": 3, "id": "late"}),
        )
        .expect(504)
        .json();
    assert_eq!((&r["id"], &r["queued"]), (&json!("late"), &json!(true)));
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("not finished within 300ms; it stays queued"),
        "{r}"
    );
    assert_eq!(
        s.get("/api/queues/rpc/tasks/late").expect(200).json()["state"],
        json!("waiting")
    );
    s.get("/api/queues/rpc/tasks/late/result").expect(404);
    s.get("/api/queues/rpc/tasks/late/result?wait&timeout=200ms")
        .expect(504);
    // Waited for again, and a consumer started meanwhile answers it.
    let url = s.url("/api/queues/rpc/tasks/late/result?wait&timeout=20s");
    let waiter = std::thread::spawn(move || Reply::from(Serve::agent().get(url).call()));
    wait_until(Duration::from_secs(10), "the wait to block", || {
        blocked(&mut c) == 1
    });
    rpq(&server)
        .args([
            "--queue",
            "rpc",
            "consume",
            "--count",
            "1",
            "--exec",
            "echo pong",
        ])
        .assert()
        .success();
    let r = waiter.join().unwrap().expect(200).json();
    assert_eq!(
        (&r["outcome"], &r["result"]),
        (&json!("done"), &json!("pong"))
    );
    assert!(r.get("queued").is_none(), "{r}");
}

/// A task cancelled while a `?wait` waits for it: the wait learns it is gone (its next look at
/// where the task is, at most 5 s later) and answers 410, not a timeout.
#[test]
fn serve_wait_for_a_cancelled_task_is_gone() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    crate::support::push_lines(&server, "q", &[task_lines(1, "warm")]);
    let s = Serve::start(&server, &[]);
    let url = s.url("/api/queues/q/tasks?wait&timeout=30s");
    let waiter = std::thread::spawn(move || {
        let body = json!({"type": "t", "priority": 1, "id": "doomed"}).to_string();
        Reply::from(
            Serve::agent()
                .post(url)
                .header("Content-Type", "application/json")
                .send(&body),
        )
    });
    wait_until(Duration::from_secs(10), "the wait to block", || {
        blocked(&mut c) == 1
    });
    s.delete("/api/queues/q/tasks/doomed").expect(200);
    let r = waiter.join().unwrap().expect(410).json();
    assert_eq!((&r["id"], &r["queued"]), (&json!("doomed"), &json!(true)));
    assert!(r["error"].as_str().unwrap().contains("cancelled"), "{r}");
}

/// Clients of Redis blocked in a wait for a result (BLMOVE) right now.
fn blocked(c: &mut redis::Connection) -> usize {
    let list: String = redis::cmd("CLIENT").arg("LIST").query(c).unwrap();
    list.lines()
        .filter(|l| l.contains(" flags=b ") && l.contains(" cmd=blmove "))
        .count()
}

/// Waits run on threads of their own, never on those that every other request needs: with more
/// of them than `rpq serve` has blocking threads, every other route still answers. A client
/// that goes away ends its wait; past the most it waits for at once, a wait is refused (429)
/// before anything is pushed; a SIGTERM ends every wait (503, the tasks stay queued) and the
/// server exits 0 at once.
#[test]
fn serve_waits_never_hold_other_requests_hostage() {
    use std::io::Write;
    let server = redis();
    let mut c = crate::support::conn(&server);
    crate::support::push_lines(&server, "q", &[task_lines(1, "warm")]);
    let s = Serve::start(&server, &[]);
    let wait = |id: String| {
        let url = s.url("/api/queues/q/tasks?wait&timeout=60s");
        let body = json!({"type": "t", "priority": 2, "id": id}).to_string();
        std::thread::spawn(move || {
            let r = Serve::agent()
                .post(url)
                .header("Content-Type", "application/json")
                .send(&body);
            Reply::from(r)
        })
    };
    // More than the 16 blocking threads of the runtime.
    let mut waiting: Vec<_> = (0..20).map(|i| wait(format!("w{i}"))).collect();
    wait_until(Duration::from_secs(20), "20 waits", || {
        blocked(&mut c) == 20
    });
    // Everything else answers meanwhile, well within a deadline.
    let quick: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    for path in [
        "/api/queues",
        "/api/queues/q",
        "/api/queues/q/tasks?state=waiting",
        "/metrics",
        "/healthz",
    ] {
        let r = Reply::from(quick.get(s.url(path)).call());
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    s.post("/api/queues/q/tasks", &json!({"type": "t", "priority": 1}))
        .expect(201);
    // A client that leaves: its wait ends with it.
    let mut raw = std::net::TcpStream::connect(s.base.trim_start_matches("http://")).unwrap();
    let body = json!({"type": "t", "priority": 2, "id": "left"}).to_string();
    write!(
        raw,
        "POST /api/queues/q/tasks?wait&timeout=60s HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.base.trim_start_matches("http://"),
        body.len()
    )
    .unwrap();
    wait_until(Duration::from_secs(10), "its wait", || {
        blocked(&mut c) == 21
    });
    drop(raw);
    wait_until(Duration::from_secs(10), "its wait to end", || {
        blocked(&mut c) == 20
    });
    // Up to the most at once (64), then refused before the push.
    waiting.extend((20..64).map(|i| wait(format!("w{i}"))));
    wait_until(Duration::from_secs(30), "64 waits", || {
        blocked(&mut c) == 64
    });
    let r = s
        .post(
            "/api/queues/q/tasks?wait",
            &json!({"type": "t", "priority": 2, "id": "one-too-many"}),
        )
        .expect(429);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("64 requests are waiting"));
    s.get("/api/queues/q/tasks/one-too-many").expect(404);
    // SIGTERM: every wait answers that the server stops, and it exits 0.
    let started = Instant::now();
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?} to stop",
        started.elapsed()
    );
    for w in waiting {
        let r = w.join().unwrap().expect(503).json();
        assert!(r["error"].as_str().unwrap().contains("stopping"), "{r}");
    }
    // warm0, 64 waited for, "left" and the one pushed without a wait: all queued still.
    assert_eq!(stats_json(&server, "q")["waiting"], json!(67));
}
