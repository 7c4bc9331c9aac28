//! `rpq serve`: the flags in (a listen address that is not loopback needs a token), then
//! `serve::run` until a signal.

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::error::UsageError;
use crate::serve::{self, Options};
use anyhow::Result;
use std::process::ExitCode;

/// A shorter token is too easy to guess for a server on the network.
const MIN_TOKEN: usize = 16;

pub fn run(cfg: &Config, args: &ServeArgs) -> Result<ExitCode> {
    let token = match &args.token_file {
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
        None => cfg
            .serve_token
            .as_ref()
            .map(|t| t.expose().trim().to_string()),
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
    if token.is_none() && !args.listen.ip().is_loopback() {
        return Err(UsageError(format!(
            "--listen {} is reachable from other machines, so it needs a token: \
             --token-file FILE or RPQ_SERVE_TOKEN (or listen on 127.0.0.1)",
            args.listen
        ))
        .into());
    }
    serve::run(
        cfg,
        Options {
            listen: args.listen,
            token,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
