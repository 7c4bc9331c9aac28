//! `rpq limit`: sets a rate limit or an in-flight cap (on every task, one type, one group or
//! each group), removes them (`--off`, exit 1 when there were none), or shows them.

use crate::cli::LimitArgs;
use crate::config::Config;
use crate::error::UsageError;
use crate::output::{note, Output};
use crate::queue::LimitChange;
use crate::task::check_group;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, args: &LimitArgs) -> Result<ExitCode> {
    if let Some(g) = &args.group {
        check_group(g).map_err(|e| UsageError(format!("--group: {e}")))?;
    }
    let mut q = super::open(cfg, out)?;
    let kind = args.kind.as_deref();
    let change = LimitChange {
        rate: args.rate,
        burst: args.burst,
        max_in_flight: args.max_in_flight,
    };
    // groups (issue 23): a group's own limit, or the default of each group.
    if args.group.is_some() || args.each_group {
        let group = args.group.as_deref();
        if args.off {
            let removed = q.remove_group_limit(group)?;
            out.group_limit_removed(group, removed)?;
            if !removed {
                note(&format!(
                    "queue '{}' has no limit on {}",
                    q.name(),
                    group.map_or("each group".to_string(), |g| format!("group '{g}'"))
                ));
                return Ok(ExitCode::FAILURE);
            }
            return Ok(ExitCode::SUCCESS);
        }
        if args.rate.is_some() || args.max_in_flight.is_some() {
            let limit = q.set_group_limit(group, &change)?;
            out.limits(q.name(), std::slice::from_ref(&limit))?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut all = q.group_limits()?;
        all.retain(|l| l.group.as_deref() == group && (group.is_some() || l.each_group));
        out.limits(q.name(), &all)?;
        return Ok(ExitCode::SUCCESS);
    }
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
        let limit = q.set_limit(kind, &change)?;
        out.limits(q.name(), std::slice::from_ref(&limit))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut all = q.limits()?;
    if args.kind.is_some() {
        all.retain(|l| l.kind.as_deref() == kind);
    } else {
        all.extend(q.group_limits()?);
    }
    out.limits(q.name(), &all)?;
    Ok(ExitCode::SUCCESS)
}
