//! Bulk actions (issue 28): one action on many tasks, named by id or by a filter (a state, and
//! optionally a type and a priority), for the dashboard's selection and "everything matching".
//! No new script: each batch of at most `BATCH` ids goes through the per-id scripts that already
//! take many ids (cancel.lua, move.lua, dead.lua), one call per shard, so a batch is atomic on
//! each shard; ids are found for a filter with `list`, page by page from its cursor.

use super::types::*;
use super::Queue;
use crate::task::Priority;
use anyhow::Result;
use serde::Serialize;

/// Ids one script call is given at most.
pub const BATCH: usize = 500;

/// Tasks one bulk action on a filter goes through at most; `more` then says to ask again.
pub const MAX_MATCHED: usize = 10_000;

/// What to do to each task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// As `rpq cancel`: gone, or stopped by its consumer while in flight.
    Cancel,
    /// As `rpq dead retry`: dead tasks queued again with their attempts reset.
    Retry,
    /// As `rpq dead purge`: dead tasks deleted for good.
    Purge,
    /// As `rpq move --priority`: waiting, scheduled and retrying tasks change priority.
    Move,
    /// As `rpq move --now`: scheduled and retrying tasks fall due at once.
    RunNow,
}

impl std::str::FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Action, String> {
        Ok(match s {
            "cancel" => Action::Cancel,
            "retry" => Action::Retry,
            "purge" => Action::Purge,
            "move" => Action::Move,
            "run_now" => Action::RunNow,
            other => {
                return Err(format!(
                    "no action '{other}'; one of cancel, retry, purge, move, run_now"
                ))
            }
        })
    }
}

/// What a bulk action did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkDone {
    /// Ids named, or found by the filter.
    pub matched: u64,
    /// Tasks the action changed.
    pub changed: u64,
    /// Tasks it left as they were: gone meanwhile, or in a state the action is not for (a
    /// dead task moved, a task in flight retried).
    pub skipped: u64,
    /// A filter matched more than `MAX_MATCHED`: the same request goes on with the rest.
    pub more: bool,
}

impl Queue {
    /// The ids of the tasks in `state` (of `kind` and `priority`, when given), in the state's
    /// order, `MAX_MATCHED` at most; true when more match.
    pub fn matching(
        &mut self,
        state: State,
        kind: Option<String>,
        priority: Option<Priority>,
    ) -> Result<(Vec<String>, bool)> {
        self.matching_in_group(state, kind, priority, None)
    }

    /// `matching`, of one group's tasks only (the dashboard's filter by group).
    pub fn matching_in_group(
        &mut self,
        state: State,
        kind: Option<String>,
        priority: Option<Priority>,
        group: Option<&str>,
    ) -> Result<(Vec<String>, bool)> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let query = ListQuery {
                state,
                kind: kind.clone(),
                priority,
                n: BATCH.min(MAX_MATCHED - ids.len()),
                after: after.take(),
            };
            let page = self.list_in_group(&query, group)?;
            ids.extend(page.tasks.iter().map(|t| t.task.id.clone()));
            if !page.more {
                return Ok((ids, false));
            }
            if ids.len() >= MAX_MATCHED {
                return Ok((ids, true));
            }
            after = ids.last().cloned();
        }
    }

    /// Does `action` to the tasks `ids`, `BATCH` at a time (`priority` for `Move`).
    pub fn bulk(
        &mut self,
        action: Action,
        ids: &[String],
        priority: Option<Priority>,
    ) -> Result<BulkDone> {
        let mut done = BulkDone {
            matched: ids.len() as u64,
            ..BulkDone::default()
        };
        for batch in ids.chunks(BATCH) {
            // No ids means "all" to dead.lua: an empty batch must not reach it.
            if batch.is_empty() {
                continue;
            }
            let changed = match action {
                Action::Cancel => self.cancel(batch)?.iter().flatten().count() as u64,
                Action::Retry => self.dead_retry(batch)?.moved,
                Action::Purge => self.dead_purge(batch)?.moved,
                Action::Move | Action::RunNow => {
                    let p = priority.filter(|_| action == Action::Move);
                    let now = action == Action::RunNow;
                    let moved = self.move_tasks(batch, p, now)?;
                    moved.iter().filter(|m| matches!(m, Moved::Done(_))).count() as u64
                }
            };
            done.changed += changed;
            done.skipped += batch.len() as u64 - changed;
        }
        Ok(done)
    }
}
