/* Logging in node_exporter's shapes: logfmt by default (ts=... caller=... level=... msg=... k=v), JSON with
 * --log.format=json, and native journal entries with priorities when stderr is connected to journald.
 * Library-like code (parsers, collectors) does not log above debug; the scrape loop and main do. */
#ifndef NODEX_LOG_H
#define NODEX_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
};

enum log_format {
	LOG_FORMAT_LOGFMT,
	LOG_FORMAT_JSON,
};

/* Parses "debug", "info", "warn", "error" / "logfmt", "json". Return 0 or -EINVAL. */
int log_parse_level(const char *s, enum log_level *out);
int log_parse_format(const char *s, enum log_format *out);

/* Sets the threshold and the format. The journal is used when $JOURNAL_STREAM names our stderr. */
void log_setup(enum log_level level, enum log_format format);

bool log_enabled(enum log_level level);

/* Writes one entry: msg, then key/value string pairs, ended by a NULL key. Thread-safe. */
void log_kv(enum log_level level, const char *file, int line, const char *msg, ...);

#define log_debug(...) log_kv(LOG_LEVEL_DEBUG, __FILE__, __LINE__, __VA_ARGS__, (const char *)0)
#define log_info(...) log_kv(LOG_LEVEL_INFO, __FILE__, __LINE__, __VA_ARGS__, (const char *)0)
#define log_warn(...) log_kv(LOG_LEVEL_WARN, __FILE__, __LINE__, __VA_ARGS__, (const char *)0)
#define log_error(...) log_kv(LOG_LEVEL_ERROR, __FILE__, __LINE__, __VA_ARGS__, (const char *)0)

#endif
