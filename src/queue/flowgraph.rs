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
    /// The walk stopped at the bound: more tasks may belong to the flow.
    pub cut: bool,
}

impl Queue {
    /// The flow of task `id`, at most `max` tasks (at least 1). None when the queue knows
    /// nothing of `id` (neither held, nor finished a moment ago, nor with a kept result).
    pub fn flow_graph(&mut self, id: &str, max: usize) -> Result<Option<FlowGraph>> {
        let max = max.max(1);
        let mut graph = FlowGraph {
            id: id.to_string(),
            ..FlowGraph::default()
        };
        let mut seen: HashSet<String> = HashSet::from([id.to_string()]);
        let mut level = vec![id.to_string()];
        let mut first = true;
        while !level.is_empty() {
            let mut next = Vec::new();
            for chunk in level.chunks(CHUNK) {
                let found = self.show_or_finished(chunk)?;
                // For the tasks still held, their dependents; for the others, whether the
                // shard remembers them as done.
                let mut cmds = Vec::with_capacity(chunk.len());
                for (t, f) in chunk.iter().zip(&found) {
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
                for (f, r) in found.into_iter().zip(replies) {
                    let extra: Option<String> = redis::from_redis_value(r).unwrap_or(None);
                    let (state, links): (&str, Vec<String>) = match f {
                        Some(Found::Task(info)) => {
                            let mut links = info.task.parents.clone();
                            if let Some(kids) = extra {
                                links.extend(kids.split('\t').map(str::to_string));
                            }
                            (info.state.name(), links)
                        }
                        Some(Found::Finished(k)) => match k.outcome {
                            KeptOutcome::Done => ("done", vec![]),
                            KeptOutcome::Dead => ("dead", vec![]),
                        },
                        None if extra.is_some() => ("done", vec![]),
                        None if first => return Ok(None),
                        None => ("gone", vec![]),
                    };
                    first = false;
                    graph.nodes += 1;
                    *graph.counts.entry(state.to_string()).or_default() += 1;
                    for l in links {
                        if l.is_empty() || seen.contains(&l) {
                            continue;
                        }
                        if seen.len() >= max {
                            graph.cut = true;
                            break;
                        }
                        seen.insert(l.clone());
                        next.push(l);
                    }
                }
            }
            level = next;
        }
        Ok(Some(graph))
    }
}
