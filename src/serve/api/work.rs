//! Workers over HTTP (issue 27): claim, then extend, ack, fail or release each task with its
//! lease token, with the `Queue` calls a CLI consumer makes, so every guarantee of a consumer
//! holds (docs/PROTOCOL.md). A claim may long-poll (`?wait`), woken by `wakes`.

use super::error::{ApiError, ApiResult};
use super::extract::{blocking, duration, Body, Params, QueueName, TaskPath};
use crate::consumer::{backoff, defaults};
use crate::queue::{ClaimOptions, Failed, KeepAck, Lease, LeaseState, Queue, NO_ACKS};
use crate::serve::app::App;
use crate::serve::wakes;
use crate::task::{rfc3339, Task};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most tasks one claim may lease.
pub const MAX_N: usize = 100;

/// The longest lease a claim or an extension may ask for; a longer task extends it.
pub const MAX_LEASE: Duration = Duration::from_secs(3600);

/// A consumer that gives no name.
const DEFAULT_CONSUMER: &str = "http";

/// The base of a failed task's backoff when the worker names no `retry_after` (the CLI's
/// `--backoff` default: exponential in the attempt, with jitter).
fn default_backoff() -> Duration {
    crate::task::parse_duration(defaults::BACKOFF).unwrap_or(Duration::from_secs(1))
}

fn default_lease() -> Duration {
    crate::task::parse_duration(defaults::LEASE).unwrap_or(Duration::from_secs(30))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimParams {
    #[serde(default)]
    wait: Option<String>,
    #[serde(default)]
    n: Option<usize>,
    #[serde(default)]
    lease: Option<String>,
    #[serde(default)]
    consumer: Option<String>,
}

/// A claimed task: the task as `peek --json` prints it, and its lease.
#[derive(Serialize)]
struct Leased {
    #[serde(flatten)]
    task: Task,
    token: String,
    #[serde(with = "rfc3339")]
    claimed_at: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    lease_until: DateTime<Utc>,
}

#[derive(Serialize)]
pub struct Claim {
    queue: String,
    consumer: String,
    tasks: Vec<Leased>,
}

/// `POST /api/queues/{q}/claim[?wait=DUR][&n=K][&lease=DUR][&consumer=NAME]`: up to K tasks
/// (1 to `MAX_N`, 1 by default), each leased for `lease` (30s by default, at most an hour) with
/// its token. With `wait` an empty queue is waited on, at most `wakes::MAX_WAIT`: a push wakes
/// the wait within milliseconds, as it wakes a CLI consumer; the answer is 200 with no tasks
/// when the time runs out. An unknown queue is waited on too: it may be pushed to.
pub async fn claim(
    State(app): State<Arc<App>>,
    Params(p): Params<ClaimParams>,
    QueueName(name): QueueName,
    body: axum::body::Bytes,
) -> ApiResult<Json<Claim>> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    // Read whatever was sent, so the connection can carry the next request (hyper closes one
    // whose body was left unread); only nothing, or an empty object, is a claim's body.
    let text = String::from_utf8_lossy(&body);
    if !matches!(text.trim(), "" | "{}") {
        return Err(bad(
            "a claim takes no body: its parameters (wait, n, lease, consumer) go in the query string"
                .into(),
        ));
    }
    let wait = match p.wait.as_deref() {
        None | Some("") => Duration::ZERO,
        Some(w) => duration("wait", &json!(w))?,
    };
    if wait > wakes::MAX_WAIT {
        return Err(bad(format!(
            "wait is at most {}; claim again after an empty answer",
            humantime::format_duration(wakes::MAX_WAIT)
        )));
    }
    let n = p.n.unwrap_or(1);
    if n == 0 || n > MAX_N {
        return Err(bad(format!("n is 1 to {MAX_N}")));
    }
    let lease = lease(p.lease.as_deref())?;
    let consumer = consumer(p.consumer.as_deref())?;
    if app.backend.config().queue_given && app.backend.config().queue != name {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no queue named '{name}' on this server"),
        ));
    }
    let opts = ClaimOptions {
        consumer: consumer.clone(),
        lease,
        max_attempts: defaults::MAX_ATTEMPTS,
        count: n,
    };
    let until = Instant::now() + wait;
    let sub = if wait.is_zero() {
        None
    } else {
        let s = app.wakes.subscribe(&name).map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("cannot start a thread to wait on: {e}"),
            )
        })?;
        Some(s.ok_or_else(|| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "{} claims are waiting already, the most this server holds at once; \
                     claim again in a moment",
                    wakes::MAX
                ),
            )
        })?)
    };
    loop {
        let (tasks, look_again) = claim_once(&app, &name, &opts).await?;
        let now = Instant::now();
        if let Some(s) = sub.as_ref().filter(|_| tasks.len() == n) {
            s.pass_on();
        }
        if !tasks.is_empty() || now >= until || app.wakes.stopping() {
            return Ok(Json(Claim {
                queue: name,
                consumer,
                tasks,
            }));
        }
        let Some(s) = sub.as_ref() else {
            unreachable!("a claim without wait answers above")
        };
        // A retry, a lease's end or a scheduled task that falls due is looked for at its time.
        let next = look_again
            .and_then(|t| (t - Utc::now()).to_std().ok())
            .map_or(until, |d| (now + d).min(until));
        tokio::select! {
            () = s.woken() => {}
            () = tokio::time::sleep_until(next.into()) => {}
            () = app.wakes.stopped() => {}
        }
    }
}

/// One claim, on a blocking thread. Its tasks are handed over only if the request is still
/// there to take them: when the client left while the claim ran (the request's future was
/// dropped), they are released at once, no attempt counted. Tasks whose body cannot be read
/// go to the dead set, as a CLI consumer buries them.
async fn claim_once(
    app: &Arc<App>,
    name: &str,
    opts: &ClaimOptions,
) -> ApiResult<(Vec<Leased>, Option<DateTime<Utc>>)> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let lease = opts.lease;
    let (backend, name, opts) = (app.backend.clone(), name.to_string(), opts.clone());
    tokio::task::spawn_blocking(move || {
        let claimed = backend.with(&name, |q| {
            let reply = q.claim(&opts, NO_ACKS)?;
            for u in &reply.unreadable {
                q.fail(&u.lease, Duration::ZERO, &u.reason, true)?;
            }
            Ok(reply)
        });
        if let Err(Ok(reply)) = tx.send(claimed) {
            let leases: Vec<Lease> = reply.tasks.iter().map(|c| c.lease()).collect();
            if !leases.is_empty() {
                // If this fails too, the leases run out and the tasks come back then.
                let _ = backend.with(&name, |q| q.release(&leases));
            }
        }
    });
    let reply = rx
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the claim ended early"))?
        .map_err(ApiError::from)?;
    let lease_until = reply.now + chrono::Duration::from_std(lease).unwrap_or_default();
    let look_again = reply.look_again().map(|(t, _)| t);
    let tasks = reply
        .tasks
        .into_iter()
        .map(|c| Leased {
            task: c.task,
            token: c.token,
            claimed_at: c.claimed_at,
            lease_until,
        })
        .collect();
    Ok((tasks, look_again))
}

fn lease(v: Option<&str>) -> ApiResult<Duration> {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return Ok(default_lease());
    };
    let d = duration("lease", &json!(v))?;
    if d < Duration::from_secs(1) || d > MAX_LEASE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "lease is 1s to {}; extend a lease a long task needs",
                humantime::format_duration(MAX_LEASE)
            ),
        ));
    }
    Ok(d)
}

fn consumer(v: Option<&str>) -> ApiResult<String> {
    let name = v.filter(|v| !v.is_empty()).unwrap_or(DEFAULT_CONSUMER);
    if name.len() > 200 || name.chars().any(|c| c.is_control() || c == '|') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "consumer is a name of at most 200 characters, with no control characters or '|'",
        ));
    }
    Ok(name.to_string())
}

/// The receipts (common.lua) of an HTTP consumer: by its name, so that a call replayed on
/// another of serve's connections, or to another serve, finds what the first one settled.
fn instance(consumer: &str) -> String {
    format!("http:{consumer}")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseBody {
    token: String,
    #[serde(default)]
    consumer: Option<String>,
    /// extend: for how long from now.
    #[serde(default)]
    lease: Option<Value>,
    /// ack: the result to keep, for a task pushed with keep_result.
    #[serde(default)]
    result: Option<Value>,
    /// fail: what went wrong.
    #[serde(default)]
    error: Option<String>,
    /// fail: "retry" (the default; dead once out of attempts) or "dead".
    #[serde(default)]
    outcome: Option<String>,
    /// fail: when to retry, instead of the backoff.
    #[serde(default)]
    retry_after: Option<Value>,
}

/// What a lease route did: the task's id and its outcome (`done`, `retry`, `dead`,
/// `released`), or for an extension the lease's new end.
#[derive(Serialize)]
pub struct Settled {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none", with = "rfc3339::opt")]
    lease_until: Option<DateTime<Utc>>,
}

/// Only the fields of its route: a field of another route is a mistake worth a 400.
fn only(body: &LeaseBody, route: &str, allowed: &[&str]) -> ApiResult<()> {
    let given = [
        ("lease", body.lease.is_some()),
        ("result", body.result.is_some()),
        ("error", body.error.is_some()),
        ("outcome", body.outcome.is_some()),
        ("retry_after", body.retry_after.is_some()),
    ];
    match given.iter().find(|(f, g)| *g && !allowed.contains(f)) {
        Some((f, _)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("{route} takes no {f}"),
        )),
        None => Ok(()),
    }
}

fn check_token(t: &str) -> ApiResult<()> {
    if t.is_empty() || t.len() > 200 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "token is the one the claim answered",
        ));
    }
    Ok(())
}

fn stale(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        format!(
            "task {id} is not held with this token: its lease ran out (it went back to the \
             queue, or another consumer has it) or it was settled already; nothing was changed"
        ),
    )
    .with("id", id)
}

fn cancelled(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        format!("task {id} was cancelled; stop working on it"),
    )
    .with("id", id)
}

/// Checks a lease route's path and body, and runs `f` on the task's queue as the consumer's
/// instance (its receipts), on a blocking thread.
async fn settle<T: Send + 'static>(
    app: &Arc<App>,
    path: TaskPath,
    body: &LeaseBody,
    f: impl Fn(&mut Queue, &str, &Lease) -> anyhow::Result<T> + Send + 'static,
) -> ApiResult<T> {
    check_token(&body.token)?;
    let consumer = consumer(body.consumer.as_deref())?;
    let lease = Lease {
        id: path.id,
        token: body.token.clone(),
    };
    let name = path.queue.0;
    blocking(app, move |b| {
        b.with(&name, |q| {
            q.as_instance(&instance(&consumer), |q| f(q, &consumer, &lease))
        })
    })
    .await
}

/// `POST /api/queues/{q}/tasks/{id}/extend` with `{"token": T[, "lease": DUR]}`: the lease runs
/// `lease` (the claim's default, 30s) from now. 409 when it is not held with T; 410 when the
/// task was cancelled.
pub async fn extend(
    State(app): State<Arc<App>>,
    path: TaskPath,
    Body(body): Body<LeaseBody>,
) -> ApiResult<Json<Settled>> {
    only(&body, "extend", &["lease"])?;
    let lease = match &body.lease {
        None => default_lease(),
        Some(Value::String(s)) => self::lease(Some(s))?,
        Some(v) => self::lease(Some(&v.to_string()))?,
    };
    let id = path.id.clone();
    let from = Utc::now();
    let state = settle(&app, path, &body, move |q, who, l| {
        Ok(q.extend(who, std::slice::from_ref(l), lease)?
            .into_iter()
            .next()
            .unwrap_or_default())
    })
    .await?;
    match state {
        LeaseState::Held => Ok(Json(Settled {
            lease_until: Some(from + chrono::Duration::from_std(lease).unwrap_or_default()),
            id,
            outcome: None,
        })),
        // Delivered answers a mark only, which this extension is not.
        LeaseState::Lost | LeaseState::Delivered => Err(stale(&id)),
        LeaseState::Cancelled => Err(cancelled(&id)),
    }
}

/// `POST /api/queues/{q}/tasks/{id}/ack` with `{"token": T[, "consumer": NAME][, "result": R]}`:
/// done. R is kept for a task pushed with keep_result (a string as it is, other JSON as JSON),
/// for `GET .../result` and a producer's `?wait`. 409 when not held with T; a replayed ack (its
/// reply lost) answers as the first did, when no other ack of the consumer came in between.
pub async fn ack(
    State(app): State<Arc<App>>,
    path: TaskPath,
    Body(body): Body<LeaseBody>,
) -> ApiResult<Json<Settled>> {
    only(&body, "ack", &["result"])?;
    let id = path.id.clone();
    let result = body.result.clone();
    let held = settle(&app, path, &body, move |q, who, l| {
        let keep = match &result {
            Some(r) => kept_for(q, &l.id)?.map(|k| (k, r)),
            None => None,
        };
        let flags = match keep {
            Some((keep, r)) => {
                let result = match r {
                    Value::String(s) => s.clone().into_bytes(),
                    other => other.to_string().into_bytes(),
                };
                q.ack_keeping(
                    who,
                    &[KeepAck {
                        lease: l.clone(),
                        keep,
                        result,
                    }],
                )?
            }
            None => q.ack(who, std::slice::from_ref(l))?,
        };
        Ok(flags.first().copied().unwrap_or(false))
    })
    .await?;
    if !held {
        return Err(stale(&id));
    }
    Ok(Json(Settled {
        id,
        outcome: Some("done"),
        lease_until: None,
    }))
}

/// How long the task's result is to be kept, when its producer asked (None: not asked, or
/// the task is gone, which the ack then says).
fn kept_for(q: &mut Queue, id: &str) -> anyhow::Result<Option<Duration>> {
    Ok(q.show(&[id.to_string()])?
        .into_iter()
        .next()
        .flatten()
        .and_then(|t| t.task.settings.keep_result()))
}

/// `POST /api/queues/{q}/tasks/{id}/fail` with `{"token": T, "error": E[, "outcome": "retry" |
/// "dead"][, "retry_after": DUR]}`: retried after DUR (by default the CLI's backoff for its
/// attempt), or dead once out of attempts or when asked. Answers the outcome; 409 when not
/// held with T.
pub async fn fail(
    State(app): State<Arc<App>>,
    path: TaskPath,
    Body(body): Body<LeaseBody>,
) -> ApiResult<Json<Settled>> {
    only(&body, "fail", &["error", "outcome", "retry_after"])?;
    let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, m.to_string());
    let error = body
        .error
        .clone()
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| bad("fail needs an error: what went wrong, one line"))?;
    let error = error.lines().next().unwrap_or_default().to_string();
    let bury = match body.outcome.as_deref() {
        None | Some("retry") => false,
        Some("dead") => true,
        Some(_) => return Err(bad("outcome is \"retry\" or \"dead\"")),
    };
    let after = body
        .retry_after
        .as_ref()
        .map(|v| duration("retry_after", v))
        .transpose()?;
    let id = path.id.clone();
    let failed = settle(&app, path, &body, move |q, _, l| {
        let task = q
            .show(std::slice::from_ref(&l.id))?
            .into_iter()
            .next()
            .flatten();
        let attempt = task.as_ref().map_or(1, |t| t.task.attempt);
        let keep = task.and_then(|t| t.task.settings.keep_result());
        let wait = after.unwrap_or_else(|| backoff(default_backoff(), attempt));
        q.fail_keeping(l, wait, &error, bury, keep)
    })
    .await?;
    let outcome = match failed {
        Failed::Retry => "retry",
        Failed::Dead => "dead",
        Failed::LeaseLost => return Err(stale(&id)),
    };
    Ok(Json(Settled {
        id,
        outcome: Some(outcome),
        lease_until: None,
    }))
}

/// `POST /api/queues/{q}/tasks/{id}/release` with `{"token": T}`: back in line at its old
/// place at once, no attempt counted. 409 when not held with T.
pub async fn release(
    State(app): State<Arc<App>>,
    path: TaskPath,
    Body(body): Body<LeaseBody>,
) -> ApiResult<Json<Settled>> {
    only(&body, "release", &[])?;
    let id = path.id.clone();
    let held = settle(&app, path, &body, |q, _, l| {
        Ok(q.release(std::slice::from_ref(l))?
            .first()
            .copied()
            .unwrap_or(false))
    })
    .await?;
    if !held {
        return Err(stale(&id));
    }
    Ok(Json(Settled {
        id,
        outcome: Some("released"),
        lease_until: None,
    }))
}
