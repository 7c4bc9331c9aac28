//! A flow's progress seen from any of its tasks (issue 24, the dashboard): the tasks reachable
//! from it through parents (each task's body names them) and dependents (the kids hash), each
//! counted by state. Read only, level by level: one `show` and one pipelined round trip per
//! level, and never more than the bound asked for.
//!
//! What the queue no longer holds cannot be walked through: a finished task (done, or whose
//! result is kept) is counted but has no known parents or dependents left (its kids were taken
//! by its ack), so the walk finds what is reachable through tasks still held. A done task is
//! known as done while the shard remembers it (the `finished` set, an hour) or keeps its
//! result; one known neither way is counted `gone` (cancelled, or done long ago).

use super::keys::Key;
use super::types::{Found, KeptOutcome};
use super::Queue;
use crate::task::split_ref;
use anyhow::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Ids one level is read in at most (one `show` call per shard each).
const CHUNK: usize = 1000;

/// The tasks of a flow reachable from one of them, counted by state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlowGraph {
    /// The task the walk started from.
    pub id: String,
    /// Tasks found, the first one among them (`tasks` is a list in rpq's JSON).
    pub nodes: u64,
    /// By state: `waiting`, `scheduled`, `in-flight`, `retrying`, `blocked` and `dead` as
    /// held; `done` for a finished task (its result kept, or remembered by its shard), `dead`
    /// too for one finished dead whose error is kept; `gone` for one known neither way.
    pub counts: BTreeMap<String, u64>,
    /// Each task found once, in the order walked (the first is the one asked for): its queue,
    /// as a flow may span queues (and a sharded queue's shards, which are all its own).
    pub walked: Vec<FlowNode>,
    /// The walk stopped at the bound: more tasks may belong to the flow.
    pub cut: bool,
}

/// One task of a walked flow.
#[derive(Debug, Clone, Serialize)]
pub struct FlowNode {
    pub queue: String,
    pub id: String,
    pub state: String,
}

/// A task of the walk: its queue's name and its id.
type Node = (String, String);

/// A task read by a level of the walk: its state, and its parents then its dependents.
type Read = (&'static str, Vec<String>);

impl Queue {
    /// The flow of task `id`, at most `max` tasks (at least 1), followed into the other queues
    /// of the server and the other shards of this one. None when the queue knows nothing of
    /// `id` (neither held, nor finished a moment ago, nor with a kept result).
    pub fn flow_graph(&mut self, id: &str, max: usize) -> Result<Option<FlowGraph>> {
        // The queues opened for the walk go with it: `rpq serve` keeps this Queue in its pool,
        // and each other queue holds a connection.
        let had: HashSet<String> = self.others.keys().cloned().collect();
        let out = self.walk(id, max);
        self.others.retain(|name, _| had.contains(name));
        out
    }

    fn walk(&mut self, id: &str, max: usize) -> Result<Option<FlowGraph>> {
        let max = max.max(1);
        let mut graph = FlowGraph {
            id: id.to_string(),
            ..FlowGraph::default()
        };
        let start: Node = (self.name.clone(), id.to_string());
        let mut seen: HashSet<Node> = HashSet::from([start.clone()]);
        let mut level = vec![start];
        let mut first = true;
        while !level.is_empty() {
            let mut next = Vec::new();
            // One queue at a time, in the order first met (a level's tasks of one queue are
            // read together).
            let mut queues: Vec<String> = Vec::new();
            for (q, _) in &level {
                if !queues.contains(q) {
                    queues.push(q.clone());
                }
            }
            for name in queues {
                let ids: Vec<String> = level
                    .iter()
                    .filter(|(q, _)| *q == name)
                    .map(|(_, id)| id.clone())
                    .collect();
                for chunk in ids.chunks(CHUNK) {
                    let read = match self.other(&name) {
                        Ok(q) => q.flow_level(chunk)?,
                        // A queue named by a link but not to be opened (removed since): its
                        // tasks are not known any more.
                        Err(_) => chunk.iter().map(|_| None).collect(),
                    };
                    for (t, r) in chunk.iter().zip(read) {
                        let (state, links) = match r {
                            Some(found) => found,
                            None if first => return Ok(None),
                            None => ("gone", vec![]),
                        };
                        first = false;
                        graph.nodes += 1;
                        *graph.counts.entry(state.to_string()).or_default() += 1;
                        graph.walked.push(FlowNode {
                            queue: name.clone(),
                            id: t.clone(),
                            state: state.to_string(),
                        });
                        for l in links {
                            // "queue\x1fid" another queue's, "\x1fid" another shard's of
                            // this queue, a bare id this shard's.
                            let node: Node = match split_ref(&l) {
                                Some(("", id)) => (name.clone(), id.to_string()),
                                Some((q, id)) => (q.to_string(), id.to_string()),
                                None => (name.clone(), l.clone()),
                            };
                            if node.1.is_empty() || seen.contains(&node) {
                                continue;
                            }
                            if seen.len() >= max {
                                graph.cut = true;
                                break;
                            }
                            seen.insert(node.clone());
                            next.push(node);
                        }
                    }
                }
            }
            level = next;
        }
        Ok(Some(graph))
    }

    /// Each of `ids` of this queue: its state and its links (parents, then dependents), or
    /// None when the queue knows nothing of it.
    fn flow_level(&mut self, ids: &[String]) -> Result<Vec<Option<Read>>> {
        let found = self.show_or_finished(ids)?;
        // For the tasks still held, their dependents; for the others, whether the shard
        // remembers them as done.
        let mut cmds = Vec::with_capacity(ids.len());
        for (t, f) in ids.iter().zip(&found) {
            let keys = &self.shards[self.shard_of(t)];
            let mut c = match f {
                Some(Found::Task(_)) => {
                    let mut c = redis::cmd("HGET");
                    c.arg(keys.get(Key::Kids));
                    c
                }
                _ => {
                    let mut c = redis::cmd("ZSCORE");
                    c.arg(keys.get(Key::Finished));
                    c
                }
            };
            c.arg(t);
            cmds.push(c);
        }
        let replies = self.query_many("HGET", cmds)?;
        Ok(found
            .into_iter()
            .zip(replies)
            .map(|(f, r)| {
                let extra: Option<String> = redis::from_redis_value(r).unwrap_or(None);
                match f {
                    Some(Found::Task(info)) => {
                        let mut links = info.task.parents.clone();
                        if let Some(kids) = extra {
                            links.extend(kids.split('\t').map(str::to_string));
                        }
                        Some((info.state.name(), links))
                    }
                    Some(Found::Finished(k)) => match k.outcome {
                        KeptOutcome::Done => Some(("done", vec![])),
                        KeptOutcome::Dead => Some(("dead", vec![])),
                    },
                    None if extra.is_some() => Some(("done", vec![])),
                    None => None,
                }
            })
            .collect())
    }
}
