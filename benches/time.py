#!/usr/bin/env python3
"""The cost of time (issue 12): rpq bench of two binaries and of several setups, round after round
on one private redis-server, so that every ratio compares figures taken seconds apart.

Usage: cargo build --release && python3 benches/time.py [ROUNDS]
RPQ_BIN=path (default target/release/rpq), RPQ_BASE=path (the build before issue 12; its rows are
skipped when unset).

Per round, back to back:
  claims of a queue that uses no time feature, base and new binary, prefetch 1 and 16;
  new: the same beside 1,000,000 tasks scheduled a day ahead (--scheduled-backlog);
  new: with aging on (--aging 1h: every task competes, no task ages past a priority);
  new: 100,000 tasks produced due 2 s later, consumed once all are due (--due-in 2s);
  new: the scheduled phase alone, 1,000 tasks due 5 ms apart (due-to-claim latency).
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import bench, start_server, flush  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEW = os.environ.get("RPQ_BIN") or os.path.join(ROOT, "target", "release", "rpq")
BASE = os.environ.get("RPQ_BASE")



def round_(port):
    r = {}
    plain = ["--tasks", "100000", "--latency-tasks", "0"]
    for pf in ("1", "16"):
        if BASE:
            flush(port)
            r[f"base pf{pf}"] = bench(BASE, port, *plain, "--prefetch", pf)["consume_per_sec"]
        flush(port)
        r[f"new pf{pf}"] = bench(NEW, port, *plain, "--prefetch", pf,
                                 "--scheduled-tasks", "0")["consume_per_sec"]
        flush(port)
        r[f"new pf{pf} + 1M scheduled"] = bench(
            NEW, port, *plain, "--prefetch", pf, "--scheduled-tasks", "0",
            "--scheduled-backlog", "1000000")["consume_per_sec"]
        flush(port)
        r[f"new pf{pf} aging on"] = bench(NEW, port, *plain, "--prefetch", pf,
                                          "--scheduled-tasks", "0", "--aging", "1h")["consume_per_sec"]
        flush(port)
        r[f"new pf{pf} burst due at once"] = bench(
            NEW, port, *plain, "--prefetch", pf, "--scheduled-tasks", "0",
            "--due-in", "2s")["consume_per_sec"]
    flush(port)
    b = bench(NEW, port, "--tasks", "1000", "--latency-tasks", "0", "--scheduled-tasks", "1000")
    r["due to claim p50 ms"] = b["scheduled_ms"]["p50"]
    r["due to claim p99 ms"] = b["scheduled_ms"]["p99"]
    r["due to claim max ms"] = b["scheduled_ms"]["max"]
    for pf in ("1", "16"):
        new = r[f"new pf{pf}"]
        if BASE:
            r[f"new / base pf{pf}"] = new / r[f"base pf{pf}"]
        r[f"1M scheduled / none pf{pf}"] = r[f"new pf{pf} + 1M scheduled"] / new
        r[f"aging on / off pf{pf}"] = r[f"new pf{pf} aging on"] / new
        r[f"burst / plain pf{pf}"] = r[f"new pf{pf} burst due at once"] / new
    return r


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    p, port, d = start_server()
    try:
        print(f"load average {os.getloadavg()[0]:.2f} at start")
        results = []
        for i in range(rounds):
            results.append(round_(port))
            print(f"round {i + 1}: " + ", ".join(f"{k}={v:.3g}" for k, v in results[-1].items()),
                  file=sys.stderr)
        print(f"medians of {rounds} rounds:")
        for k in results[0]:
            vals = [r[k] for r in results]
            print(f"  {k:34} {statistics.median(vals):>12.3f}   "
                  f"(min {min(vals):.3f}, max {max(vals):.3f})")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        import shutil
        p.kill()
        p.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
