#!/bin/sh
# The whole sanitized binary (build-sanitize/nodex, made by make SANITIZE=1, which make test does) against
# mutated copies of our own fixture trees: tests/tools/hostile.py. Per mutation two scrapes, the input
# restored, a third; no sanitizer report, every scrape answered within --scrape.timeout, no duplicate
# series, nodex's own series always there, bounded logging, recovery once restored; then promtool and a
# real Prometheus on every distinct body. Seeded (HOSTILE_SEED, default 14) and reproducible; bounded in
# time (the mutations stop after 150 s, then the checks of the bodies). A failing input is kept under
# $NODEX_HOSTILE_KEEP (default /tmp/nodex-hostile-failures) with replay.sh and run-nodex.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=build-sanitize/nodex
if [ ! -x "$bin" ]; then
	echo "skipped: no $bin (make SANITIZE=1)"
	exit 0
fi
for tool in promtool prometheus python3; do
	command -v "$tool" >/dev/null || { echo "missing $tool (make test-deps)"; exit 1; }
done
exec python3 tests/tools/hostile.py --bin "$bin" --seed "${HOSTILE_SEED:-14}" \
	${HOSTILE_MUTATIONS:+--mutations "$HOSTILE_MUTATIONS"}
