#!/usr/bin/env python3
"""Puts load on a container of a cgroup v2 fixture tree (a copy of tests/golden/container-v2-systemd/root)
by rewriting its cgroup files the way the kernel would change them, for the end-to-end test
(tests/suites/deploy-e2e.sh). Every file is replaced atomically (write, then rename), so a scrape reads
either the old or the new content. The same change is applied to each ancestor cgroup that has the file
(the pod cgroup, then the QoS slices if they have one): cgroup v2 charges a child's memory and CPU to
its ancestors, and nodex reads the pod cgroup too.

  cgroup-load.py memory CGROUP ANON_BYTES RECLAIMED_FILE_BYTES
      Memory pressure: the container's anonymous memory grows by ANON_BYTES and the kernel reclaims
      RECLAIMED_FILE_BYTES of inactive page cache. memory.stat anon/active_anon grow, file/inactive_file
      shrink, memory.current changes by the difference, memory.peak follows when exceeded. Refuses a
      change that would take memory.current above memory.max (the kernel would reclaim or OOM-kill).
      The working set (memory.current - inactive_file) grows by ANON_BYTES.
  cgroup-load.py cpu CGROUP CPUS [INTERVAL]
      Runs until killed: every INTERVAL seconds (default 0.2), cpu.stat usage_usec grows by CPUS
      CPU-seconds per second of wall time (70% user_usec, 30% system_usec). In a cgroup with a CPU
      quota (cpu.max "<quota> <period>"), every elapsed period counts in nr_periods, and, when CPUS is
      above quota/period, in nr_throttled, with (period - quota) microseconds of throttled_usec each.

CGROUP is the cgroup directory (e.g. ROOT/sys/fs/cgroup/kubepods.slice/.../cri-containerd-<id>.scope);
ancestors are looked for up to the directory that holds cgroup.controllers but no memory.current or
cpu.max (the root cgroup, which is left alone as the kernel does for most files).
"""
import os
import sys
import time


def read_kv(path):
    out = []
    with open(path) as f:
        for line in f:
            k, v = line.split()
            out.append([k, int(v)])
    return out


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def write_kv(path, kv):
    write_atomic(path, "".join(f"{k} {v}\n" for k, v in kv))


def read_int(path):
    with open(path) as f:
        return int(f.read().split()[0])


def chain(cgroup):
    """The cgroup and its ancestors below the root cgroup."""
    d = os.path.abspath(cgroup)
    out = []
    while True:
        if not os.path.exists(os.path.join(d, "cgroup.controllers")):
            break
        if not os.path.exists(os.path.join(d, "memory.current")) and not os.path.exists(os.path.join(d, "cpu.max")):
            break  # the root cgroup
        out.append(d)
        d = os.path.dirname(d)
    if not out:
        sys.exit(f"cgroup-load: {cgroup} is not a non-root cgroup v2 directory")
    return out


def memory(cgroup, anon, reclaimed):
    plan = []
    for d in chain(cgroup):
        if not os.path.exists(os.path.join(d, "memory.current")):
            continue
        stat = read_kv(os.path.join(d, "memory.stat"))
        fields = dict(stat)
        if fields["inactive_file"] < reclaimed:
            sys.exit(f"cgroup-load: {d}: only {fields['inactive_file']} bytes of inactive_file to reclaim")
        delta = {"anon": anon, "active_anon": anon, "file": -reclaimed, "inactive_file": -reclaimed}
        stat = [[k, v + delta.get(k, 0)] for k, v in stat]
        current = read_int(os.path.join(d, "memory.current")) + anon - reclaimed
        with open(os.path.join(d, "memory.max")) as f:
            limit = f.read().strip()
        if limit != "max" and current > int(limit):
            sys.exit(f"cgroup-load: {d}: memory.current {current} would exceed memory.max {limit}")
        plan.append((d, stat, current))
    for d, stat, current in plan:
        write_kv(os.path.join(d, "memory.stat"), stat)
        write_atomic(os.path.join(d, "memory.current"), f"{current}\n")
        peak = os.path.join(d, "memory.peak")
        if os.path.exists(peak) and read_int(peak) < current:
            write_atomic(peak, f"{current}\n")


def cpu(cgroup, cpus, interval):
    dirs = [d for d in chain(cgroup) if os.path.exists(os.path.join(d, "cpu.stat"))]
    quotas = {}
    for d in dirs:
        q = None
        try:
            with open(os.path.join(d, "cpu.max")) as f:
                quota, period = f.read().split()
            if quota != "max":
                q = (int(quota), int(period))
        except FileNotFoundError:
            pass
        quotas[d] = q
    done = {d: [0.0, 0.0] for d in dirs}  # usec and periods already added
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        for d in dirs:
            path = os.path.join(d, "cpu.stat")
            stat = read_kv(path)
            usec = int(cpus * elapsed * 1e6) - int(done[d][0])
            add = {"usage_usec": usec, "user_usec": usec * 7 // 10, "system_usec": usec - usec * 7 // 10}
            q = quotas[d]
            if q:
                periods = int(elapsed * 1e6 / q[1]) - int(done[d][1])
                add["nr_periods"] = periods
                if cpus * q[1] > q[0]:
                    add["nr_throttled"] = periods
                    add["throttled_usec"] = periods * (q[1] - q[0])
                done[d][1] += periods
            done[d][0] += usec
            write_kv(path, [[k, v + add.get(k, 0)] for k, v in stat])
        time.sleep(interval)


def main(argv):
    if len(argv) == 4 and argv[0] == "memory":
        memory(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) in (3, 4) and argv[0] == "cpu":
        cpu(argv[1], float(argv[2]), float(argv[3]) if len(argv) == 4 else 0.2)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
