#!/bin/sh
# Concurrent identical scrapes share one collection: two Prometheus replicas scraping at the same moment
# cost one read of each kernel file, and both get the same bytes. Different collect[] selections are not
# merged. The proof is the number of times the files were read: procfs is a FUSE mount (tests/tools/slowfs)
# that answers each open after a second and reports it, so a collection takes 2 s (loadavg, then meminfo)
# and every collection shows as one open per file. Needs root and /dev/fuse; without them the suite says
# so and passes.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
SLOWFS=build/tests/tools/slowfs
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ] || [ ! -x "$SLOWFS" ]; then
	echo "skipped: needs root, /dev/fuse and $SLOWFS"
	exit 0
fi
tmp=$(mktemp -d)
mkdir -p "$tmp/proc" "$tmp/src"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/src/loadavg"
printf 'MemTotal: 1000 kB\nMemFree: 500 kB\n' >"$tmp/src/meminfo"
"$SLOWFS" "$tmp/proc" 1 loadavg="$tmp/src/loadavg" meminfo="$tmp/src/meminfo" >"$tmp/slowfs.out" 2>&1 &
slowfs_pid=$!
cleanup() {
	stop_nodex
	kill "$slowfs_pid" 2>/dev/null
	wait "$slowfs_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
i=0
until grep -q ready "$tmp/slowfs.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "slowfs did not mount"; cat "$tmp/slowfs.out"; exit 1; }
	sleep 0.05
done
start_nodex "$tmp/log" --collector.disable-defaults --collector.loadavg --collector.meminfo \
	--path.procfs="$tmp/proc" || exit 1

# opens FILE: how many times FILE was opened since the last mark.
mark() { mark_at=$(grep -c '^open ' "$tmp/slowfs.out"); }
opens() { tail -n +"$((mark_at + 2))" "$tmp/slowfs.out" | grep -c "^open $1\$"; }
now() { date +%s.%N; }
elapsed() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
# get NAME [CURL_ARGS...] [QUERY]: a scrape in the background; its body in $tmp/NAME, its end in $tmp/NAME.end.
get() {
	_name=$1
	_query=$2
	shift 2
	(curl -s -m 30 -o "$tmp/$_name" -w '%{http_code}' "$@" "$NODEX_URL/metrics$_query" >"$tmp/$_name.code"
	 now >"$tmp/$_name.end") &
}

# Two identical scrapes 0.3 s apart: one collection, one body.
mark
t0=$(now)
get a ""
pa=$!
sleep 0.3
get b ""
pb=$!
wait "$pa" "$pb"
ta=$(elapsed "$t0" "$(cat "$tmp/a.end")")
tb=$(elapsed "$t0" "$(cat "$tmp/b.end")")
echo "two identical scrapes 0.3 s apart: answered at ${ta}s and ${tb}s; loadavg opened $(opens loadavg)x, meminfo $(opens meminfo)x"
[ "$(cat "$tmp/a.code")" = 200 ] && [ "$(cat "$tmp/b.code")" = 200 ] && ok "both answered 200" || bad "codes $(cat "$tmp/a.code") $(cat "$tmp/b.code")"
[ "$(opens loadavg)" = 1 ] && [ "$(opens meminfo)" = 1 ] && ok "each file read once: one collection" ||
	bad "files read $(opens loadavg) and $(opens meminfo) times"
cmp -s "$tmp/a" "$tmp/b" && ok "the same bytes, durations and all" || bad "bodies differ"
grep -q '^node_load1 0.5$' "$tmp/a" && grep -q '^node_memory_MemFree_bytes 512000$' "$tmp/a" &&
	ok "the shared body has both collectors' data" || bad "shared body incomplete"
awk "BEGIN{exit !($tb < 3)}" && ok "the second answered with the first (${tb}s < 3s; its own collection would end at ~4s)" ||
	bad "second scrape took ${tb}s"

# A burst like several replicas and a dashboard: 8 scrapes within 0.4 s, plain and gzip, one with a
# shorter X-Prometheus-Scrape-Timeout-Seconds.
mark
pids=
for n in 1 2 3 4 5 6 7 8; do
	case $n in
	2 | 5) get "c$n" "" -H 'Accept-Encoding: gzip' ;;
	7) get "c$n" "" -H 'X-Prometheus-Scrape-Timeout-Seconds: 5' ;;
	*) get "c$n" "" ;;
	esac
	pids="$pids $!"
	sleep 0.05
done
wait $pids
codes=$(cat "$tmp"/c?.code | tr -d '\n')
echo "8 scrapes in a burst: codes $codes; loadavg opened $(opens loadavg)x, meminfo $(opens meminfo)x"
[ "$codes" = 200200200200200200200200 ] && ok "all 8 answered 200" || bad "codes $codes"
[ "$(opens loadavg)" = 1 ] && [ "$(opens meminfo)" = 1 ] && ok "8 scrapes, one collection" ||
	bad "files read $(opens loadavg) and $(opens meminfo) times"
same=1
for n in 3 4 6 7 8; do cmp -s "$tmp/c1" "$tmp/c$n" || same=0; done
for n in 2 5; do gzip -dc <"$tmp/c$n" | cmp -s "$tmp/c1" - || same=0; done
[ $same = 1 ] && ok "gzip and plain answers carry the same text" || bad "answers differ"

# Different selections are not merged: each gets its own collection and only its collector's data.
mark
t0=$(now)
get l "?collect[]=loadavg" -g
pl=$!
sleep 0.3
get m "?collect[]=meminfo" -g
pm=$!
wait "$pl" "$pm"
tl=$(elapsed "$t0" "$(cat "$tmp/l.end")")
tm=$(elapsed "$t0" "$(cat "$tmp/m.end")")
echo "collect[]=loadavg and collect[]=meminfo 0.3 s apart: answered at ${tl}s and ${tm}s; loadavg opened $(opens loadavg)x, meminfo $(opens meminfo)x"
grep -q '^node_load1 ' "$tmp/l" && ! grep -q '^node_memory_' "$tmp/l" && ok "loadavg's answer has only loadavg" ||
	bad "loadavg's answer has other data"
grep -q '^node_memory_MemFree_bytes ' "$tmp/m" && ! grep -q '^node_load1 ' "$tmp/m" &&
	ok "meminfo's answer has only meminfo" || bad "meminfo's answer has other data"
[ "$(opens loadavg)" = 1 ] && [ "$(opens meminfo)" = 1 ] && ok "each read once, by its own collection" ||
	bad "files read $(opens loadavg) and $(opens meminfo) times"
awk "BEGIN{exit !($tm >= $tl + 0.8)}" && ok "meminfo's collection ran after loadavg's, not merged into it" ||
	bad "meminfo answered at ${tm}s, loadavg at ${tl}s"

# A scrape that arrives after a collection ended gets a fresh one, never the previous bytes.
mark
get s1 ""
wait $!
get s2 ""
wait $!
[ "$(opens loadavg)" = 2 ] && ! cmp -s "$tmp/s1" "$tmp/s2" && ok "one scrape after another: two collections" ||
	bad "sequential scrapes read loadavg $(opens loadavg) times"
echo "$fail failed"
[ "$fail" -eq 0 ]
