//! The one place that reads the environment and asks whether stdin, stdout and stderr are
//! terminals. Commands receive a `Config` and never look at either themselves.
//!
//! Its one import from above, `queue::keys::check_queue_name`, is on purpose: what a queue's
//! name may hold is the key layout's rule (its hash tags and separators), and a bad `--queue`
//! or `RPQ_QUEUE` is refused here, once, as every other bad setting is.

mod flags;
mod profile;

pub use flags::{Global, LogFormatArg};

use crate::error::UsageError;
use crate::queue::keys::check_queue_name;
use crate::server::RedisServer;
use crate::trace::TraceContext;
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
        crate::secrets::protect(&s);
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
    /// A password given apart from the URL (--password-file, RPQ_PASSWORD, a profile): it
    /// replaces the URL's own.
    pub password: Option<Secret>,
    /// Said once on stderr when the command starts (a password on the command line, a file
    /// others can read).
    pub warnings: Vec<(&'static str, String)>,
    pub cluster: bool,
    pub queue: String,
    /// Whether the queue was named (flag, environment or profile) rather than left at its
    /// default.
    pub queue_given: bool,
    pub json: bool,
    pub tls: Tls,
    pub shards: Option<u32>,
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    /// stdout is a pipe (issue 19): a line written there can still go unread when its reader
    /// leaves (`| head -1`), so a consumer waits for it to be read before it acknowledges.
    pub stdout_pipe: bool,
    pub stderr_tty: bool,
    /// Colour on stdout: a terminal that is not `TERM=dumb`, and NO_COLOR unset or empty.
    /// Nothing on stderr is coloured.
    pub color: bool,
    /// How stderr lines look and which are said.
    pub log: Log,
    /// systemd's notify socket and watchdog interval, when it runs rpq as a service.
    pub notify: Notify,
    /// The config file read (if any), the profile used (if any), and each setting with where
    /// it came from, for `rpq config`.
    pub file: Option<PathBuf>,
    pub profile: Option<String>,
    pub settings: Vec<Setting>,
    /// `RPQ_SERVE_TOKEN`: the token `rpq serve` asks every request for (`--token-file` wins).
    pub serve_token: Option<Secret>,
    /// `RPQ_SERVE_READ_TOKEN`: a token for `rpq serve` that may read and change nothing
    /// (`--read-token-file` wins).
    pub serve_read_token: Option<Secret>,
    /// Issue 26: the W3C trace context a producer runs in (`TRACEPARENT`, `TRACESTATE`); a
    /// value that is not one is no context, and why is kept for `produce` to say.
    pub trace: Option<TraceContext>,
    pub trace_ignored: Option<String>,
    /// Where a consumer exports its spans (`OTEL_EXPORTER_OTLP_*`), when it does; settings it
    /// cannot use are kept for `consume` to say.
    pub otlp: Option<Otlp>,
    pub otlp_ignored: Option<String>,
}

/// The OTLP/HTTP exporter's settings, from the standard variables of OpenTelemetry.
#[derive(Debug, Clone, PartialEq)]
pub struct Otlp {
    /// The traces URL: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, or
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces`.
    pub url: String,
    pub protocol: OtlpProtocol,
    /// `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`: `k=v,k2=v2`, values percent-decoded.
    pub headers: Vec<(String, String)>,
    /// `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT` in milliseconds (default 10 s).
    pub timeout: std::time::Duration,
    /// `OTEL_SERVICE_NAME`, else `rpq`.
    pub service: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    Protobuf,
    Json,
}

/// The standard variables of OpenTelemetry rpq reads (`TRACEPARENT` and `TRACESTATE` too):
/// the traces' own first, then the general one, as the specification orders them.
fn otlp_settings(
    env: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<Option<Otlp>, String> {
    let either = |traces: &str, any: &str| env(traces).or_else(|| env(any));
    if env_bool(env("OTEL_SDK_DISABLED")) == Some(true)
        || env("OTEL_TRACES_EXPORTER").is_some_and(|e| e.trim() == "none")
    {
        return Ok(None);
    }
    let url = match (
        env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        env("OTEL_EXPORTER_OTLP_ENDPOINT"),
    ) {
        (Some(u), _) => u.trim().to_string(),
        (None, Some(base)) => format!("{}/v1/traces", base.trim().trim_end_matches('/')),
        (None, None) => return Ok(None),
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "the OTLP endpoint {url} is not an http:// or https:// URL; no spans are exported"
        ));
    }
    let protocol = match either(
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    )
    .as_deref()
    .map(str::trim)
    {
        None | Some("http/protobuf") => OtlpProtocol::Protobuf,
        Some("http/json") => OtlpProtocol::Json,
        Some(other) => {
            return Err(format!(
                "the OTLP protocol {other} is not one rpq speaks (http/protobuf, http/json);                  no spans are exported"
            ))
        }
    };
    let headers = either(
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_HEADERS",
    )
    .map(|h| {
        h.split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (percent_decode(k.trim()), percent_decode(v.trim())))
            .filter(|(k, _)| !k.is_empty())
            .collect()
    })
    .unwrap_or_default();
    let timeout = either(
        "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
    )
    .and_then(|t| t.trim().parse::<u64>().ok())
    .filter(|ms| *ms > 0)
    .map_or(std::time::Duration::from_secs(10), |ms| {
        std::time::Duration::from_millis(ms.min(60_000))
    });
    Ok(Some(Otlp {
        url,
        protocol,
        headers,
        timeout,
        service: env("OTEL_SERVICE_NAME").unwrap_or_else(|| "rpq".into()),
    }))
}

/// `%XX` escapes, as the headers variable allows in its values; anything else as it is.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a setting came from, highest first: precedence is flag > environment > profile >
/// default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    Profile(String),
    Default,
}

impl Source {
    /// "flag", "env", "profile" or "default".
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Flag(_) => "flag",
            Source::Env(_) => "env",
            Source::Profile(_) => "profile",
            Source::Default => "default",
        }
    }

    /// The flag, the variable or the profile's name; None for a default.
    pub fn from(&self) -> Option<String> {
        match self {
            Source::Flag(f) => Some(f.to_string()),
            Source::Env(v) => Some(v.to_string()),
            Source::Profile(p) => Some(p.clone()),
            Source::Default => None,
        }
    }
}

/// One effective setting as `rpq config` shows it (passwords as `***`).
#[derive(Debug, Clone)]
pub struct Setting {
    pub name: &'static str,
    pub value: serde_json::Value,
    pub source: Source,
}

/// How stderr lines are written: as text for a person, or one JSON object each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

/// `-q`: errors only; `-v`: each reconnect attempt and each lease lost too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub format: LogFormat,
    pub verbosity: Verbosity,
}

/// What systemd tells a service it runs with `Type=notify`.
#[derive(Debug, Clone, Default)]
pub struct Notify {
    /// `NOTIFY_SOCKET`: a path, or `@name` in the abstract namespace.
    pub socket: Option<String>,
    /// `WATCHDOG_USEC`, when `WATCHDOG_PID` is unset or names this process.
    pub watchdog: Option<std::time::Duration>,
}

/// The variables an `--exec` handler does not get besides `CONNECTION_ENV`: systemd's, which
/// are for rpq itself.
pub const NOTIFY_ENV: &[&str] = &["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"];

/// Handlers that talk back (issue 25): the variables a consumer gives each `--exec` handler, and
/// which `rpq ctl` reads: the control socket's path, the task's secret for it, its fencing token.
pub const CONTROL_ENV: &str = "RPQ_CONTROL";
pub const CONTROL_KEY_ENV: &str = "RPQ_CONTROL_KEY";
pub const FENCE_ENV: &str = "RPQ_FENCE";
/// Flows (issue 24): the file of a child's parents' kept results, NDJSON `{id, result}`.
pub const PARENT_RESULTS_ENV: &str = "RPQ_PARENT_RESULTS";

/// What `rpq ctl` finds in its environment: the socket's path and the task's secret; None
/// outside a handler.
pub fn control_env() -> Option<(std::path::PathBuf, String)> {
    let path = std::env::var_os(CONTROL_ENV)?;
    let key = std::env::var(CONTROL_KEY_ENV).ok()?;
    Some((path.into(), key))
}

/// Where a consumer makes its control socket's private directory first: $XDG_RUNTIME_DIR (the
/// user's own, 0700 already), when it is set.
pub fn runtime_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(Into::into)
}

/// Every variable rpq reads (besides NO_COLOR, TERM, HOME and XDG_CONFIG_HOME, which are not
/// its own, and systemd's `NOTIFY_ENV`).
pub const ENV_VARS: &[&str] = &[
    "RPQ_URL",
    "REDIS_URL",
    "RPQ_CLUSTER",
    "RPQ_QUEUE",
    "RPQ_TLS_CA",
    "RPQ_TLS_CERT",
    "RPQ_TLS_KEY",
    "RPQ_TLS_INSECURE",
    "RPQ_SHARDS",
    "RPQ_PASSWORD",
    "RPQ_PASSWORD_FILE",
    "RPQ_CONFIG",
    "RPQ_PROFILE",
    "RPQ_LOG_FORMAT",
];

/// The standard variables of W3C trace context and OpenTelemetry that rpq reads (issue 26).
pub const OTEL_ENV: &[&str] = &[
    "TRACEPARENT",
    "TRACESTATE",
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
    "OTEL_SERVICE_NAME",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
];

/// One setting's value as each layer has it, and the pick: the first layer that has one.
struct Pick<T> {
    value: T,
    source: Source,
}

fn pick<T>(
    flag: (Option<T>, &'static str),
    env: Vec<(&'static str, Option<T>)>,
    profile: Option<(T, &str)>,
    default: T,
) -> Pick<T> {
    if let (Some(v), f) = flag {
        return Pick {
            value: v,
            source: Source::Flag(f),
        };
    }
    for (var, v) in env {
        if let Some(v) = v {
            return Pick {
                value: v,
                source: Source::Env(var),
            };
        }
    }
    match profile {
        Some((v, name)) => Pick {
            value: v,
            source: Source::Profile(name.to_string()),
        },
        None => Pick {
            value: default,
            source: Source::Default,
        },
    }
}

/// `RPQ_CLUSTER=1` (or `true`, `yes`, `on`) is on; empty, `0`, `false`, `no`, `off` are off.
fn env_bool(v: Option<String>) -> Option<bool> {
    v.map(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off" | "n" | "f"
        )
    })
}

fn parse_shards(what: &str, v: u64) -> Result<u32> {
    if (1..=1024).contains(&v) {
        Ok(v as u32)
    } else {
        Err(UsageError(format!("{what}: {v} is not a shard count from 1 to 1024")).into())
    }
}

fn parse_log_format(what: &str, v: &str) -> Result<LogFormat> {
    match v.trim().to_ascii_lowercase().as_str() {
        "human" | "text" => Ok(LogFormat::Human),
        "json" => Ok(LogFormat::Json),
        other => Err(UsageError(format!(
            "{what}: '{other}' is not a log format; use human or json"
        ))
        .into()),
    }
}

impl Config {
    /// Points at a private redis-server rpq started itself (`rpq demo` when none answers,
    /// `rpq bench --spawn`): that one server, in place of the URLs and cluster the settings
    /// named.
    pub fn use_private(&mut self, server: &RedisServer) {
        self.urls = vec![server.url()];
        self.cluster = false;
    }

    pub fn from_global(g: &Global) -> Result<Config> {
        // A value that is not UTF-8 would read as unset: rpq would go on with the default queue,
        // server or no serve token at all, and say nothing.
        for name in ENV_VARS
            .iter()
            .chain(&["RPQ_SERVE_TOKEN", "RPQ_SERVE_READ_TOKEN"])
        {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(UsageError(format!(
                    "{name} is not valid UTF-8; set it to text, or unset it"
                ))
                .into());
            }
        }
        Config::resolve(g, &env_nonempty)
    }

    /// The settings from the flags, then the environment (`env`), then the profile, then the
    /// defaults.
    pub fn resolve(g: &Global, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let mut warnings = Vec::new();
        let mut settings = Vec::new();

        // The config file and the profile.
        let named_file = g
            .config
            .clone()
            .map(|f| (f, Source::Flag("--config")))
            .or_else(|| env("RPQ_CONFIG").map(|f| (PathBuf::from(f), Source::Env("RPQ_CONFIG"))));
        let file = match &named_file {
            Some((path, _)) => profile::File::read(path, true)?,
            None => match profile::default_path(env) {
                Some(path) => profile::File::read(&path, false)?,
                None => None,
            },
        };
        let named_profile = g
            .profile
            .clone()
            .map(|p| (p, Source::Flag("--profile")))
            .or_else(|| env("RPQ_PROFILE").map(|p| (p, Source::Env("RPQ_PROFILE"))));
        let (profile_name, prof): (Option<String>, Option<&profile::Profile>) =
            match (&named_profile, &file) {
                (Some((name, _)), Some(f)) => (Some(name.clone()), Some(f.profile(name)?)),
                (Some((name, _)), None) => {
                    return Err(UsageError(format!(
                        "no config file holds profile '{name}': give one with --config FILE or \
                         RPQ_CONFIG, or create {}",
                        profile::default_path(env)
                            .map_or("~/.config/rpq/config.toml".into(), |p| p
                                .display()
                                .to_string())
                    ))
                    .into())
                }
                (None, Some(f)) if f.has("default") => {
                    (Some("default".to_string()), Some(f.profile("default")?))
                }
                _ => (None, None),
            };
        if let Some(f) = &file {
            if f.others_read && f.holds_password() {
                warnings.push((
                    "config_file_readable",
                    format!(
                        "warning: the config file {} holds a password and can be read by other \
                         users; chmod o-r {0}",
                        f.path.display()
                    ),
                ));
            }
        }
        let pname = profile_name.as_deref().unwrap_or("");
        let prof_str =
            |f: fn(&profile::Profile) -> Option<String>| prof.and_then(f).map(|v| (v, pname));
        let prof_bool =
            |f: fn(&profile::Profile) -> Option<bool>| prof.and_then(f).map(|v| (v, pname));
        let prof_path = |f: fn(&profile::Profile) -> Option<PathBuf>| {
            prof.and_then(f).map(|v| (Some(v), pname))
        };

        // The URL.
        let url = pick(
            (g.url.clone(), "--url"),
            vec![("RPQ_URL", env("RPQ_URL")), ("REDIS_URL", env("REDIS_URL"))],
            prof_str(|p| p.url.clone()),
            DEFAULT_URL.to_string(),
        );
        let urls = split_urls(&url.value);
        for u in &urls {
            if let Some(pw) = url_password(u) {
                Secret::new(pw);
            }
        }
        if url.source == Source::Flag("--url") && url_password(&url.value).is_some() {
            warnings.push((
                "password_on_command_line",
                "warning: a password on the command line can be seen by other users (ps); \
                 use --password-file FILE or RPQ_PASSWORD instead"
                    .to_string(),
            ));
        }
        if urls.is_empty() {
            return Err(UsageError("the Redis URL is empty".into()).into());
        }

        // The password, layer by layer like the rest: a password file or RPQ_PASSWORD at a
        // layer above the URL's replaces the URL's own; at the URL's layer or below, the URL's
        // own password (if it has one) wins.
        let url_rank = rank(&url.source);
        let url_has_pw = urls.iter().any(|u| url_password(u).is_some());
        let mut password = None;
        let mut password_source = url_has_pw.then(|| url.source.clone());
        let candidates: Vec<(Source, PasswordFrom)> = [
            g.password_file
                .clone()
                .map(|f| (Source::Flag("--password-file"), PasswordFrom::File(f))),
            env("RPQ_PASSWORD_FILE").map(|f| {
                (
                    Source::Env("RPQ_PASSWORD_FILE"),
                    PasswordFrom::File(f.into()),
                )
            }),
            env("RPQ_PASSWORD").map(|p| (Source::Env("RPQ_PASSWORD"), PasswordFrom::Text(p))),
            prof.and_then(|p| p.password_file.clone())
                .map(|f| (Source::Profile(pname.into()), PasswordFrom::File(f))),
            prof.and_then(|p| p.password.clone())
                .map(|p| (Source::Profile(pname.into()), PasswordFrom::Text(p))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some((source, from)) = candidates.into_iter().next() {
            if !(url_has_pw && rank(&source) <= url_rank) {
                password = Some(match from {
                    PasswordFrom::File(f) => read_password_file(&f, &mut warnings)?,
                    PasswordFrom::Text(t) => Secret::new(t),
                });
                password_source = Some(source);
            }
        }

        let cluster = pick(
            (g.cluster.then_some(true), "--cluster"),
            vec![("RPQ_CLUSTER", env_bool(env("RPQ_CLUSTER")))],
            prof_bool(|p| p.cluster),
            false,
        );
        if urls.len() > 1 && !cluster.value {
            return Err(UsageError(
                "several URLs are only for cluster seed nodes; add --cluster".into(),
            )
            .into());
        }
        let queue = pick(
            (g.queue.clone(), "--queue"),
            vec![("RPQ_QUEUE", env("RPQ_QUEUE"))],
            prof_str(|p| p.queue.clone()),
            DEFAULT_QUEUE.to_string(),
        );
        check_queue_name(&queue.value).map_err(UsageError)?;
        let tls_ca = pick(
            (g.tls_ca.clone().map(Some), "--tls-ca"),
            vec![("RPQ_TLS_CA", env("RPQ_TLS_CA").map(|v| Some(v.into())))],
            prof_path(|p| p.tls_ca.clone()),
            None,
        );
        let tls_cert = pick(
            (g.tls_cert.clone().map(Some), "--tls-cert"),
            vec![("RPQ_TLS_CERT", env("RPQ_TLS_CERT").map(|v| Some(v.into())))],
            prof_path(|p| p.tls_cert.clone()),
            None,
        );
        let tls_key = pick(
            (g.tls_key.clone().map(Some), "--tls-key"),
            vec![("RPQ_TLS_KEY", env("RPQ_TLS_KEY").map(|v| Some(v.into())))],
            prof_path(|p| p.tls_key.clone()),
            None,
        );
        let tls_insecure = pick(
            (g.tls_insecure.then_some(true), "--tls-insecure"),
            vec![("RPQ_TLS_INSECURE", env_bool(env("RPQ_TLS_INSECURE")))],
            prof_bool(|p| p.tls_insecure),
            false,
        );
        let env_shards = env("RPQ_SHARDS")
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| UsageError(format!("RPQ_SHARDS: '{v}' is not a number")).into())
                    .and_then(|n| parse_shards("RPQ_SHARDS", n))
            })
            .transpose()?;
        let prof_shards = prof
            .and_then(|p| p.shards)
            .map(|n| parse_shards(&format!("profile {pname}: shards"), u64::from(n)))
            .transpose()?;
        let shards = pick(
            (g.shards.map(Some), "--shards"),
            vec![("RPQ_SHARDS", env_shards.map(Some))],
            prof_shards.map(|n| (Some(n), pname)),
            None,
        );
        let env_format = env("RPQ_LOG_FORMAT")
            .map(|v| parse_log_format("RPQ_LOG_FORMAT", &v))
            .transpose()?;
        let prof_format = prof
            .and_then(|p| p.log_format.clone())
            .map(|v| parse_log_format(&format!("profile {pname}: log_format"), &v))
            .transpose()?;
        let log_format = pick(
            (
                g.log_format.map(|f| match f {
                    LogFormatArg::Human => LogFormat::Human,
                    LogFormatArg::Json => LogFormat::Json,
                }),
                "--log-format",
            ),
            vec![("RPQ_LOG_FORMAT", env_format)],
            prof_format.map(|f| (f, pname)),
            LogFormat::Human,
        );

        let path_value = |p: &Option<PathBuf>| {
            p.as_ref()
                .map_or(serde_json::Value::Null, |p| p.display().to_string().into())
        };
        let mut add = |name: &'static str, value: serde_json::Value, source: &Source| {
            settings.push(Setting {
                name,
                value,
                source: source.clone(),
            })
        };
        add("url", redact(&url.value).into(), &url.source);
        add("cluster", cluster.value.into(), &cluster.source);
        add("queue", queue.value.clone().into(), &queue.source);
        add("tls_ca", path_value(&tls_ca.value), &tls_ca.source);
        add("tls_cert", path_value(&tls_cert.value), &tls_cert.source);
        add("tls_key", path_value(&tls_key.value), &tls_key.source);
        add(
            "tls_insecure",
            tls_insecure.value.into(),
            &tls_insecure.source,
        );
        add(
            "shards",
            shards.value.map_or(serde_json::Value::Null, Into::into),
            &shards.source,
        );
        add(
            "password",
            password_source
                .as_ref()
                .map_or(serde_json::Value::Null, |_| "***".into()),
            password_source.as_ref().unwrap_or(&Source::Default),
        );
        add(
            "log_format",
            match log_format.value {
                LogFormat::Human => "human",
                LogFormat::Json => "json",
            }
            .into(),
            &log_format.source,
        );

        let trace = env("TRACEPARENT")
            .map(|tp| TraceContext::parse(&tp, env("TRACESTATE").as_deref()))
            .transpose()
            .map_err(|e| format!("TRACEPARENT ignored: {e}"));
        let otlp = otlp_settings(env);
        let stdout_tty = std::io::stdout().is_terminal();
        Ok(Config {
            urls,
            password,
            warnings,
            cluster: cluster.value,
            queue_given: queue.source != Source::Default,
            queue: queue.value,
            json: g.json,
            tls: Tls {
                ca: tls_ca.value,
                cert: tls_cert.value,
                key: tls_key.value,
                insecure: tls_insecure.value,
            },
            shards: shards.value,
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty,
            stdout_pipe: stdout_is_pipe(),
            stderr_tty: std::io::stderr().is_terminal(),
            color: stdout_tty
                && env("NO_COLOR").is_none()
                && std::env::var("TERM").map_or(true, |t| t != "dumb"),
            log: Log {
                format: log_format.value,
                verbosity: match (g.quiet, g.verbose) {
                    (true, _) => Verbosity::Quiet,
                    (_, true) => Verbosity::Verbose,
                    _ => Verbosity::Normal,
                },
            },
            notify: Notify {
                socket: env("NOTIFY_SOCKET"),
                watchdog: env("WATCHDOG_USEC")
                    .filter(|_| {
                        env("WATCHDOG_PID")
                            .is_none_or(|p| p.trim() == std::process::id().to_string())
                    })
                    .and_then(|us| us.trim().parse::<u64>().ok())
                    .filter(|us| *us > 0)
                    .map(std::time::Duration::from_micros),
            },
            file: file.map(|f| f.path),
            profile: profile_name,
            settings,
            serve_token: env("RPQ_SERVE_TOKEN").map(Secret::new),
            serve_read_token: env("RPQ_SERVE_READ_TOKEN").map(Secret::new),
            trace: trace.as_ref().ok().cloned().flatten(),
            trace_ignored: trace.err(),
            otlp: otlp.as_ref().ok().cloned().flatten(),
            otlp_ignored: otlp.err(),
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
            stdout_pipe: false,
            stderr_tty: false,
            color: false,
            log: Log::default(),
            notify: Notify::default(),
            file: None,
            profile: None,
            settings: Vec::new(),
            serve_token: None,
            serve_read_token: None,
            trace: None,
            trace_ignored: None,
            otlp: None,
            otlp_ignored: None,
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
fn read_password_file(
    path: &std::path::Path,
    warnings: &mut Vec<(&'static str, String)>,
) -> Result<Secret> {
    use std::os::unix::fs::PermissionsExt;
    let first = first_line(
        path,
        |e| format!("cannot read the password file {}: {e}", path.display()),
        || format!("the password file {} is empty", path.display()),
    )?;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0);
    if mode & 0o004 != 0 {
        warnings.push((
            "password_file_readable",
            format!(
                "warning: the password file {} can be read by other users; chmod o-r {0}",
                path.display()
            ),
        ));
    }
    Ok(Secret::new(first))
}

/// The first line of a file that holds a secret (a password, a webhook's key): a usage error,
/// in the caller's words, when it cannot be read or the line is empty.
pub fn first_line(
    path: &std::path::Path,
    unreadable: impl FnOnce(std::io::Error) -> String,
    empty: impl FnOnce() -> String,
) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| UsageError(unreadable(e)))?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(UsageError(empty()).into());
    }
    Ok(first.to_string())
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

/// Whether JSON log lines were asked for by flag or environment (a profile may ask too, but
/// it is not read yet): for what is said before the config is known, such as a usage error.
/// The arguments are read as bytes: one that is not UTF-8 (a file name, or a bad value clap is
/// about to refuse) must not stop this look.
pub fn json_log_asked() -> bool {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let flag = args
        .windows(2)
        .any(|w| w[0] == "--log-format" && w[1] == "json")
        || args.iter().any(|a| a == "--log-format=json");
    flag || env_nonempty("RPQ_LOG_FORMAT").is_some_and(|v| v.trim().eq_ignore_ascii_case("json"))
}

/// Where a password given apart from the URL is.
enum PasswordFrom {
    File(PathBuf),
    Text(String),
}

/// Higher wins: flag 3, environment 2, profile 1, default 0.
fn rank(s: &Source) -> u8 {
    match s {
        Source::Flag(_) => 3,
        Source::Env(_) => 2,
        Source::Profile(_) => 1,
        Source::Default => 0,
    }
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

/// Whether stdout is a pipe (or a FIFO): not a file, a terminal or a socket.
fn stdout_is_pipe() -> bool {
    // SAFETY: fstat on fd 1 into a stat struct of this frame.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstat(libc::STDOUT_FILENO, &mut st) == 0 && st.st_mode & libc::S_IFMT == libc::S_IFIFO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn otlp(env: &[(&str, &str)]) -> std::result::Result<Option<Otlp>, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        otlp_settings(&|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn otlp_settings_follow_the_standard_variables() {
        assert_eq!(otlp(&[]), Ok(None));
        let o = otlp(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/")])
            .unwrap()
            .unwrap();
        assert_eq!(o.url, "http://c:4318/v1/traces");
        assert_eq!(o.protocol, OtlpProtocol::Protobuf);
        assert_eq!(o.service, "rpq");
        assert_eq!(o.timeout, std::time::Duration::from_secs(10));
        let o = otlp(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://t/x"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=1, b = x%20y ,bad"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(o.url, "https://t/x");
        assert_eq!(o.protocol, OtlpProtocol::Json);
        assert_eq!(
            o.headers,
            [("a".into(), "1".into()), ("b".into(), "x y".into())]
        );
        assert_eq!(o.timeout, std::time::Duration::from_millis(2500));
        for (k, v) in [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://x"),
        ] {
            let mut env = vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c")];
            env.push((k, v));
            assert!(otlp(&env).is_err(), "{k}={v}");
        }
        let off = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"),
            ("OTEL_SDK_DISABLED", "true"),
        ];
        assert_eq!(otlp(&off), Ok(None));
    }

    /// The config of `args` (global options before `config`), with `env` as the environment
    /// and `file` as the config file (through RPQ_CONFIG).
    fn resolve(args: &[&str], env: &[(&str, &str)], file: &str) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, file).unwrap();
        let path = path.display().to_string();
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.push(("RPQ_CONFIG".into(), path));
        let argv: Vec<&str> = ["rpq"]
            .iter()
            .chain(args)
            .chain(&["config"])
            .copied()
            .collect();
        let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(argv).unwrap();
        let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        Config::resolve(&cli.global, &lookup)
    }

    fn setting(c: &Config, name: &str) -> (serde_json::Value, String) {
        let s = c.settings.iter().find(|s| s.name == name).unwrap();
        (s.value.clone(), s.source.kind().to_string())
    }

    /// Each setting at each layer: the flag beats the variable, which beats the profile, which
    /// beats the default.
    #[test]
    fn flag_beats_environment_beats_profile_beats_default() {
        use serde_json::json;
        // (setting, flag args, variable, profile line, value from each of the four layers)
        type Row<'a> = (
            &'a str,
            Vec<&'a str>,
            (&'a str, &'a str),
            &'a str,
            [serde_json::Value; 4],
        );
        let rows: Vec<Row> = vec![
            (
                "url",
                vec!["--url", "redis://f:1"],
                ("RPQ_URL", "redis://e:1"),
                "url = \"redis://p:1\"",
                [
                    json!("redis://f:1"),
                    json!("redis://e:1"),
                    json!("redis://p:1"),
                    json!(DEFAULT_URL),
                ],
            ),
            (
                "queue",
                vec!["--queue", "qf"],
                ("RPQ_QUEUE", "qe"),
                "queue = \"qp\"",
                [json!("qf"), json!("qe"), json!("qp"), json!("default")],
            ),
            (
                "cluster",
                vec!["--cluster"],
                ("RPQ_CLUSTER", "1"),
                "cluster = true",
                [json!(true), json!(true), json!(true), json!(false)],
            ),
            (
                "tls_insecure",
                vec!["--tls-insecure"],
                ("RPQ_TLS_INSECURE", "yes"),
                "tls_insecure = true",
                [json!(true), json!(true), json!(true), json!(false)],
            ),
            (
                "shards",
                vec!["--shards", "3"],
                ("RPQ_SHARDS", "4"),
                "shards = 5",
                [json!(3), json!(4), json!(5), json!(null)],
            ),
            (
                "tls_ca",
                vec!["--tls-ca", "/f.pem"],
                ("RPQ_TLS_CA", "/e.pem"),
                "tls_ca = \"/p.pem\"",
                [
                    json!("/f.pem"),
                    json!("/e.pem"),
                    json!("/p.pem"),
                    json!(null),
                ],
            ),
            (
                "tls_cert",
                vec!["--tls-cert", "/f.pem"],
                ("RPQ_TLS_CERT", "/e.pem"),
                "tls_cert = \"/p.pem\"",
                [
                    json!("/f.pem"),
                    json!("/e.pem"),
                    json!("/p.pem"),
                    json!(null),
                ],
            ),
            (
                "tls_key",
                vec!["--tls-key", "/f.pem"],
                ("RPQ_TLS_KEY", "/e.pem"),
                "tls_key = \"/p.pem\"",
                [
                    json!("/f.pem"),
                    json!("/e.pem"),
                    json!("/p.pem"),
                    json!(null),
                ],
            ),
            (
                "log_format",
                vec!["--log-format", "json"],
                ("RPQ_LOG_FORMAT", "json"),
                "log_format = \"json\"",
                [json!("json"), json!("json"), json!("json"), json!("human")],
            ),
            (
                "password",
                vec![],
                ("RPQ_PASSWORD", "pw-env-1"),
                "password = \"pw-prof-1\"",
                [json!(null), json!("***"), json!("***"), json!(null)],
            ),
        ];
        for (name, flag, (var, val), line, want) in rows {
            let file = format!("[profile.default]\n{line}\n");
            let layers = [
                ("flag", resolve(&flag, &[(var, val)], &file)),
                ("env", resolve(&[], &[(var, val)], &file)),
                ("profile", resolve(&[], &[], &file)),
                ("default", resolve(&[], &[], "")),
            ];
            for (i, (layer, c)) in layers.into_iter().enumerate() {
                if flag.is_empty() && layer == "flag" {
                    continue;
                }
                let c = c.unwrap_or_else(|e| panic!("{name} {layer}: {e:#}"));
                assert_eq!(
                    setting(&c, name),
                    (want[i].clone(), layer.to_string()),
                    "{name} {layer}"
                );
            }
        }
        // The password itself, layer by layer; the URL's own counts at the URL's layer.
        let file = "[profile.default]\npassword = \"pw-prof-2\"\n";
        let c = resolve(&[], &[("RPQ_PASSWORD", "pw-env-2")], file).unwrap();
        assert_eq!(c.password.as_ref().map(Secret::expose), Some("pw-env-2"));
        let c = resolve(&[], &[], file).unwrap();
        assert_eq!(c.password.as_ref().map(Secret::expose), Some("pw-prof-2"));
        let c = resolve(&["--url", "redis://u:pw-url-2@h:1"], &[], file).unwrap();
        assert_eq!(c.password, None, "the flag's URL carries its own");
        assert_eq!(setting(&c, "password").1, "flag");
        let c = resolve(
            &[],
            &[
                ("RPQ_URL", "redis://u:pw-url-3@h:1"),
                ("RPQ_PASSWORD", "pw-env-3"),
            ],
            "",
        )
        .unwrap();
        assert_eq!(
            c.password.as_ref().map(Secret::expose),
            None,
            "same layer: the URL's own"
        );
        // Relative paths in a profile are the config file's neighbours.
        let c = resolve(&[], &[], "[profile.default]\ntls_ca = \"ca.pem\"\n").unwrap();
        assert!(c.tls.ca.unwrap().ends_with("ca.pem"));
        // A named profile; one that is not there.
        let two = "[profile.a]\nqueue = \"qa\"\n[profile.b]\nqueue = \"qb\"\n";
        assert_eq!(resolve(&["--profile", "b"], &[], two).unwrap().queue, "qb");
        assert_eq!(
            resolve(&[], &[("RPQ_PROFILE", "a")], two).unwrap().queue,
            "qa"
        );
        assert_eq!(
            resolve(&[], &[], two).unwrap().queue,
            "default",
            "no [profile.default]"
        );
        let e = resolve(&["--profile", "c"], &[], two).unwrap_err();
        assert!(
            format!("{e}").contains("no profile 'c'") && format!("{e}").contains("it has a, b")
        );
    }

    #[test]
    fn a_malformed_config_file_is_a_usage_error_naming_the_line() {
        for (file, line, what) in [
            (
                "[profile.a]\nqueue = \"q\"\nurl = redis://x\n",
                3,
                "must be quoted",
            ),
            ("[profile.a]\nqueue = \"q\"\n\nqeueu = \"x\"\n", 4, "qeueu"),
            ("[profile.a]\nshards = \"four\"\n", 2, "invalid type"),
            ("[profiles.a]\n", 1, "profiles"),
        ] {
            let e = resolve(&["--profile", "a"], &[], file).unwrap_err();
            let text = format!("{e:#}");
            assert!(e.chain().any(|c| c.is::<UsageError>()), "{text}");
            assert!(
                text.contains(&format!(" line {line}: ")),
                "{file:?}: {text}"
            );
            assert!(text.contains(what), "{file:?}: {text}");
            assert!(!text.contains('\n'), "{text}");
        }
        let e = resolve(&[], &[("RPQ_SHARDS", "0")], "").unwrap_err();
        assert!(format!("{e}").contains("RPQ_SHARDS"));
    }

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
