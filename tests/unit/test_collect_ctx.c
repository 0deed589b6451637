/* The collector context's helpers: ctx_list_dir() lists a class directory, says "no data" when it is
 * missing, lists nothing for a glob, and leaves other errors to the collector; collector_enabled()
 * answers from the table's defaults when no engine runs. */
#include "harness.h"

static void test_list_dir(void)
{
	static const struct tfile files[] = {
		{ "sys/class/thing/b", NULL },
		{ "sys/class/thing/a", "x" },
		{ "sys/class/thing/c", "->a" },
		{ "sys/class/empty", NULL },
		{ "sys/class/file", "not a directory" },
	};
	struct metric_set ms = { 0 };
	struct collect_ctx c = { .ms = &ms };
	const char *root = test_make_root(files, ARRAY_SIZE(files));
	const char *dir = NULL;
	char **names = NULL, want[600];
	ssize_t n;

	CHECK(root != NULL);
	n = ctx_list_dir(&c, 0, &dir, &names, ROOT_SYS, "class/%s", "thing");
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(names[0], "a");
		CHECK_STR(names[1], "b");
		CHECK_STR(names[2], "c");
	}
	snprintf(want, sizeof(want), "%s/sys/class/thing", root);
	CHECK_STR(dir, want);
	/* dir is the run's copy, not the scratch path. */
	ctx_path(&c, ROOT_SYS, "elsewhere");
	CHECK_STR(dir, want);

	dir = NULL;
	CHECK_INT(ctx_list_dir(&c, 0, &dir, &names, ROOT_SYS, "class/empty"), 0);
	CHECK(dir != NULL);

	/* Missing: no data, the path in the message, nothing set. */
	dir = NULL;
	c.err[0] = '\0';
	CHECK_INT(ctx_list_dir(&c, 0, &dir, &names, ROOT_SYS, "class/nothing"), COLLECTOR_NO_DATA);
	snprintf(want, sizeof(want), "%s/sys/class/nothing: No such file or directory", root);
	CHECK_STR(c.err, want);
	CHECK(dir == NULL);

	/* A glob finds nothing and is no error. */
	names = NULL;
	CHECK_INT(ctx_list_dir(&c, CTX_LIST_GLOB, &dir, &names, ROOT_SYS, "class/nothing"), 0);
	CHECK(names != NULL && dir != NULL);
	CHECK_INT(ctx_list_dir(&c, CTX_LIST_GLOB, NULL, &names, ROOT_SYS, "class/file"), 0);

	/* Not a directory: the collector's error, unless it asks for no data. */
	c.err[0] = '\0';
	CHECK_INT(ctx_list_dir(&c, 0, NULL, &names, ROOT_SYS, "class/file"), -ENOTDIR);
	CHECK_STR(c.err, "");
	snprintf(want, sizeof(want), "%s/sys/class/file", root);
	CHECK_STR(c.path.p, want); /* for the collector's message */
	CHECK_INT(ctx_list_dir(&c, CTX_LIST_NODATA_ENOTDIR, NULL, &names, ROOT_SYS, "class/file"), COLLECTOR_NO_DATA);
	CHECK_INT(ctx_list_dir(&c, CTX_LIST_NODATA_EACCES, NULL, &names, ROOT_SYS, "class/file/x"), -ENOTDIR);

	test_remove_root();
	metric_set_free(&ms);
	sb_free(&c.path);
	sb_free(&c.buf);
}

static void test_enabled(void)
{
	/* No engine: the table's defaults. */
	CHECK(collector_enabled("cpu"));
	CHECK(collector_enabled("cpufreq"));
	CHECK(!collector_enabled("systemd"));
	CHECK(!collector_enabled("no-such-collector"));
}

int main(int argc, char **argv)
{
	(void)argc;
	test_list_dir();
	test_enabled();
	return test_summary(argv[0]);
}
