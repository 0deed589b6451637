/* The include/exclude device filters of netdev, qdisc, diskstats, filesystem and systemd, built by one
 * function from their flags: node_exporter's deprecated names, its "mutually exclusive" answers word for
 * word (they differ between collectors), and what each filter then keeps. */
#include "harness.h"

extern const struct collector collector_netdev, collector_qdisc, collector_diskstats, collector_filesystem,
	collector_systemd;

struct fcase {
	const struct collector *c;
	const char *args[4]; /* name=value, set from the command line */
	const char *err;     /* NULL: init succeeds */
};

static const struct fcase cases[] = {
	{ &collector_netdev, { "collector.netdev.device-whitelist=a", "collector.netdev.device-include=b" },
	  "--collector.netdev.device-whitelist and --collector.netdev.device-include are mutually exclusive" },
	{ &collector_netdev, { "collector.netdev.device-blacklist=a", "collector.netdev.device-exclude=b" },
	  "--collector.netdev.device-blacklist and --collector.netdev.device-exclude are mutually exclusive" },
	{ &collector_netdev, { "collector.netdev.device-include=a", "collector.netdev.device-exclude=b" },
	  "device-exclude & device-include are mutually exclusive" },
	{ &collector_netdev, { "collector.netdev.device-whitelist=a", "collector.netdev.device-blacklist=b" },
	  "device-exclude & device-include are mutually exclusive" },
	/* Both aliases clash: the include's is found first. */
	{ &collector_netdev,
	  { "collector.netdev.device-whitelist=a", "collector.netdev.device-include=b",
	    "collector.netdev.device-blacklist=c", "collector.netdev.device-exclude=d" },
	  "--collector.netdev.device-whitelist and --collector.netdev.device-include are mutually exclusive" },
	/* A flag without a default counts as given only with a value. */
	{ &collector_netdev, { "collector.netdev.device-include=", "collector.netdev.device-whitelist=a" }, NULL },
	{ &collector_netdev, { "collector.netdev.device-whitelist=a" }, NULL },
	{ &collector_qdisc, { "collector.qdisk.device-include=a", "collector.qdisc.device-include=b" },
	  "--collector.qdisk.device-include and --collector.qdisc.device-include are mutually exclusive" },
	{ &collector_qdisc, { "collector.qdisk.device-exclude=a", "collector.qdisc.device-exclude=b" },
	  "--collector.qdisk.device-exclude and --collector.qdisc.device-exclude are mutually exclusive" },
	{ &collector_qdisc, { "collector.qdisc.device-include=a", "collector.qdisc.device-exclude=b" },
	  "collector.qdisc.device-include and collector.qdisc.device-exclude are mutaly exclusive" },
	{ &collector_diskstats, { "collector.diskstats.ignored-devices=a", "collector.diskstats.device-exclude=b" },
	  "--collector.diskstats.ignored-devices and --collector.diskstats.device-exclude are mutually exclusive" },
	/* The default exclude stays and clashes with an include, as in node_exporter. */
	{ &collector_diskstats, { "collector.diskstats.device-include=a" },
	  "device-exclude & device-include are mutually exclusive" },
	{ &collector_diskstats, { "collector.diskstats.device-include=a", "collector.diskstats.device-exclude=" }, NULL },
	/* A flag with a default counts as given even when set to its default. */
	{ &collector_diskstats,
	  { "collector.diskstats.ignored-devices=a",
	    "collector.diskstats.device-exclude=^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$" },
	  "--collector.diskstats.ignored-devices and --collector.diskstats.device-exclude are mutually exclusive" },
	{ &collector_filesystem,
	  { "collector.filesystem.ignored-mount-points=a", "collector.filesystem.mount-points-exclude=b" },
	  "--collector.filesystem.ignored-mount-points and --collector.filesystem.mount-points-exclude are mutually "
	  "exclusive" },
	{ &collector_filesystem,
	  { "collector.filesystem.mount-points-include=a", "collector.filesystem.mount-points-exclude=b" },
	  "--collector.filesystem.mount-points-exclude and --collector.filesystem.mount-points-include are mutually "
	  "exclusive" },
	{ &collector_filesystem, { "collector.filesystem.ignored-fs-types=a", "collector.filesystem.fs-types-exclude=b" },
	  "--collector.filesystem.ignored-fs-types and --collector.filesystem.fs-types-exclude are mutually exclusive" },
	{ &collector_filesystem, { "collector.filesystem.fs-types-include=a", "collector.filesystem.fs-types-exclude=b" },
	  "--collector.filesystem.fs-types-exclude and --collector.filesystem.fs-types-include are mutually exclusive" },
	/* An include clears the default exclude there, and an alias standing in for it. */
	{ &collector_filesystem, { "collector.filesystem.mount-points-include=a" }, NULL },
	{ &collector_filesystem,
	  { "collector.filesystem.mount-points-include=a", "collector.filesystem.ignored-mount-points=b" }, NULL },
	{ &collector_systemd, { "collector.systemd.unit-whitelist=a", "collector.systemd.unit-include=b" },
	  "--collector.systemd.unit-whitelist and --collector.systemd.unit-include are mutually exclusive" },
	{ &collector_systemd, { "collector.systemd.unit-blacklist=a", "collector.systemd.unit-exclude=b" },
	  "--collector.systemd.unit-blacklist and --collector.systemd.unit-exclude are mutually exclusive" },
	/* systemd looks at the exclude's alias first. */
	{ &collector_systemd,
	  { "collector.systemd.unit-whitelist=a", "collector.systemd.unit-include=b",
	    "collector.systemd.unit-blacklist=c", "collector.systemd.unit-exclude=d" },
	  "--collector.systemd.unit-blacklist and --collector.systemd.unit-exclude are mutually exclusive" },
	{ &collector_systemd, { "collector.systemd.unit-include=a", "collector.systemd.unit-exclude=b" }, NULL },
};

static void test_collector_flags(void)
{
	char err[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct fcase *k = &cases[i];
		struct flag *sets[1] = { k->c->flags };

		flags_set_defaults(k->c->flags);
		for (size_t a = 0; a < ARRAY_SIZE(k->args) && k->args[a]; a++) {
			const char *eq = strchr(k->args[a], '=');
			char name[128];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - k->args[a]), k->args[a]);
			struct flag *f = flag_find(sets, 1, name);
			CHECK(f && flag_set(f, eq + 1, FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
		}
		err[0] = '\0';
		int r = k->c->init(err, sizeof(err));
		if (k->err) {
			CHECK_INT(r, -EINVAL);
			CHECK_STR(err, k->err);
		} else {
			if (r < 0)
				fprintf(stderr, "case %zu (%s): %s\n", i, k->c->name, err);
			CHECK_INT(r, 0);
		}
		if (r == 0 && k->c->fini)
			k->c->fini();
		flags_set_defaults(k->c->flags);
	}
}

/* What the built filters keep. */
static void test_filters(void)
{
	static const char *inc, *exc, *old;
	struct flag flags[] = {
		{ "x.include", FLAG_STRING, NULL, "", &inc },
		{ "x.exclude", FLAG_STRING, "^lo$", "", &exc },
		{ "x.whitelist", FLAG_STRING, NULL, "", &old },
		{ NULL },
	};
	struct name_filter_flags ff = { .include = &flags[0], .exclude = &flags[1],
					.alias = { { &flags[2], &flags[0] } } };
	struct name_filter f;
	char err[256];

	flags_set_defaults(flags);
	CHECK_INT(name_filter_from_flags(&f, &ff, err, sizeof(err)), 0);
	CHECK(name_filter_ignored(&f, "lo") && !name_filter_ignored(&f, "eth0") && !name_filter_ignored(&f, "lo0"));
	name_filter_free(&f);

	/* The alias stands in for the include; no both_error, so include and exclude apply together. */
	flag_set(&flags[2], "^eth", FLAG_SRC_CMDLINE, err, sizeof(err));
	CHECK_INT(name_filter_from_flags(&f, &ff, err, sizeof(err)), 0);
	CHECK(!name_filter_ignored(&f, "eth0") && name_filter_ignored(&f, "wlan0") && name_filter_ignored(&f, "lo"));
	name_filter_free(&f);

	/* Anchored: whole names only, and an empty include keeps nothing but "". */
	flags_set_defaults(flags);
	flag_set(&flags[0], "eth", FLAG_SRC_CMDLINE, err, sizeof(err));
	ff.anchored = true;
	CHECK_INT(name_filter_from_flags(&f, &ff, err, sizeof(err)), 0);
	CHECK(name_filter_ignored(&f, "eth0") && !name_filter_ignored(&f, "eth"));
	name_filter_free(&f);
	flag_set(&flags[0], "", FLAG_SRC_CMDLINE, err, sizeof(err));
	CHECK_INT(name_filter_from_flags(&f, &ff, err, sizeof(err)), 0);
	CHECK(name_filter_ignored(&f, "eth0") && !name_filter_ignored(&f, ""));
	name_filter_free(&f);

	/* A bad pattern is the regex's message. */
	flag_set(&flags[1], "(", FLAG_SRC_CMDLINE, err, sizeof(err));
	ff.anchored = false;
	err[0] = '\0';
	CHECK_INT(name_filter_from_flags(&f, &ff, err, sizeof(err)), -EINVAL);
	CHECK(err[0] != '\0');
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_flags();
	test_filters();
	return test_summary(argv[0]);
}
