//! `rpq show ID...`: each task as it is now, or as it ended while its result is kept; an
//! unknown id is said on stderr, exit 1.

use crate::cli::ShowArgs;
use crate::config::Config;
use crate::output::Output;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &ShowArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    let found = q.show(&args.ids)?;
    let gone: Vec<String> = args
        .ids
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(id, _)| id.clone())
        .collect();
    let mut kept = q.kept_results(&gone)?.into_iter();
    let mut known = Vec::with_capacity(found.len());
    for f in &found {
        match f {
            Some(t) => out.shown(t)?,
            None => match kept.next().flatten() {
                Some(k) => out.shown_finished(&k)?,
                None => {
                    known.push(None);
                    continue;
                }
            },
        }
        known.push(Some(()));
    }
    Ok(super::unknown(cfg, &args.ids, &known))
}
