#!/usr/bin/env python3
"""An rpq worker in Python (standard library only) over `rpq serve`: docs/PROTOCOL.md.
Environment: RPQ_SERVE (http://127.0.0.1:7464), RPQ_QUEUE (default), RPQ_SERVE_TOKEN (if the
server has one), RPQ_N (tasks per claim, 1), RPQ_LEASE (30s). Put your work in handle(): what
it returns is the result (kept if the producer asked), what it raises fails the task."""
import json, os, socket, time, urllib.error, urllib.parse, urllib.request

BASE = os.environ.get("RPQ_SERVE", "http://127.0.0.1:7464").rstrip("/")
QUEUE = "/api/queues/" + urllib.parse.quote(os.environ.get("RPQ_QUEUE", "default"), safe="")
NAME = f"{socket.gethostname()}-{os.getpid()}"  # one name per process: replays answer right
HEADERS = {"Content-Type": "application/json"}
if os.environ.get("RPQ_SERVE_TOKEN"):
    HEADERS["Authorization"] = "Bearer " + os.environ["RPQ_SERVE_TOKEN"]

def post(path, body):
    req = urllib.request.Request(BASE + QUEUE + path, json.dumps(body).encode(), HEADERS)
    try:
        with urllib.request.urlopen(req, timeout=90) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

def handle(task):
    return {"echo": task["payload"]}
query = urllib.parse.urlencode({"wait": "30s", "n": os.environ.get("RPQ_N", "1"),
                                "lease": os.environ.get("RPQ_LEASE", "30s"), "consumer": NAME})
while True:
    status, claim = post("/claim?" + query, {})
    if status != 200:  # 429: too many waiting; 503: Redis is away. Try again in a moment.
        print("claim:", status, claim["error"], flush=True); time.sleep(1); continue
    for task in claim["tasks"]:
        lease = {"token": task["token"], "consumer": NAME}
        try:
            route, body = "ack", {**lease, "result": handle(task)}
        except Exception as e:
            route, body = "fail", {**lease, "error": str(e) or type(e).__name__}
        status, answer = post(f"/tasks/{task['id']}/{route}", body)
        # 409: the lease ran out first; the task is someone else's now, nothing was changed.
        print(answer.get("outcome", "lost"), task["id"], flush=True)
