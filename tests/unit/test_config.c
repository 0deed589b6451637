/* The configuration file parser: keys mirror flags, errors carry line and column. */
#include <limits.h>
#include <stdint.h>

#include "config.h"
#include "harness.h"

static bool b_on, b_sw;
static const char *s_val;
static long i_val;
static double d_val;
static struct strlist l_val;

static struct flag flags[] = {
	{ "web.listen-address", FLAG_STRINGS, ":9100", "", &l_val },
	{ "web.telemetry-path", FLAG_STRING, "/metrics", "", &s_val },
	{ "web.max-requests", FLAG_INT, "40", "", &i_val },
	{ "scrape.timeout", FLAG_DURATION, "10s", "", &d_val },
	{ "collector.cpu", FLAG_BOOL, "true", "", &b_sw },
	{ "collector.cpu.info", FLAG_BOOL, "false", "", &b_on },
	{ NULL },
};

struct ccase {
	const char *name;
	const char *yaml;
	const char *err; /* NULL: must succeed; else a substring of the message */
};

static const struct ccase cases[] = {
	{ "empty", "", NULL },
	{ "comment only", "# nothing\n", NULL },
	{ "nested keys", "web:\n  telemetry-path: /m\n  max-requests: 7\nscrape:\n  timeout: 1m30s\n", NULL },
	{ "dotted key", "web.telemetry-path: /x\n", NULL },
	{ "enabled switch", "collector:\n  cpu:\n    enabled: false\n    info: true\n", NULL },
	{ "list", "web:\n  listen-address: [\":1\", \"[::1]:2\"]\n", NULL },
	{ "block list", "web:\n  listen-address:\n    - \":1\"\n    - \":2\"\n", NULL },
	{ "unknown key", "web:\n  telemetry-path: /m\n  max-request: 3\n", "t.yml:3:3: unknown key web.max-request" },
	{ "misspelt top", "colector:\n  cpu:\n    info: true\n", "t.yml:3:5: unknown key colector.cpu.info" },
	{ "wrong type", "web:\n  max-requests: many\n", "t.yml:2:17: invalid value 'many' for flag '--web.max-requests'" },
	{ "bad bool", "collector:\n  cpu:\n    info: maybe\n", "t.yml:3:11" },
	{ "bad duration", "scrape:\n  timeout: 10 s\n", "t.yml:2:12" },
	{ "days are not a Go unit", "scrape:\n  timeout: 1d\n", "invalid value '1d' for flag '--scrape.timeout'" },
	{ "list for one value", "web:\n  telemetry-path: [/a, /b]\n", "takes one value, not a list" },
	{ "top-level list", "- a\n- b\n", "top level must be a mapping" },
	{ "top-level scalar", "hello\n", "top level must be a mapping" },
	{ "alias", "a: &x /m\nweb:\n  telemetry-path: *x\n", "t.yml:1:" },
	{ "syntax error", "web:\n  telemetry-path: [/a\n", "t.yml:" },
	{ "tab indentation", "web:\n\ttelemetry-path: /m\n", "t.yml:" },
	{ "every document", "web.max-requests: 1\n---\nweb.telemetry-path: /m\n", NULL },
	{ "an error in the second document", "web.max-requests: 1\n---\nweb.max-request: 2\n",
	  "t.yml:3:1: unknown key web.max-request" },
	{ "alias in a list", "web:\n  listen-address: [&a \":1\", *a]\n",
	  "t.yml:2:29: web.listen-address: a list may hold only plain values" },
	{ "alias as a value", "web:\n  telemetry-path: &x /m\n  max-requests: *x\n",
	  "t.yml:3:17: web.max-requests: aliases are not supported" },
	{ "syntax error with its context", "web:\n  max-requests: [1\n",
	  "t.yml:3:1: did not find expected ',' or ']' while parsing a flow sequence (line 2, column 17)" },
	{ "list of maps", "web:\n  listen-address:\n    - a: b\n", "a list may hold only plain values" },
	{ "deep", "a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n        i:\n         j:\n          k:\n           l:\n            m:\n             n:\n              o:\n               p:\n                q:\n                 r: 1\n", "nested too deep" },
};

int main(int argc, char **argv)
{
	struct arena a = { 0 };
	char err[512];

	(void)argc;
	struct flag *sets[1] = { flags };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		flags_set_defaults(flags);
		err[0] = '\0';
		int r = config_apply_buffer(cases[i].yaml, strlen(cases[i].yaml), "t.yml", sets, 1, &a, err, sizeof(err));
		if (!cases[i].err) {
			if (r != 0)
				fprintf(stderr, "case %s: %s\n", cases[i].name, err);
			CHECK_INT(r, 0);
		} else {
			CHECK(r < 0);
			if (!strstr(err, cases[i].err))
				fprintf(stderr, "case %s: message '%s' lacks '%s'\n", cases[i].name, err, cases[i].err);
			CHECK(strstr(err, cases[i].err) != NULL);
		}
	}
	/* An integer flag takes what long holds: 5000000000 on a 64-bit build; on a 32-bit one it is refused,
	 * where it used to be truncated to 705032704. */
	flags_set_defaults(flags);
#if LONG_MAX > INT32_MAX
	CHECK_INT(flag_set(&flags[2], "5000000000", FLAG_SRC_CMDLINE, err, sizeof(err)), 0);
	CHECK_INT(i_val, 5000000000LL);
#else
	CHECK(flag_set(&flags[2], "5000000000", FLAG_SRC_CMDLINE, err, sizeof(err)) < 0);
	CHECK_INT(i_val, 40);
#endif
	CHECK(flag_set(&flags[2], "99999999999999999999", FLAG_SRC_CMDLINE, err, sizeof(err)) < 0);
	/* Values land in the flags, and the command line wins over the file. */
	flags_set_defaults(flags);
	CHECK_INT(flag_set(&flags[2], "99", FLAG_SRC_CMDLINE, err, sizeof(err)), 0);
	const char *y = "web:\n  max-requests: 3\n  telemetry-path: /z\n  listen-address: [\":1\", \":2\"]\n"
			"scrape:\n  timeout: 1m30s\ncollector:\n  cpu:\n    enabled: false\n    info: true\n";
	CHECK_INT(config_apply_buffer(y, strlen(y), "t.yml", sets, 1, &a, err, sizeof(err)), 0);
	CHECK_INT(i_val, 99);
	CHECK_STR(s_val, "/z");
	CHECK_INT(l_val.n, 2);
	CHECK_STR(l_val.v[1], ":2");
	CHECK(d_val == 90);
	CHECK(!b_sw);
	CHECK(b_on);
	free(l_val.v);
	arena_free(&a);
	return test_summary(argv[0]);
}
