//! The one place that reads the environment and asks whether stdin, stdout and stderr are
//! terminals. Commands receive a `Config` and never look at either themselves.

use crate::cli::Global;
use crate::error::UsageError;
use crate::queue::keys::check_queue_name;
use anyhow::Result;
use std::io::IsTerminal;
use std::path::PathBuf;

pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";
pub const DEFAULT_QUEUE: &str = "default";

#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub insecure: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// One URL, or several cluster seed nodes.
    pub urls: Vec<String>,
    pub cluster: bool,
    pub queue: String,
    /// Whether the queue was named (flag or environment) rather than left at its default.
    pub queue_given: bool,
    pub json: bool,
    pub tls: Tls,
    pub shards: Option<u32>,
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// Colour on stdout: a terminal that is not `TERM=dumb`, and NO_COLOR unset or empty.
    /// Nothing on stderr is coloured.
    pub color: bool,
    /// `RPQ_SERVE_TOKEN`: the token `rpq serve` asks every request for (`--token-file` wins).
    pub serve_token: Option<Secret>,
}

/// A secret that never shows in `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Config {
    pub fn from_global(g: &Global) -> Result<Config> {
        let url = g
            .url
            .clone()
            .or_else(|| env_nonempty("RPQ_URL"))
            .or_else(|| env_nonempty("REDIS_URL"))
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        let urls: Vec<String> = url
            .split(',')
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect();
        if urls.is_empty() {
            return Err(UsageError("the Redis URL is empty".into()).into());
        }
        if urls.len() > 1 && !g.cluster {
            return Err(UsageError(
                "several URLs are only for cluster seed nodes; add --cluster".into(),
            )
            .into());
        }
        let queue = g.queue.clone().unwrap_or_else(|| DEFAULT_QUEUE.to_string());
        check_queue_name(&queue).map_err(UsageError)?;
        let stdout_tty = std::io::stdout().is_terminal();
        Ok(Config {
            urls,
            cluster: g.cluster,
            queue,
            queue_given: g.queue.is_some(),
            json: g.json,
            tls: Tls {
                ca: g.tls_ca.clone(),
                cert: g.tls_cert.clone(),
                key: g.tls_key.clone(),
                insecure: g.tls_insecure,
            },
            shards: g.shards,
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty,
            stderr_tty: std::io::stderr().is_terminal(),
            color: stdout_tty
                && env_nonempty("NO_COLOR").is_none()
                && std::env::var("TERM").map_or(true, |t| t != "dumb"),
            serve_token: env_nonempty("RPQ_SERVE_TOKEN").map(Secret),
        })
    }

    /// A config for code that runs inside rpq itself (the demo, the bench, tests).
    pub fn for_url(url: &str, queue: &str) -> Config {
        Config {
            urls: vec![url.to_string()],
            cluster: false,
            queue: queue.to_string(),
            queue_given: true,
            json: false,
            tls: Tls::default(),
            shards: None,
            stdin_tty: false,
            stdout_tty: false,
            stderr_tty: false,
            color: false,
            serve_token: None,
        }
    }

    /// The URLs as they may be shown: without a password.
    pub fn display_url(&self) -> String {
        self.urls
            .iter()
            .map(|u| redact(u))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `redis://user:secret@host` -> `redis://user:***@host`; a password is never printed.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_string();
    };
    let userinfo = &rest[..at];
    let shown = match userinfo.find(':') {
        Some(colon) => format!("{}:***", &userinfo[..colon]),
        None => "***".to_string(),
    };
    format!("{}{}{}", &url[..scheme_end + 3], shown, &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("redis://alice:s3cret@host:6379/2"),
            "redis://alice:***@host:6379/2"
        );
        assert_eq!(redact("rediss://:s3cret@host"), "rediss://:***@host");
        assert_eq!(redact("redis://s3cret@host"), "redis://***@host");
        assert_eq!(redact("redis://host:6379"), "redis://host:6379");
        assert_eq!(
            redact("redis+unix:///tmp/r.sock"),
            "redis+unix:///tmp/r.sock"
        );
    }
}
