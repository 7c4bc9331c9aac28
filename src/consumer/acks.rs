//! Finished tasks whose ack waits to ride on the next claim (one round trip for both), each
//! with the result line that is printed once its ack comes back.

use crate::output::{Finished, Outcome};
use crate::queue::Lease;
use std::time::{Duration, Instant};

/// An ack waits for the next claim, but no longer than this: `stats` stays current and a
/// crash redoes little finished work.
pub const ACK_WINDOW: Duration = Duration::from_millis(50);

pub struct Pending {
    pub lease: Lease,
    pub line: Finished,
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
        self.items.push(Pending { lease, line });
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

    /// Drops the waiting acks unsent and returns their leases (their lines are not printed).
    pub fn take_leases(&mut self) -> Vec<Lease> {
        self.since = None;
        self.items.drain(..).map(|p| p.lease).collect()
    }

    /// The result lines of the acks that just went out, `acked` one flag each: a lease lost
    /// before its ack turns the line into `lost`, one whose task was cancelled (`cancelled`, one
    /// flag each) into `cancelled`.
    pub fn settle(&mut self, acked: &[bool], cancelled: &[bool]) -> Vec<Finished> {
        self.since = None;
        self.items
            .drain(..)
            .zip(acked.iter().copied())
            .zip(cancelled.iter().copied().chain(std::iter::repeat(false)))
            .map(|((p, ok), cancelled)| {
                let mut f = p.line;
                if cancelled {
                    f.outcome = Outcome::Cancelled;
                } else if !ok {
                    f.outcome = Outcome::Lost;
                    f.error = Some(
                        "the lease expired before the ack; another consumer has the task".into(),
                    );
                }
                f
            })
            .collect()
    }
}
