//! What a request carries, checked: its body, query, queue and task, and the blocking call
//! that runs `Queue` work off the async threads.

use super::error::{ApiError, ApiResult};
use super::server::MAX_BODY;
use crate::queue::keys::check_queue_name;
use crate::serve::backend::Backend;
use crate::serve::App;
use crate::task::{check_id, Priority};
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;
use std::sync::Arc;

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

pub fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
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

pub fn queue_name(q: &str) -> ApiResult<()> {
    check_queue_name(q).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))
}

fn unknown_queue(q: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no queue named '{q}' on this server"),
    )
}

/// Checks the name and that the queue exists; 404 when it does not.
pub async fn known(app: &Arc<App>, q: &str) -> ApiResult<()> {
    queue_name(q)?;
    let name = q.to_string();
    if blocking(app, move |b| b.knows(&name)).await? {
        Ok(())
    } else {
        Err(unknown_queue(q))
    }
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
