//! rpq: a priority task queue on Redis, driven from one command-line binary.
//!
//! Code map, one line a module:
//! - `cli`: clap derive only, one Args struct per subcommand (the global options: `config`).
//! - `config`: the one place that reads the environment and asks about terminals.
//! - `commands`: one file per subcommand, flags in, one engine or `Queue` call, exit code out.
//! - `queue`: the queue's operations over Lua scripts (`queue/lua/`), one file per concern
//!   (`mod.rs` the lifecycle, push and leases; `claim`, `counts`, `clear`, `dead`, `time`...):
//!   `keys` the key layout, `score` the pending-score encoding, `script` the one way to call a
//!   script (EVALSHA, EVAL on NOSCRIPT), replies and the values shared with Lua, `shards` the
//!   sharded fan-out and claim order, `types` its data, `stored` the reader of what Lua stores.
//! - `consumer`: the worker engine: claim loop, handlers, heartbeat, acks, shutdown, and the
//!   guard that ends what handlers started once their consumer is gone.
//! - `producer`: random tasks on an interval, task lines from stdin in batches.
//! - `lines`: lines from stdin as bytes, each wait for one bounded (signals, idle flushes).
//! - `bench`: the load generator behind `rpq bench`.
//! - `output`: what rpq shows: human blocks, NDJSON, tables, the progress line, prompts.
//! - `log`: every line on stderr (events, notes, the final error), human or JSON, scrubbed.
//! - `secrets`: the passwords rpq knows, hidden in any text the log writes.
//! - `task`: the task, its priority, its time (`When`), its stored body and its JSON form.
//! - `trace`: W3C trace context carried with a task; `otlp`: the spans a consumer exports
//!   over OTLP/HTTP from a thread of their own (issue 26).
//! - `schedule`: recurring schedules: their definition and the arithmetic of their slots.
//! - `conn`: opening a connection (single, cluster, TLS, unix socket), telling errors apart.
//! - `reconnect`: riding out a lost connection in long-running commands.
//! - `shutdown`: signals (first drains, second hands back).
//! - `serve`: `rpq serve`, the web dashboard, JSON API, workers over HTTP and metrics (axum,
//!   confined here).
//! - `server`: a private redis-server for the demo, the bench and the tests.
//! - `service`: systemd's notify protocol (READY, WATCHDOG) for `consume` and `serve`.
//! - `error`: error classes and the one mapping to exit codes (`log::report` says the error).

pub mod bench;
pub mod cli;
pub mod commands;
pub mod config;
pub mod conn;
pub mod consumer;
pub mod error;
pub mod flow;
pub mod lines;
pub mod log;
pub mod otlp;
pub mod output;
pub mod producer;
pub mod queue;
pub mod reconnect;
pub mod schedule;
pub mod secrets;
pub mod serve;
pub mod server;
pub mod service;
pub mod shutdown;
pub mod task;
pub mod trace;

use anyhow::Result;
use cli::{Cli, Command};
use config::Config;
use output::Output;
use std::process::ExitCode;

/// Runs one parsed command line and returns its exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Completions(args) = &cli.command {
        return commands::completions::run(&Output::plain(), args);
    }
    // Like completions, the pages come from the binary alone: no config, no Redis.
    if let Command::Man(args) = &cli.command {
        return commands::completions::man(&Output::plain(), args);
    }
    // Issue 25: a handler's call to its consumer needs no config and no Redis (a handler has
    // no credentials for it).
    if let Command::Ctl(c) = &cli.command {
        return commands::ctl::run(&Output::plain(), c);
    }
    if config::json_log_asked() {
        log::init_format(config::LogFormat::Json);
    }
    let cfg = Config::from_global(&cli.global)?;
    log::init(&cfg);
    service::init(&cfg);
    let out = Output::new(&cfg);
    for (event, text) in &cfg.warnings {
        log::Event::warn(event, text.as_str()).emit();
    }
    match &cli.command {
        Command::Produce(a) => commands::produce::run(&cfg, &out, a),
        Command::Consume(a) => commands::consume::run(&cfg, &out, a),
        Command::Peek(a) => commands::peek::run(&cfg, &out, a),
        Command::Len(a) => commands::len::run(&cfg, &out, a),
        Command::Clear(a) => commands::clear::run(&cfg, &out, a),
        Command::Stats(a) => commands::stats::run(&cfg, &out, a),
        Command::Dead(c) => commands::dead::run(&cfg, &out, c),
        Command::Demo(a) => commands::demo::run(&cfg, &out, a),
        Command::Bench(a) => commands::bench::run(&cfg, &out, a),
        Command::Serve(a) => commands::serve::run(&cfg, a),
        Command::Schedule(c) => commands::schedule::run(&cfg, &out, c),
        Command::Aging(a) => commands::aging::run(&cfg, &out, a),
        Command::Group(c) => commands::group::run(&cfg, &out, c),
        Command::Groups(a) => commands::group::list(&cfg, &out, a),
        Command::Events(a) => commands::events::run(&cfg, &out, a),
        Command::Webhook(c) => commands::webhook::run(&cfg, &out, c),
        Command::Flow(c) => commands::flow::run(&cfg, &out, c),
        // The worker runtime (issue 11).
        Command::Result(a) => commands::result::run(&cfg, &out, a),
        // Inspecting and controlling (issue 13).
        Command::Show(a) => commands::show::run(&cfg, &out, a),
        Command::List(a) => commands::list::run(&cfg, &out, a),
        Command::Cancel(a) => commands::cancel::run(&cfg, &out, a),
        Command::Move(a) => commands::r#move::run(&cfg, &out, a),
        Command::Queues(a) => commands::queues::run(&cfg, &out, a),
        Command::Migrate(a) => commands::migrate::run(&cfg, &out, a),
        Command::Config(a) => commands::config::run(&cfg, &out, a),
        Command::Pause(a) => commands::pause::run(&cfg, &out, a),
        Command::Resume(a) => commands::pause::resume(&cfg, &out, a),
        Command::Limit(a) => commands::limit::run(&cfg, &out, a),
        Command::Completions(_) | Command::Man(_) | Command::Ctl(_) => {
            unreachable!("handled above")
        }
    }
}
