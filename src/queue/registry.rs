//! Which queues exist on the server. Every queue gets a meta key on shard 0's tag at its first
//! push or configuration (`keys::meta`; a claim writes nothing to a queue without one) and keeps
//! it through `clear`, until `queues remove`, so one SCAN for that key finds each
//! queue once, sharded or not; never KEYS, and COUNT keeps each step short. On a cluster every
//! primary is scanned with its own cursor. Reads nothing else: the counts are `lengths`' job.

use super::{keys, Queue};
use crate::conn::{self, Conn};
use anyhow::{Context, Result};
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{ConnectionLike, Value};

/// Keys the server looks at per SCAN step.
const SCAN_COUNT: u64 = 1000;

impl Queue {
    /// The name of every queue on the server (or cluster), sorted.
    pub fn queue_names(&mut self) -> Result<Vec<String>> {
        let pattern = format!("rpq:{{*}}:{}", keys::META_SUFFIX);
        let found = self.scan(&pattern, "listing the queues on the server")?;
        let mut names: Vec<String> = found
            .iter()
            .filter_map(|k| {
                k.strip_prefix("rpq:{")?
                    .strip_suffix(&format!("}}:{}", keys::META_SUFFIX))
            })
            // A key of someone else's that only looks like ours (a brace in the name).
            .filter(|n| keys::check_queue_name(n).is_ok())
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Every key of this queue: each shard's layout, its meta and wake keys and its kept
    /// results, found by SCAN over each shard's hash tag (the results have no index); the meta
    /// key last, so that a removal cut short leaves the queue listed.
    pub fn queue_keys(&mut self) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for shard in 0..self.shards.len() {
            let tag = keys::tag(&self.name, shard);
            let pattern = format!("rpq:{{{}}}:*", glob_escape(&tag));
            found.extend(self.scan(&pattern, "listing the keys of the queue")?);
        }
        found.sort();
        found.dedup();
        let meta = keys::meta(&self.name);
        found.retain(|k| *k != meta);
        found.push(meta);
        Ok(found)
    }

    /// Every key matching `pattern`, on every primary of a cluster.
    pub(super) fn scan(&mut self, pattern: &str, what: &'static str) -> Result<Vec<String>> {
        let mut found = Vec::new();
        let mut scan = |c: &mut dyn FnMut(&redis::Cmd) -> redis::RedisResult<Value>| {
            let mut cursor = 0u64;
            loop {
                let mut cmd = redis::cmd("SCAN");
                cmd.arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(SCAN_COUNT);
                let (next, keys): (u64, Vec<String>) =
                    redis::from_redis_value(c(&cmd)?.extract_error()?)?;
                found.extend(keys);
                if next == 0 {
                    return Ok::<(), redis::RedisError>(());
                }
                cursor = next;
            }
        };
        let scanned = match &mut self.conn {
            Conn::Single(c) => scan(&mut |cmd| c.req_command(cmd)),
            Conn::Cluster(c) => primaries(c).and_then(|nodes| {
                for (host, port) in nodes {
                    let to =
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port });
                    scan(&mut |cmd| c.route_command(cmd, to.clone()))?;
                }
                Ok(())
            }),
        };
        scanned
            .map_err(|e| conn::refused(&e, "SCAN").unwrap_or_else(|| conn::describe(e)))
            .context(what)?;
        Ok(found)
    }
}

/// `s` with the characters SCAN's MATCH treats as a pattern escaped.
pub(super) fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The primaries of a cluster, from CLUSTER SLOTS: (host, port) once each.
fn primaries(c: &mut redis::cluster::ClusterConnection) -> redis::RedisResult<Vec<(String, u16)>> {
    let slots = c
        .req_command(redis::cmd("CLUSTER").arg("SLOTS"))?
        .extract_error()?;
    let mut out: Vec<(String, u16)> = Vec::new();
    let Value::Array(ranges) = slots else {
        return Err(unexpected("CLUSTER SLOTS"));
    };
    for range in ranges {
        // [start, end, [host, port, id, ...], replicas...]
        let Value::Array(parts) = range else {
            return Err(unexpected("CLUSTER SLOTS"));
        };
        let Some(Value::Array(node)) = parts.get(2) else {
            return Err(unexpected("CLUSTER SLOTS"));
        };
        let host: String = redis::from_redis_value(node.first().cloned().unwrap_or(Value::Nil))?;
        let port: u16 = redis::from_redis_value(node.get(1).cloned().unwrap_or(Value::Nil))?;
        if !out.iter().any(|(h, p)| *h == host && *p == port) {
            out.push((host, port));
        }
    }
    Ok(out)
}

fn unexpected(what: &str) -> redis::RedisError {
    redis::RedisError::from((
        redis::ErrorKind::Parse,
        "unexpected reply",
        format!("{what} did not answer as documented"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::server::RedisServer;
    use crate::task::{NewTask, Priority};

    #[test]
    fn every_used_queue_is_found_once_and_nothing_else() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let push = |name: &str, shards: Option<u32>| {
            let mut cfg = Config::for_url(&server.url(), name);
            cfg.shards = shards;
            let mut q = Queue::open(&cfg).unwrap();
            q.push(&[NewTask::new("t", Priority::LOW, serde_json::Value::Null)])
                .unwrap();
            q
        };
        push("mail", None);
        push("jobs", Some(3));
        push("a/b:c", None).clear().unwrap();
        let mut q = Queue::open(&Config::for_url(&server.url(), "never-used")).unwrap();
        q.lengths().unwrap();
        // Someone else's keys, one of them shaped like ours.
        let _: () = redis::cmd("SET")
            .arg("rpq:{x{y}:meta")
            .arg(1)
            .query(q.conn())
            .unwrap();
        let _: () = redis::cmd("SET")
            .arg("other")
            .arg(1)
            .query(q.conn())
            .unwrap();
        assert_eq!(q.queue_names().unwrap(), ["a/b:c", "jobs", "mail"]);
    }
}
