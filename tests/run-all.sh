#!/bin/sh
# Runs every test: each unit-test executable (normal and ASan+UBSan builds), then each suite script in
# tests/suites/ (golden files, HTTP behaviour, promtool, the differential test against node_exporter,
# deploy manifests, ...). The last line is the summary CI reads: "N passed, N failed".
#   tests/run-all.sh                 everything
#   tests/run-all.sh --unit-only DIR unit tests of one build directory
#   tests/run-all.sh SUITE...        only the named suites (file names in tests/suites/)
set -u
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
failures=""

run() {
	name=$1
	shift
	log=$(mktemp)
	start=$(date +%s.%N)
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		status=ok
	else
		failed=$((failed + 1))
		failures="$failures $name"
		status=FAIL
	fi
	end=$(date +%s.%N)
	printf '%-4s %-40s %6.2fs\n' "$status" "$name" "$(awk "BEGIN{print $end - $start}")"
	if [ "$status" = FAIL ] || [ -n "${VERBOSE:-}" ]; then
		sed 's/^/    /' "$log" | tail -n 60
	fi
	rm -f "$log"
}

units() {
	# One per source file: a binary left in the build directory by a test since removed or renamed is
	# not run, and a missing one fails.
	for src in tests/unit/test_*.c; do
		t="$1/tests/unit/$(basename "$src" .c)"
		run "unit$( [ "$1" = build-sanitize ] && echo '[asan]')/$(basename "$t")" "$t"
	done
}

if [ "${1:-}" = "--unit-only" ]; then
	units "${2:-build}"
else
	if [ $# -eq 0 ]; then
		units build
		[ -d build-sanitize ] && units build-sanitize
		set -- $(ls tests/suites/ 2>/dev/null)
	fi
	for s in "$@"; do
		s=$(basename "$s")
		[ -x "tests/suites/$s" ] || continue
		run "suite/$s" "tests/suites/$s"
	done
fi
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
