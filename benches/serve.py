#!/usr/bin/env python3
"""`rpq serve`'s /metrics: two builds on one private redis-server, in alternating rounds.

    python3 benches/serve.py OLD_RPQ NEW_RPQ [ROUNDS] [--controls]

Ten queues of 180 waiting tasks (and a consumer seen on each). With --controls, five of them
have a paused priority and two limits (a rate on every task, an in-flight cap on a type), so
the scrape reads limited lines and writes the control gauges. Each round, for each build: the
Redis commands of 100 scrapes (CONFIG RESETSTAT, INFO commandstats), the exposition's size,
`wrk -t1 -c1 -d5s` scrapes a second, and rpq's CPU (utime + stime from /proc) per scrape of
that run. Prints each round and the medians. Needs redis-server, redis-cli and wrk.
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(port, *args):
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args], check=True, capture_output=True, text=True
    ).stdout


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def serve(rpq, url):
    port = free_port()
    p = subprocess.Popen(
        [rpq, "--url", url, "serve", "--listen", f"127.0.0.1:{port}"],
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in p.stderr:
        if "listening on" in line:
            break
    return p, f"http://127.0.0.1:{port}"


def get(url):
    with urllib.request.urlopen(url) as r:
        return r.read()


def round_of(rpq, url, rport):
    p, base = serve(rpq, url)
    try:
        get(base + "/metrics")
        cli(rport, "CONFIG", "RESETSTAT")
        for _ in range(100):
            body = get(base + "/metrics")
        stats = cli(rport, "INFO", "commandstats")
        calls = {
            m.group(1): int(m.group(2))
            for m in re.finditer(r"cmdstat_([a-z|]+):calls=(\d+)", stats)
            if m.group(1) not in ("info", "config|resetstat")
        }
        before = cpu_ticks(p.pid)
        out = subprocess.run(
            ["wrk", "-t1", "-c1", "-d5s", base + "/metrics"],
            check=True, capture_output=True, text=True,
        ).stdout
        ticks = cpu_ticks(p.pid) - before
        n = int(re.search(r"(\d+) requests in", out).group(1))
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        hz = os.sysconf("SC_CLK_TCK")
        return {
            "commands": sum(calls.values()) / 100,
            "by_command": {k: v / 100 for k, v in sorted(calls.items())},
            "bytes": len(body),
            "per_second": rate,
            "cpu_us": ticks / hz / n * 1e6,
        }
    finally:
        p.terminate()
        p.wait()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    controls = "--controls" in sys.argv
    old, new = args[0], args[1]
    rounds = int(args[2]) if len(args) > 2 else 5
    d = tempfile.mkdtemp()
    rport = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(rport), "--save", "", "--appendonly", "no", "--dir", d],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{rport}"
    while True:
        try:
            cli(rport, "PING")
            break
        except subprocess.CalledProcessError:
            time.sleep(0.05)
    try:
        for i in range(10):
            q = f"q{i}"
            lines = "".join(
                json.dumps({"type": "mail" if n % 2 else "t", "priority": 1 + n % 3, "payload": n}) + "\n"
                for n in range(181)
            )
            subprocess.run([new, "--url", url, "--queue", q, "produce", "--stdin"],
                           input=lines, text=True, check=True, capture_output=True)
            subprocess.run([new, "--url", url, "--queue", q, "consume", "--count", "1"],
                           check=True, capture_output=True)
            if controls and i % 2 == 0:
                for extra in (["pause", "--priority", "low"],
                              ["limit", "--rate", "100/s"],
                              ["limit", "--type", "mail", "--max-in-flight", "4"]):
                    subprocess.run([new, "--url", url, "--queue", q, *extra],
                                   check=True, capture_output=True)
        results = {"old": [], "new": []}
        for r in range(rounds):
            for name, rpq in (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old)):
                res = round_of(rpq, url, rport)
                results[name].append(res)
                print(f"round {r + 1} {name}: {res['commands']:.0f} commands, {res['bytes']} bytes, "
                      f"{res['per_second']:.0f}/s, {res['cpu_us']:.0f} us CPU", flush=True)
        for name in ("old", "new"):
            rs = results[name]
            print(f"{name}: commands {rs[0]['by_command']}")
            print(f"{name}: median {statistics.median(x['commands'] for x in rs):.0f} commands a scrape, "
                  f"{statistics.median(x['bytes'] for x in rs)} bytes, "
                  f"{statistics.median(x['per_second'] for x in rs):.0f} scrapes/s, "
                  f"{statistics.median(x['cpu_us'] for x in rs):.0f} us CPU a scrape")
        ratio = statistics.median(
            n["cpu_us"] / o["cpu_us"] for o, n in zip(results["old"], results["new"]))
        print(f"CPU a scrape, new / old, median of the rounds' ratios: x{ratio:.2f}")
    finally:
        redis.terminate()
        redis.wait()


if __name__ == "__main__":
    main()
