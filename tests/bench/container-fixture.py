#!/usr/bin/env python3
"""Writes cgroup trees for the container collector: the golden fixtures (tests/golden/container-*/root) and
the scaled trees of tests/bench/container-scale.sh.

  container-fixture.py golden LAYOUT ROOT        the realistic fixture of one golden case
  container-fixture.py scale LAYOUT ROOT PODS    PODS pods of 3 containers + pause (5 cgroups each)
  container-fixture.py dirs LAYOUT ROOT PODS     only the kubelet's log directories under ROOT, and the pod
                                                 and container cgroup paths (relative) on stdout, for
                                                 building the same pods in a real cgroup filesystem

LAYOUT is one of
  v2-systemd    cgroup v2, systemd driver (k3s started by systemd), containerd task bundles, system.slice
  v2-cgroupfs   cgroup v2, cgroupfs driver (k3s run by hand / k3d)
  v1-cgroupfs   cgroup v1 legacy, cpu,cpuacct joint (cpu and cpuacct symlinks), cgroupfs driver
  v1-host       cgroup v1 hybrid (unified/ beside), cpu and cpuacct apart, a bare host with services
  v1-k3s        cgroup v1 legacy as k3s runs on it: cpu,cpuacct joint, cgroupfs driver, k3s and other services;
                one service is in cpu,cpuacct only (CPUAccounting without MemoryAccounting, older systemd)
  hybrid        cgroup v1 hybrid as Ubuntu 20.04 and Debian 10/11 boot: cpu,cpuacct joint, unified/ with every
                unit (cpu.stat counts its CPU there); k3s pods in the v1 controllers; one service in memory
                and unified only, one in cpu,cpuacct and unified only

The files are the kernel's (names and formats of cgroup v1 and v2 of a Linux 6.x kernel), with values of a small
k3s node: the kubelet's shares/quota/limits for the pods' requests and limits, memory.stat fields that add
up, and identical numbers in the v1 and v2 trees wherever both versions report the same quantity, so that
tests/suites/container-v1v2.sh can compare the two outputs.
"""
import hashlib
import json
import os
import sys

MiB = 1 << 20
GiB = 1 << 30
V1_UNLIMITED = 9223372036854771712  # PAGE_COUNTER_MAX * 4096, what v1 shows for "no limit"


def h(*parts):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def uid_of(ns, pod):
    x = h("uid", ns, pod)
    return f"{x[0:8]}-{x[8:12]}-4{x[13:16]}-a{x[17:20]}-{x[20:32]}"


def num(seed, lo, hi, step=1):
    v = int(h("n", seed)[:12], 16)
    return lo + (v % ((hi - lo) // step + 1)) * step


class Ctr:
    def __init__(self, name, image, req_m=0, lim_m=0, mem_lim=None, anon=None, file=None, oom_kill=0,
                 failcnt=0, throttled=0, symlink=True, sandbox=False):
        self.name, self.image, self.req_m, self.lim_m, self.mem_lim = name, image, req_m, lim_m, mem_lim
        self.anon, self.file, self.oom_kill, self.failcnt, self.throttled = anon, file, oom_kill, failcnt, throttled
        self.symlink, self.sandbox = symlink, sandbox


class Pod:
    def __init__(self, ns, name, qos, ctrs, logdir=True):
        self.ns, self.name, self.qos, self.ctrs, self.logdir = ns, name, qos, ctrs, logdir
        self.uid = uid_of(ns, name)
        self.pause = Ctr("", "docker.io/rancher/mirrored-pause:3.6", sandbox=True, anon=110592, file=0)
        self.pause.id = h("id", ns, name, "pause")
        for c in ctrs:
            c.id = h("id", ns, name, c.name)


PAUSE = "docker.io/rancher/mirrored-pause:3.6"


def golden_pods():
    return [
        Pod("phoenix", "phoenix-api-7d9c6b5f4-x2k8p", "burstable", [
            Ctr("api", "registry.example.com/phoenix/api:2.14.1", 250, 500, 256 * MiB, anon=201887744,
                file=31862784, oom_kill=1, failcnt=112, throttled=1),
            Ctr("metrics-sidecar", "registry.example.com/phoenix/metrics-sidecar:0.9.3", 50, 100, 64 * MiB,
                anon=18763776, file=1622016),
        ]),
        Pod("phoenix", "phoenix-db-0", "guaranteed", [
            Ctr("postgres", "docker.io/library/postgres:16.4", 1000, 1000, 1 * GiB, anon=412160000,
                file=498102272),
        ]),
        Pod("kube-system", "coredns-ccb96694c-7wfxj", "burstable", [
            Ctr("coredns", "docker.io/rancher/mirrored-coredns-coredns:1.11.3", 100, 0, 170 * MiB,
                anon=23461888, file=2691072),
        ]),
        Pod("kube-system", "svclb-traefik-8f2a1e0b-4kq9n", "besteffort", [
            Ctr("lb-tcp-80", "docker.io/rancher/klipper-lb:v0.4.9", anon=659456, file=8192),
            Ctr("lb-tcp-443", "docker.io/rancher/klipper-lb:v0.4.9", anon=651264, file=8192),
        ]),
        # The container started a moment ago: its /var/log/containers symlink is not there yet.
        Pod("kube-system", "local-path-provisioner-5cf85fd84d-9zxl2", "burstable", [
            Ctr("local-path-provisioner", "docker.io/rancher/local-path-provisioner:v0.0.30", 0, 0, None,
                anon=9940992, file=348160, symlink=False),
        ]),
        # A pod being created: no /var/log/pods directory yet either.
        Pod("phoenix", "phoenix-worker-6b8f9d7c5-qq4tz", "besteffort", [
            Ctr("worker", "registry.example.com/phoenix/worker:2.14.1", anon=3342336, file=90112,
                symlink=False),
        ], logdir=False),
    ]


def scale_pods(n):
    pods = []
    for i in range(n):
        qos = ("burstable", "besteffort", "guaranteed")[i % 3]
        ctrs = []
        for j, cname in enumerate(("app", "sidecar", "log-shipper")):
            lim = 0 if qos == "besteffort" else 200 * (j + 1)
            mem = None if qos == "besteffort" else 128 * MiB * (j + 1)
            ctrs.append(Ctr(cname, f"registry.example.com/bench/{cname}:1.{i % 7}", lim // 2 if qos == "burstable" else lim,
                            lim, mem, anon=num(f"{i}{cname}a", 4 * MiB, 96 * MiB, 4096),
                            file=num(f"{i}{cname}f", 0, 32 * MiB, 4096)))
        pods.append(Pod(f"ns{i % 40:02d}", f"bench-{i:05d}-7f9c8d6b5d-{h('s', str(i))[:5]}", qos, ctrs))
    return pods


# ---- what the kubelet writes ----

def shares_of(m):
    return max(2, m * 1024 // 1000)


def weight_of(shares):
    # kubelet/runc on cgroup v2 (linear mapping of Kubernetes <= 1.33)
    return 1 + ((shares - 2) * 9999) // 262142


class Stats:
    """One cgroup's numbers, the same for v1 and v2."""

    def __init__(self, seed, anon, file, shares, quota, period, mem_lim, oom_kill=0, failcnt=0, throttled=0):
        self.anon, self.file = anon, file
        self.kernel = num(seed + "k", 40, 400) * 4096
        self.current = anon + file + self.kernel
        self.peak = self.current + num(seed + "p", 0, 2048) * 4096
        self.inactive_file = file * 5 // 8 // 4096 * 4096
        self.active_file = file - self.inactive_file
        self.inactive_anon = anon // 4096 * 4096 // 3 // 4096 * 4096
        self.active_anon = anon - self.inactive_anon
        self.swap = 0
        self.usage_usec = num(seed + "u", 1000, 900000) * 1000 + num(seed + "u2", 0, 999)
        self.user_usec = self.usage_usec * 7 // 10 // 10000 * 10000  # whole USER_HZ ticks, so v1 == v2
        self.system_usec = (self.usage_usec - self.user_usec) // 10000 * 10000
        self.shares, self.quota, self.period, self.mem_lim = shares, quota, period, mem_lim
        self.oom_kill, self.failcnt = oom_kill, failcnt
        self.pgfault = num(seed + "f", 1000, 900000)
        if quota:
            self.nr_periods = num(seed + "np", 1000, 200000)
            self.nr_throttled = self.nr_periods // 40 if throttled else 0
            self.throttled_usec = self.nr_throttled * num(seed + "tu", 500, 9000)
        else:
            self.nr_periods = self.nr_throttled = self.throttled_usec = 0

    @staticmethod
    def total(seed, parts, shares, quota, period, mem_lim):
        t = Stats(seed, sum(p.anon for p in parts), sum(p.file for p in parts), shares, quota, period, mem_lim)
        for k in ("kernel", "inactive_file", "active_file", "inactive_anon", "active_anon", "pgfault",
                  "usage_usec", "user_usec", "system_usec", "swap"):
            setattr(t, k, sum(getattr(p, k) for p in parts) + (4096 * 9 if k == "kernel" else 0))
        t.current = t.anon + t.file + t.kernel
        t.peak = max(p.peak for p in parts) + sum(p.current for p in parts)
        # v2 events are hierarchical: a pod counts its containers' events
        t.child_oom_kill = sum(p.oom_kill for p in parts)
        t.child_failcnt = sum(p.failcnt for p in parts)
        if quota:
            t.nr_periods = max(p.nr_periods for p in parts) + 17
            t.nr_throttled = sum(p.nr_throttled for p in parts)
            t.throttled_usec = sum(p.throttled_usec for p in parts)
        return t


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def v2_files(d, st, procs=""):
    w = lambda n, t: write(os.path.join(d, n), t)
    w("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    w("cgroup.events", "populated 1\nfrozen 0\n")
    w("cgroup.procs", procs)
    w("cpu.max", f"{st.quota if st.quota else 'max'} {st.period}\n")
    w("cpu.weight", f"{weight_of(st.shares)}\n")
    w("cpu.stat", f"usage_usec {st.usage_usec}\nuser_usec {st.user_usec}\nsystem_usec {st.system_usec}\n"
                  f"core_sched.force_idle_usec 0\nnr_periods {st.nr_periods}\nnr_throttled {st.nr_throttled}\n"
                  f"throttled_usec {st.throttled_usec}\nnr_bursts 0\nburst_usec 0\n")
    w("memory.current", f"{st.current}\n")
    w("memory.peak", f"{st.peak}\n")
    w("memory.min", "0\n")
    w("memory.high", "max\n")
    w("memory.max", f"{st.mem_lim if st.mem_lim else 'max'}\n")
    oom = st.oom_kill + getattr(st, "child_oom_kill", 0)
    mx = st.failcnt + getattr(st, "child_failcnt", 0)
    w("memory.events", f"low 0\nhigh 0\nmax {mx}\noom {oom}\noom_kill {oom}\noom_group_kill 0\n")
    w("memory.swap.current", f"{st.swap}\n")
    w("memory.swap.max", "max\n")
    slab_r = st.kernel // 3 // 8 * 8
    slab_u = st.kernel // 4 // 8 * 8
    w("memory.stat", f"""anon {st.anon}
file {st.file}
kernel {st.kernel}
kernel_stack {st.kernel // 16 // 16384 * 16384}
pagetables {st.kernel // 10 // 4096 * 4096}
sec_pagetables 0
percpu {st.kernel // 50 // 8 * 8}
sock 0
vmalloc 0
shmem 0
zswap 0
zswapped 0
file_mapped {st.file // 3 // 4096 * 4096}
file_dirty 0
file_writeback 0
swapcached 0
anon_thp 0
file_thp 0
shmem_thp 0
inactive_anon {st.inactive_anon}
active_anon {st.active_anon}
inactive_file {st.inactive_file}
active_file {st.active_file}
unevictable 0
slab_reclaimable {slab_r}
slab_unreclaimable {slab_u}
slab {slab_r + slab_u}
workingset_refault_anon 0
workingset_refault_file 0
workingset_activate_anon 0
workingset_activate_file 0
workingset_restore_anon 0
workingset_restore_file 0
workingset_nodereclaim 0
pgscan 0
pgsteal 0
pgscan_kswapd 0
pgscan_direct 0
pgsteal_kswapd 0
pgsteal_direct 0
pgfault {st.pgfault}
pgmajfault {st.pgfault // 900}
pgrefill 0
pgactivate {st.pgfault // 70}
pgdeactivate 0
pglazyfree 0
pglazyfreed 0
zswpin 0
zswpout 0
thp_fault_alloc 0
thp_collapse_alloc 0
""")
    w("pids.current", "1\n" if procs else "0\n")
    w("pids.max", "max\n")


def v1_cpu_files(d, st, procs=""):
    w = lambda n, t: write(os.path.join(d, n), t)
    w("cgroup.clone_children", "0\n")
    w("cgroup.procs", procs)
    w("tasks", procs)
    w("cpu.shares", f"{st.shares}\n")
    w("cpu.cfs_period_us", f"{st.period}\n")
    w("cpu.cfs_quota_us", f"{st.quota if st.quota else -1}\n")
    w("cpu.stat", f"nr_periods {st.nr_periods}\nnr_throttled {st.nr_throttled}\n"
                  f"throttled_time {st.throttled_usec * 1000}\nnr_bursts 0\nburst_time 0\n")
    w("cpuacct.usage", f"{st.usage_usec * 1000}\n")
    half = st.usage_usec * 1000 // 2
    w("cpuacct.usage_percpu", f"{half} {st.usage_usec * 1000 - half} \n")
    w("cpuacct.stat", f"user {st.user_usec // 10000}\nsystem {st.system_usec // 10000}\n")


def v1_mem_files(d, st, procs="", local=True):
    w = lambda n, t: write(os.path.join(d, n), t)
    w("cgroup.clone_children", "0\n")
    w("cgroup.procs", procs)
    w("tasks", procs)
    lim = st.mem_lim if st.mem_lim else V1_UNLIMITED
    w("memory.limit_in_bytes", f"{lim}\n")
    w("memory.soft_limit_in_bytes", f"{V1_UNLIMITED}\n")
    w("memory.usage_in_bytes", f"{st.current}\n")
    w("memory.max_usage_in_bytes", f"{st.peak}\n")
    w("memory.failcnt", f"{st.failcnt}\n")
    w("memory.use_hierarchy", "1\n")
    w("memory.oom_control", f"oom_kill_disable 0\nunder_oom 0\noom_kill {st.oom_kill}\n")
    # a pod cgroup holds no process: its own counters are 0, the total_ ones sum its children
    own = (lambda v: v) if local else (lambda v: 0)
    mapped = st.file // 3 // 4096 * 4096
    w("memory.stat", f"""cache {own(st.file)}
rss {own(st.anon)}
rss_huge 0
shmem 0
mapped_file {own(mapped)}
dirty 0
writeback 0
swap {own(st.swap)}
pgpgin {own(st.pgfault * 3)}
pgpgout {own(st.pgfault * 3 - (st.anon + st.file) // 4096)}
pgfault {own(st.pgfault)}
pgmajfault {own(st.pgfault // 900)}
inactive_anon {own(st.inactive_anon)}
active_anon {own(st.active_anon)}
inactive_file {own(st.inactive_file)}
active_file {own(st.active_file)}
unevictable 0
hierarchical_memory_limit {lim}
hierarchical_memsw_limit {V1_UNLIMITED}
total_cache {st.file}
total_rss {st.anon}
total_rss_huge 0
total_shmem 0
total_mapped_file {mapped}
total_dirty 0
total_writeback 0
total_swap {st.swap}
total_pgpgin {st.pgfault * 3}
total_pgpgout {st.pgfault * 3 - (st.anon + st.file) // 4096}
total_pgfault {st.pgfault}
total_pgmajfault {st.pgfault // 900}
total_inactive_anon {st.inactive_anon}
total_active_anon {st.active_anon}
total_inactive_file {st.inactive_file}
total_active_file {st.active_file}
total_unevictable 0
""")


def pod_stats(p):
    """Stats of every container (pause first) and of the pod, as the kubelet configures them."""
    out = []
    period = 100000
    pst = Stats(p.uid + "pause", p.pause.anon, p.pause.file, 2, 0, period, None)
    out.append((p.pause, pst))
    for c in p.ctrs:
        shares = shares_of(c.req_m) if c.req_m else 2
        quota = c.lim_m * period // 1000 if c.lim_m else 0
        out.append((c, Stats(p.uid + c.name, c.anon, c.file, shares, quota, period, c.mem_lim,
                             c.oom_kill, c.failcnt, c.throttled)))
    if p.qos == "besteffort":
        shares, quota, lim = 2, 0, None
    else:
        shares = shares_of(sum(c.req_m for c in p.ctrs))
        quota = sum(c.lim_m for c in p.ctrs) * period // 1000 if all(c.lim_m for c in p.ctrs) else 0
        lim = sum(c.mem_lim for c in p.ctrs) if all(c.mem_lim for c in p.ctrs) else None
    return out, Stats.total(p.uid, [s for _, s in out], shares, quota, period, lim)


def pod_path(p, systemd):
    if systemd:
        u = p.uid.replace("-", "_")
        if p.qos == "guaranteed":
            return f"kubepods.slice/kubepods-pod{u}.slice"
        return f"kubepods.slice/kubepods-{p.qos}.slice/kubepods-{p.qos}-pod{u}.slice"
    if p.qos == "guaranteed":
        return f"kubepods/pod{p.uid}"
    return f"kubepods/{p.qos}/pod{p.uid}"


def leaf(cid, systemd):
    return f"cri-containerd-{cid}.scope" if systemd else cid


def write_logs(root, pods):
    for p in pods:
        pdir = f"var/log/pods/{p.ns}_{p.name}_{p.uid}"
        if not p.logdir:
            continue
        for c in p.ctrs:
            write(os.path.join(root, pdir, c.name, "0.log"),
                  '2026-11-20T09:12:44.180245912Z stdout F started\n')
            if c.symlink:
                link = os.path.join(root, f"var/log/containers/{p.name}_{p.ns}_{c.name}-{c.id}.log")
                os.makedirs(os.path.dirname(link), exist_ok=True)
                os.symlink(f"/{pdir}/{c.name}/0.log", link)
    os.makedirs(os.path.join(root, "var/log/containers"), exist_ok=True)
    os.makedirs(os.path.join(root, "var/log/pods"), exist_ok=True)


def write_bundles(root, pods):
    for p in pods:
        for c in [p.pause] + p.ctrs:
            ann = {
                "io.kubernetes.cri.container-type": "sandbox" if c.sandbox else "container",
                "io.kubernetes.cri.sandbox-id": p.pause.id,
                "io.kubernetes.cri.sandbox-name": p.name,
                "io.kubernetes.cri.sandbox-namespace": p.ns,
                "io.kubernetes.cri.sandbox-uid": p.uid,
                "io.kubernetes.cri.image-name": c.image,
            }
            if c.sandbox:
                ann["io.kubernetes.cri.sandbox-log-directory"] = f"/var/log/pods/{p.ns}_{p.name}_{p.uid}"
            else:
                ann["io.kubernetes.cri.container-name"] = c.name
            cfg = {
                "ociVersion": "1.1.0",
                "process": {"user": {"uid": 65535, "gid": 65535}, "args": ["/pause"] if c.sandbox else ["/app"],
                            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    "DATABASE_PASSWORD=not-for-nodex"],
                            "cwd": "/", "noNewPrivileges": True},
                "root": {"path": "rootfs", "readonly": c.sandbox},
                "hostname": p.name,
                "mounts": [{"destination": "/proc", "type": "proc", "source": "proc",
                            "options": ["nosuid", "noexec", "nodev"]}],
                "annotations": ann,
                "linux": {"cgroupsPath": f"kubepods-{p.qos}-pod{p.uid.replace('-', '_')}.slice:cri-containerd:{c.id}",
                          "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                                         {"type": "network"}]},
            }
            d = os.path.join(root, "run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io", c.id)
            write(os.path.join(d, "config.json"), json.dumps(cfg, indent=None, separators=(",", ":")))


SERVICES_K3S = [
    # unit, anon, file, cpu quota (us / 100ms), memory limit
    ("k3s.service", 498073600, 264241152, 0, None),
    ("ssh.service", 1470464, 2285568, 0, None),
    ("systemd-journald.service", 8794112, 41975808, 0, None),
    ("system-getty.slice/getty@tty1.service", 225280, 81920, 0, None),
]

SERVICES_HOST = [
    ("cron.service", 1089536, 4689920, 0, None),
    ("ssh.service", 2244608, 6680576, 0, None),
    ("nginx.service", 24317952, 118784000, 50000, 512 * MiB),
    ("systemd-journald.service", 11010048, 73400320, 0, None),
    ("system-postgresql.slice/postgresql@15-main.service", 146800640, 1073741824, 0, 2 * GiB),
]


def write_services(root, cg, services, v1):
    for unit, anon, file, quota, lim in services:
        st = Stats(unit, anon, file, 1024, quota, 100000, lim)
        pid = str(300 + num(unit, 1, 5000)) + "\n"
        if v1:
            v1_cpu_files(os.path.join(root, cg["cpu"], "system.slice", unit), st, pid)
            if cg["cpuacct"] != cg["cpu"]:
                v1_cpu_files(os.path.join(root, cg["cpuacct"], "system.slice", unit), st, pid)
            v1_mem_files(os.path.join(root, cg["memory"], "system.slice", unit), st, pid)
        else:
            v2_files(os.path.join(root, cg["v2"], "system.slice", unit), st, pid)


# unit, anon, file, quota, limit, the hierarchies that hold it (systemd's accounting settings decide)
SERVICES_PLACED = [
    ("k3s.service", 498073600, 264241152, 0, None, {"memory", "cpu", "unified"}),
    ("ssh.service", 1470464, 2285568, 0, None, {"memory", "cpu", "unified"}),
    ("systemd-journald.service", 8794112, 41975808, 0, None, {"memory", "cpu", "unified"}),
    ("chrony.service", 892928, 1208320, 0, None, {"cpu", "unified"}),       # CPUAccounting only
    ("nginx.service", 24317952, 118784000, 0, 512 * MiB, {"memory", "unified"}),  # MemoryAccounting only
]


def unified_files(d, st, procs=""):
    """A cgroup of the unified tree of a hybrid host: no controller, but cpu.stat's usage is always there."""
    w = lambda n, t: write(os.path.join(d, n), t)
    w("cgroup.controllers", "")
    w("cgroup.events", "populated 1\nfrozen 0\n")
    w("cgroup.procs", procs)
    w("cpu.stat", f"usage_usec {st.usage_usec}\nuser_usec {st.user_usec}\nsystem_usec {st.system_usec}\n"
                  "core_sched.force_idle_usec 0\n")


def write_services_placed(root, cg, services, with_unified):
    for unit, anon, file, quota, lim, where in services:
        if not with_unified:
            where = where - {"unified"}
            if not where & {"memory", "cpu"}:
                continue
        st = Stats(unit, anon, file, 1024, quota, 100000, lim)
        pid = str(300 + num(unit, 1, 5000)) + "\n"
        if "cpu" in where:
            v1_cpu_files(os.path.join(root, cg["cpu"], "system.slice", unit), st, pid)
        if "memory" in where:
            v1_mem_files(os.path.join(root, cg["memory"], "system.slice", unit), st, pid)
        if "unified" in where:
            unified_files(os.path.join(root, cg["unified"], "system.slice", unit), st, pid)


def write_proc(root):
    write(os.path.join(root, "proc/stat"),
          "cpu  1843290 3120 612355 98231776 40211 0 21044 0 0 0\n"
          "cpu0 921645 1560 306177 49115888 20105 0 10522 0 0 0\n"
          "cpu1 921645 1560 306178 49115888 20106 0 10522 0 0 0\n"
          "intr 309917402 0 9 0 0 0 0 0 0 0 0\nctxt 581739202\nbtime 1763100000\n"
          "processes 2211870\nprocs_running 2\nprocs_blocked 0\nsoftirq 112309284 0 31120844 2 9830 0 0 1 37912344 0 43256263\n")


def build(layout, root, pods, services):
    systemd = layout == "v2-systemd"
    sysfs = "sys/fs/cgroup"
    if layout.startswith("v2"):
        write(os.path.join(root, sysfs, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n")
        write(os.path.join(root, sysfs, "cgroup.subtree_control"), "cpuset cpu io memory pids\n")
        write(os.path.join(root, sysfs, "cgroup.procs"), "1\n")
        write(os.path.join(root, sysfs, "cpu.stat"), "usage_usec 51244081000\nuser_usec 38120553000\nsystem_usec 13123528000\n")
        write(os.path.join(root, sysfs, "memory.stat"), "anon 1650917376\nfile 4203048960\n")
        write(os.path.join(root, sysfs, "init.scope/cgroup.procs"), "1\n")
        cg = {"v2": sysfs}
    else:
        if layout in ("v1-cgroupfs", "v1-k3s", "hybrid"):
            cg = {"cpu": f"{sysfs}/cpu,cpuacct", "cpuacct": f"{sysfs}/cpu,cpuacct", "memory": f"{sysfs}/memory"}
            os.makedirs(os.path.join(root, cg["cpu"]), exist_ok=True)
            os.symlink("cpu,cpuacct", os.path.join(root, sysfs, "cpu"))
            os.symlink("cpu,cpuacct", os.path.join(root, sysfs, "cpuacct"))
            if layout == "hybrid":
                cg["unified"] = f"{sysfs}/unified"
                write(os.path.join(root, sysfs, "unified/cgroup.controllers"), "")
                write(os.path.join(root, sysfs, "unified/cgroup.procs"), "1\n")
                write(os.path.join(root, sysfs, "unified/init.scope/cgroup.procs"), "1\n")
            if layout != "v1-cgroupfs":
                write(os.path.join(root, sysfs, "systemd/cgroup.procs"), "1\n")
        else:
            cg = {"cpu": f"{sysfs}/cpu", "cpuacct": f"{sysfs}/cpuacct", "memory": f"{sysfs}/memory"}
            write(os.path.join(root, sysfs, "unified/cgroup.controllers"), "")
            write(os.path.join(root, sysfs, "unified/cgroup.procs"), "1\n")
            write(os.path.join(root, sysfs, "systemd/cgroup.procs"), "1\n")
        write(os.path.join(root, cg["memory"], "memory.use_hierarchy"), "1\n")
        write(os.path.join(root, cg["memory"], "memory.usage_in_bytes"), "5853966336\n")
        write(os.path.join(root, cg["cpu"], "cpu.shares"), "1024\n")
        write(os.path.join(root, sysfs, "pids/cgroup.procs"), "1\n")
        write(os.path.join(root, cg["memory"], "user.slice/user-1000.slice/session-3.scope/cgroup.procs"), "2211\n")

    for p in pods:
        stats, pst = pod_stats(p)
        ppath = pod_path(p, systemd)
        if layout.startswith("v2"):
            v2_files(os.path.join(root, sysfs, ppath), pst)
            for c, st in stats:
                v2_files(os.path.join(root, sysfs, ppath, leaf(c.id, systemd)), st, "4242\n")
        else:
            v1_cpu_files(os.path.join(root, cg["cpu"], ppath), pst)
            if cg["cpuacct"] != cg["cpu"]:
                v1_cpu_files(os.path.join(root, cg["cpuacct"], ppath), pst)
            v1_mem_files(os.path.join(root, cg["memory"], ppath), pst, local=False)
            for c, st in stats:
                v1_cpu_files(os.path.join(root, cg["cpu"], ppath, c.id), st, "4242\n")
                if cg["cpuacct"] != cg["cpu"]:
                    v1_cpu_files(os.path.join(root, cg["cpuacct"], ppath, c.id), st, "4242\n")
                v1_mem_files(os.path.join(root, cg["memory"], ppath, c.id), st, "4242\n")
                write(os.path.join(root, sysfs, "pids", ppath, c.id, "pids.current"), "1\n")
    if layout in ("v1-k3s", "hybrid"):
        write_services_placed(root, cg, services, layout == "hybrid")
    elif services:
        write_services(root, cg, services, not layout.startswith("v2"))
    if pods:
        write_logs(root, pods)
    if systemd:
        write_bundles(root, pods)
    write_proc(root)


def main():
    mode, layout, root = sys.argv[1], sys.argv[2], sys.argv[3]
    if os.path.exists(root) and os.listdir(root):
        sys.exit(f"{root} is not empty")
    if mode == "golden":
        pods = [] if layout == "v1-host" else golden_pods()
        services = {"v2-systemd": SERVICES_K3S, "v1-host": SERVICES_HOST, "v1-k3s": SERVICES_PLACED,
                    "hybrid": SERVICES_PLACED}.get(layout, [])
        build(layout, root, pods, services)
    elif mode == "scale":
        build(layout, root, scale_pods(int(sys.argv[4])), SERVICES_K3S if layout.startswith("v2") else SERVICES_HOST)
    elif mode == "dirs":
        pods = scale_pods(int(sys.argv[4]))
        write_logs(root, pods)
        systemd = layout == "v2-systemd"
        for p in pods:
            print(pod_path(p, systemd))
            for c in [p.pause] + p.ctrs:
                print(pod_path(p, systemd) + "/" + leaf(c.id, systemd))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
