#!/bin/sh
# One foreign architecture, end to end on this machine (tests/suites/arch-<arch>.sh call it):
#   1. cross-builds nodex and the unit tests with -Werror (make ARCH=<arch> WERROR=1 all units);
#   2. runs every unit test under qemu-user (tests/tools/run-arch), NODEX_QEMU_USER set so the few live
#      tests needing an interface qemu-user does not emulate say so and skip (tests/unit/harness.h);
#   3. runs the golden suite with that binary (NODEX = a two-line wrapper around run-arch);
#   4. when ../shared is beside the clone, scores it with conformance.py, default and --all.
# Golden and conformance must be exact except node_exporter's x86 /proc/cpuinfo families, which a build
# for another architecture parses in its own layout (procfs does the same; collectors/cpu.c). With
# CPUINFO_REFUSED=1 the architecture's parser refuses the x86 layout outright (s390x, as procfs), so the
# cpu collector also reports that error: node_scrape_collector_success{collector="cpu"} 0.
#   tests/tools/arch-test.sh ARCH
set -u
cd "$(dirname "$0")/../.." || exit 1
arch=${1:?usage: arch-test.sh ARCH}
shared=${SHARED:-../shared}
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0))s"; }

echo "== build: make ARCH=$arch WERROR=1 all units"
if ! nice make --no-print-directory -j2 ARCH="$arch" WERROR=1 all units >"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log"
	echo "FAIL: the $arch build failed"
	exit 1
fi
file -b "build-$arch/nodex" | cut -d, -f1-2
tests/tools/run-arch "$arch" "build-$arch/nodex" --version | head -n 1
echo "built ($(elapsed))"

echo "== unit tests under qemu-user"
n=0
bad=""
for src in tests/unit/test_*.c; do # one per source file, as in tests/run-all.sh
	t="build-$arch/tests/unit/$(basename "$src" .c)"
	n=$((n + 1))
	if ! NODEX_QEMU_USER=$arch timeout 300 tests/tools/run-arch "$arch" "$t" >"$tmp/unit.log" 2>&1; then
		bad="$bad $(basename "$t")"
		echo "FAIL $(basename "$t"):"
		tail -n 30 "$tmp/unit.log" | sed 's/^/    /'
	fi
	grep -h 'not emulated by qemu-user' "$tmp/unit.log" | sed "s/^/$(basename "$t"): /"
done
if [ -n "$bad" ]; then
	echo "unit tests failed under qemu-$arch:$bad"
	fail=1
else
	echo "$n unit tests passed ($(elapsed))"
fi

wrapper=$tmp/nodex-$arch
printf '#!/bin/sh\nexec %s/tests/tools/run-arch %s %s/build-%s/nodex "$@"\n' "$root" "$arch" "$root" "$arch" >"$wrapper"
chmod +x "$wrapper"

cpuinfo='node_cpu_(info|bug_info|flag_info|frequency_hertz)'
golden_exclude="^(# (HELP|TYPE) )?${cpuinfo}[ {]"
conf_allow='^$'
if [ "${CPUINFO_REFUSED:-}" = 1 ]; then
	golden_exclude="$golden_exclude|^node_scrape_collector_success\{collector=\"cpu\"\} "
	conf_allow="^  value differs node_scrape_collector_success\{'collector': 'cpu'\}: want 1.0 got 0.0$"
fi

echo "== golden suite (without the lines matching $golden_exclude)"
if NODEX=$wrapper GOLDEN_EXCLUDE=$golden_exclude tests/suites/golden.sh >"$tmp/golden.log" 2>&1; then
	tail -n 1 "$tmp/golden.log"
else
	grep -v ': ok$' "$tmp/golden.log" | tail -n 60
	fail=1
fi
echo "($(elapsed))"

if [ ! -f "$shared/tools/conformance.py" ]; then
	echo "== conformance skipped: $shared/tools/conformance.py not found"
else
	for mode in default --all; do
		echo "== conformance $mode"
		all=
		[ "$mode" = --all ] && all=--all
		python3 "$shared/tools/conformance.py" "$wrapper" $all --show 100000 >"$tmp/conf.log" 2>&1
		tail -n 1 "$tmp/conf.log"
		unexpected=$(grep -E '^(  |flags )' "$tmp/conf.log" |
			grep -v -E "^  missing (family|series) $cpuinfo(\{|$)" | grep -v -E "$conf_allow" || true)
		if ! grep -q -E '^conformance: [0-9]+/[0-9]+ series exact' "$tmp/conf.log"; then
			tail -n 30 "$tmp/conf.log"
			fail=1
		elif [ -n "$unexpected" ]; then
			echo "not exact beyond the x86 cpuinfo families:"
			echo "$unexpected" | head -n 40
			fail=1
		fi
	done
	echo "($(elapsed))"
fi
[ "$fail" -eq 0 ] && echo "PASS $arch ($(elapsed))"
exit "$fail"
