/* entropy: node_entropy_available_bits and node_entropy_pool_size_bits from
 * /proc/sys/kernel/random/{entropy_avail,poolsize}, as node_exporter's entropy_linux.go (procfs
 * KernelRandom): a missing entropy_avail or poolsize fails the run with what was read so far. */
#include "collector.h"

METRIC(avail_desc, GAUGE, "node_entropy_available_bits", "Bits of available entropy.");
METRIC(pool_desc, GAUGE, "node_entropy_pool_size_bits", "Bits of entropy pool.");

static int read_value(struct collect_ctx *c, const char *file, uint64_t *v)
{
	const char *path = ctx_path(c, ROOT_PROC, "sys/kernel/random/%s", file);
	int r;

	if (!path)
		return -ENOMEM;
	r = file_read_u64(path, &c->buf, v);
	if (r == -ENOENT)
		return ctx_fail(c, r, "couldn't get entropy %s: %s does not exist", file, path);
	if (r < 0)
		return ctx_fail(c, r, "failed to get kernel random stats: %s: %s", path, strerror(-r));
	return 0;
}

static int entropy_collect(struct collect_ctx *c)
{
	uint64_t v;
	int r;

	if ((r = read_value(c, "entropy_avail", &v)) < 0)
		return r;
	metric_emit(c->ms, &avail_desc, (double)v);
	if ((r = read_value(c, "poolsize", &v)) < 0)
		return r;
	metric_emit(c->ms, &pool_desc, (double)v);
	return 0;
}

COLLECTOR(entropy, .default_on = true);
