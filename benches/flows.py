#!/usr/bin/env python3
"""Flows (issue 24): the server's instructions of a blocked task and of a release, by
callgrind, as benches/callgrind.py counts them (its Server class), in three runs of one server:

  plain    a queue that never saw --after: N tasks pushed, then consumed
  on       a queue with flows (one task pushed with --after first): N tasks, none with parents
  pairs    a queue with flows: N/2 parents and N/2 children, each child --after its parent

Each run's push and consume phases are counted apart (callgrind_control -z, then -d). The
consume is `rpq consume --count N --json` (prefetch 1: one claim and one ack a task, the ack in
the next claim). pairs - on, per pair, is what a parent with one child costs over two tasks:
the blocked push (waits, kids) and the release in the parent's ack.

Usage: cargo build --release && python3 benches/flows.py [--tasks 2000] [--redis-server PATH]
This is a benchmark, not a test: CI does not run it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import callgrind  # noqa: E402

RPQ = callgrind.RPQ


def rpq(port, queue, *args, stdin=None):
    r = subprocess.run([RPQ, "--url", f"redis://127.0.0.1:{port}", "--queue", queue, *args],
                       input=stdin, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"rpq {' '.join(args)}: {r.stderr}")
    return r.stdout


def run(server, queue, lines, n, setup=None):
    if setup:
        setup()
    server.control("-z")
    rpq(server.port, queue, "produce", "--stdin", stdin="".join(l + "\n" for l in lines))
    push = callgrind.total(server.dump())
    out = rpq(server.port, queue, "--json", "consume", "--count", str(n))
    consume = callgrind.total(server.dump())
    done = sum(1 for l in out.splitlines() if '"outcome":"done"' in l)
    if done != n:
        sys.exit(f"{queue}: {done} of {n} done")
    return push, consume


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--redis-server", default="redis-server")
    a = ap.parse_args()
    n = a.tasks - a.tasks % 2
    with tempfile.TemporaryDirectory() as tmp:
        s = callgrind.Server(a.redis_server, tmp)
        try:
            plain = [json.dumps({"type": "t", "priority": 2, "id": f"t{i}"}) for i in range(n)]
            res = {"plain": run(s, "plain", plain, n)}

            def flows_on():
                rpq(s.port, "on", "produce", "--type", "t", "--id", "first")
                rpq(s.port, "on", "produce", "--type", "t", "--after", "first")
                rpq(s.port, "on", "consume", "--count", "2")
            res["on"] = run(s, "on", plain, n, setup=flows_on)
            pairs = []
            for i in range(n // 2):
                pairs.append(json.dumps({"type": "t", "priority": 2, "id": f"p{i}"}))
                pairs.append(json.dumps({"type": "t", "priority": 2, "id": f"c{i}",
                                         "after": [f"p{i}"]}))
            res["pairs"] = run(s, "pairs", pairs, n)
        finally:
            s.stop()
    print(f"{n} tasks, prefetch 1; server instructions a task (pairs: a pair)")
    print(f"{'run':<8}{'push':>10}{'claim+ack':>12}")
    for k, (p, c) in res.items():
        print(f"{k:<8}{p / n:>10,.0f}{c / n:>12,.0f}")
    (pp, pc), (op, oc) = res["pairs"], res["on"]
    print(f"a parent with one child over two tasks of a queue with flows: push "
          f"{(pp - op) / (n / 2):,.0f}, claim+ack (the release) {(pc - oc) / (n / 2):,.0f}")
    (lp, lc) = res["plain"]
    print(f"a queue with flows over one without, a task: push {(op - lp) / n:,.0f}, "
          f"claim+ack {(oc - lc) / n:,.0f}")


if __name__ == "__main__":
    main()
