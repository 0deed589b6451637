#include "harness.h"

extern const struct collector collector_xfs;

/* A realistic stats file (kernel 6.x layout). */
#define STATS                                                                                      \
	"extent_alloc 10 8720 3 96\n"                                                              \
	"abt 0 0 0 0\n"                                                                            \
	"blk_map 6100 2900 11 12 13 9100 14\n"                                                     \
	"bmbt 1 2 3 4\n"                                                                           \
	"dir 30 20 10 520\n"                                                                       \
	"trans 4 40 0\n"                                                                           \
	"ig 50 10 1 40 2 3 7\n"                                                                    \
	"log 8 21 0 5821 4\n"                                                                      \
	"push_ail 44 0 1102 15 0 2 0 2 0 2\n"                                                      \
	"xstrat 1 0\n"                                                                             \
	"rw 280 17\n"                                                                              \
	"attr 0 0 0 0\n"                                                                           \
	"icluster 2 2 2\n"                                                                         \
	"vnodes 4 5 6 7 8 9 10 0\n"                                                                \
	"buf 22 25 14 0 0 8 0 8 8\n"                                                               \
	"abtb2 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"                                                    \
	"rmapbt 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"                                                   \
	"qm 0 0 0 0 0 0 0 0\n"                                                                     \
	"xpc 3571712000 3568056 18446744073709551615\n"                                            \
	"defer_relog 0\n"                                                                          \
	"debug 0\n"

#define ALL_FOR(dev, a, b)                                                                         \
	"node_xfs_allocation_btree_compares_total{device=\"" dev "\"} 0\n"                         \
	"node_xfs_allocation_btree_lookups_total{device=\"" dev "\"} 0\n"                          \
	"node_xfs_allocation_btree_records_deleted_total{device=\"" dev "\"} 0\n"                  \
	"node_xfs_allocation_btree_records_inserted_total{device=\"" dev "\"} 0\n"                 \
	"node_xfs_block_map_btree_compares_total{device=\"" dev "\"} 2\n"                          \
	"node_xfs_block_map_btree_lookups_total{device=\"" dev "\"} 1\n"                           \
	"node_xfs_block_map_btree_records_deleted_total{device=\"" dev "\"} 4\n"                   \
	"node_xfs_block_map_btree_records_inserted_total{device=\"" dev "\"} 3\n"                  \
	"node_xfs_block_mapping_extent_list_compares_total{device=\"" dev "\"} 14\n"               \
	"node_xfs_block_mapping_extent_list_deletions_total{device=\"" dev "\"} 13\n"              \
	"node_xfs_block_mapping_extent_list_insertions_total{device=\"" dev "\"} 12\n"             \
	"node_xfs_block_mapping_extent_list_lookups_total{device=\"" dev "\"} 9100\n"              \
	"node_xfs_block_mapping_reads_total{device=\"" dev "\"} 6100\n"                            \
	"node_xfs_block_mapping_unmaps_total{device=\"" dev "\"} 11\n"                             \
	"node_xfs_block_mapping_writes_total{device=\"" dev "\"} 2900\n"                           \
	"node_xfs_directory_operation_create_total{device=\"" dev "\"} 20\n"                       \
	"node_xfs_directory_operation_getdents_total{device=\"" dev "\"} 520\n"                    \
	"node_xfs_directory_operation_lookup_total{device=\"" dev "\"} 30\n"                       \
	"node_xfs_directory_operation_remove_total{device=\"" dev "\"} 10\n"                       \
	"node_xfs_extent_allocation_blocks_allocated_total{device=\"" dev "\"} 8720\n"             \
	"node_xfs_extent_allocation_blocks_freed_total{device=\"" dev "\"} 96\n"                   \
	"node_xfs_extent_allocation_extents_allocated_total{device=\"" dev "\"} 10\n"              \
	"node_xfs_extent_allocation_extents_freed_total{device=\"" dev "\"} 3\n"                   \
	"node_xfs_inode_operation_attempts_total{device=\"" dev "\"} 50\n"                         \
	"node_xfs_inode_operation_attribute_changes_total{device=\"" dev "\"} 7\n"                 \
	"node_xfs_inode_operation_duplicates_total{device=\"" dev "\"} 2\n"                        \
	"node_xfs_inode_operation_found_total{device=\"" dev "\"} 10\n"                            \
	"node_xfs_inode_operation_missed_total{device=\"" dev "\"} 40\n"                           \
	"node_xfs_inode_operation_reclaims_total{device=\"" dev "\"} 3\n"                          \
	"node_xfs_inode_operation_recycled_total{device=\"" dev "\"} 1\n"                          \
	"node_xfs_read_calls_total{device=\"" dev "\"} " b "\n"                                    \
	"node_xfs_vnode_active_total{device=\"" dev "\"} 4\n"                                      \
	"node_xfs_vnode_allocate_total{device=\"" dev "\"} 5\n"                                    \
	"node_xfs_vnode_get_total{device=\"" dev "\"} 6\n"                                         \
	"node_xfs_vnode_hold_total{device=\"" dev "\"} 7\n"                                        \
	"node_xfs_vnode_reclaim_total{device=\"" dev "\"} 9\n"                                     \
	"node_xfs_vnode_release_total{device=\"" dev "\"} 8\n"                                     \
	"node_xfs_vnode_remove_total{device=\"" dev "\"} 10\n"                                     \
	"node_xfs_write_calls_total{device=\"" dev "\"} " a "\n"

static const struct collector_case cases[] = {
	{ "full stats file; rw holds write calls first", { { "sys/fs/xfs/nvme0n1p2/stats/stats", STATS } },
	  .expect = ALL_FOR("nvme0n1p2", "280", "17") },
	{ "two devices, old kernel with 7 vnode values",
	  { { "sys/fs/xfs/dm-0/stats/stats", STATS },
	    { "sys/fs/xfs/sda1/stats/stats", "extent_alloc 1 872 0 0\nvnodes 4 0 0 0 1 1 1\nrw 28 0\n" } },
	  .expect = "node_xfs_allocation_btree_compares_total{device=\"dm-0\"} 0\n"
		    "node_xfs_allocation_btree_compares_total{device=\"sda1\"} 0\n" },
	{ "no xfs directory", { { "sys", NULL } }, .expect = "" },
	{ "directory without stats (the global stats directory has no device)",
	  { { "sys/fs/xfs/stats/stats", STATS }, { "sys/fs/xfs/sdb", NULL } },
	  .expect = "" },
	{ "wrong number of values", { { "sys/fs/xfs/sda1/stats/stats", "extent_alloc 1 2 3\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "32-bit counter out of range", { { "sys/fs/xfs/sda1/stats/stats", "abt 4294967296 0 0 0\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "garbage in an unknown line fails too", { { "sys/fs/xfs/sda1/stats/stats", "newline x\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "bad device does not hide a good one",
	  { { "sys/fs/xfs/sda1/stats/stats", "dir 1 2\n" }, { "sys/fs/xfs/sdb1/stats/stats", "dir 1 2 3 4\n" } },
	  .expect = "node_xfs_directory_operation_lookup_total{device=\"sdb1\"} 1\n", .expect_fail = 1 },
	{ "empty file and label-only lines give zeros",
	  { { "sys/fs/xfs/sda1/stats/stats", "extent_alloc\n\n" } },
	  .expect = "node_xfs_extent_allocation_blocks_allocated_total{device=\"sda1\"} 0\n" },
	{ "truncated last line without newline", { { "sys/fs/xfs/sda1/stats/stats", "rw 5 6" } },
	  .expect = "node_xfs_read_calls_total{device=\"sda1\"} 6\nnode_xfs_write_calls_total{device=\"sda1\"} 5\n" },
};

/* Keeps only lines containing filter (the cases above check a subset of the 39 families). */
static const char *filters[] = { NULL, "allocation_btree_compares", NULL, NULL, NULL, NULL, NULL,
				 "directory_operation_lookup", "extent_allocation_blocks_allocated", "_calls_" };

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t nf = 0;
		while (nf < TEST_MAX_FILES && cases[i].files[nf].path)
			nf++;
		if (!test_make_root(cases[i].files, nf)) {
			CHECK(0);
			continue;
		}
		int r = test_run_collector(&collector_xfs, &out);
		test_keep_samples(&out, filters[i] ? filters[i] : "node_");
		if ((r < 0) != (cases[i].expect_fail != 0))
			fprintf(stderr, "case '%s': rc %d (%s)\n", cases[i].name, r, test_last_error);
		CHECK((r < 0) == (cases[i].expect_fail != 0));
		CHECK_STR(out.p ? out.p : "", cases[i].expect);
	}
	test_remove_root();

	/* HELP text of a family whose name differs from its help wording. */
	const struct tfile one[] = { { "sys/fs/xfs/sda1/stats/stats", STATS } };
	test_make_root(one, 1);
	test_run_collector(&collector_xfs, &out);
	CHECK(strstr(out.p, "# HELP node_xfs_directory_operation_remove_total Number of times an existing directory "
			    "entry was created for a filesystem.\n# TYPE node_xfs_directory_operation_remove_total "
			    "counter\n") != NULL);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
