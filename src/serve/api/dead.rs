//! Dead letters: retry or purge some dead tasks, or all of them.

use super::error::{ApiError, ApiResult};
use super::extract::{Body, QueueName};
use crate::serve::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

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
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(ids): Body<Ids>,
) -> ApiResult<Json<Value>> {
    dead_action(app, q, ids, "retried").await
}

pub async fn dead_purge(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(ids): Body<Ids>,
) -> ApiResult<Json<Value>> {
    dead_action(app, q, ids, "purged").await
}

async fn dead_action(
    app: Arc<App>,
    q: QueueName,
    ids: Ids,
    done: &'static str,
) -> ApiResult<Json<Value>> {
    // Exactly one of the two: some ids, or all.
    if ids.all != ids.ids.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "name the tasks ({\"ids\": [...]}) or all of them ({\"all\": true})",
        ));
    }
    let queue = q.known(&app).await?;
    let list = ids.ids.clone();
    let n = queue
        .call(move |q| match done {
            "retried" => q.dead_retry(&list),
            _ => q.dead_purge(&list),
        })
        .await?;
    let q = &queue.name;
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
