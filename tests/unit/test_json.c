/* The JSON reader used by the qdisc and wifi fixture paths. */
#include "harness.h"
#include "json.h"

static struct arena A;
static char err[200];

static const struct json *parse(const char *s)
{
	return json_parse(s, strlen(s), &A, err, sizeof(err));
}

static void test_values(void)
{
	const struct json *j = parse(" [ 1, -2.5e3, \"a\\u00e9\\n\\\"\", true, false, null, {}, [] ] ");
	const struct json *e;

	CHECK(j && j->type == JSON_ARRAY);
	if (!j)
		return;
	e = j->child;
	CHECK(e->type == JSON_NUMBER && streq(e->str, "1"));
	e = e->next;
	CHECK(e->type == JSON_NUMBER && streq(e->str, "-2.5e3"));
	e = e->next;
	CHECK(e->type == JSON_STRING && e->len == 5 && memcmp(e->str, "a\xc3\xa9\n\"", 5) == 0);
	e = e->next;
	CHECK(e->type == JSON_BOOL && e->boolean);
	e = e->next;
	CHECK(e->type == JSON_BOOL && !e->boolean);
	e = e->next;
	CHECK(e->type == JSON_NULL);
	e = e->next;
	CHECK(e->type == JSON_OBJECT && !e->child);
	e = e->next;
	CHECK(e->type == JSON_ARRAY && !e->child && !e->next);

	/* Surrogate pairs, and a lone surrogate (U+FFFD, as Go). */
	j = parse("\"\\ud83d\\ude00\\ud800x\"");
	CHECK(j && j->len == 8 && memcmp(j->str, "\xf0\x9f\x98\x80\xef\xbf\xbdx", 8) == 0);
}

static void test_errors(void)
{
	const char *bad[] = {
		"", "[", "[1,]", "{\"a\" 1}", "{\"a\":}", "{1:2}", "[1 2]", "tru", "nul", "01x", "-", "1.", "1e",
		"\"abc", "\"a\\x\"", "\"a\\u12\"", "\"tab\there\"", "[1] x", "{\"a\":1,}", "+1", ".5",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const struct json *j = parse(bad[i]);
		if (j)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(j == NULL);
		CHECK(err[0] != '\0');
	}
	/* Nesting limit. */
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	CHECK(json_parse(deep, sizeof(deep), &A, err, sizeof(err)) == NULL);
	/* Embedded NUL inside the document is an error, inside a string escape it is data. */
	CHECK(json_parse("[1]\0", 4, &A, err, sizeof(err)) == NULL);
	const struct json *j = parse("\"a\\u0000b\"");
	CHECK(j && j->len == 3 && j->str[1] == '\0');
}

static void test_get_and_numbers(void)
{
	const struct json *o = parse("{\"IfaceName\":\"eth0\",\"ifacename\":\"x\",\"Bytes\":18446744073709551615,"
				     "\"neg\":-5,\"f\":1.5,\"big\":18446744073709551616,\"n\":null,\"s\":\"7\","
				     "\"dup\":1,\"dup\":2}");
	uint64_t u = 0;
	int64_t i = 0;

	CHECK(o != NULL);
	if (!o)
		return;
	/* Exact match first, then any case. */
	CHECK(json_get(o, "IfaceName") && streq(json_get(o, "IfaceName")->str, "eth0"));
	CHECK(json_get(o, "IFACENAME") && streq(json_get(o, "IFACENAME")->str, "x"));
	CHECK(json_get(o, "missing") == NULL);
	CHECK(json_get(json_get(o, "s"), "x") == NULL);
	/* Map keys: exact only, the last duplicate. */
	CHECK(json_get_exact(o, "IFACENAME") == NULL);
	CHECK(json_get_exact(o, "ifacename") && streq(json_get_exact(o, "ifacename")->str, "x"));
	CHECK(json_get_exact(o, "dup") && streq(json_get_exact(o, "dup")->str, "2"));
	CHECK(json_get_exact(json_get(o, "s"), "x") == NULL);
	CHECK_INT(json_u64(json_get(o, "bytes"), &u), 0);
	CHECK(u == UINT64_MAX);
	CHECK_INT(json_u64(json_get(o, "neg"), &u), -EINVAL);
	CHECK_INT(json_i64(json_get(o, "neg"), &i), 0);
	CHECK_INT(i, -5);
	CHECK_INT(json_u64(json_get(o, "f"), &u), -EINVAL);
	CHECK_INT(json_u64(json_get(o, "big"), &u), -EINVAL);
	CHECK_INT(json_u64(json_get(o, "n"), &u), -ENOENT);
	CHECK_INT(json_u64(json_get(o, "nope"), &u), -ENOENT);
	CHECK_INT(json_u64(json_get(o, "s"), &u), -EINVAL);
	CHECK_INT(json_i64(json_get(o, "dup"), &i), 0);
	CHECK_INT(i, 2);
}

static void test_base64(void)
{
	unsigned char out[8];
	const struct json *o = parse("[\"qrvM3e7/\",\"ABEiM0RV\",\"AQ==\",\"AQI=\",\"\",\"A===\",\"AQ\",\"!!!!\","
				     "\"AQ==AQ==\",1,null,\"AAAAAAAAAAAA\"]");
	const struct json *e = o ? o->child : NULL;

	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_INT(json_base64(e, out, sizeof(out)), 6);
	CHECK(memcmp(out, "\xaa\xbb\xcc\xdd\xee\xff", 6) == 0);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), 6);
	CHECK(memcmp(out, "\x00\x11\x22\x33\x44\x55", 6) == 0);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), 1);
	CHECK(out[0] == 1);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), 2);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), 0);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -EINVAL);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -EINVAL); /* unpadded */
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -EINVAL);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -EINVAL); /* data after padding */
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -EINVAL);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -ENOENT);
	e = e->next;
	CHECK_INT(json_base64(e, out, sizeof(out)), -ENOSPC);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_values();
	test_errors();
	test_get_and_numbers();
	test_base64();
	arena_free(&A);
	return test_summary(argv[0]);
}
