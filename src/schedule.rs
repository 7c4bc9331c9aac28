//! Recurring schedules: what `rpq schedule add` stores (when it fires: `--every DUR` or
//! `--cron SPEC` in a time zone; and the task each slot queues), and the arithmetic of slots:
//! the latest slot at or before a time, the first after it. Slots are computed on the client
//! from the Redis server's clock; whether one fires is decided on the server (`fire.lua`), so
//! any number of consumers may race for a slot. Cron and time zones are croner's and
//! chrono-tz's: a local time that a DST change skips fires at the first instant after the gap,
//! one that it repeats fires once, at the first (croner's documented rules).

use crate::task::{rfc3339, NewTask, Priority, When};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::str::FromStr;
use std::time::Duration;

/// What a schedule stores, as JSON in the schedules hash. The stored string itself is what a
/// consumer hands back when it fires a slot, so a schedule replaced meanwhile is told apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: Priority,
    pub payload: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// When it was added, by the server's clock: slots up to then never fire.
    pub since_ms: i64,
}

/// When a schedule fires, parsed and checked.
#[derive(Debug, Clone)]
pub enum Spec {
    /// The multiples of this many ms since the Unix epoch (`--every 1h` fires on the hour).
    Every(u64),
    Cron(Box<croner::Cron>, chrono_tz::Tz),
}

impl Spec {
    pub fn every(d: Duration) -> Result<Spec, String> {
        if d < Duration::from_secs(1) {
            return Err(format!(
                "--every {} is too short; a schedule fires at most once a second",
                crate::task::short_duration(d)
            ));
        }
        // A stored definition is read through here too: one longer than any flag takes
        // (another writer's) would overflow the slot arithmetic below.
        if d > crate::task::MAX_DURATION {
            return Err("--every is longer than 100 years, the longest duration rpq takes".into());
        }
        Ok(Spec::Every(d.as_millis() as u64))
    }

    pub fn cron(expr: &str, tz: Option<&str>) -> Result<Spec, String> {
        let cron = croner::Cron::from_str(expr)
            .map_err(|e| format!("'{expr}' is not a cron spec: {e}"))?;
        let zone = tz.unwrap_or("UTC");
        let tz = chrono_tz::Tz::from_str(zone).map_err(|_| {
            format!("'{zone}' is not a time zone; use a name such as Europe/Berlin or UTC")
        })?;
        Ok(Spec::Cron(Box::new(cron), tz))
    }

    /// The latest slot at or before `t_ms`.
    pub fn latest_at_or_before(&self, t_ms: i64) -> Option<i64> {
        match self {
            Spec::Every(every) => Some(t_ms.div_euclid(*every as i64) * *every as i64),
            Spec::Cron(cron, tz) => {
                let t = crate::task::ms_to_time(t_ms).with_timezone(tz);
                cron.find_previous_occurrence(&t, true)
                    .ok()
                    .map(|s| s.timestamp_millis())
            }
        }
    }

    /// The first slot after `t_ms`.
    pub fn first_after(&self, t_ms: i64) -> Option<i64> {
        match self {
            Spec::Every(every) => Some((t_ms.div_euclid(*every as i64) + 1) * *every as i64),
            Spec::Cron(cron, tz) => {
                let t = crate::task::ms_to_time(t_ms).with_timezone(tz);
                cron.find_next_occurrence(&t, false)
                    .ok()
                    .map(|s| s.timestamp_millis())
            }
        }
    }
}

impl Definition {
    pub fn spec(&self) -> Result<Spec, String> {
        match (&self.every_ms, &self.cron) {
            (Some(ms), None) => Spec::every(Duration::from_millis(*ms)),
            (None, Some(expr)) => Spec::cron(expr, self.tz.as_deref()),
            _ => Err("a stored schedule has neither every_ms nor cron".into()),
        }
    }

    /// How it fires, for people: `every 1m`, `cron '0 3 * * *' Europe/Berlin`.
    pub fn describe(&self) -> String {
        match (&self.every_ms, &self.cron) {
            (Some(ms), _) => format!(
                "every {}",
                crate::task::given_duration(Duration::from_millis(*ms))
            ),
            (_, Some(expr)) => format!("cron '{expr}' {}", self.tz.as_deref().unwrap_or("UTC")),
            _ => "?".into(),
        }
    }

    /// The task of the slot at `slot_ms`: id `NAME@<slot time>`, so a slot queues at most one.
    pub fn task(&self, name: &str, slot_ms: i64) -> NewTask {
        NewTask {
            after: None,
            id: slot_id(name, slot_ms),
            kind: self.kind.clone(),
            priority: self.priority,
            payload: self.payload.clone(),
            when: When {
                ttl: self.ttl_ms.map(Duration::from_millis),
                ..When::NOW
            },
            settings: Default::default(),
            named: false,
            trace: None,
            group: None,
        }
    }
}

/// `NAME@2026-11-28T14:30:00.000Z`
pub fn slot_id(name: &str, slot_ms: i64) -> String {
    format!(
        "{name}@{}",
        rfc3339::format(&crate::task::ms_to_time(slot_ms))
    )
}

/// One stored schedule, as `schedule list` shows it and as consumers fire it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub name: String,
    /// The definition JSON exactly as stored.
    pub raw: String,
    pub def: Definition,
    /// The latest slot fired, on any shard (None: none yet).
    pub last_fired_ms: Option<i64>,
}

impl Stored {
    /// Reads a schedules-hash value, `last fired ms|definition JSON`, where "last fired" is the
    /// time it was added until a slot fires on that shard.
    pub fn parse(name: &str, value: &str) -> Option<Stored> {
        let (last, raw) = value.split_once('|')?;
        let last: i64 = last.parse().ok()?;
        let def: Definition = serde_json::from_str(raw).ok()?;
        Some(Stored {
            name: name.to_string(),
            raw: raw.to_string(),
            last_fired_ms: (last > def.since_ms).then_some(last),
            def,
        })
    }

    /// What `schedule list` shows of it at `now_ms`: a slot due and not fired yet (nothing
    /// ran) fires when a consumer runs, so it is the next one.
    pub fn listed(&self, now_ms: i64) -> Listed {
        let next = self.def.spec().ok().and_then(|spec| {
            self.due_slot(&spec, now_ms)
                .or_else(|| spec.first_after(now_ms))
        });
        Listed {
            name: self.name.clone(),
            def: self.def.clone(),
            next_at: next.map(crate::task::ms_to_time),
            last_fired_at: self.last_fired_ms.map(crate::task::ms_to_time),
        }
    }

    /// Its task fired by hand at `now_ms` ("fire now"): id `NAME@now-<ms>`, outside the slots,
    /// so no slot is taken or skipped (each still queues at most once, SPEC 14), and two
    /// requests in one millisecond queue one task.
    pub fn now_task(&self, now_ms: i64) -> NewTask {
        NewTask {
            id: format!("{}@now-{now_ms}", self.name),
            ..self.def.task(&self.name, now_ms)
        }
    }

    /// What another shard says of the same schedule: the latest slot of the two.
    pub fn merge(&mut self, other: &Stored) {
        if other.raw == self.raw {
            self.last_fired_ms = self.last_fired_ms.max(other.last_fired_ms);
        }
    }

    /// The slot to fire at `now_ms`: the latest one due, if no shard fired it or a later one.
    pub fn due_slot(&self, spec: &Spec, now_ms: i64) -> Option<i64> {
        let slot = spec.latest_at_or_before(now_ms)?;
        let done = self.last_fired_ms.unwrap_or(self.def.since_ms);
        (slot > done).then_some(slot)
    }
}

/// The JSON of `schedule list`: the definition's fields, but `since` in RFC 3339 as every
/// other time rpq prints (the stored form keeps `since_ms`).
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub def: Definition,
    pub next_at: Option<DateTime<Utc>>,
    pub last_fired_at: Option<DateTime<Utc>>,
}

impl Serialize for Listed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Line<'a> {
            name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            every_ms: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            cron: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            tz: Option<&'a str>,
            #[serde(rename = "type")]
            kind: &'a str,
            priority: Priority,
            payload: &'a Value,
            #[serde(skip_serializing_if = "Option::is_none")]
            ttl_ms: Option<u64>,
            #[serde(with = "rfc3339")]
            since: DateTime<Utc>,
            #[serde(with = "rfc3339::opt")]
            next_at: Option<DateTime<Utc>>,
            #[serde(with = "rfc3339::opt")]
            last_fired_at: Option<DateTime<Utc>>,
        }
        let d = &self.def;
        Line {
            name: &self.name,
            every_ms: d.every_ms,
            cron: d.cron.as_deref(),
            tz: d.tz.as_deref(),
            kind: &d.kind,
            priority: d.priority,
            payload: &d.payload,
            ttl_ms: d.ttl_ms,
            since: crate::task::ms_to_time(d.since_ms),
            next_at: self.next_at,
            last_fired_at: self.last_fired_at,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn at(ms: i64) -> String {
        rfc3339::format(&crate::task::ms_to_time(ms))
    }

    #[test]
    fn every_fires_on_the_multiples_of_its_step() {
        let s = Spec::every(Duration::from_secs(3600)).unwrap();
        let t = ms("2026-11-28T14:30:00Z");
        assert_eq!(
            at(s.latest_at_or_before(t).unwrap()),
            "2026-11-28T14:00:00.000Z"
        );
        assert_eq!(at(s.first_after(t).unwrap()), "2026-11-28T15:00:00.000Z");
        // A slot time itself is its own latest slot, and the next is one step on.
        let slot = ms("2026-11-28T15:00:00Z");
        assert_eq!(s.latest_at_or_before(slot), Some(slot));
        assert_eq!(s.first_after(slot), Some(slot + 3_600_000));
        assert!(Spec::every(Duration::from_millis(500)).is_err());
    }

    /// Europe/Berlin springs forward on 2026-03-29 (02:00 -> 03:00) and falls back on
    /// 2026-10-25 (03:00 -> 02:00): a daily 02:30 runs at 03:00 CEST on the first day (the first
    /// instant after the gap) and once, at the first 02:30, on the second. Computed, not waited.
    #[test]
    fn cron_in_a_time_zone_follows_its_dst_changes() {
        let s = Spec::cron("30 2 * * *", Some("Europe/Berlin")).unwrap();
        let mut t = ms("2026-03-27T12:00:00Z");
        let mut spring = Vec::new();
        for _ in 0..3 {
            t = s.first_after(t).unwrap();
            spring.push(at(t));
        }
        assert_eq!(
            spring,
            [
                "2026-03-28T01:30:00.000Z", // 02:30 CET (+01:00)
                "2026-03-29T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST, after the gap
                "2026-03-30T00:30:00.000Z", // 02:30 CEST (+02:00)
            ]
        );
        let mut t = ms("2026-10-24T12:00:00Z");
        let mut fall = Vec::new();
        for _ in 0..3 {
            t = s.first_after(t).unwrap();
            fall.push(at(t));
        }
        assert_eq!(
            fall,
            [
                "2026-10-25T00:30:00.000Z", // 02:30 CEST, the first of the two 02:30s
                "2026-10-26T01:30:00.000Z", // 02:30 CET: the second 02:30 of the 25th is skipped
                "2026-10-27T01:30:00.000Z",
            ]
        );
        // Catch-up looks backwards with the same rules.
        let late = ms("2026-03-29T09:00:00Z");
        assert_eq!(
            at(s.latest_at_or_before(late).unwrap()),
            "2026-03-29T01:00:00.000Z"
        );
        // An hourly job in New York across its fall-back hour runs on both 1:00s (real hours).
        let h = Spec::cron("0 * * * *", Some("America/New_York")).unwrap();
        let start = chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 11, 1, 0, 30, 0)
            .unwrap()
            .timestamp_millis();
        let a = h.first_after(start).unwrap();
        let b = h.first_after(a).unwrap();
        let c = h.first_after(b).unwrap();
        assert_eq!(
            [at(a), at(b), at(c)],
            [
                "2026-11-01T05:00:00.000Z", // 01:00 EDT
                "2026-11-01T06:00:00.000Z", // 01:00 EST
                "2026-11-01T07:00:00.000Z", // 02:00 EST
            ]
        );
    }

    #[test]
    fn bad_specs_and_zones_say_what_to_give() {
        assert!(Spec::cron("61 * * * *", None)
            .unwrap_err()
            .contains("not a cron spec"));
        assert!(Spec::cron("0 3 * * *", Some("Mars/Olympus"))
            .unwrap_err()
            .contains("not a time zone"));
    }

    #[test]
    fn a_slot_fires_once_and_only_after_the_schedule_was_added() {
        let def = Definition {
            every_ms: Some(1000),
            cron: None,
            tz: None,
            kind: "t".into(),
            priority: Priority::HIGH,
            payload: Value::Null,
            ttl_ms: None,
            since_ms: 10_500,
        };
        let raw = serde_json::to_string(&def).unwrap();
        let mut s = Stored::parse("tick", &format!("10500|{raw}")).unwrap();
        assert_eq!(s.last_fired_ms, None);
        let spec = s.def.spec().unwrap();
        assert_eq!(
            s.due_slot(&spec, 10_900),
            None,
            "10000 was before it was added"
        );
        assert_eq!(s.due_slot(&spec, 11_000), Some(11_000));
        // Another shard fired 13000: nothing up to it fires again, the next does.
        let other = Stored::parse("tick", &format!("13000|{raw}")).unwrap();
        s.merge(&other);
        assert_eq!(s.last_fired_ms, Some(13_000));
        assert_eq!(s.due_slot(&spec, 13_999), None);
        // After a long stop, one slot: the latest.
        assert_eq!(s.due_slot(&spec, 19_500), Some(19_000));
        assert_eq!(
            s.def.task("tick", 19_000).id,
            "tick@1970-01-01T00:00:19.000Z"
        );
    }
}
