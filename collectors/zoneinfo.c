/* zoneinfo: node_zoneinfo_*{node,zone} from /proc/zoneinfo, as node_exporter's zoneinfo collector (procfs
 * Zoneinfo).
 *
 * procfs cuts the file at every line that starts with "Node" and reads each piece as one zone: the
 * "N, zone NAME" header sets the labels, "key value" lines set the fields it knows, "protection: (a, b,
 * ...)" the protection array. The per-node statistics the kernel prints under the first zone of a node
 * therefore belong to that zone, as in node_exporter. A value that does not parse leaves the field unset
 * (procfs's parser ignores the error), so it is not emitted. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"

/* node_zoneinfo_<name>{node,zone} for the zone field key. */
#define Z(key, name, help, type) { key, METRIC_DESC("node_zoneinfo_" name, help, METRIC_##type, "node", "zone") }

static const struct zfield {
	const char *key;
	struct metric_desc d;
} fields[] = {
	Z("nr_free_pages", "nr_free_pages", "Total number of free pages in the zone", GAUGE),
	Z("min", "min_pages", "Zone watermark pages_min", GAUGE),
	Z("low", "low_pages", "Zone watermark pages_low", GAUGE),
	Z("high", "high_pages", "Zone watermark pages_high", GAUGE),
	Z("scanned", "scanned_pages", "Pages scanned since last reclaim", GAUGE),
	Z("spanned", "spanned_pages", "Total pages spanned by the zone, including holes", GAUGE),
	Z("present", "present_pages", "Physical pages existing within the zone", GAUGE),
	Z("managed", "managed_pages", "Present pages managed by the buddy system", GAUGE),
	Z("nr_active_anon", "nr_active_anon_pages", "Number of anonymous pages recently more used", GAUGE),
	Z("nr_inactive_anon", "nr_inactive_anon_pages", "Number of anonymous pages recently less used", GAUGE),
	Z("nr_isolated_anon", "nr_isolated_anon_pages", "Temporary isolated pages from anon lru", GAUGE),
	Z("nr_anon_pages", "nr_anon_pages", "Number of anonymous pages currently used by the system", GAUGE),
	Z("nr_anon_transparent_hugepages", "nr_anon_transparent_hugepages",
	  "Number of anonymous transparent huge pages currently used by the system", GAUGE),
	Z("nr_active_file", "nr_active_file_pages", "Number of active pages with file-backing", GAUGE),
	Z("nr_inactive_file", "nr_inactive_file_pages", "Number of inactive pages with file-backing", GAUGE),
	Z("nr_isolated_file", "nr_isolated_file_pages", "Temporary isolated pages from file lru", GAUGE),
	Z("nr_file_pages", "nr_file_pages", "Number of file pages", GAUGE),
	Z("nr_slab_reclaimable", "nr_slab_reclaimable_pages", "Number of reclaimable slab pages", GAUGE),
	Z("nr_slab_unreclaimable", "nr_slab_unreclaimable_pages", "Number of unreclaimable slab pages", GAUGE),
	Z("nr_mlock_stack", "nr_mlock_stack_pages", "mlock()ed pages found and moved off LRU", GAUGE),
	Z("nr_kernel_stack", "nr_kernel_stacks", "Number of kernel stacks", GAUGE),
	Z("nr_mapped", "nr_mapped_pages", "Number of mapped pages", GAUGE),
	Z("nr_dirty", "nr_dirty_pages", "Number of dirty pages", GAUGE),
	Z("nr_writeback", "nr_writeback_pages", "Number of writeback pages", GAUGE),
	Z("nr_unevictable", "nr_unevictable_pages", "Number of unevictable pages", GAUGE),
	Z("nr_shmem", "nr_shmem_pages", "Number of shmem pages (included tmpfs/GEM pages)", GAUGE),
	Z("nr_dirtied", "nr_dirtied_total", "Page dirtyings since bootup", COUNTER),
	Z("nr_written", "nr_written_total", "Page writings since bootup", COUNTER),
	Z("numa_hit", "numa_hit_total", "Allocated in intended node", COUNTER),
	Z("numa_miss", "numa_miss_total", "Allocated in non intended node", COUNTER),
	Z("numa_foreign", "numa_foreign_total", "Was intended here, hit elsewhere", COUNTER),
	Z("numa_interleave", "numa_interleave_total", "Interleaver preferred this zone", COUNTER),
	Z("numa_local", "numa_local_total", "Allocation from local node", COUNTER),
	Z("numa_other", "numa_other_total", "Allocation from other node", COUNTER),
};

#undef Z

#define N_FIELDS ARRAY_SIZE(fields)
#define MAX_PROTECTION 32

struct zone {
	const char *node, *zone;
	bool set[N_FIELDS];
	int64_t v[N_FIELDS];
	int64_t prot[MAX_PROTECTION];
	int n_prot;
};

/* RE2 \s: space, \t, \n, \v is not included, \f, \r. */
static bool re_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

static bool re_word(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

/* The leftmost match of `(\d+), zone\s+(\w+)` in line: node and zone are written as arena copies. */
static bool match_node_zone(struct arena *a, const char *line, const char **node, const char **zone)
{
	for (const char *p = line; *p; p++) {
		const char *q = p, *z, *ze;
		if (*p < '0' || *p > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		/* a digit run: the match can only start at its first digit, as any later start has the same end */
		if (strncmp(q, ", zone", 6) == 0 && re_space(q[6])) {
			z = q + 6;
			while (re_space(*z))
				z++;
			ze = z;
			while (re_word(*ze))
				ze++;
			if (ze > z) {
				*node = arena_strndup(a, p, (size_t)(q - p));
				*zone = arena_strndup(a, z, (size_t)(ze - z));
				return true;
			}
		}
		p = q - 1;
	}
	return false;
}

static void emit_zone(struct collect_ctx *c, const struct zone *z)
{
	const char *node = z->node ? z->node : "", *zone = z->zone ? z->zone : "";

	for (size_t i = 0; i < N_FIELDS; i++)
		if (z->set[i])
			metric_emit(c->ms, &fields[i].d, (double)z->v[i], node, zone);
	for (int i = 0; i < z->n_prot; i++) {
		char name[64], help[64];
		snprintf(name, sizeof(name), "node_zoneinfo_protection_%d", i);
		snprintf(help, sizeof(help), "Protection array %d. field", i);
		struct metric_desc d = { .name = name, .help = help, .type = METRIC_GAUGE, .n_labels = 2,
					 .labels = (const char *const[]){ "node", "zone" } };
		metric_emit(c->ms, &d, (double)z->prot[i], node, zone);
	}
}

/* "        protection: (0, 2039, 31932, 31932, 31932)": the text between the first and second ':', one
 * '(' and one ')' removed, split on ", ", every element a decimal int64. Returns false when one does not
 * parse (the zone keeps its earlier array then). */
static bool parse_protection(char *line, struct zone *z)
{
	char *s = strchr(line, ':'), *e, *p;
	int64_t v[MAX_PROTECTION];
	int n = 0;

	s++;
	if ((e = strchr(s, ':')))
		*e = '\0';
	if ((p = strchr(s, '(')))
		memmove(p, p + 1, strlen(p));
	if ((p = strchr(s, ')')))
		memmove(p, p + 1, strlen(p));
	while (re_space(*s) || *s == '\v')
		s++;
	strip_trailing(s);
	for (;;) {
		char *sep = strstr(s, ", ");
		if (sep)
			*sep = '\0';
		if (n == MAX_PROTECTION || !*s || !(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')) ||
		    parse_i64(*s == '+' ? s + 1 : s, NULL, &v[n]) < 0 || strpbrk(s, " \t"))
			return false;
		n++;
		if (!sep)
			break;
		s = sep + 2;
	}
	memcpy(z->prot, v, (size_t)n * sizeof(v[0]));
	z->n_prot = n;
	return true;
}

static int zoneinfo_collect(struct collect_ctx *c)
{
	struct arena *a = &c->ms->arena;
	ssize_t n = ctx_read(c, ROOT_PROC, "zoneinfo");
	struct zone *z;
	char *p, *line;
	bool first = true;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get zoneinfo: %s: %s", c->path.p, strerror((int)-n));
	z = arena_zalloc(a, sizeof(*z));
	if (!z)
		return -ENOMEM;
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[3], *t;
		int nf;

		if (!first && startswith(line, "Node")) {
			emit_zone(c, z);
			memset(z, 0, sizeof(*z));
			line += 4;
		}
		first = false;
		if (match_node_zone(a, line, &z->node, &z->zone)) {
			if (!z->node || !z->zone)
				return -ENOMEM;
			continue;
		}
		t = line;
		while (re_space(*t) || *t == '\v')
			t++;
		if (startswith(t, "per-node stats"))
			continue;
		if (startswith(t, "protection:") && t[11] && (re_space(t[11]) || t[11] == '\v')) {
			/* a second field must follow, as for any key */
			const char *r = t + 11;
			while (re_space(*r) || *r == '\v')
				r++;
			if (*r)
				parse_protection(line, z);
			continue;
		}
		nf = split_fields(t, f, 3);
		if (nf < 2)
			continue;
		for (size_t i = 0; i < N_FIELDS; i++) {
			if (streq(f[0], fields[i].key)) {
				z->set[i] = go_parse_int(f[1], 0, 64, &z->v[i]) == 0;
				break;
			}
		}
	}
	emit_zone(c, z);
	return 0;
}

COLLECTOR(zoneinfo, .default_on = false);
