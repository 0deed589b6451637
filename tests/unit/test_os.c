#include <fcntl.h>
#include <sys/stat.h>

#include "harness.h"

extern const struct collector collector_os;


static const struct collector_case cases[] = {
	{ "Debian in /usr/lib (no /etc/os-release)",
	  { { "usr/lib/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
				    "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
				    "HOME_URL=\"https://www.debian.org/\"\n" } },
	  .expect = "node_os_info{build_id=\"\",id=\"debian\",id_like=\"\",image_id=\"\",image_version=\"\",name=\"Debian GNU/Linux\",pretty_name=\"Debian GNU/Linux 12 (bookworm)\",variant=\"\",variant_id=\"\",version=\"12 (bookworm)\",version_codename=\"bookworm\",version_id=\"12\"} 1\n"
		    "node_os_version{id=\"debian\",id_like=\"\",name=\"Debian GNU/Linux\"} 12\n" },
	{ "/etc wins over /usr/lib; SUPPORT_END; comments, export, quotes and escapes",
	  { { "etc/os-release", "# Fedora\n\n  NAME='Fedora Linux'\nexport ID=fedora\nVERSION_ID=40.1.2\n"
				"PRETTY_NAME=\"Fedora \\\"Linux\\\" 40 \\u00e9 \\$HOME\"   # trailing comment\n"
				"VARIANT=Cloud Edition # comment\nVARIANT_ID=cloud\nID_LIKE=\nSUPPORT_END=2025-05-13\n"
				"IMAGE_ID=\"a\"'b'c\nBUILD_ID=x#y\n" },
	    { "usr/lib/os-release", "NAME=Other\nID=other\n" } },
	  .expect = "node_os_info{build_id=\"x\",id=\"fedora\",id_like=\"\",image_id=\"abc\",image_version=\"\",name=\"Fedora Linux\",pretty_name=\"Fedora \\\"Linux\\\" 40 \xc3\xa9 $HOME\",variant=\"Cloud Edition\",variant_id=\"cloud\",version=\"\",version_codename=\"\",version_id=\"40.1.2\"} 1\n"
		    "node_os_support_end_timestamp_seconds 1.7470944e+09\n"
		    "node_os_version{id=\"fedora\",id_like=\"\",name=\"Fedora Linux\"} 40.1\n" },
	{ "VERSION_ID that does not start with a number: no node_os_version",
	  { { "etc/os-release", "NAME=Arch Linux\nID=arch\nVERSION_ID=rolling\nBUILD_ID=rolling\n" } },
	  .expect = "node_os_info{build_id=\"rolling\",id=\"arch\",id_like=\"\",image_id=\"\",image_version=\"\",name=\"Arch Linux\",pretty_name=\"\",variant=\"\",variant_id=\"\",version=\"\",version_codename=\"\",version_id=\"rolling\"} 1\n" },
	{ "no os-release: no data", { { "etc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "unterminated quote", { { "etc/os-release", "NAME=\"Broken\nID=x\n" } }, .expect = "", .expect_fail = 1 },
	{ "line without =", { { "etc/os-release", "NAME=x\njust words\n" } }, .expect = "", .expect_fail = 1 },
	{ "key with a dash", { { "etc/os-release", "MY-KEY=x\n" } }, .expect = "", .expect_fail = 1 },
	{ "unknown escape", { { "etc/os-release", "NAME=\"a\\qb\"\n" } }, .expect = "", .expect_fail = 1 },
	{ "control character", { { "etc/os-release", "NAME=a\tb\x01\n" } }, .expect = "", .expect_fail = 1 },
	{ "bad SUPPORT_END", { { "etc/os-release", "ID=x\nSUPPORT_END=2025-02-30\n" } }, .expect = "", .expect_fail = 1 },
	{ "empty file", { { "etc/os-release", "" } },
	  .expect = "node_os_info{build_id=\"\",id=\"\",id_like=\"\",image_id=\"\",image_version=\"\",name=\"\",pretty_name=\"\",variant=\"\",variant_id=\"\",version=\"\",version_codename=\"\",version_id=\"\"} 1\n" },
};

/* The parsed file is kept while path and mtime stay; a new mtime is read again. */
static void test_cache(void)
{
	struct tfile files[] = { { "etc/os-release", "ID=one\nVERSION_ID=1\n" }, { NULL } };
	struct strbuf out = { 0 };
	char path[1024];
	const char *root = test_make_root(files, 1);
	struct timespec t1[2] = { { 1000, 0 }, { 1000, 0 } }, t2[2] = { { 2000, 0 }, { 2000, 0 } };

	CHECK(root != NULL);
	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	CHECK(utimensat(AT_FDCWD, path, t1, 0) == 0);
	CHECK(collector_os.collect != NULL);
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	CHECK_INT(collector_os.collect(&ctx), 0);
	CHECK(metric_set_find(&ms, "node_os_version") && metric_set_find(&ms, "node_os_version")->samples[0].value == 1);
	/* Same mtime, new content: the cached labels are used. */
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("ID=two\nVERSION_ID=2\n", f);
	fclose(f);
	CHECK(utimensat(AT_FDCWD, path, t1, 0) == 0);
	metric_set_reset(&ms);
	CHECK_INT(collector_os.collect(&ctx), 0);
	CHECK(metric_set_find(&ms, "node_os_version")->samples[0].value == 1);
	/* New mtime: read again. */
	CHECK(utimensat(AT_FDCWD, path, t2, 0) == 0);
	metric_set_reset(&ms);
	CHECK_INT(collector_os.collect(&ctx), 0);
	CHECK(metric_set_find(&ms, "node_os_version")->samples[0].value == 2);
	/* A broken file is not cached: every scrape fails until it is fixed. */
	f = fopen(path, "w");
	fputs("ID=\"three\n", f);
	fclose(f);
	metric_set_reset(&ms);
	CHECK(collector_os.collect(&ctx) < 0);
	metric_set_reset(&ms);
	CHECK(collector_os.collect(&ctx) < 0);
	collector_os.fini();
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_os, cases, ARRAY_SIZE(cases));
	test_cache();
	test_remove_root();
	return test_summary(argv[0]);
}
