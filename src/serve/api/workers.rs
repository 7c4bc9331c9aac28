//! Who works on a queue and on what (issue 28): the workers view (each consumer's host, pid,
//! `-j`, handler, start, counts and the tasks it holds now) and the breakdown by type. Both
//! are read by `Queue` calls whose work is bounded (`queue::usage`).

use super::error::ApiResult;
use super::extract::KnownQueue;
use crate::queue::usage::{Types, Workers};
use crate::queue::Queue;
use axum::Json;

/// `GET /api/queues/{q}/workers`.
pub async fn workers(KnownQueue(q): KnownQueue) -> ApiResult<Json<Workers>> {
    Ok(Json(q.call(Queue::workers_view).await?))
}

/// `GET /api/queues/{q}/types`.
pub async fn types(KnownQueue(q): KnownQueue) -> ApiResult<Json<Types>> {
    Ok(Json(q.call(Queue::types_view).await?))
}
