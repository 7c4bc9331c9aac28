//! Controls (issue 13): pauses, rate limits and in-flight caps. They live in each shard's
//! controls hash (`lua/common.lua` describes it), are set on every shard by control.lua, and
//! are enforced by the claim script on the server's clock, so they hold across every consumer
//! on every machine; a consumer that dies frees its slots with its lease. The answers are plain
//! serializable types, for the commands and for an HTTP API alike.
//!
//! A sharded queue cannot have one bucket: its shards live on different hash tags, maybe on
//! different cluster nodes, and no script can touch two of them atomically. So a limit is split
//! evenly: each of S shards refills at rate/S with a bucket of burst/S (at least 1), and may
//! have N/S in flight (the remainder to the first shards; N must be at least S). The queue as a
//! whole never goes past the rate (plus at most one task per shard of burst) or the cap, and
//! with ids spread evenly over the shards it reaches them when every shard has work.

use super::script::{array, int, CONTROL, NEVER_MS, WAKE_CAP};
use super::stored::{Field, LimitRecord};
use super::types::{Limit, LimitChange, Paused};
use super::Queue;
use crate::error::{LayoutError, UsageError};
use crate::task::{ms_to_time, Priority};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::time::Duration;

/// One limit as a shard stores it ("limit:S", common.lua).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Stored {
    /// Its line: 0 for every task, another number for a type (any number of types).
    pub line: usize,
    /// The type, JSON-encoded as in a body; None for every task.
    pub enc: Option<String>,
    pub rate: Option<u64>,
    pub per_ms: Option<u64>,
    pub burst: Option<u64>,
    pub max_in_flight: Option<u64>,
    /// Tasks in flight counted against its cap on this shard.
    pub busy: u64,
}

/// What one shard's controls hash holds.
#[derive(Debug, Clone, Default)]
pub(super) struct ShardControls {
    /// Priority (1..=3) -> paused until ms (`NEVER_MS`: until resumed); expired ones too.
    pub paused: BTreeMap<u8, i64>,
    pub limits: Vec<Stored>,
    /// Whether waiting tasks may be held back in `limited` (a type has a line, a removed
    /// limit's too until it is drained, or groups have limits or pauses).
    pub lines: bool,
    /// A type's line named by `set:N` (N of 1 to 8) without its `t:TYPE` field: the form of an
    /// rpq before any number of types could be limited, which `rpq migrate` turns into this one.
    pub old_lines: bool,
}

impl ShardControls {
    fn parse(fields: &[Field]) -> ShardControls {
        let mut c = ShardControls::default();
        let mut sets: BTreeMap<usize, String> = BTreeMap::new();
        let mut busy: BTreeMap<usize, u64> = BTreeMap::new();
        let mut defs: BTreeMap<usize, String> = BTreeMap::new();
        for Field { name: field, value } in fields {
            if field == "glimit" || field == "groups" {
                c.lines = true;
            }
            let Some((kind, n)) = field.split_once(':') else {
                continue;
            };
            let Ok(n) = n.parse::<usize>() else { continue };
            match kind {
                "pause" => {
                    if let (Ok(p), Ok(until)) = (u8::try_from(n), value.parse()) {
                        c.paused.insert(p, until);
                    }
                }
                "set" => {
                    sets.insert(n, value.clone());
                }
                "busy" => {
                    busy.insert(n, value.parse().unwrap_or(0));
                }
                "limit" => {
                    defs.insert(n, value.clone());
                }
                _ => {}
            }
        }
        c.lines |= sets.keys().any(|&n| n >= 1);
        c.old_lines = sets.iter().any(|(&n, enc)| {
            (1..=8).contains(&n) && !fields.iter().any(|f| f.name == format!("t:{enc}"))
        });
        for (line, def) in defs {
            let r = LimitRecord::parse(&def);
            c.limits.push(Stored {
                line,
                enc: sets.get(&line).cloned().filter(|_| line > 0),
                rate: r.rate,
                per_ms: r.per_ms,
                burst: r.burst,
                max_in_flight: r.max_in_flight,
                busy: busy.get(&line).copied().unwrap_or(0),
            });
        }
        c
    }

    /// The pauses in force at `now_ms`.
    pub fn paused_at(&self, now_ms: i64) -> Vec<Paused> {
        self.paused
            .iter()
            .filter(|(_, &until)| until > now_ms)
            .map(|(&priority, &until)| Paused {
                priority,
                until: (until < NEVER_MS).then(|| ms_to_time(until)),
            })
            .collect()
    }
}

/// The limits of every shard as one list: shard 0's definitions (every shard has the same),
/// the tasks in flight of all of them; every task first, then by type.
pub(super) fn limits_of(shards: &[ShardControls]) -> Vec<Limit> {
    let Some(first) = shards.first() else {
        return vec![];
    };
    let mut out: Vec<Limit> = first
        .limits
        .iter()
        .map(|d| {
            let busy: u64 = shards
                .iter()
                .flat_map(|s| s.limits.iter().filter(|o| o.enc == d.enc))
                .map(|o| o.busy)
                .sum();
            Limit {
                kind: d
                    .enc
                    .as_deref()
                    .map(|e| serde_json::from_str(e).unwrap_or_else(|_| e.to_string())),
                rate: d.rate,
                per_ms: d.per_ms,
                burst: d.burst,
                max_in_flight: d.max_in_flight,
                in_flight: d.max_in_flight.map(|_| busy),
                group: None,
                each_group: false,
            }
        })
        .collect();
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    out
}

/// `total` split over `n` shards as evenly as integers go: shard `i`'s share.
fn share(total: u64, n: u64, i: u64) -> u64 {
    total / n + u64::from(i < total % n)
}

impl Queue {
    /// The controls hash of every shard, in one round trip per node.
    pub(super) fn read_controls(&mut self) -> Result<Vec<ShardControls>> {
        let cmds = self
            .shards
            .iter()
            .map(|k| {
                let mut c = redis::cmd("HGETALL");
                c.arg(k.controls());
                c
            })
            .collect();
        let replies = self
            .query_many("HGETALL", cmds)
            .with_context(|| format!("reading the controls of queue '{}'", self.name))?;
        let all: Vec<ShardControls> = replies
            .into_iter()
            .map(|v| Ok(ShardControls::parse(&Field::all_of(v)?)))
            .collect::<Result<_>>()?;
        if all.iter().any(|c| c.old_lines) {
            return Err(LayoutError(format!(
                "queue '{}' holds limits of types in the form of an older rpq (the lines \
                 limited:1 .. limited:8); this rpq reads any number of limited types: run `rpq \
                 migrate --queue {}` (docs/layout-v2.md)",
                self.name, self.name
            ))
            .into());
        }
        Ok(all)
    }

    /// Stops claims of `priority` (None: every priority) on every shard, until resumed or, with
    /// `for_`, for that long by the server's clock. Returns the pauses in force after it.
    pub fn pause(
        &mut self,
        priority: Option<Priority>,
        for_: Option<Duration>,
    ) -> Result<Vec<Paused>> {
        self.pin()?;
        let ms = for_.map_or(0, |d| d.as_millis().max(1) as u64);
        self.control_pauses("pause", priority, &ms.to_string(), "pausing")
    }

    /// Lets claims of `priority` (None: every priority) go on; idle consumers are woken.
    pub fn resume(&mut self, priority: Option<Priority>) -> Result<Vec<Paused>> {
        self.control_pauses("resume", priority, "", "resuming")
    }

    fn control_pauses(
        &mut self,
        op: &str,
        priority: Option<Priority>,
        ms: &str,
        what: &str,
    ) -> Result<Vec<Paused>> {
        let digits: String = match priority {
            Some(p) => p.get().to_string(),
            None => "123".into(),
        };
        let args = [op.to_string(), digits, ms.to_string()];
        let mut first = None;
        // Shard 0 last: it is the one whose answer is shown, and whose consumers wake.
        for shard in (0..self.shards.len()).rev() {
            let reply = array(self.invoke(shard, &CONTROL, &args, what)?)?;
            if op == "resume" {
                self.wake_others(shard, WAKE_CAP)?;
            }
            first = Some(reply);
        }
        let mut out = Vec::new();
        for pair in first.unwrap_or_default().chunks(2) {
            let until = int(pair.get(1))?;
            out.push(Paused {
                priority: int(pair.first())? as u8,
                until: (until > 0).then(|| ms_to_time(until)),
            });
        }
        Ok(out)
    }

    /// The pauses in force now.
    pub fn paused(&mut self) -> Result<Vec<Paused>> {
        let now = self.server_ms()?;
        Ok(self
            .read_controls()?
            .first()
            .map(|c| c.paused_at(now))
            .unwrap_or_default())
    }

    /// The limits in force: every task's first, then by type.
    pub fn limits(&mut self) -> Result<Vec<Limit>> {
        let all = self.read_controls()?;
        Ok(limits_of(&all))
    }

    /// Sets a limit on the tasks of type `kind` (None: on every task), keeping what `change`
    /// leaves out as it was. Returns the limit in force after it.
    pub fn set_limit(&mut self, kind: Option<&str>, change: &LimitChange) -> Result<Limit> {
        self.pin()?;
        // A line of an older rpq's form would be given a second line for the same type.
        self.read_controls()?;
        let n = self.shards.len() as u64;
        if let Some(m) = change.max_in_flight {
            if m < n {
                return Err(UsageError(format!(
                    "--max-in-flight {m} cannot be split over the {n} shards of queue '{}': each \
                     shard holds its share of the cap and needs at least one; use {n} or more",
                    self.name
                ))
                .into());
            }
        }
        let enc = match kind {
            Some(k) => serde_json::to_string(k)?,
            None => String::new(),
        };
        for shard in (0..self.shards.len()).rev() {
            let i = shard as u64;
            // ARGV[3..9] of control.lua: ms between tokens, bucket and cap on this shard, then
            // the limit as it was asked for.
            let rate = match change.rate {
                Some(r) => {
                    let burst = change.burst.unwrap_or(r.n).max(1);
                    let per_ms = r.per.as_millis().max(1) as u64;
                    // Each shard refills at rate/n: a token every per x n / rate ms, written
                    // in full: a fixed six places rounded a rate over 10^9 a ms to 0, and the
                    // limit's division by it then let nothing go.
                    vec![
                        format!("{}", per_ms as f64 * n as f64 / r.n as f64),
                        share(burst, n, i).max(1).to_string(),
                        r.n.to_string(),
                        per_ms.to_string(),
                        burst.to_string(),
                    ]
                }
                None => vec![String::new(); 5],
            };
            let (cap, cap_asked) = match change.max_in_flight {
                Some(m) => (share(m, n, i).to_string(), m.to_string()),
                None => (String::new(), String::new()),
            };
            let args = vec![
                "limit".to_string(),
                enc.clone(),
                rate[0].clone(),
                rate[1].clone(),
                cap,
                rate[2].clone(),
                rate[3].clone(),
                rate[4].clone(),
                cap_asked,
            ];
            self.invoke(shard, &CONTROL, &args, "setting a limit")?;
            self.wake_others(shard, WAKE_CAP)?;
        }
        let enc = (!enc.is_empty()).then_some(enc);
        let all = self.read_controls()?;
        limits_of(&all)
            .into_iter()
            .find(|l| l.kind.as_deref() == kind)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the limit on {} of queue '{}' was set but is not there now (removed \
                     meanwhile?)",
                    enc.as_deref().unwrap_or("every task"),
                    self.name
                )
            })
    }

    /// Removes the limits on type `kind` (None: on every task); its waiting tasks go back into
    /// the main line at their places, in steps of 1,000. False when there was none.
    pub fn remove_limit(&mut self, kind: Option<&str>) -> Result<bool> {
        let enc = match kind {
            Some(k) => serde_json::to_string(k)?,
            None => String::new(),
        };
        let mut removed = false;
        for shard in (0..self.shards.len()).rev() {
            let r = array(self.invoke(
                shard,
                &CONTROL,
                &["unlimit".to_string(), enc.clone()],
                "removing a limit",
            )?)?;
            removed |= int(r.first())? == 1;
            let mut left = int(r.get(1))?;
            while left > 0 {
                let before = left;
                left = int(Some(&self.invoke(
                    shard,
                    &CONTROL,
                    &["drain".to_string(), enc.clone()],
                    "moving the tasks of a removed limit back in line",
                )?))?;
                self.wake_others(shard, (before - left).max(0) as u64)?;
                if left >= before {
                    // Set again meanwhile: its line is in use once more.
                    break;
                }
            }
            self.wake_others(shard, WAKE_CAP)?;
        }
        Ok(removed)
    }
}

/// The KEYS index (Lua counts from 1) of the set of tasks held back by limits, for a script
/// told where waiting tasks may be, when a shard's controls say it may hold some.
pub(super) fn line_keys(lines: bool) -> Vec<String> {
    if lines {
        vec![(super::keys::Key::Limited as usize + 1).to_string()]
    } else {
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_splits_over_shards_without_going_past_it() {
        for (total, n) in [(2u64, 1u64), (7, 3), (6, 6), (100, 7)] {
            let shares: Vec<u64> = (0..n).map(|i| share(total, n, i)).collect();
            assert_eq!(shares.iter().sum::<u64>(), total, "{shares:?}");
            assert!(shares.iter().all(|&s| s >= total / n && s <= total / n + 1));
        }
    }

    #[test]
    fn controls_read_as_stored() {
        let f = Field::new;
        let c = ShardControls::parse(&[
            f("pause:1", &NEVER_MS.to_string()),
            f("pause:3", "5000"),
            f("limit:0", "1|20.000000|50||50|1000|50|"),
            f("limit:2", "4|||3||||3"),
            f("set:2", "\"mail\""),
            f("busy:2", "2"),
            f("set:5", "\"old\""),
            f("tat:0", "123.000"),
        ]);
        assert!(c.lines);
        assert_eq!(
            c.paused_at(4000),
            [
                Paused {
                    priority: 1,
                    until: None
                },
                Paused {
                    priority: 3,
                    until: Some(ms_to_time(5000))
                }
            ]
        );
        assert_eq!(c.paused_at(6000).len(), 1, "the one --for ran out");
        let l = limits_of(&[c.clone(), c]);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].kind, None);
        assert_eq!(
            (l[0].rate, l[0].per_ms, l[0].burst),
            (Some(50), Some(1000), Some(50))
        );
        assert_eq!((l[0].max_in_flight, l[0].in_flight), (None, None));
        assert_eq!(l[1].kind.as_deref(), Some("mail"));
        assert_eq!((l[1].max_in_flight, l[1].in_flight), (Some(3), Some(4)));
    }
}
