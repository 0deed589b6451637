#!/bin/sh
# Fleet simulation: one Prometheus scrapes FLEET_SIZE (default 60) nodex instances on loopback every
# second, with the shipped rules loaded, for FLEET_SECONDS (default 30). Each instance runs as the
# DaemonSet runs it (deploy/kubernetes/daemonset.yaml's arguments: every default collector, the
# filesystem excludes, the container collector) on this machine's /proc, /sys and /, except that its
# cgroup tree and kubelet log directories are a k3s node's (a copy of tests/golden/container-v2-systemd:
# 8 pods in namespaces phoenix and kube-system, 24 cgroups with the system services): a full scrape of
# a small node, host and container series.
# Reports what Prometheus measures: samples per scrape, scrape durations (scrape_duration_seconds),
# the interval between scrapes (prometheus_target_interval_length_seconds), rule evaluation time,
# Prometheus's own resident memory, and nodex's memory and CPU. Fails when a target is down (a scrape
# that overran its timeout counts), a rule is unhealthy, or a dashboard expression
# (deploy/kubernetes/dashboards) returns nothing from the fleet's series. The durations and intervals are
# reported, not asserted: on a shared machine they measure the load as much as nodex (benchmarks belong
# in make bench).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/deploy/lib.sh
need_node_modules
need_cmd node prometheus curl python3
N=${FLEET_SIZE:-60}
DURATION=${FLEET_SECONDS:-30}
T=$(mktemp -d)
trap cleanup EXIT INT TERM
fail=0

# The node: this machine's /sys with the k3s node's cgroup tree in place of /sys/fs/cgroup.
cp -a tests/golden/container-v2-systemd/root "$T/k8s"
mkdir -p "$T/sys/fs"
for e in /sys/*; do [ "${e##*/}" = fs ] || ln -s "$e" "$T/sys/${e##*/}"; done
for e in /sys/fs/*; do [ "${e##*/}" = cgroup ] || ln -s "$e" "$T/sys/fs/${e##*/}"; done
ln -s "$T/k8s/sys/fs/cgroup" "$T/sys/fs/cgroup"

addrs=""
i=1
while [ "$i" -le "$N" ]; do
	port=$(free_port)
	daemonset_args /proc "$T/sys" / "127.0.0.1:$port" >"$T/args" || exit 1
	# shellcheck disable=SC2046 # one argument per line, none with spaces
	"$NODEX" $(cat "$T/args") --collector.container.pod-logs-dir="$T/k8s/var/log/pods" \
		--collector.container.container-logs-dir="$T/k8s/var/log/containers" >"$T/nodex$i.log" 2>&1 &
	track_pid $!
	addrs="$addrs 127.0.0.1:$port"
	i=$((i + 1))
done
for a in $addrs; do
	wait_for 10 curl -sf -o /dev/null "http://$a/" || { echo "FAIL nodex on $a did not start"; exit 1; }
done
curl -sf "http://$(echo "$addrs" | awk '{print $1}')/metrics" >"$T/one.prom"
echo "$N nodex instances running the DaemonSet's arguments: $(grep -vc '^#' "$T/one.prom") samples per scrape" \
	"($(grep -c '^container_' "$T/one.prom") container_*), $(grep -c '^node_scrape_collector_success' "$T/one.prom") collectors"

mkdir -p "$T/rules"
cp deploy/prometheus/rules/*.rules.yml "$T/rules/"
PROM_PORT=$(free_port)
# shellcheck disable=SC2086
node tests/deploy/prometheus-config.js fleet "$T/prometheus.yml" "$T/rules/*.rules.yml" -- "127.0.0.1:$PROM_PORT" $addrs || exit 1
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
	--log.level=warn >"$T/prometheus.log" 2>&1 &
track_pid $!
P="http://127.0.0.1:$PROM_PORT"
wait_for 30 curl -sf "$P/-/ready" || { echo "FAIL Prometheus did not start"; tail "$T/prometheus.log"; exit 1; }
all_up() { [ "$(prom_scalar "$P" 'count(up{job="node-exporter"} == 1)')" = "$N" ]; }
wait_for 30 all_up || { echo "FAIL not all $N targets up within 30s: $(prom_scalar "$P" 'count(up{job="node-exporter"} == 1)')"; exit 1; }
echo "all $N targets up; scraping every 1s for ${DURATION}s"
sleep "$DURATION"

q() { prom_scalar "$P" "$1"; }
W="${DURATION}s"
# A target that failed any scrape in the window, a timeout included.
down=$(q "count(min_over_time(up{job=\"node-exporter\"}[$W]) == 0) or vector(0)")
series=$(q 'avg(scrape_samples_scraped{job="node-exporter"})')
sd_avg=$(q "avg(avg_over_time(scrape_duration_seconds{job=\"node-exporter\"}[$W]))")
sd_max=$(q "max(max_over_time(scrape_duration_seconds{job=\"node-exporter\"}[$W]))")
sd_p99=$(q "quantile(0.99, quantile_over_time(0.99, scrape_duration_seconds{job=\"node-exporter\"}[$W]))")
il_p50=$(q 'prometheus_target_interval_length_seconds{interval="1s",quantile="0.5"}')
il_p99=$(q 'prometheus_target_interval_length_seconds{interval="1s",quantile="0.99"}')
il_n=$(q 'prometheus_target_interval_length_seconds_count{interval="1s"}')
rules_dur=$(q "max(max_over_time(prometheus_rule_group_last_duration_seconds[$W]))")
prom_rss=$(q 'process_resident_memory_bytes{job="prometheus"}')
prom_heap=$(q 'go_memstats_heap_inuse_bytes{job="prometheus"}')
prom_cpu=$(q "rate(process_cpu_seconds_total{job=\"prometheus\"}[$W])")
head_series=$(q 'prometheus_tsdb_head_series')
nodex_rss_avg=$(q 'avg(process_resident_memory_bytes{job="node-exporter"})')
nodex_rss_max=$(q 'max(process_resident_memory_bytes{job="node-exporter"})')
nodex_cpu=$(q "avg(rate(process_cpu_seconds_total{job=\"node-exporter\"}[$W]))")
unhealthy=$(curl -sf "$P/api/v1/rules" | python3 -c '
import json, sys
print(sum(1 for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"] if r["health"] != "ok" or r.get("lastError")))')

python3 - "$N" "$DURATION" "$series" "$sd_avg" "$sd_p99" "$sd_max" "$il_p50" "$il_p99" "$il_n" "$rules_dur" "$prom_rss" "$prom_heap" \
	"$prom_cpu" "$head_series" "$nodex_rss_avg" "$nodex_rss_max" "$nodex_cpu" <<'EOF'
import sys
a = sys.argv[1:]
f = lambda i: float(a[i]) if a[i] not in ("", "NaN") else float("nan")
print(f"fleet: {a[0]} nodex targets, 1s scrape and rule interval, {a[1]}s measured, {f(2):.0f} samples per scrape")
print(f"  scrape_duration_seconds              avg {f(3)*1e3:.2f} ms, p99 {f(4)*1e3:.2f} ms, max {f(5)*1e3:.2f} ms")
print(f"  prometheus_target_interval_length    p50 {f(6):.4f} s, p99 {f(7):.4f} s ({f(8):.0f} scrapes)")
print(f"  rule group evaluation (max)          {f(9)*1e3:.2f} ms")
print(f"  Prometheus process_resident_memory   {f(10)/2**20:.1f} MiB (Go heap in use {f(11)/2**20:.1f} MiB), CPU {f(12)*100:.1f}% of a core, {f(13):.0f} head series")
print(f"  nodex process_resident_memory        avg {f(14)/2**20:.2f} MiB, max {f(15)/2**20:.2f} MiB; CPU {f(16)*1e3:.3f} ms/s at 1 scrape/s")
EOF

# Every dashboard expression (panels and variables) returns series from the fleet's data.
node tests/deploy/rules-tool.js dashboard-exprs deploy/kubernetes/dashboards/nodex-phoenix.json >"$T/dash.jsonl" || fail=1
python3 - "$P" "$T/dash.jsonl" <<'EOF' || fail=1
import json, sys, urllib.parse, urllib.request
P, path = sys.argv[1], sys.argv[2]
empty, n = [], 0
for line in open(path):
    e = json.loads(line)
    n += 1
    url = P + "/api/v1/query?" + urllib.parse.urlencode({"query": e["expr"]})
    with urllib.request.urlopen(url, timeout=10) as r:
        res = json.load(r)["data"]["result"]
    if not res:
        empty.append(e["where"])
if empty:
    print("FAIL dashboard expressions with no data from the fleet: " + "; ".join(empty))
    sys.exit(1)
print(f"ok   all {n} dashboard expressions return series from the fleet's data")
EOF

[ "$down" = 0 ] || { echo "FAIL $down targets missed a scrape"; fail=1; }
[ "$unhealthy" = 0 ] || { echo "FAIL $unhealthy rules unhealthy"; fail=1; }
[ -n "$sd_max" ] && [ -n "$il_p99" ] || { echo "FAIL Prometheus reported no scrape durations or intervals"; fail=1; }
[ "$fail" -eq 0 ] && echo "ok   fleet of $N: every target up, every rule healthy"
exit $fail
