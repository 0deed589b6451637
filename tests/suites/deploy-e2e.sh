#!/bin/sh
# End to end: a real Prometheus (Debian's /usr/bin/prometheus) scrapes two running nodex on loopback
# with the shipped bare-host configuration and rules (deploy/prometheus), and
#  1. every shipped rule evaluates without error (/api/v1/rules: health "ok", no lastError);
#  2. with honor_labels and the target labels kube-prometheus-stack's operator adds for nodex's
#     ServiceMonitor (namespace/pod/container of nodex's own pod), the container_* series of the
#     second nodex keep exactly the labels nodex emitted (namespace/pod of the workload, and no
#     namespace/pod/container at all where nodex wrote "": pause containers, pod cgroups, services),
#     while its node_* series get the target's;
#  3. on the series nodex really emits, each of these goes inactive -> pending -> firing, once:
#     NodeMemoryHighUtilization when the first nodex's fixture /proc/meminfo drops to 5% available;
#     PhoenixHighMemory when the working set (memory.current - inactive_file) of one Phoenix container
#     of the second nodex's cgroup tree passes 90% of its memory.max; PhoenixHighCPU when that tree's
#     cpu.stat usage_usec of another Phoenix container grows faster than its cpu.max quota allows.
#     The pod cgroups of both containers are over the thresholds too, pause containers have limit 0,
#     an unlimited Phoenix container is present, and so are the kubelet's cAdvisor duplicates of every
#     container series (job="kubelet", metrics_path="/metrics/cadvisor"): none of them may add an alert;
#  4. NodexDown goes inactive -> firing for the first nodex when it stops, and the Phoenix alerts are
#     still the same single alerts (never resolved and fired again).
# The first nodex runs loadavg and meminfo on a small fixture root (bare-host job, instance e2e-host).
# The second runs only the container collector, as the DaemonSet's container half, on a copy of the
# cgroup v2 tree of tests/golden/container-v2-systemd (k3s, systemd driver: pods of namespaces phoenix
# and kube-system, system services), behind a ServiceMonitor-shaped job (instance node1). The kubelet
# is tests/deploy/kubelet-cadvisor.py: the container_* series of that same nodex, as cAdvisor reports
# the same cgroups.
# Waiting 5-15 minutes is not possible in a test: the alerts of 3-4 are also loaded as copies with
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
MiB=1048576

# --- nodex 1: a bare host, on a fixture root (16 GB, half available)
mkdir -p "$T/root/proc" "$T/root/sys" "$T/rules"
printf '0.50 0.40 0.30 2/345 6789\n' >"$T/root/proc/loadavg"
write_meminfo "$T/root/proc/meminfo" 16000000 8000000
NODEX_PORT=$(free_port)
"$NODEX" --web.listen-address="127.0.0.1:$NODEX_PORT" --collector.disable-defaults --collector.loadavg --collector.meminfo \
	--path.procfs="$T/root/proc" --path.sysfs="$T/root/sys" --path.rootfs="$T/root" >"$T/nodex.log" 2>&1 &
NODEX_PID=$!
track_pid $NODEX_PID

# --- nodex 2: the container collector on a k3s node's cgroup v2 tree and kubelet log directories
cp -a tests/golden/container-v2-systemd/root "$T/node1"
# The id labels of the cgroups (their paths below the cgroup mount, $T/node1/sys/fs/cgroup).
CG=/kubepods.slice
DB_POD=$CG/kubepods-pod7a30704b_681b_4c16_a976_b1c579c7cb1d.slice # phoenix-db-0, Guaranteed: 1 GiB, 1 CPU
POSTGRES=$DB_POD/cri-containerd-81cb82179c131636e6620e0a33aa15281f84fe97c2d8d65e13ab2564935d2916.scope
API_POD=$CG/kubepods-burstable.slice/kubepods-burstable-pod7c6dc1b9_e772_457c_a97b_fbb2e5081646.slice # phoenix-api-7d9c6b5f4-x2k8p
API=$API_POD/cri-containerd-0f9a893e3dc49f7772663c5d58cde445c1f583020c5af6cebea32684d467043e.scope # cpu.max 50000 100000
K8S_PORT=$(free_port)
"$NODEX" --web.listen-address="127.0.0.1:$K8S_PORT" --collector.disable-defaults --collector.container \
	--path.procfs="$T/node1/proc" --path.sysfs="$T/node1/sys" --path.rootfs="$T/node1" >"$T/nodex-k8s.log" 2>&1 &
track_pid $!
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$K8S_PORT/" || { bad "container nodex did not start"; cat "$T/nodex-k8s.log"; exit 1; }
KUBELET_PORT=$(free_port)
python3 tests/deploy/kubelet-cadvisor.py "$KUBELET_PORT" "http://127.0.0.1:$K8S_PORT/metrics" &
track_pid $!

# --- Prometheus with the shipped configuration, rules and the test copies
cp deploy/prometheus/rules/*.rules.yml "$T/rules/"
node tests/deploy/rules-tool.js test-copy "$T/e2e-shortened.yml" 3s \
	deploy/prometheus/rules/node-exporter.rules.yml:NodeMemoryHighUtilization \
	deploy/prometheus/rules/nodex.rules.yml:NodexDown \
	deploy/prometheus/rules/phoenix.rules.yml:PhoenixHighMemory \
	deploy/prometheus/rules/phoenix.rules.yml:PhoenixHighCPU || exit 1
PROM_PORT=$(free_port)
PHOENIX_PORT=$(free_port) # nothing listens there: Phoenix is down
node tests/deploy/prometheus-config.js e2e "$T/prometheus.yml" "$T/rules/*.rules.yml" "$T/e2e-shortened.yml" -- \
	"127.0.0.1:$NODEX_PORT" "127.0.0.1:$PHOENIX_PORT" "127.0.0.1:$PROM_PORT" "127.0.0.1:$K8S_PORT" "127.0.0.1:$KUBELET_PORT" || exit 1
promtool check config "$T/prometheus.yml" >/dev/null || { bad "generated configuration invalid"; promtool check config "$T/prometheus.yml"; exit 1; }
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
	--log.level=warn >"$T/prometheus.log" 2>&1 &
track_pid $!
P="http://127.0.0.1:$PROM_PORT"
wait_for 30 curl -sf "$P/-/ready" || { bad "Prometheus did not start"; tail -20 "$T/prometheus.log"; exit 1; }
echo "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') on $P, nodex on :$NODEX_PORT (host) and :$K8S_PORT (containers)"

# The scrape manager applies new targets every 5s: wait until every target has been scraped.
targets_scraped() { [ "$(prom_scalar "$P" 'count(up)')" = 5 ] && [ "$(prom_scalar "$P" 'count(up{job=~"node-exporter|kubelet"} == 1)')" = 3 ]; }
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

# --- 2. honor_labels: Prometheus keeps the container series' labels as nodex wrote them
curl -sf "http://127.0.0.1:$K8S_PORT/metrics" >"$T/k8s.prom"
curl -sfG "$P/api/v1/query" --data-urlencode 'query=container_memory_working_set_bytes{instance="node1"}' >"$T/k8s.json"
python3 - "$T/k8s.prom" "$T/k8s.json" <<'EOF' || fail=1
import json, re, sys
emitted = {}
for line in open(sys.argv[1]):
    m = re.match(r'container_memory_working_set_bytes\{(.*)\} \S+$', line)
    if m:
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
        emitted[labels["id"]] = {k: v for k, v in labels.items() if v != ""}
target = {"job": "node-exporter", "instance": "node1", "node": "node1", "service": "nodex", "endpoint": "http-metrics"}
stored = {}
for r in json.load(open(sys.argv[2]))["data"]["result"]:
    m = dict(r["metric"])
    m.pop("__name__", None)
    stored[m["id"]] = m
bad = []
for cid, labels in emitted.items():
    if stored.get(cid) != {**labels, **target}:
        bad.append("%s: nodex %s, Prometheus %s" % (cid, labels, stored.get(cid)))
if set(stored) != set(emitted):
    bad.append("ids differ: %s" % sorted(set(stored) ^ set(emitted)))
empty = sum(1 for l in emitted.values() if "container" not in l)
if bad or len(emitted) < 20 or empty < 10:
    print("FAIL container series labels after honor_labels (%d series, %d with container=\"\"):" % (len(emitted), empty))
    for b in bad[:10]:
        print("     " + b)
    sys.exit(1)
print("ok   %d container_memory_working_set_bytes series stored with nodex's labels plus only job/instance/node/service/endpoint;"
      " the %d with container=\"\" (pod cgroups, pause containers, services) got no container/namespace/pod of the target" % (len(emitted), empty))
EOF
got=$(prom_query "$P" 'node_scrape_collector_success{instance="node1"}' | awk '{print $1}')
case "$got" in *collector=container*container=nodex*namespace=monitoring*pod=nodex-abcde*) ok "node_* series get the target's namespace/pod/container: $got" ;;
*) bad "node_scrape_collector_success labels: $got" ;; esac
[ "$(prom_scalar "$P" 'node_scrape_collector_success{instance="node1",collector="container"}')" = 1 ] || bad "container collector failed"

# --- 3. NodeMemoryHighUtilization, PhoenixHighMemory, PhoenixHighCPU: inactive, then pending, then firing
q_ratio_mem() { prom_scalar "$P" "container_memory_working_set_bytes{job=\"$1\",id=\"$2\"} / container_spec_memory_limit_bytes{job=\"$1\",id=\"$2\"}"; }
for a in NodeMemoryHighUtilization PhoenixHighMemory PhoenixHighCPU; do
	s=$(rule_state "$P" e2e-shortened "$a")
	[ "$s" = "inactive 0" ] || bad "$a is '$s' before any load"
done
v=$(prom_scalar "$P" 'node_memory_MemAvailable_bytes{job="node-exporter",instance="e2e-host"}')
[ "$v" = 8192000000 ] && ok "Prometheus has nodex's node_memory_MemAvailable_bytes from the fixture: $v" \
	|| bad "nodex's MemAvailable is $v, not the fixture's 8192000000"
echo "     before: postgres working set / limit $(q_ratio_mem node-exporter "$POSTGRES"), its pod cgroup $(q_ratio_mem node-exporter "$DB_POD")"
# The changes, at once: 5% of the host's memory available; postgres's anonymous memory grows by
# 400 MiB while the kernel reclaims 250 MiB of its inactive page cache (memory.current 1019 of its
# 1024 MiB, working set 95%); the api container's usage_usec grows 20 CPU-seconds per second against
# a quota of 0.5 CPU (cpu.max 50000 100000). That is 40 times what the quota allows, because of how
# the shipped rule computes CPU: rate(...[5m]) divides the increase it sees in the window by 300 s,
# however little of the window holds samples, so with Prometheus started seconds ago the usage must
# grow by 0.8 x 0.5 CPU x 300 s = 120 CPU-seconds before the ratio to quota/period passes 80%. The
# test compresses the 5 minutes of a container pinned at its quota into 7.5 seconds.
# The watch records the first states before anything changes: on a loaded machine a scrape and an
# evaluation can otherwise fall between the change and the watch's first look.
ALERT_WATCH_READY="$T/watch.ready" python3 tests/deploy/alert-watch.py "$P" e2e-shortened 40 \
	NodeMemoryHighUtilization PhoenixHighMemory PhoenixHighCPU >"$T/watch" &
watch_pid=$!
wait_for 10 test -e "$T/watch.ready" || bad "the alert watch saw no rule states"
write_meminfo "$T/root/proc/meminfo" 16000000 800000
python3 tests/deploy/cgroup-load.py memory "$T/node1/sys/fs/cgroup$POSTGRES" $((400 * MiB)) $((250 * MiB)) || bad "cgroup-load memory failed"
python3 tests/deploy/cgroup-load.py cpu "$T/node1/sys/fs/cgroup$API" 20 &
track_pid $!
wait "$watch_pid"
sed 's/^/     /' "$T/watch"
for a in NodeMemoryHighUtilization PhoenixHighMemory PhoenixHighCPU; do
	if grep -qE "^$a inactive@[0-9.]+ pending@[0-9.]+ firing@[0-9.]+ alerts=1\$" "$T/watch"; then
		ok "$a: inactive -> pending -> firing (for: 3s), one alert"
	else
		bad "$a: $(grep "^$a " "$T/watch")"
	fi
done
prom_query "$P" 'ALERTS{alertstate="firing",alertname=~"NodeMemoryHighUtilization|PhoenixHigh.*"}' >"$T/alerts"
expect_alert() {
	if [ "$(grep -c "alertname=$1," "$T/alerts")" -eq 1 ] && grep "alertname=$1," "$T/alerts" | grep -q "$2"; then
		ok "one $1 alert: $(grep "alertname=$1," "$T/alerts" | sed 's/^__name__=ALERTS,//; s/ 1$//')"
	else
		bad "$1 alerts: $(grep "alertname=$1," "$T/alerts" | tr '\n' ' ')"
	fi
}
expect_alert NodeMemoryHighUtilization 'alertname=NodeMemoryHighUtilization,alertstate=firing,instance=e2e-host,job=node-exporter,severity=warning 1$'
expect_alert PhoenixHighMemory 'container=postgres,namespace=phoenix,pod=phoenix-db-0,severity=warning 1$'
expect_alert PhoenixHighCPU 'container=api,namespace=phoenix,pod=phoenix-api-7d9c6b5f4-x2k8p,severity=warning 1$'
rule_alerts "$P" e2e-shortened | grep -E '^Phoenix' >"$T/active.before"
echo "     memory used on e2e-host: $(prom_scalar "$P" '100 - (node_memory_MemAvailable_bytes{instance="e2e-host"} / node_memory_MemTotal_bytes{instance="e2e-host"} * 100)')%"
r_pg=$(q_ratio_mem node-exporter "$POSTGRES")
r_pod=$(q_ratio_mem node-exporter "$DB_POD")
r_kubelet=$(q_ratio_mem kubelet "$POSTGRES")
echo "     postgres working set / limit: $r_pg (nodex), $r_kubelet (kubelet duplicate); its pod cgroup (container=\"\"): $r_pod"
awk -v a="$r_pg" -v b="$r_pod" -v c="$r_kubelet" 'BEGIN { exit !(a > 0.9 && b > 0.9 && c == a) }' \
	|| bad "expected postgres, its pod cgroup and the kubelet's duplicate all above 90%"
cpu_ratio() { prom_scalar "$P" "rate(container_cpu_usage_seconds_total{job=\"$1\",id=\"$2\"}[5m]) / on (id) (container_spec_cpu_quota{job=\"$1\",id=\"$2\"} / container_spec_cpu_period{job=\"$1\",id=\"$2\"})"; }
r_api=$(cpu_ratio node-exporter "$API")
r_apipod=$(cpu_ratio node-exporter "$API_POD")
r_kubelet=$(cpu_ratio kubelet "$API")
echo "     api CPU over [5m] / (quota / period = 0.5): $r_api (nodex), $r_kubelet (kubelet duplicate); its pod cgroup (quota 0.6): $r_apipod"
awk -v a="$r_api" -v b="$r_apipod" -v c="$r_kubelet" 'BEGIN { exit !(a > 0.8 && b > 0.8 && c > 0.8) }' \
	|| bad "expected api, its pod cgroup and the kubelet's duplicate all above 80% of their quota"
n=$(prom_scalar "$P" 'count(container_spec_memory_limit_bytes{job="node-exporter",namespace="phoenix"} == 0)')
w=$(prom_scalar "$P" 'container_spec_memory_limit_bytes{job="node-exporter",namespace="phoenix",container="worker"}')
[ "$n" = 5 ] && [ "$w" = 0 ] && ok "present and silent: 3 Phoenix pause containers, the unlimited worker and its BestEffort pod (memory limit 0), the other pod cgroups, the kubelet's duplicates" \
	|| bad "expected 5 Phoenix series with memory limit 0 (3 pause, worker and its pod): $n, worker $w"

# --- 4. NodexDown: stop the first nodex
s=$(rule_state "$P" e2e-shortened NodexDown)
[ "${s%% *}" = inactive ] && ok "NodexDown inactive while nodex answers" || bad "NodexDown is '$s' while nodex answers"
kill "$NODEX_PID"
wait "$NODEX_PID" 2>/dev/null
t0=$(date +%s.%N)
is_state() { [ "$(rule_state "$P" e2e-shortened "$1" | awk '{print $1}')" = "$2" ]; }
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
rule_alerts "$P" e2e-shortened | grep -E '^Phoenix' >"$T/active.after"
if cmp -s "$T/active.before" "$T/active.after" && [ "$(wc -l <"$T/active.after")" -eq 2 ]; then
	ok "PhoenixHighMemory and PhoenixHighCPU still one alert each, active since they first fired (no resolve and re-fire)"
else
	bad "Phoenix alerts changed: before $(cat "$T/active.before"), after $(cat "$T/active.after")"
fi
s=$(rule_state "$P" phoenix PhoenixDown)
[ "${s%% *}" = pending ] || [ "${s%% *}" = firing ] && ok "PhoenixDown (shipped, for: 1m) is ${s%% *} while nothing answers on the phoenix job" || bad "PhoenixDown is '$s'"

if [ "$fail" -ne 0 ]; then
	echo "--- prometheus log"
	tail -n 20 "$T/prometheus.log"
fi
exit $fail
