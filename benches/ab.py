#!/usr/bin/env python3
"""Two rpq builds side by side on one private redis-server, alternating round by round, so each
ratio compares two figures taken seconds apart: rpq bench (produce; consume with 1 and 8
consumers, prefetch 1 and 16, with the Redis CPU time of each consume phase from INFO cpu, as
tasks per Redis CPU-second) and `produce --stdin` of 200,000 lines from a file. Prints the
medians of each build and the median of the per-round ratios (new / old). redis-server runs on
the last CPU and the clients on the others, as in benches/peers.py (a lone client's round trip
is repeatable that way).

Usage: python3 benches/ab.py OLD_RPQ NEW_RPQ [ROUNDS]
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

LINES = 200_000
TASKS = 100_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CPUS = sorted(os.sched_getaffinity(0))
SERVER_CPUS, CLIENT_CPUS = ({CPUS[-1]}, set(CPUS[:-1])) if len(CPUS) > 1 else (None, None)


def start_server():
    port = free_port()
    d = tempfile.mkdtemp(prefix="rpq-ab-")
    p = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
         "--save", "", "--appendonly", "no", "--logfile", os.path.join(d, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.sched_setaffinity(0, SERVER_CPUS)) if SERVER_CPUS else None)
    if CLIENT_CPUS:
        os.sched_setaffinity(0, CLIENT_CPUS)  # every client below inherits it
    for _ in range(200):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                          text=True).stdout.strip() == "PONG":
            return p, port, d
        time.sleep(0.05)
    sys.exit("redis-server did not start")


def redis_cpu(port):
    text = subprocess.run(["redis-cli", "-p", str(port), "info", "cpu"], capture_output=True,
                          text=True).stdout
    i = dict(l.split(":", 1) for l in text.splitlines() if ":" in l)
    return float(i["used_cpu_sys"]) + float(i["used_cpu_user"])


def bench(rpq, port, *args):
    """One rpq bench run; its report, with the Redis CPU seconds of the consume phase."""
    p = subprocess.Popen([rpq, "--url", f"redis://127.0.0.1:{port}", "--json", "bench",
                          "--tasks", str(TASKS), "--latency-tasks", "0", "--scheduled-tasks",
                          "0", "--step", *args],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    for line in p.stderr:
        if line.startswith("rpq: produced "):
            break
    before = redis_cpu(port)
    out, err = p.communicate("\n")
    if p.returncode != 0:
        sys.exit(f"{rpq} bench failed: {err}")
    report = json.loads(out)
    report["redis_cpu"] = redis_cpu(port) - before
    return report


def stdin_rate(rpq, port, path):
    subprocess.run(["redis-cli", "-p", str(port), "flushall"], capture_output=True)
    with open(path, "rb") as f:
        t = time.perf_counter()
        out = subprocess.run([rpq, "--url", f"redis://127.0.0.1:{port}", "produce", "--stdin"],
                             stdin=f, capture_output=True, text=True)
        took = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"{rpq} produce --stdin failed: {out.stderr}")
    subprocess.run(["redis-cli", "-p", str(port), "flushall"], capture_output=True)
    return LINES / took


def one(rpq, port, path):
    out = {}
    for consumers, prefetch in [(1, 1), (1, 16), (8, 1), (8, 16)]:
        r = bench(rpq, port, "--consumers", str(consumers), "--prefetch", str(prefetch))
        if consumers == 1 and prefetch == 1:
            out["produce, batch 500"] = r["produce_per_sec"]
        what = f"{consumers} consumer{'s' if consumers > 1 else ''}, prefetch {prefetch}"
        out[f"consume, {what}"] = r["consume_per_sec"]
        out[f"tasks per Redis CPU-s, {what}"] = TASKS / r["redis_cpu"]
    out["produce --stdin, 200k lines"] = stdin_rate(rpq, port, path)
    return out


def main():
    old, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    p, port, d = start_server()
    path = os.path.join(d, "lines")
    with open(path, "w") as f:
        for i in range(LINES):
            f.write(json.dumps({"type": "t", "priority": 1 + i % 3, "payload": {"n": i}}) + "\n")
    try:
        rows = []
        for r in range(rounds):
            # Which goes first alternates, so neither always meets a warmer server.
            pair = (old, new) if r % 2 == 0 else (new, old)
            got = {b: one(b, port, path) for b in pair}
            rows.append((got[old], got[new]))
            print(f"round {r + 1}: " + ", ".join(
                f"{k} {got[old][k]:,.0f} -> {got[new][k]:,.0f}" for k in got[old]), flush=True)
        print(f"\nmedians of {rounds} rounds ({TASKS:,} tasks; tasks/s), old -> new, median of "
              "per-round ratios:")
        for k in rows[0][0]:
            o = statistics.median(x[0][k] for x in rows)
            n = statistics.median(x[1][k] for x in rows)
            ratio = statistics.median(x[1][k] / x[0][k] for x in rows)
            print(f"  {k:45} {o:>10,.0f} -> {n:>10,.0f}   {ratio:.2f}")
    finally:
        p.kill()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
