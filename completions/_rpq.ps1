
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
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
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
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpq;produce' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between random tasks (250ms, 1s, 2m; 0 = as fast as possible)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N random tasks; with --type, push N such tasks, each with its own id')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Push one task of this type (with --priority and --payload)')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Priority of the one task: 1|2|3 or high|medium|low')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Payload of the one task: JSON if it parses, else a string')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Id of the one task; an id that is already queued is not queued twice')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Tasks per round trip with --stdin')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Read JSON lines {"type","priority","payload","id"} from stdin, pushed in batches')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;consume' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Consumer name shown in output and stats [default: HOST-PID]')
            [CompletionResult]::new('--delay', '--delay', [CompletionResultType]::ParameterName, 'Simulated processing time per task')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit after N tasks are finished')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run `sh -c CMD` per task, the task JSON on stdin; exit 0 = done')
            [CompletionResult]::new('--exec-timeout', '--exec-timeout', [CompletionResultType]::ParameterName, 'Kill a handler (its process group) that runs longer than this; counts as a failure')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'Lease on a claimed task; extended while the task is worked on')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts before a task goes to the dead-letter set')
            [CompletionResult]::new('--backoff', '--backoff', [CompletionResultType]::ParameterName, 'First retry delay after a failure; doubles with each attempt, with jitter')
            [CompletionResult]::new('--prefetch', '--prefetch', [CompletionResultType]::ParameterName, 'Claim up to K tasks at once, each with its own lease (fewer round trips for short tasks)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'Exit when a claim finds nothing waiting and no retry scheduled')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
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
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;len' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Count one priority only: 1|2|3 or high|medium|low')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;clear' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;stats' {
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh every DUR (default 2s): in place on a terminal, else a snapshot per interval')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
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
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead;retry' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;dead;purge' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
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
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
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
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--spawn', '--spawn', [CompletionResultType]::ParameterName, 'Start a private redis-server on a free port instead of using --url')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'After producing, wait for a line on stdin before consuming (to look at Redis meanwhile)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rpq;completions' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which queue [default: default]')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate (PEM) to verify a TLS server with, instead of the system roots')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for TLS')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (PEM) for TLS')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Redis Cluster: --url may name several seed nodes, comma-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: one JSON object per line (NDJSON) on stdout')
            [CompletionResult]::new('--tls-insecure', '--tls-insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (for tests only)')
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
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
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
        'rpq;help;completions' {
            break
        }
        'rpq;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
