//! What the scripts store as `|`-joined strings, read in this one place: each format is a named
//! struct with the one parser of it, and the test below has the real scripts write every one
//! and reads it back, so a script that changes a format breaks a test here, not a page.
//!
//! Also here: the stats and consumers hashes read into `Counters`, and inspect.lua's reply of
//! one task read into a `TaskInfo`. A schedule ("last fired ms|definition", fire.lua) is read by
//! `schedule::Stored`, beside its definition; the test holds it too.
//!
//! Readers are lenient as the stored data may come from an older rpq: a field that does not
//! parse reads as its default, as it always has.

use super::types::RECENT_SECS;
use super::types::{ConsumerSeen, Counters, Kept, KeptOutcome, LostWrites, State, TaskInfo};
use crate::task::{ms_to_time, Task};

/// One field of a hash, as HGETALL answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field {
    pub name: String,
    pub value: String,
}

impl Field {
    #[cfg(test)]
    pub fn new(name: &str, value: &str) -> Field {
        Field {
            name: name.to_string(),
            value: value.to_string(),
        }
    }

    /// The fields of an HGETALL reply.
    pub fn all_of(reply: redis::Value) -> anyhow::Result<Vec<Field>> {
        let pairs: Vec<(String, String)> = redis::from_redis_value(reply)
            .map_err(|e| anyhow::anyhow!("unexpected reply from redis: {e}"))?;
        Ok(pairs
            .into_iter()
            .map(|(name, value)| Field { name, value })
            .collect())
    }
}

/// A task's record in `tasks` as layout 4 stores it (docs/layout-v2.md, "The record's head";
/// common.lua's `record_parts` and `set_state`, `migrate.lua`'s `record` write it): its place
/// in line (16 digits), then, for a task taken back since its push (waiting again, retrying,
/// dead), `attempts|error length|error`, then the body (`{"c":..`). A value moved by an older
/// migrate is the body alone. The error goes by its length in bytes, so any byte may be in it
/// (`text` makes a record of bytes into one whose error length counts the text's bytes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record<'a> {
    pub place: Option<&'a str>,
    /// None for a task never taken back.
    pub attempts: Option<u32>,
    pub error: Option<&'a str>,
    pub body: &'a str,
}

impl<'a> Record<'a> {
    /// None when the value is neither a body nor a record (the task is then unreadable, as a
    /// body that does not parse).
    pub fn parse(v: &'a str) -> Option<Record<'a>> {
        if v.starts_with('{') {
            return Some(Record {
                place: None,
                attempts: None,
                error: None,
                body: v,
            });
        }
        let place = v
            .get(..16)
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))?;
        let rest = &v[16..];
        if rest.starts_with('{') {
            return Some(Record {
                place: Some(place),
                attempts: None,
                error: None,
                body: rest,
            });
        }
        let (n, rest) = rest.split_once('|')?;
        let (len, rest) = rest.split_once('|')?;
        let len: usize = len.parse().ok()?;
        let error = rest.get(..len)?;
        // The body after a head is whatever follows (an unreadable one is told by its parse),
        // so that the attempts and error of a task whose body broke are still read.
        Some(Record {
            place: Some(place),
            attempts: Some(n.parse().ok()?),
            error: (!error.is_empty()).then_some(error),
            body: &rest[len..],
        })
    }

    /// A record as Redis holds it (bytes) as text: lossy like every stored string, except
    /// that an error with bytes that are not UTF-8 (a handler's output cut anywhere) is made
    /// text on its own and its length counted again, so that `parse` still finds the body
    /// where it begins (a whole-value lossy read would move it by two bytes per bad byte).
    pub fn text(v: &[u8]) -> String {
        let lossy = || String::from_utf8_lossy(v).into_owned();
        let Some((head, error, body)) = Self::cut(v) else {
            return lossy();
        };
        match std::str::from_utf8(error) {
            Ok(_) => lossy(),
            Err(_) => {
                let error = String::from_utf8_lossy(error);
                let (place, n) = (&head[..16], &head[16..]);
                format!(
                    "{}{}|{}|{error}{}",
                    String::from_utf8_lossy(place),
                    String::from_utf8_lossy(n),
                    error.len(),
                    String::from_utf8_lossy(body)
                )
            }
        }
    }

    /// Place and attempts (without the bar after them), error and body of a record with a
    /// head, as bytes; None for any other value.
    fn cut(v: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
        let place = v.get(..16)?;
        if !place.iter().all(u8::is_ascii_digit) || v.get(16) == Some(&b'{') {
            return None;
        }
        let bar = 16 + v[16..].iter().position(|&b| b == b'|')?;
        let len_at = bar + 1;
        let bar2 = len_at + v[len_at..].iter().position(|&b| b == b'|')?;
        let len: usize = std::str::from_utf8(&v[len_at..bar2]).ok()?.parse().ok()?;
        let at = bar2 + 1;
        let error = v.get(at..at.checked_add(len)?)?;
        Some((&v[..bar], error, &v[at + len..]))
    }
}

/// A claim as layout 3 stores it: the `inflight` member itself (docs/layout-v2.md, design point
/// 1), `id\tlease|claimed ms|attempt|max attempts|pending score|consumer`, `~` before the
/// lease once cancelled (common.lua: CANCELLED). The token a consumer holds is the member after
/// `id\t` (`Lease.token`), so an ack is one `ZREM` of `id\ttoken`. Ids hold no control
/// character (`check_id`), so the tab ends the id; the token's own fields are `|`-joined, so a
/// token holds no control character of ours (a client may paste it into JSON or a shell line),
/// and the consumer's name comes last, so any name fits.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Member<'a> {
    pub id: &'a str,
    /// The random part of the lease (16 hex digits).
    pub token: &'a str,
    pub claimed_ms: i64,
    /// The claim in progress: attempts made, this one included.
    pub attempt: u32,
    pub max_attempts: u32,
    pub score: &'a str,
    pub consumer: &'a str,
    pub cancelled: bool,
}

impl<'a> Member<'a> {
    pub fn parse(v: &'a str) -> Option<Member<'a>> {
        let (id, rest) = v.split_once('\t')?;
        let f: Vec<&str> = rest.splitn(6, '|').collect();
        let [token, claimed, attempt, max, score, consumer] = f[..] else {
            return None;
        };
        let (cancelled, token) = match token.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, token),
        };
        Some(Member {
            id,
            token,
            claimed_ms: claimed.parse().ok()?,
            attempt: attempt.parse().ok()?,
            max_attempts: max.parse().ok()?,
            score,
            consumer,
            cancelled,
        })
    }

    /// The id and the token its holder acks, extends, fails or releases with: the member
    /// after `id\t`.
    #[cfg(test)]
    pub fn lease(v: &str) -> Option<(&str, &str)> {
        v.split_once('\t')
    }

    /// The attempt a token (the member after `id\t`) was claimed for.
    pub fn attempt_of(token: &str) -> Option<u32> {
        token.split('|').nth(2)?.parse().ok()
    }
}

/// A consumer's entry in the consumers hash (common.lua): "last seen ms|tasks done".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ConsumerRecord {
    pub seen_ms: i64,
    pub done: u64,
}

impl ConsumerRecord {
    pub fn parse(v: &str) -> ConsumerRecord {
        let (seen, done) = v.split_once('|').unwrap_or((v, "0"));
        ConsumerRecord {
            seen_ms: seen.parse().unwrap_or(0),
            done: done.parse().unwrap_or(0),
        }
    }
}

/// A restart's losses, stats field `lost` (`queue::losses`): "ms|pushes|acks".
pub(super) struct LostRecord;

impl LostRecord {
    pub fn format(ms: i64, pushes: u64, acks: u64) -> String {
        format!("{ms}|{pushes}|{acks}")
    }

    pub fn parse(v: &str) -> Option<LostWrites> {
        let mut parts = v.split('|').map(|p| p.parse::<u64>().unwrap_or(0));
        let (at, pushes, acks) = (parts.next()?, parts.next()?, parts.next()?);
        Some(LostWrites {
            at: ms_to_time(at as i64),
            pushes,
            acks,
        })
    }
}

/// A slot of the throughput ring of an rpq before issue 15, stats field `m:<slot>`:
/// "second|done|failed". Nothing writes it now; a queue of that rpq still holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RingSlot {
    pub sec: i64,
    pub done: i64,
    pub failed: i64,
}

impl RingSlot {
    pub fn parse(v: &str) -> Option<RingSlot> {
        let mut parts = v.split('|').map(|p| p.parse::<i64>().unwrap_or(0));
        Some(RingSlot {
            sec: parts.next()?,
            done: parts.next()?,
            failed: parts.next()?,
        })
    }
}

/// A limit, controls field `limit:<line>` (control.lua): "G|T|b|m|n|per|B|M", of which the
/// last four are the limit as it was set (the first four are the bucket's running state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct LimitRecord {
    pub rate: Option<u64>,
    pub per_ms: Option<u64>,
    pub burst: Option<u64>,
    pub max_in_flight: Option<u64>,
}

impl LimitRecord {
    pub fn parse(v: &str) -> LimitRecord {
        let f: Vec<&str> = v.split('|').collect();
        let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
        LimitRecord {
            rate: num(4),
            per_ms: num(5),
            burst: num(6),
            max_in_flight: num(7),
        }
    }
}

impl Kept {
    /// Reads the one element of a result key (common.lua's keep_record, from keep.lua and
    /// fail.lua): "d|ms|result" or "x|ms|error"; None for anything else.
    pub fn parse(id: &str, record: &[u8]) -> Option<Kept> {
        let mut parts = record.splitn(3, |&b| b == b'|');
        let (tag, ms, rest) = (parts.next()?, parts.next()?, parts.next()?);
        let ms: i64 = std::str::from_utf8(ms).ok()?.parse().ok()?;
        let (outcome, result, error) = match tag {
            b"d" => (KeptOutcome::Done, Some(rest.to_vec()), None),
            b"x" => (
                KeptOutcome::Dead,
                None,
                Some(String::from_utf8_lossy(rest).into_owned()),
            ),
            _ => return None,
        };
        Some(Kept {
            id: id.to_string(),
            outcome,
            finished_at: ms_to_time(ms),
            result,
            error,
        })
    }
}

// What `stats` reads of the stats and consumers hashes.

impl Counters {
    /// Reads the stats hash (totals, the last minute as `d:<second>` and `f:<second>`, done and
    /// failed in that second and not yet in the totals (common.lua: count), and the ring of
    /// older rpq, `m:<slot>` = "second|done|failed") and the consumers hash (name = "last
    /// seen ms|done"). Unreadable fields count as zero.
    pub(super) fn parse(now_ms: i64, stats: &[Field], consumers: &[Field]) -> Counters {
        let now_sec = now_ms.div_euclid(1000);
        let mut c = Counters {
            now: ms_to_time(now_ms),
            ..Counters::default()
        };
        for Field { name: field, value } in stats {
            let n = || value.parse::<i64>().unwrap_or(0).max(0) as u64;
            match field.as_str() {
                "pushed" => c.pushed = n(),
                // The totals hold the seconds that left the last minute; the seconds' own
                // fields below are added to them (layout 2: a count writes only its second's).
                "done" => c.done += n(),
                "failed" => c.failed += n(),
                "recovered" => c.recovered = n(),
                "lost" => {
                    if let Some(lost) = LostRecord::parse(value) {
                        c.lost = Some(lost);
                    }
                }
                // Issue 15: done and failed in one second, 'd:<second>' and 'f:<second>'.
                f if f.starts_with("d:") || f.starts_with("f:") => {
                    let sec = f[2..].parse::<i64>().ok();
                    if sec.is_some() && f.starts_with("d:") {
                        c.done += n();
                    } else if sec.is_some() {
                        c.failed += n();
                    }
                    if sec.is_some_and(|s| s <= now_sec && now_sec - s < RECENT_SECS) {
                        if f.starts_with("d:") {
                            c.recent_done += n();
                        } else {
                            c.recent_failed += n();
                        }
                    }
                }
                // The ring of an rpq before issue 15, 'm:<slot>' = "second|done|failed".
                f if f.starts_with("m:") => {
                    // The current second and the 59 before it; older slots are stale.
                    if let Some(slot) = RingSlot::parse(value) {
                        if slot.sec <= now_sec && now_sec - slot.sec < RECENT_SECS {
                            c.recent_done += slot.done.max(0) as u64;
                            c.recent_failed += slot.failed.max(0) as u64;
                        }
                    }
                }
                _ => {}
            }
        }
        c.consumers = consumers
            .iter()
            .map(|Field { name, value }| {
                let r = ConsumerRecord::parse(value);
                ConsumerSeen {
                    name: name.clone(),
                    last_seen: ms_to_time(r.seen_ms),
                    done: r.done,
                }
            })
            .collect();
        c.consumers.sort_by(|a, b| a.name.cmp(&b.name));
        c
    }
}

// What inspect.lua answers of one task.

/// What the scripts hold of one task besides its place (inspect.lua's reply), as stored.
#[derive(Debug, Default, Clone)]
pub(super) struct Stored {
    /// Its set's score: the pending score, or a time in ms.
    pub score: String,
    pub body: Option<String>,
    /// The in-flight member (`Member`)
    pub claim: Option<String>,
}

impl TaskInfo {
    pub(super) fn new(id: &str, state: State, s: &Stored) -> TaskInfo {
        let time = |ms: &str| ms.parse::<f64>().ok().map(|v| ms_to_time(v as i64));
        // A claim of this rpq's layout (an older rpq's has four fields, without these).
        let claim = s
            .claim
            .as_deref()
            .and_then(Member::parse)
            .filter(|_| state == State::InFlight);
        // The record's head: attempts and last error (a dead task's reason) of a task taken
        // back. A task in flight keeps its head until it is out again (the claim copies
        // nothing): its attempt is its claim's, and the error of an attempt before is not shown.
        let head = s.body.as_deref().and_then(Record::parse);
        let attempt = match &claim {
            Some(c) => c.attempt,
            None => head.as_ref().and_then(|r| r.attempts).unwrap_or(0),
        };
        let mut error = head
            .and_then(|r| r.error)
            .filter(|_| state != State::InFlight)
            .map(str::to_string);
        let task = match s.body.as_deref().map(|b| Task::from_stored(id, b, attempt)) {
            Some(Ok(t)) => t,
            other => {
                let why = match other {
                    Some(Err(why)) => why,
                    _ => "stored body is missing".to_string(),
                };
                error.get_or_insert(why);
                let p = if state == State::Waiting {
                    super::score::priority_of(&s.score)
                } else {
                    0
                };
                Task::unreadable(id, p, attempt)
            }
        };
        let at = time(&s.score);
        TaskInfo {
            task,
            state,
            consumer: claim.as_ref().map(|c| c.consumer.to_string()),
            claimed_at: claim.as_ref().map(|c| ms_to_time(c.claimed_ms)),
            lease_until: if state == State::InFlight { at } else { None },
            max_attempts: claim.as_ref().map(|c| c.max_attempts),
            retry_at: if state == State::Retrying { at } else { None },
            died_at: if state == State::Dead { at } else { None },
            error,
            ctl: Default::default(),
            flow: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::queue::FireCode;
    use crate::queue::{ClaimOptions, KeepAck, LimitChange, Queue, Rate, NO_ACKS};
    use crate::schedule::{Definition, Stored as Schedule};
    use crate::server::RedisServer;
    use crate::task::{NewTask, Priority};
    use std::time::Duration;

    fn task(id: &str) -> NewTask {
        NewTask {
            after: None,
            id: id.to_string(),
            kind: "t".into(),
            priority: Priority::HIGH,
            payload: serde_json::Value::Null,
            when: crate::task::When::NOW,
            settings: Default::default(),
            named: true,
            trace: None,
            group: None,
        }
    }

    fn hget(q: &mut Queue, key: &str, field: &str) -> String {
        let v: Option<String> = redis::cmd("HGET")
            .arg(key)
            .arg(field)
            .query(q.conn())
            .unwrap();
        v.unwrap_or_else(|| panic!("no {field} in {key}"))
    }

    /// The real scripts write every `|`-joined format and these readers get back what was
    /// written: a script that moves a field breaks this test.
    #[test]
    fn every_format_the_scripts_write_reads_back() {
        let server = RedisServer::start(&[]).unwrap_or_else(|e| panic!("{e:#}"));
        let mut q = Queue::open(&Config::for_url(&server.url(), "formats")).unwrap();
        let keys = q.keys().clone();
        let opts = ClaimOptions {
            consumer: "c1".into(),
            lease: Duration::from_secs(600),
            max_attempts: 4,
            count: 1,
        };
        q.push(&[task("a"), task("b"), task("c"), task("d")])
            .unwrap();

        // Two claims, so that claim.lua and (when its reply allows) claim_fast.lua write.
        let mut held = vec![];
        for _ in 0..2 {
            let c = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
            let raw = format!("{}\t{}", c.task.id, c.token);
            let held_by: Option<f64> = redis::cmd("ZSCORE")
                .arg(keys.inflight())
                .arg(&raw)
                .query(q.conn())
                .unwrap();
            assert!(held_by.is_some(), "the member is the lease: {raw}");
            let r = Member::parse(&raw).expect("a member of seven fields");
            assert_eq!(r.max_attempts, 4);
            assert_eq!(r.attempt, 1);
            assert_eq!(r.consumer, "c1");
            assert_eq!(super::super::score::priority_of(r.score), 1);
            assert!(r.claimed_ms > 0, "{raw}");
            held.push((c, r.score.to_string()));
        }

        // fail.lua: attempts, the place in line and the error into the record's head;
        // release.lua, of a second attempt: no error.
        let (a, a_score) = held.remove(0);
        let err = "bo|om 12|{\"p\":3,";
        q.fail(&a.lease(), Duration::ZERO, err, false).unwrap();
        let raw = hget(&mut q, keys.tasks(), &a.task.id);
        let s = Record::parse(&raw).expect("a record with a head");
        assert_eq!(
            (s.attempts, s.place, s.error),
            (Some(1), Some(a_score.as_str()), Some(err))
        );
        assert!(s.body.starts_with("{\"c\":"), "{raw}");
        let again = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        assert_eq!(again.task.id, a.task.id, "back at its place in line");
        assert_eq!(Member::attempt_of(&again.token), Some(2));
        assert_eq!(
            again.task.priority,
            Priority::HIGH,
            "the body's, not the error's"
        );
        assert_eq!(q.release(&[again.lease()]).unwrap(), [true]);
        let raw = hget(&mut q, keys.tasks(), &a.task.id);
        let s = Record::parse(&raw).expect("a record with a head");
        assert_eq!(
            (s.attempts, s.place, s.error),
            (Some(1), Some(a_score.as_str()), None)
        );

        // keep.lua and fail.lua keep a result (keep_record).
        let (b, _) = held.remove(0);
        let done = KeepAck {
            lease: b.lease(),
            keep: Duration::from_secs(600),
            result: b"{\"n\":1}|x".to_vec(),
        };
        assert_eq!(q.ack_keeping("c1", &[done]).unwrap(), [true]);
        let kept = q.result(&b.task.id).unwrap().expect("a kept result");
        assert_eq!(kept.outcome, KeptOutcome::Done);
        assert_eq!(kept.result.as_deref(), Some(&b"{\"n\":1}|x"[..]));
        let d = q.claim(&opts, NO_ACKS).unwrap().tasks.remove(0);
        q.fail_keeping(
            &d.lease(),
            Duration::ZERO,
            "gone|bad",
            true,
            Some(Duration::from_secs(600)),
        )
        .unwrap();
        let kept = q.result(&d.task.id).unwrap().expect("a kept error");
        assert_eq!(kept.outcome, KeptOutcome::Dead);
        assert_eq!(kept.error.as_deref(), Some("gone|bad"));

        // common.lua: the consumer's entry, with the one task it acked.
        q.flush_seen("c1").unwrap();
        let raw = hget(&mut q, keys.consumers(), "c1");
        let r = ConsumerRecord::parse(&raw);
        assert!(r.seen_ms > 0, "{raw}");
        assert_eq!(r.done, 1, "{raw}");

        // control.lua: the limit as it was set.
        let change = LimitChange {
            rate: Some(Rate {
                n: 5,
                per: Duration::from_secs(2),
            }),
            burst: Some(7),
            max_in_flight: Some(3),
        };
        q.set_limit(None, &change).unwrap();
        let raw = hget(&mut q, keys.controls(), "limit:0");
        assert_eq!(
            LimitRecord::parse(&raw),
            LimitRecord {
                rate: Some(5),
                per_ms: Some(2000),
                burst: Some(7),
                max_in_flight: Some(3),
            }
        );

        // fire.lua: the schedule with the slot it fired, as `schedule::Stored` reads it.
        let def = Definition {
            every_ms: Some(60_000),
            cron: None,
            tz: None,
            kind: "tick".into(),
            priority: Priority::LOW,
            payload: serde_json::Value::Null,
            ttl_ms: None,
            since_ms: 1_000,
        };
        q.schedule_add("s1", &def).unwrap();
        let s = Schedule::parse("s1", &hget(&mut q, keys.schedules(), "s1")).unwrap();
        assert_eq!(s.last_fired_ms, None);
        assert_eq!(q.fire(&s, 60_000).unwrap(), FireCode::Fired);
        let s = Schedule::parse("s1", &hget(&mut q, keys.schedules(), "s1")).unwrap();
        assert_eq!((s.last_fired_ms, s.def.since_ms), (Some(60_000), 1_000));
    }

    /// Formats Rust writes, or only an older rpq did.
    #[test]
    fn a_loss_and_an_old_ring_slot_read_back() {
        let lost = LostRecord::parse(&LostRecord::format(1_700_000_000_123, 4, 2)).unwrap();
        assert_eq!(
            (lost.at.timestamp_millis(), lost.pushes, lost.acks),
            (1_700_000_000_123, 4, 2)
        );
        assert_eq!(LostRecord::parse("1|2"), None);
        assert_eq!(
            RingSlot::parse("100|3|1"),
            Some(RingSlot {
                sec: 100,
                done: 3,
                failed: 1
            })
        );
    }

    #[test]
    fn a_record_reads_its_place_head_and_body() {
        let body = r#"{"c":1,"t":"x","p":2,"d":{"a":"|{"}}"#;
        assert_eq!(
            Record::parse(body),
            Some(Record {
                place: None,
                attempts: None,
                error: None,
                body
            })
        );
        let first = format!("2000000000000042{body}");
        let r = Record::parse(&first).unwrap();
        assert_eq!(
            (r.place, r.attempts, r.body),
            (Some("2000000000000042"), None, body)
        );
        // An error with bars and braces in it is cut by its length.
        let err = "exit 3: {oops} | again";
        let again = format!("2000000000000042{}|{}|{err}{body}", 2, err.len());
        let r = Record::parse(&again).unwrap();
        assert_eq!(r.attempts, Some(2));
        assert_eq!(r.error, Some(err));
        assert_eq!(r.body, body);
        let quiet = format!("1000000000000007{}|0|{body}", 1);
        let r = Record::parse(&quiet).unwrap();
        assert_eq!((r.attempts, r.error), (Some(1), None));
        for bad in [
            "",
            "12",
            "20000000000000x2{}",
            "2000000000000042x|0|{}",
            "2000000000000042|9|ab{}",
        ] {
            assert_eq!(Record::parse(bad), None, "{bad}");
        }
    }

    /// An error of any bytes: the body is cut where it begins, also when the error is not
    /// UTF-8 (read lossy, its length counted again).
    #[test]
    fn a_record_with_bytes_that_are_not_text_keeps_its_body() {
        let body = r#"{"c":1,"t":"x","p":2,"d":"ok"}"#;
        let err: &[u8] = b"bad \xff\xfe{\"p\":1,|12|\n";
        let mut raw = format!("2000000000000042{}|{}|", 3, err.len()).into_bytes();
        raw.extend_from_slice(err);
        raw.extend_from_slice(body.as_bytes());
        let text = Record::text(&raw);
        let r = Record::parse(&text).unwrap();
        assert_eq!(
            (r.place, r.attempts, r.body),
            (Some("2000000000000042"), Some(3), body)
        );
        assert_eq!(r.error, Some("bad \u{fffd}\u{fffd}{\"p\":1,|12|\n"));
        // Text as it is stays as it is.
        let ok = format!("2000000000000042{}|{}|{}{body}", 1, 4, "a|{b");
        assert_eq!(Record::text(ok.as_bytes()), ok);
        assert_eq!(Record::text(body.as_bytes()), body);
    }

    #[test]
    fn a_member_is_the_claim_and_its_lease() {
        let m = "job-1\t00aa11bb22cc33dd|1700000000001|2|5|2000000000000042|host 1|with\ttabs";
        let c = Member::parse(m).unwrap();
        assert_eq!(
            (
                c.id,
                c.token,
                c.claimed_ms,
                c.attempt,
                c.max_attempts,
                c.score
            ),
            (
                "job-1",
                "00aa11bb22cc33dd",
                1_700_000_000_001,
                2,
                5,
                "2000000000000042"
            )
        );
        assert_eq!(c.consumer, "host 1|with\ttabs");
        assert!(!c.cancelled);
        let cancelled = m.replacen("\t00aa", "\t~00aa", 1);
        assert!(Member::parse(&cancelled).unwrap().cancelled);
        assert_eq!(Member::parse(&cancelled).unwrap().token, "00aa11bb22cc33dd");
        assert_eq!(Member::attempt_of(Member::lease(m).unwrap().1), Some(2));
        let (id, lease) = Member::lease(m).unwrap();
        assert_eq!(format!("{id}\t{lease}"), m);
        assert_eq!(Member::parse("job-1\t00aa|not a time|1|3|1|c"), None);
        assert_eq!(Member::parse("job-1"), None);
    }
}
