//! Schedules and aging (issue 12's recurring tasks, shown and run from the page): the list with
//! the aging step, remove, and "fire now".

use super::error::{ApiError, ApiResult};
use super::extract::{Body, KnownQueue, TaskPath};
use crate::output::records::Produced;
use crate::schedule::Listed;
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// A queue's schedules, each as `rpq schedule list --json` prints it, and its aging step as
/// `stats` gives it (null: off).
#[derive(Serialize)]
pub struct Schedules {
    queue: String,
    aging_ms: Option<u64>,
    schedules: Vec<Listed>,
}

/// `GET /api/queues/{q}/schedules`.
pub async fn schedules(KnownQueue(q): KnownQueue) -> ApiResult<Json<Schedules>> {
    let (aging, schedules) = q
        .call(|queue| {
            let now = queue.server_ms()?;
            let all = queue.schedules()?.iter().map(|s| s.listed(now)).collect();
            Ok((queue.aging()?, all))
        })
        .await?;
    Ok(Json(Schedules {
        queue: q.name,
        aging_ms: aging.map(|a| a.as_millis() as u64),
        schedules,
    }))
}

fn unknown_schedule(q: &str, name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("queue '{q}' has no schedule '{name}'; GET /api/queues/{q}/schedules lists them"),
    )
}

/// `DELETE /api/queues/{q}/schedules/{name}`: as `rpq schedule remove --json`; 404 for a name
/// the queue has no schedule of. (A schedule's name is checked as a task id is, as `rpq
/// schedule add` checks it.)
pub async fn remove_schedule(
    State(app): State<Arc<App>>,
    TaskPath { queue, id: name }: TaskPath,
) -> ApiResult<Json<Value>> {
    let q = queue.known(&app).await?;
    let look = name.clone();
    if !q.call(move |queue| queue.schedule_remove(&look)).await? {
        return Err(unknown_schedule(&q.name, &name));
    }
    Ok(Json(json!({ "name": name, "removed": 1 })))
}

/// `POST /api/queues/{q}/schedules/{name}/fire` with `{}`: queues the schedule's task now, as
/// a push answers (201; 200 with `queued` false when the same millisecond fired it already).
/// Its id is `NAME@now-<ms>`: no slot is taken, so the slots still queue at most once each and
/// the next one fires as it would have.
pub async fn fire_schedule(
    State(app): State<Arc<App>>,
    TaskPath { queue, id: name }: TaskPath,
    Body(body): Body<Value>,
) -> ApiResult<Response> {
    if !body.as_object().is_some_and(|o| o.is_empty()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "send {} as the body",
        ));
    }
    let q = queue.known(&app).await?;
    let look = name.clone();
    let fired = q.call(move |queue| queue.fire_now(&look)).await?;
    let Some((task, created, queued)) = fired else {
        return Err(unknown_schedule(&q.name, &name));
    };
    let status = if queued {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let line = Produced {
        task: task.queued(created.timestamp_millis()),
        queued,
        line: None,
    };
    Ok((status, Json(line)).into_response())
}
