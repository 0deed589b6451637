#include <stdio.h>

#include "hash.h"
#include "metric.h"
#include "sysattr.h"

void metric_set_reset(struct metric_set *ms)
{
	arena_reset(&ms->arena);
	ms->fams = NULL;
	ms->n_fams = ms->cap_fams = 0;
	ms->slots = NULL;
	ms->n_slots = 0;
	ms->error = 0;
}

void metric_set_free(struct metric_set *ms)
{
	arena_free(&ms->arena);
	memset(ms, 0, sizeof(*ms));
}

static void set_error(struct metric_set *ms, int err)
{
	if (!ms->error)
		ms->error = err;
}

const char *metric_strdup(struct metric_set *ms, const char *s)
{
	const char *p = arena_strdup(&ms->arena, s);

	if (!p)
		set_error(ms, -ENOMEM);
	return p;
}

const char *metric_type_name(enum metric_type t)
{
	switch (t) {
	case METRIC_COUNTER:
		return "counter";
	case METRIC_GAUGE:
		return "gauge";
	case METRIC_SUMMARY:
		return "summary";
	case METRIC_HISTOGRAM:
		return "histogram";
	case METRIC_UNTYPED:
	default:
		return "untyped";
	}
}

/* Puts family number i under name into an index of n_slots slots (a power of two). */
static void index_put(uint32_t *slots, size_t n_slots, const char *name, size_t i)
{
	size_t j = hash_str(HASH_INIT, name) & (n_slots - 1);

	while (slots[j])
		j = (j + 1) & (n_slots - 1);
	slots[j] = (uint32_t)(i + 1);
}

/* The index has twice as many slots as fams has room for, so it is never more than half full; it is
 * built again each time fams grows. */
static int index_rebuild(struct metric_set *ms)
{
	size_t n_slots = ms->cap_fams * 2;
	uint32_t *slots = arena_zalloc(&ms->arena, n_slots * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < ms->n_fams; i++)
		index_put(slots, n_slots, ms->fams[i]->name, i);
	ms->slots = slots;
	ms->n_slots = n_slots;
	return 0;
}

struct family *metric_set_find(struct metric_set *ms, const char *name)
{
	if (!ms->n_slots)
		return NULL;
	for (size_t j = hash_str(HASH_INIT, name) & (ms->n_slots - 1); ms->slots[j]; j = (j + 1) & (ms->n_slots - 1)) {
		struct family *f = ms->fams[ms->slots[j] - 1];
		if (streq(f->name, name))
			return f;
	}
	return NULL;
}

void metric_set_remove(struct metric_set *ms, struct family *f)
{
	size_t i = 0;

	while (i < ms->n_fams && ms->fams[i] != f)
		i++;
	if (i == ms->n_fams)
		return;
	memmove(ms->fams + i, ms->fams + i + 1, (ms->n_fams - i - 1) * sizeof(*ms->fams));
	ms->n_fams--;
	/* The index holds positions: build it again (rare: a textfile family that clashes with ours). */
	if (index_rebuild(ms) < 0)
		set_error(ms, -ENOMEM);
}

static int fams_push(struct metric_set *ms, struct family *f)
{
	size_t cap = ms->cap_fams;
	void *grown = arena_grow(&ms->arena, ms->fams, ms->n_fams, &ms->cap_fams, sizeof(*ms->fams));

	if (!grown)
		return -ENOMEM;
	ms->fams = grown;
	ms->fams[ms->n_fams++] = f;
	if (ms->cap_fams != cap)
		return index_rebuild(ms);
	index_put(ms->slots, ms->n_slots, f->name, ms->n_fams - 1);
	return 0;
}

struct family *metric_family(struct metric_set *ms, const struct metric_desc *d)
{
	struct family *f;
	unsigned n = d->n_labels;

	if (ms->error)
		return NULL;
	f = metric_set_find(ms, d->name);
	if (f) {
		/* Same name, other shape: a collector bug, refused instead of reading the wrong label count. */
		if (f->n_labels != n || f->type != d->type) {
			set_error(ms, -EINVAL);
			return NULL;
		}
		return f;
	}
	if (n > METRIC_MAX_LABELS) {
		set_error(ms, -EINVAL);
		return NULL;
	}
	f = arena_zalloc(&ms->arena, sizeof(*f));
	if (!f)
		goto oom;
	f->set = ms;
	f->type = d->type;
	f->n_labels = n;
	f->sparse = d->sparse;
	const char *help = d->help ? d->help : "";
	if (d->static_text && !d->help_from_input) {
		f->name = d->name;
		f->help = help;
	} else {
		f->name = arena_strdup(&ms->arena, d->name);
		const char *valid = d->help_from_input ? utf8_sanitize(&ms->arena, help) : help;
		/* utf8_sanitize returns its argument when it is valid, else a copy already in the arena (or
		 * NULL). */
		f->help = valid == help ? arena_strdup(&ms->arena, help) : valid;
	}
	f->label_names = arena_alloc(&ms->arena, (n ? n : 1) * sizeof(char *));
	f->perm = arena_alloc(&ms->arena, n ? n : 1);
	if (!f->name || !f->help || !f->label_names || !f->perm)
		goto oom;
	/* Sort label names (insertion sort: families have a handful of labels) and remember where each
	 * caller position lands. */
	unsigned char order[METRIC_MAX_LABELS];
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		while (j > 0 && strcmp(d->labels[order[j - 1]], d->labels[i]) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (unsigned char)i;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i > 0 && streq(d->labels[order[i - 1]], d->labels[order[i]])) {
			set_error(ms, -EINVAL);
			return NULL;
		}
		f->label_names[i] = arena_strdup(&ms->arena, d->labels[order[i]]);
		if (!f->label_names[i])
			goto oom;
		f->perm[order[i]] = (unsigned char)i;
	}
	if (fams_push(ms, f) < 0)
		goto oom;
	return f;
oom:
	set_error(ms, -ENOMEM);
	return NULL;
}

static struct sample *sample_new(struct family *f)
{
	struct metric_set *ms = f->set;

	if (ms->error)
		return NULL;
	void *grown = arena_grow(&ms->arena, f->samples, f->n_samples, &f->cap_samples, sizeof(*f->samples));
	if (!grown) {
		set_error(ms, -ENOMEM);
		return NULL;
	}
	f->samples = grown;
	struct sample *s = &f->samples[f->n_samples];
	memset(s, 0, sizeof(*s));
	s->lv = arena_alloc(&ms->arena, (f->n_labels ? f->n_labels : 1) * sizeof(char *));
	if (!s->lv) {
		set_error(ms, -ENOMEM);
		return NULL;
	}
	return s;
}

const char metric_label_absent[] = "";

static int sample_labels(struct family *f, struct sample *s, const char *const *lv)
{
	for (unsigned i = 0; i < f->n_labels; i++) {
		const char *v = lv[i] ? lv[i] : "";
		if (!lv[i] && f->sparse) {
			s->lv[f->perm[i]] = metric_label_absent;
			continue;
		}
		s->lv[f->perm[i]] = arena_strdup(&f->set->arena, v);
		if (!s->lv[f->perm[i]]) {
			set_error(f->set, -ENOMEM);
			return -ENOMEM;
		}
	}
	return 0;
}

void metric_addv(struct family *f, double value, const char *const *label_values)
{
	struct sample *s;

	if (!f || !(s = sample_new(f)))
		return;
	if (sample_labels(f, s, label_values) < 0)
		return;
	s->value = value;
	f->n_samples++;
}

void metric_add_n(struct family *f, double value, unsigned n_values, const char *const *label_values)
{
	if (!f)
		return;
	if (n_values != f->n_labels) {
		set_error(f->set, -EINVAL);
		return;
	}
	metric_addv(f, value, label_values);
}

void metric_add_dist(struct family *f, const char *const *label_values, double sum, double count,
		     const struct metric_bucket *buckets, unsigned n_buckets)
{
	struct sample *s;

	if (!f || !(s = sample_new(f)))
		return;
	if (sample_labels(f, s, label_values) < 0)
		return;
	s->value = sum;
	s->count = count;
	if (n_buckets) {
		s->buckets = arena_alloc(&f->set->arena, n_buckets * sizeof(*buckets));
		if (!s->buckets) {
			set_error(f->set, -ENOMEM);
			return;
		}
		memcpy(s->buckets, buckets, n_buckets * sizeof(*buckets));
	}
	s->n_buckets = n_buckets;
	f->n_samples++;
}

void metric_emit_n(struct metric_set *ms, const struct metric_desc *d, double value, unsigned n_values,
		   const char *const *label_values)
{
	metric_add_n(metric_family(ms, d), value, n_values, label_values);
}
