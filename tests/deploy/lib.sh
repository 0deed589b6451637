# Shell helpers of the deploy suites (tests/suites/deploy-*.sh). Source after tests/lib.sh.
# shellcheck shell=sh

# The pinned npm packages (tests/deploy/package.json), installed by `make test-deps` (npm ci).
need_node_modules() {
	if [ ! -d tests/deploy/node_modules/kubernetes-models ] || [ ! -d tests/deploy/node_modules/yaml ]; then
		echo "tests/deploy/node_modules is missing: run make test-deps (npm ci in tests/deploy)" >&2
		exit 1
	fi
}

# need_cmd CMD...: fails (never skips) when a tool of the test dependencies is missing.
need_cmd() {
	for _c in "$@"; do
		if ! command -v "$_c" >/dev/null 2>&1; then
			echo "$_c is not installed: run make test-deps" >&2
			exit 1
		fi
	done
}

# Background processes started by a suite; cleanup() stops them and removes $T.
DEPLOY_PIDS=""
track_pid() {
	DEPLOY_PIDS="$DEPLOY_PIDS $1"
}
cleanup() {
	for _p in $DEPLOY_PIDS; do
		kill "$_p" 2>/dev/null
	done
	for _p in $DEPLOY_PIDS; do
		wait "$_p" 2>/dev/null
	done
	DEPLOY_PIDS=""
	[ -n "${T:-}" ] && rm -rf "$T"
}

# prom_query BASEURL EXPR: prints "labels value" lines of an instant query, sorted.
prom_query() {
	curl -sfG "$1/api/v1/query" --data-urlencode "query=$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if d.get("status") != "success":
    sys.exit("query failed: %s" % d)
for r in d["data"]["result"]:
    m = r["metric"]
    print(",".join("%s=%s" % (k, m[k]) for k in sorted(m)), r["value"][1])
' | sort
}

# prom_scalar BASEURL EXPR: the value of a query that returns one series (empty when none).
prom_scalar() {
	prom_query "$1" "$2" | awk 'NR == 1 { print $NF }'
}

# rule_state BASEURL GROUP ALERT: prints "<state> <number of active alerts>" of an alerting rule.
rule_state() {
	curl -sf "$1/api/v1/rules?type=alert" | python3 -c '
import json, sys
group, alert = sys.argv[1], sys.argv[2]
for g in json.load(sys.stdin)["data"]["groups"]:
    if g["name"] != group:
        continue
    for r in g["rules"]:
        if r["name"] == alert:
            print(r["state"], len(r.get("alerts", [])))
            sys.exit(0)
print("missing 0")
' "$2" "$3"
}

# wait_for SECONDS CMD...: retries CMD every 0.2s until it succeeds; 1 on timeout.
wait_for() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.2
	done
}

# write_meminfo FILE TOTAL_KB AVAILABLE_KB: a /proc/meminfo as Linux 6.1 writes it.
write_meminfo() {
	_free=$(( $3 * 8 / 10 ))
	cat >"$1.tmp" <<EOF
MemTotal:       $2 kB
MemFree:        $_free kB
MemAvailable:   $3 kB
Buffers:          123456 kB
Cached:          1234567 kB
SwapCached:            0 kB
Active:          2345678 kB
Inactive:        1234567 kB
Active(anon):     456789 kB
Inactive(anon):    12345 kB
Active(file):    1888889 kB
Inactive(file):  1222222 kB
Unevictable:       20480 kB
Mlocked:           20480 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:              1024 kB
Writeback:             0 kB
AnonPages:        467890 kB
Mapped:           234567 kB
Shmem:             12345 kB
KReclaimable:     123456 kB
Slab:             234567 kB
SReclaimable:     123456 kB
SUnreclaim:       111111 kB
KernelStack:        8192 kB
PageTables:        12345 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:     8000000 kB
Committed_AS:    3456789 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       45678 kB
VmallocChunk:          0 kB
Percpu:             4096 kB
HardwareCorrupted:     0 kB
AnonHugePages:         0 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:      234567 kB
DirectMap2M:     8123456 kB
DirectMap1G:    10485760 kB
EOF
	mv "$1.tmp" "$1"
}

# rule_alerts BASEURL GROUP: one line per active alert of the group's alerting rules:
# "<rule> <state> <activeAt> <labels>", sorted.
rule_alerts() {
	curl -sf "$1/api/v1/rules?type=alert" | python3 -c '
import json, sys
for g in json.load(sys.stdin)["data"]["groups"]:
    if g["name"] != sys.argv[1]:
        continue
    for r in g["rules"]:
        for a in r.get("alerts", []):
            l = a["labels"]
            print(r["name"], a["state"], a["activeAt"], ",".join("%s=%s" % (k, l[k]) for k in sorted(l)))
' "$2" | sort
}

# daemonset_args PROCFS SYSFS ROOTFS LISTEN: the arguments of deploy/kubernetes/daemonset.yaml, one per
# line, with the container's paths /host/proc, /host/sys and /host/root replaced by PROCFS, SYSFS and
# ROOTFS, and the listen address by LISTEN.
daemonset_args() {
	node -e '
const Y = require("./tests/deploy/node_modules/yaml"), fs = require("fs");
const [proc, sys, root, listen] = process.argv.slice(1);
const ds = Y.parseAllDocuments(fs.readFileSync("deploy/kubernetes/daemonset.yaml", "utf8")).map((d) => d.toJS())[0];
const at = (p, dir, v) => v === dir ? p : v.startsWith(dir + "/") ? (p === "/" ? "" : p) + v.slice(dir.length) : v;
for (const a of ds.spec.template.spec.containers[0].args) {
	const i = a.indexOf("=");
	let [f, v] = i < 0 ? [a, null] : [a.slice(0, i), a.slice(i + 1)];
	if (f === "--web.listen-address") v = listen;
	else if (v !== null) v = at(root, "/host/root", at(sys, "/host/sys", at(proc, "/host/proc", v)));
	console.log(v === null ? f : `${f}=${v}`);
}' "$@"
}
