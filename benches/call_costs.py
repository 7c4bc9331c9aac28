#!/usr/bin/env python3
"""What one redis.call costs a script, in server instructions: redis-server under callgrind, a
sorted set of 1,000 groups scored as groups.lua scores them (priority x 10^15 + tag), and one
EVALSHA per variant run N times by redis-benchmark; each variant's count a call, and less the
empty script's (`return 1`).

Usage: python3 benches/call_costs.py [--calls 2000] [--redis-server PATH] [--push | --turns]

It is how the fast claim of groups was cut (benches/README.md, "Groups (issue 23)"): a score
read or written costs more than the call that carries it (the server prints it, Lua reads it
with tonumber and prints it back with string.format). A benchmark, not a test: CI does not run
it.
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import callgrind as cg  # noqa: E402

SETUP = ("for i = 1, 1000 do redis.call('ZADD', KEYS[1], string.format('%d', "
         "2000000000000000 + i * 1000000), 'tenant-' .. i) end return 1")

VARIANTS = [
    ("return 1", "return 1"),
    ("ZRANGE 0 0 WITHSCORES", "redis.call('ZRANGE', KEYS[1], '0', '0', 'WITHSCORES') return 1"),
    ("ZRANGE 0 1 WITHSCORES", "redis.call('ZRANGE', KEYS[1], '0', '1', 'WITHSCORES') return 1"),
    ("ZRANGE 0 1", "redis.call('ZRANGE', KEYS[1], '0', '1') return 1"),
    ("ZPOPMIN, ZADD of its score", "local f = redis.call('ZPOPMIN', KEYS[1]) "
     "redis.call('ZADD', KEYS[1], f[2], f[1]) return 1"),
    ("ZPOPMIN, ZADD of its score printed by Lua", "local f = redis.call('ZPOPMIN', KEYS[1]) "
     "redis.call('ZADD', KEYS[1], string.format('%d', tonumber(f[2])), f[1]) return 1"),
    ("ZINCRBY 0", "redis.call('ZINCRBY', KEYS[1], '0', 'tenant-5') return 1"),
    ("ZADD, same score", "redis.call('ZADD', KEYS[1], '2000000005000000', 'tenant-5') return 1"),
    ("ZSCORE", "redis.call('ZSCORE', KEYS[1], 'tenant-5') return 1"),
    ("ZREM of no member", "redis.call('ZREM', KEYS[1], 'nope') return 1"),
    ("ZCARD", "redis.call('ZCARD', KEYS[1]) return 1"),
    ("EXISTS", "redis.call('EXISTS', KEYS[1]) return 1"),
    ("HGET of no field", "redis.call('HGET', KEYS[2], 'w:tenant-1') return 1"),
]


# --push: what a grouped task's entries cost the push (benches/README.md, the grp7 round). A
# batch of 500 tasks a script, their pending scores and ids made as push.lua makes them, 10
# batches into one zset (5,000 tasks): each variant's count a task, less the one that only makes
# them. And what taking a task out of pending by id costs the claim (the fast claim of a shard
# with groups does, where the plain one pops): a ZREM of a waiting task of 5,000, less the count
# that names it.
BATCH = """
local base = tonumber(redis.call('INCRBY', KEYS[3], 500)) - 500
local z = {}
for i = 1, 500 do
  local id = string.format('%020d', base + i)
  z[2 * i - 1] = tostring(1 + i % 3) .. string.format('%015d', base + i)
  z[2 * i] = id
end
"""
ENTRIES = ("local e = {} for i = 1, 500 do e[2 * i - 1] = '0' "
           "e[2 * i] = 'g0\\t' .. z[2 * i - 1] .. '\\t' .. z[2 * i] end ")
BATCH_VARIANTS = [
    ("scores and ids made", BATCH + "return 1"),
    ("their ZADD to pending", BATCH + "redis.call('ZADD', KEYS[1], unpack(z)) return 1"),
    ("the gpending entries made", BATCH + ENTRIES + "return 1"),
    ("the entries made and their ZADD to gpending",
     BATCH + ENTRIES + "redis.call('ZADD', KEYS[2], unpack(e)) return 1"),
]
NAME = "local id = string.format('%020d', redis.call('INCR', KEYS[3])) "
ZREM_VARIANTS = [
    ("the id named", NAME + "return 1"),
    ("its ZREM from pending", NAME + "redis.call('ZREM', KEYS[1], id) return 1"),
]


def push_costs(server, calls):
    print("| per task | instructions | more than the first |")
    print("|---|---|---|")
    base = None
    for name, body in BATCH_VARIANTS:
        cg.redis_cli(server.port, "FLUSHALL")
        sha = cg.redis_cli(server.port, "SCRIPT", "LOAD", body)
        server.control("-z")
        subprocess.run(["redis-benchmark", "-p", str(server.port), "-c", "1", "-n", "10",
                        "EVALSHA", sha, "3", "p", "gp", "seq"], capture_output=True, check=True)
        per = cg.total(server.dump()) / 5000
        base = per if base is None else base
        print(f"| {name} | {per:,.0f} | {per - base:,.0f} |", flush=True)
    fill = cg.redis_cli(server.port, "SCRIPT", "LOAD", BATCH_VARIANTS[1][1])
    base = None
    for name, body in ZREM_VARIANTS:
        cg.redis_cli(server.port, "FLUSHALL")
        for _ in range((5000 + calls) // 500 + 1):
            cg.redis_cli(server.port, "EVALSHA", fill, "3", "p", "gp", "seq")
        cg.redis_cli(server.port, "SET", "seq", "0")
        sha = cg.redis_cli(server.port, "SCRIPT", "LOAD", body)
        server.control("-z")
        subprocess.run(["redis-benchmark", "-p", str(server.port), "-c", "1", "-n", str(calls),
                        "EVALSHA", sha, "3", "p", "gp", "seq"], capture_output=True, check=True)
        per = cg.total(server.dump()) / calls
        base = per if base is None else base
        print(f"| a call: {name} | {per:,.0f} | {per - base:,.0f} |", flush=True)



# --turns (the grp8 round): what the fast claim's read of a group's head costs against other
# reads, on a gpending of 5,000 entries in 1,000 groups (entries as groups.lua makes them:
# "group\tpending score\tid"), each call's group the next of the 1,000; and what the push's
# look at a batch's 500 groups costs a task, against 1,000 groups with a turn each, and against
# groups new to the turns.
LEX_SETUP = ("for i = 0, 4999 do local g = 'g' .. (i % 1000) "
             "redis.call('ZADD', KEYS[1], 0, g .. '\\t' .. (1 + i % 3) .. "
             "string.format('%015d', i) .. '\\t' .. string.format('t%011d', i)) end return 1")
LEX_NAME = "local g = 'g' .. tostring(redis.call('INCR', KEYS[2]) % 1000) "
LEX_VARIANTS = [
    ("the group named", "return 1"),
    ("ZRANGEBYLEX (g (g\\n LIMIT 0 2 (the fast claim's)",
     "redis.call('ZRANGEBYLEX', KEYS[1], '(' .. g, '(' .. g .. '\\n', 'LIMIT', '0', '2') return 1"),
    ("ZRANGEBYLEX (g + LIMIT 0 2",
     "redis.call('ZRANGEBYLEX', KEYS[1], '(' .. g, '+', 'LIMIT', '0', '2') return 1"),
    ("ZRANGEBYLEX (g (g\\n LIMIT 0 1",
     "redis.call('ZRANGEBYLEX', KEYS[1], '(' .. g, '(' .. g .. '\\n', 'LIMIT', '0', '1') return 1"),
    ("ZRANGEBYLEX - + LIMIT 0 1 (no search)",
     "redis.call('ZRANGEBYLEX', KEYS[1], '-', '+', 'LIMIT', '0', '1') return 1"),
    ("ZRANGE 0 1 (by rank, two entries)", "redis.call('ZRANGE', KEYS[1], '0', '1') return 1"),
]
BATCH_NAMES = ("local base = tonumber(redis.call('INCRBY', KEYS[3], 500)) - 500 "
               "local names = {} for i = 1, 500 do names[i] = 'g' .. ((base + i) % MOD) end ")
BATCH_GROUP_VARIANTS = [
    ("the names made", "return 1"),
    ("their ZMSCORE", "redis.call('ZMSCORE', KEYS[1], unpack(names)) return 1"),
    ("their ZADD NX at one score", "local z = {} for i = 1, 500 do z[2 * i - 1] = "
     "'2000000000000000' z[2 * i] = names[i] end redis.call('ZADD', KEYS[1], 'NX', unpack(z)) "
     "return 1"),
]


def turns_costs(server, calls):
    cg.redis_cli(server.port, "FLUSHALL")
    cg.redis_cli(server.port, "EVAL", LEX_SETUP, "1", "gp")
    print("| a call, 1,000 groups of 5 | instructions | more than the first |")
    print("|---|---|---|")
    base = None
    for name, body in LEX_VARIANTS:
        sha = cg.redis_cli(server.port, "SCRIPT", "LOAD", LEX_NAME + body)
        server.control("-z")
        subprocess.run(["redis-benchmark", "-p", str(server.port), "-c", "1", "-n", str(calls),
                        "EVALSHA", sha, "2", "gp", "seq"], capture_output=True, check=True)
        per = cg.total(server.dump()) / calls
        base = per if base is None else base
        print(f"| {name} | {per:,.0f} | {per - base:,.0f} |", flush=True)
    for label, mod, existing in (("1,000 groups with a turn", 1000, True),
                                 ("groups new to the turns", 10 ** 9, False)):
        print(f"| a task of a batch of 500 groups, {label} | | |")
        base = None
        for name, body in BATCH_GROUP_VARIANTS:
            cg.redis_cli(server.port, "FLUSHALL")
            if existing:
                cg.redis_cli(server.port, "EVAL", "for i = 0, 999 do redis.call('ZADD', KEYS[1], "
                             "2000000000000000 + i * 1000000, 'g' .. i) end return 1", "1", "gs")
            sha = cg.redis_cli(server.port, "SCRIPT", "LOAD",
                               BATCH_NAMES.replace("MOD", str(mod)) + body)
            server.control("-z")
            subprocess.run(["redis-benchmark", "-p", str(server.port), "-c", "1", "-n", "10",
                            "EVALSHA", sha, "3", "gs", "x", "seq"], capture_output=True,
                           check=True)
            per = cg.total(server.dump()) / 5000
            base = per if base is None else base
            print(f"| {name} | {per:,.0f} | {per - base:,.0f} |", flush=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=2000, metavar="N")
    ap.add_argument("--redis-server", default="redis-server", metavar="PATH")
    ap.add_argument("--push", action="store_true",
                    help="what a grouped task's entries cost the push, and a ZREM the claim")
    ap.add_argument("--turns", action="store_true",
                    help="what the fast claim's read of a group's head and the push's look at "
                    "a batch's groups cost")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="rpq-call-costs-")
    server = cg.Server(a.redis_server, tmp, quiet=True)
    try:
        cg.redis_cli(server.port, "EVAL", SETUP, "2", "g", "h")
        cg.redis_cli(server.port, "HSET", "h", "V", "1")
        if a.push:
            push_costs(server, a.calls)
            return
        if a.turns:
            turns_costs(server, a.calls)
            return
        print("| call | instructions a script | more than `return 1` |")
        print("|---|---|---|")
        empty = None
        for name, body in VARIANTS:
            sha = cg.redis_cli(server.port, "SCRIPT", "LOAD", body)
            server.control("-z")
            subprocess.run(["redis-benchmark", "-p", str(server.port), "-c", "1", "-n",
                            str(a.calls), "EVALSHA", sha, "2", "g", "h"],
                           capture_output=True, check=True)
            per = cg.total(server.dump()) / a.calls
            empty = per if empty is None else empty
            print(f"| {name} | {per:,.0f} | {per - empty:,.0f} |", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
