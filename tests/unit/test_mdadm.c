#include "harness.h"

extern const struct collector collector_mdadm;

/* A host with a healthy mirror, a degraded RAID5 being rebuilt, a RAID6 with a bitmap being checked, a
 * stripe, a linear array, an array waiting for resync, an inactive container and a read-only mirror. */
static const char mdstat[] =
	"Personalities : [raid1] [raid6] [raid5] [raid4] [raid0] [linear]\n"
	"md1 : active raid1 sdb2[1] sda2[0]\n"
	"      976630464 blocks super 1.2 [2/2] [UU]\n"
	"      bitmap: 2/8 pages [8KB], 65536KB chunk\n"
	"\n"
	"md2 : active raid5 sde1[4] sdd1[2](F) sdc1[1] sdf1[3](S)\n"
	"      5860267008 blocks super 1.2 level 5, 512k chunk, algorithm 2 [3/2] [U_U]\n"
	"      [==>..................]  recovery = 12.6% (369612800/2930133504) finish=300.1min speed=142185K/sec\n"
	"\n"
	"md3 : active raid6 sdg[0] sdh[1] sdi[2] sdj[3]\n"
	"      3906764800 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/4] [UUUU]\n"
	"      bitmap: 0/15 pages [0KB], 65536KB chunk\n"
	"      [>....................]  check =  0.4% (8192000/1953382400) finish=220.2min speed=147100K/sec\n"
	"\n"
	"md4 : active raid0 nvme0n1p3[0] nvme1n1p3[1]\n"
	"      1953253376 blocks super 1.2 512k chunks\n"
	"\n"
	"md5 : active linear sdk1[0] sdl1[1] sdm1[2]\n"
	"      2929893376 blocks super 1.2 0k rounding\n"
	"\n"
	"md6 : active raid1 sdn1[1] sdo1[0]\n"
	"      1048512 blocks [2/2] [UU]\n"
	"      \tresync=PENDING\n"
	"\n"
	"md7 : active raid10 sdp[0] sdq[1] sdr[2] sds[3]\n"
	"      209584128 blocks super 1.2 512K chunks 2 near-copies [4/4] [UUUU]\n"
	"      [=====>...............]  resync = 27.3% (57215360/209584128) finish=12.1min speed=209120K/sec\n"
	"\n"
	"md125 : inactive sdt[1](S) sdu[0](S)\n"
	"      10402 blocks super external:imsm\n"
	"\n"
	"md126 : active (auto-read-only) raid1 sdv1[0] sdw1[1]\n"
	"      524224 blocks super 1.0 [2/2] [UU]\n"
	"      resync=DELAYED\n"
	"\n"
	"unused devices: <none>\n";

#define BLOCKS \
	"node_md_blocks{device=\"md1\"} 9.76630464e+08\n" \
	"node_md_blocks{device=\"md125\"} 10402\n" \
	"node_md_blocks{device=\"md126\"} 524224\n" \
	"node_md_blocks{device=\"md2\"} 5.860267008e+09\n" \
	"node_md_blocks{device=\"md3\"} 3.9067648e+09\n" \
	"node_md_blocks{device=\"md4\"} 1.953253376e+09\n" \
	"node_md_blocks{device=\"md5\"} 2.929893376e+09\n" \
	"node_md_blocks{device=\"md6\"} 1.048512e+06\n" \
	"node_md_blocks{device=\"md7\"} 2.09584128e+08\n"
#define SYNCED \
	"node_md_blocks_synced{device=\"md1\"} 9.76630464e+08\n" \
	"node_md_blocks_synced{device=\"md125\"} 10402\n" \
	"node_md_blocks_synced{device=\"md126\"} 0\n" \
	"node_md_blocks_synced{device=\"md2\"} 3.696128e+08\n" \
	"node_md_blocks_synced{device=\"md3\"} 8.192e+06\n" \
	"node_md_blocks_synced{device=\"md4\"} 1.953253376e+09\n" \
	"node_md_blocks_synced{device=\"md5\"} 2.929893376e+09\n" \
	"node_md_blocks_synced{device=\"md6\"} 0\n" \
	"node_md_blocks_synced{device=\"md7\"} 5.721536e+07\n"
#define DISKS \
	"node_md_disks{device=\"md1\",state=\"active\"} 2\n" \
	"node_md_disks{device=\"md1\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md1\",state=\"spare\"} 0\n" \
	"node_md_disks{device=\"md125\",state=\"active\"} 0\n" \
	"node_md_disks{device=\"md125\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md125\",state=\"spare\"} 2\n" \
	"node_md_disks{device=\"md126\",state=\"active\"} 2\n" \
	"node_md_disks{device=\"md126\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md126\",state=\"spare\"} 0\n" \
	"node_md_disks{device=\"md2\",state=\"active\"} 2\n" \
	"node_md_disks{device=\"md2\",state=\"failed\"} 1\n" \
	"node_md_disks{device=\"md2\",state=\"spare\"} 1\n" \
	"node_md_disks{device=\"md3\",state=\"active\"} 4\n" \
	"node_md_disks{device=\"md3\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md3\",state=\"spare\"} 0\n" \
	"node_md_disks{device=\"md4\",state=\"active\"} 2\n" \
	"node_md_disks{device=\"md4\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md4\",state=\"spare\"} 0\n" \
	"node_md_disks{device=\"md5\",state=\"active\"} 3\n" \
	"node_md_disks{device=\"md5\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md5\",state=\"spare\"} 0\n" \
	"node_md_disks{device=\"md6\",state=\"active\"} 2\n" \
	"node_md_disks{device=\"md6\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md6\",state=\"spare\"} 0\n" \
	"node_md_disks{device=\"md7\",state=\"active\"} 4\n" \
	"node_md_disks{device=\"md7\",state=\"failed\"} 0\n" \
	"node_md_disks{device=\"md7\",state=\"spare\"} 0\n"
#define REQUIRED \
	"node_md_disks_required{device=\"md1\"} 2\n" \
	"node_md_disks_required{device=\"md125\"} 0\n" \
	"node_md_disks_required{device=\"md126\"} 2\n" \
	"node_md_disks_required{device=\"md2\"} 3\n" \
	"node_md_disks_required{device=\"md3\"} 4\n" \
	"node_md_disks_required{device=\"md4\"} 2\n" \
	"node_md_disks_required{device=\"md5\"} 3\n" \
	"node_md_disks_required{device=\"md6\"} 2\n" \
	"node_md_disks_required{device=\"md7\"} 4\n"

/* node_md_state lines for one device in a given state. */
#define STATE(d, a, i, rec, res, chk)                                                                           \
	"node_md_state{device=\"" d "\",state=\"active\"} " #a "\n"                                              \
	"node_md_state{device=\"" d "\",state=\"check\"} " #chk "\n"                                             \
	"node_md_state{device=\"" d "\",state=\"inactive\"} " #i "\n"                                            \
	"node_md_state{device=\"" d "\",state=\"recovering\"} " #rec "\n"                                        \
	"node_md_state{device=\"" d "\",state=\"resync\"} " #res "\n"

#define STATES \
	STATE("md1", 1, 0, 0, 0, 0) STATE("md125", 0, 1, 0, 0, 0) STATE("md126", 0, 0, 0, 1, 0) STATE("md2", 0, 0, 1, 0, 0) \
	STATE("md3", 0, 0, 0, 0, 1) STATE("md4", 1, 0, 0, 0, 0) STATE("md5", 1, 0, 0, 0, 0) STATE("md6", 0, 0, 0, 1, 0) \
	STATE("md7", 0, 0, 0, 1, 0)

#define MD(dev, f, v) { "sys/block/" dev "/md/" f, v }
/* sysfs for md1 (raid1, complete) and md4 (raid0). */
#define SYSFS_MD                                                                                                   \
	MD("md1", "level", "raid1\n"), MD("md1", "array_state", "clean\n"), MD("md1", "metadata_version", "1.2\n"),  \
		MD("md1", "raid_disks", "2\n"), MD("md1", "uuid", "3b1a7c55-2d1e-4f3a-9c8b-7e6d5c4b3a21\n"),          \
		MD("md1", "dev-sda2/state", "in_sync\n"), MD("md1", "dev-sdb2/state", "in_sync,write_error\n"),        \
		MD("md1", "degraded", "0\n"), MD("md1", "sync_action", "idle\n"), MD("md1", "sync_completed", "none\n"), \
		MD("md4", "level", "raid0\n"), MD("md4", "array_state", "clean\n"), MD("md4", "metadata_version", "1.2\n"), \
		MD("md4", "raid_disks", "2\n"), MD("md4", "uuid", "aa11bb22-cc33-dd44-ee55-ff6677889900\n"),          \
		MD("md4", "dev-nvme0n1p3/state", "in_sync\n"), MD("md4", "chunk_size", "524288\n"),                    \
		{ "sys/block/sda/size", "100\n" }

static const struct collector_case cases[] = {
	{ "mdstat and sysfs", { { "proc/mdstat", mdstat }, SYSFS_MD },
	  .expect = BLOCKS SYNCED "node_md_degraded{device=\"md1\"} 0\nnode_md_degraded{device=\"md4\"} 0\n" DISKS REQUIRED
		  "node_md_raid_disks{device=\"md1\"} 2\nnode_md_raid_disks{device=\"md4\"} 2\n" STATES },
	{ "sysfs: a raid5 without sync_action is no data, the mdstat families stay",
	  { { "proc/mdstat", mdstat }, SYSFS_MD, MD("md2", "level", "raid5\n"), MD("md2", "array_state", "active\n"),
	    MD("md2", "metadata_version", "1.2\n"), MD("md2", "raid_disks", "3\n"), MD("md2", "uuid", "x\n"),
	    MD("md2", "chunk_size", "65536\n"), MD("md2", "degraded", "1\n") },
	  .expect = BLOCKS SYNCED DISKS REQUIRED STATES, .expect_fail = 1 },
	{ "sysfs: a sync in progress", { { "proc/mdstat", "" }, MD("md2", "level", "raid5\n"), MD("md2", "array_state", "active\n"),
					   MD("md2", "metadata_version", "1.2\n"), MD("md2", "raid_disks", "3\n"),
					   MD("md2", "uuid", "x\n"), MD("md2", "chunk_size", "65536\n"), MD("md2", "degraded", "1\n"),
					   MD("md2", "sync_action", "recover\n"), MD("md2", "sync_completed", "739225600 / 5860267008\n") },
	  .expect = "node_md_degraded{device=\"md2\"} 1\nnode_md_raid_disks{device=\"md2\"} 3\n" },
	{ "no arrays", { { "proc/mdstat", "Personalities : \nunused devices: <none>\n" } }, .expect = "" },
	{ "entry without enough lines", { { "proc/mdstat", "md9 : active raid1 sda[0] sdb[1]\n      100 blocks [2/2] [UU]\n" } },
	  .expect_fail = 1 },
	{ "status line without [n/m]",
	  { { "proc/mdstat", "md9 : active raid1 sda[0] sdb[1]\n      100 blocks\n\nunused devices: <none>\n" } },
	  .expect_fail = 1 },
	{ "size that is not a number",
	  { { "proc/mdstat", "md9 : active raid1 sda[0] sdb[1]\n      many blocks [2/2] [UU]\n\nunused devices: <none>\n" } },
	  .expect_fail = 1 },
	{ "recovery line without its numbers",
	  { { "proc/mdstat", "md9 : active raid1 sda[0] sdb[1]\n      100 blocks [2/1] [U_]\n      recovery = 5%\n\nunused devices: <none>\n" } },
	  .expect_fail = 1 },
	{ "device line with too few fields", { { "proc/mdstat", "md9 :\n1\n2\n3\n" } }, .expect_fail = 1 },
	{ "sysfs: unreadable number fails", { { "proc/mdstat", "" }, MD("md0", "level", "raid1\n"),
					       MD("md0", "array_state", "clean\n"), MD("md0", "metadata_version", "1.2\n"),
					       MD("md0", "raid_disks", "two\n"), MD("md0", "uuid", "u\n") },
	  .expect_fail = 1 },
	{ "no mdstat", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

/* Which failures are "no data" (success 0, debug log only) rather than errors. */
static void check_no_data(const struct tfile *files, size_t n, int want)
{
	struct strbuf out = { 0 };

	CHECK(test_make_root(files, n) != NULL);
	CHECK_INT(test_run_collector(&collector_mdadm, &out), want);
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_mdadm, cases, ARRAY_SIZE(cases));
	struct tfile none[] = { { "proc", NULL } };
	check_no_data(none, 1, COLLECTOR_NO_DATA);
	struct tfile missing_sync[] = { { "proc/mdstat", "" }, MD("md2", "level", "raid5\n"), MD("md2", "array_state", "x\n"),
					MD("md2", "metadata_version", "1.2\n"), MD("md2", "raid_disks", "3\n"),
					MD("md2", "uuid", "x\n"), MD("md2", "chunk_size", "1\n"), MD("md2", "degraded", "1\n") };
	check_no_data(missing_sync, ARRAY_SIZE(missing_sync), COLLECTOR_NO_DATA);
	struct tfile bad_number[] = { { "proc/mdstat", "" }, MD("md0", "level", "raid1\n"), MD("md0", "array_state", "x\n"),
				      MD("md0", "metadata_version", "1.2\n"), MD("md0", "raid_disks", "two\n"),
				      MD("md0", "uuid", "u\n") };
	check_no_data(bad_number, ARRAY_SIZE(bad_number), -EINVAL);
	test_remove_root();
	return test_summary(argv[0]);
}
