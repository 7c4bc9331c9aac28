//! Dead letters: retry or purge some dead tasks, or all of them.

use super::error::{ApiError, ApiResult};
use super::extract::{blocking, json_body, known};
use crate::serve::App;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
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
