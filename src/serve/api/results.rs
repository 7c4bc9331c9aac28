//! Results: a task's kept result, the finished tasks whose result is kept (the Completed tab),
//! and waiting for a task's end (`?wait`).

use super::error::{ApiError, ApiResult};
use super::extract::{duration, task_id, Params, QueueName, TaskPath};
use crate::queue::{CompletedPage, Kept, KeptOutcome, Waited};
use crate::serve::app::App;
use crate::serve::waits;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitParams {
    #[serde(default)]
    wait: Option<String>,
    #[serde(default)]
    timeout: Option<String>,
}

/// How long `?wait[&timeout=DUR]` asks to wait; None without `wait`.
pub fn wait_for(p: &WaitParams) -> ApiResult<Option<std::time::Duration>> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let wait = match p.wait.as_deref().map(str::trim) {
        None | Some("0" | "false") => false,
        Some("" | "1" | "true") => true,
        Some(other) => return Err(bad(format!("wait={other}: give ?wait, or wait=true"))),
    };
    let timeout = p
        .timeout
        .as_deref()
        .map(|t| duration("timeout", &json!(t)))
        .transpose()?;
    if !wait {
        return match timeout {
            Some(_) => Err(bad("timeout is how long ?wait waits; add wait".into())),
            None => Ok(None),
        };
    }
    let t = timeout.unwrap_or(waits::DEFAULT_TIMEOUT);
    if t.is_zero() || t > waits::MAX_TIMEOUT {
        return Err(bad(format!(
            "timeout is over 0 and at most {}; wait again with GET .../tasks/ID/result?wait",
            humantime::format_duration(waits::MAX_TIMEOUT)
        )));
    }
    Ok(Some(t))
}

pub fn reserve(app: &Arc<App>) -> ApiResult<waits::Slot> {
    app.waits.reserve().ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "{} requests are waiting already, the most this server waits for at once; \
                 try again in a moment",
                waits::MAX
            ),
        )
    })
}

pub async fn wait_on(
    app: &Arc<App>,
    slot: waits::Slot,
    q: &str,
    id: &str,
    timeout: std::time::Duration,
) -> ApiResult<Waited> {
    let rx = app
        .waits
        .wait(
            slot,
            app.backend.clone(),
            q.to_string(),
            id.to_string(),
            timeout,
        )
        .map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("cannot start a thread to wait on: {e}"),
            )
        })?;
    rx.await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the wait ended early"))?
        .map_err(ApiError::from)
}

/// A kept result as `result --json` prints it (in its field order), and after a push whether
/// the push queued it.
#[derive(Serialize)]
struct Answer<'a> {
    #[serde(flatten)]
    kept: &'a crate::queue::Kept,
    #[serde(skip_serializing_if = "Option::is_none")]
    queued: Option<bool>,
}

/// What a wait found, as the HTTP answer: done 200 and dead 422, each with the kept result as
/// `result --json` prints it (`outcome`, `finished_at`, `result` or `error`); a task gone
/// without a result (cancelled, cleared, purged) 410; not finished in time 504, and 503 when
/// `rpq serve` is stopping (the task stays queued in both).
pub fn waited_answer(
    app: &Arc<App>,
    id: &str,
    queued: Option<bool>,
    waited: Waited,
    timeout: std::time::Duration,
) -> Response {
    let with_queued = |mut v: Value| {
        if let Some(q) = queued {
            v["queued"] = json!(q);
        }
        v
    };
    match waited {
        Waited::Finished(k) => {
            let status = match k.outcome {
                KeptOutcome::Done => StatusCode::OK,
                KeptOutcome::Dead => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, Json(Answer { kept: &k, queued })).into_response()
        }
        Waited::Dead(why) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(with_queued(
                json!({ "id": id, "outcome": "dead", "error": why }),
            )),
        )
            .into_response(),
        Waited::Gone => {
            let e = ApiError::new(
                StatusCode::GONE,
                format!("task {id} is gone without a result: it was cancelled, cleared or purged"),
            );
            (e.status, Json(with_queued(e.with("id", id).body))).into_response()
        }
        Waited::Pending => {
            let e = if app.waits.stopping() {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("rpq serve is stopping; task {id} stays queued"),
                )
            } else {
                ApiError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "task {id} was not finished within {}; it stays queued (GET \
                         .../tasks/{id}/result?wait waits again)",
                        humantime::format_duration(timeout)
                    ),
                )
            };
            (e.status, Json(with_queued(e.with("id", id).body))).into_response()
        }
    }
}

/// `GET /api/queues/{q}/tasks/{id}/result[?wait[&timeout=DUR]]`: the kept result, as `rpq
/// result --json` prints it: 200 done, 422 dead, 404 when there is none (not done yet, none
/// kept, expired, unknown id). With `?wait` a task not done yet is waited for, as a push with
/// `?wait` waits (504 when the time runs out).
pub async fn result(
    State(app): State<Arc<App>>,
    Params(p): Params<WaitParams>,
    TaskPath { queue, id }: TaskPath,
) -> ApiResult<Response> {
    let wait = wait_for(&p)?;
    let queue = queue.known(&app).await?;
    let tid = id.clone();
    let now = queue.call(move |q| q.waited(&tid)).await?;
    let q = &queue.name;
    let waited = match (now, wait) {
        (Waited::Pending, Some(timeout)) => {
            let slot = reserve(&app)?;
            let w = wait_on(&app, slot, q, &id, timeout).await?;
            return Ok(waited_answer(&app, &id, None, w, timeout));
        }
        (w, _) => w,
    };
    let missing = |m: String| Err(ApiError::new(StatusCode::NOT_FOUND, m).with("id", &id));
    match waited {
        Waited::Pending => missing(format!(
            "task {id} is not done yet; no result so far (?wait waits for it)"
        )),
        Waited::Gone => missing(format!(
            "no result for task {id} in queue '{q}': none was kept (push it with keep_result), \
             it expired, or the id is unknown"
        )),
        done => Ok(waited_answer(
            &app,
            &id,
            None,
            done,
            std::time::Duration::ZERO,
        )),
    }
}

/// Most results one page of `completed` may ask for.
const MAX_COMPLETED: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletedParams {
    #[serde(default)]
    after: Option<String>,
    #[serde(default = "default_completed")]
    limit: usize,
}

fn default_completed() -> usize {
    50
}

/// A page of finished tasks, each as `rpq result --json` prints it.
#[derive(Serialize)]
pub struct Completed {
    queue: String,
    limit: usize,
    after: Option<String>,
    /// Results kept now.
    total: u64,
    more: bool,
    next: Option<String>,
    /// As `tasks` of a page of one state, each as `rpq result --json` prints it.
    tasks: Vec<Kept>,
}

/// `GET /api/queues/{q}/completed[?after=ID][&limit=N]`: the finished tasks whose result (or
/// error, for a dead one) is kept, newest first, read from the cursor (`after`, the `next` of
/// the page before) as `Queue::completed` reads it.
pub async fn completed(
    State(app): State<Arc<App>>,
    Params(p): Params<CompletedParams>,
    q: QueueName,
) -> ApiResult<Json<Completed>> {
    if p.limit == 0 || p.limit > MAX_COMPLETED {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit is 1 to {MAX_COMPLETED}"),
        ));
    }
    let after = p.after.filter(|a| !a.is_empty());
    if let Some(a) = &after {
        task_id(a)?;
    }
    let q = q.known(&app).await?;
    let (cursor, n) = (after.clone(), p.limit);
    let CompletedPage {
        results,
        total,
        more,
    } = q
        .call(move |queue| queue.completed(cursor.as_deref(), n))
        .await?;
    Ok(Json(Completed {
        queue: q.name,
        limit: p.limit,
        after,
        total,
        more,
        next: results.last().filter(|_| more).map(|k| k.id.clone()),
        tasks: results,
    }))
}
