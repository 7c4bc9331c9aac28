#!/usr/bin/env python3
"""What a redis-server crash costs rpq under each persistence setting: SIGKILL the server in the
middle of a producer and two consumers, start it again on the same directory, let the work
finish, then compare the history: tasks the producer was told were queued and that no consumer
ever reported done (lost), tasks reported done twice, and whether rpq said what the server lost.

Usage: cargo build --release && python3 benches/crash-measure.py [ROUNDS]
(RPQ_BIN=path picks another rpq binary.)
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RPQ = os.environ.get("RPQ_BIN") or os.path.join(ROOT, "target", "release", "rpq")

SETTINGS = {
    "appendfsync always": ["--appendonly", "yes", "--appendfsync", "always", "--save", ""],
    "appendfsync everysec": ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
    "RDB only, save 1 1": ["--appendonly", "no", "--save", "1 1"],
    "no persistence": ["--appendonly", "no", "--save", ""],
}

RATE = 2000  # task lines a second
SECONDS = 6  # of producing; the crash comes half way


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server(port, d, args):
    p = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
         "--logfile", os.path.join(d, "log"), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        r = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
        if r.stdout.strip() == "PONG":
            return p
        time.sleep(0.025)
    sys.exit("redis-server did not start")


def collect(stream, into):
    for line in stream:
        into.append(line)


def reader(stream, into):
    t = threading.Thread(target=collect, args=(stream, into), daemon=True)
    t.start()
    return t


def one_round(args):
    port = free_port()
    d = tempfile.mkdtemp(prefix="rpq-crash-")
    url = f"redis://127.0.0.1:{port}"
    srv = server(port, d, args)
    consumers, outs, errs, readers = [], [], [], []
    for i in range(2):
        c = subprocess.Popen([RPQ, "--url", url, "--json", "consume", "--name", f"c{i}",
                              "--lease", "2s", "--delay", "5ms"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        o, e = [], []
        readers += [reader(c.stdout, o), reader(c.stderr, e)]
        consumers.append(c)
        outs.append(o)
        errs.append(e)
    prod = subprocess.Popen([RPQ, "--url", url, "--json", "produce", "--stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    pout, perr = [], []
    readers += [reader(prod.stdout, pout), reader(prod.stderr, perr)]
    start = time.time()
    crashed = False
    n = 0
    while time.time() - start < SECONDS:
        if not crashed and time.time() - start > SECONDS / 2:
            srv.kill()
            srv.wait()
            srv = server(port, d, args)
            crashed = True
        due = int((time.time() - start) * RATE)
        while n < due:
            prod.stdin.write(json.dumps({"type": "t", "priority": 1 + n % 3, "id": f"t{n}"}) + "\n")
            n += 1
        prod.stdin.flush()
        time.sleep(0.01)
    prod.stdin.close()
    prod.wait(timeout=60)
    # Let the consumers finish what is there: nothing waiting, nothing in flight, for 3 s.
    quiet_since = None
    deadline = time.time() + 60
    while time.time() < deadline:
        r = subprocess.run([RPQ, "--url", url, "--json", "len"], capture_output=True, text=True)
        left = json.loads(r.stdout) if r.returncode == 0 else None
        busy = left is None or left["waiting"] + left["in_flight"] + left["retrying"] > 0
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 3:
            break
        time.sleep(0.2)
    for c in consumers:
        c.terminate()
        c.wait(timeout=30)
    for t in readers:
        t.join(timeout=30)
    srv.kill()
    srv.wait()
    shutil.rmtree(d, ignore_errors=True)
    confirmed = {json.loads(l)["id"] for l in pout if l.strip()}
    done = {}
    for o in outs:
        for l in o:
            if not l.strip():
                continue
            v = json.loads(l)
            if v.get("outcome") == "done":
                done[v["id"]] = done.get(v["id"], 0) + 1
    warned = any("came back without" in l for e in errs + [perr] for l in e)
    return {
        "sent": n,
        "confirmed": len(confirmed),
        "lost": len(confirmed - set(done)),
        "twice": sum(1 for k in done.values() if k > 1),
        "warned": warned,
    }


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"{RATE} tasks/s for {SECONDS} s, redis-server SIGKILLed at {SECONDS / 2} s and "
          f"started again; 2 consumers (--delay 5ms), {rounds} rounds each")
    for name, args in SETTINGS.items():
        rs = [one_round(args) for _ in range(rounds)]
        fmt = lambda k: "/".join(str(r[k]) for r in rs)
        print(f"{name:22} sent {fmt('sent'):>17}  confirmed {fmt('confirmed'):>17}  lost {fmt('lost'):>14}  "
              f"done twice {fmt('twice'):>13}  rpq said so {fmt('warned')}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
