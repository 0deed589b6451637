/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_container;
extern const struct collector collector_loadavg;
extern const struct collector collector_meminfo;

const struct collector *const collector_table[] = {
	&collector_container,
	&collector_loadavg,
	&collector_meminfo,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
