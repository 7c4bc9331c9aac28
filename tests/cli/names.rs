//! Queue names and shards: no two (queue, shard) pairs share a key, and a queue sharded under
//! the old `{NAME.N}` tags is refused with what to do rather than half seen.

use crate::support::*;
use predicates::prelude::*;

/// Shard 1 of `a` used to be `{a.1}`, the tag of a queue named `a.1`: clearing `a.1` deleted
/// about half of `a`'s tasks and consumers of `a.1` ran them.
#[test]
fn a_queue_named_like_a_shard_is_another_queue() {
    let r = redis();
    rpq(&r)
        .args(["--queue", "a", "--shards", "2", "produce", "--stdin"])
        .write_stdin(lines_with_ids(mixed(100)).join("\n"))
        .assert()
        .success();
    rpq(&r)
        .args(["--queue", "a.1", "len"])
        .assert()
        .success()
        .stdout("0\n");
    rpq(&r)
        .args(["--queue", "a.1", "--json", "clear", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"removed\":0"));
    assert!(
        json_lines(rpq(&r).args(["--queue", "a.1", "--json", "consume", "--drain"])).is_empty()
    );
    rpq(&r)
        .args(["--queue", "a", "len"])
        .assert()
        .success()
        .stdout("100\n");
    // Both shards hold some of them, under tags no queue name can spell.
    let mut c = conn(&r);
    assert!(zcard(&mut c, Keys::new("a", 1).pending()) > 0);
    assert!(zcard(&mut c, Keys::new("a", 0).pending()) > 0);
    assert!(rpq::queue::keys::check_queue_name("a#1").is_err());
}

#[test]
fn a_queue_sharded_under_the_old_tags_is_refused_with_the_way_out() {
    let r = redis();
    let mut c = conn(&r);
    let _: () = redis::cmd("HSET")
        .arg(meta("old"))
        .arg("shards")
        .arg(3)
        .query(&mut c)
        .unwrap();
    rpq(&r)
        .args(["--queue", "old", "len"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("sharded (3 shards) by an older rpq")
                .and(predicate::str::contains("rpq:{old.N}"))
                .and(predicate::str::contains("clear --yes")),
        );
    // An unsharded queue of the old rpq is of stored layout 1 (no `layout` in its meta): it
    // goes over with `rpq migrate` (tests/cli/layout.rs).
    let _: () = redis::cmd("HSET")
        .arg(meta("plain"))
        .arg("shards")
        .arg(1)
        .query(&mut c)
        .unwrap();
    rpq(&r)
        .args(["--queue", "plain", "len"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("has stored layout 1"));
}
