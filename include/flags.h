/* Command-line flags with node_exporter's (kingpin's) syntax: --name=value, --name value, --name for a
 * boolean and --no-name to turn it off, repeatable flags, and exit status 2 for an unknown flag. The same
 * table is filled from the configuration file (see config.h), so each option is declared once. */
#ifndef NODEX_FLAGS_H
#define NODEX_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum flag_type {
	FLAG_BOOL,     /* target: bool */
	FLAG_STRING,   /* target: const char * */
	FLAG_STRINGS,  /* target: struct strlist (repeatable) */
	FLAG_INT,      /* target: long */
	FLAG_DURATION, /* target: double, in seconds; Go's time.ParseDuration syntax: 1m30s, 500ms */
};

struct strlist {
	const char **v;
	size_t n;
};

/* Where a flag's current value came from: later sources override earlier ones, a flag on the command
 * line beats the configuration file. */
enum flag_source {
	FLAG_SRC_DEFAULT,
	FLAG_SRC_FILE,
	FLAG_SRC_CMDLINE,
};

struct flag {
	const char *name; /* without the leading "--"; NULL ends an array */
	enum flag_type type;
	const char *def;  /* default as text; NULL means empty (or false, 0) */
	const char *help;
	void *target;
	bool hidden;      /* accepted but not listed by --help */
	enum flag_source source;
};

/* Sets every flag in the array (NULL-name terminated) to its default. Returns 0 or -EINVAL when a
 * default does not parse (a programming error). */
int flags_set_defaults(struct flag *flags);

/* Sets one flag from text, as given from source. For FLAG_STRINGS, the first value from a source
 * replaces the defaults and values from a lower source, later ones append. Returns 0, or -EINVAL with
 * a message in err. */
int flag_set(struct flag *f, const char *value, enum flag_source source, char *err, size_t err_size);

/* Finds a flag by name among n arrays. */
struct flag *flag_find(struct flag *const *sets, size_t n_sets, const char *name);

/* Parses argv against n_sets flag arrays. Positional arguments are an error. Returns 0; 1 when --help
 * or --version was given (the caller prints and exits 0); or -EINVAL with a message in err (the caller
 * exits with status 2, as kingpin does). *help and *version tell which. */
int flags_parse(int argc, char **argv, struct flag *const *sets, size_t n_sets, bool *help, bool *version,
		char *err, size_t err_size);

/* Prints the usage text listing every visible flag with its default. */
void flags_usage(FILE *out, const char *prog, struct flag *const *sets, size_t n_sets);

#endif
