/* Go compatibility: what node_exporter's behaviour rests on in Go's standard library (strconv, unicode/utf8,
 * strings, time.ParseDuration) and in its own small helpers, reproduced exactly. See include/gocompat.h. */
#include <math.h>

#include "gocompat.h"
#include "fileio.h"
#include "parse.h"

/* ---- strings ---- */

static bool is_go_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

char *go_trim_space(char *s)
{
	size_t n;

	while (is_go_space((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_go_space((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* ---- strconv ---- */

static int lower(int c)
{
	return c | ('x' - 'X');
}

/* Go's underscoreOK: underscores may only separate digits (or the base prefix and a digit). */
static bool underscore_ok(const char *s)
{
	char saw = '^';
	size_t i = 0, n;
	bool hex = false;

	if (*s == '-' || *s == '+')
		s++;
	n = strlen(s);
	if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = lower(s[1]) == 'x';
	}
	for (; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

int go_parse_uint(const char *s0, int base, int bits, uint64_t *out)
{
	const char *s = s0;
	bool base0 = base == 0, underscores = false;
	uint64_t n = 0, maxv = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;

	if (!*s)
		return -EINVAL;
	if (base0) {
		base = 10;
		if (s[0] == '0') {
			size_t len = strlen(s);
			if (len >= 3 && lower(s[1]) == 'b') {
				base = 2;
				s += 2;
			} else if (len >= 3 && lower(s[1]) == 'o') {
				base = 8;
				s += 2;
			} else if (len >= 3 && lower(s[1]) == 'x') {
				base = 16;
				s += 2;
			} else {
				base = 8;
				s += 1;
			}
		}
	}
	for (; *s; s++) {
		int c = (unsigned char)*s, d;
		if (c == '_' && base0) {
			underscores = true;
			continue;
		}
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (lower(c) >= 'a' && lower(c) <= 'z')
			d = lower(c) - 'a' + 10;
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (n > (maxv - (uint64_t)d) / (uint64_t)base)
			return -ERANGE; /* Go stops at the first overflowing digit */
		n = n * (uint64_t)base + (uint64_t)d;
	}
	if (underscores && !underscore_ok(s0))
		return -EINVAL;
	*out = n;
	return 0;
}

int go_parse_int(const char *s, int base, int bits, int64_t *out)
{
	bool neg = false;
	uint64_t un, cutoff;
	int r;

	if (!*s)
		return -EINVAL;
	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
		if (*s == '+' || *s == '-')
			return -EINVAL;
	}
	r = go_parse_uint(s, base, 64, &un);
	if (r == -EINVAL)
		return r;
	cutoff = (uint64_t)1 << (bits - 1);
	if (r == -ERANGE || (!neg && un >= cutoff) || (neg && un > cutoff))
		return -ERANGE;
	*out = neg ? (int64_t)(0 - un) : (int64_t)un;
	return 0;
}

int go_parse_float(const char *s, double *out)
{
	const char *p = s, *end;
	double v;
	int r;

	if (!*s || is_go_space((unsigned char)*s) || strchr(s, '(') || strchr(s, '_'))
		return -EINVAL;
	if (*p == '+' || *p == '-') {
		p++;
		/* Go takes a sign before Inf but not before NaN. */
		if (*p == 'n' || *p == 'N')
			return -EINVAL;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && !strpbrk(p, "pP"))
		return -EINVAL; /* a hexadecimal mantissa needs a 'p' exponent in Go */
	r = parse_double(s, &end, &v);
	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

uint64_t go_float_to_uint64(double x)
{
	const double two63 = 9223372036854775808.0;

	if (isnan(x))
		return UINT64_C(1) << 63;
	if (x < two63) {
		if (x <= -two63)
			return UINT64_C(1) << 63;
		return (uint64_t)(int64_t)x;
	}
	double y = x - two63;
	uint64_t z = y < two63 ? (uint64_t)(int64_t)y : UINT64_C(1) << 63;
	return z | (UINT64_C(1) << 63);
}

/* ---- time ---- */

/* Go's leadingInt: the digits at *s, at most 2^63, *s moved past them. Returns -ERANGE beyond. */
static int go_leading_int(const char **s, uint64_t *out)
{
	const uint64_t max = UINT64_C(1) << 63;
	uint64_t x = 0;

	for (; **s >= '0' && **s <= '9'; (*s)++) {
		if (x > max / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(**s - '0');
		if (x > max)
			return -ERANGE;
	}
	*out = x;
	return 0;
}

/* Go's leadingFraction: the digits at *s as x / *scale; digits past what 2^63 holds only lose
 * precision. */
static uint64_t go_leading_fraction(const char **s, double *scale)
{
	const uint64_t max = UINT64_C(1) << 63;
	uint64_t x = 0;
	bool overflow = false;

	*scale = 1;
	for (; **s >= '0' && **s <= '9'; (*s)++) {
		if (overflow)
			continue;
		if (x > (max - 1) / 10) {
			overflow = true;
			continue;
		}
		uint64_t y = x * 10 + (uint64_t)(**s - '0');
		if (y > max) {
			overflow = true;
			continue;
		}
		x = y;
		*scale *= 10;
	}
	return x;
}

int go_parse_duration(const char *s, double *seconds)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\xc2\xb5s", 1000 }, /* U+00B5 MICRO SIGN */
		{ "\xce\xbcs", 1000 }, /* U+03BC GREEK SMALL LETTER MU */
		{ "ms", 1000000 },
		{ "s", UINT64_C(1000000000) },
		{ "m", UINT64_C(60000000000) },
		{ "h", UINT64_C(3600000000000) },
	};
	const uint64_t max = UINT64_C(1) << 63;
	uint64_t d = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (streq(s, "0")) {
		*seconds = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		const char *start = s;
		bool post = false;
		size_t n;

		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return -EINVAL;
		if (go_leading_int(&s, &v) < 0)
			return -EINVAL;
		bool pre = s != start;
		if (*s == '.') {
			const char *frac = ++s;
			f = go_leading_fraction(&s, &scale);
			post = s != frac;
		}
		if (!pre && !post)
			return -EINVAL; /* no digits: ".s" */
		/* The unit is everything up to the next digit or '.', and must be one of Go's exactly. */
		for (n = 0; s[n] && s[n] != '.' && !(s[n] >= '0' && s[n] <= '9'); n++)
			;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (strlen(units[i].unit) == n && memcmp(s, units[i].unit, n) == 0)
				unit = units[i].ns;
		if (!unit)
			return -EINVAL; /* missing or unknown unit */
		s += n;
		if (v > max / unit)
			return -EINVAL;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > max)
				return -EINVAL;
		}
		d += v;
		if (d > max)
			return -EINVAL;
	}
	if (!neg && d > max - 1)
		return -EINVAL;
	*seconds = neg ? -((double)d / 1e9) : (double)d / 1e9;
	return 0;
}

/* ---- unicode/utf8 ---- */

/* Length of the valid UTF-8 sequence at s, or 0 when the byte at s starts no valid sequence. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq(p);
		if (!n)
			return false;
		p += n;
	}
	return true;
}

const char *utf8_sanitize(struct arena *a, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	bool in_bad = false;

	if (utf8_valid(s))
		return s;
	/* Each invalid byte becomes at most three bytes of U+FFFD. */
	out = arena_alloc(a, strlen(s) * 3 + 1);
	if (!out)
		return NULL;
	o = out;
	while (*p) {
		size_t n = utf8_seq(p);
		if (!n) {
			if (!in_bad) {
				memcpy(o, "\xEF\xBF\xBD", 3);
				o += 3;
			}
			in_bad = true;
			p++;
			continue;
		}
		in_bad = false;
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

size_t utf8_encode(char *out, unsigned long cp)
{
	if ((cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- node_exporter's own ---- */

char *go_clean_metric_name(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, start = 0;

	while (*p) {
		unsigned char c = *p;
		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			out[o++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_') ? (char)c : '_';
			p++;
			continue;
		}
		/* A multi-byte character (or one invalid byte) is one rune to Go's regexp. Two of them lower
		 * to ASCII letters: KELVIN SIGN to k, LATIN CAPITAL I WITH DOT ABOVE to i. */
		size_t n = 1;
		if (c >= 0xC2 && c <= 0xDF && (p[1] & 0xC0) == 0x80)
			n = 2;
		else if (c >= 0xE0 && c <= 0xEF && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
			n = 3;
		else if (c >= 0xF0 && c <= 0xF4 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
			 (p[3] & 0xC0) == 0x80)
			n = 4;
		if (n == 3 && c == 0xE2 && p[1] == 0x84 && p[2] == 0xAA)
			out[o++] = 'k';
		else if (n == 2 && c == 0xC4 && p[1] == 0xB0)
			out[o++] = 'i';
		else
			out[o++] = '_';
		p += n;
	}
	while (start < o && out[start] == '_')
		start++;
	while (o > start && out[o - 1] == '_')
		o--;
	memmove(out, out + start, o - start);
	out[o - start] = '\0';
	return out;
}

/* ---- path ---- */

char *path_clean_in_place(char *p)
{
	size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
	bool rooted = n > 0 && p[0] == '/';

	if (n == 0) {
		strcpy(p, ".");
		return p;
	}
	if (rooted) {
		r = w = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && p[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					p[w++] = '/';
				p[w++] = '.';
				p[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				p[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				p[w++] = p[r];
		}
	}
	if (w == 0)
		p[w++] = '.';
	p[w] = '\0';
	return p;
}

char *path_clean(struct arena *a, const char *path)
{
	size_t n = strlen(path);
	char *out = arena_alloc(a, n + 2); /* "" becomes "." */

	if (!out)
		return NULL;
	memcpy(out, path, n + 1);
	return path_clean_in_place(out);
}
