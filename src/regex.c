#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "regex.h"

struct regex {
	pcre2_code *code;
	char *pattern;
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

bool regex_match(const struct regex *re, const char *s)
{
	/* One match block per thread, sized for the whole match only: we never read groups, and a too-small
	 * block still reports a match (rc 0). It lives as long as the thread. */
	static _Thread_local pcre2_match_data *md;

	if (!re)
		return false;
	if (!md) {
		if (!(md = pcre2_match_data_create(1, NULL)))
			return false;
		pthread_once(&md_once, md_key_init);
		if (md_key_ok)
			pthread_setspecific(md_key, md);
	}
	return pcre2_match(re->code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
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
