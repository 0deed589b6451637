#!/bin/sh
# The reliability run (tests/reliability/run.sh) in its quick form: 1,000 and 2,000 idle connections and
# 1,500 slow ones with a real scrape still answering, --web.connection-timeout closing idle and slow
# clients, RSS flat over 20,000 scrapes, malformed requests answered 4xx or closed, and a collector on a
# hung file costing the scrape at most its deadline. make reliability runs the full 100,000 scrapes.
cd "$(dirname "$0")/../.." || exit 1
exec tests/reliability/run.sh --quick
