#!/bin/sh
# Fuzz smoke test: builds every libFuzzer target (make fuzz, clang) and runs each once over its seed
# corpus (tests/fuzz/corpus/<target>, -runs=0: every seed once, no mutation), so that a target that no
# longer builds, or a seed that crashes, leaks or hangs, fails CI. The long campaign is
# tests/fuzz/campaign.sh, not part of make test. Skipped (passes) when clang is not installed.
set -u
cd "$(dirname "$0")/../.." || exit 1
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "clang not found: fuzz smoke test skipped"
	exit 0
fi
if ! make --no-print-directory -j2 fuzz >/tmp/fuzz-smoke-build.$$ 2>&1; then
	tail -n 40 /tmp/fuzz-smoke-build.$$
	rm -f /tmp/fuzz-smoke-build.$$
	echo "make fuzz failed"
	exit 1
fi
rm -f /tmp/fuzz-smoke-build.$$
fail=0
n=0
art=$(mktemp -d)
for t in $(make --no-print-directory fuzz-list); do
	bin=build-fuzz/fuzz_$t
	corpus=tests/fuzz/corpus/$t
	if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
		echo "fuzz_$t: no seed corpus in $corpus"
		fail=$((fail + 1))
		continue
	fi
	n=$((n + 1))
	log="$art/$t.log"
	# -runs=0 executes the seeds and stops; -timeout makes a hanging seed fail.
	if ! "$bin" -runs=0 -timeout=20 -artifact_prefix="$art/$t-" "$corpus" >"$log" 2>&1; then
		echo "fuzz_$t: a seed failed:"
		grep -E "ERROR|SUMMARY|Test unit written|fuzz_$t:" "$log" | head -n 20
		fail=$((fail + 1))
	elif ! grep -q "INITED" "$log"; then
		echo "fuzz_$t: did not run its corpus:"
		tail -n 5 "$log"
		fail=$((fail + 1))
	fi
done
rm -rf "$art"
echo "$n fuzz targets ran their seed corpora, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
