#!/usr/bin/env python3
"""Serves a file as a Prometheus text exposition on every path, re-read on each request, so a test
can change it between scrapes. Stands in for exporters the end-to-end test has no binary for.

usage: static-exporter.py PORT FILE
"""
import http.server
import sys

PORT, FILE = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(FILE, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
