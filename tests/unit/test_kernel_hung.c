#include "harness.h"

extern const struct collector collector_kernel_hung;

static const struct collector_case cases[] = {
	{ "ok", { { "proc/sys/kernel/hung_task_detect_count", "3\n" } }, .expect = "node_kernel_hung_tasks_total 3\n" },
	{ "zero", { { "proc/sys/kernel/hung_task_detect_count", "0\n" } }, .expect = "node_kernel_hung_tasks_total 0\n" },
	{ "huge", { { "proc/sys/kernel/hung_task_detect_count", "18446744073709551615\n" } },
	  .expect = "node_kernel_hung_tasks_total 1.8446744073709552e+19\n" },
	{ "old kernel", { { "proc/sys/kernel", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/sys/kernel/hung_task_detect_count", "" } }, .expect = "", .expect_fail = 1 },
	{ "negative", { { "proc/sys/kernel/hung_task_detect_count", "-1\n" } }, .expect = "", .expect_fail = 1 },
	{ "garbage", { { "proc/sys/kernel/hung_task_detect_count", "3 4\n" } }, .expect = "", .expect_fail = 1 },
	{ "overflow", { { "proc/sys/kernel/hung_task_detect_count", "18446744073709551616\n" } }, .expect = "",
	  .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	static const struct tfile none[] = { { "proc/sys/kernel", NULL } };
	static const struct tfile bad[] = { { "proc/sys/kernel/hung_task_detect_count", "x\n" } };

	(void)argc;
	test_collector_cases(&collector_kernel_hung, cases, ARRAY_SIZE(cases));
	/* missing: no data (debug only); unparsable: a real failure */
	CHECK(test_make_root(none, ARRAY_SIZE(none)) != NULL);
	CHECK_INT(test_run_collector(&collector_kernel_hung, &out), COLLECTOR_NO_DATA);
	CHECK(test_make_root(bad, ARRAY_SIZE(bad)) != NULL);
	CHECK_INT(test_run_collector(&collector_kernel_hung, &out), -EINVAL);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
