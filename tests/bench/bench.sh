#!/bin/sh
# make bench: nodex and node_exporter (Debian's prometheus-node-exporter) side by side on this host, in
# one run, with the same collector set. For each: CPU per scrape, peak RSS, p50/p99 scrape latency, and
# scrapes/s with 1 and 4 concurrent clients, plus the ratio nodex/node_exporter. The floor is the cost of
# reading the same kernel files nodex reads, with no parsing (open/read/close, and pread on kept fds).
# Clients send Accept-Encoding: gzip, as Prometheus does. DURATION (seconds per load step) defaults to 10.
# Peak RSS is reported twice: the highest VmRSS sampled while serving, and the kernel's VmHWM, which also
# holds the start-up peak.
set -eu
cd "$(dirname "$0")/../.."
. tests/lib.sh
DURATION=${DURATION:-10}
NE=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
for t in wrk strace "$NE"; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench needs $t (make test-deps installs it)"; exit 1; }
done
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
cc -O2 -o "$tmp/floor" tests/bench/floor.c

# start NAME BINARY ARGS...: prints the port; the pid goes to $tmp/NAME.pid
start() {
	name=$1
	bin=$2
	shift 2
	port=$(free_port)
	"$bin" --web.listen-address="127.0.0.1:$port" "$@" >"$tmp/$name.log" 2>&1 &
	echo $! >"$tmp/$name.pid"
	pids="$pids $!"
	wait_http "http://127.0.0.1:$port/" 200 || { echo "$name did not start" >&2; cat "$tmp/$name.log" >&2; exit 1; }
	echo "$port"
}
stop() { kill "$(cat "$tmp/$1.pid")" 2>/dev/null || true; wait "$(cat "$tmp/$1.pid")" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
enabled() { curl -s "http://127.0.0.1:$1/metrics" | sed -n 's/^node_scrape_collector_success{collector="\([^"]*\)"}.*/\1/p' | sort; }

# The collector set both run: node_exporter's defaults that nodex also has.
p=$(start ne_probe "$NE")
enabled "$p" >"$tmp/ne.set"
stop ne_probe
p=$(start nx_probe ./nodex)
enabled "$p" >"$tmp/nx.set"
stop nx_probe
common=$(comm -12 "$tmp/ne.set" "$tmp/nx.set" | tr '\n' ' ')
set -- --collector.disable-defaults
for c in $common; do set -- "$@" "--collector.$c"; done
COMMON_ARGS="$*"

tick=$(getconf CLK_TCK)
# measure NAME PORT: runs the load steps, prints one table row.
measure() {
	name=$1
	port=$2
	pid=$(cat "$tmp/$name.pid")
	url="http://127.0.0.1:$port/metrics"
	for i in 1 2 3 4 5; do curl -s -H 'Accept-Encoding: gzip' -o /dev/null "$url"; done
	lines=$(curl -s "$url" | grep -vc '^#')
	# The serving peak: VmRSS sampled every 100 ms while the load runs.
	( peak=0; while kill -0 "$pid" 2>/dev/null && [ ! -f "$tmp/$name.stop" ]; do
		r=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$tmp/$name.peak"
		sleep 0.1
	done ) &
	sampler=$!
	c0=$(cpu_ticks "$pid")
	wrk -t1 -c1 -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' "$url" >"$tmp/$name.w1"
	c1=$(cpu_ticks "$pid")
	wrk -t2 -c4 -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' "$url" >"$tmp/$name.w4"
	touch "$tmp/$name.stop"
	wait "$sampler" 2>/dev/null || true
	req1=$(awk '/requests in/ {print $1}' "$tmp/$name.w1")
	rps1=$(awk '/Requests\/sec/ {print $2}' "$tmp/$name.w1")
	rps4=$(awk '/Requests\/sec/ {print $2}' "$tmp/$name.w4")
	# wrk prints latencies with units (us, ms, s): convert to ms.
	lat() { awk -v q="$2" '$1 == q { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		m = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v; printf "%.2f", m }' "$1"; }
	p50=$(lat "$tmp/$name.w1" "50%")
	p99=$(lat "$tmp/$name.w1" "99%")
	rss=$(awk '{printf "%.1f", $1 / 1024}' "$tmp/$name.peak")
	hwm=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
	cpu=$(awk -v d="$((c1 - c0))" -v n="$req1" -v t="$tick" 'BEGIN { printf "%.3f", d / t * 1000 / n }')
	echo "$name $cpu $rss $hwm $p50 $p99 $rps1 $rps4 $lines" >>"$tmp/rows"
}

run_pair() {
	label=$1
	shift
	: >"$tmp/rows"
	pn=$(start node_exporter "$NE" $NE_ARGS)
	measure node_exporter "$pn"
	stop node_exporter
	px=$(start nodex ./nodex $NX_ARGS)
	measure nodex "$px"
	stop nodex
	echo
	echo "### $label"
	echo
	echo "| exporter | CPU per scrape (ms) | peak RSS serving (MB) | peak RSS incl. start-up (MB) | p50 latency (ms) | p99 latency (ms) | scrapes/s, 1 client | scrapes/s, 4 clients | samples |"
	echo "|---|---|---|---|---|---|---|---|---|"
	awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$tmp/rows"
	awk 'NR == 1 { for (i = 2; i <= 8; i++) ne[i] = $i } NR == 2 {
		printf "| **ratio nodex/node_exporter** | **%.2f** | **%.2f** | %.2f | %.2f | %.2f | %.2f | %.2f | |\n",
		$2 / ne[2], $3 / ne[3], $4 / ne[4], $5 / ne[5], $6 / ne[6], $7 / ne[7], $8 / ne[8] }' "$tmp/rows"
}

echo "## nodex vs node_exporter $("$NE" --version 2>&1 | head -1 | awk '{print $3}'), $(nproc) CPUs, ${DURATION}s per load step"
echo
echo "Same collectors: $common"
NE_ARGS=$COMMON_ARGS NX_ARGS=$COMMON_ARGS run_pair "Same collector set"
NE_ARGS="" NX_ARGS="" run_pair "Each with its own default set (nodex: $(wc -l <"$tmp/nx.set") collectors, node_exporter: $(wc -l <"$tmp/ne.set"))"

# The floor: the files nodex opens during its first scrape, read with no parsing.
port=$(free_port)
strace -f -qq -e trace=openat -e status=successful -o "$tmp/strace" ./nodex $COMMON_ARGS \
	--web.listen-address="127.0.0.1:$port" >"$tmp/strace.log" 2>&1 &
spid=$!
pids="$pids $spid"
wait_http "http://127.0.0.1:$port/" 200
curl -s -o /dev/null "http://127.0.0.1:$port/metrics"
# Stop the traced nodex itself; strace exits with it.
pkill -P "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
sed -n 's/.*openat([^"]*"\(\/\(proc\|sys\)\/[^"]*\)".*/\1/p' "$tmp/strace" | grep -v '^/proc/self/' | sort -u >"$tmp/files"
"$tmp/floor" "$tmp/files" 2000 >"$tmp/floor.out"
echo
echo "### Floor: reading the same $(awk '/files/ {print $2}' "$tmp/floor.out") kernel files nodex reads, no parsing"
echo
echo "| method | CPU per pass (ms) |"
echo "|---|---|"
awk '/open_read_close_ms/ { printf "| open/read/close | %.3f |\n", $2 } /pread_ms/ { printf "| pread on kept fds | %.3f |\n", $2 }' "$tmp/floor.out"
if [ -x tests/bench/container-scale.sh ]; then
	echo
	tests/bench/container-scale.sh
fi
