/* Shared by the libFuzzer targets in tests/fuzz/: the archive format the collector targets read, and a
 * checker for the text exposition every target that renders metrics runs on its output.
 *
 * The archive: a list of (path, content) entries, written as `head` prints several files:
 *
 *     ==> proc/loadavg <==
 *     0.02 0.04 0.05 1/497 11947
 *
 *     ==> sys/class/net/eth0 -> ../../devices/virtual/net/eth0
 *     ==> sys/devices/virtual/net/eth0/
 *
 * An entry starts with a line beginning "==> " (at the start of the input or after a newline); the rest
 * of that line is the header, with an optional " <==" at its end. Its content is every byte up to the
 * newline that comes before the next header (or up to the end of the input), so "a\n\n==> b" gives the
 * content "a\n", and a header directly after a header leaves the first entry empty. A header "path -> target" is a symlink, a header ending in "/" a directory. Headers
 * starting with "@" are not files: they carry the flags to set and the replies of the kernel interfaces
 * that are not files (netlink, ioctls, system calls); see tests/fuzz/README.md. Bytes before the first
 * header are ignored. Header only, so each target and the unit-test harness carry their own copy. */
#ifndef NODEX_FUZZ_COMMON_H
#define NODEX_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define FZ_HEADER "==> "
#define FZ_MAX_ENTRIES 1024

struct fz_entry {
	const char *hdr; /* the header text, not NUL-terminated */
	size_t hdr_len;
	const unsigned char *data;
	size_t len;
};

/* Splits data into entries (at most max). Returns the count. */
static inline size_t fz_archive_split(const unsigned char *data, size_t size, struct fz_entry *out, size_t max)
{
	size_t n = 0, i = 0;

	/* Find the first header. */
	while (i < size) {
		if (size - i >= 4 && memcmp(data + i, FZ_HEADER, 4) == 0 && (i == 0 || data[i - 1] == '\n'))
			break;
		const unsigned char *nl = memchr(data + i, '\n', size - i);
		if (!nl)
			return 0;
		i = (size_t)(nl - data) + 1;
	}
	while (i < size && n < max) {
		struct fz_entry *e = &out[n++];
		size_t h = i + 4;
		const unsigned char *nl = memchr(data + h, '\n', size - h);
		size_t hend = nl ? (size_t)(nl - data) : size;
		e->hdr = (const char *)data + h;
		e->hdr_len = hend - h;
		if (e->hdr_len >= 4 && memcmp(e->hdr + e->hdr_len - 4, " <==", 4) == 0)
			e->hdr_len -= 4;
		size_t c = nl ? hend + 1 : size, end = size, next = size;
		/* The content ends at the next "\n==> ", searched from the header's own newline so that a
		 * header right after a header gives an empty content. */
		for (size_t j = hend; nl && j < size;) {
			const unsigned char *p = memchr(data + j, '\n', size - j);
			if (!p)
				break;
			j = (size_t)(p - data);
			if (j + 5 <= size && memcmp(p + 1, FZ_HEADER, 4) == 0) {
				end = j;
				next = j + 1;
				break;
			}
			j++;
		}
		e->data = data + c;
		e->len = end > c ? end - c : 0;
		i = next;
	}
	return n;
}

/* ---- the exposition checker ---- */

static inline bool fz_name_start(char c, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}

static inline bool fz_name_char(char c, bool colon)
{
	return fz_name_start(c, colon) || (c >= '0' && c <= '9');
}

/* Length of the metric (colon true) or label name at s, 0 when none. */
static inline size_t fz_name_len(const char *s, bool colon)
{
	size_t n = 0;

	if (!fz_name_start(s[0], colon))
		return 0;
	while (fz_name_char(s[n], colon))
		n++;
	return n;
}

/* Valid UTF-8 (Go's utf8.Valid: no overlong forms, no surrogates, nothing above U+10FFFF). */
static inline bool fz_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		unsigned long cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* A sample value as client_golang prints one: Go's FormatFloat 'g' -1, or NaN, +Inf, -Inf. */
static inline bool fz_value_ok(const char *s, size_t n)
{
	size_t i = 0;

	if ((n == 3 && memcmp(s, "NaN", 3) == 0) || (n == 4 && (memcmp(s, "+Inf", 4) == 0 || memcmp(s, "-Inf", 4) == 0)))
		return true;
	if (i < n && s[i] == '-')
		i++;
	size_t d = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == d)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		size_t f = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return false;
	}
	if (i < n && s[i] == 'e') {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t x = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i - x < 2)
			return false;
	}
	return i == n;
}

/* Checks text (the text format 0.0.4 as nodex renders it) line by line: what a Prometheus server would
 * refuse, or what client_golang never prints. Every family has HELP then TYPE then its samples, names are
 * valid, label values are valid UTF-8 and escaped, values are Go floats, series are not repeated within a
 * family (consecutive check: they are sorted). Returns NULL when the text is fine, else a static
 * description of the first problem (*line_out: its line number). */
static inline const char *fz_expo_check(const char *text, size_t len, size_t *line_out)
{
	const char *p = text, *end = text + len, *prev = NULL;
	size_t prev_len = 0, line = 0;
	char fam[512] = "";
	size_t fam_len = 0;
	int state = 0; /* 0: expect HELP, 1: expect TYPE, 2: samples */
	char type[16] = "";

	if (len && text[len - 1] != '\n')
		return *line_out = 0, "does not end with a newline";
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		line++;
		*line_out = line;
		if (n >= 7 && memcmp(p, "# HELP ", 7) == 0) {
			size_t k = fz_name_len(p + 7, true);
			if (!k || (p[7 + k] != ' ' && p + 7 + k != nl))
				return "bad metric name in HELP";
			if (k >= sizeof(fam))
				return "metric name too long";
			if (fam_len == k && memcmp(fam, p + 7, k) == 0)
				return "family printed twice";
			memcpy(fam, p + 7, k);
			fam[k] = '\0';
			fam_len = k;
			/* HELP text: backslash escapes only \\ and \n. */
			for (const char *q = p + 7 + k; q < nl; q++)
				if (*q == '\\' && (q + 1 >= nl || (q[1] != '\\' && q[1] != 'n')))
					return "bad escape in HELP";
				else if (*q == '\\')
					q++;
			state = 1;
			prev = NULL;
		} else if (n >= 7 && memcmp(p, "# TYPE ", 7) == 0) {
			if (state != 1)
				return "TYPE without HELP";
			if ((size_t)(nl - p) < 7 + fam_len + 1 || memcmp(p + 7, fam, fam_len) != 0 || p[7 + fam_len] != ' ')
				return "TYPE for another family";
			size_t tl = (size_t)(nl - (p + 8 + fam_len));
			if (tl >= sizeof(type))
				return "bad TYPE";
			memcpy(type, p + 8 + fam_len, tl);
			type[tl] = '\0';
			if (strcmp(type, "counter") && strcmp(type, "gauge") && strcmp(type, "untyped") &&
			    strcmp(type, "summary") && strcmp(type, "histogram"))
				return "bad TYPE";
			state = 2;
		} else if (n > 0 && p[0] == '#') {
			return "unexpected comment";
		} else {
			if (state != 2)
				return "sample without HELP and TYPE";
			size_t k = fz_name_len(p, true);
			if (!k)
				return "bad metric name in sample";
			/* The sample belongs to the family: the name, or name_sum/_count/_bucket for summaries and
			 * histograms. */
			bool mine = k == fam_len && memcmp(p, fam, k) == 0;
			if (!mine && k > fam_len && memcmp(p, fam, fam_len) == 0 &&
			    (!strcmp(type, "summary") || !strcmp(type, "histogram"))) {
				const char *suf = p + fam_len;
				size_t sl = k - fam_len;
				mine = (sl == 4 && !memcmp(suf, "_sum", 4)) || (sl == 6 && !memcmp(suf, "_count", 6)) ||
				       (sl == 7 && !memcmp(suf, "_bucket", 7) && !strcmp(type, "histogram"));
			}
			if (!mine)
				return "sample of another family";
			const char *q = p + k;
			if (*q == '{') {
				q++;
				bool first = true;
				while (q < nl && *q != '}') {
					if (!first) {
						if (*q != ',')
							return "expected , between labels";
						q++;
					}
					first = false;
					size_t ln = fz_name_len(q, false);
					if (!ln)
						return "bad label name";
					q += ln;
					if (q + 1 >= nl || q[0] != '=' || q[1] != '"')
						return "expected =\" after label name";
					q += 2;
					const char *v = q;
					while (q < nl && *q != '"') {
						if (*q == '\\') {
							if (q + 1 >= nl || (q[1] != '\\' && q[1] != 'n' && q[1] != '"'))
								return "bad escape in label value";
							q++;
						}
						q++;
					}
					if (q >= nl)
						return "unterminated label value";
					if (!fz_utf8_valid((const unsigned char *)v, (size_t)(q - v)))
						return "label value is not valid UTF-8";
					q++;
				}
				if (q >= nl)
					return "unterminated label set";
				q++;
			}
			if (q >= nl || *q != ' ')
				return "expected a space before the value";
			q++;
			if (!fz_value_ok(q, (size_t)(nl - q)))
				return "bad sample value";
			size_t series_len = (size_t)(q - 1 - p);
			if (prev && prev_len == series_len && memcmp(prev, p, series_len) == 0)
				return "series printed twice";
			prev = p;
			prev_len = series_len;
		}
		p = nl + 1;
	}
	return NULL;
}

#endif
