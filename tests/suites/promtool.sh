#!/bin/sh
# promtool check metrics on everything nodex prints: every golden output and a live scrape with the
# default collectors. A parse error fails; lint remarks are accepted only for names nodex inherits:
# node_exporter's camelCase and unit names (its own checkmetrics.sh ignores
# node_(entropy|memory|netstat|wifi_station)_), the InfiniBand hw_counters counters named without
# _total as in node_exporter 1.12, and cAdvisor's counter container_memory_failcnt.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
INHERITED='^(node_(entropy|memory|netstat|wifi_station)_[A-Za-z0-9_]+|node_infiniband_[a-z_]+|container_memory_failcnt) '
fail=0
tmp=$(mktemp -d)
trap 'stop_nodex; rm -rf "$tmp"' EXIT
check() {
	promtool check metrics <"$1" >"$tmp/out" 2>&1
	rc=$?
	if grep -vE "$INHERITED" "$tmp/out" | grep -q . || { [ $rc -ne 0 ] && [ $rc -ne 3 ]; }; then
		echo "FAIL: $2 (promtool exit $rc)"
		grep -vE "$INHERITED" "$tmp/out" | head -20
		fail=$((fail + 1))
	else
		echo "ok: $2 ($(grep -c '^[a-z]' "$1") samples, $(wc -l <"$tmp/out") inherited lint remarks)"
	fi
}
for f in tests/golden/*/expected.txt; do
	check "$f" "golden $(basename "$(dirname "$f")")"
done
start_nodex "$tmp/log" || exit 1
curl -s "$NODEX_URL/metrics" >"$tmp/live.txt"
check "$tmp/live.txt" "this host, default collectors"
echo "$fail failed"
[ "$fail" -eq 0 ]
