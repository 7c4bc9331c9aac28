//! Lifecycle events (issue 26): the queue's capped Redis stream (`keys::events`), switched on
//! in its `meta` (`events` = how many to keep), and the one reader of its entries.
//!
//! An entry's fields, as the scripts that make a change write them (short names, as the task
//! bodies have): `e` the event (`EVENTS`), `id` the task, `t` its type, `p` its priority, and
//! when they apply `g` its group, `a` the attempt, `c` the consumer, `r` the reason (the error
//! of a retry or a death). The entry's id is the server's time of the change.

use super::keys;
use super::script::EVENTS_SET;
use super::Queue;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Every event a queue's stream can hold.
pub const EVENTS: [&str; 14] = [
    "pushed",
    "claimed",
    "done",
    "retry",
    "dead",
    "cancelled",
    "expired",
    "released",
    "lost",
    "moved",
    "paused",
    "resumed",
    "limit",
    "scheduled",
];

/// The field of `meta` that holds how many events are kept (absent: events are off).
pub const META_FIELD: &str = "events";

/// Kept when `--keep` is not given.
pub const DEFAULT_KEEP: u64 = 100_000;

/// One event as read back: the entry's id (resume from it), and what the entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub event_id: String,
    pub event: String,
    #[serde(with = "crate::task::rfc3339")]
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Event {
    /// The one reader of a stream entry; None for an entry with no event.
    pub fn read(entry_id: &str, fields: &HashMap<String, String>) -> Option<Event> {
        let ms: i64 = entry_id.split('-').next()?.parse().ok()?;
        let text = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
        Some(Event {
            event_id: entry_id.to_string(),
            event: text("e")?,
            at: crate::task::ms_to_time(ms),
            id: text("id"),
            kind: text("t"),
            priority: text("p").and_then(|p| p.parse().ok()),
            group: text("g"),
            attempt: text("a").and_then(|a| a.parse().ok()),
            consumer: text("c"),
            error: text("r"),
        })
    }
}

/// Where a read of the stream begins: after an entry, or at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum From {
    Start,
    After(String),
    At(i64),
}

impl From {
    /// `--since`: a stream entry id (`1764340214123-0`), a time, or a duration ago.
    pub fn parse(s: &str, now_ms: i64) -> Result<From, String> {
        let s = s.trim();
        if let Some((a, b)) = s.split_once('-') {
            if a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
                && !a.is_empty()
                && !b.is_empty()
            {
                return Ok(From::After(s.to_string()));
            }
        }
        if let Ok(d) = crate::task::parse_duration(s) {
            return Ok(From::At(now_ms - d.as_millis() as i64));
        }
        crate::task::parse_time(s)
            .map(|t| From::At(t.timestamp_millis()))
            .map_err(|_| {
                format!(
                    "'{s}' is not an event id (1764340214123-0), a time or a duration ago (10m)"
                )
            })
    }

    /// The first argument of XRANGE: inclusive for a time, exclusive after an id.
    fn range_start(&self) -> String {
        match self {
            From::Start => "-".into(),
            From::After(id) => format!("({id}"),
            From::At(ms) => format!("{}", (*ms).max(0)),
        }
    }
}

type Entries = Vec<(String, HashMap<String, String>)>;

/// Where a merged reader of a sharded queue stands: each shard's XRANGE start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(Vec<String>);

/// An entry of a merged read: its id's order, its shard, its id, the event it holds.
type Merged = ((u64, u64), usize, String, Option<Event>);

/// An entry id as (ms, sequence), the order of the merged streams (ties go by shard).
fn id_key(id: &str) -> (u64, u64) {
    let (a, b) = id.split_once('-').unwrap_or((id, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

fn read_entries(entries: Entries) -> Vec<Event> {
    entries
        .iter()
        .filter_map(|(id, f)| Event::read(id, f))
        .collect()
}

impl Queue {
    /// How many events the queue keeps, when its events are on.
    pub fn events_kept(&mut self) -> Result<Option<u64>> {
        let v: Option<u64> = redis::cmd("HGET")
            .arg(keys::meta(&self.name))
            .arg(META_FIELD)
            .query(&mut self.conn)
            .with_context(|| format!("reading the events setting of queue '{}'", self.name))?;
        Ok(v.filter(|n| *n > 0))
    }

    /// Switches the queue's events on, keeping about `keep` of them, or off (`None`: the
    /// stream is deleted).
    pub fn set_events(&mut self, keep: Option<u64>) -> Result<()> {
        self.pin()?;
        // Each shard's switch, where its scripts see it (lua/events_set.lua), before the
        // queue's: a reader that finds the setting on finds the scripts writing.
        let arg = vec![keep.map(|n| n.to_string()).unwrap_or_default()];
        for shard in 0..self.shards.len() {
            let stream = [self.shards[shard].events()];
            self.invoke_with(shard, &EVENTS_SET, &stream, &arg, "setting the events")?;
        }
        self.events = keep.is_some();
        let meta = keys::meta(&self.name);
        let mut pipe = redis::pipe();
        pipe.atomic();
        match keep {
            Some(n) => {
                pipe.cmd("HSET").arg(&meta).arg(META_FIELD).arg(n).ignore();
                pipe.cmd("XTRIM")
                    .arg(keys::events(&self.name))
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(n)
                    .ignore();
            }
            None => {
                pipe.cmd("HDEL").arg(&meta).arg(META_FIELD).ignore();
                pipe.cmd("UNLINK").arg(keys::events(&self.name)).ignore();
            }
        }
        pipe.exec(&mut self.conn)
            .with_context(|| format!("setting the events of queue '{}'", self.name))
    }

    /// The newest event's id, if any is kept.
    pub fn last_event_id(&mut self) -> Result<Option<String>> {
        let last: Entries = redis::cmd("XREVRANGE")
            .arg(keys::events(&self.name))
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query(&mut self.conn)
            .with_context(|| format!("reading the events of queue '{}'", self.name))?;
        Ok(last.into_iter().next().map(|(id, _)| id))
    }

    /// How many streams the queue's events are in: one a shard.
    pub fn event_streams(&self) -> usize {
        self.shards.len()
    }

    /// A merged reader of every shard's stream, at `from`: an id is resumed after on each.
    pub fn cursor(&self, from: &From) -> Cursor {
        Cursor(vec![from.range_start(); self.shards.len()])
    }

    /// A merged reader at the events to come (the server's time now).
    pub fn cursor_now(&mut self) -> Result<Cursor> {
        let (secs, micros): (u64, u64) = redis::cmd("TIME")
            .query(&mut self.conn)
            .with_context(|| format!("reading the events of queue '{}'", self.name))?;
        Ok(self.cursor(&From::At((secs * 1000 + micros / 1000) as i64)))
    }

    /// The next events of every shard merged by id (then shard), and whether more are kept.
    /// Only those of a millisecond already past on the server (its TIME is read before the
    /// streams): a script started later writes a later one, so nothing can still come before
    /// what is returned, and `--since` that id on every shard misses nothing (one server; on a
    /// cluster each node's clock decides). Each shard's entries up to the first shard that gave
    /// a full page are all there, so the page is cut there.
    pub fn events_merged(&mut self, cur: &mut Cursor, count: usize) -> Result<(Vec<Event>, bool)> {
        let mut cmds = vec![redis::cmd("TIME")];
        for (k, start) in self.shards.iter().zip(&cur.0) {
            let mut c = redis::cmd("XRANGE");
            c.arg(k.events())
                .arg(start)
                .arg("+")
                .arg("COUNT")
                .arg(count);
            cmds.push(c);
        }
        let replies = self
            .query_many("XRANGE", cmds)
            .with_context(|| format!("reading the events of queue '{}'", self.name))?;
        let (secs, micros): (u64, u64) = redis::from_redis_value(replies[0].clone())?;
        let now = secs * 1000 + micros / 1000;
        let mut all: Vec<Merged> = vec![];
        let mut bound: Option<(u64, u64)> = None;
        let mut more = false;
        for (s, v) in replies[1..].iter().enumerate() {
            let entries: Entries = redis::from_redis_value(v.clone())?;
            if entries.len() >= count {
                more = true;
                if let Some((last, _)) = entries.last() {
                    let k = id_key(last);
                    bound = Some(bound.map_or(k, |b| b.min(k)));
                }
            }
            for (id, f) in &entries {
                let k = id_key(id);
                if k.0 < now && bound.is_none_or(|b| k <= b) {
                    all.push((k, s, id.clone(), Event::read(id, f)));
                }
            }
        }
        all.retain(|(k, ..)| bound.is_none_or(|b| *k <= b));
        all.sort_by_key(|m| (m.0, m.1));
        for (_, s, id, _) in &all {
            cur.0[*s] = format!("({id}");
        }
        Ok((all.into_iter().filter_map(|(.., e)| e).collect(), more))
    }

    /// Up to `count` events from `from` on, oldest first.
    pub fn events(&mut self, from: &From, count: usize) -> Result<Vec<Event>> {
        let entries: Entries = redis::cmd("XRANGE")
            .arg(keys::events(&self.name))
            .arg(from.range_start())
            .arg("+")
            .arg("COUNT")
            .arg(count)
            .query(&mut self.conn)
            .with_context(|| format!("reading the events of queue '{}'", self.name))?;
        Ok(read_entries(entries))
    }

    /// The events after `after` ("$": only new ones), waiting up to `block` for the first.
    pub fn wait_events(
        &mut self,
        after: &str,
        block: std::time::Duration,
        count: usize,
    ) -> Result<Vec<Event>> {
        let reply: Option<Vec<(String, Entries)>> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(block.as_millis().max(1) as u64)
            .arg("STREAMS")
            .arg(keys::events(&self.name))
            .arg(after)
            .query(&mut self.conn)
            .with_context(|| format!("waiting for events of queue '{}'", self.name))?;
        Ok(reply
            .into_iter()
            .flatten()
            .flat_map(|(_, e)| read_entries(e))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_by_their_short_names() {
        let f: HashMap<String, String> = [
            ("e", "retry"),
            ("id", "t1"),
            ("t", "mail"),
            ("p", "1"),
            ("a", "2"),
            ("c", "c1"),
            ("r", "exit status 1"),
            ("g", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let e = Event::read("1764340214123-3", &f).unwrap();
        assert_eq!(e.event, "retry");
        assert_eq!(e.priority, Some(1));
        assert_eq!(e.attempt, Some(2));
        assert_eq!(e.group, None);
        assert_eq!(e.at.timestamp_millis(), 1764340214123);
        assert!(Event::read("1-0", &HashMap::new()).is_none());
    }

    #[test]
    fn since_takes_an_id_a_time_or_a_duration() {
        assert_eq!(From::parse("17-3", 0), Ok(From::After("17-3".into())));
        assert_eq!(From::parse("10s", 60_000), Ok(From::At(50_000)));
        assert_eq!(
            From::parse("2026-11-28T14:30:14Z", 0),
            Ok(From::At(1_795_876_214_000))
        );
        assert!(From::parse("soon", 0).is_err());
        assert_eq!(From::After("17-3".into()).range_start(), "(17-3");
    }
}
