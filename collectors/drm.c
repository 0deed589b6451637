/* drm: AMD GPU statistics from /sys/class/drm/card[0-9]/device, as node_exporter's drm collector
 * (collector/drm_linux.go over procfs' ClassDRMCardAMDGPUStats). Disabled by default.
 *
 * Only cards whose device uevent names DRIVER=amdgpu are reported (procfs globs card[0-9], so card10
 * and up are not). node_drm_card_info carries a chip label built like hwmon's chip label (parent and
 * device directory of the resolved device link, cleaned), and none when that is empty. A statistic the
 * driver does not provide is left out (node_exporter would report 0). */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

static const struct metric_desc card_info_desc = {
	.name = "node_drm_card_info",
	.help = "Card information",
	.type = METRIC_GAUGE,
	.n_labels = 6,
	.labels = (const char *const[]){ "card", "memory_vendor", "power_performance_level", "unique_id", "chip",
					 "vendor" },
	.sparse = true,
};

/* device/<file> -> metric. */
static const struct {
	const char *file;
	struct metric_desc desc;
} card_stats[] = {
	{ "gpu_busy_percent",
	  METRIC_DESC("node_drm_gpu_busy_percent", "How busy the GPU is as a percentage.", METRIC_GAUGE, "card") },
	{ "mem_info_gtt_total", METRIC_DESC("node_drm_memory_gtt_size_bytes",
					    "The size of the graphics translation table (GTT) block in bytes.",
					    METRIC_GAUGE, "card") },
	{ "mem_info_gtt_used", METRIC_DESC("node_drm_memory_gtt_used_bytes",
					   "The used amount of the graphics translation table (GTT) block in bytes.",
					   METRIC_GAUGE, "card") },
	{ "mem_info_vis_vram_total", METRIC_DESC("node_drm_memory_vis_vram_size_bytes",
						 "The size of visible VRAM in bytes.", METRIC_GAUGE, "card") },
	{ "mem_info_vis_vram_used", METRIC_DESC("node_drm_memory_vis_vram_used_bytes",
						"The used amount of visible VRAM in bytes.", METRIC_GAUGE, "card") },
	{ "mem_info_vram_total",
	  METRIC_DESC("node_drm_memory_vram_size_bytes", "The size of VRAM in bytes.", METRIC_GAUGE, "card") },
	{ "mem_info_vram_used",
	  METRIC_DESC("node_drm_memory_vram_used_bytes", "The used amount of VRAM in bytes.", METRIC_GAUGE, "card") },
};
#define N_STATS ARRAY_SIZE(card_stats)

struct card {
	const char *name;
	const char *chip;
	const char *vram_vendor, *perf_level, *unique_id;
	bool has[N_STATS];
	uint64_t v[N_STATS];
};

/* The cleaned form of s in the arena (hwmon's cleanMetricName, which node_exporter's drm uses). */
static const char *clean(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1);

	return out ? go_clean_metric_name(s, out) : NULL;
}

/* The chip label from the resolved device link: "<parent>_<device>", or "<device>", or "". Returns NULL
 * when the link does not resolve. */
static const char *chip_name(struct collect_ctx *c, const char *card_dir)
{
	char *real = realpath(ctx_path(c, ROOT_NONE, "%s/device", card_dir), NULL), *slash, *parent;
	const char *name, *type, *chip;

	if (!real)
		return NULL;
	slash = strrchr(real, '/');
	name = slash ? slash + 1 : real;
	if (slash) {
		*slash = '\0';
		parent = strrchr(real, '/');
		type = parent ? parent + 1 : real;
	} else {
		type = "";
	}
	const char *cn = clean(&c->ms->arena, name), *ct = clean(&c->ms->arena, type);
	if (!cn || !ct)
		chip = NULL;
	else if (*cn && *ct)
		chip = arena_printf(&c->ms->arena, "%s_%s", ct, cn);
	else
		chip = cn;
	free(real);
	return chip ? chip : "";
}

static int drm_collect(struct collect_ctx *c)
{
	const char *dir;
	char **names;
	/* a glob over a missing directory finds nothing */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, &dir, &names, ROOT_SYS, "class/drm");
	struct card *cards;
	size_t nc = 0;

	if (n < 0)
		return (int)n;
	if (!(cards = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*cards))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		const char *nm = names[i];
		struct card *cd = &cards[nc];
		char *cdir;
		ssize_t r;

		if (!startswith(nm, "card") || !(nm[4] >= '0' && nm[4] <= '9') || nm[5])
			continue;
		if (!(cdir = arena_printf(&c->ms->arena, "%s/%s", dir, nm)))
			return -ENOMEM;
		r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/device/uevent", cdir), &c->buf);
		if (r == -ENODATA)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "read %s: %s", c->path.p, strerror((int)-r));
		if (!strstr(c->buf.p, "DRIVER=amdgpu"))
			continue;
		cd->name = nm;
		if (!(cd->chip = chip_name(c, cdir)))
			return ctx_fail(c, -errno, "resolve %s/device: %s", cdir, strerror(errno));
		for (size_t k = 0; k < N_STATS; k++) {
			if (sysattr_read(ctx_path(c, ROOT_NONE, "%s/device/%s", cdir, card_stats[k].file), &c->buf) < 0)
				continue;
			if (go_parse_uint(c->buf.p, 0, 64, &cd->v[k]) == 0)
				cd->has[k] = true;
		}
		static const char *const strs[] = { "mem_info_vram_vendor", "power_dpm_force_performance_level",
						    "unique_id" };
		const char **dst[] = { &cd->vram_vendor, &cd->perf_level, &cd->unique_id };
		for (size_t k = 0; k < ARRAY_SIZE(strs); k++) {
			*dst[k] = "";
			if (sysattr_read(ctx_path(c, ROOT_NONE, "%s/device/%s", cdir, strs[k]), &c->buf) < 0)
				continue;
			if (!(*dst[k] = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, c->buf.p))))
				return -ENOMEM;
		}
		nc++;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct card *cd = &cards[i];
		metric_add(metric_family(c->ms, &card_info_desc), 1, cd->name, cd->vram_vendor, cd->perf_level,
			   cd->unique_id, *cd->chip ? cd->chip : NULL, "amd");
		for (size_t k = 0; k < N_STATS; k++)
			if (cd->has[k])
				metric_add(metric_family(c->ms, &card_stats[k].desc), (double)cd->v[k], cd->name);
	}
	return 0;
}

COLLECTOR(drm, .default_on = false);
