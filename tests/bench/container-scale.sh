#!/bin/sh
# CPU cost of the container collector at scale: writes cgroup trees of PODS pods (3 containers and a pause
# container each, so 5 cgroups per pod: 1000 pods = 5,000 cgroups) under /tmp (regular files) for cgroup
# v2 and v1, runs ./nodex with only the container collector on each, scrapes it many times and prints, per tree, the CPU
# time nodex used per scrape (utime+stime of the whole process from /proc/<pid>/stat, so reading,
# rendering and HTTP included), the wall time per scrape, the collector's own duration and the output size.
#
#   tests/bench/container-scale.sh [PODS [SCRAPES]]     defaults: 1000 pods, 40 scrapes
#   CONTAINER_SCALE_LIVE=1 tests/bench/container-scale.sh
#        also builds the same pods as real, empty cgroups in this machine's cgroup filesystem (root only;
#        under a nodex-bench-<pid> directory of each writable hierarchy, removed at the end) to measure
#        the kernel's cost of the cgroup files, which a fixture of regular files does not have.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
PODS=${1:-1000}
SCRAPES=${2:-40}
TMP=$(mktemp -d /tmp/nodex-container-scale.XXXXXX)
LIVE_DIRS=""

cleanup() {
	stop_nodex
	for d in $LIVE_DIRS; do
		# children before parents; the kernel removes the files of an empty cgroup with it
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

clk_tck=$(getconf CLK_TCK)

# cpu_ticks PID: utime + stime of the process, in clock ticks
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# run NAME ARGS...: starts nodex, scrapes it SCRAPES times, prints one table row
run() {
	name=$1
	shift
	start_nodex "$TMP/nodex.log" --collector.disable-defaults --collector.container "$@" || return 1
	curl -s -o "$TMP/out.txt" "$NODEX_URL/metrics" # warm-up: first walk, log maps, start times
	t0=$(cpu_ticks "$NODEX_PID")
	w0=$(date +%s%N)
	i=0
	while [ "$i" -lt "$SCRAPES" ]; do
		curl -s -o "$TMP/out.txt" "$NODEX_URL/metrics"
		i=$((i + 1))
	done
	w1=$(date +%s%N)
	t1=$(cpu_ticks "$NODEX_PID")
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$NODEX_PID/status")
	fds=$(ls "/proc/$NODEX_PID/fd" | wc -l)
	stop_nodex
	series=$(grep -c '^container_' "$TMP/out.txt")
	cgroups=$(grep -c '^container_memory_usage_bytes' "$TMP/out.txt")
	coll=$(awk -F' ' '/^node_scrape_collector_duration_seconds\{collector="container"\}/ { printf "%.1f", $2 * 1000 }' "$TMP/out.txt")
	ok=$(awk -F' ' '/^node_scrape_collector_success\{collector="container"\}/ { print $2 }' "$TMP/out.txt")
	bytes=$(wc -c <"$TMP/out.txt")
	awk -v n="$name" -v c="$cgroups" -v s="$series" -v b="$bytes" -v t=$((t1 - t0)) -v hz="$clk_tck" \
		-v w=$((w1 - w0)) -v k="$SCRAPES" -v coll="$coll" -v rss="$rss" -v ok="$ok" -v fds="$fds" 'BEGIN {
		printf "%-26s %7d %8d %9.1f %10.1f %10.1f %10s %8.1f %5d %4s\n", n, c, s, b / 1048576,
			t * 1000 / hz / k, w / 1e6 / k, coll, rss / 1024, fds, ok }'
}

fixture() {
	layout=$1
	root="$TMP/$layout"
	python3 tests/bench/container-fixture.py scale "$layout" "$root" "$PODS" || exit 1
	run "$layout (fixture)" --path.procfs="$root/proc" --path.sysfs="$root/sys" --path.rootfs="$root"
	rm -rf "$root"
}

# live LAYOUT: the same pods as real cgroups; only directories are made, the kernel provides the files
live() {
	root="$TMP/live-logs"
	mkdir -p "$root"
	python3 tests/bench/container-fixture.py dirs "$1" "$root" "$PODS" >"$TMP/paths" || exit 1
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		hiers=/sys/fs/cgroup
		kind=v2
	else
		hiers=""
		for h in memory cpu,cpuacct cpu cpuacct; do
			d=$(readlink -f "/sys/fs/cgroup/$h" 2>/dev/null) || continue
			case " $hiers " in *" $d "*) continue ;; esac
			[ -d "$d" ] && hiers="$hiers $d"
		done
		kind=v1
	fi
	for h in $hiers; do
		base="$h/nodex-bench-$$"
		LIVE_DIRS="$LIVE_DIRS $base"
		mkdir "$base" || return 1
		(cd "$base" && xargs mkdir -p <"$TMP/paths") || return 1
	done
	run "live $kind, $1 names" --path.rootfs="$root"
}

printf '%-26s %7s %8s %9s %10s %10s %10s %8s %5s %4s\n' tree cgroups series "out MiB" "cpu ms/sc" \
	"wall ms/sc" "coll ms" "rss MiB" fds ok
fixture v2-cgroupfs
fixture v2-systemd
fixture v1-cgroupfs
if [ -n "${CONTAINER_SCALE_LIVE:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "CONTAINER_SCALE_LIVE needs root" >&2
	elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		live v2-cgroupfs
	else
		live v1-cgroupfs
	fi
fi
echo "cpu ms/sc: CPU time of nodex (all threads) per scrape over $SCRAPES scrapes; coll ms: container collector"
echo "duration of the last scrape; fds: descriptors nodex holds open after the scrapes; ok:"
echo "node_scrape_collector_success. $(nproc) CPUs, $(uname -r)."
