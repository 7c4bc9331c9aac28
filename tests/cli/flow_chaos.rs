//! Issue 24's own test of flows: a diamond A → (B, C) → D and a fan-in of 1,000 parents into F,
//! in one queue, under 4 consumers killed with -9 at random moments and Redis frozen past the
//! lease and the client's read timeout. SPEC 18: a child becomes claimable once, after every
//! parent is done, whatever dies meanwhile.
//!
//! What is promised, and so asserted: a parent may run more than once (a lost lease, a killed
//! consumer: at-least-once), a child is released once. So that a child's own lease is never
//! lost (which would rerun it, as any task), the chaos happens while D and F are blocked: B, C
//! and one fan-in parent (chosen at random) wait in their handlers for a gate that opens once
//! the kills and the freeze are over. Their runs, and every other parent's, live through them.
//! A consumer whose lease of a gated task was lost still waits in that handler (its task runs
//! again elsewhere, also held), so there are 8 consumers: at most 6 are held so, after the
//! freeze, and the others go on with the fan-in.

use crate::support::*;
use rand::{Rng, SeedableRng};
use rpq::queue::keys::{Key, Keys};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

const PARENTS: usize = 1000;
const CONSUMERS: usize = 8;
const KILLS: usize = 4;
/// Past the 1 s lease and the client's 10 s read timeout (src/conn.rs: READ_TIMEOUT).
const FREEZE: Duration = Duration::from_secs(11);

/// Every run of a handler: "ID START_MS" a line, appended at its start.
fn starts(path: &Path) -> Vec<(String, i64)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (id, ms) = l.split_once(' ')?;
            Some((id.to_string(), ms.parse().ok()?))
        })
        .collect()
}

/// The NDJSON lines of a file a child's handler copied from `RPQ_PARENT_RESULTS`.
fn parent_results(path: &Path) -> Vec<Value> {
    ndjson(&std::fs::read(path).unwrap_or_default())
}

fn ms(v: &Value) -> i64 {
    time(v).timestamp_millis()
}

#[test]
fn a_diamond_and_a_fan_in_of_1000_through_4_kills_and_a_frozen_server() {
    let seed: u64 = std::env::var("RPQ_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    // Printed with the test's output on failure: RPQ_CHAOS_SEED=N replays its choices.
    eprintln!("chaos seed {seed} (replay: RPQ_CHAOS_SEED={seed})");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let r = redis();
    let q = "chaos";
    let dir = r.dir().to_path_buf();
    let runs_file = dir.join("runs");
    let gate = dir.join("gate");
    let gated = format!("p{}", rng.random_range(0..PARENTS));

    let keep = |v: Value| {
        let mut v = v;
        v["priority"] = json!(2);
        v["keep_result"] = json!("1h");
        v.to_string()
    };
    let mut lines = vec![
        keep(json!({"type": "a", "id": "A"})),
        keep(json!({"type": "b", "id": "B", "after": ["A"]})),
        keep(json!({"type": "b", "id": "C", "after": ["A"]})),
        json!({"type": "d", "priority": 2, "id": "D", "after": ["B", "C"]}).to_string(),
    ];
    let parents: Vec<String> = (0..PARENTS).map(|i| format!("p{i}")).collect();
    lines.extend(parents.iter().map(|p| keep(json!({"type": "p", "id": p}))));
    lines.push(json!({"type": "f", "priority": 2, "id": "F", "after": parents}).to_string());
    push_lines(&r, q, &lines);
    assert_eq!(lengths(&r, q)["blocked"], 4, "B, C, D and F; seed {seed}");

    let handler = concat!(
        r#"echo "$RPQ_TASK_ID $(date +%s%3N)" >> "$RUNS"; "#,
        r#"case "$RPQ_TASK_ID" in "#,
        r#"B|C|"$GATED") while [ ! -e "$GATE" ]; do sleep 0.05; done ;; "#,
        r#"D|F) cp "$RPQ_PARENT_RESULTS" "$DIR/$RPQ_TASK_ID.parents" ;; "#,
        r#"esac; "#,
        r#"printf '{"from":"%s"}' "$RPQ_TASK_ID""#
    );
    let start = |name: &str| {
        Proc::spawn(
            process(&r)
                .args(["--queue", q, "--json", "consume", "--name", name])
                .args(["--lease", "1s", "--max-attempts", "100", "--exec", handler])
                .env("RUNS", &runs_file)
                .env("GATE", &gate)
                .env("GATED", &gated)
                .env("DIR", &dir),
        )
    };
    let mut names: Vec<String> = (0..CONSUMERS).map(|i| format!("c{i}")).collect();
    let mut consumers: Vec<Proc> = names.iter().map(|n| start(n)).collect();
    let mut c = conn(&r);
    let k = Keys::new(q, 0);
    // The tasks a killed consumer had marked delivered (its `done` line about to be printed,
    // or printed, before its ack: issue 19): the lease's recovery finishes them as done.
    let mut delivered: std::collections::HashSet<String> = Default::default();
    // A consumer that starts while Redis is frozen gives up at once (its first connection gets
    // no answer): each is connected, and has claimed, before the chaos goes on.
    let connected = |c: &mut redis::Connection, p: &mut Proc, name: &str| {
        wait_until(
            Duration::from_secs(60),
            &format!("{name} to claim (seed {seed})"),
            || {
                assert!(p.exited().is_none(), "{name} ended: {}", p.stderr());
                last_seen(c, q, name) > 0
            },
        );
    };
    for (p, name) in consumers.iter_mut().zip(&names) {
        connected(&mut c, p, name);
    }
    let mut ended: Vec<Ended> = Vec::new();

    // The chaos: 4 kills and a freeze, each once the handlers have started so many runs (a
    // random count, of the ~1,000 runs the gate lets through), in a random order.
    let mut moments: Vec<(usize, Option<usize>)> = (0..KILLS)
        .map(|_| {
            (
                rng.random_range(20..950),
                Some(rng.random_range(0..CONSUMERS)),
            )
        })
        .collect();
    moments.push((rng.random_range(20..950), None));
    moments.sort();
    for (n, (at, victim)) in moments.into_iter().enumerate() {
        wait_until(
            Duration::from_secs(120),
            &format!("{at} runs started (seed {seed})"),
            || starts(&runs_file).len() >= at,
        );
        match victim {
            Some(v) => {
                consumers[v].signal(libc::SIGKILL);
                let name = format!("c{v}-{n}");
                let killed = std::mem::replace(&mut consumers[v], start(&name));
                let e = killed.end(Duration::from_secs(30));
                let held: HashMap<String, String> = claims(&mut c, q);
                let by_victim = format!("|{}", names[v]);
                for (id, _) in held.iter().filter(|(_, claim)| claim.ends_with(&by_victim)) {
                    if marked_delivered(&mut c, q, id) {
                        delivered.insert(id.clone());
                    }
                }
                connected(&mut c, &mut consumers[v], &name);
                names[v] = name;
                assert_eq!(e.status.code(), None, "killed by a signal; seed {seed}");
                ended.push(e);
            }
            None => {
                let pid = r.pid().unwrap() as i32;
                // SAFETY: kill(2) on the redis-server this test started and still owns.
                unsafe { libc::kill(pid, libc::SIGSTOP) };
                // The freeze's length is the fault itself, not a wait for a condition.
                std::thread::sleep(FREEZE);
                unsafe { libc::kill(pid, libc::SIGCONT) };
            }
        }
    }
    // Every other parent done (the chaos is over), and the children still blocked: the gated
    // parents hold them, whatever was run twice meanwhile.
    wait_until(
        Duration::from_secs(120),
        &format!("every parent but the gated ones to be done (seed {seed})"),
        || {
            let l = lengths(&r, q);
            l["waiting"] == 0 && l["retrying"] == 0
        },
    );
    for child in ["D", "F"] {
        let at: Option<f64> = redis::cmd("ZSCORE")
            .arg(k.get(Key::Blocked))
            .arg(child)
            .query(&mut c)
            .unwrap();
        assert!(
            at.is_some(),
            "{child} is not blocked while a parent of it runs; seed {seed}"
        );
    }
    std::fs::write(&gate, "").unwrap();
    wait_until(
        Duration::from_secs(120),
        &format!("the queue to settle (seed {seed})"),
        || {
            let l = lengths(&r, q);
            l["waiting"] == 0 && l["in_flight"] == 0 && l["blocked"] == 0 && l["retrying"] == 0
        },
    );
    for p in consumers {
        p.signal(libc::SIGTERM);
        let e = p.end(Duration::from_secs(30));
        assert!(e.status.success(), "seed {seed}: {e:?}");
        ended.push(e);
    }

    // Every task ran to an ack: each is among the ids the shard finished, none is dead.
    let all: Vec<String> = ["A", "B", "C", "D", "F"]
        .iter()
        .map(|s| s.to_string())
        .chain(parents.iter().cloned())
        .collect();
    for id in &all {
        let at: Option<f64> = redis::cmd("ZSCORE")
            .arg(k.get(Key::Finished))
            .arg(id)
            .query(&mut c)
            .unwrap();
        assert!(at.is_some(), "{id} was not done; seed {seed}");
    }
    assert_eq!(lengths(&r, q)["dead"], 0, "seed {seed}");

    // The children ran once each; a parent may have run again (its lease lost), but only one
    // of its runs was reported done: a late ack is `lost`.
    let runs = starts(&runs_file);
    for child in ["D", "F"] {
        let n = runs.iter().filter(|(id, _)| id == child).count();
        assert_eq!(n, 1, "{child} ran {n} times; seed {seed}");
    }
    let outcomes: Vec<Value> = ended.iter().flat_map(|e| ndjson(&e.stdout)).collect();
    let mut done: HashMap<&str, Vec<&Value>> = HashMap::new();
    for l in outcomes.iter().filter(|l| l["outcome"] == "done") {
        done.entry(l["id"].as_str().unwrap()).or_default().push(l);
    }
    let twice: Vec<&&str> = done.keys().filter(|id| done[**id].len() > 1).collect();
    assert!(
        twice.is_empty(),
        "reported done twice: {twice:?}; seed {seed}"
    );
    // Each child's claim came after its parents' ends, by the outcome lines' times (to the
    // millisecond of the server's clock, which stamps a claim: an end is stamped before its
    // ack is sent). The killed consumers may have died before printing a line; the gated
    // parents ended after the kills, so theirs are there.
    let line = |id: &str| -> &Value {
        done.get(id)
            .and_then(|v| v.first())
            .unwrap_or_else(|| panic!("no done line for {id}; seed {seed}"))
    };
    let d_at = ms(&line("D")["claimed_at"]);
    for p in ["B", "C"] {
        let p_at = ms(&line(p)["finished_at"]);
        assert!(
            d_at >= p_at,
            "D claimed at {d_at}, before {p} finished at {p_at}; seed {seed}"
        );
    }
    let f_at = ms(&line("F")["claimed_at"]);
    line(&gated);
    for p in &parents {
        if let Some(l) = done.get(p.as_str()).and_then(|v| v.first()) {
            let p_at = ms(&l["finished_at"]);
            assert!(
                f_at >= p_at,
                "F claimed at {f_at}, before {p} at {p_at}; seed {seed}"
            );
        }
    }
    // Their parents' kept results, in the order of their `after`: a line for each parent, each
    // with its result. Also for a parent whose claim was marked delivered (stdout a pipe: its
    // `done` line goes out before its ack, issue 19) and whose lease then ran out before the ack
    // (its consumer killed, Redis frozen, or a consumer starved of CPU past the 1 s lease): the
    // lease's recovery finishes it as done, and the mark kept its result (extend.lua).
    let d_parents = parent_results(&dir.join("D.parents"));
    let d_ids: Vec<&Value> = d_parents.iter().map(|l| &l["id"]).collect();
    assert_eq!(d_ids, [&json!("B"), &json!("C")], "seed {seed}");
    for (p, got) in ["B", "C"].iter().zip(&d_parents) {
        assert_eq!(
            *got,
            json!({"id": p, "result": {"from": p}}),
            "D's parent {p}; seed {seed}"
        );
    }
    let f_parents = parent_results(&dir.join("F.parents"));
    assert_eq!(f_parents.len(), PARENTS, "seed {seed}");
    for (p, got) in parents.iter().zip(&f_parents) {
        if *got != json!({"id": p, "result": {"from": p}}) {
            let lines: Vec<(usize, String)> = ended
                .iter()
                .enumerate()
                .flat_map(|(i, e)| {
                    ndjson(&e.stdout)
                        .into_iter()
                        .filter(|l| l["id"] == json!(p))
                        .map(move |l| (i, l.to_string()))
                })
                .collect();
            let n = runs.iter().filter(|(id, _)| id == p).count();
            let errs: Vec<String> = ended.iter().map(|e| e.stderr.clone()).collect();
            panic!("{p}: {got}; {n} runs; lines {lines:?}; stderr {errs:?}; seed {seed}");
        }
    }
    // Nothing of the flows is left but what the finished window keeps.
    assert_eq!(
        crate::flows::flow_leftovers(&r, q),
        Vec::<String>::new(),
        "seed {seed}"
    );
    let lost = outcomes.iter().filter(|l| l["outcome"] == "lost").count();
    let reran = all.len() as isize - runs.len() as isize;
    eprintln!(
        "seed {seed}: {} runs for {} tasks ({} again), {lost} lost leases reported, \
         gated parent {gated}, tasks delivered by a killed consumer: {delivered:?}",
        runs.len(),
        all.len(),
        -reran
    );
}

fn lengths(r: &rpq::server::RedisServer, queue: &str) -> Value {
    json_lines(rpq(r).args(["--queue", queue, "--json", "len"])).remove(0)
}
