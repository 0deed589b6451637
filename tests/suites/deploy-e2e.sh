#!/bin/sh
# End to end: a real Prometheus (Debian's /usr/bin/prometheus) scrapes a running nodex on loopback
# with the shipped bare-host configuration and rules (deploy/prometheus), and
#  1. every shipped rule evaluates without error (/api/v1/rules: health "ok", no lastError);
#  2. NodeMemoryHighUtilization goes inactive -> pending -> firing on the series nodex emits, when
#     the fixture root's /proc/meminfo is rewritten to 5% available;
#  3. NodexDown goes inactive -> firing for that nodex when it stops;
#  4. with honor_labels and the target labels kube-prometheus-stack's operator adds for a
#     ServiceMonitor (namespace/pod/container of nodex's own pod), container_* series keep the
#     namespace/pod of the workload and an empty container for pause containers and pod cgroups,
#     while node_* series get the target's; PhoenixHighMemory then fires exactly once beside the
#     kubelet's duplicates. nodex has no container collector in this build yet, so a static file in
#     cAdvisor's format (as nodex's container collector emits it) stands in for that target.
# Waiting 15 minutes is not possible in a test: the alerts of 2-4 are also loaded as copies with
# "for: 3s" in a group of their own (tests/deploy/rules-tool.js test-copy); the shipped files are
# loaded unchanged beside them, and the test copies are made from them, not written by hand.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/deploy/lib.sh
need_node_modules
need_cmd node prometheus curl python3
T=$(mktemp -d)
trap cleanup EXIT INT TERM
fail=0
ok() { echo "ok   $*"; }
bad() {
	echo "FAIL $*"
	fail=1
}

# --- nodex on a fixture root (16 GB, half available)
mkdir -p "$T/root/proc" "$T/root/sys" "$T/rules"
printf '0.50 0.40 0.30 2/345 6789\n' >"$T/root/proc/loadavg"
write_meminfo "$T/root/proc/meminfo" 16000000 8000000
NODEX_PORT=$(free_port)
"$NODEX" --web.listen-address="127.0.0.1:$NODEX_PORT" --collector.disable-defaults --collector.loadavg --collector.meminfo \
	--path.procfs="$T/root/proc" --path.sysfs="$T/root/sys" --path.rootfs="$T/root" >"$T/nodex.log" 2>&1 &
NODEX_PID=$!
track_pid $NODEX_PID

# --- the container series of a node, as cAdvisor (and nodex's container collector) name them
cat >"$T/cadvisor.prom" <<'EOF'
# HELP container_memory_working_set_bytes Current working set in bytes.
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="",id="/kubepods/burstable/poda",image="",name="",namespace="phoenix",pod="phoenix-a"} 2.104533975e+09
container_memory_working_set_bytes{container="",id="/kubepods/burstable/poda/p1",image="rancher/mirrored-pause:3.6",name="p1",namespace="phoenix",pod="phoenix-a"} 1.048576e+06
container_memory_working_set_bytes{container="phoenix",id="/kubepods/burstable/poda/c1",image="phoenix:1",name="c1",namespace="phoenix",pod="phoenix-a"} 1.019215872e+09
container_memory_working_set_bytes{container="worker",id="/kubepods/burstable/poda/w1",image="phoenix:1",name="w1",namespace="phoenix",pod="phoenix-a"} 2.147483648e+09
# HELP container_spec_memory_limit_bytes Memory limit for the container.
# TYPE container_spec_memory_limit_bytes gauge
container_spec_memory_limit_bytes{container="",id="/kubepods/burstable/poda",image="",name="",namespace="phoenix",pod="phoenix-a"} 2.147483648e+09
container_spec_memory_limit_bytes{container="",id="/kubepods/burstable/poda/p1",image="rancher/mirrored-pause:3.6",name="p1",namespace="phoenix",pod="phoenix-a"} 0
container_spec_memory_limit_bytes{container="phoenix",id="/kubepods/burstable/poda/c1",image="phoenix:1",name="c1",namespace="phoenix",pod="phoenix-a"} 1.073741824e+09
container_spec_memory_limit_bytes{container="worker",id="/kubepods/burstable/poda/w1",image="phoenix:1",name="w1",namespace="phoenix",pod="phoenix-a"} 0
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.5
EOF
K8S_PORT=$(free_port)
python3 tests/deploy/static-exporter.py "$K8S_PORT" "$T/cadvisor.prom" &
track_pid $!

# --- Prometheus with the shipped configuration, rules and the test copies
cp deploy/prometheus/rules/*.rules.yml "$T/rules/"
node tests/deploy/rules-tool.js test-copy "$T/e2e-shortened.yml" 3s \
	deploy/prometheus/rules/node-exporter.rules.yml:NodeMemoryHighUtilization \
	deploy/prometheus/rules/nodex.rules.yml:NodexDown \
	deploy/prometheus/rules/phoenix.rules.yml:PhoenixHighMemory || exit 1
PROM_PORT=$(free_port)
PHOENIX_PORT=$(free_port) # nothing listens there: Phoenix is down
node tests/deploy/prometheus-config.js e2e "$T/prometheus.yml" "$T/rules/*.rules.yml" "$T/e2e-shortened.yml" -- \
	"127.0.0.1:$NODEX_PORT" "127.0.0.1:$PHOENIX_PORT" "127.0.0.1:$PROM_PORT" "127.0.0.1:$K8S_PORT" "127.0.0.1:$K8S_PORT" || exit 1
promtool check config "$T/prometheus.yml" >/dev/null || { bad "generated configuration invalid"; promtool check config "$T/prometheus.yml"; exit 1; }
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
	--log.level=warn >"$T/prometheus.log" 2>&1 &
track_pid $!
P="http://127.0.0.1:$PROM_PORT"
wait_for 30 curl -sf "$P/-/ready" || { bad "Prometheus did not start"; tail -20 "$T/prometheus.log"; exit 1; }
echo "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') on $P, nodex on :$NODEX_PORT"

# The scrape manager applies new targets every 5s: wait until every target has been scraped.
targets_scraped() { [ "$(prom_scalar "$P" 'count(up)')" = 5 ] && [ "$(prom_scalar "$P" 'count(up{job="node-exporter"} == 1)')" = 2 ]; }
wait_for 30 targets_scraped || { bad "targets not scraped within 30s"; prom_query "$P" up; }

# --- 1. every rule evaluated, without error
all_rules_evaluated() {
	curl -sf "$P/api/v1/rules" | python3 -c '
import json, sys
groups = json.load(sys.stdin)["data"]["groups"]
rules = [r for g in groups for r in g["rules"]]
sys.exit(0 if rules and all(not r["lastEvaluation"].startswith("0001") for r in rules) and len(groups) == 4 else 1)'
}
wait_for 30 all_rules_evaluated || bad "not every rule group was loaded and evaluated within 30s"
sleep 2
curl -sf "$P/api/v1/rules" >"$T/rules.json"
python3 - "$T/rules.json" <<'EOF' || fail=1
import json, sys
groups = json.load(open(sys.argv[1]))["data"]["groups"]
bad = 0
for g in groups:
    for r in g["rules"]:
        if r["health"] != "ok" or r.get("lastError"):
            print("FAIL rule %s/%s: health %s, lastError %r" % (g["name"], r["name"], r["health"], r.get("lastError")))
            bad += 1
n = sum(len(g["rules"]) for g in groups)
print("%s   %d rules in %d groups (%s): %s" % ("ok" if not bad else "FAIL", n, len(groups),
      ", ".join("%s %d" % (g["name"], len(g["rules"])) for g in groups), "all health ok, no lastError" if not bad else "%d with errors" % bad))
sys.exit(1 if bad else 0)
EOF

# --- 2. NodeMemoryHighUtilization on nodex's series: inactive, then pending, then firing
s=$(rule_state "$P" e2e-shortened NodeMemoryHighUtilization)
[ "${s%% *}" = inactive ] && ok "NodeMemoryHighUtilization inactive at 50% memory available" || bad "NodeMemoryHighUtilization is '$s' at 50% available"
v=$(prom_scalar "$P" 'node_memory_MemAvailable_bytes{job="node-exporter",instance="e2e-host"}')
[ "$v" = 8192000000 ] && ok "Prometheus has nodex's node_memory_MemAvailable_bytes from the fixture: $v" \
	|| bad "nodex's MemAvailable is $v, not the fixture's 8192000000"
t0=$(date +%s.%N)
write_meminfo "$T/root/proc/meminfo" 16000000 800000
is_state() { [ "$(rule_state "$P" e2e-shortened "$1" | awk '{print $1}')" = "$2" ]; }
if wait_for 15 is_state NodeMemoryHighUtilization pending; then
	ok "NodeMemoryHighUtilization pending $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}")s after /proc/meminfo says 5% available"
else
	bad "NodeMemoryHighUtilization never went pending"
fi
if wait_for 20 is_state NodeMemoryHighUtilization firing; then
	ok "NodeMemoryHighUtilization firing $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}")s after the change (for: 3s)"
	prom_query "$P" 'ALERTS{alertname="NodeMemoryHighUtilization",alertstate="firing"}' >"$T/alerts"
	if [ "$(wc -l <"$T/alerts")" -eq 1 ] && grep -q 'instance=e2e-host,job=node-exporter,severity=warning' "$T/alerts"; then
		ok "one alert: $(cat "$T/alerts")"
	else
		bad "unexpected NodeMemoryHighUtilization alerts: $(cat "$T/alerts")"
	fi
	v=$(prom_scalar "$P" '100 - (node_memory_MemAvailable_bytes{job="node-exporter",instance="e2e-host"} / node_memory_MemTotal_bytes{job="node-exporter",instance="e2e-host"} * 100)')
	echo "     memory used: ${v}%"
else
	bad "NodeMemoryHighUtilization never fired: $(rule_state "$P" e2e-shortened NodeMemoryHighUtilization)"
fi

# --- 4. honor_labels with the operator's target labels, and PhoenixHighMemory
got=$(prom_query "$P" 'container_memory_working_set_bytes{job="node-exporter",id="/kubepods/burstable/poda"}' | awk '{print $1}')
want='endpoint=http-metrics,id=/kubepods/burstable/poda,instance=node1,job=node-exporter,namespace=phoenix,node=node1,pod=phoenix-a,service=nodex'
[ "$got" = "container_memory_working_set_bytes,$want" ] || [ "$got" = "__name__=container_memory_working_set_bytes,$want" ] \
	&& ok "pod cgroup series keeps namespace/pod, container stays empty (not the target's \"nodex\")" \
	|| bad "pod cgroup series labels: $got"
n=$(prom_scalar "$P" 'count(container_memory_working_set_bytes{job="node-exporter",container=~"nodex|"})')
m=$(prom_scalar "$P" 'count(container_memory_working_set_bytes{job="node-exporter",container="",namespace="phoenix",pod="phoenix-a"})')
[ "$n" = 2 ] && [ "$m" = 2 ] && ok "pause container and pod cgroup: container=\"\", namespace/pod of the workload (none labelled nodex)" \
	|| bad "pause/pod cgroup series: $n with container nodex or empty, $m with empty container in phoenix/phoenix-a"
got=$(prom_query "$P" 'node_load1{instance="node1"}' | awk '{print $1}')
case "$got" in *container=nodex*namespace=monitoring*pod=nodex-abcde*) ok "node_* series get the target's namespace/pod/container: $got" ;;
*) bad "node_load1 labels: $got" ;; esac
if wait_for 15 is_state PhoenixHighMemory firing; then
	prom_query "$P" 'ALERTS{alertname="PhoenixHighMemory",alertstate="firing"}' >"$T/alerts"
	if [ "$(wc -l <"$T/alerts")" -eq 1 ] && grep -q 'container=phoenix,namespace=phoenix,pod=phoenix-a' "$T/alerts"; then
		ok "PhoenixHighMemory fires once (kubelet duplicates, pause, pod cgroup and the unlimited container present): $(cat "$T/alerts")"
	else
		bad "PhoenixHighMemory alerts: $(cat "$T/alerts")"
	fi
else
	bad "PhoenixHighMemory never fired"
fi
[ "$(prom_scalar "$P" 'count(container_memory_working_set_bytes{job="kubelet"})')" = 4 ] || bad "kubelet duplicates missing"

# --- 3. NodexDown: stop nodex
s=$(rule_state "$P" e2e-shortened NodexDown)
[ "${s%% *}" = inactive ] && ok "NodexDown inactive while nodex answers" || bad "NodexDown is '$s' while nodex answers"
kill "$NODEX_PID"
wait "$NODEX_PID" 2>/dev/null
t0=$(date +%s.%N)
if wait_for 20 is_state NodexDown firing; then
	prom_query "$P" 'ALERTS{alertname="NodexDown",alertstate="firing"}' >"$T/alerts"
	if [ "$(wc -l <"$T/alerts")" -eq 1 ] && grep -q 'instance=e2e-host' "$T/alerts"; then
		ok "NodexDown firing $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}")s after nodex stopped, for that nodex only"
	else
		bad "NodexDown alerts: $(cat "$T/alerts")"
	fi
else
	bad "NodexDown never fired"
fi
s=$(rule_state "$P" phoenix PhoenixDown)
[ "${s%% *}" = pending ] || [ "${s%% *}" = firing ] && ok "PhoenixDown (shipped, for: 1m) is ${s%% *} while nothing answers on the phoenix job" || bad "PhoenixDown is '$s'"

if [ "$fail" -ne 0 ]; then
	echo "--- prometheus log"
	tail -n 20 "$T/prometheus.log"
fi
exit $fail
