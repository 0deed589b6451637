#!/bin/sh
# Writes src/collectors.c from the collectors defined in collectors/*.c (each file defines its row with
# `COLLECTOR(<name>, ...)`, include/collector.h). The table stays an explicit, reviewed list; this script only
# saves typing and resolves merge conflicts. `--check` fails when the committed table is stale.
set -eu
cd "$(dirname "$0")/../.."
names=$(sed -n 's/^COLLECTOR(\([a-z0-9_]*\),.*/\1/p' collectors/*.c | LC_ALL=C sort)
out=$(mktemp)
{
	echo '/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in'
	echo ' * collectors/ and one row here (tests/tools/collector-table.sh writes the rows from collectors/). */'
	echo '#include "collector.h"'
	echo
	for n in $names; do echo "extern const struct collector collector_$n;"; done
	echo
	echo 'const struct collector *const collector_table[] = {'
	for n in $names; do printf '\t&collector_%s,\n' "$n"; done
	echo '};'
	echo
	echo 'const size_t collector_count = ARRAY_SIZE(collector_table);'
} >"$out"
if [ "${1:-}" = "--check" ]; then
	if ! cmp -s "$out" src/collectors.c; then
		echo "src/collectors.c is stale: run tests/tools/collector-table.sh"
		diff -u src/collectors.c "$out" || true
		rm -f "$out"
		exit 1
	fi
	rm -f "$out"
	echo "collector table matches collectors/"
	exit 0
fi
mv "$out" src/collectors.c
