#!/usr/bin/env python3
"""Network clients for tests/reliability/run.sh: hold many idle or slow (slowloris) connections, and send
malformed HTTP requests. Plain sockets, so every byte on the wire is the test's choice.

  netprobe.py hold PORT COUNT idle|slow SECONDS [INTERVAL]
      Opens COUNT connections to 127.0.0.1:PORT and holds them for SECONDS. "idle" sends nothing; "slow"
      sends one byte of a request line and headers that never end every INTERVAL seconds (default 1).
      Prints "ready opened=N refused=N" once all are open, then at the end one line of figures:
      "done opened=N refused=N closed=N first_close=S median_close=S last_close=S" (closed: connections
      the server closed; times in seconds after their opening, "-" when none).
  netprobe.py malformed PORT CONNECTION_TIMEOUT
      Sends each malformed request on its own connection and prints one tab-separated line per case:
      name, expected, got, seconds, ok|FAIL. Exits 1 when a case got an answer it should not have.
"""
import os
import resource
import select
import socket
import statistics
import sys
import time


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def hold(port, count, mode, seconds, interval):
    raise_nofile(count + 64)
    socks, refused = [], 0
    opened_at = {}
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            refused += 1
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
        opened_at[s.fileno()] = time.monotonic()
    print(f"ready opened={len(socks)} refused={refused}", flush=True)
    ep = select.epoll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        ep.register(fd, select.EPOLLIN | select.EPOLLRDHUP)
    # A request that never ends: the line, then one header whose value grows forever.
    script = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "
    closed = {}
    start = time.monotonic()
    next_send = start + interval
    step = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        timeout = min(start + seconds, next_send if mode == "slow" else start + seconds) - now
        for fd, _ in ep.poll(max(timeout, 0)):
            s = by_fd[fd]
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                closed[fd] = time.monotonic() - opened_at[fd]
                ep.unregister(fd)
        if mode == "slow" and time.monotonic() >= next_send:
            byte = script[step:step + 1] if step < len(script) else b"a"
            for fd, s in by_fd.items():
                if fd not in closed:
                    try:
                        s.send(byte)
                    except OSError:
                        pass
            step += 1
            next_send += interval
    times = sorted(closed.values())
    fmt = lambda v: f"{v:.2f}" if v is not None else "-"
    print(f"done opened={len(socks)} refused={refused} closed={len(times)} "
          f"first_close={fmt(times[0] if times else None)} "
          f"median_close={fmt(statistics.median(times) if times else None)} "
          f"last_close={fmt(times[-1] if times else None)}", flush=True)
    for s in socks:
        s.close()


def exchange(port, data, half_close=False, timeout=10.0):
    """Sends data and reads until the server closes or timeout. Returns (statuses, how, seconds)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    t0 = time.monotonic()
    buf, how = b"", "eof"
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            # The server stopped reading (it answered early, or closed). What it sent before is still in
            # the socket: read it, as a client that gets EPIPE on a large body does.
            how = "reset"
        while True:
            try:
                d = s.recv(65536)
            except socket.timeout:
                how = "timeout"
                break
            except (ConnectionResetError, BrokenPipeError):
                how = "reset"
                break
            if not d:
                break
            buf += d
    finally:
        s.close()
    return parse_responses(buf), how, time.monotonic() - t0


def parse_responses(buf):
    """The status codes of the HTTP/1.x responses in buf, in order (bodies skipped by Content-Length)."""
    statuses, pos = [], 0
    while buf.startswith(b"HTTP/1.", pos):
        end = buf.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        head = buf[pos:end].split(b"\r\n")
        if len(head[0]) < 12 or not head[0][9:12].isdigit():
            break
        statuses.append(int(head[0][9:12]))
        length = 0
        for h in head[1:]:
            k, _, v = h.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip() or b"0")
        pos = end + 4 + length
    return statuses


def req(target, headers=b"", version=b"HTTP/1.1", body=b""):
    return b"GET " + target + b" " + version + b"\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n" + body


def malformed(port, conn_timeout):
    big = conn_timeout + 2
    # name, bytes, expected: "4xx" (first answer 400-499), "505" (HTTP Version Not Supported), "close" (no
    # answer; the server closes within the connection timeout) or several of them ("4xx|close"), or a list of
    # statuses for valid requests that must work.
    cases = [
        ("header over --web.max-request-bytes", req(b"/metrics", b"X-Big: " + b"a" * 100000 + b"\r\n"), "4xx"),
        ("5,000 header lines", req(b"/metrics", b"".join(b"X-%d: v\r\n" % i for i in range(5000))), "4xx"),
        ("70 kB request line", req(b"/metrics?" + b"a" * 70000), "4xx"),
        ("invalid percent-encoding", req(b"/metrics?collect[]=%zz%4"), "4xx"),
        ("percent-encoded NUL", req(b"/metrics?collect[]=load%00avg"), "4xx"),
        ("empty collect[] value", req(b"/metrics?collect[]="), "4xx"),
        ("collect[] without =", req(b"/metrics?collect[]"), "4xx"),
        ("invalid UTF-8 in collect[]", req(b"/metrics?collect[]=%ff%fe"), "4xx"),
        ("collect[] and exclude[]", req(b"/metrics?collect[]=loadavg&exclude[]=loadavg"), "4xx"),
        ("1,500 collect[] values", req(b"/metrics?" + b"&".join([b"collect[]=loadavg"] * 1500)), "4xx"),
        ("3,000 empty arguments", req(b"/metrics?" + b"&" * 3000), "4xx"),
        ("300 collect[] with 300 headers",
         req(b"/metrics?" + b"&".join([b"collect[]=x"] * 300), b"".join(b"X-%d: v\r\n" % i for i in range(300))),
         "4xx"),
        ("Accept-Encoding garbage", req(b"/metrics", b"Accept-Encoding: gzip;q=abc, ;;;,,\x01\x7f, " + b"x" * 500 + b"\r\n"), [200]),
        ("Accept-Encoding q=nan", req(b"/metrics", b"Accept-Encoding: gzip;q=nan\r\n"), [200]),
        ("Accept-Encoding q=1e999", req(b"/metrics", b"Accept-Encoding: gzip;q=1e999, *;q=-1\r\n"), [200]),
        ("Accept-Encoding 8 kB token", req(b"/metrics", b"Accept-Encoding: " + b"g" * 8000 + b"\r\n"), [200]),
        ("Accept binary garbage", req(b"/metrics", b"Accept: \xff\xfe;;q=;version=\r\n"), [200]),
        ("scrape timeout header nan", req(b"/metrics", b"X-Prometheus-Scrape-Timeout-Seconds: nan\r\n"), [200]),
        ("scrape timeout header -5", req(b"/metrics", b"X-Prometheus-Scrape-Timeout-Seconds: -5\r\n"), [200]),
        ("scrape timeout header 1e400", req(b"/metrics", b"X-Prometheus-Scrape-Timeout-Seconds: 1e400\r\n"), [200]),
        ("HTTP/0.9 request", b"GET /metrics\r\n", "4xx|close"),
        ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n", "4xx|close"),
        ("binary NUL request line", b"\x00\x01\x02 \xff\xfe garbage\r\n\r\n", "4xx|close"),
        ("blank lines only", b"\r\n" * 50, "close"),
        ("unknown HTTP version", b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n", "4xx|505|close"),
        ("8 kB method", b"G" * 8000 + b" /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "4xx|close"),
        ("header without colon", req(b"/metrics", b"bogus header line\r\n"), "4xx"),
        ("space before colon", req(b"/metrics", b"X-A : b\r\n"), [200]),
        ("request line only, never finished", b"GET /metrics HTTP/1.1\r\nHost: x\r\n", "close"),
        ("unknown method", b"BREW /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "4xx"),
        ("body on GET", req(b"/metrics", b"Content-Length: 11\r\n", body=b"hello world"), [200]),
        ("100 MB POST body declared", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + b"a" * 1000000, "4xx"),
        ("huge Content-Length", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", "4xx|close"),
        ("negative Content-Length", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "4xx"),
        ("two Content-Length values", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg", "4xx"),
        ("Content-Length and chunked", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "4xx"),
        ("bad chunk size", b"POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", "4xx|close"),
        ("1 MB chunked body", b"POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(b"2000\r\n" + b"a" * 8192 + b"\r\n" for _ in range(128)) + b"0\r\n\r\n", "4xx|close"),
        ("Expect: 100-continue, 1 GB", b"POST /metrics HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000000\r\n\r\n", "4xx"),
        ("3 pipelined requests", b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", [200, 200, 404]),
        ("100 pipelined requests", b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * 99 + req(b"/metrics"), [200] * 100),
        ("bare LF line ends", b"GET /metrics HTTP/1.1\nHost: x\nConnection: close\n\n", [200]),
        ("absolute URI", req(b"http://x/metrics"), "4xx"),
        ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "4xx"),
        ("path traversal", req(b"/../../etc/passwd"), "4xx"),
    ]
    fails = 0
    for name, data, expect in cases:
        statuses, how, secs = exchange(port, data, timeout=big + 3)
        got = ",".join(map(str, statuses)) if statuses else how
        if isinstance(expect, list):
            ok = statuses == expect
            exp = ",".join(map(str, expect))
            if len(expect) > 3 and len(set(expect)) == 1:
                exp = f"{len(expect)} x {expect[0]}"
                got = f"{len(statuses)} x {statuses[0]}" if statuses and len(set(statuses)) == 1 else got
        else:
            exp = expect
            first = statuses[0] if statuses else None
            is4xx = first is not None and 400 <= first < 500
            closed = not statuses and how in ("eof", "reset") and secs <= big
            ok = (is4xx and "4xx" in expect) or (closed and "close" in expect) or \
                (first is not None and str(first) in expect.split("|"))
            if closed:
                got = f"closed ({how})"
        fails += not ok
        print(f"{name}\t{exp}\t{got}\t{secs:.2f}\t{'ok' if ok else 'FAIL'}", flush=True)
    # A request and then the end of the client's side: the answer still comes.
    statuses, how, secs = exchange(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", half_close=True, timeout=big)
    ok = statuses == [200]
    fails += not ok
    print(f"request, then half-close\t200\t{','.join(map(str, statuses)) or how}\t{secs:.2f}\t{'ok' if ok else 'FAIL'}")
    # Half-close before the request is complete: nothing to answer, the server closes.
    statuses, how, secs = exchange(port, b"GET /metrics HTTP/1.1\r\nHo", half_close=True, timeout=big + 3)
    ok = not statuses and how in ("eof", "reset") and secs <= big
    fails += not ok
    print(f"half-close mid-request\tclose\t{'closed (' + how + ')' if not statuses else ','.join(map(str, statuses))}\t{secs:.2f}\t{'ok' if ok else 'FAIL'}")
    return 1 if fails else 0


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "hold":
        hold(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]),
             float(sys.argv[6]) if len(sys.argv) > 6 else 1.0)
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "malformed":
        return malformed(int(sys.argv[2]), float(sys.argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
