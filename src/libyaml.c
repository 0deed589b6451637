/* libyaml, loaded with dlopen() the first time a YAML file is read (--config.file, --web.config.file,
 * src/ytree.c), instead of being linked: most nodex read no YAML at all, and a linked library costs its
 * relocated and touched pages in every process. See include/dynlib.h. When the library cannot be loaded,
 * yaml_parser_initialize fails and ytree_open says why (ytree_unavailable). */
#include <yaml.h>

#include "dynlib.h"
#include "ytree.h"

static struct dynlib lib = DYNLIB_INIT("libyaml-0.so.2", "YAML configuration files cannot be read");

static void *yaml_sym(const char *name)
{
	return dynlib_sym(&lib, name);
}

const char *ytree_unavailable(void)
{
	return dynlib_load(&lib) ? NULL : lib.error;
}

int yaml_parser_initialize(yaml_parser_t *parser)
{
	DYN_CALL(yaml_sym, 0, yaml_parser_initialize, (parser));
}

void yaml_parser_delete(yaml_parser_t *parser)
{
	DYN_CALL_VOID(yaml_sym, yaml_parser_delete, (parser));
}

void yaml_parser_set_input_string(yaml_parser_t *parser, const unsigned char *input, size_t size)
{
	DYN_CALL_VOID(yaml_sym, yaml_parser_set_input_string, (parser, input, size));
}

int yaml_parser_parse(yaml_parser_t *parser, yaml_event_t *event)
{
	DYN_CALL(yaml_sym, 0, yaml_parser_parse, (parser, event));
}

void yaml_event_delete(yaml_event_t *event)
{
	DYN_CALL_VOID(yaml_sym, yaml_event_delete, (event));
}
