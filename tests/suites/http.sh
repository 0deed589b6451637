#!/bin/sh
# HTTP behaviour of the real binary, as node_exporter's: content type, gzip, collect[]/exclude[] and their
# 400 answers, 404, the landing page, HEAD, --web.telemetry-path, IPv6 and several listen addresses,
# --web.disable-exporter-metrics, --web.max-requests, unknown flags.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

tmp=$(mktemp -d)
trap 'stop_nodex; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"
printf 'MemTotal: 1000 kB\nMemFree: 500 kB\n' >"$tmp/proc/meminfo"
base="--collector.disable-defaults --collector.loadavg --collector.meminfo --path.procfs=$tmp/proc"

start_nodex "$tmp/log" $base || exit 1
curl -s -D "$tmp/h" -o "$tmp/body" "$NODEX_URL/metrics"
check "200 on /metrics" "head -1 '$tmp/h' | grep -q ' 200 '"
check "content type is text 0.0.4" "grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' '$tmp/h'"
check "body has node_load1" "grep -qx 'node_load1 0.5' '$tmp/body'"
check "collector success series" "grep -qx 'node_scrape_collector_success{collector=\"loadavg\"} 1' '$tmp/body'"
check "build info" "grep -q '^node_exporter_build_info{branch=' '$tmp/body'"
check "process metrics" "grep -q '^process_resident_memory_bytes ' '$tmp/body'"
check "promhttp in flight is 1" "grep -qx 'promhttp_metric_handler_requests_in_flight 1' '$tmp/body'"
# promtool's only complaints may be the camelCase lint on families node_exporter names that way too
# (its own checkmetrics.sh ignores node_(entropy|memory|netstat|wifi_station)_).
promtool check metrics <"$tmp/body" >"$tmp/promtool" 2>&1
check "promtool accepts the output" "! grep -vE '^node_(entropy|memory|netstat|wifi_station)_' '$tmp/promtool' | grep -q ."
curl -s "$NODEX_URL/metrics" >/dev/null
check "requests_total counts earlier scrapes" "curl -s '$NODEX_URL/metrics' | grep -qx 'promhttp_metric_handler_requests_total{code=\"200\"} 2'"

curl -s -D "$tmp/hg" -H 'Accept-Encoding: gzip' -o "$tmp/gz" "$NODEX_URL/metrics"
check "gzip when accepted" "grep -qi '^Content-Encoding: gzip' '$tmp/hg' && gzip -dc '$tmp/gz' | grep -qx 'node_load1 0.5'"
curl -s -D "$tmp/hq" -H 'Accept-Encoding: gzip;q=0, identity' -o /dev/null "$NODEX_URL/metrics"
check "no gzip when q=0" "! grep -qi '^Content-Encoding' '$tmp/hq'"
curl -s -D "$tmp/hs" -H 'Accept-Encoding: *' -o /dev/null "$NODEX_URL/metrics"
check "gzip for *" "grep -qi '^Content-Encoding: gzip' '$tmp/hs'"

code=$(curl -s -o "$tmp/b1" -w '%{http_code}' "$NODEX_URL/metrics?collect[]=loadavg")
check "collect[] selects" "[ $code = 200 ] && grep -q '^node_load1 ' '$tmp/b1' && ! grep -q '^node_memory' '$tmp/b1'"
code=$(curl -s -o "$tmp/b2" -w '%{http_code}' "$NODEX_URL/metrics?exclude[]=loadavg")
check "exclude[] removes" "[ $code = 200 ] && ! grep -q '^node_load1 ' '$tmp/b2' && grep -q '^node_memory_MemFree_bytes' '$tmp/b2'"
code=$(curl -s -o "$tmp/b3" -w '%{http_code}' "$NODEX_URL/metrics?collect[]=loadavg&exclude[]=meminfo")
check "collect[] with exclude[] is 400" "[ $code = 400 ] && grep -qx 'Combined collect and exclude queries are not allowed.' '$tmp/b3'"
code=$(curl -s -o "$tmp/b4" -w '%{http_code}' "$NODEX_URL/metrics?collect[]=nosuch")
check "unknown collector is 400" "[ $code = 400 ] && grep -qx \"Couldn't create filtered metrics handler: missing collector: nosuch\" '$tmp/b4'"
code=$(curl -s -o "$tmp/b6" -w '%{http_code}' "$NODEX_URL/metrics?exclude[]=loadavg&exclude[]=meminfo")
check "excluding everything is 400" "[ $code = 400 ]"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NODEX_URL/metrics?exclude[]=nosuch")
check "unknown name in exclude[] is ignored" "[ $code = 200 ]"
code=$(curl -s -o "$tmp/b7" -w '%{http_code}' "$NODEX_URL/nope")
check "404 elsewhere" "[ $code = 404 ] && grep -qx '404 page not found' '$tmp/b7'"
code=$(curl -s -o "$tmp/b8" -w '%{http_code}' "$NODEX_URL/")
check "landing page lists collectors" "[ $code = 200 ] && grep -q '<td>loadavg</td><td>success</td>' '$tmp/b8' && grep -q 'href=\"/metrics\"' '$tmp/b8'"
code=$(curl -s -I -o "$tmp/hh" -w '%{http_code}' "$NODEX_URL/metrics")
check "HEAD answers 200" "[ $code = 200 ]"
stop_nodex

# Other telemetry path, exporter metrics off, IPv6 and two listeners.
port1=$(free_port)
port2=$(free_port)
"$NODEX" $base --no-collector.meminfo --web.telemetry-path=/m --web.disable-exporter-metrics \
	--web.listen-address="127.0.0.1:$port1" --web.listen-address="[::1]:$port2" >"$tmp/log2" 2>&1 &
NODEX_PID=$!
wait_http "http://127.0.0.1:$port1/" || bad "second instance did not start"
check "telemetry path moves" "curl -s 'http://127.0.0.1:$port1/m' | grep -q '^node_load1 '"
check "old path is 404" "[ \$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$port1/metrics') = 404 ]"
check "IPv6 listener" "curl -s -g 'http://[::1]:$port2/m' | grep -q '^node_load1 ' || ! ip -6 addr show lo | grep -q '::1'"
check "exporter metrics off" "! curl -s 'http://127.0.0.1:$port1/m' | grep -qE '^(process_|promhttp_)'"
code=$(curl -s -o "$tmp/b5" -w '%{http_code}' "http://127.0.0.1:$port1/m?collect[]=meminfo")
check "disabled collector is 400" "[ $code = 400 ] && grep -qx \"Couldn't create filtered metrics handler: disabled collector: meminfo\" '$tmp/b5'"
check "build info stays" "curl -s 'http://127.0.0.1:$port1/m' | grep -q '^node_exporter_build_info'"
stop_nodex

# Stopping under load: requests in flight are answered (or refused) and nodex exits 0, also when a
# request is still waiting for a scrape (libmicrohttpd, nodex's server before its own, aborted then).
clean=0
for delay in 0.1 0.3 0.5 0.7 0.9; do
	port=$(free_port)
	"$NODEX" $base --web.listen-address="127.0.0.1:$port" >"$tmp/log3" 2>&1 &
	pid=$!
	wait_http "http://127.0.0.1:$port/" || true
	for c in 1 2 3 4 5 6 7 8; do
		(while curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; do :; done) &
	done
	sleep "$delay"
	kill "$pid"
	wait "$pid"
	rc=$?
	pkill -P $$ curl 2>/dev/null
	wait 2>/dev/null
	if [ "$rc" -eq 0 ] && ! grep -q 'Fatal error' "$tmp/log3"; then clean=$((clean + 1)); else cat "$tmp/log3" | tail -3; fi
done
check "SIGTERM under load exits cleanly (5 of 5)" "[ $clean -eq 5 ]"

# Flags.
"$NODEX" --no-such-flag >"$tmp/o" 2>&1
check "unknown flag exits 2" "[ $? -eq 2 ] && grep -q 'unknown long flag' '$tmp/o'"
"$NODEX" --help >"$tmp/help" 2>&1
check "--help lists flags with defaults" "grep -q -- '--web.listen-address=\":9100\"' '$tmp/help' && grep -q -- '--\[no-\]collector.loadavg' '$tmp/help'"
check "--version" "\"$NODEX\" --version | grep -q '^nodex, version'"
"$NODEX" --web.listen-address=bogus >"$tmp/o" 2>&1
check "bad listen address fails" "[ $? -ne 0 ]"

echo "$fail failed"
[ "$fail" -eq 0 ]
