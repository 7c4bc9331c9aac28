//! Flows (issue 24): tasks that wait for other tasks. A push of tasks with parents goes as
//! flow_push.lua (push.lua queues the others); the release of a child, and the failure handed
//! down to it, are in the scripts that finish tasks (lua/flows.lua). docs/flows.md.

use super::inspect::{state_args, state_at};
use super::keys::Key;
use super::script::{
    array, int, opt_string, string, PushCode, ERR_UNKNOWN_PARENT, FLOW_CANCEL, FLOW_PUSH,
};
use super::{Cancelled, Kept, Pushed, Queue};
use crate::error::UsageError;
use crate::task::{ms_to_time, NewTask};
use anyhow::Result;
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
        let kept = self.kept_results(parents)?;
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
