#!/bin/sh
# The HTTP, protobuf, golden, coalescing and reliability suites once more against the ASan+UBSan build
# (build-sanitize/nodex, made by make SANITIZE=1, which make test does): they must pass, and neither
# sanitizer may report anything, leaks at exit included. The reports go to files (ASAN_OPTIONS /
# UBSAN_OPTIONS log_path), so a report from a process that a suite ran in the background is seen too.
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=build-sanitize/nodex
if [ ! -x "$bin" ]; then
	echo "skipped: no $bin (make SANITIZE=1)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export NODEX="$bin"
export ASAN_OPTIONS="log_path=$tmp/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$tmp/ubsan:print_stacktrace=1:halt_on_error=1"
for s in tests/suites/http.sh tests/suites/protobuf.sh tests/suites/golden.sh tests/suites/coalesce.sh \
	"tests/reliability/run.sh --quick --scrapes 2000"; do
	start=$(date +%s)
	if $s >"$tmp/out" 2>&1; then
		echo "ok: $s under ASan+UBSan ($(($(date +%s) - start)) s)"
	else
		echo "FAIL: $s under ASan+UBSan:"
		tail -n 40 "$tmp/out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
reports=$(ls "$tmp" | grep -E '^(asan|ubsan)\.' || true)
if [ -n "$reports" ]; then
	for r in $reports; do
		echo "FAIL: sanitizer report $r:"
		head -n 60 "$tmp/$r" | sed 's/^/    /'
	done
	fail=$((fail + 1))
else
	echo "ok: no ASan, LeakSanitizer or UBSan report"
fi
echo "$fail failed"
[ "$fail" -eq 0 ]
