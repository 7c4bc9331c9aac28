//! The pending-score encoding, the Rust twin of `pending_score` in `lua/common.lua`: a waiting
//! task's score is its priority digit followed by its arrival sequence in 15 digits, so one
//! sorted set orders by priority, then by arrival. Scores are written as strings on both sides
//! (Lua would print a 16-digit number in %.14g and lose the sequence).

use crate::task::Priority;

/// Digits of the arrival sequence in a score.
const SEQ_DIGITS: usize = 15;

/// The score of the task that arrived `seq`-th with priority `p`.
pub fn pending(p: Priority, seq: u64) -> String {
    pending_digits(p.get(), seq)
}

/// Every score of priority `p` lies in `[min, max)`: the two bounds, as ZCOUNT and
/// ZRANGEBYSCORE take them (`max` with its exclusive `(`).
pub fn priority_range(p: Priority) -> ScoreRange {
    ScoreRange {
        min: pending_digits(p.get(), 0),
        max: format!("({}", pending_digits(p.get() + 1, 0)),
    }
}

/// The bounds of a range of scores, as ZCOUNT and ZRANGEBYSCORE take them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRange {
    pub min: String,
    pub max: String,
}

/// The priority a score encodes, as the digit it starts with (0 when it is not one).
pub fn priority_of(score: &str) -> u8 {
    score
        .get(..1)
        .and_then(|d| d.parse().ok())
        .filter(|d| (1..=3).contains(d))
        .unwrap_or(0)
}

fn pending_digits(p: u8, seq: u64) -> String {
    format!("{p}{seq:0SEQ_DIGITS$}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::keys::Keys;
    use crate::server::RedisServer;

    #[test]
    fn scores_order_by_priority_then_arrival() {
        assert_eq!(pending(Priority::HIGH, 42), "1000000000000042");
        assert!(pending(Priority::HIGH, 999) < pending(Priority::MEDIUM, 1));
        let ScoreRange { min, max } = priority_range(Priority::MEDIUM);
        assert_eq!(
            (min.as_str(), max.as_str()),
            ("2000000000000000", "(3000000000000000")
        );
        assert_eq!(priority_of("3000000000000007"), 3);
        assert_eq!(priority_of("x"), 0);
        assert_eq!(priority_of(""), 0);
    }

    /// The Lua twin gives the same string for the same task, on a real server.
    #[test]
    fn lua_encodes_scores_as_rust_does() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut c = redis::Client::open(server.url())
            .unwrap()
            .get_connection()
            .unwrap();
        let src = format!(
            "{}\nreturn {{pending_score(ARGV[1], tonumber(ARGV[2])), priority_of(ARGV[3])}}",
            include_str!("lua/common.lua")
        );
        let keys = Keys::new("score", 0);
        for (p, seq) in [
            (Priority::HIGH, 0u64),
            (Priority::MEDIUM, 7),
            (Priority::LOW, 123_456_789_012_345),
        ] {
            let rust = pending(p, seq);
            let (lua, prio): (String, u8) = redis::cmd("EVAL")
                .arg(&src)
                .arg(keys.all().len())
                .arg(keys.all())
                .arg(p.get())
                .arg(seq)
                .arg(&rust)
                .query(&mut c)
                .unwrap();
            assert_eq!(lua, rust);
            assert_eq!(prio, priority_of(&rust));
        }
    }
}
