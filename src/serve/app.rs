//! What every request shares, in a room of its own below the handlers that take it (`api`,
//! `pages`) and the `run` that builds it.

use super::auth::Auth;
use super::backend::Backend;
use super::history::History;
use super::waits::Waits;
use super::wakes::Wakes;
use std::sync::Arc;

/// Shared by every request.
pub struct App {
    pub(super) backend: Arc<Backend>,
    pub(super) history: Arc<History>,
    pub(super) auth: Auth,
    /// `?wait` on a push or a result: on threads of their own, bounded.
    pub(super) waits: Waits,
    /// Claims that long-poll (`?wait`): woken by one watcher per queue, bounded.
    pub(super) wakes: Wakes,
    /// Groups of each queue given series of their own in `/metrics` (`--metrics-groups`).
    pub(super) metrics_groups: usize,
}
