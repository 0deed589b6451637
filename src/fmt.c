/* Go-compatible shortest float formatting.
 *
 * Go's strconv.FormatFloat(v, 'g', -1, 64) prints the shortest digit string that parses back to v, and
 * switches to exponent form when the decimal exponent is < -4 or >= 6 (the "shortest" rule uses a
 * precision of 6 for that choice). C's %g decides by precision instead, so we find the digits ourselves:
 * exact integers and short decimals take a fast path, anything else tries 15, 16 and 17 significant
 * digits with glibc's correctly rounded %e and keeps the first that round-trips. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"
#include "nodex.h"

#define TWO53 9007199254740992.0

size_t fmt_u64(char *dst, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = '\0';
	return n;
}

/* Shortest digits of a positive finite v: digits into d (no leading or trailing zeros), returns their
 * count, and *dp is the decimal point position, so that v = 0.d * 10^dp. */
static int shortest_digits(double v, char *d, int *dp)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	char buf[40];
	int nd, k;

	if (v < TWO53 && v == floor(v)) {
		nd = (int)fmt_u64(d, (uint64_t)v);
		*dp = nd;
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		return nd;
	}
	/* Short decimals: m / 10^k is correctly rounded because both are exact doubles, so when it equals v,
	 * the digits of m parse back to v. Staying below 1e15 keeps the candidate unique at its length. */
	for (k = 1; k < (int)ARRAY_SIZE(pow10); k++) {
		double m = nearbyint(v * pow10[k]);

		if (m >= 1e15)
			break;
		if (m > 0 && m / pow10[k] == v) {
			nd = (int)fmt_u64(d, (uint64_t)m);
			*dp = nd - k;
			while (nd > 1 && d[nd - 1] == '0')
				nd--;
			return nd;
		}
	}
	/* Normal numbers carry at least 15 significant digits, so the shortest form pads out to the correctly
	 * rounded 15-digit one; subnormals carry fewer and need the whole range. */
	for (int prec = v < 2.2250738585072014e-308 ? 1 : 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
		if (prec < 17 && strtod(buf, NULL) != v)
			continue;
		/* buf is d.ddddde[+-]XX */
		char *e = strchr(buf, 'e');
		int exp10 = atoi(e + 1);
		nd = 0;
		for (char *p = buf; p < e; p++)
			if (*p != '.')
				d[nd++] = *p;
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		*dp = exp10 + 1;
		return nd;
	}
	return 0; /* not reached: 17 digits always round-trip */
}

size_t fmt_double(char *dst, double v)
{
	char d[32];
	char *o = dst;
	int nd, dp, exp10;

	if (isnan(v))
		return (size_t)(stpcpy(dst, "NaN") - dst);
	if (isinf(v))
		return (size_t)(stpcpy(dst, v > 0 ? "+Inf" : "-Inf") - dst);
	if (v == 0)
		return (size_t)(stpcpy(dst, "0") - dst);
	if (v < 0) {
		*o++ = '-';
		v = -v;
	}
	nd = shortest_digits(v, d, &dp);
	exp10 = dp - 1;
	if (exp10 < -4 || exp10 >= 6) {
		*o++ = d[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		*o++ = 'e';
		if (exp10 < 0) {
			*o++ = '-';
			exp10 = -exp10;
		} else {
			*o++ = '+';
		}
		if (exp10 < 10)
			*o++ = '0';
		o += fmt_u64(o, (uint64_t)exp10);
		*o = '\0';
		return (size_t)(o - dst);
	}
	if (dp <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = dp; i < 0; i++)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	} else {
		for (int i = 0; i < dp; i++)
			*o++ = i < nd ? d[i] : '0';
		if (nd > dp) {
			*o++ = '.';
			memcpy(o, d + dp, (size_t)(nd - dp));
			o += nd - dp;
		}
	}
	*o = '\0';
	return (size_t)(o - dst);
}
