/* meminfo: node_memory_<field>[_bytes] from /proc/meminfo. Every line becomes a gauge, as node_exporter
 * did before 1.9 (a superset of the fixed list 1.9+ emits): "Active(anon)" turns into "Active_anon", and
 * a value in kB is multiplied by 1024 and gets the _bytes suffix. */
#include <stdio.h>

#include "collector.h"

/* Parses one "Key:   value [kB]" line. Writes the metric name suffix (Active_anon_bytes) into name and
 * the value in bytes (or unitless) into *v. Returns 0, or -EINVAL for a malformed line. */
static int meminfo_parse_line(char *line, char *name, size_t name_size, double *v)
{
	char *fields[4];
	int n = split_fields(line, fields, 4);
	size_t len;
	uint64_t u;

	if (n < 2 || n > 3)
		return -EINVAL;
	len = strlen(fields[0]);
	if (len < 2 || fields[0][len - 1] != ':')
		return -EINVAL;
	fields[0][len - 1] = '\0';
	if (parse_u64(fields[1], NULL, &u) < 0)
		return -EINVAL;
	if (n == 3 && !streq(fields[2], "kB"))
		return -EINVAL;
	/* "Active(anon)" -> "Active_anon" */
	size_t o = 0;
	for (char *k = fields[0]; *k && o + 1 < name_size; k++) {
		if (*k == '(')
			name[o++] = '_';
		else if (*k != ')')
			name[o++] = *k;
	}
	if (n == 3) {
		if (o + 7 >= name_size)
			return -EINVAL;
		memcpy(name + o, "_bytes", 7);
		*v = (double)u * 1024;
	} else {
		name[o] = '\0';
		*v = (double)u;
	}
	return 0;
}

static int meminfo_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "meminfo");
	char *p, *line, key[128], full[160], help[200];
	double v;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get meminfo: %s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	while ((line = next_line(&p))) {
		if (!*line)
			continue;
		if (meminfo_parse_line(line, key, sizeof(key), &v) < 0) {
			bad++;
			continue;
		}
		/* Built with memcpy: this runs for every line of every scrape. key is < 128 bytes. */
		size_t klen = strlen(key);
		memcpy(full, "node_memory_", 12);
		memcpy(full + 12, key, klen + 1);
		memcpy(help, "Memory information field ", 25);
		memcpy(help + 25, key, klen);
		memcpy(help + 25 + klen, ".", 2);
		struct metric_desc d = { .name = full, .help = help, .type = METRIC_GAUGE };
		metric_emit(c->ms, &d, v);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get meminfo: %d malformed line(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(meminfo, .default_on = true);
