//! The server as a whole: what it is (`/api/info`), `/metrics`, `/healthz`, `/api/history`,
//! and the answers to routes and methods that do not exist.

use super::error::ApiError;
use super::extract::{blocking, Params};
use crate::queue::STATES;
use crate::serve::app::App;
use crate::serve::history::Series;
use crate::serve::metrics;
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// What this build can do, so the page shows the panels that work and no others.
pub fn features() -> Value {
    json!({
        "states": STATES.iter().map(|d| d.name).collect::<Vec<_>>(),
        "show": true,
        "cancel": true,
        "move": true,
        // `rpq pause` / `rpq resume` (issue 13's controls) and `produce --wait` (issue 11).
        "pause": true,
        "wait": true,
    })
}

pub async fn info(State(app): State<Arc<App>>, headers: axum::http::HeaderMap) -> Json<Value> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "redis": app.backend.config().display_url(),
        "queue": app.backend.config().queue_given.then(|| app.backend.config().queue.clone()),
        "auth": app.auth.required(),
        // "read" with the read-only token: the page offers no button that would be refused.
        "access": app.auth.access(&headers).map(|a| a.name()),
        // Why Redis could not be used last time, or null.
        "redis_down": app.backend.down(),
        "features": features(),
    }))
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    queue: Option<String>,
    #[serde(default)]
    since: u64,
}

/// `GET /api/history?queue=&since=`: the sampled last hour, rows newer than `since` (ms).
pub async fn history(State(app): State<Arc<App>>, Params(h): Params<HistoryQuery>) -> Json<Series> {
    Json(app.history.series(h.queue.as_deref(), h.since))
}

/// `/metrics`: every queue read now, O(queues) round trips. Redis away is a number
/// (`rpq_redis_up 0`), not a failed scrape, so an alert can tell the two apart.
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let top = app.metrics_groups;
    let read = blocking(&app, move |b| {
        let groups = if top > 0 { b.groups_all()? } else { vec![] };
        Ok((b.collect_all()?, b.usage_all()?, groups))
    })
    .await
    .ok();
    let (stats, usage, groups) = match read {
        Some((s, u, g)) => (Some(s), u, g),
        None => (None, vec![], vec![]),
    };
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(stats.as_deref(), &usage, &groups, top),
    )
        .into_response()
}

/// `/healthz`: 200 `{"redis": "ok"}` when Redis answers a PING, else 503 with an error that
/// says only that. Open without the token, so it says nothing else: not why Redis is down (an
/// address, a user name), no queue, no count.
pub async fn healthz(State(app): State<Arc<App>>) -> Response {
    match blocking(&app, |b| b.ping()).await {
        Ok(()) => Json(json!({ "redis": "ok" })).into_response(),
        Err(_) => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "redis does not answer").into_response()
        }
    }
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let hint = if method == Method::GET || method == Method::HEAD {
        "; this route changes something, so it takes POST (GET never changes anything)"
    } else {
        ""
    };
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}{hint}", uri.path()),
    )
}

pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no route {}; see the API table in rpq's docs/serve.md",
                uri.path()
            ),
        )
        .into_response()
    } else {
        (StatusCode::NOT_FOUND, "not found\n").into_response()
    }
}
