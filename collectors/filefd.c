/* filefd: node_filefd_allocated and node_filefd_maximum from /proc/sys/fs/file-nr ("allocated unused
 * maximum", tab-separated; the middle value is always 0 since Linux 2.6 and is not exported), as
 * node_exporter's filefd_linux.go. */
#include "collector.h"

METRIC(allocated_desc, GAUGE, "node_filefd_allocated", "File descriptor statistics: allocated.");
METRIC(maximum_desc, GAUGE, "node_filefd_maximum", "File descriptor statistics: maximum.");

static int filefd_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "sys/fs/file-nr");
	char *fields[4];
	double allocated, maximum;
	int nf;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get file-nr: open %s: %s", c->path.p, strerror((int)-n));
	nf = split_fields(c->buf.p, fields, 4);
	if (nf < 3)
		return ctx_fail(c, -EINVAL, "couldn't get file-nr: unexpected number of file stats in %s", c->path.p);
	if (parse_double(fields[0], NULL, &allocated) < 0)
		return ctx_fail(c, -EINVAL, "invalid value %s in file-nr", fields[0]);
	if (parse_double(fields[2], NULL, &maximum) < 0)
		return ctx_fail(c, -EINVAL, "invalid value %s in file-nr", fields[2]);
	metric_emit(c->ms, &allocated_desc, allocated);
	metric_emit(c->ms, &maximum_desc, maximum);
	return 0;
}

COLLECTOR(filefd, .default_on = true);
