//! `GET /api/queues/{q}/events` (issue 26): the queue's lifecycle events as server-sent events,
//! each with its stream id as the SSE `id`, so an `EventSource` that reconnects resumes after
//! the last one it had (`Last-Event-ID`); without one, from the events to come. Each `data` is
//! the event's JSON line, as `rpq events --json` prints it.

use super::extract::{Known, KnownQueue};
use crate::queue::events::{Cursor, Event, From as Since};
use crate::serve::app::App;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// A read waits this long at most for new events, so a closed stream frees its thread soon.
const WAIT: Duration = Duration::from_secs(1);
const PAGE: usize = 100;

fn is_event_id(s: &str) -> bool {
    s.split_once('-').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

pub async fn events(
    State(app): State<Arc<App>>,
    KnownQueue(q): KnownQueue,
    headers: HeaderMap,
) -> Response {
    let given = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| is_event_id(v))
        .map(String::from);
    // A sharded queue's streams (one a shard) are read merged, looking again every `POLL`.
    let sharded = match q.call(|q| Ok(q.event_streams() > 1)).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    if sharded {
        let cur = match given {
            Some(a) => {
                q.call(move |q| Ok(q.cursor(&Since::After(a.clone()))))
                    .await
            }
            None => q.call(|q| q.cursor_now()).await,
        };
        let cur = match cur {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        };
        return merged(app, q, cur);
    }
    let after = match given {
        Some(a) => a,
        None => match q.call(|q| q.last_event_id()).await {
            Ok(last) => last.unwrap_or_else(|| "0-0".into()),
            Err(e) => return e.into_response(),
        },
    };
    let events = stream::unfold((q, after), move |(q, mut after)| {
        let app = app.clone();
        async move {
            loop {
                // The stream ends with `serve`, which waits for its connections to close.
                if app.waits.stopping() {
                    return None;
                }
                let a = after.clone();
                match q.call(move |q| q.wait_events(&a, WAIT, PAGE)).await {
                    Ok(got) if !got.is_empty() => {
                        if let Some(last) = got.last() {
                            after.clone_from(&last.event_id);
                        }
                        let items: Vec<Result<SseEvent, Infallible>> = got
                            .iter()
                            .map(|e| {
                                Ok(SseEvent::default()
                                    .id(e.event_id.clone())
                                    .data(serde_json::to_string(e).expect("an event serializes")))
                            })
                            .collect();
                        return Some((stream::iter(items), (q, after)));
                    }
                    Ok(_) => {}
                    // Redis away: the stream stays open and tries again, as a consumer would.
                    Err(_) => tokio::time::sleep(WAIT).await,
                }
            }
        }
    })
    .flatten();
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn sse(e: &Event) -> Result<SseEvent, Infallible> {
    Ok(SseEvent::default()
        .id(e.event_id.clone())
        .data(serde_json::to_string(e).expect("an event serializes")))
}

fn merged(app: Arc<App>, q: Known, cur: Cursor) -> Response {
    const POLL: Duration = Duration::from_millis(200);
    let events = stream::unfold((q, cur), move |(q, cur)| {
        let app = app.clone();
        async move {
            let mut cur = cur;
            loop {
                if app.waits.stopping() {
                    return None;
                }
                let mut c = cur.clone();
                match q
                    .call(move |q| q.events_merged(&mut c, PAGE).map(|(e, _)| (e, c.clone())))
                    .await
                {
                    Ok((got, c)) => {
                        cur = c;
                        if !got.is_empty() {
                            let items: Vec<_> = got.iter().map(sse).collect();
                            return Some((stream::iter(items), (q, cur)));
                        }
                        tokio::time::sleep(POLL).await;
                    }
                    Err(_) => tokio::time::sleep(WAIT).await,
                }
            }
        }
    })
    .flatten();
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `GET /api/queues/{q}/webhooks` (issue 26): the queue's webhooks with their delivery state,
/// each as `rpq webhook list --json` prints it (never a secret), and whether its events are on.
pub async fn webhooks(KnownQueue(q): KnownQueue) -> super::error::ApiResult<axum::Json<Value>> {
    let name = q.name.clone();
    let (on, list) = q
        .call(|queue| Ok((queue.events_kept()?.is_some(), queue.webhooks()?)))
        .await?;
    let hooks: Vec<Value> = list
        .iter()
        .map(|l| crate::output::webhook_json(&name, &l.hook, Some(l)))
        .collect();
    Ok(axum::Json(
        serde_json::json!({"queue": name, "events": on, "webhooks": hooks}),
    ))
}
