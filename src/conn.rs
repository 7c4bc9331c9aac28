//! Opening a connection to Redis, single server or cluster, and telling a lost connection apart
//! from other errors. Knows nothing of queues.

use crate::config::Config;
use crate::error::UsageError;
use anyhow::{Context, Result};
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
    open_inner(cfg).with_context(|| {
        format!(
            "cannot use redis at {}; is redis-server running there? (set --url or RPQ_URL)",
            cfg.display_url()
        )
    })
}

fn open_inner(cfg: &Config) -> Result<Conn> {
    if cfg.cluster {
        let client = redis::cluster::ClusterClient::builder(cfg.urls.clone())
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(READ_TIMEOUT)
            .build()
            .map_err(url_error)?;
        let conn = client.get_connection().map_err(describe)?;
        return Ok(Conn::Cluster(Box::new(conn)));
    }
    let client = redis::Client::open(cfg.urls[0].as_str()).map_err(url_error)?;
    let conn = client
        .get_connection_with_timeout(CONNECT_TIMEOUT)
        .map_err(describe)?;
    conn.set_read_timeout(Some(READ_TIMEOUT))?;
    conn.set_write_timeout(Some(READ_TIMEOUT))?;
    Ok(Conn::Single(conn))
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

/// Redis errors read better with their kind spelled out; this never contains the URL.
pub fn describe(e: RedisError) -> anyhow::Error {
    anyhow::Error::new(e)
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
