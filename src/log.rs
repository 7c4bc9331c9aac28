//! Diagnostics on stderr: every line rpq writes there besides a handler's own output goes
//! through here. Each is an event with a level and a name (`reconnect`, `bad_line`, ...): with
//! `--log-format json` one JSON object a line (`ts`, `level`, `event`, `queue`, `message`, and
//! fields such as `task`, `consumer`, `error`), else the human text as it always was. `-q`
//! keeps errors only, `-v` adds the debug events. A plain `note` is the event `note`, so a new
//! note is a valid JSON line from the day it is written.
//!
//! Every line hides every secret rpq knows (the passwords of the URL, of a password file or of
//! `RPQ_PASSWORD`) wherever it turns up: in rpq's words, in redis-rs's, in the text of an error
//! from the server. Redaction of the URL (`config::redact`) is the first line of defence;
//! `secrets::scrub` here is the one that holds on paths nobody thought of.

use crate::config::{Config, LogFormat, Verbosity};
use crate::secrets::scrub;
use serde_json::{Map, Value};
use std::io::{self, Write};
use std::sync::RwLock;

/// Writes one line (without its newline) to stderr, scrubbed, in one write.
fn line(text: &str) {
    let mut l = scrub(text);
    l.push('\n');
    let _ = io::stderr().lock().write_all(l.as_bytes());
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

#[derive(Debug, Clone)]
struct Settings {
    format: LogFormat,
    verbosity: Verbosity,
    queue: Option<String>,
}

static SETTINGS: RwLock<Settings> = RwLock::new(Settings {
    format: LogFormat::Human,
    verbosity: Verbosity::Normal,
    queue: None,
});

/// From the config, once it is known (before, lines are human and at the normal level).
pub fn init(cfg: &Config) {
    let mut s = SETTINGS.write().unwrap_or_else(|e| e.into_inner());
    *s = Settings {
        format: cfg.log.format,
        verbosity: cfg.log.verbosity,
        queue: Some(cfg.queue.clone()),
    };
}

/// Before the config is known (it may be what failed): JSON lines if they were asked for.
pub fn init_format(format: LogFormat) {
    SETTINGS.write().unwrap_or_else(|e| e.into_inner()).format = format;
}

/// Whether stderr carries JSON lines (then nothing else may go there: no progress line).
pub fn json() -> bool {
    SETTINGS.read().unwrap_or_else(|e| e.into_inner()).format == LogFormat::Json
}

/// A usage error of the command line (clap's) as one JSON event; returns its exit code.
pub fn usage_error(text: &str, code: u8) -> std::process::ExitCode {
    init_format(LogFormat::Json);
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ");
    Event::error("usage", first)
        .with("exit", code)
        .with("help", text.trim_end())
        .emit();
    std::process::ExitCode::from(code)
}

/// One thing rpq says on stderr.
#[must_use = "an event says nothing until it is emitted"]
pub struct Event {
    level: Level,
    name: &'static str,
    message: String,
    fields: Map<String, Value>,
    /// The human form without the `rpq: ` in front (`line 3: why`).
    bare: bool,
    /// Said whatever -q says: a handler's own output is not rpq's diagnostics.
    always: bool,
}

impl Event {
    pub fn new(level: Level, name: &'static str, message: impl Into<String>) -> Event {
        Event {
            level,
            name,
            message: message.into(),
            fields: Map::new(),
            bare: false,
            always: false,
        }
    }

    pub fn error(name: &'static str, message: impl Into<String>) -> Event {
        Event::new(Level::Error, name, message)
    }

    pub fn warn(name: &'static str, message: impl Into<String>) -> Event {
        Event::new(Level::Warn, name, message)
    }

    pub fn info(name: &'static str, message: impl Into<String>) -> Event {
        Event::new(Level::Info, name, message)
    }

    pub fn debug(name: &'static str, message: impl Into<String>) -> Event {
        Event::new(Level::Debug, name, message)
    }

    /// A field of the JSON form (`task`, `consumer`, `error`, ...).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Event {
        self.fields.insert(key.to_string(), value.into());
        self
    }

    pub fn bare(mut self) -> Event {
        self.bare = true;
        self
    }

    pub fn always(mut self) -> Event {
        self.always = true;
        self
    }

    pub fn emit(self) {
        let s = SETTINGS.read().unwrap_or_else(|e| e.into_inner()).clone();
        let shown = match s.verbosity {
            Verbosity::Quiet => self.level == Level::Error,
            Verbosity::Normal => self.level <= Level::Info,
            Verbosity::Verbose => true,
        };
        if !shown && !self.always {
            return;
        }
        if s.format == LogFormat::Human {
            if self.bare {
                line(&self.message);
            } else {
                line(&format!("rpq: {}", self.message));
            }
            return;
        }
        let mut obj = Map::new();
        obj.insert(
            "ts".into(),
            crate::task::rfc3339::format(&chrono::Utc::now()).into(),
        );
        obj.insert("level".into(), self.level.name().into());
        obj.insert("event".into(), self.name.into());
        obj.insert("queue".into(), s.queue.map_or(Value::Null, Value::from));
        obj.insert("message".into(), scrub(&self.message).into());
        for (k, v) in self.fields {
            obj.insert(k, scrubbed(v));
        }
        line(&Value::Object(obj).to_string());
    }
}

/// Every string of a JSON value with the secrets hidden (before it is escaped, as a `"` or a
/// `\\` of a password would be in the line).
fn scrubbed(v: Value) -> Value {
    match v {
        Value::String(t) => Value::String(scrub(&t)),
        Value::Array(a) => Value::Array(a.into_iter().map(scrubbed).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, scrubbed(v))).collect()),
        other => other,
    }
}

/// A stream of a handler (its stderr, or its stdout under `--json`) passed on to rpq's stderr:
/// as it comes for a person; with JSON logs, one event a line, naming the task.
pub struct Relay {
    event: &'static str,
    /// The field that names whose stream it is: `task` (an `--exec` handler's) or `slot` (a
    /// `--pipe` handler's, which serves many tasks).
    key: &'static str,
    whose: Value,
    partial: Vec<u8>,
    /// A handler's stdout on a person's terminal: each line on stdout after this mark (its
    /// task id), so it is never glued to rpq's own lines.
    mark: Option<String>,
}

impl Relay {
    pub fn new(event: &'static str, task: &str) -> Relay {
        Relay {
            event,
            key: "task",
            whose: task.into(),
            partial: Vec::new(),
            mark: None,
        }
    }

    /// An `--exec` handler's stdout for a person: a line at a time on stdout, each marked
    /// `[TASK] `.
    pub fn marked(task: &str) -> Relay {
        let mut r = Relay::new("handler_stdout", task);
        r.mark = Some(format!("[{task}] "));
        r
    }

    /// The stream of the `--pipe` handler of slot `slot`.
    pub fn of_slot(event: &'static str, slot: usize) -> Relay {
        Relay {
            event,
            key: "slot",
            whose: slot.into(),
            partial: Vec::new(),
            mark: None,
        }
    }

    pub fn write(&mut self, bytes: &[u8]) {
        if self.mark.is_none() && !json() {
            let _ = io::stderr().lock().write_all(bytes);
            return;
        }
        self.partial.extend_from_slice(bytes);
        while let Some(nl) = self.partial.iter().position(|&b| b == b'\n') {
            let rest = self.partial.split_off(nl + 1);
            let l = std::mem::replace(&mut self.partial, rest);
            self.say(&l[..nl]);
        }
    }

    fn say(&self, l: &[u8]) {
        if let Some(mark) = &self.mark {
            // One write a line: lines of handlers running side by side never interleave.
            let mut line = mark.as_bytes().to_vec();
            line.extend_from_slice(l);
            line.push(b'\n');
            let mut out = io::stdout().lock();
            let _ = out.write_all(&line).and_then(|_| out.flush());
            return;
        }
        let text = String::from_utf8_lossy(l);
        Event::info(self.event, text.trim_end_matches('\r'))
            .with(self.key, self.whose.clone())
            .always()
            .emit();
    }
}

impl Drop for Relay {
    /// A last line without its newline is said too.
    fn drop(&mut self) {
        if (self.mark.is_some() || json()) && !self.partial.is_empty() {
            let l = std::mem::take(&mut self.partial);
            self.say(&l);
        }
    }
}

/// A diagnostic on stderr: the event `note` (a named one: `Event`).
pub fn note(text: &str) {
    Event::info("note", text).emit();
}

/// Ends a failed run: the error once, as one line (whatever line breaks a cause held), with
/// its exit code (`error::classify`'s), which it returns.
pub fn report(err: &anyhow::Error) -> std::process::ExitCode {
    let (code, say) = crate::error::classify(err);
    if say {
        let text = format!("{err:#}");
        let one: Vec<&str> = text
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        Event::error("error", one.join(" "))
            .with("exit", code)
            .emit();
    }
    std::process::ExitCode::from(code)
}
