//! A flow's progress from any of its tasks (issue 24): the tasks reachable from it through
//! parents and dependents, counted by state, at most `max` of them (`Queue::flow_graph`).

use super::error::{ApiError, ApiResult};
use super::extract::{unknown_task, Params, TaskPath};
use crate::queue::FlowGraph;
use crate::serve::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Tasks one walk reads at most, and the default.
const MAX_NODES: usize = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowParams {
    #[serde(default = "default_max")]
    max: usize,
}

fn default_max() -> usize {
    MAX_NODES
}

#[derive(Serialize)]
pub struct Flow {
    queue: String,
    max: usize,
    #[serde(flatten)]
    graph: FlowGraph,
}

/// `GET /api/queues/{q}/tasks/{id}/flow[?max=N]`: `{"queue", "id", "max", "nodes", "counts":
/// {state: n}, "cut"}`; 404 for a task the queue knows nothing of.
pub async fn flow(
    State(app): State<Arc<App>>,
    Params(p): Params<FlowParams>,
    TaskPath { queue, id }: TaskPath,
) -> ApiResult<Json<Flow>> {
    if p.max == 0 || p.max > MAX_NODES {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("max is 1 to {MAX_NODES}"),
        ));
    }
    let queue = queue.known(&app).await?;
    let (start, max) = (id.clone(), p.max);
    match queue.call(move |q| q.flow_graph(&start, max)).await? {
        Some(graph) => Ok(Json(Flow {
            queue: queue.name,
            max: p.max,
            graph,
        })),
        None => Err(unknown_task(&queue.name, &id)),
    }
}
