//! `rpq migrate [--all] [--dry-run] [--wait DUR]`: moves queues of stored layout 1 to this rpq's
//! layout, `keys::LAYOUT_VERSION` (issue 22; `queue::migrate` does it, step by step).

use crate::cli::MigrateArgs;
use crate::config::Config;
use crate::conn;
use crate::log;
use crate::output::Output;
use crate::queue::migrate::{self, Options, Progress};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &MigrateArgs) -> Result<ExitCode> {
    let mut conn = conn::open(cfg)?;
    let names = if args.all {
        migrate::queues(&mut conn)?
    } else {
        vec![cfg.queue.clone()]
    };
    let opts = Options {
        dry_run: args.dry_run,
        wait: args.wait,
        batch: migrate::BATCH,
        to: 0,
        checks: "",
    };
    let mut code = ExitCode::SUCCESS;
    for name in &names {
        let done = migrate::migrate(&mut conn, name, &opts, &mut |p| {
            match p {
                Progress::Step(s) => out.migrate_step(s)?,
                Progress::Folded(f) => out.migrate_folded(f)?,
                Progress::Waiting(w) => out.migrate_waiting(w),
            }
            Ok(())
        });
        match done {
            Ok(done) => out.migrated(&done)?,
            // --all goes on with the other queues: one line for this one, exit 1 at the end.
            Err(e) if args.all && crate::error::classify(&e).0 == 1 => code = log::report(&e),
            Err(e) => return Err(e),
        }
    }
    Ok(code)
}
