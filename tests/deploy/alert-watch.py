#!/usr/bin/env python3
"""Follows alerting rules of one group through Prometheus's /api/v1/rules, every 0.2 s, and prints each
rule's state transitions with the seconds since the watch started, for the end-to-end test
(tests/suites/deploy-e2e.sh):

    PhoenixHighMemory inactive@0.0 pending@1.3 firing@4.4 alerts=1

usage: alert-watch.py PROMETHEUS_URL GROUP TIMEOUT_SECONDS ALERT...
Stops when every ALERT is firing, or at the timeout. Exit status 0 when every ALERT is firing at the end.
"alerts=N" is the number of active alerts of the rule at the end. With ALERT_WATCH_READY=PATH, the file
PATH is created once the first states are recorded, so that a test starts its changes only then.
"""
import json
import os
import sys
import time
import urllib.request

if len(sys.argv) < 5:
    sys.exit(__doc__)
url, group, timeout, names = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
start = time.monotonic()
seen = {n: [] for n in names}
count = {n: 0 for n in names}


def poll():
    with urllib.request.urlopen(url + "/api/v1/rules?type=alert", timeout=5) as r:
        groups = json.load(r)["data"]["groups"]
    now = time.monotonic() - start
    for g in groups:
        if g["name"] != group:
            continue
        for r in g["rules"]:
            if r["name"] in seen:
                s = seen[r["name"]]
                if not s or s[-1][0] != r["state"]:
                    s.append((r["state"], now))
                count[r["name"]] = len(r.get("alerts", []))


ready = os.environ.get("ALERT_WATCH_READY")
while True:
    try:
        poll()
    except OSError:
        pass
    if ready and all(seen[n] for n in names):
        open(ready, "w").close()
        ready = None
    done = all(seen[n] and seen[n][-1][0] == "firing" for n in names)
    if done or time.monotonic() - start > timeout:
        break
    time.sleep(0.2)
for n in names:
    print(n, " ".join("%s@%.1f" % (st, t) for st, t in seen[n]) or "missing", "alerts=%d" % count[n])
sys.exit(0 if done else 1)
