#include "harness.h"

extern const struct collector collector_bcachefs;

#define FS "sys/fs/bcachefs/0b7cc21f-4d5e-4a8e-a1f2-66e5f0c8d9aa/"
#define U "uuid=\"0b7cc21f-4d5e-4a8e-a1f2-66e5f0c8d9aa\""

#define IO_DONE                                                                                    \
	"read:\nsb          :       12288\njournal     :           0\nbtree       :     1310720\n"     \
	"user        :  9175040000\nwrite:\nsb          :       98304\njournal     :   402653184\n"    \
	"btree       :    52428800\nuser        : 10737418240\n"

#define IO_ERRORS                                                                                  \
	"IO errors since filesystem creation\n  read:    3\n  write:   0\n  checksum:1\n"              \
	"IO errors since 2 d ago\n  read:    1\n  write:   0\n  checksum:0\n"

static const struct collector_case cases[] = {
	{ "one filesystem with one device",
	  { { FS "btree_cache_size", "118M\n" },
	    { FS "compression_stats", "typetype          compressed    uncompressed     average extent size\n"
				      "lz4                    1.50G           3.00G                   32.0k\n"
				      "zstd                       0               0                       0\n"
				      "incompressible          700M            700M\n" },
	    { FS "errors", "journal_entry_bad_csum  3       1736179200\nbtree_node_bad_magic 1\n" },
	    { FS "counters/io_read", "since mount:                   1024\nsince filesystem creation:     4.50k\n" },
	    { FS "counters/copygc-wait", "since mount: 7\n" },
	    { FS "btree_write_stats", "                   nr        size\ninitial:           120       64.0k\n"
				      "interior:          4         1.26k\n" },
	    { FS "dev-0/label", "ssd.fast\n" },
	    { FS "dev-0/state", "[rw] ro evacuating spare \n" },
	    { FS "dev-0/bucket_size", "512k\n" },
	    { FS "dev-0/nbuckets", "1907723\n" },
	    { FS "dev-0/durability", "1\n" },
	    { FS "dev-0/io_done", IO_DONE },
	    { FS "dev-0/io_errors", IO_ERRORS } },
	  .expect = "node_bcachefs_btree_cache_size_bytes{" U "} 1.23731968e+08\n"
		    "node_bcachefs_btree_write_average_size_bytes{type=\"initial\"," U "} 65536\n"
		    "node_bcachefs_btree_write_average_size_bytes{type=\"interior\"," U "} 1290\n"
		    "node_bcachefs_btree_writes_total{type=\"initial\"," U "} 120\n"
		    "node_bcachefs_btree_writes_total{type=\"interior\"," U "} 4\n"
		    "node_bcachefs_compression_compressed_bytes{algorithm=\"incompressible\"," U "} 7.340032e+08\n"
		    "node_bcachefs_compression_compressed_bytes{algorithm=\"lz4\"," U "} 1.610612736e+09\n"
		    "node_bcachefs_compression_compressed_bytes{algorithm=\"zstd\"," U "} 0\n"
		    "node_bcachefs_compression_uncompressed_bytes{algorithm=\"incompressible\"," U "} 7.340032e+08\n"
		    "node_bcachefs_compression_uncompressed_bytes{algorithm=\"lz4\"," U "} 3.221225472e+09\n"
		    "node_bcachefs_compression_uncompressed_bytes{algorithm=\"zstd\"," U "} 0\n"
		    "node_bcachefs_copygc_wait_total{" U "} 0\n"
		    "node_bcachefs_device_bucket_size_bytes{device=\"0\"," U "} 524288\n"
		    "node_bcachefs_device_buckets{device=\"0\"," U "} 1.907723e+06\n"
		    "node_bcachefs_device_durability{device=\"0\"," U "} 1\n"
		    "node_bcachefs_device_info{device=\"0\",label=\"ssd.fast\",state=\"[rw] ro evacuating spare\"," U "} 1\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"btree\",device=\"0\",operation=\"read\"," U "} 1.31072e+06\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"btree\",device=\"0\",operation=\"write\"," U "} 5.24288e+07\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"journal\",device=\"0\",operation=\"read\"," U "} 0\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"journal\",device=\"0\",operation=\"write\"," U "} 4.02653184e+08\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"sb\",device=\"0\",operation=\"read\"," U "} 12288\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"sb\",device=\"0\",operation=\"write\"," U "} 98304\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"user\",device=\"0\",operation=\"read\"," U "} 9.17504e+09\n"
		    "node_bcachefs_device_io_done_bytes_total{data_type=\"user\",device=\"0\",operation=\"write\"," U "} 1.073741824e+10\n"
		    "node_bcachefs_device_io_errors_total{device=\"0\",type=\"checksum\"," U "} 1\n"
		    "node_bcachefs_device_io_errors_total{device=\"0\",type=\"read\"," U "} 3\n"
		    "node_bcachefs_device_io_errors_total{device=\"0\",type=\"write\"," U "} 0\n"
		    "node_bcachefs_errors_total{error_type=\"btree_node_bad_magic\"," U "} 1\n"
		    "node_bcachefs_errors_total{error_type=\"journal_entry_bad_csum\"," U "} 3\n"
		    "node_bcachefs_info{" U "} 1\n"
		    "node_bcachefs_io_read_total{" U "} 4608\n" },
	{ "filesystem directory without files", { { FS "counters", NULL } },
	  .expect = "node_bcachefs_btree_cache_size_bytes{" U "} 0\nnode_bcachefs_info{" U "} 1\n" },
	{ "unrecognized counter file is skipped and reported",
	  { { FS "counters/a", "garbage\n" }, { FS "counters/b", "since filesystem creation: 5\n" } },
	  .needle = "_total", .expect = "node_bcachefs_b_total{" U "} 5\n", .expect_fail = 1 },
	{ "subdirectories of counters are skipped",
	  { { FS "counters/sub/x", "since filesystem creation: 1\n" }, { FS "counters/b", "since filesystem creation: 5\n" } },
	  .needle = "_total", .expect = "node_bcachefs_b_total{" U "} 5\n" },
	{ "bad compression line is skipped and reported",
	  { { FS "compression_stats", "header\nlz4 1.0x 2\nzstd 1 2\n" } }, .needle = "compression_compressed",
	  .expect = "node_bcachefs_compression_compressed_bytes{algorithm=\"zstd\"," U "} 1\n", .expect_fail = 1 },
	{ "bad error count", { { FS "errors", "x y\nz 2\n" } }, .needle = "errors_total",
	  .expect = "node_bcachefs_errors_total{error_type=\"z\"," U "} 2\n", .expect_fail = 1 },
	{ "bad btree_cache_size", { { FS "btree_cache_size", "lots\n" } }, .needle = "cache_size", .expect = "",
	  .expect_fail = 1 },
	{ "device with bad nbuckets is skipped", { { FS "dev-3/nbuckets", "many\n" } }, .needle = "device",
	  .expect = "", .expect_fail = 1 },
	{ "device without optional files",
	  { { FS "dev-1/io_errors", "IO errors since filesystem creation\n  read: 4\n" } }, .needle = "device",
	  .expect = "node_bcachefs_device_bucket_size_bytes{device=\"1\"," U "} 0\n"
		    "node_bcachefs_device_buckets{device=\"1\"," U "} 0\n"
		    "node_bcachefs_device_durability{device=\"1\"," U "} 0\n"
		    "node_bcachefs_device_info{device=\"1\",label=\"\",state=\"\"," U "} 1\n"
		    "node_bcachefs_device_io_errors_total{device=\"1\",type=\"read\"," U "} 4\n" },
	{ "huge size", { { FS "btree_cache_size", "15.9E\n" } }, .needle = "cache_size",
	  .expect = "node_bcachefs_btree_cache_size_bytes{" U "} 1.8331451923248867e+19\n" },
	{ "size beyond 64 bits", { { FS "btree_cache_size", "16.5E\n" } }, .needle = "cache_size", .expect = "",
	  .expect_fail = 1 },
	{ "files next to the filesystem directories are ignored",
	  { { "sys/fs/bcachefs/stray", "x\n" }, { FS "counters", NULL } }, .needle = "info",
	  .expect = "node_bcachefs_info{" U "} 1\n" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	test_collector_cases(&collector_bcachefs, cases, ARRAY_SIZE(cases));

	const struct tfile none[] = { { "sys", NULL } };
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_bcachefs, &out), COLLECTOR_NO_DATA);
	const struct tfile empty[] = { { "sys/fs/bcachefs", NULL } };
	test_make_root(empty, 1);
	CHECK_INT(test_run_collector(&collector_bcachefs, &out), COLLECTOR_NO_DATA);

	const struct tfile help[] = { { FS "counters/io-read", "since filesystem creation: 1\n" } };
	test_make_root(help, 1);
	CHECK_INT(test_run_collector(&collector_bcachefs, &out), 0);
	CHECK(strstr(out.p, "# HELP node_bcachefs_io_read_total Bcachefs counter io-read since filesystem "
			    "creation.\n# TYPE node_bcachefs_io_read_total counter\n") != NULL);
	/* Issue 14, defect 2: the counter's file name lands in HELP, which must be UTF-8. */
	const struct tfile bad_name[] = { { FS "counters/io\xff", "since filesystem creation: 1\n" } };
	test_make_root(bad_name, 1);
	CHECK_INT(test_run_collector(&collector_bcachefs, &out), 0);
	CHECK(strstr(out.p, "# HELP node_bcachefs_io__total Bcachefs counter io\xef\xbf\xbd since filesystem "
			    "creation.\n") != NULL);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
