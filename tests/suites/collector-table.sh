#!/bin/sh
# The collector table in src/collectors.c lists exactly the collectors defined in collectors/, sorted.
exec "$(dirname "$0")/../tools/collector-table.sh" --check
