#!/bin/sh
# The Kubernetes deployment (deploy/kubernetes, deploy/kubernetes-standalone) against the real
# Kubernetes and prometheus-operator schemas, plus the wiring between the objects
# (tests/deploy/validate-manifests.js), and the DaemonSet's arguments against the nodex binary
# (--help, --check-config, and a run).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/deploy/lib.sh
need_node_modules
need_cmd node curl
T=$(mktemp -d)
trap cleanup EXIT INT TERM
fail=0

node tests/deploy/validate-manifests.js || fail=1

# --- The DaemonSet's arguments: each must be a flag that nodex --help lists (none may be "not in
# nodex yet"), and nodex --check-config must accept them all: it parses every flag and value and runs
# every enabled collector's initialisation (regexes compiled, the container collector set up), as the
# pod's start would, and exits non-zero on the first error.
node -e '
const Y = require("./tests/deploy/node_modules/yaml"), fs = require("fs");
const ds = Y.parseAllDocuments(fs.readFileSync("deploy/kubernetes/daemonset.yaml", "utf8")).map((d) => d.toJS())[0];
for (const a of ds.spec.template.spec.containers[0].args) console.log(a);
' >"$T/args" || fail=1
"$NODEX" --help 2>&1 | grep -oE -- '--(\[no-\])?[a-z0-9._-]+' | sed 's/^--\[no-\]/--/' | sort -u >"$T/nodex.flags"
n=0
while IFS= read -r a; do
	n=$((n + 1))
	grep -qxF -- "${a%%=*}" "$T/nodex.flags" || { echo "FAIL: DaemonSet argument $a: ${a%%=*} is not a flag of nodex --help"; fail=1; }
done <"$T/args"
[ "$n" -ge 8 ] || { echo "FAIL: only $n DaemonSet arguments read"; fail=1; }

# The container's paths, pointed at ones that exist here: /host/proc and /host/sys are this machine's
# /proc and /sys (as the hostPath mounts are the node's), /host/root a root holding the directories the
# arguments name (udev data, and the kubelet log directories the container collector reads).
mkdir -p "$T/host/root/run/udev/data" "$T/host/root/var/log/pods" "$T/host/root/var/log/containers"
ln -s /proc "$T/host/proc"
ln -s /sys "$T/host/sys"
port=$(free_port)
set --
while IFS= read -r a; do
	a=$(printf '%s' "$a" | sed -e "s#/host/proc#$T/host/proc#; s#/host/sys#$T/host/sys#; s#/host/root#$T/host/root#" \
		-e "s#\[\$(HOST_IP)\]:9100#[127.0.0.1]:$port#")
	case "$a" in --path.*=*) [ -d "${a#*=}" ] || { echo "FAIL: $a: no such directory"; fail=1; } ;; esac
	set -- "$@" "$a"
done <"$T/args"
if out=$("$NODEX" --check-config "$@" 2>&1); then
	echo "nodex --check-config accepts all $n DaemonSet arguments: $out"
else
	echo "FAIL: nodex --check-config rejects the DaemonSet arguments: $out"
	fail=1
fi
# The self-check: --check-config must reject a bad value of one of those flags.
if "$NODEX" --check-config "$@" '--collector.filesystem.mount-points-exclude=^/(dev' >/dev/null 2>&1; then
	echo "FAIL: nodex --check-config accepts a broken mount-points-exclude: the check above proves nothing"
	fail=1
fi

# Then run nodex with them, on loopback: every collector the arguments enable must be there, and
# the container and filesystem collectors must succeed.
echo "nodex $*"
"$NODEX" "$@" >"$T/nodex.log" 2>&1 &
track_pid $!
if wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && curl -sf "http://127.0.0.1:$port/metrics" >"$T/metrics" \
	&& grep -q '^node_memory_MemTotal_bytes ' "$T/metrics" \
	&& grep -q '^node_scrape_collector_success{collector="container"} 1$' "$T/metrics" \
	&& grep -q '^node_scrape_collector_success{collector="filesystem"} 1$' "$T/metrics"; then
	echo "nodex serves /metrics with the DaemonSet's arguments: $(grep -c '^node_scrape_collector_success' "$T/metrics") collectors," \
		"$(grep -vc '^#' "$T/metrics") samples; the container and filesystem collectors succeed"
else
	echo "FAIL: nodex does not serve /metrics with the DaemonSet's arguments as expected"
	grep '^node_scrape_collector_success' "$T/metrics" 2>/dev/null
	cat "$T/nodex.log"
	fail=1
fi
exit $fail
