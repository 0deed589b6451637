# Shell helpers shared by the suites in tests/suites/. Source it: . tests/lib.sh
# shellcheck shell=sh

NODEX=${NODEX:-./nodex}

# Prints a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [tries]: waits until URL answers (any status). Returns 1 on timeout.
wait_http() {
	i=0
	while [ "$i" -lt "${2:-100}" ]; do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# start_nodex LOGFILE ARGS...: starts nodex in the background on a free port; sets NODEX_PID and
# NODEX_URL. Returns 1 when it does not answer.
start_nodex() {
	_log=$1
	shift
	_port=$(free_port)
	"$NODEX" --web.listen-address="127.0.0.1:$_port" "$@" >"$_log" 2>&1 &
	NODEX_PID=$!
	NODEX_URL="http://127.0.0.1:$_port"
	if ! wait_http "$NODEX_URL/"; then
		echo "nodex did not start; log:" >&2
		cat "$_log" >&2
		return 1
	fi
}

stop_nodex() {
	[ -n "${NODEX_PID:-}" ] && kill "$NODEX_PID" 2>/dev/null && wait "$NODEX_PID" 2>/dev/null
	NODEX_PID=
}

# Families that change from run to run and are not part of a golden comparison.
VOLATILE_RE='^(# (HELP|TYPE) )?(process_|promhttp_|go_|node_exporter_build_info|node_scrape_collector_duration_seconds)'

# Bookkeeping of a suite's checks: ok and bad print one result each, check NAME CONDITION evaluates the
# condition; fail counts what failed (the suite ends with: echo "$fail failed"; [ "$fail" -eq 0 ]).
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# Background processes a suite started: add each pid to PIDS; stop_pids kills and reaps them (at exit).
PIDS=""
stop_pids() {
	for _p in $PIDS; do kill "$_p" 2>/dev/null && wait "$_p" 2>/dev/null; done
	PIDS=""
}
