//! Handlers that talk back (issue 25): `rpq ctl` from real `--exec` handlers of real consumers,
//! through the faults that matter: progress seen at once, checkpoints across a kill -9,
//! children queued once with the ack even when its reply is lost, `once` across three kill -9
//! of the consumer, refusals once the lease may be lost, and calls from outside a handler.

use crate::proxy::{Fault, Proxy};
use crate::serve::Serve;
use crate::support::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// A consumer of `server` running `handler`, with `$RPQ` (this build) and `$DIR` (the server's
/// directory) in the handler's environment.
fn consumer(server_url: &str, dir: &Path, handler: &str, extra: &[&str]) -> Proc {
    Proc::spawn(
        std_command()
            .arg("--url")
            .arg(server_url)
            .args(["--json", "consume", "--exec", handler])
            .args(extra)
            .env("RPQ", bin())
            .env("DIR", dir),
    )
}

fn show(r: &rpq::server::RedisServer, id: &str, log: bool) -> Value {
    let mut cmd = rpq(r);
    cmd.args(["--json", "show", id]);
    if log {
        cmd.arg("--log");
    }
    let out = cmd.assert().success();
    ndjson(&out.get_output().stdout).remove(0)
}

/// The control hashes left on the server.
fn ctl_keys(r: &rpq::server::RedisServer) -> Vec<String> {
    redis::cmd("KEYS")
        .arg("rpq:*ctl*")
        .query(&mut conn(r))
        .unwrap()
}

fn wait_file(path: &Path) {
    wait_until(Duration::from_secs(30), &path.display().to_string(), || {
        path.exists()
    });
}

#[test]
fn progress_and_log_from_a_shell_handler_are_in_show_and_the_api_at_once() {
    let r = redis();
    push_one(&r, "t", "p1");
    let s = Serve::start(&r, &[]);
    let handler = r#"$RPQ ctl progress 40 'resized 4 of 10' && printf 'one\ntwo\n' | $RPQ ctl log &&
        $RPQ ctl checkpoint set step 4 && touch "$DIR/said"
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let c = consumer(&r.url(), r.dir(), handler, &["--count", "1"]);
    wait_file(&r.dir().join("said"));
    // The call returned once Redis had it: seen by the next look, no wait.
    let t = show(&r, "p1", true);
    assert_eq!(t["state"], "in-flight");
    assert_eq!(t["progress"]["percent"], 40, "{t}");
    assert_eq!(t["progress"]["message"], "resized 4 of 10");
    assert_eq!(t["progress"]["attempt"], 1);
    assert_eq!(t["checkpoints"], json!({"step": "4"}));
    let lines: Vec<&Value> = t["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["text"])
        .collect();
    assert_eq!(lines, [&json!("one"), &json!("two")]);
    assert!(show(&r, "p1", false).get("log").is_none());
    assert_eq!(crate::schema::breaches(&t), Vec::<String>::new());
    let api = s.get("/api/queues/default/tasks/p1").expect(200).json();
    assert_eq!(crate::schema::breaches(&api), Vec::<String>::new());
    assert_eq!(api["progress"]["percent"], 40, "{api}");
    assert_eq!(api["log"].as_array().map(Vec::len), Some(2), "{api}");
    let human = rpq(&r).args(["show", "p1"]).assert().success();
    let human = String::from_utf8_lossy(&human.get_output().stdout).into_owned();
    assert!(human.contains("Progress: 40% (resized 4 of 10)"), "{human}");
    let listed = json_lines(rpq(&r).args(["--json", "list", "--state", "in-flight"]));
    assert_eq!(listed[0]["progress"]["percent"], 40);
    std::fs::write(r.dir().join("go"), "").unwrap();
    let out = c.success(Duration::from_secs(30));
    assert_eq!(ndjson(&out)[0]["outcome"], "done");
    assert_eq!(ctl_keys(&r), Vec::<String>::new(), "gone with the task");
}

#[test]
fn a_retry_after_a_kill_9_starts_from_the_last_checkpoint() {
    let r = redis();
    push_one(&r, "t", "c1");
    // The first run saves step 3 and hangs; the run after the kill -9 sees it and finishes.
    let handler = r#"step=$($RPQ ctl checkpoint get step || echo none)
        echo "$RPQ_TASK_ATTEMPT:$step" >> "$DIR/seen"
        [ "$step" = none ] || exit 0
        $RPQ ctl checkpoint set step 3 && touch "$DIR/saved" && sleep 30"#;
    let a = consumer(&r.url(), r.dir(), handler, &["--lease", "1s"]);
    wait_file(&r.dir().join("saved"));
    a.signal(libc::SIGKILL);
    let _ = a.end(Duration::from_secs(30));
    let b = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--lease", "1s", "--count", "1"],
    );
    let out = b.success(Duration::from_secs(30));
    let line = &ndjson(&out)[0];
    assert_eq!(
        (&line["outcome"], &line["attempt"]),
        (&json!("done"), &json!(2))
    );
    let seen = std::fs::read_to_string(r.dir().join("seen")).unwrap();
    assert_eq!(seen, "1:none\n2:3\n");
    assert_eq!(
        ctl_keys(&r),
        Vec::<String>::new(),
        "a done task leaves no control data"
    );
}

#[test]
fn children_are_queued_once_with_the_ack_even_when_its_reply_is_lost() {
    let r = redis();
    let p = Proxy::start(&r);
    push_one(&r, "t", "parent");
    let handler = r#"for n in 1 2 3; do $RPQ ctl spawn --type child --payload "{\"n\":$n}" || exit 9; done
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let a = consumer(&p.url(), r.dir(), handler, &["--count", "1"]);
    let mut c = conn(&r);
    wait_until(Duration::from_secs(30), "three children staged", || {
        show(&r, "parent", false)["children"]
            .as_array()
            .is_some_and(|c| c.len() == 3)
    });
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "peek", "-n", "10"])).len(),
        0
    );
    // The ack lands, and its reply is lost with the cut: the consumer sends it again.
    p.set(Fault::DelayReplies(Duration::from_millis(1500)));
    std::fs::write(r.dir().join("go"), "").unwrap();
    wait_until(Duration::from_secs(30), "the ack to land", || {
        stat(&mut c, "default", "done") == 1
    });
    p.set(Fault::Pass);
    p.cut();
    let a = a.end(Duration::from_secs(60));
    assert!(a.status.success(), "{a:?}");
    assert!(
        a.stderr.contains("reconnected"),
        "the ack went again: {}",
        a.stderr
    );
    let lines = ndjson(&a.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["outcome"], "done");
    let waiting = json_lines(rpq(&r).args(["--json", "peek", "-n", "10"]));
    let mut ns: Vec<i64> = waiting
        .iter()
        .map(|t| {
            assert_eq!(t["type"], "child");
            t["payload"]["n"].as_i64().unwrap()
        })
        .collect();
    ns.sort();
    assert_eq!(ns, [1, 2, 3], "each child once: {waiting:?}");
    assert_eq!(stat(&mut c, "default", "done"), 1);
}

#[test]
fn a_failed_attempt_queues_no_child() {
    let r = redis();
    push_one(&r, "t", "parent");
    let handler =
        r#"for n in 1 2 3; do $RPQ ctl spawn --type child --payload $n || exit 9; done; exit 1"#;
    let c = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--count", "1", "--max-attempts", "1"],
    );
    let out = c.end(Duration::from_secs(30));
    assert_eq!(ndjson(&out.stdout)[0]["outcome"], "dead", "{out:?}");
    rpq(&r).arg("len").assert().success().stdout("0\n");
    assert_eq!(
        ctl_keys(&r),
        Vec::<String>::new(),
        "a dead task leaves no control data"
    );
}

#[test]
fn once_holds_across_three_kill_9_of_the_consumer() {
    let r = redis();
    push_one(&r, "t", "pay");
    let file = r.dir().join("effects");
    // The effect, then a hang until the consumer is killed; the fourth run ends.
    let handler = r#"if $RPQ ctl once charge; then echo "charged in $RPQ_TASK_ATTEMPT" >> "$DIR/effects"
        else echo "$RPQ_TASK_ATTEMPT" >> "$DIR/skipped"; fi
        echo "$RPQ_CONTROL" >> "$DIR/sockets"
        [ "$RPQ_TASK_ATTEMPT" -ge 4 ] && exit 0
        touch "$DIR/after.$RPQ_TASK_ATTEMPT"; sleep 30"#;
    for attempt in 1..=3 {
        let c = consumer(
            &r.url(),
            r.dir(),
            handler,
            &["--lease", "1s", "--max-attempts", "10"],
        );
        wait_file(&r.dir().join(format!("after.{attempt}")));
        c.signal(libc::SIGKILL);
        let _ = c.end(Duration::from_secs(30));
    }
    let last = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--lease", "1s", "--max-attempts", "10", "--count", "1"],
    );
    let out = last.success(Duration::from_secs(30));
    assert_eq!(ndjson(&out)[0]["outcome"], "done");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "charged in 1\n");
    let skipped = std::fs::read_to_string(r.dir().join("skipped")).unwrap();
    assert_eq!(skipped, "2\n3\n4\n");
    // What the killed consumers left was swept by the next ones; the last removed its own.
    let sockets = std::fs::read_to_string(r.dir().join("sockets")).unwrap();
    assert_eq!(sockets.lines().count(), 4);
    for s in sockets.lines() {
        assert!(!Path::new(s).exists(), "{s} left behind");
    }
    let mut c = conn(&r);
    assert_eq!(stat(&mut c, "default", "done"), 1);
}

#[test]
fn a_handler_whose_lease_may_be_lost_is_refused() {
    let r = redis();
    push_one(&r, "t", "f1");
    let handler = r#"touch "$DIR/running"
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done
        $RPQ ctl progress 10 2> "$DIR/err"; echo $? > "$DIR/rc.tmp"; mv "$DIR/rc.tmp" "$DIR/rc""#;
    let c = consumer(&r.url(), r.dir(), handler, &["--lease", "1s"]);
    // Frozen once the handler runs (a claim's follow-up calls could otherwise hold its start
    // until the thaw).
    wait_file(&r.dir().join("running"));
    let pid = r.pid().unwrap() as i32;
    // SAFETY: kill(2) on the redis-server this test started and still owns.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    // The freeze's length is the fault itself (past the 1 s lease), not a wait.
    std::thread::sleep(Duration::from_millis(2500));
    std::fs::write(r.dir().join("go"), "").unwrap();
    let rc = r.dir().join("rc");
    let answered = (0..3000).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        rc.exists()
    });
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert!(answered, "the refusal waited for the frozen server");
    assert_eq!(std::fs::read_to_string(&rc).unwrap(), "1\n");
    let err = std::fs::read_to_string(r.dir().join("err")).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("lease"), "{err}");
    c.signal(libc::SIGTERM);
    let _ = c.end(Duration::from_secs(60));
}

#[test]
fn a_handler_of_another_consumer_is_refused_for_a_task_not_its_own() {
    let r = redis();
    push_one(&r, "t", "x1");
    // The key of a task that ended is refused, as any key its consumer did not give.
    let handler = r#"echo "$RPQ_CONTROL_KEY" > "$DIR/key"; echo "$RPQ_CONTROL" > "$DIR/sock"
        touch "$DIR/ready"
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
        RPQ_CONTROL_KEY=0123456789abcdef0123456789abcdef $RPQ ctl progress 5 2> "$DIR/err"
        echo $? > "$DIR/rc""#;
    let c = consumer(&r.url(), r.dir(), handler, &["--count", "1"]);
    wait_file(&r.dir().join("ready"));
    std::fs::write(r.dir().join("go"), "").unwrap();
    let _ = c.success(Duration::from_secs(30));
    assert_eq!(std::fs::read_to_string(r.dir().join("rc")).unwrap(), "1\n");
    let err = std::fs::read_to_string(r.dir().join("err")).unwrap();
    assert!(err.contains("not running on this consumer"), "{err}");
    // The socket was private and is gone with its consumer.
    let sock = std::fs::read_to_string(r.dir().join("sock")).unwrap();
    assert!(!Path::new(sock.trim()).exists(), "{sock}");
}

#[test]
fn ctl_outside_a_handler_says_so_in_one_line() {
    let out = bare().args(["ctl", "progress", "5"]).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("inside a handler"), "{err}");
    bare().args(["ctl", "progress", "101"]).assert().code(2);
}

#[test]
fn retry_after_sets_when_the_task_runs_again() {
    let r = redis();
    push_one(&r, "t", "r1");
    let handler = r#"[ "$RPQ_TASK_ATTEMPT" = 1 ] || exit 0; $RPQ ctl retry-after 1h 'rate limited (429)'; exit 0"#;
    let c = consumer(&r.url(), r.dir(), handler, &["--count", "1"]);
    let out = c.success(Duration::from_secs(30));
    let line = &ndjson(&out)[0];
    assert_eq!(line["outcome"], "retry", "{line}");
    assert_eq!(line["error"], "rate limited (429)");
    let t = show(&r, "r1", false);
    assert_eq!(t["state"], "retrying");
    let at = chrono::DateTime::parse_from_rfc3339(t["retry_at"].as_str().unwrap()).unwrap();
    let left = at.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!(
        (3500..=3600).contains(&left),
        "due again in an hour, not the backoff: {left}"
    );
}

#[test]
fn a_batch_of_50_does_1000_tasks_in_about_20_calls_and_retries_the_unanswered() {
    let r = redis();
    let lines: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"type":"t","priority":2,"payload":{i},"id":"b{i}"}}"#))
        .collect();
    push_lines(&r, "default", &lines);
    // Answers every task it is given, but b7 the first time it sees it.
    let handler = r#"echo "$RPQ_BATCH" >> "$DIR/calls"
        while IFS= read -r line; do
          id=$(printf '%s' "$line" | sed 's/.*"id":"\([^"]*\)".*/\1/')
          if [ "$id" = b7 ] && [ ! -e "$DIR/b7" ]; then touch "$DIR/b7"; continue; fi
          printf '{"id":"%s","outcome":"done"}\n' "$id"
        done"#;
    let c = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--batch", "50", "--drain", "--backoff", "10ms"],
    );
    let out = c.success(Duration::from_secs(120));
    let lines = ndjson(&out);
    let mut done = std::collections::HashMap::new();
    count_done(&mut done, &lines);
    assert_eq!(done.len(), 1000);
    assert!(done.values().all(|n| *n == 1), "each task done once");
    let b7: Vec<&Value> = lines.iter().filter(|l| l["id"] == "b7").collect();
    assert_eq!(b7.len(), 2, "{b7:?}");
    assert_eq!(b7[0]["outcome"], "retry");
    assert!(
        b7[0]["error"].as_str().unwrap().contains("not answered"),
        "{b7:?}"
    );
    assert_eq!(
        (&b7[1]["outcome"], &b7[1]["attempt"]),
        (&json!("done"), &json!(2))
    );
    let calls = std::fs::read_to_string(r.dir().join("calls")).unwrap();
    let sizes: Vec<usize> = calls.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 1001, "{sizes:?}");
    assert!(
        (20..=23).contains(&sizes.len()),
        "about 20 calls: {sizes:?}"
    );
    assert!(sizes.iter().all(|n| *n <= 50));
}

#[test]
fn batch_takes_a_handler_and_a_size_of_at_most_1000() {
    let r = redis();
    for args in [
        &["consume", "--batch", "5"][..],
        &["consume", "--batch", "0", "--exec", "true"],
        &["consume", "--batch", "1001", "--exec", "true"],
        &["consume", "--linger", "1s", "--exec", "true"],
    ] {
        rpq(&r).args(args).assert().code(2);
    }
}

#[test]
fn extend_holds_the_lease_past_what_the_heartbeat_gives() {
    let r = redis();
    push_one(&r, "t", "e1");
    let handler = r#"$RPQ ctl extend 1h && touch "$DIR/extended"
        i=0; while [ ! -e "$DIR/go" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"#;
    let c = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--lease", "1s", "--count", "1"],
    );
    wait_file(&r.dir().join("extended"));
    let left = |t: &Value| {
        let at = chrono::DateTime::parse_from_rfc3339(t["lease_until"].as_str().unwrap()).unwrap();
        at.signed_duration_since(chrono::Utc::now()).num_seconds()
    };
    assert!(left(&show(&r, "e1", false)) > 3500);
    // Three of the heartbeat's extensions (every lease/3) later, the lease is still the hour.
    std::thread::sleep(Duration::from_millis(1200));
    let t = show(&r, "e1", false);
    assert!(left(&t) > 3500, "{t}");
    std::fs::write(r.dir().join("go"), "").unwrap();
    let out = c.success(Duration::from_secs(30));
    assert_eq!(ndjson(&out)[0]["outcome"], "done");
}

// `--pipe` handlers: the same verbs as JSON lines on their stdout (docs/handlers.md).

/// What every Python `--pipe` handler below shares: `say` a line, `ask` one with a `ref` and
/// read its reply from stdin, `note` a value in a file of `$DIR`, `wait` for a file there.
const PY_PIPE: &str = r#"
import json, os, sys, time
D = os.environ["DIR"]
out = sys.stdout.buffer
def raw(b):
    out.write(b + b"\n"); out.flush()
def say(o):
    raw(json.dumps(o).encode())
def reply(ref):
    while True:
        r = json.loads(sys.stdin.readline())
        if r.get("ctl") == "reply":
            assert r["ref"] == ref, r
            return r
def ask(o, ref=1):
    o["ref"] = ref
    say(o)
    return reply(ref)
def note(name, v):
    with open(os.path.join(D, name), "a") as f:
        f.write(json.dumps(v) + "\n")
def wait(name):
    for _ in range(3000):
        if os.path.exists(os.path.join(D, name)):
            return
        time.sleep(0.01)
def serve(handle):
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        handle(json.loads(line))
"#;

/// A consumer of `server` whose `--pipe` handler is the Python `body` after `PY_PIPE`.
fn pipe_consumer(r: &rpq::server::RedisServer, body: &str, extra: &[&str]) -> Proc {
    let path = r.dir().join("handler.py");
    std::fs::write(&path, format!("{PY_PIPE}\n{body}")).unwrap();
    Proc::spawn(
        std_command()
            .arg("--url")
            .arg(r.url())
            .args(["--json", "consume", "--pipe"])
            .arg(format!("python3 {}", path.display()))
            .args(extra)
            .env("DIR", r.dir()),
    )
}

fn notes(r: &rpq::server::RedisServer, name: &str) -> Vec<Value> {
    ndjson(&std::fs::read(r.dir().join(name)).unwrap())
}

#[test]
fn a_pipe_handler_uses_every_verb_through_lines_on_its_stdout() {
    let r = redis();
    push_one(&r, "all", "p1");
    push_one(&r, "later", "l1");
    let body = r#"
def handle(t):
    id = t["id"]
    if t["type"] == "child":
        return say({"id": id, "ok": True})
    if t["type"] == "later":
        say({"ctl": "retry-after", "id": id, "duration": "1h", "reason": "rate limited (429)"})
        return say({"id": id, "ok": True})
    say({"ctl": "progress", "id": id, "n": 40, "message": "half way"})
    say({"ctl": "log", "id": id, "text": "one\ntwo"})
    r = {}
    r["get0"] = ask({"ctl": "checkpoint-get", "id": id, "key": "step"})
    r["set"] = ask({"ctl": "checkpoint-set", "id": id, "key": "step", "value": "3"}, ref="s")
    r["get"] = ask({"ctl": "checkpoint-get", "id": id, "key": "step"})
    r["once1"] = ask({"ctl": "once", "id": id, "key": "email"})
    r["once2"] = ask({"ctl": "once", "id": id, "key": "email"})
    r["spawn"] = ask({"ctl": "spawn", "id": id, "task": {"type": "child", "payload": {"n": 1}}})
    r["extend"] = ask({"ctl": "extend", "id": id, "duration": "10m"})
    r["fence"] = t.get("fence")
    note("replies", r)
    wait("go")
    say({"id": id, "ok": True, "result": "fine"})
serve(handle)
"#;
    let c = pipe_consumer(&r, body, &["--count", "3"]);
    wait_file(&r.dir().join("replies"));
    let replies = notes(&r, "replies").remove(0);
    let ok = |k: &str| replies[k]["ok"] == json!(true);
    assert!(
        ok("get0") && replies["get0"]["value"].is_null(),
        "{replies}"
    );
    assert!(ok("set") && replies["set"]["ref"] == "s", "{replies}");
    assert_eq!(replies["get"]["value"], "3", "{replies}");
    assert!(ok("once1") && !ok("once2"), "{replies}");
    assert_eq!(replies["once2"]["error"], "already done in attempt 1");
    let child = replies["spawn"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{replies}"))
        .to_string();
    assert!(ok("extend"), "{replies}");
    assert!(
        replies["fence"].as_u64().is_some_and(|f| f > 0),
        "{replies}"
    );
    // Applied in order, before the replies after them: all there now.
    let t = show(&r, "p1", true);
    assert_eq!(t["progress"]["percent"], 40, "{t}");
    assert_eq!(t["progress"]["message"], "half way");
    assert_eq!(t["checkpoints"], json!({"step": "3"}));
    assert_eq!(t["once"], json!({"email": 1}));
    assert_eq!(t["children"][0]["id"], child.as_str(), "{t}");
    let log: Vec<&Value> = t["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["text"])
        .collect();
    assert_eq!(log, [&json!("one"), &json!("two")]);
    assert_eq!(crate::schema::breaches(&t), Vec::<String>::new());
    std::fs::write(r.dir().join("go"), "").unwrap();
    let out = ndjson(&c.success(Duration::from_secs(30)));
    let outcome = |id: &str| {
        let l = out
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("{id}: {out:?}"));
        (
            l["outcome"].as_str().unwrap().to_string(),
            l["error"].clone(),
        )
    };
    assert_eq!(outcome("p1").0, "done");
    assert_eq!(
        outcome(&child).0,
        "done",
        "the child was queued with the ack"
    );
    assert_eq!(outcome("l1"), ("retry".into(), json!("rate limited (429)")));
    let t = show(&r, "l1", false);
    let at = chrono::DateTime::parse_from_rfc3339(t["retry_at"].as_str().unwrap()).unwrap();
    let left = at.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((3500..=3600).contains(&left), "due in an hour: {left}");
    assert_eq!(ctl_keys(&r), Vec::<String>::new(), "gone with the task");
}

#[test]
fn a_pipe_handler_whose_lease_may_be_lost_is_refused() {
    let r = redis();
    push_one(&r, "t", "f1");
    let body = r#"
def handle(t):
    note("running", t["id"])
    wait("go")
    note("reply", ask({"ctl": "progress", "id": t["id"], "n": 10}))
    say({"ctl": "progress", "id": t["id"], "n": 20})
    note("said", 1)
    say({"id": t["id"], "ok": False, "error": "refused"})
serve(handle)
"#;
    let c = pipe_consumer(&r, body, &["--lease", "1s"]);
    wait_file(&r.dir().join("running"));
    let pid = r.pid().unwrap() as i32;
    // SAFETY: kill(2) on the redis-server this test started and still owns.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    // The freeze's length is the fault itself (past the 1 s lease), not a wait.
    std::thread::sleep(Duration::from_millis(2500));
    std::fs::write(r.dir().join("go"), "").unwrap();
    let said = r.dir().join("said");
    let answered = (0..3000).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        said.exists()
    });
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert!(answered, "the refusal waited for the frozen server");
    let reply = notes(&r, "reply").remove(0);
    assert_eq!(reply["ok"], false, "{reply}");
    assert!(
        reply["error"].as_str().unwrap().contains("lease"),
        "{reply}"
    );
    // The one without a ref: refused in a line of the consumer's.
    wait_until(Duration::from_secs(10), "the refusal on stderr", || {
        c.stderr_has("ctl progress for task f1 refused")
    });
    c.signal(libc::SIGTERM);
    let _ = c.end(Duration::from_secs(60));
}

#[test]
fn hostile_ctl_lines_are_refused_and_lose_no_task() {
    let r = redis();
    push_one(&r, "t", "h1");
    push_one(&r, "t", "h2");
    // Two handlers, one task each; each tries what it should not, then answers.
    let body = r#"
def handle(t):
    id = t["id"]
    other = "h2" if id == "h1" else "h1"
    note("got." + id, 1)
    wait("got." + other)
    r = {}
    raw(b'{"ctl":"log","id":"' + id.encode() + b'","text":"bad \xff\xfe bytes","ref":1}')
    r["bytes"] = reply(1)
    r["huge"] = ask({"ctl": "log", "id": id, "text": "x" * 300000})
    r["unknown"] = ask({"ctl": "fly", "id": id})
    r["other"] = ask({"ctl": "progress", "id": other, "n": 5})
    r["missing"] = ask({"ctl": "progress", "id": id})
    r["range"] = ask({"ctl": "progress", "id": id, "n": 101})
    raw(b'{"ctl": not json')
    say({"ctl": "once", "id": other, "key": "k"})
    note("replies." + id, r)
    wait("go")
    say({"id": id, "ok": True})
serve(handle)
"#;
    let c = pipe_consumer(&r, body, &["-j", "2", "--count", "2"]);
    for id in ["h1", "h2"] {
        wait_file(&r.dir().join(format!("replies.{id}")));
    }
    for id in ["h1", "h2"] {
        let r = notes(&r, &format!("replies.{id}")).remove(0);
        let refused = |k: &str, why: &str| {
            assert_eq!(r[k]["ok"], false, "{k}: {r}");
            let e = r[k]["error"].as_str().unwrap();
            assert!(e.contains(why), "{k}: {e}");
        };
        refused("huge", "at most 256 KiB");
        refused("unknown", "unknown verb 'fly'");
        refused("other", "is not held by this handler");
        refused("missing", "takes \"n\"");
        refused("range", "from 0 to 100");
        assert_eq!(r["bytes"]["ok"], true, "{r}");
    }
    // Bytes that are not UTF-8 are kept as replacement characters.
    let log = show(&r, "h1", true)["log"].clone();
    assert_eq!(log[0]["text"], "bad \u{fffd}\u{fffd} bytes", "{log}");
    assert_eq!(
        log.as_array().unwrap().len(),
        1,
        "the huge line was not kept: {log}"
    );
    std::fs::write(r.dir().join("go"), "").unwrap();
    let out = c.end(Duration::from_secs(30));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = ndjson(&out.stdout);
    for id in ["h1", "h2"] {
        let l = lines.iter().find(|l| l["id"] == id).unwrap();
        assert_eq!(
            (&l["outcome"], &l["attempt"]),
            (&json!("done"), &json!(1)),
            "{l}"
        );
    }
    // One line each for what had no ref; the handlers were never restarted.
    let err = &out.stderr;
    assert_eq!(
        err.matches("a ctl line that is not JSON").count(),
        2,
        "{err}"
    );
    assert_eq!(
        err.matches("is not held by this handler").count(),
        2,
        "{err}"
    );
    assert!(!err.contains("starting it again"), "{err}");
    let mut c = conn(&r);
    assert_eq!(stat(&mut c, "default", "done"), 2);
}

#[test]
fn a_batch_call_names_each_task_with_ctl_task() {
    let r = redis();
    for id in ["b1", "b2", "b3"] {
        push_one(&r, "t", id);
    }
    let handler = r#"$RPQ ctl progress 5 2> "$DIR/bare.err"; echo $? > "$DIR/bare.rc"
        $RPQ ctl --task nope progress 5 2> "$DIR/nope.err"; echo $? > "$DIR/nope.rc"
        while IFS= read -r line; do
          id=$(printf '%s' "$line" | jq -r .id)
          printf '%s' "$line" | jq .fence >> "$DIR/fences"
          $RPQ ctl --task "$id" checkpoint set k "$id" || exit 9
          case $id in
            b2) $RPQ ctl --task b2 spawn --type child > "$DIR/child" || exit 9 ;;
            b3) $RPQ ctl --task b3 retry-after 1h later || exit 9 ;;
          esac
          printf '{"id":"%s","outcome":"done"}\n' "$id"
        done"#;
    let c = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--batch", "3", "--linger", "10s", "--count", "3"],
    );
    let out = ndjson(&c.success(Duration::from_secs(30)));
    let outcome = |id: &str| out.iter().find(|l| l["id"] == id).unwrap()["outcome"].clone();
    assert_eq!(
        (outcome("b1"), outcome("b2"), outcome("b3")),
        (json!("done"), json!("done"), json!("retry")),
        "{out:?}"
    );
    let read = |f: &str| std::fs::read_to_string(r.dir().join(f)).unwrap();
    assert_eq!(
        (read("bare.rc"), read("nope.rc")),
        ("1\n".into(), "1\n".into())
    );
    assert!(
        read("bare.err").contains("--task ID"),
        "{}",
        read("bare.err")
    );
    assert!(read("nope.err").contains("task nope is not in this batch"));
    let child = read("child");
    assert_eq!(show(&r, child.trim(), false)["state"], "waiting");
    let fences: Vec<u64> = read("fences").lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(
        fences.len(),
        3,
        "each line has its task's fence: {fences:?}"
    );
    // The retried task keeps its checkpoint for its next attempt; the done ones left nothing.
    assert_eq!(show(&r, "b3", false)["checkpoints"], json!({"k": "b3"}));
    assert_eq!(ctl_keys(&r).len(), 1, "{:?}", ctl_keys(&r));
}

#[test]
fn cancel_purge_and_clear_remove_the_control_data_of_the_tasks_they_remove() {
    let r = redis();
    for id in ["r1", "r2", "r3"] {
        push_one(&r, "t", id);
    }
    // Each fails its first attempt after a checkpoint: retrying, with control data.
    let handler = r#"$RPQ ctl checkpoint set step 1 && exit 1"#;
    let c = consumer(
        &r.url(),
        r.dir(),
        handler,
        &["--count", "3", "--backoff", "1h"],
    );
    let _ = c.success(Duration::from_secs(30));
    let ctl = |id: &str| Keys::new("default", 0).ctl(id);
    let mut keys = ctl_keys(&r);
    keys.sort();
    assert_eq!(keys, [ctl("r1"), ctl("r2"), ctl("r3")]);
    rpq(&r).args(["cancel", "r1"]).assert().success();
    let mut keys = ctl_keys(&r);
    keys.sort();
    assert_eq!(
        keys,
        [ctl("r2"), ctl("r3")],
        "a task still stored keeps its own"
    );
    // A dead task whose consumer was killed before it could remove its data (as a task that
    // died in a claim after its lease ran out).
    push_one(&r, "t", "d1");
    let dead = consumer(&r.url(), r.dir(), "exit 65", &["--count", "1"]);
    let _ = dead.success(Duration::from_secs(30));
    let mut c = conn(&r);
    let _: () = redis::cmd("HSET")
        .arg(ctl("d1"))
        .arg("c:step")
        .arg("1")
        .query(&mut c)
        .unwrap();
    rpq(&r).args(["dead", "purge", "--yes"]).assert().success();
    assert!(!ctl_keys(&r).contains(&ctl("d1")), "{:?}", ctl_keys(&r));
    rpq(&r).args(["clear"]).assert().success();
    assert_eq!(ctl_keys(&r), Vec::<String>::new());
}

#[test]
fn a_pipe_handler_gets_batches_after_a_header_and_answers_each_task() {
    let r = redis();
    let lines: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"type":"t","priority":2,"payload":{i},"id":"b{i}"}}"#))
        .collect();
    push_lines(&r, "default", &lines);
    // b7 is retried once, b9 is dead, b5 asks to be retried in an hour; the rest are done.
    let handler = r#"while IFS= read -r head; do
          n=$(printf '%s' "$head" | sed 's/^{"batch":\([0-9]*\)}$/\1/')
          echo "$n" >> "$DIR/batches"
          i=0
          while [ "$i" -lt "$n" ]; do
            IFS= read -r line; i=$((i+1))
            id=$(printf '%s' "$line" | sed 's/.*"id":"\([^"]*\)".*/\1/')
            case $id in
              b7) if [ ! -e "$DIR/b7" ]; then touch "$DIR/b7"
                    printf '{"id":"b7","outcome":"retry","error":"once more"}\n'; continue; fi ;;
              b9) printf '{"id":"b9","outcome":"dead","error":"bad"}\n'; continue ;;
              b5) printf '{"ctl":"retry-after","id":"b5","duration":"1h","reason":"later"}\n' ;;
            esac
            printf '{"id":"%s","outcome":"done"}\n' "$id"
          done
        done"#;
    let c = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(r.url())
            .args(["--json", "consume", "--pipe", handler])
            .args(["--batch", "50", "--count", "201", "--backoff", "10ms"])
            .env("DIR", r.dir()),
    );
    let out = ndjson(&c.success(Duration::from_secs(120)));
    let mut done = std::collections::HashMap::new();
    count_done(&mut done, &out);
    assert_eq!(done.len(), 198, "all but b5 and b9");
    assert!(done.values().all(|n| *n == 1), "each task done once");
    let of = |id: &str| -> Vec<(Value, Value)> {
        out.iter()
            .filter(|l| l["id"] == id)
            .map(|l| (l["outcome"].clone(), l["error"].clone()))
            .collect()
    };
    assert_eq!(of("b7")[0], (json!("retry"), json!("once more")));
    assert_eq!(of("b7")[1].0, "done");
    assert_eq!(of("b9"), [(json!("dead"), json!("bad"))]);
    assert_eq!(of("b5"), [(json!("retry"), json!("later"))]);
    let batches = std::fs::read_to_string(r.dir().join("batches")).unwrap();
    let sizes: Vec<usize> = batches.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 201, "{sizes:?}");
    assert!((5..=8).contains(&sizes.len()), "about 5 batches: {sizes:?}");
    assert!(sizes.iter().all(|n| *n <= 50));
}

#[test]
fn a_pipe_handler_line_that_never_ends_fails_its_task_and_not_the_consumer() {
    let r = redis();
    push_one(&r, "t", "g1");
    // 65 MiB and no newline, then a wait to be stopped.
    let handler = r#"python3 -c 'import sys, time
sys.stdin.readline()
sys.stdout.write("{\"ctl\":\"log\",\"id\":\"g1\",\"text\":\"" + "x" * (65 << 20))
sys.stdout.flush(); time.sleep(60)'"#;
    let c = Proc::spawn(
        std_command()
            .arg("--url")
            .arg(r.url())
            .args(["--json", "consume", "--pipe", handler])
            .args(["--count", "1", "--max-attempts", "1"]),
    );
    let out = c.end(Duration::from_secs(60));
    assert!(out.status.success(), "{}", out.stderr);
    let line = &ndjson(&out.stdout)[0];
    assert_eq!(line["outcome"], "dead", "{line}");
    let why = line["error"].as_str().unwrap();
    assert!(why.contains("a line longer than 64 MiB"), "{why}");
}
