//! Loose ends of groups (issue 23). Tasks that come back into the waiting line by ways other
//! than a push go into their group's line, so they are claimed in their group's turn, not once
//! no group has work: a child a flow releases, a task a type's limit held in its line (`limit
//! --type T --off`). Debounce on `--stdin` lines and in the HTTP push API, which also puts a
//! grouped task of a sharded queue on its group's shard.

use crate::support::*;
use rpq::server::RedisServer;
use serde_json::{json, Value};

fn group_lines(g: &str, n: usize, kind: &str) -> Vec<String> {
    (0..n)
        .map(|i| json!({"type": kind, "priority": 2, "payload": i, "group": g}).to_string())
        .collect()
}

fn consume(r: &RedisServer, n: usize) -> Vec<Value> {
    json_lines(rpq(r).args(["--json", "consume", "--count", &n.to_string()]))
}

fn small_among(done: &[Value]) -> usize {
    done.iter().filter(|v| v["group"] == "small").count()
}

/// How the parent ends: its ack rides on the next claim, its ack is a call of its own (the
/// consumer stops after it), or it fails for good and its children run anyway.
#[derive(Clone, Copy, PartialEq)]
enum ParentEnd {
    AckOnClaim,
    AckAlone,
    Dead,
}

/// Five children of group small wait for a parent; 60 tasks of group big wait. The parent's end
/// releases the children into small's line: they take small's turns at once.
fn released_children_take_their_groups_turns(end: ParentEnd) {
    let r = redis();
    push_lines(&r, "default", &group_lines("big", 60, "t"));
    rpq(&r)
        .args([
            "produce",
            "--type",
            "p",
            "--priority",
            "high",
            "--id",
            "parent",
        ])
        .args(["--max-attempts", "1"])
        .assert()
        .success();
    for _ in 0..5 {
        rpq(&r)
            .args([
                "produce", "--type", "c", "--group", "small", "--after", "parent",
            ])
            .args(["--on-parent-failure", "run"])
            .assert()
            .success();
    }
    let done = match end {
        ParentEnd::AckOnClaim => {
            let mut d = consume(&r, 11);
            assert_eq!(d[0]["id"], "parent");
            d.split_off(1)
        }
        ParentEnd::AckAlone => {
            assert_eq!(consume(&r, 1)[0]["id"], "parent");
            consume(&r, 10)
        }
        ParentEnd::Dead => {
            let failed =
                json_lines(rpq(&r).args(["--json", "consume", "--count", "1", "--exec", "exit 3"]));
            assert_eq!(
                (failed[0]["id"].as_str(), failed[0]["outcome"].as_str()),
                (Some("parent"), Some("dead"))
            );
            consume(&r, 10)
        }
    };
    assert_eq!(
        small_among(&done),
        5,
        "the children in small's turns: {done:?}"
    );
    // What a release left for the next claim is gone with it.
    let waits = rpq::queue::keys::Keys::new("default", 0)
        .all()
        .iter()
        .find(|k| k.ends_with(":waits"))
        .unwrap()
        .clone();
    let left: bool = redis::cmd("HEXISTS")
        .arg(&waits)
        .arg("\t\tgroups")
        .query(&mut conn(&r))
        .unwrap();
    assert!(!left, "{waits} still lists released children");
}

#[test]
fn children_released_by_an_ack_on_a_claim_take_their_groups_turns() {
    released_children_take_their_groups_turns(ParentEnd::AckOnClaim);
}

#[test]
fn children_released_by_an_ack_of_its_own_take_their_groups_turns() {
    released_children_take_their_groups_turns(ParentEnd::AckAlone);
}

#[test]
fn children_released_by_their_parents_death_take_their_groups_turns() {
    released_children_take_their_groups_turns(ParentEnd::Dead);
}

/// Group small's tasks of a limited type wait in the type's line while big's go; once the
/// limit is removed they go back into small's line and take its turns.
#[test]
fn tasks_a_types_limit_held_back_take_their_groups_turns_after_off() {
    let r = redis();
    rpq(&r)
        .args(["limit", "--type", "slow", "--rate", "1/h"])
        .assert()
        .success();
    push_lines(&r, "default", &group_lines("small", 5, "slow"));
    push_lines(&r, "default", &group_lines("big", 60, "fast"));
    // The first slow task takes the hour's token; the others wait in their line.
    let done = consume(&r, 5);
    assert_eq!(small_among(&done), 1, "{done:?}");
    // `limit --off` removes the limit, then moves the line back in steps: a claim may come
    // between the two, in the groups' turns, and meet small's entries while their tasks are
    // still in the line (dropping them). That window, made wide: the limit's fields removed as
    // the first step does, three claims, then `limit --off`, which finds the line to drain.
    let mut c = conn(&r);
    let controls = rpq::queue::keys::Keys::new("default", 0)
        .controls()
        .to_string();
    let fields: Vec<String> = redis::cmd("HKEYS").arg(&controls).query(&mut c).unwrap();
    for f in fields
        .iter()
        .filter(|f| f.starts_with("limit:") || f.starts_with("tat:") || f.starts_with("busy:"))
    {
        let _: () = redis::cmd("HDEL")
            .arg(&controls)
            .arg(f)
            .query(&mut c)
            .unwrap();
    }
    let done = consume(&r, 3);
    assert_eq!(small_among(&done), 0, "{done:?}");
    // The limit is gone already (exit 1 says so), and its line is drained all the same.
    rpq(&r)
        .args(["limit", "--type", "slow", "--off"])
        .assert()
        .code(1)
        .stderr("rpq: queue 'default' has no limit on type 'slow'\n");
    let done = consume(&r, 10);
    assert_eq!(small_among(&done), 4, "small's four in its turns: {done:?}");
}

/// Debounce on `--stdin` lines (issue 23): `"debounce": DUR` with an `"id"` is `produce --id ID
/// --debounce DUR`, `"keep_first": true` its `--keep-first`. A hundred lines of one id in one
/// input are one task, with the last payload, due DUR after the push; bad combinations are bad
/// lines (exit 65), the good lines queued.
#[test]
fn debounced_lines_of_one_id_are_one_run_with_the_last_or_first_payload() {
    let r = redis();
    let mut c = conn(&r);
    let mut input: Vec<String> = (0..100)
        .map(|i| {
            json!({"type": "t", "priority": 2, "id": "doc", "debounce": "2s", "payload": i})
                .to_string()
        })
        .collect();
    for i in 0..3 {
        input.push(
            json!({"type": "t", "priority": 2, "id": "first", "debounce": 2, "keep_first": true,
                "payload": i})
            .to_string(),
        );
    }
    let before = server_ms(&mut c);
    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(input.join("\n"))
        .assert()
        .success();
    let after = server_ms(&mut c);
    let scheduled = json_lines(rpq(&r).args(["--json", "list", "--state", "scheduled"]));
    assert_eq!(scheduled.len(), 2, "{scheduled:?}");
    for t in &scheduled {
        let due = time(&t["due_at"]).timestamp_millis();
        assert!(
            due >= before + 2000 && due <= after + 2000,
            "{t} due 2 s after the push"
        );
        let want = if t["id"] == "doc" { 99 } else { 0 };
        assert_eq!(t["payload"], want, "{t}");
    }
    // Pushed again while it waits: moved again, the new payload.
    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(
            json!({"type": "t", "priority": 2, "id": "doc", "debounce": "3s", "payload": "last"})
                .to_string(),
        )
        .assert()
        .success();
    let doc = json_lines(rpq(&r).args(["--json", "show", "doc"])).remove(0);
    assert_eq!(doc["payload"], "last");
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "len"]))[0]["scheduled"],
        2
    );
    let bad = [
        json!({"type": "t", "priority": 2, "debounce": "1s"}),
        json!({"type": "t", "priority": 2, "id": "a", "debounce": "1s", "in": "1s"}),
        json!({"type": "t", "priority": 2, "id": "a", "keep_first": true}),
        json!({"type": "t", "priority": 2, "id": "a", "debounce": "1s", "keep_first": "yes"}),
        json!({"type": "t", "priority": 2, "id": "ok", "debounce": "1s"}),
    ];
    let text: Vec<String> = bad.iter().map(Value::to_string).collect();
    rpq(&r)
        .args(["produce", "--stdin"])
        .write_stdin(text.join("\n"))
        .assert()
        .code(65)
        .stderr(
            "line 1: \"debounce\" needs an \"id\": the task a burst of pushes of that id moves\n\
             line 2: a line has both \"debounce\" and \"in\"; give one\n\
             line 3: a line has \"keep_first\" without \"debounce\"\n\
             line 4: \"keep_first\" is the string \"yes\"; it must be true or false\n\
             rpq: 4 lines of stdin were not valid tasks and skipped; the other 1 was queued\n",
        );
    assert_eq!(
        json_lines(rpq(&r).args(["--json", "len"]))[0]["scheduled"],
        3
    );
}

/// The HTTP push API takes the same fields: three debounced pushes of one id are one task with
/// the last payload. On a sharded queue a grouped task pushed through it lands on its group's
/// shard, and an own id off that shard is refused (400, one line).
#[test]
fn the_push_api_debounces_and_places_a_grouped_task_on_its_groups_shard() {
    use crate::serve::Serve;
    let r = redis();
    let s = Serve::start(&r, &["--shards", "3"]);
    for i in 0..3 {
        s.post(
            "/api/queues/q/tasks",
            &json!({"type": "t", "priority": 2, "id": "doc", "debounce": "5s", "payload": i}),
        )
        .expect(201);
    }
    let doc = json_lines(rpq(&r).args(["--queue", "q", "--json", "show", "doc"])).remove(0);
    assert_eq!(
        (doc["payload"].clone(), doc["state"].clone()),
        (json!(2), json!("scheduled"))
    );
    assert_eq!(
        json_lines(rpq(&r).args(["--queue", "q", "--json", "len"]))[0]["scheduled"],
        1
    );

    let home = rpq::queue::group_shard("acme", 3);
    let mut c = conn(&r);
    let lines: Vec<String> = (0..10)
        .map(|i| json!({"type": "t", "priority": 2, "group": "acme", "payload": i}).to_string())
        .collect();
    s.send(
        "POST",
        "/api/queues/q/tasks",
        "application/x-ndjson",
        &lines.join("\n"),
    )
    .expect(200);
    for shard in 0..3 {
        let want = if shard == home { 10 } else { 0 };
        assert_eq!(
            zcard(&mut c, rpq::queue::keys::Keys::new("q", shard).pending()),
            want,
            "shard {shard}"
        );
    }
    let off = (0..)
        .map(|i| format!("order-{i}"))
        .find(|id| rpq::queue::keys::shard_of(id, 3) != home)
        .unwrap();
    let refused = s
        .post(
            "/api/queues/q/tasks",
            &json!({"type": "t", "priority": 2, "group": "acme", "id": off}),
        )
        .expect(400)
        .json();
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("lives on shard"),
        "{refused}"
    );
}
