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

/// A password: never shown, not even by `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        crate::output::log::protect(&s);
        Secret(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The variables that carry the connection and its password: an `--exec` handler, which runs
/// code that handles task data, does not get them (it gets `RPQ_QUEUE` and the task's fields).
pub const CONNECTION_ENV: &[&str] = &["RPQ_URL", "REDIS_URL", "RPQ_PASSWORD", "RPQ_PASSWORD_FILE"];

#[derive(Debug, Clone)]
pub struct Config {
    /// One URL, or several cluster seed nodes.
    pub urls: Vec<String>,
    /// A password given apart from the URL (--password-file, RPQ_PASSWORD): it replaces the
    /// URL's own.
    pub password: Option<Secret>,
    /// Said once on stderr when the command starts (a password on the command line, a file
    /// others can read).
    pub warnings: Vec<String>,
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
}

impl Config {
    pub fn from_global(g: &Global) -> Result<Config> {
        let url = g
            .url
            .clone()
            .or_else(|| env_nonempty("RPQ_URL"))
            .or_else(|| env_nonempty("REDIS_URL"))
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        let urls = split_urls(&url);
        for u in &urls {
            if let Some(pw) = url_password(u) {
                Secret::new(pw);
            }
        }
        let mut warnings = Vec::new();
        if g.url.as_deref().and_then(url_password).is_some() {
            warnings.push(
                "warning: a password on the command line can be seen by other users (ps); \
                 use --password-file FILE or RPQ_PASSWORD instead"
                    .to_string(),
            );
        }
        let password = match (&g.password_file, env_nonempty("RPQ_PASSWORD")) {
            (Some(file), _) => Some(read_password_file(file, &mut warnings)?),
            (None, Some(pw)) => Some(Secret::new(pw)),
            (None, None) => None,
        };
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
            password,
            warnings,
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
        })
    }

    /// A config for code that runs inside rpq itself (the demo, the bench, tests).
    pub fn for_url(url: &str, queue: &str) -> Config {
        Config {
            urls: vec![url.to_string()],
            password: None,
            warnings: Vec::new(),
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

/// The first line of a password file. A file other users may read is said once, as ssh does
/// for a key: the password is then theirs too.
fn read_password_file(path: &std::path::Path, warnings: &mut Vec<String>) -> Result<Secret> {
    use std::os::unix::fs::PermissionsExt;
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError(format!(
            "cannot read the password file {}: {e}",
            path.display()
        ))
    })?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(UsageError(format!("the password file {} is empty", path.display())).into());
    }
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0);
    if mode & 0o004 != 0 {
        warnings.push(format!(
            "warning: the password file {} can be read by other users; chmod o-r {0}",
            path.display()
        ));
    }
    Ok(Secret::new(first.to_string()))
}

/// The size of the terminal on stdout, (rows, columns), asked anew each time: a window can be
/// resized while `stats --watch` runs. None when stdout is not a terminal.
pub fn terminal_size() -> Option<(usize, usize)> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one winsize into the struct we pass, and nothing else.
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_row > 0 && ws.ws_col > 0).then_some((ws.ws_row as usize, ws.ws_col as usize))
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `--url` as seed nodes: split at each comma that starts another URL (`,redis://...`), so a
/// comma inside a password stays where it is.
pub fn split_urls(url: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in url.split(',') {
        let starts_url = scheme_len(piece.trim_start()).is_some();
        match out.last_mut() {
            Some(last) if !starts_url => {
                last.push(',');
                last.push_str(piece);
            }
            _ => out.push(piece.to_string()),
        }
    }
    out.into_iter()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect()
}

/// The length of `scheme://` at the start of `s`, if it has one.
fn scheme_len(s: &str) -> Option<usize> {
    let end = s.find("://")?;
    let scheme = &s[..end];
    let ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    ok.then_some(end + 3)
}

/// `redis://user:secret@host` -> `redis://user:***@host`; a password is never printed.
///
/// It holds for passwords that are not percent-encoded too, whatever they contain (`/ # ? @ , :
/// %`): the user information runs to the last `@` (the host, port and database have none). A
/// unix socket URL's `pass=` (and any `password=`) is hidden as well.
pub fn redact(url: &str) -> String {
    let start = scheme_len(url).unwrap_or(0);
    let scheme = url[..start].to_ascii_lowercase();
    let mut shown = url.to_string();
    if !scheme.contains("unix") {
        if let Some(at) = url[start..].rfind('@').map(|i| start + i) {
            let userinfo = &url[start..at];
            let hidden = match userinfo.find(':') {
                Some(colon) => format!("{}:***", &userinfo[..colon]),
                None => "***".to_string(),
            };
            shown = format!("{}{hidden}{}", &url[..start], &url[at..]);
        }
    }
    hide_query_passwords(&shown)
}

/// `?pass=x&db=1` -> `?pass=***&db=1`.
fn hide_query_passwords(url: &str) -> String {
    match query_password(url) {
        Some((from, to)) => format!("{}***{}", &url[..from], &url[to..]),
        None => url.to_string(),
    }
}

/// Where the value of a `pass=` (or `password=`) parameter is. It runs to the next `&` that
/// starts another `name=`, so an `&` of the password itself is hidden with the rest of it.
fn query_password(url: &str) -> Option<(usize, usize)> {
    let q = url.find('?')? + 1;
    let mut at = q;
    for param in url[q..].split('&') {
        let key = param.split_once('=').map(|(k, _)| k.to_ascii_lowercase());
        if matches!(key.as_deref(), Some("pass" | "password")) {
            let from = at + param.find('=')? + 1;
            let mut to = url.len();
            let mut i = from;
            while let Some(amp) = url[i..].find('&').map(|a| i + a) {
                let next = &url[amp + 1..];
                let next_key = next.split('&').next().unwrap_or("");
                if next_key.contains('=') {
                    to = amp;
                    break;
                }
                i = amp + 1;
            }
            return Some((from, to));
        }
        at += param.len() + 1;
    }
    None
}

/// The password a URL carries, as typed (it may be percent-encoded): what must never be shown.
pub fn url_password(url: &str) -> Option<String> {
    let start = scheme_len(url).unwrap_or(0);
    let scheme = url[..start].to_ascii_lowercase();
    let from_query = query_password(url)
        .map(|(from, to)| url[from..to].to_string())
        .filter(|p| !p.is_empty());
    if scheme.contains("unix") {
        return from_query;
    }
    let Some(at) = url[start..].rfind('@').map(|i| i + start) else {
        return from_query;
    };
    // `redis://name@host` names a user (redact hides it all the same).
    let pw = url[start..at].split_once(':').map_or("", |(_, p)| p);
    (!pw.is_empty()).then(|| pw.to_string()).or(from_query)
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
        assert_eq!(
            redact("redis+unix:///tmp/r@x.sock?db=1&pass=s3cret"),
            "redis+unix:///tmp/r@x.sock?db=1&pass=***"
        );
    }

    /// What the URL syntax allows in a password, encoded or not: nothing of it is ever shown.
    pub const AWKWARD: &[&str] = &[
        "Pq7/Zk9",
        "Pq7,Zk9",
        "Pq7@Zk9",
        "Pq7#Zk9",
        "Pq7:Zk9",
        "Pq7%Zk9",
        "Pq7%2FZk9",
        "Pq7?Zk9",
        "Pq7 Zk9",
        "Pq7;Zk9",
        "Pq7&Zk9",
        "Pq7=Zk9",
        "Pq7//@@##Zk9",
        "Pq7'\"Zk9",
        "Pq7]Zk9",
    ];

    #[test]
    fn awkward_passwords_are_redacted_and_found() {
        for pw in AWKWARD {
            for url in [
                format!("redis://alice:{pw}@127.0.0.1:6379/1"),
                format!("rediss://:{pw}@host"),
                format!("redis+unix:///tmp/s.sock?pass={pw}&db=2"),
            ] {
                let shown = redact(&url);
                assert!(
                    !shown.contains("Pq7") && !shown.contains("Zk9"),
                    "{url} shown as {shown}"
                );
                assert_eq!(url_password(&url).as_deref(), Some(*pw), "{url}");
            }
            // Several seeds: a comma in a password is not a new seed.
            let seeds = format!("redis://u:{pw}@h1:1,redis://u:{pw}@h2:2, rediss://h3:3");
            let urls = split_urls(&seeds);
            assert_eq!(urls.len(), 3, "{urls:?}");
            assert_eq!(urls[2], "rediss://h3:3");
            assert!(urls.iter().all(|u| !redact(u).contains("Zk9")), "{urls:?}");
        }
        assert_eq!(
            split_urls("redis://a:1,,redis://b:2"),
            ["redis://a:1,", "redis://b:2"]
        );
        assert_eq!(url_password("redis://host:6379"), None);
        assert_eq!(url_password("redis://alice@host"), None);
        assert_eq!(redact("redis://Pq7Zk9@host"), "redis://***@host");
    }
}
