#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nodex.h"
#include "regex.h"

/* What the last names matched, so that the same mount points, devices and interfaces scrape after scrape
 * cost a hash lookup instead of a pcre2_match (about 1,900 instructions each for node_exporter's default
 * mount point pattern). At most MEMO_MAX names; the memo starts over when it is full. */
#define MEMO_SLOTS 128
#define MEMO_MAX (MEMO_SLOTS / 2)

struct memo_entry {
	char *s; /* NULL: empty slot */
	uint32_t hash;
	bool match;
};

struct regex {
	pcre2_code *code;
	char *pattern;
	pthread_mutex_t mu; /* guards the memo */
	struct memo_entry *memo;
	unsigned n_memo;
};

static struct regex *compile(const char *shown, const char *pattern, char *err, size_t err_size)
{
	int errcode;
	PCRE2_SIZE erroff;
	struct regex *re;
	pcre2_code *code;

	/* DOLLAR_ENDONLY: Go's $ (without the m flag) matches only at the end of the text. */
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_DOLLAR_ENDONLY,
			     &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		snprintf(err, err_size, "invalid regular expression %s: %s at offset %zu", shown, (char *)msg,
			 (size_t)erroff);
		return NULL;
	}
	re = calloc(1, sizeof(*re));
	if (!re || !(re->pattern = strdup(shown))) {
		free(re);
		pcre2_code_free(code);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	re->code = code;
	pthread_mutex_init(&re->mu, NULL);
	return re;
}

struct regex *regex_new(const char *pattern, char *err, size_t err_size)
{
	return compile(pattern, pattern, err, err_size);
}

struct regex *regex_new_anchored(const char *pattern, char *err, size_t err_size)
{
	size_t n = strlen(pattern) + 8;
	char *p = malloc(n);
	struct regex *re;

	if (!p) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	snprintf(p, n, "^(?:%s)$", pattern);
	re = compile(pattern, p, err, err_size);
	free(p);
	return re;
}

/* Frees a thread's match block (and the backtracking frames pcre2_match keeps in it) when the thread
 * exits, so threads that come and go (the scrape thread, collectors on their own threads) leak nothing. */
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static bool md_key_ok;

static void md_free(void *p)
{
	pcre2_match_data_free(p);
}

static void md_key_init(void)
{
	md_key_ok = pthread_key_create(&md_key, md_free) == 0;
}

static bool match(const struct regex *re, const char *s)
{
	/* One match block per thread, sized for the whole match only: we never read groups, and a too-small
	 * block still reports a match (rc 0). It lives as long as the thread. */
	static _Thread_local pcre2_match_data *md;

	if (!md) {
		if (!(md = pcre2_match_data_create(1, NULL)))
			return false;
		pthread_once(&md_once, md_key_init);
		if (md_key_ok)
			pthread_setspecific(md_key, md);
	}
	return pcre2_match(re->code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
}

static void memo_clear(struct regex *re)
{
	for (size_t i = 0; re->memo && i < MEMO_SLOTS; i++) {
		free(re->memo[i].s);
		re->memo[i].s = NULL;
	}
	re->n_memo = 0;
}

/* The slot of s in the memo, or the empty slot where it would go. Called with re->mu held. */
static struct memo_entry *memo_slot(struct regex *re, const char *s, uint32_t h)
{
	for (size_t j = h & (MEMO_SLOTS - 1);; j = (j + 1) & (MEMO_SLOTS - 1)) {
		struct memo_entry *m = &re->memo[j];
		if (!m->s || (m->hash == h && streq(m->s, s)))
			return m;
	}
}

bool regex_match(const struct regex *cre, const char *s)
{
	struct regex *re = (struct regex *)cre; /* the memo is not part of the pattern's value */

	if (!re)
		return false;
	uint32_t h = strhash(s);
	pthread_mutex_lock(&re->mu);
	if (re->memo) {
		struct memo_entry *m = memo_slot(re, s, h);
		if (m->s) {
			bool r = m->match;
			pthread_mutex_unlock(&re->mu);
			return r;
		}
	}
	pthread_mutex_unlock(&re->mu);
	bool r = match(re, s);
	pthread_mutex_lock(&re->mu);
	if (!re->memo)
		re->memo = calloc(MEMO_SLOTS, sizeof(*re->memo));
	if (re->memo) {
		if (re->n_memo >= MEMO_MAX)
			memo_clear(re);
		struct memo_entry *m = memo_slot(re, s, h);
		if (!m->s && (m->s = strdup(s))) {
			m->hash = h;
			m->match = r;
			re->n_memo++;
		}
	}
	pthread_mutex_unlock(&re->mu);
	return r;
}

const char *regex_pattern(const struct regex *re)
{
	return re ? re->pattern : "";
}

void regex_free(struct regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re->pattern);
	memo_clear(re);
	free(re->memo);
	pthread_mutex_destroy(&re->mu);
	free(re);
}

bool name_filter_ignored(const struct name_filter *f, const char *name)
{
	if (f->include && !regex_match(f->include, name))
		return true;
	if (f->exclude && regex_match(f->exclude, name))
		return true;
	return false;
}

int name_filter_init(struct name_filter *f, const char *include, const char *exclude, char *err,
		     size_t err_size)
{
	memset(f, 0, sizeof(*f));
	if (include && *include && !(f->include = regex_new(include, err, err_size)))
		return -EINVAL;
	if (exclude && *exclude && !(f->exclude = regex_new(exclude, err, err_size))) {
		name_filter_free(f);
		return -EINVAL;
	}
	return 0;
}

void name_filter_free(struct name_filter *f)
{
	regex_free(f->include);
	regex_free(f->exclude);
	f->include = f->exclude = NULL;
}

static const char *flag_text(const struct flag *f)
{
	return f ? *(const char *const *)f->target : NULL;
}

static bool flag_given(const struct flag *f)
{
	const char *v = flag_text(f);

	return f && f->source != FLAG_SRC_DEFAULT && (f->def || (v && *v));
}

int name_filter_from_flags(struct name_filter *f, const struct name_filter_flags *ff, char *err, size_t err_size)
{
	const char *include = flag_text(ff->include), *exclude = flag_text(ff->exclude);

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < sizeof(ff->alias) / sizeof(ff->alias[0]); i++) {
		const struct flag *old = ff->alias[i].old, *now = ff->alias[i].now;
		const char *v = flag_text(old);
		char msg[256];

		if (!v || !*v || !now)
			continue;
		if (flag_given(now)) {
			snprintf(err, err_size, "--%s and --%s are mutually exclusive", old->name, now->name);
			return -EINVAL;
		}
		snprintf(msg, sizeof(msg), "--%s is DEPRECATED and will be removed in 2.0.0, use --%s", old->name,
			 now->name);
		log_debug(msg);
		if (now == ff->include)
			include = v;
		else
			exclude = v;
	}
	if (ff->include_clears_default_exclude && include && *include && !flag_given(ff->exclude))
		exclude = "";
	if (ff->both_error && include && *include && exclude && *exclude) {
		snprintf(err, err_size, "%s", ff->both_error);
		return -EINVAL;
	}
	if (!ff->anchored)
		return name_filter_init(f, include, exclude, err, err_size);
	if (!(f->include = regex_new_anchored(include ? include : "", err, err_size)))
		return -EINVAL;
	if (!(f->exclude = regex_new_anchored(exclude ? exclude : "", err, err_size))) {
		name_filter_free(f);
		return -EINVAL;
	}
	return 0;
}
