//! Every Redis key name rpq uses, as one table. All keys of one queue shard share one hash tag
//! (`rpq:{NAME}:...`), so each script touches a single cluster slot and an ACL pattern of
//! `~rpq:*` covers them. Nothing outside this module spells a key: the scripts receive them
//! as KEYS in table order (`lua/common.lua` names them, and a test holds the two together),
//! the wrong-type diagnosis reads their types here, and the tests name keys through `Keys`.

/// One key of a queue shard: its place in the scripts' KEYS, its suffix and its Redis type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    /// The local name `lua/common.lua` gives `KEYS[n]` (n = the index in `LAYOUT` + 1).
    pub lua: &'static str,
    pub suffix: &'static str,
    /// What `TYPE` answers for the key once it exists.
    pub kind: &'static str,
    pub holds: &'static str,
}

/// The keys of one shard, in the order every script receives them.
pub const LAYOUT: [KeyDef; 25] = [
    KeyDef {
        lua: "K_PENDING",
        suffix: "pending",
        kind: "zset",
        holds: "id -> pending score (priority, then arrival)",
    },
    KeyDef {
        lua: "K_INFLIGHT",
        suffix: "inflight",
        kind: "zset",
        holds: "the claim of each task in flight (id, then its token) -> lease deadline ms",
    },
    KeyDef {
        lua: "K_TASKS",
        suffix: "tasks",
        kind: "hash",
        holds:
            "id -> record: place in line, head (attempts|error length|error) once taken back, body",
    },
    KeyDef {
        lua: "K_TAKEN",
        suffix: "taken",
        kind: "hash",
        holds: "claims ended by lease recovery or cancel -> ms; delivering marks",
    },
    KeyDef {
        lua: "K_STATE",
        suffix: "state",
        kind: "hash",
        holds: "nothing since layout 4 (step 3b: the record's head holds attempts and error)",
    },
    KeyDef {
        lua: "K_DELAYED",
        suffix: "delayed",
        kind: "zset",
        holds: "id -> retry at ms",
    },
    KeyDef {
        lua: "K_STATS",
        suffix: "stats",
        kind: "hash",
        holds: "counters, the arrival sequence, the last-minute ring, checks",
    },
    KeyDef {
        lua: "K_WAKE",
        suffix: "wake",
        kind: "list",
        holds: "markers that unblock idle consumers",
    },
    KeyDef {
        lua: "K_CONSUMERS",
        suffix: "consumers",
        kind: "hash",
        holds: "consumer name -> last seen ms|tasks done",
    },
    KeyDef {
        lua: "K_SCHEDULED",
        suffix: "scheduled",
        kind: "zset",
        holds: "id -> due at ms, for tasks not yet due",
    },
    KeyDef {
        lua: "K_RECEIPTS",
        suffix: "receipts",
        kind: "hash",
        holds: "nothing since layout 3's step 4 (its place goes with step 5's key order)",
    },
    // The keys the fast claim (claim_fast.lua) does not name come after the first FAST_KEYS:
    // a call pays for each key it is given (about 1,000 server instructions), used or not.
    KeyDef {
        lua: "K_DEAD",
        suffix: "dead",
        kind: "zset",
        holds: "id -> died at ms",
    },
    KeyDef {
        lua: "K_DEADINFO",
        suffix: "dead:info",
        kind: "hash",
        holds: "nothing since layout 4 (step 3b: a dead task's reason is in its record's head)",
    },
    KeyDef {
        lua: "K_EXPIRES",
        suffix: "expires",
        kind: "zset",
        holds: "id -> expiry deadline ms, for tasks pushed with a ttl",
    },
    KeyDef {
        lua: "K_SCHEDULES",
        suffix: "schedules",
        kind: "hash",
        holds: "schedule name -> last fired ms|definition JSON",
    },
    // Controls (issue 13: pause, rate limits, in-flight caps): after the core keys, sent only
    // to a queue that has some. A waiting task whose type (or group) is at its limit may wait
    // in `limited` instead of `pending`, in its line (controls.lua says how: four keys for
    // any number of limited types).
    KeyDef {
        lua: "K_CONTROLS",
        suffix: "controls",
        kind: "hash",
        holds: "pauses, limits and their state (tokens, tasks in flight)",
    },
    KeyDef {
        lua: "K_HELD",
        suffix: "held",
        kind: "hash",
        holds: "id -> the in-flight caps a task in flight counts against",
    },
    KeyDef {
        lua: "K_LIMITED",
        suffix: "limited",
        kind: "zset",
        holds: "id -> pending score, waiting tasks held back by their type's (or group's) limit",
    },
    KeyDef {
        lua: "K_LINES",
        suffix: "lines",
        kind: "zset",
        holds: "\"line\\tpending score\\tid\" (all scores 0) for each task of limited, by line",
    },
    KeyDef {
        lua: "K_LHEADS",
        suffix: "lheads",
        kind: "zset",
        holds: "priority digit and line -> the pending score of its head, lines that may go",
    },
    KeyDef {
        lua: "K_LPARKED",
        suffix: "lparked",
        kind: "zset",
        holds: "line -> when a claim looks at it again (ms), lines at their limit",
    },
    // Flows (issue 24: tasks that wait for other tasks), after the keys of controls: sent to
    // the scripts that are given every key; push and the claims of a queue without flows never
    // name them (docs/flows.md).
    KeyDef {
        lua: "K_BLOCKED",
        suffix: "blocked",
        kind: "zset",
        holds: "id -> the pending score it waits at once its parents are done",
    },
    KeyDef {
        lua: "K_WAITS",
        suffix: "waits",
        kind: "hash",
        holds: "child\\tparent -> 1 for each parent a blocked task waits for; child -> how many",
    },
    KeyDef {
        lua: "K_KIDS",
        suffix: "kids",
        kind: "hash",
        holds: "parent id -> its blocked children, tab-joined",
    },
    KeyDef {
        lua: "K_FINISHED_AT",
        suffix: "finished",
        kind: "zset",
        holds: "id -> finished ms, tasks done on a shard with flows, for the window",
    },
];

/// Where the keys of flows begin in `LAYOUT` (issue 24): the keys of controls end there.
pub const FLOW_KEYS: usize = 21;

/// A key's place in `LAYOUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Key {
    Pending,
    Inflight,
    Tasks,
    Taken,
    State,
    Delayed,
    Stats,
    Wake,
    Consumers,
    Scheduled,
    Receipts,
    Dead,
    DeadInfo,
    Expires,
    Schedules,
    Controls,
    Held,
    /// The waiting tasks held back by a limit (issue 23: any number of limited types).
    Limited,
    Lines,
    LHeads,
    LParked,
    /// Flows (issue 24), after the keys of controls.
    Blocked = FLOW_KEYS,
    Waits,
    Kids,
    Finished,
}

/// The first rows of `LAYOUT`, all that a push needs, and a claim while its queue has no
/// controls (issue 13): every script call pays for each key it is given (about 800 server
/// instructions a key), so the keys of controls are sent only once a claim said the queue has
/// some; a claim sent without them to a queue that has some refuses before it changes anything.
pub const CORE_KEYS: usize = 15;

/// The first rows of `LAYOUT` that the fast claim (claim_fast.lua) is given: what its common
/// case and its end when nothing waits (`idle`) name. A test holds the script to them.
pub const FAST_KEYS: usize = 10;

/// The keys the lean claim (claim_lean.lua, layout 3's step 5) is always given, in its order
/// (lean.lua names them): a plain shard's claim and acks need no other, and each key a call is
/// given costs the server about 1,000 instructions, used or not. It is given `consumers` after
/// them when it writes the consumer's entry, and `taken` last when delivering marks go with its
/// acks. (A task's attempts are in its record's head since layout 4: no `state`.)
pub const LEAN_KEYS: [Key; 4] = [Key::Pending, Key::Inflight, Key::Tasks, Key::Stats];

/// The stored layout this rpq reads and writes (docs/layout-v2.md): the field `layout` of a
/// queue's `meta` says which one the queue has, and `Queue::open` refuses any other. Layout 4
/// is layout 3's keys with the record's head (step 3b: attempts and error in the record, no
/// `state` nor `dead:info`), a value an rpq of layout 3 would misread (it would hand the head
/// to a handler as the body), so it has a number of its own.
pub const LAYOUT_VERSION: u32 = 4;

/// Between a shard's hash tag and the suffix of each key of `LAYOUT`: the keys of one layout
/// are never keys of another, so an rpq of another layout sees an empty queue, never half of
/// one. `meta`, `wake:all`, the kept results and `kept` are the same in every layout and have
/// none. Layout 4 keeps layout 3's keys (its values changed, not its names).
pub const LAYOUT_DIR: &str = "3:";

/// The field of `meta` that holds the queue's `LAYOUT_VERSION`; a `meta` without it is of
/// layout 1.
pub const LAYOUT_FIELD: &str = "layout";

/// What a shard's stats field `checks` holds once the shard left this layout for `version`:
/// written, with `meta`'s `layout`, by whatever moves a queue of this layout to another (as the
/// migration from layout 2 writes it on layout 2's shards), so that the scripts of an rpq of this layout still
/// running refuse the shard before they write (common.lua: checks_read). A `checks` of this
/// layout begins with a digit.
pub fn retired_checks(version: u32) -> String {
    format!("layout {version}")
}

/// The field `LAYOUT_FIELD` of each shard's stats hash, written by the push that makes the
/// hash (push.lua, `LAYOUT_NOTE` of common.lua): what an operator reading the hash should
/// know, and longer than 64 bytes on purpose (docs/layout-v2.md, design point 8: a value
/// longer than hash-max-listpack-value makes the hash a hash table from its creation, which
/// the HINCRBY and HGET of every claim then find at once instead of scanning a packed list).
pub const LAYOUT_NOTE: &str =
    "4: the stored layout of this shard (rpq, docs/layout-v2.md); rpq migrate moves older ones";

/// The suffixes of `Keys::group_keys`, in the order groups.lua takes them.
pub const GROUP_SUFFIXES: [&str; 5] = ["gpending", "groups", "gstate", "gparked", "gtat"];
/// How many of them the fast claim of a shard with groups is given (group_turns.lua): the
/// parked groups and the buckets are for limits, which claim.lua sees to.
pub const FAST_GROUP_KEYS: usize = 3;

/// Keys of a queue outside the per-shard layout: not passed to scripts, always on shard 0's tag.
pub const META_SUFFIX: &str = "meta";

/// Between a queue's name and a shard's number in a hash tag. `check_queue_name` refuses it, so
/// `{a#1}` (shard 1 of `a`) can be no queue's own tag and the mapping from (queue, shard) to keys
/// is one to one. (It was `.`, which made shard 1 of `a` the same keys as a queue named `a.1`.)
pub const SHARD_SEP: char = '#';

/// The field of `meta` that says which shard tags the queue uses (`SHARD_SEP`); a queue sharded
/// before it existed has none, and its shards past the first are under `{NAME.N}`.
pub const TAGS_FIELD: &str = "tags";
pub const WAKE_ALL_SUFFIX: &str = "wake:all";
/// What each consumer says of itself (issue 28: host, pid, handler, counts), by name.
pub const WORKERS_SUFFIX: &str = "workers";
/// What the consumers ran, by type: totals and histograms of time waited and run (issue 28).
pub const USAGE_SUFFIX: &str = "usage";

/// Before the task id in the key of a kept result (`Keys::result`); no suffix of `LAYOUT` starts
/// with it.
pub const RESULT_PREFIX: &str = "result:";

/// Before the task id in the key of a task's control hash (`Keys::ctl`, issue 25); no suffix of
/// `LAYOUT` starts with it.
pub const CTL_PREFIX: &str = "ctl:";

/// The zset of the kept results' times (`Keys::kept`); no suffix of `LAYOUT` is it, and no
/// result key (they all start with `RESULT_PREFIX`).
pub const KEPT_SUFFIX: &str = "kept";

/// The keys of one shard, in the order every script receives them (`LAYOUT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    all: Vec<String>,
    tag: String,
}

impl Keys {
    /// The keys of shard `index` of queue `name`. Shard 0 is the plain queue, so a queue that
    /// never had shards and shard 0 of a sharded one are the same keys.
    pub fn new(name: &str, index: usize) -> Keys {
        let tag = tag(name, index);
        Keys {
            all: LAYOUT
                .iter()
                .map(|d| key(&tag, &format!("{LAYOUT_DIR}{}", d.suffix)))
                .collect(),
            tag,
        }
    }

    /// The kept result of task `id` of this shard (the worker runtime, issue 11): a list of one
    /// element (common.lua's keep_record), in the shard's hash tag so the scripts that finish
    /// the task can take it as one more KEY. Outside `LAYOUT`: one key per task, and only for
    /// tasks whose producer asked for their result.
    pub fn result(&self, id: &str) -> String {
        key(&self.tag, &format!("{RESULT_PREFIX}{id}"))
    }

    /// The control hash of task `id` of this shard (handlers that talk back, issue 25: progress,
    /// log, checkpoints, once-keys, staged children; `lua/ctl_op.lua` says its fields), in the
    /// shard's hash tag so the ctl scripts take it as one more KEY. Outside `LAYOUT`: one key per
    /// task, and only for tasks whose handlers called `rpq ctl`.
    pub fn ctl(&self, id: &str) -> String {
        key(&self.tag, &format!("{CTL_PREFIX}{id}"))
    }

    /// id -> until ms of each kept result of this shard (issue 19): the results have no TTL,
    /// which a volatile-* policy would evict, and go by this time instead. Outside `LAYOUT`, so
    /// a queue that keeps no result never touches it: only the scripts that meet a result key
    /// are given it, after the result keys.
    pub fn kept(&self) -> String {
        key(&self.tag, KEPT_SUFFIX)
    }

    /// The capped stream of this shard's lifecycle events (issue 26), in its hash tag: shard
    /// 0's is the queue's `events`. Given after every other key to the scripts that write
    /// events, while they are on (lua/events.lua).
    pub fn events(&self) -> String {
        key(&self.tag, EVENTS_SUFFIX)
    }

    /// The keys of groups (issue 23, lua/groups.lua): the index of waiting tasks by group
    /// (`gpending`), the groups with work by turn (`groups`), their state (`gstate`), the groups
    /// at a limit or paused (`gparked`) and their rates' buckets (`gtat`). Outside
    /// `LAYOUT`: only the push and claim of a shard with groups are given them, after the
    /// layout's keys, so a queue without groups never pays for them.
    pub fn group_keys(&self) -> [String; 5] {
        GROUP_SUFFIXES.map(|s| key(&self.tag, &format!("{LAYOUT_DIR}{s}")))
    }

    /// All keys, in script order.
    pub fn all(&self) -> &[String] {
        &self.all
    }

    /// Each key with its definition, in script order.
    pub fn with_defs(&self) -> impl Iterator<Item = (&str, &'static KeyDef)> {
        self.all.iter().map(String::as_str).zip(LAYOUT.iter())
    }

    pub fn get(&self, k: Key) -> &str {
        &self.all[k as usize]
    }

    pub fn pending(&self) -> &str {
        self.get(Key::Pending)
    }
    pub fn inflight(&self) -> &str {
        self.get(Key::Inflight)
    }
    pub fn tasks(&self) -> &str {
        self.get(Key::Tasks)
    }
    pub fn taken(&self) -> &str {
        self.get(Key::Taken)
    }
    pub fn state(&self) -> &str {
        self.get(Key::State)
    }
    pub fn delayed(&self) -> &str {
        self.get(Key::Delayed)
    }
    pub fn dead(&self) -> &str {
        self.get(Key::Dead)
    }
    pub fn dead_info(&self) -> &str {
        self.get(Key::DeadInfo)
    }
    pub fn stats(&self) -> &str {
        self.get(Key::Stats)
    }
    pub fn wake(&self) -> &str {
        self.get(Key::Wake)
    }
    pub fn consumers(&self) -> &str {
        self.get(Key::Consumers)
    }
    pub fn scheduled(&self) -> &str {
        self.get(Key::Scheduled)
    }
    pub fn expires(&self) -> &str {
        self.get(Key::Expires)
    }
    pub fn schedules(&self) -> &str {
        self.get(Key::Schedules)
    }
    pub fn receipts(&self) -> &str {
        self.get(Key::Receipts)
    }
    pub fn controls(&self) -> &str {
        self.get(Key::Controls)
    }
    pub fn held(&self) -> &str {
        self.get(Key::Held)
    }
    /// The waiting tasks held back by their type's limit, out of pending (controls.lua).
    pub fn limited(&self) -> &str {
        self.get(Key::Limited)
    }
}

fn key(tag: &str, suffix: &str) -> String {
    format!("rpq:{{{tag}}}:{suffix}")
}

/// The hash tag of a shard: the queue name, and for shards past the first `#N` after it.
pub fn tag(name: &str, index: usize) -> String {
    if index == 0 {
        name.to_string()
    } else {
        format!("{name}{SHARD_SEP}{index}")
    }
}

/// The key holding a queue's settings (its shard count), always on shard 0.
pub fn meta(name: &str) -> String {
    key(name, META_SUFFIX)
}

/// What `SCAN MATCH` looks for to find every queue of a server: one meta key per queue, on its
/// shard 0, so a sharded queue is found once (`rpq queues`).
pub const META_PATTERN: &str = "rpq:{*}:meta";

/// The queue whose meta key `key` is: the inverse of `meta`.
pub fn queue_of_meta(key: &str) -> Option<&str> {
    let name = key
        .strip_prefix("rpq:{")?
        .strip_suffix(&format!("}}:{META_SUFFIX}"))?;
    check_queue_name(name).ok().map(|_| name)
}

/// Metrics history (issue 26): a queue's points a minute and a point an hour (sorted sets by
/// time, `queue::history`), always on shard 0's tag, outside `LAYOUT`: no script touches them.
pub const HISTORY_MINUTES_SUFFIX: &str = "history:m";
pub const HISTORY_HOURS_SUFFIX: &str = "history:h";

pub fn history(name: &str, hourly: bool) -> String {
    key(
        name,
        if hourly {
            HISTORY_HOURS_SUFFIX
        } else {
            HISTORY_MINUTES_SUFFIX
        },
    )
}

/// Lifecycle events (issue 26): the queue's capped stream of events, and its webhooks (url and
/// filter by id) and their delivery state; on shard 0's tag, outside `LAYOUT`.
pub const EVENTS_SUFFIX: &str = "events";
pub const WEBHOOKS_SUFFIX: &str = "webhooks";
pub const WEBHOOK_STATE_SUFFIX: &str = "webhooks:state";

pub fn events(name: &str) -> String {
    key(name, EVENTS_SUFFIX)
}

pub fn webhooks(name: &str) -> String {
    key(name, WEBHOOKS_SUFFIX)
}

pub fn webhook_state(name: &str) -> String {
    key(name, WEBHOOK_STATE_SUFFIX)
}

/// The lock of a webhook's delivery (the `serve` that holds it is the one that sends), which
/// lives only while its holder renews it.
pub fn webhook_lock(name: &str, id: &str) -> String {
    key(name, &format!("{WEBHOOK_STATE_SUFFIX}:lock:{id}"))
}

/// The list idle consumers of a sharded queue block on besides shard 0's own wake list: a
/// push to any other shard adds a marker here too (same hash tag as shard 0, so one BLPOP can
/// wait on both, also on Redis Cluster).
pub fn wake_all(name: &str) -> String {
    key(name, WAKE_ALL_SUFFIX)
}

/// The hash of what the consumers of a queue say of themselves (`queue::usage`): outside the
/// layout, as no claim or ack script touches it.
pub fn workers(name: &str) -> String {
    key(name, WORKERS_SUFFIX)
}

/// The hash of what the consumers of a queue ran, by type (`queue::usage`).
pub fn usage(name: &str) -> String {
    key(name, USAGE_SUFFIX)
}

/// Done and failed by type in one minute (`minute` since the epoch), a hash that expires.
pub fn usage_minute(name: &str, minute: i64) -> String {
    key(name, &format!("{USAGE_SUFFIX}:{minute}"))
}

/// The shard that holds task `id` of a queue of `n` shards: a fixed hash of the id (FNV-1a), so
/// a re-pushed id lands where it already is (and is refused as a duplicate) and an ack finds its
/// task without asking anyone.
pub fn shard_of(id: &str, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % n as u64) as usize
}

/// Queue names become part of a hash tag, so braces (and anything unprintable) are refused.
pub fn check_queue_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the queue name is empty".into());
    }
    if name.len() > 200 {
        return Err("the queue name is longer than 200 bytes".into());
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.:@/+".contains(*c)))
    {
        Some(c) => Err(format!(
            "the queue name '{name}' has '{c}'; use letters, digits and - _ . : @ / +"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_note_makes_the_stats_hash_a_table() {
        // hash-max-listpack-value (hash-max-ziplist-value on 6.2) is 64 by default.
        assert!(LAYOUT_NOTE.len() > 64);
        assert!(LAYOUT_NOTE.starts_with(&format!("{LAYOUT_VERSION}:")));
        // Layout 4 is layout 3's keys with other values (the record's head).
        assert_eq!(LAYOUT_DIR, "3:");
    }

    /// lean.lua names `KEYS[n]` as `LEAN_KEYS` orders them, by common.lua's names, and the
    /// lean claim names no other key of the layout.
    #[test]
    fn the_lean_claim_names_its_keys_in_their_order() {
        let prelude = include_str!("lua/lean.lua");
        let line = prelude
            .lines()
            .find(|l| l.starts_with("local K_"))
            .expect("lean.lua names its keys");
        let (names, keys) = line
            .strip_prefix("local ")
            .and_then(|l| l.split_once(" = "))
            .expect("one line of names = KEYS");
        let names: Vec<&str> = names.split(", ").collect();
        let keys: Vec<&str> = keys.split(", ").collect();
        assert_eq!(names.len(), LEAN_KEYS.len());
        for (n, k) in LEAN_KEYS.iter().enumerate() {
            assert_eq!(names[n], LAYOUT[*k as usize].lua);
            assert_eq!(keys[n], format!("KEYS[{}]", n + 1));
        }
        let body = include_str!("lua/claim_lean.lua");
        for d in LAYOUT.iter() {
            let named = body.match_indices(d.lua).any(|(i, _)| {
                !body[i + d.lua.len()..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            });
            assert_eq!(named, names.contains(&d.lua), "{}", d.lua);
        }
    }

    /// The fast claim is given the first FAST_KEYS keys only: its source, with the helpers of
    /// common.lua it carries, names no key after them (outside the lines that name them all).
    #[test]
    fn the_fast_claim_names_only_its_keys() {
        let src = &crate::queue::script::CLAIM_FAST.src;
        let body: String = src
            .lines()
            .filter(|l| !(l.starts_with("local K_") || l.starts_with("--")))
            .collect::<Vec<_>>()
            .join("\n");
        let named: Vec<&str> = LAYOUT[FAST_KEYS..]
            .iter()
            .map(|d| d.lua)
            .filter(|name| {
                body.match_indices(name).any(|(i, _)| {
                    // Not a longer name that begins with it (K_DEAD in K_DEADINFO).
                    !body[i + name.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
                })
            })
            .collect();
        assert!(named.is_empty(), "claim_fast.lua names {named:?}");
    }

    /// The fast claim of a shard with groups is given the first FAST_GROUP_KEYS keys of groups:
    /// past the lines that name them all, its source names none of the others.
    #[test]
    fn the_grouped_fast_claim_names_only_its_keys_of_groups() {
        let src = &crate::queue::script::CLAIM_FAST_GROUPED.src;
        assert!(src.contains("local K_GPENDING, K_GROUPS, K_GSTATE = "));
        let names = ["K_GPARKED", "K_GTAT"];
        assert_eq!(FAST_GROUP_KEYS + names.len(), GROUP_SUFFIXES.len());
        let past: Vec<&str> = src
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .skip_while(|l| !l.starts_with("local GROUP_KEYS_END"))
            .collect();
        assert!(!past.is_empty());
        for name in names {
            assert!(
                !past.iter().any(|l| l.contains(name)),
                "the fast claim names {name}"
            );
        }
    }

    #[test]
    fn keys_share_one_hash_tag() {
        let k = Keys::new("jobs", 0);
        assert_eq!(k.pending(), "rpq:{jobs}:3:pending");
        assert_eq!(k.consumers(), "rpq:{jobs}:3:consumers");
        assert_eq!(k.dead_info(), "rpq:{jobs}:3:dead:info");
        assert!(k.all().iter().all(|key| key.starts_with("rpq:{jobs}:3:")));
        assert_eq!(meta("jobs"), "rpq:{jobs}:meta");
        assert_eq!(k.result("a"), "rpq:{jobs}:result:a");
        assert_eq!(k.all().len(), LAYOUT.len());
    }

    #[test]
    fn the_key_enum_follows_the_table() {
        let k = Keys::new("q", 0);
        for (i, key) in [
            Key::Pending,
            Key::Inflight,
            Key::Tasks,
            Key::Taken,
            Key::State,
            Key::Delayed,
            Key::Stats,
            Key::Wake,
            Key::Consumers,
            Key::Scheduled,
            Key::Receipts,
            Key::Dead,
            Key::DeadInfo,
            Key::Expires,
            Key::Schedules,
            Key::Controls,
            Key::Held,
            Key::Limited,
            Key::Lines,
            Key::LHeads,
            Key::LParked,
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(key as usize, i);
            assert!(k.get(key).ends_with(&format!(":{}", LAYOUT[i].suffix)));
        }
    }

    /// common.lua names each KEYS[n] once, in `local K_A, K_B = KEYS[1], KEYS[2]` lines; those
    /// names and their numbers must be the table's, or a script would read the wrong key.
    #[test]
    fn common_lua_names_the_keys_of_the_table() {
        let src = include_str!("lua/common.lua");
        // controls (issue 13): the keys of controls are named in controls.lua, the prelude of
        // the scripts that act on them; the header of common.lua lists them with the others.
        let names = [
            src,
            include_str!("lua/controls.lua"),
            include_str!("lua/flows.lua"),
        ]
        .concat();
        let mut named: Vec<(usize, String)> = Vec::new();
        for line in names.lines().filter(|l| l.starts_with("local K_")) {
            let (names, values) = line
                .trim_start_matches("local ")
                .split_once('=')
                .expect("an assignment");
            for (name, value) in names.split(',').zip(values.split(',')) {
                let n: usize = value
                    .trim()
                    .trim_start_matches("KEYS[")
                    .trim_end_matches(']')
                    .parse()
                    .unwrap_or_else(|_| panic!("not a KEYS[n]: {value}"));
                named.push((n, name.trim().to_string()));
            }
        }
        named.sort();
        let want: Vec<(usize, String)> = LAYOUT
            .iter()
            .enumerate()
            .map(|(i, d)| (i + 1, d.lua.to_string()))
            .collect();
        assert_eq!(named, want);
        // The header comment lists each key with its number and suffix too.
        for (i, d) in LAYOUT.iter().enumerate() {
            let entry = format!("KEYS[{}] {} {}:", i + 1, d.suffix, d.kind);
            assert!(src.contains(&entry), "common.lua's header lacks '{entry}'");
        }
    }

    /// The keys of controls end where flows' begin.
    #[test]
    fn the_keys_of_limits_end_where_flows_begin() {
        let k = Keys::new("q", 0);
        assert_eq!(k.limited(), "rpq:{q}:3:limited");
        assert_eq!(Key::LParked as usize + 1, FLOW_KEYS);
        assert_eq!(LAYOUT[FLOW_KEYS].lua, "K_BLOCKED");
    }

    /// A claim without every key refuses on a queue with controls by looking for the last
    /// one, and the core keys are those before the keys of controls.
    #[test]
    fn the_core_keys_end_where_the_keys_of_controls_begin() {
        assert_eq!(LAYOUT[CORE_KEYS - 1].lua, "K_SCHEDULES");
        const { assert!(FAST_KEYS < CORE_KEYS) };
        assert_eq!(LAYOUT[CORE_KEYS].lua, "K_CONTROLS");
        let claim = include_str!("lua/claim.lua");
        assert!(claim.contains("if ctl_flag == 1 and not ctl then"));
        let controls = include_str!("lua/controls.lua");
        assert!(controls.contains(&format!(", KEYS[{FLOW_KEYS}]\n")));
        let flows = include_str!("lua/flows.lua");
        assert!(flows.contains(&format!(", KEYS[{}]\n", LAYOUT.len())));
        assert!(controls.contains("assert(K_LPARKED,"));
        // Keys after the layout's (result keys) are numbered from these in the scripts.
        let common = include_str!("lua/common.lua");
        assert!(common.contains(&format!("\nlocal CORE_KEYS = {CORE_KEYS}\n")));
        assert!(controls.contains(&format!("\nlocal LAYOUT_KEYS = {}\n", LAYOUT.len())));
    }

    #[test]
    fn result_keys_are_in_the_shard_tag_and_apart_from_the_layout() {
        let k = Keys::new("jobs", 2);
        assert_eq!(k.result("a:b"), "rpq:{jobs#2}:result:a:b");
        assert!(LAYOUT.iter().all(|d| !d.suffix.starts_with(RESULT_PREFIX)));
        assert!(LAYOUT.iter().all(|d| d.suffix != KEPT_SUFFIX));
        assert!(!KEPT_SUFFIX.starts_with(RESULT_PREFIX));
        assert_eq!(k.kept(), "rpq:{jobs#2}:kept");
        assert_eq!(Keys::new("jobs", 0).result("x"), "rpq:{jobs}:result:x");
    }

    #[test]
    fn control_keys_are_in_the_shard_tag_and_apart_from_the_layout() {
        let k = Keys::new("jobs", 2);
        assert_eq!(k.ctl("a:b"), "rpq:{jobs#2}:ctl:a:b");
        assert!(LAYOUT.iter().all(|d| !d.suffix.starts_with(CTL_PREFIX)));
        assert!(!CTL_PREFIX.starts_with(RESULT_PREFIX) && !KEPT_SUFFIX.starts_with(CTL_PREFIX));
    }

    #[test]
    fn shards_get_their_own_tag() {
        assert_eq!(Keys::new("jobs", 2).tasks(), "rpq:{jobs#2}:3:tasks");
        assert_eq!(Keys::new("jobs", 0).tasks(), "rpq:{jobs}:3:tasks");
        assert_eq!(meta("jobs"), "rpq:{jobs}:meta");
    }

    /// Every name `check_queue_name` accepts, up to three characters from an alphabet that holds
    /// each accepted punctuation mark and the digits a shard number is made of, with shards 0 to
    /// 11: no two (queue, shard) pairs share a key. With `.` as the separator `a.1` and shard 1
    /// of `a` collided.
    #[test]
    fn no_two_queue_shards_share_a_key() {
        let accepted: Vec<char> = (0u8..=127)
            .map(char::from)
            .filter(|c| check_queue_name(&c.to_string()).is_ok())
            .collect();
        assert_eq!(accepted.len(), 26 + 26 + 10 + 7, "{accepted:?}");
        assert!(check_queue_name(&SHARD_SEP.to_string()).is_err());
        let mut names: Vec<String> = accepted.iter().map(|c| c.to_string()).collect();
        let small: Vec<char> = "a1.-_:@/+0".chars().collect();
        for a in &accepted {
            for b in &accepted {
                names.push(format!("{a}{b}"));
            }
        }
        for a in &small {
            for b in &small {
                for c in &small {
                    names.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut seen: std::collections::HashMap<String, (String, usize)> = Default::default();
        for name in &names {
            assert!(check_queue_name(name).is_ok(), "{name}");
            for shard in 0..12 {
                let k = Keys::new(name, shard);
                let mut keys = k.all().to_vec();
                // A result key of an id that looks like a suffix of the layout.
                keys.push(k.result("pending"));
                keys.push(k.result(KEPT_SUFFIX));
                keys.push(k.kept());
                if shard == 0 {
                    keys.extend([
                        meta(name),
                        wake_all(name),
                        history(name, false),
                        history(name, true),
                        events(name),
                        webhooks(name),
                        webhook_state(name),
                    ]);
                }
                for key in &keys {
                    if let Some(other) = seen.insert(key.clone(), (name.clone(), shard)) {
                        assert_eq!(
                            other,
                            (name.clone(), shard),
                            "{key}: shard {} of '{}' and shard {shard} of '{name}'",
                            other.1,
                            other.0
                        );
                    }
                }
            }
        }
    }

    /// group_turns.lua finds the keys of groups after the fast claim's, the core ones or every
    /// key: a layout that grows must move its default with it.
    #[test]
    fn groups_lua_knows_where_every_key_ends() {
        let src = include_str!("lua/group_turns.lua");
        assert!(src.contains(&format!("local G_BASE = {}\n", LAYOUT.len())));
        assert!(src.contains(&format!("if G_BASE ~= {FAST_KEYS} then\n")));
        for base in [FAST_KEYS, CORE_KEYS] {
            assert!(src.contains(&format!(
                "string.find(KEYS[{}] or '', 'gpending', -8, true) then\n  G_BASE = {base}\n",
                base + 1
            )));
        }
    }

    #[test]
    fn a_meta_key_names_its_queue() {
        for name in ["default", "emails-eu.v2", "a.1", "x:y@z/+_"] {
            assert_eq!(queue_of_meta(&meta(name)), Some(name));
        }
        assert_eq!(queue_of_meta("rpq:{jobs}:pending"), None);
        assert_eq!(queue_of_meta("rpq:{a}b}:meta"), None);
        assert_eq!(queue_of_meta("other:{jobs}:meta"), None);
    }

    #[test]
    fn ids_spread_over_shards_and_stay_put() {
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("task-7", 6), shard_of("task-7", 6));
        let mut seen = [0u32; 6];
        for i in 0..6000 {
            seen[shard_of(&format!("t{i}"), 6)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
        assert_eq!(wake_all("jobs"), "rpq:{jobs}:wake:all");
    }

    #[test]
    fn queue_names_cannot_break_the_tag() {
        assert!(check_queue_name("emails-eu.v2").is_ok());
        assert!(check_queue_name("a}b").is_err());
        assert!(check_queue_name("a{b").is_err());
        assert!(check_queue_name("").is_err());
        assert!(check_queue_name("has space").is_err());
    }
}
