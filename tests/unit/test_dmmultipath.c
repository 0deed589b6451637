#include "harness.h"

extern const struct collector collector_dmmultipath;

/* Keeps the sample lines that contain needle (cases check a subset of large outputs). */
static void keep(struct strbuf *b, const char *needle)
{
	size_t o = 0;
	char *p = b->p;

	while (p && *p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (p[0] != '#' && memmem(p, len, needle, strlen(needle))) {
			memmove(b->p + o, p, len);
			o += len;
		}
		p += len;
	}
	if (b->p) {
		b->len = o;
		b->p[o] = '\0';
	}
}

struct filtered_case {
	const char *name;
	struct tfile files[TEST_MAX_FILES];
	const char *args[TEST_MAX_ARGS];
	const char *needle; /* NULL: every sample line */
	const char *expect;
	int expect_fail;
};

/* Runs the cases like test_collector_cases(), comparing only the sample lines that contain needle. */
static void run_filtered(const struct collector *c, const struct filtered_case *cases, size_t n)
{
	struct strbuf out = { 0 };
	char err[512];

	for (size_t i = 0; i < n; i++) {
		const struct filtered_case *k = &cases[i];
		size_t nf = 0;
		while (nf < TEST_MAX_FILES && k->files[nf].path)
			nf++;
		if (!test_make_root(k->files, nf)) {
			fprintf(stderr, "case '%s': cannot write the fixture tree\n", k->name);
			CHECK(0);
			continue;
		}
		if (c->flags)
			flags_set_defaults(c->flags);
		for (size_t a = 0; a < TEST_MAX_ARGS && k->args[a]; a++) {
			const char *arg = k->args[a] + 2, *eq = strchr(arg, '=');
			char name[128];
			snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
			struct flag *const sets[1] = { c->flags };
			struct flag *f = flag_find(sets, 1, name);
			CHECK(f && flag_set(f, eq ? eq + 1 : "true", FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
		}
		int r = test_run_collector(c, &out);
		keep(&out, k->needle ? k->needle : "");
		if ((r < 0) != (k->expect_fail != 0) || !streq(out.p ? out.p : "", k->expect))
			fprintf(stderr, "case '%s': rc %d (%s)\n", k->name, r, test_last_error);
		CHECK((r < 0) == (k->expect_fail != 0));
		CHECK_STR(out.p ? out.p : "", k->expect);
		if (c->flags)
			flags_set_defaults(c->flags);
	}
	test_remove_root();
	sb_free(&out);
}

/* dm-2: a SCSI multipath map with two paths (one offline); dm-3: an NVMe map, suspended; dm-0: LVM. */
#define TREE                                                                                       \
	{ "sys/block/dm-2/dm/uuid", "mpath-36005076801810523100000000000001a\n" },                 \
		{ "sys/block/dm-2/dm/name", "mpatha\n" }, { "sys/block/dm-2/dm/suspended", "0\n" }, \
		{ "sys/block/dm-2/size", "209715200\n" }, { "sys/block/dm-2/slaves/sdc", "->../../sdc" }, \
		{ "sys/block/dm-2/slaves/sdd", "->../../sdd" }, { "sys/block/sdc/device/state", "running\n" }, \
		{ "sys/block/sdd/device/state", "offline\n" },                                     \
		{ "sys/block/dm-3/dm/uuid", "mpath-eui.0025385b71b07e2f\n" },                       \
		{ "sys/block/dm-3/dm/name", "nvme-mp\n" }, { "sys/block/dm-3/dm/suspended", "1\n" }, \
		{ "sys/block/dm-3/size", "1000215216\n" },                                         \
		{ "sys/block/dm-3/slaves/nvme0c0n1", "->../../nvme0c0n1" },                        \
		{ "sys/block/nvme0c0n1/device/state", "live\n" },                                  \
		{ "sys/block/dm-0/dm/uuid", "LVM-k2bd3nWh1d0aYq8mZ2x5tR\n" },                      \
		{ "sys/block/dm-0/dm/name", "vg0-root\n" }, { "sys/block/dm-0/size", "1\n" },      \
	{                                                                                          \
		"sys/block/sda/size", "1\n"                                                        \
	}

static const struct filtered_case cases[] = {
	{ "SCSI and NVMe maps; LVM ignored", { TREE },
	  .expect = "node_dmmultipath_device_active{device=\"mpatha\",sysfs_name=\"dm-2\"} 1\n"
		    "node_dmmultipath_device_active{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 0\n"
		    "node_dmmultipath_device_info{device=\"mpatha\",sysfs_name=\"dm-2\",uuid=\"mpath-36005076801810523100000000000001a\"} 1\n"
		    "node_dmmultipath_device_info{device=\"nvme-mp\",sysfs_name=\"dm-3\",uuid=\"mpath-eui.0025385b71b07e2f\"} 1\n"
		    "node_dmmultipath_device_paths{device=\"mpatha\",sysfs_name=\"dm-2\"} 2\n"
		    "node_dmmultipath_device_paths{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 1\n"
		    "node_dmmultipath_device_paths_active{device=\"mpatha\",sysfs_name=\"dm-2\"} 1\n"
		    "node_dmmultipath_device_paths_active{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 1\n"
		    "node_dmmultipath_device_paths_failed{device=\"mpatha\",sysfs_name=\"dm-2\"} 1\n"
		    "node_dmmultipath_device_paths_failed{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 0\n"
		    "node_dmmultipath_device_size_bytes{device=\"mpatha\",sysfs_name=\"dm-2\"} 1.073741824e+11\n"
		    "node_dmmultipath_device_size_bytes{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 5.12110190592e+11\n"
		    "node_dmmultipath_path_state{device=\"mpatha\",path=\"sdc\",state=\"running\"} 1\n"
		    "node_dmmultipath_path_state{device=\"mpatha\",path=\"sdd\",state=\"offline\"} 1\n"
		    "node_dmmultipath_path_state{device=\"nvme-mp\",path=\"nvme0c0n1\",state=\"live\"} 1\n" },
	{ "no slaves directory: zero paths",
	  { { "sys/block/dm-1/dm/uuid", "mpath-x\n" }, { "sys/block/dm-1/dm/name", "m\n" },
	    { "sys/block/dm-1/dm/suspended", "0\n" }, { "sys/block/dm-1/size", "8\n" } },
	  .needle = "paths",
	  .expect = "node_dmmultipath_device_paths{device=\"m\",sysfs_name=\"dm-1\"} 0\n"
		    "node_dmmultipath_device_paths_active{device=\"m\",sysfs_name=\"dm-1\"} 0\n"
		    "node_dmmultipath_device_paths_failed{device=\"m\",sysfs_name=\"dm-1\"} 0\n" },
	{ "bad size skips that map only",
	  { TREE, { "sys/block/dm-4/dm/uuid", "mpath-y\n" }, { "sys/block/dm-4/dm/name", "bad\n" },
	    { "sys/block/dm-4/dm/suspended", "0\n" }, { "sys/block/dm-4/size", "12x\n" } },
	  .needle = "device_info",
	  .expect = "node_dmmultipath_device_info{device=\"mpatha\",sysfs_name=\"dm-2\",uuid=\"mpath-36005076801810523100000000000001a\"} 1\n"
		    "node_dmmultipath_device_info{device=\"nvme-mp\",sysfs_name=\"dm-3\",uuid=\"mpath-eui.0025385b71b07e2f\"} 1\n",
	  .expect_fail = 1 },
	{ "path without a state file skips the map",
	  { { "sys/block/dm-1/dm/uuid", "mpath-x\n" }, { "sys/block/dm-1/dm/name", "m\n" },
	    { "sys/block/dm-1/dm/suspended", "0\n" }, { "sys/block/dm-1/size", "8\n" },
	    { "sys/block/dm-1/slaves/sdz", "->../../sdz" }, { "sys/block/sdz", NULL } },
	  .expect = "", .expect_fail = 1 },
	{ "missing dm/name", { { "sys/block/dm-1/dm/uuid", "mpath-x\n" } }, .expect = "", .expect_fail = 1 },
	{ "no multipath maps", { { "sys/block/sda/size", "1\n" } }, .expect = "" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	run_filtered(&collector_dmmultipath, cases, ARRAY_SIZE(cases));
	const struct tfile none[] = { { "sys", NULL } };
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_dmmultipath, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
