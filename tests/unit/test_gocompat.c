/* The Go compatibility layer (include/gocompat.h): strconv, time.ParseDuration, unicode/utf8, Go's
 * path.Clean and base64 as node_exporter's Go sees them. */
#include "harness.h"
#include "base64.h"
#include "gocompat.h"

static void test_parse_uint(void)
{
	static const struct {
		const char *s;
		int base, bits;
		int ret;
		uint64_t want;
	} cases[] = {
		{ "0", 10, 64, 0, 0 },
		{ "18446744073709551615", 10, 64, 0, UINT64_MAX },
		{ "18446744073709551616", 10, 64, -ERANGE, 0 },
		{ "4294967296", 10, 32, -ERANGE, 0 },
		{ "4294967295", 10, 32, 0, 4294967295u },
		{ "", 10, 64, -EINVAL, 0 },
		{ " 1", 10, 64, -EINVAL, 0 },
		{ "1 ", 10, 64, -EINVAL, 0 },
		{ "+1", 10, 64, -EINVAL, 0 },
		{ "12 34", 10, 64, -EINVAL, 0 },
		{ "0x1f", 10, 64, -EINVAL, 0 },
		{ "0x1f", 0, 64, 0, 31 },
		{ "0X1F", 0, 64, 0, 31 },
		{ "0xffffffffffffffff", 0, 64, 0, UINT64_MAX },
		{ "010", 0, 64, 0, 8 },
		{ "09", 0, 64, -EINVAL, 0 },
		{ "0o17", 0, 64, 0, 15 },
		{ "0b101", 0, 64, 0, 5 },
		{ "0x", 0, 64, -EINVAL, 0 },
		{ "1_000", 0, 64, 0, 1000 },
		{ "1__000", 0, 64, -EINVAL, 0 },
		{ "_1", 0, 64, -EINVAL, 0 },
		{ "1_", 0, 64, -EINVAL, 0 },
		{ "1_000", 10, 64, -EINVAL, 0 },
		{ "ff", 16, 64, 0, 255 },
		{ "N/A (no PMA)", 0, 64, -EINVAL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 12345;
		int r = go_parse_uint(cases[i].s, cases[i].base, cases[i].bits, &v);
		CHECK_INT(r, cases[i].ret);
		if (cases[i].ret == 0)
			CHECK(v == cases[i].want);
		else
			CHECK(v == 12345);
	}
}

static void test_parse_int(void)
{
	static const struct {
		const char *s;
		int base, bits;
		int ret;
		int64_t want;
	} cases[] = {
		{ "-1", 10, 64, 0, -1 },
		{ "+7", 10, 64, 0, 7 },
		{ "--1", 10, 64, -EINVAL, 0 },
		{ "-", 10, 64, -EINVAL, 0 },
		{ "9223372036854775807", 10, 64, 0, INT64_MAX },
		{ "9223372036854775808", 10, 64, -ERANGE, 0 },
		{ "-9223372036854775808", 10, 64, 0, INT64_MIN },
		{ "-9223372036854775809", 10, 64, -ERANGE, 0 },
		{ "0x060400", 0, 32, 0, 0x060400 },
		{ "0x80000000", 0, 32, -ERANGE, 0 },
		{ "-0x10", 0, 64, 0, -16 },
		{ "3.5", 10, 64, -EINVAL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t v = 12345;
		int r = go_parse_int(cases[i].s, cases[i].base, cases[i].bits, &v);
		CHECK_INT(r, cases[i].ret);
		if (cases[i].ret == 0)
			CHECK(v == cases[i].want);
	}
}

static void test_parse_float(void)
{
	double v;

	CHECK_INT(go_parse_float("1.5", &v), 0);
	CHECK(v == 1.5);
	CHECK_INT(go_parse_float("-2e3", &v), 0);
	CHECK(v == -2000);
	CHECK_INT(go_parse_float("0x1p-2", &v), 0);
	CHECK(v == 0.25);
	CHECK_INT(go_parse_float("inf", &v), 0);
	CHECK_INT(go_parse_float("NaN", &v), 0);
	CHECK_INT(go_parse_float("+NaN", &v), -EINVAL);
	CHECK_INT(go_parse_float("nan(1)", &v), -EINVAL);
	CHECK_INT(go_parse_float("0x1.8", &v), -EINVAL);
	CHECK_INT(go_parse_float(" 1", &v), -EINVAL);
	CHECK_INT(go_parse_float("1 ", &v), -EINVAL);
	CHECK_INT(go_parse_float("", &v), -EINVAL);
	CHECK_INT(go_parse_float("12abc", &v), -EINVAL);
	CHECK_INT(go_parse_float("1e400", &v), -ERANGE);
}

static void test_utf8(void)
{
	struct arena a = { 0 };

	CHECK(utf8_valid("plain"));
	CHECK(utf8_valid("\xEF\xBF\xBD\x1c[\xEF\xBF\xBD"));
	CHECK(!utf8_valid("LNV-45N1\xff\xfe"));
	CHECK(!utf8_valid("\xED\xA0\x80")); /* a surrogate */
	CHECK(!utf8_valid("\xC0\xAF"));     /* overlong */
	CHECK_STR(utf8_sanitize(&a, "LNV-45N1\xff\xfe"), "LNV-45N1\xEF\xBF\xBD");
	CHECK_STR(utf8_sanitize(&a, "a\x80" "b\x80"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
	CHECK_STR(utf8_sanitize(&a, "\xE2\x82"), "\xEF\xBF\xBD");
	arena_free(&a);
}

static void test_clean(void)
{
	static const char *const cases[][2] = {
		{ "", "." },
		{ "/", "/" },
		{ "a/b/../c", "a/c" },
		{ "collector/fixtures/sys/class/powercap/intel-rapl:0", "collector/fixtures/sys/class/powercap/intel-rapl:0" },
		{ "/sys//class/./powercap/", "/sys/class/powercap" },
		{ "../../a", "../../a" },
		{ "/../a", "/a" },
		{ "a/../..", ".." },
		{ "./", "." },
	};
	char buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i][0]);
		CHECK_STR(path_clean_in_place(buf), cases[i][1]);
	}
}

static void test_clean_metric_name(void)
{
	static const char *const cases[][2] = {
		{ "coretemp.0", "coretemp_0" },
		{ "  Package id 0  ", "package_id_0" },
		{ "0000:00:18.3", "0000:00:18_3" },
		{ "__x__", "x" },
		{ "caf\xc3\xa9", "caf" },                /* one "_" for the two-byte e-acute, then trimmed */
		{ "a\xc3\xa9" "b", "a_b" },
		{ "\xe2\x84\xaa" "elvin", "kelvin" },       /* KELVIN SIGN lowers to k */
		{ "a\xff" "b", "a_b" },                    /* an invalid byte is one character */
		{ "", "" },
	};
	char out[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_STR(go_clean_metric_name(cases[i][0], out), cases[i][1]);
}

/* Go's time.ParseDuration accepts and refuses exactly these (checked against Go's grammar: a sign, then
 * numbers with units, no days). Values are exact: nanoseconds are counted in integers as Go does. */

static void test_duration(void)
{
	static const struct {
		const char *s;
		int ret;
		double want;
	} t[] = {
		{ "0", 0, 0 },
		{ "+0", 0, 0 },
		{ "-0", 0, 0 },
		{ "0s", 0, 0 },
		{ "1s", 0, 1 },
		{ "1.5h", 0, 5400 },
		{ "1m30s", 0, 90 },
		{ "250ms", 0, 0.25 },
		{ "-2s", 0, -2 },
		{ "+3m", 0, 180 },
		{ ".5s", 0, 0.5 },
		{ "1.s", 0, 1 },
		{ "100ns", 0, 1e-7 },
		{ "3us", 0, 3e-6 },
		{ "3\xc2\xb5s", 0, 3e-6 },
		{ "3\xce\xbcs", 0, 3e-6 },
		{ "1h1m1s1ms", 0, 3661.001 },
		{ "1s1s", 0, 2 },      /* Go allows a unit twice */
		{ "1m1h", 0, 3660 },   /* and in any order */
		{ "1.0000000001s", 0, 1 }, /* below a nanosecond is cut */
		{ "0.000000001s", 0, 1e-9 },
		{ "2562047h", 0, 9223369200 },
		{ "9223372036854775807ns", 0, 9223372036.854775807 },
		{ "-9223372036854775808ns", 0, -9223372036.854775808 },
		{ "", -EINVAL, 0 },
		{ "+", -EINVAL, 0 },
		{ "1", -EINVAL, 0 },    /* a unit is needed except for "0" alone */
		{ "00", -EINVAL, 0 },
		{ "1m5", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ "1d", -EINVAL, 0 },   /* not Go units */
		{ "1w", -EINVAL, 0 },
		{ "1y", -EINVAL, 0 },
		{ "1sec", -EINVAL, 0 },
		{ "1S", -EINVAL, 0 },
		{ "1e3s", -EINVAL, 0 },
		{ ".s", -EINVAL, 0 },
		{ "-.s", -EINVAL, 0 },
		{ "1.5.5s", -EINVAL, 0 },
		{ "--1s", -EINVAL, 0 },
		{ " 1s", -EINVAL, 0 },
		{ "1 s", -EINVAL, 0 },
		{ "1s ", -EINVAL, 0 },
		{ "3000000h", -EINVAL, 0 },
		{ "9223372036854775808ns", -EINVAL, 0 },
		{ "-9223372036854775809ns", -EINVAL, 0 },
		{ "2562047h47m16.854775808s", -EINVAL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		double v = -42;
		int r = go_parse_duration(t[i].s, &v);
		if (r != t[i].ret)
			fprintf(stderr, "duration '%s'\n", t[i].s);
		CHECK_INT(r, t[i].ret);
		if (t[i].ret == 0 && v != t[i].want)
			fprintf(stderr, "duration '%s': got %.17g, want %.17g\n", t[i].s, v, t[i].want);
		CHECK(t[i].ret < 0 ? v == -42 : v == t[i].want);
	}
}

/* Go's base64.StdEncoding.DecodeString and utf8.EncodeRune. */
static void test_base64_utf8(void)
{
	static const struct {
		const char *in;
		ssize_t ret;
		const char *want;
	} t[] = {
		{ "YWxpY2U6c2VjcmV0", 12, "alice:secret" },
		{ "YQ==", 1, "a" },
		{ "YWI=", 2, "ab" },
		{ "YW\r\nI=\n", 2, "ab" }, /* CR and LF are skipped anywhere */
		{ "", 0, "" },
		{ "YQ", -EINVAL, NULL },      /* unpadded */
		{ "YQ=", -EINVAL, NULL },
		{ "Y===", -EINVAL, NULL },
		{ "YW=I", -EINVAL, NULL },    /* data after '=' in a quantum */
		{ "YQ==YQ==", -EINVAL, NULL }, /* data after the padding */
		{ "YQ==\n", 1, "a" },
		{ "Y Q==", -EINVAL, NULL },
		{ "YWJjZGVm", -ENOSPC, NULL }, /* 6 bytes into 4 */
	};
	unsigned char out[16];
	char u[4];

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		/* Room for 12 bytes, but only 4 for the case that must not fit. */
		ssize_t r = base64_decode(t[i].in, strlen(t[i].in), out, t[i].ret == -ENOSPC ? 4 : 12);
		CHECK_INT(r, t[i].ret);
		if (r > 0)
			CHECK(memcmp(out, t[i].want, (size_t)r) == 0);
	}
	CHECK_INT(utf8_encode(u, 'A'), 1);
	CHECK_INT(utf8_encode(u, 0xE9), 2);
	CHECK(memcmp(u, "\xc3\xa9", 2) == 0);
	CHECK_INT(utf8_encode(u, 0x20AC), 3);
	CHECK(memcmp(u, "\xe2\x82\xac", 3) == 0);
	CHECK_INT(utf8_encode(u, 0x1F600), 4);
	CHECK(memcmp(u, "\xf0\x9f\x98\x80", 4) == 0);
	CHECK_INT(utf8_encode(u, 0xD800), 3); /* a surrogate: U+FFFD */
	CHECK(memcmp(u, "\xef\xbf\xbd", 3) == 0);
	CHECK_INT(utf8_encode(u, 0x110000), 3);
	CHECK(memcmp(u, "\xef\xbf\xbd", 3) == 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_parse_uint();
	test_parse_int();
	test_parse_float();
	test_utf8();
	test_clean();
	test_clean_metric_name();
	test_duration();
	test_base64_utf8();
	return test_summary(argv[0]);
}
