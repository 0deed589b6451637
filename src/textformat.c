/* The Prometheus text format parser (include/textformat.h). The functions follow the states of expfmt's
 * TextParser (startOfLine, readingValue, ...); their comments name the state each one plays. */
#include <math.h>

#include "gocompat.h"
#include "hash.h"
#include "textformat.h"

struct tp {
	const char *s;
	size_t len, pos;
	int cur; /* the byte last read, -1 at the end of the input */
	unsigned line;
	struct arena *a;
	struct strbuf tok; /* the caller's scratch, during one parse */
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

/* Adds what the escape sequence "\<ch>" stands for: \\, \" or \n (HELP and label values). */
static int tp_tok_escaped(struct tp *p, int ch)
{
	if (ch == '\\' || ch == '"')
		return tp_tok_add(p, ch);
	if (ch == 'n')
		return tp_tok_add(p, '\n');
	return tp_fail(p, "invalid escape sequence");
}

/* readTokenUntilNewline, starting with the current byte; with escapes for HELP (\\, \n, \"). */
static int tp_tok_until_nl(struct tp *p, bool escapes)
{
	bool esc = false;

	sb_reset(&p->tok);
	for (; p->cur >= 0; tp_next(p)) {
		int ch = p->cur;
		if (escapes && esc) {
			if (tp_tok_escaped(p, ch) < 0)
				return TP_ERR;
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

/* readTokenAsMetricName (legacy names, colon true): [a-zA-Z_:][a-zA-Z0-9_:]*, and readTokenAsLabelName
 * (colon false): [a-zA-Z_][a-zA-Z0-9_]*, starting with the current byte. The token may be empty. */
static int tp_tok_name(struct tp *p, bool colon)
{
	sb_reset(&p->tok);
	if (!(name_start(p->cur) || (colon && p->cur == ':')))
		return TP_OK;
	while (name_cont(p->cur) || (colon && p->cur == ':')) {
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
			if (tp_tok_escaped(p, ch) < 0)
				return TP_ERR;
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
	for (struct tf_family *f = p->tab[hash_str(HASH_INIT, name) & (p->n_tab - 1)]; f; f = f->hash_next)
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
	size_t h = hash_str(HASH_INIT, name) & (p->n_tab - 1);
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
	struct tf_label *l = arena_grow_from(p->a, m->labels, m->n_labels, &m->cap_labels, sizeof(*l), 4);
	if (!l)
		return tp_fail(p, "out of memory");
	m->labels = l;
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
		h = hash_str(hash_str(h, sorted[i].name), sorted[i].value);
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

	struct tf_metric **v = arena_grow_from(p->a, f->m, f->n, &f->cap, sizeof(*v), 8);
	if (!v)
		return tp_fail(p, "out of memory");
	f->m = v;
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
			struct metric_bucket *b = arena_grow_from(p->a, m->b, m->n_b, &m->cap_b, sizeof(*b), 8);
			if (!b)
				return tp_fail(p, "out of memory");
			m->b = b;
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
		if (tp_tok_name(p, false) < 0)
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
		if (!utf8_valid(value))
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
	if (tp_tok_name(p, true) < 0)
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
	if (tp_skip_blank(p) < 0 || tp_tok_name(p, true) < 0)
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
		/* expfmt lets it through, Prometheus refuses the whole scrape for it. */
		if (!utf8_valid(p->mf->help))
			return tp_fail(p, "help text is not valid UTF-8");
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

struct tf_family *textformat_parse(const char *s, size_t len, struct arena *a, struct strbuf *tok, size_t *order,
				   struct tf_error *err)
{
	struct tp p = { .s = s, .len = len, .a = a, .tok = *tok, .order = order };
	struct tf_family *fams = tp_parse(&p);

	*tok = p.tok;
	*err = (struct tf_error){ .msg = fams ? NULL : p.err, .line = p.line };
	return fams;
}
