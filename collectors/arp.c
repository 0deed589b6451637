/* arp: node_arp_entries {device}, ARP (IPv4 neighbour) entries per interface.
 *
 * By default from rtnetlink (an RTM_GETNEIGH dump of the AF_INET table), skipping NUD_NOARP entries as
 * /proc/net/arp does; that path also gives node_arp_states {device,state}. With
 * --no-collector.arp.netlink the entries are counted in /proc/net/arp. */
#include <ctype.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

#include "collector.h"
#include "netlink.h"

static const char *opt_include, *opt_exclude;
static bool opt_netlink;
static struct name_filter filter;

static struct flag arp_flags[] = {
	{ "collector.arp.device-include", FLAG_STRING, NULL,
	  "Regexp of arp devices to include (mutually exclusive to device-exclude).", &opt_include },
	{ "collector.arp.device-exclude", FLAG_STRING, NULL,
	  "Regexp of arp devices to exclude (mutually exclusive to device-include).", &opt_exclude },
	{ "collector.arp.netlink", FLAG_BOOL, "true", "Use netlink to gather stats instead of /proc/net/arp.",
	  &opt_netlink },
	{ NULL },
};

METRIC(entries_desc, GAUGE, "node_arp_entries", "ARP entries by device", "device");
METRIC(states_desc, GAUGE, "node_arp_states", "ARP states by device", "device", "state");

/* The NUD states node_exporter names; any other value (a combination, NUD_NONE) has the empty name, as a
 * missing key in its Go map. Index = bit number. */
static const char *const nud_names[8] = {
	"incomplete", "reachable", "stale", "delay", "probe", "failed", NULL /* noarp */, "permanent",
};

static const char *nud_name(uint16_t state)
{
	for (int b = 0; b < 8; b++) {
		if (state == (1u << b))
			return nud_names[b] ? nud_names[b] : "";
	}
	return "";
}

enum { N_STATES = 9 }; /* 8 single-bit states + "other" */

struct arp_dev {
	const char *name;
	uint32_t count;
	uint32_t states[N_STATES];
};

struct arp_table {
	struct arp_dev *d;
	size_t n, cap;
};

static int arp_init(char *err, size_t err_size)
{
	return name_filter_init(&filter, opt_include, opt_exclude, err, err_size);
}

static struct arp_dev *table_get(struct arp_table *t, struct arena *a, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->d[i].name, name))
			return &t->d[i];
	void *grown = arena_grow(a, t->d, t->n, &t->cap, sizeof(*t->d));
	if (!grown)
		return NULL;
	t->d = grown;
	struct arp_dev *d = &t->d[t->n];
	memset(d, 0, sizeof(*d));
	if (!(d->name = arena_strdup(a, name)))
		return NULL;
	t->n++;
	return d;
}

static int state_slot(uint16_t state)
{
	for (int b = 0; b < 8; b++)
		if (state == (1u << b))
			return b;
	return 8;
}

/* Counts the AF_INET neighbours of a dump by interface. Returns the number of malformed messages. */
static int count_neighbours(const void *buf, size_t len, const struct nl_link *links, size_t n_links,
			    struct arena *a, struct arp_table *t)
{
	struct nl_iter it;
	struct nl_msg m;
	int bad = 0;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct ndmsg nd;

		if (m.type != RTM_NEWNEIGH)
			continue;
		if (m.len < sizeof(nd)) {
			bad++;
			continue;
		}
		memcpy(&nd, m.data, sizeof(nd));
		if (nd.ndm_family != AF_INET || (nd.ndm_state & NUD_NOARP))
			continue;
		const char *name = nl_link_find(links, n_links, (uint32_t)nd.ndm_ifindex);
		if (!name)
			continue; /* the interface went away between the two dumps */
		struct arp_dev *d = table_get(t, a, name);
		if (!d)
			return -ENOMEM;
		d->count++;
		d->states[state_slot(nd.ndm_state)]++;
	}
	if (it.bad)
		bad++;
	return bad;
}

static struct strbuf buf; /* netlink replies, kept between runs */

static int collect_netlink(struct collect_ctx *c, struct arp_table *t, int *bad)
{
	struct nl_sock s = { .fd = -1 };
	struct nl_link *links = NULL;
	struct ndmsg nd = { .ndm_family = AF_INET };
	ssize_t n_links;
	int r;

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return r;
	n_links = nl_link_names(&s, &buf, &c->ms->arena, &links);
	if (n_links < 0) {
		nl_close(&s);
		return (int)n_links;
	}
	r = nl_transact(&s, RTM_GETNEIGH, NLM_F_DUMP, &nd, sizeof(nd), &buf);
	nl_close(&s);
	if (r < 0)
		return r;
	r = count_neighbours(buf.p, buf.len, links, (size_t)n_links, &c->ms->arena, t);
	if (r < 0)
		return r;
	*bad = r;
	return 0;
}

/* True for a hardware address as the kernel prints it: hex byte pairs separated by ':'. */
static bool is_hwaddr(const char *s)
{
	size_t n = 0;

	for (;;) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return false;
		s += 2;
		n++;
		if (*s == '\0')
			return n > 0;
		if (*s != ':')
			return false;
		s++;
	}
}

/* Counts /proc/net/arp lines by device (the last of 6 columns), skipping the 9-word header and empty
 * lines, as prometheus/procfs does. Returns the number of malformed lines. */
static int parse_proc_arp(char *p, struct arena *a, struct arp_table *t)
{
	char *line;
	int bad = 0;

	while ((line = next_line(&p))) {
		char *f[10];
		int n = split_fields(line, f, 10);
		uint64_t flags;
		if (n == 0 || n == 9)
			continue;
		if (n != 6 || !is_hwaddr(f[3]) || parse_hex_u64(f[2], NULL, &flags) < 0 || flags > 0xff) {
			bad++;
			continue;
		}
		struct arp_dev *d = table_get(t, a, f[5]);
		if (!d)
			return -ENOMEM;
		d->count++;
	}
	return bad;
}

static int arp_collect(struct collect_ctx *c)
{
	struct arp_table t = { 0 };
	int bad = 0, r;

	if (opt_netlink) {
		r = collect_netlink(c, &t, &bad);
		if (r < 0)
			return ctx_fail(c, r, "could not get ARP entries: %s", strerror(-r));
	} else {
		ssize_t n = ctx_read(c, ROOT_PROC, "net/arp");
		if (n < 0)
			return ctx_fail(c, (int)n, "could not get ARP entries: open %s: %s", c->path.p,
					strerror((int)-n));
		bad = parse_proc_arp(c->buf.p, &c->ms->arena, &t);
		if (bad < 0)
			return ctx_fail(c, bad, "could not get ARP entries: %s", strerror(-bad));
		if (bad)
			/* procfs refuses the whole file. */
			return ctx_fail(c, -EINVAL, "could not get ARP entries: %d malformed line(s) in %s", bad,
					c->path.p);
	}

	struct family *fe = t.n ? metric_family(c->ms, &entries_desc) : NULL;
	struct family *fs = t.n && opt_netlink ? metric_family(c->ms, &states_desc) : NULL;
	for (size_t i = 0; i < t.n; i++) {
		const struct arp_dev *d = &t.d[i];
		if (name_filter_ignored(&filter, d->name))
			continue;
		metric_add(fe, d->count, d->name);
		if (!fs)
			continue;
		/* Single-bit states by name; every other value shares the empty name. */
		for (int s = 0; s < N_STATES; s++) {
			if (!d->states[s])
				continue;
			metric_add(fs, d->states[s], d->name, s < 8 ? nud_name((uint16_t)(1u << s)) : "");
		}
	}
	if (bad)
		return ctx_fail(c, -EBADMSG, "could not get ARP entries: %d malformed neighbour message(s)", bad);
	return 0;
}

static void arp_fini(void)
{
	name_filter_free(&filter);
	sb_free(&buf);
}

COLLECTOR(arp, .default_on = true, .flags = arp_flags, .init = arp_init, .fini = arp_fini);
