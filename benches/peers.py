#!/usr/bin/env python3
"""rpq beside the peers, in one run: redis-benchmark's primitives, `rpq bench`, BullMQ and the
seed's Python design, on one private redis-server, in rounds; prints a markdown table of medians.

Usage: cargo build --release && python3 benches/peers.py [--rounds 5] [--tasks 20000] [--json]
       [--placement split|same|free] [--deps DIR] [--only NAME,...]
(RPQ_BIN=path picks another rpq binary.)

Needs redis-server, redis-benchmark, node and npm (v20), and Python 3.11 with pip. BullMQ and
ioredis (npm) and redis-py (pip) are installed at start into a temporary folder, at the exact
versions pinned below, and removed at the end; `--deps DIR` keeps them in DIR instead and reuses
them on the next run. Nothing is installed elsewhere.

Every contender gets the same number of tasks, is checked for lost and duplicated tasks, and runs
on the same redis-server (FLUSHALL between contenders). Each round runs every contender once, in
an order rotated from round to round, so that machine noise hits all alike and every ratio can be
taken within one round. The two references also run again just before every other contender,
which gives each ratio a second form whose two figures are seconds apart (on a shared machine
the speed of a lone round trip drifts by 2x or more within a minute). By default redis-server is
pinned to one CPU and every client to the others (--placement, see placement() below).

Producing and consuming are separate phases (all tasks are queued, then drained), as in
`rpq bench`; the Redis CPU time of each phase is read from INFO cpu (used_cpu_sys +
used_cpu_user) at its boundaries, which every driver reports on stderr and then waits for a line
on stdin before going on.

Contenders:
  eval       redis-benchmark -c 1 -P 1 EVAL "return redis.call('ZPOPMIN',KEYS[1])" 1 k
             (the one-command script round trip: the reference of every consume figure)
  zadd       redis-benchmark -c 1 -P 64 ZADD with 100-byte members (the produce reference)
  rpq-c1-p1, rpq-c1-p16, rpq-c2-p1, rpq-c8-p1, rpq-c8-p16
             rpq bench, 1, 2 or 8 consumer threads, prefetch 1 or 16, 1 producer, batch 500,
             100-byte payloads (2 consumers: two tasks in flight, as BullMQ's concurrency 2)
  bullmq-j1, bullmq-j2
             one BullMQ Worker, concurrency 1 or 2, default options; Queue.addBulk in chunks of
             500 jobs with a 100-byte payload
  bullmq-prio-j1
             the same with BullMQ's job option `priority` (1-3, as rpq's tasks): its prioritized
             path, beside the default (FIFO) one
  seed       the seed's design: one producer ZADDs each task (JSON member, priority as score), two
             consumer processes each ZRANGE 0 0 then ZREM the member they got

This is a benchmark, not a test: CI does not run it.
"""

import argparse
import collections
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RPQ = os.environ.get("RPQ_BIN") or os.path.join(ROOT, "target", "release", "rpq")

# The versions this table was measured with; change them here, and say so in the README.
BULLMQ = "6.7.0"
IOREDIS = "6.0.0"
REDIS_PY = "8.1.0"

PAYLOAD_BYTES = 100
BATCH = 500


# --- a minimal RESP client for the harness's own INFO / FLUSHALL (no dependency) -------------

class Resp:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.f = self.sock.makefile("rb")

    def cmd(self, *args):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self.f.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")

    def info(self, section):
        text = self.cmd("INFO", section)
        return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)

    def cpu(self):
        """Redis's own CPU time so far, user + system, in seconds."""
        i = self.info("cpu")
        return float(i["used_cpu_sys"]) + float(i["used_cpu_user"])

    def flushall(self):
        self.cmd("FLUSHALL")


# --- the private server ------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def placement(how):
    """(CPUs for redis-server, CPUs for every client) or None to leave the scheduler free.

    On a small machine a lone client's round trip is two to three times faster when the
    scheduler happens to put it on the server's core (no wake-up of another, idle vCPU), and it
    flips between the two from one run to the next; pinning makes the figures repeatable.
    `split` (the default) gives redis-server a core of its own, as in a deployment where clients
    run elsewhere; `same` puts everything on one core; `free` pins nothing."""
    cpus = sorted(os.sched_getaffinity(0))
    if how == "free":
        return None
    if how == "same" or len(cpus) < 2:
        return {cpus[-1]}, {cpus[-1]}
    return {cpus[-1]}, set(cpus[:-1])


def start_server(tmp, cpus=None):
    port = free_port()
    d = os.path.join(tmp, "redis")
    os.makedirs(d)
    p = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
         "--save", "", "--appendonly", "no", "--logfile", os.path.join(d, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
    for _ in range(200):
        try:
            r = Resp(port)
            if r.cmd("PING") == "PONG":
                return p, port, r
        except (OSError, RuntimeError):
            pass
        time.sleep(0.05)
    p.kill()
    sys.exit("peers: redis-server did not answer PING within 10 s")


# --- the peers' code, written into the temporary folder -----------------------------------------

BULLMQ_JS = r"""
'use strict';
// One BullMQ contender: produce with Queue.addBulk, consume with one Worker, count every job id.
// argv: port tasks concurrency payloadBytes batch priority(0|1)
// Phases: prints READY, PRODUCED, CONSUMED on stderr, each time waiting for a line on stdin.
const { Queue, Worker } = require('bullmq');
const readline = require('node:readline');

const [port, n, concurrency, payloadBytes, batch, priority] = process.argv.slice(2).map(Number);
const connection = { host: '127.0.0.1', port };
const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function step(marker) {
  process.stderr.write(marker + '\n');
  await stdin.next();
}

async function main() {
  const queue = new Queue('peers', { connection });
  await queue.waitUntilReady();
  const payload = 'x'.repeat(payloadBytes);
  await step('READY');

  const expected = [];
  const p0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const jobs = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      const job = { name: 'bench', data: { i: j, payload } };
      if (priority) job.opts = { priority: (j % 3) + 1 };
      jobs.push(job);
    }
    for (const job of await queue.addBulk(jobs)) expected.push(job.id);
  }
  const produceSecs = (performance.now() - p0) / 1000;

  const seen = new Map();
  let completed = 0, failed = 0, errors = 0, last = 0, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const worker = new Worker('peers', async (job) => {
    seen.set(job.id, (seen.get(job.id) || 0) + 1);
  }, { connection, concurrency, autorun: false });
  worker.on('completed', () => {
    completed++;
    last = performance.now();
    if (completed >= n) finish();
  });
  worker.on('failed', () => { failed++; });
  worker.on('error', () => { errors++; });
  await worker.waitUntilReady();
  await step('PRODUCED');

  const t0 = performance.now();
  last = t0;
  const running = worker.run();
  // A job that never completes would hang the run: give up after 10 s without a completion.
  const idle = setInterval(() => { if (performance.now() - last > 10000) finish(); }, 250);
  await done;
  clearInterval(idle);
  const consumeSecs = (last - t0) / 1000;
  await step('CONSUMED');

  await worker.close();
  await running;
  const counts = await queue.getJobCounts('wait', 'active', 'prioritized', 'completed', 'failed');
  await queue.close();
  let duplicated = 0;
  for (const c of seen.values()) duplicated += c - 1;
  const want = new Set(expected);
  let lost = 0;
  for (const id of want) if (!seen.has(id)) lost++;
  console.log(JSON.stringify({
    tasks: n, pushed: expected.length, distinct_ids: want.size, processed: seen.size,
    produce_secs: produceSecs, consume_secs: consumeSecs,
    completed_events: completed, failed_events: failed, error_events: errors,
    lost, duplicated, counts,
  }));
}
main().catch((e) => { console.error(e); process.exit(1); });
"""

SEED_PY = r'''
"""The seed's design (../shared/seed/): a sorted set, priority as the score, the task's JSON as
the member; a producer ZADDs one task at a time, consumers ZRANGE 0 0 and then ZREM what they got.

    seed.py produce PORT TASKS PAYLOAD_BYTES   prints READY, waits for a line, produces, prints JSON
    seed.py consume PORT NAME                  prints READY, waits for a line, drains, prints JSON
"""
import json, random, sys, time
import redis

KEY = "priority_queue"
TYPES = ["email", "report", "image", "backup"]


class RedisPriorityQueue:
    def __init__(self, r, name=KEY):
        self.r, self.name = r, name

    def push(self, task, priority):
        self.r.zadd(self.name, {json.dumps(task): priority})

    def pop(self):
        items = self.r.zrange(self.name, 0, 0)
        if not items:
            return None, None
        item = items[0]
        removed = self.r.zrem(self.name, item)  # the seed does not look at this; we count it
        return json.loads(item), removed


def ready():
    sys.stderr.write("READY\n")
    sys.stderr.flush()
    sys.stdin.readline()


def produce(port, n, payload_bytes):
    pq = RedisPriorityQueue(redis.Redis(port=port))
    pq.r.ping()
    payload = "x" * payload_bytes
    ready()
    t0 = time.monotonic()
    for i in range(n):
        p = i % 3 + 1
        pq.push({"id": i, "type": random.choice(TYPES), "priority": p, "payload": payload,
                 "created_at": time.time()}, p)
    print(json.dumps({"produce_secs": time.monotonic() - t0}))


def consume(port, name):
    pq = RedisPriorityQueue(redis.Redis(port=port))
    pq.r.ping()
    ready()
    t0 = time.monotonic()
    t1, ids, zrem_zero = t0, [], 0
    while True:
        task, removed = pq.pop()
        if task is None:  # drained (the seed sleeps and polls again; every task was queued)
            break
        ids.append(task["id"])  # "process" it
        zrem_zero += removed == 0
        t1 = time.monotonic()
    print(json.dumps({"name": name, "t0": t0, "t1": t1, "ids": ids, "zrem_zero": zrem_zero}))


if __name__ == "__main__":
    if sys.argv[1] == "produce":
        produce(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        consume(int(sys.argv[2]), sys.argv[3])
'''


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"peers: {' '.join(cmd)} failed ({out.returncode}):\n{out.stderr.strip()}")
    return out.stdout


def install_deps(d):
    """npm and pip into d (reused when already there at the pinned versions)."""
    node = os.path.join(d, "node")
    os.makedirs(node, exist_ok=True)

    def npm_version(pkg):
        try:
            with open(os.path.join(node, "node_modules", pkg, "package.json")) as f:
                return json.load(f)["version"]
        except OSError:
            return None

    if npm_version("bullmq") != BULLMQ or npm_version("ioredis") != IOREDIS:
        print(f"peers: npm install bullmq@{BULLMQ} ioredis@{IOREDIS} into {node}", file=sys.stderr)
        run(["npm", "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
             "--loglevel", "error", f"bullmq@{BULLMQ}", f"ioredis@{IOREDIS}"], cwd=node)
    # BullMQ must use the ioredis pinned here, not a copy of its own.
    if os.path.exists(os.path.join(node, "node_modules", "bullmq", "node_modules", "ioredis")):
        sys.exit("peers: bullmq brought its own ioredis; pin a version it accepts")
    py = os.path.join(d, "py")
    if not os.path.exists(os.path.join(py, f"redis-{REDIS_PY}.dist-info")):
        print(f"peers: pip install redis=={REDIS_PY} into {py}", file=sys.stderr)
        run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-input", "--upgrade", "--target", py, f"redis=={REDIS_PY}"])
    with open(os.path.join(node, "bullmq.js"), "w") as f:
        f.write(BULLMQ_JS)
    with open(os.path.join(d, "seed.py"), "w") as f:
        f.write(SEED_PY)
    return {"bullmq": npm_version("bullmq"), "ioredis": npm_version("ioredis"),
            "redis-py": REDIS_PY}


# --- running one driver through its phases -----------------------------------------------------

class Stepped:
    """A driver that prints a marker line on stderr at each phase boundary and then waits for a
    line on stdin; the harness reads Redis's CPU time at each boundary."""

    def __init__(self, cmd, **kw):
        self.cmd = cmd
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1, **kw)
        self.err = []

    def wait_for(self, marker):
        for line in self.p.stderr:
            if line.startswith(marker):
                return
            self.err.append(line)
        self.fail(f"ended before printing {marker!r}")

    def go(self):
        self.p.stdin.write("\n")
        self.p.stdin.flush()

    def finish(self):
        out, err = self.p.communicate()
        self.err.append(err)
        if self.p.returncode != 0:
            self.fail(f"exited {self.p.returncode}")
        return json.loads(out.strip().splitlines()[-1])

    def fail(self, why):
        self.p.kill()
        sys.exit(f"peers: {' '.join(self.cmd)} {why}:\n{''.join(self.err).strip()}")


def per_task_us(cpu_secs, tasks):
    return cpu_secs / tasks * 1e6


# --- the contenders: each returns a dict of figures for one round --------------------------------

def redis_benchmark(port, r, n, args):
    before = r.cpu()
    t0 = time.monotonic()
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-q", "-n", str(n), *args],
                         capture_output=True, text=True)
    wall = time.monotonic() - t0
    cpu = r.cpu() - before
    text = (out.stdout + out.stderr).replace("\r", "\n")
    rates = re.findall(r"([\d.]+) requests per second", text)
    if out.returncode != 0 or not rates or re.search(r"(?i)\berr", text):
        sys.exit(f"peers: redis-benchmark {' '.join(args)} failed:\n{text.strip()}")
    return {"rate": float(rates[-1]), "redis_us": per_task_us(cpu, n), "redis_busy": cpu / wall}


def c_eval(ctx):
    return redis_benchmark(ctx.port, ctx.r, ctx.tasks,
                           ["-c", "1", "-P", "1", "EVAL",
                            "return redis.call('ZPOPMIN',KEYS[1])", "1", "k"])


def c_zadd(ctx):
    # __rand_int__ becomes 12 digits: "m:" + 12 + 86 = 100-byte members. Five times the task
    # count, so that the run lasts long enough to time (it is several times faster than a task).
    return redis_benchmark(ctx.port, ctx.r, ctx.zadd_n,
                           ["-c", "1", "-P", "64", "-r", "100000000", "ZADD", "bz",
                            "__rand_int__", "m:__rand_int__" + "x" * 86])


def c_rpq(consumers, prefetch):
    def go(ctx):
        r = ctx.r
        c0 = r.cpu()
        d = Stepped([RPQ, "--url", f"redis://127.0.0.1:{ctx.port}", "--json", "bench",
                     "--tasks", str(ctx.tasks), "--consumers", str(consumers),
                     "--prefetch", str(prefetch), "--batch", str(BATCH),
                     "--payload-bytes", str(PAYLOAD_BYTES), "--latency-tasks", "0",
                     "--scheduled-tasks", "0", "--step"])
        d.wait_for("rpq: produced ")
        c1 = r.cpu()
        d.go()
        b = d.finish()
        c2 = r.cpu()
        if b["consumed"] != ctx.tasks:
            sys.exit(f"peers: rpq bench consumed {b['consumed']} of {ctx.tasks}")
        return {"produce_rate": b["produce_per_sec"], "rate": b["consume_per_sec"],
                "produce_redis_us": per_task_us(c1 - c0, ctx.tasks),
                "redis_us": per_task_us(c2 - c1, ctx.tasks),
                "redis_busy": (c2 - c1) / b["consume_secs"],
                "lost": b["lost"], "duplicated": b["duplicated"]}
    return go


def c_bullmq(concurrency, priority=False):
    def go(ctx):
        r = ctx.r
        node = os.path.join(ctx.deps, "node")
        d = Stepped(["node", os.path.join(node, "bullmq.js"), str(ctx.port), str(ctx.tasks),
                     str(concurrency), str(PAYLOAD_BYTES), str(BATCH), str(int(priority))],
                    cwd=node)
        d.wait_for("READY")
        c0 = r.cpu()
        d.go()
        d.wait_for("PRODUCED")
        c1 = r.cpu()
        d.go()
        d.wait_for("CONSUMED")
        c2 = r.cpu()
        d.go()
        b = d.finish()
        return {"produce_rate": ctx.tasks / b["produce_secs"],
                "rate": ctx.tasks / b["consume_secs"],
                "produce_redis_us": per_task_us(c1 - c0, ctx.tasks),
                "redis_us": per_task_us(c2 - c1, ctx.tasks),
                "redis_busy": (c2 - c1) / b["consume_secs"],
                "lost": b["lost"] + (ctx.tasks - b["distinct_ids"]),
                "duplicated": b["duplicated"], "failed": b["failed_events"],
                "completed": b["counts"].get("completed")}
    return go


def c_seed(ctx):
    r = ctx.r
    env = dict(os.environ, PYTHONPATH=os.path.join(ctx.deps, "py"))
    seed = os.path.join(ctx.deps, "seed.py")
    prod = Stepped([sys.executable, seed, "produce", str(ctx.port), str(ctx.tasks),
                    str(PAYLOAD_BYTES)], env=env)
    prod.wait_for("READY")
    c0 = r.cpu()
    prod.go()
    p = prod.finish()
    c1 = r.cpu()
    queued = r.cmd("ZCARD", "priority_queue")
    cons = [Stepped([sys.executable, seed, "consume", str(ctx.port), f"c{i + 1}"], env=env)
            for i in range(2)]
    for c in cons:
        c.wait_for("READY")
    c2 = r.cpu()
    for c in cons:
        c.go()
    res = [c.finish() for c in cons]
    c3 = r.cpu()
    secs = max(x["t1"] for x in res) - min(x["t0"] for x in res)
    counts = collections.Counter(i for x in res for i in x["ids"])
    return {"produce_rate": ctx.tasks / p["produce_secs"], "rate": ctx.tasks / secs,
            "produce_redis_us": per_task_us(c1 - c0, ctx.tasks),
            "redis_us": per_task_us(c3 - c2, ctx.tasks), "redis_busy": (c3 - c2) / secs,
            "lost": ctx.tasks - len(counts),
            "duplicated": sum(c - 1 for c in counts.values()),
            "queued": queued, "zrem_zero": sum(x["zrem_zero"] for x in res),
            "split": [len(x["ids"]) for x in res]}


CONTENDERS = {
    "eval": ("redis-benchmark EVAL ZPOPMIN, `-c 1 -P 1` (reference)", c_eval),
    "zadd": ("redis-benchmark ZADD 100-byte members, `-c 1 -P 64` (reference)", c_zadd),
    "rpq-c1-p1": ("rpq bench, 1 consumer, prefetch 1", c_rpq(1, 1)),
    "rpq-c1-p16": ("rpq bench, 1 consumer, prefetch 16", c_rpq(1, 16)),
    "rpq-c2-p1": ("rpq bench, 2 consumers, prefetch 1", c_rpq(2, 1)),
    "rpq-c8-p1": ("rpq bench, 8 consumers, prefetch 1", c_rpq(8, 1)),
    "rpq-c8-p16": ("rpq bench, 8 consumers, prefetch 16", c_rpq(8, 16)),
    "bullmq-j1": ("BullMQ, 1 Worker, concurrency 1", c_bullmq(1)),
    "bullmq-j2": ("BullMQ, 1 Worker, concurrency 2", c_bullmq(2)),
    "bullmq-prio-j1": ("BullMQ with `priority` 1-3, concurrency 1", c_bullmq(1, True)),
    "seed": ("seed design, 2 consumers, ZRANGE 0 0 + ZREM", c_seed),
}

# Ratios taken within each round: (name, numerator, denominator), figures as "contender.field".
RATIOS = [
    ("rpq 1 consumer, prefetch 1 / BullMQ concurrency 1", "rpq-c1-p1.rate", "bullmq-j1.rate"),
    ("rpq 1 consumer, prefetch 1 / BullMQ concurrency 2", "rpq-c1-p1.rate", "bullmq-j2.rate"),
    ("rpq 2 consumers, prefetch 1 / BullMQ concurrency 2", "rpq-c2-p1.rate", "bullmq-j2.rate"),
    ("rpq 1 consumer, prefetch 16 / BullMQ concurrency 2", "rpq-c1-p16.rate", "bullmq-j2.rate"),
    ("rpq 1 consumer, prefetch 1 / seed, 2 consumers", "rpq-c1-p1.rate", "seed.rate"),
    ("rpq produce / BullMQ addBulk", "rpq-c1-p1.produce_rate", "bullmq-j1.produce_rate"),
    ("rpq produce / seed ZADD", "rpq-c1-p1.produce_rate", "seed.produce_rate"),
    ("Redis CPU per claim+ack: BullMQ concurrency 1 / rpq prefetch 1",
     "bullmq-j1.redis_us", "rpq-c1-p1.redis_us"),
    ("Redis CPU per push: BullMQ addBulk / rpq produce",
     "bullmq-j1.produce_redis_us", "rpq-c1-p1.produce_redis_us"),
]


class Ctx:
    pass


def get(rnd, path):
    name, field = path.split(".")
    return rnd[name].get(field)


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratio_in_round(rounds, num, den):
    return summary([get(r, num) / get(r, den) for r in rounds])


def fmt_rate(s):
    return f"{s['median']:,.0f}" if s else "-"


def fmt_range(s, spec=",.0f"):
    return f"{s['min']:{spec}}–{s['max']:{spec}}" if s else "-"


def fmt_ratio(s):
    return f"**{s['median']:.2f}** ({s['min']:.2f}–{s['max']:.2f})" if s else "-"


def fmt_us(s):
    return f"{s['median']:.1f}" if s else "-"


CONSUME_ROWS = ["eval", "rpq-c1-p1", "rpq-c1-p16", "rpq-c2-p1", "rpq-c8-p1", "rpq-c8-p16",
                "bullmq-j1", "bullmq-j2", "bullmq-prio-j1", "seed"]
PRODUCE_ROWS = [("zadd", CONTENDERS["zadd"][0], "rate", "redis_us"),
                ("rpq-c1-p1", "rpq bench, 1 producer, batch 500", "produce_rate",
                 "produce_redis_us"),
                ("bullmq-j1", "BullMQ `addBulk`, 500 jobs a call", "produce_rate",
                 "produce_redis_us"),
                ("bullmq-prio-j1", "BullMQ `addBulk` with `priority`, 500 a call",
                 "produce_rate", "produce_redis_us"),
                ("seed", "seed design, one ZADD per task", "produce_rate", "produce_redis_us")]


def summarize(rounds):
    """Medians and ranges of every figure, and the ratios taken within each round."""
    s = {"figures": {}, "consume_vs_eval": {}, "consume_vs_eval_adjacent": {},
         "produce_vs_zadd": {}, "produce_vs_zadd_adjacent": {}, "ratios": {}}
    for k in rounds[0]:
        s["figures"][k] = {f: summary([r[k].get(f) for r in rounds]) for f in rounds[0][k]
                           if not isinstance(rounds[0][k][f], list)}
        s["figures"][k]["per_redis_cpu_sec"] = summary([1e6 / r[k]["redis_us"] for r in rounds])
        s["figures"][k]["lost_all_rounds"] = sum(r[k].get("lost", 0) for r in rounds)
        s["figures"][k]["duplicated_all_rounds"] = sum(r[k].get("duplicated", 0) for r in rounds)
    for k in CONSUME_ROWS:
        if k in rounds[0]:
            s["consume_vs_eval"][k] = ratio_in_round(rounds, k + ".rate", "eval.rate")
            s["consume_vs_eval_adjacent"][k] = ratio_in_round(
                rounds, k + ".rate", k + (".eval_adj" if k != "eval" else ".rate"))
    for k, _, f, _ in PRODUCE_ROWS:
        if k in rounds[0]:
            s["produce_vs_zadd"][k] = ratio_in_round(rounds, f"{k}.{f}", "zadd.rate")
            s["produce_vs_zadd_adjacent"][k] = ratio_in_round(
                rounds, f"{k}.{f}", k + (".zadd_adj" if k != "zadd" else ".rate"))
    for label, num, den in RATIOS:
        if num.split(".")[0] in rounds[0] and den.split(".")[0] in rounds[0]:
            s["ratios"][label] = ratio_in_round(rounds, num, den)
    return s


def table(rounds, meta, s):
    fig = s["figures"]
    n = meta["tasks"]
    out = [f"Consume: {n:,} tasks queued, then drained (claim + acknowledge); medians of "
           f"{len(rounds)} rounds, min–max; × EVAL = the median (min–max) of each round's "
           f"figure over the EVAL round trip of the same round, and over the EVAL run just "
           f"before this contender; Redis CPU from INFO cpu over the phase.", "",
           "| contender | tasks/s | min–max | × EVAL, same round | × EVAL just before "
           "| Redis CPU µs per task | tasks per Redis CPU-second | Redis busy "
           "| lost / duplicated (all rounds) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for k in CONSUME_ROWS:
        m = fig[k]
        checks = "-" if k == "eval" else f"{m['lost_all_rounds']} / {m['duplicated_all_rounds']}"
        out.append(
            f"| {CONTENDERS[k][0]} | {fmt_rate(m['rate'])} | {fmt_range(m['rate'])} | "
            f"{fmt_ratio(s['consume_vs_eval'][k])} | "
            f"{fmt_ratio(s['consume_vs_eval_adjacent'][k])} | {fmt_us(m['redis_us'])} | "
            f"{fmt_rate(m['per_redis_cpu_sec'])} | {m['redis_busy']['median']:.0%} | {checks} |")
    out += ["", f"Produce: {n:,} tasks, 100-byte payloads (the ZADD reference: "
            f"{meta['zadd_n']:,} ZADDs of 100-byte members).", "",
            "| contender | tasks/s | min–max | × ZADD, same round | × ZADD just before "
            "| Redis CPU µs per task |",
            "|---|---|---|---|---|---|"]
    for k, label, f, cpu in PRODUCE_ROWS:
        out.append(f"| {label} | {fmt_rate(fig[k][f])} | {fmt_range(fig[k][f])} | "
                   f"{fmt_ratio(s['produce_vs_zadd'][k])} | "
                   f"{fmt_ratio(s['produce_vs_zadd_adjacent'][k])} | {fmt_us(fig[k][cpu])} |")
    out += ["", "rpq against the peers, ratios within each round (median, min–max):", "",
            "| ratio | median (min–max) |", "|---|---|"]
    for label, r in s["ratios"].items():
        out.append(f"| {label} | {fmt_ratio(r)} |")
    out += ["", f"Seed: ZREM returned 0 (the other consumer had taken the task first) "
            f"{sum(r['seed']['zrem_zero'] for r in rounds)} times in all; tasks per consumer "
            f"by round: {', '.join('/'.join(map(str, r['seed']['split'])) for r in rounds)}."]
    v = meta["versions"]
    out += ["", f"Versions: redis-server {v['redis']}, rpq {v['rpq']}, node {v['node']}, "
            f"bullmq {v['bullmq']}, ioredis {v['ioredis']}, Python {v['python']}, "
            f"redis-py {v['redis-py']}. Machine: {meta['machine']}; placement "
            f"{meta['placement']}; load average (1 min) at the start of each round "
            f"{', '.join(f'{x:.1f}' for x in meta['load_rounds'])}, "
            f"{meta['load_end']:.1f} at the end. "
            f"Command: `{meta['command']}`."]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5, metavar="N", help="rounds (default 5)")
    ap.add_argument("--tasks", type=int, default=20_000, metavar="N",
                    help="tasks for each contender (default 20000)")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object instead of the table")
    ap.add_argument("--deps", metavar="DIR", help="keep the npm and pip installs in DIR and reuse them")
    ap.add_argument("--placement", choices=["split", "same", "free"], default="split",
                    help="split: redis-server on the last CPU, clients on the others (default); "
                         "same: all on one CPU; free: no pinning")
    ap.add_argument("--only", metavar="NAME,...",
                    help="comma-separated contenders (default all): " + ",".join(CONTENDERS))
    a = ap.parse_args()
    for tool in ("redis-server", "redis-benchmark", "node", "npm"):
        if not shutil.which(tool):
            sys.exit(f"peers: {tool} not found (redis: .ci/install-deps; node v20 and npm)")
    if not os.access(RPQ, os.X_OK):
        sys.exit(f"peers: {RPQ} not found: run cargo build --release first")
    keys = a.only.split(",") if a.only else list(CONTENDERS)
    if a.only and not {"eval", "zadd"} <= set(keys):
        sys.exit("peers: --only needs eval and zadd, the references of the ratios")

    tmp = tempfile.mkdtemp(prefix="rpq-peers-")
    server = None
    try:
        ctx = Ctx()
        ctx.deps = os.path.abspath(a.deps) if a.deps else os.path.join(tmp, "deps")
        versions = install_deps(ctx.deps)
        pin = placement(a.placement)
        server, ctx.port, ctx.r = start_server(tmp, pin[0] if pin else None)
        if pin:
            os.sched_setaffinity(0, pin[1])  # every client below inherits it
        ctx.tasks, ctx.zadd_n = a.tasks, 5 * a.tasks
        versions.update(
            redis=ctx.r.info("server")["redis_version"],
            rpq=run([RPQ, "--version"]).split()[-1] + " (" + (run(
                ["git", "-C", ROOT, "describe", "--always", "--dirty"]).strip() or "?") + ")",
            node=run(["node", "--version"]).strip(),
            python=sys.version.split()[0])
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                    if l.startswith("model name")), "?")
        meta = {"tasks": a.tasks, "zadd_n": ctx.zadd_n, "rounds": a.rounds,
                "versions": versions, "machine": f"{os.cpu_count()} CPUs, {cpu}",
                "placement": a.placement if not pin else
                f"{a.placement}: redis-server on CPU {','.join(map(str, sorted(pin[0])))}, "
                f"clients on CPU {','.join(map(str, sorted(pin[1])))}",
                "load_start": os.getloadavg()[0],
                "command": " ".join(["python3", "benches/peers.py", *sys.argv[1:]])}
        rounds = []
        meta["load_rounds"] = []
        for i in range(a.rounds):
            meta["load_rounds"].append(os.getloadavg()[0])
            order = keys[i % len(keys):] + keys[:i % len(keys)]
            rnd = {}
            for k in order:
                adjacent = {}
                if k not in ("eval", "zadd"):
                    # The references again, just before this contender: a second ratio whose
                    # two figures are seconds apart, not a round apart.
                    ctx.r.flushall()
                    adjacent["zadd_adj"] = c_zadd(ctx)["rate"]
                    ctx.r.flushall()
                    adjacent["eval_adj"] = c_eval(ctx)["rate"]
                ctx.r.flushall()
                rnd[k] = CONTENDERS[k][1](ctx) | adjacent
                print(f"round {i + 1} {k}: " + ", ".join(
                    f"{f}={v:.4g}" if isinstance(v, float) else f"{f}={v}"
                    for f, v in rnd[k].items()), file=sys.stderr)
            rounds.append(rnd)
        meta["load_end"] = os.getloadavg()[0]
        s = summarize(rounds)
        if a.json:
            print(json.dumps({"meta": meta, "summary": s, "rounds": rounds}))
        elif a.only:
            print("(--only: no table; the figures are on stderr, or use --json)")
        else:
            print(table(rounds, meta, s))
    finally:
        if server:
            server.kill()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
