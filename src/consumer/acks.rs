//! Finished tasks whose ack waits to ride on the next claim (one round trip for both), each
//! with the result line that is printed once its ack comes back; and the one path after any
//! ack (`after_ack`), whether it rode on a claim, went alone or carried a kept result.

use crate::output::{Finished, Outcome};
use crate::queue::{Lease, LeaseState};
use std::time::{Duration, Instant};

/// An ack waits for the next claim, but no longer than this: `stats` stays current and a
/// crash redoes little finished work.
pub const ACK_WINDOW: Duration = Duration::from_millis(50);

pub struct Pending {
    pub lease: Lease,
    pub line: Finished,
    /// Its line is out already (stdout is a pipe: written and read before the ack goes).
    printed: bool,
}

impl AsRef<Lease> for Pending {
    fn as_ref(&self) -> &Lease {
        &self.lease
    }
}

#[derive(Default)]
pub struct PendingAcks {
    items: Vec<Pending>,
    /// When the oldest waiting ack was added.
    since: Option<Instant>,
}

impl PendingAcks {
    pub fn push(&mut self, lease: Lease, line: Finished) {
        self.since.get_or_insert_with(Instant::now);
        self.items.push(Pending {
            lease,
            line,
            printed: false,
        });
    }

    /// What a claim or an ack sends: the leases, in order.
    pub fn as_slice(&self) -> &[Pending] {
        &self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// When the oldest ack will have waited `ACK_WINDOW`.
    pub fn deadline(&self) -> Option<Instant> {
        self.since.map(|t| t + ACK_WINDOW)
    }

    /// True when the oldest ack has waited `ACK_WINDOW`.
    pub fn overdue(&self) -> bool {
        self.since.is_some_and(|t| t.elapsed() >= ACK_WINDOW)
    }

    /// The leases of the acks whose lines are not out yet, in order.
    pub fn unprinted(&self) -> Vec<Lease> {
        self.items
            .iter()
            .filter(|p| !p.printed)
            .map(|p| p.lease.clone())
            .collect()
    }

    /// Before their acks go (stdout is a pipe): the lines of the acks not printed yet, `held`
    /// one flag each (in `unprinted`'s order) for whether the lease is still ours. A held one is
    /// marked printed and keeps its ack; one not held is dropped, and its line (`not_held` makes
    /// it `lost` or `cancelled`) is all there is to it. Returns the lines to write, in order,
    /// and the leases dropped.
    pub fn print(
        &mut self,
        held: &[bool],
        not_held: impl Fn(&Lease, &mut Finished),
    ) -> (Vec<Finished>, Vec<Lease>) {
        let mut held = held.iter().copied();
        let (mut lines, mut dropped) = (Vec::new(), Vec::new());
        self.items.retain_mut(|p| {
            if p.printed {
                return true;
            }
            let mut line = p.line.clone();
            let keep = held.next().unwrap_or(false);
            if !keep {
                not_held(&p.lease, &mut line);
                dropped.push(p.lease.clone());
            }
            p.printed = true;
            lines.push(line);
            keep
        });
        if self.items.is_empty() {
            self.since = None;
        }
        (lines, dropped)
    }

    /// Drops the waiting acks whose lines are not out and returns their leases.
    pub fn take_unprinted(&mut self) -> Vec<Lease> {
        let mut out = Vec::new();
        self.items.retain(|p| {
            if !p.printed {
                out.push(p.lease.clone());
            }
            p.printed
        });
        if self.items.is_empty() {
            self.since = None;
        }
        out
    }

    /// Drops the waiting acks unsent and returns their leases (their lines are not printed).
    pub fn take_leases(&mut self) -> Vec<Lease> {
        self.since = None;
        self.items.drain(..).map(|p| p.lease).collect()
    }

    /// The result lines of the acks that just went out, `acked` one flag each (`cancelled`,
    /// one flag each, says which refused one was cancelled), as `after_ack` makes them.
    pub fn settle(&mut self, acked: &[bool], cancelled: &[bool]) -> Vec<Finished> {
        self.since = None;
        self.items
            .drain(..)
            .zip(acked.iter().copied())
            .zip(cancelled.iter().copied().chain(std::iter::repeat(false)))
            .filter_map(|((p, ok), cancelled)| after_ack(p.line, p.printed, state(ok, cancelled)))
            .collect()
    }
}

/// What an ack's reply says of its lease: through (held to the end), or refused because the
/// task was cancelled, or because the lease was lost.
pub fn state(acked: bool, cancelled: bool) -> LeaseState {
    match (acked, cancelled) {
        (true, _) => LeaseState::Held,
        (false, true) => LeaseState::Cancelled,
        (false, false) => LeaseState::Lost,
    }
}

/// The one path after an ack (riding on a claim, sent alone, or carrying a kept result): the
/// task's line as it is to be printed, or None when it was printed before its ack (stdout a
/// pipe) and the ack went through. A line printed before an ack that was refused after all
/// (the lease was made sure of just before: rare) gets a second line that says so.
pub fn after_ack(mut line: Finished, printed: bool, state: LeaseState) -> Option<Finished> {
    if printed && state == LeaseState::Held {
        return None;
    }
    not_held(&mut line, state);
    Some(line)
}

/// A finished task's line once its lease is found not ours: `cancelled` when `rpq cancel`
/// took the task, else `lost` (another consumer has it). A held lease leaves it as it is, and so
/// does one that recovery finished as done after its mark (`LeaseState::Delivered`).
pub fn not_held(line: &mut Finished, state: LeaseState) {
    match state {
        LeaseState::Held | LeaseState::Delivered => {}
        LeaseState::Cancelled => line.outcome = Outcome::Cancelled,
        LeaseState::Lost => {
            line.outcome = Outcome::Lost;
            line.error =
                Some("the lease expired before the ack; another consumer has the task".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Task;
    use chrono::Utc;

    fn pending(acks: &mut PendingAcks, id: &str) -> Lease {
        let lease = Lease {
            id: id.into(),
            token: format!("tok-{id}"),
        };
        acks.push(
            lease.clone(),
            Finished {
                task: Task::unreadable(id, 2, 1),
                consumer: "c".into(),
                claimed_at: Utc::now(),
                finished_at: Utc::now(),
                outcome: Outcome::Done,
                error: None,
            },
        );
        lease
    }

    /// Stdout a pipe: a line goes out before its ack, once; only a refusal after it adds one.
    #[test]
    fn a_line_printed_before_its_ack_is_not_printed_again() {
        let mut acks = PendingAcks::default();
        let (a, b) = (pending(&mut acks, "a"), pending(&mut acks, "b"));
        assert_eq!(acks.unprinted(), [a, b.clone()]);
        let (lines, dropped) = acks.print(&[true, false], |_, f| f.outcome = Outcome::Lost);
        let outcomes: Vec<Outcome> = lines.iter().map(|f| f.outcome).collect();
        assert_eq!(outcomes, [Outcome::Done, Outcome::Lost]);
        assert_eq!(dropped, [b]);
        // Only a's ack goes; nothing is left to print.
        assert_eq!(acks.as_slice().len(), 1);
        assert!(acks.unprinted().is_empty());
        let c = pending(&mut acks, "c");
        assert_eq!(acks.take_unprinted(), [c]);
        assert!(acks.settle(&[true], &[]).is_empty());
        // Refused after its line: a second line says so.
        pending(&mut acks, "d");
        acks.print(&[true], |_, _| {});
        let again = acks.settle(&[false], &[false]);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].outcome, Outcome::Lost);
    }
}
