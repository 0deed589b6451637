#!/bin/sh
# The systemd collector through the binary, against a real dbus-daemon on a private bus (a session-style
# configuration in a temporary directory) and tests/tools/fake-systemd answering as
# org.freedesktop.systemd1 from tests/golden/systemd/state-N:
#   - two scrapes, with units changing state in between, compared with tests/golden/systemd/expected-N.txt
#     (UPDATE=1 rewrites them; review the diff);
#   - the same bus scraped by node_exporter (/usr/bin/prometheus-node-exporter, when installed): the same
#     node_systemd_* series except node_systemd_virtualization_info, which node_exporter 1.5.0 lacks;
#   - a stuck systemd: the scrape answers by its deadline with success 0, the next one skips the stuck
#     run, the collector's own 10 s deadline ends the run, and it recovers once systemd answers;
#   - no bus, a restarted bus, and --collector.systemd.private without /run/systemd/private.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
FAKE=build/tests/tools/fake-systemd
GOLDEN=tests/golden/systemd
NE=/usr/bin/prometheus-node-exporter
if ! command -v dbus-daemon >/dev/null; then
	echo "FAIL: dbus-daemon not found (Debian package dbus)"
	exit 1
fi
if [ ! -x "$FAKE" ]; then
	echo "FAIL: $FAKE missing (make units)"
	exit 1
fi
tmp=$(mktemp -d)
bus_pid=
fake_pid=
ne_pid=
cleanup() {
	stop_nodex
	for p in $ne_pid $fake_pid $bus_pid; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_replies_per_connection">128</limit>
</busconfig>
EOF
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/bus"
export DBUS_SYSTEM_BUS_ADDRESS

# set_state N: what fake-systemd answers from now on (renamed into place, so it is read whole).
set_state() {
	cp "$GOLDEN/state-$1" "$tmp/state.new" && mv "$tmp/state.new" "$tmp/state"
}

start_bus() {
	rm -f "$tmp/bus" "$tmp/bus.addr"
	dbus-daemon --config-file="$tmp/bus.conf" --nofork --print-address=1 >"$tmp/bus.addr" 2>"$tmp/bus.err" &
	bus_pid=$!
	i=0
	until [ -s "$tmp/bus.addr" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "dbus-daemon did not start"; cat "$tmp/bus.err"; return 1; }
		sleep 0.05
	done
	rm -f "$tmp/fake.out"
	"$FAKE" "$tmp/state" >"$tmp/fake.out" 2>&1 &
	fake_pid=$!
	i=0
	until grep -q ready "$tmp/fake.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "fake-systemd did not start"; cat "$tmp/fake.out"; return 1; }
		sleep 0.05
	done
}

stop_bus() {
	for p in $fake_pid $bus_pid; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	fake_pid=
	bus_pid=
}

# scrape FILE [curl args]: the exposition without the families that change from run to run.
scrape() {
	_f=$1
	shift
	curl -s -m 30 "$@" "$NODEX_URL/metrics" | grep -a -v -E "$VOLATILE_RE" >"$_f"
}

# compare N: the scrape of state-N against expected-N.txt.
compare() {
	if [ -n "${UPDATE:-}" ]; then
		cp "$tmp/s$1" "$GOLDEN/expected-$1.txt"
		echo "updated $GOLDEN/expected-$1.txt"
	elif diff -u "$GOLDEN/expected-$1.txt" "$tmp/s$1" >"$tmp/diff"; then
		ok "scrape $1 matches $GOLDEN/expected-$1.txt"
	else
		bad "scrape $1 differs from $GOLDEN/expected-$1.txt"
		head -n 60 "$tmp/diff"
	fi
}

success_of() {
	sed -n 's/^node_scrape_collector_success{collector="systemd"} //p' "$1"
}

OPTS="--collector.systemd.enable-restarts-metrics --collector.systemd.enable-start-time-metrics
--collector.systemd.enable-task-metrics"

set_state 1
start_bus || exit 1
# shellcheck disable=SC2086
start_nodex "$tmp/log" --collector.disable-defaults --collector.systemd $OPTS || exit 1

# ---- two scrapes, units changing in between ----
scrape "$tmp/s1"
compare 1
set_state 2
scrape "$tmp/s2"
compare 2

# ---- node_exporter on the same bus ----
if [ -x "$NE" ]; then
	port=$(free_port)
	# Debian's node_exporter 1.5.0 adds "target" to the default exclude; give both the upstream default.
	# shellcheck disable=SC2086
	"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.systemd $OPTS \
		--collector.systemd.unit-exclude='.+\.(automount|device|mount|scope|slice)' >"$tmp/ne.log" 2>&1 &
	ne_pid=$!
	if wait_http "http://127.0.0.1:$port/"; then
		for n in 1 2; do
			set_state $n
			curl -s -m 30 "http://127.0.0.1:$port/metrics" | grep -a -E '^(# (HELP|TYPE) )?node_systemd_' |
				grep -v virtualization_info >"$tmp/ne$n"
			scrape "$tmp/nx$n"
			grep -a -E '^(# (HELP|TYPE) )?node_systemd_' "$tmp/nx$n" | grep -v virtualization_info >"$tmp/nx$n.f"
			if [ -s "$tmp/ne$n" ] && diff -u "$tmp/ne$n" "$tmp/nx$n.f" >"$tmp/diff"; then
				ok "state $n: node_systemd_* as node_exporter $("$NE" --version 2>&1 | sed -n '1s/.*version \([^ ]*\).*/\1/p') has them"
			else
				bad "state $n: nodex and node_exporter differ"
				head -n 40 "$tmp/diff"
			fi
		done
	else
		bad "node_exporter did not start"
		cat "$tmp/ne.log"
	fi
	kill "$ne_pid"
	wait "$ne_pid" 2>/dev/null
	ne_pid=
else
	echo "skipped: $NE not installed, no comparison with node_exporter"
fi
set_state 2

# ---- about 200 units: what a scrape of the collector costs ----
{
	echo "manager Version=252.22-1~deb12u1 Virtualization=kvm SystemState=running"
	i=0
	while [ $i -lt 150 ]; do
		echo "unit svc$i.service loaded active running Type=notify NRestarts=0 TasksCurrent=3 TasksMax=4915 ActiveEnterTimestamp=1731000004400000"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 20 ]; do
		echo "unit sock$i.socket loaded active listening NAccepted=5 NConnections=1 NRefused=0 ActiveEnterTimestamp=1731000004400000"
		echo "unit tmr$i.timer loaded active waiting LastTriggerUSec=1731000004400000 ActiveEnterTimestamp=1731000004400000"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 30 ]; do
		echo "unit mnt$i.mount loaded active mounted Type=ext4"
		i=$((i + 1))
	done
} >"$tmp/state.new" && mv "$tmp/state.new" "$tmp/state"
durs=
for i in 1 2 3 4 5; do
	curl -s -m 30 "$NODEX_URL/metrics" >"$tmp/big"
	durs="$durs $(sed -n 's/^node_scrape_collector_duration_seconds{collector="systemd"} //p' "$tmp/big")"
done
if [ "$(success_of "$tmp/big")" = 1 ] && [ "$(grep -c '^node_systemd_unit_state{' "$tmp/big")" = 950 ]; then
	ok "240 units (190 kept): collector durations (s):$durs"
else
	bad "240 units: success $(success_of "$tmp/big"), $(grep -c '^node_systemd_unit_state{' "$tmp/big") unit_state series"
fi
set_state 2

# ---- systemd stops answering ----
kill -STOP "$fake_pid"
t0=$(date +%s.%N)
scrape "$tmp/h1" -H 'X-Prometheus-Scrape-Timeout-Seconds: 3'
t1=$(date +%s.%N)
elapsed=$(awk "BEGIN{print $t1 - $t0}")
if [ "$(success_of "$tmp/h1")" = 0 ] && awk "BEGIN{exit !($elapsed < 3.5)}"; then
	ok "stuck systemd: scrape answered in ${elapsed}s (deadline 2.5s) with success 0"
else
	bad "stuck systemd: scrape took ${elapsed}s, success $(success_of "$tmp/h1")"
fi
t0=$(date +%s.%N)
scrape "$tmp/h2" -H 'X-Prometheus-Scrape-Timeout-Seconds: 3'
t1=$(date +%s.%N)
elapsed=$(awk "BEGIN{print $t1 - $t0}")
if [ "$(success_of "$tmp/h2")" = 0 ] && awk "BEGIN{exit !($elapsed < 1)}" &&
	grep -q 'an earlier run is still blocked' "$tmp/log"; then
	ok "next scrape skips the stuck run at once (${elapsed}s)"
else
	bad "next scrape took ${elapsed}s, success $(success_of "$tmp/h2")"
fi
# The abandoned run gives up at its own deadline (10 s); a scrape with a longer deadline sees it fail.
sleep 9
t0=$(date +%s.%N)
scrape "$tmp/h3" -H 'X-Prometheus-Scrape-Timeout-Seconds: 15'
t1=$(date +%s.%N)
elapsed=$(awk "BEGIN{print $t1 - $t0}")
if [ "$(success_of "$tmp/h3")" = 0 ] && awk "BEGIN{exit !($elapsed > 9 && $elapsed < 11.5)}" &&
	grep -q 'err="D-Bus call .*timed out' "$tmp/log"; then
	ok "the collector's own deadline ends a run on a stuck bus (${elapsed}s, logged)"
else
	bad "stuck bus with a 15s scrape timeout: ${elapsed}s, success $(success_of "$tmp/h3")"
	tail -n 3 "$tmp/log"
fi
kill -CONT "$fake_pid"
scrape "$tmp/h4"
if [ "$(success_of "$tmp/h4")" = 1 ] && diff -q "$GOLDEN/expected-2.txt" "$tmp/h4" >/dev/null; then
	ok "recovers once systemd answers again"
else
	bad "no recovery after SIGCONT: success $(success_of "$tmp/h4")"
fi

# ---- no bus, then the bus comes back ----
stop_bus
t0=$(date +%s.%N)
scrape "$tmp/n1"
t1=$(date +%s.%N)
elapsed=$(awk "BEGIN{print $t1 - $t0}")
if [ "$(success_of "$tmp/n1")" = 0 ] && awk "BEGIN{exit !($elapsed < 1)}" &&
	! grep -q '^node_systemd_' "$tmp/n1" && grep -q "couldn't get dbus connection" "$tmp/log"; then
	ok "no bus: success 0 at once (${elapsed}s)"
else
	bad "no bus: ${elapsed}s, success $(success_of "$tmp/n1")"
fi
start_bus || exit 1
scrape "$tmp/n2"
if diff -q "$GOLDEN/expected-2.txt" "$tmp/n2" >/dev/null; then
	ok "bus restarted: reconnected"
else
	bad "bus restarted: scrape differs"
	diff -u "$GOLDEN/expected-2.txt" "$tmp/n2" | head -n 20
fi
stop_nodex

# ---- --collector.systemd.private ----
if [ ! -e /run/systemd/private ]; then
	start_nodex "$tmp/log2" --collector.disable-defaults --collector.systemd --collector.systemd.private || exit 1
	scrape "$tmp/p1"
	if [ "$(success_of "$tmp/p1")" = 0 ] && grep -q "couldn't get dbus connection" "$tmp/log2"; then
		ok "--collector.systemd.private without /run/systemd/private: success 0"
	else
		bad "--collector.systemd.private: success $(success_of "$tmp/p1")"
	fi
	stop_nodex
fi
echo "$fail failed"
[ "$fail" -eq 0 ]
