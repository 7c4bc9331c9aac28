//! `rpq ctl` for `--pipe` handlers (issue 25): the verbs of the control socket, written as JSON
//! lines on the handler's stdout among its answers, each naming its task:
//! `{"ctl":"progress","id":"t1","n":40,"message":"resized 4 of 10"}`. The handler's reader
//! applies each line before it reads the next (so a verb comes before the answer written after
//! it), for a task this handler holds only, with that task's claim token (the socket's own
//! `control::Handle`, so the same fences hold). A line with `"ref"` gets one reply line on the
//! handler's stdin, `{"ctl":"reply","ref":..,"id":..,"ok":..,"value"|"error":..}`; a refusal
//! of one without is said on the consumer's stderr. A bad ctl line never breaks the handler:
//! its tasks are not lost for it.

use super::control::{Handle, Request};
use crate::log::Event as LogEvent;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::{ErrorKind, Write};
use std::process::ChildStdin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

/// A ctl line is at most this, as a request on the socket is.
const MAX_LINE: usize = 256 * 1024;

/// A handler's stdin while it is open: its pipe, and the writer thread's channel.
type Open = (Arc<ChildStdin>, Sender<Vec<u8>>);

/// A handler's stdin, written by the engine (task lines) and by its reader (replies): one
/// writer at a time, so lines never interleave.
pub struct Feed {
    /// Its stdin (non-blocking) and the writer thread that takes what does not fit; None once
    /// it is closed.
    inner: Mutex<Option<Open>>,
    /// Lines given to the writer thread and not yet all written: while there are any, new
    /// ones go behind them.
    queued: Arc<AtomicUsize>,
}

impl Feed {
    pub fn new(stdin: Arc<ChildStdin>, writer: Sender<Vec<u8>>, queued: Arc<AtomicUsize>) -> Feed {
        Feed {
            inner: Mutex::new(Some((stdin, writer))),
            queued,
        }
    }

    /// Writes `line` at once when the pipe takes it, else (a handler that does not read, a
    /// line larger than the pipe) hands what is left to the writer thread. A handler that is
    /// gone just does not get it.
    pub fn send(&self, line: Vec<u8>) {
        let inner = self.inner.lock().unwrap();
        let Some((stdin, writer)) = &*inner else {
            return;
        };
        let mut done = 0;
        if self.queued.load(Ordering::SeqCst) == 0 {
            while done < line.len() {
                match (&**stdin).write(&line[done..]) {
                    Ok(n) => done += n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => return,
                }
            }
        }
        if done < line.len() {
            self.queued.fetch_add(1, Ordering::SeqCst);
            let rest = if done == 0 {
                line
            } else {
                line[done..].to_vec()
            };
            if writer.send(rest).is_err() {
                self.queued.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// The end of its stdin, once the writer thread has written what it has.
    pub fn close(&self) {
        *self.inner.lock().unwrap() = None;
    }
}

/// The ctl side of one `--pipe` handler: the tasks it holds (id to secret) and where verbs go.
pub struct Talk {
    pub slot: usize,
    /// None when the consumer could not start its control thread: every verb is refused.
    pub handle: Option<Handle>,
    pub held: Mutex<HashMap<String, String>>,
    pub feed: Arc<Feed>,
}

impl Talk {
    /// Task `id` was given to this handler with secret `key`.
    pub fn give(&self, id: &str, key: String) {
        self.held.lock().unwrap().insert(id.to_string(), key);
    }

    /// The handler answered for task `id`: its verbs are refused from now on.
    pub fn answered(&self, id: &str) {
        self.held.lock().unwrap().remove(id);
    }

    /// Whether `text` (one line of its stdout) is a ctl line; if so it is applied (or refused)
    /// and answered here.
    pub fn line(&self, text: &str) -> bool {
        if !text.contains("\"ctl\"") {
            return false;
        }
        let v = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) if m.contains_key("ctl") => m,
            Ok(_) => return false,
            Err(e) => {
                // Meant as one (it names "ctl"), but not JSON: said, and passed over.
                self.refused(None, "?", &format!("a ctl line that is not JSON ({e})"));
                return true;
            }
        };
        let id = v.get("id").and_then(Value::as_str).unwrap_or("");
        let verb = v.get("ctl").and_then(Value::as_str).unwrap_or("?");
        let reply_to = v.get("ref").cloned();
        let answer = self.apply(text.len(), id, verb, &v);
        match (reply_to, answer) {
            (Some(r), answer) => {
                let mut line = json!({"ctl": "reply", "ref": r, "id": id, "ok": answer.is_ok()});
                match answer {
                    Ok(value) => line["value"] = value.map_or(Value::Null, Value::String),
                    Err(e) => line["error"] = e.into(),
                }
                let mut line = line.to_string().into_bytes();
                line.push(b'\n');
                self.feed.send(line);
            }
            (None, Err(why)) => self.refused(Some(id), verb, &why),
            (None, Ok(_)) => {}
        }
        true
    }

    fn apply(
        &self,
        len: usize,
        id: &str,
        verb: &str,
        v: &Map<String, Value>,
    ) -> Result<Option<String>, String> {
        if len > MAX_LINE {
            return Err(format!("a ctl line is at most {} KiB", MAX_LINE >> 10));
        }
        if id.is_empty() {
            return Err("a ctl line names its task: \"id\"".into());
        }
        let args = args(verb, v)?;
        let Some(key) = self.held.lock().unwrap().get(id).cloned() else {
            return Err(format!(
                "task {id} is not held by this handler (it was not given it, or answered it)"
            ));
        };
        let Some(handle) = &self.handle else {
            return Err("this consumer has no control channel (see its start)".into());
        };
        let a = handle.apply(&Request {
            key,
            task: None,
            verb: verb.to_string(),
            args,
        });
        match a.ok {
            true => Ok(a.value),
            false => Err(a.error.unwrap_or_default()),
        }
    }

    fn refused(&self, id: Option<&str>, verb: &str, why: &str) {
        let slot = self.slot;
        let mut e = LogEvent::warn(
            "handler_ctl",
            match id {
                Some(id) if !id.is_empty() => format!(
                    "the --pipe handler of slot {slot}: ctl {verb} for task {id} refused: {why}"
                ),
                _ => format!("the --pipe handler of slot {slot}: ctl {verb} refused: {why}"),
            },
        )
        .with("slot", slot)
        .with("error", why);
        if let Some(id) = id {
            e = e.with("task", id);
        }
        e.emit();
    }
}

/// A ctl line's fields as the socket's request arguments (`control::parse` checks them).
fn args(verb: &str, v: &Map<String, Value>) -> Result<Vec<String>, String> {
    // A string as it is; a number or any other JSON as its text.
    let text = |k: &str| -> Option<String> {
        match v.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(o) => Some(o.to_string()),
        }
    };
    let need = |k: &str| text(k).ok_or(format!("ctl {verb} takes \"{k}\""));
    Ok(match verb {
        "progress" => {
            let mut a = vec![need("n")?];
            a.extend(text("message"));
            a
        }
        "log" => need("text")?.lines().map(str::to_string).collect(),
        "extend" => vec![need("duration")?],
        "checkpoint-set" => vec![need("key")?, need("value")?],
        "checkpoint-get" | "once" => vec![need("key")?],
        "spawn" => match v.get("task") {
            Some(Value::Object(t)) => {
                // As `rpq ctl spawn`'s: medium unless it says.
                let mut t = t.clone();
                t.entry("priority").or_insert(2.into());
                vec![Value::Object(t).to_string()]
            }
            _ => return Err("ctl spawn takes \"task\": {\"type\":..,\"payload\":..}".into()),
        },
        "retry-after" => {
            let mut a = vec![need("duration")?];
            a.extend(text("reason"));
            a
        }
        v => return Err(format!("unknown verb '{v}'")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(line: &str) -> Result<Vec<String>, String> {
        let Value::Object(m) = serde_json::from_str(line).unwrap() else {
            panic!()
        };
        args(m["ctl"].as_str().unwrap(), &m)
    }

    #[test]
    fn ctl_lines_read_as_the_sockets_requests() {
        assert_eq!(
            a(r#"{"ctl":"progress","n":40,"message":"half"}"#).unwrap(),
            ["40", "half"]
        );
        assert_eq!(a(r#"{"ctl":"log","text":"a\nb"}"#).unwrap(), ["a", "b"]);
        assert_eq!(
            a(r#"{"ctl":"checkpoint-set","key":"k","value":{"n":1}}"#).unwrap(),
            ["k", "{\"n\":1}"]
        );
        assert_eq!(
            a(r#"{"ctl":"spawn","task":{"type":"t"}}"#).unwrap(),
            [r#"{"priority":2,"type":"t"}"#]
        );
        assert!(a(r#"{"ctl":"progress"}"#).unwrap_err().contains("\"n\""));
        assert!(a(r#"{"ctl":"spawn","task":"x"}"#).is_err());
        assert!(a(r#"{"ctl":"fly"}"#).unwrap_err().contains("unknown verb"));
    }
}
