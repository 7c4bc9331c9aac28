//! Groups (issue 23) and flows (issue 24) through the API and `/metrics`: a queue's groups a
//! page at a time, lists and bulk actions filtered by group, the top groups of `/metrics` with
//! an `(other)` bucket, and a flow's progress walked from any of its tasks.

use super::*;
use crate::support::push_lines;

/// `n` tasks of group `group` (none: the default group), ids `{prefix}{i}`, priority 2.
fn grouped(n: usize, group: Option<&str>, prefix: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let mut t = json!({"type": "t", "priority": 2, "id": format!("{prefix}{i}")});
            if let Some(g) = group {
                t["group"] = json!(g);
            }
            t.to_string()
        })
        .collect()
}

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

fn ids(page: &Value) -> Vec<String> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn serve_groups_route_pages_the_groups_largest_first_and_lists_filter_by_group() {
    let r = redis();
    push_lines(&r, "g", &grouped(7, Some("big"), "b"));
    push_lines(&r, "g", &grouped(4, Some(HOSTILE), "h"));
    push_lines(&r, "g", &grouped(2, None, "n"));
    // One of the big group in another priority: a filter by group is not one by priority.
    push_lines(
        &r,
        "g",
        &[json!({"type": "u", "priority": "high", "id": "bh", "group": "big"}).to_string()],
    );
    rpq(&r)
        .args(["--queue", "g", "group", "weight", "big", "3"])
        .assert()
        .success();
    let s = Serve::start(&r, &[]);
    let all = s.get("/api/queues/g/groups").expect(200).json();
    assert_eq!(
        all,
        json!({"queue": "g", "limit": 50, "offset": 0, "total": 3, "waiting": 14, "more": false,
            "groups": [{"group": "big", "waiting": 8, "in_flight": 0, "weight": 3, "group_paused": false},
                       {"group": HOSTILE, "waiting": 4, "in_flight": 0, "weight": 1, "group_paused": false},
                       {"waiting": 2, "in_flight": 0, "weight": 1, "group_paused": false}]})
    );
    assert_eq!(crate::schema::breaches(&all), Vec::<String>::new());
    // As `rpq groups --json` prints them.
    let cli = crate::support::json_lines(rpq(&r).args(["--queue", "g", "--json", "groups"]));
    assert_eq!(Value::from(cli), all["groups"]);
    let second = s
        .get("/api/queues/g/groups?limit=1&offset=1")
        .expect(200)
        .json();
    assert_eq!(
        second["groups"],
        json!([{"group": HOSTILE, "waiting": 4, "in_flight": 0, "weight": 1, "group_paused": false}])
    );
    assert_eq!(second["more"], true);
    let last = s
        .get("/api/queues/g/groups?limit=1&offset=2")
        .expect(200)
        .json();
    assert_eq!(last["more"], false);
    s.get("/api/queues/g/groups?limit=0").expect(400);
    s.get("/api/queues/g/groups?limit=501").expect(400);
    s.get("/api/queues/g/groups?sort=x").expect(400);
    s.get("/api/queues/nope/groups").expect(404);

    // A list of one group: every page of the state, in its order; hostile keys are data.
    let enc = |g: &str| {
        g.replace('<', "%3C")
            .replace('>', "%3E")
            .replace(' ', "%20")
    };
    let page = s
        .get(&format!(
            "/api/queues/g/tasks?state=waiting&group={}",
            enc(HOSTILE)
        ))
        .expect(200)
        .json();
    assert_eq!(ids(&page), ["h0", "h1", "h2", "h3"]);
    assert!(page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["group"] == HOSTILE));
    let page = s
        .get("/api/queues/g/tasks?state=waiting&group=big&limit=3")
        .expect(200)
        .json();
    assert_eq!(ids(&page), ["bh", "b0", "b1"]);
    let next = page["next"].as_str().unwrap();
    let page = s
        .get(&format!(
            "/api/queues/g/tasks?state=waiting&group=big&limit=50&after={next}"
        ))
        .expect(200)
        .json();
    assert_eq!(ids(&page), ["b2", "b3", "b4", "b5", "b6"]);
    // A group key that is a prefix of another, or that a payload names, matches nothing.
    push_lines(
        &r,
        "g",
        &[
            json!({"type": "t", "priority": 2, "id": "p1", "payload": {"g": "bi", "t": 1}})
                .to_string(),
        ],
    );
    let page = s
        .get("/api/queues/g/tasks?state=waiting&group=bi")
        .expect(200)
        .json();
    assert_eq!(ids(&page), Vec::<String>::new());
    s.get("/api/queues/g/tasks?state=waiting&group=a%01b")
        .expect(400);

    // A bulk action on everything a group filter matches moves exactly those tasks.
    let done = s
        .post(
            "/api/queues/g/bulk",
            &json!({"action": "move", "priority": "low", "filter": {"state": "waiting", "group": HOSTILE}}),
        )
        .expect(200)
        .json();
    assert_eq!(
        (done["matched"].clone(), done["changed"].clone()),
        (json!(4), json!(4))
    );
    let low = s
        .get("/api/queues/g/tasks?state=waiting&priority=low")
        .expect(200)
        .json();
    assert_eq!(ids(&low), ["h0", "h1", "h2", "h3"]);
}

#[test]
fn serve_metrics_give_the_top_groups_and_sum_the_others() {
    let r = redis();
    let mut lines = Vec::new();
    for (i, n) in [5, 4, 3, 2, 1].iter().enumerate() {
        lines.extend(grouped(*n, Some(&format!("g{i}")), &format!("t{i}-")));
    }
    lines.extend(grouped(2, None, "none-"));
    push_lines(&r, "m", &lines);
    push_lines(&r, "plain", &grouped(3, None, "p"));
    let s = Serve::start(&r, &["serve", "--metrics-groups", "2"]);
    let text = s.get("/metrics").expect(200).text().to_string();
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("rpq_group"))
        .collect();
    // The two largest, the rest in one bucket: 3 series, whatever the number of groups; the
    // default group is a group like another, and a queue without groups gives nothing.
    assert_eq!(
        series,
        [
            "rpq_groups{queue=\"m\"} 6",
            "rpq_group_tasks_waiting{queue=\"m\",group=\"(other)\"} 8",
            "rpq_group_tasks_waiting{queue=\"m\",group=\"g0\"} 5",
            "rpq_group_tasks_waiting{queue=\"m\",group=\"g1\"} 4",
        ],
        "{text}"
    );
    drop(s);
    let s = Serve::start(&r, &["serve", "--metrics-groups", "0"]);
    let text = s.get("/metrics").expect(200).text().to_string();
    assert!(!text.contains("rpq_group"), "{text}");
    drop(s);
    rpq(&r)
        .args(["serve", "--metrics-groups", "1001"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2);
}

#[test]
fn serve_flow_route_counts_a_diamond_part_way_done_from_any_task() {
    let r = redis();
    let q = |args: &[&str]| {
        rpq(&r).args(["--queue", "f"]).args(args).assert().success();
    };
    q(&["produce", "--type", "a", "--id", "A", "--keep-result", "1h"]);
    q(&["produce", "--type", "b", "--id", "B", "--after", "A"]);
    q(&["produce", "--type", "c", "--id", "C", "--after", "A"]);
    q(&["produce", "--type", "d", "--id", "D", "--after", "B,C"]);
    let s = Serve::start(&r, &[]);
    let before = s.get("/api/queues/f/tasks/D/flow").expect(200).json();
    assert_eq!(
        before,
        json!({"queue": "f", "max": 10000, "id": "D", "nodes": 4, "counts": {"waiting": 1, "blocked": 3}, "cut": false,
               "walked": [{"queue": "f", "id": "D", "state": "blocked"},
                         {"queue": "f", "id": "B", "state": "blocked"}, {"queue": "f", "id": "C", "state": "blocked"},
                         {"queue": "f", "id": "A", "state": "waiting"}]})
    );
    assert_eq!(crate::schema::breaches(&before), Vec::<String>::new());
    // A and B done: C waits, D is blocked on C.
    q(&["consume", "--count", "2", "--exec", "echo ok"]);
    for from in ["C", "D"] {
        let v = s
            .get(&format!("/api/queues/f/tasks/{from}/flow"))
            .expect(200)
            .json();
        assert_eq!(
            v["counts"],
            json!({"done": 2, "waiting": 1, "blocked": 1}),
            "{from}: {v}"
        );
        assert_eq!(v["nodes"], 4);
    }
    // A finished task is known, but its links went with it: the walk finds it alone.
    let a = s.get("/api/queues/f/tasks/A/flow").expect(200).json();
    assert_eq!(
        (a["nodes"].clone(), a["counts"].clone()),
        (json!(1), json!({"done": 1}))
    );
    // The bound: cut, and said so.
    let cut = s.get("/api/queues/f/tasks/D/flow?max=2").expect(200).json();
    assert_eq!(
        (cut["nodes"].clone(), cut["cut"].clone()),
        (json!(2), json!(true))
    );
    s.get("/api/queues/f/tasks/D/flow?max=0").expect(400);
    s.get("/api/queues/f/tasks/D/flow?max=10001").expect(400);
    s.get("/api/queues/f/tasks/nope/flow").expect(404);
    s.get("/api/queues/nope/tasks/D/flow").expect(404);
}

/// The walked tasks as (queue, id, state), sorted: each must be there once.
fn walked(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = v["walked"]
        .as_array()
        .unwrap_or_else(|| panic!("no tasks: {v}"))
        .iter()
        .map(|t| {
            let s = |k: &str| {
                t[k].as_str()
                    .unwrap_or_else(|| panic!("{k}: {t}"))
                    .to_string()
            };
            (s("queue"), s("id"), s("state"))
        })
        .collect();
    out.sort();
    out
}

fn node(q: &str, id: &str, state: &str) -> (String, String, String) {
    (q.to_string(), id.to_string(), state.to_string())
}

/// A diamond whose B is in another queue: walked from any task, the flow is the same four
/// tasks, each once and with its own queue, and its progress is counted across both queues.
#[test]
fn serve_flow_route_follows_a_diamond_into_another_queue() {
    let r = redis();
    let q = |queue: &str, args: &[&str]| {
        rpq(&r)
            .args(["--queue", queue])
            .args(args)
            .assert()
            .success();
    };
    q(
        "f",
        &["produce", "--type", "a", "--id", "A", "--keep-result", "1h"],
    );
    q(
        "g",
        &["produce", "--type", "b", "--id", "B", "--after-in", "f=A"],
    );
    q(
        "f",
        &["produce", "--type", "c", "--id", "C", "--after", "A"],
    );
    q(
        "f",
        &[
            "produce",
            "--type",
            "d",
            "--id",
            "D",
            "--after",
            "C",
            "--after-in",
            "g=B",
        ],
    );
    let s = Serve::start(&r, &[]);
    for (queue, from) in [("f", "D"), ("g", "B"), ("f", "A"), ("f", "C")] {
        let v = s
            .get(&format!("/api/queues/{queue}/tasks/{from}/flow"))
            .expect(200)
            .json();
        assert_eq!(crate::schema::breaches(&v), Vec::<String>::new());
        assert_eq!(
            (v["nodes"].clone(), v["counts"].clone(), v["cut"].clone()),
            (json!(4), json!({"waiting": 1, "blocked": 3}), json!(false)),
            "{queue}/{from}: {v}"
        );
        assert_eq!(
            walked(&v),
            vec![
                node("f", "A", "waiting"),
                node("f", "C", "blocked"),
                node("f", "D", "blocked"),
                node("g", "B", "blocked"),
            ],
            "{queue}/{from}: {v}"
        );
        assert_eq!(
            v["walked"][0],
            json!({"queue": queue, "id": from, "state": v["walked"][0]["state"]})
        );
    }
    // A done (f), then B done (g): C waits, D is blocked on C.
    q("f", &["consume", "--count", "1", "--exec", "echo ok"]);
    q("g", &["consume", "--count", "1", "--exec", "echo ok"]);
    let v = s.get("/api/queues/f/tasks/D/flow").expect(200).json();
    assert_eq!(
        (v["nodes"].clone(), v["counts"].clone()),
        (json!(4), json!({"done": 2, "waiting": 1, "blocked": 1})),
        "{v}"
    );
    assert_eq!(
        walked(&v),
        vec![
            node("f", "A", "done"),
            node("f", "C", "waiting"),
            node("f", "D", "blocked"),
            node("g", "B", "done"),
        ],
        "{v}"
    );
    // The bound holds across queues too.
    let cut = s.get("/api/queues/f/tasks/D/flow?max=3").expect(200).json();
    assert_eq!(
        (cut["nodes"].clone(), cut["cut"].clone()),
        (json!(3), json!(true)),
        "{cut}"
    );
}

/// A sharded queue's fan-in: the parts are on several shards, and the join names those on
/// other shards as such; from a part or from the join, each task is found once.
#[test]
fn serve_flow_route_walks_a_sharded_fan_in_across_its_shards() {
    let r = redis();
    let q = |args: &[&str]| {
        rpq(&r)
            .args(["--queue", "wide"])
            .args(args)
            .assert()
            .success();
    };
    q(&[
        "produce", "--shards", "3", "--type", "part", "--id", "part-0",
    ]);
    let parts: Vec<String> = (0..12).map(|i| format!("part-{i}")).collect();
    for p in &parts[1..] {
        q(&["produce", "--type", "part", "--id", p]);
    }
    q(&[
        "produce",
        "--type",
        "join",
        "--id",
        "joined",
        "--after",
        &parts.join(","),
    ]);
    let mut want: Vec<_> = parts.iter().map(|p| node("wide", p, "waiting")).collect();
    want.push(node("wide", "joined", "blocked"));
    want.sort();
    let s = Serve::start(&r, &[]);
    for from in ["joined", "part-0", "part-7"] {
        let v = s
            .get(&format!("/api/queues/wide/tasks/{from}/flow"))
            .expect(200)
            .json();
        assert_eq!(crate::schema::breaches(&v), Vec::<String>::new());
        assert_eq!(walked(&v), want, "{from}: {v}");
        assert_eq!(
            (v["nodes"].clone(), v["counts"].clone()),
            (json!(13), json!({"waiting": 12, "blocked": 1})),
            "{from}: {v}"
        );
    }
    // Half the parts done: counted done wherever their shard is.
    q(&["consume", "--count", "6", "--exec", "echo ok"]);
    let v = s
        .get("/api/queues/wide/tasks/joined/flow")
        .expect(200)
        .json();
    assert_eq!(
        (v["nodes"].clone(), v["counts"].clone()),
        (json!(13), json!({"done": 6, "waiting": 6, "blocked": 1})),
        "{v}"
    );
}
