//! Queues: the overview, one queue's numbers, clear, pause and resume.

use super::error::{ApiError, ApiResult};
use super::extract::{blocking, duration, priority, Body, KnownQueue, QueueName};
use crate::output::records::PausedNow;
use crate::queue::{Cleared, Paused, Queue, Stats};
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Every queue: `{"queues": [stats...]}`, each as `rpq stats --json` prints it (and in its
/// field order).
pub async fn queues(State(app): State<Arc<App>>) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Overview<'a> {
        queues: &'a [Stats],
    }
    let all = blocking(&app, |b| b.overview()).await?;
    Ok(Json(Overview { queues: &all }).into_response())
}

pub async fn queue(KnownQueue(q): KnownQueue) -> ApiResult<Json<Stats>> {
    Ok(Json(q.call(Queue::snapshot).await?))
}

/// `POST /api/queues/{q}/clear` with `{}`: every task of the queue goes, as `rpq clear`.
pub async fn clear(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(body): Body<Value>,
) -> ApiResult<Json<Cleared>> {
    if !body.as_object().is_some_and(|o| o.is_empty()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "send {} as the body",
        ));
    }
    let q = q.known(&app).await?;
    Ok(Json(q.call(|queue| queue.clear()).await?))
}

// Pause and resume (issue 13's controls): as `rpq pause` and `rpq resume`, on every shard.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    /// One priority only; none: the whole queue.
    #[serde(default)]
    priority: Option<Value>,
    /// As `--for`: a human duration ("10m"), or seconds; none: until resumed.
    #[serde(default, rename = "for")]
    duration: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeBody {
    #[serde(default)]
    priority: Option<Value>,
}

/// `POST /api/queues/{q}/pause` with `{}`, `{"priority": P}`, `{"for": "10m"}` or both: as
/// `rpq pause --json`, the pauses in force after it (`until` null: until resumed).
pub async fn pause(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(body): Body<PauseBody>,
) -> ApiResult<Response> {
    let p = body.priority.as_ref().map(priority).transpose()?;
    let for_ = body
        .duration
        .as_ref()
        .map(|d| duration("for", d))
        .transpose()?;
    if for_.is_some_and(|d| d.is_zero()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "for: a pause of no time is none; leave \"for\" out to pause until resumed",
        ));
    }
    let q = q.known(&app).await?;
    let paused = q.call(move |queue| queue.pause(p, for_)).await?;
    Ok(paused_now(&q.name, &paused))
}

/// `POST /api/queues/{q}/resume` with `{}` or `{"priority": P}`: as `rpq resume --json`; idle
/// consumers are woken.
pub async fn resume(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(body): Body<ResumeBody>,
) -> ApiResult<Response> {
    let p = body.priority.as_ref().map(priority).transpose()?;
    let q = q.known(&app).await?;
    let paused = q.call(move |queue| queue.resume(p)).await?;
    Ok(paused_now(&q.name, &paused))
}

/// As `rpq pause --json` and `rpq resume --json` print it.
fn paused_now(queue: &str, paused: &[Paused]) -> Response {
    Json(PausedNow { paused, queue }).into_response()
}
