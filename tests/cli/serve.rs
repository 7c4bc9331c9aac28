//! `rpq serve`: the real binary on a free port against a real redis-server. The JSON API end to
//! end, `/metrics` read by a strict OpenMetrics parser and held to `rpq stats --json`,
//! `/healthz` with Redis stopped, the token, and the page in a real headless Chromium driven
//! through chromedriver (screenshots under target/tmp/serve-screenshots/).

use crate::servers::Cluster;
use crate::support::{bare, ndjson, redis, rpq, std_command, wait_until, Proc};
use rpq::server::{free_port, RedisServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cret-token-for-tests-0123";

/// `rpq serve` on a free loopback port, stopped (SIGTERM, then SIGKILL) on Drop.
pub(crate) struct Serve {
    child: Option<Child>,
    base: String,
    stderr: Arc<Mutex<String>>,
    token: Option<String>,
}

impl Serve {
    pub(crate) fn start(server: &RedisServer, args: &[&str]) -> Serve {
        let mut cmd = std_command();
        cmd.env_remove("RPQ_SERVE_TOKEN")
            .arg("--url")
            .arg(server.url());
        cmd.args(args);
        Serve::spawn(cmd)
    }

    /// Started with `cmd` (rpq ... serve [--listen]); a --listen is added when none is given.
    pub(crate) fn spawn(mut cmd: std::process::Command) -> Serve {
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if !args.iter().any(|a| a == "serve") {
            cmd.arg("serve");
        }
        if !args.iter().any(|a| a == "--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        let token = cmd
            .get_envs()
            .find(|(k, _)| *k == "RPQ_SERVE_TOKEN")
            .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()));
        let mut child = cmd.spawn().expect("spawning rpq serve");
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let base = loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).unwrap();
            assert!(n > 0, "rpq serve exited before listening; stderr: {seen}");
            seen += &line;
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest
                    .split(' ')
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        };
        let stderr = Arc::new(Mutex::new(seen));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        // 0.0.0.0 is answered on loopback too.
        let base = base.replace("0.0.0.0", "127.0.0.1");
        Serve {
            child: Some(child),
            base,
            stderr,
            token,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        let mut req = Serve::agent().get(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Reply::from(req.call())
    }

    pub(crate) fn send(&self, method: &str, path: &str, content_type: &str, body: &str) -> Reply {
        let agent = Serve::agent();
        assert_eq!(method, "POST");
        let mut req = agent
            .post(self.url(path))
            .header("Content-Type", content_type);
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Reply::from(req.send(body))
    }

    pub(crate) fn delete(&self, path: &str) -> Reply {
        let mut req = Serve::agent().delete(self.url(path));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Reply::from(req.call())
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, "application/json", &body.to_string())
    }

    /// Stops it with SIGTERM and returns its exit status and stderr.
    pub(crate) fn stop(mut self) -> (Option<i32>, String) {
        let p = Proc::adopt(self.child.take().unwrap());
        p.signal(libc::SIGTERM);
        let out = p.end(Duration::from_secs(10));
        (out.status.code(), self.stderr.lock().unwrap().clone())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    text: String,
}

impl Reply {
    pub(crate) fn from(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut r = r.unwrap_or_else(|e| panic!("HTTP request failed: {e}"));
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        Reply {
            status: r.status().as_u16(),
            headers,
            text: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the status, and that an error has the one-line JSON message.
    pub(crate) fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "{}", self.text);
        if status >= 400 {
            let msg = self.json()["error"].as_str().unwrap_or("").to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{}", self.text);
        }
        self
    }
}

fn stats_json(server: &RedisServer, queue: &str) -> Value {
    let out = rpq(server)
        .args(["--queue", queue, "--json", "stats"])
        .assert()
        .success();
    ndjson(&out.get_output().stdout).remove(0)
}

fn task_lines(n: usize, prefix: &str) -> String {
    (0..n)
        .map(|i| {
            json!({"type": "t", "priority": 1 + i % 3, "payload": {"n": i}, "id": format!("{prefix}{i}")})
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `n` tasks of `queue` that fail their only attempt: dead, with an error. Call it before
/// anything else waits in the queue: the consumer takes the first `n` in line.
fn make_dead(server: &RedisServer, queue: &str, n: usize) {
    let lines = (0..n)
        .map(|i| {
            json!({"type": "doomed", "priority": 2, "payload": i, "id": format!("dead-{i}")})
                .to_string()
        })
        .collect::<Vec<_>>();
    crate::support::push_lines(server, queue, &lines);
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
        .args(["--exec", "echo boom >&2; exit 3"])
        .assert()
        .success();
}

/// The numbers of `rpq stats --json` that do not move by themselves.
fn counts(v: &Value) -> Value {
    json!({
        "waiting": v["waiting"], "in_flight": v["in_flight"], "retrying": v["retrying"],
        "dead": v["dead"], "pushed": v["pushed"], "done": v["done"], "failed": v["failed"],
        "recovered": v["recovered"], "last_minute": v["last_minute"],
        "consumers": v["consumers"].as_array().map(|c| c.len()),
    })
}

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
        paged.extend(p["tasks"].as_array().unwrap().clone());
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
    assert_eq!(dead["tasks"].as_array().unwrap(), &listed("dead"));
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
        assert_eq!(
            p["tasks"].as_array().unwrap(),
            &cli_list(&server, "w", state),
            "{state}"
        );
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
        json!({"states": ["waiting", "scheduled", "in-flight", "retrying", "dead"],
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

/// When consumer `name` of `queue` last claimed, acked or extended (the consumers hash).
fn last_seen(c: &mut redis::Connection, queue: &str, name: &str) -> i64 {
    let v: Option<String> = redis::cmd("HGET")
        .arg(crate::support::Keys::new(queue, 0).consumers())
        .arg(name)
        .query(c)
        .unwrap();
    v.and_then(|v| v.split('|').next().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
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
        || crate::support::in_flight(&mut c, "q") == 0 && last_seen(&mut c, "q", "c1") > paused_at,
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
    // The same as `rpq result --json` prints.
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

#[test]
fn serve_token_guards_every_request() {
    let server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(2, "t")]);
    let mut cmd = std_command();
    cmd.env("RPQ_SERVE_TOKEN", TOKEN)
        .arg("--url")
        .arg(server.url())
        .arg("serve");
    let mut s = Serve::spawn(cmd);
    s.get("/api/queues").expect(200);
    s.get("/metrics").expect(200);
    let token = s.token.take();
    let r = s.get("/api/queues").expect(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    s.get("/metrics").expect(401);
    s.get("/healthz").expect(401);
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
    let file = dir.path().join("read-token");
    std::fs::write(&file, format!("{READ}\n")).unwrap();
    let mut cmd = std_command();
    cmd.env("RPQ_SERVE_TOKEN", TOKEN)
        .arg("--url")
        .arg(server.url())
        .args(["serve", "--read-token-file"])
        .arg(&file);
    let mut s = Serve::spawn(cmd);
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

/// `rpq serve` with its open-file limit set to `soft`/`hard` before it starts, as a shell's
/// `ulimit -n` does.
fn serve_with_files(
    server: &RedisServer,
    soft: libc::rlim_t,
    hard: libc::rlim_t,
    args: &[&str],
) -> Serve {
    use std::os::unix::process::CommandExt;
    let mut cmd = std_command();
    cmd.env_remove("RPQ_SERVE_TOKEN")
        .arg("--url")
        .arg(server.url())
        .arg("serve")
        .args(args);
    let lim = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent's.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Serve::spawn(cmd)
}

/// Raises this test process's own soft open-file limit to its hard one: it opens thousands.
fn raise_own_files() -> libc::rlim_t {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    }
    lim.rlim_cur
}

/// True once the server has closed `sock` (EOF or a reset), waiting until `deadline`.
fn closed_by_server(sock: &mut std::net::TcpStream, deadline: Instant) -> bool {
    use std::io::{ErrorKind, Read};
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match sock.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if Instant::now() >= deadline {
                    return false;
                }
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn serve_answers_healthz_with_2000_idle_connections_open() {
    use std::io::Write;
    use std::net::{SocketAddr, TcpStream};
    let own = raise_own_files();
    assert!(
        own >= 2_300,
        "this test needs 2,300 open files, the hard limit is {own}"
    );
    let server = redis();
    // The default soft limit of many systems, and no room above it: the cap must hold.
    let s = serve_with_files(&server, 1024, 1024, &["--idle-timeout", "3s"]);
    let addr: SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    let mut idle = Vec::new();
    let mut failed_in_a_row = 0;
    for _ in 0..2000 {
        // A refused or timed-out connect is counted below, not fatal: the backlog is short.
        // A server that no longer accepts at all ends the loop (5 s a try otherwise).
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(sock) => {
                idle.push(sock);
                failed_in_a_row = 0;
            }
            Err(_) if failed_in_a_row == 2 => break,
            Err(_) => failed_in_a_row += 1,
        }
    }
    assert!(idle.len() > 1024, "only {} connections opened", idle.len());
    // And some that send half a header, a byte at a time.
    let mut slow: Vec<TcpStream> = (0..20)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        .collect();
    for sock in &mut slow {
        let _ = sock.write_all(b"GET /api/queues HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    }
    for _ in 0..3 {
        for sock in &mut slow {
            let _ = sock.write_all(b"a");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let quick = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build();
    let quick: ureq::Agent = quick.into();
    let mut answered = 0;
    for _ in 0..6 {
        if let Ok(r) = quick.get(s.url("/healthz")).call() {
            answered += usize::from(r.status() == 200);
        }
    }
    assert_eq!(answered, 6, "/healthz answered {answered} of 6 times");
    s.get("/api/queues").expect(200);
    // Every idle and slow connection is closed by the server, by the cap or the idle timeout.
    let deadline = Instant::now() + Duration::from_secs(30);
    let open = idle
        .iter_mut()
        .chain(slow.iter_mut())
        .map(|sock| !closed_by_server(sock, deadline))
        .filter(|open| *open)
        .count();
    assert_eq!(open, 0, "{open} idle connections still open after 30 s");
    s.get("/healthz").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("at most 512 connections at once"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn serve_out_of_file_descriptors_backs_off_and_still_answers() {
    use std::net::{SocketAddr, TcpStream};
    raise_own_files();
    let server = redis();
    // A cap above what 64 files allow: accepts fail with EMFILE, the case the cap avoids.
    let s = serve_with_files(&server, 64, 64, &["--max-connections", "1000"]);
    let addr: SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    let idle: Vec<TcpStream> = (0..200)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        .collect();
    assert!(idle.len() > 64, "only {} connections opened", idle.len());
    for _ in 0..3 {
        s.get("/healthz").expect(200);
    }
    s.get("/api/queues").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let notes = stderr.matches("cannot accept a connection").count();
    assert!(
        (1..=2).contains(&notes),
        "{notes} notes of accept errors: {stderr}"
    );
    assert!(stderr.contains("Too many open files"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn serve_closes_idle_keep_alives_and_slow_headers_after_the_idle_timeout() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let server = redis();
    // A soft limit under the hard one is raised to it at start.
    let s = serve_with_files(&server, 512, 1024, &["--idle-timeout", "1s"]);
    let addr = s.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut quiet = TcpStream::connect(&addr).unwrap();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: ").unwrap();
    // A keep-alive that was answered once, then says nothing.
    let mut kept = TcpStream::connect(&addr).unwrap();
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let deadline = Instant::now() + Duration::from_secs(20);
    for (name, sock) in [
        ("quiet", &mut quiet),
        ("slow", &mut slow),
        ("kept", &mut kept),
    ] {
        assert!(
            closed_by_server(sock, deadline),
            "the {name} connection is still open"
        );
    }
    // Not before the timeout: the server measured it, not the test's speed.
    assert!(started.elapsed() >= Duration::from_millis(900));
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("raised the soft limit from 512 to 1024"),
        "{stderr}"
    );
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

/// systemd's notify protocol: READY=1 once it serves, then WATCHDOG=1 from the thread that
/// serves, no closer than half the interval.
#[test]
fn serve_tells_systemd_it_is_ready_and_alive() {
    use crate::support::NotifySocket;
    let server = redis();
    let notify = NotifySocket::new();
    let path = &notify.path;
    let recv = || notify.recv();
    let mut cmd = std_command();
    cmd.env("NOTIFY_SOCKET", path)
        .env("WATCHDOG_USEC", "200000")
        .arg("--url")
        .arg(server.url());
    let s = Serve::spawn(cmd);
    assert_eq!(recv(), "READY=1");
    s.get("/healthz").expect(200);
    // Counted over one second rather than timed ping to ping (a loaded machine reads a ping
    // late, which shortens the next gap as seen here): at most one a half interval (100 ms)
    // was sent in it, plus one due at its start, and the thread is alive, so some come.
    let pings = notify.datagrams_for(Duration::from_secs(1));
    assert!(pings.iter().all(|p| p == "WATCHDOG=1"), "{pings:?}");
    assert!((2..=11).contains(&pings.len()), "{pings:?}");
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// `rpq serve` started before its Redis serves at once (/healthz 503, the page says Redis is
/// unreachable), waits for Redis with a reconnect's backoff and lines, and tells systemd it
/// is READY only once Redis answered; /healthz is 200 from then on.
#[test]
fn serve_started_before_redis_is_ready_once_redis_answers() {
    use crate::support::NotifySocket;
    let port = free_port().unwrap();
    let notify = NotifySocket::new();
    let mut cmd = std_command();
    cmd.env("NOTIFY_SOCKET", &notify.path)
        .args(["--url", &format!("redis://127.0.0.1:{port}")]);
    let s = Serve::spawn(cmd);
    s.get("/healthz").expect(503);
    assert!(notify.datagrams_for(Duration::from_millis(300)).is_empty());
    let _r = RedisServer::start_on(port, &[]).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(notify.recv(), "READY=1");
    s.get("/healthz").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("does not answer"), "{stderr}");
    assert!(stderr.contains("connected to redis"), "{stderr}");
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
fn serve_works_as_the_readme_acl_user() {
    let server = redis();
    make_dead(&server, "q", 1);
    let line = include_str!("../../docs/running.md")
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

/// The OpenMetrics text format, read strictly: each family declared once (HELP, TYPE) before
/// its samples, samples named as their type allows (`_total` for a counter), label values
/// quoted and escaped, float values, one `# EOF` at the very end.
struct Exposition {
    types: BTreeMap<String, String>,
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Exposition {
    fn parse(text: &str) -> Exposition {
        assert!(text.ends_with("# EOF\n"), "no # EOF at the end");
        let body = &text[..text.len() - "# EOF\n".len()];
        let mut e = Exposition {
            types: BTreeMap::new(),
            samples: Vec::new(),
        };
        let mut helped = BTreeMap::new();
        let mut current: Option<String> = None;
        let is_name = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        };
        for line in body.lines() {
            assert!(!line.is_empty(), "blank line");
            if let Some(meta) = line.strip_prefix("# ") {
                let mut parts = meta.splitn(3, ' ');
                let (kind, name, rest) =
                    (parts.next().unwrap(), parts.next().unwrap(), parts.next());
                assert!(is_name(name), "bad family name in {line}");
                match kind {
                    "HELP" => {
                        assert!(
                            helped
                                .insert(name.to_string(), rest.unwrap_or(""))
                                .is_none(),
                            "two HELP for {name}"
                        );
                    }
                    "TYPE" => {
                        let t = rest.unwrap();
                        assert!(
                            [
                                "counter",
                                "gauge",
                                "info",
                                "histogram",
                                "summary",
                                "unknown",
                                "stateset",
                                "gaugehistogram"
                            ]
                            .contains(&t),
                            "{line}"
                        );
                        assert!(
                            e.types.insert(name.to_string(), t.to_string()).is_none(),
                            "two TYPE for {name}"
                        );
                        assert!(
                            !e.samples.iter().any(|s| s.0.starts_with(name)),
                            "TYPE {name} after its samples"
                        );
                        current = Some(name.to_string());
                    }
                    "UNIT" => {}
                    other => panic!("unknown line kind {other}: {line}"),
                }
                continue;
            }
            let (name, rest) = match line.find(['{', ' ']) {
                Some(i) => line.split_at(i),
                None => panic!("no value: {line}"),
            };
            assert!(is_name(name), "bad sample name: {line}");
            let family = current
                .as_deref()
                .unwrap_or_else(|| panic!("sample before any TYPE: {line}"));
            let want = match e.types[family].as_str() {
                "counter" => vec![format!("{family}_total"), format!("{family}_created")],
                _ => vec![family.to_string()],
            };
            assert!(
                want.contains(&name.to_string()),
                "{name} is not a sample of {family}"
            );
            let mut labels = BTreeMap::new();
            let mut rest = rest;
            if let Some(r) = rest.strip_prefix('{') {
                let mut chars = r.char_indices().peekable();
                let end;
                loop {
                    let start = chars.peek().map(|(i, _)| *i).unwrap();
                    let mut key = String::new();
                    for (_, c) in chars.by_ref() {
                        if c == '=' {
                            break;
                        }
                        key.push(c);
                    }
                    assert!(
                        is_name(&key) && !key.contains(':'),
                        "bad label name at {start} in {line}"
                    );
                    assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                    let mut value = String::new();
                    loop {
                        match chars.next().map(|(_, c)| c) {
                            Some('\\') => match chars.next().map(|(_, c)| c) {
                                Some('\\') => value.push('\\'),
                                Some('"') => value.push('"'),
                                Some('n') => value.push('\n'),
                                other => panic!("bad escape {other:?} in {line}"),
                            },
                            Some('"') => break,
                            Some(c) => value.push(c),
                            None => panic!("unterminated label value in {line}"),
                        }
                    }
                    assert!(
                        labels.insert(key, value).is_none(),
                        "a label twice in {line}"
                    );
                    match chars.next() {
                        Some((_, ',')) => continue,
                        Some((i, '}')) => {
                            end = i;
                            break;
                        }
                        other => panic!("bad label list at {other:?} in {line}"),
                    }
                }
                rest = &r[end + 1..];
            }
            let value = rest
                .strip_prefix(' ')
                .unwrap_or_else(|| panic!("no space before the value: {line}"));
            let mut parts = value.split(' ');
            let v: f64 = parts
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|_| panic!("bad value: {line}"));
            if let Some(ts) = parts.next() {
                ts.parse::<f64>()
                    .unwrap_or_else(|_| panic!("bad timestamp: {line}"));
            }
            assert!(parts.next().is_none(), "trailing text: {line}");
            e.samples.push((name.to_string(), labels, v));
        }
        for family in e.types.keys() {
            assert!(helped.contains_key(family), "no HELP for {family}");
        }
        e
    }

    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let found: Vec<f64> = self
            .samples
            .iter()
            .filter(|(n, l, _)| n == name && *l == want)
            .map(|(_, _, v)| *v)
            .collect();
        assert_eq!(found.len(), 1, "{name}{labels:?}: {found:?}");
        found[0]
    }
}

#[test]
fn serve_metrics_parse_and_match_stats() {
    let server = redis();
    make_dead(&server, "m1", 2);
    crate::support::push_lines(&server, "m1", &[task_lines(40, "a")]);
    rpq(&server)
        .args(["--queue", "m1", "consume", "--count", "4", "--name", "w"])
        .assert()
        .success();
    rpq(&server)
        .args(["--queue", "m2", "--shards", "3", "produce", "--stdin"])
        .write_stdin(task_lines(9, "s"))
        .assert()
        .success();
    // Two for later, on two shards at most: scheduled, summed over the shards.
    rpq(&server)
        .args(["--queue", "m2", "produce", "--stdin"])
        .write_stdin(
            "{\"type\":\"t\",\"priority\":1,\"in\":\"1h\",\"id\":\"later-1\"}\n\
             {\"type\":\"t\",\"priority\":1,\"in\":3600,\"id\":\"later-2\"}\n",
        )
        .assert()
        .success();
    // Controls: a paused priority, a cap on a type whose name needs escaping, a rate on every
    // task of the sharded queue (split over its shards, shown as asked).
    let odd = "a\"b\\c} x=\"1";
    rpq(&server)
        .args(["--queue", "m1", "pause", "--priority", "low"])
        .assert()
        .success();
    rpq(&server)
        .args([
            "--queue",
            "m1",
            "limit",
            "--type",
            odd,
            "--max-in-flight",
            "3",
        ])
        .assert()
        .success();
    rpq(&server)
        .args(["--queue", "m2", "limit", "--rate", "30/2s", "--burst", "9"])
        .assert()
        .success();
    let s = Serve::start(&server, &[]);
    let r = s.get("/metrics").expect(200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let m = Exposition::parse(&r.text);
    assert_eq!(m.value("rpq_redis_up", &[]), 1.0);
    assert_eq!(m.types["rpq_tasks_done"], "counter");
    assert_eq!(m.types["rpq_tasks_waiting"], "gauge");
    for q in ["m1", "m2"] {
        let st = stats_json(&server, q);
        let n = |v: &Value| v.as_u64().unwrap() as f64;
        for (p, name) in [("1", "high"), ("2", "medium"), ("3", "low")] {
            let got = m.value("rpq_tasks_waiting", &[("queue", q), ("priority", p)]);
            assert_eq!(got, n(&st[name]), "{q} {name}");
        }
        for (metric, field) in [
            ("rpq_tasks_in_flight", "in_flight"),
            ("rpq_tasks_retrying", "retrying"),
            ("rpq_tasks_dead", "dead"),
            ("rpq_tasks_scheduled", "scheduled"),
            ("rpq_tasks_pushed_total", "pushed"),
            ("rpq_tasks_done_total", "done"),
            ("rpq_tasks_failed_total", "failed"),
            ("rpq_tasks_recovered_total", "recovered"),
        ] {
            assert_eq!(
                m.value(metric, &[("queue", q)]),
                n(&st[field]),
                "{q} {metric}"
            );
        }
        let consumers = st["consumers"].as_array().unwrap().len() as f64;
        assert_eq!(m.value("rpq_consumers_seen", &[("queue", q)]), consumers);
        let oldest = m.value("rpq_oldest_waiting_seconds", &[("queue", q)]);
        let cli = n(&st["oldest_waiting_ms"]) / 1000.0;
        assert!(
            oldest > 0.0 && (oldest - cli).abs() < 5.0,
            "{q}: {oldest} vs {cli}"
        );
    }
    for (q, p, on) in [("m1", "1", 0.0), ("m1", "3", 1.0), ("m2", "3", 0.0)] {
        assert_eq!(m.value("rpq_paused", &[("queue", q), ("priority", p)]), on);
    }
    let limit = [("queue", "m1"), ("type", odd)];
    assert_eq!(m.value("rpq_limit_max_in_flight", &limit), 3.0);
    assert_eq!(m.value("rpq_limit_in_flight", &limit), 0.0);
    let every = [("queue", "m2"), ("type", "")];
    assert_eq!(m.value("rpq_limit_rate_per_second", &every), 15.0);
    assert_eq!(m.value("rpq_limit_burst", &every), 9.0);
    assert!(
        !m.samples
            .iter()
            .any(|(n, l, _)| n == "rpq_limit_rate_per_second" && l["queue"] == "m1"),
        "m1 has no rate"
    );
    assert_eq!(m.value("rpq_tasks_pushed_total", &[("queue", "m2")]), 11.0);
    assert_eq!(m.value("rpq_tasks_scheduled", &[("queue", "m2")]), 2.0);
    // One scrape reads counters and set sizes: a few commands a queue shard, no scan of tasks.
    let mut c = crate::support::conn(&server);
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut c).unwrap();
    for _ in 0..10 {
        s.get("/metrics").expect(200);
    }
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut c)
        .unwrap();
    let calls: BTreeMap<String, u64> = info
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let n = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_string(), n))
        })
        .filter(|(name, _)| name != "info" && name != "config|resetstat")
        .collect();
    eprintln!("commands for 10 scrapes of 2 queues (4 shards): {calls:?}");
    for scan in ["keys", "hscan", "zscan", "sscan", "hkeys", "hvals"] {
        assert!(!calls.contains_key(scan), "{scan} in a scrape: {calls:?}");
    }
    // Per shard: 3 ZCOUNT, 4 ZCARD (scheduled too), 3 HGETALL (counters, consumers and the
    // controls of issue 13: pauses and limits), the oldest script (1 + 3 ZRANGEBYSCORE + an HGET
    // per priority that waits); per queue one TIME and one HGET of its settings (aging); now
    // and then a SCAN for the names. A limited type's line (m1 has one) adds 3 ZCOUNT and 3
    // ZRANGEBYSCORE in the same round trips; the paused priorities and the limits shown cost
    // nothing more: they are in the controls hash read anyway.
    let total: u64 = calls.values().sum();
    assert!(
        total <= 10 * (4 * 17 + 2 * 2 + 1 + 6),
        "{total} commands: {calls:?}"
    );
}

#[test]
fn serve_healthz_follows_redis() {
    let mut server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(2, "t")]);
    let s = Serve::start(&server, &[]);
    s.get("/healthz").expect(200);
    server.kill();
    s.get("/healthz").expect(503);
    let r = s.get("/api/queues").expect(503);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("redis is unreachable"),
        "{}",
        r.text
    );
    let m = Exposition::parse(&s.get("/metrics").expect(200).text);
    assert_eq!(m.value("rpq_redis_up", &[]), 0.0);
    // Back again: the next request reconnects.
    server.restart().unwrap();
    wait_until(Duration::from_secs(10), "healthz to answer 200", || {
        s.get("/healthz").status == 200
    });
    s.get("/api/queues").expect(200);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
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

// --- in a real browser --------------------------------------------------------------------

/// Headless Chromium through chromedriver, driven by fantoccini on a small runtime of its own;
/// the methods block, so the tests read top to bottom.
struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<fantoccini::Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| {
                panic!("chromium is not installed; run .ci/install-deps (Debian: chromium, chromium-driver)")
            });
        let port = free_port().unwrap();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start chromedriver ({e}); run .ci/install-deps (Debian: chromium-driver)")
            });
        wait_until(Duration::from_secs(20), "chromedriver to listen", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "browserName": "chrome",
            // An alert must stay open for the test to see it, not be dismissed for us.
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let caps = caps.as_object().unwrap().clone();
        let client = rt
            .block_on(
                fantoccini::ClientBuilder::new(
                    hyper_util::client::legacy::connect::HttpConnector::new(),
                )
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
            )
            .unwrap_or_else(|e| panic!("cannot start headless chromium: {e}"));
        Browser {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
        }
    }

    fn c(&self) -> &fantoccini::Client {
        self.client.as_ref().unwrap()
    }

    fn goto(&self, url: &str) {
        self.rt.block_on(self.c().goto(url)).unwrap();
    }

    fn js(&self, script: &str) -> Value {
        self.rt
            .block_on(self.c().execute(script, vec![]))
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Polls `script` (an expression) until it is truthy; returns its value.
    fn wait_js(&self, what: &str, script: &str) -> Value {
        let end = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.js(&format!("return ({script});"));
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            if Instant::now() > end {
                let page =
                    self.js("return location.href + ': ' + document.body.innerText.slice(0, 400);");
                panic!("timed out waiting for {what}: {script} is {v}; the page: {page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The text of the first element matching `css`, or "" when there is none.
    fn text(&self, css: &str) -> String {
        let css = serde_json::to_string(css).unwrap();
        self.js(&format!(
            "const e = document.querySelector({css}); return e ? e.textContent : '';"
        ))
        .as_str()
        .unwrap()
        .to_string()
    }

    fn click(&self, css: &str) {
        let el = self
            .rt
            .block_on(self.c().find(fantoccini::Locator::Css(css)))
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        self.rt.block_on(el.click()).unwrap();
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self
            .rt
            .block_on(self.c().find(fantoccini::Locator::Css(css)))
            .unwrap();
        self.rt.block_on(el.send_keys(text)).unwrap();
    }

    /// The text of an open alert, if one fired.
    fn alert(&self) -> Option<String> {
        match self.rt.block_on(self.c().get_alert_text()) {
            Ok(t) => Some(t),
            Err(e) if e.is_no_such_alert() => None,
            Err(e) => panic!("asking for an alert: {e}"),
        }
    }

    fn size(&self, w: u32, h: u32) {
        self.rt.block_on(self.c().set_window_size(w, h)).unwrap();
    }

    /// Saves a screenshot under target/tmp/serve-screenshots/NAME.png.
    fn screenshot(&self, name: &str) {
        let png = self.rt.block_on(self.c().screenshot()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The overview row of `queue`: its cells' text (of a priority cell, its count).
fn row_js(queue: &str) -> String {
    format!(
        "[...(document.querySelector('tr[data-queue=\"{queue}\"]') || {{children: []}}).children].map(td => (td.querySelector('.count') || td).textContent)"
    )
}

#[test]
fn browser_overview_is_live_and_retry_puts_a_dead_task_back() {
    let mut server = redis();
    crate::support::push_lines(&server, "mail", &[task_lines(12, "m")]);
    make_dead(&server, "reports", 1);
    crate::support::push_lines(&server, "reports", &[task_lines(4, "r")]);
    let s = Serve::start(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/"));
    b.wait_js(
        "the mail row",
        "document.querySelector('tr[data-queue=\"mail\"] td.prio-high .count')?.textContent === '4'",
    );
    let cells = b.js(&format!("return {};", row_js("mail")));
    // Queue, waiting (with its bar), high, medium, low, scheduled, in flight, retrying, dead, ...
    assert_eq!(cells[0], json!("mail"));
    assert_eq!(cells[1], json!("12"));
    let st = stats_json(&server, "mail");
    for (i, f) in ["high", "medium", "low"].iter().enumerate() {
        assert_eq!(cells[2 + i], json!(st[f].to_string()), "{f}");
    }
    let reports = b.js(&format!("return {};", row_js("reports")));
    assert_eq!(
        (&reports[1], &reports[8]),
        (&json!("4"), &json!("1")),
        "{reports}"
    );
    // Totals over every queue.
    assert_eq!(b.text("#totals .tile[data-key=waiting] .value"), "16");
    // Pushed elsewhere, seen here without a reload.
    s.send(
        "POST",
        "/api/queues/mail/tasks",
        "application/x-ndjson",
        &task_lines(5, "late"),
    )
    .expect(200);
    b.wait_js("the new tasks", &format!("{}[1] === '17'", row_js("mail")));
    b.wait_js(
        "the chart",
        "document.querySelectorAll('#chart-backlog path').length >= 1",
    );
    let timing = b.js(
        "const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
         const nav = performance.getEntriesByType('navigation')[0];
         const res = performance.getEntriesByType('resource');
         return { first_paint_ms: p ? p.startTime : null,
                  bytes: nav.transferSize + res.filter(r => r.name.includes('/assets/')).reduce((a, r) => a + r.transferSize, 0),
                  dom_content_loaded_ms: nav.domContentLoadedEventEnd };",
    );
    eprintln!("page timing: {timing}");
    assert!(
        timing["first_paint_ms"]
            .as_f64()
            .is_some_and(|t| t < 5000.0),
        "{timing}"
    );
    b.screenshot("overview");

    // The queue page: the dead task, its retry button, and it is back in line.
    b.click("tr[data-queue=\"reports\"] a");
    b.wait_js(
        "the queue page",
        "document.querySelector('#tab-dead .count')?.textContent === '1'",
    );
    b.click("#tab-dead");
    b.wait_js(
        "the dead row",
        "document.querySelector('#tasks tbody tr[data-id=\"dead-0\"] button[data-action=retry]')",
    );
    assert_eq!(
        b.text("#tasks tbody tr[data-id=\"dead-0\"] td.error"),
        "exit status 3: boom"
    );
    b.screenshot("queue-dead");
    b.click("#tasks tbody tr[data-id=\"dead-0\"] button[data-action=retry]");
    b.wait_js(
        "the retry to land",
        "document.querySelector('#tab-dead .count')?.textContent === '0'",
    );
    let st = stats_json(&server, "reports");
    assert_eq!(
        (st["dead"].as_u64(), st["waiting"].as_u64()),
        (Some(0), Some(5))
    );
    b.click("#tab-waiting");
    b.wait_js(
        "the task waiting",
        "document.querySelector('#tasks tbody tr[data-id=\"dead-0\"]')",
    );
    b.screenshot("queue-waiting");

    // Redis away: the page says so and keeps the last numbers.
    server.kill();
    b.wait_js("the banner", "!document.getElementById('banner').hidden");
    assert!(b.text("#banner").contains("Redis is unreachable"));
    assert_eq!(b.text("#status-text"), "Redis unreachable");
    b.screenshot("redis-down");
    assert_eq!(b.alert(), None);
}

#[test]
fn browser_shows_hostile_task_data_as_text() {
    let server = redis();
    let payload = "<script>alert(1)</script>";
    let kind = "\"><img src=x onerror=alert(1)>";
    // xss-1 goes first (high) and dies; the other two wait.
    let lines = [
        json!({"type": kind, "priority": 1, "payload": payload, "id": "xss-1"}).to_string(),
        json!({"type": kind, "priority": 2, "payload": {"html": "<b onmouseover=alert(1)>hi</b>"}, "id": "<i>xss-2</i>"}).to_string(),
        json!({"type": kind, "priority": 3, "payload": payload, "id": "xss-3"}).to_string(),
    ];
    crate::support::push_lines(&server, "evil", &lines);
    rpq(&server)
        .args([
            "--queue",
            "evil",
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "1",
        ])
        .args(["--exec", "echo '<img src=x onerror=alert(2)>' >&2; exit 1"])
        .assert()
        .success();
    let s = Serve::start(&server, &[]);
    let b = Browser::start();
    b.goto(&s.url("/queues/evil"));
    b.wait_js(
        "the waiting rows",
        "document.querySelectorAll('#tasks tbody tr').length === 2",
    );
    let row = "#tasks tbody tr[data-id=\"<i>xss-2</i>\"]";
    assert_eq!(b.text(&format!("{row} td.type")), kind);
    assert_eq!(b.text(&format!("{row} td.id")), "<i>xss-2</i>");
    assert_eq!(
        b.text(&format!("{row} td.payload")),
        "{\"html\":\"<b onmouseover=alert(1)>hi</b>\"}"
    );
    b.click("#tab-dead");
    b.wait_js(
        "the dead row",
        "document.querySelector('#tasks tbody tr[data-id=\"xss-1\"]')",
    );
    let row = "#tasks tbody tr[data-id=\"xss-1\"]";
    assert_eq!(b.text(&format!("{row} td.type")), kind);
    assert_eq!(b.text(&format!("{row} td.payload")), payload);
    assert!(b
        .text(&format!("{row} td.error"))
        .contains("<img src=x onerror=alert(2)>"));
    // Open the detail: every field as text, and the whole task as JSON text.
    b.click(&format!("{row} button.link"));
    b.wait_js(
        "the detail",
        "document.querySelector('#drawer:not([hidden]) #d-body .payload-json')",
    );
    assert_eq!(b.text("#d-title"), "xss-1");
    assert_eq!(b.text("#d-body dd[data-field=type]"), kind);
    assert!(b
        .text("#d-body dd[data-field=error]")
        .contains("<img src=x onerror=alert(2)>"));
    assert_eq!(
        b.text("#d-body .payload-json"),
        serde_json::to_string(payload).unwrap()
    );
    // Nothing of it became markup, and nothing ran.
    let markup = b.js(
        "return { imgs: [...document.images].filter(i => !i.src.endsWith('/assets/icon.svg')).length,
                  scripts: document.scripts.length,
                  handlers: document.querySelectorAll('[onerror],[onmouseover]').length,
                  bold: document.querySelectorAll('#tasks b, #tasks i, #drawer b, #drawer i').length };",
    );
    assert_eq!(
        markup,
        json!({"imgs": 0, "scripts": 1, "handlers": 0, "bold": 0})
    );
    assert_eq!(b.alert(), None);
    b.screenshot("hostile-detail");
    b.click("#d-close");
    b.wait_js(
        "the detail to close",
        "document.getElementById('drawer').hidden",
    );
    b.screenshot("hostile-data");
    // A phone's width: the same data, as cards, and the detail over the whole screen.
    b.size(390, 844);
    b.wait_js(
        "cards",
        "getComputedStyle(document.querySelector('#tasks thead')).display === 'none'",
    );
    b.js("document.getElementById('tasks').scrollIntoView(); return null;");
    b.screenshot("hostile-data-phone");
    b.click(&format!("{row} button.link"));
    b.wait_js(
        "the detail",
        "document.querySelector('#drawer:not([hidden]) #d-body .payload-json')",
    );
    b.screenshot("hostile-detail-phone");
    assert_eq!(b.alert(), None);
}

/// A time the page shows as an hour from now, less the moments the test took.
fn in_an_hour(text: &str) -> bool {
    text.contains("in 59m") || text.contains("in 1h")
}

/// The queue page's new views in a real browser: the scheduled, in-flight and retrying tabs,
/// a task's detail with every field `show` gives, lookup by id, run now, move and cancel (of a
/// waiting task and of one in flight, which its consumer reports `cancelled`); and the
/// overview's scheduled count and oldest wait per priority. Every piece of task data is
/// hostile, and stays text.
#[test]
fn browser_tabs_detail_lookup_move_and_cancel() {
    let server = redis();
    let mut c = crate::support::conn(&server);
    let payload = "<script>alert(1)</script>";
    let kind = "\"><img src=x onerror=alert(1)>";
    let s = Serve::start(&server, &[]);
    let push = |t: Value| s.post("/api/queues/ops/tasks", &t).expect(201).json();
    // Retrying, with a hostile error.
    push(json!({"type": kind, "priority": 1, "payload": payload, "id": "r1"}));
    rpq(&server)
        .args([
            "--queue",
            "ops",
            "consume",
            "--count",
            "1",
            "--backoff",
            "1h",
        ])
        .args(["--exec", "echo '<img src=x onerror=alert(3)>' >&2; exit 3"])
        .assert()
        .success();
    push(
        json!({"type": kind, "priority": 2, "payload": {"html": payload}, "id": "s1", "in": "1h"}),
    );
    push(json!({"type": kind, "priority": "low", "payload": payload, "id": "w1"}));
    push(json!({"type": kind, "priority": "low", "payload": payload, "id": "w2"}));
    push(json!({"type": kind, "priority": "high", "payload": payload, "id": "h1"}));
    // h1 is held, by a consumer whose name is markup too.
    let holder = Proc::spawn(
        crate::support::process(&server)
            .args(["--queue", "ops", "--json", "consume", "--name", "<b>w9</b>"])
            .args([
                "--exec",
                r#"if [ "$RPQ_TASK_ID" = h1 ]; then exec sleep 30; fi"#,
            ]),
    );
    crate::support::wait_in_flight(&mut c, "ops", 1);
    let b = Browser::start();

    // The overview: the scheduled count, and how long the first low task has waited.
    b.goto(&s.url("/"));
    b.wait_js("the ops row", &format!("{}[5] === '1'", row_js("ops")));
    b.wait_js(
        "the low wait",
        "/\\d/.test(document.querySelector('tr[data-queue=\"ops\"] td.prio-low .oldest').textContent)",
    );
    assert_eq!(b.text("tr[data-queue=\"ops\"] td.prio-high .oldest"), "");
    assert_eq!(b.text("#totals .tile[data-key=scheduled] .value"), "1");
    b.screenshot("overview-scheduled");

    // A limit on a type whose name is markup: shown in the queue's limits, as text.
    let limited = "<img src=x onerror=alert(4)>";
    rpq(&server)
        .args(["--queue", "ops", "limit", "--type", limited])
        .args(["--rate", "5/s", "--max-in-flight", "2"])
        .assert()
        .success();
    b.goto(&s.url("/queues/ops"));
    b.wait_js(
        "the limits",
        "!document.getElementById('q-limits-wrap').hidden",
    );
    assert_eq!(
        b.js("return [...document.querySelectorAll('#q-limits tbody td')].map(td => td.textContent);"),
        json!([limited, "5 per 1s, burst 5", "0 of 2"])
    );
    // Pause low for 5 minutes with the button: the page says so, and the queue is paused.
    b.wait_js(
        "the pause button",
        "!document.getElementById('pause').disabled",
    );
    assert_eq!(b.js("return resume.disabled;"), json!(true));
    b.click("#pause");
    b.js("document.getElementById('pause-priority').value = '3'; \
          document.getElementById('pause-for').value = '5m'; return null;");
    b.click("#pause-form button[type=submit]");
    b.wait_js(
        "the paused line",
        "!document.getElementById('q-paused').hidden && document.getElementById('q-paused').dataset.priorities === '3'",
    );
    let text = b.text("#q-paused .what");
    assert!(
        text.starts_with("low until ") && text.contains("(in 4m"),
        "{text}"
    );
    let paused = stats_json(&server, "ops")["paused"].clone();
    assert_eq!(paused.as_array().map(|a| a.len()), Some(1), "{paused}");
    assert_eq!(paused[0]["priority"], json!(3));
    assert!(paused[0]["until"].is_string(), "{paused}");
    b.wait_js("resume", "!document.getElementById('resume').disabled");
    b.screenshot("queue-paused");
    b.click("#resume");
    b.wait_js(
        "the paused line to go",
        "document.getElementById('q-paused').hidden",
    );
    assert_eq!(stats_json(&server, "ops")["paused"], json!([]));
    assert_eq!(b.js("return resume.disabled;"), json!(true));
    for (tab, n) in [
        ("waiting", "2"),
        ("scheduled", "1"),
        ("in-flight", "1"),
        ("retrying", "1"),
    ] {
        b.wait_js(
            &format!("the {tab} count"),
            &format!("document.querySelector('#tab-{tab} .count')?.textContent === '{n}'"),
        );
    }
    // Types an id into the lookup box (emptied first) and submits it.
    let lookup = |id: &str| {
        b.js("document.getElementById('lookup-id').value = ''; return null;");
        b.type_into("#lookup-id", id);
        b.click("#lookup button[type=submit]");
    };
    let row = |id: &str| format!("#tasks tbody tr[data-id=\"{id}\"]");
    let show_tab = |tab: &str, id: &str| {
        b.click(&format!("#tab-{tab}"));
        b.wait_js(
            &format!("{id} in {tab}"),
            &format!("document.querySelector('{}')", row(id).replace('\'', "\\'")),
        );
    };
    show_tab("scheduled", "s1");
    assert_eq!(b.text(&format!("{} td.type", row("s1"))), kind);
    assert!(
        b.text(&format!("{} td.time", row("s1"))).contains("in 59m"),
        "due in an hour"
    );
    assert_eq!(
        b.text(&format!("{} td.payload", row("s1"))),
        json!({"html": payload}).to_string()
    );
    b.screenshot("queue-scheduled");
    show_tab("in-flight", "h1");
    assert_eq!(b.text(&format!("{} td.who", row("h1"))), "<b>w9</b>");
    assert_eq!(b.text(&format!("{} td.short", row("h1"))), "1 of 3");
    b.screenshot("queue-in-flight");
    show_tab("retrying", "r1");
    assert!(b
        .text(&format!("{} td.error", row("r1")))
        .contains("<img src=x onerror=alert(3)>"));
    b.screenshot("queue-retrying");

    // A task's detail: every field of `rpq show`, as text.
    b.click(&format!("{} button.link", row("r1")));
    let field = |f: &str| b.text(&format!("#d-body dd[data-field={f}]"));
    b.wait_js(
        "the detail",
        "document.querySelector('#d-body dd[data-field=state]')",
    );
    let shown = s.get("/api/queues/ops/tasks/r1").expect(200).json();
    for f in shown.as_object().unwrap().keys() {
        if f != "id" && f != "payload" {
            assert!(!field(f).is_empty(), "the detail has no {f}");
        }
    }
    assert_eq!(
        (field("state"), field("type")),
        ("Retrying".into(), kind.to_string())
    );
    assert!(field("error").contains("<img src=x onerror=alert(3)>"));
    // An hour's backoff, give or take its jitter: later.
    let retry = field("retry_at");
    assert!(
        retry.contains(" · in ") && !retry.contains("ago"),
        "{retry}"
    );
    b.screenshot("detail-retrying");
    // Run now: waiting again; then moved to low.
    b.click("#d-body button[data-action=now]");
    b.wait_js(
        "r1 due now",
        "document.querySelector('#d-body dd[data-field=state]')?.textContent === 'Waiting'",
    );
    assert_eq!(
        s.get("/api/queues/ops/tasks/r1").json()["state"],
        json!("waiting")
    );
    b.click("#d-body button[data-action=move][data-priority=\"3\"]");
    b.wait_js(
        "r1 low",
        "document.querySelector('#d-body dd[data-field=priority]')?.textContent.includes('low')",
    );
    assert_eq!(
        s.get("/api/queues/ops/tasks/r1").json()["priority"],
        json!(3)
    );
    b.click("#d-close");
    b.wait_js(
        "the detail closed",
        "document.getElementById('drawer').hidden",
    );

    // Lookup by id: a task, and an id the queue does not know.
    lookup("s1");
    b.wait_js(
        "s1's detail",
        "document.querySelector('#d-body dd[data-field=state]')?.textContent === 'Scheduled'",
    );
    assert_eq!(b.text("#d-title"), "s1");
    assert!(in_an_hour(&field("due_at")), "{}", field("due_at"));
    assert_eq!(
        serde_json::from_str::<Value>(&b.text("#d-body .payload-json")).unwrap(),
        json!({"html": payload})
    );
    assert_eq!(b.js("return location.hash;"), json!("#task=s1"));
    b.screenshot("detail-scheduled");
    lookup("no-such-task");
    b.wait_js(
        "the miss",
        "document.querySelector('#d-body .empty')?.textContent.includes('No task no-such-task')",
    );
    b.click("#d-close");

    // Cancel asks twice, then the waiting task is gone.
    show_tab("waiting", "w1");
    let cancel = format!("{} button[data-action=cancel]", row("w1"));
    b.click(&cancel);
    assert_eq!(b.text(&cancel), "Sure?");
    // The rows are redrawn as the numbers change (each poll); the button stays armed across.
    let sel = serde_json::to_string(&cancel).unwrap();
    b.js(&format!(
        "window.armedButton = document.querySelector({sel}); return null;"
    ));
    b.wait_js("a redraw", "!window.armedButton.isConnected");
    assert_eq!(b.text(&cancel), "Sure?");
    s.get("/api/queues/ops/tasks/w1").expect(200);
    b.click(&cancel);
    b.wait_js(
        "w1 to go",
        &format!(
            "!document.querySelector('{}')",
            row("w1").replace('\'', "\\'")
        ),
    );
    s.get("/api/queues/ops/tasks/w1").expect(404);
    // The task in flight, from its detail: its consumer stops it and reports it cancelled.
    lookup("h1");
    b.wait_js(
        "h1's detail",
        "document.querySelector('#d-body dd[data-field=consumer]')?.textContent === '<b>w9</b>'",
    );
    assert!(
        field("lease_until").contains("in "),
        "{}",
        field("lease_until")
    );
    b.screenshot("detail-in-flight");
    b.click("#d-body button[data-action=cancel]");
    b.click("#d-body button[data-action=cancel]");
    b.wait_js(
        "the consumer to stop it",
        "document.querySelector('#d-body .empty')?.textContent.includes('No task h1')",
    );
    wait_until(Duration::from_secs(10), "the consumer to report h1", || {
        holder.stdout_lines().iter().any(|l| l.contains("\"h1\""))
    });
    holder.signal(libc::SIGTERM);
    let out = holder.end(Duration::from_secs(20));
    assert!(out.status.success(), "{}", out.stderr);
    let h1 = ndjson(&out.stdout)
        .into_iter()
        .find(|l| l["id"] == json!("h1"))
        .unwrap();
    assert_eq!(h1["outcome"], json!("cancelled"));

    // Nothing of the data became markup, and nothing ran; then the same on a phone.
    let markup = b.js(
        "return { imgs: [...document.images].filter(i => !i.src.endsWith('/assets/icon.svg')).length,
                  scripts: document.scripts.length,
                  bold: document.querySelectorAll('#tasks b, #tasks i, #drawer b, #drawer i').length };",
    );
    assert_eq!(markup, json!({"imgs": 0, "scripts": 1, "bold": 0}));
    assert_eq!(b.alert(), None);
    b.click("#d-close");
    b.size(390, 844);
    show_tab("scheduled", "s1");
    b.js("document.getElementById('tabs').scrollIntoView(); return null;");
    b.screenshot("queue-scheduled-phone");
    b.click(&format!("{} button.link", row("s1")));
    b.wait_js(
        "s1's detail",
        "document.querySelector('#d-body dd[data-field=state]')",
    );
    b.screenshot("detail-scheduled-phone");
    b.click("#d-close");
    // Paused (through the API, this time): the overview says so beside the queue's name.
    s.post("/api/queues/ops/pause", &json!({})).expect(200);
    b.goto(&s.url("/"));
    b.wait_js(
        "the ops row",
        "document.querySelector('tr[data-queue=\"ops\"]')",
    );
    b.wait_js(
        "the paused badge",
        "document.querySelector('tr[data-queue=\"ops\"] .paused-badge:not([hidden])')?.textContent === 'paused'",
    );
    b.js("document.getElementById('queues').scrollIntoView(); return null;");
    b.screenshot("overview-phone");
    assert_eq!(b.alert(), None);
}

#[test]
fn browser_login_with_a_token() {
    let server = redis();
    crate::support::push_lines(&server, "q", &[task_lines(3, "t")]);
    let mut cmd = std_command();
    cmd.env("RPQ_SERVE_TOKEN", TOKEN)
        .arg("--url")
        .arg(server.url())
        .arg("serve");
    let s = Serve::spawn(cmd);
    let b = Browser::start();
    b.goto(&s.url("/"));
    b.wait_js("the login form", "location.pathname === '/login'");
    b.type_into("#token", "not-the-token-at-all");
    b.click("button[type=submit]");
    b.wait_js("the refusal", "document.querySelector('.login-error')");
    b.screenshot("login-refused");
    b.type_into("#token", TOKEN);
    b.click("button[type=submit]");
    b.wait_js(
        "the overview",
        "document.querySelector('tr[data-queue=\"q\"]')",
    );
    assert_eq!(b.js(&format!("return {};", row_js("q")))[1], json!("3"));
    // The session cookie is not for scripts.
    assert_eq!(b.js("return document.cookie;"), json!(""));
    b.screenshot("logged-in");
    b.click("#logout button");
    b.wait_js("the login form again", "location.pathname === '/login'");
    b.goto(&s.url("/"));
    b.wait_js("still signed out", "location.pathname === '/login'");
    // SIGTERM with the browser's connections still open: they close, and it exits 0.
    let started = Instant::now();
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(5));
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

#[test]
fn browser_with_the_read_token_offers_no_button_that_would_fail() {
    const READ: &str = "read-only-token-for-a-wall-screen";
    let server = redis();
    make_dead(&server, "q", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("read-token");
    std::fs::write(&file, READ).unwrap();
    let mut cmd = std_command();
    cmd.env("RPQ_SERVE_TOKEN", TOKEN)
        .arg("--url")
        .arg(server.url())
        .args(["serve", "--read-token-file"])
        .arg(&file);
    let s = Serve::spawn(cmd);
    let b = Browser::start();
    b.goto(&s.url("/queues/q"));
    b.wait_js("the login form", "location.pathname === '/login'");
    b.type_into("#token", READ);
    b.click("button[type=submit]");
    b.wait_js("signed in", "location.pathname === '/'");
    b.goto(&s.url("/queues/q"));
    b.wait_js(
        "the dead count",
        "document.querySelector('#tab-dead .count')?.textContent === '1'",
    );
    b.click("#tab-dead");
    b.wait_js(
        "the dead row",
        "document.querySelector('#tasks tbody tr[data-id=\"dead-0\"]')",
    );
    b.screenshot("read-only");
    // The buttons are in the page (the same script draws it) and none shows.
    let shown = b.js(
        "const all = [...document.querySelectorAll('[data-action], [data-confirm], #pause, #resume')];
         return [all.length, all.filter(e => e.offsetParent !== null).length,
                 document.querySelector('#access').offsetParent !== null,
                 document.querySelector('#access').textContent];",
    );
    assert!(shown[0].as_u64().unwrap() > 0, "{shown}");
    assert_eq!(shown[1], json!(0), "{shown}");
    assert_eq!((&shown[2], &shown[3]), (&json!(true), &json!("read-only")));
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn serve_closes_a_body_sent_a_byte_at_a_time_after_the_idle_timeout() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let server = redis();
    // Two slots, both taken by pushes whose bodies dribble: busy requests are never closed to
    // make room, so only a deadline on the body frees them.
    let s = serve_with_files(
        &server,
        1024,
        1024,
        &["--max-connections", "2", "--idle-timeout", "1s"],
    );
    let addr = s.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let dribblers: Vec<_> = (0..2)
        .map(|_| {
            let mut sock = TcpStream::connect(&addr).unwrap();
            sock.write_all(
                format!(
                    "POST /api/queues/q/tasks HTTP/1.1\r\nHost: {addr}\r\n\
                     Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                )
                .as_bytes(),
            )
            .unwrap();
            let mut writer = sock.try_clone().unwrap();
            let feed = std::thread::spawn(move || {
                // A byte every 100 ms for up to 30 s, or until the server closes.
                let until = Instant::now() + Duration::from_secs(30);
                while Instant::now() < until && writer.write_all(b" ").is_ok() {
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            (sock, feed)
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(25);
    for (i, (mut sock, feed)) in dribblers.into_iter().enumerate() {
        sock.set_read_timeout(Some(Duration::from_secs(25)))
            .unwrap();
        let mut head = [0u8; 12];
        let answered = sock.read_exact(&mut head).is_ok();
        assert!(
            answered && &head == b"HTTP/1.1 400",
            "dribbling body {i} got no answer: {:?}",
            String::from_utf8_lossy(&head)
        );
        assert!(
            closed_by_server(&mut sock, deadline),
            "body {i}: still open"
        );
        let _ = sock.shutdown(std::net::Shutdown::Both);
        feed.join().unwrap();
    }
    // Not before the timeout: the server measured it, not the test's speed.
    assert!(started.elapsed() >= Duration::from_millis(900));
    s.get("/healthz").expect(200);
    // No push of a body cut short.
    s.get("/api/queues/q").expect(404);
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
}
