/* os: node_os_info, node_os_version and node_os_support_end_timestamp_seconds from <rootfs>/etc/os-release,
 * else <rootfs>/usr/lib/os-release. The file is parsed with the rules of the envparse library
 * node_exporter uses (KEY=value lines, '#' comments, single and double quotes, JSON-style escapes inside
 * double quotes), plus the \$ and \` escapes os-release(5) asks writers to use. The parsed labels are kept
 * and re-used while the file's path and mtime stay the same, as node_exporter does. */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "collector.h"
#include "gocompat.h"

METRIC(info_desc, GAUGE, "node_os_info",
       "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
       "build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id",
       "version", "version_codename", "version_id");
METRIC(version_desc, GAUGE, "node_os_version", "Metric containing the major.minor part of the OS version.", "id",
       "id_like", "name");
METRIC(support_end_desc, GAUGE, "node_os_support_end_timestamp_seconds",
       "Metric containing the end-of-life date timestamp of the OS.");

/* The keys we keep, in the order of info_desc's labels; SUPPORT_END last. */
static const char *const os_keys[] = {
	"BUILD_ID", "ID",	 "ID_LIKE",    "IMAGE_ID",	   "IMAGE_VERSION", "NAME",	  "PRETTY_NAME",
	"VARIANT",  "VARIANT_ID", "VERSION",	"VERSION_CODENAME", "VERSION_ID",	     "SUPPORT_END",
};
enum { K_BUILD_ID, K_ID, K_ID_LIKE, K_IMAGE_ID, K_IMAGE_VERSION, K_NAME, K_PRETTY_NAME, K_VARIANT,
       K_VARIANT_ID, K_VERSION, K_VERSION_CODENAME, K_VERSION_ID, K_SUPPORT_END, K_COUNT };

/* The cache: values of the last successfully parsed file, and which file and mtime they came from. */
static struct {
	bool valid;
	char path[4096];
	struct timespec mtime;
	char *val[K_COUNT];
	double version;
	bool has_support_end;
	double support_end;
} cache;

static void cache_clear(void)
{
	for (int i = 0; i < K_COUNT; i++) {
		free(cache.val[i]);
		cache.val[i] = NULL;
	}
	cache.valid = false;
}

/* The value of 4 hex digits at v[i..i+3] (v has n bytes), or -1. */
static long os_hex4(const char *v, size_t n, size_t i)
{
	return i + 4 <= n ? hex4(v + i) : -1;
}

/* Parses one value v of n bytes (already trimmed) into dst, which may be v itself: the output never grows.
 * Returns the length, or -EINVAL for an unmatched quote, a bad escape or a control character. */
static ssize_t os_parse_value(const char *v, size_t n, char *dst)
{
	enum { NORMAL, DQUOTE, SQUOTE, ESCAPE } mode = NORMAL;
	size_t o = 0, last_sig = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];
		if (ch < 32)
			return -EINVAL;
		if (ch > 127) {
			if (mode == ESCAPE)
				return -EINVAL;
			/* envparse records the position before the byte as significant (a quirk kept as is). */
			last_sig = o;
			dst[o++] = (char)ch;
			continue;
		}
		switch (mode) {
		case NORMAL:
			if (ch == '"')
				mode = DQUOTE;
			else if (ch == '\'')
				mode = SQUOTE;
			else if (ch == '#')
				return (ssize_t)last_sig; /* trailing comment */
			else if (ch == ' ' || ch == '\t')
				dst[o++] = (char)ch;
			else {
				dst[o++] = (char)ch;
				last_sig = o;
			}
			break;
		case DQUOTE:
			if (ch == '"')
				mode = NORMAL;
			else if (ch == '\\')
				mode = ESCAPE;
			else {
				dst[o++] = (char)ch;
				last_sig = o;
			}
			break;
		case SQUOTE:
			if (ch == '\'')
				mode = NORMAL;
			else {
				dst[o++] = (char)ch;
				last_sig = o;
			}
			break;
		case ESCAPE:
			switch (ch) {
			case '"': case '\\': case '/': case '$': case '`':
				dst[o++] = (char)ch;
				break;
			case 'b': dst[o++] = '\b'; break;
			case 'f': dst[o++] = '\f'; break;
			case 'r': dst[o++] = '\r'; break;
			case 'n': dst[o++] = '\n'; break;
			case 't': dst[o++] = '\t'; break;
			case 'u': {
				/* \uXXXX, a surrogate pair as two of them (JSON style). */
				long cp = os_hex4(v, n, i + 1);
				if (cp < 0)
					return -EINVAL;
				i += 4;
				if (cp >= 0xD800 && cp < 0xE000) {
					if (i + 7 > n || v[i + 1] != '\\' || v[i + 2] != 'u')
						return -EINVAL;
					long lo = os_hex4(v, n, i + 3);
					if (lo < 0)
						return -EINVAL;
					i += 6;
					if (cp < 0xDC00 && lo >= 0xDC00 && lo < 0xE000)
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					else
						cp = 0xFFFD;
				}
				/* The escape took at least 6 bytes and UTF-8 needs at most 4: dst never overtakes v. */
				o += utf8_encode(dst + o, (unsigned long)cp);
				break;
			}
			default:
				return -EINVAL;
			}
			last_sig = o;
			mode = DQUOTE;
			break;
		}
	}
	return mode == NORMAL ? (ssize_t)o : -EINVAL;
}

static bool os_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Trims s..s+n in place: returns the start and writes the new length. */
static char *os_trim(char *s, size_t *n)
{
	while (*n && os_space(s[0])) {
		s++;
		(*n)--;
	}
	while (*n && os_space(s[*n - 1]))
		(*n)--;
	return s;
}

/* Parses the whole file in buf into vals (pointers into buf, NUL-terminated in place). Returns 0, or
 * -EINVAL with the offending line number in *bad_line. */
static int os_parse(char *buf, char *vals[K_COUNT], int *bad_line)
{
	char *p = buf, *line;
	int lineno = 0;

	for (int i = 0; i < K_COUNT; i++)
		vals[i] = NULL;
	while ((line = next_line(&p))) {
		size_t n = strlen(line);
		lineno++;
		*bad_line = lineno;
		line = os_trim(line, &n);
		if (n == 0 || line[0] == '#')
			continue;
		char *eq = memchr(line, '=', n);
		if (!eq)
			return -EINVAL;
		size_t kn = (size_t)(eq - line), vn = n - kn - 1;
		char *key = os_trim(line, &kn), *val = os_trim(eq + 1, &vn);
		if (kn > 7 && memcmp(key, "export ", 7) == 0) {
			key += 7;
			kn -= 7;
		}
		if (kn == 0)
			return -EINVAL;
		char k0 = key[0];
		if (!((k0 >= 'A' && k0 <= 'Z') || (k0 >= 'a' && k0 <= 'z') || k0 == '_'))
			return -EINVAL;
		for (size_t i = 1; i < kn; i++) {
			char ch = key[i];
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
				return -EINVAL;
		}
		ssize_t vl = os_parse_value(val, vn, val);
		if (vl < 0)
			return -EINVAL;
		val[vl] = '\0';
		key[kn] = '\0';
		for (int i = 0; i < K_COUNT; i++)
			if (streq(key, os_keys[i]))
				vals[i] = val;
	}
	return 0;
}

/* Go's time.Parse("2006-01-02", s) as seconds since the epoch (UTC). Returns 0 or -EINVAL. */
static int os_parse_date(const char *s, double *out)
{
	int f[8] = { 0 };

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
	f[0] = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	f[1] = (s[5] - '0') * 10 + (s[6] - '0');
	f[2] = (s[8] - '0') * 10 + (s[9] - '0');
	if (f[1] < 1 || f[1] > 12 || f[2] < 1)
		return -EINVAL;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0;
	if (f[2] > mdays[f[1] - 1] + (f[1] == 2 && leap))
		return -EINVAL;
	/* Days from civil (proleptic Gregorian), valid for years 0..9999. */
	int y = f[0] - (f[1] <= 2), m = f[1], d = f[2];
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = (long long)era * 146097 + doe - 719468;
	*out = (double)(days * 86400);
	return 0;
}

/* VERSION_ID's leading ^[0-9]+\.?[0-9]* as a number, 0 when it does not start with a digit. */
static double os_version(const char *s)
{
	char tmp[64];
	size_t n = 0;

	if (!s)
		return 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0)
		return 0;
	if (s[n] == '.') {
		n++;
		while (s[n] >= '0' && s[n] <= '9')
			n++;
	}
	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	double v;
	return parse_double(tmp, NULL, &v) == 0 ? v : 0;
}

/* Reads and parses path into the cache. Returns 0 or a negative errno with ctx->err set. */
static int os_load(struct collect_ctx *c, const char *path, const struct stat *st)
{
	char *vals[K_COUNT];
	int bad_line = 0;
	double version, support_end = 0;
	ssize_t n = file_read(path, &c->buf);

	if (n < 0)
		return ctx_fail(c, (int)n, "%s: %s", path, strerror((int)-n));
	if (os_parse(c->buf.p, vals, &bad_line) < 0)
		return ctx_fail(c, -EINVAL, "%s: error on line %d", path, bad_line);
	if (vals[K_SUPPORT_END] && vals[K_SUPPORT_END][0] &&
	    os_parse_date(vals[K_SUPPORT_END], &support_end) < 0)
		return ctx_fail(c, -EINVAL, "%s: cannot parse SUPPORT_END \"%s\"", path, vals[K_SUPPORT_END]);
	version = os_version(vals[K_VERSION_ID]);
	cache_clear();
	for (int i = 0; i < K_COUNT; i++) {
		cache.val[i] = strdup(vals[i] ? vals[i] : "");
		if (!cache.val[i]) {
			cache_clear();
			return ctx_fail(c, -ENOMEM, "out of memory");
		}
	}
	snprintf(cache.path, sizeof(cache.path), "%s", path);
	cache.mtime = st->st_mtim;
	cache.version = version;
	cache.has_support_end = cache.val[K_SUPPORT_END][0] != '\0';
	cache.support_end = support_end;
	cache.valid = true;
	return 0;
}

static int os_collect(struct collect_ctx *c)
{
	static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		struct stat st;
		const char *path = ctx_path(c, ROOT_ROOTFS, "%s", files[i]);
		if (!path)
			return -ENOMEM;
		if (stat(path, &st) < 0) {
			if (errno == ENOENT)
				continue;
			return ctx_fail(c, -errno, "%s: %s", path, strerror(errno));
		}
		if (cache.valid && streq(cache.path, path) && cache.mtime.tv_sec == st.st_mtim.tv_sec &&
		    cache.mtime.tv_nsec == st.st_mtim.tv_nsec)
			break;
		r = os_load(c, path, &st);
		if (r == -ENOENT)
			continue; /* removed between stat and open */
		if (r < 0)
			return r;
		break;
	}
	if (i == ARRAY_SIZE(files))
		return ctx_fail(c, COLLECTOR_NO_DATA, "no os-release file found");

	const char *const *v = (const char *const *)cache.val;
	metric_emit(c->ms, &info_desc, 1, v[K_BUILD_ID], v[K_ID], v[K_ID_LIKE], v[K_IMAGE_ID], v[K_IMAGE_VERSION],
		    v[K_NAME], v[K_PRETTY_NAME], v[K_VARIANT], v[K_VARIANT_ID], v[K_VERSION], v[K_VERSION_CODENAME],
		    v[K_VERSION_ID]);
	if (cache.version > 0)
		metric_emit(c->ms, &version_desc, cache.version, v[K_ID], v[K_ID_LIKE], v[K_NAME]);
	if (cache.has_support_end)
		metric_emit(c->ms, &support_end_desc, cache.support_end);
	return 0;
}

static void os_fini(void)
{
	cache_clear();
}

COLLECTOR(os, .default_on = true, .fini = os_fini);
