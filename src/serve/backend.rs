//! Redis as the server sees it: a small pool of `Queue` connections per queue name, the list of
//! queues (cached briefly, so many viewers cost one SCAN), and whether Redis answered last time.
//! Every call here blocks; the handlers run them on tokio's blocking threads. Nothing here
//! knows about HTTP.

use crate::config::Config;
use crate::conn::is_connection_error;
use crate::error::LayoutError;
use crate::queue::usage::Usage;
use crate::queue::Stats;
use crate::queue::{Found, ListQuery, Queue, State, TaskInfo};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A pooled connection older than this is opened again: a `Queue` learns its shard count when
/// it opens, and a queue may be created (with --shards) after we first looked at it.
const MAX_AGE: Duration = Duration::from_secs(30);

/// Idle connections kept per queue.
const IDLE_PER_QUEUE: usize = 4;

/// How long the list of queues is reused before it is read again: a queue another process
/// creates is shown within a second (the overview reads the list afresh, and is itself
/// reused for less than this).
const NAMES_TTL: Duration = Duration::from_millis(900);

/// How long one overview of every queue is shared by the requests that ask for it.
const OVERVIEW_TTL: Duration = Duration::from_millis(900);

pub struct Backend {
    /// The process's config; its `queue` is replaced per call, and `shards` is used only to
    /// push (reads take the count stored with each queue, and must not store one).
    cfg: Config,
    idle: Mutex<HashMap<String, Vec<(Instant, Queue)>>>,
    names: Mutex<Option<(Instant, Vec<String>)>>,
    overview: Mutex<Option<(Instant, std::sync::Arc<Vec<Stats>>)>>,
    /// The last error that meant Redis is unreachable; None once a call went through again.
    down: Mutex<Option<String>>,
}

impl Backend {
    pub fn new(cfg: &Config) -> Backend {
        Backend {
            cfg: cfg.clone(),
            idle: Mutex::new(HashMap::new()),
            names: Mutex::new(None),
            overview: Mutex::new(None),
            down: Mutex::new(None),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Why Redis could not be used by the last call that tried, or None when it answered.
    pub fn down(&self) -> Option<String> {
        lock(&self.down).clone()
    }

    /// Runs `f` on a connection to `queue`. A lost connection is tried once more on a fresh
    /// one: every `Queue` call is safe to repeat (see `reconnect::retry`), and a pooled
    /// connection may have died while it sat idle (a Redis restart).
    pub fn with<T>(&self, queue: &str, mut f: impl FnMut(&mut Queue) -> Result<T>) -> Result<T> {
        let mut q = self.checkout(queue, false)?;
        let mut result = f(&mut q);
        if matches!(&result, Err(e) if is_connection_error(e)) {
            result = q.reconnect().and_then(|()| f(&mut q));
        }
        self.settle(queue, q, &result);
        result
    }

    /// Pushes go through a connection that carries `--shards`, so a queue the API creates
    /// is sharded as asked; others read the count stored with the queue.
    pub fn with_push<T>(&self, queue: &str, f: impl FnMut(&mut Queue) -> Result<T>) -> Result<T> {
        if self.cfg.shards.is_none() {
            let result = self.with(queue, f);
            self.pushed(&result);
            return result;
        }
        let mut f = f;
        let mut q = self.checkout(queue, true)?;
        let mut result = f(&mut q);
        if matches!(&result, Err(e) if is_connection_error(e)) {
            result = q.reconnect().and_then(|()| f(&mut q));
        }
        // Not pooled: pooled connections must not pin a shard count on reads.
        self.note(&result);
        self.pushed(&result);
        result
    }

    /// A push may have created a queue: the lists are read again, so it is shown at once.
    fn pushed<T>(&self, result: &Result<T>) {
        if result.is_ok() {
            *lock(&self.names) = None;
            *lock(&self.overview) = None;
        }
    }

    fn checkout(&self, queue: &str, shards: bool) -> Result<Queue> {
        if !shards {
            let mut idle = lock(&self.idle);
            if let Some(list) = idle.get_mut(queue) {
                while let Some((opened, q)) = list.pop() {
                    if opened.elapsed() < MAX_AGE {
                        return Ok(q);
                    }
                }
            }
        }
        let mut cfg = self.cfg.clone();
        cfg.queue = queue.to_string();
        if !shards {
            cfg.shards = None;
        }
        let opened = Queue::open(&cfg);
        self.note(&opened);
        opened
    }

    fn settle<T>(&self, queue: &str, q: Queue, result: &Result<T>) {
        self.note(result);
        if matches!(result, Err(e) if is_connection_error(e)) {
            return;
        }
        let mut idle = lock(&self.idle);
        // Expired ones go; the rest wait for the next call.
        idle.retain(|_, list| {
            list.retain(|(t, _)| t.elapsed() < MAX_AGE);
            !list.is_empty()
        });
        let list = idle.entry(queue.to_string()).or_default();
        if list.len() < IDLE_PER_QUEUE {
            list.push((Instant::now(), q));
        }
    }

    fn note<T>(&self, result: &Result<T>) {
        let mut down = lock(&self.down);
        match result {
            Err(e) if is_connection_error(e) => *down = Some(format!("{e:#}")),
            Ok(_) => *down = None,
            Err(_) => {}
        }
    }

    /// Every queue on the server, or the one named by `--queue`.
    pub fn queue_names(&self) -> Result<Vec<String>> {
        if self.cfg.queue_given {
            return Ok(vec![self.cfg.queue.clone()]);
        }
        if let Some((t, names)) = lock(&self.names).as_ref() {
            if t.elapsed() < NAMES_TTL {
                return Ok(names.clone());
            }
        }
        let names = self.with(&self.cfg.queue, |q| q.queue_names())?;
        *lock(&self.names) = Some((Instant::now(), names.clone()));
        Ok(names)
    }

    /// Whether `queue` exists; a name not in the cached list is looked for again, so a queue
    /// created a moment ago is found.
    pub fn knows(&self, queue: &str) -> Result<bool> {
        if self.queue_names()?.iter().any(|n| n == queue) {
            return Ok(true);
        }
        if self.cfg.queue_given {
            // The one queue asked for is shown even before its first push.
            return Ok(false);
        }
        *lock(&self.names) = None;
        Ok(self.queue_names()?.iter().any(|n| n == queue))
    }

    /// One queue's numbers, exactly as `rpq stats --json` prints them.
    pub fn stats(&self, queue: &str) -> Result<Stats> {
        self.with(queue, Queue::snapshot)
    }

    /// Every queue's numbers, shared for a moment by everyone who asks (each browser polls).
    pub fn overview(&self) -> Result<std::sync::Arc<Vec<Stats>>> {
        if let Some((t, o)) = lock(&self.overview).as_ref() {
            if t.elapsed() < OVERVIEW_TTL {
                return Ok(o.clone());
            }
        }
        // The list afresh: with the overview's own time on top, a cached one would show a new
        // queue only after both.
        *lock(&self.names) = None;
        let fresh = std::sync::Arc::new(self.collect_all()?);
        *lock(&self.overview) = Some((Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// Every queue's numbers, read now: O(queues) round trips, no look at the tasks. A queue
    /// of another stored layout is left out (its own routes answer 409 with the way out), so
    /// that one queue waiting for `rpq migrate` does not take the page of every other down.
    pub fn collect_all(&self) -> Result<Vec<Stats>> {
        let mut all = Vec::new();
        for name in self.queue_names()? {
            match self.stats(&name) {
                Ok(s) => all.push(s),
                Err(e) if of_another_layout(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }

    /// Flows (issue 24): what a consumer of each queue with blocked tasks would do besides its
    /// claims, done by `serve` too, so that flows go on with no consumer but its HTTP workers:
    /// the links owed past their deadline (a producer died between its push and its link) are
    /// made, and lines left in an outbox are moved. A queue with nothing blocked costs nothing
    /// here. A failure leaves them for the next round, or the next claim.
    pub fn flow_chores(&self, stats: &[Stats]) {
        for s in stats.iter().filter(|s| s.blocked > 0) {
            let _ = self.with(&s.queue, Queue::move_outbox);
        }
    }

    /// Search across queues (issue 28): the task with this id in every queue that holds it (or
    /// keeps its result), by queue name.
    pub fn find_id(&self, id: &str) -> Result<Vec<(String, Found)>> {
        let mut out = Vec::new();
        for name in self.queue_names()? {
            let ids = vec![id.to_string()];
            let found = match self.with(&name, |q| q.show_or_finished(&ids)) {
                Err(e) if of_another_layout(&e) => continue,
                r => r?.pop().flatten(),
            };
            if let Some(found) = found {
                out.push((name, found));
            }
        }
        Ok(out)
    }

    /// Search across queues: tasks of type `kind` in `states`, the first `per_queue` of each
    /// state of each queue and `cap` in all; true when more may match.
    pub fn find_type(
        &self,
        kind: &str,
        states: &[State],
        per_queue: usize,
        cap: usize,
    ) -> Result<(Vec<(String, TaskInfo)>, bool)> {
        let mut out = Vec::new();
        let mut more = false;
        for name in self.queue_names()? {
            for &state in states {
                let query = ListQuery {
                    state,
                    kind: Some(kind.to_string()),
                    priority: None,
                    n: per_queue,
                    after: None,
                };
                let page = match self.with(&name, |q| q.list(&query)) {
                    Err(e) if of_another_layout(&e) => break,
                    r => r?,
                };
                more |= page.more;
                out.extend(page.tasks.into_iter().map(|t| (name.clone(), t)));
                if out.len() >= cap {
                    out.truncate(cap);
                    return Ok((out, true));
                }
            }
        }
        Ok((out, more))
    }

    /// What the consumers of every queue reported by type (issue 28), by queue name: two
    /// round trips a queue, for `/metrics`.
    pub fn usage_all(&self) -> Result<Vec<(String, Usage)>> {
        let mut all = Vec::new();
        for name in self.queue_names()? {
            match self.with(&name, Queue::usage) {
                Ok(u) => all.push((name, u)),
                Err(e) if of_another_layout(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }

    /// The groups with work of every queue (issue 23), by queue name, for `/metrics`: a read
    /// of each queue's groups, nothing for a queue without any (`Queue::groups`).
    pub fn groups_all(&self) -> Result<Vec<(String, Vec<crate::queue::GroupInfo>)>> {
        let mut all = Vec::new();
        for name in self.queue_names()? {
            match self.with(&name, Queue::groups) {
                Ok(g) if g.is_empty() => {}
                Ok(g) => all.push((name, g)),
                Err(e) if of_another_layout(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }

    /// PING, for /healthz.
    pub fn ping(&self) -> Result<()> {
        self.with(&self.cfg.queue, |q| {
            redis::cmd("PING")
                .query::<String>(q.conn())
                .map(drop)
                .map_err(anyhow::Error::from)
        })
    }
}

/// A poisoned lock only means another request panicked; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A queue of another stored layout: the views across queues leave it out (its own routes
/// answer 409 with the way out), so that one queue waiting for `rpq migrate` does not take
/// the page, the search or `/metrics` of every other down.
fn of_another_layout(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<LayoutError>())
}
