#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "procfs.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

struct nodex_paths nodex_paths = {
	.procfs = "/proc",
	.sysfs = "/sys",
	.rootfs = "/",
	.udev = "/run/udev/data",
};

/* ---- paths ---- */

const char *path_vbuild(struct strbuf *b, enum nodex_root root, const char *fmt, va_list ap)
{
	const char *prefix = NULL;

	sb_reset(b);
	switch (root) {
	case ROOT_PROC:
		prefix = nodex_paths.procfs;
		break;
	case ROOT_SYS:
		prefix = nodex_paths.sysfs;
		break;
	case ROOT_ROOTFS:
		prefix = streq(nodex_paths.rootfs, "/") ? NULL : nodex_paths.rootfs;
		break;
	case ROOT_UDEV:
		prefix = nodex_paths.udev;
		break;
	case ROOT_NONE:
		break;
	}
	if (prefix) {
		size_t n = strlen(prefix);
		while (n > 1 && prefix[n - 1] == '/')
			n--;
		sb_append(b, prefix, n);
		if (fmt[0] != '/')
			sb_putc(b, '/');
	}
	sb_vprintf(b, fmt, ap);
	return b->err ? NULL : b->p;
}

const char *path_build(struct strbuf *b, enum nodex_root root, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	p = path_vbuild(b, root, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- the descriptor cache ---- */

struct fd_entry {
	char *path; /* NULL: empty slot */
	uint32_t hash;
	int fd;
	unsigned last_sweep;
};

static struct {
	pthread_mutex_t lock;
	struct fd_entry *slots;
	size_t n_slots;
	size_t used;
	size_t max; /* cap on cached descriptors, from RLIMIT_NOFILE */
	unsigned sweep;
	bool disabled;
} fdc = { .lock = PTHREAD_MUTEX_INITIALIZER, .max = 0 };

static uint32_t hash_path(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void fdcache_enable(bool on)
{
	pthread_mutex_lock(&fdc.lock);
	fdc.disabled = !on;
	pthread_mutex_unlock(&fdc.lock);
	if (!on)
		fdcache_close_all();
}

size_t fdcache_size(void)
{
	size_t n;

	pthread_mutex_lock(&fdc.lock);
	n = fdc.used;
	pthread_mutex_unlock(&fdc.lock);
	return n;
}

static struct fd_entry *fdc_find(const char *path, uint32_t h)
{
	if (!fdc.n_slots)
		return NULL;
	for (size_t j = h & (fdc.n_slots - 1);; j = (j + 1) & (fdc.n_slots - 1)) {
		struct fd_entry *e = &fdc.slots[j];
		if (!e->path)
			return NULL;
		if (e->hash == h && streq(e->path, path))
			return e;
	}
}

/* Rebuilds the table at the given size, dropping entries whose fd is -1 (closed). */
static int fdc_rehash(size_t n_slots)
{
	struct fd_entry *slots = calloc(n_slots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	fdc.used = 0;
	for (size_t i = 0; i < fdc.n_slots; i++) {
		struct fd_entry *e = &fdc.slots[i];
		if (!e->path)
			continue;
		if (e->fd < 0) {
			free(e->path);
			continue;
		}
		size_t j = e->hash & (n_slots - 1);
		while (slots[j].path)
			j = (j + 1) & (n_slots - 1);
		slots[j] = *e;
		fdc.used++;
	}
	free(fdc.slots);
	fdc.slots = slots;
	fdc.n_slots = n_slots;
	return 0;
}

static void fdc_init_max(void)
{
	long open_max = sysconf(_SC_OPEN_MAX);

	/* Keep half of the descriptor budget for everything else (connections, textfiles, cgroups). */
	fdc.max = open_max > 64 ? (size_t)open_max / 2 : 32;
	if (fdc.max > 4096)
		fdc.max = 4096;
}

/* Inserts path -> fd. Called with the lock held. Returns false when the cache is full. */
static bool fdc_insert(const char *path, uint32_t h, int fd)
{
	if (!fdc.max)
		fdc_init_max();
	if (fdc.used >= fdc.max)
		return false;
	if ((fdc.used + 1) * 2 > fdc.n_slots && fdc_rehash(fdc.n_slots ? fdc.n_slots * 2 : 64) < 0)
		return false;
	char *copy = strdup(path);
	if (!copy)
		return false;
	size_t j = h & (fdc.n_slots - 1);
	while (fdc.slots[j].path)
		j = (j + 1) & (fdc.n_slots - 1);
	fdc.slots[j] = (struct fd_entry){ .path = copy, .hash = h, .fd = fd, .last_sweep = fdc.sweep };
	fdc.used++;
	return true;
}

void fdcache_sweep(void)
{
	bool dropped = false;

	pthread_mutex_lock(&fdc.lock);
	fdc.sweep++;
	for (size_t i = 0; i < fdc.n_slots; i++) {
		struct fd_entry *e = &fdc.slots[i];
		if (e->path && e->fd >= 0 && fdc.sweep - e->last_sweep > 2) {
			close(e->fd);
			e->fd = -1;
			dropped = true;
		}
	}
	if (dropped)
		fdc_rehash(fdc.n_slots);
	pthread_mutex_unlock(&fdc.lock);
}

void fdcache_close_all(void)
{
	pthread_mutex_lock(&fdc.lock);
	for (size_t i = 0; i < fdc.n_slots; i++) {
		if (fdc.slots[i].path) {
			if (fdc.slots[i].fd >= 0)
				close(fdc.slots[i].fd);
			free(fdc.slots[i].path);
		}
	}
	free(fdc.slots);
	fdc.slots = NULL;
	fdc.n_slots = fdc.used = 0;
	pthread_mutex_unlock(&fdc.lock);
}

static bool is_kernel_fs(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return false;
	switch ((unsigned long)sfs.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

/* Reads fd from offset 0 with one pread into b, growing and retrying while the read fills the buffer. */
static ssize_t read_whole(int fd, struct strbuf *b)
{
	if (sb_reserve(b, 4095) < 0)
		return -ENOMEM;
	for (;;) {
		size_t room = b->cap - 1;
		ssize_t n = pread(fd, b->p, room, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n < room) {
			b->len = (size_t)n;
			b->p[n] = '\0';
			return n;
		}
		/* Full: the file may be longer. Read it again, whole, into a larger buffer. */
		b->len = 0;
		if (sb_reserve(b, b->cap * 2) < 0)
			return -ENOMEM;
	}
}

ssize_t file_read(const char *path, struct strbuf *b)
{
	uint32_t h = hash_path(path);
	struct fd_entry *e;
	ssize_t n;
	int fd;

	if (!path)
		return -ENOMEM;
	sb_reset(b);
	pthread_mutex_lock(&fdc.lock);
	e = fdc.disabled ? NULL : fdc_find(path, h);
	if (e && e->fd >= 0) {
		e->last_sweep = fdc.sweep;
		fd = e->fd;
		/* Read under the lock: another thread's sweep must not close fd meanwhile. Kernel reads are
		 * short, and only collectors that run off the scrape thread ever contend. */
		n = read_whole(fd, b);
		if (n >= 0 || n == -ENOMEM) {
			pthread_mutex_unlock(&fdc.lock);
			return n;
		}
		/* The object behind the descriptor went away (-ENODEV for a removed device, -ESRCH for a dead
		 * task): forget it and open the path again. */
		close(fd);
		e->fd = -1;
		fdc_rehash(fdc.n_slots);
	}
	pthread_mutex_unlock(&fdc.lock);

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read_whole(fd, b);
	if (n >= 0 && !fdc.disabled && is_kernel_fs(fd)) {
		pthread_mutex_lock(&fdc.lock);
		if (!fdc_find(path, h) && fdc_insert(path, h, fd)) {
			pthread_mutex_unlock(&fdc.lock);
			return n;
		}
		pthread_mutex_unlock(&fdc.lock);
	}
	close(fd);
	return n;
}

ssize_t file_read_at(int dirfd, const char *name, struct strbuf *b)
{
	ssize_t n;
	int fd;

	if (!name)
		return -ENOMEM;
	sb_reset(b);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read_whole(fd, b);
	close(fd);
	return n;
}

char *strip_trailing(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

ssize_t file_read_attr(const char *path, struct strbuf *b)
{
	ssize_t n = file_read(path, b);

	if (n < 0)
		return n;
	strip_trailing(b->p);
	b->len = strlen(b->p);
	return (ssize_t)b->len;
}

int file_read_u64(const char *path, struct strbuf *scratch, uint64_t *out)
{
	ssize_t n = file_read_attr(path, scratch);

	if (n < 0)
		return (int)n;
	return parse_u64(scratch->p, NULL, out);
}

int file_read_i64(const char *path, struct strbuf *scratch, int64_t *out)
{
	ssize_t n = file_read_attr(path, scratch);

	if (n < 0)
		return (int)n;
	return parse_i64(scratch->p, NULL, out);
}

int file_read_double(const char *path, struct strbuf *scratch, double *out)
{
	ssize_t n = file_read_attr(path, scratch);

	if (n < 0)
		return (int)n;
	return parse_double(scratch->p, NULL, out);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ssize_t dir_list(const char *path, struct arena *a, char ***names)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	if (!path)
		return -ENOMEM;
	d = opendir(path);
	if (!d)
		return -errno;
	errno = 0;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t cap2 = cap ? cap * 2 : 16;
			char **v2 = arena_alloc(a, cap2 * sizeof(*v2));
			if (!v2)
				goto oom;
			if (n)
				memcpy(v2, v, n * sizeof(*v2));
			v = v2;
			cap = cap2;
		}
		v[n] = arena_strdup(a, de->d_name);
		if (!v[n])
			goto oom;
		n++;
	}
	if (errno) {
		int r = -errno;
		closedir(d);
		return r;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	if (!v) {
		v = arena_alloc(a, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	*names = v;
	return (ssize_t)n;
oom:
	closedir(d);
	return -ENOMEM;
}

bool path_is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- parsing ---- */

static int finish(const char *p, const char **end)
{
	if (end) {
		*end = p;
		return 0;
	}
	return (*p == '\0' || isspace((unsigned char)*p)) ? 0 : -EINVAL;
}

int parse_u64(const char *s, const char **end, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned dgt = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			return -ERANGE;
		v = v * 10 + dgt;
	}
	if (finish(p, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_i64(const char *s, const char **end, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	uint64_t v;
	const char *e;
	int r;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p == '+' || *p == '-')
		return -EINVAL;
	r = parse_u64(p, &e, &v);
	if (r < 0)
		return r;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > INT64_MAX)
		return -ERANGE;
	if (finish(e, end) < 0)
		return -EINVAL;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int parse_hex_u64(const char *s, const char **end, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	int nd = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (;; p++, nd++) {
		unsigned dgt;
		if (*p >= '0' && *p <= '9')
			dgt = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			dgt = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			dgt = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | dgt;
	}
	if (!nd)
		return -EINVAL;
	if (finish(p, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, const char **end, double *out)
{
	char *e;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	/* strtod also takes hex floats and "infinity"; kernel files hold plain decimals, which is all that
	 * a digit or sign check lets through apart from the explicit NaN/Inf spellings Go accepts. */
	if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.' || *s == 'N' || *s == 'n' ||
	      *s == 'I' || *s == 'i'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &e);
	if (e == s)
		return -EINVAL;
	if (errno == ERANGE && isinf(v))
		return -ERANGE;
	if (finish(e, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

char *next_field(char **p)
{
	char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	char *f = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return f;
}

int split_fields(char *s, char **fields, int max)
{
	int n = 0;
	char *f;

	while (n < max && (f = next_field(&s)))
		fields[n++] = f;
	return n;
}
