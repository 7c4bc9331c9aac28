//! Integration tests: the rpq binary against real, throwaway redis-servers. One module per
//! promise or subcommand; a new test goes where its one-line description below fits.

// Helpers, no tests of rpq of their own.
mod proxy; // a TCP proxy that delays, blackholes or cuts links to a server, per link
mod pty; // a pseudo-terminal on the child's stdout or stderr, and everything written to it
mod receiver; // a tiny HTTP server that records requests and answers a script of statuses
mod servers; // servers beyond one redis-server: a Cluster, a TLS server and its certificates
mod support; // one way to run rpq (clean env, `rpq` to its end, `Proc` live), fixtures, key names

mod basics; // the five commands of the design on one server: order, distinctness, peek, len, clear
mod bench; // `rpq bench`: its figures and its exactly-once check, which fails when a task is lost
mod cluster; // a real Redis Cluster: every command, a queue sharded over all primaries, failover
mod completions; // the committed completions/ and man/ are what the binary generates
mod concurrency; // several consumer processes on one queue: each task handed out exactly once
mod controls; // pause, resume, rate limits and in-flight caps: across consumers, shards, the clock
mod ctl; // `rpq ctl` from real handlers: progress, checkpoints across kill -9, children once with the ack, once, refusals
mod delivered; // a done line before its ack (stdout a pipe): the kept result and the done line through a lost lease
mod demo; // `rpq demo`, on the server given or on a private one it starts and stops
mod docs; // README.md and docs/: every `sh test` block run as written, every JSON example held to the schema, the README short
mod edges; // the shell's edges: a signal mid-stream, a trickle, bytes not UTF-8, a full server, a reader that leaves
mod errors; // bad flags, bad URLs, unreachable servers: one line, the right exit code, no secret
mod events; // lifecycle events: read, followed and resumed from an id; webhooks delivered signed, after 500s and a kill -9
mod faults; // kill -9, cut connections, crashes, broken handlers and data: the delivery guarantee
mod flow_chaos; // issue 24's own test: a diamond and a fan-in of 1,000 through 4 kills -9 at random and a frozen server
mod flows; // tasks that wait for other tasks: --after, blocked, the release once through kill -9 and a frozen consumer
mod flows_whole; // flows across queues and shards of one server: `flow submit` all or nothing, `flow cancel` across
mod group_ends; // tasks back from a flow's release or a type's line in their group's turns; debounce on lines and the API
mod group_limits; // limit --group / --each-group, pause --group: caps, rates and pauses of groups in the claim
mod group_shards; // groups on sharded queues and a cluster: a group on its shard, fair per shard, limits exact
mod group_stats; // stats and groups of groups: the largest by backlog, the rest summed, in flight counted
mod groups; // produce --group: fair turns between groups, weights, priority first, nothing left behind
mod heads; // the record's head: attempts and an error of any text or bytes before the body, never read as it
mod hygiene; // only a push or a setting creates a queue; `queues remove`; `clear` cancels, `clear --all`
mod inspect; // show, list, cancel, move and queues: every state, pages, a cancel in flight
mod json; // `--json` of every command, field by field, and the README's table of fields
mod layout; // stored layouts: a queue of another layout refused by every command, untouched
mod lean; // the lean claim of a plain shard (layout 3's step 5): taken, left for groups and events, an ack not held refused before any write
mod limits; // any number of limited types: 50 capped types under 8 consumers, priority across their lines, with group limits
mod migrate; // `rpq migrate`: a queue of stored layout 1 in every state moved whole, through a kill -9, a dry run that writes nothing
mod migrate_from_2; // `rpq migrate` from layout 2 to 3: every state, a kill -9 and a rerun, a lease of layout 2 waited for
mod migrate_from_3; // layout 3 folded to 4 in place: state and dead:info into the records' heads, a kill and a rerun, a lease waited for; 2 -> 4 through 3
mod names; // queue names and shards: no two share a key; the old shard tags refused with the way out
mod orphans; // whatever ends a consumer, nothing its handlers started outlives it or meets a re-run
mod outages; // past the lease and the read timeout (blackholed, frozen), eviction, restarts with less
mod prefetch; // `consume --prefetch`: batched claims and acks, leases kept while tasks wait
mod runtime; // the worker runtime: -j N slots, --exec's exit contract, --pipe handlers, results, --wait
mod schema; // one vocabulary: every command's --json and every API answer held to docs/schema
mod scripts; // shell pipelines and terminals: exit codes, broken pipes, env vars, colour, progress
mod secure; // ACL users, TLS (also on a cluster), unix sockets: the connections of production
mod serve; // `rpq serve`: the HTTP API, /metrics, /healthz, the token, the page in headless Chromium
mod service; // as a service: config file and profiles, -q/-v, JSON logs, systemd notify, the unit file
mod signals; // SIGINT/SIGTERM: finish the task in hand, hand it back on the second, exit codes
mod stats; // `rpq stats`: numbers that agree, the bounded last minute, forgotten consumers, --watch
mod time; // scheduled tasks, --ttl expiry, recurring schedules, aging: on the server's clock
mod trace; // OpenTelemetry: trace context from producer to handler, spans over OTLP/HTTP
