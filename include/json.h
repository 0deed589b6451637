/* The one JSON reader: node_exporter's test-only fixtures (--collector.qdisc.fixtures,
 * --collector.wifi.fixtures) and containerd's task bundles (the container collector's annotations). It
 * parses a whole document into a tree in an arena and looks object members up as Go's encoding/json
 * does: an exact key first, else a case-insensitive one, the last of duplicates winning. Strict, as Go
 * is: trailing garbage, bad escapes, control characters in strings and nesting deeper than
 * JSON_MAX_DEPTH are errors. */
#ifndef NODEX_JSON_H
#define NODEX_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define JSON_MAX_DEPTH 64

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean;
	const char *str;    /* JSON_STRING: decoded UTF-8 (may hold NUL bytes); JSON_NUMBER: the number's text */
	size_t len;         /* length of str */
	const char *key;    /* set on object members: the decoded key */
	size_t key_len;
	struct json *child; /* arrays and objects: first element or member */
	struct json *next;  /* next sibling */
};

/* Parses len bytes of s. Returns the root, or NULL with a message (and the byte offset) in err. Every
 * node lives in arena a. */
struct json *json_parse(const char *s, size_t len, struct arena *a, char *err, size_t err_size);

/* Returns the member of object o named key (exact match preferred, else ASCII case-insensitive; the last
 * of duplicates), or NULL when o is not an object or has no such member. */
const struct json *json_get(const struct json *o, const char *key);
/* The same with an exact match only, as Go looks up the keys of a map (map[string]string annotations). */
const struct json *json_get_exact(const struct json *o, const char *key);

/* Reads a number node into an integer. Returns 0, -EINVAL when the node is not a number or not an integer
 * in that type's range (as Go refuses 1.5 or -1 for a uint64 field), or -ENOENT when n is NULL or null
 * (the field keeps its zero value in Go). */
int json_u64(const struct json *n, uint64_t *v);
int json_i64(const struct json *n, int64_t *v);

/* Decodes a string node holding standard base64 (Go's encoding of []byte fields) into out. Returns the
 * number of bytes, -ENOENT for NULL or null, -EINVAL for a non-string or bad base64, -ENOSPC when it does
 * not fit. */
ssize_t json_base64(const struct json *n, unsigned char *out, size_t size);

#endif
