#!/usr/bin/python3
"""Wrong Basic credentials as fast as an exporter answers them, for tests/suites/auth-flood.sh.

  authflood.py URL CLIENTS SECONDS [--user=NAME] [SOURCE...]

CLIENTS threads each send GET requests one after another (keep-alive, reconnecting when the server
closes) for SECONDS, each with the user NAME ("prom" by default) and a password never sent before, as a
brute-force attempt does, so that no cache can answer them. Threads bind to the SOURCE addresses in turn (default
127.0.0.1). Prints one line: the number of answers by status code, and how many requests failed.
"""
import http.client
import sys
import threading
import time
import urllib.parse
from base64 import b64encode


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    url = urllib.parse.urlsplit(sys.argv[1])
    clients, seconds = int(sys.argv[2]), float(sys.argv[3])
    rest = sys.argv[4:]
    user = "prom"
    if rest and rest[0].startswith("--user="):
        user = rest.pop(0)[len("--user="):]
    sources = rest or ["127.0.0.1"]
    end = time.monotonic() + seconds
    counts, lock = {}, threading.Lock()

    def client(n):
        conn = None
        i = 0
        while time.monotonic() < end:
            i += 1
            auth = b64encode(("%s:wrong-%d-%d" % (user, n, i)).encode()).decode()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30,
                                                      source_address=(sources[n % len(sources)], 0))
                conn.request("GET", url.path or "/metrics", headers={"Authorization": "Basic " + auth})
                r = conn.getresponse()
                r.read()
                key = str(r.status)
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                key = "error"
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
            with lock:
                counts[key] = counts.get(key, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(" ".join("%s=%d" % (k, counts[k]) for k in sorted(counts)))


if __name__ == "__main__":
    main()
