#!/bin/bash
# The fuzzing campaign: runs each fuzz target for a fixed time (default 600 s), at most JOBS at a time
# (default 2), at nice 10, and writes one summary line per target (bash, for wait -n). Resumable: a target with a result in
# OUT/<target>/result is skipped, so the script can be started again after an interruption; --rerun
# runs the named targets again. Meant to run detached:
#
#   setsid nohup tests/fuzz/campaign.sh >build-fuzz/campaign.log 2>&1 &
#
# Options: -t SECONDS  time per target     -j JOBS  parallel runs     -o OUT  output directory
#          (default build-fuzz/campaign)   --rerun  forget earlier results of the named targets
#          --report  print the latest result of every target as a Markdown table and exit
# Arguments: target names (make fuzz-list); default every target.
#
# Each target runs a copy of its binary (so that rebuilding during the campaign changes nothing) with its
# dictionary, on OUT/<target>/corpus (new inputs go there) plus tests/fuzz/corpus/<target> (read only).
# Crashes, leaks, timeouts (-timeout=25 s per input) and out-of-memory inputs land in OUT/<target>/ as
# crash-*, leak-*, timeout-*, oom-*. OUT/summary.tsv gets:
#   target  seconds  executions  exec/s  coverage(cov)  features(ft)  corpus  crashes  revision  status
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=600
jobs=2
out=build-fuzz/campaign
rerun=0
report=0
while [ $# -gt 0 ]; do
	case "$1" in
	-t) secs=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--rerun) rerun=1; shift ;;
	--report) report=1; shift ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
targets=${*:-$(make --no-print-directory fuzz-list)}
if [ "$report" = 1 ]; then
	echo "| target | minutes | executions | exec/s | cov | crashes | revision | status |"
	echo "|---|---:|---:|---:|---:|---:|---|---|"
	for t in $targets; do
		[ -f "$out/$t/result" ] || { echo "| $t | - | - | - | - | - | - | not run |"; continue; }
		IFS='	' read -r name s x e c f k n r st <"$out/$t/result"
		printf '| %s | %.1f | %s | %s | %s | %s | %s | %s |\n' "$name" "$(awk "BEGIN { print $s / 60 }")" "$x" "$e" "$c" "$n" "$r" "$st"
	done
	exit 0
fi
mkdir -p "$out"
summary=$out/summary.tsv
[ -f "$summary" ] || printf 'target\tseconds\texecutions\texec_per_s\tcov\tft\tcorpus\tcrashes\trevision\tstatus\n' >"$summary"
make --no-print-directory -j2 fuzz >"$out/build.log" 2>&1 || { echo "make fuzz failed, see $out/build.log"; exit 1; }

# The revision a target's binary was built from: each target is rebuilt when it starts (one make at a
# time), so fixes committed during a long campaign reach the targets that have not run yet.
revision() {
	r=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD -- src include collectors tests/fuzz 2>/dev/null || r="$r+dirty"
	echo "$r"
}

run_one() {
	t=$1
	d=$out/$t
	mkdir -p "$d/corpus"
	if flock "$out/.make.lock" make --no-print-directory "build-fuzz/fuzz_$t" >>"$out/build.log" 2>&1; then
		rev=$(revision)
	else
		rev="?(build failed, earlier binary)"
	fi
	cp "build-fuzz/fuzz_$t" "$d/bin"
	dict=tests/fuzz/dict/$t.dict
	[ -f "$dict" ] || dict=tests/fuzz/dict/$(echo "$t" | sed 's/_server$//').dict
	set -- -max_total_time="$secs" -timeout=25 -print_final_stats=1 -artifact_prefix="$d/"
	[ -f "$dict" ] && set -- "$@" -dict="$dict"
	start=$(date +%s)
	nice -n 10 "$d/bin" "$@" "$d/corpus" "tests/fuzz/corpus/$t" >"$d/log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$d/log" | grep -E 'cov: ' | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	crashes=$(ls "$d" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-')
	status=ok
	[ "$rc" -ne 0 ] && status="exit $rc"
	[ "$crashes" -gt 0 ] && status=crash
	line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$t" "$((end - start))" "${execs:-?}" "${eps:-?}" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes" "$rev" "$status")
	echo "$line" >"$d/result"
	echo "$line" >>"$summary"
	echo "$(date '+%F %T') $line"
}

running=0
for t in $targets; do
	if [ ! -x "build-fuzz/fuzz_$t" ]; then
		echo "no target fuzz_$t"
		continue
	fi
	if [ "$rerun" = 1 ]; then
		# Earlier findings are kept in OUT/<target>/earlier/.
		rm -f "$out/$t/result"
		mkdir -p "$out/$t/earlier"
		for f in "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-* "$out/$t"/oom-* "$out/$t"/slow-unit-*; do
			[ -e "$f" ] && mv "$f" "$out/$t/earlier/"
		done
		[ -f "$out/$t/log" ] && mv "$out/$t/log" "$out/$t/earlier/log.$(date +%s)"
	fi
	[ -f "$out/$t/result" ] && continue
	if [ "$running" -ge "$jobs" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
	echo "$(date '+%F %T') start $t"
	run_one "$t" &
	running=$((running + 1))
done
wait
echo "$(date '+%F %T') campaign done: $summary"
