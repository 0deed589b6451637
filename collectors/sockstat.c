/* sockstat: /proc/net/sockstat and /proc/net/sockstat6, as node_exporter's sockstat_linux.go with procfs's
 * parser. node_sockstat_sockets_used (IPv4 file only) and node_sockstat_<PROTO>_<state> gauges for the
 * states inuse, orphan, tw, alloc, mem, memory of each "PROTO: key value ..." line, plus <PROTO>_mem_bytes
 * = mem (pages) * the page size. Other keys are ignored. A missing file (IPv4 or IPv6 disabled) is skipped.
 *
 * procfs reports inuse as 0 for a protocol line without it; nodex leaves that sample out instead. */
#include <stdio.h>

#include "collector.h"

static const char *const states[] = { "inuse", "orphan", "tw", "alloc", "mem", "memory" };
enum { ST_MEM = 4 };

METRIC(used_desc, GAUGE, "node_sockstat_sockets_used", "Number of IPv4 sockets in use.");

static long page_size;

static void emit_state(struct collect_ctx *c, const char *proto, const char *state, double v)
{
	char name[160], help[200];

	snprintf(name, sizeof(name), "node_sockstat_%s_%s", proto, state);
	snprintf(help, sizeof(help), "Number of %s sockets in state %s.", proto, state);
	struct metric_desc d = { .name = name, .help = help, .type = METRIC_GAUGE };
	metric_emit(c->ms, &d, v);
}

/* Parses one file in c->buf. Returns the number of malformed lines. */
static int parse_sockstat(struct collect_ctx *c, bool ipv6)
{
	char *p = c->buf.p, *line;
	int bad = 0;

	while ((line = next_line(&p))) {
		char *fields[32];
		int n = split_fields(line, fields, (int)ARRAY_SIZE(fields));
		size_t plen;
		if (n == 0)
			continue;
		/* A protocol and at least one key/value pair, in pairs. */
		if (n < 3 || (n - 1) % 2 != 0 || n == (int)ARRAY_SIZE(fields)) {
			bad++;
			continue;
		}
		plen = strlen(fields[0]);
		if (plen > 1 && fields[0][plen - 1] == ':')
			fields[0][--plen] = '\0';
		if (plen == 0 || plen > 64) {
			bad++;
			continue;
		}
		int64_t vals[16];
		bool ok = true;
		for (int i = 1; i < n; i += 2)
			if (parse_i64(fields[i + 1], NULL, &vals[i / 2]) < 0)
				ok = false;
		if (!ok) {
			bad++;
			continue;
		}
		if (streq(fields[0], "sockets")) {
			if (ipv6)
				continue;
			for (int i = 1; i < n; i += 2)
				if (streq(fields[i], "used"))
					metric_emit(c->ms, &used_desc, (double)vals[i / 2]);
			continue;
		}
		/* Emit in the fixed state order; the last pair wins for a repeated key, as in a Go map. */
		int64_t mem = 0;
		bool has_mem = false;
		for (size_t s = 0; s < ARRAY_SIZE(states); s++) {
			int found = -1;
			for (int i = 1; i < n; i += 2)
				if (streq(fields[i], states[s]))
					found = i;
			if (found < 0)
				continue;
			emit_state(c, fields[0], states[s], (double)vals[found / 2]);
			if (s == ST_MEM) {
				mem = vals[found / 2];
				has_mem = true;
			}
		}
		if (has_mem)
			emit_state(c, fields[0], "mem_bytes", (double)mem * (double)page_size);
	}
	return bad;
}

static int sockstat_init(char *err, size_t err_size)
{
	(void)err;
	(void)err_size;
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0)
		page_size = 4096;
	return 0;
}

static int sockstat_collect(struct collect_ctx *c)
{
	static const struct {
		const char *file;
		const char *what;
		bool ipv6;
	} files[] = {
		{ "net/sockstat", "IPv4", false },
		{ "net/sockstat6", "IPv6", true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		ssize_t n = ctx_read(c, ROOT_PROC, "%s", files[i].file);
		if (n == -ENOENT) {
			log_debug("sockstat statistics not found, skipping", "file", c->path.p);
			continue;
		}
		if (n < 0)
			return ctx_fail(c, (int)n, "failed to get %s sockstat data: %s: %s", files[i].what, c->path.p,
					strerror((int)-n));
		int bad = parse_sockstat(c, files[i].ipv6);
		if (bad)
			return ctx_fail(c, -EINVAL, "failed to get %s sockstat data: %d malformed line(s) in %s",
					files[i].what, bad, c->path.p);
	}
	return 0;
}

COLLECTOR(sockstat, .default_on = true, .init = sockstat_init);
