//! A consumer's part in recurring schedules: it loads them (at its start, when a wake-up says
//! they changed, and every few seconds), fires the slot that is due after each claim (fire.lua
//! decides, once per slot, however many consumers race), and tells when the next slot falls
//! due, so that an idle consumer wakes for it without polling.

use crate::output::note;
use crate::queue::{FireCode, Queue};
use crate::schedule::{Spec, Stored};
use anyhow::Result;
use std::time::{Duration, Instant};

/// Schedules are loaded again at least this often: one that was added while this consumer was
/// busy (and so missed the wake-up) fires within this long.
const RELOAD_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Slots {
    loaded: Vec<(Stored, Spec)>,
    loaded_at: Option<Instant>,
    /// When the next slot of any schedule falls due (server ms).
    next_ms: Option<i64>,
    /// Names whose stored spec this rpq cannot read, said once.
    unreadable: Vec<String>,
}

impl Slots {
    /// After a claim answered at `now_ms` (the server's clock): fires what is due, if anything
    /// can be. Costs nothing until a slot is due, the schedules changed or they are stale.
    pub fn tick(&mut self, q: &mut Queue, now_ms: i64) -> Result<()> {
        let changed = q.take_schedules_changed();
        let stale = self.loaded_at.is_none_or(|t| t.elapsed() >= RELOAD_EVERY);
        let due = self.next_ms.is_some_and(|n| now_ms >= n);
        if !(changed || stale || due) {
            return Ok(());
        }
        self.load(q)?;
        let mut next: Option<i64> = None;
        for (s, spec) in &self.loaded {
            if let Some(slot) = s.due_slot(spec, now_ms) {
                // Early: that shard's clock is a little behind; try again at the slot.
                if q.fire(s, slot)? == FireCode::Early {
                    next = Some(next.map_or(slot, |n| n.min(slot)));
                }
            }
            if let Some(n) = spec.first_after(now_ms) {
                next = Some(next.map_or(n, |m| m.min(n)));
            }
        }
        self.next_ms = next;
        Ok(())
    }

    /// When the next slot falls due (server ms), if there is a schedule.
    pub fn next_ms(&self) -> Option<i64> {
        self.next_ms
    }

    fn load(&mut self, q: &mut Queue) -> Result<()> {
        self.loaded.clear();
        for s in q.schedules()? {
            match s.def.spec() {
                Ok(spec) => self.loaded.push((s, spec)),
                Err(why) => {
                    if !self.unreadable.contains(&s.name) {
                        note(&format!(
                            "schedule '{}' cannot be read ({why}); skipping it",
                            s.name
                        ));
                        self.unreadable.push(s.name.clone());
                    }
                }
            }
        }
        self.loaded_at = Some(Instant::now());
        Ok(())
    }
}
