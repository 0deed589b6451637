/* uname: node_uname_info from uname(2), with node_exporter's label set. */
#include <sys/utsname.h>

#include "collector.h"

METRIC(uname_desc, GAUGE, "node_uname_info", "Labeled system information as provided by the uname system call.",
       "sysname", "release", "version", "machine", "nodename", "domainname");

static int uname_collect(struct collect_ctx *c)
{
	struct utsname u;

	if (uname(&u) < 0)
		return ctx_fail(c, -errno, "uname: %s", strerror(errno));
	metric_emit(c->ms, &uname_desc, 1, u.sysname, u.release, u.version, u.machine, u.nodename,
		    u.domainname);
	return 0;
}

COLLECTOR(uname, .default_on = true);
