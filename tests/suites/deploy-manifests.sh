#!/bin/sh
# The Kubernetes deployment (deploy/kubernetes, deploy/kubernetes-standalone) against the real
# Kubernetes and prometheus-operator schemas, plus the wiring between the objects
# (tests/deploy/validate-manifests.js), and the DaemonSet's arguments against the nodex binary.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/deploy/lib.sh
need_node_modules
need_cmd node curl prometheus-node-exporter
T=$(mktemp -d)
trap cleanup EXIT INT TERM
fail=0

node tests/deploy/validate-manifests.js || fail=1

# --- The DaemonSet's arguments: each must be a nodex flag, or a node_exporter flag (or nodex's
# container collector) that this build does not have yet; nodex must start with those it has.
node -e '
const Y = require("./tests/deploy/node_modules/yaml"), fs = require("fs");
const ds = Y.parseAllDocuments(fs.readFileSync("deploy/kubernetes/daemonset.yaml", "utf8")).map((d) => d.toJS())[0];
for (const a of ds.spec.template.spec.containers[0].args) console.log(a);
' >"$T/args" || fail=1
flags() { "$1" --help 2>&1 | grep -oE -- '--(\[no-\])?[a-z0-9._-]+' | sed 's/^--\[no-\]/--/' | sort -u; }
flags "$NODEX" >"$T/nodex.flags"
flags prometheus-node-exporter >"$T/node_exporter.flags"
# nodex's own collectors that are not in node_exporter, being written in parallel.
printf '%s\n' --collector.container >"$T/nodex-own.flags"
: >"$T/run-args"
while IFS= read -r a; do
	f=${a%%=*}
	if grep -qxF -- "$f" "$T/nodex.flags"; then
		printf '%s\n' "$a" >>"$T/run-args"
	elif grep -qxF -- "$f" "$T/node_exporter.flags"; then
		echo "DaemonSet flag $f: node_exporter's, not in this nodex build yet"
	elif grep -qxF -- "$f" "$T/nodex-own.flags"; then
		echo "DaemonSet flag $f: nodex's container collector, not in this nodex build yet"
	else
		echo "FAIL: DaemonSet flag $f is neither a nodex nor a node_exporter flag"
		fail=1
	fi
done <"$T/args"

# Run nodex with those arguments, the host paths pointed at a fixture root, on loopback.
mkdir -p "$T/host/proc" "$T/host/sys" "$T/host/root/run/udev/data"
printf '0.10 0.20 0.30 1/100 1234\n' >"$T/host/proc/loadavg"
write_meminfo "$T/host/proc/meminfo" 16000000 8000000
port=$(free_port)
set --
while IFS= read -r a; do
	a=$(printf '%s' "$a" | sed -e "s#/host/proc#$T/host/proc#; s#/host/sys#$T/host/sys#; s#/host/root#$T/host/root#" \
		-e "s#\[\$(HOST_IP)\]:9100#[127.0.0.1]:$port#")
	set -- "$@" "$a"
done <"$T/run-args"
echo "nodex $*"
"$NODEX" "$@" >"$T/nodex.log" 2>&1 &
track_pid $!
if wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^node_memory_MemTotal_bytes 1.6384e+10$'; then
	echo "nodex runs with the DaemonSet's arguments (those this build knows)"
else
	echo "FAIL: nodex does not serve /metrics with the DaemonSet's arguments"
	cat "$T/nodex.log"
	fail=1
fi
exit $fail
