//! What `rpq stats` and `rpq groups` say of groups (issue 23): the groups with waiting tasks,
//! the largest by waiting tasks with their tasks in flight and the others summed, and tasks in
//! flight counted by group whether or not the queue has limits of groups.

use crate::support::*;
use rpq::server::RedisServer;
use serde_json::json;
use std::time::Duration;

fn group_lines(g: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| json!({"type": "t", "priority": 2, "payload": i, "group": g}).to_string())
        .collect()
}

/// acme's 30 tasks pushed alone, 2 of them held by a consumer whose handler sleeps; then
/// globex's 20, twelve groups of one and 5 tasks without a group.
fn two_of_acme_in_flight(r: &RedisServer) -> Proc {
    let mut c = conn(r);
    push_lines(r, "default", &group_lines("acme", 30));
    let holder = Proc::start(
        r,
        &[
            "consume",
            "--name",
            "holder",
            "-j",
            "2",
            "--exec",
            "exec sleep 60",
        ],
    );
    wait_in_flight(&mut c, "default", 2);
    let mut rest = group_lines("globex", 20);
    for g in 0..12 {
        rest.extend(group_lines(&format!("g{g:02}"), 1));
    }
    for _ in 0..5 {
        rest.push(json!({"type": "t", "priority": 2}).to_string());
    }
    push_lines(r, "default", &rest);
    holder
}

#[test]
fn stats_shows_the_groups_with_the_most_waiting_and_sums_the_others() {
    let r = redis();
    // A queue without groups says nothing of them.
    push_lines(
        &r,
        "default",
        &[json!({"type": "t", "priority": 2}).to_string()],
    );
    let s = json_lines(rpq(&r).args(["--json", "stats"])).remove(0);
    assert!(s.get("groups_with_work").is_none(), "{s}");
    assert!(s.get("top_groups").is_none(), "{s}");
    rpq(&r).args(["clear"]).assert().success();

    let holder = two_of_acme_in_flight(&r);
    let s = json_lines(rpq(&r).args(["--json", "stats", "--groups", "2"])).remove(0);
    assert!(
        crate::schema::breaches(&s).is_empty(),
        "{:?}",
        crate::schema::breaches(&s)
    );
    assert_eq!(s["groups_with_work"], 15, "{s}");
    assert_eq!(
        s["top_groups"],
        json!([
            {"group": "acme", "waiting": 28, "in_flight": 2},
            {"group": "globex", "waiting": 20, "in_flight": 0},
        ])
    );
    assert_eq!(
        s["other_groups"],
        json!({"groups_with_work": 13, "waiting": 17, "in_flight": 0})
    );
    // The default: 10, then the rest; the default group is one of them, without a key.
    let s = json_lines(rpq(&r).args(["--json", "stats"])).remove(0);
    let top = s["top_groups"].as_array().unwrap();
    assert_eq!(top.len(), 10);
    assert_eq!(top[2], json!({"waiting": 5, "in_flight": 0}));
    assert_eq!(top[3]["group"], "g00");
    assert_eq!(
        s["other_groups"],
        json!({"groups_with_work": 5, "waiting": 5, "in_flight": 0})
    );
    // None asked: not read.
    let s = json_lines(rpq(&r).args(["--json", "stats", "--groups", "0"])).remove(0);
    assert!(s.get("groups_with_work").is_none(), "{s}");
    let human = rpq(&r)
        .args(["stats", "--groups", "3"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8(human).unwrap();
    assert!(
        human.contains(
            "  groups              15  with waiting tasks, the most first:\n    acme                            28 waiting, 2 in flight\n    globex                          20 waiting, 0 in flight\n    (no group)                       5 waiting, 0 in flight\n    12 more                         12 waiting, 0 in flight\n"
        ),
        "{human}"
    );
    holder.signal(libc::SIGKILL);
    holder.end(Duration::from_secs(10));
}

/// `rpq groups` counts a group's tasks in flight from the tasks in flight, also on a queue
/// without limits of groups (which counts nothing per group in its claims).
#[test]
fn groups_counts_tasks_in_flight_without_limits_of_groups() {
    let r = redis();
    let holder = two_of_acme_in_flight(&r);
    let groups = json_lines(rpq(&r).args(["--json", "groups", "--limit", "2"]));
    assert_eq!(
        groups
            .iter()
            .map(|g| (
                g["group"].clone(),
                g["waiting"].clone(),
                g["in_flight"].clone()
            ))
            .collect::<Vec<_>>(),
        vec![
            (json!("acme"), json!(28), json!(2)),
            (json!("globex"), json!(20), json!(0)),
        ]
    );
    holder.signal(libc::SIGKILL);
    holder.end(Duration::from_secs(10));
}
