/* libFuzzer target for the configuration file (--config.file): any bytes, as the YAML text, applied with
 * config_apply_buffer() to the real flag tables, the ones nodex itself parses: main's flags and every
 * collector's. src/main.c is included here (its main() renamed) so that its static flag table is the one
 * fuzzed, not a copy that could drift. A file that applies must then pass main's own value checks; a file
 * that does not must say why. Between inputs every flag goes back to its default, and the strings the
 * file set are freed with the arena they live in.
 *
 * Seeds: tests/fuzz/corpus/config (tests/fuzz/make-seeds.py --config), keywords: tests/fuzz/dict/config.dict. */
#define main nodex_main
#include "../../src/main.c"
#undef main

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct arena arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sets[n_sets++] = main_flags;
	n_sets += scrape_flag_sets(sets + n_sets, ARRAY_SIZE(sets) - n_sets);
	log_setup(LOG_LEVEL_ERROR, LOG_FORMAT_LOGFMT);
	for (size_t i = 0; i < n_sets; i++)
		if (flags_set_defaults(sets[i]) < 0)
			abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	enum log_level level;
	enum log_format format;

	int r = config_apply_buffer((const char *)data, size, "fuzz.yml", sets, n_sets, &arena, err, sizeof(err));
	if (r == 0) {
		err[0] = '\0';
		if (check_values(&level, &format, err, sizeof(err)) < 0 && !err[0])
			abort();
	} else if (!err[0] || r > 0) {
		abort(); /* every error explains itself */
	}
	for (size_t i = 0; i < n_sets; i++)
		flags_set_defaults(sets[i]);
	arena_reset(&arena);
	return 0;
}
