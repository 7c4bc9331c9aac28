#!/usr/bin/env python3
"""Issue 22's same-run ratios, in rounds on one private redis-server: `rpq bench` with 1
consumer at prefetch 1 against a trivial `EVAL` round trip; its produce against
`redis-benchmark ZADD -P 64`; and 8 consumers' tasks per Redis CPU-second. Prints each round,
then the medians, each ratio taken within its round.

Usage: cargo build --release && python3 benches/ratios.py [--rounds 5] [--tasks 100000]
       [--base OLD_RPQ]
(RPQ_BIN=path picks another rpq binary; --base runs an older one too, in every round beside it,
and gives its figures as base_*.)

Each round runs, in an order rotated from round to round (so that no contender always meets a
warmer or a quieter machine):
  eval1    redis-benchmark -c 1 -P 1 EVAL "return 1" 0              the trivial round trip
  evalpop  redis-benchmark -c 1 -P 1 EVAL "return redis.call('ZPOPMIN',KEYS[1])" 1 k
           (issue 15's reference, for the figures quoted with it)
  zadd     redis-benchmark -c 1 -P 64 ZADD of 100-byte members, 5x the tasks
  c1p1     rpq bench, 1 producer (batch 500, 100-byte payloads), 1 consumer, prefetch 1: its
           produce and consume rates
  c8p1     the same with 8 consumers: Redis's CPU time of the consume phase (INFO cpu,
           used_cpu_sys + used_cpu_user, read at `rpq bench --step`'s boundaries)
redis-server runs on the last CPU and the clients on the others, as benches/peers.py and
benches/ab.py do (a lone client's round trip is steadier that way). No other dependency than
redis-server, redis-cli and redis-benchmark.

This is a benchmark, not a test: CI does not run it.
"""

import argparse
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
CPUS = sorted(os.sched_getaffinity(0))
SERVER_CPUS, CLIENT_CPUS = ({CPUS[-1]}, set(CPUS[:-1])) if len(CPUS) > 1 else (None, None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True,
                          text=True, timeout=120).stdout


def redis_cpu(port):
    i = dict(l.split(":", 1) for l in cli(port, "INFO", "cpu").splitlines() if ":" in l)
    return float(i["used_cpu_sys"]) + float(i["used_cpu_user"])


def start_server(d):
    port = free_port()
    p = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
         "--appendonly", "no", "--logfile", os.path.join(d, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.sched_setaffinity(0, SERVER_CPUS)) if SERVER_CPUS else None)
    if CLIENT_CPUS:
        os.sched_setaffinity(0, CLIENT_CPUS)  # every client below inherits it
    for _ in range(200):
        if cli(port, "PING").strip() == "PONG":
            return p, port
        time.sleep(0.05)
    sys.exit("ratios: redis-server did not start")


def benchmark(port, n, args):
    cli(port, "FLUSHALL")
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-q", "-n", str(n), *args],
                         capture_output=True, text=True, timeout=600)
    text = (out.stdout + out.stderr).replace("\r", "\n")
    rates = re.findall(r"([\d.]+) requests per second", text)
    if out.returncode != 0 or not rates or re.search(r"(?i)\berr", text):
        sys.exit(f"ratios: redis-benchmark {' '.join(args)} failed:\n{text.strip()}")
    return float(rates[-1])


def rpq_bench(port, tasks, consumers, rpq=RPQ):
    """One `rpq bench` at prefetch 1: its report, and Redis's CPU seconds while it consumed."""
    cli(port, "FLUSHALL")
    p = subprocess.Popen(
        [rpq, "--url", f"redis://127.0.0.1:{port}", "--json", "bench", "--tasks", str(tasks),
         "--consumers", str(consumers), "--prefetch", "1", "--batch", "500",
         "--payload-bytes", "100", "--latency-tasks", "0", "--scheduled-tasks", "0", "--step"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        bufsize=1)
    err = []
    for line in p.stderr:
        if line.startswith("rpq: produced "):
            break
        err.append(line)
    before = redis_cpu(port)
    out, rest = p.communicate("\n")
    cpu = redis_cpu(port) - before
    if p.returncode != 0:
        sys.exit(f"ratios: rpq bench failed ({p.returncode}):\n{''.join(err)}{rest}")
    report = json.loads(out.strip().splitlines()[-1])
    if report["lost"] or report["duplicated"] or report["consumed"] != tasks:
        sys.exit(f"ratios: rpq bench lost or duplicated tasks: {report}")
    report["redis_cpu"] = cpu
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5, metavar="N")
    ap.add_argument("--tasks", type=int, default=100_000, metavar="N")
    ap.add_argument("--json", action="store_true", help="the rounds and medians as JSON")
    ap.add_argument("--base", metavar="OLD_RPQ", help="an older rpq, run beside it each round")
    a = ap.parse_args()
    for tool in ("redis-server", "redis-cli", "redis-benchmark"):
        if not shutil.which(tool):
            sys.exit(f"ratios: {tool} not found")
    if not os.access(RPQ, os.X_OK):
        sys.exit(f"ratios: {RPQ} not found: run cargo build --release first")
    n = a.tasks
    contenders = {
        "eval1": lambda port: {"rate": benchmark(
            port, n, ["-c", "1", "-P", "1", "EVAL", "return 1", "0"])},
        "evalpop": lambda port: {"rate": benchmark(
            port, n, ["-c", "1", "-P", "1", "EVAL", "return redis.call('ZPOPMIN',KEYS[1])",
                      "1", "k"])},
        # __rand_int__ becomes 12 digits: "m:" + 12 + 86 = 100-byte members (as peers.py).
        "zadd": lambda port: {"rate": benchmark(
            port, 5 * n, ["-c", "1", "-P", "64", "-r", "100000000", "ZADD", "bz",
                          "__rand_int__", "m:__rand_int__" + "x" * 86])},
        "c1p1": lambda port: rpq_bench(port, n, 1),
        "c8p1": lambda port: rpq_bench(port, n, 8),
    }
    if a.base:
        contenders["base_c1p1"] = lambda port: rpq_bench(port, n, 1, a.base)
        contenders["base_c8p1"] = lambda port: rpq_bench(port, n, 8, a.base)
    d = tempfile.mkdtemp(prefix="rpq-ratios-")
    server, port = start_server(d)
    keys = list(contenders)
    rounds = []
    try:
        for i in range(a.rounds):
            load = os.getloadavg()[0]
            got = {}
            for k in keys[i % len(keys):] + keys[:i % len(keys)]:
                got[k] = contenders[k](port)
            r = {
                "load": load,
                "eval1": got["eval1"]["rate"],
                "evalpop": got["evalpop"]["rate"],
                "zadd": got["zadd"]["rate"],
                "c1p1_consume": got["c1p1"]["consume_per_sec"],
                "c1p1_produce": got["c1p1"]["produce_per_sec"],
                "c8p1_consume": got["c8p1"]["consume_per_sec"],
                "c8p1_per_redis_cpu_s": n / got["c8p1"]["redis_cpu"],
            }
            if a.base:
                r["base_c1p1_consume"] = got["base_c1p1"]["consume_per_sec"]
                r["base_c1p1_produce"] = got["base_c1p1"]["produce_per_sec"]
                r["base_c8p1_per_redis_cpu_s"] = n / got["base_c8p1"]["redis_cpu"]
                r["base_c1p1/eval1"] = r["base_c1p1_consume"] / r["eval1"]
                r["base_produce/zadd"] = r["base_c1p1_produce"] / r["zadd"]
            r["c1p1/eval1"] = r["c1p1_consume"] / r["eval1"]
            r["c1p1/evalpop"] = r["c1p1_consume"] / r["evalpop"]
            r["produce/zadd"] = r["c1p1_produce"] / r["zadd"]
            rounds.append(r)
            print(f"round {i + 1}: " + ", ".join(f"{k}={v:,.3g}" for k, v in r.items()),
                  file=sys.stderr, flush=True)
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(d, ignore_errors=True)
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    rng = {k: (min(r[k] for r in rounds), max(r[k] for r in rounds)) for k in rounds[0]}
    if a.json:
        print(json.dumps({"tasks": n, "rounds": rounds, "median": med}))
        return
    print(f"medians of {a.rounds} rounds, {n:,} tasks, ratios within each round (min-max):\n")
    print("| figure | median | min - max |\n|---|---|---|")
    for k in med:
        if k == "load":
            continue
        fmt = "{:.2f}" if "/" in k else "{:,.0f}"
        print(f"| {k} | {fmt.format(med[k])} | {fmt.format(rng[k][0])} - "
              f"{fmt.format(rng[k][1])} |")


if __name__ == "__main__":
    main()
