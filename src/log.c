#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#define SD_JOURNAL_SUPPRESS_LOCATION /* log.c sends its caller's CODE_FILE and CODE_LINE itself */
#include <systemd/sd-journal.h>
#include <time.h>

#include "arena.h"
#include "log.h"
#include "nodex.h"

static enum log_level log_threshold = LOG_LEVEL_INFO;
static enum log_format log_format = LOG_FORMAT_LOGFMT;
static bool log_journal;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

int log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (streq(s, level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	return -EINVAL;
}

int log_parse_format(const char *s, enum log_format *out)
{
	if (streq(s, "logfmt"))
		*out = LOG_FORMAT_LOGFMT;
	else if (streq(s, "json"))
		*out = LOG_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

/* journald sets $JOURNAL_STREAM to "<dev>:<ino>" of the stream it connected to our stderr. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_setup(enum log_level level, enum log_format format)
{
	log_threshold = level;
	log_format = format;
	log_journal = stderr_is_journal();
}

bool log_enabled(enum log_level level)
{
	return level >= log_threshold;
}

static void put_logfmt_value(struct strbuf *b, const char *v)
{
	bool quote = !*v || strpbrk(v, " =\"\\\t\n") != NULL;

	if (!quote) {
		sb_puts(b, v);
		return;
	}
	sb_putc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			sb_putc(b, '\\');
		if (*v == '\n') {
			sb_puts(b, "\\n");
			continue;
		}
		sb_putc(b, *v);
	}
	sb_putc(b, '"');
}

static void put_json_string(struct strbuf *b, const char *v)
{
	sb_putc(b, '"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_putc(b, (char)c);
	}
	sb_putc(b, '"');
}

static void log_to_journal(enum log_level level, const char *file, int line, const char *msg,
			   const char **kv, size_t n_kv)
{
	static const int prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
	struct iovec iov[64];
	struct strbuf fields[64];
	size_t n = 0;

	memset(fields, 0, sizeof(fields));
	sb_printf(&fields[n], "MESSAGE=%s", msg);
	for (size_t i = 0; i + 1 < n_kv && n < 40; i += 2) {
		sb_printf(&fields[n], " %s=", kv[i]);
		put_logfmt_value(&fields[n], kv[i + 1]);
	}
	n++;
	sb_printf(&fields[n++], "PRIORITY=%d", prio[level]);
	sb_printf(&fields[n++], "CODE_FILE=%s", file);
	sb_printf(&fields[n++], "CODE_LINE=%d", line);
	sb_puts(&fields[n++], "SYSLOG_IDENTIFIER=nodex");
	/* Each key also becomes a journal field (upper case), so journalctl can filter on it. */
	for (size_t i = 0; i + 1 < n_kv && n < ARRAY_SIZE(fields); i += 2) {
		sb_puts(&fields[n], "NODEX_");
		for (const char *k = kv[i]; *k; k++)
			sb_putc(&fields[n], (*k >= 'a' && *k <= 'z') ? (char)(*k - 32) :
					    ((*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9')) ? *k : '_');
		sb_printf(&fields[n], "=%s", kv[i + 1]);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ fields[i].p, fields[i].len };
	sd_journal_sendv(iov, (int)n);
	for (size_t i = 0; i < n; i++)
		sb_free(&fields[i]);
}

void log_kv(enum log_level level, const char *file, int line, const char *msg, ...)
{
	const char *kv[64];
	size_t n_kv = 0;
	va_list ap;
	const char *k;

	if (level < log_threshold)
		return;
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) && n_kv + 2 <= ARRAY_SIZE(kv)) {
		const char *v = va_arg(ap, const char *);
		kv[n_kv++] = k;
		kv[n_kv++] = v ? v : "";
	}
	va_end(ap);

	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (log_journal) {
		log_to_journal(level, base, line, msg, kv, n_kv);
		return;
	}

	struct timespec ts;
	struct tm tm;
	char when[64], caller[128];
	struct strbuf b = { 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	snprintf(caller, sizeof(caller), "%s:%d", base, line);
	if (log_format == LOG_FORMAT_JSON) {
		sb_puts(&b, "{\"caller\":");
		put_json_string(&b, caller);
		sb_puts(&b, ",\"level\":");
		put_json_string(&b, level_names[level]);
		sb_puts(&b, ",\"msg\":");
		put_json_string(&b, msg);
		sb_puts(&b, ",\"ts\":");
		put_json_string(&b, when);
		for (size_t i = 0; i + 1 < n_kv; i += 2) {
			sb_putc(&b, ',');
			put_json_string(&b, kv[i]);
			sb_putc(&b, ':');
			put_json_string(&b, kv[i + 1]);
		}
		sb_puts(&b, "}\n");
	} else {
		sb_printf(&b, "ts=%s caller=%s level=%s msg=", when, caller, level_names[level]);
		put_logfmt_value(&b, msg);
		for (size_t i = 0; i + 1 < n_kv; i += 2) {
			sb_printf(&b, " %s=", kv[i]);
			put_logfmt_value(&b, kv[i + 1]);
		}
		sb_putc(&b, '\n');
	}
	if (b.p) {
		/* One write per entry keeps lines whole when threads log at once. */
		ssize_t w = write(STDERR_FILENO, b.p, b.len);
		(void)w;
	}
	sb_free(&b);
}
