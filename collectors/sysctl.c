/* sysctl: selected sysctls from /proc/sys, as node_exporter's sysctl collector.
 *
 *   --collector.sysctl.include=NAME            numeric: node_sysctl_<name> untyped, or with several values
 *                                              node_sysctl_<name>{index="i"}
 *   --collector.sysctl.include=NAME:k1,k2,...  numeric with one metric per value: node_sysctl_<name>_<k>
 *   --collector.sysctl.include-info=NAME       strings: node_sysctl_info{index,name,value} 1
 *
 * NAME uses dots (fs.file-nr); the file is /proc/sys/fs/file-nr. Values are the whitespace-separated
 * fields of the file; numeric ones are Go ints (decimal, 0x, 0o/0 octal, 0b). The metric name is
 * sanitised as node_exporter's SanitizeMetricName does (every run of other characters, with the
 * underscores around it, becomes one '_').
 *
 * node_exporter reads at most 128 bytes of a sysctl (procfs's SysReadFile); nodex reads the whole value. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"

static struct strlist opt_include, opt_include_info;

static struct flag sysctl_flags[] = {
	{ "collector.sysctl.include", FLAG_STRINGS, NULL, "Select sysctl metrics to include", &opt_include },
	{ "collector.sysctl.include-info", FLAG_STRINGS, NULL, "Select sysctl metrics to include as info metrics",
	  &opt_include_info },
	{ NULL },
};

METRIC(info_desc, GAUGE, "node_sysctl_info", "sysctl info", "name", "value", "index");

struct sysctl {
	bool numeric;
	char *name;     /* fs.file-nr */
	char *path;     /* fs/file-nr */
	char *metric;   /* node_sysctl_fs_file_nr */
	char *help;     /* sysctl fs.file-nr */
	char **keys;
	size_t n_keys;
};

static struct sysctl *sysctls;
static size_t n_sysctls;

static bool name_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

/* Appends s sanitised to b: `_*[^0-9A-Za-z_]+_*` -> "_". */
static void sanitize_append(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		if (name_char(s[i]) && s[i] != '_') {
			sb_putc(b, s[i++]);
			continue;
		}
		/* a run of underscores, then maybe invalid characters, then underscores */
		size_t j = i;
		while (j < n && s[j] == '_')
			j++;
		size_t k = j;
		while (k < n && !name_char(s[k]))
			k++;
		if (k == j) {
			/* underscores only: kept as they are */
			sb_append(b, s + i, j - i);
			i = j;
			continue;
		}
		while (k < n && s[k] == '_')
			k++;
		sb_putc(b, '_');
		i = k;
	}
}

static void sysctl_fini(void)
{
	for (size_t i = 0; i < n_sysctls; i++) {
		struct sysctl *s = &sysctls[i];
		free(s->name);
		free(s->path);
		free(s->metric);
		free(s->help);
		for (size_t k = 0; k < s->n_keys; k++)
			free(s->keys[k]);
		free(s->keys);
	}
	free(sysctls);
	sysctls = NULL;
	n_sysctls = 0;
}

static int sysctl_add(const char *include, bool numeric)
{
	struct sysctl *s = &sysctls[n_sysctls++];
	const char *colon = strchr(include, ':');
	size_t nl = colon ? (size_t)(colon - include) : strlen(include);
	struct strbuf b = { 0 };

	memset(s, 0, sizeof(*s));
	s->numeric = numeric;
	s->name = strndup(include, nl);
	s->path = strndup(include, nl);
	if (!s->name || !s->path)
		return -ENOMEM;
	for (char *p = s->path; *p; p++)
		if (*p == '.')
			*p = '/';
	sb_puts(&b, "node_sysctl_");
	sanitize_append(&b, s->name);
	if (b.err)
		return -ENOMEM;
	s->metric = b.p;
	if (asprintf(&s->help, "sysctl %s", s->name) < 0) {
		s->help = NULL;
		return -ENOMEM;
	}
	if (colon) {
		/* strings.Split(keys, ","): empty keys included */
		const char *k = colon + 1;
		size_t n = 1;
		for (const char *q = k; *q; q++)
			n += *q == ',';
		s->keys = calloc(n, sizeof(*s->keys));
		if (!s->keys)
			return -ENOMEM;
		for (;;) {
			const char *comma = strchr(k, ',');
			size_t kl = comma ? (size_t)(comma - k) : strlen(k);
			if (!(s->keys[s->n_keys++] = strndup(k, kl)))
				return -ENOMEM;
			if (!comma)
				break;
			k = comma + 1;
		}
	}
	return 0;
}

static int sysctl_init(char *err, size_t err_size)
{
	size_t n = opt_include.n + opt_include_info.n;

	sysctls = calloc(n ? n : 1, sizeof(*sysctls));
	if (!sysctls)
		goto oom;
	for (size_t i = 0; i < opt_include.n; i++)
		if (sysctl_add(opt_include.v[i], true) < 0)
			goto oom;
	for (size_t i = 0; i < opt_include_info.n; i++)
		if (sysctl_add(opt_include_info.v[i], false) < 0)
			goto oom;
	return 0;
oom:
	snprintf(err, err_size, "out of memory");
	sysctl_fini();
	return -ENOMEM;
}

/* Emits the metrics of one sysctl. Returns 0 or a negative errno with the reason in c->err. */
static int sysctl_one(struct collect_ctx *c, const struct sysctl *s)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "sys/%s", s->path);
	char *vals[256];
	int64_t nums[256];
	int nv;

	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining sysctl info: %s: %s", c->path.p, strerror((int)-n));
	nv = split_fields(c->buf.p, vals, (int)ARRAY_SIZE(vals));
	if (nv == (int)ARRAY_SIZE(vals))
		return ctx_fail(c, -E2BIG, "sysctl %s has more than %d values", s->name, nv - 1);
	if (s->numeric) {
		for (int i = 0; i < nv; i++)
			if (go_parse_int(vals[i], 0, 64, &nums[i]) < 0)
				return ctx_fail(c, -EINVAL, "error obtaining sysctl info: field %d in sysctl %s is not "
							    "a valid int: %s", i, s->name, vals[i]);
	}
	if (nv == 0)
		return ctx_fail(c, -EINVAL, "sysctl %s has no values", s->name);
	if (nv == 1) {
		if (s->n_keys)
			return ctx_fail(c, -EINVAL, "sysctl %s has only one value, but expected %zu keys", s->name,
					s->n_keys);
		if (s->numeric) {
			struct metric_desc d = { .name = s->metric, .help = s->help, .type = METRIC_UNTYPED };
			metric_emit(c->ms, &d, (double)nums[0]);
		} else {
			metric_emit(c->ms, &info_desc, 1, s->name, vals[0], "0");
		}
		return 0;
	}
	if (!s->n_keys) {
		char idx[16];
		if (s->numeric) {
			struct metric_desc d = { .name = s->metric, .help = s->help, .type = METRIC_UNTYPED,
						 .n_labels = 1, .labels = (const char *const[]){ "index" } };
			struct family *f = metric_family(c->ms, &d);
			for (int i = 0; i < nv; i++) {
				snprintf(idx, sizeof(idx), "%d", i);
				metric_add(f, (double)nums[i], idx);
			}
		} else {
			struct family *f = metric_family(c->ms, &info_desc);
			for (int i = 0; i < nv; i++) {
				snprintf(idx, sizeof(idx), "%d", i);
				metric_add(f, 1, s->name, vals[i], idx);
			}
		}
		return 0;
	}
	if ((size_t)nv != s->n_keys)
		return ctx_fail(c, -EINVAL, "sysctl %s has %d keys but only %zu defined in flag", s->name, nv,
				s->n_keys);
	if (!s->numeric)
		return ctx_fail(c, -EINVAL, "sysctl %s: mapped sysctl string values not supported", s->name);
	for (int i = 0; i < nv; i++) {
		struct strbuf name = { 0 };
		char help[512];
		sb_puts(&name, s->metric);
		sb_putc(&name, '_');
		sanitize_append(&name, s->keys[i]);
		snprintf(help, sizeof(help), "%s, field %d", s->help, i);
		if (!name.err) {
			struct metric_desc d = { .name = name.p, .help = help, .type = METRIC_UNTYPED };
			metric_emit(c->ms, &d, (double)nums[i]);
		}
		sb_free(&name);
	}
	return 0;
}

static int sysctl_collect(struct collect_ctx *c)
{
	int first = 0;
	char msg[sizeof(c->err)] = "";

	/* node_exporter stops at the first failing sysctl; nodex reports it and still emits the others. */
	for (size_t i = 0; i < n_sysctls; i++) {
		int r = sysctl_one(c, &sysctls[i]);
		if (r < 0 && !first) {
			first = r;
			memcpy(msg, c->err, sizeof(msg));
		}
	}
	if (first) {
		memcpy(c->err, msg, sizeof(msg));
		return first;
	}
	return 0;
}

COLLECTOR(sysctl, .default_on = false, .flags = sysctl_flags, .init = sysctl_init, .fini = sysctl_fini);
