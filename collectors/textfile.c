/* textfile: metrics from *.prom files in the --collector.textfile.directory directories (each value is
 * glob-expanded), node_textfile_mtime_seconds{file} for every file read, node_textfile_scrape_error.
 *
 * Files are parsed with the rules of the Prometheus text format parser node_exporter uses (expfmt's
 * TextParser): HELP and TYPE comments, the untyped default, escapes in label values and HELP, summaries and
 * histograms assembled from their _sum/_count/_bucket lines by label set, the last line ending with a
 * newline. A parse error, or a sample with a timestamp, drops the whole file and sets scrape_error; the
 * other files are still served. Families of the same name from several files are merged; a HELP that
 * differs from the first file's drops that file's family and sets scrape_error; a family without HELP
 * gets "Metric read from <file>, <file>...". Within a family, label names missing from some samples are
 * added with empty values. Like client_golang's gathering, a later family whose type or help disagrees
 * with the first of its name is dropped, and so is a series that repeats an earlier one; neither sets
 * scrape_error.
 *
 * Differences with node_exporter, all in inputs that node_exporter mishandles: a FIFO or other
 * non-regular *.prom is an error instead of blocking the scrape; a label name starting with "__", which
 * makes node_exporter panic, is a parse error; NUL bytes are a parse error; the quoted UTF-8 name syntax
 * ({"name"} / "name") is not accepted (node_exporter parses with legacy name validation). When files
 * disagree on a family's label names, the union of names is used with empty values, which Prometheus
 * ingests as the same series node_exporter exposes. */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"
#include "sysattr.h"

static struct strlist directories;

static struct flag textfile_flags[] = {
	{ "collector.textfile.directory", FLAG_STRINGS, "",
	  "Directory to read text files with metrics from, supports glob matching. (repeatable)", &directories },
	{ NULL },
};

static const struct metric_desc mtime_desc = METRIC_DESC(
	"node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.", METRIC_GAUGE, "file");
static const struct metric_desc error_desc =
	METRIC_DESC("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise",
		    METRIC_GAUGE);

/* ---- parsed data (all in the run's arena) ---- */

#define TF_TYPE_UNSET (-1)
#define TF_GAUGE_HISTOGRAM 100 /* accepted in TYPE, but its samples are an error (as in expfmt) */

struct tf_label {
	const char *name;
	const char *value;
};

struct tf_metric {
	struct tf_label *labels;
	unsigned n_labels, cap_labels;
	double value;  /* counter, gauge, untyped; the sum of a summary or histogram */
	double count;  /* summary, histogram: float64(uint64(count)) */
	struct metric_bucket *b;
	unsigned n_b, cap_b;
	bool has_ts;
	size_t order;  /* position across all files, for "first one wins" */
};

struct tf_family {
	const char *name;
	const char *help; /* NULL: no HELP line */
	int type;
	struct tf_metric **m;
	size_t n, cap;
	struct tf_family *next;      /* next family of the file, in order of appearance */
	struct tf_family *hash_next; /* chain in the file's name table */
	const char *file;            /* the file it was read from */
};

/* ---- the text format parser ---- */

/* The parser's token buffer, kept across runs. */
static struct strbuf tok_buf;

struct tp {
	const char *s;
	size_t len, pos;
	int cur; /* the byte last read, -1 at the end of the input */
	unsigned line;
	struct arena *a;
	struct strbuf tok; /* a copy of tok_buf during one parse */
	const char *err;   /* parse error message (static text) */

	struct tf_family **tab; /* families by name */
	size_t n_tab;
	struct tf_family *first, *last;

	struct tf_family *mf;
	struct tf_metric *metric;
	bool is_sum, is_count;

	/* Summary and histogram lines: the label set (without quantile/le) names the metric. */
	struct sig_entry **sigs;
	size_t n_sigs;
	double quantile; /* or bucket bound; NaN when the line has none */

	size_t *order;
};

struct sig_entry {
	uint64_t hash;
	struct tf_family *mf;
	struct tf_metric *metric;
	struct sig_entry *next;
};

enum { TP_OK = 0, TP_ERR = -1 };

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static int tp_fail(struct tp *p, const char *msg)
{
	if (!p->err)
		p->err = msg;
	return TP_ERR;
}

/* ReadByte: the next byte or -1 at the end. */
static int tp_next(struct tp *p)
{
	p->cur = p->pos < p->len ? (unsigned char)p->s[p->pos++] : -1;
	return p->cur;
}

static bool blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* skipBlankTab: reads until a byte that is not ' ' or '\t'. Fails at the end of the input. */
static int tp_skip_blank(struct tp *p)
{
	do
		tp_next(p);
	while (blank(p->cur));
	return p->cur < 0 ? tp_fail(p, "unexpected end of input stream") : TP_OK;
}

static int tp_skip_blank_if_blank(struct tp *p)
{
	return blank(p->cur) ? tp_skip_blank(p) : TP_OK;
}

static int tp_tok_add(struct tp *p, int ch)
{
	if (ch == 0)
		return tp_fail(p, "NUL byte in input");
	return sb_putc(&p->tok, (char)ch) < 0 ? tp_fail(p, "out of memory") : TP_OK;
}

/* readTokenUntilWhitespace, starting with the current byte. */
static int tp_tok_until_ws(struct tp *p)
{
	sb_reset(&p->tok);
	while (p->cur >= 0 && !blank(p->cur) && p->cur != '\n') {
		if (tp_tok_add(p, p->cur) < 0)
			return TP_ERR;
		tp_next(p);
	}
	return p->cur < 0 ? tp_fail(p, "unexpected end of input stream") : TP_OK;
}

/* readTokenUntilNewline, starting with the current byte; with escapes for HELP (\\, \n, \"). */
static int tp_tok_until_nl(struct tp *p, bool escapes)
{
	bool esc = false;

	sb_reset(&p->tok);
	for (; p->cur >= 0; tp_next(p)) {
		int ch = p->cur;
		if (escapes && esc) {
			if (ch == '\\' || ch == '"')
				tp_tok_add(p, ch);
			else if (ch == 'n')
				tp_tok_add(p, '\n');
			else
				return tp_fail(p, "invalid escape sequence");
			esc = false;
			continue;
		}
		if (ch == '\n')
			return p->err ? TP_ERR : TP_OK;
		if (ch == '\\' && escapes)
			esc = true;
		else if (tp_tok_add(p, ch) < 0)
			return TP_ERR;
	}
	return tp_fail(p, "unexpected end of input stream");
}

static bool name_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool name_cont(int ch)
{
	return name_start(ch) || (ch >= '0' && ch <= '9');
}

/* readTokenAsMetricName (legacy names): [a-zA-Z_:][a-zA-Z0-9_:]*, starting with the current byte. The
 * token may be empty. */
static int tp_tok_metric_name(struct tp *p)
{
	sb_reset(&p->tok);
	if (!(name_start(p->cur) || p->cur == ':'))
		return TP_OK;
	while (name_cont(p->cur) || p->cur == ':') {
		if (tp_tok_add(p, p->cur) < 0)
			return TP_ERR;
		tp_next(p);
	}
	return p->cur < 0 ? tp_fail(p, "unexpected end of input stream") : TP_OK;
}

/* readTokenAsLabelName: [a-zA-Z_][a-zA-Z0-9_]*, starting with the current byte. */
static int tp_tok_label_name(struct tp *p)
{
	sb_reset(&p->tok);
	if (!name_start(p->cur))
		return TP_OK;
	while (name_cont(p->cur)) {
		if (tp_tok_add(p, p->cur) < 0)
			return TP_ERR;
		tp_next(p);
	}
	return p->cur < 0 ? tp_fail(p, "unexpected end of input stream") : TP_OK;
}

/* readTokenAsLabelValue: reads after the opening quote up to the closing one, with \", \\ and \n. */
static int tp_tok_label_value(struct tp *p)
{
	bool esc = false;

	sb_reset(&p->tok);
	for (;;) {
		if (tp_next(p) < 0)
			return tp_fail(p, "unexpected end of input stream");
		int ch = p->cur;
		if (esc) {
			if (ch == '"' || ch == '\\')
				tp_tok_add(p, ch);
			else if (ch == 'n')
				tp_tok_add(p, '\n');
			else
				return tp_fail(p, "invalid escape sequence");
			esc = false;
			continue;
		}
		if (ch == '"')
			return p->err ? TP_ERR : TP_OK;
		if (ch == '\n')
			return tp_fail(p, "label value contains unescaped new-line");
		if (ch == '\\')
			esc = true;
		else if (tp_tok_add(p, ch) < 0)
			return TP_ERR;
	}
}

static bool valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		unsigned c = *u, n;
		uint32_t cp;
		if (c < 0x80) {
			u++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (unsigned i = 1; i <= n; i++) {
			if ((u[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (u[i] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		u += n + 1;
	}
	return true;
}

static bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* expfmt's parseFloat: strconv.ParseFloat(s, 64) without the 'p' exponent and '_' separators. Decimal
 * numbers, "Inf"/"Infinity" with an optional sign and "NaN", case-insensitive; out of range is an error. */
static int expfmt_parse_float(const char *s, double *out)
{
	const char *p = s;
	bool digits = false;

	if (strpbrk(s, "pP_"))
		return -EINVAL;
	if (*p == '+' || *p == '-')
		p++;
	if (ieq(p, "inf") || ieq(p, "infinity")) {
		*out = *s == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (p == s && ieq(p, "nan")) {
		*out = NAN;
		return 0;
	}
	/* Hexadecimal mantissas need a 'p' exponent in Go, which is refused above. */
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return -EINVAL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -EINVAL;
	errno = 0;
	double v = strtod(s, NULL);
	if (errno == ERANGE && isinf(v))
		return -ERANGE;
	*out = v;
	return 0;
}

/* strconv.ParseInt(s, 10, 64) */
static int go_parse_int10(const char *s, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	uint64_t v = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static struct tf_family *tp_lookup(struct tp *p, const char *name)
{
	for (struct tf_family *f = p->tab[fnv(14695981039346656037ull, name) & (p->n_tab - 1)]; f; f = f->hash_next)
		if (streq(f->name, name))
			return f;
	return NULL;
}

static bool has_suffix(const char *s, const char *suf, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suf);

	if (n <= m || memcmp(s + n - m, suf, m) != 0)
		return false;
	*stem = n - m;
	return true;
}

/* setOrCreateCurrentMF for the name in p->tok. */
static int tp_set_mf(struct tp *p)
{
	const char *name = p->tok.p ? p->tok.p : "";
	char stem[512];
	size_t n;

	p->is_sum = p->is_count = false;
	if ((p->mf = tp_lookup(p, name)))
		return TP_OK;
	/* A _sum or _count of a summary; a _sum, _count or _bucket of a histogram. */
	if (has_suffix(name, "_count", &n) || has_suffix(name, "_sum", &n) || has_suffix(name, "_bucket", &n)) {
		bool bucket = endswith(name, "_bucket");
		if (n < sizeof(stem)) {
			memcpy(stem, name, n);
			stem[n] = '\0';
			struct tf_family *f = tp_lookup(p, stem);
			if (f && (f->type == METRIC_HISTOGRAM || (f->type == METRIC_SUMMARY && !bucket))) {
				p->mf = f;
				p->is_count = endswith(name, "_count");
				p->is_sum = endswith(name, "_sum");
				return TP_OK;
			}
		}
	}
	struct tf_family *f = arena_zalloc(p->a, sizeof(*f));
	if (!f || !(f->name = arena_strdup(p->a, name)))
		return tp_fail(p, "out of memory");
	f->type = TF_TYPE_UNSET;
	size_t h = fnv(14695981039346656037ull, name) & (p->n_tab - 1);
	f->hash_next = p->tab[h];
	p->tab[h] = f;
	if (p->last)
		p->last->next = f;
	else
		p->first = f;
	p->last = f;
	p->mf = f;
	return TP_OK;
}

static bool dist_type(const struct tf_family *f)
{
	return f->type == METRIC_SUMMARY || f->type == METRIC_HISTOGRAM;
}

static int tp_add_label(struct tp *p, struct tf_metric *m, const char *name, const char *value)
{
	if (m->n_labels == m->cap_labels) {
		unsigned cap = m->cap_labels ? m->cap_labels * 2 : 4;
		struct tf_label *l = arena_alloc(p->a, cap * sizeof(*l));
		if (!l)
			return tp_fail(p, "out of memory");
		if (m->n_labels)
			memcpy(l, m->labels, m->n_labels * sizeof(*l));
		m->labels = l;
		m->cap_labels = cap;
	}
	m->labels[m->n_labels++] = (struct tf_label){ name, value };
	return TP_OK;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct tf_label *)a)->name, ((const struct tf_label *)b)->name);
}

/* The signature of a summary/histogram line: family and label set. */
static uint64_t tp_signature(const struct tp *p, const struct tf_metric *m)
{
	struct tf_label sorted[64];
	uint64_t h = (uint64_t)(uintptr_t)p->mf * 0x9E3779B97F4A7C15ull;
	unsigned n = m->n_labels < 64 ? m->n_labels : 64;

	if (n == 0)
		return h;
	memcpy(sorted, m->labels, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_label);
	for (unsigned i = 0; i < n; i++)
		h = fnv(fnv(h, sorted[i].name), sorted[i].value);
	return h;
}

static bool same_labels(const struct tf_metric *a, const struct tf_metric *b)
{
	if (a->n_labels != b->n_labels)
		return false;
	for (unsigned i = 0; i < a->n_labels; i++) {
		unsigned j;
		for (j = 0; j < b->n_labels; j++)
			if (streq(a->labels[i].name, b->labels[j].name))
				break;
		if (j == b->n_labels || !streq(a->labels[i].value, b->labels[j].value))
			return false;
	}
	return true;
}

static int tp_append_metric(struct tp *p, struct tf_metric *m)
{
	struct tf_family *f = p->mf;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct tf_metric **v = arena_alloc(p->a, cap * sizeof(*v));
		if (!v)
			return tp_fail(p, "out of memory");
		if (f->n)
			memcpy(v, f->m, f->n * sizeof(*v));
		f->m = v;
		f->cap = cap;
	}
	m->order = (*p->order)++;
	f->m[f->n++] = m;
	return TP_OK;
}

/* readingValue: finds the summary/histogram metric the line belongs to, then reads the value and the
 * optional timestamp. */
static int tp_value(struct tp *p)
{
	struct tf_family *f = p->mf;
	struct tf_metric *m = p->metric;
	double v;

	if (dist_type(f)) {
		uint64_t h = tp_signature(p, m);
		struct sig_entry *e;
		size_t slot = h & (p->n_sigs - 1);
		for (e = p->sigs[slot]; e; e = e->next)
			if (e->hash == h && e->mf == f && same_labels(e->metric, m))
				break;
		if (e) {
			m = p->metric = e->metric;
		} else {
			e = arena_alloc(p->a, sizeof(*e));
			if (!e)
				return tp_fail(p, "out of memory");
			*e = (struct sig_entry){ h, f, m, p->sigs[slot] };
			p->sigs[slot] = e;
			if (tp_append_metric(p, m) < 0)
				return TP_ERR;
		}
	} else if (tp_append_metric(p, m) < 0) {
		return TP_ERR;
	}
	if (tp_tok_until_ws(p) < 0)
		return TP_ERR;
	if (expfmt_parse_float(p->tok.p ? p->tok.p : "", &v) < 0)
		return tp_fail(p, "expected float as value");
	switch (f->type) {
	case METRIC_COUNTER:
	case METRIC_GAUGE:
	case METRIC_UNTYPED:
		m->value = v;
		break;
	case METRIC_SUMMARY:
	case METRIC_HISTOGRAM:
		if (p->is_count) {
			m->count = (double)go_float_to_uint64(v);
		} else if (p->is_sum) {
			m->value = v;
		} else if (!isnan(p->quantile)) {
			if (m->n_b == m->cap_b) {
				unsigned cap = m->cap_b ? m->cap_b * 2 : 8;
				struct metric_bucket *b = arena_alloc(p->a, cap * sizeof(*b));
				if (!b)
					return tp_fail(p, "out of memory");
				if (m->n_b)
					memcpy(b, m->b, m->n_b * sizeof(*b));
				m->b = b;
				m->cap_b = cap;
			}
			double val = f->type == METRIC_HISTOGRAM ? (double)go_float_to_uint64(v) : v;
			m->b[m->n_b++] = (struct metric_bucket){ p->quantile, val };
		}
		break;
	default:
		return tp_fail(p, "unexpected type for metric name");
	}
	if (p->cur == '\n')
		return TP_OK;
	/* startTimestamp */
	int64_t ts;
	if (tp_skip_blank(p) < 0 || tp_tok_until_ws(p) < 0)
		return TP_ERR;
	if (go_parse_int10(p->tok.p ? p->tok.p : "", &ts) < 0)
		return tp_fail(p, "expected integer as timestamp");
	m->has_ts = true;
	if (tp_tok_until_nl(p, false) < 0)
		return TP_ERR;
	if (p->tok.len > 0)
		return tp_fail(p, "spurious string after timestamp");
	return TP_OK;
}

/* startLabelName .. the closing brace, then the value. */
static int tp_labels(struct tp *p)
{
	struct tf_metric *m = p->metric;

	for (;;) {
		if (tp_skip_blank(p) < 0)
			return TP_ERR;
		if (p->cur == '}')
			break;
		if (tp_tok_label_name(p) < 0)
			return TP_ERR;
		if (p->tok.len == 0)
			return tp_fail(p, "invalid label name");
		if (tp_skip_blank_if_blank(p) < 0)
			return TP_ERR;
		if (p->cur != '=')
			return tp_fail(p, "expected '=' after label name");
		const char *name = arena_strdup(p->a, p->tok.p);
		if (!name)
			return tp_fail(p, "out of memory");
		if (streq(name, "__name__"))
			return tp_fail(p, "label name \"__name__\" is reserved");
		if (startswith(name, "__"))
			return tp_fail(p, "label names starting with __ are reserved");
		bool special = (p->mf->type == METRIC_SUMMARY && streq(name, "quantile")) ||
			       (p->mf->type == METRIC_HISTOGRAM && streq(name, "le"));
		if (!special)
			for (unsigned i = 0; i < m->n_labels; i++)
				if (streq(m->labels[i].name, name))
					return tp_fail(p, "duplicate label names");
		/* startLabelValue */
		if (tp_skip_blank(p) < 0)
			return TP_ERR;
		if (p->cur != '"')
			return tp_fail(p, "expected '\"' at start of label value");
		if (tp_tok_label_value(p) < 0)
			return TP_ERR;
		const char *value = arena_strdup(p->a, p->tok.p ? p->tok.p : "");
		if (!value)
			return tp_fail(p, "out of memory");
		if (!valid_utf8(value))
			return tp_fail(p, "invalid label value");
		if (special) {
			if (expfmt_parse_float(value, &p->quantile) < 0)
				return tp_fail(p, "expected float as value for 'quantile' or 'le' label");
		} else if (tp_add_label(p, m, name, value) < 0) {
			return TP_ERR;
		}
		if (tp_skip_blank(p) < 0)
			return TP_ERR;
		if (p->cur == ',')
			continue;
		if (p->cur != '}')
			return tp_fail(p, "unexpected end of label value");
		break;
	}
	if (tp_skip_blank(p) < 0)
		return TP_ERR;
	return tp_value(p);
}

/* A sample line whose first byte (the current one) starts the metric name. */
static int tp_sample(struct tp *p)
{
	if (tp_tok_metric_name(p) < 0)
		return TP_ERR;
	if (p->tok.len == 0)
		return tp_fail(p, "invalid metric name");
	if (tp_set_mf(p) < 0)
		return TP_ERR;
	if (p->mf->type == TF_TYPE_UNSET)
		p->mf->type = METRIC_UNTYPED;
	p->metric = arena_zalloc(p->a, sizeof(*p->metric));
	if (!p->metric)
		return tp_fail(p, "out of memory");
	p->quantile = NAN;
	if (tp_skip_blank_if_blank(p) < 0)
		return TP_ERR;
	if (p->cur == '{')
		return tp_labels(p);
	return tp_value(p);
}

/* A line starting with '#'. */
static int tp_comment(struct tp *p)
{
	if (tp_skip_blank(p) < 0)
		return TP_ERR;
	if (p->cur == '\n')
		return TP_OK;
	if (tp_tok_until_ws(p) < 0)
		return TP_ERR;
	if (p->cur == '\n')
		return TP_OK;
	bool help = streq(p->tok.p, "HELP"), type = streq(p->tok.p, "TYPE");
	if (!help && !type) {
		while (p->cur != '\n')
			if (tp_next(p) < 0)
				return tp_fail(p, "unexpected end of input stream");
		return TP_OK;
	}
	if (tp_skip_blank(p) < 0 || tp_tok_metric_name(p) < 0)
		return TP_ERR;
	if (p->cur == '\n')
		return TP_OK;
	if (!blank(p->cur))
		return tp_fail(p, "invalid metric name in comment");
	if (tp_set_mf(p) < 0 || tp_skip_blank(p) < 0)
		return TP_ERR;
	if (p->cur == '\n')
		return TP_OK;
	if (help) {
		if (p->mf->help)
			return tp_fail(p, "second HELP line for metric name");
		if (tp_tok_until_nl(p, true) < 0)
			return TP_ERR;
		if (!(p->mf->help = arena_strdup(p->a, p->tok.p ? p->tok.p : "")))
			return tp_fail(p, "out of memory");
		return TP_OK;
	}
	if (p->mf->type != TF_TYPE_UNSET)
		return tp_fail(p, "second TYPE line for metric name, or TYPE reported after samples");
	if (tp_tok_until_nl(p, false) < 0)
		return TP_ERR;
	static const struct {
		const char *name;
		int type;
	} types[] = {
		{ "counter", METRIC_COUNTER },	   { "gauge", METRIC_GAUGE },	      { "summary", METRIC_SUMMARY },
		{ "untyped", METRIC_UNTYPED },	   { "histogram", METRIC_HISTOGRAM }, { "gauge_histogram", TF_GAUGE_HISTOGRAM },
	};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (ieq(p->tok.p ? p->tok.p : "", types[i].name)) {
			p->mf->type = types[i].type;
			return TP_OK;
		}
	}
	return tp_fail(p, "unknown metric type");
}

/* Parses a whole file. Returns the families in order of appearance (empty ones left out) or NULL with
 * p->err set; *n_out is the count. */
static struct tf_family *tp_parse(struct tp *p)
{
	size_t lines = 16;

	for (size_t i = 0; i < p->len; i++)
		lines += p->s[i] == '\n';
	for (p->n_tab = 16; p->n_tab < lines && p->n_tab < (1u << 20); p->n_tab *= 2)
		;
	p->n_sigs = p->n_tab;
	p->tab = arena_zalloc(p->a, p->n_tab * sizeof(*p->tab));
	p->sigs = arena_zalloc(p->a, p->n_sigs * sizeof(*p->sigs));
	if (!p->tab || !p->sigs) {
		tp_fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		p->line++;
		do
			tp_next(p);
		while (blank(p->cur));
		if (p->cur < 0)
			break;
		int r;
		if (p->cur == '#')
			r = tp_comment(p);
		else if (p->cur == '\n')
			r = TP_OK;
		else if (p->cur == '{' || p->cur == '"')
			r = tp_fail(p, "invalid metric name");
		else
			r = tp_sample(p);
		if (r < 0)
			return NULL;
	}
	/* Drop families without samples. */
	struct tf_family *head = NULL, **tail = &head;
	for (struct tf_family *f = p->first; f; f = f->next) {
		if (f->n == 0)
			continue;
		*tail = f;
		tail = &f->next;
	}
	*tail = NULL;
	return head;
}

/* ---- collection ---- */

/* One family name across files: what node_exporter's help bookkeeping records. */
struct tf_name {
	const char *name;
	const char *help0;     /* first HELP seen */
	bool conflict;         /* a later file disagreed */
	struct tf_name *next;  /* hash chain */
	struct tf_name *onext; /* in order of first appearance */
	const char **files;    /* files whose family was kept */
	size_t n_files, cap_files;
	const char *filled_help; /* "Metric read from ..." once computed */
	struct tf_family **fams; /* kept families, in order */
	size_t n_fams, cap_fams;
};

struct tf_mtime {
	const char *path;
	double secs;
};

struct tf_state {
	struct arena *a;
	struct tf_mtime *mtimes;
	size_t n_mtimes, cap_mtimes;
	struct tf_name **tab;
	size_t n_tab;
	struct tf_name *first, *last;
	bool errored;
	size_t order;
};

static struct tf_name *names_get(struct tf_state *st, const char *name)
{
	size_t h = fnv(14695981039346656037ull, name) & (st->n_tab - 1);

	for (struct tf_name *n = st->tab[h]; n; n = n->next)
		if (streq(n->name, name))
			return n;
	struct tf_name *n = arena_zalloc(st->a, sizeof(*n));
	if (!n)
		return NULL;
	n->name = name;
	n->next = st->tab[h];
	st->tab[h] = n;
	if (st->last)
		st->last->onext = n;
	else
		st->first = n;
	st->last = n;
	return n;
}

static int push_ptr(struct arena *a, void ***v, size_t *n, size_t *cap, void *x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 4;
		void **nv = arena_alloc(a, c * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* Reads and parses one *.prom file. Returns 0 or -1 (st->errored set, reason given to ctx_warn). */
static int textfile_file(struct collect_ctx *c, struct tf_state *st, const char *path)
{
	struct stat sb;
	struct tp p = { .a = st->a, .order = &st->order, .tok = tok_buf };
	int r = -1;

	if (stat(path, &sb) < 0) {
		ctx_warn(c, "failed to open textfile data file %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		ctx_warn(c, "failed to read textfile data file %s: not a regular file", path);
		goto fail;
	}
	ssize_t n = file_read(path, &c->buf);
	if (n < 0) {
		ctx_warn(c, "failed to read textfile data file %s: %s", path, strerror((int)-n));
		goto fail;
	}
	p.s = c->buf.p;
	p.len = (size_t)n;
	struct tf_family *fams = tp_parse(&p);
	tok_buf = p.tok;
	if (!fams && p.err) {
		ctx_warn(c, "failed to parse textfile data %s, line %u: %s", path, p.line, p.err);
		goto fail;
	}
	for (struct tf_family *f = fams; f; f = f->next)
		for (size_t i = 0; i < f->n; i++)
			if (f->m[i]->has_ts) {
				ctx_warn(c, "textfile %s contains unsupported client-side timestamps, skipping entire file",
					 path);
				goto fail;
			}
	for (struct tf_family *f = fams; f; f = f->next) {
		struct tf_name *nm = names_get(st, f->name);
		if (!nm)
			return -ENOMEM;
		f->file = path;
		if (nm->help0 || nm->conflict) {
			if ((f->help && !streq(nm->help0 ? nm->help0 : "", f->help)) || nm->conflict) {
				nm->conflict = true;
				st->errored = true;
				ctx_warn(c, "inconsistent metric help text for %s: \"%s\" in %s, \"%s\" in %s", f->name,
					 nm->help0 ? nm->help0 : "", nm->n_files ? nm->files[0] : path,
					 f->help ? f->help : "", path);
				continue;
			}
		}
		if (f->help)
			nm->help0 = f->help;
		if (push_ptr(st->a, (void ***)&nm->files, &nm->n_files, &nm->cap_files, (void *)path) < 0 ||
		    push_ptr(st->a, (void ***)&nm->fams, &nm->n_fams, &nm->cap_fams, f) < 0)
			return -ENOMEM;
	}
	/* UnixNano()/1e9: whole seconds, truncated toward zero. */
	time_t secs = sb.st_mtim.tv_sec;
	if (secs < 0 && sb.st_mtim.tv_nsec > 0)
		secs++;
	if (st->n_mtimes == st->cap_mtimes) {
		size_t cap = st->cap_mtimes ? st->cap_mtimes * 2 : 16;
		struct tf_mtime *v = arena_alloc(st->a, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		if (st->n_mtimes)
			memcpy(v, st->mtimes, st->n_mtimes * sizeof(*v));
		st->mtimes = v;
		st->cap_mtimes = cap;
	}
	st->mtimes[st->n_mtimes++] = (struct tf_mtime){ path, (double)secs };
	return 0;
fail:
	st->errored = true;
	return r;
}

struct emit_row {
	const struct tf_metric *m;
	const char **lv;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct emit_row *x = a, *y = b;
	unsigned n_labels = *(const unsigned *)arg;

	for (unsigned i = 0; i < n_labels; i++) {
		int r = strcmp(x->lv[i], y->lv[i]);
		if (r)
			return r;
	}
	return x->m->order < y->m->order ? -1 : x->m->order > y->m->order;
}

static int cmp_bucket(const void *a, const void *b)
{
	double x = ((const struct metric_bucket *)a)->bound, y = ((const struct metric_bucket *)b)->bound;

	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Emits the families kept under one name, merged as client_golang gathers them. */
static int emit_name(struct collect_ctx *c, struct tf_name *nm)
{
	struct arena *a = &c->ms->arena;
	struct tf_family *first = NULL;
	const char *help = NULL;
	const char *names[METRIC_MAX_LABELS];
	unsigned n_names = 0;
	size_t n_rows = 0;

	/* Fill the missing help texts, then keep the families that agree with the first one. */
	for (size_t i = 0; i < nm->n_fams; i++) {
		struct tf_family *f = nm->fams[i];
		if (!f->help) {
			if (!nm->filled_help) {
				struct strbuf b = { 0 };
				sb_puts(&b, "Metric read from ");
				for (size_t k = 0; k < nm->n_files; k++) {
					if (k)
						sb_puts(&b, ", ");
					sb_puts(&b, nm->files[k]);
				}
				nm->filled_help = b.err ? NULL : arena_strdup(a, b.p);
				sb_free(&b);
				if (!nm->filled_help)
					return -ENOMEM;
			}
			f->help = nm->filled_help;
		}
		if (f->type == TF_GAUGE_HISTOGRAM)
			continue;
		if (!first) {
			first = f;
			help = f->help;
		} else if (f->type != first->type || !streq(f->help, help)) {
			ctx_warn(c, "textfile family %s in %s dropped: its type or help differs from an earlier one",
				 f->name, f->file);
			nm->fams[i] = NULL;
			continue;
		}
		n_rows += f->n;
		for (size_t k = 0; k < f->n; k++) {
			const struct tf_metric *m = f->m[k];
			for (unsigned l = 0; l < m->n_labels; l++) {
				unsigned j;
				for (j = 0; j < n_names; j++)
					if (streq(names[j], m->labels[l].name))
						break;
				if (j < n_names)
					continue;
				if (n_names == METRIC_MAX_LABELS) {
					ctx_warn(c, "textfile family %s dropped: too many label names", f->name);
					return 0;
				}
				names[n_names++] = m->labels[l].name;
			}
		}
	}
	if (!first || n_rows == 0)
		return 0;
	qsort(names, n_names, sizeof(names[0]), cmp_str);

	struct emit_row *rows = arena_alloc(a, n_rows * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	size_t r = 0;
	for (size_t i = 0; i < nm->n_fams; i++) {
		struct tf_family *f = nm->fams[i];
		if (!f || f->type == TF_GAUGE_HISTOGRAM || f->type != first->type)
			continue;
		for (size_t k = 0; k < f->n; k++) {
			const struct tf_metric *m = f->m[k];
			const char **lv = arena_alloc(a, (n_names ? n_names : 1) * sizeof(*lv));
			if (!lv)
				return -ENOMEM;
			for (unsigned j = 0; j < n_names; j++) {
				lv[j] = "";
				for (unsigned l = 0; l < m->n_labels; l++)
					if (streq(m->labels[l].name, names[j]))
						lv[j] = m->labels[l].value;
			}
			rows[r++] = (struct emit_row){ m, lv };
		}
	}
	qsort_r(rows, r, sizeof(*rows), cmp_rows, &n_names);

	struct metric_desc d = { .name = nm->name, .help = help, .type = (enum metric_type)first->type,
				 .n_labels = n_names, .labels = names };
	struct family *fam = metric_family(c->ms, &d);
	if (!fam)
		return c->ms->error;
	for (size_t i = 0; i < r; i++) {
		/* Gathering keeps the first of several series with the same labels. */
		if (i > 0) {
			unsigned j;
			for (j = 0; j < n_names; j++)
				if (!streq(rows[i].lv[j], rows[i - 1].lv[j]))
					break;
			if (j == n_names) {
				ctx_warn(c, "textfile series of %s dropped: collected before with the same name and label values",
					 nm->name);
				continue;
			}
		}
		const struct tf_metric *m = rows[i].m;
		if (first->type == METRIC_SUMMARY || first->type == METRIC_HISTOGRAM) {
			/* Quantiles and buckets come out sorted, one per bound (the last line wins). */
			struct metric_bucket *b = m->b;
			unsigned nb = 0;
			if (m->n_b) {
				b = arena_alloc(a, m->n_b * sizeof(*b));
				if (!b)
					return -ENOMEM;
				for (unsigned k = 0; k < m->n_b; k++) {
					unsigned j;
					for (j = 0; j < nb; j++)
						if (b[j].bound == m->b[k].bound)
							break;
					b[j] = m->b[k];
					if (j == nb)
						nb++;
				}
				qsort(b, nb, sizeof(*b), cmp_bucket);
			}
			metric_add_dist(fam, rows[i].lv, m->value, m->count, b, nb);
		} else {
			metric_addv(fam, m->value, rows[i].lv);
		}
	}
	return 0;
}

/* Adds the collector's own family unless a textfile family of that name and another shape is there. */
static struct family *own_family(struct collect_ctx *c, const struct metric_desc *d)
{
	struct family *f = metric_set_find(c->ms, d->name);

	if (f && (f->type != d->type || f->n_labels != d->n_labels || !streq(f->help, d->help) ||
		  (d->n_labels && !streq(f->label_names[0], d->labels[0]))))
		return NULL;
	return metric_family(c->ms, d);
}

/* Expands the configured directories: each glob pattern in order, matches sorted; no match (or a bad
 * pattern) leaves the value as it is. */
static int expand_dirs(struct collect_ctx *c, const char ***out, size_t *n_out)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < directories.n; i++) {
		const char *pat = directories.v[i] ? directories.v[i] : "";
		glob_t g;
		int r = *pat ? glob(pat, GLOB_NOSORT | GLOB_PERIOD, NULL, &g) : GLOB_NOMATCH;
		if (r != 0 || g.gl_pathc == 0) {
			if (r == 0 || r == GLOB_NOSPACE || r == GLOB_ABORTED)
				globfree(&g);
			if (push_ptr(&c->ms->arena, (void ***)&v, &n, &cap, (void *)pat) < 0)
				return -ENOMEM;
			continue;
		}
		size_t start = n;
		for (size_t k = 0; k < g.gl_pathc; k++) {
			const char *s = arena_strdup(&c->ms->arena, g.gl_pathv[k]);
			if (!s || push_ptr(&c->ms->arena, (void ***)&v, &n, &cap, (void *)s) < 0) {
				globfree(&g);
				return -ENOMEM;
			}
		}
		globfree(&g);
		qsort(v + start, n - start, sizeof(*v), cmp_str);
	}
	*out = v;
	*n_out = n;
	return 0;
}

static int textfile_collect(struct collect_ctx *c)
{
	struct tf_state st = { .a = &c->ms->arena, .n_tab = 256 };
	const char **dirs;
	size_t n_dirs;
	int r;

	st.tab = arena_zalloc(st.a, st.n_tab * sizeof(*st.tab));
	if (!st.tab || (r = expand_dirs(c, &dirs, &n_dirs)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n_dirs; i++) {
		char **names;
		ssize_t n = dir_list(dirs[i], st.a, &names);
		if (n < 0) {
			if (*dirs[i]) {
				st.errored = true;
				ctx_warn(c, "failed to read textfile collector directory %s: %s", dirs[i],
					 strerror((int)-n));
			}
			continue;
		}
		for (ssize_t k = 0; k < n; k++) {
			if (!endswith(names[k], ".prom"))
				continue;
			char *joined = arena_printf(st.a, "%s/%s", dirs[i], names[k]);
			const char *path = joined ? path_clean(st.a, joined) : NULL; /* filepath.Join */
			if (!path || textfile_file(c, &st, path) == -ENOMEM)
				return -ENOMEM;
		}
	}
	/* Textfile families first: like node_exporter's own metrics, ours come after them. */
	for (struct tf_name *nm = st.first; nm; nm = nm->onext)
		if ((r = emit_name(c, nm)) < 0)
			return r;
	struct family *f = st.n_mtimes ? own_family(c, &mtime_desc) : NULL;
	for (size_t i = 0; f && i < st.n_mtimes; i++)
		metric_add(f, st.mtimes[i].secs, st.mtimes[i].path);
	f = own_family(c, &error_desc);
	metric_add(f, st.errored ? 1 : 0);
	return 0;
}

static void textfile_fini(void)
{
	sb_free(&tok_buf);
}

const struct collector collector_textfile = {
	.name = "textfile",
	.default_on = true,
	.flags = textfile_flags,
	.collect = textfile_collect,
	.fini = textfile_fini,
	.opts = COLLECTOR_MAY_BLOCK,
};
