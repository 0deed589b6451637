/* textfile: metrics from *.prom files in the --collector.textfile.directory directories (each value is
 * glob-expanded), node_textfile_mtime_seconds{file} for every file read, node_textfile_scrape_error.
 *
 * Files are parsed with the rules of the Prometheus text format parser node_exporter uses (expfmt's
 * TextParser, see include/textformat.h). A parse error, or a sample with a timestamp, drops the whole file
 * and sets scrape_error; the other files are still served. Families of the same name from several files are merged; a HELP that
 * differs from the first file's drops that file's family and sets scrape_error; a family without HELP
 * gets "Metric read from <file>, <file>...". Within a family, label names missing from some samples are
 * added with empty values. Like client_golang's gathering, a later family whose type or help disagrees
 * with the first of its name is dropped, and so is a series that repeats an earlier one; neither sets
 * scrape_error.
 *
 * Differences with node_exporter, all in inputs that node_exporter mishandles: a FIFO or other
 * non-regular *.prom is an error instead of blocking the scrape; a label name starting with "__", which
 * makes node_exporter panic, is a parse error; NUL bytes and HELP text that is not UTF-8 (which
 * Prometheus refuses) are parse errors; a file whose path is not UTF-8 (node_exporter panics) is an error
 * and skipped; the quoted UTF-8 name syntax ({"name"} / "name") is not accepted (node_exporter parses
 * with legacy name validation). When files
 * disagree on a family's label names, the union of names is used with empty values, which Prometheus
 * ingests as the same series node_exporter exposes. */
#include <glob.h>
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"
#include "gocompat.h"
#include "hash.h"
#include "textformat.h"

static struct strlist directories;

static struct flag textfile_flags[] = {
	{ "collector.textfile.directory", FLAG_STRINGS, "",
	  "Directory to read text files with metrics from, supports glob matching. (repeatable)", &directories },
	{ NULL },
};

METRIC(mtime_desc, GAUGE, "node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.", "file");
METRIC(error_desc, GAUGE, "node_textfile_scrape_error",
       "1 if there was an error opening or reading a file, 0 otherwise");

/* The parser's token buffer, kept across runs. */
static struct strbuf tok_buf;

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
	size_t h = hash_str(HASH_INIT, name) & (st->n_tab - 1);

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
	void **nv = arena_grow_from(a, *v, *n, cap, sizeof(*nv), 4);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	(*v)[(*n)++] = x;
	return 0;
}

/* Reads and parses one *.prom file. Returns 0 or -1 (st->errored set, reason given to ctx_warn). */
static int textfile_file(struct collect_ctx *c, struct tf_state *st, const char *path)
{
	struct stat sb;
	struct tf_error perr;
	int r = -1;

	/* The path is printed in a label and in the generated HELP, both of which must be UTF-8. */
	if (!utf8_valid(path)) {
		ctx_warn(c, "textfile data file %s skipped: its path is not valid UTF-8", utf8_sanitize(st->a, path));
		goto fail;
	}
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
	struct tf_family *fams = textformat_parse(c->buf.p, (size_t)n, st->a, &tok_buf, &st->order, &perr);
	if (perr.msg) {
		ctx_warn(c, "failed to parse textfile data %s, line %u: %s", path, perr.line, perr.msg);
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
	struct tf_mtime *mtimes = arena_grow(st->a, st->mtimes, st->n_mtimes, &st->cap_mtimes, sizeof(*mtimes));
	if (!mtimes)
		return -ENOMEM;
	st->mtimes = mtimes;
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
	for (struct tf_name *nm = st.first; nm; nm = nm->onext) {
		/* The collector's own families win, as nodex's others do in textfile_yield(). */
		if (streq(nm->name, mtime_desc.name) || streq(nm->name, error_desc.name)) {
			st.errored = true;
			ctx_warn(c, "textfile family %s dropped: the textfile collector reports that family itself",
				 nm->name);
			continue;
		}
		if ((r = emit_name(c, nm)) < 0)
			return r;
	}
	struct family *f = st.n_mtimes ? metric_family(c->ms, &mtime_desc) : NULL;
	for (size_t i = 0; f && i < st.n_mtimes; i++)
		metric_add(f, st.mtimes[i].secs, st.mtimes[i].path);
	metric_emit(c->ms, &error_desc, st.errored ? 1 : 0);
	return 0;
}

/* nodex's own families win whatever a file says: a textfile family whose name another collector or nodex
 * itself reports in this scrape is dropped, and the clash is an error of the textfile collector (scrape
 * error 1, logged). node_exporter 1.5.0 also keeps its own series, but drops the file's family silently
 * at gathering, with scrape_error 0. */
static void textfile_yield(struct collect_ctx *c, struct metric_set *const *own, size_t n_own)
{
	struct family *err = metric_set_find(c->ms, error_desc.name);

	for (size_t i = 0; i < c->ms->n_fams;) {
		struct family *f = c->ms->fams[i];
		bool clash = false;
		for (size_t k = 0; k < n_own && !clash && f != err && !streq(f->name, mtime_desc.name); k++)
			clash = metric_set_find(own[k], f->name) != NULL;
		if (clash) {
			ctx_warn(c, "textfile family %s dropped: nodex reports a family of that name itself", f->name);
			metric_set_remove(c->ms, f);
			if (err && err->n_samples)
				err->samples[0].value = 1;
			continue;
		}
		i++;
	}
}

static void textfile_fini(void)
{
	sb_free(&tok_buf);
}

/* With no directory (the default: one empty value) the collector reads nothing and cannot block. */
static bool textfile_may_block_now(void)
{
	for (size_t i = 0; i < directories.n; i++)
		if (directories.v[i] && *directories.v[i])
			return true;
	return false;
}

COLLECTOR(textfile, .default_on = true, .flags = textfile_flags, .fini = textfile_fini,
	  .yield = textfile_yield, .opts = COLLECTOR_MAY_BLOCK, .may_block_now = textfile_may_block_now);
