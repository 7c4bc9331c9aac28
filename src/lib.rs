//! rpq: a priority task queue on Redis, driven from one command-line binary.
//!
//! `cli` parses, `config` reads the environment, `commands` run one subcommand each on the
//! shared `queue` module, and `output` prints; `serve` is the web dashboard and HTTP API.

pub mod cli;
pub mod commands;
pub mod config;
pub mod conn;
pub mod error;
pub mod handler;
pub mod output;
pub mod queue;
pub mod reconnect;
pub mod serve;
pub mod server;
pub mod shutdown;
pub mod task;

use anyhow::Result;
use cli::{Cli, Command};
use config::Config;
use std::process::ExitCode;

/// Runs one parsed command line and returns its exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Completions(args) = &cli.command {
        return commands::completions::run(args);
    }
    let cfg = Config::from_global(&cli.global)?;
    match &cli.command {
        Command::Produce(a) => commands::produce::run(&cfg, a),
        Command::Consume(a) => commands::consume::run(&cfg, a),
        Command::Peek(a) => commands::peek::run(&cfg, a),
        Command::Len(a) => commands::len::run(&cfg, a),
        Command::Clear(a) => commands::clear::run(&cfg, a),
        Command::Stats(a) => commands::stats::run(&cfg, a),
        Command::Dead(c) => commands::dead::run(&cfg, c),
        Command::Demo(a) => commands::demo::run(&cfg, a),
        Command::Bench(a) => commands::bench::run(&cfg, a),
        Command::Serve(a) => commands::serve::run(&cfg, a),
        Command::Completions(_) => unreachable!("handled above"),
    }
}
