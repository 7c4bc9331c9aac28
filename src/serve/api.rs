//! The JSON API under `/api/`, `/metrics` and `/healthz`: each handler checks its input, runs
//! `Queue` calls on a blocking thread through the `Backend`, and answers with the field names
//! of rpq's NDJSON. No queue logic here: a route that the `Queue` API of a build cannot serve
//! answers 501 and says which command it waits for (none does today).

use super::backend::Backend;
use super::history::Series;
use super::{metrics, waits, App};
use crate::conn::is_connection_error;
use crate::error::UsageError;
use crate::queue::keys::check_queue_name;
use crate::queue::{
    CursorGone, KeptOutcome, ListPage, ListQuery, Moved, State as TaskState, TaskInfo, Waited,
    STATES,
};
use crate::task::{check_id, parse_input_line, setting_ms, NewTask, Priority, Task};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// Request bodies larger than this get 413.
pub const MAX_BODY: usize = 4 << 20;

/// A body whose Content-Length is over `MAX_BODY` is refused before any of it is read: a client
/// that sent `Expect: 100-continue` (curl does for large bodies) then never sends it, instead of
/// being cut off in the middle of it once the limit is reached.
pub async fn refuse_large_bodies(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY as u64 => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is {n} bytes, over the limit of {MAX_BODY}; send large batches in parts"
            ),
        )
        .into_response(),
        _ => next.run(req).await,
    }
}

/// Tasks per push call of an NDJSON batch, as `produce --stdin --batch` defaults to.
const PUSH_BATCH: usize = 500;

/// Most tasks one page of a list may ask for. A page is read from its cursor (`after`), so
/// how deep it is does not matter.
const MAX_LIMIT: usize = 500;

/// An error as the API answers it: `{"error": "..."}` (and more fields where they help).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    fn with(mut self, key: &str, value: impl Serialize) -> ApiError {
        self.body[key] = serde_json::to_value(value).unwrap_or(Value::Null);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        let status = if is_connection_error(&e) {
            StatusCode::SERVICE_UNAVAILABLE
        } else if e.chain().any(|c| c.is::<UsageError>()) {
            // A queue stored with another shard count than --shards.
            StatusCode::CONFLICT
        } else if e.chain().any(|c| c.is::<CursorGone>()) {
            // A page's `after` task left its state: list from the start.
            StatusCode::CONFLICT
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        let message = if status == StatusCode::SERVICE_UNAVAILABLE {
            // The root cause is what helps here; the address is on the page already.
            format!("redis is unreachable: {}", e.root_cause())
        } else {
            format!("{e:#}")
        };
        ApiError::new(status, message)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Runs blocking queue calls off the async threads.
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&Backend) -> anyhow::Result<T> + Send + 'static,
) -> ApiResult<T> {
    let backend = app.backend.clone();
    tokio::task::spawn_blocking(move || f(&backend))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(ApiError::from)
}

/// An axum rejection (a query string, a body) in rpq's words: what was wrong and what to send,
/// never axum's or serde's phrasing ("Failed to deserialize query string", "expected ident").
fn rejection_words(text: &str) -> String {
    let inner = |t: &str| {
        let t = t.rfind(" at line ").map_or(t, |i| &t[..i]);
        let t = t
            .replace("invalid digit found in string", "not a whole number")
            .replace(
                "cannot parse integer from empty string",
                "empty, not a whole number",
            )
            .replace("number too large to fit in target type", "too large")
            .replace('`', "\"");
        match t.split_once("invalid type: ") {
            Some((head, rest)) => {
                let (got, want) = rest.split_once(", expected ").unwrap_or((rest, "another"));
                format!("{head}{got} where {want} is expected")
            }
            None => t,
        }
    };
    if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
        return format!("the query string is not valid: {}", inner(rest));
    }
    if text.starts_with("Failed to buffer the request body") {
        return format!(
            "the body is over the limit of {MAX_BODY} bytes, or was cut short; send large batches in parts"
        );
    }
    if let Some(rest) = text.strip_prefix("Failed to parse the request body as JSON: ") {
        return format!("the body is not valid JSON: {}", inner(rest));
    }
    if let Some(rest) =
        text.strip_prefix("Failed to deserialize the JSON body into the target type: ")
    {
        return format!("the body is not what this route takes: {}", inner(rest));
    }
    if text.starts_with("Expected request with `Content-Type: application/json`") {
        return "send the body as JSON, with Content-Type: application/json".into();
    }
    inner(text)
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    match body {
        Ok(Json(v)) => Ok(v),
        Err(r) => {
            let status = match r.status() {
                s @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => s,
                _ => StatusCode::BAD_REQUEST,
            };
            Err(ApiError::new(status, rejection_words(&r.body_text())))
        }
    }
}

fn queue_name(q: &str) -> ApiResult<()> {
    check_queue_name(q).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))
}

fn unknown_queue(q: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no queue named '{q}' on this server"),
    )
}

/// Checks the name and that the queue exists; 404 when it does not.
async fn known(app: &Arc<App>, q: &str) -> ApiResult<()> {
    queue_name(q)?;
    let name = q.to_string();
    if blocking(app, move |b| b.knows(&name)).await? {
        Ok(())
    } else {
        Err(unknown_queue(q))
    }
}

/// What this build can do, so the page shows the panels that work and no others.
pub fn features() -> Value {
    json!({
        "states": STATES.iter().map(|d| d.name).collect::<Vec<_>>(),
        "show": true,
        "cancel": true,
        "move": true,
        // `rpq pause` / `rpq resume` (issue 13's controls) and `produce --wait` (issue 11).
        "pause": true,
        "wait": true,
    })
}

pub async fn info(State(app): State<Arc<App>>, headers: axum::http::HeaderMap) -> Json<Value> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "redis": app.backend.config().display_url(),
        "queue": app.backend.config().queue_given.then(|| app.backend.config().queue.clone()),
        "auth": app.auth.required(),
        // "read" with the read-only token: the page offers no button that would be refused.
        "access": app.auth.access(&headers).map(|a| a.name()),
        // Why Redis could not be used last time, or null.
        "redis_down": app.backend.down(),
        "features": features(),
    }))
}

/// Every queue: `{"queues": [stats...]}`, each as `rpq stats --json` prints it (and in its
/// field order).
pub async fn queues(State(app): State<Arc<App>>) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Overview<'a> {
        queues: &'a [crate::queue::Stats],
    }
    let all = blocking(&app, |b| b.overview()).await?;
    Ok(Json(Overview { queues: &all }).into_response())
}

pub async fn queue(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
) -> ApiResult<Json<crate::queue::Stats>> {
    known(&app, &q).await?;
    Ok(Json(blocking(&app, move |b| b.stats(&q)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    state: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    50
}

/// A priority as the API takes it: `1|2|3` or `high|medium|low`, as a number or a string.
fn priority(v: &Value) -> ApiResult<Priority> {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text.parse()
        .map_err(|e: String| ApiError::new(StatusCode::BAD_REQUEST, e))
}

fn task_id(id: &str) -> ApiResult<()> {
    check_id(id).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))
}

fn unknown_task(q: &str, id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no task '{id}' in queue '{q}'"),
    )
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
    tasks: Vec<TaskInfo>,
}

/// `GET /api/queues/{q}/tasks?state=S[&type=T][&priority=P][&after=ID][&limit=N]`: one page
/// of one state in its order (claim order for waiting; due, lease, retry or death time for the
/// others), read from its cursor as `rpq list` reads it: O(log n + N), however deep.
pub async fn list(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page>> {
    let Query(lq) = query
        .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, rejection_words(&r.body_text())))?;
    queue_name(&q)?;
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
    known(&app, &q).await?;
    let query = ListQuery {
        state,
        kind: lq.kind.filter(|k| !k.is_empty()),
        priority,
        n: lq.limit,
        after: after.clone(),
    };
    let name = q.clone();
    let ListPage { tasks, total, more } =
        blocking(&app, move |b| b.with(&name, |queue| queue.list(&query))).await?;
    Ok(Json(Page {
        queue: q,
        state,
        limit: lq.limit,
        after,
        total,
        more,
        next: tasks.last().filter(|_| more).map(|t| t.task.id.clone()),
        tasks,
    }))
}

/// `GET /api/queues/{q}/tasks/{id}`: the task as `rpq show --json` prints it; 404 for an id
/// the queue does not know (never pushed, finished, cancelled, purged).
pub async fn show(
    State(app): State<Arc<App>>,
    Path((q, id)): Path<(String, String)>,
) -> ApiResult<Json<TaskInfo>> {
    queue_name(&q)?;
    task_id(&id)?;
    known(&app, &q).await?;
    let (name, ids) = (q.clone(), vec![id.clone()]);
    let found = blocking(&app, move |b| b.with(&name, |queue| queue.show(&ids))).await?;
    match found.into_iter().next().flatten() {
        Some(t) => Ok(Json(t)),
        None => Err(unknown_task(&q, &id)),
    }
}

/// `DELETE /api/queues/{q}/tasks/{id}`: as `rpq cancel --json`. A waiting, scheduled,
/// retrying or dead task is gone when this answers; one in flight is cancelled through its
/// lease, and its consumer (`consumer`) stops the handler within about a second.
pub async fn cancel(
    State(app): State<Arc<App>>,
    Path((q, id)): Path<(String, String)>,
) -> ApiResult<Json<crate::queue::Cancelled>> {
    queue_name(&q)?;
    task_id(&id)?;
    known(&app, &q).await?;
    let (name, ids) = (q.clone(), vec![id.clone()]);
    let done = blocking(&app, move |b| b.with(&name, |queue| queue.cancel(&ids))).await?;
    match done.into_iter().next().flatten() {
        Some(c) => Ok(Json(c)),
        None => Err(unknown_task(&q, &id)),
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
    Path((q, id)): Path<(String, String)>,
    body: Result<Json<MoveBody>, JsonRejection>,
) -> ApiResult<Json<TaskInfo>> {
    let body = json_body(body)?;
    queue_name(&q)?;
    task_id(&id)?;
    let p = body.priority.as_ref().map(priority).transpose()?;
    if p.is_none() && !body.now {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "say what to do: {\"priority\": \"high\"}, {\"now\": true} or both",
        ));
    }
    known(&app, &q).await?;
    let (name, ids, now) = (q.clone(), vec![id.clone()], body.now);
    let moved = blocking(&app, move |b| {
        b.with(&name, |queue| queue.move_tasks(&ids, p, now))
    })
    .await?;
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
        Moved::Unknown => Err(unknown_task(&q, &id)),
    }
}

/// A pushed task as `produce --json` prints it, with its line in an NDJSON batch.
#[derive(Serialize)]
struct Pushed {
    #[serde(flatten)]
    task: Task,
    queued: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitParams {
    #[serde(default)]
    wait: Option<String>,
    #[serde(default)]
    timeout: Option<String>,
}

/// How long `?wait[&timeout=DUR]` asks to wait; None without `wait`.
fn wait_for(p: &WaitParams) -> ApiResult<Option<std::time::Duration>> {
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

pub async fn push(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
    query: Result<Query<WaitParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let Query(pq) = query
        .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, rejection_words(&r.body_text())))?;
    queue_name(&q)?;
    let wait = wait_for(&pq)?;
    let body = body.map_err(|r| ApiError::new(r.status(), rejection_words(&r.body_text())))?;
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
            Some(t) => push_and_wait(app, q, &body, t).await,
            None => push_one(app, q, &body).await,
        },
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
            if wait.is_some() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "?wait waits for one task: send it as Content-Type: application/json",
                ));
            }
            push_lines(app, q, &body).await
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send one task as Content-Type: application/json, or one a line as \
             application/x-ndjson",
        )),
    }
}

fn one_task(body: &[u8]) -> ApiResult<NewTask> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the body is not UTF-8"))?;
    parse_input_line(text)
        .map_err(|why| ApiError::new(StatusCode::BAD_REQUEST, format!("not a task: {why}")))
}

async fn push_one(app: Arc<App>, q: String, body: &[u8]) -> ApiResult<Response> {
    let task = one_task(body)?;
    let t = task.clone();
    let (created, flags) = blocking(&app, move |b| {
        b.with_push(&q, |q| q.push(std::slice::from_ref(&t)))
    })
    .await?;
    let queued = flags.first().copied().unwrap_or(false);
    let status = if queued {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let line = Pushed {
        task: task.queued(created.timestamp_millis()),
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
    timeout: std::time::Duration,
) -> ApiResult<Response> {
    let mut task = one_task(body)?;
    if task.settings.keep_result_ms.is_none() {
        task.settings.keep_result_ms = Some(setting_ms(crate::producer::WAIT_KEEP));
    }
    let slot = reserve(&app)?;
    let (t, name) = (task.clone(), q.clone());
    let (_, flags) = blocking(&app, move |b| {
        b.with_push(&name, |q| q.push(std::slice::from_ref(&t)))
    })
    .await?;
    let queued = flags.first().copied().unwrap_or(false);
    let waited = wait_on(&app, slot, &q, &task.id, timeout).await?;
    Ok(waited_answer(&app, &task.id, Some(queued), waited, timeout))
}

fn reserve(app: &Arc<App>) -> ApiResult<waits::Slot> {
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

async fn wait_on(
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
fn waited_answer(
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
    Path((q, id)): Path<(String, String)>,
    query: Result<Query<WaitParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(p) = query
        .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, rejection_words(&r.body_text())))?;
    queue_name(&q)?;
    task_id(&id)?;
    let wait = wait_for(&p)?;
    known(&app, &q).await?;
    let (name, tid) = (q.clone(), id.clone());
    let now = blocking(&app, move |b| b.with(&name, |queue| queue.waited(&tid))).await?;
    let waited = match (now, wait) {
        (Waited::Pending, Some(timeout)) => {
            let slot = reserve(&app)?;
            let w = wait_on(&app, slot, &q, &id, timeout).await?;
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

async fn push_lines(app: Arc<App>, q: String, body: &[u8]) -> ApiResult<Response> {
    let mut tasks: Vec<(usize, NewTask)> = Vec::new();
    let mut errors: Vec<LineError> = Vec::new();
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let line = i + 1;
        let Ok(text) = std::str::from_utf8(raw) else {
            errors.push(LineError {
                line,
                error: "not UTF-8".into(),
            });
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match parse_input_line(text) {
            Ok(t) => tasks.push((line, t)),
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
    for chunk in tasks.chunks(PUSH_BATCH) {
        let batch: Vec<NewTask> = chunk.iter().map(|(_, t)| t.clone()).collect();
        let name = q.clone();
        let done = blocking(&app, move |b| {
            b.with_push(&name, |q| q.push(&batch))
                .map(|(created, flags)| (batch, created, flags))
        })
        .await;
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
        for (((line, _), t), queued) in chunk.iter().zip(&batch).zip(flags) {
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

/// Which dead tasks an action is for: some ids, or `{"all": true}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    all: bool,
}

pub async fn dead_retry(
    state: State<Arc<App>>,
    q: Path<String>,
    body: Result<Json<Ids>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    dead_action(state, q, body, "retried").await
}

pub async fn dead_purge(
    state: State<Arc<App>>,
    q: Path<String>,
    body: Result<Json<Ids>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    dead_action(state, q, body, "purged").await
}

async fn dead_action(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
    body: Result<Json<Ids>, JsonRejection>,
    done: &'static str,
) -> ApiResult<Json<Value>> {
    let ids = json_body(body)?;
    // Exactly one of the two: some ids, or all.
    if ids.all != ids.ids.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "name the tasks ({\"ids\": [...]}) or all of them ({\"all\": true})",
        ));
    }
    known(&app, &q).await?;
    let (name, list) = (q.clone(), ids.ids.clone());
    let n = blocking(&app, move |b| {
        b.with(&name, |queue| match done {
            "retried" => queue.dead_retry(&list),
            _ => queue.dead_purge(&list),
        })
    })
    .await?;
    if n.moved == 0 && !ids.ids.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no dead task with {} in queue '{q}'", plural_ids(&ids.ids)),
        ));
    }
    if n.unknown.is_empty() {
        return Ok(Json(json!({ done: n.moved })));
    }
    // The same fields as `dead retry --json`: how many moved, and the ids that were not dead.
    Ok(Json(json!({ done: n.moved, "unknown": n.unknown })))
}

fn plural_ids(ids: &[String]) -> String {
    match ids {
        [one] => format!("id '{one}'"),
        many => format!("any of the {} ids", many.len()),
    }
}

/// `POST /api/queues/{q}/clear` with `{}`: every task of the queue goes, as `rpq clear`.
pub async fn clear(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<crate::queue::Cleared>> {
    let body = json_body(body)?;
    if !body.as_object().is_some_and(|o| o.is_empty()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "send {} as the body",
        ));
    }
    known(&app, &q).await?;
    Ok(Json(
        blocking(&app, move |b| b.with(&q, |queue| queue.clear())).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    queue: Option<String>,
    #[serde(default)]
    since: u64,
}

/// `GET /api/history?queue=&since=`: the sampled last hour, rows newer than `since` (ms).
pub async fn history(
    State(app): State<Arc<App>>,
    query: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Series>> {
    let Query(h) = query
        .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, rejection_words(&r.body_text())))?;
    Ok(Json(app.history.series(h.queue.as_deref(), h.since)))
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

/// A duration as the API takes it: a human string ("10m") or a number of seconds.
fn duration(field: &str, v: &Value) -> ApiResult<std::time::Duration> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => format!("{other}"),
    };
    crate::cli::parse_duration(&text)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("{field}: {e}")))
}

/// `POST /api/queues/{q}/pause` with `{}`, `{"priority": P}`, `{"for": "10m"}` or both: as
/// `rpq pause --json`, the pauses in force after it (`until` null: until resumed).
pub async fn pause(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
    body: Result<Json<PauseBody>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let body = json_body(body)?;
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
    known(&app, &q).await?;
    let name = q.clone();
    let paused = blocking(&app, move |b| b.with(&name, |queue| queue.pause(p, for_))).await?;
    Ok(Json(json!({ "queue": q, "paused": paused })))
}

/// `POST /api/queues/{q}/resume` with `{}` or `{"priority": P}`: as `rpq resume --json`; idle
/// consumers are woken.
pub async fn resume(
    State(app): State<Arc<App>>,
    Path(q): Path<String>,
    body: Result<Json<ResumeBody>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let body = json_body(body)?;
    let p = body.priority.as_ref().map(priority).transpose()?;
    known(&app, &q).await?;
    let name = q.clone();
    let paused = blocking(&app, move |b| b.with(&name, |queue| queue.resume(p))).await?;
    Ok(Json(json!({ "queue": q, "paused": paused })))
}

/// `/metrics`: every queue read now, O(queues) round trips. Redis away is a number
/// (`rpq_redis_up 0`), not a failed scrape, so an alert can tell the two apart.
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let stats = blocking(&app, |b| b.collect_all()).await.ok();
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(stats.as_deref()),
    )
        .into_response()
}

/// `/healthz`: 200 when Redis answers a PING, else 503.
pub async fn healthz(State(app): State<Arc<App>>) -> ApiResult<Json<Value>> {
    blocking(&app, |b| b.ping()).await?;
    Ok(Json(json!({ "redis": "ok" })))
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let hint = if method == Method::GET || method == Method::HEAD {
        "; this route changes something, so it takes POST (GET never changes anything)"
    } else {
        ""
    };
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}{hint}", uri.path()),
    )
}

pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no route {}; see the API table in rpq's docs/serve.md",
                uri.path()
            ),
        )
        .into_response()
    } else {
        (StatusCode::NOT_FOUND, "not found\n").into_response()
    }
}
