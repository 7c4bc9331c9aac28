//! Every Redis key name rpq uses. All keys of one queue shard share one hash tag
//! (`rpq:{NAME}:...`), so each script touches a single cluster slot and an ACL pattern of
//! `~rpq:*` covers them. Nothing outside this module spells a key.

/// The keys of one shard, in the order every script receives them (see `lua/common.lua`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    all: Vec<String>,
}

const SUFFIXES: [&str; 12] = [
    "pending",
    "inflight",
    "tasks",
    "claims",
    "state",
    "delayed",
    "dead",
    "dead:info",
    "stats",
    "wake",
    "seq",
    "consumers",
];

impl Keys {
    /// The keys of shard `index` of queue `name`. Shard 0 is the plain queue, so a queue that
    /// never had shards and shard 0 of a sharded one are the same keys.
    pub fn new(name: &str, index: usize) -> Keys {
        let tag = tag(name, index);
        Keys {
            all: SUFFIXES
                .iter()
                .map(|s| format!("rpq:{{{tag}}}:{s}"))
                .collect(),
        }
    }

    /// All keys, in script order.
    pub fn all(&self) -> &[String] {
        &self.all
    }

    pub fn pending(&self) -> &str {
        &self.all[0]
    }
    pub fn inflight(&self) -> &str {
        &self.all[1]
    }
    pub fn tasks(&self) -> &str {
        &self.all[2]
    }
    pub fn delayed(&self) -> &str {
        &self.all[5]
    }
    pub fn dead(&self) -> &str {
        &self.all[6]
    }
    pub fn stats(&self) -> &str {
        &self.all[8]
    }
    pub fn wake(&self) -> &str {
        &self.all[9]
    }
    pub fn consumers(&self) -> &str {
        &self.all[11]
    }
}

/// The hash tag of a shard: the queue name, and for shards past the first a `.N` suffix.
pub fn tag(name: &str, index: usize) -> String {
    if index == 0 {
        name.to_string()
    } else {
        format!("{name}.{index}")
    }
}

/// The key holding a queue's settings (its shard count), always on shard 0.
pub fn meta(name: &str) -> String {
    format!("rpq:{{{name}}}:meta")
}

/// The list idle consumers of a sharded queue block on besides shard 0's own wake list: a
/// push to any other shard adds a marker here too (same hash tag as shard 0, so one BLPOP can
/// wait on both, also on Redis Cluster).
pub fn wake_all(name: &str) -> String {
    format!("rpq:{{{name}}}:wake:all")
}

/// The shard that holds task `id` of a queue of `n` shards: a fixed hash of the id (FNV-1a), so
/// a re-pushed id lands where it already is (and is refused as a duplicate) and an ack finds its
/// task without asking anyone.
pub fn shard_of(id: &str, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % n as u64) as usize
}

/// Queue names become part of a hash tag, so braces (and anything unprintable) are refused.
pub fn check_queue_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the queue name is empty".into());
    }
    if name.len() > 200 {
        return Err("the queue name is longer than 200 bytes".into());
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.:@/+".contains(*c)))
    {
        Some(c) => Err(format!(
            "the queue name '{name}' has '{c}'; use letters, digits and - _ . : @ / +"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_one_hash_tag() {
        let k = Keys::new("jobs", 0);
        assert_eq!(k.pending(), "rpq:{jobs}:pending");
        assert_eq!(k.consumers(), "rpq:{jobs}:consumers");
        assert!(k.all().iter().all(|key| key.starts_with("rpq:{jobs}:")));
        assert_eq!(k.all().len(), 12);
    }

    #[test]
    fn shards_get_their_own_tag() {
        assert_eq!(Keys::new("jobs", 2).tasks(), "rpq:{jobs.2}:tasks");
        assert_eq!(meta("jobs"), "rpq:{jobs}:meta");
    }

    #[test]
    fn ids_spread_over_shards_and_stay_put() {
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("task-7", 6), shard_of("task-7", 6));
        let mut seen = [0u32; 6];
        for i in 0..6000 {
            seen[shard_of(&format!("t{i}"), 6)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
        assert_eq!(wake_all("jobs"), "rpq:{jobs}:wake:all");
    }

    #[test]
    fn queue_names_cannot_break_the_tag() {
        assert!(check_queue_name("emails-eu.v2").is_ok());
        assert!(check_queue_name("a}b").is_err());
        assert!(check_queue_name("a{b").is_err());
        assert!(check_queue_name("").is_err());
        assert!(check_queue_name("has space").is_err());
    }
}
