//! Tasks that come back into the waiting line by ways other than a push go into their group's
//! line (issue 23), so they are claimed in their group's turn, not once no group has work: a
//! child a flow releases, a task a type's limit held in its line (`limit --type T --off`).

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

/// Five children of group small wait for a parent; 60 tasks of group big wait. The parent's ack
/// releases the children into small's line: they take small's turns at once.
fn released_children_take_their_groups_turns(acked_alone: bool) {
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
        .assert()
        .success();
    for _ in 0..5 {
        rpq(&r)
            .args([
                "produce", "--type", "c", "--group", "small", "--after", "parent",
            ])
            .assert()
            .success();
    }
    let first = if acked_alone {
        // The parent alone: its ack is a call of its own when the consumer stops.
        consume(&r, 1)
    } else {
        // The parent's ack rides on the next claim.
        let mut d = consume(&r, 11);
        let rest = d.split_off(1);
        assert_eq!(small_among(&rest), 5, "{rest:?}");
        d
    };
    assert_eq!(first[0]["id"], "parent");
    if acked_alone {
        let done = consume(&r, 10);
        assert_eq!(
            small_among(&done),
            5,
            "the children in small's turns: {done:?}"
        );
    }
}

#[test]
fn children_released_by_an_ack_on_a_claim_take_their_groups_turns() {
    released_children_take_their_groups_turns(false);
}

#[test]
fn children_released_by_an_ack_of_its_own_take_their_groups_turns() {
    released_children_take_their_groups_turns(true);
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
