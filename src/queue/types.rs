//! The queue's public data: what a claim asks and answers, the lease that proves a claim, counts
//! by state, dead tasks, the counters of the stats hash, and the states a task can be in with
//! what `show`, `list`, `cancel`, `move` and `queues` answer. Reading what the scripts store
//! into these is `stored`'s.

use super::keys::Key;
use crate::task::{rfc3339, Priority, Task};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// Throughput is counted per second over this many seconds (the ring in `lua/common.lua`).
pub const RECENT_SECS: i64 = 60;

/// The dead-letter set keeps at most this many tasks; the oldest go first.
pub const DEAD_CAP: u64 = 10_000;

/// A consumer counts as seen when it claimed, acknowledged or extended a lease within this window.
pub const SEEN_WITHIN_MS: i64 = 60_000;

/// What a consumer asks of a claim.
#[derive(Debug, Clone)]
pub struct ClaimOptions {
    pub consumer: String,
    pub lease: Duration,
    pub max_attempts: u32,
    /// How many tasks to lease at once.
    pub count: usize,
}

/// The proof of one claim: ack, extend, fail and release carry it, so a consumer whose lease
/// expired cannot finish a task someone else now holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lease {
    pub id: String,
    pub token: String,
}

/// No acks to send with a claim.
pub const NO_ACKS: &[Lease] = &[];

impl AsRef<Lease> for Lease {
    fn as_ref(&self) -> &Lease {
        self
    }
}

/// A task leased to this consumer.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub task: Task,
    pub token: String,
    pub claimed_at: DateTime<Utc>,
    /// Its fencing token (`claim::fence`): grows with every claim of the task.
    pub fence: u64,
}

impl Claimed {
    pub fn lease(&self) -> Lease {
        Lease {
            id: self.task.id.clone(),
            token: self.token.clone(),
        }
    }
}

/// A claimed task whose body could not be read.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub lease: Lease,
    pub reason: String,
    /// Which claim of the task this was.
    pub attempt: u32,
}

#[derive(Debug, Default)]
pub struct ClaimReply {
    pub now: DateTime<Utc>,
    /// One flag per ack sent with the claim: true acknowledged, false the lease was lost.
    pub acked: Vec<bool>,
    pub tasks: Vec<Claimed>,
    pub unreadable: Vec<Unreadable>,
    /// When nothing was claimed: when the next retry is due, if one is scheduled.
    pub next_retry: Option<DateTime<Utc>>,
    /// When nothing was claimed: when the first lease (of any consumer) expires.
    pub next_expiry: Option<DateTime<Utc>>,
    /// When nothing was claimed: when the first scheduled task falls due.
    pub next_due: Option<DateTime<Utc>>,
    // Controls (issue 13).
    /// When nothing was claimed while tasks wait: what held them back, and until when.
    pub held: Option<Held>,
    /// Whether the queue has controls (pauses, limits) in force, as the last shard said.
    pub controlled: bool,
}

/// What kept waiting tasks from being claimed (`rpq pause`, `rpq limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeldBy {
    Paused,
    /// A rate limit's bucket is empty.
    Rate,
    /// An in-flight cap is full: a task that leaves flight frees a slot (and wakes consumers).
    InFlight,
}

/// Waiting tasks held back by a control, and when one may be claimed: None for not before a
/// resume or a freed slot, which wake idle consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub by: HeldBy,
    pub until: Option<DateTime<Utc>>,
}

/// What a consumer that claimed nothing looks again for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookFor {
    Retry,
    /// A lease (any consumer's) runs out: its task comes back.
    LeaseExpiry,
    /// A scheduled task falls due.
    Due,
    /// A pause ends or a token comes (`Held`).
    Held(HeldBy),
}

impl ClaimReply {
    /// The earliest time a claim may find work that this one did not, and what for: the one
    /// time an idle consumer sleeps until (a push, a resume or a freed slot wakes it sooner).
    pub fn look_again(&self) -> Option<(DateTime<Utc>, LookFor)> {
        [
            self.next_retry.map(|t| (t, LookFor::Retry)),
            self.next_expiry.map(|t| (t, LookFor::LeaseExpiry)),
            self.next_due.map(|t| (t, LookFor::Due)),
            self.held
                .and_then(|h| h.until.map(|t| (t, LookFor::Held(h.by)))),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(t, _)| *t)
    }
}

/// What a lease extension (or a look at a lease) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeaseState {
    /// Still held with this claim's token (and extended, unless it was a look).
    Held,
    /// Expired and recovered, or taken by someone else: not ours any more.
    #[default]
    Lost,
    /// `rpq cancel` cancelled the task; it is gone from Redis now, and not coming back.
    Cancelled,
    /// A mark's answer only (`extend_delivering`): an earlier mark of this claim went through
    /// but its reply was lost, and lease recovery has finished the task as done since; its
    /// line is to say done, and no ack is owed.
    Delivered,
}

/// Context of an error from `Queue::push` on a sharded queue, which pushes shard by shard: the
/// tasks of the call that were confirmed before it failed (one flag each, true: queued or
/// already known), so a caller can say exactly what was queued.
#[derive(Debug, Clone)]
pub struct PushFailed {
    pub confirmed: Vec<bool>,
}

impl std::fmt::Display for PushFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.confirmed.iter().filter(|c| **c).count();
        write!(f, "{n} of {} tasks were confirmed", self.confirmed.len())
    }
}

/// What a push did with one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// A task of its id is waiting, scheduled, in flight, retrying or dead.
    Known,
    /// A task of its id finished at this time, and its result is kept (issue 11): the id stays
    /// known until the result expires.
    Done(DateTime<Utc>),
}

/// A task's kept result (the worker runtime, issue 11): what its handler answered once it was
/// done, or its error once it died. Its JSON form is what `result --json` and `produce --wait
/// --json` print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub id: String,
    pub outcome: KeptOutcome,
    #[serde(with = "rfc3339")]
    pub finished_at: DateTime<Utc>,
    /// The handler's output as it came (for `--pipe`, its `result`: a JSON string's text, other
    /// JSON as compact text); the JSON form holds it parsed when it is JSON, else as a string.
    #[serde(
        serialize_with = "result_json",
        skip_serializing_if = "Option::is_none"
    )]
    pub result: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeptOutcome {
    Done,
    Dead,
}

fn result_json<S: serde::Serializer>(r: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    let text = String::from_utf8_lossy(r.as_deref().unwrap_or_default());
    let text = text.strip_suffix('\n').unwrap_or(&text);
    crate::task::parse_payload(text).serialize(s)
}

/// What a wait for a task's end found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited {
    /// Done or dead, with what was kept.
    Finished(Kept),
    /// Dead, with no result kept (it died where no consumer could write one: its lease ran out
    /// on its last attempt, its ttl passed, or it could not be read).
    Dead(String),
    /// Gone without a trace: cancelled, cleared or purged.
    Gone,
    /// Still waiting, in flight or retrying.
    Pending,
}

/// The outcome of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    Retry,
    Dead,
    LeaseLost,
}

/// Counts of one queue, all O(1) or O(log n) on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Lengths {
    /// Waiting to be claimed, in total.
    pub waiting: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub in_flight: u64,
    /// Failed, waiting for their retry time.
    pub retrying: u64,
    pub dead: u64,
    /// Pushed for later, not due yet (not counted as waiting).
    pub scheduled: u64,
    /// Waiting for other tasks to be done (issue 24; not counted as waiting).
    pub blocked: u64,
}

impl Lengths {
    /// The count of one state: what ties a row of `STATES` to its field (a new state does not
    /// compile until it has one). Counting, clearing and removing go by `STATES` through it.
    pub fn of_state(&self, s: State) -> u64 {
        match s {
            State::Waiting => self.waiting,
            State::Scheduled => self.scheduled,
            State::InFlight => self.in_flight,
            State::Retrying => self.retrying,
            State::Dead => self.dead,
            State::Blocked => self.blocked,
        }
    }

    pub fn of_state_mut(&mut self, s: State) -> &mut u64 {
        match s {
            State::Waiting => &mut self.waiting,
            State::Scheduled => &mut self.scheduled,
            State::InFlight => &mut self.in_flight,
            State::Retrying => &mut self.retrying,
            State::Dead => &mut self.dead,
            State::Blocked => &mut self.blocked,
        }
    }

    /// Every task, whatever its state.
    pub fn tasks(&self) -> u64 {
        STATES.iter().map(|d| self.of_state(d.state)).sum()
    }

    pub fn of(&self, p: Priority) -> u64 {
        match p {
            Priority::HIGH => self.high,
            Priority::MEDIUM => self.medium,
            _ => self.low,
        }
    }
}

impl Cleared {
    /// What `clear` removed of the tasks counted by state in `l`, keeping `kept`.
    pub(super) fn of(l: &Lengths, kept: Vec<&'static str>) -> Cleared {
        Cleared {
            removed: l.tasks(),
            waiting: l.waiting,
            in_flight: l.in_flight,
            retrying: l.retrying,
            dead: l.dead,
            scheduled: l.scheduled,
            results: None,
            kept,
        }
    }
}

/// What `clear` removed (the tasks in flight are cancelled: their consumers stop them), and
/// what it kept of the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cleared {
    pub removed: u64,
    pub waiting: u64,
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
    pub scheduled: u64,
    /// `clear --all` only: the kept results it removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<u64>,
    /// What stays: "results", "totals", "consumers" (gone with `--all`), "settings",
    /// "schedules".
    pub kept: Vec<&'static str>,
}

/// What `queues remove` deleted: the tasks by state, the kept results and the keys in all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub queue: String,
    #[serde(rename = "removed")]
    pub tasks: u64,
    pub waiting: u64,
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
    pub scheduled: u64,
    pub results: u64,
    pub keys: u64,
}

/// What `dead retry` or `dead purge` did: how many tasks it moved, and the ids it was given that
/// are not in the dead set (none when it was given none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadMoved {
    pub moved: u64,
    pub unknown: Vec<String>,
}

/// A task in the dead-letter set. Its JSON form is a task line as `list --state dead` prints
/// it: the task fields (whose `attempt` is the attempts it had), its state, error and death.
#[derive(Debug, Clone, Serialize)]
pub struct DeadTask {
    #[serde(flatten)]
    pub task: Task,
    /// Always `State::Dead`.
    pub state: State,
    pub error: String,
    #[serde(with = "rfc3339")]
    pub died_at: DateTime<Utc>,
}

/// What the stats and consumers hashes hold, read at `now` (the server's clock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub now: DateTime<Utc>,
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
    pub recovered: u64,
    /// Done and failed in the last `RECENT_SECS` seconds.
    pub recent_done: u64,
    pub recent_failed: u64,
    /// Every consumer of the last day (older ones are pruned by the claim script).
    pub consumers: Vec<ConsumerSeen>,
    /// The last restart that came back without confirmed writes, as noticed by a consumer or
    /// producer (stats field `lost` = "ms|pushes|acks").
    pub lost: Option<LostWrites>,
}

/// Writes the server had confirmed and lost in a restart (see `queue::losses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostWrites {
    /// When it was noticed, by the server's clock.
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// Arrival numbers gone: tasks pushed and lost (and pushes refused as duplicates).
    pub pushes: u64,
    /// Acknowledgements gone: finished tasks that came back and may run again.
    pub acks: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerSeen {
    pub name: String,
    #[serde(with = "rfc3339")]
    pub last_seen: DateTime<Utc>,
    pub done: u64,
}

impl Counters {
    /// Adds the counters of another shard: totals add up; a consumer seen on several shards
    /// counts its latest time and the sum of what it did.
    pub fn add(&mut self, other: Counters) {
        self.pushed += other.pushed;
        self.done += other.done;
        self.failed += other.failed;
        self.recovered += other.recovered;
        self.recent_done += other.recent_done;
        self.recent_failed += other.recent_failed;
        self.lost = self.lost.take().or(other.lost);
        for seen in other.consumers {
            match self.consumers.iter_mut().find(|t| t.name == seen.name) {
                Some(t) => {
                    t.last_seen = t.last_seen.max(seen.last_seen);
                    t.done += seen.done;
                }
                None => self.consumers.push(seen),
            }
        }
        self.consumers.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// A snapshot of one queue for `stats`: everything comes from counters and set sizes, never a
/// scan of the tasks. Its JSON form is `rpq stats --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub queue: String,
    /// When the snapshot was taken, by the server's clock.
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// `waiting`, `high`, `medium`, `low` at the top, as `len` and `queues` print them: one
    /// shape for the same counts in every command.
    #[serde(flatten)]
    pub waiting: Waiting,
    pub in_flight: u64,
    pub retrying: u64,
    pub dead: u64,
    pub scheduled: u64,
    pub blocked: u64,
    pub pushed: u64,
    pub done: u64,
    pub failed: u64,
    pub recovered: u64,
    pub last_minute: Recent,
    pub oldest_waiting_ms: Option<u64>,
    /// The same per priority: how long the first in line of each has waited (null: none waits).
    pub oldest_waiting_by_priority_ms: OldestWaiting,
    /// The aging step (`rpq aging`), null when off.
    pub aging_ms: Option<u64>,
    /// Consumers seen within `SEEN_WITHIN_MS`.
    pub consumers: Vec<ConsumerSeen>,
    /// The server's maxmemory-policy (null when INFO is not allowed); anything that evicts
    /// keys without a TTL can drop tasks (`queue::losses`).
    pub eviction_policy: Option<String>,
    /// The last restart that came back without writes it had confirmed; null when none was seen.
    pub lost: Option<LostWrites>,
    // Controls (issue 13).
    /// The priorities paused, and until when.
    pub paused: Vec<Paused>,
    /// The limits in force (`rpq limit`).
    pub limits: Vec<Limit>,
    // Groups (issue 23), read by `rpq stats` only, and there only while some group has
    // waiting tasks: how many have, the largest by waiting tasks, the others summed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups_with_work: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_groups: Option<Vec<super::groups::GroupBacklog>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_groups: Option<super::groups::OtherGroups>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    #[serde(rename = "waiting")]
    pub total: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

/// How long the longest-waiting task of each priority has waited, in ms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OldestWaiting {
    pub high: Option<u64>,
    pub medium: Option<u64>,
    pub low: Option<u64>,
}

/// Tasks finished in the last 60 seconds.
#[derive(Debug, Clone, Serialize)]
pub struct Recent {
    pub done: u64,
    pub failed: u64,
}

impl Stats {
    /// The count of one state (see `Lengths::of_state`).
    pub fn of_state(&self, s: State) -> u64 {
        match s {
            State::Waiting => self.waiting.total,
            State::Scheduled => self.scheduled,
            State::InFlight => self.in_flight,
            State::Retrying => self.retrying,
            State::Dead => self.dead,
            State::Blocked => self.blocked,
        }
    }

    pub fn new(
        queue: &str,
        l: &Lengths,
        c: Counters,
        oldest_waiting: [Option<DateTime<Utc>>; 3],
        aging: Option<Duration>,
    ) -> Stats {
        let now = c.now;
        let waited =
            |t: Option<DateTime<Utc>>| t.map(|t| (now - t).num_milliseconds().max(0) as u64);
        let [high, medium, low] = oldest_waiting.map(waited);
        Stats {
            queue: queue.to_string(),
            at: now,
            waiting: Waiting {
                total: l.waiting,
                high: l.high,
                medium: l.medium,
                low: l.low,
            },
            in_flight: l.in_flight,
            retrying: l.retrying,
            dead: l.dead,
            scheduled: l.scheduled,
            blocked: l.blocked,
            pushed: c.pushed,
            done: c.done,
            failed: c.failed,
            recovered: c.recovered,
            last_minute: Recent {
                done: c.recent_done,
                failed: c.recent_failed,
            },
            oldest_waiting_ms: [high, medium, low].into_iter().flatten().max(),
            oldest_waiting_by_priority_ms: OldestWaiting { high, medium, low },
            aging_ms: aging.map(|a| a.as_millis() as u64),
            consumers: c
                .consumers
                .into_iter()
                .filter(|s| (now - s.last_seen).num_milliseconds() <= SEEN_WITHIN_MS)
                .collect(),
            eviction_policy: None,
            lost: c.lost,
            paused: vec![],
            limits: vec![],
            groups_with_work: None,
            top_groups: None,
            other_groups: None,
        }
    }

    /// The groups' part (issue 23), from `Queue::groups_summary`.
    pub fn with_groups(mut self, g: Option<super::groups::GroupsSummary>) -> Stats {
        if let Some(g) = g {
            self.groups_with_work = Some(g.groups_with_work);
            self.top_groups = Some(g.top);
            self.other_groups = Some(g.other);
        }
        self
    }
}

// Inspecting and controlling (issue 13): the states, and what show, list, cancel, move and queues
// answer. Their JSON forms are what the commands print, and what an HTTP API can send as they are.

/// What `show` found of an id: the task where it is, or a finished one by its kept result.
#[derive(Debug, Clone)]
pub enum Found {
    Task(Box<TaskInfo>),
    Finished(Kept),
}

/// Where a task is. Each state is one sorted set of a shard, as `STATES` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Waiting,
    Scheduled,
    InFlight,
    Retrying,
    Dead,
    Blocked,
}

/// A state, the sorted set that holds its tasks, and what that set's score is: the order `list`
/// reads them in.
#[derive(Debug, Clone, Copy)]
pub struct StateDef {
    pub state: State,
    /// As `--state` and the JSON say it.
    pub name: &'static str,
    /// Its count's field in the JSON of `len`, `stats` and the API, and its history column.
    pub field: &'static str,
    pub key: Key,
    pub order: &'static str,
    /// What its count is, as the help of its gauge in `/metrics` says.
    pub about: &'static str,
}

/// Every state a task can be in. `show` looks for a task in these sets in this order, `list`
/// reads one of them in score order, `cancel` removes a task from whichever holds it (in flight:
/// through its claim); `lengths`, `clear` (clear.lua is given these sets) and `queues remove`
/// count by this table. A new state is a row here, its set in `keys::LAYOUT`, the scripts that
/// move tasks into and out of it, its time in `TaskInfo::new` (`stored.rs`), and its field in
/// `Lengths` and `Stats` (their `of_state`, which does not compile without it); the gauges of
/// `/metrics` and the columns of serve's history (which the page reads by name) follow from the
/// row. Written out by hand still: `Cleared` and `Removed`, the printing of counts (`output/`,
/// `bench.rs`), a colour and a series of the page's charts if it is to be drawn, and move.lua
/// if it can be moved.
pub const STATES: [StateDef; 6] = [
    StateDef {
        state: State::Waiting,
        name: "waiting",
        field: "waiting",
        key: Key::Pending,
        order: "claim order: priority, then arrival",
        about: "Tasks waiting to be claimed",
    },
    StateDef {
        state: State::Scheduled,
        name: "scheduled",
        field: "scheduled",
        key: Key::Scheduled,
        order: "due time, the first due first",
        about: "Tasks pushed for later, not due yet",
    },
    StateDef {
        state: State::InFlight,
        name: "in-flight",
        field: "in_flight",
        key: Key::Inflight,
        order: "lease deadline, the first to expire first",
        about: "Tasks claimed and leased",
    },
    StateDef {
        state: State::Retrying,
        name: "retrying",
        field: "retrying",
        key: Key::Delayed,
        order: "retry time, the first due first",
        about: "Failed tasks waiting for their retry",
    },
    StateDef {
        state: State::Dead,
        name: "dead",
        field: "dead",
        key: Key::Dead,
        order: "time of death, the oldest first",
        about: "Tasks in the dead-letter set",
    },
    StateDef {
        state: State::Blocked,
        name: "blocked",
        field: "blocked",
        key: Key::Blocked,
        order: "claim order once released: priority, then arrival",
        about: "Tasks waiting for other tasks to be done (--after)",
    },
];

impl State {
    pub fn def(self) -> &'static StateDef {
        STATES
            .iter()
            .find(|d| d.state == self)
            .expect("every state has a row in STATES")
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }
}

impl std::str::FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<State, String> {
        STATES
            .iter()
            .find(|d| d.name == s)
            .map(|d| d.state)
            .ok_or_else(|| {
                let names: Vec<&str> = STATES.iter().map(|d| d.name).collect();
                format!("'{s}' is not a state; use {}", names.join(", "))
            })
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One task as `show` and `list` print it: the task fields (`attempt` is the claim in progress
/// while in flight, else the attempts made so far), its state, and what that state knows.
#[derive(Debug, Clone, Serialize)]
pub struct TaskInfo {
    #[serde(flatten)]
    pub task: Task,
    pub state: State,
    /// In flight: who holds it, since when, until when, and how many attempts it may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_time")]
    pub claimed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_time")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_time")]
    pub retry_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_time")]
    pub died_at: Option<DateTime<Utc>>,
    /// The last error: of the attempt that failed (retrying, waiting again) or of the last one
    /// (dead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Handlers that talk back (issue 25): progress, log, checkpoints, children, once-keys;
    /// each field only when there is something (`Queue::show_detailed`, in-flight `list`).
    #[serde(flatten)]
    pub ctl: Box<super::CtlInfo>,
    /// Flows (issue 24): its dependents, and the parents it still waits for (`show`).
    #[serde(flatten)]
    pub flow: FlowInfo,
}

/// What `show` says of a task's place in a flow (issue 24); its parents are in the task.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlowInfo {
    /// The blocked tasks that wait for it (not `children`: those are what its handler
    /// staged through `rpq ctl`, issue 25).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::task::parent_refs::serialize"
    )]
    pub dependents: Vec<String>,
    /// Of its parents, those not done yet (a blocked task).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::task::parent_refs::serialize"
    )]
    pub waits_for: Vec<String>,
}

/// Optional RFC 3339 times (serialized only when present).
pub(super) mod opt_time {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => crate::task::rfc3339::serialize(t, s),
            None => s.serialize_none(),
        }
    }
}

/// What `list` asks for: one state, optionally one type and one priority, a page of `n` after a
/// task (none: from the start).
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub state: State,
    pub kind: Option<String>,
    pub priority: Option<Priority>,
    pub n: usize,
    pub after: Option<String>,
}

/// A page of `list`.
/// A page of finished tasks whose result is kept, newest first (`Queue::completed`).
#[derive(Debug, Clone, Default)]
pub struct CompletedPage {
    pub results: Vec<Kept>,
    /// Results kept now (past their time ones not yet removed aside).
    pub total: u64,
    /// Whether results follow the last one of the page (continue after it).
    pub more: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub tasks: Vec<TaskInfo>,
    /// Tasks in the state (of the priority asked for, when it is `waiting`); the type filter,
    /// and a priority filter of other states, are not counted in.
    pub total: u64,
    /// Whether tasks follow the last one of the page (more may match: continue after it).
    pub more: bool,
}

/// The `after` task of a `list` is no longer in the state listed: the page cannot go on from it
/// (an HTTP API answers it apart from a failure).
#[derive(Debug)]
pub struct CursorGone(pub String);

impl std::fmt::Display for CursorGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CursorGone {}

/// A task that `cancel` found: removed, or (in flight) being stopped by its holder.
#[derive(Debug, Clone, Serialize)]
pub struct Cancelled {
    /// A task of another queue (`rpq flow cancel` follows a flow there), None for this one's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    pub id: String,
    /// The state it was in.
    pub state: State,
    /// In flight: the consumer that stops it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
}

/// What `move` did with one task.
#[derive(Debug, Clone)]
pub enum Moved {
    /// Moved; the task as it is now.
    Done(Box<TaskInfo>),
    /// In flight, held by this consumer: it can be moved once it is back in line.
    InFlight(String),
    Dead,
    /// Its stored body names no priority.
    Unreadable,
    Unknown,
}

/// One queue of the server and its counts (`rpq queues`).
#[derive(Debug, Clone, Serialize)]
pub struct QueueCounts {
    pub queue: String,
    pub shards: u32,
    #[serde(flatten)]
    pub counts: Lengths,
    /// The priorities paused, and until when (controls, issue 13).
    pub paused: Vec<Paused>,
}

// Controls (issue 13): pauses and limits, as `rpq pause`, `rpq limit` and `stats` show them.

/// A paused priority: no task of it is claimed until `until` (None: until resumed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paused {
    pub priority: u8,
    #[serde(with = "opt_time")]
    pub until: Option<DateTime<Utc>>,
}

/// A limit on the tasks of one type (or, `kind` None, of every task): a rate of `rate` tasks
/// per `per_ms` with bursts of `burst`, and/or at most `max_in_flight` in flight at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limit {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// groups (issue 23): the limit of this group (its key), for every group (`each_group`),
    /// else of a type or every task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub each_group: bool,
    pub rate: Option<u64>,
    pub per_ms: Option<u64>,
    pub burst: Option<u64>,
    pub max_in_flight: Option<u64>,
    /// Tasks in flight counted against the cap now (null without a cap).
    pub in_flight: Option<u64>,
}

/// A rate: `n` tasks per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub n: u64,
    pub per: Duration,
}

/// What `set_limit` sets; what it leaves None stays as it was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitChange {
    pub rate: Option<Rate>,
    /// The bucket: how many may go at once after a quiet spell (default: the rate's n).
    pub burst: Option<u64>,
    pub max_in_flight: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::super::stored::{Field, Stored};
    use super::*;
    use crate::task::ms_to_time;

    fn pairs(p: &[(&str, &str)]) -> Vec<Field> {
        p.iter().map(|(k, v)| Field::new(k, v)).collect()
    }

    /// What the scripts hold of a task: its record, with the head (attempts, error) of a
    /// task taken back.
    fn stored(score: &str, claim: Option<&str>, head: Option<(u32, &str)>) -> Stored {
        let head = head.map_or(String::new(), |(n, e)| format!("{n}|{}|{e}", e.len()));
        Stored {
            score: score.into(),
            body: Some(format!(
                r#"2000000000000007{head}{{"c":1000,"t":"mail","p":2,"d":{{"to":"a"}}}}"#
            )),
            claim: claim.map(String::from),
        }
    }

    #[test]
    fn task_info_reads_what_each_state_stores() {
        let held = TaskInfo::new(
            "x",
            State::InFlight,
            &stored(
                "5000",
                Some("x\tab12|4000|2|3|2000000000000007|c|1"),
                Some((1, "the error of attempt 1")),
            ),
        );
        assert_eq!(held.task.attempt, 2);
        assert_eq!(held.consumer.as_deref(), Some("c|1"), "a name may hold a |");
        assert_eq!(held.claimed_at, Some(ms_to_time(4000)));
        assert_eq!(held.lease_until, Some(ms_to_time(5000)));
        assert_eq!(held.max_attempts, Some(3));
        assert_eq!((held.retry_at, held.error.as_deref()), (None, None));

        let retrying = TaskInfo::new(
            "x",
            State::Retrying,
            &stored("9000", None, Some((1, "exit status 1: a|b {\"p\":3,"))),
        );
        assert_eq!(retrying.task.attempt, 1);
        assert_eq!(retrying.retry_at, Some(ms_to_time(9000)));
        assert_eq!(
            retrying.error.as_deref(),
            Some("exit status 1: a|b {\"p\":3,")
        );
        assert_eq!(
            retrying.task.priority,
            Priority::MEDIUM,
            "the body's, not the error's"
        );
        assert_eq!((retrying.consumer, retrying.lease_until), (None, None));

        let dead = TaskInfo::new("x", State::Dead, &stored("7000", None, Some((3, "boom"))));
        assert_eq!(
            (dead.task.attempt, dead.error.as_deref()),
            (3, Some("boom"))
        );
        assert_eq!(dead.died_at, Some(ms_to_time(7000)));

        let waiting = TaskInfo::new("x", State::Waiting, &stored("2000000000000007", None, None));
        assert_eq!(
            (waiting.task.attempt, waiting.task.kind.as_str()),
            (0, "mail")
        );
        let v = serde_json::to_value(&waiting).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "attempt",
                "created_at",
                "id",
                "payload",
                "priority",
                "state",
                "type"
            ],
            "nothing a waiting task does not have"
        );

        // A body that cannot be read is shown, with why, rather than hidden.
        let mut broken = stored("3000000000000001", None, None);
        broken.body = Some("{".into());
        let b = TaskInfo::new("x", State::Waiting, &broken);
        assert_eq!(
            (b.task.kind.as_str(), b.task.priority),
            ("?", Priority::LOW)
        );
        assert!(b.error.unwrap().starts_with("stored body is not valid"));
    }

    #[test]
    fn states_go_by_their_names() {
        for d in STATES {
            assert_eq!(d.name.parse::<State>(), Ok(d.state));
            assert_eq!(d.state.name(), d.name);
            assert_eq!(serde_json::to_value(d.state).unwrap(), d.name);
        }
        assert!("active"
            .parse::<State>()
            .unwrap_err()
            .contains("waiting, scheduled, in-flight"));
    }

    #[test]
    fn the_last_minute_sums_the_slots_of_the_last_60_seconds() {
        let now_ms = 1_000_000_500;
        let now = 1_000_000;
        let stats = pairs(&[
            ("pushed", "10"),
            ("done", "7"),
            ("failed", "2"),
            ("recovered", "1"),
            ("released", "3"),
            ("m:40", &format!("{now}|3|1")),
            ("m:41", &format!("{}|2|0", now - 59)),
            // A minute old or older: stale, whatever its slot says.
            ("m:40b", &format!("{}|100|100", now - 60)),
            ("m:12", &format!("{}|100|100", now - 3600)),
            // From the future (another server's clock): not counted either.
            ("m:13", &format!("{}|100|100", now + 5)),
            ("m:14", "garbage"),
            ("checks", "123|456"),
            // Issue 15's fields, a pair a second, beside an older rpq's ring.
            ("d:1000000", "4"),
            ("f:1000000", "1"),
            ("d:999941", "10"),
            ("d:999940", "100"),
            ("f:1000001", "100"),
            ("d:x", "100"),
            ("ring", "1000000"),
        ]);
        let c = Counters::parse(now_ms, &stats, &[]);
        // Layout 2: the seconds' fields are not in the totals yet, whatever their age.
        assert_eq!(
            (c.pushed, c.done, c.failed, c.recovered),
            (10, 7 + 4 + 10 + 100, 2 + 1 + 100, 1)
        );
        assert_eq!((c.recent_done, c.recent_failed), (5 + 14, 1 + 1));
        assert_eq!(c.now, ms_to_time(now_ms));
    }

    #[test]
    fn consumers_carry_their_last_heartbeat_and_tasks_done() {
        let consumers = pairs(&[("w2", "1000|7"), ("w1", "2000|0"), ("old", "3000")]);
        let c = Counters::parse(5000, &[], &consumers);
        let got: Vec<(&str, i64, u64)> = c
            .consumers
            .iter()
            .map(|s| (s.name.as_str(), s.last_seen.timestamp_millis(), s.done))
            .collect();
        assert_eq!(got, [("old", 3000, 0), ("w1", 2000, 0), ("w2", 1000, 7)]);
    }

    #[test]
    fn shards_add_up_and_a_consumer_on_two_shards_counts_once() {
        let mut a = Counters::parse(5000, &pairs(&[("done", "2")]), &pairs(&[("w", "1000|2")]));
        let b = Counters::parse(5000, &pairs(&[("done", "3")]), &pairs(&[("w", "4000|3")]));
        a.add(b);
        assert_eq!(a.done, 5);
        assert_eq!(a.consumers.len(), 1);
        assert_eq!(a.consumers[0].done, 5);
        assert_eq!(a.consumers[0].last_seen.timestamp_millis(), 4000);
    }
}
