#!/usr/bin/env python3
"""Two rpq builds side by side on one private redis-server, alternating round by round, so each
ratio compares two figures taken seconds apart: rpq bench (produce; consume with prefetch 1 and
16) and `produce --stdin` of 200,000 lines from a file. Prints the medians of each build and the
median of the per-round ratios (new / old).

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    port = free_port()
    d = tempfile.mkdtemp(prefix="rpq-ab-")
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


def bench(rpq, port, *args):
    out = subprocess.run([rpq, "--url", f"redis://127.0.0.1:{port}", "--json", "bench",
                          "--tasks", "100000", "--latency-tasks", "0", *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{rpq} bench failed: {out.stderr}")
    return json.loads(out.stdout)


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
    a = bench(rpq, port, "--consumers", "1")
    b = bench(rpq, port, "--consumers", "1", "--prefetch", "16")
    return {
        "produce, batch 500": a["produce_per_sec"],
        "consume, prefetch 1": a["consume_per_sec"],
        "consume, prefetch 16": b["consume_per_sec"],
        "produce --stdin, 200k lines": stdin_rate(rpq, port, path),
    }


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
        print(f"\nmedians of {rounds} rounds (tasks/s), old -> new, median of per-round ratios:")
        for k in rows[0][0]:
            o = statistics.median(x[0][k] for x in rows)
            n = statistics.median(x[1][k] for x in rows)
            ratio = statistics.median(x[1][k] / x[0][k] for x in rows)
            print(f"  {k:30} {o:>10,.0f} -> {n:>10,.0f}   {ratio:.2f}")
    finally:
        p.kill()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
