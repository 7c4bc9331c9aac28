//! The command line, clap derive only: one Args struct per subcommand, under the global options
//! that `config::Global` holds (the settings they give are config's to resolve).

use crate::config::Global;
use crate::consumer::defaults;
use crate::queue::{State, STATES};
use crate::task::Priority;
use chrono::{DateTime, Utc};
use clap::{ArgGroup, Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

const EXIT_CODES: &str = "\
Examples:
  rpq produce --type email --priority high --payload '{\"to\":\"a@b.c\"}'
  rpq consume --exec ./handle.sh     run a handler per task, forever
  n=$(rpq len)                       tasks waiting, a bare integer
  rpq stats --watch                  like top

Environment: RPQ_URL (then REDIS_URL), RPQ_QUEUE, RPQ_CLUSTER, RPQ_SHARDS, RPQ_TLS_*,
RPQ_PASSWORD (or RPQ_PASSWORD_FILE), RPQ_CONFIG, RPQ_PROFILE, RPQ_LOG_FORMAT. A flag wins over
its variable, which wins over the profile of the config file; `rpq config` shows each setting
and where it came from. NO_COLOR turns colour off; colour is only ever used on a terminal.

Exit codes:
  0    success, also a graceful stop on SIGINT or SIGTERM
  1    runtime failure: Redis unreachable, refused by ACL, out of memory, ...
  2    usage error: unknown flag, bad priority, bad duration, bad URL
  65   bad data: an invalid --stdin line, a stored task that cannot be read
  124  produce --wait --timeout ran out before the task finished (it stays queued)
  130  stopped by a second signal";

#[derive(Debug, Parser)]
#[command(
    name = "rpq",
    version,
    about = "A priority task queue on Redis: produce, consume, peek, from a terminal or a script",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin
    #[command(after_help = "\
Examples:
  rpq produce --interval 1s                      random tasks, one a second, until Ctrl+C
  rpq produce --count 100 --interval 0           100 random tasks as fast as possible
  rpq produce --type email --priority high --payload '{\"to\":\"a@b.c\"}'
  rpq produce --type ping --interval 30s         one ping task every 30s, until Ctrl+C
  rpq produce --type report --priority 3 --payload nightly --id report-2026-11-28
  jq -c '.[]' tasks.json | rpq produce --stdin   lines of {\"type\",\"priority\",\"payload\",\"id\"}
  out=$(rpq produce --type resize --payload img.png --wait --timeout 1m)
        a remote procedure call: the handler's output on stdout; exit 0 done,
        1 dead (its error on stderr), 124 not finished within 1m (it stays queued)
  rpq produce --type report --id report-$(date +%F) --keep-result 1d
        run once a day: while its result is kept, the id is refused (rpq result ID)")]
    Produce(ProduceArgs),

    /// Claim tasks, highest priority first, process them and acknowledge them
    #[command(after_help = "\
Examples:
  rpq consume --name c1                          print each task, forever
  rpq consume --drain --json                     take what is waiting, then exit
  rpq consume --exec ./handle.sh --max-attempts 5
        the task JSON arrives on stdin, with RPQ_TASK_ID, RPQ_TASK_TYPE,
        RPQ_TASK_PRIORITY, RPQ_TASK_ATTEMPT and RPQ_QUEUE in the environment;
        exit 0 = done (its stdout is the task's result), 65 = the task itself is
        bad (dead at once, no retry), anything else = failed and retried with backoff
  rpq consume -j 8 --exec ./handle.sh            up to 8 handlers at once
  rpq consume -j 4 --pipe 'python3 worker.py'    4 handlers kept running: each reads
        one task JSON a line on stdin and answers each with one line on stdout,
        {\"id\":..,\"ok\":true,\"result\":..} or {\"id\":..,\"ok\":false,\"error\":..,\"retry\":false}
        (retry false: dead at once); --pipe-depth K gives each K tasks at a time

The first SIGINT or SIGTERM finishes the tasks in hand and exits 0; a second one hands
them back to the queue at once and exits 130.")]
    Consume(ConsumeArgs),

    /// Show the next tasks in the order they would be claimed, without touching them
    #[command(after_help = "\
Examples:
  rpq peek                 the next task
  rpq peek -n 10 --json    the next ten, one JSON object a line")]
    Peek(PeekArgs),

    /// Print the number of tasks waiting, as a bare integer
    #[command(after_help = "\
Examples:
  n=$(rpq len)
  rpq len --priority high
  rpq len --json           waiting by priority, in flight, retrying, dead")]
    Len(LenArgs),

    /// Remove every task of the queue (waiting, in flight, retrying, dead) and say how many
    #[command(after_help = "\
Tasks in flight are cancelled as `rpq cancel` does: their consumers stop the handlers within
about a second and report them cancelled. Kept results, the totals (pushed, done, ...), the
consumers seen, the settings and the schedules stay; --all drops the results, totals and
consumers too. `rpq queues remove` deletes the queue itself.

Examples:
  rpq clear                asks first when stdin is a terminal
  rpq clear --yes
  rpq clear --all --yes    as if no task had ever run (settings and schedules stay)")]
    Clear(ClearArgs),

    /// Waiting by priority, in flight, dead, consumers seen, throughput of the last minute
    #[command(after_help = "\
Examples:
  rpq stats
  rpq stats --watch              redraw every 2s in place, like top; Ctrl+C to stop
  rpq stats --watch 10s --json   one JSON object every 10s, for a monitor
  rpq stats --json | jq .last_minute.done")]
    Stats(StatsArgs),

    /// The dead-letter set: tasks that ran out of attempts or could not be read
    #[command(
        subcommand,
        after_help = "\
Examples:
  rpq dead list                      each dead task with its last error
  rpq dead retry                     queue every dead task again, attempts reset
  rpq dead purge job-17 job-18       delete two of them for good"
    )]
    Dead(DeadCommand),

    /// A producer and two consumers of different speeds in one terminal
    #[command(after_help = "\
Uses --url when a server answers there, else starts a private redis-server on a free
port in a temporary directory and stops it at the end.

Examples:
  rpq demo
  rpq demo --duration 30s")]
    Demo(DemoArgs),

    /// A load generator: produce, consume and push-to-claim latency, checked for exactly-once
    #[command(after_help = "\
Runs three phases one after the other, each thread with its own connection: produce all
tasks (no consumer running), consume them all (claim + ack; with --exec or --pipe through
the consumer's engine and its handlers, as `rpq consume --drain`), then a latency phase where
idle consumers get tasks pushed one at a time. Every task must be consumed exactly once;
the exit status is 1 when any was lost or handed out twice.

Uses a fresh queue named bench-XXXXXXXX (or --queue, which must be empty) and deletes it
at the end.

Examples:
  rpq bench --spawn                                  a private redis-server, the defaults
  rpq bench --tasks 1000000 --producers 2 --consumers 4 --prefetch 16
  rpq bench --json | jq .consume_per_sec
  rpq bench --spawn --tasks 1000000 --step           look at Redis before consuming
  rpq bench --spawn --tasks 2000 --exec 'cat >/dev/null' -j 2 --latency-tasks 0
  rpq bench --spawn --tasks 50000 --pipe 'python3 worker.py' --latency-tasks 0")]
    Bench(BenchArgs),

    /// A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server
    #[command(after_help = "\
Examples:
  rpq serve                                  http://127.0.0.1:7464/ for every queue
  rpq --queue mail serve                     the queue 'mail' only
  rpq serve --listen 0.0.0.0:7464 --token-file /etc/rpq/token
  curl -s 127.0.0.1:7464/api/queues | jq     every queue's counts, as `stats --json`
  curl -s 127.0.0.1:7464/metrics             for Prometheus

A --listen address that is not loopback needs a token (--token-file, or RPQ_SERVE_TOKEN);
then every request carries it: `Authorization: Bearer TOKEN` for the API and /metrics, a
login form for the page. A read-only token (--read-token-file, or RPQ_SERVE_READ_TOKEN) opens
the GET routes and /metrics only: give it to a scraper. At start the soft open-file limit is
raised to the hard one; past --max-connections the oldest idle connection is closed to make
room, so /healthz still answers. The first SIGINT or SIGTERM ends open requests and exits 0.")]
    Serve(ServeArgs),
    /// Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers
    #[command(
        subcommand,
        after_help = "\
Running consumers fire due slots; each slot's task has the id NAME@<slot time>, so a slot
fires at most once however many consumers run, and a slot missed while none ran fires once
when one runs again (not once per missed slot).

Examples:
  rpq schedule add report --every 1h --type report --priority low
  rpq schedule add backup --cron '30 2 * * *' --tz Europe/Berlin --type backup
  rpq schedule list
  rpq schedule remove report"
    )]
    Schedule(ScheduleCommand),

    /// Groups of tasks (produce --group): their weights in the fair turns
    #[command(
        subcommand,
        after_help = "\
Within a priority, consumers take the groups with waiting tasks in turn, each in proportion to
its weight (1 unless set), first come first served within a group.

Examples:
  rpq group weight acme 3        acme gets three turns for one of a group of weight 1
  rpq group weight acme          show it"
    )]
    Group(GroupCommand),

    /// The groups with waiting tasks, the largest first: waiting, in flight, weight, limit, pause
    #[command(after_help = "\
Examples:
  rpq groups
  rpq groups --limit 10 --json
  rpq groups --limit 10 --after acme   the next page, after group acme")]
    Groups(GroupsArgs),

    /// Show or set aging: a waiting task claimed as if one priority higher per DUR it waited
    #[command(after_help = "\
Off by default: strict priority. With aging DUR a low task that waited 2 x DUR competes as a
high one (ties go to the task that arrived first), so it waits at most about 2 x DUR behind a
stream of high ones. Stored with the queue; every consumer follows it from its next claim.

Examples:
  rpq aging                show the setting
  rpq aging 30s
  rpq aging off")]
    Aging(AgingArgs),

    /// Lifecycle events of the queue: switch them on (--enable), read them, follow them
    #[command(after_help = "\
Once on, the scripts that change a task write each change (pushed, claimed, done, retry, dead,
cancelled, expired, released, lost, moved, ...) into the queue's stream, capped at --keep. Read
them as NDJSON with --json; --since resumes after an event id (every line carries its event_id),
or starts at a time or a duration ago.

Examples:
  rpq events --enable --keep 100000
  rpq events --since 10m
  rpq events --follow --json | jq -c 'select(.event == \"dead\")'
  rpq events --follow --json --since 1764340214123-0")]
    Events(EventsArgs),

    /// Webhooks: POST the queue's events to a URL, signed, delivered by `rpq serve`
    #[command(
        subcommand,
        after_help = "\
Each event the webhook is --on (all when not given) is sent at least once, in order, as one JSON
object: `rpq serve` reads the queue's events as a consumer group, so a restart resumes where it
stopped. With --secret-file, each request carries X-Rpq-Signature: t=<unix time>,v1=<hex
HMAC-SHA256 of \"<t>.<body>\" with the secret>. A 5xx, a timeout or a refused connection is
retried with backoff; a redirect is never followed.

Examples:
  rpq webhook add https://hooks.example.com/rpq --on dead,done --secret-file ./secret
  rpq webhook list
  rpq webhook remove wh-1a2b3c"
    )]
    Webhook(WebhookCommand),

    /// Flows: a graph of tasks that wait for each other (issue 24, docs/flows.md)
    #[command(
        subcommand,
        after_help = "\
A task pushed with `produce --after ID,...` waits, blocked, until each task it names is done;
`flow submit` queues a whole graph of such tasks at once, all or nothing.

Examples:
  rpq flow submit build.json
  rpq produce --type merge --after fetch-a,fetch-b"
    )]
    Flow(FlowCommand),
    // Inspecting and controlling (issue 13).
    /// Print a task's kept result: what its handler wrote (exit 1 when there is none)
    #[command(after_help = "\
A result is kept when the producer asked for it (produce --keep-result DUR, or --wait), from
the moment the task is done until DUR later. Without one (never asked for, not done yet, dead,
expired, unknown id), a line on stderr says which, and the exit status is 1.

Examples:
  rpq produce --type report --id report-2026-11-28 --keep-result 1d
  rpq result report-2026-11-28
  rpq result report-2026-11-28 --json | jq .finished_at")]
    Result(ResultArgs),

    /// Inside a handler: report progress, log, checkpoints, children, retry-after, once
    #[command(after_help = "\
Works inside an `rpq consume --exec` handler only: the consumer gives each handler RPQ_CONTROL
(its socket) and RPQ_CONTROL_KEY (this task's secret), and every call is applied with the task's
lease. A refused call (the lease was lost, the task ended, the consumer is gone) exits 1 with
one line on stderr. RPQ_FENCE is the task's fencing token: it grows with every claim. A
--batch call names each task with --task ID; a --pipe handler writes the same verbs as JSON
lines on its stdout instead (docs/handlers.md).

Examples:
  rpq ctl progress 40 'resized 4 of 10'
  long-job 2>&1 | rpq ctl log                 lines on stdin, kept with the task
  step=$(rpq ctl checkpoint get step || echo 0)
  rpq ctl checkpoint set step 3
  rpq ctl spawn --type thumb --payload '{\"n\":1}'   queued once this attempt is done
  rpq ctl once email-sent && send-email        at most once across every attempt
  rpq ctl retry-after 30s 'rate limited'      end this attempt; due again in 30s
  rpq ctl --task \"$id\" progress 50           in a --batch call: for its task $id")]
    Ctl(CtlArgs),

    /// Show tasks by id: state, priority, attempts, times, holder and lease, last error
    #[command(after_help = "\
An id the queue does not know is said on stderr, after the others; the exit status is 1 then.

Examples:
  rpq show job-17
  rpq show job-17 job-18 --json | jq -r .state")]
    Show(ShowArgs),

    /// List the tasks in one state, a page at a time, in the order they will be taken
    #[command(after_help = "\
Waiting tasks come in claim order, in-flight ones by lease deadline, retrying ones by retry
time, dead ones oldest first. --after continues after the last task of a page.

Examples:
  rpq list --state waiting                 the next 100 to be claimed
  rpq list --state in-flight               who holds what, until when
  rpq list --state retrying --type email -n 10
  rpq list --state dead --json | jq -r .error
  rpq list --state waiting --after jY0QjgzXRCfX")]
    List(ListArgs),

    /// Remove tasks for good; a task in flight is stopped by its consumer within a second
    #[command(after_help = "\
A waiting, retrying or dead task is removed with everything of it. A task in flight is
cancelled through its lease: its consumer learns it within a second, stops the handler (its
process group) and reports the outcome `cancelled`; the task does not come back.

Examples:
  rpq cancel job-17
  rpq list --state waiting --type mial --json | jq -r .id | xargs -r rpq cancel")]
    Cancel(CancelArgs),

    /// Give waiting or retrying tasks a new priority, or make retrying tasks due now
    #[command(after_help = "\
A moved task keeps its place in arrival order within its new priority.

Examples:
  rpq move job-17 --priority high
  rpq move job-18 --now                  retry it at once, not after its backoff")]
    Move(MoveArgs),

    /// Every queue on the server with its counts; `queues remove NAME` deletes one
    #[command(after_help = "\
Found with SCAN (never KEYS), on every primary of a cluster; a sharded queue is one line. A
queue exists from its first push or setting (aging, limit, pause, schedule add); consumers,
`len` and `peek` on a name that is none leave nothing behind.

Examples:
  rpq queues
  rpq queues --json | jq -r 'select(.dead > 0) | .queue'
  rpq queues remove old-mail         asks first when stdin is a terminal")]
    Queues(QueuesArgs),
    /// Show the effective settings and where each came from: flag, environment, profile, default
    #[command(after_help = "\
Precedence: a flag, then its environment variable, then the profile of the config file
($XDG_CONFIG_HOME/rpq/config.toml, or --config FILE / RPQ_CONFIG; [profile.NAME] chosen with
--profile NAME / RPQ_PROFILE, else [profile.default]), then the default. Passwords show as ***.

Examples:
  rpq config
  rpq --profile prod config
  rpq config --json | jq -r .settings.url.value")]
    Config(ConfigArgs),

    /// Stop consumers claiming (every priority, or one) until resumed or for a while
    #[command(after_help = "\
Consumers stop claiming at their next claim, wherever they run; they keep recovering expired
leases and retries meanwhile, and take the paused tasks once resumed (idle ones wake at
once). --for ends the pause by itself, on the Redis server's clock.

Examples:
  rpq pause                                stop every priority until `rpq resume`
  rpq pause --priority low --for 10m       low tasks wait ten minutes
  rpq stats --json | jq .paused")]
    Pause(PauseArgs),

    /// Let consumers claim again after `rpq pause`; idle ones wake at once
    #[command(after_help = "\
Examples:
  rpq resume                   every priority
  rpq resume --priority low")]
    Resume(ResumeArgs),

    /// Rate limits and in-flight caps, on every task or on one type; shows them without one
    #[command(after_help = "\
A rate is a token bucket on the Redis server's clock: --rate 50/s lets 50 tasks go per
second, up to --burst (default: the rate's number) at once after a quiet spell. An in-flight
cap lets at most N tasks be in flight at once; ack, fail, release, cancel and an expired lease
free a slot. Both hold across every consumer on every machine; a consumer that meets one
sleeps until the next token or free slot, and tasks of other types go on meanwhile.

Examples:
  rpq limit --type email --rate 100/m          100 emails a minute
  rpq limit --type report --max-in-flight 2    two reports at a time
  rpq limit --rate 1000/s --burst 100          every task of the queue
  rpq limit                                    the limits in force
  rpq limit --type email --off")]
    Limit(LimitArgs),

    /// Move queues of the older stored layouts (1, 2) to this rpq's (3), safely while workers run
    #[command(after_help = "\
Moves the queue (--queue, or every queue with --all) shard by shard, a step of at most 1,000
tasks at a time, each task once: ids, priorities, places in line, attempts, due times,
expiries, last errors and dead reasons, kept results, schedules, aging, pauses and limits
carry over. From its first step, producers and consumers of this rpq can run; start
consumers after it to keep strict priority order across the old and the new tasks. Tasks in
flight under the old layout stay with their holders (an older rpq) until they ack, fail or
release them, or until the lease ends; migrate waits for that and says which it waits for
(--wait DUR bounds the wait). Killed at any point, it goes on from where it stopped when run
again. A queue already at layout 3 is nothing to do (exit 0).

Prints one key=value line a step and one a queue (NDJSON with --json).

Examples:
  rpq migrate --dry-run              what would move, by state; writes nothing
  rpq --queue jobs migrate
  rpq migrate --all --wait 10m")]
    Migrate(MigrateArgs),

    /// Print a shell completion script
    #[command(after_help = "\
Examples:
  rpq completions bash > ~/.local/share/bash-completion/completions/rpq
  rpq completions zsh > ~/.zfunc/_rpq
  rpq completions fish > ~/.config/fish/completions/rpq.fish")]
    Completions(CompletionsArgs),

    /// Print a man page, or write every page into a directory, for reading offline
    #[command(after_help = "\
Examples:
  rpq man consume | man -l -                 read rpq-consume(1) without installing it
  rpq man dead list > rpq-dead-list.1        the page of a subcommand's subcommand
  rpq man --dir ~/.local/share/man/man1      install every page for you; then: man rpq-consume")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("parents").args(["after", "after_in"]).multiple(true)))]
pub struct ProduceArgs {
    /// Time between random tasks [default: 1s]; with --type, push one such task every DUR until stopped or --count (250ms, 1s, 2m; 0 = as fast as possible)
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub interval: Option<Duration>,

    /// Stop after N random tasks; with --type, push N such tasks, each with its own id (every --interval if given)
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Push one task of this type (with --priority and --payload)
    #[arg(long = "type", value_name = "TYPE", conflicts_with = "stdin")]
    pub kind: Option<String>,

    /// Priority of the one task: 1|2|3 or high|medium|low
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true, requires = "kind")]
    pub priority: Option<Priority>,

    /// Payload of the one task: JSON if it parses, else a string (past the kernel's 128 KiB for an argument: a line on --stdin)
    #[arg(long, value_name = "VALUE", requires = "kind")]
    pub payload: Option<String>,

    /// Id of the one task; an id that is already queued is not queued twice
    #[arg(long, value_name = "ID", requires = "kind")]
    pub id: Option<String>,

    /// Read JSON lines {"type","priority","payload","id"} from stdin, pushed in batches
    #[arg(long)]
    pub stdin: bool,

    /// Tasks per round trip with --stdin
    #[arg(long, default_value_t = 500, value_name = "K",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch: u64,

    // Time (issue 12): for the one task, every random one, and --stdin lines without their own.
    /// Due this long after Redis receives it (scheduled until then, by the server's clock)
    #[arg(long = "in", value_parser = parse_duration, value_name = "DUR", conflicts_with = "at")]
    pub due_in: Option<Duration>,

    // (help as an attribute: rustdoc would read the brackets as a link)
    #[arg(long, value_parser = parse_time, value_name = "TIME",
          help = "Due at TIME: RFC 3339, or YYYY-MM-DD HH:MM[:SS] in local time; a past TIME is now")]
    pub at: Option<DateTime<Utc>>,

    /// Debounce: due DUR after this push; a task of this --id still waiting or scheduled gets
    /// this payload and its due time moves to DUR from now (one run for a burst of pushes)
    #[arg(long, value_parser = parse_limit, value_name = "DUR", requires = "id",
          conflicts_with_all = ["due_in", "at", "stdin"])]
    pub debounce: Option<Duration>,

    /// With --debounce: keep the first payload of the burst, not the last
    #[arg(long, requires = "debounce")]
    pub keep_first: bool,

    /// Dead (reason "expired") unless claimed within DUR of falling due (not 0: leave it out for none)
    #[arg(long, value_parser = parse_limit, value_name = "DUR")]
    pub ttl: Option<Duration>,

    // The worker runtime (issue 11): settings that win over the consumer's flags, for the one
    // task, every random one, and --stdin lines without their own; and waiting for the one task.
    /// Attempts before the task goes to the dead set (wins over consume --max-attempts)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: Option<u32>,

    /// Stop the task's handler after DUR, a failed attempt (wins over consume --exec-timeout; not 0)
    #[arg(long, value_parser = parse_limit, value_name = "DUR")]
    pub exec_timeout: Option<Duration>,

    /// Keep the task's result DUR after it is done (`rpq result ID`); its --id stays taken meanwhile
    #[arg(long, value_parser = parse_limit, value_name = "DUR")]
    pub keep_result: Option<Duration>,

    /// Wait for the one task: print its result and exit 0 when done, exit 1 when dead
    #[arg(long, requires = "kind", conflicts_with = "stdin")]
    pub wait: bool,

    /// With --wait: give up after DUR, exit 124 (the task stays queued)
    #[arg(long, value_parser = parse_duration, value_name = "DUR", requires = "wait")]
    pub timeout: Option<Duration>,

    /// W3C trace context of the span that pushes (default: $TRACEPARENT), carried to handlers
    #[arg(long, value_name = "TRACEPARENT")]
    pub traceparent: Option<String>,

    /// W3C tracestate that goes with --traceparent
    #[arg(long, value_name = "TRACESTATE", requires = "traceparent")]
    pub tracestate: Option<String>,

    /// The tasks' group: groups take turns, fairly (a --stdin line says its own "group")
    #[arg(long, value_name = "KEY", conflicts_with = "stdin")]
    pub group: Option<String>,

    /// Wait for these tasks: blocked until each is done, then waiting (--stdin lines: "after")
    #[arg(
        long,
        value_name = "ID[,ID...]",
        requires = "kind",
        conflicts_with = "interval"
    )]
    pub after: Option<String>,

    /// Wait for these tasks of another queue of the server (repeatable; --stdin lines: "after" objects {"queue", "id"})
    #[arg(
        long,
        value_name = "QUEUE=ID[,ID...]",
        requires = "kind",
        conflicts_with = "interval"
    )]
    pub after_in: Vec<String>,

    /// What a parent's failure (dead, cancelled, expired) does: the task goes dead, runs, or is cancelled
    #[arg(long, value_enum, value_name = "WHAT", requires = "parents")]
    pub on_parent_failure: Option<crate::task::OnParentFailure>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("handler").args(["exec", "pipe"])))]
pub struct ConsumeArgs {
    /// Consumer name shown in output and stats [default: HOST-PID]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Simulated processing time per task
    #[arg(long, default_value = "0", value_parser = parse_duration, value_name = "DUR")]
    pub delay: Duration,

    /// Exit after N tasks, whatever their outcome (done, retry, dead, cancelled, lost, released)
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Exit when a claim finds nothing waiting and no retry scheduled
    #[arg(long)]
    pub drain: bool,

    /// Run `sh -c CMD` per task, the task JSON on stdin; exit 0 = done
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,

    /// Kill a handler (its process group) that runs longer than this; counts as a failure (not 0: leave it out for none)
    #[arg(long, value_parser = parse_limit, value_name = "DUR", requires = "handler")]
    pub exec_timeout: Option<Duration>,

    /// Lease on a claimed task; extended while the task is worked on
    #[arg(long, default_value = defaults::LEASE, value_parser = parse_duration, value_name = "DUR")]
    pub lease: Duration,

    /// Attempts before a task goes to the dead-letter set
    #[arg(long, default_value_t = defaults::MAX_ATTEMPTS, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,

    /// First retry delay after a failure; doubles with each attempt, with jitter
    #[arg(long, default_value = defaults::BACKOFF, value_parser = parse_duration, value_name = "DUR")]
    pub backoff: Duration,

    /// Claim up to K tasks at once, each with its own lease (fewer round trips for short tasks)
    #[arg(long, default_value_t = defaults::PREFETCH, value_name = "K",
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub prefetch: u64,

    // The worker runtime (issue 11).
    /// Run up to N tasks at once (N handlers), with one claim loop and one heartbeat
    #[arg(short = 'j', long = "concurrency", default_value_t = defaults::CONCURRENCY, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub concurrency: u64,

    /// Start CMD once per slot and keep it: tasks go to its stdin as JSON lines, it answers each with one
    #[arg(long, value_name = "CMD")]
    pub pipe: Option<String>,

    /// Tasks a --pipe handler holds at once; it may answer them in any order
    #[arg(long, default_value_t = defaults::PIPE_DEPTH, value_name = "K", requires = "pipe",
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub pipe_depth: u64,

    // Handlers that talk back (issue 25).
    /// Give one --exec call (or a --pipe handler at once) up to N tasks, NDJSON; it answers each with a line
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub batch: u64,

    /// Wait at most DUR for a --batch to fill before the call (default: not at all)
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub linger: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct PeekArgs {
    /// How many tasks
    #[arg(short = 'n', long = "count", default_value_t = 1, value_name = "N",
          value_parser = task_count_parser())]
    pub n: usize,
}

#[derive(Debug, Args)]
pub struct LenArgs {
    /// Count one priority only: 1|2|3 or high|medium|low
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true)]
    pub priority: Option<Priority>,
}

#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Also drop the kept results, the totals and the consumers seen
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Refresh every DUR (default 2s): in place on a terminal, else a snapshot per interval
    #[arg(long, value_name = "DUR", num_args = 0..=1, default_missing_value = "2s",
          value_parser = parse_duration)]
    pub watch: Option<Duration>,

    /// The history kept in Redis over the last DUR (up to 30d): a point a minute up to 48h,
    /// an hour beyond
    #[arg(long, value_name = "DUR", value_parser = parse_duration, conflicts_with = "watch")]
    pub since: Option<Duration>,

    /// Show the N groups with the most waiting tasks, the others summed (0: none, not read)
    #[arg(long, value_name = "N", default_value_t = 10, conflicts_with = "since")]
    pub groups: usize,
}

#[derive(Debug, Subcommand)]
pub enum DeadCommand {
    /// List dead tasks, oldest first, with their last error
    #[command(after_help = "\
Examples:
  rpq dead list
  rpq dead list -n 10 --json | jq -r '.id + \" \" + .error'")]
    List(DeadListArgs),
    /// Queue dead tasks again with their attempts reset (all, or the ids given)
    #[command(after_help = "\
Examples:
  rpq dead retry                     every dead task
  rpq dead retry job-17 job-18       these two only
  rpq dead list --json | jq -r 'select(.type == \"email\") | .id' | xargs -r rpq dead retry

An id that is not in the dead set is named on stderr, and the exit status is 1.")]
    Retry(DeadIdsArgs),
    /// Delete dead tasks for good (all, or the ids given)
    #[command(after_help = "\
Examples:
  rpq dead purge                     every dead task; asks first when stdin is a terminal
  rpq dead purge --yes
  rpq dead purge job-17              this one only

An id that is not in the dead set is named on stderr, and the exit status is 1.")]
    Purge(DeadPurgeArgs),
}

#[derive(Debug, Args)]
pub struct DeadListArgs {
    /// At most N tasks
    #[arg(short = 'n', long = "count", default_value_t = 100, value_name = "N",
          value_parser = task_count_parser())]
    pub n: usize,
}

#[derive(Debug, Args)]
pub struct DeadIdsArgs {
    /// Task ids; none means every dead task
    pub ids: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeadPurgeArgs {
    /// Task ids; none means every dead task
    pub ids: Vec<String>,

    /// Do not ask for confirmation when purging every dead task
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Stop after this long [default: until Ctrl+C]
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub duration: Option<Duration>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("bench_handler").args(["exec", "pipe"])))]
pub struct BenchArgs {
    /// Tasks to produce and consume
    #[arg(long, default_value_t = 100_000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub tasks: u64,

    /// Producer threads, each with its own connection
    #[arg(long, default_value_t = 1, value_name = "P",
          value_parser = clap::value_parser!(u64).range(1..=256))]
    pub producers: u64,

    /// Consumer threads, each with its own connection
    #[arg(long, default_value_t = 1, value_name = "C",
          value_parser = clap::value_parser!(u64).range(1..=256))]
    pub consumers: u64,

    /// Payload size of each task, in bytes
    #[arg(long, default_value_t = 100, value_name = "B",
          value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub payload_bytes: u64,

    /// Tasks per push (one round trip each)
    #[arg(long, default_value_t = 500, value_name = "K",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch: u64,

    /// Tasks per claim (one round trip each)
    #[arg(long, default_value_t = 1, value_name = "K",
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub prefetch: u64,

    /// Tasks of the latency phase, pushed one at a time to idle consumers (0 skips it)
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub latency_tasks: u64,

    /// Start a private redis-server on a free port instead of using --url
    #[arg(long)]
    pub spawn: bool,

    /// After producing, wait for a line on stdin before consuming (to look at Redis meanwhile)
    #[arg(long)]
    pub step: bool,

    // Time (issue 12).
    /// Tasks of the scheduled phase, due at known times and claimed by idle consumers (0 skips)
    #[arg(long, default_value_t = 200, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub scheduled_tasks: u64,

    /// Before consuming, schedule N more tasks a day ahead (claims must not slow with them)
    #[arg(long, default_value_t = 0, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=100_000_000))]
    pub scheduled_backlog: u64,

    /// Produce every task due DUR later; consuming starts once all are due (a burst falling due)
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub due_in: Option<Duration>,

    /// Turn aging on with this step for the run (the claim cost with aging on)
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub aging: Option<Duration>,

    /// Turn lifecycle events on for the run (what writing them costs each push, claim and ack)
    #[arg(long)]
    pub events: bool,

    // The worker runtime (issue 11): the consume phase through the consumer's engine.
    /// Consume with `sh -c CMD` per task, as `consume --exec` does
    #[arg(long, value_name = "CMD", conflicts_with = "pipe")]
    pub exec: Option<String>,

    /// Consume through CMD kept running, as `consume --pipe` does
    #[arg(long, value_name = "CMD")]
    pub pipe: Option<String>,

    /// Handlers at once per consumer, as `consume -j` (with --exec or --pipe)
    #[arg(short = 'j', long = "concurrency", default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=1024), requires = "bench_handler")]
    pub concurrency: u64,
    // Controls (issue 13).
    /// Limit the bench's tasks to N/DUR while consuming (the claim cost with a rate limit)
    #[arg(long, value_name = "N/DUR", value_parser = parse_rate)]
    pub rate: Option<crate::queue::Rate>,

    /// Cap the bench's tasks in flight while consuming (the claim cost with a cap)
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub max_in_flight: Option<u64>,

    // Groups (issue 23).
    /// Spread the tasks over N groups in turn, claimed fairly (the claim cost of groups)
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub groups: Option<u64>,

    /// Cap every group's tasks in flight at N while consuming, as `limit --each-group`
    #[arg(long, value_name = "N", requires = "groups",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub group_cap: Option<u64>,
}

#[derive(Debug, Args)]
pub struct GroupsArgs {
    /// Show at most N groups (the largest first)
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub limit: usize,

    /// Continue after this group (the last of the page before)
    #[arg(long, value_name = "KEY")]
    pub after: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Show or set a group's weight (1 to 1000; 1 unless set)
    #[command(after_help = "\
Examples:
  rpq group weight acme 3
  rpq group weight acme")]
    Weight {
        /// The group's key, as produce --group gave it
        #[arg(value_name = "KEY")]
        group: String,
        /// Its weight: turns for one of a group of weight 1
        #[arg(value_name = "W", value_parser = clap::value_parser!(u32).range(1..=1000))]
        weight: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add a schedule, or replace the one of that name
    #[command(
        group(ArgGroup::new("when").required(true).args(["every", "cron"])),
        after_help = "\
--every DUR fires on the multiples of DUR since the Unix epoch (--every 1h on the hour, UTC).
--cron takes 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first,
in --tz (default UTC): a local time skipped by a DST change fires right after the change, one
repeated by it fires once.

Examples:
  rpq schedule add report --every 1h --type report --priority low --payload '{\"kind\":\"hourly\"}'
  rpq schedule add backup --cron '30 2 * * *' --tz Europe/Berlin --type backup --ttl 1h"
    )]
    Add(ScheduleAddArgs),
    /// List the schedules with their next fire time and the last slot fired
    #[command(after_help = "\
Examples:
  rpq schedule list
  rpq schedule list --json | jq -r '.name + \" \" + .next_at'")]
    List,
    /// Remove a schedule: no slot fires after this returns
    #[command(after_help = "\
Examples:
  rpq schedule remove report")]
    Remove(ScheduleRemoveArgs),
}

#[derive(Debug, Args)]
pub struct ScheduleAddArgs {
    #[arg(help = "Its name; each slot's task gets the id NAME@<slot time>")]
    pub name: String,

    /// Fire every DUR (at least 1s)
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub every: Option<Duration>,

    /// Fire on a cron spec, such as '30 2 * * *'
    #[arg(long, value_name = "SPEC")]
    pub cron: Option<String>,

    /// Time zone of --cron, such as Europe/Berlin [default: UTC]
    #[arg(long, value_name = "ZONE", requires = "cron")]
    pub tz: Option<String>,

    /// Type of the task each slot queues
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: String,

    /// Its priority: 1|2|3 or high|medium|low [default: medium]
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true)]
    pub priority: Option<Priority>,

    /// Its payload: JSON if it parses, else a string
    #[arg(long, value_name = "VALUE")]
    pub payload: Option<String>,

    /// Its ttl: dead (reason "expired") unless claimed within DUR of its slot (not 0)
    #[arg(long, value_parser = parse_limit, value_name = "DUR")]
    pub ttl: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct ScheduleRemoveArgs {
    /// The schedule's name
    pub name: String,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Switch the queue's events on
    #[arg(long, conflicts_with_all = ["disable", "follow", "since"])]
    pub enable: bool,

    /// With --enable: keep about N of the newest events (default 100000)
    #[arg(long, value_name = "N", requires = "enable",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub keep: Option<u64>,

    /// Switch them off (the events kept are deleted)
    #[arg(long, conflicts_with_all = ["follow", "since"])]
    pub disable: bool,

    /// After the events kept, wait for new ones until Ctrl+C
    #[arg(long, short = 'f')]
    pub follow: bool,

    /// Begin after this event id, or at this time (RFC 3339) or this long ago (10m)
    #[arg(long, value_name = "ID|TIME")]
    pub since: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Add a webhook for the queue's events
    #[command(after_help = "\
Examples:
  rpq webhook add https://hooks.example.com/rpq --on dead --secret-file ./secret
  rpq --queue mail webhook add http://127.0.0.1:8080/events")]
    Add(WebhookAddArgs),
    /// List the webhooks with their delivery state
    #[command(after_help = "\
Examples:
  rpq webhook list
  rpq webhook list --json | jq '.delivery.pending'")]
    List,
    /// Remove a webhook by its id or URL
    #[command(after_help = "\
Examples:
  rpq webhook remove wh-1a2b3c4d
  rpq webhook remove https://hooks.example.com/rpq")]
    Remove(WebhookRemoveArgs),
}

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Queue a JSON document of tasks with local names and `after` lists, all or nothing
    #[command(after_help = "\
The document is {\"tasks\": [...]}, each task a --stdin line with a local \"name\" and
\"after\": the names of the flow's tasks it waits for. A cycle (its path is said), a name
given twice or an `after` naming no task of the flow is refused, and nothing is queued.
Prints the id of each task (--json: {\"name\",\"id\",\"queued\"} a line).

Examples:
  rpq flow submit build.json
  echo '[{\"name\":\"a\",\"type\":\"fetch\",\"priority\":1},
        {\"name\":\"b\",\"type\":\"merge\",\"priority\":1,\"after\":[\"a\"]}]' | rpq flow submit -")]
    Submit(FlowSubmitArgs),
    /// Cancel a task and every task after it in its flow that has not run yet
    #[command(after_help = "\
ID is any task of a flow, its root or a node inside: it and every task downstream of it
(its children, theirs, ...) that has not run are cancelled as `rpq cancel` does each: waiting,
blocked and retrying tasks are removed, one in flight is stopped by its consumer. Tasks that
already ran (done, dead) are left. A task downstream of one that finished is found for the
finished window (`rpq flow window`). Prints each task cancelled (--json: as `cancel`); exit 1
when the queue knows no such task.

Examples:
  rpq flow cancel checkout
  rpq --json flow cancel \"$root\" | jq -r .id")]
    Cancel(FlowCancelArgs),
    /// Show or set how long finished ids are known (the finished window)
    #[command(after_help = "\
A shard with flows knows each id it finished for the window (an hour unless set), so that
`produce --after ID` of a parent that finished a moment before the push is not refused, and
`rpq flow cancel` of a root that ran finds the children it had. What a finished flow leaves
(those ids, and which children each parent had) goes once the window has passed, and when no
flow is left the queue goes back to the fast claim. A longer window knows parents for longer
and keeps one entry for each task finished in it.

Examples:
  rpq flow window
  rpq flow window 10m")]
    Window(FlowWindowArgs),
}

#[derive(Debug, Args)]
pub struct FlowWindowArgs {
    /// The new window (1s at least); none: print it
    #[arg(value_name = "DUR", value_parser = parse_window)]
    pub window: Option<Duration>,
}

/// The finished window of flows: a duration of a second or more.
fn parse_window(s: &str) -> Result<Duration, String> {
    let d = crate::task::parse_limit(s)?;
    if d < Duration::from_secs(1) {
        return Err("the window is 1s at least".into());
    }
    Ok(d)
}

#[derive(Debug, Args)]
pub struct FlowCancelArgs {
    /// A task of the flow: it and what comes after it
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct FlowSubmitArgs {
    /// The flow document, or - for stdin
    #[arg(value_name = "FILE|-")]
    pub file: String,
}

#[derive(Debug, Args)]
pub struct WebhookAddArgs {
    /// http:// or https:// URL
    #[arg(value_name = "URL")]
    pub target: String,

    /// Events to send, comma-separated (default: all)
    #[arg(long, value_name = "EVENTS", value_delimiter = ',')]
    pub on: Vec<String>,

    /// File whose first line is the signing secret
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct WebhookRemoveArgs {
    /// The webhook's id (from `webhook list`) or its URL
    #[arg(value_name = "ID|URL")]
    pub which: String,
}

#[derive(Debug, Args)]
pub struct AgingArgs {
    /// DUR (such as 30s) to turn aging on, or off; none shows the setting
    #[arg(value_name = "DUR|off", value_parser = parse_aging)]
    pub step: Option<Aging>,
}

/// What `rpq aging` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aging {
    Off,
    Every(Duration),
}

fn parse_aging(s: &str) -> Result<Aging, String> {
    if s.trim().eq_ignore_ascii_case("off") {
        return Ok(Aging::Off);
    }
    match parse_duration(s) {
        Ok(d) if d >= Duration::from_millis(1) => Ok(Aging::Every(d)),
        Ok(_) => Err("aging 0 is no aging; say off".into()),
        Err(_) => Err(format!(
            "'{s}' is not a duration or off; use 30s, 5m or off"
        )),
    }
}

/// A time: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in local time.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    crate::task::parse_time(s)
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; one that is not loopback needs a token
    #[arg(long, default_value = "127.0.0.1:7464", value_name = "ADDR", value_parser = parse_listen)]
    pub listen: SocketAddr,

    /// File holding the token every request must carry (wins over RPQ_SERVE_TOKEN)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// File holding a read-only token: GET routes and /metrics, never a change (for a
    /// scraper; wins over RPQ_SERVE_READ_TOKEN; needs the full token too)
    #[arg(long, value_name = "FILE")]
    pub read_token_file: Option<PathBuf>,

    /// Connections served at once; past it the oldest idle one is closed to make room
    /// [default: half the open-file limit, at most 4096]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: Option<u32>,

    /// Close a connection that sends no whole request header for DUR: idle keep-alives and
    /// slow clients (100ms to 1h)
    #[arg(long, default_value = "20s", value_parser = parse_duration, value_name = "DUR")]
    pub idle_timeout: Duration,

    /// Groups of each queue given a series of their own in /metrics, the largest backlogs
    /// first; the others are summed as group "(other)" (0: none)
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub metrics_groups: u32,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (`dead list` for rpq-dead-list); none: rpq's own
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,

    /// Write every page (rpq.1, rpq-consume.1, ...) into DIR, made if missing
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
}

// Inspecting and controlling (issue 13).

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Task ids
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,

    /// Also the lines its handlers logged with `rpq ctl log` (the last 100)
    #[arg(long)]
    pub log: bool,
}

/// `rpq ctl [--task ID] VERB` (issue 25).
#[derive(Debug, Args)]
pub struct CtlArgs {
    /// The task to act for: each task of a `consume --batch` call by its id (elsewhere, the
    /// handler's own task, checked)
    #[arg(long, value_name = "ID")]
    pub task: Option<String>,

    #[command(subcommand)]
    pub verb: CtlCommand,
}

/// `rpq ctl VERB` (issue 25).
#[derive(Debug, Subcommand)]
pub enum CtlCommand {
    /// How far the task is, 0 to 100, with an optional message
    #[command(after_help = "Examples:\n  rpq ctl progress 40 'resized 4 of 10'")]
    Progress {
        /// Percent done, 0 to 100
        #[arg(value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
        percent: u8,
        /// What it is doing (words are joined with spaces)
        #[arg(value_name = "MESSAGE", trailing_var_arg = true)]
        message: Vec<String>,
    },
    /// Keep a line of log with the task (its last 100 lines are kept); none given: stdin's
    #[command(
        after_help = "Examples:\n  rpq ctl log 'fetched 120 rows'\n  long-job 2>&1 | rpq ctl log"
    )]
    Log {
        /// The line (words are joined with spaces); without it, each line of stdin
        #[arg(value_name = "TEXT", trailing_var_arg = true)]
        text: Vec<String>,
    },
    /// Hold the task's lease for at least DUR from now
    #[command(after_help = "Examples:\n  rpq ctl extend 10m")]
    Extend {
        /// How long, from now (at most 24h)
        #[arg(value_name = "DUR", value_parser = parse_duration)]
        duration: Duration,
    },
    /// Checkpoints: kept across attempts, so a retry can resume
    #[command(
        subcommand,
        after_help = "Examples:\n  rpq ctl checkpoint set step 3\n  step=$(rpq ctl checkpoint get step || echo 0)"
    )]
    Checkpoint(CheckpointCommand),
    /// A child task, queued only if this attempt ends done (with its ack, exactly once)
    #[command(
        after_help = "Examples:\n  rpq ctl spawn --type thumb --payload '{\"n\":1}' --priority high"
    )]
    Spawn {
        /// The child's type
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// Its priority: 1|2|3 or high|medium|low
        #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, default_value = "2")]
        priority: Priority,
        /// JSON if it parses, else a JSON string
        #[arg(long, value_name = "VALUE", default_value = "null")]
        payload: String,
        /// Its own id (default: a new one)
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// End this attempt as a failure due again in DUR (not after the backoff), once the handler exits
    #[command(after_help = "Examples:\n  rpq ctl retry-after 30s 'rate limited (429)'; exit 0")]
    RetryAfter {
        /// When the task is due again, from the end of this attempt
        #[arg(value_name = "DUR", value_parser = parse_duration)]
        duration: Duration,
        /// Why, kept as the attempt's error (words are joined with spaces)
        #[arg(value_name = "REASON", trailing_var_arg = true)]
        reason: Vec<String>,
    },
    /// Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it
    #[command(after_help = "Examples:\n  rpq ctl once send-email && send-email \"$TO\"")]
    Once {
        /// The effect's name, up to 200 bytes
        #[arg(value_name = "KEY")]
        key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CheckpointCommand {
    /// Set KEY to VALUE
    #[command(after_help = "Examples:\n  rpq ctl checkpoint set step 3")]
    Set {
        /// The checkpoint's name, up to 200 bytes
        #[arg(value_name = "KEY")]
        key: String,
        /// Its value, up to 64 KiB
        #[arg(value_name = "VALUE")]
        value: String,
    },
    /// Print KEY's value; exit 1 (and print nothing) when it was never set
    #[command(after_help = "Examples:\n  step=$(rpq ctl checkpoint get step || echo 0)")]
    Get {
        /// The checkpoint's name
        #[arg(value_name = "KEY")]
        key: String,
    },
}

#[derive(Debug, Args)]
pub struct ResultArgs {
    /// The task's id
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tasks, by their state
    #[arg(long, value_name = "STATE", value_parser = state_parser())]
    pub state: State,

    /// Only tasks of this type
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,

    /// Only tasks of this priority: 1|2|3 or high|medium|low
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true)]
    pub priority: Option<Priority>,

    /// At most N tasks
    #[arg(short = 'n', long = "count", default_value_t = 100, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub n: u64,

    /// Continue after this task (the last of the page before)
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// Task ids
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").required(true).multiple(true)
    .args(["priority", "now"])))]
pub struct MoveArgs {
    /// Task ids
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,

    /// The new priority: 1|2|3 or high|medium|low
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true)]
    pub priority: Option<Priority>,

    /// Make retrying tasks due now: they wait in line at once
    #[arg(long)]
    pub now: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Every queue of the server, not only --queue
    #[arg(long)]
    pub all: bool,

    /// Say what would move, by queue, shard and state, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Wait at most DUR for tasks in flight under the old layout (default: until they end); exit 1 when some are left, run again later
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub wait: Option<Duration>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QueuesArgs {
    #[command(subcommand)]
    pub command: Option<QueuesCommand>,
}

#[derive(Debug, Subcommand)]
pub enum QueuesCommand {
    /// Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules
    #[command(after_help = "\
Refused while consumers are seen on it (they would go on with their leases lost), unless
--force. Works on sharded queues and on a cluster; says what it removed.

Examples:
  rpq queues remove old-mail                asks first when stdin is a terminal
  rpq queues remove old-mail --yes --json")]
    Remove(QueuesRemoveArgs),
}

#[derive(Debug, Args)]
pub struct QueuesRemoveArgs {
    /// The queue to delete
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Remove it even while consumers are seen on it
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PauseArgs {
    /// Pause only this priority: 1|2|3 or high|medium|low [default: every priority]
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true)]
    pub priority: Option<Priority>,

    /// Resume by itself after DUR, by the Redis server's clock [default: until `rpq resume`]
    #[arg(long = "for", value_name = "DUR", value_parser = parse_positive_duration)]
    pub for_: Option<Duration>,

    /// Pause only this group's tasks (produce --group); other groups go on
    #[arg(long, value_name = "KEY", conflicts_with = "priority")]
    pub group: Option<String>,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Resume only this priority: 1|2|3 or high|medium|low [default: every priority]
    #[arg(long, value_name = "P", value_parser = priority_parser(), hide_possible_values = true, ignore_case = true, allow_negative_numbers = true)]
    pub priority: Option<Priority>,

    /// Resume this group (rpq pause --group)
    #[arg(long, value_name = "KEY", conflicts_with = "priority")]
    pub group: Option<String>,
}

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Limit the tasks of this type [default: every task of the queue]
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,

    /// Limit the tasks of this group (produce --group); its own limit overrides --each-group's
    #[arg(long, value_name = "KEY", conflicts_with_all = ["kind", "each_group"])]
    pub group: Option<String>,

    /// Limit each group on its own (a group's own --group limit overrides it)
    #[arg(long, conflicts_with = "kind")]
    pub each_group: bool,

    /// At most N tasks claimed per DUR: 50/s, 100/m, 5/10s
    #[arg(long, value_name = "N/DUR", value_parser = parse_rate)]
    pub rate: Option<crate::queue::Rate>,

    /// How many may go at once after a quiet spell [default: the rate's N]
    #[arg(long, value_name = "B", requires = "rate",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub burst: Option<u64>,

    /// At most N tasks in flight at once, across every consumer
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub max_in_flight: Option<u64>,

    /// Remove the limits (of --type, or on every task); its waiting tasks go on at once
    #[arg(long, conflicts_with_all = ["rate", "burst", "max_in_flight"])]
    pub off: bool,
}

/// A rate, `N/DUR`: `50/s`, `100/1m`, `5/10s` (a unit alone is one of it).
pub fn parse_rate(s: &str) -> Result<crate::queue::Rate, String> {
    let bad = || format!("'{s}' is not a rate; use N/DUR such as 50/s, 100/m or 5/10s");
    let (n, per) = s.trim().split_once('/').ok_or_else(bad)?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    let per = per.trim();
    let per = if per.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("1{per}")
    } else {
        per.to_string()
    };
    let per = parse_duration(&per).map_err(|_| bad())?;
    if n == 0 {
        return Err(format!("'{s}': a rate of 0 lets nothing go; use rpq pause"));
    }
    if per < Duration::from_millis(1) {
        return Err(format!("'{s}': the duration must be at least 1ms"));
    }
    // The rate's N is the default burst, so it takes --burst's bound: a bucket of 2^64-1
    // tokens would be a double in the claim script, and no longer count one by one.
    if n > 1_000_000_000 {
        return Err(format!(
            "'{s}': at most 1000000000 tasks per duration; use a shorter duration"
        ));
    }
    Ok(crate::queue::Rate { n, per })
}

/// A duration that is more than zero.
fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d >= Duration::from_millis(1) => Ok(d),
        _ => Err(format!("'{s}' is no time at all; use 250ms, 1s, 2m")),
    }
}

/// `--state`: the names of `STATES`, so a new state is offered (and completed) by itself.
fn state_parser() -> impl clap::builder::TypedValueParser<Value = State> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(STATES.map(|d| d.name))
        .map(|s| s.parse::<State>().expect("a name of STATES"))
}

/// `1|2|3|high|medium|low`, as the possible values a completion offers after `--priority`.
pub fn priority_parser() -> impl clap::builder::TypedValueParser<Value = Priority> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["1", "2", "3", "high", "medium", "low"]).map(|s| {
        s.parse::<Priority>()
            .expect("a possible value is a priority")
    })
}

/// `-n N` of peek, list and dead list: one rule, 1 to 100,000 (0 is a usage error, as an
/// empty answer to a question nobody asked would hide a typo).
pub fn task_count_parser() -> impl clap::builder::TypedValueParser<Value = usize> {
    use clap::builder::TypedValueParser;
    clap::value_parser!(u64)
        .range(1..=100_000)
        .map(|n| n as usize)
}

/// `--listen HOST:PORT`: an address, or a host name resolved now (`localhost:7464`).
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let bad = |why: &str| {
        format!("'{s}' is not an address to listen on ({why}); use HOST:PORT, e.g. 127.0.0.1:7464, [::1]:7464 or localhost:7464")
    };
    if !s
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
    {
        return Err(bad("no port"));
    }
    let mut addrs: Vec<SocketAddr> = s
        .to_socket_addrs()
        .map_err(|e| bad(&format!("the host name does not resolve: {e}")))?
        .collect();
    // IPv4 first, as 127.0.0.1 is what a browser tries for localhost most often.
    addrs.sort_by_key(|a| a.is_ipv6());
    addrs
        .into_iter()
        .next()
        .ok_or_else(|| bad("the host name has no address"))
}

/// A human duration: `250ms`, `1s`, `2m`, `1h30m`; a bare number is seconds, `0` is none; at
/// most `task::MAX_DURATION`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::task::parse_duration(s)
}

/// A ttl or a time limit: a duration, and not 0 (`task::parse_limit`).
fn parse_limit(s: &str) -> Result<Duration, String> {
    crate::task::parse_limit(s)
}

/// Parses the process arguments; clap's error knows its own exit code.
pub fn parse() -> Result<Cli, clap::Error> {
    Cli::try_parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_are_human() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn global_options_go_before_or_after_the_subcommand() {
        let a = Cli::try_parse_from(["rpq", "--queue", "q1", "len"]).unwrap();
        let b = Cli::try_parse_from(["rpq", "len", "--queue", "q1", "--json"]).unwrap();
        assert_eq!(a.global.queue.as_deref(), Some("q1"));
        assert_eq!(b.global.queue.as_deref(), Some("q1"));
        assert!(b.global.json);
    }

    /// Every flag has a one-line help and every command an example section in its --help.
    #[test]
    fn every_flag_and_command_is_documented() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                match arg.get_help().map(|h| h.to_string()) {
                    Some(h) if !h.is_empty() && !h.contains('\n') => {}
                    _ => missing.push(format!("{path} {id}: no one-line help")),
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.is_hide_set() || sub.get_name() == "help" {
                    continue;
                }
                let path = format!("{path} {}", sub.get_name());
                let examples = sub.get_after_help().is_some_and(|h| {
                    let h = h.to_string();
                    h.split_once("Examples:\n")
                        .is_some_and(|(_, e)| e.contains("rpq "))
                });
                if !examples {
                    missing.push(format!("{path}: no Examples section"));
                }
                if sub.get_about().is_none() {
                    missing.push(format!("{path}: no about line"));
                }
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "rpq", &mut missing);
        assert!(missing.is_empty(), "{missing:#?}");
    }

    #[test]
    fn watch_takes_an_optional_duration() {
        let parse = |args: &[&str]| match Cli::try_parse_from(args).unwrap().command {
            Command::Stats(a) => a.watch,
            _ => unreachable!(),
        };
        assert_eq!(parse(&["rpq", "stats"]), None);
        assert_eq!(
            parse(&["rpq", "stats", "--watch"]),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse(&["rpq", "stats", "--watch", "--json"]),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse(&["rpq", "stats", "--watch", "500ms"]),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn rates_are_a_number_per_a_duration() {
        let r = parse_rate("50/s").unwrap();
        assert_eq!((r.n, r.per), (50, Duration::from_secs(1)));
        let r = parse_rate("100/1m").unwrap();
        assert_eq!((r.n, r.per), (100, Duration::from_secs(60)));
        let r = parse_rate("5/250ms").unwrap();
        assert_eq!((r.n, r.per), (5, Duration::from_millis(250)));
        for bad in [
            "50",
            "x/s",
            "0/s",
            "5/0",
            "5/soon",
            "-1/s",
            "1.5/s",
            "1000000001/s",
            "18446744073709551615/s",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        let e = Cli::try_parse_from(["rpq", "limit", "--burst", "3"]).unwrap_err();
        assert_eq!(e.exit_code(), 2, "--burst needs a --rate");
        let e = Cli::try_parse_from(["rpq", "limit", "--off", "--rate", "1/s"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(Cli::try_parse_from(["rpq", "pause", "--for", "0"]).is_err());
    }

    #[test]
    fn bad_priorities_are_usage_errors() {
        let e = Cli::try_parse_from(["rpq", "len", "--priority", "urgent"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
