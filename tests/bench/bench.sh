#!/bin/sh
# make bench: nodex and node_exporter (Debian's prometheus-node-exporter) side by side on this host, in
# one run, with the same collector set, every request with Accept-Encoding: gzip as Prometheus sends it.
# For each exporter:
#   - CPU per scrape, user and system apart (utime and stime of /proc/PID/stat over the 1-client load
#     step, all threads), and the gzip body size;
#   - system calls per scrape (strace -c -f over SYSCALL_SCRAPES scrapes after the load, a separate step
#     since tracing slows the process down);
#   - memory after serving (smaps_rollup): RSS, PSS, and private memory (Private_Clean + Private_Dirty).
#     PSS moves with how many other processes map the same libraries; private memory is what the exporter
#     alone costs here, and it too shrinks when another process maps the same library files. As root,
#     each exporter also runs in a memory cgroup of its own (nodex-bench.<pid> under the memory
#     hierarchy, removed at the end), whose charge is reported: its anonymous memory, kernel memory and
#     the page cache it brought in;
#   - p50/p99 latency and scrapes/s with 1 and 4 concurrent clients (wrk);
#   - the ratio nodex/node_exporter.
# Then the floor: the CPU cost of reading the same kernel files nodex reads, with no parsing
# (open/read/close, and pread on kept descriptors), and nodex's CPU per scrape as a multiple of it.
# DURATION (seconds per load step) defaults to 10, SYSCALL_SCRAPES to 200. The machine's load average
# is printed with the results: figures taken on a busy machine are inflated.
set -eu
cd "$(dirname "$0")/../.."
. tests/lib.sh
DURATION=${DURATION:-10}
SYSCALL_SCRAPES=${SYSCALL_SCRAPES:-200}
NE=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
for t in wrk strace "$NE"; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench needs $t (make test-deps installs it)"; exit 1; }
done
tmp=$(mktemp -d)
# start() runs in command substitutions (subshells): the pids and cgroups it makes are recorded in files.
# rmcg DIR: removes a cgroup once the kernel has let go of its last process.
rmcg() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rmdir "$1" 2>/dev/null && return 0
		[ -d "$1" ] || return 0
		sleep 0.2
	done
	echo "could not remove cgroup $1" >&2
}
cleanup() {
	for f in "$tmp"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
	sleep 0.3
	for f in "$tmp"/*.cg; do [ -s "$f" ] && rmcg "$(cat "$f")"; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cc -O2 -o "$tmp/floor" tests/bench/floor.c

# The memory hierarchy a child cgroup can be made in (root only): v2 with the memory controller, or v1.
memcg_root=""
memcg_file=""
if [ "$(id -u)" -eq 0 ]; then
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
		memcg_root=/sys/fs/cgroup
		memcg_file=memory.current
	elif [ -f /sys/fs/cgroup/memory/memory.usage_in_bytes ]; then
		memcg_root=/sys/fs/cgroup/memory
		memcg_file=memory.usage_in_bytes
	fi
fi

# start NAME BINARY ARGS...: prints the port; the pid goes to $tmp/NAME.pid. As root the exporter starts
# inside a memory cgroup of its own ($tmp/NAME.cg holds its directory).
start() {
	name=$1
	bin=$2
	shift 2
	port=$(free_port)
	: >"$tmp/$name.cg"
	if [ -n "$memcg_root" ] && mkdir "$memcg_root/nodex-bench.$$.$name" 2>/dev/null; then
		cg="$memcg_root/nodex-bench.$$.$name"
		echo "$cg" >"$tmp/$name.cg"
		# The shell moves itself into the cgroup, then becomes the exporter.
		sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$bin" \
			--web.listen-address="127.0.0.1:$port" "$@" >"$tmp/$name.log" 2>&1 &
	else
		"$bin" --web.listen-address="127.0.0.1:$port" "$@" >"$tmp/$name.log" 2>&1 &
	fi
	echo $! >"$tmp/$name.pid"
	wait_http "http://127.0.0.1:$port/" 200 || { echo "$name did not start" >&2; cat "$tmp/$name.log" >&2; exit 1; }
	echo "$port"
}
stop() {
	pid=$(cat "$tmp/$1.pid")
	kill "$pid" 2>/dev/null || true
	# Started in a subshell, the exporter is not this shell's child: wait for it to be gone.
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	rm -f "$tmp/$1.pid"
	cg=$(cat "$tmp/$1.cg")
	[ -n "$cg" ] && rmcg "$cg"
	rm -f "$tmp/$1.cg"
}
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
# measure NAME PORT: runs the load steps, the syscall count and the memory readings; appends one line of
# figures to $tmp/rows.
measure() {
	name=$1
	port=$2
	pid=$(cat "$tmp/$name.pid")
	url="http://127.0.0.1:$port/metrics"
	for i in 1 2 3 4 5; do curl -s -H 'Accept-Encoding: gzip' -o /dev/null "$url"; done
	lines=$(curl -s "$url" | grep -vc '^#')
	gzbytes=$(curl -s -H 'Accept-Encoding: gzip' "$url" | wc -c)
	read -r u0 s0 <<EOF
$(awk '{print $14, $15}' "/proc/$pid/stat")
EOF
	wrk -t1 -c1 -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' "$url" >"$tmp/$name.w1"
	read -r u1 s1 <<EOF
$(awk '{print $14, $15}' "/proc/$pid/stat")
EOF
	wrk -t2 -c4 -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' "$url" >"$tmp/$name.w4"
	req1=$(awk '/requests in/ {print $1}' "$tmp/$name.w1")
	rps1=$(awk '/Requests\/sec/ {print $2}' "$tmp/$name.w1")
	rps4=$(awk '/Requests\/sec/ {print $2}' "$tmp/$name.w4")
	# wrk prints latencies with units (us, ms, s): convert to ms.
	lat() { awk -v q="$2" '$1 == q { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		m = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v; printf "%.2f", m }' "$1"; }
	p50=$(lat "$tmp/$name.w1" "50%")
	p99=$(lat "$tmp/$name.w1" "99%")
	user=$(awk -v d="$((u1 - u0))" -v n="$req1" -v t="$tick" 'BEGIN { printf "%.3f", d / t * 1000 / n }')
	sys=$(awk -v d="$((s1 - s0))" -v n="$req1" -v t="$tick" 'BEGIN { printf "%.3f", d / t * 1000 / n }')
	cpu=$(awk -v a="$user" -v b="$sys" 'BEGIN { printf "%.3f", a + b }')
	# Memory after serving: the kernel's own accounting of the mappings.
	mem=$(awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} /^Private_(Clean|Dirty):/ {v += $2}
		END { printf "%.1f %.1f %.1f", r / 1024, p / 1024, v / 1024 }' "/proc/$pid/smaps_rollup")
	charge=-
	cg=$(cat "$tmp/$name.cg")
	[ -n "$cg" ] && charge=$(awk '{ printf "%.1f", $1 / 1048576 }' "$cg/$memcg_file")
	# System calls per scrape, all threads, counted while a client scrapes SYSCALL_SCRAPES times.
	strace -c -f -q -p "$pid" -o "$tmp/$name.strace" 2>/dev/null &
	spid=$!
	sleep 1
	python3 - "$port" "$SYSCALL_SCRAPES" <<'PY'
import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    c.request('GET', '/metrics', headers={'Accept-Encoding': 'gzip'})
    c.getresponse().read()
PY
	sleep 0.5
	kill -INT "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	calls=$(awk -v n="$SYSCALL_SCRAPES" '$NF == "total" { printf "%.0f", $4 / n }' "$tmp/$name.strace")
	# The commonest kinds, for the notes.
	awk -v n="$SYSCALL_SCRAPES" 'NR > 2 && $NF != "total" && $1 !~ /^-/ { c = ($4 ~ /^[0-9]+$/) ? $4 : 0;
		printf "%s %.1f\n", $NF, c / n }' "$tmp/$name.strace" | sort -k2 -rn | head -6 | tr '\n' ' ' >"$tmp/$name.kinds"
	echo "$name $cpu $user $sys $calls $gzbytes $mem $charge $p50 $p99 $rps1 $rps4 $lines" >>"$tmp/rows"
}

run_pair() {
	label=$1
	: >"$tmp/rows"
	pn=$(start node_exporter "$NE" $NE_ARGS)
	measure node_exporter "$pn"
	stop node_exporter
	px=$(start nodex ./nodex $NX_ARGS)
	measure nodex "$px"
	stop nodex
	echo
	echo "#### $label"
	echo
	echo "| exporter | CPU per scrape (ms) | user (ms) | system (ms) | system calls per scrape | gzip body (bytes) | RSS (MB) | PSS (MB) | private (MB) | cgroup charge (MB) | p50 latency (ms) | p99 latency (ms) | scrapes/s, 1 client | scrapes/s, 4 clients | samples |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' "$tmp/rows"
	awk 'function r(a, b) { return (b + 0 > 0 && a != "-") ? sprintf("%.2f", a / b) : "-" }
		NR == 1 { for (i = 2; i <= 14; i++) ne[i] = $i }
		NR == 2 { printf "| **ratio nodex/node_exporter** | **%s** | %s | %s | %s | %s | %s | %s | **%s** | %s | %s | %s | %s | %s | |\n",
		r($2, ne[2]), r($3, ne[3]), r($4, ne[4]), r($5, ne[5]), r($6, ne[6]), r($7, ne[7]), r($8, ne[8]),
		r($9, ne[9]), r($10, ne[10]), r($11, ne[11]), r($12, ne[12]), r($13, ne[13]), r($14, ne[14]) }' "$tmp/rows"
	echo
	echo "Commonest system calls per scrape: node_exporter: $(cat "$tmp/node_exporter.kinds")"
	echo "nodex: $(cat "$tmp/nodex.kinds")"
	awk '$1 == "nodex" { print $2 }' "$tmp/rows" >"$tmp/nodex.cpu"
}

echo "## nodex vs node_exporter $("$NE" --version 2>&1 | head -1 | awk '{print $3}'), $(nproc) CPUs, ${DURATION}s per load step"
echo
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg). Memory cgroups: ${memcg_root:-none (not root)}."
echo
echo "Same collectors: $common"
NE_ARGS=$COMMON_ARGS NX_ARGS=$COMMON_ARGS run_pair "Same collector set"
cp "$tmp/nodex.cpu" "$tmp/nodex.common.cpu"
NE_ARGS="" NX_ARGS="" run_pair "Each with its own default set (nodex: $(wc -l <"$tmp/nx.set") collectors, node_exporter: $(wc -l <"$tmp/ne.set"))"

# The floor: the files nodex opens during its first scrape, read with no parsing.
port=$(free_port)
strace -f -qq -e trace=openat -e status=successful -o "$tmp/strace" ./nodex $COMMON_ARGS \
	--web.listen-address="127.0.0.1:$port" >"$tmp/strace.log" 2>&1 &
spid=$!
echo "$spid" >"$tmp/strace.pid"
wait_http "http://127.0.0.1:$port/" 200
curl -s -o /dev/null "http://127.0.0.1:$port/metrics"
# Stop the traced nodex itself; strace exits with it.
pkill -P "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
sed -n 's/.*openat([^"]*"\(\/\(proc\|sys\)\/[^"]*\)".*/\1/p' "$tmp/strace" | grep -v '^/proc/self/' | sort -u >"$tmp/files"
"$tmp/floor" "$tmp/files" 2000 >"$tmp/floor.out"
echo
echo "#### Floor: reading the same $(awk '/files/ {print $2}' "$tmp/floor.out") kernel files nodex reads, no parsing"
echo
echo "| method | CPU per pass (ms) | nodex's CPU per scrape (same collector set) as a multiple |"
echo "|---|---|---|"
awk -v nx="$(cat "$tmp/nodex.common.cpu")" '/open_read_close_ms/ { printf "| open/read/close | %.3f | %.1f |\n", $2, nx / $2 }
	/pread_ms/ { printf "| pread on kept fds | %.3f | **%.1f** |\n", $2, nx / $2 }' "$tmp/floor.out"
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
if [ -x tests/bench/container-scale.sh ]; then
	echo
	tests/bench/container-scale.sh
fi
