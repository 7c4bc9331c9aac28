#!/usr/bin/env python3
"""Server instructions of the controlled claim with T limited types (issue 23): redis-server
under callgrind, T limits set (`rpq limit --type tI ...`), tasks pushed spread over the T types
in turn, then the counters zeroed and C claims (with their acks) counted.

Usage: cargo build && python3 benches/limits.py [--types 1,8,100] [--claims 1000]
       [--kinds free,cap1,cap,held] [--redis-server PATH]
(RPQ_BIN=path picks another rpq binary; the server's instructions do not depend on its build.)

Kinds of limit (each with the tasks spread over T types in turn):
  free  no limit at all (the fast claim): what T types of tasks cost a consumer by themselves
        (it reports what it ran by type, issue 28), for reference.
  cap1  one limited type (t0), the others free: the controlled claim, one limit.
  cap   `--max-in-flight 1000000` on each type: a cap that never binds, so each claim takes the
        head of pending and pays for the type's look-up and its count (held, busy).
  held  the same, but t0's cap is 1 and, before the counted run, a holder keeps one t0 task in
        flight; half the tasks are t0's (the rest spread over the other types), so each claim
        meets a t0 task at the head of pending, holds it back in t0's line (parked), and takes
        the next task.
For T types it pushes 2 x claims tasks, with `rpq produce --stdin` in batches of 500, then runs
`rpq consume --count C --prefetch 1` and divides the server's instructions of that run by C:
what one claim and one ack cost, the consumer's start and end included (a few calls).

This is a benchmark, not a test: CI does not run it.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind import RPQ, Server, total  # noqa: E402


def rpq(url, *args, **kw):
    return subprocess.run([RPQ, "--url", url, *args], check=True, capture_output=True, **kw)


def run(binary, types, claims, kind):
    n = 2 * claims
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(binary, tmp)
        url = f"redis://127.0.0.1:{server.port}"
        holder = None
        try:
            for t in range(types if kind in ("cap", "held") else 1 if kind == "cap1" else 0):
                cap = "1" if kind == "held" and t == 0 else "1000000"
                rpq(url, "limit", "--type", f"t{t}", "--max-in-flight", cap)
            if kind == "held":
                rpq(url, "produce", "--type", "t0", "--priority", "1", "--payload", "first")
                holder = subprocess.Popen([RPQ, "--url", url, "consume", "--count", "1",
                                           "--exec", "exec sleep 3600"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                while b'"in_flight":1' not in rpq(url, "--json", "limit").stdout:
                    time.sleep(0.05)
            lines = []
            for i in range(n):
                if kind == "held" and i % 2 == 0:
                    t = 0
                else:
                    t = i % types
                lines.append(f'{{"type":"t{t}","priority":2,"payload":{i}}}')
            rpq(url, "produce", "--stdin", "--batch", "500", input="\n".join(lines) + "\n",
                text=True)
            server.control("-z")
            rpq(url, "consume", "--count", str(claims), "--prefetch", "1")
            return total(server.dump()) / claims
        finally:
            if holder:
                holder.kill()
                holder.wait()
            server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--types", default="1,8,100")
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--kinds", default="free,cap1,cap,held")
    ap.add_argument("--redis-server", default="redis-server")
    a = ap.parse_args()
    print(f"{'types':>6}  {'kind':>5}  {'instructions per claim + ack':>30}")
    for t in (int(x) for x in a.types.split(",")):
        for kind in a.kinds.split(","):
            if kind == "held" and t < 2:
                continue
            per = run(a.redis_server, t, a.claims, kind)
            print(f"{t:>6}  {kind:>5}  {per:>30,.0f}", flush=True)


if __name__ == "__main__":
    main()
