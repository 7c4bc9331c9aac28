//! The record's head (stored layout 4, docs/layout-v2.md, "The record's head"): a task taken
//! back keeps its attempts and its last error (a dead task: its reason) in its record, before
//! its body. The error is any text a handler or a client gave, or any bytes another client of
//! the scripts wrote: it is never taken for the body, nor for its priority, type or group.

use crate::serve::Serve;
use crate::support::{conn, json_lines, redis, rpq, Keys};
use rpq::server::RedisServer;
use serde_json::{json, Value};

/// An error that looks like a body, a head and a record's separators all at once (the API
/// keeps an error's first line: the newline is in the bytes written by hand below).
const HOSTILE: &str = "boom {\"c\":1,\"t\":\"evil\",\"p\":1,\"g\":\"x\",\"d\":{}} | 12|{ \"line\"|";

fn show(r: &RedisServer, id: &str) -> Value {
    json_lines(rpq(r).args(["--queue", "h", "--json", "show", id])).remove(0)
}

fn ids(lines: &[Value]) -> Vec<&str> {
    lines.iter().map(|l| l["id"].as_str().unwrap()).collect()
}

/// What the task itself is, as every reader must give it back: the body's, never the error's.
fn assert_task(t: &Value, payload: &Value, attempt: u64) {
    assert_eq!(
        (
            &t["id"],
            &t["type"],
            &t["priority"],
            &t["payload"],
            &t["attempt"]
        ),
        (
            &json!("h1"),
            &json!("mail"),
            &json!(3),
            payload,
            &json!(attempt)
        ),
        "{t}"
    );
    assert!(t.get("group").is_none(), "no group but the body's: {t}");
}

#[test]
fn an_error_of_any_text_or_bytes_stays_in_the_head_and_the_body_comes_back_byte_exact() {
    let r = redis();
    let mut c = conn(&r);
    let s = Serve::start(&r, &[]);
    rpq(&r)
        .args(["--queue", "h", "events", "--enable"])
        .assert()
        .success();
    let payload = json!({"x": "{\"p\":1,", "n": [1, 2], "s": "a|12|b", "t": "\"t\":\"evil\""});
    for (id, kind) in [("h1", "mail"), ("h2", "other")] {
        s.post(
            "/api/queues/h/tasks",
            &json!({"id": id, "type": kind, "priority": "low", "payload": payload}),
        )
        .expect(201);
    }
    let claimed = s
        .post("/api/queues/h/claim?consumer=one", &json!({}))
        .expect(200)
        .json();
    assert_eq!(claimed["tasks"][0]["id"], "h1");
    let token = claimed["tasks"][0]["token"].as_str().unwrap();
    s.post(
        "/api/queues/h/tasks/h1/fail",
        &json!({"token": token, "consumer": "one", "error": HOSTILE, "retry_after": "1h"}),
    )
    .expect(200);

    // Retrying: attempts and the error from the head, the rest from the body.
    let t = show(&r, "h1");
    assert_eq!(
        (&t["state"], &t["error"]),
        (&json!("retrying"), &json!(HOSTILE))
    );
    assert_task(&t, &payload, 1);

    // Bytes that are not UTF-8 in the error (another client of the scripts may write any):
    // the record rewritten by hand with such a head, its place and body as they were.
    let k = Keys::new("h", 0);
    let rec: Vec<u8> = redis::cmd("HGET")
        .arg(k.tasks())
        .arg("h1")
        .query(&mut c)
        .unwrap();
    let head = format!("1|{}|{HOSTILE}", HOSTILE.len());
    assert_eq!(
        &rec[16..16 + head.len()],
        head.as_bytes(),
        "the head as documented"
    );
    let body = rec[16 + head.len()..].to_vec();
    assert_eq!(body[0], b'{');
    let bad: &[u8] = b"bad \xff\xfe{\"p\":1,|12|\n\xc3";
    let mut raw = rec[..16].to_vec();
    raw.extend_from_slice(format!("1|{}|", bad.len()).as_bytes());
    raw.extend_from_slice(bad);
    raw.extend_from_slice(&body);
    let _: () = redis::cmd("HSET")
        .arg(k.tasks())
        .arg("h1")
        .arg(&raw)
        .query(&mut c)
        .unwrap();
    let t = show(&r, "h1");
    assert_eq!(t["error"], json!(String::from_utf8_lossy(bad)));
    assert_task(&t, &payload, 1);

    // Due now, waiting at its old place (before h2): peek, list and its filters of type and
    // priority read the body.
    rpq(&r)
        .args(["--queue", "h", "move", "h1", "--now"])
        .assert()
        .success();
    let peeked = json_lines(rpq(&r).args(["--queue", "h", "--json", "peek", "-n", "2"]));
    assert_eq!(ids(&peeked), ["h1", "h2"]);
    assert_task(&peeked[0], &payload, 1);
    let listed = json_lines(rpq(&r).args(["--queue", "h", "--json", "list", "--state", "waiting"]));
    assert_eq!(ids(&listed), ["h1", "h2"]);
    assert_task(&listed[0], &payload, 1);
    for (filter, want) in [
        (["--type", "mail"], vec!["h1"]),
        (["--type", "evil"], vec![]),
        (["--priority", "low"], vec!["h1", "h2"]),
        (["--priority", "high"], vec![]),
    ] {
        let got = json_lines(
            rpq(&r)
                .args(["--queue", "h", "--json", "list", "--state", "waiting"])
                .args(filter),
        );
        assert_eq!(ids(&got), want, "{filter:?}");
    }

    // Its second and last attempt: the handler gets the body byte-exact, and its own hostile
    // line becomes the dead reason.
    rpq(&r)
        .args([
            "--queue",
            "h",
            "consume",
            "--count",
            "1",
            "--max-attempts",
            "2",
        ])
        .args([
            "--exec",
            r#"cat > "$DIR/got"; printf '%s\n' '{"p":1,"t":"x" | 12|' >&2; exit 3"#,
        ])
        .env("DIR", r.dir())
        .assert()
        .success();
    let got: Value = serde_json::from_slice(&std::fs::read(r.dir().join("got")).unwrap()).unwrap();
    assert_task(&got, &payload, 2);
    let dead = json_lines(rpq(&r).args(["--queue", "h", "--json", "dead", "list"]));
    assert_eq!(ids(&dead), ["h1"]);
    assert_task(&dead[0], &payload, 2);
    assert_eq!(dead[0]["error"], r#"exit status 3: {"p":1,"t":"x" | 12|"#);
    let t = show(&r, "h1");
    assert_eq!(
        (&t["state"], &t["error"]),
        (
            &json!("dead"),
            &json!(r#"exit status 3: {"p":1,"t":"x" | 12|"#)
        )
    );
    assert_task(&t, &payload, 2);

    // Retried from the dead set: no head any more (attempts from 1 again, no error), at its
    // priority, behind h2.
    rpq(&r)
        .args(["--queue", "h", "dead", "retry", "h1"])
        .assert()
        .success();
    let t = show(&r, "h1");
    assert_eq!(t["state"], "waiting");
    assert!(t.get("error").is_none(), "{t}");
    assert_task(&t, &payload, 0);
    let rec: Vec<u8> = redis::cmd("HGET")
        .arg(k.tasks())
        .arg("h1")
        .query(&mut c)
        .unwrap();
    assert_eq!(&rec[16..], &body[..], "the place, then the body as pushed");
    rpq(&r)
        .args(["--queue", "h", "consume", "--count", "2"])
        .args(["--exec", r#"cat >> "$DIR/again""#])
        .env("DIR", r.dir())
        .assert()
        .success();
    let again = std::fs::read_to_string(r.dir().join("again")).unwrap();
    let runs: Vec<Value> = serde_json::Deserializer::from_str(&again)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids(&runs), ["h2", "h1"]);
    assert_task(&runs[1], &payload, 1);

    // Every event of h1, those written while it had a head too, has the body's type and
    // priority and no group.
    let events = json_lines(rpq(&r).args(["--queue", "h", "--json", "events"]));
    let mine: Vec<&Value> = events.iter().filter(|e| e["id"] == "h1").collect();
    let kinds: Vec<&str> = mine.iter().map(|e| e["event"].as_str().unwrap()).collect();
    for kind in ["pushed", "retry", "moved", "dead", "done"] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    for e in mine {
        assert_eq!(
            (&e["type"], &e["priority"]),
            (&json!("mail"), &json!(3)),
            "{e}"
        );
        assert!(e.get("group").is_none(), "{e}");
    }
}
