#include "harness.h"

extern const struct collector collector_diskstats;

/* A /proc/diskstats of a small server: a SATA disk with the 20-field format (kernel 5.5+), its partition,
 * an NVMe namespace and partition in the 18-field format, a device-mapper volume, loop/ram/zram devices
 * and an old-style 14-field line. */
static const char diskstats[] =
	"   1       0 ram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	"   7       0 loop0 41 0 836 7 0 0 0 0 0 20 7 0 0 0 0 0 0\n"
	"   8       0 sda 912384 2310 84562390 401233 1288211 901112 99183302 5123002 3 1200345 5599871 1021 0 2084864 331 88112 21003\n"
	"   8       1 sda1 912001 2310 84553270 401002 1288211 901112 99183302 5123002 0 1200100 5599602 1021 0 2084864 331 0 0\n"
	" 259       0 nvme0n1 47114 4 4643973 21650 1078320 43950 39451633 1011053 0 222766 1032546 12 0 1024 4\n"
	" 259       1 nvme0n1p1 1140 0 9370 16 1 0 1 0 0 16 16 0 0 0 0\n"
	" 253       0 dm-0 5991 0 100337 4622 3923 0 50569 115855 0 11325 120477\n"
	" 253       1 zram0 4 0 32 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

#define Q(f, v) { "sys/block/sda/queue/" f, v }
/* Every queue attribute prometheus/procfs reads for sda, so its rotational flag is reported. */
#define SDA_QUEUE                                                                                             \
	Q("add_random", "1\n"), Q("dax", "0\n"), Q("discard_granularity", "0\n"),                             \
		Q("discard_max_hw_bytes", "0\n"), Q("discard_max_bytes", "0\n"), Q("hw_sector_size", "512\n"), \
		Q("io_poll", "0\n"), Q("io_timeout", "30000\n"), Q("iostats", "1\n"),                          \
		Q("logical_block_size", "512\n"), Q("max_hw_sectors_kb", "32767\n"),                          \
		Q("max_integrity_segments", "0\n"), Q("max_sectors_kb", "1280\n"), Q("max_segments", "168\n"), \
		Q("max_segment_size", "65536\n"), Q("minimum_io_size", "512\n"), Q("nomerges", "0\n"),         \
		Q("nr_requests", "64\n"), Q("optimal_io_size", "0\n"), Q("physical_block_size", "512\n"),      \
		Q("read_ahead_kb", "128\n"), Q("rotational", "1\n"), Q("rq_affinity", "1\n"),                  \
		Q("write_same_max_bytes", "0\n"), Q("nr_zones", "0\n"), Q("chunk_sectors", "0\n"), Q("fua", "0\n"), \
		Q("max_discard_segments", "1\n"), Q("write_zeroes_max_bytes", "0\n"), Q("io_poll_delay", "-1\n"),  \
		Q("wbt_lat_usec", "75000\n"), Q("write_cache", "write back\n"), Q("zoned", "none\n"),                \
		Q("scheduler", "[mq-deadline] none\n")

static const char udev_sda[] =
	"S:disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567\n"
	"W:12\n"
	"I:1655131\n"
	"E:ID_ATA=1\n"
	"E:ID_TYPE=disk\n"
	"E:ID_MODEL=WDC_WD40EFRX-68N32N0\n"
	"E:ID_REVISION=82.00A82\n"
	"E:ID_SERIAL=WDC_WD40EFRX-68N32N0_WD-WCC7K1234567\n"
	"E:ID_SERIAL_SHORT=WD-WCC7K1234567\n"
	"E:ID_WWN=0x50014ee2b5a6c7d8\n"
	"E:ID_ATA_WRITE_CACHE=1\n"
	"E:ID_ATA_WRITE_CACHE_ENABLED=1\n"
	"E:ID_ATA_ROTATION_RATE_RPM=5400\n"
	"E:ID_PATH=pci-0000:00:17.0-ata-3\n"
	"E:ID_FS_TYPE=linux_raid_member\n"
	"E:ID_FS_USAGE=raid\n"
	"E:ID_FS_UUID=1f0b2a3c-4d5e-6f70-8192-a3b4c5d6e7f8\n"
	"E:ID_FS_VERSION=1.2\n"
	"G:systemd\n";

static const char udev_nvme[] =
	"E:ID_MODEL=Samsung SSD 980 PRO 1TB\n"
	"E:ID_SERIAL=Samsung_SSD_980_PRO_1TB_S5GXNF0R123456\n"
	"E:ID_REVISION=5B2QGXA7\n"
	"E:ID_PATH=pci-0000:01:00.0-nvme-1\n"
	"E:ID_WWN=eui.002538b111b1c2d3\n"
	"E:SCSI_IDENT_SERIAL=S5GXNF0R123456\n";

static const char udev_dm[] =
	"E:DM_NAME=vg0-data\n"
	"E:DM_UUID=LVM-Xy7dQ2k1pZ9mT4rB8nC3vL6wH0sJ5fG2aQ9eR1tY7uI3oP4sD6fG8hJ0kL2zX5c\n"
	"E:DM_VG_NAME=vg0\n"
	"E:DM_LV_NAME=data\n"
	"E:ID_FS_TYPE=ext4\n"
	"E:ID_FS_USAGE=filesystem\n"
	"E:ID_FS_UUID=4f1c9a2e-8b7d-4e3f-a1c2-9d8e7f6a5b4c\n"
	"E:ID_FS_VERSION=1.0\n"
	"E:ID_ATA_ROTATION_RATE_RPM=7200\n";

static const char expect_full[] =
	"node_disk_ata_rotation_rate_rpm{device=\"sda\"} 5400\n"
	"node_disk_ata_write_cache{device=\"sda\"} 1\n"
	"node_disk_ata_write_cache_enabled{device=\"sda\"} 1\n"
	"node_disk_device_mapper_backing_device_info{backing_device=\"nvme0n1p1\",device=\"dm-0\"} 1\n"
	"node_disk_device_mapper_backing_device_info{backing_device=\"sda1\",device=\"dm-0\"} 1\n"
	"node_disk_device_mapper_info{device=\"dm-0\",lv_layer=\"\",lv_name=\"data\",name=\"vg0-data\",uuid=\"LVM-Xy7dQ2k1pZ9mT4rB8nC3vL6wH0sJ5fG2aQ9eR1tY7uI3oP4sD6fG8hJ0kL2zX5c\",vg_name=\"vg0\"} 1\n"
	"node_disk_discard_time_seconds_total{device=\"nvme0n1\"} 0.004\n"
	"node_disk_discard_time_seconds_total{device=\"sda\"} 0.331\n"
	"node_disk_discarded_sectors_total{device=\"nvme0n1\"} 1024\n"
	"node_disk_discarded_sectors_total{device=\"sda\"} 2.084864e+06\n"
	"node_disk_discards_completed_total{device=\"nvme0n1\"} 12\n"
	"node_disk_discards_completed_total{device=\"sda\"} 1021\n"
	"node_disk_discards_merged_total{device=\"nvme0n1\"} 0\n"
	"node_disk_discards_merged_total{device=\"sda\"} 0\n"
	"node_disk_filesystem_info{device=\"dm-0\",type=\"ext4\",usage=\"filesystem\",uuid=\"4f1c9a2e-8b7d-4e3f-a1c2-9d8e7f6a5b4c\",version=\"1.0\"} 1\n"
	"node_disk_filesystem_info{device=\"sda\",type=\"linux_raid_member\",usage=\"raid\",uuid=\"1f0b2a3c-4d5e-6f70-8192-a3b4c5d6e7f8\",version=\"1.2\"} 1\n"
	"node_disk_flush_requests_time_seconds_total{device=\"sda\"} 21.003\n"
	"node_disk_flush_requests_total{device=\"sda\"} 88112\n"
	"node_disk_info{device=\"dm-0\",major=\"253\",minor=\"0\",model=\"\",path=\"\",revision=\"\",rotational=\"0\",serial=\"\",wwn=\"\"} 1\n"
	"node_disk_info{device=\"nvme0n1\",major=\"259\",minor=\"0\",model=\"Samsung SSD 980 PRO 1TB\",path=\"pci-0000:01:00.0-nvme-1\",revision=\"5B2QGXA7\",rotational=\"0\",serial=\"S5GXNF0R123456\",wwn=\"eui.002538b111b1c2d3\"} 1\n"
	"node_disk_info{device=\"sda\",major=\"8\",minor=\"0\",model=\"WDC_WD40EFRX-68N32N0\",path=\"pci-0000:00:17.0-ata-3\",revision=\"82.00A82\",rotational=\"1\",serial=\"WD-WCC7K1234567\",wwn=\"0x50014ee2b5a6c7d8\"} 1\n"
	"node_disk_io_now{device=\"dm-0\"} 0\n"
	"node_disk_io_now{device=\"nvme0n1\"} 0\n"
	"node_disk_io_now{device=\"sda\"} 3\n"
	"node_disk_io_time_seconds_total{device=\"dm-0\"} 11.325000000000001\n"
	"node_disk_io_time_seconds_total{device=\"nvme0n1\"} 222.766\n"
	"node_disk_io_time_seconds_total{device=\"sda\"} 1200.345\n"
	"node_disk_io_time_weighted_seconds_total{device=\"dm-0\"} 120.477\n"
	"node_disk_io_time_weighted_seconds_total{device=\"nvme0n1\"} 1032.546\n"
	"node_disk_io_time_weighted_seconds_total{device=\"sda\"} 5599.871\n"
	"node_disk_read_bytes_total{device=\"dm-0\"} 5.1372544e+07\n"
	"node_disk_read_bytes_total{device=\"nvme0n1\"} 2.377714176e+09\n"
	"node_disk_read_bytes_total{device=\"sda\"} 4.329594368e+10\n"
	"node_disk_read_time_seconds_total{device=\"dm-0\"} 4.622\n"
	"node_disk_read_time_seconds_total{device=\"nvme0n1\"} 21.650000000000002\n"
	"node_disk_read_time_seconds_total{device=\"sda\"} 401.233\n"
	"node_disk_reads_completed_total{device=\"dm-0\"} 5991\n"
	"node_disk_reads_completed_total{device=\"nvme0n1\"} 47114\n"
	"node_disk_reads_completed_total{device=\"sda\"} 912384\n"
	"node_disk_reads_merged_total{device=\"dm-0\"} 0\n"
	"node_disk_reads_merged_total{device=\"nvme0n1\"} 4\n"
	"node_disk_reads_merged_total{device=\"sda\"} 2310\n"
	"node_disk_write_time_seconds_total{device=\"dm-0\"} 115.855\n"
	"node_disk_write_time_seconds_total{device=\"nvme0n1\"} 1011.053\n"
	"node_disk_write_time_seconds_total{device=\"sda\"} 5123.002\n"
	"node_disk_writes_completed_total{device=\"dm-0\"} 3923\n"
	"node_disk_writes_completed_total{device=\"nvme0n1\"} 1.07832e+06\n"
	"node_disk_writes_completed_total{device=\"sda\"} 1.288211e+06\n"
	"node_disk_writes_merged_total{device=\"dm-0\"} 0\n"
	"node_disk_writes_merged_total{device=\"nvme0n1\"} 43950\n"
	"node_disk_writes_merged_total{device=\"sda\"} 901112\n"
	"node_disk_written_bytes_total{device=\"dm-0\"} 2.5891328e+07\n"
	"node_disk_written_bytes_total{device=\"nvme0n1\"} 2.0199236096e+10\n"
	"node_disk_written_bytes_total{device=\"sda\"} 5.0781850624e+10\n";

#define LINE14 "   8       0 sdb 10 1 80 5 20 2 160 9 0 12 14\n"
static const char expect_line14[] =
	"node_disk_info{device=\"sdb\",major=\"8\",minor=\"0\",model=\"\",path=\"\",revision=\"\",rotational=\"0\",serial=\"\",wwn=\"\"} 1\n"
	"node_disk_io_now{device=\"sdb\"} 0\n"
	"node_disk_io_time_seconds_total{device=\"sdb\"} 0.012\n"
	"node_disk_io_time_weighted_seconds_total{device=\"sdb\"} 0.014\n"
	"node_disk_read_bytes_total{device=\"sdb\"} 40960\n"
	"node_disk_read_time_seconds_total{device=\"sdb\"} 0.005\n"
	"node_disk_reads_completed_total{device=\"sdb\"} 10\n"
	"node_disk_reads_merged_total{device=\"sdb\"} 1\n"
	"node_disk_write_time_seconds_total{device=\"sdb\"} 0.009000000000000001\n"
	"node_disk_writes_completed_total{device=\"sdb\"} 20\n"
	"node_disk_writes_merged_total{device=\"sdb\"} 2\n"
	"node_disk_written_bytes_total{device=\"sdb\"} 81920\n";

static const struct collector_case cases[] = {
	{ "full: formats, filter, udev, device mapper, ATA, rotational",
	  { { "proc/diskstats", diskstats },
	    { "udev/b8:0", udev_sda },
	    { "udev/b259:0", udev_nvme },
	    { "udev/b253:0", udev_dm },
	    { "sys/block/dm-0/slaves/sda1", NULL },
	    { "sys/block/dm-0/slaves/nvme0n1p1", NULL },
	    { "sys/block/nvme0n1/queue/rotational", "0\n" },
	    SDA_QUEUE },
	  .expect = expect_full },
	{ "14-field line", { { "proc/diskstats", LINE14 } }, .expect = expect_line14 },
	{ "rotational needs every queue attribute",
	  { { "proc/diskstats", LINE14 }, { "sys/block/sdb/queue/rotational", "1\n" } },
	  .expect = expect_line14 },
	{ "device-include with an empty exclude",
	  { { "proc/diskstats", diskstats } },
	  { "--collector.diskstats.device-exclude=", "--collector.diskstats.device-include=^loop\\d+$" },
	  .expect = "node_disk_discard_time_seconds_total{device=\"loop0\"} 0\n"
		    "node_disk_discarded_sectors_total{device=\"loop0\"} 0\n"
		    "node_disk_discards_completed_total{device=\"loop0\"} 0\n"
		    "node_disk_discards_merged_total{device=\"loop0\"} 0\n"
		    "node_disk_flush_requests_time_seconds_total{device=\"loop0\"} 0\n"
		    "node_disk_flush_requests_total{device=\"loop0\"} 0\n"
		    "node_disk_info{device=\"loop0\",major=\"7\",minor=\"0\",model=\"\",path=\"\",revision=\"\",rotational=\"0\",serial=\"\",wwn=\"\"} 1\n"
		    "node_disk_io_now{device=\"loop0\"} 0\n"
		    "node_disk_io_time_seconds_total{device=\"loop0\"} 0.02\n"
		    "node_disk_io_time_weighted_seconds_total{device=\"loop0\"} 0.007\n"
		    "node_disk_read_bytes_total{device=\"loop0\"} 428032\n"
		    "node_disk_read_time_seconds_total{device=\"loop0\"} 0.007\n"
		    "node_disk_reads_completed_total{device=\"loop0\"} 41\n"
		    "node_disk_reads_merged_total{device=\"loop0\"} 0\n"
		    "node_disk_write_time_seconds_total{device=\"loop0\"} 0\n"
		    "node_disk_writes_completed_total{device=\"loop0\"} 0\n"
		    "node_disk_writes_merged_total{device=\"loop0\"} 0\n"
		    "node_disk_written_bytes_total{device=\"loop0\"} 0\n" },
	{ "deprecated ignored-devices", { { "proc/diskstats", LINE14 "   8      16 sdc 1 0 8 1 0 0 0 0 0 1 1\n" } },
	  { "--collector.diskstats.ignored-devices=^sdc$" },
	  .expect = expect_line14 },
	{ "short lines are skipped", { { "proc/diskstats", "   8       0 sdb 10 1 80\n\n   8 0\n" } }, .expect = "" },
	{ "a malformed number fails the whole file", { { "proc/diskstats", LINE14 "   8      16 sdc 1 0 x 1 0 0 0 0 0 1 1\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "a negative number fails", { { "proc/diskstats", "   8      16 sdc 1 0 -8 1 0 0 0 0 0 1 1\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "an overflowing number fails", { { "proc/diskstats", "   8      16 sdc 18446744073709551616 0 8 1 0 0 0 0 0 1 1\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "missing file", { { "proc", NULL } }, .expect_fail = 1 },
	{ "empty file", { { "proc/diskstats", "" } }, .expect = "" },
	{ "huge values", { { "proc/diskstats", "   8      16 sdc 18446744073709551615 0 36028797018963968 1 0 0 0 0 0 1 1\n" } },
	  .expect = "node_disk_info{device=\"sdc\",major=\"8\",minor=\"16\",model=\"\",path=\"\",revision=\"\",rotational=\"0\",serial=\"\",wwn=\"\"} 1\n"
		    "node_disk_io_now{device=\"sdc\"} 0\n"
		    "node_disk_io_time_seconds_total{device=\"sdc\"} 0.001\n"
		    "node_disk_io_time_weighted_seconds_total{device=\"sdc\"} 0.001\n"
		    "node_disk_read_bytes_total{device=\"sdc\"} 1.8446744073709552e+19\n"
		    "node_disk_read_time_seconds_total{device=\"sdc\"} 0.001\n"
		    "node_disk_reads_completed_total{device=\"sdc\"} 1.8446744073709552e+19\n"
		    "node_disk_reads_merged_total{device=\"sdc\"} 0\n"
		    "node_disk_write_time_seconds_total{device=\"sdc\"} 0\n"
		    "node_disk_writes_completed_total{device=\"sdc\"} 0\n"
		    "node_disk_writes_merged_total{device=\"sdc\"} 0\n"
		    "node_disk_written_bytes_total{device=\"sdc\"} 0\n" },
	{ "udev: serial fallbacks, CRLF, properties without '=', bad ATA value",
	  { { "proc/diskstats", LINE14 },
	    { "udev/b8:0", "E:ID_SERIAL=only-long\r\nE:NOEQUALS\nE:ID_ATA=1\nE:ID_ATA_ROTATION_RATE_RPM=fast\nE:ID_ATA_WRITE_CACHE=0\nE:ID_PATH=p=q\n" } },
	  .expect = "node_disk_ata_write_cache{device=\"sdb\"} 0\n"
		    "node_disk_info{device=\"sdb\",major=\"8\",minor=\"0\",model=\"\",path=\"p=q\",revision=\"\",rotational=\"0\",serial=\"only-long\",wwn=\"\"} 1\n"
		    "node_disk_io_now{device=\"sdb\"} 0\n"
		    "node_disk_io_time_seconds_total{device=\"sdb\"} 0.012\n"
		    "node_disk_io_time_weighted_seconds_total{device=\"sdb\"} 0.014\n"
		    "node_disk_read_bytes_total{device=\"sdb\"} 40960\n"
		    "node_disk_read_time_seconds_total{device=\"sdb\"} 0.005\n"
		    "node_disk_reads_completed_total{device=\"sdb\"} 10\n"
		    "node_disk_reads_merged_total{device=\"sdb\"} 1\n"
		    "node_disk_write_time_seconds_total{device=\"sdb\"} 0.009000000000000001\n"
		    "node_disk_writes_completed_total{device=\"sdb\"} 20\n"
		    "node_disk_writes_merged_total{device=\"sdb\"} 2\n"
		    "node_disk_written_bytes_total{device=\"sdb\"} 81920\n" },
};

/* Flag combinations node_exporter refuses at start-up. */
static void test_flag_errors(void)
{
	static const char *const combos[][2] = {
		{ "collector.diskstats.device-include=^sda$", NULL }, /* with the default exclude */
		{ "collector.diskstats.ignored-devices=^sdc$", "collector.diskstats.device-exclude=^sdd$" },
		{ "collector.diskstats.device-exclude=(", NULL },
	};
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(combos); i++) {
		flags_set_defaults(collector_diskstats.flags);
		for (int k = 0; k < 2 && combos[i][k]; k++) {
			const char *eq = strchr(combos[i][k], '=');
			char name[128];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - combos[i][k]), combos[i][k]);
			struct flag *sets[1] = { collector_diskstats.flags };
			struct flag *f = flag_find(sets, 1, name);
			CHECK(f && flag_set(f, eq + 1, FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
		}
		err[0] = '\0';
		int r = collector_diskstats.init(err, sizeof(err));
		CHECK(r < 0);
		CHECK(err[0] != '\0');
		if (r >= 0)
			collector_diskstats.fini();
	}
	flags_set_defaults(collector_diskstats.flags);
}

/* The default exclude regex, as node_exporter documents it (uses \d: needs PCRE2). */
static void test_default_exclude(void)
{
	struct name_filter f;
	char err[256];
	static const char *const ignored[] = { "ram0", "zram12", "loop7", "fd0", "sda1", "hdb3", "vda15", "xvdc2",
					       "nvme0n1p1", "nvme12n3p45" };
	static const char *const kept[] = { "sda", "vdb", "nvme0n1", "dm-0", "md127", "mmcblk0", "mmcblk0p1", "sr0",
					    "sdaa1", "nvme0n1p", "zram", "rbd0" };

	CHECK(name_filter_init(&f, NULL, "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$", err, sizeof(err)) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++) {
		if (!name_filter_ignored(&f, ignored[i]))
			fprintf(stderr, "not ignored: %s\n", ignored[i]);
		CHECK(name_filter_ignored(&f, ignored[i]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		if (name_filter_ignored(&f, kept[i]))
			fprintf(stderr, "ignored: %s\n", kept[i]);
		CHECK(!name_filter_ignored(&f, kept[i]));
	}
	name_filter_free(&f);
	/* And the flag's default is that regex. */
	flags_set_defaults(collector_diskstats.flags);
	CHECK_STR(*(const char **)collector_diskstats.flags[0].target,
		  "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_diskstats, cases, ARRAY_SIZE(cases));
	test_default_exclude();
	test_flag_errors();
	return test_summary(argv[0]);
}
