/* mdadm: node_md_* from /proc/mdstat (states, disks, blocks), then node_md_raid_disks and node_md_degraded
 * from <sysfs>/block/md* /md. The mdstat rules are those of prometheus/procfs: the device line gives the
 * name, the state and the failed "(F)" and spare "(S)" disks; the next line the size and, except for
 * raid0/linear and inactive arrays, "[total/active] [UU_]"; the line after (or after the bitmap line) a
 * recovery, resync or check in progress. A parse error fails the collector, as in node_exporter. */
#include <stdio.h>

#include "collector.h"

METRIC(disks_required_desc, GAUGE, "node_md_disks_required", "Total number of disks of device.", "device");
METRIC(disks_desc, GAUGE, "node_md_disks", "Number of active/failed/spare disks of device.", "device", "state");
METRIC(state_desc, GAUGE, "node_md_state", "Indicates the state of md-device.", "device", "state");
METRIC(blocks_desc, GAUGE, "node_md_blocks", "Total number of blocks on device.", "device");
METRIC(blocks_synced_desc, GAUGE, "node_md_blocks_synced", "Number of blocks synced on device.", "device");
METRIC(raid_disks_desc, GAUGE, "node_md_raid_disks", "Number of raid disks on device.", "device");
METRIC(degraded_desc, GAUGE, "node_md_degraded", "Number of degraded disks on device.", "device");

/* The states node_md_state reports, with the activity state procfs gives them. */
static const struct {
	const char *label;
	const char *activity;
} md_states[] = {
	{ "active", "active" },		{ "inactive", "inactive" }, { "recovering", "recovering" },
	{ "resync", "resyncing" },	{ "check", "checking" },
};

/* Scratch for sysfs reads, kept across runs. */
static struct strbuf scratch;

static size_t count_str(const char *s, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	for (const char *p = s; (p = strstr(p, needle)); p += l)
		n++;
	return n;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!is_space(*s))
			return false;
	return true;
}

/* Go's strconv.ParseInt(s, 10, 64) on the first whitespace-separated field of s. */
static int first_field_int(const char *s, int64_t *out)
{
	char tmp[32];
	size_t n = 0;

	while (is_space(*s))
		s++;
	while (s[n] && !is_space(s[n]))
		n++;
	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return parse_i64(tmp, NULL, out);
}

/* Parses s[0..n) as a decimal int64 (the whole span). */
static int span_int(const char *s, size_t n, int64_t *out)
{
	char tmp[32];

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[0] == ' ' || tmp[0] == '\t')
		return -EINVAL;
	return parse_i64(tmp, NULL, out);
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The status line's `\[(\d+)/(\d+)\] \[([U_]+)\]` after `(\d+) blocks `, the last one as the greedy `.*`
 * in front of it picks. Returns 0 with total, active and the count of '_' (down), or -EINVAL. */
static int md_status_brackets(const char *line, int64_t *total, int64_t *active, int64_t *down)
{
	const char *b = strstr(line, " blocks ");

	/* `(\d+) blocks `: the digits must end right before " blocks ". */
	while (b && (b == line || !is_digit(b[-1])))
		b = strstr(b + 1, " blocks ");
	if (!b)
		return -EINVAL;
	const char *from = b + 8;
	for (const char *p = from + strlen(from); p-- > from;) {
		if (*p != '[')
			continue;
		const char *q = p + 1, *t0 = q;
		while (is_digit(*q))
			q++;
		if (q == t0 || *q != '/')
			continue;
		const char *a0 = ++q;
		while (is_digit(*q))
			q++;
		if (q == a0 || q[0] != ']' || q[1] != ' ' || q[2] != '[')
			continue;
		const char *u0 = q + 3, *u = u0;
		while (*u == 'U' || *u == '_')
			u++;
		if (u == u0 || *u != ']')
			continue;
		if (span_int(t0, (size_t)(a0 - 1 - t0), total) < 0 || span_int(a0, (size_t)(q - a0), active) < 0)
			return -EINVAL;
		*down = 0;
		for (const char *k = u0; k < u; k++)
			*down += *k == '_';
		return 0;
	}
	return -EINVAL;
}

/* Checks a recovery/resync/check line as procfs does and returns the blocks synced so far. The percent,
 * finish time and speed must parse too, or the line is an error. */
static int md_recovery_line(const char *line, int64_t *synced)
{
	const char *p, *q;
	int64_t done, todo;
	double d;
	char tmp[64];

	/* `\((\d+/\d+)\)`, leftmost */
	for (p = strchr(line, '('); p; p = strchr(p + 1, '(')) {
		q = p + 1;
		while (is_digit(*q))
			q++;
		if (q == p + 1 || *q != '/')
			continue;
		const char *r = q + 1;
		while (is_digit(*r))
			r++;
		if (r == q + 1 || *r != ')')
			continue;
		if (span_int(p + 1, (size_t)(q - p - 1), &done) < 0 || span_int(q + 1, (size_t)(r - q - 1), &todo) < 0)
			return -EINVAL;
		break;
	}
	if (!p)
		return -EINVAL;
	/* `= (.+)%`: from the first "= " that has a '%' at least one byte later, to the last '%'. */
	const char *pct = strrchr(line, '%');
	p = strstr(line, "= ");
	if (!p || !pct || pct < p + 3)
		return -EINVAL;
	size_t n = (size_t)(pct - (p + 2));
	const char *s = p + 2;
	while (n && is_space(*s)) {
		s++;
		n--;
	}
	while (n && is_space(s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (parse_double(tmp, NULL, &d) < 0)
		return -EINVAL;
	/* `finish=(.+)min`: to the last "min". */
	p = strstr(line, "finish=");
	if (!p)
		return -EINVAL;
	const char *m = NULL;
	for (q = p + 8; (q = strstr(q, "min")); q++)
		m = q;
	if (!m || (size_t)(m - (p + 7)) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, p + 7, (size_t)(m - (p + 7)));
	tmp[m - (p + 7)] = '\0';
	if (parse_double(tmp, NULL, &d) < 0)
		return -EINVAL;
	/* `speed=(.+)[A-Z]`: to the last capital letter. */
	p = strstr(line, "speed=");
	if (!p)
		return -EINVAL;
	m = NULL;
	for (q = p + 7; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			m = q;
	if (!m || (size_t)(m - (p + 6)) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, p + 6, (size_t)(m - (p + 6)));
	tmp[m - (p + 6)] = '\0';
	if (parse_double(tmp, NULL, &d) < 0)
		return -EINVAL;
	*synced = done;
	return 0;
}

struct md_stat {
	const char *name;
	const char *state;
	int64_t active, failed, spare, total, size, synced;
};

/* Parses mdstat (modified in place). Returns the number of arrays in *out, or -EINVAL with ctx->err. */
static ssize_t md_parse(struct collect_ctx *c, char *buf, struct md_stat **out)
{
	size_t n_lines = 1, n = 0;
	char **lines;
	struct md_stat *mds;

	for (char *p = buf; *p; p++)
		n_lines += *p == '\n';
	lines = arena_alloc(&c->ms->arena, n_lines * sizeof(*lines));
	mds = arena_alloc(&c->ms->arena, n_lines * sizeof(*mds));
	if (!lines || !mds)
		return -ENOMEM;
	/* strings.Split(s, "\n"): a trailing newline gives a last empty line. */
	size_t k = 0;
	for (char *p = buf;;) {
		char *nl = strchr(p, '\n');
		lines[k++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	for (size_t i = 0; i < k; i++) {
		char *line = lines[i];
		if (blank(line) || line[0] == ' ' || startswith(line, "Personalities") || startswith(line, "unused"))
			continue;
		struct md_stat *md = &mds[n];
		memset(md, 0, sizeof(*md));
		md->failed = (int64_t)count_str(line, "(F)");
		md->spare = (int64_t)count_str(line, "(S)");
		bool striped = strstr(line, "raid0") || strstr(line, "linear");
		bool inactive = strstr(line, "inactive");
		int64_t brackets = (int64_t)count_str(line, "[");
		char *f[3], *copy = arena_strdup(&c->ms->arena, line);
		if (!copy)
			return -ENOMEM;
		if (split_fields(copy, f, 3) < 3)
			return ctx_fail(c, -EINVAL, "error parsing mdstat: expected 3+ fields, got \"%s\"", line);
		md->name = f[0];
		md->state = f[2];
		if (k <= i + 3)
			return ctx_fail(c, -EINVAL, "error parsing mdstat: too few lines for md device %s", md->name);
		if (first_field_int(lines[i + 1], &md->size) < 0)
			return ctx_fail(c, -EINVAL, "error parsing mdstat: unexpected statusline \"%s\"", lines[i + 1]);
		if (striped) {
			md->total = md->active = brackets;
		} else if (inactive) {
			md->total = md->active = 0;
		} else {
			int64_t down;
			if (md_status_brackets(lines[i + 1], &md->total, &md->active, &down) < 0)
				return ctx_fail(c, -EINVAL, "error parsing mdstat: cannot parse statusline \"%s\"",
						lines[i + 1]);
		}
		const char *sync = lines[strstr(lines[i + 2], "bitmap") ? i + 3 : i + 2];
		md->synced = md->size;
		bool recovering = strstr(sync, "recovery"), resyncing = strstr(sync, "resync"),
		     checking = strstr(sync, "check");
		if (recovering || resyncing || checking) {
			md->state = recovering ? "recovering" : checking ? "checking" : "resyncing";
			if (strstr(sync, "PENDING") || strstr(sync, "DELAYED"))
				md->synced = 0;
			else if (md_recovery_line(sync, &md->synced) < 0)
				return ctx_fail(c, -EINVAL, "error parsing mdstat: cannot parse sync line of %s: \"%s\"",
						md->name, sync);
		}
		n++;
	}
	*out = mds;
	return (ssize_t)n;
}

struct md_raid {
	const char *device;
	uint64_t disks, degraded;
};

/* Reads <sysfs>/block/<dev>/md/<attr> (trimmed) into scratch. Returns 0 or a negative errno (ctx->err). */
static int md_attr(struct collect_ctx *c, const char *dev, const char *attr)
{
	ssize_t r = file_read_attr(ctx_path(c, ROOT_SYS, "block/%s/md/%s", dev, attr), &scratch);

	if (r < 0)
		return ctx_fail(c, (int)r, "error parsing mdraids: %s: %s", c->path.p, strerror((int)-r));
	return 0;
}

static int md_attr_u64(struct collect_ctx *c, const char *dev, const char *attr, uint64_t *v)
{
	int r = md_attr(c, dev, attr);
	const char *s = scratch.p;

	if (r < 0)
		return r;
	while (is_space(*s))
		s++;
	if (parse_u64(s, NULL, v) < 0)
		return ctx_fail(c, -EINVAL, "error parsing mdraids: %s: not a number", c->path.p);
	return 0;
}

static bool level_in(const char *level, const char *const *set)
{
	for (; *set; set++)
		if (streq(level, *set))
			return true;
	return false;
}

/* Reads one array's attributes as procfs' Mdraids() does: each must be readable. */
static int md_sysfs_one(struct collect_ctx *c, const char *dev, struct md_raid *md)
{
	static const char *const chunked[] = { "raid0", "raid4", "raid5", "raid6", "raid10", NULL };
	static const char *const redundant[] = { "raid1", "raid4", "raid5", "raid6", "raid10", NULL };
	char level[32], **comps;
	uint64_t v;
	int r;

	md->device = dev;
	md->degraded = 0;
	if ((r = md_attr(c, dev, "level")) < 0)
		return r;
	snprintf(level, sizeof(level), "%s", scratch.p);
	if ((r = md_attr(c, dev, "array_state")) < 0 || (r = md_attr(c, dev, "metadata_version")) < 0 ||
	    (r = md_attr_u64(c, dev, "raid_disks", &md->disks)) < 0 || (r = md_attr(c, dev, "uuid")) < 0)
		return r;
	ssize_t nc = dir_list(ctx_path(c, ROOT_SYS, "block/%s/md", dev), &c->ms->arena, &comps);
	for (ssize_t j = 0; j < nc; j++) {
		if (!startswith(comps[j], "dev-"))
			continue;
		ssize_t n = file_read_attr(ctx_path(c, ROOT_SYS, "block/%s/md/%s/state", dev, comps[j]), &scratch);
		if (n < 0)
			return ctx_fail(c, (int)n, "error parsing mdraids: %s: %s", c->path.p, strerror((int)-n));
	}
	if (level_in(level, chunked) && (r = md_attr_u64(c, dev, "chunk_size", &v)) < 0)
		return r;
	if (!level_in(level, redundant))
		return 0;
	if ((r = md_attr_u64(c, dev, "degraded", &md->degraded)) < 0 || (r = md_attr(c, dev, "sync_action")) < 0 ||
	    (r = md_attr(c, dev, "sync_completed")) < 0)
		return r;
	if (!streq(scratch.p, "none")) {
		/* Sscanf("%d / %d") */
		const char *s = scratch.p;
		uint64_t a, b;
		if (parse_u64(s, &s, &a) < 0)
			return ctx_fail(c, -EINVAL, "error parsing mdraids: %s: bad sync_completed", c->path.p);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '/' || parse_u64(s + 1, &s, &b) < 0)
			return ctx_fail(c, -EINVAL, "error parsing mdraids: %s: bad sync_completed", c->path.p);
	}
	return 0;
}

/* node_md_raid_disks and node_md_degraded for each <sysfs>/block/md* /md. Returns 0 or a negative errno. */
static int md_sysfs(struct collect_ctx *c)
{
	char **names;
	/* no directory: the glob matches nothing */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, NULL, &names, ROOT_SYS, "block");
	struct md_raid *raids;
	size_t n_raids = 0;
	int r;

	if (n < 0)
		return (int)n;
	raids = arena_alloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*raids));
	if (!raids)
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		const char *dev = names[i];
		if (!startswith(dev, "md") || access(ctx_path(c, ROOT_SYS, "block/%s/md", dev), F_OK) < 0)
			continue;
		if ((r = md_sysfs_one(c, dev, &raids[n_raids])) < 0)
			return r;
		n_raids++;
	}
	for (size_t i = 0; i < n_raids; i++) {
		metric_emit(c->ms, &raid_disks_desc, (double)raids[i].disks, raids[i].device);
		metric_emit(c->ms, &degraded_desc, (double)raids[i].degraded, raids[i].device);
	}
	return 0;
}

static int mdadm_collect(struct collect_ctx *c)
{
	struct md_stat *mds = NULL;
	ssize_t n = ctx_read(c, ROOT_PROC, "mdstat");
	int r;

	if (n == -ENOENT)
		return ctx_fail(c, COLLECTOR_NO_DATA, "Not collecting mdstat, file does not exist: %s", c->path.p);
	if (n < 0)
		return ctx_fail(c, (int)n, "error parsing mdstatus: %s: %s", c->path.p, strerror((int)-n));
	n = md_parse(c, c->buf.p, &mds);
	if (n < 0)
		return (int)n;
	struct family *req = metric_family(c->ms, &disks_required_desc);
	struct family *disks = metric_family(c->ms, &disks_desc);
	struct family *state = metric_family(c->ms, &state_desc);
	struct family *blocks = metric_family(c->ms, &blocks_desc);
	struct family *synced = metric_family(c->ms, &blocks_synced_desc);
	for (ssize_t i = 0; i < n; i++) {
		const struct md_stat *md = &mds[i];
		metric_add(req, (double)md->total, md->name);
		metric_add(disks, (double)md->active, md->name, "active");
		metric_add(disks, (double)md->failed, md->name, "failed");
		metric_add(disks, (double)md->spare, md->name, "spare");
		for (size_t s = 0; s < ARRAY_SIZE(md_states); s++)
			metric_add(state, streq(md->state, md_states[s].activity) ? 1 : 0, md->name, md_states[s].label);
		metric_add(blocks, (double)md->size, md->name);
		metric_add(synced, (double)md->synced, md->name);
	}
	r = md_sysfs(c);
	if (r == -ENOENT)
		return COLLECTOR_NO_DATA;
	return r;
}

static void mdadm_fini(void)
{
	sb_free(&scratch);
}

COLLECTOR(mdadm, .default_on = true, .fini = mdadm_fini);
