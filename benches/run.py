#!/usr/bin/env python3
"""rpq bench beside redis-benchmark, on one private redis-server, several rounds; prints medians.

Usage: cargo build --release && python3 benches/run.py [ROUNDS] [--scale]
(RPQ_BIN=path picks another rpq binary.)

Each round runs the redis-benchmark primitives and the rpq bench configurations back to back on
the same server, so the ratios of one round compare like with like on a noisy machine. --scale
adds one round at 10,000 and at 1,000,000 tasks (flat cost, Redis memory per waiting task).
"""

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    port = free_port()
    d = tempfile.mkdtemp(prefix="rpq-bench-")
    p = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
         "--save", "", "--appendonly", "no", "--logfile", os.path.join(d, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                          text=True).stdout.strip() == "PONG":
            return p, port, d
        time.sleep(0.05)
    sys.exit("redis-server did not start")


def redis_benchmark(port, *args):
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-q", *args],
                         capture_output=True, text=True).stdout
    rates = re.findall(r"([\d.]+) requests per second", out.replace("\r", "\n"))
    return float(rates[-1])


def bench(binary, port, *args):
    """`BINARY bench --json ARGS` against the server on `port`: its one JSON object."""
    out = subprocess.run([binary, "--url", f"redis://127.0.0.1:{port}", "--json", "bench", *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{binary} bench {' '.join(args)} failed: {out.stderr}")
    return json.loads(out.stdout)


def rpq_bench(port, *args):
    return bench(RPQ, port, *args)


def flush(port):
    subprocess.run(["redis-cli", "-p", str(port), "flushall"], capture_output=True)


def round_(port):
    r = {}
    r["zadd_c1_P64"] = redis_benchmark(port, "-c", "1", "-P", "64", "-n", "300000", "-r",
                                       "100000000", "zadd", "bz", "__rand_int__",
                                       "m:__rand_int__")
    flush(port)
    r["ping_c1_P1"] = redis_benchmark(port, "-c", "1", "-P", "1", "-n", "50000", "-t",
                                      "ping_mbulk")
    r["ping_c4_P1"] = redis_benchmark(port, "-c", "4", "-P", "1", "-n", "100000", "-t",
                                      "ping_mbulk")
    b = rpq_bench(port, "--tasks", "100000", "--consumers", "1", "--latency-tasks", "1000")
    r["produce_P1_batch500"] = b["produce_per_sec"]
    r["consume_c1_prefetch1"] = b["consume_per_sec"]
    r["latency_p50_ms"] = b["latency_ms"]["p50"]
    r["latency_p99_ms"] = b["latency_ms"]["p99"]
    r["latency_max_ms"] = b["latency_ms"]["max"]
    b = rpq_bench(port, "--tasks", "100000", "--consumers", "4", "--latency-tasks", "0")
    r["consume_c4_prefetch1"] = b["consume_per_sec"]
    b = rpq_bench(port, "--tasks", "100000", "--consumers", "1", "--prefetch", "16",
                  "--latency-tasks", "0")
    r["consume_c1_prefetch16"] = b["consume_per_sec"]
    b = rpq_bench(port, "--tasks", "100000", "--consumers", "4", "--prefetch", "16",
                  "--latency-tasks", "0")
    r["consume_c4_prefetch16"] = b["consume_per_sec"]
    # Ratios of one round: the targets of issue 6.
    r["produce / zadd_P64"] = r["produce_P1_batch500"] / r["zadd_c1_P64"]
    r["consume_c1 / ping_P1"] = r["consume_c1_prefetch1"] / r["ping_c1_P1"]
    r["consume_c1_pf16 / ping_P1"] = r["consume_c1_prefetch16"] / r["ping_c1_P1"]
    r["consume_c4 / consume_c1"] = r["consume_c4_prefetch1"] / r["consume_c1_prefetch1"]
    r["consume_c4_pf16 / c1_pf16"] = r["consume_c4_prefetch16"] / r["consume_c1_prefetch16"]
    return r


def scale(port):
    rows = {}
    for n in (10_000, 1_000_000):
        flush(port)
        zadd = redis_benchmark(port, "-c", "1", "-P", "64", "-n", str(n), "-r", "100000000",
                               "zadd", "bz", "__rand_int__", "m:__rand_int__")
        flush(port)
        b = rpq_bench(port, "--tasks", str(n), "--prefetch", "16", "--latency-tasks", "200")
        rows[n] = (zadd, b)
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 5
    p, port, d = start_server()
    try:
        info = subprocess.run(["redis-cli", "-p", str(port), "info", "server"],
                              capture_output=True, text=True).stdout
        version = re.search(r"redis_version:(\S+)", info).group(1)
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                    if l.startswith("model name")), "?")
        print(f"machine: {os.cpu_count()} cpus, {cpu}; redis {version}; "
              f"load average {os.getloadavg()[0]:.2f} at start")
        results = []
        for i in range(rounds):
            results.append(round_(port))
            print(f"round {i + 1}: " + ", ".join(f"{k}={v:.3g}" for k, v in results[-1].items()),
                  file=sys.stderr)
        print(f"\nmedians of {rounds} rounds:")
        for k in results[0]:
            vals = [r[k] for r in results]
            med = statistics.median(vals)
            print(f"  {k:28} {med:>12.3f}   (min {min(vals):.3f}, max {max(vals):.3f})")
        if "--scale" in sys.argv:
            print("\nscale (one round, prefetch 16):")
            for n, (zadd, b) in scale(port).items():
                print(f"  {n:>9} tasks: zadd -P64 {zadd:>9.0f}/s  produce {b['produce_per_sec']:>9.0f}/s"
                      f"  consume {b['consume_per_sec']:>8.0f}/s  latency p50 "
                      f"{b['latency_ms']['p50']:.3f} p99 {b['latency_ms']['p99']:.3f} ms"
                      f"  memory {b['memory_per_task_bytes']:.0f} B/task"
                      f" ({b['memory_per_task_bytes'] - b['payload_bytes']:.0f} above the payload)")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        p.kill()
        p.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
