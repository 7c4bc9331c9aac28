//! One module per subcommand: flags in, one engine or `Queue` call, the result to `Output`, an
//! exit code out.

pub mod aging;
pub mod bench;
pub mod cancel;
pub mod clear;
pub mod completions;
pub mod config;
pub mod consume;
pub mod ctl;
pub mod dead;
pub mod demo;
pub mod events;
pub mod flow;
pub mod group;
pub mod len;
pub mod limit;
pub mod list;
pub mod migrate;
pub mod r#move;
pub mod pause;
pub mod peek;
pub mod produce;
pub mod queues;
pub mod result;
pub mod schedule;
pub mod serve;
pub mod show;
pub mod stats;
pub mod webhook;

use crate::config::Config;
use crate::output::{note, Output};
use crate::queue::Queue;
use anyhow::Result;
use std::process::ExitCode;

/// Opens the queue for a command that reads or changes what it holds. On a terminal it says
/// when the queue does not exist, so that a typo'd `--queue` is not taken for an empty queue.
pub fn open(cfg: &Config, out: &Output) -> Result<Queue> {
    let q = Queue::open(cfg)?;
    hint_missing(cfg, out, &q);
    Ok(q)
}

/// The note of `open` for a queue opened another way.
pub fn hint_missing(cfg: &Config, out: &Output, q: &Queue) {
    if !q.exists() {
        out.hint(&format!(
            "queue '{}' does not exist: nothing was ever pushed to it (`rpq queues` lists the \
             queues of this server)",
            cfg.queue
        ));
    }
}

/// Says on stderr which of `ids` the queue does not know (`found` is None for them); exit 1
/// when there is one.
pub fn unknown<T>(cfg: &Config, ids: &[String], found: &[Option<T>]) -> ExitCode {
    let mut missing = false;
    for (id, f) in ids.iter().zip(found) {
        if f.is_none() {
            note(&format!("no task '{id}' in queue '{}'", cfg.queue));
            missing = true;
        }
    }
    if missing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
