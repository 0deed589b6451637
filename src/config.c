#include <stdio.h>
#include <yaml.h>

#include "config.h"
#include "nodex.h"
#include "procfs.h"

#define MAX_DEPTH 16

struct cfg {
	yaml_parser_t parser;
	struct flag *const *sets;
	size_t n_sets;
	struct arena *a;
	const char *name;
	char *err;
	size_t err_size;
};

static int fail_at(struct cfg *c, const yaml_mark_t *m, const char *fmt, const char *arg)
{
	char msg[640]; /* a key path (up to 511 bytes) and the sentence around it */

	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(c->err, c->err_size, "%s:%zu:%zu: %s", c->name, m->line + 1, m->column + 1, msg);
	return -EINVAL;
}

static int next_event(struct cfg *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->parser, ev)) {
		const yaml_mark_t *m = &c->parser.problem_mark;
		snprintf(c->err, c->err_size, "%s:%zu:%zu: %s", c->name, m->line + 1, m->column + 1,
			 c->parser.problem ? c->parser.problem : "invalid YAML");
		return -EINVAL;
	}
	return 0;
}

/* The flag a key path names. "collector.<x>.enabled" names the switch "collector.<x>". */
static struct flag *find_flag(struct cfg *c, const char *path)
{
	struct flag *f = flag_find(c->sets, c->n_sets, path);

	if (!f && endswith(path, ".enabled")) {
		char base[512];
		size_t n = strlen(path) - strlen(".enabled");
		if (n < sizeof(base)) {
			memcpy(base, path, n);
			base[n] = '\0';
			f = flag_find(c->sets, c->n_sets, base);
			if (f && f->type != FLAG_BOOL)
				f = NULL;
		}
	}
	return f;
}

static int apply(struct cfg *c, const char *path, const yaml_event_t *key, const yaml_event_t *val, bool in_list)
{
	struct flag *f = find_flag(c, path);
	char msg[300];

	if (!f)
		return fail_at(c, &key->start_mark, "unknown key %s (no such flag)", path);
	if (in_list && f->type != FLAG_STRINGS)
		return fail_at(c, &key->start_mark, "%s takes one value, not a list", path);
	const char *text = arena_strndup(c->a, (const char *)val->data.scalar.value, val->data.scalar.length);
	if (!text) {
		snprintf(c->err, c->err_size, "out of memory");
		return -ENOMEM;
	}
	if (flag_set(f, text, FLAG_SRC_FILE, msg, sizeof(msg)) < 0)
		return fail_at(c, &val->start_mark, "%s", msg);
	return 0;
}

static int join(char *out, size_t size, const char *prefix, const yaml_event_t *key)
{
	int n = snprintf(out, size, "%s%s%.*s", prefix, *prefix ? "." : "", (int)key->data.scalar.length,
			 (const char *)key->data.scalar.value);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int parse_mapping(struct cfg *c, const char *prefix, int depth)
{
	yaml_event_t key, val;
	char path[512];
	int r;

	if (depth > MAX_DEPTH) {
		snprintf(c->err, c->err_size, "%s: nested too deep", c->name);
		return -EINVAL;
	}
	for (;;) {
		if ((r = next_event(c, &key)) < 0)
			return r;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		if (key.type != YAML_SCALAR_EVENT) {
			r = fail_at(c, &key.start_mark, "expected a key%s", "");
			yaml_event_delete(&key);
			return r;
		}
		if (join(path, sizeof(path), prefix, &key) < 0) {
			r = fail_at(c, &key.start_mark, "key too long%s", "");
			yaml_event_delete(&key);
			return r;
		}
		if ((r = next_event(c, &val)) < 0) {
			yaml_event_delete(&key);
			return r;
		}
		switch (val.type) {
		case YAML_SCALAR_EVENT:
			r = apply(c, path, &key, &val, false);
			break;
		case YAML_MAPPING_START_EVENT:
			r = parse_mapping(c, path, depth + 1);
			break;
		case YAML_SEQUENCE_START_EVENT:
			for (;;) {
				yaml_event_t item;
				if ((r = next_event(c, &item)) < 0)
					break;
				if (item.type == YAML_SEQUENCE_END_EVENT) {
					yaml_event_delete(&item);
					break;
				}
				if (item.type != YAML_SCALAR_EVENT)
					r = fail_at(c, &item.start_mark, "%s: a list may hold only plain values", path);
				else
					r = apply(c, path, &key, &item, true);
				yaml_event_delete(&item);
				if (r < 0)
					break;
			}
			break;
		case YAML_ALIAS_EVENT:
			r = fail_at(c, &val.start_mark, "%s: aliases are not supported", path);
			break;
		default:
			r = fail_at(c, &val.start_mark, "%s: unexpected value", path);
			break;
		}
		yaml_event_delete(&key);
		yaml_event_delete(&val);
		if (r < 0)
			return r;
	}
}

int config_apply_buffer(const char *text, size_t len, const char *name, struct flag *const *sets, size_t n_sets,
			struct arena *a, char *err, size_t err_size)
{
	struct cfg c = { .sets = sets, .n_sets = n_sets, .a = a, .name = name, .err = err, .err_size = err_size };
	yaml_event_t ev;
	int r = 0;
	bool done = false;

	if (!yaml_parser_initialize(&c.parser)) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
	while (!done && r == 0) {
		if ((r = next_event(&c, &ev)) < 0)
			break;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			r = parse_mapping(&c, "", 0);
			break;
		case YAML_SCALAR_EVENT:
			/* An empty document is a null scalar: nothing to set. */
			if (ev.data.scalar.length != 0)
				r = fail_at(&c, &ev.start_mark, "the top level must be a mapping of keys%s", "");
			break;
		default:
			r = fail_at(&c, &ev.start_mark, "the top level must be a mapping of keys%s", "");
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&c.parser);
	return r;
}

int config_apply_file(const char *path, struct flag *const *sets, size_t n_sets, struct arena *a, char *err,
		      size_t err_size)
{
	struct strbuf b = { 0 };
	ssize_t n = file_read(path, &b);
	int r;

	if (n < 0) {
		snprintf(err, err_size, "%s: %s", path, strerror((int)-n));
		sb_free(&b);
		return (int)n;
	}
	r = config_apply_buffer(b.p, (size_t)n, path, sets, n_sets, a, err, err_size);
	sb_free(&b);
	return r;
}
