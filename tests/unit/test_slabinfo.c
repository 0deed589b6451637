#include "harness.h"

extern const struct collector collector_slabinfo;

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

#define HDR                                                                                                    \
	"slabinfo - version: 2.1\n"                                                                            \
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
#define SLABINFO                                                                                               \
	HDR                                                                                                    \
	"ext4_inode_cache   41251  42048   1184   27    8 : tunables    0    0    0 : slabdata   1564   1564      0\n" \
	"dentry            115599 118776    192   42    2 : tunables    0    0    0 : slabdata   2828   2828      0\n" \
	"kmalloc-8k           372    380   8192    4    8 : tunables    0    0    0 : slabdata     95     95      0\n"

#define S(slab, a, o, sz, ops, pps)                                            \
	"node_slabinfo_active_objects{slab=\"" slab "\"} " a "\n"              \
	"node_slabinfo_object_size_bytes{slab=\"" slab "\"} " sz "\n"          \
	"node_slabinfo_objects{slab=\"" slab "\"} " o "\n"                     \
	"node_slabinfo_objects_per_slab{slab=\"" slab "\"} " ops "\n"          \
	"node_slabinfo_pages_per_slab{slab=\"" slab "\"} " pps "\n"

static const struct collector_case cases[] = {
	{ "all", { { "proc/slabinfo", SLABINFO } },
	  .expect = "node_slabinfo_active_objects{slab=\"dentry\"} 115599\n"
		    "node_slabinfo_active_objects{slab=\"ext4_inode_cache\"} 41251\n"
		    "node_slabinfo_active_objects{slab=\"kmalloc-8k\"} 372\n"
		    "node_slabinfo_object_size_bytes{slab=\"dentry\"} 192\n"
		    "node_slabinfo_object_size_bytes{slab=\"ext4_inode_cache\"} 1184\n"
		    "node_slabinfo_object_size_bytes{slab=\"kmalloc-8k\"} 8192\n"
		    "node_slabinfo_objects{slab=\"dentry\"} 118776\n"
		    "node_slabinfo_objects{slab=\"ext4_inode_cache\"} 42048\n"
		    "node_slabinfo_objects{slab=\"kmalloc-8k\"} 380\n"
		    "node_slabinfo_objects_per_slab{slab=\"dentry\"} 42\n"
		    "node_slabinfo_objects_per_slab{slab=\"ext4_inode_cache\"} 27\n"
		    "node_slabinfo_objects_per_slab{slab=\"kmalloc-8k\"} 4\n"
		    "node_slabinfo_pages_per_slab{slab=\"dentry\"} 2\n"
		    "node_slabinfo_pages_per_slab{slab=\"ext4_inode_cache\"} 8\n"
		    "node_slabinfo_pages_per_slab{slab=\"kmalloc-8k\"} 8\n" },
	{ "include", { { "proc/slabinfo", SLABINFO } }, .args = { "--collector.slabinfo.slabs-include=^kmalloc" },
	  .expect = S("kmalloc-8k", "372", "380", "8192", "4", "8") },
	{ "exclude", { { "proc/slabinfo", SLABINFO } }, .args = { "--collector.slabinfo.slabs-exclude=inode|dentry" },
	  .expect = S("kmalloc-8k", "372", "380", "8192", "4", "8") },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/slabinfo", "" } }, .expect = "" },
	{ "header only", { { "proc/slabinfo", HDR } }, .expect = "" },
	/* Lines without the 16 fields of format 2.1, or with a bad number, are skipped and reported. */
	{ "malformed",
	  { { "proc/slabinfo", HDR "dentry 1 2 192 42 2 : tunables 0 0 0 : slabdata 1 1\n"
				   "bad 1 2 x 42 2 : tunables 0 0 0 : slabdata 1 1 0\n"
				   "kmalloc-8k 372 380 8192 4 8 : tunables 0 0 0 : slabdata 95 95 0\n"
				   "kmalloc-16 3" } },
	  .expect = S("kmalloc-8k", "372", "380", "8192", "4", "8"), .expect_fail = 1 },
	{ "huge", { { "proc/slabinfo", HDR "big 9223372036854775807 0 0 0 0 : tunables 0 0 0 : slabdata 0 0 0\n" } },
	  .expect = S("big", "9.223372036854776e+18", "0", "0", "0", "0") },
};

int main(int argc, char **argv)
{
	char err[256] = "";
	struct flag *sets[1] = { collector_slabinfo.flags };

	(void)argc;
	test_collector_cases(&collector_slabinfo, cases, ARRAY_SIZE(cases));
	flags_set_defaults(collector_slabinfo.flags);
	CHECK(flag_set(flag_find(sets, 1, "collector.slabinfo.slabs-exclude"), "[", FLAG_SRC_CMDLINE, err,
		       sizeof(err)) == 0);
	CHECK(collector_slabinfo.init(err, sizeof(err)) < 0);
	flags_set_defaults(collector_slabinfo.flags);
	/* The live /proc/slabinfo (root only) is a seq_file of several pages: every slab must be there. */
	int lines = count_lines("/proc/slabinfo", NULL);
	if (lines > 2) {
		struct strbuf out = { 0 };
		nodex_paths.procfs = "/proc";
		CHECK_INT(test_run_collector(&collector_slabinfo, &out), 0);
		CHECK_INT(count_samples(out.p, "\nnode_slabinfo_objects{"), lines - 2);
		sb_free(&out);
	}
	return test_summary(argv[0]);
}
