/* sysfs attributes as prometheus/procfs reads them (include/sysattr.h). */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "gocompat.h"
#include "fileio.h"
#include "sysattr.h"

ssize_t sysattr_read(const char *path, struct strbuf *b)
{
	ssize_t n = file_read(path, b);
	char *t;
	size_t len;

	if (n < 0)
		return n;
	if (b->len > SYSATTR_MAX) {
		b->p[SYSATTR_MAX] = '\0';
		b->len = SYSATTR_MAX;
	}
	t = go_trim_space(b->p);
	len = strlen(t);
	if (t != b->p)
		memmove(b->p, t, len + 1);
	b->len = len;
	return (ssize_t)len;
}

ssize_t sysattr_read_once(const char *path, struct strbuf *b, bool *open_failed)
{
	char tmp[SYSATTR_MAX + 1];
	ssize_t n;
	int fd;

	*open_failed = true;
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	*open_failed = fd < 0;
	if (fd < 0)
		return -errno;
	do
		n = read(fd, tmp, SYSATTR_MAX);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	tmp[n] = '\0';
	sb_reset(b);
	sb_puts(b, go_trim_space(tmp));
	return b->err ? b->err : (ssize_t)b->len;
}

int read_uint_file(const char *path, struct strbuf *b, uint64_t *v)
{
	ssize_t n = file_read(path, b);

	if (n < 0)
		return (int)n;
	return go_parse_uint(go_trim_space(b->p), 10, 64, v) < 0 ? -EBADMSG : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ssize_t dir_list_regular(const char *path, struct arena *a, char ***names)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	if (!path)
		return -ENOMEM;
	if (!(d = opendir(path)))
		return -errno;
	errno = 0;
	while ((de = readdir(d))) {
		unsigned char type = de->d_type;
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type != DT_REG)
			continue;
		if (!(v = arena_grow(a, v, n, &cap, sizeof(*v))))
			goto oom;
		if (!(v[n] = arena_strdup(a, de->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	if (!v && !(v = arena_alloc(a, sizeof(*v))))
		return -ENOMEM;
	*names = v;
	return (ssize_t)n;
oom:
	closedir(d);
	return -ENOMEM;
}
