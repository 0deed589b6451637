/* slabinfo: per-slab object counts and sizes from /proc/slabinfo (version 2.1, root only), as
 * node_exporter's slabinfo collector. Slabs are filtered by name with --collector.slabinfo.slabs-include
 * (default ".*") and --collector.slabinfo.slabs-exclude. A line must have the 16 fields of format 2.1:
 *   name active_objs num_objs objsize objperslab pagesperslab : tunables l b s : slabdata a n s */
#include "collector.h"
#include "gocompat.h"

static const struct metric_desc descs[5] = {
	METRIC_DESC("node_slabinfo_active_objects", "The number of objects that are currently active (i.e., in use).",
		    METRIC_GAUGE, "slab"),
	METRIC_DESC("node_slabinfo_objects",
		    "The total number of allocated objects (i.e., objects that are both in use and not in use).",
		    METRIC_GAUGE, "slab"),
	METRIC_DESC("node_slabinfo_object_size_bytes", "The size of objects in this slab, in bytes.", METRIC_GAUGE,
		    "slab"),
	METRIC_DESC("node_slabinfo_objects_per_slab", "The number of objects stored in each slab.", METRIC_GAUGE,
		    "slab"),
	METRIC_DESC("node_slabinfo_pages_per_slab", "The number of pages allocated for each slab.", METRIC_GAUGE,
		    "slab"),
};

static const char *opt_include, *opt_exclude;
static struct name_filter filter;

static struct flag slabinfo_flags[] = {
	{ "collector.slabinfo.slabs-include", FLAG_STRING, ".*", "Regexp of slabs to include in slabinfo collector.",
	  &opt_include },
	{ "collector.slabinfo.slabs-exclude", FLAG_STRING, "", "Regexp of slabs to exclude in slabinfo collector.",
	  &opt_exclude },
	{ NULL },
};

static int slabinfo_init(char *err, size_t err_size)
{
	return name_filter_init(&filter, opt_include, opt_exclude, err, err_size);
}

static void slabinfo_fini(void)
{
	name_filter_free(&filter);
}

static int slabinfo_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "slabinfo");
	struct family *fam[5];
	char *p, *line;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get slabinfo: %s: %s", c->path.p, strerror((int)-n));
	for (int i = 0; i < 5; i++)
		fam[i] = metric_family(c->ms, &descs[i]);
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[17];
		int64_t v[16];
		int nf;
		bool ok = true;
		static const int numeric[] = { 1, 2, 3, 4, 5, 8, 9, 10, 13, 14, 15 };

		if (strstr(line, "slabinfo -") || strstr(line, "# name"))
			continue;
		nf = split_fields(line, f, 17);
		if (nf == 0)
			continue;
		if (nf != 16) {
			bad++;
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(numeric) && ok; i++)
			ok = go_parse_int(f[numeric[i]], 10, 64, &v[numeric[i]]) == 0;
		if (!ok) {
			bad++;
			continue;
		}
		if (name_filter_ignored(&filter, f[0]))
			continue;
		for (int i = 0; i < 5; i++)
			metric_add(fam[i], (double)v[i + 1], f[0]);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get slabinfo: %d malformed line(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(slabinfo, .default_on = false, .flags = slabinfo_flags, .init = slabinfo_init,
	  .fini = slabinfo_fini);
