//! `rpq serve`: the dashboard, the JSON API, `/metrics` and `/healthz`, in one process.
//!
//! The HTTP side is axum on a current-thread tokio runtime that lives in this module only;
//! every Redis call runs on tokio's blocking threads through `Backend`, on the same
//! synchronous `Queue` API the commands use, so nothing here knows a key or a script.
//! `api` answers JSON, `pages` serves the files of `assets/` and the login form, `auth` decides
//! who may ask, `history` samples the last hour for the charts and `metrics` writes the
//! Prometheus exposition, `waits` runs the waits of `?wait` on threads of their own, `wakes` wakes
//! the claims of HTTP workers that long-poll, `conns`
//! accepts the connections (a cap, header and idle timeouts, accept errors that back off), and
//! `app` is what every request shares.
//! Must not hold queue logic: a route without a `Queue` method to call says so (501) rather
//! than reaching into Redis itself.

mod api;
mod app;
mod auth;
mod backend;
mod conns;
mod history;
mod metrics;
mod pages;
mod waits;
mod wakes;
mod webhooks;

use crate::config::Config;
use crate::error::Interrupted;
use crate::log::Event;
use crate::output::note;
use crate::shutdown::Shutdown;
use anyhow::{Context, Result};
use app::App;
use auth::Auth;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{middleware, Router};
use backend::Backend;
use history::History;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use waits::Waits;
use wakes::Wakes;

/// What `rpq serve` was asked for, its flags and the token resolved.
#[derive(Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub token: Option<String>,
    /// A token that may read (GET routes and `/metrics`) and change nothing.
    pub read_token: Option<String>,
    /// `--max-connections`; None for the default, from the open-file limit.
    pub max_connections: Option<usize>,
    /// `--idle-timeout`: a connection that sends no whole request header for this long is closed.
    pub idle_timeout: Duration,
    /// `--metrics-groups`: groups of each queue with series of their own in `/metrics`.
    pub metrics_groups: usize,
}

/// Threads for Redis calls at once; more requests wait for one.
const BLOCKING_THREADS: usize = 16;

/// How often the async side looks at the shutdown flag.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Serves until the first SIGINT or SIGTERM (then open requests end and it returns), or a
/// second one (`Interrupted`, exit 130).
pub fn run(cfg: &Config, opts: Options) -> Result<()> {
    // Before any thread starts, so they all leave the signals to the signal thread.
    let sd = Shutdown::install_quiet()?;
    let listener = std::net::TcpListener::bind(opts.listen).with_context(|| {
        format!(
            "cannot listen on {}; is another server using it? choose one with --listen",
            opts.listen
        )
    })?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let backend = Arc::new(Backend::new(cfg));
    // A Redis that does not answer yet is waited for (the page says so, and the sampler tries
    // again with the backoff of a reconnect); one that refuses us (a password, an ACL) will
    // not change its mind.
    let connected = match backend.collect_all() {
        Ok(_) => true,
        Err(e) if crate::conn::may_answer_later(&e) => {
            let why = e.root_cause().to_string();
            Event::warn(
                "reconnect",
                format!(
                    "redis at {} does not answer ({why}); serving anyway, and waiting for it",
                    cfg.display_url()
                ),
            )
            .with("url", cfg.display_url())
            .with("error", why)
            .emit();
            false
        }
        Err(e) => return Err(e),
    };
    // After the check above: a server that cannot start says one line, and nothing else.
    let open_files = conns::raise_open_files();
    let limits = conns::Limits {
        max: opts
            .max_connections
            .unwrap_or_else(|| conns::default_max(open_files)),
        idle: opts.idle_timeout,
    };
    let history = Arc::new(History::default());
    let sampler = history::spawn_sampler(
        backend.clone(),
        history.clone(),
        sd.clone(),
        (!connected).then(|| cfg.display_url()),
    )
    .context("starting the sampler thread")?;
    webhooks::spawn(cfg.clone(), backend.clone(), sd.clone())
        .context("starting the webhooks' thread")?;
    let app = Arc::new(App {
        backend,
        history,
        auth: Auth::new(opts.token, opts.read_token, local),
        waits: Waits::new(sd.clone()),
        wakes: Wakes::new(cfg, sd.clone()),
        metrics_groups: opts.metrics_groups,
    });
    let what = if cfg.queue_given {
        format!("queue '{}'", cfg.queue)
    } else {
        "every queue".to_string()
    };
    note(&format!(
        "at most {} connections at once (--max-connections), idle ones closed after {} \
         (--idle-timeout)",
        limits.max,
        humantime::format_duration(limits.idle)
    ));
    note(&format!(
        "listening on http://{local}/ : {what} at {}; Ctrl+C to stop",
        cfg.display_url()
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .thread_name("rpq-serve")
        .build()
        .context("starting the HTTP runtime")?;
    let stop = sd.clone();
    let served = rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        // Waiting claims answer at once when a stop is asked for, told by this one look.
        let (wakes, look) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            until(look, Shutdown::stop_requested).await;
            wakes.wakes.stop();
        });
        let server = conns::serve(
            listener,
            router(app),
            limits,
            until(stop.clone(), Shutdown::stop_requested),
        );
        // systemd (Type=notify): ready once the socket serves and Redis answered (else the
        // sampler says it once Redis does); alive while the thread that serves turns.
        if connected {
            crate::service::ready();
        }
        tokio::select! {
            r = server => r.context("serving HTTP"),
            () = until(stop, Shutdown::abort_requested) => Err(Interrupted.into()),
        }
    });
    sd.request_stop();
    // A request still waiting on Redis must not hold the exit up for long.
    rt.shutdown_timeout(Duration::from_secs(1));
    let _ = sampler.join();
    served
}

/// Waits for `done`, looking every `SIGNAL_POLL`. It runs on the runtime's one thread, the one
/// that serves every request, so it is where the systemd watchdog is fed: a thread that hangs
/// stops feeding it (`watchdog` itself sends at most twice an interval).
async fn until(sd: Shutdown, done: fn(&Shutdown) -> bool) {
    while !done(&sd) {
        crate::service::watchdog();
        tokio::time::sleep(SIGNAL_POLL).await;
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/queues/{q}", get(pages::index))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/assets/{file}", get(pages::asset))
        .route("/api/info", get(api::info))
        .route("/api/queues", get(api::queues))
        .route("/api/queues/{q}", get(api::queue))
        .route("/api/queues/{q}/tasks", get(api::list).post(api::push))
        .route(
            "/api/queues/{q}/tasks/{id}",
            get(api::show).delete(api::cancel),
        )
        .route("/api/queues/{q}/tasks/{id}/move", post(api::move_task))
        .route("/api/queues/{q}/tasks/{id}/result", get(api::result))
        .route("/api/queues/{q}/claim", post(api::claim))
        .route("/api/queues/{q}/tasks/{id}/extend", post(api::extend))
        .route("/api/queues/{q}/tasks/{id}/ack", post(api::ack))
        .route("/api/queues/{q}/tasks/{id}/fail", post(api::fail))
        .route("/api/queues/{q}/tasks/{id}/release", post(api::release))
        .route("/api/queues/{q}/completed", get(api::completed))
        .route("/api/queues/{q}/events", get(api::events))
        .route("/api/queues/{q}/webhooks", get(api::webhooks))
        .route("/api/queues/{q}/schedules", get(api::schedules))
        .route("/api/queues/{q}/workers", get(api::workers))
        .route("/api/queues/{q}/bulk", post(api::bulk))
        .route("/api/queues/{q}/types", get(api::types))
        .route("/api/queues/{q}/groups", get(api::groups))
        .route("/api/queues/{q}/tasks/{id}/flow", get(api::flow))
        .route(
            "/api/queues/{q}/schedules/{id}",
            axum::routing::delete(api::remove_schedule),
        )
        .route(
            "/api/queues/{q}/schedules/{id}/fire",
            post(api::fire_schedule),
        )
        .route("/api/queues/{q}/dead/retry", post(api::dead_retry))
        .route("/api/queues/{q}/dead/purge", post(api::dead_purge))
        .route("/api/queues/{q}/clear", post(api::clear))
        .route("/api/queues/{q}/pause", post(api::pause))
        .route("/api/queues/{q}/resume", post(api::resume))
        .route("/api/history", get(api::history))
        .route("/api/search", get(api::search))
        .route("/metrics", get(api::metrics))
        .route("/healthz", get(api::healthz))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(api::MAX_BODY))
        .layer(middleware::from_fn(api::refuse_large_bodies))
        .layer(middleware::from_fn_with_state(app.clone(), pages::guard))
        .layer(middleware::map_response(pages::security_headers))
        .with_state(app)
}
