/* The sysfs attribute reader and the regular-file listing behind the sysfs collectors. */
#include "harness.h"
#include "sysattr.h"

static void test_read(void)
{
	struct strbuf b = { 0 };
	static const struct tfile files[] = {
		{ "sys/a", "  value with spaces \n" },
		{ "sys/long", "0123456789012345678901234567890123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789012345678901234567890123456789\n" },
		{ "sys/empty", "" },
	};
	char path[512];

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	snprintf(path, sizeof(path), "%s/a", nodex_paths.sysfs);
	CHECK_INT(sysattr_read(path, &b), 17);
	CHECK_STR(b.p, "value with spaces");
	snprintf(path, sizeof(path), "%s/long", nodex_paths.sysfs);
	CHECK_INT(sysattr_read(path, &b), SYSATTR_MAX);
	snprintf(path, sizeof(path), "%s/empty", nodex_paths.sysfs);
	CHECK_INT(sysattr_read(path, &b), 0);
	snprintf(path, sizeof(path), "%s/missing", nodex_paths.sysfs);
	CHECK_INT(sysattr_read(path, &b), -ENOENT);
	test_remove_root();
	sb_free(&b);
}

/* SysReadFile's two kinds of error: opening (a missing file) and reading (a directory opens, and its
 * read() fails with EISDIR). */
static void test_read_once(void)
{
	struct strbuf b = { 0 };
	static const struct tfile files[] = {
		{ "sys/a", "  value with spaces \n" },
		{ "sys/long", "0123456789012345678901234567890123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789012345678901234567890123456789\n" },
		{ "sys/dir", NULL },
	};
	char path[512];
	bool open_failed = false;

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	snprintf(path, sizeof(path), "%s/a", nodex_paths.sysfs);
	CHECK_INT(sysattr_read_once(path, &b, &open_failed), 17);
	CHECK_STR(b.p, "value with spaces");
	snprintf(path, sizeof(path), "%s/long", nodex_paths.sysfs);
	CHECK_INT(sysattr_read_once(path, &b, &open_failed), SYSATTR_MAX);
	snprintf(path, sizeof(path), "%s/missing", nodex_paths.sysfs);
	CHECK_INT(sysattr_read_once(path, &b, &open_failed), -ENOENT);
	CHECK(open_failed);
	snprintf(path, sizeof(path), "%s/dir", nodex_paths.sysfs);
	CHECK_INT(sysattr_read_once(path, &b, &open_failed), -EISDIR);
	CHECK(!open_failed);
	test_remove_root();
	sb_free(&b);
}

static void test_list_regular(void)
{
	static const struct tfile files[] = {
		{ "sys/d/b", "1" },
		{ "sys/d/a", "2" },
		{ "sys/d/sub", NULL },
		{ "sys/d/link", "->a" },
	};
	struct arena a = { 0 };
	char **names, path[512];

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	snprintf(path, sizeof(path), "%s/d", nodex_paths.sysfs);
	CHECK_INT(dir_list_regular(path, &a, &names), 2);
	CHECK_STR(names[0], "a");
	CHECK_STR(names[1], "b");
	snprintf(path, sizeof(path), "%s/none", nodex_paths.sysfs);
	CHECK_INT(dir_list_regular(path, &a, &names), -ENOENT);
	test_remove_root();
	arena_free(&a);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_read();
	test_read_once();
	test_list_regular();
	return test_summary(argv[0]);
}
