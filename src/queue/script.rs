//! How the queue talks to Redis: the script registry (one Lua file per atomic step, each
//! prefixed with `lua/common.lua`), the one way to call a script (EVALSHA, then EVAL with the
//! source on NOSCRIPT, in a single call as in a pipeline), the error hints at that boundary (a
//! key of the wrong type named, an ACL refusal explained), the reply codes the scripts answer
//! with, and the decoding of replies. Nothing here knows what a script does.

use super::keys::{CORE_KEYS, FAST_GROUP_KEYS, FAST_KEYS};
use super::types::LeaseState;
use super::Queue;
use crate::conn::{self, Conn};
use anyhow::{anyhow, bail, Context, Result};
use redis::{RedisError, Script, Value};
use std::sync::LazyLock;

/// A script: its source (the common prelude and its own body) and the SHA1 EVALSHA names it by.
pub struct Lua {
    pub name: &'static str,
    pub src: String,
    pub hash: String,
    /// Which of the feature includes it carries (`Feature`): how a caller tells the variants
    /// of one file apart without making the others (`with_groups`).
    carries: u8,
}

/// The feature includes a script may carry.
#[derive(Clone, Copy)]
enum Feature {
    Controls = 1,
    Flows = 2,
    Groups = 4,
}

impl Lua {
    fn carries(&self, f: Feature) -> bool {
        self.carries & f as u8 != 0
    }
}

impl Lua {
    /// The script of `parts`, the first being common.lua: its prelude carries only the helpers
    /// the script calls (`prelude`).
    fn new(name: &'static str, parts: &[&str]) -> Lua {
        let src = prelude(parts);
        let carries = [
            (CONTROLS, Feature::Controls),
            (FLOWS, Feature::Flows),
            (GROUPS, Feature::Groups),
            (GROUP_TURNS, Feature::Groups),
        ]
        .iter()
        .filter(|(text, _)| parts[1..parts.len() - 1].contains(text))
        .fold(0, |all, (_, f)| all | *f as u8);
        Lua {
            name: name.trim_end_matches(".lua"),
            hash: Script::new(&src).get_hash().to_string(),
            src,
            carries,
        }
    }
}

impl Lua {
    /// A script loaded on its own, without the prelude: it names only the keys it is given
    /// (a consumer's report, a webhook's lock, the migration's steps).
    pub fn standalone(name: &'static str, src: String) -> Lua {
        Lua {
            name,
            hash: Script::new(&src).get_hash().to_string(),
            src,
            carries: 0,
        }
    }
}

/// One call of `script` with `keys`: EVALSHA, then EVAL with the source on NOSCRIPT (a
/// restarted server, a promoted replica, SCRIPT FLUSH), which also caches it on that node.
pub fn run<T: redis::FromRedisValue, A: redis::ToRedisArgs>(
    conn: &mut Conn,
    script: &Lua,
    keys: &[String],
    args: &A,
) -> redis::RedisResult<T> {
    match script.cmd(false, keys, args).query::<T>(conn) {
        Err(e) if is_noscript(&e) => script.cmd(true, keys, args).query::<T>(conn),
        other => other,
    }
}

/// A script: common.lua, events.lua, then the includes `parts` name (controls.lua, flows.lua,
/// groups.lua, ...: each a feature only the scripts that act on it carry, in that order), then
/// its body. Every script is made this one way.
fn compose(name: &'static str, parts: &[&str], body: &str) -> Lua {
    let mut all = vec![
        include_str!("lua/common.lua"),
        include_str!("lua/events.lua"),
    ];
    all.extend_from_slice(parts);
    all.push(body);
    Lua::new(name, &all)
}

const CONTROLS: &str = include_str!("lua/controls.lua");
const FLOWS: &str = include_str!("lua/flows.lua");
/// groups.lua, after group_turns.lua (where the keys of groups sit, and the fast claim's turns,
/// which the fast claim carries alone: `CLAIM_FAST_GROUPED`).
const GROUPS: &str = concat!(
    include_str!("lua/group_turns.lua"),
    include_str!("lua/groups.lua")
);
const GROUP_TURNS: &str = include_str!("lua/group_turns.lua");

// controls (issue 13): a script that acts on pauses and limits also carries lua/controls.lua,
// between the prelude and its body; the others go without it (controls.lua says why).
// flows (issue 24): a script that may finish a task, or push one with parents, also carries
// lua/flows.lua after controls.lua (every key, as they).
macro_rules! script {
    ($file:literal $(, $part:expr)*) => {
        LazyLock::new(|| compose($file, &[$($part),*], include_str!(concat!("lua/", $file))))
    };
}

/// The source of a script: `parts` (common.lua first) one after the other, without the helpers
/// of common.lua that nothing in the script calls. Every `local function` a script defines at
/// its top level is a closure made anew on every call (about 1,500 server instructions each,
/// counted with callgrind, and garbage for Lua's collector after it), and common.lua defines
/// some 35 that most scripts never call: dropping them costs nothing, as a helper is only
/// ever reached by its name. A helper is kept when its name appears (outside comments) in the
/// other parts, in the lines of common.lua outside helpers, or in a helper kept, so a helper
/// a kept one calls is kept too; the rest of the text stays as it is, in its order.
pub fn prelude(parts: &[&str]) -> String {
    let (common, rest) = parts.split_first().expect("a script has the prelude");
    // The helpers of common.lua: name, first and last line (a `local function` at the start of
    // a line up to the first `end` there).
    let lines: Vec<&str> = common.lines().collect();
    let mut helpers: Vec<(&str, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(name) = lines[i]
            .strip_prefix("local function ")
            .and_then(|r| r.split('(').next())
        {
            let end = (i..lines.len())
                .find(|&j| lines[j] == "end")
                .expect("a helper of common.lua ends with `end` at the start of a line");
            helpers.push((name.trim(), i, end));
            i = end;
        }
        i += 1;
    }
    let in_helper = |n: usize| helpers.iter().any(|&(_, a, b)| (a..=b).contains(&n));
    let outside: String = (0..lines.len())
        .filter(|&n| !in_helper(n))
        .map(|n| lines[n])
        .collect::<Vec<_>>()
        .join("\n");
    let mut wanted: std::collections::HashSet<&str> = rest
        .iter()
        .chain(std::iter::once(&outside.as_str()))
        .flat_map(|t| names(t))
        .collect();
    let mut keep = vec![false; helpers.len()];
    // Helpers in the order they are defined each name only earlier ones (or none), so walking
    // them from the last back to the first sees every caller before its callees.
    for (k, &(name, a, b)) in helpers.iter().enumerate().rev() {
        if wanted.contains(name) {
            keep[k] = true;
            wanted.extend(lines[a + 1..=b].iter().flat_map(|l| names(l)));
        }
    }
    let dropped = |n: usize| {
        helpers
            .iter()
            .zip(&keep)
            .any(|(&(_, a, b), &k)| !k && (a..=b).contains(&n))
    };
    let mut src: String = (0..lines.len())
        .filter(|&n| !dropped(n))
        .map(|n| lines[n])
        .collect::<Vec<_>>()
        .join("\n");
    for part in rest {
        src.push('\n');
        src.push_str(part);
    }
    src
}

/// The identifiers of Lua code, comments and string literals left out.
fn names(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in code.lines() {
        let mut quote = None;
        let mut escaped = false;
        let mut start = None;
        for (i, c) in line.char_indices() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            if line[i..].starts_with("--") {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
                break;
            }
            let word = c.is_ascii_alphanumeric() || c == '_';
            match (word, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push(&line[s..i]);
                    start = None;
                }
                _ => {}
            }
            if c == '\'' || c == '"' {
                quote = Some(c);
            }
        }
        if let (Some(s), None) = (start, quote) {
            out.push(&line[s..]);
        }
    }
    out
}

const DEBOUNCE: &str = include_str!("lua/debounce.lua");
pub static PUSH: LazyLock<Lua> = script!("push.lua", DEBOUNCE);
// groups (issue 23): the push and the claims of a shard with groups also carry lua/groups.lua
// (after controls.lua and flows.lua, when with every key), and are sent its keys after
// the layout's.
pub static PUSH_GROUPED: LazyLock<Lua> = script!("push.lua", GROUPS, DEBOUNCE);
pub static CLAIM_GROUPED: LazyLock<Lua> = script!("claim.lua", GROUPS);
pub static CLAIM_CONTROLLED_GROUPED: LazyLock<Lua> = script!("claim.lua", CONTROLS, FLOWS, GROUPS);
/// A shard with groups and flows and no controls: as `CLAIM_FLOWS`, with groups.lua (a claim
/// with controls.lua answers as one of a queue with controls, which this process does not know).
pub static CLAIM_FLOWS_GROUPED: LazyLock<Lua> = script!("claim.lua", FLOWS, GROUPS);
pub static CLAIM_FAST_GROUPED: LazyLock<Lua> = script!("claim_fast.lua", GROUP_TURNS);
pub static RELEASE_GROUPED: LazyLock<Lua> = script!("release.lua", CONTROLS, FLOWS, GROUPS);
/// Limits and pauses of groups (`rpq limit --group`, `--each-group`, `rpq pause --group`).
pub static GROUP_CTL: LazyLock<Lua> = script!("group_ctl.lua", CONTROLS, GROUPS);
/// `dead retry` and `move --now` of a shard with groups: the task goes back into its group's line.
pub static DEAD_GROUPED: LazyLock<Lua> = script!("dead.lua", GROUPS);
pub static MOVE_GROUPED: LazyLock<Lua> = script!("move.lua", CONTROLS, GROUPS);
/// A drain of a type's line (`limit --type T --off`) of a shard with groups: the tasks go back
/// into their groups' lines.
pub static CONTROL_GROUPED: LazyLock<Lua> = script!("control.lua", CONTROLS, GROUPS);
/// A push of tasks with parents (`produce --after`, issue 24).
pub static FLOW_PUSH: LazyLock<Lua> = script!("flow_push.lua", CONTROLS, FLOWS);
/// Flows across queues (issue 24): a parent's queue told of a child in another queue, the
/// lines of an outbox applied on the children's queue, and removed from the parent's.
pub static FLOW_LINK: LazyLock<Lua> = script!("flow_link.lua", CONTROLS, FLOWS);
pub static FLOW_APPLY: LazyLock<Lua> = script!("flow_apply.lua", CONTROLS, FLOWS, FLOW_CANCELS);
/// `rpq flow cancel` across tags: the walk down a flow, for flow_cancel.lua and for the lines
/// 'c' it leaves in outboxes (flow_apply.lua).
const FLOW_CANCELS: &str = include_str!("lua/flow_cancels.lua");
pub static FLOW_UNBOX: LazyLock<Lua> =
    LazyLock::new(|| Lua::standalone("flow_unbox", include_str!("lua/flow_unbox.lua").to_string()));
/// The links owed for children whose parents are on other tags, until their producer linked
/// them (or a consumer did, the producer dead in between).
pub static FLOW_OWED: LazyLock<Lua> =
    LazyLock::new(|| Lua::standalone("flow_owed", include_str!("lua/flow_owed.lua").to_string()));
/// `rpq flow submit` of a flow across queues or shards of one server (issue 24): one call, all
/// or nothing. push.lua (with groups.lua: its tasks with a time or a group), flow_push.lua,
/// flow_link.lua, flow_apply.lua and flow_owed.lua each whole (its
/// prelude too) as a local function of its own KEYS and ARGV (the globals they name, shadowed),
/// then flow_submit.lua, which calls them for each shard of the flow.
pub static FLOW_SUBMIT: LazyLock<Lua> = LazyLock::new(|| {
    let mut src = String::new();
    for (name, part) in [
        ("plain", &PUSH_GROUPED),
        ("push", &FLOW_PUSH),
        ("link", &FLOW_LINK),
        ("apply", &FLOW_APPLY),
        ("owed", &FLOW_OWED),
    ] {
        src.push_str(&format!(
            "local function flow_submit_{name}(KEYS, ARGV)\n{}\nend\n",
            part.src
        ));
    }
    src.push_str(include_str!("lua/flow_submit.lua"));
    Lua::standalone("flow_submit", src)
});
/// `rpq flow cancel` (issue 24): a task and what is downstream of it that has not run.
pub static FLOW_CANCEL: LazyLock<Lua> = script!("flow_cancel.lua", CONTROLS, FLOWS, FLOW_CANCELS);
/// The claim of a queue without controls; with them, `CLAIM_CONTROLLED` (`Queue::invoke`).
pub static CLAIM: LazyLock<Lua> = script!("claim.lua");
/// Controls and flows (issue 24) both: `Queue::invoke` sends it, with every key.
pub static CLAIM_CONTROLLED: LazyLock<Lua> = script!("claim.lua", CONTROLS, FLOWS);
/// The claim of a queue with flows and no controls: flows.lua without controls.lua (whose
/// helpers a claim that carries it builds on every call), with every key.
pub static CLAIM_FLOWS: LazyLock<Lua> = script!("claim.lua", FLOWS);
/// The claim's common case in fewer calls (issue 15); it refuses (RPQFULL) whenever claim.lua
/// has more to do, and `Queue::invoke` sends claim.lua then.
pub static CLAIM_FAST: LazyLock<Lua> = script!("claim_fast.lua");
/// The lean claim of a plain shard (layout 3's step 5, issue 22): claim_fast.lua's common case
/// with its own prelude (lean.lua: key names and constants, no helper) and keys
/// (`keys::LEAN_KEYS`); it refuses (RPQFULL) anything else before any write, and the claim goes
/// as claim_fast.lua then (`Queue::claim_shard`).
pub static CLAIM_LEAN: LazyLock<Lua> = LazyLock::new(|| {
    Lua::standalone(
        "claim_lean",
        [
            include_str!("lua/lean.lua"),
            include_str!("lua/claim_lean.lua"),
        ]
        .concat(),
    )
});
pub static EXTEND: LazyLock<Lua> = script!("extend.lua", CONTROLS);
pub static ACK: LazyLock<Lua> = script!("ack.lua", CONTROLS, FLOWS);
pub static FAIL: LazyLock<Lua> = script!("fail.lua", CONTROLS, FLOWS);
pub static RELEASE: LazyLock<Lua> = script!("release.lua", CONTROLS);
pub static PEEK: LazyLock<Lua> = script!("peek.lua", CONTROLS);
pub static CLEAR: LazyLock<Lua> = script!("clear.lua", CONTROLS, FLOWS);
pub static DEAD: LazyLock<Lua> = script!("dead.lua");
pub static OLDEST: LazyLock<Lua> = script!("oldest.lua");
/// Issue 23: the tasks in flight of each group, counted when listed (`rpq groups`, `stats`).
pub static GROUP_COUNT: LazyLock<Lua> = script!("group_count.lua");
pub static AGING: LazyLock<Lua> = script!("aging.lua");
pub static SCHEDULE: LazyLock<Lua> = script!("schedule.lua");
pub static FIRE: LazyLock<Lua> = script!("fire.lua");
pub static INSPECT: LazyLock<Lua> = script!("inspect.lua", CONTROLS);
pub static CANCEL: LazyLock<Lua> = script!("cancel.lua", CONTROLS, FLOWS);
pub static MOVE: LazyLock<Lua> = script!("move.lua", CONTROLS);
pub static CONTROL: LazyLock<Lua> = script!("control.lua", CONTROLS);
// An ack that keeps results frees a task's slot as ack.lua does.
pub static KEEP: LazyLock<Lua> = script!("keep.lua", CONTROLS, FLOWS);
// Kept results go by a time of their own, not a TTL (issue 19).
pub static UNKEEP: LazyLock<Lua> = script!("unkeep.lua");
pub static RESULTS: LazyLock<Lua> = script!("results.lua");
pub static EVENTS_SET: LazyLock<Lua> = script!("events_set.lua");

// Handlers that talk back (issue 25): each ctl script carries lua/ctl_lease.lua, the one place
// that asks whether a lease holds, after the prelude and controls (an ack frees a cap's slot).
fn ctl_script(name: &'static str, body: &str) -> Lua {
    compose(
        name,
        &[CONTROLS, FLOWS, include_str!("lua/ctl_lease.lua")],
        body,
    )
}
pub static CTL_OP: LazyLock<Lua> =
    LazyLock::new(|| ctl_script("ctl_op.lua", include_str!("lua/ctl_op.lua")));
pub static CTL_ACK: LazyLock<Lua> =
    LazyLock::new(|| ctl_script("ctl_ack.lua", include_str!("lua/ctl_ack.lua")));
pub static CTL_SWEEP: LazyLock<Lua> =
    LazyLock::new(|| ctl_script("ctl_sweep.lua", include_str!("lua/ctl_sweep.lua")));

/// The scripts that write lifecycle events (issue 26, lua/events.lua): given the shard's stream
/// as their last key while this process knows events are on; push and claim find out when they
/// are not given it (ERR_EVENTS). By name: comparing with the statics would build every one of
/// them on a process's first call (tens of ms of a debug build's prelude work, which delayed a
/// consumer's first claims).
fn emits(script: &Lua) -> bool {
    matches!(
        script.name,
        "push" | "claim" | "claim_fast" | "ack" | "keep" | "ctl_ack"
    )
}

/// The scripts that write events and read the checks to know whether events are on: rare calls
/// (a failure, `cancel`, `move`, a control, a release, a push with parents) by processes that may have been running
/// since before `rpq events --enable`, given the stream always; they write only while the
/// checks say events are on (one HGET, paid only by these).
fn always_emits(script: &Lua) -> bool {
    matches!(
        script.name,
        "fail"
            | "release"
            | "cancel"
            | "move"
            | "control"
            | "dead"
            | "flow_push"
            | "flow_cancel"
            | "flow_apply"
    )
}

/// Every script, for the tests that look at them all.
#[cfg(test)]
static ALL: [&LazyLock<Lua>; 42] = [
    &PUSH,
    &GROUP_COUNT,
    &CONTROL_GROUPED,
    &FLOW_LINK,
    &FLOW_APPLY,
    &FLOW_CANCEL,
    &DEAD_GROUPED,
    &MOVE_GROUPED,
    &GROUP_CTL,
    &CLAIM_FLOWS_GROUPED,
    &FLOW_PUSH,
    &CLAIM_FAST_GROUPED,
    &RELEASE_GROUPED,
    &PUSH_GROUPED,
    &CLAIM_GROUPED,
    &CLAIM_CONTROLLED_GROUPED,
    &CLAIM,
    &CLAIM_FAST,
    &CLAIM_CONTROLLED,
    &CLAIM_FLOWS,
    &EXTEND,
    &ACK,
    &FAIL,
    &RELEASE,
    &PEEK,
    &CLEAR,
    &DEAD,
    &OLDEST,
    &AGING,
    &SCHEDULE,
    &FIRE,
    &INSPECT,
    &CANCEL,
    &MOVE,
    &CONTROL,
    &KEEP,
    &UNKEEP,
    &RESULTS,
    &CTL_OP,
    &CTL_ACK,
    &CTL_SWEEP,
    &EVENTS_SET,
];

impl Lua {
    /// The command that runs this script on the node of `keys`: EVALSHA by hash, or EVAL with
    /// the source, which also caches the script on that node.
    fn cmd<A: redis::ToRedisArgs>(&self, by_source: bool, keys: &[String], args: &A) -> redis::Cmd {
        let mut c = redis::cmd(if by_source { "EVAL" } else { "EVALSHA" });
        c.arg(if by_source {
            self.src.as_str()
        } else {
            self.hash.as_str()
        })
        .arg(keys.len())
        .arg(keys)
        .arg(args);
        c
    }
}

/// One command of a pipeline: a script call, or a plain command.
pub enum Step<'a> {
    Script(&'a Lua, &'a [String], Vec<String>),
    Plain(redis::Cmd),
}

impl Step<'_> {
    fn cmd(&self, by_source: bool) -> redis::Cmd {
        match self {
            Step::Script(lua, keys, args) => lua.cmd(by_source, keys, args),
            Step::Plain(c) => c.clone(),
        }
    }
}

/// What ack.lua answers for each (id, token), also for the acks that ride on a claim or a
/// sharded probe; common.lua names the same numbers `ACK_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// Someone else holds the task now, or it went back to the queue.
    Lost = 0,
    Acked = 1,
    /// Another consumer finished the task, after this one's lease expired.
    Finished = 2,
    /// This consumer's earlier call acked it; its reply was lost (the receipt says so).
    Earlier = 3,
}

/// What fail.lua answers; common.lua names the same numbers `FAIL_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailCode {
    Lost = 0,
    Retry = 1,
    Dead = 2,
    /// This consumer's earlier call, its reply lost, scheduled the retry (its receipt says so).
    WasRetrying = 3,
    /// This consumer's earlier call, its reply lost, buried the task.
    WasDead = 4,
}

/// What fire.lua answers; common.lua names the same numbers `FIRE_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FireCode {
    /// Not to fire: fired already, or the schedule was removed or replaced meanwhile.
    Not = 0,
    Fired = 1,
    /// Not due yet by the server's clock.
    Early = 2,
}

impl FireCode {
    pub fn from_reply(v: &Value) -> Result<FireCode> {
        Ok(match int(Some(v))? {
            1 => FireCode::Fired,
            2 => FireCode::Early,
            _ => FireCode::Not,
        })
    }
}

/// What extend.lua answers for each (id, token); common.lua names the same numbers `EXTEND_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendCode {
    Lost = 0,
    /// Extended, or (a look only) still held.
    Held = 1,
    /// `rpq cancel` stopped the task; it is gone from Redis now.
    Cancelled = 2,
    /// To a mark only: recovery finished the task as done after an earlier mark of this claim
    /// (whose reply was lost).
    Delivered = 3,
}

/// What move.lua answers for each id; common.lua names the same numbers `MOVE_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveCode {
    Unknown = 0,
    Moved = 1,
    InFlight = 2,
    Dead = 3,
    /// Its stored body names no priority to change.
    Unreadable = 4,
}

/// What a claim answers kept waiting tasks back when it took none (controls, issue 13);
/// common.lua names the same numbers `HELD_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldCode {
    None = 0,
    Paused = 1,
    Rate = 2,
    InFlight = 3,
}

impl HeldCode {
    pub fn from_reply(v: &Value) -> Result<HeldCode> {
        Ok(match int(Some(v))? {
            1 => HeldCode::Paused,
            2 => HeldCode::Rate,
            3 => HeldCode::InFlight,
            _ => HeldCode::None,
        })
    }
}

/// A time that never comes: a pause "until resumed" is stored with it, and a claim that
/// looks for the next due time starts from it.
pub const NEVER_MS: i64 = 1_000_000_000_000_000;

/// The most markers a wake list holds (and one wake-up adds): enough to wake every idle
/// consumer that matters, and bounded while nobody consumes.
pub const WAKE_CAP: u64 = 64;

/// A push's flag for one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushCode {
    Known = 0,
    Queued = 1,
    Done = 2,
}

impl PushCode {
    pub fn from_reply(v: &Value) -> Result<PushCode> {
        Ok(match int(Some(v))? {
            1 => PushCode::Queued,
            2 => PushCode::Done,
            _ => PushCode::Known,
        })
    }
}

/// claim_fast.lua refuses with this before it changes anything when it has more to do than
/// its common case: claim.lua then does it all.
pub const ERR_FULL: &str = "RPQFULL";
/// claim.lua without the controls refuses with this when the queue has controls: the claim
/// goes again with every key.
pub const ERR_CONTROLS: &str = "RPQCONTROLS";
/// A push or claim.lua sent without the stream refuses with this when the queue's events are
/// on (issue 26): it goes again with the stream.
pub const ERR_EVENTS: &str = "RPQEVENTS";
/// The push or claim of a shard with groups refused: send the one with groups.lua.
pub const ERR_GROUPS: &str = "RPQGROUPS";
/// And with this when the queue has flows (issue 24): the same, with flows.lua.
pub const ERR_FLOWS: &str = "RPQFLOWS";
/// A push, claim or schedule's firing met a shard that left this rpq's layout (common.lua:
/// checks_read), before it changed anything; the detail is the layout's number.
pub const ERR_LAYOUT: &str = "RPQLAYOUT";
/// A push names a parent the queue does not know (flow_push.lua), before it changes anything.
pub const ERR_UNKNOWN_PARENT: &str = "RPQUNKNOWN";

/// Every value Lua and Rust share, by its Lua name (a `local NAME = value` line of common.lua)
/// and its Lua text, for the test that holds common.lua to them. A new shared value is a row.
#[cfg(test)]
pub fn shared_with_lua() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&str, String)> = REPLY_CODES
        .iter()
        .map(|&(name, v)| (name, v.to_string()))
        .collect();
    out.extend([
        ("NEVER", NEVER_MS.to_string()),
        ("WAKE_CAP", WAKE_CAP.to_string()),
        ("PUSH_KNOWN", (PushCode::Known as i64).to_string()),
        ("PUSH_QUEUED", (PushCode::Queued as i64).to_string()),
        ("PUSH_DONE", (PushCode::Done as i64).to_string()),
        ("ERR_FULL", format!("'{ERR_FULL}'")),
        ("ERR_CONTROLS", format!("'{ERR_CONTROLS}'")),
        ("ERR_EVENTS", format!("'{ERR_EVENTS}'")),
        ("ERR_GROUPS", format!("'{ERR_GROUPS}'")),
        ("ERR_FLOWS", format!("'{ERR_FLOWS}'")),
        ("ERR_LAYOUT", format!("'{ERR_LAYOUT}'")),
        ("LAYOUT_NOTE", format!("'{}'", super::keys::LAYOUT_NOTE)),
    ]);
    out
}

/// The Lua names of the codes, for the test that holds common.lua to them.
#[cfg(test)]
const REPLY_CODES: [(&str, i64); 25] = [
    ("ACK_LOST", AckCode::Lost as i64),
    ("ACK_ACKED", AckCode::Acked as i64),
    ("ACK_FINISHED", AckCode::Finished as i64),
    ("ACK_EARLIER", AckCode::Earlier as i64),
    ("FAIL_LOST", FailCode::Lost as i64),
    ("FAIL_RETRY", FailCode::Retry as i64),
    ("FAIL_DEAD", FailCode::Dead as i64),
    ("FAIL_WAS_RETRYING", FailCode::WasRetrying as i64),
    ("FAIL_WAS_DEAD", FailCode::WasDead as i64),
    ("FIRE_NOT", FireCode::Not as i64),
    ("FIRE_FIRED", FireCode::Fired as i64),
    ("FIRE_EARLY", FireCode::Early as i64),
    ("EXTEND_LOST", ExtendCode::Lost as i64),
    ("EXTEND_HELD", ExtendCode::Held as i64),
    ("EXTEND_CANCELLED", ExtendCode::Cancelled as i64),
    ("EXTEND_DELIVERED", ExtendCode::Delivered as i64),
    ("MOVE_UNKNOWN", MoveCode::Unknown as i64),
    ("MOVE_MOVED", MoveCode::Moved as i64),
    ("MOVE_IN_FLIGHT", MoveCode::InFlight as i64),
    ("MOVE_DEAD", MoveCode::Dead as i64),
    ("MOVE_UNREADABLE", MoveCode::Unreadable as i64),
    ("HELD_NONE", HeldCode::None as i64),
    ("HELD_PAUSED", HeldCode::Paused as i64),
    ("HELD_RATE", HeldCode::Rate as i64),
    ("HELD_IN_FLIGHT", HeldCode::InFlight as i64),
];

impl AckCode {
    pub fn from_reply(v: &Value) -> Result<AckCode> {
        Ok(match int(Some(v))? {
            1 => AckCode::Acked,
            2 => AckCode::Finished,
            3 => AckCode::Earlier,
            _ => AckCode::Lost,
        })
    }

    /// Whether the task counts as acknowledged by this consumer: by this call, or by its
    /// earlier one whose reply was lost; never when another consumer finished it.
    pub fn ours(self) -> bool {
        matches!(self, AckCode::Acked | AckCode::Earlier)
    }
}

impl ExtendCode {
    pub fn from_reply(v: &Value) -> Result<ExtendCode> {
        Ok(match int(Some(v))? {
            1 => ExtendCode::Held,
            2 => ExtendCode::Cancelled,
            3 => ExtendCode::Delivered,
            _ => ExtendCode::Lost,
        })
    }
}

impl From<ExtendCode> for LeaseState {
    fn from(c: ExtendCode) -> LeaseState {
        match c {
            ExtendCode::Held => LeaseState::Held,
            ExtendCode::Lost => LeaseState::Lost,
            ExtendCode::Cancelled => LeaseState::Cancelled,
            ExtendCode::Delivered => LeaseState::Delivered,
        }
    }
}

impl MoveCode {
    pub fn from_reply(v: &Value) -> Result<MoveCode> {
        Ok(match int(Some(v))? {
            1 => MoveCode::Moved,
            2 => MoveCode::InFlight,
            3 => MoveCode::Dead,
            4 => MoveCode::Unreadable,
            _ => MoveCode::Unknown,
        })
    }
}

impl FailCode {
    pub fn from_reply(v: &Value) -> Result<FailCode> {
        Ok(match int(Some(v))? {
            1 => FailCode::Retry,
            2 => FailCode::Dead,
            3 => FailCode::WasRetrying,
            4 => FailCode::WasDead,
            _ => FailCode::Lost,
        })
    }
}

/// The script with groups.lua that does what `script` does (itself for one), if any. Told by
/// the file and the includes, not by comparing with every script: that would make them all,
/// about 60 million instructions a process (most of `rpq len`'s), for the one it uses.
fn with_groups(script: &Lua) -> Option<&'static Lua> {
    let controls = script.carries(Feature::Controls);
    Some(match script.name {
        "dead" => &DEAD_GROUPED,
        "move" => &MOVE_GROUPED,
        "control" => &CONTROL_GROUPED,
        "group_ctl" => &GROUP_CTL,
        "claim_fast" => &CLAIM_FAST_GROUPED,
        "release" => &RELEASE_GROUPED,
        "push" => &PUSH_GROUPED,
        "claim" if controls => &CLAIM_CONTROLLED_GROUPED,
        "claim" if script.carries(Feature::Flows) => &CLAIM_FLOWS_GROUPED,
        "claim" => &CLAIM_GROUPED,
        _ => return None,
    })
}

/// Whether `script` is one with groups.lua that is sent the keys of groups.
fn grouped(script: &Lua) -> bool {
    script.carries(Feature::Groups) && with_groups(script).is_some()
}

/// Whether `script` is sent the core keys only (`CORE_KEYS`): the push, the fast claim and
/// claim.lua without controls or flows (with groups or without), and the worker runtime's
/// reads of results.
fn sent_core_keys(script: &Lua) -> bool {
    match script.name {
        "push" | "claim_fast" | "unkeep" | "results" => true,
        "claim" => !script.carries(Feature::Controls) && !script.carries(Feature::Flows),
        _ => false,
    }
}

/// The fast claim, with groups or without.
fn is_fast_claim(script: &Lua) -> bool {
    script.name == "claim_fast"
}

fn is_noscript(e: &RedisError) -> bool {
    e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript)
}

impl Queue {
    /// Runs a script on one shard: EVALSHA first; on NOSCRIPT (a restarted server, a promoted
    /// replica, SCRIPT FLUSH) EVAL with the source, which goes by key to the same node and
    /// caches it there. Errors get their hint and say `what` was being done.
    pub(super) fn invoke(
        &mut self,
        shard: usize,
        script: &Lua,
        args: &[String],
        what: &str,
    ) -> Result<Value> {
        self.invoke_with(shard, script, &[], &args, what)
    }

    /// The same with keys after the layout's (the worker runtime's per-task result keys, in
    /// the shard's hash tag): after the core keys for a script without controls, after every
    /// key for one with them (the scripts number them from there: `CORE_KEYS`, `LAYOUT_KEYS`).
    pub(super) fn invoke_with<A: redis::ToRedisArgs>(
        &mut self,
        shard: usize,
        script: &Lua,
        extra: &[String],
        args: &A,
        what: &str,
    ) -> Result<Value> {
        // controls (issue 13): a push, and a claim while the queue has no controls, go with the
        // core keys only (CORE_KEYS); a claim of a queue with controls goes as the script that
        // carries them, with every key, also when the plain one found them and refused.
        // groups (issue 23): likewise the push and the claim of a shard with groups go as the
        // scripts with groups.lua, with its keys.
        let fast = is_fast_claim(script) && !script.carries(Feature::Groups);
        let claim = fast || (script.name == "claim" && script.carries == 0);
        // flows (issue 24): a claim of a queue with flows goes as a script that carries
        // flows.lua, with every key (claim.lua with flows.lua, or with controls too).
        let mut script: &Lua = if claim {
            self.full_claim(if fast { &CLAIM_FAST } else { &CLAIM })
        } else if self.grouped {
            with_groups(script).unwrap_or(script)
        } else {
            script
        };
        let mut reply = self.call(shard, script, extra, args);
        // Each refusal comes before the script changed anything, and each sets what the next
        // call needs: at most one of each.
        for _ in 0..5 {
            let code = match &reply {
                Err(e) => e.code().map(str::to_string),
                Ok(_) => None,
            };
            match code.as_deref() {
                // Issue 15: claim_fast.lua refused; claim.lua does it all.
                Some(ERR_FULL) if is_fast_claim(script) => {
                    script = self.full_claim(&CLAIM);
                }
                Some(ERR_CONTROLS) if claim && !self.controlled => {
                    // Once a process: the controlled claim cannot read the lines of limited
                    // types an older rpq stored (refused, as a queue of another layout).
                    self.read_controls()?;
                    self.controlled = true;
                    script = self.full_claim(&CLAIM);
                }
                Some(ERR_FLOWS) if claim && !self.flows => {
                    self.flows = true;
                    self.flows_seen = true;
                    script = self.full_claim(&CLAIM);
                }
                Some(ERR_EVENTS) if !self.events => self.events = true,
                Some(ERR_GROUPS) if !self.grouped => {
                    self.grouped = true;
                    script = if claim {
                        self.full_claim(&CLAIM)
                    } else {
                        match with_groups(script) {
                            Some(g) => g,
                            None => break,
                        }
                    };
                }
                _ => break,
            }
            reply = self.call(shard, script, extra, args);
        }
        if reply.is_ok() {
            self.resent = false;
        }
        // The line `Queue::open` gives a queue of another layout, and nothing before it: the
        // queue was moved while this process ran.
        if let Err(e) = &reply {
            if e.code() == Some(ERR_LAYOUT) {
                return Err(super::other_layout(
                    &self.name,
                    e.detail().unwrap_or("unknown"),
                ));
            }
        }
        reply
            .map_err(
                |e| match conn::refused_in_script(&e, &script.src, script.name) {
                    Some(refused) => refused,
                    None => self.explain(shard, e, "EVALSHA"),
                },
            )
            .with_context(|| format!("{what} on queue '{}'", self.name))
    }

    /// The claim for what this process knows of the queue: `asked` (the fast or the plain
    /// claim) while it knows of nothing more; else the script that carries what it has
    /// (controls.lua, flows.lua, groups.lua). A shard with groups and controls or flows goes as
    /// the grouped claim with controls, which carries flows.lua too, with every key.
    fn full_claim(&self, asked: &'static Lua) -> &'static Lua {
        match (self.grouped, self.controlled || self.flows) {
            (true, true) if self.controlled => &CLAIM_CONTROLLED_GROUPED,
            (true, true) => &CLAIM_FLOWS_GROUPED,
            (true, false) => with_groups(asked).unwrap_or(&CLAIM_GROUPED),
            (false, _) if self.controlled => &CLAIM_CONTROLLED,
            (false, _) if self.flows => &CLAIM_FLOWS,
            (false, _) => asked,
        }
    }

    /// One script call: EVALSHA, then EVAL with the source on NOSCRIPT; with the keys the fast
    /// claim names (`FAST_KEYS`), the core keys of the layout only, or every key; then, for a
    /// script with groups.lua, the keys of groups (the fast claim the first `FAST_GROUP_KEYS`);
    /// then `extra`.
    fn call<A: redis::ToRedisArgs>(
        &mut self,
        shard: usize,
        script: &Lua,
        extra: &[String],
        args: &A,
    ) -> redis::RedisResult<Value> {
        let core = sent_core_keys(script);
        let group_keys;
        let extra: &[String] = if grouped(script) {
            let given = self.shards[shard].group_keys();
            let given = if is_fast_claim(script) {
                &given[..FAST_GROUP_KEYS]
            } else {
                &given[..]
            };
            group_keys = [given, extra].concat();
            &group_keys
        } else {
            extra
        };
        let all = self.shards[shard].all();
        let base = if is_fast_claim(script) {
            &all[..FAST_KEYS]
        } else if core {
            &all[..CORE_KEYS]
        } else {
            all
        };
        let joined: Vec<String>;
        // events (issue 26): the stream goes last, after the script's own keys (events.lua).
        let stream = (self.events && emits(script)) || always_emits(script);
        let keys = if extra.is_empty() && !stream {
            base
        } else {
            let mut all = [base, extra].concat();
            if stream {
                all.push(self.shards[shard].events());
            }
            joined = all;
            &joined
        };
        run(&mut self.conn, script, keys, args)
    }

    /// Plain commands in one round trip per node (`pipeline`), errors explained.
    pub(super) fn query_many(&mut self, first: &str, cmds: Vec<redis::Cmd>) -> Result<Vec<Value>> {
        let steps: Vec<Step> = cmds.into_iter().map(Step::Plain).collect();
        pipeline(&mut self.conn, &steps).map_err(|e| self.explain(0, e, first))
    }

    /// A WRONGTYPE error does not say which key; find it, so the user can look at it. Other
    /// errors get their hint (an ACL refusal says what to grant).
    pub(super) fn explain(&mut self, shard: usize, e: RedisError, command: &str) -> anyhow::Error {
        if let Some(full) = conn::out_of_memory(&e) {
            return full;
        }
        // A pipeline reports its failures in one error, so look at the text as well.
        if e.code() != Some("WRONGTYPE") && !e.to_string().contains("WRONGTYPE") {
            return conn::refused(&e, command).unwrap_or_else(|| conn::describe(e));
        }
        let keys = self.shards[shard].clone();
        for (key, def) in keys.with_defs() {
            let t: String = redis::cmd("TYPE")
                .arg(key)
                .query(&mut self.conn)
                .unwrap_or_default();
            if t != "none" && t != def.kind {
                return anyhow!(
                    "key {key} holds a {t}, not the {} rpq keeps there; \
                     rename or delete it, or use another --queue",
                    def.kind
                );
            }
        }
        e.into()
    }
}

/// Commands in one round trip per node: one pipeline on a single server, a cluster pipeline
/// (split by slot) on a cluster. Scripts among them go by hash; when a node answers NOSCRIPT
/// the whole batch is sent again with their sources (a script in it may then run twice, on
/// another node: the acks among them are told apart by their receipts, see common.lua).
pub fn pipeline(conn: &mut Conn, steps: &[Step]) -> redis::RedisResult<Vec<Value>> {
    match send(conn, steps, false) {
        Err(e) if is_noscript(&e) || e.to_string().contains("NOSCRIPT") => send(conn, steps, true),
        other => other,
    }
}

fn send(conn: &mut Conn, steps: &[Step], by_source: bool) -> redis::RedisResult<Vec<Value>> {
    match conn {
        Conn::Single(c) => {
            let mut p = redis::pipe();
            for s in steps {
                p.add_command(s.cmd(by_source));
            }
            p.query::<Vec<Value>>(c)
        }
        Conn::Cluster(c) => {
            let mut p = redis::cluster::cluster_pipe();
            for s in steps {
                p.add_command(s.cmd(by_source));
            }
            p.query::<Vec<Value>>(c.as_mut())
        }
    }
}

// Reply decoding: every script answers with integers, bulk strings and arrays of them.

pub fn array(v: Value) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Nil => Ok(vec![]),
        other => bail!("unexpected reply from redis: {other:?}"),
    }
}

pub fn int(v: Option<&Value>) -> Result<i64> {
    match v {
        Some(Value::Int(i)) => Ok(*i),
        Some(Value::BulkString(b)) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("unexpected reply from redis: expected a number")),
        other => bail!("unexpected reply from redis: expected a number, got {other:?}"),
    }
}

pub fn opt_string(v: Option<&Value>) -> Result<Option<String>> {
    match v {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::BulkString(b)) => Ok(Some(String::from_utf8_lossy(b).into_owned())),
        Some(Value::SimpleString(s)) => Ok(Some(s.clone())),
        Some(Value::Int(i)) => Ok(Some(i.to_string())),
        other => bail!("unexpected reply from redis: expected a string, got {other:?}"),
    }
}

/// A task's record (`tasks`, stored::Record) as text: as `opt_string`, but a head's error that
/// is not UTF-8 does not move where the body begins (`Record::text`).
pub fn opt_record(v: Option<&Value>) -> Result<Option<String>> {
    match v {
        Some(Value::BulkString(b)) => Ok(Some(super::stored::Record::text(b))),
        other => opt_string(other),
    }
}

pub fn string(v: Option<&Value>) -> Result<String> {
    opt_string(v)?.ok_or_else(|| anyhow!("unexpected reply from redis: missing value"))
}

/// An array of 1/0 flags.
pub fn flags(v: Value) -> Result<Vec<bool>> {
    array(v)?
        .iter()
        .map(|f| int(Some(f)).map(|f| f == 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variant with groups of each script, told by file and includes, is the one the
    /// table of pairs names; no other script has one; the keys each is sent follow.
    #[test]
    fn each_script_finds_its_variant_with_groups_by_what_it_carries() {
        let pairs: [(&Lua, &Lua); 19] = [
            (&CONTROL, &CONTROL_GROUPED),
            (&CONTROL_GROUPED, &CONTROL_GROUPED),
            (&DEAD, &DEAD_GROUPED),
            (&DEAD_GROUPED, &DEAD_GROUPED),
            (&MOVE, &MOVE_GROUPED),
            (&MOVE_GROUPED, &MOVE_GROUPED),
            (&GROUP_CTL, &GROUP_CTL),
            (&CLAIM_FAST, &CLAIM_FAST_GROUPED),
            (&CLAIM_FAST_GROUPED, &CLAIM_FAST_GROUPED),
            (&RELEASE, &RELEASE_GROUPED),
            (&RELEASE_GROUPED, &RELEASE_GROUPED),
            (&PUSH, &PUSH_GROUPED),
            (&PUSH_GROUPED, &PUSH_GROUPED),
            (&CLAIM, &CLAIM_GROUPED),
            (&CLAIM_GROUPED, &CLAIM_GROUPED),
            (&CLAIM_CONTROLLED, &CLAIM_CONTROLLED_GROUPED),
            (&CLAIM_CONTROLLED_GROUPED, &CLAIM_CONTROLLED_GROUPED),
            (&CLAIM_FLOWS, &CLAIM_FLOWS_GROUPED),
            (&CLAIM_FLOWS_GROUPED, &CLAIM_FLOWS_GROUPED),
        ];
        let core: [&Lua; 8] = [
            &CLAIM_FAST_GROUPED,
            &PUSH,
            &PUSH_GROUPED,
            &CLAIM,
            &CLAIM_GROUPED,
            &CLAIM_FAST,
            &UNKEEP,
            &RESULTS,
        ];
        for s in ALL.iter().map(|s| &***s) {
            let paired = pairs.iter().find(|(a, _)| std::ptr::eq(*a, s));
            let found = with_groups(s);
            assert_eq!(
                found.map(|g| g as *const Lua),
                paired.map(|(_, g)| *g as *const Lua),
                "{}",
                s.name
            );
            assert_eq!(
                grouped(s),
                paired.is_some_and(|(a, g)| std::ptr::eq(*a, *g)),
                "{}",
                s.name
            );
            let is_core = core.iter().any(|c| std::ptr::eq(*c, s));
            assert_eq!(sent_core_keys(s), is_core, "{}", s.name);
            assert_eq!(
                is_fast_claim(s),
                std::ptr::eq(s, &*CLAIM_FAST) || std::ptr::eq(s, &*CLAIM_FAST_GROUPED)
            );
        }
    }

    /// common.lua names every value it shares with Rust in `local NAME = value` lines; they
    /// must be the Rust ones, and a code common.lua names must be one Rust knows.
    #[test]
    fn common_lua_names_the_reply_codes_as_rust_does() {
        let src = include_str!("lua/common.lua");
        let shared = shared_with_lua();
        for (name, value) in &shared {
            let line = format!("local {name} = {value}");
            assert!(
                src.lines().any(|l| l.trim() == line),
                "common.lua lacks '{line}'"
            );
        }
        let named = src
            .lines()
            .filter(|l| {
                [
                    "local ACK_",
                    "local FAIL_",
                    "local FIRE_",
                    "local EXTEND_",
                    "local MOVE_",
                    "local HELD_",
                    "local PUSH_",
                    "local ERR_",
                    "local NEVER ",
                    "local WAKE_CAP ",
                    "local LAYOUT_NOTE ",
                ]
                .iter()
                .any(|p| l.starts_with(p))
            })
            .count();
        assert_eq!(
            named,
            shared.len(),
            "a code in common.lua Rust does not know"
        );
    }

    /// lean.lua's constants are common.lua's, line for line (and so Rust's, above).
    #[test]
    fn the_lean_prelude_names_its_constants_as_common_lua_does() {
        let common = include_str!("lua/common.lua");
        let lean = include_str!("lua/lean.lua");
        let consts: Vec<&str> = lean
            .lines()
            .filter(|l| l.starts_with("local ") && !l.starts_with("local K_"))
            .collect();
        assert!(consts.len() >= 3);
        for line in consts {
            assert!(
                common.lines().any(|l| l == line),
                "common.lua lacks '{line}'"
            );
        }
        assert!(!names(&CLAIM_LEAN.src).contains(&"function"));
        assert!(CLAIM_LEAN.src.contains("\n-- claim_lean:"));
    }

    #[test]
    fn every_script_carries_the_prelude_and_a_header() {
        for s in ALL {
            assert!(s.src.starts_with("-- common:"), "{}", s.name);
            let own = s.src.split("\n-- ").nth(1).unwrap_or("");
            assert!(
                !s.name.is_empty() && s.src.contains(&format!("\n-- {}:", s.name)),
                "{own}"
            );
            assert_eq!(s.hash.len(), 40);
        }
    }

    /// A helper defined twice in the prelude (or again by a script) silently replaces the first
    /// for everything after it, which is how two branches' helpers of the same name could each
    /// break the other's callers.
    #[test]
    fn every_lua_helper_is_defined_once() {
        let mut names: Vec<(&str, String)> = Vec::new();
        for s in ALL {
            let mut seen = std::collections::HashSet::new();
            for line in s.src.lines() {
                if let Some(rest) = line.trim_start().strip_prefix("local function ") {
                    let name = rest.split('(').next().unwrap_or("").trim().to_string();
                    if !seen.insert(name.clone()) {
                        names.push((s.name, name));
                    }
                }
            }
        }
        assert!(names.is_empty(), "defined twice: {names:?}");
    }

    /// Every helper of common.lua that a script's text names is defined in it, and the ones
    /// it never names are not: a push carries none of lease recovery's helpers.
    #[test]
    fn a_prelude_carries_the_helpers_its_script_calls_and_no_others() {
        let common = include_str!("lua/common.lua");
        let helpers: Vec<&str> = common
            .lines()
            .filter_map(|l| l.strip_prefix("local function "))
            .filter_map(|r| r.split('(').next())
            .collect();
        assert!(helpers.len() > 20);
        for s in ALL.iter() {
            let used: std::collections::HashSet<&str> = names(&s.src).into_iter().collect();
            for h in &helpers {
                let defined = s.src.contains(&format!("\nlocal function {h}("));
                assert_eq!(defined, used.contains(h), "{}: {h}", s.name);
            }
        }
        assert!(!PUSH.src.contains("local function bury("));
        // A helper only another helper calls comes along: get_claim reads old claims' state.
        assert!(CLAIM.src.contains("local function get_state("));
        let src = prelude(&[
            "local function a()\nend\nlocal function b()\n  a()\nend\nlocal function c()\nend",
            "b() -- c()",
        ]);
        assert_eq!(
            src,
            "local function a()\nend\nlocal function b()\n  a()\nend\nb() -- c()"
        );
        // Names in comments and string literals do not count.
        assert_eq!(
            names("x = f('a -- g()', \"h\\\"i\") .. j--k()"),
            ["x", "f", "j"]
        );
    }

    #[test]
    fn an_ack_is_ours_when_this_call_or_our_earlier_one_made_it() {
        assert!(AckCode::Acked.ours());
        assert!(AckCode::Earlier.ours());
        assert!(!AckCode::Finished.ours());
        assert!(!AckCode::Lost.ours());
    }
}
