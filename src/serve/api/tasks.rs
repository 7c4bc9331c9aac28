//! Tasks of one queue: a page of one state, one task, cancel and move.

use super::error::{ApiError, ApiResult};
use super::extract::{
    group_key, priority, task_id, unknown_task, Body, KnownTask, Params, QueueName, TaskPath,
};
use crate::output::finished_json;
use crate::queue::{Cancelled, Found, ListPage, ListQuery, Moved, State as TaskState, TaskInfo};
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Most tasks one page of a list may ask for. A page is read from its cursor (`after`), so
/// how deep it is does not matter.
const MAX_LIMIT: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    state: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    /// Issue 23: of one group only.
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    50
}

/// One page of tasks in one state, each as `rpq list --json` prints it, with the state's
/// total and where the next page starts.
#[derive(Serialize)]
pub struct Page {
    queue: String,
    state: TaskState,
    limit: usize,
    /// The cursor this page went on from, if any.
    after: Option<String>,
    /// Tasks in the state (of the priority asked for, when it is `waiting`), the type filter
    /// and a priority filter of other states aside.
    total: u64,
    more: bool,
    /// `after` for the next page; null on the last one.
    next: Option<String>,
    /// Each as `rpq list --json` prints it, its payload cut to a preview (`previewed`).
    tasks: Vec<Value>,
}

/// A payload longer than this (as compact JSON) is listed as a preview of this many bytes:
/// pages are polled every few seconds by every open tab, and a task's whole payload is one
/// GET of the task away.
pub const PREVIEW_BYTES: usize = 300;

/// A task as a list shows it: `payload_bytes` (its payload's size as compact JSON), and for a
/// payload over `PREVIEW_BYTES`, `payload_preview` (its first bytes, cut on a character
/// boundary) instead of `payload`.
pub fn previewed(t: &TaskInfo) -> ApiResult<Value> {
    let text = t.task.payload.to_string();
    let mut v = serde_json::to_value(t)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("payload_bytes".into(), text.len().into());
        if text.len() > PREVIEW_BYTES {
            let cut = (0..=PREVIEW_BYTES)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            o.remove("payload");
            o.insert("payload_preview".into(), text[..cut].into());
        }
    }
    Ok(v)
}

/// `GET /api/queues/{q}/tasks?state=S[&type=T][&priority=P][&after=ID][&limit=N]`: one page
/// of one state in its order (claim order for waiting; due, lease, retry or death time for the
/// others), read from its cursor as `rpq list` reads it: O(log n + N), however deep.
pub async fn list(
    State(app): State<Arc<App>>,
    Params(lq): Params<ListParams>,
    q: QueueName,
) -> ApiResult<Json<Page>> {
    let state: TaskState = lq
        .state
        .parse()
        .map_err(|e: String| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    if lq.limit == 0 || lq.limit > MAX_LIMIT {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit is 1 to {MAX_LIMIT}"),
        ));
    }
    let priority = match lq.priority.filter(|p| !p.is_empty()) {
        Some(p) => Some(priority(&Value::String(p))?),
        None => None,
    };
    let after = lq.after.filter(|a| !a.is_empty());
    if let Some(a) = &after {
        task_id(a)?;
    }
    let group = lq.group.filter(|g| !g.is_empty());
    if let Some(g) = &group {
        group_key(g)?;
    }
    let q = q.known(&app).await?;
    let query = ListQuery {
        state,
        kind: lq.kind.filter(|k| !k.is_empty()),
        priority,
        n: lq.limit,
        after: after.clone(),
    };
    let ListPage { tasks, total, more } = q
        .call(move |queue| queue.list_in_group(&query, group.as_deref()))
        .await?;
    Ok(Json(Page {
        queue: q.name,
        state,
        limit: lq.limit,
        after,
        total,
        more,
        next: tasks.last().filter(|_| more).map(|t| t.task.id.clone()),
        tasks: tasks.iter().map(previewed).collect::<ApiResult<_>>()?,
    }))
}

/// `GET /api/queues/{q}/tasks/{id}`: the task as `rpq show --json` prints it, a finished one
/// whose result (or error) is kept too (`state` done or dead); 404 for an id the queue does not
/// know (never pushed, cancelled, purged, finished with nothing kept).
pub async fn show(KnownTask { queue, id }: KnownTask) -> ApiResult<Json<Value>> {
    let ids = vec![id.clone()];
    let found = queue.call(move |q| q.show_detailed(&ids, true)).await?;
    let v = match found.into_iter().next().flatten() {
        Some(Found::Task(t)) => serde_json::to_value(t),
        Some(Found::Finished(k)) => finished_json(&k),
        None => return Err(unknown_task(&queue.name, &id)),
    };
    v.map(Json)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// `DELETE /api/queues/{q}/tasks/{id}`: as `rpq cancel --json`. A waiting, scheduled,
/// retrying or dead task is gone when this answers; one in flight is cancelled through its
/// lease, and its consumer (`consumer`) stops the handler within about a second.
pub async fn cancel(KnownTask { queue, id }: KnownTask) -> ApiResult<Json<Cancelled>> {
    let ids = vec![id.clone()];
    let done = queue.call(move |q| q.cancel(&ids)).await?;
    match done.into_iter().next().flatten() {
        Some(c) => Ok(Json(c)),
        None => Err(unknown_task(&queue.name, &id)),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    #[serde(default)]
    priority: Option<Value>,
    #[serde(default)]
    now: bool,
}

/// `POST /api/queues/{q}/tasks/{id}/move` with `{"priority": P}` and/or `{"now": true}`: as
/// `rpq move --json`, the task as it is right after. A task in flight or dead is not moved
/// (409, and why); an unknown one is 404.
pub async fn move_task(
    State(app): State<Arc<App>>,
    TaskPath { queue, id }: TaskPath,
    Body(body): Body<MoveBody>,
) -> ApiResult<Json<TaskInfo>> {
    let p = body.priority.as_ref().map(priority).transpose()?;
    if p.is_none() && !body.now {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "say what to do: {\"priority\": \"high\"}, {\"now\": true} or both",
        ));
    }
    let queue = queue.known(&app).await?;
    let (ids, now, q) = (vec![id.clone()], body.now, &queue.name);
    let moved = queue.call(move |q| q.move_tasks(&ids, p, now)).await?;
    let conflict = |m: String| ApiError::new(StatusCode::CONFLICT, m);
    match moved.into_iter().next().unwrap_or(Moved::Unknown) {
        Moved::Done(t) => Ok(Json(*t)),
        Moved::InFlight(who) => Err(conflict(format!(
            "task '{id}' is in flight (held by {who}); it can be moved once it is back in line"
        ))
        .with("consumer", who)),
        Moved::Dead => Err(conflict(format!(
            "task '{id}' is dead; POST /api/queues/{q}/dead/retry queues it again"
        ))),
        Moved::Unreadable => Err(conflict(format!(
            "task '{id}' cannot be read (its stored body names no priority); not moved"
        ))),
        Moved::Unknown => Err(unknown_task(q, &id)),
    }
}
