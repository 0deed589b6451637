#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fileio.h"
#include "gocompat.h"
#include "parse.h"

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

/* Paths are built for every file of every scrape; vsnprintf costs more than the read of a small sysfs
 * attribute. This handles the conversions paths use (%s, %d, %u, %ld, %lu, %zu, %lld, %llu, %%) and
 * returns false for anything else, so the caller falls back to vsnprintf. */
static bool fast_format(struct strbuf *b, const char *fmt, va_list ap)
{
	char num[24];

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t n = q ? (size_t)(q - p) : strlen(p);
			sb_append(b, p, n);
			p += n - 1;
			continue;
		}
		p++;
		int longs = 0;
		bool size = false;
		while (*p == 'l') {
			longs++;
			p++;
		}
		if (*p == 'z') {
			size = true;
			p++;
		}
		switch (*p) {
		case '%':
			sb_putc(b, '%');
			break;
		case 's':
			if (longs || size)
				return false;
			sb_puts(b, va_arg(ap, const char *));
			break;
		case 'd':
		case 'i':
		case 'u': {
			bool sign = *p != 'u';
			unsigned long long u;
			long long v = 0;
			if (size)
				u = sign ? (unsigned long long)(v = (long long)va_arg(ap, ssize_t)) : va_arg(ap, size_t);
			else if (longs >= 2)
				u = sign ? (unsigned long long)(v = va_arg(ap, long long)) : va_arg(ap, unsigned long long);
			else if (longs == 1)
				u = sign ? (unsigned long long)(v = va_arg(ap, long)) : va_arg(ap, unsigned long);
			else
				u = sign ? (unsigned long long)(v = va_arg(ap, int)) : va_arg(ap, unsigned int);
			if (sign && v < 0) {
				sb_putc(b, '-');
				u = 0 - (unsigned long long)v;
			}
			size_t n = 0;
			do {
				num[n++] = (char)('0' + u % 10);
				u /= 10;
			} while (u);
			while (n)
				sb_putc(b, num[--n]);
			break;
		}
		default:
			return false;
		}
	}
	return true;
}

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
	size_t prefix_len = b->len;
	va_list ap2;
	va_copy(ap2, ap);
	if (!fast_format(b, fmt, ap)) {
		/* A conversion the fast path does not know: start over with vsnprintf. */
		b->len = prefix_len;
		sb_vprintf(b, fmt, ap2);
	}
	va_end(ap2);
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

/* How a file's content comes back from read(2), or a directory. */
enum read_kind {
	READ_SHORT_IS_EOF, /* regular files and sysfs attributes: a short read means the end */
	READ_UNTIL_ZERO,   /* procfs and cgroupfs seq_files: one read returns about a page at most */
	READ_DIR,          /* a directory on a kernel filesystem, listed again after lseek(0) */
	READ_DIR_OTHER,    /* a directory elsewhere (never kept) */
};

#define FD_CLOSED (-1) /* the entry goes at the next rehash */
#define FD_ABSENT (-2) /* the path was missing when last looked up */
#define FD_EMPTY (-3)  /* a directory that was empty when last listed */

/* How long a path found missing under the kernel's procfs or sysfs is taken as missing. Their directory
 * mtimes do not change when entries come and go (kernfs and procfs keep the mount-time stamp), so there
 * is no cheaper sign of change than looking: a module loaded at run time (md, nfsd, a hwmon driver)
 * shows up within this time. About 20 failing lookups per scrape on a typical host otherwise. */
#define ABSENT_RECHECK 60.0
/* Missing paths remembered at most (a path is short: about 100 bytes each). */
#define ABSENT_MAX 1024

struct fd_entry {
	char *path; /* NULL: empty slot */
	uint32_t hash;
	int fd;     /* a descriptor, FD_ABSENT or FD_CLOSED */
	enum read_kind kind;
	unsigned last_sweep;
	int err;        /* FD_ABSENT: errno of the failed lookup (ENOENT, ENOTDIR) */
	double recheck; /* FD_ABSENT, FD_EMPTY: when to look again (monotonic seconds) */
	int busy;       /* READ_DIR: a listing is using the descriptor's offset */
};

static struct {
	pthread_rwlock_t lock;
	struct fd_entry *slots;
	size_t n_slots;
	size_t used; /* entries, missing paths included */
	size_t n_fds;
	size_t max; /* cap on cached descriptors, from RLIMIT_NOFILE */
	unsigned sweep;
	bool disabled;
	/* The procfs and sysfs roots when they are the kernel's (paths_init()), as path_build() writes them:
	 * missing paths are remembered under these only, for recheck seconds. */
	char *kroot[2];
	double recheck;
} fdc = { .lock = PTHREAD_RWLOCK_INITIALIZER, .max = 0, .recheck = ABSENT_RECHECK };

void fdcache_enable(bool on)
{
	pthread_rwlock_wrlock(&fdc.lock);
	fdc.disabled = !on;
	pthread_rwlock_unlock(&fdc.lock);
	if (!on)
		fdcache_close_all();
}

size_t fdcache_size(void)
{
	size_t n;

	pthread_rwlock_wrlock(&fdc.lock);
	n = fdc.n_fds;
	pthread_rwlock_unlock(&fdc.lock);
	return n;
}

static struct fd_entry *fdc_find(const char *path, uint32_t h)
{
	if (!fdc.n_slots || fdc.disabled)
		return NULL;
	for (size_t j = h & (fdc.n_slots - 1);; j = (j + 1) & (fdc.n_slots - 1)) {
		struct fd_entry *e = &fdc.slots[j];
		if (!e->path)
			return NULL;
		if (e->hash == h && streq(e->path, path))
			return e;
	}
}

/* Rebuilds the table at the given size, dropping closed entries. */
static int fdc_rehash(size_t n_slots)
{
	struct fd_entry *slots = n_slots ? calloc(n_slots, sizeof(*slots)) : NULL;

	if (!slots)
		return -ENOMEM;
	fdc.used = fdc.n_fds = 0;
	for (size_t i = 0; i < fdc.n_slots; i++) {
		struct fd_entry *e = &fdc.slots[i];
		if (!e->path)
			continue;
		if (e->fd == FD_CLOSED) {
			free(e->path);
			continue;
		}
		size_t j = e->hash & (n_slots - 1);
		while (slots[j].path)
			j = (j + 1) & (n_slots - 1);
		slots[j] = *e;
		fdc.used++;
		fdc.n_fds += e->fd >= 0;
	}
	free(fdc.slots);
	fdc.slots = slots;
	fdc.n_slots = n_slots;
	return 0;
}

static void fdc_init_max(void)
{
	long open_max = sysconf(_SC_OPEN_MAX);

	/* Keep half of the descriptor budget for everything else (connections, textfiles, cgroups). Each open
	 * sysfs or procfs file also pins about 4.5 kB of kernel memory (its seq_file buffer), charged to
	 * nodex's cgroup and not reclaimable: a k8s node with a veth per pod has thousands of netclass
	 * attributes, and caching them all cost 15-19 MiB (measured on a 110-pod fixture). 512 descriptors
	 * cover a host's usual files (about 150 here) and bound that memory to about 2.3 MiB; files past the
	 * cap are opened and closed each time, as node_exporter does. */
	fdc.max = open_max > 64 ? (size_t)open_max / 2 : 32;
	if (fdc.max > 512)
		fdc.max = 512;
}

/* Keeps fd for path, or records path as missing when fd is FD_ABSENT (err, until now + ABSENT_RECHECK).
 * A missing path found again replaces its entry. Takes the lock. Returns false when fd was not kept (the
 * cache is disabled or full, or another thread kept one first): the caller closes it. */
static bool fdc_keep(const char *path, uint32_t h, int fd, enum read_kind kind, int err)
{
	bool kept = false;

	pthread_rwlock_wrlock(&fdc.lock);
	if (!fdc.max)
		fdc_init_max();
	struct fd_entry *e = fdc_find(path, h);
	if (fdc.disabled || (e && e->fd >= 0))
		goto out;
	if (fd >= 0 ? fdc.n_fds >= fdc.max : !e && fdc.used - fdc.n_fds >= ABSENT_MAX)
		goto out;
	if (!e) {
		if ((fdc.used + 1) * 2 > fdc.n_slots && fdc_rehash(grow_double(fdc.n_slots, 64)) < 0)
			goto out;
		char *copy = strdup(path);
		if (!copy)
			goto out;
		size_t j = h & (fdc.n_slots - 1);
		while (fdc.slots[j].path)
			j = (j + 1) & (fdc.n_slots - 1);
		e = &fdc.slots[j];
		*e = (struct fd_entry){ .path = copy, .hash = h, .fd = FD_ABSENT };
		fdc.used++;
	}
	e->fd = fd;
	e->kind = kind;
	e->err = err;
	e->recheck = fd == FD_ABSENT || fd == FD_EMPTY ? now_monotonic() + fdc.recheck : 0;
	e->last_sweep = fdc.sweep;
	fdc.n_fds += fd >= 0;
	kept = true;
out:
	pthread_rwlock_unlock(&fdc.lock);
	return kept;
}

/* Forgets the descriptor fd cached for path, when it still is (the object behind it went away). */
static void fdc_drop(const char *path, uint32_t h, int fd)
{
	pthread_rwlock_wrlock(&fdc.lock);
	struct fd_entry *e = fdc_find(path, h);
	if (e && e->fd == fd) {
		close(fd);
		e->fd = FD_CLOSED;
		fdc_rehash(fdc.n_slots);
	}
	pthread_rwlock_unlock(&fdc.lock);
}

void fdcache_sweep(void)
{
	bool dropped = false;

	pthread_rwlock_wrlock(&fdc.lock);
	fdc.sweep++;
	for (size_t i = 0; i < fdc.n_slots; i++) {
		struct fd_entry *e = &fdc.slots[i];
		if (e->path && e->fd != FD_CLOSED && fdc.sweep - e->last_sweep > 2) {
			if (e->fd >= 0)
				close(e->fd);
			e->fd = FD_CLOSED;
			dropped = true;
		}
	}
	if (dropped)
		fdc_rehash(fdc.n_slots);
	pthread_rwlock_unlock(&fdc.lock);
}

void fdcache_close_all(void)
{
	pthread_rwlock_wrlock(&fdc.lock);
	for (size_t i = 0; i < fdc.n_slots; i++) {
		if (fdc.slots[i].path) {
			if (fdc.slots[i].fd >= 0)
				close(fdc.slots[i].fd);
			free(fdc.slots[i].path);
		}
	}
	free(fdc.slots);
	fdc.slots = NULL;
	fdc.n_slots = fdc.used = fdc.n_fds = 0;
	pthread_rwlock_unlock(&fdc.lock);
}

/* Whether path is under a root that is the kernel's procfs or sysfs, outside the directories of
 * processes (/proc/<pid>/...: a pid that went away comes back as another process). */
static bool under_kernel_root(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(fdc.kroot); i++) {
		size_t n = fdc.kroot[i] ? strlen(fdc.kroot[i]) : 0;
		if (n && strncmp(path, fdc.kroot[i], n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return !(i == 0 && path[n] == '/' && path[n + 1] >= '0' && path[n + 1] <= '9');
	}
	return false;
}

/* Returns -errno when path is remembered as missing and not due for another look, else 0. Called with
 * the lock held (read); e is path's entry or NULL. */
static int fdc_absent(struct fd_entry *e)
{
	if (!e || e->fd != FD_ABSENT || now_monotonic() >= e->recheck)
		return 0;
	__atomic_store_n(&e->last_sweep, fdc.sweep, __ATOMIC_RELAXED);
	return -e->err;
}

/* After a lookup of path failed with err: remembers it as missing when it is under a kernel root. Returns
 * -err. */
static int fdc_note_absent(const char *path, uint32_t h, int err)
{
	if ((err == ENOENT || err == ENOTDIR) && under_kernel_root(path))
		fdc_keep(path, h, FD_ABSENT, READ_SHORT_IS_EOF, err);
	return -err;
}

/* The object behind a cached descriptor is gone (-ENODEV for a removed sysfs or cgroup node, -ESRCH for
 * a dead task): the path must be opened again. Any other error (-EINVAL from the carrier of a link that
 * is down, -ENODATA, -EOPNOTSUPP) is the object's answer for now; its descriptor stays. */
static bool object_gone(ssize_t err)
{
	return err == -ENODEV || err == -ESRCH || err == -ENXIO || err == -ENOENT || err == -EBADF ||
	       err == -ESTALE;
}

/* Whether path is a sysctl, <procfs>/sys/..., under the kernel's procfs. A sysctl is not a seq_file: its
 * handler produces the whole value in one read from offset 0 (integer handlers return nothing at all from
 * any other offset), so a short read is its end. Reading on to the 0 cost a system call per file, and the
 * kernel allocates and zeroes a buffer of the read's size for each read (proc_sys_call_handler). */
static bool is_sysctl(const char *path)
{
	size_t n = fdc.kroot[0] ? strlen(fdc.kroot[0]) : 0;

	return n && strncmp(path, fdc.kroot[0], n) == 0 && strncmp(path + n, "/sys/", 5) == 0;
}

/* Returns true for the kernel filesystems whose descriptors are worth keeping open, and how to read
 * them. */
static bool kernel_fs_kind(int fd, enum read_kind *kind)
{
	struct statfs sfs;

	*kind = READ_SHORT_IS_EOF;
	if (fstatfs(fd, &sfs) < 0)
		return false;
	switch ((unsigned long)sfs.f_type) {
	case SYSFS_MAGIC:
		/* A sysfs attribute is produced by one show() of at most a page. */
		return true;
	case PROC_SUPER_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
		/* seq_files that iterate (diskstats, net/dev, mountinfo, cgroup.procs) hand out about a page
		 * per read whatever the buffer size, so a short read is not the end. */
		*kind = READ_UNTIL_ZERO;
		return true;
	default:
		return false;
	}
}

/* Read caps. A file that never ends (a symlink to /dev/zero in a mounted tree, a driver file that ignores
 * the offset, a FUSE file that keeps producing) must not take the memory of a scrape. Small reads, nearly
 * all of them, cost nothing: once a read passes READ_CHECK bytes, the source is looked at once and the
 * read is capped by what it can hold (read_limit()). Past the cap the read fails with -EFBIG, and the
 * buffer is given back, so memory returns to normal. */
#define READ_CHECK (64u << 10)
#define READ_MAX (64u << 20)      /* procfs and cgroupfs files, and any file: the largest /proc file a big
				   * host has (udp6 with 100,000 sockets, mountinfo of a k8s node) is far below */
#define READ_UNSIZED (1u << 20) /* FIFOs (a pipe holds 64 KiB, at most pipe-max-size: 1 MiB) and regular
				   * files whose size says nothing (0: tracefs, debugfs, some FUSE) */

/* What the source behind fd can hold. */
static size_t read_limit(int fd)
{
	struct stat st;
	struct statfs sfs;

	if (fstat(fd, &st) < 0)
		return READ_CHECK;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return READ_UNSIZED;
	if (!S_ISREG(st.st_mode))
		return READ_CHECK; /* a device: nothing nodex reads */
	if (fstatfs(fd, &sfs) == 0) {
		switch ((unsigned long)sfs.f_type) {
		case SYSFS_MAGIC: {
			/* A text attribute is one page at most; a binary one says its size. */
			long page = sysconf(_SC_PAGESIZE);
			if (st.st_size >= (off_t)READ_MAX)
				return READ_MAX;
			return st.st_size > (off_t)page ? (size_t)st.st_size : (size_t)page;
		}
		case PROC_SUPER_MAGIC:
		case CGROUP_SUPER_MAGIC:
		case CGROUP2_SUPER_MAGIC:
			return READ_MAX;
		default:
			break;
		}
	}
	if (st.st_size <= 0)
		return READ_UNSIZED;
	/* A regular file: its size, with room for what is appended while it is read (off_t is 64 bits wide
	 * where size_t may not be: compared before the cast). */
	if (st.st_size >= (off_t)(READ_MAX / 2))
		return READ_MAX;
	return 2 * (size_t)st.st_size + READ_CHECK;
}

/* Gives back the memory of a read that failed after growing b past the check point. */
static ssize_t read_fail(struct strbuf *b, ssize_t err)
{
	if (b->cap > READ_CHECK) {
		char *p = realloc(b->p, 4096);
		if (p) {
			b->p = p;
			b->cap = 4096;
		}
	}
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
	return err;
}

/* Reads fd from offset 0 to its end into b with pread, growing b as needed. */
static ssize_t read_whole(int fd, struct strbuf *b, enum read_kind kind)
{
	size_t len = 0, limit = 0;

	b->len = 0;
	for (;;) {
		if (len >= READ_CHECK && !limit)
			limit = read_limit(fd);
		if (limit && len > limit)
			return read_fail(b, -EFBIG);
		if (b->cap < len + 4096 + 1 && sb_reserve(b, len + 4096) < 0)
			return read_fail(b, -ENOMEM);
		size_t room = b->cap - 1 - len;
		ssize_t n = pread(fd, b->p + len, room, (off_t)len);
		if (n < 0 && errno == ESPIPE) /* a FIFO or socket: plain read; O_NONBLOCK keeps it from waiting */
			n = read(fd, b->p + len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return read_fail(b, -errno);
		}
		len += (size_t)n;
		if (n == 0 || (kind == READ_SHORT_IS_EOF && (size_t)n < room))
			break;
	}
	b->len = len;
	b->p[len] = '\0';
	return (ssize_t)len;
}

/* Runs use() on a descriptor for path: the cached one when there is one (kept set), otherwise a fresh
 * one, which is kept afterwards when it is on a kernel filesystem. A result for which stale() is true
 * means the object behind a kept descriptor went away: it is dropped and the path opened again. dir
 * selects directories (listed through their offset, so one listing at a time uses a kept descriptor; a
 * second one opens the directory anew). Returns what use() returned, or -errno of the open; a missing
 * path under a kernel root is remembered (fdc_note_absent) and answered from memory until its recheck. */
static ssize_t with_fd(const char *path, bool dir, ssize_t (*use)(int fd, enum read_kind kind, bool kept, void *arg),
		       bool (*stale)(ssize_t r), void *arg)
{
	uint32_t h = strhash(path);
	struct fd_entry *e;
	ssize_t n;
	int fd;

	/* Readers share the lock, so collectors on different threads read in parallel; a sweep or an insert
	 * takes it alone and so can never close a descriptor under a reader. */
	pthread_rwlock_rdlock(&fdc.lock);
	e = fdc_find(path, h);
	if ((n = fdc_absent(e)) < 0) {
		pthread_rwlock_unlock(&fdc.lock);
		return n;
	}
	if (e && e->fd >= 0 && (e->kind == READ_DIR) == dir &&
	    (!dir || !__atomic_exchange_n(&e->busy, 1, __ATOMIC_ACQUIRE))) {
		__atomic_store_n(&e->last_sweep, fdc.sweep, __ATOMIC_RELAXED);
		fd = e->fd;
		n = use(fd, e->kind, true, arg);
		if (dir)
			__atomic_store_n(&e->busy, 0, __ATOMIC_RELEASE);
		pthread_rwlock_unlock(&fdc.lock);
		if (!stale(n))
			return n;
		fdc_drop(path, h, fd);
	} else {
		pthread_rwlock_unlock(&fdc.lock);
	}

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (dir ? O_DIRECTORY : O_NOCTTY));
	if (fd < 0)
		return fdc_note_absent(path, h, errno);
	enum read_kind kind;
	bool kernel = kernel_fs_kind(fd, &kind);
	if (dir)
		kind = kernel ? READ_DIR : READ_DIR_OTHER;
	else if (kind == READ_UNTIL_ZERO && is_sysctl(path))
		kind = READ_SHORT_IS_EOF;
	n = use(fd, kind, false, arg);
	/* An empty directory cannot be kept open: a removed one lists empty too (listing_stale()). */
	if (dir && kernel && n == 0 && under_kernel_root(path))
		fdc_keep(path, h, FD_EMPTY, READ_DIR, 0);
	if (!(kernel && !stale(n) && fdc_keep(path, h, fd, kind, 0)))
		close(fd);
	return n;
}

static ssize_t read_file(int fd, enum read_kind kind, bool kept, void *b)
{
	(void)kept;
	return read_whole(fd, b, kind);
}

ssize_t file_read(const char *path, struct strbuf *b)
{
	if (!path)
		return -ENOMEM;
	sb_reset(b);
	return with_fd(path, false, read_file, object_gone, b);
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
	/* Attribute files produce their whole content in one read; see the header. */
	n = read_whole(fd, b, READ_SHORT_IS_EOF);
	close(fd);
	return n;
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

/* Adapters so one helper can require that a number is the whole attribute. */
static int parse_u64_any(const char *s, const char **end, void *out)
{
	return parse_u64(s, end, out);
}

static int parse_i64_any(const char *s, const char **end, void *out)
{
	return parse_i64(s, end, out);
}

static int parse_double_any(const char *s, const char **end, void *out)
{
	return parse_double(s, end, out);
}

static int parse_whole(const char *s, int (*parse)(const char *, const char **, void *), void *out)
{
	const char *end;
	char tmp[16];
	int r;

	/* Parse into a scratch value first: out is written only when the whole attribute is one number. */
	r = parse(s, &end, tmp);
	if (r < 0)
		return r;
	if (*end != '\0')
		return -EINVAL;
	return parse(s, &end, out);
}

int file_read_u64(const char *path, struct strbuf *scratch, uint64_t *out)
{
	ssize_t n = file_read_attr(path, scratch);

	if (n < 0)
		return (int)n;
	return parse_whole(scratch->p, parse_u64_any, out);
}

int file_read_i64(const char *path, struct strbuf *scratch, int64_t *out)
{
	ssize_t n = file_read_attr(path, scratch);

	if (n < 0)
		return (int)n;
	return parse_whole(scratch->p, parse_i64_any, out);
}

int file_read_double(const char *path, struct strbuf *scratch, double *out)
{
	ssize_t n = file_read_attr(path, scratch);

	if (n < 0)
		return (int)n;
	return parse_whole(scratch->p, parse_double_any, out);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The largest record getdents64 writes: a NAME_MAX name, its NUL, the fixed fields, 8-byte aligned. */
#define DIRENT_MAX_RECLEN ((offsetof(struct dirent64, d_name) + NAME_MAX + 1 + 7) & ~(size_t)7)

/* Lists the directory open at fd from its current offset to the end: names except "." and ".." into the
 * arena, sorted. fills: the filesystem's getdents fills the buffer until the next entry does not fit
 * (kernfs, that is sysfs and cgroupfs, and procfs iterate over all entries and stop only when one is
 * refused), so a call that left room for the largest entry returned the last one, and the call that would
 * return 0 is not needed. Other filesystems may return less (FUSE: what the daemon sent). Returns the count
 * or a negative errno; *names is set on success. */
static ssize_t list_fd(int fd, bool fills, struct arena *a, char ***names)
{
	_Alignas(struct dirent64) char buf[8192];
	char **v = NULL;
	size_t n = 0, cap = 0;
	ssize_t got;

	while ((got = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			off += de->d_reclen;
			if (streq(de->d_name, ".") || streq(de->d_name, ".."))
				continue;
			if (!(v = arena_grow(a, v, n, &cap, sizeof(*v))) || !(v[n] = arena_strdup(a, de->d_name)))
				return -ENOMEM;
			n++;
		}
		if (fills && sizeof(buf) - (size_t)got >= DIRENT_MAX_RECLEN)
			break;
	}
	if (got < 0)
		return -errno;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	if (!v && !(v = arena_alloc(a, sizeof(*v))))
		return -ENOMEM;
	*names = v;
	return (ssize_t)n;
}

struct listing {
	struct arena *a;
	char ***names;
};

static ssize_t list_dir(int fd, enum read_kind kind, bool kept, void *arg)
{
	struct listing *l = arg;

	if (kept && lseek(fd, 0, SEEK_SET) != 0)
		return -errno;
	return list_fd(fd, kind == READ_DIR, l->a, l->names);
}

/* A removed kernfs or procfs directory lists as empty through a descriptor kept open on it, and one
 * created again under the same name is a new directory: an empty listing is checked by opening the path
 * again, and so is any error but a lack of memory. */
static bool listing_stale(ssize_t n)
{
	return n <= 0 && n != -ENOMEM;
}

ssize_t dir_list(const char *path, struct arena *a, char ***names)
{
	struct listing l = { a, names };

	if (!path)
		return -ENOMEM;
	if (!*path) /* an unset directory flag: open("") fails the same way */
		return -ENOENT;
	/* A kernel directory found empty (a class with no device: power_supply, thermal, watchdog on a VM)
	 * is answered as empty without a system call until its recheck, as a missing path is: it cannot be
	 * kept open, so it would be opened, typed and listed at every scrape. A device that shows up later is
	 * seen within that time, as a module that creates a missing directory is. */
	uint32_t h = strhash(path);
	pthread_rwlock_rdlock(&fdc.lock);
	struct fd_entry *e = fdc_find(path, h);
	bool empty = e && e->fd == FD_EMPTY && now_monotonic() < e->recheck;
	if (empty)
		__atomic_store_n(&e->last_sweep, fdc.sweep, __ATOMIC_RELAXED);
	pthread_rwlock_unlock(&fdc.lock);
	if (empty)
		return (*names = arena_alloc(a, sizeof(**names))) ? 0 : -ENOMEM;
	return with_fd(path, true, list_dir, listing_stale, &l);
}

/* stat(2) that answers -ENOENT (or -ENOTDIR) without a system call for a path remembered as missing. */
static int cached_stat(const char *path, struct stat *st)
{
	uint32_t h;

	if (!path)
		return -ENOMEM;
	h = strhash(path);
	pthread_rwlock_rdlock(&fdc.lock);
	int absent = fdc_absent(fdc_find(path, h));
	pthread_rwlock_unlock(&fdc.lock);
	if (absent < 0)
		return absent;
	if (stat(path, st) < 0)
		return fdc_note_absent(path, h, errno);
	return 0;
}

int path_exists(const char *path)
{
	struct stat st;

	return cached_stat(path, &st);
}

bool path_is_dir(const char *path)
{
	struct stat st;

	return cached_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- where the roots live ---- */

/* Copies mountinfo field s (up to a space or the end of the line) into d (size bytes), undoing the
 * kernel's octal escapes (\040 for a space). Returns false when it does not fit. */
static bool mountinfo_field(const char *s, char *d, size_t size)
{
	size_t n = 0;

	for (; *s && *s != ' ' && *s != '\n'; s++) {
		char c = *s;
		if (c == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			c = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		}
		if (n + 1 >= size)
			return false;
		d[n++] = c;
	}
	d[n] = '\0';
	return true;
}

/* Skips n space-separated fields of the line at s. Returns NULL when the line ends first. */
static const char *mountinfo_skip(const char *s, int n)
{
	while (n-- > 0) {
		while (*s && *s != ' ' && *s != '\n')
			s++;
		if (*s != ' ')
			return NULL;
		s++;
	}
	return s;
}

int mountinfo_fstype(const char *mountinfo, const char *path, char *fstype, size_t size)
{
	char mp[PATH_MAX];
	size_t best = 0;
	bool found = false;

	for (const char *line = mountinfo; *line;) {
		const char *eol = strchr(line, '\n');
		const char *f = mountinfo_skip(line, 4), *sep;
		/* ID parent major:minor root MOUNTPOINT options [optional...] - FSTYPE source superoptions */
		if (!f || !mountinfo_field(f, mp, sizeof(mp)) || !(sep = strstr(f, " - ")) || (eol && sep > eol))
			return -EINVAL;
		size_t n = strlen(mp);
		while (n > 1 && mp[n - 1] == '/')
			n--;
		bool prefix = strncmp(path, mp, n) == 0 && (n == 1 || path[n] == '/' || path[n] == '\0');
		/* Ties go to the later line: a mount stacked on the same point hides the earlier one. */
		if (prefix && (!found || n >= best)) {
			if (!mountinfo_field(sep + 3, fstype, size))
				return -EINVAL;
			best = n;
			found = true;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return found ? 0 : -ENOENT;
}

bool fstype_is_local(const char *type)
{
	static const char *const local[] = { "bcachefs", "btrfs", "erofs", "ext2",  "ext3",   "ext4",     "f2fs",
					     "overlay",  "ramfs", "rootfs", "squashfs", "tmpfs", "vfat", "xfs", "zfs" };

	for (size_t i = 0; i < ARRAY_SIZE(local); i++)
		if (streq(type, local[i]))
			return true;
	return false;
}

/* Whether root (relative to the working directory when not absolute) is on a filesystem of the given
 * type (want, or any local one when want is NULL), by the mount table in mi. */
static bool root_on(const char *mi, const char *root, const char *want)
{
	char path[PATH_MAX], type[64];

	if (root[0] == '/') {
		snprintf(path, sizeof(path), "%s", root);
	} else {
		if (!getcwd(path, sizeof(path)))
			return false;
		size_t n = strlen(path);
		if ((size_t)snprintf(path + n, sizeof(path) - n, "/%s", root) >= sizeof(path) - n)
			return false;
	}
	path_clean_in_place(path);
	if (mountinfo_fstype(mi, path, type, sizeof(type)) < 0)
		return false;
	return want ? streq(type, want) : fstype_is_local(type);
}

/* Sets fdc.kroot[i] to root as path_build() prefixes it (trailing slashes removed), or clears it. */
static void set_kernel_root(size_t i, const char *root, bool kernel)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	free(fdc.kroot[i]);
	fdc.kroot[i] = kernel ? strndup(root, n) : NULL;
}

void fdcache_test_absence(const char *root, double seconds)
{
	pthread_rwlock_wrlock(&fdc.lock);
	set_kernel_root(0, root, true);
	set_kernel_root(1, "", false);
	fdc.recheck = seconds;
	pthread_rwlock_unlock(&fdc.lock);
}

/* Whether the rootfs root is on a local filesystem, by the last paths_init(). */
static bool rootfs_local;

bool paths_rootfs_local(void)
{
	return rootfs_local;
}

bool paths_init(void)
{
	struct strbuf b = { 0 };
	bool proc = false, sys = false, local = false;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	rootfs_local = false;
	if (fd >= 0 && read_whole(fd, &b, READ_UNTIL_ZERO) >= 0) {
		proc = root_on(b.p, nodex_paths.procfs, "proc");
		sys = root_on(b.p, nodex_paths.sysfs, "sysfs");
		rootfs_local = root_on(b.p, nodex_paths.rootfs, NULL);
		local = rootfs_local && root_on(b.p, nodex_paths.udev, NULL);
	}
	if (fd >= 0)
		close(fd);
	sb_free(&b);
	/* Missing paths remembered under the old roots mean nothing under new ones. */
	fdcache_close_all();
	pthread_rwlock_wrlock(&fdc.lock);
	set_kernel_root(0, nodex_paths.procfs, proc);
	set_kernel_root(1, nodex_paths.sysfs, sys);
	fdc.recheck = ABSENT_RECHECK;
	pthread_rwlock_unlock(&fdc.lock);
	return !(proc && sys && local);
}
