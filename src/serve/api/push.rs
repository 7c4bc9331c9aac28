//! Pushes: one task, a batch of task lines, or one task waited for.

use super::error::{ApiError, ApiResult};
use super::extract::{blocking, rejection_words, Params, QueueName};
use super::results::{reserve, wait_for, wait_on, waited_answer, WaitParams};
use crate::error::DataError;
use crate::output::records::Produced;
use crate::producer;
use crate::serve::app::App;
use crate::task::{parse_input_line, setting_ms, NewTask, Task, TraceContext};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// A pushed task as `produce --json` prints it, with its line in an NDJSON batch.
type Pushed = Produced<Task>;

#[derive(Serialize)]
struct LineError {
    line: usize,
    error: String,
}

/// `POST /api/queues/{q}/tasks`: one task as `application/json`, or a batch as
/// `application/x-ndjson`, with the fields and checks of `produce --stdin`. A batch with bad
/// lines still pushes the good ones and answers 400 with both lists, as `produce --stdin`
/// exits 65 after pushing what it could. `?wait[&timeout=DUR]` pushes one task and answers
/// once it is done or dead, as `produce --wait` (`waited`).
pub async fn push(
    State(app): State<Arc<App>>,
    Params(pq): Params<WaitParams>,
    QueueName(q): QueueName,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let wait = wait_for(&pq)?;
    let body = body.map_err(|r| ApiError::new(r.status(), rejection_words(&r.body_text())))?;
    let trace = trace_headers(&headers);
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match kind.as_str() {
        "application/json" => match wait {
            Some(t) => push_and_wait(app, q, &body, trace, t).await,
            None => push_one(app, q, &body, trace).await,
        },
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
            if wait.is_some() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "?wait waits for one task: send it as Content-Type: application/json",
                ));
            }
            push_lines(app, q, &body, trace).await
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send one task as Content-Type: application/json, or one a line as \
             application/x-ndjson",
        )),
    }
}

/// Issue 26: the W3C `traceparent` (and `tracestate`) of the request, for the tasks that carry
/// none of their own. One that is not valid is ignored, as the recommendation has a receiver
/// do.
fn trace_headers(headers: &HeaderMap) -> Option<TraceContext> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    TraceContext::parse(text("traceparent")?, text("tracestate")).ok()
}

fn with_trace(mut t: NewTask, trace: &Option<TraceContext>) -> NewTask {
    if t.trace.is_none() {
        t.trace.clone_from(trace);
    }
    t
}

fn one_task(body: &[u8], trace: &Option<TraceContext>) -> ApiResult<NewTask> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the body is not UTF-8"))?;
    parse_input_line(text)
        .map(|t| with_trace(t, trace))
        .map_err(|why| ApiError::new(StatusCode::BAD_REQUEST, format!("not a task: {why}")))
}

/// Pushes `batch` off the async threads, on a connection that carries `--shards` (a push may
/// create the queue, so the queue need not be known): the batch back, when Redis took it, and
/// whether each task was queued.
async fn push_tasks(
    app: &Arc<App>,
    q: &str,
    batch: Vec<NewTask>,
) -> ApiResult<(Vec<NewTask>, Vec<DateTime<Utc>>, Vec<bool>)> {
    let name = q.to_string();
    blocking(app, move |b| {
        let mut batch = batch;
        b.with_push(&name, |q| {
            // Issue 23: a grouped task of a sharded queue goes to its group's shard.
            for t in &mut batch {
                q.place(t).map_err(DataError)?;
            }
            q.push(&batch)
        })
        .map(|(created, flags)| (batch, created, flags))
    })
    .await
}

async fn push_one(
    app: Arc<App>,
    q: String,
    body: &[u8],
    trace: Option<TraceContext>,
) -> ApiResult<Response> {
    let (mut batch, created, flags) = push_tasks(&app, &q, vec![one_task(body, &trace)?]).await?;
    let task = batch.remove(0);
    let queued = flags.first().copied().unwrap_or(false);
    let status = if queued {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let line = Pushed {
        task: task.queued(created[0].timestamp_millis()),
        queued,
        line: None,
    };
    Ok((status, Json(line)).into_response())
}

/// `?wait`: one task pushed, then its end waited for as `produce --wait` waits (its result kept
/// for a minute at least, so that it can be read). The slot is taken first: a wait refused
/// (429) pushes nothing. A task whose id is known already is waited for all the same, and one
/// done with its result kept answers that result at once (`queued` false in both cases).
async fn push_and_wait(
    app: Arc<App>,
    q: String,
    body: &[u8],
    trace: Option<TraceContext>,
    timeout: std::time::Duration,
) -> ApiResult<Response> {
    let mut task = one_task(body, &trace)?;
    if task.settings.keep_result_ms.is_none() {
        task.settings.keep_result_ms = Some(setting_ms(producer::WAIT_KEEP));
    }
    let slot = reserve(&app)?;
    let (mut batch, _, flags) = push_tasks(&app, &q, vec![task]).await?;
    let task = batch.remove(0);
    let queued = flags.first().copied().unwrap_or(false);
    let waited = wait_on(&app, slot, &q, &task.id, timeout).await?;
    Ok(waited_answer(&app, &task.id, Some(queued), waited, timeout))
}

async fn push_lines(
    app: Arc<App>,
    q: String,
    body: &[u8],
    trace: Option<TraceContext>,
) -> ApiResult<Response> {
    let mut tasks: Vec<(usize, NewTask)> = Vec::new();
    let mut errors: Vec<LineError> = Vec::new();
    for (line, read) in producer::task_lines(body) {
        match read {
            Ok(t) => tasks.push((line, with_trace(t, &trace))),
            Err(error) => errors.push(LineError { line, error }),
        }
    }
    if tasks.is_empty() && errors.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body has no tasks",
        ));
    }
    let mut pushed: Vec<Pushed> = Vec::with_capacity(tasks.len());
    for chunk in tasks.chunks(producer::DEFAULT_BATCH) {
        let batch: Vec<NewTask> = chunk.iter().map(|(_, t)| t.clone()).collect();
        let done = push_tasks(&app, &q, batch).await;
        let (batch, created, flags) = match done {
            Ok(d) => d,
            Err(e) => {
                // Nothing read is dropped silently: what went in is listed, the rest is named.
                let not = chunk.first().map_or(0, |(l, _)| *l);
                let message = format!(
                    "{}; lines from {not} on were not pushed (those before were)",
                    e.body["error"].as_str().unwrap_or("push failed")
                );
                return Err(ApiError::new(e.status, message)
                    .with("tasks", &pushed)
                    .with("errors", &errors));
            }
        };
        for ((((line, _), t), queued), created) in chunk.iter().zip(&batch).zip(flags).zip(created)
        {
            pushed.push(Pushed {
                task: t.queued(created.timestamp_millis()),
                queued,
                line: Some(*line),
            });
        }
    }
    let queued = pushed.iter().filter(|p| p.queued).count();
    // `pushed` as in `stats`: tasks queued (a task line's `queued` is its own flag).
    let mut body = json!({
        "pushed": queued,
        "duplicates": pushed.len() - queued,
        "tasks": pushed,
        "errors": errors,
    });
    if errors.is_empty() {
        return Ok(Json(body).into_response());
    }
    body["error"] = json!(format!(
        "{} not valid and skipped; the other {} pushed",
        crate::output::count(errors.len() as u64, "line was", "lines were"),
        crate::output::count(pushed.len() as u64, "was", "were")
    ));
    Ok((StatusCode::BAD_REQUEST, Json(body)).into_response())
}
