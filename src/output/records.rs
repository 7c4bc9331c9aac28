//! The JSON records that both the NDJSON of the commands and the answers of `rpq serve`'s API
//! print, as types: one shape each, so a field cannot differ between `produce --json` and a
//! push over HTTP. Fields stand in the order the lines have always printed them in.

use crate::queue::{DeadMoved, Paused};
use serde::Serialize;

/// A task as pushed: `produce --json` (a line each), the API's push answer and the tasks of an
/// NDJSON batch, where `line` is its line in the body.
#[derive(Debug, Serialize)]
pub struct Produced<T> {
    #[serde(flatten)]
    pub task: T,
    pub queued: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// The pauses in force after `pause` or `resume` (the command's line, the API's answer). The
/// fields stand in the order `json!` sorted them in when this was built by hand.
#[derive(Debug, Serialize)]
pub struct PausedNow<'a> {
    pub paused: &'a [Paused],
    pub queue: &'a str,
}

/// What `dead retry` or `dead purge` moved: `{"retried": n}` or `{"purged": n}`, and the ids
/// given that were not dead, when there are any.
#[derive(Debug, Serialize)]
pub struct DeadMovedNow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    purged: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retried: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unknown: &'a [String],
}

impl DeadMovedNow<'_> {
    /// `retry` true for `dead retry`, false for `dead purge`.
    pub fn new(retry: bool, m: &DeadMoved) -> DeadMovedNow<'_> {
        DeadMovedNow {
            purged: (!retry).then_some(m.moved),
            retried: retry.then_some(m.moved),
            unknown: &m.unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_moved_names_its_count_by_the_action() {
        let m = DeadMoved {
            moved: 2,
            unknown: vec![],
        };
        let line = |retry| serde_json::to_string(&DeadMovedNow::new(retry, &m)).unwrap();
        assert_eq!(line(true), r#"{"retried":2}"#);
        assert_eq!(line(false), r#"{"purged":2}"#);
        let m = DeadMoved {
            moved: 0,
            unknown: vec!["x".into()],
        };
        assert_eq!(
            serde_json::to_string(&DeadMovedNow::new(true, &m)).unwrap(),
            r#"{"retried":0,"unknown":["x"]}"#
        );
    }
}
