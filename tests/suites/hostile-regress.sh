#!/bin/sh
# Issue 14's defects, each on the real binary (the unit tests cover them collector by collector):
#   - start-up: an odd sysfs (the DMI directory a FIFO, a symlink loop, a file; sys itself a file) must not
#     stop nodex; the collector fails with its reason, and DMI appearing later is reported;
#   - the status page tells "no data" from "failed" and gives each failure's reason;
#   - a textfile cannot hide nodex's own series, and its clash is a textfile error;
#   - HELP read from outside (a textfile, a RAPL zone name, an hwmon file name) is valid UTF-8;
#   - a file that never ends (a symlink to /dev/zero) costs a bounded amount of memory, and memory
#     returns to normal.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

tmp=$(mktemp -d)
trap 'stop_nodex; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
scrape() { curl -s -m 20 "$NODEX_URL/metrics" >"$1"; }

# ---- start-up with an odd sysfs ----
for odd in fifo loop file sysfile; do
	r="$tmp/$odd"
	mkdir -p "$r/proc" "$r/sys/class/dmi" "$r/sys/devices/system/cpu"
	printf '0.5 0.25 0.125 1/100 42\n' >"$r/proc/loadavg"
	printf 'cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n' >"$r/proc/stat"
	case $odd in
	fifo) mkfifo "$r/sys/class/dmi/id" ;;
	loop) ln -s id "$r/sys/class/dmi/id" ;;
	file) echo x >"$r/sys/class/dmi/id"; ln -s isolated "$r/sys/devices/system/cpu/isolated" ;;
	sysfile) rm -rf "$r/sys" && echo x >"$r/sys" ;;
	esac
	if ! start_nodex "$tmp/log" --collector.disable-defaults --collector.dmi --collector.cpu --collector.loadavg \
		--path.procfs="$r/proc" --path.sysfs="$r/sys"; then
		bad "nodex starts with sys/class/dmi/id as $odd"
		continue
	fi
	ok "nodex starts with an odd sysfs ($odd)"
	scrape "$tmp/m"
	check "$odd: dmi fails, loadavg succeeds" \
		"grep -qx 'node_scrape_collector_success{collector=\"dmi\"} 0' '$tmp/m' && grep -qx 'node_scrape_collector_success{collector=\"loadavg\"} 1' '$tmp/m'"
	curl -s "$NODEX_URL/" >"$tmp/page"
	check "$odd: the status page gives dmi's reason" \
		"grep -q '<td>dmi</td><td class=\"fail\">failed</td>.*Desktop Management Interface' '$tmp/page'"
	if [ $odd = file ] || [ $odd = sysfile ]; then
		check "$odd: cpu fails with the isolated CPUs' reason, its other families stay" \
			"grep -qx 'node_scrape_collector_success{collector=\"cpu\"} 0' '$tmp/m' && grep -q '^node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 0.04' '$tmp/m' && grep -q '<td>cpu</td>.*unable to get isolated cpus' '$tmp/page'"
	fi
	if [ $odd = fifo ]; then
		# DMI appears: reported from the next scrape on
		rm "$r/sys/class/dmi/id" && mkdir "$r/sys/class/dmi/id" && echo "Example Inc." >"$r/sys/class/dmi/id/sys_vendor"
		scrape "$tmp/m"
		check "DMI that appears later is reported" \
			"grep -qx 'node_dmi_info{system_vendor=\"Example Inc.\"} 1' '$tmp/m' && grep -qx 'node_scrape_collector_success{collector=\"dmi\"} 1' '$tmp/m'"
	fi
	stop_nodex
done
start_nodex "$tmp/log" --collector.dmi --collector.rapl --path.sysfs="$tmp/nothing" --path.procfs="$tmp/nothing" || exit 1
scrape "$tmp/m"
curl -s "$NODEX_URL/" >"$tmp/page"
check "status page: absent hardware is 'no data', not 'failed'" \
	"grep -q '<td>rapl</td><td>no data</td>' '$tmp/page' && grep -q '<td>dmi</td><td>no data</td>' '$tmp/page' && grep -qx 'node_scrape_collector_success{collector=\"rapl\"} 0' '$tmp/m'"
stop_nodex

# ---- textfiles and HELP ----
r="$tmp/tf"
mkdir -p "$r/proc" "$r/tf" "$r/sys/class/powercap/z" "$r/sys/class/hwmon/hwmon0"
printf '0.5 0.25 0.125 1/100 42\n' >"$r/proc/loadavg"
printf '# TYPE node_scrape_collector_success counter\nnode_scrape_collector_success 5\n' >"$r/tf/clash.prom"
printf 'ok_metric 1\n' >"$r/tf/ok.prom"
printf 'pk\377\376-0\n' >"$r/sys/class/powercap/z/name"
printf '5\n' >"$r/sys/class/powercap/z/energy_uj"
printf '10\n' >"$r/sys/class/powercap/z/max_energy_range_uj"
printf 'chip\n' >"$r/sys/class/hwmon/hwmon0/name"
printf '1000\n' >"$r/sys/class/hwmon/hwmon0/temp1_$(printf '\377')"
start_nodex "$tmp/log" --collector.disable-defaults --collector.loadavg --collector.textfile --collector.rapl \
	--collector.hwmon --collector.textfile.directory="$r/tf" --path.procfs="$r/proc" --path.sysfs="$r/sys" || exit 1
scrape "$tmp/m"
check "a textfile cannot hide nodex's own success series" \
	"[ \$(grep -c '^node_scrape_collector_success{collector=' '$tmp/m') -eq 4 ] && grep -qx '# TYPE node_scrape_collector_success gauge' '$tmp/m'"
check "the clash is a textfile error, named in the log" \
	"grep -qx 'node_textfile_scrape_error 1' '$tmp/m' && grep -qx 'ok_metric 1' '$tmp/m' && grep -q 'node_scrape_collector_success dropped' '$tmp/log'"
stop_nodex
rm "$r/tf/clash.prom"
printf '# HELP bad_help not \377\376 UTF-8\nbad_help 1\n' >"$r/tf/help.prom"
start_nodex "$tmp/log" --collector.disable-defaults --collector.textfile --collector.rapl --collector.hwmon \
	--collector.textfile.directory="$r/tf" --path.procfs="$r/proc" --path.sysfs="$r/sys" || exit 1
scrape "$tmp/m"
check "every HELP is valid UTF-8 (textfile, RAPL zone, hwmon file name)" \
	"python3 -c 'import sys; [l.decode() for l in open(sys.argv[1], \"rb\") if l.startswith(b\"# HELP\")]' '$tmp/m' && grep -q '^# HELP node_rapl_pk_joules_total Current RAPL pk' '$tmp/m' && grep -q '^# HELP node_hwmon_temp__celsius' '$tmp/m'"
check "a textfile HELP that is not UTF-8 is that file's error" \
	"! grep -q bad_help '$tmp/m' && grep -qx 'node_textfile_scrape_error 1' '$tmp/m' && grep -q 'help text is not valid UTF-8' '$tmp/log'"
stop_nodex

# ---- memory: a file that never ends ----
r="$tmp/zero"
mkdir -p "$r/proc"
ln -s /dev/zero "$r/proc/loadavg"
printf 'MemTotal: 1000 kB\nMemFree: 500 kB\n' >"$r/proc/meminfo"
start_nodex "$tmp/log" --collector.disable-defaults --collector.loadavg --collector.meminfo --path.procfs="$r/proc" || exit 1
for i in 1 2 3; do scrape "$tmp/m"; done
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$NODEX_PID/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$NODEX_PID/status")
check "a symlink to /dev/zero fails loadavg only" \
	"grep -qx 'node_scrape_collector_success{collector=\"loadavg\"} 0' '$tmp/m' && grep -qx 'node_scrape_collector_success{collector=\"meminfo\"} 1' '$tmp/m' && grep -q 'File too large' '$tmp/log'"
# 531 MB peak before the read caps; nodex's own footprint is some 6 MB
check "peak memory stays bounded (VmHWM ${hwm} kB, VmRSS ${rss} kB)" "[ '$hwm' -lt 65536 ] && [ '$rss' -lt 32768 ]"
stop_nodex

echo "$fail failed"
[ "$fail" -eq 0 ]
