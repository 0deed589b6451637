#include "harness.h"

extern const struct collector collector_btrfs;

#define FS "sys/fs/btrfs/4b2b5a3e-2c77-4e6b-9a07-3cf7d1e2b1a0/"
#define U "uuid=\"4b2b5a3e-2c77-4e6b-9a07-3cf7d1e2b1a0\""

/* Two devices in raid1 for metadata and system, single for data. */
#define FS_FILES                                                                                   \
	{ FS "label", "home\n" }, { FS "metadata_uuid", "4b2b5a3e-2c77-4e6b-9a07-3cf7d1e2b1a0\n" },  \
		{ FS "features/extended_iref", "0\n" }, { FS "devices/nvme0n1p3/size", "976773168\n" }, \
		{ FS "devices/sda2/size", "976773120\n" }, { FS "allocation/global_rsv_size", "536870912\n" }, \
		{ FS "allocation/data/bytes_reserved", "0\n" },                                    \
		{ FS "allocation/data/single/total_bytes", "429496729600\n" },                     \
		{ FS "allocation/data/single/used_bytes", "398458880000\n" },                      \
		{ FS "allocation/metadata/bytes_reserved", "1179648\n" },                          \
		{ FS "allocation/metadata/raid1/total_bytes", "8589934592\n" },                    \
		{ FS "allocation/metadata/raid1/used_bytes", "4294967296\n" },                     \
		{ FS "allocation/system/bytes_reserved", "0\n" },                                  \
		{ FS "allocation/system/raid1/total_bytes", "33554432\n" },                        \
		{ FS "allocation/system/raid1/used_bytes", "65536\n" },                            \
	{                                                                                          \
		FS "commit_stats", "commits 70214\nlast_commit_ms 34\nmax_commit_ms 2213\ntotal_commit_ms 3920517\n" \
	}

#define FS_EXPECT                                                                                  \
	"node_btrfs_allocation_ratio{block_group_type=\"data\",mode=\"single\"," U "} 1\n"         \
	"node_btrfs_allocation_ratio{block_group_type=\"metadata\",mode=\"raid1\"," U "} 2\n"      \
	"node_btrfs_allocation_ratio{block_group_type=\"system\",mode=\"raid1\"," U "} 2\n"        \
	"node_btrfs_commit_seconds_total{" U "} 3920.517\n"                                        \
	"node_btrfs_commits_total{" U "} 70214\n"                                                  \
	"node_btrfs_device_size_bytes{device=\"nvme0n1p3\"," U "} 5.00107862016e+11\n"             \
	"node_btrfs_device_size_bytes{device=\"sda2\"," U "} 5.0010783744e+11\n"                   \
	"node_btrfs_global_rsv_size_bytes{" U "} 5.36870912e+08\n"                                 \
	"node_btrfs_info{label=\"home\"," U "} 1\n"                                                \
	"node_btrfs_last_commit_seconds{" U "} 0.034\n"                                            \
	"node_btrfs_max_commit_seconds{" U "} 2.213\n"                                             \
	"node_btrfs_reserved_bytes{block_group_type=\"data\"," U "} 0\n"                           \
	"node_btrfs_reserved_bytes{block_group_type=\"metadata\"," U "} 1.179648e+06\n"            \
	"node_btrfs_reserved_bytes{block_group_type=\"system\"," U "} 0\n"                         \
	"node_btrfs_size_bytes{block_group_type=\"data\",mode=\"single\"," U "} 4.294967296e+11\n" \
	"node_btrfs_size_bytes{block_group_type=\"metadata\",mode=\"raid1\"," U "} 8.589934592e+09\n" \
	"node_btrfs_size_bytes{block_group_type=\"system\",mode=\"raid1\"," U "} 3.3554432e+07\n"  \
	"node_btrfs_used_bytes{block_group_type=\"data\",mode=\"single\"," U "} 3.9845888e+11\n"   \
	"node_btrfs_used_bytes{block_group_type=\"metadata\",mode=\"raid1\"," U "} 4.294967296e+09\n" \
	"node_btrfs_used_bytes{block_group_type=\"system\",mode=\"raid1\"," U "} 65536\n"

/* The minimum a filesystem directory needs: devices, features and the three allocation directories. */
#define SKELETON(fs)                                                                               \
	{ fs "devices", NULL }, { fs "features", NULL }, { fs "allocation/data", NULL },            \
		{ fs "allocation/metadata", NULL }, { fs "allocation/system", NULL }

static const struct collector_case cases[] = {
	{ "filesystem with two devices", { FS_FILES }, .expect = FS_EXPECT },
	{ "a mount point listed in mountinfo that is not btrfs: sizes from sysfs",
	  { FS_FILES, { "proc/1/mountinfo", "29 1 0:27 / /home rw,relatime shared:1 - btrfs /dev/sda2 rw,space_cache=v2\n" },
	    { "home", NULL } },
	  .needle = "device_", .expect = "node_btrfs_device_size_bytes{device=\"nvme0n1p3\"," U "} 5.00107862016e+11\n"
					  "node_btrfs_device_size_bytes{device=\"sda2\"," U "} 5.0010783744e+11\n" },
	{ "no metadata_uuid: the directory name is the uuid; no commit_stats: zeros",
	  { SKELETON("sys/fs/btrfs/11111111-2222-3333-4444-555555555555/") }, .needle = "commit",
	  .expect = "node_btrfs_commit_seconds_total{uuid=\"11111111-2222-3333-4444-555555555555\"} 0\n"
		    "node_btrfs_commits_total{uuid=\"11111111-2222-3333-4444-555555555555\"} 0\n"
		    "node_btrfs_last_commit_seconds{uuid=\"11111111-2222-3333-4444-555555555555\"} 0\n"
		    "node_btrfs_max_commit_seconds{uuid=\"11111111-2222-3333-4444-555555555555\"} 0\n" },
	{ "ratios for raid5, raid6 and raid1c3 with four devices",
	  { SKELETON(FS), { FS "devices/a/size", "1\n" }, { FS "devices/b/size", "1\n" }, { FS "devices/c/size", "1\n" },
	    { FS "devices/d/size", "1\n" }, { FS "allocation/data/raid5", NULL }, { FS "allocation/metadata/raid6", NULL },
	    { FS "allocation/system/raid1c3", NULL } },
	  .needle = "ratio",
	  .expect = "node_btrfs_allocation_ratio{block_group_type=\"data\",mode=\"raid5\"," U "} 1.3333333333333333\n"
		    "node_btrfs_allocation_ratio{block_group_type=\"metadata\",mode=\"raid6\"," U "} 2\n"
		    "node_btrfs_allocation_ratio{block_group_type=\"system\",mode=\"raid1c3\"," U "} 0\n" },
	{ "missing files read as zero", { SKELETON(FS), { FS "allocation/data/dup", NULL } }, .needle = "mode=\"dup\"",
	  .expect = "node_btrfs_allocation_ratio{block_group_type=\"data\",mode=\"dup\"," U "} 2\n"
		    "node_btrfs_size_bytes{block_group_type=\"data\",mode=\"dup\"," U "} 0\n"
		    "node_btrfs_used_bytes{block_group_type=\"data\",mode=\"dup\"," U "} 0\n" },
	{ "filesystem without devices directory is skipped",
	  { { FS "features", NULL }, { FS "allocation/data", NULL }, { FS "allocation/metadata", NULL },
	    { FS "allocation/system", NULL } },
	  .expect = "", .expect_fail = 1 },
	{ "unparsable value is not exported", { FS_FILES, { FS "allocation/data/single/used_bytes", "n/a\n" } },
	  .needle = "mode=\"single\"",
	  .expect = "node_btrfs_allocation_ratio{block_group_type=\"data\",mode=\"single\"," U "} 1\n"
		    "node_btrfs_size_bytes{block_group_type=\"data\",mode=\"single\"," U "} 4.294967296e+11\n",
	  .expect_fail = 1 },
	{ "bad commit_stats line", { FS_FILES, { FS "commit_stats", "commits 1 2\n" } }, .needle = "commit",
	  .expect = "", .expect_fail = 1 },
	{ "huge device size", { SKELETON(FS), { FS "devices/sdx/size", "36028797018963967\n" } }, .needle = "device",
	  .expect = "node_btrfs_device_size_bytes{device=\"sdx\"," U "} 1.8446744073709552e+19\n" },
	{ "no btrfs", { { "sys", NULL } }, .expect = "" },
	{ "entries without a dash are not filesystems", { { "sys/fs/btrfs/features/raid56", "0\n" } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_btrfs, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
