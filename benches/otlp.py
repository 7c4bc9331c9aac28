#!/usr/bin/env python3
"""What OTLP export costs a consumer (issue 26): `rpq bench` with every task traced
(TRACEPARENT set, so each task's consumer sends a wait span and a run span), in three modes run
back to back in each round: not exporting (no OTEL_* variable), exporting to a local collector
that answers 200 (http/protobuf, the default), and exporting to a collector that is down (a
closed port: every batch fails, every span is dropped and counted).

Usage: cargo build --release && python3 benches/otlp.py [ROUNDS] [TASKS]
(RPQ_BIN=path picks another rpq binary.) Each run is `rpq bench --spawn` (a private
redis-server), one consumer engine (as `rpq consume`: the bench's plain claim loop has no
handler and exports nothing) with a `--pipe` handler that answers each task at once, no latency
phase. Prints consume tasks/s per mode, median and min
and max over the rounds, and the ratio of each mode to "off" within each round (median).

This is a benchmark, not a test: CI does not run it.
"""

import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RPQ = os.environ.get("RPQ_BIN", os.path.join(ROOT, "target/release/rpq"))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
TASKS = sys.argv[2] if len(sys.argv) > 2 else "20000"
TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
PIPE = ("python3 -u -c 'import sys,json\n"
        "for l in sys.stdin: print(json.dumps({\"id\": json.loads(l)[\"id\"], \"ok\": True}), flush=True)'")

received = {"requests": 0, "bytes": 0}


class Collector(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        received["requests"] += 1
        received["bytes"] += len(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    up = f"http://127.0.0.1:{server.server_address[1]}"
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    down = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "RPQ_", "TRACE"))}
    base.pop("REDIS_URL", None)
    modes = {"off": None, "collector up": up, "collector down": down}
    rates = {m: [] for m in modes}
    ratios = {m: [] for m in modes}
    for r in range(ROUNDS):
        this = {}
        for mode, url in modes.items():
            env = dict(base, TRACEPARENT=TP)
            if url:
                env["OTEL_EXPORTER_OTLP_ENDPOINT"] = url
            out = subprocess.run(
                [RPQ, "--json", "bench", "--spawn", "--tasks", TASKS, "--consumers", "1",
                 "--latency-tasks", "0", "--scheduled-tasks", "0", "--pipe", PIPE],
                env=env, capture_output=True, text=True, check=True)
            rep = json.loads(out.stdout.strip().splitlines()[-1])
            assert rep["lost"] == 0 and rep["duplicated"] == 0, rep
            this[mode] = rep["consume_per_sec"]
            rates[mode].append(this[mode])
            if mode == "collector down":
                said = [l for l in out.stderr.splitlines() if "were not exported" in l]
                print(f"  round {r + 1} down: {said[-1] if said else 'nothing said'}", flush=True)
        for m in modes:
            ratios[m].append(this[m] / this["off"])
        print(f"round {r + 1}: " + ", ".join(f"{m} {this[m]:,.0f}/s" for m in modes), flush=True)
    print(f"\nrpq bench --tasks {TASKS} --consumers 1 --pipe (answers at once), every task traced; "
          f"{ROUNDS} rounds")
    print(f"{'mode':<16} {'median':>10} {'min':>10} {'max':>10} {'vs off (median of rounds)':>28}")
    for m in modes:
        v = rates[m]
        print(f"{m:<16} {statistics.median(v):>10,.0f} {min(v):>10,.0f} {max(v):>10,.0f} "
              f"{statistics.median(ratios[m]):>28.3f}")
    print(f"\ncollector received {received['requests']} requests, {received['bytes']:,} bytes")


if __name__ == "__main__":
    main()
