/* The configuration file (--config.file): YAML that mirrors the flags. A key path joined with dots is a
 * flag name, so
 *
 *     web:
 *       listen-address: [":9100", "[::1]:9100"]
 *     collector:
 *       disable-defaults: true
 *       cpu:
 *         enabled: true           # --collector.cpu
 *         info: true              # --collector.cpu.info
 *         info.flags-include: "^(aes|avx.?)$"
 *
 * sets --web.listen-address twice, --collector.disable-defaults, --collector.cpu, and so on. A key may
 * itself hold dots. "enabled" under collector.<name> is the collector's own switch. A list sets a
 * repeatable flag. Flags given on the command line win over the file. An unknown key, a value of the
 * wrong type or a list for a flag that is not repeatable is an error that names the key with its line
 * and column. */
#ifndef NODEX_CONFIG_H
#define NODEX_CONFIG_H

#include <stddef.h>

#include "arena.h"
#include "flags.h"

/* Parses YAML text (name is used in messages) and sets the flags it names with FLAG_SRC_FILE. String
 * values are copied into arena a, which must live as long as the flags point into it. Returns 0, or
 * -EINVAL with "name:line:column: message" in err. On error some flags may already be set. */
int config_apply_buffer(const char *text, size_t len, const char *name, struct flag *const *sets, size_t n_sets,
			struct arena *a, char *err, size_t err_size);

/* Reads the file at path and applies it as config_apply_buffer() does. */
int config_apply_file(const char *path, struct flag *const *sets, size_t n_sets, struct arena *a, char *err,
		      size_t err_size);

#endif
