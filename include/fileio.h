/* Reading files: the roots paths are resolved against, the descriptor cache, the readers, directory
 * listings and the mount table. Parsing what was read is parse.h's.
 *
 * Every path is resolved against the configured roots (--path.procfs, --path.sysfs, --path.rootfs,
 * --path.udev.data), so tests point them at fixture trees and the collectors read real files.
 *
 * A file is read from offset 0 into a caller-owned buffer that grows as needed, with pread until it
 * returns 0 (file_read_at() and attributes stop at a short read, see there), up to a cap that depends on
 * what the file is (a sysfs attribute: a page; procfs and cgroupfs files: 64 MiB; a regular file: twice
 * its size plus 64 KiB; a FIFO or a file of no stated size: 1 MiB; a device: 64 KiB); a read past its cap
 * fails with -EFBIG. Files that live on procfs, sysfs or a cgroup
 * filesystem keep their descriptor open between scrapes and are read again with pread(fd, 0): that
 * returns fresh data at about half the cost of open/read/close. Regular files (fixtures, textfiles,
 * os-release) are always opened anew, so a file replaced by rename is seen. Opens use O_NONBLOCK, so a
 * FIFO never blocks a read. */
#ifndef NODEX_FILEIO_H
#define NODEX_FILEIO_H

#include <stdarg.h>
#include <sys/types.h>

#include "arena.h"

struct nodex_paths {
	const char *procfs; /* default /proc */
	const char *sysfs;  /* default /sys */
	const char *rootfs; /* default / */
	const char *udev;   /* default /run/udev/data */
};

/* The process-wide roots, set once from the flags before any collector runs. */
extern struct nodex_paths nodex_paths;

enum nodex_root {
	ROOT_PROC,
	ROOT_SYS,
	ROOT_ROOTFS,
	ROOT_UDEV,
	ROOT_NONE, /* fmt is already a full path */
};

/* Builds <root>/<fmt...> into b (replacing its content) and returns b->p, or NULL when out of memory.
 * A rootfs of "/" adds no prefix. */
const char *path_build(struct strbuf *b, enum nodex_root root, const char *fmt, ...) PRINTF(3, 4);
const char *path_vbuild(struct strbuf *b, enum nodex_root root, const char *fmt, va_list ap);

/* Reads the whole file at path into b (replacing its content, NUL-terminated). Returns the length or a
 * negative errno (-ENOENT, -EACCES, ...). */
ssize_t file_read(const char *path, struct strbuf *b);

/* Reads the file name, relative to the directory descriptor dirfd (openat(2)), into b like file_read(),
 * but never through the descriptor cache: the file is opened, read and closed. For trees with more files
 * than the cache holds (the cgroups of thousands of containers), whose descriptors would otherwise fill
 * the cache and evict every other collector's, and whose short relative names make the open cheap.
 * It is for attribute files (cgroupfs and sysfs attributes such as memory.stat, regular files), which
 * hand out their whole content in one read: a short read is taken as the end, saving the read that
 * would return 0. Files that iterate (cgroup.procs, /proc/<pid>/mountinfo) need file_read().
 * Returns the length or a negative errno. */
ssize_t file_read_at(int dirfd, const char *name, struct strbuf *b);

/* Reads a sysfs-style attribute: the file's content with trailing whitespace removed. Returns the length
 * or a negative errno. */
ssize_t file_read_attr(const char *path, struct strbuf *b);

/* Reads an attribute holding one unsigned or signed integer, or a float. Returns 0, a negative errno from
 * the read, or -EINVAL when the content is not exactly one number. */
int file_read_u64(const char *path, struct strbuf *scratch, uint64_t *out);
int file_read_i64(const char *path, struct strbuf *scratch, int64_t *out);
int file_read_double(const char *path, struct strbuf *scratch, double *out);

/* Lists the entries of a directory except "." and "..", sorted by name (byte order, as Go's os.ReadDir).
 * Names are allocated in arena a. Returns the count or a negative errno. *names is set on success. */
ssize_t dir_list(const char *path, struct arena *a, char ***names);

/* Returns true when path exists and is a directory (following symlinks). */
bool path_is_dir(const char *path);
/* Returns 0 when path exists (following symlinks), or the negative errno of stat(2). Like path_is_dir(),
 * it answers a path remembered as missing (see paths_init()) without a system call. */
int path_exists(const char *path);

/* The descriptor cache behind file_read(). fdcache_sweep() closes descriptors that were not used in the
 * last two sweeps; the scrape calls it once per scrape. fdcache_close_all() is for shutdown and tests. */
void fdcache_sweep(void);
void fdcache_close_all(void);
/* Number of cached descriptors (tests, self metrics). */
size_t fdcache_size(void);
/* Turns caching off or on (tests that rewrite files under a kernel filesystem). Default on. */
void fdcache_enable(bool on);
/* Tests: remember missing paths under root, as under a kernel root (see paths_init()), for seconds. */
void fdcache_test_absence(const char *root, double seconds);

/* The type of the filesystem that holds path (absolute, cleaned), from the text of a mountinfo file: the
 * mount whose mount point is the longest prefix of path on a component boundary. Symlinks in path are not
 * followed: resolving them would touch the very filesystems in question. Writes the type to fstype (size
 * bytes). Returns 0, or -ENOENT when no mount holds path, or -EINVAL for a malformed line. mountinfo is
 * not modified. */
int mountinfo_fstype(const char *mountinfo, const char *path, char *fstype, size_t size);

/* Looks up how the configured roots are mounted (/proc/self/mountinfo); call it once the roots are set
 * and again whenever they change (it empties the descriptor cache). Under a procfs root that is a proc
 * mount and a sysfs root that is a sysfs mount, file_read(), dir_list() and path_is_dir() remember a path
 * they found missing (ENOENT, ENOTDIR) and answer the same without a system call for the next minute:
 * kernfs and procfs directories keep their mtime when entries come and go, so looking is the only way to
 * know. Returns whether a read under one of the roots may block for good: false only when the procfs and
 * sysfs roots are those mounts and the rootfs and udev roots are on local filesystems (ext4, xfs, btrfs,
 * tmpfs, overlay, ...); NFS, CIFS, FUSE, 9p, any other type, or an unreadable mount table: true. */
bool paths_init(void);
/* Whether the rootfs root was on a local filesystem at the last paths_init(). */
bool paths_rootfs_local(void);
/* Whether a filesystem type is local: its calls wait on memory or a disk at worst, never on a network or
 * a user-space daemon (ext4, xfs, btrfs, tmpfs, overlay, ...; not nfs, cifs, fuse.*, 9p, ceph, ...). */
bool fstype_is_local(const char *type);

#endif
