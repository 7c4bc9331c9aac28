//! The JSON API under `/api/`, `/metrics` and `/healthz`: each handler checks its input, runs
//! `Queue` calls on a blocking thread through the `Backend`, and answers with the field names
//! of rpq's NDJSON. No queue logic here: a route that the `Queue` API of a build cannot serve
//! answers 501 and says which command it waits for (none does today).
//!
//! One file per resource (`queues`, `tasks`, `push`, `results`, `dead`, `schedules`, `work`
//! for workers over HTTP, `workers` for who works on what and by type, `search` across queues,
//! `bulk` for one action on many tasks, `groups` for a queue's groups (issue 23), `flows` for a
//! flow's progress (issue 24), and `server` for what is about the server as a whole);
//! `error` is the one error type, `extract` what a request carries, checked.

mod bulk;
mod dead;
mod error;
mod events;
mod extract;
mod flows;
mod groups;
mod push;
mod queues;
mod results;
mod schedules;
mod search;
mod server;
mod tasks;
mod work;
mod workers;

pub use bulk::bulk;
pub use dead::{dead_purge, dead_retry};
pub use error::ApiError;
pub use events::{events, webhooks};
pub use extract::{refuse_large_bodies, MAX_BODY};
pub use flows::flow;
pub use groups::groups;
pub use push::push;
pub use queues::{clear, pause, queue, queues, resume};
pub use results::{completed, result};
pub use schedules::{fire_schedule, remove_schedule, schedules};
pub use search::search;
pub use server::{healthz, history, info, method_not_allowed, metrics, not_found};
pub use tasks::{cancel, list, move_task, show};
pub use work::{ack, claim, extend, fail, release};
pub use workers::{types, workers};
