/* perf: per-CPU hardware, software and cache counters and kernel tracepoints through perf_event_open(2),
 * as node_exporter's perf collector (hodgesds/perf-utils).
 *
 * At start-up one counter per event and CPU is opened system-wide (pid -1) and enabled; each scrape reads
 * them. Events the kernel or the hardware refuses (no PMU in a VM, perf_event_paranoid for an unprivileged
 * user) are simply absent, as in node_exporter, whose profiler constructors never fail for that. A
 * tracepoint that cannot be set up, or a bad --collector.perf.cpus, stops nodex at start-up, as it stops
 * node_exporter. */
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "collector.h"

static const char *opt_cpus;
static struct strlist opt_tracepoints, opt_hw, opt_sw, opt_cache;
static bool opt_no_hw, opt_no_sw, opt_no_cache;

static struct flag perf_flags[] = {
	{ "collector.perf.cpus", FLAG_STRING, "", "List of CPUs from which perf metrics should be collected", &opt_cpus },
	{ "collector.perf.tracepoint", FLAG_STRINGS, NULL, "perf tracepoint that should be collected", &opt_tracepoints },
	{ "collector.perf.disable-hardware-profilers", FLAG_BOOL, "false", "disable perf hardware profilers", &opt_no_hw },
	{ "collector.perf.hardware-profilers", FLAG_STRINGS, NULL, "perf hardware profilers that should be collected",
	  &opt_hw },
	{ "collector.perf.disable-software-profilers", FLAG_BOOL, "false", "disable perf software profilers", &opt_no_sw },
	{ "collector.perf.software-profilers", FLAG_STRINGS, NULL, "perf software profilers that should be collected",
	  &opt_sw },
	{ "collector.perf.disable-cache-profilers", FLAG_BOOL, "false", "disable perf cache profilers", &opt_no_cache },
	{ "collector.perf.cache-profilers", FLAG_STRINGS, NULL, "perf cache profilers that should be collected",
	  &opt_cache },
	{ NULL },
};

#define CACHE(id, op, res)                                                                          \
	(PERF_COUNT_HW_CACHE_##id | (PERF_COUNT_HW_CACHE_OP_##op << 8) |                             \
	 (PERF_COUNT_HW_CACHE_RESULT_##res << 16))

enum kind { HW, SW, HWC };

/* The counters node_exporter reports. flag: the profiler's name in --collector.perf.cache-profilers (the
 * hardware and software selections add to the full sets in node_exporter, so they never narrow them). */
static const struct event {
	enum kind kind;
	uint64_t config;
	const char *flag;
	struct metric_desc desc;
} events[] = {
#define E(k, cfg, fl, name, help) { k, cfg, fl, METRIC_DESC("node_perf_" name, help, METRIC_COUNTER, "cpu") }
	E(HW, PERF_COUNT_HW_CPU_CYCLES, "CpuCycles", "cpucycles_total", "Number of CPU cycles (frequency scaled)"),
	E(HW, PERF_COUNT_HW_INSTRUCTIONS, "CpuInstr", "instructions_total", "Number of CPU instructions"),
	E(HW, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, "BranchInstr", "branch_instructions_total",
	  "Number of CPU branch instructions"),
	E(HW, PERF_COUNT_HW_BRANCH_MISSES, "BranchMisses", "branch_misses_total", "Number of CPU branch misses"),
	E(HW, PERF_COUNT_HW_CACHE_REFERENCES, "CacheRef", "cache_refs_total",
	  "Number of cache references (non frequency scaled)"),
	E(HW, PERF_COUNT_HW_CACHE_MISSES, "CacheMisses", "cache_misses_total", "Number of cache misses"),
	E(HW, PERF_COUNT_HW_REF_CPU_CYCLES, "RefCpuCycles", "ref_cpucycles_total", "Number of CPU cycles"),
	E(HW, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, "StalledCyclesBackend", "stalled_cycles_backend_total",
	  "Number of stalled backend CPU cycles"),
	E(HW, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, "StalledCyclesFrontend", "stalled_cycles_frontend_total",
	  "Number of stalled frontend CPU cycles"),
	E(SW, PERF_COUNT_SW_PAGE_FAULTS, "PageFault", "page_faults_total", "Number of page faults"),
	E(SW, PERF_COUNT_SW_CONTEXT_SWITCHES, "ContextSwitch", "context_switches_total", "Number of context switches"),
	E(SW, PERF_COUNT_SW_CPU_MIGRATIONS, "CpuMigration", "cpu_migrations_total", "Number of CPU process migrations"),
	E(SW, PERF_COUNT_SW_PAGE_FAULTS_MIN, "MinorFault", "minor_faults_total", "Number of minor page faults"),
	E(SW, PERF_COUNT_SW_PAGE_FAULTS_MAJ, "MajorFault", "major_faults_total", "Number of major page faults"),
	E(HWC, CACHE(L1D, READ, ACCESS), "L1DataReadHit", "cache_l1d_read_hits_total", "Number L1 data cache read hits"),
	E(HWC, CACHE(L1D, READ, MISS), "L1DataReadMiss", "cache_l1d_read_misses_total", "Number L1 data cache read misses"),
	E(HWC, CACHE(L1D, WRITE, ACCESS), "L1DataWriteHit", "cache_l1d_write_hits_total", "Number L1 data cache write hits"),
	E(HWC, CACHE(L1I, READ, MISS), "L1InstrReadMiss", "cache_l1_instr_read_misses_total",
	  "Number instruction L1 instruction read misses"),
	E(HWC, CACHE(ITLB, READ, ACCESS), "InstrTLBReadHit", "cache_tlb_instr_read_hits_total",
	  "Number instruction TLB read hits"),
	E(HWC, CACHE(ITLB, READ, MISS), "InstrTLBReadMiss", "cache_tlb_instr_read_misses_total",
	  "Number instruction TLB read misses"),
	E(HWC, CACHE(DTLB, READ, ACCESS), "DataTLBReadHit", "cache_tlb_data_read_hits_total", "Number of data TLB read hits"),
	E(HWC, CACHE(DTLB, READ, MISS), "DataTLBReadMiss", "cache_tlb_data_read_misses_total",
	  "Number of data TLB read misses"),
	E(HWC, CACHE(DTLB, WRITE, ACCESS), "DataTLBWriteHit", "cache_tlb_data_write_hits_total",
	  "Number of data TLB write hits"),
	E(HWC, CACHE(DTLB, WRITE, MISS), "DataTLBWriteMiss", "cache_tlb_data_write_misses_total",
	  "Number of data TLB write misses"),
	E(HWC, CACHE(LL, READ, ACCESS), "LLReadHit", "cache_ll_read_hits_total", "Number last level read hits"),
	E(HWC, CACHE(LL, READ, MISS), "LLReadMiss", "cache_ll_read_misses_total", "Number last level read misses"),
	E(HWC, CACHE(LL, WRITE, ACCESS), "LLWriteHit", "cache_ll_write_hits_total", "Number last level write hits"),
	E(HWC, CACHE(LL, WRITE, MISS), "LLWriteMiss", "cache_ll_write_misses_total", "Number last level write misses"),
	E(HWC, CACHE(BPU, READ, ACCESS), "BPUReadHit", "cache_bpu_read_hits_total", "Number BPU read hits"),
	E(HWC, CACHE(BPU, READ, MISS), "BPUReadMiss", "cache_bpu_read_misses_total", "Number BPU read misses"),
#undef E
};
#define N_EVENTS ARRAY_SIZE(events)

static const char *const cpu_label[] = { "cpu" };

struct tracepoint {
	char *subsystem, *event;
	struct metric_desc desc;
	char *name, *help;
};

struct cpu_counters {
	int cpu;
	int fd[N_EVENTS]; /* -1: not available */
	int group_fd;     /* tracepoint group leader, -1 without tracepoints */
	int *group;       /* every fd of the group, leader first */
};

static int *cpus;
static size_t n_cpus;
static struct cpu_counters *counters;
static struct tracepoint *tps;
static size_t n_tps;

/* Where tracefs is found: the first tracefs mount in this file (tests point it elsewhere). */
const char *perf_mounts_path = "/proc/mounts";

static int sys_perf_event_open(struct perf_event_attr *a, int cpu, int group)
{
	return (int)syscall(SYS_perf_event_open, a, -1, cpu, group, PERF_FLAG_FD_CLOEXEC);
}

/* Parses one decimal CPU number as Go's strconv.Atoi would accept it for a CPU. */
static bool cpu_number(const char *s, size_t len, int64_t *out)
{
	char buf[32];
	const char *e;

	if (len == 0 || len >= sizeof(buf) || s[0] == ' ' || s[0] == '\t')
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return parse_i64(buf, &e, out) == 0 && *e == '\0';
}

/* Parses --collector.perf.cpus as node_exporter does: "0,2", ranges "1-4" and strided ranges "0-8:2".
 * Returns the count, or -EINVAL with a message. */
static ssize_t parse_cpus(const char *s, int **out, char *err, size_t err_size)
{
	int *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = s;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *dash = memchr(p, '-', len), *colon;
		int64_t start, last, stride = 1;

		if (!dash) {
			if (!cpu_number(p, len, &start))
				goto bad;
			last = start;
		} else {
			size_t rlen = len;
			colon = memchr(p, ':', len);
			if (colon) {
				if (!cpu_number(colon + 1, len - (size_t)(colon + 1 - p), &stride) || stride <= 0)
					goto bad;
				rlen = (size_t)(colon - p);
			}
			if (dash > p + rlen || memchr(dash + 1, '-', rlen - (size_t)(dash + 1 - p)) ||
			    !cpu_number(p, (size_t)(dash - p), &start) ||
			    !cpu_number(dash + 1, rlen - (size_t)(dash + 1 - p), &last))
				goto bad;
		}
		for (int64_t c = start; c <= last; c += stride) {
			if (c < 0 || c > 65535)
				goto bad;
			int *nv = heap_grow(v, n, &cap, sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[n++] = (int)c;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*out = v;
	return (ssize_t)n;
bad:
	snprintf(err, err_size, "invalid flag value \"%s\" for --collector.perf.cpus", s);
	free(v);
	return -EINVAL;
}

static bool listed(const struct strlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i], name))
			return true;
	return false;
}

/* Whether node_exporter would open this event. */
static bool wanted(const struct event *e)
{
	switch (e->kind) {
	case HW:
		return !opt_no_hw;
	case SW:
		return !opt_no_sw;
	case HWC:
		/* The cache selection replaces the default set; unknown names select nothing. */
		return !opt_no_cache && (opt_cache.n == 0 || listed(&opt_cache, e->flag));
	}
	return false;
}

static int open_event(const struct event *e, int cpu)
{
	struct perf_event_attr a = {
		.type = e->kind == HW ? PERF_TYPE_HARDWARE : e->kind == SW ? PERF_TYPE_SOFTWARE : PERF_TYPE_HW_CACHE,
		.size = sizeof(a),
		.config = e->config,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING,
		.sample_type = PERF_SAMPLE_IDENTIFIER,
		.disabled = 1,
		.exclude_hv = 1,
		.inherit = 1,
	};
	int fd = sys_perf_event_open(&a, cpu, -1);

	if (fd < 0)
		return -1;
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The first tracefs mount point in perf_mounts_path. */
static int tracefs_mount(char *out, size_t size)
{
	struct strbuf b = { 0 };
	char *p, *line;
	int r = -ENOENT;

	if (file_read(perf_mounts_path, &b) < 0) {
		sb_free(&b);
		return -ENOENT;
	}
	p = b.p;
	while ((line = next_line(&p))) {
		char *f[4];
		if (split_fields(line, f, 4) >= 3 && streq(f[2], "tracefs")) {
			snprintf(out, size, "%s", f[1]);
			r = 0;
			break;
		}
	}
	sb_free(&b);
	return r;
}

static int setup_tracepoints(char *err, size_t err_size)
{
	char mnt[512], path[1024];
	struct strbuf b = { 0 };
	uint64_t *ids;

	if (!opt_tracepoints.n)
		return 0;
	tps = calloc(opt_tracepoints.n, sizeof(*tps));
	ids = calloc(opt_tracepoints.n, sizeof(*ids));
	if (!tps || !ids) {
		free(ids);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	n_tps = opt_tracepoints.n;
	for (size_t i = 0; i < n_tps; i++) {
		const char *spec = opt_tracepoints.v[i], *colon = strchr(spec, ':');
		if (!colon || strchr(colon + 1, ':')) {
			snprintf(err, err_size, "invalid tracepoint config %s", spec);
			goto fail;
		}
		struct tracepoint *t = &tps[i];
		t->subsystem = strndup(spec, (size_t)(colon - spec));
		t->event = strdup(colon + 1);
		size_t nl = strlen(spec) + 16;
		t->name = malloc(nl);
		t->help = malloc(nl + 16);
		if (!t->subsystem || !t->event || !t->name || !t->help) {
			snprintf(err, err_size, "out of memory");
			goto fail;
		}
		snprintf(t->name, nl, "node_perf_%s_%s", t->subsystem, t->event);
		snprintf(t->help, nl + 16, "Perf tracepoint %s:%s", t->subsystem, t->event);
		t->desc = (struct metric_desc){ .name = t->name, .help = t->help, .type = METRIC_COUNTER, .n_labels = 1,
						.labels = cpu_label };
		if (tracefs_mount(mnt, sizeof(mnt)) < 0) {
			snprintf(err, err_size, "Failed to get tracepoint config for %s:%s: no such mount", t->subsystem,
				 t->event);
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", mnt, t->subsystem, t->event);
		if (file_read(path, &b) < 0 || parse_u64(strip_trailing(b.p), NULL, &ids[i]) < 0) {
			snprintf(err, err_size, "Failed to get tracepoint config for %s:%s: cannot read %s", t->subsystem,
				 t->event, path);
			goto fail;
		}
	}
	/* One group per CPU, the first tracepoint leading; read all at once with PERF_FORMAT_GROUP. */
	for (size_t c = 0; c < n_cpus; c++) {
		struct cpu_counters *cc = &counters[c];
		cc->group = calloc(n_tps, sizeof(int));
		if (!cc->group) {
			snprintf(err, err_size, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < n_tps; i++)
			cc->group[i] = -1;
		for (size_t i = 0; i < n_tps; i++) {
			struct perf_event_attr a = {
				.type = PERF_TYPE_TRACEPOINT,
				.size = sizeof(a),
				.config = ids[i],
				.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING |
					       PERF_FORMAT_GROUP,
				.sample_type = PERF_SAMPLE_IDENTIFIER,
				.disabled = i == 0,
				.exclude_hv = 1,
			};
			int fd = sys_perf_event_open(&a, cc->cpu, i == 0 ? -1 : cc->group[0]);
			if (fd < 0) {
				snprintf(err, err_size, "perf_event_open tracepoint %s:%s on CPU %d: %s", tps[i].subsystem,
					 tps[i].event, cc->cpu, strerror(errno));
				goto fail;
			}
			cc->group[i] = fd;
		}
		cc->group_fd = cc->group[0];
		if (ioctl(cc->group_fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) < 0) {
			snprintf(err, err_size, "cannot enable tracepoints on CPU %d: %s", cc->cpu, strerror(errno));
			goto fail;
		}
	}
	free(ids);
	sb_free(&b);
	return 0;
fail:
	free(ids);
	sb_free(&b);
	return -EINVAL;
}

static void perf_fini(void);

static int perf_init(char *err, size_t err_size)
{
	ssize_t n;

	if (opt_cpus && *opt_cpus) {
		n = parse_cpus(opt_cpus, &cpus, err, err_size);
		if (n < 0)
			return (int)n;
	} else {
		/* Go's runtime.NumCPU(): the CPUs this process may run on, numbered 0..n-1. */
		cpu_set_t set;
		n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : sysconf(_SC_NPROCESSORS_ONLN);
		if (n < 1)
			n = 1;
		cpus = calloc((size_t)n, sizeof(*cpus));
		if (!cpus) {
			snprintf(err, err_size, "out of memory");
			return -ENOMEM;
		}
		for (ssize_t i = 0; i < n; i++)
			cpus[i] = (int)i;
	}
	/* A CPU listed twice is one CPU (node_exporter keys its profilers by CPU). */
	n_cpus = 0;
	for (ssize_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < n_cpus; j++)
			dup = dup || cpus[j] == cpus[i];
		if (!dup)
			cpus[n_cpus++] = cpus[i];
	}
	counters = calloc(n_cpus ? n_cpus : 1, sizeof(*counters));
	if (!counters) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	for (size_t c = 0; c < n_cpus; c++) {
		counters[c].cpu = cpus[c];
		counters[c].group_fd = -1;
		for (size_t e = 0; e < N_EVENTS; e++)
			counters[c].fd[e] = -1;
	}
	int r = setup_tracepoints(err, err_size);
	if (r < 0) {
		perf_fini();
		return r;
	}
	size_t opened = 0;
	for (size_t c = 0; c < n_cpus; c++)
		for (size_t e = 0; e < N_EVENTS; e++)
			if (wanted(&events[e]) && (counters[c].fd[e] = open_event(&events[e], cpus[c])) >= 0)
				opened++;
	log_debug("perf counters opened", "count", opened ? "some" : "none");
	return 0;
}

static void perf_fini(void)
{
	for (size_t c = 0; counters && c < n_cpus; c++) {
		for (size_t e = 0; e < N_EVENTS; e++)
			if (counters[c].fd[e] >= 0)
				close(counters[c].fd[e]);
		for (size_t i = 0; counters[c].group && i < n_tps; i++)
			if (counters[c].group[i] >= 0)
				close(counters[c].group[i]);
		free(counters[c].group);
	}
	free(counters);
	counters = NULL;
	for (size_t i = 0; tps && i < n_tps; i++) {
		free(tps[i].subsystem);
		free(tps[i].event);
		free(tps[i].name);
		free(tps[i].help);
	}
	free(tps);
	tps = NULL;
	n_tps = 0;
	free(cpus);
	cpus = NULL;
	n_cpus = 0;
}

static int perf_collect(struct collect_ctx *c)
{
	char cpu[16];

	for (size_t i = 0; i < n_cpus; i++) {
		struct cpu_counters *cc = &counters[i];
		snprintf(cpu, sizeof(cpu), "%d", cc->cpu);
		for (size_t e = 0; e < N_EVENTS; e++) {
			uint64_t v[3];
			if (cc->fd[e] < 0)
				continue;
			ssize_t n = read(cc->fd[e], v, sizeof(v));
			if (n != (ssize_t)sizeof(v))
				return ctx_fail(c, n < 0 ? -errno : -EIO, "reading perf counter %s on CPU %d: %s",
						events[e].desc.name, cc->cpu, n < 0 ? strerror(errno) : "short read");
			metric_emit(c->ms, &events[e].desc, (double)v[0], cpu);
		}
		if (cc->group_fd >= 0) {
			/* nr, time_enabled, time_running, then one value per event. */
			size_t want = (3 + n_tps) * sizeof(uint64_t);
			uint64_t *buf = arena_alloc(&c->ms->arena, want);
			if (!buf)
				return -ENOMEM;
			ssize_t n = read(cc->group_fd, buf, want);
			if (n < (ssize_t)want || buf[0] != n_tps)
				return ctx_fail(c, n < 0 ? -errno : -EIO, "Failed to collect tracepoint profile on CPU %d",
						cc->cpu);
			for (size_t t = 0; t < n_tps; t++)
				metric_emit(c->ms, &tps[t].desc, (double)buf[3 + t], cpu);
		}
	}
	return 0;
}

COLLECTOR(perf, .default_on = false, .flags = perf_flags, .init = perf_init, .fini = perf_fini);
