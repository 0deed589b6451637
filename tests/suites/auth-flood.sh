#!/bin/sh
# What wrong credentials cost, with basic_auth_users (one cost-10 bcrypt hash):
#  1. 16 clients send wrong passwords, each one new (no cache can answer them), for 15 s from the
#     scraper's own address, while an authenticated scraper asks every 0.5 s with a 5 s timeout, starting
#     once the flood is under way (so its first password check waits in the flood's queue): every scrape
#     must succeed, each within 5 s;
#  2. what a request for an unknown user costs when the file has a cost-12 hash: a cost-10 bcrypt, not
#     one as costly as the most expensive configured hash;
#  3. 96 clients from 8 other addresses, more than the queue holds, for 8 s: the same, the scraper's first
#     check being served before the flood's backlog;
#  4. node_exporter 1.5.0 under flood 1, for comparison (figures only).
# Figures: the scrapes' times, what the flood got (401, 503), nodex's CPU time during the flood.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

PY=/usr/bin/python3
NE=/usr/bin/prometheus-node-exporter
tmp=$(mktemp -d)
trap 'stop_pids; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"
args="--collector.disable-defaults --collector.loadavg --path.procfs=$tmp/proc"
# bcrypt (libxcrypt, cost 10) of "secret".
printf 'basic_auth_users:\n  prom: $2b$10$4dH7VQUDu8yONJWtYh9bg.iPA4RdIZ.KILUg5N9G/0Jfq.75hv1FC\n' >"$tmp/web.yml"

# scraper URL SECONDS OUT: a scrape every 0.5 s with the right password, whatever the answers take; one
# "code seconds" line per scrape once all have ended.
scraper() {
	n=$(($2 * 2))
	i=0
	while [ $i -lt $n ]; do
		curl -s -o /dev/null --max-time 5 -u prom:secret -H 'X-Prometheus-Scrape-Timeout-Seconds: 5' \
			-w '%{http_code} %{time_total}\n' "$1/metrics" >"$3.$i" &
		sleep 0.5
		i=$((i + 1))
	done
	wait_scrapes
	cat "$3".* >"$3"
}
# Waits for the scrapes in flight (the curl processes started by scraper, at most 5 s each).
wait_scrapes() { sleep 5.2; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
summary() { # OUT: count, failures (not 200), slowest
	awk '{ n++; if ($1 != 200) f++; if ($2 > m) m = $2 } END { printf "%d scrapes, %d failed, slowest %.2f s", n, f, m }' "$1"
}

# ---- 1. 16 clients from the scraper's own address, 15 s ----
start_nodex "$tmp/nodex.log" --web.config.file="$tmp/web.yml" $args || exit 1
PIDS="$PIDS $NODEX_PID"
t0=$(cpu_ticks "$NODEX_PID")
$PY tests/tools/authflood.py "$NODEX_URL/metrics" 16 16 >"$tmp/flood1" &
flood=$!
sleep 1 # the flood is under way when the scraper's first password check arrives
scraper "$NODEX_URL" 15 "$tmp/scrapes1"
wait $flood
t1=$(cpu_ticks "$NODEX_PID")
hz=$(getconf CLK_TCK)
echo "FIGURE: flood of 16 clients, new wrong password each, 16 s: $(cat "$tmp/flood1")"
echo "FIGURE: nodex CPU during it: $(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / $hz / 16 }") CPUs ($(nproc) here; bcrypt workers: one per two CPUs)"
echo "FIGURE: the scraper meanwhile: $(summary "$tmp/scrapes1")"
check "every scrape during the flood answered 200" "[ -s '$tmp/scrapes1' ] && ! grep -qv '^200 ' '$tmp/scrapes1'"
check "every scrape within 5 s" "awk '\$2 >= 5 { exit 1 }' '$tmp/scrapes1'"
check "30 scrapes in 15 s" "[ \$(wc -l <'$tmp/scrapes1') -eq 30 ]"
check "the flood got 401s" "grep -q '401=[0-9]' '$tmp/flood1'"
stop_nodex

# ---- 2. what an unknown user costs against a file with a cost-12 hash ----
# bcrypt (libxcrypt, cost 12) of "secret". CPU time, not wall time, so the machine's load does not matter.
printf 'basic_auth_users:\n  prom: $2b$12$8ePXHk1DdU1AZQGV8RtWgekjZGdGNKsi9PvW9YpI/vdhxAc.Q.qju\n' >"$tmp/web12.yml"
start_nodex "$tmp/nodex12.log" --web.config.file="$tmp/web12.yml" $args || exit 1
PIDS="$PIDS $NODEX_PID"
cpu_of() { # USER: CPU milliseconds per request, 8 requests with new wrong passwords
	_t0=$(cpu_ticks "$NODEX_PID")
	for _i in 1 2 3 4 5 6 7 8; do
		curl -s -o /dev/null -u "$1:wrong$_i" "$NODEX_URL/metrics"
	done
	awk "BEGIN { printf \"%.0f\", ($(cpu_ticks "$NODEX_PID") - $_t0) * 1000 / $hz / 8 }"
}
known=$(cpu_of prom)
unknown=$(cpu_of mallory)
echo "FIGURE: CPU per wrong password, one cost-12 hash in the file: known user ${known} ms, unknown user ${unknown} ms"
check "an unknown user costs a cost-10 check, not the file's cost-12 one (a quarter as much)" \
	"[ $unknown -gt 0 ] && [ \$((unknown * 2)) -lt $known ]"
stop_nodex

# ---- 3. 96 clients from 8 other addresses, 8 s ----
sources=""
for i in 2 3 4 5 6 7 8 9; do sources="$sources 127.0.0.$i"; done
start_nodex "$tmp/nodex2.log" --web.config.file="$tmp/web.yml" $args || exit 1
PIDS="$PIDS $NODEX_PID"
$PY tests/tools/authflood.py "$NODEX_URL/metrics" 96 8 $sources >"$tmp/flood2" &
flood=$!
sleep 1 # let the queue fill
scraper "$NODEX_URL" 7 "$tmp/scrapes2"
wait $flood
echo "FIGURE: flood of 96 clients from 8 addresses, 8 s: $(cat "$tmp/flood2")"
echo "FIGURE: the scraper meanwhile (from 127.0.0.1): $(summary "$tmp/scrapes2")"
check "a full queue: the flood got 503s" "grep -q '503=[0-9]' '$tmp/flood2'"
check "every scrape answered 200, each within 5 s" \
	"[ -s '$tmp/scrapes2' ] && ! grep -qv '^200 ' '$tmp/scrapes2' && awk '\$2 >= 5 { exit 1 }' '$tmp/scrapes2'"
check "no sanitizer report in the nodex logs" "! grep -q 'Sanitizer\|runtime error' '$tmp'/nodex*.log"
stop_nodex

# ---- 4. node_exporter 1.5.0 under flood 1 (figures only) ----
port=$(free_port)
$NE --web.listen-address="127.0.0.1:$port" --web.config.file="$tmp/web.yml" $args >"$tmp/ne.log" 2>&1 &
nepid=$!
PIDS="$PIDS $nepid"
if wait_http "http://127.0.0.1:$port/"; then
	t0=$(cpu_ticks $nepid)
	$PY tests/tools/authflood.py "http://127.0.0.1:$port/metrics" 16 16 >"$tmp/flood3" &
	flood=$!
	sleep 1
	scraper "http://127.0.0.1:$port" 15 "$tmp/scrapes3"
	wait $flood
	t1=$(cpu_ticks $nepid)
	echo "FIGURE: node_exporter 1.5.0, same flood: $(cat "$tmp/flood3"); CPU $(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / $hz / 16 }") CPUs"
	echo "FIGURE: node_exporter 1.5.0, the scraper meanwhile: $(summary "$tmp/scrapes3")"
fi

echo "$fail failed"
[ "$fail" -eq 0 ]
