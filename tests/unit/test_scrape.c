/* The scrape engine: where the collectors that cannot block run. With the kernel's procfs and sysfs as
 * roots they run on the scrape thread itself (no runner thread is ever started for them); with a root
 * that is an ordinary directory (which could as well be a FUSE or NFS mount) they run on a runner, so the
 * deadline holds whatever the read does. */
#include <dirent.h>

#include "harness.h"
#include "scrape.h"

static int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int run_once(struct strbuf *out)
{
	struct scrape_selection sel;
	char err[256];

	if (scrape_select(&sel, NULL, 0, NULL, 0, err, sizeof(err)) < 0)
		return -EINVAL;
	return scrape_once(&sel, 5, out);
}

int main(int argc, char **argv)
{
	struct flag *sets[SCRAPE_MAX_COLLECTORS + 1];
	size_t n_sets = scrape_flag_sets(sets, ARRAY_SIZE(sets));
	struct scrape_config cfg = { .exporter_metrics = false, .collector_timeout = 5 };
	char *args[] = { argv[0], "--collector.disable-defaults", "--collector.loadavg", NULL };
	struct strbuf out = { 0 };
	char err[256];
	bool help, version;

	(void)argc;
	CHECK_INT(flags_parse(3, args, sets, n_sets, &help, &version, err, sizeof(err)), 0);

	/* Live roots: loadavg runs on this thread. */
	nodex_paths = (struct nodex_paths){ "/proc", "/sys", "/", "/run/udev/data" };
	if (paths_init()) {
		/* / on a network filesystem where the test runs: nothing to show about the live case. */
		fprintf(stderr, "live roots may block here; skipping the scrape-thread case\n");
	} else {
		CHECK_INT(scrape_init(&cfg, err, sizeof(err)), 0);
		int before = thread_count();
		CHECK_INT(run_once(&out), 0);
		CHECK(strstr(out.p, "node_scrape_collector_success{collector=\"loadavg\"} 1\n") != NULL);
		CHECK(strstr(out.p, "\nnode_load1 ") != NULL);
		CHECK_INT(thread_count(), before);
		CHECK_INT(scrape_pause(err, sizeof(err)), 0);
		scrape_resume();
	}

	/* A fixture tree: loadavg goes to a runner thread, and the result is the same. */
	static const struct tfile files[] = { { "proc/loadavg", "1.5 1 0.5 1/1 1\n" } };
	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	CHECK(paths_init());
	CHECK_INT(scrape_pause(err, sizeof(err)), 0);
	CHECK_INT(scrape_reinit(&cfg, err, sizeof(err)), 0);
	scrape_resume();
	int before = thread_count();
	sb_reset(&out);
	CHECK_INT(run_once(&out), 0);
	CHECK(strstr(out.p, "node_scrape_collector_success{collector=\"loadavg\"} 1\n") != NULL);
	CHECK(strstr(out.p, "\nnode_load1 1.5\n") != NULL);
	CHECK_INT(thread_count(), before + 1);

	scrape_fini();
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
