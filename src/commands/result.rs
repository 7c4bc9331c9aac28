//! `rpq result ID`: a task's kept result (the worker runtime, issue 11); exit 1 without one.

use crate::cli::ResultArgs;
use crate::config::Config;
use crate::output::Output;
use crate::queue::{KeptOutcome, Waited};
use anyhow::{bail, Result};
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ResultArgs) -> Result<ExitCode> {
    let id = &args.id;
    let mut q = super::open(cfg, out)?;
    match q.waited(id)? {
        Waited::Finished(k) if k.outcome == KeptOutcome::Done => {
            out.kept(&k)?;
            Ok(ExitCode::SUCCESS)
        }
        Waited::Finished(k) => {
            out.kept(&k)?;
            bail!(
                "task {id} is dead: {}",
                k.error.as_deref().unwrap_or("no error given")
            )
        }
        Waited::Dead(why) => bail!("task {id} is dead: {why}; no result was kept"),
        Waited::Pending => bail!("task {id} is not done yet; no result so far"),
        Waited::Gone => bail!(
            "no result for task {id} in queue '{}': none was kept (ask with produce \
             --keep-result), it expired, or the id is unknown",
            cfg.queue
        ),
    }
}
