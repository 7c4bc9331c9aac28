#!/usr/bin/env python3
"""Measures a sharded queue against a plain one on this machine: the cross-shard priority
inversion rate and produce/consume throughput, 1 server vs a 3-primary cluster.

    cargo build --release && python3 benches/shard-measure.py [TASKS]

Starts its own redis-servers on free ports in a temp dir and stops them. Needs redis-server and
redis-cli. Prints one line per setup. Two runs per setup: a backlog (all tasks pushed, then drained),
and live (producers at about 1,000 tasks/s each and consumers taking 1 ms a task, at once).

An inversion: a consumer claims task X at time t while a task of a higher priority was already
waiting (created before t, claimed after t), on any shard. Times are the servers' (all on this
machine, one clock), in ms; equal times do not count.
"""
import json, os, shutil, socket, subprocess, sys, tempfile, time

RPQ = os.path.join(os.path.dirname(__file__), "..", "target", "release", "rpq")
TASKS = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
PROCS = 3


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(tmp, cluster):
    port = free_port()
    d = os.path.join(tmp, str(port))
    os.makedirs(d)
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
            "--appendonly", "no", "--logfile", os.path.join(d, "log")]
    if cluster:
        args += ["--cluster-enabled", "yes", "--cluster-port", str(free_port())]
    proc = subprocess.Popen(args)
    for _ in range(200):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
            return proc, port
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def cluster_ok(ports):
    for p in ports:
        out = subprocess.run(["redis-cli", "-p", str(p), "cluster", "info"], capture_output=True, text=True).stdout
        if "cluster_state:ok" not in out:
            return False
    return True


def run(url, cluster, shards, queue):
    base = [RPQ, "--url", url, "--queue", queue, "--shards", str(shards)] + (["--cluster"] if cluster else [])
    per = TASKS // PROCS
    t0 = time.time()
    ps = [subprocess.Popen(base + ["produce", "--count", str(per), "--interval", "0"],
                           stdout=subprocess.DEVNULL) for _ in range(PROCS)]
    for p in ps:
        assert p.wait() == 0
    t1 = time.time()
    cs = [subprocess.Popen(base + ["--json", "consume", "--drain", "--name", f"m{i}"],
                           stdout=subprocess.PIPE) for i in range(PROCS)]
    outs = [c.communicate()[0] for c in cs]
    t2 = time.time()
    tasks = [json.loads(l) for o in outs for l in o.splitlines()]
    assert len(tasks) == per * PROCS, len(tasks)
    return per * PROCS / (t1 - t0), per * PROCS / (t2 - t1), inversions(tasks)


def run_live(url, cluster, shards, queue):
    """Producers and consumers at once, at about the same rate, so the queue is short and
    the shards' heads change under the consumers' feet: where inversions come from."""
    base = [RPQ, "--url", url, "--queue", queue, "--shards", str(shards)] + (["--cluster"] if cluster else [])
    per = TASKS // PROCS
    # Files, not pipes: nobody reads the consumers' output until the end.
    files = [tempfile.TemporaryFile() for _ in range(PROCS)]
    cs = [subprocess.Popen(base + ["--json", "consume", "--delay", "1ms", "--name", f"l{i}"],
                           stdout=f, stderr=subprocess.DEVNULL) for i, f in enumerate(files)]
    ps = [subprocess.Popen(base + ["produce", "--count", str(per), "--interval", "1ms"],
                           stdout=subprocess.DEVNULL) for _ in range(PROCS)]
    for p in ps:
        assert p.wait() == 0
    while True:
        out = subprocess.run(base + ["--json", "len"], capture_output=True, text=True).stdout
        l = json.loads(out)
        if l["waiting"] == 0 and l["in_flight"] == 0:
            break
        time.sleep(0.1)
    for c in cs:
        c.terminate()
    for c in cs:
        c.wait()
    outs = []
    for f in files:
        f.seek(0)
        outs.append(f.read())
    tasks = [json.loads(l) for o in outs for l in o.splitlines()]
    assert len(tasks) == per * PROCS, len(tasks)
    return inversions(tasks)


def ms(t):
    from datetime import datetime
    return int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)


def inversions(tasks):
    events = {}
    for i, t in enumerate(tasks):
        events.setdefault(ms(t["created_at"]), [[], []])[1].append(i)
        events.setdefault(ms(t["claimed_at"]), [[], []])[0].append(i)
    waiting = {1: 0, 2: 0, 3: 0}
    inv = 0
    for at in sorted(events):
        claims, creates = events[at]
        for i in claims:
            waiting[tasks[i]["priority"]] -= 1
        for i in claims:
            p = tasks[i]["priority"]
            if any(waiting[q] > 0 for q in range(1, p)):
                inv += 1
        for i in creates:
            waiting[tasks[i]["priority"]] += 1
    return inv


def main():
    tmp = tempfile.mkdtemp(prefix="rpq-measure-")
    procs = []
    try:
        p, port = start(tmp, False)
        procs.append(p)
        single = f"redis://127.0.0.1:{port}"
        ports = []
        for _ in range(3):
            p, port = start(tmp, True)
            procs.append(p)
            ports.append(port)
        subprocess.run(["redis-cli", "--cluster", "create"] + [f"127.0.0.1:{p}" for p in ports]
                       + ["--cluster-yes"], check=True, capture_output=True)
        while not cluster_ok(ports):
            time.sleep(0.1)
        seeds = ",".join(f"redis://127.0.0.1:{p}" for p in ports)
        print(f"{TASKS} tasks of random priority, {PROCS} producers then {PROCS} consumers (release build)")
        for name, url, cluster, shards in [
            ("1 server, 1 shard", single, False, 1),
            ("1 server, 6 shards", single, False, 6),
            ("3 primaries, 1 shard", seeds, True, 1),
            ("3 primaries, 6 shards", seeds, True, 6),
        ]:
            prod, cons, inv = run(url, cluster, shards, f"m{shards}{int(cluster)}")
            live = run_live(url, cluster, shards, f"l{shards}{int(cluster)}")
            print(f"{name:24} produce {prod:8.0f}/s  consume {cons:7.0f}/s  "
                  f"inversions: backlog {inv} of {TASKS} ({100.0 * inv / TASKS:.2f}%), "
                  f"live {live} of {TASKS} ({100.0 * live / TASKS:.2f}%)")
    finally:
        for p in procs:
            p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


main()
