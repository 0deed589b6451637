#include "exposition.h"
#include "harness.h"

extern const struct collector collector_vmstat;

#define VMSTAT                                                                                           \
	"nr_free_pages 1234\nnr_zone_inactive_anon 5\npgpgin 7344136\npgpgout 1541180581\npswpin 1476\n" \
	"pswpout 35045\npgalloc_normal 99\npgfault 2320168809\npgmajfault 507162\npgrefill 1\n"         \
	"oom_kill 0\nthp_fault_alloc 3\nnuma_hit 12\n"

static const struct collector_case cases[] = {
	{ "default fields",
	  { { "proc/vmstat", VMSTAT } },
	  .expect = "node_vmstat_oom_kill 0\nnode_vmstat_pgfault 2.320168809e+09\nnode_vmstat_pgmajfault 507162\n"
		    "node_vmstat_pgpgin 7.344136e+06\nnode_vmstat_pgpgout 1.541180581e+09\nnode_vmstat_pswpin 1476\n"
		    "node_vmstat_pswpout 35045\n" },
	{ "HELP and TYPE",
	  { { "proc/vmstat", "pgfault 5\nnr_dirty 1\n" } },
	  .expect = "# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.\n"
		    "# TYPE node_vmstat_pgfault untyped\nnode_vmstat_pgfault 5\n",
	  .full = true },
	{ "custom regex, unanchored as Go",
	  { { "proc/vmstat", VMSTAT } },
	  .args = { "--collector.vmstat.fields=fault|numa" },
	  .expect = "node_vmstat_numa_hit 12\nnode_vmstat_pgfault 2.320168809e+09\nnode_vmstat_pgmajfault 507162\n"
		    "node_vmstat_thp_fault_alloc 3\n" },
	{ "Go's $ matches only at the very end",
	  { { "proc/vmstat", "pgfault 1\npgfault_x 2\n" } },
	  .args = { "--collector.vmstat.fields=^pgfault$" },
	  .expect = "node_vmstat_pgfault 1\n" },
	{ "malformed wanted lines are reported, unwanted ones ignored",
	  { { "proc/vmstat", "pgfault x\npgmajfault\nnr_free_pages zz\npswpin 3\n\n" } },
	  .expect = "node_vmstat_pswpin 3\n",
	  .expect_fail = 1 },
	{ "huge and negative values",
	  { { "proc/vmstat", "pgfault 18446744073709551615\npgmajfault -5\n" } },
	  .expect = "node_vmstat_pgfault 1.8446744073709552e+19\nnode_vmstat_pgmajfault -5\n" },
	{ "empty file", { { "proc/vmstat", "" } }, .expect = "" },
	{ "missing file", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "bad regex refuses to start",
	  { { "proc/vmstat", VMSTAT } },
	  .args = { "--collector.vmstat.fields=pg(" },
	  .expect = "",
	  .expect_fail = 1 },
};

static void write_file(const char *rel, const char *content)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", nodex_paths.procfs, rel);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static int scrape(struct metric_set *ms, struct collect_ctx *ctx, struct strbuf *out)
{
	struct expo e = { 0 };
	struct metric_set *sets[1] = { ms };
	int r;

	metric_set_reset(ms);
	r = collector_vmstat.collect(ctx);
	sb_reset(out);
	expo_render(&e, out, sets, 1);
	expo_free(&e);
	/* samples only */
	char *p = out->p, *w = out->p;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (*p != '#') {
			memmove(w, p, len);
			w += len;
		}
		p += len;
	}
	if (w)
		*w = '\0';
	return r;
}

/* The per-position decision cache must follow a layout change (a field inserted, renamed, removed). */
static void test_cache(void)
{
	struct tfile files[] = { { "proc/vmstat", "a 1\npgfault 2\nb 3\n" } };
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct strbuf out = { 0 };
	char err[256];

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	flags_set_defaults(collector_vmstat.flags);
	CHECK_INT(collector_vmstat.init(err, sizeof(err)), 0);
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_vmstat_pgfault 2\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_vmstat_pgfault 2\n");
	/* a wanted name moves to where an unwanted one was, and the other way round */
	write_file("vmstat", "pgmajfault 4\na 1\npgfault 5\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_vmstat_pgfault 5\nnode_vmstat_pgmajfault 4\n");
	/* same length, other name at a cached position */
	write_file("vmstat", "pgmajfaulx 4\na 1\npgfault 6\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_vmstat_pgfault 6\n");
	/* fewer lines, then more than ever before */
	write_file("vmstat", "pgfault 7\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_vmstat_pgfault 7\n");
	struct strbuf big = { 0 };
	for (int i = 0; i < 600; i++)
		sb_printf(&big, "x%d %d\n", i, i);
	sb_puts(&big, "pswpin 8\n");
	write_file("vmstat", big.p);
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_vmstat_pswpin 8\n");
	sb_free(&big);
	collector_vmstat.fini();
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	sb_free(&out);
	test_remove_root();
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_vmstat, cases, ARRAY_SIZE(cases));
	test_cache();
	return test_summary(argv[0]);
}
