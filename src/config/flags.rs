//! The global options on the command line: the flag side of each setting. They live with the
//! config that resolves them, so `cli.rs` (every subcommand's flags) sits above the config and
//! not beside it in a circle.

use clap::Args;
use std::path::PathBuf;

/// The global options. Each also comes from the environment and from a profile of the config
/// file; `Config::resolve` reads all three (flag > environment > profile > default), so none
/// has a clap `env` here.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db
    /// [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

    /// Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]
    #[arg(long, global = true)]
    pub cluster: bool,

    /// Which queue [env: RPQ_QUEUE] [default: default]
    #[arg(long, global = true, value_name = "NAME")]
    pub queue: Option<String>,

    /// Machine output: one JSON object per line (NDJSON) on stdout
    #[arg(long, global = true)]
    pub json: bool,

    /// CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]
    #[arg(long, global = true, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,

    /// Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]
    #[arg(long, global = true, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// Client private key (PEM) for TLS [env: RPQ_TLS_KEY]
    #[arg(long, global = true, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]
    #[arg(long, global = true)]
    pub tls_insecure: bool,

    /// A file whose first line is the Redis password, in place of the URL's [env: RPQ_PASSWORD_FILE]
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]
    #[arg(long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub shards: Option<u32>,

    // Running as a service (issue 16): the config file, its profile, and the log.
    /// The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Errors only on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More on stderr: each reconnect attempt, each lease lost
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]
    #[arg(long, global = true, value_name = "FORMAT", value_enum)]
    pub log_format: Option<LogFormatArg>,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormatArg {
    Human,
    Json,
}
