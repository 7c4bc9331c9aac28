# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rpq_global_optspecs
    string join \n url= cluster queue= json tls-ca= tls-cert= tls-key= tls-insecure password-file= shards= config= profile= q/quiet v/verbose log-format= h/help V/version
end

function __fish_rpq_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rpq_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rpq_using_subcommand
    set -l cmd (__fish_rpq_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rpq -n "__fish_rpq_needs_command" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_needs_command" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_needs_command" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_needs_command" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_needs_command" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_needs_command" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_needs_command" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_needs_command" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_needs_command" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_needs_command" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_needs_command" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_needs_command" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_needs_command" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_needs_command" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_needs_command" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_needs_command" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_needs_command" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "produce" -d 'Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "consume" -d 'Claim tasks, highest priority first, process them and acknowledge them'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "peek" -d 'Show the next tasks in the order they would be claimed, without touching them'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "len" -d 'Print the number of tasks waiting, as a bare integer'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "clear" -d 'Remove every task of the queue (waiting, in flight, retrying, dead) and say how many'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "stats" -d 'Waiting by priority, in flight, dead, consumers seen, throughput of the last minute'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "dead" -d 'The dead-letter set: tasks that ran out of attempts or could not be read'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "demo" -d 'A producer and two consumers of different speeds in one terminal'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "bench" -d 'A load generator: produce, consume and push-to-claim latency, checked for exactly-once'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "serve" -d 'A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "schedule" -d 'Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "group" -d 'Groups of tasks (produce --group): their weights in the fair turns'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "groups" -d 'The groups with waiting tasks, the largest first: waiting, in flight, weight, limit, pause'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "aging" -d 'Show or set aging: a waiting task claimed as if one priority higher per DUR it waited'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "events" -d 'Lifecycle events of the queue: switch them on (--enable), read them, follow them'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "webhook" -d 'Webhooks: POST the queue\'s events to a URL, signed, delivered by `rpq serve`'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "flow" -d 'Flows: a graph of tasks that wait for each other (issue 24, docs/flows.md)'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "result" -d 'Print a task\'s kept result: what its handler wrote (exit 1 when there is none)'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "ctl" -d 'Inside a handler: report progress, log, checkpoints, children, retry-after, once'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "show" -d 'Show tasks by id: state, priority, attempts, times, holder and lease, last error'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "list" -d 'List the tasks in one state, a page at a time, in the order they will be taken'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "cancel" -d 'Remove tasks for good; a task in flight is stopped by its consumer within a second'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "move" -d 'Give waiting or retrying tasks a new priority, or make retrying tasks due now'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "queues" -d 'Every queue on the server with its counts; `queues remove NAME` deletes one'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "config" -d 'Show the effective settings and where each came from: flag, environment, profile, default'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "pause" -d 'Stop consumers claiming (every priority, or one) until resumed or for a while'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "resume" -d 'Let consumers claim again after `rpq pause`; idle ones wake at once'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "limit" -d 'Rate limits and in-flight caps, on every task or on one type; shows them without one'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "migrate" -d 'Move queues of the older stored layouts (1, 2) to this rpq\'s (3), safely while workers run'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "man" -d 'Print a man page, or write every page into a directory, for reading offline'
complete -c rpq -n "__fish_rpq_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l interval -d 'Time between random tasks [default: 1s]; with --type, push one such task every DUR until stopped or --count (250ms, 1s, 2m; 0 = as fast as possible)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l count -d 'Stop after N random tasks; with --type, push N such tasks, each with its own id (every --interval if given)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l type -d 'Push one task of this type (with --priority and --payload)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l priority -d 'Priority of the one task: 1|2|3 or high|medium|low' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l payload -d 'Payload of the one task: JSON if it parses, else a string (past the kernel\'s 128 KiB for an argument: a line on --stdin)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l id -d 'Id of the one task; an id that is already queued is not queued twice' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l batch -d 'Tasks per round trip with --stdin' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l in -d 'Due this long after Redis receives it (scheduled until then, by the server\'s clock)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l at -d 'Due at TIME: RFC 3339, or YYYY-MM-DD HH:MM[:SS] in local time; a past TIME is now' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l debounce -d 'Debounce: due DUR after this push; a task of this --id still waiting or scheduled gets this payload and its due time moves to DUR from now (one run for a burst of pushes)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l ttl -d 'Dead (reason "expired") unless claimed within DUR of falling due (not 0: leave it out for none)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l max-attempts -d 'Attempts before the task goes to the dead set (wins over consume --max-attempts)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l exec-timeout -d 'Stop the task\'s handler after DUR, a failed attempt (wins over consume --exec-timeout; not 0)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l keep-result -d 'Keep the task\'s result DUR after it is done (`rpq result ID`); its --id stays taken meanwhile' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l timeout -d 'With --wait: give up after DUR, exit 124 (the task stays queued)' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l traceparent -d 'W3C trace context of the span that pushes (default: $TRACEPARENT), carried to handlers' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l tracestate -d 'W3C tracestate that goes with --traceparent' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l group -d 'The tasks\' group: groups take turns, fairly (a --stdin line says its own "group")' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l after -d 'Wait for these tasks: blocked until each is done, then waiting (--stdin lines: "after")' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l after-in -d 'Wait for these tasks of another queue of the server (repeatable; --stdin lines: "after" objects {"queue", "id"})' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l on-parent-failure -d 'What a parent\'s failure (dead, cancelled, expired) does: the task goes dead, runs, or is cancelled' -r -f -a "dead\t''
run\t''
cancel\t''"
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l stdin -d 'Read JSON lines {"type","priority","payload","id"} from stdin, pushed in batches'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l keep-first -d 'With --debounce: keep the first payload of the burst, not the last'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l wait -d 'Wait for the one task: print its result and exit 0 when done, exit 1 when dead'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand produce" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l name -d 'Consumer name shown in output and stats [default: HOST-PID]' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l delay -d 'Simulated processing time per task' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l count -d 'Exit after N tasks, whatever their outcome (done, retry, dead, cancelled, lost, released)' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l exec -d 'Run `sh -c CMD` per task, the task JSON on stdin; exit 0 = done' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l exec-timeout -d 'Kill a handler (its process group) that runs longer than this; counts as a failure (not 0: leave it out for none)' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l lease -d 'Lease on a claimed task; extended while the task is worked on' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l max-attempts -d 'Attempts before a task goes to the dead-letter set' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l backoff -d 'First retry delay after a failure; doubles with each attempt, with jitter' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l prefetch -d 'Claim up to K tasks at once, each with its own lease (fewer round trips for short tasks)' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -s j -l concurrency -d 'Run up to N tasks at once (N handlers), with one claim loop and one heartbeat' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l pipe -d 'Start CMD once per slot and keep it: tasks go to its stdin as JSON lines, it answers each with one' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l pipe-depth -d 'Tasks a --pipe handler holds at once; it may answer them in any order' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l batch -d 'Give one --exec call (or a --pipe handler at once) up to N tasks, NDJSON; it answers each with a line' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l linger -d 'Wait at most DUR for a --batch to fill before the call (default: not at all)' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l drain -d 'Exit when a claim finds nothing waiting and no retry scheduled'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand consume" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -s n -l count -d 'How many tasks' -r
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand peek" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand len" -l priority -d 'Count one priority only: 1|2|3 or high|medium|low' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand len" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand len" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand len" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand len" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand len" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand len" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand len" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand len" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand len" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand len" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand len" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand len" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand len" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand len" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand len" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand len" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand len" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand clear" -s y -l yes -d 'Do not ask for confirmation'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l all -d 'Also drop the kept results, the totals and the consumers seen'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand clear" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l watch -d 'Refresh every DUR (default 2s): in place on a terminal, else a snapshot per interval' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l since -d 'The history kept in Redis over the last DUR (up to 30d): a point a minute up to 48h, an hour beyond' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l groups -d 'Show the N groups with the most waiting tasks, the others summed (0: none, not read)' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand stats" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -f -a "list" -d 'List dead tasks, oldest first, with their last error'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -f -a "retry" -d 'Queue dead tasks again with their attempts reset (all, or the ids given)'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -f -a "purge" -d 'Delete dead tasks for good (all, or the ids given)'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and not __fish_seen_subcommand_from list retry purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -s n -l count -d 'At most N tasks' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -s y -l yes -d 'Do not ask for confirmation when purging every dead task'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from help" -f -a "list" -d 'List dead tasks, oldest first, with their last error'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Queue dead tasks again with their attempts reset (all, or the ids given)'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete dead tasks for good (all, or the ids given)'
complete -c rpq -n "__fish_rpq_using_subcommand dead; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l duration -d 'Stop after this long [default: until Ctrl+C]' -r
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand demo" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l tasks -d 'Tasks to produce and consume' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l producers -d 'Producer threads, each with its own connection' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l consumers -d 'Consumer threads, each with its own connection' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l payload-bytes -d 'Payload size of each task, in bytes' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l batch -d 'Tasks per push (one round trip each)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l prefetch -d 'Tasks per claim (one round trip each)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l latency-tasks -d 'Tasks of the latency phase, pushed one at a time to idle consumers (0 skips it)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l scheduled-tasks -d 'Tasks of the scheduled phase, due at known times and claimed by idle consumers (0 skips)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l scheduled-backlog -d 'Before consuming, schedule N more tasks a day ahead (claims must not slow with them)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l due-in -d 'Produce every task due DUR later; consuming starts once all are due (a burst falling due)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l aging -d 'Turn aging on with this step for the run (the claim cost with aging on)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l exec -d 'Consume with `sh -c CMD` per task, as `consume --exec` does' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l pipe -d 'Consume through CMD kept running, as `consume --pipe` does' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -s j -l concurrency -d 'Handlers at once per consumer, as `consume -j` (with --exec or --pipe)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l rate -d 'Limit the bench\'s tasks to N/DUR while consuming (the claim cost with a rate limit)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l max-in-flight -d 'Cap the bench\'s tasks in flight while consuming (the claim cost with a cap)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l groups -d 'Spread the tasks over N groups in turn, claimed fairly (the claim cost of groups)' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l group-cap -d 'Cap every group\'s tasks in flight at N while consuming, as `limit --each-group`' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l spawn -d 'Start a private redis-server on a free port instead of using --url'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l step -d 'After producing, wait for a line on stdin before consuming (to look at Redis meanwhile)'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l events -d 'Turn lifecycle events on for the run (what writing them costs each push, claim and ack)'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand bench" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l listen -d 'Address and port to listen on; one that is not loopback needs a token' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l token-file -d 'File holding the token every request must carry (wins over RPQ_SERVE_TOKEN)' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l read-token-file -d 'File holding a read-only token: GET routes and /metrics, never a change (for a scraper; wins over RPQ_SERVE_READ_TOKEN; needs the full token too)' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l max-connections -d 'Connections served at once; past it the oldest idle one is closed to make room [default: half the open-file limit, at most 4096]' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l idle-timeout -d 'Close a connection that sends no whole request header for DUR: idle keep-alives and slow clients (100ms to 1h)' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l metrics-groups -d 'Groups of each queue given a series of their own in /metrics, the largest backlogs first; the others are summed as group "(other)" (0: none)' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand serve" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -f -a "add" -d 'Add a schedule, or replace the one of that name'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -f -a "list" -d 'List the schedules with their next fire time and the last slot fired'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -f -a "remove" -d 'Remove a schedule: no slot fires after this returns'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and not __fish_seen_subcommand_from add list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l every -d 'Fire every DUR (at least 1s)' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l cron -d 'Fire on a cron spec, such as \'30 2 * * *\'' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tz -d 'Time zone of --cron, such as Europe/Berlin [default: UTC]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l type -d 'Type of the task each slot queues' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l priority -d 'Its priority: 1|2|3 or high|medium|low [default: medium]' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l payload -d 'Its payload: JSON if it parses, else a string' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l ttl -d 'Its ttl: dead (reason "expired") unless claimed within DUR of its slot (not 0)' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a schedule, or replace the one of that name'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the schedules with their next fire time and the last slot fired'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a schedule: no slot fires after this returns'
complete -c rpq -n "__fish_rpq_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -f -a "weight" -d 'Show or set a group\'s weight (1 to 1000; 1 unless set)'
complete -c rpq -n "__fish_rpq_using_subcommand group; and not __fish_seen_subcommand_from weight help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from weight" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "weight" -d 'Show or set a group\'s weight (1 to 1000; 1 unless set)'
complete -c rpq -n "__fish_rpq_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l limit -d 'Show at most N groups (the largest first)' -r
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l after -d 'Continue after this group (the last of the page before)' -r
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand groups" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand aging" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand events" -l keep -d 'With --enable: keep about N of the newest events (default 100000)' -r
complete -c rpq -n "__fish_rpq_using_subcommand events" -l since -d 'Begin after this event id, or at this time (RFC 3339) or this long ago (10m)' -r
complete -c rpq -n "__fish_rpq_using_subcommand events" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand events" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand events" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand events" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand events" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand events" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand events" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand events" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand events" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand events" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand events" -l enable -d 'Switch the queue\'s events on'
complete -c rpq -n "__fish_rpq_using_subcommand events" -l disable -d 'Switch them off (the events kept are deleted)'
complete -c rpq -n "__fish_rpq_using_subcommand events" -s f -l follow -d 'After the events kept, wait for new ones until Ctrl+C'
complete -c rpq -n "__fish_rpq_using_subcommand events" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand events" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand events" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand events" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand events" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand events" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand events" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -f -a "add" -d 'Add a webhook for the queue\'s events'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -f -a "list" -d 'List the webhooks with their delivery state'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -f -a "remove" -d 'Remove a webhook by its id or URL'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l on -d 'Events to send, comma-separated (default: all)' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l secret-file -d 'File whose first line is the signing secret' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a webhook for the queue\'s events'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the webhooks with their delivery state'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a webhook by its id or URL'
complete -c rpq -n "__fish_rpq_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -f -a "submit" -d 'Queue a JSON document of tasks with local names and `after` lists, all or nothing'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -f -a "cancel" -d 'Cancel a task and every task after it in its flow that has not run yet'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -f -a "window" -d 'Show or set how long finished ids are known (the finished window)'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and not __fish_seen_subcommand_from submit cancel window help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from submit" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from cancel" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from window" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from help" -f -a "submit" -d 'Queue a JSON document of tasks with local names and `after` lists, all or nothing'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a task and every task after it in its flow that has not run yet'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from help" -f -a "window" -d 'Show or set how long finished ids are known (the finished window)'
complete -c rpq -n "__fish_rpq_using_subcommand flow; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand result" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand result" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand result" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand result" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand result" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand result" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand result" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand result" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand result" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand result" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand result" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand result" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand result" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand result" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand result" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand result" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand result" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l task -d 'The task to act for: each task of a `consume --batch` call by its id (elsewhere, the handler\'s own task, checked)' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "progress" -d 'How far the task is, 0 to 100, with an optional message'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "log" -d 'Keep a line of log with the task (its last 100 lines are kept); none given: stdin\'s'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "extend" -d 'Hold the task\'s lease for at least DUR from now'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "checkpoint" -d 'Checkpoints: kept across attempts, so a retry can resume'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "spawn" -d 'A child task, queued only if this attempt ends done (with its ack, exactly once)'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "retry-after" -d 'End this attempt as a failure due again in DUR (not after the backoff), once the handler exits'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "once" -d 'Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and not __fish_seen_subcommand_from progress log extend checkpoint spawn retry-after once help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from progress" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from log" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from extend" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -f -a "set" -d 'Set KEY to VALUE'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -f -a "get" -d 'Print KEY\'s value; exit 1 (and print nothing) when it was never set'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from checkpoint" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l type -d 'The child\'s type' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l priority -d 'Its priority: 1|2|3 or high|medium|low' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l payload -d 'JSON if it parses, else a JSON string' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l id -d 'Its own id (default: a new one)' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from spawn" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from retry-after" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from once" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "progress" -d 'How far the task is, 0 to 100, with an optional message'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "log" -d 'Keep a line of log with the task (its last 100 lines are kept); none given: stdin\'s'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "extend" -d 'Hold the task\'s lease for at least DUR from now'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "checkpoint" -d 'Checkpoints: kept across attempts, so a retry can resume'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "spawn" -d 'A child task, queued only if this attempt ends done (with its ack, exactly once)'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "retry-after" -d 'End this attempt as a failure due again in DUR (not after the backoff), once the handler exits'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "once" -d 'Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it'
complete -c rpq -n "__fish_rpq_using_subcommand ctl; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand show" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand show" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand show" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand show" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand show" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand show" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand show" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand show" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand show" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand show" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand show" -l log -d 'Also the lines its handlers logged with `rpq ctl log` (the last 100)'
complete -c rpq -n "__fish_rpq_using_subcommand show" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand show" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand show" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand show" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand show" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand show" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand show" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand list" -l state -d 'Which tasks, by their state' -r -f -a "waiting\t''
scheduled\t''
in-flight\t''
retrying\t''
dead\t''
blocked\t''"
complete -c rpq -n "__fish_rpq_using_subcommand list" -l type -d 'Only tasks of this type' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l priority -d 'Only tasks of this priority: 1|2|3 or high|medium|low' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand list" -s n -l count -d 'At most N tasks' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l after -d 'Continue after this task (the last of the page before)' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand list" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand list" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand list" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand list" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand list" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand list" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand list" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand list" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand list" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand list" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand list" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand list" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand list" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand cancel" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand move" -l priority -d 'The new priority: 1|2|3 or high|medium|low' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand move" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand move" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand move" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand move" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand move" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand move" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand move" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand move" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand move" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand move" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand move" -l now -d 'Make retrying tasks due now: they wait in line at once'
complete -c rpq -n "__fish_rpq_using_subcommand move" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand move" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand move" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand move" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand move" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand move" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand move" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -f -a "remove" -d 'Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and not __fish_seen_subcommand_from remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l force -d 'Remove it even while consumers are seen on it'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules'
complete -c rpq -n "__fish_rpq_using_subcommand queues; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand config" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand config" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand config" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand config" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand config" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand config" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand config" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand config" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand config" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand config" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand config" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand config" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand config" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand config" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand config" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand config" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand config" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l priority -d 'Pause only this priority: 1|2|3 or high|medium|low [default: every priority]' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l for -d 'Resume by itself after DUR, by the Redis server\'s clock [default: until `rpq resume`]' -r
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l group -d 'Pause only this group\'s tasks (produce --group); other groups go on' -r
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand pause" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l priority -d 'Resume only this priority: 1|2|3 or high|medium|low [default: every priority]' -r -f -a "1\t''
2\t''
3\t''
high\t''
medium\t''
low\t''"
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l group -d 'Resume this group (rpq pause --group)' -r
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand resume" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l type -d 'Limit the tasks of this type [default: every task of the queue]' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l group -d 'Limit the tasks of this group (produce --group); its own limit overrides --each-group\'s' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l rate -d 'At most N tasks claimed per DUR: 50/s, 100/m, 5/10s' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l burst -d 'How many may go at once after a quiet spell [default: the rate\'s N]' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l max-in-flight -d 'At most N tasks in flight at once, across every consumer' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l each-group -d 'Limit each group on its own (a group\'s own --group limit overrides it)'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l off -d 'Remove the limits (of --type, or on every task); its waiting tasks go on at once'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand limit" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l wait -d 'Wait at most DUR for tasks in flight under the old layout (default: until they end); exit 1 when some are left, run again later' -r
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l all -d 'Every queue of the server, not only --queue'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l dry-run -d 'Say what would move, by queue, shard and state, and write nothing'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand completions" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand man" -l dir -d 'Write every page (rpq.1, rpq-consume.1, ...) into DIR, made if missing' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand man" -l url -d 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c rpq -n "__fish_rpq_using_subcommand man" -l queue -d 'Which queue [env: RPQ_QUEUE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand man" -l tls-ca -d 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand man" -l tls-cert -d 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand man" -l tls-key -d 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand man" -l password-file -d 'A file whose first line is the Redis password, in place of the URL\'s [env: RPQ_PASSWORD_FILE]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand man" -l shards -d 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]' -r
complete -c rpq -n "__fish_rpq_using_subcommand man" -l config -d 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]' -r -F
complete -c rpq -n "__fish_rpq_using_subcommand man" -l profile -d 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]' -r
complete -c rpq -n "__fish_rpq_using_subcommand man" -l log-format -d 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]' -r -f -a "human\t''
json\t''"
complete -c rpq -n "__fish_rpq_using_subcommand man" -l cluster -d 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]'
complete -c rpq -n "__fish_rpq_using_subcommand man" -l json -d 'Machine output: one JSON object per line (NDJSON) on stdout'
complete -c rpq -n "__fish_rpq_using_subcommand man" -l tls-insecure -d 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]'
complete -c rpq -n "__fish_rpq_using_subcommand man" -s q -l quiet -d 'Errors only on stderr'
complete -c rpq -n "__fish_rpq_using_subcommand man" -s v -l verbose -d 'More on stderr: each reconnect attempt, each lease lost'
complete -c rpq -n "__fish_rpq_using_subcommand man" -s h -l help -d 'Print help'
complete -c rpq -n "__fish_rpq_using_subcommand man" -s V -l version -d 'Print version'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "produce" -d 'Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "consume" -d 'Claim tasks, highest priority first, process them and acknowledge them'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "peek" -d 'Show the next tasks in the order they would be claimed, without touching them'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "len" -d 'Print the number of tasks waiting, as a bare integer'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "clear" -d 'Remove every task of the queue (waiting, in flight, retrying, dead) and say how many'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "stats" -d 'Waiting by priority, in flight, dead, consumers seen, throughput of the last minute'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "dead" -d 'The dead-letter set: tasks that ran out of attempts or could not be read'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "demo" -d 'A producer and two consumers of different speeds in one terminal'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "bench" -d 'A load generator: produce, consume and push-to-claim latency, checked for exactly-once'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "serve" -d 'A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "schedule" -d 'Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "group" -d 'Groups of tasks (produce --group): their weights in the fair turns'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "groups" -d 'The groups with waiting tasks, the largest first: waiting, in flight, weight, limit, pause'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "aging" -d 'Show or set aging: a waiting task claimed as if one priority higher per DUR it waited'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "events" -d 'Lifecycle events of the queue: switch them on (--enable), read them, follow them'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "webhook" -d 'Webhooks: POST the queue\'s events to a URL, signed, delivered by `rpq serve`'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "flow" -d 'Flows: a graph of tasks that wait for each other (issue 24, docs/flows.md)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "result" -d 'Print a task\'s kept result: what its handler wrote (exit 1 when there is none)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "ctl" -d 'Inside a handler: report progress, log, checkpoints, children, retry-after, once'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "show" -d 'Show tasks by id: state, priority, attempts, times, holder and lease, last error'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "list" -d 'List the tasks in one state, a page at a time, in the order they will be taken'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "cancel" -d 'Remove tasks for good; a task in flight is stopped by its consumer within a second'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "move" -d 'Give waiting or retrying tasks a new priority, or make retrying tasks due now'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "queues" -d 'Every queue on the server with its counts; `queues remove NAME` deletes one'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "config" -d 'Show the effective settings and where each came from: flag, environment, profile, default'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "pause" -d 'Stop consumers claiming (every priority, or one) until resumed or for a while'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "resume" -d 'Let consumers claim again after `rpq pause`; idle ones wake at once'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "limit" -d 'Rate limits and in-flight caps, on every task or on one type; shows them without one'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "migrate" -d 'Move queues of the older stored layouts (1, 2) to this rpq\'s (3), safely while workers run'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "man" -d 'Print a man page, or write every page into a directory, for reading offline'
complete -c rpq -n "__fish_rpq_using_subcommand help; and not __fish_seen_subcommand_from produce consume peek len clear stats dead demo bench serve schedule group groups aging events webhook flow result ctl show list cancel move queues config pause resume limit migrate completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from dead" -f -a "list" -d 'List dead tasks, oldest first, with their last error'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from dead" -f -a "retry" -d 'Queue dead tasks again with their attempts reset (all, or the ids given)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from dead" -f -a "purge" -d 'Delete dead tasks for good (all, or the ids given)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "add" -d 'Add a schedule, or replace the one of that name'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "list" -d 'List the schedules with their next fire time and the last slot fired'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "remove" -d 'Remove a schedule: no slot fires after this returns'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "weight" -d 'Show or set a group\'s weight (1 to 1000; 1 unless set)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "add" -d 'Add a webhook for the queue\'s events'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "list" -d 'List the webhooks with their delivery state'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "remove" -d 'Remove a webhook by its id or URL'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from flow" -f -a "submit" -d 'Queue a JSON document of tasks with local names and `after` lists, all or nothing'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from flow" -f -a "cancel" -d 'Cancel a task and every task after it in its flow that has not run yet'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from flow" -f -a "window" -d 'Show or set how long finished ids are known (the finished window)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "progress" -d 'How far the task is, 0 to 100, with an optional message'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "log" -d 'Keep a line of log with the task (its last 100 lines are kept); none given: stdin\'s'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "extend" -d 'Hold the task\'s lease for at least DUR from now'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "checkpoint" -d 'Checkpoints: kept across attempts, so a retry can resume'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "spawn" -d 'A child task, queued only if this attempt ends done (with its ack, exactly once)'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "retry-after" -d 'End this attempt as a failure due again in DUR (not after the backoff), once the handler exits'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from ctl" -f -a "once" -d 'Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it'
complete -c rpq -n "__fish_rpq_using_subcommand help; and __fish_seen_subcommand_from queues" -f -a "remove" -d 'Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules'
