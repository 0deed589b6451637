#include "harness.h"

extern const struct collector collector_mountstats;

#define EV "events:\t3 61 0 12 40 7 120 0 0 5 0 9 2 1 8 0 0 39 0 0 0 0 0 0 0 0 0\n"
#define BYTES "bytes:\t1048576 4096 0 0 1052672 4096 256 1\n"

/* An NFSv4.2 mount with nconnect=2 (two transports) next to local filesystems. */
#define MS_V42                                                                                     \
	"device sysfs mounted on /sys with fstype sysfs\n"                                         \
	"device /dev/vda1 mounted on / with fstype ext4\n"                                         \
	"device fs1:/export/home mounted on /home with fstype nfs4 statvers=1.1\n"                 \
	"\topts:\trw,vers=4.2,rsize=1048576,wsize=1048576,hard,proto=tcp,nconnect=2,addr=10.0.0.5\n" \
	"\tage:\t86400\n"                                                                          \
	"\tcaps:\tcaps=0x3fffdf,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n"                    \
	"\tsec:\tflavor=1,pseudoflavor=1\n"                                                        \
	"\t" EV "\t" BYTES                                                                         \
	"\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"                                        \
	"\txprt:\ttcp 875 1 2 0 3 500 500 0 900 0 16 40 60\n"                                      \
	"\txprt:\ttcp 876 1 1 0 9007199254740995 20 20 0 30 0 2 3 4\n"                             \
	"\tper-op statistics\n"                                                                    \
	"\t        NULL: 1 1 0 44 24 0 0 0 0\n"                                                    \
	"\t        READ: 300 300 0 48000 1060000 9007199254741992 2500 2600 1\n"                   \
	"\n"

#define MI_V42                                                                                     \
	"22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"                                            \
	"24 1 252:1 / / rw,relatime - ext4 /dev/vda1 rw\n"                                         \
	"90 24 0:48 / /home rw,relatime shared:40 - nfs4 fs1:/export/home "                        \
	"rw,vers=4.2,rsize=1048576,proto=tcp,nconnect=2,timeo=600,addr=10.0.0.5\n"

#define L "export=\"fs1:/export/home\",mountaddr=\"10.0.0.5\""

static const struct collector_case cases[] = {
	{ "transports are numbered", { { "proc/self/mountstats", MS_V42 }, { "proc/self/mountinfo", MI_V42 } },
	  .needle = "transport_idle",
	  .expect = "node_mountstats_nfs_transport_idle_time_seconds{" L ",protocol=\"tcp\",transport=\"0\"} 3\n"
		    "node_mountstats_nfs_transport_idle_time_seconds{" L ",protocol=\"tcp\",transport=\"1\"} 3\n" },
	{ "per-op times in seconds, modulo 2^53", { { "proc/self/mountstats", MS_V42 }, { "proc/self/mountinfo", MI_V42 } },
	  .needle = "time_seconds_total{" L ",operation=\"READ\"",
	  .expect = "node_mountstats_nfs_operations_queue_time_seconds_total{" L ",operation=\"READ\",protocol=\"tcp\"} 1\n"
		    "node_mountstats_nfs_operations_request_time_seconds_total{" L ",operation=\"READ\",protocol=\"tcp\"} 2.6\n"
		    "node_mountstats_nfs_operations_response_time_seconds_total{" L ",operation=\"READ\",protocol=\"tcp\"} 2.5\n" },
	{ "bytes and events",
	  { { "proc/self/mountstats", MS_V42 }, { "proc/self/mountinfo", MI_V42 } }, .needle = "_read",
	  .expect = "node_mountstats_nfs_direct_read_bytes_total{" L ",protocol=\"tcp\"} 0\n"
		    "node_mountstats_nfs_event_pnfs_read_total{" L ",protocol=\"tcp\"} 0\n"
		    "node_mountstats_nfs_event_short_read_total{" L ",protocol=\"tcp\"} 0\n"
		    "node_mountstats_nfs_event_vfs_read_page_total{" L ",protocol=\"tcp\"} 0\n"
		    "node_mountstats_nfs_event_vfs_read_pages_total{" L ",protocol=\"tcp\"} 5\n"
		    "node_mountstats_nfs_read_bytes_total{" L ",protocol=\"tcp\"} 1.048576e+06\n"
		    "node_mountstats_nfs_read_pages_total{" L ",protocol=\"tcp\"} 256\n"
		    "node_mountstats_nfs_total_read_bytes_total{" L ",protocol=\"tcp\"} 1.052672e+06\n" },
	{ "age and events", { { "proc/self/mountstats", MS_V42 }, { "proc/self/mountinfo", MI_V42 } }, .needle = "_a",
	  .expect = "node_mountstats_nfs_age_seconds_total{" L ",protocol=\"tcp\"} 86400\n"
		    "node_mountstats_nfs_event_attribute_invalidate_total{" L ",protocol=\"tcp\"} 12\n"
		    "node_mountstats_nfs_event_vfs_access_total{" L ",protocol=\"tcp\"} 120\n" },
	/* Not run as a filtered case: main() checks it with two needles. */
	{ "the same export mounted twice: one set of stats, two mount points",
	  { { "proc/self/mountstats", MS_V42 "device fs1:/export/home mounted on /srv/home with fstype nfs4 statvers=1.1\n"
					  "\tage:\t5\n\txprt:\ttcp 1 1 1 0 0 1 1 0 1 0 1 1 1\n" },
	    { "proc/self/mountinfo", MI_V42 "91 24 0:48 / /srv/home rw - nfs4 fs1:/export/home rw,addr=10.0.0.5\n" } },
	  .expect = NULL },
	{ "statvers 1.0 over udp", { { "proc/self/mountstats", "device s:/e mounted on /m with fstype nfs statvers=1.0\n"
								 "\txprt:\tudp 700 1 10 10 0 5 0\n\tper-op statistics\n" },
				     { "proc/self/mountinfo", "1 0 0:1 / /m rw - nfs s:/e rw,addr=192.0.2.1\n" } },
	  .needle = "transport_sends",
	  .expect = "node_mountstats_nfs_transport_sends_total{export=\"s:/e\",mountaddr=\"192.0.2.1\",protocol=\"udp\",transport=\"0\"} 10\n" },
	{ "no mountinfo entry for the mount: empty mountaddr",
	  { { "proc/self/mountstats", "device s:/e mounted on /m with fstype nfs statvers=1.1\n\tage:\t7\n" },
	    { "proc/self/mountinfo", "" } },
	  .needle = "age_seconds", .expect = "node_mountstats_nfs_age_seconds_total{export=\"s:/e\",mountaddr=\"\",protocol=\"\"} 7\n" },
	{ "events with 26 values: mount skipped, others kept",
	  { { "proc/self/mountstats", "device a:/x mounted on /a with fstype nfs statvers=1.1\n\tevents:\t1 2\n\n"
				      "device b:/y mounted on /b with fstype nfs statvers=1.1\n\tage:\t9\n" },
	    { "proc/self/mountinfo", "1 0 0:1 / /a rw - nfs a:/x rw,addr=1.1.1.1\n2 0 0:2 / /b rw - nfs b:/y rw,addr=2.2.2.2\n" } },
	  .needle = "age_seconds",
	  .expect = "node_mountstats_nfs_age_seconds_total{export=\"b:/y\",mountaddr=\"2.2.2.2\",protocol=\"\"} 9\n",
	  .expect_fail = 1 },
	{ "xprt of unknown protocol", { { "proc/self/mountstats", "device a:/x mounted on /a with fstype nfs statvers=1.1\n"
								  "\txprt:\tsctp 1 2 3\n" },
					{ "proc/self/mountinfo", "" } },
	  .expect = "", .expect_fail = 1 },
	{ "tcp xprt of the wrong length", { { "proc/self/mountstats", "device a:/x mounted on /a with fstype nfs statvers=1.1\n"
								      "\txprt:\ttcp 1 2 3\n" },
					    { "proc/self/mountinfo", "" } },
	  .expect = "", .expect_fail = 1 },
	{ "statistics on a filesystem that is not NFS",
	  { { "proc/self/mountstats", "device x mounted on /x with fstype cifs statvers=1.0\n" }, { "proc/self/mountinfo", "" } },
	  .expect = "", .expect_fail = 1 },
	{ "truncated device line", { { "proc/self/mountstats", "device a:/x mounted on\n" }, { "proc/self/mountinfo", "" } },
	  .expect = "", .expect_fail = 1 },
	{ "per-op line with too few values", { { "proc/self/mountstats", "device a:/x mounted on /a with fstype nfs statvers=1.1\n"
									 "\tper-op statistics\n\t  NULL: 1 2 3\n" },
					       { "proc/self/mountinfo", "" } },
	  .expect = "", .expect_fail = 1 },
	{ "malformed mountinfo", { { "proc/self/mountstats", MS_V42 }, { "proc/self/mountinfo", "garbage line\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "no mountstats file", { { "proc/self/mountinfo", "" } }, .expect = "", .expect_fail = 1 },
	{ "local filesystems only", { { "proc/self/mountstats", "device /dev/vda1 mounted on / with fstype ext4\n" },
				      { "proc/self/mountinfo", "24 1 252:1 / / rw - ext4 /dev/vda1 rw\n" } },
	  .expect = "" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	test_collector_cases(&collector_mountstats, cases, 4);
	test_collector_cases(&collector_mountstats, cases + 5, ARRAY_SIZE(cases) - 5);

	/* The duplicate case needs two needles: stats once, mount point info twice. */
	const struct tfile dup[] = { cases[4].files[0], cases[4].files[1] };
	test_make_root(dup, 2);
	CHECK_INT(test_run_collector(&collector_mountstats, &out), 0);
	test_keep_samples(&out, "age_seconds");
	CHECK_STR(out.p, "node_mountstats_nfs_age_seconds_total{" L ",protocol=\"tcp\"} 86400\n");
	test_run_collector(&collector_mountstats, &out);
	test_keep_samples(&out, "mountpoint_info");
	CHECK_STR(out.p, "node_mountstats_nfs_mountpoint_info{" L ",mountpoint=\"/home\",protocol=\"tcp\"} 1\n"
			 "node_mountstats_nfs_mountpoint_info{" L ",mountpoint=\"/srv/home\",protocol=\"tcp\"} 1\n");

	/* Every one of the 54 families appears for a complete mount. */
	const struct tfile full[] = { { "proc/self/mountstats", MS_V42 }, { "proc/self/mountinfo", MI_V42 } };
	test_make_root(full, 2);
	test_run_collector(&collector_mountstats, &out);
	size_t fams = 0;
	for (const char *s = out.p; (s = strstr(s, "# TYPE ")); s++)
		fams++;
	CHECK_INT(fams, 54);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
