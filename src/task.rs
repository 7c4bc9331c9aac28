//! The task: its priority, its stored body and its JSON form on stdout and stdin.

use anyhow::{bail, Result};
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use crate::trace::TraceContext;

/// 1 (high) is claimed before 2 (medium) before 3 (low).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u8);

impl Priority {
    pub const HIGH: Priority = Priority(1);
    pub const MEDIUM: Priority = Priority(2);
    pub const LOW: Priority = Priority(3);
    pub const ALL: [Priority; 3] = [Priority::HIGH, Priority::MEDIUM, Priority::LOW];

    pub fn new(n: u64) -> Result<Priority> {
        match n {
            1..=3 => Ok(Priority(n as u8)),
            _ => bail!("priority {n} is out of range; use 1, 2, 3 or high, medium, low"),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "high",
            2 => "medium",
            _ => "low",
        }
    }
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Priority, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "high" => Ok(Priority::HIGH),
            "2" | "medium" => Ok(Priority::MEDIUM),
            "3" | "low" => Ok(Priority::LOW),
            _ => Err(format!(
                "'{s}' is not a priority; use 1, 2, 3 or high, medium, low"
            )),
        }
    }
}

/// In JSON a priority is always its integer.
impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Priority, D::Error> {
        let n = u64::deserialize(d)?;
        Priority::new(n).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A task not yet queued.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub id: String,
    pub kind: String,
    pub priority: Priority,
    pub payload: Value,
    /// When it falls due and how long it may wait then (`--in`, `--at`, `--ttl`).
    pub when: When,
    // The worker runtime (issue 11): what the task asks of its consumer, and whether its id is
    // the producer's own (only such an id can meet a kept result of an earlier task: random
    // ones never collide, so their pushes need not look).
    pub settings: Settings,
    pub named: bool,
    /// The producer's W3C trace context (issue 26), carried to the handlers of the task.
    pub trace: Option<TraceContext>,
    /// Its group (issue 23, `--group`): tasks of one group are claimed in turn with those of
    /// the others, fairly (docs/groups.md); None is the default group.
    pub group: Option<String>,
    /// The tasks it waits for (issue 24, `--after`), none for most.
    /// Boxed: most tasks have none, and a NewTask rides in enums (`CtlOp::Spawn`).
    pub after: Option<Box<After>>,
}

/// What a task waits for (issue 24): its parents, each to be done before it runs, and what the
/// failure of one (dead, cancelled, expired) does to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct After {
    pub parents: Vec<String>,
    pub on_failure: OnParentFailure,
}

/// `--on-parent-failure`: the child goes dead with the reason `parent ID dead` (the default),
/// runs anyway, or is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnParentFailure {
    #[default]
    Dead,
    Run,
    Cancel,
}

impl OnParentFailure {
    /// As flow_push.lua takes it: '' for the default.
    pub fn lua(self) -> &'static str {
        match self {
            OnParentFailure::Dead => "",
            OnParentFailure::Run => "run",
            OnParentFailure::Cancel => "cancel",
        }
    }
}

/// The ids of `--after ID[,ID...]`: each checked as an id, repeats dropped, in order.
pub fn parse_after(list: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        check_id(id)?;
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    if out.is_empty() {
        return Err("names no task; give the ids of the tasks to wait for".into());
    }
    Ok(out)
}

/// What a producer asks of the consumer for one task (`produce --max-attempts`,
/// `--exec-timeout`, `--keep-result`, the same fields of a `--stdin` line); each wins over the
/// consumer's flag. In the stored body they come first (`NewTask::body`), where the claim
/// script finds the max attempts with one anchored match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_timeout_ms: Option<u64>,
    /// How long its result is kept once it is done (or its error once it is dead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_result_ms: Option<u64>,
}

impl Settings {
    pub fn exec_timeout(&self) -> Option<Duration> {
        self.exec_timeout_ms.map(Duration::from_millis)
    }

    pub fn keep_result(&self) -> Option<Duration> {
        self.keep_result_ms.map(Duration::from_millis)
    }

    pub fn is_empty(&self) -> bool {
        *self == Settings::default()
    }
}

/// A duration as the settings keep it: whole milliseconds, at least 1 (0 would read as none).
pub fn setting_ms(d: Duration) -> u64 {
    (d.as_millis() as u64).max(1)
}

/// The longest duration rpq takes anywhere (flags, `--stdin` fields, the API): 100 years of
/// 365.25 days. Past any real timeout, lease or schedule, yet now plus two of them (a due time
/// and its ttl) stays a whole number of milliseconds far below 2^53, what a Redis score and a
/// Lua number hold exactly, and a time that RFC 3339 writes with four digits.
pub const MAX_DURATION: Duration = Duration::from_secs(36_525 * 86_400);

/// The latest time rpq takes (`--at`, `"at"`, a due time plus its ttl): the end of year 9999,
/// the last that RFC 3339 writes; in milliseconds (253,402,300,799,999) exact in a score.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

const DURATION_HINT: &str = "use 250ms, 1s, 2m";

/// A human duration: `250ms`, `1s`, `2m`, `1h30m`; a bare number is seconds, `0` is none. The
/// one parser of durations (flags, `--stdin` lines, the API), so the one place they are
/// bounded: past `MAX_DURATION` is an error, never a panic or an overflow into the past.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let d = match s.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => {
            if secs > MAX_DURATION.as_secs_f64() {
                return Err(too_long(s));
            }
            Duration::from_secs_f64(secs)
        }
        Ok(_) => return Err(format!("'{s}' is not a duration; {DURATION_HINT}")),
        Err(_) => humantime::parse_duration(s).map_err(|e| match e {
            humantime::DurationError::NumberOverflow => {
                format!("'{s}' is out of range; a duration is at most 100 years")
            }
            _ => format!("'{s}' is not a duration; {DURATION_HINT}"),
        })?,
    };
    if d > MAX_DURATION {
        return Err(too_long(s));
    }
    Ok(d)
}

/// A duration as a person gives it to a flag: `1h`, `90s` as `1m 30s`, `250ms`.
pub fn given_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// `0.42s`, `12ms`, `3m05s`: short enough for a status line.
pub fn short_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

fn too_long(s: &str) -> String {
    format!("'{s}' is longer than 100 years, the longest duration rpq takes")
}

/// A duration that must be more than zero: a ttl, a time limit, a time to keep. `0` would be
/// no time at all (a task expired, a handler stopped, a result dropped at once), and what it
/// meant differed from flag to flag, so it is refused: leaving the limit out means none.
pub fn parse_limit(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d >= Duration::from_millis(1) => Ok(d),
        _ => Err(format!(
            "'{s}' is no time at all; leave it out for no limit, or {DURATION_HINT}"
        )),
    }
}

/// When a task falls due, by the Redis server's clock, and how long it may wait to be claimed
/// once due before it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct When {
    pub due: Due,
    pub ttl: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Due {
    #[default]
    Now,
    /// This long after the server receives it.
    In(Duration),
    /// At this time (a time in the past is now).
    At(DateTime<Utc>),
    /// `produce --debounce`: this long after the server receives it, and a task of the same id
    /// still waiting or scheduled is pushed back to then (with this payload unless
    /// `keep_first`) instead of being refused as known.
    Debounce { by: Duration, keep_first: bool },
}

impl When {
    pub const NOW: When = When {
        due: Due::Now,
        ttl: None,
    };

    pub fn is_now(&self) -> bool {
        *self == When::NOW
    }

    /// The due time of a task the server received at `created_ms`, when that is later.
    pub fn due_ms(&self, created_ms: i64) -> Option<i64> {
        match self.due {
            Due::Now => None,
            Due::In(d) | Due::Debounce { by: d, .. } => Some(created_ms.saturating_add(ms(d))),
            Due::At(t) => Some(t.timestamp_millis()),
        }
        .filter(|&due| due > created_ms)
    }

    /// Its expiry deadline, for a task the server received at `created_ms`.
    pub fn expires_ms(&self, created_ms: i64) -> Option<i64> {
        let due = self.due_ms(created_ms).unwrap_or(created_ms);
        self.ttl.map(|t| due.saturating_add(ms(t)))
    }

    /// A time and its ttl: the expiry must be a time rpq takes too (`MAX_TIME_MS`). A due time
    /// `in` a duration cannot pass it: now plus two `MAX_DURATION`s is centuries short of it.
    pub fn check(&self) -> Result<(), String> {
        match (self.due, self.ttl) {
            (Due::At(t), Some(ttl))
                if t.timestamp_millis().saturating_add(ms(ttl)) > MAX_TIME_MS =>
            {
                Err(format!(
                    "a task due at {} with a ttl of {} would expire after the year 9999, the \
                     latest time rpq takes",
                    rfc3339::format(&t),
                    humantime::format_duration(ttl)
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Whole milliseconds of a bounded duration (`MAX_DURATION`), saturating for any other.
fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl NewTask {
    /// A task with a fresh random id. Ids are made by the client, not the server, so that a
    /// producer retrying a push whose reply was lost cannot queue the task twice.
    pub fn new(kind: impl Into<String>, priority: Priority, payload: Value) -> NewTask {
        NewTask {
            id: new_id(),
            kind: kind.into(),
            priority,
            payload,
            when: When::NOW,
            settings: Settings::default(),
            named: false,
            trace: None,
            group: None,
            after: None,
        }
    }

    /// The body as the push script expects it: the stored JSON object without its opening
    /// brace (`"t":..,"p":..,"d":..}`), so the server only has to put `{"c":CREATED,` before it.
    /// Short field names keep Redis memory per task small. Settings, when a task has any, come
    /// before `t` (`"m":..,"o":..,"k":..,`): at the head, where claim.lua reads `m` without
    /// looking at the payload, and never holding a `"p"` that body_priority could take. The
    /// trace context (`"w"`, `"ws"`) comes last, after the payload: a `tracestate` may hold any
    /// printable character, which the head's patterns could trip on, and no script reads it.
    pub fn body(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            m: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            o: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            k: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            g: Option<&'a str>,
            t: &'a str,
            p: u8,
            d: &'a Value,
            #[serde(skip_serializing_if = "Option::is_none")]
            w: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            ws: Option<&'a str>,
            // issue 24: the parents, last, where no pattern of the scripts looks.
            #[serde(skip_serializing_if = "Option::is_none")]
            a: Option<&'a [String]>,
        }
        let s = &self.settings;
        let mut body = serde_json::to_string(&Out {
            m: s.max_attempts,
            o: s.exec_timeout_ms,
            k: s.keep_result_ms,
            g: self.group.as_deref(),
            t: &self.kind,
            p: self.priority.get(),
            d: &self.payload,
            w: self.trace.as_ref().map(|t| t.traceparent.as_str()),
            ws: self.trace.as_ref().and_then(|t| t.tracestate.as_deref()),
            a: self.after.as_ref().map(|a| a.parents.as_slice()),
        })
        .expect("a task body always serializes");
        body.remove(0);
        body
    }

    /// The task as queued at `created_ms`.
    pub fn queued(&self, created_ms: i64) -> Task {
        Task {
            id: self.id.clone(),
            kind: self.kind.clone(),
            priority: self.priority,
            payload: self.payload.clone(),
            created_at: ms_to_time(created_ms),
            attempt: 0,
            due_at: self.when.due_ms(created_ms).map(ms_to_time),
            expires_at: self.when.expires_ms(created_ms).map(ms_to_time),
            settings: self.settings,
            trace: self.trace.clone(),
            group: self.group.clone(),
            unreadable: false,
            parents: self
                .after
                .as_ref()
                .map(|a| a.parents.clone())
                .unwrap_or_default(),
        }
    }
}

/// 12 characters of base 62: about 71 bits, so collisions are out of reach, yet short enough to
/// keep memory per task low (each id is stored twice).
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Ids go into keys' members and environment variables, never into commands, but they must
/// stay printable and reasonably short.
pub fn check_id(id: &str) -> Result<(), String> {
    check_field("id", id)
}

/// A type goes into every handler's environment (`RPQ_TASK_TYPE`), where a NUL byte cannot go
/// and a long value makes exec fail (a variable may hold at most 128 KiB on Linux): a task
/// that no handler could ever be started for is refused at push, like a bad id.
pub fn check_type(kind: &str) -> Result<(), String> {
    check_field("type", kind)
}

/// A group's key (issue 23) is part of a member of the groups' index, where a tab separates it
/// from the task's place in line: a key with a control character (a tab) is refused, so no key
/// is a prefix of another's entries, and so is one longer than 256 bytes.
pub fn check_group(group: &str) -> Result<(), String> {
    check_field("group", group)
}

fn check_field(what: &str, v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Err(format!("the task {what} is empty"));
    }
    if v.len() > 256 {
        return Err(format!("the task {what} is longer than 256 bytes"));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(format!("the task {what} has a control character"));
    }
    Ok(())
}

/// A task as stored and as printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: Priority,
    pub payload: Value,
    /// Not printed for an unreadable task: its creation time is not known.
    #[serde(with = "rfc3339", skip_serializing_if = "unknown_time")]
    pub created_at: DateTime<Utc>,
    /// Which claim of the task this is: 1 for the first, 0 while it has never been claimed.
    pub attempt: u32,
    /// When it falls (or fell) due, for a task pushed for later.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::opt"
    )]
    pub due_at: Option<DateTime<Utc>>,
    /// When it goes to the dead set unless claimed, for a task pushed with a ttl.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::opt"
    )]
    pub expires_at: Option<DateTime<Utc>>,
    /// What the producer asked of the consumer (issue 11), each field only when set.
    #[serde(flatten)]
    pub settings: Settings,
    /// The producer's trace context (`traceparent`, `tracestate`), when it gave one.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceContext>,
    /// Its group (issue 23), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its stored body could not be read: the type, payload and creation time shown are
    /// placeholders, and JSON says so (`"unreadable": true`, no `created_at`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unreadable: bool,
    /// The tasks it waited or waits for (issue 24, `--after`), none for most; one of another
    /// queue is `remote_ref`, and `{"queue", "id"}` in JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "parent_refs")]
    pub parents: Vec<String>,
}

/// Between a queue's name and a task's id, for a parent or a child in another queue (issue 24,
/// lua/flows.lua's REMOTE): neither a queue name nor an id holds a control character.
pub const REMOTE: char = '\u{1f}';

/// A task of queue `queue` as a task of another queue names it.
pub fn remote_ref(queue: &str, id: &str) -> String {
    format!("{queue}{REMOTE}{id}")
}

/// The queue and id of a parent in another queue, or on another shard of the task's own
/// queue (the queue "" then); None for one of the task's own shard.
pub fn split_ref(p: &str) -> Option<(&str, &str)> {
    p.split_once(REMOTE)
}

/// The queue of a parent in another queue, and its id; None for one of the task's own queue.
pub fn other_queue(p: &str) -> (Option<&str>, &str) {
    match split_ref(p) {
        Some((q, id)) if !q.is_empty() => (Some(q), id),
        Some((_, id)) => (None, id),
        None => (None, p),
    }
}

/// How a parent is shown in text: its id, or `QUEUE=ID` for one in another queue (as
/// `--after-in` takes it).
pub fn show_ref(p: &str) -> String {
    match other_queue(p) {
        (Some(q), id) => format!("{q}={id}"),
        (None, id) => id.to_string(),
    }
}

/// A task's parents in JSON: an id, or `{"queue", "id"}` for one in another queue.
pub mod parent_refs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::{json, Value};

    pub fn serialize<S: Serializer>(parents: &[String], s: S) -> Result<S::Ok, S::Error> {
        let out: Vec<Value> = parents
            .iter()
            .map(|p| match super::other_queue(p) {
                (Some(q), id) => json!({"queue": q, "id": id}),
                (None, id) => json!(id),
            })
            .collect();
        out.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let v: Vec<Value> = Vec::deserialize(d)?;
        v.iter()
            .map(|p| match p {
                Value::String(id) => Ok(id.clone()),
                Value::Object(o) => match (o.get("queue"), o.get("id")) {
                    (Some(Value::String(q)), Some(Value::String(id))) => {
                        Ok(super::remote_ref(q, id))
                    }
                    _ => Err(serde::de::Error::custom("a parent is an id or {queue, id}")),
                },
                _ => Err(serde::de::Error::custom("a parent is an id or {queue, id}")),
            })
            .collect()
    }
}

/// The parents of `--after-in QUEUE=ID[,ID...]`: tasks of another queue of the same server.
pub fn parse_after_in(spec: &str) -> Result<Vec<String>, String> {
    let Some((queue, list)) = spec.split_once('=') else {
        return Err(format!(
            "'{spec}' names no queue: it is QUEUE=ID[,ID...], tasks of queue QUEUE"
        ));
    };
    crate::queue::keys::check_queue_name(queue)?;
    let ids = parse_after(list)?;
    if ids.is_empty() {
        return Err(format!("'{spec}' names no task of queue '{queue}'"));
    }
    Ok(ids.iter().map(|id| remote_ref(queue, id)).collect())
}

/// The creation time of an unreadable task (`Task::unreadable`), which no real task has.
fn unknown_time(t: &DateTime<Utc>) -> bool {
    t.timestamp_millis() == 0
}

impl Task {
    /// Parses a stored body; `Err` carries why it cannot be read (the task then goes dead).
    pub fn from_stored(id: &str, body: &str, attempt: u32) -> Result<Task, String> {
        #[derive(Deserialize)]
        struct Stored {
            c: i64,
            t: String,
            p: u8,
            d: Value,
            #[serde(default)]
            u: Option<i64>,
            #[serde(default)]
            x: Option<i64>,
            #[serde(default)]
            m: Option<u32>,
            #[serde(default)]
            o: Option<u64>,
            #[serde(default)]
            k: Option<u64>,
            #[serde(default)]
            g: Option<String>,
            #[serde(default)]
            w: Option<String>,
            #[serde(default)]
            ws: Option<String>,
            #[serde(default)]
            a: Vec<String>,
        }
        // A record of layout 3 (its place in line and head before the body) or a bare body.
        let body = crate::queue::stored::Record::parse(body).map_or(body, |r| r.body);
        let s: Stored =
            serde_json::from_str(body).map_err(|e| format!("stored body is not valid: {e}"))?;
        let priority = Priority::new(u64::from(s.p))
            .map_err(|_| format!("stored priority {} is out of range", s.p))?;
        Ok(Task {
            id: id.to_string(),
            kind: s.t,
            priority,
            payload: s.d,
            created_at: ms_to_time(s.c),
            attempt,
            due_at: s.u.map(ms_to_time),
            expires_at: s.x.map(ms_to_time),
            // A limit past the longest duration (written by another producer) is taken as
            // that longest one rather than refused: the task still runs, and no deadline
            // computed from it can overflow.
            settings: Settings {
                max_attempts: s.m,
                exec_timeout_ms: s.o.map(clamp_ms),
                keep_result_ms: s.k.map(clamp_ms),
            },
            // Checked at push; one written by another client that does not read is no trace.
            trace: s
                .w
                .and_then(|w| TraceContext::parse(&w, s.ws.as_deref()).ok()),
            group: s.g,
            unreadable: false,
            parents: s.a,
        })
    }

    /// What peek and dead list show for a task whose body cannot be read: its id, what is
    /// known of its priority (medium when nothing is, as `dead retry` would queue it), type "?"
    /// and a null payload, rather than hiding it.
    pub fn unreadable(id: &str, priority: u8, attempt: u32) -> Task {
        Task {
            id: id.to_string(),
            kind: "?".into(),
            priority: Priority::new(u64::from(priority)).unwrap_or(Priority::MEDIUM),
            payload: Value::Null,
            created_at: ms_to_time(0),
            attempt,
            due_at: None,
            expires_at: None,
            settings: Settings::default(),
            trace: None,
            group: None,
            unreadable: true,
            parents: Vec::new(),
        }
    }
}

fn clamp_ms(ms: u64) -> u64 {
    ms.min(MAX_DURATION.as_millis() as u64)
}

/// One line of `produce --stdin`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputLine {
    #[serde(rename = "type")]
    kind: String,
    priority: Value,
    #[serde(default)]
    payload: Value,
    #[serde(default)]
    id: Option<String>,
    // Time (issue 12): a duration ("1.5s", or a number of seconds), a time, a duration.
    #[serde(default, rename = "in")]
    due_in: Option<Value>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    ttl: Option<Value>,
    // The worker runtime (issue 11): settings that win over the consumer's flags.
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    exec_timeout: Option<Value>,
    #[serde(default)]
    keep_result: Option<Value>,
    // Issue 26: the W3C trace context of the span that pushes this line.
    #[serde(default)]
    traceparent: Option<String>,
    #[serde(default)]
    tracestate: Option<String>,
    // Issue 23: its group.
    #[serde(default)]
    group: Option<String>,
    // Issue 24: the tasks it waits for (ids, an array or "a,b") and what a failed one does.
    #[serde(default)]
    after: Option<Value>,
    #[serde(default)]
    on_parent_failure: Option<OnParentFailure>,
    // Issue 23: debounce, as `produce --id ID --debounce DUR [--keep-first]`.
    #[serde(default)]
    debounce: Option<Value>,
    #[serde(default)]
    keep_first: Option<bool>,
}

/// What a JSON value is, for an error: `the number 1`, `the string "a"`, `null`.
pub fn json_kind(v: &Value) -> String {
    let mut shown = v.to_string();
    if shown.len() > 40 {
        shown = format!("{}...", shown.chars().take(37).collect::<String>());
    }
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => format!("the boolean {shown}"),
        Value::Number(_) => format!("the number {shown}"),
        Value::String(_) => format!("the string {shown}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A serde_json error in rpq's words: where a line is not JSON, which field is missing or
/// unknown, what was expected; never serde's own phrasing (`expected ident`, `invalid type:
/// integer \`1\`, expected a string`).
pub fn json_words(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let msg = e.to_string();
    // serde's "at line 1 column 7" is noise for a one-line record.
    let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
    let names = |list: &str| list.replace('`', "\"");
    match e.classify() {
        Category::Syntax | Category::Eof => format!(
            "not valid JSON (at column {}); a task is one JSON object a line, such as {{\"type\":\"email\",\"priority\":\"high\"}}",
            e.column()
        ),
        Category::Data => {
            if let Some(f) = msg.strip_prefix("missing field ") {
                format!("no {} field; a task needs \"type\" and \"priority\"", names(f))
            } else if let Some(rest) = msg.strip_prefix("unknown field ") {
                let (f, known) = rest.split_once(", expected one of ").unwrap_or((rest, ""));
                format!("unknown field {}; the fields are {}", names(f), names(known))
            } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
                let (got, want) = rest.split_once(", expected ").unwrap_or((rest, "another"));
                format!("{} where {want} is expected", names(got))
            } else {
                names(msg)
            }
        }
        Category::Io => msg.to_string(),
    }
}

/// A duration on a `--stdin` line: a human string, or a number of seconds.
fn line_duration(field: &str, v: &Value) -> Result<Duration, String> {
    line_text(field, v).and_then(|t| parse_duration(&t).map_err(|e| format!("{field}: {e}")))
}

/// The same for a limit (`ttl`, `exec_timeout`, `keep_result`): 0 is refused, as `parse_limit`.
fn line_limit(field: &str, v: &Value) -> Result<Duration, String> {
    line_text(field, v).and_then(|t| {
        parse_limit(&t).map_err(|e| {
            format!("{field}: {e}").replace("leave it out", &format!("leave \"{field}\" out"))
        })
    })
}

fn line_text(field: &str, v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!(
            "{field} {other} is not a duration; use \"250ms\", \"1s\", \"2m\""
        )),
    }
}

/// Parses one `--stdin` line: `{"type":..,"priority":..,"payload":..,"id":..}`.
pub fn parse_input_line(line: &str) -> Result<NewTask, String> {
    parse_input_line_with(line, When::NOW)
}

/// A time for `--at` and `"at"`: RFC 3339 (`2026-11-28T14:30:00Z`, `...+01:00`), or
/// `YYYY-MM-DD HH:MM[:SS]` in local time (a local time that a DST change skips or repeats is
/// refused, with the way out).
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    let t = parse_any_time(s)?;
    if t.timestamp_millis() > MAX_TIME_MS {
        return Err(format!(
            "'{}' is after the year 9999, the latest time rpq takes",
            s.trim()
        ));
    }
    Ok(t)
}

fn parse_any_time(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let bad = || {
        format!(
            "'{s}' is not a time; use RFC 3339 (2026-11-28T14:30:00Z, 2026-11-28T14:30:00+01:00) \
             or YYYY-MM-DD HH:MM[:SS] in local time"
        )
    };
    let naive = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .ok_or_else(bad)?;
    match Local.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(a, b) => Err(format!(
            "'{s}' happens twice in local time (a DST change); give its offset: {} or {}",
            a.to_rfc3339(),
            b.to_rfc3339()
        )),
        chrono::LocalResult::None => Err(format!(
            "'{s}' does not exist in local time (a DST change skips it); give a time with an offset"
        )),
    }
}

/// Parses one `--stdin` line, with `"in"` or `"at"` and `"ttl"` for a task with a time;
/// `defaults` (`produce --in/--at/--ttl`) applies where the line has none.
pub fn parse_input_line_with(line: &str, defaults: When) -> Result<NewTask, String> {
    parse_input_line_full(line, defaults, Settings::default())
}

/// The same, with `"max_attempts"`, `"exec_timeout"` and `"keep_result"` (the worker runtime,
/// issue 11); `settings` (`produce --max-attempts/--exec-timeout/--keep-result`) applies to
/// each the line does not give.
pub fn parse_input_line_full(
    line: &str,
    defaults: When,
    settings: Settings,
) -> Result<NewTask, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| json_words(&e))?;
    let Some(fields) = value.as_object() else {
        return Err(format!(
            "{} is not a task; a task is a JSON object such as {{\"type\":\"email\",\"priority\":\"high\"}}",
            json_kind(&value)
        ));
    };
    // Name the field serde would not: which one has the wrong kind of value.
    for (name, v) in fields {
        let want_string = matches!(
            name.as_str(),
            "type" | "id" | "at" | "traceparent" | "tracestate" | "group"
        );
        if want_string && !v.is_string() {
            return Err(format!(
                "\"{name}\" is {}; it must be a string",
                json_kind(v)
            ));
        }
        if name == "keep_first" && !v.is_boolean() {
            return Err(format!(
                "\"keep_first\" is {}; it must be true or false",
                json_kind(v)
            ));
        }
        if name == "max_attempts"
            && !v
                .as_u64()
                .is_some_and(|n| (1..=u64::from(u32::MAX)).contains(&n))
        {
            return Err(format!(
                "\"max_attempts\" is {}; it must be a whole number from 1",
                json_kind(v)
            ));
        }
    }
    let input: InputLine = serde_json::from_value(value).map_err(|e| json_words(&e))?;
    let priority = match &input.priority {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| format!("priority {n} is not 1, 2 or 3"))
            .and_then(|n| Priority::new(n).map_err(|e| e.to_string()))?,
        Value::String(s) => s.parse()?,
        other => {
            return Err(format!(
                "priority {other} is not 1, 2, 3 or high, medium, low"
            ))
        }
    };
    check_type(&input.kind)?;
    let named = input.id.is_some();
    let id = match input.id {
        Some(id) => {
            check_id(&id)?;
            id
        }
        None => new_id(),
    };
    let mut when = defaults;
    match (&input.due_in, &input.at) {
        (Some(_), Some(_)) => return Err("a line has both \"in\" and \"at\"; give one".into()),
        (Some(d), None) => when.due = Due::In(line_duration("in", d)?),
        (None, Some(t)) => when.due = Due::At(parse_time(t)?),
        (None, None) => {}
    }
    // Issue 23: a burst of lines of one id is one run, DUR after the last.
    match (&input.debounce, input.keep_first) {
        (Some(_), _) if input.due_in.is_some() || input.at.is_some() => {
            return Err(format!(
                "a line has both \"debounce\" and \"{}\"; give one",
                if input.due_in.is_some() { "in" } else { "at" }
            ))
        }
        (Some(_), _) if !named => {
            return Err(
                "\"debounce\" needs an \"id\": the task a burst of pushes of that id \
                        moves"
                    .into(),
            )
        }
        (Some(d), keep_first) => {
            when.due = Due::Debounce {
                by: line_limit("debounce", d)?,
                keep_first: keep_first.unwrap_or(false),
            }
        }
        (None, Some(_)) => return Err("a line has \"keep_first\" without \"debounce\"".into()),
        (None, None) => {}
    }
    if let Some(t) = &input.ttl {
        when.ttl = Some(line_limit("ttl", t)?);
    }
    when.check()?;
    let ms = |field: &str, v: &Option<Value>, default: Option<u64>| match v {
        Some(d) => line_limit(field, d).map(|d| Some(setting_ms(d))),
        None => Ok(default),
    };
    let settings = Settings {
        max_attempts: match input.max_attempts {
            Some(0) => return Err("max_attempts 0 is no attempt; give 1 or more".into()),
            None => settings.max_attempts,
            n => n,
        },
        exec_timeout_ms: ms(
            "exec_timeout",
            &input.exec_timeout,
            settings.exec_timeout_ms,
        )?,
        keep_result_ms: ms("keep_result", &input.keep_result, settings.keep_result_ms)?,
    };
    let trace = match &input.traceparent {
        Some(t) => Some(TraceContext::parse(t, input.tracestate.as_deref())?),
        None if input.tracestate.is_some() => {
            return Err("a line has \"tracestate\" without \"traceparent\"".into())
        }
        None => None,
    };
    if let Some(g) = &input.group {
        check_group(g)?;
    }
    let after = match &input.after {
        None | Some(Value::Null) => None,
        Some(v) => {
            // Ids of this queue, and {"queue", "id"} objects for tasks of another queue.
            let mut local: Vec<&str> = Vec::new();
            let mut remote: Vec<String> = Vec::new();
            let bad = |other: &Value| {
                format!(
                    "\"after\" is {}; it must be an array of ids (or {{\"queue\", \"id\"}} \
                     objects) or a string \"id,id\"",
                    json_kind(other)
                )
            };
            match v {
                Value::String(s) => local.push(s),
                Value::Array(a) => {
                    for item in a {
                        match item {
                            Value::String(s) => local.push(s),
                            Value::Object(o) => match (o.get("queue"), o.get("id")) {
                                (Some(Value::String(q)), Some(Value::String(id)))
                                    if o.len() == 2 =>
                                {
                                    remote.extend(
                                        parse_after_in(&format!("{q}={id}"))
                                            .map_err(|e| format!("\"after\" {e}"))?,
                                    );
                                }
                                _ => {
                                    return Err("\"after\" has an object that is not \
                                                {\"queue\", \"id\"} (two strings)"
                                        .into())
                                }
                            },
                            other => return Err(bad(other)),
                        }
                    }
                }
                other => return Err(bad(other)),
            }
            let mut parents = if local.is_empty() && !remote.is_empty() {
                Vec::new()
            } else {
                parse_after(&local.join(",")).map_err(|e| format!("\"after\" {e}"))?
            };
            for r in remote {
                if !parents.contains(&r) {
                    parents.push(r);
                }
            }
            Some(Box::new(After {
                parents,
                on_failure: input.on_parent_failure.unwrap_or_default(),
            }))
        }
    };
    if after.is_none() && input.on_parent_failure.is_some() {
        return Err("a line has \"on_parent_failure\" without \"after\"".into());
    }
    Ok(NewTask {
        id,
        kind: input.kind,
        priority,
        payload: input.payload,
        when,
        settings,
        named,
        trace,
        group: input.group,
        after,
    })
}

/// A `--payload` value: JSON if it parses, else a JSON string.
pub fn parse_payload(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
}

pub fn ms_to_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// RFC 3339 with milliseconds and a `Z`, the form every timestamp of rpq's JSON takes.
pub mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn format(t: &DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    /// The same for a time that may be missing.
    pub mod opt {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            t: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(s) => DateTime::parse_from_rfc3339(&s)
                    .map(|t| Some(t.with_timezone(&Utc)))
                    .map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn priorities_parse_by_number_and_name() {
        assert_eq!("1".parse::<Priority>().unwrap(), Priority::HIGH);
        assert_eq!("Medium".parse::<Priority>().unwrap(), Priority::MEDIUM);
        assert_eq!("low".parse::<Priority>().unwrap(), Priority::LOW);
        assert!("4".parse::<Priority>().is_err());
        assert!("urgent".parse::<Priority>().is_err());
        assert!(Priority::new(0).is_err());
    }

    #[test]
    fn body_round_trips_through_the_stored_form() {
        let t = NewTask::new("email", Priority::HIGH, json!({"to": "a@b.c"}));
        // The push script prepends the created time the same way.
        let stored = format!("{{\"c\":1764340214123,{}", t.body());
        let back = Task::from_stored(&t.id, &stored, 2).unwrap();
        assert_eq!(back.kind, "email");
        assert_eq!(back.priority, Priority::HIGH);
        assert_eq!(back.payload, json!({"to": "a@b.c"}));
        assert_eq!(back.attempt, 2);
        assert_eq!(
            rfc3339::format(&back.created_at),
            "2025-11-28T14:30:14.123Z"
        );
    }

    #[test]
    fn trace_context_rides_at_the_end_of_the_body() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let mut t = NewTask::new("email", Priority::LOW, json!({"p": 1}));
        // A state with a "t" and quotes: the head's patterns never see it.
        t.trace = Some(TraceContext::parse(tp, Some(r#"t=",\"p\":1"#)).unwrap());
        let body = t.body();
        assert!(
            body.starts_with(r#""t":"email","p":3,"d":{"p":1},"w":"#),
            "{body}"
        );
        let stored = format!("{{\"c\":1,{body}");
        let back = Task::from_stored(&t.id, &stored, 1).unwrap();
        assert_eq!(back.trace, t.trace);
        assert_eq!(back.priority, Priority::LOW);
        let line = serde_json::to_value(&back).unwrap();
        assert_eq!(line["traceparent"], tp);
        assert_eq!(line["tracestate"], r#"t=",\"p\":1"#);
        // A stored context that is not one is no trace, not an unreadable task.
        let odd = r#"{"c":1,"t":"a","p":1,"d":null,"w":"nope"}"#;
        assert_eq!(Task::from_stored("x", odd, 1).unwrap().trace, None);
        // Lines carry their own.
        let line = format!(r#"{{"type":"a","priority":1,"traceparent":"{tp}"}}"#);
        assert_eq!(
            parse_input_line(&line).unwrap().trace.unwrap().traceparent,
            tp
        );
        assert!(parse_input_line(r#"{"type":"a","priority":1,"traceparent":"x"}"#).is_err());
        assert!(parse_input_line(r#"{"type":"a","priority":1,"tracestate":"a=b"}"#).is_err());
    }

    #[test]
    fn corrupt_bodies_are_reported_not_panicked() {
        assert!(Task::from_stored("x", "not json", 1).is_err());
        assert!(Task::from_stored("x", r#"{"c":1,"t":"a","p":9,"d":null}"#, 1).is_err());
    }

    /// A record of layout 3 reads as its body (docs/layout-v2.md, "Layout 3: the work list").
    #[test]
    fn a_record_reads_as_its_body() {
        let body = r#"{"c":5,"t":"a","p":2,"d":{"k":"{|"}}"#;
        let want = Task::from_stored("x", body, 1).unwrap();
        for rec in [
            format!("2000000000000042{body}"),
            format!("2000000000000042{}|{}|{}{body}", 3, 4, "b{|}"),
        ] {
            let t = Task::from_stored("x", &rec, 1).unwrap();
            assert_eq!(
                (t.kind, t.priority, t.payload, t.created_at),
                (
                    want.kind.clone(),
                    want.priority,
                    want.payload.clone(),
                    want.created_at
                )
            );
        }
        assert!(Task::from_stored("x", "2000000000000042|9|x", 1).is_err());
    }

    #[test]
    fn task_json_has_the_documented_fields() {
        // At 1 ms: 0 is the time of an unreadable task, which is not printed.
        let t = NewTask::new("email", Priority::LOW, json!("hi")).queued(1);
        let v = serde_json::to_value(&t).unwrap();
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["attempt", "created_at", "id", "payload", "priority", "type"]
        );
        assert_eq!(v["priority"], 3);
        assert_eq!(v["created_at"], "1970-01-01T00:00:00.001Z");
    }

    #[test]
    fn input_lines_are_checked() {
        let t = parse_input_line(r#"{"type":"a","priority":"high","payload":{"x":1},"id":"k1"}"#)
            .unwrap();
        assert_eq!((t.id.as_str(), t.priority), ("k1", Priority::HIGH));
        assert!(parse_input_line(r#"{"type":"a","priority":7}"#)
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_input_line(r#"{"priority":1}"#).is_err());
        assert!(parse_input_line("{").is_err());
        assert!(parse_input_line(r#"{"type":"a","priority":1,"bogus":1}"#).is_err());
    }

    #[test]
    fn durations_and_times_are_bounded() {
        assert_eq!(parse_duration("100y").unwrap(), MAX_DURATION);
        assert_eq!(parse_duration("3155760000").unwrap(), MAX_DURATION);
        for bad in [
            "1e20",
            "1e308",
            "-1",
            "NaN",
            "inf",
            "9999999999999999999",
            "1e16",
            "3155760000.5",
            "100y 1s",
            "99999999999999y",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_limit("0s").unwrap_err().contains("leave it out"));
        assert_eq!(parse_limit("1ms").unwrap(), Duration::from_millis(1));
        let last = parse_time("9999-12-31T23:59:59.999Z").unwrap();
        assert_eq!(last.timestamp_millis(), MAX_TIME_MS);
        assert!(parse_time("9999-12-31T23:59:59-23:59").is_err());
        assert!(parse_time("+99999-01-01 00:00").is_err());
        let at = |ttl| When {
            due: Due::At(parse_time("9999-12-31T00:00:00Z").unwrap()),
            ttl: Some(ttl),
        };
        assert!(at(Duration::from_secs(86_400)).check().is_err());
        assert!(at(Duration::from_secs(3600)).check().is_ok());
        // The latest deadline a push can make stays a whole number in a double (a Lua number,
        // a sorted-set score).
        let latest = MAX_TIME_MS + MAX_DURATION.as_millis() as i64 * 2;
        assert!(latest < 1 << 53);
        assert_eq!(latest as f64 as i64, latest);
    }

    #[test]
    fn stored_limits_past_the_bound_are_clamped() {
        let body = format!(
            r#"{{"c":1,"o":{m},"k":{m},"t":"a","p":1,"d":null}}"#,
            m = u64::MAX
        );
        let t = Task::from_stored("x", &body, 1).unwrap();
        assert_eq!(t.settings.exec_timeout(), Some(MAX_DURATION));
        assert_eq!(t.settings.keep_result(), Some(MAX_DURATION));
    }

    #[test]
    fn payload_is_json_if_it_parses() {
        assert_eq!(parse_payload(r#"{"a":1}"#), json!({"a":1}));
        assert_eq!(parse_payload("42"), json!(42));
        assert_eq!(parse_payload("hello world"), json!("hello world"));
    }

    #[test]
    fn ids_are_distinct_and_short() {
        let a = new_id();
        assert_eq!(a.len(), 12);
        assert_ne!(a, new_id());
        assert!(check_id("bad\nid").is_err());
        assert!(check_type("email").is_ok());
        for bad in ["", "a\u{0}b", "tab\there", &"x".repeat(257)] {
            assert!(check_type(bad).is_err(), "{bad:?}");
        }
    }
}
