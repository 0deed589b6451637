#include <sys/utsname.h>

#include "harness.h"

extern const struct collector collector_uname;

int main(int argc, char **argv)
{
	struct utsname u;
	struct strbuf out = { 0 }, want = { 0 };

	(void)argc;
	CHECK(uname(&u) == 0);
	CHECK_INT(test_run_collector(&collector_uname, &out), 0);
	sb_printf(&want,
		  "# HELP node_uname_info Labeled system information as provided by the uname system call.\n"
		  "# TYPE node_uname_info gauge\n"
		  "node_uname_info{domainname=\"%s\",machine=\"%s\",nodename=\"%s\",release=\"%s\",sysname=\"%s\","
		  "version=\"%s\"} 1\n",
		  u.domainname, u.machine, u.nodename, u.release, u.sysname, u.version);
	CHECK_STR(out.p, want.p);
	sb_free(&out);
	sb_free(&want);
	return test_summary(argv[0]);
}
