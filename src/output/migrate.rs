//! `migrate`: one `key=value` line a step and one a queue, for people and for `grep`/`awk`
//! alike (NDJSON with --json); the leases it waits for as a note on stderr.

use super::{count, local_date_time, Output};
use crate::log::note;
use crate::queue::migrate::{Folded, Migrated, Step, Waiting};
use crate::task::ms_to_time;
use std::io;

impl Output {
    /// A step that moved tasks of one state on one shard (in a dry run: would move).
    pub fn migrate_step(&self, s: &Step) -> io::Result<()> {
        if self.json {
            return self.json_line(s);
        }
        let verb = if s.dry_run { "would_move" } else { "moved" };
        let dup = if s.duplicates > 0 {
            format!(" duplicates={}", s.duplicates)
        } else {
            String::new()
        };
        self.line(&format!(
            "queue={} shard={} state={} {verb}={}{dup}",
            s.queue,
            s.shard,
            s.state.name(),
            s.moved
        ))
    }

    /// A shard folded from layout 3 in place (in a dry run: what it would fold).
    pub fn migrate_folded(&self, f: &Folded) -> io::Result<()> {
        if self.json {
            return self.json_line(f);
        }
        if f.dry_run {
            return self.line(&format!(
                "queue={} shard={} would_fold={}",
                f.queue, f.shard, f.folded
            ));
        }
        self.line(&format!(
            "queue={} shard={} folded={} records={}",
            f.queue, f.shard, f.folded, f.records
        ))
    }

    /// What migrate did to one queue.
    pub fn migrated(&self, m: &Migrated) -> io::Result<()> {
        if m.nothing_to_do {
            note(&format!(
                "queue '{}' is at layout {} already: nothing to do",
                m.queue, m.layout
            ));
        }
        if self.json {
            return self.json_line(m);
        }
        let (verb, dry) = if m.dry_run {
            ("would_move", " dry_run=true")
        } else {
            ("moved", "")
        };
        let dup = if m.duplicates > 0 {
            format!(" duplicates={}", m.duplicates)
        } else {
            String::new()
        };
        let fold = if m.folded + m.records > 0 {
            let verb = if m.dry_run { "would_fold" } else { "folded" };
            format!(" {verb}={} records={}", m.folded, m.records)
        } else {
            String::new()
        };
        self.line(&format!(
            "queue={} layout={} shards={} {verb}={} waiting={} scheduled={} in_flight={} \
             retrying={} dead={}{dup}{fold}{dry}",
            m.queue,
            m.layout,
            m.shards,
            m.moved,
            m.waiting,
            m.scheduled,
            m.in_flight,
            m.retrying,
            m.dead
        ))
    }

    /// The leases of the older layout that migrate waits for, said once (and again when they
    /// change), on stderr: they are why it has not finished.
    pub fn migrate_waiting(&self, w: &Waiting) {
        let until = w.first_end_ms.map(ms_to_time).map_or(String::new(), |t| {
            format!(
                " (the first lease ends at {} unless extended)",
                local_date_time(&t)
            )
        });
        let more = if w.in_flight > w.ids.len() as u64 {
            ", ..."
        } else {
            ""
        };
        note(&format!(
            "queue '{}' shard {}: waiting for {} in flight under layout {} ({}{more}): each \
             moves once its holder (an older rpq) acks, fails or releases it, or its lease \
             ends{until}",
            w.queue,
            w.shard,
            count(w.in_flight, "task", "tasks"),
            w.from,
            w.ids.join(", ")
        ));
    }
}
