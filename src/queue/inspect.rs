//! Tasks by id and by state (issue 13): `show`, `list`, `cancel`, `move`, and every queue of the
//! server. Each is one script call per shard (inspect.lua, cancel.lua, move.lua), O(1) or
//! O(log n) per task and never a scan of a whole state; which set holds which state is `STATES`
//! (types.rs), passed to the scripts as KEYS indexes, so a new state needs no new Lua here.
//! The answers are plain serializable types, for the commands and for an HTTP API alike.

use super::keys::{self, Keys};
use super::script::{
    array, int, opt_record, opt_string, string, MoveCode, CANCEL, INSPECT, MOVE, PEEK,
};
use super::stored::Stored;
use super::types::*;
use super::{score, Queue};
use crate::conn;
use crate::task::{Priority, Task};
use anyhow::{Context, Result};
use redis::Value;

/// A `list` script call looks at this many members at most (a filter by type reads bodies, so
/// a call must stay short however few of them match).
const LOOK_PER_CALL: usize = 1000;

/// The state sets as the scripts take them: their number, then each one's KEYS index (Lua
/// counts from 1), in `STATES` order.
pub(super) fn state_args() -> Vec<String> {
    let mut args = vec![STATES.len().to_string()];
    args.extend(STATES.iter().map(|d| (d.key as usize + 1).to_string()));
    args
}

/// The state a script answered as an index into the state sets (0: none).
pub(super) fn state_at(found: i64) -> Option<State> {
    usize::try_from(found)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| STATES.get(i))
        .map(|d| d.state)
}

/// Score, record and claim, as inspect.lua answers them for one task.
fn stored(v: &[Value]) -> Result<Stored> {
    Ok(Stored {
        score: opt_string(v.first())?.unwrap_or_default(),
        body: opt_record(v.get(1))?,
        claim: opt_string(v.get(2))?,
    })
}

/// What one shard gave for a page of `list`.
#[derive(Default)]
struct ShardPage {
    /// (score, id, what is stored), in the set's order.
    items: Vec<(f64, String, Stored)>,
    total: u64,
    more: bool,
    /// The score of the `after` task, when this shard holds it in the set.
    cursor: Option<String>,
}

impl Queue {
    /// The tasks with these ids as they are now, one atomic read per shard; None for an id the
    /// queue does not know (never pushed, finished, purged, cancelled).
    pub fn show(&mut self, ids: &[String]) -> Result<Vec<Option<TaskInfo>>> {
        let mut out = vec![None; ids.len()];
        for (shard, idx) in self.by_shard(ids, |s| s) {
            let mut args = vec!["show".to_string()];
            args.extend(state_args());
            args.extend(idx.iter().map(|&i| ids[i].clone()));
            let items = array(self.invoke(shard, &INSPECT, &args, "looking up tasks")?)?;
            for (&i, chunk) in idx.iter().zip(items.chunks(4)) {
                if let Some(state) = state_at(int(chunk.first())?) {
                    out[i] = Some(TaskInfo::new(&ids[i], state, &stored(&chunk[1..])?));
                }
            }
        }
        Ok(out)
    }

    /// `show`, and for an id the queue no longer holds, its kept result (issue 11): a finished
    /// task is gone, but while its result is kept it is still known. None: neither.
    pub fn show_or_finished(&mut self, ids: &[String]) -> Result<Vec<Option<Found>>> {
        let found = self.show(ids)?;
        let gone: Vec<String> = ids
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        let mut kept = self.kept_results(&gone)?.into_iter();
        Ok(found
            .into_iter()
            .map(|f| match f {
                Some(t) => Some(Found::Task(Box::new(t))),
                None => kept.next().flatten().map(Found::Finished),
            })
            .collect())
    }

    /// `show_or_finished`, with what the handlers of the tasks said through `rpq ctl` (issue
    /// 25): progress, checkpoints, staged children, once-keys, and with `log` their log lines.
    pub fn show_detailed(&mut self, ids: &[String], log: bool) -> Result<Vec<Option<Found>>> {
        let mut found = self.show_or_finished(ids)?;
        for f in found.iter_mut().flatten() {
            if let Found::Task(t) = f {
                self.fill_ctl(t, log)?;
                self.fill_flow(t)?;
            }
        }
        Ok(found)
    }

    /// Reads the control hash of `t` (a task of any state may have one: in flight, or waiting
    /// for its next attempt with its checkpoints).
    fn fill_ctl(&mut self, t: &mut TaskInfo, log: bool) -> Result<()> {
        *t.ctl = self.ctl_info(&t.task.id)?;
        if !log {
            t.ctl.log.clear();
        }
        Ok(())
    }

    /// A page of the tasks in one state, in the order of its set (`STATES`): claim order for
    /// waiting tasks. `after` continues after a task of an earlier page. Waiting tasks of one
    /// priority are a range of their set; a filter by type (or by priority, in another state)
    /// reads the tasks' bodies, at most `LOOK_PER_CALL` a call, until the page is full.
    pub fn list(&mut self, q: &ListQuery) -> Result<ListPage> {
        self.list_in_group(q, None)
    }

    /// `list`, of the tasks of one group only (issue 23; the dashboard's filter by group): a
    /// filter like the one by type, on the group the body names.
    pub fn list_in_group(&mut self, q: &ListQuery, group: Option<&str>) -> Result<ListPage> {
        let group = group.map(super::groups::stored_key).unwrap_or_default();
        let key = (q.state.def().key as usize + 1).to_string();
        let kind = match &q.kind {
            Some(k) => serde_json::to_string(k)?,
            None => String::new(),
        };
        let prio = q.priority.map(|p| p.get().to_string()).unwrap_or_default();
        let n = self.shards.len();
        let mut order: Vec<usize> = (0..n).collect();
        if let Some(after) = &q.after {
            // The after task's own shard first: the others go on from its score.
            order.rotate_left(keys::shard_of(after, n));
        }
        let after = q.after.clone().unwrap_or_default();
        // controls (issue 13): waiting tasks of limited types may be in their own lines, each
        // read like another shard's set, after pending (which finds the after task wherever it
        // waits on its shard).
        let lines = if q.state == State::Waiting {
            self.read_controls()?
                .into_iter()
                .map(|c| super::controls::line_keys(c.lines))
                .collect()
        } else {
            vec![vec![]; n]
        };
        let sources: Vec<(usize, String)> = order
            .into_iter()
            .flat_map(|shard| {
                std::iter::once((shard, key.clone()))
                    .chain(lines[shard].iter().map(move |k| (shard, k.clone())))
            })
            .collect();
        let mut score = String::new();
        let mut all = Vec::new();
        let (mut total, mut more) = (0, false);
        for (i, (shard, key)) in sources.into_iter().enumerate() {
            let page = self.list_shard(shard, &key, q.n, &after, &score, &prio, &kind, &group)?;
            if i == 0 && !after.is_empty() {
                match page.cursor {
                    Some(s) => score = s,
                    None => {
                        return Err(CursorGone(format!(
                            "task '{after}' is not {} in queue '{}' (taken, moved or removed \
                             since it was listed?); list from the start, or --after a task of \
                             this state",
                            q.state, self.name
                        ))
                        .into())
                    }
                }
            }
            total += page.total;
            more |= page.more;
            all.extend(page.items);
        }
        // The order of a sorted set: score, then the member's bytes.
        all.sort_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
        });
        more |= all.len() > q.n;
        all.truncate(q.n);
        let mut tasks: Vec<TaskInfo> = all
            .iter()
            .map(|(_, id, s)| TaskInfo::new(id, q.state, s))
            .collect();
        // Issue 25: tasks in flight with their handlers' progress (one read each, a page).
        if q.state == State::InFlight {
            for t in &mut tasks {
                self.fill_ctl(t, false)?;
            }
        }
        Ok(ListPage { tasks, total, more })
    }

    /// Up to `want` tasks of one shard after (`after`, `score`), in as many script calls as the
    /// filters need.
    #[allow(clippy::too_many_arguments)]
    fn list_shard(
        &mut self,
        shard: usize,
        key: &str,
        want: usize,
        after: &str,
        score: &str,
        prio: &str,
        kind: &str,
        group: &str,
    ) -> Result<ShardPage> {
        let mut page = ShardPage::default();
        let (mut after, mut score) = (after.to_string(), score.to_string());
        let mut first = true;
        while page.items.len() < want {
            let left = (want - page.items.len()).min(LOOK_PER_CALL);
            let args = [
                "list".to_string(),
                key.to_string(),
                left.to_string(),
                after.clone(),
                score.clone(),
                prio.to_string(),
                kind.to_string(),
                group.to_string(),
            ];
            let items = array(self.invoke(shard, &INSPECT, &args, "listing tasks")?)?;
            if first {
                page.total = int(items.first())? as u64;
                page.cursor = opt_string(items.get(1))?;
                if !after.is_empty() && page.cursor.is_none() {
                    return Ok(page);
                }
                first = false;
            }
            page.more = int(items.get(2))? == 1;
            for chunk in items.get(5..).unwrap_or_default().chunks(4) {
                let id = string(chunk.first())?;
                let s = stored(&chunk[1..])?;
                page.items.push((s.score.parse().unwrap_or(0.0), id, s));
            }
            match (opt_string(items.get(3))?, opt_string(items.get(4))?) {
                (Some(id), Some(s)) if page.more => (after, score) = (id, s),
                _ => break,
            }
        }
        Ok(page)
    }

    /// Cancels tasks: waiting, retrying and dead ones are removed with everything of them; one
    /// in flight is marked through its claim, and its holder stops the handler and removes it
    /// (or lease recovery does, if the holder died). None for an id the queue does not know.
    pub fn cancel(&mut self, ids: &[String]) -> Result<Vec<Option<Cancelled>>> {
        let mut out = vec![None; ids.len()];
        let mut outboxes = Vec::new();
        for (shard, idx) in self.by_shard(ids, |s| s) {
            let mut args = state_args();
            args.extend(idx.iter().map(|&i| ids[i].clone()));
            let items = array(self.invoke(shard, &CANCEL, &args, "cancelling tasks")?)?;
            if items.len() > 2 * idx.len() {
                outboxes.push(shard);
            }
            for (&i, chunk) in idx.iter().zip(items.chunks(2)) {
                if let Some(state) = state_at(int(chunk.first())?) {
                    out[i] = Some(Cancelled {
                        queue: None,
                        id: ids[i].clone(),
                        state,
                        consumer: opt_string(chunk.get(1))?,
                    });
                }
            }
        }
        // Issue 25: their control data (one in flight keeps its own until its holder ends it).
        self.ctl_gone(ids)?;
        // flows across hash tags: children in another queue or on another shard of a
        // cancelled task (its shard's outbox, when the script said it has lines).
        for shard in outboxes {
            self.move_outbox_quietly(shard);
        }
        Ok(out)
    }

    /// Gives waiting and retrying tasks a new priority (each keeps its place in arrival order
    /// within it), and with `now` makes retrying tasks due at once. Tasks in flight and dead
    /// ones are left as they are and said so; a moved task comes back as it is right after.
    pub fn move_tasks(
        &mut self,
        ids: &[String],
        priority: Option<Priority>,
        now: bool,
    ) -> Result<Vec<Moved>> {
        let mut out = vec![Moved::Unknown; ids.len()];
        let p = priority.map(|p| p.get().to_string()).unwrap_or_default();
        for (shard, idx) in self.by_shard(ids, |s| s) {
            let mut args = vec![p.clone(), if now { "1" } else { "0" }.to_string()];
            args.extend(idx.iter().map(|&i| ids[i].clone()));
            let items = array(self.invoke(shard, &MOVE, &args, "moving tasks")?)?;
            let woke = int(items.first())? as u64;
            for (&i, c) in idx.iter().zip(items.get(1..).unwrap_or_default().chunks(5)) {
                out[i] = match MoveCode::from_reply(&c[0])? {
                    MoveCode::Moved => {
                        let set = int(c.get(2))?;
                        let state = STATES.iter().find(|d| d.key as i64 + 1 == set);
                        let s = Stored {
                            score: opt_string(c.get(3))?.unwrap_or_default(),
                            body: opt_record(c.get(4))?,
                            claim: None,
                        };
                        match state {
                            Some(d) => Moved::Done(Box::new(TaskInfo::new(&ids[i], d.state, &s))),
                            None => Moved::Unknown,
                        }
                    }
                    MoveCode::InFlight => {
                        Moved::InFlight(opt_string(c.get(1))?.unwrap_or_default())
                    }
                    MoveCode::Dead => Moved::Dead,
                    MoveCode::Unreadable => Moved::Unreadable,
                    MoveCode::Unknown => Moved::Unknown,
                };
            }
            self.wake_others(shard, woke)?;
        }
        Ok(out)
    }

    /// Every queue on the server (on a cluster, on every primary) with its counts, by name. A
    /// queue is found by its meta key, which its first push or claim writes on shard 0 only, so
    /// a sharded queue is one line; found with SCAN, never KEYS.
    pub fn queues(&mut self) -> Result<Vec<QueueCounts>> {
        let found = conn::scan(&mut self.conn, keys::META_PATTERN)
            .map_err(|e| self.explain(0, e, "SCAN"))
            .context("listing the queues of the server")?;
        let mut names: Vec<String> = found
            .iter()
            .filter_map(|k| keys::queue_of_meta(k))
            .map(String::from)
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            return Ok(vec![]);
        }
        let cmds = names
            .iter()
            .map(|n| {
                let mut c = redis::cmd("HMGET");
                c.arg(keys::meta(n)).arg("shards").arg(keys::LAYOUT_FIELD);
                c
            })
            .collect();
        let settings = self
            .query_many("HMGET", cmds)
            .context("reading the settings of the queues")?;
        let mut out = Vec::with_capacity(names.len());
        for (name, v) in names.into_iter().zip(settings) {
            let v: Vec<Value> = redis::from_redis_value(v)
                .map_err(|e| anyhow::anyhow!("unexpected reply from redis: {e}"))?;
            // A queue of another stored layout has none of its tasks under this layout's
            // keys: it is named with the way out instead of being counted as empty.
            let layout = opt_string(v.get(1))?.unwrap_or_else(|| "1".into());
            if layout != keys::LAYOUT_VERSION.to_string() {
                crate::log::note(&super::other_layout(&name, &layout).to_string());
                continue;
            }
            let shards: u32 = opt_string(v.first())?
                .and_then(|s| s.parse().ok())
                .unwrap_or(1)
                .max(1);
            // controls (issue 13): what is paused, read with the lengths.
            let (counts, paused) = self.as_queue(&name, shards, |q| {
                let ctl = q.read_controls()?;
                let paused = match ctl.first() {
                    Some(c) if !c.paused.is_empty() => c.paused_at(q.server_ms()?),
                    _ => vec![],
                };
                Ok((q.lengths_with(&ctl)?, paused))
            })?;
            out.push(QueueCounts {
                queue: name,
                shards,
                counts,
                paused,
            });
        }
        Ok(out)
    }

    /// Runs `f` as if this were queue `name` of `shards` shards, on this connection: one
    /// connection for every queue of the server.
    fn as_queue<T>(
        &mut self,
        name: &str,
        shards: u32,
        f: impl FnOnce(&mut Queue) -> Result<T>,
    ) -> Result<T> {
        let keys = (0..shards as usize).map(|i| Keys::new(name, i)).collect();
        let own_keys = std::mem::replace(&mut self.shards, keys);
        let own_name = std::mem::replace(&mut self.name, name.to_string());
        let r = f(self);
        self.shards = own_keys;
        self.name = own_name;
        r
    }
}

impl Queue {
    /// The next `n` tasks in claim order, untouched: the first `n` of every shard, merged by
    /// score as a sharded claim picks between shards. Unreadable bodies are shown with a null
    /// payload and type "?" rather than hidden, so peek never lies about what is next.
    pub fn peek(&mut self, n: usize) -> Result<Vec<Task>> {
        if n == 0 {
            return Ok(vec![]);
        }
        let mut all = Vec::new();
        for shard in 0..self.shards.len() {
            all.extend(self.peek_shard(shard, n)?);
        }
        // Stable: equal scores keep shard order.
        all.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        Ok(all.into_iter().take(n).map(|(_, t)| t).collect())
    }

    fn peek_shard(&mut self, shard: usize, n: usize) -> Result<Vec<(f64, Task)>> {
        let reply = self.invoke(shard, &PEEK, &[n.to_string()], "peeking")?;
        let items = array(reply)?;
        let mut out = Vec::with_capacity(items.len() / 4);
        for chunk in items.chunks(4) {
            let id = string(chunk.first())?;
            let score = string(chunk.get(1))?;
            let body = opt_record(chunk.get(2))?;
            let attempts = int(chunk.get(3))? as u32;
            let task = body
                .and_then(|b| Task::from_stored(&id, &b, attempts).ok())
                .unwrap_or_else(|| Task::unreadable(&id, score::priority_of(&score), attempts));
            out.push((score.parse().unwrap_or(f64::MAX), task));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::server::RedisServer;
    use crate::task::NewTask;

    /// move.lua finds the priority in a stored body without decoding it: a type that spells
    /// `,"p":1` inside its JSON string must survive, and the body must read back.
    #[test]
    fn a_move_rewrites_only_the_priority_of_a_body() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "bodies")).unwrap();
        let tricky = r#"x","p":1,"d":"\u0000,"p":3"#;
        let payload = serde_json::json!({"p": 3, "note": ",\"p\":2"});
        let mut t = NewTask::new(tricky, Priority::LOW, payload.clone());
        t.id = "b".into();
        q.push(&[t]).unwrap();
        let moved = q
            .move_tasks(&["b".to_string()], Some(Priority::HIGH), false)
            .unwrap();
        let Moved::Done(info) = &moved[0] else {
            panic!("not moved: {moved:?}")
        };
        assert_eq!(info.task.priority, Priority::HIGH);
        assert_eq!(info.task.kind, tricky);
        assert_eq!(info.task.payload, payload);
        let listed = q
            .list(&ListQuery {
                state: State::Waiting,
                kind: Some(tricky.into()),
                priority: Some(Priority::HIGH),
                n: 10,
                after: None,
            })
            .unwrap();
        assert_eq!(listed.tasks.len(), 1, "found by its type and new priority");
        assert_eq!(listed.total, 1);
    }
}
