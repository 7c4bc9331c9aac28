//! `consume --prefetch K`: tasks claimed K at a time, acks batched into few script calls, and
//! the leases of prefetched tasks kept alive while they wait their turn.

use crate::support::*;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

#[test]
fn prefetch_drains_every_task_once_in_few_round_trips() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids([2; 200]));
    let mut c = conn(&r);
    let k = Keys::new("default", 0);
    let before = calls(&mut c, &["evalsha"]);
    let out = rpq(&r)
        .args(["--json", "consume", "--drain", "--prefetch", "50"])
        .assert()
        .success()
        .stderr("");
    let calls = calls(&mut c, &["evalsha"]) - before;
    let done = ndjson(&out.get_output().stdout);
    let ids: HashSet<_> = done.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!((done.len(), ids.len()), (200, 200));
    assert!(done
        .iter()
        .all(|t| t["outcome"] == "done" && t["attempt"] == 1));
    // In arrival order, as without prefetch.
    assert_eq!(done[0]["id"], "t0");
    assert_eq!(done[199]["id"], "t199");
    // Five claims of 50 (acks riding on the next claim) and one that finds nothing, plus at
    // most a few acks sent early; one task at a time would take 200 calls or more.
    assert!(calls < 40, "{calls} script calls for 200 tasks");
    assert_eq!(in_flight(&mut c, "default"), 0);
    let left: u64 = redis::cmd("HLEN").arg(k.tasks()).query(&mut c).unwrap();
    assert_eq!(left, 0, "acknowledged tasks leave no body behind");
}

#[test]
fn prefetched_tasks_keep_their_leases_while_they_wait() {
    let r = redis();
    for i in 0..3 {
        push_one(&r, "t", &format!("p{i}"));
    }
    // c1 takes all three at once; each takes 1.2 s, so the last waits 2.4 s on a 1 s lease.
    let c1 = Proc::start(
        &r,
        &[
            "--json",
            "consume",
            "--name",
            "c1",
            "--prefetch",
            "3",
            "--count",
            "3",
            "--delay",
            "1200ms",
            "--lease",
            "1s",
        ],
    );
    let mut c = conn(&r);
    wait_in_flight(&mut c, "default", 3);
    // c2 waits for the first lease to expire and would recover any lease not extended.
    let c2 = Proc::start(&r, &["--json", "consume", "--name", "c2"]);
    let out1 = c1.end(Duration::from_secs(30));
    assert!(out1.status.success(), "{out1:?}");
    let done = ndjson(&out1.stdout);
    assert_eq!(done.len(), 3);
    for t in &done {
        assert_eq!(
            (&t["outcome"], &t["attempt"]),
            (&json!("done"), &json!(1)),
            "{t}"
        );
    }
    c2.signal(libc::SIGTERM);
    let out2 = c2.end(Duration::from_secs(10));
    assert!(out2.status.success(), "{out2:?}");
    assert!(out2.stdout.is_empty(), "c2 got a task it should not have");
}
