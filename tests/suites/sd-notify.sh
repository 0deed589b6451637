#!/bin/sh
# systemd integration with real peers: READY=1, STATUS= and WATCHDOG=1 arrive on $NOTIFY_SOCKET, STOPPING=1
# on SIGTERM, and socket activation (systemd-socket-activate passes the listening socket) serves.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"
port=$(free_port)

# A notify socket that records every datagram, one per line.
python3 - "$tmp/notify" "$tmp/messages" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            msg = s.recv(4096).decode()
            out.write(msg.replace("\n", "|") + "\n")
            out.flush()
            if "STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
PY
listener=$!
i=0
while [ ! -S "$tmp/notify" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
NOTIFY_SOCKET="$tmp/notify" WATCHDOG_USEC=200000 ./nodex --collector.disable-defaults --collector.loadavg \
	--path.procfs="$tmp/proc" --web.listen-address="127.0.0.1:$port" >"$tmp/log" 2>&1 &
pid=$!
wait_http "http://127.0.0.1:$port/" || bad "nodex did not start"
sleep 0.6
kill "$pid"
wait "$pid" 2>/dev/null
wait "$listener" 2>/dev/null
cat "$tmp/messages"
grep -q 'READY=1' "$tmp/messages" && ok "READY=1 on NOTIFY_SOCKET" || bad "no READY=1"
grep -q 'STATUS=Serving metrics' "$tmp/messages" && ok "STATUS=" || bad "no STATUS="
[ "$(grep -c 'WATCHDOG=1' "$tmp/messages")" -ge 2 ] && ok "WATCHDOG=1 at half the interval" || bad "no WATCHDOG=1"
grep -q 'STOPPING=1' "$tmp/messages" && ok "STOPPING=1 on SIGTERM" || bad "no STOPPING=1"

# Socket activation: systemd-socket-activate listens and passes the socket as fd 3 with LISTEN_FDS.
port=$(free_port)
systemd-socket-activate -l "127.0.0.1:$port" ./nodex --web.systemd-socket --collector.disable-defaults \
	--collector.loadavg --path.procfs="$tmp/proc" >"$tmp/log2" 2>&1 &
pid=$!
sleep 0.3
if curl -s -m 5 "http://127.0.0.1:$port/metrics" | grep -qx 'node_load1 0.5'; then
	ok "socket activation serves"
else
	cat "$tmp/log2"
	bad "socket activation"
fi
kill "$pid" 2>/dev/null
pkill -f -- "--web.systemd-socket --collector.disable-defaults --collector.loadavg --path.procfs=$tmp" 2>/dev/null
echo "$fail failed"
[ "$fail" -eq 0 ]
