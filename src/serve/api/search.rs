//! Search across queues (issue 28): a task by id in every queue, or tasks by type.

use super::error::{ApiError, ApiResult};
use super::extract::{blocking, task_id, Params};
use super::tasks::previewed;
use crate::output::finished_json;
use crate::queue::{Found, State as TaskState, STATES};
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Tasks of a type shown per state of each queue, and in all.
const PER_QUEUE: usize = 20;
const CAP: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

/// One task found, and its queue.
#[derive(Serialize)]
pub struct Hit {
    queue: String,
    /// As `GET /api/queues/{q}/tasks/{id}` answers it (for a search by type, as a list shows
    /// it, with a payload preview).
    task: Value,
}

#[derive(Serialize)]
pub struct Search {
    found: Vec<Hit>,
    /// More tasks of the type may match than were shown.
    more: bool,
}

/// `GET /api/search?id=ID` or `?type=T[&state=S]`.
pub async fn search(
    State(app): State<Arc<App>>,
    Params(p): Params<SearchParams>,
) -> ApiResult<Json<Search>> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let id = p.id.filter(|i| !i.is_empty());
    let kind = p.kind.filter(|k| !k.is_empty());
    let internal =
        |e: serde_json::Error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    match (id, kind) {
        (Some(id), None) => {
            task_id(&id)?;
            let hits = blocking(&app, move |b| b.find_id(&id)).await?;
            let found = hits
                .into_iter()
                .map(|(queue, f)| {
                    let task = match f {
                        Found::Task(t) => serde_json::to_value(t).map_err(internal)?,
                        Found::Finished(k) => finished_json(&k).map_err(internal)?,
                    };
                    Ok(Hit { queue, task })
                })
                .collect::<ApiResult<_>>()?;
            Ok(Json(Search { found, more: false }))
        }
        (None, Some(kind)) => {
            let states: Vec<TaskState> = match p.state.filter(|s| !s.is_empty()) {
                Some(s) => vec![s.parse().map_err(bad)?],
                None => STATES.iter().map(|d| d.state).collect(),
            };
            let (hits, more) =
                blocking(&app, move |b| b.find_type(&kind, &states, PER_QUEUE, CAP)).await?;
            let found = hits
                .iter()
                .map(|(queue, t)| {
                    Ok(Hit {
                        queue: queue.clone(),
                        task: previewed(t)?,
                    })
                })
                .collect::<ApiResult<_>>()?;
            Ok(Json(Search { found, more }))
        }
        _ => Err(bad(
            "search by id (?id=ID) or by type (?type=T, and &state=S to narrow it)".into(),
        )),
    }
}
