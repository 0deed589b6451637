/* selinux: node_selinux_enabled, and when enabled node_selinux_config_mode and node_selinux_current_mode,
 * with the logic of the go-selinux library node_exporter uses:
 *   - enabled: a writable selinuxfs is mounted and the process's own label (attr/current) is not "kernel";
 *   - current mode: the integer in <selinuxfs>/enforce (1 enforcing, 0 permissive), -1 when unreadable;
 *   - config mode: SELINUX= in /etc/selinux/config, enforcing 1, permissive 0, anything else -1.
 *
 * Unlike go-selinux, which always looks at /sys/fs/selinux, /proc and /etc, the paths are resolved
 * against --path.sysfs, --path.procfs and --path.rootfs, so a containerised exporter reports the host
 * and fixture trees work. selinuxfs is found at <sysfs>/fs/selinux (the mount point every distribution
 * uses; go-selinux additionally scans mountinfo for other mount points). It counts as mounted when it
 * holds an "enforce" file, unless the filesystem there is a read-only selinuxfs, which container
 * runtimes mount to hide SELinux from the container. */
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "collector.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

METRIC(enabled_desc, GAUGE, "node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false");
METRIC(config_desc, GAUGE, "node_selinux_config_mode", "Configured SELinux enforcement mode");
METRIC(current_desc, GAUGE, "node_selinux_current_mode", "Current SELinux enforcement mode");

/* Go's strconv.Atoi on the raw content: an optional sign and decimal digits, nothing else. */
static bool atoi_strict(const char *s, long *out)
{
	const char *p = s;
	int64_t v;

	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	if (parse_i64(s[0] == '+' ? s + 1 : s, NULL, &v) < 0)
		return false;
	*out = (long)v;
	return true;
}

static bool selinuxfs_mounted(struct collect_ctx *c)
{
	const char *dir = ctx_path(c, ROOT_SYS, "fs/selinux");
	struct statfs sfs;

	/* Missing on most hosts: path_exists() remembers that without a system call. */
	if (!dir || path_exists(dir) < 0)
		return false;
	if (statfs(dir, &sfs) == 0 && (uint32_t)sfs.f_type == (uint32_t)SELINUX_MAGIC)
		return !(sfs.f_flags & ST_RDONLY);
	/* Not selinuxfs: a fixture tree, or a plain directory on a kernel without SELinux. */
	dir = ctx_path(c, ROOT_SYS, "fs/selinux/enforce");
	return dir && path_exists(dir) == 0;
}

/* The process label is "kernel" when the kernel has SELinux support but no policy loaded. */
static bool label_is_kernel(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "self/attr/current");

	if (n < 0)
		return false;
	if (n > 0 && c->buf.p[n - 1] == '\0')
		n--;
	return (size_t)n == 6 && memcmp(c->buf.p, "kernel", 6) == 0;
}

/* SELINUX= from /etc/selinux/config, as go-selinux's readConfig: first matching line wins, blank lines and
 * lines starting with ';' or '#' are skipped, the key must match exactly and quotes around the value are
 * dropped. */
static long config_mode(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_ROOTFS, "etc/selinux/config");
	char *p, *line;

	if (n < 0)
		return -1;
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *eq, *val;
		size_t len;
		while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\v' || *line == '\f')
			line++;
		strip_trailing(line);
		if (!*line || *line == ';' || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (!streq(line, "SELINUX"))
			continue;
		val = eq + 1;
		while (*val == '"')
			val++;
		len = strlen(val);
		while (len && val[len - 1] == '"')
			val[--len] = '\0';
		if (streq(val, "enforcing"))
			return 1;
		if (streq(val, "permissive"))
			return 0;
		return -1;
	}
	return -1;
}

static int selinux_collect(struct collect_ctx *c)
{
	long current = -1;

	if (!selinuxfs_mounted(c) || label_is_kernel(c)) {
		metric_emit(c->ms, &enabled_desc, 0);
		return 0;
	}
	metric_emit(c->ms, &enabled_desc, 1);
	metric_emit(c->ms, &config_desc, (double)config_mode(c));
	if (ctx_read(c, ROOT_SYS, "fs/selinux/enforce") < 0 || !atoi_strict(c->buf.p, &current))
		current = -1;
	metric_emit(c->ms, &current_desc, (double)current);
	return 0;
}

COLLECTOR(selinux, .default_on = true);
