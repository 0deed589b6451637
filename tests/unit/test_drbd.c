#include "harness.h"

extern const struct collector collector_drbd;

/* DRBD 8.4 with two resources: one connected primary, one secondary waiting for its peer. */
#define DRBD                                                                                       \
	"version: 8.4.11 (api:1/proto:86-101)\n"                                                   \
	"srcversion: 2A4F2B7B9C1D2E3F4A5B6C7\n"                                                    \
	" 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"                    \
	"    ns:5288 nr:17 dw:5316 dr:1317 al:3 bm:0 lo:0 pe:1 ua:2 ap:3 ep:1 wo:f oos:0\n"        \
	"12: cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown C r----s\n"             \
	"    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:1048576\n"

static const struct collector_case cases[] = {
	{ "two devices",
	  { { "proc/drbd", DRBD } },
	  .expect = "node_drbd_activitylog_writes_total{device=\"drbd0\"} 3\n"
		    "node_drbd_activitylog_writes_total{device=\"drbd12\"} 0\n"
		    "node_drbd_application_pending{device=\"drbd0\"} 3\n"
		    "node_drbd_application_pending{device=\"drbd12\"} 0\n"
		    "node_drbd_bitmap_writes_total{device=\"drbd0\"} 0\n"
		    "node_drbd_bitmap_writes_total{device=\"drbd12\"} 0\n"
		    "node_drbd_connected{device=\"drbd0\"} 1\n"
		    "node_drbd_connected{device=\"drbd12\"} 0\n"
		    "node_drbd_disk_read_bytes_total{device=\"drbd0\"} 1.348608e+06\n"
		    "node_drbd_disk_read_bytes_total{device=\"drbd12\"} 0\n"
		    "node_drbd_disk_state_is_up_to_date{device=\"drbd0\",node=\"local\"} 1\n"
		    "node_drbd_disk_state_is_up_to_date{device=\"drbd0\",node=\"remote\"} 1\n"
		    "node_drbd_disk_state_is_up_to_date{device=\"drbd12\",node=\"local\"} 0\n"
		    "node_drbd_disk_state_is_up_to_date{device=\"drbd12\",node=\"remote\"} 0\n"
		    "node_drbd_disk_written_bytes_total{device=\"drbd0\"} 5.443584e+06\n"
		    "node_drbd_disk_written_bytes_total{device=\"drbd12\"} 0\n"
		    "node_drbd_epochs{device=\"drbd0\"} 1\n"
		    "node_drbd_epochs{device=\"drbd12\"} 1\n"
		    "node_drbd_local_pending{device=\"drbd0\"} 0\n"
		    "node_drbd_local_pending{device=\"drbd12\"} 0\n"
		    "node_drbd_network_received_bytes_total{device=\"drbd0\"} 17\n"
		    "node_drbd_network_received_bytes_total{device=\"drbd12\"} 0\n"
		    "node_drbd_network_sent_bytes_total{device=\"drbd0\"} 5.414912e+06\n"
		    "node_drbd_network_sent_bytes_total{device=\"drbd12\"} 0\n"
		    "node_drbd_node_role_is_primary{device=\"drbd0\",node=\"local\"} 1\n"
		    "node_drbd_node_role_is_primary{device=\"drbd0\",node=\"remote\"} 0\n"
		    "node_drbd_node_role_is_primary{device=\"drbd12\",node=\"local\"} 0\n"
		    "node_drbd_node_role_is_primary{device=\"drbd12\",node=\"remote\"} 0\n"
		    "node_drbd_out_of_sync_bytes{device=\"drbd0\"} 0\n"
		    "node_drbd_out_of_sync_bytes{device=\"drbd12\"} 1.073741824e+09\n"
		    "node_drbd_remote_pending{device=\"drbd0\"} 1\n"
		    "node_drbd_remote_pending{device=\"drbd12\"} 0\n"
		    "node_drbd_remote_unacknowledged{device=\"drbd0\"} 2\n"
		    "node_drbd_remote_unacknowledged{device=\"drbd12\"} 0\n" },
	{ "counters before any device line belong to device unknown", { { "proc/drbd", "ns:1\n" } },
	  .expect = "node_drbd_network_sent_bytes_total{device=\"unknown\"} 1024\n" },
	{ "bad number is skipped and reported", { { "proc/drbd", "1: ns:x nr:5\n" } },
	  .expect = "node_drbd_network_received_bytes_total{device=\"drbd1\"} 5\n", .expect_fail = 1 },
	{ "role without a remote half", { { "proc/drbd", "1: ro:Primary\n" } },
	  .expect = "node_drbd_node_role_is_primary{device=\"drbd1\",node=\"local\"} 1\n", .expect_fail = 1 },
	{ "unknown keys and words are ignored", { { "proc/drbd", "1: a:b:c wo:f resync: ep:2\n" } },
	  .expect = "node_drbd_epochs{device=\"drbd1\"} 2\n" },
	{ "huge counter", { { "proc/drbd", "1: dw:18014398509481983\n" } },
	  .expect = "node_drbd_disk_written_bytes_total{device=\"drbd1\"} 1.8446744073709552e+19\n" },
	{ "empty file", { { "proc/drbd", "" } }, .expect = "" },
	{ "truncated in the middle of a pair", { { "proc/drbd", "1: cs:Connected ns:12" } },
	  .expect = "node_drbd_connected{device=\"drbd1\"} 1\nnode_drbd_network_sent_bytes_total{device=\"drbd1\"} 12288\n" },
	{ "no drbd", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	const struct tfile none[] = { { "proc", NULL } };

	(void)argc;
	test_collector_cases(&collector_drbd, cases, ARRAY_SIZE(cases));
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_drbd, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
