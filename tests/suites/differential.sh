#!/bin/sh
# Differential test against the real node_exporter (Debian's prometheus-node-exporter 1.5.0): both run
# on each golden fixture tree with the same flags (those 1.5.0 knows), and on this host with the
# collectors both have. For every family both emit, the series, HELP and TYPE must agree, and the values
# too (on the live host only for families whose values do not move between two scrapes). Differences
# explained by 1.5.0 being older than node_exporter 1.12 are listed in tests/differential/allow.txt.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
NE=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
[ -x "$NE" ] || { echo "FAIL: $NE missing (make test-deps installs prometheus-node-exporter)"; exit 1; }
fail=0
tmp=$(mktemp -d)
trap 'kill $ne_pid 2>/dev/null; stop_nodex; rm -rf "$tmp"' EXIT
ne_pid=
"$NE" --help >"$tmp/ne.help" 2>&1 || true

# ne_scrape OUT ARGS...: runs node_exporter with ARGS, scrapes once into OUT.
ne_scrape() {
	out=$1
	shift
	port=$(free_port)
	"$NE" --web.listen-address="127.0.0.1:$port" "$@" >"$tmp/ne.log" 2>&1 &
	ne_pid=$!
	if ! wait_http "http://127.0.0.1:$port/" 200; then
		echo "node_exporter did not start:"
		tail -5 "$tmp/ne.log"
		return 1
	fi
	curl -s "http://127.0.0.1:$port/metrics" >"$out"
	kill "$ne_pid"
	wait "$ne_pid" 2>/dev/null
	ne_pid=
}

# Keeps the flags node_exporter 1.5.0 has (--no-X and --X both checked against --X).
ne_flags() {
	for a in "$@"; do
		name=${a%%=*}
		base=$(printf '%s' "$name" | sed 's/^--no-/--/')
		grep -q -- "$base[= ]" "$tmp/ne.help" || grep -q -- "$base\$" "$tmp/ne.help" && printf '%s\n' "$a"
	done
}

for dir in tests/golden/*/; do
	[ -f "$dir/args" ] || continue
	name=$(basename "$dir")
	root=$(cd "$dir/root" && pwd)
	# node_exporter refuses a repeated --path flag: the case's own win over the defaults here.
	set -- --collector.disable-defaults
	for p in "procfs=$root/proc" "sysfs=$root/sys" "rootfs=$root" "udev.data=$root/udev"; do
		grep -q "^--path.${p%%=*}=" "$dir/args" || set -- "$@" "--path.$p"
	done
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in '' | '#'*) continue ;; esac
		set -- "$@" "$(printf '%s' "$line" | sed "s#@ROOT@#$root#g")"
	done <"$dir/args"
	start_nodex "$tmp/nx.log" "$@" || { fail=$((fail + 1)); continue; }
	curl -s "$NODEX_URL/metrics" >"$tmp/nx.txt"
	stop_nodex
	ne_args=$(ne_flags "$@")
	# A collector option 1.5.0 lacks changes what it reports: such a tree cannot be compared.
	dropped=$(for a in "$@"; do printf '%s\n' "$a"; done | grep -vxF -e "$ne_args" | grep -- '^--collector\.[a-z_]*\.' || true)
	if [ -n "$dropped" ]; then
		echo "== golden tree $name: skipped, node_exporter 1.5.0 lacks" $dropped
		continue
	fi
	# shellcheck disable=SC2086
	IFS='
'
	set -- $ne_args
	unset IFS
	ne_scrape "$tmp/ne.txt" "$@" || { fail=$((fail + 1)); continue; }
	echo "== golden tree $name"
	python3 tests/differential/compare.py "$tmp/ne.txt" "$tmp/nx.txt" tests/differential/allow.txt || fail=$((fail + 1))
done

# This host, the collectors both run by default, scraped at the same moment. Only families whose values
# cannot move between the two scrapes have their values compared. Debian patched 1.5.0's default device
# and mount filters, so both get upstream 1.12's defaults explicitly (and lo is kept in netdev).
set -- '--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)' \
	'--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$' \
	'--collector.netdev.device-exclude=^$'
port=$(free_port)
"$NE" --web.listen-address="127.0.0.1:$port" "$@" >"$tmp/ne.log" 2>&1 &
ne_pid=$!
start_nodex "$tmp/nx.log" "$@" || exit 1
wait_http "http://127.0.0.1:$port/" 200 || exit 1
curl -s "http://127.0.0.1:$port/metrics" >"$tmp/ne.txt" &
curl_pid=$!
curl -s "$NODEX_URL/metrics" >"$tmp/nx.txt"
wait "$curl_pid"
kill "$ne_pid"
wait "$ne_pid" 2>/dev/null
ne_pid=
echo "== this host"
python3 tests/differential/compare.py "$tmp/ne.txt" "$tmp/nx.txt" tests/differential/allow.txt \
	--values-for '^node_(scrape_collector_success|memory_(MemTotal|SwapTotal|Hugepagesize)_bytes|boot_time_seconds|filefd_maximum|uname_info|os_info|os_version|network_(info|mtu_bytes|up|address_assign_type|device_id|flags|iface_id|iface_link|iface_link_mode|name_assign_type|protocol_type|transmit_queue_length|speed_bytes)|disk_info|filesystem_(size_bytes|files|readonly|device_error)|entropy_pool_size_bits|nf_conntrack_entries_limit|time_zone_offset_seconds|cpu_info|cpu_online|md_.*|bonding_.*|selinux_.*|timex_tick_seconds|timex_status|timex_sync_status)$' \
	|| fail=$((fail + 1))
echo "$fail failed"
[ "$fail" -eq 0 ]
