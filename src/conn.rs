//! Opening a connection to Redis (single server or cluster; TCP, TLS or a unix socket) and
//! telling a lost connection apart from other errors, which get a hint: a certificate that is
//! not trusted, a wrong password, an ACL refusal (named, with what to grant). Knows nothing of
//! queues, and never puts the URL, so never a password, in a message.

use crate::config::Config;
use crate::error::UsageError;
use anyhow::Result;
use redis::{ConnectionLike, IntoConnectionInfo, RedisError, RedisResult, Value};
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
/// One field of `INFO section`, as the server writes it.
pub fn info_field(c: &mut dyn ConnectionLike, section: &str, field: &str) -> Result<String> {
    let info: String = redis::cmd("INFO")
        .arg(section)
        .query(c)
        .map_err(|e| anyhow::anyhow!("reading INFO: {e}"))?;
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| anyhow::anyhow!("INFO {section} has no {field}"))
}

pub fn open(cfg: &Config) -> Result<Conn> {
    open_inner(cfg).map_err(|e| e.context(format!("cannot use redis at {}", cfg.display_url())))
}

fn open_inner(cfg: &Config) -> Result<Conn> {
    let certs = tls_certificates(cfg)?;
    if cfg.tls.insecure {
        warn_insecure();
    }
    let infos = cfg
        .urls
        .iter()
        .map(|u| connection_info(cfg, u))
        .collect::<Result<Vec<_>>>()?;
    if cfg.cluster {
        let mut builder = redis::cluster::ClusterClient::builder(infos)
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(READ_TIMEOUT);
        if let Some(pw) = &cfg.password {
            builder = builder.password(pw.expose());
        }
        if let Some(certs) = certs {
            builder = builder.certs(certs);
        }
        if cfg.tls.insecure {
            builder = builder.tls(redis::TlsMode::Insecure);
        }
        let client = builder.build().map_err(url_error)?;
        let mut conn = client.get_connection().map_err(|e| diagnose(cfg, e))?;
        // A server that is not a cluster node gives no slot map, and every keyed command then
        // fails as if a node were down (which long-running commands would retry for ever).
        if let Err(e) = redis::cmd("PING").query::<()>(&mut conn) {
            return Err(not_a_cluster(cfg).unwrap_or_else(|| diagnose(cfg, e)));
        }
        return Ok(Conn::Cluster(Box::new(conn)));
    }
    let info = infos.into_iter().next().expect("at least one URL");
    let client = match certs {
        Some(certs) => redis::Client::build_with_tls(info, certs),
        None => redis::Client::open(info),
    }
    .map_err(url_error)?;
    let mut conn = client
        .get_connection_with_timeout(CONNECT_TIMEOUT)
        .map_err(|e| diagnose(cfg, e))?;
    // One PING within the connect timeout: a port that accepts and never answers (a TLS port
    // waiting for more of a record, another service) fails now and plainly, not after the
    // read timeout of the first real command.
    conn.set_read_timeout(Some(CONNECT_TIMEOUT))?;
    redis::cmd("PING")
        .query::<()>(&mut conn)
        .map_err(|e| diagnose(cfg, e))?;
    conn.set_read_timeout(Some(READ_TIMEOUT))?;
    conn.set_write_timeout(Some(READ_TIMEOUT))?;
    Ok(Conn::Single(conn))
}

/// One URL as redis-rs takes it, with the password given apart from it (if any) in place of
/// its own. A URL that does not parse is a usage error; a password in it with characters that
/// end the user information gets the hint that fixes it.
fn connection_info(cfg: &Config, url: &str) -> Result<redis::ConnectionInfo> {
    let url = with_insecure(url, cfg.tls.insecure);
    let info = url.as_str().into_connection_info().map_err(|e| {
        let pw = crate::config::url_password(&url).unwrap_or_default();
        if pw.contains(['/', '?', '#', '@', '%', ' ']) {
            UsageError(
                "bad Redis URL: its password holds a character that must be percent-encoded \
                 (/ %2F, ? %3F, # %23, @ %40, % %25, space %20); or give the password with \
                 --password-file FILE or RPQ_PASSWORD"
                    .into(),
            )
            .into()
        } else {
            url_error(e)
        }
    })?;
    // No CLIENT SETINFO at connect: a round trip that older servers and rpq's ACL user refuse
    // anyway; the PING after connecting is the check that the server answers.
    let mut settings = info.redis_settings().clone().set_skip_set_lib_name();
    if let Some(pw) = &cfg.password {
        settings = settings.set_password(pw.expose());
    }
    Ok(info.set_redis_settings(settings))
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
        crate::log::Event::warn(
            "tls_insecure",
            "warning: --tls-insecure: the server's certificate is not checked; use it for tests only",
        )
        .emit()
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

/// A Redis error in rpq's words, on one line, keeping the error itself for
/// `is_connection_error`. redis-rs's text already holds the OS error that its `source()`
/// returns, so printed as a chain it said "Connection refused (os error 111)" twice.
#[derive(Debug)]
pub struct Said {
    text: String,
    err: RedisError,
    /// The server answered as no plain Redis would (it reset the connection as it opened: a
    /// TLS port): a lost connection to a reconnect, but nothing to wait for at start.
    wrong_port: bool,
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Said {}

fn said(text: impl Into<String>, err: RedisError) -> anyhow::Error {
    anyhow::Error::new(Said {
        text: text.into(),
        err,
        wrong_port: false,
    })
}

/// redis-rs's text of an error on one line, without the repeated OS error.
fn plain_text(e: &RedisError) -> String {
    let mut text = e.to_string();
    // "Connection refused (os error 111)": the OS's number says nothing more to a person.
    while let Some(i) = text.find(" (os error ") {
        let end = text[i..].find(')').map_or(text.len(), |j| i + j + 1);
        text.replace_range(i..end, "");
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in text.split(": ").flat_map(|p| p.split('\n')) {
        let p = p.trim();
        if !p.is_empty() && !parts.contains(&p) {
            parts.push(p);
        }
    }
    parts.join(": ")
}

/// Redis errors with a hint where one helps; this never contains the URL, so no password.
pub fn describe(e: RedisError) -> anyhow::Error {
    let text = plain_text(&e);
    if text.contains("invalid bulk length") {
        return anyhow::anyhow!(
            "the server refused a request larger than its proto-max-bulk-len (512mb unless \
             set lower): a task's payload is too large for it; send a smaller payload, or raise \
             proto-max-bulk-len"
        );
    }
    let hint = if text.contains("CertificateRequired") {
        Some("the server wants a client certificate: add --tls-cert FILE --tls-key FILE")
    } else if text.contains("certificate") || text.contains("Certificate") {
        Some("the server's TLS certificate was not accepted; pass its CA with --tls-ca FILE")
    } else if text.contains("InvalidContentType") || text.contains("CorruptMessage") {
        Some("the server did not answer in TLS; use redis:// for a plain port")
    } else if e.kind() == redis::ErrorKind::AuthenticationFailed || e.code() == Some("WRONGPASS") {
        Some("check the user and password (in the URL, --password-file or RPQ_PASSWORD)")
    } else if e.code() == Some("NOAUTH") {
        Some("the server wants a password: --password-file FILE, RPQ_PASSWORD, or redis://user:password@host")
    } else {
        None
    };
    if let Some(h) = hint {
        // Not a lost connection, so no retry: a plain error ends a long-running command too.
        return anyhow::anyhow!("{text}; {h}");
    }
    if matches!(e.code(), Some("MOVED" | "ASK")) || text.contains("MOVED") {
        return anyhow::anyhow!(
            "the server is a node of a Redis Cluster, and the queue's keys live on another node; \
             add --cluster (or RPQ_CLUSTER=1)"
        );
    }
    if e.kind() == redis::ErrorKind::Parse {
        return anyhow::anyhow!(
            "the service there does not speak the Redis protocol; is the port in --url a Redis port?"
        );
    }
    if e.is_connection_refusal() && !e.is_timeout() {
        return said(
            "connection refused; is redis-server running there? (set --url or RPQ_URL)",
            e,
        );
    }
    said(text, e)
}

/// The likely cause of a failed connect, where the config tells more than the error: a plain
/// URL on a TLS port (the server resets the connection at once), a `rediss://` URL on a plain
/// port (no TLS answer: a second look in plain says so), an unreachable address.
fn diagnose(cfg: &Config, e: RedisError) -> anyhow::Error {
    if e.to_string().contains("DB index is out of range") {
        return anyhow::anyhow!(
            "the server has no database of the number the URL ends in (/N); its `databases` \
             setting is lower (16 by default: /0 to /15); use a lower /N in --url"
        );
    }
    let tls = cfg.urls.iter().any(|u| u.starts_with("rediss://"));
    let reset =
        e.to_string().contains("reset by peer") || e.to_string().contains("Connection reset");
    if !tls && reset {
        return anyhow::Error::new(Said {
            text: "the server reset the connection as it opened: is it a TLS port? then use \
                   rediss://"
                .into(),
            err: e,
            wrong_port: true,
        });
    }
    // A read that timed out is EAGAIN (os error 11) to the OS, and not always a timeout to
    // redis-rs.
    let timed_out = e.is_timeout() || e.to_string().contains("(os error 11)");
    if tls && timed_out {
        if let Some(addr) = cfg.urls.iter().find_map(|u| plain_redis_at(u)) {
            return anyhow::anyhow!(
                "the server at {addr} speaks plain Redis, not TLS: use redis://, not rediss://"
            );
        }
        return said(
            "no TLS answer within 3s; is it a TLS port? (a plain one takes redis://)",
            e,
        );
    }
    if timed_out && !cfg.cluster {
        return said(
            "no answer within 3s; is the address right, is it a Redis port, and can this \
             machine reach it?",
            e,
        );
    }
    let unreachable = [
        "refused",
        "timed out",
        "os error 11)",
        "No route",
        "unreachable",
    ];
    if cfg.cluster
        && e.to_string()
            .contains("Failed to connect to each cluster node")
        && unreachable.iter().any(|u| e.to_string().contains(u))
    {
        let text = plain_text(&e);
        let nodes = text
            .split_once("cluster node (")
            .map_or(text.as_str(), |(_, n)| n.trim_end_matches(')'));
        return said(
            format!("no seed node answered ({nodes}); is the cluster running there? (set --url or RPQ_URL)"),
            e,
        );
    }
    describe(e)
}

/// Whether the host:port of a `rediss://` URL answers a plain PING (half a second at most).
fn plain_redis_at(url: &str) -> Option<String> {
    use std::io::{Read, Write};
    use std::net::ToSocketAddrs;
    let info = url.into_connection_info().ok()?;
    let redis::ConnectionAddr::TcpTls { host, port, .. } = info.addr() else {
        return None;
    };
    let addr = (host.as_str(), *port).to_socket_addrs().ok()?.next()?;
    let wait = Duration::from_millis(500);
    let mut s = std::net::TcpStream::connect_timeout(&addr, wait).ok()?;
    s.set_read_timeout(Some(wait)).ok()?;
    s.write_all(b"PING\r\n").ok()?;
    let mut buf = [0u8; 16];
    let n = s.read(&mut buf).ok()?;
    // +PONG, or -NOAUTH / -ERR from a server that wants a password first.
    matches!(buf.first(), Some(b'+' | b'-'))
        .then(|| format!("{host}:{port}"))
        .filter(|_| n > 0)
}

/// After `--cluster` found no slot map: the seed that answers and says it is no cluster node.
fn not_a_cluster(cfg: &Config) -> Option<anyhow::Error> {
    for url in &cfg.urls {
        let Ok(info) = connection_info(cfg, url) else {
            continue;
        };
        let addr = match info.addr() {
            redis::ConnectionAddr::Tcp(h, p)
            | redis::ConnectionAddr::TcpTls {
                host: h, port: p, ..
            } => {
                format!("{h}:{p}")
            }
            other => format!("{other}"),
        };
        let Ok(client) = redis::Client::open(info) else {
            continue;
        };
        let Ok(mut c) = client.get_connection_with_timeout(CONNECT_TIMEOUT) else {
            continue;
        };
        let _ = c.set_read_timeout(Some(CONNECT_TIMEOUT));
        let info: String = redis::cmd("INFO").arg("cluster").query(&mut c).ok()?;
        if info.contains("cluster_enabled:0") {
            return Some(anyhow::anyhow!(
                "the server at {addr} is not a Redis Cluster node (cluster support is disabled); \
                 drop --cluster (and RPQ_CLUSTER)"
            ));
        }
    }
    None
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
        "redis refused {command} (NOPERM: {detail}); {grant}, as in the ACL line of rpq's docs/running.md"
    ))
}

/// A write refused because the server is at its `maxmemory` (policy `noeviction`, or nothing
/// left to evict), said in one line with what to do; None for other errors.
pub fn out_of_memory(e: &RedisError) -> Option<anyhow::Error> {
    // Redis 7 answers a refused write in a script with the OOM code itself; 6.2 wraps it in a
    // script error whose text carries it, and a pipeline's refusal comes as one error listing
    // each command's (the code of none of them on the error itself).
    let text = e.to_string();
    let oom = e.code() == Some("OOM")
        || text.contains("-OOM command not allowed")
        || text.contains("command not allowed when used memory > 'maxmemory'");
    oom.then(|| {
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
         {grant}, as in the ACL line of rpq's docs/running.md"
    ))
}

/// True when the error means the connection is gone (or never came), so a long-running
/// command should reconnect and try again rather than give up.
pub fn is_connection_error(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        let e = c
            .downcast_ref::<RedisError>()
            .or_else(|| c.downcast_ref::<Said>().map(|s| &s.err));
        if let Some(e) = e {
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

/// Whether a first connection that failed may go through by waiting (`reconnect::open_waiting`):
/// the server does not answer yet (refused, timed out, loading), as opposed to one that
/// answered as no plain Redis port would, or refused us.
pub fn may_answer_later(err: &anyhow::Error) -> bool {
    is_connection_error(err)
        && !err
            .chain()
            .any(|c| c.downcast_ref::<Said>().is_some_and(|s| s.wrong_port))
}

/// Every key matching `pattern`, found with SCAN, a page of about 1000 keys at a time (never
/// KEYS, which blocks the server while it walks them all); on a cluster, on every primary.
pub fn scan(conn: &mut Conn, pattern: &str) -> RedisResult<Vec<String>> {
    use redis::cluster_routing::{MultipleNodeRoutingInfo, RoutingInfo, SingleNodeRoutingInfo};
    let page = |cursor: u64| {
        let mut c = redis::cmd("SCAN");
        c.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000);
        c
    };
    let mut keys = Vec::new();
    match conn {
        Conn::Single(c) => {
            let mut cursor = 0;
            loop {
                let (next, found): (u64, Vec<String>) = page(cursor).query(c)?;
                keys.extend(found);
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        Conn::Cluster(c) => {
            // The first page from every primary at once, answered by address; then each
            // primary's own cursor, to that primary.
            let all = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
            let first = match c.route_command(&page(0), all)? {
                Value::Map(m) => m,
                other => vec![(Value::SimpleString(String::new()), other)],
            };
            for (addr, mut reply) in first {
                let addr: String = redis::from_redis_value(addr)?;
                loop {
                    let (next, found): (u64, Vec<String>) = redis::from_redis_value(reply)?;
                    keys.extend(found);
                    if next == 0 {
                        break;
                    }
                    let (host, port) = addr
                        .rsplit_once(':')
                        .and_then(|(h, p)| Some((h.to_string(), p.parse().ok()?)))
                        .ok_or_else(|| {
                            RedisError::from((
                                redis::ErrorKind::Client,
                                "a cluster node without an address",
                            ))
                        })?;
                    let node =
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port });
                    reply = c.route_command(&page(next), node)?;
                }
            }
        }
    }
    Ok(keys)
}
