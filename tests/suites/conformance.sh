#!/bin/sh
# node_exporter's own expected output on its fixture tree (../shared, when it is beside the clone): at
# least 99% of the series must be exact. The shared copy of that tree has its symlinks flattened, so the
# score is taken on a copy with them restored (tests/tools/conformance-restored.sh). Without ../shared the
# suite says so and passes: the project's own tests do not need it.
set -u
cd "$(dirname "$0")/../.." || exit 1
shared=${SHARED:-../shared}
if [ ! -f "$shared/tools/conformance.py" ]; then
	echo "skipped: $shared/tools/conformance.py not found"
	exit 0
fi
out=$(tests/tools/conformance-restored.sh ./nodex --show 20 2>&1)
echo "$out" | tail -25
flat=$(python3 "$shared/tools/conformance.py" ./nodex --show 0 2>&1 | tail -1)
echo "on the shared tree as it is (flattened symlinks): $flat"
pct=$(echo "$out" | sed -n 's/^conformance: .*(\([0-9.]*\)%)$/\1/p' | tail -1)
awk "BEGIN{exit !(\"$pct\" != \"\" && $pct >= 99.0)}"
