#include <math.h>
#include <stdio.h>

#include "exposition.h"
#include "fmt.h"
#include "sysattr.h"

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = cap2;
	return 0;
}

void expo_free(struct expo *e)
{
	free(e->refs);
	free(e->samples);
	sb_free(&e->errors);
	memset(e, 0, sizeof(*e));
}

int expo_escape(struct strbuf *out, const char *s, bool quote)
{
	const char *p = s;
	int r = 0;

	for (;;) {
		size_t n = strcspn(p, quote ? "\\\n\"" : "\\\n");
		if ((r = sb_append(out, p, n)) < 0)
			return r;
		p += n;
		if (!*p)
			return 0;
		if ((r = sb_append(out, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\", 2)) < 0)
			return r;
		p++;
	}
}

static int cmp_fam(const void *a, const void *b)
{
	const struct fam_ref *ra = a, *rb = b;
	int c = strcmp(ra->f->name, rb->f->name);

	if (c)
		return c;
	return ra->order < rb->order ? -1 : ra->order > rb->order;
}

/* Orders a sparse family's series as client_golang does: by the number of labels present, then by the
 * present values in label-name order; series that still tie differ in which labels they carry. */
static int cmp_sparse(const struct sample *sa, const struct sample *sb, unsigned n)
{
	unsigned na = 0, nb = 0, i, j;

	for (i = 0; i < n; i++) {
		na += sa->lv[i] != metric_label_absent;
		nb += sb->lv[i] != metric_label_absent;
	}
	if (na != nb)
		return na < nb ? -1 : 1;
	for (i = j = 0; i < n && j < n; i++, j++) {
		while (i < n && sa->lv[i] == metric_label_absent)
			i++;
		while (j < n && sb->lv[j] == metric_label_absent)
			j++;
		if (i == n || j == n)
			break;
		int c = strcmp(sa->lv[i], sb->lv[j]);
		if (c)
			return c;
	}
	for (i = 0; i < n; i++) {
		bool pa = sa->lv[i] != metric_label_absent, pb = sb->lv[i] != metric_label_absent;
		if (pa != pb)
			return pa ? -1 : 1;
	}
	return 0;
}

static int cmp_sample(const void *a, const void *b, void *arg)
{
	const struct sample *sa = *(struct sample *const *)a, *sb = *(struct sample *const *)b;
	const struct family *f = arg;

	if (f->sparse)
		return cmp_sparse(sa, sb, f->n_labels);
	for (unsigned i = 0; i < f->n_labels; i++) {
		int c = strcmp(sa->lv[i], sb->lv[i]);
		if (c)
			return c;
	}
	return 0;
}

static bool same_labels(const struct family *a, const struct family *b)
{
	if (a->n_labels != b->n_labels)
		return false;
	for (unsigned i = 0; i < a->n_labels; i++)
		if (!streq(a->label_names[i], b->label_names[i]))
			return false;
	return true;
}

static void describe_series(struct strbuf *o, const struct family *f, const struct sample *s)
{
	bool first = true;

	sb_puts(o, f->name);
	sb_putc(o, '{');
	for (unsigned i = 0; i < f->n_labels; i++) {
		if (s->lv[i] == metric_label_absent)
			continue;
		sb_printf(o, "%s%s=\"", first ? "" : ",", f->label_names[i]);
		expo_escape(o, s->lv[i], true);
		sb_putc(o, '"');
		first = false;
	}
	sb_putc(o, '}');
}

/* A metric name is [a-zA-Z_:][a-zA-Z0-9_:]*, a label name [a-zA-Z_][a-zA-Z0-9_]* without the "__" that
 * Prometheus reserves: what client_golang's Gather accepts and the text format can carry unquoted. */
static bool valid_name(const char *s, bool metric)
{
	if (!metric && s[0] == '_' && s[1] == '_')
		return false;
	for (size_t i = 0;; i++) {
		char c = s[i];
		if (!c)
			return i > 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':') ||
		      (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
}

static bool family_names_valid(const struct family *f)
{
	if (!valid_name(f->name, true))
		return false;
	for (unsigned i = 0; i < f->n_labels; i++)
		if (!valid_name(f->label_names[i], false))
			return false;
	return true;
}

/* True when every label value of s is valid UTF-8. A Prometheus server refuses a whole scrape with one
 * invalid label value, so client_golang's Gather drops such a series as a gathering error; so do we.
 * Kernel and driver strings are ASCII nearly always: that case is one pass over the bytes. */
static bool labels_utf8(const struct family *f, const struct sample *s)
{
	for (unsigned i = 0; i < f->n_labels; i++) {
		const unsigned char *p = (const unsigned char *)s->lv[i];
		while (*p && *p < 0x80)
			p++;
		if (*p && !utf8_valid((const char *)p))
			return false;
	}
	return true;
}

/* Writes name{labels[,extra="bound"]} value\n. */
static int write_line(struct strbuf *out, const char *name, const char *suffix, const struct family *f,
		      const struct sample *s, const char *extra, double bound, double value)
{
	char num[FMT_DOUBLE_MAX];
	size_t n;

	sb_puts(out, name);
	if (suffix)
		sb_puts(out, suffix);
	bool any = extra != NULL;

	for (unsigned i = 0; i < f->n_labels && !any; i++)
		any = s->lv[i] != metric_label_absent;
	if (any) {
		char sep = '{';
		for (unsigned i = 0; i < f->n_labels; i++) {
			if (s->lv[i] == metric_label_absent)
				continue;
			sb_putc(out, sep);
			sb_puts(out, f->label_names[i]);
			sb_append(out, "=\"", 2);
			expo_escape(out, s->lv[i], true);
			sb_putc(out, '"');
			sep = ',';
		}
		if (extra) {
			sb_putc(out, sep);
			sb_puts(out, extra);
			sb_append(out, "=\"", 2);
			n = fmt_double(num, bound);
			sb_append(out, num, n);
			sb_putc(out, '"');
		}
		sb_putc(out, '}');
	}
	sb_putc(out, ' ');
	n = fmt_double(num, value);
	sb_append(out, num, n);
	return sb_putc(out, '\n');
}

static int write_sample(struct strbuf *out, const struct family *f, const struct sample *s)
{
	switch (f->type) {
	case METRIC_SUMMARY:
		for (unsigned i = 0; i < s->n_buckets; i++)
			write_line(out, f->name, NULL, f, s, "quantile", s->buckets[i].bound, s->buckets[i].value);
		write_line(out, f->name, "_sum", f, s, NULL, 0, s->value);
		return write_line(out, f->name, "_count", f, s, NULL, 0, s->count);
	case METRIC_HISTOGRAM: {
		bool inf = false;
		for (unsigned i = 0; i < s->n_buckets; i++) {
			write_line(out, f->name, "_bucket", f, s, "le", s->buckets[i].bound, s->buckets[i].value);
			if (isinf(s->buckets[i].bound) && s->buckets[i].bound > 0)
				inf = true;
		}
		if (!inf)
			write_line(out, f->name, "_bucket", f, s, "le", INFINITY, s->count);
		write_line(out, f->name, "_sum", f, s, NULL, 0, s->value);
		return write_line(out, f->name, "_count", f, s, NULL, 0, s->count);
	}
	default:
		return write_line(out, f->name, NULL, f, s, NULL, 0, s->value);
	}
}

/* HELP, TYPE and the series of one family in the text format. */
static int write_family(struct strbuf *out, const struct family *f, struct sample *const *samples, size_t n)
{
	sb_append(out, "# HELP ", 7);
	sb_puts(out, f->name);
	sb_putc(out, ' ');
	expo_escape(out, f->help, false);
	sb_append(out, "\n# TYPE ", 8);
	sb_puts(out, f->name);
	sb_putc(out, ' ');
	sb_puts(out, metric_type_name(f->type));
	sb_putc(out, '\n');
	for (size_t j = 0; j < n; j++)
		if (write_sample(out, f, samples[j]) < 0)
			return -ENOMEM;
	return 0;
}

const char *expo_content_type(enum expo_format fmt)
{
	switch (fmt) {
	case EXPO_PROTO:
		return EXPO_CONTENT_TYPE_PROTO;
	case EXPO_PROTO_TEXT:
		return EXPO_CONTENT_TYPE_PROTO_TEXT;
	case EXPO_PROTO_COMPACT:
		return EXPO_CONTENT_TYPE_PROTO_COMPACT;
	default:
		return EXPO_CONTENT_TYPE;
	}
}

int expo_render(struct expo *e, struct strbuf *out, struct metric_set *const *sets, size_t n_sets)
{
	return expo_render_as(e, out, sets, n_sets, EXPO_TEXT);
}

int expo_render_as(struct expo *e, struct strbuf *out, struct metric_set *const *sets, size_t n_sets,
		   enum expo_format fmt)
{
	size_t n = 0, i, j;

	sb_reset(&e->errors);
	e->n_errors = 0;
	for (i = 0; i < n_sets; i++)
		n += sets[i] ? sets[i]->n_fams : 0;
	if (grow((void **)&e->refs, &e->cap_refs, n, sizeof(*e->refs)) < 0)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < n_sets; i++)
		for (j = 0; sets[i] && j < sets[i]->n_fams; j++, n++)
			e->refs[n] = (struct fam_ref){ sets[i]->fams[j], n };
	/* Ties keep set order, so the first family registered under a name defines its type and help. */
	if (n > 1) /* qsort with a NULL base (nothing rendered yet) is undefined even for n == 0 */
		qsort(e->refs, n, sizeof(*e->refs), cmp_fam);

	for (i = 0; i < n;) {
		struct family *first = e->refs[i].f;
		size_t end = i + 1, total = first->n_samples;

		while (end < n && streq(e->refs[end].f->name, first->name)) {
			struct family *g = e->refs[end].f;
			if (g->type != first->type || !streq(g->help, first->help) || !same_labels(g, first)) {
				sb_printf(&e->errors, "family %s dropped: its type, help or label names differ from "
						      "an earlier family of that name\n", g->name);
				e->n_errors++;
				g->n_samples = 0; /* not printed; the set is reset before its next run */
			}
			total += g->n_samples;
			end++;
		}
		if (total == 0) {
			i = end;
			continue;
		}
		/* Names built from what a file says (meminfo keys, lnstat headers, textfile names) may not
		 * be names at all; Prometheus would refuse the whole scrape. */
		if (!family_names_valid(first)) {
			sb_puts(&e->errors, "family dropped, its name or a label name is not valid: ");
			sb_puts(&e->errors, first->name);
			sb_putc(&e->errors, '\n');
			e->n_errors++;
			i = end;
			continue;
		}
		if (grow((void **)&e->samples, &e->cap_samples, total, sizeof(*e->samples)) < 0)
			return -ENOMEM;
		size_t m = 0;
		bool sorted = true;
		for (j = i; j < end; j++)
			for (size_t k = 0; k < e->refs[j].f->n_samples; k++) {
				struct sample *s = &e->refs[j].f->samples[k];
				if (!labels_utf8(first, s)) {
					sb_puts(&e->errors, "series dropped, a label value is not valid UTF-8: ");
					describe_series(&e->errors, first, s);
					sb_putc(&e->errors, '\n');
					e->n_errors++;
					continue;
				}
				e->samples[m] = s;
				if (m > 0 && sorted && cmp_sample(&e->samples[m - 1], &e->samples[m], first) > 0)
					sorted = false;
				m++;
			}
		if (m == 0) {
			i = end;
			continue;
		}
		if (!sorted)
			qsort_r(e->samples, m, sizeof(*e->samples), cmp_sample, first);

		/* Series whose labels repeat the one before are dropped: the first one collected stays. */
		size_t kept = 1;
		for (j = 1; j < m; j++) {
			if (cmp_sample(&e->samples[kept - 1], &e->samples[j], first) == 0) {
				sb_puts(&e->errors, "duplicate series dropped: ");
				describe_series(&e->errors, first, e->samples[j]);
				sb_putc(&e->errors, '\n');
				e->n_errors++;
				continue;
			}
			e->samples[kept++] = e->samples[j];
		}
		int r;
		switch (fmt) {
		case EXPO_PROTO:
			r = expo_proto_family(out, first, e->samples, kept);
			break;
		case EXPO_PROTO_TEXT:
		case EXPO_PROTO_COMPACT:
			r = expo_prototext_family(out, first, e->samples, kept, fmt == EXPO_PROTO_COMPACT);
			break;
		default:
			r = write_family(out, first, e->samples, kept);
			break;
		}
		if (r < 0)
			return r;
		i = end;
	}
	return out->err || e->errors.err ? -ENOMEM : 0;
}
