//! Flows (issue 24): tasks that wait for other tasks. A push of tasks with parents goes as
//! flow_push.lua (push.lua queues the others); the release of a child, and the failure handed
//! down to it, are in the scripts that finish tasks (lua/flows.lua). docs/flows.md.

use super::inspect::{state_args, state_at};
use super::keys::Key;
use super::script::{
    array, int, opt_string, string, PushCode, ERR_UNKNOWN_PARENT, FLOW_APPLY, FLOW_CANCEL,
    FLOW_LINK, FLOW_PUSH, FLOW_UNBOX,
};
use super::{Cancelled, Kept, Pushed, Queue};
use crate::error::UsageError;
use crate::task::{ms_to_time, remote_ref, split_ref, NewTask};
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
        if self.shards.len() > 1 {
            return Err(UsageError(format!(
                "--after: queue '{}' is sharded, and tasks that wait for other tasks work on a \
                 queue of one shard only for now (docs/flows.md)",
                self.name
            ))
            .into());
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
        let items = array(reply)?;
        let created = ms_to_time(int(items.first())?);
        let flags = items
            .iter()
            .skip(1)
            .take(tasks.len())
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
        let mut out = Vec::new();
        for c in items.get(1..).unwrap_or_default().chunks(3) {
            let Some(state) = state_at(int(c.get(1))?) else {
                continue;
            };
            out.push(Cancelled {
                id: string(c.first())?,
                state,
                consumer: opt_string(c.get(2))?,
            });
        }
        // Issue 25: their control data, as `cancel`.
        let ids: Vec<String> = out.iter().map(|c| c.id.clone()).collect();
        self.ctl_gone(&ids)?;
        self.move_outbox_quietly();
        Ok(Some(out))
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
/// How far a failure is handed on from queue to queue by one move of an outbox; what is left
/// the next claim of that queue moves.
const MOVE_DEPTH: usize = 8;

/// A parent in another queue: its id there, the child as that queue knows it ("queue\x1fid"),
/// and the child's index among the tasks pushed.
type RemoteEdge = (String, String, usize);

impl Queue {
    /// Another queue on the same server, opened once (flows across queues): it must be of one
    /// shard, as this one.
    pub(super) fn other(&mut self, name: &str) -> Result<&mut Queue> {
        if !self.others.contains_key(name) {
            let mut cfg = self.cfg.clone();
            cfg.queue = name.to_string();
            cfg.shards = None;
            let q = Queue::open(&cfg)?;
            if q.shards.len() > 1 {
                return Err(UsageError(format!(
                    "--after-in: queue '{name}' is sharded, and tasks that wait for tasks of \
                     another queue work between queues of one shard only for now (docs/flows.md)"
                ))
                .into());
            }
            self.others.insert(name.to_string(), q);
        }
        Ok(self.others.get_mut(name).expect("inserted above"))
    }

    /// flow_link.lua on this queue: for each (parent, child of another queue), the parent's
    /// state (0 unknown, 1 not finished, 2 done, 3 dead); unless `look`, each parent not
    /// finished now has the child among its kids.
    fn link_call(&mut self, look: bool, pairs: &[(String, String)]) -> Result<Vec<i64>> {
        let mut keys: Vec<String> = pairs
            .iter()
            .map(|(p, _)| self.shards[0].result(p))
            .collect();
        keys.push(self.shards[0].kept());
        let mut args = vec![if look { "1" } else { "" }.to_string()];
        for (p, c) in pairs {
            args.push(p.clone());
            args.push(c.clone());
        }
        let reply = self.invoke_with(0, &FLOW_LINK, &keys, &args, "linking a flow")?;
        array(reply)?.iter().map(|v| int(Some(v))).collect()
    }

    /// flow_apply.lua on this queue: triples (kind, child id, parent ref); true when this
    /// queue's outbox has lines now.
    fn apply_call(&mut self, triples: &[String]) -> Result<bool> {
        let mut args = vec![self.dead_cap.to_string()];
        args.extend_from_slice(triples);
        let reply = self.invoke(0, &FLOW_APPLY, &args, "releasing tasks of a flow")?;
        Ok(int(Some(&reply))? == 1)
    }

    /// The parents in other queues of tasks about to be pushed, by queue: (parent id, the
    /// child as that queue will know it, the child's index in `tasks`).
    fn remote_parents(&self, tasks: &[NewTask]) -> Vec<(String, Vec<RemoteEdge>)> {
        let mut by: std::collections::BTreeMap<String, Vec<RemoteEdge>> = Default::default();
        for (i, t) in tasks.iter().enumerate() {
            for p in t.after.iter().flat_map(|a| a.parents.iter()) {
                if let Some((q, id)) = split_ref(p) {
                    by.entry(q.to_string()).or_default().push((
                        id.to_string(),
                        remote_ref(&self.name, &t.id),
                        i,
                    ));
                }
            }
        }
        by.into_iter().collect()
    }

    /// Before a push: every parent in another queue must be known there (the same refusal as
    /// for a parent of this queue: exit 1, nothing queued).
    pub(super) fn look_remote(&mut self, tasks: &[NewTask]) -> Result<()> {
        for (q, list) in self.remote_parents(tasks) {
            let pairs: Vec<(String, String)> = list
                .iter()
                .map(|(p, c, _)| (p.clone(), c.clone()))
                .collect();
            let states = self.other(&q)?.link_call(true, &pairs)?;
            if let Some(k) = states.iter().position(|s| *s == 0) {
                return Err(UnknownParent {
                    queue: q,
                    parent: pairs[k].0.clone(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// After a push: each parent in another queue is told of its children now queued blocked
    /// here (push before link: a parent that ends in between finds the child to count down).
    /// A parent found done or dead already is applied to the child here, by the same script
    /// as an outbox's line; one no longer known (it finished while its queue had no flows)
    /// takes the child out again, and the push is refused.
    pub(super) fn link_remote(&mut self, tasks: &[NewTask], pushed: &[Pushed]) -> Result<()> {
        let mut unknown: Option<UnknownParent> = None;
        let mut drop: Vec<String> = Vec::new();
        let mut apply: Vec<String> = Vec::new();
        for (q, list) in self.remote_parents(tasks) {
            let list: Vec<_> = list
                .into_iter()
                .filter(|(_, _, i)| pushed[*i] == Pushed::Queued)
                .collect();
            if list.is_empty() {
                continue;
            }
            let pairs: Vec<(String, String)> = list
                .iter()
                .map(|(p, c, _)| (p.clone(), c.clone()))
                .collect();
            let states = self.other(&q)?.link_call(false, &pairs)?;
            for ((p, _, i), s) in list.iter().zip(states) {
                let child = tasks[*i].id.clone();
                match s {
                    0 => {
                        unknown.get_or_insert(UnknownParent {
                            queue: q.clone(),
                            parent: p.clone(),
                        });
                        drop.push(child);
                    }
                    2 | 3 => {
                        apply.push(if s == 2 { "d" } else { "f" }.to_string());
                        apply.push(child);
                        apply.push(remote_ref(&q, p));
                    }
                    _ => {}
                }
            }
        }
        if !apply.is_empty() && self.apply_call(&apply)? {
            self.move_outbox_quietly();
        }
        if let Some(e) = unknown {
            self.cancel(&drop)?;
            return Err(e.into());
        }
        Ok(())
    }

    /// Moves the lines of this queue's outbox to the queues of their children (flows.lua):
    /// each applied there first, then removed here, so a mover that dies in between leaves
    /// the line for the next, and a line applied twice counts once.
    pub fn move_outbox(&mut self) -> Result<()> {
        self.move_outbox_at(0)
    }

    /// `move_outbox` where its failure must not fail the call it follows (an ack, a claim):
    /// the lines stay, and the next claim of the queue says so and moves them.
    pub(super) fn move_outbox_quietly(&mut self) {
        let _ = self.move_outbox();
    }

    fn move_outbox_at(&mut self, depth: usize) -> Result<()> {
        if self.shards.len() > 1 || depth > MOVE_DEPTH {
            return Ok(());
        }
        let kids = self.shards[0].get(Key::Kids).to_string();
        let mut c = redis::cmd("HGET");
        c.arg(&kids).arg(OUTBOX);
        let v: Option<String> =
            redis::from_redis_value(self.query_many("HGET", vec![c])?.remove(0))?;
        let Some(v) = v else {
            return Ok(());
        };
        let lines: Vec<String> = v
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for line in &lines {
            let mut f = line.splitn(3, '\t');
            let (Some(kind), Some(child), Some(parent)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Some((q, id)) = split_ref(child) else {
                continue;
            };
            let args = by.entry(q.to_string()).or_default();
            args.push(kind.to_string());
            args.push(id.to_string());
            args.push(remote_ref(&self.name, parent));
        }
        for (q, args) in by {
            let other = self.other(&q)?;
            if other.apply_call(&args)? {
                other.move_outbox_at(depth + 1)?;
            }
        }
        super::script::run::<i64, _>(&mut self.conn, &FLOW_UNBOX, &[kids], &lines)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("moving the outbox of queue '{}'", self.name))?;
        Ok(())
    }
}
