//! Dead letters: retry or purge some dead tasks, or all of them.

use super::error::{ApiError, ApiResult};
use super::extract::{Body, QueueName};
use crate::output::records::DeadMovedNow;
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
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

/// `POST /api/queues/{q}/dead/retry`: as `rpq dead retry --json`.
pub async fn dead_retry(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(ids): Body<Ids>,
) -> ApiResult<Response> {
    dead_action(app, q, ids, true).await
}

/// `POST /api/queues/{q}/dead/purge`: as `rpq dead purge --json`.
pub async fn dead_purge(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(ids): Body<Ids>,
) -> ApiResult<Response> {
    dead_action(app, q, ids, false).await
}

async fn dead_action(app: Arc<App>, q: QueueName, ids: Ids, retry: bool) -> ApiResult<Response> {
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
        .call(move |q| match retry {
            true => q.dead_retry(&list),
            false => q.dead_purge(&list),
        })
        .await?;
    if n.moved == 0 && !ids.ids.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no dead task with {} in queue '{}'",
                plural_ids(&ids.ids),
                queue.name
            ),
        ));
    }
    // As `dead retry --json` prints it: how many moved, and the ids that were not dead.
    Ok(Json(DeadMovedNow::new(retry, &n)).into_response())
}

fn plural_ids(ids: &[String]) -> String {
    match ids {
        [one] => format!("id '{one}'"),
        many => format!("any of the {} ids", many.len()),
    }
}
