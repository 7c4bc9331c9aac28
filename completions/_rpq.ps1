
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rpq' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rpq'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rpq' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Claim tasks, highest priority first, process them and acknowledge them')
            [CompletionResult]::new('peek', 'peek', [CompletionResultType]::ParameterValue, 'Show the next tasks in the order they would be claimed, without touching them')
            [CompletionResult]::new('len', 'len', [CompletionResultType]::ParameterValue, 'Print the number of tasks waiting, as a bare integer')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove every task of the queue (waiting, in flight, retrying, dead) and say how many')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Waiting by priority, in flight, dead, consumers seen, throughput of the last minute')
            [CompletionResult]::new('dead', 'dead', [CompletionResultType]::ParameterValue, 'The dead-letter set: tasks that ran out of attempts or could not be read')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A producer and two consumers of different speeds in one terminal')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'A load generator: produce, consume and push-to-claim latency, checked for exactly-once')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Groups of tasks (produce --group): their weights in the fair turns')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'The groups with waiting tasks, the largest first: waiting, in flight, weight, limit, pause')
            [CompletionResult]::new('aging', 'aging', [CompletionResultType]::ParameterValue, 'Show or set aging: a waiting task claimed as if one priority higher per DUR it waited')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Lifecycle events of the queue: switch them on (--enable), read them, follow them')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Webhooks: POST the queue''s events to a URL, signed, delivered by `rpq serve`')
            [CompletionResult]::new('flow', 'flow', [CompletionResultType]::ParameterValue, 'Flows: a graph of tasks that wait for each other (issue 24, docs/flows.md)')
            [CompletionResult]::new('result', 'result', [CompletionResultType]::ParameterValue, 'Print a task''s kept result: what its handler wrote (exit 1 when there is none)')
            [CompletionResult]::new('ctl', 'ctl', [CompletionResultType]::ParameterValue, 'Inside a handler: report progress, log, checkpoints, children, retry-after, once')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show tasks by id: state, priority, attempts, times, holder and lease, last error')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tasks in one state, a page at a time, in the order they will be taken')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove tasks for good; a task in flight is stopped by its consumer within a second')
            [CompletionResult]::new('move', 'move', [CompletionResultType]::ParameterValue, 'Give waiting or retrying tasks a new priority, or make retrying tasks due now')
            [CompletionResult]::new('queues', 'queues', [CompletionResultType]::ParameterValue, 'Every queue on the server with its counts; `queues remove NAME` deletes one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings and where each came from: flag, environment, profile, default')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Stop consumers claiming (every priority, or one) until resumed or for a while')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Let consumers claim again after `rpq pause`; idle ones wake at once')
            [CompletionResult]::new('limit', 'limit', [CompletionResultType]::ParameterValue, 'Rate limits and in-flight caps, on every task or on one type; shows them without one')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move queues of the older stored layouts (1, 2) to this rpq''s (3), safely while workers run')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page, or write every page into a directory, for reading offline')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;produce' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between random tasks [default: 1s]; with --type, push one such task every DUR until stopped or --count (250ms, 1s, 2m; 0 = as fast as possible)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N random tasks; with --type, push N such tasks, each with its own id (every --interval if given)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Push one task of this type (with --priority and --payload)')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Priority of the one task: 1|2|3 or high|medium|low')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Payload of the one task: JSON if it parses, else a string (past the kernel''s 128 KiB for an argument: a line on --stdin)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Id of the one task; an id that is already queued is not queued twice')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Tasks per round trip with --stdin')
            [CompletionResult]::new('--in', '--in', [CompletionResultType]::ParameterName, 'Due this long after Redis receives it (scheduled until then, by the server''s clock)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Due at TIME: RFC 3339, or YYYY-MM-DD HH:MM[:SS] in local time; a past TIME is now')
            [CompletionResult]::new('--debounce', '--debounce', [CompletionResultType]::ParameterName, 'Debounce: due DUR after this push; a task of this --id still waiting or scheduled gets this payload and its due time moves to DUR from now (one run for a burst of pushes)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Dead (reason "expired") unless claimed within DUR of falling due (not 0: leave it out for none)')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts before the task goes to the dead set (wins over consume --max-attempts)')
            [CompletionResult]::new('--exec-timeout', '--exec-timeout', [CompletionResultType]::ParameterName, 'Stop the task''s handler after DUR, a failed attempt (wins over consume --exec-timeout; not 0)')
            [CompletionResult]::new('--keep-result', '--keep-result', [CompletionResultType]::ParameterName, 'Keep the task''s result DUR after it is done (`rpq result ID`); its --id stays taken meanwhile')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --wait: give up after DUR, exit 124 (the task stays queued)')
            [CompletionResult]::new('--traceparent', '--traceparent', [CompletionResultType]::ParameterName, 'W3C trace context of the span that pushes (default: $TRACEPARENT), carried to handlers')
            [CompletionResult]::new('--tracestate', '--tracestate', [CompletionResultType]::ParameterName, 'W3C tracestate that goes with --traceparent')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The tasks'' group: groups take turns, fairly (a --stdin line says its own "group")')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Wait for these tasks: blocked until each is done, then waiting (--stdin lines: "after")')
            [CompletionResult]::new('--after-in', '--after-in', [CompletionResultType]::ParameterName, 'Wait for these tasks of another queue of the server (repeatable; --stdin lines: "after" objects {"queue", "id"})')
            [CompletionResult]::new('--on-parent-failure', '--on-parent-failure', [CompletionResultType]::ParameterName, 'What a parent''s failure (dead, cancelled, expired) does: the task goes dead, runs, or is cancelled')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Read JSON lines {"type","priority","payload","id"} from stdin, pushed in batches')
            [CompletionResult]::new('--keep-first', '--keep-first', [CompletionResultType]::ParameterName, 'With --debounce: keep the first payload of the burst, not the last')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the one task: print its result and exit 0 when done, exit 1 when dead')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;consume' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Consumer name shown in output and stats [default: HOST-PID]')
            [CompletionResult]::new('--delay', '--delay', [CompletionResultType]::ParameterName, 'Simulated processing time per task')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit after N tasks, whatever their outcome (done, retry, dead, cancelled, lost, released)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run `sh -c CMD` per task, the task JSON on stdin; exit 0 = done')
            [CompletionResult]::new('--exec-timeout', '--exec-timeout', [CompletionResultType]::ParameterName, 'Kill a handler (its process group) that runs longer than this; counts as a failure (not 0: leave it out for none)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'Lease on a claimed task; extended while the task is worked on')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts before a task goes to the dead-letter set')
            [CompletionResult]::new('--backoff', '--backoff', [CompletionResultType]::ParameterName, 'First retry delay after a failure; doubles with each attempt, with jitter')
            [CompletionResult]::new('--prefetch', '--prefetch', [CompletionResultType]::ParameterName, 'Claim up to K tasks at once, each with its own lease (fewer round trips for short tasks)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Run up to N tasks at once (N handlers), with one claim loop and one heartbeat')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Run up to N tasks at once (N handlers), with one claim loop and one heartbeat')
            [CompletionResult]::new('--pipe', '--pipe', [CompletionResultType]::ParameterName, 'Start CMD once per slot and keep it: tasks go to its stdin as JSON lines, it answers each with one')
            [CompletionResult]::new('--pipe-depth', '--pipe-depth', [CompletionResultType]::ParameterName, 'Tasks a --pipe handler holds at once; it may answer them in any order')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Give one --exec call (or a --pipe handler at once) up to N tasks, NDJSON; it answers each with a line')
            [CompletionResult]::new('--linger', '--linger', [CompletionResultType]::ParameterName, 'Wait at most DUR for a --batch to fill before the call (default: not at all)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'Exit when a claim finds nothing waiting and no retry scheduled')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;peek' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many tasks')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many tasks')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;len' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Count one priority only: 1|2|3 or high|medium|low')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;clear' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also drop the kept results, the totals and the consumers seen')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;stats' {
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh every DUR (default 2s): in place on a terminal, else a snapshot per interval')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The history kept in Redis over the last DUR (up to 30d): a point a minute up to 48h, an hour beyond')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Show the N groups with the most waiting tasks, the others summed (0: none, not read)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dead tasks, oldest first, with their last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue dead tasks again with their attempts reset (all, or the ids given)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete dead tasks for good (all, or the ids given)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;dead;list' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most N tasks')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'At most N tasks')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead;retry' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead;purge' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation when purging every dead task')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation when purging every dead task')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dead tasks, oldest first, with their last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue dead tasks again with their attempts reset (all, or the ids given)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete dead tasks for good (all, or the ids given)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;dead;help;list' {
            break
        }
        'rpq;dead;help;retry' {
            break
        }
        'rpq;dead;help;purge' {
            break
        }
        'rpq;dead;help;help' {
            break
        }
        'rpq;demo' {
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long [default: until Ctrl+C]')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;bench' {
            [CompletionResult]::new('--tasks', '--tasks', [CompletionResultType]::ParameterName, 'Tasks to produce and consume')
            [CompletionResult]::new('--producers', '--producers', [CompletionResultType]::ParameterName, 'Producer threads, each with its own connection')
            [CompletionResult]::new('--consumers', '--consumers', [CompletionResultType]::ParameterName, 'Consumer threads, each with its own connection')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Payload size of each task, in bytes')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Tasks per push (one round trip each)')
            [CompletionResult]::new('--prefetch', '--prefetch', [CompletionResultType]::ParameterName, 'Tasks per claim (one round trip each)')
            [CompletionResult]::new('--latency-tasks', '--latency-tasks', [CompletionResultType]::ParameterName, 'Tasks of the latency phase, pushed one at a time to idle consumers (0 skips it)')
            [CompletionResult]::new('--scheduled-tasks', '--scheduled-tasks', [CompletionResultType]::ParameterName, 'Tasks of the scheduled phase, due at known times and claimed by idle consumers (0 skips)')
            [CompletionResult]::new('--scheduled-backlog', '--scheduled-backlog', [CompletionResultType]::ParameterName, 'Before consuming, schedule N more tasks a day ahead (claims must not slow with them)')
            [CompletionResult]::new('--due-in', '--due-in', [CompletionResultType]::ParameterName, 'Produce every task due DUR later; consuming starts once all are due (a burst falling due)')
            [CompletionResult]::new('--aging', '--aging', [CompletionResultType]::ParameterName, 'Turn aging on with this step for the run (the claim cost with aging on)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Consume with `sh -c CMD` per task, as `consume --exec` does')
            [CompletionResult]::new('--pipe', '--pipe', [CompletionResultType]::ParameterName, 'Consume through CMD kept running, as `consume --pipe` does')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Handlers at once per consumer, as `consume -j` (with --exec or --pipe)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Handlers at once per consumer, as `consume -j` (with --exec or --pipe)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Limit the bench''s tasks to N/DUR while consuming (the claim cost with a rate limit)')
            [CompletionResult]::new('--max-in-flight', '--max-in-flight', [CompletionResultType]::ParameterName, 'Cap the bench''s tasks in flight while consuming (the claim cost with a cap)')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Spread the tasks over N groups in turn, claimed fairly (the claim cost of groups)')
            [CompletionResult]::new('--group-cap', '--group-cap', [CompletionResultType]::ParameterName, 'Cap every group''s tasks in flight at N while consuming, as `limit --each-group`')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--spawn', '--spawn', [CompletionResultType]::ParameterName, 'Start a private redis-server on a free port instead of using --url')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'After producing, wait for a line on stdin before consuming (to look at Redis meanwhile)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Turn lifecycle events on for the run (what writing them costs each push, claim and ack)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address and port to listen on; one that is not loopback needs a token')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the token every request must carry (wins over RPQ_SERVE_TOKEN)')
            [CompletionResult]::new('--read-token-file', '--read-token-file', [CompletionResultType]::ParameterName, 'File holding a read-only token: GET routes and /metrics, never a change (for a scraper; wins over RPQ_SERVE_READ_TOKEN; needs the full token too)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections served at once; past it the oldest idle one is closed to make room [default: half the open-file limit, at most 4096]')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a connection that sends no whole request header for DUR: idle keep-alives and slow clients (100ms to 1h)')
            [CompletionResult]::new('--metrics-groups', '--metrics-groups', [CompletionResultType]::ParameterName, 'Groups of each queue given a series of their own in /metrics, the largest backlogs first; the others are summed as group "(other)" (0: none)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;schedule' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a schedule, or replace the one of that name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schedules with their next fire time and the last slot fired')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a schedule: no slot fires after this returns')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;schedule;add' {
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'Fire every DUR (at least 1s)')
            [CompletionResult]::new('--cron', '--cron', [CompletionResultType]::ParameterName, 'Fire on a cron spec, such as ''30 2 * * *''')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone of --cron, such as Europe/Berlin [default: UTC]')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Type of the task each slot queues')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Its priority: 1|2|3 or high|medium|low [default: medium]')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Its payload: JSON if it parses, else a string')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Its ttl: dead (reason "expired") unless claimed within DUR of its slot (not 0)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;schedule;list' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;schedule;remove' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;schedule;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a schedule, or replace the one of that name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schedules with their next fire time and the last slot fired')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a schedule: no slot fires after this returns')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;schedule;help;add' {
            break
        }
        'rpq;schedule;help;list' {
            break
        }
        'rpq;schedule;help;remove' {
            break
        }
        'rpq;schedule;help;help' {
            break
        }
        'rpq;group' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('weight', 'weight', [CompletionResultType]::ParameterValue, 'Show or set a group''s weight (1 to 1000; 1 unless set)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;group;weight' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;group;help' {
            [CompletionResult]::new('weight', 'weight', [CompletionResultType]::ParameterValue, 'Show or set a group''s weight (1 to 1000; 1 unless set)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;group;help;weight' {
            break
        }
        'rpq;group;help;help' {
            break
        }
        'rpq;groups' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N groups (the largest first)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Continue after this group (the last of the page before)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;aging' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;events' {
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With --enable: keep about N of the newest events (default 100000)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Begin after this event id, or at this time (RFC 3339) or this long ago (10m)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--enable', '--enable', [CompletionResultType]::ParameterName, 'Switch the queue''s events on')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Switch them off (the events kept are deleted)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'After the events kept, wait for new ones until Ctrl+C')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'After the events kept, wait for new ones until Ctrl+C')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;webhook' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook for the queue''s events')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the webhooks with their delivery state')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook by its id or URL')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;webhook;add' {
            [CompletionResult]::new('--on', '--on', [CompletionResultType]::ParameterName, 'Events to send, comma-separated (default: all)')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'File whose first line is the signing secret')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;webhook;list' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;webhook;remove' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;webhook;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook for the queue''s events')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the webhooks with their delivery state')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook by its id or URL')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;webhook;help;add' {
            break
        }
        'rpq;webhook;help;list' {
            break
        }
        'rpq;webhook;help;remove' {
            break
        }
        'rpq;webhook;help;help' {
            break
        }
        'rpq;flow' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Queue a JSON document of tasks with local names and `after` lists, all or nothing')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a task and every task after it in its flow that has not run yet')
            [CompletionResult]::new('window', 'window', [CompletionResultType]::ParameterValue, 'Show or set how long finished ids are known (the finished window)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;flow;submit' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;flow;cancel' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;flow;window' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;flow;help' {
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Queue a JSON document of tasks with local names and `after` lists, all or nothing')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a task and every task after it in its flow that has not run yet')
            [CompletionResult]::new('window', 'window', [CompletionResultType]::ParameterValue, 'Show or set how long finished ids are known (the finished window)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;flow;help;submit' {
            break
        }
        'rpq;flow;help;cancel' {
            break
        }
        'rpq;flow;help;window' {
            break
        }
        'rpq;flow;help;help' {
            break
        }
        'rpq;result' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'The task to act for: each task of a `consume --batch` call by its id (elsewhere, the handler''s own task, checked)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('progress', 'progress', [CompletionResultType]::ParameterValue, 'How far the task is, 0 to 100, with an optional message')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Keep a line of log with the task (its last 100 lines are kept); none given: stdin''s')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Hold the task''s lease for at least DUR from now')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Checkpoints: kept across attempts, so a retry can resume')
            [CompletionResult]::new('spawn', 'spawn', [CompletionResultType]::ParameterValue, 'A child task, queued only if this attempt ends done (with its ack, exactly once)')
            [CompletionResult]::new('retry-after', 'retry-after', [CompletionResultType]::ParameterValue, 'End this attempt as a failure due again in DUR (not after the backoff), once the handler exits')
            [CompletionResult]::new('once', 'once', [CompletionResultType]::ParameterValue, 'Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;ctl;progress' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;log' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;extend' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;checkpoint' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print KEY''s value; exit 1 (and print nothing) when it was never set')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;ctl;checkpoint;set' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;checkpoint;get' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;checkpoint;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print KEY''s value; exit 1 (and print nothing) when it was never set')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;ctl;checkpoint;help;set' {
            break
        }
        'rpq;ctl;checkpoint;help;get' {
            break
        }
        'rpq;ctl;checkpoint;help;help' {
            break
        }
        'rpq;ctl;spawn' {
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The child''s type')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Its priority: 1|2|3 or high|medium|low')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'JSON if it parses, else a JSON string')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Its own id (default: a new one)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;retry-after' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;once' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;ctl;help' {
            [CompletionResult]::new('progress', 'progress', [CompletionResultType]::ParameterValue, 'How far the task is, 0 to 100, with an optional message')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Keep a line of log with the task (its last 100 lines are kept); none given: stdin''s')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Hold the task''s lease for at least DUR from now')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Checkpoints: kept across attempts, so a retry can resume')
            [CompletionResult]::new('spawn', 'spawn', [CompletionResultType]::ParameterValue, 'A child task, queued only if this attempt ends done (with its ack, exactly once)')
            [CompletionResult]::new('retry-after', 'retry-after', [CompletionResultType]::ParameterValue, 'End this attempt as a failure due again in DUR (not after the backoff), once the handler exits')
            [CompletionResult]::new('once', 'once', [CompletionResultType]::ParameterValue, 'Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;ctl;help;progress' {
            break
        }
        'rpq;ctl;help;log' {
            break
        }
        'rpq;ctl;help;extend' {
            break
        }
        'rpq;ctl;help;checkpoint' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print KEY''s value; exit 1 (and print nothing) when it was never set')
            break
        }
        'rpq;ctl;help;checkpoint;set' {
            break
        }
        'rpq;ctl;help;checkpoint;get' {
            break
        }
        'rpq;ctl;help;spawn' {
            break
        }
        'rpq;ctl;help;retry-after' {
            break
        }
        'rpq;ctl;help;once' {
            break
        }
        'rpq;ctl;help;help' {
            break
        }
        'rpq;show' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Also the lines its handlers logged with `rpq ctl log` (the last 100)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;list' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Which tasks, by their state')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only tasks of this type')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Only tasks of this priority: 1|2|3 or high|medium|low')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most N tasks')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'At most N tasks')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Continue after this task (the last of the page before)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;cancel' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;move' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'The new priority: 1|2|3 or high|medium|low')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Make retrying tasks due now: they wait in line at once')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;queues' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;queues;remove' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Remove it even while consumers are seen on it')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;queues;help' {
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;queues;help;remove' {
            break
        }
        'rpq;queues;help;help' {
            break
        }
        'rpq;config' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;pause' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Pause only this priority: 1|2|3 or high|medium|low [default: every priority]')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Resume by itself after DUR, by the Redis server''s clock [default: until `rpq resume`]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Pause only this group''s tasks (produce --group); other groups go on')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;resume' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Resume only this priority: 1|2|3 or high|medium|low [default: every priority]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Resume this group (rpq pause --group)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;limit' {
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Limit the tasks of this type [default: every task of the queue]')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Limit the tasks of this group (produce --group); its own limit overrides --each-group''s')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'At most N tasks claimed per DUR: 50/s, 100/m, 5/10s')
            [CompletionResult]::new('--burst', '--burst', [CompletionResultType]::ParameterName, 'How many may go at once after a quiet spell [default: the rate''s N]')
            [CompletionResult]::new('--max-in-flight', '--max-in-flight', [CompletionResultType]::ParameterName, 'At most N tasks in flight at once, across every consumer')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--each-group', '--each-group', [CompletionResultType]::ParameterName, 'Limit each group on its own (a group''s own --group limit overrides it)')
            [CompletionResult]::new('--off', '--off', [CompletionResultType]::ParameterName, 'Remove the limits (of --type, or on every task); its waiting tasks go on at once')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;migrate' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait at most DUR for tasks in flight under the old layout (default: until they end); exit 1 when some are left, run again later')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every queue of the server, not only --queue')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would move, by queue, shard and state, and write nothing')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;completions' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page (rpq.1, rpq-consume.1, ...) into DIR, made if missing')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [env: RPQ_QUEUE] [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots [env: RPQ_TLS_CA]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS [env: RPQ_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS [env: RPQ_TLS_KEY]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'A file whose first line is the Redis password, in place of the URL''s [env: RPQ_PASSWORD_FILE]')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue [env: RPQ_SHARDS]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file [env: RPQ_CONFIG] [default: $XDG_CONFIG_HOME/rpq/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile of the config file to use ([profile.NAME]) [env: RPQ_PROFILE] [default: default]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'stderr as text, or one JSON object a line [env: RPQ_LOG_FORMAT] [default: human]')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated [env: RPQ_CLUSTER]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only) [env: RPQ_TLS_INSECURE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Errors only on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: each reconnect attempt, each lease lost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;help' {
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Claim tasks, highest priority first, process them and acknowledge them')
            [CompletionResult]::new('peek', 'peek', [CompletionResultType]::ParameterValue, 'Show the next tasks in the order they would be claimed, without touching them')
            [CompletionResult]::new('len', 'len', [CompletionResultType]::ParameterValue, 'Print the number of tasks waiting, as a bare integer')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove every task of the queue (waiting, in flight, retrying, dead) and say how many')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Waiting by priority, in flight, dead, consumers seen, throughput of the last minute')
            [CompletionResult]::new('dead', 'dead', [CompletionResultType]::ParameterValue, 'The dead-letter set: tasks that ran out of attempts or could not be read')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A producer and two consumers of different speeds in one terminal')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'A load generator: produce, consume and push-to-claim latency, checked for exactly-once')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Groups of tasks (produce --group): their weights in the fair turns')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'The groups with waiting tasks, the largest first: waiting, in flight, weight, limit, pause')
            [CompletionResult]::new('aging', 'aging', [CompletionResultType]::ParameterValue, 'Show or set aging: a waiting task claimed as if one priority higher per DUR it waited')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Lifecycle events of the queue: switch them on (--enable), read them, follow them')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Webhooks: POST the queue''s events to a URL, signed, delivered by `rpq serve`')
            [CompletionResult]::new('flow', 'flow', [CompletionResultType]::ParameterValue, 'Flows: a graph of tasks that wait for each other (issue 24, docs/flows.md)')
            [CompletionResult]::new('result', 'result', [CompletionResultType]::ParameterValue, 'Print a task''s kept result: what its handler wrote (exit 1 when there is none)')
            [CompletionResult]::new('ctl', 'ctl', [CompletionResultType]::ParameterValue, 'Inside a handler: report progress, log, checkpoints, children, retry-after, once')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show tasks by id: state, priority, attempts, times, holder and lease, last error')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tasks in one state, a page at a time, in the order they will be taken')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Remove tasks for good; a task in flight is stopped by its consumer within a second')
            [CompletionResult]::new('move', 'move', [CompletionResultType]::ParameterValue, 'Give waiting or retrying tasks a new priority, or make retrying tasks due now')
            [CompletionResult]::new('queues', 'queues', [CompletionResultType]::ParameterValue, 'Every queue on the server with its counts; `queues remove NAME` deletes one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings and where each came from: flag, environment, profile, default')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Stop consumers claiming (every priority, or one) until resumed or for a while')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Let consumers claim again after `rpq pause`; idle ones wake at once')
            [CompletionResult]::new('limit', 'limit', [CompletionResultType]::ParameterValue, 'Rate limits and in-flight caps, on every task or on one type; shows them without one')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move queues of the older stored layouts (1, 2) to this rpq''s (3), safely while workers run')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page, or write every page into a directory, for reading offline')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;help;produce' {
            break
        }
        'rpq;help;consume' {
            break
        }
        'rpq;help;peek' {
            break
        }
        'rpq;help;len' {
            break
        }
        'rpq;help;clear' {
            break
        }
        'rpq;help;stats' {
            break
        }
        'rpq;help;dead' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dead tasks, oldest first, with their last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue dead tasks again with their attempts reset (all, or the ids given)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete dead tasks for good (all, or the ids given)')
            break
        }
        'rpq;help;dead;list' {
            break
        }
        'rpq;help;dead;retry' {
            break
        }
        'rpq;help;dead;purge' {
            break
        }
        'rpq;help;demo' {
            break
        }
        'rpq;help;bench' {
            break
        }
        'rpq;help;serve' {
            break
        }
        'rpq;help;schedule' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a schedule, or replace the one of that name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schedules with their next fire time and the last slot fired')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a schedule: no slot fires after this returns')
            break
        }
        'rpq;help;schedule;add' {
            break
        }
        'rpq;help;schedule;list' {
            break
        }
        'rpq;help;schedule;remove' {
            break
        }
        'rpq;help;group' {
            [CompletionResult]::new('weight', 'weight', [CompletionResultType]::ParameterValue, 'Show or set a group''s weight (1 to 1000; 1 unless set)')
            break
        }
        'rpq;help;group;weight' {
            break
        }
        'rpq;help;groups' {
            break
        }
        'rpq;help;aging' {
            break
        }
        'rpq;help;events' {
            break
        }
        'rpq;help;webhook' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook for the queue''s events')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the webhooks with their delivery state')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook by its id or URL')
            break
        }
        'rpq;help;webhook;add' {
            break
        }
        'rpq;help;webhook;list' {
            break
        }
        'rpq;help;webhook;remove' {
            break
        }
        'rpq;help;flow' {
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Queue a JSON document of tasks with local names and `after` lists, all or nothing')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a task and every task after it in its flow that has not run yet')
            [CompletionResult]::new('window', 'window', [CompletionResultType]::ParameterValue, 'Show or set how long finished ids are known (the finished window)')
            break
        }
        'rpq;help;flow;submit' {
            break
        }
        'rpq;help;flow;cancel' {
            break
        }
        'rpq;help;flow;window' {
            break
        }
        'rpq;help;result' {
            break
        }
        'rpq;help;ctl' {
            [CompletionResult]::new('progress', 'progress', [CompletionResultType]::ParameterValue, 'How far the task is, 0 to 100, with an optional message')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Keep a line of log with the task (its last 100 lines are kept); none given: stdin''s')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Hold the task''s lease for at least DUR from now')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Checkpoints: kept across attempts, so a retry can resume')
            [CompletionResult]::new('spawn', 'spawn', [CompletionResultType]::ParameterValue, 'A child task, queued only if this attempt ends done (with its ack, exactly once)')
            [CompletionResult]::new('retry-after', 'retry-after', [CompletionResultType]::ParameterValue, 'End this attempt as a failure due again in DUR (not after the backoff), once the handler exits')
            [CompletionResult]::new('once', 'once', [CompletionResultType]::ParameterValue, 'Exit 0 the first time KEY is claimed for this task, 1 once any attempt claimed it')
            break
        }
        'rpq;help;ctl;progress' {
            break
        }
        'rpq;help;ctl;log' {
            break
        }
        'rpq;help;ctl;extend' {
            break
        }
        'rpq;help;ctl;checkpoint' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print KEY''s value; exit 1 (and print nothing) when it was never set')
            break
        }
        'rpq;help;ctl;checkpoint;set' {
            break
        }
        'rpq;help;ctl;checkpoint;get' {
            break
        }
        'rpq;help;ctl;spawn' {
            break
        }
        'rpq;help;ctl;retry-after' {
            break
        }
        'rpq;help;ctl;once' {
            break
        }
        'rpq;help;show' {
            break
        }
        'rpq;help;list' {
            break
        }
        'rpq;help;cancel' {
            break
        }
        'rpq;help;move' {
            break
        }
        'rpq;help;queues' {
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a queue: its tasks, kept results, totals, consumers seen, settings and schedules')
            break
        }
        'rpq;help;queues;remove' {
            break
        }
        'rpq;help;config' {
            break
        }
        'rpq;help;pause' {
            break
        }
        'rpq;help;resume' {
            break
        }
        'rpq;help;limit' {
            break
        }
        'rpq;help;migrate' {
            break
        }
        'rpq;help;completions' {
            break
        }
        'rpq;help;man' {
            break
        }
        'rpq;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
