#!/bin/sh
# Golden tests: runs the nodex binary on each fixture tree under tests/golden/<case>/root, scrapes it over
# HTTP and compares the exposition with tests/golden/<case>/expected.txt byte for byte.
#   <case>/args      flags, one per line; @ROOT@ is the case's root. Every case starts from
#                    --collector.disable-defaults with the paths pointed at its root.
#   <case>/filter    optional extended regex of further lines to leave out (time-dependent values).
#   tests/suites/golden.sh             every case
#   tests/suites/golden.sh CASE...     only the named cases (directory names under tests/golden/)
# UPDATE=1 tests/suites/golden.sh [CASE...] rewrites expected.txt (review the diff before committing it).
# GOLDEN_EXCLUDE=REGEX leaves the lines it matches out of both sides: a foreign build's run
# (tests/tools/arch-test.sh) excludes the families that parse x86's /proc/cpuinfo layout.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
fail=0
n=0
if [ $# -gt 0 ]; then
	dirs=""
	for c in "$@"; do
		c=${c%/}
		c=${c##*/}
		if [ ! -f "tests/golden/$c/args" ]; then
			echo "no golden case $c (the cases: $(cd tests/golden && echo */ | tr -d /))"
			exit 1
		fi
		dirs="$dirs tests/golden/$c/"
	done
else
	dirs=$(echo tests/golden/*/)
fi
for dir in $dirs; do
	[ -f "$dir/args" ] || continue
	case_name=$(basename "$dir")
	root=$(cd "$dir/root" && pwd)
	set -- --collector.disable-defaults --path.procfs="$root/proc" --path.sysfs="$root/sys" \
		--path.rootfs="$root" --path.udev.data="$root/udev"
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in '' | '#'*) continue ;; esac
		set -- "$@" "$(printf '%s' "$line" | sed "s#@ROOT@#$root#g")"
	done <"$dir/args"
	log=$(mktemp)
	out=$(mktemp)
	if ! start_nodex "$log" "$@"; then
		fail=$((fail + 1))
		continue
	fi
	curl -s "$NODEX_URL/metrics" | grep -a -v -E "$VOLATILE_RE" >"$out.raw"
	stop_nodex
	if [ -f "$dir/filter" ]; then
		grep -a -v -E -f "$dir/filter" "$out.raw" >"$out"
	else
		cp "$out.raw" "$out"
	fi
	n=$((n + 1))
	want=$dir/expected.txt
	if [ -n "${GOLDEN_EXCLUDE:-}" ] && [ -z "${UPDATE:-}" ]; then
		grep -a -v -E "$GOLDEN_EXCLUDE" "$want" >"$out.want"
		grep -a -v -E "$GOLDEN_EXCLUDE" "$out" >"$out.got"
		want=$out.want
		mv "$out.got" "$out"
	fi
	if [ -n "${UPDATE:-}" ]; then
		cp "$out" "$dir/expected.txt"
		echo "updated $case_name"
	elif ! diff -u "$want" "$out" >"$out.diff"; then
		echo "golden case $case_name differs:"
		head -n 80 "$out.diff"
		echo "--- nodex log:"
		tail -n 20 "$log"
		fail=$((fail + 1))
	else
		echo "golden case $case_name: ok"
	fi
	rm -f "$log" "$out" "$out.raw" "$out.diff" "$out.want"
done
echo "$n golden cases, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
