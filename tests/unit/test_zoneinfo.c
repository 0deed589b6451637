#include "harness.h"

extern const struct collector collector_zoneinfo;

/* Counts the lines of a file with stdio, independently of nodex's reader; -1 when unreadable. */
static int count_lines(const char *path, const char *prefix)
{
	char line[4096];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!prefix || strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
	fclose(f);
	return n;
}

static int count_samples(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && (p = strstr(p, prefix)); p++)
		n++;
	return n;
}

/* Shaped like a 6.x kernel's /proc/zoneinfo, cut down; the Normal zone carries bad values. */
#define ZONEINFO \
	"Node 0, zone      DMA\n" \
	"  per-node stats\n" \
	"      nr_inactive_anon 95612\n" \
	"      nr_active_anon 1175853\n" \
	"      nr_dirtied   1189097\n" \
	"      nr_written   1181554\n" \
	"  pages free     3952\n" \
	"        min      33\n" \
	"        low      41\n" \
	"        high     49\n" \
	"        spanned  4095\n" \
	"        present  3997\n" \
	"        managed  3976\n" \
	"        cma      0\n" \
	"        protection: (0, 2877, 15852, 15852, 15852)\n" \
	"      nr_free_pages 3952\n" \
	"      numa_hit     1\n" \
	"      numa_local   1\n" \
	"  pagesets\n" \
	"    cpu: 0\n" \
	"              count: 0\n" \
	"              high:  0\n" \
	"              batch: 1\n" \
	"  vm stats threshold: 6\n" \
	"  node_unreclaimable:  0\n" \
	"  start_pfn:           1\n" \
	"Node 0, zone    DMA32\n" \
	"  pages free     731520\n" \
	"        min      7616\n" \
	"        low      9520\n" \
	"        high     11424\n" \
	"        spanned  1044480\n" \
	"        present  782288\n" \
	"        managed  749608\n" \
	"        protection: (0, 0, 12975, 12975, 12975)\n" \
	"      nr_free_pages 731520\n" \
	"Node 0, zone   Normal\n" \
	"  pages free     1024\n" \
	"        min      0x10\n" \
	"        low      bogus\n" \
	"        spanned  3407872\n" \
	"        protection: (0, 0, 0, x, 0)\n" \
	"Node 1, zone  Movable\n" \
	"  pages free     0\n" \
	"        min      0\n"

static const struct collector_case cases[] = {
	{ "zones", { { "proc/zoneinfo", ZONEINFO } },
	  .expect =
		"node_zoneinfo_high_pages{node=\"0\",zone=\"DMA\"} 49\n"
		"node_zoneinfo_high_pages{node=\"0\",zone=\"DMA32\"} 11424\n"
		"node_zoneinfo_low_pages{node=\"0\",zone=\"DMA\"} 41\n"
		"node_zoneinfo_low_pages{node=\"0\",zone=\"DMA32\"} 9520\n"
		"node_zoneinfo_managed_pages{node=\"0\",zone=\"DMA\"} 3976\n"
		"node_zoneinfo_managed_pages{node=\"0\",zone=\"DMA32\"} 749608\n"
		"node_zoneinfo_min_pages{node=\"0\",zone=\"DMA\"} 33\n"
		"node_zoneinfo_min_pages{node=\"0\",zone=\"DMA32\"} 7616\n"
		"node_zoneinfo_min_pages{node=\"0\",zone=\"Normal\"} 16\n"
		"node_zoneinfo_min_pages{node=\"1\",zone=\"Movable\"} 0\n"
		"node_zoneinfo_nr_active_anon_pages{node=\"0\",zone=\"DMA\"} 1.175853e+06\n"
		"node_zoneinfo_nr_dirtied_total{node=\"0\",zone=\"DMA\"} 1.189097e+06\n"
		"node_zoneinfo_nr_free_pages{node=\"0\",zone=\"DMA\"} 3952\n"
		"node_zoneinfo_nr_free_pages{node=\"0\",zone=\"DMA32\"} 731520\n"
		"node_zoneinfo_nr_inactive_anon_pages{node=\"0\",zone=\"DMA\"} 95612\n"
		"node_zoneinfo_nr_written_total{node=\"0\",zone=\"DMA\"} 1.181554e+06\n"
		"node_zoneinfo_numa_hit_total{node=\"0\",zone=\"DMA\"} 1\n"
		"node_zoneinfo_numa_local_total{node=\"0\",zone=\"DMA\"} 1\n"
		"node_zoneinfo_present_pages{node=\"0\",zone=\"DMA\"} 3997\n"
		"node_zoneinfo_present_pages{node=\"0\",zone=\"DMA32\"} 782288\n"
		"node_zoneinfo_protection_0{node=\"0\",zone=\"DMA\"} 0\n"
		"node_zoneinfo_protection_0{node=\"0\",zone=\"DMA32\"} 0\n"
		"node_zoneinfo_protection_1{node=\"0\",zone=\"DMA\"} 2877\n"
		"node_zoneinfo_protection_1{node=\"0\",zone=\"DMA32\"} 0\n"
		"node_zoneinfo_protection_2{node=\"0\",zone=\"DMA\"} 15852\n"
		"node_zoneinfo_protection_2{node=\"0\",zone=\"DMA32\"} 12975\n"
		"node_zoneinfo_protection_3{node=\"0\",zone=\"DMA\"} 15852\n"
		"node_zoneinfo_protection_3{node=\"0\",zone=\"DMA32\"} 12975\n"
		"node_zoneinfo_protection_4{node=\"0\",zone=\"DMA\"} 15852\n"
		"node_zoneinfo_protection_4{node=\"0\",zone=\"DMA32\"} 12975\n"
		"node_zoneinfo_spanned_pages{node=\"0\",zone=\"DMA\"} 4095\n"
		"node_zoneinfo_spanned_pages{node=\"0\",zone=\"DMA32\"} 1.04448e+06\n"
		"node_zoneinfo_spanned_pages{node=\"0\",zone=\"Normal\"} 3.407872e+06\n" },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/zoneinfo", "" } }, .expect = "" },
	/* A zone without a header still reports, with empty labels, as procfs does. */
	{ "no header", { { "proc/zoneinfo", "  pages free 5\n        min 3\n" } },
	  .expect = "node_zoneinfo_min_pages{node=\"\",zone=\"\"} 3\n" },
	{ "truncated",
	  { { "proc/zoneinfo", "Node 0, zone      DMA\n  pages free     3952\n        min      33\n        low  " } },
	  .expect = "node_zoneinfo_min_pages{node=\"0\",zone=\"DMA\"} 33\n" },
	/* A value that does not parse unsets the field, even when an earlier line set it. */
	{ "later bad value", { { "proc/zoneinfo", "Node 2, zone Normal\n  min 5\n  min 5x\n  low -7\n" } },
	  .expect = "node_zoneinfo_low_pages{node=\"2\",zone=\"Normal\"} -7\n" },
	{ "huge", { { "proc/zoneinfo", "Node 0, zone Normal\n  numa_hit 9223372036854775807\n  numa_miss 9223372036854775808\n" } },
	  .expect = "node_zoneinfo_numa_hit_total{node=\"0\",zone=\"Normal\"} 9.223372036854776e+18\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_zoneinfo, cases, ARRAY_SIZE(cases));
	/* The live /proc/zoneinfo is a seq_file of several pages: every zone must be there. */
	int zones = count_lines("/proc/zoneinfo", "Node ");
	if (zones > 0) {
		struct strbuf out = { 0 };
		nodex_paths.procfs = "/proc";
		CHECK_INT(test_run_collector(&collector_zoneinfo, &out), 0);
		CHECK_INT(count_samples(out.p, "\nnode_zoneinfo_present_pages{"), zones);
		sb_free(&out);
	}
	return test_summary(argv[0]);
}
