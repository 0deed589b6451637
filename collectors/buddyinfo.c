/* buddyinfo: node_buddyinfo_blocks{node,size,zone} from /proc/buddyinfo, as node_exporter's buddyinfo
 * collector (procfs BuddyInfo): free blocks per zone and order, where size is the order (the block holds
 * 2^size pages). Every line must have the same number of orders. */
#include <stdio.h>

#include "collector.h"

METRIC(blocks_desc, GAUGE, "node_buddyinfo_blocks", "Count of free blocks according to size.", "node", "zone", "size");

static int buddyinfo_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "buddyinfo");
	struct family *fam;
	char *p, *line;
	int buckets = -1, bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get buddyinfo: %s: %s", c->path.p, strerror((int)-n));
	fam = metric_family(c->ms, &blocks_desc);
	p = c->buf.p;
	while ((line = next_line(&p))) {
		/* "Node 0, zone   Normal   4381   1093 ..." */
		char *f[4 + 64];
		int nf = split_fields(line, f, (int)ARRAY_SIZE(f));
		double v[64];
		size_t l;
		bool ok = true;

		if (nf < 4 || nf == (int)ARRAY_SIZE(f)) {
			bad++;
			continue;
		}
		if (buckets < 0)
			buckets = nf - 4;
		if (nf - 4 != buckets) {
			bad++;
			continue;
		}
		for (int i = 4; i < nf && ok; i++)
			ok = parse_double(f[i], NULL, &v[i - 4]) == 0;
		if (!ok) {
			bad++;
			continue;
		}
		for (int k = 1; k <= 3; k += 2) {
			l = strlen(f[k]);
			while (l && f[k][l - 1] == ',')
				f[k][--l] = '\0';
		}
		for (int i = 0; i < nf - 4; i++) {
			char size[16];
			snprintf(size, sizeof(size), "%d", i);
			metric_add(fam, v[i], f[1], f[3], size);
		}
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get buddyinfo: %d malformed line(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(buddyinfo, .default_on = false);
