#!/usr/bin/env python3
"""The worker runtime (issue 11), measured round by round on one private redis-server, so each
ratio compares figures taken seconds apart:

- `--exec` per-task overhead: `rpq consume --drain --exec 'cat >/dev/null'` over N tasks, beside
  `seq N | xargs -n1 sh -c 'cat >/dev/null'` and `seq N | parallel -j1 -N0 'cat >/dev/null'` (GNU
  parallel, Debian package `parallel`), and the same consume with an older rpq (RPQ_BASE);
- `--pipe` beside no handler: `rpq consume --drain` of M tasks with no handler, and with
  `--pipe` running a few lines of Python that answer ok;
- `-j 1, 2, 4` with a handler that sleeps 10 ms.

Every consume is timed from its start to its exit (wall clock; the queue is filled before).
Prints each round, then the medians and the median of the per-round ratios.

Usage: RPQ_BASE=/path/to/old/rpq python3 benches/runtime.py [ROUNDS] [N]
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import start_server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RPQ = os.environ.get("RPQ", os.path.join(HERE, "..", "target", "release", "rpq"))
BASE = os.environ.get("RPQ_BASE")
CMD = "cat >/dev/null"
PIPE_TASKS = 20_000
SLEEP_TASKS = 400

PIPE_OK = """
import sys, json
for line in sys.stdin:
    t = json.loads(line)
    sys.stdout.write(json.dumps({"id": t["id"], "ok": True}) + "\\n")
    sys.stdout.flush()
"""


def timed(argv, **kw):
    t = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    took = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"{argv} failed: {out.stderr.decode()}")
    return took


def fill(rpq, url, n):
    subprocess.run(["redis-cli", "-p", url.rsplit(":", 1)[1], "flushall"], capture_output=True)
    subprocess.run([rpq, "--url", url, "produce", "--type", "t", "--count", str(n)],
                   stdout=subprocess.DEVNULL, check=True)


def consume(rpq, url, n, *args):
    fill(rpq, url, n)
    return n / timed([rpq, "--url", url, "consume", "--drain", *args])


def seq_into(n, argv):
    seq = subprocess.Popen(["seq", str(n)], stdout=subprocess.PIPE)
    took = timed(argv, stdin=seq.stdout)
    seq.wait()
    return n / took


def one(url, n, pipe_py):
    r = {}
    # The four --exec figures back to back, each the same trivial command.
    r["exec: rpq consume --exec"] = consume(RPQ, url, n, "--exec", CMD)
    r["exec: xargs -n1 sh -c"] = seq_into(n, ["xargs", "-n1", "sh", "-c", CMD])
    r["exec: parallel -j1"] = seq_into(n, ["parallel", "-j1", "-N0", CMD])
    if BASE:
        r["exec: base rpq --exec"] = consume(BASE, url, n, "--exec", CMD)
    r["pipe: no handler"] = consume(RPQ, url, PIPE_TASKS)
    r["pipe: --pipe python"] = consume(RPQ, url, PIPE_TASKS, "--pipe", f"python3 {pipe_py}")
    for j in (1, 2, 4):
        r[f"sleep 10ms: -j {j}"] = consume(RPQ, url, SLEEP_TASKS, "-j", str(j),
                                           "--exec", "sleep 0.01")
    return r


RATIOS = [
    ("rpq --exec / xargs", "exec: rpq consume --exec", "exec: xargs -n1 sh -c"),
    ("rpq --exec / parallel", "exec: rpq consume --exec", "exec: parallel -j1"),
    ("rpq --exec / base rpq", "exec: rpq consume --exec", "exec: base rpq --exec"),
    ("--pipe / no handler", "pipe: --pipe python", "pipe: no handler"),
    ("-j 2 / -j 1", "sleep 10ms: -j 2", "sleep 10ms: -j 1"),
    ("-j 4 / -j 1", "sleep 10ms: -j 4", "sleep 10ms: -j 1"),
]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    p, port, d = start_server()
    url = f"redis://127.0.0.1:{port}"
    pipe_py = os.path.join(d, "ok.py")
    with open(pipe_py, "w") as f:
        f.write(PIPE_OK)
    try:
        rows = []
        for i in range(rounds):
            r = one(url, n, pipe_py)
            rows.append(r)
            print(f"round {i + 1}: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in r.items()),
                  flush=True)
        print(f"\nmedians of {rounds} rounds, tasks/s (min - max):")
        for k in rows[0]:
            vals = [x[k] for x in rows]
            print(f"  {k:28} {statistics.median(vals):>9,.0f}   "
                  f"({min(vals):,.0f} - {max(vals):,.0f})")
        print("\nmedian of the per-round ratios (of tasks/s):")
        for name, a, b in RATIOS:
            if a in rows[0] and b in rows[0]:
                vals = [x[a] / x[b] for x in rows]
                print(f"  {name:28} {statistics.median(vals):.2f}   "
                      f"({min(vals):.2f} - {max(vals):.2f})")
        load = os.getloadavg()
        print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    finally:
        p.kill()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
