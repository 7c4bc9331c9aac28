#!/usr/bin/env python3
"""Workers over HTTP (issue 27) beside a CLI consumer, in one run on one private redis-server.

    cargo build --release && python3 benches/workers.py [target/release/rpq] [TASKS] [ROUNDS]

Each round, for each worker in turn, TASKS tasks (default 5,000) are pushed and drained, timed
from the worker's first claim to its last ack: `rpq consume --drain` (the CLI
consumer, prefetch 1, its lines to /dev/null), and one HTTP worker (Python's http.client on one keep-alive connection
to `rpq serve`: claim with n=1 or n=16, then one ack per task, until a claim comes back empty).
Then the wake-up: a claim long-polling (wait=10s) on an empty queue, and a push over another
connection; the time from sending the push to the claim's answer, 30 times. Prints each round
and the medians.
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

RPQ = sys.argv[1] if len(sys.argv) > 1 else "target/release/rpq"
TASKS = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def push(url, queue, n):
    lines = "\n".join(
        json.dumps({"type": "t", "priority": 1 + i % 3, "payload": {"n": i}}) for i in range(n)
    )
    subprocess.run([RPQ, "--url", url, "--queue", queue, "produce", "--stdin"],
                   input=lines, text=True, check=True, capture_output=True)


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port)

    def post(self, path, body=None):
        data = json.dumps(body or {})
        self.c.request("POST", path, data, {"Content-Type": "application/json"})
        r = self.c.getresponse()
        return r.status, json.loads(r.read())


def http_worker(port, queue, n):
    c, done = Client(port), 0
    start = time.perf_counter()
    while True:
        _, claim = c.post(f"/api/queues/{queue}/claim?n={n}&consumer=bench-{n}")
        if not claim["tasks"]:
            break
        for t in claim["tasks"]:
            status, _ = c.post(f"/api/queues/{queue}/tasks/{t['id']}/ack",
                               {"token": t["token"], "consumer": f"bench-{n}"})
            assert status == 200
            done += 1
    assert done == TASKS, done
    return TASKS / (time.perf_counter() - start)


def cli_worker(url, queue):
    start = time.perf_counter()
    subprocess.run([RPQ, "--url", url, "--queue", queue, "consume", "--drain"],
                   check=True, stdout=subprocess.DEVNULL)
    return TASKS / (time.perf_counter() - start)


def wake(port, queue):
    out = []
    for i in range(30):
        got = {}

        def claim():
            got["r"] = Client(port).post(f"/api/queues/{queue}/claim?wait=10s")
            got["t"] = time.perf_counter()

        th = threading.Thread(target=claim)
        th.start()
        time.sleep(0.2)  # the claim is waiting by now (it is the measured wait that matters)
        pusher = Client(port)
        sent = time.perf_counter()
        status, _ = pusher.post(f"/api/queues/{queue}/tasks", {"type": "w", "priority": 1})
        assert status == 201
        th.join()
        assert len(got["r"][1]["tasks"]) == 1, got
        out.append((got["t"] - sent) * 1000)
    return statistics.median(out), max(out)


def main():
    with tempfile.TemporaryDirectory() as d:
        rport = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(rport), "--save", "",
                                  "--appendonly", "no", "--dir", d], stdout=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{rport}"
        while subprocess.run(["redis-cli", "-p", str(rport), "ping"],
                             capture_output=True).returncode:
            time.sleep(0.05)
        sport = free_port()
        serve = subprocess.Popen([RPQ, "--url", url, "serve", "--listen", f"127.0.0.1:{sport}"],
                                 stderr=subprocess.PIPE, text=True)
        for line in serve.stderr:
            if "listening on" in line:
                break
        threading.Thread(target=serve.stderr.read, daemon=True).start()
        rows = {"cli consume": [], "http n=1": [], "http n=16": []}
        try:
            for r in range(ROUNDS):
                for name in rows:
                    q = f"b{r}{name.replace(' ', '').replace('=', '')}"
                    push(url, q, TASKS)
                    if name == "cli consume":
                        rate = cli_worker(url, q)
                    else:
                        rate = http_worker(sport, q, int(name.split("=")[1]))
                    rows[name].append(rate)
                    print(f"round {r + 1}: {name:12} {rate:8.0f} tasks/s", flush=True)
            med, worst = wake(sport, "wake")
            for name, rates in rows.items():
                print(f"median  {name:12} {statistics.median(rates):8.0f} tasks/s")
            print(f"wake-up: push sent to claim answered, median {med:.1f} ms, worst {worst:.1f} ms")
        finally:
            serve.terminate()
            serve.wait()
            redis.terminate()
            redis.wait()


main()
