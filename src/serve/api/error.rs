//! An error as the API answers it, and how a failed `Queue` call becomes one.

use crate::conn::is_connection_error;
use crate::error::{DataError, LayoutError, UsageError};
use crate::queue::CursorGone;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

/// An error as the API answers it: `{"error": "..."}` (and more fields where they help).
#[derive(Debug)]
pub struct ApiError {
    pub(super) status: StatusCode,
    pub(super) body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> ApiError {
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
        } else if e.chain().any(|c| c.is::<DataError>()) {
            // A task the queue cannot take as it is (issue 23: an own id off its group's shard).
            StatusCode::BAD_REQUEST
        } else if e.chain().any(|c| c.is::<UsageError>()) {
            // A queue stored with another shard count than --shards.
            StatusCode::CONFLICT
        } else if e.chain().any(|c| c.is::<LayoutError>()) {
            // A queue of another stored layout (docs/layout-v2.md): `rpq migrate` first.
            StatusCode::CONFLICT
        } else if e.chain().any(|c| c.is::<crate::queue::UnknownParent>()) {
            // Flows (issue 24): `after` names a task the queue does not know; nothing queued.
            StatusCode::UNPROCESSABLE_ENTITY
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

pub type ApiResult<T> = Result<T, ApiError>;
