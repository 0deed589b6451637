#include "harness.h"

extern const struct collector collector_bcache;

#define SET "sys/fs/bcache/5d0f1c9e-26a3-4f1b-9c55-3e4d2f0a7b11/"
#define BDEV "sys/devices/virtual/block/sdb/bcache/"
#define CACHE "sys/devices/virtual/block/nvme0n1/bcache/"
#define UUID "uuid=\"5d0f1c9e-26a3-4f1b-9c55-3e4d2f0a7b11\""

/* A cache set with one backing device (sdb) and one cache device (nvme0n1), linked as in sysfs. */
#define SET_ATTRS                                                                                  \
	{ SET "average_key_size", "38.5k\n" }, { SET "btree_cache_size", "12.0M\n" },              \
		{ SET "cache_available_percent", "87\n" }, { SET "congested", "0\n" },             \
		{ SET "root_usage_percent", "3\n" }, { SET "tree_depth", "1\n" },                  \
		{ SET "internal/active_journal_entries", "5\n" }, { SET "internal/btree_nodes", "41\n" }, \
		{ SET "internal/btree_read_average_duration_us", "2114\n" },                       \
	{                                                                                          \
		SET "internal/cache_read_races", "2\n"                                             \
	}

/* Humanized values decode as node_exporter does: "38.5k" is (38 + 5/10.24) * 1024 = 39412. */
#define SET_FILES                                                                                  \
	SET_ATTRS, { SET "stats_total/cache_hits", "1\n" },                                        \
		{ SET "bdev0", "->../../../devices/virtual/block/sdb/bcache" },                    \
		{ SET "cache0", "->../../../devices/virtual/block/nvme0n1/bcache" },               \
		{ BDEV "dirty_data", "1.5G\n" },                                                   \
		{ BDEV "writeback_rate_debug", "rate:\t\t4.0k/sec\ndirty:\t\t1.5G\ntarget:\t\t2.4G\n"     \
					       "proportional:\t-12.5k\nintegral:\t90.2k\nchange:\t\t-1.0k/sec\n" \
					       "next io:\t-1234ms\n" },                            \
		{ BDEV "stats_total/bypassed", "20.2M\n" }, { BDEV "stats_total/cache_hits", "98765\n" }, \
		{ BDEV "stats_total/cache_misses", "4321\n" },                                     \
		{ BDEV "stats_total/cache_bypass_hits", "7\n" },                                   \
		{ BDEV "stats_total/cache_bypass_misses", "9\n" },                                 \
		{ BDEV "stats_total/cache_miss_collisions", "1\n" },                               \
		{ BDEV "stats_total/cache_readaheads", "0\n" }, { CACHE "io_errors", "0\n" },      \
		{ CACHE "metadata_written", "3.6G\n" }, { CACHE "written", "1.2T\n" },             \
	{                                                                                          \
		CACHE "priority_stats", "Unused:\t\t61%\nClean:\t\t30%\nDirty:\t\t6%\nMetadata:\t3%\n" \
					"Average:\t1157\nSectors per Q:\t3907248\nQuantiles:\t[1 2 3]\n" \
	}

#define SET_EXPECT                                                                                 \
	"node_bcache_active_journal_entries{" UUID "} 5\n"                                         \
	"node_bcache_average_key_size_sectors{" UUID "} 39412\n"                                   \
	"node_bcache_btree_cache_size_bytes{" UUID "} 1.2582912e+07\n"                             \
	"node_bcache_btree_nodes{" UUID "} 41\n"                                                   \
	"node_bcache_btree_read_average_duration_seconds{" UUID "} 2.114e-06\n"                    \
	"node_bcache_bypassed_bytes_total{backing_device=\"bdev0\"," UUID "} 2.117632e+07\n"      \
	"node_bcache_cache_available_percent{" UUID "} 87\n"                                       \
	"node_bcache_cache_bypass_hits_total{backing_device=\"bdev0\"," UUID "} 7\n"               \
	"node_bcache_cache_bypass_misses_total{backing_device=\"bdev0\"," UUID "} 9\n"             \
	"node_bcache_cache_hits_total{backing_device=\"bdev0\"," UUID "} 98765\n"                  \
	"node_bcache_cache_miss_collisions_total{backing_device=\"bdev0\"," UUID "} 1\n"           \
	"node_bcache_cache_misses_total{backing_device=\"bdev0\"," UUID "} 4321\n"                 \
	"node_bcache_cache_read_races_total{" UUID "} 2\n"                                         \
	"node_bcache_congested{" UUID "} 0\n"                                                      \
	"node_bcache_dirty_data_bytes{backing_device=\"bdev0\"," UUID "} 1.598029824e+09\n"        \
	"node_bcache_dirty_target_bytes{backing_device=\"bdev0\"," UUID "} 2.566914048e+09\n"     \
	"node_bcache_io_errors{cache_device=\"cache0\"," UUID "} 0\n"                              \
	"node_bcache_metadata_written_bytes_total{cache_device=\"cache0\"," UUID "} 3.850371072e+09\n" \
	"node_bcache_root_usage_percent{" UUID "} 3\n"                                             \
	"node_bcache_tree_depth{" UUID "} 1\n"                                                     \
	"node_bcache_writeback_change{backing_device=\"bdev0\"," UUID "} -1024\n"                  \
	"node_bcache_writeback_rate{backing_device=\"bdev0\"," UUID "} 4096\n"                     \
	"node_bcache_writeback_rate_integral_term{backing_device=\"bdev0\"," UUID "} 92360\n"      \
	"node_bcache_writeback_rate_proportional_term{backing_device=\"bdev0\"," UUID "} -12788\n" \
	"node_bcache_written_bytes_total{cache_device=\"cache0\"," UUID "} 1.314259992576e+12\n"

static const struct collector_case cases[] = {
	{ "cache set, backing and cache device through sysfs links", { SET_FILES }, .expect = SET_EXPECT },
	{ "priority stats with the flag", { SET_FILES }, .args = { "--collector.bcache.priorityStats" },
	  .needle = "priority",
	  .expect = "node_bcache_priority_stats_metadata_percent{cache_device=\"cache0\"," UUID "} 3\n"
		    "node_bcache_priority_stats_unused_percent{cache_device=\"cache0\"," UUID "} 61\n" },
	{ "no bcache", { { "sys", NULL } }, .expect = "" },
	{ "readaheads are exported when non-zero",
	  { { SET "average_key_size", "0\n" }, { SET "btree_cache_size", "0\n" },
	    { SET "cache_available_percent", "100\n" }, { SET "congested", "0\n" }, { SET "root_usage_percent", "0\n" },
	    { SET "tree_depth", "0\n" }, { SET "internal/active_journal_entries", "1\n" },
	    { SET "internal/btree_nodes", "0\n" }, { SET "internal/btree_read_average_duration_us", "0\n" },
	    { SET "internal/cache_read_races", "0\n" }, { SET "bdev1/dirty_data", "0\n" },
	    { SET "bdev1/writeback_rate_debug", "rate: 512/sec\n" }, { SET "bdev1/stats_total/bypassed", "0\n" },
	    { SET "bdev1/stats_total/cache_hits", "0\n" }, { SET "bdev1/stats_total/cache_misses", "0\n" },
	    { SET "bdev1/stats_total/cache_bypass_hits", "0\n" }, { SET "bdev1/stats_total/cache_bypass_misses", "0\n" },
	    { SET "bdev1/stats_total/cache_miss_collisions", "0\n" },
	    { SET "bdev1/stats_total/cache_readaheads", "13\n" } },
	  .needle = "readahead", .expect = "node_bcache_cache_readaheads_total{backing_device=\"bdev1\"," UUID "} 13\n" },
	{ "malformed cache set attribute skips the set",
	  { { SET "average_key_size", "abc\n" } }, .expect = "", .expect_fail = 1 },
	{ "missing cache set attribute skips the set",
	  { { SET "average_key_size", "1\n" } }, .expect = "", .expect_fail = 1 },
	{ "empty attribute file", { { SET "average_key_size", "" } }, .expect = "", .expect_fail = 1 },
	{ "backing device without writeback_rate_debug is skipped alone",
	  { SET_ATTRS, { SET "bdev0/dirty_data", "0\n" } }, .needle = "tree_depth",
	  .expect = "node_bcache_tree_depth{" UUID "} 1\n", .expect_fail = 1 },
	{ "cache device with a missing file is skipped alone",
	  { SET_ATTRS, { SET "cache0/io_errors", "0\n" }, { SET "cache1/io_errors", "0\n" },
	    { SET "cache1/metadata_written", "1\n" }, { SET "cache1/written", "2\n" } },
	  .needle = "cache_device",
	  .expect = "node_bcache_io_errors{cache_device=\"cache1\"," UUID "} 0\n"
		    "node_bcache_metadata_written_bytes_total{cache_device=\"cache1\"," UUID "} 1\n"
		    "node_bcache_written_bytes_total{cache_device=\"cache1\"," UUID "} 2\n",
	  .expect_fail = 1 },
	{ "bad writeback value", { SET_FILES, { BDEV "writeback_rate_debug", "rate:\t\tfast/sec\n" } },
	  .needle = "writeback", .expect = "", .expect_fail = 1 },
	{ "unknown unit gives zero as in node_exporter",
	  { SET_FILES, { CACHE "written", "1.0Q\n" } }, .needle = "node_bcache_written",
	  .expect = "node_bcache_written_bytes_total{cache_device=\"cache0\"," UUID "} 0\n" },
	{ "value beyond 64 bits", { SET_FILES, { CACHE "written", "2.0Y\n" } }, .needle = "cache_device",
	  .expect = "", .expect_fail = 1 },
	{ "bad priority_stats with the flag", { SET_FILES, { CACHE "priority_stats", "Unused:\t\tlots\n" } },
	  .args = { "--collector.bcache.priorityStats" }, .needle = "cache_device", .expect = "", .expect_fail = 1 },
	{ "directories without a dash are not cache sets", { { "sys/fs/bcache/register", "" } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_bcache, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
