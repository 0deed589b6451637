/* nvmesubsystem: NVMe(-oF) subsystem path health from /sys/class/nvme-subsystem, as node_exporter 1.12's
 * nvmesubsystem collector (collector/nvmesubsystem_linux.go over procfs' NVMeSubsystemClass). Disabled
 * by default. For every nvme-subsys* entry: subsysnqn, model, serial and iopolicy (required), its
 * controllers (nvmeN: state, transport, address required) and namespaces (nvmeNnM). A required
 * attribute that cannot be read reports nothing; a missing or forbidden class is "no data". */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

METRIC(info_desc, GAUGE, "node_nvmesubsystem_info", "Non-numeric information about an NVMe subsystem.", "subsystem",
       "nqn", "model", "serial", "iopolicy");
METRIC(ns_desc, GAUGE, "node_nvmesubsystem_namespace_info", "Maps an NVMe namespace block device to its subsystem.",
       "subsystem", "device");
METRIC(paths_desc, GAUGE, "node_nvmesubsystem_paths", "Number of controller paths for an NVMe subsystem.", "subsystem");
METRIC(paths_live_desc, GAUGE, "node_nvmesubsystem_paths_live",
       "Number of controller paths in live state for an NVMe subsystem.", "subsystem");
METRIC(path_state_desc, GAUGE, "node_nvmesubsystem_path_state",
       "Current NVMe controller path state (1 for the current state, 0 for all others).", "subsystem", "controller",
       "transport", "state");

static const char *const states[] = { "live", "connecting", "resetting", "dead", "unknown" };

struct ctrl {
	const char *name, *state, *transport;
};

struct subsys {
	const char *name;
	const char *attr[4]; /* subsysnqn, model, serial, iopolicy */
	struct ctrl *ctrls;
	size_t n_ctrls;
	const char **ns;
	size_t n_ns;
};

/* ^nvme\d+$ (controller) and ^nvme\d+n\d+$ (namespace). */
static bool match_nvme(const char *s, bool ns)
{
	const char *p = s + 4;

	if (!startswith(s, "nvme") || !(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (!ns)
		return !*p;
	if (*p++ != 'n' || !(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return !*p;
}

/* node_exporter's normalizeControllerState: known states as they are, others "unknown". */
static const char *normalize(const char *s)
{
	static const char *const known[] = { "live", "connecting", "resetting", "dead", "deleting",
					     "deleting (no IO)", "new" };
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (streq(s, known[i]))
			return s;
	return "unknown";
}

static const char *read_str(struct collect_ctx *c, const char *path, int *err)
{
	ssize_t r = sysattr_read(path, &c->buf);

	if (r < 0) {
		*err = ctx_fail(c, (int)r, "failed to read %s: %s", path, strerror((int)-r));
		return NULL;
	}
	const char *v = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, c->buf.p));
	if (!v)
		*err = -ENOMEM;
	return v;
}

static int read_subsys(struct collect_ctx *c, const char *cdir, struct subsys *s)
{
	static const char *const files[] = { "subsysnqn", "model", "serial", "iopolicy" };
	char *dir = arena_printf(&c->ms->arena, "%s/%s", cdir, s->name);
	char **names;
	ssize_t n;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (!(s->attr[i] = read_str(c, ctx_path(c, ROOT_NONE, "%s/%s", dir, files[i]), &err)))
			return err;
	n = dir_list(dir, &c->ms->arena, &names);
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to list controllers for %s: %s", s->name, strerror((int)-n));
	s->ctrls = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*s->ctrls));
	s->ns = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*s->ns));
	if (!s->ctrls || !s->ns)
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		if (match_nvme(names[i], false)) {
			struct ctrl *ct = &s->ctrls[s->n_ctrls];
			ct->name = names[i];
			if (!(ct->state = read_str(c, ctx_path(c, ROOT_NONE, "%s/%s/state", dir, names[i]), &err)) ||
			    !(ct->transport = read_str(c, ctx_path(c, ROOT_NONE, "%s/%s/transport", dir, names[i]), &err)) ||
			    !read_str(c, ctx_path(c, ROOT_NONE, "%s/%s/address", dir, names[i]), &err))
				return err;
			s->n_ctrls++;
		}
		if (match_nvme(names[i], true))
			s->ns[s->n_ns++] = names[i];
	}
	return 0;
}

static int nvmesubsystem_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, CTX_LIST_NODATA_EACCES, &cdir, &names, ROOT_SYS, "class/nvme-subsystem");
	struct subsys *subs;
	size_t ns = 0;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to scan NVMe subsystems: %s", strerror((int)-n));
	if (!(subs = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*subs))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r;
		if (!startswith(names[i], "nvme-subsys"))
			continue;
		subs[ns].name = names[i];
		if ((r = read_subsys(c, cdir, &subs[ns])) < 0) {
			if (r == -ENOENT || r == -EACCES || r == -EPERM) {
				log_debug("Could not read NVMe subsystem info", "err", c->err);
				return COLLECTOR_NO_DATA;
			}
			return r;
		}
		ns++;
	}
	for (size_t i = 0; i < ns; i++) {
		const struct subsys *s = &subs[i];
		double live = 0;
		metric_add(metric_family(c->ms, &info_desc), 1, s->name, s->attr[0], s->attr[1], s->attr[2], s->attr[3]);
		for (size_t k = 0; k < s->n_ns; k++)
			metric_add(metric_family(c->ms, &ns_desc), 1, s->name, s->ns[k]);
		for (size_t k = 0; k < s->n_ctrls; k++) {
			const char *state = normalize(s->ctrls[k].state);
			live += streq(state, "live");
			for (size_t j = 0; j < ARRAY_SIZE(states); j++)
				metric_add(metric_family(c->ms, &path_state_desc), streq(state, states[j]), s->name,
					   s->ctrls[k].name, s->ctrls[k].transport, states[j]);
		}
		metric_add(metric_family(c->ms, &paths_desc), (double)s->n_ctrls, s->name);
		metric_add(metric_family(c->ms, &paths_live_desc), live, s->name);
	}
	return 0;
}

COLLECTOR(nvmesubsystem, .default_on = false);
