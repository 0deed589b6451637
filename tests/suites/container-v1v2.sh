#!/bin/sh
# The container collector must give the same series on a cgroup v1 and a cgroup v2 tree of the same pods
# (tests/golden/container-v1-cgroupfs and container-v2-cgroupfs, written by tests/bench/container-fixture.py
# from one pod list with the same numbers), apart from what only one version can report:
#   container_spec_cpu_shares   v2 has cpu.weight only, and the kubelet's shares -> weight mapping does not
#                               round-trip through cAdvisor's inverse: v2 must show exactly
#                               2 + (w - 1) * 262142 / 9999 for w = 1 + (shares - 2) * 9999 / 262142.
#   container_oom_events_total, container_memory_failcnt of pod cgroups (name=""): v2's memory.events count
#                               the events of the pod's containers too (hierarchical), v1's counters only
#                               the pod cgroup's own, so v2 >= v1 there.
#   container_start_time_seconds  directory mtimes (not compared).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for v in v1 v2; do
	root=$(cd "tests/golden/container-$v-cgroupfs/root" && pwd)
	start_nodex "$out/$v.log" --collector.disable-defaults --collector.container --path.procfs="$root/proc" \
		--path.sysfs="$root/sys" --path.rootfs="$root" || exit 1
	curl -s "$NODEX_URL/metrics" >"$out/$v.txt"
	stop_nodex
done
python3 - "$out/v1.txt" "$out/v2.txt" <<'PY'
import re, sys

line_re = re.compile(r'^(\w+)\{(.*)\} (\S+)$')
def load(path):
    series = {}
    for line in open(path):
        m = line_re.match(line.strip())
        if m and m.group(1).startswith("container_") and m.group(1) != "container_start_time_seconds":
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            series[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return series

v1, v2 = load(sys.argv[1]), load(sys.argv[2])
fails = []
for k in sorted(set(v1) | set(v2)):
    name, labels = k[0], dict(k[1])
    show = f"{name}{{id={labels.get('id')}}}"
    if k not in v1 or k not in v2:
        fails.append(f"only in {'v1' if k in v1 else 'v2'}: {show}")
        continue
    a, b = v1[k], v2[k]
    if name == "container_spec_cpu_shares":
        w = 1 + (int(a) - 2) * 9999 // 262142
        want = 2 + (w - 1) * 262142 // 9999
        if b != want:
            fails.append(f"{show}: v1 shares {a} -> weight {w} -> {want}, v2 says {b}")
    elif name in ("container_oom_events_total", "container_memory_failcnt") and labels["name"] == "":
        if b < a:
            fails.append(f"{show}: v2 (hierarchical) {b} < v1 {a}")
    elif a != b:
        fails.append(f"{show}: v1 {a} != v2 {b}")
n = len(set(v1) & set(v2))
families = len({k[0] for k in v1})
if n < 200 or families < 18:
    fails.append(f"too few series compared ({n} series, {families} families): the fixtures are incomplete")
for f in fails:
    print(f)
print(f"{n} series in both, {len(fails)} differences")
sys.exit(1 if fails else 0)
PY
