/* Strict parsing of numbers and lines: see parse.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int finish(const char *p, const char **end)
{
	if (end) {
		*end = p;
		return 0;
	}
	return (*p == '\0' || isspace((unsigned char)*p)) ? 0 : -EINVAL;
}

int parse_u64(const char *s, const char **end, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned dgt = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			return -ERANGE;
		v = v * 10 + dgt;
	}
	if (finish(p, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_i64(const char *s, const char **end, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	uint64_t v;
	const char *e;
	int r;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p == '+' || *p == '-')
		return -EINVAL;
	r = parse_u64(p, &e, &v);
	if (r < 0)
		return r;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > INT64_MAX)
		return -ERANGE;
	if (finish(e, end) < 0)
		return -EINVAL;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int parse_hex_u64(const char *s, const char **end, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	int nd = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (;; p++, nd++) {
		unsigned dgt;
		if (*p >= '0' && *p <= '9')
			dgt = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			dgt = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			dgt = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | dgt;
	}
	if (!nd)
		return -EINVAL;
	if (finish(p, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, const char **end, double *out)
{
	char *e;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	/* strtod also takes hex floats and "infinity"; kernel files hold plain decimals, which is all that
	 * a digit or sign check lets through apart from the explicit NaN/Inf spellings Go accepts. */
	if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.' || *s == 'N' || *s == 'n' ||
	      *s == 'I' || *s == 'i'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &e);
	if (e == s)
		return -EINVAL;
	if (errno == ERANGE && isinf(v))
		return -ERANGE;
	if (finish(e, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

char *next_field(char **p)
{
	char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	char *f = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return f;
}

int split_fields(char *s, char **fields, int max)
{
	int n = 0;
	char *f;

	while (n < max && (f = next_field(&s)))
		fields[n++] = f;
	return n;
}

char *strip_trailing(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}
