#!/bin/sh
# What the DaemonSet's resources (deploy/kubernetes/daemonset.yaml) are sized on: nodex run with the
# DaemonSet's own arguments (every default collector, the filesystem excludes, the container
# collector), on this machine's /proc and /sys, scraped as Prometheus scrapes it (gzip), with the
# cgroups and network interfaces of a node running PODS pods (default 110, the kubelet's maximum):
#   host only      nothing added: the default collectors on this machine;
#   fixture PODS   the container collector on a cgroup v2 tree of regular files (tests/bench/
#                  container-fixture.py scale v2-systemd: PODS pods of 3 containers + pause, 5 cgroups
#                  each, with every value non-zero, so every container series is there), and the
#                  network interfaces of PODS pods;
#   live PODS      the same pods as real, empty cgroups in this machine's cgroup filesystem (the
#                  kernel's files: their cost and the kernel memory charged for reading them), and
#                  the network interfaces of PODS pods.
# The network interfaces are flannel's (cni0, flannel.1, a veth per pod), made in a network namespace
# of this script's own (unshare), with a sysfs mounted for it, so that /proc/net, netlink and
# /sys/class/net all show them. nodex runs in a memory cgroup of its own (a child of this shell's),
# so the figures include what a container's memory limit counts: its memory.usage_in_bytes (v1) or
# memory.current (v2), which adds kernel memory (dentries and inodes of the files read, socket
# buffers) to the process's RSS.
# For each: series and bytes per scrape, CPU time per scrape (utime+stime of nodex over SCRAPES
# sequential scrapes), wall time per scrape, RSS after the scrapes, the highest RSS sampled during
# SCRAPES more scrapes by two concurrent clients (two Prometheus replicas), VmHWM (peak, start-up
# included), the cgroup's usage, the kernel memory in it and its peak, and the descriptors nodex holds.
# The kernel memory matters: nodex keeps the /proc and /sys files it reads open between scrapes (the
# core's descriptor cache), and each open sysfs file holds a kernfs open-file record and a seq_file
# page, charged to nodex's cgroup and not reclaimable while open. The network class attributes of one
# interface are some 20 files, so a node's veths dominate; the container collector's cgroup files are
# opened and closed on each scrape (their dentries and inodes stay cached, but reclaimable).
#
#   tests/bench/daemonset-size.sh [PODS [SCRAPES]]     defaults: 110 pods, 100 scrapes; needs root
set -u
cd "$(dirname "$0")/../.." || exit 1
PODS=${1:-110}
SCRAPES=${2:-100}
if [ "$(id -u)" -ne 0 ]; then
	echo "daemonset-size.sh needs root (network namespace, cgroups)" >&2
	exit 1
fi
# Everything below runs in a network and mount namespace of its own, gone when the script ends.
if [ -z "${DAEMONSET_SIZE_NS:-}" ]; then
	exec unshare --net --mount --propagation private env DAEMONSET_SIZE_NS=1 "$0" "$@"
fi
. tests/lib.sh
NODEX=$(readlink -f "$NODEX")
TMP=$(mktemp -d /tmp/nodex-daemonset-size.XXXXXX)
LIVE_DIRS=""
NODEX_CGS=""
cleanup() {
	stop_nodex
	for d in $LIVE_DIRS $NODEX_CGS; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	[ -n "${PODNS_PID:-}" ] && kill "$PODNS_PID" 2>/dev/null
	umount "$TMP/netns-sys" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
ip link set lo up

# This shell's cgroup in a hierarchy ("memory", "cpu", ... or "" for v2), as a directory.
V2=false
[ -f /sys/fs/cgroup/cgroup.controllers ] && V2=true
own_cgroup() {
	if $V2; then
		echo "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)"
	else
		d=$(readlink -f "/sys/fs/cgroup/$1") || return 1
		echo "$d$(awk -F: -v h="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == h) print $3 }' /proc/self/cgroup)"
	fi
}
MEM_CG=$(own_cgroup memory) || exit 1
# cg_usage: the cgroup's usage, its peak and the kernel memory in it, in bytes
cg_usage() {
	if $V2; then
		# no memory controller in this cgroup's subtree (a v2 cgroup with processes cannot delegate it)
		[ -f "$NODEX_CG/memory.current" ] || { echo "0 0 0"; return; }
		echo "$(cat "$NODEX_CG/memory.current") $(cat "$NODEX_CG/memory.peak" 2>/dev/null || echo 0)" \
			"$(awk '$1 == "kernel" { print $2 }' "$NODEX_CG/memory.stat")"
	else
		echo "$(cat "$NODEX_CG/memory.usage_in_bytes") $(cat "$NODEX_CG/memory.max_usage_in_bytes")" \
			"$(cat "$NODEX_CG/memory.kmem.usage_in_bytes")"
	fi
}

# sysfs for this network namespace (its class/net), with fs/cgroup taken from CGROUP_DIR.
mkdir -p "$TMP/netns-sys"
mount -t sysfs sysfs "$TMP/netns-sys" || exit 1
sysfs_with_cgroups() {
	d=$1
	mkdir -p "$d/fs"
	for e in "$TMP"/netns-sys/*; do [ "${e##*/}" = fs ] || ln -s "$e" "$d/${e##*/}"; done
	for e in /sys/fs/*; do [ "${e##*/}" = cgroup ] || ln -s "$e" "$d/fs/${e##*/}"; done
	ln -s "$2" "$d/fs/cgroup"
}

# The DaemonSet's arguments, with its paths pointed at PROC SYS ROOT and its address at PORT.
daemonset_args() {
	sed -n 's/^ *- \(--[a-z].*\)$/\1/p' deploy/kubernetes/daemonset.yaml | sed -e "s#=/host/proc\$#=$1#; s#=/host/sys\$#=$2#" \
		-e "s#=/host/root/#=$3/#; s#=/host/root\$#=$3#" -e "s#\[\$(HOST_IP)\]:9100#127.0.0.1:$4#"
}

clk_tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
scrapes() {
	i=0
	while [ "$i" -lt "$1" ]; do
		curl -s --compressed -o /dev/null "$NODEX_URL/metrics"
		i=$((i + 1))
	done
}

# run NAME PROC SYS ROOT: one table row
run() {
	name=$1
	port=$(free_port)
	daemonset_args "$2" "$3" "$4" "$port" >"$TMP/args"
	mkdir -p "$4/run/udev/data" "$4/var/log/pods" "$4/var/log/containers"
	# a memory cgroup of its own for each run, so that its peak is this run's
	NODEX_CG="$MEM_CG/nodex-size-$$-$(echo "$name" | tr -c 'a-z0-9\n' -)"
	NODEX_CGS="$NODEX_CG $NODEX_CGS"
	mkdir "$NODEX_CG" || exit 1
	# shellcheck disable=SC2046 # one argument per line, none with spaces
	set -- $(cat "$TMP/args")
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$NODEX_CG" "$NODEX" "$@" >"$TMP/nodex.log" 2>&1 &
	NODEX_PID=$!
	NODEX_URL="http://127.0.0.1:$port"
	wait_http "$NODEX_URL/" 200 || { echo "nodex did not start" >&2; cat "$TMP/nodex.log" >&2; exit 1; }
	curl -s -o "$TMP/out.txt" "$NODEX_URL/metrics"
	gz=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$NODEX_URL/metrics")
	scrapes 3
	t0=$(cpu_ticks "$NODEX_PID")
	w0=$(date +%s%N)
	scrapes "$SCRAPES"
	w1=$(date +%s%N)
	t1=$(cpu_ticks "$NODEX_PID")
	rss=$(status_kb "$NODEX_PID" VmRSS)
	# shellcheck disable=SC2046 # three numbers
	set -- $(cg_usage)
	cg_after=$1
	cg_kmem=$3
	rm -f "$TMP/peak" "$TMP/stop"
	(
		peak=0
		while [ ! -f "$TMP/stop" ]; do
			r=$(status_kb "$NODEX_PID" VmRSS)
			[ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$TMP/peak"
			sleep 0.02
		done
	) &
	sampler=$!
	scrapes $((SCRAPES / 2)) &
	c2=$!
	scrapes $((SCRAPES / 2))
	wait "$c2"
	touch "$TMP/stop"
	wait "$sampler"
	hwm=$(status_kb "$NODEX_PID" VmHWM)
	fds=$(ls "/proc/$NODEX_PID/fd" | wc -l)
	# shellcheck disable=SC2046 # three numbers
	set -- $(cg_usage)
	cg_peak=$2
	ok=$(grep -c '^node_scrape_collector_success.* 1$' "$TMP/out.txt")
	all=$(grep -c '^node_scrape_collector_success' "$TMP/out.txt")
	stop_nodex
	awk -v n="$name" -v s="$(grep -vc '^#' "$TMP/out.txt")" -v c="$(grep -c '^container_' "$TMP/out.txt")" \
		-v b="$(wc -c <"$TMP/out.txt")" -v gz="$gz" -v t=$((t1 - t0)) -v hz="$clk_tck" -v w=$((w1 - w0)) -v k="$SCRAPES" \
		-v rss="$rss" -v peak="$(cat "$TMP/peak")" -v hwm="$hwm" -v cga="$cg_after" -v cgp="$cg_peak" -v cgk="$cg_kmem" -v fds="$fds" -v ok="$ok/$all" 'BEGIN {
		printf "%-12s %6d %6d %7.0f %6.0f %7.2f %7.2f %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %5d %6s\n", n, s, c, b / 1024, gz / 1024,
			t * 1000 / hz / k, w / 1e6 / k, rss / 1024, peak / 1024, hwm / 1024, cga / 1048576, cgk / 1048576, cgp / 1048576, fds, ok }'
}

printf '%-12s %6s %6s %7s %6s %7s %7s %7s %7s %7s %7s %7s %7s %5s %6s\n' "" series contnr "out KiB" "gz KiB" "cpu ms" "wall ms" \
	"RSS MiB" "RSS x2" "HWM" "cg MiB" kernel "cg peak" fds "ok"
mkdir -p "$TMP/host-sys" "$TMP/host-root"
sysfs_with_cgroups "$TMP/host-sys" /sys/fs/cgroup
run "host only" /proc "$TMP/host-sys" "$TMP/host-root"

# The network of a k3s node with flannel: the cni0 bridge, flannel.1 (VXLAN), and one veth pair per
# pod, its host end (veth + 8 hex digits) on cni0, its other end in a pod network namespace (one for
# all, held by a sleeping process).
unshare --net sleep 100000 &
PODNS_PID=$!
ip link add cni0 type bridge && ip link set cni0 up || exit 1
ip link add flannel.1 type vxlan id 1 dstport 8472 && ip link set flannel.1 up || exit 1
i=0
: >"$TMP/ip.host"
: >"$TMP/ip.pod"
while [ "$i" -lt "$PODS" ]; do
	v=veth$(printf '%08x' $((0x1a2b0000 + i * 7919)))
	echo "link add $v type veth peer name eth$i netns $PODNS_PID" >>"$TMP/ip.host"
	echo "link set $v master cni0 up" >>"$TMP/ip.host"
	echo "link set eth$i up" >>"$TMP/ip.pod"
	i=$((i + 1))
done
ip -batch "$TMP/ip.host" && nsenter -t "$PODNS_PID" -n ip -batch "$TMP/ip.pod" || exit 1

python3 tests/bench/container-fixture.py scale v2-systemd "$TMP/fixture" "$PODS" || exit 1
mkdir -p "$TMP/fixture-sys"
sysfs_with_cgroups "$TMP/fixture-sys" "$TMP/fixture/sys/fs/cgroup"
run "fixture $PODS" /proc "$TMP/fixture-sys" "$TMP/fixture"
rm -rf "$TMP/fixture"

# The same pods as real cgroups, below this shell's cgroup of each hierarchy.
if $V2; then
	layout=v2-cgroupfs
	hiers=$(own_cgroup "")
else
	layout=v1-cgroupfs
	hiers=""
	for h in memory cpu,cpuacct cpu cpuacct; do
		[ -e "/sys/fs/cgroup/$h" ] || continue
		d=$(own_cgroup "$h") || continue
		case " $hiers " in *" $d "*) continue ;; esac
		[ -d "$d" ] && hiers="$hiers $d"
	done
fi
python3 tests/bench/container-fixture.py dirs "$layout" "$TMP/live-root" "$PODS" >"$TMP/paths" || exit 1
for h in $hiers; do
	base="$h/nodex-size-pods-$$"
	LIVE_DIRS="$base $LIVE_DIRS"
	mkdir "$base" && (cd "$base" && xargs mkdir -p <"$TMP/paths") || exit 1
done
run "live $PODS" /proc "$TMP/host-sys" "$TMP/live-root"

echo "series: samples per scrape (contnr: container_*); out/gz: exposition, plain and gzip; cpu ms: CPU time"
echo "of nodex per scrape, $SCRAPES sequential gzip scrapes; wall ms: per scrape; RSS: VmRSS after them; RSS x2:"
echo "highest VmRSS during $SCRAPES scrapes by 2 concurrent clients; HWM: VmHWM (start-up included); cg: nodex's"
echo "memory cgroup after the sequential scrapes, the kernel memory in it (open files: pinned while open; dentries and"
echo "inodes: reclaimable), and its peak (anonymous memory + kernel memory + page cache: of the fixture's files in row 2);"
echo "fds: descriptors nodex holds after the scrapes; ok: collectors that succeeded. $(nproc) CPUs, $(uname -r), cgroup $($V2 && echo v2 || echo v1)."
