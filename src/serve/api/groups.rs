//! Groups of a queue (issue 23): the groups with waiting tasks, the largest first, a page at a
//! time, each as `rpq groups --json` prints it.

use super::error::{ApiError, ApiResult};
use super::extract::{Params, QueueName};
use crate::queue::GroupInfo;
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most groups one page may ask for.
const MAX_LIMIT: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsParams {
    #[serde(default = "default_limit")]
    limit: usize,
    #[serde(default)]
    offset: usize,
}

fn default_limit() -> usize {
    50
}

/// One page of the groups with work.
#[derive(Serialize)]
pub struct GroupsPage {
    queue: String,
    limit: usize,
    offset: usize,
    /// Groups with waiting tasks.
    total: usize,
    /// Their waiting tasks, of every group.
    waiting: u64,
    more: bool,
    /// Each as `rpq groups --json` prints it.
    groups: Vec<GroupInfo>,
}

/// `GET /api/queues/{q}/groups?limit=50&offset=0`: the groups with waiting tasks, the largest
/// first (then by key). By offset, not by a cursor: the order follows the counts, which move
/// between two pages anyway. Reads every group of the queue (`Queue::groups`).
pub async fn groups(
    State(app): State<Arc<App>>,
    Params(p): Params<GroupsParams>,
    q: QueueName,
) -> ApiResult<Json<GroupsPage>> {
    if p.limit == 0 || p.limit > MAX_LIMIT {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit is 1 to {MAX_LIMIT}"),
        ));
    }
    let q = q.known(&app).await?;
    let all = q.call(|queue| queue.groups()).await?;
    let total = all.len();
    let waiting = all.iter().map(|g| g.waiting).sum();
    let groups: Vec<GroupInfo> = all.into_iter().skip(p.offset).take(p.limit).collect();
    Ok(Json(GroupsPage {
        queue: q.name,
        limit: p.limit,
        offset: p.offset,
        total,
        waiting,
        more: p.offset + groups.len() < total,
        groups,
    }))
}
