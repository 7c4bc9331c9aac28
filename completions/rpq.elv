
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
            cand serve 'A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server'
            cand schedule 'Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers'
            cand aging 'Show or set aging: a waiting task claimed as if one priority higher per DUR it waited'
            cand show 'Show tasks by id: state, priority, attempts, times, holder and lease, last error'
            cand list 'List the tasks in one state, a page at a time, in the order they will be taken'
            cand cancel 'Remove tasks for good; a task in flight is stopped by its consumer within a second'
            cand move 'Give waiting or retrying tasks a new priority, or make retrying tasks due now'
            cand queues 'Every queue on the server with its counts'
            cand pause 'Stop consumers claiming (every priority, or one) until resumed or for a while'
            cand resume 'Let consumers claim again after `rpq pause`; idle ones wake at once'
            cand limit 'Rate limits and in-flight caps, on every task or on one type; shows them without one'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;produce'= {
            cand --interval 'Time between random tasks (250ms, 1s, 2m; 0 = as fast as possible)'
            cand --count 'Stop after N random tasks'
            cand --type 'Push one task of this type (with --priority and --payload)'
            cand --priority 'Priority of the one task: 1|2|3 or high|medium|low'
            cand --payload 'Payload of the one task: JSON if it parses, else a string'
            cand --id 'Id of the one task; an id that is already queued is not queued twice'
            cand --batch 'Tasks per round trip with --stdin'
            cand --in 'Due this long after Redis receives it (scheduled until then, by the server''s clock)'
            cand --at 'Due at TIME: RFC 3339, or YYYY-MM-DD HH:MM[:SS] in local time; a past TIME is now'
            cand --ttl 'Dead (reason "expired") unless claimed within DUR of falling due'
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
            cand --scheduled-tasks 'Tasks of the scheduled phase, due at known times and claimed by idle consumers (0 skips)'
            cand --scheduled-backlog 'Before consuming, schedule N more tasks a day ahead (claims must not slow with them)'
            cand --due-in 'Produce every task due DUR later; consuming starts once all are due (a burst falling due)'
            cand --aging 'Turn aging on with this step for the run (the claim cost with aging on)'
            cand --rate 'Limit the bench''s tasks to N/DUR while consuming (the claim cost with a rate limit)'
            cand --max-in-flight 'Cap the bench''s tasks in flight while consuming (the claim cost with a cap)'
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
        &'rpq;serve'= {
            cand --listen 'Address and port to listen on; one that is not loopback needs a token'
            cand --token-file 'File holding the token every request must carry (wins over RPQ_SERVE_TOKEN)'
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
        &'rpq;schedule'= {
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
            cand add 'Add a schedule, or replace the one of that name'
            cand list 'List the schedules with their next fire time and the last slot fired'
            cand remove 'Remove a schedule: no slot fires after this returns'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;schedule;add'= {
            cand --every 'Fire every DUR (at least 1s)'
            cand --cron 'Fire on a cron spec, such as ''30 2 * * *'''
            cand --tz 'Time zone of --cron, such as Europe/Berlin [default: UTC]'
            cand --type 'Type of the task each slot queues'
            cand --priority 'Its priority: 1|2|3 or high|medium|low [default: medium]'
            cand --payload 'Its payload: JSON if it parses, else a string'
            cand --ttl 'Its ttl: dead (reason "expired") unless claimed within DUR of its slot'
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
        &'rpq;schedule;list'= {
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
        &'rpq;schedule;remove'= {
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
        &'rpq;schedule;help'= {
            cand add 'Add a schedule, or replace the one of that name'
            cand list 'List the schedules with their next fire time and the last slot fired'
            cand remove 'Remove a schedule: no slot fires after this returns'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpq;schedule;help;add'= {
        }
        &'rpq;schedule;help;list'= {
        }
        &'rpq;schedule;help;remove'= {
        }
        &'rpq;schedule;help;help'= {
        }
        &'rpq;aging'= {
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
        &'rpq;show'= {
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
        &'rpq;list'= {
            cand --state 'Which tasks, by their state'
            cand --type 'Only tasks of this type'
            cand --priority 'Only tasks of this priority: 1|2|3 or high|medium|low'
            cand -n 'At most N tasks'
            cand --count 'At most N tasks'
            cand --after 'Continue after this task (the last of the page before)'
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
        &'rpq;cancel'= {
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
        &'rpq;move'= {
            cand --priority 'The new priority: 1|2|3 or high|medium|low'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --now 'Make retrying tasks due now: they wait in line at once'
            cand --cluster 'Redis Cluster: --url may name several seed nodes, comma-separated'
            cand --json 'Machine output: one JSON object per line (NDJSON) on stdout'
            cand --tls-insecure 'Skip TLS certificate verification (for tests only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rpq;queues'= {
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
        &'rpq;pause'= {
            cand --priority 'Pause only this priority: 1|2|3 or high|medium|low [default: every priority]'
            cand --for 'Resume by itself after DUR, by the Redis server''s clock [default: until `rpq resume`]'
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
        &'rpq;resume'= {
            cand --priority 'Resume only this priority: 1|2|3 or high|medium|low [default: every priority]'
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
        &'rpq;limit'= {
            cand --type 'Limit the tasks of this type [default: every task of the queue]'
            cand --rate 'At most N tasks claimed per DUR: 50/s, 100/m, 5/10s'
            cand --burst 'How many may go at once after a quiet spell [default: the rate''s N]'
            cand --max-in-flight 'At most N tasks in flight at once, across every consumer'
            cand --url 'Redis URL: redis://, rediss:// (TLS), redis+unix:///path; user:password@ for ACL, /N db [env: RPQ_URL, then REDIS_URL] [default: redis://127.0.0.1:6379]'
            cand --queue 'Which queue [default: default]'
            cand --tls-ca 'CA certificate (PEM) to verify a TLS server with, instead of the system roots'
            cand --tls-cert 'Client certificate (PEM) for TLS'
            cand --tls-key 'Client private key (PEM) for TLS'
            cand --shards 'Spread the queue over N hash tags (cluster primaries); stored with the queue on first use'
            cand --off 'Remove the limits (of --type, or on every task); its waiting tasks go on at once'
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
            cand serve 'A web dashboard, a JSON HTTP API and Prometheus metrics for every queue on the server'
            cand schedule 'Recurring schedules: a task queued every DUR or on a cron spec, fired by the consumers'
            cand aging 'Show or set aging: a waiting task claimed as if one priority higher per DUR it waited'
            cand show 'Show tasks by id: state, priority, attempts, times, holder and lease, last error'
            cand list 'List the tasks in one state, a page at a time, in the order they will be taken'
            cand cancel 'Remove tasks for good; a task in flight is stopped by its consumer within a second'
            cand move 'Give waiting or retrying tasks a new priority, or make retrying tasks due now'
            cand queues 'Every queue on the server with its counts'
            cand pause 'Stop consumers claiming (every priority, or one) until resumed or for a while'
            cand resume 'Let consumers claim again after `rpq pause`; idle ones wake at once'
            cand limit 'Rate limits and in-flight caps, on every task or on one type; shows them without one'
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
        &'rpq;help;serve'= {
        }
        &'rpq;help;schedule'= {
            cand add 'Add a schedule, or replace the one of that name'
            cand list 'List the schedules with their next fire time and the last slot fired'
            cand remove 'Remove a schedule: no slot fires after this returns'
        }
        &'rpq;help;schedule;add'= {
        }
        &'rpq;help;schedule;list'= {
        }
        &'rpq;help;schedule;remove'= {
        }
        &'rpq;help;aging'= {
        }
        &'rpq;help;show'= {
        }
        &'rpq;help;list'= {
        }
        &'rpq;help;cancel'= {
        }
        &'rpq;help;move'= {
        }
        &'rpq;help;queues'= {
        }
        &'rpq;help;pause'= {
        }
        &'rpq;help;resume'= {
        }
        &'rpq;help;limit'= {
        }
        &'rpq;help;completions'= {
        }
        &'rpq;help;help'= {
        }
    ]
    $completions[$command]
}
