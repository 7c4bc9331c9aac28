//! The JSON API end to end: pushes, counts and lists held to the CLI's, show, move, cancel,
//! dead letters, pause and resume, and every error as JSON with the right status.

use super::*;

#[test]
fn serve_pushes_one_task_and_a_batch_with_a_bad_line() {
    let server = redis();
    let s = Serve::start(&server, &[]);
    let one = json!({"type": "email", "priority": "high", "payload": {"to": "a@b.c"}, "id": "m1"});
    let r = s.post("/api/queues/mail/tasks", &one).expect(201).json();
    assert_eq!(
        (&r["id"], &r["type"], &r["priority"], &r["queued"]),
        (&json!("m1"), &json!("email"), &json!(1), &json!(true))
    );
    assert_eq!(r["payload"], json!({"to": "a@b.c"}));
    assert!(r["created_at"].as_str().unwrap().ends_with('Z'));
    // The same id again is not queued twice, as with produce.
    let again = s.post("/api/queues/mail/tasks", &one).expect(200).json();
    assert_eq!(again["queued"], json!(false));

    let batch = [
        json!({"type": "a", "priority": 1, "id": "b1"}).to_string(),
        "{\"type\": \"b\", \"priority\": 7}".to_string(),
        String::new(),
        json!({"type": "c", "priority": "low", "payload": "x", "id": "b2"}).to_string(),
        "not json".to_string(),
        json!({"type": "a", "priority": 1, "id": "b1"}).to_string(),
    ]
    .join("\n");
    let r = s
        .send(
            "POST",
            "/api/queues/mail/tasks",
            "application/x-ndjson",
            &batch,
        )
        .expect(400)
        .json();
    let lines: Vec<(u64, &str, bool)> = r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["line"].as_u64().unwrap(),
                t["id"].as_str().unwrap(),
                t["queued"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [(1, "b1", true), (4, "b2", true), (6, "b1", false)]);
    let errors: Vec<u64> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(errors, [2, 5]);
    assert!(r["errors"][0]["error"]
        .as_str()
        .unwrap()
        .contains("out of range"));
    assert_eq!(
        (r["pushed"].as_u64(), r["duplicates"].as_u64()),
        (Some(2), Some(1))
    );
    // A clean batch is 200; nothing was lost or added on the way.
    let r = s
        .send(
            "POST",
            "/api/queues/mail/tasks",
            "application/x-ndjson",
            &task_lines(700, "n"),
        )
        .expect(200)
        .json();
    assert_eq!(r["pushed"], json!(700));
    rpq(&server)
        .args(["--queue", "mail", "len"])
        .assert()
        .success()
        .stdout("703\n");
    let peek = rpq(&server)
        .args(["--queue", "mail", "--json", "peek", "-n", "2"])
        .assert()
        .success();
    let ids: Vec<String> = ndjson(&peek.get_output().stdout)
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["m1", "b1"]);
}

/// An NDJSON push reads its lines with `produce --stdin`'s reader: the same body has the same
/// bad lines, in the same words (a line that is not UTF-8, not JSON, not a task), and queues
/// the same tasks, with the blank line skipped by both.
#[test]
fn serve_ndjson_push_names_bad_lines_as_produce_stdin_does() {
    let server = redis();
    let body: &[u8] = b"{\"type\":\"a\",\"priority\":1,\"id\":\"ok-1\"}\n\n\
        {\"type\":\"t\xff\",\"priority\":1}\nnot json\n[1]\n\
        {\"type\":\"b\",\"priority\":3,\"id\":\"ok-2\"}\n";
    let out = rpq(&server)
        .args(["--queue", "cli", "--json", "produce", "--stdin"])
        .write_stdin(body)
        .assert()
        .code(65);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let cli: Vec<(u64, String)> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("line "))
        .map(|l| {
            let (n, why) = l.split_once(": ").unwrap();
            (n.parse().unwrap(), why.to_string())
        })
        .collect();
    let queued = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    let cli_ids = queued(&ndjson(&out.get_output().stdout));

    let s = Serve::start(&server, &[]);
    let r = Reply::from(
        Serve::agent()
            .post(s.url("/api/queues/api/tasks"))
            .header("Content-Type", "application/x-ndjson")
            .send(body),
    )
    .expect(400)
    .json();
    let api: Vec<(u64, String)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let why = e["error"].as_str().unwrap().to_string();
            (e["line"].as_u64().unwrap(), why)
        })
        .collect();
    assert_eq!(api, cli, "{stderr}");
    assert_eq!(api.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(queued(r["tasks"].as_array().unwrap()), cli_ids);
    assert_eq!(cli_ids, ["ok-1", "ok-2"]);
}

#[test]
fn serve_counts_and_lists_match_the_cli() {
    let server = redis();
    make_dead(&server, "jobs", 2);
    crate::support::push_lines(&server, "jobs", &[task_lines(30, "j")]);
    rpq(&server)
        .args(["--queue", "jobs", "consume", "--count", "5", "--name", "w1"])
        .assert()
        .success();
    crate::support::push_lines(&server, "other", &[task_lines(3, "o")]);
    let s = Serve::start(&server, &[]);
    let all = s.get("/api/queues").expect(200).json();
    let names: Vec<&str> = all["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["queue"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["jobs", "other"]);
    for q in ["jobs", "other"] {
        let api = s.get(&format!("/api/queues/{q}")).expect(200).json();
        assert_eq!(counts(&api), counts(&stats_json(&server, q)), "{q}");
        // The same fields as `stats --json`, no more, no fewer.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&api), keys(&stats_json(&server, q)));
    }
    // The waiting list in claim order, paged by its cursor, as `list` shows it.
    let listed = |state: &str| {
        let out = rpq(&server)
            .args(["--queue", "jobs", "--json", "list", "--state", state])
            .assert()
            .success();
        ndjson(&out.get_output().stdout)
    };
    let waiting = listed("waiting");
    assert_eq!(waiting.len(), 25);
    let (mut paged, mut after, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let p = s
            .get(&format!(
                "/api/queues/jobs/tasks?state=waiting&limit=10&after={after}"
            ))
            .expect(200)
            .json();
        assert_eq!((&p["total"], &p["state"]), (&json!(25), &json!("waiting")));
        paged.extend(as_listed(&p));
        pages += 1;
        match p["next"].as_str() {
            Some(next) => {
                assert_eq!(p["more"], json!(true));
                after = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(paged, waiting);
    // Dead tasks with the fields of `list --state dead --json`.
    let dead = s
        .get("/api/queues/jobs/tasks?state=dead")
        .expect(200)
        .json();
    assert_eq!(as_listed(&dead), listed("dead"));
    assert_eq!(dead["tasks"][0]["error"], json!("exit status 3: boom"));
    assert_eq!(dead["next"], Value::Null);
}

#[test]
fn serve_retries_and_purges_dead_tasks() {
    let server = redis();
    make_dead(&server, "q", 3);
    let s = Serve::start(&server, &[]);
    let r = s
        .post("/api/queues/q/dead/retry", &json!({"ids": ["dead-1"]}))
        .expect(200)
        .json();
    assert_eq!(r, json!({"retried": 1}));
    let st = stats_json(&server, "q");
    assert_eq!(
        (st["dead"].as_u64(), st["waiting"].as_u64()),
        (Some(2), Some(1))
    );
    s.post("/api/queues/q/dead/retry", &json!({"ids": ["dead-1"]}))
        .expect(404);
    s.post("/api/queues/q/dead/purge", &json!({})).expect(400);
    let r = s
        .post("/api/queues/q/dead/purge", &json!({"all": true}))
        .expect(200)
        .json();
    assert_eq!(r, json!({"purged": 2}));
    assert_eq!(stats_json(&server, "q")["dead"], json!(0));
    let r = s.post("/api/queues/q/clear", &json!({})).expect(200).json();
    assert_eq!(r["removed"], json!(1));
    rpq(&server)
        .args(["--queue", "q", "len"])
        .assert()
        .success()
        .stdout("0\n");
}

/// `rpq list --state STATE --json` of `queue`.
/// A page's tasks as `rpq list --json` prints them: a list adds `payload_bytes`, the size of
/// the payload (whole here: these are small) as compact JSON.
fn as_listed(page: &Value) -> Vec<Value> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let mut t = t.clone();
            let o = t.as_object_mut().unwrap();
            let size = o
                .remove("payload_bytes")
                .expect("a listed task has payload_bytes");
            assert_eq!(size, json!(o["payload"].to_string().len()), "{t:?}");
            t
        })
        .collect()
}

fn cli_list(server: &RedisServer, queue: &str, state: &str) -> Vec<Value> {
    let out = rpq(server)
        .args(["--queue", queue, "--json", "list", "--state", state])
        .assert()
        .success();
    ndjson(&out.get_output().stdout)
}

fn ids_of(page: &Value) -> Vec<String> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// One task in each of the five states, pushed through the API (with `in`, `at` and `ttl`
/// for later): each state's page as `rpq list` prints it, one task as `rpq show`, moves, and
/// cancels of a waiting and of an in-flight task, which its consumer reports `cancelled`.
#[test]
fn serve_lists_shows_moves_and_cancels_tasks_in_every_state() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    make_dead(&server, "w", 1);
    let s = Serve::start(&server, &[]);
    let push = |t: Value| s.post("/api/queues/w/tasks", &t).expect(201).json();
    // Retrying: failed once, its retry an hour away.
    push(json!({"type": "t", "priority": 1, "id": "r1"}));
    rpq(&server)
        .args(["--queue", "w", "consume", "--count", "1", "--name", "c-r"])
        .args(["--exec", "echo 'no luck' >&2; exit 3", "--backoff", "1h"])
        .assert()
        .success();
    // Scheduled, with the fields of a `produce --stdin` line.
    let s1 = push(json!({"type": "t", "priority": "low", "id": "s1", "in": "1h", "ttl": "2h"}));
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let s2 = push(json!({"type": "t", "priority": 2, "id": "s2", "at": at}));
    assert!(
        s1["due_at"].is_string() && s1["expires_at"].is_string(),
        "{s1}"
    );
    assert!(
        s2["due_at"].is_string() && s2.get("expires_at").is_none(),
        "{s2}"
    );
    s.post(
        "/api/queues/w/tasks",
        &json!({"type": "t", "priority": 1, "in": "1h", "at": at}),
    )
    .expect(400);
    // Waiting, and one to be held: h1 is high, so the consumer takes it first.
    push(json!({"type": "t", "priority": "low", "id": "w1"}));
    push(json!({"type": "t", "priority": "low", "id": "job/1 ü"}));
    push(json!({"type": "t", "priority": "high", "id": "h1"}));
    let holder = Proc::spawn(
        crate::support::process(&server)
            .args(["--queue", "w", "--json", "consume", "--name", "w9"])
            .args([
                "--exec",
                r#"if [ "$RPQ_TASK_ID" = h1 ]; then exec sleep 30; fi"#,
            ]),
    );
    crate::support::wait_in_flight(&mut c, "w", 1);

    // Every state, as `rpq list` prints it.
    let page = |state: &str| {
        s.get(&format!("/api/queues/w/tasks?state={state}"))
            .expect(200)
            .json()
    };
    for state in ["waiting", "scheduled", "retrying", "dead"] {
        let p = page(state);
        assert_eq!(as_listed(&p), cli_list(&server, "w", state), "{state}");
        assert_eq!((&p["state"], &p["more"]), (&json!(state), &json!(false)));
    }
    assert_eq!(ids_of(&page("waiting")), ["w1", "job/1 ü"]);
    assert_eq!(ids_of(&page("scheduled")), ["s1", "s2"], "due order");
    let r1 = &page("retrying")["tasks"][0];
    assert_eq!((&r1["id"], &r1["attempt"]), (&json!("r1"), &json!(1)));
    assert!(r1["retry_at"].is_string() && r1["error"].as_str().unwrap().contains("no luck"));
    let held = page("in-flight");
    assert_eq!(ids_of(&held), ["h1"]);
    let h = &held["tasks"][0];
    assert_eq!(
        (&h["consumer"], &h["state"]),
        (&json!("w9"), &json!("in-flight"))
    );
    assert!(
        crate::support::time(&h["lease_until"]) > crate::support::time(&h["claimed_at"]),
        "{h}"
    );
    assert_eq!(h["max_attempts"], json!(3));
    assert!(page("dead")["tasks"][0]["died_at"].is_string());
    // Filters: by priority and by type.
    let low = s
        .get("/api/queues/w/tasks?state=waiting&priority=low&limit=1")
        .expect(200)
        .json();
    assert_eq!(
        (ids_of(&low), &low["next"]),
        (vec!["w1".to_string()], &json!("w1"))
    );
    let none = s
        .get("/api/queues/w/tasks?state=scheduled&type=nothing")
        .expect(200)
        .json();
    assert!(ids_of(&none).is_empty());

    // One task, as `rpq show` prints it; an id with a slash and a space, encoded in the path.
    let show = |id: &str| {
        let out = rpq(&server)
            .args(["--queue", "w", "--json", "show", id])
            .assert()
            .success();
        ndjson(&out.get_output().stdout).remove(0)
    };
    for id in ["s1", "r1", "dead-0"] {
        assert_eq!(
            s.get(&format!("/api/queues/w/tasks/{id}"))
                .expect(200)
                .json(),
            show(id)
        );
    }
    let odd = s
        .get("/api/queues/w/tasks/job%2F1%20%C3%BC")
        .expect(200)
        .json();
    assert_eq!(
        (&odd["id"], &odd["state"]),
        (&json!("job/1 ü"), &json!("waiting"))
    );
    assert_eq!(
        s.get("/api/queues/w/tasks/h1").expect(200).json()["consumer"],
        json!("w9")
    );

    // Moves: a new priority keeps the task waiting; now makes a scheduled or retrying one due.
    let moved = s
        .post(
            "/api/queues/w/tasks/job%2F1%20%C3%BC/move",
            &json!({"priority": "high"}),
        )
        .expect(200)
        .json();
    assert_eq!(
        (&moved["priority"], &moved["state"]),
        (&json!(1), &json!("waiting"))
    );
    assert_eq!(ids_of(&page("waiting")), ["job/1 ü", "w1"]);
    let due = s
        .post(
            "/api/queues/w/tasks/s2/move",
            &json!({"now": true, "priority": 3}),
        )
        .expect(200)
        .json();
    assert_eq!(
        (&due["state"], &due["priority"]),
        (&json!("waiting"), &json!(3))
    );
    let r = s
        .post("/api/queues/w/tasks/h1/move", &json!({"priority": 2}))
        .expect(409)
        .json();
    assert_eq!(r["consumer"], json!("w9"));

    // Cancels: a waiting task is gone; the one in flight is stopped by its consumer.
    let gone = s.delete("/api/queues/w/tasks/w1").expect(200).json();
    assert_eq!(gone, json!({"id": "w1", "state": "waiting"}));
    s.get("/api/queues/w/tasks/w1").expect(404);
    let stopping = s.delete("/api/queues/w/tasks/h1").expect(200).json();
    assert_eq!(
        stopping,
        json!({"id": "h1", "state": "in-flight", "consumer": "w9"})
    );
    wait_until(Duration::from_secs(10), "the consumer to report h1", || {
        holder.stdout_lines().iter().any(|l| l.contains("\"h1\""))
    });
    holder.signal(libc::SIGTERM);
    let out = holder.end(Duration::from_secs(20));
    assert!(out.status.success(), "{}", out.stderr);
    let outcomes: BTreeMap<String, String> = ndjson(&out.stdout)
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(outcomes["h1"], "cancelled", "{outcomes:?}");
    s.get("/api/queues/w/tasks/h1").expect(404);
    s.delete("/api/queues/w/tasks/h1").expect(404);
}

#[test]
fn serve_errors_are_json_with_the_right_status() {
    let server = redis();
    make_dead(&server, "q", 1);
    crate::support::push_lines(&server, "q", &[task_lines(2, "t")]);
    let s = Serve::start(&server, &[]);
    // Bad JSON, a bad task, a missing content type.
    s.send(
        "POST",
        "/api/queues/q/tasks",
        "application/json",
        "{\"type\":",
    )
    .expect(400);
    s.post("/api/queues/q/tasks", &json!({"type": "x", "priority": 0}))
        .expect(400);
    s.send("POST", "/api/queues/q/tasks", "text/plain", "{}")
        .expect(415);
    s.send("POST", "/api/queues/q/dead/retry", "application/json", "[")
        .expect(400);
    s.send(
        "POST",
        "/api/queues/q/dead/retry",
        "text/plain",
        "{\"all\":true}",
    )
    .expect(415);
    s.post("/api/queues/q/dead/retry", &json!({"all": true, "more": 1}))
        .expect(400);
    // Unknown queue, id, route; a bad name, state or page.
    s.get("/api/queues/nope").expect(404);
    s.get("/api/queues/nope/tasks?state=waiting").expect(404);
    s.post("/api/queues/nope/dead/retry", &json!({"all": true}))
        .expect(404);
    s.post("/api/queues/q/dead/purge", &json!({"ids": ["no-such-id"]}))
        .expect(404);
    s.get("/api/nothing").expect(404);
    s.get("/api/queues/bad%20name").expect(400);
    s.get("/api/queues/q/tasks?state=done").expect(400);
    s.get("/api/queues/q/tasks").expect(400);
    s.get("/api/queues/q/tasks?state=waiting&limit=100000")
        .expect(400);
    s.get("/api/queues/q/tasks?state=waiting&limit=0")
        .expect(400);
    s.get("/api/queues/q/tasks?state=waiting&offset=10")
        .expect(400);
    s.get("/api/queues/q/tasks?state=waiting&priority=urgent")
        .expect(400);
    // A cursor that is not in the state: list from the start.
    let r = s
        .get("/api/queues/q/tasks?state=waiting&after=dead-0")
        .expect(409);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("list from the start"));
    // Unknown ids, and actions that cannot be done.
    s.get("/api/queues/q/tasks/no-such-id").expect(404);
    s.get("/api/queues/nope/tasks/t0").expect(404);
    s.delete("/api/queues/q/tasks/no-such-id").expect(404);
    s.post("/api/queues/q/tasks/no-such-id/move", &json!({"now": true}))
        .expect(404);
    s.post("/api/queues/q/tasks/t0/move", &json!({}))
        .expect(400);
    s.post("/api/queues/q/tasks/t0/move", &json!({"priority": 9}))
        .expect(400);
    s.post(
        "/api/queues/q/tasks/t0/move",
        &json!({"priority": "high", "at": 1}),
    )
    .expect(400);
    let r = s
        .post("/api/queues/q/tasks/dead-0/move", &json!({"priority": 1}))
        .expect(409);
    assert!(r.json()["error"].as_str().unwrap().contains("dead/retry"));
    // Pause and resume check their bodies; ?wait its parameters, before anything is pushed.
    s.post("/api/queues/q/pause", &json!({"for": "soon"}))
        .expect(400);
    s.post("/api/queues/q/pause", &json!({"for": 0}))
        .expect(400);
    s.post("/api/queues/q/pause", &json!({"priority": 9}))
        .expect(400);
    s.post("/api/queues/q/pause", &json!({"until": "10m"}))
        .expect(400);
    s.post("/api/queues/nope/pause", &json!({})).expect(404);
    s.post("/api/queues/q/resume", &json!({"priority": "urgent"}))
        .expect(400);
    s.post("/api/queues/nope/resume", &json!({})).expect(404);
    let one = json!({"type": "x", "priority": 1, "id": "never-pushed"});
    for query in [
        "wait=maybe",
        "timeout=1s",
        "wait&timeout=soon",
        "wait&timeout=0",
        "wait&timeout=2h",
        "wait&for=1s",
    ] {
        s.post(&format!("/api/queues/q/tasks?{query}"), &one)
            .expect(400);
    }
    let r = s
        .send(
            "POST",
            "/api/queues/q/tasks?wait",
            "application/x-ndjson",
            &task_lines(2, "batch"),
        )
        .expect(400);
    assert!(r.json()["error"].as_str().unwrap().contains("one task"));
    s.get("/api/queues/q/tasks/never-pushed").expect(404);
    s.get("/api/queues/q/tasks/never-pushed/result").expect(404);
    s.get("/api/queues/q/tasks/t0/result?wait=maybe")
        .expect(400);
    s.get("/api/queues/nope/tasks/t0/result").expect(404);
    let r = s.get("/api/queues/q/tasks/t0/result").expect(404);
    assert!(r.json()["error"].as_str().unwrap().contains("not done yet"));
    let info = s.get("/api/info").expect(200).json();
    assert_eq!(
        info["features"],
        json!({"states": ["waiting", "scheduled", "in-flight", "retrying", "dead", "blocked"],
               "show": true, "cancel": true, "move": true, "pause": true, "wait": true})
    );
    // A state change by GET is refused and changes nothing.
    let r = s.get("/api/queues/q/dead/retry").expect(405);
    assert!(r.json()["error"].as_str().unwrap().contains("POST"));
    s.get("/api/queues/q/clear").expect(405);
    s.get("/api/queues/q/tasks/t0/move").expect(405);
    s.get("/api/queues/q/pause").expect(405);
    s.get("/api/queues/q/resume").expect(405);
    assert_eq!(counts(&stats_json(&server, "q"))["dead"], json!(1));
    assert_eq!(stats_json(&server, "q")["paused"], json!([]));
    assert_eq!(counts(&stats_json(&server, "q"))["waiting"], json!(2));
    // A body over the limit: 413 from its Content-Length, before any of it is sent (with
    // `Expect: 100-continue`, as curl sends for a large body; without it, a client still
    // writing when the answer comes may see the connection closed instead), and nothing pushed.
    let big = format!(
        "{{\"type\":\"t\",\"priority\":1,\"payload\":\"{}\"}}",
        "x".repeat(5 << 20)
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_await_100(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let r = Reply::from(
        agent
            .post(s.url("/api/queues/q/tasks"))
            .header("Content-Type", "application/json")
            .header("Expect", "100-continue")
            .send(&big),
    )
    .expect(413);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("over the limit"));
    assert_eq!(counts(&stats_json(&server, "q"))["waiting"], json!(2));
    // Every answer carries the policy that forbids inline script.
    let r = s.get("/");
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
}

/// Pause and resume through the API, under a running consumer: after the pause answers, the
/// consumer claims nothing (by the server's clock) until the resume, which wakes it at once;
/// stats and /metrics show what is paused; a pause of one priority for a while ends on the
/// server's clock, as `rpq pause --for` does.
#[test]
fn serve_pause_stops_a_running_consumer_and_resume_lets_it_go() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    crate::support::push_lines(&server, "q", &[task_lines(200, "p")]);
    let s = Serve::start(&server, &[]);
    let consumer = Proc::start(
        &server,
        &[
            "--queue", "q", "--json", "consume", "--name", "c1", "--delay", "10ms",
        ],
    );
    wait_until(Duration::from_secs(20), "some tasks done", || {
        crate::support::stat(&mut c, "q", "done") >= 20
    });
    let r = s.post("/api/queues/q/pause", &json!({})).expect(200).json();
    let paused_at = crate::support::server_ms(&mut c);
    let every = json!([{"priority": 1, "until": null}, {"priority": 2, "until": null},
                       {"priority": 3, "until": null}]);
    assert_eq!(r, json!({"queue": "q", "paused": every}));
    // The task in hand is finished, then a claim finds nothing it may take.
    wait_until(
        Duration::from_secs(10),
        "the consumer to claim again",
        || {
            crate::support::in_flight(&mut c, "q") == 0
                && crate::support::last_seen(&mut c, "q", "c1") > paused_at
        },
    );
    let done = crate::support::stat(&mut c, "q", "done");
    assert!(done < 200, "the pause came too late to hold anything back");
    assert_eq!(stats_json(&server, "q")["paused"], every);
    assert_eq!(s.get("/api/queues/q").expect(200).json()["paused"], every);
    let m = Exposition::parse(&s.get("/metrics").expect(200).text);
    for p in ["1", "2", "3"] {
        assert_eq!(
            m.value("rpq_paused", &[("queue", "q"), ("priority", p)]),
            1.0
        );
    }

    let resumed_at = crate::support::server_ms(&mut c);
    let r = s
        .post("/api/queues/q/resume", &json!({}))
        .expect(200)
        .json();
    assert_eq!(r, json!({"queue": "q", "paused": []}));
    wait_until(Duration::from_secs(30), "every task done", || {
        crate::support::stat(&mut c, "q", "done") == 200
    });
    consumer.signal(libc::SIGTERM);
    let lines = ndjson(&consumer.success(Duration::from_secs(20)));
    let claimed = |l: &Value| crate::support::time(&l["claimed_at"]).timestamp_millis();
    let between: Vec<&Value> = lines
        .iter()
        .filter(|l| (paused_at..resumed_at).contains(&claimed(l)))
        .collect();
    assert!(between.is_empty(), "claimed while paused: {between:?}");
    // Woken by the resume, not by its next idle look (5 s later).
    let first = lines
        .iter()
        .map(claimed)
        .filter(|&t| t >= resumed_at)
        .min()
        .expect("a claim after the resume");
    assert!(
        first - resumed_at < 1000,
        "claimed {} ms after the resume",
        first - resumed_at
    );
    let m = Exposition::parse(&s.get("/metrics").expect(200).text);
    assert_eq!(
        m.value("rpq_paused", &[("queue", "q"), ("priority", "1")]),
        0.0
    );

    // One priority for ten minutes, on the server's clock; then resumed alone.
    let before = crate::support::server_ms(&mut c);
    let r = s
        .post(
            "/api/queues/q/pause",
            &json!({"priority": "low", "for": "10m"}),
        )
        .expect(200)
        .json();
    let after = crate::support::server_ms(&mut c);
    assert_eq!(r["paused"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["paused"][0]["priority"], json!(3));
    let until = crate::support::time(&r["paused"][0]["until"]).timestamp_millis();
    assert!(
        (before + 600_000..=after + 600_000).contains(&until),
        "{until} is not ten minutes after {before}..{after}"
    );
    s.post("/api/queues/q/pause", &json!({"priority": 1}))
        .expect(200);
    let r = s
        .post("/api/queues/q/resume", &json!({"priority": 3}))
        .expect(200)
        .json();
    assert_eq!(r["paused"], json!([{"priority": 1, "until": null}]));
    assert_eq!(stats_json(&server, "q")["paused"], r["paused"]);
}

#[test]
fn serve_queue_flag_narrows_it_to_one_queue() {
    let server = redis();
    crate::support::push_lines(&server, "a", &[task_lines(2, "a")]);
    crate::support::push_lines(&server, "b", &[task_lines(3, "b")]);
    let s = Serve::start(&server, &["--queue", "b", "serve"]);
    let all = s.get("/api/queues").expect(200).json();
    assert_eq!(all["queues"].as_array().unwrap().len(), 1);
    assert_eq!(all["queues"][0]["waiting"], json!(3));
    s.get("/api/queues/a").expect(404);
    assert_eq!(s.get("/api/info").json()["queue"], json!("b"));
}

#[test]
fn serve_on_a_cluster_lists_every_queue_once() {
    let c = Cluster::start(3, 0);
    c.rpq()
        .args(["--queue", "plain", "produce", "--stdin"])
        .write_stdin(task_lines(5, "p"))
        .assert()
        .success();
    c.rpq()
        .args(["--queue", "wide", "--shards", "3", "produce", "--stdin"])
        .write_stdin(task_lines(12, "w"))
        .assert()
        .success();
    let mut cmd = std_command();
    cmd.env_remove("RPQ_SERVE_TOKEN")
        .arg("--cluster")
        .arg("--url")
        .arg(c.url());
    let s = Serve::spawn(cmd);
    let all = s.get("/api/queues").expect(200).json();
    let got: Vec<(&str, u64)> = all["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["queue"].as_str().unwrap(), q["waiting"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, [("plain", 5), ("wide", 12)]);
    let r = s
        .post(
            "/api/queues/wide/tasks",
            &json!({"type": "x", "priority": 1, "id": "new"}),
        )
        .expect(201);
    drop(r);
    assert_eq!(s.get("/api/queues/wide").json()["waiting"], json!(13));
}

/// Issue 19, item 2: a duration or a time past the bounds, in any field of a pushed task or in
/// a query parameter or the body of another route, is a 400 with a JSON error: no panic, no
/// dropped connection, and serve answers the next request (`/healthz`) as before.
#[test]
fn serve_answers_durations_past_the_bounds_with_400_and_stays_up() {
    let server = redis();
    let s = Serve::start(&server, &[]);
    s.post("/api/queues/q/tasks", &json!({"type": "t", "priority": 1}))
        .expect(201);
    let huge = [
        json!(1e20),
        json!(1e308),
        json!(-1),
        json!("NaN"),
        json!("inf"),
        json!(9999999999999999999u64),
        json!("9999999999999999999"),
        json!(1e16),
    ];
    let mut bad = Vec::new();
    for field in ["in", "ttl", "exec_timeout", "keep_result"] {
        for v in &huge {
            bad.push(json!({"type": "t", "priority": 1, field: v}));
        }
    }
    for t in ["+99999-01-01 00:00", "9999-12-31T23:59:59-23:59"] {
        bad.push(json!({"type": "t", "priority": 1, "at": t}));
    }
    for task in &bad {
        let r = s.post("/api/queues/q/tasks", task).expect(400).json();
        assert!(
            r["error"].as_str().unwrap().starts_with("not a task: "),
            "{r}"
        );
    }
    // In a batch: the bad lines named, the good one queued.
    let batch = [
        bad[0].to_string(),
        json!({"type": "t", "priority": 2, "id": "good"}).to_string(),
        bad[9].to_string(),
    ]
    .join("\n");
    let r = s
        .send(
            "POST",
            "/api/queues/q/tasks",
            "application/x-ndjson",
            &batch,
        )
        .expect(400)
        .json();
    let errors: Vec<u64> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(errors, [1, 3], "{r}");
    assert_eq!(r["tasks"][0]["id"], "good", "{r}");
    // Query parameters and other bodies.
    for v in ["1e20", "1e308", "NaN", "9999999999999999999"] {
        s.send(
            "POST",
            &format!("/api/queues/q/tasks?wait&timeout={v}"),
            "application/json",
            &json!({"type": "t", "priority": 1}).to_string(),
        )
        .expect(400);
        s.get(&format!("/api/queues/q/tasks/good/result?wait&timeout={v}"))
            .expect(400);
    }
    for v in &huge {
        s.post("/api/queues/q/pause", &json!({ "for": v }))
            .expect(400);
    }
    s.get("/healthz").expect(200);
    let n = rpq(&server)
        .args(["--queue", "q", "len"])
        .assert()
        .success();
    assert_eq!(String::from_utf8_lossy(&n.get_output().stdout), "2\n");
    let (_, stderr) = s.stop();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Finished tasks whose result is kept: the Completed page lists them newest first, in pages
/// that go on from their cursor, and the task route shows a done or dead one as `rpq show`
/// does (on main: no route, and 404 for the task).
#[test]
fn serve_lists_completed_tasks_and_shows_a_finished_one() {
    let server = redis();
    for i in 0..5 {
        // One at a time: each finishes (and its result goes) after the one before.
        finish_kept(&server, "q", &format!("k{i}"), &[], "echo '{\"n\": 1}'");
    }
    finish_kept(
        &server,
        "q",
        "d1",
        &["--max-attempts", "1"],
        "echo boom >&2; exit 3",
    );
    let s = Serve::start(&server, &[]);
    let first = s.get("/api/queues/q/completed?limit=4").expect(200).json();
    let ids = |p: &Value| -> Vec<String> {
        p["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first), ["d1", "k4", "k3", "k2"], "{first}");
    assert_eq!((&first["total"], &first["more"]), (&json!(6), &json!(true)));
    assert_eq!(first["tasks"][0]["outcome"], "dead");
    assert_eq!(first["tasks"][1]["result"], json!({"n": 1}));
    let next = first["next"].as_str().unwrap();
    let second = s
        .get(&format!("/api/queues/q/completed?limit=4&after={next}"))
        .expect(200)
        .json();
    assert_eq!(ids(&second), ["k1", "k0"], "{second}");
    assert_eq!(
        (&second["more"], &second["next"]),
        (&json!(false), &Value::Null)
    );
    s.get("/api/queues/q/completed?limit=0").expect(400);
    s.get("/api/queues/q/completed?after=nope").expect(409);

    let done = s.get("/api/queues/q/tasks/k2").expect(200).json();
    assert_eq!(
        (&done["state"], &done["result"]),
        (&json!("done"), &json!({"n": 1}))
    );
    let dead = s.get("/api/queues/q/tasks/d1").expect(200).json();
    assert_eq!(dead["state"], "dead");
    assert!(dead["error"].as_str().unwrap().contains("boom"), "{dead}");
    s.get("/api/queues/q/tasks/never").expect(404);
}

/// A queue is in the overview and `/metrics` as soon as serve's own push creates it, though
/// both were read (and cached) just before (on main: missing for up to 2 s more).
#[test]
fn serve_shows_a_queue_its_own_push_creates_at_once() {
    let server = redis();
    crate::support::push_lines(&server, "old", &[task_lines(1, "t")]);
    let s = Serve::start(&server, &[]);
    let names = |s: &Serve| -> Vec<String> {
        s.get("/api/queues").expect(200).json()["queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["queue"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&s), ["old"]);
    assert!(!s.get("/metrics").expect(200).text.contains("queue=\"new\""));
    s.post(
        "/api/queues/new/tasks",
        &json!({"type": "t", "priority": 1}),
    )
    .expect(201);
    assert_eq!(names(&s), ["new", "old"]);
    assert!(s.get("/metrics").expect(200).text.contains("queue=\"new\""));
}

/// Schedules and aging in the API, as `rpq schedule list` and `rpq aging` give them; remove,
/// and "fire now", which queues the task at once with an id of its own (`NAME@now-<ms>`) and
/// takes no slot: the next slot is still the one `schedule list` said (on main: no route).
#[test]
fn serve_lists_removes_and_fires_schedules_with_aging() {
    let server = redis();
    let cli = |args: &[&str]| {
        rpq(&server)
            .args(["--queue", "s"])
            .args(args)
            .assert()
            .success();
    };
    cli(&[
        "schedule", "add", "hourly", "--every", "1h", "--type", "report",
    ]);
    cli(&[
        "schedule",
        "add",
        "nightly",
        "--cron",
        "0 3 * * *",
        "--type",
        "r",
        "--tz",
        "Europe/Berlin",
    ]);
    cli(&["aging", "2m"]);
    let listed = rpq(&server)
        .args(["--queue", "s", "--json", "schedule", "list"])
        .assert()
        .success();
    let listed = ndjson(&listed.get_output().stdout);
    let s = Serve::start(&server, &[]);
    let got = s.get("/api/queues/s/schedules").expect(200).json();
    assert_eq!(got["aging_ms"], json!(120_000));
    assert_eq!(got["schedules"], json!(listed), "{got}");

    let fired = s
        .post("/api/queues/s/schedules/hourly/fire", &json!({}))
        .expect(201)
        .json();
    let id = fired["id"].as_str().unwrap();
    assert!(id.starts_with("hourly@now-"), "{fired}");
    assert_eq!(
        (&fired["type"], &fired["queued"]),
        (&json!("report"), &json!(true))
    );
    s.get(&format!("/api/queues/s/tasks/{id}")).expect(200);
    let after = s.get("/api/queues/s/schedules").expect(200).json();
    assert_eq!(
        after["schedules"][0]["next_at"],
        got["schedules"][0]["next_at"]
    );
    assert_eq!(after["schedules"][0]["last_fired_at"], Value::Null);
    s.post("/api/queues/s/schedules/nope/fire", &json!({}))
        .expect(404);
    s.post("/api/queues/s/schedules/hourly/fire", &json!({"x": 1}))
        .expect(400);

    let removed = s
        .delete("/api/queues/s/schedules/nightly")
        .expect(200)
        .json();
    assert_eq!(removed, json!({"name": "nightly", "removed": 1}));
    s.delete("/api/queues/s/schedules/nightly").expect(404);
    let left = s.get("/api/queues/s/schedules").expect(200).json();
    assert_eq!(left["schedules"].as_array().unwrap().len(), 1);
}

/// The Completed pages of a sharded queue whose results share their times (one `-j` batch
/// finishes many in a millisecond): followed from cursor to cursor, every result shows once,
/// none is skipped, and the pages keep newest first across the shards.
#[test]
fn serve_pages_completed_tasks_across_shards_and_ties() {
    let server = redis();
    let lines: Vec<String> = (0..40)
        .map(|i| {
            json!({"type": "t", "priority": 1, "id": format!("c{i:02}"), "keep_result": "1h"})
                .to_string()
        })
        .collect();
    rpq(&server)
        .args(["--queue", "z", "--shards", "4", "produce", "--stdin"])
        .write_stdin(lines.join("\n") + "\n")
        .assert()
        .success();
    rpq(&server)
        .args([
            "--queue", "z", "consume", "--drain", "-j", "8", "--exec", "echo 1",
        ])
        .assert()
        .success();
    let s = Serve::start(&server, &[]);
    let mut seen: Vec<String> = Vec::new();
    let mut after = String::new();
    loop {
        let path = if after.is_empty() {
            "/api/queues/z/completed?limit=7".to_string()
        } else {
            format!("/api/queues/z/completed?limit=7&after={after}")
        };
        let page = s.get(&path).expect(200).json();
        assert_eq!(page["total"], json!(40));
        let times: Vec<&str> = page["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["finished_at"].as_str().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{page}");
        for k in page["tasks"].as_array().unwrap() {
            seen.push(k["id"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((seen.len(), sorted.len()), (40, 40), "{seen:?}");
}
