#!/usr/bin/env python3
"""Stands in for the kubelet's cAdvisor endpoint (/metrics/cadvisor) in the end-to-end test, which has no
kubelet: serves, on every path, the container_* families of a nodex container collector's exposition,
fetched from NODEX_URL on each request. cAdvisor reads the same cgroups as nodex's container collector
and reports them under the same names and labels, so these series duplicate nodex's value for value, as
the kubelet's do on a real node; Prometheus gives them job="kubelet" (tests/deploy/prometheus-config.js).

usage: kubelet-cadvisor.py PORT NODEX_URL
"""
import http.server
import sys
import urllib.request

if len(sys.argv) != 3:
    sys.exit(__doc__)
PORT, URL = int(sys.argv[1]), sys.argv[2]


def body():
    with urllib.request.urlopen(URL, timeout=5) as r:
        text = r.read().decode()
    out = []
    for line in text.splitlines(keepends=True):
        parts = line.split(" ", 3)
        name = (parts[2] if len(parts) > 2 else "") if line.startswith("#") else line
        if name.startswith("container_"):
            out.append(line)
    return "".join(out).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            b = body()
        except OSError as e:
            self.send_error(503, str(e))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
