/* edac: memory error counters from /sys/devices/system/edac/mc, as node_exporter 1.12's edac collector
 * (collector/edac_linux.go): per controller (mcN), per csrow (csrowN, plus the "unknown" csrow for errors
 * without location) and per channel of a csrow (chN_ce_count / chN_ue_count, labelled with the DIMM
 * label). A missing controller or csrow counter fails the collection, as in node_exporter; a missing
 * per-channel uncorrectable counter is skipped (many drivers have none). */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

METRIC(ce_desc, COUNTER, "node_edac_correctable_errors_total", "Total correctable memory errors.", "controller");
METRIC(ue_desc, COUNTER, "node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.", "controller");
METRIC(csrow_ce_desc, COUNTER, "node_edac_csrow_correctable_errors_total",
       "Total correctable memory errors for this csrow.", "controller", "csrow");
METRIC(csrow_ue_desc, COUNTER, "node_edac_csrow_uncorrectable_errors_total",
       "Total uncorrectable memory errors for this csrow.", "controller", "csrow");
METRIC(channel_ce_desc, COUNTER, "node_edac_channel_correctable_errors_total",
       "Total correctable memory errors for this channel.", "controller", "csrow", "channel", "dimm_label");
METRIC(channel_ue_desc, COUNTER, "node_edac_channel_uncorrectable_errors_total",
       "Total uncorrectable memory errors for this channel.", "controller", "csrow", "channel", "dimm_label");

/* node_exporter's readUintFromFile. Returns 0 or a negative errno (-EINVAL: not a number). */
static int read_count(struct collect_ctx *c, const char *path, uint64_t *v)
{
	int r = read_uint_file(path, &c->buf, v);

	return r == -EBADMSG ? -EINVAL : r;
}

/* Leading digits of s ("" when none), into the arena: the [0-9]* after the glob's prefix. */
static const char *digits(struct arena *a, const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return arena_strndup(a, s, n);
}

/* The DIMM label as node_exporter formats it: the kernel's default "mc#0csrow#1channel#0" becomes
 * "mc0_csrow1_channel0"; without a label file, "unknown". */
static const char *dimm_label(struct collect_ctx *c, const char *csrow_dir, const char *ch)
{
	struct strbuf *b = &c->buf;
	char *out, *o;
	const char *p;

	if (file_read(ctx_path(c, ROOT_NONE, "%s/ch%s_dimm_label", csrow_dir, ch), b) < 0)
		return "unknown";
	p = go_trim_space(b->p);
	/* At most one "_" is added per character. */
	if (!(out = arena_alloc(&c->ms->arena, strlen(p) * 2 + 1)))
		return NULL;
	for (o = out; *p; p++) {
		if (*p == '#')
			continue;
		if (startswith(p, "csrow") || startswith(p, "channel"))
			*o++ = '_';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int collect_csrow(struct collect_ctx *c, const char *ctrl, const char *dir, const char *row)
{
	char **files;
	uint64_t v;
	int r;
	ssize_t n;

	if ((r = read_count(c, ctx_path(c, ROOT_NONE, "%s/ce_count", dir), &v)) < 0)
		return ctx_fail(c, r, "couldn't get ce_count for controller/csrow %s/%s: %s", ctrl, row, strerror(-r));
	metric_add(metric_family(c->ms, &csrow_ce_desc), (double)v, ctrl, row);
	if ((r = read_count(c, ctx_path(c, ROOT_NONE, "%s/ue_count", dir), &v)) < 0)
		return ctx_fail(c, r, "couldn't get ue_count for controller/csrow %s/%s: %s", ctrl, row, strerror(-r));
	metric_add(metric_family(c->ms, &csrow_ue_desc), (double)v, ctrl, row);

	n = dir_list(dir, &c->ms->arena, &files);
	if (n < 0)
		n = 0;
	for (ssize_t i = 0; i < n; i++) {
		const char *f = files[i], *num = f + 2, *end = num;
		while (*end >= '0' && *end <= '9')
			end++;
		if (!startswith(f, "ch") || end == num || !streq(end, "_ce_count"))
			continue;
		const char *ch = arena_strndup(&c->ms->arena, num, (size_t)(end - num));
		const char *label = ch ? dimm_label(c, dir, ch) : NULL;
		if (!label)
			return -ENOMEM;
		if ((r = read_count(c, ctx_path(c, ROOT_NONE, "%s/%s", dir, f), &v)) < 0)
			return ctx_fail(c, r, "couldn't get %s for controller/csrow %s/%s: %s", f, ctrl, row, strerror(-r));
		metric_add(metric_family(c->ms, &channel_ce_desc), (double)v, ctrl, row, ch, label);
		if ((r = read_count(c, ctx_path(c, ROOT_NONE, "%s/ch%s_ue_count", dir, ch), &v)) < 0) {
			log_debug("edac: no per-channel uncorrectable count", "file", c->path.p);
			continue;
		}
		metric_add(metric_family(c->ms, &channel_ue_desc), (double)v, ctrl, row, ch, label);
	}
	return 0;
}

static int edac_collect(struct collect_ctx *c)
{
	const char *mcdir;
	char **names;
	/* A glob: no directory, no controllers, no error. */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, &mcdir, &names, ROOT_SYS, "devices/system/edac/mc");

	if (n < 0)
		return (int)n;
	for (ssize_t i = 0; i < n; i++) {
		static const char *const counts[] = { "ce_count", "ce_noinfo_count", "ue_count", "ue_noinfo_count" };
		char *dir, **rows;
		const char *ctrl;
		uint64_t v;
		int r;

		if (!startswith(names[i], "mc") || !(names[i][2] >= '0' && names[i][2] <= '9'))
			continue;
		if (!(ctrl = digits(&c->ms->arena, names[i] + 2)) ||
		    !(dir = arena_printf(&c->ms->arena, "%s/%s", mcdir, names[i])))
			return -ENOMEM;
		for (size_t k = 0; k < ARRAY_SIZE(counts); k++) {
			if ((r = read_count(c, ctx_path(c, ROOT_NONE, "%s/%s", dir, counts[k]), &v)) < 0)
				return ctx_fail(c, r, "couldn't get %s for controller %s: %s", counts[k], ctrl, strerror(-r));
			/* The *_noinfo counts are the errors of no known csrow. */
			if (k == 0 || k == 2)
				metric_add(metric_family(c->ms, k == 0 ? &ce_desc : &ue_desc), (double)v, ctrl);
			else
				metric_add(metric_family(c->ms, k == 1 ? &csrow_ce_desc : &csrow_ue_desc), (double)v, ctrl,
					   "unknown");
		}
		ssize_t nr = dir_list(dir, &c->ms->arena, &rows);
		for (ssize_t j = 0; j < nr; j++) {
			const char *row;
			char *rdir;
			if (!startswith(rows[j], "csrow") || !(rows[j][5] >= '0' && rows[j][5] <= '9'))
				continue;
			if (!(row = digits(&c->ms->arena, rows[j] + 5)) ||
			    !(rdir = arena_printf(&c->ms->arena, "%s/%s", dir, rows[j])))
				return -ENOMEM;
			if ((r = collect_csrow(c, ctrl, rdir, row)) < 0)
				return r;
		}
	}
	return 0;
}

COLLECTOR(edac, .default_on = true);
