//! `rpq limit`: sets a rate limit or an in-flight cap (on every task, or one type), removes
//! them (`--off`, exit 1 when there were none), or shows them.

use crate::cli::LimitArgs;
use crate::config::Config;
use crate::output::{note, Output};
use crate::queue::LimitChange;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &LimitArgs) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    let kind = args.kind.as_deref();
    if args.off {
        let removed = q.remove_limit(kind)?;
        out.limit_removed(kind, removed)?;
        if !removed {
            note(&format!(
                "queue '{}' has no limit on {}",
                q.name(),
                kind.map_or("every task".to_string(), |k| format!("type '{k}'"))
            ));
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.rate.is_some() || args.max_in_flight.is_some() {
        let change = LimitChange {
            rate: args.rate,
            burst: args.burst,
            max_in_flight: args.max_in_flight,
        };
        let limit = q.set_limit(kind, &change)?;
        out.limits(q.name(), std::slice::from_ref(&limit))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut all = q.limits()?;
    if args.kind.is_some() {
        all.retain(|l| l.kind.as_deref() == kind);
    }
    out.limits(q.name(), &all)?;
    Ok(ExitCode::SUCCESS)
}
