
use builtin;
use str;

set edit:completion:arg-completer[rpq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rpq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rpq'= {
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand produce 'Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin'
            cand consume 'Claim tasks, highest priority first, process them and acknowledge them'
            cand peek 'Show the next tasks in the order they would be claimed, without touching them'
            cand len 'Print the number of tasks waiting, as a bare integer'
            cand clear 'Remove every task of the queue (waiting, in flight, retrying, dead) and say how many'
            cand stats 'Waiting by priority, in flight, dead, consumers seen, throughput of the last minute'
            cand dead 'The dead-letter set: tasks that ran out of attempts or could not be read'
            cand demo 'A producer and two consumers of different speeds in one terminal'
            cand bench 'A load generator: produce, consume and push-to-claim latency, checked for exactly-once'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;produce'= {
            cand --interval 'Time between random tasks (250ms, 1s, 2m; 0 = as fast as possible)'
            cand --count 'Stop after N random tasks; with --type, push N such tasks, each with its own id'
            cand --type 'Push one task of this type (with --priority and --payload)'
            cand --priority 'Priority of the one task: 1|2|3 or high|medium|low'
            cand --payload 'Payload of the one task: JSON if it parses, else a string'
            cand --id 'Id of the one task; an id that is already queued is not queued twice'
            cand --batch 'Tasks per round trip with --stdin'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --stdin 'Read JSON lines {"type","priority","payload","id"} from stdin, pushed in batches'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;consume'= {
            cand --name 'Consumer name shown in output and stats [default: HOST-PID]'
            cand --delay 'Simulated processing time per task'
            cand --count 'Exit after N tasks are finished'
            cand --exec 'Run `sh -c CMD` per task, the task JSON on stdin; exit 0 = done'
            cand --exec-timeout 'Kill a handler (its process group) that runs longer than this; counts as a failure'
            cand --lease 'Lease on a claimed task; extended while the task is worked on'
            cand --max-attempts 'Attempts before a task goes to the dead-letter set'
            cand --backoff 'First retry delay after a failure; doubles with each attempt, with jitter'
            cand --prefetch 'Claim up to K tasks at once, each with its own lease (fewer round trips for short tasks)'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --drain 'Exit when a claim finds nothing waiting and no retry scheduled'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;peek'= {
            cand -n 'How many tasks'
            cand --count 'How many tasks'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;len'= {
            cand --priority 'Count one priority only: 1|2|3 or high|medium|low'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;clear'= {
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;stats'= {
            cand --watch 'Refresh every DUR (default 2s): in place on a terminal, else a snapshot per interval'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;dead'= {
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List dead tasks, oldest first, with their last error'
            cand retry 'Queue dead tasks again with their attempts reset (all, or the ids given)'
            cand purge 'Delete dead tasks for good (all, or the ids given)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;dead;list'= {
            cand -n 'At most N tasks'
            cand --count 'At most N tasks'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;dead;retry'= {
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;dead;purge'= {
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;dead;help'= {
            cand list 'List dead tasks, oldest first, with their last error'
            cand retry 'Queue dead tasks again with their attempts reset (all, or the ids given)'
            cand purge 'Delete dead tasks for good (all, or the ids given)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;dead;help;list'= {
        }
        &'rpq;dead;help;retry'= {
        }
        &'rpq;dead;help;purge'= {
        }
        &'rpq;dead;help;help'= {
        }
        &'rpq;demo'= {
            cand --duration 'Stop after this long [default: until Ctrl+C]'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;bench'= {
            cand --tasks 'Tasks to produce and consume'
            cand --producers 'Producer threads, each with its own connection'
            cand --consumers 'Consumer threads, each with its own connection'
            cand --payload-bytes 'Payload size of each task, in bytes'
            cand --batch 'Tasks per push (one round trip each)'
            cand --prefetch 'Tasks per claim (one round trip each)'
            cand --latency-tasks 'Tasks of the latency phase, pushed one at a time to idle consumers (0 skips it)'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --spawn 'Start a private redis-server on a free port instead of using --url'
            cand --step 'After producing, wait for a line on stdin before consuming (to look at Redis meanwhile)'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;completions'= {
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;help'= {
            cand produce 'Push tasks: random ones on an interval, one given by flags, or JSON lines from stdin'
            cand consume 'Claim tasks, highest priority first, process them and acknowledge them'
            cand peek 'Show the next tasks in the order they would be claimed, without touching them'
            cand len 'Print the number of tasks waiting, as a bare integer'
            cand clear 'Remove every task of the queue (waiting, in flight, retrying, dead) and say how many'
            cand stats 'Waiting by priority, in flight, dead, consumers seen, throughput of the last minute'
            cand dead 'The dead-letter set: tasks that ran out of attempts or could not be read'
            cand demo 'A producer and two consumers of different speeds in one terminal'
            cand bench 'A load generator: produce, consume and push-to-claim latency, checked for exactly-once'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;help;produce'= {
        }
        &'rpq;help;consume'= {
        }
        &'rpq;help;peek'= {
        }
        &'rpq;help;len'= {
        }
        &'rpq;help;clear'= {
        }
        &'rpq;help;stats'= {
        }
        &'rpq;help;dead'= {
            cand list 'List dead tasks, oldest first, with their last error'
            cand retry 'Queue dead tasks again with their attempts reset (all, or the ids given)'
            cand purge 'Delete dead tasks for good (all, or the ids given)'
        }
        &'rpq;help;dead;list'= {
        }
        &'rpq;help;dead;retry'= {
        }
        &'rpq;help;dead;purge'= {
        }
        &'rpq;help;demo'= {
        }
        &'rpq;help;bench'= {
        }
        &'rpq;help;completions'= {
        }
        &'rpq;help;help'= {
        }
    ]
    $completions[$command]
}
