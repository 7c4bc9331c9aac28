//! `rpq migrate` (issue 22): moves a queue from stored layout 1 or 2 to this rpq's layout (3;
//! written for layout 1 to 2, and layout 3 still keeps layout 2's values until its records are
//! built: docs/layout-v2.md, "Layout 3: the work list", so the same steps move layout 2, given
//! its keys in layout 1's places), shard by shard and task by task, while producers and
//! consumers of the new layout may already run (docs/layout-v2.md,
//! "Migration"). Each step is one script of `lua/migrate_*.lua` on one shard, given the keys of
//! both layouts (one hash tag): a task is in exactly one layout at every instant, and the
//! layout-1 keys are the cursor, so a rerun after a crash at any point goes on from where the
//! last step ended. This module owns the order of the steps and the waiting for leases of
//! layout 1; it prints nothing (the caller gets each step as a `Progress`).
//!
//! It opens no `Queue`: a queue of layout 1 is exactly what `Queue::open` refuses.

use super::keys;
use super::script::{self, Lua};
use super::types::State;
use crate::conn::{self, Conn};
use anyhow::{bail, Context, Result};
use redis::Value;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// The layout this rpq reads and writes, and the ones `migrate` moves queues from.
pub const LAYOUT: u32 = keys::LAYOUT_VERSION;
pub const FROM_LAYOUT: u32 = 1;
pub const FROM_LAYOUT_2: u32 = 2;
/// The layout whose keys (`keys::LAYOUT_DIR`) the moves from layouts 1 and 2 write, and that a
/// later layout of the same keys takes in place (`fold`): layout 4, its records with the head
/// (docs/layout-v2.md, "From layout 3 to layout 4"). A queue is folded when the target layout
/// (`Options::to`, this rpq's unless given) is above it.
pub const FOLD_FROM: u32 = 3;
/// The stats field the target layout's scripts read their checks from. While it is `checks`,
/// the finish of a fold gives layout 3's checks back there ("check now"), and a layout-3
/// process still running is no longer refused from then; a target that reads them from a field
/// of its own keeps `checks` as the mark wrote it, so layout 3's scripts refuse the shard for
/// good, and its own field says `layout 3` until the finish, so its scripts refuse the shard
/// with the line that names `rpq migrate` meanwhile (docs/layout-v2.md, "From layout 3 to
/// layout 4").
pub const TARGET_CHECKS: &str = "checks";

/// Whether this rpq's scripts read layout 2's records (docs/layout-v2.md, "What is in place");
/// until they do, migrate writes layout 1's values under layout 2's key names, which is what
/// they read. The one switch: migrate.lua and the tests follow it.
pub const RECORDS: bool = false;

/// Whether migrate writes each task's record with its place and head (stored layout 4,
/// docs/layout-v2.md, "The record's head"), where `state` and `dead:info` were: the part of
/// `RECORDS` that this rpq reads (its checks are still layout 2's). The one switch for
/// migrate_move.lua, migrate.lua's `put_v2` and the tests.
pub const HEADS: bool = true;

/// The suffixes of a shard's layout-1 keys, in the order of layout 1's common.lua (KEYS[1..26]
/// of the migrate scripts).
pub const V1_SUFFIXES: [&str; 26] = [
    "pending",
    "inflight",
    "tasks",
    "claims",
    "state",
    "delayed",
    "dead",
    "dead:info",
    "stats",
    "wake",
    "seq",
    "consumers",
    "scheduled",
    "expires",
    "schedules",
    "receipts",
    "controls",
    "held",
    "limited:1",
    "limited:2",
    "limited:3",
    "limited:4",
    "limited:5",
    "limited:6",
    "limited:7",
    "limited:8",
];

/// Layout 2's keys as the migrate scripts take the older layout's (KEYS[1..26], in layout 1's
/// order): layout 2 keeps layout 1's values (docs/layout-v2.md, "What is in place") under `2:`,
/// with `seq` a field of `stats` (the key `2:seq` never exists) and, for an rpq of layout 2
/// before any number of types could be limited, the lines `limited:1` .. `limited:8`.
pub const V2_OLD_SUFFIXES: [&str; 26] = [
    "2:pending",
    "2:inflight",
    "2:tasks",
    "2:claims",
    "2:state",
    "2:delayed",
    "2:dead",
    "2:dead:info",
    "2:stats",
    "2:wake",
    "2:seq",
    "2:consumers",
    "2:scheduled",
    "2:expires",
    "2:schedules",
    "2:receipts",
    "2:controls",
    "2:held",
    "2:limited:1",
    "2:limited:2",
    "2:limited:3",
    "2:limited:4",
    "2:limited:5",
    "2:limited:6",
    "2:limited:7",
    "2:limited:8",
];

/// Layout 2's keys of limited types as its rpq of issue 23 keeps them (KEYS[51..54], from
/// layout 2 only): the waiting tasks held back by a limit, and their indexes, which the move
/// leaves behind (the tasks go back to pending, where the next claim holds them back again).
pub const V2_LIMITED_SUFFIXES: [&str; 4] = ["2:limited", "2:lines", "2:lheads", "2:lparked"];

/// Layout 2's keys of groups and flows (KEYS[55..63], from layout 2 only), and layout 3's
/// (KEYS[64..72]): moved by the finish of a shard (lua/migrate_flows.lua), once layout 2 holds
/// no task in any set and no lease, so that a group's tasks in flight are counted where their
/// leases are until they end.
pub const V2_GROUP_FLOW: [&str; 9] = [
    "2:gpending",
    "2:groups",
    "2:gstate",
    "2:gparked",
    "2:gtat",
    "2:blocked",
    "2:waits",
    "2:kids",
    "2:finished",
];
pub const NEW_GROUP_FLOW: [&str; 9] = [
    "3:gpending",
    "3:groups",
    "3:gstate",
    "3:gparked",
    "3:gtat",
    "3:blocked",
    "3:waits",
    "3:kids",
    "3:finished",
];

/// The suffixes of a shard's keys of this rpq's layout (`keys::LAYOUT_DIR`), in the order of
/// docs/layout-v2.md's table (KEYS[27..48] of the migrate scripts).
pub const NEW_SUFFIXES: [&str; 22] = [
    "3:pending",
    "3:inflight",
    "3:tasks",
    "3:stats",
    "3:consumers",
    "3:taken",
    "3:wake",
    "3:delayed",
    "3:scheduled",
    "3:expires",
    "3:dead",
    "3:schedules",
    "3:controls",
    "3:held",
    "3:limited:1",
    "3:limited:2",
    "3:limited:3",
    "3:limited:4",
    "3:limited:5",
    "3:limited:6",
    "3:limited:7",
    "3:limited:8",
];

/// This layout's keys that hold layout 1's values until `RECORDS` (KEYS[49..50]).
pub const NEW_UNTIL_RECORDS: [&str; 2] = ["3:state", "3:dead:info"];

/// The sets of the older layout that hold tasks out of flight, in the order they are moved
/// (waiting first, in line), and the state each one's tasks are in; `limited` (layout 2's,
/// KEYS[51]) only from layout 2.
const SETS: [(&str, State); 13] = [
    ("limited", State::Waiting),
    ("pending", State::Waiting),
    ("limited:1", State::Waiting),
    ("limited:2", State::Waiting),
    ("limited:3", State::Waiting),
    ("limited:4", State::Waiting),
    ("limited:5", State::Waiting),
    ("limited:6", State::Waiting),
    ("limited:7", State::Waiting),
    ("limited:8", State::Waiting),
    ("scheduled", State::Scheduled),
    ("delayed", State::Retrying),
    ("dead", State::Dead),
];

/// Tasks a step moves at most: a step is one script, which blocks the server while it runs
/// (1,000 tasks: a few milliseconds).
pub const BATCH: u64 = 1000;

/// How often it looks again while it waits for leases of layout 1 (at most: sooner when the
/// first of them ends).
const LOOK_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Say what would move, by state, and write nothing.
    pub dry_run: bool,
    /// How long to wait for leases of layout 1 at most (None: until they end).
    pub wait: Option<Duration>,
    /// Tasks a step moves at most (`BATCH`; smaller in tests).
    pub batch: u64,
    /// The layout to move to (0: this rpq's, `LAYOUT`); above `FOLD_FROM`, a queue of that
    /// layout is folded in place.
    pub to: u32,
    /// The stats field the target's scripts read their checks from ("": `TARGET_CHECKS`).
    pub checks: &'static str,
}

/// One step that moved tasks of one state on one shard (or, in a dry run, would).
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub queue: String,
    pub shard: u32,
    pub state: State,
    pub moved: u64,
    /// Ids layout 2 knew already (a producer of layout 2 pushed the same id first): the task of
    /// layout 1 is dropped, the id stays queued once.
    #[serde(skip_serializing_if = "is_zero")]
    pub duplicates: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Leases of the older layout that migrate waits for on one shard.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub queue: String,
    /// The older layout they are held under.
    pub from: u32,
    pub shard: u32,
    pub in_flight: u64,
    /// When the first of them ends unless its holder extends it (ms).
    pub first_end_ms: Option<i64>,
    /// Up to ten of their ids.
    pub ids: Vec<String>,
}

/// One shard folded from layout 3 to the target in place (or, in a dry run, what would be).
#[derive(Debug, Clone, Serialize)]
pub struct Folded {
    pub queue: String,
    pub shard: u32,
    /// Entries of `state` and `dead:info` folded into their tasks' records (in a dry run: there).
    pub folded: u64,
    /// Records rewritten: a head given, or the place in line written or made right.
    pub records: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

pub enum Progress<'a> {
    Step(&'a Step),
    Folded(&'a Folded),
    /// Said when the leases waited for change, not on every look.
    Waiting(&'a Waiting),
}

/// What `migrate` did to one queue (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Migrated {
    pub queue: String,
    /// The queue's stored layout now (in a dry run: as found).
    pub layout: u32,
    pub shards: u32,
    pub moved: u64,
    pub waiting: u64,
    pub scheduled: u64,
    /// Tasks in flight under layout 1 moved once their lease ended (in a dry run: those it
    /// would wait for).
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
    pub duplicates: u64,
    /// Entries of `state` and `dead:info` folded into records (a fold from layout 3).
    #[serde(skip_serializing_if = "is_zero")]
    pub folded: u64,
    /// Records rewritten by the fold.
    #[serde(skip_serializing_if = "is_zero")]
    pub records: u64,
    /// Nothing of layout 1 was left: the queue was of layout 2 already.
    #[serde(skip)]
    pub nothing_to_do: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

impl Migrated {
    fn add(&mut self, state: State, n: u64) {
        self.moved += n;
        *match state {
            State::Waiting => &mut self.waiting,
            State::Scheduled => &mut self.scheduled,
            State::InFlight => &mut self.in_flight,
            State::Retrying => &mut self.retrying,
            State::Dead => &mut self.dead,
            // Layout 1 had no flows (issue 24): nothing is blocked there.
            State::Blocked => &mut self.waiting,
        } += n;
    }
}

fn lua(name: &'static str, body: &str) -> Lua {
    let src = [
        &format!("local RECORDS = {RECORDS}"),
        &format!("local HEADS = {HEADS}"),
        include_str!("lua/migrate.lua"),
        body,
    ]
    .join("\n");
    Lua::standalone(name, src)
}

static MARK: LazyLock<Lua> =
    LazyLock::new(|| lua("migrate_mark", include_str!("lua/migrate_mark.lua")));
static MOVE: LazyLock<Lua> =
    LazyLock::new(|| lua("migrate_move", include_str!("lua/migrate_move.lua")));
static LEASES: LazyLock<Lua> =
    LazyLock::new(|| lua("migrate_leases", include_str!("lua/migrate_leases.lua")));
static LINES: LazyLock<Lua> =
    LazyLock::new(|| lua("migrate_lines", include_str!("lua/migrate_lines.lua")));
static FOLD: LazyLock<Lua> = LazyLock::new(|| {
    Lua::standalone(
        "migrate_fold",
        include_str!("lua/migrate_fold.lua").to_string(),
    )
});
static FINISH: LazyLock<Lua> = LazyLock::new(|| {
    let body = [
        include_str!("lua/migrate_flows.lua"),
        include_str!("lua/migrate_finish.lua"),
    ]
    .join("\n");
    lua("migrate_finish", &body)
});

fn key(tag: &str, suffix: &str) -> String {
    format!("rpq:{{{tag}}}:{suffix}")
}

/// The keys of both layouts of one shard, as the migrate scripts take them: the older layout's
/// (`from`: 1 or 2), then this rpq's, then layout 2's keys of limited types when it moves from
/// layout 2.
pub fn shard_keys(name: &str, shard: u32, from: u32) -> Vec<String> {
    let tag = keys::tag(name, shard as usize);
    let (old, extra): (&[&str], &[&[&str]]) = if from == FROM_LAYOUT_2 {
        (
            &V2_OLD_SUFFIXES,
            &[&V2_LIMITED_SUFFIXES, &V2_GROUP_FLOW, &NEW_GROUP_FLOW],
        )
    } else {
        (&V1_SUFFIXES, &[])
    };
    old.iter()
        .chain(NEW_SUFFIXES.iter())
        .chain(NEW_UNTIL_RECORDS.iter())
        .chain(extra.iter().flat_map(|e| e.iter()))
        .map(|s| key(&tag, s))
        .collect()
}

/// The older layout's suffixes (KEYS[1..26] of the migrate scripts).
fn old_suffixes(from: u32) -> &'static [&'static str; 26] {
    if from == FROM_LAYOUT_2 {
        &V2_OLD_SUFFIXES
    } else {
        &V1_SUFFIXES
    }
}

/// The queues of the server that have a meta key (every queue of either layout).
pub fn queues(conn: &mut Conn) -> Result<Vec<String>> {
    let found = conn::scan(conn, keys::META_PATTERN)
        .map_err(|e| conn::refused(&e, "SCAN").unwrap_or_else(|| conn::describe(e)))
        .context("listing the queues of the server")?;
    let mut names: Vec<String> = found
        .iter()
        .filter_map(|k| keys::queue_of_meta(k).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Moves queue `name` to this rpq's layout (or, with `dry_run`, says what would move).
pub fn migrate(
    conn: &mut Conn,
    name: &str,
    opts: &Options,
    on: &mut dyn FnMut(Progress) -> Result<()>,
) -> Result<Migrated> {
    let meta: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(keys::meta(name))
        .query(conn)
        .map_err(|e| conn::refused(&e, "HGETALL").unwrap_or_else(|| conn::describe(e)))
        .with_context(|| format!("reading the settings of queue '{name}'"))?;
    if meta.is_empty() {
        bail!(
            "queue '{name}' does not exist: nothing to migrate (`rpq queues` lists the queues of \
             this server)"
        );
    }
    let target = if opts.to == 0 { LAYOUT } else { opts.to };
    let layout = match meta.get(keys::LAYOUT_FIELD).map(String::as_str) {
        None => FROM_LAYOUT,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n == FROM_LAYOUT || n == FROM_LAYOUT_2 || n == FOLD_FROM || n == target => n,
            _ if target > FOLD_FROM => bail!(
                "queue '{name}' has stored layout {v}; this rpq moves layouts {FROM_LAYOUT}, \
                 {FROM_LAYOUT_2} and {FOLD_FROM} to {target}: use an rpq that reads layout {v}"
            ),
            _ => bail!(
                "queue '{name}' has stored layout {v}; this rpq moves layouts {FROM_LAYOUT} and \
                 {FROM_LAYOUT_2} to {target}: use an rpq that reads layout {v}"
            ),
        },
    };
    let shards: u32 = meta
        .get("shards")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    if shards > 1 && meta.get(keys::TAGS_FIELD) != Some(&keys::SHARD_SEP.to_string()) {
        bail!(
            "queue '{name}' was sharded ({shards} shards) by an rpq older than layout 1's shard \
             tags, which kept shards 1 and up under rpq:{{{name}.N}}; drain it with that rpq \
             first (see \"Sharded queues\" in rpq's docs/running.md)"
        );
    }
    let mut done = Migrated {
        queue: name.to_string(),
        layout,
        shards,
        dry_run: opts.dry_run,
        ..Migrated::default()
    };
    // What is left of which older layout: a queue marked already (layout 3) goes on with the
    // layout whose keys still hold something.
    let from = if layout == FROM_LAYOUT || layout == FROM_LAYOUT_2 {
        Some(layout)
    } else if has_old(conn, name, shards, FROM_LAYOUT)? {
        Some(FROM_LAYOUT)
    } else if has_old(conn, name, shards, FROM_LAYOUT_2)? {
        Some(FROM_LAYOUT_2)
    } else if has_old_lines(conn, name, shards)? {
        Some(FROM_LAYOUT)
    } else {
        None
    };
    if let Some(from) = from {
        if opts.dry_run {
            // What the fold would do after the move depends on the move: not counted.
            return dry_run(conn, name, shards, from, done, on);
        }
        move_keys(conn, name, shards, from, target, opts, &mut done, on)?;
    }
    let mut folded = false;
    if target > FOLD_FROM {
        // A queue of layout 3 (or one just moved to it) is folded whole; one of the target's,
        // on the shards a fold was left on.
        let whole = (from.is_some() && !HEADS) || layout == FOLD_FROM;
        if opts.dry_run {
            return fold_dry_run(conn, name, shards, whole, done, on);
        }
        folded = fold(conn, name, shards, target, whole, opts, &mut done, on)?;
    }
    done.nothing_to_do = from.is_none() && !folded;
    Ok(done)
}

/// Moves the tasks of layout `from` (1 or 2) to the keys of `FOLD_FROM` (`keys::LAYOUT_DIR`),
/// shard by shard (docs/layout-v2.md, "Migration").
#[allow(clippy::too_many_arguments)]
fn move_keys(
    conn: &mut Conn,
    name: &str,
    shards: u32,
    from: u32,
    target: u32,
    opts: &Options,
    done: &mut Migrated,
    on: &mut dyn FnMut(Progress) -> Result<()>,
) -> Result<()> {
    // The layout the moved values are of. With `HEADS` they are the target's (the records
    // written with their heads), so this rpq's consumers take the queue from the mark; else
    // layout 3's, and a fold to the target follows.
    let moved_to = if HEADS { target } else { FOLD_FROM.min(target) };
    let fail = |what: &str| format!("migrating queue '{name}': {what}");
    for shard in 0..shards {
        let keys = shard_keys(name, shard, from);
        run(
            conn,
            &MARK,
            &keys,
            &[
                keys::LAYOUT_NOTE.to_string(),
                from.to_string(),
                keys::retired_checks(moved_to),
            ],
        )
        .with_context(|| fail(&format!("marking shard {shard}")))?;
    }
    // From here, rpq of this layout takes the queue: its pushes line up behind every task moved
    // (the marks set its arrival counters), and its consumers take what has moved. A queue
    // stored as a later layout already (an older rpq wrote to it after its migration) keeps it.
    if done.layout < moved_to {
        redis::cmd("HSET")
            .arg(keys::meta(name))
            .arg(keys::LAYOUT_FIELD)
            .arg(moved_to)
            .query::<()>(conn)
            .map_err(conn::describe)
            .with_context(|| fail("storing its layout"))?;
        done.layout = moved_to;
    }
    let batch = if opts.batch == 0 { BATCH } else { opts.batch };
    // Layout 2's lines of limited types as an rpq before any number of them stored them (issue
    // 23): named again and their tasks put back in line, before anything of layout 1 moves.
    for shard in 0..shards {
        let keys = shard_keys(name, shard, from);
        loop {
            let r = ints(run(conn, &LINES, &keys, &[batch.to_string()])).with_context(|| {
                fail(&format!(
                    "moving the lines of limited types of shard {shard}"
                ))
            })?;
            let (moved, left) = (r[0], r[1]);
            if moved > 0 {
                done.add(State::Waiting, moved);
                if shard > 0 {
                    wake_all(conn, name);
                }
                on(Progress::Step(&Step {
                    queue: name.to_string(),
                    shard,
                    state: State::Waiting,
                    moved,
                    duplicates: 0,
                    dry_run: false,
                }))?;
            }
            if left == 0 {
                break;
            }
        }
    }
    let started = Instant::now();
    for shard in 0..shards {
        let keys = shard_keys(name, shard, from);
        let mut said: Option<Vec<String>> = None;
        loop {
            for (set, state) in SETS {
                if set == "limited" && from != FROM_LAYOUT_2 {
                    continue;
                }
                loop {
                    let r = ints(run(
                        conn,
                        &MOVE,
                        &keys,
                        &[set.to_string(), batch.to_string()],
                    ))
                    .with_context(|| fail(&format!("moving {set} of shard {shard}")))?;
                    let (moved, dup, left) = (r[0], r[1], r[3]);
                    if moved + dup > 0 {
                        done.add(state, moved);
                        done.duplicates += dup;
                        if state == State::Waiting && shard > 0 {
                            wake_all(conn, name);
                        }
                        on(Progress::Step(&Step {
                            queue: name.to_string(),
                            shard,
                            state,
                            moved,
                            duplicates: dup,
                            dry_run: false,
                        }))?;
                    }
                    if left == 0 {
                        break;
                    }
                }
            }
            let leases = loop {
                let v = run(conn, &LEASES, &keys, &[batch.to_string()])
                    .with_context(|| fail(&format!("moving ended leases of shard {shard}")))?;
                let r = Leases::from(v)?;
                let moved = r.back + r.dead + r.done + r.cancelled;
                if moved + r.duplicates > 0 {
                    done.in_flight += moved;
                    done.moved += moved;
                    done.duplicates += r.duplicates;
                    if r.back > 0 && shard > 0 {
                        wake_all(conn, name);
                    }
                    on(Progress::Step(&Step {
                        queue: name.to_string(),
                        shard,
                        state: State::InFlight,
                        moved,
                        duplicates: r.duplicates,
                        dry_run: false,
                    }))?;
                }
                if r.expired < batch {
                    break r;
                }
            };
            if leases.left == 0 {
                let r = ints(run(conn, &FINISH, &keys, &[from.to_string()]))
                    .with_context(|| fail(&format!("finishing shard {shard}")))?;
                if r[0] == 1 {
                    break;
                }
                // A holder of layout 1 failed or released its task meanwhile: moved next pass.
                continue;
            }
            if said.as_ref() != Some(&leases.ids) {
                on(Progress::Waiting(&Waiting {
                    queue: name.to_string(),
                    from,
                    shard,
                    in_flight: leases.left,
                    first_end_ms: leases.first_end_ms,
                    ids: leases.ids.clone(),
                }))?;
                said = Some(leases.ids.clone());
            }
            if let Some(limit) = opts.wait {
                if started.elapsed() >= limit {
                    bail!(
                        "queue '{name}': {} still in flight under layout {from} on shard {shard} after \
                         waiting {}; what moved stays moved: run `rpq migrate --queue {name}` \
                         again once their holders are done",
                        crate::output::count(leases.left, "task", "tasks"),
                        humantime::format_duration(limit)
                    );
                }
            }
            std::thread::sleep(next_look(conn, leases.first_end_ms));
        }
    }
    Ok(())
}

/// The keys migrate_fold.lua takes, of one shard (`keys::LAYOUT_DIR`, layout 3's and the
/// target's alike).
pub const FOLD_SUFFIXES: [&str; 11] = [
    "tasks",
    "state",
    "dead:info",
    "stats",
    "pending",
    "limited",
    "delayed",
    "dead",
    "scheduled",
    "blocked",
    "inflight",
];

fn fold_keys(name: &str, shard: u32) -> Vec<String> {
    let tag = keys::tag(name, shard as usize);
    FOLD_SUFFIXES
        .iter()
        .map(|s| key(&tag, &format!("{}{s}", keys::LAYOUT_DIR)))
        .collect()
}

/// Whether a shard of the target layout has a fold left on it: marked and not finished, or
/// entries of `state` or `dead:info` (written by a layout-3 process after a finish).
fn fold_left(conn: &mut Conn, name: &str, shard: u32) -> Result<bool> {
    let k = fold_keys(name, shard);
    let (marked, n): (bool, u64) = redis::pipe()
        .cmd("HEXISTS")
        .arg(&k[3])
        .arg("fold:checks")
        .cmd("EXISTS")
        .arg(&k[1])
        .arg(&k[2])
        .query(conn)
        .map_err(conn::describe)
        .with_context(|| format!("looking at queue '{name}'"))?;
    Ok(marked || n > 0)
}

/// Folds layout 3's `state` and `dead:info` into the records of queue `name`, in place, shard by
/// shard (lua/migrate_fold.lua; docs/layout-v2.md, "From layout 3 to layout 4"): mark (layout
/// 3's scripts that queue or lease refuse the shard), `meta` to the target, a pass over the
/// records and one over the leases, then, until the leases of layout 3 have ended, what their
/// holders' fails and releases wrote, and the finish. `whole`: every shard (a queue of layout
/// 3), else those with a fold left. False when there was nothing to fold.
#[allow(clippy::too_many_arguments)]
fn fold(
    conn: &mut Conn,
    name: &str,
    shards: u32,
    target: u32,
    whole: bool,
    opts: &Options,
    done: &mut Migrated,
    on: &mut dyn FnMut(Progress) -> Result<()>,
) -> Result<bool> {
    let mut todo = Vec::new();
    for shard in 0..shards {
        if whole || fold_left(conn, name, shard)? {
            todo.push(shard);
        }
    }
    if todo.is_empty() {
        return Ok(false);
    }
    let fail = |what: &str| format!("migrating queue '{name}' to layout {target}: {what}");
    let retired = keys::retired_checks(target);
    let checks = if opts.checks.is_empty() {
        TARGET_CHECKS
    } else {
        opts.checks
    };
    // Until the finish, the target's own checks (when apart) refuse the shard to its scripts.
    let folding = keys::retired_checks(FOLD_FROM);
    // The note of the stats hash says the layout: this rpq's, when it is the target.
    let note = if target == LAYOUT {
        keys::LAYOUT_NOTE
    } else {
        ""
    };
    for &shard in &todo {
        run(
            conn,
            &FOLD,
            &fold_keys(name, shard),
            &["mark", retired.as_str(), checks, note, folding.as_str()],
        )
        .with_context(|| fail(&format!("marking shard {shard}")))?;
    }
    redis::cmd("HSET")
        .arg(keys::meta(name))
        .arg(keys::LAYOUT_FIELD)
        .arg(target)
        .query::<()>(conn)
        .map_err(conn::describe)
        .with_context(|| fail("storing its layout"))?;
    done.layout = target;
    let batch = if opts.batch == 0 { BATCH } else { opts.batch }.to_string();
    let started = Instant::now();
    for &shard in &todo {
        let keys = fold_keys(name, shard);
        // One step; a line for each that folded something (a step is atomic: a rerun after a
        // kill goes on from the last one).
        type On<'a> = &'a mut dyn FnMut(Progress) -> Result<()>;
        let step = |conn: &mut Conn, what: &str, done: &mut Migrated, on: On| -> Result<Vec<u64>> {
            let r = ints(run(conn, &FOLD, &keys, &[what, batch.as_str()]))
                .with_context(|| fail(&format!("folding the {what} of shard {shard}")))?;
            done.folded += r[1];
            done.records += r[0];
            if r[0] + r[1] > 0 {
                on(Progress::Folded(&Folded {
                    queue: name.to_string(),
                    shard,
                    folded: r[1],
                    records: r[0],
                    dry_run: false,
                }))?;
            }
            Ok(r)
        };
        let mut said: Option<Vec<String>> = None;
        let mut passes = ["tasks", "inflight"].as_slice();
        loop {
            for what in passes {
                while step(conn, what, done, on)?[2] == 0 {}
            }
            passes = &[];
            while step(conn, "left", done, on)?[2] > 0 {}
            let r = ints(run(
                conn,
                &FOLD,
                &keys,
                &["finish", retired.as_str(), checks],
            ))
            .with_context(|| fail(&format!("finishing shard {shard}")))?;
            if r[0] == 1 {
                break;
            }
            // Leases of layout 3 still held: their holders' fails and releases write `state`.
            let live = live_leases(conn, &keys[10])
                .with_context(|| fail(&format!("looking at the leases of shard {shard}")))?;
            if live.in_flight == 0 {
                // The mark was written again (migrate_fold.lua's finish): once more now.
                continue;
            }
            if said.as_ref() != Some(&live.ids) {
                on(Progress::Waiting(&Waiting {
                    queue: name.to_string(),
                    from: FOLD_FROM,
                    shard,
                    in_flight: live.in_flight,
                    first_end_ms: live.first_end_ms,
                    ids: live.ids.clone(),
                }))?;
                said = Some(live.ids);
            }
            if let Some(limit) = opts.wait {
                if started.elapsed() >= limit {
                    bail!(
                        "queue '{name}': {} still in flight under layout {FOLD_FROM} on shard \
                         {shard} after waiting {}; what is folded stays folded, and the queue \
                         stays refused to rpq of either layout: run `rpq migrate --queue \
                         {name}` again once their holders are done",
                        crate::output::count(live.in_flight, "task", "tasks"),
                        humantime::format_duration(limit)
                    );
                }
            }
            std::thread::sleep(next_look(conn, live.first_end_ms));
        }
    }
    Ok(true)
}

/// The leases of a shard that have not ended by the server's clock: how many, when the first
/// ends, up to ten of their ids.
struct Live {
    in_flight: u64,
    first_end_ms: Option<i64>,
    ids: Vec<String>,
}

fn live_leases(conn: &mut Conn, inflight: &str) -> Result<Live> {
    let (s, us): (i64, i64) = redis::cmd("TIME").query(conn).map_err(conn::describe)?;
    let after = format!("({}", s * 1000 + us / 1000);
    let (n, first): (u64, Vec<(Vec<u8>, f64)>) = redis::pipe()
        .cmd("ZCOUNT")
        .arg(inflight)
        .arg(&after)
        .arg("+inf")
        .cmd("ZRANGEBYSCORE")
        .arg(inflight)
        .arg(&after)
        .arg("+inf")
        .arg("WITHSCORES")
        .arg("LIMIT")
        .arg(0)
        .arg(10)
        .query(conn)
        .map_err(conn::describe)?;
    Ok(Live {
        in_flight: n,
        first_end_ms: first.first().map(|(_, t)| *t as i64),
        ids: first
            .iter()
            .map(|(m, _)| {
                // The member is `id\ttoken`; ids are bytes to Redis: shown, not trusted.
                let id = m.split(|&b| b == b'\t').next().unwrap_or(m);
                String::from_utf8_lossy(id).into_owned()
            })
            .collect(),
    })
}

/// What a fold would do, with plain reads only: the entries of `state` and `dead:info` of each
/// shard it would fold.
fn fold_dry_run(
    conn: &mut Conn,
    name: &str,
    shards: u32,
    whole: bool,
    mut done: Migrated,
    on: &mut dyn FnMut(Progress) -> Result<()>,
) -> Result<Migrated> {
    let mut any = false;
    for shard in 0..shards {
        if !whole && !fold_left(conn, name, shard)? {
            continue;
        }
        any = true;
        let k = fold_keys(name, shard);
        let (a, b): (u64, u64) = redis::pipe()
            .cmd("HLEN")
            .arg(&k[1])
            .cmd("HLEN")
            .arg(&k[2])
            .query(conn)
            .map_err(conn::describe)
            .with_context(|| format!("counting what queue '{name}' would fold"))?;
        done.folded += a + b;
        on(Progress::Folded(&Folded {
            queue: name.to_string(),
            shard,
            folded: a + b,
            records: 0,
            dry_run: true,
        }))?;
    }
    done.nothing_to_do = !any;
    Ok(done)
}

/// What migrate_leases.lua answers.
struct Leases {
    back: u64,
    dead: u64,
    done: u64,
    cancelled: u64,
    duplicates: u64,
    expired: u64,
    left: u64,
    first_end_ms: Option<i64>,
    ids: Vec<String>,
}

impl Leases {
    fn from(v: Value) -> Result<Leases> {
        let items: Vec<Value> = redis::from_redis_value(v).context("a reply of migrate_leases")?;
        let int = |i: usize| -> Result<i64> {
            Ok(redis::from_redis_value(
                items.get(i).cloned().unwrap_or(Value::Int(0)),
            )?)
        };
        let n = |i: usize| -> Result<u64> { Ok(int(i)?.max(0) as u64) };
        let ids = items
            .iter()
            .skip(8)
            // Ids are bytes to Redis: shown, not trusted to be UTF-8.
            .map(|v| {
                redis::from_redis_value::<Vec<u8>>(v.clone())
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (back, dead, done, cancelled, duplicates, gone) =
            (n(0)?, n(1)?, n(2)?, n(3)?, n(4)?, n(5)?);
        Ok(Leases {
            back,
            dead,
            done,
            cancelled,
            duplicates,
            expired: back + dead + done + cancelled + duplicates + gone,
            left: n(6)?,
            first_end_ms: Some(int(7)?).filter(|&t| t > 0),
            ids,
        })
    }
}

/// How long to sleep before looking at the leases again: until the first ends by the server's
/// clock, at most `LOOK_EVERY` (a holder may ack at any time).
fn next_look(conn: &mut Conn, first_end_ms: Option<i64>) -> Duration {
    let now: Option<(i64, i64)> = redis::cmd("TIME").query(conn).ok();
    match (first_end_ms, now) {
        (Some(end), Some((s, us))) => {
            let left = end - (s * 1000 + us / 1000) + 1;
            Duration::from_millis(left.clamp(1, LOOK_EVERY.as_millis() as i64) as u64)
        }
        _ => LOOK_EVERY,
    }
}

/// Idle consumers of a sharded queue block on shard 0's wake lists: tasks that became waiting on
/// another shard wake them there (a marker; the list is capped as every wake list).
fn wake_all(conn: &mut Conn, name: &str) {
    let key = keys::wake_all(name);
    let _: redis::RedisResult<()> = redis::pipe()
        .cmd("RPUSH")
        .arg(&key)
        .arg("1")
        .ignore()
        .cmd("LTRIM")
        .arg(&key)
        .arg(-64)
        .arg(-1)
        .ignore()
        .query(conn);
}

/// Whether a queue of this layout still has keys of an older one, or (once this rpq folds
/// layout 3) a fold left on a shard (an older rpq wrote to it after the migration, or the
/// migration has not finished): `rpq stats` says so. One EXISTS a shard, and one pipeline of
/// two for the fold.
pub fn left_behind(conn: &mut Conn, name: &str) -> Result<bool> {
    let meta: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(keys::meta(name))
        .query(conn)
        .map_err(conn::describe)
        .with_context(|| format!("reading the settings of queue '{name}'"))?;
    let shards = meta
        .get("shards")
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    if has_old(conn, name, shards, FROM_LAYOUT)?
        || has_old(conn, name, shards, FROM_LAYOUT_2)?
        || has_old_lines(conn, name, shards)?
    {
        return Ok(true);
    }
    // A fold not finished, or `state` written by a process of layout 3 after it.
    if LAYOUT > FOLD_FROM {
        for shard in 0..shards {
            if fold_left(conn, name, shard)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether a shard of this layout holds lines of limited types as an rpq before any number of
/// them stored them: tasks in `limited:1` .. `limited:8`, or a `set:N` without `t:TYPE`.
fn has_old_lines(conn: &mut Conn, name: &str, shards: u32) -> Result<bool> {
    for shard in 0..shards {
        let tag = keys::tag(name, shard as usize);
        let lines: Vec<String> = (1..=8)
            .map(|n| key(&tag, &format!("{}limited:{n}", keys::LAYOUT_DIR)))
            .collect();
        let n: u64 = redis::cmd("EXISTS")
            .arg(&lines)
            .query(conn)
            .map_err(conn::describe)
            .with_context(|| format!("looking at queue '{name}'"))?;
        let controls: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(key(&tag, &format!("{}controls", keys::LAYOUT_DIR)))
            .query(conn)
            .map_err(conn::describe)
            .with_context(|| format!("looking at queue '{name}'"))?;
        let unnamed = (1..=8).any(|n| {
            controls
                .get(&format!("set:{n}"))
                .is_some_and(|enc| !controls.contains_key(&format!("t:{enc}")))
        });
        if n > 0 || unnamed {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether any key of the older layout `from` still exists on the queue.
fn has_old(conn: &mut Conn, name: &str, shards: u32, from: u32) -> Result<bool> {
    for shard in 0..shards {
        let tag = keys::tag(name, shard as usize);
        let extra: &[&[&str]] = if from == FROM_LAYOUT_2 {
            &[&V2_LIMITED_SUFFIXES, &V2_GROUP_FLOW]
        } else {
            &[]
        };
        let ks: Vec<String> = old_suffixes(from)
            .iter()
            .chain(extra.iter().flat_map(|e| e.iter()))
            .map(|s| key(&tag, s))
            .collect();
        let n: u64 = redis::cmd("EXISTS")
            .arg(&ks)
            .query(conn)
            .map_err(conn::describe)
            .with_context(|| format!("looking at queue '{name}'"))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What each step would move, by state, with plain reads only.
fn dry_run(
    conn: &mut Conn,
    name: &str,
    shards: u32,
    from: u32,
    mut done: Migrated,
    on: &mut dyn FnMut(Progress) -> Result<()>,
) -> Result<Migrated> {
    for shard in 0..shards {
        let tag = keys::tag(name, shard as usize);
        let mut by: Vec<(State, u64)> = Vec::new();
        for (set, state) in SETS.iter().copied().chain([("inflight", State::InFlight)]) {
            let set = if from == FROM_LAYOUT_2 {
                format!("2:{set}")
            } else if set == "limited" {
                continue;
            } else {
                set.to_string()
            };
            let n: u64 = redis::cmd("ZCARD")
                .arg(key(&tag, &set))
                .query(conn)
                .map_err(conn::describe)
                .with_context(|| format!("counting {set} of queue '{name}'"))?;
            match by.iter_mut().find(|(s, _)| *s == state) {
                Some((_, c)) => *c += n,
                None => by.push((state, n)),
            }
        }
        for (state, n) in by {
            done.add(state, n);
            on(Progress::Step(&Step {
                queue: name.to_string(),
                shard,
                state,
                moved: n,
                duplicates: 0,
                dry_run: true,
            }))?;
        }
    }
    Ok(done)
}

/// One script call, errors explained.
fn run<A: redis::ToRedisArgs>(
    conn: &mut Conn,
    lua: &Lua,
    keys: &[String],
    args: &[A],
) -> Result<Value> {
    script::run(conn, lua, keys, &args)
        .map_err(|e| conn::refused(&e, "EVALSHA").unwrap_or_else(|| conn::describe(e)))
}

fn ints(v: Result<Value>) -> Result<Vec<u64>> {
    let v: Vec<i64> = redis::from_redis_value(v?).context("a reply of a migrate script")?;
    Ok(v.into_iter().map(|n| n.max(0) as u64).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout-1 keys of the scripts are layout 1's, in its order; the layout-2 keys are
    /// apart from them (the `2:` after the tag), and the scripts number them from 27.
    #[test]
    fn the_scripts_get_both_layouts_in_order() {
        let k = shard_keys("jobs", 0, FROM_LAYOUT);
        assert_eq!(k.len(), 50);
        assert_eq!(k[0], "rpq:{jobs}:pending");
        assert_eq!(k[7], "rpq:{jobs}:dead:info");
        assert_eq!(k[26], "rpq:{jobs}:3:pending");
        assert_eq!(k[47], "rpq:{jobs}:3:limited:8");
        assert_eq!(shard_keys("jobs", 2, FROM_LAYOUT)[3], "rpq:{jobs#2}:claims");
        // From layout 2: its keys in layout 1's places, then layout 2's keys of limited types.
        let k2 = shard_keys("jobs", 0, FROM_LAYOUT_2);
        assert_eq!(k2.len(), 72);
        assert_eq!(k2[54], "rpq:{jobs}:2:gpending");
        assert_eq!(k2[71], "rpq:{jobs}:3:finished");
        assert_eq!(k2[0], "rpq:{jobs}:2:pending");
        assert_eq!(k2[8], "rpq:{jobs}:2:stats");
        assert_eq!(k2[26], "rpq:{jobs}:3:pending");
        assert_eq!(k2[50], "rpq:{jobs}:2:limited");
        for (v1, v2) in V1_SUFFIXES.iter().zip(V2_OLD_SUFFIXES) {
            assert_eq!(format!("2:{v1}"), v2);
        }
        // The scripts name the first (moved) and delete them all with the older layout's keys.
        assert_eq!(
            k2.len(),
            50 + V2_LIMITED_SUFFIXES.len() + V2_GROUP_FLOW.len() + NEW_GROUP_FLOW.len()
        );
        assert!(include_str!("lua/migrate.lua").contains("local V1_LIMITED = KEYS[51]\n"));
        assert!(
            include_str!("lua/migrate_finish.lua").contains("for k = 51, math.min(#KEYS, 54) do")
        );
        let flows = include_str!("lua/migrate_flows.lua");
        assert!(flows.contains("gpending = KEYS[55]") && flows.contains("finished = KEYS[72]"));
        for (v2, v3) in V2_GROUP_FLOW.iter().zip(NEW_GROUP_FLOW) {
            assert_eq!(v2.replacen("2:", keys::LAYOUT_DIR, 1), v3);
        }
        let v1: std::collections::HashSet<_> = k[..26].iter().collect();
        assert!(k[26..].iter().all(|x| !v1.contains(x)));
        let prelude = include_str!("lua/migrate.lua");
        for (i, s) in V1_SUFFIXES.iter().enumerate() {
            let name = s.replace(":info", "info");
            if !s.starts_with("limited:") {
                assert!(
                    prelude.contains(&format!("{name} = KEYS[{}]", i + 1)),
                    "migrate.lua names KEYS[{}] {s}",
                    i + 1
                );
            }
        }
        for (i, s) in NEW_SUFFIXES.iter().enumerate() {
            let s = s.trim_start_matches(keys::LAYOUT_DIR);
            if !s.starts_with("limited:") {
                assert!(
                    prelude.contains(&format!("{s} = KEYS[{}]", i + 27)),
                    "migrate.lua names KEYS[{}] {s}",
                    i + 27
                );
            }
        }
        for (i, s) in NEW_UNTIL_RECORDS.iter().enumerate() {
            let name = s
                .trim_start_matches(keys::LAYOUT_DIR)
                .replace(":info", "info");
            assert!(
                prelude.contains(&format!("{name} = KEYS[{}]", i + 49)),
                "{s}"
            );
        }
    }

    /// The fold's keys are this layout's, in the order migrate_fold.lua names them.
    #[test]
    fn the_fold_gets_the_keys_of_the_layout_in_order() {
        let k = fold_keys("jobs", 1);
        assert_eq!(k[0], "rpq:{jobs#1}:3:tasks");
        assert_eq!(k[10], "rpq:{jobs#1}:3:inflight");
        for s in FOLD_SUFFIXES {
            assert!(keys::LAYOUT.iter().any(|d| d.suffix == s), "{s}");
        }
        let src = include_str!("lua/migrate_fold.lua");
        let names = [
            "TASKS",
            "STATE",
            "DEADINFO",
            "STATS",
            "PENDING",
            "LIMITED",
            "DELAYED",
            "DEAD",
            "SCHEDULED",
            "BLOCKED",
            "INFLIGHT",
        ];
        let declared: String = src
            .lines()
            .filter(|l| l.starts_with("local ") && l.contains("KEYS["))
            .collect::<Vec<_>>()
            .join("\n");
        for (i, n) in names.iter().enumerate() {
            // `local A, B = KEYS[1], KEYS[2]`: each name in the place of its KEYS index.
            let line = declared
                .lines()
                .find(|l| l.contains(&format!("KEYS[{}]", i + 1)))
                .unwrap_or_else(|| panic!("KEYS[{}] named", i + 1));
            let (lhs, rhs) = line.trim_start_matches("local ").split_once(" = ").unwrap();
            let at = rhs
                .split(", ")
                .position(|r| r == format!("KEYS[{}]", i + 1))
                .unwrap();
            assert_eq!(lhs.split(", ").nth(at), Some(*n), "KEYS[{}]", i + 1);
        }
    }

    /// Layout 2's key names are the ones `Keys` gives the scripts of this rpq, for every key
    /// they both have.
    #[test]
    fn the_new_layout_is_the_layout_of_keys() {
        let k = shard_keys("q", 1, FROM_LAYOUT);
        let now = keys::Keys::new("q", 1);
        let theirs: Vec<&str> = now.all().iter().map(String::as_str).collect();
        for (key, suffix) in k[26..]
            .iter()
            .zip(NEW_SUFFIXES.iter().chain(&NEW_UNTIL_RECORDS))
        {
            let name = suffix.trim_start_matches(keys::LAYOUT_DIR);
            if keys::LAYOUT.iter().any(|d| d.suffix == name) {
                assert!(theirs.contains(&key.as_str()), "{key}");
            }
        }
        assert!(NEW_SUFFIXES.iter().all(|s| s.starts_with(keys::LAYOUT_DIR)));
    }
}
