//! Bulk actions (issue 28): cancel, retry, purge, move to a priority or run now, on a list of
//! ids or on every task matching a filter in one state, in one request (`queue::bulk`).

use super::error::{ApiError, ApiResult};
use super::extract::{group_key, priority, task_id, Body, QueueName};
use crate::queue::bulk::{Action, BulkDone, MAX_MATCHED};
use crate::queue::State as TaskState;
use crate::serve::app::App;
use crate::task::Priority;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    action: String,
    #[serde(default)]
    ids: Option<Vec<String>>,
    #[serde(default)]
    filter: Option<Filter>,
    /// For `move`: the priority to move to.
    #[serde(default)]
    priority: Option<Value>,
}

/// Every task of one state, of one type and one priority when given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    state: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    priority: Option<Value>,
    /// Issue 23: of one group only.
    #[serde(default)]
    group: Option<String>,
}

/// What a bulk action did, with the queue and the action.
#[derive(Serialize)]
pub struct Bulk {
    queue: String,
    action: Action,
    #[serde(flatten)]
    done: BulkDone,
}

/// Which tasks: these ids, or those a filter finds.
enum Which {
    Ids(Vec<String>),
    Filter(TaskState, Option<String>, Option<Priority>, Option<String>),
}

fn bad(m: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, m)
}

/// `POST /api/queues/{q}/bulk` with `{"action": A, "ids": [...]}` or `{"action": A, "filter":
/// {"state": S, "type": T, "priority": P, "group": G}}`, and `"priority"` for `move`: one request, done a
/// batch at a time, each batch atomic per shard.
pub async fn bulk(
    State(app): State<Arc<App>>,
    q: QueueName,
    Body(body): Body<BulkBody>,
) -> ApiResult<Json<Bulk>> {
    let action: Action = body.action.parse().map_err(bad)?;
    let to = body.priority.as_ref().map(priority).transpose()?;
    match (action, to) {
        (Action::Move, None) => return Err(bad("move needs \"priority\": high, medium or low")),
        (Action::Move, Some(_)) | (_, None) => {}
        (_, Some(_)) => return Err(bad("\"priority\" goes with the action move only")),
    }
    let which = match (body.ids, body.filter) {
        (Some(ids), None) => {
            if ids.len() > MAX_MATCHED {
                return Err(bad(format!(
                    "at most {MAX_MATCHED} ids a request; send the rest in another"
                )));
            }
            for id in &ids {
                task_id(id)?;
            }
            Which::Ids(ids)
        }
        (None, Some(f)) => {
            let state: TaskState = f.state.parse().map_err(|e: String| bad(e))?;
            let p = match f.priority.filter(|p| p != "" && !p.is_null()) {
                Some(p) => Some(priority(&p)?),
                None => None,
            };
            let group = f.group.filter(|g| !g.is_empty());
            if let Some(g) = &group {
                group_key(g)?;
            }
            Which::Filter(state, f.kind.filter(|k| !k.is_empty()), p, group)
        }
        (Some(_), Some(_)) => {
            return Err(bad(
                "name the tasks ({\"ids\": [...]}) or a filter ({\"filter\": {\"state\": ...}}), not both",
            ))
        }
        (None, None) => {
            return Err(bad(
                "name the tasks ({\"ids\": [...]}) or a filter ({\"filter\": {\"state\": ...}})",
            ))
        }
    };
    let queue = q.known(&app).await?;
    let done = queue
        .call(move |q| {
            let (ids, more) = match &which {
                Which::Ids(ids) => (ids.clone(), false),
                Which::Filter(state, kind, p, group) => {
                    q.matching_in_group(*state, kind.clone(), *p, group.as_deref())?
                }
            };
            let mut done = q.bulk(action, &ids, to)?;
            done.more = more;
            Ok(done)
        })
        .await?;
    Ok(Json(Bulk {
        queue: queue.name,
        action,
        done,
    }))
}
