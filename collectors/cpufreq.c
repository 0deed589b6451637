/* cpufreq: CPU frequencies from /sys/devices/system/cpu/cpuN/cpufreq, as node_exporter's cpufreq
 * collector (collector/cpufreq_linux.go over procfs' SystemCpufreq). Values are kHz, exported in Hz.
 *
 * node_cpu_frequency_hertz is also a family of the cpu collector (--collector.cpu.info, from
 * /proc/cpuinfo, labels {core,cpu,package}); node_exporter 1.12 exports both under one name with
 * different help and labels, which makes its gather fail for one of them at random. Here the cpu
 * collector owns that name whenever it emits it, and this collector then leaves out its own
 * cpuinfo_cur_freq series, so a scrape never carries one family name twice. */
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"
#include "gocompat.h"

METRIC(governor_desc, GAUGE, "node_cpu_scaling_governor", "Current enabled CPU frequency governor.", "cpu", "governor");

/* The numeric attributes procfs reads, in its order, and the family each goes to (kHz in the file, Hz
 * in the family); the transition latency is read and not exported. */
enum { F_CUR, F_AVG, F_MAX, F_MIN, F_LATENCY, F_SCUR, F_SMAX, F_SMIN, F_COUNT };
#define FREQ(file, name, help) { file, METRIC_DESC("node_cpu_" name "_hertz", help, METRIC_GAUGE, "cpu") }
static const struct {
	const char *file;
	struct metric_desc d; /* no name: not exported */
} uint_attrs[F_COUNT] = {
	[F_CUR] = FREQ("cpuinfo_cur_freq", "frequency", "Current CPU thread frequency in hertz."),
	[F_AVG] = FREQ("cpuinfo_avg_freq", "frequency_avg", "Average CPU thread frequency in hertz."),
	[F_MAX] = FREQ("cpuinfo_max_freq", "frequency_max", "Maximum CPU thread frequency in hertz."),
	[F_MIN] = FREQ("cpuinfo_min_freq", "frequency_min", "Minimum CPU thread frequency in hertz."),
	[F_LATENCY] = { "cpuinfo_transition_latency" },
	[F_SCUR] = FREQ("scaling_cur_freq", "scaling_frequency", "Current scaled CPU thread frequency in hertz."),
	[F_SMAX] = FREQ("scaling_max_freq", "scaling_frequency_max", "Maximum scaled CPU thread frequency in hertz."),
	[F_SMIN] = FREQ("scaling_min_freq", "scaling_frequency_min", "Minimum scaled CPU thread frequency in hertz."),
};
#undef FREQ

/* String attributes procfs requires (any read error fails the whole collection). */
static const char *const string_files[] = {
	"scaling_available_governors", "scaling_driver", "scaling_governor", "related_cpus", "scaling_setspeed",
};

/* Whether the cpu collector exports node_cpu_frequency_hertz itself: -1 until the first collection
 * after start-up asks (see collector_enabled()). */
static int cpu_owns_frequency = -1;

struct cpu_freq {
	const char *name;
	bool has[F_COUNT];
	uint64_t v[F_COUNT];
	const char *governors;
	const char *governor;
};

/* Parses a CPU list ("0-3,8") and marks the CPUs in set (which holds max bits). Returns 0 or -EINVAL. */
static int parse_cpu_range(char *s, unsigned char *set, long max)
{
	char *save = NULL, *tok;

	strip_trailing(s);
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int64_t a, b;
		char *dash = strchr(tok, '-');
		if (dash) {
			*dash = '\0';
			if (strchr(dash + 1, '-') || go_parse_int(tok, 10, 64, &a) < 0 ||
			    go_parse_int(dash + 1, 10, 64, &b) < 0)
				return -EINVAL;
		} else if (go_parse_int(tok, 10, 64, &a) < 0) {
			return -EINVAL;
		} else {
			b = a;
		}
		for (int64_t i = a; i <= b && i - a < 65536; i++)
			if (i >= 0 && i < max)
				set[i / 8] |= (unsigned char)(1u << (i % 8));
	}
	return 0;
}

/* Reads one CPU's cpufreq directory. Returns 0 or a negative errno with c->err set. */
static int read_cpu(struct collect_ctx *c, const char *dir, struct cpu_freq *f)
{
	ssize_t n;

	for (int i = 0; i < F_COUNT; i++) {
		n = ctx_read(c, ROOT_NONE, "%s/%s", dir, uint_attrs[i].file);
		if (n == -ENOENT || n == -EACCES || n == -EPERM)
			continue;
		if (n < 0)
			return ctx_fail(c, (int)n, "read %s: %s", c->path.p, strerror((int)-n));
		if (go_parse_uint(go_trim_space(c->buf.p), 10, 64, &f->v[i]) < 0)
			return ctx_fail(c, -EINVAL, "%s: invalid value", c->path.p);
		f->has[i] = true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(string_files); i++) {
		n = ctx_read(c, ROOT_NONE, "%s/%s", dir, string_files[i]);
		if (n < 0)
			return ctx_fail(c, (int)n, "read %s: %s", c->path.p, strerror((int)-n));
		if (i == 0)
			f->governors = metric_strdup(c->ms, go_trim_space(c->buf.p));
		else if (i == 2)
			f->governor = metric_strdup(c->ms, go_trim_space(c->buf.p));
	}
	return f->governors && f->governor ? 0 : -ENOMEM;
}

static int cpufreq_collect(struct collect_ctx *c)
{
	const char *cpudir;
	char **names;
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, &cpudir, &names, ROOT_SYS, "devices/system/cpu"), r;
	struct cpu_freq *cpus;
	size_t ncpu = 0, n_entries = 0;
	unsigned char offline[8192 / 8] = { 0 };
	bool any_offline = false;

	if (n < 0)
		return (int)n;
	if (cpu_owns_frequency < 0) {
		cpu_owns_frequency = cpu_info_enabled();
		if (cpu_owns_frequency)
			log_debug("cpu collector exports node_cpu_frequency_hertz from /proc/cpuinfo; cpufreq leaves it out");
	}
	r = ctx_read(c, ROOT_NONE, "%s/offline", cpudir);
	if (r < 0)
		return ctx_fail(c, (int)r, "read %s: %s", c->path.p, strerror((int)-r));
	if (*go_trim_space(c->buf.p)) {
		any_offline = true;
		if (parse_cpu_range(c->buf.p, offline, 8192) < 0)
			return ctx_fail(c, -EINVAL, "%s: invalid cpu range", c->path.p);
	}

	if (!(cpus = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*cpus))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		const char *num = names[i] + 3;
		int64_t id;
		char *dir;

		if (!startswith(names[i], "cpu") || !(*num >= '0' && *num <= '9'))
			continue;
		/* procfs parses the CPU numbers only to filter offline CPUs. */
		if (any_offline) {
			if (go_parse_int(num, 10, 64, &id) < 0)
				return ctx_fail(c, -EINVAL, "%s/%s: not a CPU number", cpudir, names[i]);
			if (id >= 0 && id < 8192 && (offline[id / 8] & (1u << (id % 8))))
				continue;
		}
		n_entries++;
		if (!(dir = arena_printf(&c->ms->arena, "%s/%s/cpufreq", cpudir, names[i])))
			return -ENOMEM;
		if ((r = path_exists(dir)) < 0) {
			if (r == -ENOENT)
				continue;
			return ctx_fail(c, (int)r, "stat %s: %s", dir, strerror((int)-r));
		}
		cpus[ncpu].name = num;
		if ((r = read_cpu(c, dir, &cpus[ncpu])) < 0)
			return (int)r; /* procfs returns nothing when one CPU fails */
		ncpu++;
	}

	if (!n_entries)
		return ctx_fail(c, -ENOENT, "could not find any cpufreq files in %s", cpudir);

	/* sysfs cpufreq values are kHz. */
	for (size_t i = 0; i < ncpu; i++) {
		struct cpu_freq *f = &cpus[i];
		for (int k = 0; k < F_COUNT; k++) {
			if (!f->has[k] || !uint_attrs[k].d.name || (k == F_CUR && cpu_owns_frequency))
				continue;
			metric_add(metric_family(c->ms, &uint_attrs[k].d), (double)f->v[k] * 1000.0, f->name);
		}
		if (!*f->governor)
			continue;
		/* strings.Split on a single space: every piece becomes a series, empty ones included. */
		const char *g = f->governors;
		for (;;) {
			const char *sp = strchr(g, ' ');
			size_t len = sp ? (size_t)(sp - g) : strlen(g);
			char *gov = arena_strndup(&c->ms->arena, g, len);
			if (!gov)
				return -ENOMEM;
			metric_add(metric_family(c->ms, &governor_desc), streq(gov, f->governor) ? 1 : 0, f->name, gov);
			if (!sp)
				break;
			g = sp + 1;
		}
	}
	return 0;
}

static int cpufreq_init(char *err, size_t err_size)
{
	(void)err;
	(void)err_size;
	cpu_owns_frequency = -1;
	return 0;
}

COLLECTOR(cpufreq, .default_on = true, .init = cpufreq_init);
