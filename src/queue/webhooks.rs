//! Webhooks (issue 26): what `rpq webhook add` stores (`keys::webhooks`: id -> JSON of the URL,
//! the events it is on and its secret), the delivery state `rpq serve` writes
//! (`keys::webhook_state`: id -> JSON), and the consumer group of each on the queue's event
//! stream (`wh:<id>`; one on each shard's stream of a sharded queue), through which deliveries
//! resume after a restart.

use super::events::{Event, EVENTS};
use super::keys;
use super::script::{self, Lua};
use super::Queue;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

static HOLD: LazyLock<Lua> = LazyLock::new(|| {
    Lua::standalone(
        "webhook_hold",
        include_str!("lua/webhook_hold.lua").to_string(),
    )
});

/// The one consumer name `rpq serve` reads a webhook's group as: a restarted `serve` finds the
/// events the last one read and did not deliver in its own pending list.
pub const CONSUMER: &str = "rpq-serve";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// The events sent; empty: every one.
    pub on: Vec<String>,
    /// The signing secret, never printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Webhook {
    pub fn wants(&self, event: &str) -> bool {
        self.on.is_empty() || self.on.iter().any(|e| e == event)
    }

    fn group(&self) -> String {
        group(&self.id)
    }
}

fn group(id: &str) -> String {
    format!("wh:{id}")
}

/// What `serve` last did for a webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Events delivered (a 2xx answer).
    pub delivered: u64,
    /// Requests that failed (each retry counts) and events given up on (a 4xx or a redirect).
    pub failures: u64,
    pub given_up: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_at_ms: Option<i64>,
}

/// A webhook as `webhook list` shows it: its state, and the events still to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub hook: Webhook,
    pub state: Delivery,
    /// Read by `serve` and not yet delivered.
    pub pending: u64,
    /// Not read yet (None when Redis cannot tell: before 7.0).
    pub lag: Option<u64>,
}

/// `--on`'s events checked against `EVENTS`.
pub fn check_events(on: &[String]) -> Result<Vec<String>, String> {
    let mut out = vec![];
    for e in on.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !EVENTS.contains(&e) {
            return Err(format!("'{e}' is not an event; use {}", EVENTS.join(", ")));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_string());
        }
    }
    Ok(out)
}

/// Only http(s), with a host.
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("'{url}' is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(|c| c.is_whitespace()) {
        return Err(format!("'{url}' has no host"));
    }
    Ok(())
}

impl Queue {
    /// Stores a webhook and its consumer group, which begins at the events to come.
    pub fn webhook_add(
        &mut self,
        url: &str,
        on: Vec<String>,
        secret: Option<String>,
    ) -> Result<Webhook> {
        self.pin()?;
        let hook = Webhook {
            id: format!("wh-{}", &crate::task::new_id()[..8]),
            url: url.to_string(),
            on,
            secret,
        };
        let json = serde_json::to_string(&hook).expect("a webhook serializes");
        // A group on each shard's stream (a sharded queue's shards may live on other nodes).
        for k in self.shards.clone() {
            redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(k.events())
                .arg(hook.group())
                .arg("$")
                .arg("MKSTREAM")
                .exec(&mut self.conn)
                .with_context(|| format!("adding a webhook to queue '{}'", self.name))?;
        }
        redis::cmd("HSET")
            .arg(keys::webhooks(&self.name))
            .arg(&hook.id)
            .arg(json)
            .exec(&mut self.conn)
            .with_context(|| format!("adding a webhook to queue '{}'", self.name))?;
        Ok(hook)
    }

    /// Every webhook of the queue (secrets included: `serve` signs with them).
    pub fn webhook_defs(&mut self) -> Result<Vec<Webhook>> {
        let all: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(keys::webhooks(&self.name))
            .query(&mut self.conn)
            .with_context(|| format!("reading the webhooks of queue '{}'", self.name))?;
        let mut hooks: Vec<Webhook> = all
            .values()
            .filter_map(|v| serde_json::from_str(v).ok())
            .collect();
        hooks.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(hooks)
    }

    /// The webhooks with their delivery state and backlog.
    pub fn webhooks(&mut self) -> Result<Vec<Listed>> {
        let hooks = self.webhook_defs()?;
        if hooks.is_empty() {
            return Ok(vec![]);
        }
        let states: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(keys::webhook_state(&self.name))
            .query(&mut self.conn)?;
        // A sharded queue's webhook has a group on each shard's stream: its numbers summed.
        let mut groups: Vec<HashMap<String, redis::Value>> = vec![];
        for k in self.shards.clone() {
            let g: Vec<HashMap<String, redis::Value>> = redis::cmd("XINFO")
                .arg("GROUPS")
                .arg(k.events())
                .query(&mut self.conn)
                .unwrap_or_default();
            groups.extend(g);
        }
        let num = |g: &HashMap<String, redis::Value>, k: &str| match g.get(k) {
            Some(redis::Value::Int(n)) => Some((*n).max(0) as u64),
            _ => None,
        };
        Ok(hooks
            .into_iter()
            .map(|hook| {
                let mine: Vec<_> = groups.iter().filter(|g| {
                    matches!(g.get("name"), Some(redis::Value::BulkString(b)) if *b == hook.group().as_bytes())
                }).collect();
                let lag = mine.iter().map(|g| num(g, "lag")).sum::<Option<u64>>();
                Listed {
                    state: states
                        .get(&hook.id)
                        .and_then(|s| serde_json::from_str(s).ok())
                        .unwrap_or_default(),
                    pending: mine.iter().filter_map(|g| num(g, "pending")).sum(),
                    lag: if mine.is_empty() { None } else { lag },
                    hook,
                }
            })
            .collect())
    }

    /// Removes a webhook by id or URL, with its group and state; false when none matched.
    pub fn webhook_remove(&mut self, which: &str) -> Result<bool> {
        let hooks = self.webhook_defs()?;
        let gone: Vec<&Webhook> = hooks
            .iter()
            .filter(|h| h.id == which || h.url == which)
            .collect();
        for h in &gone {
            let mut pipe = redis::pipe();
            pipe.cmd("HDEL")
                .arg(keys::webhooks(&self.name))
                .arg(&h.id)
                .ignore();
            pipe.cmd("HDEL")
                .arg(keys::webhook_state(&self.name))
                .arg(&h.id)
                .ignore();
            pipe.exec(&mut self.conn)?;
            // The stream may be gone already (events switched off).
            for k in self.shards.clone() {
                let _: redis::RedisResult<()> = redis::cmd("XGROUP")
                    .arg("DESTROY")
                    .arg(k.events())
                    .arg(h.group())
                    .query(&mut self.conn);
            }
        }
        Ok(!gone.is_empty())
    }

    /// The next events of a webhook's group on a shard's stream: `pending` re-reads what was
    /// read and not acked (after a restart), else new ones, waiting up to `block`.
    pub fn webhook_read(
        &mut self,
        hook: &Webhook,
        shard: usize,
        pending: bool,
        block: std::time::Duration,
        count: usize,
    ) -> Result<Vec<Event>> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(hook.group())
            .arg(CONSUMER)
            .arg("COUNT")
            .arg(count);
        if !pending {
            cmd.arg("BLOCK").arg(block.as_millis().max(1) as u64);
        }
        cmd.arg("STREAMS")
            .arg(self.shards[shard].events())
            .arg(if pending { "0" } else { ">" });
        type Entries = Vec<(String, HashMap<String, String>)>;
        let reply: Option<Vec<(String, Entries)>> = cmd
            .query(&mut self.conn)
            .with_context(|| format!("reading the events of webhook {}", hook.id))?;
        Ok(reply
            .into_iter()
            .flatten()
            .flat_map(|(_, entries)| {
                entries
                    .into_iter()
                    .filter_map(|(id, f)| Event::read(&id, &f))
            })
            .collect())
    }

    /// An event handled (delivered, or given up on, or not for this webhook), with the
    /// webhook's state, in one transaction.
    pub fn webhook_done(
        &mut self,
        hook: &Webhook,
        shard: usize,
        event_id: &str,
        state: &Delivery,
    ) -> Result<()> {
        // A shard past the first has another hash tag: the ack and the state go apart there
        // (the state is a record; the ack is what makes the delivery at least once).
        let mut pipe = redis::pipe();
        pipe.atomic();
        if shard > 0 {
            redis::cmd("XACK")
                .arg(self.shards[shard].events())
                .arg(hook.group())
                .arg(event_id)
                .exec(&mut self.conn)
                .with_context(|| format!("recording a delivery of webhook {}", hook.id))?;
            pipe.cmd("HSET")
                .arg(keys::webhook_state(&self.name))
                .arg(&hook.id)
                .arg(serde_json::to_string(state).expect("a state serializes"))
                .ignore();
            return pipe
                .exec(&mut self.conn)
                .with_context(|| format!("recording a delivery of webhook {}", hook.id));
        }
        pipe.cmd("XACK")
            .arg(keys::events(&self.name))
            .arg(hook.group())
            .arg(event_id)
            .ignore();
        // Only while the webhook is there: a removed one leaves no state behind.
        pipe.cmd("HSET")
            .arg(keys::webhook_state(&self.name))
            .arg(&hook.id)
            .arg(serde_json::to_string(state).expect("a state serializes"))
            .ignore();
        pipe.exec(&mut self.conn)
            .with_context(|| format!("recording a delivery of webhook {}", hook.id))
    }

    /// A failed try of an event, recorded while it is retried.
    pub fn webhook_state(&mut self, hook: &Webhook, state: &Delivery) -> Result<()> {
        redis::cmd("HSET")
            .arg(keys::webhook_state(&self.name))
            .arg(&hook.id)
            .arg(serde_json::to_string(state).expect("a state serializes"))
            .exec(&mut self.conn)
            .with_context(|| format!("recording a delivery of webhook {}", hook.id))
    }

    /// Whether `holder` (one `serve`) delivers `hook` for the next `life`: takes the webhook's
    /// lock when it is free, extends it when it is `holder`'s own. Two `serve`s on one queue
    /// would otherwise read one group as one consumer, each sending part of the events, and a
    /// task's `done` could reach the receiver before its `pushed`. A `life` of zero lets go of
    /// the lock when it is `holder`'s.
    pub fn webhook_hold(&mut self, hook: &Webhook, holder: &str, life: Duration) -> Result<bool> {
        let key = [keys::webhook_lock(&self.name, &hook.id)];
        let args = (holder, life.as_millis() as u64);
        let reply = script::run::<i64, _>(&mut self.conn, &HOLD, &key, &args);
        let held = reply
            .map_err(|e| self.explain(0, e, "EVALSHA"))
            .with_context(|| format!("holding the delivery of webhook {}", hook.id))?;
        Ok(held == 1)
    }

    /// The group is gone (its stream was deleted by `events --disable`, or the webhook was
    /// removed): says whether the webhook is still stored, and makes its group again if so.
    pub fn webhook_regroup(&mut self, hook: &Webhook, shard: usize) -> Result<bool> {
        let there: bool = redis::cmd("HEXISTS")
            .arg(keys::webhooks(&self.name))
            .arg(&hook.id)
            .query(&mut self.conn)?;
        if there {
            let r: redis::RedisResult<()> = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(self.shards[shard].events())
                .arg(hook.group())
                .arg("$")
                .arg("MKSTREAM")
                .query(&mut self.conn);
            if let Err(e) = r {
                if e.code() != Some("BUSYGROUP") {
                    bail!(e);
                }
            }
        }
        Ok(there)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_events_are_checked() {
        assert!(check_url("https://h.example/x").is_ok());
        assert!(check_url("http://127.0.0.1:9/").is_ok());
        for bad in [
            "ftp://h",
            "h.example",
            "http://",
            "https:///x",
            "http://a b",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_events(&["dead".into(), " done".into(), "dead".into()]),
            Ok(vec!["dead".to_string(), "done".to_string()])
        );
        assert!(check_events(&["died".into()]).is_err());
    }
}
