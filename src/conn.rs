//! Opening a connection to Redis (single server or cluster; TCP, TLS or a unix socket) and
//! telling a lost connection apart from other errors, which get a hint: a certificate that is
//! not trusted, a wrong password, an ACL refusal (named, with what to grant). Knows nothing of
//! queues, and never puts the URL, so never a password, in a message.

use crate::config::Config;
use crate::error::UsageError;
use anyhow::Result;
use redis::{ConnectionLike, RedisError, RedisResult, Value};
use std::time::Duration;

/// How long a connect may take before the server counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Longer than any blocking command rpq sends (at most 1 s): a read timeout shorter than the
/// block would make the client drop a late reply, and with it whatever the command popped.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to one server or to a cluster.
pub enum Conn {
    Single(redis::Connection),
    Cluster(Box<redis::cluster::ClusterConnection>),
}

impl ConnectionLike for Conn {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn req_command(&mut self, cmd: &redis::Cmd) -> RedisResult<Value> {
        match self {
            Conn::Single(c) => c.req_command(cmd),
            Conn::Cluster(c) => c.req_command(cmd),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }

    fn check_connection(&mut self) -> bool {
        match self {
            Conn::Single(c) => c.check_connection(),
            Conn::Cluster(c) => c.check_connection(),
        }
    }

    fn is_open(&self) -> bool {
        match self {
            Conn::Single(c) => c.is_open(),
            Conn::Cluster(c) => c.is_open(),
        }
    }
}

/// Opens a connection as the config says, with one clear line when it fails.
pub fn open(cfg: &Config) -> Result<Conn> {
    open_inner(cfg).map_err(|e| {
        let hint = if is_connection_error(&e) {
            "; is redis-server running there? (set --url or RPQ_URL)"
        } else {
            ""
        };
        e.context(format!("cannot use redis at {}{hint}", cfg.display_url()))
    })
}

fn open_inner(cfg: &Config) -> Result<Conn> {
    let certs = tls_certificates(cfg)?;
    if cfg.tls.insecure {
        warn_insecure();
    }
    if cfg.cluster {
        let mut builder = redis::cluster::ClusterClient::builder(cfg.urls.clone())
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(READ_TIMEOUT);
        if let Some(certs) = certs {
            builder = builder.certs(certs);
        }
        if cfg.tls.insecure {
            builder = builder.tls(redis::TlsMode::Insecure);
        }
        let client = builder.build().map_err(url_error)?;
        let conn = client.get_connection().map_err(describe)?;
        return Ok(Conn::Cluster(Box::new(conn)));
    }
    let url = with_insecure(&cfg.urls[0], cfg.tls.insecure);
    let client = match certs {
        Some(certs) => redis::Client::build_with_tls(url.as_str(), certs),
        None => redis::Client::open(url.as_str()),
    }
    .map_err(url_error)?;
    let conn = client
        .get_connection_with_timeout(CONNECT_TIMEOUT)
        .map_err(describe)?;
    conn.set_read_timeout(Some(READ_TIMEOUT))?;
    conn.set_write_timeout(Some(READ_TIMEOUT))?;
    Ok(Conn::Single(conn))
}

/// The PEM files of --tls-ca, --tls-cert and --tls-key, read once per connect; None when no
/// file was given (a `rediss://` URL then uses the system roots).
fn tls_certificates(cfg: &Config) -> Result<Option<redis::TlsCertificates>> {
    let t = &cfg.tls;
    if t.ca.is_none() && t.cert.is_none() && t.key.is_none() {
        return Ok(None);
    }
    if !cfg.urls.iter().all(|u| u.starts_with("rediss://")) {
        return Err(
            UsageError("--tls-ca, --tls-cert and --tls-key need a rediss:// URL".into()).into(),
        );
    }
    let read = |p: &std::path::PathBuf, what: &str| {
        std::fs::read(p).map_err(|e| UsageError(format!("cannot read {what} {}: {e}", p.display())))
    };
    let client_tls = match (&t.cert, &t.key) {
        (Some(c), Some(k)) => Some(redis::ClientTlsConfig {
            client_cert: read(c, "the client certificate")?,
            client_key: read(k, "the client key")?,
        }),
        (None, None) => None,
        _ => {
            return Err(UsageError("--tls-cert and --tls-key go together".into()).into());
        }
    };
    let root_cert = t.ca.as_ref().map(|p| read(p, "the CA file")).transpose()?;
    Ok(Some(redis::TlsCertificates {
        client_tls,
        root_cert,
    }))
}

/// redis-rs spells "do not verify the certificate" as a `#insecure` URL fragment.
fn with_insecure(url: &str, insecure: bool) -> String {
    if insecure && url.starts_with("rediss://") && !url.contains('#') {
        format!("{url}#insecure")
    } else {
        url.to_string()
    }
}

/// Said once per process, however often rpq reconnects.
fn warn_insecure() {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        crate::output::note(
            "warning: --tls-insecure: the server's certificate is not checked; use it for tests only",
        )
    });
}

/// A URL the client refuses to parse is the user's to fix: a usage error.
fn url_error(e: RedisError) -> anyhow::Error {
    if e.kind() == redis::ErrorKind::InvalidClientConfig {
        UsageError(format!(
            "bad Redis URL: {}; use redis://host:port, rediss://host:port or redis+unix:///path",
            e.detail().unwrap_or("it cannot be parsed")
        ))
        .into()
    } else {
        describe(e)
    }
}

/// Redis errors with a hint where one helps; this never contains the URL, so no password.
pub fn describe(e: RedisError) -> anyhow::Error {
    let text = e.to_string();
    let hint = if text.contains("CertificateRequired") {
        Some("the server wants a client certificate: add --tls-cert FILE --tls-key FILE")
    } else if text.contains("certificate") || text.contains("Certificate") {
        Some("the server's TLS certificate was not accepted; pass its CA with --tls-ca FILE")
    } else if text.contains("InvalidContentType") || text.contains("CorruptMessage") {
        Some("the server did not answer in TLS; use redis:// for a plain port")
    } else if e.kind() == redis::ErrorKind::AuthenticationFailed || e.code() == Some("WRONGPASS") {
        Some("check the user and password in the URL")
    } else if e.code() == Some("NOAUTH") {
        Some("the server wants a password: redis://user:password@host")
    } else {
        None
    };
    match hint {
        // Not a lost connection, so no retry: a plain error ends a long-running command too.
        Some(h) => anyhow::anyhow!("{text}; {h}"),
        None => anyhow::Error::new(e),
    }
}

/// An ACL refusal, said as what was refused and what to grant; None for other errors.
pub fn refused(e: &RedisError, command: &str) -> Option<anyhow::Error> {
    if e.code() != Some("NOPERM") {
        return None;
    }
    let detail = e.detail().unwrap_or("no permission");
    let grant = if detail.contains("key") {
        "grant the user the queue's keys with ~rpq:*".to_string()
    } else if detail.contains("channel") {
        "grant the user the channel".to_string()
    } else {
        format!("grant the user +{}", command.to_ascii_lowercase())
    };
    Some(anyhow::anyhow!(
        "redis refused {command} (NOPERM: {detail}); {grant}, as in the ACL line of rpq's README"
    ))
}

/// A write refused because the server is at its `maxmemory` (policy `noeviction`, or nothing
/// left to evict), said in one line with what to do; None for other errors.
pub fn out_of_memory(e: &RedisError) -> Option<anyhow::Error> {
    (e.code() == Some("OOM")).then(|| {
        anyhow::anyhow!(
            "redis is out of memory (it refuses writes over its maxmemory); make room (consume \
             or purge tasks) or raise maxmemory"
        )
    })
}

/// A command a script may not run, named from the script line the server reports.
pub fn refused_in_script(e: &RedisError, src: &str, script: &str) -> Option<anyhow::Error> {
    let text = e.to_string();
    if !text.contains("can't run this command") && !text.contains("no permissions") {
        return None;
    }
    let line: usize = text
        .split("@user_script:")
        .nth(1)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let command = src
        .lines()
        .nth(line.checked_sub(1)?)?
        .split("redis.call('")
        .nth(1)?
        .split('\'')
        .next()?
        .to_string();
    let grant = if text.contains("key") {
        "grant the user the queue's keys with ~rpq:*".to_string()
    } else {
        format!("grant the user +{}", command.to_ascii_lowercase())
    };
    Some(anyhow::anyhow!(
        "redis refused {command} in rpq's {script} script (NOPERM: the user may not run it); \
         {grant}, as in the ACL line of rpq's README"
    ))
}

/// True when the error means the connection is gone (or never came), so a long-running
/// command should reconnect and try again rather than give up.
pub fn is_connection_error(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        if let Some(e) = c.downcast_ref::<RedisError>() {
            return e.is_io_error()
                || e.is_connection_dropped()
                || e.is_connection_refusal()
                || e.is_timeout()
                || e.kind() == redis::ErrorKind::ClusterConnectionNotFound
                || matches!(
                    e.code(),
                    Some("LOADING" | "TRYAGAIN" | "CLUSTERDOWN" | "MASTERDOWN" | "READONLY")
                );
        }
        false
    })
}
