/* bonding: node_bonding_slaves and node_bonding_active per bonding master, from
 * <sysfs>/class/net/bonding_masters, <master>/bonding/slaves and each slave's
 * lower_<slave>/bonding_slave/mii_status (slave_<slave>/... on older kernels). As node_exporter, nothing is
 * emitted unless every file could be read; a missing file means "no data". */
#include "collector.h"

METRIC(slaves_desc, GAUGE, "node_bonding_slaves", "Number of configured slaves per bonding interface.", "master");
METRIC(active_desc, GAUGE, "node_bonding_active", "Number of active slaves per bonding interface.", "master");

/* Scratch buffers for the slave list and the slave states, kept across runs. */
static struct strbuf slaves, state;

struct bond {
	const char *master;
	unsigned slaves, active;
};

/* Reads one sysfs file into buf; a missing file turns into COLLECTOR_NO_DATA. */
static int bonding_read(struct collect_ctx *c, struct strbuf *buf, const char *path)
{
	ssize_t n = file_read(path, buf);

	if (n == -ENOENT)
		return ctx_fail(c, COLLECTOR_NO_DATA, "Not collecting bonding, file does not exist: %s", path);
	if (n < 0)
		return ctx_fail(c, (int)n, "%s: %s", path, strerror((int)-n));
	return 0;
}

static int bonding_collect(struct collect_ctx *c)
{
	struct bond *bonds = NULL;
	size_t n_bonds = 0, cap = 0;
	char *p, *master;
	int r;

	if ((r = bonding_read(c, &c->buf, ctx_path(c, ROOT_SYS, "class/net/bonding_masters"))) < 0)
		return r;
	p = c->buf.p;
	while ((master = next_field(&p))) {
		if (!(bonds = arena_grow(&c->ms->arena, bonds, n_bonds, &cap, sizeof(*bonds))))
			return -ENOMEM;
		struct bond *b = &bonds[n_bonds++];
		*b = (struct bond){ .master = master };
		if ((r = bonding_read(c, &slaves, ctx_path(c, ROOT_SYS, "class/net/%s/bonding/slaves", master))) < 0)
			return r;
		char *q = slaves.p, *slave;
		while ((slave = next_field(&q))) {
			ssize_t n = file_read(ctx_path(c, ROOT_SYS, "class/net/%s/lower_%s/bonding_slave/mii_status",
						       master, slave), &state);
			/* Older kernels name the link slave_<name>. */
			if (n == -ENOENT && (r = bonding_read(c, &state, ctx_path(c, ROOT_SYS,
						"class/net/%s/slave_%s/bonding_slave/mii_status", master, slave))) < 0)
				return r;
			if (n < 0 && n != -ENOENT)
				return ctx_fail(c, (int)n, "%s: %s", c->path.p, strerror((int)-n));
			b->slaves++;
			char *s = state.p;
			while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
				s++;
			if (streq(strip_trailing(s), "up"))
				b->active++;
		}
	}
	struct family *fs = metric_family(c->ms, &slaves_desc), *fa = metric_family(c->ms, &active_desc);
	for (size_t i = 0; i < n_bonds; i++) {
		metric_add(fs, bonds[i].slaves, bonds[i].master);
		metric_add(fa, bonds[i].active, bonds[i].master);
	}
	return 0;
}

static void bonding_fini(void)
{
	sb_free(&slaves);
	sb_free(&state);
}

COLLECTOR(bonding, .default_on = true, .fini = bonding_fini);
