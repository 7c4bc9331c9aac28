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

--latency N --across: the same with each child in another queue (`"after": [{"queue", "id"}]`,
each parent pushed due 200ms later, so that it is not done before its child is pushed):
the parent's ack writes the release to its queue's outbox, its consumer moves it, and a
consumer of the child's queue, idle until then, is woken by the child's queue's wake list
(CONSUMERS consumers on each queue).

--latency N: no callgrind; the time from a parent's ack to its child's claim, over N chains
(a parent and a child `--after` it, pushed in one call), with CONSUMERS consumers (default 2)
waiting, each running a task for --delay (5ms). Times are the server's: the stream ids of the
parent's `done` event (written by the script of its ack, which releases the child) and of the
child's `claimed` event (events on), in ms.

This is a benchmark, not a test: CI does not run it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

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


def busy(len_json):
    """Whether a queue's `len --json` counts a task not finished yet (waiting, in flight,
    scheduled, retrying or blocked)."""
    l = json.loads(len_json)
    return any(l[k] for k in ("waiting", "in_flight", "scheduled", "retrying", "blocked"))


def latency(a):
    """p50/p99/max of the ms from a parent's ack to its child's claim (see the docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = callgrind.free_port()
        srv = subprocess.Popen([a.redis_server, "--port", str(port), "--bind", "127.0.0.1",
                                "--dir", tmp, "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        consumers = []
        try:
            for _ in range(100):
                if callgrind.redis_cli(port, "PING") == "PONG":
                    break
                time.sleep(0.05)
            q = "lat"
            qc = "latc" if a.across else q
            for name in {q, qc}:
                rpq(port, name, "events", "--enable", "--keep", str(10 * a.latency + 1000))
            # Flows on before the consumers start, so that they claim as they will throughout.
            rpq(port, q, "produce", "--type", "t", "--id", "first")
            rpq(port, qc, "produce", "--type", "t", "--after", "first") if not a.across else \
                rpq(port, qc, "produce", "--type", "t", "--after-in", f"{q}=first")
            for name in sorted({q, qc}):
                for i in range(a.consumers):
                    consumers.append(subprocess.Popen(
                        [RPQ, "--url", f"redis://127.0.0.1:{port}", "--queue", name, "consume",
                         "--name", f"{name}-c{i}", "--delay", a.delay],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for i in range(a.latency):
                parent = json.dumps({"type": "t", "priority": 2, "id": f"p{i}"})
                if a.across:
                    # Due a moment later, so that it is not done before its child is pushed
                    # (one push per queue).
                    parent = json.dumps({"type": "t", "priority": 2, "id": f"p{i}",
                                         "in": "200ms"})
                    child = json.dumps({"type": "t", "priority": 2, "id": f"c{i}",
                                        "after": [{"queue": q, "id": f"p{i}"}]})
                    rpq(port, q, "produce", "--stdin", stdin=parent + "\n")
                    rpq(port, qc, "produce", "--stdin", stdin=child + "\n")
                else:
                    child = json.dumps({"type": "t", "priority": 2, "id": f"c{i}",
                                        "after": [f"p{i}"]})
                    rpq(port, q, "produce", "--stdin", stdin=parent + "\n" + child + "\n")
                # One chain at a time: a consumer waits for each child.
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and any(
                        busy(rpq(port, name, "--json", "len")) for name in {q, qc}):
                    time.sleep(0.002)
            events = [json.loads(l) for name in sorted({q, qc})
                      for l in rpq(port, name, "--json", "events").splitlines()]
        finally:
            for c in consumers:
                c.terminate()
                c.wait()
            callgrind.redis_cli(port, "SHUTDOWN", "NOSAVE")
            srv.wait()
    ms = lambda e: int(e["event_id"].split("-")[0])
    done = {e["id"]: ms(e) for e in events if e["event"] == "done" and e["id"].startswith("p")}
    claimed = {e["id"]: ms(e) for e in events if e["event"] == "claimed" and e["id"].startswith("c")}
    same = {e["id"]: e.get("consumer") for e in events if e["event"] == "claimed"}
    lat = sorted(claimed[f"c{i}"] - done[f"p{i}"] for i in range(a.latency)
                 if f"c{i}" in claimed and f"p{i}" in done)
    if len(lat) != a.latency:
        missing = [(f"p{i}" in done, f"c{i}" in claimed) for i in range(a.latency)
                   if not (f"c{i}" in claimed and f"p{i}" in done)]
        sys.exit(f"{len(lat)} of {a.latency} chains seen in the events; the others' "
                 f"(parent done, child claimed): {missing[:10]}")
    by_self = sum(1 for i in range(a.latency) if same.get(f"c{i}") == same.get(f"p{i}"))
    pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))]
    print(f"{a.latency} chains, {a.consumers} consumers waiting, --delay {a.delay}: ms from the "
          f"parent's ack to the child's claim: p50 {pct(50)}, p99 {pct(99)}, max {lat[-1]}; "
          f"the child claimed by its parent's consumer in {by_self} of them")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--redis-server", default="redis-server")
    ap.add_argument("--latency", type=int, default=0)
    ap.add_argument("--consumers", type=int, default=2)
    ap.add_argument("--delay", default="5ms")
    ap.add_argument("--across", action="store_true")
    a = ap.parse_args()
    if a.latency:
        return latency(a)
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
