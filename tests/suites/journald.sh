#!/bin/sh
# Logging to a real systemd-journald. nodex writes native journal entries with priorities when
# $JOURNAL_STREAM names its stderr, as systemd sets it for a service. No systemd runs here, so the suite
# starts Debian's systemd-journald itself, in a private mount namespace (unshare -m) with tmpfs over
# /run/systemd, /run/log and /var/log/journal, so the host's journal is not touched. systemd-cat connects
# nodex's stderr to journald's stdout stream, as systemd does for StandardError=journal; the suite sets
# JOURNAL_STREAM to that stream's device and inode.
#
# Checks, on what journalctl reads back: the start-up line arrives as a native entry (_TRANSPORT=journal)
# with PRIORITY=6 and nodex's fields; a broken textfile arrives once, with PRIORITY=4 and NODEX_NAME=
# textfile, although the scrape ran twice; nothing is written twice (no logfmt on the stream). Without
# JOURNAL_STREAM the same nodex writes logfmt lines to the stream instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
journald=/lib/systemd/systemd-journald
if [ "$(id -u)" != 0 ] || [ ! -x "$journald" ] || ! command -v unshare >/dev/null || ! command -v systemd-cat >/dev/null; then
	echo "skipped: needs root, unshare, systemd-cat and $journald (Debian package systemd)"
	exit 0
fi
if [ -z "${NODEX_JOURNALD_NS:-}" ] && ! unshare -m true 2>/dev/null; then
	echo "skipped: this machine does not allow a private mount namespace (unshare -m)"
	exit 0
fi
if [ -z "${NODEX_JOURNALD_NS:-}" ]; then
	NODEX_JOURNALD_NS=1 exec unshare -m "$0" "$@"
fi

tmp=$(mktemp -d)
jpid=
trap 'stop_nodex; [ -n "$jpid" ] && kill "$jpid" 2>/dev/null; rm -rf "$tmp"' EXIT

mount --make-rprivate / 2>/dev/null
for d in /run/systemd /run/log /var/log/journal; do
	[ -d "$d" ] || continue
	mount -t tmpfs tmpfs "$d" || { echo "FAIL: cannot mount a tmpfs on $d"; exit 1; }
done
mkdir -p /run/systemd/journal /run/log/journal
"$journald" >"$tmp/journald.log" 2>&1 &
jpid=$!
i=0
while [ ! -S /run/systemd/journal/stdout ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -S /run/systemd/journal/stdout ] || { cat "$tmp/journald.log"; echo "FAIL: journald did not start"; exit 1; }

mkdir -p "$tmp/textfile" "$tmp/proc"
printf 'bad{ 1\n' >"$tmp/textfile/bad.prom"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"

# run_under_journal TAG JOURNAL(1|0): nodex with stderr on journald's stream, two scrapes, SIGTERM.
run_under_journal() {
	port=$(free_port)
	# shellcheck disable=SC2016 # expanded by the inner shell, whose stderr is the stream
	systemd-cat -t "$1" sh -c 'if [ "$0" = 1 ]; then JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); export JOURNAL_STREAM; fi; exec "$@"' \
		"$2" "$NODEX" --collector.disable-defaults --collector.loadavg --collector.textfile \
		--collector.textfile.directory="$tmp/textfile" --path.procfs="$tmp/proc" \
		--web.listen-address="127.0.0.1:$port" &
	NODEX_PID=$!
	if ! wait_http "http://127.0.0.1:$port/"; then
		bad "$1: nodex did not start"
		return
	fi
	curl -s -o /dev/null "http://127.0.0.1:$port/metrics"
	curl -s -o /dev/null "http://127.0.0.1:$port/metrics"
	stop_nodex
}

# journal_json: every entry so far, one JSON object per line. journald may not have written the last
# entries yet: wait until the shutdown line of each run is there.
journal_json() {
	i=0
	while [ $i -lt 100 ]; do
		journalctl -D /run/log/journal -o json --no-pager >"$tmp/journal.json" 2>/dev/null
		[ "$(grep -c 'Shutting down' "$tmp/journal.json")" -ge "$1" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

run_under_journal nodex-native 1
run_under_journal nodex-plain 0
journal_json 2 || bad "journald did not record both runs"

python3 - "$tmp/journal.json" <<'PY' || fail=$((fail + 1))
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad += not cond

native = [e for e in entries if e.get("_TRANSPORT") == "journal" and e.get("SYSLOG_IDENTIFIER") == "nodex"]
stream_native = [e for e in entries if e.get("_TRANSPORT") == "stdout" and e.get("SYSLOG_IDENTIFIER") == "nodex-native"]
stream_plain = [e for e in entries if e.get("_TRANSPORT") == "stdout" and e.get("SYSLOG_IDENTIFIER") == "nodex-plain"]

listen = [e for e in native if e.get("MESSAGE", "").startswith("Listening on")]
check(len(listen) == 1 and listen[0].get("PRIORITY") == "6" and listen[0].get("NODEX_ADDRESS", "").startswith("127.0.0.1:"),
      "start-up line is a native entry, PRIORITY=6, NODEX_ADDRESS field")
check(all(e.get("CODE_FILE") and e.get("CODE_LINE") for e in native), "native entries carry CODE_FILE and CODE_LINE")
warn = [e for e in native if "collector reported a problem" in e.get("MESSAGE", "")]
check(len(warn) == 1, "the broken textfile is logged once over two scrapes (got %d)" % len(warn))
check(bool(warn) and warn[0].get("PRIORITY") == "4" and warn[0].get("NODEX_NAME") == "textfile"
      and "bad.prom" in warn[0].get("NODEX_ERR", ""), "it has PRIORITY=4, NODEX_NAME=textfile and the file in NODEX_ERR")
check(any(e.get("MESSAGE", "").startswith("Shutting down") for e in native), "the shutdown line is a native entry")
check(not stream_native, "with JOURNAL_STREAM nothing goes to the stream as well (got %d lines)" % len(stream_native))
plain_msgs = [e.get("MESSAGE", "") for e in stream_plain]
check(any("level=info" in m and 'msg="Listening on"' in m for m in plain_msgs)
      and any("level=warn" in m and "bad.prom" in m for m in plain_msgs),
      "without JOURNAL_STREAM the lines are logfmt on the stream (%d lines)" % len(plain_msgs))
sys.exit(1 if bad else 0)
PY
[ "$fail" -eq 0 ] || { echo "journal:"; journalctl -D /run/log/journal --no-pager -o short 2>/dev/null | tail -n 30; }
exit "$fail"
