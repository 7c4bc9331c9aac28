//! Several consumer processes on one queue: every task is handed out exactly once.

use crate::support::*;
use std::collections::HashMap;
use std::time::Duration;

#[test]
fn four_consumers_drain_5000_tasks_each_exactly_once() {
    let r = redis();
    push_lines(&r, "default", &lines_with_ids(mixed(5000)));
    rpq(&r).arg("len").assert().success().stdout("5000\n");
    let consumers: Vec<_> = (0..4)
        .map(|i| {
            Proc::start(
                &r,
                &["--json", "consume", "--drain", "--name", &format!("c{i}")],
            )
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut per_consumer = Vec::new();
    for c in consumers {
        let out = c.end(Duration::from_secs(120));
        assert!(out.status.success(), "{}", out.stderr);
        let lines = ndjson(&out.stdout);
        per_consumer.push(lines.len());
        for t in &lines {
            assert_eq!(t["outcome"], "done");
        }
        count_done(&mut seen, &lines);
    }
    assert_eq!(seen.len(), 5000, "some tasks were never consumed");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "handed out more than once: {twice:?}");
    assert_eq!(per_consumer.iter().sum::<usize>(), 5000);
    rpq(&r).arg("len").assert().success().stdout("0\n");
    assert_eq!(in_flight(&mut conn(&r), "default"), 0);
}

#[test]
fn an_idle_consumer_wakes_on_push_without_polling() {
    let r = redis();
    create_queue(&r, "default");
    let consumer = Proc::start(&r, &["--json", "consume", "--count", "1"]);
    let mut c = conn(&r);
    // Wait until the consumer is registered (it claimed once and found nothing).
    wait_consumers(&mut c, "default", 1);
    let before = calls(&mut c, &["blpop", "evalsha"]);
    std::thread::sleep(Duration::from_millis(1500));
    // An idle consumer sends about one blocking command a second, and no claim in between.
    let idle = calls(&mut c, &["blpop", "evalsha"]) - before;
    assert!(idle <= 4, "{idle} commands in 1.5 s of idling");
    rpq(&r)
        .args(["produce", "--type", "wake"])
        .assert()
        .success();
    let out = consumer.end(Duration::from_secs(10));
    assert!(out.status.success());
    assert_eq!(ndjson(&out.stdout)[0]["type"], "wake");
}
