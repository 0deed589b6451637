/* cpu: per-CPU time from /proc/stat, thermal throttle counters, isolation and online state from sysfs,
 * and with --collector.cpu.info the /proc/cpuinfo families. Mirrors node_exporter's cpu_linux.go:
 *
 * - node_cpu_seconds_total {cpu,mode} and node_cpu_guest_seconds_total {cpu,mode}: ticks / USER_HZ (100,
 *   as procfs assumes). The collector keeps the last value of every counter per CPU and never lets one go
 *   backwards: a smaller reading is ignored (the old value is kept), except that when idle drops by 3 s or
 *   more the CPU is taken to have been hot-plugged and its saved values start from zero again. CPUs that
 *   left /proc/stat are forgotten. A cpu line with fewer than ten values gives 0 for the missing modes, as
 *   procfs's Sscanf does.
 * - node_cpu_core_throttles_total {core,package}, node_cpu_package_throttles_total {package}: one reading
 *   per core and per package, taken from the first CPU (in name order) of that core or package whose
 *   thermal_throttle count can be read. CPUs without topology are skipped.
 * - node_cpu_isolated {cpu}: /sys/devices/system/cpu/isolated, read once (by the first run that can; see
 *   load_isolated()).
 * - node_cpu_online {cpu}: 1 when cpuN/online holds "1", else 0; nothing at all when the first CPU (in name
 *   order) has no online file, as on x86 where cpu0 cannot be unplugged.
 * - --collector.cpu.info: node_cpu_info {package,core,cpu,vendor,family,model,model_name,microcode,stepping,
 *   cachesize}=1 per processor; node_cpu_flag_info {flag} / node_cpu_bug_info {bug} for the first
 *   processor's flags and bugs that match --collector.cpu.info.flags-include / bugs-include (nothing when
 *   the regex is unset); node_cpu_frequency_hertz {package,core,cpu} = "cpu MHz" * 1e6. node_exporter 1.12
 *   emits that last family only while the cpufreq collector is enabled (its e2e fixture expects it then),
 *   so it is left out when a cpufreq collector exists in the table and is disabled.
 * Setting either include flag turns --collector.cpu.info on, as node_exporter does. */
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"
#include "scrape.h"

#define USER_HZ 100.0
#define JUMP_BACK_SECONDS 3.0
/* CPU numbers beyond this are refused (a corrupt line must not make us allocate gigabytes). */
#define CPU_ID_MAX (1 << 20)

enum { M_USER, M_NICE, M_SYSTEM, M_IDLE, M_IOWAIT, M_IRQ, M_SOFTIRQ, M_STEAL, M_GUEST, M_GUEST_NICE, M_COUNT };

static const char *const mode_names[M_GUEST] = { "user", "nice", "system", "idle",
						 "iowait", "irq", "softirq", "steal" };

METRIC(seconds_desc, COUNTER, "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", "cpu", "mode");
METRIC(guest_desc, COUNTER, "node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.",
       "cpu", "mode");
METRIC(core_throttle_desc, COUNTER, "node_cpu_core_throttles_total",
       "Number of times this CPU core has been throttled.", "package", "core");
METRIC(package_throttle_desc, COUNTER, "node_cpu_package_throttles_total",
       "Number of times this CPU package has been throttled.", "package");
METRIC(isolated_desc, GAUGE, "node_cpu_isolated",
       "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.", "cpu");
METRIC(online_desc, GAUGE, "node_cpu_online", "CPUs that are online and being scheduled.", "cpu");
METRIC(info_desc, GAUGE, "node_cpu_info", "CPU information from /proc/cpuinfo.", "package", "core", "cpu", "vendor",
       "family", "model", "model_name", "microcode", "stepping", "cachesize");
METRIC(frequency_desc, GAUGE, "node_cpu_frequency_hertz", "CPU frequency in hertz from /proc/cpuinfo.", "package",
       "core", "cpu");
METRIC(flag_desc, GAUGE, "node_cpu_flag_info",
       "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.", "flag");
METRIC(bug_desc, GAUGE, "node_cpu_bug_info",
       "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.", "bug");

/* ---- options ---- */

static bool opt_guest;
static bool opt_info;
static const char *opt_flags_include;
static const char *opt_bugs_include;

static struct flag cpu_flags[] = {
	{ "collector.cpu.guest", FLAG_BOOL, "true", "Enables metric node_cpu_guest_seconds_total", &opt_guest },
	{ "collector.cpu.info", FLAG_BOOL, "false", "Enables metric cpu_info", &opt_info },
	{ "collector.cpu.info.flags-include", FLAG_STRING, NULL,
	  "Filter the `flags` field in cpuInfo with a value that must be a regular expression", &opt_flags_include },
	{ "collector.cpu.info.bugs-include", FLAG_STRING, NULL,
	  "Filter the `bugs` field in cpuInfo with a value that must be a regular expression", &opt_bugs_include },
	{ NULL },
};

/* ---- state kept across scrapes ---- */

static bool info_enabled;
static struct regex *flags_re;
static struct regex *bugs_re;

/* Isolated CPUs, read once (node_exporter does the same). has_isolated is false until they are read. */
static uint16_t *isolated;
static size_t n_isolated;
static bool has_isolated;

/* The last accepted values per CPU, indexed by CPU number. */
struct cpu_state {
	double v[M_COUNT];
	bool known;   /* seen in an earlier scrape */
	bool present; /* seen in this scrape */
};
static struct cpu_state *cpus;
static size_t cap_cpus;

/* The first processor's flags (or bugs) and the ones the regex kept, cached while the text is the same:
 * the flag list does not change, so the regex runs once instead of per flag per scrape. */
struct field_cache {
	char *text;   /* the value as last seen */
	char **kept;  /* pointers into kept_buf */
	size_t n_kept;
	char *kept_buf;
};
static struct field_cache flags_cache, bugs_cache;

/* Is the cpufreq collector disabled? Looked up once, after start-up. */
static int cpufreq_state = -1; /* -1 unknown yet, 0 emit frequency, 1 cpufreq disabled */

/* procfs parses /proc/cpuinfo in the layout of the architecture it was built for, and so does nodex: x86
 * (also on architectures without a parser of their own), ARM, s390x, RISC-V. */
enum cpuinfo_format { CPUINFO_FMT_X86, CPUINFO_FMT_ARM, CPUINFO_FMT_S390X, CPUINFO_FMT_RISCV };
/* Test hook: parse another architecture's layout (an enum cpuinfo_format; -1 changes nothing). Returns
 * the format in use before. */
int cpu_cpuinfo_format(int format);

#if defined(__aarch64__) || defined(__arm__)
static int cpuinfo_format = CPUINFO_FMT_ARM;
#elif defined(__s390x__)
static int cpuinfo_format = CPUINFO_FMT_S390X;
#elif defined(__riscv)
static int cpuinfo_format = CPUINFO_FMT_RISCV;
#else
static int cpuinfo_format = CPUINFO_FMT_X86;
#endif

int cpu_cpuinfo_format(int format)
{
	int old = cpuinfo_format;

	if (format >= 0)
		cpuinfo_format = format;
	return old;
}

/* ---- helpers ---- */

static void utoa(char *buf, unsigned long v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

/* Parses "1,3-5,9" (the kernel's cpulist format) into *out. Returns the count, or -EINVAL. */
static ssize_t parse_cpu_range(char *s, uint16_t **out)
{
	size_t n = 0, cap = 0;
	uint16_t *v = NULL;
	char *save = NULL, *tok;
	size_t len = strlen(s);

	if (len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int64_t lo, hi;
		char *dash = strchr(tok, '-');
		if (dash) {
			*dash = '\0';
			if (strchr(dash + 1, '-') || parse_i64(tok, NULL, &lo) < 0 || parse_i64(dash + 1, NULL, &hi) < 0 ||
			    *tok == '\0' || dash[1] == '\0')
				goto bad;
		} else {
			if (parse_i64(tok, NULL, &lo) < 0)
				goto bad;
			hi = lo;
		}
		if (hi - lo > 65535)
			goto bad;
		for (int64_t i = lo; i <= hi; i++) {
			uint16_t *v2 = heap_grow(v, n, &cap, sizeof(*v));
			if (!v2) {
				free(v);
				return -ENOMEM;
			}
			v = v2;
			v[n++] = (uint16_t)i; /* node_exporter keeps CPU numbers as uint16 */
		}
	}
	*out = v;
	return (ssize_t)n;
bad:
	free(v);
	return -EINVAL;
}

/* Whether cpufreq is disabled, asked once per start-up at the first collection (not in init: see
 * collector_enabled()). */
static bool cpufreq_disabled(void)
{
	if (cpufreq_state < 0)
		cpufreq_state = collector_enabled("cpufreq") ? 0 : 1;
	return cpufreq_state == 1;
}

/* ---- /proc/stat ---- */

static int cpu_state_reserve(size_t id)
{
	struct cpu_state *n = heap_grow(cpus, id, &cap_cpus, sizeof(*cpus));

	if (!n)
		return -ENOMEM;
	cpus = n;
	return 0;
}

/* Parses one "cpuN v1 ... v10" line into id and seconds. Missing trailing values are 0. Returns 0,
 * 1 for the aggregate "cpu" line, or -EINVAL. */
static int parse_cpu_line(const char *line, size_t *id, double v[M_COUNT])
{
	const char *p = line + 3;
	uint64_t u;
	int i;

	if (*p == ' ' || *p == '\t') {
		*id = 0;
		return 1;
	}
	if (parse_u64(p, &p, &u) < 0 || (*p != ' ' && *p != '\t' && *p != '\0') || u >= CPU_ID_MAX)
		return -EINVAL;
	*id = (size_t)u;
	for (i = 0; i < M_COUNT; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (parse_u64(p, &p, &u) < 0) {
			double d;
			/* Not an integer: procfs reads the values as floats. */
			if (parse_double(p, &p, &d) < 0)
				return -EINVAL;
			v[i] = d / USER_HZ;
		} else {
			v[i] = (double)u / USER_HZ;
		}
		if (*p != ' ' && *p != '\t' && *p != '\0')
			return -EINVAL;
	}
	if (i == 0)
		return -EINVAL;
	for (; i < M_COUNT; i++)
		v[i] = 0;
	return 0;
}

/* Applies node_exporter's rules for counters that go backwards (see the top of the file). */
static void cpu_state_update(struct cpu_state *st, const double n[M_COUNT])
{
	if (!st->known || st->v[M_IDLE] - n[M_IDLE] >= JUMP_BACK_SECONDS) {
		if (st->known)
			log_debug("CPU Idle counter jumped backwards more than 3 seconds, possible hotplug event, "
				  "resetting CPU stats");
		memset(st->v, 0, sizeof(st->v));
	}
	for (int i = 0; i < M_COUNT; i++) {
		if (n[i] >= st->v[i])
			st->v[i] = n[i];
	}
	st->known = true;
	st->present = true;
}

static int update_stat(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "stat");
	struct family *fs, *fg = NULL;
	char *p, *line, id_buf[24];
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get stat: open %s: %s", c->path.p, strerror((int)-n));
	for (size_t i = 0; i < cap_cpus; i++)
		cpus[i].present = false;
	p = c->buf.p;
	while ((line = next_line(&p))) {
		double v[M_COUNT];
		size_t id;
		int r;
		if (line[0] != 'c' || line[1] != 'p' || line[2] != 'u')
			continue;
		r = parse_cpu_line(line, &id, v);
		if (r == 1)
			continue;
		if (r < 0 || cpu_state_reserve(id) < 0) {
			bad++;
			continue;
		}
		cpu_state_update(&cpus[id], v);
	}
	fs = metric_family(c->ms, &seconds_desc);
	if (opt_guest)
		fg = metric_family(c->ms, &guest_desc);
	for (size_t i = 0; i < cap_cpus; i++) {
		struct cpu_state *st = &cpus[i];
		if (!st->present) {
			st->known = false; /* gone from /proc/stat: forget it */
			continue;
		}
		utoa(id_buf, i);
		for (int m = 0; m < M_GUEST; m++)
			metric_add(fs, st->v[m], id_buf, mode_names[m]);
		if (fg) {
			metric_add(fg, st->v[M_GUEST], id_buf, "user");
			metric_add(fg, st->v[M_GUEST_NICE], id_buf, "nice");
		}
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get stat: %d malformed cpu line(s) in %s", bad, c->path.p);
	return 0;
}

/* ---- sysfs: throttles and online state ---- */

struct throttle_slot {
	uint64_t pkg, core;
	uint64_t value;
	bool used;   /* the slot holds this (pkg, core, is_pkg) key */
	bool is_pkg; /* a package entry (core unused) */
	bool has;    /* value was read */
};

/* Open addressing over (pkg, core, is_pkg); n is a power of two larger than the number of keys. */
static struct throttle_slot *throttle_find(struct throttle_slot *t, size_t n, uint64_t pkg, uint64_t core,
					   bool is_pkg)
{
	uint64_t h = (pkg * 0x9E3779B97F4A7C15ull) ^ (core * 0xC2B2AE3D27D4EB4Full) ^ is_pkg;
	size_t j = (size_t)(h ^ (h >> 29)) & (n - 1);

	while (t[j].used && !(t[j].pkg == pkg && t[j].core == core && t[j].is_pkg == is_pkg))
		j = (j + 1) & (n - 1);
	if (!t[j].used)
		t[j] = (struct throttle_slot){ .pkg = pkg, .core = core, .used = true, .is_pkg = is_pkg };
	return &t[j];
}

static int read_u64_trimmed(struct collect_ctx *c, struct strbuf *scratch, const char *cpu, const char *file,
			    uint64_t *out)
{
	const char *path = ctx_path(c, ROOT_SYS, "devices/system/cpu/%s/%s", cpu, file);

	if (!path)
		return -ENOMEM;
	return file_read_u64(path, scratch, out);
}

static bool is_cpu_dir_name(const char *name)
{
	return name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] >= '0' && name[3] <= '9';
}

static int update_sysfs(struct collect_ctx *c)
{
	const char *dir;
	struct strbuf *scratch = &c->buf;
	char **names, pkg_buf[24], core_buf[24];
	/* filepath.Glob reports no error for a missing directory: nothing to report. */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, &dir, &names, ROOT_SYS, "devices/system/cpu");
	size_t n_cpu = 0, slots = 16;
	struct throttle_slot *table;

	if (n < 0)
		return (int)n;
	for (ssize_t i = 0; i < n; i++)
		if (is_cpu_dir_name(names[i]))
			names[n_cpu++] = names[i];
	while (slots < n_cpu * 4)
		slots *= 2;
	table = arena_zalloc(&c->ms->arena, slots * sizeof(*table));
	if (!table)
		return -ENOMEM;

	for (size_t i = 0; i < n_cpu; i++) {
		uint64_t pkg, core, v;
		const char *tt = ctx_path(c, ROOT_SYS, "devices/system/cpu/%s/thermal_throttle", names[i]);
		/* Without a thermal_throttle directory nothing below can be read for this CPU, so skip the
		 * topology reads (virtual machines have none). */
		if (!tt || path_exists(tt) < 0)
			continue;
		if (read_u64_trimmed(c, scratch, names[i], "topology/physical_package_id", &pkg) < 0 ||
		    read_u64_trimmed(c, scratch, names[i], "topology/core_id", &core) < 0)
			continue;
		struct throttle_slot *cs = throttle_find(table, slots, pkg, core, false);
		if (!cs->has && read_u64_trimmed(c, scratch, names[i], "thermal_throttle/core_throttle_count", &v) == 0) {
			cs->value = v;
			cs->has = true;
		}
		struct throttle_slot *ps = throttle_find(table, slots, pkg, 0, true);
		if (!ps->has && read_u64_trimmed(c, scratch, names[i], "thermal_throttle/package_throttle_count", &v) == 0) {
			ps->value = v;
			ps->has = true;
		}
	}
	for (size_t j = 0; j < slots; j++) {
		if (!table[j].has)
			continue;
		utoa(pkg_buf, table[j].pkg);
		if (table[j].is_pkg) {
			metric_emit(c->ms, &package_throttle_desc, (double)table[j].value, pkg_buf);
		} else {
			utoa(core_buf, table[j].core);
			metric_emit(c->ms, &core_throttle_desc, (double)table[j].value, pkg_buf, core_buf);
		}
	}

	/* node_cpu_online: only when the first CPU has an online file. */
	if (n_cpu) {
		ssize_t r;
		const char *path = ctx_path(c, ROOT_SYS, "devices/system/cpu/%s/online", names[0]);
		if (!path)
			return -ENOMEM;
		r = file_read_attr(path, scratch);
		if (r == -ENOENT)
			return 0;
		struct family *f = metric_family(c->ms, &online_desc);
		for (size_t i = 0; i < n_cpu; i++) {
			if (i > 0) {
				path = ctx_path(c, ROOT_SYS, "devices/system/cpu/%s/online", names[i]);
				r = path ? file_read_attr(path, scratch) : -ENOMEM;
			}
			metric_add(f, r >= 0 && streq(scratch->p, "1") ? 1.0 : 0.0, names[i] + 3);
		}
	}
	return 0;
}

/* ---- /proc/cpuinfo ---- */

struct cpuinfo {
	const char *processor;
	const char *vendor, *family, *model, *model_name, *microcode, *stepping, *cache_size;
	const char *physical_id, *core_id;
	double mhz;
	bool has_mhz;
};

/* Splits a cpuinfo line as procfs does: at the first ": ", the key trimmed of blanks, the value kept as
 * is. Without ": " the whole line (trimmed) is the key and the value is NULL. */
static char *cpuinfo_split(char *line, char **value)
{
	char *sep = strstr(line, ": ");
	char *k = line, *e;

	*value = NULL;
	if (sep) {
		*sep = '\0';
		*value = sep + 2;
	}
	while (*k == ' ' || *k == '\t')
		k++;
	e = k + strlen(k);
	while (e > k && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return k;
}

static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

/* Caches the fields of one "flags"/"bugs" value that re matches, recomputing only when the text changed.
 * Returns 0 or -ENOMEM. */
static int field_cache_update(struct field_cache *fc, const char *text, const struct regex *re)
{
	if (fc->text && streq(fc->text, text))
		return 0;
	free(fc->text);
	free(fc->kept);
	free(fc->kept_buf);
	*fc = (struct field_cache){ 0 };
	size_t len = strlen(text);
	char *copy = strdup(text), *buf = malloc(len + 1);
	char **kept = malloc((len / 2 + 1) * sizeof(*kept));
	if (!copy || !buf || !kept) {
		free(copy);
		free(buf);
		free(kept);
		return -ENOMEM;
	}
	memcpy(buf, text, len + 1);
	char *p = buf, *f;
	size_t n = 0;
	while ((f = next_field(&p)))
		if (regex_match(re, f))
			kept[n++] = f;
	fc->text = copy;
	fc->kept = kept;
	fc->kept_buf = buf;
	fc->n_kept = n;
	return 0;
}

static void field_cache_free(struct field_cache *fc)
{
	free(fc->text);
	free(fc->kept);
	free(fc->kept_buf);
	*fc = (struct field_cache){ 0 };
}

/* The processors parsed from /proc/cpuinfo, with the first processor's flags and bugs. */
struct cpuinfo_list {
	struct cpuinfo *v;
	size_t n, cap;
	const char *flags, *bugs;
	int bad;
};

static struct cpuinfo *cpuinfo_add(struct collect_ctx *c, struct cpuinfo_list *l, const struct cpuinfo *init,
				   uint64_t processor)
{
	char num[24];

	void *grown = arena_grow(&c->ms->arena, l->v, l->n, &l->cap, sizeof(*l->v));
	if (!grown)
		return NULL;
	l->v = grown;
	l->v[l->n] = *init;
	utoa(num, (unsigned long)processor); /* procfs keeps the number; Itoa of it drops leading zeros */
	l->v[l->n].processor = metric_strdup(c->ms, num);
	if (!l->v[l->n].processor)
		return NULL;
	return &l->v[l->n++];
}

static bool parse_processor(const char *value, uint64_t *out)
{
	return value && parse_u64(value, NULL, out) == 0 && *out <= UINT32_MAX;
}

/* The first line that is not blank, which each of procfs's parsers requires to start with prefix (or
 * alt, when not NULL) and to hold a ':'. Returns 1 with it in *line, 0 when there is none (no CPUs), or
 * the collector's failure. */
static int cpuinfo_first_line(struct collect_ctx *c, char **p, const char *prefix, const char *alt, char **line)
{
	while ((*line = next_line(p)) && is_blank(*line))
		;
	if (!*line)
		return 0;
	if (!(startswith(*line, prefix) || (alt && startswith(*line, alt))) || !strchr(*line, ':'))
		return ctx_fail(c, -EINVAL, "invalid cpuinfo file %s: %.60s", c->path.p, *line);
	return 1;
}

/* procfs's x86 parser (also what nodex uses on architectures without a parser of their own). With riscv
 * set, procfs's RISC-V parser: the same processor blocks, of which it reads only "hart" (the core) and
 * "isa" (the model name). */
static int cpuinfo_parse_x86(struct collect_ctx *c, char *p, struct cpuinfo_list *l, bool riscv)
{
	static const struct cpuinfo zero;
	struct cpuinfo *ci = NULL;
	char *line, *key, *value;
	int r = cpuinfo_first_line(c, &p, "processor", NULL, &line);

	if (r <= 0)
		return r;
	for (; line; line = next_line(&p)) {
		if (!strchr(line, ':'))
			continue;
		key = cpuinfo_split(line, &value);
		if (!ci || streq(key, "processor")) {
			uint64_t u;
			if (!parse_processor(value, &u))
				return ctx_fail(c, -EINVAL, "invalid processor number in %s: %.60s", c->path.p,
						value ? value : key);
			if (!(ci = cpuinfo_add(c, l, &zero, u)))
				return -ENOMEM;
			continue;
		}
		if (!value)
			continue;
		if (riscv) {
			if (streq(key, "hart"))
				ci->core_id = value;
			else if (streq(key, "isa"))
				ci->model_name = value;
			continue;
		}
		switch (key[0]) {
		case 'v':
			if (streq(key, "vendor_id") || streq(key, "vendor"))
				ci->vendor = value;
			break;
		case 'c':
			if (streq(key, "cpu family")) {
				ci->family = value;
			} else if (streq(key, "cpu MHz")) {
				double d;
				if (parse_double(value, NULL, &d) < 0) {
					l->bad++;
				} else {
					ci->mhz = d;
					ci->has_mhz = true;
				}
			} else if (streq(key, "cache size")) {
				ci->cache_size = value;
			} else if (streq(key, "core id")) {
				ci->core_id = value;
			}
			break;
		case 'm':
			if (streq(key, "model"))
				ci->model = value;
			else if (streq(key, "model name"))
				ci->model_name = value;
			else if (streq(key, "microcode"))
				ci->microcode = value;
			break;
		case 's':
			if (streq(key, "stepping"))
				ci->stepping = value;
			break;
		case 'p':
			if (streq(key, "physical id"))
				ci->physical_id = value;
			break;
		case 'f':
			if (l->n == 1 && streq(key, "flags"))
				l->flags = value;
			break;
		case 'b':
			if (l->n == 1 && streq(key, "bugs"))
				l->bugs = value;
			break;
		}
	}
	return 0;
}

/* procfs's ARM parser: "processor" lines, or on old kernels one "Processor : <model>" line for a single
 * CPU that starts at its "BogoMIPS" line; "Features" are the flags of every CPU. */
static int cpuinfo_parse_arm(struct collect_ctx *c, char *p, struct cpuinfo_list *l)
{
	struct cpuinfo common = { 0 }, *ci = NULL;
	char *line, *key, *value;
	uint64_t u;
	int r = cpuinfo_first_line(c, &p, "processor", "Processor", &line);

	if (r <= 0)
		return r;
	key = cpuinfo_split(line, &value);
	if (streq(key, "Processor")) {
		common.model_name = value ? value : "";
	} else {
		if (!parse_processor(value, &u))
			return ctx_fail(c, -EINVAL, "invalid processor number in %s", c->path.p);
		if (!(ci = cpuinfo_add(c, l, &common, u)))
			return -ENOMEM;
	}
	while ((line = next_line(&p))) {
		if (!strchr(line, ':'))
			continue;
		key = cpuinfo_split(line, &value);
		if (streq(key, "processor")) {
			if (!parse_processor(value, &u))
				return ctx_fail(c, -EINVAL, "invalid processor number in %s", c->path.p);
			if (!(ci = cpuinfo_add(c, l, &common, u)))
				return -ENOMEM;
		} else if (streq(key, "BogoMIPS")) {
			if (!ci && !(ci = cpuinfo_add(c, l, &common, 0)))
				return -ENOMEM;
		} else if (streq(key, "Features")) {
			if (value)
				l->flags = value;
		} else if (streq(key, "model name") && ci && value) {
			ci->model_name = value;
		}
	}
	return 0;
}

/* procfs's s390x parser. A "vendor_id" line first (common to every CPU), then "features" (the flags) and
 * one "processor N: ..." line per CPU; from the first "cpu number" line on, one block per CPU in the same
 * order with its "physical id", "core id" and "cpu MHz dynamic" (the first number in the value). */
static int cpuinfo_parse_s390x(struct collect_ctx *c, char *p, struct cpuinfo_list *l)
{
	struct cpuinfo common = { 0 };
	char *line, *key, *value;
	size_t i = 0;
	bool blocks = false;
	int r = cpuinfo_first_line(c, &p, "vendor_id", NULL, &line);

	if (r <= 0)
		return r;
	key = cpuinfo_split(line, &value);
	common.vendor = value ? value : "";
	while ((line = next_line(&p))) {
		if (!strchr(line, ':'))
			continue;
		if (!blocks && startswith(line, "processor")) {
			/* "processor 0: version = FF, ..." */
			char *d = line + strlen("processor"), *ws = d, *num;
			uint64_t u;
			while (*d == ' ' || *d == '\t')
				d++;
			num = d;
			while (*d >= '0' && *d <= '9')
				d++;
			if (d == ws || d == num || *d != ':')
				return ctx_fail(c, -EINVAL, "invalid cpuinfo file %s: %.60s", c->path.p, line);
			*d = '\0';
			if (!parse_processor(num, &u))
				return ctx_fail(c, -EINVAL, "invalid processor number in %s", c->path.p);
			if (!cpuinfo_add(c, l, &common, u))
				return -ENOMEM;
			continue;
		}
		if (!blocks && startswith(line, "cpu number")) {
			blocks = true;
			continue;
		}
		key = cpuinfo_split(line, &value);
		if (!value)
			continue;
		if (!blocks) {
			if (streq(key, "features"))
				l->flags = value;
			continue;
		}
		if (streq(key, "cpu number")) {
			i++;
			continue;
		}
		if (i >= l->n) {
			l->bad++; /* more CPU blocks than processor lines (procfs would index out of range) */
			continue;
		}
		if (streq(key, "physical id")) {
			l->v[i].physical_id = value;
		} else if (streq(key, "core id")) {
			l->v[i].core_id = value;
		} else if (streq(key, "cpu MHz dynamic")) {
			/* procfs: the first run of digits and dots, as a float */
			size_t at = strcspn(value, "0123456789."), len = strspn(value + at, "0123456789.");
			char num[32];
			double mhz;
			snprintf(num, sizeof(num), "%.*s", (int)len, value + at);
			if (len == 0 || len >= sizeof(num) || parse_double(num, NULL, &mhz) < 0) {
				l->bad++;
			} else {
				l->v[i].mhz = mhz;
				l->v[i].has_mhz = true;
			}
		}
	}
	return 0;
}

static int update_info(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "cpuinfo");
	struct cpuinfo_list l = { 0 };
	int r;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get cpuinfo: open %s: %s", c->path.p, strerror((int)-n));
	switch (cpuinfo_format) {
	case CPUINFO_FMT_ARM:
		r = cpuinfo_parse_arm(c, c->buf.p, &l);
		break;
	case CPUINFO_FMT_S390X:
		r = cpuinfo_parse_s390x(c, c->buf.p, &l);
		break;
	default:
		r = cpuinfo_parse_x86(c, c->buf.p, &l, cpuinfo_format == CPUINFO_FMT_RISCV);
		break;
	}
	if (r < 0)
		return r;

	struct family *fi = metric_family(c->ms, &info_desc);
	struct family *ff = cpufreq_disabled() ? NULL : metric_family(c->ms, &frequency_desc);
	for (size_t i = 0; i < l.n; i++) {
		struct cpuinfo *ci = &l.v[i];
#define S(x) ((x) ? (x) : "")
		metric_add(fi, 1, S(ci->physical_id), S(ci->core_id), ci->processor, S(ci->vendor), S(ci->family),
			   S(ci->model), S(ci->model_name), S(ci->microcode), S(ci->stepping), S(ci->cache_size));
		/* procfs gives 0 when there is no "cpu MHz" line; a frequency of 0 would be made up, so there
		 * is no sample instead. */
		if (ff && ci->has_mhz)
			metric_add(ff, ci->mhz * 1e6, S(ci->physical_id), S(ci->core_id), ci->processor);
#undef S
	}
	if (l.n && flags_re && l.flags && field_cache_update(&flags_cache, l.flags, flags_re) == 0) {
		struct family *f = metric_family(c->ms, &flag_desc);
		for (size_t i = 0; i < flags_cache.n_kept; i++)
			metric_add(f, 1, flags_cache.kept[i]);
	}
	if (l.n && bugs_re && l.bugs && field_cache_update(&bugs_cache, l.bugs, bugs_re) == 0) {
		struct family *f = metric_family(c->ms, &bug_desc);
		for (size_t i = 0; i < bugs_cache.n_kept; i++)
			metric_add(f, 1, bugs_cache.kept[i]);
	}
	if (l.bad)
		return ctx_fail(c, -EINVAL, "couldn't get cpuinfo: %d malformed line(s) in %s", l.bad, c->path.p);
	return 0;
}

/* ---- the collector ---- */

static void cpu_fini(void);

static int compile_include(const char *pattern, struct regex **re, char *err, size_t err_size)
{
	char msg[256];

	if (!pattern || !*pattern)
		return 0;
	*re = regex_new(pattern, msg, sizeof(msg));
	if (*re)
		return 0;
	snprintf(err, err_size,
		 "fail to compile --collector.cpu.info.flags-include and --collector.cpu.info.bugs-include, the values "
		 "of them must be regular expressions: %s",
		 msg);
	return -EINVAL;
}

/* --collector.cpu.info, also implied by either include option. */
static bool info_option(void)
{
	return opt_info || (opt_flags_include && *opt_flags_include) || (opt_bugs_include && *opt_bugs_include);
}

bool cpu_info_enabled(void)
{
	return collector_enabled("cpu") && info_option();
}

static int cpu_init(char *err, size_t err_size)
{
	int r = 0;

	info_enabled = info_option();
	if (info_enabled && !opt_info)
		log_debug("--collector.cpu.info has been set to `true` because you set the following flags, like "
			  "--collector.cpu.info.flags-include and --collector.cpu.info.bugs-include");
	if ((r = compile_include(opt_flags_include, &flags_re, err, err_size)) < 0 ||
	    (r = compile_include(opt_bugs_include, &bugs_re, err, err_size)) < 0)
		goto fail;

	cpufreq_state = -1;
	return 0;
fail:
	cpu_fini();
	return r;
}

/* Reads the isolated CPUs once, as node_exporter does, but in a run instead of at start-up, so an
 * unreadable or malformed file fails the run with the reason instead of stopping nodex from starting.
 * A missing file means none for now; it is looked for again on the next run. Returns 0 or a negative
 * errno with the reason in c->err. */
static int load_isolated(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_SYS, "devices/system/cpu/isolated");

	if (n == -ENOENT) {
		log_debug("couldn't open isolated file", "path", c->path.p);
		return 0;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "unable to get isolated cpus: %s: %s", c->path.p, strerror((int)-n));
	ssize_t k = parse_cpu_range(c->buf.p, &isolated);
	if (k < 0)
		return ctx_fail(c, (int)k, "unable to get isolated cpus: invalid cpu range in %s", c->path.p);
	n_isolated = (size_t)k;
	has_isolated = true;
	return 0;
}

static int cpu_collect(struct collect_ctx *c)
{
	int r, first_err = 0;

	if (info_enabled && (r = update_info(c)) < 0)
		first_err = r;
	if ((r = update_stat(c)) < 0 && !first_err)
		first_err = r;
	if (!has_isolated && (r = load_isolated(c)) < 0 && !first_err)
		first_err = r;
	if (has_isolated) {
		struct family *f = metric_family(c->ms, &isolated_desc);
		char id[24];
		for (size_t i = 0; i < n_isolated; i++) {
			utoa(id, isolated[i]);
			metric_add(f, 1, id);
		}
	}
	if ((r = update_sysfs(c)) < 0 && !first_err)
		first_err = ctx_fail(c, r, "couldn't read CPU state from sysfs: %s", strerror(-r));
	return first_err;
}

static void cpu_fini(void)
{
	regex_free(flags_re);
	regex_free(bugs_re);
	flags_re = bugs_re = NULL;
	free(isolated);
	isolated = NULL;
	n_isolated = 0;
	has_isolated = false;
	free(cpus);
	cpus = NULL;
	cap_cpus = 0;
	field_cache_free(&flags_cache);
	field_cache_free(&bugs_cache);
	cpufreq_state = -1;
}

COLLECTOR(cpu, .default_on = true, .flags = cpu_flags, .init = cpu_init, .fini = cpu_fini);
