#!/bin/sh
# The shipped rules, scrape config, dashboard and Alertmanager configuration, with the real tools:
#   promtool check rules / check config, the PrometheusRules in sync with the rule files,
#   promtool unit tests of every alert, a mutation check that those tests catch each known way the
#   Phoenix rules go wrong, every dashboard expression parsed by promtool, amtool check-config and
#   the routing of critical / warning / Watchdog alerts.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/deploy/lib.sh
need_node_modules
need_cmd node promtool amtool python3
T=$(mktemp -d)
trap cleanup EXIT INT TERM
fail=0
step() {
	step_name=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		echo "ok   $step_name"
	else
		echo "FAIL $step_name"
		sed 's/^/     /' "$T/out" | head -n 60
		fail=1
	fi
}

step "promtool check rules deploy/prometheus/rules" promtool check rules deploy/prometheus/rules/*.rules.yml
step "PrometheusRules generated from the rule files (deploy/sync-rules.sh --check)" deploy/sync-rules.sh --check
step "promtool check config deploy/prometheus/prometheus.yml" promtool check config deploy/prometheus/prometheus.yml
step "promtool test rules: Phoenix and nodex alerts" promtool test rules tests/deploy/rules/phoenix.test.yml

node tests/deploy/rules-tool.js strip-annotations deploy/prometheus/rules/node-exporter.rules.yml "$T/node-exporter.rules.yml"
cp tests/deploy/rules/node-exporter.test.yml "$T/"
step "promtool test rules: node alerts" promtool test rules "$T/node-exporter.test.yml"

# Every alert of the rule files has a unit test.
alerts_tested() {
	for a in $(grep -h '^ *- alert:' deploy/prometheus/rules/*.rules.yml | awk '{print $3}' | sort -u); do
		grep -qE "alertname: $a\$" tests/deploy/rules/*.test.yml || { echo "no unit test for $a"; return 1; }
	done
}
step "every alert has a unit test" alerts_tested

# Mutations: each must make the unit tests fail.
mutations() {
	node tests/deploy/mutations.js "$T/mut" >"$T/mut.list" || return 1
	rc=0
	while read -r n what; do
		if promtool test rules "$T/mut/$n/phoenix.test.yml" >/dev/null 2>&1; then
			echo "not caught: $what"
			rc=1
		else
			echo "caught: $what"
		fi
	done <"$T/mut.list"
	return $rc
}
step "unit tests catch every mutation of the Phoenix rules" mutations
cat "$T/out"

dashboard() {
	n=$(node tests/deploy/rules-tool.js dashboard-rules deploy/kubernetes/dashboards/nodex-phoenix.json "$T/dash.yml") || return 1
	promtool check rules "$T/dash.yml" || return 1
	echo "$n expressions"
	[ "$n" -ge 10 ]
}
step "every dashboard expression parses (promtool)" dashboard
cat "$T/out"

# The metrics the dashboard and the rules select must exist: with job="node-exporter" (or no job),
# a family nodex emits, as its golden outputs (tests/golden/*/expected*.txt, each checked against
# node_exporter's semantics) and its own exporter families show; Prometheus's up; or a family of
# the other jobs the expressions name (phoenix, kube-state-metrics, kubelet).
metrics_exist() {
	{
		sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' tests/golden/*/expected*.txt
		"$NODEX" --help >/dev/null || return 1
		start_nodex "$T/nodex.log" --collector.disable-defaults --collector.loadavg || return 1
		curl -s "$NODEX_URL/metrics" | sed -n 's/^# TYPE \([^ ]*\) .*/\1/p'
		stop_nodex
		echo up
	} | sort -u >"$T/families"
	node tests/deploy/rules-tool.js metrics deploy/kubernetes/dashboards/*.json deploy/prometheus/rules/*.rules.yml >"$T/selected" || return 1
	rc=0
	while read -r m job where; do
		case "$job" in
		node-exporter | -) grep -qxF "$m" "$T/families" || { echo "$where: $m is not a family nodex emits"; rc=1; } ;;
		phoenix | kube-state-metrics | kubelet) ;;
		*) echo "$where: $m of job $job, which nothing here scrapes"; rc=1 ;;
		esac
	done <"$T/selected"
	n=$(awk '$2 == "node-exporter" || $2 == "-"' "$T/selected" | wc -l)
	echo "$(wc -l <"$T/selected") metric selectors, $n of nodex's: $(awk '$2 == "node-exporter" || $2 == "-" {print $1}' "$T/selected" | sort -u | wc -l) families, all emitted"
	[ "$n" -ge 50 ] || { echo "too few selectors found"; rc=1; }
	return $rc
}
step "every metric of the dashboard and rules is one nodex (or Prometheus, Phoenix, kube-state-metrics) emits" metrics_exist
cat "$T/out"

AM=deploy/kubernetes/alertmanager/alertmanager.yaml
step "amtool check-config $AM" amtool check-config "$AM"
route() {
	got=$(amtool config routes test --config.file="$AM" $2 2>/dev/null)
	[ "$got" = "$1" ] || { echo "labels $2: routed to $got, expected $1"; return 1; }
}
step "critical alerts go to phoenix-critical and phoenix-alerts" route phoenix-critical,phoenix-alerts "alertname=PhoenixDown severity=critical"
step "warning alerts go to phoenix-alerts" route phoenix-alerts "alertname=PhoenixHighMemory severity=warning namespace=phoenix"
step "Watchdog goes nowhere" route null "alertname=Watchdog severity=none"
exit $fail
