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
	free(e->sorted);
	free(e->order);
	free(e->samples);
	sb_free(&e->errors);
	memset(e, 0, sizeof(*e));
}

/* Writes s at p with the text format's escaping (backslash, newline, and the double quote when quote is
 * set) and returns the end. p needs room for 2 * strlen(s) bytes. */
static char *put_escaped(char *p, const char *s, bool quote)
{
	/* Most texts need no escaping at all: copy the run of plain bytes at once. */
	size_t n = strcspn(s, quote ? "\\\n\"" : "\\\n");

	memcpy(p, s, n);
	p += n;
	for (s += n; *s; s++) {
		char c = *s;
		if (c == '\\' || c == '\n' || (quote && c == '"')) {
			*p++ = '\\';
			c = c == '\n' ? 'n' : c;
		}
		*p++ = c;
	}
	return p;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Ends a write into out's reserved room at p. */
static int put_end(struct strbuf *out, char *p)
{
	out->len = (size_t)(p - out->p);
	*p = '\0';
	return 0;
}

int expo_escape(struct strbuf *out, const char *s, bool quote)
{
	if (sb_reserve(out, 2 * strlen(s)) < 0)
		return -ENOMEM;
	return put_end(out, put_escaped(out->p + out->len, s, quote));
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

/* Sorts v[0..n) by label values, keeping the order of equal ones (the first of duplicate series is the
 * one printed), as glibc's merge sort does. Most unsorted families are short (a few devices times a
 * few modes): insertion sort, without qsort's indirect calls, for those. */
static void sort_samples(struct sample **v, size_t n, struct family *f)
{
	if (n > 32) {
		qsort_r(v, n, sizeof(*v), cmp_sample, f);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct sample *x = v[i];
		size_t j = i;
		while (j > 0 && cmp_sample(&v[j - 1], &x, f) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
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
 * Prometheus reserves: what client_golang's Gather accepts and the text format can carry unquoted.
 * name_class[c]: NAME_FIRST for what may start a label name, NAME_NEXT for what may follow in one,
 * NAME_COLON for the colon only metric names may hold. */
enum { NAME_NEXT = 1, NAME_FIRST = 2, NAME_COLON = 4 };
#define NAME_LETTER NAME_FIRST | NAME_NEXT
#define NAME_LETTERS(c)                                                                                     \
	[c] = NAME_LETTER, [c + 1] = NAME_LETTER, [c + 2] = NAME_LETTER, [c + 3] = NAME_LETTER,             \
	[c + 4] = NAME_LETTER, [c + 5] = NAME_LETTER, [c + 6] = NAME_LETTER, [c + 7] = NAME_LETTER,         \
	[c + 8] = NAME_LETTER, [c + 9] = NAME_LETTER, [c + 10] = NAME_LETTER, [c + 11] = NAME_LETTER,       \
	[c + 12] = NAME_LETTER, [c + 13] = NAME_LETTER, [c + 14] = NAME_LETTER, [c + 15] = NAME_LETTER,     \
	[c + 16] = NAME_LETTER, [c + 17] = NAME_LETTER, [c + 18] = NAME_LETTER, [c + 19] = NAME_LETTER,     \
	[c + 20] = NAME_LETTER, [c + 21] = NAME_LETTER, [c + 22] = NAME_LETTER, [c + 23] = NAME_LETTER,     \
	[c + 24] = NAME_LETTER, [c + 25] = NAME_LETTER
static const unsigned char name_class[256] = {
	NAME_LETTERS('a'), NAME_LETTERS('A'), ['_'] = NAME_LETTER, [':'] = NAME_COLON,
	['0'] = NAME_NEXT, ['1'] = NAME_NEXT, ['2'] = NAME_NEXT, ['3'] = NAME_NEXT, ['4'] = NAME_NEXT,
	['5'] = NAME_NEXT, ['6'] = NAME_NEXT, ['7'] = NAME_NEXT, ['8'] = NAME_NEXT, ['9'] = NAME_NEXT,
};

static bool valid_name(const char *s, bool metric)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned colon = metric ? NAME_COLON : 0;

	if (!(name_class[*p] & (NAME_FIRST | colon)) || (!metric && p[0] == '_' && p[1] == '_'))
		return false;
	while (*++p)
		if (!(name_class[*p] & (NAME_NEXT | colon)))
			return false;
	return true;
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

/* Writes name{labels[,extra="bound"]} value\n: the room for the whole line is reserved once, then the
 * bytes are written in place. */
static int write_line(struct strbuf *out, const char *name, const char *suffix, const struct family *f,
		      const struct sample *s, const char *extra, double bound, double value)
{
	size_t name_len = strlen(name), suffix_len = suffix ? strlen(suffix) : 0, extra_len = extra ? strlen(extra) : 0;
	size_t need = name_len + suffix_len + extra_len + 2 * FMT_DOUBLE_MAX + 8;
	bool any = extra != NULL;

	for (unsigned i = 0; i < f->n_labels; i++) {
		if (s->lv[i] == metric_label_absent)
			continue;
		need += strlen(f->label_names[i]) + 2 * strlen(s->lv[i]) + 4;
		any = true;
	}
	if (sb_reserve(out, need) < 0)
		return -ENOMEM;
	char *p = put(out->p + out->len, name, name_len);
	p = put(p, suffix ? suffix : "", suffix_len);
	if (any) {
		char sep = '{';
		for (unsigned i = 0; i < f->n_labels; i++) {
			if (s->lv[i] == metric_label_absent)
				continue;
			*p++ = sep;
			p = put(p, f->label_names[i], strlen(f->label_names[i]));
			*p++ = '=';
			*p++ = '"';
			p = put_escaped(p, s->lv[i], true);
			*p++ = '"';
			sep = ',';
		}
		if (extra) {
			*p++ = sep;
			p = put(p, extra, extra_len);
			*p++ = '=';
			*p++ = '"';
			p += fmt_double(p, bound);
			*p++ = '"';
		}
		*p++ = '}';
	}
	*p++ = ' ';
	p += fmt_double(p, value);
	*p++ = '\n';
	return put_end(out, p);
}

/* Writes the # HELP and # TYPE lines of family f. */
static int write_header(struct strbuf *out, const struct family *f)
{
	size_t name_len = strlen(f->name);
	const char *type = metric_type_name(f->type);

	if (sb_reserve(out, 2 * name_len + 2 * strlen(f->help) + strlen(type) + 20) < 0)
		return -ENOMEM;
	char *p = put(out->p + out->len, "# HELP ", 7);
	p = put(p, f->name, name_len);
	*p++ = ' ';
	p = put_escaped(p, f->help, false);
	p = put(p, "\n# TYPE ", 8);
	p = put(p, f->name, name_len);
	*p++ = ' ';
	p = put(p, type, strlen(type));
	*p++ = '\n';
	return put_end(out, p);
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
	if (write_header(out, f) < 0)
		return -ENOMEM;
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

/* Puts e->refs[0..n) in name order into e->sorted; ties keep set order, so the first family registered
 * under a name defines its type and help. The collectors register the same families in the same order
 * scrape after scrape, so the last render's order is tried first: checking that it is still sorted
 * costs n - 1 comparisons, sorting about n log n. */
static void sort_families(struct expo *e, size_t n)
{
	bool sorted = e->n_order == n;

	for (size_t j = 0; sorted && j < n; j++) {
		e->sorted[j] = e->refs[e->order[j]];
		sorted = j == 0 || cmp_fam(&e->sorted[j - 1], &e->sorted[j]) < 0;
	}
	if (sorted)
		return;
	if (n) /* qsort with a NULL base is undefined even for n == 0 */
		memcpy(e->sorted, e->refs, n * sizeof(*e->sorted));
	if (n > 1)
		qsort(e->sorted, n, sizeof(*e->sorted), cmp_fam);
	for (size_t j = 0; j < n; j++)
		e->order[j] = e->sorted[j].order;
	e->n_order = n;
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
	if (n > e->cap_refs) {
		size_t cap = e->cap_refs;
		if (grow((void **)&e->refs, &cap, n, sizeof(*e->refs)) < 0 ||
		    grow((void **)&e->sorted, &e->cap_refs, n, sizeof(*e->sorted)) < 0)
			return -ENOMEM;
		size_t *order = realloc(e->order, e->cap_refs * sizeof(*order));
		if (!order)
			return -ENOMEM;
		e->order = order;
		e->n_order = 0;
	}
	n = 0;
	for (i = 0; i < n_sets; i++)
		for (j = 0; sets[i] && j < sets[i]->n_fams; j++, n++)
			e->refs[n] = (struct fam_ref){ sets[i]->fams[j], n };
	sort_families(e, n);

	for (i = 0; i < n;) {
		struct family *first = e->sorted[i].f;
		size_t end = i + 1, total = first->n_samples;

		while (end < n && streq(e->sorted[end].f->name, first->name)) {
			struct family *g = e->sorted[end].f;
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
			for (size_t k = 0; k < e->sorted[j].f->n_samples; k++) {
				struct sample *s = &e->sorted[j].f->samples[k];
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
			sort_samples(e->samples, m, first);

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
