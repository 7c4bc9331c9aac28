#!/usr/bin/env python3
"""The cost of controls (issue 13) and the accuracy of a rate limit, on one private redis-server.

Usage: cargo build --release && python3 benches/controls.py [ROUNDS] [--accuracy-only]
RPQ_BIN=path (default target/release/rpq), RPQ_BASE=path (the build before issue 13; its rows
are skipped when unset).

Per round, back to back (100,000 tasks, one consumer, prefetch 1 and 16):
  base and new binary, no controls;
  new with a rate limit on the bench's task type that never binds (10,000,000/s), with an
  in-flight cap that never binds (10,000), and with both: the claim cost of controls in force.
Then the accuracy of a rate limit: 4 `rpq consume` processes for 12 s under --rate 50/s and
--rate 1000/s, with the default burst and with --burst 1; claims per second from each claim's
`claimed_at` (the server's clock), over the 10 s after the first second (the burst).
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import bench, start_server, flush  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEW = os.environ.get("RPQ_BIN") or os.path.join(ROOT, "target", "release", "rpq")
BASE = os.environ.get("RPQ_BASE")



def round_(port):
    r = {}
    plain = ["--tasks", "100000", "--latency-tasks", "0", "--scheduled-tasks", "0"]
    setups = {
        "none": [],
        "rate": ["--rate", "10000000/s"],
        "cap": ["--max-in-flight", "10000"],
        "rate + cap": ["--rate", "10000000/s", "--max-in-flight", "10000"],
    }
    for pf in ("1", "16"):
        if BASE:
            flush(port)
            r[f"base pf{pf}"] = bench(BASE, port, *plain, "--prefetch", pf)["consume_per_sec"]
        for name, extra in setups.items():
            flush(port)
            r[f"new pf{pf} {name}"] = bench(NEW, port, *plain, "--prefetch", pf,
                                            *extra)["consume_per_sec"]
    for pf in ("1", "16"):
        none = r[f"new pf{pf} none"]
        if BASE:
            r[f"none / base pf{pf}"] = none / r[f"base pf{pf}"]
        for name in ("rate", "cap", "rate + cap"):
            r[f"{name} / none pf{pf}"] = r[f"new pf{pf} {name}"] / none
    return r


def rpq(port, *args, **kw):
    return subprocess.run([NEW, "--url", f"redis://127.0.0.1:{port}", *args],
                          capture_output=True, text=True, check=True, **kw)


def accuracy(port, rate, burst):
    """Claims per second of 4 consumers over 10 s under --rate `rate`/s."""
    flush(port)
    args = ["limit", "--rate", f"{rate}/s"] + (["--burst", str(burst)] if burst else [])
    rpq(port, *args)
    n = rate * 14 + 100
    lines = "\n".join(json.dumps({"type": "t", "priority": 1 + i % 3}) for i in range(n))
    rpq(port, "produce", "--stdin", input=lines)
    # Files, not pipes: a pipe nobody reads for 12 s fills up and stops the consumer.
    import tempfile
    outs = [tempfile.TemporaryFile(mode="w+") for _ in range(4)]
    procs = [subprocess.Popen([NEW, "--url", f"redis://127.0.0.1:{port}", "--json", "consume",
                               "--name", f"c{i}"], stdout=outs[i],
                              stderr=subprocess.DEVNULL, text=True) for i in range(4)]
    time.sleep(12.5)
    for p in procs:
        p.send_signal(signal.SIGTERM)
    claimed = []
    for p, out in zip(procs, outs):
        p.wait(timeout=30)
        out.seek(0)
        for line in out.read().splitlines():
            t = json.loads(line)["claimed_at"]
            # 2026-11-28T14:30:14.123Z -> ms since the first claim below
            claimed.append(parse_ms(t))
    claimed.sort()
    first = claimed[0]
    per_sec = [sum(1 for t in claimed if first + 1000 * s <= t < first + 1000 * (s + 1))
               for s in range(1, 11)]
    in_first = sum(1 for t in claimed if t < first + 1000)
    return per_sec, in_first


def parse_ms(s):
    from datetime import datetime, timezone
    d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(d.timestamp() * 1000)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 5
    p, port, d = start_server()
    try:
        print(f"load average {os.getloadavg()[0]:.2f} at start")
        if "--accuracy-only" not in sys.argv:
            results = []
            for i in range(rounds):
                results.append(round_(port))
                print(f"round {i + 1}: " + ", ".join(f"{k}={v:.3g}"
                                                     for k, v in results[-1].items()),
                      file=sys.stderr)
            print(f"medians of {rounds} rounds (consume tasks/s, and same-round ratios):")
            for k in results[0]:
                vals = [r[k] for r in results]
                print(f"  {k:24} {statistics.median(vals):>12.3f}   "
                      f"(min {min(vals):.3f}, max {max(vals):.3f})")
        print("rate accuracy, 4 consumers, claims per second from 1 s to 11 s after the first:")
        for rate in (50, 1000):
            for burst in (None, 1):
                per_sec, in_first = accuracy(port, rate, burst)
                total = sum(per_sec)
                print(f"  --rate {rate}/s burst {burst or rate:>4}: {total / 10:8.1f}/s "
                      f"({total / (10 * rate):.4f} of the rate), per second min {min(per_sec)} "
                      f"median {statistics.median(per_sec)} max {max(per_sec)}; "
                      f"{in_first} in the first second")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        import shutil
        p.kill()
        p.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
