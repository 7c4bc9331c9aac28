#!/usr/bin/env python3
"""Redis instructions per task: redis-server under callgrind, one fixed `rpq bench` run per
prefetch, the server's instructions of the produce and the consume phase divided by the tasks.

Usage: cargo build --release && python3 benches/callgrind.py [--tasks 20000] [--prefetch 1,16]
       [--consumers 1] [--redis-server PATH] [--breakdown] [--keep DIR] [--json] [--events]
       [--no-refs] [--groups none,1000] [--group-cap N]
       [--quiet]
(RPQ_BIN=path picks another rpq binary.)

Instructions are counted by valgrind, not timed, so the figure is the same on a quiet and on a
loaded machine (to a few hundred instructions a task): the one to compare builds by. Each phase
is cut out of the server's run with callgrind_control: counters zeroed before the bench starts,
dumped when it has produced (`rpq bench --step` waits there), dumped again when it has consumed.
The produce dump also holds the bench's start (a few INFO and meta reads), the consume dump its
end (the empty claim that finds the queue drained, the queue's deletion): a few hundred
thousand instructions in all, a handful per task at 20,000 tasks.

The references, in the same server: `redis-benchmark -c 1 -P 1 EVAL "return 1" 0` (the fixed
cost of a script call: a round trip, the script's lookup and its run), the one-command script
`EVAL "return redis.call('ZPOPMIN',KEYS[1])" 1 k` of the issue's target, and `PING`.

--breakdown prints, per phase, where the instructions go, by callgrind_annotate's inclusive
counts of a few functions of Redis 7.0 (it needs a redis-server with symbols: the Debian package
is stripped, so give --redis-server a build of your own, e.g. `make CFLAGS=-g` in Redis's source).

This is a benchmark, not a test: CI does not run it.
"""

import argparse
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RPQ = os.environ.get("RPQ_BIN") or os.path.join(ROOT, "target", "release", "rpq")

# Functions of Redis 7.0 and its Lua 5.1 whose inclusive count says where a phase's instructions
# go. Inclusive counts nest (a redis.call runs inside the script's Lua), so they do not add up;
# SHARES below are the exclusive parts that do.
BREAKDOWN = [
    ("evalGenericCommand", "EVAL/EVALSHA, everything of the script call"),
    ("luaCallFunction", "running the script (its Lua and its redis.call)"),
    ("luaRedisGenericCommand", "redis.call, all of it"),
    ("call", "commands run (the client's, and each redis.call's)"),
    ("luaArgsToRedisArgv", "redis.call: Lua arguments to Redis strings"),
    ("redisProtocolToLuaType", "redis.call: the reply, RESP to Lua"),
    ("luaReplyToRedisReply", "the script's reply, Lua to RESP"),
    ("luaCreateArray", "KEYS and ARGV tables"),
    ("luaC_step", "Lua's garbage collector"),
    ("luaS_newlstr", "Lua strings made (interning)"),
    ("str_format", "string.format"),
    ("str_find_aux", "string.find / string.match"),
    ("luaO_str2d", "tonumber of a string"),
    ("luaO_pushvfstring", "numbers printed by Lua (tostring, ..)"),
    ("readQueryFromClient", "reading requests"),
    ("processCommand", "command lookup and checks"),
    ("beforeSleep", "event loop: writes of replies and the rest"),
    ("aeApiPoll", "epoll"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True,
                          text=True, timeout=120).stdout.strip()


class Server:
    """redis-server under callgrind, on a free port, no persistence."""

    def __init__(self, binary, tmp, quiet=False):
        self.port = free_port()
        self.out = os.path.join(tmp, "cg.out")
        self.p = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.out}",
             binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", tmp,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if redis_cli(self.port, "PING") == "PONG":
                if quiet:
                    # What grows with a run's wall time (slow under valgrind, slower on a busy
                    # machine), not with its work: the server's timer, and the slow log's
                    # entries of every call that took valgrind more than 10 ms.
                    redis_cli(self.port, "CONFIG", "SET", "hz", "1")
                    redis_cli(self.port, "CONFIG", "SET", "slowlog-log-slower-than", "-1")
                return
            time.sleep(0.2)
        self.p.kill()
        sys.exit("callgrind: redis-server under valgrind did not answer PING within 60 s")

    def control(self, *args):
        subprocess.run(["callgrind_control", *args, str(self.p.pid)], check=True,
                       capture_output=True, timeout=120)

    def dump(self):
        """Dumps the counters since the last zero or dump; returns the dump's file."""
        before = set(glob.glob(self.out + ".*"))
        self.control("-d")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            new = set(glob.glob(self.out + ".*")) - before
            if new:
                f = new.pop()
                # The file is complete once its totals line is there.
                while "\ntotals:" not in open(f).read() and time.monotonic() < deadline:
                    time.sleep(0.1)
                return f
            time.sleep(0.1)
        sys.exit("callgrind: no dump file appeared")

    def stop(self):
        redis_cli(self.port, "SHUTDOWN", "NOSAVE")
        try:
            self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()


def total(dump):
    with open(dump) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                return int(line.split()[1])
    sys.exit(f"callgrind: no totals in {dump}")


def inclusive(dump):
    """Inclusive instruction counts by function name, from callgrind_annotate."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                          capture_output=True, text=True).stdout
    counts = {}
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+\S+:(\S+?)(?:\s|$|'2)", line)
        if m:
            name = m.group(2)
            counts.setdefault(name, int(m.group(1).replace(",", "")))
    return counts


def bench(server, tasks, consumers, prefetch, events=False, groups=None, group_cap=None):
    """One rpq bench run; the server's instructions of its produce and consume phases."""
    extra = (["--events"] if events else []) + (["--groups", str(groups)] if groups else []) \
        + (["--group-cap", str(group_cap)] if group_cap else [])
    redis_cli(server.port, "FLUSHALL")
    server.control("-z")
    p = subprocess.Popen(
        [RPQ, "--url", f"redis://127.0.0.1:{server.port}", "--json", "bench",
         "--tasks", str(tasks), "--consumers", str(consumers), "--prefetch", str(prefetch),
         "--batch", "500", "--payload-bytes", "100", "--latency-tasks", "0",
         "--scheduled-tasks", "0", "--step", *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        bufsize=1)
    err = []
    for line in p.stderr:
        if line.startswith("rpq: produced "):
            break
        err.append(line)
    else:
        sys.exit(f"callgrind: rpq bench ended before producing:\n{''.join(err)}")
    produce = server.dump()
    p.stdin.write("\n")
    p.stdin.flush()
    out, rest = p.communicate()
    consume = server.dump()
    if p.returncode != 0:
        sys.exit(f"callgrind: rpq bench failed ({p.returncode}):\n{''.join(err)}{rest}")
    report = json.loads(out.strip().splitlines()[-1])
    if report["lost"] or report["duplicated"] or report["consumed"] != tasks:
        sys.exit(f"callgrind: rpq bench lost or duplicated tasks: {report}")
    return produce, consume


def reference(server, n, args):
    """The server's instructions per request of one redis-benchmark run."""
    redis_cli(server.port, "FLUSHALL")
    server.control("-z")
    subprocess.run(["redis-benchmark", "-p", str(server.port), "-q", "-n", str(n), *args],
                   check=True, capture_output=True, timeout=600)
    return server.dump()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=20_000, metavar="N")
    ap.add_argument("--prefetch", default="1,16", metavar="K,...")
    ap.add_argument("--consumers", type=int, default=1, metavar="C")
    ap.add_argument("--redis-server", default="redis-server", metavar="PATH")
    ap.add_argument("--breakdown", action="store_true",
                    help="where the instructions go, by function (needs a server with symbols)")
    ap.add_argument("--keep", metavar="DIR", help="keep the callgrind dumps in DIR")
    ap.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    ap.add_argument("--events", action="store_true",
                    help="also each run with lifecycle events on (rpq bench --events, issue 26)")
    ap.add_argument("--no-refs", action="store_true", help="skip the redis-benchmark references")
    ap.add_argument("--groups", default="none", metavar="G,...",
                    help="each run also with the tasks in G groups (rpq bench --groups G, "
                    "issue 23); `none`: without groups")
    ap.add_argument("--quiet", action="store_true",
                    help="the server's timer at 1 Hz and no slow log: they grow with a run's "
                    "wall time (valgrind's, the machine's load), not with its work")
    ap.add_argument("--group-cap", type=int, metavar="N",
                    help="with groups, each capped at N in flight (rpq bench --group-cap N)")
    a = ap.parse_args()
    for tool in ("valgrind", "callgrind_control", "callgrind_annotate", "redis-cli",
                 "redis-benchmark"):
        if not shutil.which(tool):
            sys.exit(f"callgrind: {tool} not found (apt-get install valgrind redis-tools)")
    if not os.access(RPQ, os.X_OK):
        sys.exit(f"callgrind: {RPQ} not found: run cargo build --release first")
    binary = shutil.which(a.redis_server) or a.redis_server
    tmp = tempfile.mkdtemp(prefix="rpq-callgrind-")
    server = None
    rows = []
    try:
        server = Server(binary, tmp, a.quiet)
        version = redis_cli(server.port, "INFO", "server")
        version = re.search(r"redis_version:(\S+)", version).group(1)
        n_ref = a.tasks
        refs = [("EVAL \"return 1\" 0 (`-c 1 -P 1`)", ["-c", "1", "-P", "1", "EVAL",
                                                     "return 1", "0"]),
                ("EVAL ZPOPMIN of the target (`-c 1 -P 1`)",
                 ["-c", "1", "-P", "1", "EVAL", "return redis.call('ZPOPMIN',KEYS[1])", "1",
                  "k"]),
                ("PING (`-c 1 -P 1`)", ["-c", "1", "-P", "1", "PING"])]
        # The fixed cost of a claim's call: an empty script by its SHA with as many keys (the
        # core layout) and arguments (one ack riding) as a claim of rpq without prefetch.
        sha = redis_cli(server.port, "SCRIPT", "LOAD", "return 1")
        keys = [f"rpq:{{bench-0123abcd}}:key{i}" for i in range(16)]
        argv = ["30000", "1", "0123456789abcdef", "bench-c0", "3", "10000",
                "0123456789abcdef", "", "0123456789ab", "0123456789abcdef"]
        refs.append(("EVALSHA \"return 1\", 16 keys and 10 arguments as a claim's (`-c 1 -P 1`)",
                     ["-c", "1", "-P", "1", "EVALSHA", sha, "16", *keys, *argv]))
        for label, args in ([] if a.no_refs else refs):
            d = reference(server, n_ref, args)
            rows.append({"what": label, "per_task": total(d) / n_ref, "dump": d})
        runs = [(k, events, g)
                for k in [int(x) for x in a.prefetch.split(",")]
                for events in ([False, True] if a.events else [False])
                for g in [None if x == "none" else int(x) for x in a.groups.split(",")]]
        for k, events, g in runs:
            on = (", events on" if events else "") + (f", {g:,} groups" if g else "") \
                + (f" capped at {a.group_cap}" if g and a.group_cap else "")
            produce, consume = bench(server, a.tasks, a.consumers, k, events, g,
                                     a.group_cap)
            rows.append({"what": f"produce, batch 500 (run of prefetch {k}{on})",
                         "per_task": total(produce) / a.tasks, "dump": produce})
            rows.append({"what": f"claim + ack, {a.consumers} consumer(s), prefetch {k}{on}",
                         "per_task": total(consume) / a.tasks, "dump": consume})
            rows.append({"what": f"push + claim + ack, prefetch {k}{on}",
                         "per_task": (total(produce) + total(consume)) / a.tasks})
        if a.breakdown:
            for r in rows:
                if "dump" in r:
                    n = n_ref if r["what"].startswith(("EVAL", "PING")) else a.tasks
                    inc = inclusive(r["dump"])
                    r["breakdown"] = {name: inc.get(name, 0) / n for name, _ in BREAKDOWN}
        if a.json:
            print(json.dumps({"redis": version, "tasks": a.tasks, "rows": rows}))
            return
        print(f"Server instructions per task (callgrind), redis-server {version} "
              f"({binary}), {a.tasks:,} tasks, 100-byte payloads:\n")
        print("| what | instructions per task |\n|---|---|")
        for r in rows:
            print(f"| {r['what']} | {r['per_task']:,.0f} |")
        if a.breakdown:
            for r in rows:
                if "breakdown" not in r:
                    continue
                print(f"\n{r['what']}: inclusive instructions per task\n")
                print("| function | what | per task | share |\n|---|---|---|---|")
                for name, what in BREAKDOWN:
                    v = r["breakdown"][name]
                    print(f"| `{name}` | {what} | {v:,.0f} | {v / r['per_task']:.0%} |")
    finally:
        if server:
            server.stop()
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in glob.glob(os.path.join(tmp, "cg.out*")):
                shutil.copy(f, a.keep)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
