/* The JSON reader behind include/json.h: recursive descent into an arena-allocated tree. */
#include <stdio.h>
#include <strings.h>

#include "base64.h"
#include "gocompat.h"
#include "json.h"
#include "fileio.h"
#include "parse.h"

struct json_parser {
	const char *s;
	size_t len;
	size_t pos;
	struct arena *a;
	char *err;
	size_t err_size;
	bool failed;
};

static void jfail(struct json_parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->err_size, "%s at offset %zu", what, p->pos);
	p->failed = true;
}

static void skip_ws(struct json_parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* Reads 4 hex digits at p->pos. Returns the value or -1. */
static long read_hex4(struct json_parser *p)
{
	long v = p->len - p->pos >= 4 ? hex4(p->s + p->pos) : -1;

	if (v >= 0)
		p->pos += 4;
	return v;
}

static void put_utf8(struct strbuf *b, unsigned long cp)
{
	char u[4];

	sb_append(b, u, utf8_encode(u, cp));
}

/* Parses a string starting at the opening quote. Returns the decoded bytes in the arena. */
static const char *parse_string(struct json_parser *p, size_t *out_len)
{
	/* The one-character escapes and what they stand for. */
	static const char escapes[] = "\"\\/bfnrt", unescaped[] = "\"\\/\b\f\n\r\t";
	struct strbuf b = { 0 };
	const char *r = NULL;

	p->pos++; /* the quote */
	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			if (b.err) {
				jfail(p, "out of memory");
				break;
			}
			r = arena_strndup(p->a, b.p ? b.p : "", b.len);
			if (!r)
				jfail(p, "out of memory");
			*out_len = b.len;
			break;
		}
		if (c < 0x20) {
			jfail(p, "control character in string");
			break;
		}
		if (c != '\\') {
			sb_putc(&b, (char)c);
			p->pos++;
			continue;
		}
		p->pos++;
		if (p->pos >= p->len)
			break;
		c = (unsigned char)p->s[p->pos++];
		const char *simple = c ? strchr(escapes, c) : NULL;
		if (simple) {
			sb_putc(&b, unescaped[simple - escapes]);
			continue;
		}
		if (c != 'u') {
			jfail(p, "bad escape in string");
			goto out;
		}
		long cp = read_hex4(p);
		if (cp < 0) {
			jfail(p, "bad \\u escape");
			goto out;
		}
		if (cp >= 0xd800 && cp < 0xdc00) {
			/* A high surrogate: a low one must follow, else it decodes to U+FFFD as in Go. */
			size_t save = p->pos;
			long lo = -1;
			if (p->len - p->pos >= 6 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
				p->pos += 2;
				lo = read_hex4(p);
			}
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else {
				p->pos = save;
				cp = 0xfffd;
			}
		}
		/* A lone low surrogate becomes U+FFFD in utf8_encode(). */
		put_utf8(&b, (unsigned long)cp);
	}
	if (!r)
		jfail(p, "unterminated string");
out:
	sb_free(&b);
	return p->failed ? NULL : r;
}

/* Moves *i past the decimal digits at p->s[*i]. Returns how many there were. */
static size_t skip_digits(const struct json_parser *p, size_t *i)
{
	size_t start = *i;

	while (*i < p->len && p->s[*i] >= '0' && p->s[*i] <= '9')
		(*i)++;
	return *i - start;
}

/* Checks JSON number syntax at p->pos and returns its text. */
static const char *parse_number(struct json_parser *p, size_t *out_len)
{
	size_t start = p->pos, i = p->pos;
	const char *s = p->s;

	if (i < p->len && s[i] == '-')
		i++;
	if (i >= p->len || !(s[i] >= '0' && s[i] <= '9')) {
		jfail(p, "bad number");
		return NULL;
	}
	if (s[i] == '0')
		i++;
	else
		skip_digits(p, &i);
	if (i < p->len && s[i] == '.') {
		i++;
		if (!skip_digits(p, &i)) {
			jfail(p, "bad number");
			return NULL;
		}
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!skip_digits(p, &i)) {
			jfail(p, "bad number");
			return NULL;
		}
	}
	p->pos = i;
	*out_len = i - start;
	const char *r = arena_strndup(p->a, s + start, i - start);
	if (!r)
		jfail(p, "out of memory");
	return r;
}

static bool match_word(struct json_parser *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos >= n && memcmp(p->s + p->pos, w, n) == 0) {
		p->pos += n;
		return true;
	}
	return false;
}

static struct json *parse_value(struct json_parser *p, int depth)
{
	struct json *v;

	skip_ws(p);
	if (p->pos >= p->len) {
		jfail(p, "unexpected end of input");
		return NULL;
	}
	if (depth > JSON_MAX_DEPTH) {
		jfail(p, "nesting too deep");
		return NULL;
	}
	v = arena_zalloc(p->a, sizeof(*v));
	if (!v) {
		jfail(p, "out of memory");
		return NULL;
	}
	switch (p->s[p->pos]) {
	case '{':
	case '[': {
		bool obj = p->s[p->pos] == '{';
		char close = obj ? '}' : ']';
		struct json **tail = &v->child;
		v->type = obj ? JSON_OBJECT : JSON_ARRAY;
		p->pos++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return v;
		}
		for (;;) {
			const char *key = NULL;
			size_t key_len = 0;
			skip_ws(p);
			if (obj) {
				if (p->pos >= p->len || p->s[p->pos] != '"') {
					jfail(p, "expected object key");
					return NULL;
				}
				key = parse_string(p, &key_len);
				if (!key)
					return NULL;
				skip_ws(p);
				if (p->pos >= p->len || p->s[p->pos] != ':') {
					jfail(p, "expected ':'");
					return NULL;
				}
				p->pos++;
			}
			struct json *e = parse_value(p, depth + 1);
			if (!e)
				return NULL;
			e->key = key;
			e->key_len = key_len;
			*tail = e;
			tail = &e->next;
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->pos < p->len && p->s[p->pos] == close) {
				p->pos++;
				return v;
			}
			jfail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
			return NULL;
		}
	}
	case '"':
		v->type = JSON_STRING;
		v->str = parse_string(p, &v->len);
		return v->str ? v : NULL;
	case 't':
	case 'f':
	case 'n':
		if (match_word(p, "true")) {
			v->type = JSON_BOOL;
			v->boolean = true;
		} else if (match_word(p, "false")) {
			v->type = JSON_BOOL;
		} else if (match_word(p, "null")) {
			v->type = JSON_NULL;
		} else {
			jfail(p, "invalid literal");
			return NULL;
		}
		return v;
	default:
		v->type = JSON_NUMBER;
		v->str = parse_number(p, &v->len);
		return v->str ? v : NULL;
	}
}

struct json *json_parse(const char *s, size_t len, struct arena *a, char *err, size_t err_size)
{
	struct json_parser p = { .s = s, .len = s ? len : 0, .a = a, .err = err, .err_size = err_size };
	struct json *root;

	if (err_size)
		err[0] = '\0';
	root = parse_value(&p, 0);
	if (root) {
		skip_ws(&p);
		if (p.pos != p.len) {
			jfail(&p, "trailing data after JSON value");
			root = NULL;
		}
	}
	return p.failed ? NULL : root;
}

const struct json *json_get(const struct json *o, const char *key)
{
	const struct json *exact = NULL, *fold = NULL;
	size_t kn = strlen(key);

	if (!o || o->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = o->child; m; m = m->next) {
		if (m->key_len == kn && memcmp(m->key, key, kn) == 0)
			exact = m;
		else if (m->key_len == kn && strncasecmp(m->key, key, kn) == 0) /* ASCII: nodex never sets a locale */
			fold = m;
	}
	return exact ? exact : fold;
}

const struct json *json_get_exact(const struct json *o, const char *key)
{
	const struct json *found = NULL;
	size_t kn = strlen(key);

	if (!o || o->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = o->child; m; m = m->next)
		if (m->key_len == kn && memcmp(m->key, key, kn) == 0)
			found = m;
	return found;
}

int json_u64(const struct json *n, uint64_t *v)
{
	const char *end;
	uint64_t u;

	if (!n || n->type == JSON_NULL)
		return -ENOENT;
	if (n->type != JSON_NUMBER || n->str[0] == '-')
		return -EINVAL;
	if (parse_u64(n->str, &end, &u) < 0 || *end != '\0')
		return -EINVAL;
	*v = u;
	return 0;
}

int json_i64(const struct json *n, int64_t *v)
{
	const char *end;
	int64_t i;

	if (!n || n->type == JSON_NULL)
		return -ENOENT;
	if (n->type != JSON_NUMBER)
		return -EINVAL;
	if (parse_i64(n->str, &end, &i) < 0 || *end != '\0')
		return -EINVAL;
	*v = i;
	return 0;
}

ssize_t json_base64(const struct json *n, unsigned char *out, size_t size)
{
	if (!n || n->type == JSON_NULL)
		return -ENOENT;
	if (n->type != JSON_STRING)
		return -EINVAL;
	return base64_decode(n->str, n->len, out, size);
}
