//! What a request carries, checked, as axum extractors with one rejection (`ApiError`): a
//! handler's signature says what it needs (a JSON body, a query, a queue or task named in the
//! path, a queue that exists) and its body only does the work. The checks run in the order of
//! the handler's arguments, the body last; a queue is looked up (`Known`) after the handler
//! has checked the rest, so bad input is a 400 whether or not the queue exists. The body's
//! limit is here too: `MAX_BODY`, refused from its Content-Length before it is read.

use super::error::{ApiError, ApiResult};
use crate::queue::keys::check_queue_name;
use crate::queue::Queue;
use crate::serve::app::App;
use crate::serve::backend::Backend;
use crate::task::{check_id, Priority};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// Request bodies larger than this get 413.
pub const MAX_BODY: usize = 4 << 20;

/// A body whose Content-Length is over `MAX_BODY` is refused before any of it is read: a client
/// that sent `Expect: 100-continue` (curl does for large bodies) then never sends it, instead of
/// being cut off in the middle of it once the limit is reached.
pub async fn refuse_large_bodies(req: Request, next: axum::middleware::Next) -> Response {
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

/// A JSON body, refused in rpq's words: 400, 413 or 415.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        json_body(Json::from_request(req, state).await).map(Body)
    }
}

/// A query string, refused in rpq's words: 400.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let Query(v) = Query::from_request_parts(parts, state)
            .await
            .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, rejection_words(&r.body_text())))?;
        Ok(Params(v))
    }
}

/// The queue of `/api/queues/{q}/...`, its name checked (400); whether it exists is `known`.
pub struct QueueName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for QueueName {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        // A path axum cannot decode keeps axum's own answer, as before there were extractors.
        let Path(q) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        queue_name(&q).map_err(IntoResponse::into_response)?;
        Ok(QueueName(q))
    }
}

impl QueueName {
    /// The queue, once it is known to exist (404 when it does not).
    pub async fn known(self, app: &Arc<App>) -> ApiResult<Known> {
        Known::of(app, self.0).await
    }
}

/// The task of `/api/queues/{q}/tasks/{id}/...`: its queue's name and its id checked (400).
pub struct TaskPath {
    pub queue: QueueName,
    pub id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for TaskPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path((q, id)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        queue_name(&q).map_err(IntoResponse::into_response)?;
        task_id(&id).map_err(IntoResponse::into_response)?;
        Ok(TaskPath {
            queue: QueueName(q),
            id,
        })
    }
}

/// A queue that exists: the handle a handler runs its `Queue` calls through, on a blocking
/// thread.
pub struct Known {
    app: Arc<App>,
    pub name: String,
}

impl Known {
    async fn of(app: &Arc<App>, name: String) -> ApiResult<Known> {
        let look = name.clone();
        if !blocking(app, move |b| b.knows(&look)).await? {
            return Err(unknown_queue(&name));
        }
        Ok(Known {
            app: app.clone(),
            name,
        })
    }

    /// Runs `f` on a connection to the queue, off the async threads; it may run twice (see
    /// `Backend::with`).
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnMut(&mut Queue) -> anyhow::Result<T> + Send + 'static,
    ) -> ApiResult<T> {
        let name = self.name.clone();
        blocking(&self.app, move |b| b.with(&name, f)).await
    }
}

/// `/api/queues/{q}` of a queue that exists: the name checked (400), then looked up (404).
pub struct KnownQueue(pub Known);

impl FromRequestParts<Arc<App>> for KnownQueue {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let name = QueueName::from_request_parts(parts, app).await?;
        let known = name.known(app).await.map_err(IntoResponse::into_response)?;
        Ok(KnownQueue(known))
    }
}

/// `/api/queues/{q}/tasks/{id}` of a queue that exists: both checked (400), then the queue
/// looked up (404); whether the task exists is the handler's call.
pub struct KnownTask {
    pub queue: Known,
    pub id: String,
}

impl FromRequestParts<Arc<App>> for KnownTask {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let TaskPath { queue, id } = TaskPath::from_request_parts(parts, app).await?;
        let queue = queue
            .known(app)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(KnownTask { queue, id })
    }
}

/// Runs blocking queue calls off the async threads.
pub async fn blocking<T: Send + 'static>(
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
pub fn rejection_words(text: &str) -> String {
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

/// A priority as the API takes it: `1|2|3` or `high|medium|low`, as a number or a string.
pub fn priority(v: &Value) -> ApiResult<Priority> {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text.parse()
        .map_err(|e: String| ApiError::new(StatusCode::BAD_REQUEST, e))
}

pub fn task_id(id: &str) -> ApiResult<()> {
    check_id(id).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))
}

/// A group's key (issue 23), as `produce --group` takes it.
pub fn group_key(group: &str) -> ApiResult<()> {
    crate::task::check_group(group)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("group: {e}")))
}

pub fn unknown_task(q: &str, id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no task '{id}' in queue '{q}'"),
    )
}
/// A duration as the API takes it: a human string ("10m") or a number of seconds.
pub fn duration(field: &str, v: &Value) -> ApiResult<std::time::Duration> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => format!("{other}"),
    };
    crate::cli::parse_duration(&text)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("{field}: {e}")))
}
