#!/usr/bin/env python3
"""Server instructions of a claim with groups (issue 23): redis-server under callgrind, tasks
pushed in G groups, then the counters zeroed and C claims (with their acks) counted.

Usage: cargo build && python3 benches/groups.py [--groups none,1,1000,100000] [--claims 1000]
       [--caps 0,2] [--redis-server PATH]
(RPQ_BIN=path picks another rpq binary; the server's instructions do not depend on its build.)

For G groups it pushes max(G, 2 x claims) tasks, task i in group i mod G ("none": no group at
all, the fast claim), with `rpq produce --stdin` in batches of 500, then runs
`rpq consume --count C --prefetch 1` and divides the server's instructions of that run by C:
what one claim and one ack cost, the consumer's start and end included (a few calls).
With a cap N > 0, `rpq limit --each-group --max-in-flight N` is set before the tasks are pushed
(the claim of a shard whose controls are limits of groups: controls.lua and groups.lua both).

This is a benchmark, not a test: CI does not run it.
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind import RPQ, Server, total  # noqa: E402


def run(binary, groups, claims, cap):
    n = max(groups or 0, 2 * claims)
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(binary, tmp)
        url = f"redis://127.0.0.1:{server.port}"
        try:
            if cap:
                subprocess.run([RPQ, "--url", url, "limit", "--each-group", "--max-in-flight",
                                str(cap)], check=True, capture_output=True)
            lines = []
            for i in range(n):
                g = f',"group":"g{i % groups}"' if groups else ""
                lines.append(f'{{"type":"t","priority":2,"payload":{i}{g}}}')
            subprocess.run([RPQ, "--url", url, "produce", "--stdin", "--batch", "500"],
                           input="\n".join(lines) + "\n", text=True, check=True,
                           capture_output=True)
            server.control("-z")
            subprocess.run([RPQ, "--url", url, "consume", "--count", str(claims),
                            "--prefetch", "1"], check=True, capture_output=True)
            return total(server.dump()) / claims
        finally:
            server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", default="none,1,1000,100000")
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--caps", default="0")
    ap.add_argument("--redis-server", default="redis-server")
    a = ap.parse_args()
    print(f"{'groups':>8}  {'cap':>4}  {'instructions per claim + ack':>30}")
    for g in a.groups.split(","):
        groups = None if g == "none" else int(g)
        for cap in (int(c) for c in a.caps.split(",")):
            per = run(a.redis_server, groups, a.claims, cap)
            print(f"{g:>8}  {cap or '-':>4}  {per:>30,.0f}", flush=True)


if __name__ == "__main__":
    main()
