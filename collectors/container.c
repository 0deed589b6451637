/* container: CPU and memory of Kubernetes pods and containers and of systemd services, read from the cgroup
 * tree, under the family names, types, HELP texts and labels of cAdvisor as the kubelet serves it
 * (/metrics/cadvisor). Every family has the same labels: container, id, image, name, namespace, pod, with
 * "" where a value is unknown; container_cpu_usage_seconds_total adds cpu="total".
 *
 * Which cgroups (the id label is the path below the cgroup mount, as cAdvisor's):
 *   - pod cgroups, kubepods[/<qos>]/pod<uid> (cgroupfs driver) or kubepods.slice/[kubepods-<qos>.slice/]
 *     kubepods-[<qos>-]pod<uid_>.slice (systemd driver), wherever the kubepods component sits (k3d nests it
 *     under the node container's cgroup): name="", image="", container="", pod and namespace of the pod;
 *   - their children whose name holds a 64-hex container id (<id>, cri-containerd-<id>.scope, crio-<id>,
 *     docker-<id>.scope): name=<id>; the pause (sandbox) container has container="" as with containerd;
 *   - systemd services, /system.slice/<unit>.service and /system.slice/<sub>.slice/<unit>.service: only id.
 *   --collector.container.cgroup-include / -exclude filter them by id (Go regexp, unanchored).
 *
 * Where the names come from, without the Kubernetes API:
 *   - <rootfs>/var/log/pods/<namespace>_<pod>_<uid>: pod uid -> namespace and pod (for pod cgroups and the
 *     pause container);
 *   - <rootfs>/var/log/containers/<pod>_<namespace>_<container>-<id>.log: container id -> container name.
 *     A name cut at 255 bytes is completed from its symlink target (the pod log directory);
 *   - optionally the containerd task bundle's config.json (<rootfs>/run/k3s/containerd/... or
 *     <rootfs>/run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json, usually root-only):
 *     its OCI annotations give the image (nothing else on disk does), tell the sandbox from the
 *     containers and name both. Read once per container id and cached.
 *   The log directories are read again only when their mtime changes.
 *
 * Every cgroup any hierarchy has is reported (cAdvisor lists the union too), each family from the hierarchy
 * that counts it: on v1 a systemd unit with CPUAccounting and no MemoryAccounting is in cpu,cpuacct only;
 * on hybrid hosts systemd puts units in memory and the unified tree, and in cpuacct only with
 * CPUAccounting.
 *
 * What is read (cgroup v2 / v1, where v1 may be legacy or hybrid, cpu and cpuacct joint or apart):
 *   cpu usage/user/system: cpu.stat usage_usec, user_usec, system_usec / cpuacct.usage (ns) and
 *     cpuacct.stat user, system (USER_HZ = 100, as cAdvisor); on hybrid hosts, for a cgroup not in cpuacct,
 *     the unified tree's cpu.stat (cAdvisor has no CPU for those). cpu="total" only, only when usage > 0.
 *   cfs periods, throttled periods, throttled seconds: cpu.stat nr_periods, nr_throttled, throttled_usec /
 *     nr_periods, nr_throttled, throttled_time (ns); only when a CPU quota is set, as cAdvisor.
 *   memory usage, max usage: memory.current, memory.peak / memory.usage_in_bytes, max_usage_in_bytes.
 *   rss, cache, swap: memory.stat anon, file, memory.swap.current / memory.stat total_rss, total_cache,
 *     total_swap (rss, cache, swap when memory.use_hierarchy is 0).
 *   working set: usage - inactive_file (v1: total_inactive_file), floored at 0.
 *   failcnt: memory.failcnt / v2 has none: memory.events "max" counts the same event (a charge that hit
 *     memory.max). cAdvisor reports 0 on v2.
 *   oom events: memory.events oom_kill / memory.oom_control oom_kill (kernel >= 4.13). cAdvisor instead
 *     counts the OOM kills it parses from /dev/kmsg since the kubelet started; these are the kernel's
 *     counters since the cgroup was created. On v2 a pod cgroup's count includes its containers'.
 *   spec: cpu.max (quota "max" -> no series, period), cpu.weight -> shares 2 + (w-1)*262142/9999 /
 *     cpu.cfs_quota_us (-1 -> no series), cpu.cfs_period_us, cpu.shares; memory.max / memory.limit_in_bytes,
 *     exported as 0 when above 2^62 ("max", 9223372036854771712), as cAdvisor does.
 *   start time: the earliest mtime of the cgroup directory and its cgroup.events (v2) or
 *     cgroup.clone_children (v1), not before boot time truncated to the minute (cAdvisor v0.52), cached per
 *     cgroup (keyed by the directory's inode, so a restarted service gets a new one).
 * A value whose file is missing is left out (cAdvisor often reports 0 then).
 *
 * Cost (tests/bench/container-scale.sh): cgroups come and go by the thousand, so their files are read with
 * openat() relative to the open pod directory and never through the core's descriptor cache (each cached
 * cgroupfs fd pins about 4.5 KiB of kernel memory, and 5,000 containers have some 50,000 files). Directory
 * entries are typed by d_type; the walk opens only directories that can hold pods, pods and the system
 * slice, never a container's. Each cgroup's labels and values go to the scrape's arena and are emitted
 * sorted, so the exposition finds every family already in order. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "collector.h"
#include "hash.h"
#include "json.h"

/* ---- families ---- */

#define CG_LABELS "container", "id", "image", "name", "namespace", "pod"

enum {
	L_CONTAINER,
	L_ID,
	L_IMAGE,
	L_NAME,
	L_NAMESPACE,
	L_POD,
	L_CPU, /* only container_cpu_usage_seconds_total */
	L_N,
};

enum {
	F_CPU_USAGE,
	F_CPU_USER,
	F_CPU_SYSTEM,
	F_CFS_PERIODS,
	F_CFS_THROTTLED_PERIODS,
	F_CFS_THROTTLED_SECONDS,
	F_MEM_USAGE,
	F_MEM_WORKING_SET,
	F_MEM_RSS,
	F_MEM_CACHE,
	F_MEM_SWAP,
	F_MEM_FAILCNT,
	F_MEM_MAX_USAGE,
	F_OOM_EVENTS,
	F_SPEC_MEM_LIMIT,
	F_SPEC_CPU_QUOTA,
	F_SPEC_CPU_PERIOD,
	F_SPEC_CPU_SHARES,
	F_START_TIME,
	F_N,
};

/* HELP texts are cAdvisor's (metrics/prometheus.go), byte for byte, missing periods included. */
static const struct metric_desc cg_descs[F_N] = {
	[F_CPU_USAGE] = METRIC_DESC("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.",
				    METRIC_COUNTER, CG_LABELS, "cpu"),
	[F_CPU_USER] = METRIC_DESC("container_cpu_user_seconds_total",
				   "Cumulative user cpu time consumed in seconds.", METRIC_COUNTER, CG_LABELS),
	[F_CPU_SYSTEM] = METRIC_DESC("container_cpu_system_seconds_total",
				     "Cumulative system cpu time consumed in seconds.", METRIC_COUNTER, CG_LABELS),
	[F_CFS_PERIODS] = METRIC_DESC("container_cpu_cfs_periods_total",
				      "Number of elapsed enforcement period intervals.", METRIC_COUNTER, CG_LABELS),
	[F_CFS_THROTTLED_PERIODS] = METRIC_DESC("container_cpu_cfs_throttled_periods_total",
						"Number of throttled period intervals.", METRIC_COUNTER, CG_LABELS),
	[F_CFS_THROTTLED_SECONDS] = METRIC_DESC("container_cpu_cfs_throttled_seconds_total",
						"Total time duration the container has been throttled.", METRIC_COUNTER,
						CG_LABELS),
	[F_MEM_USAGE] = METRIC_DESC("container_memory_usage_bytes",
				    "Current memory usage in bytes, including all memory regardless of when it was "
				    "accessed",
				    METRIC_GAUGE, CG_LABELS),
	[F_MEM_WORKING_SET] = METRIC_DESC("container_memory_working_set_bytes", "Current working set in bytes.",
					  METRIC_GAUGE, CG_LABELS),
	[F_MEM_RSS] = METRIC_DESC("container_memory_rss", "Size of RSS in bytes.", METRIC_GAUGE, CG_LABELS),
	[F_MEM_CACHE] = METRIC_DESC("container_memory_cache", "Number of bytes of page cache memory.", METRIC_GAUGE,
				    CG_LABELS),
	[F_MEM_SWAP] = METRIC_DESC("container_memory_swap", "Container swap usage in bytes.", METRIC_GAUGE,
				   CG_LABELS),
	[F_MEM_FAILCNT] = METRIC_DESC("container_memory_failcnt", "Number of memory usage hits limits",
				      METRIC_COUNTER, CG_LABELS),
	[F_MEM_MAX_USAGE] = METRIC_DESC("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes",
					METRIC_GAUGE, CG_LABELS),
	[F_OOM_EVENTS] = METRIC_DESC("container_oom_events_total",
				     "Count of out of memory events observed for the container", METRIC_COUNTER,
				     CG_LABELS),
	[F_SPEC_MEM_LIMIT] = METRIC_DESC("container_spec_memory_limit_bytes", "Memory limit for the container.",
					 METRIC_GAUGE, CG_LABELS),
	[F_SPEC_CPU_QUOTA] = METRIC_DESC("container_spec_cpu_quota", "CPU quota of the container.", METRIC_GAUGE,
					 CG_LABELS),
	[F_SPEC_CPU_PERIOD] = METRIC_DESC("container_spec_cpu_period", "CPU period of the container.", METRIC_GAUGE,
					  CG_LABELS),
	[F_SPEC_CPU_SHARES] = METRIC_DESC("container_spec_cpu_shares", "CPU share of the container.", METRIC_GAUGE,
					  CG_LABELS),
	[F_START_TIME] = METRIC_DESC("container_start_time_seconds",
				     "Start time of the container since unix epoch in seconds.", METRIC_GAUGE,
				     CG_LABELS),
};

/* ---- flags ---- */

static const char *flag_include;
static const char *flag_exclude;
static const char *flag_pod_logs;
static const char *flag_ctr_logs;
static bool flag_annotations;

static struct flag container_flags[] = {
	{ "collector.container.cgroup-include", FLAG_STRING, "",
	  "Regexp of cgroup paths (the id label, e.g. /kubepods/burstable/pod<uid>/<id> or "
	  "/system.slice/ssh.service) to include. Unset: every pod, container and system service.",
	  &flag_include },
	{ "collector.container.cgroup-exclude", FLAG_STRING, "",
	  "Regexp of cgroup paths (the id label) to exclude.", &flag_exclude },
	{ "collector.container.pod-logs-dir", FLAG_STRING, "/var/log/pods",
	  "Kubelet pod log directory (<namespace>_<pod>_<uid>), relative to --path.rootfs.", &flag_pod_logs },
	{ "collector.container.container-logs-dir", FLAG_STRING, "/var/log/containers",
	  "Kubelet container log symlinks (<pod>_<namespace>_<container>-<id>.log), relative to --path.rootfs.",
	  &flag_ctr_logs },
	{ "collector.container.containerd-annotations", FLAG_BOOL, "true",
	  "Read image and sandbox annotations from containerd's task bundles (config.json under "
	  "/run/k3s/containerd and /run/containerd, relative to --path.rootfs) when readable.",
	  &flag_annotations },
	{ NULL },
};

/* ---- persistent state ---- */

/* Where containerd keeps the OCI bundles of running CRI tasks: k3s, then stock containerd. */
static const char *const task_dirs[] = {
	"/run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io",
	"/run/containerd/io.containerd.runtime.v2.task/k8s.io",
};
#define N_TASK_DIRS ARRAY_SIZE(task_dirs)

enum ann_state {
	ANN_TODO,  /* not looked for yet */
	ANN_RETRY, /* no bundle yet: look again when a task directory changes */
	ANN_DONE,  /* read, or unreadable for good */
};

/* What nodex remembers about one cgroup between scrapes. */
struct cg_entry {
	uint64_t hash;
	unsigned gen;   /* the last scrape that saw it */
	ino_t ino;      /* of its directory: another inode under the same path is a new cgroup */
	bool start_known;
	double start;
	enum ann_state ann;
	uint64_t ann_stamp;
	bool sandbox;
	char *image, *ctr_name, *sb_name, *sb_ns; /* from the annotations, or NULL */
	char id[];
};

static struct {
	struct cg_entry **slots;
	size_t n_slots, used;
} cache;

static struct name_filter filter;
static unsigned scrape_gen;
static double boot_minute; /* boot time truncated to the minute; 0 when unknown */
static struct strbuf json_buf;

/* uid -> (namespace, pod) from the pod log directories; container id -> names from the symlinks. */
struct pod_ref {
	const char *uid, *ns, *pod;
};

struct ctr_ref {
	const char *id; /* full id, or the prefix a cut name kept */
	const char *uid; /* cut names only: the pod uid from the symlink target */
	const char *ns, *pod, *name;
};

struct dir_stamp {
	bool valid;
	bool racy;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
};

struct idmap {
	struct arena arena;
	struct dir_stamp stamp;
	void *v;
	size_t n, cap;
};

static struct idmap pods_map, ctrs_map, cut_map;

/* cgroup v1 and v2 filesystem types (linux/magic.h: CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC). */
#define CGROUP_FS_MAGIC 0x27e0ebUL
#define CGROUP2_FS_MAGIC 0x63677270UL

/* The largest record getdents64 writes: a NAME_MAX name, its NUL, the fixed fields, 8-byte aligned. */
#define DIRENT_MAX_RECLEN ((offsetof(struct dirent64, d_name) + NAME_MAX + 1 + 7) & ~(size_t)7)

/* ---- small helpers ---- */

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/* A directory entry that is a directory: d_type when the filesystem gives it, a stat otherwise (symlinks,
 * DT_UNKNOWN). */
static bool entry_is_dir(int dfd, const struct dirent64 *de)
{
	struct stat st;

	if (de->d_name[0] == '.')
		return false;
	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return false;
	return fstatat(dfd, de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* ---- the cgroup cache ---- */

static void entry_free(struct cg_entry *e)
{
	if (!e)
		return;
	free(e->image);
	free(e->ctr_name);
	free(e->sb_name);
	free(e->sb_ns);
	free(e);
}

/* Rebuilds the table with n_slots slots; with evict, drops the entries this scrape has not seen. */
static int cache_rehash(size_t n_slots, bool evict)
{
	struct cg_entry **slots = n_slots ? calloc(n_slots, sizeof(*slots)) : NULL;

	if (!slots)
		return -ENOMEM;
	cache.used = 0;
	for (size_t i = 0; i < cache.n_slots; i++) {
		struct cg_entry *e = cache.slots[i];
		if (!e)
			continue;
		if (evict && e->gen != scrape_gen) {
			entry_free(e);
			continue;
		}
		size_t j = e->hash & (n_slots - 1);
		while (slots[j])
			j = (j + 1) & (n_slots - 1);
		slots[j] = e;
		cache.used++;
	}
	free(cache.slots);
	cache.slots = slots;
	cache.n_slots = n_slots;
	return 0;
}

/* Returns the entry for id, created (or reset, when the directory's inode changed) as needed, marked as
 * seen in this scrape. NULL when out of memory. */
static struct cg_entry *cache_get(const char *id, ino_t ino)
{
	uint64_t h = hash_str(HASH_INIT, id);
	struct cg_entry *e;
	size_t j;

	if ((cache.used + 1) * 2 > cache.n_slots && cache_rehash(grow_double(cache.n_slots, 256), false) < 0)
		return NULL;
	for (j = h & (cache.n_slots - 1); (e = cache.slots[j]); j = (j + 1) & (cache.n_slots - 1)) {
		if (e->hash == h && streq(e->id, id))
			break;
	}
	if (e && e->ino != ino) {
		entry_free(e);
		cache.slots[j] = e = NULL;
		cache.used--;
	}
	if (!e) {
		size_t len = strlen(id);
		e = calloc(1, sizeof(*e) + len + 1);
		if (!e)
			return NULL;
		memcpy(e->id, id, len + 1);
		e->hash = h;
		e->ino = ino;
		cache.slots[j] = e;
		cache.used++;
	}
	e->gen = scrape_gen;
	return e;
}

/* Drops the entries of cgroups this scrape did not see. */
static void cache_sweep(size_t seen)
{
	if (seen < cache.used)
		cache_rehash(cache.n_slots, true);
}

static void cache_free(void)
{
	for (size_t i = 0; i < cache.n_slots; i++)
		entry_free(cache.slots[i]);
	free(cache.slots);
	memset(&cache, 0, sizeof(cache));
}

/* ---- the identity maps from the kubelet's log directories ---- */

static void idmap_clear(struct idmap *m)
{
	arena_reset(&m->arena);
	m->n = 0;
}

static void idmap_free(struct idmap *m)
{
	arena_free(&m->arena);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void *idmap_push(struct idmap *m, size_t size)
{
	void *v = heap_grow(m->v, m->n, &m->cap, size);

	if (!v)
		return NULL;
	m->v = v;
	return (char *)m->v + m->n++ * size;
}

/* Returns true when the directory at path changed since the stamp was taken (or may have: an mtime this
 * recent can still be shared by a later change, so such a stamp is not trusted next time). Updates the
 * stamp. */
static bool dir_changed(const char *path, struct dir_stamp *s)
{
	struct stat st;
	struct dir_stamp now = { 0 };

	if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		now.valid = true;
		now.dev = st.st_dev;
		now.ino = st.st_ino;
		now.mtime = st.st_mtim;
		double age = now_realtime() - ((double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9);
		now.racy = age < 2.0;
	}
	bool changed = s->racy || now.valid != s->valid ||
		       (now.valid && (now.dev != s->dev || now.ino != s->ino || ts_cmp(&now.mtime, &s->mtime) != 0));
	*s = now;
	return changed;
}

static int cmp_pod_ref(const void *a, const void *b)
{
	return strcmp(((const struct pod_ref *)a)->uid, ((const struct pod_ref *)b)->uid);
}

static int cmp_ctr_ref(const void *a, const void *b)
{
	return strcmp(((const struct ctr_ref *)a)->id, ((const struct ctr_ref *)b)->id);
}

/* <namespace>_<pod>_<uid>: namespaces and pod names never hold "_". */
static void pods_rebuild(const char *path)
{
	DIR *d;
	struct dirent *de;

	idmap_clear(&pods_map);
	if (!path || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		const char *u1 = strchr(n, '_'), *u2 = strrchr(n, '_');
		if (n[0] == '.' || !u1 || u1 == u2 || u1 == n || u2 == u1 + 1 || !u2[1])
			continue;
		struct pod_ref *r = idmap_push(&pods_map, sizeof(*r));
		if (!r)
			break;
		r->ns = arena_strndup(&pods_map.arena, n, (size_t)(u1 - n));
		r->pod = arena_strndup(&pods_map.arena, u1 + 1, (size_t)(u2 - u1 - 1));
		r->uid = arena_strdup(&pods_map.arena, u2 + 1);
		if (!r->ns || !r->pod || !r->uid) {
			pods_map.n--;
			break;
		}
	}
	closedir(d);
	if (pods_map.n > 1)
		qsort(pods_map.v, pods_map.n, sizeof(struct pod_ref), cmp_pod_ref);
}

/* A symlink name cut at 255 bytes: the target, <pod logs>/<namespace>_<pod>_<uid>/<container>/<n>.log,
 * still names the pod and the container; the cut name may keep a prefix of the id. */
static void cut_add(int dfd, const char *name, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
	char *slash[3] = { NULL, NULL, NULL };

	if (n <= 0)
		return;
	target[n] = '\0';
	/* the last three components: <ns>_<pod>_<uid>/<container>/<n>.log */
	for (char *p = target + n - 1; p >= target; p--) {
		if (*p != '/')
			continue;
		slash[2] = slash[1];
		slash[1] = slash[0];
		slash[0] = p;
		if (slash[2])
			break;
	}
	if (!slash[2])
		return;
	/* slash[0] starts the pod directory's name, slash[1] the container's, slash[2] the file's */
	const char *pdir = slash[0] + 1, *cname = slash[1] + 1;
	size_t plen = (size_t)(slash[1] - pdir), clen = (size_t)(slash[2] - cname);
	const char *u1 = memchr(pdir, '_', plen);
	const char *u2 = NULL;
	for (const char *p = pdir + plen; p > pdir; p--)
		if (p[-1] == '_') {
			u2 = p - 1;
			break;
		}
	if (!u1 || u1 == u2 || !clen)
		return;
	/* The id prefix the cut name kept: at least 12 hex digits after the last "-". */
	const char *dash = NULL;
	for (size_t i = len; i > 0; i--)
		if (name[i - 1] == '-') {
			dash = name + i - 1;
			break;
		}
	if (!dash || !all_hex(dash + 1, len - (size_t)(dash + 1 - name)) || len - (size_t)(dash + 1 - name) < 12)
		return;
	struct ctr_ref *r = idmap_push(&cut_map, sizeof(*r));
	if (!r)
		return;
	r->id = arena_strndup(&cut_map.arena, dash + 1, len - (size_t)(dash + 1 - name));
	r->uid = arena_strndup(&cut_map.arena, u2 + 1, (size_t)(pdir + plen - u2 - 1));
	r->ns = arena_strndup(&cut_map.arena, pdir, (size_t)(u1 - pdir));
	r->pod = arena_strndup(&cut_map.arena, u1 + 1, (size_t)(u2 - u1 - 1));
	r->name = arena_strndup(&cut_map.arena, cname, clen);
	if (!r->id || !r->uid || !r->ns || !r->pod || !r->name)
		cut_map.n--;
}

/* <pod>_<namespace>_<container>-<64 hex id>.log */
static void ctrs_rebuild(const char *path)
{
	DIR *d;
	struct dirent *de;

	idmap_clear(&ctrs_map);
	idmap_clear(&cut_map);
	if (!path || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		if (n[0] == '.')
			continue;
		if (len < 4 || !streq(n + len - 4, ".log")) {
			continue;
		}
		len -= 4;
		const char *u1 = memchr(n, '_', len);
		const char *u2 = u1 ? memchr(u1 + 1, '_', len - (size_t)(u1 + 1 - n)) : NULL;
		const char *dash = NULL;
		for (size_t i = len; i > 0; i--)
			if (n[i - 1] == '-') {
				dash = n + i - 1;
				break;
			}
		if (!u1 || !u2 || !dash || dash <= u2 + 1 || u1 == n || u2 == u1 + 1 ||
		    !is_hex64(dash + 1, len - (size_t)(dash + 1 - n))) {
			if (len + 4 == 255)
				cut_add(dirfd(d), n, len);
			continue;
		}
		struct ctr_ref *r = idmap_push(&ctrs_map, sizeof(*r));
		if (!r)
			break;
		r->uid = NULL;
		r->id = arena_strndup(&ctrs_map.arena, dash + 1, 64);
		r->pod = arena_strndup(&ctrs_map.arena, n, (size_t)(u1 - n));
		r->ns = arena_strndup(&ctrs_map.arena, u1 + 1, (size_t)(u2 - u1 - 1));
		r->name = arena_strndup(&ctrs_map.arena, u2 + 1, (size_t)(dash - u2 - 1));
		if (!r->id || !r->pod || !r->ns || !r->name) {
			ctrs_map.n--;
			break;
		}
	}
	closedir(d);
	if (ctrs_map.n > 1)
		qsort(ctrs_map.v, ctrs_map.n, sizeof(struct ctr_ref), cmp_ctr_ref);
}

static void idmaps_refresh(struct collect_ctx *c)
{
	const char *p = ctx_path(c, ROOT_ROOTFS, "%s", flag_pod_logs);

	if (dir_changed(p, &pods_map.stamp))
		pods_rebuild(pods_map.stamp.valid ? p : NULL);
	p = ctx_path(c, ROOT_ROOTFS, "%s", flag_ctr_logs);
	if (dir_changed(p, &ctrs_map.stamp))
		ctrs_rebuild(ctrs_map.stamp.valid ? p : NULL);
}

static const struct pod_ref *pod_lookup(const char *uid)
{
	struct pod_ref key = { .uid = uid };

	if (!pods_map.n)
		return NULL;
	return bsearch(&key, pods_map.v, pods_map.n, sizeof(key), cmp_pod_ref);
}

static const struct ctr_ref *ctr_lookup(const char *id, const char *uid)
{
	struct ctr_ref key = { .id = id };
	const struct ctr_ref *r = NULL;

	if (ctrs_map.n)
		r = bsearch(&key, ctrs_map.v, ctrs_map.n, sizeof(key), cmp_ctr_ref);
	if (r)
		return r;
	for (size_t i = 0; i < cut_map.n; i++) {
		const struct ctr_ref *k = (const struct ctr_ref *)cut_map.v + i;
		if (uid && streq(k->uid, uid) && startswith(id, k->id))
			return k;
	}
	return NULL;
}

/* ---- containerd annotations ---- */

/* A copy of the string annotation key (a map key: exact, as Go's map[string]string), or NULL. */
static char *json_str_dup(const struct json *ann, const char *key)
{
	const struct json *v = json_get_exact(ann, key);

	return v && v->type == JSON_STRING ? strdup(v->str) : NULL;
}

/* Parses the annotations of an OCI runtime config into e. Returns 0 or -EINVAL. */
static int annotations_parse(struct cg_entry *e, const char *text, size_t len)
{
	struct arena a = { 0 };
	const struct json *root, *ann, *v;
	char err[128];

	root = json_parse(text, len, &a, err, sizeof(err));
	if (!root) {
		arena_free(&a);
		return -EINVAL;
	}
	ann = json_get(root, "annotations");
	if (ann && ann->type == JSON_OBJECT) {
		v = json_get_exact(ann, "io.kubernetes.cri.container-type");
		if (v && v->type == JSON_STRING)
			e->sandbox = streq(v->str, "sandbox");
		e->image = json_str_dup(ann, "io.kubernetes.cri.image-name");
		e->ctr_name = e->sandbox ? NULL : json_str_dup(ann, "io.kubernetes.cri.container-name");
		e->sb_name = json_str_dup(ann, "io.kubernetes.cri.sandbox-name");
		e->sb_ns = json_str_dup(ann, "io.kubernetes.cri.sandbox-namespace");
	}
	arena_free(&a);
	return 0;
}

/* Existence and mtimes of the task directories, folded into one number (0: none exists). A bundle that
 * was missing is looked for again only when this changes. */
static uint64_t task_dirs_stamp(struct collect_ctx *c, bool *exists)
{
	uint64_t h = 0;

	for (size_t i = 0; i < N_TASK_DIRS; i++) {
		struct stat st;
		const char *p = ctx_path(c, ROOT_ROOTFS, "%s", task_dirs[i]);
		exists[i] = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
		if (!exists[i])
			continue;
		h = h * 1099511628211u ^ ((uint64_t)st.st_ino * 31 + (uint64_t)st.st_mtim.tv_sec * 1000000007u +
					   (uint64_t)st.st_mtim.tv_nsec + i + 1);
		if (!h)
			h = 1;
	}
	return h;
}

static void annotations_load(struct collect_ctx *c, struct cg_entry *e, const char *id, uint64_t stamp,
			     const bool *exists)
{
	if (e->ann == ANN_DONE || !stamp || (e->ann == ANN_RETRY && e->ann_stamp == stamp))
		return;
	for (size_t i = 0; i < N_TASK_DIRS; i++) {
		if (!exists[i])
			continue;
		const char *p = ctx_path(c, ROOT_ROOTFS, "%s/%s/config.json", task_dirs[i], id);
		ssize_t n = file_read(p, &json_buf);
		if (n == -ENOENT || n == -ENOTDIR)
			continue;
		e->ann = ANN_DONE;
		if (n < 0)
			log_debug("cannot read container bundle", "path", p, "err", strerror((int)-n));
		else if (annotations_parse(e, json_buf.p, (size_t)n) < 0)
			log_debug("cannot parse container bundle", "path", p);
		return;
	}
	e->ann = ANN_RETRY;
	e->ann_stamp = stamp;
}

/* ---- reading one cgroup ---- */

enum hier {
	H_MEM,     /* v1 memory; v2: the unified hierarchy */
	H_CPU,
	H_CPUACCT,
	H_UNI,     /* hybrid: the unified (v2) tree beside the v1 controllers */
	H_N,
};

enum val {
	V_USAGE,     /* ns */
	V_USER,      /* ns */
	V_SYSTEM,    /* ns */
	V_PERIODS,
	V_THROTTLED,
	V_THROTTLED_NS,
	V_MEM,
	V_MAX_USAGE,
	V_RSS,
	V_CACHE,
	V_SWAP,
	V_INACTIVE_FILE,
	V_FAILCNT,
	V_OOM_KILL,
	V_LIMIT,
	V_PERIOD,
	V_QUOTA,
	V_SHARES,
	V_N,
};

struct cg_vals {
	uint32_t have; /* bit per enum val */
	uint64_t v[V_N];
};

struct scan {
	struct collect_ctx *c;
	bool v2;
	int root[H_N];      /* hierarchy roots, -1 when absent; v2 only H_MEM */
	int same[H_N];      /* the hierarchy whose directories h shares (cpu,cpuacct mounted together): h or less */
	bool fills[H_N];    /* the root is a cgroup filesystem, whose getdents64 fills the buffer (level_list) */
	bool hierarchical;  /* v1: memory.use_hierarchy of the root is 1 */
	struct family *fam[F_N];
	char rel[PATH_MAX]; /* path of the directory being walked, "" for the root, else "/a/b" */
	size_t rel_len;
	char name[PATH_MAX];
	bool ann_enabled;
	bool task_exists[N_TASK_DIRS];
	uint64_t task_stamp;
	size_t seen;
	/* problems: malformed files and unexpected read errors */
	unsigned n_bad;
	char bad[1500];
	bool any_read;
};

static void scan_bad(struct scan *s, const char *sub, const char *file, const char *why)
{
	if (!s->n_bad++)
		snprintf(s->bad, sizeof(s->bad), "%.1024s%s%.256s/%.64s: %.64s", s->rel[0] ? s->rel : "/", sub ? "/" : "",
			 sub ? sub : "", file, why);
}

/* Reads <dir>/<sub>/<file> (sub may be NULL) into ctx->buf and returns its content, or NULL when it could
 * not be read. A cgroup removed meanwhile (ENOENT, ENODEV) is normal and not an error. */
static char *cg_read(struct scan *s, int dfd, const char *sub, const char *file)
{
	ssize_t n;

	if (dfd < 0)
		return NULL;
	if (sub)
		snprintf(s->name, sizeof(s->name), "%s/%s", sub, file);
	n = file_read_at(dfd, sub ? s->name : file, &s->c->buf);
	if (n < 0) {
		if (n != -ENOENT && n != -ENODEV && n != -ESRCH && n != -ENOTDIR)
			scan_bad(s, sub, file, strerror((int)-n));
		return NULL;
	}
	s->any_read = true;
	return s->c->buf.p;
}

/* One number, "max" allowed when max_ok (read as UINT64_MAX, as cAdvisor's readUInt64). */
static bool cg_read_u64(struct scan *s, int dfd, const char *sub, const char *file, bool max_ok, uint64_t *out)
{
	char *p = cg_read(s, dfd, sub, file);

	if (!p)
		return false;
	strip_trailing(p);
	if (max_ok && streq(p, "max")) {
		*out = UINT64_MAX;
		return true;
	}
	if (parse_u64(p, NULL, out) < 0) {
		scan_bad(s, sub, file, "not a number");
		return false;
	}
	return true;
}

struct kv_want {
	const char *key;
	enum val val;
	uint64_t mul;
};

/* "key value" lines: stores the wanted keys' values (times mul) in vals. Stops once all are found. */
static void cg_read_kv(struct scan *s, int dfd, const char *sub, const char *file, const struct kv_want *want,
		       size_t n_want, struct cg_vals *vals)
{
	char *p = cg_read(s, dfd, sub, file), *line;
	size_t found = 0;
	bool bad = false;

	if (!p)
		return;
	while (found < n_want && (line = next_line(&p))) {
		char *f[3];
		int nf = split_fields(line, f, 3);
		uint64_t v;
		if (nf == 0)
			continue;
		if (nf != 2) {
			bad = true;
			continue;
		}
		for (size_t i = 0; i < n_want; i++) {
			if (!streq(f[0], want[i].key))
				continue;
			if (parse_u64(f[1], NULL, &v) < 0) {
				bad = true;
				break;
			}
			vals->v[want[i].val] = v * want[i].mul;
			vals->have |= 1u << want[i].val;
			found++;
			break;
		}
	}
	if (bad)
		scan_bad(s, sub, file, "malformed line");
}

static void set_val(struct cg_vals *vals, enum val k, uint64_t v)
{
	vals->v[k] = v;
	vals->have |= 1u << k;
}

static bool has(const struct cg_vals *vals, enum val k)
{
	return vals->have >> k & 1;
}

static void read_v2(struct scan *s, int dfd, const char *sub, struct cg_vals *vals)
{
	static const struct kv_want cpu_stat[] = {
		{ "usage_usec", V_USAGE, 1000 },	   { "user_usec", V_USER, 1000 },
		{ "system_usec", V_SYSTEM, 1000 },	   { "nr_periods", V_PERIODS, 1 },
		{ "nr_throttled", V_THROTTLED, 1 },	   { "throttled_usec", V_THROTTLED_NS, 1000 },
	};
	static const struct kv_want mem_stat[] = {
		{ "anon", V_RSS, 1 },
		{ "file", V_CACHE, 1 },
		{ "inactive_file", V_INACTIVE_FILE, 1 },
	};
	static const struct kv_want mem_events[] = {
		{ "max", V_FAILCNT, 1 },
		{ "oom_kill", V_OOM_KILL, 1 },
	};
	uint64_t v;
	char *p;

	cg_read_kv(s, dfd, sub, "cpu.stat", cpu_stat, ARRAY_SIZE(cpu_stat), vals);
	if ((p = cg_read(s, dfd, sub, "cpu.max"))) {
		char *f[3];
		uint64_t quota = 0, period;
		if (split_fields(p, f, 3) != 2 || (!streq(f[0], "max") && parse_u64(f[0], NULL, &quota) < 0) ||
		    parse_u64(f[1], NULL, &period) < 0) {
			scan_bad(s, sub, "cpu.max", "malformed");
		} else {
			set_val(vals, V_QUOTA, quota);
			set_val(vals, V_PERIOD, period);
		}
	}
	/* cAdvisor's inverse of the kubelet's shares -> weight mapping (container/common/helpers.go). */
	if (cg_read_u64(s, dfd, sub, "cpu.weight", false, &v) && v >= 1 && v <= 10000)
		set_val(vals, V_SHARES, 2 + ((v - 1) * 262142) / 9999);
	if (cg_read_u64(s, dfd, sub, "memory.current", false, &v))
		set_val(vals, V_MEM, v);
	if (cg_read_u64(s, dfd, sub, "memory.peak", false, &v))
		set_val(vals, V_MAX_USAGE, v);
	if (cg_read_u64(s, dfd, sub, "memory.swap.current", false, &v))
		set_val(vals, V_SWAP, v);
	if (cg_read_u64(s, dfd, sub, "memory.max", true, &v))
		set_val(vals, V_LIMIT, v);
	cg_read_kv(s, dfd, sub, "memory.stat", mem_stat, ARRAY_SIZE(mem_stat), vals);
	cg_read_kv(s, dfd, sub, "memory.events", mem_events, ARRAY_SIZE(mem_events), vals);
}

static void read_v1(struct scan *s, const int *dfd, const char *sub, struct cg_vals *vals)
{
	static const struct kv_want cpuacct_stat[] = {
		/* USER_HZ ticks to ns, as cAdvisor (clockTicks = 100) */
		{ "user", V_USER, 10000000 },
		{ "system", V_SYSTEM, 10000000 },
	};
	static const struct kv_want cpu_stat[] = {
		{ "nr_periods", V_PERIODS, 1 },
		{ "nr_throttled", V_THROTTLED, 1 },
		{ "throttled_time", V_THROTTLED_NS, 1 },
	};
	static const struct kv_want mem_total[] = {
		{ "total_rss", V_RSS, 1 },
		{ "total_cache", V_CACHE, 1 },
		{ "total_swap", V_SWAP, 1 },
		{ "total_inactive_file", V_INACTIVE_FILE, 1 },
	};
	static const struct kv_want mem_local[] = {
		{ "rss", V_RSS, 1 },
		{ "cache", V_CACHE, 1 },
		{ "swap", V_SWAP, 1 },
		{ "total_inactive_file", V_INACTIVE_FILE, 1 },
	};
	static const struct kv_want oom_control[] = {
		{ "oom_kill", V_OOM_KILL, 1 },
	};
	uint64_t v;
	char *p;

	if (cg_read_u64(s, dfd[H_CPUACCT], sub, "cpuacct.usage", false, &v))
		set_val(vals, V_USAGE, v);
	cg_read_kv(s, dfd[H_CPUACCT], sub, "cpuacct.stat", cpuacct_stat, ARRAY_SIZE(cpuacct_stat), vals);
	if (cg_read_u64(s, dfd[H_CPU], sub, "cpu.shares", false, &v))
		set_val(vals, V_SHARES, v);
	if (cg_read_u64(s, dfd[H_CPU], sub, "cpu.cfs_period_us", false, &v))
		set_val(vals, V_PERIOD, v);
	if ((p = cg_read(s, dfd[H_CPU], sub, "cpu.cfs_quota_us"))) {
		int64_t q;
		strip_trailing(p);
		if (parse_i64(p, NULL, &q) < 0)
			scan_bad(s, sub, "cpu.cfs_quota_us", "not a number");
		else
			set_val(vals, V_QUOTA, q > 0 ? (uint64_t)q : 0); /* -1: no quota */
	}
	/* v1's cpu.stat holds only the CFS counters, exported only with a quota: not read without one */
	if (has(vals, V_QUOTA) && vals->v[V_QUOTA])
		cg_read_kv(s, dfd[H_CPU], sub, "cpu.stat", cpu_stat, ARRAY_SIZE(cpu_stat), vals);
	if (cg_read_u64(s, dfd[H_MEM], sub, "memory.usage_in_bytes", false, &v))
		set_val(vals, V_MEM, v);
	if (cg_read_u64(s, dfd[H_MEM], sub, "memory.max_usage_in_bytes", false, &v))
		set_val(vals, V_MAX_USAGE, v);
	if (cg_read_u64(s, dfd[H_MEM], sub, "memory.failcnt", false, &v))
		set_val(vals, V_FAILCNT, v);
	if ((p = cg_read(s, dfd[H_MEM], sub, "memory.limit_in_bytes"))) {
		strip_trailing(p);
		if (streq(p, "-1"))
			set_val(vals, V_LIMIT, UINT64_MAX);
		else if (parse_u64(p, NULL, &v) < 0)
			scan_bad(s, sub, "memory.limit_in_bytes", "not a number");
		else
			set_val(vals, V_LIMIT, v);
	}
	bool hierarchical = s->hierarchical;
	if (!hierarchical && cg_read_u64(s, dfd[H_MEM], sub, "memory.use_hierarchy", false, &v))
		hierarchical = v == 1;
	if (hierarchical)
		cg_read_kv(s, dfd[H_MEM], sub, "memory.stat", mem_total, ARRAY_SIZE(mem_total), vals);
	else
		cg_read_kv(s, dfd[H_MEM], sub, "memory.stat", mem_local, ARRAY_SIZE(mem_local), vals);
	cg_read_kv(s, dfd[H_MEM], sub, "memory.oom_control", oom_control, ARRAY_SIZE(oom_control), vals);
}

/* Hybrid hosts: the unified tree counts the CPU time of every cgroup in it (cpu.stat usage_usec,
 * user_usec, system_usec), also of services systemd put in memory and unified but not in cpuacct; and
 * when the memory controller is not on v1, its files are there. Fills in what the v1 hierarchies did not
 * give. */
static void read_unified(struct scan *s, int dfd, const char *sub, struct cg_vals *vals)
{
	static const struct kv_want cpu_usage[] = {
		{ "usage_usec", V_USAGE, 1000 },
		{ "user_usec", V_USER, 1000 },
		{ "system_usec", V_SYSTEM, 1000 },
	};
	struct cg_vals u = { 0 };

	if (dfd < 0)
		return;
	if (s->root[H_MEM] < 0)
		read_v2(s, dfd, sub, &u);
	else if (!has(vals, V_USAGE) || !has(vals, V_USER) || !has(vals, V_SYSTEM))
		cg_read_kv(s, dfd, sub, "cpu.stat", cpu_usage, ARRAY_SIZE(cpu_usage), &u);
	for (int k = 0; k < V_N; k++)
		if (!has(vals, (enum val)k) && has(&u, (enum val)k))
			set_val(vals, (enum val)k, u.v[k]);
}

/* cAdvisor's start time: the earliest mtime of the directory and of cgroup.events (v2) or
 * cgroup.clone_children (v1) over the hierarchies, not before boot (truncated to the minute). */
static bool start_time(struct scan *s, const int *dfd, const char *sub, double *out)
{
	struct timespec low = { 0 };
	bool found = false;
	for (int h = 0; h < H_N; h++) {
		struct stat st;
		const char *file = s->v2 || h == H_UNI ? "cgroup.events" : "cgroup.clone_children";
		if (dfd[h] < 0 || s->same[h] != h)
			continue;
		if (fstatat(dfd[h], sub ? sub : ".", &st, 0) == 0 && (!found || ts_cmp(&st.st_mtim, &low) < 0)) {
			low = st.st_mtim;
			found = true;
		}
		if (sub)
			snprintf(s->name, sizeof(s->name), "%s/%s", sub, file);
		if (fstatat(dfd[h], sub ? s->name : file, &st, 0) == 0 && (!found || ts_cmp(&st.st_mtim, &low) < 0)) {
			low = st.st_mtim;
			found = true;
		}
	}
	if (!found)
		return false;
	*out = (double)low.tv_sec;
	if (boot_minute > 0 && *out < boot_minute)
		*out = boot_minute;
	return true;
}

enum cg_kind {
	CG_POD,
	CG_CONTAINER,
	CG_SERVICE,
};

/* Names learnt for a pod from its containers, for its own cgroup when the log directory is missing. */
struct pod_names {
	char ns[256];
	char pod[256];
};

/* One cgroup's labels (in the set's arena) and values, kept until every cgroup is read, so that they are
 * emitted in the order the exposition sorts series in (container, then id, unique): each family then
 * arrives sorted, and 5,000 cgroups are sorted once instead of once per family. */
struct cg_rec {
	const char *lv[L_N];
	struct cg_vals vals;
	double start;
	bool start_known;
};

static struct cg_rec **recs; /* this scrape's records; the array is kept between scrapes */
static size_t n_recs, cap_recs;

static const char *label_copy(struct scan *s, const char *v)
{
	return v[0] ? metric_strdup(s->c->ms, v) : "";
}

static void rec_add(struct scan *s, const char *const *lv, const struct cg_vals *vals, const struct cg_entry *e)
{
	struct cg_rec *r = arena_alloc(&s->c->ms->arena, sizeof(*r));
	struct cg_rec **v = r ? heap_grow(recs, n_recs, &cap_recs, sizeof(*v)) : NULL;

	if (!v) {
		s->c->ms->error = -ENOMEM;
		return;
	}
	recs = v;
	for (int i = 0; i < L_N; i++)
		r->lv[i] = i == L_CPU ? "total" : label_copy(s, lv[i]);
	r->vals = *vals;
	r->start = e->start;
	r->start_known = e->start_known;
	recs[n_recs++] = r;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct cg_rec *x = *(const struct cg_rec *const *)a, *y = *(const struct cg_rec *const *)b;
	int c = strcmp(x->lv[L_CONTAINER], y->lv[L_CONTAINER]);

	return c ? c : strcmp(x->lv[L_ID], y->lv[L_ID]);
}

/* Emits one record, with cAdvisor's conditions for each family. */
static void rec_emit(struct family *const *f, const struct cg_rec *r)
{
	const struct cg_vals *vals = &r->vals;
	const char *const *l = r->lv;

	if (r->start_known)
		metric_addv(f[F_START_TIME], r->start, l);
	if (has(vals, V_PERIOD))
		metric_addv(f[F_SPEC_CPU_PERIOD], (double)vals->v[V_PERIOD], l);
	uint64_t quota = has(vals, V_QUOTA) ? vals->v[V_QUOTA] : 0;
	if (quota)
		metric_addv(f[F_SPEC_CPU_QUOTA], (double)quota, l);
	if (has(vals, V_SHARES))
		metric_addv(f[F_SPEC_CPU_SHARES], (double)vals->v[V_SHARES], l);
	if (has(vals, V_LIMIT)) {
		uint64_t lim = vals->v[V_LIMIT];
		metric_addv(f[F_SPEC_MEM_LIMIT], lim > (UINT64_C(1) << 62) ? 0 : (double)lim, l);
	}
	if (has(vals, V_USAGE) && vals->v[V_USAGE] > 0)
		metric_addv(f[F_CPU_USAGE], (double)vals->v[V_USAGE] / 1e9, l);
	if (has(vals, V_USER))
		metric_addv(f[F_CPU_USER], (double)vals->v[V_USER] / 1e9, l);
	if (has(vals, V_SYSTEM))
		metric_addv(f[F_CPU_SYSTEM], (double)vals->v[V_SYSTEM] / 1e9, l);
	if (quota) {
		if (has(vals, V_PERIODS))
			metric_addv(f[F_CFS_PERIODS], (double)vals->v[V_PERIODS], l);
		if (has(vals, V_THROTTLED))
			metric_addv(f[F_CFS_THROTTLED_PERIODS], (double)vals->v[V_THROTTLED], l);
		if (has(vals, V_THROTTLED_NS))
			metric_addv(f[F_CFS_THROTTLED_SECONDS], (double)vals->v[V_THROTTLED_NS] / 1e9, l);
	}
	if (has(vals, V_MEM)) {
		uint64_t ws = vals->v[V_MEM];
		if (has(vals, V_INACTIVE_FILE))
			ws = ws > vals->v[V_INACTIVE_FILE] ? ws - vals->v[V_INACTIVE_FILE] : 0;
		metric_addv(f[F_MEM_USAGE], (double)vals->v[V_MEM], l);
		metric_addv(f[F_MEM_WORKING_SET], (double)ws, l);
	}
	if (has(vals, V_RSS))
		metric_addv(f[F_MEM_RSS], (double)vals->v[V_RSS], l);
	if (has(vals, V_CACHE))
		metric_addv(f[F_MEM_CACHE], (double)vals->v[V_CACHE], l);
	if (has(vals, V_SWAP))
		metric_addv(f[F_MEM_SWAP], (double)vals->v[V_SWAP], l);
	if (has(vals, V_FAILCNT))
		metric_addv(f[F_MEM_FAILCNT], (double)vals->v[V_FAILCNT], l);
	if (has(vals, V_MAX_USAGE))
		metric_addv(f[F_MEM_MAX_USAGE], (double)vals->v[V_MAX_USAGE], l);
	if (has(vals, V_OOM_KILL))
		metric_addv(f[F_OOM_EVENTS], (double)vals->v[V_OOM_KILL], l);
}

/* Reads and emits one cgroup: dfd are the directories holding it (the pod directory for a container, whose
 * name is sub; the cgroup itself when sub is NULL). */
static void emit_cgroup(struct scan *s, enum cg_kind kind, const int *dfd, const char *sub, ino_t ino,
			const char *uid, const char *cid, struct pod_names *pn)
{
	char id[PATH_MAX];
	const char *lv[L_N] = { "", id, "", "", "", "", "total" };
	struct cg_vals vals = { 0 };
	struct cg_entry *e;

	if ((size_t)snprintf(id, sizeof(id), "%s%s%s", s->rel[0] ? s->rel : "/", sub ? "/" : "", sub ? sub : "") >=
	    sizeof(id))
		return;
	if (name_filter_ignored(&filter, id))
		return;
	if (!(e = cache_get(id, ino))) {
		s->c->ms->error = -ENOMEM;
		return;
	}
	s->seen++;

	if (kind == CG_CONTAINER) {
		const struct ctr_ref *cr;
		const struct pod_ref *pr = pod_lookup(uid);
		lv[L_NAME] = cid;
		if (s->ann_enabled)
			annotations_load(s->c, e, cid, s->task_stamp, s->task_exists);
		if (pr) {
			lv[L_NAMESPACE] = pr->ns;
			lv[L_POD] = pr->pod;
		}
		if ((cr = ctr_lookup(cid, uid))) {
			lv[L_NAMESPACE] = cr->ns;
			lv[L_POD] = cr->pod;
			lv[L_CONTAINER] = cr->name;
		}
		if (e->sb_ns && e->sb_name) {
			lv[L_NAMESPACE] = e->sb_ns;
			lv[L_POD] = e->sb_name;
		}
		if (e->sandbox)
			lv[L_CONTAINER] = "";
		else if (e->ctr_name)
			lv[L_CONTAINER] = e->ctr_name;
		if (e->image)
			lv[L_IMAGE] = e->image;
		if (pn && lv[L_POD][0] && !pn->pod[0]) {
			snprintf(pn->ns, sizeof(pn->ns), "%s", lv[L_NAMESPACE]);
			snprintf(pn->pod, sizeof(pn->pod), "%s", lv[L_POD]);
		}
	} else if (kind == CG_POD) {
		const struct pod_ref *pr = pod_lookup(uid);
		if (pr) {
			lv[L_NAMESPACE] = pr->ns;
			lv[L_POD] = pr->pod;
		} else if (pn && pn->pod[0]) {
			lv[L_NAMESPACE] = pn->ns;
			lv[L_POD] = pn->pod;
		}
	}

	s->any_read = false;
	if (s->v2) {
		read_v2(s, dfd[H_MEM], sub, &vals);
	} else {
		read_v1(s, dfd, sub, &vals);
		read_unified(s, dfd[H_UNI], sub, &vals);
	}
	if (!s->any_read)
		return; /* gone, or nothing readable: no series at all rather than a start time alone */
	if (!e->start_known)
		e->start_known = start_time(s, dfd, sub, &e->start);

	rec_add(s, lv, &vals, e);
}

/* ---- the walk ---- */

static bool rel_push(struct scan *s, const char *name)
{
	size_t n = strlen(name);

	if (s->rel_len + 1 + n >= sizeof(s->rel))
		return false;
	s->rel[s->rel_len++] = '/';
	memcpy(s->rel + s->rel_len, name, n + 1);
	s->rel_len += n;
	return true;
}

static void rel_pop(struct scan *s, size_t len)
{
	s->rel_len = len;
	s->rel[len] = '\0';
}

/* The pod uid in a pod cgroup's name: pod<uid> (cgroupfs) or kubepods-[<qos>-]pod<uid_>.slice (systemd,
 * "-" escaped as "_"). */
static bool pod_uid(const char *name, char *uid, size_t size)
{
	const char *p;
	size_t n;

	if (startswith(name, "pod")) {
		p = name + 3;
		n = strlen(p);
	} else if (startswith(name, "kubepods-") && endswith(name, ".slice") && (p = strstr(name, "-pod"))) {
		/* kubepods-pod<uid_>.slice or kubepods-<qos>-pod<uid_>.slice; the uid holds no "-pod" */
		p += 4;
		n = strlen(p) - 6;
	} else {
		return false;
	}
	if (n == 0 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i] == '_' ? '-' : p[i];
		if (!isxdigit((unsigned char)ch) && ch != '-')
			return false;
		uid[i] = ch;
	}
	uid[n] = '\0';
	return true;
}

/* The container id in a container cgroup's name: <id>, or <runtime>-<id>[.scope] for containerd, CRI-O and
 * Docker. CRI-O's crio-conmon-<id>.scope is not a container. */
static bool container_id(const char *name, const char **id)
{
	static const char *const prefixes[] = { "", "cri-containerd-", "crio-", "docker-" };
	size_t n = strlen(name);

	if (endswith(name, ".scope"))
		n -= 6;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (n == pl + 64 && strncmp(name, prefixes[i], pl) == 0 && is_hex64(name + pl, 64)) {
			*id = name + pl;
			return true;
		}
	}
	return false;
}

/* One directory of the walk, open in every hierarchy that has it (-1 where it does not), so that a cgroup
 * any hierarchy has is found, and each of its files is read from the hierarchy that holds it: on v1
 * systemd puts a service in cpu and cpuacct only when it has CPUAccounting and no MemoryAccounting, on
 * hybrid hosts in memory and the unified tree only. cAdvisor lists the union too. */
struct level {
	int fd[H_N];
	bool own[H_N]; /* fd[h] is this level's, listed and closed with it (not another hierarchy's, or a root) */
};

/* A child directory of a level: the union over the hierarchies, each name once. */
struct child {
	const char *name;
	ino_t ino; /* in the first hierarchy that has it (the cgroup cache's key) */
	int h;
	unsigned in; /* bit h: hierarchy h listed it */
};

/* Opens name under the parent directory of each hierarchy whose listing had it (bit h of in). The
 * directories are read with getdents64 on their descriptors, not through opendir(): fdopendir costs an
 * fstat and two fcntl per directory and a 32 KiB buffer from malloc, which glibc gave back to the kernel
 * at every scrape (three brk and a TLB shootdown of the other CPUs per scrape). Returns false when no
 * hierarchy has it. */
static bool level_open(struct scan *s, const int *parent, const char *name, unsigned in, struct level *l)
{
	bool any = false;

	for (int h = 0; h < H_N; h++) {
		l->own[h] = false;
		l->fd[h] = -1;
		if (s->same[h] != h) {
			l->fd[h] = l->fd[s->same[h]];
			continue;
		}
		if (parent[h] >= 0 && (in & 1u << h))
			l->fd[h] = openat(parent[h], name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		l->own[h] = l->fd[h] >= 0;
		any = any || l->fd[h] >= 0;
	}
	return any;
}

/* The top level: the hierarchy roots themselves, freshly opened by layout_open() and closed by
 * layout_close(). */
static bool level_root(struct scan *s, struct level *l)
{
	bool any = false;

	for (int h = 0; h < H_N; h++) {
		l->fd[h] = s->root[h];
		l->own[h] = false;
		any = any || l->fd[h] >= 0;
	}
	return any;
}

static void level_close(struct level *l)
{
	for (int h = 0; h < H_N; h++)
		if (l->own[h])
			close(l->fd[h]);
}

static int cmp_child(const void *a, const void *b)
{
	const struct child *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->h - y->h;
}

/* Lists the child directories of l (names in the set's arena) into *out, once per level. Returns the
 * count. */
static size_t level_list(struct scan *s, const struct level *l, struct child **out)
{
	struct arena *a = &s->c->ms->arena;
	struct child *v = NULL;
	size_t n = 0, cap = 0;
	int listed = 0;
	_Alignas(struct dirent64) char buf[8192];

	for (int h = 0; h < H_N; h++) {
		int fd = l->fd[h];
		ssize_t got;
		if (fd < 0 || s->same[h] != h)
			continue;
		listed++;
		while ((got = getdents64(fd, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < got;) {
				const struct dirent64 *de = (const struct dirent64 *)(buf + off);
				off += de->d_reclen;
				if (!entry_is_dir(fd, de))
					continue;
				struct child *v2 = arena_grow(a, v, n, &cap, sizeof(*v));
				if (!v2 || !(v2[n].name = arena_strdup(a, de->d_name))) {
					s->c->ms->error = -ENOMEM;
					goto out;
				}
				v = v2;
				v[n].ino = (ino_t)de->d_ino;
				v[n].h = h;
				v[n].in = 1u << h;
				n++;
			}
			/* cgroupfs is kernfs: it fills the buffer until an entry is refused, so a call that left
			 * room for the largest entry returned the last one (see fileio.c's list_fd). */
			if (s->fills[h] && sizeof(buf) - (size_t)got >= DIRENT_MAX_RECLEN)
				break;
		}
	}
out:
	if (listed > 1 && n > 1) {
		size_t w = 1;
		qsort(v, n, sizeof(*v), cmp_child);
		for (size_t i = 1; i < n; i++) {
			if (streq(v[i].name, v[w - 1].name))
				v[w - 1].in |= v[i].in;
			else
				v[w++] = v[i];
		}
		n = w;
	}
	*out = v;
	return n;
}

static void walk_pod(struct scan *s, const struct level *parent, const struct child *ch_pod, const char *uid)
{
	const char *name = ch_pod->name;
	ino_t ino = ch_pod->ino;
	struct level l;
	size_t len = s->rel_len;
	struct pod_names pn = { .ns = "", .pod = "" };
	struct child *ch;

	if (!rel_push(s, name))
		return;
	if (!level_open(s, parent->fd, name, ch_pod->in, &l))
		goto out;
	/* The containers first: they can name the pod when its log directory is missing. */
	size_t n = level_list(s, &l, &ch);
	for (size_t i = 0; i < n; i++) {
		const char *cid;
		if (!container_id(ch[i].name, &cid))
			continue;
		char cidbuf[65];
		memcpy(cidbuf, cid, 64);
		cidbuf[64] = '\0';
		emit_cgroup(s, CG_CONTAINER, l.fd, ch[i].name, ch[i].ino, uid, cidbuf, &pn);
	}
	emit_cgroup(s, CG_POD, l.fd, NULL, ino, uid, NULL, &pn);
	level_close(&l);
out:
	rel_pop(s, len);
}

static bool is_qos(const char *name)
{
	return streq(name, "burstable") || streq(name, "besteffort") || streq(name, "kubepods-burstable.slice") ||
	       streq(name, "kubepods-besteffort.slice");
}

/* kubepods: QoS levels and Guaranteed pods; QoS levels: pods. */
static void walk_kubepods(struct scan *s, const struct level *parent, const struct child *ch_kp, int depth)
{
	const char *name = ch_kp->name;
	size_t len = s->rel_len;
	struct level l;
	struct child *ch;
	char uid[128];

	if (!rel_push(s, name))
		return;
	if (level_open(s, parent->fd, name, ch_kp->in, &l)) {
		size_t n = level_list(s, &l, &ch);
		for (size_t i = 0; i < n; i++) {
			if (depth == 0 && is_qos(ch[i].name))
				walk_kubepods(s, &l, &ch[i], 1);
			else if (pod_uid(ch[i].name, uid, sizeof(uid)))
				walk_pod(s, &l, &ch[i], uid);
		}
		level_close(&l);
	}
	rel_pop(s, len);
}

/* Directories looked into for a nested kubepods: up to this depth below the root, and not services or
 * other units that never hold one. */
#define SEARCH_DEPTH 3

static bool searchable(const char *name)
{
	return !endswith(name, ".service") && !endswith(name, ".mount") && !endswith(name, ".socket") &&
	       !endswith(name, ".swap") && !streq(name, "init.scope");
}

/* Walks the directory l (s->rel names it): finds kubepods, and in /system.slice (and its sub-slices) the
 * services. */
static void walk(struct scan *s, const struct level *l, int depth, bool in_system)
{
	struct child *ch;
	size_t n = level_list(s, l, &ch);

	for (size_t i = 0; i < n; i++) {
		const char *child = ch[i].name;
		size_t len = s->rel_len;
		if (streq(child, "kubepods") || streq(child, "kubepods.slice")) {
			walk_kubepods(s, l, &ch[i], 0);
			continue;
		}
		if (in_system && endswith(child, ".service")) {
			emit_cgroup(s, CG_SERVICE, l->fd, child, ch[i].ino, NULL, NULL, NULL);
			continue;
		}
		bool sys = (depth == 0 && streq(child, "system.slice")) || (in_system && endswith(child, ".slice"));
		if (!sys && !(depth + 1 <= SEARCH_DEPTH && searchable(child)))
			continue;
		struct level cl;
		if (rel_push(s, child)) {
			if (level_open(s, l->fd, child, ch[i].in, &cl)) {
				walk(s, &cl, depth + 1, sys);
				level_close(&cl);
			}
			rel_pop(s, len);
		}
	}
}

/* ---- layout ---- */

static int open_dir(struct collect_ctx *c, const char *sub, int flags)
{
	const char *p = ctx_path(c, ROOT_SYS, "fs/cgroup%s", sub);

	return p ? open(p, flags | O_DIRECTORY | O_CLOEXEC) : -1;
}

static bool has_file(struct collect_ctx *c, const char *sub)
{
	const char *p = ctx_path(c, ROOT_SYS, "fs/cgroup%s", sub);

	return p && access(p, F_OK) == 0;
}

static bool same_dir(int a, int b)
{
	struct stat sa, sb;

	return a >= 0 && b >= 0 && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Finds the hierarchies: v2 when <sysfs>/fs/cgroup is cgroup2 (it has cgroup.controllers), else the v1
 * controllers (cpu,cpuacct or cpu and cpuacct, memory) with, on hybrid hosts, the v2 tree at unified/;
 * a unified/ without v1 controllers is taken as v2. Returns false when there is none. */
static bool layout_open(struct scan *s)
{
	struct collect_ctx *c = s->c;

	for (int h = 0; h < H_N; h++)
		s->root[h] = -1;
	if (has_file(c, "/cgroup.controllers")) {
		s->v2 = true;
		s->root[H_MEM] = open_dir(c, "", O_RDONLY);
	} else {
		s->v2 = false;
		s->root[H_MEM] = open_dir(c, "/memory", O_RDONLY);
		s->root[H_CPU] = open_dir(c, "/cpu,cpuacct", O_RDONLY);
		if (s->root[H_CPU] < 0)
			s->root[H_CPU] = open_dir(c, "/cpu", O_RDONLY);
		s->root[H_CPUACCT] = open_dir(c, "/cpuacct", O_RDONLY);
		if (s->root[H_CPUACCT] >= 0 && same_dir(s->root[H_CPUACCT], s->root[H_CPU])) {
			close(s->root[H_CPUACCT]);
			s->root[H_CPUACCT] = s->root[H_CPU];
		} else if (s->root[H_CPUACCT] < 0) {
			s->root[H_CPUACCT] = s->root[H_CPU];
		}
		if (has_file(c, "/unified/cgroup.controllers")) {
			if (s->root[H_MEM] < 0 && s->root[H_CPU] < 0) {
				s->v2 = true;
				s->root[H_MEM] = open_dir(c, "/unified", O_RDONLY);
			} else {
				s->root[H_UNI] = open_dir(c, "/unified", O_RDONLY);
			}
		}
	}
	bool any = false;
	for (int h = 0; h < H_N; h++) {
		struct statfs sfs;
		s->same[h] = h == H_CPUACCT && s->root[H_CPUACCT] == s->root[H_CPU] ? H_CPU : h;
		any = any || s->root[h] >= 0;
		s->fills[h] = s->root[h] >= 0 && s->same[h] == h && fstatfs(s->root[h], &sfs) == 0 &&
			      ((unsigned long)sfs.f_type == CGROUP_FS_MAGIC || (unsigned long)sfs.f_type == CGROUP2_FS_MAGIC);
	}
	if (!any)
		return false;
	s->hierarchical = s->v2;
	if (!s->v2 && s->root[H_MEM] >= 0) {
		uint64_t v;
		s->any_read = false;
		s->hierarchical = cg_read_u64(s, s->root[H_MEM], NULL, "memory.use_hierarchy", false, &v) && v == 1;
	}
	return true;
}

static void layout_close(struct scan *s)
{
	for (int h = 0; h < H_N; h++) {
		if (s->root[h] < 0)
			continue;
		if (!(h == H_CPUACCT && s->root[h] == s->root[H_CPU]))
			close(s->root[h]);
		s->root[h] = -1;
	}
}

/* ---- the collector ---- */

static int container_collect(struct collect_ctx *c)
{
	static struct scan s; /* large buffers; one run at a time */
	int r = 0;

	memset(&s, 0, sizeof(s));
	s.c = c;
	scrape_gen++;
	if (!layout_open(&s)) {
		layout_close(&s);
		cache_sweep(0);
		return ctx_fail(c, COLLECTOR_NO_DATA, "no cgroup hierarchy under %s/fs/cgroup", nodex_paths.sysfs);
	}
	for (int i = 0; i < F_N; i++)
		s.fam[i] = metric_family(c->ms, &cg_descs[i]);
	idmaps_refresh(c);
	s.ann_enabled = flag_annotations;
	if (s.ann_enabled)
		s.task_stamp = task_dirs_stamp(c, s.task_exists);

	n_recs = 0;
	struct level top;
	if (level_root(&s, &top)) {
		walk(&s, &top, 0, false);
	} else {
		r = -errno;
	}
	layout_close(&s);
	cache_sweep(s.seen);
	if (n_recs > 1)
		qsort(recs, n_recs, sizeof(*recs), cmp_rec);
	for (size_t i = 0; i < n_recs; i++)
		rec_emit(s.fam, recs[i]);
	n_recs = 0;
	if (r < 0)
		return ctx_fail(c, r, "cannot list %s/fs/cgroup: %s", nodex_paths.sysfs, strerror(-r));
	if (s.n_bad)
		return ctx_fail(c, -EINVAL, "%u unreadable or malformed cgroup file(s), first %s", s.n_bad, s.bad);
	return 0;
}

/* btime from /proc/stat, truncated to the minute as cAdvisor's boot time. */
static void read_boot_time(void)
{
	struct strbuf b = { 0 }, path = { 0 };
	char *p, *line;

	boot_minute = 0;
	if (file_read(path_build(&path, ROOT_PROC, "stat"), &b) >= 0) {
		p = b.p;
		while ((line = next_line(&p))) {
			uint64_t v;
			if (startswith(line, "btime ") && parse_u64(line + 6, NULL, &v) == 0) {
				boot_minute = (double)(v - v % 60);
				break;
			}
		}
	}
	sb_free(&b);
	sb_free(&path);
}

static int container_init(char *err, size_t err_size)
{
	if (name_filter_init(&filter, flag_include, flag_exclude, err, err_size) < 0)
		return -EINVAL;
	read_boot_time();
	return 0;
}

static void container_fini(void)
{
	name_filter_free(&filter);
	cache_free();
	idmap_free(&pods_map);
	idmap_free(&ctrs_map);
	idmap_free(&cut_map);
	sb_free(&json_buf);
	free(recs);
	recs = NULL;
	n_recs = cap_recs = 0;
}

COLLECTOR(container, .default_on = true, .flags = container_flags, .init = container_init,
	  .fini = container_fini);
