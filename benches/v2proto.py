#!/usr/bin/env python3
"""Layout v2 (issue 22, docs/layout-v2.md): the prototype scripts of src/queue/lua/v2/ against
today's scripts (src/queue/lua/), the server's instructions per task counted the way
benches/callgrind.py counts them, in one run of one redis-server under callgrind.

Usage: python3 benches/v2proto.py [--tasks 20000] [--prefetch 1,16] [--redis-server PATH] [--json]

Both layouts are driven by the same client here (a socket speaking RESP, EVALSHA by hash), as
rpq's producer and consumer drive them: pushes of 500 tasks with 100-byte payloads, priorities
1, 2, 3 in turn, then one consumer claiming `prefetch` tasks a call with the acks of the tasks
of its previous call riding on it, until the queue is drained. Today's scripts are assembled as
script.rs assembles them (the prelude cut to the helpers a script calls, `prelude` below, checked
against the SHA rpq computes when --check-sha is given an rpq binary), and the consumer goes as
rpq's does: claim_fast.lua while the last reply allows it, claim.lua when it refuses (RPQFULL)
or is not allowed, its consumer entry written once a second. v2's consumer sends claim.lua, and
claim_full.lua (then claim.lua again) when it refuses.

Per phase it reports the server's instructions per task (callgrind_control -z before, -d after),
and from INFO commandstats the redis.calls per task (every command but the script calls and this
harness's own INFO and CONFIG), besides the keys and arguments of one claim call. This is a
benchmark, not a test: CI does not run it.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "src", "queue", "lua")

spec = importlib.util.spec_from_file_location("callgrind", os.path.join(ROOT, "benches",
                                                                         "callgrind.py"))
cg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cg)


# --- today's scripts, assembled as script.rs does -------------------------------------------

def names(code):
    """The identifiers of Lua code, comments and string literals left out (script.rs: names)."""
    out = []
    for line in code.split("\n"):
        quote, escaped, start = None, False, None
        i = 0
        while i < len(line):
            c = line[i]
            if quote:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == quote:
                    quote = None
                i += 1
                continue
            if line.startswith("--", i):
                if start is not None:
                    out.append(line[start:i])
                    start = None
                break
            word = c.isascii() and (c.isalnum() or c == "_")
            if word and start is None:
                start = i
            elif not word and start is not None:
                out.append(line[start:i])
                start = None
            if c in "'\"":
                quote = c
            i += 1
        else:
            if start is not None and quote is None:
                out.append(line[start:])
    return out


def prelude(parts):
    """script.rs: prelude: common.lua without the helpers nothing in the script calls."""
    common, rest = parts[0], parts[1:]
    # Rust's str::lines: no empty last line for a text that ends with a newline.
    lines = common.split("\n")
    if common.endswith("\n"):
        lines.pop()
    helpers = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("local function "):
            name = lines[i][len("local function "):].split("(")[0].strip()
            end = next(j for j in range(i, len(lines)) if lines[j] == "end")
            helpers.append((name, i, end))
            i = end
        i += 1

    def in_helper(n):
        return any(a <= n <= b for _, a, b in helpers)

    outside = "\n".join(lines[n] for n in range(len(lines)) if not in_helper(n))
    wanted = set()
    for t in list(rest) + [outside]:
        wanted.update(names(t))
    keep = [False] * len(helpers)
    for k in range(len(helpers) - 1, -1, -1):
        name, a, b = helpers[k]
        if name in wanted:
            keep[k] = True
            for ln in lines[a + 1:b + 1]:
                wanted.update(names(ln))

    def dropped(n):
        return any(not kp and a <= n <= b for (_, a, b), kp in zip(helpers, keep))

    src = "\n".join(lines[n] for n in range(len(lines)) if not dropped(n))
    for part in rest:
        src += "\n" + part
    return src


def read(*path):
    with open(os.path.join(LUA, *path)) as f:
        return f.read()


def v1_script(name):
    return prelude([read("common.lua"), read(name)])


def v2_script(name):
    # The v2 prelude has no helpers to cut: its scripts are the prelude and their body.
    return read("v2", "common.lua") + "\n" + read("v2", name)


# --- a RESP client ---------------------------------------------------------------------------

class RedisError(Exception):
    pass


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
        return self.reply()

    def reply(self):
        line = self.f.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError(f"bad reply {line!r}")

    def ok(self, *args):
        r = self.call(*args)
        if isinstance(r, RedisError):
            raise r
        return r


class Script:
    def __init__(self, conn, name, src):
        self.name, self.src = name, src
        self.sha = hashlib.sha1(src.encode()).hexdigest()
        got = conn.ok("SCRIPT", "LOAD", src)
        assert got == self.sha, (name, got, self.sha)

    def run(self, conn, keys, args):
        return conn.call("EVALSHA", self.sha, len(keys), *keys, *args)


# --- the two layouts, driven alike ----------------------------------------------------------

def keys_v1(q):
    # rpq's scripts as they are (src/queue/lua/): the first CORE_KEYS of keys.rs's LAYOUT (the
    # names do not matter to the scripts; layout 3's step 4 put `taken` where `claims` was).
    suffixes = ["pending", "inflight", "tasks", "taken", "state", "delayed", "stats", "wake",
                "consumers", "scheduled", "receipts", "dead", "dead:info", "expires",
                "schedules"]
    return [f"rpq:{{{q}}}:2:{s}" for s in suffixes]


def keys_v2(q, *names):
    return [f"rpq:{{{q}}}:2:{n}" for n in names]


# The stats hash's 'layout' field (docs/layout-v2.md): a value longer than 64 bytes keeps the hash
# a hash table from its creation (hash-max-listpack-value), so that the HGET of the checks and
# the HINCRBY of the second's count do not scan a packed list of up to 120 fields.
LAYOUT_NOTE = "2: the stored layout of this shard (rpq, docs/layout-v2.md); rpq migrate moves older ones"


def token():
    return "%016x" % random.getrandbits(64)


ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def tasks(n, seed):
    rnd = random.Random(seed)
    payload = "x" * 100
    for j in range(n):
        tid = "".join(rnd.choice(ALPHABET) for _ in range(12))
        p = (1, 2, 3)[j % 3]
        yield tid, str(p), f'"t":"bench","p":{p},"d":"{payload}"}}'


class V1:
    label = "today (rpq's scripts)"

    def __init__(self, conn, q):
        self.q, self.keys = q, keys_v1(q)
        self.push_s = Script(conn, "push", v1_script("push.lua"))
        self.claim_s = Script(conn, "claim", v1_script("claim.lua"))
        self.fast_s = Script(conn, "claim_fast", v1_script("claim_fast.lua"))
        self.instance = token()
        self.fast_until = 0.0
        self.seen_at = 0.0
        self.owed = 0
        self.claim_keys, self.claim_args = 0, 0

    def setup(self, conn):
        pass

    def push(self, conn, batch):
        args = [len(batch), 3]
        for t in batch:
            args.extend(t)
        r = self.push_s.run(conn, self.keys, args)
        if isinstance(r, RedisError):
            raise r
        # A flag per task, then (push.lua) the finished times of kept results and whether this
        # push began the queue's count of pushes.
        return sum(1 for f in r[1:1 + len(batch)] if f == 1)

    def claim(self, conn, want, acks):
        """Acks `acks` (leases as returned), leases up to `want`; returns (leases, acked)."""
        tok = token()
        now = time.monotonic()
        seen = ""
        if now - self.seen_at >= 1.0:
            seen, self.seen_at, self.owed = str(self.owed), now, 0
        args = ["30000", str(want), tok, "bench-c0", "3", "10000", self.instance, seen]
        for lease in acks:
            args.extend(lease)
        script = self.fast_s if now < self.fast_until else self.claim_s
        # The fast claim is sent the keys it names (keys.rs: FAST_KEYS), the others all 15.
        keys = self.keys[:10] if script is self.fast_s else self.keys
        r = script.run(conn, keys, args)
        if isinstance(r, RedisError) and str(r).startswith("RPQFULL"):
            script, keys = self.claim_s, self.keys
            r = script.run(conn, keys, args)
        if isinstance(r, RedisError):
            raise r
        self.claim_keys, self.claim_args = len(keys), max(self.claim_args, len(args))
        now_ms, fast_until = int(r[0]), int(r[4])
        self.fast_until = now + max(0, fast_until - now_ms) / 1000
        n_ack = int(r[5])
        codes = r[6:6 + n_ack]
        assert all(c == 1 for c in codes), codes
        if seen == "":
            self.owed += n_ack
        items = r[6 + n_ack:]
        # Each task its own token (layout 3, step 4: the in-flight member after its id).
        leases = [(items[i], items[i + 2]) for i in range(0, len(items), 3)]
        return leases, n_ack


class V2:
    label = "v2 prototype"

    def __init__(self, conn, q):
        self.q = q
        self.push_keys = keys_v2(q, "pending", "inflight", "tasks", "stats", "wake")
        self.claim_keys_l = keys_v2(q, "pending", "inflight", "tasks", "stats", "consumers")
        # The acks of several tasks come with 'taken' (claim.lua tells them apart by it).
        self.claim_keys_n = self.claim_keys_l + keys_v2(q, "taken")
        self.full_keys = keys_v2(q, "pending", "inflight", "tasks", "stats", "consumers",
                                 "wake", "delayed", "scheduled", "expires", "dead", "taken")
        self.push_s = Script(conn, "push", v2_script("push.lua"))
        self.claim_s = Script(conn, "claim", v2_script("claim.lua"))
        self.full_s = Script(conn, "claim_full", v2_script("claim_full.lua"))
        self.seen_at = 0.0
        self.owed = 0
        self.fulls = 0
        self.claim_keys, self.claim_args = 0, 0

    def setup(self, conn):
        # What creating a v2 queue writes (pin): the layout marker, "check now".
        conn.ok("HSET", self.push_keys[3], "checks",
                "2--|0000000000000|0000000000000|9999999999999|0", "layout", LAYOUT_NOTE)

    def push(self, conn, batch):
        args = [len(batch)]
        for t in batch:
            args.extend(t)
        r = self.push_s.run(conn, self.push_keys, args)
        if isinstance(r, RedisError) and str(r).startswith("RPQFULL"):
            # A promotion may be due: the full path (here claim_full.lua with no task wanted,
            # which makes the checks exact; v2's push_full.lua would promote, then push).
            f = self.full_s.run(conn, self.full_keys,
                                ["30000", "0", token(), "bench-p0", "3", "", "10000"])
            if isinstance(f, RedisError):
                raise f
            r = self.push_s.run(conn, self.push_keys, args)
        if isinstance(r, RedisError):
            raise r
        return int(r[1])

    def claim(self, conn, want, acks):
        tok = token()
        now = time.monotonic()
        seen = ""
        if now - self.seen_at >= 1.0:
            seen, self.seen_at, self.owed = str(self.owed), now, 0
        head = ["30000", str(want), tok, "bench-c0", "3", seen]
        keys = self.claim_keys_l[:4] + (self.claim_keys_l[4:] if seen else [])
        if len(acks) > 1:
            keys = keys + keys_v2(self.q, "taken")
        r = self.claim_s.run(conn, keys, head + list(acks))
        n_acked = 0
        if isinstance(r, RedisError) and str(r).startswith("RPQFULL"):
            self.fulls += 1
            f = self.full_s.run(conn, self.full_keys, head + ["10000"] + list(acks))
            if isinstance(f, RedisError):
                raise f
            n_acked = int(f[2])
            assert all(c == 1 for c in f[3:3 + n_acked]), f
            acks = []
            keys = self.claim_keys_l[:4]
            r = self.claim_s.run(conn, keys, ["30000", str(want), tok, "bench-c0", "3", ""])
        if isinstance(r, RedisError):
            raise r
        self.claim_keys = max(self.claim_keys, len(keys))
        self.claim_args = max(self.claim_args, len(head) + len(acks))
        assert "|" not in r[0], r[0]
        n_acked += len(acks)
        if seen == "":
            self.owed += n_acked
        items = r[1:]
        leases = [items[i] for i in range(0, len(items), 2)]
        for i in range(1, len(items), 2):
            # The consumer cuts the record: 16 digits of score, then the body of a first
            # attempt (or the head of a task claimed before).
            assert items[i] and items[i][16:].startswith('{"c":'), items[i]
        return leases, n_acked


def commandstats(conn):
    """calls by command since the last CONFIG RESETSTAT."""
    out = {}
    for line in conn.ok("INFO", "commandstats").splitlines():
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def redis_calls(stats):
    skip = ("evalsha", "eval", "info", "config", "script", "flushall", "ping")
    return sum(v for k, v in stats.items() if k not in skip)


def run(server, conn, layout_cls, n, prefetch, seed):
    conn.ok("FLUSHALL")
    layout = layout_cls(conn, f"bench-{seed}")
    layout.setup(conn)
    all_tasks = list(tasks(n, seed))
    conn.ok("CONFIG", "RESETSTAT")
    server.control("-z")
    pushed = 0
    for i in range(0, n, 500):
        pushed += layout.push(conn, all_tasks[i:i + 500])
    produce = server.dump()
    push_stats = commandstats(conn)
    assert pushed == n, pushed
    conn.ok("CONFIG", "RESETSTAT")
    server.control("-z")
    acks, done, claims, seen = [], 0, 0, set()
    while True:
        leases, acked = layout.claim(conn, prefetch, acks)
        claims += 1
        done += acked
        for lease in leases:
            key = lease[0] if isinstance(lease, tuple) else lease.split("\t", 1)[0]
            assert key not in seen, f"{key} claimed twice"
            seen.add(key)
        acks = leases
        if not leases and not acks:
            break
    consume = server.dump()
    claim_stats = commandstats(conn)
    assert done == n and len(seen) == n, (done, len(seen))
    evals = claim_stats.get("evalsha", 0)
    return {
        "layout": layout.label,
        "prefetch": prefetch,
        "push": cg.total(produce) / n,
        "claim_ack": cg.total(consume) / n,
        "total": (cg.total(produce) + cg.total(consume)) / n,
        "push_calls_per_task": redis_calls(push_stats) / n,
        "calls_per_task": redis_calls(claim_stats) / n,
        "script_calls": evals,
        "claim_calls": claims,
        "keys_per_claim": layout.claim_keys,
        "args_per_claim": layout.claim_args,
        "commands": {k: round(v / n, 2) for k, v in sorted(claim_stats.items())
                     if k not in ("info", "config")},
        "dumps": {"push": produce, "claim_ack": consume},
    }


def reference(server, conn, n, label, args):
    conn.ok("FLUSHALL")
    server.control("-z")
    for _ in range(n):
        r = conn.call(*args)
        if isinstance(r, RedisError):
            raise r
    return {"what": label, "per_call": cg.total(server.dump()) / n}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=20_000, metavar="N")
    ap.add_argument("--prefetch", default="1,16", metavar="K,...")
    ap.add_argument("--redis-server", default="redis-server", metavar="PATH")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="keep the callgrind dumps in DIR, by phase")
    a = ap.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            sys.exit(f"v2proto: {tool} not found (apt-get install valgrind)")
    binary = shutil.which(a.redis_server) or a.redis_server
    tmp = tempfile.mkdtemp(prefix="rpq-v2proto-")
    server = None
    try:
        server = cg.Server(binary, tmp)
        conn = Conn(server.port)
        version = re.search(r"redis_version:(\S+)", conn.ok("INFO", "server")).group(1)
        rows = []
        for k in [int(x) for x in a.prefetch.split(",")]:
            for cls in (V1, V2):
                rows.append(run(server, conn, cls, a.tasks, k, seed=k))
        one = conn.ok("SCRIPT", "LOAD", "return 1")
        refs = [reference(server, conn, 2000, 'EVAL "return 1" 0', ["EVAL", "return 1", "0"]),
                reference(server, conn, 2000, "EVALSHA of `return 1`, v1 claim's 16 keys, 10 args",
                          ["EVALSHA", one, "16", *[f"rpq:{{b}}:k{i}" for i in range(16)],
                           *["0123456789abcdef"] * 10]),
                reference(server, conn, 2000, "EVALSHA of `return 1`, v2 claim's 5 keys, 7 args",
                          ["EVALSHA", one, "5", *[f"rpq:{{b}}:2:k{i}" for i in range(5)],
                           *["0123456789abcdef"] * 7])]
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for r in rows:
                for phase, d in r.pop("dumps").items():
                    tag = "v1" if r["layout"].startswith("today") else "v2"
                    shutil.copy(d, os.path.join(a.keep, f"{tag}-p{r['prefetch']}-{phase}.out"))
        else:
            for r in rows:
                r.pop("dumps")
        if a.json:
            print(json.dumps({"redis": version, "tasks": a.tasks, "rows": rows, "refs": refs}))
            return
        print(f"Server instructions per task (callgrind), redis-server {version}, "
              f"{a.tasks:,} tasks, 100-byte payloads, push batch 500, one consumer:\n")
        print("| layout | prefetch | push | claim + ack | push + claim + ack | redis.calls per "
              "task (push; claim + ack) | keys, args of a claim (most) |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['layout']} | {r['prefetch']} | {r['push']:,.0f} | {r['claim_ack']:,.0f} "
                  f"| **{r['total']:,.0f}** | {r['push_calls_per_task']:.2f}; "
                  f"{r['calls_per_task']:.2f} | {r['keys_per_claim']}, {r['args_per_claim']} |")
        print("\nredis.calls per task of the consume phase, by command:\n")
        for r in rows:
            print(f"- {r['layout']}, prefetch {r['prefetch']} ({r['script_calls']} script calls "
                  f"for {r['claim_calls']} claims): "
                  + ", ".join(f"{k} {v}" for k, v in r["commands"].items()))
        print("\n| reference | instructions per call |\n|---|---|")
        for r in refs:
            print(f"| {r['what']} | {r['per_call']:,.0f} |")
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
