//! Flows (issue 24): tasks that wait for other tasks. A push of tasks with parents goes as
//! flow_push.lua (push.lua queues the others); the release of a child, and the failure handed
//! down to it, are in the scripts that finish tasks (lua/flows.lua). docs/flows.md.

use super::inspect::{state_args, state_at};
use super::keys::Key;
use super::keys::{shard_of, CORE_KEYS};
use super::script::{
    array, int, opt_string, string, PushCode, ERR_UNKNOWN_PARENT, FLOW_APPLY, FLOW_CANCEL,
    FLOW_LINK, FLOW_OWED, FLOW_PUSH, FLOW_SUBMIT, FLOW_UNBOX,
};
use super::{Cancelled, Kept, Pushed, Queue};
use crate::error::UsageError;
use crate::task::{ms_to_time, remote_ref, split_ref, NewTask, Task};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

/// A parent the queue does not know: exit 1, nothing queued.
#[derive(Debug)]
pub struct UnknownParent {
    pub queue: String,
    pub parent: String,
}

impl std::fmt::Display for UnknownParent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--after {}: queue '{}' knows no such task (never pushed, or finished longer ago \
             than its finished window, `rpq flow window`, or while it had no task with --after \
             waiting: push parents with --keep-result to keep them known); nothing was queued",
            self.parent, self.queue
        )
    }
}
impl std::error::Error for UnknownParent {}

impl Queue {
    /// What the push of tasks with parents cannot do yet, refused before anything is written.
    pub(super) fn check_flows(&self, tasks: &[NewTask]) -> Result<()> {
        if tasks.iter().all(|t| t.after.is_none()) {
            return Ok(());
        }
        let own = |p: &String| split_ref(p).is_some_and(|(q, _)| q == self.name);
        if let Some(t) = tasks
            .iter()
            .find(|t| t.after.as_ref().is_some_and(|a| a.parents.iter().any(own)))
        {
            return Err(UsageError(format!(
                "task {}: --after-in names queue '{}', the task's own: name its tasks with --after",
                t.id, self.name
            ))
            .into());
        }
        if let Some(t) = tasks.iter().find(|t| t.after.is_some() && !t.when.is_now()) {
            return Err(UsageError(format!(
                "task {}: --after with --in, --at or --ttl is not supported yet; a task that waits \
                 for others runs once they are done",
                t.id
            ))
            .into());
        }
        Ok(())
    }

    /// The push of one shard's tasks when some have parents (flow_push.lua): all or nothing.
    pub(super) fn push_flow(
        &mut self,
        shard: usize,
        tasks: &[&NewTask],
    ) -> Result<(DateTime<Utc>, Vec<Pushed>)> {
        let (keys, args) = self.flow_push_args(shard, tasks);
        let resent = self.resent;
        let reply = match self.invoke_with(shard, &FLOW_PUSH, &keys, &args, "pushing tasks") {
            Ok(r) => r,
            Err(e) => {
                // The script's error, as the call's error text carries it: `"RPQUNKNOWN": ID`.
                let unknown = e.chain().find_map(|c| {
                    let text = c.to_string();
                    let at = text.find(ERR_UNKNOWN_PARENT)? + ERR_UNKNOWN_PARENT.len();
                    Some(text[at..].trim_start_matches(['"', ':', ' ']).to_string())
                });
                return Err(match unknown {
                    Some(parent) => UnknownParent {
                        queue: self.name.clone(),
                        parent: parent.trim().to_string(),
                    }
                    .into(),
                    None => e,
                });
            }
        };
        self.flow_push_reply(reply, tasks.len(), resent)
    }

    /// flow_push.lua's keys after the layout's and its ARGV, for `tasks` of `shard`.
    fn flow_push_args(&self, shard: usize, tasks: &[&NewTask]) -> (Vec<String>, Vec<String>) {
        let mut args: Vec<String> = vec![tasks.len().to_string(), self.dead_cap.to_string()];
        let mut keys: Vec<String> = Vec::new();
        for t in tasks {
            args.push(t.id.clone());
            args.push(t.priority.get().to_string());
            args.push(t.body());
            let (policy, parents) = match &t.after {
                Some(a) => (a.on_failure.lua(), a.parents.as_slice()),
                None => ("", &[][..]),
            };
            args.push(policy.to_string());
            args.push(parents.len().to_string());
            for p in parents {
                args.push(p.clone());
                keys.push(self.shards[shard].result(p));
            }
        }
        keys.push(self.shards[shard].kept());
        (keys, args)
    }

    /// flow_push.lua's reply: the created time and what became of each of the `n` tasks.
    fn flow_push_reply(
        &mut self,
        reply: redis::Value,
        n: usize,
        resent: bool,
    ) -> Result<(DateTime<Utc>, Vec<Pushed>)> {
        let items = array(reply)?;
        let created = ms_to_time(int(items.first())?);
        let flags = items
            .iter()
            .skip(1)
            .take(n)
            .map(|v| {
                Ok(match PushCode::from_reply(v)? {
                    PushCode::Queued => Pushed::Queued,
                    PushCode::Known if resent => Pushed::Queued,
                    _ => Pushed::Known,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if int(items.last())? == 1 {
            self.pinned = false;
            self.pin()?;
        }
        Ok((created, flags))
    }
}

/// One shard's part of a flow submitted whole (`Queue::submit_whole`).
struct WholePart {
    /// flow_submit.lua's kind: 'p' push.lua (tasks without parents that have a time or a
    /// group), 'f' flow_push.lua, 'F' flow_push.lua after its shard's 'p' part.
    kind: &'static str,
    queue: String,
    shard: usize,
    /// The flow's index of each of its tasks.
    idx: Vec<usize>,
    keys: Vec<String>,
    args: Vec<String>,
}

/// A parent on another tag than its child's in a flow submitted whole: its queue and id, the
/// child as the parent's shard knows it, the child's part, id, and the parent as the child's
/// shard knows it.
struct WholeEdge {
    queue: String,
    parent: String,
    child_ref: String,
    part: usize,
    child: String,
    parent_ref: String,
}

impl Queue {
    /// `rpq flow submit` on one server (not a cluster): the whole flow, every queue and shard of
    /// it, in one call of flow_submit.lua, so all or nothing: every task queued, linked to its
    /// parents and counted, or nothing written (a refusal is found before the first write; a
    /// producer killed or cut off sent the call whole or not at all). `flow`: each task's queue
    /// ("" for this one) and the task, parents first; returns what became of each.
    pub fn submit_whole(&mut self, flow: &[(String, NewTask)]) -> Result<Vec<Pushed>> {
        let mut names: Vec<String> = Vec::new();
        for (q, _) in flow {
            let q = if q.is_empty() { &self.name } else { q };
            if !names.contains(q) {
                names.push(q.clone());
            }
        }
        let mut parts: Vec<WholePart> = Vec::new();
        let mut edges: Vec<WholeEdge> = Vec::new();
        for name in &names {
            let idx: Vec<usize> = (0..flow.len())
                .filter(|&i| {
                    let q = &flow[i].0;
                    (if q.is_empty() { &self.name } else { q }) == name
                })
                .collect();
            // A root with a time or a group goes as push.lua's code (a child has no time,
            // check_flows, and waits for no group's turn while blocked: flow_push.lua's); its
            // children elsewhere are linked in the same call, so it needs no flow of its own.
            let plain = |t: &NewTask| {
                t.after.as_ref().is_none_or(|a| a.parents.is_empty())
                    && (!t.when.is_now() || t.group.is_some())
            };
            let tasks: Vec<NewTask> = idx
                .iter()
                .map(|&i| {
                    let mut t = flow[i].1.clone();
                    if plain(&t) {
                        t.after = None;
                    }
                    t
                })
                .collect();
            let q = self.other(name)?;
            q.check_placed(&tasks)?;
            q.grouped |= tasks.iter().any(|t| t.group.is_some());
            q.pin()?;
            q.check_flows(&tasks)?;
            let tasks = q.cross_shard(&tasks).into_owned();
            let first = parts.len();
            for (shard, sidx) in q.by_shard(&tasks, |t| &t.id) {
                let (plain, linked): (Vec<usize>, Vec<usize>) =
                    sidx.iter().partition(|&&i| plain(&tasks[i]));
                let k = q.shards[shard].clone();
                if !plain.is_empty() {
                    let part: Vec<&NewTask> = plain.iter().map(|&i| &tasks[i]).collect();
                    let (extra, args) = q.push_args(shard, &part);
                    let mut keys = k.all()[..CORE_KEYS].to_vec();
                    keys.extend(k.group_keys());
                    keys.extend(extra);
                    keys.push(k.events());
                    parts.push(WholePart {
                        kind: "p",
                        queue: name.clone(),
                        shard,
                        idx: plain.iter().map(|&i| idx[i]).collect(),
                        keys,
                        args,
                    });
                }
                if !linked.is_empty() {
                    let part: Vec<&NewTask> = linked.iter().map(|&i| &tasks[i]).collect();
                    let (extra, args) = q.flow_push_args(shard, &part);
                    let mut keys = k.all().to_vec();
                    keys.extend(extra);
                    // Given always, flow_push.lua writes events only while the checks say so.
                    keys.push(k.events());
                    parts.push(WholePart {
                        kind: if plain.is_empty() { "f" } else { "F" },
                        queue: name.clone(),
                        shard,
                        idx: linked.iter().map(|&i| idx[i]).collect(),
                        keys,
                        args,
                    });
                }
            }
            for e in q.remote_parents(&tasks) {
                let at = idx[e.index];
                let part = first
                    + parts[first..]
                        .iter()
                        .position(|p| p.idx.contains(&at))
                        .expect("each task is in a part");
                edges.push(WholeEdge {
                    queue: if e.queue.is_empty() {
                        name.clone()
                    } else {
                        e.queue.clone()
                    },
                    parent_ref: remote_ref(&e.queue, &e.parent),
                    parent: e.parent,
                    child_ref: e.child_ref,
                    part,
                    child: e.child,
                });
            }
        }
        // The links, by the parent's shard.
        let mut links: std::collections::BTreeMap<(String, usize), Vec<usize>> = Default::default();
        for (i, e) in edges.iter().enumerate() {
            let shard = self.other(&e.queue)?.shard_of(&e.parent);
            links.entry((e.queue.clone(), shard)).or_default().push(i);
        }
        let mut keys: Vec<String> = Vec::new();
        let mut args: Vec<String> = vec![parts.len().to_string(), links.len().to_string()];
        for p in &parts {
            keys.extend_from_slice(&p.keys);
            args.push(p.kind.to_string());
            args.push(p.keys.len().to_string());
            args.push(p.args.len().to_string());
            args.extend_from_slice(&p.args);
        }
        for ((queue, shard), list) in &links {
            let k = self.other(queue)?.shards[*shard].clone();
            let mut lk = k.all().to_vec();
            lk.extend(list.iter().map(|&i| k.result(&edges[i].parent)));
            lk.push(k.kept());
            args.push(lk.len().to_string());
            args.push(list.len().to_string());
            keys.extend(lk);
            for &i in list {
                let e = &edges[i];
                args.extend([
                    e.parent.clone(),
                    e.child_ref.clone(),
                    (e.part + 1).to_string(),
                    e.child.clone(),
                    e.parent_ref.clone(),
                ]);
            }
        }
        let resent = self.resent;
        let reply: redis::Value = super::script::run(&mut self.conn, &FLOW_SUBMIT, &keys, &args)
            .map_err(|e| self.explain(0, e, "EVALSHA"))
            .with_context(|| format!("submitting a flow to queue '{}'", self.name))?;
        let mut out = vec![Pushed::Known; flow.len()];
        let mut reply = array(reply)?.into_iter();
        let (replies, released) = (
            array(reply.next().unwrap_or(redis::Value::Nil))?,
            array(reply.next().unwrap_or(redis::Value::Nil))?,
        );
        for ((p, r), rel) in parts.iter().zip(replies).zip(released) {
            let q = self.other(&p.queue)?;
            let (_, flags) = if p.kind == "p" {
                q.push_reply(r, p.idx.len(), resent)?
            } else {
                q.flow_push_reply(r, p.idx.len(), resent)?
            };
            q.floor_pushed(p.shard, p.idx.len());
            let queued = flags.iter().filter(|f| **f == Pushed::Queued).count() as u64;
            // A child released at once (a parent done already) is queued or was known.
            q.wake_others(p.shard, queued + int(Some(&rel))? as u64)?;
            for (&i, f) in p.idx.iter().zip(flags) {
                out[i] = f;
            }
        }
        Ok(out)
    }
}

impl Queue {
    /// A task's children and the parents it still waits for (`show`): one round trip, only for
    /// a task that has parents or may have children (read from the kids hash).
    pub(super) fn fill_flow(&mut self, t: &mut super::TaskInfo) -> Result<()> {
        let shard = self.shard_of(&t.task.id);
        let k = self.shards[shard].clone();
        let id = &t.task.id;
        let mut cmds = vec![{
            let mut c = redis::cmd("HGET");
            c.arg(k.get(Key::Kids)).arg(id);
            c
        }];
        for p in &t.task.parents {
            let mut c = redis::cmd("HEXISTS");
            c.arg(k.get(Key::Waits)).arg(format!("{id}\t{p}"));
            cmds.push(c);
        }
        let replies = self.query_many("HGET", cmds)?;
        let kids: Option<String> = redis::from_redis_value(replies[0].clone())?;
        t.flow.dependents = kids
            .map(|v| v.split('\t').map(str::to_string).collect())
            .unwrap_or_default();
        if t.state == super::State::Blocked {
            for (p, r) in t.task.parents.iter().zip(&replies[1..]) {
                if redis::from_redis_value::<i64>(r.clone())? == 1 {
                    t.flow.waits_for.push(p.clone());
                }
            }
        }
        Ok(())
    }
}

impl Queue {
    /// The kept results of a child's parents (issue 24, RPQ_PARENT_RESULTS), in its order;
    /// None for a parent whose result is not kept (or past its time).
    pub fn parent_results(&mut self, parents: &[String]) -> Result<Vec<(String, Option<Kept>)>> {
        let mut kept = self.kept_results(parents)?;
        // A parent in another queue: its result is kept there.
        for (p, k) in parents.iter().zip(kept.iter_mut()) {
            if let Some((q, id)) = split_ref(p) {
                *k = self
                    .other(q)?
                    .kept_results(std::slice::from_ref(&id.to_string()))?
                    .pop()
                    .flatten();
            }
        }
        Ok(parents.iter().cloned().zip(kept).collect())
    }
}

impl Queue {
    /// `rpq flow cancel` (flow_cancel.lua): the task `id` and each task downstream of it that
    /// has not run, cancelled as `cancel` does; None when the queue does not know `id`.
    pub fn flow_cancel(&mut self, id: &str) -> Result<Option<Vec<Cancelled>>> {
        let shard = self.shard_of(id);
        let mut args = state_args();
        args.push(id.to_string());
        let items = array(self.invoke(shard, &FLOW_CANCEL, &args, "cancelling a flow")?)?;
        if int(items.first())? == 0 {
            return Ok(None);
        }
        let mut out = self.cancelled_of(&items)?;
        // Across tags: the lines 'c' the walk left for children in other queues and shards,
        // applied there by this process, which lists what they cancel; what it leaves (it
        // died, a link failed, deeper than MOVE_DEPTH) the consumers of the queue move, so a
        // failure here does not fail the cancel made.
        let _ = self.cancel_across(shard, &mut out, 0);
        self.move_outbox_quietly(shard);
        Ok(Some(out))
    }

    /// The tasks a reply of flow_cancel.lua cancelled (after its first item), their control
    /// data gone (issue 25, as `cancel`).
    fn cancelled_of(&mut self, items: &[redis::Value]) -> Result<Vec<Cancelled>> {
        let mut out = Vec::new();
        for c in items.get(1..).unwrap_or_default().chunks(3) {
            let Some(state) = state_at(int(c.get(1))?) else {
                continue;
            };
            out.push(Cancelled {
                queue: None,
                id: string(c.first())?,
                state,
                consumer: opt_string(c.get(2))?,
            });
        }
        let ids: Vec<String> = out.iter().map(|c| c.id.clone()).collect();
        self.ctl_gone(&ids)?;
        Ok(out)
    }

    /// The lines 'c' of `shard`'s outbox applied on their children's shards (flow_cancel.lua,
    /// the walk going on there), what they cancelled added to `out` (with its queue when not
    /// this one), and then removed from the outbox.
    fn cancel_across(
        &mut self,
        shard: usize,
        out: &mut Vec<Cancelled>,
        depth: usize,
    ) -> Result<()> {
        if depth > MOVE_DEPTH {
            return Ok(());
        }
        let kids = self.shards[shard].get(Key::Kids).to_string();
        let mut c = redis::cmd("HGET");
        c.arg(&kids).arg(OUTBOX);
        let v: Option<String> =
            redis::from_redis_value(self.query_many("HGET", vec![c])?.remove(0))?;
        let lines: Vec<String> = v
            .unwrap_or_default()
            .split('\n')
            .filter(|l| l.starts_with("c\t"))
            .map(String::from)
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        let mut by: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
        for line in &lines {
            let mut f = line.splitn(3, '\t').skip(1);
            let (Some(child), Some(parent)) = (f.next(), f.next()) else {
                continue;
            };
            let Some((q, id)) = split_ref(child) else {
                continue;
            };
            let from = if q.is_empty() { "" } else { self.name.as_str() };
            by.entry(q.to_string())
                .or_default()
                .push((id.to_string(), remote_ref(from, parent)));
        }
        let home = self.name.clone();
        for (q, pairs) in by {
            let other = self.other(&q)?;
            let name = other.name.clone();
            for (s, idx) in other.by_shard(&pairs, |p| &p.0) {
                let mut args = state_args();
                args.push(String::new());
                for &i in &idx {
                    args.push(pairs[i].0.clone());
                    args.push(pairs[i].1.clone());
                }
                let items = array(other.invoke(s, &FLOW_CANCEL, &args, "cancelling a flow")?)?;
                let mut found = other.cancelled_of(&items)?;
                let mut deeper = Vec::new();
                other.cancel_across(s, &mut deeper, depth + 1)?;
                found.extend(deeper);
                for c in &mut found {
                    let q = c.queue.get_or_insert_with(|| name.clone());
                    if *q == home {
                        c.queue = None;
                    }
                }
                out.extend(found);
            }
        }
        super::script::run::<i64, _>(&mut self.conn, &FLOW_UNBOX, &[kids], &lines)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("moving the outbox of queue '{}'", self.name))?;
        Ok(())
    }
}

/// How long a shard with flows knows the ids it finished when the queue does not say (the
/// stats field `flow_window`, ms; flows.lua has the same).
pub const FLOW_WINDOW_DEFAULT: std::time::Duration = std::time::Duration::from_secs(3600);

impl Queue {
    /// `rpq flow window [DUR]`: sets the finished window on every shard when `set`, and answers
    /// the window (shard 0's: every shard is set alike).
    pub fn flow_window(&mut self, set: Option<std::time::Duration>) -> Result<std::time::Duration> {
        if let Some(d) = set {
            let cmds = self
                .shards
                .iter()
                .map(|k| {
                    let mut c = redis::cmd("HSET");
                    c.arg(k.stats())
                        .arg("flow_window")
                        .arg(d.as_millis() as u64);
                    c
                })
                .collect();
            self.query_many("HSET", cmds)?;
            return Ok(d);
        }
        let mut c = redis::cmd("HGET");
        c.arg(self.shards[0].stats()).arg("flow_window");
        let v: Option<u64> = redis::from_redis_value(self.query_many("HGET", vec![c])?.remove(0))?;
        Ok(v.map_or(FLOW_WINDOW_DEFAULT, std::time::Duration::from_millis))
    }
}

/// The kids field that is the outbox of a shard (lua/flows.lua's OUTBOX).
const OUTBOX: &str = "\u{1e}";

/// Whether the reply of ack.lua or keep.lua (its items) ends with OUTBOX, which it does when
/// its acks wrote lines to the shard's outbox (flows.lua: outbox_written); the mark is taken
/// off. A caller that does not know that the shard has flows (`rpq serve`'s API, whose
/// connection may never have claimed) moves the lines then, as a consumer does.
pub(super) fn outbox_written(items: &mut Vec<redis::Value>) -> bool {
    let marked = items
        .last()
        .is_some_and(|v| redis::from_redis_value::<String>(v.clone()).is_ok_and(|s| s == OUTBOX));
    if marked {
        items.pop();
    }
    marked
}

/// fail.lua's reply: its code, and whether the death wrote lines to the outbox (then the reply
/// is `[code, OUTBOX]`).
pub(super) fn fail_outbox(reply: redis::Value) -> (redis::Value, bool) {
    match reply {
        redis::Value::Array(mut items) => {
            let wrote = outbox_written(&mut items);
            (items.into_iter().next().unwrap_or(redis::Value::Nil), wrote)
        }
        other => (other, false),
    }
}

/// The kids field of the links owed for children of the shard (lua/flows.lua's OWED).
const OWED: &str = "\u{1d}";
/// How far a failure is handed on from shard to shard by one move of an outbox; what is left
/// the next claim of that shard moves.
const MOVE_DEPTH: usize = 8;

/// Which call of flow_link.lua: the look before the push, the link after it, or the link of
/// parents pushed by the same call, before it.
#[derive(Clone, Copy)]
enum Link {
    Look,
    After,
    Early,
}

/// A parent on another shard or in another queue: the queue ("" for the child's own, on
/// another shard), its id there, the child as that shard knows it ("queue\x1fid", the queue
/// "" when the same), the child's id, and its index among the tasks pushed.
struct RemoteEdge {
    queue: String,
    parent: String,
    child_ref: String,
    child: String,
    index: usize,
}

impl Queue {
    /// Another queue on the same server, opened once (flows across queues); "" is this one.
    pub(super) fn other(&mut self, name: &str) -> Result<&mut Queue> {
        if name.is_empty() || name == self.name {
            return Ok(self);
        }
        if !self.others.contains_key(name) {
            let mut cfg = self.cfg.clone();
            cfg.queue = name.to_string();
            cfg.shards = None;
            let q = Queue::open(&cfg)?;
            self.others.insert(name.to_string(), q);
        }
        Ok(self.others.get_mut(name).expect("inserted above"))
    }

    /// flow_link.lua on the shard of each parent: for each (parent, child ref), the parent's
    /// state (0 unknown, 1 not finished, 2 done, 3 dead), and each parent not finished now has
    /// the child among its kids (`Link::Look`: when every parent looked at there is known;
    /// `Link::Early`: parents about to be pushed, not looked at).
    fn link_call(&mut self, how: Link, pairs: &[(String, String)]) -> Result<Vec<i64>> {
        let mut out = vec![0; pairs.len()];
        for (shard, idx) in self.by_shard(pairs, |(p, _)| p) {
            let mut keys: Vec<String> = idx
                .iter()
                .map(|&i| self.shards[shard].result(&pairs[i].0))
                .collect();
            keys.push(self.shards[shard].kept());
            let mode = match how {
                Link::Look => "1",
                Link::After => "",
                Link::Early => "2",
            };
            let mut args = vec![mode.to_string()];
            for &i in &idx {
                args.push(pairs[i].0.clone());
                args.push(pairs[i].1.clone());
            }
            let reply = self.invoke_with(shard, &FLOW_LINK, &keys, &args, "linking a flow")?;
            for (&i, v) in idx.iter().zip(array(reply)?) {
                out[i] = int(Some(&v))?;
            }
        }
        Ok(out)
    }

    /// flow_apply.lua on the shard of each child: (kind, child id, parent ref) triples; the
    /// shards whose outbox has lines now (a failure handed further on).
    fn apply_call(&mut self, triples: &[[String; 3]]) -> Result<Vec<usize>> {
        let mut more = Vec::new();
        for (shard, idx) in self.by_shard(triples, |t| &t[1]) {
            let mut args = vec![self.dead_cap.to_string()];
            for &i in &idx {
                args.extend_from_slice(&triples[i]);
            }
            let reply = self.invoke(shard, &FLOW_APPLY, &args, "releasing tasks of a flow")?;
            // Consumers of a sharded queue block on shard 0's wake list.
            self.wake_others(shard, 1)?;
            if int(Some(&reply))? == 1 {
                more.push(shard);
            }
        }
        Ok(more)
    }

    /// The tasks pushed with each parent on another shard of this queue named "\x1fID" (the
    /// release crosses hash tags through the outbox, as one from another queue).
    pub(super) fn cross_shard<'a>(&self, tasks: &'a [NewTask]) -> std::borrow::Cow<'a, [NewTask]> {
        let n = self.shards.len();
        let crosses = |t: &NewTask| {
            t.after.as_ref().is_some_and(|a| {
                a.parents
                    .iter()
                    .any(|p| split_ref(p).is_none() && shard_of(p, n) != shard_of(&t.id, n))
            })
        };
        if n == 1 || !tasks.iter().any(crosses) {
            return std::borrow::Cow::Borrowed(tasks);
        }
        let mut out = tasks.to_vec();
        for t in &mut out {
            let home = shard_of(&t.id, n);
            if let Some(a) = t.after.as_mut() {
                for p in &mut a.parents {
                    if split_ref(p).is_none() && shard_of(p, n) != home {
                        *p = remote_ref("", p);
                    }
                }
            }
        }
        std::borrow::Cow::Owned(out)
    }

    /// The parents on other shards or in other queues of tasks about to be pushed.
    fn remote_parents(&self, tasks: &[NewTask]) -> Vec<RemoteEdge> {
        let mut out = Vec::new();
        for (i, t) in tasks.iter().enumerate() {
            for p in t.after.iter().flat_map(|a| a.parents.iter()) {
                if let Some((q, id)) = split_ref(p) {
                    out.push(RemoteEdge {
                        queue: q.to_string(),
                        parent: id.to_string(),
                        child_ref: remote_ref(if q.is_empty() { "" } else { &self.name }, &t.id),
                        child: t.id.clone(),
                        index: i,
                    });
                }
            }
        }
        out
    }

    /// The edges by the queue of their parent.
    fn by_queue(edges: Vec<RemoteEdge>) -> Vec<(String, Vec<RemoteEdge>)> {
        let mut by: std::collections::BTreeMap<String, Vec<RemoteEdge>> = Default::default();
        for e in edges {
            by.entry(e.queue.clone()).or_default().push(e);
        }
        by.into_iter().collect()
    }

    /// Before a push: every parent in another queue or on another shard must be known there
    /// (the same refusal as for a parent of the child's shard: exit 1, nothing queued); one
    /// pushed by this same call is not looked for, but its shard is told of the child already,
    /// as the look tells a known parent's (flow_link.lua).
    pub(super) fn look_remote(&mut self, tasks: &[NewTask]) -> Result<()> {
        let batch: std::collections::HashSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        let (early, edges): (Vec<RemoteEdge>, Vec<RemoteEdge>) = self
            .remote_parents(tasks)
            .into_iter()
            .partition(|e| e.queue.is_empty() && batch.contains(e.parent.as_str()));
        if !early.is_empty() {
            let pairs: Vec<(String, String)> = early
                .iter()
                .map(|e| (e.parent.clone(), e.child_ref.clone()))
                .collect();
            self.link_call(Link::Early, &pairs)?;
        }
        for (q, list) in Self::by_queue(edges) {
            let pairs: Vec<(String, String)> = list
                .iter()
                .map(|e| (e.parent.clone(), e.child_ref.clone()))
                .collect();
            let states = self.other(&q)?.link_call(Link::Look, &pairs)?;
            if let Some(k) = states.iter().position(|s| *s == 0) {
                return Err(UnknownParent {
                    queue: if q.is_empty() { self.name.clone() } else { q },
                    parent: pairs[k].0.clone(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// After a push: each parent in another queue or on another shard is told of its children
    /// now queued blocked (push before link: a parent that ends in between finds the child to
    /// count down). A parent found done or dead already is applied to the child here, by the
    /// same script as an outbox's line; one no longer known (it finished while its queue had
    /// no flows) takes the child out again, and the push is refused. Then the links the push
    /// recorded as owed (flows.lua: OWED) are paid.
    pub(super) fn link_remote(&mut self, tasks: &[NewTask], pushed: &[Pushed]) -> Result<()> {
        // A task whose id was known is linked again too: a producer killed between its push and
        // its link leaves a child that the same push sent again links (a parent told twice of
        // a child knows it once).
        let edges: Vec<RemoteEdge> = self
            .remote_parents(tasks)
            .into_iter()
            .filter(|e| matches!(pushed[e.index], Pushed::Queued | Pushed::Known))
            .collect();
        if edges.is_empty() {
            return Ok(());
        }
        let mut children: Vec<String> = edges.iter().map(|e| e.child.clone()).collect();
        children.dedup();
        let unknown = self.link_edges(edges, false)?;
        self.owed_paid(&children)?;
        let Some(first) = unknown.first() else {
            return Ok(());
        };
        let e = UnknownParent {
            queue: if first.queue.is_empty() {
                self.name.clone()
            } else {
                first.queue.clone()
            },
            parent: first.parent.clone(),
        };
        // Only what this push queued: a task known before stays.
        let drop: Vec<String> = unknown
            .iter()
            .filter(|u| pushed[u.index] == Pushed::Queued)
            .map(|u| u.child.clone())
            .collect();
        self.cancel(&drop)?;
        Err(e.into())
    }

    /// Links each edge on its parent's shard (flow_link.lua), and applies a parent found done
    /// or dead already to its child (flow_apply.lua, as an outbox's line). Returns the edges
    /// whose parent its queue does not know; with `unknown_fails`, each is applied as a failed
    /// parent instead (a consumer's repair: the parent ended longer ago than its window).
    fn link_edges(
        &mut self,
        edges: Vec<RemoteEdge>,
        unknown_fails: bool,
    ) -> Result<Vec<RemoteEdge>> {
        let mut unknown = Vec::new();
        let mut apply: Vec<[String; 3]> = Vec::new();
        for (q, list) in Self::by_queue(edges) {
            let pairs: Vec<(String, String)> = list
                .iter()
                .map(|e| (e.parent.clone(), e.child_ref.clone()))
                .collect();
            let states = self.other(&q)?.link_call(Link::After, &pairs)?;
            for (e, s) in list.into_iter().zip(states) {
                match s {
                    0 if !unknown_fails => unknown.push(e),
                    0 | 2 | 3 => apply.push([
                        if s == 2 { "d" } else { "f" }.to_string(),
                        e.child.clone(),
                        remote_ref(&q, &e.parent),
                    ]),
                    _ => {}
                }
            }
        }
        if !apply.is_empty() {
            for shard in self.apply_call(&apply)? {
                // A repair moves only lines: the links it was making are still owed.
                let _ = self.move_outbox_at(shard, usize::from(unknown_fails));
            }
        }
        Ok(unknown)
    }

    /// The links of `children` are made: their owed lines go (flow_owed.lua).
    fn owed_paid(&mut self, children: &[String]) -> Result<()> {
        for (shard, idx) in self.by_shard(children, |c| c) {
            let kids = self.shards[shard].get(Key::Kids).to_string();
            let mut args = vec!["done".to_string()];
            args.extend(idx.iter().map(|&i| children[i].clone()));
            super::script::run::<i64, _>(&mut self.conn, &FLOW_OWED, &[kids], &args)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("linking a flow of queue '{}'", self.name))?;
        }
        Ok(())
    }

    /// The children of `shard` whose producer has not said it linked them by their deadline
    /// (it died between its push and its link): linked here, from the parents their bodies
    /// name, as the producer would have (a link made twice counts once).
    fn link_owed(&mut self, shard: usize) -> Result<()> {
        let kids = self.shards[shard].get(Key::Kids).to_string();
        let due: Vec<String> =
            super::script::run(&mut self.conn, &FLOW_OWED, &[kids], &vec!["due"])
                .map_err(anyhow::Error::from)
                .with_context(|| format!("linking a flow of queue '{}'", self.name))?;
        if due.is_empty() {
            return Ok(());
        }
        let mut c = redis::cmd("HMGET");
        c.arg(self.shards[shard].get(Key::Tasks)).arg(&due);
        let bodies: Vec<Option<String>> =
            redis::from_redis_value(self.query_many("HMGET", vec![c])?.remove(0))?;
        let mut edges = Vec::new();
        for (child, body) in due.iter().zip(bodies) {
            // Gone (cancelled, or it ran): nothing is owed to it any more.
            let Some(task) = body.and_then(|b| Task::from_stored(child, &b, 0).ok()) else {
                continue;
            };
            for p in &task.parents {
                if let Some((q, id)) = split_ref(p) {
                    edges.push(RemoteEdge {
                        queue: q.to_string(),
                        parent: id.to_string(),
                        child_ref: remote_ref(if q.is_empty() { "" } else { &self.name }, child),
                        child: child.clone(),
                        index: 0,
                    });
                }
            }
        }
        self.link_edges(edges, true)?;
        self.owed_paid(&due)
    }

    /// Moves the lines of every shard's outbox to the shards of their children (flows.lua):
    /// each applied there first, then removed here, so a mover that dies in between leaves
    /// the line for the next, and a line applied twice counts once.
    pub fn move_outbox(&mut self) -> Result<()> {
        for shard in 0..self.shards.len() {
            self.move_outbox_at(shard, 0)?;
        }
        Ok(())
    }

    /// Whether an ack outside a claim looks at its shard's outbox after: while the queue's
    /// claims say it has flows (one shard: its claim's reply is the shard's), or once any
    /// did (a sharded queue's last claim speaks for one shard only).
    pub(super) fn outbox_watch(&self) -> bool {
        if self.shards.len() == 1 {
            self.flows
        } else {
            self.flows_seen
        }
    }

    /// The move of one shard's outbox where its failure must not fail the call it follows (an
    /// ack, a claim): the lines stay, and the next claim of the shard says so and moves them.
    pub(super) fn move_outbox_quietly(&mut self, shard: usize) {
        let _ = self.move_outbox_at(shard, 0);
    }

    fn move_outbox_at(&mut self, shard: usize, depth: usize) -> Result<()> {
        if depth > MOVE_DEPTH {
            return Ok(());
        }
        let kids = self.shards[shard].get(Key::Kids).to_string();
        let mut c = redis::cmd("HMGET");
        c.arg(&kids).arg(OUTBOX).arg(OWED);
        let (v, owed): (Option<String>, Option<String>) =
            redis::from_redis_value(self.query_many("HMGET", vec![c])?.remove(0))?;
        // Links owed past their deadline are made by the first mover of the shard that sees them.
        if owed.is_some() && depth == 0 {
            self.link_owed(shard)?;
        }
        let Some(v) = v else {
            return Ok(());
        };
        let lines: Vec<String> = v
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let mut by: std::collections::BTreeMap<String, Vec<[String; 3]>> = Default::default();
        for line in &lines {
            let mut f = line.splitn(3, '\t');
            let (Some(kind), Some(child), Some(parent)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Some((q, id)) = split_ref(child) else {
                continue;
            };
            // The parent as the child's shard knows it: "" for this queue's own.
            let from = if q.is_empty() { "" } else { self.name.as_str() };
            by.entry(q.to_string()).or_default().push([
                kind.to_string(),
                id.to_string(),
                remote_ref(from, parent),
            ]);
        }
        for (q, triples) in by {
            let other = self.other(&q)?;
            for more in other.apply_call(&triples)? {
                other.move_outbox_at(more, depth + 1)?;
            }
        }
        super::script::run::<i64, _>(&mut self.conn, &FLOW_UNBOX, &[kids], &lines)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("moving the outbox of queue '{}'", self.name))?;
        Ok(())
    }
}
