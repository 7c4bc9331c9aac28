//! Groups (issue 23): the settings of a group that live outside the scripts' turns, in the
//! shard's `gstate` hash (lua/groups.lua says its fields). A group's key is stored as its task's
//! body holds it: JSON-escaped, without the quotes.

use super::keys;
use super::script::{array, int, string, GROUP_COUNT, GROUP_CTL, WAKE_CAP};
use super::types::{Limit, LimitChange};
use super::Queue;
use crate::task::ms_to_time;
use crate::task::NewTask;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Groups read a page at a time (names, counts).
const PAGE: usize = 1000;

/// A group with waiting tasks, or paused or at its limit (`rpq groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupInfo {
    /// None: the default group (tasks pushed without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Entries in its line: its waiting tasks (one cancelled or expired since is counted until
    /// a claim meets it).
    pub waiting: u64,
    /// Its tasks in flight, as counted while the queue has limits or pauses of groups (0 else).
    pub in_flight: u64,
    pub weight: u32,
    /// The limit that applies to it: its own, else the default of every group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst: Option<u64>,
    /// `rpq pause --group`: paused now, until when (None: until resumed).
    pub group_paused: bool,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "super::types::opt_time"
    )]
    pub group_paused_until: Option<DateTime<Utc>>,
}

/// The shard a group lives on, of `n`: `keys::shard_of` of its key (FNV-1a, 64 bits, of its
/// UTF-8 bytes, mod n), the function that places a task by its id. A group's tasks, its turns,
/// its limits and its pause are all on that shard, so its order and its limits are exact.
pub fn group_shard(group: &str, n: usize) -> usize {
    keys::shard_of(group, n)
}

/// Puts a grouped task of a queue of `n` shards on its group's shard. A task lives on the shard
/// of its id (every lookup by id goes there), so a random id is drawn again until it falls on
/// the group's shard (n draws on average, as `Queue::child_id`); a producer's own id that falls
/// on another shard cannot move, and the task is refused: the reason.
pub fn place(t: &mut NewTask, n: usize) -> Result<(), String> {
    let Some(g) = t.group.as_deref() else {
        return Ok(());
    };
    let home = group_shard(g, n);
    if keys::shard_of(&t.id, n) == home {
        return Ok(());
    }
    if !t.named {
        while keys::shard_of(&t.id, n) != home {
            t.id = crate::task::new_id();
        }
        return Ok(());
    }
    Err(format!(
        "id '{}' falls on shard {} of the queue's {n} and group '{g}' lives on shard {home}: on a \
         sharded queue a grouped task's own id must fall on its group's shard (leave the id out \
         and rpq picks one that does, or use a queue of one shard)",
        t.id,
        keys::shard_of(&t.id, n)
    ))
}

/// The tasks in flight looked at on each shard to count them by group (lua/group_count.lua): a
/// listing reads at most this many bodies a shard, whatever is in flight.
pub const IN_FLIGHT_LOOKED: u64 = 10_000;

/// Tasks in flight a call of lua/group_count.lua looks at: 1 to 3 ms of the server's time
/// (measured: 4 to 11 µs a task on a busy 2-core machine), so no client waits behind it long.
const IN_FLIGHT_PAGE: u64 = 250;

/// A group's backlog in `rpq stats`: its waiting tasks and its tasks in flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupBacklog {
    /// None: the default group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub waiting: u64,
    pub in_flight: u64,
}

/// The groups of `rpq stats` past its top ones, summed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OtherGroups {
    pub groups_with_work: u64,
    pub waiting: u64,
    pub in_flight: u64,
}

/// What `rpq stats` says of the groups: how many have waiting tasks, the `top` largest by
/// waiting tasks and the rest summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupsSummary {
    pub groups_with_work: u64,
    pub top: Vec<GroupBacklog>,
    pub other: OtherGroups,
}

/// A group's key as the scripts name it (its JSON string without the quotes).
pub fn stored_key(group: &str) -> String {
    let s = serde_json::to_string(group).expect("a string serializes");
    s[1..s.len() - 1].to_string()
}

impl Queue {
    /// The number of shards of this queue.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// `place` for this queue's shards.
    pub fn place(&self, t: &mut NewTask) -> Result<(), String> {
        place(t, self.shards.len())
    }

    /// The shard `group` lives on.
    fn group_home(&self, group: &str) -> usize {
        group_shard(group, self.shards.len())
    }

    /// Sets the weight of `group` on its shard (1 removes the field: the default). A script, as
    /// a weight also sets the shard's flag letter 'w' that the fast claim reads (group_ctl.lua).
    pub fn set_group_weight(&mut self, group: &str, weight: u32) -> Result<()> {
        self.pin()?;
        let args = vec![
            "weight".to_string(),
            "group".to_string(),
            stored_key(group),
            weight.to_string(),
        ];
        let shard = self.group_home(group);
        self.group_ctl(shard, &args, "setting the weight of a group")?;
        Ok(())
    }

    /// Weights set by an rpq from before the flag letter 'w' (group_ctl.lua): the fast claim
    /// reads a group's weight only under that letter, so on a shard with groups whose weights
    /// predate it each would count as 1. A consumer's first claim looks (one HGET a shard, an
    /// HSCAN of the groups' state only for such a shard) and sets one of them again, which
    /// sets the letter.
    pub(super) fn flag_old_weights(&mut self) -> Result<()> {
        for shard in 0..self.shards.len() {
            let checks: Option<String> = redis::cmd("HGET")
                .arg(self.shards[shard].stats())
                .arg("checks")
                .query(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "HGET"))?;
            let flags = checks
                .as_deref()
                .and_then(|c| c.split('|').nth(4))
                .unwrap_or("");
            if !flags.contains('g') || flags.contains('w') {
                continue;
            }
            let key = self.shards[shard].group_keys()[2].clone();
            let mut cursor = 0u64;
            let found = loop {
                let (next, fields): (u64, Vec<String>) = redis::cmd("HSCAN")
                    .arg(&key)
                    .arg(cursor)
                    .arg("MATCH")
                    .arg("w:*")
                    .arg("COUNT")
                    .arg(1000)
                    .query(&mut self.conn)
                    .map_err(|e| self.explain(shard, e, "HSCAN"))?;
                if let Some(pair) = fields.chunks(2).find(|p| p.len() == 2) {
                    break Some((pair[0][2..].to_string(), pair[1].clone()));
                }
                if next == 0 {
                    break None;
                }
                cursor = next;
            };
            if let Some((group, weight)) = found {
                let args = vec!["weight".to_string(), "group".to_string(), group, weight];
                self.group_ctl(shard, &args, "flagging the weights of groups")?;
            }
        }
        Ok(())
    }

    /// The weight of `group` (1 unless set).
    pub fn group_weight(&mut self, group: &str) -> Result<u32> {
        let shard = self.group_home(group);
        let key = self.shards[shard].group_keys()[2].clone();
        let w: Option<u32> = redis::cmd("HGET")
            .arg(&key)
            .arg(format!("w:{}", stored_key(group)))
            .query(&mut self.conn)
            .map_err(|e| self.explain(shard, e, "HGET"))
            .with_context(|| format!("reading the weight of a group of queue '{}'", self.name))?;
        Ok(w.unwrap_or(1))
    }
}

impl Queue {
    /// The tasks in flight of each group on `shard`, by stored key, counted from the in-flight
    /// set when asked (the first `IN_FLIGHT_LOOKED` by lease deadline; a queue with more in
    /// flight on one shard has the rest uncounted).
    fn in_flight_by_group(&mut self, shard: usize) -> Result<HashMap<String, u64>> {
        let mut out = HashMap::new();
        let mut from = 0u64;
        while from < IN_FLIGHT_LOOKED {
            let args = [from.to_string(), IN_FLIGHT_PAGE.to_string()];
            let reply = self.invoke(
                shard,
                &GROUP_COUNT,
                &args,
                "counting the tasks in flight by group",
            )?;
            let items = array(reply)?;
            for pair in items.get(2..).unwrap_or_default().chunks(2) {
                if let [g, n] = pair {
                    *out.entry(string(Some(g))?).or_default() += int(Some(n))?.max(0) as u64;
                }
            }
            let looked = int(items.first())?.max(0) as u64;
            from += IN_FLIGHT_PAGE;
            if looked < IN_FLIGHT_PAGE {
                break;
            }
        }
        Ok(out)
    }

    /// The names of the groups with waiting tasks on `shard` (in the turns or parked), read
    /// in pages of 1,000 (a group in both is once).
    fn group_names(&mut self, shard: usize) -> Result<Vec<String>> {
        let [_, groups, _, gparked, _] = self.shards[shard].group_keys();
        let mut names: Vec<String> = Vec::new();
        for key in [&groups, &gparked] {
            let mut at = 0usize;
            loop {
                let page: Vec<String> = redis::cmd("ZRANGE")
                    .arg(key)
                    .arg(at)
                    .arg(at + PAGE - 1)
                    .query(&mut self.conn)
                    .map_err(|e| self.explain(shard, e, "ZRANGE"))
                    .with_context(|| format!("reading the groups of queue '{}'", self.name))?;
                let n = page.len();
                names.extend(page);
                if n < PAGE {
                    break;
                }
                at += PAGE;
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// `rpq stats`' groups (None: no group has waiting tasks): how many have waiting tasks, the
    /// `top` with the most (then by key) with their tasks in flight, and the others summed. It
    /// reads every group's count (one ZLEXCOUNT each, pipelined 1,000 at a time) and the tasks
    /// in flight (lua/group_count.lua); a queue without groups costs two ZCARDs a shard.
    pub fn groups_summary(&mut self, top: usize) -> Result<Option<GroupsSummary>> {
        let mut waiting: HashMap<String, u64> = HashMap::new();
        let mut flying: HashMap<String, u64> = HashMap::new();
        for shard in 0..self.shards.len() {
            let [gpending, groups, _, gparked, _] = self.shards[shard].group_keys();
            let mut cards = Vec::new();
            for key in [&groups, &gparked] {
                let mut c = redis::cmd("ZCARD");
                c.arg(key);
                cards.push(c);
            }
            let counts = self.query_many("ZCARD", cards)?;
            let some = counts
                .iter()
                .any(|v| redis::from_redis_value::<u64>(v.clone()).unwrap_or(0) > 0);
            if !some {
                continue;
            }
            let names = self.group_names(shard)?;
            for page in names.chunks(PAGE) {
                let cmds = page
                    .iter()
                    .map(|n| {
                        let mut c = redis::cmd("ZLEXCOUNT");
                        c.arg(&gpending)
                            .arg(format!("[{n}\t"))
                            .arg(format!("({n}\n"));
                        c
                    })
                    .collect();
                let replies = self.query_many("ZLEXCOUNT", cmds)?;
                for (n, r) in page.iter().zip(replies) {
                    let w: u64 = redis::from_redis_value(r).unwrap_or(0);
                    *waiting.entry(n.clone()).or_default() += w;
                }
            }
            for (g, n) in self.in_flight_by_group(shard)? {
                *flying.entry(g).or_default() += n;
            }
        }
        if waiting.is_empty() {
            return Ok(None);
        }
        let mut all: Vec<(String, u64)> = waiting.into_iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut summary = GroupsSummary {
            groups_with_work: all.len() as u64,
            top: Vec::new(),
            other: OtherGroups::default(),
        };
        for (k, w) in all {
            let f = flying.remove(&k).unwrap_or(0);
            if summary.top.len() < top {
                summary.top.push(GroupBacklog {
                    group: (!k.is_empty()).then(|| group_text(&k)),
                    waiting: w,
                    in_flight: f,
                });
            } else {
                summary.other.groups_with_work += 1;
                summary.other.waiting += w;
                summary.other.in_flight += f;
            }
        }
        // Groups with tasks in flight and none waiting are among the others' in flight.
        summary.other.in_flight += flying.values().sum::<u64>();
        Ok(Some(summary))
    }

    /// The groups with waiting tasks, and those paused or at a limit, on every shard, the
    /// largest first (then by key): one read of the groups in the turns and of the parked ones,
    /// then one pipelined round trip of their counts and settings.
    pub fn groups(&mut self) -> Result<Vec<GroupInfo>> {
        let mut out = Vec::new();
        // The clock (for pauses that ended) only once some shard has groups: a scrape of a
        // queue without them reads nothing more.
        let mut clock = None;
        for shard in 0..self.shards.len() {
            let [gpending, _, gstate, _, _] = self.shards[shard].group_keys();
            let controls = self.shards[shard].controls().to_string();
            let names = self.group_names(shard)?;
            if names.is_empty() {
                continue;
            }
            let now = match clock {
                Some(ms) => ms,
                None => *clock.insert(self.server_ms()?),
            };
            let mut cmds = Vec::new();
            let mut each = redis::cmd("HGET");
            each.arg(&controls).arg("glimit");
            cmds.push(each);
            for n in &names {
                let mut c = redis::cmd("ZLEXCOUNT");
                c.arg(&gpending)
                    .arg(format!("[{n}\t"))
                    .arg(format!("({n}\n"));
                cmds.push(c);
                let mut h = redis::cmd("HMGET");
                h.arg(&gstate)
                    .arg(format!("w:{n}"))
                    .arg(format!("l:{n}"))
                    .arg(format!("z:{n}"));
                cmds.push(h);
            }
            let replies = self.query_many("ZLEXCOUNT", cmds)?;
            let counted = self.in_flight_by_group(shard)?;
            let each: Option<String> = redis::from_redis_value(replies[0].clone()).unwrap_or(None);
            for (n, r) in names.iter().zip(replies[1..].chunks(2)) {
                let waiting: u64 = redis::from_redis_value(r[0].clone()).unwrap_or(0);
                let [weight, own, paused]: [Option<String>; 3] =
                    redis::from_redis_value::<Vec<Option<String>>>(r[1].clone())
                        .ok()
                        .and_then(|v| v.try_into().ok())
                        .unwrap_or_default();
                let limit = own.as_deref().or(each.as_deref()).map(parse_limit);
                let until = paused
                    .and_then(|z| z.parse::<i64>().ok())
                    .filter(|&z| z > now);
                out.push(GroupInfo {
                    group: (!n.is_empty()).then(|| group_text(n)),
                    waiting,
                    in_flight: counted.get(n).copied().unwrap_or(0),
                    weight: weight.and_then(|w| w.parse().ok()).unwrap_or(1),
                    max_in_flight: limit.as_ref().and_then(|l| l.max_in_flight),
                    rate: limit.as_ref().and_then(|l| l.rate),
                    per_ms: limit.as_ref().and_then(|l| l.per_ms),
                    burst: limit.as_ref().and_then(|l| l.burst),
                    group_paused: until.is_some(),
                    group_paused_until: until
                        .filter(|&z| z < super::script::NEVER_MS)
                        .map(ms_to_time),
                });
            }
        }
        // A group lives on one shard, but the default group is on each one: its counts summed.
        out.sort_by(|a, b| a.group.cmp(&b.group));
        out.dedup_by(|later, first| {
            if later.group != first.group {
                return false;
            }
            first.waiting += later.waiting;
            first.in_flight += later.in_flight;
            true
        });
        out.sort_by(|a, b| {
            b.waiting
                .cmp(&a.waiting)
                .then_with(|| a.group.cmp(&b.group))
        });
        Ok(out)
    }
}

/// A limit as groups.lua stores it: "T|b|m|n|per|B" (ms a token, bucket, cap; then the rate as
/// asked: n per ms, burst).
fn parse_limit(v: &str) -> Limit {
    let f: Vec<Option<u64>> = v.split('|').map(|x| x.parse().ok()).collect();
    let at = |i: usize| f.get(i).copied().flatten();
    Limit {
        kind: None,
        group: None,
        each_group: false,
        rate: at(3),
        per_ms: at(4),
        burst: at(5),
        max_in_flight: at(2),
        in_flight: None,
    }
}

/// A group's key as stored, back to its text.
fn group_text(stored: &str) -> String {
    serde_json::from_str(&format!("\"{stored}\"")).unwrap_or_else(|_| stored.to_string())
}

impl Queue {
    /// Runs a control of groups on `shard` and wakes the consumers that wait on another
    /// shard's list (the script wakes its own shard's).
    fn group_ctl(&mut self, shard: usize, args: &[String], what: &str) -> Result<redis::Value> {
        let reply = self.invoke(shard, &GROUP_CTL, args, what)?;
        self.wake_others(shard, WAKE_CAP)?;
        Ok(reply)
    }

    /// The shards a control of `group` goes to: its own, or every shard for the default of
    /// every group (None).
    fn ctl_shards(&self, group: Option<&str>) -> Vec<usize> {
        match group {
            Some(g) => vec![self.group_home(g)],
            None => (0..self.shards.len()).collect(),
        }
    }

    /// Sets the limit of `group` (None: the default of every group without one of its own),
    /// keeping what `change` leaves out. Returns the limit after it.
    pub fn set_group_limit(&mut self, group: Option<&str>, change: &LimitChange) -> Result<Limit> {
        self.pin()?;
        let (kind, key) = match group {
            Some(g) => ("group", stored_key(g)),
            None => ("each", String::new()),
        };
        let rate = match change.rate {
            Some(r) => {
                let burst = change.burst.unwrap_or(r.n).max(1);
                let per_ms = r.per.as_millis().max(1) as u64;
                vec![
                    format!("{}", per_ms as f64 / r.n as f64),
                    burst.to_string(),
                    r.n.to_string(),
                    per_ms.to_string(),
                    burst.to_string(),
                ]
            }
            None => vec![String::new(); 5],
        };
        let cap = change
            .max_in_flight
            .map(|m| m.to_string())
            .unwrap_or_default();
        let args = vec![
            "limit".to_string(),
            kind.to_string(),
            key,
            rate[0].clone(),
            rate[1].clone(),
            cap,
            rate[2].clone(),
            rate[3].clone(),
            rate[4].clone(),
        ];
        for shard in self.ctl_shards(group) {
            self.group_ctl(shard, &args, "setting a limit of groups")?;
        }
        let all = self.group_limits()?;
        all.into_iter()
            .find(|l| l.group.as_deref() == group && (group.is_some() || l.each_group))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the limit of groups of queue '{}' was set but is not there now (removed \
                     meanwhile?)",
                    self.name
                )
            })
    }

    /// Removes the limit of `group` (None: the default of every group). False when there was
    /// none.
    pub fn remove_group_limit(&mut self, group: Option<&str>) -> Result<bool> {
        let (kind, key) = match group {
            Some(g) => ("group", stored_key(g)),
            None => ("each", String::new()),
        };
        let args = vec!["unlimit".to_string(), kind.to_string(), key];
        let mut removed = false;
        for shard in self.ctl_shards(group) {
            let r = self.group_ctl(shard, &args, "removing a limit of groups")?;
            removed |= int(Some(&r))? == 1;
        }
        Ok(removed)
    }

    /// The limits of groups: the default of every group first, then each group's own by key,
    /// with the tasks of each group in flight now (counted while groups have limits).
    pub fn group_limits(&mut self) -> Result<Vec<Limit>> {
        let mut out = Vec::new();
        for shard in 0..self.shards.len() {
            let keys = &self.shards[shard];
            let (controls, held) = (keys.controls().to_string(), keys.held().to_string());
            let gstate = keys.group_keys()[2].clone();
            let each: Option<String> = redis::cmd("HGET")
                .arg(&controls)
                .arg("glimit")
                .query(&mut self.conn)
                .map_err(|e| self.explain(shard, e, "HGET"))
                .with_context(|| {
                    format!("reading the limits of groups of queue '{}'", self.name)
                })?;
            // The default of every group is set on every shard alike: shown once.
            if let Some(v) = each.filter(|_| !out.iter().any(|l: &Limit| l.each_group)) {
                out.push(Limit {
                    each_group: true,
                    ..parse_limit(&v)
                });
            }
            let mut own: Vec<(String, Limit)> = Vec::new();
            let mut cursor = 0u64;
            loop {
                let (next, fields): (u64, Vec<String>) = redis::cmd("HSCAN")
                    .arg(&gstate)
                    .arg(cursor)
                    .arg("MATCH")
                    .arg("l:*")
                    .arg("COUNT")
                    .arg(1000)
                    .query(&mut self.conn)
                    .map_err(|e| self.explain(shard, e, "HSCAN"))
                    .with_context(|| {
                        format!("reading the limits of groups of queue '{}'", self.name)
                    })?;
                for pair in fields.chunks(2) {
                    if let (Some(k), Some(v)) = (pair[0].strip_prefix("l:"), pair.get(1)) {
                        own.push((k.to_string(), parse_limit(v)));
                    }
                }
                cursor = next;
                if cursor == 0 {
                    break;
                }
            }
            own.sort_by(|a, b| a.0.cmp(&b.0));
            own.dedup_by(|a, b| a.0 == b.0);
            for chunk in own.chunks(1000) {
                let mut c = redis::cmd("HMGET");
                c.arg(&held);
                for (k, _) in chunk {
                    c.arg(format!("\t{k}"));
                }
                let counts: Vec<Option<String>> = c
                    .query(&mut self.conn)
                    .map_err(|e| self.explain(shard, e, "HMGET"))?;
                for ((k, l), n) in chunk.iter().zip(counts) {
                    let busy = n
                        .as_deref()
                        .map(|n| n.trim_end_matches('p').parse().unwrap_or(0))
                        .unwrap_or(0);
                    out.push(Limit {
                        group: Some(group_text(k)),
                        in_flight: l.max_in_flight.map(|_| busy),
                        ..l.clone()
                    });
                }
            }
        }
        Ok(out)
    }

    /// Pauses `group` until resumed or, with `for_`, for that long by the server's clock: its
    /// tasks wait, other groups' go on. Returns when it ends (None: until resumed).
    pub fn pause_group(
        &mut self,
        group: &str,
        for_: Option<std::time::Duration>,
    ) -> Result<Option<DateTime<Utc>>> {
        self.pin()?;
        let ms = for_.map_or(0, |d| d.as_millis().max(1) as u64);
        let args = vec![
            "pause".to_string(),
            "group".to_string(),
            stored_key(group),
            ms.to_string(),
        ];
        let shard = self.group_home(group);
        let until = int(Some(&self.group_ctl(shard, &args, "pausing a group")?))?;
        Ok((until > 0).then(|| ms_to_time(until)))
    }

    /// Lets `group`'s tasks go on; false when it was not paused.
    pub fn resume_group(&mut self, group: &str) -> Result<bool> {
        let args = vec!["resume".to_string(), "group".to_string(), stored_key(group)];
        let shard = self.group_home(group);
        let r = self.group_ctl(shard, &args, "resuming a group")?;
        Ok(int(Some(&r))? == 1)
    }
}
