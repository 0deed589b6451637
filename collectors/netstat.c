/* netstat: node_netstat_<Protocol>_<Field> (untyped, no labels) from /proc/net/netstat and /proc/net/snmp
 * (pairs of "Proto: names..." / "Proto: values..." lines) and /proc/net/snmp6 ("Proto6Field value" lines,
 * split after the first '6'), for the keys "<Protocol>_<Field>" that --collector.netstat.fields matches (Go
 * regex, unanchored), as node_exporter's netstat_linux.go. HELP is "Statistic <Protocol><Field>.". A
 * missing snmp6 (IPv6 disabled) is not an error; a missing netstat or snmp is.
 *
 * Speed: these files hold ~300 counters of which ~40 are wanted, and their layout never changes while the
 * kernel runs. For netstat/snmp the header line of every block is kept with the positions it selects (and
 * the metric names built for them); a scrape compares the header with the kept copy (one memcmp) and then
 * only walks the value line to those positions. For snmp6 the decision is kept per line position with the
 * name it was made for. The regex runs only when a header or name changes. */
#include <stdio.h>

#include "collector.h"
#include "linecache.h"

#define NETSTAT_DEFAULT_FIELDS                                                                            \
	"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(" \
	"Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|"    \
	"OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|"         \
	"RcvbufErrors|SndbufErrors))$"

static const char *opt_fields;

static struct flag netstat_flags[] = {
	{ "collector.netstat.fields", FLAG_STRING, NETSTAT_DEFAULT_FIELDS,
	  "Regexp of fields to return for netstat collector.", &opt_fields },
	{ NULL },
};

static struct regex *fields_re;

/* One wanted field: where it sits and the names to emit it under. */
struct wanted {
	unsigned index; /* position in the line, 1 = first value after the "Proto:" field */
	char *name;     /* node_netstat_<Proto>_<Field> */
	char *help;     /* Statistic <Proto><Field>. */
};

/* The decision for one header line of netstat/snmp. */
struct block {
	char *header; /* the header line as last seen */
	size_t len;
	unsigned n_fields; /* fields in the header, the "Proto:" field included */
	struct wanted *w;
	size_t n_w;
};

/* Decisions for one paired file: blocks in file order. */
struct paired_cache {
	struct block *b;
	size_t n, cap;
};
static struct paired_cache netstat_cache, snmp_cache;

/* The decisions for the lines of snmp6, by position. */
static struct line_cache snmp6_cache;

static bool valid_metric_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char ch = *s;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == ':'))
			return false;
	}
	return true;
}

/* Builds the names for Proto/Field when the key matches; returns false when not wanted (or no memory). */
static bool decide(const char *proto, size_t plen, const char *field, size_t flen, char **name, char **help)
{
	char key[512];

	*name = *help = NULL;
	if (plen + flen + 2 > sizeof(key))
		return false;
	memcpy(key, proto, plen);
	key[plen] = '_';
	memcpy(key + plen + 1, field, flen);
	key[plen + 1 + flen] = '\0';
	if (!regex_match(fields_re, key))
		return false;
	if (asprintf(name, "node_netstat_%s", key) < 0) {
		*name = NULL;
		return false;
	}
	if (!valid_metric_name(*name) || asprintf(help, "Statistic %.*s%.*s.", (int)plen, proto, (int)flen, field) < 0) {
		free(*name);
		*name = *help = NULL;
		return false;
	}
	return true;
}

static void block_clear(struct block *b)
{
	for (size_t i = 0; i < b->n_w; i++) {
		free(b->w[i].name);
		free(b->w[i].help);
	}
	free(b->w);
	free(b->header);
	*b = (struct block){ 0 };
}

/* Rebuilds block b from a header line (not modified). Returns 0 or -ENOMEM. */
static int block_build(struct block *b, const char *header, size_t len)
{
	const char *p = header, *end = header + len, *proto;
	size_t plen, cap = 0;
	unsigned idx = 0;

	block_clear(b);
	/* A copy of exactly len bytes: strndup would stop at a NUL, while the next scrape compares len. */
	b->header = malloc(len + 1);
	if (!b->header)
		return -ENOMEM;
	memcpy(b->header, header, len);
	b->header[len] = '\0';
	b->len = len;
	/* Fields are split on single spaces, as node_exporter's strings.Split(line, " "). */
	proto = p;
	while (p < end && *p != ' ')
		p++;
	plen = (size_t)(p - proto);
	if (plen)
		plen--; /* drop the ':' */
	idx = 1;
	while (p < end) {
		const char *f = ++p;
		while (p < end && *p != ' ')
			p++;
		char *name, *help;
		if (decide(proto, plen, f, (size_t)(p - f), &name, &help)) {
			struct wanted *w = heap_grow(b->w, b->n_w, &cap, sizeof(*w));
			if (!w) {
				free(name);
				free(help);
				return -ENOMEM;
			}
			b->w = w;
			b->w[b->n_w++] = (struct wanted){ idx, name, help };
		}
		idx++;
	}
	b->n_fields = idx;
	return 0;
}

/* Parses one counter: an integer (possibly negative, as Tcp MaxConn -1), else any float. */
static int parse_value(const char *s, size_t len, double *out)
{
	char tmp[64];
	int64_t i;
	uint64_t u;

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (parse_i64(tmp, NULL, &i) == 0) {
		*out = (double)i;
		return 0;
	}
	if (parse_u64(tmp, NULL, &u) == 0) {
		*out = (double)u;
		return 0;
	}
	return parse_double(tmp, NULL, out);
}

static void emit(struct collect_ctx *c, const char *name, const char *help, double v)
{
	struct metric_desc d = { .name = name, .help = help, .type = METRIC_UNTYPED };

	metric_emit(c->ms, &d, v);
}

/* Walks the header/value line pairs of netstat or snmp. Returns the number of bad blocks, or -ENOMEM. */
static int parse_paired(struct collect_ctx *c, struct paired_cache *pc)
{
	char *p = c->buf.p, *end = p + c->buf.len;
	size_t bi = 0;
	int bad = 0;

	while (p < end) {
		char *h = p, *hn = memchr(p, '\n', (size_t)(end - p));
		size_t hlen = (size_t)((hn ? hn : end) - h);
		p = hn ? hn + 1 : end;
		if (hlen == 0)
			continue;
		char *v = p, *vn = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		size_t vlen = (size_t)((vn ? vn : end) - v);
		p = vn ? vn + 1 : end;

		struct block *blocks = heap_grow(pc->b, bi, &pc->cap, sizeof(*blocks));
		if (!blocks)
			return -ENOMEM;
		pc->b = blocks;
		if (bi >= pc->n)
			pc->n = bi + 1;
		struct block *b = &pc->b[bi++];
		if (!b->header || b->len != hlen || memcmp(b->header, h, hlen) != 0) {
			if (block_build(b, h, hlen) < 0) {
				block_clear(b);
				return -ENOMEM;
			}
		}
		/* The value line must start with the same "Proto:" field and hold as many fields. */
		const char *hp = memchr(h, ' ', hlen);
		size_t plen = hp ? (size_t)(hp - h) : hlen;
		if (vlen < plen || memcmp(v, h, plen) != 0 || (vlen > plen && v[plen] != ' ')) {
			bad++;
			continue;
		}
		/* Walk the value fields, reading the wanted ones. */
		const char *q = v + plen, *vend = v + vlen;
		unsigned idx = 1;
		size_t wi = 0;
		double vals[512];
		bool ok = true;
		while (q < vend) {
			const char *f = ++q;
			while (q < vend && *q != ' ')
				q++;
			if (wi < b->n_w && b->w[wi].index == idx) {
				if (wi >= ARRAY_SIZE(vals) || parse_value(f, (size_t)(q - f), &vals[wi]) < 0)
					ok = false;
				wi++;
			}
			idx++;
		}
		if (idx != b->n_fields || !ok) {
			bad++;
			continue;
		}
		for (size_t i = 0; i < b->n_w; i++)
			emit(c, b->w[i].name, b->w[i].help, vals[i]);
	}
	/* Blocks that disappeared keep their memory until they come back or fini. */
	return bad;
}

/* Walks snmp6. Returns the number of bad lines, or -ENOMEM. */
static int parse_snmp6(struct collect_ctx *c)
{
	char *p = c->buf.p, *line;
	size_t pos = 0;
	int bad = 0;

	while ((line = next_line(&p))) {
		char *key = next_field(&line), *value = next_field(&line);
		double v;
		if (!key || !value)
			continue;
		char *six = strchr(key, '6');
		if (!six)
			continue;
		size_t len = strlen(key);
		bool fresh;
		struct line_decision *l = line_cache_get(&snmp6_cache, pos++, key, len, &fresh);
		if (!l)
			return -ENOMEM;
		if (fresh) {
			size_t plen = (size_t)(six - key) + 1;
			l->want = decide(key, plen, key + plen, len - plen, &l->name, &l->help);
		}
		if (!l->want)
			continue;
		if (parse_value(value, strlen(value), &v) < 0) {
			bad++;
			continue;
		}
		emit(c, l->name, l->help, v);
	}
	return bad;
}

static int netstat_init(char *err, size_t err_size)
{
	fields_re = regex_new(opt_fields ? opt_fields : "", err, err_size);
	return fields_re ? 0 : -EINVAL;
}

static int netstat_collect(struct collect_ctx *c)
{
	static const struct {
		const char *file;
		const char *what;
		struct paired_cache *cache;
	} paired[] = {
		{ "net/netstat", "netstats", &netstat_cache },
		{ "net/snmp", "SNMP stats", &snmp_cache },
	};
	ssize_t n;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(paired); i++) {
		n = ctx_read(c, ROOT_PROC, "%s", paired[i].file);
		if (n < 0)
			return ctx_fail(c, (int)n, "couldn't get %s: open %s: %s", paired[i].what, c->path.p,
					strerror((int)-n));
		/* The kernel never writes a NUL into these files; one would cut a name short and invent a
		 * metric. */
		if (memchr(c->buf.p, '\0', (size_t)n))
			return ctx_fail(c, -EINVAL, "couldn't get %s: NUL byte in %s", paired[i].what, c->path.p);
		r = parse_paired(c, paired[i].cache);
		if (r < 0)
			return r;
		if (r > 0)
			return ctx_fail(c, -EINVAL, "couldn't get %s: %d malformed block(s) in %s", paired[i].what, r,
					c->path.p);
	}
	n = ctx_read(c, ROOT_PROC, "net/snmp6");
	if (n == -ENOENT)
		return 0; /* IPv6 disabled */
	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get SNMP6 stats: open %s: %s", c->path.p, strerror((int)-n));
	if (memchr(c->buf.p, '\0', (size_t)n))
		return ctx_fail(c, -EINVAL, "couldn't get SNMP6 stats: NUL byte in %s", c->path.p);
	r = parse_snmp6(c);
	if (r < 0)
		return r;
	if (r > 0)
		return ctx_fail(c, -EINVAL, "couldn't get SNMP6 stats: %d malformed line(s) in %s", r, c->path.p);
	return 0;
}

static void paired_free(struct paired_cache *pc)
{
	for (size_t i = 0; i < pc->cap; i++)
		block_clear(&pc->b[i]);
	free(pc->b);
	*pc = (struct paired_cache){ 0 };
}

static void netstat_fini(void)
{
	paired_free(&netstat_cache);
	paired_free(&snmp_cache);
	line_cache_free(&snmp6_cache);
	regex_free(fields_re);
	fields_re = NULL;
}

COLLECTOR(netstat, .default_on = true, .flags = netstat_flags, .init = netstat_init, .fini = netstat_fini);
