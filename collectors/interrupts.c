/* interrupts: node_interrupts_total{cpu,devices,info,type} from /proc/interrupts, as node_exporter's
 * interrupts collector.
 *
 * The header line gives the number of CPU columns. A line needs the IRQ name, one count per CPU and at
 * least one more field (ERR: and MIS: have none and are skipped). For numbered IRQs the first field after
 * the counts is info (the chip) and the rest, joined by single spaces, is devices; for named ones (NMI,
 * LOC, ...) all of it is info and devices is "". --collector.interrupts.name-include/-exclude match
 * "<type>;<info>;<devices>"; --no-collector.interrupts.include-zeros drops zero counts. */
#include "collector.h"

METRIC(intr_desc, COUNTER, "node_interrupts_total", "Interrupt details.", "cpu", "type", "info", "devices");

static const char *opt_include, *opt_exclude;
static bool opt_include_zeros;
static struct name_filter filter;

static struct flag interrupts_flags[] = {
	{ "collector.interrupts.name-include", FLAG_STRING, NULL,
	  "Regexp of interrupts name to include (mutually exclusive to --collector.interrupts.name-exclude).",
	  &opt_include },
	{ "collector.interrupts.name-exclude", FLAG_STRING, NULL,
	  "Regexp of interrupts name to exclude (mutually exclusive to --collector.interrupts.name-include).",
	  &opt_exclude },
	{ "collector.interrupts.include-zeros", FLAG_BOOL, "true", "Include interrupts that have a zero value",
	  &opt_include_zeros },
	{ NULL },
};

static int interrupts_init(char *err, size_t err_size)
{
	return name_filter_init(&filter, opt_include, opt_exclude, err, err_size);
}

static void interrupts_fini(void)
{
	name_filter_free(&filter);
}

/* Go's strconv.Atoi: an optional sign and decimal digits only. */
static bool is_int(const char *s)
{
	return all_digits(*s == '+' || *s == '-' ? s + 1 : s);
}

/* Joins fields [from, to) with single spaces into the arena. */
static char *join(struct arena *a, char **f, int from, int to)
{
	size_t len = 0, o = 0;
	char *s;

	for (int i = from; i < to; i++)
		len += strlen(f[i]) + 1;
	s = arena_alloc(a, len + 1);
	if (!s)
		return NULL;
	for (int i = from; i < to; i++) {
		size_t l = strlen(f[i]);
		if (o)
			s[o++] = ' ';
		memcpy(s + o, f[i], l);
		o += l;
	}
	s[o] = '\0';
	return s;
}

static int interrupts_collect(struct collect_ctx *c)
{
	struct arena *a = &c->ms->arena;
	ssize_t n = ctx_read(c, ROOT_PROC, "interrupts");
	struct family *fam;
	char *p, *line, **f, **cpus;
	int ncpu = 0, max, bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get interrupts: %s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	line = next_line(&p);
	if (!line)
		return ctx_fail(c, -EINVAL, "couldn't get interrupts: interrupts empty (%s)", c->path.p);
	for (char *q = line; next_field(&q);)
		ncpu++;
	max = ncpu + 256;
	f = arena_alloc(a, (size_t)max * sizeof(*f));
	cpus = arena_alloc(a, ((size_t)ncpu + 1) * sizeof(*cpus));
	if (!f || !cpus)
		return -ENOMEM;
	for (int i = 0; i < ncpu; i++)
		if (!(cpus[i] = arena_printf(a, "%d", i)))
			return -ENOMEM;
	fam = metric_family(c->ms, &intr_desc);

	while ((line = next_line(&p))) {
		int nf = split_fields(line, f, max);
		const char *info, *devices;
		char *name;
		size_t nl;

		if (nf < ncpu + 2)
			continue;
		name = f[0];
		nl = strlen(name);
		name[nl - 1] = '\0'; /* the trailing ':' */
		if (is_int(name)) {
			info = f[ncpu + 1];
			devices = join(a, f, ncpu + 2, nf);
		} else {
			info = join(a, f, ncpu + 1, nf);
			devices = "";
		}
		if (!info || !devices)
			return -ENOMEM;
		if (filter.include || filter.exclude) {
			const char *filter_name = arena_printf(a, "%s;%s;%s", name, info, devices);
			if (!filter_name)
				return -ENOMEM;
			if (name_filter_ignored(&filter, filter_name)) {
				log_debug("ignoring interrupt name", "filter_name", filter_name);
				continue;
			}
		}
		for (int i = 0; i < ncpu; i++) {
			double v;
			if (parse_double(f[i + 1], NULL, &v) < 0) {
				bad++;
				continue;
			}
			if (!opt_include_zeros && v == 0)
				continue;
			metric_add(fam, v, cpus[i], name, info, devices);
		}
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get interrupts: %d invalid value(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(interrupts, .default_on = false, .flags = interrupts_flags, .init = interrupts_init,
	  .fini = interrupts_fini);
