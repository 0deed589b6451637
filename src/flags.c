#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "gocompat.h"
#include "nodex.h"
#include "fileio.h"
#include "parse.h"

static int parse_bool(const char *s, bool *out)
{
	if (streq(s, "true") || streq(s, "1") || streq(s, "t") || streq(s, "TRUE") || streq(s, "True"))
		*out = true;
	else if (streq(s, "false") || streq(s, "0") || streq(s, "f") || streq(s, "FALSE") || streq(s, "False"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int strlist_push(struct strlist *l, const char *v)
{
	const char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	l->v[l->n++] = v;
	return 0;
}

int flag_set(struct flag *f, const char *value, enum flag_source source, char *err, size_t err_size)
{
	if (source < f->source) /* a higher source already set it */
		return 0;
	switch (f->type) {
	case FLAG_BOOL: {
		bool b;
		if (parse_bool(value, &b) < 0)
			goto bad;
		*(bool *)f->target = b;
		break;
	}
	case FLAG_STRING:
		*(const char **)f->target = value;
		break;
	case FLAG_STRINGS: {
		struct strlist *l = f->target;
		if (f->source != source)
			l->n = 0; /* the first value from a new source replaces what was there */
		if (strlist_push(l, value) < 0) {
			snprintf(err, err_size, "out of memory");
			return -ENOMEM;
		}
		break;
	}
	case FLAG_INT: {
		int64_t v;
		if (parse_i64(value, NULL, &v) < 0)
			goto bad;
#if LONG_MAX < INT64_MAX
		if (v < LONG_MIN || v > LONG_MAX)
			goto bad; /* 32-bit long: a value it cannot hold is refused, not truncated */
#endif
		*(long *)f->target = (long)v;
		break;
	}
	case FLAG_DURATION: {
		double d;
		if (go_parse_duration(value, &d) < 0)
			goto bad;
		*(double *)f->target = d;
		break;
	}
	}
	f->source = source;
	return 0;
bad:
	snprintf(err, err_size, "invalid value '%s' for flag '--%s'", value, f->name);
	return -EINVAL;
}

int flags_set_defaults(struct flag *flags)
{
	char err[256];

	for (struct flag *f = flags; f->name; f++) {
		f->source = FLAG_SRC_DEFAULT;
		switch (f->type) {
		case FLAG_BOOL:
			*(bool *)f->target = false;
			break;
		case FLAG_STRING:
			*(const char **)f->target = "";
			break;
		case FLAG_STRINGS:
			((struct strlist *)f->target)->n = 0;
			break;
		case FLAG_INT:
			*(long *)f->target = 0;
			break;
		case FLAG_DURATION:
			*(double *)f->target = 0;
			break;
		}
		if (f->def && flag_set(f, f->def, FLAG_SRC_DEFAULT, err, sizeof(err)) < 0)
			return -EINVAL;
	}
	return 0;
}

struct flag *flag_find(struct flag *const *sets, size_t n_sets, const char *name)
{
	for (size_t i = 0; i < n_sets; i++)
		for (struct flag *f = sets[i]; f && f->name; f++)
			if (streq(f->name, name))
				return f;
	return NULL;
}

int flags_parse(int argc, char **argv, struct flag *const *sets, size_t n_sets, bool *help, bool *version,
		char *err, size_t err_size)
{
	*help = *version = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char name[256];
		const char *value = NULL;
		bool negated = false;
		struct flag *f;

		if (streq(arg, "-h") || streq(arg, "--help")) {
			*help = true;
			return 1;
		}
		if (streq(arg, "--version")) {
			*version = true;
			return 1;
		}
		if (!startswith(arg, "--") || arg[2] == '\0') {
			snprintf(err, err_size, "unexpected %s, try --help", arg);
			return -EINVAL;
		}
		arg += 2;
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		if (len >= sizeof(name)) {
			snprintf(err, err_size, "unknown long flag '--%.40s...', try --help", arg);
			return -EINVAL;
		}
		memcpy(name, arg, len);
		name[len] = '\0';
		if (eq)
			value = eq + 1;
		f = flag_find(sets, n_sets, name);
		if (!f && startswith(name, "no-")) {
			f = flag_find(sets, n_sets, name + 3);
			if (f && f->type == FLAG_BOOL && !eq)
				negated = true;
			else
				f = NULL;
		}
		if (!f) {
			snprintf(err, err_size, "unknown long flag '--%s', try --help", name);
			return -EINVAL;
		}
		if (f->type == FLAG_BOOL) {
			if (!value)
				value = negated ? "false" : "true";
		} else if (!value) {
			if (i + 1 >= argc) {
				snprintf(err, err_size, "expected argument for flag '--%s'", f->name);
				return -EINVAL;
			}
			value = argv[++i];
		}
		if (flag_set(f, value, FLAG_SRC_CMDLINE, err, err_size) < 0)
			return -EINVAL;
	}
	return 0;
}

static void print_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void flags_usage(FILE *out, const char *prog, struct flag *const *sets, size_t n_sets)
{
	fprintf(out, "usage: %s [<flags>]\n\nFlags:\n", prog);
	fprintf(out, "  -h, --help                 Show context-sensitive help.\n");
	for (size_t i = 0; i < n_sets; i++) {
		for (struct flag *f = sets[i]; f && f->name; f++) {
			if (f->hidden)
				continue;
			if (f->type == FLAG_BOOL) {
				fprintf(out, "      --[no-]%s", f->name);
			} else {
				fprintf(out, "      --%s=", f->name);
				if (f->def && *f->def)
					print_quoted(out, f->def);
				else {
					for (const char *c = f->name; *c; c++)
						fputc(*c >= 'a' && *c <= 'z' ? *c - 32 : *c, out);
				}
				if (f->type == FLAG_STRINGS)
					fputs(" ...", out);
			}
			fprintf(out, "\n          %s", f->help ? f->help : "");
			if (f->type == FLAG_BOOL && (!f->help || !strstr(f->help, "(default:")))
				fprintf(out, " (default: %s)", f->def && streq(f->def, "true") ? "enabled" : "disabled");
			fputc('\n', out);
		}
	}
	fprintf(out, "      --version                  Show application version.\n");
}
