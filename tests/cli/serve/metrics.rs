//! `/metrics` read by a strict OpenMetrics parser and held to `rpq stats --json`.

use super::*;

/// The OpenMetrics text format, read strictly: each family declared once (HELP, TYPE) before
/// its samples, samples named as their type allows (`_total` for a counter), label values
/// quoted and escaped, float values, one `# EOF` at the very end.
pub(super) struct Exposition {
    types: BTreeMap<String, String>,
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Exposition {
    pub(super) fn parse(text: &str) -> Exposition {
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
                "histogram" => ["_bucket", "_sum", "_count", "_created"]
                    .iter()
                    .map(|s| format!("{family}{s}"))
                    .collect(),
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

    pub(super) fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
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
    // Per shard: 3 ZCOUNT, 5 ZCARD (scheduled and blocked too), 3 HGETALL (counters, consumers and the
    // controls of issue 13: pauses and limits), the oldest script (1 + 3 ZRANGEBYSCORE + an HGET
    // per priority that waits); per queue one TIME and one HGET of its settings (aging); now
    // and then a SCAN for the names. A limited type's line (m1 has one) adds 3 ZCOUNT and 3
    // ZRANGEBYSCORE in the same round trips; the paused priorities and the limits shown cost
    // nothing more: they are in the controls hash read anyway. Per queue, what its consumers
    // reported by type (issue 28): one TIME and three HGETALL (totals, this minute, the last).
    // Per shard, the groups (issue 23): two ZRANGE, those in turn and those parked by a limit
    // or a pause (here none, so nothing more).
    let total: u64 = calls.values().sum();
    assert!(
        total <= 10 * (4 * 20 + 2 * 2 + 1 + 6 + 2 * 4),
        "{total} commands: {calls:?}"
    );
}
