//! `rpq webhook add|list|remove` (issue 26): the webhooks `rpq serve` delivers the queue's
//! events to.

use crate::cli::WebhookCommand;
use crate::config::Config;
use crate::error::UsageError;
use crate::output::Output;
use crate::queue::webhooks::{check_events, check_url};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cfg: &Config, out: &Output, c: &WebhookCommand) -> Result<ExitCode> {
    let mut q = super::open(cfg, out)?;
    match c {
        WebhookCommand::Add(a) => {
            check_url(&a.target).map_err(UsageError)?;
            let on = check_events(&a.on).map_err(|e| UsageError(format!("--on: {e}")))?;
            let secret = match &a.secret_file {
                Some(f) => Some(secret(f)?),
                None => None,
            };
            if q.events_kept()?.is_none() {
                out.hint(&format!(
                    "the events of queue '{}' are off, so nothing is sent until `rpq events \
                     --enable`",
                    cfg.queue
                ));
            }
            let hook = q.webhook_add(&a.target, on, secret)?;
            out.webhook_added(&cfg.queue, &hook)?;
        }
        WebhookCommand::List => out.webhooks(&cfg.queue, &q.webhooks()?)?,
        WebhookCommand::Remove(a) => {
            if !q.webhook_remove(&a.which)? {
                anyhow::bail!("queue '{}' has no webhook {}", cfg.queue, a.which);
            }
            out.webhook_removed(&cfg.queue, &a.which)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of the secret file.
fn secret(path: &std::path::Path) -> Result<String> {
    crate::config::first_line(
        path,
        |e| format!("--secret-file: cannot read {}: {e}", path.display()),
        || format!("--secret-file: {} is empty", path.display()),
    )
}
