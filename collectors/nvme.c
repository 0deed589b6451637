/* nvme: NVMe controllers and their namespaces from /sys/class/nvme, as node_exporter's nvme collector
 * (collector/nvme_linux.go over procfs' NVMeClass). The controller attributes (firmware_rev, model,
 * serial, state, cntlid) are required: one that cannot be read fails the collection, as in procfs. For
 * each namespace directory (nvme<C>[c<K>]n<N>) nuse, size and queue/logical_block_size are required too,
 * ana_state is optional ("unknown"). Sizes are in logical blocks and multiplied by the block size, as
 * node_exporter does; a value that does not parse leaves out the metrics derived from it (node_exporter
 * would report 0). */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

METRIC(info_desc, GAUGE, "node_nvme_info", "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
       "device", "firmware_revision", "model", "serial", "state", "cntlid");
METRIC(ns_info_desc, GAUGE, "node_nvme_namespace_info", "Information about NVMe namespaces. Value is always 1",
       "device", "nsid", "ana_state");
METRIC(ns_capacity_desc, GAUGE, "node_nvme_namespace_capacity_bytes",
       "Capacity of the NVMe namespace in bytes. Computed as namespace_size * namespace_logical_block_size", "device",
       "nsid");
METRIC(ns_size_desc, GAUGE, "node_nvme_namespace_size_bytes",
       "Size of the NVMe namespace in bytes. Available in /sys/class/nvme/<device>/<namespace>/size", "device", "nsid");
METRIC(ns_used_desc, GAUGE, "node_nvme_namespace_used_bytes",
       "Used space of the NVMe namespace in bytes. Available in /sys/class/nvme/<device>/<namespace>/nuse", "device",
       "nsid");
METRIC(ns_lbs_desc, GAUGE, "node_nvme_namespace_logical_block_size_bytes",
       "Logical block size of the NVMe namespace in bytes. Usually 4Kb. Available in /sys/class/nvme/<device>/<namespace>/queue/logical_block_size",
       "device", "nsid");

struct ns {
	const char *id;
	const char *ana;
	bool has_nuse, has_size, has_lbs;
	uint64_t nuse, size, lbs;
};

struct ctrl {
	const char *name;
	const char *attr[5]; /* firmware_rev, model, serial, state, cntlid */
	struct ns *ns;
	size_t n_ns;
};

static const char *const ctrl_files[5] = { "firmware_rev", "model", "serial", "state", "cntlid" };

/* The namespace id of a namespace directory name: unanchored nvme\d+(c\d+)?n(\d+), or NULL. */
static const char *namespace_id(struct arena *a, const char *name)
{
	for (const char *p = strstr(name, "nvme"); p; p = strstr(p + 1, "nvme")) {
		const char *q = p + 4, *d;
		if (!(*q >= '0' && *q <= '9'))
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == 'c' && q[1] >= '0' && q[1] <= '9') {
			q++;
			while (*q >= '0' && *q <= '9')
				q++;
		}
		if (*q != 'n' || !(q[1] >= '0' && q[1] <= '9'))
			continue;
		d = ++q;
		while (*q >= '0' && *q <= '9')
			q++;
		return arena_strndup(a, d, (size_t)(q - d));
	}
	return NULL;
}

/* Reads one namespace. Returns 0 or a negative errno with c->err set. */
static int read_ns(struct collect_ctx *c, const char *dir, struct ns *ns)
{
	static const char *const files[] = { "nuse", "size", "queue/logical_block_size", "ana_state" };

	ns->ana = "unknown";
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, files[i]), &c->buf);
		uint64_t v;
		if (r < 0) {
			if (i == 3)
				continue;
			return ctx_fail(c, (int)r, "error obtaining NVMe class info: failed to read file %s: %s", c->path.p,
					strerror((int)-r));
		}
		if (i == 3) {
			if (!(ns->ana = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, c->buf.p))))
				return -ENOMEM;
			continue;
		}
		if (go_parse_uint(c->buf.p, 10, 64, &v) < 0) {
			log_debug("nvme: unparsable value", "file", c->path.p);
			continue;
		}
		if (i == 0) {
			ns->nuse = v;
			ns->has_nuse = true;
		} else if (i == 1) {
			ns->size = v;
			ns->has_size = true;
		} else {
			ns->lbs = v;
			ns->has_lbs = true;
		}
	}
	return 0;
}

static int read_ctrl(struct collect_ctx *c, const char *cdir, struct ctrl *ct)
{
	char *dir = arena_printf(&c->ms->arena, "%s/%s", cdir, ct->name);
	char **names;
	ssize_t n;

	if (!dir)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(ctrl_files); i++) {
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, ctrl_files[i]), &c->buf);
		if (r < 0)
			return ctx_fail(c, (int)r, "error obtaining NVMe class info: failed to read file %s: %s", c->path.p,
					strerror((int)-r));
		if (!(ct->attr[i] = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, c->buf.p))))
			return -ENOMEM;
	}
	n = dir_list(dir, &c->ms->arena, &names);
	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining NVMe class info: failed to list NVMe namespaces at %s: %s",
				dir, strerror((int)-n));
	if (!(ct->ns = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*ct->ns))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		const char *id = namespace_id(&c->ms->arena, names[i]);
		char *nsdir;
		int r;
		if (!id)
			continue;
		if (!(nsdir = arena_printf(&c->ms->arena, "%s/%s", dir, names[i])))
			return -ENOMEM;
		ct->ns[ct->n_ns].id = id;
		if ((r = read_ns(c, nsdir, &ct->ns[ct->n_ns])) < 0)
			return r;
		ct->n_ns++;
	}
	return 0;
}

static int nvme_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, 0, &cdir, &names, ROOT_SYS, "class/nvme");
	struct ctrl *ctrls;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining NVMe class info: failed to list NVMe devices at %s: %s",
				c->path.p, strerror((int)-n));
	if (!(ctrls = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*ctrls))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r;
		ctrls[i].name = names[i];
		if ((r = read_ctrl(c, cdir, &ctrls[i])) < 0)
			return r == -ENOENT ? COLLECTOR_NO_DATA : r;
	}
	for (ssize_t i = 0; i < n; i++) {
		const struct ctrl *ct = &ctrls[i];
		metric_add(metric_family(c->ms, &info_desc), 1, ct->name, ct->attr[0], ct->attr[1], ct->attr[2],
			   ct->attr[3], ct->attr[4]);
		for (size_t k = 0; k < ct->n_ns; k++) {
			const struct ns *ns = &ct->ns[k];
			metric_add(metric_family(c->ms, &ns_info_desc), 1, ct->name, ns->id, ns->ana);
			if (ns->has_size && ns->has_lbs) {
				double size = (double)(ns->size * ns->lbs);
				metric_add(metric_family(c->ms, &ns_capacity_desc), size, ct->name, ns->id);
				metric_add(metric_family(c->ms, &ns_size_desc), size, ct->name, ns->id);
			}
			if (ns->has_nuse && ns->has_lbs)
				metric_add(metric_family(c->ms, &ns_used_desc), (double)(ns->nuse * ns->lbs), ct->name, ns->id);
			if (ns->has_lbs)
				metric_add(metric_family(c->ms, &ns_lbs_desc), (double)ns->lbs, ct->name, ns->id);
		}
	}
	return 0;
}

COLLECTOR(nvme, .default_on = true);
