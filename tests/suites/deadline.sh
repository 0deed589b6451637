#!/bin/sh
# A collector blocked on a hung file costs a scrape at most its deadline, later scrapes skip it instead of
# waiting again, it comes back once the file answers, and --web.max-requests answers 503 while the
# allowed requests are busy. The hung file is a FUSE mount that never answers (tests/tools/hangfs), the
# same as a dead NFS server. Needs root and /dev/fuse; without them the suite says so and passes.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
HANGFS=build/tests/tools/hangfs
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ] || [ ! -x "$HANGFS" ]; then
	echo "skipped: needs root, /dev/fuse and $HANGFS"
	exit 0
fi
tmp=$(mktemp -d)
mkdir -p "$tmp/hang"
"$HANGFS" "$tmp/hang" >"$tmp/hangfs.out" 2>&1 &
hang_pid=$!
cleanup() {
	stop_nodex
	kill "$hang_pid" 2>/dev/null
	wait "$hang_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
i=0
until grep -q ready "$tmp/hangfs.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "hangfs did not mount"; cat "$tmp/hangfs.out"; exit 1; }
	sleep 0.05
done

# loadavg reads <procfs>/loadavg on the hung mount.
start_nodex "$tmp/log" --collector.disable-defaults --collector.loadavg --web.max-requests=1 \
	--path.procfs="$tmp/hang" --scrape.timeout=2s || exit 1

t0=$(date +%s.%N)
curl -s -m 20 -H 'X-Prometheus-Scrape-Timeout-Seconds: 3' -o "$tmp/s1" -w '%{http_code}' "$NODEX_URL/metrics" >"$tmp/c1" &
c1=$!
sleep 0.5
code=$(curl -s -m 20 -o "$tmp/s503" -w '%{http_code}' "$NODEX_URL/metrics")
if [ "$code" = 503 ] && grep -q 'Limit of concurrent requests reached (1), try again later.' "$tmp/s503"; then
	ok "second request over --web.max-requests=1 gets 503"
else
	bad "expected 503, got $code"
fi
wait "$c1"
t1=$(date +%s.%N)
elapsed=$(awk "BEGIN{print $t1 - $t0}")
echo "first scrape took ${elapsed}s with a 3s scrape timeout (deadline 2.5s)"
if [ "$(cat "$tmp/c1")" = 200 ] && awk "BEGIN{exit !($elapsed < 3.5)}"; then
	ok "scrape with a hung collector answered within its deadline"
else
	bad "scrape took ${elapsed}s or failed ($(cat "$tmp/c1"))"
fi
grep -q 'node_scrape_collector_success{collector="loadavg"} 0' "$tmp/s1" && ok "hung collector reported as failed" || bad "no success 0 for loadavg"

t0=$(date +%s.%N)
curl -s -m 20 -o "$tmp/s2" "$NODEX_URL/metrics"
t1=$(date +%s.%N)
elapsed=$(awk "BEGIN{print $t1 - $t0}")
if awk "BEGIN{exit !($elapsed < 1)}" && grep -q 'node_scrape_collector_success{collector="loadavg"} 0' "$tmp/s2"; then
	ok "next scrape skips the stuck collector at once (${elapsed}s)"
else
	bad "next scrape took ${elapsed}s"
fi
grep -q 'an earlier run is still blocked' "$tmp/log" && ok "log says why" || bad "no log line for the skipped collector"

# The file answers again (the FUSE connection is torn down, the blocked read returns): the collector is
# run again on the next scrape.
kill "$hang_pid"
wait "$hang_pid" 2>/dev/null
sleep 0.3
mkdir -p "$tmp/hang"
printf '1.5 1 0.5 1/1 1\n' >"$tmp/hang/loadavg"
curl -s -m 20 -o "$tmp/s3" "$NODEX_URL/metrics"
if grep -q '^node_load1 1.5$' "$tmp/s3" && grep -q 'node_scrape_collector_success{collector="loadavg"} 1' "$tmp/s3"; then
	ok "collector recovers once the file answers"
else
	bad "collector did not recover"
	cat "$tmp/s3"
fi
echo "$fail failed"
[ "$fail" -eq 0 ]
