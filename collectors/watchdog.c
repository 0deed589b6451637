/* watchdog: /sys/class/watchdog devices, as node_exporter's watchdog collector (collector/watchdog.go over
 * procfs' WatchdogClass). Numeric attributes become node_watchdog_<attr> {name}; the string attributes
 * label node_watchdog_info ("" when absent). An absent attribute is skipped; any other read error or
 * unparsable number reports nothing (a missing, forbidden class directory or attribute is "no data"). */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

enum { W_BOOTSTATUS, W_FW_VERSION, W_NOWAYOUT, W_TIMELEFT, W_TIMEOUT, W_PRETIMEOUT, W_ACCESS_CS0, W_NUMS };
enum { S_OPTIONS, S_IDENTITY, S_STATE, S_STATUS, S_PRETIMEOUT_GOVERNOR, S_STRS };

/* procfs reads these files in this order. */
static const struct {
	const char *file;
	bool numeric;
	int idx;
} wd_files[] = {
	{ "bootstatus", true, W_BOOTSTATUS },
	{ "options", false, S_OPTIONS },
	{ "fw_version", true, W_FW_VERSION },
	{ "identity", false, S_IDENTITY },
	{ "nowayout", true, W_NOWAYOUT },
	{ "state", false, S_STATE },
	{ "status", false, S_STATUS },
	{ "timeleft", true, W_TIMELEFT },
	{ "timeout", true, W_TIMEOUT },
	{ "pretimeout", true, W_PRETIMEOUT },
	{ "pretimeout_governor", false, S_PRETIMEOUT_GOVERNOR },
	{ "access_cs0", true, W_ACCESS_CS0 },
};

static const struct metric_desc num_descs[W_NUMS] = {
	METRIC_DESC("node_watchdog_bootstatus", "Value of /sys/class/watchdog/<watchdog>/bootstatus", METRIC_GAUGE,
		    "name"),
	METRIC_DESC("node_watchdog_fw_version", "Value of /sys/class/watchdog/<watchdog>/fw_version", METRIC_GAUGE,
		    "name"),
	METRIC_DESC("node_watchdog_nowayout", "Value of /sys/class/watchdog/<watchdog>/nowayout", METRIC_GAUGE, "name"),
	METRIC_DESC("node_watchdog_timeleft_seconds", "Value of /sys/class/watchdog/<watchdog>/timeleft", METRIC_GAUGE,
		    "name"),
	METRIC_DESC("node_watchdog_timeout_seconds", "Value of /sys/class/watchdog/<watchdog>/timeout", METRIC_GAUGE,
		    "name"),
	METRIC_DESC("node_watchdog_pretimeout_seconds", "Value of /sys/class/watchdog/<watchdog>/pretimeout",
		    METRIC_GAUGE, "name"),
	METRIC_DESC("node_watchdog_access_cs0", "Value of /sys/class/watchdog/<watchdog>/access_cs0", METRIC_GAUGE,
		    "name"),
};

METRIC(info_desc, GAUGE, "node_watchdog_info", "Info of /sys/class/watchdog/<watchdog>", "name", "options", "identity",
       "state", "status", "pretimeout_governor");

struct wd {
	const char *name;
	bool has[W_NUMS];
	int64_t num[W_NUMS];
	const char *str[S_STRS];
};

/* Returns 0, or the negative errno that ends the collection (c->err set). */
static int read_wd(struct collect_ctx *c, const char *cdir, struct wd *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(wd_files); i++) {
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s/%s", cdir, w->name, wd_files[i].file), &c->buf);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
		if (wd_files[i].numeric) {
			if (go_parse_int(c->buf.p, 0, 64, &w->num[wd_files[i].idx]) < 0)
				return ctx_fail(c, -EBADMSG, "%s: invalid number %s", c->path.p, c->buf.p);
			w->has[wd_files[i].idx] = true;
		} else {
			const char *v = utf8_sanitize(&c->ms->arena, c->buf.p);
			if (!v || !(w->str[wd_files[i].idx] = arena_strdup(&c->ms->arena, v)))
				return -ENOMEM;
		}
	}
	return 0;
}

static int watchdog_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, CTX_LIST_NODATA_EACCES, &cdir, &names, ROOT_SYS, "class/watchdog");
	struct wd *wds;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to list watchdog devices at %s: %s", c->path.p, strerror((int)-n));
	if (!(wds = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*wds))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r;
		wds[i].name = names[i];
		if ((r = read_wd(c, cdir, &wds[i])) < 0) {
			if (r == -EACCES || r == -EPERM) {
				log_debug("Could not read watchdog stats", "err", c->err);
				return COLLECTOR_NO_DATA;
			}
			return r == -EBADMSG ? -EINVAL : r;
		}
	}
	for (ssize_t i = 0; i < n; i++) {
		const struct wd *w = &wds[i];
		for (int k = 0; k < W_NUMS; k++)
			if (w->has[k])
				metric_add(metric_family(c->ms, &num_descs[k]), (double)w->num[k], w->name);
		metric_add(metric_family(c->ms, &info_desc), 1, w->name, w->str[S_OPTIONS] ? w->str[S_OPTIONS] : "",
			   w->str[S_IDENTITY] ? w->str[S_IDENTITY] : "", w->str[S_STATE] ? w->str[S_STATE] : "",
			   w->str[S_STATUS] ? w->str[S_STATUS] : "",
			   w->str[S_PRETIMEOUT_GOVERNOR] ? w->str[S_PRETIMEOUT_GOVERNOR] : "");
	}
	return 0;
}

COLLECTOR(watchdog, .default_on = true);
