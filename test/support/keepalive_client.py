"""Persistent HTTP/1.1 keep-alive connections, as load balancers and SDK pools hold them.

Each slot keeps one connection (http.client, no retries) to one of the current endpoints and sends
a request on it, then waits: `busy` slots 0-20 ms, the others a random 0.2 s to `max_idle` s. A slot
changes endpoint only when the server ends its connection with `Connection: close` (or a request
failed): a connection the server closes while idle is found out by the next request, which is then
lost (RemoteDisconnected / ConnectionReset): the race this client counts.

stdin, one command a line: `endpoints host:port,host:port` (where new connections go, like a
Service's endpoints), `stop`. stdout at the end: one JSON line with the counts and the failures.
"""

import http.client
import json
import random
import sys
import threading
import time

config = json.loads(sys.argv[1])
endpoints = list(config["endpoints"])
lock = threading.Lock()
stopping = threading.Event()
counts = {"sent": 0, "ok": 0, "failed": 0, "closed_by_answer": 0}
failures = []


def read_commands():
    global endpoints
    for line in sys.stdin:
        word, _, rest = line.strip().partition(" ")
        if word == "endpoints":
            with lock:
                endpoints = [e for e in rest.split(",") if e]
        elif word == "stop":
            break
    stopping.set()


def pick():
    with lock:
        return random.choice(endpoints) if endpoints else None


def slot(index, busy):
    rng = random.Random(index)
    conn = None
    target = None
    body = json.dumps(config.get("body", {})) if config.get("method", "GET") == "POST" else None
    while not stopping.is_set():
        if conn is None:
            target = pick()
            if target is None:
                time.sleep(0.05)
                continue
            host, port = target.rsplit(":", 1)
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
        with lock:
            counts["sent"] += 1
        try:
            headers = {"content-type": "application/json"} if body is not None else {}
            conn.request(config.get("method", "GET"), config["path"], body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                if response.status == config.get("status", 200):
                    counts["ok"] += 1
                else:
                    counts["failed"] += 1
                    failures.append(f"{target}: HTTP {response.status}")
                if response.will_close:
                    counts["closed_by_answer"] += 1
            if response.will_close:
                conn.close()
                conn = None
        except Exception as err:  # noqa: BLE001 - every failure is counted, whatever its kind
            with lock:
                counts["failed"] += 1
                failures.append(f"{target}: {type(err).__name__} {err}")
            conn.close()
            conn = None
        pause = rng.uniform(0, 0.02) if busy else rng.uniform(0.2, config["max_idle"])
        stopping.wait(pause)
    if conn is not None:
        conn.close()


threading.Thread(target=read_commands, daemon=True).start()
threads = [
    threading.Thread(target=slot, args=(i, i < config["busy"]))
    for i in range(config["busy"] + config["idle"])
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({**counts, "failures": failures[:50]}), flush=True)
