#include "harness.h"

extern const struct collector collector_filefd;

static const struct collector_case cases[] = {
	{ "ok", { { "proc/sys/fs/file-nr", "1024\t0\t1631329\n" } },
	  .expect = "node_filefd_allocated 1024\nnode_filefd_maximum 1.631329e+06\n" },
	{ "HELP and TYPE", { { "proc/sys/fs/file-nr", "5\t0\t9\n" } },
	  .expect = "# HELP node_filefd_allocated File descriptor statistics: allocated.\n"
		    "# TYPE node_filefd_allocated gauge\nnode_filefd_allocated 5\n"
		    "# HELP node_filefd_maximum File descriptor statistics: maximum.\n"
		    "# TYPE node_filefd_maximum gauge\nnode_filefd_maximum 9\n",
	  .full = true },
	{ "huge maximum (fs.file-max = LONG_MAX)", { { "proc/sys/fs/file-nr", "3264\t0\t9223372036854775807\n" } },
	  .expect = "node_filefd_allocated 3264\nnode_filefd_maximum 9.223372036854776e+18\n" },
	{ "no trailing newline", { { "proc/sys/fs/file-nr", "1\t0\t2" } },
	  .expect = "node_filefd_allocated 1\nnode_filefd_maximum 2\n" },
	{ "too few fields", { { "proc/sys/fs/file-nr", "1024\t0\n" } }, .expect = "", .expect_fail = 1 },
	{ "garbage", { { "proc/sys/fs/file-nr", "a\tb\tc\n" } }, .expect = "", .expect_fail = 1 },
	{ "bad maximum", { { "proc/sys/fs/file-nr", "1\t0\tx\n" } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/sys/fs/file-nr", "" } }, .expect = "", .expect_fail = 1 },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_filefd, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
