//! `rpq serve`: the flags in (a listen address that is not loopback needs a token), then
//! `serve::run` until a signal.

use crate::cli::ServeArgs;
use crate::config::{Config, Secret};
use crate::error::UsageError;
use crate::serve::{self, Options};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// A shorter token is too easy to guess for a server on the network.
const MIN_TOKEN: usize = 16;

/// `--idle-timeout` bounds: shorter drops a browser between two clicks' requests, longer lets
/// idle sockets pile up.
const IDLE_MIN: Duration = Duration::from_millis(100);
const IDLE_MAX: Duration = Duration::from_secs(3600);

pub fn run(cfg: &Config, args: &ServeArgs) -> Result<ExitCode> {
    let token = load_token(args.token_file.as_deref(), cfg.serve_token.as_ref())?;
    let read_token = load_token(
        args.read_token_file.as_deref(),
        cfg.serve_read_token.as_ref(),
    )?;
    if token.is_none() && !args.listen.ip().is_loopback() {
        return Err(UsageError(format!(
            "--listen {} is reachable from other machines, so it needs a token: \
             --token-file FILE or RPQ_SERVE_TOKEN (or listen on 127.0.0.1)",
            args.listen
        ))
        .into());
    }
    if read_token.is_some() {
        if token.is_none() {
            return Err(UsageError(
                "a read-only token needs the full one too (--token-file or RPQ_SERVE_TOKEN): \
                 without a token anyone may change everything"
                    .into(),
            )
            .into());
        }
        if read_token == token {
            return Err(UsageError(
                "the read-only token is the full token; make another one with: \
                 head -c 24 /dev/urandom | base64"
                    .into(),
            )
            .into());
        }
    }
    if !(IDLE_MIN..=IDLE_MAX).contains(&args.idle_timeout) {
        return Err(UsageError(format!(
            "--idle-timeout must be between {} and {}",
            humantime::format_duration(IDLE_MIN),
            humantime::format_duration(IDLE_MAX)
        ))
        .into());
    }
    serve::run(
        cfg,
        Options {
            listen: args.listen,
            token,
            read_token,
            max_connections: args.max_connections.map(|n| n as usize),
            idle_timeout: args.idle_timeout,
            metrics_groups: args.metrics_groups as usize,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A token from its file, else from the environment; checked for length and spaces.
fn load_token(file: Option<&Path>, env: Option<&Secret>) -> Result<Option<String>> {
    let token = match file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| {
                    UsageError(format!(
                        "cannot read the token file {}: {e}",
                        path.display()
                    ))
                })?
                .trim()
                .to_string(),
        ),
        None => env.map(|t| t.expose().trim().to_string()),
    };
    if let Some(t) = &token {
        if t.chars().count() < MIN_TOKEN || t.chars().any(|c| c.is_control() || c == ' ') {
            return Err(UsageError(format!(
                "the token must be at least {MIN_TOKEN} characters, without spaces; \
                 make one with: head -c 24 /dev/urandom | base64"
            ))
            .into());
        }
    }
    Ok(token)
}
